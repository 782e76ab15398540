"""The canvas item of a causal link: a curved arrow with its polarity sign and delay mark."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from sysmap.model import Link, Polarity
from sysmap.ui.canvas.geometry import arrowhead, clipped_arc, quad_path, quad_point, quad_tangent, unit
from sysmap.ui.canvas.handles import BendHandle, arc_middle
from sysmap.ui.canvas.items.variable import VariableItem
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle

_SIGN_TEXT = {Polarity.POSITIVE: "+", Polarity.NEGATIVE: "\u2212", Polarity.UNKNOWN: "?"}


class LinkItem(QGraphicsPathItem):
    """A link drawn from the edge of its source to an arrowhead on the edge of its target.

    Built from Qt's own path and text items (no Python ``paint``), so repainting a large map
    costs little. The item itself draws nothing (``ItemHasNoContents``: no dashed selection
    box either); it holds the path, the hit shape and the selection, and its children draw:
    the curve, the head and the sign. A selected link is drawn in the selection colour, with
    a :class:`BendHandle` at its middle.
    """

    def __init__(self, link: Link, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.link = link
        self.setZValue(1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setAcceptHoverEvents(True)
        self._hovered = False
        self._line = QGraphicsPathItem(self)
        self._head = QGraphicsPathItem(self)
        self._head.setPen(Qt.PenStyle.NoPen)
        self._sign = QGraphicsSimpleTextItem(self)
        self._sign.setFont(style.font(scale=1.25, bold=True))
        self._hit = QPainterPath()
        self._bounds = QRectF()
        self._ends: tuple[VariableItem, VariableItem] | None = None
        self._middle = QPointF()
        self._handle: BendHandle | None = None  # made when first selected: most links never are

    @property
    def element_id(self) -> str:
        return self.link.id

    def update_geometry(self, link: Link, source: VariableItem, target: VariableItem) -> None:
        """Redraw for ``link`` between the current positions of its two end items."""
        self.link = link
        self._ends = (source, target)
        p0, p1 = source.pos(), target.pos()
        if source is target:
            a, c, b = self._self_loop(source)
        else:
            a, c, b = clipped_arc(p0, p1, link.curvature, source.contains_point(), target.contains_point())
            self._middle = arc_middle(p0, p1, link.curvature)
        path = quad_path(a, c, b)
        if link.delay:
            path.addPath(self._delay_mark(a, c, b))
        self.prepareGeometryChange()
        self.setPath(path)
        self._line.setPath(path)
        self._restyle()

        direction = quad_tangent(a, c, b, 1.0)
        head = QPainterPath()
        k = max(1.0, self.style.link_width / 1.5)  # thick lines need larger heads
        head.addPolygon(arrowhead(b, direction, 11.0 * k, 7.0 * k))
        head.closeSubpath()
        self._head.setPath(head)

        sign = _SIGN_TEXT.get(link.polarity)
        self._sign.setVisible(sign is not None)
        if sign is not None:
            self._place_sign(sign, a, c, b)
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        self._hit = stroker.createStroke(path)
        self._hit.addPath(head)
        # kept, not recomputed: Qt asks for it several times per item per frame
        self._bounds = self._hit.boundingRect()
        self.setToolTip(link.note or "")

    def _place_sign(self, sign: str, a: QPointF, c: QPointF, b: QPointF) -> None:
        """Put the sign beside the arrowhead, on the outside of the bend (left if straight)."""
        colour = {"+": self.style.positive, "?": self.style.unknown}.get(sign, self.style.negative)
        self._sign.setText(sign)
        self._sign.setBrush(QBrush(colour))
        t = 0.84
        at = quad_point(a, c, b, t)
        d = unit(quad_tangent(a, c, b, t))
        side = 1.0 if self.link.curvature >= 0 else -1.0
        normal = QPointF(d.y() * side, -d.x() * side)  # left of travel on screen when side > 0
        rect = self._sign.boundingRect()
        offset = 11.0
        centre = QPointF(at.x() + normal.x() * offset, at.y() + normal.y() * offset)
        self._sign.setPos(centre.x() - rect.width() / 2, centre.y() - rect.height() / 2)

    @staticmethod
    def _delay_mark(a: QPointF, c: QPointF, b: QPointF) -> QPainterPath:
        """Two short strokes across the middle of the link (‖)."""
        mid = quad_point(a, c, b, 0.5)
        d = unit(quad_tangent(a, c, b, 0.5))
        n = QPointF(-d.y(), d.x())
        mark = QPainterPath()
        for shift in (-3.0, 3.0):
            base = QPointF(mid.x() + d.x() * shift, mid.y() + d.y() * shift)
            mark.moveTo(base - n * 8)
            mark.lineTo(base + n * 8)
        return mark

    @staticmethod
    def _self_loop(item: VariableItem) -> tuple[QPointF, QPointF, QPointF]:
        rect = item.body_rect()
        a = QPointF(rect.right() - 6, rect.top())
        b = QPointF(rect.right(), rect.top() + 6)
        return a, QPointF(rect.right() + 30, rect.top() - 30), b

    def ends(self) -> tuple[VariableItem, VariableItem] | None:
        """The items the link was last drawn between (source or its alias, target)."""
        return self._ends

    def preview_curvature(self, curvature: float) -> None:
        """Draw the link bent by ``curvature`` without changing the map (while dragging)."""
        if self._ends is not None:
            self.update_geometry(self.link.evolve(curvature=curvature), *self._ends)

    def set_hovered(self, hovered: bool) -> None:
        """Thicken the link while the mouse is over it."""
        if hovered != self._hovered:
            self._hovered = hovered
            self._restyle()

    def _colour(self):
        return self.style.selection if self.isSelected() else self.style.link

    def _restyle(self) -> None:
        colour = self._colour()
        width = self.style.link_width + (1.0 if self._hovered or self.isSelected() else 0.0)
        pen = QPen(colour, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self._line.setPen(pen)
        self._head.setBrush(QBrush(colour))
        bendable = self.isSelected() and self._ends is not None and self._ends[0] is not self._ends[1]
        if bendable or self._handle is not None:
            self.handle.setVisible(bendable)
            self.handle.setPos(self._middle)

    @property
    def handle(self) -> BendHandle:
        """The grip at the link's middle that bends it (shown while the link is selected)."""
        if self._handle is None:
            self._handle = BendHandle(self, self.style)
            self._handle.setPos(self._middle)
        return self._handle

    def selection_changed(self) -> None:
        """Show the link selected or not (the scene calls this when the selection changes)."""
        self._restyle()

    def hoverEnterEvent(self, event) -> None:
        self.set_hovered(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.set_hovered(False)
        super().hoverLeaveEvent(event)

    def shape(self) -> QPainterPath:
        return self._hit

    def boundingRect(self) -> QRectF:
        # the 10-wide hit stroke (with the head) holds the drawn stroke, at most 2.5 wide
        return self._bounds
