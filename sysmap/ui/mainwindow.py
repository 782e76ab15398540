"""The main window: the map canvas, a details panel for the selection, menus and status bar.

This first window is read-only: it opens, shows and explores maps. Editing (tools, undo
stack, saving) arrives with the map editor.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QTextBrowser

from sysmap.errors import SysmapError
from sysmap.model import Link, LoopLabel, Note, SystemMap, Variable
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.view import MapView

FILE_FILTER = ";;".join(
    [
        "Maps (*.xmile *.stmx *.itmx *.graphml)",
        "XMILE (*.xmile *.stmx *.itmx)",
        "GraphML (*.graphml)",
        "All files (*)",
    ]
)


class MainWindow(QMainWindow):
    """Shows one map; File › Open replaces it."""

    def __init__(self, doc: SystemMap, path: str | None = None, warnings: Sequence[str] = ()):
        super().__init__()
        self.resize(1280, 820)
        self.scene = MapScene(parent=self)
        self.view = MapView(self.scene)
        self.setCentralWidget(self.view)
        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(False)
        dock = QDockWidget("Details", self)
        dock.setObjectName("details")
        dock.setWidget(self.details)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.resizeDocks([dock], [260], Qt.Orientation.Horizontal)
        self.details_dock = dock
        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)
        self._build_menus()
        self.scene.selectionChanged.connect(self._show_selection)
        self.doc: SystemMap | None = None
        self.path: str | None = None
        self.warnings: list[str] = []
        self.set_document(doc, path, warnings)

    # -- documents ---------------------------------------------------------------------------------

    def set_document(self, doc: SystemMap, path: str | None, warnings: Sequence[str] = ()) -> None:
        """Show ``doc``, read from ``path`` with the reader's ``warnings``."""
        self.doc, self.path, self.warnings = doc, path, list(warnings)
        if self.warnings:
            n = len(self.warnings)
            self.statusBar().showMessage(
                f"Opened with {n} warning{'s' if n != 1 else ''}: see the Details panel", 15000
            )
        self.scene.set_document(doc)
        title = doc.name or (Path(path).stem if path else "Untitled")
        self.setWindowTitle(f"{title} — sysmap")
        self.counts.setText(
            f"{len(doc.variables)} variables · {len(doc.links)} links · {len(doc.loop_labels)} loop labels"
        )
        self._show_selection()
        self.view.fit()
        # the final viewport size is known only once the window is laid out
        QTimer.singleShot(0, self.view, self.view.fit)

    def open_file(self, path: str) -> bool:
        """Load ``path`` and show it; on failure tell the user and keep the current map."""
        from sysmap.io import load_with_warnings

        try:
            doc, warnings = load_with_warnings(path)
        except SysmapError as exc:
            QMessageBox.warning(self, "Cannot open map", str(exc))
            self.statusBar().showMessage(str(exc), 10000)
            return False
        self.scene.detach()
        self.set_document(doc, path, warnings)
        return True

    def _choose_file(self) -> None:
        start = str(Path(self.path).parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open map", start, FILE_FILTER)
        if path:
            self.open_file(path)

    # -- menus ---------------------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        from sysmap.examples import example_names, example_path

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self._action("&Open…", self._choose_file, QKeySequence.StandardKey.Open))
        examples = file_menu.addMenu("Open &Example")
        for name in example_names():
            examples.addAction(
                self._action(
                    name.replace("_", " ").capitalize(),
                    lambda _=False, n=name: self.open_file(str(example_path(n))),
                )
            )
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self._action("Zoom &In", self.view.zoom_in, QKeySequence.StandardKey.ZoomIn))
        view_menu.addAction(self._action("Zoom &Out", self.view.zoom_out, QKeySequence.StandardKey.ZoomOut))
        view_menu.addAction(self._action("&Fit to Window", self.view.fit, "Ctrl+0"))
        view_menu.addAction(self._action("&Actual Size", self.view.actual_size, "Ctrl+1"))
        view_menu.addSeparator()
        view_menu.addAction(self.details_dock.toggleViewAction())

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About sysmap", self._about))

    def _about(self) -> None:
        from sysmap import __version__

        QMessageBox.about(
            self,
            "About sysmap",
            f"<b>sysmap {__version__}</b><p>Causal loop diagrams and stock-and-flow maps: "
            "find their feedback loops and leverage points, simulate them, share them.</p>",
        )

    # -- details panel ------------------------------------------------------------------------------

    def _show_selection(self) -> None:
        doc = self.doc
        if doc is None or not shiboken6.isValid(self.scene):  # the window is being torn down
            return
        ids = [getattr(item, "element_id", None) for item in self.scene.selectedItems()]
        elements = [doc.element(eid) for eid in ids if eid is not None and eid in doc]
        if not elements:
            self.details.setHtml(self._map_html(doc, self.warnings))
        else:
            self.details.setHtml("<hr>".join(self._element_html(doc, e) for e in elements))

    @staticmethod
    def _map_html(doc: SystemMap, warnings: Sequence[str] = ()) -> str:
        parts = [f"<h3>{html.escape(doc.name or 'Untitled map')}</h3>"]
        if doc.documentation:
            parts.append(f"<p>{html.escape(doc.documentation)}</p>")
        if warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
            parts.append(f"<h4>Problems found while opening</h4><ul>{items}</ul>")
        parts.append("<p><i>Click a variable or loop label to see its details.</i></p>")
        return "".join(parts)

    @staticmethod
    def _element_html(doc: SystemMap, element) -> str:
        esc = html.escape
        if isinstance(element, Variable):
            rows = [("Kind", element.kind.value)]
            if element.equation:
                rows.append(("Equation", element.equation))
            if element.units:
                rows.append(("Units", element.units))
            if element.tags:
                rows.append(("Tags", ", ".join(element.tags)))
            causes = [
                doc.variables[link.source].label + f" ({link.polarity.value or '·'})"
                for link in doc.links_to(element.id)
            ]
            effects = [
                doc.variables[link.target].label + f" ({link.polarity.value or '·'})"
                for link in doc.links_from(element.id)
            ]
            if causes:
                rows.append(("Caused by", ", ".join(causes)))
            if effects:
                rows.append(("Affects", ", ".join(effects)))
            table = "".join(f"<tr><td><b>{esc(k)}</b>&nbsp;</td><td>{esc(v)}</td></tr>" for k, v in rows)
            doc_text = f"<p>{esc(element.documentation)}</p>" if element.documentation else ""
            return f"<h3>{esc(element.label)}</h3><table>{table}</table>{doc_text}"
        if isinstance(element, LoopLabel):
            members = " → ".join(doc.variables[v].label for v in element.loop)
            loop = f"<p>{esc(members)}</p>" if members else ""
            story = f"<p>{esc(element.documentation)}</p>" if element.documentation else ""
            return f"<h3>Loop {esc(element.text)}</h3>{loop}{story}"
        if isinstance(element, Note):
            return f"<h3>Note</h3><p>{esc(element.text)}</p>"
        if isinstance(element, Link):
            source, target = doc.variables[element.source], doc.variables[element.target]
            return f"<h3>Link</h3><p>{esc(source.label)} → {esc(target.label)}</p>"
        return ""
