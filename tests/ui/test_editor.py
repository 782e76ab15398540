"""The editor end to end, as a facilitator uses it: draw a loop, undo and redo from the Edit
menu, save, reopen and find the same map; copy and paste; arrange; lay out; label loops."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from canvas_driver import Canvas
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sysmap.io import load
from sysmap.io.xmile import dumps
from sysmap.model import Polarity, SystemMap
from sysmap.model.layout import needs_layout
from sysmap.ui.canvas.tools import Tool
from sysmap.ui.mainwindow import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    window = MainWindow(SystemMap(name="Workshop"))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.view.setSceneRect(QRectF(-500, -400, 1000, 800))  # clicks land where aimed as the map grows
    window.view.resetTransform()
    window.view.setFocus()
    window.session.choose_save_path = lambda parent, suggested: str(tmp_path / "workshop.xmile")
    window.session.ask_save = lambda parent, name: "discard"
    yield window


def open_example(qtbot, name: str) -> MainWindow:
    """A shown window on one of the bundled example maps."""
    from sysmap.examples import example_path

    path = example_path(name)
    window = MainWindow(load(path), str(path))
    qtbot.addWidget(window)
    window.show()
    return window


def canvas_of(window: MainWindow) -> Canvas:
    messages: list[str] = []
    window.scene.message.connect(messages.append)
    return Canvas(window.doc, window.stack, window.scene, window.view, messages)


def draw_loop(canvas: Canvas):
    """Three concepts joined in a loop, the first link made positive and bent."""
    a = canvas.add_named("Workload", -200, -100)
    b = canvas.add_named("Sick leave", 200, -100)
    c = canvas.add_named("Staff available", 0, 150)
    canvas.scene.set_tool(Tool.LINK)
    canvas.drag((-200, -100), (200, -100))
    canvas.drag((200, -100), (0, 150))
    canvas.drag((0, 150), (-200, -100))
    canvas.scene.set_tool(Tool.SELECT)
    canvas.click(0, -100)  # the first link's middle
    canvas.key(Qt.Key.Key_Plus, text="+")
    canvas.press(0, -100)
    canvas.move_to(0, -130)
    canvas.move_to(0, -160)
    canvas.release(0, -160)
    return a, b, c


def test_draw_undo_redo_save_and_reopen(window, tmp_path):
    canvas = canvas_of(window)
    draw_loop(canvas)
    doc = window.doc
    assert len(doc.variables) == 3 and len(doc.links) == 3
    (first,) = [link for link in doc.links.values() if link.polarity == Polarity.POSITIVE]
    assert first.curvature == pytest.approx(0.15, abs=0.01)
    assert window.windowTitle() == "Workshop* — sysmap"

    # the Edit menu names what it will undo, and undoing everything empties the map
    assert window.undo_action.text() == "&Undo Bend link"
    drawn = doc.copy()
    steps = window.stack.count()
    for _ in range(steps):
        window.undo_action.trigger()
    assert len(doc.variables) == 0 and len(doc.links) == 0
    assert window.windowTitle() == "Workshop — sysmap"
    for _ in range(steps):
        window.redo_action.trigger()
    assert doc == drawn

    assert window.save()
    path = tmp_path / "workshop.xmile"
    assert window.windowTitle() == "Workshop — sysmap"
    again = load(path)
    assert {v.name for v in again.variables.values()} == {"Workload", "Sick leave", "Staff available"}
    names = {
        (again.variables[k.source].name, again.variables[k.target].name): k for k in again.links.values()
    }
    link = names[("Workload", "Sick leave")]
    assert link.polarity == Polarity.POSITIVE and link.curvature == pytest.approx(first.curvature, abs=1e-6)
    for var in again.variables.values():
        assert var.position == drawn.variable_named(var.name).position

    assert window.open_file(str(path))
    assert len(window.scene.variable_items) == 3 and len(window.scene.link_items) == 3


def test_copy_and_paste_make_renamed_copies(window):
    canvas = canvas_of(window)
    draw_loop(canvas)
    window.select_all()
    assert window.copy()
    window.paste()
    doc = window.doc
    assert len(doc.variables) == 6 and len(doc.links) == 6
    assert doc.variable_named("Workload 2") is not None
    assert set(window.scene.selected_ids()) >= {doc.variable_named("Workload 2").id}
    assert window.undo_action.text().startswith("&Undo Paste")
    window.undo_action.trigger()
    assert len(doc.variables) == 3


def test_align_and_distribute_the_selection(window):
    canvas = canvas_of(window)
    a, b, c = draw_loop(canvas)
    window.scene.select_ids([a.id, b.id, c.id])
    window.align("top")
    items = [window.scene.variable_items[v.id] for v in (a, b, c)]
    tops = [item.pos().y() + item.body_rect().top() for item in items]
    assert max(tops) - min(tops) < 0.01  # the drawn boxes' tops, not estimated ones
    window.stack.undo()
    window.scene.select_ids([a.id, b.id, c.id])
    window.distribute("x")
    xs = sorted(window.doc.variables[v.id].position[0] for v in (a, b, c))
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])


def test_auto_layout_spreads_a_map_that_came_without_positions(window):
    doc = window.doc
    ids = [doc.add_variable(f"Concept {i}").id for i in range(8)]
    for i in range(8):
        doc.add_link(ids[i], ids[(i + 1) % 8])
    assert needs_layout(doc)
    window.auto_layout()
    assert not needs_layout(doc)
    assert window.undo_action.text().startswith("&Undo Auto-layout")
    item = window.scene.variable_items[ids[0]]
    assert item.pos() == QPointF(*doc.variables[ids[0]].position)


def test_label_loops_adds_one_label_per_independent_loop(window):
    canvas = canvas_of(window)
    draw_loop(canvas)
    window.label_loops()
    (label,) = window.doc.loop_labels.values()
    assert label.text in ("R1", "B1", "U1")
    assert len(window.scene.label_items) == 1
    steps = window.stack.count()
    window.label_loops()  # nothing new to label: no empty undo step either
    assert len(window.doc.loop_labels) == 1 and window.stack.count() == steps
    assert window.statusBar().currentMessage() == "Nothing to change"


def test_projector_style_redraws_in_large_type(window):
    canvas = canvas_of(window)
    a, _, _ = draw_loop(canvas)
    small = window.scene.variable_items[a.id].boundingRect().height()
    window.projector_action.setChecked(True)
    assert window.scene.variable_items[a.id].boundingRect().height() > small * 1.3
    window.projector_action.setChecked(False)
    assert window.scene.variable_items[a.id].boundingRect().height() == pytest.approx(small)


def test_paste_into_another_map_and_from_xmile_text(window, qtbot):
    canvas = canvas_of(window)
    a, b, _ = draw_loop(canvas)
    window.scene.select_ids([a.id, b.id, *window.doc.links])  # two variables and the link between them
    assert window.copy()
    other = MainWindow(SystemMap(name="Table 2"))
    qtbot.addWidget(other)
    other.session.ask_save = lambda parent, name: "discard"
    other.doc.add_variable("Workload")
    other.paste()
    names = {v.name for v in other.doc.variables.values()}
    assert names == {"Workload", "Workload 2", "Sick leave"}
    (link,) = other.doc.links.values()
    assert other.doc.variables[link.source].name == "Workload 2"

    QApplication.clipboard().setText("just words")
    other.paste()
    assert other.statusBar().currentMessage() == "The clipboard holds no map elements"
    fragment = SystemMap(name="From a text editor")
    fragment.add_variable("Morale")
    QApplication.clipboard().setText(dumps(fragment).decode())
    other.paste()
    assert other.doc.variable_named("Morale") is not None  # XMILE text from anywhere pastes


def test_export_graphml_keeps_the_map_on_its_own_file(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    canvas = canvas_of(window)
    draw_loop(canvas)
    target = tmp_path / "for yed"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *args: None)
    window.export_graphml()
    again = load(tmp_path / "for yed.graphml")
    assert {v.name for v in again.variables.values()} == {"Workload", "Sick leave", "Staff available"}
    assert len(again.links) == 3
    assert window.session.path is None and window.session.is_modified()


def test_run_simulation_shows_the_panel_with_the_model_run(qtbot):
    from sysmap.sim import compile_model

    window = open_example(qtbot, "sir_epidemic")
    window.run_simulation()
    assert window.simulation_dock.isVisible()
    expected = compile_model(window.doc).run()
    infected = window.simulation.plot.series("Infected")
    assert infected is not None
    assert list(infected[1]) == pytest.approx(list(expected["Infected"]))


def test_the_loops_panel_lists_the_maps_loops_and_highlights_one(qtbot):

    window = open_example(qtbot, "social_care_workload")
    window.loops_dock.toggleViewAction().trigger()
    assert window.loops_dock.isVisible()
    qtbot.waitUntil(lambda: window.loops.table.model().rowCount() == 8, timeout=10000)
    window.loops.table.selectRow(0)
    row = window.loops.chosen()
    assert row is not None
    assert window.scene.highlighted() >= set(row.loop.variables)


def test_the_analysis_dock_ranks_leverage_and_heats_the_map(qtbot):

    window = open_example(qtbot, "social_care_workload")
    window.analysis_dock.toggleViewAction().trigger()
    view = window.leverage_view
    qtbot.waitUntil(lambda: view.result is not None and not view.busy, timeout=20000)
    view.heat.setChecked(True)
    assert any(window.scene.heat_of(vid) is not None for vid in window.doc.variables)


def test_file_merge_map_matches_names_and_reports_conflicts(window, tmp_path, qtbot):
    from sysmap.io import save
    from sysmap.ui.workshop.merge_dialog import tool_of

    canvas = canvas_of(window)
    draw_loop(canvas)  # Workload -(+)-> Sick leave -> Staff available -> Workload
    other = SystemMap(name="Table 2")
    w = other.add_variable("workload", position=(0, 0))
    s = other.add_variable("Sick leave", position=(200, 0))
    m = other.add_variable("Morale", position=(100, 150))
    other.add_link(w.id, s.id, polarity="-")  # table 2 drew it the other way
    other.add_link(s.id, m.id, polarity="-")
    path = tmp_path / "table2.xmile"
    save(other, path)
    tool = tool_of(window)
    tool.choose_paths = lambda: [str(path)]
    before = window.doc.copy()
    file_menu = window.menuBar().actions()[0].menu()
    (merge,) = [a for a in file_menu.actions() if a.text() == "&Merge Map…"]
    merge.trigger()  # File › Merge Map… opens the merge dialog on the chosen file
    assert tool.dialog is not None and tool.dialog.isVisible()
    tool.dialog.accept()
    doc = window.doc
    assert {v.name for v in doc.variables.values()} == {"Workload", "Sick leave", "Staff available", "Morale"}
    assert len(doc.links) == 4  # the conflicting link is not doubled
    assert tool.panel.conflicts() == ["Workload → Sick leave: + here, − at Table 2"]
    assert window.undo_action.text().startswith("&Undo Merge")
    window.undo_action.trigger()
    assert doc == before


def test_present_opens_the_map_step_by_step(qtbot):

    window = open_example(qtbot, "social_care_workload")
    window.present()
    shown = window.presentation
    qtbot.waitExposed(shown)
    assert shown.step == 0 and shown.isFullScreen()
    QTest.keyClick(shown, Qt.Key.Key_Right)
    assert shown.step == 1
    QTest.keyClick(shown, Qt.Key.Key_Escape)
    assert not shown.isVisible()
