"""Workshop › Compare with Map…: what changed since another version of the map, on the canvas.

The other version (usually an older one) is read from a file and compared with the map on
screen by :func:`sysmap.model.diff.diff_maps`. Variables and links that the other version
lacks are marked green, those it has otherwise amber; what it has and this map lost is drawn
as faint ghosts where it stood (dashed red outlines, never part of the document). A
"Changes" dock lists every line of the difference, grouped; clicking a line selects what it
is about and brings it into view. The comparison follows edits while it is shown and ends
on Workshop › Clear Comparison or when another map is opened.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sysmap.errors import SysmapError
from sysmap.model import SystemMap
from sysmap.model.diff import GROUPS, DiffEntry, Removed, diff_maps

#: Marks on the canvas: new in this map, and changed since the other version.
ADDED = "#2ca02c"
CHANGED = "#ff9f1c"
#: The outline of what the other version had and this one lost.
GHOST = "#d62728"
#: How faint a ghost is drawn.
GHOST_OPACITY = 0.7
#: Ghosts lie under the map's own items.
GHOST_Z = -5.0

#: From this many variables a comparison is redone once edits pause (DEBOUNCE_MS), not after each.
DEBOUNCE_FROM = 300
DEBOUNCE_MS = 200
_TITLES = {"added": "Added", "changed": "Changed", "removed": "Removed", "workshop": "Workshop"}
_IDS = Qt.ItemDataRole.UserRole


def _plural(n: int, word: str) -> str:
    return f"{n} {word}"


class ChangesPanel(QWidget):
    """The "Changes" dock: a header and the lines of the difference under their groups."""

    def __init__(self, on_select, parent=None):
        super().__init__(parent)
        self._on_select = on_select
        self.header = QLabel("No comparison")
        self.header.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(1)
        self.tree.setRootIsDecorated(True)
        # long lines scroll sideways rather than being cut (each has its tooltip too)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemClicked.connect(self._chosen)
        self.tree.itemActivated.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.tree)

    def show_entries(self, header: str, entries: list[DiffEntry]) -> None:
        """List ``entries`` under their groups (a group with none is left out)."""
        self.header.setText(header)
        self.tree.clear()
        grey = QBrush(QColor("#7f7f7f"))
        for group in GROUPS:
            mine = [e for e in entries if e.group == group]
            if not mine:
                continue
            top = QTreeWidgetItem([f"{_TITLES[group]} ({len(mine)})"])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(top)
            for entry in mine:
                line = QTreeWidgetItem([entry.text])
                line.setToolTip(0, entry.text)
                line.setData(0, _IDS, list(entry.ids))
                if entry.group == "removed" or not entry.ids:
                    line.setForeground(0, grey)
                top.addChild(line)
            top.setExpanded(True)

    def lines(self) -> dict[str, list[str]]:
        """The shown lines by group title (for tests and the status bar)."""
        out = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out[top.text(0).split(" (")[0]] = [top.child(j).text(0) for j in range(top.childCount())]
        return out

    def item_for_line(self, text: str) -> QTreeWidgetItem | None:
        """The tree item showing line ``text``, if any."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).text(0) == text:
                    return top.child(j)
        return None

    def _chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        ids = item.data(0, _IDS)
        if ids:
            self._on_select(list(ids))


def _ghost_variable(removed: Removed) -> QGraphicsItem:
    """A dashed red box with the name, where the other version had the variable."""
    x, y = removed.position or (0.0, 0.0)
    text = QGraphicsSimpleTextItem(removed.name)
    text.setBrush(QBrush(QColor(GHOST)))
    size = text.boundingRect()
    box = QGraphicsRectItem(
        QRectF(-size.width() / 2 - 8, -size.height() / 2 - 5, size.width() + 16, size.height() + 10)
    )
    box.setPos(QPointF(x, y))
    pen = QPen(QColor(GHOST), 1.5, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    box.setPen(pen)
    text.setParentItem(box)
    text.setPos(-size.width() / 2, -size.height() / 2)
    box.setToolTip(f"Removed: {removed.name}")
    return box


def _ghost_link(removed: Removed) -> QGraphicsItem | None:
    if removed.ends is None:
        return None
    (x0, y0), (x1, y1) = removed.ends
    line = QGraphicsLineItem(QLineF(x0, y0, x1, y1))
    pen = QPen(QColor(GHOST), 1.5, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    line.setPen(pen)
    line.setToolTip(f"Removed: link {removed.name}")
    return line


def _outside(line: QLineF, boxes: list[QRectF]) -> QLineF:
    """``line`` cut where it leaves any of ``boxes`` that holds one of its ends."""
    ends = [line.p1(), line.p2()]
    for box in boxes:
        edges = (
            QLineF(box.topLeft(), box.topRight()),
            QLineF(box.topRight(), box.bottomRight()),
            QLineF(box.bottomRight(), box.bottomLeft()),
            QLineF(box.bottomLeft(), box.topLeft()),
        )
        for i in (0, 1):
            if not box.contains(ends[i]):
                continue
            for edge in edges:
                kind, point = QLineF(*ends).intersects(edge)
                if kind == QLineF.IntersectionType.BoundedIntersection:
                    ends[i] = point
                    break
    return QLineF(*ends)


class Comparison:
    """The comparison of a window's map with another version, and its menu actions and dock."""

    def __init__(self, window):
        self.window = window
        self.other: SystemMap | None = None
        self.name = ""
        self.entries: list[DiffEntry] = []
        self.ghosts: list[QGraphicsItem] = []
        self._doc: SystemMap | None = None  # the document followed while comparing
        self.panel = ChangesPanel(self.select)
        self.dock = window._dock("Changes", self.panel, Qt.DockWidgetArea.LeftDockWidgetArea, shown=False)
        self._later = QTimer(self.panel)
        self._later.setSingleShot(True)
        self._later.setInterval(DEBOUNCE_MS)
        self._later.timeout.connect(self.refresh)
        window.tabifyDockWidget(window.loops_dock, self.dock)
        #: asks for the other version's file; tests replace it
        self.choose_path = self._ask_path
        self.compare_action = QAction("&Compare with Map…", window)
        self.compare_action.setStatusTip("Show what changed since another version of this map")
        self.compare_action.triggered.connect(self.choose_and_compare)
        self.clear_action = QAction("Clear Compariso&n", window)
        self.clear_action.setStatusTip("Take the comparison's marks and ghosts off the canvas")
        self.clear_action.setEnabled(False)
        self.clear_action.triggered.connect(self.clear)
        window.workshop_menu.addAction(self.compare_action)
        window.workshop_menu.addAction(self.clear_action)
        window.session.documentReplaced.connect(lambda _doc: self.clear())
        window.destroyed.connect(lambda *_: self._unfollow())

    # -- starting and ending ------------------------------------------------------------------

    def _ask_path(self) -> str:
        from sysmap.ui.mainwindow import FILE_FILTER

        current = self.window.session.path
        start = str(Path(current).parent) if current else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Compare with Map", start, FILE_FILTER)
        return path

    def choose_and_compare(self) -> bool:
        """Ask for the other version's file and compare with it; an unreadable file is one
        line in a message box."""
        from sysmap.io import load

        path = self.choose_path()
        if not path:
            return False
        try:
            other = load(path)
        except SysmapError as exc:  # says where: "map.xmile:1:1: not well-formed XML..."
            QMessageBox.warning(self.window, "Compare with Map", " ".join(str(exc).split()))
            return False
        except OSError as exc:
            QMessageBox.warning(self.window, "Compare with Map", f"Cannot read {path}: {exc.strerror}")
            return False
        self.compare(other, Path(path).name)
        return True

    def compare(self, other: SystemMap, name: str) -> None:
        """Compare the window's map with ``other`` (called ``name`` in the header)."""
        self.clear()
        self.other, self.name = other, name
        self._doc = self.window.doc
        self._doc.changed.connect(self._on_change)
        self.clear_action.setEnabled(True)
        self.refresh()
        self.dock.show()
        self.dock.raise_()
        self.window.show_message(self.header())

    def clear(self) -> None:
        """End the comparison: marks, ghosts and the list go."""
        self._unfollow()
        if self.other is None:
            return
        self.other = None
        self.entries = []
        self._remove_ghosts()
        scene = self.window.scene
        if shiboken6.isValid(scene):
            scene.set_marks(None, layer="comparison")
        if shiboken6.isValid(self.panel):
            self.panel.show_entries("No comparison", [])
            self.clear_action.setEnabled(False)

    def _unfollow(self) -> None:
        if self._doc is not None:
            self._doc.changed.disconnect(self._on_change)
            self._doc = None

    def _on_change(self, _change) -> None:
        if not shiboken6.isValid(self.panel):  # the window is gone
            self._unfollow()
            return
        if len(self.window.doc.variables) < DEBOUNCE_FROM:
            self.refresh()  # a few milliseconds: keep the marks in step with each edit
        else:
            self._later.start()  # tens of milliseconds: once the edits pause

    # -- showing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compare again (after an edit) and redraw the marks, ghosts and list."""
        if self.other is None:
            return
        doc = self.window.doc
        entries = diff_maps(self.other, doc).entries()
        marks: dict[str, str] = {}
        for entry in entries:
            colour = {"added": ADDED, "changed": CHANGED}.get(entry.group)
            for eid in entry.ids if colour else ():
                if eid in doc.variables or eid in doc.links:
                    marks.setdefault(eid, colour)
        self.window.scene.set_marks(marks, layer="comparison")
        self._draw_ghosts([e.removed for e in entries if e.removed is not None])
        if entries != self.entries or not self.entries:
            self.entries = entries
            self.panel.show_entries(self.header(), entries)

    def header(self) -> str:
        """ "Compared with <file>: 3 added, 2 changed, 1 removed" (lines of each group)."""
        counts = {g: sum(1 for e in self.entries if e.group == g) for g in GROUPS}
        text = (
            f"Compared with {self.name}: {counts['added']} added, {counts['changed']} changed, "
            f"{counts['removed']} removed"
        )
        if counts["workshop"]:
            text += f", {counts['workshop']} workshop change{'s' if counts['workshop'] != 1 else ''}"
        if not self.entries:
            text = f"Compared with {self.name}: no differences"
        return text

    def _remove_ghosts(self) -> None:
        for ghost in self.ghosts:
            # the scene deletes them itself when it shows another document
            if shiboken6.isValid(ghost) and ghost.scene() is not None:
                ghost.scene().removeItem(ghost)
        self.ghosts = []

    def _draw_ghosts(self, removed: list[Removed]) -> None:
        self._remove_ghosts()
        scene = self.window.scene
        for thing in removed:
            ghost = _ghost_variable(thing) if thing.kind == "variable" else _ghost_link(thing)
            if ghost is None:
                continue
            ghost.setOpacity(GHOST_OPACITY)
            ghost.setZValue(GHOST_Z if thing.kind == "variable" else GHOST_Z - 1)
            ghost.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            ghost.setAcceptHoverEvents(False)
            scene.addItem(ghost)
            self.ghosts.append(ghost)
        boxes = [g.sceneBoundingRect() for g in self.ghosts if isinstance(g, QGraphicsRectItem)]
        for line in (g for g in self.ghosts if isinstance(g, QGraphicsLineItem)):
            line.setLine(_outside(line.line(), boxes))
        if self.ghosts:  # a ghost beyond the map's content can be scrolled to
            rect = scene.sceneRect()
            for ghost in self.ghosts:
                rect = rect.united(ghost.sceneBoundingRect().adjusted(-40, -40, 40, 40))
            scene.setSceneRect(rect)

    def select(self, ids: list[str]) -> None:
        """Select the elements ``ids`` on the canvas and centre the view on them."""
        scene, view = self.window.scene, self.window.view
        items = [scene.item_for(i) for i in ids if scene.item_for(i) is not None]
        if not items:
            self.window.show_message("That is no longer on the map")
            return
        scene.select_ids(ids)
        rect = items[0].sceneBoundingRect()
        for item in items[1:]:
            rect = rect.united(item.sceneBoundingRect())
        view.centerOn(rect.center())


def install(window) -> Comparison:
    """Add Workshop › Compare with Map… and Workshop › Clear Comparison to ``window``, with
    the "Changes" dock; the :class:`Comparison` is kept as ``window.comparison``."""
    comparison = Comparison(window)
    window.comparison = comparison
    return comparison


def compare_with(window, other_doc: SystemMap, name: str) -> Comparison:
    """Compare ``window``'s map with ``other_doc`` as Compare with Map… does with a file
    (installing the comparison first if needed)."""
    comparison = getattr(window, "comparison", None) or install(window)
    comparison.compare(other_doc, name)
    return comparison
