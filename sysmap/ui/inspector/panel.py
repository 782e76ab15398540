"""The inspector: the body of the dock that shows, and edits, whatever is selected on the canvas."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from sysmap.model import Alias, Change, Link, LoopLabel, Note, SystemMap, Variable
from sysmap.ui.inspector.annotation_pages import LoopLabelPage, NotePage
from sysmap.ui.inspector.fields import commit_fields
from sysmap.ui.inspector.link_page import LinkPage
from sysmap.ui.inspector.map_page import MapPage
from sysmap.ui.inspector.page import Page, Session
from sysmap.ui.inspector.selection_page import SelectionPage
from sysmap.ui.inspector.variable_page import VariablePage


class Inspector(QWidget):
    """Properties of the selection, editable in place; the map's own when nothing is selected.

    Call :meth:`set_session` with the document and its undo stack (again whenever the
    document is replaced), and :meth:`show_elements` when the canvas selection changes. Every
    change goes through :func:`sysmap.ui.commands.perform`, one undo step per committed field.
    The inspector follows the document: undo, redo and edits made elsewhere show at once.

    Signals: ``message(str)`` for the status bar (refusals, warnings); ``selectRequested(list)``
    with variable ids when the user clicks a name in a "Caused by", "Affects" or loop list.
    """

    message = Signal(str)
    selectRequested = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = Session(self.message.emit, self.selectRequested.emit)
        self.doc: SystemMap | None = None
        self.stack: QUndoStack | None = None
        self._ids: list[str] = []

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(0)
        self.map_page = MapPage(self.session)
        self.variable_page = VariablePage(self.session)
        self.link_page = LinkPage(self.session)
        self.loop_page = LoopLabelPage(self.session)
        self.note_page = NotePage(self.session)
        self.selection_page = SelectionPage(self.session)
        self.pages: list[Page] = [
            self.map_page,
            self.variable_page,
            self.link_page,
            self.loop_page,
            self.note_page,
            self.selection_page,
        ]
        for page in self.pages:
            page.hide()
            column.addWidget(page)
        column.addStretch(1)
        self.page: Page | None = None

        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.scroll = scroll

    def sizeHint(self) -> QSize:
        return QSize(300, 560)

    # -- public API -----------------------------------------------------------------------------------

    def set_session(self, doc: SystemMap | None, stack: QUndoStack | None) -> None:
        """Edit ``doc`` through ``stack`` from now on, showing its own properties.

        Stops following the previous document; drafts typed for it are dropped. ``None``
        detaches the inspector (it then shows nothing).
        """
        if self.page is not None:
            for field in self._drafts():
                field.revert()
        if self.doc is not None:
            self._disconnect(self.doc)
        self.doc, self.stack = doc, stack
        self.session.doc, self.session.stack = doc, stack
        self._ids = []
        for page in self.pages:
            page.ids = []
        self.map_page.show_problems([])
        if doc is None:
            self._show(None, [])
            return
        doc.changed.connect(self._on_change)
        self.show_elements([])

    def show_elements(self, ids: list[str]) -> None:
        """Show the elements ``ids`` (canvas selection order); empty shows the map itself.

        An alias stands for its variable; ids the document does not hold are ignored. A draft
        left in a field of the previous selection is committed first.
        """
        if self.page is not None and self.doc is not None:
            self.page.flush()
        self._show_ids(ids)

    def show_problems(self, problems: Sequence[str]) -> None:
        """Show the problems found while opening the map (reader warnings) on the map's page,
        until the next :meth:`set_session`."""
        self.map_page.show_problems(list(problems))

    def shown_ids(self) -> list[str]:
        """The ids of the elements shown (empty when the map itself is)."""
        return list(self._ids)

    # -- internals ------------------------------------------------------------------------------------------

    def _show_ids(self, ids: list[str]) -> None:
        doc = self.doc
        if doc is None:
            return
        elements = {}
        for eid in ids:
            if eid not in doc:
                continue
            element = doc.element(eid)
            if isinstance(element, Alias):
                element = doc.variables[element.of]
            elements[element.id] = element
        self._ids = list(elements)
        kinds = {type(e) for e in elements.values()}
        if not elements:
            page = self.map_page
        elif len(elements) > 1 or kinds - {Variable, Link, LoopLabel, Note}:
            page = self.selection_page
        else:
            page = {
                Variable: self.variable_page,
                Link: self.link_page,
                LoopLabel: self.loop_page,
                Note: self.note_page,
            }[kinds.pop()]
        self._show(page, self._ids)

    def _show(self, page: Page | None, ids: list[str]) -> None:
        if page is not self.page:
            if self.page is not None:
                self.page.hide()
            self.page = page
        if page is not None:
            page.load(ids)
            page.show()

    def _drafts(self):
        return [f for f in commit_fields(self) if f.is_dirty()]

    def _on_change(self, change: Change) -> None:
        doc = self.doc
        if not shiboken6.isValid(self):
            # the widget was deleted without set_session(None, None): stop listening
            if doc is not None:
                self._disconnect(doc)
            return
        if doc is None or self.page is None:
            return
        if change.removed.intersection(self._ids):
            self._show_ids([eid for eid in self._ids if eid in doc])
        else:
            self.page.reload()

    def _disconnect(self, doc: SystemMap) -> None:
        with contextlib.suppress(ValueError):  # not connected
            doc.changed.disconnect(self._on_change)
