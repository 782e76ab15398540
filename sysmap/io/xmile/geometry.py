"""Connector angles (XMILE) and link curvature (sysmap), one from the other.

XMILE gives a connector's takeoff angle at its source, in degrees, 0 at 3 o'clock and
increasing anticlockwise on screen. sysmap gives the sagitta-to-chord ratio of a circular
arc, positive when the arc bulges to the left of travel. For a circular arc, the angle
between the takeoff direction and the chord is half the arc's central angle, so
``curvature = tan(deviation / 2) / 2``. Curvature is rounded to 6 decimals and angles are
written with 6, which keeps load -> save -> load exact.

>>> curvature_from_angle((0, 0), (100, 0), 0.0)
0.0
>>> c = curvature_from_angle((0, 0), (100, 0), 30.0)
>>> round(angle_from_curvature((0, 0), (100, 0), c), 3)
30.0
"""

from __future__ import annotations

import math

Point = tuple[float, float]
MAX_CURVATURE = 2.0


def _chord_angle(start: Point, end: Point) -> float:
    """The chord's direction in XMILE's convention (degrees, anticlockwise on screen)."""
    return math.degrees(math.atan2(-(end[1] - start[1]), end[0] - start[0]))


def curvature_from_angle(start: Point, end: Point, angle: float) -> float:
    """The curvature of an arc from ``start`` to ``end`` that leaves at ``angle`` degrees."""
    if start == end:
        return 0.0
    deviation = (angle - _chord_angle(start, end) + 180.0) % 360.0 - 180.0
    curvature = math.tan(math.radians(deviation) / 2) / 2
    return round(max(-MAX_CURVATURE, min(MAX_CURVATURE, curvature)), 6) + 0.0


def angle_from_curvature(start: Point, end: Point, curvature: float) -> float:
    """The takeoff angle (degrees, in [0, 360)) of an arc from ``start`` to ``end``."""
    deviation = math.degrees(2 * math.atan(2 * curvature))
    return round((_chord_angle(start, end) + deviation) % 360.0, 6) % 360.0
