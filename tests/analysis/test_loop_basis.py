"""The independent loop set: always cycle-rank many real loops, independent, covering every
loop link, short; and the linear-time test for balancing loops agrees with enumeration."""

import random
from pathlib import Path

import networkx as nx
import pytest

from sysmap.analysis import loop_basis
from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loop_basis import has_balancing_loop, independent_loops
from sysmap.analysis.loops import components, find_loops, name_loops
from sysmap.examples import example_names, example_path
from sysmap.io import load

SHARED = Path(__file__).resolve().parents[3] / "shared"


def random_graph(seed: int, n: int = 14, p: float = 0.18) -> nx.DiGraph:
    rng = random.Random(seed)
    graph = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    if seed % 3 == 0:
        graph.add_edge(0, 0)
    for u, v in graph.edges:
        graph.edges[u, v]["sign"] = rng.choice("++-")
    return graph


def gf2_rank(vectors: list[int]) -> int:
    pivots: dict[int, int] = {}
    for v in vectors:
        while v:
            top = v.bit_length() - 1
            if top not in pivots:
                pivots[top] = v
                break
            v ^= pivots[top]
    return len(pivots)


def check_basis(graph: nx.DiGraph, loops) -> None:
    bit = {edge: 1 << i for i, edge in enumerate(graph.edges)}
    vectors, covered = [], set()
    for loop in loops:
        cycle = list(loop.variables)
        assert len(set(cycle)) == len(cycle), "a loop visits each variable once"
        edges = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        assert all(graph.has_edge(*e) for e in edges), "a loop follows the links' direction"
        covered.update(edges)
        vectors.append(sum(bit[e] for e in edges))
    rank = sum(c.cycle_rank for c in components(graph))
    assert len(loops) == rank
    assert gf2_rank(vectors) == rank, "the loops are independent"
    on_loops = {e for c in nx.simple_cycles(graph) for e in zip(c, c[1:] + c[:1], strict=True)}
    assert covered == on_loops, "together they pass through every link that lies on a loop"


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_get_a_complete_independent_set(seed):
    graph = random_graph(seed)
    check_basis(graph, independent_loops(graph))


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_complete_graphs(n):
    graph = nx.complete_graph(n, nx.DiGraph)
    loops = independent_loops(graph)
    check_basis(graph, loops)
    assert all(loop.length == 2 for loop in loops[: n * (n - 1) // 2])


def test_the_ear_decomposition_alone_completes_the_set(monkeypatch):
    # Without the short candidates the set must still come out complete, from ears alone.
    monkeypatch.setattr(loop_basis._ComponentBasis, "_shortest_through_each_link", lambda *a: [])
    monkeypatch.setattr(loop_basis._ComponentBasis, "_horton", lambda *a: iter(()))
    for seed in range(20):
        graph = random_graph(seed, n=12, p=0.25)
        check_basis(graph, independent_loops(graph))


def test_the_shortest_loops_come_first_where_they_are_independent():
    # a figure eight with a long way round: the two short loops, then one long one
    graph = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("a", "x"), ("x", "y"), ("y", "c")])
    loops = independent_loops(graph)
    assert sorted(loop.length for loop in loops) == [2, 2, 5]  # a x y c b


@pytest.mark.parametrize("name", example_names())
def test_examples_independent_loops(name):
    graph = causal_graph(load(example_path(name)))
    loops = independent_loops(graph)
    check_basis(graph, loops)
    named = name_loops(loops, graph)
    assert len({loop.name for loop in named}) == len(named)


@pytest.mark.parametrize("seed", range(40))
def test_balancing_test_agrees_with_enumeration(seed):
    rng = random.Random(seed)
    graph = random_graph(seed, n=10, p=0.25)
    for u, v in graph.edges:
        graph.edges[u, v]["sign"] = rng.choice("+-?" if seed % 2 else "++-")
    expected = any(loop.polarity == "B" for loop in find_loops(graph))
    assert has_balancing_loop(graph) is expected


def test_a_map_of_reinforcing_loops_only_has_no_balancing_loop():
    # two camps: + inside, - across; every loop has an even number of -
    graph = nx.DiGraph()
    for u, v, s in [("a", "b", "+"), ("b", "c", "-"), ("c", "d", "+"), ("d", "a", "-"), ("c", "b", "-")]:
        graph.add_edge(u, v, sign=s)
    assert not has_balancing_loop(graph)
    graph.add_edge("d", "c", sign="-")
    assert has_balancing_loop(graph)


@pytest.mark.parametrize("name", example_names())
def test_balancing_test_on_examples(name):
    graph = causal_graph(load(example_path(name)))
    assert has_balancing_loop(graph) is any(loop.polarity == "B" for loop in find_loops(graph))


@pytest.mark.skipif(not (SHARED / "models").is_dir(), reason="../shared/models is absent")
def test_world3_gets_all_101_independent_loops():
    graph = causal_graph(load(SHARED / "models" / "wrld3-03.xmile"))
    loops = independent_loops(graph)
    assert len(loops) == 101
    bit = {edge: 1 << i for i, edge in enumerate(graph.edges)}
    vectors = [
        sum(bit[e] for e in zip(lp.variables, lp.variables[1:] + lp.variables[:1], strict=True))
        for lp in loops
    ]
    assert gf2_rank(vectors) == 101
