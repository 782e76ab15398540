"""Inspector pages of the things drawn on a map besides variables and links: loop labels and notes."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from sysmap.model import Direction, LoopLabel, Note, operations
from sysmap.ui.inspector.fields import CommitLine, CommitText, FieldBox, RefList
from sysmap.ui.inspector.page import Page, Session
from sysmap.ui.inspector.style_section import StyleSection


class LoopLabelPage(Page):
    """Shows and edits a loop label: its text (R1, B2…), turning direction, story, members and style."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.text = self.row("Label", FieldBox(CommitLine()))
        self.text.field.setPlaceholderText("R1, B2…")
        self.on(self.text.field.committed, self._commit_text)
        self.text.field.reverted.connect(self.text.note.clear)
        self.direction = self.row("Direction", QComboBox())
        self.direction.addItem("clockwise ↻", Direction.CLOCKWISE.value)
        self.direction.addItem("anticlockwise ↺", Direction.ANTICLOCKWISE.value)
        self.on(self.direction.activated, self._commit_direction)
        self.members = self.row("Loop", RefList(max_rows=8))
        self.members.chosen.connect(lambda vid: session.select([vid]))
        self.documentation = self.row("Story", FieldBox(CommitText(lines=4)))
        self.documentation.field.setPlaceholderText("what this loop does, in words")
        self.on(self.documentation.field.committed, self._commit_documentation)
        self.style_section = StyleSection(self, [LoopLabel])

    @property
    def label(self) -> LoopLabel:
        return self.doc.loop_labels[self.ids[0]]

    def load(self, ids: list[str]) -> None:
        other = ids[:1] != self.ids[:1]
        self.ids = list(ids[:1])
        label = self.label
        if other:
            self.text.note.clear()
            self.documentation.note.clear()
        self.title.setText(f"Loop {label.text}" if label.text else "Loop label")
        self.text.field.show_value(label.text, force=other)
        self.direction.setCurrentIndex(self.direction.findData(label.direction.value))
        variables = self.doc.variables
        self.members.set_entries(
            [(vid, f"{i}.  {variables[vid].label}", "") for i, vid in enumerate(label.loop, 1)]
        )
        self.documentation.field.show_value(label.documentation, force=other)
        self.style_section.load([label])

    def _commit_text(self, text: str) -> None:
        if text == self.label.text:
            return
        lid = self.label.id
        self.commit(
            self.text,
            lambda: operations.update(self.doc, lid, text=text),
            f"Relabel loop as {text!r}",
        )

    def _commit_direction(self, index: int) -> None:
        value = self.direction.itemData(index)
        label = self.label
        if value == label.direction.value:
            return
        lid = label.id
        if self.session.perform(lambda: operations.update(self.doc, lid, direction=value)) is not None:
            self.reload()

    def _commit_documentation(self, text: str) -> None:
        if text == self.label.documentation:
            return
        lid = self.label.id
        self.commit(
            self.documentation,
            lambda: operations.update(self.doc, lid, documentation=text),
            "Edit loop story",
        )


class NotePage(Page):
    """Shows and edits a free-text note and its style."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.text = self.row("Text", FieldBox(CommitText(lines=6)))
        self.on(self.text.field.committed, self._commit_text)
        self.style_section = StyleSection(self, [Note])

    @property
    def note(self) -> Note:
        return self.doc.notes[self.ids[0]]

    def load(self, ids: list[str]) -> None:
        other = ids[:1] != self.ids[:1]
        self.ids = list(ids[:1])
        if other:
            self.text.note.clear()
        self.title.setText("Note")
        self.text.field.show_value(self.note.text, force=other)
        self.style_section.load([self.note])

    def _commit_text(self, text: str) -> None:
        if text == self.note.text:
            return
        nid = self.note.id
        self.commit(self.text, lambda: operations.update(self.doc, nid, text=text), "Edit note")
