"""Feedback-loop analysis speed: listing, counting, the independent loop set, loops through one
variable -- on the examples, complete graphs K5-K8, random sparse maps, World3 and C-LEARN --
with networkx's figure for the same job in the same run. Prints figures; asserts nothing.

.venv/bin/python benchmarks/bench_loops.py [--quick]

``--quick`` leaves out the slow networkx runs on World3 (about 15 s) and the large random maps.
"""

from __future__ import annotations

import itertools
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import networkx as nx
from _generate import random_map

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loop_basis import has_balancing_loop, independent_loops
from sysmap.analysis.loop_count import count_loops
from sysmap.analysis.loops import LoopSearch, components, loops_through
from sysmap.examples import example_names, example_path
from sysmap.io import load

SHARED = Path(__file__).resolve().parents[2] / "shared" / "models"
BUDGET = 20.0  # seconds for any one enumeration


def clock(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def peak_memory(func) -> float:
    """Peak memory (MB) Python allocated while ``func`` ran (a separate, slower run)."""
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def enumerate_all(graph) -> tuple[int, bool]:
    search = LoopSearch(graph, time_limit=BUDGET)
    found = sum(1 for _ in search)
    return found, search.complete


def networkx_all(graph) -> tuple[int, bool]:
    deadline = time.perf_counter() + BUDGET
    found = 0
    for _ in nx.simple_cycles(graph):
        found += 1
        if found % 4096 == 0 and time.perf_counter() > deadline:
            return found, False
    return found, True


def rate(found: int, seconds: float) -> str:
    return f"{found / seconds:>11,.0f}/s" if seconds > 0 else "           -"


def row(label: str, graph, *, networkx: bool = True, memory: bool = False) -> None:
    parts = components(graph)
    rank = sum(c.cycle_rank for c in parts)
    biggest = len(parts[0].variables) if parts else 0
    counted, t_count = clock(lambda: count_loops(graph, time_limit=BUDGET))
    ils, t_ils = clock(lambda: independent_loops(graph))
    _, t_bal = clock(lambda: has_balancing_loop(graph))
    total = f"{counted.total:,}" + ("" if counted.complete else "+")
    print(
        f"{label:<34} {graph.number_of_nodes():>6} {biggest:>6} {rank:>6} {total:>12}"
        f"  count {t_count * 1000:9.1f} ms  ILS {len(ils):>5} in {t_ils * 1000:8.1f} ms"
        f"  B-test {t_bal * 1000:6.1f} ms"
    )
    (found, complete), t_ours = clock(lambda: enumerate_all(graph))
    mark = "" if complete else "+"
    line = f"{'':<34}   list: ours {found:>10,}{mark} in {t_ours:7.2f} s {rate(found, t_ours)}"
    if networkx:
        (nx_found, nx_complete), t_nx = clock(lambda: networkx_all(graph))
        line += (
            f" | networkx {nx_found:>10,}{'' if nx_complete else '+'} in {t_nx:7.2f} s {rate(nx_found, t_nx)}"
            f" | networkx lists / we count: {t_nx / max(t_count, 1e-9):,.1f}x"
            if nx_complete and counted.complete
            else f" | networkx {nx_found:>10,}{'' if nx_complete else '+'} in {t_nx:7.2f} s"
        )
    print(line)
    if memory:
        mem_count = peak_memory(lambda: count_loops(graph, time_limit=BUDGET))
        mem_list = peak_memory(lambda: enumerate_all(graph))
        print(f"{'':<34}   peak memory: counting {mem_count:.2f} MB, listing (streamed) {mem_list:.2f} MB")


def random_graph(n: int, links: int, seed: int = 1):
    return causal_graph(random_map(n, links, seed=seed, equations=False))


def main(quick: bool) -> None:
    print(f"budget per enumeration: {BUDGET:.0f} s; '+' marks a figure stopped by it")
    print(f"{'map':<34} {'vars':>6} {'SCC':>6} {'rank':>6} {'loops':>12}")
    for name in example_names():
        row(f"example {name}", causal_graph(load(example_path(name))))
    for n in (5, 6, 7, 8):
        graph = nx.complete_graph(n, nx.DiGraph)
        nx.set_edge_attributes(graph, "+", "sign")
        row(f"complete K{n}", graph, memory=n == 8)
    row("random 50 vars / 75 links", random_graph(50, 75))
    row("random 50 vars / 100 links", random_graph(50, 100))
    if not quick:
        row("random 500 vars / 750 links", random_graph(500, 750), networkx=False)
        row("random 5,000 vars / 6,000 links", random_graph(5000, 6000), networkx=False)
    for file in ("wrld3-03.xmile", "C-LEARN_v77_for_Vensim.xmile"):
        path = SHARED / file
        if not path.exists():
            print(f"{file}: not here ({SHARED} is absent)")
            continue
        graph = causal_graph(load(path))
        row(file, graph, networkx=not quick or file.startswith("C-LEARN"), memory=file.startswith("wrld3"))
        hub = max(components(graph)[0].variables, key=graph.degree)
        first, t_first = clock(lambda g=graph, h=hub: list(itertools.islice(loops_through(g, h), 50)))
        print(
            f"{'':<34}   the 50 shortest loops through {graph.nodes[hub]['name']!r}: {t_first * 1000:.0f} ms "
            f"(lengths {first[0].length}..{first[-1].length})"
        )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
