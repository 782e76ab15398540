"""Leverage ranking: loop counts per element that agree with enumeration, hand-worked maps whose
best lever and Meadows places a systems thinker would name, every example, World3, and the CLI."""

import json
import random
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.leverage import WEIGHTS, leverage_ranking, rank_graph, rank_leverage
from sysmap.analysis.loop_count import count_loops
from sysmap.analysis.loop_participation import loop_participation
from sysmap.analysis.loops import find_loops
from sysmap.cli import main
from sysmap.examples import example_names, example_path
from sysmap.io import load
from sysmap.model import Kind, SystemMap

SHARED = Path(__file__).resolve().parents[3] / "shared"
WORLD3 = SHARED / "models" / "wrld3-03.xmile"


def enumerated(graph) -> tuple[dict, dict]:
    """Loops through each variable and link by polarity, by listing every loop."""
    variables, links = Counter(), Counter()
    for loop in find_loops(graph):
        i = "RBU".index(loop.polarity)
        cycle = loop.variables
        for v in cycle:
            variables[v, i] += 1
        for edge in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            links[edge, i] += 1

    def split(counts, keys):
        found = {k: tuple(counts[k, i] for i in range(3)) for k in keys}
        return {k: c for k, c in found.items() if any(c)}

    return split(variables, graph.nodes), split(links, graph.edges)


def random_graph(seed: int) -> nx.DiGraph:
    rng = random.Random(seed)
    graph = nx.gnp_random_graph(rng.randint(3, 13), rng.choice([0.15, 0.25, 0.35]), seed=seed, directed=True)
    for node in rng.sample(list(graph), min(2, len(graph))):
        if rng.random() < 0.5:
            graph.add_edge(node, node)
    for u, v in graph.edges:
        graph.edges[u, v]["sign"] = rng.choice("++--?")
    return graph


def cld(*links, delayed=()) -> SystemMap:
    """A causal loop diagram from (cause, effect, polarity) triples, by name."""
    doc = SystemMap()
    ids = {}
    for cause, effect, _ in links:
        for name in (cause, effect):
            if name not in ids:
                ids[name] = doc.add_variable(name).id
    for cause, effect, sign in links:
        doc.add_link(ids[cause], ids[effect], polarity=sign, delay=(cause, effect) in delayed)
    return doc


def by_name(candidates):
    return {c.name: c for c in candidates}


# --- loops through each element -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(60))
def test_loops_through_each_element_match_enumeration(seed):
    graph = random_graph(seed)
    counted = loop_participation(graph)
    variables, links = enumerated(graph)
    assert {v: c for v, c in counted.variables.items() if any(c)} == variables
    assert {e: c for e, c in counted.links.items() if any(c)} == links
    assert counted.total.complete


@pytest.mark.parametrize("name", example_names())
def test_loops_through_each_element_match_enumeration_on_examples(name):
    graph = causal_graph(load(example_path(name)))
    counted = loop_participation(graph)
    variables, links = enumerated(graph)
    assert {v: c for v, c in counted.variables.items() if any(c)} == variables
    assert {e: c for e, c in counted.links.items() if any(c)} == links


def test_long_chains_are_attributed_to_every_variable_on_them():
    graph = nx.cycle_graph(30, nx.DiGraph)
    graph.add_edges_from([(0, 15), (15, 0), (7, 22), (22, 3)])
    nx.set_edge_attributes(graph, "-", "sign")
    counted = loop_participation(graph)
    variables, links = enumerated(graph)
    assert counted.variables == variables
    assert counted.links == links


def test_a_cancelled_count_gives_lower_bounds_for_every_element():
    graph = nx.complete_graph(8, nx.DiGraph)
    nx.set_edge_attributes(graph, "+", "sign")
    full = loop_participation(graph)
    calls = []
    partial = loop_participation(graph, cancel=lambda: calls.append(1) or len(calls) > 2)
    assert not partial.total.complete and partial.total.stopped_by == "cancelled"
    assert 0 < partial.total.total < full.total.total == count_loops(graph).total
    for v, counts in partial.variables.items():
        assert all(a <= b for a, b in zip(counts, full.variables[v], strict=True))
    # every loop counted passes through some variable, so the parts cover the whole
    assert sum(map(sum, partial.variables.values())) >= partial.total.total


def test_a_time_budget_stops_the_count_and_says_so():
    graph = nx.complete_graph(12, nx.DiGraph)
    counted = loop_participation(graph, time_limit=0.05)
    assert not counted.total.complete and counted.total.stopped_by == "time"
    ranking = rank_graph(graph, time_limit=0.05)
    assert not ranking.loops.complete
    assert all(not c.loops_exact for c in ranking.candidates)
    assert "at least" in ranking.candidates[0].why


# --- hand-worked maps -------------------------------------------------------------------------------


def test_a_hub_on_every_loop_ranks_first():
    doc = cld(
        ("Hub", "A", "+"),
        ("A", "Hub", "+"),
        ("Hub", "B", "+"),
        ("B", "C", "-"),
        ("C", "Hub", "+"),
        ("Hub", "D", "-"),
        ("D", "Hub", "-"),
        ("A", "B", "+"),
    )
    ranking = leverage_ranking(doc)
    top = ranking.candidates[0]
    assert top.name == "Hub" and top.kind == "variable"
    assert top.loops == ranking.loops.total == 4
    assert top.normalised.loops == 1.0 and top.score == pytest.approx(1.0)
    assert "every one of the map's 4 loops" in top.why
    # a reinforcing and a balancing loop through it: the gain is named first, the strength also
    assert (top.meadows, top.also) == (7, (8,))


def test_a_constant_is_a_parameter_and_an_outcome_is_no_lever():
    doc = SystemMap()
    stock = doc.add_variable("Water", kind=Kind.STOCK, equation="10")
    inflow = doc.add_variable("Filling", kind=Kind.FLOW, equation="tap")
    outflow = doc.add_variable("Draining", kind=Kind.FLOW, equation="water / drain_time")
    tap = doc.add_variable("Tap", kind=Kind.AUX, equation="2")
    drain = doc.add_variable("Drain time", kind=Kind.AUX, equation="5")
    level = doc.add_variable("Level shown", kind=Kind.AUX, equation="water")
    doc.attach_flow(inflow.id, source=None, sink=stock.id)
    doc.attach_flow(outflow.id, source=stock.id, sink=None)
    for cause, effect, sign in [
        (tap, inflow, "+"),
        (stock, outflow, "+"),
        (drain, outflow, "-"),
        (stock, level, "+"),
    ]:
        doc.add_link(cause.id, effect.id, polarity=sign)
    found = by_name(rank_leverage(doc))
    assert found["Tap"].meadows == 12
    assert found["Drain time"].meadows == 12  # a constant named as a time is still a number
    assert "acts directly on the loop B1" in found["Drain time"].why
    assert found["Level shown"].meadows is None
    assert "Nothing in the map depends on it" in found["Level shown"].why
    assert (found["Water"].meadows, found["Water"].also) == (8, (11,))  # the buffer on its drain loop
    assert found["Filling"].meadows == 10
    assert found["Filling → Water"].meadows == 10 and "into the stock 'Water'" in found["Filling → Water"].why
    assert (found["Draining → Water"].meadows, found["Draining → Water"].also) == (8, (10,))


def test_a_delayed_link_is_a_delay():
    doc = cld(
        ("Orders", "Stock", "+"),
        ("Stock", "Orders", "-"),
        ("Price", "Orders", "-"),
        delayed={("Orders", "Stock")},
    )
    found = by_name(rank_leverage(doc))
    delayed = found["Orders → Stock"]
    assert 9 in (delayed.meadows, *delayed.also)
    assert "#9 delays" in delayed.why
    assert 9 not in (found["Stock → Orders"].meadows, *found["Stock → Orders"].also)


def test_a_delaying_equation_is_a_delay():
    doc = SystemMap()
    demand = doc.add_variable("Demand", kind=Kind.AUX, equation="100")
    seen = doc.add_variable("Smoothed demand", kind=Kind.AUX, equation="SMTH1(demand, 4)")
    doc.add_link(demand.id, seen.id, polarity="+")
    assert by_name(rank_leverage(doc))["Smoothed demand"].meadows is None  # it moves nothing
    other = doc.add_variable("Production", kind=Kind.AUX, equation="smoothed_demand")
    doc.add_link(seen.id, other.id, polarity="+")
    assert by_name(rank_leverage(doc))["Smoothed demand"].meadows == 9


def test_a_stock_is_a_buffer():
    doc = SystemMap()
    stock = doc.add_variable("Reservoir", kind=Kind.STOCK, equation="100")
    rain = doc.add_variable("Rain", kind=Kind.FLOW, equation="3")
    farms = doc.add_variable("Irrigation", kind=Kind.AUX, equation="reservoir / 10")
    doc.attach_flow(rain.id, source=None, sink=stock.id)
    doc.add_link(stock.id, farms.id, polarity="+")
    found = by_name(rank_leverage(doc))
    assert (found["Reservoir"].meadows, found["Reservoir"].also) == (11, ())
    assert "buffer" in found["Reservoir"].why
    assert (found["Rain"].meadows, found["Rain"].also) == (10, (12,))  # a constant flow: structure and number


def test_names_mark_goals_rules_and_information_only_where_structure_allows():
    doc = cld(
        ("Waiting-time target", "Pressure", "-"),
        ("Reported waiting time", "Pressure", "+"),
        ("Pressure", "Gaming", "+"),
        ("Gaming", "Reported waiting time", "-"),
        ("Eligibility criteria", "Pressure", "-"),
        ("Target year", "Pressure", "+"),
        ("Atmospheric CO2 law dome", "Pressure", "+"),
        ("Policy implementation time", "Pressure", "+"),
        ("Pressure", "Target achieved", "+"),
    )
    found = by_name(rank_leverage(doc))
    goal = found["Waiting-time target"]
    assert (goal.meadows, goal.also) == (3, (12,))
    assert "the balancing loop B1" in goal.why
    assert found["Eligibility criteria"].meadows == 5
    assert found["Reported waiting time"].meadows == 6
    assert found["Reported waiting time → Pressure"].meadows == 6
    for setting in ("Target year", "Atmospheric CO2 law dome", "Policy implementation time"):
        assert found[setting].meadows == 12, setting
    assert found["Target achieved"].meadows is None  # an outcome, whatever its name


def test_a_goal_needs_a_loop_it_can_steer():
    doc = cld(
        ("Sales target", "Effort", "+"),
        ("Effort", "Sales", "+"),
        ("Sales", "Morale", "+"),
        ("Morale", "Effort", "+"),
    )
    found = by_name(rank_leverage(doc))
    assert found["Sales target"].meadows == 12  # only a reinforcing loop downstream: nothing to steer


def test_loops_of_unknown_polarity_support_neither_gain_nor_strength():
    doc = cld(("A", "B", "?"), ("B", "A", "+"), ("A", "C", "+"))
    found = by_name(rank_leverage(doc))
    assert found["A"].meadows is None and found["A → B"].meadows is None
    assert "mark the links' polarities" in found["A"].why


def test_ties_are_broken_by_name():
    doc = cld(
        ("Beta", "Alpha", "+"), ("Alpha", "Beta", "+"), ("Delta", "Gamma", "+"), ("Gamma", "Delta", "+")
    )
    names = [c.name for c in rank_leverage(doc) if c.kind == "variable"]
    assert names == ["Alpha", "Beta", "Delta", "Gamma"]
    assert [c.name for c in rank_leverage(doc)] == [c.name for c in rank_leverage(doc)]


def test_links_are_candidates_with_their_drawn_links():
    doc = cld(("A", "B", "+"), ("B", "A", "-"))
    link = next(c for c in rank_leverage(doc) if c.kind == "link" and c.name == "A → B")
    assert link.element == (doc.variable_named("A").id, doc.variable_named("B").id)
    assert link.links == tuple(lk.id for lk in doc.links_from(doc.variable_named("A").id))
    assert (link.loops, link.loops_by_polarity, link.loop_names) == (1, (0, 1, 0), ("B1",))


def test_centrality_falls_back_to_katz_where_eigenvector_says_nothing():
    one_loop = nx.DiGraph()
    one_loop.add_edges_from([("a", "b"), ("b", "a"), ("p", "a")], sign="+")
    assert rank_graph(one_loop).centrality_method == "eigenvector"
    no_loops = nx.DiGraph()
    no_loops.add_edges_from([("a", "b"), ("b", "c")], sign="+")
    assert rank_graph(no_loops).centrality_method == "katz"
    # a dense loop structure and a separate plain loop: eigenvector gives the plain one zero
    two = nx.complete_graph(4, nx.DiGraph)
    two.add_edges_from([(10, 11), (11, 10)])
    nx.set_edge_attributes(two, "+", "sign")
    ranking = rank_graph(two)
    assert ranking.centrality_method == "katz"
    assert all(c.centrality > 0 for c in ranking.candidates if c.kind == "variable")


def test_bad_input_and_empty_maps():
    with pytest.raises(ValueError, match="at least 1"):
        rank_graph(nx.DiGraph([("a", "b")]), k=0)
    assert rank_leverage(SystemMap()) == []
    single = SystemMap()
    single.add_variable("Alone")
    (only,) = rank_leverage(single)
    assert only.score == 0 and only.meadows is None


# --- the examples -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_every_example_ranks(name):
    doc = load(example_path(name))
    ranking = leverage_ranking(doc)
    graph = causal_graph(doc)
    candidates = ranking.candidates
    assert len(candidates) == graph.number_of_nodes() + graph.number_of_edges()
    assert [c.rank for c in candidates] == list(range(1, len(candidates) + 1))
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    for c in candidates:
        for part in WEIGHTS:
            assert 0 <= getattr(c.normalised, part) <= 1
        assert c.score == pytest.approx(c.normalised.total())
        assert c.why.startswith(f"'{c.name}'") and c.why.endswith(".")
        assert c.meadows is None or c.meadows in range(3, 13)
    for part in ("loops", "independent_loops", "centrality", "reach"):
        assert max(getattr(c.normalised, part) for c in candidates) in (0.0, 1.0)
    top = candidates[0]
    assert top.kind == "variable" and top.loops > 0


def test_social_care_workload_by_hand():
    found = rank_leverage(load(example_path("social_care_workload")))
    top = found[0]
    # workload is the hub: on 7 of the 8 loops, both balancing ones among them
    assert top.name == "Social worker workload"
    assert (top.loops, top.loops_by_polarity) == (7, (5, 2, 0))
    assert "both balancing loops (B1, B2)" in top.why
    assert (top.meadows, top.also) == (7, (8,))
    named = by_name(found)
    assert named["Procedural requirements"].meadows == 5  # the rules Munro's review asked to cut
    assert named["Referral threshold"].meadows == 5
    assert named["New referrals"].meadows == 12  # demand from outside the map
    for link in ("Overtime → Staff sick leave", "Outcomes for children → Re-referrals"):
        assert 9 in named[link].also
    # the workload variable outranks every link into it
    assert all(
        c.rank > top.rank for c in found if c.kind == "link" and c.name.endswith("→ Social worker workload")
    )


def test_worklessness_by_hand():
    found = rank_leverage(load(example_path("worklessness")))
    top = found[0]
    assert top.name == "Jobseekers"  # the stock every route in and out of work passes
    assert 11 in top.also and top.loops == 4
    named = by_name(found)
    for flow in (
        "Job finding",
        "Job loss",
        "Moving onto incapacity benefit",
        "Moving off incapacity benefit",
    ):
        assert 10 in (named[flow].meadows, *named[flow].also)
    assert 10 in named["Job finding → People in work"].also
    # of the numbers a policy can set, skills support acts on the most loops (both exits from benefits)
    parameters = [c for c in found if c.kind == "variable" and c.meadows == 12]
    assert parameters[0].name == "Skills support"
    assert {c.name for c in parameters} == {
        "Skills support",
        "Employer demand",
        "Incapacity exit rate",
        "Incapacity onset rate",
        "Job finding rate",
        "Job loss rate",
    }


# --- World3 -----------------------------------------------------------------------------------------


@pytest.mark.skipif(not WORLD3.is_file(), reason="needs ../shared/models")
def test_world3_ranks_with_exact_loop_counts():
    doc = load(WORLD3)
    ranking = leverage_ranking(doc, time_limit=60)
    assert ranking.loops.complete and ranking.loops.total == 1_863_803
    assert ranking.independent_loops == 101
    named = by_name(ranking.candidates)
    graph = causal_graph(doc)
    births = doc.variable_named("births").id
    without = graph.copy()
    without.remove_node(births)
    assert named["births"].loops == 1_863_803 - count_loops(without).total
    top = ranking.candidates[0]
    assert top.loops > 0.9 * ranking.loops.total
    assert named["perceived life expectancy"].meadows == 6
    assert 9 in named["perceived life expectancy"].also  # smoothed: a perception delay
    assert named["desired completed family size"].meadows == 3
    assert named["population 0 to 14"].meadows == 11
    assert not any(c.meadows in (7, 8) for c in ranking.candidates)  # no link polarity is marked


# --- the command line -------------------------------------------------------------------------------


def test_cli_prints_a_table_and_why(capsys):
    path = example_path("social_care_workload")
    assert main(["leverage", str(path), "--top", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}: 13 variables, 20 links; 8 loops (6 reinforcing, 2 balancing")
    header = next(i for i, line in enumerate(out) if line.startswith("rank"))
    assert out[header].split() == [
        "rank",
        "score",
        "kind",
        "name",
        "loops",
        "ILS",
        "betw",
        "cent",
        "reach",
        "Meadows",
    ]
    first = out[header + 1]
    assert first.split()[:3] == ["1", "1.000", "variable"]
    assert "Social worker workload" in first and first.endswith("#7 reinforcing gain")
    assert out[header + 6] == "" and out[header + 7] == "why:"
    assert out[header + 8].startswith("  1. 'Social worker workload' is on 7 of the map's 8 loops")


def test_cli_json_gives_the_same_data(capsys):
    path = example_path("worklessness")
    assert main(["leverage", str(path), "--top", "4"]) == 0
    text = capsys.readouterr().out
    assert main(["leverage", str(path), "--json", "--top", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == str(path) and data["loops"]["total"] == 6 and data["loops"]["exact"]
    assert data["centrality_method"] == "eigenvector" and data["weights"] == WEIGHTS
    assert len(data["candidates"]) == 4
    first = data["candidates"][0]
    assert first["name"] == "Jobseekers" and first["meadows"] == {
        "number": 7,
        "name": "reinforcing gain",
        "also": [8, 11],
    }
    assert first["loops"]["names"] == ["B2", "B4", "R1", "R2"]
    assert set(first["normalised"]) == set(WEIGHTS)
    for candidate in data["candidates"]:
        assert candidate["name"] in text and f"{candidate['score']:.3f}" in text


def test_cli_shows_the_rooms_dot_votes_beside_the_ranking(tmp_path, capsys):
    from sysmap.io import save
    from sysmap.model import workshop as ws

    doc = load(example_path("social_care_workload"))
    dots = {"Social worker workload": 5, "Overtime": 4, "Public criticism": 3}
    doc.apply(ws.set_votes(doc, {doc.variable_named(n).id: d for n, d in dots.items()}))
    path = tmp_path / "voted.xmile"
    save(doc, path)
    assert main(["leverage", str(path), "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("dot votes: Agreement with computed leverage: ρ = +1.00 (Spearman, 3 voted variables)")
    shown = [line.split() for line in out[start + 1 :]]
    assert [row[0] for row in shown[:3]] == ["5", "4", "3"]
    assert out[start + 3].endswith("Public criticism  (voted, but low computed leverage)")
    assert any(line.endswith("(high computed leverage, no votes)") for line in out[start + 1 :])
    assert main(["leverage", str(path), "--json"]) == 0
    votes = json.loads(capsys.readouterr().out)["dot_votes"]
    assert [(r["variable"], r["dots"]) for r in votes["variables"][:3]] == list(dots.items())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.xmile"], "missing.xmile"),
        (["{example}", "--top", "0"], "--top"),
        (["{example}", "--time", "0"], "--time"),
    ],
)
def test_cli_bad_input_is_one_line(capsys, args, message):
    args = [a.format(example=example_path("bathtub")) for a in args]
    assert main(["leverage", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err and "Traceback" not in captured.err
