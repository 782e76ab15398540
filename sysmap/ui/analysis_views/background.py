"""What the analysis views share: a map to follow, an analysis run off the GUI thread, a status line.

An :class:`AnalysisView` runs its :meth:`~AnalysisView.compute` on a copy of the map on a
:class:`~sysmap.ui.worker.PolledWorker` (no Qt object is touched, emitted or dropped off the GUI
thread). Edits to the map start a new run after a pause (:data:`DEBOUNCE_MS`); a stale run is
told to stop and its answer is dropped. An analysis that fails shows its message in the status
line, never a traceback.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QWidget

from sysmap.model import SystemMap
from sysmap.ui.worker import PolledWorker

DEBOUNCE_MS = 400
#: how long the loop searches behind an analysis may take, in seconds
TIME_LIMIT = 5.0


def results_table(columns) -> QTableWidget:
    """A read-only table of results, one row chosen at a time, columns sized to their contents."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class AnalysisView(QWidget):
    """A view of one analysis of the map; subclasses give :meth:`compute` and :meth:`show_result`.

    Call :meth:`set_session` with the document, its undo stack and the canvas scene (``None``
    in tests without a canvas), and again whenever the document is replaced.
    """

    #: what the status line says while the analysis runs
    working_text = "Analysing…"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc: SystemMap | None = None
        self.stack = None
        self.scene = None
        self.result = None
        self._listener = None
        self.worker = PolledWorker(self, name="sysmap-analysis", latest_only=True)
        self.worker.answered.connect(self._answered)
        self.status = QLabel("No map.")
        self.status.setWordWrap(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.analyse)
        self._wanted = False  # an analysis was asked for while the view was hidden

    # -- to give in subclasses -------------------------------------------------------------------

    @staticmethod
    def compute(snapshot: SystemMap, cancel) -> object:
        """The analysis of ``snapshot`` (a copy of the map), run on a worker thread: must touch
        no Qt object. ``cancel()`` turns true when the answer is no longer wanted."""
        raise NotImplementedError

    def show_result(self, result) -> None:
        """Show ``result`` (what :meth:`compute` returned, or ``None`` for no map or a failure)."""
        raise NotImplementedError

    def scene_attached(self, scene) -> None:
        """Called when the view starts following ``scene``."""

    def scene_detached(self, scene) -> None:
        """Called when the view stops following ``scene`` (still a valid object)."""

    # -- session ----------------------------------------------------------------------------------

    def set_session(self, doc: SystemMap | None, stack, scene) -> None:
        """Analyse ``doc`` (edits go on ``stack``; ``scene`` is the canvas to show results on, or
        ``None``) and follow its changes; call again when the document is replaced."""
        if self.doc is not None and self._listener is not None:
            self.doc.changed.disconnect(self._listener)
        self._listener = None
        if self.scene is not None and shiboken6.isValid(self.scene):
            self.scene_detached(self.scene)
        self.doc, self.stack, self.scene = doc, stack, scene
        if scene is not None:
            self.scene_attached(scene)
        if doc is not None:
            this = weakref.ref(self)

            def changed(_change) -> None:
                view = this()
                if view is not None and shiboken6.isValid(view):
                    view._debounce.start()

            self._listener = changed
            doc.changed.connect(changed)
        self.analyse()

    def scene_valid(self) -> bool:
        """Whether there is a live canvas showing a map."""
        scene = self.scene
        return scene is not None and shiboken6.isValid(scene) and scene.doc is not None

    # -- running ----------------------------------------------------------------------------------

    def job_function(self):
        """What the worker runs, ``f(snapshot, cancel)``: :meth:`compute`, or a view's variant
        of it with its options taken now, on the GUI thread."""
        return type(self).compute

    def analyse(self) -> None:
        """Run the analysis again on the current map (off the GUI thread); a hidden view (its
        dock closed, or a tab behind another) runs it when it is shown instead."""
        self._debounce.stop()
        self.worker.cancel()
        if self.doc is not None and not self.isVisible():
            self._wanted = True
            return
        if self.doc is None:
            self.result = None
            self.status.setText("No map.")
            self.show_result(None)
            return
        self.status.setText(self.working_text)
        snapshot, compute = self.doc.copy(), self.job_function()
        self.worker.submit_job(lambda job: compute(snapshot, job.cancelled), "The analysis failed")

    def _answered(self, _token: int, result) -> None:
        if isinstance(result, str):  # a failure: what went wrong
            self.result = None
            self.show_result(None)
            self.status.setText(result)
            return
        self.result = result
        self.status.clear()
        self.show_result(result)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._wanted:
            self._wanted = False
            self.analyse()

    @property
    def busy(self) -> bool:
        """Whether an analysis is under way or waiting for typing to pause."""
        return self.worker.busy or self._debounce.isActive()

    def closeEvent(self, event) -> None:
        self.worker.cancel()
        super().closeEvent(event)


def variables_selected(scene, doc: SystemMap) -> list[str]:
    """The variables selected on ``scene`` (an alias counts as its variable), in document order."""
    found: dict[str, None] = {}
    for eid in scene.selected_ids():
        if eid in doc.variables:
            found[eid] = None
        elif eid in doc.aliases:
            found[doc.aliases[eid].of] = None
    return list(found)


def sign_text(sign: str) -> str:
    """A polarity as shown: ``+``, ``−`` (a minus sign) or ``?``."""
    return {"+": "+", "-": "−"}.get(sign, "?")
