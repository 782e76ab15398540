"""Dot voting (Workshop › Dot Votes): the room's votes beside the computed leverage ranking.

Each participant puts dots on the variables they think are leverage points. The dock lists
the map's variables in computed leverage order (:func:`sysmap.analysis.leverage.leverage_ranking`,
worked out off the GUI thread) with their dots in a spin box, their rank among the
variables and score, and a note where the room and the computation disagree -- worth
discussing: "voted, but low computed leverage" (a variable in the lower half of the ranking)
or "high computed leverage, no votes" (one in the top fifth, at least the top three).
Above the table, the rank agreement between dots and computed score over the voted
variables (Spearman's rho), or "too few votes".

Workshop › +1 Dot for Selection (Ctrl+Shift+V) gives each selected variable one more dot;
Clear Votes takes every dot off. Each change is one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
)

from sysmap.analysis.votes import agreement_text, disagreement, variable_ranking
from sysmap.model import SystemMap
from sysmap.model import workshop as ws
from sysmap.ui.analysis_views.background import TIME_LIMIT, results_table, variables_selected
from sysmap.ui.workshop.panel import WorkshopPanel, dock_panel

COLUMNS = ("Variable", "Dots", "Rank", "Score", "Note")
DEBOUNCE_MS = 400
MAX_DOTS = 99


def _rank_job(snapshot: SystemMap):
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.leverage import leverage_ranking

    return leverage_ranking(snapshot, graph=causal_graph(snapshot, derive=True), time_limit=TIME_LIMIT)


class VotesView(WorkshopPanel):
    """The dock's contents; :meth:`set_window` ties it to a main window."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ranking = None
        self.ranks: dict[str, tuple[int, float]] = {}
        self.rows: list[str] = []  # variable id of each row
        self._shown_names: dict[str, str] = {}
        self.agreement = QLabel()
        self.agreement.setWordWrap(True)
        self.agreement.setToolTip(
            "Spearman's rank correlation between the dots and the computed leverage score over the "
            "voted variables: +1 the same order, 0 unrelated, −1 the opposite order"
        )
        self.table = results_table(COLUMNS)
        self.table.setWordWrap(False)
        self.table.horizontalHeaderItem(2).setToolTip("Computed leverage rank among the variables")
        self.table.horizontalHeaderItem(3).setToolTip(
            "Computed leverage score (see Model › Analysis › Leverage)"
        )
        self.plus = QPushButton("+1 dot for selection")
        self.plus.setToolTip("One more dot on each selected variable (Ctrl+Shift+V)")
        self.clear = QPushButton("Clear votes")
        buttons = QHBoxLayout()
        buttons.addWidget(self.plus)
        buttons.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.agreement)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.start_background("sysmap-votes", self._ranked, self.rank, DEBOUNCE_MS)
        self.plus.clicked.connect(self.vote_for_selection)
        self.clear.clicked.connect(self.clear_votes)
        self.table.itemSelectionChanged.connect(self._select_on_canvas)
        self._fill()

    def sizeHint(self) -> QSize:
        return QSize(420, 520)

    # -- following the window's document ---------------------------------------------------------

    def document_shown(self) -> None:
        """Show the new document's votes and rank its variables."""
        self.ranking, self.ranks = None, {}
        self._fill()
        self.rank()

    def document_changed(self, change) -> None:
        """Rank again once the edits pause if the map's structure changed; show the votes."""
        if change.added or change.removed or change.changed:
            self.schedule()  # the structure (or a name) may have changed: rank again
            if self._names() != self._shown_names:
                self._fill()
        else:
            self._show_votes()  # only document fields, such as the votes

    def rank(self) -> None:
        """Rank the variables again, off the GUI thread."""
        self.submit(_rank_job, "Could not rank the leverage points", "Ranking leverage points…")

    def _ranked(self, result) -> None:
        self.status.clear()
        self.ranking, self.ranks = result, variable_ranking(result)
        self._fill()

    # -- the table -------------------------------------------------------------------------------

    def _fill(self) -> None:
        """Rebuild the rows: variables in computed leverage order, then the unranked by name."""
        doc = self.doc
        variables = doc.variables if doc is not None else {}
        ranked = [vid for vid in self.ranks if vid in variables]
        rest = sorted(
            (vid for vid in variables if vid not in self.ranks), key=lambda v: variables[v].label.casefold()
        )
        self.rows = ranked + rest
        self._shown_names = self._names()
        blocked = self.table.blockSignals(True)
        try:
            self.table.setRowCount(0)
            self.table.setRowCount(len(self.rows))
            for row, vid in enumerate(self.rows):
                name = QTableWidgetItem(" ".join(variables[vid].label.split()))
                self.table.setItem(row, 0, name)
                spin = QSpinBox()
                spin.setRange(0, MAX_DOTS)
                spin.setFrame(False)
                spin.setAccessibleName(f"Dots for {name.text()}")
                spin.valueChanged.connect(lambda value, vid=vid: self.set_dots(vid, value))
                self.table.setCellWidget(row, 1, spin)
                known = self.ranks.get(vid)
                for column, text in (
                    (2, str(known[0]) if known else ""),
                    (3, f"{known[1]:.3f}" if known else ""),
                ):
                    item = QTableWidgetItem(text)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, column, item)
                self.table.setItem(row, 4, QTableWidgetItem(""))
        finally:
            self.table.blockSignals(blocked)
        self._show_votes()

    def _names(self) -> dict[str, str]:
        return {vid: v.label for vid, v in self.doc.variables.items()} if self.doc is not None else {}

    def _show_votes(self) -> None:
        """Show the current dots, notes and agreement in the rows as they are."""
        doc = self.doc
        votes = ws.votes_of(doc) if doc is not None else {}
        n = len(self.ranks)
        for row, vid in enumerate(self.rows):
            spin = self.table.cellWidget(row, 1)
            if spin is not None and spin.value() != votes.get(vid, 0):
                blocked = spin.blockSignals(True)
                spin.setValue(votes.get(vid, 0))
                spin.blockSignals(blocked)
            known = self.ranks.get(vid)
            note = self.table.item(row, 4)
            if note is not None:
                text = disagreement(known[0] if known else None, n, votes.get(vid, 0))
                note.setText(text)
                note.setToolTip(f"{text}: worth discussing" if text else "")
        self.agreement.setText(agreement_text(votes, self.ranks))
        self.clear.setEnabled(bool(votes))

    def dots(self, vid: str) -> int:
        """The dots the table shows for variable ``vid``."""
        return self.table.cellWidget(self.rows.index(vid), 1).value()

    def note(self, vid: str) -> str:
        """The note the table shows for variable ``vid``."""
        return self.table.item(self.rows.index(vid), 4).text()

    def _select_on_canvas(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        scene = self.scene
        if rows and scene is not None:
            scene.select_ids([self.rows[rows[0].row()]])

    # -- voting ----------------------------------------------------------------------------------

    def perform(self, make, text: str | None = None) -> bool:
        """As :meth:`WorkshopPanel.perform`; after a refusal the table shows the votes as they are."""
        if super().perform(make, text):
            return True
        self._show_votes()
        return False

    def set_dots(self, vid: str, dots: int) -> None:
        """Give variable ``vid`` exactly ``dots`` votes (one undo step)."""
        if self.doc is None or vid not in self.doc.variables:
            return
        votes = ws.votes_of(self.doc)
        if votes.get(vid, 0) == dots:
            return
        votes[vid] = dots
        name = " ".join(self.doc.variables[vid].label.split())
        self.perform(lambda: ws.set_votes(self.doc, votes, f"Dots for {name}: {dots}"))

    def vote_for_selection(self) -> None:
        """One more dot on each selected variable (an alias counts as its variable)."""
        scene, doc = self.scene, self.doc
        if scene is None or doc is None:
            return
        chosen = variables_selected(scene, doc)
        if not chosen:
            self.message("Select the variables to give a dot to.")
            return
        if self.perform(lambda: ws.add_votes(doc, chosen, most=MAX_DOTS)):
            self.message(f"One more dot for {ws.voted_for(doc, chosen)}.")

    def clear_votes(self) -> None:
        """Take every dot off (one undo step)."""
        if self.doc is not None and ws.votes_of(self.doc):
            self.perform(lambda: ws.set_votes(self.doc, {}, "Clear votes"))


def install(window) -> VotesView:
    """Add the Dot Votes dock to ``window``, with Workshop › Dot Votes, +1 Dot for Selection
    (Ctrl+Shift+V) and Clear Votes."""
    view = VotesView()
    dock, _toggle = dock_panel(
        window,
        view,
        "Dot Votes",
        "&Dot Votes",
        "Record the room's dot votes on leverage points beside the computed ranking",
    )
    plus = QAction("+1 Dot for &Selection", window)
    plus.setShortcut(QKeySequence("Ctrl+Shift+V"))
    plus.setStatusTip("Give each selected variable one more dot")
    plus.triggered.connect(view.vote_for_selection)
    clear = QAction("Clear &Votes", window)
    clear.setStatusTip("Take every dot off the map")
    clear.triggered.connect(view.clear_votes)
    window.workshop_menu.addAction(plus)
    window.workshop_menu.addAction(clear)
    window.votes_view, window.votes_dock = view, dock
    window.vote_action, window.clear_votes_action = plus, clear
    return view
