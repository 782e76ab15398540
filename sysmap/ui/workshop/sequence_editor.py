"""Workshop › Edit Presentation…: the presentation's steps, to reorder, caption and annotate.

The "Presentation" dock lists the steps the presentation will show (the map's saved
sequence, else the automatic one). Drag a row to move a step; choose one to light its
elements on the canvas; write its caption (empty: the generated narration, which follows
renames) and presenter notes below. Generate, By Dominance, Add Selection as Step, Delete
Step, Present from Here and Use Automatic Order act on the sequence. Each change is one undo
step (:func:`sysmap.model.workshop.set_presentation`); the first change to an automatic
sequence saves it with the change.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from sysmap.analysis.narration import (
    Step,
    default_sequence,
    dominance_sequence,
    slide_caption,
    slides_from_steps,
    steps_from_slides,
)
from sysmap.errors import SysmapError
from sysmap.model.workshop import Slide, live_slides, set_presentation
from sysmap.ui.workshop.panel import WorkshopPanel

KIND_TEXT = {"variable": "Variable", "link": "Link", "loop": "Loop", "map": "Map"}
ROW_CHARS = 90


def row_text(index: int, step: Step) -> str:
    """A step as the list shows it: ``"3  Loop · R1: As workload rises, …"``.

    >>> row_text(2, Step("variable", ("v1",), "Workload", ("v1",)))
    '3  Variable · Workload'
    """
    caption = " ".join(step.caption.split())
    if len(caption) > ROW_CHARS:
        caption = caption[: ROW_CHARS - 1].rstrip() + "…"
    return f"{index + 1}  {KIND_TEXT.get(step.kind, step.kind)} · {caption}"


def selection_slides(doc, ids) -> list[Slide]:
    """What the canvas selection ``ids`` adds as steps: one variable -> a variable step;
    links only -> one link step; variables forming a loop -> a loop step (with its links and
    label); otherwise a variable step per variable (and a link step for the links)."""
    variables = [i for i in ids if i in doc.variables]
    links = [i for i in ids if i in doc.links]
    if len(variables) >= 2:
        loop = _loop_of(doc, variables)
        if loop is not None:
            return [loop]
    if len(variables) == 1 and not links:
        return [Slide("variable", (variables[0],))]
    out = [Slide("variable", (vid,)) for vid in variables]
    if links:
        out.append(Slide("link", tuple(links)))
    return out


def _loop_of(doc, variables) -> Slide | None:
    """A loop step through exactly ``variables``, if they form one."""
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loop_labels import cycle_key
    from sysmap.analysis.loops import find_loops

    graph = causal_graph(doc, derive=True)
    wanted = set(variables)
    if not wanted <= set(graph):
        return None
    sub = graph.subgraph(wanted)
    for loop in find_loops(sub, time_limit=1.0, max_loops=10_000):
        if set(loop.variables) == wanted:
            members = list(loop.variables)
            items = list(members)
            for u, v in zip(members, members[1:] + members[:1], strict=True):
                items.extend(graph.edges[u, v].get("links", ()))
            key = cycle_key(members)
            items.extend(lb.id for lb in doc.loop_labels.values() if lb.loop and cycle_key(lb.loop) == key)
            return Slide("loop", tuple(dict.fromkeys(items)))
    return None


class _Text(QPlainTextEdit):
    """A caption or notes box that commits when focus leaves it or on Ctrl+Return."""

    def __init__(self, commit, parent=None):
        super().__init__(parent)
        self._commit = commit
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._commit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        self._commit()
        super().focusOutEvent(event)


class SequenceEditor(WorkshopPanel):
    """The presentation's steps of ``window``'s map (a MainWindow, kept as ``main``), for the
    "Presentation" dock: ``steps`` (the list), ``caption`` and ``notes`` (text boxes) and the buttons
    ``generate``, ``by_dominance``, ``add_selection``, ``delete``, ``present_here`` and
    ``automatic``."""

    def __init__(self, window, parent=None):
        super().__init__(parent, status=False)
        self._shown: list[Step] = []
        self._row = -1  # the row whose caption and notes the boxes hold
        self._busy = False  # rebuilding the list: ignore its signals
        self._stale = False  # the document changed while the editor was hidden

        self.steps = QListWidget()
        self.steps.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.steps.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.setWordWrap(False)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideRight)  # the tooltip has it whole
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setMinimumHeight(200)
        self.steps.currentRowChanged.connect(self._choose)
        self.steps.model().rowsMoved.connect(self._moved)
        self.caption = _Text(self._commit_text)
        self.caption.setMaximumHeight(72)
        self.notes = _Text(self._commit_text)
        self.notes.setPlaceholderText("Notes for the presenter (not shown to the room)")
        self.notes.setMaximumHeight(72)

        self.generate = QPushButton("Generate")
        self.generate.setToolTip("The automatic order, from the selected variable if one is selected")
        self.by_dominance = QPushButton("By Dominance")
        self.by_dominance.setToolTip("Loops in the order they drive the simulated behaviour")
        self.add_selection = QPushButton("Add Selection as Step")
        self.delete = QPushButton("Delete Step")
        self.present_here = QPushButton("Present from Here")
        self.automatic = QPushButton("Use Automatic Order")
        self.automatic.setToolTip("Forget the saved sequence: present in the automatic order")
        self.generate.clicked.connect(self.generate_sequence)
        self.by_dominance.clicked.connect(self.dominance_order)
        self.add_selection.clicked.connect(self.add_selected)
        self.delete.clicked.connect(self.delete_step)
        self.present_here.clicked.connect(self.present_from_here)
        self.automatic.clicked.connect(self.use_automatic)

        self.state = QLabel()
        self.state.setStyleSheet("color: #666666;")
        buttons = QGridLayout()
        for i, button in enumerate(
            (
                self.generate,
                self.by_dominance,
                self.add_selection,
                self.delete,
                self.present_here,
                self.automatic,
            )
        ):
            buttons.addWidget(button, i // 2, i % 2)
        column = QVBoxLayout(self)
        column.addWidget(self.state)
        column.addWidget(self.steps, 1)
        column.addWidget(QLabel("Caption"))
        column.addWidget(self.caption)
        column.addWidget(QLabel("Presenter notes"))
        column.addWidget(self.notes)
        column.addLayout(buttons)

        from sysmap.ui.worker import PolledWorker

        self._worker = PolledWorker(self, name="sysmap-dominance", latest_only=True)
        self._worker.answered.connect(self._dominance_answered)
        self._request = None  # (token, doc, start) of the dominance run under way
        self.set_window(window)

    @property
    def main(self):
        """The main window whose map this edits (``window_``)."""
        return self.window_

    # -- the document ------------------------------------------------------------------------

    def document_shown(self) -> None:
        """List the steps of the new document (the window's map, after New or Open)."""
        self._worker.cancel()
        self._request = None
        self.by_dominance.setEnabled(True)
        self._row = -1
        self.refresh()

    def document_changed(self, _change) -> None:
        """List the steps again, or later if the editor is hidden."""
        if self.isVisible():
            self.refresh()
        else:  # the automatic order finds loops: not on every edit while nobody looks
            self._stale = True

    @property
    def saved(self) -> bool:
        """Whether the map has a saved sequence (else the list is the automatic order)."""
        return bool(self.doc.presentation)

    def slides(self) -> list[Slide]:
        """The slides behind the listed steps, one per row: the saved ones still showing
        something, or the automatic sequence's."""
        if self.saved:
            return live_slides(self.doc)
        return list(slides_from_steps(self._shown))

    def refresh(self) -> None:
        """List the steps again (after any change), keeping the chosen row."""
        doc = self.doc
        self._stale = False
        if self.saved:
            self._shown = steps_from_slides(doc, live_slides(doc))
        else:
            self._shown = default_sequence(doc)
        row = self.steps.currentRow()
        self._busy = True
        try:
            self.steps.clear()
            for i, step in enumerate(self._shown):
                item = QListWidgetItem(row_text(i, step))
                item.setData(Qt.ItemDataRole.UserRole, i)
                item.setToolTip(step.caption)
                self.steps.addItem(item)
            if self._shown:
                self.steps.setCurrentRow(max(0, min(row, len(self._shown) - 1)) if row >= 0 else -1)
        finally:
            self._busy = False
        n = len(self._shown)
        which = "Saved sequence" if self.saved else "Automatic order (not saved)"
        self.state.setText(f"{which} · {n} step{'s' if n != 1 else ''}")
        self.automatic.setEnabled(self.saved)
        self._show_row(self.steps.currentRow(), force=True)

    # -- choosing a row ------------------------------------------------------------------------

    def _choose(self, row: int) -> None:
        if self._busy:
            return
        self._commit_text()  # what was typed for the row left behind
        self._show_row(self.steps.currentRow(), force=True)

    def _show_row(self, row: int, force: bool = False) -> None:
        has = 0 <= row < len(self._shown)
        for widget in (self.caption, self.notes, self.delete):
            widget.setEnabled(has)
        if row == self._row and not force:
            return
        self._row = row
        if not has:
            self.caption.setPlainText("")
            self.notes.setPlainText("")
            self.caption.setPlaceholderText("Choose a step")
            self._light(None)
            return
        slide = self.slides()[row]
        self.caption.setPlaceholderText(slide_caption(self.doc, slide.kind, slide.items) or "(no caption)")
        if not self.caption.hasFocus() or force:
            self.caption.setPlainText(slide.caption)
        if not self.notes.hasFocus() or force:
            self.notes.setPlainText(slide.notes)
        step = self._shown[row]
        lit = set(step.ids)
        for lid in step.ids:
            link = self.doc.links.get(lid)
            if link is not None:
                lit.update((link.source, link.target))
        self._light(None if step.kind == "map" else lit)

    def _light(self, ids) -> None:
        if self.isVisible() or ids is None:
            self.main.scene.highlight(ids, owner=self)

    # -- changes (one undo step each) -------------------------------------------------------

    def _save(self, slides, text: str) -> bool:
        return self.perform(lambda: set_presentation(self.doc, slides, text))

    def _commit_text(self) -> None:
        row = self._row
        if not 0 <= row < len(self._shown):
            return
        slides = self.slides()
        if row >= len(slides):
            return
        caption, notes = self.caption.toPlainText(), self.notes.toPlainText()
        slide = slides[row]
        if caption.strip() == slide.caption.strip():
            caption = slide.caption
        if caption == slide.caption and notes == slide.notes:
            return
        slides[row] = slide.evolve(caption=caption, notes=notes)
        self._save(slides, f"Edit step {row + 1}")

    def _moved(self, _parent, start: int, end: int, _dest, row: int) -> None:
        if self._busy:
            return
        order = [self.steps.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.steps.count())]
        slides = self.slides()
        if sorted(order) != list(range(len(slides))) or order == sorted(order):
            return
        moved = self.steps.row(self.steps.currentItem()) if self.steps.currentItem() is not None else -1
        reordered = [slides[i] for i in order]
        # rebuild after the list has finished its own drop handling
        QTimer.singleShot(0, self, lambda: self._apply_order(reordered, moved))

    def _apply_order(self, slides, row: int) -> None:
        if self._save(slides, "Move step"):
            self.steps.setCurrentRow(row)

    def generate_sequence(self) -> None:
        """Replace the sequence by the automatic one from the selected variable (if one is)."""
        chosen = [i for i in self.main.scene.selected_ids() if i in self.doc.variables]
        start = chosen[0] if chosen else None
        slides = slides_from_steps(default_sequence(self.doc, start))
        if self._save(slides, "Generate presentation"):
            name = self.doc.variables[start].label if start else "the most looped variable"
            self.main.show_message(f"Presentation generated from {name}: {len(slides)} steps")

    def dominance_order(self) -> None:
        """Order the loops by how they drive the simulated behaviour (in the background)."""
        from sysmap.analysis.dominance import loop_dominance

        chosen = [i for i in self.main.scene.selected_ids() if i in self.doc.variables]
        snapshot = self.doc.copy()  # the worker never sees the live document
        token = self._worker.submit(lambda: loop_dominance(snapshot), "Loop dominance failed")
        self._request = (token, self.doc, chosen[0] if chosen else None)
        self.by_dominance.setEnabled(False)
        self.main.show_message("Scoring loops by dominance…", 0)

    def _dominance_answered(self, token: int, result) -> None:
        request, self._request = self._request, None
        self.by_dominance.setEnabled(True)
        if request is None or request[0] != token or request[1] is not self.doc:
            return
        if isinstance(result, str):
            self.main.show_message(result.splitlines()[0] if result else "Loop dominance failed")
            return
        try:
            steps = dominance_sequence(self.doc, result, start=request[2])
        except (KeyError, SysmapError) as exc:
            self.main.show_message(str(exc))
            return
        if self._save(slides_from_steps(steps), "Order presentation by dominance"):
            self.main.show_message(f"Presentation ordered by loop dominance: {len(steps)} steps")

    def add_selected(self) -> None:
        """Add the canvas selection as step(s) after the chosen row (else at the end)."""
        new = selection_slides(self.doc, self.main.scene.selected_ids())
        if not new:
            self.main.show_message("Select variables or links on the map to add them as a step")
            return
        slides = self.slides()
        at = self.steps.currentRow() + 1 if self.steps.currentRow() >= 0 else len(slides)
        slides[at:at] = new
        if self._save(slides, "Add presentation step"):
            self.steps.setCurrentRow(at)

    def delete_step(self) -> None:
        """Delete the chosen step."""
        row = self.steps.currentRow()
        slides = self.slides()
        if not 0 <= row < len(slides):
            return
        del slides[row]
        if not slides:  # an empty saved sequence would be no sequence: keep a whole-map step
            slides = [Slide("map")]
        self._save(slides, "Delete presentation step")

    def use_automatic(self) -> None:
        """Forget the saved sequence: the presentation goes back to the automatic order."""
        if self.saved:
            self._save((), "Use automatic presentation order")

    def present_from_here(self) -> None:
        """Present the map, full screen, from the chosen step."""
        from sysmap.ui.presentation import present

        self._commit_text()
        row = max(0, self.steps.currentRow())
        self.main.presentation = present(self.doc, parent=self.main, start=row)

    def hideEvent(self, event) -> None:
        self.main.scene.highlight(None, owner=self)
        super().hideEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()
        else:
            self._show_row(self.steps.currentRow(), force=True)


def install(window) -> SequenceEditor:
    """Add the "Presentation" dock (hidden until Workshop › Edit Presentation…) and the
    Workshop menu's Present, Export Handout (PDF)… and Export Frames (PNG)… to ``window``;
    returns the editor (also ``window.sequence_editor``)."""
    editor = SequenceEditor(window)
    dock = window._dock("Presentation", editor, Qt.DockWidgetArea.RightDockWidgetArea, shown=False)
    dock.visibilityChanged.connect(
        lambda shown: None if shown else window.scene.highlight(None, owner=editor)
    )
    window.sequence_editor = editor
    window.presentation_dock = dock
    menu = window.workshop_menu

    def edit() -> None:
        dock.show()
        dock.raise_()
        editor.steps.setFocus()

    edit_action = menu.addAction("Edit &Presentation…", edit)
    edit_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
    window.addAction(edit_action)
    menu.addAction("P&resent", window.present)
    menu.addAction("Export &Handout (PDF)…", lambda: export_handout_dialog(window))
    menu.addAction("Export &Frames (PNG)…", lambda: export_frames_dialog(window))
    return editor


def _stem(window) -> str:
    from pathlib import Path

    return Path(window.path).stem if window.path else (window.doc.name.strip() or "presentation")


def export_handout_dialog(window, path: str | None = None) -> None:
    """Ask where to write the handout (unless ``path``), write it, say so in the status bar."""
    from sysmap.ui.handout import export_handout

    if path is None:
        path, _ = QFileDialog.getSaveFileName(
            window, "Export Handout", f"{_stem(window)}-handout.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
    _write_out(window, lambda: f"Wrote {export_handout(window.doc, path)} pages to {path}")


def export_frames_dialog(window, directory: str | None = None) -> None:
    """Ask for a folder (unless ``directory``), write a PNG per step, say so."""
    from sysmap.ui.handout import export_frames

    if directory is None:
        directory = QFileDialog.getExistingDirectory(window, "Export Frames to Folder")
        if not directory:
            return
    _write_out(window, lambda: f"Wrote {len(export_frames(window.doc, directory))} frames to {directory}")


def _write_out(window, write) -> None:
    """Run ``write()`` and show what it returns (what was written), or why it failed."""
    try:
        done = write()
    except SysmapError as exc:
        window.show_message(str(exc))
        return
    window.show_message(done)
