"""The edits the canvas tools make, built from :mod:`sysmap.model.operations` (no Qt here).

What a tool needs beyond a single operation: a free default name, a new flow with its
attachment in one step, an alias, a move that carries flow pipes along, a bend for a link
that would lie on top of another, and a loop label named after the loop around a point.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> free_name(doc), doc.add_variable("New variable").name, free_name(doc)
('New variable', 'New variable', 'New variable 2')
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sysmap.model import Direction, Kind, SystemMap, operations
from sysmap.model.edits import Compound, Edit, Insert, Replace
from sysmap.model.elements import Link, Point, Variable
from sysmap.model.geometry import default_pipe, nearest_on_polyline, reshape_pipe

#: How much a link bends when another link already joins the same two variables.
PARALLEL_BEND = 0.15
#: A connector's first (last) point this close to its source's (target's) centre is its start
#: (end), written on the variable's edge as Stella writes it: it follows the variable.
END_REACH = 40.0
#: Where a new alias goes, from its variable.
ALIAS_OFFSET = (40.0, 40.0)
#: Loop searches for a loop label stop after this long (seconds) or this many loops.
LOOP_TIME_LIMIT, LOOP_MAX = 0.3, 5000
#: A loop label first looks at loops (up to this many, this long) through the nearest variables.
NEAR_VARIABLES, NEAR_LOOPS, NEAR_LENGTH = 6, 60, 12

_LABEL = re.compile(r"^\s*([A-Za-z])\s*(\d+)\s*$")


def free_name(doc: SystemMap, base: str = "New variable") -> str:
    """``base``, or ``base 2``, ``base 3``... whichever no variable is called yet."""
    if doc.variable_named(base) is None:
        return base
    n = 2
    while doc.variable_named(f"{base} {n}") is not None:
        n += 1
    return f"{base} {n}"


def default_name(doc: SystemMap, kind: Kind) -> str:
    """The name a new variable of ``kind`` starts with (selected in its editor, typed over)."""
    base = {Kind.STOCK: "New stock", Kind.FLOW: "New flow", Kind.AUX: "New auxiliary"}.get(
        kind, "New variable"
    )
    return free_name(doc, base)


def add_flow(
    doc: SystemMap,
    name: str,
    position: Point,
    source: str | None,
    sink: str | None,
    points: tuple[Point, ...] = (),
) -> Edit:
    """One edit adding flow ``name`` with its valve at ``position``, draining stock ``source``
    and filling stock ``sink`` (``None``: a cloud), as :func:`operations.attach_flow` connects it."""
    insert = operations.add_variable(doc, name, Kind.FLOW, position=position, points=points)
    return Compound([insert, _Attach(insert.element.id, source, sink)], f"Add flow {insert.element.label!r}")


class _Attach:
    """``operations.attach_flow`` built when applied, once the new flow is in the document."""

    text = "Connect flow"

    def __init__(self, fid: str, source: str | None, sink: str | None):
        self.fid, self.source, self.sink = fid, source, sink
        self._edit: Edit | None = None

    def apply(self, doc: SystemMap) -> None:
        self._edit = operations.attach_flow(doc, self.fid, source=self.source, sink=self.sink)
        self._edit.apply(doc)

    def revert(self, doc: SystemMap) -> None:
        assert self._edit is not None
        self._edit.revert(doc)


def add_alias(doc: SystemMap, vid: str, position: Point | None = None) -> Insert:
    """An edit adding an alias (ghost) of variable ``vid``, by default below right of it."""
    var = doc.variables[vid]
    if position is None:
        position = (var.position[0] + ALIAS_OFFSET[0], var.position[1] + ALIAS_OFFSET[1])
    return operations.add_alias(doc, vid, position)


def link_curvature(doc: SystemMap, source: str, target: str) -> float:
    """The bend of a new link: straight, unless links already join the two variables (then
    bent to its left, so that it does not lie on top of them)."""
    between = sum(1 for link in doc.links_from(source) if link.target == target)
    between += sum(1 for link in doc.links_from(target) if link.target == source)
    return 0.0 if between == 0 else PARALLEL_BEND * between


def _moving(deltas: Mapping[str, Point], eid: str | None) -> Point | None:
    """The move of ``eid`` in ``deltas``, ``None`` if it does not move (or is a cloud)."""
    d = deltas.get(eid) if eid is not None else None
    return d if d is not None and (d[0] or d[1]) else None


def moved_pipe(flow: Variable, doc: SystemMap, deltas: Mapping[str, Point]) -> tuple[Point, ...] | None:
    """The route ``flow`` takes after the moves ``deltas`` (id -> (dx, dy)), or ``None`` if it
    keeps its own (or its default one, which follows its stocks).

    A route moves whole when everything it joins moves alike: its stocks, and its valve too
    if an end is a cloud (a cloud stays where it is unless its valve carries it). When only
    some move, it keeps its shape, only the segments touching a moved stock changing
    (:func:`~sysmap.model.geometry.reshape_pipe`). A valve moving alone slides along its pipe,
    which stays. A default route with a cloud end is written out first, so that the cloud
    stays where it is."""
    source_id, sink_id = doc.flow_ends(flow.id)
    source = doc.variables.get(source_id) if source_id else None
    sink = doc.variables.get(sink_id) if sink_id else None
    whole = _whole_move(flow, doc, deltas)
    if whole is not None:
        return _shifted(flow.points, whole) if flow.points else None
    ds, dk = _moving(deltas, source_id), _moving(deltas, sink_id)
    if (ds is None and dk is None) and (_moving(deltas, flow.id) is None or flow.points):
        return None  # nothing it joins moves, or its valve slides along its own route
    points = flow.points
    if not points:
        if source is not None and sink is not None:
            return None  # the default straight pipe between the stocks, wherever they go
        points = default_pipe(flow.position, source, sink)
    if ds is None and dk is None:
        return tuple(points)
    return reshape_pipe(points, source, sink, ds, dk)


def _whole_move(flow: Variable, doc: SystemMap, deltas: Mapping[str, Point]) -> Point | None:
    """The move that carries ``flow``'s whole pipe (its stocks, and its valve if an end is a
    cloud, all moving alike), or ``None``."""
    ends = doc.flow_ends(flow.id)
    involved = [e for e in ends if e is not None]
    if len(involved) < 2:
        involved.append(flow.id)
    moves = [_moving(deltas, eid) for eid in involved]
    if moves[0] is None or any(d != moves[0] for d in moves):
        return None
    return moves[0]


def _shifted(points, delta: Point) -> tuple[Point, ...]:
    dx, dy = delta
    return tuple((round(x + dx, 6), round(y + dy, 6)) for x, y in points)


def pipe_after(flow: Variable, doc: SystemMap, deltas: Mapping[str, Point], points) -> tuple[Point, ...]:
    """The polyline of ``flow``'s pipe after the moves ``deltas``, given its new own route
    ``points`` (what :func:`moved_pipe` says; ``None``: the route it has)."""
    if points is None:
        points = flow.points
    if len(points) >= 2:
        return tuple(points)
    ends = []
    for eid in doc.flow_ends(flow.id):
        stock = doc.variables.get(eid) if eid else None
        d = _moving(deltas, eid)
        if stock is not None and d is not None:
            stock = stock.evolve(position=(stock.position[0] + d[0], stock.position[1] + d[1]))
        ends.append(stock)
    valve = flow.position
    d = _moving(deltas, flow.id)
    if d is not None:
        valve = (valve[0] + d[0], valve[1] + d[1])
    return tuple(default_pipe(valve, *ends))


def settle_flows(doc: SystemMap, positions: Mapping[str, Point]) -> tuple[dict[str, Point], dict]:
    """What moving elements to ``positions`` does to the flows near them: ``(valves, routes)``,
    the new centres of valves that slide to stay on their pipes (a valve dragged without its
    stocks, to the point of its pipe nearest where it was dropped; a valve whose pipe changed
    under it, to the nearest point of the new pipe) and the new own routes (flow id -> points,
    ``()`` for the default route) of flows whose route changes."""
    deltas = _deltas(doc, positions)
    valves: dict[str, Point] = {}
    routes: dict[str, tuple[Point, ...]] = {}
    for fid in _flows_near(doc, positions):
        flow = doc.variables[fid]
        points = moved_pipe(flow, doc, deltas)
        if points is not None and points != flow.points:
            routes[fid] = points
        if not any(doc.flow_ends(fid)):
            continue  # between two clouds the valve goes where it is put, carrying its pipe
        whole = _whole_move(flow, doc, deltas)
        if whole is not None and _moving(deltas, fid) == whole:
            continue  # the valve moves with its pipe
        wanted = positions.get(fid, flow.position)
        on_pipe = nearest_on_polyline(pipe_after(flow, doc, deltas, points), wanted)
        if fid in positions or on_pipe != tuple(flow.position):
            valves[fid] = on_pipe
    return valves, routes


def _deltas(doc: SystemMap, positions: Mapping[str, Point]) -> dict[str, Point]:
    deltas = {}
    for eid, (x, y) in positions.items():
        old = doc.element(eid).position
        deltas[eid] = (round(x - old[0], 6), round(y - old[1], 6))
    return deltas


def move(doc: SystemMap, positions: Mapping[str, Point]) -> Edit:
    """``operations.move`` to the new centre ``positions``, carrying along the routes of flows
    whose valve or stocks moved and keeping valves on their pipes (see :func:`settle_flows`);
    one step named "Move N items" (N the items moved, not the valves that slid along)."""
    valves, routes = settle_flows(doc, positions)
    moves = {**positions, **valves}
    moves = {
        eid: p for eid, p in moves.items() if eid in positions or tuple(p) != tuple(doc.element(eid).position)
    }
    edit = operations.move(doc, moves)
    if len(moves) != len(positions):
        n = len(positions)
        edit = Compound(list(edit.edits), f"Move {n} item{'s' if n != 1 else ''}")
    pipes = [_SetPoints(fid, points, "Route flow") for fid, points in routes.items()]
    deltas = _deltas(doc, moves)
    bends = [_SetPoints(lid, points, "Route link") for lid, points in link_routes(doc, deltas).items()]
    return Compound([edit, *pipes, *bends], edit.text) if pipes or bends else edit


def moved_link_points(
    link: Link, start: Point, end: Point, ds: Point | None, dt: Point | None
) -> tuple[Point, ...]:
    """The points of multi-point connector ``link`` after its start (the centre ``start`` of its
    source, or of the alias it leaves) moves by ``ds`` and its target (centre ``end``) by ``dt``
    (``None``: stays).

    Both ends moving alike carry every point along. Otherwise the inner points stay where they
    are, and only a first (last) point within :data:`END_REACH` of its moved end, written on the
    variable's edge, follows it.

    >>> link = Link("k1", "a", "b", points=((5.0, 0.0), (50.0, 50.0), (95.0, 0.0)))
    >>> moved_link_points(link, (0.0, 0.0), (100.0, 0.0), (10.0, 10.0), (10.0, 10.0))
    ((15.0, 10.0), (60.0, 60.0), (105.0, 10.0))
    >>> moved_link_points(link, (0.0, 0.0), (100.0, 0.0), None, (0.0, 30.0))
    ((5.0, 0.0), (50.0, 50.0), (95.0, 30.0))
    """
    points = link.points
    if not points or (ds is None and dt is None):
        return points
    if ds is not None and ds == dt:
        return _shifted(points, ds)
    out = list(points)
    if ds is not None and _near(out[0], start):
        out[0] = _shifted(out[:1], ds)[0]
    if dt is not None and (len(out) > 1 or ds is None) and _near(out[-1], end):
        out[-1] = _shifted(out[-1:], dt)[0]
    return tuple(out)


def _near(p: Point, q: Point) -> bool:
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 <= END_REACH**2


def link_routes(doc: SystemMap, deltas: Mapping[str, Point]) -> dict[str, tuple[Point, ...]]:
    """The new points (link id -> points) of the multi-point connectors whose ends the moves
    ``deltas`` (element id -> (dx, dy)) move, where they change (:func:`moved_link_points`)."""
    links: dict[str, Link] = {}
    for eid in deltas:
        if eid in doc.variables:
            found = [*doc.links_from(eid), *doc.links_to(eid)]
        elif eid in doc.aliases:
            found = doc.links_from_alias(eid)
        else:
            continue
        links.update((link.id, link) for link in found if link.points)
    routes = {}
    for lid, link in links.items():
        start_id = link.alias or link.source
        start = doc.element(start_id).position
        end = doc.variables[link.target].position
        points = moved_link_points(link, start, end, _moving(deltas, start_id), _moving(deltas, link.target))
        if points != link.points:
            routes[lid] = points
    return routes


class _SetPoints(Replace):
    """Set a flow's or a connector's ``points``, reading the element when applied: the move
    of its ends comes first in the same step."""

    def __init__(self, eid: str, points: tuple[Point, ...], text: str):
        self.eid, self.points = eid, points
        self.old = self.new = None
        self.text = text

    def apply(self, doc: SystemMap) -> None:
        self.old = doc.element(self.eid)
        self.new = self.old.evolve(points=self.points)
        super().apply(doc)


def _flows_near(doc: SystemMap, ids) -> set[str]:
    flows = set()
    for eid in ids:
        var = doc.variables.get(eid)
        if var is None:
            continue
        if var.kind == Kind.FLOW:
            flows.add(eid)
        flows.update(var.inflows + var.outflows)
    return flows


def _label_number(doc: SystemMap, letter: str) -> int:
    used = set()
    for label in doc.loop_labels.values():
        match = _LABEL.match(label.text)
        if match and match.group(1).upper() == letter:
            used.add(int(match.group(2)))
    n = 1
    while n in used:
        n += 1
    return n


def next_label_text(doc: SystemMap, polarity: str) -> str:
    """``R1``, ``B2``... the first number no loop label of that polarity uses; ``R?`` if the
    polarity is unknown."""
    if polarity not in ("R", "B"):
        return "R?"
    return f"{polarity}{_label_number(doc, polarity)}"


def add_loop_label_at(doc: SystemMap, position: Point) -> Edit:
    """An edit adding a loop label at ``position``, named, turned and tied to the smallest loop
    drawn around that point (``R?`` with no loop when none is found)."""
    found = loop_around(doc, position)
    if found is None:
        return operations.add_loop_label(doc, "R?", position)
    loop, direction = found
    text = next_label_text(doc, loop.polarity)
    return operations.add_loop_label(doc, text, position, direction=direction, loop=loop.variables)


def loop_around(doc: SystemMap, point: Point):
    """The smallest loop whose drawn outline encloses ``point``, with the way it turns as
    drawn: ``(Loop, Direction)``, or ``None``.

    Loops through the variables nearest the point are tried first, shortest first (a label
    goes inside its loop, close to its members); only if none encloses the point are the
    map's loops searched, within a budget (a map with millions of loops answers with the
    ones found in time).
    """
    if not doc.links:
        return None
    import time

    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loops import find_loops, loops_through

    graph = causal_graph(doc)
    x, y = point
    deadline = time.monotonic() + LOOP_TIME_LIMIT
    nearest = sorted(
        (v for v in doc.variables.values() if v.id in graph),
        key=lambda v: (v.position[0] - x) ** 2 + (v.position[1] - y) ** 2,
    )[:NEAR_VARIABLES]
    best = None
    for var in nearest:
        for loop in loops_through(graph, var.id, max_loops=NEAR_LOOPS, max_length=NEAR_LENGTH):
            best = _smaller(doc, loop, point, best)
            if time.monotonic() > deadline:
                break
    if best is None:
        for loop in find_loops(graph, time_limit=LOOP_TIME_LIMIT, max_loops=LOOP_MAX):
            best = _smaller(doc, loop, point, best)
    if best is None:
        return None
    loop, area = best
    return loop, Direction.CLOCKWISE if area >= 0 else Direction.ANTICLOCKWISE


def _smaller(doc: SystemMap, loop, point: Point, best):
    """``(loop, area)`` if ``loop``'s outline encloses ``point`` in less area than ``best``."""
    from sysmap.analysis.loop_labels import loop_outline, signed_area

    outline = loop_outline(doc, loop)
    if len(outline) < 3 or not _inside(outline, *point):
        return best
    area = signed_area(outline)
    return (loop, area) if best is None or abs(area) < abs(best[1]) else best


def _inside(outline, x: float, y: float) -> bool:
    """Even-odd test of point (x, y) against a closed outline."""
    inside = False
    n = len(outline)
    for i in range(n):
        (x0, y0), (x1, y1) = outline[i], outline[(i + 1) % n]
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside
