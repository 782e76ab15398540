"""The loops panel: the map's feedback loops in a table, found off the GUI thread.

A small map (up to :data:`LIST_ALL_UP_TO` loops) lists every loop, named R1, B1, U1... as
``sysmap loops`` names them. A large one (World3 has almost two million) lists its independent
loop set first, counts all its loops in the background, and lists more on demand in batches
(:attr:`LoopsPanel.batch`), with a progress bar and Cancel. Choosing a loop highlights it on the
canvas (:meth:`MapScene.highlight`) and dims the rest; "Label this loop" adds a loop label.

The searches run on a :class:`~sysmap.ui.worker.PolledWorker`, on a copy of the map, and touch
no Qt object; the loops listed stream in as the worker's progress reports.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sysmap.analysis.loop_labels import cycle_key
from sysmap.analysis.loops import Loop
from sysmap.errors import ModelError
from sysmap.model import SystemMap
from sysmap.ui.worker import PolledWorker

#: A map with at most this many loops has them all listed; a larger one, its independent set.
LIST_ALL_UP_TO = 2000
#: How long the first search may take before the map counts as large (seconds).
FIRST_SEARCH_SECONDS = 2.0
#: How many more loops "List more" adds.
BATCH = 500
#: Loops per chunk handed from the search thread to the table while listing more.
CHUNK = 50
DEBOUNCE_MS = 300
COLUMNS = ("Loop", "Polarity", "Length", "Delay", "Members")
POLARITY_WORDS = {"R": "reinforcing", "B": "balancing", "U": "undetermined"}


@dataclass(frozen=True)
class LoopRow:
    """One line of the table: a loop as found, its members' names and its rotation-free key."""

    loop: Loop
    names: tuple[str, ...]
    key: tuple[str, ...]
    name: str = ""

    @property
    def members(self) -> str:
        return " → ".join((*self.names, self.names[0])) if self.names else ""


@dataclass
class Analysis:
    """What the first search found: the causal graph, rows, and whether they are all the loops."""

    graph: object
    rows: list[LoopRow]
    complete: bool
    labels: dict[str, str]


def _rows(loops, labels: dict[str, str]) -> list[LoopRow]:
    return [
        LoopRow(loop, tuple(labels.get(v, v) for v in loop.variables), cycle_key(loop.variables))
        for loop in loops
    ]


def analyse(doc: SystemMap, cancel) -> Analysis:
    """Find ``doc``'s loops (call on a copy, off the GUI thread): all of them if there are at
    most :data:`LIST_ALL_UP_TO` and the search ends within :data:`FIRST_SEARCH_SECONDS`,
    else the independent loop set. Signs the links leave unmarked are derived from the
    equations, as ``sysmap loops`` does."""
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loop_basis import independent_loops
    from sysmap.analysis.loops import LoopSearch, name_loops

    graph = causal_graph(doc, derive=True)
    labels = {vid: var.label for vid, var in doc.variables.items()}
    search = LoopSearch(graph, max_loops=LIST_ALL_UP_TO, time_limit=FIRST_SEARCH_SECONDS, cancel=cancel)
    found = list(search)
    loops = name_loops(found if search.complete else independent_loops(graph), graph)
    rows = [LoopRow(r.loop, r.names, r.key, r.loop.name) for r in _rows(loops, labels)]
    return Analysis(graph, rows, search.complete, labels)


def count(graph, cancel):
    """:func:`sysmap.analysis.loop_count.count_loops` (off the GUI thread)."""
    from sysmap.analysis.loop_count import count_loops

    return count_loops(graph, cancel=cancel)


class LoopTableModel(QAbstractTableModel):
    """The loops as rows: name, polarity, length, delay, members; sorts by :data:`SORT_ROLE`."""

    SORT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[LoopRow] = []

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.name,
                POLARITY_WORDS.get(row.loop.polarity, row.loop.polarity),
                str(row.loop.length),
                "yes" if row.loop.delay else "",
                row.members,
            )[column]
        if role == self.SORT_ROLE:
            if column == 0:
                return (row.loop.polarity, int(row.name[1:]) if row.name[1:].isdigit() else 0)
            return (row.name, row.loop.polarity, row.loop.length, row.loop.delay, row.members)[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return row.members
        return None

    def reset(self, rows: list[LoopRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def append(self, rows: list[LoopRow]) -> None:
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()


class LoopFilter(QSortFilterProxyModel):
    """Keeps the loops matching the search text (in a member's name), the polarity, the length
    range and, when set, passing through one of ``through`` (variable ids)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.polarity = ""
        self.lengths = (1, 10**6)
        self.through: set[str] | None = None
        self.setSortRole(LoopTableModel.SORT_ROLE)

    def set_filters(
        self, text: str, polarity: str, lengths: tuple[int, int], through: set[str] | None
    ) -> None:
        """Keep the rows matching all of these (``polarity`` ``""``: any; ``through`` ``None``: any)."""
        new_filter = hasattr(self, "beginFilterChange")  # Qt 6.10; invalidateFilter is deprecated there
        if new_filter:
            self.beginFilterChange()
        self.text, self.polarity, self.lengths, self.through = (
            text.casefold().strip(),
            polarity,
            lengths,
            through,
        )
        if new_filter:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        row = self.sourceModel().rows[source_row]
        loop = row.loop
        if self.polarity and loop.polarity != self.polarity:
            return False
        if not self.lengths[0] <= loop.length <= self.lengths[1]:
            return False
        if self.through is not None and not self.through.intersection(loop.variables):
            return False
        return not self.text or any(self.text in name.casefold() for name in row.names)

    def lessThan(self, left, right) -> bool:
        a, b = left.data(self.sortRole()), right.data(self.sortRole())
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class LoopsPanel(QWidget):
    """The feedback loops of the map in a filterable table; see the module doc.

    Call :meth:`set_session` with the document, its undo stack and the canvas scene (which may
    be ``None``) and again whenever the document is replaced.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc: SystemMap | None = None
        self.stack = None
        self.scene = None
        self.batch = BATCH
        self.graph = None
        self.complete = False  # every loop of the map is in the table
        self.loop_count = None  # a LoopCount, once counted
        self._stream_cancel: threading.Event | None = None
        self._stream: tuple | None = None  # (search, iterator, its cancel flag) kept between batches
        self._handlers: dict[int, Callable[[object], None]] = {}  # token -> what takes its answer
        self._more: int | None = None  # the token of the batch being listed
        self._streamed = 0
        self._numbers = {"R": 0, "B": 0, "U": 0}
        self._keys: set[tuple] = set()
        self._restore: tuple | None = None  # the key of the loop to select again after a re-analysis
        self._listener = None
        self.worker = PolledWorker(self, name="sysmap-loops", latest_only=True)
        self.worker.answered.connect(self._answered)
        self.worker.progress.connect(self._chunk_listed)

        self.summary = QLabel("No map.")
        self.summary.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search member names…")
        self.search.setClearButtonEnabled(True)
        self.polarity = QComboBox()
        for text, value in (
            ("All", ""),
            ("Reinforcing (R)", "R"),
            ("Balancing (B)", "B"),
            ("Undetermined (U)", "U"),
        ):
            self.polarity.addItem(text, value)
        self.min_length = QSpinBox()
        self.max_length = QSpinBox()
        for box, value in ((self.min_length, 1), (self.max_length, 999)):
            box.setRange(1, 999)
            box.setValue(value)
        self.through = QCheckBox("Through the selected variable")
        self.model = LoopTableModel(self)
        self.proxy = LoopFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the order found: by name
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.label_button = QPushButton("Label this loop")
        self.more_button = QPushButton("List more")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(self.polarity)
        filters.addWidget(QLabel("Length"))
        filters.addWidget(self.min_length)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.max_length)
        buttons = QHBoxLayout()
        buttons.addWidget(self.label_button)
        buttons.addStretch(1)
        buttons.addWidget(self.more_button)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.through)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.analyse)
        self._wanted = False  # a search was asked for while the panel was hidden

        self.search.textChanged.connect(self._refilter)
        self.polarity.currentIndexChanged.connect(self._refilter)
        self.min_length.valueChanged.connect(self._refilter)
        self.max_length.valueChanged.connect(self._refilter)
        self.through.toggled.connect(self._refilter)
        self.table.selectionModel().selectionChanged.connect(self._chosen_changed)
        self.label_button.clicked.connect(self.label_chosen)
        self.more_button.clicked.connect(self.list_more)
        self.cancel_button.clicked.connect(self.cancel_listing)
        self._show_buttons()

    # -- session ------------------------------------------------------------------------------

    def set_session(self, doc: SystemMap | None, stack, scene) -> None:
        """Show the loops of ``doc`` (edits go on ``stack``; ``scene`` is the canvas to highlight
        on, or ``None``) and follow its changes; call again when the document is replaced."""
        if self.doc is not None and self._listener is not None:
            self.doc.changed.disconnect(self._listener)
        self._listener = None
        if self.scene is not None and shiboken6.isValid(self.scene):
            self.scene.selectionChanged.disconnect(self._scene_selection_changed)
            if self.doc is not None:
                self.scene.highlight(None, owner=self)
        self.doc, self.stack, self.scene = doc, stack, scene
        if scene is not None:
            scene.selectionChanged.connect(self._scene_selection_changed)
        if doc is not None:
            this = weakref.ref(self)

            def changed(_change) -> None:
                panel = this()
                if panel is not None and shiboken6.isValid(panel):
                    panel._debounce.start()

            self._listener = changed
            doc.changed.connect(changed)
        self._restore = None
        self.analyse()

    # -- analysis -----------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._wanted:
            self._wanted = False
            self.analyse()

    def analyse(self) -> None:
        """Search the current document's loops again (off the GUI thread); results replace the
        table when they arrive, and the loop chosen before is chosen again if it is still there.
        A hidden panel (its dock closed, or a tab behind another) searches when it is shown."""
        self._debounce.stop()
        self._stop()
        if self.doc is not None and not self.isVisible():
            self._wanted = True
            return
        chosen = self.chosen()
        if chosen is not None:
            self._restore = chosen.key
        self.graph, self.complete, self.loop_count = None, False, None
        self.model.reset([])
        if self.doc is None:
            self.summary.setText("No map.")
            self._show_buttons()
            return
        self.summary.setText("Finding loops…")
        snapshot = self.doc.copy()
        self._submit(lambda job: analyse(snapshot, job.cancelled), "could not find the loops", self._analysed)

    def _stop(self) -> None:
        """Stop the searches under way; their answers are dropped."""
        self.worker.cancel()
        if self._stream_cancel is not None:
            self._stream_cancel.set()
        self._stream = self._stream_cancel = self._more = None
        self._handlers.clear()

    def _submit(self, work, failure: str, answered: Callable[[object], None]) -> int:
        """Run ``work(job)`` on the worker, along with the searches of the same map; its answer
        goes to ``answered``."""
        token = self.worker.submit_job(work, failure, overtake=False)
        self._handlers[token] = answered
        self._show_buttons()
        return token

    def _answered(self, token: int, result) -> None:
        """Take in a finished search (GUI thread)."""
        answered = self._handlers.pop(token, None)
        if answered is not None:
            answered(result)
        self._show_summary()
        self._show_buttons()

    def _analysed(self, result) -> None:
        if isinstance(result, str):
            self.status.setText(result)
            return
        self.status.clear()
        self.graph, self.complete = result.graph, result.complete
        self._labels = result.labels
        self._numbers = {"R": 0, "B": 0, "U": 0}
        for row in result.rows:
            self._numbers[row.loop.polarity] += 1
        self._keys = {row.key for row in result.rows}
        self.model.reset(result.rows)
        self.table.resizeColumnsToContents()
        if self.complete:
            self.loop_count = _count_of(result.rows)
        else:
            graph = self.graph
            self._submit(lambda job: count(graph, job.cancelled), "could not count the loops", self._counted)
        self._refilter()
        if self._restore is not None:
            self.choose(self._restore)
            self._restore = None

    def _counted(self, result) -> None:
        if isinstance(result, str):
            self.status.setText(result)
            return
        self.loop_count = result

    # -- listing more -------------------------------------------------------------------------

    def list_more(self) -> None:
        """List up to :attr:`batch` more loops, in the background (large maps)."""
        if self.graph is None or self.complete or self._streaming():
            return
        from sysmap.analysis.loops import LoopSearch

        if self._stream is None:
            flag = threading.Event()
            search = LoopSearch(self.graph, cancel=flag.is_set)
            self._stream = (search, iter(search), flag)
        search, loops, flag = self._stream
        self._stream_cancel = flag
        seen, labels, wanted = set(self._keys), self._labels, self.batch
        self._streamed = 0
        self.progress.setRange(0, wanted)
        self.progress.setValue(0)

        def work(job):
            added, chunk = 0, []
            for loop in loops:
                key = cycle_key(loop.variables)
                if key in seen:
                    continue
                seen.add(key)
                chunk.append(loop)
                added += 1
                if len(chunk) >= CHUNK or added >= wanted:
                    job.report(_rows(chunk, labels))
                    chunk = []
                if added >= wanted:
                    return added, False
            if chunk:
                job.report(_rows(chunk, labels))
            return added, search.complete

        self._more = self._submit(work, "could not list more loops", self._listed)
        self._show_buttons()

    def cancel_listing(self) -> None:
        """Stop listing more; what was listed stays, and "List more" starts again where it was."""
        if self._stream_cancel is not None:
            self._stream_cancel.set()

    def _streaming(self) -> bool:
        return self._more is not None

    def _chunk_listed(self, token: int, rows: list[LoopRow]) -> None:
        """Take in loops a "List more" search has just found (GUI thread)."""
        if token != self._more:
            return
        named = []
        for row in rows:
            if row.key in self._keys:
                continue
            self._keys.add(row.key)
            self._numbers[row.loop.polarity] += 1
            named.append(
                LoopRow(
                    row.loop, row.names, row.key, f"{row.loop.polarity}{self._numbers[row.loop.polarity]}"
                )
            )
        if named:
            self._streamed += len(named)
            self.model.append(named)
            self.progress.setValue(min(self._streamed, self.progress.maximum()))
            self._show_summary()

    def _listed(self, result) -> None:
        self._more = None
        _, _, flag = self._stream
        self._stream_cancel = None
        if isinstance(result, str):
            self._stream = None  # the search broke off: the next starts afresh, skipping these
            self.status.setText(result)
            return
        added, finished = result
        if finished:
            self.complete = True
            self._stream = None
        elif flag.is_set():
            self._stream = None  # the cancelled search is over; the next starts afresh, skipping these
            self.status.setText(f"Listing stopped after {added:,} more loops.")
        else:
            self.status.setText(f"Listed {added:,} more loops.")

    # -- what is shown ------------------------------------------------------------------------

    def _show_summary(self) -> None:
        if self.doc is None:
            return
        if self.graph is None:
            if self.worker.busy:
                self.summary.setText("Finding loops…")
            return
        listed = self.model.rowCount()
        c = self.loop_count
        if c is None:
            total = "Counting loops…"
        elif c.total == 0:
            self.summary.setText("No feedback loops.")
            return
        else:
            total = (
                f"{'at least ' if not c.complete else ''}{c.total:,} loop{'s' if c.total != 1 else ''}: "
                f"{c.reinforcing:,} reinforcing, {c.balancing:,} balancing, {c.undetermined:,} undetermined."
            )
        if self.complete:
            self.summary.setText(total)
        else:
            self.summary.setText(f"{total} Listed {listed:,}: the independent loop set first.")

    def _show_buttons(self) -> None:
        streaming = self._streaming()
        self.more_button.setVisible(self.graph is not None and not self.complete)
        self.more_button.setEnabled(not streaming)
        self.progress.setVisible(streaming)
        self.cancel_button.setVisible(streaming)
        self.label_button.setEnabled(self.chosen() is not None and self.stack is not None)

    @property
    def busy(self) -> bool:
        """Whether a search is under way (or a re-analysis is waiting for typing to pause)."""
        return self.worker.busy or self._debounce.isActive()

    def _selected_variables(self) -> set[str]:
        scene, doc = self.scene, self.doc
        if scene is None or doc is None or not shiboken6.isValid(scene):
            return set()
        found = set()
        for eid in scene.selected_ids():
            if eid in doc.variables:
                found.add(eid)
            elif eid in doc.aliases:
                found.add(doc.aliases[eid].of)
        return found

    def _refilter(self, *_args) -> None:
        through = self._selected_variables() if self.through.isChecked() else None
        lengths = (self.min_length.value(), self.max_length.value())
        self.proxy.set_filters(self.search.text(), self.polarity.currentData(), lengths, through)
        if through is not None and not through:
            self.status.setText("Select a variable on the canvas to see the loops through it.")
        elif self.status.text().startswith("Select a variable"):
            self.status.clear()

    def _scene_selection_changed(self) -> None:
        if self.through.isChecked():
            self._refilter()

    # -- choosing a loop ------------------------------------------------------------------------

    def chosen(self) -> LoopRow | None:
        """The row chosen in the table, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[self.proxy.mapToSource(rows[0]).row()]

    def choose(self, key: tuple) -> bool:
        """Choose the shown loop whose :func:`cycle_key` is ``key``; false if none is shown."""
        for source_row, row in enumerate(self.model.rows):
            if row.key == key:
                index = self.proxy.mapFromSource(self.model.index(source_row, 0))
                if index.isValid():
                    self.table.selectRow(index.row())
                    self.table.scrollTo(index)
                    return True
        return False

    def loop_ids(self, row: LoopRow) -> set[str]:
        """The ids a loop is drawn with: its variables, its links, and loop labels naming it."""
        ids = set(row.loop.variables)
        for links in row.loop.links:
            ids.update(links)
        if self.doc is not None:
            ids.update(
                lid
                for lid, label in self.doc.loop_labels.items()
                if label.loop and cycle_key(label.loop) == row.key
            )
        return ids

    def _chosen_changed(self, *_args) -> None:
        row = self.chosen()
        self._show_buttons()
        scene = self.scene
        if scene is None or not shiboken6.isValid(scene) or scene.doc is None:
            return
        scene.highlight(None if row is None else self.loop_ids(row), owner=self)

    def label_chosen(self) -> bool:
        """Add a loop label for the chosen loop, placed automatically, as one undo step."""
        row = self.chosen()
        if row is None or self.doc is None or self.stack is None:
            return False
        from sysmap.analysis.loop_labels import label_loops_edit
        from sysmap.ui.commands import perform

        if any(v not in self.doc.variables for v in row.loop.variables):
            self.status.setText("The map has changed: this loop is no longer in it.")
            return False
        try:
            edit = label_loops_edit(self.doc, loops=[row.loop])
            if not getattr(edit, "edits", True):
                self.status.setText(f"{row.name} already has a label.")
                return False
            perform(self.stack, self.doc, edit, text=f"Label loop {row.name}")
        except ModelError as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText(f"Labelled {row.name}.")
        return True

    def closeEvent(self, event) -> None:
        self._stop()
        self._show_buttons()
        super().closeEvent(event)


def _count_of(rows: list[LoopRow]):
    from sysmap.analysis.loop_count import LoopCount

    polarities = [row.loop.polarity for row in rows]
    return LoopCount(polarities.count("R"), polarities.count("B"), polarities.count("U"))
