"""Workshop › Merge Tables' Maps…: the room names the tables, confirms near-synonyms, merges
in one undo step and discusses the conflicts listed in a dock."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from sysmap.io import load, save
from sysmap.model import SystemMap
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.workshop.merge_dialog import merge_files, tool_of


def table(name, links):
    doc = SystemMap(name=name)
    for i, (cause, effect, polarity) in enumerate(links):
        ids = [
            (doc.variable_named(n) or doc.add_variable(n, position=(200.0 * j, 120.0 * i))).id
            for j, n in enumerate((cause, effect))
        ]
        doc.add_link(*ids, polarity=polarity)
    return doc


def link_between(doc, cause, effect):
    c, e = doc.variable_named(cause).id, doc.variable_named(effect).id
    (link,) = [k for k in doc.links_from(c) if k.target == e]
    return link


@pytest.fixture
def room(qtbot, tmp_path):
    base = table(
        "Council",
        [
            ("Workload", "Sick leave", "+"),
            ("Staff sickness", "Workload", "+"),
            ("Worklessness", "Demand", "+"),
        ],
    )
    two = table("Table 2", [("workload", "sick leave", "-"), ("Staff sick", "Agency spend", "+")])
    three = table("", [("Worklesness", "Demand", "+"), ("Demand", "Complaints", "+")])
    paths = [tmp_path / "table2.xmile", tmp_path / "riverside.xmile"]
    save(two, paths[0])
    save(three, paths[1])
    window = MainWindow(base)
    qtbot.addWidget(window)
    window.session.ask_save = lambda *a: "discard"  # pytest-qt closes it before teardown
    window.show()
    tool = tool_of(window)
    return window, tool, [str(p) for p in paths]


def test_the_room_confirms_synonyms_renames_a_table_and_merges_in_one_step(qtbot, room):
    window, tool, paths = room
    before = window.doc.copy()
    tool.choose_paths = lambda: paths
    assert tool.action in window.workshop_menu.actions()
    tool.action.trigger()
    dialog = tool.dialog
    assert dialog is not None and dialog.isVisible()
    names = [dialog.name_edits[0].text(), dialog.name_edits[1].text()]
    assert names == ["Table 2", "riverside"]  # the map's name, else the file's stem
    rows = [dialog.candidates_list.item(i) for i in range(dialog.candidates_list.count())]
    assert [r.text().split("   ")[0] for r in rows] == [
        "Table 2's “Staff sick” = our “Staff sickness”?",
        "riverside's “Worklesness” = our “Worklessness”?",
    ]
    # a sure one is ticked, a typo is not: the room decides
    assert [r.checkState() for r in rows] == [Qt.CheckState.Checked, Qt.CheckState.Unchecked]
    dialog.candidates_list.setFocus()
    for row in (0, 1):  # untick the first, tick the second, with the keyboard
        dialog.candidates_list.setCurrentRow(row)
        QTest.keyClick(dialog.candidates_list, Qt.Key.Key_Space)
    assert [r.checkState() for r in rows] == [Qt.CheckState.Unchecked, Qt.CheckState.Checked]
    name = dialog.name_edits[1]
    name.selectAll()
    QTest.keyClicks(name, "Table 2")  # a clash: refused until fixed
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "same name" in dialog.problem.text()
    name.selectAll()
    QTest.keyClicks(name, "Table 3")
    assert ok.isEnabled()
    assert rows[1].text().startswith("Table 3's “Worklesness”")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    doc = window.doc
    assert window.session.undo_stack.count() == 1
    assert doc.variable_named("Staff sick") is not None  # unticked: a variable of its own
    assert doc.variable_named("Worklesness") is None  # ticked: the same as Worklessness
    assert doc.variable_named("Worklessness").tags == ("Table 3",)
    assert [p.name for p in doc.perspectives] == ["Table 2", "Table 3"]
    kept = link_between(doc, "Workload", "Sick leave")
    assert kept.polarity.value == "+" and kept.tags == ("Table 2",)
    added = {doc.variable_named(n).id for n in ("Staff sick", "Agency spend", "Complaints")}
    assert added <= set(window.scene.selected_ids())

    # the conflict is listed; clicking it selects the link on the canvas
    assert tool.dock.isVisible()
    assert tool.panel.conflicts() == ["Workload → Sick leave: + here, − at Table 2"]
    listed = tool.panel.list
    rect = listed.visualItemRect(listed.item(0))
    QTest.mouseClick(
        listed.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )
    assert window.scene.selected_ids() == [kept.id]

    window.session.undo_stack.undo()
    assert window.doc == before
    # the kept link is this map's own: after the undo, Enter on the conflict still finds it
    window.scene.select_ids([])
    listed.setFocus()
    listed.setCurrentRow(0)
    QTest.keyClick(listed, Qt.Key.Key_Return)
    assert window.scene.selected_ids() == [kept.id]


def test_cancel_merges_nothing(qtbot, room):
    window, tool, paths = room
    dialog = merge_files(window, paths)  # asks by default
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert window.session.undo_stack.count() == 0


def test_bad_files_are_reported_one_line_each_and_the_rest_merge(qtbot, room, tmp_path, monkeypatch):
    window, tool, paths = room
    broken = tmp_path / "broken.xmile"
    broken.write_text("<xmile><oops")
    empty = tmp_path / "empty.xmile"
    save(SystemMap(name="Nobody"), empty)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    result = merge_files(
        window, [str(broken), paths[0], str(empty), str(tmp_path / "missing.xmile")], synonyms="none"
    )
    (text,) = shown
    lines = text.splitlines()
    assert lines[0] == "3 files could not be merged:"
    assert lines[1].startswith("broken.xmile") or "broken.xmile" in lines[1]
    assert "empty.xmile: the map is empty" in lines[2]
    assert "missing.xmile" in lines[3] and len(lines) == 4
    assert window.session.undo_stack.count() == 1
    assert window.doc.variable_named("Staff sick") is not None  # no synonyms: not matched
    assert len(result.conflicts) == 1


def test_names_and_synonyms_given_without_a_dialog(qtbot, room):
    window, tool, paths = room
    worklesness = "Worklesness"
    theirs = load(paths[1]).variable_named(worklesness).id  # ids survive saving
    result = merge_files(
        window,
        paths,
        names=[None, "Table 3"],
        synonyms={"Table 3": {theirs: "Worklessness"}},
        provenance=False,
    )
    doc = window.doc
    assert window.doc.perspectives == ()
    assert doc.variable_named(worklesness) is None
    assert ("Table 3", worklesness, doc.variable_named("Worklessness").id) in result.matched
    assert {c.table for c in result.conflicts} == {"Table 2"}


def test_opening_another_map_clears_the_conflicts(qtbot, room, tmp_path):
    window, tool, paths = room
    merge_files(window, paths, synonyms="none")
    assert tool.panel.conflicts()
    other = tmp_path / "other.xmile"
    save(table("Other", [("A", "B", "+")]), other)
    assert window.open_file(str(other))
    assert tool.panel.conflicts() == []


def test_naming_this_maps_table_tags_what_it_holds(qtbot, room):
    window, tool, paths = room
    dialog = merge_files(window, paths)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    QTest.keyClicks(dialog.base_edit, "Table 2")  # the name of an incoming table: refused
    assert not ok.isEnabled() and "same name" in dialog.problem.text()
    dialog.base_edit.clear()
    QTest.keyClicks(dialog.base_edit, "Council table")
    assert ok.isEnabled()
    before = {vid for vid in window.doc.variables}
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    doc = window.doc
    assert [p.name for p in doc.perspectives] == ["Council table", "Table 2", "riverside"]
    assert all("Council table" in doc.variables[vid].tags for vid in before)
    assert all("Council table" not in doc.variables[vid].tags for vid in set(doc.variables) - before)
