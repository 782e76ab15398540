"""Leverage points: the variables and links of a map ranked by a documented structural score,
each tied to the place to intervene (Meadows 1999) that its structure allows, with the why.

**The score** is a weighted sum of five components, each shown raw and normalised to 0-1
(divided by the largest value of any candidate in the map):

================== ====== =================================================================
component          weight what it measures, and where the idea comes from
================== ====== =================================================================
loops              0.25   how many feedback loops pass through it. Behaviour comes from
                          feedback, and a change on many loops changes many feedback
                          processes (Meadows 1999, places #7-#8; Forrester 1969). Counted
                          exactly without listing the loops (below).
independent loops  0.20   how many loops of the independent loop set pass through it
                          (Oliva 2004; Kampmann 2012): the non-redundant description of the
                          feedback structure, which the combinatorial growth in the number
                          of all loops does not inflate.
betweenness        0.20   the share of shortest paths of influence between other variables
                          that pass through it (Freeman 1977, Brandes 2001): a broker that
                          much influence must pass. For links, edge betweenness; variables
                          and links are normalised separately (the two count different
                          things).
centrality         0.15   influence on influential variables: eigenvector centrality
                          (Bonacich 1972) of the reversed graph, so a variable scores by
                          what it affects. When it does not converge, or gives zero to some
                          variable on a loop (as it does to the weaker of two separate loop
                          structures), Katz centrality (Katz 1953) with alpha = 0.85 / the
                          spectral radius, less the baseline every variable gets, is used
                          instead; :attr:`Ranking.centrality_method` says which. A link
                          scores as its effect does: it is worth what it feeds.
reach              0.20   the fraction of the other variables within ``k`` links downstream
                          (3 by default): how much of the map it moves, and how directly.
                          For a link, what is within ``k`` links of its cause through it.
================== ====== =================================================================

Loops count most, together 0.45, because feedback is where leverage lives; the three
network measures say how influence flows, where loops alone can mislead (a variable just
outside a loop can drive it). Candidates are ordered by score, then by name.

**Behaviour, optionally** (``loop_scores``): given how much each loop drove a simulated run --
the mean absolute relative loop score of each loop over the run, by the Loops that Matter
method (:func:`dominance_loop_scores` of :func:`sysmap.analysis.dominance.loop_dominance`;
the shares sum to 1) -- each candidate also gets a **dominance** component: the summed share
of the scored loops that pass through it, normalised to 0-1 like the others. The score is
then ``(1 - DOMINANCE_WEIGHT) * structural + DOMINANCE_WEIGHT * dominance`` with
:data:`DOMINANCE_WEIGHT` = 0.3, so a variable or link on the loops that dominate behaviour
rises (Kampmann & Oliva 2008: structure that matters is structure that is active). Loops
are matched to the causal graph by their variables' names; a loop whose variables are not
all in the graph adds nothing. Without ``loop_scores`` (the default) the score is the
structural one alone, exactly as before.

**Counting loops through each element** without listing them: loops are counted as in
:mod:`sysmap.analysis.loop_count` (chains contracted, Johnson's circuits of what is left),
and each contracted link also carries how many of its paths pass each variable and link it
stands for. The search accumulates, for every link of the contracted graph, the summed weight
of the rest of the loops through it, so the counts for every element come from one search:
World3's 1.86 M loops are attributed to its 311 variables and 482 links in a few seconds. A
time budget stops the search with lower bounds (``loops_exact`` False).

**Meadows' places to intervene** (1999, in increasing order of effectiveness): 12 constants,
parameters, numbers; 11 the sizes of buffers and other stabilizing stocks, relative to their
flows; 10 the structure of material stocks and flows; 9 the lengths of delays, relative to
the rate of system change; 8 the strength of negative (balancing) feedback loops, relative to
the impacts they are trying to correct against; 7 the gain around driving positive
(reinforcing) feedback loops; 6 the structure of information flows; 5 the rules of the
system; 4 the power to add, change, evolve or self-organize system structure; 3 the goals of
the system; 2 the mindset or paradigm out of which the system arises; 1 the power to
transcend paradigms. Each candidate gets every place its structure supports; the deepest
(lowest number) is named first, the others are listed in ``also``:

- **#12** a variable nothing in the map changes (no inputs) that affects something; failing
  anything else, a variable or link on no loop that passes influence on (its strength is a
  number).
- **#11** a stock. **#10** a flow, and a link from a flow into the stock it fills or drains.
- **#9** a link drawn as delayed; a variable that affects something and whose equation delays
  or smooths (``DELAY*``, ``SMTH*``, ``SMOOTH*``, ``TREND``, ``FORCST``).
- **#8** on a balancing loop; **#7** on a reinforcing loop. Loops of unknown polarity support
  neither: the why says to mark the links' polarities.
- **#6** information: a variable named as a report or perception (perceived, reported,
  measured, information, data, evidence, ...); a link from such a variable; a link from a
  stock into a flow that neither fills nor drains it (a decision using information about
  another stock).
- **#5** a variable named as a rule (rule, policy, procedure, requirement, threshold,
  eligibility, incentive, ...).
- **#3** a variable named as a goal (goal, target, desired, objective, ...) on a loop that is,
  or may be, balancing, or within two links upstream of one: a goal is what a balancing loop
  steers toward, and it meets the state it is compared with quickly.
- Names decide only #6, #5 and #3, only for variables that affect something, and only when
  the word leads the name, ends it or heads it (comes before its first preposition): 'Referral
  threshold', 'desired food ratio', but not 'atmospheric CO2 law dome'. A name that ends in a
  word such as time, year, date, period, type or switch is a setting ('target year', 'policy
  implementation time'), not a goal or a rule -- nor information, if it is a constant.
- Places #4, #2 and #1 are beyond what a map's structure shows.

Meadows, D. (1999) *Leverage Points: Places to Intervene in a System*. Sustainability
Institute. Oliva, R. (2004) Model structure analysis through graph theory. *System Dynamics
Review* 20(4). Kampmann, C. E. & Oliva, R. (2008) Structural dominance analysis and theory
building in system dynamics. *Systems Research and Behavioral Science* 25(4). Kampmann, C. E.
(2012) Feedback loop gains and system behavior. *System Dynamics Review* 28(4). Freeman, L.
(1977) A set of measures of centrality based on betweenness. *Sociometry* 40(1). Brandes, U.
(2001) A faster algorithm for betweenness centrality. *Journal of Mathematical Sociology*
25(2). Bonacich, P. (1972) Factoring and weighting approaches to status scores and clique
identification. *Journal of Mathematical Sociology* 2(1). Katz, L. (1953) A new status index
derived from sociometric analysis. *Psychometrika* 18(1).

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a, b, c = (doc.add_variable(n) for n in ("Workload", "Overtime", "Sick leave"))
>>> for x, y, s in [(a, b, "+"), (b, a, "-"), (b, c, "+"), (c, a, "+")]:
...     _ = doc.add_link(x.id, y.id, polarity=s)
>>> top = rank_leverage(doc)[0]
>>> top.name, top.loops, top.meadows
('Overtime', 2, 7)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sysmap.analysis.loop_count import LoopCount, Weight
from sysmap.analysis.loop_participation import loop_participation
from sysmap.analysis.loops import components
from sysmap.model.names import canonical_name, display_name

if TYPE_CHECKING:
    import networkx as nx

    from sysmap.model import SystemMap

#: How much each normalised component counts in the score (they sum to 1).
WEIGHTS = {"loops": 0.25, "independent_loops": 0.20, "betweenness": 0.20, "centrality": 0.15, "reach": 0.20}
#: How much loop dominance counts when ``loop_scores`` are given (the structure gets the rest).
DOMINANCE_WEIGHT = 0.3

#: Meadows' places to intervene, by number, in short.
MEADOWS = {
    12: "parameters",
    11: "buffers",
    10: "stock-and-flow structure",
    9: "delays",
    8: "balancing feedback",
    7: "reinforcing gain",
    6: "information flows",
    5: "rules",
    4: "self-organization",
    3: "goals",
    2: "paradigms",
    1: "transcending paradigms",
}

#: Loops are listed (for their names, R1, B2...) when there are at most this many.
LIST_LIMIT = 500

_ZERO: Weight = (0, 0, 0)
_POLARITY = {"R": "reinforcing", "B": "balancing", "U": "undetermined"}

# fmt: off
_GOAL_WORDS = frozenset({
    "goal", "goals", "target", "targets", "desired", "objective", "objectives", "aspiration",
    "aspirations", "ambition", "ambitions"
})
_RULE_WORDS = frozenset({
    "rule", "rules", "policy", "policies", "procedure", "procedures", "procedural", "requirement",
    "requirements", "regulation", "regulations", "regulatory", "law", "laws", "legislation",
    "eligibility", "criteria", "criterion", "threshold", "thresholds", "incentive", "incentives",
    "penalty", "penalties", "sanction", "sanctions", "quota", "quotas", "protocol", "protocols",
    "guideline", "guidelines", "governance"
})
_INFORMATION_WORDS = frozenset({
    "perceived", "perception", "perceptions", "reported", "report", "reports", "reporting", "measured",
    "measurement", "measurements", "monitoring", "information", "data", "intelligence", "evidence",
    "awareness", "knowledge", "forecast", "forecasts", "indicator", "indicators", "visibility",
    "transparency"
})
# fmt: on
_SETTING_WORDS = frozenset(
    {"time", "times", "year", "years", "date", "dates", "delay", "delays", "period", "periods"}
    | {"type", "types", "order", "active", "exists", "flag", "switch", "mode", "option", "options"}
)
_PREPOSITIONS = frozenset({"of", "for", "to", "from", "in", "on", "at", "by", "per", "with", "vs", "versus"})
_DELAY_FUNCTIONS = re.compile(r"^(delay|smth|smooth)|^(trend|forcst|forecast)$")


# --- the other components ---------------------------------------------------------------------------


def _independent_counts(graph: nx.DiGraph) -> tuple[int, dict, dict]:
    """The size of the independent loop set, and how many of its loops pass each variable and link."""
    from sysmap.analysis.loop_basis import independent_loops

    loops = independent_loops(graph)
    variables: dict = defaultdict(int)
    links: dict = defaultdict(int)
    for loop in loops:
        cycle = loop.variables
        for v in cycle:
            variables[v] += 1
        for edge in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            links[edge] += 1
    return len(loops), variables, links


def _loop_names(graph: nx.DiGraph) -> tuple[dict, dict]:
    """The names (R1, B2...) of the loops through each variable and link, as ``sysmap loops``
    names them; only called when the map has at most :data:`LIST_LIMIT` loops."""
    from sysmap.analysis.loops import LoopSearch, name_loops

    variables: dict = defaultdict(list)
    links: dict = defaultdict(list)
    for loop in name_loops(LoopSearch(graph, max_loops=LIST_LIMIT), graph):
        cycle = loop.variables
        for v in cycle:
            variables[v].append(loop.name)
        for edge in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            links[edge].append(loop.name)
    return (
        {v: sorted(names, key=_name_order) for v, names in variables.items()},
        {e: sorted(names, key=_name_order) for e, names in links.items()},
    )


def _name_order(name: str) -> tuple:
    return (name[0], int(name[1:]))


def _influence(graph: nx.DiGraph) -> tuple[dict, str]:
    """Each variable's influence centrality and the method used: ``"eigenvector"`` or ``"katz"``."""
    import networkx as nx

    reverse = graph.reverse(copy=False)
    on_loops = [v for part in components(graph) for v in part.variables]
    if on_loops:
        try:
            scores = nx.eigenvector_centrality(reverse, max_iter=1000, tol=1e-9)
        except nx.PowerIterationFailedConvergence:
            scores = None
        if scores is not None and min(scores[v] for v in on_loops) > 1e-4 * max(scores.values()):
            return scores, "eigenvector"
    import numpy as np

    # the spectral radius of a graph is the largest of its loop components'
    radius = 0.0
    for part in components(graph):
        sub = nx.to_numpy_array(graph.subgraph(part.variables), weight=None)
        radius = max(radius, float(np.max(np.abs(np.linalg.eigvals(sub)))))
    alpha = 0.85 / radius if radius > 1e-9 else 0.5
    nodes = list(graph)
    adjacency = nx.to_numpy_array(graph, nodelist=nodes, weight=None)
    # (I - alpha A)^-1 1 - 1: the walks out of each variable, weighted alpha^length, less the baseline
    walks = np.linalg.solve(np.eye(len(nodes)) - alpha * adjacency, np.ones(len(nodes))) - 1.0
    return {v: max(float(x), 0.0) for v, x in zip(nodes, walks, strict=True)}, "katz"


def _within(graph: nx.DiGraph, k: int) -> dict:
    """For each variable, the distance (in links, at most ``k``) of everything downstream of it."""
    import networkx as nx

    return {v: nx.single_source_shortest_path_length(graph, v, cutoff=k) for v in graph}


def delaying_variables(doc: SystemMap) -> frozenset[str]:
    """The ids of the variables whose equations delay or smooth (``DELAY3``, ``SMTH1``, ...).

    >>> from sysmap.model import SystemMap, Kind
    >>> doc = SystemMap()
    >>> v = doc.add_variable("Perceived demand", kind=Kind.AUX, equation="SMTH1(demand, 4)")
    >>> delaying_variables(doc) == {v.id}
    True
    """
    from sysmap.model.equation_text import function_calls

    found = set()
    for var in doc.variables.values():
        for text in (var.equation, *(e.equation for e in var.elements)):
            if text and any(_DELAY_FUNCTIONS.match(f) for f in function_calls(text)):
                found.add(var.id)
    return frozenset(found)


# --- Meadows' places and the why ---------------------------------------------------------------------


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z]+", canonical_name(name))


def _named(name: str, words: frozenset[str], *, settings: bool) -> bool:
    """Whether one of ``words`` leads the name, ends it, or heads it (comes before its first
    preposition): 'Referral threshold', 'desired food ratio', 'threshold for methane release',
    but not 'atmospheric CO2 law dome'. With ``settings``, a name that ends in a word such as
    time, year, type or switch is a setting, not what the word says ('target year')."""
    tokens = _words(name)
    if not tokens or (settings and tokens[-1] in _SETTING_WORDS):
        return False
    cut = next((i for i, t in enumerate(tokens) if t in _PREPOSITIONS and i > 0), len(tokens))
    return bool({tokens[0], tokens[cut - 1], tokens[-1]} & words)


def _names(names: list[str]) -> str:
    if not names:
        return ""
    return " (" + ", ".join(names[:6]) + (", …" if len(names) > 6 else "") + ")"


def _which(label: str, names: list[str], count: int) -> str:
    """'the reinforcing loop R1', 'the balancing loops B1, B2', or 'the 40 balancing loops'."""
    if names:
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        return f"the {label} loop{'s' if len(names) > 1 else ''} {shown}"
    return f"the {label} loop" if count == 1 else f"the {count:,} {label} loops"


def _how_many(n: int, total: int, label: str) -> str:
    if n < total:
        return f"{n:,} of the {total:,} {label} loops"
    if total == 1:
        return f"the {label} loop"
    return f"both {label} loops" if total == 2 else f"all {total:,} {label} loops"


def _loop_phrase(loops: tuple[int, int, int], totals: LoopCount, names: list[str]) -> str:
    n, all_loops = sum(loops), totals.total
    if n == 0:
        return "is on no feedback loop" + ("" if all_loops else " (the map has none)")
    if not totals.complete:
        why = "was cancelled" if totals.stopped_by == "cancelled" else "stopped at the time limit"
        return f"is on at least {n:,} loops (the count {why})"
    if n == all_loops:
        head = "is on the map's only loop" if n == 1 else f"is on every one of the map's {n:,} loops"
        return head + _names(names)
    head = f"is on {n:,} of the map's {all_loops:,} loops"
    if loops[2] == n:
        return head + ", none of known polarity"
    r, b, u = loops
    if totals.reinforcing == all_loops or totals.balancing == all_loops:
        return f"{head}, all {_POLARITY['R' if r else 'B']}" + _names(names)
    parts = []
    for through, total, pol in ((b, totals.balancing, "B"), (r, totals.reinforcing, "R")):
        if through:
            parts.append(
                _how_many(through, total, _POLARITY[pol]) + _names([x for x in names if x[0] == pol])
            )
    if u:
        parts.append(f"{u:,} of undetermined polarity")
    return head + ": " + " and ".join(parts)


@dataclass
class _Element:
    """What the Meadows rules and the why need to know about one candidate."""

    kind: str
    element: Hashable
    name: str
    loops: tuple[int, int, int]
    names: list[str]
    cause: str = ""  # a link's cause, by name
    places: dict = field(default_factory=dict)  # place number -> its sentence
    dominance: float | None = None  # with loop_scores: the summed share of its loops


def _variable_places(
    graph: nx.DiGraph, v, e: _Element, loops: dict, names: dict, delaying: frozenset
) -> None:
    data = graph.nodes[v]
    kind = data.get("kind", "concept")
    affects = any(w != v for w in graph.successors(v))
    inputs = any(u != v for u in graph.predecessors(v))
    r, b, _ = e.loops
    constant = not inputs
    if affects and _named(e.name, _GOAL_WORDS, settings=True):
        steered = _steered(graph, v, loops, names)
        if steered is not None:
            e.places[3] = (
                f"Its name marks it as a goal, and it feeds {steered}: changing the goal itself, "
                "not only its number, is Meadows #3."
            )
    if affects and _named(e.name, _RULE_WORDS, settings=True):
        e.places[5] = (
            "Its name marks it as a rule of the system: changing the rule, not only its number, "
            "is Meadows #5."
        )
    if affects and _named(e.name, _INFORMATION_WORDS, settings=constant):
        e.places[6] = (
            "Its name marks it as information: who gets it, how quickly and how accurately "
            "is the structure of information flows (Meadows #6)."
        )
    if r:
        which = _which("reinforcing", [x for x in e.names if x[0] == "R"], r)
        e.places[7] = (
            f"Changing the gain of {which} through it, to slow a vicious circle or speed a virtuous one, "
            "is Meadows #7; slowing a reinforcing loop is usually stronger than strengthening the "
            "balancing loops that resist it."
        )
    if b:
        which = _which("balancing", [x for x in e.names if x[0] == "B"], b)
        corrects = "it corrects" if b == 1 else "they correct"
        e.places[8] = f"Strengthening {which} through it, relative to what {corrects}, is Meadows #8."
    if affects and v in delaying:
        e.places[9] = (
            "Its equation delays or smooths its input: the length of that delay, relative to how fast "
            "the system changes, is Meadows #9."
        )
    if kind == "flow":
        e.places[10] = (
            "As a flow it is part of the stock-and-flow structure: changing where material moves, "
            "not only how fast, is Meadows #10."
        )
    if kind == "stock":
        e.places[11] = (
            "As a stock it is a buffer: its size relative to its flows sets how quickly the system "
            "can respond (Meadows #11)."
        )
    if affects and not inputs:
        e.places[12] = (
            "Nothing in the map changes it, so acting on it means setting a number: a parameter "
            "(Meadows #12), often the easiest lever to pull and the weakest."
            + _acts_on(graph, v, loops, names)
        )
    elif affects and not e.places and not sum(e.loops):
        e.places[12] = "It passes influence on; how strongly it does so is a parameter (Meadows #12)."


def _acts_on(graph: nx.DiGraph, v, loops: dict, names: dict) -> str:
    """For a parameter, the loops it acts on directly, in a sentence ("" when none)."""
    near = [w for w in graph.successors(v) if w != v and sum(loops.get(w, _ZERO))]
    if not near:
        return ""
    known = sorted({x for w in near for x in names.get(w, ())}, key=_name_order)
    if known:
        which = (
            f"loop{'s' if len(known) > 1 else ''} " + ", ".join(known[:6]) + (", …" if len(known) > 6 else "")
        )
    else:
        which = "loops through " + ", ".join(f"'{_label(graph, w)}'" for w in near[:3])
    return f" It acts directly on the {which}: a number matters most where it sets a loop's gain or strength."


def _steered(graph: nx.DiGraph, v, loops: dict, names: dict) -> str | None:
    """The loops that are, or may be, balancing nearest downstream of ``v`` -- on it or within
    two links, where a goal meets the state it is compared with -- in words, or ``None``."""
    seen, level = {v}, [v]
    for _ in range(3):
        near = [w for w in level if loops.get(w, _ZERO)[1] or loops.get(w, _ZERO)[2]]
        if near:
            balancing = sorted({x for w in near for x in names.get(w, ()) if x[0] == "B"}, key=_name_order)
            if balancing:
                return _which("balancing", balancing, len(balancing))
            if any(loops.get(w, _ZERO)[1] for w in near):
                return "balancing loops"
            return "loops whose polarity is not marked"
        level = list(dict.fromkeys(w for u in level for w in graph.successors(u) if w not in seen))
        seen.update(level)
    return None


def _link_places(graph: nx.DiGraph, u, w, e: _Element) -> None:
    data = graph.edges[u, w]
    kinds = graph.nodes[u].get("kind", "concept"), graph.nodes[w].get("kind", "concept")
    cause, effect = _label(graph, u), _label(graph, w)
    r, b, _ = e.loops
    if kinds == ("stock", "flow"):
        attached = {x for x in graph.successors(w) if graph.nodes[x].get("kind") == "stock"}
        if u not in attached:
            e.places[6] = (
                f"It tells the flow '{effect}' about the stock '{cause}', which the flow neither fills nor "
                "drains: who gets that information, and how quickly, is Meadows #6."
            )
    constant = not any(x != u for x in graph.predecessors(u))
    if u != w and _named(cause, _INFORMATION_WORDS, settings=constant):
        e.places[6] = (
            f"It carries the information '{cause}' to '{effect}': who gets that information, how quickly "
            "and how accurately is Meadows #6."
        )
    if r:
        which = _which("reinforcing", [x for x in e.names if x[0] == "R"], r)
        e.places[7] = f"How strongly this link acts sets the gain of {which} (Meadows #7)."
    if b:
        which = _which("balancing", [x for x in e.names if x[0] == "B"], b)
        e.places[8] = (
            f"Strengthening this link strengthens {which}, relative to what "
            f"{'it corrects' if b == 1 else 'they correct'} (Meadows #8)."
        )
    if data.get("delay"):
        e.places[9] = (
            "The link is delayed: the length of the delay, relative to how fast the system changes, "
            "is Meadows #9."
        )
    if kinds == ("flow", "stock"):
        way = "out of" if data.get("sign") == "-" else "into"
        e.places[10] = (
            f"It moves material {way} the stock '{effect}': the stock-and-flow structure (Meadows #10)."
        )
    if not e.places and not sum(e.loops):
        e.places[12] = "How strongly this link acts is a parameter (Meadows #12)."


# --- candidates and the ranking ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """The five score components of a candidate, each normalised to 0-1 within the map."""

    loops: float
    independent_loops: float
    betweenness: float
    centrality: float
    reach: float

    def total(self) -> float:
        """The weighted sum, with :data:`WEIGHTS`."""
        return sum(weight * getattr(self, name) for name, weight in WEIGHTS.items())


@dataclass(frozen=True)
class Candidate:
    """A variable or a link as a leverage point: its score components raw and normalised, its
    score and rank, Meadows' place to intervene its structure allows, and why, in words.

    ``element`` is a variable id, or for a link a ``(cause, effect)`` pair of ids (``links``
    are the ids of the drawn links it stands for, possibly none). ``loops_by_polarity`` is
    (reinforcing, balancing, undetermined); when ``loops_exact`` is False the loop counts are
    lower bounds. ``reach`` is the fraction of the other variables within ``k`` links
    downstream. ``meadows`` is the deepest place (12 to 1) the structure supports, or
    ``None`` when it supports none; ``also`` lists the other places it supports.
    """

    kind: str
    element: Hashable
    name: str
    loops: int
    loops_by_polarity: tuple[int, int, int]
    loops_exact: bool
    loop_names: tuple[str, ...]
    independent_loops: int
    betweenness: float
    centrality: float
    reach: float
    normalised: Scores
    score: float
    rank: int
    meadows: int | None
    also: tuple[int, ...]
    why: str
    links: tuple[str, ...] = ()
    #: the summed share of the dominance-scored loops through it (``None`` without ``loop_scores``)
    dominance: float | None = None

    @property
    def meadows_name(self) -> str:
        """The short name of the place to intervene ("" when there is none)."""
        return MEADOWS.get(self.meadows, "") if self.meadows is not None else ""

    def to_dict(self) -> dict:
        """The candidate as JSON-ready data."""
        r, b, u = self.loops_by_polarity
        return {
            "rank": self.rank,
            "kind": self.kind,
            "element": list(self.element) if self.kind == "link" else self.element,
            "links": list(self.links),
            "name": self.name,
            "score": round(self.score, 4),
            "loops": {
                "count": self.loops,
                "exact": self.loops_exact,
                "reinforcing": r,
                "balancing": b,
                "undetermined": u,
                "names": list(self.loop_names),
            },
            "independent_loops": self.independent_loops,
            "betweenness": round(self.betweenness, 6),
            "centrality": round(self.centrality, 6),
            "reach": round(self.reach, 4),
            "normalised": {name: round(getattr(self.normalised, name), 4) for name in WEIGHTS},
            "meadows": {"number": self.meadows, "name": self.meadows_name, "also": list(self.also)},
            "why": self.why,
            **({"dominance": round(self.dominance, 4)} if self.dominance is not None else {}),
        }


@dataclass(frozen=True)
class Ranking:
    """The candidates of a map in rank order, with what they were ranked against: the map's
    loops (``loops.complete`` False when the count stopped early), the size of its
    independent loop set, the centrality measure used and the reach horizon ``k``."""

    candidates: tuple[Candidate, ...]
    loops: LoopCount
    independent_loops: int
    centrality_method: str
    k: int
    variables: int
    links: int

    def to_dict(self) -> dict:
        """The ranking as JSON-ready data."""
        return {
            "variables": self.variables,
            "links": self.links,
            "loops": {
                "total": self.loops.total,
                "reinforcing": self.loops.reinforcing,
                "balancing": self.loops.balancing,
                "undetermined": self.loops.undetermined,
                "exact": self.loops.complete,
                "stopped_by": self.loops.stopped_by,
            },
            "independent_loops": self.independent_loops,
            "centrality_method": self.centrality_method,
            "k": self.k,
            "weights": dict(WEIGHTS),
            "candidates": [c.to_dict() for c in self.candidates],
        }


def _label(graph: nx.DiGraph, v) -> str:
    return display_name(str(graph.nodes[v].get("name", v)))


def rank_graph(
    graph: nx.DiGraph,
    *,
    delaying: Iterable = (),
    k: int = 3,
    time_limit: float | None = None,
    cancel: Callable[[], bool] | None = None,
    loop_scores: Mapping[tuple[str, ...], float] | None = None,
) -> Ranking:
    """Rank the variables and links of a causal graph as leverage points.

    ``graph`` is as :func:`sysmap.analysis.causal.causal_graph` gives it (edge ``sign``,
    optional ``delay`` and ``links``; node ``name`` and ``kind``); ``delaying`` are the
    variables whose equations delay (:func:`delaying_variables`); ``k`` is the reach horizon
    in links; ``time_limit`` and ``cancel`` bound the loop count, which then gives lower
    bounds. ``loop_scores`` (loop as its variables' names -> share of behaviour, see
    :func:`dominance_loop_scores`) adds the dominance component (see the module).

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edges_from([("hub", x) for x in "abc"] + [(x, "hub") for x in "abc"], sign="+")
    >>> top = rank_graph(g).candidates[0]
    >>> top.name, top.loops, top.meadows, top.meadows_name
    ('hub', 3, 7, 'reinforcing gain')
    """
    import networkx as nx

    if k < 1:
        raise ValueError("the reach horizon k must be at least 1 link")
    delaying = frozenset(delaying)
    participation = loop_participation(graph, time_limit=time_limit, cancel=cancel)
    totals = participation.total
    exact = totals.complete
    if exact and totals.total <= LIST_LIMIT:
        variable_names, link_names = _loop_names(graph)
    else:
        variable_names, link_names = {}, {}
    independent, independent_variables, independent_links = _independent_counts(graph)
    betweenness = nx.betweenness_centrality(graph) if len(graph) > 2 else dict.fromkeys(graph, 0.0)
    edge_betweenness = (
        nx.edge_betweenness_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph.edges, 0.0)
    )
    influence, method = _influence(graph) if len(graph) else ({}, "eigenvector")
    within = _within(graph, k)
    others = max(len(graph) - 1, 1)

    rows = []  # (what the rules need, the raw components, the drawn links)
    for v in graph:
        loops = participation.variables.get(v, _ZERO)
        e = _Element("variable", v, _label(graph, v), loops, variable_names.get(v, []))
        _variable_places(graph, v, e, participation.variables, variable_names, delaying)
        raw = (
            sum(loops),
            independent_variables.get(v, 0),
            betweenness[v],
            influence[v],
            (len(within[v]) - 1) / others,
        )
        rows.append((e, raw, ()))
    for u, w, data in graph.edges(data=True):
        loops = participation.links.get((u, w), _ZERO)
        cause = _label(graph, u)
        name = f"{cause} → {_label(graph, w)}"
        e = _Element("link", (u, w), name, loops, link_names.get((u, w), []), cause)
        _link_places(graph, u, w, e)
        reached = sum(1 for x, d in within[w].items() if d < k and x != u)
        raw = (
            sum(loops),
            independent_links.get((u, w), 0),
            edge_betweenness[u, w],
            influence[w],
            reached / others,
        )
        rows.append((e, raw, tuple(data.get("links", ()))))

    def peak(i: int, kind: str) -> float:
        # betweenness (component 2) is normalised within each kind, the rest over all candidates
        return max((raw[i] for e, raw, _ in rows if i != 2 or e.kind == kind), default=0.0)

    peaks = {kind: [peak(i, kind) for i in range(5)] for kind in ("variable", "link")}
    active = _dominance(graph, loop_scores) if loop_scores is not None else None
    most_active = max(active.values(), default=0.0) if active else 0.0
    scored = []
    for e, raw, drawn in rows:
        norm = Scores(*(x / top if top > 0 else 0.0 for x, top in zip(raw, peaks[e.kind], strict=True)))
        score = norm.total()
        if active is not None:
            share = active.get(e.element, 0.0)
            e.dominance = share
            lead = share / most_active if most_active > 0 else 0.0
            score = (1 - DOMINANCE_WEIGHT) * score + DOMINANCE_WEIGHT * lead
        scored.append((e, raw, drawn, norm, score))
    scored.sort(key=lambda t: (-round(t[4], 9), canonical_name(t[0].name), t[0].kind, str(t[0].element)))

    candidates = []
    for rank, (e, raw, drawn, norm, score) in enumerate(scored, start=1):
        places = sorted(e.places)
        why = _why(e, raw, norm, totals, independent, k, len(graph) - 1, listed=bool(variable_names))
        candidates.append(
            Candidate(
                kind=e.kind,
                element=e.element,
                name=e.name,
                loops=raw[0],
                loops_by_polarity=e.loops,
                loops_exact=exact,
                loop_names=tuple(e.names),
                independent_loops=raw[1],
                betweenness=raw[2],
                centrality=raw[3],
                reach=raw[4],
                normalised=norm,
                score=score,
                rank=rank,
                meadows=places[0] if places else None,
                also=tuple(places[1:]),
                why=why,
                links=drawn,
                dominance=e.dominance,
            )
        )
    return Ranking(tuple(candidates), totals, independent, method, k, len(graph), graph.number_of_edges())


def dominance_loop_scores(dominance) -> dict[tuple[str, ...], float]:
    """Each loop of a :class:`sysmap.analysis.dominance.Dominance` (its variables' names, in
    order) -> its mean absolute relative loop score over the run: its share of the behaviour."""
    import numpy as np

    if not len(dominance.times):
        return {loop.variables: 0.0 for loop in dominance.loops}
    shares = np.abs(dominance.relative).mean(axis=1)
    return {loop.variables: float(share) for loop, share in zip(dominance.loops, shares, strict=True)}


def _dominance(graph: nx.DiGraph, loop_scores: Mapping[tuple[str, ...], float]) -> dict:
    """Variable and link (cause, effect) of ``graph`` -> the summed share of the scored loops
    through it; loops are matched by their variables' names."""
    by_name = {canonical_name(str(graph.nodes[v].get("name", v))): v for v in graph}
    found: dict = defaultdict(float)
    for names, share in loop_scores.items():
        nodes = [by_name.get(canonical_name(name)) for name in names]
        if not nodes or any(v is None for v in nodes):
            continue
        for v in nodes:
            found[v] += share
        for u, w in zip(nodes, nodes[1:] + nodes[:1], strict=True):
            if graph.has_edge(u, w):
                found[u, w] += share
    return dict(found)


def _why(
    e: _Element,
    raw: tuple,
    norm: Scores,
    totals: LoopCount,
    independent: int,
    k: int,
    others: int,
    *,
    listed: bool,
) -> str:
    """The plain-words reason for a candidate's place: its loops, its reach, and Meadows. The
    independent loop set is mentioned where the loops were too many to list by name."""
    structure = f"'{e.name}' " + _loop_phrase(e.loops, totals, e.names)
    if not listed and raw[1]:
        structure += f", and on {raw[1]} of the {independent} loops of the independent loop set"
    reached = round(raw[4] * others)
    if others <= 30:
        spread = (
            f"all {others} other variables"
            if reached == others
            else f"{reached} of the {others} other variables"
        )
    else:
        spread = f"{raw[4]:.0%} of the other variables"
    start = "it reaches" if e.kind == "variable" else f"through it '{e.cause}' reaches"
    structure += f"; {start} {spread} within {k} link{'s' if k > 1 else ''}"
    if norm.betweenness == 1.0 and raw[2] > 0:
        structure += f", and no other {e.kind} lies on more shortest paths of influence"
    sentences = [structure + "."]
    places = sorted(e.places)
    if places:
        sentences.append(e.places[places[0]])
        if len(places) > 1:
            sentences.append("Also " + ", ".join(f"#{p} {MEADOWS[p]}" for p in places[1:]) + ".")
    elif e.kind == "variable" and not sum(e.loops):
        sentences.append(
            "Nothing in the map depends on it: it shows the effect of levers rather than being one."
        )
    if sum(e.loops) and e.loops[2] == sum(e.loops):
        sentences.append(
            "The polarity of its loops is not known: mark the links' polarities to tell a balancing "
            "loop's strength (Meadows #8) from a reinforcing loop's gain (#7)."
        )
    return " ".join(sentences)


def leverage_ranking(
    doc: SystemMap,
    *,
    graph: nx.DiGraph | None = None,
    time_limit: float | None = 10.0,
    k: int = 3,
    cancel: Callable[[], bool] | None = None,
    loop_scores: Mapping[tuple[str, ...], float] | None = None,
) -> Ranking:
    """Rank the variables and links of ``doc`` as leverage points (see :func:`rank_graph`),
    under the causal-graph conventions of :mod:`sysmap.analysis.causal`; ``graph`` is
    ``doc``'s causal graph when already built (for instance with derived polarities);
    ``loop_scores`` weighs in the loops that dominate a run (:func:`dominance_loop_scores`).

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> pop, births, deaths = (doc.add_variable(n) for n in ("Population", "Births", "Deaths"))
    >>> for x, y, s in [(pop, births, "+"), (births, pop, "+"), (pop, deaths, "+"), (deaths, pop, "-")]:
    ...     _ = doc.add_link(x.id, y.id, polarity=s)
    >>> ranking = leverage_ranking(doc)
    >>> ranking.loops.reinforcing, ranking.loops.balancing, ranking.candidates[0].name
    (1, 1, 'Population')
    """
    from sysmap.analysis.causal import causal_graph

    if graph is None:
        graph = causal_graph(doc)
    return rank_graph(
        graph,
        delaying=delaying_variables(doc),
        k=k,
        time_limit=time_limit,
        cancel=cancel,
        loop_scores=loop_scores,
    )


def rank_leverage(
    doc: SystemMap, *, time_limit: float | None = 10.0, k: int = 3, cancel: Callable[[], bool] | None = None
) -> list[Candidate]:
    """The variables and links of ``doc`` as leverage points, best first (see :func:`rank_graph`).

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> rate, level = doc.add_variable("Rate"), doc.add_variable("Level")
    >>> _ = doc.add_link(rate.id, level.id, polarity="+")
    >>> [(c.name, c.meadows_name) for c in rank_leverage(doc)]
    [('Rate → Level', 'parameters'), ('Rate', 'parameters'), ('Level', '')]
    """
    return list(leverage_ranking(doc, time_limit=time_limit, k=k, cancel=cancel).candidates)


def report_data(ranking: Ranking, *, top: int | None = None) -> dict:
    """The ranking as JSON-ready data, with only the ``top`` best candidates when given."""
    data = ranking.to_dict()
    if top is not None:
        data["candidates"] = data["candidates"][:top]
    return data


def report_lines(ranking: Ranking, path: str, *, top: int = 20, explain: int = 5) -> list[str]:
    """The ranking as :command:`sysmap leverage` prints it: a summary, a table of the ``top``
    candidates with each score component, and why for the first ``explain`` of them."""
    import textwrap

    loops = ranking.loops
    counted = f"{loops.total:,} loops" if loops.complete else f"at least {loops.total:,} loops"
    lines = [
        f"{path}: {ranking.variables} variables, {ranking.links} links; {counted} ({loops.reinforcing:,} "
        f"reinforcing, {loops.balancing:,} balancing, {loops.undetermined:,} undetermined), "
        f"{ranking.independent_loops} in the independent loop set",
        "score = "
        + " + ".join(f"{w:.2f} {n.replace('_', ' ')}" for n, w in WEIGHTS.items())
        + f" (each 0-1; centrality: {ranking.centrality_method}; reach: within {ranking.k} links)",
    ]
    if not loops.complete:
        lines.append(
            f"the loop count stopped at the {loops.stopped_by} limit: counts marked ≥ are lower bounds"
        )
    shown = ranking.candidates[:top]
    if not shown:
        lines.append("nothing to rank: the map has no variables")
        return lines
    mark = "" if loops.complete else "≥"
    rows = [
        (
            str(c.rank),
            f"{c.score:.3f}",
            c.kind,
            c.name if len(c.name) <= 44 else c.name[:43] + "…",
            f"{mark}{c.loops:,}",
            str(c.independent_loops),
            f"{c.normalised.betweenness:.2f}",
            f"{c.normalised.centrality:.2f}",
            f"{c.reach:.0%}",
            f"#{c.meadows} {c.meadows_name}" if c.meadows is not None else "-",
        )
        for c in shown
    ]
    head = ("rank", "score", "kind", "name", "loops", "ILS", "betw", "cent", "reach", "Meadows")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    left = {2, 3, 9}
    for row in (head, *rows):
        cells = [cell.ljust(widths[i]) if i in left else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    if explain > 0:
        lines.append("")
        lines.append("why:")
        for c in shown[:explain]:
            lines.extend(
                textwrap.wrap(c.why, 100, initial_indent=f"{c.rank:>3}. ", subsequent_indent="     ")
            )
    return lines
