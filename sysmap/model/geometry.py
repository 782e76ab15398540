"""Geometry the document itself needs: stock boxes and the default route of a flow's pipe.

>>> from sysmap.model import Kind, Variable
>>> tank = Variable("s", "Tank", Kind.STOCK, position=(100.0, 100.0))
>>> default_pipe((200.0, 100.0), tank, None)
((122.5, 100.0), (260.0, 100.0))
"""

from __future__ import annotations

import math

from sysmap.model.elements import Point, Variable

#: XMILE's (and Stella's) size of a stock drawn without one.
STOCK_SIZE: Point = (45.0, 35.0)
#: How far beyond its valve a pipe's open end (a cloud) sits.
CLOUD_DISTANCE = 60.0


def box(stock: Variable) -> tuple[float, float, float, float]:
    """A stock's box as (centre x, centre y, width, height)."""
    w, h = stock.size or STOCK_SIZE
    return stock.position[0], stock.position[1], w, h


def edge_point(stock: Variable, towards: Point) -> Point:
    """Where the line from a stock's centre towards ``towards`` leaves its box."""
    cx, cy, w, h = box(stock)
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return (cx, cy)
    sx = (w / 2) / abs(dx) if dx else math.inf
    sy = (h / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy, 1.0)
    return (round(cx + dx * s, 3), round(cy + dy * s, 3))


def _unit(dx: float, dy: float) -> Point:
    n = math.hypot(dx, dy)
    return (1.0, 0.0) if n == 0 else (dx / n, dy / n)


def default_pipe(valve: Point, source: Variable | None, sink: Variable | None) -> tuple[Point, Point]:
    """The straight pipe of a flow whose file gives no route: from the edge of the stock it
    drains (or a cloud before the valve) to the edge of the stock it fills (or a cloud after)."""
    vx, vy = valve
    if source is not None and sink is not None:
        return edge_point(source, sink.position), edge_point(sink, source.position)
    if source is not None:
        ux, uy = _unit(vx - source.position[0], vy - source.position[1])
        end = (round(vx + ux * CLOUD_DISTANCE, 3), round(vy + uy * CLOUD_DISTANCE, 3))
        return edge_point(source, valve), end
    if sink is not None:
        ux, uy = _unit(sink.position[0] - vx, sink.position[1] - vy)
        start = (round(vx - ux * CLOUD_DISTANCE, 3), round(vy - uy * CLOUD_DISTANCE, 3))
        return start, edge_point(sink, valve)
    return (round(vx - CLOUD_DISTANCE, 3), vy), (round(vx + CLOUD_DISTANCE, 3), vy)


#: Coordinates closer than this are the same (a pipe's segment this close to level is level).
_EPS = 1e-6


def nearest_on_polyline(points, p: Point) -> Point:
    """The point of the polyline ``points`` nearest to ``p`` (where a valve dragged to ``p``
    sits on its pipe).

    >>> nearest_on_polyline(((0.0, 0.0), (100.0, 0.0), (100.0, 50.0)), (130.0, 20.0))
    (100.0, 20.0)
    >>> nearest_on_polyline(((0.0, 0.0), (100.0, 0.0)), (-40.0, 7.0))
    (0.0, 0.0)
    """
    px, py = p
    if len(points) == 1:
        return (float(points[0][0]), float(points[0][1]))
    best, best_d = (px, py), math.inf
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        dx, dy = bx - ax, by - ay
        n2 = dx * dx + dy * dy
        t = 0.0 if n2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / n2))
        qx, qy = ax + t * dx, ay + t * dy
        d = (qx - px) ** 2 + (qy - py) ** 2
        if d < best_d:
            best, best_d = (round(qx, 6), round(qy, 6)), d
    return best


def _level(a: Point, b: Point) -> bool:
    return abs(a[1] - b[1]) < _EPS and abs(a[0] - b[0]) >= _EPS


def _upright(a: Point, b: Point) -> bool:
    return abs(a[0] - b[0]) < _EPS and abs(a[1] - b[1]) >= _EPS


def _sign(v: float) -> int:
    return (v > _EPS) - (v < -_EPS)


def _span(stock: Variable | None, axis: int) -> tuple[float, float]:
    """The coordinates along ``axis`` (0: x, 1: y) where a pipe may meet ``stock``'s side
    square on (any, for a cloud)."""
    if stock is None:
        return (-math.inf, math.inf)
    cx, cy, w, h = box(stock)
    c, half = (cx, w / 2) if axis == 0 else (cy, h / 2)
    margin = min(3.0, half)
    return (c - half + margin, c + half - margin)


def _centre_half(stock: Variable, axis: int) -> tuple[float, float]:
    """``stock``'s centre and half size along ``axis`` (0: x, 1: y)."""
    cx, cy, w, h = box(stock)
    return (cx, w / 2) if axis == 0 else (cy, h / 2)


def _side(stock: Variable, axis: int, towards: float) -> float:
    """The coordinate (along ``axis``) of ``stock``'s side that faces ``towards``."""
    cx, cy, w, h = box(stock)
    c, half = (cx, w / 2) if axis == 0 else (cy, h / 2)
    return c + half if towards >= c else c - half


def _moved(stock: Variable | None, delta: Point | None) -> Variable | None:
    if stock is None or delta is None:
        return stock
    return stock.evolve(position=(stock.position[0] + delta[0], stock.position[1] + delta[1]))


def _r(p) -> Point:
    return (round(p[0], 6), round(p[1], 6))


def reshape_pipe(
    points,
    source: Variable | None,
    sink: Variable | None,
    source_delta: Point | None = None,
    sink_delta: Point | None = None,
) -> tuple[Point, ...]:
    """A pipe's route ``points`` after its stocks moved by ``source_delta`` / ``sink_delta``
    (``None``: that end stays; ``source`` and ``sink`` are the stocks before the move,
    ``None`` for a cloud), keeping its shape as Stella does: only the segments touching a
    moved stock change. A level or upright segment stays so (its corner slides along); a
    straight level or upright pipe stays straight while the stocks still face each other,
    else it turns once into the near side of the stock that moved (a step in its middle when
    both moved); a slanted end segment re-aims at the moved stock.

    An L-shaped pipe stays L-shaped, its corner following the moved stock:

    >>> from sysmap.model import Kind, Variable
    >>> a = Variable("a", "A", Kind.STOCK, position=(0.0, 0.0))
    >>> b = Variable("b", "B", Kind.STOCK, position=(200.0, 100.0))
    >>> reshape_pipe(((22.5, 0.0), (200.0, 0.0), (200.0, 82.5)), a, b, (0.0, -30.0))
    ((22.5, -30.0), (200.0, -30.0), (200.0, 82.5))
    """
    pts = [(float(x), float(y)) for x, y in points]
    if len(pts) < 2 or (source_delta is None and sink_delta is None):
        return tuple(pts)
    new_source, new_sink = _moved(source, source_delta), _moved(sink, sink_delta)
    if len(pts) == 2:
        pts = list(_reshape_straight(pts, source, sink, new_source, new_sink, source_delta, sink_delta))
    else:
        if source_delta is not None and source is not None:
            _reshape_end(pts, 0, 1, new_source, source_delta)
        if sink_delta is not None and sink is not None:
            _reshape_end(pts, len(pts) - 1, len(pts) - 2, new_sink, sink_delta)
    # a stock moved past the other end's stock: that end leaves its stock outward again
    pts = _tidy(pts)
    if len(pts) >= 2 and new_source is not None:
        _leave_outward(pts, 0, 1, new_source)
    if len(pts) >= 2 and new_sink is not None:
        _leave_outward(pts, len(pts) - 1, len(pts) - 2, new_sink)
    return tuple(_r(p) for p in _tidy(pts))


def _leave_outward(pts: list, i: int, j: int, stock: Variable) -> None:
    """Attach end ``i`` to the side of ``stock`` its segment to ``j`` leaves by, when that
    segment would otherwise run back across the stock."""
    e, n = pts[i], pts[j]
    for axis, square in ((0, _level(e, n)), (1, _upright(e, n))):
        if square:
            c, half = _centre_half(stock, axis)
            if (n[axis] - e[axis]) * (c - e[axis]) > 0 and abs(n[axis] - c) > half:
                pts[i] = _with(e, axis, _side(stock, axis, n[axis]))


def _tidy(pts: list) -> list:
    """``pts`` without repeated points and without corners that do not turn."""
    out: list = []
    for p in pts:
        if out and math.dist(out[-1], p) < _EPS:
            continue
        if len(out) >= 2 and (
            _level(out[-2], out[-1])
            and _level(out[-1], p)
            or (_upright(out[-2], out[-1]) and _upright(out[-1], p))
        ):
            out[-1] = p
            continue
        out.append(p)
    return out if len(out) >= 2 else pts[:1] + pts[-1:]


def _reshape_end(pts: list, i: int, j: int, stock: Variable, delta: Point) -> None:
    """Move end ``i`` of the route with its stock (now ``stock``), adjusting its neighbour ``j``."""
    e, n = pts[i], pts[j]
    dx, dy = delta
    e2 = (e[0] + dx, e[1] + dy)
    if _level(e, n):
        n2 = (n[0], n[1] + dy)
        if _sign(n2[0] - e2[0]) != _sign(n[0] - e[0]):  # the stock passed the corner: the other side
            e2 = (_side(stock, 0, n2[0]), e2[1])
    elif _upright(e, n):
        n2 = (n[0] + dx, n[1])
        if _sign(n2[1] - e2[1]) != _sign(n[1] - e[1]):
            e2 = (e2[0], _side(stock, 1, n2[1]))
    else:
        n2 = n
        e2 = edge_point(stock, n)
    pts[i], pts[j] = e2, n2


def _reshape_straight(pts, source, sink, new_source, new_sink, source_delta, sink_delta):
    a, b = pts
    a2 = (a[0] + source_delta[0], a[1] + source_delta[1]) if source_delta and source else a
    b2 = (b[0] + sink_delta[0], b[1] + sink_delta[1]) if sink_delta and sink else b
    for axis, square in ((1, _level(a, b)), (0, _upright(a, b))):
        if not square:
            continue
        other = 1 - axis  # the coordinate along the pipe
        lo_a, hi_a = _span(new_source, axis)
        lo_b, hi_b = _span(new_sink, axis)
        lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
        # the end that stayed keeps its place if the moved stock still faces it; an open end
        # (a cloud) follows the moved stock's end
        a_moved, b_moved = bool(source_delta and source), bool(sink_delta and sink)
        if a_moved and not b_moved:
            choices = [b2[axis]] if sink is not None else [a2[axis]]
        elif b_moved and not a_moved:
            choices = [a2[axis]] if source is not None else [b2[axis]]
        else:
            choices = [a2[axis], b2[axis]]
        for c in choices:
            if lo <= c <= hi:
                a2, b2 = _with(a2, axis, c), _with(b2, axis, c)
                break
        else:  # no longer face to face
            if a_moved != b_moved:
                # an L into the moved stock's near side, the end that stayed kept (as Stella)
                mover, kept = (new_source, b2) if a_moved else (new_sink, a2)
                # the quarter of the side nearer the kept end: two pipes turning into one side
                # from either way do not meet
                c, half = _centre_half(mover, other)
                corner = _with(kept, other, c - half / 2 if kept[other] < c else c + half / 2)
                end = _with(corner, axis, _side(mover, axis, kept[axis]))
                route = (end, corner, kept) if a_moved else (kept, corner, end)
                return tuple(_r(p) for p in route)
            mid = (a2[other] + b2[other]) / 2  # both moved: a step in the middle
            return tuple(
                _r(p) for p in (a2, _with(_with(a2, other, mid), axis, a2[axis]), _with(b2, other, mid), b2)
            )
        if _sign(b2[other] - a2[other]) != _sign(b[other] - a[other]):  # the stocks passed each other
            if new_source is not None:
                a2 = _with(a2, other, _side(new_source, other, b2[other]))
            if new_sink is not None:
                b2 = _with(b2, other, _side(new_sink, other, a2[other]))
        return (_r(a2), _r(b2))
    # slanted: the ends re-aim along the line between the stocks (or to the cloud)
    if new_source is not None:
        a2 = edge_point(new_source, new_sink.position if new_sink is not None else b2)
    if new_sink is not None:
        b2 = edge_point(new_sink, new_source.position if new_source is not None else a2)
    return (_r(a2), _r(b2))


def _with(p: Point, axis: int, value: float) -> Point:
    return (value, p[1]) if axis == 0 else (p[0], value)
