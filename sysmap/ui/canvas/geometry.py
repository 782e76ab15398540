"""Curve geometry for links and pipes: arcs from curvature, clipping to shapes, arrowheads."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPolygonF

Contains = Callable[[float, float], bool]


def control_point(p0: QPointF, p1: QPointF, curvature: float) -> QPointF:
    """The quadratic Bézier control point of a link bent by ``curvature``.

    ``curvature`` is the sagitta over the chord, positive bulging to the left of the
    p0 -> p1 direction on screen (y down). A quadratic curve passes through its apex at
    half the control point's offset, hence the factor 2.
    """
    dx, dy = p1.x() - p0.x(), p1.y() - p0.y()
    mid = QPointF((p0.x() + p1.x()) / 2, (p0.y() + p1.y()) / 2)
    # left normal on screen, scaled by the chord length
    return QPointF(mid.x() + 2 * curvature * dy, mid.y() - 2 * curvature * dx)


def quad_point(p0: QPointF, c: QPointF, p1: QPointF, t: float) -> QPointF:
    u = 1 - t
    return QPointF(
        u * u * p0.x() + 2 * u * t * c.x() + t * t * p1.x(),
        u * u * p0.y() + 2 * u * t * c.y() + t * t * p1.y(),
    )


def quad_tangent(p0: QPointF, c: QPointF, p1: QPointF, t: float) -> QPointF:
    """The (unnormalised) direction of travel along the curve at ``t``."""
    u = 1 - t
    return QPointF(
        2 * u * (c.x() - p0.x()) + 2 * t * (p1.x() - c.x()),
        2 * u * (c.y() - p0.y()) + 2 * t * (p1.y() - c.y()),
    )


def _boundary_t(inside: Callable[[float, float], bool], curve, t_in: float, t_out: float) -> float:
    """Bisect for where the curve crosses out of a shape, between a t inside and a t outside."""
    if not inside(*curve(t_in)) or inside(*curve(t_out)):
        return t_in
    for _ in range(16):
        mid = (t_in + t_out) / 2
        if inside(*curve(mid)):
            t_in = mid
        else:
            t_out = mid
    return t_out


def sub_quad(p0: QPointF, c: QPointF, p1: QPointF, t0: float, t1: float) -> tuple[QPointF, QPointF, QPointF]:
    """The part of a quadratic curve between ``t0`` and ``t1``, as a quadratic curve."""
    a = quad_point(p0, c, p1, t0)
    b = quad_point(p0, c, p1, t1)
    # The control point of the piece: tangent lines at both ends meet there.
    ta = quad_tangent(p0, c, p1, t0)
    scale = (t1 - t0) / 2
    return a, QPointF(a.x() + ta.x() * scale, a.y() + ta.y() * scale), b


def clipped_arc(
    p0: QPointF, p1: QPointF, curvature: float, in_source: Contains, in_target: Contains
) -> tuple[QPointF, QPointF, QPointF]:
    """The visible part of the arc from centre ``p0`` to centre ``p1``: from where it leaves the
    source's shape to where it enters the target's."""
    c = control_point(p0, p1, curvature)
    x0, y0, cx, cy, x1, y1 = p0.x(), p0.y(), c.x(), c.y(), p1.x(), p1.y()

    def forward(t: float) -> tuple[float, float]:
        u = 1 - t
        return u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1

    def backward(t: float) -> tuple[float, float]:
        return forward(1.0 - t)

    t0 = _boundary_t(in_source, forward, 0.0, 0.5)
    t1 = 1.0 - _boundary_t(in_target, backward, 0.0, 0.5)
    if t1 - t0 < 0.02:  # the shapes overlap: draw what there is
        t0, t1 = 0.0, 1.0
    return sub_quad(p0, c, p1, t0, t1)


def unit(v: QPointF) -> QPointF:
    n = math.hypot(v.x(), v.y()) or 1.0
    return QPointF(v.x() / n, v.y() / n)


def arrowhead(tip: QPointF, direction: QPointF, length: float = 11.0, width: float = 7.0) -> QPolygonF:
    """A triangle with its point at ``tip``, pointing along ``direction``."""
    d = unit(direction)
    back = QPointF(tip.x() - d.x() * length, tip.y() - d.y() * length)
    normal = QPointF(-d.y() * width / 2, d.x() * width / 2)
    return QPolygonF(
        [
            tip,
            back + normal,
            QPointF(back.x() * 0.92 + tip.x() * 0.08, back.y() * 0.92 + tip.y() * 0.08),
            back - normal,
        ]
    )


def ellipse_contains(center: QPointF, rx: float, ry: float) -> Contains:
    """A test for points ``(x, y)`` inside an axis-aligned ellipse."""
    ox, oy = center.x(), center.y()

    def contains(x: float, y: float) -> bool:
        dx, dy = (x - ox) / rx, (y - oy) / ry
        return dx * dx + dy * dy <= 1.0

    return contains


def rect_contains(center: QPointF, half_w: float, half_h: float) -> Contains:
    """A test for points ``(x, y)`` inside an axis-aligned rectangle."""
    ox, oy = center.x(), center.y()

    def contains(x: float, y: float) -> bool:
        return abs(x - ox) <= half_w and abs(y - oy) <= half_h

    return contains


def quad_path(a: QPointF, c: QPointF, b: QPointF) -> QPainterPath:
    path = QPainterPath(a)
    path.quadTo(c, b)
    return path
