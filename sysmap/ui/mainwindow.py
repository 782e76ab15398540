"""The main window: the map editor with its tools, menus, inspector and status bar.

The window owns no document state of its own: a :class:`~sysmap.ui.session.Session` holds
the map, its file, its undo stack, autosave and recovery; the canvas
(:class:`~sysmap.ui.canvas.scene.MapScene`) and the inspector change the map only through
that undo stack. The window wires them together and turns menu actions into edits.

What the user arranges survives a restart (see :mod:`sysmap.ui.settings`): the window's size
and its docks, restored when it is first shown and kept when it closes; the projector style;
the autosave interval and the tour, both in Edit › Preferences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
)

from sysmap.errors import ModelError, SysmapError
from sysmap.model import SystemMap
from sysmap.model.edits import Compound
from sysmap.ui import clipboard, guide
from sysmap.ui.analysis_views import ArchetypesView, LeverageView, PolarityView, TreesView
from sysmap.ui.canvas.overview import Overview
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.style import DEFAULT_STYLE, PROJECTOR_STYLE
from sysmap.ui.canvas.tools import TOOLS, icon_path
from sysmap.ui.canvas.view import MapView
from sysmap.ui.commands import perform
from sysmap.ui.inspector import Inspector
from sysmap.ui.loops_panel import LoopsPanel
from sysmap.ui.session import Session
from sysmap.ui.settings import Settings, default_settings
from sysmap.ui.simulation import SimulationPanel
from sysmap.ui.workshop import install_all as install_workshop

FILE_FILTER = ";;".join(
    [
        "Maps (*.xmile *.stmx *.itmx *.graphml)",
        "XMILE (*.xmile *.stmx *.itmx)",
        "GraphML (*.graphml)",
        "All files (*)",
    ]
)
EXPORT_FILTER = "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"
#: grid step of Snap to Grid, in canvas units
GRID = 20.0
#: how far a paste lands from what was copied, when pasted into the same map
PASTE_OFFSET = (30.0, 30.0)


class MainWindow(QMainWindow):
    """The editor for one map; File › Open replaces it (after asking to save changes).

    ``settings`` (default: the session's, else :func:`~sysmap.ui.settings.default_settings`)
    holds the window layout, the projector style and the preferences; a session the window
    makes autosaves at the interval they name.
    """

    def __init__(
        self,
        doc: SystemMap | None = None,
        path: str | None = None,
        warnings: Sequence[str] = (),
        *,
        session: Session | None = None,
        settings: QSettings | None = None,
    ):
        super().__init__()
        self.resize(1280, 820)
        if settings is None:
            settings = session.settings if session is not None else default_settings()
        self.settings = Settings(settings)
        if session is None:
            interval = self.settings.autosave_interval
            session = Session(doc, path, autosave_interval=interval, settings=settings, parent=self)
        self.session = session
        if session.parent() is not self:
            session.setParent(self)
        self.session.warnings = list(warnings) or self.session.warnings
        self.scene = MapScene(parent=self, undo_stack=self.session.undo_stack)
        self.view = MapView(self.scene)
        self.setCentralWidget(self.view)
        self.inspector = Inspector()
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.inspector_dock], [300], Qt.Orientation.Horizontal)
        self.overview = Overview(self.view)
        self.overview_dock = self._dock("Overview", self.overview, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.overview_dock], [180], Qt.Orientation.Vertical)
        # the analysis and simulation panels open from the Model menu
        self.loops = LoopsPanel()
        self.loops_dock = self._dock("Loops", self.loops, Qt.DockWidgetArea.LeftDockWidgetArea, shown=False)
        self.analysis = QTabWidget()
        self.leverage_view, self.trees_view = LeverageView(self), TreesView(self)
        self.polarity_view, self.archetypes_view = PolarityView(self), ArchetypesView(self)
        for view, title in (
            (self.leverage_view, "Leverage"),
            (self.trees_view, "Causes && uses"),
            (self.polarity_view, "Polarity check"),
            (self.archetypes_view, "Archetypes"),
        ):
            self.analysis.addTab(view, title)
        self.analysis_dock = self._dock(
            "Analysis", self.analysis, Qt.DockWidgetArea.LeftDockWidgetArea, shown=False
        )
        self.tabifyDockWidget(self.loops_dock, self.analysis_dock)
        self.simulation = SimulationPanel()
        self.simulation_dock = self._dock(
            "Simulation", self.simulation, Qt.DockWidgetArea.BottomDockWidgetArea, shown=False
        )
        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)
        self._paste_count = 0
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.scene.selectionChanged.connect(self._show_selection)
        self.scene.message.connect(self.show_message)
        self.inspector.message.connect(self.show_message)
        self.inspector.selectRequested.connect(self._select_and_show)
        self.session.titleChanged.connect(self.setWindowTitle)
        self.session.documentReplaced.connect(lambda _doc: self._show_document())
        self.session.autosaveFailed.connect(lambda text: self.show_message(f"Autosave failed: {text}"))
        self.session.undo_stack.indexChanged.connect(lambda _i: self._update_counts())
        self._show_document()
        # after the window's own handlers: the workshop panels react to a replaced document
        # once the canvas shows it
        install_workshop(self)
        #: the first-run tour while it shows (see :meth:`take_tour`)
        self.tour = None
        self.preferences_dialog = None
        self._layout_restored = False
        if self.settings.projector_style:
            self.projector_action.setChecked(True)

    def _dock(self, title: str, widget, area: Qt.DockWidgetArea, shown: bool = True) -> QDockWidget:
        """A movable, closable dock holding ``widget`` (its View/Model menu action toggles it)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        if not shown:
            dock.hide()
        return dock

    # -- the document ---------------------------------------------------------------------------------

    @property
    def doc(self) -> SystemMap:
        return self.session.doc

    @property
    def path(self) -> str | None:
        return self.session.path

    @property
    def stack(self):
        return self.session.undo_stack

    def _show_document(self) -> None:
        """Show the session's map (after start-up, New or Open)."""
        doc, warnings = self.session.doc, self.session.warnings
        self.scene.set_document(doc)
        self.inspector.set_session(doc, self.session.undo_stack)
        self.simulation.set_session(doc, self.session.undo_stack, self.scene)
        for panel in self._analysis_panels():
            panel.set_session(doc, self.session.undo_stack, self.scene)
        self.inspector.show_problems(warnings)
        self.setWindowTitle(self.session.title())
        self._update_counts()
        self._show_selection()
        if warnings:
            n = len(warnings)
            self.show_message(f"Opened with {n} warning{'s' if n != 1 else ''}: see the Inspector", 15000)
        self.view.fit()
        # the final viewport size is known only once the window is laid out
        QTimer.singleShot(0, self.view, self.view.fit)

    def _update_counts(self) -> None:
        doc = self.session.doc
        n_vars, n_links, n_labels = len(doc.variables), len(doc.links), len(doc.loop_labels)
        self.counts.setText(f"{n_vars} variables · {n_links} links · {n_labels} loop labels")

    def show_message(self, text: str, timeout: int = 8000) -> None:
        """One line in the status bar."""
        self.statusBar().showMessage(text, timeout)

    def open_file(self, path: str, *, as_copy: bool = False) -> bool:
        """Load ``path`` and show it; on failure tell the user and keep the current map.

        Unsaved changes to the current map are offered for saving first. ``as_copy`` opens it
        as a new, untitled map (File › Open Example: the bundled file is never overwritten).
        """
        if not self.session.maybe_close(self):
            return False
        try:
            if as_copy:
                self.session.open_copy(path)
            else:
                self.session.open(path)
        except SysmapError as exc:
            QMessageBox.warning(self, "Cannot open map", str(exc))
            self.show_message(str(exc), 10000)
            return False
        return True

    def new_map(self) -> None:
        if self.session.maybe_close(self):
            self.session.new()

    def save(self) -> bool:
        """Save to the map's file (Save As when it has none); ``False`` if nothing was saved."""
        if self.session.path is None or Path(self.session.path).suffix.lower() != ".xmile":
            return self.save_as()
        return self._saved(lambda: self.session.save())

    def save_as(self) -> bool:
        path = self.session.choose_save_path(self, self.session.suggested_path())
        if not path:
            return False
        return self._saved(lambda: self.session.save_as(path))

    def _saved(self, save: Callable[[], list[str]]) -> bool:
        try:
            warnings = save()
        except SysmapError as exc:
            QMessageBox.warning(self, "Cannot save map", str(exc))
            return False
        if warnings:
            QMessageBox.information(self, "Saved with losses", "\n".join(warnings))
        else:
            self.show_message(f"Saved {self.session.path}", 5000)
        return True

    def _choose_file(self) -> None:
        start = str(Path(self.session.path).parent) if self.session.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open map", start, FILE_FILTER)
        if path:
            self.open_file(path)

    def _choose_merge(self) -> None:
        """File › Merge Map…: the workshop's merge of tables' maps (see
        :mod:`sysmap.ui.workshop.merge_dialog`), for one file or several."""
        from sysmap.ui.workshop.merge_dialog import tool_of

        tool_of(self).choose_and_merge()

    def export_image(self, selection_only: bool = False) -> None:
        from sysmap.ui.export import export_scene

        stem = Path(self.session.suggested_path()).with_suffix(".png")
        path, _ = QFileDialog.getSaveFileName(self, "Export image", str(stem), EXPORT_FILTER)
        if not path:
            return
        try:
            export_scene(self.scene, path, selection_only=selection_only)
        except SysmapError as exc:
            QMessageBox.warning(self, "Cannot export", str(exc))
            return
        self.show_message(f"Exported {path}", 5000)

    def export_graphml(self) -> None:
        """Write the map's causal structure as GraphML (yEd, Gephi, networkx); the map keeps its file."""
        from sysmap.io import save

        stem = Path(self.session.suggested_path()).with_suffix(".graphml")
        path, _ = QFileDialog.getSaveFileName(self, "Export GraphML", str(stem), "GraphML (*.graphml)")
        if not path:
            return
        if Path(path).suffix.lower() != ".graphml":
            path += ".graphml"
        try:
            warnings = save(self.doc, path)
        except SysmapError as exc:
            QMessageBox.warning(self, "Cannot export", str(exc))
            return
        if warnings:
            QMessageBox.information(self, "Exported with losses", "\n".join(warnings))
        self.show_message(f"Exported {path}", 5000)

    def setVisible(self, visible: bool) -> None:
        # the kept size and dock layout, before the window first appears (docks the workshop
        # added included: they are all made in __init__)
        if visible and not self._layout_restored:
            self._layout_restored = True
            self.settings.restore_window(self)
        super().setVisible(visible)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.maybe_close(self):
            if self.tour is not None:
                self.tour.close_quietly()
            self.settings.save_window(self)
            self.inspector.set_session(None, None)
            for panel in self._analysis_panels():
                panel.set_session(None, None, None)
            self.overview.detach()
            self.scene.detach()
            event.accept()
        else:
            event.ignore()

    # -- editing --------------------------------------------------------------------------------------

    def perform(self, build: Callable[[], object], text: str | None = None) -> bool:
        """Build an edit and put it on the undo stack; a refusal goes to the status bar, and an
        edit that changes nothing (aligning what is aligned) adds no undo step."""
        try:
            edit = build()
            if isinstance(edit, Compound) and not edit.edits:
                self.show_message("Nothing to change")
                return False
            perform(self.stack, self.doc, edit, text)
        except ModelError as exc:
            self.show_message(str(exc))
            return False
        return True

    def copy(self) -> bool:
        ids = self.scene.selected_ids()
        if not ids:
            return False
        clipboard.put_on_clipboard(clipboard.mime_for(self.doc, ids))
        self._paste_count = 0
        return True

    def cut(self) -> None:
        if self.copy():
            self.scene.delete_selection()

    def paste(self) -> None:
        from sysmap.model import clipboard as fragments

        fragment = clipboard.fragment_from(QApplication.clipboard().mimeData())
        if fragment is None:
            self.show_message("The clipboard holds no map elements")
            return
        self._paste_count += 1
        offset = (PASTE_OFFSET[0] * self._paste_count, PASTE_OFFSET[1] * self._paste_count)
        try:
            edit, new_ids = fragments.paste_edit(self.doc, fragment, offset=offset)
            perform(self.stack, self.doc, edit)
        except ModelError as exc:
            self.show_message(str(exc))
            return
        self.scene.select_ids(new_ids)

    def select_all(self) -> None:
        self.scene.select_ids([e.id for e in self.doc.elements() if hasattr(e, "position")])

    def align(self, how: str) -> None:
        from sysmap.model import arrange

        ids = self.scene.selected_ids()
        sizes = {}  # the drawn sizes, exact where the model would estimate them from the name
        for eid in ids:
            item = self.scene.variable_items.get(eid)
            if item is not None:
                body = item.body_rect()
                sizes[eid] = (body.width(), body.height())
        self.perform(lambda: arrange.align(self.doc, ids, how, sizes=sizes))

    def distribute(self, axis: str) -> None:
        from sysmap.model import arrange

        self.perform(lambda: arrange.distribute(self.doc, self.scene.selected_ids(), axis))

    def auto_layout(self) -> None:
        """Lay out the selection (or the whole map), loop labels placed inside their loops."""
        from sysmap.analysis.loop_labels import layout_with_labels_edit

        ids = self.scene.selected_ids() or None
        if self.perform(lambda: layout_with_labels_edit(self.doc, ids)):
            self.view.fit()

    def label_loops(self) -> None:
        from sysmap.analysis.loop_labels import label_loops_edit

        if self.perform(lambda: label_loops_edit(self.doc)):
            self._update_counts()

    def _analysis_panels(self) -> tuple:
        return (self.loops, self.leverage_view, self.trees_view, self.polarity_view, self.archetypes_view)

    def run_simulation(self) -> None:
        """Show the simulation panel and run the map's model."""
        self.simulation_dock.show()
        self.simulation_dock.raise_()
        self.simulation.run()

    def present(self) -> None:
        """Full screen, the map revealed step by step with each loop narrated (Escape ends it)."""
        from sysmap.ui.presentation import present

        self.presentation = present(self.doc, parent=self)

    def set_snap(self, on: bool) -> None:
        self.scene.snap = GRID if on else None

    def set_projector_style(self, on: bool) -> None:
        """Large type and thick, high-contrast lines for a room with a projector (kept for the
        next start)."""
        self.settings.projector_style = on
        if self.projector_action.isChecked() != on:
            self.projector_action.setChecked(on)  # calls this again
            return
        if (self.scene.style is PROJECTOR_STYLE) == on:
            return
        selected = self.scene.selected_ids()
        self.scene.style = PROJECTOR_STYLE if on else DEFAULT_STYLE
        self.scene.set_document(self.doc)
        self.scene.select_ids(selected)
        self.view.fit()

    # -- actions, menus, toolbar ------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.undo_action = self.stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence(keys.Undo))
        self.redo_action = self.stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence(keys.Redo))
        self.cut_action = self._action("Cu&t", self.cut, keys.Cut)
        self.copy_action = self._action("&Copy", self.copy, keys.Copy)
        self.paste_action = self._action("&Paste", self.paste, keys.Paste)
        self.delete_action = self._action("&Delete", self.scene.delete_selection, keys.Delete)
        # Delete/Backspace on the canvas are the scene's own keys; the action serves the menu
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.tool_group = QActionGroup(self)
        self.tool_actions = {}
        for record in TOOLS:
            action = QAction(QIcon(str(icon_path(record.tool))), record.label, self)
            action.setCheckable(True)
            action.setToolTip(record.tooltip)
            action.triggered.connect(lambda _=False, t=record.tool: self.scene.set_tool(t))
            self.tool_group.addAction(action)
            self.tool_actions[record.tool] = action
        self.tool_actions[self.scene.tool].setChecked(True)
        self.scene.toolChanged.connect(lambda tool: self.tool_actions[tool].setChecked(True))

    def _build_menus(self) -> None:
        from sysmap.examples import example_names, example_path

        keys = QKeySequence.StandardKey
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self._action("&New", self.new_map, keys.New))
        file_menu.addAction(self._action("&Open…", self._choose_file, keys.Open))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        examples = file_menu.addMenu("Open &Example")
        for name in example_names():
            examples.addAction(
                self._action(
                    name.replace("_", " ").capitalize(),
                    lambda _=False, n=name: self.open_file(str(example_path(n)), as_copy=True),
                )
            )
        file_menu.addAction(self._action("&Merge Map…", self._choose_merge, "Ctrl+Shift+M"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Save", self.save, keys.Save))
        file_menu.addAction(self._action("Save &As…", self.save_as, keys.SaveAs))
        export = file_menu.addMenu("&Export")
        export.addAction(self._action("Map as &Image…", self.export_image, "Ctrl+E"))
        export.addAction(self._action("&Selection as Image…", lambda: self.export_image(True)))
        export.addAction(self._action("&GraphML…", self.export_graphml))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, keys.Quit))

        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        for action in (self.cut_action, self.copy_action, self.paste_action, self.delete_action):
            edit_menu.addAction(action)
        edit_menu.addAction(self._action("Select &All", self.select_all, keys.SelectAll))
        edit_menu.addAction(self._action("Re&name", self.scene.rename_selection, "F2"))
        edit_menu.addSeparator()
        arrange = edit_menu.addMenu("A&rrange")
        for label, how in (
            ("Align &Left", "left"),
            ("Align &Right", "right"),
            ("Align &Top", "top"),
            ("Align &Bottom", "bottom"),
            ("Align Centres &Horizontally", "hcenter"),
            ("Align Centres &Vertically", "vcenter"),
        ):
            arrange.addAction(self._action(label, lambda _=False, h=how: self.align(h)))
        arrange.addSeparator()
        arrange.addAction(self._action("Distribute Hori&zontally", lambda: self.distribute("x")))
        arrange.addAction(self._action("Distribute Verti&cally", lambda: self.distribute("y")))
        self.snap_action = self._action("Snap to &Grid", self.set_snap, checkable=True)
        edit_menu.addAction(self.snap_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("Auto-&Layout", self.auto_layout, "Ctrl+Shift+L"))
        edit_menu.addAction(self._action("Label &Loops", self.label_loops, "Ctrl+Shift+R"))
        edit_menu.addSeparator()
        preferences = QKeySequence(keys.Preferences)
        self.preferences_action = self._action(
            "&Preferences…", self.edit_preferences, preferences if not preferences.isEmpty() else "Ctrl+,"
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        edit_menu.addAction(self.preferences_action)

        model_menu = self.menuBar().addMenu("&Model")
        self.model_menu = model_menu
        model_menu.addAction(self._action("&Run Simulation", self.run_simulation, "Ctrl+R"))
        model_menu.addAction(self.simulation_dock.toggleViewAction())
        loops_action = self.loops_dock.toggleViewAction()
        loops_action.setText("&Loops")
        loops_action.setShortcut(QKeySequence("Ctrl+L"))
        model_menu.addAction(loops_action)
        analysis_action = self.analysis_dock.toggleViewAction()
        analysis_action.setText("&Analysis: Leverage, Causes && Uses, Polarity, Archetypes")
        analysis_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        model_menu.addAction(analysis_action)

        self.workshop_menu = self.menuBar().addMenu("W&orkshop")

        tools_menu = self.menuBar().addMenu("&Tools")
        for action in self.tool_group.actions():
            tools_menu.addAction(action)

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self._action("Zoom &In", self.view.zoom_in, keys.ZoomIn))
        view_menu.addAction(self._action("Zoom &Out", self.view.zoom_out, keys.ZoomOut))
        view_menu.addAction(self._action("&Fit to Window", self.view.fit, "Ctrl+0"))
        view_menu.addAction(self._action("&Actual Size", self.view.actual_size, "Ctrl+1"))
        view_menu.addSeparator()
        self.projector_action = self._action(
            "&Projector Style", self.set_projector_style, "Shift+F5", checkable=True
        )
        view_menu.addAction(self.projector_action)
        view_menu.addAction(self._action("P&resent Loop by Loop", self.present, "F5"))
        view_menu.addAction(self.inspector_dock.toggleViewAction())
        view_menu.addAction(self.overview_dock.toggleViewAction())
        self.view_menu = view_menu

        self.help_menu = self.menuBar().addMenu("&Help")
        self.tour_action = self._action("Take the &Tour", self.take_tour)
        self.help_menu.addAction(self.tour_action)
        self.help_menu.addAction(self._action("&About sysmap", self._about))
        guide.install(self)  # Help › User Guide (F1), before About

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Tools")
        bar.setObjectName("tools")
        self.toolbar = bar
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action in self.tool_group.actions():
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)

    def take_tour(self):
        """Show the short tour of drawing, linking, polarity, loops, simulation and workshops
        over the window (from its first step, if it is showing already); returns it."""
        from sysmap.ui.tour import Tour

        if self.tour is not None:
            self.tour.close_quietly()
        self.tour = Tour(self, self.settings)
        self.tour.finished.connect(self._tour_ended)
        self.tour.start()
        return self.tour

    def _tour_ended(self) -> None:
        self.tour = None

    def edit_preferences(self):
        """Open Edit › Preferences (autosave, projector style, the tour); what the user accepts
        applies at once. Returns the dialog (window-modal; it does not block)."""
        from sysmap.ui.preferences import PreferencesDialog

        if self.preferences_dialog is not None:
            self.preferences_dialog.raise_()
            return self.preferences_dialog
        dialog = PreferencesDialog(self.settings, self)
        dialog.accepted.connect(lambda: dialog.apply(self))
        dialog.finished.connect(lambda _result: self._preferences_closed(dialog))
        self.preferences_dialog = dialog
        dialog.open()
        return dialog

    def _preferences_closed(self, dialog) -> None:
        if self.preferences_dialog is dialog:
            self.preferences_dialog = None
        dialog.deleteLater()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.session.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))
        if not recent:
            self.recent_menu.addAction("No recent maps").setEnabled(False)

    def _about(self) -> None:
        from sysmap import __version__

        QMessageBox.about(
            self,
            "About sysmap",
            f"<b>sysmap {__version__}</b><p>Causal loop diagrams and stock-and-flow maps: "
            "find their feedback loops and leverage points, simulate them, share them.</p>",
        )

    # -- selection --------------------------------------------------------------------------------------

    def _show_selection(self) -> None:
        if not shiboken6.isValid(self.scene) or not shiboken6.isValid(self.inspector):
            return  # the window is being torn down
        self.inspector.show_elements(self.scene.selected_ids())

    def _select_and_show(self, ids: list) -> None:
        self.scene.select_ids(ids)
        items = [self.scene.item_for(i) for i in ids]
        if items and items[0] is not None:
            self.view.ensureVisible(items[0])
