"""Workshop › Compare with Map: marks, ghosts and the Changes dock against an older version."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from sysmap.examples import example_path
from sysmap.io import load, save
from sysmap.model import operations as ops
from sysmap.model.elements import Polarity
from sysmap.ui.commands import perform
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.workshop import compare
from sysmap.ui.workshop.compare import ADDED, CHANGED, compare_with

REMOVED_NAME = "Agency staff"
LEFT, NO_KEYS = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


@pytest.fixture
def window(qtbot):
    path = example_path("social_care_workload")
    win = MainWindow(load(path), str(path))
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.session.ask_save = lambda *a: "discard"
    yield win
    win.session.ask_save = lambda *a: "discard"


def older_version(doc):
    """A copy of ``doc`` as it was before: without Overtime (and its links), with the first
    link's polarity the other way, and with a variable since removed."""
    old = doc.copy()
    overtime = old.variable_named("Overtime")
    touching = {link.id for link in (*old.links_to(overtime.id), *old.links_from(overtime.id))}
    old.remove(*touching, overtime.id)
    first = next(iter(old.links.values()))
    flipped = Polarity.POSITIVE if first.polarity == Polarity.NEGATIVE else Polarity.NEGATIVE
    old.apply(ops.update(old, first.id, polarity=flipped.value))
    agency = old.add_variable(REMOVED_NAME, position=(100.0, 650.0))
    old.add_link(agency.id, old.variable_named("Staff sick leave").id, polarity="-")
    return old, first.id


def ghost_texts(comparison) -> list[str]:
    texts = []
    for ghost in comparison.ghosts:
        texts += [child.text() for child in ghost.childItems() if hasattr(child, "text")]
    return texts


def test_marks_exactly_the_added_and_changed_items(window):
    doc = window.doc
    before = doc.copy()
    old, flipped_id = older_version(doc)
    comparison = compare_with(window, old, "v1.xmile")
    overtime = doc.variable_named("Overtime")
    added = {overtime.id} | {link.id for link in (*doc.links_to(overtime.id), *doc.links_from(overtime.id))}
    scene = window.scene
    for eid in (*doc.variables, *doc.links):
        expected = ADDED if eid in added else CHANGED if eid == flipped_id else None
        mark = scene.mark_of(eid)
        assert (mark.name() if mark else None) == expected, eid
    assert scene.link_items[flipped_id].mark() == QColor(CHANGED)
    assert scene.link_items[next(iter(added - {overtime.id}))].mark() == QColor(ADDED)
    # the dock: header and grouped lines, the removed one listed
    assert comparison.dock.isVisible()
    n_added = len(added)
    assert comparison.panel.header.text() == f"Compared with v1.xmile: {n_added} added, 1 changed, 2 removed"
    lines = comparison.panel.lines()
    assert set(lines) == {"Added", "Changed", "Removed"}
    assert f"- variable '{REMOVED_NAME}'" in lines["Removed"]
    assert "+ variable 'Overtime'" in lines["Added"]
    # a ghost where the older version had it, never in the document
    assert ghost_texts(comparison) == [REMOVED_NAME]
    assert all(g.scene() is scene for g in comparison.ghosts)
    assert doc == before  # comparing changed nothing


def test_clicking_a_line_selects_and_shows_the_item(window, qtbot):
    doc = window.doc
    old, flipped_id = older_version(doc)
    comparison = compare_with(window, old, "v1.xmile")
    window.view.set_zoom(2.0)
    window.view.centerOn(-2000, -2000)
    tree = comparison.panel.tree
    changed = tree.topLevelItem(1).child(0)
    assert changed.text(0).startswith("~ link")
    rect = tree.visualItemRect(changed)
    QTest.mouseClick(tree.viewport(), LEFT, NO_KEYS, rect.center())
    assert window.scene.selected_ids() == [flipped_id]
    centre = window.scene.link_items[flipped_id].sceneBoundingRect().center()
    assert window.view.visible_scene_rect().contains(centre)
    # a removed line selects nothing
    removed = comparison.panel.item_for_line(f"- variable '{REMOVED_NAME}'")
    QTest.mouseClick(tree.viewport(), LEFT, NO_KEYS, tree.visualItemRect(removed).center())
    assert window.scene.selected_ids() == [flipped_id]


def test_clear_comparison_removes_marks_and_ghosts(window):
    doc = window.doc
    old, _ = older_version(doc)
    comparison = compare_with(window, old, "v1.xmile")
    ghosts = list(comparison.ghosts)
    assert ghosts and comparison.clear_action.isEnabled()
    comparison.clear_action.trigger()
    assert not any(g in window.scene.items() for g in ghosts)
    assert all(window.scene.mark_of(eid) is None for eid in (*doc.variables, *doc.links))
    assert comparison.panel.lines() == {}
    assert not comparison.clear_action.isEnabled()
    # edits no longer recompute anything
    perform(window.stack, doc, ops.add_variable(doc, "Later", position=(0.0, 0.0)))
    assert window.scene.mark_of(doc.variable_named("Later").id) is None


def test_comparison_follows_edits_undo_and_redo(window):
    doc = window.doc
    old, _ = older_version(doc)
    comparison = compare_with(window, old, "v1.xmile")
    perform(window.stack, doc, ops.add_variable(doc, "Waiting list", position=(1000.0, 500.0)))
    new_id = doc.variable_named("Waiting list").id
    assert window.scene.mark_of(new_id) == QColor(ADDED)
    assert "+ variable 'Waiting list'" in comparison.panel.lines()["Added"]
    window.stack.undo()
    assert "+ variable 'Waiting list'" not in comparison.panel.lines()["Added"]
    # putting the removed variable back makes its ghost and line go
    perform(window.stack, doc, ops.add_variable(doc, REMOVED_NAME, position=(100.0, 650.0)))
    assert REMOVED_NAME not in ghost_texts(comparison)
    assert f"- variable '{REMOVED_NAME}'" not in comparison.panel.lines()["Removed"]
    window.stack.undo()
    assert ghost_texts(comparison) == [REMOVED_NAME]


def test_opening_another_map_ends_the_comparison(window):
    old, _ = older_version(window.doc)
    comparison = compare_with(window, old, "v1.xmile")
    first_doc = window.doc
    window.session.new()
    assert comparison.other is None and comparison.ghosts == []
    assert comparison.panel.lines() == {}
    first_doc.apply(ops.add_variable(first_doc, "Unseen", position=(0.0, 0.0)))  # no longer followed
    assert window.scene.items() == []


def test_compare_with_a_file_and_an_unreadable_one(window, tmp_path, monkeypatch):
    old, _ = older_version(window.doc)
    good = tmp_path / "social_care_v1.xmile"
    save(old, good)
    broken = tmp_path / "broken.xmile"
    broken.write_text("this is not a map", encoding="utf-8")
    comparison = window.comparison
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    comparison.choose_path = lambda: str(broken)
    comparison.compare_action.trigger()
    (warning,) = warnings
    assert "\n" not in warning and "broken.xmile:1:1: not well-formed XML" in warning
    comparison.choose_path = lambda: str(tmp_path / "missing.xmile")
    comparison.compare_action.trigger()
    assert len(warnings) == 2 and "missing.xmile" in warnings[1] and "\n" not in warnings[1]
    assert comparison.other is None
    comparison.choose_path = lambda: str(good)
    comparison.compare_action.trigger()
    assert comparison.panel.header.text().startswith("Compared with social_care_v1.xmile: ")
    comparison.choose_path = lambda: ""  # cancelled: the comparison stays
    comparison.compare_action.trigger()
    assert comparison.other is not None


def test_same_map_shows_no_differences(window):
    comparison = compare_with(window, window.doc.copy(), "same.xmile")
    assert comparison.panel.header.text() == "Compared with same.xmile: no differences"
    assert comparison.ghosts == []
    assert all(window.scene.mark_of(eid) is None for eid in window.doc.variables)


def test_workshop_changes_are_listed_and_lead_to_their_variable(window):
    from sysmap.model.workshop import set_votes

    doc = window.doc
    old, _ = older_version(doc)
    comparison = compare_with(window, old, "v1.xmile")
    (ghost,) = [g for g in comparison.ghosts if hasattr(g, "rect")]
    assert (ghost.pos().x(), ghost.pos().y()) == old.variable_named(REMOVED_NAME).position
    caseload = doc.variable_named("Caseload")
    perform(window.stack, doc, set_votes(doc, {caseload.id: 3}))
    assert comparison.panel.lines()["Workshop"] == ["~ votes 'Caseload': dots 0 → 3"]
    assert window.scene.mark_of(caseload.id) is None  # a vote is no change to the map's content
    assert comparison.panel.header.text().endswith(", 1 workshop change")
    line = comparison.panel.item_for_line("~ votes 'Caseload': dots 0 → 3")
    tree = comparison.panel.tree
    QTest.mouseClick(tree.viewport(), LEFT, NO_KEYS, tree.visualItemRect(line).center())
    assert window.scene.selected_ids() == [caseload.id]


def test_a_large_map_is_compared_again_once_edits_pause(window, qtbot, monkeypatch):
    monkeypatch.setattr(compare, "DEBOUNCE_FROM", 1)  # the example counts as large
    old, _flipped = older_version(window.doc)
    comparison = compare_with(window, old, "older.xmile")
    before = comparison.header()
    new = window.doc.add_variable("Agency staff budget", position=(900, 900))
    assert comparison.header() == before  # not yet: the edit may be one of a burst
    qtbot.waitUntil(lambda: comparison.header() != before, timeout=3000)
    assert window.scene.mark_of(new.id) == QColor(ADDED)
