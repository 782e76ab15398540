"""Loops told in words, and the order a trainer would present a map in.

:func:`narrate` reads a loop's link polarities aloud ("As Workload rises, Sick leave rises,
...: a reinforcing loop."); :func:`default_sequence` lays a map out as presentation steps:
a starting variable, the loops through it shortest first, then the independent loops left,
then whatever is not shown yet -- each loop revealed variable by variable, link by link, and
then told as a whole.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a, b = doc.add_variable("Births"), doc.add_variable("Population")
>>> _ = doc.add_link(a.id, b.id, polarity="+"), doc.add_link(b.id, a.id, polarity="+")
>>> from sysmap.analysis.causal import causal_graph
>>> from sysmap.analysis.loops import find_loops
>>> narrate(next(find_loops(causal_graph(doc))), doc)
'As Births rises, Population rises, so Births rises further: a reinforcing loop.'
>>> [step.caption for step in default_sequence(doc)][:3]
['Births', 'Population', 'Births → Population (+)']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sysmap.analysis.loop_labels import cycle_key
from sysmap.analysis.loops import Loop, loops_through, make_loop, order_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from sysmap.analysis.dominance import Dominance
    from sysmap.model import SystemMap
    from sysmap.model.workshop import Slide

#: How a link's sign is shown in a step caption.
SIGN_TEXT = {"+": "+", "-": "−", "?": "?"}
#: What each polarity is called at the end of a narration.
POLARITY_WORDS = {"R": "a reinforcing loop", "B": "a balancing loop", "U": "an undetermined loop"}
DELAY_TEXT = " (after a delay)"


@dataclass(frozen=True)
class Step:
    """One step of a presentation.

    ``kind`` is ``"variable"``, ``"link"`` or ``"loop"``; ``ids`` the element ids to highlight
    (variables, drawn links, and a loop's label); ``caption`` the words shown with it (a
    variable's label, ``"A → B (+)"`` for a link, the narration for a loop); ``revealed``
    every id shown so far, this step's included, in the order they appeared; ``notes`` the
    presenter's notes (a saved sequence's, else empty). A saved sequence adds the kind
    ``"map"``: the whole map at once.
    """

    kind: str
    ids: tuple[str, ...]
    caption: str
    revealed: tuple[str, ...]
    notes: str = ""


def _label(doc: SystemMap, vid: str, graph=None) -> str:
    var = doc.variables.get(vid)
    if var is not None:
        text = var.label
    elif graph is not None and vid in graph:
        text = str(graph.nodes[vid].get("name", vid))
    else:
        text = str(vid)
    return re.sub(r"\s+", " ", text).strip()


def _edge(loop: Loop, graph, u: str, v: str) -> tuple[str, bool, tuple[str, ...]]:
    """The sign, delay and drawn link ids of the loop's link from ``u`` to ``v``."""
    if loop.edges is not None and (u, v) in loop.edges.sign:
        edges = loop.edges
        return edges.sign[u, v], bool(edges.code[u, v] & 4), edges.links[u, v]
    data = graph.edges[u, v]
    sign = data.get("sign") if data.get("sign") in ("+", "-") else "?"
    return sign, bool(data.get("delay", False)), tuple(data.get("links", ()))


def _graph_for(loop: Loop, doc: SystemMap, graph):
    if graph is None and loop.edges is None:
        from sysmap.analysis.causal import causal_graph

        graph = causal_graph(doc, derive=True)
    return graph


def narrate(loop: Loop, doc: SystemMap, graph: nx.DiGraph | None = None) -> str:
    """``loop`` told in words from its link polarities, starting at its first variable.

    Each variable after the first rises or falls in turn; the sentence closes on the first
    variable rising further (reinforcing), falling back (balancing) or changing in a way the
    map does not say (a link of unknown sign). A delayed link adds "(after a delay)" after
    the variable it moves. ``graph`` is the causal graph the loop came from; it is only
    needed for a loop built without one, and made from ``doc`` if so.
    """
    graph = _graph_for(loop, doc, graph)
    names = [_label(doc, v, graph) for v in loop.variables]
    members = list(loop.variables)
    pairs = list(zip(members, members[1:] + members[:1], strict=True))
    direction = 1  # +1 rising, -1 falling, 0 unknown
    clauses = []
    for i, (u, v) in enumerate(pairs):
        sign, delay, _ = _edge(loop, graph, u, v)
        direction = 0 if sign == "?" or direction == 0 else direction * (-1 if sign == "-" else 1)
        after = DELAY_TEXT if delay else ""
        if i < len(pairs) - 1:
            verb = {1: "rises", -1: "falls", 0: "changes"}[direction]
            clauses.append(f"{names[i + 1]} {verb}{after}")
        elif direction == 0:
            end = f"which changes {names[0]}{after} in a way the map does not say"
        else:
            end = f"so {names[0]} {'rises further' if direction == 1 else 'falls back'}{after}"
    polarity = "U" if direction == 0 else "R" if direction == 1 else "B"
    if not clauses:  # a variable that feeds itself
        end = end.removeprefix("so ").removeprefix("which ")
        end = f"this {end}" if direction == 0 else f"{end.replace(names[0], names[0] + ' itself', 1)}"
    body = ", ".join([f"As {names[0]} rises", *clauses, end])
    return f"{body}: {POLARITY_WORDS[polarity]}."


def link_caption(doc: SystemMap, source: str, target: str, sign: str, graph=None) -> str:
    """The caption of a link step, such as ``"Workload → Sick leave (+)"``."""
    return f"{_label(doc, source, graph)} → {_label(doc, target, graph)} ({SIGN_TEXT.get(sign, '?')})"


def most_looped_variable(graph: nx.DiGraph, *, time_limit: float = 2.0):
    """The variable on the most loops of ``graph`` (ties to the first by name), or ``None``
    if it has no loop. Counts are lower bounds past ``time_limit`` seconds."""
    from sysmap.analysis.loop_participation import loop_participation

    counts = loop_participation(graph, time_limit=time_limit).variables
    if not counts:
        return None
    return min(counts, key=lambda v: (-sum(counts[v]), order_key(graph, v)))


class _Presenter:
    """Builds the steps, remembering what has been shown."""

    def __init__(self, doc: SystemMap, graph):
        self.doc = doc
        self.graph = graph
        self.steps: list[Step] = []
        self.revealed: list[str] = []
        self.shown: set[str] = set()
        self.loops_shown: set[tuple] = set()
        self.labels = {cycle_key(label.loop): label for label in doc.loop_labels.values() if label.loop}

    def add(self, kind: str, ids, caption: str, notes: str = "", also=()) -> None:
        """A step lighting ``ids``; ``also`` are revealed with them without being lit."""
        ids = tuple(dict.fromkeys(ids))
        for eid in (*also, *ids):
            if eid not in self.shown:
                self.shown.add(eid)
                self.revealed.append(eid)
        self.steps.append(Step(kind, ids, caption, tuple(self.revealed), notes))

    def variable(self, vid: str) -> None:
        if vid not in self.shown:
            self.add("variable", (vid,), _label(self.doc, vid, self.graph))

    def link(self, ids, source: str, target: str, sign: str) -> None:
        new = [i for i in ids if i not in self.shown]
        if new:
            self.add("link", new, link_caption(self.doc, source, target, sign, self.graph))

    def loop(self, loop: Loop, first: str | None = None, name: str = "") -> None:
        """Reveal the loop's new variables and links one by one from ``first`` (else its
        first shown variable), then the whole loop with its narration (after its loop
        label's text, else after ``name``)."""
        key = cycle_key(loop.variables)
        if key in self.loops_shown:
            return
        self.loops_shown.add(key)
        members = list(loop.variables)
        if first is None:
            first = next((v for v in members if v in self.shown), members[0])
        i = members.index(first)
        members = members[i:] + members[:i]
        loop = make_loop(self.graph, members)
        self.variable(members[0])
        ids = list(members)
        for u, v in zip(members, members[1:] + members[:1], strict=True):
            sign, _, links = _edge(loop, self.graph, u, v)
            self.variable(v)
            self.link(links, u, v, sign)
            ids.extend(links)
        caption = narrate(loop, self.doc, self.graph)
        label = self.labels.get(key)
        if label is not None:
            ids.append(label.id)
            caption = f"{label.text.strip()}: {caption}"
        elif name:
            caption = f"{name}: {caption}"
        self.add("loop", ids, caption)

    def rest(self) -> None:
        """Every variable and drawn link not shown yet, in document order."""
        for vid in self.doc.variables:
            self.variable(vid)
        for link in self.doc.links.values():
            self.link((link.id,), link.source, link.target, _sign(link))


def default_sequence(
    doc: SystemMap,
    start: str | None = None,
    *,
    graph: nx.DiGraph | None = None,
    max_loops_through: int = 12,
) -> list[Step]:
    """The order a trainer would present ``doc`` in, as :class:`Step` objects.

    First the starting variable (``start``, else the variable on the most loops, else the
    first variable), then up to ``max_loops_through`` loops through it, shortest first, then
    the remaining loops of an independent loop set (shortest first), each revealed variable
    by variable and link by link and then as a whole loop with its narration (and its loop
    label, if the map has one); then every variable and drawn link not shown yet, in
    document order. ``graph`` defaults to ``causal_graph(doc, derive=True)``. The same map
    always gives the same steps. Raises ``KeyError`` for an unknown ``start``.
    """
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loop_basis import independent_loops

    if graph is None:
        graph = causal_graph(doc, derive=True)
    if start is not None and start not in doc.variables:
        raise KeyError(f"no variable {start!r} in the map")
    if start is None:
        start = most_looped_variable(graph)
    if start is None and doc.variables:
        start = min(doc.variables, key=lambda v: order_key(graph, v) if v in graph else ("", v))
    show = _Presenter(doc, graph)
    if start is not None:
        show.variable(start)
        if start in graph:
            for loop in loops_through(graph, start, max_loops=max_loops_through):
                show.loop(loop, first=start)
    rest = sorted(
        independent_loops(graph),
        key=lambda lp: (lp.length, tuple(order_key(graph, v) for v in cycle_key(lp.variables))),
    )
    for loop in rest:
        show.loop(loop)
    show.rest()
    return show.steps


def _sign(link) -> str:
    return link.polarity.value if link.polarity.value in ("+", "-") else "?"


def _causal(doc: SystemMap, graph):
    if graph is None:
        from sysmap.analysis.causal import causal_graph

        graph = causal_graph(doc, derive=True)
    return graph


def _end(doc: SystemMap, eid: str) -> str:
    """The variable at a link's end (an alias stands for its variable)."""
    alias = doc.aliases.get(eid)
    return alias.of if alias is not None else eid


def slide_caption(doc: SystemMap, kind: str, items: Sequence[str], graph=None) -> str:
    """The generated caption of a saved step: what the presentation says when the
    facilitator wrote none. A variable's label, ``"A → B (+)"`` for a link, a loop's
    narration (after its loop label's text), ``"The whole map"`` for a map step.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> a, b = doc.add_variable("Births"), doc.add_variable("Population")
    >>> link = doc.add_link(a.id, b.id, polarity="+")
    >>> slide_caption(doc, "link", [link.id])
    'Births → Population (+)'
    """
    items = [i for i in items if i in doc]
    if kind == "map":
        return "The whole map"
    if kind == "variable":
        return ", ".join(_label(doc, v, graph) for v in items if v in doc.variables)
    if kind == "link":
        links = [doc.links[i] for i in items if i in doc.links]
        return "; ".join(
            link_caption(doc, _end(doc, k.source), _end(doc, k.target), _sign(k), graph) for k in links
        )
    members = [i for i in items if i in doc.variables]
    graph = _causal(doc, graph)
    label = next((doc.loop_labels[i] for i in items if i in doc.loop_labels), None)
    try:
        text = narrate(make_loop(graph, members), doc, graph) if members else ""
    except KeyError:  # the variables no longer form a loop: name them
        text = ", ".join(_label(doc, v, graph) for v in members)
    if label is None:
        key = cycle_key(members)
        label = next((lb for lb in doc.loop_labels.values() if lb.loop and cycle_key(lb.loop) == key), None)
    if label is not None and label.text.strip():
        return f"{label.text.strip()}: {text}" if text else label.text.strip()
    return text


def whole_map(doc: SystemMap) -> tuple[str, ...]:
    """Every variable, link, loop label and note of ``doc``: what a ``map`` step shows."""
    return (*doc.variables, *doc.links, *doc.loop_labels, *doc.notes)


def steps_from_slides(doc: SystemMap, slides: Sequence[Slide], graph: nx.DiGraph | None = None) -> list[Step]:
    """A saved sequence (``slides``, as in ``doc.presentation``) played back as steps.

    Each step lights its slide's items and reveals them with everything before; a link step
    reveals the variables it joins too, and a ``map`` step the whole map. An empty caption
    becomes the generated one (:func:`slide_caption`), so it follows renames and polarity
    changes. Ids no longer in ``doc`` are left out, and a step left with none is skipped.

    >>> from sysmap.model import SystemMap
    >>> from sysmap.model.workshop import Slide
    >>> doc = SystemMap()
    >>> a = doc.add_variable("Births")
    >>> [(s.caption, s.revealed) for s in steps_from_slides(doc, [Slide("variable", (a.id, "gone"))])]
    [('Births', ('v1',))]
    """
    show = _Presenter(doc, None)
    for slide in slides:
        items = tuple(i for i in slide.items if i in doc)
        if not items and slide.kind != "map":
            continue
        if slide.kind == "map":
            items = whole_map(doc)
        needs_graph = not slide.caption and slide.kind == "loop"
        if needs_graph:
            graph = _causal(doc, graph)
        caption = slide.caption or slide_caption(doc, slide.kind, items, graph)
        also = []
        if slide.kind == "link":
            for lid in items:
                if lid in doc.links:
                    also += [doc.links[lid].source, doc.links[lid].target]
        show.add(slide.kind, items, caption, slide.notes, also)
    return show.steps


def slides_from_steps(steps: Sequence[Step]) -> tuple[Slide, ...]:
    """The steps as slides to save: kinds, ids and notes kept, captions left empty so the
    narration follows renames and polarity changes.

    >>> slides_from_steps([Step("variable", ("v1",), "Births", ("v1",), "say hello")])
    (Slide(kind='variable', items=('v1',), caption='', notes='say hello'),)
    """
    from sysmap.model.workshop import Slide

    return tuple(Slide(step.kind, tuple(step.ids), "", step.notes) for step in steps)


def presentation_steps(doc: SystemMap, graph: nx.DiGraph | None = None) -> list[Step]:
    """What presenting ``doc`` shows: its saved sequence, else :func:`default_sequence`."""
    if doc.presentation:
        return steps_from_slides(doc, doc.presentation, graph)
    return default_sequence(doc, graph=graph)


def dominance_sequence(
    doc: SystemMap,
    dominance: Dominance,
    start: str | None = None,
    graph: nx.DiGraph | None = None,
    *,
    by: str = "period",
) -> list[Step]:
    """The map presented loop by loop as its simulated behaviour is driven, from a
    :func:`~sysmap.analysis.dominance.loop_dominance` result.

    With ``by="period"`` the loops that dominate a period come first, in the order of the
    first period each dominates (the story of the run: what drives it first, then what takes
    over), the other scored loops after them by their mean share of the behaviour; with
    ``by="share"`` all scored loops go by mean share, largest first (ties by the first period
    they dominate). Each loop is revealed as :func:`default_sequence` reveals loops (from
    ``start`` when it is on it), told after its loop label or its dominance name ("R1").
    Then the loops of an independent set the result does not score, then every variable and
    link not shown yet. Raises ``KeyError`` for an unknown ``start``.
    """
    if by not in ("period", "share"):
        raise ValueError(f"order loops by period or share, not {by!r}")
    graph = _causal(doc, graph)
    if start is not None and start not in doc.variables:
        raise KeyError(f"no variable {start!r} in the map")
    first_period: dict[int, int] = {}
    for n, period in enumerate(dominance.periods()):
        index = dominance.loops.index(period.loops[0][0])
        first_period.setdefault(index, n)
    shares = [float(abs(row).mean()) if len(row) else 0.0 for row in dominance.relative]
    never = len(first_period) + 1

    def rank(i: int):
        if by == "share":
            return (-shares[i], first_period.get(i, never), i)
        return (first_period.get(i, never), -shares[i], i)

    show = _Presenter(doc, graph)
    if start is not None:
        show.variable(start)
    for i in sorted(range(len(dominance.loops)), key=rank):
        scored = dominance.loops[i]
        ids = []
        for name in scored.variables:
            var = doc.variable_named(name)
            if var is not None:
                ids.append(var.id)
        if not ids:
            continue
        try:
            loop = make_loop(graph, ids)
        except KeyError:  # not a cycle of the drawn map: show its variables
            for vid in ids:
                show.variable(vid)
            continue
        show.loop(loop, first=start if start in ids else None, name=scored.name)
    from sysmap.analysis.loop_basis import independent_loops

    for loop in sorted(
        independent_loops(graph),
        key=lambda lp: (lp.length, tuple(order_key(graph, v) for v in cycle_key(lp.variables))),
    ):
        show.loop(loop)
    show.rest()
    return show.steps
