"""The graph editor used as a user would: drag points, type values, change the point count, OK or Cancel."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shots import shots_dir

from sysmap.io.xmile import dumps, loads
from sysmap.model import GraphicalFunction, Kind, SimSpecs, SystemMap, operations
from sysmap.sim import simulate
from sysmap.ui.inspector import Inspector
from sysmap.ui.inspector.graph_editor import DEFAULT_GRAPH, GraphEditor

SHOTS = shots_dir("GF")

# A table as Stella writes one inside an auxiliary: listed x points, a y scale.
STELLA = b"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>isee systems, inc.</vendor><product version="1.9">Stella</product></header>
  <sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
  <model><variables>
    <aux name="Effect of crowding">
      <eqn>TIME</eqn>
      <gf>
        <yscale min="0.1" max="1"/>
        <xpts>0,1.25,1.5,1.75,2,2.25,2.5,2.75,3,3.25,3.5,3.75,4</xpts>
        <ypts>1,1,0.98,0.9,0.75,0.45,0.25,0.17,0.14,0.12,0.11,0.1,0.1</ypts>
      </gf>
    </aux>
  </variables></model>
</xmile>
"""


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Crowding", sim_specs=SimSpecs(start=0.0, stop=4.0, dt=1.0))
    doc.add_variable("Crowding", kind=Kind.AUX, equation="TIME / 4", id="c")
    doc.add_variable("Capacity", kind=Kind.AUX, equation="5", id="k")
    doc.add_variable("Patients", kind=Kind.STOCK, equation="10", id="p")
    return doc


@pytest.fixture
def panel(qtbot, doc):
    stack = QUndoStack()
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.set_session(doc, stack)
    inspector.resize(320, 700)
    inspector.show()
    inspector.stack_ = stack
    return inspector


def editor(qtbot, graph, name="Effect", equation="TIME") -> GraphEditor:
    dialog = GraphEditor(graph, name, equation)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def drag(plot, start: QPoint, end: QPoint, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mousePress(plot, Qt.MouseButton.LeftButton, modifier, start)
    QTest.mouseMove(plot, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    QTest.mouseMove(plot, end)
    QTest.mouseRelease(plot, Qt.MouseButton.LeftButton, modifier, end)


def type_in_cell(qtbot, dialog: GraphEditor, row: int, column: int, text: str) -> None:
    """Go to a cell, press F2, type over its text and press Enter."""
    table = dialog.table
    table.setCurrentCell(row, column)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F2)
    field = table.indexWidget(table.currentIndex())  # the cell's editor
    assert field is not None
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()  # Qt commits a cell's editor after the key event (queued)


def test_dragging_a_point_moves_its_y_by_the_mouse_distance_snapped_to_the_y_range(qtbot):
    dialog = editor(qtbot, DEFAULT_GRAPH)
    plot = dialog.plot
    start = plot.to_pixel(0.5, 0.5).toPoint()
    pixels = 40
    drag(plot, start, start - QPoint(0, pixels))
    expected = round(0.5 + pixels / plot.area().height() * 1.0, 2)  # y range 0..1: steps of 0.01
    assert dialog.ys[5] == pytest.approx(expected, abs=0.011)
    assert dialog.ys[5] == round(dialog.ys[5], 2)
    assert dialog.table.item(5, 1).text() == f"{dialog.ys[5]:g}"
    assert dialog.ys[:5] + dialog.ys[6:] == [0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0]
    # with Shift the step is a thousandth; dragging far above the range stops at its top
    shifted = plot.to_pixel(0.3, 0.3).toPoint()
    drag(plot, shifted, shifted + QPoint(0, 7), Qt.KeyboardModifier.ShiftModifier)
    assert dialog.ys[3] == round(dialog.ys[3], 3)
    assert dialog.ys[3] == pytest.approx(0.3 - 7 / plot.area().height(), abs=0.0011)
    top = plot.to_pixel(0.9, 0.9).toPoint()
    drag(plot, top, QPoint(top.x(), 0))
    assert dialog.ys[9] == 1.0
    assert dialog.ok_button.isEnabled()
    assert dialog.graph().y_points == tuple(dialog.ys)
    dialog.grab().save(str(SHOTS / "dragged.png"))


def test_pressing_above_a_point_brings_it_to_the_mouse(qtbot):
    dialog = editor(qtbot, DEFAULT_GRAPH)
    plot = dialog.plot
    target = plot.to_pixel(0.2, 0.8).toPoint()
    QTest.mouseClick(plot, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert dialog.ys[2] == pytest.approx(0.8, abs=0.011)


def test_typing_in_a_cell_sets_the_value_and_enter_moves_down(qtbot):
    dialog = editor(qtbot, DEFAULT_GRAPH)
    type_in_cell(qtbot, dialog, 2, 1, "0.75")
    assert dialog.ys[2] == 0.75
    assert dialog.table.currentRow() == 3
    assert dialog.plot.ys[2] == 0.75  # the plot follows
    type_in_cell(qtbot, dialog, 4, 0, "0.45")  # an x of its own: the table lists its x points
    graph = dialog.graph()
    assert graph.x_points[4] == 0.45 and graph.x_points[3] == 0.3
    assert dialog.ok_button.isEnabled()


def test_changing_the_number_of_points_resamples_the_curve(qtbot):
    graph = GraphicalFunction((0.0, 1.0, 0.0), x_scale=(0.0, 2.0), y_scale=(0.0, 1.0))
    dialog = editor(qtbot, graph)
    spin = dialog.count
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "5")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert dialog.xs == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert dialog.ys == [0.0, 0.5, 1.0, 0.5, 0.0]
    assert dialog.table.rowCount() == 5
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # arrows resample from the same curve, not the last sample
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert dialog.ys == [0.0, 0.5, 1.0, 0.5, 0.0]
    result = dialog.graph()
    assert result.x_points is None and result.x_scale == (0.0, 2.0) and len(result.y_points) == 5


def test_bad_input_says_why_in_one_line_and_keeps_ok_disabled(qtbot):
    dialog = editor(qtbot, DEFAULT_GRAPH)
    type_in_cell(qtbot, dialog, 3, 1, "lots")
    assert not dialog.ok_button.isEnabled()
    assert dialog.message.text() == "point 4: 'lots' is not a number"
    assert dialog.ys[3] == 0.3
    type_in_cell(qtbot, dialog, 3, 1, "0.35")
    assert dialog.ok_button.isEnabled() and dialog.message.text() == ""
    type_in_cell(qtbot, dialog, 3, 0, "0.1")  # x no longer increases
    assert not dialog.ok_button.isEnabled()
    assert dialog.message.text() == "x must increase from point to point (point 4 has x = 0.1 after 0.2)"
    type_in_cell(qtbot, dialog, 3, 0, "0.3")
    assert dialog.ok_button.isEnabled()
    type_in_cell(qtbot, dialog, 3, 1, "1.5")  # above the y range
    assert dialog.message.text() == "point 4 has y = 1.5, outside the y range 0 to 1"
    dialog.y_max.selectAll()
    qtbot.keyClicks(dialog.y_max, "2")
    assert dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.y_max, "x")
    assert "'2x' is not a number" in dialog.message.text() and not dialog.ok_button.isEnabled()
    dialog.y_max.selectAll()
    qtbot.keyClicks(dialog.y_max, "-3")
    assert dialog.message.text() == "the y range must run from a smaller to a larger number"
    assert "\n" not in dialog.message.text()
    dialog.grab().save(str(SHOTS / "refused.png"))


def test_changing_the_x_range_respaces_the_points(qtbot):
    dialog = editor(qtbot, DEFAULT_GRAPH)
    dialog.x_max.selectAll()
    qtbot.keyClicks(dialog.x_max, "100")
    assert dialog.xs[-1] == 100.0 and dialog.xs[1] == 10.0
    assert dialog.graph().x_scale == (0.0, 100.0)
    assert dialog.ys == list(DEFAULT_GRAPH.y_points)


def test_an_unchanged_table_read_from_a_file_is_left_exactly_as_it_was(qtbot):
    doc = loads(STELLA)
    var = doc.variable_named("Effect of crowding")
    dialog = editor(qtbot, var.graph, var.label, var.equation)
    assert dialog.problem() is None
    assert dialog.graph() == var.graph
    assert not dialog.changed()
    dialog.grab().save(str(SHOTS / "stella_table.png"))


def test_add_a_graph_then_ok_is_one_undo_step_and_undo_restores_exactly(qtbot, panel, doc):
    before = doc.copy()
    panel.show_elements(["c"])
    page = panel.variable_page
    assert page.graph_button.isVisibleTo(panel) and page.graph_button.text() == "Add a graph…"
    qtbot.mouseClick(page.graph_button, Qt.MouseButton.LeftButton)
    dialog = page.graph_editor
    assert dialog is not None and dialog.isVisible()
    assert dialog.xs == list(DEFAULT_GRAPH.xs()) and dialog.ys == list(DEFAULT_GRAPH.y_points)
    type_in_cell(qtbot, dialog, 10, 1, "0.5")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert page.graph_editor is None
    graph = doc.variables["c"].graph
    assert graph.y_points[-1] == 0.5 and graph.x_scale == (0.0, 1.0) and len(graph.y_points) == 11
    assert doc.variables["c"].equation == "TIME / 4"  # the equation is the graph's input
    assert panel.stack_.count() == 1
    assert panel.stack_.undoText() == "Add a graph to 'Crowding'"
    assert page.sparkline.isVisibleTo(panel) and page.graph_button.text() == "Edit graph…"
    assert page.graph_caption.text() == "11 points · x 0 to 1 · y 0 to 0.9"
    panel.grab().save(str(SHOTS / "inspector_with_graph.png"))
    panel.stack_.undo()
    assert doc.variables["c"] == before.variables["c"]
    panel.stack_.redo()
    assert doc.variables["c"].graph == graph


def test_cancel_changes_nothing(qtbot, panel, doc):
    doc.apply(operations.set_graph(doc, "c", DEFAULT_GRAPH))
    before = doc.copy()
    panel.show_elements(["c"])
    page = panel.variable_page
    qtbot.mouseDClick(page.sparkline, Qt.MouseButton.LeftButton)  # a double click opens it too
    dialog = page.graph_editor
    type_in_cell(qtbot, dialog, 1, 1, "0.9")
    dialog.reject()
    assert page.graph_editor is None
    assert doc.variables["c"] == before.variables["c"]
    assert panel.stack_.count() == 0
    # OK without a change adds no step either
    page.edit_graph()
    page.graph_editor.accept()
    assert panel.stack_.count() == 0


def test_remove_graph_is_one_undo_step(qtbot, panel, doc):
    doc.apply(operations.set_graph(doc, "c", DEFAULT_GRAPH))
    panel.show_elements(["c"])
    page = panel.variable_page
    page.edit_graph()
    qtbot.mouseClick(page.graph_editor.remove_button, Qt.MouseButton.LeftButton)
    assert doc.variables["c"].graph is None
    assert panel.stack_.count() == 1 and panel.stack_.undoText() == "Remove the graph of 'Crowding'"
    assert page.graph_button.text() == "Add a graph…" and not page.sparkline.isVisibleTo(panel)
    panel.stack_.undo()
    assert doc.variables["c"].graph == DEFAULT_GRAPH


def test_stocks_are_offered_no_graph(panel):
    panel.show_elements(["p"])
    assert not panel.variable_page.graph_box.isVisibleTo(panel)


def test_a_constant_that_gets_a_graph_keeps_it_as_the_input_and_says_so(qtbot, panel, doc):
    panel.show_elements(["k"])
    page = panel.variable_page
    page.edit_graph()
    dialog = page.graph_editor
    assert "x is the equation, 5, a constant" in dialog.input_note.text()
    dialog.accept()
    assert doc.variables["k"].equation == "5" and doc.variables["k"].graph == DEFAULT_GRAPH
    assert page.graph_input.text() == "x is the equation's value"
    again = loads(dumps(doc)).variable_named("Capacity")
    assert (again.equation, again.graph) == ("5", DEFAULT_GRAPH)


def test_an_edited_file_table_saves_reloads_and_simulates_with_the_new_points(qtbot):
    doc = loads(STELLA)
    stack = QUndoStack()
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.set_session(doc, stack)
    var = doc.variable_named("Effect of crowding")
    inspector.show_elements([var.id])
    page = inspector.variable_page
    page.edit_graph()
    dialog = page.graph_editor
    type_in_cell(qtbot, dialog, 4, 1, "0.5")  # x = 2
    start = dialog.plot.to_pixel(dialog.xs[8], dialog.ys[8]).toPoint()  # x = 3, y = 0.14
    drag(dialog.plot, start, start - QPoint(0, 30))
    moved = dialog.ys[8]
    assert moved > 0.14
    dialog.accept()
    assert stack.count() == 1
    graph = doc.variables[var.id].graph
    assert graph.y_points[4] == 0.5 and graph.y_points[8] == moved
    assert graph.x_points == var.graph.x_points and graph.y_scale == (0.1, 1.0)
    again = loads(dumps(doc))
    assert again.variable_named("Effect of crowding").graph == graph
    results = simulate(again)
    assert results["Effect of crowding"].tolist() == [1.0, 1.0, 0.5, moved, 0.1]
    stack.undo()
    assert doc.variables[var.id] == var


HARES = b"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>isee systems, inc.</vendor><product version="1.0">Stella</product></header>
  <model><variables>
    <aux name="death fraction">
      <eqn>TIME</eqn>
      <gf discrete="false">
        <xpts>0,10,20,30.000000000000004,40,50</xpts>
        <ypts>1,0.60653065971263342,0.36787944117144233,0.22313016014842979,0.1353352832366127,0.0820849986238988</ypts>
        <xscale min="0" max="0"></xscale>
        <yscale min="0" max="1"></yscale>
      </gf>
    </aux>
    <gf name="plain"><ypts>0,2,1</ypts></gf>
  </variables></model>
</xmile>
"""


@pytest.mark.parametrize("name", ["death fraction", "plain"])
def test_opening_and_oking_any_table_keeps_every_number_and_attribute(qtbot, name):
    doc = loads(HARES)
    var = doc.variable_named(name)
    dialog = editor(qtbot, var.graph, var.label, var.equation)
    assert dialog.problem() is None and dialog.graph() == var.graph and not dialog.changed()
    type_in_cell(qtbot, dialog, 1, 1, "0.5")
    graph = dialog.graph()
    assert graph.x_scale == var.graph.x_scale and graph.x_points == var.graph.x_points
    assert graph.extra == var.graph.extra and graph.y_points[2:] == var.graph.y_points[2:]
    doc.apply(operations.set_graph(doc, var.id, graph))
    assert loads(dumps(doc)).variable_named(name).graph == graph


def test_the_kind_says_how_the_table_reads_between_points(qtbot):
    graph = GraphicalFunction((0.2, 1.0, 0.4, 0.6), x_scale=(0.0, 3.0), y_scale=(0.0, 1.0))
    dialog = editor(qtbot, graph)
    for kind in ("discrete", "extrapolate"):
        dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(kind))
        assert dialog.graph().kind == kind and dialog.plot.kind == kind
        dialog.grab().save(str(SHOTS / f"{kind}.png"))
    assert dialog.graph().evolve(kind="continuous") == graph


def test_tab_commits_a_cell_and_goes_on_to_the_next(qtbot):
    dialog = editor(qtbot, DEFAULT_GRAPH)
    table = dialog.table
    table.setCurrentCell(5, 0)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    field = table.indexWidget(table.currentIndex())
    field.selectAll()
    qtbot.keyClicks(field, "0.55")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    QApplication.processEvents()
    assert dialog.xs[5] == 0.55
    assert (table.currentRow(), table.currentColumn()) == (5, 1)
