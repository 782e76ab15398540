"""Loop labels (R1, B2 with a turning arrow) and free-text notes."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle

from sysmap.model import Direction, LoopLabel, Note
from sysmap.ui.canvas.geometry import arrowhead
from sysmap.ui.canvas.style import DEFAULT_STYLE, PX_PER_PT, CanvasStyle, colour, style_of

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
    """A loop's name inside a circular arrow that turns the way the loop runs.

    The label's own ``color`` replaces the reinforcing or balancing colour (of the arrow, and
    of the name without a ``font_color``); its ``font_size`` sizes the name, and the circle
    grows with it.
    """

    def __init__(self, label: LoopLabel, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.5)
        self.label = label
        self._arrow = QPainterPath()
        self._head = QPainterPath()
        self._size = 1.0  # the label's own font size over the canvas's (how much larger it is drawn)
        self.update_from(label)

    @property
    def element_id(self) -> str:
        return self.label.id

    def update_from(self, label: LoopLabel) -> None:
        """Take on a (changed) label: text, position, turning, style."""
        self.prepareGeometryChange()
        self.label = label
        own = style_of(label)
        style = self.style
        self._size = own.font_size * PX_PER_PT * style.scale / style.font_px if own.font_size else 1.0
        self._font = style.element_font(own.font_size, scale=1.15, bold=True)
        arrow = colour(own.color, loop_colour(label.text, style))
        self._colour = arrow
        self._text_colour = colour(own.font_color, arrow)
        r = self._radius()
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
        k = self.style.scale * self._size
        head.addPolygon(arrowhead(tip + tangent * 4 * k, tangent, length=9 * k, width=8 * k))
        head.closeSubpath()
        self._head = head
        self.setPos(QPointF(*label.position))
        self.setToolTip(label.documentation or "")
        self.update()

    def _radius(self) -> float:
        return LABEL_RADIUS * self.style.scale * self._size

    def boundingRect(self) -> QRectF:
        r = self._radius() + 8 * self.style.scale * self._size
        return QRectF(-r, -r, 2 * r, 2 * r)

    def label_font(self):
        """The font the name is drawn in."""
        return self._font

    def paint(self, painter: QPainter, option, widget=None) -> None:
        colour = self._colour
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_state(painter, option, self.boundingRect().adjusted(1, 1, -1, -1), self.style, self._hovered)
        painter.setPen(QPen(colour, 2.0 * self.style.scale * self._size))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._arrow)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawPath(self._head)
        painter.setPen(self._text_colour)
        painter.setFont(self._font)
        painter.drawText(self.boundingRect(), int(Qt.AlignmentFlag.AlignCenter), self.label.text)


class NoteItem(_Hoverable, QGraphicsItem):
    """A free-text note, wrapped to its width.

    In the note's own ``font_color`` (or ``color``) and ``font_size`` where it has them, on its
    ``background`` if it has one, framed when it has a ``border_width``.
    """

    def __init__(self, note: Note, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.2)
        self.note = note
        self._rect = QRectF()
        self._pad = 3.0
        self.update_from(note)

    @property
    def element_id(self) -> str:
        return self.note.id

    def update_from(self, note: Note) -> None:
        """Take on a (changed) note: text, position, size, style."""
        self.prepareGeometryChange()
        self.note = note
        own = style_of(note)
        style = self.style
        self._font = style.element_font(own.font_size, italic=True)
        self._text_colour = colour(own.font_color or own.color, style.note_text)
        self._fill = QBrush(QColor(own.background)) if own.background else None
        frame = own.border_width
        self._frame = None
        if frame:
            self._frame = QPen(colour(own.color, self._text_colour), style.element_width(frame, 1))
        self._pad = 3.0 + (self._frame.widthF() / 2 if self._frame is not None else 0.0)
        width = note.size[0] if note.size else 260.0
        metrics = QFontMetricsF(self._font)
        text = metrics.boundingRect(QRectF(0, 0, width, 10000), _WRAP, note.text)
        height = max(text.height(), note.size[1] if note.size else 0.0)
        self._rect = QRectF(-width / 2, -height / 2, width, height)
        self.setPos(QPointF(*note.position))
        self.update()

    def boundingRect(self) -> QRectF:
        pad = self._pad
        return self._rect.adjusted(-pad, -pad, pad, pad)

    def label_font(self):
        """The font the text is drawn in."""
        return self._font

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._fill is not None or self._frame is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(self._frame if self._frame is not None else Qt.PenStyle.NoPen)
            painter.setBrush(self._fill if self._fill is not None else Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._rect.adjusted(-2, -2, 2, 2), 3, 3)
        paint_state(
            painter, option, self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), self.style, self._hovered
        )
        painter.setFont(self._font)
        painter.setPen(self._text_colour)
        painter.drawText(self._rect, _WRAP, self.note.text)
