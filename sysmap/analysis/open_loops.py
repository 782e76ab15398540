"""Open loops: pairs of variables where one more link would close a new feedback loop.

A workshop prompt: "is there a link from X to Y that we have not drawn?" An
:class:`OpenLoop` is a pair (``cause``, ``effect``) with no link from ``cause`` to
``effect`` in the causal graph (:func:`sysmap.analysis.causal.causal_graph`, so a flow
already feeding its stock, or a dependency an equation implies, counts as a link) while a
path leads back from ``effect`` to ``cause``: the new link would close the loop made of
that path. The shortest path is reported, its sign, and the polarity the new loop would
have with a ``+`` or a ``-`` link. A stock is never an ``effect`` (only its flows change
it), and a variable is not paired with itself.

Prompts that bring variables on no loop yet into feedback come first (``new_loops_through``,
how many of the closed loop's variables are on no loop now), then shorter loops, then the
pairs by name -- so the order does not depend on the search. The list is then spread over
the map: a variable is the cause or effect of a second prompt only once every prompt's
variables have been in one, so one isolated variable does not fill the whole list.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a, b, c = (doc.add_variable(n) for n in ("Stress", "Sick leave", "Workload"))
>>> _ = doc.add_link(a.id, b.id, polarity="+"), doc.add_link(b.id, c.id, polarity="+")
>>> [(o.cause, o.effect, o.sign, o.polarity_plus, o.polarity_minus) for o in open_loops(doc)]
[('v3', 'v1', '+', 'R', 'B'), ('v2', 'v1', '+', 'R', 'B'), ('v3', 'v2', '+', 'R', 'B')]
>>> print(open_loops(doc)[0].sentence)  # doctest: +NORMALIZE_WHITESPACE
A link from Workload to Stress would close a loop through Sick leave:
reinforcing if more Workload brings more Stress, balancing if it brings less.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sysmap.analysis.loops import order_key, polarity_of
from sysmap.model.elements import Kind

if TYPE_CHECKING:
    import networkx as nx

    from sysmap.model import SystemMap

POLARITY_WORDS = {"R": "reinforcing", "B": "balancing", "U": "undetermined"}


@dataclass(frozen=True)
class OpenLoop:
    """A link that is not drawn but would close a loop.

    ``loop`` is the loop the link ``cause`` -> ``effect`` would close, as variable ids from
    ``cause`` (``cause``, ``effect``, ..., back to ``cause``); ``sign`` is the sign of the
    existing path from ``effect`` back to ``cause`` (``+``, ``-`` or ``?``);
    ``polarity_plus`` / ``polarity_minus`` the loop's polarity (``R``, ``B``, ``U``) with a
    ``+`` or a ``-`` link; ``new_loops_through`` how many of the loop's variables are on no
    loop of the map yet.
    """

    cause: str
    effect: str
    loop: tuple[str, ...]
    sign: str
    polarity_plus: str
    polarity_minus: str
    new_loops_through: int
    sentence: str

    @property
    def length(self) -> int:
        """How many variables the closed loop has."""
        return len(self.loop)

    @property
    def path(self) -> tuple[str, ...]:
        """The existing path from ``effect`` back to ``cause``."""
        return (*self.loop[1:], self.loop[0])

    def polarity(self, link_sign: str) -> str:
        """The closed loop's polarity with a link of ``link_sign`` (``+``, ``-``, else ``U``)."""
        return {"+": self.polarity_plus, "-": self.polarity_minus}.get(link_sign, "U")

    def to_dict(self, doc: SystemMap | None = None) -> dict:
        """The open loop as plain data (names as well as ids when ``doc`` is given)."""
        data = {
            "cause": self.cause,
            "effect": self.effect,
            "loop": list(self.loop),
            "length": self.length,
            "sign": self.sign,
            "polarity_plus": self.polarity_plus,
            "polarity_minus": self.polarity_minus,
            "new_loops_through": self.new_loops_through,
            "sentence": self.sentence,
        }
        if doc is not None:
            data["names"] = [_name(doc, None, v) for v in self.loop]
        return data


@dataclass(frozen=True)
class OpenLoopSearch:
    """What :func:`find_open_loops` found: the best ``loops``, how many pairs qualified in
    all (``found``), and whether every variable was searched from (``complete``)."""

    loops: tuple[OpenLoop, ...]
    found: int
    complete: bool


def _name(doc, graph, vid) -> str:
    var = doc.variables.get(vid) if doc is not None else None
    if var is not None:
        return " ".join(var.label.split())
    if graph is not None and vid in graph:
        return str(graph.nodes[vid].get("name", vid))
    return str(vid)


def _listed(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def sentence(cause: str, effect: str, between: list[str], sign: str) -> str:
    """The prompt in words, given the names of ``cause``, ``effect``, the variables on the
    path back (``between``) and the path's ``sign``.

    >>> print(sentence("Morale", "Output", [], "-"))  # doctest: +NORMALIZE_WHITESPACE
    A link from Morale to Output would close a loop with the link from Output back to Morale:
    balancing if more Morale brings more Output, reinforcing if it brings less.
    """
    through = f"through {_listed(between)}" if between else f"with the link from {effect} back to {cause}"
    head = f"A link from {cause} to {effect} would close a loop {through}"
    if sign == "?":
        return (
            f"{head}: whether it would reinforce or balance depends on links of unknown sign on the way back."
        )
    more, less = ("reinforcing", "balancing") if sign == "+" else ("balancing", "reinforcing")
    return f"{head}: {more} if more {cause} brings more {effect}, {less} if it brings less."


def _on_loops(graph: nx.DiGraph) -> set:
    import networkx as nx

    found = set()
    for part in nx.strongly_connected_components(graph):
        if len(part) > 1:
            found |= part
    found |= {u for u, v in graph.edges if u == v}
    return found


def _bfs(graph, succ, source, depth: int) -> dict:
    """Shortest-path parents from ``source`` (successors in name order), ``depth`` links deep."""
    parent = {source: None}
    dist = {source: 0}
    todo = deque([source])
    while todo:
        u = todo.popleft()
        if dist[u] >= depth:
            continue
        for w in succ[u]:
            if w not in parent:
                parent[w] = u
                dist[w] = dist[u] + 1
                todo.append(w)
    return parent


def _path(parent: dict, target) -> list:
    path = [target]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]


def find_open_loops(
    doc: SystemMap,
    *,
    graph: nx.DiGraph | None = None,
    limit: int = 50,
    max_length: int = 8,
    time_limit: float | None = 2.0,
    cancel: Callable[[], bool] | None = None,
) -> OpenLoopSearch:
    """The ``limit`` best open loops of ``doc`` (see the module doc) closing loops of at most
    ``max_length`` variables, searched breadth first from each variable within
    ``time_limit`` seconds (``None``: no limit) or until ``cancel()`` turns true.

    ``graph`` is the causal graph to use (default: ``causal_graph(doc, derive=True)``).
    """
    if graph is None:
        from sysmap.analysis.causal import causal_graph

        graph = causal_graph(doc, derive=True)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    key = {n: order_key(graph, n) for n in graph}
    succ = {n: sorted((w for w in graph.successors(n) if w != n), key=key.__getitem__) for n in graph}
    looped = _on_loops(graph)
    stocks = {n for n, kind in graph.nodes(data="kind") if str(kind) == Kind.STOCK.value}
    # (rank key, effect, cause): effect is where the search starts, cause where it ends
    ranked: list[tuple] = []
    complete = True
    parents: dict = {}
    for effect in sorted(graph, key=key.__getitem__):
        if (deadline is not None and time.monotonic() > deadline) or (cancel is not None and cancel()):
            complete = False
            break
        if effect in stocks:
            continue
        parent = _bfs(graph, succ, effect, max_length - 1)
        new_on_path = {effect: int(effect not in looped)}
        for cause, up in parent.items():  # in BFS order: a parent comes before its children
            if up is None:
                continue
            new_on_path[cause] = new_on_path[up] + int(cause not in looped)
            if graph.has_edge(cause, effect):
                continue
            length = len(_path(parent, cause))
            ranked.append(((-new_on_path[cause], length, key[cause], key[effect]), effect, cause))
        parents[effect] = parent
    ranked.sort(key=lambda item: item[0])
    loops = []
    for (minus_new, _length, _, _), effect, cause in _spread(ranked, max(0, limit)):
        back = _path(parents[effect], cause)  # effect ... cause
        signs = [graph.edges[u, v].get("sign") for u, v in zip(back, back[1:], strict=False)]
        sign = "?" if any(s not in ("+", "-") for s in signs) else ("-" if signs.count("-") % 2 else "+")
        names = [_name(doc, graph, v) for v in back]
        loops.append(
            OpenLoop(
                cause=cause,
                effect=effect,
                loop=(cause, *back[:-1]),
                sign=sign,
                polarity_plus=polarity_of(["+", sign]),
                polarity_minus=polarity_of(["-", sign]),
                new_loops_through=-minus_new,
                sentence=sentence(names[-1], names[0], names[1:-1], sign),
            )
        )
    return OpenLoopSearch(tuple(loops), len(ranked), complete)


def _spread(ranked: list[tuple], limit: int) -> list[tuple]:
    """The first ``limit`` of ``ranked`` (key, effect, cause) taken in rounds: in round r, an
    item whose cause and effect have each been used at most r times, in rank order."""
    used: dict = {}
    taken: list[tuple] = []
    left = list(ranked)
    bar = 0
    while left and len(taken) < limit:
        later = []
        for item in left:
            _, effect, cause = item
            if len(taken) < limit and used.get(effect, 0) <= bar and used.get(cause, 0) <= bar:
                taken.append(item)
                used[effect] = used.get(effect, 0) + 1
                used[cause] = used.get(cause, 0) + 1
            else:
                later.append(item)
        left = later
        bar += 1
    return taken


def open_loops(
    doc: SystemMap,
    *,
    graph: nx.DiGraph | None = None,
    limit: int = 50,
    max_length: int = 8,
    time_limit: float | None = 2.0,
) -> list[OpenLoop]:
    """The best ``limit`` open loops of ``doc``, best first (see :func:`find_open_loops`).

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> a, b = doc.add_variable("A"), doc.add_variable("B")
    >>> _ = doc.add_link(a.id, b.id, polarity="-")
    >>> [(o.cause, o.effect, o.polarity_plus) for o in open_loops(doc)]
    [('v2', 'v1', 'B')]
    """
    found = find_open_loops(doc, graph=graph, limit=limit, max_length=max_length, time_limit=time_limit)
    return list(found.loops)
