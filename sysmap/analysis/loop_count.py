"""Count the loops of a large model, by polarity, without listing them.

Counting needs neither the loops nor memory that grows with their number. Two steps make it
far faster than enumerating:

1. **Contract chains.** A variable with a single incoming (or a single outgoing) link lies on
   a loop only together with that link, so it can be bypassed: ``u -> v -> w`` becomes one
   link ``u -> w`` that stands for several paths. Each contracted link carries how many paths
   it stands for, split by their sign (``+``, ``-``, unknown). A link that ends where it starts
   is a finished loop: it is counted and dropped. World3's loop component shrinks from 154
   variables to a few dozen.
2. **Count circuits of what is left** with Johnson's algorithm, multiplying the path counts
   along the way, so one circuit of the contracted graph counts many loops at once.

>>> import networkx as nx
>>> count_loops(nx.complete_graph(6, nx.DiGraph)).total
409
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sysmap.analysis.loops import CHECK_EVERY, components, predecessors, strong_part, unblock

if TYPE_CHECKING:
    import networkx as nx

#: Path counts by sign: (positive, negative, unknown).
Weight = tuple[int, int, int]
_UNIT = {"+": (1, 0, 0), "-": (0, 1, 0)}


def join_weights(a: Weight, b: Weight) -> Weight:
    """The path counts of paths ``a`` followed by paths ``b``: signs multiply, unknowns stick."""
    p1, m1, u1 = a
    p2, m2, u2 = b
    return (p1 * p2 + m1 * m2, p1 * m2 + m1 * p2, u1 * (p2 + m2 + u2) + (p1 + m1) * u2)


def add_weights(a: Weight, b: Weight) -> Weight:
    """The path counts of two sets of parallel paths together."""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@dataclass(frozen=True)
class LoopCount:
    """How many loops a graph has: reinforcing, balancing, undetermined; ``complete`` is
    False when a budget stopped the count (the figures are then lower bounds), and
    ``stopped_by`` says which (``"time"`` or ``"cancelled"``)."""

    reinforcing: int
    balancing: int
    undetermined: int
    complete: bool = True
    stopped_by: str | None = None

    @property
    def total(self) -> int:
        return self.reinforcing + self.balancing + self.undetermined


class _Stop(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _contract(succ: dict, pred: dict, found: list[Weight]) -> None:
    """Bypass every variable with one link in or one link out, in place (see the module doc)."""
    todo = list(succ)
    while todo:
        v = todo.pop()
        if v not in succ:
            continue
        if len(pred[v]) == 1:
            (u,) = pred[v]
            ins = [(u, pred[v][u])]
            outs = list(succ[v].items())
        elif len(succ[v]) == 1:
            (w,) = succ[v]
            outs = [(w, succ[v][w])]
            ins = list(pred[v].items())
        else:
            continue
        for u, _ in ins:
            del succ[u][v]
        for w, _ in outs:
            del pred[w][v]
        del succ[v], pred[v]
        for u, a in ins:
            for w, b in outs:
                weight = join_weights(a, b)
                if u == w:
                    found.append(weight)  # a loop closed: nothing else can pass through it
                else:
                    old = succ[u].get(w)
                    succ[u][w] = weight if old is None else add_weights(old, weight)
                    pred[w][u] = succ[u][w]
            todo.append(u)
        todo.extend(w for w, _ in outs)


def count_loops(
    graph: nx.DiGraph,
    *,
    time_limit: float | None = None,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> LoopCount:
    """Count the loops of ``graph`` by polarity without holding them.

    Edges need a ``sign`` attribute (``+``, ``-``, anything else meaning unknown), as for
    :class:`sysmap.analysis.loops.LoopSearch`; ``time_limit``, ``cancel`` and
    ``progress(done, total, counted)`` work as there.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", sign="+"); g.add_edge("b", "a", sign="-"); g.add_edge("a", "a", sign="+")
    >>> c = count_loops(g)
    >>> c.reinforcing, c.balancing, c.undetermined
    (1, 1, 0)
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    parts = components(graph)
    found: list[Weight] = []
    total: Weight = (0, 0, 0)

    def check(done: int) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise _Stop("time")
        if cancel is not None and cancel():
            raise _Stop("cancelled")
        if progress is not None:
            progress(done, len(parts), sum(total) + sum(map(sum, found)))

    try:
        for done, part in enumerate(parts):
            members = set(part.variables)
            succ: dict = {v: {} for v in members}
            pred: dict = {v: {} for v in members}
            for u in members:
                for w, data in graph.succ[u].items():
                    if w not in members:
                        continue
                    weight = _UNIT.get(data.get("sign"), (0, 0, 1))
                    if u == w:
                        found.append(weight)
                    else:
                        succ[u][w] = pred[w][u] = weight
            _contract(succ, pred, found)
            for weight in _circuits(succ, functools.partial(check, done)):
                total = add_weights(total, weight)
            check(done + 1)
    except _Stop as stop:
        for weight in found:
            total = add_weights(total, weight)
        return LoopCount(*total, complete=False, stopped_by=stop.reason)
    for weight in found:
        total = add_weights(total, weight)
    return LoopCount(*total)


def _circuits(succ: dict, check: Callable[[], None]):
    """Johnson's circuits of a weighted graph, yielding the summed weight of the loops found
    from each start (the circuit's product of link weights), calling ``check`` now and then."""
    nodes = sorted(succ, key=lambda v: -(len(succ[v])))
    index = {v: i for i, v in enumerate(nodes)}
    out = [sorted((index[w], weight) for w, weight in succ[v].items()) for v in nodes]
    plain = [[w for w, _ in ws] for ws in out]
    pred = predecessors(plain)
    steps = 0
    for s in range(len(nodes)):
        part = strong_part(s, plain, pred)
        if len(part) == 1:
            continue
        later = [
            [(w, x) for w, x in out[v] if w > s and w in part] if v in part else [] for v in range(len(nodes))
        ]
        closing = {u: x for u in part for w, x in out[u] if w == s}
        if not closing or not later[s]:
            continue
        summed: Weight = (0, 0, 0)
        blocked = {s}
        holds: defaultdict[int, set[int]] = defaultdict(set)
        path = [s]
        carried: list[Weight] = [(1, 0, 0)]
        stack = [iter(later[s])]
        closed = [False]
        try:
            while stack:
                steps += 1
                if steps == CHECK_EVERY:
                    steps = 0
                    check()
                v = path[-1]
                for w, weight in stack[-1]:
                    if w not in blocked:
                        path.append(w)
                        carried.append(join_weights(carried[-1], weight))
                        closed.append(False)
                        stack.append(iter(later[w]))
                        blocked.add(w)
                        back = closing.get(w)
                        if back is not None:
                            summed = add_weights(summed, join_weights(carried[-1], back))
                            closed[-1] = True
                        break
                else:
                    stack.pop()
                    path.pop()
                    carried.pop()
                    if closed.pop():
                        if closed:
                            closed[-1] = True
                        unblock(v, blocked, holds)
                    else:
                        for w, _ in later[v]:
                            holds[w].add(v)
        except _Stop:
            yield summed  # what was counted before the budget ran out still counts
            raise
        yield summed
