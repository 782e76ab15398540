"""Counting loops without listing them: the same figures as enumeration, by polarity, within
a budget that says when it stopped."""

import random
from pathlib import Path

import networkx as nx
import pytest

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loop_count import count_loops
from sysmap.analysis.loops import find_loops
from sysmap.examples import example_names, example_path
from sysmap.io import load

SHARED = Path(__file__).resolve().parents[3] / "shared"


def by_polarity(graph) -> tuple[int, int, int]:
    loops = list(find_loops(graph))
    return tuple(sum(loop.polarity == p for loop in loops) for p in "RBU")


@pytest.mark.parametrize("seed", range(40))
def test_counts_match_enumeration_on_random_graphs(seed):
    rng = random.Random(seed)
    graph = nx.gnp_random_graph(12, 0.22 + 0.01 * (seed % 5), seed=seed, directed=True)
    for node in rng.sample(list(graph), 2):
        graph.add_edge(node, node)
    for u, v in graph.edges:
        graph.edges[u, v]["sign"] = rng.choice("++--?")
    count = count_loops(graph)
    assert (count.reinforcing, count.balancing, count.undetermined) == by_polarity(graph)
    assert count.complete


@pytest.mark.parametrize(("n", "total"), [(5, 84), (6, 409), (7, 2365), (8, 16064)])
def test_complete_graphs(n, total):
    assert count_loops(nx.complete_graph(n, nx.DiGraph)).total == total


def test_chains_are_contracted_without_losing_loops():
    # a ring of 30 with chords: long chains that contraction bypasses
    graph = nx.cycle_graph(30, nx.DiGraph)
    graph.add_edges_from([(0, 15), (15, 0), (7, 22), (22, 3)])
    nx.set_edge_attributes(graph, "-", "sign")
    count = count_loops(graph)
    assert (count.reinforcing, count.balancing, count.undetermined) == by_polarity(graph)


@pytest.mark.parametrize("name", example_names())
def test_examples(name):
    graph = causal_graph(load(example_path(name)))
    count = count_loops(graph)
    assert (count.reinforcing, count.balancing, count.undetermined) == by_polarity(graph)


def test_a_time_budget_gives_a_lower_bound():
    graph = nx.complete_graph(12, nx.DiGraph)
    count = count_loops(graph, time_limit=0.05)
    assert not count.complete and count.stopped_by == "time"
    assert 0 < count.total < 1_000_000_000


def test_cancel_and_progress():
    seen = []
    count = count_loops(
        nx.complete_graph(11, nx.DiGraph), cancel=lambda: len(seen) > 3, progress=lambda *a: seen.append(a)
    )
    assert count.stopped_by == "cancelled"
    assert seen and all(total == 1 for _, total, _ in seen)


@pytest.mark.skipif(not (SHARED / "models").is_dir(), reason="../shared/models is absent")
def test_world3_has_1863803_loops():
    # The count published for World3 under the dependency-graph convention (Vensim's).
    graph = causal_graph(load(SHARED / "models" / "wrld3-03.xmile"))
    assert count_loops(graph).total == 1_863_803
