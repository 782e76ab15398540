"""Change notification: what changed in a document, delivered once per batch of edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """The net effect of a batch of edits, by element id.

    An element added and then removed in the same batch appears nowhere; one removed and
    re-added appears as changed. ``document`` is true when a document-level field (name,
    documentation, simulation specs) changed.
    """

    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    document: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.document)


@dataclass
class ChangeCollector:
    """Accumulates element events into the net :class:`Change` of a batch."""

    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    document: bool = False

    def add(self, eid: str) -> None:
        if eid in self.removed:
            self.removed.discard(eid)
            self.changed.add(eid)
        else:
            self.added.add(eid)

    def remove(self, eid: str) -> None:
        self.changed.discard(eid)
        if eid in self.added:
            self.added.discard(eid)
        else:
            self.removed.add(eid)

    def change(self, eid: str) -> None:
        if eid not in self.added:
            self.changed.add(eid)

    def copy(self) -> ChangeCollector:
        return ChangeCollector(set(self.added), set(self.removed), set(self.changed), self.document)

    def freeze(self) -> Change:
        return Change(frozenset(self.added), frozenset(self.removed), frozenset(self.changed), self.document)


Listener = Callable[[Change], None]


class Emitter:
    """A minimal signal: listeners are called in connection order with each :class:`Change`."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)
