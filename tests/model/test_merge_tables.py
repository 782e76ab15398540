"""Merging what several workshop tables drew: one undo step, provenance tags and a
perspective per table, confirmed near-synonyms, and polarity conflicts reported as data."""

import pytest
from edit_checks import applied

from sysmap.errors import ModelError
from sysmap.model import SystemMap
from sysmap.model.clipboard import Conflict, merge_edit, merge_tables
from sysmap.model.workshop import Perspective, members, set_perspectives


def table(name, links):
    """A CLD a workshop table drew: links as (cause, effect, polarity)."""
    doc = SystemMap(name=name)
    for cause, effect, polarity in links:
        ids = [(doc.variable_named(n) or doc.add_variable(n)).id for n in (cause, effect)]
        doc.add_link(*ids, polarity=polarity)
    return doc


def link_between(doc, cause, effect):
    c, e = doc.variable_named(cause).id, doc.variable_named(effect).id
    (link,) = [k for k in doc.links_from(c) if k.target == e]
    return link


def drawn(doc):
    name = {vid: v.name for vid, v in doc.variables.items()}
    return sorted((name[k.source], name[k.target], k.polarity.value) for k in doc.links.values())


def test_two_tables_with_a_polarity_conflict():
    doc = table("Council", [("Workload", "Sick leave", "+")])
    two = table("t2", [("workload", "sick leave", "-"), ("Sick leave", "Workload", "+")])
    three = table("t3", [("Workload", "Quality", "-")])
    before = doc.copy()
    result = merge_tables(doc, [("Table 2", two), ("Table 3", three)])
    applied(doc, result.edit)  # undo restores the map exactly, redo repeats it
    assert result.edit.text == "Merge 2 tables' maps (3 items)"
    assert drawn(doc) == [
        ("Sick leave", "Workload", "+"),
        ("Workload", "Quality", "-"),
        ("Workload", "Sick leave", "+"),  # ours kept
    ]
    kept = link_between(doc, "Workload", "Sick leave")
    assert result.conflicts == [Conflict("Workload", "Sick leave", "+", "-", "Table 2", kept.id, "")]
    assert str(result.conflicts[0]) == "Workload → Sick leave: + here, − at Table 2"
    assert kept.note == "Table 2 draws this link with polarity -"
    assert result.messages == []  # the conflict is in result.conflicts, not twice
    # provenance: each table tags what it drew, including what was there already
    assert kept.tags == ("Table 2",)
    assert doc.variable_named("Workload").tags == ("Table 2", "Table 3")
    assert doc.variable_named("Quality").tags == ("Table 3",)
    assert link_between(doc, "Sick leave", "Workload").tags == ("Table 2",)
    assert [p.name for p in doc.perspectives] == ["Table 2", "Table 3"]
    assert members(doc, "Table 3") == {
        doc.variable_named("Workload").id,
        doc.variable_named("Quality").id,
        link_between(doc, "Workload", "Quality").id,
    }
    doc.revert(result.edit)
    assert doc == before


def test_a_conflict_between_two_incoming_tables_keeps_the_first():
    doc = SystemMap()
    one = table("a", [("Demand", "Waiting times", "+")])
    two = table("b", [("Demand", "Waiting times", "-")])
    three = table("c", [("Demand", "Waiting times", "?")])
    result = merge_tables(doc, [("Table 1", one), ("Table 2", two), ("Table 3", three)])
    applied(doc, result.edit)
    assert drawn(doc) == [("Demand", "Waiting times", "+")]
    assert [str(c) for c in result.conflicts] == [
        "Demand → Waiting times: + at Table 1, − at Table 2",
        "Demand → Waiting times: + at Table 1, ? at Table 3",
    ]
    assert all(c.first == "Table 1" for c in result.conflicts)
    edit, _, messages = merge_edit(doc, table("d", [("Demand", "Waiting times", "-")]))
    assert messages == [
        "link 'Demand' -> 'Waiting times': polarity + here, - in d; kept this map's, with a note"
    ]
    assert link_between(doc, "Demand", "Waiting times").tags == ("Table 1", "Table 2", "Table 3")


def test_three_maps_with_a_confirmed_and_an_unconfirmed_near_synonym():
    doc = table("Base", [("Staff sickness", "Workload", "+")])
    one = table("1", [("staff sick", "Agency spend", "+")])  # confirmed: is "Staff sickness"
    two = table("2", [("Waiting times", "Complaints", "+")])
    three = table("3", [("time waiting", "Complaints", "+"), ("Staff sick", "Morale", "-")])
    sick = one.variable_named("staff sick").id
    result = merge_tables(
        doc,
        [("Table 1", one), ("Table 2", two), ("Table 3", three)],
        synonyms={"Table 1": {sick: "Staff sickness"}},
    )
    applied(doc, result.edit)
    names = sorted(v.name for v in doc.variables.values())
    # "time waiting" was not confirmed: it stays a variable of its own
    assert names == [
        "Agency spend",
        "Complaints",
        "Morale",
        "Staff sickness",
        "Waiting times",
        "Workload",
        "time waiting",
    ]
    # Table 3's "Staff sick" follows Table 1's confirmed synonym to "Staff sickness"
    assert ("Staff sickness", "Morale", "-") in drawn(doc)
    assert doc.variable_named("Staff sickness").tags == ("Table 1", "Table 3")
    assert ("Table 1", "staff sick", doc.variable_named("Staff sickness").id) in result.matched


def test_a_synonym_may_name_a_variable_an_earlier_table_brought():
    one = table("1", [("Waiting times", "Complaints", "+")])
    two = table("2", [("time waiting", "Complaints", "+")])
    theirs = two.variable_named("time waiting").id
    doc = SystemMap()
    result = merge_tables(doc, [("T1", one), ("T2", two)], synonyms={"T2": {theirs: "waiting_times"}})
    applied(doc, result.edit)
    assert drawn(doc) == [("Waiting times", "Complaints", "+")]
    assert link_between(doc, "Waiting times", "Complaints").tags == ("T1", "T2")


def test_without_provenance_nothing_is_tagged_and_no_perspective_added():
    doc = table("Base", [("A", "B", "+")])
    result = merge_tables(doc, [("T2", table("x", [("A", "B", "-"), ("B", "C", "+")]))], provenance=False)
    applied(doc, result.edit)
    assert doc.perspectives == ()
    assert all(not e.tags for e in (*doc.variables.values(), *doc.links.values()))
    assert len(result.conflicts) == 1


def test_an_existing_perspective_of_a_tables_name_is_kept():
    doc = table("Base", [("A", "B", "+")])
    doc.apply(set_perspectives(doc, [Perspective("Table 2", "#123456")]))
    result = merge_tables(doc, [("table 2", table("x", [("A", "C", "+")]))])
    applied(doc, result.edit)
    assert doc.perspectives == (Perspective("Table 2", "#123456"),)
    assert members(doc, "Table 2") == {doc.variable_named(n).id for n in "AC"} | {
        link_between(doc, "A", "C").id
    }


def test_bad_requests_are_refused_with_a_message():
    doc = table("Base", [("A", "B", "+")])
    other = table("x", [("A", "C", "+")])
    with pytest.raises(ModelError, match="two tables are named"):
        merge_tables(doc, [("T", other), ("t", other)])
    with pytest.raises(ModelError, match="nothing to merge"):
        merge_tables(doc, [("T", SystemMap())])
    with pytest.raises(ModelError, match="no variable 'Nothing' for T's 'C'"):
        merge_tables(doc, [("T", other)], synonyms={"T": {other.variable_named("C").id: "Nothing"}})
    with pytest.raises(ModelError, match="not one of the tables"):
        merge_tables(doc, [("T", other)], synonyms={"U": {}})
    with pytest.raises(ModelError, match="at least one"):
        merge_tables(doc, [])


def test_merge_edit_takes_synonyms_and_provenance():
    doc = table("Base", [("Staff sickness", "Workload", "+")])
    other = table("Table 2", [("staff sick", "Workload", "-"), ("Workload", "Overtime", "+")])
    sick = other.variable_named("staff sick").id
    edit, new_ids, messages = merge_edit(
        doc, other, synonyms={sick: doc.variable_named("Staff sickness").id}, provenance="Table 2"
    )
    applied(doc, edit)
    assert edit.text == "Merge 2 items from 'Table 2'"
    assert sorted(v.name for v in doc.variables.values()) == ["Overtime", "Staff sickness", "Workload"]
    assert messages == [
        "link 'Staff sickness' -> 'Workload': polarity + here, - in Table 2; kept this map's, with a note"
    ]
    assert [p.name for p in doc.perspectives] == ["Table 2"]
    assert len(members(doc, "Table 2")) == 5 and set(new_ids) <= members(doc, "Table 2")
    with pytest.raises(ModelError, match="no variable"):
        merge_edit(doc, other, synonyms={sick: "v999"})


def test_a_link_between_two_names_for_one_variable_is_not_added():
    doc = SystemMap()
    doc.add_variable("Staff sickness")
    other = table("x", [("Staff sick", "staff sickness", "+"), ("Staff sick", "Overtime", "+")])
    sick = other.variable_named("Staff sick").id
    result = merge_tables(doc, [("T", other)], synonyms={"T": {sick: "Staff sickness"}})
    applied(doc, result.edit)
    assert drawn(doc) == [("Staff sickness", "Overtime", "+")]
    assert result.messages == [
        "link 'Staff sick' -> 'staff sickness' in T joins one variable to itself once they are the same: "
        "not added"
    ]


def test_the_base_maps_table_is_tagged_when_named():
    doc = table("Council", [("Workload", "Sick leave", "+")])
    two = table("t2", [("workload", "Morale", "-")])
    result = merge_tables(doc, [("Table 2", two)], base="Table 1")
    applied(doc, result.edit)
    assert [p.name for p in doc.perspectives] == ["Table 1", "Table 2"]
    workload, sick = doc.variable_named("Workload").id, doc.variable_named("Sick leave").id
    first_link = link_between(doc, "Workload", "Sick leave").id
    assert members(doc, "Table 1") == {workload, sick, first_link}
    assert workload in members(doc, "Table 2") and sick not in members(doc, "Table 2")
    with pytest.raises(ModelError, match="two tables are named"):
        merge_tables(doc, [("Table 2", two)], base="table 2")
    untagged = table("Council", [("Workload", "Sick leave", "+")])
    result = merge_tables(untagged, [("Table 2", two)], base="Table 1", provenance=False)
    untagged.apply(result.edit)
    assert not untagged.perspectives and not untagged.variable_named("Sick leave").tags
