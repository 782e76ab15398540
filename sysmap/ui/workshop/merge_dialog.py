"""Workshop › Merge Tables' Maps…: several tables' maps into this one, as one undo step.

The facilitator chooses the files; :class:`MergeDialog` lists them with an editable table
name each, the near-synonyms the names suggest ("their 'staff sick' = our 'Staff
sickness'?") for the room to confirm, and whether to tag everything with the table that
drew it. Merging selects what was added and lists the polarity conflicts to discuss in a
dock, where clicking one selects its link on the canvas. :func:`merge_files` is the
non-interactive core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from sysmap.errors import ModelError, SysmapError
from sysmap.model import SystemMap
from sysmap.model.clipboard import MergeResult, merge_tables
from sysmap.model.edits import Compound
from sysmap.model.synonyms import Candidate, table_candidates
from sysmap.ui.commands import perform

#: Near-synonyms at least this likely are listed; those at least TICKED are ticked.
SUGGEST, TICKED = 0.55, 0.9
_FILTER = "Maps (*.xmile *.stmx *.itmx *.graphml);;All files (*)"
_LINK = Qt.ItemDataRole.UserRole


def table_name(doc: SystemMap, path: str | Path) -> str:
    """The name a table's map goes by: the map's own name, else the file's stem."""
    return doc.name.strip() or Path(path).stem


def load_tables(paths: Sequence[str | Path]) -> tuple[list[tuple[str, SystemMap]], list[str]]:
    """The maps in ``paths`` as (path, map) pairs, and one line per file that cannot be
    merged (unreadable, broken or empty)."""
    from sysmap.io import load

    tables: list[tuple[str, SystemMap]] = []
    problems: list[str] = []
    for path in paths:
        try:
            doc = load(path)
        except SysmapError as exc:
            problems.append(" ".join(str(exc).split()))
            continue
        except OSError as exc:
            problems.append(f"{path}: cannot read it ({exc.strerror})")
            continue
        if next(doc.elements(), None) is None:
            problems.append(f"{Path(path).name}: the map is empty")
            continue
        tables.append((str(path), doc))
    return tables, problems


class MergeDialog(QDialog):
    """Names the tables, lists near-synonyms to confirm, and asks about provenance.

    ``tables`` holds (path, map) pairs; ``accepted`` means the choices are ready in
    :meth:`names`, :meth:`synonyms` and :meth:`provenance`.
    """

    def __init__(
        self, doc: SystemMap, tables: Sequence[tuple[str, SystemMap]], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Merge Tables' Maps")
        self.tables = list(tables)
        layout = QVBoxLayout(self)
        target = f"“{doc.name}”" if doc.name else "this map"
        n = len(self.tables)
        layout.addWidget(QLabel(f"Merge {n} map{'s' if n != 1 else ''} into {target}, in this order."))

        box = QGroupBox("Tables")
        form = QFormLayout(box)
        self.base_edit = QLineEdit()
        self.base_edit.setPlaceholderText("the table that drew it, if any")
        self.base_edit.setToolTip(
            "Name the table that drew this map to tag what it holds as theirs; leave empty not to"
        )
        self.base_edit.textChanged.connect(self._check_names)
        form.addRow("This map", self.base_edit)
        self.name_edits: list[QLineEdit] = []
        for path, other in self.tables:
            edit = QLineEdit(table_name(other, path))
            edit.setToolTip("The table's name: the tag and perspective of what it drew")
            edit.textChanged.connect(self._check_names)
            form.addRow(Path(path).name, edit)
            self.name_edits.append(edit)
        layout.addWidget(box)

        layout.addWidget(QLabel("Same variable? Tick the pairs the room agrees mean the same:"))
        self.candidates_list = QListWidget()
        self.candidates: list[tuple[int, Candidate]] = []
        keys = [(str(i), other) for i, (_, other) in enumerate(self.tables)]
        for key, candidate in table_candidates(doc, keys, threshold=SUGGEST):
            self.candidates.append((int(key), candidate))
            item = QListWidgetItem()
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if candidate.score >= TICKED else Qt.CheckState.Unchecked
            )
            item.setToolTip(candidate.reason)
            self.candidates_list.addItem(item)
        if not self.candidates:
            self.candidates_list.addItem("No near-synonyms: only equivalent names will be matched.")
            self.candidates_list.setEnabled(False)
        self._label_candidates()
        layout.addWidget(self.candidates_list, 1)

        self.provenance_box = QCheckBox("Tag with table names (provenance)")
        self.provenance_box.setChecked(True)
        self.provenance_box.setToolTip("Each table becomes a perspective holding what it drew")
        layout.addWidget(self.provenance_box)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(620, 460)
        self._check_names()

    def _label_candidates(self) -> None:
        for row, (index, c) in enumerate(self.candidates):
            table = self.name_edits[index].text().strip() or "?"
            self.candidates_list.item(row).setText(
                f"{table}'s “{c.their_name}” = our “{c.our_name}”?   {c.score:.2f} · {c.reason}"
            )

    def _check_names(self) -> None:
        names = [e.text().strip().casefold() for e in self.name_edits]
        base = self.base_edit.text().strip().casefold()
        if not all(names):
            problem = "Every table needs a name."
        elif len(set(names)) != len(names) or base in names:
            problem = "Two tables have the same name: name them apart."
        else:
            problem = ""
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
        if self.candidates:
            self._label_candidates()

    def names(self) -> list[str]:
        """The table names, in the order of the files."""
        return [e.text().strip() for e in self.name_edits]

    def synonyms(self) -> dict[str, dict[str, str]]:
        """The ticked near-synonyms: {table name: {their variable id: our variable's name}}."""
        names = self.names()
        chosen: dict[str, dict[str, str]] = {}
        for row, (index, c) in enumerate(self.candidates):
            if self.candidates_list.item(row).checkState() == Qt.CheckState.Checked:
                chosen.setdefault(names[index], {})[c.theirs] = c.our_name
        return chosen

    def provenance(self) -> bool:
        """Whether to tag what each table drew with its name."""
        return self.provenance_box.isChecked()

    def base(self) -> str | None:
        """The name of the table that drew this map (None: not given)."""
        return self.base_edit.text().strip() or None


class ConflictsPanel(QWidget):
    """The conflicts a merge found, for the room to discuss; clicking one selects its link."""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("Merge tables' maps to see their conflicts here.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(self._select)
        self.list.itemActivated.connect(self._select)
        layout.addWidget(self.list, 1)

    def show_result(self, result: MergeResult, names: Sequence[str]) -> None:
        """List ``result``'s conflicts (clickable) and its other messages."""
        self.list.clear()
        n = len(result.conflicts)
        tables = ", ".join(names)
        self.summary.setText(
            f"Merged {tables}: {n} conflict{'s' if n != 1 else ''} to discuss"
            + (" (click one to select its link)." if n else ".")
        )
        for conflict in result.conflicts:
            item = QListWidgetItem(str(conflict))
            item.setData(_LINK, conflict.link)
            item.setToolTip("Polarity kept on the map; the other is in the link's note")
            self.list.addItem(item)
        for message in result.messages:
            item = QListWidgetItem(message)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setForeground(Qt.GlobalColor.darkGray)
            self.list.addItem(item)

    def clear(self) -> None:
        """Forget the last merge's conflicts (another map was opened)."""
        self.list.clear()
        self.summary.setText("Merge tables' maps to see their conflicts here.")

    def conflicts(self) -> list[str]:
        """The conflicts listed, as shown."""
        return [self.list.item(i).text() for i in range(self.list.count()) if self.list.item(i).data(_LINK)]

    def _select(self, item: QListWidgetItem) -> None:
        link = item.data(_LINK)
        if not link:
            return
        window = self.window
        if link not in window.doc.links:
            window.show_message("That link is no longer on the map")
            return
        window.scene.select_ids([link])
        shown = window.scene.item_for(link)
        if shown is not None:
            window.view.ensureVisible(shown)


class MergeTables:
    """Workshop › Merge Tables' Maps… on a main window, with its conflicts dock."""

    def __init__(self, window):
        self.window = window
        self.dialog: MergeDialog | None = None
        self.panel = ConflictsPanel(window)
        self.dock = window._dock(
            "Conflicts to Discuss", self.panel, Qt.DockWidgetArea.RightDockWidgetArea, shown=False
        )
        #: asks for the files to merge; tests replace it
        self.choose_paths = self._ask_paths
        self.action = QAction("&Merge Tables' Maps…", window)
        self.action.setStatusTip("Merge the maps several tables drew: confirm near-synonyms, see conflicts")
        self.action.triggered.connect(self.choose_and_merge)
        window.workshop_menu.addAction(self.action)
        window.session.documentReplaced.connect(lambda _doc: self._replaced())

    def _ask_paths(self) -> list[str]:
        start = str(Path(self.window.session.path).parent) if self.window.session.path else ""
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Merge tables' maps into this one", start, _FILTER
        )
        return paths

    def _replaced(self) -> None:
        self.panel.clear()
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.reject()

    def choose_and_merge(self) -> MergeDialog | None:
        """Ask for the files, then open the dialog (window-modal, not blocking)."""
        paths = self.choose_paths()
        return self.ask(paths) if paths else None

    def ask(self, paths: Sequence[str]) -> MergeDialog | None:
        """Load ``paths`` (reporting the bad ones) and open :class:`MergeDialog` on the rest;
        its Merge button merges them."""
        tables, problems = load_tables(paths)
        _report(self.window, problems)
        if not tables:
            return None
        dialog = MergeDialog(self.window.doc, tables, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        doc = self.window.doc

        def merge() -> None:
            if self.window.doc is doc:
                named = [(name, other) for name, (_, other) in zip(dialog.names(), tables, strict=True)]
                self.merge(named, dialog.synonyms(), dialog.provenance(), base=dialog.base())

        dialog.accepted.connect(merge)
        self.dialog = dialog
        dialog.open()
        return dialog

    def merge(
        self,
        tables: Sequence[tuple[str, SystemMap]],
        synonyms: Mapping[str, Mapping[str, str]] | None = None,
        provenance: bool = True,
        *,
        base: str | None = None,
    ) -> MergeResult | None:
        """Merge named maps into the window's map as one undo step; select what was added and
        list the conflicts. A refused merge is a message box (None returned)."""
        window = self.window
        try:
            result = merge_tables(window.doc, tables, synonyms=synonyms, provenance=provenance, base=base)
            if _empty(result.edit):
                window.show_message("The tables' maps add nothing to this map")
                return result
            perform(window.session.undo_stack, window.doc, result.edit)
        except ModelError as exc:
            QMessageBox.warning(window, "Cannot merge", str(exc))
            return None
        window.scene.select_ids(result.new_ids)
        names = [name for name, _ in tables]
        self.panel.show_result(result, names)
        n, c = len(result.new_ids), len(result.conflicts)
        summary = (
            f"Merged {len(names)} map{'s' if len(names) != 1 else ''}: {n} new item{'s' if n != 1 else ''}"
        )
        if c:
            summary += f", {c} conflict{'s' if c != 1 else ''} to discuss"
        if result.conflicts or result.messages:
            self.dock.show()
            self.dock.raise_()
        window.show_message(summary, 10000)
        return result


def _empty(edit) -> bool:
    """Whether ``edit`` changes nothing (a compound of nothing)."""
    return isinstance(edit, Compound) and all(_empty(e) for e in edit.edits)


def _report(window, problems: Sequence[str]) -> None:
    if problems:
        n = len(problems)
        QMessageBox.warning(
            window,
            "Not merged",
            f"{n} file{'s' if n != 1 else ''} could not be merged:\n" + "\n".join(problems),
        )


def merge_files(
    window,
    paths: Sequence[str],
    names: Sequence[str | None] | None = None,
    synonyms: str | Mapping[str, Mapping[str, str]] = "ask",
    provenance: bool = True,
) -> MergeResult | MergeDialog | None:
    """Merge the maps in ``paths`` into ``window``'s map.

    ``names`` gives the tables' names (None or missing: the map's name, else the file
    stem). ``synonyms`` is ``"ask"`` (open :class:`MergeDialog`, which is returned),
    ``"none"`` (match equivalent names only) or {table name: {their variable id: our
    variable's name}}. Unreadable or empty files are one line each in a message box and the
    rest merge; returns the :class:`MergeResult` (None when nothing merged).
    """
    tool = tool_of(window)
    if synonyms == "ask":
        return tool.ask(paths)
    tables, problems = load_tables(paths)
    _report(window, problems)
    if not tables:
        return None
    given = {str(p): n for p, n in zip(paths, names or (), strict=False) if n}
    named = [(given.get(path) or table_name(other, path), other) for path, other in tables]
    return tool.merge(named, None if synonyms == "none" else synonyms, provenance)


def tool_of(window) -> MergeTables:
    """The merge tool installed on ``window`` (installed now if it was not)."""
    tool = getattr(window, "_merge_tables", None)
    return tool if tool is not None else install(window)


def install(window) -> MergeTables:
    """Add Workshop › Merge Tables' Maps… and the Conflicts to Discuss dock to ``window``."""
    tool = MergeTables(window)
    window._merge_tables = tool
    return tool
