"""Write a :class:`SystemMap` as canonical XMILE 1.0.

Canonical: the same document always gives the same bytes -- elements in document order,
attributes in a fixed order, numbers in their shortest exact form, uids numbered afresh in
view order -- so saving an unchanged map twice gives identical files and a one-variable
change gives a small diff. Everything the reader kept without interpreting is written back
where it came from, its references to drawings sysmap renumbered (the alias a kept connector
starts or ends at) pointed at their new uids. sysmap's own additions (loop labels, tags, link
notes, the model's origin) live in the ``sysmap:`` namespace, never as invented XMILE attributes.
"""

from __future__ import annotations

import itertools
import math
import re

from lxml import etree

from sysmap import __version__
from sysmap.io.xmile.geometry import angle_from_curvature
from sysmap.io.xmile.keep import REF, parse_fragment, references, replay
from sysmap.io.xmile.names import ISEE_NS, NSMAP, SYSMAP_NS, XMILE_NS, sysmap_tag, tag
from sysmap.io.xmile.workshop import write_workshop
from sysmap.model import (
    Alias,
    ArrayElement,
    Extras,
    GraphicalFunction,
    Kind,
    Link,
    LoopLabel,
    Note,
    Polarity,
    SystemMap,
    Variable,
)
from sysmap.model.geometry import default_pipe
from sysmap.model.names import equation_form

_TAGS = {Kind.STOCK: "stock", Kind.FLOW: "flow", Kind.AUX: "aux", Kind.CONCEPT: "aux", Kind.MODULE: "module"}


def number(value: float) -> str:
    """The shortest text that reads back as exactly ``value``.

    >>> number(50.0), number(0.125), number(1e-07)
    ('50', '0.125', '1e-07')
    """
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _sub(parent, local: str, text: str | None = None, /, **attributes: str):
    element = etree.SubElement(parent, tag(local), attributes)
    if text is not None:
        element.text = text
    return element


def _sysmap(parent, local: str, text: str | None = None, /, **attributes: str):
    element = etree.SubElement(parent, sysmap_tag(local), attributes)
    if text is not None:
        element.text = text
    return element


def _write_points(element, points) -> None:
    """A pipe's or connector's points as ``<pts><pt x y/>...``, if there are any."""
    if points:
        pts = _sub(element, "pts")
        for px, py in points:
            _sub(pts, "pt", x=number(px), y=number(py))


def _write_tags(element, tags) -> None:
    """Tags as ``<sysmap:tags><sysmap:tag>...``, if there are any."""
    if tags:
        holder = _sysmap(element, "tags")
        for t in tags:
            _sysmap(holder, "tag", t)


def _place(element, position, size=None, *, centre: bool = True) -> None:
    """Write x, y (and width, height); with a size, XMILE's x, y are the top-left corner."""
    px, py = position
    if size is not None and not centre:
        px, py = px - size[0] / 2, py - size[1] / 2
    element.set("x", number(px))
    element.set("y", number(py))
    if size is not None:
        element.set("width", number(size[0]))
        element.set("height", number(size[1]))


class _Writer:
    def __init__(self, doc: SystemMap):
        self.doc = doc

    def document(self) -> etree._Element:
        doc = self.doc
        root = etree.Element(tag("xmile"), {"version": "1.0"}, nsmap=NSMAP)
        kept = doc.extra("xmile")
        for name, value in kept.attributes:
            root.set(name, value)
        self.header(root)
        self.sim_specs(root)
        self.units(root)
        self.dimensions(root)
        self.behavior(root)
        for text in kept.children:  # prefs, styles, macros... in their original order
            replay(root, Extras((), (text,)))
        root.append(self.model(doc, None))
        for sub in doc.submodels:
            root.append(self.model(sub, sub.name))
        return root

    def header(self, root) -> None:
        doc = self.doc
        header = _sub(root, "header")
        options = _sub(header, "options", namespace="std")  # dumps() adds isee when used
        dims = max((len(v.dimensions) for v in self._all_variables()), default=0)
        if dims:
            _sub(options, "uses_arrays", maximum_dimensions=str(dims))
        if doc.submodels or any(v.kind == Kind.MODULE for v in doc.variables.values()):
            _sub(options, "uses_submodels")
        if any(text.startswith("<macro") for text in doc.extra("xmile").children):
            _sub(options, "uses_macros")
        replay(options, doc.extra("options"))
        _sub(header, "vendor", "sysmap")
        _sub(header, "product", "sysmap", version=__version__, lang="en")
        if doc.name:
            _sub(header, "name", doc.name)
        if doc.origin:
            _sysmap(header, "origin", doc.origin)
        replay(header, doc.extra("header"))

    def _all_variables(self):
        yield from self.doc.variables.values()
        for sub in self.doc.submodels:
            yield from sub.variables.values()

    def sim_specs(self, root) -> None:
        specs = self.doc.sim_specs
        element = _sub(root, "sim_specs")
        element.set("method", specs.method)
        if specs.time_units:
            element.set("time_units", specs.time_units)
        if specs.save_interval is not None:
            element.set(f"{{{ISEE_NS}}}save_interval", number(specs.save_interval))
        for name, value in specs.extra.attributes:
            element.set(name, value)
        _sub(element, "start", number(specs.start))
        _sub(element, "stop", number(specs.stop))
        if specs.dt_reciprocal:
            # an integer when one gives dt back exactly (1 / (1 / 49) is 49.00000000000001)
            steps = round(1.0 / specs.dt)
            exact = steps != 0 and 1.0 / steps == specs.dt
            _sub(element, "dt", str(steps) if exact else number(1.0 / specs.dt), reciprocal="true")
        else:
            _sub(element, "dt", number(specs.dt))
        replay(element, Extras((), specs.extra.children))

    def units(self, root) -> None:
        kept = self.doc.extra("model_units")
        if not self.doc.units and not kept:
            return
        element = _sub(root, "model_units")
        replay(element, kept)
        for unit in self.doc.units:
            u = _sub(element, "unit", name=unit.name)
            if unit.equation:
                _sub(u, "eqn", unit.equation)
            for alias in unit.aliases:
                _sub(u, "alias", alias)
            replay(u, unit.extra)

    def dimensions(self, root) -> None:
        if not self.doc.dimensions:
            return
        element = _sub(root, "dimensions")
        for dim in self.doc.dimensions:
            d = _sub(element, "dim", name=dim.name)
            if dim.size is not None:
                d.set("size", str(dim.size))
            for name in dim.elements:
                _sub(d, "elem", name=name)
            replay(d, dim.extra)

    def behavior(self, root) -> None:
        b = self.doc.behavior
        if b.non_negative_stocks is None and b.non_negative_flows is None and not b.extra:
            return
        element = _sub(root, "behavior")
        if b.non_negative_stocks is not None and b.non_negative_stocks == b.non_negative_flows:
            _flag(element, b.non_negative_stocks)
        else:
            for name, value in (("stock", b.non_negative_stocks), ("flow", b.non_negative_flows)):
                if value is not None:
                    _flag(_sub(element, name), value)
        replay(element, b.extra)

    # -- a model --------------------------------------------------------------------------------

    def model(self, doc: SystemMap, name: str | None) -> etree._Element:
        model = etree.Element(tag("model"))
        if name:
            model.set("name", name)
        kept = doc.extra("model")
        for attr, value in kept.attributes:
            model.set(attr, value)
        if doc.documentation:  # XMILE has no place for a model's documentation
            _sysmap(model, "doc", doc.documentation)
        variables = _sub(model, "variables")
        # references to variables are written as equations name them (Stella's practice;
        # PySD reads nothing else); a variable's own name attribute keeps its spelling
        names = {vid: equation_form(v.name) for vid, v in doc.variables.items()}
        for var in doc.variables.values():
            variables.append(self.variable(var, names))
        groups = list(doc.groups.values())
        for group in groups:
            g = _sub(variables, "group", name=group.name)
            if group.documentation:
                _sub(g, "doc", group.documentation)
            for member in group.members:
                if member in names:
                    _sub(g, "entity", name=names[member])
            replay(g, group.extra)
        replay(variables, doc.extra("variables"))
        views = _sub(model, "views")
        for attr, value in doc.extra("views").attributes:
            views.set(attr, value)
        replay(views, doc.extra("views_head"))  # what came before the first view (Stella's <style>)
        views.append(self.view(doc, names))
        replay(views, Extras((), doc.extra("views").children))
        workshop = write_workshop(doc, names)
        if workshop is not None:
            model.append(workshop)
        replay(model, Extras((), kept.children))
        return model

    def variable(self, var: Variable, names: dict[str, str]) -> etree._Element:
        if _is_lookup_table(var):
            # a named graphical function (XMILE 4.1.3): the table's parts are its children
            element = self.graph(var.graph)
            element.set("name", var.name)
            for attr, value in var.extra.attributes:
                element.set(attr, value)
            self._annotations(element, var)
            return element
        element = etree.Element(tag(_TAGS[var.kind]), name=var.name)
        for attr, value in var.extra.attributes:
            element.set(attr, value)
        # an empty first <eqn> is written when more were kept (Vensim's array exports)
        if var.equation or any(text.startswith("<eqn") for text in var.extra.children):
            _sub(element, "eqn", var.equation)
        for fid in var.inflows:
            _sub(element, "inflow", names[fid])
        for fid in var.outflows:
            _sub(element, "outflow", names[fid])
        if var.non_negative is not None:
            _flag(element, var.non_negative)
        if var.dimensions:
            dims = _sub(element, "dimensions")
            for dim in var.dimensions:
                _sub(dims, "dim", name=dim)
        for item in var.elements:
            element.append(self.array_element(item))
        if var.graph is not None:
            element.append(self.graph(var.graph))
        for to, source in var.connections:
            _sub(element, "connect", to=to, **{"from": source})
        self._annotations(element, var)
        return element

    @staticmethod
    def _annotations(element, var: Variable) -> None:
        """Units, documentation, tags and the kept children, after the equation parts."""
        if var.units:
            _sub(element, "units", var.units)
        if var.documentation:
            _sub(element, "doc", var.documentation)
        _write_tags(element, var.tags)
        replay(element, Extras((), var.extra.children))

    def array_element(self, item: ArrayElement) -> etree._Element:
        element = etree.Element(tag("element"), subscript=item.subscript)
        if item.equation:
            _sub(element, "eqn", item.equation)
        if item.graph is not None:
            element.append(self.graph(item.graph))
        replay(element, item.extra)
        return element

    def graph(self, gf: GraphicalFunction) -> etree._Element:
        element = etree.Element(tag("gf"))
        if gf.kind != "continuous":
            element.set("type", gf.kind)
        for attr, value in gf.extra.attributes:
            element.set(attr, value)
        for name, scale in (("xscale", gf.x_scale), ("yscale", gf.y_scale)):
            if scale is not None:
                _sub(element, name, min=number(scale[0]), max=number(scale[1]))
        if gf.x_points is not None:
            _sub(element, "xpts", ",".join(number(v) for v in gf.x_points))
        if gf.y_points:  # none: the reader kept the unreadable points as written
            _sub(element, "ypts", ",".join(number(v) for v in gf.y_points))
        replay(element, Extras((), gf.extra.children))
        return element

    # -- the view -------------------------------------------------------------------------------

    def view(self, doc: SystemMap, names: dict[str, str]) -> etree._Element:
        view = etree.Element(tag("view"))
        kept = doc.extra("view")
        for attr, value in kept.attributes:
            view.set(attr, value)
        uids = _Uids(_kept_uids(doc))
        for var in doc.variables.values():
            view.append(self.placement(doc, var))
        for alias in doc.aliases.values():
            view.append(self.alias(alias, names, uids))
        positions = {vid: v.position for vid, v in doc.variables.items()}
        positions.update({a.id: a.position for a in doc.aliases.values()})
        for link in doc.links.values():
            view.append(self.connector(link, names, positions, uids))
        for group in doc.groups.values():
            if group.position is not None:
                g = _sub(view, "group", name=group.name, uid=uids.next())
                _place(g, group.position, group.size, centre=group.size is None)
                replay(g, group.view_extra)
        for note in doc.notes.values():
            view.append(self.text_box(note, uids))
        for label in doc.loop_labels.values():
            view.append(self.loop_label(label, names, uids))
        for text in kept.children:
            drawing = parse_fragment(text)
            if _point_references(drawing, uids):
                view.append(drawing)
        return view

    def placement(self, doc: SystemMap, var: Variable) -> etree._Element:
        element = etree.Element(tag(_TAGS[var.kind]), name=var.name)
        # with a <shape>, x and y are the centre even when a size is given (XMILE 5.1.2)
        shaped = any(text.startswith("<shape") for text in var.view_extra.children)
        centre = var.size is None or var.kind == Kind.CONCEPT or shaped
        _place(element, var.position, var.size, centre=centre)
        for attr, value in var.view_extra.attributes:
            element.set(attr, value)
        if var.kind == Kind.CONCEPT:
            _sub(element, "shape", type="name_only")
        points = var.points
        if var.kind == Kind.FLOW and not points:  # XMILE requires a flow's pipe (6.1.2)
            source, sink = (doc.variables[end] if end else None for end in doc.flow_ends(var.id))
            points = default_pipe(var.position, source, sink)
        _write_points(element, points)
        replay(element, Extras((), var.view_extra.children))
        return element

    def alias(self, alias: Alias, names, uids: _Uids) -> etree._Element:
        element = etree.Element(tag("alias"), uid=uids.take(alias.id))
        _place(element, alias.position)
        for attr, value in alias.view_extra.attributes:
            element.set(attr, value)
        _sub(element, "of", names[alias.of])
        replay(element, Extras((), alias.view_extra.children))
        return element

    def connector(self, link: Link, names, positions, uids: _Uids) -> etree._Element:
        element = etree.Element(tag("connector"), uid=uids.take(link.id))
        start = positions[link.alias] if link.alias else positions[link.source]
        if link.source != link.target:
            element.set("angle", number(angle_from_curvature(start, positions[link.target], link.curvature)))
        if link.polarity in (Polarity.POSITIVE, Polarity.NEGATIVE):
            element.set("polarity", link.polarity.value)
        elif link.polarity == Polarity.UNKNOWN:
            element.set(sysmap_tag("polarity"), "?")
        if link.delay:
            element.set("delay_mark", "true")
        for attr, value in link.view_extra.attributes:
            element.set(attr, value)
        source = _sub(element, "from")
        if link.alias:
            _sub(source, "alias", uid=uids.of(link.alias))
        else:
            source.text = names[link.source]
        _sub(element, "to", names[link.target])
        _write_points(element, link.points)
        if link.note:
            _sysmap(element, "note", link.note)
        _write_tags(element, link.tags)
        replay(element, Extras((), link.view_extra.children))
        return element

    def text_box(self, note: Note, uids: _Uids) -> etree._Element:
        element = etree.Element(tag("text_box"), uid=uids.take(note.id))
        _place(element, note.position, note.size, centre=note.size is None)
        for attr, value in note.view_extra.attributes:
            element.set(attr, value)
        element.text = note.text
        replay(element, Extras((), note.view_extra.children))
        return element

    def loop_label(self, label: LoopLabel, names, uids: _Uids) -> etree._Element:
        element = etree.Element(sysmap_tag("loop_label"), uid=uids.take(label.id), text=label.text)
        _place(element, label.position)
        element.set("direction", label.direction.value)
        for vid in label.loop:
            _sysmap(element, "member", names[vid])
        if label.documentation:
            _sysmap(element, "doc", label.documentation)
        replay(element, label.view_extra)
        return element


def _is_lookup_table(var: Variable) -> bool:
    """An auxiliary that is nothing but a graphical function is written as ``<gf name>``."""
    return (
        var.kind in (Kind.AUX, Kind.CONCEPT)
        and var.graph is not None
        and bool(var.graph.y_points)  # an unreadable table goes back inside an <aux> as it came
        and not var.graph.extra  # and so does one with parts of its own sysmap keeps
        and not var.equation
        and not (var.elements or var.dimensions or var.non_negative is not None)
        # kept children that a <gf> would read as its own parts stay inside an <aux>
        and not any(
            text.startswith(("<eqn", "<xpts", "<ypts", "<xscale", "<yscale")) for text in var.extra.children
        )
    )


def _kept_uids(doc: SystemMap) -> set[str]:
    """The uids a model's drawings keep from their file, which new uids must not repeat: those
    of kept drawings (and of anything they refer to that sysmap did not read) and of other
    views, and those variables' drawings carry as kept attributes."""
    texts = [*doc.extra("view").children, *doc.extra("views_head").children, *doc.extra("views").children]
    uids = set()
    for element in doc.elements():
        extra = getattr(element, "view_extra", None)
        if extra:
            uids.update(value for name, value in extra.attributes if name == "uid")
            texts.extend(extra.children)
    for text in texts:
        uids.update(node.get("uid") for node in parse_fragment(text).iter() if node.get("uid") is not None)
    return uids


def _point_references(drawing, uids: _Uids) -> bool:
    """Give the references of a kept drawing to drawings sysmap read (see
    :data:`~sysmap.io.xmile.keep.REF`) the uids those were written with. A reference to a
    drawing that is gone drops a group's item, or the whole drawing of a connector whose end
    it was; returns whether ``drawing`` is still to be written."""
    for node in list(references(drawing)):
        eid = node.get(REF)
        if eid is None:
            continue
        del node.attrib[REF]
        uid = uids.get(eid)
        if uid is not None:
            node.set("uid", uid)
        elif etree.QName(node).localname == "item":
            node.getparent().remove(node)
        else:
            return False
    return True


class _Uids:
    """Numbers view objects in the order they are written, and remembers those of the
    document's elements by id."""

    def __init__(self, reserved: set[str] = frozenset()) -> None:
        self._count = 0
        self._by_id: dict[str, str] = {}
        self._reserved = reserved

    def next(self) -> str:
        uid = str(self._count)
        while uid in self._reserved:
            self._count += 1
            uid = str(self._count)
        self._count += 1
        return uid

    def take(self, eid: str) -> str:
        self._by_id[eid] = self.next()
        return self._by_id[eid]

    def of(self, eid: str) -> str:
        return self._by_id[eid]

    def get(self, eid: str) -> str | None:
        return self._by_id.get(eid)


def _flag(parent, value: bool) -> None:
    element = _sub(parent, "non_negative")
    if not value:
        element.text = "false"


def dumps(doc: SystemMap) -> bytes:
    """The canonical XMILE bytes of ``doc``."""
    writer = _Writer(doc)
    root = writer.document()
    nsmap = _root_namespaces(root, doc)
    options = root.find(f"{{{XMILE_NS}}}header/{{{XMILE_NS}}}options")
    if "isee" in nsmap and options is not None:
        options.set("namespace", "std, isee")
    final = etree.Element(root.tag, root.attrib, nsmap=nsmap)
    final.text = root.text
    for child in list(root):
        final.append(child)
    etree.cleanup_namespaces(final, top_nsmap=nsmap)
    etree.indent(final, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(final, encoding="utf-8") + b"\n"


_DECLARATION = re.compile(r'xmlns:([A-Za-z_][\w.-]*)="([^"]*)"')


def _root_namespaces(root, doc: SystemMap) -> dict:
    """Every namespace the tree uses, declared once on the root: XMILE as the default,
    isee and sysmap by their names, others (from kept content) by the prefix the input file
    gave them -- read from the kept fragments, since lxml re-prefixes elements it moves --
    so that lxml never invents ``ns0``, which would change the kept fragments, and so the
    document, on the next read."""
    used: set[str] = set()
    for element in root.iter():
        if isinstance(element.tag, str):
            if element.tag[0] == "{":
                used.add(element.tag[1 : element.tag.index("}")])
            used.update(name[1 : name.index("}")] for name in element.attrib if name[0] == "{")
    nsmap: dict = {None: XMILE_NS}
    for prefix, uri in (("isee", ISEE_NS), ("sysmap", SYSMAP_NS)):
        if uri in used:
            nsmap[prefix] = uri
    for text in _kept_fragments(doc):
        for prefix, uri in _DECLARATION.findall(text):
            if uri in used and prefix not in nsmap and uri not in nsmap.values():
                nsmap[prefix] = uri
    for uri in sorted(used - set(nsmap.values())):
        nsmap[next(f"ns{n}" for n in itertools.count() if f"ns{n}" not in nsmap)] = uri
    return nsmap


def _kept_fragments(doc: SystemMap):
    """Every kept XML fragment of a document (and its submodels), wherever it is kept."""
    for _, extra in doc.extras:
        yield from extra.children
    yield from doc.sim_specs.extra.children
    yield from doc.behavior.extra.children
    for item in (*doc.dimensions, *doc.units):
        yield from item.extra.children
    for element in doc.elements():
        for name in ("extra", "view_extra"):
            extra = getattr(element, name, None)
            if extra:
                yield from extra.children
        if isinstance(element, Variable):
            for item in element.elements:
                yield from item.extra.children
            for graph in (element.graph, *(item.graph for item in element.elements)):
                if graph is not None:
                    yield from graph.extra.children
    for sub in doc.submodels:
        yield from _kept_fragments(sub)
