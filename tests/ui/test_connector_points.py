"""Multi-point connectors (a link with ``points``): drawn through their points, and kept
through drags, Straighten, undo and saving."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from canvas_driver import Canvas, open_canvas
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QUndoStack
from shots import shots_dir

from sysmap.io import load, save
from sysmap.model import Kind, Polarity, SystemMap, operations
from sysmap.ui.canvas.scene import MapScene

INNER = ((0.0, -150.0), (120.0, -120.0))


@pytest.fixture
def canvas(qtbot) -> Canvas:
    doc = SystemMap(name="Points")
    a = doc.add_variable("Workload", position=(-200.0, 0.0))
    b = doc.add_variable("Staff", position=(200.0, 0.0))
    doc.add_link(a.id, b.id, polarity=Polarity.POSITIVE, points=INNER)
    canvas = open_canvas(qtbot, doc)
    yield canvas
    canvas.scene.detach()


def only_link(canvas):
    (link,) = canvas.doc.links.values()
    return link, canvas.scene.link_items[link.id]


def samples(path, n=400):
    return [path.pointAtPercent(i / n) for i in range(n + 1)]


def distance_to(path, x, y) -> float:
    return min(math.hypot(p.x() - x, p.y() - y) for p in samples(path))


def on_edge_of(item, point: QPointF) -> bool:
    """``point`` is outside ``item``'s shape, and 2 units further towards its centre is inside."""
    inside = item.contains_point()
    centre = item.pos()
    d = centre - point
    n = math.hypot(d.x(), d.y())
    deeper = point + d * (2.0 / n)
    return not inside(point.x(), point.y()) and inside(deeper.x(), deeper.y())


def test_the_link_is_drawn_through_every_point_from_edge_to_edge(canvas):
    link, item = only_link(canvas)
    source, target = canvas.scene.variable_items[link.source], canvas.scene.variable_items[link.target]
    path = item.path()
    for x, y in INNER:
        assert distance_to(path, x, y) < 1.0
    start, tip = path.pointAtPercent(0.0), path.pointAtPercent(1.0)
    assert on_edge_of(source, start)
    assert on_edge_of(target, tip)
    head = item.head_path().toFillPolygon()
    assert min(math.hypot(p.x() - tip.x(), p.y() - tip.y()) for p in head) < 0.01  # the head's point
    # the head points along the last piece: from (120, -120) down to Staff, not along the chord
    centre = head.boundingRect().center()
    assert centre.y() < tip.y() and centre.x() < tip.x()
    # the sign sits near the end of the path, the selection band follows the path
    assert item.sign_rect().center().x() > 120
    assert item.shape().contains(QPointF(0, -150)) and not item.shape().contains(QPointF(0, 0))


def test_a_link_that_starts_on_the_variables_edge_as_stella_writes_it(qtbot):
    doc = SystemMap()
    a = doc.add_variable("a", Kind.AUX, position=(163.0, 224.0))
    b = doc.add_variable("b", Kind.AUX, position=(406.0, 99.0))
    pts = ((163.994, 232.945), (190.0, 444.0), (378.0, 414.0), (398.261, 94.4055))
    doc.add_link(a.id, b.id, points=pts)
    canvas = open_canvas(qtbot, doc, rect=QRectF(0, 0, 600, 500))
    try:
        link, item = only_link(canvas)
        path = item.path()
        for x, y in pts[1:-1]:
            assert distance_to(path, x, y) < 1.0
        assert on_edge_of(canvas.scene.variable_items[a.id], path.pointAtPercent(0.0))
        assert on_edge_of(canvas.scene.variable_items[b.id], path.pointAtPercent(1.0))
    finally:
        canvas.scene.detach()


def test_selected_it_shows_no_bend_handle(canvas):
    link, item = only_link(canvas)
    canvas.click(0, -150)
    assert canvas.scene.selected_ids() == [link.id]
    assert not item.handle.isVisible()


def test_moving_an_end_keeps_the_inner_points(canvas):
    link, item = only_link(canvas)
    canvas.click(-200, 0)
    canvas.press(-200, 0)
    for i in range(1, 7):
        canvas.move_to(-200, 20 * i)
    # while dragging the curve already leaves the moved variable and still passes the points
    for x, y in INNER:
        assert distance_to(item.path(), x, y) < 1.0
    canvas.release(-200, 120)
    assert canvas.doc.variables[link.source].position == (-200, 120)
    assert canvas.doc.links[link.id].points == INNER
    assert canvas.stack.count() == 1
    path = item.path()
    assert on_edge_of(canvas.scene.variable_items[link.source], path.pointAtPercent(0.0))
    for x, y in INNER:
        assert distance_to(path, x, y) < 1.0


def test_an_end_written_on_the_edge_follows_its_variable(canvas):
    link, _ = only_link(canvas)
    ends = ((-190.0, -5.0), *INNER, (190.0, -5.0))
    canvas.scene.editing.perform(lambda: operations.update(canvas.doc, link.id, points=ends))
    canvas.drag((200, 0), (200, 100))
    assert canvas.doc.links[link.id].points == ((-190.0, -5.0), *INNER, (190.0, 95.0))


def test_dragging_a_selection_moves_the_points_in_one_step(canvas):
    link, item = only_link(canvas)
    canvas.scene.select_ids([link.source, link.target, link.id])
    before = item.path().boundingRect()
    canvas.drag((-200, 0), (-150, 50))
    moved = tuple((x + 50, y + 50) for x, y in INNER)
    assert canvas.doc.links[link.id].points == moved
    assert canvas.stack.count() == 1
    after = item.path().boundingRect()
    assert (after.left() - before.left(), after.top() - before.top()) == pytest.approx((50, 50), abs=0.01)
    for x, y in moved:
        assert distance_to(item.path(), x, y) < 1.0
    canvas.stack.undo()
    assert canvas.doc.links[link.id].points == INNER
    assert canvas.doc.variables[link.source].position == (-200, 0)


def test_nudging_both_ends_moves_the_points_along(canvas):
    link, _ = only_link(canvas)
    canvas.scene.select_ids([link.source, link.target, link.id])
    canvas.key(Qt.Key.Key_Right)
    dx = canvas.doc.variables[link.source].position[0] + 200
    assert dx > 0 and canvas.doc.variables[link.target].position[0] == 200 + dx
    assert canvas.doc.links[link.id].points == tuple((x + dx, y) for x, y in INNER)
    canvas.stack.undo()
    assert canvas.doc.links[link.id].points == INNER


def test_straighten_removes_points_and_curvature_and_undo_restores(canvas):
    link, item = only_link(canvas)
    assert canvas.context_menu(0, -150, ["Straighten"]) == ["Straighten"]
    straight = canvas.doc.links[link.id]
    assert straight.points == () and straight.curvature == 0.0
    path = item.path()
    assert abs(path.pointAtPercent(0.5).y()) < 0.5  # the straight line between the two
    canvas.click(0, 0)
    assert canvas.scene.selected_ids() == [link.id]
    assert item.handle.isVisible()  # a plain link bends again
    canvas.stack.undo()
    assert canvas.doc.links[link.id].points == INNER
    assert distance_to(item.path(), *INNER[0]) < 1.0


def test_save_and_reload_keep_the_points(canvas, tmp_path):
    link, item = only_link(canvas)
    path = tmp_path / "points.xmile"
    save(canvas.doc, path)
    again = load(path)
    (reloaded,) = again.links.values()
    assert reloaded.points == INNER
    other = MapScene(again, undo_stack=QUndoStack())
    try:
        assert other.link_items[reloaded.id].path() == item.path()
    finally:
        other.detach()


def test_picture_of_a_multi_point_connector(canvas):
    """Saved for a developer to look at."""
    scene = canvas.scene
    rect = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
    image = QImage(int(rect.width() * 2), int(rect.height() * 2), QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    assert image.save(str(shots_dir("connector_points") / "through_points.png"))
