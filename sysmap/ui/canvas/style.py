"""Colours, pens and fonts of the canvas, in one place (a projector style will swap them).

An element may carry its own style (:func:`sysmap.model.style.element_style`: colours, a
font size in points, line and border widths); the items draw with those fields where set and
with the canvas style elsewhere. Sizes an element gives are grown with the canvas style, so
the projector style still enlarges a styled map: font sizes by :attr:`CanvasStyle.scale`,
widths by :attr:`CanvasStyle.line_scale`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from PySide6.QtGui import QColor, QFont

from sysmap.model.elements import NO_EXTRAS
from sysmap.model.style import ElementStyle, element_style

#: Pixels per point: XMILE sizes fonts in points, the canvas in pixels at 96 per inch.
PX_PER_PT = 4.0 / 3.0


def _colour(hex_code: str):
    return field(default_factory=lambda: QColor(hex_code))


@dataclass(frozen=True)
class CanvasStyle:
    """The look of a map: every item reads its colours and sizes from here."""

    background: QColor = _colour("#ffffff")
    text: QColor = _colour("#1f2a33")
    link: QColor = _colour("#5b6873")
    positive: QColor = _colour("#1e7a3c")
    negative: QColor = _colour("#c0392b")
    unknown: QColor = _colour("#8e6c00")
    stock_fill: QColor = _colour("#eef4fb")
    stock_edge: QColor = _colour("#2c4a66")
    pipe_edge: QColor = _colour("#2c4a66")
    pipe_fill: QColor = _colour("#ffffff")
    aux_fill: QColor = _colour("#fdfdfd")
    loop_reinforcing: QColor = _colour("#1f5fa8")
    loop_balancing: QColor = _colour("#b35a00")
    note_text: QColor = _colour("#4d5963")
    selection: QColor = _colour("#2f80ed")
    font_family: str = "DejaVu Sans"
    font_px: int = 13
    link_width: float = 1.5
    text_width: float = 112.0  # concept names wrap at this width

    @property
    def scale(self) -> float:
        """How much larger than the default style this one draws its type and marks."""
        return self.font_px / 13.0

    @property
    def line_scale(self) -> float:
        """How much thicker than the default style this one draws lines."""
        return self.link_width / 1.5

    def font(self, scale: float = 1.0, bold: bool = False, italic: bool = False) -> QFont:
        """The canvas font, ``scale`` times its size."""
        font = QFont(self.font_family)
        font.setPixelSize(max(1, round(self.font_px * scale)))
        font.setBold(bold)
        font.setItalic(italic)
        return font

    def element_font(
        self, points: float | None, scale: float = 1.0, bold: bool = False, italic: bool = False
    ) -> QFont:
        """The font of an element whose own size is ``points`` (``None``: the canvas font),
        ``scale`` times as large, as :meth:`font` is."""
        font = self.font(scale, bold, italic)
        if points is not None:
            font.setPixelSize(max(1, round(points * PX_PER_PT * self.scale * scale)))
        return font

    def element_width(self, own: float | None, default: float) -> float:
        """A line's width: the element's own (grown as this style grows lines), else ``default``."""
        return default if own is None else own * self.line_scale


DEFAULT_STYLE = CanvasStyle()

#: For a room with a projector: large type, thick lines, stronger colours that survive a
#: washed-out beam (the canvas stays white: projectors render dark backgrounds poorly).
PROJECTOR_STYLE = CanvasStyle(
    text=QColor("#000000"),
    link=QColor("#222222"),
    positive=QColor("#006b1f"),
    negative=QColor("#b00000"),
    unknown=QColor("#7a5200"),
    stock_edge=QColor("#000000"),
    pipe_edge=QColor("#000000"),
    loop_reinforcing=QColor("#003f9e"),
    loop_balancing=QColor("#a03c00"),
    note_text=QColor("#202020"),
    font_px=22,
    link_width=3.0,
    text_width=170.0,
)


def colour(code: str | None, default: QColor) -> QColor:
    """The colour ``#rrggbb`` of an element's style, or ``default`` when it has none."""
    return QColor(code) if code is not None else default


def merged(own: ElementStyle, base: ElementStyle) -> ElementStyle:
    """``own``'s fields where set, ``base``'s elsewhere (an alias over its variable)."""
    if not own or not base:
        return own or base
    return replace(
        base, **{f.name: getattr(own, f.name) for f in fields(own) if getattr(own, f.name) is not None}
    )


def style_of(element) -> ElementStyle:
    """:func:`~sysmap.model.style.element_style` of ``element``, read once per set of attributes
    (the elements of a map share a few: building a large map's items reads each once)."""
    attributes = getattr(element, "view_extra", NO_EXTRAS).attributes
    if not attributes:
        return _PLAIN
    style = _STYLES.get(attributes)
    if style is None:
        if len(_STYLES) > 4096:
            _STYLES.clear()
        style = _STYLES[attributes] = element_style(element)
    return style


_PLAIN = ElementStyle()
#: an element's view_extra attributes -> its style
_STYLES: dict[tuple, ElementStyle] = {}
