"""Drags on the canvas: each previews live while the mouse moves and makes one edit on release.

An interaction is created on a mouse press by :class:`sysmap.ui.canvas.editing.CanvasEditor`,
gets the moves and the release, and can be cancelled (Esc) at any time, which puts the
canvas back as it was. None of them changes the map before the release.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsPathItem

from sysmap.model import Kind, Variable, operations
from sysmap.model.geometry import edge_point
from sysmap.ui.canvas import edit_builders
from sysmap.ui.canvas.geometry import arrowhead
from sysmap.ui.canvas.handles import curvature_through
from sysmap.ui.canvas.items.flow import FlowPipeItem
from sysmap.ui.canvas.items.link import LinkItem
from sysmap.ui.canvas.items.variable import AliasItem, VariableItem

if TYPE_CHECKING:
    from sysmap.ui.canvas.editing import CanvasEditor

#: A curvature this close to 0 snaps to a straight link.
STRAIGHT = 0.025
#: Curvature beyond this makes a loop that no longer looks like a link.
MAX_CURVATURE = 1.5
#: A flow dragged shorter than this (canvas units) between two clouds gets the default length.
MIN_FLOW = 30.0
DEFAULT_FLOW = 120.0


def _far_enough(press_screen, screen) -> bool:
    return (screen - press_screen).manhattanLength() >= QApplication.startDragDistance()


class Interaction:
    """A drag in progress: ``move`` previews, ``release`` commits, ``cancel`` restores."""

    def move(self, pos: QPointF, event) -> None:
        """The mouse moved to scene position ``pos`` with the button held."""

    def release(self, pos: QPointF, event) -> None:
        """The button was released at ``pos``: make the edit, or nothing."""

    def cancel(self) -> None:
        """Undo every preview; the map was never changed."""


class MoveItems(Interaction):
    """Drag selected items; links and pipes follow live; one "Move N items" on release.

    The grabbed item snaps to the grid (when the scene snaps) and the others keep their
    places relative to it. A click without a drag on an item of a multiple selection selects
    that item alone, as in file managers.
    """

    def __init__(
        self, editor: CanvasEditor, items: list[QGraphicsItem], grabbed: QGraphicsItem, press, screen
    ):
        self.editor = editor
        self.scene = editor.scene
        self.items = items
        self.grabbed = grabbed
        self.press = QPointF(press)
        self.press_screen = screen
        self.start = {item: QPointF(item.pos()) for item in items}
        self.ids = [item.element_id for item in items]
        self.started = False
        self.collapse_on_click = False
        #: flows whose valves slide along their pipes in the preview (an ordered set)
        self.slid: dict[str, None] = {}

    def move(self, pos: QPointF, event) -> None:
        if not self.started:
            if not _far_enough(self.press_screen, event.screenPos()):
                return
            self.started = True
            # with the valves that may slide along reshaped pipes, and their links
            doc = self.scene.doc
            valves = [
                fid
                for eid in self.ids
                if eid in doc.variables
                for fid in (*doc.variables[eid].inflows, *doc.variables[eid].outflows)
            ]
            self.editor.draw_moving_only([*self.items, *self.scene.connected_items([*self.ids, *valves])])
        delta = pos - self.press
        origin = self.start[self.grabbed]
        delta = self.scene.snapped(origin + delta) - origin
        for item, start in self.start.items():
            item.setPos(start + delta)
        self._settle_valves()
        self.scene.follow_live([*self.ids, *self.slid])

    def _settle_valves(self) -> None:
        """Keep the valves of flows whose stocks stay (or only some of which move) on their
        pipes, as the release will (:func:`edit_builders.settle_flows`): a valve dragged alone
        slides along its pipe; one whose pipe changes shape stays on it."""
        scene, doc = self.scene, self.scene.doc
        positions = {
            item.element_id: (item.pos().x(), item.pos().y())
            for item in self.items
            if isinstance(item, VariableItem) and not isinstance(item, AliasItem)
        }
        valves, _ = edit_builders.settle_flows(doc, positions)
        for fid in list(self.slid):
            if fid not in valves:  # no longer sliding: back where the map has it
                scene.variable_items[fid].setPos(QPointF(*doc.variables[fid].position))
        for fid, (x, y) in valves.items():
            item = scene.variable_items.get(fid)
            if item is not None:
                item.setPos(QPointF(x, y))
                self.slid.setdefault(fid, None)

    def release(self, pos: QPointF, event) -> None:
        if not self.started:
            if self.collapse_on_click:
                self.scene.select_ids([self.grabbed.element_id])
            return
        positions = {
            item.element_id: (item.pos().x(), item.pos().y())
            for item, start in self.start.items()
            if item.pos() != start
        }
        if not positions:
            return
        doc = self.scene.doc
        if not self.editor.perform(lambda: edit_builders.move(doc, positions)):
            self.cancel()

    def cancel(self) -> None:
        for item, start in self.start.items():
            item.setPos(start)
        doc = self.scene.doc
        for fid in self.slid:
            item = self.scene.variable_items.get(fid)
            if item is not None and fid in doc.variables:
                item.setPos(QPointF(*doc.variables[fid].position))
        self.scene.follow_live([*self.ids, *self.slid])


class BendLink(Interaction):
    """Drag a link's middle handle: the link bends through the mouse; one "Bend link"."""

    def __init__(self, editor: CanvasEditor, item: LinkItem):
        self.editor = editor
        self.item = item
        self.original = item.link.curvature
        self.value = self.original
        self.started = False

    def move(self, pos: QPointF, event) -> None:
        if not self.started:
            self.started = True
            self.editor.draw_moving_only([self.item])
        ends = self.item.ends()
        if ends is None:
            return
        value = curvature_through(ends[0].pos(), ends[1].pos(), pos)
        if abs(value) < STRAIGHT:
            value = 0.0
        self.value = max(-MAX_CURVATURE, min(MAX_CURVATURE, round(value, 4)))
        self.item.preview_curvature(self.value)

    def release(self, pos: QPointF, event) -> None:
        if self.value == self.original:
            return
        doc, lid, value = self.editor.scene.doc, self.item.link.id, self.value
        if not self.editor.perform(lambda: operations.update(doc, lid, curvature=value), text="Bend link"):
            self.cancel()

    def cancel(self) -> None:
        self.item.preview_curvature(self.original)


def _preview_pen(style) -> QPen:
    pen = QPen(style.selection, 1.5, Qt.PenStyle.DashLine)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


class DrawLink(Interaction):
    """Drag from a variable (or an alias) to another: a rubber arrow follows the mouse and the
    variable under it lights up; releasing there adds the link, anywhere else cancels."""

    def __init__(self, editor: CanvasEditor, source: VariableItem):
        self.editor = editor
        self.scene = editor.scene
        self.source = source
        self.target: VariableItem | None = None
        style = self.scene.style
        self.preview = QGraphicsPathItem()
        self.preview.setPen(_preview_pen(style))
        self.preview.setZValue(1.9)  # under the variables, so the arrow leaves the source's edge
        self.head = QGraphicsPathItem(self.preview)
        self.head.setPen(Qt.PenStyle.NoPen)
        self.head.setBrush(QBrush(style.selection))
        self.scene.addItem(self.preview)
        source.set_highlight(2)

    def move(self, pos: QPointF, event) -> None:
        target = self.scene.variable_item_at(pos)
        if target is not self.target:
            if self.target is not None and self.target is not self.source:
                self.target.set_highlight(0)
            self.target = target
            if target is not None:
                target.set_highlight(2)
        start = self.source.pos()
        path = QPainterPath(start)
        path.lineTo(pos)
        self.preview.setPath(path)
        head = QPainterPath()
        if (pos - start).manhattanLength() > 1:
            head.addPolygon(arrowhead(pos, pos - start))
        self.head.setPath(head)

    def _clear(self) -> None:
        for item in (self.source, self.target):
            if item is not None:
                item.set_highlight(0)
        if self.preview.scene() is not None:
            self.scene.removeItem(self.preview)

    def release(self, pos: QPointF, event) -> None:
        self.move(pos, event)
        self._clear()
        if self.target is None:
            return
        source, target = self.source.var.id, self.target.var.id
        if source == target:
            self.scene.message.emit("A link must join two different variables")
            return
        alias = self.source.alias.id if isinstance(self.source, AliasItem) else None
        doc = self.scene.doc

        def build():
            fields = {"alias": alias} if alias else {}
            curvature = edit_builders.link_curvature(doc, source, target)
            return operations.add_link(doc, source, target, curvature=curvature, **fields)

        edit = self.editor.perform(build)
        if edit:
            self.scene.select_ids([edit.edit.element.id])

    def cancel(self) -> None:
        self._clear()


class DrawFlow(Interaction):
    """Drag a flow from a stock or empty canvas (a cloud) to a stock or empty canvas: the pipe
    and its valve follow the mouse; on release the flow is named in place, and adding it with
    its connections is one step."""

    def __init__(self, editor: CanvasEditor, press: QPointF, source: VariableItem | None):
        self.editor = editor
        self.scene = editor.scene
        self.press = self.scene.snapped(press) if source is None else QPointF(press)
        self.source = source
        self.sink: VariableItem | None = None
        style = self.scene.style
        self.valve = VariableItem(Variable(id="", name=" ", kind=Kind.FLOW), style)
        self.valve.setOpacity(0.75)
        self.pipe = FlowPipeItem(self.valve.var, style)
        self.pipe.setOpacity(0.75)
        self.scene.addItem(self.pipe)
        self.scene.addItem(self.valve)
        if source is not None:
            source.set_highlight(2)
        self.end = QPointF(self.press)
        self._route()

    def geometry(self) -> tuple[tuple[float, float], tuple[tuple[float, float], ...]]:
        """The valve position and the pipe's own route (empty between two stocks)."""
        a = self.source.pos() if self.source is not None else self.press
        b = self.sink.pos() if self.sink is not None else self.end
        if self.source is None and self.sink is None and math.dist(_xy(a), _xy(b)) < MIN_FLOW:
            a = QPointF(self.press.x() - DEFAULT_FLOW / 2, self.press.y())
            b = QPointF(self.press.x() + DEFAULT_FLOW / 2, self.press.y())
        if self.source is not None and self.sink is not None:
            return ((a.x() + b.x()) / 2, (a.y() + b.y()) / 2), ()
        start = edge_point(self.source.live_var(), _xy(b)) if self.source is not None else _xy(a)
        end = edge_point(self.sink.live_var(), _xy(a)) if self.sink is not None else _xy(b)
        valve = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        return valve, (start, end)

    def _route(self) -> None:
        valve, points = self.geometry()
        self.valve.update_from(self.valve.var.evolve(position=valve, points=points))
        self.pipe.update_geometry(self.valve.var, self.source, self.sink)

    def move(self, pos: QPointF, event) -> None:
        found = self.scene.variable_item_at(pos)
        sink = (
            found if found is not None and found.var.kind == Kind.STOCK and found is not self.source else None
        )
        if isinstance(sink, AliasItem):
            sink = self.scene.variable_items.get(sink.var.id)
        if sink is not self.sink:
            if self.sink is not None:
                self.sink.set_highlight(0)
            self.sink = sink
            if sink is not None:
                sink.set_highlight(2)
        self.end = self.scene.snapped(pos) if sink is None else QPointF(pos)
        self._route()

    def _clear(self) -> None:
        for item in (self.source, self.sink):
            if item is not None:
                item.set_highlight(0)
        for item in (self.pipe, self.valve):
            if item.scene() is not None:
                self.scene.removeItem(item)

    def release(self, pos: QPointF, event) -> None:
        self.move(pos, event)
        found = self.scene.variable_item_at(pos)
        if self.source is not None and found is self.source:
            self._clear()
            self.scene.message.emit("A flow cannot drain and fill the same stock")
            return
        valve, points = self.geometry()
        source = self.source.var.id if self.source is not None else None
        sink = self.sink.var.id if self.sink is not None else None
        self._clear()
        self.editor.new_variable(Kind.FLOW, QPointF(*valve), flow_ends=(source, sink), points=points)

    def cancel(self) -> None:
        self._clear()


def _xy(p: QPointF) -> tuple[float, float]:
    return (p.x(), p.y())
