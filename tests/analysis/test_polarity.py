"""Link polarity derived from equations: signs, conditions in words, assumptions, tables, delays,
disagreements with the drawing, hostile equations, and the ``sysmap polarity`` command."""

import json
from collections import Counter
from pathlib import Path

import pytest

from sysmap.analysis.polarity import (
    derive_polarities,
    derive_polarity,
    parse_assumption,
    polarity_disagreements,
)
from sysmap.analysis.signs import link_sign
from sysmap.analysis.symbolic import MAX_NODES, Names
from sysmap.cli import check_map, main
from sysmap.errors import SysmapError
from sysmap.examples import example_names, example_path
from sysmap.io import load, save
from sysmap.model import Extras, GraphicalFunction, Kind, SystemMap
from sysmap.sim.ast import Binary, Name

SHARED = Path(__file__).resolve().parents[3] / "shared"


#: The fields of a stock: a quantity whose value the analysis does not know (only that it is >= 0).
STOCK = {"kind": Kind.STOCK}


def model(*variables, links=()):
    """A map of auxiliaries ``(name, equation)`` (or ``(name, equation, fields)``), with links
    ``(source, target, polarity)`` drawn between them by name. An auxiliary whose equation is a
    number is a constant: the analysis knows its value."""
    doc = SystemMap()
    for name, equation, *fields in variables:
        doc.add_variable(name, equation=equation, **{"kind": Kind.AUX, **(fields[0] if fields else {})})
    for source, target, mark in links:
        doc.add_link(doc.variable_named(source).id, doc.variable_named(target).id, polarity=mark)
    return doc


def polarity(doc, cause, effect, **kwargs):
    return derive_polarity(doc, doc.variable_named(cause).id, doc.variable_named(effect).id, **kwargs)


def sign(doc, cause, effect, **kwargs):
    return polarity(doc, cause, effect, **kwargs).sign


@pytest.fixture
def logistic():
    doc = SystemMap()
    pop = doc.add_variable("Population", kind=Kind.STOCK, equation="10")
    doc.add_variable("Carrying capacity", kind=Kind.AUX, equation="1000")
    doc.add_variable("Growth rate", kind=Kind.AUX, equation="0.1")
    growth = doc.add_variable(
        "Net growth",
        kind=Kind.FLOW,
        equation="growth_rate * population * (1 - population / carrying_capacity)",
    )
    doc.attach_flow(growth.id, source=None, sink=pop.id)
    return doc


# --- signs ----------------------------------------------------------------------------------------


def test_logistic_growth_is_positive_below_half_the_capacity_and_negative_above(logistic):
    p = polarity(logistic, "Population", "Net growth")
    assert p.sign == "?" and p.conditional and p.reason is None
    assert p.condition == "Population < Carrying_capacity/2"
    assert p.words == "+ while Population < Carrying capacity/2, − above"
    assert p.pieces == (("+", "Population < Carrying_capacity/2"), ("-", "Population > Carrying_capacity/2"))
    assert sign(logistic, "Carrying capacity", "Net growth") == "+"
    # the growth rate raises growth only below the capacity
    assert (
        polarity(logistic, "Growth rate", "Net growth").words
        == "+ while Population < Carrying capacity, − above"
    )


def test_a_flow_raises_the_stock_it_fills_and_lowers_the_one_it_drains():
    doc = SystemMap()
    a = doc.add_variable("A", kind=Kind.STOCK, equation="start")
    b = doc.add_variable("B", kind=Kind.STOCK, equation="0")
    move = doc.add_variable("Move", kind=Kind.FLOW, equation="a / 4")
    doc.add_variable("Start", kind=Kind.AUX, equation="100")
    doc.attach_flow(move.id, source=a.id, sink=b.id)
    inflow, outflow = polarity(doc, "Move", "B"), polarity(doc, "Move", "A")
    assert (inflow.sign, inflow.role) == ("+", "inflow")
    assert (outflow.sign, outflow.role) == ("-", "outflow")
    initial = polarity(doc, "Start", "A")
    assert (initial.sign, initial.role) == ("+", "initial")
    assert sign(doc, "Start", "B") == "0"


def test_a_quotient_rises_with_its_numerator_and_falls_with_its_denominator():
    doc = model(("x", "3"), ("y", "4"), ("Ratio", "x / y"))
    assert (sign(doc, "x", "Ratio"), sign(doc, "y", "Ratio")) == ("+", "-")
    assert polarity(doc, "y", "Ratio").derivative == "-x/y^2"


def test_a_cause_that_is_not_in_the_equation_gives_zero():
    doc = model(("x", "3"), ("y", "x - x + 2"), ("z", "5"))
    assert polarity(doc, "z", "y").words == "0 (it does not appear in the equation)"
    assert polarity(doc, "x", "y").words == "0 (its derivative is zero)"


def test_min_and_max_rise_with_each_argument():
    doc = model(
        ("a", "3"), ("b", "4"), ("Low", "MIN(a, b)"), ("Gap", "MAX(0, a - b)"), ("Cut", "10 - MAX(a, b)")
    )
    assert [sign(doc, "a", "Low"), sign(doc, "b", "Low")] == ["+", "+"]
    assert [sign(doc, "a", "Gap"), sign(doc, "b", "Gap")] == ["+", "-"]
    assert sign(doc, "b", "Cut") == "-"


def test_common_functions_keep_their_slopes():
    doc = model(
        ("x", "3"),
        ("Grow", "EXP(x) + SQRT(x) + LN(x)"),
        ("Shrink", "EXP(-x)"),
        ("Size", "ABS(x - 5)"),
        ("Sum", "SAFEDIV(x, 2) + INT(x)"),
    )
    assert sign(doc, "x", "Grow") == "+" and sign(doc, "x", "Shrink") == "-" and sign(doc, "x", "Sum") == "+"
    assert polarity(doc, "x", "Size").words == "+ while x > 5, − below"


# --- lookup tables --------------------------------------------------------------------------------


def table(*ys, xs=None):
    return {"graph": GraphicalFunction(y_points=ys, x_points=xs or tuple(float(i) for i in range(len(ys))))}


def test_a_lookup_table_gives_the_sign_of_its_slope():
    doc = model(
        ("x", "2"),
        ("Rising", "", table(0, 1, 1, 3)),
        ("Falling", "", table(3, 2, 2, 0)),
        ("Hump", "", table(0, 2, 3, 1, 0)),
        ("Up", "LOOKUP(rising, x)"),
        ("Down", "LOOKUP(falling, x)"),
        ("Bump", "LOOKUP(hump, x)"),
        ("Inverse", "LOOKUP(rising, 1 / x)"),
    )
    assert sign(doc, "x", "Up") == "+" and sign(doc, "x", "Down") == "-" and sign(doc, "x", "Inverse") == "-"
    bump = polarity(doc, "x", "Bump")
    assert bump.sign == "?" and bump.words == "+ while x < 2, − above"
    assert bump.condition == "x < 2"
    # raising the table's points raises what reads it
    assert sign(doc, "Falling", "Down") == "+"


def test_a_table_with_several_turns_lists_each_x_range():
    doc = model(("x", "2"), ("Wave", "", table(0, 2, 1, 3, 0)), ("Out", "LOOKUP(wave, x)"))
    assert (
        polarity(doc, "x", "Out").words
        == "+ while x < 1, − while 1 <= x < 2, + while 2 <= x < 3, − while x >= 3"
    )


def test_a_variable_with_its_own_graph_applies_it_to_its_equation():
    doc = model(("x", "2"), ("Effect", "x * 2", table(5, 4, 1)), ("Other", "10 - x", table(5, 4, 1)))
    assert sign(doc, "x", "Effect") == "-"
    assert sign(doc, "x", "Other") == "+"


def test_a_table_called_by_name_is_a_lookup():
    doc = model(("x", "2"), ("Falling", "", table(3, 2, 0)), ("Out", "falling(x) * 2"))
    assert sign(doc, "x", "Out") == "-"


def test_a_flat_table_makes_the_link_zero():
    doc = model(("x", "2"), ("Flat", "", table(1, 1)), ("Out", "LOOKUP(flat, x)"))
    assert polarity(doc, "x", "Out").words == "0 (its derivative is zero)"


# --- IF THEN ELSE and delays ------------------------------------------------------------------------


def test_if_branches_with_one_sign_give_that_sign_and_different_signs_a_condition():
    doc = model(
        ("a", "2", STOCK),
        ("s", "a - 4"),
        ("Later", "IF TIME > 5 THEN a ELSE 2 * a"),
        ("Either", "IF s > 0 THEN a ELSE -a"),
        ("Called", "IF_THEN_ELSE(TIME > 5, a, 0)"),
    )
    assert sign(doc, "a", "Later") == "+" and sign(doc, "a", "Called") == "+"
    either = polarity(doc, "a", "Either")
    assert either.words == "+ while s > 0, − below"


def test_a_cause_in_the_condition_of_if_gives_the_direction_of_the_step():
    doc = model(
        ("x", "2"),
        ("sw", "1"),
        ("a", "1", STOCK),
        ("b", "2", STOCK),
        ("Up", "IF x > 3 THEN 10 ELSE 0"),
        ("Down", "IF x > 3 THEN 0 ELSE 10"),
        ("Under", "IF NOT (x < 3) AND TIME > 1 THEN 10 ELSE 0"),
        ("Switch", "IF sw = 1 THEN a ELSE b"),
        ("Unknown jump", "IF x > 3 THEN a ELSE b"),
    )
    assert [sign(doc, "x", n) for n in ("Up", "Down", "Under")] == ["+", "-", "+"]
    switch = polarity(doc, "sw", "Switch")
    assert switch.sign == "?" and "switch" in switch.reason
    assert "which way the value jumps" in polarity(doc, "x", "Unknown jump").reason


def world3_land_life():
    """World3's land life multiplier: after the policy year it blends from one table's value to
    another's by 0.95 ^ years, before it the first table's value; both tables are positive."""
    blend = "0.95 ^ ((TIME - policy_year) / one_year)"
    return model(
        ("Land yield", "2", STOCK),
        ("Arable land", "2", STOCK),
        ("Policy year", "4000"),
        ("One year", "1"),
        ("Multiplier 1", "land_yield", table(1.2, 0.6, 0.3)),
        ("Multiplier 2", "land_yield", table(1.0, 0.9, 0.8)),
        (
            "Land life multiplier",
            f"IF TIME >= policy_year THEN {blend} * multiplier_1 + (1 - {blend}) * multiplier_2"
            " ELSE multiplier_1",
        ),
        ("Life normal", "1000"),
        ("Average life of land", "life_normal * land_life_multiplier"),
        ("Erosion", "arable_land / average_life_of_land"),
    )


def test_an_if_branch_is_judged_under_its_own_condition():
    doc = world3_land_life()
    # after the policy year 0.95^years is in (0, 1], so the blend of two positive values is positive
    assert sign(doc, "Multiplier 2", "Land life multiplier") == "+"
    assert sign(doc, "Life normal", "Average life of land") == "+"
    erosion = polarity(doc, "Arable land", "Erosion")
    assert (erosion.sign, erosion.condition) == ("+", None)


def test_a_branch_whose_sign_holds_only_under_its_condition():
    doc = model(
        ("x", "2", STOCK),
        ("k", "2", STOCK),
        ("w", "3"),
        ("Excess", "IF x > k THEN x - k ELSE 0"),
        ("Cost", "w * excess"),
        ("Ramp", "IF TIME > k THEN w * (TIME - k) ELSE 0"),
        ("Shortfall", "IF k >= x THEN 0 ELSE x - k"),
    )
    # the value: x - k is not negative where x > k, so Excess is not, and nor is Cost's slope in w
    assert sign(doc, "w", "Cost") == "+"
    # the derivative in w is TIME - k, positive where TIME > k
    assert sign(doc, "w", "Ramp") == "+"
    # x raises Excess: the branch rises with it, and the value does not jump where x passes k
    assert (sign(doc, "x", "Excess"), sign(doc, "k", "Excess")) == ("+", "-")
    # the second branch holds where the first condition does not: x > k
    assert (sign(doc, "x", "Shortfall"), sign(doc, "k", "Shortfall")) == ("+", "-")


@pytest.mark.parametrize(
    "excess",
    [
        "IF x > 2 * x - k THEN x - k ELSE 0",  # x on both sides: no bound on x follows
        "IF x > k OR TIME > 5 THEN x - k ELSE 0",  # either may hold: no bound on x follows
        "IF x <> k THEN x - k ELSE 0",  # not an order: no bound follows
    ],
)
def test_a_condition_that_bounds_no_variable_is_not_used(excess):
    doc = model(("x", "2", STOCK), ("k", "2", STOCK), ("w", "3"), ("Excess", excess), ("Cost", "w * excess"))
    assert polarity(doc, "w", "Cost").words == "+ while Excess > 0, − below"
    assert polarity(doc, "x", "Excess").sign == "?"


def test_one_minus_a_power_of_a_fraction_is_not_negative():
    doc = model(
        ("t", "1", STOCK),
        ("w", "3"),
        ("Remaining", "w * (1 - 0.95 ^ t)"),
        ("Grown", "w * (1.05 ^ t - 1)"),
        ("Shrunk", "w * (1 - 1.05 ^ t)"),
    )
    assert sign(doc, "w", "Remaining") == "+" and sign(doc, "w", "Grown") == "+"
    assert sign(doc, "w", "Shrunk") == "-"


def test_interval_arithmetic_bounds_powers_with_a_variable_exponent():
    import sympy as sp

    from sysmap.analysis.signs import bounds

    t, y = sp.Symbol("t", positive=True), sp.Symbol("y", real=True)
    assert bounds(1 - sp.Float(0.95) ** t, {}) == (0.0, 1.0)
    assert bounds(sp.Integer(2) ** t, {"t": (1.0, 3.0)}) == (2.0, 8.0)
    assert bounds(sp.Float(0.5) ** y, {}) == (0.0, float("inf"))
    assert bounds(sp.Integer(10) ** t, {"t": (0.0, 1e6)}) == (1.0, float("inf"))  # no overflow error
    assert bounds((-sp.Integer(2)) ** y, {}) == (-float("inf"), float("inf"))


def test_a_smooth_passes_its_input_sign_through_a_delay():
    doc = model(("x", "2"), ("t", "3"), ("Smoothed", "SMTH1(x, t)"), ("Lagged", "-DELAY3(x, t)"))
    smoothed = polarity(doc, "x", "Smoothed")
    assert (smoothed.sign, smoothed.delay, smoothed.words) == ("+", True, "+ (delayed)")
    assert (sign(doc, "x", "Lagged"), polarity(doc, "x", "Lagged").delay) == ("-", True)
    time = polarity(doc, "t", "Smoothed")
    assert time.sign == "?" and "delay time" in time.reason


def test_an_unknown_function_makes_the_link_unknown_with_the_reason():
    doc = model(("x", "2"), ("y", "MYSTERY(x)"))
    p = polarity(doc, "x", "y")
    assert p.sign == "?" and p.reason == "it enters MYSTERY, a function whose slope sysmap does not know"


def test_an_equation_that_does_not_parse_gives_a_reason_not_a_traceback():
    doc = model(("x", "2"), ("y", "3 * (x +"))
    p = polarity(doc, "x", "y")
    assert p.sign == "?" and p.reason.startswith("its equation does not parse (column")


def test_array_elements_agreeing_give_their_sign_and_disagreeing_a_reason():
    from sysmap.model import ArrayElement

    doc = model(("x", "2"))
    doc.add_variable(
        "Same",
        kind=Kind.AUX,
        dimensions=("d",),
        elements=(ArrayElement("a", "x * 2"), ArrayElement("b", "x + 1")),
    )
    doc.add_variable(
        "Mixed", kind=Kind.AUX, dimensions=("d",), elements=(ArrayElement("a", "x"), ArrayElement("b", "-x"))
    )
    doc.add_variable("Pair", kind=Kind.AUX, equation="x[a] - x[b]")
    assert sign(doc, "x", "Same") == "+"
    assert polarity(doc, "x", "Mixed").reason == "its elements' equations give it different signs"
    assert polarity(doc, "x", "Pair").reason == "its elements enter with different signs"


# --- assumptions ------------------------------------------------------------------------------------


def test_a_quantity_that_can_go_negative_makes_a_product_conditional_until_assumed_otherwise():
    doc = model(("a", "2", STOCK), ("b", "2", STOCK), ("Gap", "a - b"), ("x", "3"), ("y", "x * gap"))
    assert polarity(doc, "x", "y").words == "+ while Gap > 0, − below"
    assert sign(doc, "x", "y", assumptions={"Gap": "positive"}) == "+"
    gap_id = doc.variable_named("Gap").id
    assert sign(doc, "x", "y", assumptions={gap_id: "negative"}) == "-"
    assert sign(doc, "x", "y", assumptions={"gap": (1, 5)}) == "+"


def test_constants_and_table_outputs_bound_what_uses_them():
    doc = model(
        ("Loss", "0.1"),
        ("Fraction", "", table(0.2, 0.5)),
        ("x", "2"),
        ("z", "2", STOCK),
        ("y", "x * (1 - loss) * (1 - lookup(fraction, z))"),
    )
    assert sign(doc, "x", "y") == "+"
    # without the values, 1 - loss could be negative
    assert polarity(doc, "x", "y", assumptions={"loss": "nonnegative"}).words == "+ while Loss < 1, − above"


def test_a_range_declared_in_the_file_is_used():
    share = Extras((), ('<range xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" min="1" max="2"/>',))
    doc = model(("s", "MYSTERY(1)", {"extra": share}), ("x", "3"), ("y", "x * (s - 0.5)"))
    assert sign(doc, "x", "y") == "+"


def test_stocks_can_be_declared_able_to_go_negative():
    doc = SystemMap()
    doc.add_variable("Balance", kind=Kind.STOCK, equation="0", non_negative=False)
    doc.add_variable("Rate", kind=Kind.AUX, equation="0.05")
    doc.add_variable("Interest", kind=Kind.FLOW, equation="balance * rate")
    assert polarity(doc, "Rate", "Interest").words == "+ while Balance > 0, − below"
    assert sign(doc, "Balance", "Interest") == "+"


@pytest.mark.parametrize(
    ("assumptions", "message"),
    [
        ({"nobody": "real"}, "there is no variable named 'nobody'"),
        ({"x": "imaginary"}, "must be one of positive, nonnegative, real, negative"),
        ({"x": (3, 1)}, "must have its low end first"),
    ],
)
def test_bad_assumptions_are_refused_with_a_clear_message(assumptions, message):
    doc = model(("x", "2"), ("y", "x"))
    with pytest.raises(SysmapError, match=message):
        derive_polarities(doc, assumptions=assumptions)


def test_unknown_variables_are_refused():
    doc = model(("x", "2"), ("y", "x"))
    with pytest.raises(SysmapError, match="no variable with id 'nope'"):
        derive_polarity(doc, "nope", doc.variable_named("y").id)


def test_assumptions_read_from_the_command_line():
    assert parse_assumption("Net flow=Real") == ("Net flow", "real")
    assert parse_assumption("share=-1..2.5") == ("share", (-1.0, 2.5))
    with pytest.raises(SysmapError, match="NAME=KIND"):
        parse_assumption("real")


# --- disagreements ----------------------------------------------------------------------------------


@pytest.fixture
def drawn_wrong():
    return model(
        ("Price", "10"),
        ("Demand", "100 - 2 * price"),
        ("Population", "50", STOCK),
        ("Crowding", "population * (10 - population)"),
        links=[("Price", "Demand", "+"), ("Population", "Crowding", "+")],
    )


def test_a_link_drawn_against_its_equation_is_reported(drawn_wrong):
    found = polarity_disagreements(drawn_wrong)
    errors = [d for d in found if d.error]
    assert [d.message for d in errors] == [
        'link "Price" → "Demand" is drawn + but its equation makes it − (d Demand/d Price = -2)'
    ]
    info = [d for d in found if not d.error]
    assert [d.message for d in info] == [
        'link "Population" → "Crowding" is drawn +; its equation makes it + while Population < 5, − above'
    ]
    assert polarity_disagreements(drawn_wrong, information=False) == errors


def test_a_flow_drawn_with_the_wrong_sign_into_its_stock_is_reported():
    doc = SystemMap()
    tub = doc.add_variable("Tub", kind=Kind.STOCK, equation="1")
    drain = doc.add_variable("Drain", kind=Kind.FLOW, equation="tub / 2")
    doc.attach_flow(drain.id, source=tub.id, sink=None)
    doc.add_link(drain.id, tub.id, polarity="+")
    assert [d.message for d in polarity_disagreements(doc)] == [
        'link "Drain" → "Tub" is drawn + but its equation makes it − (it is an outflow of "Tub")'
    ]


def test_sysmap_check_reports_links_drawn_against_their_equations(drawn_wrong, tmp_path, capsys):
    path = tmp_path / "market.xmile"
    save(drawn_wrong, path)
    expected = (
        f'{path}: link "Price" → "Demand" is drawn + but its equation makes it − (d Demand/d Price = -2)'
    )
    assert expected in check_map(str(path))
    assert main(["check", str(path)]) == 1
    assert expected in capsys.readouterr().out


# --- hostile equations -----------------------------------------------------------------------------


def test_hostile_equations_end_with_an_answer():
    doc = model(
        ("x", "2", STOCK),
        ("Tower", "x^x^x^x^x^x^x^x^x^x"),
        ("Huge", "10^10^10^10 * x"),
        ("Deep", "EXP(" * 60 + "x" + ")" * 60),
    )
    assert sign(doc, "x", "Tower") == "?"
    assert sign(doc, "x", "Huge") == "+"
    assert sign(doc, "x", "Deep") == "+"


def test_a_500_term_sum_is_analysed_or_refused_as_too_large():
    tree = Name("x", "x")
    for i in range(500):
        tree = Binary("+", tree, Binary("*", Name(f"a{i}", f"a{i}"), Name("x", "x")))
    names = Names({"x": "positive", **{f"a{i}": "positive" for i in range(500)}})
    assert link_sign(tree, "x", names).sign == "+"
    for _ in range(MAX_NODES):
        tree = Binary("+", tree, Name("x", "x"))
    assert "too large" in link_sign(tree, "x", names).reason


def test_equation_text_is_never_evaluated(monkeypatch):
    import sympy.parsing.sympy_parser as sympy_parser

    def refuse(*args, **kwargs):
        raise AssertionError("equation text reached eval")

    monkeypatch.setattr(sympy_parser, "eval_expr", refuse)
    doc = model(("x", "2"), ("y", "x * LN(x) + MAX(x, 1) / (1 + x)"))
    assert sign(doc, "x", "y") == "+"


# --- whole maps and the command --------------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_every_example_map_is_analysed(name):
    doc = load(example_path(name))
    polarities = derive_polarities(doc)
    assert all(p.sign in "+-0?" for p in polarities.values())
    assert not [p.reason for p in polarities.values() if p.reason and "could not analyse" in p.reason]
    assert not [d.message for d in polarity_disagreements(doc, polarities=polarities) if d.error]


@pytest.mark.skipif(not (SHARED / "models").is_dir(), reason="the shared models are not here")
@pytest.mark.parametrize(
    ("file", "links", "definite"),
    [("wrld3-03.xmile", 482, 0.9), ("C-LEARN_v77_for_Vensim.xmile", 1629, 0.55)],
)
def test_large_models_are_analysed_link_by_link(file, links, definite):
    doc = load(SHARED / "models" / file)
    polarities = derive_polarities(doc)
    counts = Counter(p.sign for p in polarities.values())
    assert len(polarities) == links
    assert (counts["+"] + counts["-"] + counts["0"]) / links >= definite
    assert not [p.reason for p in polarities.values() if p.reason and "could not analyse" in p.reason]


def test_sysmap_polarity_lists_each_link_and_the_disagreements(drawn_wrong, tmp_path, capsys):
    path = tmp_path / "market.xmile"
    save(drawn_wrong, path)
    assert main(["polarity", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{path}: 2 links with equations: 0 +, 1 −, 1 conditional, 0 unknown, 0 nil",
        "Price → Demand: −  [drawn +]",
        "Population → Crowding: + while Population < 5, − above  [drawn +]",
        "1 link drawn against the equations:",
        '  link "Price" → "Demand" is drawn + but its equation makes it − (d Demand/d Price = -2)',
    ]


def test_sysmap_polarity_json_and_assumptions(tmp_path, capsys):
    doc = model(("a", "2", STOCK), ("b", "2", STOCK), ("Gap", "a - b"), ("x", "3"), ("y", "x * gap"))
    path = tmp_path / "gap.xmile"
    save(doc, path)
    assert main(["polarity", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    link = next(item for item in data["links"] if (item["cause"], item["effect"]) == ("x", "y"))
    assert (link["sign"], link["condition"], link["drawn"]) == ("?", "Gap > 0", None)
    assert main(["polarity", str(path), "--assume", "gap=positive"]) == 0
    assert "x → y: +  [not drawn]" in capsys.readouterr().out


def test_sysmap_polarity_refuses_bad_assumptions_in_one_line(tmp_path, capsys):
    path = tmp_path / "m.xmile"
    save(model(("x", "2"), ("y", "x")), path)
    assert main(["polarity", str(path), "--assume", "nobody=real"]) == 1
    err = capsys.readouterr().err
    assert err == "sysmap: there is no variable named 'nobody' to make an assumption about\n"


def test_sysmap_polarity_on_a_diagram_without_equations(capsys):
    path = example_path("perfect_storm")
    assert main(["polarity", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: no link has an equation to derive its polarity from\n"
