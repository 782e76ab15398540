"""GraphML maps: one file that yEd, Gephi, networkx and sysmap can all read.

Every node and edge carries three layers of data, each under keys with meaningful ids
(never networkx's ``d0``, ``d1``, ...; Gephi takes ``d3`` and ``d7`` for labels):

* yEd's graphics extension (``yfiles.type="nodegraphics"`` / ``"edgegraphics"``): a
  ``<y:ShapeNode>`` whose ``<y:Geometry>`` gives the *top-left* corner, and a
  ``<y:PolyLineEdge>`` with the polarity as a coloured ``<y:EdgeLabel>``. It comes first in
  each node, because networkx copies the yEd geometry into ``x``/``y`` and the plain keys
  after it must win.
* Plain keys for Gephi and networkx: node ``label``, ``x``, ``y`` (centres), ``r``, ``g``,
  ``b``; edge ``label`` and ``weight`` (+1, -1, or 0 for an unmarked link).
* sysmap's own ``sysmap_*`` keys: names, kinds, equations, polarity, delay, curvature, and
  on the ``<graph>`` the map's name and documentation and its loop labels, notes and groups
  as JSON.

A causal loop diagram survives the round trip exactly. A stock-and-flow model does not:
flows are written as ``flow -> stock`` edges (``sysmap_role`` ``inflow`` or ``outflow``) for
other programs to see, but are not reattached when read back; :func:`write` says so.

Reading accepts files from those programs: keys are recognised by ``attr.name`` (or
``yfiles.type``), never by id; names, positions and polarities are taken from whichever
layer a file has, and where a file was written by sysmap and then edited in yEd or Gephi,
the edited layer wins over the stale ``sysmap_*`` value.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from sysmap.errors import FileFormatError, ModelError
from sysmap.io import _xml
from sysmap.io.atomic import write_atomic
from sysmap.model import (
    Direction,
    Group,
    Kind,
    Link,
    LoopLabel,
    Note,
    Polarity,
    SimSpecs,
    SystemMap,
    Variable,
    canonical_name,
    display_name,
)
from sysmap.model.edits import Insert, Replace
from sysmap.model.elements import Behavior, Point
from sysmap.model.names import is_valid_name

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
Y_NS = "http://www.yworks.com/xml/graphml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{GRAPHML_NS} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"

#: Written as ``sysmap_format`` on the graph; tells the reader to trust the sysmap keys.
FORMAT_VERSION = 1

#: Coordinates further from the origin than this are refused as nonsense.
MAX_COORDINATE = 1e7

#: Spacing and centre of the layout given to nodes that have no position.
SPACING = 150.0
CENTRE = (500.0, 400.0)

_G = f"{{{GRAPHML_NS}}}"
_Y = f"{{{Y_NS}}}"


@dataclass(frozen=True)
class _Key:
    id: str
    domain: str
    name: str = ""
    type: str = "string"
    yfiles: str = ""


#: Every key sysmap writes, in the order they are declared.
KEYS: tuple[_Key, ...] = (
    _Key("sysmap_format", "graph", "sysmap_format", "int"),
    _Key("sysmap_map_name", "graph", "sysmap_map_name"),
    _Key("sysmap_map_documentation", "graph", "sysmap_map_documentation"),
    _Key("sysmap_loop_labels", "graph", "sysmap_loop_labels"),
    _Key("sysmap_notes", "graph", "sysmap_notes"),
    _Key("sysmap_groups", "graph", "sysmap_groups"),
    _Key("node_graphics", "node", yfiles="nodegraphics"),
    _Key("label", "node", "label"),
    _Key("x", "node", "x", "double"),
    _Key("y", "node", "y", "double"),
    _Key("r", "node", "r", "int"),
    _Key("g", "node", "g", "int"),
    _Key("b", "node", "b", "int"),
    _Key("sysmap_name", "node", "sysmap_name"),
    _Key("sysmap_kind", "node", "sysmap_kind"),
    _Key("sysmap_equation", "node", "sysmap_equation"),
    _Key("sysmap_units", "node", "sysmap_units"),
    _Key("sysmap_documentation", "node", "sysmap_documentation"),
    _Key("sysmap_tags", "node", "sysmap_tags"),
    _Key("sysmap_size", "node", "sysmap_size"),
    _Key("edge_graphics", "edge", yfiles="edgegraphics"),
    _Key("edge_label", "edge", "label"),
    _Key("weight", "edge", "weight", "double"),
    _Key("sysmap_role", "edge", "sysmap_role"),
    _Key("sysmap_polarity", "edge", "sysmap_polarity"),
    _Key("sysmap_delay", "edge", "sysmap_delay", "boolean"),
    _Key("sysmap_curvature", "edge", "sysmap_curvature", "double"),
    _Key("sysmap_note", "edge", "sysmap_note"),
    _Key("sysmap_edge_tags", "edge", "sysmap_tags"),
    _Key("sysmap_points", "edge", "sysmap_points"),
)

_FILL = {
    Kind.CONCEPT: "#FFF4C2",
    Kind.STOCK: "#CFE2F3",
    Kind.FLOW: "#D9EAD3",
    Kind.AUX: "#EEEEEE",
    Kind.MODULE: "#E4D7F5",
}
_SHAPE = {
    Kind.CONCEPT: "roundrectangle",
    Kind.STOCK: "rectangle",
    Kind.FLOW: "ellipse",
    Kind.AUX: "roundrectangle",
    Kind.MODULE: "hexagon",
}
_MIN_SIZE = {
    Kind.CONCEPT: (80.0, 40.0),
    Kind.STOCK: (100.0, 50.0),
    Kind.FLOW: (60.0, 40.0),
    Kind.AUX: (60.0, 30.0),
    Kind.MODULE: (100.0, 50.0),
}
_LINK_COLOUR = {
    Polarity.POSITIVE: "#1B7F3B",
    Polarity.NEGATIVE: "#C62828",
    Polarity.UNKNOWN: "#B26A00",
    Polarity.NONE: "#555555",
}
_WEIGHT = {Polarity.POSITIVE: "1.0", Polarity.NEGATIVE: "-1.0", Polarity.UNKNOWN: "0.0", Polarity.NONE: "0.0"}

# -- polarity, numbers and text -----------------------------------------------------------------

_POLARITY_WORDS = {
    "+": Polarity.POSITIVE,
    "s": Polarity.POSITIVE,
    "same": Polarity.POSITIVE,
    "pos": Polarity.POSITIVE,
    "positive": Polarity.POSITIVE,
    "plus": Polarity.POSITIVE,
    "-": Polarity.NEGATIVE,
    "o": Polarity.NEGATIVE,
    "opposite": Polarity.NEGATIVE,
    "neg": Polarity.NEGATIVE,
    "negative": Polarity.NEGATIVE,
    "minus": Polarity.NEGATIVE,
    "?": Polarity.UNKNOWN,
    "+/-": Polarity.UNKNOWN,
    "-/+": Polarity.UNKNOWN,
    "+-": Polarity.UNKNOWN,
    "±": Polarity.UNKNOWN,
    "∓": Polarity.UNKNOWN,
    "unknown": Polarity.UNKNOWN,
    "ambiguous": Polarity.UNKNOWN,
}
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-", "\uff0b": "+"})
_DELAY_MARK = re.compile(r"\|\||//")


def parse_polarity(text: str | None) -> Polarity | None:
    """The polarity a link label or attribute value stands for; ``None`` if it says none.

    Signs (``+``, ``-``, the minus sign ``−``), words (``positive``, ``same``/``s``,
    ``opposite``/``o``), ``+/-`` or ``?`` for unknown, and numbers by their sign (0 is an
    unmarked link).

    >>> [parse_polarity(t).value for t in ("+", "−", "+/-", "-1", "Negative", "0")]
    ['+', '-', '?', '-', '-', '']
    >>> parse_polarity("causes") is None
    True
    """
    if text is None:
        return None
    word = " ".join(text.translate(_DASHES).casefold().split())
    if word in _POLARITY_WORDS:
        return _POLARITY_WORDS[word]
    number = _float(word)
    if number is None:
        return None
    return Polarity.POSITIVE if number > 0 else Polarity.NEGATIVE if number < 0 else Polarity.NONE


def _float(text: str | None) -> float | None:
    """``text`` as a finite number, or ``None``."""
    if text is None:
        return None
    try:
        number = float(text.strip())
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _bool(text: str | None) -> bool | None:
    word = (text or "").strip().casefold()
    if word in ("true", "1", "yes"):
        return True
    if word in ("false", "0", "no", ""):
        return False
    return None


def _count(n: int, noun: str) -> str:
    """``1 edge``, ``2 edges``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _tidy(text: str) -> str:
    """Text from a label, its whitespace runs made single spaces."""
    return " ".join(text.split())


def _num(value: float) -> str:
    return repr(float(value))


def _pixels(value: float) -> str:
    """A drawing coordinate for yEd, to a hundredth of a pixel (the exact value is in ``x``/``y``)."""
    return _num(round(value, 2))


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# -- writing ------------------------------------------------------------------------------------


class _Writer:
    """Builds the document, noting which keys it used and any text it had to clean."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.cleaned = False

    def text(self, value: str) -> str:
        clean = _NOT_XML.sub("", value)
        self.cleaned |= clean != value
        return clean

    def data(self, parent: etree._Element, key: str, value: str | None = None) -> etree._Element:
        self.used.add(key)
        element = etree.SubElement(parent, _G + "data", key=key)
        if value is not None:
            element.text = self.text(value)
        return element


def _box(var: Variable) -> tuple[float, float]:
    """The width and height yEd draws a variable with."""
    if var.size and all(math.isfinite(v) and v > 0 for v in var.size):
        return float(var.size[0]), float(var.size[1])
    min_w, min_h = _MIN_SIZE[var.kind]
    return max(min_w, 7.0 * len(var.label) + 20.0), min_h


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _write_node(out: _Writer, graph: etree._Element, var: Variable) -> None:
    node = etree.SubElement(graph, _G + "node", id=out.text(var.id))
    cx, cy = var.position
    width, height = _box(var)
    fill = _FILL[var.kind]
    shape = etree.SubElement(out.data(node, "node_graphics"), _Y + "ShapeNode")
    etree.SubElement(
        shape,
        _Y + "Geometry",
        height=_pixels(height),
        width=_pixels(width),
        x=_pixels(cx - width / 2),
        y=_pixels(cy - height / 2),
    )
    etree.SubElement(shape, _Y + "Fill", color=fill, transparent="false")
    border = "2.0" if var.kind == Kind.STOCK else "1.0"
    etree.SubElement(shape, _Y + "BorderStyle", color="#000000", type="line", width=border)
    label = etree.SubElement(
        shape,
        _Y + "NodeLabel",
        alignment="center",
        autoSizePolicy="content",
        fontFamily="Dialog",
        fontSize="12",
        fontStyle="plain",
        modelName="internal",
        modelPosition="c",
        textColor="#000000",
        visible="true",
    )
    label.text = out.text(var.label)
    etree.SubElement(shape, _Y + "Shape", type=_SHAPE[var.kind])
    out.data(node, "label", var.label)
    out.data(node, "x", _num(cx))
    out.data(node, "y", _num(cy))
    for key, value in zip("rgb", _rgb(fill), strict=True):
        out.data(node, key, str(value))
    out.data(node, "sysmap_name", var.name)
    out.data(node, "sysmap_kind", var.kind.value)
    for key, value in (
        ("sysmap_equation", var.equation),
        ("sysmap_units", var.units),
        ("sysmap_documentation", var.documentation),
    ):
        if value:
            out.data(node, key, value)
    if var.tags:
        out.data(node, "sysmap_tags", _json_text(list(var.tags)))
    if var.size is not None:
        out.data(node, "sysmap_size", _json_text(list(var.size)))


def _arc_middle(p0: Point, p1: Point, curvature: float) -> Point:
    """The middle of a link's arc: the chord's middle moved by the sagitta, to the left."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    return ((p0[0] + p1[0]) / 2 + curvature * dy, (p0[1] + p1[1]) / 2 - curvature * dx)


def _write_edge(
    out: _Writer,
    graph: etree._Element,
    eid: str,
    ends: tuple[Variable, Variable],
    polarity: Polarity,
    role: str,
    link: Link | None = None,
) -> None:
    source, target = ends
    edge = etree.SubElement(graph, _G + "edge", id=out.text(eid), source=out.text(source.id))
    edge.set("target", out.text(target.id))
    colour = _LINK_COLOUR[polarity]
    line = etree.SubElement(out.data(edge, "edge_graphics"), _Y + "PolyLineEdge")
    path = etree.SubElement(line, _Y + "Path", sx="0.0", sy="0.0", tx="0.0", ty="0.0")
    bends: Iterable[Point] = ()
    if link is not None and link.points:
        bends = link.points
    elif link is not None and link.curvature and source.id != target.id:
        bends = [_arc_middle(source.position, target.position, link.curvature)]
    for x, y in bends:
        etree.SubElement(path, _Y + "Point", x=_pixels(x), y=_pixels(y))
    width = "1.0" if role == "link" else "3.0"
    etree.SubElement(line, _Y + "LineStyle", color=colour, type="line", width=width)
    etree.SubElement(line, _Y + "Arrows", source="none", target="standard")
    labels = [polarity.value] if polarity != Polarity.NONE else []
    if link is not None and link.delay:
        labels.append("||")
    for text, place in zip(labels, ("thead", "center"), strict=False):
        label = etree.SubElement(
            line,
            _Y + "EdgeLabel",
            alignment="center",
            fontFamily="Dialog",
            fontSize="14",
            fontStyle="bold",
            modelName="six_pos",
            modelPosition=place,
            preferredPlacement="anywhere",
            ratio="0.5",
            textColor=colour,
            visible="true",
        )
        label.text = text
    etree.SubElement(line, _Y + "BendStyle", smoothed="true" if bends else "false")
    if polarity != Polarity.NONE:
        out.data(edge, "edge_label", polarity.value)
    out.data(edge, "weight", _WEIGHT[polarity])
    out.data(edge, "sysmap_role", role)
    out.data(edge, "sysmap_polarity", polarity.value)
    if link is None:
        return
    out.data(edge, "sysmap_delay", "true" if link.delay else "false")
    out.data(edge, "sysmap_curvature", _num(link.curvature))
    if link.note:
        out.data(edge, "sysmap_note", link.note)
    if link.tags:
        out.data(edge, "sysmap_edge_tags", _json_text(list(link.tags)))
    if link.points:
        out.data(edge, "sysmap_points", _json_text([list(p) for p in link.points]))


def _loop_label_json(label: LoopLabel) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": label.id,
        "text": label.text,
        "position": list(label.position),
        "direction": label.direction.value,
    }
    if label.loop:
        data["loop"] = list(label.loop)
    if label.documentation:
        data["documentation"] = label.documentation
    return data


def _note_json(note: Note) -> dict[str, Any]:
    data: dict[str, Any] = {"id": note.id, "text": note.text, "position": list(note.position)}
    if note.size is not None:
        data["size"] = list(note.size)
    return data


def _group_json(group: Group) -> dict[str, Any]:
    data: dict[str, Any] = {"id": group.id, "name": group.name, "members": list(group.members)}
    if group.position is not None:
        data["position"] = list(group.position)
    if group.size is not None:
        data["size"] = list(group.size)
    if group.documentation:
        data["documentation"] = group.documentation
    return data


def _losses(doc: SystemMap) -> list[str]:
    """Sentences naming what a GraphML file of ``doc`` cannot give back."""
    warnings = []
    variables = list(doc.variables.values())
    if any(v.equation or v.kind in (Kind.STOCK, Kind.FLOW, Kind.MODULE) for v in variables):
        warnings.append(
            "GraphML holds the causal map, not the simulation model: equations are saved as text, "
            "but which stocks the flows fill and drain (written as plain flow-to-stock edges) "
            "and the simulation settings are not read back, so the reopened map will not simulate."
        )
    lost = []
    counts = [
        (len(doc.aliases), "alias", "aliases (their links now start at the variable)"),
        (sum(bool(v.points) for v in variables), "flow pipe route", "flow pipe routes"),
        (sum(v.graph is not None for v in variables), "lookup table", "lookup tables"),
        (sum(bool(v.dimensions or v.elements) for v in variables), "arrayed variable", "arrayed variables"),
        (sum(v.non_negative is not None for v in variables), "non-negative setting", "non-negative settings"),
        (sum(bool(v.connections) for v in variables), "module's connections", "modules' connections"),
    ]
    lost += [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    for present, what in (
        (doc.dimensions, "array dimensions"),
        (doc.units, "unit definitions"),
        (doc.submodels, "submodels"),
        (doc.behavior != Behavior(), "model behaviour settings"),
        (doc.sim_specs != SimSpecs() and not warnings, "simulation settings"),
        (doc.origin, "the name of the program the model came from"),
    ):
        if present:
            lost.append(what)
    kept_extras = bool(doc.extras) or any(
        getattr(e, "extra", None) or getattr(e, "view_extra", None) for e in doc.elements()
    )
    if kept_extras:
        lost.append("details kept unread from the file the model was loaded from")
    if lost:
        warnings.append(f"GraphML cannot hold these, so they are not saved: {', '.join(lost)}.")
    return warnings


def _serialize(doc: SystemMap) -> tuple[bytes, list[str]]:
    out = _Writer()
    graph = etree.Element(_G + "graph", id="G", edgedefault="directed")
    out.data(graph, "sysmap_format", str(FORMAT_VERSION))
    if doc.name:
        out.data(graph, "sysmap_map_name", doc.name)
    if doc.documentation:
        out.data(graph, "sysmap_map_documentation", doc.documentation)
    for key, items in (
        ("sysmap_loop_labels", [_loop_label_json(lab) for lab in doc.loop_labels.values()]),
        ("sysmap_notes", [_note_json(note) for note in doc.notes.values()]),
        ("sysmap_groups", [_group_json(group) for group in doc.groups.values()]),
    ):
        if items:
            out.data(graph, key, _json_text(items))
    variables = doc.variables
    for var in variables.values():
        _write_node(out, graph, var)
    edge_ids = set(doc.links)
    for link in doc.links.values():
        ends = (variables[link.source], variables[link.target])
        _write_edge(out, graph, link.id, ends, link.polarity, "link", link)
    for stock in variables.values():
        for role, flows, polarity in (
            ("inflow", stock.inflows, Polarity.POSITIVE),
            ("outflow", stock.outflows, Polarity.NEGATIVE),
        ):
            for fid in flows:
                eid = f"{role}-{fid}-{stock.id}"
                while eid in edge_ids:
                    eid += "'"
                edge_ids.add(eid)
                _write_edge(out, graph, eid, (variables[fid], stock), polarity, role)

    root = etree.Element(_G + "graphml", nsmap={None: GRAPHML_NS, "xsi": XSI_NS, "y": Y_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    for key in KEYS:
        if key.id not in out.used:
            continue
        element = etree.SubElement(root, _G + "key", id=key.id)
        element.set("for", key.domain)
        if key.yfiles:
            element.set("yfiles.type", key.yfiles)
        else:
            element.set("attr.name", key.name)
            element.set("attr.type", key.type)
    root.append(graph)
    warnings = _losses(doc)
    if out.cleaned:
        warnings.append("Characters that XML cannot hold (control characters) were left out of the file.")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data, warnings


def dumps(doc: SystemMap) -> bytes:
    """The GraphML bytes for ``doc``; the same document always gives the same bytes.

    >>> doc = SystemMap()
    >>> _ = doc.add_variable("Trust", position=(100.0, 50.0))
    >>> b'<y:Geometry height="40.0" width="80.0" x="60.0" y="30.0"/>' in dumps(doc)
    True
    """
    return _serialize(doc)[0]


def write(doc: SystemMap, path: str | os.PathLike) -> list[str]:
    """Save ``doc`` as GraphML, atomically; returns warnings about what the file cannot hold.

    Each warning is one sentence for the user (for instance, that a stock-and-flow model's
    flow connections and simulation settings are not kept).
    """
    data, warnings = _serialize(doc)
    write_atomic(path, data)
    return warnings


# -- reading: the file as plain records ---------------------------------------------------------


class _Warnings:
    """Warnings met while reading, each naming the file and, where known, the line."""

    def __init__(self, path: str | os.PathLike, repairs: Iterable[str] = ()):
        self.path = os.fspath(path)
        self.items = [f"{self.path}: {w}" for w in repairs]

    def add(self, message: str, line: int | None = None) -> None:
        self.items.append(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")

    def summary(self, limit: int = 25) -> list[str]:
        """The warnings, the tail of a long list replaced by a count."""
        if len(self.items) <= limit:
            return list(self.items)
        return [*self.items[: limit - 1], f"{self.path}: ... and {len(self.items) - limit + 1} more warnings"]


@dataclass
class _KeyInfo:
    name: str
    domain: str
    graphics: bool
    default: str | None


@dataclass
class _NodeRec:
    id: str
    line: int | None
    values: dict[str, str]
    labels: list[str]
    geometry: dict[str, str] | None
    parent: str | None
    container: bool = False


@dataclass
class _EdgeRec:
    id: str | None
    line: int | None
    source: str
    target: str
    values: dict[str, str]
    labels: list[str]
    bends: list[tuple[str | None, str | None]]
    undirected: bool


@dataclass
class _GraphRec:
    values: dict[str, str]
    nodes: list[_NodeRec]
    edges: list[_EdgeRec]
    from_sysmap: bool


def _is(element: Any, name: str) -> bool:
    return _xml.local(element.tag) == name and _xml.namespace(element.tag) in (GRAPHML_NS, "")


def _read_keys(root: etree._Element, warnings: _Warnings) -> dict[str, _KeyInfo]:
    keys: dict[str, _KeyInfo] = {}
    for element in root:
        if not _is(element, "key"):
            continue
        kid = element.get("id")
        if not kid:
            warnings.add("ignored a <key> without an id", element.sourceline)
            continue
        if kid in keys:
            warnings.add(f"ignored a second <key> with id {kid!r}", element.sourceline)
            continue
        yfiles = element.get("yfiles.type") or ""
        name = element.get("attr.name") or kid
        if not name.startswith("sysmap_"):
            name = name.strip().casefold()
        default = next((d for d in element if _is(d, "default")), None)
        keys[kid] = _KeyInfo(
            name=name,
            domain=(element.get("for") or "all").strip().casefold(),
            graphics=yfiles in ("nodegraphics", "edgegraphics"),
            default=None if default is None else str(default.xpath("string()")),
        )
    return keys


def _yed(data: etree._Element, *names: str) -> Iterator[etree._Element]:
    """yEd elements named ``names`` inside a data element, whatever prefix they were given."""
    for element in data.iter():
        if _xml.local(element.tag) in names:
            yield element


class _DataReader:
    """Reads the ``<data>`` of nodes, edges and the graph by key name, noting bad keys once."""

    def __init__(self, keys: dict[str, _KeyInfo], warnings: _Warnings):
        self.keys = keys
        self.warnings = warnings
        self.unknown: set[str] = set()

    def read(self, element: etree._Element, domain: str) -> tuple[dict[str, str], list[etree._Element]]:
        """The element's values by key name, and its yEd graphics data elements."""
        values: dict[str, str] = {}
        graphics = []
        for data in element:
            if not _is(data, "data"):
                continue
            kid = data.get("key") or ""
            key = self.keys.get(kid)
            if key is None:
                if kid not in self.unknown:
                    self.unknown.add(kid)
                    self.warnings.add(f"ignored data for the undeclared key {kid!r}", data.sourceline)
                continue
            if key.graphics or len(data):
                graphics.append(data)
            else:
                values.setdefault(key.name, str(data.xpath("string()")))
        for key in self.keys.values():
            if key.default is not None and key.domain in (domain, "all") and not key.graphics:
                values.setdefault(key.name, key.default)
        return values, graphics


def _collect(root: etree._Element, path: str | os.PathLike, warnings: _Warnings) -> _GraphRec:
    """The graph of a parsed file as records; nested graphs flattened, hyperedges dropped."""
    if _xml.local(root.tag) != "graphml":
        raise FileFormatError(
            path, root.sourceline, None, f"not a GraphML file: the root element is <{_xml.local(root.tag)}>"
        )
    if _xml.namespace(root.tag) not in (GRAPHML_NS, ""):
        warnings.add(f"unexpected GraphML namespace {_xml.namespace(root.tag)!r}; read it anyway")
    keys = _read_keys(root, warnings)
    reader = _DataReader(keys, warnings)
    graphs = [g for g in root if _is(g, "graph")]
    if not graphs:
        raise FileFormatError(path, root.sourceline, None, "the file holds no <graph>")
    if len(graphs) > 1:
        warnings.add(f"the file holds {len(graphs)} graphs; read the first")
    top = graphs[0]
    graph_values, _ = reader.read(top, "graph")
    undirected_default = (top.get("edgedefault") or "directed").strip().casefold() == "undirected"

    nodes: list[_NodeRec] = []
    seen: dict[str, int | None] = {}
    edges: list[_EdgeRec] = []
    hyperedges = nested = 0
    stack: list[tuple[Iterator[etree._Element], str | None]] = [(iter(top), None)]
    while stack:
        children, parent = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if _is(child, "node"):
            nid = child.get("id")
            if not nid:
                raise FileFormatError(path, child.sourceline, None, "a <node> has no id")
            if nid in seen:
                first = f" (first at line {seen[nid]})" if seen[nid] else ""
                raise FileFormatError(path, child.sourceline, None, f"duplicate node id {nid!r}{first}")
            seen[nid] = child.sourceline
            values, graphics = reader.read(child, "node")
            labels = [el.text or "" for data in graphics for el in _yed(data, "NodeLabel")]
            geometry = next((dict(el.attrib) for data in graphics for el in _yed(data, "Geometry")), None)
            record = _NodeRec(nid, child.sourceline, values, labels, geometry, parent)
            nodes.append(record)
            inner = [g for g in child if _is(g, "graph")]
            if inner:
                record.container = True
                nested += 1
                stack.append((itertools.chain.from_iterable(inner), nid))
        elif _is(child, "edge"):
            source, target = child.get("source"), child.get("target")
            if not source or not target:
                end = "source" if not source else "target"
                raise FileFormatError(path, child.sourceline, None, f"an <edge> has no {end}")
            values, graphics = reader.read(child, "edge")
            directed = child.get("directed")
            undirected = (
                undirected_default if directed is None else directed.strip().casefold() in ("false", "0")
            )
            edges.append(
                _EdgeRec(
                    id=child.get("id") or None,
                    line=child.sourceline,
                    source=source,
                    target=target,
                    values=values,
                    labels=[el.text or "" for data in graphics for el in _yed(data, "EdgeLabel")],
                    bends=[(p.get("x"), p.get("y")) for data in graphics for p in _yed(data, "Point")],
                    undirected=undirected,
                )
            )
        elif _is(child, "hyperedge"):
            hyperedges += 1
    for edge in edges:
        for end in (edge.source, edge.target):
            if end not in seen:
                name = f" {edge.id!r}" if edge.id else ""
                raise FileFormatError(path, edge.line, None, f"edge{name} refers to unknown node {end!r}")
    if nested:
        warnings.add(
            f"flattened {_count(nested, 'nested graph')} (yEd groups): "
            "their nodes are ordinary variables, listed in a group of the same name"
        )
    if hyperedges:
        warnings.add(f"skipped {_count(hyperedges, 'hyperedge')}: a map has no such links")
    if any(e.undirected for e in edges):
        warnings.add("read undirected edges as links from their source to their target")
    version = graph_values.get("sysmap_format")
    if version is not None and version.strip() not in ("", str(FORMAT_VERSION)):
        warnings.add(f"written by a newer sysmap (GraphML format {version.strip()!r}); read what it could")
    return _GraphRec(graph_values, nodes, edges, from_sysmap=version is not None)


# -- reading: records to a document -------------------------------------------------------------


class _Ids:
    """Element ids for the new document: the file's own where usable, fresh ones otherwise."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.counter = 0

    def claim(self, wanted: Any) -> str | None:
        if (
            isinstance(wanted, str)
            and wanted
            and len(wanted) <= 200
            and wanted.isprintable()
            and wanted not in self.taken
        ):
            self.taken.add(wanted)
            return wanted
        return None

    def fresh(self, prefix: str) -> str:
        while True:
            self.counter += 1
            eid = f"{prefix}{self.counter}"
            if eid not in self.taken:
                self.taken.add(eid)
                return eid


def _coordinate(text: str | None, what: str, warnings: _Warnings, line: int | None) -> float | None:
    if text is None:
        return None
    number = _float(text)
    if number is None or abs(number) > MAX_COORDINATE:
        shown = text.strip()[:40]
        reason = "not a finite number" if number is None else "too far from the origin"
        warnings.add(f"ignored {what} {shown!r}: {reason}", line)
        return None
    return number


def _point(value: Any) -> Point | None:
    """A JSON ``[x, y]`` pair as a point, or ``None`` if it is not one."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    x, y = (float(v) for v in value)
    if not all(math.isfinite(v) and abs(v) <= MAX_COORDINATE for v in (x, y)):
        return None
    return x, y


def _json_value(text: str | None, what: str, warnings: _Warnings, line: int | None = None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        warnings.add(f"ignored {what}: not valid JSON", line)
        return None


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _unique(name: str, taken: dict[str, int]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... whichever no other variable has; takes it.

    ``taken`` maps each canonical name in use to the last suffix tried for it.
    """
    key = canonical_name(name)
    candidate, n = name, taken.get(key, 1)
    while canonical_name(candidate) in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken[key] = n
    taken.setdefault(canonical_name(candidate), 1)
    return candidate


def _node_name(node: _NodeRec) -> str:
    """The name from the sysmap key, unless a label was edited since; else the labels, else the id."""
    ours = node.values.get("sysmap_name")
    label = node.values.get("label")
    ylabel = next((text for text in node.labels if text.strip()), None)
    if ours is not None and is_valid_name(ours):
        written = display_name(ours)
        edited = next(
            (c for c in (ylabel, label) if c is not None and c != written and is_valid_name(c)), None
        )
        return ours if edited is None else _tidy(edited)
    for candidate in (label, node.values.get("name"), ylabel, node.id):
        if candidate is not None and is_valid_name(candidate):
            return _tidy(candidate)
    return "node"


def _node_position(node: _NodeRec, warnings: _Warnings) -> Point | None:
    """The node's centre: yEd's geometry unless the plain ``x``/``y`` agree with it (exactly)."""
    where = f"node {node.id!r}"
    plain = None
    x = _coordinate(node.values.get("x"), f"{where}: x", warnings, node.line)
    y = _coordinate(node.values.get("y"), f"{where}: y", warnings, node.line)
    if x is not None and y is not None:
        plain = (x, y)
    geo = node.geometry
    if geo is None:
        return plain
    left = _coordinate(geo.get("x"), f"{where}: yEd x", warnings, node.line)
    top = _coordinate(geo.get("y"), f"{where}: yEd y", warnings, node.line)
    if left is None or top is None:
        return plain
    width, height = (_float(geo.get(k)) for k in ("width", "height"))
    width = width if width is not None and 0 <= width <= MAX_COORDINATE else 0.0
    height = height if height is not None and 0 <= height <= MAX_COORDINATE else 0.0
    centre = (left + width / 2, top + height / 2)
    # Written by sysmap and not moved since: the plain centre is exact, yEd's is rounded.
    if plain is not None and all(abs(a - b) <= 0.011 for a, b in zip(plain, centre, strict=True)):
        return plain
    return centre


def _layout(ids: list[str], pairs: list[tuple[str, str]], placed: dict[str, Point]) -> dict[str, Point]:
    """Positions for ``ids``: a spring layout if nothing is placed, else rows below the map."""
    positions: dict[str, Point] = {}
    if not ids:
        return positions
    if not placed and 1 < len(ids) < 500:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(ids)
        graph.add_edges_from((a, b) for a, b in pairs if a != b and a in graph and b in graph)
        raw = {
            nid: (float(x), float(y)) for nid, (x, y) in nx.spring_layout(graph, seed=1, weight=None).items()
        }
        scale = SPACING * math.sqrt(len(ids)) / 2
        closest = min(math.dist(p, q) for p, q in itertools.combinations(raw.values(), 2))
        if 0 < closest * scale < SPACING / 2:  # spread a crowded layout, within reason
            scale *= min(SPACING / 2 / (closest * scale), 3.0)
        for nid, (x, y) in raw.items():
            positions[nid] = (round(CENTRE[0] + x * scale, 1), round(CENTRE[1] + y * scale, 1))
    else:
        columns = max(1, math.ceil(math.sqrt(len(ids))))
        if placed:
            left = min(p[0] for p in placed.values())
            top = max(p[1] for p in placed.values()) + SPACING
        else:
            left = CENTRE[0] - SPACING * (columns - 1) / 2
            top = CENTRE[1] - SPACING * (math.ceil(len(ids) / columns) - 1) / 2
        for i, nid in enumerate(ids):
            row, column = divmod(i, columns)
            positions[nid] = (left + column * SPACING, top + row * SPACING)
    return _separate(positions, placed)


def _separate(new: dict[str, Point], placed: dict[str, Point], gap: float = SPACING / 2) -> dict[str, Point]:
    """``new`` moved right where needed so that no two nodes are closer than ``gap``."""
    cells: dict[tuple[int, int], list[Point]] = {}

    def crowded(p: Point) -> bool:
        cx, cy = math.floor(p[0] / gap), math.floor(p[1] / gap)
        near = (q for dx in (-1, 0, 1) for dy in (-1, 0, 1) for q in cells.get((cx + dx, cy + dy), ()))
        return any(math.dist(p, q) < gap for q in near)

    def occupy(p: Point) -> None:
        cells.setdefault((math.floor(p[0] / gap), math.floor(p[1] / gap)), []).append(p)

    for p in placed.values():
        occupy(p)
    moved = {}
    for nid, (x, y) in new.items():
        while crowded((x, y)):
            x += gap
        occupy((x, y))
        moved[nid] = (x, y)
    return moved


def _edge_polarity(edge: _EdgeRec, weights_signed: bool) -> tuple[Polarity, str]:
    """The link's polarity, and any label text that was not a polarity (kept as the note)."""
    note = ""
    label_polarity = None
    for text in edge.labels:
        polarity = parse_polarity(_DELAY_MARK.sub("", text))
        if polarity is not None and label_polarity is None:
            label_polarity = polarity
        elif polarity is None and not note and _tidy(_DELAY_MARK.sub("", text)):
            note = _tidy(text)
    plain_label = parse_polarity(edge.values.get("label"))
    if plain_label is None and not note and edge.values.get("label"):
        note = _tidy(edge.values["label"])
    ours = edge.values.get("sysmap_polarity")
    if ours is not None and ours.strip() in {p.value for p in Polarity}:
        polarity = Polarity(ours.strip())
        # A label edited in yEd or Gephi after sysmap wrote the file wins over the stale key.
        edited = next((p for p in (label_polarity, plain_label) if p is not None and p != polarity), None)
        return (polarity if edited is None else edited), ""
    candidates = [label_polarity, plain_label]
    candidates += [parse_polarity(edge.values.get(k)) for k in ("sign", "polarity")]
    if weights_signed:
        candidates.append(parse_polarity(edge.values.get("weight")))
    return next((p for p in candidates if p is not None), Polarity.NONE), note


def _curvature(edge: _EdgeRec, p0: Point, p1: Point) -> float:
    """The curvature a single yEd bend point gives a link between centres ``p0`` and ``p1``."""
    if len(edge.bends) != 1:
        return 0.0
    bx, by = (_float(v) for v in edge.bends[0])
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    chord2 = dx * dx + dy * dy
    if bx is None or by is None or chord2 < 1e-9:
        return 0.0
    mx, my = (p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2
    curvature = ((bx - mx) * dy - (by - my) * dx) / chord2
    return max(-1.0, min(1.0, round(curvature, 4)))


class _Builder:
    """Turns the records into edits for one new document, collecting warnings."""

    def __init__(self, graph: _GraphRec, warnings: _Warnings):
        self.graph = graph
        self.warnings = warnings
        self.ids = _Ids()
        self.var_ids: dict[str, str] = {}  # node id in the file -> variable id
        self.group_ids: dict[str, str] = {}  # node id of a yEd group -> group id
        self.element_ids: dict[str, str] = {}  # other ids in the file (edges, labels...) -> element id
        self.positions: dict[str, Point] = {}

    def build(self) -> tuple[SystemMap, list[tuple[str, Any]]]:
        g = self.graph
        values = g.values
        name = values.get("sysmap_map_name", values.get("name", values.get("label", "")))
        documentation = values.get("sysmap_map_documentation", values.get("description", ""))
        doc = SystemMap(name=name, documentation=documentation)

        variables = [n for n in g.nodes if not n.container]
        containers = [n for n in g.nodes if n.container]
        claimed = {n.id: self.ids.claim(n.id) for n in variables}
        skipped_flows = sum(not self._is_link(e) for e in g.edges)
        if skipped_flows:
            self.warnings.add(
                f"skipped {_count(skipped_flows, 'flow-to-stock edge')}: "
                "GraphML does not carry stock-and-flow structure, so flows are not attached to stocks"
            )
        group_nodes = {n.id for n in containers}
        links = [e for e in g.edges if self._is_link(e) and not {e.source, e.target} & group_nodes]
        if len(links) + skipped_flows < len(g.edges):
            n = len(g.edges) - len(links) - skipped_flows
            self.warnings.add(f"skipped {_count(n, 'edge')} to or from yEd groups")
        link_claims = [self.ids.claim(e.id) for e in links]
        for node in variables:
            self.var_ids[node.id] = claimed[node.id] or self.ids.fresh("v")

        edits: list[tuple[str, Any]] = []
        edits += self._variables(variables)
        edits += self._links(links, link_claims)
        edits += self._loop_labels(values.get("sysmap_loop_labels"))
        edits += self._notes(values.get("sysmap_notes"))
        edits += self._groups(values.get("sysmap_groups"), containers)
        return doc, edits

    @staticmethod
    def _is_link(edge: _EdgeRec) -> bool:
        return edge.values.get("sysmap_role", "link").strip() not in ("inflow", "outflow")

    def _remember(self, file_id: Any, eid: str) -> None:
        if isinstance(file_id, str):
            self.element_ids.setdefault(file_id, eid)

    def _variables(self, nodes: list[_NodeRec]) -> list[tuple[str, Any]]:
        warnings = self.warnings
        positions: dict[str, Point | None] = {n.id: _node_position(n, warnings) for n in nodes}
        if not self.graph.from_sysmap:
            # Tools that do not lay out (or Gephi before layout) put many nodes on one spot.
            spots: dict[Point, int] = {}
            for pos in positions.values():
                if pos is not None:
                    spots[pos] = spots.get(pos, 0) + 1
            stacked = [nid for nid, pos in positions.items() if pos is not None and spots[pos] > 1]
            if stacked:
                warnings.add(
                    f"{_count(len(stacked), 'node')} shared a position with another; laid them out again"
                )
            for nid in stacked:
                positions[nid] = None
        missing = [nid for nid, pos in positions.items() if pos is None]
        placed = {nid: pos for nid, pos in positions.items() if pos is not None}
        if missing and placed:
            warnings.add(f"{_count(len(missing), 'node')} had no usable position; placed below the map")
        pairs = [(e.source, e.target) for e in self.graph.edges]
        placed.update(_layout(missing, pairs, placed))
        self.positions = placed

        edits = []
        names: dict[str, int] = {}
        for node in nodes:
            v = node.values
            where = f"node {node.id!r}"
            name = _node_name(node)
            unique = _unique(name, names)
            if unique != name:
                warnings.add(
                    f"{where}: renamed {name!r} to {unique!r}, as another variable has that name", node.line
                )
            kind = Kind.CONCEPT
            if "sysmap_kind" in v:
                try:
                    kind = Kind(v["sysmap_kind"].strip())
                except ValueError:
                    warnings.add(
                        f"{where}: unknown kind {v['sysmap_kind'][:40]!r}, read as a concept", node.line
                    )
            tags: tuple[str, ...] = ()
            if "sysmap_tags" in v:
                tags = _strings(_json_value(v["sysmap_tags"], f"{where}: tags", warnings, node.line)) or ()
            size = None
            if "sysmap_size" in v:
                size = _point(_json_value(v["sysmap_size"], f"{where}: size", warnings, node.line))
                if size is not None and not (size[0] > 0 and size[1] > 0):
                    size = None
            documentation = v.get("sysmap_documentation", v.get("description", v.get("documentation", "")))
            var = Variable(
                id=self.var_ids[node.id],
                name=unique,
                kind=kind,
                equation=v.get("sysmap_equation", ""),
                units=v.get("sysmap_units", v.get("units", "")),
                documentation=documentation,
                position=self.positions[node.id],
                size=size,
                tags=tags,
            )
            edits.append((where, Insert(var)))
        return edits

    def _links(self, edges: list[_EdgeRec], claims: list[str | None]) -> list[tuple[str, Any]]:
        warnings = self.warnings
        # Gephi gives every edge a weight of 1: only weights of both signs are read as polarities.
        weights = {id(e): _float(e.values.get("weight")) for e in edges if "sysmap_polarity" not in e.values}
        weights_signed = any(w is not None and w < 0 for w in weights.values())
        unsigned = 0
        edits = []
        for edge, claim in zip(edges, claims, strict=True):
            v = edge.values
            where = f"edge {edge.id!r}" if edge.id else "edge"
            lid = claim or self.ids.fresh("k")
            self._remember(edge.id, lid)
            polarity, note = _edge_polarity(edge, weights_signed)
            weight = weights.get(id(edge))
            if polarity == Polarity.NONE and weight is not None and weight > 0:
                unsigned += 1
            delay_text = v.get("sysmap_delay", v.get("delay"))
            delay = _bool(delay_text)
            if delay is None:
                warnings.add(f"{where}: delay {delay_text[:20]!r} is not true or false", edge.line)  # type: ignore[index]
            if "sysmap_delay" not in v and any(_DELAY_MARK.search(text) for text in edge.labels):
                delay = True
            if "sysmap_curvature" in v:
                curvature = _float(v["sysmap_curvature"])
                if curvature is None:
                    bad = v["sysmap_curvature"][:40]
                    warnings.add(f"{where}: curvature {bad!r} is not a finite number", edge.line)
                    curvature = 0.0
            else:
                curvature = _curvature(edge, self.positions[edge.source], self.positions[edge.target])
            points: tuple[Point, ...] = ()
            if "sysmap_points" in v:
                raw = _json_value(v["sysmap_points"], f"{where}: points", warnings, edge.line)
                pts = [_point(p) for p in raw] if isinstance(raw, list) else [None]
                points = () if None in pts else tuple(p for p in pts if p is not None)
            elif "sysmap_polarity" not in v and len(edge.bends) > 1:
                bends = [(_float(x), _float(y)) for x, y in edge.bends]
                points = tuple((x, y) for x, y in bends if x is not None and y is not None)
            tags: tuple[str, ...] = ()
            if "sysmap_tags" in v:
                tags = _strings(_json_value(v["sysmap_tags"], f"{where}: tags", warnings, edge.line)) or ()
            link = Link(
                id=lid,
                source=self.var_ids[edge.source],
                target=self.var_ids[edge.target],
                polarity=polarity,
                delay=bool(delay),
                curvature=curvature,
                note=v.get("sysmap_note", note),
                tags=tags,
                points=points,
            )
            edits.append((where, Insert(link)))
        if unsigned:
            warnings.add(
                f"read the weights of {_count(unsigned, 'edge')} as strengths, not polarities, "
                "as no edge weight in the file is negative"
            )
        return edits

    def _records(self, text: str | None, what: str) -> list[dict]:
        data = _json_value(text, what, self.warnings)
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            self.warnings.add(f"ignored {what}: not a list of objects")
            return []
        return data

    def _loop_labels(self, text: str | None) -> list[tuple[str, Any]]:
        edits = []
        for i, data in enumerate(self._records(text, "the loop labels")):
            where = f"loop label {i + 1}"
            position = _point(data.get("position", [0, 0]))
            label_text, documentation = data.get("text"), data.get("documentation", "")
            loop = _strings(data.get("loop", []))
            try:
                direction = Direction(data.get("direction", Direction.CLOCKWISE.value))
            except (ValueError, TypeError):
                direction = None
            if (
                position is None
                or direction is None
                or loop is None
                or not isinstance(label_text, str)
                or not isinstance(documentation, str)
            ):
                self.warnings.add(f"ignored {where}: it is not a valid loop label")
                continue
            members = tuple(self.var_ids.get(vid, "") for vid in loop)
            if not all(members):
                self.warnings.add(
                    f"{where} ({label_text!r}): its loop names unknown variables; dropped the loop"
                )
                members = ()
            eid = self.ids.claim(data.get("id")) or self.ids.fresh("r")
            self._remember(data.get("id"), eid)
            label = LoopLabel(
                id=eid,
                text=label_text,
                position=position,
                direction=direction,
                loop=members,
                documentation=documentation,
            )
            edits.append((where, Insert(label)))
        return edits

    def _notes(self, text: str | None) -> list[tuple[str, Any]]:
        edits = []
        for i, data in enumerate(self._records(text, "the notes")):
            position = _point(data.get("position", [0, 0]))
            size = None if data.get("size") is None else _point(data["size"])
            note_text = data.get("text")
            if (
                position is None
                or not isinstance(note_text, str)
                or (data.get("size") is not None and size is None)
            ):
                self.warnings.add(f"ignored note {i + 1}: it is not a valid note")
                continue
            eid = self.ids.claim(data.get("id")) or self.ids.fresh("n")
            self._remember(data.get("id"), eid)
            edits.append(
                (f"note {i + 1}", Insert(Note(id=eid, text=note_text, position=position, size=size)))
            )
        return edits

    def _groups(self, text: str | None, containers: list[_NodeRec]) -> list[tuple[str, Any]]:
        groups: list[tuple[str, Group, list[str]]] = []
        for i, data in enumerate(self._records(text, "the groups")):
            members = _strings(data.get("members", []))
            name, documentation = data.get("name"), data.get("documentation", "")
            position = None if data.get("position") is None else _point(data["position"])
            size = None if data.get("size") is None else _point(data["size"])
            bad_box = (data.get("position") is not None and position is None) or (
                data.get("size") is not None and size is None
            )
            if members is None or not isinstance(name, str) or not isinstance(documentation, str) or bad_box:
                self.warnings.add(f"ignored group {i + 1}: it is not a valid group")
                continue
            eid = self.ids.claim(data.get("id")) or self.ids.fresh("g")
            self._remember(data.get("id"), eid)
            group = Group(id=eid, name=name, position=position, size=size, documentation=documentation)
            resolved = [self.var_ids.get(m) or self.element_ids.get(m) for m in members]
            if None in resolved:
                self.warnings.add(f"group {name!r}: left out members that are not in the file")
            groups.append((f"group {i + 1} ({name!r})", group, [m for m in resolved if m is not None]))
        for node in containers:
            self.group_ids[node.id] = self.ids.claim(node.id) or self.ids.fresh("g")
        for node in containers:
            members = [n.id for n in self.graph.nodes if n.parent == node.id]
            resolved = [self.var_ids.get(m) or self.group_ids[m] for m in members]
            group = Group(id=self.group_ids[node.id], name=_node_name(node))
            groups.append((f"yEd group {node.id!r}", group, resolved))

        # Members may be groups listed later: insert every group bare, then fill them in.
        edits: list[tuple[str, Any]] = [(where, Insert(group)) for where, group, _ in groups]
        for where, group, members in groups:
            members = [m for m in dict.fromkeys(members) if m != group.id]
            if members:
                edits.append((where, Replace(group, group.evolve(members=tuple(members)))))
        return edits


def _from_parsed(parsed: _xml.Parsed, path: str | os.PathLike) -> tuple[SystemMap, list[str]]:
    warnings = _Warnings(path, parsed.warnings)
    graph = _collect(parsed.root, path, warnings)
    doc, edits = _Builder(graph, warnings).build()
    with doc.batch():
        for where, edit in edits:
            try:
                edit.apply(doc)
            except ModelError as exc:  # the builder should prevent this; still no traceback
                raise FileFormatError(path, None, None, f"{where}: {exc}") from None
    return doc, warnings.summary()


def loads_with_warnings(data: bytes, path: str | os.PathLike = "<bytes>") -> tuple[SystemMap, list[str]]:
    """Build a document from GraphML ``data``; returns it with warnings about what was repaired.

    Raises :class:`FileFormatError` naming ``path`` (and the line, where known) for a file
    that is not GraphML or cannot be read as a map.
    """
    return _from_parsed(_xml.parse(data, path), path)


def loads(data: bytes, path: str | os.PathLike = "<bytes>") -> SystemMap:
    """Build a document from GraphML ``data``; see :func:`loads_with_warnings`.

    >>> doc = loads(b'<graphml><graph><node id="a"/><node id="b"/>'
    ...             b'<edge source="a" target="b"/></graph></graphml>')
    >>> [v.name for v in doc.variables.values()], len(doc.links)
    (['a', 'b'], 1)
    """
    return loads_with_warnings(data, path)[0]


def read_with_warnings(path: str | os.PathLike) -> tuple[SystemMap, list[str]]:
    """Read the GraphML file at ``path`` (from sysmap, yEd, Gephi or networkx), with warnings.

    Each warning is one line for the user: a repaired file, renamed duplicate names,
    ignored positions, flattened groups, skipped hyperedges or flow edges.
    """
    path = Path(path)
    return _from_parsed(_xml.read(path), path)


def read(path: str | os.PathLike) -> SystemMap:
    """Read the GraphML file at ``path``; see :func:`read_with_warnings`."""
    return read_with_warnings(path)[0]
