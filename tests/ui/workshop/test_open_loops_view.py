"""The Open Loops dock as a facilitator uses it: choose a prompt, see the loop, draw the link, undo."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from shots import shots_dir

from sysmap.analysis.open_loops import open_loops
from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.workshop import open_loops_view

SHOTS = shots_dir("B")


def open_window(qtbot, doc: SystemMap):
    window = MainWindow(doc)
    qtbot.addWidget(window)
    window.session.ask_save = lambda *a: "discard"
    view = window.open_loops_view
    window.show()
    next(a for a in window.workshop_menu.actions() if a.text().replace("&", "") == "Open Loops…").trigger()
    qtbot.waitUntil(lambda: not view.busy and view.table.rowCount() > 0)
    return window, view


def click_row(view, row: int) -> None:
    rect = view.table.visualRect(view.table.model().index(row, 1))
    QTest.mouseClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )


def links_between(doc: SystemMap, cause: str, effect: str) -> list:
    return [link for link in doc.links.values() if (link.source, link.target) == (cause, effect)]


def test_rows_are_the_analysis_and_choosing_one_lights_its_loop(qtbot):
    doc = load(example_path("social_care_workload"))
    expected = open_loops(doc, limit=open_loops_view.LIMIT, time_limit=open_loops_view.TIME_LIMIT)
    window, view = open_window(qtbot, doc)
    name = {vid: v.label for vid, v in window.doc.variables.items()}
    assert [view.table.item(r, 1).text() for r in range(view.table.rowCount())] == [
        f"{name[o.cause]} → {name[o.effect]}" for o in expected
    ]
    click_row(view, 2)
    chosen = expected[2]
    assert view.sentence.text() == chosen.sentence
    lit = window.scene.highlighted()
    assert set(chosen.loop) <= lit
    path = chosen.path
    drawn = {
        k
        for u, v in zip(path, path[1:], strict=False)
        for k in (x.id for x in links_between(window.doc, u, v))
    }
    assert drawn and lit == set(chosen.loop) | drawn
    # the link not drawn yet is shown dashed, from the cause to the effect
    proposal = view.proposal()
    assert proposal is not None and proposal.scene() is window.scene
    assert proposal.pen().style() == Qt.PenStyle.DashLine
    cause, effect = (window.scene.variable_items[v] for v in (chosen.cause, chosen.effect))
    start = proposal.path().elementAt(0)
    assert cause.sceneBoundingRect().adjusted(-6, -6, 6, 6).contains(start.x, start.y)
    assert not effect.sceneBoundingRect().contains(start.x, start.y)

    window.open_loops_dock.hide()
    assert window.scene.highlighted() is None
    assert view.proposal() is None and proposal.scene() is None


def test_draw_this_link_with_a_polarity_and_undo(qtbot):
    doc = SystemMap()
    a, b, c = (
        doc.add_variable(n, position=(i * 150, 0)).id for i, n in enumerate(("Demand", "Backlog", "Pressure"))
    )
    doc.add_link(a, b, polarity="+")
    doc.add_link(b, c, polarity="+")
    window, view = open_window(qtbot, doc)
    assert view.table.item(0, 1).text() == "Pressure → Demand"
    assert view.table.item(0, 2).text() == "reinforcing" and view.table.item(0, 3).text() == "balancing"
    click_row(view, 0)
    qtbot.mouseClick(view.minus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.draw, Qt.MouseButton.LeftButton)
    (drawn,) = links_between(window.doc, c, a)
    assert drawn.polarity == "-"
    assert "balancing loop" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not view.busy)
    assert "Pressure → Demand" not in [view.table.item(r, 1).text() for r in range(view.table.rowCount())]
    assert view.table.rowCount() == 0 or window.scene.highlighted() is None

    window.session.undo_stack.undo()
    assert links_between(window.doc, c, a) == []
    qtbot.waitUntil(lambda: not view.busy and view.table.rowCount() == 3)
    click_row(view, 0)
    qtbot.mouseClick(view.minus, Qt.MouseButton.LeftButton)  # unpicks −: the link is drawn with ?
    qtbot.mouseClick(view.draw, Qt.MouseButton.LeftButton)
    assert links_between(window.doc, c, a)[0].polarity == "?"


def test_a_map_without_prompts_says_so(qtbot):
    doc = SystemMap()
    a, b = doc.add_variable("A").id, doc.add_variable("B").id
    doc.add_link(a, b, polarity="+")
    doc.add_link(b, a, polarity="+")
    window = MainWindow(doc)
    qtbot.addWidget(window)
    view = window.open_loops_view
    window.show()
    window.open_loops_dock.show()  # a hidden dock looks for nothing
    qtbot.waitUntil(lambda: not view.busy and bool(view.summary.text()))
    assert view.table.rowCount() == 0
    assert view.summary.text() == "No open loops: no single new link would close a loop."
    assert not view.draw.isEnabled()


def test_picture_of_the_open_loops_dock(qtbot):
    window, view = open_window(qtbot, load(example_path("social_care_workload")))
    window.resizeDocks([window.open_loops_dock], [520], Qt.Orientation.Horizontal)
    click_row(view, 2)
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "open_loops_window.png"))
    assert (SHOTS / "open_loops_window.png").exists()
