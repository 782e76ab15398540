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


# -- multi-point connectors: a smooth curve through anchor points --------------------------------

#: A cubic Bézier piece: start, two control points, end.
Cubic = tuple[QPointF, QPointF, QPointF, QPointF]


def cubic_point(seg: Cubic, t: float) -> QPointF:
    """The point at ``t`` (0..1) of the cubic piece ``seg``."""
    p0, c1, c2, p1 = seg
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return QPointF(
        a * p0.x() + b * c1.x() + c * c2.x() + d * p1.x(),
        a * p0.y() + b * c1.y() + c * c2.y() + d * p1.y(),
    )


def cubic_tangent(seg: Cubic, t: float) -> QPointF:
    """The (unnormalised) direction of travel along the cubic piece ``seg`` at ``t``."""
    p0, c1, c2, p1 = seg
    u = 1 - t
    a, b, c = 3 * u * u, 6 * u * t, 3 * t * t
    return QPointF(
        a * (c1.x() - p0.x()) + b * (c2.x() - c1.x()) + c * (p1.x() - c2.x()),
        a * (c1.y() - p0.y()) + b * (c2.y() - c1.y()) + c * (p1.y() - c2.y()),
    )


def sub_cubic(seg: Cubic, t0: float, t1: float) -> Cubic:
    """The part of the cubic piece ``seg`` between ``t0`` and ``t1``, as a cubic piece."""
    scale = (t1 - t0) / 3
    a, b = cubic_point(seg, t0), cubic_point(seg, t1)
    da, db = cubic_tangent(seg, t0), cubic_tangent(seg, t1)
    return a, a + da * scale, b - db * scale, b


def spline_through(points: list[QPointF]) -> list[Cubic]:
    """A smooth curve through every one of ``points`` (at least 2), as cubic pieces, one between
    each two neighbours. The tangent at a point is parallel to the chord of its neighbours (a
    Catmull-Rom spline), its control points a third of each piece's own chord away, so that
    short pieces do not loop and long ones do not flatten; the ends leave towards their
    neighbour."""
    pieces: list[Cubic] = []
    n = len(points)
    for i in range(n - 1):
        p0, p1 = points[i], points[i + 1]
        before = points[i - 1] if i > 0 else p0
        after = points[i + 2] if i + 2 < n else p1
        reach = math.hypot(p1.x() - p0.x(), p1.y() - p0.y()) / 3
        pieces.append((p0, p0 + unit(p1 - before) * reach, p1 - unit(after - p0) * reach, p1))
    return pieces


def _cubic_boundary_t(inside: Contains, seg: Cubic, forward: bool) -> float:
    """Where the piece ``seg`` crosses out of a shape: from its start (``forward``) or its end."""

    def at(t: float) -> tuple[float, float]:
        p = cubic_point(seg, t if forward else 1.0 - t)
        return p.x(), p.y()

    t = _boundary_t(inside, at, 0.0, 1.0)
    return t if forward else 1.0 - t


def clipped_spline(
    p0: QPointF, anchors: list[QPointF], p1: QPointF, in_source: Contains, in_target: Contains
) -> list[Cubic]:
    """The visible part of the smooth curve from centre ``p0`` through ``anchors`` to centre
    ``p1``: from where it leaves the source's shape to where it enters the target's. Anchors
    inside the source's shape before the first one outside it (a connector's start written
    on the variable's edge, as Stella writes it), and likewise at the target, are passed over.

    >>> pieces = clipped_spline(QPointF(0, 0), [QPointF(50, 50)], QPointF(100, 0),
    ...                         rect_contains(QPointF(0, 0), 10, 10), rect_contains(QPointF(100, 0), 10, 10))
    >>> start, end = pieces[0][0], pieces[-1][3]
    >>> len(pieces), (round(start.x()), round(start.y())), (round(end.x()), round(end.y()))
    (2, (8, 10), (92, 10))
    """
    inner = list(anchors)
    while inner and in_source(inner[0].x(), inner[0].y()):
        inner.pop(0)
    while inner and in_target(inner[-1].x(), inner[-1].y()):
        inner.pop()
    pieces = spline_through([p0, *inner, p1])
    first, last = pieces[0], pieces[-1]
    t0 = _cubic_boundary_t(in_source, first, True)
    if len(pieces) == 1:
        t1 = _cubic_boundary_t(in_target, first, False)
        if t1 - t0 < 0.02:  # the shapes overlap: draw what there is
            return pieces
        return [sub_cubic(first, t0, t1)]
    t1 = _cubic_boundary_t(in_target, last, False)
    return [sub_cubic(first, t0, 1.0), *pieces[1:-1], sub_cubic(last, 0.0, t1)]


def spline_path(pieces: list[Cubic]) -> QPainterPath:
    """The cubic ``pieces`` as one path."""
    path = QPainterPath(pieces[0][0])
    for _, c1, c2, p1 in pieces:
        path.cubicTo(c1, c2, p1)
    return path
