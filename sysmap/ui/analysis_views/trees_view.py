"""The causes tree and the uses tree of the variable selected on the canvas (as Vensim draws them).

The causes tree lists what the variable depends on, then what those depend on, to the depth
chosen; the uses tree, what it affects. Each branch carries the polarity of its link (``+``,
``−``, ``?``; "delayed" when the link is). A variable already on the branch above is marked
"(loop)" and not expanded again. Clicking a node selects that variable on the canvas (the trees
stay on the variable they were drawn for).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from sysmap.model import SystemMap
from sysmap.ui.analysis_views.background import AnalysisView, sign_text, variables_selected

DEFAULT_DEPTH = 2
MAX_DEPTH = 6
#: nodes at most in one tree; a wider one is cut, and the status line says so
MAX_NODES = 3000
LOOP_MARK = " (loop)"
ID_ROLE = Qt.ItemDataRole.UserRole


class TreesView(AnalysisView):
    """The causes and uses trees of the variable selected on the canvas; see the module doc."""

    working_text = "Reading the map's links…"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.root: str | None = None  # the variable the trees are drawn for
        self._selecting = False  # the view itself is selecting on the canvas
        self.depth = QSpinBox()
        self.depth.setRange(1, MAX_DEPTH)
        self.depth.setValue(DEFAULT_DEPTH)
        self.title = QLabel("Select a variable on the canvas.")
        self.title.setWordWrap(True)
        self.causes = self._tree("Causes")
        self.uses = self._tree("Uses")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Depth"))
        top.addWidget(self.depth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(QLabel("Causes (what it depends on)"))
        layout.addWidget(self.causes, 1)
        layout.addWidget(QLabel("Uses (what it affects)"))
        layout.addWidget(self.uses, 1)
        layout.addWidget(self.status)
        self.depth.valueChanged.connect(self.rebuild)

    def _tree(self, name: str) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setObjectName(name)
        tree.setColumnCount(2)
        tree.setHeaderLabels(("Variable", "Link"))
        tree.header().setStretchLastSection(False)
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        tree.itemClicked.connect(self._clicked)
        return tree

    @staticmethod
    def compute(snapshot: SystemMap, cancel):
        """The causal graph, with polarities derived from equations where they decide them."""
        from sysmap.analysis.causal import causal_graph

        return causal_graph(snapshot, derive=True)

    def show_result(self, graph) -> None:
        self.rebuild()

    # -- following the canvas ------------------------------------------------------------------------

    def scene_attached(self, scene) -> None:
        scene.selectionChanged.connect(self._scene_selection_changed)

    def scene_detached(self, scene) -> None:
        scene.selectionChanged.disconnect(self._scene_selection_changed)

    def _scene_selection_changed(self) -> None:
        if self._selecting or not self.scene_valid() or self.doc is None:
            return
        chosen = variables_selected(self.scene, self.doc)
        if len(chosen) == 1 and chosen[0] != self.root:
            self.root = chosen[0]
            self.rebuild()

    def show_variable(self, vid: str | None) -> None:
        """Draw the trees of variable ``vid`` (``None``: none)."""
        self.root = vid
        self.rebuild()

    # -- the trees ---------------------------------------------------------------------------------

    def rebuild(self, *_args) -> None:
        """Draw both trees again for :attr:`root` at the chosen depth."""
        self.causes.clear()
        self.uses.clear()
        graph, root, doc = self.result, self.root, self.doc
        if doc is None or root not in doc.variables:
            self.root = None
            self.title.setText("Select a variable on the canvas." if doc is not None else "No map.")
            return
        self.title.setText(f"<b>{_name(graph, doc, root)}</b>")
        if graph is None or root not in graph:
            return
        depth = self.depth.value()
        cut = False
        for tree, upstream in ((self.causes, True), (self.uses, False)):
            top = QTreeWidgetItem((_name(graph, doc, root), ""))
            top.setData(0, ID_ROLE, root)
            tree.addTopLevelItem(top)
            cut |= not _grow(top, graph, doc, root, (root,), depth, upstream, [1])
            tree.expandAll()
        if cut:
            self.status.setText(f"Trees cut at {MAX_NODES:,} variables: choose a smaller depth.")
        elif self.status.text().startswith("Trees cut"):
            self.status.clear()

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        vid = item.data(0, ID_ROLE)
        if vid is None or not self.scene_valid():
            return
        self._selecting = True
        try:
            self.scene.select_ids([vid])
        finally:
            self._selecting = False


def _name(graph, doc: SystemMap, vid: str) -> str:
    var = doc.variables.get(vid)
    if var is not None:
        return var.label
    return str(graph.nodes[vid].get("name", vid)) if graph is not None and vid in graph else vid


def _grow(item, graph, doc, vid, path, depth, upstream, count) -> bool:
    """Add ``vid``'s causes (``upstream``) or uses under ``item``, ``depth`` levels; false if the
    tree was cut at :data:`MAX_NODES` (``count`` is the nodes added so far, shared)."""
    if depth <= 0:
        return True
    neighbours = graph.predecessors(vid) if upstream else graph.successors(vid)
    children = sorted(neighbours, key=lambda n: _name(graph, doc, n).casefold())
    for other in children:
        if count[0] >= MAX_NODES:
            return False
        count[0] += 1
        edge = graph.edges[other, vid] if upstream else graph.edges[vid, other]
        sign = sign_text(edge.get("sign", "?"))
        if edge.get("delay"):
            sign += " delayed"
        looped = other in path
        child = QTreeWidgetItem((_name(graph, doc, other) + (LOOP_MARK if looped else ""), sign))
        child.setData(0, ID_ROLE, other)
        child.setToolTip(0, "already on this branch: a feedback loop" if looped else "")
        item.addChild(child)
        if not looped and not _grow(child, graph, doc, other, (*path, other), depth - 1, upstream, count):
            return False
    return True
