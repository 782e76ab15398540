"""The inspector page of one variable: name, kind, equation, graph, units, tags, documentation,
causes, style."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from sysmap.model import Kind, Link, Variable, operations
from sysmap.model.names import equation_form
from sysmap.sim.units import UnitSyntaxError, UnitSystem, parse_units
from sysmap.ui.inspector.equation import EquationBox
from sysmap.ui.inspector.fields import CommitLine, CommitText, FieldBox, Note, RefList
from sysmap.ui.inspector.graph_editor import GraphEditor
from sysmap.ui.inspector.page import Page, Session, commit_field
from sysmap.ui.inspector.sparkline import Sparkline, describe_graph
from sysmap.ui.inspector.style_section import StyleSection

KIND_WORDS = {
    Kind.CONCEPT: "Concept",
    Kind.STOCK: "Stock",
    Kind.AUX: "Auxiliary",
    Kind.FLOW: "Flow",
    Kind.MODULE: "Module",
}
#: The kinds of variable that may have a graph (a lookup table of their equation's value).
GRAPH_KINDS = (Kind.AUX, Kind.FLOW)
#: The kinds a user may switch a variable between (a module is made by importing one).
EDITABLE_KINDS = (Kind.CONCEPT, Kind.STOCK, Kind.AUX, Kind.FLOW)
#: How a polarity is shown in the cause and effect lists, and in what colour.
POLARITY_MARKS = {"+": ("+", "#1e7a3c"), "-": ("−", "#c0392b"), "?": ("?", "#8e6c00"), "": ("·", "#5b6873")}


def parse_tags(text: str) -> tuple[str, ...]:
    """Comma-separated tags as a tuple, blanks and repeats dropped.

    >>> parse_tags(" policy, ,feedback,policy ")
    ('policy', 'feedback')
    """
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


def check_units(doc, text: str) -> str | None:
    """Why unit text ``text`` does not parse under the map's units, or ``None`` when it does."""
    if not text.strip():
        return None
    try:
        parse_units(text, UnitSystem(doc.units))
    except UnitSyntaxError as exc:
        return f"✗ column {exc.column}: {exc.message}"
    return None


def link_entry(doc, link: Link, other: str) -> tuple[str, str, str]:
    """A cause/effect list entry for ``link``, naming the variable ``other`` at its far end."""
    mark, colour = POLARITY_MARKS[link.polarity.value]
    delay = " · delayed" if link.delay else ""
    return other, f"{mark}  {doc.variables[other].label}{delay}", colour


class UnitsBox(FieldBox):
    """A units field that says at once when the text is not a unit expression."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(CommitLine(), 1, parent)
        self.session = session
        self.field.setPlaceholderText("e.g. people/year")
        self.field.textChanged.connect(self.check)

    def check(self) -> None:
        if self.session.doc is None:
            return
        problem = check_units(self.session.doc, self.field.text())
        if problem:
            self.note.say(problem, "error")
        elif self.note.tone == "error":
            self.note.clear()


class VariablePage(Page):
    """Shows and edits one variable."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.name = self.row("Name", FieldBox(CommitLine()))
        self.on(self.name.field.committed, self._commit_name)
        self.name.field.reverted.connect(self.name.note.clear)

        kind_box = QWidget()
        self.kind = QComboBox()
        for kind in EDITABLE_KINDS:
            self.kind.addItem(KIND_WORDS[kind], kind.value)
        self.kind_note = Note()
        box_layout = QVBoxLayout(kind_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(2)
        box_layout.addWidget(self.kind)
        box_layout.addWidget(self.kind_note)
        self.kind_box = self.row("Kind", kind_box)
        self.on(self.kind.activated, self._commit_kind)

        self.equation = self.row("Equation", EquationBox())
        self.on(self.equation.editor.committed, self._commit_equation)
        self.equation.editor.reverted.connect(self.equation.check_now)

        self.flows = self.row("Flows", QLabel())
        self.flows.setWordWrap(True)
        graph_box = QWidget()
        self.sparkline = Sparkline()
        self.graph_caption = Note()
        graph_layout = QVBoxLayout(graph_box)
        graph_layout.setContentsMargins(0, 0, 0, 0)
        graph_layout.setSpacing(2)
        graph_layout.addWidget(self.sparkline)
        graph_layout.addWidget(self.graph_caption)
        self.graph_input = Note()
        graph_layout.addWidget(self.graph_input)
        self.graph_button = QPushButton("Edit graph…")
        self.graph_button.setToolTip("Edit the lookup table: drag its points, type its values")
        button_row = QHBoxLayout()
        button_row.setContentsMargins(0, 0, 0, 0)
        button_row.addWidget(self.graph_button)
        button_row.addStretch(1)
        graph_layout.addLayout(button_row)
        self.graph_editor: GraphEditor | None = None
        self.on(self.graph_button.clicked, lambda *_: self.edit_graph())
        self.on(self.sparkline.activated, self.edit_graph)
        self.graph_box = self.row("Graph", graph_box)
        self.array = self.row("Array", Note())

        self.units = self.row("Units", UnitsBox(session))
        self.on(self.units.field.committed, self._commit_units)
        self.units.field.reverted.connect(self.units.check)

        self.non_negative = self.row("Non-negative", QComboBox())
        self.on(self.non_negative.activated, self._commit_non_negative)

        self.tags = self.row("Tags", FieldBox(CommitLine()))
        self.tags.field.setPlaceholderText("comma, separated")
        self.on(self.tags.field.committed, self._commit_tags)
        self.tags.field.reverted.connect(self.tags.note.clear)

        self.documentation = self.row("Documentation", FieldBox(CommitText(lines=3)))
        self.documentation.field.setPlaceholderText("what it means, where the numbers come from")
        self.on(self.documentation.field.committed, self._commit_documentation)

        self.causes = self.row("Caused by", RefList())
        self.effects = self.row("Affects", RefList())
        self.causes.chosen.connect(lambda vid: session.select([vid]))
        self.effects.chosen.connect(lambda vid: session.select([vid]))
        self.style_section = StyleSection(self, [Variable])

    @property
    def var(self) -> Variable:
        return self.doc.variables[self.ids[0]]

    def load(self, ids: list[str]) -> None:
        other = ids[:1] != self.ids[:1]
        self.ids = list(ids[:1])
        doc, var = self.doc, self.var
        if other:
            for note in (self.name.note, self.tags.note, self.documentation.note, self.kind_note):
                note.clear()
        self.title.setText(KIND_WORDS[var.kind])
        self.name.field.show_value(var.label, force=other)

        self.kind.blockSignals(True)
        module_index = self.kind.findData(Kind.MODULE.value)
        if var.kind == Kind.MODULE and module_index < 0:
            self.kind.addItem(KIND_WORDS[Kind.MODULE], Kind.MODULE.value)
        elif var.kind != Kind.MODULE and module_index >= 0:
            self.kind.removeItem(module_index)
        self.kind.setCurrentIndex(self.kind.findData(var.kind.value))
        self.kind.setEnabled(var.kind != Kind.MODULE)
        self.kind.blockSignals(False)

        stock = var.kind == Kind.STOCK
        self.set_label(self.equation, "Initial value" if stock else "Equation")
        self.equation.editor.setPlaceholderText(
            ("initial value" if stock else "equation") + "…  (Ctrl+Enter saves)"
        )
        self.equation.set_context(doc, var.id)
        self.equation.editor.show_value(var.equation, force=other)
        self.equation.check_now()

        self._show_flows(var)
        self._show_graph(var)
        self.set_row_visible(self.array, bool(var.dimensions))
        if var.dimensions:
            each = f"; {len(var.elements)} elements have their own equation" if var.elements else ""
            self.array.say(f"by {', '.join(var.dimensions)}{each}")

        self.units.field.show_value(var.units, force=other)
        self.units.check()

        self.set_row_visible(self.non_negative, var.kind in (Kind.STOCK, Kind.FLOW))
        if var.kind in (Kind.STOCK, Kind.FLOW):
            self._show_non_negative(var)

        self.tags.field.show_value(", ".join(var.tags), force=other)
        self.documentation.field.show_value(var.documentation, force=other)
        self.causes.set_entries([link_entry(doc, link, link.source) for link in doc.links_to(var.id)])
        self.effects.set_entries([link_entry(doc, link, link.target) for link in doc.links_from(var.id)])
        self.style_section.load([var])

    def _show_graph(self, var: Variable) -> None:
        editable = var.kind in GRAPH_KINDS
        self.set_row_visible(self.graph_box, var.graph is not None or editable)
        self.sparkline.setVisible(var.graph is not None)
        self.graph_button.setVisible(editable)
        self.graph_button.setText("Edit graph…" if var.graph is not None else "Add a graph…")
        if var.graph is None:
            self.graph_caption.clear()
            self.graph_input.clear()
            return
        self.sparkline.set_graph(var.graph)
        if not var.graph.y_points:
            self.graph_caption.say("a table sysmap could not read, kept as written")
        else:
            self.graph_caption.say(describe_graph(var.graph))
        if var.equation.strip():
            self.graph_input.say("x is the equation's value")
        else:
            self.graph_input.say(f"no equation: called by name, {equation_form(var.name)}(x)")

    def edit_graph(self) -> None:
        """Open the graph editor on this variable's table (a straight line when it has none);
        OK sets the table as one undo step."""
        var = self.var
        if var.kind not in GRAPH_KINDS:
            return
        if self.graph_editor is not None:
            self.graph_editor.raise_()
            return
        dialog = GraphEditor(var.graph, var.label, var.equation, self.window())
        self.graph_editor = dialog
        vid = var.id

        def finished(code: int) -> None:
            self.graph_editor = None
            dialog.deleteLater()
            if code != QDialog.DialogCode.Accepted or not dialog.changed() or not self.present():
                return
            if vid not in self.doc.variables:
                return
            graph = dialog.result()
            label = self.doc.variables[vid].label
            what = "Remove the graph of" if graph is None else "Edit the graph of"
            if graph is not None and self.doc.variables[vid].graph is None:
                what = "Add a graph to"
            error = self.session.perform(
                lambda: operations.set_graph(self.doc, vid, graph), f"{what} {label!r}"
            )
            if error is not None:
                self.graph_caption.say(error, "error")

        dialog.finished.connect(finished)
        dialog.open()

    def _show_flows(self, var: Variable) -> None:
        doc = self.doc
        text = ""
        if var.kind == Kind.FLOW:
            source, sink = doc.flow_ends(var.id)
            ends = [doc.variables[end].label if end else "cloud" for end in (source, sink)]
            text = f"from {ends[0]} to {ends[1]}"
        elif var.kind == Kind.STOCK:
            parts = []
            for word, fids in (("in", var.inflows), ("out", var.outflows)):
                if fids:
                    parts.append(f"{word}: " + ", ".join(doc.variables[f].label for f in fids))
            text = " · ".join(parts) or "none yet"
        self.flows.setText(text)
        self.set_label(self.flows, "Pipe" if var.kind == Kind.FLOW else "Flows")
        self.set_row_visible(self.flows, bool(text))

    def _show_non_negative(self, var: Variable) -> None:
        behavior = self.doc.behavior
        default = behavior.non_negative_stocks if var.kind == Kind.STOCK else behavior.non_negative_flows
        combo = self.non_negative
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(f"model default ({'yes' if default else 'no'})", None)
        combo.addItem("yes", True)
        combo.addItem("no", False)
        combo.setCurrentIndex({None: 0, True: 1, False: 2}[var.non_negative])
        combo.blockSignals(False)

    # -- commits --------------------------------------------------------------------------------

    def _commit_name(self, text: str) -> None:
        if text == self.name.field.value:
            self.name.note.clear()
            return
        vid = self.var.id
        self.commit(self.name, lambda: operations.rename_variable(self.doc, vid, text.strip()))

    def _commit_kind(self, index: int) -> None:
        kind = self.kind.itemData(index)
        var = self.var
        if kind == var.kind.value:
            return
        vid = var.id
        error = self.session.perform(
            lambda: operations.update(self.doc, vid, kind=kind),
            f"Make {var.label!r} a{'n' if kind == 'aux' else ''} {KIND_WORDS[Kind(kind)].lower()}",
        )
        if error is not None:
            self.kind_note.say(error, "error")
            self.reload()
        else:
            self.kind_note.clear()

    def _commit_equation(self, text: str) -> None:
        var = self.var
        editor = self.equation.editor
        if text == var.equation:
            return
        vid = var.id
        ok = commit_field(
            self.session,
            editor,
            self.equation.status,
            lambda: operations.update(self.doc, vid, equation=text),
            f"Edit equation of {var.label!r}",
        )
        check = self.equation.check_now()
        if ok and check.error is not None:
            self.session.report(
                f"Saved the equation of {var.label!r}; it has an error at line {check.line}, "
                f"column {check.column}: {check.error}"
            )

    def _commit_units(self, text: str) -> None:
        if text == self.units.field.value:
            return
        vid = self.var.id
        if self.commit(self.units, lambda: operations.update(self.doc, vid, units=text.strip())):
            self.units.check()

    def _commit_non_negative(self, index: int) -> None:
        value = self.non_negative.itemData(index)
        var = self.var
        if value == var.non_negative:
            return
        vid = var.id
        error = self.session.perform(lambda: operations.update(self.doc, vid, non_negative=value))
        if error is not None:
            self.reload()

    def _commit_tags(self, text: str) -> None:
        var = self.var
        tags = parse_tags(text)
        if tags == var.tags:
            self.tags.field.show_value(", ".join(tags), force=True)
            return
        vid = var.id
        self.commit(self.tags, lambda: operations.update(self.doc, vid, tags=tags), f"Tag {var.label!r}")

    def _commit_documentation(self, text: str) -> None:
        var = self.var
        if text == var.documentation:
            return
        vid = var.id
        self.commit(
            self.documentation,
            lambda: operations.update(self.doc, vid, documentation=text),
            f"Document {var.label!r}",
        )
