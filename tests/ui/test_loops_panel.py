"""The loops panel used as a user would: read the table, type a search, pick filters, choose a
loop and look at the canvas, label it, list more loops of a large map and cancel."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QUndoStack
from shots import shots_dir

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loop_basis import independent_loops
from sysmap.analysis.loop_count import count_loops
from sysmap.analysis.loop_labels import cycle_key
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.ui.canvas.scene import DIM_OPACITY, MapScene
from sysmap.ui.canvas.view import MapView
from sysmap.ui.loops_panel import LoopsPanel

ROOT = Path(__file__).resolve().parents[2]
SOCIAL = ROOT / "examples" / "social_care_workload.xmile"
WORLD3 = Path("/work/shared/models/wrld3-03.xmile")
SHOTS = shots_dir("L")


def wait_idle(qtbot, panel, timeout=20000):
    qtbot.waitUntil(lambda: not panel.busy, timeout=timeout)


def shown_rows(panel) -> list[tuple[str, ...]]:
    proxy = panel.proxy
    return [
        tuple(proxy.index(r, c).data() for c in range(proxy.columnCount())) for r in range(proxy.rowCount())
    ]


def click_row(qtbot, panel, row: int) -> None:
    table = panel.table
    rect = table.visualRect(panel.proxy.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def session(qtbot):
    doc = load(SOCIAL)
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    panel = LoopsPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 420)
    panel.show()
    panel.set_session(doc, stack, scene)
    wait_idle(qtbot, panel)
    yield doc, stack, scene, panel
    if shiboken6.isValid(panel):
        panel.set_session(None, None, None)
    scene.detach()


def test_lists_every_loop_with_polarity_counts_as_the_analysis(session):
    doc, _, _, panel = session
    expected = count_loops(causal_graph(doc, derive=True))
    rows = shown_rows(panel)
    assert len(rows) == expected.total == 8
    words = [row[1] for row in rows]
    assert words.count("reinforcing") == expected.reinforcing
    assert words.count("balancing") == expected.balancing
    assert sorted(row[0] for row in rows if row[1] == "balancing") == ["B1", "B2"]
    assert "8 loops: 6 reinforcing, 2 balancing" in panel.summary.text()
    # members read round the loop and back to the start
    first = rows[0][4].split(" → ")
    assert first[0] == first[-1] and len(first) == int(rows[0][2]) + 1
    assert not panel.more_button.isVisible()


def test_choosing_a_loop_highlights_its_variables_and_links_and_dims_the_rest(qtbot, session):
    doc, _, scene, panel = session
    click_row(qtbot, panel, 0)
    row = panel.chosen()
    assert row is not None
    members = set(row.loop.variables)
    links = {lid for ids in row.loop.links for lid in ids}
    assert links, "a drawn CLD loop is drawn with links"
    for vid, item in scene.variable_items.items():
        assert item.opacity() == (1.0 if vid in members else DIM_OPACITY), doc.variables[vid].label
    for lid, item in scene.link_items.items():
        assert item.opacity() == (1.0 if lid in links else DIM_OPACITY)
    # clearing the choice clears the highlight
    panel.table.clearSelection()
    assert all(item.opacity() == 1.0 for item in scene.variable_items.values())
    assert all(item.opacity() == 1.0 for item in scene.link_items.values())
    assert scene.highlighted() is None


def test_search_and_filters_narrow_the_list(qtbot, session):
    doc, _, scene, panel = session
    everything = shown_rows(panel)
    name = doc.variables[next(iter(panel.model.rows[0].loop.variables))].label
    qtbot.keyClicks(panel.search, name[:5].lower())
    found = shown_rows(panel)
    assert 0 < len(found) < len(everything)
    assert all(name[:5].lower() in row[4].lower() for row in found)
    panel.search.clear()
    qtbot.keyClicks(panel.search, "no such variable")
    assert shown_rows(panel) == []
    panel.search.clear()
    assert len(shown_rows(panel)) == len(everything)

    panel.polarity.setCurrentIndex(panel.polarity.findData("B"))
    assert [row[1] for row in shown_rows(panel)] == ["balancing", "balancing"]
    panel.polarity.setCurrentIndex(0)

    panel.min_length.setValue(4)
    assert all(int(row[2]) >= 4 for row in shown_rows(panel))
    assert len(shown_rows(panel)) < len(everything)
    panel.min_length.setValue(1)

    # through the selected variable: only the loops passing through it
    panel.through.setChecked(True)
    assert shown_rows(panel) == [] and "Select a variable" in panel.status.text()
    vid = panel.model.rows[-1].loop.variables[0]
    scene.select_ids([vid])
    through = [row.loop for row in panel.model.rows if vid in row.loop.variables]
    assert len(shown_rows(panel)) == len(through) < len(everything)
    panel.through.setChecked(False)
    assert len(shown_rows(panel)) == len(everything)


def test_label_this_loop_adds_one_label_undoably_and_highlights_it(qtbot, session):
    doc, stack, scene, panel = session
    assert not panel.label_button.isEnabled()
    labelled = {cycle_key(label.loop) for label in doc.loop_labels.values() if label.loop}
    rows = [panel.model.rows[panel.proxy.mapToSource(panel.proxy.index(r, 0)).row()] for r in range(8)]
    unlabelled = [r for r, row in enumerate(rows) if row.key not in labelled]
    assert unlabelled, "the example leaves a loop unlabelled"
    click_row(qtbot, panel, unlabelled[0])
    key = panel.chosen().key
    before = set(doc.loop_labels)
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    added = set(doc.loop_labels) - before
    assert len(added) == 1
    (lid,) = added
    assert doc.loop_labels[lid].text[0] == panel.chosen().loop.polarity
    # the panel re-analyses after the change and keeps the loop chosen; its label is lit
    wait_idle(qtbot, panel)
    assert panel.chosen() is not None and panel.chosen().key == key
    assert scene.label_items[lid].opacity() == 1.0
    # a second click says it is labelled already and adds nothing
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    assert set(doc.loop_labels) - before == {lid}
    assert "already" in panel.status.text()
    stack.undo()
    assert set(doc.loop_labels) == before


def test_follows_edits_to_the_map(qtbot, session):
    doc, stack, _, panel = session
    from sysmap.model import operations
    from sysmap.ui.commands import perform

    a = next(v for v in doc.variables.values() if v.label)
    edit = operations.add_variable(doc, "Brand new worry", position=(900.0, 900.0))
    perform(stack, doc, edit)
    new = doc.variable_named("Brand new worry").id
    perform(stack, doc, operations.add_link(doc, a.id, new, polarity="+"))
    perform(stack, doc, operations.add_link(doc, new, a.id, polarity="-"))
    assert panel.busy  # a re-analysis is waiting or under way
    wait_idle(qtbot, panel)
    assert len(shown_rows(panel)) == 9
    assert any("Brand new worry" in row[4] and row[1] == "balancing" for row in shown_rows(panel))


def test_scene_heat_tints_and_clears(session):
    _, _, scene, _ = session
    a, b = list(scene.variable_items)[:2]
    scene.set_heat({a: 0.0, b: 1.0})
    low, high = scene.heat_of(a), scene.heat_of(b)
    assert low is not None and high is not None
    assert high.red() < 230 and high.green() < low.green()  # stronger, redder
    scene.set_heat({b: 0.5})
    assert scene.heat_of(a) is None and scene.heat_of(b) is not None
    scene.set_heat(None)
    assert scene.heat_of(b) is None
    assert all(not item.childItems() for item in scene.variable_items.values())


def _dense_map(n: int = 40) -> SystemMap:
    """A map with far more than 2,000 loops: a ring with chords."""
    doc = SystemMap(name="Dense")
    ids = [doc.add_variable(f"V{i}", position=(float(i % 8) * 120, float(i // 8) * 90)).id for i in range(n)]
    for i in range(n):
        for step in (1, 3, 7):
            doc.add_link(ids[i], ids[(i + step) % n], polarity="-" if (i + step) % 5 == 0 else "+")
    return doc


@pytest.fixture
def large(qtbot):
    doc = load(WORLD3) if WORLD3.exists() else _dense_map()
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    panel = LoopsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_session(doc, stack, scene)
    yield doc, scene, panel
    panel.cancel_listing()
    wait_idle(qtbot, panel, 60000)
    panel.set_session(None, None, None)
    scene.detach()


def test_large_map_shows_the_independent_set_first_then_lists_more_and_cancels(qtbot, large):
    doc, scene, panel = large
    graph = causal_graph(doc, derive=True)
    independent = independent_loops(graph)
    qtbot.waitUntil(lambda: panel.graph is not None, timeout=30000)
    assert panel.model.rowCount() == len(independent)
    wait_idle(qtbot, panel, 60000)
    expected = count_loops(graph)
    assert f"{expected.total:,} loops" in panel.summary.text()
    assert "independent loop set" in panel.summary.text()
    assert panel.more_button.isVisible()

    # List more: a batch streams in
    panel.batch = 300
    qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel, 60000)
    assert panel.model.rowCount() == len(independent) + 300
    keys = [row.key for row in panel.model.rows]
    assert len(set(keys)) == len(keys)

    # a batch too large to finish: the GUI keeps ticking while it runs; Cancel stops it
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    panel.batch = 10**9
    before = panel.model.rowCount()
    qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isVisible() and panel.progress.isVisible()
    assert not panel.more_button.isEnabled()
    qtbot.waitUntil(lambda: panel.model.rowCount() > before + 1000, timeout=30000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel, 30000)
    timer.stop()
    assert len(ticks) >= 3
    assert not panel.cancel_button.isVisible() and panel.more_button.isEnabled()
    assert "stopped" in panel.status.text()
    stopped_at = panel.model.rowCount()
    assert before + 1000 < stopped_at < expected.total
    # the table is usable: choose a streamed loop and it lights up on the canvas
    panel.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    panel.table.selectRow(stopped_at - 1)
    row = panel.chosen()
    lit = [vid for vid, item in scene.variable_items.items() if item.opacity() == 1.0]
    assert set(lit) == set(row.loop.variables)


def test_render_panel_and_canvas_with_a_highlighted_loop(qtbot, session):
    doc, _, scene, panel = session
    click_row(qtbot, panel, 2)
    scene.set_heat({vid: i / 12 for i, vid in enumerate(list(scene.variable_items)[:6])})
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.fit()
    panel.resize(640, 700)
    qtbot.wait(50)
    left, right = view.grab(), panel.grab()
    image = QImage(
        left.width() + right.width(), max(left.height(), right.height()), QImage.Format.Format_RGB32
    )
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawPixmap(0, 0, left)
    painter.drawPixmap(left.width(), 0, right)
    painter.end()
    assert image.save(str(SHOTS / "loops_panel.png"))
    canvas = QImage(1400, 1000, QImage.Format.Format_ARGB32)
    canvas.fill(QColor("white"))
    painter = QPainter(canvas)
    scene.render(painter)
    painter.end()
    assert canvas.save(str(SHOTS / "loops_canvas.png"))
    # the chosen loop's variables are drawn fully, the others faded
    row = panel.chosen()
    assert {vid for vid, item in scene.variable_items.items() if item.opacity() == 1.0} == set(
        row.loop.variables
    )


def test_closing_the_panel_while_listing_stops_the_search(qtbot, large):
    _, _, panel = large
    qtbot.waitUntil(lambda: panel.graph is not None, timeout=30000)
    wait_idle(qtbot, panel, 60000)
    panel.batch = 10**9
    qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)
    before = panel.model.rowCount()
    qtbot.waitUntil(lambda: panel.model.rowCount() > before, timeout=30000)
    panel.close()
    wait_idle(qtbot, panel, 30000)  # the endless search stopped
    listed = panel.model.rowCount()
    qtbot.wait(100)
    assert panel.model.rowCount() == listed  # nothing more streams in
    assert panel.cancel_button.isHidden() and panel.more_button.isEnabled()


def test_a_hidden_panel_searches_only_once_it_is_shown(qtbot):
    doc = load(SOCIAL)
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    panel = LoopsPanel()
    qtbot.addWidget(panel)
    panel.set_session(doc, stack, scene)  # a closed dock: nothing to search for yet
    qtbot.wait(100)
    assert not panel.busy and shown_rows(panel) == []
    panel.show()
    wait_idle(qtbot, panel)
    assert len(shown_rows(panel)) == 8
    panel.set_session(None, None, None)
    scene.detach()
