"""A variable's behaviour over time, drawn small: inside a stock's box, beside anything else.

One :class:`SparklineItem` (a built-in path item, no Python ``paint``) per variable, a child of
the variable's item so that it follows every move; :meth:`MapScene.set_sparklines` makes them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from sysmap.model import Kind

#: Points a sparkline keeps at most (a line a few dozen pixels wide needs no more).
MAX_POINTS = 120
#: Size of the sparkline drawn beside a variable that has no box (width, height).
BESIDE_SIZE = (36.0, 14.0)
INK = QColor("#1f5fa8")
#: The least height (scene units) of the band under a name inside a box worth drawing in.
MIN_BAND = 10.0


def sparkline_path(rect: QRectF, times, values) -> QPainterPath:
    """``values`` over ``times`` scaled into ``rect`` (later times to the right, larger values
    up); a flat series is a line across the middle; points that are not numbers are skipped."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    keep = np.isfinite(t) & np.isfinite(v)
    t, v = t[keep], v[keep]
    path = QPainterPath()
    if len(t) < 2:
        return path
    if len(t) > MAX_POINTS:
        pick = np.unique(np.linspace(0, len(t) - 1, MAX_POINTS).round().astype(int))
        t, v = t[pick], v[pick]
    span_t = t[-1] - t[0] or 1.0
    low, high = float(v.min()), float(v.max())
    xs = rect.left() + (t - t[0]) / span_t * rect.width()
    if high > low:
        ys = rect.bottom() - (v - low) / (high - low) * rect.height()
    else:
        ys = np.full(len(v), rect.center().y())
    path.moveTo(float(xs[0]), float(ys[0]))
    for x, y in zip(xs[1:], ys[1:], strict=True):
        path.lineTo(float(x), float(y))
    return path


class SparklineItem(QGraphicsPathItem):
    """A sparkline, child of ``parent`` (a variable's item); :meth:`fit` redraws it in the
    parent's current body."""

    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self.times = self.values = np.zeros(0)
        pen = QPen(INK, 1.3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.setPen(pen)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def set_series(self, times, values) -> None:
        """Draw ``values`` over ``times``."""
        self.times, self.values = np.asarray(times), np.asarray(values)
        self.fit()

    def fit(self) -> None:
        """Redraw in the parent's body as it is now (after a resize or a change of kind)."""
        self.setPath(sparkline_path(self.area(), self.times, self.values))

    def area(self) -> QRectF:
        """Where the line is drawn, in the parent's coordinates."""
        parent = self.parentItem()
        body = parent.body_rect().translated(-parent.pos())
        if parent.var.kind in (Kind.STOCK, Kind.MODULE):
            inner = body.adjusted(5, 5, -5, -5)
            name = parent.label_rect().translated(-parent.pos())
            below = QRectF(inner.left(), name.bottom() + 2, inner.width(), inner.bottom() - name.bottom() - 2)
            if name.intersects(inner) and below.height() >= MIN_BAND:
                return below  # under a name written inside the box, not across it
            return inner
        w, h = BESIDE_SIZE
        return QRectF(body.right() + 4, body.center().y() - h / 2, w, h)
