"""Edits on the undo stack: applied once, named in the Edit menu, undone and redone exactly."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QUndoStack

from sysmap.errors import ModelError
from sysmap.model import SystemMap, operations
from sysmap.ui.commands import perform


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Workload")
    doc.add_variable("Workload", id="w", position=(0, 0))
    doc.add_variable("Sick leave", id="s", position=(200, 0))
    return doc


def test_an_edit_is_applied_once_and_named(qapp, doc):
    stack = QUndoStack()
    heard = []
    doc.changed.connect(heard.append)
    perform(stack, doc, operations.add_link(doc, "w", "s", polarity="+"))
    assert len(doc.links) == 1
    assert len(heard) == 1  # pushing did not apply it a second time
    assert stack.undoText() == "Add link"  # operations' own name
    stack.undo()
    assert len(doc.links) == 0
    stack.redo()
    assert len(doc.links) == 1


def test_a_refused_edit_raises_and_leaves_the_stack_alone(qapp, doc):
    stack = QUndoStack()
    before = doc.copy()
    with pytest.raises(ModelError):
        perform(stack, doc, operations.rename_variable(doc, "w", "Sick leave"))
    assert stack.count() == 0
    assert doc == before


def test_nudges_of_the_same_items_merge_into_one_step(qapp, doc):
    stack = QUndoStack()
    start = doc.copy()
    for step in range(1, 4):
        edit = operations.move(doc, {"w": (step, 0), "s": (200 + step, 0)})
        perform(stack, doc, edit, merge_key=frozenset({"w", "s"}))
    assert stack.count() == 1
    assert stack.undoText() == "Move 2 items"
    assert doc.variables["w"].position == (3, 0)
    stack.undo()
    assert doc == start
    stack.redo()
    assert doc.variables["s"].position == (203, 0)
    # a nudge of other items starts a new step
    perform(stack, doc, operations.move(doc, {"w": (4, 0)}), merge_key=frozenset({"w"}))
    assert stack.count() == 2


def test_undoing_everything_restores_the_document(qapp, doc):
    stack = QUndoStack()
    start = doc.copy()
    perform(stack, doc, operations.add_link(doc, "w", "s", polarity="+", id="ws"))
    perform(stack, doc, operations.update(doc, "ws", curvature=0.2), text="Bend link")
    perform(stack, doc, operations.rename_variable(doc, "s", "Staff sick leave"))
    perform(stack, doc, operations.remove(doc, ["w"]))
    end = doc.copy()
    assert stack.undoText() == "Delete 1 item"
    while stack.canUndo():
        stack.undo()
    assert doc == start
    while stack.canRedo():
        stack.redo()
    assert doc == end
