"""Presentation mode: a map revealed step by step, full screen, with a caption for each step.

The steps come from :func:`sysmap.analysis.narration.presentation_steps`: the map's saved
sequence, else the automatic one (a variable, a link, then each loop as a whole with its
narration). The window draws the map in the projector
style, read-only, fitted to the screen; what a step has not revealed yet is hidden, the
step's own elements are drawn as usual and the rest of what was revealed is dimmed.

Keys: Right, Down, Space, PageDown (next); Left, Up, PageUp (previous); Home, End;
B blanks the screen and B again brings it back; P opens or closes the presenter view
(:mod:`sysmap.ui.presenter_view`); Escape closes.

With two or more screens, :func:`present` puts the presentation full screen on a screen
other than the main window's and the presenter view on the main window's.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel, QStackedLayout, QVBoxLayout, QWidget

from sysmap.analysis.narration import Step, presentation_steps
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


def stage(scene: MapScene, step: Step, *, last: bool = False) -> None:
    """Set ``scene`` as the presentation shows ``step``: what it has not revealed hidden, its
    own elements (and a link's two variables) drawn as usual, the rest dimmed. The ``last``
    step shows the notes too; a ``map`` step shows everything undimmed."""
    revealed = set(step.revealed)
    if last or step.kind == "map":  # the whole map at the end, its notes included
        revealed |= set(scene.note_items)
    for items in (
        scene.variable_items,
        scene.link_items,
        scene.pipe_items,  # keyed by the flow's id: shown with its valve
        scene.label_items,
        scene.note_items,
    ):
        for eid, item in items.items():
            item.setVisible(eid in revealed)
    doc = scene.doc
    for aid, item in scene.alias_items.items():
        # an alias is drawn once a link from it is (the steps name the link, not the alias)
        item.setVisible(
            aid in revealed
            or (doc is not None and any(link.id in revealed for link in doc.links_from_alias(aid)))
        )
    if step.kind == "map":
        scene.highlight(None)
        return
    lit = set(step.ids)
    if step.kind == "link":  # a link is read with the two variables it joins
        for lid in step.ids:
            link = doc.links.get(lid) if doc is not None else None
            if link is not None:
                lit.update((link.source, link.target))
    scene.highlight(lit)


def presentation_screens(screens: Sequence, main_screen) -> tuple:
    """Where to show a presentation and its presenter view: ``(presentation, presenter)``.

    With two or more ``screens`` the presentation goes on the first that is not
    ``main_screen`` (the main window's) and the presenter view on ``main_screen``; with one,
    the presentation goes on it and there is no presenter screen (``None``).

    >>> presentation_screens(["laptop", "projector"], "laptop")
    ('projector', 'laptop')
    >>> presentation_screens(["laptop"], "laptop")
    ('laptop', None)
    """
    screens = list(screens)
    if len(screens) >= 2:
        at = screens.index(main_screen) if main_screen in screens else 0
        return screens[1 if at == 0 else 0], screens[at]
    return (screens[0] if screens else main_screen), None


class PresentationWindow(QWidget):
    """Shows ``doc`` one :class:`~sysmap.analysis.narration.Step` at a time.

    ``steps`` defaults to ``presentation_steps(doc)`` (the saved sequence, else the
    automatic one); the window opens on step ``start``. The window never edits ``doc``: its
    scene has no undo stack and its view takes no mouse edits. ``show_step(i)`` jumps to a
    step (clamped to the range); ``step`` is the index shown; ``blanked`` whether B has
    blanked the screen; ``presenter`` the open presenter view, if any. ``stepChanged(i)``
    follows every step shown, ``closed`` the window closing.
    """

    stepChanged = Signal(int)
    closed = Signal()

    def __init__(self, doc: SystemMap, steps: Sequence[Step] | None = None, parent=None, *, start: int = 0):
        super().__init__(parent)
        self.setWindowTitle("Presentation")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.doc = doc
        self.presenter = None
        self._presenter_view = None  # made on first opening, kept while the window lives
        self.steps: list[Step] = list(presentation_steps(doc) if steps is None else steps)
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
            self.show_step(start)
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
        stage(self.scene, step, last=index == len(self.steps) - 1)
        self.caption.setText(step.caption)
        self._fit_caption()
        self.counter.setText(f"{index + 1} / {len(self.steps)}")
        self.stepChanged.emit(index)

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

    # -- Qt events -------------------------------------------------------------------------------

    def toggle_presenter(self, screen=None) -> None:
        """Open the presenter view as its own window (on ``screen`` if given), or close it."""
        if self.presenter is not None:
            self.presenter.close()
            return
        from sysmap.ui.presenter_view import PresenterView

        if self._presenter_view is None:
            self._presenter_view = PresenterView(self)
        view = self.presenter = self._presenter_view  # forgets itself when it closes
        if screen is not None:
            view.setScreen(screen)
            view.move(screen.availableGeometry().topLeft())
        view.resize(1100, 720)
        view.show()

    def handle_key(self, key) -> bool:
        """Act on a presentation key (from this window or the presenter view); false if it
        is not one."""
        if key == Qt.Key.Key_Escape:
            self.close()
        elif key == Qt.Key.Key_P:
            self.toggle_presenter()
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
            return False
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.handle_key(event.key()):
            event.accept()
        else:
            super().keyPressEvent(event)

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
        self.closed.emit()


def present(
    doc: SystemMap, parent=None, start: int = 0, steps: Sequence[Step] | None = None
) -> PresentationWindow:
    """Open a :class:`PresentationWindow` on ``doc`` at step ``start``, full screen, and return it.

    With two or more screens it goes on a screen other than ``parent``'s (the primary
    screen's without a parent), and the presenter view opens on ``parent``'s screen.
    """
    window = PresentationWindow(doc, steps, parent=parent, start=start)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is not None:
        window.setWindowFlag(Qt.WindowType.Window)  # its own top-level window, over the parent
    main = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
    screen, presenter_screen = presentation_screens(QGuiApplication.screens(), main)
    if screen is not None and presenter_screen is not None:
        window.setScreen(screen)
        window.move(screen.geometry().topLeft())
    window.showFullScreen()
    window.activateWindow()
    if presenter_screen is not None:
        window.toggle_presenter(presenter_screen)
        window.activateWindow()
    return window
