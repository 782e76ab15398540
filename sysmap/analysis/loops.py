"""Feedback loops: how big the search is, the loops themselves (lazily, within a budget),
their polarity, and stable names (R1, B2, U1).

Loops are searched per strongly connected component, with Johnson's circuit algorithm
written here so that the time and count budgets and cancellation are checked inside the
search, not only between loops (a search can run long between two loops). The result says
whether it is complete.

>>> import networkx as nx
>>> g = nx.DiGraph()
>>> g.add_edge("a", "b", sign="+"); g.add_edge("b", "a", sign="-"); g.add_edge("b", "c", sign="+")
>>> [(loop.polarity, loop.variables) for loop in find_loops(g)]
[('B', ('a', 'b'))]
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from sysmap.model.names import canonical_name

if TYPE_CHECKING:
    import networkx as nx

#: How many search steps pass between two looks at the clock, the cancel flag and progress.
CHECK_EVERY = 2048


@dataclass(frozen=True)
class Loop:
    """One feedback loop: its variables in order (starting from the first by name), its
    polarity -- ``R`` (reinforcing: an even number of ``-``), ``B`` (balancing: odd) or ``U``
    (undetermined: a link of unknown or conditional sign) -- and whether a link is delayed.

    ``signs[i]`` is the sign of the link from ``variables[i]`` to the next, and ``links[i]``
    the ids of the drawn links it stands for; both are looked up when asked for, so that a
    search can hand out millions of loops cheaply.
    """

    variables: tuple[str, ...]
    polarity: str
    delay: bool
    name: str = ""
    edges: _Edges | None = field(default=None, compare=False, repr=False)

    @property
    def length(self) -> int:
        return len(self.variables)

    def _pairs(self) -> list[tuple]:
        v = self.variables
        return list(zip(v, v[1:] + v[:1], strict=True))

    # looked up once, on first use (loops.signs[i] in a loop must not rebuild the tuple each time)
    @cached_property
    def signs(self) -> tuple[str, ...]:
        return tuple(map(self.edges.sign.__getitem__, self._pairs())) if self.edges else ()

    @cached_property
    def links(self) -> tuple[tuple[str, ...], ...]:
        return tuple(map(self.edges.links.__getitem__, self._pairs())) if self.edges else ()


@dataclass(frozen=True)
class Component:
    """A strongly connected component that holds loops: its variables, its number of
    edges, and its cycle rank E - N + 1 (the size of an independent loop set)."""

    variables: tuple[str, ...]
    edges: int

    @property
    def cycle_rank(self) -> int:
        return self.edges - len(self.variables) + 1


def order_key(graph, node) -> tuple:
    """How variables are ordered for naming and rotating loops: by canonical name, then id."""
    return (canonical_name(str(graph.nodes[node].get("name", node))), str(node))


def components(graph: nx.DiGraph) -> list[Component]:
    """The components of ``graph`` that hold at least one loop, largest first: how big a
    loop search will be, known before it starts.

    >>> import networkx as nx
    >>> [(len(c.variables), c.cycle_rank) for c in components(nx.complete_graph(4, nx.DiGraph))]
    [(4, 9)]
    """
    import networkx as nx

    found = []
    for nodes in nx.strongly_connected_components(graph):
        sub = graph.subgraph(nodes)
        if len(nodes) > 1 or sub.number_of_edges():
            ordered = tuple(sorted(nodes, key=lambda n: order_key(graph, n)))
            found.append(Component(ordered, sub.number_of_edges()))
    found.sort(key=lambda c: (-len(c.variables), c.variables))
    return found


def polarity_of(signs) -> str:
    """``R``, ``B`` or ``U`` for a loop whose links have these signs.

    >>> polarity_of("+-+-"), polarity_of("+-+"), polarity_of("+?")
    ('R', 'B', 'U')
    """
    if any(s not in "+-" for s in signs):
        return "U"
    return "R" if sum(s == "-" for s in signs) % 2 == 0 else "B"


def make_loop(graph: nx.DiGraph, cycle: list) -> Loop:
    """The :class:`Loop` through the variables ``cycle`` of ``graph``, in that order."""
    return _Edges(graph, cycle).loop(cycle)


class _Edges:
    """The sign, delay and drawn links of a graph's edges, keyed by (cause, effect), shared by
    the loops found in it; ``code`` packs each edge for the search: bit 0 a ``-``, bit 1 an
    unknown sign, bit 2 a delay."""

    def __init__(self, graph: nx.DiGraph, nodes=None):
        edges = graph.edges(nodes, data=True) if nodes is not None else graph.edges(data=True)
        self.sign = {}
        self.links = {}
        self.code = {}
        for u, v, data in edges:
            sign = data.get("sign") if data.get("sign") in ("+", "-") else "?"
            self.sign[u, v] = sign
            self.links[u, v] = tuple(data.get("links", ()))
            self.code[u, v] = (sign == "-") | (sign == "?") << 1 | bool(data.get("delay", False)) << 2

    def loop(self, cycle: list) -> Loop:
        code = 0
        for pair in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            code = _joined(code, self.code[pair])
        return self.coded(tuple(cycle), code)

    def coded(self, cycle: tuple, code: int) -> Loop:
        """The loop through ``cycle`` whose links joined make ``code`` (see :func:`_joined`)."""
        polarity = "U" if code & 2 else "B" if code & 1 else "R"
        return Loop(cycle, polarity, bool(code & 4), edges=self)


def _joined(code: int, link: int) -> int:
    """The code of a path extended by a link: signs multiply (parity), unknowns and delays stick."""
    return (code ^ (link & 1)) | (link & 6)


class _Stop(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class LoopSearch:
    """A lazy, budgeted, cancellable search for the loops of a causal graph.

    Iterate over it for :class:`Loop` objects. Afterwards ``complete`` says whether every
    loop was found, and ``stopped_by`` why not (``"time"``, ``"count"`` or
    ``"cancelled"``). ``progress(done, total, found)`` is called now and then with the
    components searched so far, their number, and the loops found.

    Edges need a ``sign`` attribute (``+``, ``-``, anything else meaning unknown) and may
    have ``delay`` and ``links`` (see :func:`sysmap.analysis.causal.causal_graph`).
    """

    def __init__(
        self,
        graph: nx.DiGraph,
        *,
        time_limit: float | None = None,
        max_loops: int | None = None,
        cancel: Callable[[], bool] | None = None,
        progress: Callable[[int, int, int], None] | None = None,
    ):
        self.graph = graph
        self.time_limit = time_limit
        self.max_loops = max_loops
        self.cancel = cancel
        self.progress = progress
        self.components = components(graph)
        self.found = 0
        self.complete = False
        self.stopped_by: str | None = None

    def __iter__(self) -> Iterator[Loop]:
        self.found = 0
        self.complete = False
        self.stopped_by = None
        deadline = None if self.time_limit is None else time.monotonic() + self.time_limit

        def check(done: int) -> None:
            if deadline is not None and time.monotonic() > deadline:
                raise _Stop("time")
            if self.cancel is not None and self.cancel():
                raise _Stop("cancelled")
            if self.progress is not None:
                self.progress(done, len(self.components), self.found)

        try:
            for done, component in enumerate(self.components):
                edges = _Edges(self.graph, component.variables)
                for found in self._cycles(component, edges):
                    if found is None:  # many search steps have passed: time to look around
                        check(done)
                        continue
                    if self.max_loops is not None and self.found >= self.max_loops:
                        raise _Stop("count")
                    self.found += 1
                    yield edges.coded(*found)
                check(done + 1)
            self.complete = True
        except _Stop as stop:
            self.stopped_by = stop.reason

    def _cycles(self, component: Component, edges: _Edges) -> Iterator[tuple | None]:
        """Johnson's circuits of one component, each starting at its first variable in the
        component's order, as ``(variables, code)`` (see :class:`_Edges`); ``None`` is
        yielded every :data:`CHECK_EVERY` search steps so that budgets can be checked
        between loops too."""
        nodes = component.variables
        index = {n: i for i, n in enumerate(nodes)}
        succ = [sorted(index[w] for w in self.graph.successors(n) if w in index) for n in nodes]
        link_code = [{w: edges.code[n, nodes[w]] for w in succ[v]} for v, n in enumerate(nodes)]
        take = nodes.__getitem__
        pred = predecessors(succ)
        steps = 0
        for s in range(len(nodes)):
            # the circuits whose smallest vertex is s use only vertices from s on that lie on a
            # loop with s; leaving the others out spares the search their dead ends
            part = strong_part(s, succ, pred)
            later = [[w for w in succ[v] if w in part] if v in part else [] for v in range(len(nodes))]
            blocked = {s}
            holds: defaultdict[int, set[int]] = defaultdict(set)
            path = [s]
            codes = [0]
            stack = [iter(later[s])]
            closed = [False]
            while stack:
                steps += 1
                if steps == CHECK_EVERY:
                    steps = 0
                    yield None
                for w in stack[-1]:
                    if w == s:
                        code = codes[-1]
                        last = link_code[path[-1]][s]
                        yield tuple(map(take, path)), (code ^ (last & 1)) | (last & 6)
                        closed[-1] = True
                    elif w not in blocked:
                        last = link_code[path[-1]][w]
                        codes.append((codes[-1] ^ (last & 1)) | (last & 6))
                        path.append(w)
                        closed.append(False)
                        stack.append(iter(later[w]))
                        blocked.add(w)
                        break
                else:
                    stack.pop()
                    codes.pop()
                    v = path.pop()
                    if closed.pop():
                        if closed:
                            closed[-1] = True
                        unblock(v, blocked, holds)
                    else:
                        for w in later[v]:
                            holds[w].add(v)


def predecessors(succ: list[list[int]]) -> list[list[int]]:
    """The predecessor lists of a graph given by successor lists over vertices 0..n-1."""
    pred: list[list[int]] = [[] for _ in succ]
    for v, ws in enumerate(succ):
        for w in ws:
            pred[w].append(v)
    return pred


def strong_part(s: int, succ: list[list[int]], pred: list[list[int]]) -> set[int]:
    """The vertices from ``s`` on (by number) that lie on a loop with ``s`` through vertices
    from ``s`` on only: ``s``'s strongly connected component once the vertices before it are gone.

    >>> strong_part(1, [[1], [2], [1, 3], []], [[], [0, 2], [1], [2]])
    {1, 2}
    """
    ahead, todo = {s}, [s]
    while todo:
        for w in succ[todo.pop()]:
            if w > s and w not in ahead:
                ahead.add(w)
                todo.append(w)
    part, todo = {s}, [s]
    while todo:
        for w in pred[todo.pop()]:
            if w in ahead and w not in part:
                part.add(w)
                todo.append(w)
    return part


def unblock(v: int, blocked: set[int], holds: defaultdict[int, set[int]]) -> None:
    """Johnson's unblocking: free ``v`` and, in turn, the vertices held waiting on it."""
    todo = [v]
    while todo:
        u = todo.pop()
        if u in blocked:
            blocked.discard(u)
            todo.extend(holds.pop(u, ()))


def find_loops(graph: nx.DiGraph, **budget) -> Iterator[Loop]:
    """The loops of ``graph``, lazily; ``budget`` as for :class:`LoopSearch`.

    Use :class:`LoopSearch` directly to learn afterwards whether the search was complete.
    """
    return iter(LoopSearch(graph, **budget))


def name_loops(loops, graph: nx.DiGraph | None = None) -> list[Loop]:
    """The loops ordered by length, then by their variables' names, named R1, R2..., B1...,
    U1... in that order -- so names stay the same while the map does."""

    def names(loop: Loop) -> tuple:
        if graph is None:
            return tuple(loop.variables)
        return tuple(order_key(graph, v) for v in loop.variables)

    ordered = sorted(loops, key=lambda loop: (loop.length, names(loop)))
    counts: dict[str, int] = defaultdict(int)
    named = []
    for loop in ordered:
        counts[loop.polarity] += 1
        named.append(replace(loop, name=f"{loop.polarity}{counts[loop.polarity]}"))
    return named


def loops_through(
    graph: nx.DiGraph,
    variable=None,
    *,
    link: tuple | None = None,
    max_loops: int | None = None,
    max_length: int | None = None,
) -> Iterator[Loop]:
    """The loops through one ``variable`` or one ``link`` (a ``(cause, effect)`` pair),
    shortest first, lazily -- as many as asked for, even where the graph has millions.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "c")], sign="+")
    >>> [loop.variables for loop in loops_through(g, "c")]
    [('c',), ('a', 'b', 'c')]
    >>> [loop.variables for loop in loops_through(g, link=("b", "a"))]
    [('a', 'b')]
    """
    import networkx as nx

    if (variable is None) == (link is None):
        raise ValueError("give either a variable or a link")
    start, end = (variable, variable) if link is None else (link[1], link[0])
    if link is not None and not graph.has_edge(*link):
        return
    if start not in graph:
        return
    part = _component_of(graph, start)
    if end not in part:
        return
    order = {n: i for i, n in enumerate(sorted(part, key=lambda n: order_key(graph, n)))}
    found = 0

    def loop_from(path: list) -> Loop:
        first = min(range(len(path)), key=lambda i: order[path[i]])
        return make_loop(graph, path[first:] + path[:first])

    if (link is not None and start == end) or (link is None and graph.has_edge(start, start)):
        yield make_loop(graph, [start])
        found += 1
        if link is not None:
            return
    if len(part) == 1:
        return
    if link is None:
        # split the variable in two: paths from its outgoing side to its incoming side
        sub = nx.DiGraph(graph.subgraph(part).edges)
        sub.remove_edges_from([(start, start)])
        source, target = ("__from__", start), ("__to__", start)
        sub.add_edges_from((source, w) for w in graph.successors(start) if w in part and w != start)
        sub.add_edges_from((u, target) for u in graph.predecessors(start) if u in part and u != start)
        sub.remove_node(start)
        if source not in sub or target not in sub:
            return
        paths = (([start, *p[1:-1]]) for p in nx.shortest_simple_paths(sub, source, target))
    else:
        sub = graph.subgraph(part)
        paths = (p for p in nx.shortest_simple_paths(sub, start, end))
    for path in paths:
        if max_loops is not None and found >= max_loops:
            return
        if max_length is not None and len(path) > max_length:
            return  # shortest first: every later loop is longer
        found += 1
        yield loop_from(path)


def _component_of(graph: nx.DiGraph, node) -> set:
    """The variables on some loop with ``node`` (its strongly connected component)."""
    import networkx as nx

    return nx.descendants(graph, node) & nx.ancestors(graph, node) | {node}
