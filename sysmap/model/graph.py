"""The causal structure of a map as a :class:`networkx.MultiDiGraph` snapshot.

Nodes are variable ids; each edge is a causal link with its ``polarity`` (``"+"``, ``"-"``,
``"?"`` or ``""``). Drawn links come first, keyed by their link id. With ``derived=True`` the
dependencies implied by equations and flows (:mod:`sysmap.model.dependencies`) are added
where no drawn link already covers them, keyed ``"<role>:<source>><target>"``.

Edge attributes: ``polarity``, ``delay`` (bool), ``role`` (``"link"`` for a drawn link, else
the dependency's role), ``link`` (the link id or ``None``), ``derived`` (the dependency role a
drawn link also expresses, or ``None``). Node attributes: ``name``, ``kind``, ``tags``, ``pos``.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a, b = doc.add_variable("Mic"), doc.add_variable("Speaker")
>>> _ = doc.add_link(a.id, b.id, polarity="+"), doc.add_link(b.id, a.id, polarity="+")
>>> g = to_networkx(doc)
>>> sorted((g.nodes[u]["name"], g.nodes[v]["name"], d["polarity"]) for u, v, d in g.edges(data=True))
[('Mic', 'Speaker', '+'), ('Speaker', 'Mic', '+')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysmap.model.dependencies import derived_dependencies
from sysmap.model.document import SystemMap

if TYPE_CHECKING:
    import networkx as nx


def to_networkx(doc: SystemMap, *, derived: bool = True) -> nx.MultiDiGraph:
    """Export the causal structure of ``doc``; see the module docstring for the attributes."""
    import networkx as nx

    graph = nx.MultiDiGraph(name=doc.name)
    for var in doc.variables.values():
        graph.add_node(var.id, name=var.name, kind=var.kind.value, tags=var.tags, pos=var.position)
    drawn: dict[tuple[str, str], str] = {}
    for link in doc.links.values():
        graph.add_edge(
            link.source,
            link.target,
            key=link.id,
            polarity=link.polarity.value,
            delay=link.delay,
            role="link",
            link=link.id,
            derived=None,
        )
        drawn.setdefault((link.source, link.target), link.id)
    if derived:
        for dep in derived_dependencies(doc):
            lid = drawn.get((dep.source, dep.target))
            if lid is not None:
                data = graph.edges[dep.source, dep.target, lid]
                data["derived"] = data["derived"] or dep.role
                continue
            graph.add_edge(
                dep.source,
                dep.target,
                key=f"{dep.role}:{dep.source}>{dep.target}",
                polarity=dep.polarity.value,
                delay=False,
                role=dep.role,
                link=None,
                derived=dep.role,
            )
    return graph
