"""What every inspector page shares: the session it edits through, a title, a compact form."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from sysmap.errors import ModelError
from sysmap.model import SystemMap
from sysmap.model.edits import Edit
from sysmap.ui.commands import perform
from sysmap.ui.inspector.fields import FieldBox, commit_fields


class Session:
    """The document and undo stack the inspector edits, and where it reports to.

    ``report(text)`` tells the user something (the inspector's ``message`` signal);
    ``select(ids)`` asks for variables to be selected on the canvas.
    """

    def __init__(self, report: Callable[[str], None], select: Callable[[list], None]):
        self.doc: SystemMap | None = None
        self.stack = None
        self.report = report
        self.select = select

    def perform(self, make_edit: Callable[[], Edit], text: str | None = None, merge_key=None) -> str | None:
        """Build an edit with ``make_edit()`` and perform it as one undo step.

        Returns ``None`` on success, or the model's reason for refusing it (also reported).
        """
        if self.doc is None or self.stack is None:
            return "no map is open"
        try:
            perform(self.stack, self.doc, make_edit(), text, merge_key)
        except ModelError as exc:
            self.report(str(exc))
            return str(exc)
        return None


class Page(QWidget):
    """One kind of inspector content: :meth:`load` fills it from the document, the user edits it.

    Subclasses add rows to ``form`` and implement :meth:`load`.
    """

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.ids: list[str] = []
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setHorizontalSpacing(8)
        self.form.setVerticalSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(self.form)

    @property
    def doc(self) -> SystemMap:
        assert self.session.doc is not None
        return self.session.doc

    def load(self, ids: list[str]) -> None:
        """Show the elements ``ids`` (all of the kind this page is for) as the document has them."""
        raise NotImplementedError

    def reload(self) -> None:
        """Show the current elements again, after the document changed."""
        self.load(self.ids)

    def flush(self) -> None:
        """Commit every draft before the page shows something else; refused drafts are dropped."""
        for field in commit_fields(self):
            if field.is_dirty() and self.present():
                field.committed.emit(field.current_text())
            if field.is_dirty():
                field.revert()

    def present(self) -> bool:
        """Whether the document still holds what the page shows (a deletion may have outrun us)."""
        doc = self.session.doc
        return doc is not None and all(eid in doc for eid in self.ids)

    def on(self, signal, handler: Callable) -> None:
        """Connect a user action to ``handler``, which runs only while the page's elements exist."""
        signal.connect(lambda *args: handler(*args) if self.present() else None)

    def row(self, label: str, widget: QWidget) -> QWidget:
        """Add a labelled row and return the widget."""
        self.form.addRow(label, widget)
        return widget

    def set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self.form.setRowVisible(widget, visible)

    def set_label(self, widget: QWidget, text: str) -> None:
        label = self.form.labelForField(widget)
        if label is not None:
            label.setText(text)

    def commit(
        self,
        box: FieldBox,
        make_edit: Callable[[], Edit],
        text: str | None = None,
        merge_key=None,
    ) -> bool:
        """Perform the edit a field's draft asks for; on refusal keep the draft and show why
        in the field's note.

        The field is marked clean first, so that the document's own form of the value (which
        the change event brings back) replaces the draft.
        """
        return commit_field(self.session, box.field, box.note, make_edit, text, merge_key)


def commit_field(session: Session, field, note, make_edit, text=None, merge_key=None) -> bool:
    """:meth:`Page.commit` for a field and note that are not a :class:`FieldBox`."""
    old = field.value
    field.value = field.current_text()
    error = session.perform(make_edit, text, merge_key)
    if error is not None:
        field.value = old
        note.say(error, "error")
        return False
    note.clear()
    return True
