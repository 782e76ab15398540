"""The polarity check: drawn links their equations contradict, and links whose polarity depends
on the state of the model (with the condition in words), as ``sysmap polarity`` reports them.

Choosing a row highlights that link and its two ends on the canvas; "Mark all on map"
highlights every listed link and its ends.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
)

from sysmap.model import SystemMap
from sysmap.ui.analysis_views.background import AnalysisView, results_table, sign_text

COLUMNS = ("Link", "Drawn", "Equations say", "Problem")


def cells(found, labels: dict[str, str]) -> tuple[str, ...]:
    """The table cells of a :class:`sysmap.analysis.polarity.Disagreement`."""
    drawn = sign_text(found.drawn) if found.drawn in ("+", "-", "?") else "unmarked"
    kind = "drawn against the equations" if found.error else "conditional"
    link = f"{labels.get(found.source, found.source)} → {labels.get(found.target, found.target)}"
    return link, drawn, found.derived.words or sign_text(found.derived.sign), kind


def link_ids(found) -> set[str]:
    """The ids a listed link is highlighted with: the link and its two ends."""
    return {found.link, found.source, found.target}


class PolarityView(AnalysisView):
    """Links whose drawn polarity the equations contradict or qualify; see the module doc."""

    working_text = "Deriving link polarities from the equations…"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.mark_all = QCheckBox("Mark all on map")
        self.table = results_table(COLUMNS)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.mark_all)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.status)
        self.found: list = []
        self._lit = False  # this view put the highlight on the canvas
        self.mark_all.toggled.connect(self._show_highlight)
        self.table.itemSelectionChanged.connect(self._chosen_changed)

    @staticmethod
    def compute(snapshot: SystemMap, cancel):
        """The disagreements (errors and conditional links) and how many links have equations."""
        from sysmap.analysis.polarity import derive_polarities, polarity_disagreements

        polarities = derive_polarities(snapshot)
        found = polarity_disagreements(snapshot, polarities=polarities)
        labels = {vid: var.label for vid, var in snapshot.variables.items()}
        return found, len(polarities), labels

    def show_result(self, result) -> None:
        found, derived, labels = result if result is not None else ([], 0, {})
        self.found = [f for f in found if f.error] + [f for f in found if not f.error]
        self.detail.clear()
        blocked = self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.found))
            for row, item in enumerate(self.found):
                for column, text in enumerate(cells(item, labels)):
                    cell = QTableWidgetItem(text)
                    cell.setToolTip(item.message)
                    self.table.setItem(row, column, cell)
        finally:
            self.table.blockSignals(blocked)
        if result is None:
            self.summary.clear()
        elif not derived:
            self.summary.setText("No link has an equation to derive its polarity from.")
        else:
            errors = sum(f.error for f in self.found)
            self.summary.setText(
                f"{derived} link{'s' * (derived != 1)} with equations: {errors} drawn against them, "
                f"{len(self.found) - errors} conditional."
                + ("" if self.found else " Every drawn polarity agrees.")
            )
        self._show_highlight()

    def chosen(self):
        """The listed link of the chosen row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.found[rows[0].row()] if rows else None

    def highlight_ids(self) -> set[str] | None:
        """What the view highlights now: the chosen link, else every listed one when "Mark all
        on map" is on, else nothing (``None``)."""
        chosen = self.chosen()
        if chosen is not None:
            return link_ids(chosen)
        if self.mark_all.isChecked():
            return set().union(*(link_ids(f) for f in self.found))
        return None

    def _chosen_changed(self) -> None:
        chosen = self.chosen()
        self.detail.setText(chosen.message if chosen is not None else "")
        self._show_highlight()

    def scene_detached(self, scene) -> None:
        if self._lit and scene.doc is not None:
            scene.highlight(None, owner=self)
        self._lit = False

    def _show_highlight(self, *_args) -> None:
        if not self.scene_valid():
            return
        ids = self.highlight_ids()
        if ids is None and not self._lit:
            return  # leave another view's highlight alone
        self.scene.highlight(ids, owner=self)
        self._lit = ids is not None
