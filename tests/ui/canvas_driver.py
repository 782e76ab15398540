"""Drives a map view as a user does: clicks, double-clicks, drags, keys and context menus."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sysmap.model import SystemMap
from sysmap.ui.canvas.inline_edit import InlineEditor
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.view import MapView

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NONE, SHIFT = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier


@dataclass
class Canvas:
    """A map shown in an editable view, with helpers that act as the user would."""

    doc: SystemMap
    stack: QUndoStack
    scene: MapScene
    view: MapView
    messages: list[str]

    def at(self, x: float, y: float) -> QPoint:
        return self.view.mapFromScene(QPointF(x, y))

    def click(self, x, y, mods=NONE):
        QTest.mouseClick(self.view.viewport(), LEFT, mods, self.at(x, y))

    def double_click(self, x, y):
        QTest.mouseDClick(self.view.viewport(), LEFT, NONE, self.at(x, y))

    def press(self, x, y, mods=NONE):
        QTest.mousePress(self.view.viewport(), LEFT, mods, self.at(x, y))

    def move_to(self, x, y):
        QTest.mouseMove(self.view.viewport(), self.at(x, y))

    def release(self, x, y, mods=NONE):
        QTest.mouseRelease(self.view.viewport(), LEFT, mods, self.at(x, y))

    def drag(self, a, b, steps=6):
        self.press(*a)
        for i in range(1, steps + 1):
            t = i / steps
            self.move_to(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        self.release(*b)

    def type(self, text: str):
        QTest.keyClicks(self.view, text)

    def key(self, key, mods=NONE, text=None):
        if text is None:
            QTest.keyClick(self.view, key, mods)
        else:  # keys whose text depends on the keyboard layout (+, ?)
            QTest.keyClick(self.view, text, mods)

    @property
    def editor(self) -> InlineEditor | None:
        return self.scene.editing.inline

    def named(self, name):
        return self.doc.variable_named(name)

    def add_named(self, name, x, y):
        """Double-click on empty canvas, type a name, Enter."""
        self.double_click(x, y)
        assert self.editor is not None
        self.type(name)
        self.key(Qt.Key.Key_Return)
        assert self.editor is None, self.messages
        return self.named(name)

    def context_menu(self, x, y, choose: list[str]):
        """Right-click at (x, y) and choose the menu entries ``choose`` (a path through submenus)."""
        chosen = []

        def pick():
            menu = QApplication.activePopupWidget()
            for text in choose:
                action = next(a for a in menu.actions() if a.text() == text)
                if action.menu() is not None:
                    menu = action.menu()
                    continue
                chosen.append(action.text())
                action.trigger()
            QApplication.activePopupWidget().close() if QApplication.activePopupWidget() else None
            while QApplication.activePopupWidget():
                QApplication.activePopupWidget().close()

        QTimer.singleShot(0, pick)
        pos = self.at(x, y)
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, self.view.viewport().mapToGlobal(pos))
        QApplication.sendEvent(self.view.viewport(), event)
        return chosen


def open_canvas(qtbot, doc: SystemMap, size=(1000, 800), rect: QRectF | None = None) -> Canvas:
    """An editable view of ``doc``, shown and focused, with a fixed scene rectangle (``rect``,
    else one of the view's size centred on the origin) so that clicks land where aimed as the
    map grows; detach its scene when done."""
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    view = MapView(scene)
    qtbot.addWidget(view)
    width, height = size
    view.resize(width, height)
    view.setSceneRect(rect if rect is not None else QRectF(-width / 2, -height / 2, width, height))
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.setFocus()
    messages: list[str] = []
    scene.message.connect(messages.append)
    return Canvas(doc, stack, scene, view, messages)
