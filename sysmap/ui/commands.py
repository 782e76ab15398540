"""Undo commands: every change the UI makes to a map goes through :func:`perform`.

An edit from :mod:`sysmap.model.operations` is applied to the document *before* its
:class:`EditCommand` goes on the ``QUndoStack``, so an edit the model refuses raises
:class:`~sysmap.errors.ModelError` to the caller and never reaches the stack (an exception
inside ``QUndoCommand.redo`` would be printed by Qt, not raised). Undo and redo then call
:meth:`SystemMap.revert` and :meth:`SystemMap.apply`; the canvas follows the document's
change events, so nothing here touches items.

Successive moves of the same elements with the keyboard merge into one command
("Move 3 items"), as nudging with arrow keys does in drawing programs.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from sysmap.model import SystemMap
from sysmap.model.edits import Compound, Edit

#: QUndoCommand.id() of keyboard nudges, which merge with the previous nudge of the same items
NUDGE_ID = 1001


class EditCommand(QUndoCommand):
    """A model edit on the undo stack, named by the edit's ``text``."""

    def __init__(self, doc: SystemMap, edit: Edit, text: str | None = None, merge_key=None):
        super().__init__(text or edit.text)
        self.doc = doc
        self.edit = edit
        #: what a nudge moved (a frozenset of ids): equal keys merge
        self.merge_key = merge_key
        self._applied = True  # perform() applied it already

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.doc.apply(self.edit)

    def undo(self) -> None:
        self.doc.revert(self.edit)

    def id(self) -> int:
        return NUDGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.doc is not self.doc:
            return False
        if other.merge_key != self.merge_key:
            return False
        self.edit = Compound([self.edit, other.edit], self.text())
        return True


def perform(
    stack: QUndoStack, doc: SystemMap, edit: Edit, text: str | None = None, merge_key=None
) -> EditCommand:
    """Apply ``edit`` to ``doc`` and put it on ``stack`` as one undoable step.

    Raises :class:`~sysmap.errors.ModelError` (and pushes nothing) when the model refuses it.
    ``text`` overrides the edit's own name in the Edit menu; ``merge_key`` (for keyboard
    nudges) merges this step into the previous one with the same key.
    """
    doc.apply(edit)
    command = EditCommand(doc, edit, text, merge_key)
    stack.push(command)
    return command
