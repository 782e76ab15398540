"""Declarative patterns over feedback loops, and a budgeted matcher for them.

A pattern names a few loop **slots**, each reinforcing (``R``) or balancing (``B``), and says
how they meet. Two loops **meet** when the variables they share form one stretch that both
run along in the same direction: a single variable (a *point*, a figure of eight) or a *path*
from where the loops **join** to where they **split** apart again. Past the split, each loop
has its own **branch** back to the join; a branch has *interior* variables (perhaps none),
a *first* and a *last* link, each with a sign, and perhaps a delay mark. Loops that share
variables in any other way (two separate stretches, or in different orders) do not meet.

A :class:`Junction` constrains how two slots meet: the shape, the sign of the shared path,
the signs of the two branches' first and last links. :class:`Role` locators (:func:`join`,
:func:`split`, :func:`first`, :func:`last`) pick out the variables that play a part, and a
few constraints relate slots further (:class:`Same`, :class:`Inside`, :class:`Disjoint`,
:class:`SharedApart`). :class:`Expect` lists delays the pattern expects (or expects to be
absent); a fit that lacks one still matches, with the shortfall noted.

>>> import networkx as nx
>>> from sysmap.analysis.loops import find_loops
>>> g = nx.DiGraph()
>>> for u, v, s in [("s", "f", "+"), ("f", "s", "-"), ("f", "c", "+"), ("c", "s", "+")]:
...     g.add_edge(u, v, sign=s, delay=(u, v) == ("f", "c"))
>>> fix, side = sorted(find_loops(g), key=lambda loop: loop.length)
>>> m = meet(g, fix, side)
>>> m.join, m.split, [b.interior for b in m.branches]
('s', 'f', [(), ('c',)])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from sysmap.analysis.loops import Loop


def sign_of(signs: Sequence[str]) -> str:
    """The sign of a chain of links: ``-`` for an odd number of ``-``, ``?`` if any is unknown.

    >>> sign_of("+-"), sign_of("--"), sign_of(""), sign_of("+?")
    ('-', '+', '+', '?')
    """
    if any(s not in "+-" for s in signs):
        return "?"
    return "-" if sum(s == "-" for s in signs) % 2 else "+"


@dataclass(frozen=True)
class Branch:
    """One loop's own way from the split back to the join: the variables strictly between,
    and the sign and delay mark of each link along it."""

    interior: tuple[str, ...]
    signs: tuple[str, ...]
    delays: tuple[bool, ...]

    @property
    def first(self) -> str:
        return self.signs[0]

    @property
    def last(self) -> str:
        return self.signs[-1]

    @property
    def sign(self) -> str:
        return sign_of(self.signs)

    @property
    def delayed(self) -> bool:
        return any(self.delays)


@dataclass(frozen=True)
class Meeting:
    """How two loops meet: the shared stretch (``shared[0]`` is the join, ``shared[-1]`` the
    split), the signs and delay marks of its links, and each loop's branch, in order."""

    shared: tuple[str, ...]
    signs: tuple[str, ...]
    delays: tuple[bool, ...]
    branches: tuple[Branch, Branch]

    @property
    def join(self) -> str:
        return self.shared[0]

    @property
    def split(self) -> str:
        return self.shared[-1]

    @property
    def point(self) -> bool:
        return len(self.shared) == 1

    @property
    def sign(self) -> str:
        return sign_of(self.signs)

    def swapped(self) -> Meeting:
        return Meeting(self.shared, self.signs, self.delays, (self.branches[1], self.branches[0]))


def _walk(graph, loop: Loop, start: str, stop: str) -> tuple[list[str], list[str], list[bool]]:
    """The variables, signs and delay marks along ``loop`` from ``start`` to ``stop`` (once
    round the loop when they are the same variable)."""
    n = len(loop.variables)
    i = loop.variables.index(start)
    nodes, signs, delays = [start], [], []
    while True:
        u, v = loop.variables[i % n], loop.variables[(i + 1) % n]
        signs.append(loop.signs[i % n])
        delays.append(bool(graph.edges[u, v].get("delay", False)))
        nodes.append(v)
        i += 1
        if v == stop:
            return nodes, signs, delays


def meet(graph: nx.DiGraph, one: Loop, other: Loop) -> Meeting | None:
    """How loops ``one`` and ``other`` of ``graph`` meet, or ``None`` when they share no
    variable or share them other than along one stretch run in the same direction."""
    shared = set(one.variables) & set(other.variables)
    if not shared or one.variables == other.variables:
        return None
    n1, n2 = len(one.variables), len(other.variables)
    next1 = {one.variables[i]: one.variables[(i + 1) % n1] for i in range(n1)}
    next2 = {other.variables[i]: other.variables[(i + 1) % n2] for i in range(n2)}
    common = {u for u in shared if next1[u] == next2[u]}
    if len(common) != len(shared) - 1:
        return None
    heads = {next1[u] for u in common}
    starts = shared - heads
    if len(starts) != 1:
        return None
    path = [starts.pop()]
    while path[-1] in common:
        path.append(next1[path[-1]])
    if len(path) != len(shared):
        return None
    if len(path) > 1:
        _, signs, delays = _walk(graph, one, path[0], path[-1])
    else:
        signs, delays = [], []
    branches = []
    for loop in (one, other):
        nodes, bsigns, bdelays = _walk(graph, loop, path[-1], path[0])
        branches.append(Branch(tuple(nodes[1:-1]), tuple(bsigns), tuple(bdelays)))
    return Meeting(tuple(path), tuple(signs), tuple(delays), (branches[0], branches[1]))


# -- the pattern language ---------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A loop a pattern needs: its key, its polarity, whether the pattern can do without it
    (``missing`` then says what a fit without it lacks), and whether a stock's own draining
    loop (stock -> its outflow -> stock) may fill it: not where the loop stands for a
    decision, such as a fix."""

    key: str
    polarity: str
    optional: bool = False
    missing: str = ""
    draining: bool = True


def drains(graph: nx.DiGraph, loop: Loop) -> bool:
    """Whether ``loop`` is a stock and its own outflow, which grows with the stock.

    >>> import networkx as nx
    >>> from sysmap.analysis.loops import find_loops
    >>> g = nx.DiGraph([("tub", "drain", {"sign": "+"}), ("drain", "tub", {"sign": "-"})])
    >>> g.nodes["tub"]["kind"], g.nodes["drain"]["kind"] = "stock", "flow"
    >>> [drains(g, loop) for loop in find_loops(g)]
    [True]
    """
    if loop.length != 2:
        return False
    a, b = loop.variables
    for stock, flow in ((a, b), (b, a)):
        if graph.nodes[stock].get("kind") == "stock" and graph.nodes[flow].get("kind") == "flow":
            return graph.edges[flow, stock].get("sign") == "-"
    return False


@dataclass(frozen=True)
class Junction:
    """How the loops in slots ``a`` and ``b`` must meet.

    ``shape``: ``"point"`` or ``"path"`` (required); ``prefer``: the same, as a preference
    only. ``shared``: the sign of the shared path. ``first`` and ``last``: the signs of the
    two branches' first (last) links, as ``"same"``, ``"opposite"`` or a pair of signs for
    ``a``'s and ``b``'s branch. ``None`` leaves a feature free.
    """

    a: str
    b: str
    shape: str | None = None
    prefer: str | None = None
    shared: str | None = None
    first: str | tuple[str, str] | None = None
    last: str | tuple[str, str] | None = None

    def admits(self, m: Meeting) -> bool:
        if self.shape is not None and m.point != (self.shape == "point"):
            return False
        if self.shared is not None and m.sign != self.shared:
            return False
        ba, bb = m.branches
        return _signs_fit(self.first, ba.first, bb.first) and _signs_fit(self.last, ba.last, bb.last)


def _signs_fit(rule, a: str, b: str) -> bool:
    if rule is None:
        return True
    if rule == "same":
        return a == b and a in "+-"
    if rule == "opposite":
        return {a, b} == {"+", "-"}
    return (a, b) == tuple(rule)


@dataclass(frozen=True)
class At:
    """Where in the meeting of slots ``a`` and ``b`` a variable sits: ``kind`` is ``join``,
    ``split``, ``first`` or ``last`` (the first or last interior variable of ``side``'s
    branch)."""

    kind: str
    a: str
    b: str
    side: str | None = None


def join(a: str, b: str) -> At:
    """Where the loops in slots ``a`` and ``b`` come together."""
    return At("join", a, b)


def split(a: str, b: str) -> At:
    """Where the loops in slots ``a`` and ``b`` part."""
    return At("split", a, b)


def first(side: str, a: str, b: str) -> At:
    """The first variable on ``side``'s own branch where slots ``a`` and ``b`` meet."""
    return At("first", a, b, side)


def last(side: str, a: str, b: str) -> At:
    """The last variable on ``side``'s own branch (the one feeding the join)."""
    return At("last", a, b, side)


@dataclass(frozen=True)
class Role:
    """A part a variable plays: ``key`` (used in the story), a title for people, where it
    sits, and whether a fit can do without it. ``stand_in`` names the role whose variable
    the story uses when this optional one is absent or coincides with another."""

    key: str
    title: str
    at: At
    optional: bool = False
    stand_in: str | None = None


@dataclass(frozen=True)
class Same:
    """Two locators must find the same variable."""

    x: At
    y: At


@dataclass(frozen=True)
class Inside:
    """Locator ``x`` must find a variable on the interior of ``side``'s branch where slots
    ``a`` and ``b`` meet."""

    x: At
    a: str
    b: str
    side: str


@dataclass(frozen=True)
class Disjoint:
    """The loops in slots ``a`` and ``b`` share no variable."""

    a: str
    b: str


@dataclass(frozen=True)
class SharedApart:
    """The stretch shared where slots ``a`` and ``b`` meet avoids the loops in ``others``."""

    a: str
    b: str
    others: tuple[str, ...]


@dataclass(frozen=True)
class NotStock:
    """Locator ``x`` must not find a stock (in a stock-and-flow map, a stock between its own
    inflow and outflow forms two balancing loops that are plumbing, not a pattern)."""

    x: At


@dataclass(frozen=True)
class Expect:
    """A delay mark the pattern expects on ``part`` (a slot's branch, or ``"shared"``) where
    slots ``a`` and ``b`` meet -- or, with ``absent``, expects not to find there. ``tag``
    names the story fragment that holds only when the expectation is met; ``note`` says what
    is wrong when it is not."""

    a: str
    b: str
    part: str
    note: str
    tag: str = ""
    absent: bool = False


@dataclass(frozen=True)
class Pattern:
    """A system archetype (or any loop structure) as slots, junctions, roles, constraints
    and expected delays; ``story`` fragments are joined into the plain-words account of a
    fit (see :func:`story`)."""

    key: str
    title: str
    summary: str
    slots: tuple[Slot, ...]
    junctions: tuple[Junction, ...]
    roles: tuple[Role, ...]
    constraints: tuple = ()
    expect: tuple[Expect, ...] = ()
    key_roles: tuple[str, ...] = ()
    absorbs: tuple[str, ...] = ()
    story: tuple[str, ...] = ()

    def junction(self, a: str, b: str) -> Junction | None:
        for j in self.junctions:
            if (j.a, j.b) in ((a, b), (b, a)):
                return j
        return None


#: What lowers a fit's score: a shortfall (a missing delay mark or optional loop), or a
#: shape the pattern prefers not to see.
SHORTFALL = 0.25
SHAPE = 0.1


@dataclass
class Fit:
    """One way a pattern fits some loops: the loop of each slot, the variable of each role,
    what falls short of the pattern (``notes``), the story ``tags`` that hold, and a score
    (1 for a fit with nothing missing)."""

    pattern: Pattern
    loops: dict[str, Loop]
    roles: dict[str, str]
    notes: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    score: float = 1.0


class _Stopped(Exception):
    pass


class Matcher:
    """Fits patterns to the loops of ``graph``, under a deadline (``time.monotonic()``
    value) and a per-pattern fit cap; ``stopped`` says afterwards whether either cut the
    search short. Loops of polarity other than R and B are never used."""

    CHECK_EVERY = 512

    def __init__(
        self,
        graph: nx.DiGraph,
        loops: Sequence[Loop],
        *,
        deadline: float | None = None,
        max_fits: int = 2000,
        cancel: Callable[[], bool] | None = None,
    ):
        self.graph = graph
        self.loops = list(loops)
        self.deadline = deadline
        self.max_fits = max_fits
        self.cancel = cancel
        self.stopped = False
        self._deadline = deadline
        self._steps = 0
        self._sets = [frozenset(loop.variables) for loop in self.loops]
        self._drains = [drains(graph, loop) for loop in self.loops]
        self._index: dict[str, list[int]] = {}
        for i, loop in enumerate(self.loops):
            for v in loop.variables:
                self._index.setdefault(v, []).append(i)
        self._partners: dict[int, list[int]] = {}
        self._meetings: dict[tuple[int, int], Meeting | None] = {}

    def _tick(self) -> None:
        self._steps += 1
        if self._steps % self.CHECK_EVERY == 0:
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise _Stopped
            if self.cancel is not None and self.cancel():
                raise _Stopped

    def partners(self, i: int) -> list[int]:
        """The loops sharing at least one variable with loop ``i``."""
        found = self._partners.get(i)
        if found is None:
            found = sorted({j for v in self.loops[i].variables for j in self._index[v]} - {i})
            self._partners[i] = found
        return found

    def meeting(self, i: int, j: int) -> Meeting | None:
        """How loops ``i`` and ``j`` meet (branches in that order), cached."""
        if i > j:
            m = self.meeting(j, i)
            return None if m is None else m.swapped()
        key = (i, j)
        if key not in self._meetings:
            self._meetings[key] = meet(self.graph, self.loops[i], self.loops[j])
        return self._meetings[key]

    def fits(self, pattern: Pattern, *, deadline: float | None = None) -> list[Fit]:
        """Every fit of ``pattern`` (up to the cap, and before ``deadline`` if given, else the
        matcher's), in search order."""
        self._deadline = self.deadline if deadline is None else deadline
        found: list[Fit] = []
        required = [s for s in pattern.slots if not s.optional]
        optional = [s for s in pattern.slots if s.optional]
        try:
            for chosen in self._assign(pattern, required, {}):
                for full, missing in self._complete(pattern, optional, chosen):
                    fit = self._fit(pattern, full, missing)
                    if fit is not None:
                        found.append(fit)
                        if len(found) >= self.max_fits:
                            self.stopped = True
                            return found
        except _Stopped:
            self.stopped = True
        return found

    def _candidates(self, pattern: Pattern, slot: Slot, chosen: dict[str, int]) -> Iterator[int]:
        anchor = next((s for s in chosen if pattern.junction(s, slot.key) is not None), None)
        pool = self.partners(chosen[anchor]) if anchor is not None else range(len(self.loops))
        used = set(chosen.values())
        for i in pool:
            if (
                i not in used
                and self.loops[i].polarity == slot.polarity
                and (slot.draining or not self._drains[i])
            ):
                yield i

    def _consistent(self, pattern: Pattern, slot: str, i: int, chosen: dict[str, int]) -> bool:
        for other, k in chosen.items():
            j = pattern.junction(slot, other)
            if j is None:
                continue
            m = self.meeting(i, k) if j.a == slot else self.meeting(k, i)
            if m is None or not j.admits(m):
                return False
        for c in pattern.constraints:
            if isinstance(c, Disjoint) and {c.a, c.b} <= {slot, *chosen} and slot in (c.a, c.b):
                other = c.b if c.a == slot else c.a
                if self._sets[i] & self._sets[chosen[other]]:
                    return False
        return True

    def _assign(self, pattern: Pattern, slots: list[Slot], chosen: dict[str, int]) -> Iterator[dict]:
        if len(chosen) == len(slots):
            yield dict(chosen)
            return
        slot = slots[len(chosen)]
        for i in self._candidates(pattern, slot, chosen):
            self._tick()
            if self._consistent(pattern, slot.key, i, chosen):
                chosen[slot.key] = i
                yield from self._assign(pattern, slots, chosen)
                del chosen[slot.key]

    def _complete(self, pattern: Pattern, optional: list[Slot], chosen: dict[str, int]):
        """The fits with optional slots filled where some loop fits them (each way), else
        left empty."""
        if not optional:
            yield chosen, []
            return
        slot, rest = optional[0], optional[1:]
        filled = False
        for i in self._candidates(pattern, slot, chosen):
            self._tick()
            if self._consistent(pattern, slot.key, i, chosen) and self._holds(
                pattern, {**chosen, slot.key: i}
            ):
                filled = True
                yield from self._complete(pattern, rest, {**chosen, slot.key: i})
        if not filled:
            for full, missing in self._complete(pattern, rest, chosen):
                yield full, [slot, *missing]

    def _locate(self, pattern: Pattern, at: At, chosen: dict[str, int]) -> str | None:
        if at.a not in chosen or at.b not in chosen:
            return None
        m = self.meeting(chosen[at.a], chosen[at.b])
        if m is None:
            return None
        if at.kind == "join":
            return m.join
        if at.kind == "split":
            return m.split
        interior = m.branches[0 if at.side == at.a else 1].interior
        if not interior:
            return None
        return interior[0] if at.kind == "first" else interior[-1]

    def _holds(self, pattern: Pattern, chosen: dict[str, int]) -> bool:
        """Whether the constraints whose slots are all chosen hold."""
        for c in pattern.constraints:
            if isinstance(c, Same):
                if _slots_of(c.x) | _slots_of(c.y) <= chosen.keys():
                    x = self._locate(pattern, c.x, chosen)
                    if x is None or x != self._locate(pattern, c.y, chosen):
                        return False
            elif isinstance(c, Inside):
                if _slots_of(c.x) | {c.a, c.b} <= chosen.keys():
                    x = self._locate(pattern, c.x, chosen)
                    m = self.meeting(chosen[c.a], chosen[c.b])
                    branch = m.branches[0 if c.side == c.a else 1] if m is not None else None
                    if x is None or branch is None or x not in branch.interior:
                        return False
            elif isinstance(c, NotStock) and _slots_of(c.x) <= chosen.keys():
                x = self._locate(pattern, c.x, chosen)
                if x is None or self.graph.nodes[x].get("kind") == "stock":
                    return False
            elif isinstance(c, SharedApart) and {c.a, c.b, *c.others} <= chosen.keys():
                m = self.meeting(chosen[c.a], chosen[c.b])
                if m is None or any(set(m.shared) & self._sets[chosen[o]] for o in c.others):
                    return False
        return True

    def _fit(self, pattern: Pattern, chosen: dict[str, int], missing: list[Slot]) -> Fit | None:
        if not self._holds(pattern, chosen):
            return None
        roles: dict[str, str] = {}
        for role in pattern.roles:
            var = self._locate(pattern, role.at, chosen)
            if var is None or var in roles.values():
                if not role.optional:
                    return None
                continue
            roles[role.key] = var
        fit = Fit(pattern, {k: self.loops[i] for k, i in chosen.items()}, roles)
        for slot in missing:
            fit.notes.append(slot.missing)
            fit.score -= SHORTFALL
        for e in pattern.expect:
            if e.a not in chosen or e.b not in chosen:
                continue
            m = self.meeting(chosen[e.a], chosen[e.b])
            delayed = any(m.delays) if e.part == "shared" else m.branches[0 if e.part == e.a else 1].delayed
            if delayed != e.absent:
                if e.tag:
                    fit.tags.add(e.tag)
            else:
                fit.notes.append(e.note)
                fit.score -= SHORTFALL
        for j in pattern.junctions:
            if j.prefer is not None and self.meeting(chosen[j.a], chosen[j.b]).point != (j.prefer == "point"):
                fit.score -= SHAPE
        fit.score = round(fit.score, 3)
        return fit


def _slots_of(at: At) -> set[str]:
    return {at.a, at.b}


def story(fit: Fit, name_of: Callable[[str], str], loop_name: Callable[[Loop], str]) -> str:
    """The fit's story: its pattern's fragments with roles as quoted variable names, slots as
    loop names and expectation tags as empty text; a fragment naming anything the fit lacks
    is left out (a tuple of fragments gives alternatives: the first that can be told is).

    Role placeholders are filled with ``'name'``; an absent optional role falls back to its
    ``stand_in``.
    """
    values: dict[str, str] = {tag: "" for tag in fit.tags}
    for role in fit.pattern.roles:
        vid = fit.roles.get(role.key) or (fit.roles.get(role.stand_in) if role.stand_in else None)
        if vid is not None:
            values[role.key] = f"'{name_of(vid)}'"
    for key, loop in fit.loops.items():
        values[key] = loop_name(loop)
    parts = []
    for fragment in fit.pattern.story:
        for choice in (fragment,) if isinstance(fragment, str) else fragment:
            try:
                parts.append(choice.format_map(values))
                break
            except KeyError:
                continue
    return "".join(parts)
