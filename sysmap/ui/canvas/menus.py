"""Context menus of canvas items: what a right-click on a link or a variable offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu

from sysmap.model import Kind, Polarity

if TYPE_CHECKING:
    from sysmap.ui.canvas.editing import CanvasEditor

POLARITIES = (
    ("Positive (+)", Polarity.POSITIVE),
    ("Negative (\u2212)", Polarity.NEGATIVE),
    ("Unknown (?)", Polarity.UNKNOWN),
    ("None", Polarity.NONE),
)
KINDS = (("Concept", Kind.CONCEPT), ("Stock", Kind.STOCK), ("Auxiliary", Kind.AUX))


def link_menu(editor: CanvasEditor, link_ids: list[str], parent=None) -> QMenu:
    """Polarity, delay, straighten and delete for the links ``link_ids`` (checked marks show
    the state of the first)."""
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
    straighten.setEnabled(any(doc.links[lid].curvature for lid in link_ids))
    straighten.triggered.connect(lambda _=False: editor.straighten(link_ids))
    menu.addSeparator()
    menu.addAction("Delete").triggered.connect(lambda _=False: editor.delete_selection())
    return menu


def variable_menu(editor: CanvasEditor, vid: str, parent=None) -> QMenu:
    """Rename, delete, alias and kind for variable ``vid``."""
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
    return menu


def text_menu(editor: CanvasEditor, eid: str, parent=None) -> QMenu:
    """Edit and delete for a note or a loop label."""
    menu = QMenu(parent)
    menu.addAction("Edit text").triggered.connect(lambda _=False: editor.edit_text(eid))
    menu.addAction("Delete").triggered.connect(lambda _=False: editor.delete_selection())
    return menu
