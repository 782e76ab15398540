"""The canvas shows every element of a map, follows edits, and renders to an image."""

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from sysmap.model import Kind, SystemMap, operations
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.snapshot import render_map, render_scene


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Test map")
    a = doc.add_variable("Workload", position=(0, 0))
    b = doc.add_variable("Staff sick leave", position=(300, 0))
    c = doc.add_variable("Staff turnover", position=(150, 200))
    doc.add_link(a.id, b.id, polarity="+", curvature=0.15, id="ab")
    doc.add_link(b.id, c.id, polarity="+", delay=True, id="bc")
    doc.add_link(c.id, a.id, polarity="-", id="ca")
    doc.apply(operations.add_loop_label(doc, "B1", (150, 70), loop=(a.id, b.id, c.id)))
    doc.apply(operations.add_note(doc, "Workload and staffing", (150, -80)))
    stock = doc.add_variable("Cases", kind=Kind.STOCK, equation="100", position=(600, 100))
    inflow = doc.add_variable("Referrals", kind=Kind.FLOW, equation="10", position=(480, 100))
    outflow = doc.add_variable("Closures", kind=Kind.FLOW, equation="cases / 10", position=(720, 100))
    doc.attach_flow(inflow.id, source=None, sink=stock.id)
    doc.attach_flow(outflow.id, source=stock.id, sink=None)
    doc.add_link(stock.id, outflow.id, polarity="+", curvature=0.3, id="so")
    return doc


def test_scene_has_one_item_per_element(qapp, doc):
    scene = MapScene(doc)
    assert set(scene.variable_items) == set(doc.variables)
    assert set(scene.link_items) == set(doc.links)
    assert set(scene.label_items) == set(doc.loop_labels)
    assert set(scene.note_items) == set(doc.notes)
    assert set(scene.pipe_items) == {v.id for v in doc.variables.values() if v.kind == Kind.FLOW}
    for vid, item in scene.variable_items.items():
        assert item.pos() == QPointF(*doc.variables[vid].position)


def test_arrowhead_touches_the_target_boundary(qapp, doc):
    scene = MapScene(doc)
    for lid, link_item in scene.link_items.items():
        link = doc.links[lid]
        path = link_item.path()
        # the curve's last element is where the arrow tip sits (a delay mark may follow it)
        tip = path.pointAtPercent(1.0) if not link.delay else None
        target = scene.variable_items[link.target]
        source = scene.variable_items[link.source]
        inside_target, inside_source = target.contains_point(), source.contains_point()
        start = path.elementAt(0)
        assert not inside_source(start.x, start.y), lid
        if tip is not None:
            assert not inside_target(tip.x(), tip.y()), lid
            # ... but just outside it: a step further along the chord is inside
            centre = target.pos()
            step = QPointF((centre.x() - tip.x()) * 0.08, (centre.y() - tip.y()) * 0.08)
            assert inside_target((tip + step).x(), (tip + step).y()), lid


def test_curvature_bends_the_link_to_its_left(qapp, doc):
    scene = MapScene(doc)
    path = scene.link_items["ab"].path()  # Workload (0,0) -> sick leave (300,0), curvature +0.15
    mid = path.pointAtPercent(0.5)
    assert mid.y() < -30  # left of a rightward link on screen is up
    straight = scene.link_items["ca"].path().pointAtPercent(0.5)
    a, c = QPointF(0, 0), QPointF(150, 200)
    cross = (a.x() - c.x()) * (straight.y() - c.y()) - (a.y() - c.y()) * (straight.x() - c.x())
    assert abs(cross) / math.hypot(150, 200) < 1.0


def test_polarity_signs_are_shown(qapp, doc):
    scene = MapScene(doc)
    texts = {lid: item._sign.text() for lid, item in scene.link_items.items() if item._sign.isVisible()}
    assert texts == {"ab": "+", "bc": "+", "ca": "\u2212", "so": "+"}


def test_scene_follows_moves_renames_and_deletes(qapp, doc):
    scene = MapScene(doc)
    heard = []
    doc.changed.connect(heard.append)
    workload = doc.variable_named("workload")
    before = scene.link_items["ab"].path().elementAt(0)
    doc.apply(operations.move(doc, {workload.id: (-100, 50)}))
    assert len(heard) == 1
    assert scene.variable_items[workload.id].pos() == QPointF(-100, 50)
    after = scene.link_items["ab"].path().elementAt(0)
    assert (after.x, after.y) != (before.x, before.y)

    doc.rename_variable(workload.id, "Caseload")
    assert scene.variable_items[workload.id].var.label == "Caseload"

    doc.remove(workload.id)
    assert workload.id not in scene.variable_items
    assert "ab" not in scene.link_items and "ca" not in scene.link_items
    assert all(item.scene() is scene for item in scene.link_items.values())

    new = doc.add_variable("Morale", position=(0, 300))
    assert new.id in scene.variable_items


def test_flow_pipes_reach_their_stock_and_clouds(qapp, doc):
    scene = MapScene(doc)
    stock = scene.variable_items[doc.variable_named("cases").id]
    for name in ("referrals", "closures"):
        pipe = scene.pipe_items[doc.variable_named(name).id]
        assert not pipe.path().isEmpty()
        assert not pipe._clouds.path().isEmpty()  # each has one open end
        # the pipe meets the stock's box
        box = stock.body_rect().adjusted(-2, -2, 2, 2)
        assert pipe.path().boundingRect().intersects(box) or pipe._head.path().boundingRect().intersects(box)


def test_detached_scene_stops_following(qapp, doc):
    scene = MapScene(doc)
    scene.detach()
    doc.add_variable("Later")
    assert len(scene.variable_items) == len(doc.variables) - 1


def test_render_draws_the_map(qapp, doc):
    image = render_map(doc, scale=1.0)
    assert image.width() > 700 and image.height() > 250
    white = QColor("#ffffff").rgb()
    inked = sum(
        1
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
        if image.pixel(x, y) != white
    )
    assert inked > 500


def test_render_scales(qapp, doc):
    scene = MapScene(doc)
    small, big = render_scene(scene, 1.0), render_scene(scene, 2.0)
    assert abs(big.width() - 2 * small.width()) <= 2


@pytest.mark.parametrize("name", ["sir_epidemic", "worklessness", "urban_housing", "social_care_workload"])
def test_signs_of_links_into_one_variable_do_not_overlap(qapp, name):
    from sysmap.examples import example_path
    from sysmap.io import load

    doc = load(example_path(name))
    scene = MapScene(doc)
    try:
        for vid in doc.variables:
            rects = [scene.link_items[link.id].sign_rect() for link in doc.links_to(vid)]
            rects = [r for r in rects if r is not None]
            for i, r in enumerate(rects):
                assert not any(r.intersects(q) for q in rects[i + 1 :]), doc.variables[vid].name
    finally:
        scene.detach()


def test_marks_colour_variables_and_links_and_survive_undo(qapp, doc):
    scene = MapScene(doc)
    a, b = doc.variable_named("Workload").id, doc.variable_named("Staff sick leave").id
    plain = scene.link_items["ab"].pen().color()
    scene.set_marks({a: "#d62728", "ab": "#1f77b4"})
    assert scene.mark_of(a) == QColor("#d62728")
    assert scene.link_items["ab"].pen().color() == QColor("#1f77b4")
    # the ring is drawn: the rendered map has the mark's red near the variable
    image = render_scene(scene).convertToFormat(QImage.Format.Format_RGB32)
    reds = sum(
        1
        for x in range(image.width())
        for y in range(0, image.height(), 3)
        if QColor(image.pixel(x, y)).red() > 200 and QColor(image.pixel(x, y)).green() < 90
    )
    assert reds > 50
    remove = operations.remove(doc, ["ab"])
    doc.apply(remove)
    doc.revert(remove)
    assert scene.link_items["ab"].pen().color() == QColor("#1f77b4")
    scene.set_marks({b: "#2ca02c"})
    assert scene.mark_of(a) is None and scene.mark_of(b) == QColor("#2ca02c")
    assert scene.link_items["ab"].pen().color() == plain
    scene.set_marks(None)
    assert scene.mark_of(b) is None


def test_mark_layers_stack_and_uncover(qapp, doc):
    scene = MapScene(doc)
    a = doc.variable_named("Workload").id
    b = doc.variable_named("Staff turnover").id
    scene.set_marks({a: "#d62728", b: "#d62728"}, layer="perspectives")
    scene.set_marks({a: "#2ca02c"}, layer="comparison")
    assert scene.mark_of(a) == QColor("#2ca02c") and scene.mark_of(b) == QColor("#d62728")
    scene.set_marks(None, layer="comparison")
    assert scene.mark_of(a) == QColor("#d62728")
    scene.set_marks(None, layer="perspectives")
    assert scene.mark_of(a) is None and scene.mark_of(b) is None


def test_a_panel_clears_only_the_highlight_it_put_on(qapp, doc):
    scene = MapScene(doc)
    loops, votes = object(), object()
    a, b = doc.variable_named("Workload").id, doc.variable_named("Staff turnover").id
    scene.highlight([a], owner=loops)
    scene.highlight([b], owner=votes)
    scene.highlight(None, owner=loops)  # the loops panel closes: not its highlight any more
    assert scene.highlighted() == {b}
    scene.highlight(None, owner=votes)
    assert scene.highlighted() is None
    scene.highlight([a], owner=loops)
    scene.highlight(None)  # no owner: always clears
    assert scene.highlighted() is None
