"""Flows on the canvas as a user edits them: a valve dragged alone slides along its pipe, a
pipe keeps its shape when one of its stocks moves, and links into a flow end on its valve."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from canvas_driver import Canvas, open_canvas
from PySide6.QtCore import Qt
from shots import shots_dir

from sysmap.io import load, save
from sysmap.model import Kind, SystemMap, operations
from sysmap.model.elements import Extras
from sysmap.ui.canvas.items.variable import VALVE_RADIUS
from sysmap.ui.canvas.tools import Tool
from sysmap.ui.commands import perform
from sysmap.ui.export import export_scene

#: The L of these tests: from Tank's right side along to x=100, then down into Basin's top.
L_ROUTE = ((-170.0, -100.0), (100.0, -100.0), (100.0, 130.0))


def l_shaped_map() -> SystemMap:
    doc = SystemMap(name="Pipes")
    for edit in (
        operations.add_variable(
            doc, "Tank", Kind.STOCK, id="tank", position=(-200.0, -100.0), size=(60.0, 40.0)
        ),
        operations.add_variable(
            doc, "Basin", Kind.STOCK, id="basin", position=(100.0, 150.0), size=(60.0, 40.0)
        ),
        operations.add_variable(
            doc, "Drain", Kind.FLOW, id="drain", position=(-50.0, -100.0), points=L_ROUTE
        ),
    ):
        doc.apply(edit)
    doc.apply(operations.attach_flow(doc, "drain", source="tank", sink="basin"))
    return doc


@pytest.fixture
def canvas(qtbot) -> Canvas:
    canvas = open_canvas(qtbot, l_shaped_map())
    yield canvas
    canvas.scene.detach()


def valve_at(canvas: Canvas) -> tuple[float, float]:
    pos = canvas.scene.variable_items["drain"].pos()
    return (pos.x(), pos.y())


def on_pipe(point, route, tol=1e-6) -> bool:
    return any(
        abs(math.dist(a, point) + math.dist(point, b) - math.dist(a, b)) < tol
        for a, b in zip(route, route[1:], strict=False)
    )


def orthogonal(route) -> bool:
    return all(a[0] == b[0] or a[1] == b[1] for a, b in zip(route, route[1:], strict=False))


def test_a_valve_dragged_alone_slides_along_its_pipe(canvas):
    doc = canvas.doc
    before = dict(doc.variables)
    # along and away from the pipe: the valve follows the pipe's nearest point, live
    canvas.press(-50, -100)
    for x, y in ((-40, -90), (-10, -75), (30, -60)):
        canvas.move_to(x, y)
    assert valve_at(canvas) == (30.0, -100.0)
    canvas.release(30, -60)
    assert doc.variables["drain"].position == (30.0, -100.0)
    assert doc.variables["drain"].points == L_ROUTE  # the pipe stays
    assert canvas.stack.count() == 1 and canvas.stack.undoText() == "Move 1 item"
    # round the corner onto the pipe's other leg, and beyond its end
    canvas.drag((30, -100), (160, 40))
    assert doc.variables["drain"].position == (100.0, 40.0)
    canvas.drag((100, 40), (100, 400))
    assert doc.variables["drain"].position == (100.0, 130.0)
    assert canvas.stack.count() == 3
    for _ in range(3):
        canvas.stack.undo()
    assert dict(doc.variables) == before
    assert valve_at(canvas) == (-50.0, -100.0)


def test_esc_puts_a_sliding_valve_back(canvas):
    canvas.press(-50, -100)
    for x in (-30, 0, 20):
        canvas.move_to(x, -70)
    assert valve_at(canvas) == (20.0, -100.0)
    canvas.key(Qt.Key.Key_Escape)
    canvas.release(20, -70)
    assert valve_at(canvas) == (-50.0, -100.0) and canvas.stack.count() == 0


def test_a_valve_dragged_with_its_stocks_moves_everything(canvas):
    canvas.scene.select_ids(["tank", "basin", "drain"])
    canvas.drag((-50, -100), (-20, -60))
    doc = canvas.doc
    assert doc.variables["drain"].position == (-20.0, -60.0)
    assert doc.variables["tank"].position == (-170.0, -60.0)
    assert doc.variables["drain"].points == tuple((x + 30, y + 40) for x, y in L_ROUTE)
    assert canvas.stack.count() == 1


def test_moving_one_stock_keeps_an_l_shaped_pipe_l_shaped(canvas):
    doc = canvas.doc
    pipe = canvas.scene.pipe_items["drain"]
    # drag Basin right and down: the corner follows, Tank's end stays
    canvas.press(100, 150)
    for i in range(1, 7):
        canvas.move_to(100 + 10 * i, 150 + 5 * i)
    drawn = pipe.path().boundingRect()  # what the user sees while dragging
    assert abs(drawn.right() - 160) < 6 and abs(drawn.left() + 170) < 1
    canvas.release(160, 180)
    route = doc.variables["drain"].points
    assert route == ((-170.0, -100.0), (160.0, -100.0), (160.0, 160.0))
    assert doc.variables["drain"].position == (-50.0, -100.0)  # on the leg that stayed
    assert canvas.stack.count() == 1
    # drag Tank up: its leg rises, the corner with it, Basin's end stays
    canvas.drag((-200, -100), (-200, -140))
    route = doc.variables["drain"].points
    assert route == ((-170.0, -140.0), (160.0, -140.0), (160.0, 160.0))
    assert len(route) == 3 and orthogonal(route)
    valve = doc.variables["drain"].position
    assert valve == (-50.0, -140.0) and on_pipe(valve, route)
    export_scene(canvas.scene, shots_dir("FL") / "l_shaped_pipe.png", scale=1.0)
    canvas.stack.undo()
    canvas.stack.undo()
    assert doc.variables["drain"].points == L_ROUTE and doc.variables["drain"].position == (-50.0, -100.0)
    drawn = canvas.scene.pipe_items["drain"].path().boundingRect()
    assert abs(drawn.right() - 100) < 6 and abs(drawn.bottom() - 130) < 10  # the head is apart


def test_routes_and_valves_survive_saving_and_loading(canvas, tmp_path):
    canvas.drag((100, 150), (160, 180))  # Basin
    canvas.drag((-50, -100), (40, -80))  # the valve, along its pipe
    path = tmp_path / "pipes.xmile"
    save(canvas.doc, path)
    again = load(path)
    flow = again.variable_named("Drain")
    assert flow.points == ((-170.0, -100.0), (160.0, -100.0), (160.0, 160.0))
    assert flow.position == (40.0, -100.0)


def test_a_valve_slides_on_a_pipe_to_a_cloud_and_the_cloud_stays(qtbot):
    doc = SystemMap(name="Spill")
    doc.apply(operations.add_variable(doc, "Tank", Kind.STOCK, id="tank", position=(-100.0, 0.0)))
    doc.apply(operations.add_variable(doc, "Spill", Kind.FLOW, id="spill", position=(0.0, 0.0)))
    doc.apply(operations.attach_flow(doc, "spill", source="tank", sink=None))
    canvas = open_canvas(qtbot, doc)
    try:
        pipe = canvas.scene.pipe_items["spill"]
        end = pipe.path().boundingRect().right()
        canvas.drag((0, 0), (30, 25))
        assert doc.variables["spill"].position == (30.0, 0.0)
        # the default route was written out where it was: the cloud did not move
        assert doc.variables["spill"].points == ((-77.5, 0.0), (60.0, 0.0))
        assert abs(pipe.path().boundingRect().right() - end) < 1
    finally:
        canvas.scene.detach()


SIDES = ("bottom", "top", "left", "right")


@pytest.mark.parametrize("side", SIDES)
def test_a_link_into_a_flow_ends_on_its_valve_wherever_its_name_is(qtbot, side):
    doc = SystemMap(name="Links")
    doc.apply(operations.add_variable(doc, "Outflow", Kind.FLOW, id="f", position=(0.0, 0.0)))
    doc.apply(operations.attach_flow(doc, "f", source=None, sink=None))
    causes = {"Below": (0, 160), "Above": (0, -160), "Left": (-170, 30), "Right": (170, -20)}
    for name, (x, y) in causes.items():
        doc.apply(operations.add_variable(doc, name, Kind.AUX, position=(float(x), float(y))))
    canvas = open_canvas(qtbot, doc)
    try:
        canvas.scene.set_tool(Tool.LINK)
        for x, y in causes.values():
            canvas.drag((x, y), (0, 0))
        canvas.scene.set_tool(Tool.SELECT)
        assert len(doc.links) == 4, canvas.messages
        side_extra = Extras(attributes=(("label_side", side),))
        perform(canvas.stack, doc, operations.update(doc, "f", view_extra=side_extra))
        valve = canvas.scene.variable_items["f"]
        items = [canvas.scene.link_items[link.id] for link in doc.links.values()]
        for item in items:  # the arrow's tip touches the valve's circle
            tip = item.path().pointAtPercent(1.0)
            assert VALVE_RADIUS - 1 <= math.hypot(tip.x(), tip.y()) <= VALVE_RADIUS + 3, (
                side,
                item.link.source,
            )
        in_name = valve.contains_point()  # the valve and its name's plate, which links pass under
        in_circle = valve.contains_point(name=False)
        for item in items:
            along = [item.path().pointAtPercent(t / 80) for t in range(81)]
            through_name = any(in_name(p.x(), p.y()) and not in_circle(p.x(), p.y()) for p in along)
            if through_name:  # its head is not hidden under the name
                assert item.zValue() > valve.zValue()
            else:
                assert item.zValue() < valve.zValue()
        if side == "bottom":
            export_scene(canvas.scene, shots_dir("FL") / "links_into_valve.png", scale=2.0)
    finally:
        canvas.scene.detach()


def test_arrow_keys_slide_a_selected_valve_along_its_pipe(canvas):
    canvas.click(-50, -100)
    assert canvas.scene.selected_ids() == ["drain"]
    canvas.key(Qt.Key.Key_Right)
    canvas.key(Qt.Key.Key_Right)
    assert canvas.doc.variables["drain"].position == (-48.0, -100.0)
    assert canvas.stack.count() == 1  # a run of nudges is one step
    canvas.key(Qt.Key.Key_Up)  # across the pipe: nothing
    assert canvas.doc.variables["drain"].position == (-48.0, -100.0) and canvas.stack.count() == 1
