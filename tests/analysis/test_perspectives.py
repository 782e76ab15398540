"""What each perspective sees: its elements, the loops it drew whole, and the loops only it sees."""

from __future__ import annotations

from sysmap.analysis.perspectives import (
    perspective_summary,
    summary_dict,
    summary_text,
    tags_in_use,
    untagged,
)
from sysmap.model import SystemMap
from sysmap.model.workshop import Perspective, set_perspectives

STAFF, MANAGERS, RESIDENTS = "Staff", "Managers", "Residents"


def care_map() -> SystemMap:
    """Workload <-> Sick leave drawn by staff; Workload -> Waiting -> Complaints -> Workload by
    managers, with staff drawing Workload -> Waiting too; Budget untagged."""
    doc = SystemMap()
    work, sick, wait, comp, budget = (
        doc.add_variable(n, tags=t).id
        for n, t in (
            ("Workload", (STAFF, MANAGERS)),
            ("Sick leave", (STAFF,)),
            ("Waiting", (MANAGERS,)),
            ("Complaints", (MANAGERS,)),
            ("Budget", ()),
        )
    )
    doc.add_link(work, sick, polarity="+", tags=(STAFF,), id="k1")
    doc.add_link(sick, work, polarity="+", tags=(STAFF,), id="k2")
    doc.add_link(work, wait, polarity="+", tags=(MANAGERS, STAFF), id="k3")
    doc.add_link(wait, comp, polarity="+", tags=(MANAGERS,), id="k4")
    doc.add_link(comp, work, polarity="-", tags=(MANAGERS,), id="k5")
    doc.add_link(budget, work, polarity="-", id="k6")
    doc.apply(
        set_perspectives(doc, [Perspective(STAFF, "#112233"), Perspective(MANAGERS), Perspective(RESIDENTS)])
    )
    return doc


def test_summary_counts_loops_and_what_only_each_sees():
    doc = care_map()
    staff, managers, residents = perspective_summary(doc)
    name = {vid: v.name for vid, v in doc.variables.items()}
    assert (staff.name, staff.colour) == (STAFF, "#112233")
    assert managers.colour == "#2ca02c"  # the palette's second colour, for the second perspective
    assert [name[v] for v in staff.variables] == ["Workload", "Sick leave"]
    assert staff.links == ("k1", "k2", "k3")
    assert [(loop.name, [name[v] for v in loop.variables]) for loop in staff.loops] == [
        ("R1", ["Sick leave", "Workload"])
    ]
    assert [loop.name for loop in managers.loops] == ["B1"]
    assert staff.only_loops == staff.loops and managers.only_loops == managers.loops
    assert staff.unique == {doc.variable_named("Sick leave").id, "k1", "k2"}
    assert managers.unique == {
        doc.variable_named("Waiting").id,
        doc.variable_named("Complaints").id,
        "k4",
        "k5",
    }
    assert residents.counts() == {"variables": 0, "links": 0, "loops": 0, "only_loops": 0, "unique": 0}
    assert untagged(doc) == [doc.variable_named("Budget").id, "k6"]


def test_a_loop_both_drew_is_seen_by_neither_alone():
    doc = care_map()
    doc.apply(set_perspectives(doc, [Perspective(STAFF), Perspective(MANAGERS)]))
    from sysmap.model.workshop import tag_perspective

    doc.apply(tag_perspective(doc, ["k4", "k5"], STAFF))
    staff, managers = perspective_summary(doc)
    assert sorted(loop.name for loop in staff.loops) == ["B1", "R1"]
    assert [loop.name for loop in managers.loops] == ["B1"]
    assert [loop.name for loop in staff.only_loops] == ["R1"]
    assert managers.only_loops == ()


def test_text_and_data():
    doc = care_map()
    text = summary_text(doc)
    assert "Staff (#112233)" in text
    assert "2 variables, 3 links, 1 loop drawn whole, 1 only it sees, 3 elements only it has" in text
    assert "Loop R1: Sick leave → Workload → Sick leave (only this perspective)" in text
    assert "Only it sees: Sick leave; Workload → Sick leave (+); Sick leave → Workload (+)" in text
    assert text.endswith("No perspective: 1 variable, 1 link")
    data = summary_dict(doc)
    assert [p["name"] for p in data["perspectives"]] == [STAFF, MANAGERS, RESIDENTS]
    assert data["perspectives"][1]["loops"][0]["variables"] == ["Complaints", "Workload", "Waiting"]
    assert data["untagged"] == [doc.variable_named("Budget").id, "k6"]


def test_a_map_without_perspectives_lists_its_tags():
    doc = care_map()
    doc.apply(set_perspectives(doc, []))
    assert tags_in_use(doc) == {MANAGERS: 6, STAFF: 5}
    assert summary_text(doc) == "The map has no perspectives. Tags in use: Managers (6), Staff (5)."
    assert summary_text(SystemMap()) == "The map has no perspectives. Tags in use: none."


def test_a_stock_and_its_flow_need_no_drawn_link():
    """A flow fills its stock without a drawn link: the loop is the perspective's when both are."""
    from sysmap.model import Kind, operations

    doc = SystemMap()
    hiring = doc.add_variable("Hiring", kind=Kind.FLOW, equation="gap", tags=(STAFF,))
    staff = doc.add_variable("Staff", kind=Kind.STOCK, equation="10", tags=(STAFF,))
    gap = doc.add_variable("Gap", equation="20 - staff", tags=(STAFF,))
    doc.apply(operations.attach_flow(doc, hiring.id, source=None, sink=staff.id))
    doc.add_link(staff.id, gap.id, polarity="-", tags=(STAFF,))
    doc.add_link(gap.id, hiring.id, polarity="+", tags=(STAFF,))
    doc.apply(set_perspectives(doc, [Perspective(STAFF), Perspective(MANAGERS)]))
    staff_view, managers = perspective_summary(doc)
    assert [loop.polarity for loop in staff_view.loops] == ["B"]
    assert managers.loops == ()
    doc.apply(operations.update(doc, staff.id, tags=()))  # the stock is no longer the staff's
    assert perspective_summary(doc)[0].loops == ()
