"""Undo and redo: any sequence of edits, reverted in reverse, gives back the document it started
from, and re-applied gives the same document again."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sysmap.errors import ModelError
from sysmap.model import Kind, Link, SystemMap
from sysmap.model import operations as ops
from sysmap.model.edits import Compound, Insert
from sysmap.model.names import canonical_name, equation_form

#: Edit texts of the requests that operations accept but that fail when applied.
MAY_FAIL = {"Change group", "Broken"}

#: Names that collide with each other in several spellings, and some that need quotes.
NAMES = [
    "Population",
    "population",
    "POPULATION",
    "Birth rate",
    "birth_rate",
    "Births",
    "Deaths",
    "Tub",
    "Water\\nlevel",
    "water level",
    "if",
    "cost (£)",
    "Größe",
    "x",
    "X",
    "y",
    " ",
]

KINDS = [Kind.CONCEPT, Kind.STOCK, Kind.FLOW, Kind.AUX]
positions = st.tuples(st.integers(-500, 500).map(float), st.integers(-500, 500).map(float))


def pick(data, seq):
    seq = list(seq)
    return data.draw(st.sampled_from(seq)) if seq else None


def some(data, seq, max_size=4):
    seq = list(seq)
    if not seq:
        return []
    return data.draw(st.lists(st.sampled_from(seq), max_size=max_size, unique=True))


def equation(data, doc):
    """Equation text naming some of the variables, in assorted spellings, with a comment."""
    names = some(data, [v.name for v in doc.variables.values()], 3)
    spelled = [pick(data, [equation_form(n), equation_form(n).upper(), f'"{n}"']) for n in names]
    tail = pick(data, ["", " {a comment}", " + 1e-3", " * unknown_thing", " + TIME"])
    return (" + ".join(spelled) or "1") + tail


def a_name(data):
    return data.draw(st.one_of(st.sampled_from(NAMES), st.text(max_size=6)))


def build_edit(data, doc):
    """One random edit request; raises ModelError when the request is refused.

    An edit that operations build must apply, except those whose text is in MAY_FAIL.
    """
    variables = list(doc.variables.values())
    var_ids = [v.id for v in variables]
    stocks = [v.id for v in variables if v.kind == Kind.STOCK]
    flows = [v.id for v in variables if v.kind == Kind.FLOW]
    all_ids = [e.id for e in doc.elements()]
    op = data.draw(
        st.sampled_from(
            [
                "add_variable",
                "add_variable",
                "add_variable",
                "add_link",
                "add_link",
                "attach_flow",
                "attach_flow",
                "rename",
                "update_variable",
                "update_link",
                "update_other",
                "move",
                "remove",
                "add_label",
                "add_note",
                "add_group",
                "sim_specs",
                "document",
                "failing_compound",
            ]
        )
    )
    if op == "add_variable":
        kind = pick(data, KINDS)
        fields = {"position": data.draw(positions)}
        if kind != Kind.CONCEPT:
            fields["equation"] = equation(data, doc)
        if data.draw(st.booleans()):
            fields["units"] = pick(data, ["people", "l/min", ""])
        if kind == Kind.STOCK:
            fields["non_negative"] = data.draw(st.booleans())
        return ops.add_variable(doc, a_name(data), kind, **fields)
    if op == "add_link":
        return ops.add_link(
            doc,
            pick(data, var_ids) or "missing",
            pick(data, var_ids) or "missing",
            pick(data, ["+", "-", "?", ""]),
            delay=data.draw(st.booleans()),
            curvature=pick(data, [0.0, 0.3, -0.5]),
        )
    if op == "attach_flow":
        ends = [None, None, *stocks, *stocks, *some(data, var_ids, 1)]  # now and then a non-stock
        return ops.attach_flow(
            doc,
            pick(data, flows * 3 + some(data, var_ids, 1)) or "missing",
            source=pick(data, ends),
            sink=pick(data, ends),
        )
    if op == "rename":
        return ops.rename_variable(doc, pick(data, var_ids) or "missing", a_name(data))
    if op == "update_variable":
        vid = pick(data, var_ids) or "missing"
        changes = data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "name": st.sampled_from(NAMES),
                    "kind": st.sampled_from(KINDS),
                    "units": st.sampled_from(["", "people/year"]),
                    "documentation": st.text(max_size=5),
                    "tags": st.sampled_from([(), ("core",), ("core", "x")]),
                    "size": st.sampled_from([None, (40.0, 20.0)]),
                    "points": st.sampled_from([(), ((0.0, 0.0), (10.0, 5.0))]),
                },
            )
        )
        if data.draw(st.booleans()):
            changes["equation"] = equation(data, doc)
        return ops.update(doc, vid, **changes)
    if op == "update_link":
        lid = pick(data, doc.links) or "missing"
        changes = data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "polarity": st.sampled_from(["+", "-"]),
                    "delay": st.booleans(),
                    "note": st.text(max_size=3),
                    "source": st.sampled_from(var_ids or ["missing"]),
                    "target": st.sampled_from(var_ids or ["missing"]),
                },
            )
        )
        return ops.update(doc, lid, **changes)
    if op == "update_other":
        eid = pick(data, [*doc.loop_labels, *doc.notes, *doc.groups]) or "missing"
        element = doc.element(eid)
        if eid in doc.loop_labels:
            changes = {
                "direction": pick(data, ["clockwise", "anticlockwise"]),
                "loop": tuple(some(data, var_ids)),
            }
        elif eid in doc.notes:
            changes = {"text": data.draw(st.text(max_size=5)), "size": pick(data, [None, (5.0, 5.0)])}
        else:  # a group; its members may name missing ids, which fails only when applied
            changes = {"members": tuple(some(data, [*all_ids, "missing"])), "name": element.name + "'"}
        return ops.update(doc, eid, **changes)
    if op == "move":
        movable = [e.id for e in doc.elements() if not isinstance(e, Link)]
        return ops.move(doc, {eid: data.draw(positions) for eid in some(data, movable)})
    if op == "remove":
        return ops.remove(doc, some(data, all_ids, 5))
    if op == "add_label":
        loop = tuple(some(data, var_ids))
        return ops.add_loop_label(
            doc,
            pick(data, ["R1", "B2"]),
            data.draw(positions),
            loop=loop,
            direction=pick(data, ["clockwise", "anticlockwise"]),
        )
    if op == "add_note":
        return ops.add_note(doc, data.draw(st.text(max_size=8)), data.draw(positions))
    if op == "add_group":
        return ops.add_group(
            doc, pick(data, ["Sector A", "Sector B"]), some(data, all_ids), size=(100.0, 80.0)
        )
    if op == "sim_specs":
        return ops.set_sim_specs(
            doc,
            start=pick(data, [0.0, 5.0]),
            stop=pick(data, [0.0, 50.0, 100.0]),
            dt=pick(data, [0.25, 1.0, 0.0]),
            method=pick(data, ["euler", "rk4"]),
        )
    if op == "document":
        return pick(data, [ops.set_name, ops.set_documentation])(doc, data.draw(st.text(max_size=5)))
    # A compound whose second part fails when applied: the first part must be rolled back.
    first = ops.add_note(doc, "doomed", (0.0, 0.0))
    return Compound([first, Insert(Link(doc.new_id("k"), "missing", "missing"))], "Broken")


def assert_consistent(doc, names_seen):
    """The indexes answer as they would for a document rebuilt from its elements."""
    fresh = doc.copy()
    variables = doc.variables
    keys = [v.key for v in variables.values()]
    assert len(keys) == len(set(keys)), "two variables share a name"
    for v in variables.values():
        assert doc.variable_named(v.name) is v
        assert {link.id for link in doc.links_from(v.id)} == {link.id for link in fresh.links_from(v.id)}
        assert {link.id for link in doc.links_to(v.id)} == {link.id for link in fresh.links_to(v.id)}
        for fid in v.inflows + v.outflows:
            assert fid in variables
        if v.kind == Kind.FLOW:
            source = next((s.id for s in variables.values() if v.id in s.outflows), None)
            sink = next((s.id for s in variables.values() if v.id in s.inflows), None)
            assert doc.flow_ends(v.id) == (source, sink)
    for name in names_seen:
        assert (doc.variable_named(name) is None) == (canonical_name(name) not in keys)
    for link in doc.links.values():
        assert link.source in variables and link.target in variables
        assert link in doc.links_from(link.source) and link in doc.links_to(link.target)
    for label in doc.loop_labels.values():
        assert all(vid in variables for vid in label.loop)
    for group in doc.groups.values():
        assert all(eid in doc for eid in group.members)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_revert_all_then_reapply_all(data):
    doc = SystemMap(name="start")
    start = doc.copy()
    done = []
    for _ in range(data.draw(st.integers(1, 30), label="steps")):
        unchanged = doc.copy()
        try:
            edit = build_edit(data, doc)
        except ModelError:
            assert doc == unchanged
            continue
        try:
            doc.apply(edit)
        except ModelError:
            assert edit.text in MAY_FAIL, f"{edit.text!r} was accepted but could not be applied"
            assert doc == unchanged, "a failed edit left part of itself behind"
            continue
        done.append(edit)
        assert_consistent(doc, NAMES)
    after = doc.copy()

    for edit in reversed(done):
        doc.revert(edit)
    assert doc == start
    assert_consistent(doc, NAMES)

    for edit in done:
        doc.apply(edit)
    assert doc == after
    assert_consistent(doc, NAMES)


def test_failing_compound_rolls_back_what_it_had_done():
    doc = SystemMap()
    a = doc.add_variable("a")
    before = doc.copy()
    good = ops.update(doc, a.id, name="b", equation="b + 1")
    broken = Compound([ops.add_note(doc, "n", (0.0, 0.0)), good, Insert(Link("k99", a.id, "missing"))])
    with pytest.raises(ModelError):
        doc.apply(broken)
    assert doc == before
    assert doc.variable_named("a") is not None and doc.variable_named("b") is None


def test_undo_of_delete_puts_elements_back_in_place():
    doc = SystemMap()
    names = ["a", "b", "c", "d", "e"]
    vs = [doc.add_variable(n) for n in names]
    doc.add_link(vs[1].id, vs[3].id)
    doc.add_link(vs[0].id, vs[4].id)
    doc.add_link(vs[3].id, vs[1].id)
    before = doc.copy()
    edit = ops.remove(doc, [vs[3].id, vs[1].id, vs[0].id])
    doc.apply(edit)
    assert [v.name for v in doc.variables.values()] == ["c", "e"]
    doc.revert(edit)
    assert doc == before
    assert [v.name for v in doc.variables.values()] == names


def test_undo_of_rename_restores_every_equation():
    doc = SystemMap()
    a = doc.add_variable("Stock", kind=Kind.STOCK, equation="stock {self}")
    doc.add_variable("f", kind=Kind.FLOW, equation="Stock * 2")
    before = doc.copy()
    edit = ops.rename_variable(doc, a.id, "Level")
    doc.apply(edit)
    doc.revert(edit)
    assert doc == before
    doc.apply(edit)
    assert doc.variable_named("f").equation == "Level * 2"
    assert doc.variables[a.id].equation == "Level {self}"


def test_undo_of_attach_flow_restores_the_old_ends():
    doc = SystemMap()
    s1 = doc.add_variable("s1", kind=Kind.STOCK)
    s2 = doc.add_variable("s2", kind=Kind.STOCK)
    f = doc.add_variable("f", kind=Kind.FLOW)
    doc.attach_flow(f.id, source=s1.id, sink=s2.id)
    before = doc.copy()
    edit = ops.attach_flow(doc, f.id, source=s2.id, sink=None)
    doc.apply(edit)
    assert doc.flow_ends(f.id) == (s2.id, None)
    doc.revert(edit)
    assert doc == before
    assert doc.flow_ends(f.id) == (s1.id, s2.id)
