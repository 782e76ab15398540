"""The inspector page of a selection of several elements: the count, and the fields they share (style too)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from sysmap.model import Kind, Link, LoopLabel, Note, Variable, operations
from sysmap.model.edits import Compound
from sysmap.ui.inspector.fields import Note as NoteLabel
from sysmap.ui.inspector.link_page import polarity_buttons
from sysmap.ui.inspector.page import Page, Session
from sysmap.ui.inspector.style_section import StyleSection
from sysmap.ui.inspector.variable_page import EDITABLE_KINDS, KIND_WORDS

_NOUNS = {Variable: "variable", Link: "link", LoopLabel: "loop label", Note: "note"}


def count_words(elements) -> str:
    """``3 variables · 1 link``: how many elements of each type, in the document's type order."""
    counts = Counter(_NOUNS.get(type(e), type(e).__name__.lower()) for e in elements)
    return " · ".join(f"{n} {noun}{'s' if n != 1 else ''}" for noun, n in counts.items())


class SelectionPage(Page):
    """Several elements: their number and kinds; the polarity of several links, the kind of
    several variables, and the style of all, set for all at once as one undo step."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.form.addRow(self.summary)
        self.polarity = self.row("Polarity", polarity_buttons())
        self.on(self.polarity.chosen, self._commit_polarity)
        self.kind = self.row("Kind", QComboBox())
        for kind in EDITABLE_KINDS:
            self.kind.addItem(KIND_WORDS[kind], kind.value)
        self.on(self.kind.activated, self._commit_kind)
        self.problem = self.row("", NoteLabel())
        self.style_section = StyleSection(self, [Variable, Link, LoopLabel, Note])

    def load(self, ids: list[str]) -> None:
        if ids != self.ids:
            self.problem.clear()
        self.ids = list(ids)
        elements = [self.doc.element(eid) for eid in ids]
        self.title.setText(f"{len(ids)} items selected")
        self.summary.setText(count_words(elements))
        links = all(isinstance(e, Link) for e in elements)
        self.set_row_visible(self.polarity, links)
        if links:
            marks = {e.polarity.value for e in elements}
            self.polarity.set_value(marks.pop() if len(marks) == 1 else None)
        variables = all(isinstance(e, Variable) for e in elements) and not any(
            e.kind == Kind.MODULE for e in elements
        )
        self.set_row_visible(self.kind, variables)
        if variables:
            kinds = {e.kind.value for e in elements}
            self.kind.blockSignals(True)
            self.kind.setCurrentIndex(self.kind.findData(kinds.pop()) if len(kinds) == 1 else -1)
            self.kind.setPlaceholderText("mixed")
            self.kind.blockSignals(False)
        self.style_section.load(elements)

    def _commit_polarity(self, value: str) -> None:
        doc, ids = self.doc, list(self.ids)
        shown = {"+": "+", "-": "−", "?": "?", "": "none"}[value]
        self._perform(
            lambda: Compound(
                [operations.update(doc, lid, polarity=value) for lid in ids],
                f"Set polarity of {len(ids)} links to {shown}",
            )
        )

    def _commit_kind(self, index: int) -> None:
        doc, ids = self.doc, list(self.ids)
        kind = self.kind.itemData(index)
        changing = [vid for vid in ids if doc.variables[vid].kind.value != kind]
        if not changing:
            return
        word = KIND_WORDS[Kind(kind)].lower()
        self._perform(
            lambda: Compound(
                [operations.update(doc, vid, kind=kind) for vid in changing],
                f"Make {len(changing)} variables {word}s",
            )
        )

    def _perform(self, make_edit) -> None:
        error = self.session.perform(make_edit)
        if error is not None:
            self.problem.say(error, "error")
            self.reload()
        else:
            self.problem.clear()
