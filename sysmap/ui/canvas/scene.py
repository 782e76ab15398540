"""The scene: one graphics item per map element, kept in step with the document's events.

The scene never writes the document itself. It subscribes to :attr:`SystemMap.changed` and,
for each batch of changes, adds, removes and updates just the items concerned (and the links
and pipes attached to a variable that moved), so a large map is not rebuilt for a small edit.

Given an undo stack (:meth:`MapScene.set_undo_stack`) the scene is also an editor: its
mouse and key events go to a :class:`~sysmap.ui.canvas.editing.CanvasEditor`, which turns
them into edits through :func:`sysmap.ui.commands.perform`; the items then follow the
document's events like any other change. Without a stack it stays read-only.

The current :class:`~sysmap.ui.canvas.tools.Tool` decides what the mouse makes on empty
canvas; a creation tool stays active after making one element (as in Vensim) until Esc or
another tool is chosen.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping

import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QCursor, QPen, QTransform
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsScene, QGraphicsView

from sysmap.model import Alias, Change, Kind, Link, LoopLabel, Note, SystemMap, Variable
from sysmap.ui.canvas import menus
from sysmap.ui.canvas.edit_builders import moved_pipe
from sysmap.ui.canvas.editing import CanvasEditor
from sysmap.ui.canvas.handles import BendHandle
from sysmap.ui.canvas.items.annotation import LoopLabelItem, NoteItem
from sysmap.ui.canvas.items.flow import FlowPipeItem
from sysmap.ui.canvas.items.link import LinkItem
from sysmap.ui.canvas.items.sparkline import SparklineItem
from sysmap.ui.canvas.items.variable import COARSE_BELOW, AliasItem, VariableItem
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle
from sysmap.ui.canvas.tools import Tool, cursor_shape

MARGIN = 60.0
#: The opacity of what :meth:`MapScene.highlight` leaves out.
DIM_OPACITY = 0.2
#: The heat tint (:meth:`MapScene.set_heat`) at score 0 and at score 1, with alpha.
HEAT_LOW = (255, 236, 150, 90)
HEAT_HIGH = (214, 47, 39, 190)


def heat_colour(score: float) -> QColor:
    """The tint behind a variable of heat ``score`` (clamped to 0..1): pale yellow to strong red."""
    t = min(max(float(score), 0.0), 1.0)
    return QColor(*(round(a + (b - a) * t) for a, b in zip(HEAT_LOW, HEAT_HIGH, strict=True)))


class MapScene(QGraphicsScene):
    """Mirrors a :class:`SystemMap` as graphics items (``variable_items``, ``link_items``...
    map element ids to items) and, with an undo stack, edits it.

    Signals: ``toolChanged(Tool)`` when the tool changes; ``message(str)`` with text for the
    status bar (why an edit was refused, what a tool expects).
    """

    toolChanged = Signal(object)
    message = Signal(str)

    def __init__(
        self,
        doc: SystemMap | None = None,
        style: CanvasStyle = DEFAULT_STYLE,
        parent=None,
        undo_stack=None,
    ):
        super().__init__(parent)
        # Qt's automatic depth (15 for 5,000 links) files a long link under thousands of
        # leaves: moving one variable then cost 19 ms of re-indexing, a repaint at fit 2x.
        self.setBspTreeDepth(10)
        self.style = style
        self.undo_stack = undo_stack
        #: grid step that moves and new elements snap to; ``None``: no snapping
        self.snap: float | None = None
        self._details = True  # see show_details
        self._tool = Tool.SELECT
        self.editing = CanvasEditor(self)
        self._selected_links: set[LinkItem] = set()
        # Through a weak reference, checked: Qt clears the items of a scene being destroyed,
        # which emits selectionChanged when the Python side, or the C++ one, is gone.
        this = weakref.ref(self)

        def restyle() -> None:
            scene = this()
            if scene is not None and shiboken6.isValid(scene):
                scene._restyle_selected_links()

        self.selectionChanged.connect(restyle)
        self.doc: SystemMap | None = None
        self.variable_items: dict[str, VariableItem] = {}
        self.alias_items: dict[str, AliasItem] = {}
        self.link_items: dict[str, LinkItem] = {}
        self.pipe_items: dict[str, FlowPipeItem] = {}
        self.label_items: dict[str, LoopLabelItem] = {}
        self.note_items: dict[str, NoteItem] = {}
        self._lit: set[str] | None = None  # see highlight
        self._lit_owner: object = None
        self._heat: dict[str, QGraphicsEllipseItem] = {}  # variable id -> its tint (set_heat)
        self._sparks: dict[str, SparklineItem] = {}  # variable id -> its sparkline (set_sparklines)
        self._rings: dict[str, QGraphicsEllipseItem] = {}  # variable id -> its mark (set_marks)
        self._marks: dict[str, QColor] = {}  # what is drawn: the top layer's mark of each element
        self._mark_layers: dict[str, dict[str, QColor]] = {}  # layer -> its marks, last set on top
        self.setBackgroundBrush(QBrush(style.background))
        if doc is not None:
            self.set_document(doc)

    # -- document binding ---------------------------------------------------------------------

    def set_document(self, doc: SystemMap) -> None:
        """Show ``doc`` (replacing any previous one) and follow its changes."""
        self.editing.cancel()
        self.editing.forget()
        if self.doc is not None:
            self.doc.changed.disconnect(self._on_change)
        self.clear()
        self._selected_links = set()
        self._lit = None
        self._lit_owner = None
        self._heat = {}
        self._sparks = {}
        self._rings = {}
        self._marks = {}
        self._mark_layers = {}
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
        self._separate_signs(set(doc.variables))
        self._fit_scene_rect()

    def detach(self) -> None:
        """Stop following the document (call before dropping the scene)."""
        self.editing.cancel()
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
            item.show_details(self._details)
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
        self._heat.pop(eid, None)  # a child of the variable's item: removed with it
        self._sparks.pop(eid, None)  # likewise
        self._rings.pop(eid, None)  # likewise; its mark stays, for undo to bring back
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
        self._separate_signs({link.target for link in links.values()} | {e.id for e in changed})
        self._grow_scene_rect(change.added | change.changed)
        if self._lit is not None:
            for eid in change.added | change.changed:
                self._dim_element(eid)
        for element in changed:
            if element.id in self._heat:
                self._heat[element.id].setRect(self._heat_rect(self.variable_items[element.id]))
            if element.id in self._sparks:
                self._sparks[element.id].fit()
            if element.id in self._rings:
                self._rings[element.id].setRect(self._heat_rect(self.variable_items[element.id]))
        for eid in change.added:  # a link or variable put back by undo keeps its mark
            if eid in self._marks:
                self._mark_element(eid, self._marks[eid])
        self.editing.document_changed(change)

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
                links.update((link.id, link) for link in doc.links_from_alias(alias.id))
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

    def _separate_signs(self, targets: set[str]) -> None:
        """Where links arriving at one variable would draw their polarity signs on top of each
        other, move one of the two signs to the other side of its line, where that is free."""
        doc = self.doc
        for vid in targets:
            if vid not in doc.variables:
                continue
            placed: dict = {}  # item -> its sign's rectangle
            for link in doc.links_to(vid):
                item = self.link_items.get(link.id)
                rect = item.sign_rect() if item is not None else None
                if rect is None:
                    continue
                clash = next((other for other, r in placed.items() if r.intersects(rect)), None)
                if clash is not None and self._flip_free(item, placed) is None:
                    moved = self._flip_free(clash, {**placed, item: rect})
                    if moved is not None:
                        placed[clash] = moved
                placed[item] = item.sign_rect()

    @staticmethod
    def _flip_free(item, placed: dict):
        """Flip ``item``'s sign to the other side if it is free there (its new rectangle), else
        leave it (``None``)."""
        item.sign_to_other_side()
        moved = item.sign_rect()
        if any(moved.intersects(r) for other, r in placed.items() if other is not item):
            item.sign_to_other_side()
            return None
        return moved

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

    # -- level of detail -------------------------------------------------------------------------

    def show_details(self, shown: bool) -> None:
        """Show or hide what is legible only zoomed in (links' polarity signs), in one pass.

        The view calls this when its zoom crosses :data:`~sysmap.ui.canvas.view.LOD_ZOOM`:
        hidden, they cost nothing to draw or to walk past.
        """
        if shown != self._details:
            self._details = shown
            for item in self.link_items.values():
                item.show_details(shown)

    def render(
        self,
        painter,
        target: QRectF | None = None,
        source: QRectF | None = None,
        mode: Qt.AspectRatioMode = Qt.AspectRatioMode.KeepAspectRatio,
    ) -> None:
        """Draw the scene as :meth:`QGraphicsScene.render` does, with the details a zoomed-out
        view hides (:meth:`show_details`) when the picture is large enough to read them."""
        target = QRectF() if target is None else target
        source = QRectF() if source is None else source
        if self._details or _render_scale(self, painter, target, source, mode) < COARSE_BELOW:
            super().render(painter, target, source, mode)
            return
        self.show_details(True)
        try:
            super().render(painter, target, source, mode)
        finally:
            self.show_details(False)

    def content_rect(self) -> QRectF:
        """The rectangle holding every item, with a small margin (for fitting and export)."""
        bounds = self.itemsBoundingRect()
        return bounds.adjusted(-20, -20, 20, 20) if not bounds.isNull() else QRectF(0, 0, 400, 300)

    # -- highlighting -----------------------------------------------------------------------------

    def highlight(self, ids: Iterable[str] | None, *, owner: object = None) -> None:
        """Draw the elements ``ids`` (variables, links, loop labels, notes) as usual and dim
        everything else to :data:`DIM_OPACITY`; ``None`` draws everything as usual again.

        ``owner`` is the panel asking: ``highlight(None, owner=panel)`` takes the highlight
        off only if that panel put it on, so a panel closing does not undo what another panel
        lit since (without an owner, ``None`` always clears).

        A flow's pipe goes with its valve, and an alias with the highlighted links drawn from
        it. One pass over the items, nothing rebuilt; elements added while a highlight is on
        are dimmed too.
        """
        if ids is None and owner is not None and owner is not self._lit_owner:
            return
        self._lit = None if ids is None else set(ids)
        self._lit_owner = None if ids is None else owner
        for items in self._maps():
            for eid in items:
                self._dim_element(eid)

    def highlighted(self) -> set[str] | None:
        """The ids given to :meth:`highlight` (``None``: nothing is dimmed)."""
        return None if self._lit is None else set(self._lit)

    def _dim_element(self, eid: str) -> None:
        lit = self._lit
        if lit is None:
            shown = True
        elif eid in self.alias_items:
            doc = self.doc
            shown = eid in lit or any(
                link.id in lit for link in (doc.links_from_alias(eid) if doc is not None else ())
            )
        else:
            shown = eid in lit
        opacity = 1.0 if shown else DIM_OPACITY
        for items in self._maps():
            item = items.get(eid)
            if item is not None and item.opacity() != opacity:
                item.setOpacity(opacity)

    def set_heat(self, scores: dict[str, float] | None) -> None:
        """Tint the variables of ``scores`` (id -> 0..1) from pale yellow to strong red, with a
        halo behind each; the others, and all of them for ``None``, lose their tint."""
        scores = scores or {}
        for vid in [vid for vid in self._heat if vid not in scores or vid not in self.variable_items]:
            self._drop_child(self._heat.pop(vid))
        for vid, score in scores.items():
            item = self.variable_items.get(vid)
            if item is None:
                continue
            halo = self._heat.get(vid)
            if halo is None:
                halo = self._heat[vid] = self._halo(item)
                halo.setPen(Qt.PenStyle.NoPen)
            halo.setBrush(QBrush(heat_colour(score)))

    def heat_of(self, vid: str) -> QColor | None:
        """The tint :meth:`set_heat` put behind variable ``vid``, if any."""
        halo = self._heat.get(vid)
        return halo.brush().color() if halo is not None else None

    def set_sparklines(self, series: dict[str, tuple] | None) -> None:
        """Draw each variable's behaviour over time, ``series`` being variable id -> (times,
        values): inside a stock's box, beside any other variable. The others, and all of them
        for ``None``, lose theirs. One path item per variable, a child of its item, so it
        follows moves and costs no Python per frame."""
        series = series or {}
        for vid in [vid for vid in self._sparks if vid not in series or vid not in self.variable_items]:
            self._drop_child(self._sparks.pop(vid))
        for vid, (times, values) in series.items():
            item = self.variable_items.get(vid)
            if item is None:
                continue
            spark = self._sparks.get(vid)
            if spark is None:
                spark = self._sparks[vid] = SparklineItem(item)
            spark.set_series(times, values)

    def set_marks(self, marks: Mapping[str, QColor | str] | None, *, layer: str = "") -> None:
        """Colour elements by a category: a ring round each variable of ``marks`` (id ->
        colour) and its colour on each link; ``None`` takes the layer's marks off.

        Each ``layer`` (the perspectives panel's, the comparison's...) keeps its own marks; the
        layer set last is drawn on top, so one tool's marks neither wipe nor hide for good
        another's: clearing the top layer shows the one below again.
        """
        self._mark_layers.pop(layer, None)
        if marks:
            self._mark_layers[layer] = {eid: QColor(c) for eid, c in marks.items()}
        shown: dict[str, QColor] = {}
        for layer_marks in self._mark_layers.values():
            shown.update(layer_marks)
        for eid in [eid for eid in self._marks if eid not in shown]:
            del self._marks[eid]
            self._mark_element(eid, None)
        for eid, mark in shown.items():
            if self._marks.get(eid) != mark:
                self._marks[eid] = mark
                self._mark_element(eid, mark)

    def _mark_element(self, eid: str, mark: QColor | None) -> None:
        link = self.link_items.get(eid)
        if link is not None:
            link.set_mark(mark)
            return
        item = self.variable_items.get(eid)
        ring = self._rings.get(eid)
        if mark is None or item is None:
            if ring is not None:
                self._drop_child(self._rings.pop(eid))
            return
        if ring is None:
            ring = self._rings[eid] = self._halo(item)
        fill = QColor(mark)
        fill.setAlpha(70)
        ring.setBrush(QBrush(fill))
        ring.setPen(QPen(mark, 3.0))

    def mark_of(self, eid: str) -> QColor | None:
        """The colour :meth:`set_marks` gave element ``eid``, if any."""
        mark = self._marks.get(eid)
        return QColor(mark) if mark is not None else None

    def sparkline_of(self, vid: str) -> SparklineItem | None:
        """The sparkline :meth:`set_sparklines` drew for variable ``vid``, if any."""
        return self._sparks.get(vid)

    def _halo(self, item: VariableItem) -> QGraphicsEllipseItem:
        """A new ellipse behind variable ``item`` (its child, so it follows moves), clicks
        passing through it: the heat tint's and the marks' shape."""
        halo = QGraphicsEllipseItem(self._heat_rect(item), item)
        halo.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        halo.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        return halo

    def _drop_child(self, child: QGraphicsItem) -> None:
        """Take a halo or sparkline off its variable's item (if Qt has not deleted it yet)."""
        if shiboken6.isValid(child):
            child.setParentItem(None)
            self.removeItem(child)

    @staticmethod
    def _heat_rect(item: VariableItem) -> QRectF:
        # in the item's own coordinates: the halo is its child
        return item.body_rect().translated(-item.pos()).adjusted(-9, -9, 9, 9)

    # -- editing ---------------------------------------------------------------------------------

    def set_undo_stack(self, stack) -> None:
        """Make the scene an editor whose edits go on ``stack`` (``None``: read-only again)."""
        self.editing.cancel()
        self.undo_stack = stack

    @property
    def editable(self) -> bool:
        """Whether mouse and keys edit the map (a document and an undo stack are set)."""
        return self.undo_stack is not None and self.doc is not None

    @property
    def tool(self) -> Tool:
        """What the mouse does on empty canvas (see :mod:`sysmap.ui.canvas.tools`)."""
        return self._tool

    def set_tool(self, tool: Tool) -> None:
        """Switch tools: an open name editor commits (or cancels, if refused), a drag cancels."""
        tool = Tool(tool)
        if self.editing.inline is not None and not self.editing.inline.commit():
            self.editing.inline.cancel()
        if self.editing.drag is not None:
            self.editing.cancel()
        if tool is self._tool:
            return
        self._tool = tool
        self.toolChanged.emit(tool)
        # after the views have heard (they may change their drag mode, which resets cursors)
        for view in self.views():
            view.viewport().setCursor(QCursor(cursor_shape(tool)))

    def selected_ids(self) -> list[str]:
        """The ids of the selected elements, in document order."""
        chosen = {item.element_id for item in self.selectedItems() if self.owns(item)}
        if not chosen or self.doc is None:
            return []
        return [e.id for e in self.doc.elements() if e.id in chosen]

    def select_ids(self, ids: Iterable[str]) -> None:
        """Select exactly the elements ``ids`` (those shown); one ``selectionChanged``."""
        blocked = self.blockSignals(True)
        try:
            self.clearSelection()
            for eid in ids:
                item = self.item_for(eid)
                if item is not None:
                    item.setSelected(True)
        finally:
            self.blockSignals(blocked)
        self.selectionChanged.emit()

    def _restyle_selected_links(self) -> None:
        # links draw their own selection (colour and bend handle): tell those that changed
        selected = {item for item in self.selectedItems() if isinstance(item, LinkItem)}
        for item in selected ^ self._selected_links:
            # an item of a cleared scene is deleted before the scene says the selection changed
            if shiboken6.isValid(item) and item.scene() is self:
                item.selection_changed()
        self._selected_links = selected

    def snapped(self, point: QPointF) -> QPointF:
        """``point`` on the grid when snapping is on, else unchanged."""
        step = self.snap
        if not step:
            return QPointF(point)
        return QPointF(round(point.x() / step) * step, round(point.y() / step) * step)

    def delete_selection(self) -> bool:
        """Delete the selected elements as one undo step (Edit › Delete)."""
        return self.editing.delete_selection()

    def rename_selection(self) -> bool:
        """Open the in-place editor of the one selected variable, note or loop label."""
        ids = self.selected_ids()
        return len(ids) == 1 and self.editable and self.editing.edit_text(ids[0])

    # -- finding items -----------------------------------------------------------------------------

    def owns(self, item: QGraphicsItem) -> bool:
        """Whether ``item`` is the main item of a map element (not a preview or an editor)."""
        eid = getattr(item, "element_id", None)
        return bool(eid) and self.item_for(eid) is item

    def element_item_at(self, pos: QPointF, transform: QTransform | None = None):
        """The topmost element item (or link bend handle) at scene point ``pos``; a click on a
        flow's pipe finds its valve. ``transform`` is the view's, for the handle's hit test."""
        from PySide6.QtCore import Qt

        for item in self.items(
            pos,
            Qt.ItemSelectionMode.IntersectsItemShape,
            Qt.SortOrder.DescendingOrder,
            transform or QTransform(),
        ):
            if isinstance(item, BendHandle):
                if item.isVisible():
                    return item
                continue
            owner = item
            while owner.parentItem() is not None:
                owner = owner.parentItem()
            if isinstance(owner, FlowPipeItem):
                valve = self.variable_items.get(owner.element_id)
                if valve is not None and self.pipe_items.get(owner.element_id) is owner:
                    return valve
                continue
            if self.owns(owner):
                return owner
        return None

    def variable_item_at(self, pos: QPointF) -> VariableItem | None:
        """The variable or alias item at ``pos``, if any."""
        item = self.element_item_at(pos)
        return item if isinstance(item, VariableItem) else None

    @staticmethod
    def device_transform(event) -> QTransform:
        """The transform of the view an event came through (identity if none)."""
        widget = event.widget()
        view = widget.parentWidget() if widget is not None else None
        return view.transform() if isinstance(view, QGraphicsView) else QTransform()

    def connected_items(self, ids: Iterable[str]) -> list[QGraphicsItem]:
        """The link and pipe items that :meth:`follow_live` re-routes when the items of ``ids``
        move: the links of moved variables and aliases, and the pipes of moved flows and of the
        flows filling or draining moved stocks."""
        doc = self.doc
        found: dict[int, QGraphicsItem] = {}
        for eid in ids:
            if eid in doc.variables:
                var = doc.variables[eid]
                links = doc.links_from(eid) + doc.links_to(eid)
                flows = [eid, *var.inflows, *var.outflows]
            elif eid in doc.aliases:
                links, flows = doc.links_from_alias(eid), []
            else:
                continue
            for item in [self.link_items.get(link.id) for link in links] + [
                self.pipe_items.get(fid) for fid in flows
            ]:
                if item is not None:
                    found[id(item)] = item
        return list(found.values())

    def follow_live(self, ids: Iterable[str]) -> None:
        """Re-route the links and pipes of elements whose items were moved but whose map
        positions were not (yet): the preview of a drag."""
        doc = self.doc
        links: dict[str, Link] = {}
        flows: set[str] = set()
        deltas = {}
        for eid in ids:
            if eid in doc.variables:
                var = doc.variables[eid]
                links.update((link.id, link) for link in doc.links_from(eid))
                links.update((link.id, link) for link in doc.links_to(eid))
                if var.kind == Kind.FLOW:
                    flows.add(eid)
                flows.update(var.inflows + var.outflows)
                pos = self.variable_items[eid].pos()
            elif eid in doc.aliases:
                links.update((link.id, link) for link in doc.links_from_alias(eid))
                pos = self.alias_items[eid].pos()
            else:
                continue
            old = doc.element(eid).position
            deltas[eid] = (pos.x() - old[0], pos.y() - old[1])
        for link in links.values():
            self._update_link(link)
        for fid in flows:
            pipe = self.pipe_items.get(fid)
            if pipe is None:
                continue
            flow = self.variable_items[fid].live_var()
            points = moved_pipe(doc.variables[fid], doc, deltas)
            if points is not None:
                flow = flow.evolve(points=points)
            source, sink = doc.flow_ends(fid)
            pipe.update_geometry(
                flow,
                self.variable_items.get(source) if source else None,
                self.variable_items.get(sink) if sink else None,
            )

    # -- events ----------------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        if self.editable and self.editing.mouse_press(event):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self.editable and self.editing.mouse_move(event):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self.editable and self.editing.mouse_release(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.editable and self.editing.double_click(event):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event) -> None:
        if self.editable and self.editing.key_press(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:
        if not self.editable or self.editing.drag is not None:
            super().contextMenuEvent(event)
            return
        item = self.element_item_at(event.scenePos(), self.device_transform(event))
        if isinstance(item, BendHandle):
            item = item.link_item
        if item is None:
            super().contextMenuEvent(event)
            return
        if not item.isSelected():
            self.select_ids([item.element_id])
        menu = self.context_menu(item)
        if menu is not None:
            menu.exec(event.screenPos())
            event.accept()

    def context_menu(self, item: QGraphicsItem):
        """The context menu of an element item (for the selection it belongs to), or ``None``."""
        parent = self.views()[0] if self.views() else None
        if isinstance(item, LinkItem):
            links = self.editing.selected_links() or [item.element_id]
            return menus.link_menu(self.editing, links, parent)
        if isinstance(item, VariableItem):
            return menus.variable_menu(self.editing, item.var.id, parent)
        if isinstance(item, (NoteItem, LoopLabelItem)):
            return menus.text_menu(self.editing, item.element_id, parent)
        return None


def _render_scale(scene: QGraphicsScene, painter, target: QRectF, source: QRectF, mode) -> float:
    """Device pixels per scene unit of ``scene.render(painter, target, source, mode)``."""
    if source.isNull():
        source = scene.sceneRect()
    if target.isNull():
        device = painter.device()
        target = QRectF(0, 0, device.width(), device.height()) if device is not None else source
    if source.width() <= 0 or source.height() <= 0:
        return 1.0
    sx, sy = target.width() / source.width(), target.height() / source.height()
    scale = max(sx, sy) if mode == Qt.AspectRatioMode.KeepAspectRatioByExpanding else min(sx, sy)
    world = painter.worldTransform()
    return scale * math.sqrt(abs(world.determinant()))
