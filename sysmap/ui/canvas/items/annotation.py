"""Loop labels (R1, B2 with a turning arrow) and free-text notes."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle

from sysmap.model import Direction, LoopLabel, Note
from sysmap.ui.canvas.geometry import arrowhead
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle

LABEL_RADIUS = 19.0
_WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


def paint_state(painter: QPainter, option, rect: QRectF, style: CanvasStyle, hovered: bool) -> None:
    """A light tint under the mouse and a dashed frame when selected, as variables show them."""
    if hovered:
        tint = QColor(style.selection)
        tint.setAlpha(35)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(tint))
        painter.drawRoundedRect(rect, 5, 5)
    if option.state & QStyle.StateFlag.State_Selected:
        painter.setPen(QPen(style.selection, 1.2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 4, 4)


class _Hoverable:
    """Hover tracking for the annotation items (a tint while the mouse is over them)."""

    _hovered = False

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)


def loop_colour(text: str, style: CanvasStyle):
    """Reinforcing labels (R...) in one colour, balancing ones (B...) in another."""
    first = text.strip()[:1].upper()
    return {"R": style.loop_reinforcing, "B": style.loop_balancing}.get(first, style.text)


class LoopLabelItem(_Hoverable, QGraphicsItem):
    """A loop's name inside a circular arrow that turns the way the loop runs."""

    def __init__(self, label: LoopLabel, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.5)
        self.label = label
        self._arrow = QPainterPath()
        self._head = QPainterPath()
        self.update_from(label)

    @property
    def element_id(self) -> str:
        return self.label.id

    def update_from(self, label: LoopLabel) -> None:
        self.prepareGeometryChange()
        self.label = label
        r = LABEL_RADIUS * self.style.scale
        clockwise = label.direction == Direction.CLOCKWISE
        # An open circle from the top round to a gap, with the head at its end. Qt's angles
        # run anticlockwise on screen; negative spans run clockwise.
        start, span = (100.0, -300.0) if clockwise else (80.0, 300.0)
        rect = QRectF(-r, -r, 2 * r, 2 * r)
        arc = QPainterPath()
        arc.arcMoveTo(rect, start)
        arc.arcTo(rect, start, span)
        self._arrow = arc
        end = math.radians(start + span)
        tip = QPointF(r * math.cos(end), -r * math.sin(end))
        sign = -1.0 if clockwise else 1.0  # direction of travel at the end of the arc
        tangent = QPointF(-math.sin(end) * sign, -math.cos(end) * sign)
        head = QPainterPath()
        k = self.style.scale
        head.addPolygon(arrowhead(tip + tangent * 4 * k, tangent, length=9 * k, width=8 * k))
        head.closeSubpath()
        self._head = head
        self.setPos(QPointF(*label.position))
        self.setToolTip(label.documentation or "")
        self.update()

    def boundingRect(self) -> QRectF:
        r = (LABEL_RADIUS + 8) * self.style.scale
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        colour = loop_colour(self.label.text, self.style)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_state(painter, option, self.boundingRect().adjusted(1, 1, -1, -1), self.style, self._hovered)
        painter.setPen(QPen(colour, 2.0 * self.style.scale))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._arrow)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawPath(self._head)
        painter.setPen(colour)
        painter.setFont(self.style.font(scale=1.15, bold=True))
        painter.drawText(self.boundingRect(), int(Qt.AlignmentFlag.AlignCenter), self.label.text)


class NoteItem(_Hoverable, QGraphicsItem):
    """A free-text note, wrapped to its width."""

    def __init__(self, note: Note, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.2)
        self.note = note
        self._rect = QRectF()
        self.update_from(note)

    @property
    def element_id(self) -> str:
        return self.note.id

    def update_from(self, note: Note) -> None:
        self.prepareGeometryChange()
        self.note = note
        width = note.size[0] if note.size else 260.0
        metrics = QFontMetricsF(self.style.font(italic=True))
        text = metrics.boundingRect(QRectF(0, 0, width, 10000), _WRAP, note.text)
        height = max(text.height(), note.size[1] if note.size else 0.0)
        self._rect = QRectF(-width / 2, -height / 2, width, height)
        self.setPos(QPointF(*note.position))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        paint_state(
            painter, option, self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), self.style, self._hovered
        )
        painter.setFont(self.style.font(italic=True))
        painter.setPen(self.style.note_text)
        painter.drawText(self._rect, _WRAP, self.note.text)
