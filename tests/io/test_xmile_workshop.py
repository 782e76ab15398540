"""Perspectives, the saved presentation and dot votes survive saving and reading XMILE."""

from __future__ import annotations

import pytest

from sysmap.errors import ModelError
from sysmap.io.xmile import dumps, parse
from sysmap.model import SystemMap
from sysmap.model import workshop as ws
from sysmap.model.edits import Insert
from sysmap.model.elements import LoopLabel, Note


def workshop_map() -> SystemMap:
    doc = SystemMap(name="care")
    work = doc.add_variable("Workload", tags=("Public services",))
    sick = doc.add_variable("Sick leave", tags=("Public services", "Residents and service users"))
    staff = doc.add_variable("Staff available")
    k1 = doc.add_link(work.id, sick.id, polarity="+", tags=("Table 2",))
    k2 = doc.add_link(sick.id, staff.id, polarity="-")
    k3 = doc.add_link(staff.id, work.id, polarity="-")
    k4 = doc.add_link(staff.id, work.id, polarity="+")  # a parallel link
    doc.apply(Insert(LoopLabel(id="r1", text="R1", loop=(work.id, sick.id, staff.id))))
    doc.apply(Insert(Note(id="n1", text="Agency staff?")))
    doc.apply(ws.set_perspectives(doc, (*ws.STANDARD_PERSPECTIVES, ws.Perspective("Table 2"))))
    slides = [
        ws.Slide("variable", (work.id,)),
        ws.Slide("link", (k1.id,), caption="Work makes people ill"),
        ws.Slide("loop", (work.id, sick.id, staff.id, k1.id, k2.id, k3.id, "r1"), notes="Ask table 3"),
        ws.Slide("link", (k4.id,)),
        ws.Slide("map", ("n1",)),
    ]
    doc.apply(ws.set_presentation(doc, slides))
    doc.apply(ws.set_votes(doc, {staff.id: 2, work.id: 5}))
    return doc


def described(doc: SystemMap, eid: str) -> tuple:
    element = doc.element(eid)
    if isinstance(element, LoopLabel | Note):
        return (type(element).__name__, element.text)
    if eid in doc.links:
        return ("link", doc.variables[element.source].name, doc.variables[element.target].name)
    return ("var", element.name)


def steps_of(doc: SystemMap) -> list[tuple]:
    return [(s.kind, tuple(described(doc, i) for i in s.items), s.caption, s.notes) for s in doc.presentation]


def round_trip(doc: SystemMap) -> tuple[SystemMap, list[str]]:
    return parse(dumps(doc), "saved.xmile")


def test_workshop_additions_round_trip_by_name():
    doc = workshop_map()
    again, warnings = round_trip(doc)
    assert warnings == []
    assert again.perspectives == doc.perspectives
    # ids are renumbered: compare what each step shows
    assert steps_of(again) == steps_of(doc)
    assert steps_of(doc)[1] == ("link", (("link", "Workload", "Sick leave"),), "Work makes people ill", "")
    assert ws.votes_of(again) == {"v1": 5, "v3": 2}
    assert dumps(again) == dumps(doc)


def test_a_map_without_a_workshop_writes_none():
    doc = SystemMap()
    doc.add_variable("A")
    assert b"workshop" not in dumps(doc)


def test_steps_leave_out_deleted_elements():
    doc = workshop_map()
    doc.remove(doc.variable_named("Sick leave").id)
    again, warnings = round_trip(doc)
    assert warnings == []
    kinds = [s.kind for s in again.presentation]
    assert kinds == ["variable", "loop", "link", "map"]  # the link step lost its only link
    assert [s.kind for s in ws.live_slides(doc)] == kinds


HOSTILE = b"""<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
    xmlns:sysmap="urn:sysmap:xmile:1" version="1.0">
 <header><name>x</name></header>
 <model><variables><aux name="A"><eqn>1</eqn></aux></variables>
  <sysmap:workshop>
   <sysmap:perspective name="P" color="red">d</sysmap:perspective>
   <sysmap:perspective name="p"/>
   <sysmap:perspective/>
   <sysmap:step kind="slide"><sysmap:var>A</sysmap:var></sysmap:step>
   <sysmap:step kind="variable"><sysmap:var>Nobody</sysmap:var><sysmap:var>A</sysmap:var>
     <sysmap:loop_label index="99"/><sysmap:link from="A" to="A" n="x"/></sysmap:step>
   <sysmap:vote dots="many">A</sysmap:vote>
   <sysmap:vote dots="3">Nobody</sysmap:vote>
   <sysmap:vote dots="2">A</sysmap:vote>
   <sysmap:surprise/>
  </sysmap:workshop>
 </model></xmile>"""


def test_a_broken_workshop_is_read_in_part_with_warnings_naming_lines():
    doc, warnings = parse(HOSTILE, "hostile.xmile")
    assert [p.name for p in doc.perspectives] == ["P"]
    assert doc.perspectives[0].color == ""
    assert [(s.kind, s.items) for s in doc.presentation] == [("variable", ("v1",))]
    assert ws.votes_of(doc) == {"v1": 2}
    assert len(warnings) == 10
    assert all(w.startswith("hostile.xmile:") for w in warnings)


def test_perspective_edits_check_their_input_and_undo():
    doc = workshop_map()
    with pytest.raises(ModelError, match="two perspectives"):
        ws.set_perspectives(doc, [ws.Perspective("A"), ws.Perspective("a")])
    with pytest.raises(ModelError, match="colour"):
        ws.set_perspectives(doc, [ws.Perspective("A", "blue")])
    before = doc.copy()
    edit = ws.rename_perspective(doc, "Public services", ws.Perspective("Council", "#123456"))
    doc.apply(edit)
    assert ws.members(doc, "Council") == {"v1", "v2"}
    assert ws.members(doc, "Public services") == set()
    doc.revert(edit)
    assert doc == before


def test_unique_to_is_what_one_perspective_alone_sees():
    doc = workshop_map()
    unique = ws.unique_to(doc)
    assert unique["Public services"] == {"v1"}
    assert unique["Table 2"] == {doc.links_from("v1")[0].id}
    assert unique["Residents and service users"] == set()


def test_votes_add_up_and_refuse_strangers():
    doc = workshop_map()
    doc.apply(ws.add_votes(doc, ["v3"], 1))
    doc.apply(ws.add_votes(doc, ["v1"], -9))
    assert ws.votes_of(doc) == {"v3": 3}
    with pytest.raises(ModelError):
        ws.set_votes(doc, {"nobody": 1})
