"""The map view as a user moves about it: wheel and pinch zoom, panning, rubber band, overview,
and what is still drawn when zoomed far out."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPointingDevice,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsTextItem, QGraphicsView

from sysmap.model import Kind, SystemMap, operations
from sysmap.ui.canvas.overview import Overview
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.tools import Tool
from sysmap.ui.canvas.view import LOD_ZOOM, MAX_ZOOM, MIN_ZOOM, ZOOM_STEP, MapView

LEFT, MIDDLE = Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton
NONE = Qt.KeyboardModifier.NoModifier


def wide_map() -> SystemMap:
    """A map of 5 x 4 variables 400 apart: larger than the view at zoom 1."""
    doc = SystemMap(name="wide")
    for row in range(4):
        for col in range(5):
            doc.add_variable(f"Variable {row} {col}", position=(400.0 * col, 300.0 * row))
    names = list(doc.variables)
    for a, b in zip(names, names[1:], strict=False):
        doc.add_link(a, b, polarity="+")
    return doc


def show(qtbot, scene, size=(600, 400)) -> MapView:
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def wide(qtbot):
    doc = wide_map()
    scene = MapScene(doc, undo_stack=QUndoStack())
    view = show(qtbot, scene)
    view.actual_size()
    view.centerOn(800, 450)
    yield doc, scene, view
    scene.detach()


def centre(view) -> QPointF:
    return view.mapToScene(view.viewport().rect().center())


def wheel(view, pos: QPoint, clicks: int, mods=NONE) -> None:
    event = QWheelEvent(
        QPointF(pos),
        QPointF(view.viewport().mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 120 * clicks),
        Qt.MouseButton.NoButton,
        mods,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def mouse(view, kind, pos: QPoint, button, buttons) -> None:
    """A mouse event on the viewport with explicit buttons held (moves carry them)."""
    event = QMouseEvent(kind, QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), button, buttons, NONE)
    QApplication.sendEvent(view.viewport(), event)


def drag(view, button, start: QPoint, end: QPoint, steps: int = 5) -> None:
    mouse(view, QEvent.Type.MouseButtonPress, start, button, button)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        mouse(view, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button)
    mouse(view, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)


def close(a: QPointF, b: QPointF, tolerance: float) -> bool:
    return abs(a.x() - b.x()) <= tolerance and abs(a.y() - b.y()) <= tolerance


# -- zoom ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mods", [NONE, Qt.KeyboardModifier.ControlModifier])
def test_wheel_zooms_about_the_pointer(wide, mods):
    _doc, _scene, view = wide
    pointer = QPoint(150, 100)  # well off the centre
    under = view.mapToScene(pointer)
    wheel(view, pointer, 1, mods)
    assert view.zoom() == pytest.approx(ZOOM_STEP)
    assert close(view.mapToScene(pointer), under, 2 / view.zoom())
    wheel(view, pointer, -2, mods)
    assert view.zoom() == pytest.approx(1 / ZOOM_STEP)
    assert close(view.mapToScene(pointer), under, 2 / view.zoom())


def test_zoom_keys_keep_the_centre(wide):
    _doc, _scene, view = wide
    before = centre(view)
    view.zoom_in()
    view.zoom_in()
    assert view.zoom() == pytest.approx(ZOOM_STEP**2)
    assert close(centre(view), before, 2)
    view.actual_size()
    assert view.zoom() == 1.0
    assert close(centre(view), before, 2)


def test_pinch_on_a_trackpad_zooms_about_the_fingers(wide):
    _doc, _scene, view = wide
    pos = QPointF(420, 300)
    under = view.mapToScene(pos.toPoint())
    event = QNativeGestureEvent(
        Qt.NativeGestureType.ZoomNativeGesture,
        QPointingDevice.primaryPointingDevice(),
        2,
        pos,
        pos,
        QPointF(view.viewport().mapToGlobal(pos.toPoint())),
        0.5,
        QPointF(0, 0),
    )
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() == pytest.approx(1.5)
    assert close(view.mapToScene(pos.toPoint()), under, 2)


def test_on_a_slow_map_wheel_zooming_previews_then_draws_the_map(wide, qtbot):
    _doc, scene, view = wide
    view.preview_above_ms = -1.0  # treat this small map as slow to draw
    item = next(iter(scene.variable_items.values()))
    view.centerOn(item)
    pointer = QPoint(200, 150)
    under = view.mapToScene(pointer)
    wheel(view, pointer, 1)
    wheel(view, pointer, 1)
    assert view.is_previewing()
    assert view.zoom() == pytest.approx(ZOOM_STEP**2)  # the view itself is already there
    assert close(view.mapToScene(pointer), under, 2 / view.zoom())
    body = view.mapFromScene(item.body_rect().center())
    preview = view.viewport().grab().toImage()
    qtbot.waitUntil(lambda: not view.is_previewing(), timeout=3000)
    drawn = view.viewport().grab().toImage()
    # the scaled picture puts the variable's name where the map is then drawn

    def darkest(image) -> int:
        return min(
            QColor(image.pixel(body + QPoint(dx, dy))).lightness() for dx in range(-8, 9) for dy in (-2, 0, 2)
        )

    assert darkest(preview) < 200
    assert darkest(drawn) < 200
    assert preview != drawn


def test_a_fast_map_zooms_without_preview(wide):
    _doc, _scene, view = wide
    view.preview_above_ms = 1e9
    wheel(view, QPoint(200, 150), 1)
    assert not view.is_previewing()


def test_zoom_stops_at_its_limits(wide):
    _doc, _scene, view = wide
    for _ in range(40):
        view.zoom_in()
    assert view.zoom() == pytest.approx(MAX_ZOOM)
    wheel(view, QPoint(100, 100), 3)
    assert view.zoom() == pytest.approx(MAX_ZOOM)
    for _ in range(60):
        view.zoom_out()
    assert view.zoom() == pytest.approx(MIN_ZOOM)
    wheel(view, QPoint(100, 100), -3)
    assert view.zoom() == pytest.approx(MIN_ZOOM)


def test_a_map_too_big_for_the_minimum_still_fits_and_zooming_out_never_zooms_in(qtbot):
    doc = SystemMap(name="huge")
    doc.add_variable("West", position=(0, 0))
    doc.add_variable("East", position=(40000, 20000))
    scene = MapScene(doc)
    view = show(qtbot, scene)
    view.fit()
    fitted = view.zoom()
    assert fitted < MIN_ZOOM
    view.zoom_out()
    assert view.zoom() == pytest.approx(fitted)
    view.zoom_in()
    assert view.zoom() == pytest.approx(fitted * ZOOM_STEP)
    scene.detach()


def test_fit_shows_the_whole_map(wide):
    _doc, scene, view = wide
    view.zoom_in()
    view.fit()
    visible = view.visible_scene_rect()
    for item in scene.variable_items.values():
        assert visible.contains(item.sceneBoundingRect()), item.var.name
    assert view.zoom() < 1.0


def test_fit_does_not_blow_up_a_small_map(qtbot):
    doc = SystemMap(name="small")
    doc.add_variable("Only one", position=(0, 0))
    scene = MapScene(doc)
    view = show(qtbot, scene)
    view.fit()
    assert view.zoom() == pytest.approx(1.5)
    only = scene.variable_items[next(iter(doc.variables))]
    assert view.visible_scene_rect().contains(only.sceneBoundingRect())
    scene.detach()


def test_zoom_changed_is_signalled(wide, qtbot):
    _doc, _scene, view = wide
    with qtbot.waitSignal(view.zoomChanged) as blocker:
        view.zoom_out()
    assert blocker.args == [pytest.approx(1 / ZOOM_STEP)]


# -- pan -------------------------------------------------------------------------------------------


def test_middle_drag_pans_without_selecting_or_editing(wide):
    doc, scene, view = wide
    before = centre(view)
    items = len(scene.items())
    item = next(iter(scene.variable_items.values()))
    start = view.mapFromScene(item.pos())  # starting on a variable must not move it
    drag(view, MIDDLE, start, start + QPoint(-120, -80))
    after = centre(view)
    assert after.x() == pytest.approx(before.x() + 120, abs=1)
    assert after.y() == pytest.approx(before.y() + 80, abs=1)
    assert not scene.selectedItems()
    assert len(scene.items()) == items
    assert doc.variables[item.var.id].position == (item.pos().x(), item.pos().y())
    assert not view.is_panning()


def test_space_drag_pans_and_releasing_space_gives_the_tool_back(wide):
    _doc, scene, view = wide
    view.setFocus()
    QTest.keyPress(view, Qt.Key.Key_Space)
    assert view.viewport().cursor().shape() == Qt.CursorShape.OpenHandCursor
    before = centre(view)
    drag(view, LEFT, QPoint(300, 200), QPoint(200, 150))
    assert centre(view).x() == pytest.approx(before.x() + 100, abs=1)
    assert centre(view).y() == pytest.approx(before.y() + 50, abs=1)
    assert not scene.selectedItems()
    QTest.keyRelease(view, Qt.Key.Key_Space)
    assert view.viewport().cursor().shape() == Qt.CursorShape.ArrowCursor
    # without space a left drag on empty canvas is a rubber band again, not a pan
    panned = centre(view)
    drag(view, LEFT, QPoint(5, 5), QPoint(120, 90))
    assert close(centre(view), panned, 0.5)


def test_space_types_into_a_name_being_edited(wide, qtbot):
    _doc, scene, view = wide
    editor = QGraphicsTextItem("ab")
    editor.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
    scene.addItem(editor)
    view.setFocus()
    scene.setFocusItem(editor)
    QTest.keyClick(view, Qt.Key.Key_Space, NONE)
    assert " " in editor.toPlainText()
    assert view.viewport().cursor().shape() != Qt.CursorShape.OpenHandCursor
    QTest.keyPress(view, Qt.Key.Key_Space)  # held while dragging: still no pan
    before = centre(view)
    drag(view, LEFT, QPoint(300, 200), QPoint(200, 150))
    assert close(centre(view), before, 0.5)


def test_scroll_bars_pan(wide):
    _doc, _scene, view = wide
    before = centre(view)
    bar = view.horizontalScrollBar()
    bar.setValue(bar.value() + 50)
    assert centre(view).x() == pytest.approx(before.x() + 50, abs=1)


# -- selecting ---------------------------------------------------------------------------------------


def test_rubber_band_selects_the_items_inside(wide):
    doc, scene, view = wide
    # a band round two neighbours of the first row: they and the link between them are inside;
    # the links to their other neighbours only cross it
    a, b = (doc.variable_named(f"Variable 0 {i}") for i in (1, 2))
    pair = [scene.variable_items[a.id], scene.variable_items[b.id]]
    between = next(lid for lid, link in doc.links.items() if (link.source, link.target) == (a.id, b.id))
    band = pair[0].sceneBoundingRect().united(pair[1].sceneBoundingRect()).adjusted(-30, -30, 30, 30)
    view.centerOn(band.center())
    assert view.dragMode() == QGraphicsView.DragMode.RubberBandDrag
    drag(view, LEFT, view.mapFromScene(band.topLeft()), view.mapFromScene(band.bottomRight()))
    assert set(scene.selectedItems()) == {*pair, scene.link_items[between]}


def test_with_a_creation_tool_a_drag_is_not_a_rubber_band(wide):
    _doc, scene, view = wide
    scene.set_tool(Tool.LINK)
    assert view.dragMode() == QGraphicsView.DragMode.NoDrag
    scene.set_tool(Tool.SELECT)
    assert view.dragMode() == QGraphicsView.DragMode.RubberBandDrag


# -- overview -----------------------------------------------------------------------------------------


@pytest.fixture
def overview(wide, qtbot):
    _doc, _scene, view = wide
    overview = Overview(view)
    qtbot.addWidget(overview)
    overview.resize(240, 160)
    overview.show()
    qtbot.waitExposed(overview)
    yield overview
    overview.detach()


def test_overview_shows_the_whole_map_and_the_visible_part(wide, overview):
    _doc, scene, view = wide
    shown = overview.mapToScene(overview.viewport().rect()).boundingRect()
    assert shown.contains(scene.sceneRect().adjusted(1, 1, -1, -1))
    outline = overview.visible_rect()
    assert outline.contains(QPointF(overview.mapFromScene(centre(view))))
    assert outline.width() < overview.viewport().width()


def test_overview_click_recentres_the_main_view(wide, overview):
    _doc, scene, view = wide
    target = scene.variable_items[next(iter(scene.variable_items))].pos() + QPointF(350, 250)
    QTest.mouseClick(overview.viewport(), LEFT, NONE, overview.mapFromScene(target))
    assert close(centre(view), target, 2 / overview.transform().m11())
    assert not scene.selectedItems()  # the overview never selects


def test_overview_drag_pans_the_main_view(wide, overview):
    _doc, _scene, view = wide
    a, b = QPointF(300, 200), QPointF(1300, 700)
    drag(overview, LEFT, overview.mapFromScene(a), overview.mapFromScene(b))
    assert close(centre(view), b, 2 / overview.transform().m11())


def test_overview_follows_the_map(wide, overview, qtbot):
    doc, _scene, _view = wide
    before = overview.grab().toImage()
    vid = next(iter(doc.variables))
    doc.apply(operations.move(doc, {vid: (1000.0, 600.0)}))
    qtbot.waitUntil(lambda: overview.grab().toImage() != before, timeout=5000)


# -- level of detail ------------------------------------------------------------------------------------


def ink(view, rect) -> int:
    """How many pixels of ``rect`` (scene coordinates) the view paints darker than near-white."""
    image = view.viewport().grab().toImage()
    box = view.mapFromScene(rect).boundingRect().intersected(image.rect())
    return sum(
        1
        for y in range(box.top(), box.bottom() + 1)
        for x in range(box.left(), box.right() + 1)
        if QColor(image.pixel(x, y)).lightness() < 235
    )


def test_names_are_drawn_at_full_size_and_something_is_left_far_out(qtbot):
    doc = SystemMap(name="one")
    concept = doc.add_variable("Workload pressure", position=(0, 0))
    stock = doc.add_variable("Cases", kind=Kind.STOCK, position=(0, 200))  # no links: only items ink
    scene = MapScene(doc)
    view = show(qtbot, scene, (400, 400))
    item = scene.variable_items[concept.id]
    text = item.mapRectToScene(item._text_rect)

    view.set_zoom(1.0)
    view.centerOn(0, 0)
    at_one = ink(view, text)
    assert view.renderHints() & QPainter.RenderHint.Antialiasing
    assert at_one > 80  # the letters

    view.set_zoom(0.1)
    view.centerOn(0, 100)
    QApplication.processEvents()
    assert not view.renderHints() & QPainter.RenderHint.Antialiasing
    assert LOD_ZOOM > 0.1
    assert ink(view, item.sceneBoundingRect()) > 0  # a grey bar where the name is
    assert ink(view, scene.variable_items[stock.id].sceneBoundingRect()) > 0  # the stock's box
    scene.detach()
