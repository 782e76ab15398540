"""The presenter's screen: what the room sees now, what comes next, the notes, the time.

A :class:`PresenterView` follows a :class:`~sysmap.ui.presentation.PresentationWindow`:
the current step's caption and presenter notes in large type, small pictures of the current
and the next step, the next step's caption, "Step 3 of 41" and the time since it opened.
The presentation's keys work in it too (it drives the presentation); P closes it.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.style import PROJECTOR_STYLE
from sysmap.ui.handout import render_step

#: Size of the current step's picture; the next step's is drawn at :data:`NEXT_SIZE`.
NOW_SIZE = (560, 340)
NEXT_SIZE = (360, 220)


def elapsed_text(msecs: int) -> str:
    """Elapsed time as a clock reads: ``"4:05"``, ``"1:02:09"`` past an hour.

    >>> elapsed_text(245_000), elapsed_text(3_729_000)
    ('4:05', '1:02:09')
    """
    seconds = max(0, msecs) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _label(px: int, colour: str = "#000000", bold: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # captions and notes come from the file
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    weight = "bold" if bold else "normal"
    label.setStyleSheet(f"font-size: {px}px; color: {colour}; font-weight: {weight};")
    return label


class PresenterView(QWidget):
    """The presenter's window for ``presentation`` (a PresentationWindow), which it follows
    and drives: ``caption``, ``notes``, ``next_caption``, ``counter``, ``clock`` (labels),
    ``now_picture`` and ``next_picture`` (labels holding pixmaps)."""

    def __init__(self, presentation, parent=None):
        super().__init__(presentation if parent is None else parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle("Presenter view")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("presenterView")
        self.setStyleSheet("#presenterView { background: #f4f4f4; }")
        self.presentation = presentation
        # a scene of its own: drawing the next step must not disturb the room's screen
        self._scene = MapScene(presentation.doc, style=PROJECTOR_STYLE)

        self.counter = _label(22, bold=True)
        self.clock = _label(22, "#444444")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for label in (self.counter, self.clock):
            label.setWordWrap(False)
        # wide enough for any count, so the line never waits for a relayout to fit
        self.counter.ensurePolished()  # the style sheet's font, not the default one
        self.counter.setMinimumWidth(self.counter.fontMetrics().horizontalAdvance("Step 0000 of 0000") + 8)
        self.now_picture = QLabel()
        self.next_picture = QLabel()
        for picture in (self.now_picture, self.next_picture):
            picture.setStyleSheet("border: 1px solid #bbbbbb; background: #ffffff;")
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = _label(26)
        self.notes = _label(22, "#1a3d6d")
        self.next_caption = _label(17, "#444444")

        top = QHBoxLayout()
        top.addWidget(self.counter)
        top.addStretch(1)
        top.addWidget(self.clock)
        grid = QGridLayout()
        grid.addWidget(_label(15, "#666666", True), 0, 0)
        grid.itemAtPosition(0, 0).widget().setText("Now")
        next_title = _label(15, "#666666", True)
        next_title.setText("Next")
        grid.addWidget(next_title, 0, 1)
        grid.addWidget(self.now_picture, 1, 0, Qt.AlignmentFlag.AlignTop)
        upcoming = QVBoxLayout()
        upcoming.addWidget(self.next_picture)
        upcoming.addWidget(self.next_caption)
        upcoming.addStretch(1)
        grid.addLayout(upcoming, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(12)
        column.addLayout(top)
        column.addLayout(grid)
        column.addWidget(self.caption)
        notes_title = _label(15, "#666666", True)
        notes_title.setText("Notes")
        column.addWidget(notes_title)
        column.addWidget(self.notes, 1)

        self._elapsed = QElapsedTimer()
        self._elapsed.start()  # from the first opening: reopening with P keeps the count
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_time)
        self._following = False
        presentation.closed.connect(self._room_closed)
        self._show_time()
        self.follow(max(0, presentation.step))

    def follow(self, index: int) -> None:
        """Show step ``index`` of the presentation and the one after it."""
        steps = self.presentation.steps
        if not steps:
            self.counter.setText("Nothing to present")
            self.caption.setText(self.presentation.caption.text())
            self.notes.setText("")
            self.next_caption.setText("")
            return
        n = len(steps)
        step = steps[index]
        self.counter.setText(f"Step {index + 1} of {n}")
        self.caption.setText(step.caption)
        self.notes.setText(step.notes or "(no notes)")
        self.now_picture.setPixmap(self._picture(index, NOW_SIZE))
        if index + 1 < n:
            self.next_caption.setText(steps[index + 1].caption)
            self.next_picture.setPixmap(self._picture(index + 1, NEXT_SIZE))
        else:
            self.next_caption.setText("(the end)")
            self.next_picture.setPixmap(QPixmap())
            self.next_picture.setFixedSize(*NEXT_SIZE)

    def _picture(self, index: int, size) -> QPixmap:
        steps = self.presentation.steps
        image = render_step(self._scene, steps[index], size, caption=False, last=index == len(steps) - 1)
        return QPixmap.fromImage(image)

    def _show_time(self) -> None:
        self.clock.setText(elapsed_text(self._elapsed.elapsed()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_P:
            self.close()
        elif self.presentation.handle_key(event.key()):
            event.accept()
        else:
            super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._following:
            self.presentation.stepChanged.connect(self.follow)
            self._following = True
        self.follow(max(0, self.presentation.step))
        self._show_time()
        self._tick.start()

    def closeEvent(self, event) -> None:
        # closed, not deleted: the presentation owns it and may open it again (P)
        self._tick.stop()
        if self.presentation.presenter is self:
            self.presentation.presenter = None
        if self._following:
            with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
                self.presentation.stepChanged.disconnect(self.follow)
            self._following = False
        super().closeEvent(event)

    def _room_closed(self) -> None:
        self.close()
        self._scene.detach()
