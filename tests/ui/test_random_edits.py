"""A random sequence of edits followed by undoing all of them restores the identical document.

tests/model/test_undo.py checks this for raw model edits. Here the edits go the way the
editor sends them: built by the functions the UI calls, performed through
:func:`sysmap.ui.commands.perform` onto a ``QUndoStack`` (keyboard nudges merged by their
``merge_key``), and undone and redone by the stack. The last test drives a real canvas with
the mouse and keys and checks that, after every undo, the scene shows exactly the document.
"""

from __future__ import annotations

import random

import pytest

pytest.importorskip("PySide6")

from canvas_driver import Canvas, open_canvas
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QUndoStack

from sysmap.analysis.loop_labels import label_loops_edit
from sysmap.errors import ModelError
from sysmap.model import Kind, SystemMap, arrange, clipboard, layout, operations
from sysmap.model.style import restyle
from sysmap.ui.canvas import edit_builders
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.tools import Tool
from sysmap.ui.commands import perform

NAMES = ["Workload", "Sick leave", "Staff", "Backlog", "Hiring", "Quits", "Morale", "Overtime", "Quality"]
KINDS = [Kind.CONCEPT, Kind.STOCK, Kind.FLOW, Kind.AUX]
COLOURS = ["#c0392b", "#1f5fa8", "black", "teal", None]


def start_map() -> SystemMap:
    """A small map with a bit of everything: concepts, a stock with a flow, links, a loop
    label, a note."""
    doc = SystemMap(name="Staffing")
    doc.add_variable("Workload", position=(0.0, 0.0), id="w")
    doc.add_variable("Sick leave", position=(200.0, 0.0), id="s")
    doc.add_variable("Staff", kind=Kind.STOCK, equation="10", position=(100.0, 160.0), id="st")
    doc.add_variable("Quits", kind=Kind.FLOW, equation="staff / 10", position=(260.0, 160.0), id="q")
    doc.attach_flow("q", source="st", sink=None)
    doc.add_link("w", "s", polarity="+", id="ws")
    doc.add_link("s", "st", polarity="-", id="sst")
    doc.add_link("st", "w", polarity="-", id="stw")
    doc.apply(operations.add_loop_label(doc, "B1", (100.0, 50.0), loop=("w", "s", "st"), id="b1"))
    doc.apply(operations.add_note(doc, "From interviews", (-150.0, 100.0), id="n"))
    return doc


class Requests:
    """Random user-level requests on a document: each method returns ``(edit, merge_key)``
    or raises ModelError when the map refuses the request."""

    def __init__(self, rng: random.Random, doc: SystemMap):
        self.rng, self.doc = rng, doc

    # -- picking ---------------------------------------------------------------------------

    def pick(self, seq):
        seq = list(seq)
        if not seq:
            raise ModelError("nothing to choose from")
        return self.rng.choice(seq)

    def some(self, seq, low=1, high=4):
        seq = list(seq)
        if len(seq) < low:
            raise ModelError("too few to choose from")
        return self.rng.sample(seq, self.rng.randint(low, min(high, len(seq))))

    def point(self):
        return (float(self.rng.randrange(-400, 400, 5)), float(self.rng.randrange(-300, 300, 5)))

    def name(self):
        name = self.pick(NAMES)
        return name if self.rng.random() < 0.5 else f"{name} {self.rng.randint(2, 4)}"

    def placed(self):
        return [e.id for e in self.doc.elements() if getattr(e, "position", None) is not None]

    def of_kind(self, kind):
        return [v.id for v in self.doc.variables.values() if v.kind == kind]

    # -- requests ---------------------------------------------------------------------------

    def add_variable(self):
        kind = self.pick(KINDS)
        return operations.add_variable(self.doc, self.name(), kind, position=self.point()), None

    def add_flow(self):  # as the flow tool adds one: a flow between stocks or clouds
        stocks = self.of_kind(Kind.STOCK) + [None, None]
        source, sink = self.pick(stocks), self.pick(stocks)
        return edit_builders.add_flow(self.doc, self.name(), self.point(), source, sink), None

    def add_link(self):
        source, target = self.pick(self.doc.variables), self.pick(self.doc.variables)
        curvature = edit_builders.link_curvature(self.doc, source, target)
        polarity = self.pick("+-? ").strip()
        return operations.add_link(self.doc, source, target, polarity, curvature=curvature), None

    def rename(self):
        return operations.rename_variable(self.doc, self.pick(self.doc.variables), self.name()), None

    def update_link(self):
        field, values = self.pick(
            [("polarity", ["+", "-", "?", ""]), ("delay", [True, False]), ("curvature", [0.0, 0.3, -0.25])]
        )
        return operations.update(self.doc, self.pick(self.doc.links), **{field: self.pick(values)}), None

    def update_variable(self):
        vid = self.pick(self.doc.variables)
        field, values = self.pick(
            [
                ("kind", KINDS),
                ("equation", ["1", "workload * 2", "staff / 10 {weeks}", ""]),
                ("units", ["people", "", "cases/week"]),
                ("documentation", ["why", ""]),
            ]
        )
        return operations.update(self.doc, vid, **{field: self.pick(values)}), None

    def move(self):  # a drag of the selection
        ids = self.some(self.placed())
        dx, dy = self.point()
        positions = {
            eid: (self.doc.element(eid).position[0] + dx, self.doc.element(eid).position[1] + dy)
            for eid in ids
        }
        return edit_builders.move(self.doc, positions), None

    def remove(self):
        return operations.remove(self.doc, self.some([e.id for e in self.doc.elements()], 1, 2)), None

    def attach_flow(self):
        stocks = self.of_kind(Kind.STOCK) + [None]
        flow = self.pick(self.of_kind(Kind.FLOW))
        return operations.attach_flow(self.doc, flow, source=self.pick(stocks), sink=self.pick(stocks)), None

    def add_alias(self):
        vid = self.pick(self.doc.variables)
        position = None if self.rng.random() < 0.5 else self.point()
        return edit_builders.add_alias(self.doc, vid, position), None

    def add_loop_label(self):
        loop = tuple(self.some(self.doc.variables, 0, 3)) if self.doc.variables else ()
        text = self.pick(["R1", "B2", "R3 burnout", ""])
        return operations.add_loop_label(self.doc, text, self.point(), loop=loop), None

    def add_note(self):
        return operations.add_note(self.doc, self.pick(["Note", "Data from 2023", ""]), self.point()), None

    def restyle(self):
        ids = self.some([e.id for e in self.doc.elements() if hasattr(e, "view_extra")])
        changes = self.pick(
            [
                {"color": self.pick(COLOURS)},
                {"background": self.pick(COLOURS)},
                {"font_size": self.pick([9, 14.5, None])},
                {"line_width": self.pick([1, 3, None])},
                dict.fromkeys(
                    ("color", "background", "font_color", "font_size", "line_width", "border_width")
                ),
            ]
        )
        return restyle(self.doc, ids, **changes), None

    def align(self):
        how = self.pick(["left", "right", "top", "bottom", "hcenter", "vcenter"])
        return arrange.align(self.doc, self.some(self.placed(), 2, 4), how), None

    def distribute(self):
        return arrange.distribute(self.doc, self.some(self.placed(), 3, 5), self.pick("xy")), None

    def paste(self):  # copy some of the map and paste it back
        piece = clipboard.fragment(self.doc, self.some([e.id for e in self.doc.elements()], 1, 4))
        edit, _ = clipboard.paste_edit(self.doc, piece)
        return edit, None

    def auto_layout(self):
        ids = None if self.rng.random() < 0.5 else self.some(self.doc.variables, 2, 5)
        return layout.layout_edit(self.doc, ids), None

    def label_loops(self):
        return label_loops_edit(self.doc, replace=self.rng.random() < 0.5), None

    def nudge(self):  # arrow keys on a selection: merged with the nudge before of the same items
        ids = getattr(self, "_nudged", None)
        if ids is None or self.rng.random() < 0.3 or any(eid not in self.doc for eid in ids):
            ids = self._nudged = self.some(self.placed(), 1, 3)
        dx, dy = self.pick([(1, 0), (-1, 0), (0, 10), (0, -1)])
        positions = {
            eid: (self.doc.element(eid).position[0] + dx, self.doc.element(eid).position[1] + dy)
            for eid in ids
        }
        return edit_builders.move(self.doc, positions), frozenset(ids)


#: how often each request is made (nudges come in runs, to merge)
WEIGHTS = {
    "add_variable": 4,
    "add_flow": 2,
    "add_link": 4,
    "rename": 2,
    "update_link": 3,
    "update_variable": 3,
    "move": 2,
    "remove": 2,
    "attach_flow": 1,
    "add_alias": 1,
    "add_loop_label": 1,
    "add_note": 1,
    "restyle": 3,
    "align": 1,
    "distribute": 1,
    "paste": 1,
    "auto_layout": 1,
    "label_loops": 1,
    "nudge": 4,
}


def run_random_edits(seed: int, steps: int = 50):
    """Perform ``steps`` random requests the map accepts; return the document, its stack and
    a copy of the document at every index of the stack."""
    rng = random.Random(seed)
    doc = start_map()
    stack = QUndoStack()
    states = {0: doc.copy()}
    requests = Requests(rng, doc)
    names, weights = zip(*WEIGHTS.items(), strict=True)
    done = refused = 0
    while done < steps:
        request = rng.choices(names, weights)[0]
        before = doc.copy()
        try:
            edit, merge_key = getattr(requests, request)()
            perform(stack, doc, edit, merge_key=merge_key)
        except ModelError:
            refused += 1
            assert doc == before, f"a refused {request} changed the map"
            assert refused < 20 * steps
            continue
        done += 1
        assert stack.index() == stack.count()
        states[stack.index()] = doc.copy()
    return doc, stack, states


@pytest.mark.parametrize("seed", range(20))
def test_undoing_random_edits_restores_the_document_and_redoing_them_repeats_it(seed):
    doc, stack, states = run_random_edits(seed)
    start, end = states[0], doc.copy()
    assert doc != start
    assert all(stack.text(i).strip() for i in range(stack.count())), "a step the Edit menu cannot name"
    while stack.canUndo():
        stack.undo()
        assert doc == states[stack.index()], f"undo to step {stack.index()}: {stack.text(stack.index())}"
    assert doc == start
    while stack.canRedo():
        stack.redo()
        assert doc == states[stack.index()], f"redo of step {stack.index()}: {stack.text(stack.index() - 1)}"
    assert doc == end
    # and the map is still one that takes further edits
    stack.setIndex(0)
    assert doc == start
    perform(stack, doc, operations.add_variable(doc, "After undo", position=(0.0, 0.0)))
    assert not stack.canRedo() and doc.variable_named("After undo") is not None


def test_nudges_of_the_same_items_merge_into_one_step_and_undo_together():
    doc = start_map()
    stack = QUndoStack()
    start = doc.copy()
    for dx in (1, 1, 10):
        x, y = doc.variables["w"].position
        perform(stack, doc, edit_builders.move(doc, {"w": (x + dx, y)}), merge_key=frozenset({"w"}))
    x, y = doc.variables["s"].position
    perform(stack, doc, edit_builders.move(doc, {"s": (x, y + 1)}), merge_key=frozenset({"s"}))
    assert stack.count() == 2 and doc.variables["w"].position == (12.0, 0.0)
    assert stack.text(0) == "Move 1 item"
    stack.undo()
    stack.undo()
    assert doc == start


# -- through a real canvas ----------------------------------------------------------------------------


@pytest.fixture
def canvas(qtbot) -> Canvas:
    canvas = open_canvas(qtbot, start_map())
    yield canvas
    canvas.scene.detach()


def check_scene_shows(scene: MapScene, doc: SystemMap) -> None:
    """One item per variable, alias, link, loop label and note (and a pipe per flow), each
    where the map puts it; no item left over for an element the map no longer has."""
    drawn: dict[str, list] = {}
    for item in scene.items():
        eid = getattr(item, "element_id", None)
        if item.parentItem() is None and eid:
            drawn.setdefault(eid, []).append(item)
    expected = {e.id for e in doc.elements() if e.id not in doc.groups}
    assert set(drawn) == expected
    for eid, items in drawn.items():
        flow = eid in doc.variables and doc.variables[eid].kind == Kind.FLOW
        assert len(items) == (2 if flow else 1), f"{eid} drawn {len(items)} times"
    assert set(scene.variable_items) == set(doc.variables)
    assert set(scene.alias_items) == set(doc.aliases)
    assert set(scene.link_items) == set(doc.links)
    assert set(scene.label_items) == set(doc.loop_labels)
    assert set(scene.note_items) == set(doc.notes)
    assert set(scene.pipe_items) == {v.id for v in doc.variables.values() if v.kind == Kind.FLOW}
    for items in (scene.variable_items, scene.alias_items, scene.label_items, scene.note_items):
        for eid, item in items.items():
            pos = item.pos()
            assert (pos.x(), pos.y()) == pytest.approx(doc.element(eid).position), eid
    # the items hold the elements as the map has them now (their style too)
    for vid, item in scene.variable_items.items():
        assert item.var == doc.variables[vid], vid
    for lid, item in scene.link_items.items():
        assert item.link == doc.links[lid], lid


class User:
    """Random things a user does on the canvas, with the mouse and keys."""

    def __init__(self, rng: random.Random, canvas: Canvas):
        self.rng, self.canvas = rng, canvas
        self.doc, self.scene = canvas.doc, canvas.scene
        self.count = 0

    def free_point(self):
        """A point of empty canvas inside the view, clear of every item."""
        for _ in range(200):
            x, y = self.rng.randrange(-420, 420, 10), self.rng.randrange(-320, 320, 10)
            if all(
                self.scene.element_item_at(QPointF(x + dx, y + dy)) is None
                for dx in (-70, 0, 70)
                for dy in (-40, 0, 40)
            ):
                return x, y
        return None

    def variable_at(self):
        """A variable and a point that hits its item (``None`` if none can be hit)."""
        vids = list(self.doc.variables)
        self.rng.shuffle(vids)
        for vid in vids:
            x, y = self.doc.variables[vid].position
            inside = -450 < x < 450 and -350 < y < 350
            if inside and self.scene.element_item_at(QPointF(x, y)) is self.scene.variable_items[vid]:
                return vid, (x, y)
        return None

    def add_variable(self):
        point = self.free_point()
        if point is None:
            return
        self.count += 1
        self.canvas.add_named(f"Thing {self.count}", *point)

    def move(self):
        hit, point = self.variable_at(), self.free_point()
        if hit is None or point is None:
            return
        self.canvas.drag(hit[1], point)

    def link(self):
        a, b = self.variable_at(), self.variable_at()
        if a is None or b is None or a[0] == b[0]:
            return
        self.scene.set_tool(Tool.LINK)
        self.canvas.drag(a[1], b[1])
        self.scene.set_tool(Tool.SELECT)

    def nudge(self):
        hit = self.variable_at()
        if hit is None:
            return
        self.canvas.click(*hit[1])
        key = self.rng.choice([Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down])
        for _ in range(self.rng.randint(1, 3)):
            self.canvas.key(key)

    def delete(self):
        hit = self.variable_at()
        if hit is None:
            return
        self.canvas.click(*hit[1])
        self.canvas.key(Qt.Key.Key_Delete)

    def polarity(self):
        if not self.doc.links:
            return
        self.scene.select_ids([self.rng.choice(list(self.doc.links))])
        self.canvas.key(None, text=self.rng.choice("+-?"))

    def menu(self):
        hit = self.variable_at()
        if hit is None:
            return
        path = self.rng.choice([["Style", "Red"], ["Style", "Teal"], ["Kind", "Stock"], ["Create alias"]])
        self.canvas.context_menu(*hit[1], path)

    def rename(self):
        hit = self.variable_at()
        if hit is None:
            return
        self.canvas.click(*hit[1])
        self.canvas.key(Qt.Key.Key_F2)
        if self.canvas.editor is None:
            return
        self.count += 1
        self.canvas.type(f"Renamed {self.count}")
        self.canvas.key(Qt.Key.Key_Return)
        if self.canvas.editor is not None:  # a name the map refuses: give up
            self.canvas.key(Qt.Key.Key_Escape)


@pytest.mark.parametrize("seed", range(4))
def test_random_canvas_edits_undo_to_a_scene_that_shows_the_document(canvas, seed):
    rng = random.Random(seed)
    user = User(rng, canvas)
    doc, stack, scene = canvas.doc, canvas.stack, canvas.scene
    states = {0: doc.copy()}
    actions = ["add_variable", "move", "link", "nudge", "delete", "polarity", "menu", "rename"]
    for _ in range(20):
        before = stack.index()
        getattr(user, rng.choice(actions))()
        assert canvas.editor is None and scene.editing.drag is None
        assert stack.index() - before in (0, 1), "one user action, one undo step"
        states[stack.index()] = doc.copy()
        check_scene_shows(scene, doc)
    assert stack.count() >= 5, canvas.messages
    assert all(stack.text(i).strip() for i in range(stack.count()))
    while stack.canUndo():
        stack.undo()
        assert doc == states[stack.index()]
        check_scene_shows(scene, doc)
    while stack.canRedo():
        stack.redo()
        assert doc == states[stack.index()]
        check_scene_shows(scene, doc)
