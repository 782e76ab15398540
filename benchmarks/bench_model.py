"""Document-model speed on generated maps. Prints figures; asserts nothing.

.venv/bin/python benchmarks/bench_model.py [N_VARIABLES]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _generate import random_map

from sysmap.model import derived_dependencies, link_discrepancies, operations, to_networkx


def timed(label: str, func, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<48} {best * 1000:9.1f} ms")
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    links = 2 * n
    print(f"generated map: {n} variables, {links} links (each also in an equation)")
    doc = timed("build (add variables, links, equations)", lambda: random_map(n, links), repeat=1)
    hub = max(doc.variables.values(), key=lambda v: len(doc.links_from(v.id)))
    users = len(doc.links_from(hub.id))

    def rename_and_back():
        doc.rename_variable(hub.id, "Renamed hub")
        doc.rename_variable(hub.id, hub.name)

    timed(f"rename a variable used in {users} equations, twice", rename_and_back)
    victims = list(doc.variables)[:100]

    def delete_and_undo():
        edit = operations.remove(doc, victims)
        doc.apply(edit)
        doc.revert(edit)

    timed("delete 100 variables (with links), then undo", delete_and_undo)
    timed("copy (snapshot for a worker thread)", doc.copy)
    timed("derived dependencies from equations", lambda: sum(1 for _ in derived_dependencies(doc)))
    timed("link/equation discrepancies", lambda: link_discrepancies(doc))
    graph = timed("to_networkx (drawn + derived)", lambda: to_networkx(doc))
    print(f"    graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    print("  (file loading and saving: benchmarks/bench_io.py)")


if __name__ == "__main__":
    main()
