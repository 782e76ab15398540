"""Colours, pens and fonts of the canvas, in one place (a projector style will swap them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor, QFont


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

    def font(self, scale: float = 1.0, bold: bool = False, italic: bool = False) -> QFont:
        font = QFont(self.font_family)
        font.setPixelSize(max(1, round(self.font_px * scale)))
        font.setBold(bold)
        font.setItalic(italic)
        return font


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
