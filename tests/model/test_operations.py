"""The consistency rules of edits: rename, delete, flow attachment, field updates, moves."""

import math

import pytest

from sysmap.errors import ModelError
from sysmap.model import Direction, Kind, Polarity, SimSpecs, SystemMap
from sysmap.model import operations as ops


def add(doc, edit):
    doc.apply(edit)
    return edit.element


@pytest.fixture
def bathtub():
    """A stock filled by one flow and drained by another, with an auxiliary between."""
    doc = SystemMap(name="Bathtub")
    tub = doc.add_variable("Water in tub", kind=Kind.STOCK, equation="50")
    fill = doc.add_variable("Filling", kind=Kind.FLOW, equation="tap_setting")
    drain = doc.add_variable("Draining", kind=Kind.FLOW, equation="Water_in_tub / drain_time")
    doc.add_variable("Tap setting", kind=Kind.AUX, equation="5")
    doc.add_variable("Drain time", kind=Kind.AUX, equation="10 {minutes}")
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    doc.attach_flow(drain.id, source=tub.id, sink=None)
    return doc


def v(doc, name):
    found = doc.variable_named(name)
    assert found is not None, name
    return found


# -- rename -----------------------------------------------------------------------------------


def test_rename_rewrites_references_in_other_equations(bathtub):
    tub = v(bathtub, "water in tub")
    bathtub.rename_variable(tub.id, "Water level")
    assert bathtub.variables[tub.id].name == "Water level"
    assert v(bathtub, "draining").equation == "Water_level / drain_time"
    assert bathtub.variable_named("water in tub") is None
    assert bathtub.variable_named("WATER_LEVEL").id == tub.id


def test_rename_keeps_comments_and_spacing():
    doc = SystemMap()
    a = doc.add_variable("a")
    b = doc.add_variable("b", equation="  a*2 +{ a comment about a }\n\tMAX(a,0)")
    doc.rename_variable(a.id, "z")
    assert doc.variables[b.id].equation == "  z*2 +{ a comment about a }\n\tMAX(z,0)"


def test_rename_rewrites_the_variables_own_self_reference():
    doc = SystemMap()
    x = doc.add_variable("x", kind=Kind.AUX, equation="x * 0.5 + y")
    doc.rename_variable(x.id, "Memory")
    assert doc.variables[x.id].equation == "Memory * 0.5 + y"


def test_rename_quotes_names_that_need_it(bathtub):
    doc = bathtub
    doc.rename_variable(v(doc, "drain time").id, "drain time (min)")
    assert v(doc, "draining").equation == 'Water_in_tub / "drain time (min)"'
    doc.rename_variable(v(doc, "tap setting").id, "if")
    assert v(doc, "filling").equation == '"if"'


def test_rename_rewrites_every_spelling_of_the_old_name():
    doc = SystemMap()
    a = doc.add_variable("Birth rate")
    b = doc.add_variable("b", equation='birth_rate + BIRTH_RATE + "birth rate" + birthrate')
    doc.rename_variable(a.id, "fertility")
    assert doc.variables[b.id].equation == "fertility + fertility + fertility + birthrate"


def test_rename_leaves_unrelated_equations_untouched(bathtub):
    untouched = {x.id: x for x in bathtub.variables.values() if "water_in_tub" not in x.equation.lower()}
    bathtub.rename_variable(v(bathtub, "water in tub").id, "Level")
    for vid, before in untouched.items():
        if vid != v(bathtub, "level").id:
            assert bathtub.variables[vid] is before


@pytest.mark.parametrize("taken", ["Filling", "FILLING", "filling", '"Filling"', "tap setting"])
def test_rename_to_an_existing_name_is_refused(bathtub, taken):
    before = bathtub.copy()
    with pytest.raises(ModelError, match="already exists"):
        bathtub.rename_variable(v(bathtub, "drain time").id, taken)
    assert bathtub == before


def test_rename_to_a_blank_name_is_refused(bathtub):
    with pytest.raises(ModelError):
        bathtub.rename_variable(v(bathtub, "drain time").id, " _ ")


def test_rename_of_unknown_id_is_refused(bathtub):
    with pytest.raises(ModelError):
        ops.rename_variable(bathtub, "nope", "x")


def test_case_only_rename_is_allowed_and_changes_no_equation(bathtub):
    tub = v(bathtub, "water in tub")
    equations = {x.id: x.equation for x in bathtub.variables.values()}
    bathtub.rename_variable(tub.id, "WATER IN TUB")
    assert bathtub.variables[tub.id].name == "WATER IN TUB"
    assert {x.id: x.equation for x in bathtub.variables.values()} == equations


def test_rename_text_names_old_and_new(bathtub):
    edit = ops.rename_variable(bathtub, v(bathtub, "drain time").id, "Drain delay")
    assert edit.text == "Rename 'Drain time' to 'Drain delay'"


# -- delete -----------------------------------------------------------------------------------


def test_delete_variable_takes_its_links_along():
    doc = SystemMap()
    a, b, c = doc.add_variable("a"), doc.add_variable("b"), doc.add_variable("c")
    ab, bc, ca = doc.add_link(a.id, b.id), doc.add_link(b.id, c.id), doc.add_link(c.id, a.id)
    doc.remove(b.id)
    assert b.id not in doc
    assert list(doc.links) == [ca.id]
    assert ab.id not in doc and bc.id not in doc
    assert doc.links_from(a.id) == [] and doc.links_to(c.id) == []


def test_delete_leaves_equations_that_mention_it_as_written(bathtub):
    bathtub.remove(v(bathtub, "drain time").id)
    assert v(bathtub, "draining").equation == "Water_in_tub / drain_time"


def test_delete_flow_detaches_it_from_its_stocks(bathtub):
    tub = v(bathtub, "water in tub")
    bathtub.remove(v(bathtub, "filling").id)
    assert bathtub.variables[tub.id].inflows == ()
    assert bathtub.variables[tub.id].outflows == (v(bathtub, "draining").id,)


def test_delete_stock_leaves_its_flows_ending_in_clouds(bathtub):
    fill, drain = v(bathtub, "filling"), v(bathtub, "draining")
    bathtub.remove(v(bathtub, "water in tub").id)
    assert bathtub.flow_ends(fill.id) == (None, None)
    assert bathtub.flow_ends(drain.id) == (None, None)
    assert fill.id in bathtub and drain.id in bathtub


def test_delete_stock_together_with_its_flows(bathtub):
    ids = [v(bathtub, n).id for n in ("water in tub", "filling", "draining")]
    bathtub.remove(*ids)
    assert [x.name for x in bathtub.variables.values()] == ["Tap setting", "Drain time"]


def test_delete_many_stocks_and_flows_at_once():
    """Whatever order the deletions run in, nothing still refers to what goes."""
    doc = SystemMap()
    ids = []
    for i in range(12):
        stock = doc.add_variable(f"stock {i}", kind=Kind.STOCK)
        flow = doc.add_variable(f"flow {i}", kind=Kind.FLOW)
        doc.attach_flow(flow.id, source=stock.id if i % 2 else None, sink=None if i % 2 else stock.id)
        ids += [flow.id, stock.id]
    before = doc.copy()
    edit = ops.remove(doc, ids)
    doc.apply(edit)
    assert len(doc.variables) == 0
    doc.revert(edit)
    assert doc == before


def test_delete_removes_group_memberships():
    doc = SystemMap()
    a, b = doc.add_variable("a"), doc.add_variable("b")
    link = doc.add_link(a.id, b.id)
    group = add(doc, ops.add_group(doc, "Sector", [a.id, b.id, link.id]))
    doc.remove(a.id)
    assert doc.groups[group.id].members == (b.id,)


def test_delete_nested_groups_together():
    doc = SystemMap()
    a = doc.add_variable("a")
    inner = add(doc, ops.add_group(doc, "inner", [a.id]))
    outer = add(doc, ops.add_group(doc, "outer", [inner.id]))
    doc.remove(inner.id, outer.id)
    assert not doc.groups
    assert a.id in doc


def test_delete_clears_loop_labels_that_ran_through_it():
    doc = SystemMap()
    a, b, c = doc.add_variable("a"), doc.add_variable("b"), doc.add_variable("c")
    through = add(doc, ops.add_loop_label(doc, "R1", (0.0, 0.0), loop=(a.id, b.id)))
    elsewhere = add(doc, ops.add_loop_label(doc, "B1", (0.0, 0.0), loop=(c.id,)))
    doc.remove(a.id)
    assert doc.loop_labels[through.id].loop == ()
    assert doc.loop_labels[through.id].text == "R1"
    assert doc.loop_labels[elsewhere.id].loop == (c.id,)


def test_delete_loop_label_with_its_variables():
    doc = SystemMap()
    a, b = doc.add_variable("a"), doc.add_variable("b")
    label = add(doc, ops.add_loop_label(doc, "R1", (0.0, 0.0), loop=(a.id, b.id)))
    doc.remove(a.id, b.id, label.id)
    assert not doc.variables and not doc.loop_labels


def test_delete_unknown_id_is_refused(bathtub):
    with pytest.raises(ModelError):
        ops.remove(bathtub, ["nope"])


def test_delete_text_counts_what_was_chosen():
    doc = SystemMap()
    a, b = doc.add_variable("a"), doc.add_variable("b")
    doc.add_link(a.id, b.id)
    assert ops.remove(doc, [a.id]).text == "Delete 1 item"
    assert ops.remove(doc, [a.id, b.id, a.id]).text == "Delete 2 items"


# -- flows ------------------------------------------------------------------------------------


def test_attach_flow_sets_its_ends(bathtub):
    fill = v(bathtub, "filling")
    assert bathtub.flow_ends(fill.id) == (None, v(bathtub, "water in tub").id)
    assert v(bathtub, "water in tub").inflows == (fill.id,)
    assert v(bathtub, "water in tub").outflows == (v(bathtub, "draining").id,)


def test_reattaching_a_flow_moves_it(bathtub):
    sink = bathtub.add_variable("Sewer", kind=Kind.STOCK)
    tub, drain = v(bathtub, "water in tub"), v(bathtub, "draining")
    bathtub.attach_flow(drain.id, source=tub.id, sink=sink.id)
    assert bathtub.flow_ends(drain.id) == (tub.id, sink.id)
    bathtub.attach_flow(drain.id, source=sink.id, sink=None)
    assert bathtub.flow_ends(drain.id) == (sink.id, None)
    assert v(bathtub, "water in tub").outflows == ()
    assert v(bathtub, "sewer").inflows == ()
    assert v(bathtub, "sewer").outflows == (drain.id,)


def test_flow_between_two_clouds(bathtub):
    fill = v(bathtub, "filling")
    bathtub.attach_flow(fill.id, source=None, sink=None)
    assert bathtub.flow_ends(fill.id) == (None, None)
    assert v(bathtub, "water in tub").inflows == ()


def test_a_stock_keeps_the_order_of_its_flows(bathtub):
    tub = v(bathtub, "water in tub")
    extra = bathtub.add_variable("Overflow", kind=Kind.FLOW)
    bathtub.attach_flow(extra.id, source=tub.id, sink=None)
    assert v(bathtub, "water in tub").outflows == (v(bathtub, "draining").id, extra.id)


def test_moving_one_end_keeps_the_flows_place_at_the_other(bathtub):
    tub, drain = v(bathtub, "water in tub"), v(bathtub, "draining")
    overflow = bathtub.add_variable("Overflow", kind=Kind.FLOW)
    bathtub.attach_flow(overflow.id, source=tub.id, sink=None)
    sewer = bathtub.add_variable("Sewer", kind=Kind.STOCK)
    bathtub.attach_flow(drain.id, source=tub.id, sink=sewer.id)
    assert v(bathtub, "water in tub").outflows == (drain.id, overflow.id)  # priority unchanged
    assert bathtub.flow_ends(drain.id) == (tub.id, sewer.id)


def test_attaching_a_flow_where_it_already_is_changes_nothing(bathtub):
    fill = v(bathtub, "filling")
    edit = ops.attach_flow(bathtub, fill.id, source=None, sink=v(bathtub, "water in tub").id)
    before = bathtub.copy()
    bathtub.apply(edit)
    assert bathtub == before


@pytest.mark.parametrize(
    ("flow", "source", "sink", "message"),
    [
        ("tap setting", None, "water in tub", "not a flow"),
        ("water in tub", None, None, "not a flow"),
        ("filling", "tap setting", None, "not a stock"),
        ("filling", None, "draining", "not a stock"),
        ("filling", "water in tub", "water in tub", "same stock"),
    ],
)
def test_attach_flow_refuses_wrong_kinds(bathtub, flow, source, sink, message):
    before = bathtub.copy()
    ids = {n: (v(bathtub, n).id if n else None) for n in (flow, source, sink)}
    with pytest.raises(ModelError, match=message):
        bathtub.attach_flow(ids[flow], source=ids[source], sink=ids[sink])
    assert bathtub == before


def test_attach_flow_refuses_unknown_ids(bathtub):
    with pytest.raises(ModelError):
        ops.attach_flow(bathtub, "nope", source=None, sink=None)
    with pytest.raises(ModelError):
        ops.attach_flow(bathtub, v(bathtub, "filling").id, source="nope", sink=None)


# -- update -----------------------------------------------------------------------------------


def test_update_changes_fields(bathtub):
    tap = v(bathtub, "tap setting")
    bathtub.apply(ops.update(bathtub, tap.id, equation="7", units="l/min", documentation="how far open"))
    tap = bathtub.variables[tap.id]
    assert (tap.equation, tap.units, tap.documentation) == ("7", "l/min", "how far open")
    assert tap.name == "Tap setting"


def test_update_name_goes_through_rename(bathtub):
    tub = v(bathtub, "water in tub")
    bathtub.apply(ops.update(bathtub, tub.id, name="Level", units="litres"))
    assert bathtub.variables[tub.id].name == "Level"
    assert bathtub.variables[tub.id].units == "litres"
    assert v(bathtub, "draining").equation == "Level / drain_time"


def test_update_name_to_a_taken_name_is_refused(bathtub):
    with pytest.raises(ModelError):
        ops.update(bathtub, v(bathtub, "filling").id, name="draining")


def test_changing_a_stock_to_an_aux_drops_its_flows(bathtub):
    tub = v(bathtub, "water in tub")
    bathtub.apply(ops.update(bathtub, tub.id, kind="aux"))
    assert bathtub.variables[tub.id].kind is Kind.AUX
    assert bathtub.variables[tub.id].inflows == bathtub.variables[tub.id].outflows == ()
    assert bathtub.flow_ends(v(bathtub, "filling").id) == (None, None)
    assert bathtub.flow_ends(v(bathtub, "draining").id) == (None, None)


def test_changing_a_flow_to_an_aux_detaches_it(bathtub):
    fill = v(bathtub, "filling")
    bathtub.apply(ops.update(bathtub, fill.id, kind=Kind.AUX))
    assert bathtub.variables[fill.id].kind is Kind.AUX
    assert v(bathtub, "water in tub").inflows == ()
    assert v(bathtub, "water in tub").outflows == (v(bathtub, "draining").id,)


def test_renaming_a_flow_and_changing_its_kind_keeps_both():
    doc = SystemMap()
    tub = doc.add_variable("Tub", kind=Kind.STOCK, equation="filling * 10")
    fill = doc.add_variable("Filling", kind=Kind.FLOW)
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    doc.apply(ops.update(doc, fill.id, name="Supply", kind="aux"))
    assert doc.variables[tub.id].equation == "Supply * 10"
    assert doc.variables[tub.id].inflows == ()


def test_changing_a_flow_to_a_flow_keeps_it_attached(bathtub):
    fill = v(bathtub, "filling")
    bathtub.apply(ops.update(bathtub, fill.id, kind="flow", units="l/min"))
    assert bathtub.flow_ends(fill.id) == (None, v(bathtub, "water in tub").id)


def test_update_refuses_unknown_fields(bathtub):
    with pytest.raises(ModelError, match="no field 'colour'"):
        ops.update(bathtub, v(bathtub, "water in tub").id, colour="red")
    note = add(bathtub, ops.add_note(bathtub, "n", (0.0, 0.0)))
    with pytest.raises(ModelError, match="no field 'kind'"):
        ops.update(bathtub, note.id, kind="aux")


@pytest.mark.parametrize("field", ["id", "inflows", "outflows"])
def test_update_refuses_locked_fields(bathtub, field):
    with pytest.raises(ModelError, match=field):
        ops.update(bathtub, v(bathtub, "water in tub").id, **{field: ()})


def test_update_link_polarity_and_ends(bathtub):
    tap, fill, drain = v(bathtub, "tap setting"), v(bathtub, "filling"), v(bathtub, "draining")
    link = bathtub.add_link(tap.id, fill.id)
    bathtub.apply(ops.update(bathtub, link.id, polarity="-", target=drain.id))
    assert bathtub.links[link.id].polarity is Polarity.NEGATIVE
    assert bathtub.links_to(drain.id) == [bathtub.links[link.id]]
    assert bathtub.links_to(fill.id) == []
    with pytest.raises(ModelError):
        ops.update(bathtub, link.id, source="nope")


def test_update_loop_label_direction(bathtub):
    label = add(bathtub, ops.add_loop_label(bathtub, "B1", (1.0, 2.0)))
    bathtub.apply(ops.update(bathtub, label.id, direction="anticlockwise"))
    assert bathtub.loop_labels[label.id].direction is Direction.ANTICLOCKWISE


@pytest.mark.parametrize(
    "bad",
    [
        lambda doc: ops.add_variable(doc, "x", kind="bogus"),
        lambda doc: ops.add_link(doc, *list(doc.variables)[:2], polarity="++"),
        lambda doc: ops.add_loop_label(doc, "R", (0.0, 0.0), direction="sideways"),
        lambda doc: ops.update(doc, next(iter(doc.variables)), kind="bogus"),
        lambda doc: ops.update(
            doc, add(doc, ops.add_loop_label(doc, "R", (0.0, 0.0))).id, direction="sideways"
        ),
    ],
)
def test_unknown_enumeration_values_are_model_errors(bathtub, bad):
    with pytest.raises(ModelError, match="is not one of"):
        bad(bathtub)


def test_group_members_must_exist(bathtub):
    with pytest.raises(ModelError):
        ops.add_group(bathtub, "g", ["nope"])
    group = add(bathtub, ops.add_group(bathtub, "g", []))
    before = bathtub.copy()
    with pytest.raises(ModelError):
        bathtub.apply(ops.update(bathtub, group.id, members=("nope",)))
    assert bathtub == before


def test_loop_label_variables_must_exist(bathtub):
    with pytest.raises(ModelError):
        ops.add_loop_label(bathtub, "R1", (0.0, 0.0), loop=("nope",))


# -- move -------------------------------------------------------------------------------------


def test_move_several_items_is_one_step(bathtub):
    tub, tap = v(bathtub, "water in tub"), v(bathtub, "tap setting")
    edit = ops.move(bathtub, {tub.id: (10, 20), tap.id: (-5.5, 3)})
    assert edit.text == "Move 2 items"
    bathtub.apply(edit)
    assert bathtub.variables[tub.id].position == (10.0, 20.0)
    assert bathtub.variables[tap.id].position == (-5.5, 3.0)
    bathtub.revert(edit)
    assert v(bathtub, "water in tub").position == (0.0, 0.0)


def test_move_one_item_text(bathtub):
    assert ops.move(bathtub, {v(bathtub, "filling").id: (1, 1)}).text == "Move 1 item"


def test_move_notes_labels_and_groups(bathtub):
    note = add(bathtub, ops.add_note(bathtub, "hi", (0.0, 0.0)))
    label = add(bathtub, ops.add_loop_label(bathtub, "R1", (0.0, 0.0)))
    group = add(bathtub, ops.add_group(bathtub, "g"))
    bathtub.apply(ops.move(bathtub, {note.id: (1, 2), label.id: (3, 4), group.id: (5, 6)}))
    assert bathtub.notes[note.id].position == (1.0, 2.0)
    assert bathtub.loop_labels[label.id].position == (3.0, 4.0)
    assert bathtub.groups[group.id].position == (5.0, 6.0)


def test_move_refuses_links_unknown_ids_and_non_finite_positions(bathtub):
    tap, fill = v(bathtub, "tap setting"), v(bathtub, "filling")
    link = bathtub.add_link(tap.id, fill.id)
    with pytest.raises(ModelError):
        ops.move(bathtub, {link.id: (1, 2)})
    with pytest.raises(ModelError):
        ops.move(bathtub, {"nope": (1, 2)})
    with pytest.raises(ModelError):
        ops.move(bathtub, {tap.id: (math.nan, 0)})


# -- document fields --------------------------------------------------------------------------


def test_sim_specs_change(bathtub):
    edit = ops.set_sim_specs(bathtub, stop=30, dt=0.25, time_units="minutes")
    bathtub.apply(edit)
    assert bathtub.sim_specs == SimSpecs(start=0.0, stop=30, dt=0.25, time_units="minutes")
    bathtub.revert(edit)
    assert bathtub.sim_specs == SimSpecs()


@pytest.mark.parametrize(
    "changes",
    [
        {"dt": 0},
        {"dt": -1},
        {"start": 10, "stop": 5},
        {"dt": math.nan},
        {"stop": math.inf},
        {"start": -math.inf},
    ],
)
def test_impossible_sim_specs_are_refused(bathtub, changes):
    with pytest.raises(ModelError):
        ops.set_sim_specs(bathtub, **changes)


def test_model_name_and_documentation(bathtub):
    bathtub.apply(ops.set_name(bathtub, "Tub"))
    bathtub.apply(ops.set_documentation(bathtub, "A bath."))
    assert (bathtub.name, bathtub.documentation) == ("Tub", "A bath.")


def test_aliases_cascade_with_their_variable_and_take_their_links():
    from sysmap.model import Alias
    from sysmap.model.edits import Insert

    doc = SystemMap()
    a, b = doc.add_variable("A"), doc.add_variable("B")
    doc.apply(Insert(Alias(id="ghost", of=a.id, position=(300, 0))))
    drawn = doc.add_link(a.id, b.id, alias="ghost")
    plain = doc.add_link(b.id, a.id)
    assert doc.aliases_of(a.id) == [doc.aliases["ghost"]]
    assert doc.links_from_alias("ghost") == [drawn]

    edit = ops.remove(doc, ["ghost"])
    doc.apply(edit)
    assert drawn.id not in doc.links and plain.id in doc.links
    doc.revert(edit)
    assert doc.links[drawn.id] == drawn

    before = doc.copy()
    edit = ops.remove(doc, [a.id])
    doc.apply(edit)
    assert not doc.aliases and not doc.links
    doc.revert(edit)
    assert doc == before


def test_a_link_cannot_leave_an_alias_of_another_variable():
    from sysmap.model import Alias
    from sysmap.model.edits import Insert

    doc = SystemMap()
    a, b = doc.add_variable("A"), doc.add_variable("B")
    doc.apply(Insert(Alias(id="ghost", of=b.id)))
    with pytest.raises(ModelError, match="not an alias of its source"):
        doc.add_link(a.id, b.id, alias="ghost")


def test_add_alias_places_a_ghost_of_an_existing_variable():
    doc = SystemMap()
    var = doc.add_variable("Workload", position=(10, 20))
    edit = ops.add_alias(doc, var.id, (50, 60))
    doc.apply(edit)
    assert edit.text == "Create alias of 'Workload'"
    (alias,) = doc.aliases.values()
    assert (alias.of, alias.position) == (var.id, (50.0, 60.0))
    with pytest.raises(ModelError):
        ops.add_alias(doc, "nobody", (0, 0))
    with pytest.raises(ModelError):
        ops.add_alias(doc, var.id, (float("nan"), 0))
