"""Feedback loops: found completely on graphs with known answers, with the right polarity,
named stably, and within a budget that says when it stopped."""

import json
import random
from pathlib import Path

import networkx as nx
import pytest

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loops import LoopSearch, components, find_loops, loops_through, name_loops, polarity_of
from sysmap.cli import main
from sysmap.examples import example_names, example_path
from sysmap.io import load
from sysmap.model import Kind, SystemMap

SHARED = Path(__file__).resolve().parents[3] / "shared"


def signed_complete(n: int) -> nx.DiGraph:
    graph = nx.complete_graph(n, nx.DiGraph)
    nx.set_edge_attributes(graph, "+", "sign")
    return graph


@pytest.mark.parametrize(("n", "count"), [(3, 5), (4, 20), (5, 84), (6, 409)])
def test_complete_graphs_have_their_known_loop_counts(n, count):
    assert sum(1 for _ in find_loops(signed_complete(n))) == count


@pytest.mark.parametrize("seed", range(25))
def test_the_same_loops_as_networkx_on_random_graphs(seed):
    rng = random.Random(seed)
    graph = nx.gnp_random_graph(11, 0.28, seed=seed, directed=True)
    for u, v in graph.edges:
        graph.edges[u, v]["sign"] = rng.choice("+-?")
    ours = sorted(loop.variables for loop in find_loops(graph))

    def rotated(cycle):
        first = min(range(len(cycle)), key=lambda i: str(cycle[i]))
        return tuple(cycle[first:] + cycle[:first])

    assert ours == sorted(rotated(c) for c in nx.simple_cycles(graph))
    for loop in find_loops(graph):
        assert loop.polarity == polarity_of(loop.signs)


def test_polarity_counts_negative_links_and_unknowns():
    assert polarity_of("++") == "R"
    assert polarity_of("--") == "R"
    assert polarity_of("+--") == "R"
    assert polarity_of("-") == "B"
    assert polarity_of("+-+") == "B"
    assert polarity_of("+?-") == "U"


def test_self_loops_are_loops_of_length_one():
    graph = nx.DiGraph()
    graph.add_edge("a", "a", sign="-")
    assert [(loop.variables, loop.polarity) for loop in find_loops(graph)] == [(("a",), "B")]


def test_components_report_the_size_of_the_job_before_searching():
    graph = signed_complete(5)
    graph.add_edge(10, 11, sign="+")  # no loop: not a component worth searching
    found = components(graph)
    assert [(len(c.variables), c.edges, c.cycle_rank) for c in found] == [(5, 20, 16)]


def test_a_count_budget_stops_the_search_and_says_so():
    search = LoopSearch(signed_complete(8), max_loops=1000)
    assert sum(1 for _ in search) == 1000
    assert not search.complete and search.stopped_by == "count"


def test_a_time_budget_stops_even_between_loops():
    search = LoopSearch(signed_complete(10), time_limit=0.02)
    found = sum(1 for _ in search)
    assert 0 < found < 1_000_000
    assert not search.complete and search.stopped_by == "time"


def test_cancelling_stops_the_search():
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    search = LoopSearch(signed_complete(9), cancel=cancel)
    list(search)
    assert search.stopped_by == "cancelled" and not search.complete


def test_progress_is_reported_and_a_finished_search_is_complete():
    seen = []
    search = LoopSearch(
        signed_complete(6), progress=lambda done, total, found: seen.append((done, total, found))
    )
    assert sum(1 for _ in search) == 409
    assert search.complete and search.stopped_by is None
    assert seen[-1] == (1, 1, 409)


def test_names_are_ordered_by_length_then_name_and_stable():
    graph = nx.DiGraph()
    for u, v, sign in [("a", "b", "+"), ("b", "a", "+"), ("b", "c", "-"), ("c", "b", "+"), ("c", "a", "+")]:
        graph.add_edge(u, v, sign=sign)
    first = [(loop.name, loop.variables) for loop in name_loops(find_loops(graph), graph)]
    again = [(loop.name, loop.variables) for loop in name_loops(reversed(list(find_loops(graph))), graph)]
    assert first == again
    assert first == [("R1", ("a", "b")), ("B1", ("b", "c")), ("B2", ("a", "b", "c"))]


# -- the causal graph's conventions -----------------------------------------------------------


def test_flows_raise_and_lower_their_stocks():
    doc = SystemMap()
    tub = doc.add_variable("Tub", kind=Kind.STOCK, equation="10")
    drain = doc.add_variable("Drain", kind=Kind.FLOW, equation="tub / 5")
    doc.attach_flow(drain.id, source=tub.id, sink=None)
    doc.add_link(tub.id, drain.id, polarity="+")
    [loop] = find_loops(causal_graph(doc))
    assert loop.polarity == "B"  # the drain empties the tub that drives it


def test_initial_value_links_close_no_loop_unless_asked():
    doc = SystemMap()
    stock = doc.add_variable("Stock", kind=Kind.STOCK, equation="start")
    start = doc.add_variable("Start", kind=Kind.AUX, equation="stock")
    assert list(find_loops(causal_graph(doc))) == []
    assert len(list(find_loops(causal_graph(doc, initial=True)))) == 1
    assert stock.id != start.id


def test_parallel_links_that_disagree_make_an_undetermined_loop():
    doc = SystemMap()
    a, b = doc.add_variable("A"), doc.add_variable("B")
    doc.add_link(a.id, b.id, polarity="+")
    doc.add_link(a.id, b.id, polarity="-")
    doc.add_link(b.id, a.id, polarity="+", delay=True)
    [loop] = find_loops(causal_graph(doc))
    assert loop.polarity == "U" and loop.delay


def test_an_equation_without_a_drawn_link_has_unknown_polarity():
    doc = SystemMap()
    a = doc.add_variable("A", kind=Kind.AUX, equation="b")
    b = doc.add_variable("B", kind=Kind.AUX, equation="a")
    doc.add_link(a.id, b.id, polarity="-")
    [loop] = find_loops(causal_graph(doc))
    assert loop.signs.count("?") == 1 and loop.polarity == "U"


# -- the examples' hand-drawn loop labels are found, with their polarity -------------------------


@pytest.mark.parametrize("name", example_names())
def test_every_labelled_loop_of_an_example_is_found_with_its_polarity(name):
    doc = load(example_path(name))
    loops = {frozenset(loop.variables): loop for loop in find_loops(causal_graph(doc))}
    for label in doc.loop_labels.values():
        if not label.loop:
            continue
        found = loops.get(frozenset(label.loop))
        assert found is not None, f"{label.text}: no such loop"
        assert found.polarity == label.text[0], label.text


def test_the_public_address_howl_is_one_reinforcing_loop():
    doc = load(example_path("pa_feedback"))
    [loop] = name_loops(find_loops(causal_graph(doc)))
    names = [doc.variables[v].label for v in loop.variables]
    assert (loop.name, loop.signs) == ("R1", ("+", "+", "+", "+"))
    assert names == [
        "Amplifier output",
        "Loudspeaker volume",
        "Sound reaching microphone",
        "Microphone signal",
    ]


def test_loops_command_prints_names_polarities_and_members(capsys):
    assert main(["loops", "examples/social_care_workload.xmile"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "8 loops: 6 reinforcing, 2 balancing, 0 undetermined"
    assert out[2] == "B1    length 2    Overtime → Social worker workload → Overtime"


def test_loops_command_json_and_budget(capsys):
    assert main(["loops", "--json", "--max-loops", "3", "examples/social_care_workload.xmile"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is False and data["stopped_by"] == "count"
    assert len(data["loops"]) == 3
    assert data["components"] == [{"variables": 12, "edges": 19, "cycle_rank": 8}]
    assert {loop["polarity"] for loop in data["loops"]} <= {"R", "B", "U"}


@pytest.mark.skipif(not (SHARED / "models").is_dir(), reason="the shared models are not here")
def test_world3_has_one_feedback_component_of_cycle_rank_101():
    doc = load(SHARED / "models" / "wrld3-03.xmile")
    [component] = components(causal_graph(doc))
    assert component.cycle_rank == 101  # Oliva's count of World3's independent loops


def test_loops_through_a_variable_come_shortest_first_and_are_all_there():
    graph = signed_complete(6)
    through = list(loops_through(graph, 2))
    lengths = [loop.length for loop in through]
    assert lengths == sorted(lengths)
    assert len(through) == sum(1 for loop in find_loops(graph) if 2 in loop.variables)
    assert len(set(through)) == len(through)


def test_loops_through_a_link():
    graph = signed_complete(5)
    through = list(loops_through(graph, link=(1, 3)))
    expected = {
        loop
        for loop in find_loops(graph)
        if any(
            (a, b) == (1, 3)
            for a, b in zip(loop.variables, loop.variables[1:] + loop.variables[:1], strict=True)
        )
    }
    assert set(through) == expected
    assert [loop.length for loop in through] == sorted(loop.length for loop in through)


def test_loops_through_with_budgets_and_misses():
    graph = signed_complete(7)
    assert len(list(loops_through(graph, 0, max_loops=10))) == 10
    assert {loop.length for loop in loops_through(graph, 0, max_length=3)} == {2, 3}
    graph.add_edge(0, 99, sign="+")
    assert list(loops_through(graph, 99)) == []
    assert list(loops_through(graph, link=(0, 99))) == []
    assert list(loops_through(graph, "absent")) == []
    with pytest.raises(ValueError):
        list(loops_through(graph))


def test_loops_through_a_self_linked_variable():
    graph = signed_complete(3)
    graph.add_edge(1, 1, sign="-")
    through = list(loops_through(graph, 1))
    assert through[0].variables == (1,) and through[0].polarity == "B"
    assert [loop.variables for loop in loops_through(graph, link=(1, 1))] == [(1,)]


def test_loops_command_through_a_variable_reads_from_it(capsys):
    assert main(["loops", "examples/social_care_workload.xmile", "--through", "staff sick leave"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "2 loops through Staff sick leave, shortest first:"
    assert all(line.split("  ")[-1].startswith("Staff sick leave →") for line in out[3:])


def test_loops_command_through_a_link_and_unknown_names(capsys):
    assert (
        main(["loops", "examples/social_care_workload.xmile", "--link", "Overtime", "social worker workload"])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[2:] == [
        "1 loop through Overtime → Social worker workload, shortest first:",
        "B1    length 2    Overtime → Social worker workload → Overtime",
    ]
    assert main(["loops", "examples/social_care_workload.xmile", "--through", "Nobody"]) == 1
    assert "no variable named 'Nobody'" in capsys.readouterr().err


def test_loops_command_independent_set_json(capsys):
    assert main(["loops", "--json", "--independent", "examples/social_care_workload.xmile"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["shown"] == "independent"
    assert len(data["loops"]) == 8 and data["count"]["total"] == 8


@pytest.mark.skipif(not (SHARED / "models").is_dir(), reason="the shared models are not here")
def test_world3_loops_command_counts_all_and_shows_the_independent_set(capsys):
    assert main(["loops", str(SHARED / "models" / "wrld3-03.xmile")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("1,863,803 loops:") and "undetermined" in out[1]
    assert not out[1].startswith("1,863,803 loops: 0 reinforcing")  # polarities from the equations
    assert out[2].startswith("the independent loop set (101 loops")
    assert len(out) == 3 + 101


def test_loops_take_their_polarity_from_equations_unless_drawn_only(tmp_path, capsys):
    from sysmap.io import save

    doc = SystemMap()
    stock = doc.add_variable("Population", Kind.STOCK, equation="100")
    births = doc.add_variable("Births", Kind.FLOW, equation="population * 0.03")
    deaths = doc.add_variable("Deaths", Kind.FLOW, equation="population / 70")
    doc.attach_flow(births.id, source=None, sink=stock.id)
    doc.attach_flow(deaths.id, source=stock.id, sink=None)
    path = tmp_path / "population.xmile"
    save(doc, path)
    assert main(["loops", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "2 loops: 1 reinforcing, 1 balancing, 0 undetermined"
    assert main(["loops", str(path), "--drawn-only"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "2 loops: 0 reinforcing, 0 balancing, 2 undetermined"
