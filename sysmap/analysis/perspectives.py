"""What each perspective of a workshop map sees: its variables, its links, the loops it drew
whole, and what it alone sees.

A perspective (:mod:`sysmap.model.workshop`) is a tag. Here a loop is **drawn by** a
perspective when every link of the loop carries its tag (on a causal-graph edge standing for
parallel links, one of them is enough). An edge no link draws -- a flow filling its stock, a
dependency only an equation implies -- is the perspective's when both its variables are.
A loop **only it sees** is one of its loops that no other perspective drew whole -- the
feedback the other groups in the room would miss.

>>> from sysmap.model import SystemMap
>>> from sysmap.model.workshop import Perspective, set_perspectives
>>> doc = SystemMap()
>>> a, b = doc.add_variable("Workload"), doc.add_variable("Sick leave")
>>> _ = doc.add_link(a.id, b.id, polarity="+", tags=("Staff",))
>>> _ = doc.add_link(b.id, a.id, polarity="+", tags=("Staff",))
>>> doc.apply(set_perspectives(doc, [Perspective("Staff"), Perspective("Managers")]))
>>> [(s.name, len(s.links), len(s.loops), len(s.only_loops)) for s in perspective_summary(doc)]
[('Staff', 2, 1, 1), ('Managers', 0, 0, 0)]
>>> sorted(untagged(doc))
['v1', 'v2']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sysmap.analysis.loops import LoopSearch, name_loops
from sysmap.model.workshop import has_perspective, perspective_colour, unique_to

if TYPE_CHECKING:
    import networkx as nx

    from sysmap.analysis.loops import Loop
    from sysmap.model import SystemMap

#: How many loops are listed per perspective at most, and how long each search may take.
MAX_LOOPS = 500
TIME_LIMIT = 1.0


@dataclass(frozen=True)
class PerspectiveSummary:
    """One perspective's share of the map.

    ``variables`` and ``links`` are the ids carrying its tag (map order); ``loops`` the loops
    it drew whole (named R1, B1... within the perspective); ``only_loops`` those of them no
    other perspective drew whole; ``unique`` the variables and links it alone carries;
    ``loops_complete`` whether its loop search finished.
    """

    name: str
    colour: str
    description: str
    variables: tuple[str, ...]
    links: tuple[str, ...]
    loops: tuple[Loop, ...]
    only_loops: tuple[Loop, ...]
    unique: frozenset[str]
    loops_complete: bool = True

    def counts(self) -> dict[str, int]:
        """How many variables, links, loops, loops only it sees, and elements only it has."""
        return {
            "variables": len(self.variables),
            "links": len(self.links),
            "loops": len(self.loops),
            "only_loops": len(self.only_loops),
            "unique": len(self.unique),
        }


def _drawn_edges(doc: SystemMap, graph: nx.DiGraph, name: str) -> list[tuple]:
    def tagged(vid) -> bool:
        var = doc.variables.get(vid)
        return var is not None and has_perspective(var, name)

    found = []
    for u, v, links in graph.edges(data="links"):
        drawn = [doc.links[lid] for lid in links or () if lid in doc.links]
        if any(has_perspective(link, name) for link in drawn) if drawn else tagged(u) and tagged(v):
            found.append((u, v))
    return found


def perspective_summary(
    doc: SystemMap,
    graph: nx.DiGraph | None = None,
    *,
    max_loops: int = MAX_LOOPS,
    time_limit: float | None = TIME_LIMIT,
) -> list[PerspectiveSummary]:
    """A :class:`PerspectiveSummary` for each of the map's perspectives, in the map's order.

    ``graph`` is the causal graph (default: ``causal_graph(doc)``); each perspective's loops
    are searched in the part of it that the perspective drew, ``max_loops`` and
    ``time_limit`` seconds at most.
    """
    import networkx as nx

    if graph is None:
        from sysmap.analysis.causal import causal_graph

        graph = causal_graph(doc)
    unique = unique_to(doc)
    drawn: dict[str, set[tuple]] = {}
    found: dict[str, tuple[list, bool]] = {}
    for p in doc.perspectives:
        edges = _drawn_edges(doc, graph, p.name)
        drawn[p.name] = set(edges)
        sub = nx.DiGraph()
        sub.add_nodes_from((n, graph.nodes[n]) for u, v in edges for n in (u, v))
        sub.add_edges_from((u, v, graph.edges[u, v]) for u, v in edges)
        search = LoopSearch(sub, time_limit=time_limit, max_loops=max_loops)
        found[p.name] = (name_loops(search, sub), search.complete)
    out = []
    for p in doc.perspectives:
        loops, complete = found[p.name]
        others = [edges for name, edges in drawn.items() if name != p.name]
        only = []
        for loop in loops:
            pairs = set(zip(loop.variables, loop.variables[1:] + loop.variables[:1], strict=True))
            if not any(pairs <= edges for edges in others):
                only.append(loop)
        out.append(
            PerspectiveSummary(
                name=p.name,
                colour=perspective_colour(doc, p),
                description=p.description,
                variables=tuple(v.id for v in doc.variables.values() if has_perspective(v, p.name)),
                links=tuple(k.id for k in doc.links.values() if has_perspective(k, p.name)),
                loops=tuple(loops),
                only_loops=tuple(only),
                unique=frozenset(unique.get(p.name, ())),
                loops_complete=complete,
            )
        )
    return out


def untagged(doc: SystemMap) -> list[str]:
    """Ids of the variables and links that no perspective of the map claims, in map order."""
    return [
        e.id
        for e in (*doc.variables.values(), *doc.links.values())
        if not any(has_perspective(e, p.name) for p in doc.perspectives)
    ]


def tags_in_use(doc: SystemMap) -> dict[str, int]:
    """Every tag on a variable or link with how many carry it, most used first, then by name.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> _ = doc.add_variable("A", tags=("Table 1",)), doc.add_variable("B", tags=("Table 1", "x"))
    >>> tags_in_use(doc)
    {'Table 1': 2, 'x': 1}
    """
    counts: dict[str, int] = {}
    for e in (*doc.variables.values(), *doc.links.values()):
        for tag in dict.fromkeys(t.strip() for t in e.tags if t.strip()):
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))


def counted(n: int, word: str) -> str:
    """``n`` and ``word``, plural unless ``n`` is one.

    >>> counted(1, "loop"), counted(3, "link")
    ('1 loop', '3 links')
    """
    return f"{n} {word}{'' if n == 1 else 's'}"


def _label(doc: SystemMap, vid: str) -> str:
    var = doc.variables.get(vid)
    return " ".join(var.label.split()) if var is not None else str(vid)


def _link_text(doc: SystemMap, lid: str) -> str:
    link = doc.links[lid]
    sign = {"+": "+", "-": "−"}.get(str(link.polarity), "?")
    return f"{_label(doc, link.source)} → {_label(doc, link.target)} ({sign})"


def loop_text(doc: SystemMap, loop: Loop) -> str:
    """A loop in one line: ``R1: Workload → Sick leave → Workload``."""
    names = [_label(doc, v) for v in loop.variables]
    return f"{loop.name}: {' → '.join([*names, names[0]])}"


def summary_lines(doc: SystemMap, summary: PerspectiveSummary) -> list[str]:
    """One perspective's summary as lines of text (the CLI and the Perspectives panel)."""
    c = summary.counts()
    more = "" if summary.loops_complete else " (search stopped: at least)"
    lines = [
        f"{summary.name} ({summary.colour})" + (f" — {summary.description}" if summary.description else ""),
        f"  {counted(c['variables'], 'variable')}, {counted(c['links'], 'link')}, "
        f"{counted(c['loops'], 'loop')} drawn whole{more}, {c['only_loops']} only it sees, "
        f"{counted(c['unique'], 'element')} only it has",
    ]
    if summary.variables:
        lines.append("  Variables: " + ", ".join(_label(doc, v) for v in summary.variables))
    for loop in summary.loops:
        alone = " (only this perspective)" if loop in summary.only_loops else ""
        lines.append(f"  Loop {loop_text(doc, loop)}{alone}")
    alone_ids = [e for e in (*summary.variables, *summary.links) if e in summary.unique]
    if alone_ids:
        shown = [_label(doc, e) if e in doc.variables else _link_text(doc, e) for e in alone_ids]
        lines.append("  Only it sees: " + "; ".join(shown))
    return lines


def summary_text(doc: SystemMap, summaries: list[PerspectiveSummary] | None = None) -> str:
    """Every perspective's summary and the untagged elements, as text; for a map without
    perspectives, says so and lists the tags in use."""
    if not doc.perspectives:
        tags = tags_in_use(doc)
        used = ", ".join(f"{t} ({n})" for t, n in tags.items()) if tags else "none"
        return f"The map has no perspectives. Tags in use: {used}."
    summaries = perspective_summary(doc) if summaries is None else summaries
    lines: list[str] = []
    for summary in summaries:
        lines.extend(summary_lines(doc, summary))
    rest = untagged(doc)
    n_vars = sum(1 for e in rest if e in doc.variables)
    lines.append(f"No perspective: {counted(n_vars, 'variable')}, {counted(len(rest) - n_vars, 'link')}")
    return "\n".join(lines)


def summary_dict(doc: SystemMap, summaries: list[PerspectiveSummary] | None = None) -> dict:
    """The summaries as plain data (for ``--json``)."""
    summaries = perspective_summary(doc) if summaries is None else summaries

    def loop_data(loop: Loop) -> dict:
        return {
            "name": loop.name,
            "polarity": loop.polarity,
            "variables": [_label(doc, v) for v in loop.variables],
            "ids": list(loop.variables),
        }

    return {
        "perspectives": [
            {
                "name": s.name,
                "colour": s.colour,
                "description": s.description,
                "counts": s.counts(),
                "variables": [_label(doc, v) for v in s.variables],
                "links": [_link_text(doc, k) for k in s.links],
                "loops": [loop_data(loop) for loop in s.loops],
                "only_loops": [loop.name for loop in s.only_loops],
                "unique": sorted(s.unique),
                "loops_complete": s.loops_complete,
            }
            for s in summaries
        ],
        "untagged": untagged(doc),
        "tags": tags_in_use(doc),
    }
