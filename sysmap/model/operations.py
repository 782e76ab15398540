"""Build checked, consistent edits from what a user asks for.

Each function looks at the document, refuses impossible requests with
:class:`sysmap.errors.ModelError`, and returns an edit (see :mod:`sysmap.model.edits`) that
the caller applies -- directly with :meth:`SystemMap.apply`, or through the UI's undo stack.
Nothing here changes the document.

>>> from sysmap.model import SystemMap, operations
>>> doc = SystemMap()
>>> a = doc.add_variable("Workload")
>>> b = doc.add_variable("Sick leave")
>>> edit = operations.add_link(doc, a.id, b.id, polarity="+")
>>> doc.apply(edit); len(doc.links)
1
>>> doc.revert(edit); len(doc.links)
0
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping

from sysmap.errors import ModelError
from sysmap.model.document import SystemMap, check_text
from sysmap.model.edits import Compound, Edit, Insert, Remove, Replace, SetField
from sysmap.model.elements import (
    Alias,
    Direction,
    Element,
    GraphicalFunction,
    Group,
    Kind,
    Link,
    LoopLabel,
    Note,
    Point,
    Polarity,
    SimSpecs,
    Variable,
)
from sysmap.model.equation_text import rename_references
from sysmap.model.names import canonical_name, equation_form, is_valid_name


def _enum(cls, value):
    try:
        return cls(value)
    except ValueError:
        raise ModelError(f"{value!r} is not one of {[m.value for m in cls]}") from None


def _variable(doc: SystemMap, vid: str) -> Variable:
    var = doc.variables.get(vid)
    if var is None:
        raise ModelError(f"no variable with id {vid!r}")
    return var


def _check_new_name(doc: SystemMap, name: str, vid: str | None = None) -> None:
    if not is_valid_name(name):
        raise ModelError(f"{name!r} is not a valid variable name")
    check_text(Variable(id="", name=name))
    owner = doc.variable_named(name)
    if owner is not None and owner.id != vid:
        raise ModelError(f"a variable named {owner.name!r} already exists")


def _insert(element, text: str) -> Insert:
    check_text(element)
    return Insert(element, text)


def add_variable(doc: SystemMap, name: str, kind: Kind | str = Kind.CONCEPT, **fields) -> Insert:
    """An edit adding a variable called ``name``; ``fields`` are other :class:`Variable` fields."""
    _check_new_name(doc, name)
    if "inflows" in fields or "outflows" in fields:
        raise ModelError("connect flows with attach_flow, not when adding the stock")
    var = Variable(id=fields.pop("id", None) or doc.new_id("v"), name=name, kind=_enum(Kind, kind), **fields)
    return _insert(var, f"Add {var.kind.value} {var.label!r}")


def add_link(
    doc: SystemMap, source: str, target: str, polarity: Polarity | str = Polarity.NONE, **fields
) -> Insert:
    """An edit adding a causal link from variable ``source`` to variable ``target``."""
    _variable(doc, source)
    _variable(doc, target)
    link = Link(
        id=fields.pop("id", None) or doc.new_id("k"),
        source=source,
        target=target,
        polarity=_enum(Polarity, polarity),
        **fields,
    )
    return _insert(link, "Add link")


def add_loop_label(doc: SystemMap, text: str, position: Point, **fields) -> Insert:
    """An edit adding a loop label such as ``R1`` at ``position``."""
    for vid in fields.get("loop", ()):
        _variable(doc, vid)
    if "direction" in fields:
        fields["direction"] = _enum(Direction, fields["direction"])
    label = LoopLabel(id=fields.pop("id", None) or doc.new_id("r"), text=text, position=position, **fields)
    return _insert(label, f"Add loop label {text!r}")


def add_alias(doc: SystemMap, vid: str, position: Point) -> Insert:
    """An edit adding an alias (ghost) of variable ``vid`` at ``position``; links may start from it."""
    var = _variable(doc, vid)
    x, y = float(position[0]), float(position[1])
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ModelError(f"cannot place an alias at {position!r}")
    return _insert(Alias(id=doc.new_id("a"), of=vid, position=(x, y)), f"Create alias of {var.label!r}")


def add_note(doc: SystemMap, text: str, position: Point, **fields) -> Insert:
    """An edit adding a free-text note."""
    note = Note(id=fields.pop("id", None) or doc.new_id("n"), text=text, position=position, **fields)
    return _insert(note, "Add note")


def add_group(doc: SystemMap, name: str, members: Iterable[str] = (), **fields) -> Insert:
    """An edit adding a group (sector) of existing elements."""
    members = tuple(members)
    for eid in members:
        doc.element(eid)
    group = Group(id=fields.pop("id", None) or doc.new_id("g"), name=name, members=members, **fields)
    return _insert(group, f"Add group {name!r}")


def rename_variable(doc: SystemMap, vid: str, new_name: str) -> Edit:
    """An edit renaming a variable and rewriting every equation that refers to it.

    Other variables' equations keep their spacing and comments; only the references change,
    written as :func:`sysmap.model.names.equation_form` gives.
    """
    var = _variable(doc, vid)
    _check_new_name(doc, new_name, vid)
    form = equation_form(new_name)
    renamed = canonical_name(new_name) != var.key

    def rewrite(equation: str) -> str:
        return rename_references(equation, var.key, form) if renamed and equation else equation

    edits: list[Edit] = [Replace(var, var.evolve(name=new_name, equation=rewrite(var.equation)))]
    for other in doc.variables.values():
        equation = rewrite(other.equation)
        if other.id != vid and equation != other.equation:
            edits.append(Replace(other, other.evolve(equation=equation)))
    return Compound(edits, f"Rename {var.label!r} to {new_name!r}")


_LOCKED = {"id", "inflows", "outflows"}


def update(doc: SystemMap, eid: str, **changes) -> Edit:
    """An edit changing fields of one element (a variable's name goes through the rename rules).

    Changing a stock into another kind drops its flows; changing a flow into another kind
    detaches it from its stocks.
    """
    locked = _LOCKED & changes.keys()
    if locked:
        raise ModelError(f"cannot change {', '.join(sorted(locked))} with update")
    element = doc.element(eid)
    unknown = changes.keys() - {f.name for f in dataclasses.fields(element)}
    if unknown:
        raise ModelError(f"a {type(element).__name__.lower()} has no field {sorted(unknown)[0]!r}")
    edits: list[Edit] = []
    if isinstance(element, Variable):
        if "name" in changes:
            rename = rename_variable(doc, eid, changes.pop("name"))
            # The field changes below read the renamed variable when they are applied.
            edits.append(rename)
        if "kind" in changes:
            changes["kind"] = _enum(Kind, changes["kind"])
            if element.kind == Kind.FLOW and changes["kind"] != Kind.FLOW:
                edits.append(_detach(doc, eid))
            if element.kind == Kind.STOCK and changes["kind"] != Kind.STOCK:
                changes.update(inflows=(), outflows=())
    elif isinstance(element, Link):
        for end in ("source", "target"):
            if end in changes:
                _variable(doc, changes[end])
        if "polarity" in changes:
            changes["polarity"] = _enum(Polarity, changes["polarity"])
    elif isinstance(element, LoopLabel) and "direction" in changes:
        changes["direction"] = _enum(Direction, changes["direction"])
    if changes:
        edits.append(_Chained(element, changes))
    return Compound(edits, f"Change {type(element).__name__.lower()}")


class _Chained(Replace):
    """A Replace whose ``old`` is read when applied, so it can follow other edits of the element."""

    def __init__(self, element, changes: Mapping):
        super().__init__(element, element.evolve(**changes))
        check_text(self.new)
        self._changes = dict(changes)

    def apply(self, doc: SystemMap) -> None:
        self.old = doc.element(self.new.id)
        self.new = self.old.evolve(**self._changes)
        super().apply(doc)


def move(doc: SystemMap, positions: Mapping[str, Point]) -> Edit:
    """An edit moving elements to new centre positions, as one undo step."""
    edits = []
    for eid, pos in positions.items():
        element = doc.element(eid)
        if not hasattr(element, "position"):
            raise ModelError(f"a {type(element).__name__.lower()} has no position to move")
        # positions live on a 1e-6 grid, which files reproduce exactly
        x, y = round(float(pos[0]), 6), round(float(pos[1]), 6)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ModelError(f"cannot move {eid!r} to {pos!r}")
        edits.append(Replace(element, element.evolve(position=(x, y))))
    n = len(edits)
    return Compound(edits, f"Move {n} item{'s' if n != 1 else ''}")


def _detach(doc: SystemMap, fid: str) -> Edit:
    """Take flow ``fid`` out of every stock's inflow and outflow lists."""
    edits: list[Edit] = []
    for stock in doc.variables.values():
        if fid in stock.inflows or fid in stock.outflows:
            # Chained: in update() a rename may have rewritten this stock's equation first.
            changes = {
                "inflows": tuple(f for f in stock.inflows if f != fid),
                "outflows": tuple(f for f in stock.outflows if f != fid),
            }
            edits.append(_Chained(stock, changes))
    return Compound(edits, "Detach flow")


def attach_flow(doc: SystemMap, fid: str, *, source: str | None, sink: str | None) -> Edit:
    """An edit making flow ``fid`` drain stock ``source`` and fill stock ``sink``.

    ``None`` on either side is a cloud (the model boundary). Any previous attachment of the
    flow is replaced; a stock that keeps the flow on the same side keeps it in its place in
    the list (the outflow order is the stock's outflow priority).
    """
    flow = _variable(doc, fid)
    if flow.kind != Kind.FLOW:
        raise ModelError(f"{flow.label!r} is a {flow.kind.value}, not a flow")
    for end in (source, sink):
        if end is not None and _variable(doc, end).kind != Kind.STOCK:
            raise ModelError(f"{doc.variables[end].label!r} is not a stock")
    if source is not None and source == sink:
        raise ModelError("a flow cannot drain and fill the same stock")
    edits: list[Edit] = []
    for stock in doc.variables.values():
        inflows = tuple(f for f in stock.inflows if f != fid or stock.id == sink)
        outflows = tuple(f for f in stock.outflows if f != fid or stock.id == source)
        if stock.id == sink and fid not in inflows:
            inflows += (fid,)
        if stock.id == source and fid not in outflows:
            outflows += (fid,)
        if (inflows, outflows) != (stock.inflows, stock.outflows):
            edits.append(Replace(stock, stock.evolve(inflows=inflows, outflows=outflows)))
    return Compound(edits, f"Connect flow {flow.label!r}")


def remove(doc: SystemMap, ids: Iterable[str]) -> Edit:
    """An edit deleting elements and everything that would dangle without them.

    Deleting a variable deletes its links, takes it out of groups and loop labels, and, for
    a flow, detaches it from its stocks (a deleted stock leaves its flows ending in clouds).
    Equations that mention a deleted variable are left as written, so the user sees the
    now-unresolved name rather than losing the formula.
    """
    ids = list(dict.fromkeys(ids))
    doomed = set(ids)
    for eid in ids:
        doc.element(eid)
    doomed_vars = {eid for eid in ids if eid in doc.variables}
    for vid in doomed_vars:
        doomed.update(link.id for link in doc.links_from(vid) + doc.links_to(vid))
        doomed.update(alias.id for alias in doc.aliases_of(vid))
    for aid in [eid for eid in doomed if eid in doc.aliases]:
        doomed.update(link.id for link in doc.links_from_alias(aid))

    # First every reference to a doomed element is dropped -- also those held by elements that
    # are doomed themselves (a nested group, a deleted stock's deleted flow) -- so that the
    # removals below succeed in any order.
    edits: list[Edit] = []
    stripped: dict[str, Element] = {}
    for group in doc.groups.values():
        if doomed.intersection(group.members):
            members = tuple(m for m in group.members if m not in doomed)
            stripped[group.id] = group.evolve(members=members)
            edits.append(Replace(group, stripped[group.id]))
    for label in doc.loop_labels.values():
        if doomed_vars.intersection(label.loop):
            stripped[label.id] = label.evolve(loop=())
            edits.append(Replace(label, stripped[label.id]))
    for stock in doc.variables.values():
        inflows = tuple(f for f in stock.inflows if f not in doomed)
        outflows = tuple(f for f in stock.outflows if f not in doomed)
        if (inflows, outflows) != (stock.inflows, stock.outflows):
            stripped[stock.id] = stock.evolve(inflows=inflows, outflows=outflows)
            edits.append(Replace(stock, stripped[stock.id]))
    # Links before the aliases and variables they join, aliases before their variables;
    # otherwise in document order.
    doomed_elements = [e for e in doc.elements() if e.id in doomed]
    rank = {Link: 0, Alias: 1}
    for element in sorted(doomed_elements, key=lambda e: rank.get(type(e), 2)):
        edits.append(Remove(stripped.get(element.id, element)))
    n = len(ids)
    return Compound(edits, f"Delete {n} item{'s' if n != 1 else ''}")


#: The ways a graphical function reads between and beyond its points.
GRAPH_KINDS = ("continuous", "extrapolate", "discrete")


def graph_problem(graph: GraphicalFunction) -> str | None:
    """Why ``graph`` is not a lookup table sysmap can simulate and save, or ``None`` when it is.

    A table has at least 2 points, finite numbers, x values that strictly increase (listed
    ``x_points``, or an ``x_scale`` whose minimum is below its maximum), y values inside the
    ``y_scale`` when one is given (a scale whose ends are equal, as Stella writes for "automatic",
    holds anything), and a ``kind`` of :data:`GRAPH_KINDS`.

    >>> graph_problem(GraphicalFunction((0.0, 1.0), x_points=(0.0, 2.0)))
    >>> graph_problem(GraphicalFunction((0.0, 1.0, 2.0), x_points=(0.0, 2.0, 2.0)))
    'x must increase from point to point (point 3 has x = 2 after 2)'
    """
    ys = graph.y_points
    if len(ys) < 2:
        return "a graph needs at least 2 points"
    numbers = [*ys, *(graph.x_points or ()), *(graph.x_scale or ()), *(graph.y_scale or ())]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in numbers):
        return "every number of a graph must be finite"
    if graph.kind not in GRAPH_KINDS:
        return f"a graph is {', '.join(GRAPH_KINDS[:-1])} or {GRAPH_KINDS[-1]}, not {graph.kind!r}"
    if graph.x_points is not None:
        if len(graph.x_points) != len(ys):
            return f"a graph has {len(graph.x_points)} x values for {len(ys)} y values"
        for i in range(1, len(ys)):
            if not graph.x_points[i] > graph.x_points[i - 1]:
                return (
                    f"x must increase from point to point (point {i + 1} has x = "
                    f"{graph.x_points[i]:g} after {graph.x_points[i - 1]:g})"
                )
    elif graph.x_scale is not None and not graph.x_scale[0] < graph.x_scale[1]:
        return "the x range must run from a smaller to a larger number"
    if graph.y_scale is not None:
        lo, hi = graph.y_scale
        if lo > hi:
            return "the y range must run from a smaller to a larger number"
        outside = next(((i, y) for i, y in enumerate(ys) if lo < hi and not lo <= y <= hi), None)
        if outside is not None:
            i, y = outside
            return f"point {i + 1} has y = {y:g}, outside the y range {lo:g} to {hi:g}"
    return None


def set_graph(doc: SystemMap, vid: str, graph: GraphicalFunction | None) -> Replace:
    """An edit giving variable ``vid`` the lookup table ``graph`` (``None`` takes it away).

    The variable's equation, if any, becomes the table's input (XMILE: an ``<aux>`` with an
    ``<eqn>`` and a ``<gf>``); without one the variable is a table that other equations call
    by name. A stock has no graph (its equation is its initial value). Refuses a table
    :func:`graph_problem` finds wrong, with its reason.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> v = doc.add_variable("Effect", kind="aux", equation="time")
    >>> doc.apply(set_graph(doc, v.id, GraphicalFunction((0.0, 1.0), x_scale=(0.0, 10.0))))
    >>> doc.variables[v.id].graph.xs()
    (0.0, 10.0)
    """
    var = _variable(doc, vid)
    if graph is None:
        if var.graph is None:
            raise ModelError(f"{var.label!r} has no graph to remove")
        return Replace(var, var.evolve(graph=None), f"Remove the graph of {var.label!r}")
    if var.kind in (Kind.STOCK, Kind.MODULE):
        raise ModelError(f"a {var.kind.value} cannot have a graph")
    problem = graph_problem(graph)
    if problem:
        raise ModelError(problem)
    graph = graph.evolve(
        y_points=tuple(float(y) for y in graph.y_points),
        x_points=None if graph.x_points is None else tuple(float(x) for x in graph.x_points),
    )
    what = "Edit" if var.graph is not None else "Add"
    return Replace(var, var.evolve(graph=graph), f"{what} the graph of {var.label!r}")


def set_sim_specs(doc: SystemMap, specs: SimSpecs | None = None, **changes) -> SetField:
    """An edit changing the simulation specs (a whole :class:`SimSpecs` or some fields)."""
    new = specs or doc.sim_specs.evolve(**changes)
    problem = new.problem()
    if problem:
        raise ModelError(problem)
    return SetField("sim_specs", doc.sim_specs, new, "Change simulation settings")


def set_documentation(doc: SystemMap, text: str) -> SetField:
    """An edit changing the model-level documentation."""
    return SetField("documentation", doc.documentation, text, "Change model documentation")


def set_name(doc: SystemMap, name: str) -> SetField:
    """An edit changing the model's name."""
    return SetField("name", doc.name, name, "Rename model")
