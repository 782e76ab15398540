"""The Open Loops dock (Workshop › Open Loops…): links not drawn yet that would close a loop.

The list is :func:`sysmap.analysis.open_loops.find_open_loops`, worked out off the GUI
thread and again after each edit. Choosing a row lights the loop the link would close --
its variables and the links already drawn along it -- and shows the prompt in words.
"Draw this link" adds the link from cause to effect as one undo step, with polarity ``?``
unless the facilitator picks ``+`` or ``−`` first; the list then works itself out again.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
)

from sysmap.analysis.open_loops import OpenLoop
from sysmap.model import SystemMap, operations
from sysmap.ui.analysis_views.background import results_table
from sysmap.ui.canvas.geometry import arrowhead, clipped_arc, quad_path, quad_tangent
from sysmap.ui.workshop.panel import WorkshopPanel, dock_panel

COLUMNS = ("#", "New link", "With +", "With −", "Length", "New")
POLARITY_TEXT = {"R": "reinforcing", "B": "balancing", "U": "undetermined"}
#: How many prompts are listed, and how long the search may take (seconds).
LIMIT = 50
TIME_LIMIT = 2.0
DEBOUNCE_MS = 400
#: How the proposed link is drawn: bent a little, dashed amber, above the links.
PROPOSAL_BEND = 0.2
PROPOSAL_COLOUR = "#ff9f1c"
PROPOSAL_Z = 5


def _find(snapshot: SystemMap):
    from sysmap.analysis.open_loops import find_open_loops

    return find_open_loops(snapshot, limit=LIMIT, time_limit=TIME_LIMIT)


def lit_ids(doc: SystemMap, found: OpenLoop) -> set[str]:
    """The loop's variables and the links drawn along its existing path (what is lit)."""
    path = found.path
    pairs = set(zip(path, path[1:], strict=False))
    return set(found.loop) | {k for k, link in doc.links.items() if (link.source, link.target) in pairs}


class OpenLoopsView(WorkshopPanel):
    """The dock's contents; :meth:`set_window` ties it to a main window."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lit = False  # whether this view put a highlight on the canvas
        self._proposal: QGraphicsPathItem | None = None  # the link proposed, drawn dashed
        self.found: list[OpenLoop] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = results_table(COLUMNS)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.horizontalHeaderItem(5).setToolTip("How many of the loop's variables are on no loop yet")
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plus, self.minus = QPushButton("+"), QPushButton("−")
        for button, sign in ((self.plus, "+"), (self.minus, "−")):
            button.setCheckable(True)
            button.setToolTip(f"Draw the link with polarity {sign} (neither: ?)")
            button.setMaximumWidth(36)
        self.plus.toggled.connect(lambda on: on and self.minus.setChecked(False))
        self.minus.toggled.connect(lambda on: on and self.plus.setChecked(False))
        self.draw = QPushButton("Draw this link")
        self.draw.setToolTip("Add the link from cause to effect (one undo step)")
        row = QHBoxLayout()
        row.addWidget(QLabel("Polarity"))
        row.addWidget(self.plus)
        row.addWidget(self.minus)
        row.addStretch(1)
        row.addWidget(self.draw)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.sentence)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.start_background("sysmap-open-loops", self._found, self.search, DEBOUNCE_MS)
        self.table.itemSelectionChanged.connect(self._chosen_changed)
        self.draw.clicked.connect(self.draw_link)
        self._show_found()

    def sizeHint(self) -> QSize:
        return QSize(460, 520)

    # -- following the window's document ---------------------------------------------------------

    def document_shown(self) -> None:
        """Forget the previous prompts and search the new document."""
        self._unlight()
        self.found = []
        self._show_found()
        self.search()

    def document_changed(self, change) -> None:
        """Search again once the edits pause if the map's structure changed."""
        if change.added or change.removed or change.changed:
            self.schedule()

    def search(self) -> None:
        """Look for open loops again, off the GUI thread."""
        self.submit(_find, "Could not look for open loops", "Looking for links that would close a loop…")

    def _found(self, result) -> None:
        self.status.clear()
        doc = self.doc
        # the map may have changed since: keep the prompts that still make sense
        self.found = [o for o in result.loops if doc is not None and all(v in doc.variables for v in o.loop)]
        more = "" if result.complete else " (search stopped early)"
        if not self.found:
            self.summary.setText("No open loops: no single new link would close a loop.")
        else:
            self.summary.setText(
                f"{result.found} links would close a new loop{more}; the best {len(self.found)}, "
                "those bringing variables into feedback first:"
            )
        self._show_found()

    def _name(self, vid: str) -> str:
        var = self.doc.variables.get(vid) if self.doc is not None else None
        return " ".join(var.label.split()) if var is not None else vid

    def _show_found(self) -> None:
        self._unlight()
        self.sentence.clear()
        blocked = self.table.blockSignals(True)
        try:
            self.table.setRowCount(0)
            self.table.setRowCount(len(self.found))
            for row, o in enumerate(self.found):
                texts = (
                    str(row + 1),
                    f"{self._name(o.cause)} → {self._name(o.effect)}",
                    POLARITY_TEXT[o.polarity_plus],
                    POLARITY_TEXT[o.polarity_minus],
                    str(o.length),
                    str(o.new_loops_through) if o.new_loops_through else "",
                )
                for column, text in enumerate(texts):
                    item = QTableWidgetItem(text)
                    item.setToolTip(o.sentence)
                    if column in (0, 4, 5):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, column, item)
        finally:
            self.table.blockSignals(blocked)
        self.draw.setEnabled(False)

    # -- choosing and drawing --------------------------------------------------------------------

    def chosen(self) -> OpenLoop | None:
        """The open loop of the chosen row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.found[rows[0].row()] if rows and rows[0].row() < len(self.found) else None

    def _chosen_changed(self) -> None:
        found = self.chosen()
        self.draw.setEnabled(found is not None)
        self.sentence.setText(found.sentence if found is not None else "")
        scene = self.scene
        if found is None or scene is None or self.doc is None:
            self._unlight()
            return
        scene.highlight(lit_ids(self.doc, found), owner=self)
        self._lit = True
        self._show_proposal(scene, found)

    def _show_proposal(self, scene, found: OpenLoop) -> None:
        """Draw the link not drawn yet as a dashed amber arrow from cause to effect."""
        self._hide_proposal()
        cause, effect = scene.variable_items.get(found.cause), scene.variable_items.get(found.effect)
        if cause is None or effect is None:
            return
        a, c, b = clipped_arc(
            cause.pos(), effect.pos(), PROPOSAL_BEND, cause.contains_point(), effect.contains_point()
        )
        path = quad_path(a, c, b)
        path.addPolygon(arrowhead(b, quad_tangent(a, c, b, 1.0)))
        item = QGraphicsPathItem(path)
        pen = QPen(QColor(PROPOSAL_COLOUR), 2.5, Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        item.setPen(pen)
        item.setZValue(PROPOSAL_Z)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        scene.addItem(item)
        self._proposal = item

    def _hide_proposal(self) -> None:
        item, self._proposal = self._proposal, None
        if item is not None and shiboken6.isValid(item) and item.scene() is not None:
            item.scene().removeItem(item)

    def proposal(self) -> QGraphicsPathItem | None:
        """The dashed arrow of the chosen prompt's link, while one is shown."""
        return self._proposal

    def _unlight(self) -> None:
        scene = self.scene
        if self._lit and scene is not None:
            scene.highlight(None, owner=self)
        self._lit = False
        self._hide_proposal()

    def hideEvent(self, event) -> None:
        self._unlight()
        super().hideEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.chosen() is not None:
            self._chosen_changed()

    def draw_link(self) -> None:
        """Add the chosen link, ``+``, ``−`` or ``?`` as picked (one undo step)."""
        found, window, doc = self.chosen(), self.window_, self.doc
        if found is None or window is None or doc is None:
            return
        sign = "+" if self.plus.isChecked() else "-" if self.minus.isChecked() else "?"
        if not self.perform(
            lambda: operations.add_link(doc, found.cause, found.effect, polarity=sign),
            f"Add link {self._name(found.cause)} → {self._name(found.effect)}",
        ):
            return
        polarity = found.polarity(sign)
        what = f"a {POLARITY_TEXT[polarity]} loop" if polarity != "U" else "a loop (mark its polarity)"
        window.show_message(f"Drew {self._name(found.cause)} → {self._name(found.effect)}: {what}.")
        self._unlight()
        self.search()


def install(window) -> OpenLoopsView:
    """Add the Open Loops dock to ``window`` and Workshop › Open Loops… to show it."""
    view = OpenLoopsView()
    dock, _action = dock_panel(
        window,
        view,
        "Open Loops",
        "Open &Loops…",
        "Links not drawn yet that would close a new feedback loop: prompts for discussion",
    )
    window.open_loops_view, window.open_loops_dock = view, dock
    return view
