"""Read XMILE -- the files people actually have -- into a :class:`SystemMap`.

Two passes, as orange's scheme reader does: the XML is first read into plain records that
still refer to variables by name and remember their source line, then the records are
resolved into a document. Everything sysmap does not interpret is kept (see
:mod:`sysmap.io.xmile.keep`) for the writer to put back. Problems that do not stop the
model from loading become warnings naming the file and line.

Tolerated: the pre-OASIS namespace ``http://www.systemdynamics.org/XMILE`` (with
``<smile>`` for ``<options>``), Stella 10 "legacy" files (variables directly under
``<model>``, drawings in ``<display>``), undeclared ``isee:`` prefixes, Vensim's export
(rates written as auxiliaries and listed as inflows), whitespace and newlines in names.
"""

from __future__ import annotations

import collections
import copy
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sysmap.errors import FileFormatError, ModelError
from sysmap.io import _xml
from sysmap.io.xmile.geometry import curvature_from_angle
from sysmap.io.xmile.keep import REF, capture, fragment, references
from sysmap.io.xmile.names import (
    OLD_NS,
    XMILE_NS,
    sysmap_tag,
)
from sysmap.io.xmile.workshop import WORKSHOP, read_workshop
from sysmap.model import (
    NO_EXTRAS,
    Alias,
    ArrayElement,
    Behavior,
    Dimension,
    Direction,
    Extras,
    GraphicalFunction,
    Group,
    Kind,
    Link,
    LoopLabel,
    Note,
    Polarity,
    SimSpecs,
    SystemMap,
    UnitDefinition,
    Variable,
)
from sysmap.model.builtins import KNOWN_FUNCTIONS
from sysmap.model.edits import Insert, Replace, SetField
from sysmap.model.equation_text import function_calls
from sysmap.model.geometry import default_pipe
from sysmap.model.names import canonical_name

_KINDS = {"stock": Kind.STOCK, "flow": Kind.FLOW, "aux": Kind.AUX, "gf": Kind.AUX, "module": Kind.MODULE}
_VARIABLE_CHILDREN = {
    "eqn", "doc", "units", "inflow", "outflow", "non_negative", "gf", "dimensions", "element", "connect",
    "display",
}  # fmt: skip


#: tag -> x(tag): a file uses a few dozen distinct tags, looked up hundreds of thousands of times
_LOCAL_NAMES: dict = {}
_MAX_CACHED = 4096  # a hostile file with a million made-up tags does not grow the cache past this


def x(tag: object) -> str | None:
    """The local name of an element in the XMILE namespace (or no namespace), else ``None``.

    >>> x("{http://docs.oasis-open.org/xmile/ns/XMILE/v1.0}aux"), x("aux"), x("{urn:other}aux")
    ('aux', 'aux', None)
    """
    try:
        return _LOCAL_NAMES[tag]
    except KeyError:
        pass
    ns = _xml.namespace(tag)
    name = _xml.local(tag) if ns in (XMILE_NS, "") and isinstance(tag, str) else None
    if len(_LOCAL_NAMES) >= _MAX_CACHED:
        _LOCAL_NAMES.clear()
    _LOCAL_NAMES[tag] = name
    return name


class _ClarkTags(dict):
    """Local name -> Clark tag in the XMILE namespace, made on first use (names from this module)."""

    def __missing__(self, name: str) -> str:
        tag = self[name] = f"{{{XMILE_NS}}}{name}"
        return tag


_CLARK = _ClarkTags()


# _children and _child filter in lxml (C), which is right because parse() first moves every
# element of the old or no namespace into XMILE's: x(c.tag) == name is then c.tag == _CLARK[name].
def _children(element, name: str) -> list:
    return list(element.iterchildren(_CLARK[name]))


def _child(element, name: str):
    return next(element.iterchildren(_CLARK[name]), None)


#: name -> canonical_name(name): a model's names are looked up again and again. Emptied by
#: parse() and bounded, since files are untrusted.
_KEYS: dict[str, str] = {}
_MAX_KEYS = 65536


def _key(name: str) -> str:
    """``canonical_name(name)``, remembered for names of up to 256 characters."""
    key = _KEYS.get(name)
    if key is None:
        key = canonical_name(name)
        if len(name) <= 256:
            if len(_KEYS) >= _MAX_KEYS:
                _KEYS.clear()
            _KEYS[name] = key
    return key


def _parts(element) -> dict[str | None, list]:
    """``element``'s children by local name (see :func:`x`), each name's in document order: one
    pass, for an element whose children are looked up by many names."""
    parts: dict[str | None, list] = collections.defaultdict(list)
    for child in element:
        parts[x(child.tag)].append(child)
    return parts


def _first(parts: dict, name: str):
    found = parts.get(name)
    return found[0] if found else None


def _text(element) -> str:
    return "" if element is None else (element.text or "")


@dataclass
class _VariableRecord:
    element: etree._Element
    kind: Kind
    name: str
    equation: str = ""
    units: str = ""
    documentation: str = ""
    inflows: list[tuple[str, int]] = field(default_factory=list)
    outflows: list[tuple[str, int]] = field(default_factory=list)
    non_negative: bool | None = None
    graph: GraphicalFunction | None = None
    dimensions: tuple[str, ...] = ()
    elements: tuple[ArrayElement, ...] = ()
    connections: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    extra: Extras = NO_EXTRAS


@dataclass
class _Placement:
    element: etree._Element
    position: tuple[float, float] | None
    size: tuple[float, float] | None = None
    points: tuple[tuple[float, float], ...] = ()
    concept: bool = False
    view_extra: Extras = NO_EXTRAS


class _Reader:
    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.warnings: list[str] = []
        self.macros: set[str] = set()
        self.tables: set[str] = set()  # graphical functions, which equations may call (XMILE 4.1.3)

    def warn(self, element, message: str) -> None:
        line = getattr(element, "sourceline", None)
        self.warnings.append(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")

    def fail(self, element, message: str) -> FileFormatError:
        return FileFormatError(self.path, getattr(element, "sourceline", None), None, message)

    # -- numbers -------------------------------------------------------------------------------

    def number(self, element, text: str | None, what: str, default: float | None = None) -> float | None:
        if text is None or not text.strip():
            return default
        try:
            value = float(text.strip())
        except ValueError:
            self.warn(element, f"{what} is not a number ({text.strip()[:40]!r})")
            return default
        if not math.isfinite(value):
            self.warn(element, f"{what} is not a finite number ({text.strip()[:40]!r})")
            return default
        return value

    def point(self, element) -> tuple[float, float] | None:
        px = self.number(element, element.get("x"), "x")
        py = self.number(element, element.get("y"), "y")
        return None if px is None or py is None else (px, py)

    def size(self, element) -> tuple[float, float] | None:
        """An element's ``width`` and ``height``, or ``None`` unless it gives both."""
        width = self.number(element, element.get("width"), "width")
        height = self.number(element, element.get("height"), "height")
        return None if width is None or height is None else (width, height)

    def points(self, element) -> tuple[tuple[float, float], ...]:
        """The readable points of an element's ``<pts>`` (a pipe or a multi-point connector)."""
        pts = _child(element, "pts")
        if pts is None:
            return ()
        return tuple(p for p in (self.point(pt) for pt in _children(pts, "pt")) if p is not None)

    def numbers(self, element, what: str) -> tuple[float, ...]:
        sep = element.get("sep") or ","
        parts = [p for p in _text(element).replace("\n", " ").split(sep) if p.strip()]
        try:  # the usual case, all finite numbers, in one go (float() ignores surrounding spaces too)
            fast = tuple(map(float, parts))
        except ValueError:
            fast = None
        if fast is not None and all(map(math.isfinite, fast)):
            return fast
        values = []  # number by number, to warn about the first one that is not a finite number
        for part in parts:
            value = self.number(element, part, what)
            if value is None:
                return ()
            values.append(value)
        return tuple(values)

    # -- the file ---------------------------------------------------------------------------------

    def read(self, root) -> SystemMap:
        if x(root.tag) != "xmile":
            name = _xml.local(root.tag)
            if name == "xmile":
                ns = _xml.namespace(root.tag)
                raise self.fail(root, f"not an XMILE file (its <xmile> is in the namespace {ns!r})")
            raise self.fail(root, f"not an XMILE file (the root element is <{name}>)")
        header = _child(root, "header")
        models = _children(root, "model")
        if not models:
            raise self.fail(root, "the file holds no <model>")
        self.macros = {_key(m.get("name", "")) for m in _children(root, "macro")}
        main = next((m for m in models if not m.get("name")), models[0])
        known = {"header", "sim_specs", "model_units", "dimensions", "behavior", "model"}
        root_extra = capture(root, ("version",), known)
        units, kept_units = self.units(_child(root, "model_units"))
        fields = {
            "sim_specs": self.sim_specs(_child(root, "sim_specs")),
            "dimensions": self.dimensions(_child(root, "dimensions")),
            "units": units,
            "behavior": self.behavior(_child(root, "behavior")),
            "origin": self.origin(header),
        }
        extras = [("xmile", root_extra), ("model_units", kept_units)]
        name = ""
        if header is not None:
            name = _text(_child(header, "name")).strip()
            known_header = {"vendor", "product", "options", "smile", "name"}
            kept = capture(header, (), known_header)
            kept = Extras(kept.attributes, tuple(c for c in kept.children if not _is_origin(c)))
            extras.append(("header", kept))
            options = _child(header, "options")
            if options is None:
                options = _child(header, "smile")
            if options is not None:
                extras.append(("options", capture(options, ("namespace", "version"), _COMPUTED_OPTIONS)))
        submodels = tuple(self.model(m, m.get("name", ""), {}) for m in models if m is not main)
        self.check_module_cycles(models)
        doc = self.model(main, name, dict(fields, submodels=submodels))
        doc.apply(SetField("extras", doc.extras, tuple((p, e) for p, e in (*doc.extras, *extras) if e)))
        return doc

    def origin(self, header) -> str:
        if header is None:
            return ""
        for child in header:
            if child.tag == sysmap_tag("origin"):
                return (child.text or "").strip()
        product = _text(_child(header, "product")).strip() or _text(_child(header, "vendor")).strip()
        return "" if product == "sysmap" else product

    def sim_specs(self, element) -> SimSpecs:
        if element is None:
            return SimSpecs()
        start = self.number(element, _text(_child(element, "start")), "start time", 0.0)
        stop = self.number(element, _text(_child(element, "stop")), "stop time", 100.0)
        dt_element = _child(element, "dt")
        dt = self.number(element, _text(dt_element), "dt", 1.0)
        reciprocal = dt_element is not None and dt_element.get("reciprocal", "").lower() == "true"
        if reciprocal and dt:
            dt = 1.0 / dt
        save = element.get("{http://iseesystems.com/XMILE}save_interval")
        if save is None:
            save = _text(_child(element, "save_interval")) or None
        specs = SimSpecs(
            start=start,
            stop=stop,
            dt=dt,
            method=element.get("method", "euler"),
            time_units=element.get("time_units", ""),
            save_interval=self.number(element, save, "save interval"),
            dt_reciprocal=reciprocal,
            extra=capture(
                element,
                ("method", "time_units", "{http://iseesystems.com/XMILE}save_interval"),
                ("start", "stop", "dt", "save_interval"),
            ),
        )
        problem = specs.problem()
        if problem:
            self.warn(element, f"simulation specs: {problem}; using start 0, stop 100, dt 1")
            specs = specs.evolve(start=0.0, stop=100.0, dt=1.0, save_interval=None, dt_reciprocal=False)
        return specs

    def dimensions(self, element) -> tuple[Dimension, ...]:
        if element is None:
            return ()
        dims = []
        for dim in _children(element, "dim"):
            size = self.number(dim, dim.get("size"), "dimension size")
            dims.append(
                Dimension(
                    name=dim.get("name", ""),
                    elements=tuple(e.get("name", "") for e in _children(dim, "elem")),
                    size=int(size) if size is not None else None,
                    extra=capture(dim, ("name", "size"), ("elem",)),
                )
            )
        return tuple(dims)

    def units(self, element) -> tuple[tuple[UnitDefinition, ...], Extras]:
        """Declared units, and what the declarations hold that is not a named unit (kept)."""
        if element is None:
            return (), NO_EXTRAS
        units = []
        kept = []
        for unit in element:
            if not isinstance(unit.tag, str):
                continue
            if x(unit.tag) not in ("unit", "units") or not unit.get("name"):
                kept.append(fragment(unit))  # the spec requires a name; Stella 10 wrote some without
                continue
            units.append(
                UnitDefinition(
                    name=unit.get("name", ""),
                    equation=_text(_child(unit, "eqn")).strip(),
                    aliases=tuple(_text(a).strip() for a in _children(unit, "alias")),
                    extra=capture(unit, ("name",), ("eqn", "alias")),
                )
            )
        return tuple(units), Extras((), tuple(kept))

    def behavior(self, element) -> Behavior:
        if element is None:
            return Behavior()
        every = self.flag(_child(element, "non_negative"))
        stock = _child(element, "stock")
        flow = _child(element, "flow")
        stocks = self.flag(_child(stock, "non_negative")) if stock is not None else None
        flows = self.flag(_child(flow, "non_negative")) if flow is not None else None
        return Behavior(
            non_negative_stocks=stocks if stocks is not None else every,
            non_negative_flows=flows if flows is not None else every,
            extra=capture(element, (), ("non_negative", "stock", "flow")),
        )

    @staticmethod
    def flag(element) -> bool | None:
        """``<non_negative/>`` is true; ``<non_negative>false</non_negative>`` false; absent None."""
        if element is None:
            return None
        return (element.text or "").strip().lower() not in ("false", "0", "no")

    def check_module_cycles(self, models) -> None:
        def modules(model) -> set[str]:
            container = _child(model, "variables")
            container = model if container is None else container
            return {_key(m.get("name", "")) for m in _children(container, "module") if m.get("name")}

        uses = {_key(m.get("name", "")): modules(m) for m in models}
        visiting: set[str] = set()
        done: set[str] = set()

        def visit(name: str, trail: list[str]) -> None:
            if name in done or name not in uses:
                return
            if name in visiting:
                cycle = " -> ".join([*trail[trail.index(name) :], name])
                self.warn(models[0], f"modules refer to each other in a cycle: {cycle}")
                return
            visiting.add(name)
            for used in sorted(uses[name]):
                visit(used, [*trail, name])
            visiting.discard(name)
            done.add(name)

        for name in sorted(uses):
            visit(name, [])

    # -- one model ---------------------------------------------------------------------------------

    def model(self, element, name: str, fields: dict) -> SystemMap:
        variables_element = _child(element, "variables")
        legacy = variables_element is None
        container = element if legacy else variables_element
        _hoist_nested_variables(self, container)
        self.tables = {
            _key(c.get("name", ""))
            for c in container
            if x(c.tag) == "gf" or (x(c.tag) in _KINDS and _child(c, "gf") is not None)
        }
        records: list[_VariableRecord] = []
        groups: list[etree._Element] = []
        kept_variables: list[str] = []
        for child in container:
            tag = x(child.tag)
            if tag in _KINDS:
                record = self.variable(child, tag)
                if record is None:
                    kept_variables.append(fragment(child))
                else:
                    records.append(record)
            elif tag == "group":
                groups.append(child)
            elif not legacy and isinstance(child.tag, str):
                if tag is not None:
                    self.warn(child, f"<{tag}> does not belong in <variables>; kept as written")
                kept_variables.append(fragment(child))

        views = _child(element, "views")
        view = None
        # what <views> holds besides its first view (Stella's <style>, other views), in place
        before_view: list[str] = []
        after_view: list[str] = []
        if views is not None:
            view = _child(views, "view")
            kept = before_view if view is not None else after_view
            for child in views:
                if child is view:
                    kept = after_view
                elif isinstance(child.tag, str):
                    kept.append(fragment(child))
        elif legacy:
            view = _child(element, "display")
        known_model = {"variables", "views", sysmap_tag("doc"), WORKSHOP}
        if legacy:
            known_model |= set(_KINDS) | {"group", "display"}
        extras = [
            ("model", capture(element, ("name",), known_model)),
            ("variables", Extras((), tuple(kept_variables))),
        ]
        if views is not None:
            extras.append(("views_head", Extras((), tuple(before_view))))
            extras.append(("views", Extras(tuple(views.attrib.items()), tuple(after_view))))
        model_doc = next((c for c in element if c.tag == sysmap_tag("doc")), None)
        documentation = (model_doc.text or "").strip() if model_doc is not None else ""
        doc = SystemMap(name=name, documentation=documentation, **fields)
        builder = _Builder(self, doc, records, legacy)
        builder.build(view, groups)
        workshop = next(element.iterchildren(WORKSHOP), None)
        if workshop is not None:
            read_workshop(workshop, doc, lambda name: builder.ids.get(_key(name)), self.warn)
        extras.append(("view", builder.view_extra))
        doc.apply(SetField("extras", doc.extras, tuple((p, e) for p, e in extras if e)))
        return doc

    def variable(self, element, tag: str) -> _VariableRecord | None:
        name = element.get("name")
        if name is None or not _key(name):
            self.warn(element, f"a <{tag}> without a name is kept but not shown")
            return None
        record = _VariableRecord(element=element, kind=_KINDS[tag], name=name)
        parts = _parts(element)
        equations = parts.get("eqn", [])
        record.equation = _text(equations[0]).strip() if equations else ""
        doc = _first(parts, "doc")
        rich_doc = doc is not None and len(doc) > 0  # HTML markup: kept as written
        record.documentation = "" if rich_doc else _text(doc).strip()
        record.units = _text(_first(parts, "units")).strip()
        record.inflows = [(_text(e).strip(), e.sourceline) for e in parts.get("inflow", ())]
        record.outflows = [(_text(e).strip(), e.sourceline) for e in parts.get("outflow", ())]
        record.non_negative = self.flag(_first(parts, "non_negative"))
        if tag == "gf":  # a named lookup table: the graph's parts are the variable's children
            graph = self.graph(element)
            # the graph keeps only points it could not read; the rest belongs to the variable
            unread = () if graph.y_points else tuple(fragment(c) for c in element if x(c.tag) in _GRAPH_PARTS)
            record.graph = graph.evolve(extra=Extras((), unread))
        else:
            gf = _first(parts, "gf")
            record.graph = self.graph(gf) if gf is not None else None
        dims = _first(parts, "dimensions")
        if dims is not None:
            record.dimensions = tuple(d.get("name", "") for d in _children(dims, "dim"))
        record.elements = tuple(self.array_element(e) for e in parts.get("element", ()))
        record.connections = tuple((c.get("to", ""), c.get("from", "")) for c in parts.get("connect", ()))
        record.tags = _tags(element)
        known = _VARIABLE_CHILDREN - ({"doc"} if rich_doc else set())
        known_attributes = ("name",)
        if tag == "gf":
            known |= _GRAPH_PARTS
            known_attributes = ("name", "type")
        kept = capture(element, known_attributes, (*known, sysmap_tag("tags")))
        # A repeated <eqn> (Vensim's export of array elements) is kept as written.
        extra_eqns = tuple(fragment(e) for e in equations[1:])
        record.extra = (
            Extras(kept.attributes, extra_eqns + kept.children) if (kept or extra_eqns) else NO_EXTRAS
        )
        if record.equation.strip() == "???":
            self.warn(element, f"{record.name!r} has no equation: the converter could not translate it (???)")
        self.check_calls(element, record.name, record.equation)
        return record

    def check_calls(self, element, name: str, equation: str) -> None:
        if not equation:
            return
        unknown = sorted(
            f
            for f in function_calls(equation)
            if f not in KNOWN_FUNCTIONS and f not in self.macros and f not in self.tables
        )
        for call in unknown:
            self.warn(
                element,
                f"{name!r} calls {call!r}, which is neither a known function nor a macro in this file",
            )

    def graph(self, element) -> GraphicalFunction | None:
        ypts = _child(element, "ypts")
        xpts = _child(element, "xpts")
        xscale = _child(element, "xscale")
        yscale = _child(element, "yscale")
        y_points = self.numbers(ypts, "a y point") if ypts is not None else ()
        x_points = self.numbers(xpts, "an x point") if xpts is not None else None
        if not y_points:
            self.warn(element, "a graphical function without y points is kept as written")
            return GraphicalFunction(y_points=(), extra=capture(element, ("type", "name"), ()))
        if x_points is not None and len(x_points) != len(y_points):
            self.warn(
                element, f"a graphical function has {len(x_points)} x points but {len(y_points)} y points"
            )
        known = ("xpts", "ypts", "xscale", "yscale", *_VARIABLE_CHILDREN, sysmap_tag("tags"))
        return GraphicalFunction(
            y_points=y_points,
            x_points=x_points,
            x_scale=self.scale(xscale),
            y_scale=self.scale(yscale),
            kind=element.get("type", "continuous"),
            extra=capture(element, ("type", "name"), known),
        )

    def scale(self, element) -> tuple[float, float] | None:
        if element is None:
            return None
        lo = self.number(element, element.get("min"), "scale minimum", 0.0)
        hi = self.number(element, element.get("max"), "scale maximum", 0.0)
        return (lo, hi)

    def array_element(self, element) -> ArrayElement:
        gf = _child(element, "gf")
        return ArrayElement(
            subscript=element.get("subscript", ""),
            equation=_text(_child(element, "eqn")).strip(),
            graph=self.graph(gf) if gf is not None else None,
            extra=capture(element, ("subscript",), ("eqn", "gf")),
        )


_GRAPH_PARTS = {"xpts", "ypts", "xscale", "yscale"}
_COMPUTED_OPTIONS = {"uses_arrays", "uses_submodels", "uses_macros"}


def _tags(element) -> tuple[str, ...]:
    """The tags sysmap wrote on an element as ``<sysmap:tags><sysmap:tag>``."""
    holder = next((c for c in element if c.tag == sysmap_tag("tags")), None)
    if holder is None:
        return ()
    return tuple((t.text or "").strip() for t in holder if t.tag == sysmap_tag("tag"))


def _is_origin(text: str) -> bool:
    return text.startswith("<sysmap:origin")


class _Builder:
    """Turns the records of one model, and its view, into document elements."""

    def __init__(self, reader: _Reader, doc: SystemMap, records: list[_VariableRecord], legacy: bool):
        self.reader = reader
        self.doc = doc
        self.records = records
        self.legacy = legacy
        self.ids: dict[str, str] = {}  # canonical name -> variable id
        self.kinds: dict[str, Kind] = {}
        self.placements: dict[str, _Placement] = {}
        self.view_extra = NO_EXTRAS
        self.uid_count: collections.Counter[str] = collections.Counter()  # how many drawings have a uid
        self.drawn: dict[str, str] = {}  # the file's uid -> id, for the drawings read that have one

    def warn(self, element, message: str) -> None:
        self.reader.warn(element, message)

    def build(self, view, groups) -> None:
        doc = self.doc
        edits: list = []
        variables: dict[str, Variable] = {}
        for record in self.records:
            key = _key(record.name)
            name = record.name
            if key in self.ids:
                n = 2
                while _key(f"{record.name} ({n})") in self.ids:
                    n += 1
                name = f"{record.name} ({n})"
                self.warn(record.element, f"a second variable named {record.name!r} is renamed {name!r}")
                key = _key(name)
            vid = doc.new_id("v")
            self.ids[key] = vid
            self.kinds[vid] = record.kind
            variables[vid] = Variable(
                id=vid,
                name=name,
                kind=record.kind,
                equation=record.equation,
                units=record.units,
                documentation=record.documentation,
                tags=record.tags,
                non_negative=record.non_negative,
                dimensions=record.dimensions,
                elements=record.elements,
                graph=record.graph,
                connections=record.connections,
                extra=record.extra,
            )
        if self.legacy:
            for record, vid in zip(self.records, variables, strict=True):
                display = _child(record.element, "display")
                if display is not None:
                    self.place(display, vid, record.kind)
        view_items = self.read_view(view)
        # stocks name their flows; attach them once every variable exists
        for record, vid in zip(self.records, variables, strict=True):
            if record.kind != Kind.STOCK:
                continue
            inflows = self.flow_ids(record, record.inflows, "inflow")
            outflows = self.flow_ids(record, record.outflows, "outflow")
            variables[vid] = variables[vid].evolve(inflows=inflows, outflows=outflows)
        self.apply_placements(variables)
        self.route_pipes(variables)
        for var in variables.values():
            # variables are frozen: one without flows is inserted as it is, not copied
            edits.append(Insert(var.evolve(inflows=(), outflows=()) if var.inflows or var.outflows else var))
        for var in variables.values():
            if var.inflows or var.outflows:
                edits.append(Replace(var.evolve(inflows=(), outflows=()), var))
        edits.extend(Insert(item) for item in self.resolve_view(view_items, variables))
        edits.extend(Insert(group) for group in self.groups(groups, view_items))
        with doc.batch():
            for edit in edits:
                try:
                    edit.apply(doc)
                except ModelError as exc:  # a bug or a file we misread: say where
                    raise FileFormatError(self.reader.path, None, None, str(exc)) from None

    def flow_ids(self, record: _VariableRecord, names, what: str) -> tuple[str, ...]:
        ids = []
        for name, line in names:
            vid = self.ids.get(_key(name))
            if vid is None:
                self.reader.warnings.append(
                    f"{self.reader.path}:{line}: stock {record.name!r} lists unknown {what} {name!r}; dropped"
                )
            elif vid not in ids:
                ids.append(vid)
        return tuple(ids)

    # -- the view -----------------------------------------------------------------------------------

    def place(self, element, vid: str, kind: Kind) -> None:
        if vid in self.placements:
            raise _Keep
        position = self.reader.point(element)
        size = self.reader.size(element)
        if position is not None and size is not None and _child(element, "shape") is None:
            # with an explicit size, x and y are the top-left corner (XMILE 5.1.2)
            position = _centre(position, size)
        points = self.reader.points(element)
        shape = _child(element, "shape")
        concept = kind == Kind.AUX and shape is not None and shape.get("type") == "name_only"
        known_children = {"pts"} | ({"shape"} if concept else set())
        self.placements[vid] = _Placement(
            element=element,
            position=position,
            size=size,
            points=points,
            concept=concept,
            view_extra=capture(element, ("name", "x", "y", "width", "height"), known_children),
        )

    def read_view(self, view) -> list:
        """Placements of variables, and the other view items as (tag, element) pairs."""
        items: list = []
        if view is None:
            return items
        kept: list[str] = []
        self.uid_count.update(child.get("uid") for child in view if child.get("uid") is not None)
        for child in view:
            tag = x(child.tag)
            if tag in _KINDS and child.get("name") is not None:
                vid = self.ids.get(_key(child.get("name", "")))
                if vid is None:
                    self.warn(
                        child, f"the drawing of unknown variable {child.get('name')!r} is kept as written"
                    )
                    kept.append(self.kept(child))
                    continue
                try:
                    self.place(child, vid, self.kinds[vid])
                except _Keep:
                    kept.append(self.kept(child))
            elif tag in ("connector", "alias", "text_box", "group") or child.tag == sysmap_tag("loop_label"):
                items.append((tag or "loop_label", child))
            elif isinstance(child.tag, str):
                kept.append(self.kept(child))
        self.kept_view = kept
        self.view_extra = Extras(tuple(view.attrib.items()), tuple(kept))
        return items

    @staticmethod
    def route_pipes(variables: dict[str, Variable]) -> None:
        """Forget pipes that run the default route (the model's empty ``points``), so that
        the route the writer must spell out for them reads back as the default."""
        sources: dict[str, Variable] = {}
        sinks: dict[str, Variable] = {}
        for var in variables.values():
            for fid in var.outflows:
                sources.setdefault(fid, var)
            for fid in var.inflows:
                sinks.setdefault(fid, var)
        for vid, var in variables.items():
            default = default_pipe(var.position, sources.get(vid), sinks.get(vid))
            if var.kind == Kind.FLOW and var.points == default:
                variables[vid] = var.evolve(points=())

    def apply_placements(self, variables: dict[str, Variable]) -> None:
        placed = [p.position for p in self.placements.values() if p.position is not None]
        bottom = max((y for _, y in placed), default=0.0)
        unplaced = 0
        for vid, var in variables.items():
            placement = self.placements.get(vid)
            if placement is None or placement.position is None:
                # not drawn in the file: lay it out on a grid below the drawing
                col, row = unplaced % 6, unplaced // 6
                position = (100.0 + 170.0 * col, bottom + (150.0 if placed else 100.0) + 100.0 * row)
                unplaced += 1
                if placement is None:
                    variables[vid] = var.evolve(position=position)
                    continue
            else:
                position = placement.position
            kind = Kind.CONCEPT if placement.concept else var.kind
            variables[vid] = var.evolve(
                position=position,
                size=placement.size,
                points=placement.points,
                kind=kind,
                view_extra=placement.view_extra,
            )

    def resolve_view(self, items, variables: dict[str, Variable]) -> list:
        out: list = []
        alias_ids: dict[str, Alias] = {}  # by the file's uid
        for tag, element in items:
            if tag == "alias":
                alias = self.alias(element)
                if alias is not None:
                    alias_ids[element.get("uid", "")] = alias
                    self.remember(element, alias.id)
                    out.append(alias)
        positions = {vid: v.position for vid, v in variables.items()}
        positions.update({a.id: a.position for a in out})
        # kind by kind, in the order the writer writes them, so that ids survive a round trip
        for kind in ("connector", "text_box", "loop_label"):
            for tag, element in items:
                if tag != kind:
                    continue
                if tag == "connector":
                    made = self.connector(element, alias_ids, positions, out)
                elif tag == "text_box":
                    made = self.text_box(element)
                else:
                    made = self.loop_label(element)
                if made is not None:
                    self.remember(element, made.id)
                    out.append(made)
        return out

    def remember(self, element, eid: str) -> None:
        """Note that the drawing ``element`` was read as the document's ``eid``, so that kept
        drawings referring to its uid can follow it when the writer renumbers (a uid that
        several drawings share names none of them)."""
        uid = element.get("uid")
        if uid is not None and self.uid_count[uid] == 1:
            self.drawn[uid] = eid

    def keep(self, element) -> None:
        self.view_extra = Extras(self.view_extra.attributes, (*self.view_extra.children, self.kept(element)))

    def kept(self, element) -> str:
        """The text of a drawing kept as written, except that its references to drawings
        sysmap read (the alias a kept connector starts or ends at, a kept group's items) name
        them by document id (:data:`~sysmap.io.xmile.keep.REF`) instead of by the file's uid,
        for the writer to give them the uids it numbers those drawings with."""
        if not any(True for _ in references(element)):
            return fragment(element)
        element = copy.deepcopy(element)
        for node in references(element):
            if node.get(REF) is not None:
                self.warn(node, "a sysmap:ref attribute is for sysmap's own use, not for files; dropped")
                del node.attrib[REF]
            eid = self.drawn.get(node.get("uid", ""))
            if eid is not None:
                del node.attrib["uid"]
                node.set(REF, eid)
        return fragment(element)

    def alias(self, element) -> Alias | None:
        of = _text(_child(element, "of")).strip()
        vid = self.ids.get(_key(of))
        position = self.reader.point(element)
        if vid is None or position is None:
            self.warn(element, f"an alias of unknown variable {of!r} is kept as written")
            self.keep(element)
            return None
        return Alias(
            id=self.doc.new_id("a"),
            of=vid,
            position=position,
            view_extra=capture(element, ("uid", "x", "y"), ("of",)),
        )

    def connector(self, element, alias_ids, positions, made) -> Link | None:
        source_element = _child(element, "from")
        target_name = _text(_child(element, "to")).strip()
        alias = None
        if source_element is not None and _child(source_element, "alias") is not None:
            found = alias_ids.get(_child(source_element, "alias").get("uid", ""))
            alias, source = (found.id, found.of) if found is not None else (None, None)
        else:
            source = self.ids.get(_key(_text(source_element).strip()))
        target = self.ids.get(_key(target_name))
        if source is None or target is None:
            what = _text(source_element).strip() or "an alias"
            self.warn(
                element,
                f"a connector from {what!r} to {target_name!r} joins no two variables; kept as written",
            )
            self.keep(element)
            return None
        polarity = _polarity(element.get("polarity"), element.get(sysmap_tag("polarity")))
        angle = self.reader.number(element, element.get("angle"), "connector angle")
        start = positions[alias] if alias else positions[source]
        curvature = (
            0.0
            if angle is None or source == target
            else curvature_from_angle(start, positions[target], angle)
        )
        points = self.reader.points(element)
        note_el = next((c for c in element if c.tag == sysmap_tag("note")), None)
        kept = capture(
            element,
            ("uid", "angle", "polarity", "delay_mark", sysmap_tag("polarity")),
            ("from", "to", "pts", sysmap_tag("note"), sysmap_tag("tags")),
        )
        return Link(
            id=self.doc.new_id("k"),
            source=source,
            target=target,
            polarity=polarity,
            delay=element.get("delay_mark", "").lower() == "true",
            curvature=curvature,
            note=(note_el.text or "").strip() if note_el is not None else "",
            tags=_tags(element),
            alias=alias,
            points=points,
            view_extra=kept,
        )

    def text_box(self, element) -> Note:
        position = self.reader.point(element) or (0.0, 0.0)
        size = self.reader.size(element)
        if size is not None:
            position = _centre(position, size)
        return Note(
            id=self.doc.new_id("n"),
            text=(element.text or "").strip(),
            position=position,
            size=size,
            view_extra=capture(element, ("uid", "x", "y", "width", "height"), ()),
        )

    def loop_label(self, element) -> LoopLabel:
        members = []
        for member in element:
            if member.tag == sysmap_tag("member"):
                vid = self.ids.get(_key((member.text or "").strip()))
                if vid is None:
                    name = (member.text or "").strip()
                    self.warn(member, f"loop label lists unknown variable {name!r}; dropped")
                else:
                    members.append(vid)
        doc_el = next((c for c in element if c.tag == sysmap_tag("doc")), None)
        direction = element.get("direction", "clockwise")
        if direction not in ("clockwise", "anticlockwise"):
            self.warn(element, f"loop label direction {direction!r} is not clockwise or anticlockwise")
            direction = "clockwise"
        return LoopLabel(
            id=self.doc.new_id("r"),
            text=element.get("text", ""),
            position=self.reader.point(element) or (0.0, 0.0),
            direction=Direction(direction),
            loop=tuple(members),
            documentation=(doc_el.text or "").strip() if doc_el is not None else "",
            view_extra=capture(
                element,
                ("uid", "text", "x", "y", "direction"),
                (sysmap_tag("member"), sysmap_tag("doc")),
            ),
        )

    def groups(self, groups, view_items) -> list[Group]:
        drawn = {_key(el.get("name", "")): el for tag, el in view_items if tag == "group" and el.get("name")}
        out = []
        for element in groups:
            name = element.get("name", "")
            members = []
            for entity in _children(element, "entity"):
                vid = self.ids.get(_key(entity.get("name", "")))
                if vid is None:
                    self.warn(
                        entity, f"group {name!r} lists unknown variable {entity.get('name')!r}; dropped"
                    )
                elif vid not in members:
                    members.append(vid)
            view = drawn.pop(_key(name), None)
            position = size = None
            view_extra = NO_EXTRAS
            if view is not None:
                position = self.reader.point(view)
            if view is not None and position is None:
                self.keep(view)  # a drawing we cannot place is kept as written
            elif view is not None:
                size = self.reader.size(view)
                if size is not None:
                    position = _centre(position, size)
                view_extra = capture(view, ("name", "x", "y", "width", "height", "uid"), ("item",))
            out.append(
                Group(
                    id=self.doc.new_id("g"),
                    name=name,
                    members=tuple(members),
                    position=position,
                    size=size,
                    documentation=_text(_child(element, "doc")).strip(),
                    extra=capture(element, ("name",), ("entity", "doc")),
                    view_extra=view_extra,
                )
            )
        for element in drawn.values():
            self.keep(element)
        return out


def _centre(corner: tuple[float, float], size: tuple[float, float]) -> tuple[float, float]:
    """The centre of a box given by its top-left corner, on the 1e-6 grid positions live on,
    so that writing the corner back and reading it again gives the same centre."""
    return (round(corner[0] + size[0] / 2, 6), round(corner[1] + size[1] / 2, 6))


class _Keep(Exception):
    """A second drawing of a variable already placed: kept as written."""


_VARIABLE_KINDS = ("stock", "flow", "aux", "module")
_NESTED_TAGS = tuple(f"{{{XMILE_NS}}}{kind}" for kind in _VARIABLE_KINDS)


def _hoist_nested_variables(reader: _Reader, container) -> None:
    """Move variables that a repaired file left inside another variable back into ``container``.

    libxml2 repairs an unclosed ``<flow>`` by closing it at the end of ``<variables>``, so the
    variables after it end up inside it; XMILE never nests variables, so they are put back
    after the variable that swallowed them.
    """
    queue = collections.deque(container)  # a worklist: indexing lxml children is linear
    while queue:
        element = queue.popleft()
        if x(element.tag) not in _KINDS:
            continue
        if next(element.iterdescendants(_NESTED_TAGS), None) is None:
            continue  # the usual case: nothing to hoist, found without walking the subtree in Python
        nested = []
        stack = list(element)
        while stack:
            child = stack.pop(0)
            if x(child.tag) in _VARIABLE_KINDS:
                nested.append(child)
            elif x(child.tag) is not None:
                stack[:0] = list(child)
        for child in nested:
            reader.warn(
                child,
                f"<{x(child.tag)}> {child.get('name', '')!r} was inside <{x(element.tag)}> "
                f"{element.get('name', '')!r} (an unclosed tag?); read as a variable of the model",
            )
        for child in reversed(nested):
            element.addnext(child)
        queue.extendleft(reversed(nested))


def _polarity(value: str | None, ours: str | None) -> Polarity:
    if ours == "?":
        return Polarity.UNKNOWN
    value = (value or "").strip().lower()
    if value in ("+", "positive", "pos", "s"):
        return Polarity.POSITIVE
    if value in ("-", "\u2212", "negative", "neg", "o"):
        return Polarity.NEGATIVE
    if value in ("?", "unknown"):
        return Polarity.UNKNOWN
    return Polarity.NONE


def _drop_unnamed(root, path) -> list[str]:
    """Remove elements and attributes whose name kept an undeclared prefix (``isee:prefs`` with
    no ``xmlns:isee``, left so by lxml's recovery from damaged XML): nothing valid is named so."""
    warnings = []
    for element in list(root.iter("{}*")):
        parent = element.getparent()
        if ":" in element.tag and parent is not None:
            where = f"{path}:{element.sourceline}"
            warnings.append(f"{where}: left out <{element.tag}>: its prefix is not declared")
            parent.remove(element)
    for element in root.iter():
        for name in [n for n in element.attrib if ":" in n and not n.startswith("{")]:
            where = f"{path}:{element.sourceline}"
            warnings.append(f"{where}: left out the attribute {name}: its prefix is not declared")
            del element.attrib[name]
    return warnings


def _normalise_namespaces(root) -> None:
    """Move elements of the pre-OASIS (or no) namespace into the XMILE 1.0 namespace."""
    # "{}*" selects elements of no namespace; lxml filters in C, and most files have none to move
    for element in list(root.iter(f"{{{OLD_NS}}}*", "{}*")):
        element.tag = f"{{{XMILE_NS}}}{_xml.local(element.tag)}"


def parse(data: bytes, path: str | os.PathLike = "<string>") -> tuple[SystemMap, list[str]]:
    """Build a document from XMILE bytes; returns it with the warnings met on the way."""
    parsed = _xml.parse(data, path)
    _KEYS.clear()  # names of an earlier file are of no more use
    dropped = _drop_unnamed(parsed.root, path)
    _normalise_namespaces(parsed.root)
    reader = _Reader(path)
    reader.warnings.extend(parsed.warnings)
    reader.warnings.extend(dropped)
    doc = reader.read(parsed.root)
    return doc, reader.warnings


def read_with_warnings(path: str | os.PathLike) -> tuple[SystemMap, list[str]]:
    """Read the XMILE file at ``path``; returns the document and the warnings."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > _xml.MAX_BYTES:
            raise FileFormatError(path, None, None, f"file too large ({size} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, None, None, exc.strerror or str(exc)) from None
    return parse(data, path)
