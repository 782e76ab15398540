"""Handles drawn on selected items: the round grip at the middle of a link that bends it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from sysmap.ui.canvas.style import CanvasStyle

HANDLE_RADIUS = 5.0  # screen pixels: the handle keeps its size at every zoom


def curvature_through(p0: QPointF, p1: QPointF, apex: QPointF) -> float:
    """The curvature (sagitta over chord, positive bulging left of p0 -> p1 on screen) of the
    arc from ``p0`` to ``p1`` whose middle passes closest to ``apex``.

    The inverse of :func:`sysmap.ui.canvas.geometry.control_point`: the arc's middle sits
    ``curvature * chord`` off the chord's midpoint along its left normal.
    """
    dx, dy = p1.x() - p0.x(), p1.y() - p0.y()
    chord2 = dx * dx + dy * dy
    if chord2 < 1e-9:
        return 0.0
    mx, my = (p0.x() + p1.x()) / 2, (p0.y() + p1.y()) / 2
    return ((apex.x() - mx) * dy - (apex.y() - my) * dx) / chord2


def arc_middle(p0: QPointF, p1: QPointF, curvature: float) -> QPointF:
    """The middle of the arc from ``p0`` to ``p1`` bent by ``curvature``."""
    dx, dy = p1.x() - p0.x(), p1.y() - p0.y()
    return QPointF((p0.x() + p1.x()) / 2 + curvature * dy, (p0.y() + p1.y()) / 2 - curvature * dx)


class BendHandle(QGraphicsEllipseItem):
    """The grip at the middle of a selected link; dragging it bends the link."""

    def __init__(self, parent: QGraphicsItem, style: CanvasStyle):
        r = HANDLE_RADIUS
        super().__init__(QRectF(-r, -r, 2 * r, 2 * r), parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPen(QPen(style.selection, 1.5))
        see_through = QColor(style.background)
        see_through.setAlpha(110)  # a delay mark under the handle stays visible
        self.setBrush(QBrush(see_through))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Drag to bend the link")
        self.setZValue(10)
        self.setVisible(False)

    @property
    def link_item(self):
        """The link this handle bends."""
        return self.parentItem()
