"""The canvas item of a variable: a concept's name, a stock's box, an auxiliary's circle, a flow's valve."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle

from sysmap.model import Alias, Kind, Variable
from sysmap.model.style import ElementStyle
from sysmap.ui.canvas.geometry import Contains, ellipse_contains, rect_contains
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle, colour, merged, style_of

STOCK_SIZE = (45.0, 35.0)  # XMILE's and Stella's default
LABEL_GAP = 3.0
AUX_RADIUS = 10.0
VALVE_RADIUS = 9.0
#: Level of detail (on-screen pixels per scene unit) below which a variable is drawn coarsely:
#: no antialiasing, no valve bow-tie, no name plate; the same as the view's ``LOD_ZOOM``.
COARSE_BELOW = 0.35
#: Names smaller than this on screen (pixels) are drawn as grey bars, one per line.
MIN_TEXT_PX = 4.0
#: A variable smaller than this on screen (pixels, its longer side) is drawn as one grey bar.
SPECK_PX = 4.0
_WRAP = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


def _default_side(kind: Kind, width: float, height: float) -> str:
    """Where a name goes when the file does not say: inside a stock big enough to hold it,
    else as Stella's default style has it -- above a stock, below anything else."""
    if kind == Kind.STOCK:
        return "center" if width >= 70 and height >= 40 else "top"
    return "bottom"


def _label_rect(body: QRectF, side: str, width: float, height: float) -> QRectF:
    """The rectangle of a ``width`` x ``height`` name on ``side`` of ``body`` (XMILE label_side)."""
    cx, cy = body.center().x(), body.center().y()
    if side == "top":
        return QRectF(cx - width / 2, body.top() - LABEL_GAP - height, width, height)
    if side == "left":
        return QRectF(body.left() - LABEL_GAP - width, cy - height / 2, width, height)
    if side == "right":
        return QRectF(body.right() + LABEL_GAP, cy - height / 2, width, height)
    if side == "center":
        return QRectF(cx - width / 2, cy - height / 2, width, height)
    return QRectF(cx - width / 2, body.bottom() + LABEL_GAP, width, height)


#: Pens and brushes by (id of the canvas style, kind, element style), with the canvas style:
#: most variables of a map look alike, and sharing them halves the time to build its items.
_LOOKS: dict[tuple, tuple] = {}


class VariableItem(QGraphicsItem):
    """Draws one variable centred on its position; links and pipes clip to :meth:`contains_point`.

    The variable's own style (``element_style``) overrides the canvas style: ``color`` the
    edge of the box, circle or valve (and the name, without a ``font_color``), ``background``
    its fill (a concept's plate), ``font_color`` and ``font_size`` the name, ``border_width``
    the edge's width.
    """

    def __init__(self, var: Variable, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self._body = QRectF()
        self._text_rect = QRectF()
        self._plate = QRectF()
        self._bounds = QRectF()
        self._highlight = 0  # 1: under the mouse, 2: the target of a link being drawn
        self._coarse: tuple | None = None
        self.var = var
        self.own_style = ElementStyle()
        self.update_from(var)

    @property
    def element_id(self) -> str:
        return self.var.id

    def update_from(self, var: Variable) -> None:
        """Take on a (changed) variable: position, kind, name, size, style."""
        self.prepareGeometryChange()
        self.var = var
        self._take_style(self._element_style(var))
        font = self.style.element_font(self.own_style.font_size, bold=var.kind == Kind.STOCK)
        metrics = QFontMetricsF(font)
        label = var.label
        if var.kind == Kind.CONCEPT:
            # a name plate; a file's width is a wrapping hint, never narrower than a word
            hint = var.size[0] if var.size else self.style.text_width
            text = metrics.boundingRect(QRectF(0, 0, hint, 1000), _WRAP, label)
            width = max(hint, text.width())
            self._text_rect = QRectF(-width / 2, -text.height() / 2, width, text.height())
            tight = text.width() / 2 + 6
            self._body = QRectF(-tight, -text.height() / 2 - 3, 2 * tight, text.height() + 6)
            self._plate = QRectF()
        else:
            if var.kind in (Kind.STOCK, Kind.MODULE):
                w, h = var.size or STOCK_SIZE
            else:
                r = AUX_RADIUS if var.kind != Kind.FLOW else VALVE_RADIUS
                w = h = 2 * r
            self._body = QRectF(-w / 2, -h / 2, w, h)
            side = var.view_extra.attribute("label_side") or _default_side(var.kind, w, h)
            inside = side == "center" and var.kind == Kind.STOCK
            width = w - 10 if inside else self.style.text_width
            text = metrics.boundingRect(QRectF(0, 0, width, 1000), _WRAP, label)
            tw, th = min(max(text.width(), 1.0), width), text.height()
            self._text_rect = _label_rect(self._body, side, tw, th)
            # names outside a symbol sit on a plate of background colour: links pass behind
            self._plate = QRectF() if inside else self._text_rect.adjusted(-2, -1, 2, 1)
        self._font = font
        self._bounds = self._body.united(self._text_rect).adjusted(-4, -4, 4, 4)
        self._coarse = None  # what _paint_coarse draws, worked out when first needed
        self.setPos(QPointF(*var.position))
        self.setToolTip(self._tooltip(var))
        self.update()

    def _element_style(self, var: Variable) -> ElementStyle:
        return style_of(var)

    def _take_style(self, own: ElementStyle) -> None:
        """Work out the pens and brushes once, not at every paint (and once for all the items
        of a kind that share a style)."""
        self.own_style = own
        key = (id(self.style), self.var.kind, own)
        looks = _LOOKS.get(key)
        if looks is None or looks[0] is not self.style:
            looks = _LOOKS[key] = (self.style, *self._looks(own))
        (
            _,
            self._edge_pen,
            self._coarse_pen,
            self._fill,
            self._coarse_fill,
            self._bow,
            self._text_colour,
            self._grey,
        ) = looks

    def _looks(self, own: ElementStyle) -> tuple:
        style, kind = self.style, self.var.kind
        valve = kind == Kind.FLOW
        edge = colour(own.color, style.pipe_edge if valve else style.stock_edge)
        width = 1.6 if kind in (Kind.STOCK, Kind.MODULE) else 1.3
        edge_pen = QPen(edge, style.element_width(own.border_width, width))
        coarse_pen = QPen(edge, style.element_width(own.border_width, 1.3))
        if valve:
            default_fill = style.pipe_fill
        elif kind == Kind.STOCK:
            default_fill = style.stock_fill
        elif kind == Kind.CONCEPT:
            default_fill = style.background
        else:
            default_fill = style.aux_fill
        fill = QBrush(colour(own.background, default_fill))
        boxed = kind in (Kind.STOCK, Kind.MODULE)
        coarse_fill = QBrush(colour(own.background, style.stock_fill if boxed else style.aux_fill))
        text = colour(own.font_color or own.color, style.text)
        grey = QColor(text)
        grey.setAlpha(80)
        return edge_pen, coarse_pen, fill, coarse_fill, QBrush(edge), text, grey

    @staticmethod
    def _tooltip(var: Variable) -> str:
        lines = [f"<b>{var.label}</b> <i>({var.kind.value})</i>"]
        if var.equation:
            lines.append(f"= {var.equation}")
        if var.units:
            lines.append(f"units: {var.units}")
        if var.documentation:
            lines.append(var.documentation)
        if var.tags:
            lines.append("tags: " + ", ".join(var.tags))
        return "<br>".join(lines)

    def contains_point(self, *, name: bool = True) -> Contains:
        """A test, in scene coordinates, for points inside the shape links stop at: the body
        and its name's plate, or with ``name=False`` the body alone (a valve's circle, where
        links into a flow end wherever its name is)."""
        c = self.pos()
        body = self._body
        if self.var.kind in (Kind.AUX, Kind.FLOW):
            in_body = ellipse_contains(c, body.width() / 2 + 2, body.height() / 2 + 2)
        else:
            in_body = rect_contains(c, body.width() / 2 + 2, body.height() / 2 + 2)
        if self._plate.isNull() or not name:
            return in_body
        # links stop at the name too, or its plate would hide their arrowheads
        plate = self._plate.translated(c)
        in_plate = rect_contains(plate.center(), plate.width() / 2 + 1, plate.height() / 2 + 1)
        return lambda x, y: in_body(x, y) or in_plate(x, y)

    def body_rect(self) -> QRectF:
        """The drawn body (box, circle or text plate) in scene coordinates."""
        return self._body.translated(self.pos())

    def label_rect(self) -> QRectF:
        """Where the name is written, in scene coordinates, as wide as names wrap."""
        rect = self._text_rect.translated(self.pos())
        inside = self._plate.isNull() and self.var.kind != Kind.CONCEPT  # a name inside a stock's box
        width = rect.width() if inside else max(rect.width(), self.style.text_width)
        return QRectF(rect.center().x() - width / 2, rect.top(), width, rect.height())

    def label_font(self):
        """The font the name is drawn in."""
        return self._font

    def live_var(self) -> Variable:
        """The variable at the item's current position (which leads the map while dragging)."""
        p = self.pos()
        if (p.x(), p.y()) == tuple(self.var.position):
            return self.var
        return self.var.evolve(position=(p.x(), p.y()))

    def set_highlight(self, level: int) -> None:
        """0: plain, 1: under the mouse, 2: the target a link being drawn would reach."""
        if level != self._highlight:
            self._highlight = level
            self.update()

    def hoverEnterEvent(self, event) -> None:
        self.set_highlight(max(self._highlight, 1))
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        if self._highlight == 1:
            self.set_highlight(0)
        super().hoverLeaveEvent(event)

    # -- QGraphicsItem -------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._body.united(self._text_rect))
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < COARSE_BELOW:
            self._paint_coarse(painter, option, lod)
            return
        style = self.style
        kind = self.var.kind
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if kind == Kind.STOCK:
            painter.setPen(self._edge_pen)
            painter.setBrush(self._fill)
            painter.drawRect(self._body)
        elif kind == Kind.AUX:
            painter.setPen(self._edge_pen)
            painter.setBrush(self._fill)
            painter.drawEllipse(self._body)
        elif kind == Kind.MODULE:  # XMILE recommends a rounded rectangle
            painter.setPen(self._edge_pen)
            painter.setBrush(self._fill)
            painter.drawRoundedRect(self._body, 9, 9)
        elif kind == Kind.FLOW:
            self._paint_valve(painter)
        else:  # a concept: its plate, in its own fill or the canvas's colour
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._fill)
            painter.drawRoundedRect(self._body, 6, 6)
        if not self._plate.isNull():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(style.background))
            painter.drawRoundedRect(self._plate, 4, 4)
        if self._highlight:  # a translucent tint over the body, under the name
            glow = QColor(style.selection)
            glow.setAlpha(35 if self._highlight == 1 else 60)
            painter.setPen(QPen(style.selection, 1.5) if self._highlight == 2 else Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(glow))
            painter.drawRoundedRect(self._bounds.adjusted(1, 1, -1, -1), 5, 5)
        if lod * self._font.pixelSize() >= MIN_TEXT_PX:
            painter.setFont(self._font)
            painter.setPen(self._text_colour)
            painter.drawText(self._text_rect, _WRAP, self.var.label)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(style.selection, 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._bounds.adjusted(1, 1, -1, -1), 4, 4)

    def _coarse_parts(self) -> tuple:
        """(longer side, outline: 0 none, 1 box, 2 circle, name bars, one bar for the whole
        name, level of detail below which the bars merge into one)."""
        var, rect, font = self.var, self._text_rect, self._font
        extent = max(self._bounds.width(), self._bounds.height())
        outline = {Kind.STOCK: 1, Kind.MODULE: 1, Kind.AUX: 2, Kind.FLOW: 2}.get(var.kind, 0)
        if var.kind == Kind.CONCEPT:  # its body is its name's plate, as wide as the text
            rect = self._body.adjusted(6, 3, -6, -3)
        line = font.pixelSize() * 1.2
        lines = max(1, round(rect.height() / line))
        top, width = rect.top() + line * 0.25, rect.width()
        bars = [QRectF(rect.left(), top + i * line, width, line * 0.5) for i in range(lines)]
        block = QRectF(rect.left(), rect.top() + rect.height() * 0.25, width, rect.height() * 0.5)
        return extent, outline, bars, block, 3.0 / (lines * line)

    def _paint_coarse(self, painter: QPainter, option, lod: float) -> None:
        """Zoomed out: the body's outline, the name as text only if it is still legible, else
        as grey bars where its lines are (the map keeps its look; text costs most to draw);
        a few pixels small, one grey bar. (Runs for every variable of a large map in view:
        what it needs is worked out in ``update_from``.)"""
        if self._coarse is None:
            self._coarse = self._coarse_parts()
        extent, outline, bars, block, merge_below = self._coarse
        marked = self._highlight or self.isSelected()
        if lod * extent < SPECK_PX and not marked:  # its name's bar says enough
            painter.fillRect(block, self._grey)
            return
        if outline:
            painter.setPen(self._coarse_pen)
            painter.setBrush(self._coarse_fill)
            if outline == 1:
                painter.drawRect(self._body)
            else:
                painter.drawEllipse(self._body)
        if marked:
            style = self.style
            tint = QColor(style.selection)
            tint.setAlpha(70 if self.isSelected() else 35)
            pen = QPen(style.selection, 2.0)
            pen.setCosmetic(True)  # two screen pixels, however far out
            painter.setPen(pen)
            painter.setBrush(QBrush(tint))
            painter.drawRect(self._bounds.adjusted(1, 1, -1, -1))
        if lod * self._font.pixelSize() >= MIN_TEXT_PX:
            painter.setFont(self._font)
            painter.setPen(self._text_colour)
            painter.drawText(self._text_rect, _WRAP, self.var.label)
        elif lod < merge_below:  # the lines would merge: one bar for the block
            painter.fillRect(block, self._grey)
        else:
            for bar in bars:
                painter.fillRect(bar, self._grey)

    def _paint_valve(self, painter: QPainter) -> None:
        r = self._body.width() / 2
        painter.setPen(self._edge_pen)
        painter.setBrush(self._fill)
        painter.drawEllipse(self._body)
        # the bow-tie of a valve
        bow = QPainterPath()
        bow.moveTo(-r * 0.55, -r * 0.55)
        bow.lineTo(r * 0.55, r * 0.55)
        bow.lineTo(r * 0.55, -r * 0.55)
        bow.lineTo(-r * 0.55, r * 0.55)
        bow.closeSubpath()
        painter.setBrush(self._bow)
        painter.drawPath(bow)


class AliasItem(VariableItem):
    """A ghost of a variable drawn elsewhere: the variable's look (its style, under the alias's
    own where the alias has one), with a dashed frame."""

    def __init__(self, alias: Alias, var: Variable, style: CanvasStyle = DEFAULT_STYLE):
        self.alias = alias
        super().__init__(var.evolve(position=alias.position), style)

    @property
    def element_id(self) -> str:
        return self.alias.id

    def update_alias(self, alias: Alias, var: Variable) -> None:
        self.alias = alias
        self.update_from(var.evolve(position=alias.position))

    def _element_style(self, var: Variable) -> ElementStyle:
        return merged(style_of(self.alias), style_of(var))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        super().paint(painter, option, widget)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < COARSE_BELOW:
            return  # no frame: zoomed out, an alias looks like its variable
        painter.setPen(QPen(self.style.link, 1.0, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self._body.adjusted(-3, -3, 3, 3), 5, 5)
