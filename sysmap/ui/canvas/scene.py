"""The scene: one graphics item per map element, kept in step with the document's events.

The scene only reads the document. It subscribes to :attr:`SystemMap.changed` and, for each
batch of changes, adds, removes and updates just the items concerned (and the links and
pipes attached to a variable that moved), so a large map is not rebuilt for a small edit.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from sysmap.model import Alias, Change, Kind, Link, LoopLabel, Note, SystemMap, Variable
from sysmap.ui.canvas.items.annotation import LoopLabelItem, NoteItem
from sysmap.ui.canvas.items.flow import FlowPipeItem
from sysmap.ui.canvas.items.link import LinkItem
from sysmap.ui.canvas.items.variable import AliasItem, VariableItem
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle

MARGIN = 60.0


class MapScene(QGraphicsScene):
    """Mirrors a :class:`SystemMap` as graphics items; ``items_by_id`` maps element ids to items."""

    def __init__(self, doc: SystemMap | None = None, style: CanvasStyle = DEFAULT_STYLE, parent=None):
        super().__init__(parent)
        self.style = style
        self.doc: SystemMap | None = None
        self.variable_items: dict[str, VariableItem] = {}
        self.alias_items: dict[str, AliasItem] = {}
        self.link_items: dict[str, LinkItem] = {}
        self.pipe_items: dict[str, FlowPipeItem] = {}
        self.label_items: dict[str, LoopLabelItem] = {}
        self.note_items: dict[str, NoteItem] = {}
        self.setBackgroundBrush(QBrush(style.background))
        if doc is not None:
            self.set_document(doc)

    # -- document binding ---------------------------------------------------------------------

    def set_document(self, doc: SystemMap) -> None:
        """Show ``doc`` (replacing any previous one) and follow its changes."""
        if self.doc is not None:
            self.doc.changed.disconnect(self._on_change)
        self.clear()
        for items in self._maps():
            items.clear()
        self.doc = doc
        doc.changed.connect(self._on_change)
        for var in doc.variables.values():
            self._add_variable(var)
        for element in doc.elements():
            if not isinstance(element, Variable):
                self._add(element)
        self._refresh_connections(set(doc.variables))
        self._fit_scene_rect()

    def detach(self) -> None:
        """Stop following the document (call before dropping the scene)."""
        if self.doc is not None:
            self.doc.changed.disconnect(self._on_change)
            self.doc = None

    def _maps(self) -> tuple[dict, ...]:
        return (
            self.variable_items,
            self.alias_items,
            self.link_items,
            self.pipe_items,
            self.label_items,
            self.note_items,
        )

    def item_for(self, eid: str) -> QGraphicsItem | None:
        """The main item showing element ``eid`` (a flow's valve, not its pipe)."""
        for items in self._maps():
            if eid in items:
                return items[eid]
        return None

    # -- building items -------------------------------------------------------------------------

    def _add_variable(self, var: Variable) -> None:
        item = VariableItem(var, self.style)
        self.variable_items[var.id] = item
        self.addItem(item)
        if var.kind == Kind.FLOW:
            pipe = FlowPipeItem(var, self.style)
            self.pipe_items[var.id] = pipe
            self.addItem(pipe)

    def _add(self, element) -> None:
        if isinstance(element, Variable):
            self._add_variable(element)
        elif isinstance(element, Link):
            item = LinkItem(element, self.style)
            self.link_items[element.id] = item
            self.addItem(item)
        elif isinstance(element, Alias):
            alias_item = AliasItem(element, self.doc.variables[element.of], self.style)
            self.alias_items[element.id] = alias_item
            self.addItem(alias_item)
        elif isinstance(element, LoopLabel):
            item = LoopLabelItem(element, self.style)
            self.label_items[element.id] = item
            self.addItem(item)
        elif isinstance(element, Note):
            item = NoteItem(element, self.style)
            self.note_items[element.id] = item
            self.addItem(item)
        # groups are not drawn yet: they have no geometry of their own in most maps

    def _remove(self, eid: str) -> None:
        for items in self._maps():
            item = items.pop(eid, None)
            if item is not None:
                self.removeItem(item)

    # -- following changes ------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        doc = self.doc
        assert doc is not None
        for eid in change.removed:
            self._remove(eid)
        # Items first (variables, then aliases, then the rest), geometry after, so a link
        # added with its ends in the same batch finds their items.
        rank = {Variable: 0, Alias: 1}
        added = sorted(
            (doc.element(eid) for eid in change.added if eid in doc), key=lambda e: rank.get(type(e), 2)
        )
        for element in added:
            self._add(element)
        changed = [doc.element(eid) for eid in change.changed if eid in doc]
        links: dict[str, Link] = {}
        for element in changed:
            if isinstance(element, Variable):
                self._update_variable(element)
            elif isinstance(element, Alias):
                self.alias_items[element.id].update_alias(element, doc.variables[element.of])
                links.update((link.id, link) for link in doc.links_from_alias(element.id))
            elif isinstance(element, LoopLabel):
                self.label_items[element.id].update_from(element)
            elif isinstance(element, Note):
                self.note_items[element.id].update_from(element)
        for element in (*added, *changed):
            if isinstance(element, Link):
                links[element.id] = element
        for link in links.values():
            self._update_link(link)
        self._refresh_connections({e.id for e in (*added, *changed) if isinstance(e, Variable)})
        self._grow_scene_rect(change.added | change.changed)

    def _update_variable(self, var: Variable) -> None:
        item = self.variable_items[var.id]
        was_flow = item.var.kind == Kind.FLOW
        item.update_from(var)
        if was_flow != (var.kind == Kind.FLOW):
            self._remove_pipe(var.id)
            if var.kind == Kind.FLOW:
                pipe = FlowPipeItem(var, self.style)
                self.pipe_items[var.id] = pipe
                self.addItem(pipe)

    def _remove_pipe(self, fid: str) -> None:
        pipe = self.pipe_items.pop(fid, None)
        if pipe is not None:
            self.removeItem(pipe)

    def _refresh_connections(self, variables: set[str]) -> None:
        """Re-route the links and pipes attached to the given variables."""
        doc = self.doc
        assert doc is not None
        links: dict[str, Link] = {}
        flows: set[str] = set()
        for vid in variables:
            if vid not in doc.variables:
                continue
            for link in doc.links_from(vid) + doc.links_to(vid):
                links[link.id] = link
            for alias in doc.aliases_of(vid):
                self.alias_items[alias.id].update_alias(alias, doc.variables[vid])
            var = doc.variables[vid]
            if var.kind == Kind.FLOW:
                flows.add(vid)
            flows.update(var.inflows + var.outflows)
        for link in links.values():
            self._update_link(link)
        for fid in flows:
            pipe = self.pipe_items.get(fid)
            if pipe is not None:
                source, sink = doc.flow_ends(fid)
                pipe.update_geometry(
                    doc.variables[fid],
                    self.variable_items.get(source) if source else None,
                    self.variable_items.get(sink) if sink else None,
                )

    def _update_link(self, link: Link) -> None:
        item = self.link_items.get(link.id)
        if item is not None:
            source = self.alias_items[link.alias] if link.alias else self.variable_items[link.source]
            item.update_geometry(link, source, self.variable_items[link.target])

    def _grow_scene_rect(self, ids) -> None:
        """Enlarge the scene rectangle to hold the given elements (cheap: no full bounds scan)."""
        rect = self.sceneRect()
        for eid in ids:
            item = self.item_for(eid)
            if item is not None:
                rect = rect.united(item.sceneBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        if rect != self.sceneRect():
            self.setSceneRect(rect)

    def _fit_scene_rect(self) -> None:
        bounds = self.itemsBoundingRect()
        if bounds.isNull():
            bounds = QRectF(0, 0, 400, 300)
        self.setSceneRect(bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))

    def content_rect(self) -> QRectF:
        """The rectangle holding every item, with a small margin (for fitting and export)."""
        bounds = self.itemsBoundingRect()
        return bounds.adjusted(-20, -20, 20, 20) if not bounds.isNull() else QRectF(0, 0, 400, 300)
