"""Comparing two maps: each kind of change gives its line, identical maps give none."""

from sysmap.model import Kind, SimSpecs, SystemMap
from sysmap.model import operations as ops
from sysmap.model.diff import FieldChange, Removed, changed_ids, diff_maps


def staffing(**specs) -> SystemMap:
    doc = SystemMap(name="Staffing", sim_specs=SimSpecs(**specs))
    work = doc.add_variable("Workload", equation="cases / staff", units="cases/person")
    over = doc.add_variable("Overtime", kind=Kind.AUX, equation="workload * 2")
    sick = doc.add_variable("Sick leave", documentation="days off sick")
    doc.add_variable("Caseload", kind=Kind.AUX, equation="a + b")
    doc.add_link(work.id, over.id, polarity="+")
    doc.add_link(work.id, sick.id, polarity="+")
    doc.apply(ops.add_loop_label(doc, "R1", (0.0, 0.0)))
    doc.apply(ops.add_note(doc, "burnout spiral", (10.0, 10.0)))
    return doc


def test_identical_maps_have_no_differences():
    found = diff_maps(staffing(), staffing())
    assert not found
    assert found.lines() == []
    assert found.to_dict()["equal"] is True


def test_ids_positions_and_whitespace_in_equations_are_not_differences():
    old = staffing()
    new = SystemMap(name="Staffing")
    # same content, built in another order (other ids), placed elsewhere, equations spaced otherwise
    new.add_variable("Caseload", kind=Kind.AUX, equation="a  +\n b", position=(300.0, 40.0))
    sick = new.add_variable("sick_leave", documentation="days off  sick")
    over = new.add_variable("Overtime", kind=Kind.AUX, equation="workload*2".replace("*", " * "))
    work = new.add_variable("Workload", equation="cases / staff", units="cases/person")
    new.add_link(work.id, sick.id, polarity="+", curvature=0.3)
    new.add_link(work.id, over.id, polarity="+")
    new.apply(ops.add_note(new, "burnout spiral", (0.0, 0.0)))
    new.apply(ops.add_loop_label(new, "R1", (50.0, 50.0)))
    assert diff_maps(old, new).lines() == ["~ variable 'Sick leave': name 'Sick leave' → 'sick leave'"]


def test_added_and_removed_variables_and_links():
    old, new = staffing(), staffing()
    new.add_variable("Staff morale")
    overtime = new.variable_named("Overtime")
    new.remove(*[link.id for link in new.links_to(overtime.id)])
    found = diff_maps(old, new)
    assert found.added_variables == ["Staff morale"]
    assert found.removed_links == [("Workload", "Overtime")]
    assert found.lines() == ["+ variable 'Staff morale'", "- link Workload → Overtime"]
    assert diff_maps(new, old).lines() == ["- variable 'Staff morale'", "+ link Workload → Overtime"]


def test_removing_a_variable_removes_its_links():
    old, new = staffing(), staffing()
    sick = new.variable_named("Sick leave")
    new.remove(*[link.id for link in new.links_to(sick.id)], sick.id)
    assert diff_maps(old, new).lines() == ["- variable 'Sick leave'", "- link Workload → Sick leave"]


def test_changed_variable_fields():
    old, new = staffing(), staffing()
    case = new.variable_named("Caseload")
    new.apply(ops.update(new, case.id, equation="a + 2 * b", kind=Kind.STOCK))
    sick = new.variable_named("Sick leave")
    new.apply(ops.update(new, sick.id, units="days", documentation="days taken off sick"))
    lines = diff_maps(old, new).lines()
    assert lines == [  # in the old map's order
        "~ variable 'Sick leave': units '' → 'days'",
        "~ variable 'Sick leave': documentation 'days off sick' → 'days taken off sick'",
        "~ variable 'Caseload': kind aux → stock",
        "~ variable 'Caseload': equation 'a + b' → 'a + 2 * b'",
    ]
    change = diff_maps(old, new).changed_variables[3]
    assert change == FieldChange("Caseload", "equation", "a + b", "a + 2 * b")


def test_changed_link_polarity_and_delay():
    old, new = staffing(), staffing()
    work, sick = new.variable_named("Workload"), new.variable_named("Sick leave")
    (link,) = [link for link in new.links_from(work.id) if link.target == sick.id]
    new.apply(ops.update(new, link.id, polarity="-", delay=True))
    assert diff_maps(old, new).lines() == [
        "~ link Workload → Sick leave: polarity + → −",
        "~ link Workload → Sick leave: delay no → yes",
    ]


def test_loop_labels_notes_and_sim_specs():
    old, new = staffing(), staffing(dt=0.5, method="rk4", time_units="weeks")
    new.remove(*new.loop_labels)
    new.apply(ops.add_loop_label(new, "B1", (0.0, 0.0)))
    new.apply(ops.add_note(new, "a second burnout spiral note", (0.0, 0.0)))
    new.apply(ops.add_note(new, "burnout spiral", (0.0, 0.0)))  # the same text twice is one more note
    assert diff_maps(old, new).lines() == [
        "+ loop label 'B1'",
        "- loop label 'R1'",
        "+ note 'burnout spiral'",
        "+ note 'a second burnout spiral note'",
        "~ sim specs: dt 1 → 0.5",
        "~ sim specs: method euler → rk4",
        "~ sim specs: time units none → weeks",
    ]


def test_long_notes_are_cut_in_lines_but_kept_whole_in_data():
    old, new = staffing(), staffing()
    text = "word " * 40
    new.apply(ops.add_note(new, text, (0.0, 0.0)))
    found = diff_maps(old, new)
    (line,) = found.lines()
    assert line.startswith("+ note 'word word") and line.endswith("…'") and len(line) < 80
    assert found.to_dict()["notes"]["added"] == [text]


# -- workshop data and the canvas's view of a diff ---------------------------------------------


def test_workshop_changes_are_reported_only_when_present():
    from sysmap.model.workshop import Perspective, Slide, set_perspectives, set_presentation, set_votes

    old, new = staffing(), staffing()
    assert "workshop" not in diff_maps(old, new).to_dict()
    old.apply(set_perspectives(old, [Perspective("Residents"), Perspective("Police")]))
    new.apply(set_perspectives(new, [Perspective("residents "), Perspective("Schools", "#2ca02c")]))
    work, over = new.variable_named("Workload"), new.variable_named("Overtime")
    old.apply(set_votes(old, {old.variable_named("Workload").id: 2, old.variable_named("Overtime").id: 1}))
    new.apply(set_votes(new, {work.id: 5, over.id: 1}))
    new.apply(set_presentation(new, [Slide("variable", (work.id,), caption="Start here")]))
    found = diff_maps(old, new)
    assert found.lines() == [
        "+ perspective 'Schools'",
        "- perspective 'Police'",
        "~ votes 'Workload': dots 2 → 5",
        "~ presentation changed",
    ]
    assert found.to_dict()["workshop"] == {
        "perspectives": {"added": ["Schools"], "removed": ["Police"]},
        "votes": [{"subject": "Workload", "field": "dots", "old": "2", "new": "5"}],
        "presentation_changed": True,
    }
    assert found.to_dict()["equal"] is False
    assert [e.group for e in found.entries()] == ["workshop"] * 4
    assert found.entries()[2].ids == (work.id,)


def test_the_same_presentation_in_another_map_is_no_change():
    from sysmap.model.workshop import Slide, set_presentation

    old, new = staffing(), staffing()
    for doc in (old, new):
        work = doc.variable_named("Workload")
        (link, *_) = doc.links_from(work.id)
        doc.apply(set_presentation(doc, [Slide("variable", (work.id,)), Slide("link", (link.id,))]))
    new.remove(new.variable_named("Caseload").id)  # other ids, same steps
    assert diff_maps(old, new).lines() == ["- variable 'Caseload'"]
    work = new.variable_named("Workload")
    new.apply(set_presentation(new, [Slide("variable", (work.id,), notes="ask the room")]))
    assert diff_maps(old, new).lines()[-1] == "~ presentation changed"


def test_changed_ids_of_a_flipped_link_an_edited_equation_and_what_was_added():
    old, new = staffing(), staffing()
    work, sick = new.variable_named("Workload"), new.variable_named("Sick leave")
    (link,) = [k for k in new.links_from(work.id) if k.target == sick.id]
    new.apply(ops.update(new, link.id, polarity="-"))
    case = new.variable_named("Caseload")
    new.apply(ops.update(new, case.id, equation="a + 2 * b", units="cases"))
    morale = new.add_variable("Staff morale")
    cheer = new.add_link(morale.id, work.id, polarity="-")
    assert changed_ids(old, new) == {
        morale.id: "added",
        case.id: "changed",
        cheer.id: "added",
        link.id: "changed",
    }
    assert changed_ids(new, new) == {}


def test_entries_tie_lines_to_new_ids_and_describe_what_was_removed():
    old, new = staffing(), staffing()
    over = new.variable_named("Overtime")
    new.remove(*[k.id for k in new.links_to(over.id)], over.id)
    new.apply(ops.add_note(new, "a new note", (0.0, 0.0)))
    found = diff_maps(old, new)
    entries = found.entries()
    assert [e.text for e in entries] == found.lines()
    by_text = {e.text: e for e in entries}
    gone = by_text["- variable 'Overtime'"]
    assert gone.group == "removed" and gone.ids == ()
    assert gone.removed == Removed("variable", "Overtime", old.variable_named("Overtime").position)
    link = by_text["- link Workload → Overtime"].removed
    assert link.kind == "link" and link.name == "Workload → Overtime"
    # the link's end still on the map is drawn where it is now
    assert link.ends[0] == new.variable_named("Workload").position
    note = by_text["+ note 'a new note'"]
    (added_note,) = [n for n in new.notes.values() if n.text == "a new note"]
    assert note.group == "added" and note.ids == (added_note.id,)
