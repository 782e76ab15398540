"""The Perspectives panel (Workshop › Perspectives): who drew what, and what each group sees.

The panel lists the map's perspectives (:mod:`sysmap.model.workshop`) with a colour swatch
and counts; Add…, Edit… and Remove change the list, "Add the three standard perspectives"
offers the seeds' three groups to a map with none, and "Tag selection" / "Untag selection"
put the chosen perspective's tag on the selected variables and links (or take it off).
The view mode colours the canvas by perspective (an element of several in dark grey,
untagged ones as drawn), or lights only the chosen perspective's elements, or only what it
alone sees. Under it, the chosen perspective's summary
(:func:`sysmap.analysis.perspectives.summary_lines`), worked out off the GUI thread because
it searches loops.

Every change is one undo step. The panel follows edits, undo and the replacement of the
window's document, and takes its colours and dimming off the canvas when hidden or when
the mode goes back to "All as drawn".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from sysmap.analysis.perspectives import counted
from sysmap.model import SystemMap
from sysmap.model import workshop as ws
from sysmap.ui.workshop.panel import WorkshopPanel, dock_panel

#: The view modes, in the combo's order.
MODES = ("all", "colour", "only", "unique")
#: The mark of an element that several perspectives drew.
SHARED_COLOUR = "#404040"
REFRESH_MS = 60


def mode_text(mode: str, chosen: str | None) -> str:
    """The combo's text for ``mode`` with the chosen perspective's name.

    >>> mode_text("only", "Residents"), mode_text("unique", None)
    ('Only Residents', 'What only the chosen perspective sees')
    """
    who = chosen or "the chosen perspective"
    return {
        "all": "All as drawn",
        "colour": "Colour by perspective",
        "only": f"Only {who}",
        "unique": f"What only {who} sees",
    }[mode]


def perspective_marks(doc: SystemMap) -> dict[str, str]:
    """Element id -> colour for "Colour by perspective": each variable and link in its first
    perspective's colour, in :data:`SHARED_COLOUR` if it belongs to several; untagged ones
    are left out."""
    marks = {}
    for element in (*doc.variables.values(), *doc.links.values()):
        seen = ws.perspectives_of(doc, element)
        if len(seen) == 1:
            marks[element.id] = ws.perspective_colour(doc, seen[0])
        elif seen:
            marks[element.id] = SHARED_COLOUR
    return marks


def swatch(colour: str, size: int = 14) -> QIcon:
    """A square icon filled with ``colour``."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class PerspectiveDialog(QDialog):
    """Asks for a perspective's name, colour (through :class:`QColorDialog`) and description."""

    def __init__(self, perspective: ws.Perspective, colour: str, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.name = QLineEdit(perspective.name)
        self.colour = colour
        self.colour_button = QPushButton()
        self.colour_button.setToolTip("Choose the perspective's colour")
        self.colour_button.clicked.connect(self._choose_colour)
        self.description = QLineEdit(perspective.description)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Colour", self.colour_button)
        form.addRow("Description", self.description)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(bool(perspective.name.strip()))
        self._show_colour()

    def _show_colour(self) -> None:
        self.colour_button.setIcon(swatch(self.colour))
        self.colour_button.setText(self.colour)

    def _choose_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour), self, "Perspective colour")
        if chosen.isValid():
            self.colour = chosen.name()
            self._show_colour()

    def perspective(self) -> ws.Perspective:
        """The perspective as filled in."""
        return ws.Perspective(self.name.text().strip(), self.colour, self.description.text().strip())


def _summary_job(snapshot: SystemMap):
    from sysmap.analysis.perspectives import perspective_summary, summary_lines

    return {s.name: (s, "\n".join(summary_lines(snapshot, s))) for s in perspective_summary(snapshot)}


class PerspectivesPanel(WorkshopPanel):
    """The panel of the module doc; :meth:`set_window` ties it to a main window."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._showing = False  # whether this panel put marks or a highlight on the canvas
        self.summaries: dict = {}
        self.list = QListWidget()
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setToolTip("The map's perspectives; the chosen one is what Tag and the view modes use")
        self.standard = QPushButton("Add the three standard perspectives")
        self.standard.setToolTip(", ".join(p.name for p in ws.STANDARD_PERSPECTIVES))
        self.add_button, self.edit_button = QPushButton("Add…"), QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.tag_button, self.untag_button = QPushButton("Tag selection"), QPushButton("Untag selection")
        self.tag_button.setToolTip("Give the selected variables and links the chosen perspective")
        self.untag_button.setToolTip("Take the chosen perspective off the selected variables and links")
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(mode_text(mode, None), mode)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setPlaceholderText("Choose a perspective to see what it drew.")

        row1 = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            row1.addWidget(button)
        row2 = QHBoxLayout()
        row2.addWidget(self.tag_button)
        row2.addWidget(self.untag_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.standard)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(QLabel("Show"))
        layout.addWidget(self.mode)
        layout.addWidget(self.summary, 2)
        layout.addWidget(self.status)

        self.start_background("sysmap-perspectives", self._summarised, self.refresh, REFRESH_MS)

        self.standard.clicked.connect(self.add_standard)
        self.add_button.clicked.connect(self.add_perspective)
        self.edit_button.clicked.connect(self.edit_perspective)
        self.remove_button.clicked.connect(self.remove_perspective)
        self.tag_button.clicked.connect(lambda: self.tag_selection(True))
        self.untag_button.clicked.connect(lambda: self.tag_selection(False))
        self.list.currentRowChanged.connect(lambda _row: self._chosen_changed())
        self.mode.currentIndexChanged.connect(lambda _i: self.apply_view())
        self.refresh()

    # -- following the window's document ---------------------------------------------------------

    def document_shown(self) -> None:
        """Show the new document's perspectives."""
        self.refresh()

    def document_changed(self, _change) -> None:
        """Show the perspectives again once the edits pause."""
        self.schedule()

    # -- what is shown ---------------------------------------------------------------------------

    def chosen(self) -> ws.Perspective | None:
        """The chosen perspective, if any."""
        row = self.list.currentRow()
        if self.doc is None or not 0 <= row < len(self.doc.perspectives):
            return None
        return self.doc.perspectives[row]

    def refresh(self) -> None:
        """Show the document's perspectives again (keeping the chosen one), and the view mode."""
        self.debounce.stop()
        doc = self.doc
        previous = self.chosen().name if self.chosen() is not None else None
        blocked = self.list.blockSignals(True)
        try:
            self.list.clear()
            for p in doc.perspectives if doc is not None else ():
                item = QListWidgetItem(swatch(ws.perspective_colour(doc, p)), self._row_text(p))
                item.setToolTip(p.description or p.name)
                self.list.addItem(item)
            names = [p.name for p in doc.perspectives] if doc is not None else []
            if names:
                self.list.setCurrentRow(names.index(previous) if previous in names else 0)
        finally:
            self.list.blockSignals(blocked)
        has = doc is not None and bool(doc.perspectives)
        self.standard.setVisible(doc is not None and not doc.perspectives)
        self.add_button.setEnabled(doc is not None)
        for button in (self.edit_button, self.remove_button, self.tag_button, self.untag_button):
            button.setEnabled(has)
        self._summarise()
        self._chosen_changed()

    def _row_text(self, p: ws.Perspective) -> str:
        doc = self.doc
        ids = ws.members(doc, p.name)
        n_vars = sum(1 for i in ids if i in doc.variables)
        counts = [counted(n_vars, "variable"), counted(len(ids) - n_vars, "link")]
        known = self.summaries.get(p.name)
        if known is not None:
            at_least = "" if known[0].loops_complete else "≥"
            counts.append(at_least + counted(len(known[0].loops), "loop"))
        return f"{p.name}\n{' · '.join(counts)}"

    def _chosen_changed(self) -> None:
        chosen = self.chosen()
        name = chosen.name if chosen is not None else None
        for i, mode in enumerate(MODES):
            self.mode.setItemText(i, mode_text(mode, name))
        known = self.summaries.get(name) if name is not None else None
        if chosen is None:
            self.summary.setPlainText("")
        elif known is not None:
            self.summary.setPlainText(known[1])
        else:
            self.summary.setPlainText(f"{chosen.name}: working out its loops…")
        self.apply_view()

    def _summarise(self) -> None:
        if self.doc is None or not self.doc.perspectives:
            self.summaries = {}
            return
        self.submit(_summary_job, "Could not summarise the perspectives")

    def _summarised(self, result) -> None:
        self.summaries = result
        if self.doc is not None:
            for row, p in enumerate(self.doc.perspectives):
                item = self.list.item(row)
                if item is not None:
                    item.setText(self._row_text(p))
        chosen = self.chosen()
        if chosen is not None and chosen.name in result:
            self.summary.setPlainText(result[chosen.name][1])

    def view_mode(self) -> str:
        """The chosen view mode: one of :data:`MODES`."""
        return self.mode.currentData()

    def apply_view(self) -> None:
        """Colour or dim the canvas as the view mode says (nothing while the panel is hidden)."""
        scene = self.scene
        if scene is None:
            return
        mode, chosen, doc = self.view_mode(), self.chosen(), self.doc
        if not self.isVisible() or doc is None or mode == "all" or (mode != "colour" and chosen is None):
            self.clear_view()
            return
        if mode == "colour":
            scene.highlight(None, owner=self)
            scene.set_marks(perspective_marks(doc), layer="perspectives")
        else:
            scene.set_marks(None, layer="perspectives")
            lit = (
                ws.members(doc, chosen.name) if mode == "only" else ws.unique_to(doc).get(chosen.name, set())
            )
            scene.highlight(lit, owner=self)
        self._showing = True

    def clear_view(self) -> None:
        """Take this panel's colours and dimming off the canvas."""
        scene = self.scene
        if self._showing and scene is not None:
            scene.set_marks(None, layer="perspectives")
            scene.highlight(None, owner=self)
        self._showing = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.apply_view()

    def hideEvent(self, event) -> None:
        self.clear_view()
        super().hideEvent(event)

    # -- changing the perspectives ---------------------------------------------------------------

    def add_standard(self) -> None:
        """Add the three standard perspectives (one undo step)."""
        if self.doc is None:
            return
        known = {p.name.casefold() for p in self.doc.perspectives}
        new = [p for p in ws.STANDARD_PERSPECTIVES if p.name.casefold() not in known]
        if self.perform(
            lambda: ws.set_perspectives(self.doc, (*self.doc.perspectives, *new), "Add standard perspectives")
        ):
            self.refresh()

    def ask(self, perspective: ws.Perspective, title: str) -> ws.Perspective | None:
        """The perspective as the user edits it in a :class:`PerspectiveDialog`, or ``None``."""
        colour = ws.perspective_colour(self.doc, perspective) if perspective.name else perspective.color
        dialog = PerspectiveDialog(perspective, colour, title, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.perspective()
        finally:
            dialog.deleteLater()

    def add_perspective(self) -> None:
        """Ask for a new perspective and add it."""
        if self.doc is None:
            return
        colour = ws.PALETTE[len(self.doc.perspectives) % len(ws.PALETTE)]
        new = self.ask(ws.Perspective("", colour), "Add Perspective")
        if new is None:
            return
        if self.perform(
            lambda: ws.set_perspectives(
                self.doc, (*self.doc.perspectives, new), f"Add perspective {new.name}"
            )
        ):
            self.refresh()
            self.list.setCurrentRow(len(self.doc.perspectives) - 1)

    def edit_perspective(self) -> None:
        """Edit the chosen perspective: a new name retags its elements."""
        chosen = self.chosen()
        if chosen is None:
            return
        row = self.list.currentRow()
        new = self.ask(chosen, "Edit Perspective")
        if new is None or new == chosen:
            return
        if self.perform(lambda: ws.rename_perspective(self.doc, chosen.name, new)):
            self.refresh()
            self.list.setCurrentRow(row)

    def remove_perspective(self) -> None:
        """Remove the chosen perspective from the list (its elements keep their tag)."""
        chosen = self.chosen()
        if chosen is None:
            return
        n = len(ws.members(self.doc, chosen.name))
        if n:
            answer = QMessageBox.question(
                self,
                "Remove Perspective",
                f"Remove perspective “{chosen.name}”? Its {n} elements keep the tag “{chosen.name}”.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        rest = tuple(p for p in self.doc.perspectives if p is not chosen)
        self.perform(lambda: ws.set_perspectives(self.doc, rest, f"Remove perspective {chosen.name}"))
        self.refresh()

    def tag_selection(self, on: bool = True) -> None:
        """Tag (``on``) or untag the selected variables and links with the chosen perspective."""
        chosen, scene, doc = self.chosen(), self.scene, self.doc
        if chosen is None or scene is None or doc is None:
            return
        ids = []
        for eid in scene.selected_ids():
            alias = doc.aliases.get(eid)
            ids.append(alias.of if alias is not None else eid)
        edit = ws.tag_perspective(doc, ids, chosen.name, on)
        if not edit.edits:
            what = "Select variables or links first" if not ids else "Nothing to change"
            self.message(f"{what}: {chosen.name}" if ids else what)
            return
        if self.perform(lambda: edit):
            n = len(edit.edits)
            self.message(
                f"{'Tagged' if on else 'Untagged'} {n} element{'s' if n != 1 else ''}: {chosen.name}"
            )
            self.refresh()


def install(window) -> PerspectivesPanel:
    """Add the Perspectives dock to ``window`` and Workshop › Perspectives to toggle it."""
    panel = PerspectivesPanel()
    dock, _action = dock_panel(
        window,
        panel,
        "Perspectives",
        "Perspec&tives",
        "Show who drew what: tag, colour and filter the map by perspective",
    )
    window.perspectives_panel, window.perspectives_dock = panel, dock
    return panel
