"""The causal graph feedback analysis works on, with its conventions fixed in one place.

Conventions (applied the same way by every analysis):

- **Nodes** are variables. A module is one node: its inside is not expanded (module
  boundaries are not crossed), and macros are not expanded either.
- **Edges** are drawn links with their drawn polarity; a flow into a stock is ``+`` and out of
  a stock ``-``; a dependency an equation implies but no link draws is added with unknown
  polarity (``?``).
- **Initial-value links** (a stock's initial equation naming a variable) act only at the
  start of a run and close no feedback loop, so they are left out unless ``initial=True``.
- **Parallel links** from one variable to another are one edge: its polarity is theirs if
  they agree, else ``?``; it is delayed if any of them is.
- **Derived polarity** (``derive=True``): an edge of unknown sign whose effect's equation
  decides it (:mod:`sysmap.analysis.polarity`) takes the derived ``+`` or ``-``, and is
  delayed if the equation delays the cause (``SMTH1``, ``DELAY3``...). A polarity the user
  drew is never replaced; a conditional one stays ``?``.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a, b = doc.add_variable("A"), doc.add_variable("B")
>>> _ = doc.add_link(a.id, b.id, polarity="+"), doc.add_link(b.id, a.id, polarity="-")
>>> g = causal_graph(doc)
>>> g.edges[a.id, b.id]["sign"], g.edges[b.id, a.id]["sign"]
('+', '-')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysmap.model import SystemMap, to_networkx

if TYPE_CHECKING:
    import networkx as nx

#: The signs an edge can carry: same direction, opposite direction, unknown or conditional.
SIGNS = ("+", "-", "?")


def _sign(polarity: str) -> str:
    return polarity if polarity in ("+", "-") else "?"


def causal_graph(
    doc: SystemMap, *, initial: bool = False, derive: bool = False, assumptions=None
) -> nx.DiGraph:
    """A :class:`networkx.DiGraph` of ``doc``'s causal structure under the conventions above.

    Node attributes: ``name``, ``kind``. Edge attributes: ``sign`` (``+``, ``-`` or ``?``),
    ``delay`` (bool), ``links`` (the ids of the drawn links the edge stands for, possibly
    none), ``derived`` (True when the sign came from the equations). ``assumptions`` go to
    :func:`sysmap.analysis.polarity.derive_polarities`.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> x = doc.add_variable("x", equation="5")
    >>> y = doc.add_variable("y", equation="10 - x")
    >>> [causal_graph(doc, derive=d).edges[x.id, y.id]["sign"] for d in (False, True)]
    ['?', '-']
    """
    import networkx as nx

    multi = to_networkx(doc, derived=True)
    graph = nx.DiGraph()
    graph.add_nodes_from((n, {"name": d["name"], "kind": d["kind"]}) for n, d in multi.nodes(data=True))
    for u, v, data in multi.edges(data=True):
        if data["role"] == "initial" and not initial:
            continue
        sign = _sign(data["polarity"])
        links = (data["link"],) if data["link"] else ()
        if graph.has_edge(u, v):
            edge = graph.edges[u, v]
            if edge["sign"] != sign:
                edge["sign"] = "?"
            edge["delay"] = edge["delay"] or data["delay"]
            edge["links"] = edge["links"] + links
        else:
            graph.add_edge(u, v, sign=sign, delay=bool(data["delay"]), links=links, derived=False)
    if derive:
        _derive_signs(doc, graph, assumptions)
    return graph


def _derive_signs(doc: SystemMap, graph: nx.DiGraph, assumptions) -> None:
    from sysmap.analysis.polarity import derive_polarities

    unknown = [(u, v) for u, v, sign in graph.edges(data="sign") if sign == "?"]
    if not unknown:
        return
    for (u, v), found in derive_polarities(doc, assumptions=assumptions, pairs=unknown).items():
        if found.sign in ("+", "-"):
            edge = graph.edges[u, v]
            edge["sign"] = found.sign
            edge["derived"] = True
            edge["delay"] = edge["delay"] or bool(found.delay)
