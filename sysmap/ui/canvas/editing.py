"""The canvas as an editor: mouse and keys on a :class:`MapScene` become undoable edits.

Every change goes through :func:`sysmap.ui.commands.perform`; a refused edit's
:class:`~sysmap.errors.ModelError` becomes the scene's ``message`` (the status bar), never a
traceback. Creating a variable opens an editor for its name at once, and adding it with its
name (and, for a flow, its connections) is one undo step, made only when the name is
committed: a cancelled new variable never reaches the map.

Mouse (select tool): click selects, Shift/Ctrl-click toggles, drag moves the selection,
double-click on empty canvas adds a concept, double-click on an item edits its name or text,
drag a selected link's middle handle to bend it. Keys: arrows nudge (Shift: 10 px; one grid
step when snapping), Delete/Backspace delete, ``+`` ``-`` ``?`` and ``0``/space set the
polarity of the selected links, ``D`` toggles their delay mark, F2 renames, the tool keys of
:mod:`sysmap.ui.canvas.tools` switch tools, Esc cancels a drag, then returns to the select
tool, then clears the selection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem

from sysmap.errors import ModelError
from sysmap.model import Kind, Polarity, Variable, operations
from sysmap.model.document import check_text
from sysmap.model.names import is_valid_name
from sysmap.ui.canvas import edit_builders
from sysmap.ui.canvas.handles import BendHandle
from sysmap.ui.canvas.inline_edit import InlineEditor
from sysmap.ui.canvas.interactions import BendLink, DrawFlow, DrawLink, Interaction, MoveItems
from sysmap.ui.canvas.items.annotation import LoopLabelItem, NoteItem
from sysmap.ui.canvas.items.flow import FlowPipeItem
from sysmap.ui.canvas.items.variable import AliasItem, VariableItem
from sysmap.ui.canvas.tools import KEYS, Tool
from sysmap.ui.commands import EditCommand, perform

if TYPE_CHECKING:
    from sysmap.ui.canvas.scene import MapScene

NOTE_WIDTH = 260.0
NUDGE, BIG_NUDGE = 1.0, 10.0
_ARROWS = {
    int(Qt.Key.Key_Left): (-1, 0),
    int(Qt.Key.Key_Right): (1, 0),
    int(Qt.Key.Key_Up): (0, -1),
    int(Qt.Key.Key_Down): (0, 1),
}
_POLARITY_KEYS = {
    "+": Polarity.POSITIVE,
    "=": Polarity.POSITIVE,  # the + key without Shift
    "-": Polarity.NEGATIVE,
    "?": Polarity.UNKNOWN,
    "0": Polarity.NONE,
    " ": Polarity.NONE,
}
_KIND_OF_TOOL = {Tool.VARIABLE: Kind.CONCEPT, Tool.STOCK: Kind.STOCK, Tool.AUX: Kind.AUX}
_MOVABLE = (VariableItem, LoopLabelItem, NoteItem)  # AliasItem is a VariableItem


def clean_name(text: str) -> str:
    """A typed name with its whitespace tidied: line breaks and runs of spaces become one space."""
    return " ".join(text.split())


def name_problem(doc, name: str, vid: str | None = None) -> str | None:
    """Why ``name`` cannot name variable ``vid`` (``None``: a new one), or ``None`` if it can;
    the same rules and words as :func:`sysmap.model.operations.rename_variable`."""
    if not is_valid_name(name):
        return f"{name!r} is not a valid variable name"
    try:
        check_text(Variable(id="", name=name))
    except ModelError as exc:
        return str(exc)
    owner = doc.variable_named(name)
    if owner is not None and owner.id != vid:
        return f"a variable named {owner.name!r} already exists"
    return None


class CanvasEditor:
    """Turns events on ``scene`` into edits on its document through its undo stack."""

    def __init__(self, scene: MapScene):
        self.scene = scene
        self.drag: Interaction | None = None
        self.inline: InlineEditor | None = None
        self.inline_target: str | None = None  # the element being renamed, None for a new one
        self._ghosts: list[QGraphicsItem] = []
        self._took_press = False  # the release of a press handled here is handled here too
        self._pending_selection: str | None = None  # what to select once the editor closes

    # -- making edits ------------------------------------------------------------------------

    def try_perform(
        self, build: Callable, text: str | None = None, merge_key=None
    ) -> tuple[EditCommand | None, str | None]:
        """Build an edit (``build()``) and perform it: ``(command, None)``, or ``(None, why)``
        when the map refuses it."""
        scene = self.scene
        if scene.undo_stack is None or scene.doc is None:
            return None, "This map is read-only"
        try:
            return perform(scene.undo_stack, scene.doc, build(), text, merge_key), None
        except ModelError as exc:
            return None, str(exc)

    def perform(self, build: Callable, text: str | None = None, merge_key=None) -> EditCommand | None:
        """:meth:`try_perform`, showing why in the scene's ``message`` when refused."""
        command, error = self.try_perform(build, text, merge_key)
        if error:
            self.scene.message.emit(error)
        return command

    def cancel(self) -> None:
        """Drop a drag in progress and an open editor without changing anything."""
        if self.drag is not None:
            drag, self.drag = self.drag, None
            self.draw_all()
            drag.cancel()
        if self.inline is not None:
            self.inline.cancel()

    def forget(self) -> None:
        """Drop every reference to items (the scene is about to be cleared)."""
        self.draw_all()
        self.drag = None
        self.inline = None
        self.inline_target = None
        self._ghosts = []

    # -- drags on maps slow to draw -------------------------------------------------------------

    def draw_moving_only(self, moving: list[QGraphicsItem]) -> None:
        """A drag starts moving ``moving`` (with what is attached to them): a view slow to
        draw shows the rest of the map from a picture until :meth:`draw_all`. Only with one such
        view: its picture is taken with the moving items made transparent, and the still ones
        are transparent meanwhile, which another view would show too."""
        views = [view for view in self.scene.views() if hasattr(view, "cache_still_map")]
        if len(views) == 1:
            views[0].cache_still_map(moving)

    def draw_all(self) -> None:
        """The drag is over: the views draw every item again."""
        for view in self.scene.views():
            drop = getattr(view, "drop_still_cache", None)
            if drop is not None:
                drop()

    def document_changed(self, change) -> None:
        """Close an editor whose element was deleted (by undo, say)."""
        self.draw_all()  # a picture of the map as it was is stale
        if self.inline_target is not None and self.inline_target in change.removed:
            self.inline.cancel()

    # -- mouse -------------------------------------------------------------------------------------

    def mouse_press(self, event) -> bool:
        """Handle a press; ``False`` leaves it to Qt (rubber band, or the inline editor)."""
        self._took_press = self._press(event)
        return self._took_press

    def _inline_takes(self, pos) -> bool | None:
        """What a click at ``pos`` does while an inline editor is open: ``False`` leaves it to
        the editor (inside it), ``True`` swallows it (outside, the name refused: the editor
        stays with its message); ``None`` when the click goes on (no editor, or committed)."""
        if self.inline is not None:
            if self.inline.contains(self.inline.mapFromScene(pos)):
                return False
            if not self.inline.commit():
                return True
        return None

    def _press(self, event) -> bool:
        scene = self.scene
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        pos = event.scenePos()
        inline = self._inline_takes(pos)
        if inline is not None:
            return inline
        if self.drag is not None:
            self.cancel()
        hit = scene.element_item_at(pos, scene.device_transform(event))
        tool = scene.tool
        if isinstance(hit, BendHandle):
            self.drag = BendLink(self, hit.link_item)
            return True
        if tool is Tool.LINK:
            if isinstance(hit, VariableItem):
                self.drag = DrawLink(self, hit)
            else:
                scene.message.emit("Drag from one variable to another to link them")
            return True
        if tool is Tool.FLOW:
            if isinstance(hit, AliasItem):
                hit = scene.variable_items.get(hit.var.id)
            if hit is None or (isinstance(hit, VariableItem) and hit.var.kind == Kind.STOCK):
                self.drag = DrawFlow(self, pos, hit)
            else:
                scene.message.emit("A flow starts at a stock or on empty canvas (a cloud)")
            return True
        if hit is not None:
            self._press_item(hit, event)
            return True
        if tool is Tool.SELECT:
            return False
        self.create_at(tool, pos)
        return True

    def _press_item(self, item: QGraphicsItem, event) -> None:
        scene = self.scene
        toggle = event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
        collapse = False
        if toggle:
            item.setSelected(not item.isSelected())
        elif not item.isSelected():
            scene.clearSelection()
            item.setSelected(True)
        else:
            collapse = len(scene.selectedItems()) > 1
        if isinstance(item, _MOVABLE) and item.isSelected():
            movable = [i for i in scene.selectedItems() if isinstance(i, _MOVABLE) and scene.owns(i)]
            self.drag = MoveItems(self, movable, item, event.scenePos(), event.screenPos())
            self.drag.collapse_on_click = collapse

    def mouse_move(self, event) -> bool:
        if self.drag is None:
            return False
        self.drag.move(event.scenePos(), event)
        return True

    def mouse_release(self, event) -> bool:
        if self.drag is None:
            return self._took_press
        drag, self.drag = self.drag, None
        self.draw_all()
        drag.release(event.scenePos(), event)
        return True

    def double_click(self, event) -> bool:
        scene = self.scene
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        pos = event.scenePos()
        inline = self._inline_takes(pos)
        if inline is not None:
            return inline
        hit = scene.element_item_at(pos, scene.device_transform(event))
        if isinstance(hit, (VariableItem, NoteItem, LoopLabelItem)):
            self.edit_text(hit.var.id if isinstance(hit, VariableItem) else hit.element_id, near=hit)
        elif hit is None and scene.tool in (Tool.SELECT, Tool.VARIABLE):
            self.new_variable(Kind.CONCEPT, pos)
        return True

    # -- keys ----------------------------------------------------------------------------------------

    def key_press(self, event) -> bool:
        """Handle a key; ``False`` leaves it to Qt (the inline editor, or the view)."""
        if self.inline is not None:
            return False
        scene = self.scene
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Escape:
            if self.drag is not None:
                self.cancel()
            elif scene.tool is not Tool.SELECT:
                scene.set_tool(Tool.SELECT)
            else:
                scene.clearSelection()
            return True
        if self.drag is not None:
            return True  # no edits in the middle of a drag
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain:
            self.delete_selection()
            return True
        if key in _ARROWS and plain:
            dx, dy = _ARROWS[key]
            step = scene.snap or (BIG_NUDGE if mods & Qt.KeyboardModifier.ShiftModifier else NUDGE)
            return self.nudge(dx * step, dy * step)
        if key == Qt.Key.Key_F2 or (key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain):
            ids = scene.selected_ids()
            return len(ids) == 1 and self.edit_text(ids[0])
        links = self.selected_links()
        text = event.text()
        if plain and links and text in _POLARITY_KEYS:
            self.set_polarity(_POLARITY_KEYS[text], links)
            return True
        if plain and links and key == Qt.Key.Key_D:
            self.toggle_delay(links)
            return True
        if mods == Qt.KeyboardModifier.NoModifier and int(key) in KEYS:
            scene.set_tool(KEYS[int(key)])
            return True
        return False

    # -- actions ----------------------------------------------------------------------------------------

    def selected_links(self) -> list[str]:
        doc = self.scene.doc
        return [eid for eid in self.scene.selected_ids() if doc is not None and eid in doc.links]

    def delete_selection(self) -> bool:
        """Delete the selected elements ("Delete N items"), with what would dangle without them."""
        ids = self.scene.selected_ids()
        if not ids:
            return False
        doc = self.scene.doc
        return self.perform(lambda: operations.remove(doc, ids)) is not None

    def nudge(self, dx: float, dy: float) -> bool:
        """Move the selected items by (dx, dy); a run of nudges of the same items is one step.
        A valve nudged on its own slides along its pipe (across it, it stays: no step).
        ``False`` when nothing movable is selected."""
        doc = self.scene.doc
        ids = [eid for eid in self.scene.selected_ids() if hasattr(doc.element(eid), "position")]
        ids = [eid for eid in ids if doc.element(eid).position is not None]
        if not ids:
            return False
        positions = {}
        for eid in ids:
            x, y = doc.element(eid).position
            positions[eid] = (x + dx, y + dy)
        valves, _ = edit_builders.settle_flows(doc, positions)
        if all(valves.get(eid, p) == tuple(doc.element(eid).position) for eid, p in positions.items()):
            return True  # a valve nudged across its pipe stays on it: the key did nothing
        return self.perform(lambda: edit_builders.move(doc, positions), merge_key=frozenset(ids)) is not None

    def set_polarity(self, polarity: Polarity | str, link_ids: list[str] | None = None) -> bool:
        """Give the links (by default the selected ones) ``polarity``, as one step."""
        doc = self.scene.doc
        link_ids = self.selected_links() if link_ids is None else link_ids
        if not link_ids:
            return False
        polarity = Polarity(polarity)
        shown = polarity.value or "none"
        text = f"Set polarity {shown}"
        return self._update_links(link_ids, text, lambda link: {"polarity": polarity}, doc)

    def toggle_delay(self, link_ids: list[str] | None = None) -> bool:
        """Switch the delay mark of the links (by default the selected ones): all on, unless
        all are on already."""
        doc = self.scene.doc
        link_ids = self.selected_links() if link_ids is None else link_ids
        if not link_ids:
            return False
        delay = not all(doc.links[lid].delay for lid in link_ids)
        text = "Mark delay" if delay else "Remove delay mark"
        return self._update_links(link_ids, text, lambda link: {"delay": delay}, doc)

    def straighten(self, link_ids: list[str] | None = None) -> bool:
        """Make the links (by default the selected ones) straight: no curvature, no points."""
        doc = self.scene.doc
        link_ids = self.selected_links() if link_ids is None else link_ids
        bent = [lid for lid in link_ids if doc.links[lid].curvature != 0 or doc.links[lid].points]
        if not bent:
            return False
        return self._update_links(bent, "Straighten link", lambda link: {"curvature": 0.0, "points": ()}, doc)

    def _update_links(self, link_ids, text, changes, doc) -> bool:
        from sysmap.model.edits import Compound

        def build():
            return Compound(
                [operations.update(doc, lid, **changes(doc.links[lid])) for lid in link_ids], text
            )

        return self.perform(build) is not None

    def create_alias(self, vid: str) -> bool:
        """Add an alias (ghost) of variable ``vid`` below right of it, and select it."""
        doc = self.scene.doc
        command = self.perform(lambda: edit_builders.add_alias(doc, vid))
        if command is not None:
            self.scene.select_ids([command.edit.element.id])
        return command is not None

    def set_kind(self, vid: str, kind: Kind | str) -> bool:
        """Make variable ``vid`` a concept, stock, auxiliary... (what the model accepts)."""
        doc = self.scene.doc
        kind = Kind(kind)
        if doc.variables[vid].kind == kind:
            return False
        return (
            self.perform(lambda: operations.update(doc, vid, kind=kind), text=f"Make {kind.value}")
            is not None
        )

    def create_at(self, tool: Tool, pos: QPointF) -> None:
        """What a click on empty canvas with a creation tool makes."""
        if tool in _KIND_OF_TOOL:
            self.new_variable(_KIND_OF_TOOL[tool], pos)
        elif tool is Tool.NOTE:
            self.new_note(pos)
        elif tool is Tool.LOOP_LABEL:
            doc = self.scene.doc
            at = self.scene.snapped(pos)
            command = self.perform(lambda: edit_builders.add_loop_label_at(doc, (at.x(), at.y())))
            if command is not None:
                self.scene.select_ids([command.edit.element.id])

    # -- inline editing ----------------------------------------------------------------------------------

    def new_variable(
        self,
        kind: Kind,
        pos: QPointF,
        *,
        flow_ends: tuple[str | None, str | None] = (None, None),
        points: tuple = (),
    ) -> InlineEditor:
        """Show a new variable of ``kind`` at ``pos`` with its name editor open; it is added
        (with its connections, for a flow) when the name is committed."""
        scene = self.scene
        doc = scene.doc
        if self.inline is not None:
            self.inline.cancel()
        at = scene.snapped(pos) if not points else QPointF(pos)
        position = (round(at.x(), 6), round(at.y(), 6))
        ghost = VariableItem(
            Variable(
                id="", name=edit_builders.default_name(doc, kind), kind=kind, position=position, points=points
            ),
            scene.style,
        )
        ghost.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        ghosts: list[QGraphicsItem] = [ghost]
        if kind == Kind.FLOW:
            source, sink = flow_ends
            pipe = FlowPipeItem(ghost.var, scene.style)
            pipe.update_geometry(
                ghost.var,
                scene.variable_items.get(source) if source else None,
                scene.variable_items.get(sink) if sink else None,
            )
            ghosts.append(pipe)
        for item in ghosts:
            scene.addItem(item)

        def build(name: str):
            if kind == Kind.FLOW:
                return edit_builders.add_flow(doc, name, position, *flow_ends, points=points)
            return operations.add_variable(doc, name, kind, position=position)

        def commit(text: str) -> str | None:
            name = clean_name(text)
            problem = name_problem(doc, name)
            if problem:
                return problem
            command, error = self.try_perform(lambda: build(name))
            if command is None:
                return error
            edit = command.edit
            new_id = (edit.edits[0] if hasattr(edit, "edits") else edit).element.id
            self._pending_selection = new_id
            return None

        self._pending_selection = None
        self._open(
            ghost.var.name,
            ghost.label_rect(),
            ghost.label_font(),
            commit,
            lambda t: name_problem(doc, clean_name(t)),
        )
        self._ghosts = ghosts
        return self.inline

    def new_note(self, pos: QPointF) -> InlineEditor:
        """Open an editor for a new note at ``pos``; committing non-empty text adds it."""
        scene = self.scene
        doc = scene.doc
        at = scene.snapped(pos)
        position = (round(at.x(), 6), round(at.y(), 6))

        def commit(text: str) -> str | None:
            text = text.strip()
            if not text:
                return None
            command, error = self.try_perform(lambda: operations.add_note(doc, text, position))
            if command is None:
                return error
            self._pending_selection = command.edit.element.id
            return None

        self._pending_selection = None
        rect = QRectF(at.x() - NOTE_WIDTH / 2, at.y() - 10, NOTE_WIDTH, 20)
        return self._open(
            "", rect, scene.style.font(italic=True), commit, None, multiline=True, centred=False
        )

    def edit_text(self, eid: str, near: QGraphicsItem | None = None) -> bool:
        """Open the in-place editor of a variable's name, a note's or a loop label's text
        (over ``near``, the alias that was double-clicked, if not over the variable)."""
        scene = self.scene
        doc = scene.doc
        if self.inline is not None:
            self.inline.cancel()
        self._pending_selection = None
        if eid in doc.variables:
            item = near if isinstance(near, VariableItem) else scene.variable_items[eid]

            def commit(text: str) -> str | None:
                name = clean_name(text)
                if name == doc.variables[eid].name:
                    return None
                problem = name_problem(doc, name, eid)
                if problem:
                    return problem
                return self.try_perform(lambda: operations.rename_variable(doc, eid, name))[1]

            self._open(
                doc.variables[eid].label,
                item.label_rect(),
                item.label_font(),
                commit,
                lambda t: name_problem(doc, clean_name(t), eid),
            )
        elif eid in doc.notes:
            note_item = scene.note_items[eid]

            def commit(text: str) -> str | None:
                text = text.strip()
                if text == doc.notes[eid].text:
                    return None
                if not text:
                    build = lambda: operations.remove(doc, [eid])  # noqa: E731
                else:
                    build = lambda: operations.update(doc, eid, text=text)  # noqa: E731
                return self.try_perform(build, text="Edit note")[1]

            rect = note_item.sceneBoundingRect().adjusted(3, 3, -3, -3)
            font = scene.style.font(italic=True)
            self._open(doc.notes[eid].text, rect, font, commit, None, multiline=True, centred=False)
        elif eid in doc.loop_labels:
            label_item = scene.label_items[eid]

            def commit(text: str) -> str | None:
                text = text.strip()
                if text == doc.loop_labels[eid].text:
                    return None
                if not text:
                    return "A loop label needs some text, such as R1 or B2"
                return self.try_perform(
                    lambda: operations.update(doc, eid, text=text), text="Rename loop label"
                )[1]

            centre = label_item.pos()
            rect = QRectF(centre.x() - 30, centre.y() - 9, 60, 18)
            self._open(doc.loop_labels[eid].text, rect, scene.style.font(scale=1.15, bold=True), commit, None)
        else:
            return False
        self.inline_target = eid
        return True

    def _open(self, text, rect, font, commit, check, *, multiline=False, centred=True) -> InlineEditor:
        scene = self.scene
        editor = InlineEditor(
            text,
            rect,
            scene.style,
            font,
            commit=commit,
            close=self._close_inline,
            check=check,
            report=scene.message.emit,
            multiline=multiline,
            centred=centred,
        )
        self.inline = editor
        self.inline_target = None
        scene.addItem(editor)
        scene.setFocusItem(editor, Qt.FocusReason.OtherFocusReason)
        return editor

    def _close_inline(self) -> None:
        scene = self.scene
        editor, self.inline = self.inline, None
        self.inline_target = None
        for item in [*self._ghosts, editor]:
            if item is not None and item.scene() is scene:
                scene.removeItem(item)
        self._ghosts = []
        new_id = getattr(self, "_pending_selection", None)
        self._pending_selection = None
        if new_id is not None and scene.item_for(new_id) is not None:
            scene.select_ids([new_id])
