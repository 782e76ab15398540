"""A document flattened for simulation: every scalar quantity as one :class:`Cell`.

Arrays are expanded element by element (``stock[a]``, ``stock[b]``...), modules are
instantiated with their instance name as a prefix (``hares.births``) and their connected
inputs become aliases of the variables outside. What is left is a flat list of scalar cells,
each with the text of one equation and the dimension elements it stands for, which the
code generator turns into one line of code each.

>>> from sysmap.model import SystemMap, Kind
>>> doc = SystemMap()
>>> _ = doc.add_variable("Rate", kind=Kind.AUX, equation="0.1")
>>> [cell.name for cell in flatten(doc).cells]
['Rate']
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from sysmap.model.elements import GraphicalFunction, Kind, Variable
from sysmap.model.names import canonical_name, display_name
from sysmap.sim.errors import SimulationError

#: Deepest module nesting followed (a file whose modules nest deeper is refused).
MAX_MODULE_DEPTH = 20


@dataclass(eq=False)
class Dim:
    """A dimension: canonical element keys and their display labels, in order."""

    key: str
    name: str
    elements: tuple[str, ...]
    labels: tuple[str, ...]
    #: element mappings: ``maps[other][element of other]`` is the element of this dimension that
    #: stands for it (Vensim's ``dim: ... -> other``, kept as ``simlin:mapping``/``isee:maps_to``)
    maps: dict[str, dict[str, str]] = field(default_factory=dict)

    def position(self, element: str) -> int | None:
        """The 0-based position of ``element`` (canonical), or ``None``."""
        try:
            return self.elements.index(element)
        except ValueError:
            return None


@dataclass(eq=False)
class Var:
    """A variable of the flattened model (one per variable per module instance)."""

    key: str
    name: str
    kind: Kind
    dims: tuple[Dim, ...]
    scope: str
    variable: Variable
    non_negative: bool = False
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    cells: dict[tuple[str, ...], int] = field(default_factory=dict)
    tables: dict[tuple[str, ...], GraphicalFunction] = field(default_factory=dict)

    def table(self, elements: tuple[str, ...] = ()) -> GraphicalFunction | None:
        """The graphical function of one element (or the only one)."""
        return self.tables.get(elements) or self.tables.get(())


@dataclass(eq=False)
class Cell:
    """One scalar quantity: a stock, flow or auxiliary, or one element of an arrayed one."""

    index: int
    var: Var
    elements: tuple[str, ...]
    name: str
    key: str
    text: str
    graph: GraphicalFunction | None = None
    #: the equation used while initialising (XMILE ``<init_eqn>``, Vensim's ACTIVE INITIAL)
    init_text: str = ""

    @property
    def kind(self) -> Kind:
        return self.var.kind

    @property
    def binding(self) -> dict[str, str]:
        """The element each of the variable's dimensions stands at in this cell."""
        return {dim.key: element for dim, element in zip(self.var.dims, self.elements, strict=True)}


@dataclass(eq=False)
class FlatModel:
    """Every cell, the variables by scoped key, the dimensions, and the aliases of connected inputs."""

    cells: list[Cell] = field(default_factory=list)
    vars: dict[str, Var] = field(default_factory=dict)
    dims: dict[str, Dim] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    origin: str = ""
    #: what the file kept without reading it (where macro definitions are), for messages only
    extras_text: tuple[str, ...] = ()

    def resolve(self, name: str, scope: str) -> Var | None:
        """The variable ``name`` (canonical, maybe qualified) means inside ``scope``."""
        if name.startswith("."):
            key = scope + name[1:]
            if key not in self.vars and key not in self.aliases:
                key = name[1:]  # ".x" from inside a module: the model at the top
        else:
            key = scope + name
        seen = 0
        while key in self.aliases and seen < 100:
            key = self.aliases[key]
            seen += 1
        return self.vars.get(key)


def flatten(doc) -> FlatModel:
    """The cells of ``doc``'s stocks, flows and auxiliaries; raises :class:`SimulationError`
    for what cannot be simulated (an unknown dimension, a module without a model...)."""
    flat = FlatModel(origin=doc.origin, extras_text=tuple(doc.extra("xmile").children))
    for dim in doc.dimensions:
        key = canonical_name(dim.name)
        if dim.elements:
            labels = tuple(display_name(e) for e in dim.elements)
        else:
            labels = tuple(str(i) for i in range(1, (dim.size or 0) + 1))
        flat.dims[key] = Dim(key, display_name(dim.name), tuple(canonical_name(e) for e in labels), labels)
    for dim in doc.dimensions:
        _read_mappings(flat, flat.dims[canonical_name(dim.name)], dim.extra.children)
    submodels = {canonical_name(m.name): m for m in doc.submodels}
    for model in (doc, *doc.submodels):
        _refuse_untranslated(model)
    _instantiate(flat, doc, "", "", submodels, 0)
    return flat


def _read_mappings(flat: FlatModel, dim: Dim, fragments) -> None:
    """The element mappings a dimension declares: ``simlin:mapping`` lists element pairs, and
    ``isee:maps_to`` names a dimension of the same size mapped by position."""
    from lxml import etree

    from sysmap.io.xmile.keep import parse_fragment

    for text in fragments:
        try:
            element = parse_fragment(text)
        except etree.XMLSyntaxError:
            continue
        tag = etree.QName(element).localname
        if tag == "maps_to":
            other = flat.dims.get(canonical_name((element.text or "").strip()))
            if other is not None and len(other.elements) == len(dim.elements):
                dim.maps[other.key] = dict(zip(other.elements, dim.elements, strict=True))
        elif tag == "mapping":
            other = flat.dims.get(canonical_name(element.get("target", "")))
            if other is None:
                continue
            pairs = dim.maps.setdefault(other.key, {})
            for pair in element:
                mine = canonical_name(pair.get("from", ""))
                theirs = canonical_name(pair.get("to", ""))
                if dim.position(mine) is not None and other.position(theirs) is not None:
                    pairs[theirs] = mine


def _refuse_untranslated(doc) -> None:
    """A model with ``???`` equations (xmutil's mark for what it could not translate) is incomplete."""
    for var in doc.variables.values():
        if var.kind == Kind.CONCEPT:
            continue
        for text in (var.equation, *(e.equation for e in var.elements)):
            if text.strip() == "???":
                raise SimulationError(
                    "the equation is ??? (the converter could not translate it)",
                    variable=display_name(var.name),
                )


def _instantiate(flat: FlatModel, doc, scope: str, label: str, submodels: dict, depth: int) -> None:
    behavior = doc.behavior
    ids = {vid: v for vid, v in doc.variables.items()}
    for var in doc.variables.values():
        if var.kind == Kind.CONCEPT:
            continue
        key = scope + var.key
        name = label + display_name(var.name)
        if var.kind == Kind.MODULE:
            model = submodels.get(var.key)
            if model is None:
                raise SimulationError("is a module, but the file holds no model of that name", variable=name)
            if depth >= MAX_MODULE_DEPTH:
                raise SimulationError(f"modules nest more than {MAX_MODULE_DEPTH} deep", variable=name)
            inner = key + "."
            for to, source in var.connections:
                to = canonical_name(to)
                if to.startswith(var.key + "."):
                    to = to[len(var.key) + 1 :]
                to_key = inner + to
                src = canonical_name(source)
                flat.aliases[to_key] = scope + src[1:] if src.startswith(".") else scope + src
            _instantiate(flat, model, inner, name + ".", submodels, depth + 1)
            continue
        dims = []
        for dim_name in var.dimensions:
            dim = flat.dims.get(canonical_name(dim_name))
            if dim is None:
                raise SimulationError(
                    f"uses dimension {dim_name!r}, which the model does not define", variable=name
                )
            dims.append(dim)
        if var.kind == Kind.STOCK:
            default = behavior.non_negative_stocks
        elif var.kind == Kind.FLOW:
            default = behavior.non_negative_flows
        else:
            default = False
        non_negative = bool(var.non_negative if var.non_negative is not None else default)
        v = Var(
            key=key,
            name=name,
            kind=var.kind,
            dims=tuple(dims),
            scope=scope,
            variable=var,
            non_negative=non_negative,
            inflows=tuple(scope + ids[f].key for f in var.inflows if f in ids),
            outflows=tuple(scope + ids[f].key for f in var.outflows if f in ids),
        )
        if key in flat.aliases:  # a connected module input: the outside variable stands in for it
            continue
        flat.vars[key] = v
        _add_cells(flat, v)


def _graph(graph: GraphicalFunction | None) -> GraphicalFunction | None:
    return graph if graph is not None and graph.y_points else None


def _add_cells(flat: FlatModel, v: Var) -> None:
    var = v.variable
    if not v.dims:
        graph = _graph(var.graph)
        if graph is not None:
            v.tables[()] = graph
        if graph is not None and not var.equation.strip() and v.kind == Kind.AUX:
            return  # a lookup table, called by name: no value of its own
        _new_cell(flat, v, (), var.equation, graph)
        return
    by_element: dict[tuple[str, ...], tuple[str, GraphicalFunction | None]] = {}
    initials: dict[tuple[str, ...], str] = {}
    for element in var.elements:
        parts = tuple(canonical_name(p) for p in element.subscript.split(","))
        if len(parts) != len(v.dims):
            raise SimulationError(
                f"element [{element.subscript}] has {len(parts)} subscripts for {len(v.dims)} dimensions",
                variable=v.name,
            )
        for dim, part in zip(v.dims, parts, strict=True):
            if dim.position(part) is None and element.equation.strip() == "???":
                untranslated = "the equation is ??? (the converter could not translate it)"
                raise SimulationError(f"element [{element.subscript}]: {untranslated}", variable=v.name)
            if dim.position(part) is None:
                raise SimulationError(
                    f"element [{element.subscript}]: {part!r} is not an element of {dim.name}",
                    variable=v.name,
                )
        if parts not in by_element:  # Vensim's export repeats elements with ??? after the real ones
            by_element[parts] = (element.equation, _graph(element.graph))
            initials[parts] = _init_equation(element.extra)
    graph = _graph(var.graph)
    if graph is not None:
        v.tables[()] = graph
    combos = list(itertools.product(*(dim.elements for dim in v.dims)))
    if not by_element:
        listed = _listed_equations(var, len(combos))
        if listed is not None:
            by_element = {parts: (text, graph) for parts, text in zip(combos, listed, strict=True)}
    for parts in combos:
        text, element_graph = by_element.get(parts, (var.equation, graph))
        if element_graph is not None:
            v.tables[parts] = element_graph
        if element_graph is not None and not text.strip() and v.kind == Kind.AUX:
            continue
        _new_cell(flat, v, parts, text, element_graph, initials.get(parts) or None)


_NUMBER_LIST = re.compile(r"\s*[-+]?[0-9.][0-9.eE+-]*(?:\s*[,;]\s*[-+]?[0-9.][0-9.eE+-]*)+\s*;?\s*")


def _listed_equations(var: Variable, count: int) -> list[str] | None:
    """One equation per element, in element order, for the two ways Vensim writes them:
    a number list (``1, 2; 3, 4``) or, in its own XMILE export, one ``<eqn>`` per element."""
    if _NUMBER_LIST.fullmatch(var.equation):
        numbers = [n.strip() for n in re.split("[,;]", var.equation) if n.strip()]
        return numbers if len(numbers) == count else None
    repeated = [c for c in var.extra.children if c.startswith("<eqn")]
    if repeated and len(repeated) + 1 == count:
        from sysmap.io.xmile.keep import parse_fragment

        texts = [var.equation]
        for fragment in repeated:
            try:
                texts.append((parse_fragment(fragment).text or "").strip())
            except Exception:
                return None
        return texts
    return None


def _new_cell(flat: FlatModel, v: Var, elements: tuple[str, ...], text: str, graph, init=None) -> None:
    index = len(flat.cells)
    if elements:
        labels = [dim.labels[dim.position(e)] for dim, e in zip(v.dims, elements, strict=True)]
        name = f"{v.name}[{','.join(labels)}]"
        key = f"{v.key}[{','.join(elements)}]"
    else:
        name, key = v.name, v.key
    v.cells[elements] = index
    init = init if init is not None else _init_equation(v.variable.extra)
    flat.cells.append(Cell(index, v, elements, name, key, text, graph, init))


def _init_equation(extra) -> str:
    """The ``<init_eqn>`` among a variable's or element's kept extras, or ``""``."""
    for fragment in extra.children:
        if fragment.startswith("<init_eqn"):
            from sysmap.io.xmile.keep import parse_fragment

            try:
                return (parse_fragment(fragment).text or "").strip()
            except Exception:
                return ""
    return ""
