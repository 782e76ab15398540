"""The classic system archetypes, found in a map by polarity-aware matching over its loops.

Each archetype is declared as a :class:`~sysmap.analysis.loop_patterns.Pattern`: the loops it
is made of (reinforcing R or balancing B), how they meet (a shared variable or a shared path
from where they *join* to where they *split*; see :mod:`sysmap.analysis.loop_patterns`), the
signs of the links where their branches leave and re-enter, and the delays it expects.
Sources: P. M. Senge, *The Fifth Discipline* (1990); D. H. Kim and V. Anderson, *Systems
Archetype Basics* (1998); W. Braun, *The System Archetypes* (2002).

**Fixes that fail** -- a B loop (the fix) and an R loop sharing the path from the *problem
symptom* to the *fix*; the R loop leaves the fix through an *unintended consequence* that
feeds the symptom again, with a delay. Roles: problem symptom (the join), fix (the split),
unintended consequence (first variable of the R loop's branch).

**Shifting the burden** -- two B loops that both relieve the *problem symptom* (they share it,
and both respond to it in the same direction): the *symptomatic solution* acts at once, the
*fundamental solution* only after a delay. In the full form an R loop runs from the
symptomatic solution through a *side effect* into the fundamental loop's branch, undermining
it. Roles: problem symptom, symptomatic solution, fundamental solution, side effect.

**Limits to growth** -- an R loop (the growth engine) and a B loop (the limit) sharing the
growing *state*; the limit usually bites after a delay. Roles: state, growing action (last
variable of the R branch), slowing action (last variable of the B branch).

**Eroding goals** -- two B loops sharing a *gap*: one closes it by *corrective action* on the
*actual state* (after a delay; the state enters the gap with ``-``), the other at once by
lowering the *goal* (which enters the gap with ``+``). Roles: gap, corrective action, actual
state, goal, pressure to lower the goal.

**Escalation** -- two B loops meeting at one variable, the *relative position* of two
parties: it leaves towards A's activity with ``-`` and towards B's with ``+``, and returns
from A's results with ``+`` and from B's with ``-``. Roles: relative position, A's (B's)
activity and results.

**Success to the successful** -- the same figure of eight as escalation, made of two R loops:
an *allocation to A instead of B* that favours whoever is ahead. Roles: allocation,
resources to A (B), success of A (B).

**Tragedy of the commons** -- two R loops (each user's activity and gains, sharing nothing),
each coupled to a B loop through the common resource; the two B loops share the stretch
from *total activity* to the *gain per individual activity*, delayed, which neither R loop
touches. Roles: A's (B's) activity and net gains, total activity, gain per activity.

**Growth and underinvestment** -- limits to growth (R engine, B limit sharing *demand*) plus a
third B loop, sharing *performance* with the limit and nothing with the engine, that invests
in *capacity* after a delay. Roles: demand, growing action, performance, perceived need to
invest, capacity.

**Accidental adversaries** -- two R loops of each party's own fix (A's *own activity* and A's
*success*; likewise B), sharing nothing; an R partnership loop through both successes
(A's *activity toward B*, B's activity toward A) meeting each at its success; and an
adversarial R loop through both own loops, where each party's own fix lowers the other's
success (branch links ``-``). Roles: A's (B's) success, own fix, activity toward the other.

Matching is over the R and B loops of :func:`sysmap.analysis.causal.causal_graph` found by
:class:`~sysmap.analysis.loops.LoopSearch` within a time and count budget; when that search
is cut short, the shortest loop through each link is added, so that large maps are still
read through their short loops (the result then says it is partial). Archetypes are read in
short loops: those of more than ``max_length`` (8) variables are left out. So are loops in
which material only circulates between stocks (stock -> its outflow -> the next stock ->
...): they count as R, but conservation keeps them weaker than the draining loops beside
them. A stock's own draining loop (stock -> outflow -> stock) is no decision, so it never
plays a fix, a solution or a party's response; and a stock is never the relative position
of escalation or the allocation of success to the successful (a stock between its own
inflow and outflow makes the same figure of eight).

Each match carries its roles, loops, a story in the map's words, a score (1 for a fit with
every expected delay and loop, less for each shortfall, which ``notes`` lists) and a
confidence. The same archetype over the same role variables is reported once; when the same
loops read as two archetypes, the better fit is kept; an archetype found inside a larger one
that contains it (fixes that fail inside shifting the burden, limits to growth inside the
tragedy of the commons) is folded into it (``also``).

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> s, f, c = (doc.add_variable(n).id for n in ("Shortage", "Building", "Migration"))
>>> for a, b, p, d in [(s, f, "+", 0), (f, s, "-", 0), (f, c, "+", 1), (c, s, "+", 0)]:
...     _ = doc.add_link(a, b, polarity=p, delay=bool(d))
>>> [(m.title, m.confidence, m.role("consequence")) for m in find_archetypes(doc).matches]
[('Fixes that fail', 'high', 'Migration')]
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sysmap.analysis.loop_patterns import (
    Disjoint,
    Expect,
    Fit,
    Inside,
    Junction,
    Matcher,
    NotStock,
    Pattern,
    Role,
    Same,
    SharedApart,
    Slot,
    first,
    join,
    last,
    split,
    story,
)
from sysmap.analysis.loops import Loop, LoopSearch, make_loop, name_loops, order_key
from sysmap.model.names import display_name

if TYPE_CHECKING:
    import networkx as nx

    from sysmap.model import SystemMap

FIXES_THAT_FAIL = Pattern(
    key="fixes_that_fail",
    title="Fixes that fail",
    summary="A fix relieves a problem symptom, but its unintended consequence brings the problem back.",
    slots=(Slot("fix", "B", draining=False), Slot("side", "R")),
    junctions=(Junction("fix", "side", shape="path", shared="+"),),
    roles=(
        Role("symptom", "problem symptom", join("fix", "side")),
        Role("solution", "fix", split("fix", "side")),
        Role("consequence", "unintended consequence", first("side", "fix", "side")),
    ),
    expect=(
        Expect("fix", "side", "side", "the unintended consequence carries no delay mark", tag="delay"),
        Expect("fix", "side", "fix", "the fix itself works only after a delay", absent=True),
    ),
    story=(
        "{solution} relieves {symptom} ({fix}), but through {consequence}",
        " and a delay{delay}",
        " it makes {symptom} worse again ({side}).",
    ),
)

SHIFTING_THE_BURDEN = Pattern(
    key="shifting_the_burden",
    title="Shifting the burden",
    summary="A quick symptomatic solution takes the pressure off a slower fundamental one.",
    slots=(
        Slot("symptomatic", "B", draining=False),
        Slot("fundamental", "B", draining=False),
        Slot("side", "R", optional=True, missing="no side-effect loop undermines the fundamental solution"),
    ),
    junctions=(
        Junction("symptomatic", "fundamental", shared="+", first="same"),
        Junction("symptomatic", "side", shape="path", shared="+"),
        Junction("fundamental", "side"),
    ),
    constraints=(
        Same(split("symptomatic", "side"), first("symptomatic", "symptomatic", "fundamental")),
        Inside(join("fundamental", "side"), "symptomatic", "fundamental", "fundamental"),
    ),
    roles=(
        Role("symptom", "problem symptom", join("symptomatic", "fundamental")),
        Role("quick_fix", "symptomatic solution", first("symptomatic", "symptomatic", "fundamental")),
        Role("remedy", "fundamental solution", first("fundamental", "symptomatic", "fundamental")),
        Role("side_effect", "side effect", first("side", "symptomatic", "side"), optional=True),
    ),
    expect=(
        Expect(
            "symptomatic",
            "fundamental",
            "fundamental",
            "the fundamental solution carries no delay mark",
            tag="delay",
        ),
        Expect(
            "symptomatic", "fundamental", "symptomatic", "the symptomatic solution is delayed", absent=True
        ),
    ),
    key_roles=("symptom", "quick_fix", "remedy"),
    absorbs=("fixes_that_fail", "eroding_goals", "limits_to_growth"),
    story=(
        "{quick_fix} relieves {symptom} quickly ({symptomatic}) and so eases the pressure for "
        "{remedy}, the fundamental solution ({fundamental})",
        ", which works only after a delay{delay}",
        ".",
        " Through {side_effect}, the quick fix also works against the fundamental one ({side}).",
    ),
)

LIMITS_TO_GROWTH = Pattern(
    key="limits_to_growth",
    title="Limits to growth",
    summary="A reinforcing process of growth runs into a balancing process that slows it.",
    slots=(Slot("engine", "R"), Slot("limit", "B")),
    junctions=(Junction("engine", "limit", prefer="point"),),
    roles=(
        Role("state", "growing state", join("engine", "limit")),
        Role("growth", "growing action", last("engine", "engine", "limit")),
        Role("brake", "slowing action", last("limit", "engine", "limit")),
    ),
    expect=(Expect("engine", "limit", "limit", "the limit carries no delay mark", tag="delay"),),
    key_roles=("state", "brake"),
    story=(
        "{growth} drives {state} up ({engine}), but as {state} grows, {brake} holds it back",
        " after a delay{delay}",
        " ({limit}).",
    ),
)

ERODING_GOALS = Pattern(
    key="eroding_goals",
    title="Eroding goals",
    summary="A gap is closed by lowering the goal instead of by slower corrective action.",
    slots=(Slot("correcting", "B", draining=False), Slot("lowering", "B", draining=False)),
    junctions=(Junction("correcting", "lowering", shared="+", first="same", last=("-", "+")),),
    roles=(
        Role("gap", "gap", join("correcting", "lowering")),
        Role("action", "corrective action", first("correcting", "correcting", "lowering")),
        Role("state", "actual state", last("correcting", "correcting", "lowering"), optional=True),
        Role("goal", "goal", last("lowering", "correcting", "lowering")),
        Role(
            "pressure",
            "pressure to lower the goal",
            first("lowering", "correcting", "lowering"),
            optional=True,
        ),
    ),
    expect=(
        Expect(
            "correcting", "lowering", "correcting", "the corrective action carries no delay mark", tag="delay"
        ),
        Expect("correcting", "lowering", "lowering", "lowering the goal is delayed", absent=True),
    ),
    key_roles=("gap", "goal"),
    story=(
        "{gap} can be closed by {action}",
        ", which changes {state}",
        " only after a delay{delay}",
        " ({correcting}), or at once by lowering {goal} ({lowering}); each time the easy way is taken, "
        "the goal drifts down.",
    ),
)

ESCALATION = Pattern(
    key="escalation",
    title="Escalation",
    summary="Two parties each act to get ahead of the other, and each one's action provokes the other's.",
    slots=(Slot("party_a", "B", draining=False), Slot("party_b", "B", draining=False)),
    junctions=(Junction("party_a", "party_b", shape="point", first=("-", "+"), last=("+", "-")),),
    constraints=(NotStock(join("party_a", "party_b")),),
    roles=(
        Role("relative", "relative position", join("party_a", "party_b")),
        Role("action_a", "A's activity", first("party_a", "party_a", "party_b")),
        Role("results_a", "A's results", last("party_a", "party_a", "party_b"), optional=True),
        Role("action_b", "B's activity", first("party_b", "party_a", "party_b")),
        Role("results_b", "B's results", last("party_b", "party_a", "party_b"), optional=True),
    ),
    story=(
        "{action_a} ({party_a}) and {action_b} ({party_b}) each respond to {relative}: whatever one side "
        "does to get ahead, the other answers, so the two balancing loops together drive an escalation.",
    ),
)

SUCCESS_TO_THE_SUCCESSFUL = Pattern(
    key="success_to_the_successful",
    title="Success to the successful",
    summary="Whoever is ahead is given more resources, and so gets further ahead.",
    slots=(Slot("winner", "R"), Slot("loser", "R")),
    junctions=(Junction("winner", "loser", shape="point", first=("+", "-"), last=("+", "-")),),
    constraints=(NotStock(join("winner", "loser")),),
    roles=(
        Role("allocation", "allocation to A instead of B", join("winner", "loser")),
        Role("resources_a", "resources to A", first("winner", "winner", "loser")),
        Role(
            "success_a",
            "success of A",
            last("winner", "winner", "loser"),
            optional=True,
            stand_in="resources_a",
        ),
        Role("resources_b", "resources to B", first("loser", "winner", "loser")),
        Role(
            "success_b",
            "success of B",
            last("loser", "winner", "loser"),
            optional=True,
            stand_in="resources_b",
        ),
    ),
    story=(
        "{allocation} favours whichever side is ahead: more {success_a} brings more {resources_a} "
        "({winner}), while {resources_b} shrinks and {success_b} falls further behind ({loser}).",
    ),
)

TRAGEDY_OF_THE_COMMONS = Pattern(
    key="tragedy_of_the_commons",
    title="Tragedy of the commons",
    summary="Users of a common resource each grow on their own gains until together they exhaust it.",
    slots=(Slot("user_a", "R"), Slot("limit_a", "B"), Slot("limit_b", "B"), Slot("user_b", "R")),
    junctions=(
        Junction("user_a", "limit_a"),
        Junction("limit_a", "limit_b"),
        Junction("user_b", "limit_b"),
    ),
    constraints=(Disjoint("user_a", "user_b"), SharedApart("limit_a", "limit_b", ("user_a", "user_b"))),
    roles=(
        Role("activity_a", "A's activity", split("user_a", "limit_a")),
        Role("gains_a", "net gains for A", join("user_a", "limit_a"), optional=True),
        Role("activity_b", "B's activity", split("user_b", "limit_b")),
        Role("gains_b", "net gains for B", join("user_b", "limit_b"), optional=True),
        Role("total", "total activity", join("limit_a", "limit_b")),
        Role("yield_", "gain per individual activity", split("limit_a", "limit_b"), optional=True),
    ),
    expect=(
        Expect("limit_a", "limit_b", "shared", "the common resource carries no delay mark", tag="delay"),
    ),
    key_roles=("activity_a", "activity_b", "total"),
    absorbs=("limits_to_growth", "fixes_that_fail"),
    story=(
        "{activity_a} ({user_a}) and {activity_b} ({user_b}) each grow on their own gains, but both add to "
        "{total}, which",
        " after a delay{delay}",
        (" lowers {yield_} for everyone", " turns against them all"),
        " ({limit_a}, {limit_b}): together they exhaust what they share.",
    ),
)

GROWTH_AND_UNDERINVESTMENT = Pattern(
    key="growth_and_underinvestment",
    title="Growth and underinvestment",
    summary="Growth hits a capacity limit that investment could lift, but investment comes too late.",
    slots=(Slot("engine", "R"), Slot("limit", "B"), Slot("invest", "B")),
    junctions=(Junction("engine", "limit"), Junction("limit", "invest")),
    constraints=(Disjoint("engine", "invest"),),
    roles=(
        Role("demand", "demand", join("engine", "limit")),
        Role("growth", "growing action", last("engine", "engine", "limit")),
        Role("performance", "performance", split("limit", "invest")),
        Role("need", "perceived need to invest", first("invest", "limit", "invest"), optional=True),
        Role("capacity", "capacity", last("invest", "limit", "invest")),
    ),
    expect=(Expect("limit", "invest", "invest", "investing in capacity carries no delay mark", tag="delay"),),
    key_roles=("demand", "performance", "capacity"),
    absorbs=("limits_to_growth", "escalation", "shifting_the_burden", "eroding_goals", "fixes_that_fail"),
    story=(
        "{growth} drives {demand} up ({engine}); as it grows, {performance} suffers and holds growth back "
        "({limit}). Investing in {capacity} would lift the limit",
        ", but only after a delay{delay}",
        " ({invest}), and while it waits, falling performance seems to justify investing less.",
    ),
)

ACCIDENTAL_ADVERSARIES = Pattern(
    key="accidental_adversaries",
    title="Accidental adversaries",
    summary="Partners whose own fixes each undermine the other's success turn into adversaries.",
    slots=(Slot("own_a", "R"), Slot("adversarial", "R"), Slot("own_b", "R"), Slot("partnership", "R")),
    junctions=(
        Junction("own_a", "adversarial", shape="path", first=("+", "-"), last=("+", "-")),
        Junction("own_b", "adversarial", shape="path", first=("+", "-"), last=("+", "-")),
        Junction("own_a", "partnership", shape="point"),
        Junction("own_b", "partnership", shape="point"),
    ),
    constraints=(
        Disjoint("own_a", "own_b"),
        Same(join("own_a", "adversarial"), join("own_a", "partnership")),
        Same(join("own_b", "adversarial"), join("own_b", "partnership")),
    ),
    roles=(
        Role("success_a", "A's success", join("own_a", "adversarial")),
        Role("fix_a", "A's activity for itself", split("own_a", "adversarial")),
        Role("toward_b", "A's activity toward B", first("partnership", "own_a", "partnership")),
        Role("success_b", "B's success", join("own_b", "adversarial")),
        Role("fix_b", "B's activity for itself", split("own_b", "adversarial")),
        Role("toward_a", "B's activity toward A", first("partnership", "own_b", "partnership")),
    ),
    absorbs=(
        "fixes_that_fail",
        "limits_to_growth",
        "success_to_the_successful",
        "shifting_the_burden",
        "escalation",
        "eroding_goals",
    ),
    story=(
        "{success_a} and {success_b} feed each other through {toward_b} and {toward_a} ({partnership}). "
        "But each side's own remedy, {fix_a} ({own_a}) and {fix_b} ({own_b}), lowers the other's success, "
        "and the partners become adversaries ({adversarial}).",
    ),
)

#: The nine archetypes, the more specific (more loops) first: that order breaks ties.
ARCHETYPES: tuple[Pattern, ...] = (
    ACCIDENTAL_ADVERSARIES,
    TRAGEDY_OF_THE_COMMONS,
    GROWTH_AND_UNDERINVESTMENT,
    SHIFTING_THE_BURDEN,
    ERODING_GOALS,
    ESCALATION,
    SUCCESS_TO_THE_SUCCESSFUL,
    FIXES_THAT_FAIL,
    LIMITS_TO_GROWTH,
)

CONFIDENCES = ("high", "medium", "low")


#: Where each archetype usually yields to intervention: the management principle a facilitator
#: offers the room with the story (after Senge, *The Fifth Discipline*, and Kim and Anderson).
INTERVENTIONS: dict[str, str] = {
    "fixes_that_fail": "Look past the symptom: ask what the fix will do later, act on the "
    "problem's cause, and watch for the delayed side effect.",
    "shifting_the_burden": "Strengthen the fundamental solution and use the quick fix only to "
    "buy time; watch what the quick fix wears away.",
    "limits_to_growth": "Do not push harder on growth: find the limiting condition and relax "
    "it before it binds.",
    "eroding_goals": "Hold the goal steady, anchored outside the system, and close the gap by "
    "corrective action rather than by lowering the goal.",
    "escalation": "Look for a way for both sides to win; one side can step back and break the "
    "spiral, or both can agree on a shared goal.",
    "success_to_the_successful": "Find the wider goal both serve; share resources by need or "
    "by rule, not by past success, or uncouple the two.",
    "tragedy_of_the_commons": "Make each user see the total effect on the shared resource, and "
    "manage access to it together.",
    "growth_and_underinvestment": "Build capacity ahead of demand and hold the performance "
    "standard; do not let it slip while capacity lags.",
    "accidental_adversaries": "Bring the partners together to map the loops, show how each "
    "one's fix undermines the other, and renew the shared goal.",
}


def archetype(key: str) -> Pattern:
    """The archetype called ``key`` (``fixes_that_fail``, ...) or its title, any case.

    >>> archetype("Limits to growth").key
    'limits_to_growth'
    """
    wanted = key.strip().lower().replace("-", " ").replace("_", " ")
    for pattern in ARCHETYPES:
        if wanted in (pattern.key.replace("_", " "), pattern.title.lower()):
            return pattern
    raise KeyError(f"no archetype called {key!r}; known: {', '.join(p.key for p in ARCHETYPES)}")


def confidence_of(score: float) -> str:
    """``high`` for a fit with nothing missing, ``medium`` for one shortfall, else ``low``.

    >>> confidence_of(1.0), confidence_of(0.75), confidence_of(0.5)
    ('high', 'medium', 'low')
    """
    if score >= 0.95:
        return "high"
    return "medium" if score >= 0.6 else "low"


@dataclass(frozen=True)
class RolePlayer:
    """The variable (id and name as shown) that plays a role of a match."""

    key: str
    title: str
    variable: str
    name: str


@dataclass(frozen=True)
class ArchetypeMatch:
    """One archetype found in a map: who plays which role, the loops, the story in the map's
    words, a score and confidence (``notes`` say what fell short), how many other loop sets
    gave the same roles (``variants``), and the smaller archetypes folded into it (``also``)."""

    archetype: str
    title: str
    roles: tuple[RolePlayer, ...]
    loops: tuple[Loop, ...]
    slots: tuple[str, ...]
    story: str
    score: float
    confidence: str
    notes: tuple[str, ...] = ()
    variants: int = 0
    also: tuple[str, ...] = ()
    paths: tuple[tuple[str, ...], ...] = ()

    @property
    def strict(self) -> bool:
        """Whether the match has every delay and loop its archetype expects."""
        return not self.notes

    def role(self, key: str) -> str | None:
        """The name of the variable playing role ``key``, if any."""
        return next((r.name for r in self.roles if r.key == key), None)

    def loop(self, slot: str) -> Loop | None:
        """The loop filling ``slot`` of the archetype (``"fix"``, ``"side"``...), if any."""
        return next((loop for key, loop in zip(self.slots, self.loops, strict=True) if key == slot), None)


@dataclass
class ArchetypeReport:
    """The matches, best first (``more`` were left out by the limit), and how complete the
    work behind them is: the loop search (``loops_found`` loops, ``undetermined`` of them
    with a link of unknown polarity) and the matching over ``loops_matched`` loops."""

    matches: list[ArchetypeMatch] = field(default_factory=list)
    more: int = 0
    loops_found: int = 0
    undetermined: int = 0
    loops_matched: int = 0
    search_complete: bool = True
    stopped_by: str | None = None
    matching_complete: bool = True

    @property
    def complete(self) -> bool:
        """Whether every loop was searched and matched: otherwise the result is partial."""
        return self.search_complete and self.matching_complete


def _rotated(graph, cycle) -> tuple:
    start = min(range(len(cycle)), key=lambda i: order_key(graph, cycle[i]))
    return tuple(cycle[start:]) + tuple(cycle[:start])


def short_loops(graph: nx.DiGraph, nodes) -> list[Loop]:
    """For each link among ``nodes``, the shortest loop through it (once each).

    >>> import networkx as nx
    >>> g = nx.DiGraph([(1, 2), (2, 1), (2, 3), (3, 1)], sign="+")
    >>> sorted(loop.variables for loop in short_loops(g, [1, 2, 3]))
    [(1, 2), (1, 2, 3)]
    """
    inside = set(nodes)
    preds = {n: [p for p in graph.predecessors(n) if p in inside] for n in inside}
    seen: set[tuple] = set()
    found = []
    for u in sorted(inside, key=lambda n: order_key(graph, n)):
        # breadth-first backwards from u: towards[w] is the next step on a shortest path w ~> u
        towards = {u: u}
        todo = deque([u])
        while todo:
            w = todo.popleft()
            for p in preds[w]:
                if p not in towards:
                    towards[p] = w
                    todo.append(p)
        for v in graph.successors(u):
            if v not in inside or v not in towards:
                continue
            cycle = [u]
            w = v
            while w != u:
                cycle.append(w)
                w = towards[w]
            key = _rotated(graph, cycle)
            if key not in seen:
                seen.add(key)
                found.append(make_loop(graph, list(key)))
    return found


def circulates(graph: nx.DiGraph, loop: Loop) -> bool:
    """Whether ``loop`` only carries material from stock to stock: every link is a stock's
    outflow leaving it or a flow filling the next stock.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from(["s1", "s2"], kind="stock"); g.add_nodes_from(["f1", "f2"], kind="flow")
    >>> g.add_edges_from([("s1", "f1"), ("f1", "s2"), ("s2", "f2"), ("f2", "s1")], sign="+")
    >>> g.add_edges_from([("f1", "s1"), ("f2", "s2")], sign="-")
    >>> circulates(g, make_loop(g, ["s1", "f1", "s2", "f2"])), circulates(g, make_loop(g, ["s1", "f1"]))
    (True, False)
    """
    n = len(loop.variables)
    for i, u in enumerate(loop.variables):
        v = loop.variables[(i + 1) % n]
        ku, kv = graph.nodes[u].get("kind"), graph.nodes[v].get("kind")
        if ku == "flow" and kv == "stock":
            if loop.signs[i] != "+":
                return False
        elif ku == "stock" and kv == "flow":
            if not (graph.has_edge(v, u) and graph.edges[v, u].get("sign") == "-"):
                return False
        else:
            return False
    return True


def _names(graph, doc) -> Callable[[str], str]:
    if doc is not None:
        return lambda vid: doc.variables[vid].label if vid in doc.variables else display_name(str(vid))
    return lambda vid: display_name(str(graph.nodes[vid].get("name", vid)))


def find_archetypes(
    doc: SystemMap | None = None,
    *,
    graph: nx.DiGraph | None = None,
    time_limit: float = 2.0,
    max_loops: int = 100_000,
    max_matched_loops: int = 400,
    max_length: int = 8,
    min_confidence: str = "medium",
    limit: int | None = 20,
    cancel: Callable[[], bool] | None = None,
) -> ArchetypeReport:
    """The archetypes in ``doc`` (or in ``graph``, a causal graph such as
    :func:`~sysmap.analysis.causal.causal_graph` gives, e.g. with derived polarities).

    ``time_limit`` (seconds) bounds the whole job: half for the loop search (also bounded by
    ``max_loops``), the rest for matching, which uses the ``max_matched_loops`` shortest loops
    of at most ``max_length`` variables (archetypes are read in short loops). Matches below
    ``min_confidence`` are dropped; at most ``limit`` are returned, best first (``None``:
    all), the rest counted in ``more``.
    """
    from sysmap.analysis.causal import causal_graph

    if min_confidence not in CONFIDENCES:
        raise ValueError(f"min_confidence must be one of {CONFIDENCES}, not {min_confidence!r}")
    if graph is None:
        if doc is None:
            raise ValueError("find_archetypes needs a map or a causal graph")
        graph = causal_graph(doc)
    started = time.monotonic()
    report = ArchetypeReport()
    search = LoopSearch(graph, time_limit=time_limit / 2, max_loops=max_loops, cancel=cancel)
    loops = []
    for loop in search:
        report.loops_found += 1
        if loop.polarity == "U":
            report.undetermined += 1
        elif loop.length <= max_length:
            loops.append(loop)
    report.search_complete, report.stopped_by = search.complete, search.stopped_by
    if not search.complete and report.stopped_by != "cancelled":
        known = {loop.variables for loop in loops}  # the search starts each loop where _rotated does
        for component in search.components:
            for loop in short_loops(graph, component.variables):
                if loop.polarity != "U" and loop.length <= max_length and loop.variables not in known:
                    loops.append(loop)
    # Named before circulation is left out, so that names agree with `sysmap loops`.
    named = [loop for loop in name_loops(loops, graph) if not circulates(graph, loop)]
    if len(named) > max_matched_loops:
        named = named[:max_matched_loops]
        report.matching_complete = False
    report.loops_matched = len(named)

    matcher = Matcher(graph, named, cancel=cancel)
    fits = []
    end = started + time_limit
    for done, pattern in enumerate(ARCHETYPES):
        # each archetype gets an equal share of the time left, so none is starved
        now = time.monotonic()
        fits.extend(matcher.fits(pattern, deadline=now + (end - now) / (len(ARCHETYPES) - done)))
    if matcher.stopped:
        report.matching_complete = False
    floor = CONFIDENCES.index(min_confidence)
    fits = [f for f in fits if CONFIDENCES.index(confidence_of(f.score)) <= floor]
    matches = _resolve(fits, _names(graph, doc))
    report.matches = matches if limit is None else matches[:limit]
    report.more = len(matches) - len(report.matches)
    return report


def _order(fit: Fit) -> tuple:
    loops = fit.loops.values()
    return (
        -fit.score,
        -len(fit.loops),
        sum(loop.length for loop in loops),
        ARCHETYPES.index(fit.pattern),
        sorted(loop.name for loop in loops),
    )


def _loop_set(fit: Fit) -> frozenset:
    return frozenset(loop.variables for loop in fit.loops.values())


def _resolve(fits: list[Fit], name_of: Callable[[str], str]) -> list[ArchetypeMatch]:
    """Best first, one reading per loop set, once per archetype and role variables, with
    the archetypes contained in larger ones folded into them."""
    fits = sorted(fits, key=_order)
    by_loops: set[frozenset] = set()
    by_roles: dict[tuple, list] = {}
    kept: list[list] = []  # [fit, variants, also (, variables of an absorbing match)]
    for fit in fits:
        loops = _loop_set(fit)
        if loops in by_loops:
            continue
        by_loops.add(loops)
        keys = fit.pattern.key_roles or tuple(r.key for r in fit.pattern.roles if not r.optional)
        role_key = (fit.pattern.key, frozenset(fit.roles.get(k) for k in keys))
        if role_key in by_roles:
            by_roles[role_key][1] += 1
            continue
        entry = [fit, 0, []]
        by_roles[role_key] = entry
        kept.append(entry)

    def variables(fit: Fit) -> frozenset:
        return frozenset(v for loop in fit.loops.values() for v in loop.variables)

    absorbing = {key for entry in kept for key in entry[0].pattern.absorbs}
    hosts: dict[str, list] = {}  # variable -> the kept matches through it that absorb others
    for entry in kept:
        if entry[0].pattern.absorbs:
            entry.append(variables(entry[0]))
            for v in entry[3]:
                hosts.setdefault(v, []).append(entry)
    survivors = []
    for entry in kept:
        fit = entry[0]
        host = None
        if fit.pattern.key in absorbing:
            inside = variables(fit)
            host = next(
                (
                    other
                    for other in hosts.get(next(iter(inside)), ())
                    if other is not entry
                    and fit.pattern.key in other[0].pattern.absorbs
                    and other[0].score >= fit.score
                    and inside <= other[3]
                ),
                None,
            )
        if host is not None:
            names = ", ".join(loop.name for loop in sorted(fit.loops.values(), key=lambda lp: lp.name))
            host[2].append(f"{fit.pattern.title} ({names})")
        else:
            survivors.append(entry)
    return [_match(fit, variants, also, name_of) for fit, variants, also, *_ in survivors]


def _match(fit: Fit, variants: int, also: list[str], name_of: Callable[[str], str]) -> ArchetypeMatch:
    pattern = fit.pattern
    roles = tuple(
        RolePlayer(r.key, r.title, fit.roles[r.key], name_of(fit.roles[r.key]))
        for r in pattern.roles
        if r.key in fit.roles
    )
    slots = tuple(s.key for s in pattern.slots if s.key in fit.loops)
    return ArchetypeMatch(
        archetype=pattern.key,
        title=pattern.title,
        roles=roles,
        loops=tuple(fit.loops[s] for s in slots),
        slots=slots,
        story=f"{pattern.title}: " + story(fit, name_of, lambda loop: loop.name),
        score=fit.score,
        confidence=confidence_of(fit.score),
        notes=tuple(fit.notes),
        variants=variants,
        also=tuple(also),
        paths=tuple(tuple(name_of(v) for v in fit.loops[s].variables) for s in slots),
    )


def report_data(report: ArchetypeReport) -> dict:
    """``report`` as plain data for JSON: how complete it is, and each match in full."""
    return {
        "complete": report.complete,
        "search_complete": report.search_complete,
        "stopped_by": report.stopped_by,
        "matching_complete": report.matching_complete,
        "loops_found": report.loops_found,
        "undetermined_loops": report.undetermined,
        "loops_matched": report.loops_matched,
        "matches": [
            {
                "archetype": m.archetype,
                "title": m.title,
                "confidence": m.confidence,
                "score": m.score,
                "strict": m.strict,
                "roles": [
                    {"role": r.key, "title": r.title, "id": r.variable, "name": r.name} for r in m.roles
                ],
                "loops": [
                    {
                        "slot": slot,
                        "name": loop.name,
                        "polarity": loop.polarity,
                        "delay": loop.delay,
                        "variables": list(path),
                        "ids": list(loop.variables),
                    }
                    for slot, loop, path in zip(m.slots, m.loops, m.paths, strict=True)
                ],
                "story": m.story,
                "notes": list(m.notes),
                "variants": m.variants,
                "also": list(m.also),
            }
            for m in report.matches
        ],
        "more": report.more,
    }


def report_lines(report: ArchetypeReport, source: str = "") -> list[str]:
    """``report`` as text for people: a summary line, then each match with its roles, loops
    and story, and what was left out."""
    import textwrap

    head = f"{source}: " if source else ""
    found = len(report.matches) + report.more
    loops = f"{report.loops_found:,} loop{'' if report.loops_found == 1 else 's'}"
    if found:
        lines = [f"{head}{found} archetype match{'' if found == 1 else 'es'} ({loops} searched)"]
    else:
        lines = [f"{head}no archetype found ({loops} searched)"]
    if report.loops_found and report.undetermined == report.loops_found:
        lines.append("every loop has a link of unknown polarity: mark links + or - to find archetypes")
    if not report.search_complete:
        partial = f"partial: the loop search stopped at its {report.stopped_by} limit"
        if report.loops_matched:
            partial += (
                f"; matched over the {report.loops_matched:,} shortest loops (each link's shortest added)"
            )
        lines.append(partial)
    elif not report.matching_complete:
        lines.append(f"partial: matching stopped early, over the {report.loops_matched:,} shortest loops")
    wrap = textwrap.TextWrapper(width=100, initial_indent="   ", subsequent_indent="   ")
    for rank, m in enumerate(report.matches, 1):
        loops_named = ", ".join(loop.name for loop in m.loops)
        lines.append(f"{rank}. {m.title} ({m.confidence} confidence; loops {loops_named})")
        lines.extend(wrap.wrap("; ".join(f"{r.title}: {r.name}" for r in m.roles)))
        for loop, path in zip(m.loops, m.paths, strict=True):
            delay = " (delayed)" if loop.delay else ""
            lines.append(f"   {loop.name:<5}{' → '.join((*path, path[0]))}{delay}")
        lines.extend(wrap.wrap(m.story.removeprefix(f"{m.title}: ")))
        for note in m.notes:
            lines.append(f"   less sure: {note}")
        if m.variants:
            lines.append(
                f"   the same roles also through {m.variants} other loop set{'s' * (m.variants > 1)}"
            )
        if m.also:
            lines.extend(wrap.wrap("contains: " + "; ".join(m.also)))
    if report.more:
        lines.append(f"... and {report.more} more (--limit shows more)")
    return lines
