"""Editing a name or a note in place, on the canvas, where it is drawn.

The editor wraps its text at the width the item will wrap it, starts with all of it
selected (typing replaces it), commits on Enter and cancels on Esc. ``commit`` returns an
error message when the map refuses the text; the editor then stays open with a red frame,
so the user can correct it. ``check`` does the same while typing, so a taken name shows red
before Enter.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QTextCursor, QTextOption
from PySide6.QtWidgets import QGraphicsItem, QGraphicsTextItem, QStyle

from sysmap.ui.canvas.style import CanvasStyle

MARGIN = 3.0
ERROR = QColor("#c0392b")

#: ``commit(text)`` and ``check(text)`` return ``None`` when the text is fine, else why not.
Verdict = Callable[[str], str | None]


class InlineEditor(QGraphicsTextItem):
    """A text editor on the canvas over ``rect`` (scene coordinates), above every item.

    ``multiline`` editors (notes) take Shift+Enter as a new line; names are one paragraph,
    wrapped as the variable draws it.
    """

    def __init__(
        self,
        text: str,
        rect: QRectF,
        style: CanvasStyle,
        font,
        *,
        commit: Verdict,
        close: Callable[[], None],
        check: Verdict | None = None,
        report: Callable[[str], None] | None = None,
        multiline: bool = False,
        centred: bool = True,
    ):
        super().__init__()
        self.style = style
        self._commit, self._close, self._check = commit, close, check
        self._report = report or (lambda message: None)
        self.multiline = multiline
        self.error: str | None = None
        self.finished = False
        self.setZValue(1000)
        self.setFont(font)
        self.setDefaultTextColor(style.text)
        document = self.document()
        document.setDocumentMargin(MARGIN)
        option = QTextOption(document.defaultTextOption())
        option.setAlignment(Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft)
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(option)
        self.setTextWidth(rect.width() + 2 * MARGIN)
        self.setPos(rect.left() - MARGIN, rect.top() - MARGIN)
        self.setPlainText(text)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cursor)
        document.contentsChanged.connect(self._on_typing)

    def text(self) -> str:
        """The text as typed."""
        return self.toPlainText()

    def commit(self) -> bool:
        """Hand the text to ``commit``; close on success, else show why and stay open."""
        if self.finished:
            return True
        error = self._commit(self.text())
        if error:
            self._show_error(error)
            return False
        self.finished = True
        self._close()
        return True

    def cancel(self) -> None:
        """Close without changing anything."""
        if not self.finished:
            self.finished = True
            self._close()

    def _on_typing(self) -> None:
        if self._check is not None and not self.finished:
            error = self._check(self.text())
            if error != self.error:
                self._show_error(error)

    def _show_error(self, error: str | None) -> None:
        self.error = error
        self._report(error or "")
        self.update()

    # -- QGraphicsItem -----------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.cancel()
            event.accept()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            self.multiline and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.commit()
            event.accept()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.textCursor().insertText("\n")
            event.accept()
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        # Leaving for another window or a menu keeps the editor; clicking or tabbing away commits.
        if event.reason() in (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason):
            return
        if not self.finished and not self.commit():
            self.cancel()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        frame = self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(ERROR if self.error else self.style.selection, 2.0 if self.error else 1.2))
        painter.setBrush(QBrush(self.style.background))
        painter.drawRoundedRect(frame, 3, 3)
        # no dashed focus rectangle on top of the frame
        option.state &= ~(QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus)
        super().paint(painter, option, widget)
