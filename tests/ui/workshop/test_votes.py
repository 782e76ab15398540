"""Dot voting as a facilitator runs it: dots from the canvas selection, the table's notes,
undo, the votes beside the leverage ranking, and votes kept in the saved file."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from shots import shots_dir

from sysmap.analysis.votes import HIGH_UNVOTED, VOTED_LOW, spearman
from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import workshop as ws
from sysmap.ui.mainwindow import MainWindow

SHOTS = shots_dir("B")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_window(qtbot, doc, path=None):
    window = MainWindow(doc, path)
    qtbot.addWidget(window)
    window.session.ask_save = lambda *a: "discard"
    view = window.votes_view
    window.show()
    next(a for a in window.workshop_menu.actions() if a.text().replace("&", "") == "Dot Votes").trigger()
    qtbot.waitUntil(lambda: not view.busy and bool(view.ranks))
    return window, view


def care(qtbot):
    path = example_path("social_care_workload")
    return open_window(qtbot, load(path), str(path))


def test_plus_one_for_the_canvas_selection_and_undo(qtbot):
    window, view = care(qtbot)
    doc = window.doc
    work, overtime = doc.variable_named("Social worker workload").id, doc.variable_named("Overtime").id
    window.scene.select_ids([work, overtime])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_V, CTRL_SHIFT)
    assert ws.votes_of(doc) == {work: 1, overtime: 1}
    window.scene.select_ids([work])
    QTest.keyClick(window.view, Qt.Key.Key_V, CTRL_SHIFT)
    assert view.dots(work) == 2 and view.dots(overtime) == 1
    assert window.session.undo_stack.undoText() == "Vote for Social worker workload"
    window.session.undo_stack.undo()
    assert view.dots(work) == 1 and ws.votes_of(doc)[work] == 1
    window.session.undo_stack.undo()
    assert ws.votes_of(doc) == {} and view.dots(work) == 0
    window.session.undo_stack.redo()
    assert view.dots(overtime) == 1

    window.scene.clearSelection()
    view.plus.click()
    assert "Select the variables" in view.status.text()


def test_notes_flag_disagreements_and_agreement_is_measured(qtbot):
    window, view = care(qtbot)
    doc = window.doc
    top, bottom = view.rows[0], view.rows[-1]
    assert view.note(top) == HIGH_UNVOTED
    assert view.note(bottom) == ""
    assert "too few votes" in view.agreement.text()
    spin = view.table.cellWidget(view.rows.index(bottom), 1)
    spin.setFocus()
    QTest.keyClick(spin, Qt.Key.Key_Up)
    QTest.keyClick(spin, Qt.Key.Key_Up)
    assert ws.votes_of(doc) == {bottom: 2}
    assert view.note(bottom) == VOTED_LOW
    assert window.session.undo_stack.count() == 2  # one step per dot
    for vid, dots in ((top, 5), (view.rows[1], 3)):
        view.set_dots(vid, dots)
    assert view.note(top) == ""
    voted = [top, view.rows[1], bottom]
    rho = spearman([5, 3, 2], [view.ranks[v][1] for v in voted])
    assert view.agreement.text().endswith(f"ρ = {rho:+.2f} (Spearman, 3 voted variables)")
    assert view.clear.isEnabled()
    view.clear.click()
    assert ws.votes_of(doc) == {} and not view.clear.isEnabled()
    window.session.undo_stack.undo()
    assert ws.votes_of(doc)[top] == 5


def test_the_leverage_view_shows_the_dots(qtbot):
    window, view = care(qtbot)
    leverage = window.leverage_view
    window.analysis_dock.show()
    top = view.rows[0]
    view.set_dots(top, 4)
    qtbot.waitUntil(lambda: not leverage.busy)
    column = leverage_column("Dots")
    row = next(i for i, c in enumerate(leverage.candidates) if c.element == top)
    assert leverage.table.item(row, column).text() == "4"
    others = [leverage.table.item(i, column).text() for i in range(leverage.table.rowCount()) if i != row]
    assert set(others) == {""}


def leverage_column(title: str) -> int:
    from sysmap.ui.analysis_views.leverage_view import COLUMNS

    return COLUMNS.index(title)


def test_votes_survive_save_and_reopen(qtbot, tmp_path):
    window, view = care(qtbot)
    doc = window.doc
    work = doc.variable_named("Social worker workload").id
    window.scene.select_ids([work])
    window.vote_action.trigger()
    window.vote_action.trigger()
    path = tmp_path / "voted.xmile"
    window.session.save_as(path)
    again = load(path)
    assert ws.votes_of(again) == {again.variable_named("Social worker workload").id: 2}
    window.session.open(path)
    qtbot.waitUntil(lambda: not view.busy and bool(view.ranks))
    assert view.dots(window.doc.variable_named("Social worker workload").id) == 2


def test_picture_of_the_votes_dock(qtbot):
    window, view = care(qtbot)
    for vid, dots in ((view.rows[0], 4), (view.rows[2], 2), (view.rows[-1], 3), (view.rows[-3], 1)):
        view.set_dots(vid, dots)
    window.resizeDocks([window.votes_dock], [460], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "votes_window.png"))
    view.grab().save(str(SHOTS / "votes_dock.png"))
    assert (SHOTS / "votes_dock.png").exists()
