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
