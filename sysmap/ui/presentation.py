"""Presentation mode: a map revealed step by step, full screen, with a caption for each step.

The steps come from :func:`sysmap.analysis.narration.default_sequence`: a variable, a link,
then each loop as a whole with its narration. The window draws the map in the projector
style, read-only, fitted to the screen; what a step has not revealed yet is hidden, the
step's own elements are drawn as usual and the rest of what was revealed is dimmed.

Keys: Right, Down, Space, PageDown (next); Left, Up, PageUp (previous); Home, End;
B blanks the screen and B again brings it back; Escape closes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QStackedLayout, QVBoxLayout, QWidget

from sysmap.analysis.narration import Step, default_sequence
from sysmap.model import SystemMap
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.style import PROJECTOR_STYLE
from sysmap.ui.canvas.view import MapView

CAPTION_PX = 26
COUNTER_PX = 15
#: The caption keeps room for this many lines, so the map does not jump between steps.
CAPTION_LINES = 3
CAPTION_PAD = 12
#: Fitting never enlarges a small map beyond this (the projector style is large already).
FIT_MAX_ZOOM = 2.0

NEXT_KEYS = frozenset({Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_PageDown})
PREVIOUS_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp})


class PresentationWindow(QWidget):
    """Shows ``doc`` one :class:`~sysmap.analysis.narration.Step` at a time.

    ``steps`` defaults to ``default_sequence(doc)``. The window never edits ``doc``: its
    scene has no undo stack and its view takes no mouse edits. ``show_step(i)`` jumps to a
    step (clamped to the range); ``step`` is the index shown; ``blanked`` whether B has
    blanked the screen.
    """

    def __init__(self, doc: SystemMap, steps: Sequence[Step] | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Presentation")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.doc = doc
        self.steps: list[Step] = list(default_sequence(doc) if steps is None else steps)
        self.scene = MapScene(doc, style=PROJECTOR_STYLE, parent=self)
        self.view = MapView(self.scene, self)
        self.view.setInteractive(False)  # read-only: no selection, no dragging
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys come to the window
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the whole map, hidden parts included (measured before any is hidden): every step
        # keeps the same framing, so what was shown stays where it was
        self._bounds = self.scene.content_rect()
        self.view.viewport().installEventFilter(self)
        self.view.setSceneRect(self._bounds)

        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)  # captions come from the file
        font = self.caption.font()
        font.setPixelSize(CAPTION_PX)
        self.caption.setFont(font)
        self.caption.setContentsMargins(48, CAPTION_PAD, 48, CAPTION_PAD)
        self.caption.setStyleSheet("color: #000000;")
        self.counter = QLabel(self)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.counter.setStyleSheet(f"font-size: {COUNTER_PX}px; color: #666666; padding: 0 12px 8px 0;")

        page = QWidget(self)
        page.setObjectName("presentationPage")
        page.setStyleSheet("#presentationPage { background: #ffffff; }")
        page.setAutoFillBackground(True)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.view, 1)
        column.addWidget(self.caption)
        column.addWidget(self.counter)
        self._blank = QWidget(self)
        self._blank.setObjectName("presentationBlank")
        self._blank.setStyleSheet("#presentationBlank { background: #000000; }")
        self._blank.setAutoFillBackground(True)
        self._pages = QStackedLayout(self)
        self._pages.addWidget(page)
        self._pages.addWidget(self._blank)

        self._step = -1
        if self.steps:
            self.show_step(0)
        else:
            self.caption.setText("This map has nothing to present.")
            self.counter.setText("0 / 0")

    # -- steps -----------------------------------------------------------------------------------

    @property
    def step(self) -> int:
        """The index of the step shown (-1 for a map without steps)."""
        return self._step

    @property
    def blanked(self) -> bool:
        """Whether the screen is blanked (B)."""
        return self._pages.currentWidget() is self._blank

    def show_step(self, index: int) -> None:
        """Show step ``index`` (clamped to the first and last step): hide what it has not
        revealed yet, dim what was revealed before it, and show its caption."""
        if not self.steps:
            return
        index = max(0, min(len(self.steps) - 1, index))
        self._step = index
        step = self.steps[index]
        revealed = set(step.revealed)
        if index == len(self.steps) - 1:  # the whole map at the end, its notes included
            revealed |= set(self.scene.note_items)
        self._reveal(revealed)
        lit = set(step.ids)
        if step.kind == "link":  # a link is read with the two variables it joins
            for lid in step.ids:
                link = self.scene.doc.links.get(lid) if self.scene.doc is not None else None
                if link is not None:
                    lit.update((link.source, link.target))
        self.scene.highlight(lit)
        self.caption.setText(step.caption)
        self._fit_caption()
        self.counter.setText(f"{index + 1} / {len(self.steps)}")

    def next_step(self) -> None:
        """Go one step forward (nothing at the last)."""
        self.show_step(self._step + 1)

    def previous_step(self) -> None:
        """Go one step back (nothing at the first)."""
        self.show_step(self._step - 1)

    def set_blanked(self, blanked: bool) -> None:
        """Blank the screen (black, nothing shown) or bring the step back."""
        self._pages.setCurrentWidget(self._blank if blanked else self._pages.widget(0))

    def fit(self) -> None:
        """Fit the whole map (hidden parts included) to the view, centred."""
        size = self.view.viewport().size()
        rect = self._bounds
        if size.isEmpty() or rect.width() <= 0 or rect.height() <= 0:
            return
        zoom = min(size.width() / rect.width(), size.height() / rect.height(), FIT_MAX_ZOOM)
        self.view.set_zoom(zoom)
        self.view.centerOn(rect.center())

    def _fit_caption(self) -> None:
        # a wrapped QLabel does not grow its layout row when its text changes
        lines = self.caption.fontMetrics().lineSpacing() * CAPTION_LINES + 2 * CAPTION_PAD
        self.caption.setFixedHeight(max(lines, self.caption.heightForWidth(max(1, self.width()))))

    def _reveal(self, revealed: set[str]) -> None:
        scene = self.scene
        for items in (
            scene.variable_items,
            scene.link_items,
            scene.pipe_items,  # keyed by the flow's id: shown with its valve
            scene.label_items,
            scene.note_items,
        ):
            for eid, item in items.items():
                item.setVisible(eid in revealed)
        for aid, item in scene.alias_items.items():
            # an alias is drawn once a link from it is (the steps name the link, not the alias)
            item.setVisible(
                aid in revealed or any(link.id in revealed for link in self.doc.links_from_alias(aid))
            )

    # -- Qt events -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
        elif key == Qt.Key.Key_B:
            self.set_blanked(not self.blanked)
        elif self.blanked and key in NEXT_KEYS | PREVIOUS_KEYS | {Qt.Key.Key_Home, Qt.Key.Key_End}:
            self.set_blanked(False)  # any move brings the screen back, on the same step
        elif key in NEXT_KEYS:
            self.next_step()
        elif key in PREVIOUS_KEYS:
            self.previous_step()
        elif key == Qt.Key.Key_Home:
            self.show_step(0)
        elif key == Qt.Key.Key_End:
            self.show_step(len(self.steps) - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_caption()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.fit()
        return super().eventFilter(watched, event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit()
        self.setFocus()

    def closeEvent(self, event) -> None:
        self.scene.detach()  # stop following the document before the scene goes
        super().closeEvent(event)


def present(doc: SystemMap, parent=None) -> PresentationWindow:
    """Open a :class:`PresentationWindow` on ``doc``, full screen, and return it."""
    window = PresentationWindow(doc, parent=parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is not None:
        window.setWindowFlag(Qt.WindowType.Window)  # its own top-level window, over the parent
    window.showFullScreen()
    window.activateWindow()
    return window
