"""After a run: the dominant loops under the plot, and sparklines on the canvas's stocks."""

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import Kind, operations
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.commands import perform
from sysmap.ui.simulation import SimulationPanel


@pytest.fixture
def open_panel(qtbot):
    def make(name, with_scene=True):
        doc = load(example_path(name))
        stack = QUndoStack()
        scene = MapScene(doc, undo_stack=stack) if with_scene else None
        panel = SimulationPanel()
        qtbot.addWidget(panel)
        panel.resize(900, 700)
        panel.set_session(doc, stack, scene)
        panel.show()
        return panel, doc, stack, scene

    return make


def run_and_score(qtbot, panel):
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dominance is not None or "Loop dominance:" in panel.strip.message)


def test_the_strip_shows_which_loop_dominates_when(open_panel, qtbot):
    panel, *_ = open_panel("sir_epidemic")
    assert not panel.strip.isVisible()
    run_and_score(qtbot, panel)
    assert panel.strip.isVisible()
    assert panel.strip.labels() == ["R1", "B1", "B2"]
    segments = panel.strip.segments()
    # aligned with the plot's time axis: in time order, side by side, across the plot
    lefts = [rect.left() for rect, _ in segments]
    assert lefts == sorted(lefts)
    for (a, _), (b, _) in zip(segments, segments[1:], strict=False):
        assert a.right() == pytest.approx(b.left(), abs=1)
    plot = panel.plot
    axis_start = panel.strip.mapFromGlobal(
        plot.widget.mapToGlobal(
            plot.widget.mapFromScene(plot.item.getViewBox().mapViewToScene(QPointF(0, 0)))
        )
    )
    assert segments[0][0].left() == pytest.approx(axis_start.x(), abs=3)
    assert segments[-1][0].right() > segments[0][0].right() + 100
    # hovering over the middle period names its loops and their members
    rect, _ = segments[1]
    text = panel.strip.tooltip_at(rect.center().x())
    assert "B1" in text.splitlines()[0]
    assert "Infection → Susceptible → Infection" in text
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center().toPoint(), panel.strip.mapToGlobal(QPoint(0, 0)))
    panel.strip.event(event)
    assert "B1" in QToolTip.text()


def test_a_causal_loop_diagram_gets_no_strip_but_a_message(open_panel, qtbot):
    panel, *_ = open_panel("social_care_workload")
    assert not panel.run()
    assert not panel.strip.isVisible()
    assert panel.message.isVisible()
    assert panel.dominance is None


def test_rk4_is_refused_in_one_line(open_panel, qtbot):
    panel, doc, stack, _ = open_panel("sir_epidemic")
    panel.method_box.setCurrentText("rk4")
    run_and_score(qtbot, panel)
    assert panel.dominance is None
    assert panel.strip.isVisible() and not panel.strip.segments()
    assert panel.strip.message == "Loop dominance: loop dominance is defined for Euler integration only"


def test_moving_a_slider_updates_the_strip(open_panel, qtbot):
    panel, doc, _, _ = open_panel("sir_epidemic")
    run_and_score(qtbot, panel)
    first = panel.dominance
    slider = panel.sliders.sliders["Contact rate"]
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Home)  # no contacts: the epidemic never takes off
    qtbot.waitUntil(lambda: panel.dominance is not first and panel.strip.labels() == ["B2"])
    assert doc.variable_named("Contact rate").equation == "5"  # the map is left alone


def test_sparklines_on_the_stocks_after_a_run_and_gone_on_a_change(open_panel, qtbot):
    panel, doc, stack, scene = open_panel("sir_epidemic")
    stocks = {v.id for v in doc.variables_of_kind(Kind.STOCK)}
    assert len(stocks) == 3
    assert all(scene.sparkline_of(vid) is None for vid in stocks)
    assert panel.run()
    for vid in stocks:
        spark = scene.sparkline_of(vid)
        assert spark is not None and spark.path().elementCount() > 10
        # drawn inside the stock's box
        box = scene.variable_items[vid].body_rect()
        line = spark.mapRectToScene(spark.path().boundingRect())
        assert box.contains(line)
        assert not line.intersects(scene.variable_items[vid].label_rect())  # under the name, not across it
    assert all(scene.sparkline_of(v.id) is None for v in doc.variables.values() if v.id not in stocks)
    # Susceptible falls: its line starts high (small y) and ends low
    susceptible = scene.sparkline_of(doc.variable_named("Susceptible").id).path()
    start, end = susceptible.elementAt(0), susceptible.elementAt(susceptible.elementCount() - 1)
    assert start.y < end.y
    # the line follows its stock when the stock is moved
    item = scene.variable_items[doc.variable_named("Infected").id]
    before = scene.sparkline_of(item.var.id).sceneBoundingRect()
    x, y = item.var.position
    perform(stack, doc, operations.move(doc, {item.var.id: (x + 50, y)}))
    assert not any(scene.sparkline_of(vid) for vid in stocks)  # the map changed: gone
    assert panel.run()
    after = scene.sparkline_of(item.var.id).sceneBoundingRect()
    assert after.left() == pytest.approx(before.left() + 50)


def test_set_sparklines_none_removes_them(open_panel, qtbot):
    panel, doc, _, scene = open_panel("sir_epidemic")
    assert panel.run()
    count = len(scene.items())
    scene.set_sparklines(None)
    assert len(scene.items()) == count - 3
    assert all(scene.sparkline_of(v.id) is None for v in doc.variables.values())
