"""The leverage view: the map's variables and links ranked as leverage points, as ``sysmap leverage``.

Each row gives the rank, the element, its score, the dot votes the workshop gave it
(:func:`sysmap.model.workshop.votes_of`; empty without votes), each score component raw with its 0-1 scaled
value in brackets, and the deepest of Meadows' places to intervene its structure allows; the
"why" sentence is the row's tooltip and shows under the table for the chosen row. Choosing a
row selects that element on the canvas; "Show on map" tints the variables by score.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
)

from sysmap.model import SystemMap
from sysmap.model.workshop import votes_of
from sysmap.ui.analysis_views.background import TIME_LIMIT, AnalysisView, results_table

COLUMNS = (
    "#",
    "Element",
    "Score",
    "Dots",
    "Loops",
    "Indep. loops",
    "Betweenness",
    "Centrality",
    "Reach",
    "Meadows",
)


def cells(candidate, exact: bool = True, dots: int = 0) -> tuple[str, ...]:
    """The table cells of a :class:`sysmap.analysis.leverage.Candidate` with ``dots`` votes."""
    c, n = candidate, candidate.normalised
    mark = "" if exact else "≥"
    return (
        str(c.rank),
        c.name,
        f"{c.score:.3f}",
        str(dots) if dots else "",
        f"{mark}{c.loops:,} ({n.loops:.2f})",
        f"{c.independent_loops:,} ({n.independent_loops:.2f})",
        f"{c.betweenness:.3f} ({n.betweenness:.2f})",
        f"{c.centrality:.3f} ({n.centrality:.2f})",
        f"{c.reach:.0%} ({n.reach:.2f})",
        f"#{c.meadows} {c.meadows_name}" if c.meadows is not None else "–",
    )


def element_ids(candidate) -> list[str]:
    """The ids a candidate is drawn with: a variable, or a link's drawn links (its two ends when
    no link is drawn for it)."""
    if candidate.kind == "link":
        return list(candidate.links) or list(candidate.element)
    return [candidate.element]


class LeverageView(AnalysisView):
    """The leverage ranking of the map in a table; see the module doc."""

    working_text = "Ranking leverage points…"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.heat = QCheckBox("Show on map")
        self.heat.setToolTip("Tint each variable by its leverage score (pale: low, red: high)")
        self.weigh = QCheckBox("Weigh by simulated loop dominance")
        self.weigh.setToolTip(
            "Simulate the model (Euler) and rank higher what lies on the loops that drive its behaviour "
            "(Loops that Matter); needs a model that simulates"
        )
        self.table = results_table(COLUMNS)
        self.table.setWordWrap(False)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.heat)
        layout.addWidget(self.weigh)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.why)
        layout.addWidget(self.status)
        self.candidates: list = []
        self.heat.toggled.connect(self._show_heat)
        self.weigh.toggled.connect(lambda _on: self.analyse())
        self.table.itemSelectionChanged.connect(self._chosen_changed)

    @staticmethod
    def compute(snapshot: SystemMap, cancel, weigh: bool = False):
        """The leverage ranking, on the causal graph with polarities derived from equations;
        ``weigh`` adds the loops' shares of the simulated behaviour (when the map simulates)."""
        from sysmap.analysis.causal import causal_graph
        from sysmap.analysis.leverage import dominance_loop_scores, leverage_ranking

        graph = causal_graph(snapshot, derive=True)
        loop_scores = None
        if weigh:
            from sysmap.analysis.dominance import loop_dominance

            loop_scores = dominance_loop_scores(loop_dominance(snapshot))
        return leverage_ranking(
            snapshot, graph=graph, time_limit=TIME_LIMIT, cancel=cancel, loop_scores=loop_scores
        )

    def job_function(self):
        if not self.weigh.isChecked():
            return type(self).compute
        return functools.partial(type(self).compute, weigh=True)

    def show_result(self, ranking) -> None:
        self.candidates = list(ranking.candidates) if ranking is not None else []
        self.why.clear()
        blocked = self.table.blockSignals(True)
        try:
            self.table.setRowCount(0)
            if ranking is None:
                self.summary.clear()
                return
            exact = ranking.loops.complete
            votes = self.votes()
            self.table.setRowCount(len(self.candidates))
            for row, candidate in enumerate(self.candidates):
                dots = votes.get(candidate.element, 0) if candidate.kind == "variable" else 0
                for column, text in enumerate(cells(candidate, exact, dots)):
                    item = QTableWidgetItem(text)
                    item.setToolTip(candidate.why)
                    if column != 1 and column != len(COLUMNS) - 1:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, column, item)
        finally:
            self.table.blockSignals(blocked)
        loops = ranking.loops
        counted = f"{loops.total:,}" if loops.complete else f"at least {loops.total:,}"
        self.summary.setText(
            f"{ranking.variables} variables, {ranking.links} links, {counted} loops. "
            "Each component: raw (scaled 0–1)."
        )
        if not self.candidates:
            self.status.setText("Nothing to rank: the map has no variables.")
        self._show_heat()

    def votes(self) -> dict[str, int]:
        """The map's dot votes by variable id (the "Dots" column)."""
        return votes_of(self.doc) if self.doc is not None else {}

    def heat_scores(self) -> dict[str, float]:
        """The variables' scores scaled so the best is 1, as "Show on map" draws them."""
        scores = {c.element: c.score for c in self.candidates if c.kind == "variable"}
        top = max(scores.values(), default=0.0)
        return {vid: (score / top if top > 0 else 0.0) for vid, score in scores.items()}

    def _show_heat(self, *_args) -> None:
        if not self.scene_valid():
            return
        self.scene.set_heat(self.heat_scores() if self.heat.isChecked() else None)

    def chosen(self):
        """The candidate of the chosen row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.candidates[rows[0].row()] if rows else None

    def _chosen_changed(self) -> None:
        candidate = self.chosen()
        self.why.setText(candidate.why if candidate is not None else "")
        if candidate is not None and self.scene_valid():
            self.scene.select_ids(element_ids(candidate))

    def scene_detached(self, scene) -> None:
        if scene.doc is not None:
            scene.set_heat(None)
