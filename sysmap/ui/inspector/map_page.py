"""The inspector page shown when nothing is selected: the map's name, documentation, simulation settings."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtWidgets import QComboBox, QWidget

from sysmap.errors import ModelError
from sysmap.model import operations
from sysmap.sim.semantics import METHODS
from sysmap.ui.inspector.fields import CommitLine, CommitText, FieldBox, Note
from sysmap.ui.inspector.page import Page, Session
from sysmap.ui.inspector.selection_page import count_words
from sysmap.ui.inspector.variable_page import UnitsBox

#: The integration methods offered: (value written to the file, shown text).
METHOD_CHOICES = [("euler", "Euler"), ("rk2", "Runge-Kutta 2"), ("rk4", "Runge-Kutta 4")]
#: The numeric simulation settings: (SimSpecs field, label).
NUMBER_FIELDS = [("start", "Start"), ("stop", "Stop"), ("dt", "DT")]


def parse_number(text: str) -> float:
    """A number typed by the user: decimal, exponent or a fraction such as ``1/4``.

    >>> parse_number(" 1/4 "), parse_number("2.5e1")
    (0.25, 25.0)
    >>> parse_number("ten")
    Traceback (most recent call last):
      ...
    sysmap.errors.ModelError: 'ten' is not a number
    """
    try:
        return float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        raise ModelError(f"{text.strip()!r} is not a number") from None


def show_number(value: float | None) -> str:
    """A simulation setting as the field shows it (``None``: blank)."""
    return "" if value is None else f"{value:.12g}"


class MapPage(Page):
    """Shows and edits the map itself."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.summary = Note()
        self.form.addRow(self.summary)
        self.name = self.row("Name", FieldBox(CommitLine()))
        self.name.field.setPlaceholderText("Untitled map")
        self.on(self.name.field.committed, self._commit_name)
        self.documentation = self.row("Documentation", FieldBox(CommitText(lines=4)))
        self.documentation.field.setPlaceholderText("what the map is about, its sources")
        self.on(self.documentation.field.committed, self._commit_documentation)
        self.numbers: dict[str, FieldBox] = {}
        for name, label in NUMBER_FIELDS:
            box = self.row(label, FieldBox(CommitLine()))
            self.on(box.field.committed, lambda text, n=name: self._commit_number(n, text))
            box.field.reverted.connect(box.note.clear)
            self.numbers[name] = box
        self.method = self.row("Method", QComboBox())
        self.on(self.method.activated, self._commit_method)
        self.save_interval = self.row("Save every", FieldBox(CommitLine()))
        self.save_interval.field.setPlaceholderText("every DT")
        self.on(self.save_interval.field.committed, self._commit_save_interval)
        self.save_interval.field.reverted.connect(self.save_interval.note.clear)
        self.time_units = self.row("Time units", UnitsBox(session))
        self.time_units.field.setPlaceholderText("e.g. months")
        self.on(self.time_units.field.committed, self._commit_time_units)
        self.problems = self.row("Problems", Note())
        self.set_row_visible(self.problems, False)

    def show_problems(self, problems: list[str]) -> None:
        """List what went wrong while opening the file (the reader's warnings); empty hides the row."""
        self.problems.say("\n".join(f"• {p}" for p in problems), "warning")
        self.set_row_visible(self.problems, bool(problems))

    def load(self, ids: list[str]) -> None:
        self.ids = []
        doc = self.doc
        specs = doc.sim_specs
        self.title.setText(doc.name or "Untitled map")
        self.summary.say(count_words(doc.elements()) or "empty: double-click the canvas to add a variable")
        self.name.field.show_value(doc.name)
        self.documentation.field.show_value(doc.documentation)
        for name, box in self.numbers.items():
            box.field.show_value(show_number(getattr(specs, name)))
        self.method.clear()
        for value, text in METHOD_CHOICES:
            self.method.addItem(text, value)
        method = METHODS.get(specs.method.strip().lower())
        if method is None:  # a method this program does not know: keep it, as written
            self.method.addItem(specs.method, specs.method)
            method = specs.method
        self.method.setCurrentIndex(self.method.findData(method))
        self.save_interval.field.show_value(show_number(specs.save_interval))
        self.time_units.field.show_value(specs.time_units)
        self.time_units.check()

    def _commit_name(self, text: str) -> None:
        if text != self.doc.name:
            self.commit(self.name, lambda: operations.set_name(self.doc, text))

    def _commit_documentation(self, text: str) -> None:
        if text != self.doc.documentation:
            self.commit(self.documentation, lambda: operations.set_documentation(self.doc, text))

    def _commit_number(self, name: str, text: str) -> None:
        box = self.numbers[name]
        if text == box.field.value:
            box.note.clear()
            return
        self.commit(box, lambda: operations.set_sim_specs(self.doc, **{name: parse_number(text)}))

    def _commit_save_interval(self, text: str) -> None:
        box = self.save_interval
        if text == box.field.value:
            box.note.clear()
            return
        self.commit(
            box,
            lambda: operations.set_sim_specs(
                self.doc, save_interval=parse_number(text) if text.strip() else None
            ),
        )

    def _commit_method(self, index: int) -> None:
        value = self.method.itemData(index)
        current = self.doc.sim_specs.method
        if value != METHODS.get(current.strip().lower(), current):
            self.session.perform(lambda: operations.set_sim_specs(self.doc, method=value))

    def _commit_time_units(self, text: str) -> None:
        if text != self.doc.sim_specs.time_units:
            self.commit(self.time_units, lambda: operations.set_sim_specs(self.doc, time_units=text.strip()))
        self.time_units.check()
