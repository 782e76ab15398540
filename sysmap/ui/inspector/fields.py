"""Form fields that edit a document value: they commit a finished draft and follow the document.

Each committing field keeps the document's ``value`` beside what is typed. Enter (Ctrl+Enter in
multi-line fields) or leaving the field commits the draft; Esc puts the document's value back.
When the document changes under a field, :meth:`show_value` updates it without moving the
cursor -- and leaves a draft the user is still typing alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: Colours of the notes under fields, by tone.
TONES = {"error": "#c0392b", "warning": "#8e6c00", "ok": "#1e7a3c", "muted": "#5b6873"}


class _Committing:
    """What the committing fields share: the document's ``value`` beside the draft, showing a
    new value without losing a draft, Esc to revert, committing when focus leaves. A field
    gives :meth:`current_text` and :meth:`_show_text`, and the signals ``committed(str)`` and
    ``reverted()`` (Qt signals live on the Qt class)."""

    value = ""

    def current_text(self) -> str:
        raise NotImplementedError

    def _show_text(self, text: str) -> None:
        """Put ``text`` in the field; the cursor stays where it was while the field is being
        edited, else goes to the start (a long value shows its beginning)."""
        raise NotImplementedError

    def is_dirty(self) -> bool:
        """Whether the field holds a draft that differs from the document."""
        return self.current_text() != self.value

    def show_value(self, text: str, *, force: bool = False) -> None:
        """Show the document's ``text``; a draft is kept unless ``force``, and the cursor stays put."""
        dirty = self.is_dirty()
        self.value = text
        if (dirty and not force) or self.current_text() == text:
            return
        self._show_text(text)

    def revert(self) -> None:
        """Drop the draft and show the document's value again."""
        self.show_value(self.value, force=True)
        self.reverted.emit()

    def _reverted_by(self, event: QKeyEvent) -> bool:
        if event.key() != Qt.Key.Key_Escape:
            return False
        self.revert()
        event.accept()
        return True

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.is_dirty():
            self.committed.emit(self.current_text())


class CommitLine(_Committing, QLineEdit):
    """A one-line field that emits ``committed(text)`` on Enter, and on focus-out when changed."""

    committed = Signal(str)
    reverted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.value = ""
        self.returnPressed.connect(lambda: self.committed.emit(self.text()))

    def current_text(self) -> str:
        return self.text()

    def _show_text(self, text: str) -> None:
        pos = self.cursorPosition()
        self.setText(text)
        self.setCursorPosition(min(pos, len(text)) if self.hasFocus() else 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._reverted_by(event):
            super().keyPressEvent(event)


class CommitText(_Committing, QPlainTextEdit):
    """A multi-line field: Ctrl+Enter or focus-out commits (``committed(text)``), Esc reverts.

    Tab moves to the next field, as in a form.
    """

    committed = Signal(str)
    reverted = Signal()

    def __init__(self, lines: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self.value = ""
        self.setTabChangesFocus(True)
        self.set_lines(lines)

    def set_lines(self, lines: int) -> None:
        """Make the field ``lines`` lines of the current font high."""
        margins = self.contentsMargins()
        height = self.fontMetrics().lineSpacing() * lines + 2 * self.document().documentMargin()
        self.setFixedHeight(round(height + margins.top() + margins.bottom() + 2))

    def current_text(self) -> str:
        return self.toPlainText()

    def _show_text(self, text: str) -> None:
        pos = self.textCursor().position()
        self.setPlainText(text)
        if self.hasFocus():
            cursor = self.textCursor()
            cursor.setPosition(min(pos, len(text)))
            self.setTextCursor(cursor)
        else:
            self.moveCursor(QTextCursor.MoveOperation.Start)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
            self.committed.emit(self.toPlainText())
            event.accept()
            return
        if not self._reverted_by(event):
            super().keyPressEvent(event)


def relayout(widget: QWidget) -> None:
    """Make every layout above ``widget`` measure again.

    A form caches the heights of its word-wrapped rows and does not notice when a wrapped
    label in a row changes its text; without this, a longer message is clipped.
    """
    while widget is not None:
        if widget.layout() is not None:
            widget.layout().invalidate()
        widget = widget.parentWidget()


def commit_fields(widget: QWidget) -> list[CommitLine | CommitText]:
    """Every committing field inside ``widget``."""
    return [*widget.findChildren(CommitLine), *widget.findChildren(CommitText)]


class Note(QLabel):
    """A small coloured line of text under a field, hidden while empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self.tone = ""
        self.hide()

    def say(self, text: str, tone: str = "muted") -> None:
        """Show ``text`` in ``tone`` (``error``, ``warning``, ``ok``, ``muted``); empty hides the note."""
        if (text, tone if text else "") == (self.text(), self.tone):
            return
        self.tone = tone if text else ""
        self.setText(text)
        self.setStyleSheet(f"color: {TONES[tone]};")
        self.setVisible(bool(text))
        relayout(self)

    def clear(self) -> None:
        """Empty and hide the note."""
        self.say("")


class FieldBox(QWidget):
    """A field with notes under it (errors, warnings), as one cell of a form."""

    def __init__(self, field: QWidget, notes: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        self.notes = [Note(self) for _ in range(notes)]
        for note in self.notes:
            layout.addWidget(note)

    @property
    def note(self) -> Note:
        """The first note (the one errors go to)."""
        return self.notes[0]


class RefList(QListWidget):
    """A short list of variables; clicking (or Enter on) one emits ``chosen(id)``.

    Each entry is ``(id, text, colour)``; the list is as high as its entries, up to
    ``max_rows``, and shows "none" when empty.
    """

    chosen = Signal(str)

    def __init__(self, max_rows: int = 6, parent: QWidget | None = None):
        super().__init__(parent)
        self.max_rows = max_rows
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self._shown: list[tuple[str, str, str]] | None = None

    def set_entries(self, entries: list[tuple[str, str, str]]) -> None:
        """Show ``(id, text, colour)`` entries (unchanged entries are not rebuilt)."""
        if entries == self._shown:
            return
        self._shown = list(entries)
        self.clear()
        for vid, text, colour in entries:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, vid)
            item.setToolTip(f"Select {text.split(' ', 1)[-1].strip()} on the map")
            if colour:
                item.setForeground(QColor(colour))
            self.addItem(item)
        if not entries:
            item = QListWidgetItem("none")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
        rows = max(1, min(self.count(), self.max_rows))
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 2)
        self.setCursor(Qt.CursorShape.PointingHandCursor if entries else Qt.CursorShape.ArrowCursor)

    def ids(self) -> list[str]:
        """The variable ids listed, in order."""
        return [vid for vid, _, _ in self._shown or ()]

    def _clicked(self, item: QListWidgetItem) -> None:
        vid = item.data(Qt.ItemDataRole.UserRole)
        if vid:
            self.chosen.emit(vid)


class Segmented(QWidget):
    """Exclusive toggle buttons side by side; ``chosen(value)`` when the user clicks one.

    ``options`` are ``(value, text, tooltip)``. :meth:`set_value` with a value not among them
    (``None`` for a mixed selection) leaves every button up.
    """

    chosen = Signal(str)

    def __init__(self, options: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        for value, text, tip in options:
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(30)
            self.group.addButton(button)
            self.buttons[value] = button
            button.clicked.connect(lambda _=False, v=value: self.chosen.emit(v))
            layout.addWidget(button)

    def value(self) -> str | None:
        """The value of the pressed button, ``None`` if none is."""
        return next((v for v, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: str | None) -> None:
        """Press the button of ``value`` (none for an unknown value), without emitting ``chosen``."""
        self.group.setExclusive(False)
        for v, button in self.buttons.items():
            button.setChecked(v == value)
        self.group.setExclusive(True)
