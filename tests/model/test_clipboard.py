"""Copy, paste and merge: fragments keep what their elements need, pastes are independent
copies with free names, merges join two tables' maps of one issue without duplicates."""

import pytest
from edit_checks import applied

from sysmap.errors import ModelError
from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import Alias, Dimension, Kind, Polarity, SystemMap, UnitDefinition
from sysmap.model import operations as ops
from sysmap.model.clipboard import fragment, merge_edit, paste_edit
from sysmap.model.edits import Insert


def named(doc, name):
    var = doc.variable_named(name)
    assert var is not None, name
    return var


def structure(doc):
    """The map by names, without ids: variables, links, attachments, labels."""
    name = {vid: var.name for vid, var in doc.variables.items()}
    return (
        sorted((v.name, v.kind.value, v.equation) for v in doc.variables.values()),
        sorted((name[k.source], name[k.target], k.polarity.value) for k in doc.links.values()),
        sorted(
            (name[f], str(name.get(doc.flow_ends(f)[0])), str(name.get(doc.flow_ends(f)[1])))
            for f in doc.variables
            if doc.variables[f].kind == Kind.FLOW
        ),
        sorted((lab.text, tuple(name[v] for v in lab.loop)) for lab in doc.loop_labels.values()),
    )


@pytest.fixture
def bathtub():
    doc = SystemMap(name="Bathtub", dimensions=(Dimension("Tap", size=2),))
    tub = doc.add_variable("Water in tub", kind=Kind.STOCK, equation="50", position=(200.0, 100.0))
    fill = doc.add_variable("Filling", kind=Kind.FLOW, equation="tap_setting", position=(100.0, 100.0))
    drain = doc.add_variable(
        "Draining", kind=Kind.FLOW, equation="water_in_tub / drain_time", position=(300.0, 100.0)
    )
    doc.add_variable("Tap setting", kind=Kind.AUX, equation="5", position=(100.0, 200.0))
    doc.add_variable("Drain time", kind=Kind.AUX, equation="10", position=(300.0, 200.0))
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    doc.attach_flow(drain.id, source=tub.id, sink=None)
    doc.add_link(tub.id, drain.id, polarity="+")
    doc.add_link(named(doc, "drain time").id, drain.id, polarity="-")
    return doc


# -- fragments -----------------------------------------------------------------------------------


def test_a_fragment_keeps_links_only_between_what_it_holds(bathtub):
    tub, drain, time = (named(bathtub, n).id for n in ("water in tub", "draining", "drain time"))
    clip = fragment(bathtub, [tub, drain])
    assert sorted(v.name for v in clip.variables.values()) == ["Draining", "Water in tub"]
    assert [(k.source, k.target) for k in clip.links.values()] == [(tub, drain)]
    # the stock keeps the flow that came along, the other ends in a cloud
    assert clip.variables[tub].outflows == (drain,) and clip.variables[tub].inflows == ()
    assert clip.flow_ends(drain) == (tub, None)
    assert clip.dimensions == bathtub.dimensions and clip.sim_specs == bathtub.sim_specs
    assert time not in clip


def test_a_fragment_drops_aliases_without_their_variable_and_trims_labels_and_groups():
    doc = SystemMap()
    a, b, c = (doc.add_variable(n).id for n in "ABC")
    for u, v in [(a, b), (b, c), (c, a)]:
        doc.add_link(u, v, polarity="+")
    ghost, kept = Alias(doc.new_id("a"), a), Alias(doc.new_id("a"), b)
    doc.apply(Insert(ghost))
    doc.apply(Insert(kept))
    from_ghost = doc.add_link(a, c, alias=ghost.id)
    label = ops.add_loop_label(doc, "R1", (0.0, 0.0), loop=(a, b, c))
    doc.apply(label)
    group = ops.add_group(doc, "Core", [a, b, c, label.element.id])
    doc.apply(group)
    clip = fragment(doc, [b, c, ghost.id, kept.id, label.element.id, group.element.id])
    assert ghost.id not in clip and kept.id in clip  # a ghost comes only with its variable
    assert from_ghost.id not in clip
    assert clip.loop_labels[label.element.id].loop == (b, c)
    assert clip.groups[group.element.id].members == (b, c, label.element.id)
    # a link from an alias left behind is drawn from its variable
    clip = fragment(doc, [a, c])
    assert clip.links[from_ghost.id].alias is None


def test_a_fragment_of_unknown_ids_is_refused(bathtub):
    with pytest.raises(ModelError, match="no element"):
        fragment(bathtub, ["nothing-here"])


# -- paste ---------------------------------------------------------------------------------------


def test_pasting_into_the_same_map_renames_and_rewrites_equations(bathtub):
    ids = [v.id for v in bathtub.variables.values()]
    clip = fragment(bathtub, ids)
    edit, new_ids = paste_edit(bathtub, clip)
    applied(bathtub, edit)
    assert edit.text == f"Paste {len(new_ids)} items"
    assert not set(new_ids) & set(ids)
    copy = named(bathtub, "Draining 2")
    assert copy.equation == "Water_in_tub_2 / Drain_time_2"
    assert named(bathtub, "Draining").equation == "water_in_tub / drain_time"  # original untouched
    stock = named(bathtub, "Water in tub 2")
    assert bathtub.flow_ends(copy.id) == (stock.id, None)
    assert stock.inflows == (named(bathtub, "Filling 2").id,)
    assert copy.position == (330.0, 130.0)
    links = [k for k in bathtub.links.values() if k.id in new_ids]
    assert {(bathtub.variables[k.source].name, k.polarity.value) for k in links} == {
        ("Water in tub 2", "+"),
        ("Drain time 2", "-"),
    }


def test_pasting_twice_gives_two_independent_copies(bathtub):
    clip = fragment(bathtub, list(bathtub.variables))
    first, ids1 = paste_edit(bathtub, clip)
    bathtub.apply(first)
    second, ids2 = paste_edit(bathtub, clip)
    applied(bathtub, second)
    assert not set(ids1) & set(ids2)
    assert named(bathtub, "Draining 3").equation == "Water_in_tub_3 / Drain_time_3"
    assert len(bathtub.variables) == 15
    # deleting one copy leaves the other whole
    bathtub.remove(*ids1)
    assert named(bathtub, "Draining 3").equation == "Water_in_tub_3 / Drain_time_3"
    assert bathtub.flow_ends(named(bathtub, "Draining 3").id)[0] == named(bathtub, "Water in tub 3").id


def test_renaming_does_not_chain_and_quoted_names_are_rewritten():
    doc = SystemMap()
    doc.add_variable("Cost")
    doc.add_variable("Cost 2")
    doc.add_variable("Total", equation='cost + cost_2 + "Cost (£)"')
    doc.add_variable("Cost (£)", equation="1")
    clip = fragment(doc, list(doc.variables))
    edit, _ = paste_edit(doc, clip)
    applied(doc, edit)
    # Cost -> Cost 3 (Cost 2 is taken), Cost 2 -> Cost 4; each reference follows its own variable
    assert named(doc, "Total 2").equation == 'Cost_3 + Cost_4 + "Cost (£) 2"'


def test_pasting_into_another_map_keeps_free_names_and_adds_definitions(bathtub):
    other = SystemMap(units=(UnitDefinition("litre"),))
    other.add_variable("Filling")
    bathtub.apply(ops.SetField("units", (), (UnitDefinition("Litre"), UnitDefinition("minute"))))
    clip = fragment(bathtub, [named(bathtub, "filling").id, named(bathtub, "tap setting").id])
    edit, new_ids = paste_edit(other, clip, at=(1000.0, 1000.0))
    applied(other, edit)
    assert sorted(v.name for v in other.variables.values()) == ["Filling", "Filling 2", "Tap setting"]
    assert named(other, "Filling 2").equation == "tap_setting"  # Tap setting kept its name
    assert [u.name for u in other.units] == ["litre", "minute"]  # litre already declared
    assert other.dimensions == bathtub.dimensions
    xs = [other.variables[i].position[0] for i in new_ids if i in other.variables]
    ys = [other.variables[i].position[1] for i in new_ids if i in other.variables]
    assert ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2) == (1000.0, 1000.0)


def test_paste_moves_bend_points_with_the_elements():
    doc = SystemMap()
    a, b = doc.add_variable("A"), doc.add_variable("B", position=(100.0, 0.0))
    doc.add_link(a.id, b.id, points=((50.0, 40.0),))
    edit, new_ids = paste_edit(doc, fragment(doc, [a.id, b.id]), offset=(10.0, -10.0))
    applied(doc, edit)
    (link,) = (doc.links[i] for i in new_ids if i in doc.links)
    assert link.points == ((60.0, 30.0),)


def test_pasting_nothing_is_refused():
    with pytest.raises(ModelError, match="nothing to paste"):
        paste_edit(SystemMap(), SystemMap())


def test_a_whole_example_pastes_into_an_empty_map_unchanged():
    doc = load(example_path("social_care_workload"))
    empty = SystemMap()
    edit, _ = paste_edit(empty, fragment(doc, [e.id for e in doc.elements()]), offset=(0.0, 0.0))
    applied(empty, edit)
    assert structure(empty) == structure(doc)
    positions = sorted(v.position for v in doc.variables.values())
    assert sorted(v.position for v in empty.variables.values()) == positions


# -- merge ---------------------------------------------------------------------------------------


def table(name, links, positions=None):
    """A CLD a workshop table drew: links as (cause, effect, polarity)."""
    doc = SystemMap(name=name)
    positions = positions or {}
    for cause, effect, polarity in links:
        for n in (cause, effect):
            if doc.variable_named(n) is None:
                doc.add_variable(n, position=positions.get(n, (0.0, 0.0)))
        doc.add_link(named(doc, cause).id, named(doc, effect).id, polarity=polarity)
    return doc


def test_merging_two_tables_maps_of_one_issue():
    one = table(
        "Table 1",
        [("Workload", "Sick leave", "+"), ("Sick leave", "Workload", "+"), ("Workload", "Quality", "-")],
        {"Workload": (100.0, 100.0), "Sick leave": (300.0, 100.0), "Quality": (100.0, 300.0)},
    )
    two = table(
        "Table 2",
        [
            ("workload", "sick_leave", "+"),  # the same link, spelled otherwise
            ("Workload", "Quality", "+"),  # the same link, the other polarity
            ("Quality", "Complaints", "+"),  # new
            ("Complaints", "Workload", "+"),  # new, closing a loop
        ],
        {
            "workload": (0.0, 0.0),
            "sick_leave": (200.0, 0.0),
            "Quality": (0.0, 200.0),
            "Complaints": (-200.0, 100.0),
        },
    )
    edit, new_ids, messages = merge_edit(one, two)
    applied(one, edit)
    assert edit.text == "Merge 3 items from 'Table 2'"
    assert sorted(v.name for v in one.variables.values()) == [
        "Complaints",
        "Quality",
        "Sick leave",
        "Workload",
    ]
    links = structure(one)[1]
    assert links == [
        ("Complaints", "Workload", "+"),
        ("Quality", "Complaints", "+"),
        ("Sick leave", "Workload", "+"),
        ("Workload", "Quality", "-"),  # this map's polarity stays
        ("Workload", "Sick leave", "+"),  # not twice
    ]
    conflict = next(k for k in one.links.values() if one.variables[k.target].name == "Quality")
    assert conflict.note == "Table 2 draws this link with polarity +"
    assert len(messages) == 1 and "'Workload' -> 'Quality'" in messages[0] and "Table 2" in messages[0]
    # the new variable keeps its place relative to the matched ones (Table 2 is offset by (100, 100))
    assert named(one, "Complaints").position == (-100.0, 200.0)
    assert set(new_ids) == {named(one, "Complaints").id} | {
        k.id
        for k in one.links.values()
        if "Complaints" in (one.variables[k.source].name, one.variables[k.target].name)
    }


def test_merging_without_matching_duplicates_under_new_names():
    one = table("One", [("A", "B", "+")])
    two = table("Two", [("A", "B", "-")])
    edit, new_ids, messages = merge_edit(one, two, match_names=False)
    applied(one, edit)
    assert sorted(v.name for v in one.variables.values()) == ["A", "A 2", "B", "B 2"]
    assert messages == [] and len(new_ids) == 3


def test_merge_reports_a_different_definition_and_keeps_ours():
    one, two = SystemMap(), SystemMap(name="Model B")
    one.add_variable("Rate", kind=Kind.AUX, equation="0.1")
    two.add_variable("Rate", kind=Kind.AUX, equation="0.2")
    two.add_variable("Level", kind=Kind.STOCK)
    edit, _, messages = merge_edit(one, two)
    applied(one, edit)
    assert named(one, "Rate").equation == "0.1"
    assert messages == ["'Rate' has another equation in Model B ('0.2'): kept this map's"]


def test_merging_stocks_and_flows_connects_new_flows_to_existing_stocks():
    one = SystemMap()
    people = one.add_variable("People", kind=Kind.STOCK, position=(0.0, 0.0))
    leaving = one.add_variable("Leaving", kind=Kind.FLOW)
    one.attach_flow(leaving.id, source=people.id, sink=None)
    two = SystemMap(name="B")
    p2 = two.add_variable("People", kind=Kind.STOCK)
    arriving = two.add_variable("Arriving", kind=Kind.FLOW)
    l2 = two.add_variable("Leaving", kind=Kind.FLOW)
    elsewhere = two.add_variable("Elsewhere", kind=Kind.STOCK)
    two.attach_flow(arriving.id, source=None, sink=p2.id)
    two.attach_flow(l2.id, source=elsewhere.id, sink=p2.id)  # Leaving already drains People here
    edit, _, messages = merge_edit(one, two)
    applied(one, edit)
    new_arriving = named(one, "Arriving")
    assert one.flow_ends(new_arriving.id) == (None, people.id)
    assert one.variables[people.id].inflows == (new_arriving.id,)
    # Leaving fills nothing here, so it can fill People... but it drains People already: a
    # flow cannot fill the stock it drains, and Elsewhere cannot take a flow that has a source
    assert one.flow_ends(leaving.id)[0] == people.id
    assert any("Leaving" in m for m in messages)


def test_merge_does_not_label_a_loop_twice():
    one = table("One", [("A", "B", "+"), ("B", "A", "+")])
    two = table("Two", [("A", "B", "+"), ("B", "A", "+")])
    for doc in (one, two):
        a, b = named(doc, "A").id, named(doc, "B").id
        doc.apply(ops.add_loop_label(doc, "R1", (0.0, 0.0), loop=(b, a) if doc is two else (a, b)))
    edit, new_ids, _ = merge_edit(one, two)
    applied(one, edit)
    assert len(one.loop_labels) == 1 and new_ids == []


def test_merging_an_empty_map_is_refused():
    with pytest.raises(ModelError, match="nothing to merge"):
        merge_edit(SystemMap(), SystemMap(name="Empty"))


def test_an_unmatched_map_goes_beside_this_one():
    one = table("One", [("A", "B", "+")], {"A": (0.0, 0.0), "B": (300.0, 0.0)})
    two = table("Two", [("C", "D", "+")], {"C": (0.0, 50.0), "D": (100.0, 50.0)})
    edit, _, _ = merge_edit(one, two)
    applied(one, edit)
    assert named(one, "C").position[0] > 300.0 + 100
    assert named(one, "C").position[1] == 0.0
    assert structure(one)[1] == [("A", "B", "+"), ("C", "D", "+")]
    assert all(k.polarity == Polarity.POSITIVE for k in one.links.values())


def test_parallel_links_are_pasted_as_drawn():
    doc = SystemMap()
    a, b = doc.add_variable("A"), doc.add_variable("B")
    doc.add_link(a.id, b.id, polarity="+")
    doc.add_link(a.id, b.id, polarity="-", delay=True)
    edit, new_ids = paste_edit(doc, fragment(doc, [a.id, b.id]))
    applied(doc, edit)
    copies = [doc.links[i] for i in new_ids if i in doc.links]
    assert [(k.polarity.value, k.delay) for k in copies] == [("+", False), ("-", True)]


def test_two_halves_of_an_example_merge_back_into_the_whole():
    doc = load(example_path("social_care_workload"))
    ids = list(doc.variables)
    first = fragment(doc, ids[:8] + list(doc.loop_labels))
    second = fragment(doc, ids[5:])  # three variables in both halves
    edit, _, messages = merge_edit(first, second)
    applied(first, edit)
    assert messages == []
    assert structure(first)[0] == structure(doc)[0]
    halves = (set(ids[:8]), set(ids[5:]))
    name = {vid: var.name for vid, var in doc.variables.items()}
    drawn = sorted(
        (name[k.source], name[k.target], k.polarity.value)
        for k in doc.links.values()
        if any({k.source, k.target} <= half for half in halves)
    )
    assert structure(first)[1] == drawn  # the links within either half, none twice
    # matched variables stayed where they were, so the rest came back to its own place too
    assert sorted(v.position for v in first.variables.values()) == sorted(
        v.position for v in doc.variables.values()
    )
