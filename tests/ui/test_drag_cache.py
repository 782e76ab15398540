"""Drags on a map slow to draw: the links and pipes that do not move come from a picture taken
when the drag starts. What the user sees must not change: the moved item at the mouse, every
still item drawn, no ghost where the item was, and the normal drawing back after the drag."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QImage, QUndoStack
from PySide6.QtTest import QTest

from sysmap.model import Kind, SystemMap
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.view import MapView

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
HUB, TO = (600.0, 200.0), (450.0, 120.0)  # where "Hub" is, where it is dragged: both clear of other links


def crossed_map() -> SystemMap:
    """Two rows of variables with links across the map; "Hub", at the right edge, has two
    links of its own; a stock stands at the left."""
    doc = SystemMap(name="crossed")
    top = [doc.add_variable(f"Top {i}", position=(200.0 * i, 0.0)) for i in range(4)]
    bottom = [doc.add_variable(f"Bottom {i}", position=(200.0 * i, 400.0)) for i in range(4)]
    hub = doc.add_variable("Hub", position=HUB)
    for i in range(4):
        doc.add_link(top[i].id, bottom[3 - i].id, polarity="+", curvature=0.1)
    doc.add_link(top[0].id, hub.id, polarity="-")
    doc.add_link(hub.id, bottom[3].id, polarity="+")
    doc.add_variable("Tank", Kind.STOCK, position=(0.0, 200.0))
    return doc


@pytest.fixture
def canvas(qtbot):
    doc = crossed_map()
    scene = MapScene(doc, undo_stack=QUndoStack())
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(700, 520)
    view.show()
    qtbot.waitExposed(view)
    view.actual_size()
    view.centerOn(350, 200)
    view.drag_cache_above_ms = -1.0  # every map counts as slow
    yield doc, scene, view
    scene.detach()


def at(view, x, y) -> QPoint:
    return view.mapFromScene(QPointF(x, y))


def picture(view) -> QImage:
    view.viewport().repaint()
    return view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def start_drag(view, doc, name, to) -> None:
    """Press on variable ``name`` and move the mouse in steps to scene point ``to``."""
    start = doc.variable_named(name).position
    QTest.mousePress(view.viewport(), LEFT, NONE, at(view, *start))
    for t in (0.25, 0.5, 0.75, 1.0):
        x, y = start[0] + (to[0] - start[0]) * t, start[1] + (to[1] - start[1]) * t
        QTest.mouseMove(view.viewport(), at(view, x, y))


def differing(a: QImage, b: QImage, outside: list[QRect]) -> int:
    """How many pixels differ between ``a`` and ``b`` outside the rectangles ``outside``."""
    count = 0
    for y in range(0, a.height()):
        for x in range(0, a.width()):
            if a.pixel(x, y) != b.pixel(x, y) and not any(r.contains(x, y) for r in outside):
                count += 1
    return count


def moving_rects(view, items) -> list[QRect]:
    return [
        view.mapFromScene(item.sceneBoundingRect()).boundingRect().adjusted(-3, -3, 3, 3) for item in items
    ]


def test_a_drag_draws_the_still_map_as_before(canvas, tmp_path):
    doc, scene, view = canvas
    hub = scene.variable_items[doc.variable_named("Hub").id]
    start_drag(view, doc, "Hub", TO)
    assert view.is_caching()
    assert hub.pos() == QPointF(*TO)  # at the mouse
    cached = picture(view)
    moving = [hub, *scene.connected_items([hub.var.id])]
    view.drop_still_cache()  # the same moment drawn the normal way
    normal = picture(view)
    cached.save(str(tmp_path / "cached.png"))
    normal.save(str(tmp_path / "normal.png"))
    # the moving links are drawn over the still ones from the picture, so only there may differ
    assert differing(cached, normal, moving_rects(view, moving)) == 0
    # the hub is drawn where it is now, and nothing is left where it was
    background = normal.pixel(5, 5)
    old = hub.mapRectToScene(hub.boundingRect()).translated(HUB[0] - TO[0], HUB[1] - TO[1])
    assert not_background(normal, view, old, background) == 0  # nothing else there
    assert not_background(cached, view, old, background) == 0
    assert not_background(cached, view, hub.sceneBoundingRect(), background) > 20


def not_background(image: QImage, view, rect, background) -> int:
    """How many pixels of scene rectangle ``rect`` (inside the view) are not ``background``."""
    area = view.mapFromScene(rect).boundingRect().intersected(image.rect())
    return sum(
        image.pixel(x, y) != background
        for y in range(area.top(), area.bottom() + 1)
        for x in range(area.left(), area.right() + 1)
    )


def test_every_still_item_is_drawn_while_dragging(canvas):
    doc, scene, view = canvas
    blank = picture(view)
    start_drag(view, doc, "Hub", TO)
    assert view.is_caching()
    during = picture(view)
    for name in ("Top 1", "Bottom 2", "Tank"):
        point = at(view, *doc.variable_named(name).position)
        assert during.pixel(point) == blank.pixel(point), name
    # a still link crossing the map: its middle drawn from the picture, same pixels as before
    link = next(
        item for item in scene.link_items.values() if item.link.source != doc.variable_named("Hub").id
    )
    middle = view.mapFromScene(link.path().pointAtPercent(0.5))
    assert during.pixel(middle) == blank.pixel(middle)
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at(view, *TO))


def test_release_makes_one_move_and_draws_everything_again(canvas):
    doc, scene, view = canvas
    hub = doc.variable_named("Hub").id
    start_drag(view, doc, "Hub", TO)
    assert view.is_caching()
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at(view, *TO))
    assert not view.is_caching()
    assert doc.variables[hub].position == TO
    assert scene.undo_stack.count() == 1
    assert all(item.opacity() == 1.0 for item in scene.items())


def test_escape_cancels_and_draws_everything_again(canvas):
    doc, scene, view = canvas
    hub = doc.variable_named("Hub").id
    start_drag(view, doc, "Hub", TO)
    assert view.is_caching()
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert not view.is_caching()
    assert scene.variable_items[hub].pos() == QPointF(*HUB)
    assert all(item.opacity() == 1.0 for item in scene.items())
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at(view, *TO))
    assert doc.variables[hub].position == HUB
    assert scene.undo_stack.count() == 0


@pytest.mark.parametrize("how", ["zoom", "scroll", "resize"])
def test_moving_about_the_map_drops_the_picture(canvas, how):
    doc, scene, view = canvas
    start_drag(view, doc, "Hub", TO)
    assert view.is_caching()
    if how == "zoom":
        view.zoom_in()
    elif how == "scroll":
        bar = view.horizontalScrollBar()
        bar.setValue(bar.value() + 30)
    else:
        view.resize(650, 500)
    assert not view.is_caching()
    assert all(item.opacity() == 1.0 for item in scene.items())
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at(view, *TO))


def test_a_selected_still_link_stays_selected(canvas):
    doc, scene, view = canvas
    top = doc.variable_named("Top 1").id
    link = next(item for item in scene.link_items.values() if item.link.source == top)
    hub = scene.variable_items[doc.variable_named("Hub").id]
    link.setSelected(True)
    hub.setSelected(True)
    start_drag(view, doc, "Hub", TO)
    assert view.is_caching()
    assert link.isSelected() and hub.isSelected()
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at(view, *TO))
    assert link.isSelected()


def test_bending_a_link_draws_the_rest_from_the_picture(canvas):
    doc, scene, view = canvas
    top0, hub = doc.variable_named("Top 0").id, doc.variable_named("Hub").id
    link = next(
        item for item in scene.link_items.values() if (item.link.source, item.link.target) == (top0, hub)
    )
    scene.select_ids([link.link.id])
    middle = link.path().pointAtPercent(0.5)
    QTest.mousePress(view.viewport(), LEFT, NONE, view.mapFromScene(middle))
    QTest.mouseMove(view.viewport(), view.mapFromScene(middle + QPointF(20, -30)))
    assert view.is_caching()
    assert link.opacity() == 1.0  # the bent link is drawn live
    QTest.mouseRelease(view.viewport(), LEFT, NONE, view.mapFromScene(middle + QPointF(20, -30)))
    assert not view.is_caching()
    assert doc.links[link.link.id].curvature != 0
    assert all(item.opacity() == 1.0 for item in scene.items())


def test_a_small_map_drags_without_a_picture(qtbot):
    doc = SystemMap(name="small")
    a = doc.add_variable("A", position=(0.0, 0.0))
    b = doc.add_variable("B", position=(200.0, 0.0))
    doc.add_link(a.id, b.id, polarity="+")
    scene = MapScene(doc, undo_stack=QUndoStack())
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    qtbot.waitExposed(view)
    view.viewport().repaint()
    assert view.frame_ms < view.drag_cache_above_ms  # quick to draw: the default threshold holds
    start_drag(view, doc, "A", (40.0, 60.0))
    assert scene.variable_items[a.id].pos() == QPointF(40.0, 60.0)
    assert not view.is_caching()
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at(view, 40, 60))
    assert doc.variables[a.id].position == (40.0, 60.0)
    scene.detach()
