"""What the workshop docks share: following the main window's document, acting on it, and
working something out again off the GUI thread after the edits pause.

A :class:`WorkshopPanel` is tied to a main window by :meth:`~WorkshopPanel.set_window`; it then
follows the window's document, and the next one after File › Open. Subclasses fill in
:meth:`~WorkshopPanel.document_shown` (a new document is there to show) and
:meth:`~WorkshopPanel.document_changed` (an edit, undo or redo of it). Neither the window's
signal nor the document's listener keeps a panel alive: both hold it through a weak
reference and check that its Qt object still exists. :func:`dock_panel` puts a panel in a
dock that a Workshop menu item toggles.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from sysmap.errors import ModelError
from sysmap.model import SystemMap
from sysmap.model.edits import Edit
from sysmap.ui.commands import perform
from sysmap.ui.worker import PolledWorker


class WorkshopPanel(QWidget):
    """A dock's contents that follow ``window_``'s document ``doc`` (both ``None`` at first).

    With ``status`` (the default) the panel has a word-wrapped :class:`QLabel` ``status`` for
    its messages, which the subclass places in its layout; otherwise ``status`` is ``None``.
    After :meth:`start_background` it also has a ``worker`` (a :class:`PolledWorker`) and a
    single-shot ``debounce`` timer; background work runs only while the panel is shown, so
    hidden docks cost nothing as the map is edited.
    """

    worker: PolledWorker | None = None
    debounce: QTimer | None = None
    _rerun: Callable[[], None] | None = None
    _wanted = False  # work was asked for while the panel was hidden

    def __init__(self, parent=None, *, status: bool = True):
        super().__init__(parent)
        self.window_ = None
        self.doc: SystemMap | None = None
        self._listener = None
        self.status: QLabel | None = None
        if status:
            self.status = QLabel()
            self.status.setWordWrap(True)

    # -- to give in subclasses -------------------------------------------------------------------

    def document_shown(self) -> None:
        """Called when ``doc`` is a new document (or ``None``): show it."""

    def document_changed(self, change) -> None:
        """Called after each edit, undo or redo of ``doc`` (``change`` is the document's
        :class:`~sysmap.model.events.Change`)."""

    # -- following the window's document ---------------------------------------------------------

    def set_window(self, window) -> None:
        """Follow ``window``'s document (and the next one after File › Open)."""
        self.window_ = window
        this = weakref.ref(self)

        def replaced(_doc) -> None:
            panel = this()
            if panel is not None and shiboken6.isValid(panel):
                panel.set_document(window.doc)

        window.session.documentReplaced.connect(replaced)
        self.set_document(window.doc)

    def set_document(self, doc: SystemMap | None) -> None:
        """Stop following the previous document, follow ``doc`` and show it
        (:meth:`document_shown`)."""
        if self.doc is not None and self._listener is not None:
            self.doc.changed.disconnect(self._listener)
        self._listener = None
        self.doc = doc
        if doc is not None:
            this = weakref.ref(self)

            def changed(change) -> None:
                panel = this()
                if panel is not None and shiboken6.isValid(panel):
                    panel.document_changed(change)

            self._listener = changed
            doc.changed.connect(changed)
        self.document_shown()

    @property
    def scene(self):
        """The window's canvas while it shows a map, else ``None``."""
        window = self.window_
        if window is None or not shiboken6.isValid(window):
            return None
        scene = window.scene
        return scene if shiboken6.isValid(scene) and scene.doc is not None else None

    # -- acting ----------------------------------------------------------------------------------

    def message(self, text: str) -> None:
        """Say ``text`` in the status line and the window's status bar."""
        if self.status is not None:
            self.status.setText(text)
        if self.window_ is not None and shiboken6.isValid(self.window_):
            self.window_.show_message(text)

    def perform(self, make: Callable[[], Edit], text: str | None = None) -> bool:
        """Build an edit with ``make()`` and perform it on the window's undo stack (named
        ``text``, else the edit's own text); true if done. A refusal becomes a :meth:`message`."""
        window = self.window_
        if window is None or self.doc is None:
            return False
        try:
            perform(window.session.undo_stack, self.doc, make(), text)
        except ModelError as exc:
            self.message(str(exc))
            return False
        return True

    # -- working in the background ---------------------------------------------------------------

    def start_background(
        self, name: str, answered: Callable[[object], None], rerun: Callable[[], None], delay_ms: int
    ) -> None:
        """Set up ``worker`` (its threads named ``name``; only the latest answer counts) and
        ``debounce``, which calls ``rerun()`` ``delay_ms`` after the last :meth:`schedule`.
        A job's answer goes to ``answered(result)``; a failure's message to the status line."""
        self.worker = PolledWorker(self, name=name, latest_only=True)
        self._on_answer = answered
        self._rerun = rerun
        self.worker.answered.connect(self._background_answered)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(delay_ms)
        self.debounce.timeout.connect(rerun)

    def _background_answered(self, _token: int, result) -> None:
        if isinstance(result, str):
            if self.status is not None:
                self.status.setText(result)
            return
        self._on_answer(result)

    def schedule(self) -> None:
        """Rerun once the edits pause (each call restarts the pause); a hidden panel reruns
        when it is shown instead."""
        if not self.isVisible():
            self._wanted = True
            return
        self.debounce.start()

    def submit(self, job: Callable[[SystemMap], object], failure: str, working: str | None = None) -> None:
        """Run ``job`` on a copy of ``doc`` off the GUI thread (nothing without a document),
        saying ``working`` meanwhile; a pending :meth:`schedule` is dropped. ``failure`` says
        what could not be done if the job raises. A hidden panel (a closed dock, a tab behind
        another) works nothing out: it reruns when it is shown."""
        self.debounce.stop()
        if not self.isVisible():
            self._wanted = True
            return
        if self.doc is None:
            return
        snapshot = self.doc.copy()  # the worker never sees the live document
        if working is not None:
            self.status.setText(working)
        self.worker.submit(lambda: job(snapshot), failure)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._wanted and self._rerun is not None:
            self._wanted = False
            self._rerun()

    @property
    def busy(self) -> bool:
        """Whether background work is under way or waiting for edits to pause."""
        return self.worker is not None and (self.worker.busy or self.debounce.isActive())


def dock_panel(window, panel: WorkshopPanel, title: str, text: str, tip: str):
    """Put ``panel`` in a hidden dock ``title`` tabbed with ``window``'s analysis dock, toggled by
    Workshop › ``text`` (status tip ``tip``), and tie it to ``window``; returns (dock, action)."""
    dock = window._dock(title, panel, Qt.DockWidgetArea.LeftDockWidgetArea, shown=False)
    action = dock.toggleViewAction()
    action.setText(text)
    action.setStatusTip(tip)
    window.tabifyDockWidget(window.analysis_dock, dock)
    action.triggered.connect(lambda on: on and dock.raise_())
    window.workshop_menu.addAction(action)
    panel.set_window(window)
    return dock, action
