"""Context menus of canvas items: what a right-click on a link or a variable offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QActionGroup, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu

from sysmap.errors import ModelError
from sysmap.model import Alias, Kind, Polarity, Variable
from sysmap.model.style import element_style, restyle
from sysmap.model.workshop import has_perspective, perspective_colour, tag_perspective

if TYPE_CHECKING:
    from sysmap.ui.canvas.editing import CanvasEditor

POLARITIES = (
    ("Positive (+)", Polarity.POSITIVE),
    ("Negative (\u2212)", Polarity.NEGATIVE),
    ("Unknown (?)", Polarity.UNKNOWN),
    ("None", Polarity.NONE),
)
KINDS = (("Concept", Kind.CONCEPT), ("Stock", Kind.STOCK), ("Auxiliary", Kind.AUX))

#: The preset colours of lines and text: the canvas style's own (its polarity and loop
#: colours) where it has one, XMILE's named colours otherwise. (menu text, ``#rrggbb``)
STYLE_COLOURS = (
    ("Black", "#000000"),
    ("Gray", "#808080"),
    ("Red", "#c0392b"),
    ("Green", "#1e7a3c"),
    ("Blue", "#1f5fa8"),
    ("Orange", "#b35a00"),
    ("Purple", "#800080"),
    ("Teal", "#008080"),
)
#: Every field :func:`sysmap.model.style.restyle` knows, cleared by "Reset style".
STYLE_FIELDS = ("color", "background", "font_color", "font_size", "line_width", "border_width")


def swatch_icon(colours: list[str | None], width: int = 16, height: int = 12) -> QIcon:
    """A small framed swatch, in vertical stripes for several colours; ``None`` draws the
    "no colour of its own" sign (white, struck through)."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    inner = QRectF(0.5, 0.5, width - 1, height - 1)
    colours = colours or [None]
    stripe = inner.width() / len(colours)
    for i, colour in enumerate(colours):
        part = QRectF(inner.left() + i * stripe, inner.top(), stripe, inner.height())
        painter.fillRect(part, QColor(colour or "#ffffff"))
        if colour is None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor("#c0392b"), 1.2))
            painter.drawLine(part.bottomLeft(), part.topRight())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(QColor("#7a858f"), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(inner)
    painter.end()
    return QIcon(pixmap)


def restyle_items(editor: CanvasEditor, ids: list[str], **changes) -> bool:
    """Set style fields of the elements ``ids`` as one undo step ("Restyle 2 items");
    nothing happens when they have that style already."""
    doc = editor.scene.doc
    try:
        edit = restyle(doc, ids, **changes)
    except ModelError as exc:
        editor.scene.message.emit(str(exc))
        return False
    if not edit.edits:
        return False
    return editor.perform(lambda: edit) is not None


def style_menu(editor: CanvasEditor, ids: list[str], menu: QMenu) -> QMenu:
    """Add a "Style" submenu to ``menu``: preset colours and "Reset style" for ``ids``.

    A colour is checked when every element has it; "Reset style" (back to the canvas style)
    is enabled when some element has a style of its own.
    """
    doc = editor.scene.doc
    styles = [element_style(doc.element(eid)) for eid in ids]
    colours = {style.color for style in styles}
    submenu = menu.addMenu("Style")
    for text, colour in STYLE_COLOURS:
        action = submenu.addAction(swatch_icon([colour]), text)
        action.setCheckable(True)
        action.setChecked(colours == {colour})
        action.triggered.connect(lambda _=False, c=colour: restyle_items(editor, ids, color=c))
    submenu.addSeparator()
    reset = submenu.addAction("Reset style")
    reset.setToolTip("Draw with the canvas style again")
    reset.setEnabled(any(styles))
    reset.triggered.connect(lambda _=False: restyle_items(editor, ids, **dict.fromkeys(STYLE_FIELDS)))
    return submenu


def perspective_menu(editor: CanvasEditor, ids: list[str], menu: QMenu) -> QMenu | None:
    """Add a "Perspective" submenu to ``menu`` when the map has perspectives: one checkable
    entry each (checked when every element of ``ids`` carries it) that tags or untags them
    all as one undo step. ``None`` when the map has no perspectives."""
    doc = editor.scene.doc
    if not doc.perspectives:
        return None
    submenu = menu.addMenu("Perspective")
    elements = [doc.element(eid) for eid in ids]
    for perspective in doc.perspectives:
        action = submenu.addAction(swatch_icon([perspective_colour(doc, perspective)]), perspective.name)
        action.setCheckable(True)
        action.setChecked(all(has_perspective(e, perspective.name) for e in elements))
        action.triggered.connect(
            lambda on, name=perspective.name: editor.perform(lambda: tag_perspective(doc, ids, name, on))
        )
    return submenu


def link_menu(editor: CanvasEditor, link_ids: list[str], parent=None) -> QMenu:
    """Polarity, delay, straighten, style and delete for the links ``link_ids`` (checked
    marks show the state of the first)."""
    doc = editor.scene.doc
    first = doc.links[link_ids[0]]
    menu = QMenu(parent)
    group = QActionGroup(menu)
    for text, polarity in POLARITIES:
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(first.polarity == polarity)
        action.setActionGroup(group)
        action.triggered.connect(lambda _=False, p=polarity: editor.set_polarity(p, link_ids))
    menu.addSeparator()
    delay = menu.addAction("Delay")
    delay.setCheckable(True)
    delay.setChecked(first.delay)
    delay.triggered.connect(lambda _=False: editor.toggle_delay(link_ids))
    straighten = menu.addAction("Straighten")
    straighten.setEnabled(any(doc.links[lid].curvature or doc.links[lid].points for lid in link_ids))
    straighten.triggered.connect(lambda _=False: editor.straighten(link_ids))
    style_menu(editor, list(link_ids), menu)
    perspective_menu(editor, list(link_ids), menu)
    menu.addSeparator()
    menu.addAction("Delete").triggered.connect(lambda _=False: editor.delete_selection())
    return menu


def styled_variables(editor: CanvasEditor, vid: str) -> list[str]:
    """The variables a variable's "Style" menu restyles: the selected ones (an alias stands
    for its variable) when ``vid`` is among them, else ``vid`` alone."""
    doc = editor.scene.doc
    chosen: dict[str, None] = {}
    for eid in editor.scene.selected_ids():
        element = doc.element(eid)
        if isinstance(element, Alias):
            chosen[element.of] = None
        elif isinstance(element, Variable):
            chosen[eid] = None
    return list(chosen) if vid in chosen else [vid]


def variable_menu(editor: CanvasEditor, vid: str, parent=None) -> QMenu:
    """Rename, delete, alias, kind and style for variable ``vid``."""
    doc = editor.scene.doc
    var = doc.variables[vid]
    menu = QMenu(parent)
    menu.addAction("Rename").triggered.connect(lambda _=False: editor.edit_text(vid))
    menu.addAction("Delete").triggered.connect(lambda _=False: editor.delete_selection())
    menu.addAction("Create alias").triggered.connect(lambda _=False: editor.create_alias(vid))
    kinds = menu.addMenu("Kind")
    group = QActionGroup(kinds)
    for text, kind in KINDS:
        action = kinds.addAction(text)
        action.setCheckable(True)
        action.setChecked(var.kind == kind)
        action.setActionGroup(group)
        action.triggered.connect(lambda _=False, k=kind: editor.set_kind(vid, k))
    style_menu(editor, styled_variables(editor, vid), menu)
    perspective_menu(editor, styled_variables(editor, vid), menu)
    return menu


def text_menu(editor: CanvasEditor, eid: str, parent=None) -> QMenu:
    """Edit and delete for a note or a loop label."""
    menu = QMenu(parent)
    menu.addAction("Edit text").triggered.connect(lambda _=False: editor.edit_text(eid))
    menu.addAction("Delete").triggered.connect(lambda _=False: editor.delete_selection())
    return menu
