"""The canvas item of a causal link: a curved arrow with its polarity sign and delay mark."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from sysmap.model import Kind, Link, Polarity
from sysmap.model.style import ElementStyle
from sysmap.ui.canvas.edit_builders import moved_link_points
from sysmap.ui.canvas.geometry import (
    Cubic,
    arrowhead,
    clipped_arc,
    clipped_spline,
    cubic_point,
    cubic_tangent,
    quad_path,
    quad_point,
    quad_tangent,
    spline_path,
    sub_cubic,
    unit,
)
from sysmap.ui.canvas.handles import BendHandle, arc_middle
from sysmap.ui.canvas.items.variable import VariableItem
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle, colour, style_of

_SIGN_TEXT = {Polarity.POSITIVE: "+", Polarity.NEGATIVE: "\u2212", Polarity.UNKNOWN: "?"}
#: Width (scene units) of the band along a link where a click or the mouse finds it.
HIT_WIDTH = 10.0
#: The stacking of a link into a valve that passes the valve's name: over the variables (2).
OVER_NAMES = 2.05
#: How far into the head (a fraction of its length) the drawn line runs: under the head, so
#: the line's round end never blunts the tip.
_LINE_INTO_HEAD = 0.5


def _length(v: QPointF) -> float:
    return math.hypot(v.x(), v.y())


_SIGN_FONTS: dict[tuple[int, float | None], tuple[CanvasStyle, QFont]] = {}


def _sign_font(style: CanvasStyle, points: float | None) -> QFont:
    """The sign's font (one for all the links of a size: making fonts is slow)."""
    known = _SIGN_FONTS.get((id(style), points))
    if known is None or known[0] is not style:
        known = _SIGN_FONTS[(id(style), points)] = (style, style.element_font(points, scale=1.25, bold=True))
    return known[1]


class LinkItem(QGraphicsPathItem):
    """A link drawn from the edge of its source to an arrowhead on the edge of its target.

    Drawn by Qt alone (no Python ``paint``, no Python ``boundingRect``): the item strokes the
    curve and any delay mark with its pen; one child fills the head; a second child, made only
    for a link with a polarity, is the sign, hidden while the view is zoomed far out
    (:meth:`show_details`). Two or three items a link where there were four: a frame of a
    large map walks fewer. (Line and head in one path would cost more: a filled outline
    misses Qt's fast drawing of lines thinner than a pixel, a pen with a brush fills the
    curve's chord too.)

    :meth:`path` is the whole centreline, from the source's edge to the arrow's tip (the
    drawn line stops under the head); :meth:`shape` is a :data:`HIT_WIDTH` band along it and
    the head, and the item's bounds hold that band. Hovered, the link thickens; selected, it
    is drawn in the selection colour (by a child: Qt's own painting of a selected item adds a
    dashed box) with a :class:`BendHandle` at its middle; both are made the first time the
    link is selected.

    A link with ``points`` (a multi-point connector) is a smooth curve from the source's edge
    through each point to the target's (:func:`~sysmap.ui.canvas.geometry.clipped_spline`):
    head and sign follow its last piece, the delay mark sits halfway along it, and it has no
    bend handle (its curvature means nothing). While its ends are dragged, its points move as
    the move will move them (:func:`~sysmap.ui.canvas.edit_builders.moved_link_points`).

    The link's own style overrides the canvas's: ``color`` the line and head, ``line_width``
    the line's width (the head grows with it, as with the projector style's thicker lines).
    The sign keeps its green, red or amber for the polarity unless the link has a colour of
    its own; then it takes that colour (or its ``font_color``), so a coloured arrow reads as
    one piece, and its shape still tells the polarity. ``font_size`` sizes the sign.
    """

    def __init__(self, link: Link, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.link = link
        self.own_style = ElementStyle()
        self.setZValue(1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self._head_item = QGraphicsPathItem(self)
        self._head_item.setPen(Qt.PenStyle.NoPen)
        self._hovered = False
        self._details = True
        self._sign: QGraphicsSimpleTextItem | None = None
        self._sign_look: tuple | None = None
        self._selected_look: QGraphicsPathItem | None = None
        self._curve = QPainterPath()
        self._hit = QPainterPath()
        self._arc: tuple[QPointF, QPointF, QPointF] | None = None
        self._pieces: list[Cubic] | None = None  # the curve of a link with points
        self._head = QPolygonF()
        self._head_length = 11.0
        self._speed = 0.0
        self._dressed: tuple | None = None  # the pen and colour last given, not to give them again
        self._ends: tuple[VariableItem, VariableItem] | None = None
        self._sign_places: tuple[QPointF, QPointF] | None = None
        self._middle = QPointF()
        self._handle: BendHandle | None = None  # made when first selected: most links never are
        self._mark: QColor | None = None  # see set_mark

    @property
    def element_id(self) -> str:
        return self.link.id

    def update_geometry(self, link: Link, source: VariableItem, target: VariableItem) -> None:
        """Redraw for ``link`` (its route and style) between the current positions of its two end items."""
        self.link = link
        self.own_style = style_of(link)
        self._ends = (source, target)
        p0, p1 = source.pos(), target.pos()
        if link.points:
            self._update_through_points(link, source, target)
            return
        self._pieces = None
        if source is target:
            a, c, b = self._self_loop(source)
        else:
            in_source = source.contains_point()
            a, c, b = clipped_arc(p0, p1, link.curvature, in_source, target.contains_point())
            if target.var.kind == Kind.FLOW:
                # into a flow, the arrow ends on the valve's circle, not on its name
                end = b
                a, c, b = clipped_arc(p0, p1, link.curvature, in_source, target.contains_point(name=False))
                self._stack_over_name(_length(end - b) > 0.5)
            self._middle = arc_middle(p0, p1, link.curvature)
        self._arc = (a, c, b)
        end = quad_tangent(a, c, b, 1.0)
        # near its end the curve covers |B'(1)| per unit of t: how far back from the tip is t
        self._speed = _length(end)
        curve = quad_path(a, c, b)
        if link.delay:
            curve.addPath(self._delay_mark(a, c, b))
        self._finish(b, end, curve, curve)

        sign = _SIGN_TEXT.get(link.polarity)
        if sign is not None:
            self._place_sign(sign, a, c, b)
        elif self._sign is not None:
            self._sign.setVisible(False)
        self.setToolTip(link.note or "")

    # -- drawing ---------------------------------------------------------------------------------

    def line_width(self) -> float:
        """The width the line is drawn at when neither hovered nor selected."""
        return self.style.element_width(self.own_style.line_width, self.style.link_width)

    def _drawn_line(self) -> QPainterPath:
        """The curve as far as under the head, and the delay mark."""
        if self._pieces is not None:
            return self._drawn_pieces()
        a, c, b = self._arc
        speed = self._speed
        t = max(0.5, 1.0 - _LINE_INTO_HEAD * self._head_length / speed) if speed > 0 else 1.0
        # the curve from 0 to t (de Casteljau): control point a..c at t, end point the curve's at t
        near = a + (c - a) * t
        line = QPainterPath(a)
        line.quadTo(near, near + (c + (b - c) * t - near) * t)
        if self.link.delay:
            line.addPath(self._delay_mark(a, c, b))
        return line

    def _restyle(self) -> None:
        """Colour and width for the state (plain, hovered, selected) and the element's style."""
        if self._arc is None:
            return
        selected = self.isSelected()
        width = self.line_width() + (1.0 if self._hovered or selected else 0.0) + (1.5 if self._mark else 0.0)
        if selected:
            fill = self.style.selection
        else:
            fill = self._mark or colour(self.own_style.color, self.style.link)
        dressed = (width, fill.rgba(), selected)
        if dressed != self._dressed:  # a new pen makes Qt re-index the item: not for nothing
            self._dressed = dressed
            pen = QPen(fill, width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            if selected:
                self._show_selected(pen)
            else:
                self.setPen(pen)
                if self._selected_look is not None:
                    self._selected_look.setVisible(False)
                self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, False)
            self._head_item.setBrush(QBrush(fill))
        elif selected:
            self._selected_look.setPath(self.path_drawn())
        bendable = (
            selected
            and self._ends is not None
            and self._ends[0] is not self._ends[1]
            and not self.link.points
        )
        if bendable or self._handle is not None:
            self.handle.setVisible(bendable)
            self.handle.setPos(self._middle)

    def set_mark(self, mark: QColor | None) -> None:
        """Draw the line and head in ``mark`` (a perspective's or a diff's colour), a little
        thicker, over the link's own colour; ``None`` takes the mark off."""
        self._mark = QColor(mark) if mark is not None else None
        self._restyle()

    def mark(self) -> QColor | None:
        """The colour :meth:`set_mark` gave, if any."""
        return self._mark

    def _show_selected(self, pen: QPen) -> None:
        """Selected, the item draws nothing and a child draws the line in the selection colour."""
        look = self._selected_look
        if look is None:
            look = self._selected_look = QGraphicsPathItem(self)
            look.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        look.setPen(pen)
        look.setPath(self.path_drawn())
        look.setVisible(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def _into_valve(self) -> bool:
        target = self._ends[1] if self._ends else None
        return (
            target is not None and getattr(target, "var", None) is not None and target.var.kind == Kind.FLOW
        )

    def _place_sign(self, sign: str, a: QPointF, c: QPointF, b: QPointF) -> None:
        """Put the sign beside the line just behind the head, on the outside of the bend (left
        if straight)."""
        # behind the head (which grows with the line), off the line by half the sign's height:
        # 11 units in the canvas style
        speed = self._speed
        # links converge on a flow's small valve: their signs go further back, where they part
        back = self._head_length + (22.0 if self._into_valve() else 6.0)
        t = max(0.5, min(0.84, 1.0 - back / speed)) if speed > 0 else 0.84
        at = quad_point(a, c, b, t)
        d = unit(quad_tangent(a, c, b, t))
        self._put_sign(sign, at, d, 1.0 if self.link.curvature >= 0 else -1.0)

    def _put_sign(self, sign: str, at: QPointF, d: QPointF, preferred: float) -> None:
        """Put the sign beside the line at ``at`` (heading ``d``), on side ``preferred`` (1: left
        of travel on screen), remembering the other side's place too."""
        own = self.own_style
        if own.font_color or own.color:
            fill = QColor(own.font_color or own.color)
        else:
            fill = {"+": self.style.positive, "?": self.style.unknown}.get(sign, self.style.negative)
        if self._sign is None:
            self._sign = QGraphicsSimpleTextItem(self)
        item = self._sign
        look = (sign, own.font_size, fill.rgba())
        if look != self._sign_look:  # setting text or font lays the text out again
            self._sign_look = look
            item.setFont(_sign_font(self.style, own.font_size))
            item.setText(sign)
            item.setBrush(QBrush(fill))
        item.setVisible(self._details)
        rect = item.boundingRect()
        offset = max(11.0, rect.height() / 2 + self.line_width() / 2 + 1.0)
        corners = []
        for side in (preferred, -preferred):
            normal = QPointF(d.y() * side, -d.x() * side)  # left of travel on screen when side > 0
            centre = QPointF(at.x() + normal.x() * offset, at.y() + normal.y() * offset)
            corners.append(QPointF(centre.x() - rect.width() / 2, centre.y() - rect.height() / 2))
        item.setPos(corners[0])
        self._sign_places = (corners[0], corners[1])

    def sign_rect(self) -> QRectF | None:
        """Where the polarity sign is drawn, in scene coordinates (``None``: no sign shown)."""
        sign = self._sign
        if sign is None or self.link.polarity not in _SIGN_TEXT:  # hidden when zoomed out: still placed
            return None
        return self.mapRectToScene(sign.boundingRect().translated(sign.pos()))

    def sign_to_other_side(self) -> None:
        """Put the sign on the other side of the line (the scene does, where signs would overlap)."""
        if self._sign is not None and self._sign_places is not None:
            usual, other = self._sign_places
            self._sign.setPos(other if self._sign.pos() == usual else usual)

    def show_details(self, shown: bool) -> None:
        """Show the polarity sign (zoomed in) or hide it (zoomed far out, where it is not legible)."""
        self._details = shown
        if self._sign is not None:
            self._sign.setVisible(shown and self.link.polarity in _SIGN_TEXT)

    @staticmethod
    def _delay_mark(a: QPointF, c: QPointF, b: QPointF) -> QPainterPath:
        """Two short strokes across the middle of the link (‖)."""
        return LinkItem._mark_at(quad_point(a, c, b, 0.5), unit(quad_tangent(a, c, b, 0.5)))

    @staticmethod
    def _mark_at(mid: QPointF, d: QPointF) -> QPainterPath:
        """The delay mark (‖) across a line through ``mid`` heading ``d`` (a unit vector)."""
        n = QPointF(-d.y(), d.x())
        mark = QPainterPath()
        for shift in (-3.0, 3.0):
            base = QPointF(mid.x() + d.x() * shift, mid.y() + d.y() * shift)
            mark.moveTo(base - n * 8)
            mark.lineTo(base + n * 8)
        return mark

    def _stack_over_name(self, crosses: bool) -> None:
        """A link into a flow that passes the flow's name to reach the valve is drawn over the
        name, or the name would hide its head."""
        z = OVER_NAMES if crosses else 1.0
        if self.zValue() != z:
            self.setZValue(z)

    def _finish(self, tip: QPointF, direction: QPointF, curve: QPainterPath, line: QPainterPath) -> None:
        """The arrowhead at ``tip`` along ``direction``, the drawn ``curve`` (with any delay
        mark), and the hit area around ``line`` and the head; then the path and the look."""
        k = max(1.0, self.line_width() / 1.5)  # thick lines have larger heads
        self._head_length = 11.0 * k
        self._head = arrowhead(tip, direction, self._head_length, 7.0 * k)
        self._curve = curve
        head = QPainterPath()
        head.addPolygon(self._head)
        head.closeSubpath()
        self._head_item.setPath(head)
        stroker = QPainterPathStroker()
        stroker.setWidth(max(HIT_WIDTH, self.line_width() + 4))
        hit = stroker.createStroke(line)
        hit.addPath(head)
        # before the path: with a pen, Qt takes the item's bounds from shape()
        self._hit = hit
        self.setPath(self._drawn_line())
        self._restyle()

    # -- a multi-point connector -------------------------------------------------------------------

    def _update_through_points(self, link: Link, source: VariableItem, target: VariableItem) -> None:
        """Redraw a link with points: a smooth curve through them, clipped to both ends."""
        p0, p1 = source.pos(), target.pos()
        start, end = tuple(source.var.position), tuple(target.var.position)
        # while a drag moves the end items ahead of the map, the points move as the drop will
        ds = (p0.x() - start[0], p0.y() - start[1])
        dt = (p1.x() - end[0], p1.y() - end[1])
        points = moved_link_points(link, start, end, ds if any(ds) else None, dt if any(dt) else None)
        anchors = [QPointF(x, y) for x, y in points]
        in_source = source.contains_point()
        into_valve = target.var.kind == Kind.FLOW
        pieces = clipped_spline(p0, anchors, p1, in_source, target.contains_point(name=not into_valve))
        if into_valve:
            named = clipped_spline(p0, anchors, p1, in_source, target.contains_point())
            self._stack_over_name(_length(named[-1][3] - pieces[-1][3]) > 0.5)
        self._pieces = pieces
        last = pieces[-1]
        tip = last[3]
        end_dir = cubic_tangent(last, 1.0)
        if _length(end_dir) < 1e-6:
            end_dir = tip - last[0]
        self._speed = _length(end_dir)
        self._arc = (last[0], last[1], tip)  # kept for the checks that the link is drawn
        curve = spline_path(pieces)
        if link.delay:
            curve.addPath(self._delay_mark_on(curve))
        self._middle = curve.pointAtPercent(0.5)
        self._finish(tip, end_dir, curve, spline_path(pieces))
        sign = _SIGN_TEXT.get(link.polarity)
        if sign is not None:
            self._place_sign_on(sign, last)
        elif self._sign is not None:
            self._sign.setVisible(False)
        self.setToolTip(link.note or "")

    def _drawn_pieces(self) -> QPainterPath:
        """The curve through the points as far as under the head, and the delay mark."""
        pieces = self._pieces
        last = pieces[-1]
        speed = self._speed
        t = max(0.5, 1.0 - _LINE_INTO_HEAD * self._head_length / speed) if speed > 0 else 1.0
        line = spline_path([*pieces[:-1], sub_cubic(last, 0.0, t)])
        if self.link.delay:
            line.addPath(self._delay_mark_on(spline_path(pieces)))
        return line

    @staticmethod
    def _delay_mark_on(curve: QPainterPath) -> QPainterPath:
        """The delay mark halfway along ``curve``."""
        mid = curve.pointAtPercent(0.5)
        angle = math.radians(curve.angleAtPercent(0.5))  # counter-clockwise, y up
        return LinkItem._mark_at(mid, QPointF(math.cos(angle), -math.sin(angle)))

    def _place_sign_on(self, sign: str, last: Cubic) -> None:
        """Put the sign beside the last piece of a curve through points, just behind the head."""
        speed = self._speed
        back = self._head_length + (22.0 if self._into_valve() else 6.0)
        t = max(0.5, min(0.84, 1.0 - back / speed)) if speed > 0 else 0.84
        self._put_sign(sign, cubic_point(last, t), unit(cubic_tangent(last, t)), 1.0)

    @staticmethod
    def _self_loop(item: VariableItem) -> tuple[QPointF, QPointF, QPointF]:
        rect = item.body_rect()
        a = QPointF(rect.right() - 6, rect.top())
        b = QPointF(rect.right(), rect.top() + 6)
        return a, QPointF(rect.right() + 30, rect.top() - 30), b

    # -- the editor's view of the link -------------------------------------------------------------

    def path(self) -> QPainterPath:
        """The link's whole centreline (and delay mark), from the source's edge to the arrow's
        tip: what the editor measures. Qt strokes :meth:`path_drawn`, which stops under the head."""
        return QPainterPath(self._curve)

    def path_drawn(self) -> QPainterPath:
        """The path the item's pen strokes."""
        return super().path()

    def head_path(self) -> QPainterPath:
        """The filled arrowhead, in the item's coordinates."""
        return self._head_item.path()

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
