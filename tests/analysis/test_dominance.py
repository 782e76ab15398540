"""Loops that Matter dominance: known models, hand-checkable scores, refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sysmap.analysis.dominance import loop_dominance
from sysmap.analysis.loop_labels import cycle_key
from sysmap.errors import SysmapError
from sysmap.io import load
from sysmap.model import Kind, SimSpecs, SystemMap, operations
from sysmap.sim import compile_model


def _stock_with_inflow(equation: str, *, dt: float = 0.25, stop: float = 30.0, extra=()) -> SystemMap:
    doc = SystemMap(sim_specs=SimSpecs(start=0.0, stop=stop, dt=dt))
    pop = doc.add_variable("Population", kind=Kind.STOCK, equation="10")
    for name, eqn in extra:
        doc.add_variable(name, kind=Kind.AUX, equation=eqn)
    growth = doc.add_variable("Growth", kind=Kind.FLOW, equation=equation)
    doc.attach_flow(growth.id, source=None, sink=pop.id)
    return doc


def test_exponential_growth_has_one_reinforcing_loop_at_plus_one_every_step():
    d = loop_dominance(_stock_with_inflow("Population * Rate", extra=[("Rate", "0.1")]))
    assert [(loop.name, loop.variables) for loop in d.loops] == [("R1", ("Growth", "Population"))]
    assert d.relative.shape == (1, len(d.times))
    assert np.allclose(d.relative, 1.0)
    assert np.allclose(d.scores, 1.0)  # LS(P -> G) = 1, LS(G -> P) = |ΔG / ΔG| = 1


def test_logistic_growth_shifts_from_reinforcing_to_balancing_near_the_inflection():
    doc = _stock_with_inflow(
        "0.5 * Population * Room", extra=[("Room", "1 - Population / 1000")], dt=0.125, stop=40.0
    )
    d = loop_dominance(doc)
    names = {loop.variables: loop.name for loop in d.loops}
    assert names == {("Growth", "Population"): "R1", ("Growth", "Population", "Room"): "B1"}
    periods = d.periods()
    assert [p.loops[0][0].name for p in periods] == ["R1", "B1"]
    # the switch comes where the stock passes half its limit (the inflection), within a step or two

    results = compile_model(doc).run(method="euler")
    inflection = results.times[np.argmax(results["Population"] >= 500)]
    assert abs(periods[1].start - inflection) <= 2 * 0.125
    assert periods[0].start == 0.125 and periods[-1].end == 40.0


def test_relative_scores_sum_to_one_in_absolute_value_wherever_a_loop_scores():
    d = loop_dominance(load("examples/sir_epidemic.xmile"))
    total = np.abs(d.relative).sum(axis=0)
    active = np.abs(d.scores).sum(axis=0) > 0
    assert active.mean() > 0.9
    assert np.allclose(total[active], 1.0)
    assert np.all(total[~active] == 0)


def test_sir_infection_dominates_early_then_balancing_loops_named_as_on_the_map():
    doc = load("examples/sir_epidemic.xmile")
    labels = {label.text: {doc.variables[v].name for v in label.loop} for label in doc.loop_labels.values()}
    assert labels["B2"] == {"Infected", "Recovery"}  # the map's recovery loop is B2, depletion B1
    d = loop_dominance(doc)
    by_name = {loop.name: loop.variables for loop in d.loops}
    assert by_name == {
        "R1": ("Infected", "Infection"),
        "B2": ("Infected", "Recovery"),
        "B1": ("Infection", "Susceptible"),
    }
    dominant = [p.loops[0][0].name for p in d.periods()]
    assert dominant == ["R1", "B1", "B2"]  # contagion, then depletion, then recovery drains the rest
    first = d.periods(top=3)[0]
    assert [lp.name for lp, _ in first.loops] == ["R1", "B2", "B1"]
    assert first.loops[0][1] > 0.5


def test_loops_take_the_names_of_the_map_labels_with_their_cycle_and_skip_used_numbers():
    doc = _stock_with_inflow(
        "0.5 * Population * Room", extra=[("Room", "1 - Population / 1000")], dt=0.25, stop=20.0
    )
    ids = {v.name: v.id for v in doc.variables.values()}
    # the reinforcing loop, listed from another variable than the one dominance starts from
    for text, loop in [
        ("Engine", (ids["Population"], ids["Growth"])),
        ("B1", ()),  # a label naming no loop still takes its number
        ("R7", (ids["Growth"], ids["Room"])),  # no such loop: not used
    ]:
        doc.apply(operations.add_loop_label(doc, text, (0.0, 0.0), loop=loop))
    d = loop_dominance(doc)
    assert {loop.name: loop.variables for loop in d.loops} == {
        "Engine": ("Growth", "Population"),
        "B2": ("Growth", "Population", "Room"),
    }
    assert {loop.name: loop.polarity for loop in d.loops} == {"Engine": "R", "B2": "B"}
    assert [p.loops[0][0].name for p in d.periods()] == ["Engine", "B2"]


def _ring(n: int = 12, hops=(1, 2, 3, 5)) -> SystemMap:
    """Stocks S0..S11 in a ring: each one's inflow reads the stocks 1, 2, 3 and 5 places back,
    each one's outflow grows with its square (15,535 loops)."""
    doc = SystemMap(sim_specs=SimSpecs(start=0.0, stop=20.0, dt=0.125))
    stocks = [doc.add_variable(f"S{i}", kind=Kind.STOCK, equation=str(10 + i)) for i in range(n)]
    for i, stock in enumerate(stocks):
        terms = " + ".join(f"{0.3 / h:.3f} * S{(i - h) % n}" for h in hops)
        inflow = doc.add_variable(f"F{i}", kind=Kind.FLOW, equation=terms)
        doc.attach_flow(inflow.id, source=None, sink=stock.id)
        outflow = doc.add_variable(f"O{i}", kind=Kind.FLOW, equation=f"0.0005 * S{i} ^ 2")
        doc.attach_flow(outflow.id, source=stock.id, sink=None)
    return doc


def test_too_many_loops_are_found_by_strongest_paths_with_the_same_dominant_loops():
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loop_count import count_loops

    doc = _ring()
    assert count_loops(causal_graph(doc, derive=True)).total == 15_535
    everything = loop_dominance(doc, max_loops=100_000, time_limit=60.0)
    assert everything.loop_set == "all" and len(everything.loops) > 10_000
    found = loop_dominance(doc)  # past the default budget
    assert found.loop_set == "strongest paths"
    assert 10 < len(found.loops) < len(everything.loops) / 20

    def dominant(d):
        return [(p.start, p.end, cycle_key(p.loops[0][0].variables)) for p in d.periods()]

    assert dominant(found) == dominant(everything)
    assert len(dominant(found)) > 5
    ring = [name for i in range(12) for name in (f"F{i}", f"S{i}")]
    assert cycle_key(ring) in {key for *_, key in dominant(found)}  # the long ring has its turn
    # every loop found is a loop of the map, scored as the enumeration scores it
    rows = {
        cycle_key(loop.variables): row for loop, row in zip(everything.loops, everything.scores, strict=True)
    }
    for loop, row in zip(found.loops, found.scores, strict=True):
        assert np.allclose(row, rows[cycle_key(loop.variables)])


def test_strongest_paths_with_fewer_sampled_steps_still_finds_the_early_dominant_loop():
    found = loop_dominance(_ring(), search_steps=5)
    assert found.loop_set == "strongest paths"
    assert found.periods()[0].loops[0][0].variables == ("O11", "S11")


def test_a_flow_to_stock_score_does_not_change_when_flows_are_merged():
    # 2023 correction: in/out flows, or the same two as auxiliaries into one net flow
    split = SystemMap(sim_specs=SimSpecs(stop=20.0, dt=0.5))
    s = split.add_variable("S", kind=Kind.STOCK, equation="10")
    i = split.add_variable("In", kind=Kind.FLOW, equation="0.3 * S ^ 0.8")
    o = split.add_variable("Out", kind=Kind.FLOW, equation="0.02 * S ^ 1.3")
    split.attach_flow(i.id, source=None, sink=s.id)
    split.attach_flow(o.id, source=s.id, sink=None)
    merged = SystemMap(sim_specs=SimSpecs(stop=20.0, dt=0.5))
    s = merged.add_variable("S", kind=Kind.STOCK, equation="10")
    merged.add_variable("In", kind=Kind.AUX, equation="0.3 * S ^ 0.8")
    merged.add_variable("Out", kind=Kind.AUX, equation="0.02 * S ^ 1.3")
    net = merged.add_variable("Net", kind=Kind.FLOW, equation="In - Out")
    merged.attach_flow(net.id, source=None, sink=s.id)
    a, b = loop_dominance(split), loop_dominance(merged)

    def by_flow(d):
        return {
            ("In" if "In" in lp.variables else "Out"): row
            for lp, row in zip(d.loops, d.relative, strict=True)
        }

    rel_a, rel_b = by_flow(a), by_flow(b)
    assert len(a.loops) == len(b.loops) == 2
    assert np.allclose(rel_a["In"], rel_b["In"]) and np.allclose(rel_a["Out"], rel_b["Out"])
    assert np.all(rel_a["In"] > 0) and np.all(rel_a["Out"] < 0)


def test_a_causal_loop_diagram_is_refused_in_one_line():
    with pytest.raises(SysmapError, match="no variable has an equation") as info:
        loop_dominance(load("examples/social_care_workload.xmile"))
    assert "\n" not in str(info.value)


def _drained(drain: str, *, level: str | None = None) -> SystemMap:
    """Stock (100) drained by ``drain``, with an auxiliary Level = ``level`` if given."""
    doc = SystemMap(sim_specs=SimSpecs(start=0.0, stop=30.0, dt=0.25))
    stock = doc.add_variable("Stock", kind=Kind.STOCK, equation="100")
    if level is not None:
        doc.add_variable("Level", kind=Kind.AUX, equation=level)
    flow = doc.add_variable("Drain", kind=Kind.FLOW, equation=drain)
    doc.attach_flow(flow.id, source=stock.id, sink=None)
    return doc


def test_a_smooth_on_a_balancing_loop_scores_it_through_its_hidden_stock_under_the_users_names():
    doc = _drained("Level / 5", level="SMTH1(Stock, 3)")
    d = loop_dominance(doc)
    # the smoothing's own adjustment loop is its inner working: one loop, Level standing for it
    assert [(lp.name, lp.polarity, cycle_key(lp.variables)) for lp in d.loops] == [
        ("B1", "B", cycle_key(("Drain", "Stock", "Level")))
    ]
    assert d.relative[0, 0] == 0  # the first step: Level has not moved yet, nor has Drain
    assert np.allclose(d.relative[0, 1:], -1.0)
    # by hand: LS(Stock -> Level's stock) = |ΔStock / Δrate| with rate = (Stock - Level) / 3,
    # then Level -> Drain and Drain -> Stock score 1 and -1; Level is the hidden stock's value
    results = compile_model(doc).run(method="euler")
    d_stock, d_level = np.diff(results["Stock"]), np.diff(results["Level"])
    assert np.allclose(d.scores[0, 1:], -np.abs(d_stock / (d_stock - d_level))[1:])
    assert d.periods()[0].loops[0][0].name == "B1"


def test_a_delay3_scores_as_its_three_stages_drawn_as_stocks_and_flows():
    delayed = loop_dominance(_drained("DELAY3(Stock / 4, 6)"))
    assert [(lp.polarity, cycle_key(lp.variables)) for lp in delayed.loops] == [
        ("B", cycle_key(("Stock", "Drain")))
    ]
    # the same delay drawn out: three stages of 50 (25 a year for 2 years), each draining by /2
    drawn = _drained("Out3")
    upstream = "Stock / 4"
    for k in (1, 2, 3):
        stage = drawn.add_variable(f"Stage{k}", kind=Kind.STOCK, equation="Stock / 4 * 2")
        into = drawn.add_variable(f"In{k}", kind=Kind.FLOW, equation=upstream)
        out = drawn.add_variable(f"Out{k}", kind=Kind.FLOW, equation=f"Stage{k} / 2")
        drawn.attach_flow(into.id, source=None, sink=stage.id)
        drawn.attach_flow(out.id, source=stage.id, sink=None)
        upstream = f"Out{k}"
    explicit = loop_dominance(drawn)
    long = [row for lp, row in zip(explicit.loops, explicit.scores, strict=True) if "Stock" in lp.variables]
    assert len(long) == 1  # the stages' own draining loops are the others
    assert np.abs(delayed.scores[0]).max() > 0
    assert np.allclose(delayed.scores[0], long[0])


def test_functions_with_a_memory_are_refused():
    doc = _stock_with_inflow("PREVIOUS(Population, 10) * 0.1")
    with pytest.raises(SysmapError, match="memory"):
        loop_dominance(doc)


WORLD3 = Path("/work/shared/models/wrld3-03.xmile")


@pytest.mark.skipif(not WORLD3.exists(), reason="World3 is not on this machine")
def test_world3_with_its_smooths_and_delays_has_a_dominant_loop_in_each_period():
    doc = load(WORLD3)
    d = loop_dominance(doc)
    assert d.loop_set == "strongest paths" and len(d.loops) > 100
    periods = d.periods()
    assert len(periods) > 5
    covered = sum(round((p.end - p.start) / d.dt) + 1 for p in periods)
    assert covered > 0.9 * len(d.times)
    names = set(compile_model(doc).names)  # as the results show them
    for period in periods:
        assert set(period.loops[0][0].variables) <= names and period.loops[0][1] > 0
    # loops through the smoothed and delayed variables are found and named by them
    through = {name for lp in d.loops for name in lp.variables}
    assert {"perceived life expectancy", "delayed industrial output per capita"} <= through


def test_other_integration_methods_are_refused():
    with pytest.raises(SysmapError, match="Euler"):
        loop_dominance(_stock_with_inflow("Population * 0.1"), method="rk4")
