"""Each element drawn in its own style, and a link drawn by one item (with a sign child only
when it has a polarity), hidden signs when zoomed far out, shown again in exports."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from pathlib import Path

import numpy as np
from canvas_driver import Canvas, open_canvas
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QUndoStack
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSimpleTextItem

from sysmap.io import load, save
from sysmap.model import Kind, SystemMap, operations
from sysmap.model.style import restyle
from sysmap.ui.canvas.items.variable import COARSE_BELOW
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.style import DEFAULT_STYLE, PROJECTOR_STYLE
from sysmap.ui.commands import perform
from sysmap.ui.export import export_scene, scene_image

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "sdxorg" / "samples"
PURPLE, ORANGE, PALE = "#8e24aa", "#ff6d00", "#ffe9a8"


def near(image: QImage, colour: str, tolerance: int = 60) -> int:
    """How many pixels of ``image`` are within ``tolerance`` (sum over R, G, B) of ``colour``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    pixels = pixels[:, : image.width(), :3].astype(int)  # B, G, R
    c = QColor(colour)
    target = np.array([c.blue(), c.green(), c.red()])
    return int((np.abs(pixels - target).sum(axis=2) < tolerance).sum())


def picture(scene: MapScene, rect: QRectF | None = None, scale: float = 2.0) -> QImage:
    return scene_image(scene, rect if rect is not None else scene.content_rect(), scale)


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Styles")
    a = doc.add_variable("Workload", kind=Kind.AUX, position=(0, 0))
    b = doc.add_variable("Staff", position=(300, 0))
    doc.add_link(a.id, b.id, polarity="+", id="ab")
    doc.add_link(b.id, a.id, curvature=0.3, id="ba")  # no polarity
    doc.apply(operations.add_loop_label(doc, "R1", (150, 80), loop=(a.id, b.id)))
    doc.apply(operations.add_note(doc, "A note", (150, -120)))
    return doc


@pytest.fixture
def edited(qapp, doc):
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    yield doc, stack, scene
    scene.detach()


def _id(doc: SystemMap, kind: type) -> str:
    return next(e.id for e in doc.elements() if type(e).__name__ == kind)


# -- Job 1: each element's own style -------------------------------------------------------------


def test_a_restyled_variable_draws_in_its_colours_and_undo_brings_the_old_look_back(edited):
    doc, stack, scene = edited
    work = doc.variable_named("Workload").id
    item = scene.variable_items[work]
    rect = item.sceneBoundingRect()
    before = picture(scene, rect)
    size = item.label_font().pixelSize()
    assert near(before, PURPLE) == 0 and near(before, PALE) == 0
    perform(stack, doc, restyle(doc, [work], color=PURPLE, background=PALE, font_size=20))
    styled = picture(scene, scene.variable_items[work].sceneBoundingRect())
    assert near(styled, PURPLE) > 30  # the circle's edge and the name
    assert near(styled, PALE) > 30  # the fill
    assert item.label_font().pixelSize() == round(20 * 4 / 3)  # 20 pt
    assert item.label_font().pixelSize() > size
    stack.undo()
    assert item.label_font().pixelSize() == size
    assert picture(scene, rect) == before
    stack.redo()
    assert near(picture(scene, item.sceneBoundingRect()), PURPLE) > 30


def test_a_font_colour_wins_over_the_colour_for_the_name(edited):
    doc, stack, scene = edited
    staff = doc.variable_named("Staff").id  # a concept: its name is all there is
    perform(stack, doc, restyle(doc, [staff], color=PURPLE, font_color=ORANGE))
    image = picture(scene, scene.variable_items[staff].sceneBoundingRect())
    assert near(image, ORANGE) > 20 and near(image, PURPLE) == 0


def test_a_restyled_link_draws_in_its_colour_and_width(edited):
    doc, stack, scene = edited
    item = scene.link_items["ab"]
    head = item.head_path().boundingRect()
    perform(stack, doc, restyle(doc, ["ab"], color=ORANGE, line_width=6))
    assert item.pen().color() == QColor(ORANGE) and item.pen().widthF() == 6
    image = picture(scene, item.sceneBoundingRect())
    assert near(image, ORANGE) > 200
    # a straight link along y = 0: 6 wide, so 3 each side (2 pixels a unit)
    middle = picture(scene, QRectF(140, -2.5, 20, 5))
    assert near(middle, ORANGE) == middle.width() * middle.height()
    assert item.head_path().boundingRect().height() == pytest.approx(4 * head.height())  # 6 / 1.5
    stack.undo()
    assert item.pen().color() == DEFAULT_STYLE.link and item.pen().widthF() == DEFAULT_STYLE.link_width
    assert item.head_path().boundingRect() == head
    assert near(picture(scene, item.sceneBoundingRect()), ORANGE) == 0


def test_the_sign_keeps_its_polarity_colour_unless_the_link_has_its_own(edited):
    doc, stack, scene = edited
    sign = scene.link_items["ab"]._sign
    assert sign.brush().color() == DEFAULT_STYLE.positive
    perform(stack, doc, restyle(doc, ["ab"], color=ORANGE))
    assert sign.brush().color() == QColor(ORANGE)
    perform(stack, doc, restyle(doc, ["ab"], font_color=PURPLE))
    assert sign.brush().color() == QColor(PURPLE)
    stack.undo()
    stack.undo()
    assert sign.brush().color() == DEFAULT_STYLE.positive


def test_a_restyled_note_and_loop_label(edited):
    doc, stack, scene = edited
    note, label = _id(doc, "Note"), _id(doc, "LoopLabel")
    note_item, label_item = scene.note_items[note], scene.label_items[label]
    plain_label = picture(scene, label_item.sceneBoundingRect())
    assert near(plain_label, DEFAULT_STYLE.loop_reinforcing.name()) > 30
    perform(stack, doc, restyle(doc, [note], font_color=PURPLE, background=PALE, font_size=18))
    perform(stack, doc, restyle(doc, [label], color=ORANGE, font_size=16))
    image = picture(scene, note_item.sceneBoundingRect())
    assert near(image, PURPLE) > 20 and near(image, PALE) > 100
    assert note_item.label_font().pixelSize() == 24
    image = picture(scene, label_item.sceneBoundingRect())
    assert near(image, ORANGE) > 100
    assert near(image, DEFAULT_STYLE.loop_reinforcing.name(), tolerance=30) == 0
    stack.undo()
    stack.undo()
    assert near(picture(scene, note_item.sceneBoundingRect()), PALE) == 0
    assert picture(scene, label_item.sceneBoundingRect()) == plain_label


def test_a_flow_and_its_pipe_take_its_colour(qapp):
    doc = SystemMap()
    stock = doc.add_variable("Cases", kind=Kind.STOCK, equation="1", position=(0, 0))
    flow = doc.add_variable("Closing", kind=Kind.FLOW, equation="1", position=(120, 0))
    doc.attach_flow(flow.id, source=stock.id, sink=None)
    scene = MapScene(doc)
    stack = QUndoStack()
    scene.set_undo_stack(stack)
    perform(stack, doc, restyle(doc, [flow.id], color=PURPLE))
    pipe = scene.pipe_items[flow.id]
    assert pipe.pen().color() == QColor(PURPLE)
    assert near(picture(scene, pipe.sceneBoundingRect()), PURPLE) > 50
    box = scene.variable_items[stock.id].body_rect()
    box.setRight(box.center().x())  # the half away from the pipe
    assert near(picture(scene, box.adjusted(-3, -3, 0, 3)), DEFAULT_STYLE.stock_edge.name(), 30) > 20
    assert near(picture(scene, box.adjusted(-3, -3, 0, 3)), PURPLE) == 0
    stack.undo()
    assert pipe.pen().color() == DEFAULT_STYLE.pipe_edge
    scene.detach()


def test_an_alias_looks_like_its_variable_unless_it_has_its_own_style(edited):
    doc, stack, scene = edited
    work = doc.variable_named("Workload").id
    perform(stack, doc, operations.add_alias(doc, work, (0, 200)))
    alias = next(iter(doc.aliases))
    perform(stack, doc, restyle(doc, [work], color=PURPLE))
    assert near(picture(scene, scene.alias_items[alias].sceneBoundingRect()), PURPLE) > 20
    perform(stack, doc, restyle(doc, [alias], color=ORANGE))
    image = picture(scene, scene.alias_items[alias].sceneBoundingRect())
    assert near(image, ORANGE) > 20 and near(image, PURPLE) == 0
    assert near(picture(scene, scene.variable_items[work].sceneBoundingRect()), PURPLE) > 20


def test_the_projector_style_grows_styled_text_and_lines(doc):
    doc.apply(restyle(doc, ["ab"], color=ORANGE, line_width=2))
    doc.apply(restyle(doc, [doc.variable_named("Workload").id], font_size=12))
    plain, projected = MapScene(doc), MapScene(doc, PROJECTOR_STYLE)
    for scene in (plain, projected):
        assert scene.link_items["ab"].pen().color() == QColor(ORANGE)
    assert projected.link_items["ab"].line_width() == 2 * plain.link_items["ab"].line_width() == 4
    work = doc.variable_named("Workload").id
    sizes = [s.variable_items[work].label_font().pixelSize() for s in (plain, projected)]
    assert sizes == [16, round(16 * PROJECTOR_STYLE.scale)]
    plain.detach()
    projected.detach()


def test_a_saved_styled_map_opens_styled(doc, qapp, tmp_path):
    doc.apply(restyle(doc, ["ab"], color=ORANGE))
    doc.apply(restyle(doc, [doc.variable_named("Workload").id], color=PURPLE, font_size=14))
    path = tmp_path / "styled.xmile"
    save(doc, path)
    scene = MapScene(load(path))
    work = scene.doc.variable_named("Workload").id
    assert near(picture(scene, scene.variable_items[work].sceneBoundingRect()), PURPLE) > 20
    assert scene.variable_items[work].label_font().pixelSize() == round(14 * 4 / 3)
    orange = [item for item in scene.link_items.values() if item.pen().color() == QColor(ORANGE)]
    assert len(orange) == 1 and len(scene.link_items) == 2
    scene.detach()


@pytest.mark.skipif(not (SAMPLES / "display" / "1style.stmx").exists(), reason="conformance samples absent")
def test_a_stella_file_with_a_font_colour_opens_styled(qapp):
    scene = MapScene(load(SAMPLES / "display" / "1style.stmx"))
    item = scene.variable_items[scene.doc.variable_named("Converter 2").id]
    assert near(picture(scene, item.sceneBoundingRect()), "#05ff3d") > 20
    scene.detach()


# -- selection and hover of styled elements --------------------------------------------------------


@pytest.fixture
def canvas(qtbot, doc) -> Canvas:
    canvas = open_canvas(qtbot, doc, size=(900, 600), rect=QRectF(-300, -300, 900, 600))
    yield canvas
    canvas.scene.detach()


def test_a_styled_link_selected_shows_the_selection_then_its_colour_again(canvas):
    doc, scene = canvas.doc, canvas.scene
    perform(canvas.stack, doc, restyle(doc, ["ab"], color=ORANGE))
    item = scene.link_items["ab"]
    y = item.path().pointAtPercent(0.5).y()
    canvas.click(150, y + 3)  # beside the line, inside its hit band
    assert scene.selected_ids() == ["ab"]
    image = picture(scene, item.sceneBoundingRect())
    assert near(image, DEFAULT_STYLE.selection.name(), tolerance=30) > 100
    assert near(image, ORANGE, tolerance=30) == 0
    assert item.handle.isVisible()
    canvas.click(150, 250)  # empty canvas
    assert scene.selected_ids() == []
    image = picture(scene, item.sceneBoundingRect())
    assert near(image, ORANGE, tolerance=30) > 100
    assert near(image, DEFAULT_STYLE.selection.name(), tolerance=30) == 0


def test_hovering_a_styled_link_thickens_it(canvas):
    doc, scene = canvas.doc, canvas.scene
    perform(canvas.stack, doc, restyle(doc, ["ab"], line_width=3))
    item = scene.link_items["ab"]
    at = item.path().pointAtPercent(0.4)
    assert item.pen().widthF() == 3
    canvas.move_to(at.x(), at.y() + 60)
    canvas.move_to(at.x(), at.y() + 3)
    assert item.pen().widthF() == 4 and item.pen().color() == DEFAULT_STYLE.link
    canvas.move_to(at.x(), at.y() + 60)
    assert item.pen().widthF() == 3


def test_a_thick_link_is_hit_across_its_whole_width(canvas):
    doc, scene = canvas.doc, canvas.scene
    perform(canvas.stack, doc, restyle(doc, ["ab"], line_width=12))
    y = scene.link_items["ab"].path().pointAtPercent(0.5).y()
    canvas.click(150, y + 7)
    assert scene.selected_ids() == ["ab"]


# -- Job 2: one item per link ----------------------------------------------------------------------


def test_a_link_is_two_items_and_a_sign_only_when_it_has_a_polarity(edited):
    doc, stack, scene = edited
    signed, plain = scene.link_items["ab"], scene.link_items["ba"]
    assert [type(c) for c in signed.childItems()] == [QGraphicsPathItem, QGraphicsSimpleTextItem]
    assert [type(c) for c in plain.childItems()] == [QGraphicsPathItem]  # the head
    perform(stack, doc, operations.update(doc, "ba", polarity="-"))
    signs = [c for c in plain.childItems() if isinstance(c, QGraphicsSimpleTextItem)]
    assert [c.text() for c in signs if c.isVisible()] == ["\u2212"]


@pytest.mark.parametrize("lid", ["ab", "ba"])  # straight to the right; bent, to the left
def test_the_line_ends_under_the_head_whose_tip_ends_the_curve(edited, lid):
    _doc, _stack, scene = edited
    item = scene.link_items[lid]
    head = item.head_path()
    tip = item.path().pointAtPercent(1.0)
    assert head.elementAt(0).x == pytest.approx(tip.x()) and head.elementAt(0).y == pytest.approx(tip.y())
    drawn = item.path_drawn()
    end = drawn.pointAtPercent(1.0)
    assert head.contains(end)  # the line's round end is under the head, not past the tip
    # where the line's end stands either side of it, the head covers it too
    d = end - drawn.pointAtPercent(0.99)
    across = QPointF(-d.y(), d.x()) * (0.75 / (d.x() ** 2 + d.y() ** 2) ** 0.5)
    assert head.contains(end + across) and head.contains(end - across)


def test_signs_hide_when_zoomed_far_out_and_exports_still_show_them(canvas, tmp_path):
    scene, view = canvas.scene, canvas.view
    sign = scene.link_items["ab"]._sign
    assert sign.isVisible()
    view.set_zoom(COARSE_BELOW * 0.8)
    assert not sign.isVisible()
    export_scene(scene, tmp_path / "far.png")
    assert near(QImage(str(tmp_path / "far.png")), DEFAULT_STYLE.positive.name(), tolerance=30) > 20
    assert not sign.isVisible()  # hidden again after the export
    perform(canvas.stack, canvas.doc, operations.update(canvas.doc, "ba", polarity="-"))
    assert not scene.link_items["ba"]._sign.isVisible()  # a new sign follows the zoom
    view.set_zoom(1.0)
    assert sign.isVisible() and scene.link_items["ba"]._sign.isVisible()
