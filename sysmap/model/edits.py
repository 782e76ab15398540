"""Reversible edits: each one can ``apply(doc)`` and then ``revert(doc)`` back to the same document.

Four primitives -- :class:`Insert`, :class:`Remove`, :class:`Replace`, :class:`SetField` --
and :class:`Compound`, which applies several in order and reverts them in reverse. The UI
wraps each edit in a ``QUndoCommand``; scripts apply them with :meth:`SystemMap.apply`.
Build edits with :mod:`sysmap.model.operations`, which checks the request and cascades it
(a rename rewrites equations, a deletion takes the links along).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sysmap.model.document import SystemMap


class Edit(Protocol):
    """Anything with a user-facing ``text`` that can be applied and reverted."""

    text: str

    def apply(self, doc: SystemMap) -> None: ...

    def revert(self, doc: SystemMap) -> None: ...


class Insert:
    """Add one element (at the end of its kind's order)."""

    def __init__(self, element, text: str = ""):
        self.element = element
        self.text = text or f"Add {type(element).__name__.lower()}"

    def apply(self, doc: SystemMap) -> None:
        doc._insert(self.element)

    def revert(self, doc: SystemMap) -> None:
        doc._remove(self.element.id)


class Remove:
    """Delete one element that nothing refers to; reverting puts it back in its old place."""

    def __init__(self, element, text: str = ""):
        self.element = element
        self.text = text or f"Delete {type(element).__name__.lower()}"
        self._place: int | None = None

    def apply(self, doc: SystemMap) -> None:
        _, self._place = doc._remove(self.element.id)

    def revert(self, doc: SystemMap) -> None:
        doc._insert(self.element, self._place)


class Replace:
    """Swap an element for a changed copy with the same id."""

    def __init__(self, old, new, text: str = ""):
        if old.id != new.id:
            raise ValueError("Replace keeps the id: old and new must share it")
        self.old = old
        self.new = new
        self.text = text or f"Change {type(new).__name__.lower()}"

    def apply(self, doc: SystemMap) -> None:
        doc._replace(self.new)

    def revert(self, doc: SystemMap) -> None:
        doc._replace(self.old)


class SetField:
    """Change a document-level field: ``name``, ``documentation`` or ``sim_specs``."""

    def __init__(self, field: str, old, new, text: str = ""):
        self.field = field
        self.old = old
        self.new = new
        self.text = text or f"Change {field.replace('_', ' ')}"

    def apply(self, doc: SystemMap) -> None:
        doc._set_field(self.field, self.new)

    def revert(self, doc: SystemMap) -> None:
        doc._set_field(self.field, self.old)


class Compound:
    """Several edits as one; if one fails part-way, those already applied are reverted."""

    def __init__(self, edits: Sequence[Edit], text: str = ""):
        self.edits = list(edits)
        self.text = text or (self.edits[0].text if len(self.edits) == 1 else "Edit")

    def apply(self, doc: SystemMap) -> None:
        done: list[Edit] = []
        try:
            for edit in self.edits:
                edit.apply(doc)
                done.append(edit)
        except BaseException:
            for edit in reversed(done):
                edit.revert(doc)
            raise

    def revert(self, doc: SystemMap) -> None:
        for edit in reversed(self.edits):
            edit.revert(doc)
