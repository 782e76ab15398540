"""The archetypes view: the system archetypes found in the map, best first, as ``sysmap archetypes``.

Each row gives the archetype, the confidence and who plays each role ("role: variable").
Choosing one highlights the variables and links of its loops on the canvas and shows its story
and loops under the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtWidgets import (
    QLabel,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from sysmap.model import SystemMap
from sysmap.ui.analysis_views.background import TIME_LIMIT, AnalysisView, results_table

COLUMNS = ("Archetype", "Confidence", "Roles")


@dataclass(frozen=True)
class Found:
    """A match with the ids of its loops' variables and links (looked up on the worker)."""

    match: object
    ids: frozenset[str]

    @property
    def roles(self) -> str:
        return "; ".join(f"{r.title}: {r.name}" for r in self.match.roles)


def match_ids(match) -> frozenset[str]:
    """The variables and drawn links of a match's loops."""
    ids: set[str] = set()
    for loop in match.loops:
        ids.update(loop.variables)
        for links in loop.links:
            ids.update(links)
    return frozenset(ids)


class ArchetypesView(AnalysisView):
    """The archetypes found in the map in a list, with the chosen one's story; see the module doc."""

    working_text = "Looking for archetypes…"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = results_table(COLUMNS)
        self.story = QTextBrowser()
        self.story.setPlaceholderText("Choose an archetype to read its story.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.story, 1)
        layout.addWidget(self.status)
        self.found: list[Found] = []
        self._lit = False
        self.table.itemSelectionChanged.connect(self._chosen_changed)

    @staticmethod
    def compute(snapshot: SystemMap, cancel):
        """The archetype report on the causal graph with derived polarities, and each match's ids."""
        from sysmap.analysis.archetypes import find_archetypes
        from sysmap.analysis.causal import causal_graph

        graph = causal_graph(snapshot, derive=True)
        report = find_archetypes(snapshot, graph=graph, time_limit=TIME_LIMIT, cancel=cancel)
        return report, [Found(m, match_ids(m)) for m in report.matches]

    def show_result(self, result) -> None:
        report, self.found = result if result is not None else (None, [])
        self.story.clear()
        blocked = self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.found))
            for row, found in enumerate(self.found):
                texts = (found.match.title, found.match.confidence, found.roles)
                for column, text in enumerate(texts):
                    cell = QTableWidgetItem(text)
                    cell.setToolTip(found.match.story)
                    self.table.setItem(row, column, cell)
        finally:
            self.table.blockSignals(blocked)
        self._show_highlight()
        if report is None:
            self.summary.clear()
            return
        loops = f"{report.loops_found:,} loop{'s' * (report.loops_found != 1)} searched"
        if self.found:
            more = f", {report.more} more not listed" if report.more else ""
            self.summary.setText(
                f"{len(self.found)} archetype match{'es' * (len(self.found) != 1)} ({loops}{more})."
            )
        else:
            self.summary.setText(f"No archetype found ({loops}).")
        if report.loops_found and report.undetermined == report.loops_found:
            self.status.setText(
                "Every loop has a link of unknown polarity: mark links + or − to find archetypes."
            )
        elif not report.complete:
            self.status.setText("Partial: the search stopped at its limit; matches over the shortest loops.")

    def chosen(self) -> Found | None:
        """The chosen match, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.found[rows[0].row()] if rows else None

    def _chosen_changed(self) -> None:
        found = self.chosen()
        self.story.setHtml(_story_html(found.match) if found is not None else "")
        self._show_highlight()

    def scene_detached(self, scene) -> None:
        if self._lit and scene.doc is not None:
            scene.highlight(None, owner=self)
        self._lit = False

    def _show_highlight(self) -> None:
        if not self.scene_valid():
            return
        found = self.chosen()
        if found is None and not self._lit:
            return  # leave another view's highlight alone
        self.scene.highlight(None if found is None else self.highlight_ids(found), owner=self)
        self._lit = found is not None

    def highlight_ids(self, found: Found) -> set[str]:
        """What choosing ``found`` highlights: its loops' variables and links, and the loop labels
        naming those loops."""
        from sysmap.analysis.loop_labels import cycle_key

        keys = {cycle_key(loop.variables) for loop in found.match.loops}
        labels = self.doc.loop_labels.items() if self.doc is not None else ()
        return set(found.ids) | {lid for lid, label in labels if label.loop and cycle_key(label.loop) in keys}


def _story_html(match) -> str:
    roles = "".join(f"<li>{escape(r.title)}: <b>{escape(r.name)}</b></li>" for r in match.roles)
    loops = "".join(
        f"<li>{escape(loop.name)}: {escape(' → '.join((*path, path[0])))}{' (delayed)' * loop.delay}</li>"
        for loop, path in zip(match.loops, match.paths, strict=True)
    )
    notes = "".join(f"<p><i>Less sure: {escape(note)}</i></p>" for note in match.notes)
    story = escape(match.story.removeprefix(f"{match.title}: "))
    return (
        f"<h3>{escape(match.title)} <small>({escape(match.confidence)} confidence)</small></h3>"
        f"<p>{story}</p><ul>{roles}</ul><ul>{loops}</ul>{notes}"
    )
