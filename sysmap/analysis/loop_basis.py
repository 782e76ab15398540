"""The independent loop set of a causal graph, and whether it has any balancing loop at all.

A strongly connected component with N variables and E links has E - N + 1 independent loops
(its cycle rank): every other loop's links are a combination of theirs, and together they
pass through every link that lies on any loop (Kampmann 2012). For a large model this set is
what a reader can take in, where the full list cannot be held (World3 has a million loops,
and 101 independent ones).

Construction. Candidates are tried shortest first and kept when they add a link combination
the kept loops do not already span (independence over GF(2), with links as bits):

1. for each link, the shortest loop through it;
2. for each variable w and link u -> v, the loop w ~> u -> v ~> w along shortest paths
   (Horton's candidates), when it is a simple loop;
3. an ear decomposition of the component, which always yields a complete set of
   independent loops, so the count always reaches E - N + 1.

Oliva's (2004) greedy rule, which takes short loops that bring in a new link, can stop short
(92 of World3's 101); independence checking over GF(2) does not, and step 3 guarantees it.
Loops independent over GF(2) are also independent over the rationals.

>>> import networkx as nx
>>> g = nx.DiGraph([(1, 2), (2, 1), (2, 3), (3, 1)], sign="+")
>>> [loop.variables for loop in independent_loops(g)]
[(1, 2), (1, 2, 3)]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sysmap.analysis.loops import Component, Loop, components, make_loop

if TYPE_CHECKING:
    import networkx as nx


class _Basis:
    """Vectors over GF(2), as Python ints, kept reduced so that independence is one pass."""

    def __init__(self) -> None:
        self.pivots: dict[int, int] = {}

    def add(self, vector: int) -> bool:
        """Keep ``vector`` if the kept ones do not span it; say whether it was kept."""
        pivots = self.pivots
        while vector:
            top = vector.bit_length() - 1
            kept = pivots.get(top)
            if kept is None:
                pivots[top] = vector
                return True
            vector ^= kept
        return False

    def __len__(self) -> int:
        return len(self.pivots)


def _bfs(succ: list[list[int]], source: int) -> tuple[list[int], list[int]]:
    """Shortest paths from ``source``: each node's predecessor (-1 if unreached, ``source`` for
    itself) and distance (a length longer than any path if unreached)."""
    n = len(succ)
    parent = [-1] * n
    dist = [2 * n + 1] * n
    parent[source], dist[source] = source, 0
    todo = deque([source])
    while todo:
        u = todo.popleft()
        for w in succ[u]:
            if parent[w] < 0:
                parent[w] = u
                dist[w] = dist[u] + 1
                todo.append(w)
    return parent, dist


def _path(parent: list[int], source: int, target: int) -> list[int] | None:
    """The nodes from ``source`` to ``target`` (both included) along ``parent``; None if unreached."""
    if parent[target] < 0:
        return None
    path = [target]
    while path[-1] != source:
        path.append(parent[path[-1]])
    path.reverse()
    return path


class _ComponentBasis:
    """The search for one component's independent loops, on integer node numbers."""

    def __init__(self, graph: nx.DiGraph, component: Component):
        self.nodes = component.variables
        index = {n: i for i, n in enumerate(self.nodes)}
        self.succ = [sorted(index[w] for w in graph.successors(n) if w in index) for n in self.nodes]
        self.edge_bit = {}
        for u, ws in enumerate(self.succ):
            for w in ws:
                self.edge_bit[u, w] = 1 << len(self.edge_bit)
        self.rank = component.cycle_rank
        self.basis = _Basis()
        self.chosen: list[list[int]] = []
        self.seen: set[int] = set()

    def offer(self, cycle: list[int]) -> None:
        """Keep ``cycle`` (a node list, the last joined to the first) if it is independent."""
        vector = 0
        for u, w in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            vector |= self.edge_bit[u, w]
        if vector in self.seen:
            return
        self.seen.add(vector)
        if self.basis.add(vector):
            self.chosen.append(cycle)

    @property
    def full(self) -> bool:
        return len(self.basis) >= self.rank

    def search(self) -> list[list[int]]:
        n = len(self.nodes)
        # shortest paths from every node: parents[s][t] is t's predecessor on a path s ~> t
        parents, dist = zip(*(_bfs(self.succ, s) for s in range(n)), strict=True)
        for _length, cycle in self._shortest_through_each_link(parents, dist):
            self.offer(cycle)
            if self.full:
                return self.chosen
        for cycle in self._horton(parents, dist):
            self.offer(cycle)
            if self.full:
                return self.chosen
        for cycle in self._ears():
            self.offer(cycle)
            if self.full:
                break
        return self.chosen

    def _shortest_through_each_link(self, parents, dist) -> list[tuple[int, list[int]]]:
        found = []
        for u, ws in enumerate(self.succ):
            for w in ws:
                back = _path(parents[w], w, u)
                found.append((len(back), back))
        found.sort()
        return found

    def _horton(self, parents, dist) -> Iterator[list[int]]:
        candidates = []
        for s in range(len(self.nodes)):
            ds = dist[s]
            for u, ws in enumerate(self.succ):
                for w in ws:
                    candidates.append((ds[u] + 1 + dist[w][s], s, u, w))
        candidates.sort()
        for _length, s, u, w in candidates:
            cycle = _path(parents[s], s, u) + _path(parents[w], w, s)[:-1]
            if len(set(cycle)) == len(cycle):
                yield cycle

    def _ears(self) -> Iterator[list[int]]:
        """One loop per ear of an ear decomposition: each holds a link no earlier one does."""
        n = len(self.nodes)
        in_h = [False] * n
        used: set[tuple[int, int]] = set()
        h_succ: list[list[int]] = [[] for _ in range(n)]

        def take(path: list[int]) -> None:
            for a, b in zip(path, path[1:], strict=False):
                used.add((a, b))
                h_succ[a].append(b)
                in_h[a] = in_h[b] = True

        start = self.succ[0][0]
        cycle = [0, *_path(_bfs(self.succ, start)[0], start, 0)[:-1]] if start != 0 else [0]
        take([*cycle, 0])
        yield cycle
        growing = True
        while growing:
            growing = False
            for u in range(n):
                if not in_h[u]:
                    continue
                for w in self.succ[u]:
                    if (u, w) in used:
                        continue
                    growing = True
                    ear = [u, w] if in_h[w] else [u, *self._path_outside(w, in_h)]
                    end = ear[-1]
                    back = [u] if end == u else _path(_bfs(h_succ, end)[0], end, u)
                    take(ear)
                    yield ear[:-1] + back[:-1]

    def _path_outside(self, start: int, in_h: list[bool]) -> list[int]:
        """A shortest path from ``start`` (outside H) through nodes outside H to a node of H."""
        parent = {start: start}
        todo = deque([start])
        while todo:
            x = todo.popleft()
            for y in self.succ[x]:
                if y in parent:
                    continue
                parent[y] = x
                if in_h[y]:
                    path = [y]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return path[::-1]
                todo.append(y)
        raise AssertionError("a strongly connected component always leads back")


def independent_loops(graph: nx.DiGraph, component: Component | None = None) -> list[Loop]:
    """An independent loop set of ``graph`` (or of one of its ``components``): cycle-rank
    many loops, short ones first, that together pass through every link on any loop.

    Loops start at their first variable in the component's order, as found loops do; order
    them and name them with :func:`sysmap.analysis.loops.name_loops`.
    """
    chosen = []
    for part in [component] if component is not None else components(graph):
        if len(part.variables) == 1:
            chosen.append(make_loop(graph, list(part.variables)))
            continue
        search = _ComponentBasis(graph, part)
        nodes = search.nodes
        for cycle in search.search():
            first = min(range(len(cycle)), key=cycle.__getitem__)
            chosen.append(make_loop(graph, [nodes[i] for i in cycle[first:] + cycle[:first]]))
    return chosen


def has_balancing_loop(graph: nx.DiGraph) -> bool:
    """Whether ``graph`` has a balancing loop, decided in linear time without listing loops.

    A loop is balancing when its links are all of known sign and an odd number are ``-``.
    Within a strongly connected part of the known-sign links, every loop is reinforcing
    exactly when the variables split into two camps with ``+`` links inside a camp and
    ``-`` links across (a sign two-colouring): the directed loops of a strongly connected
    graph span all its cycles, and parity is additive over them.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", sign="-"); g.add_edge("b", "a", sign="-")
    >>> has_balancing_loop(g)
    False
    >>> g.add_edge("b", "c", sign="+"); g.add_edge("c", "a", sign="+")
    >>> has_balancing_loop(g)
    True
    """
    import networkx as nx

    known = nx.DiGraph()
    known.add_edges_from((u, v, {"odd": s == "-"}) for u, v, s in graph.edges(data="sign") if s in ("+", "-"))
    for part in nx.strongly_connected_components(known):
        # each link, in either direction, says whether its ends are in the same camp
        ties: dict = {u: [] for u in part}
        for u, v, odd in known.subgraph(part).edges(data="odd"):
            ties[u].append((v, odd))
            ties[v].append((u, odd))
        camp: dict = {}
        for root in part:
            if root in camp:
                continue
            camp[root] = False
            todo = [root]
            while todo:
                u = todo.pop()
                for v, odd in ties[u]:
                    want = camp[u] ^ odd
                    if v not in camp:
                        camp[v] = want
                        todo.append(v)
                    elif camp[v] != want:
                        return True
    return False
