"""Workshop › Edit Presentation…: a facilitator reorders, captions and annotates the steps,
saves the map, reopens it and presents the edited sequence; every change undoes in one step."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from shots import shots_dir

from sysmap.analysis.narration import default_sequence, presentation_steps
from sysmap.io import load, save
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.presentation import PresentationWindow
from sysmap.ui.workshop.sequence_editor import row_text, selection_slides

ROOT = Path(__file__).resolve().parents[3]
SOCIAL = ROOT / "examples" / "social_care_workload.xmile"
SIR = ROOT / "examples" / "sir_epidemic.xmile"
SHOTS = shots_dir("A")


def open_window(qtbot, path):
    window = MainWindow(load(path), str(path))
    qtbot.addWidget(window)
    window.session.ask_save = lambda *a: "discard"
    editor = window.sequence_editor
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.presentation_dock.show()
    return window, editor


@pytest.fixture
def shown(qtbot):
    return open_window(qtbot, SOCIAL)


def rows(editor) -> list[str]:
    return [editor.steps.item(i).text() for i in range(editor.steps.count())]


def move_row(qtbot, editor, source: int, before: int) -> None:
    """Move a row as a drag does (the list model's move), and wait for it to be saved."""
    model = editor.steps.model()
    stack = editor.main.session.undo_stack
    count = stack.count()
    assert model.moveRow(QModelIndex(), source, QModelIndex(), before)
    qtbot.waitUntil(lambda: stack.count() == count + 1)


def type_caption(qtbot, editor, text: str) -> None:
    editor.caption.setFocus()
    editor.caption.selectAll()
    QTest.keyClicks(editor.caption, text)
    QTest.keyClick(editor.caption, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_the_dock_lists_the_automatic_order_until_something_is_changed(shown):
    window, editor = shown
    steps = default_sequence(window.doc)
    assert editor.steps.count() == len(steps)
    assert rows(editor)[0] == row_text(0, steps[0])
    assert rows(editor)[0].startswith("1  Variable · ")
    loop_row = next(r for r in rows(editor) if "  Loop · " in r)
    assert ": As " in loop_row
    assert "not saved" in editor.state.text()
    assert not window.doc.presentation
    assert not editor.automatic.isEnabled()


def test_edit_save_reopen_present_and_undo(qtbot, shown, tmp_path):
    window, editor = shown
    doc = window.doc
    before = [r.split("  ", 1)[1] for r in rows(editor)]
    move_row(qtbot, editor, 2, 0)  # the third step to the top
    assert len(doc.presentation) == len(before)
    after = [r.split("  ", 1)[1] for r in rows(editor)]
    assert after[0] == before[2] and after[1:3] == before[0:2]
    editor.steps.setCurrentRow(0)
    type_caption(qtbot, editor, "Start with the link")
    assert doc.presentation[0].caption == "Start with the link"
    assert rows(editor)[0] == "1  Link · Start with the link"
    editor.notes.setFocus()
    QTest.keyClicks(editor.notes, "Point at the arrow")
    editor.steps.setFocus()  # leaving the box commits
    assert doc.presentation[0].notes == "Point at the arrow"
    assert editor.steps.currentRow() == 0

    path = tmp_path / "edited.xmile"
    save(doc, path)
    reopened = load(path)
    steps = presentation_steps(reopened)
    assert steps[0].caption == "Start with the link" and steps[0].notes == "Point at the arrow"
    room = PresentationWindow(reopened)
    qtbot.addWidget(room)
    room.show()
    assert room.caption.text() == "Start with the link"
    assert room.steps[0].kind == "link"
    QTest.keyClick(room, Qt.Key.Key_Right)
    assert room.caption.text() == before[0].split(" · ", 1)[1]

    # each change was one undo step: notes, caption, move, then nothing saved
    stack = window.session.undo_stack
    stack.undo()
    assert doc.presentation[0].notes == "" and doc.presentation[0].caption == "Start with the link"
    stack.undo()
    assert doc.presentation[0].caption == ""
    assert rows(editor)[0].startswith("1  Link · ")
    stack.undo()
    assert not doc.presentation
    assert [r.split("  ", 1)[1] for r in rows(editor)] == before
    stack.redo()
    assert [r.split("  ", 1)[1] for r in rows(editor)] == after


def test_choosing_a_step_lights_it_on_the_canvas_and_hiding_clears(qtbot, shown):
    window, editor = shown
    loop = next(i for i, r in enumerate(rows(editor)) if "  Loop · " in r)
    editor.steps.setCurrentRow(loop)
    step = default_sequence(window.doc)[loop]
    assert set(step.ids) <= window.scene.highlighted()
    link = next(i for i, r in enumerate(rows(editor)) if "  Link · " in r)
    editor.steps.setCurrentRow(link)
    (lid,) = default_sequence(window.doc)[link].ids
    ends = {window.doc.links[lid].source, window.doc.links[lid].target}
    assert window.scene.highlighted() == {lid} | ends
    assert editor.caption.placeholderText() == default_sequence(window.doc)[link].caption
    window.presentation_dock.hide()
    assert window.scene.highlighted() is None


def test_add_selection_delete_and_automatic_order(qtbot, shown):
    window, editor = shown
    doc = window.doc
    label = next(lb for lb in doc.loop_labels.values() if lb.loop and len(lb.loop) == 2)
    window.scene.select_ids(label.loop)
    editor.steps.setCurrentRow(0)
    editor.add_selection.click()
    assert doc.presentation[1].kind == "loop"
    assert set(label.loop) | {label.id} <= set(doc.presentation[1].items)
    assert rows(editor)[1].startswith(f"2  Loop · {label.text}: As ")
    assert editor.steps.currentRow() == 1
    n = len(doc.presentation)
    editor.delete.click()
    assert len(doc.presentation) == n - 1
    window.scene.select_ids([])
    editor.add_selection.click()
    assert len(doc.presentation) == n - 1
    assert "Select variables or links" in window.statusBar().currentMessage()
    assert editor.automatic.isEnabled()
    editor.automatic.click()
    assert not doc.presentation and "not saved" in editor.state.text()
    window.session.undo_stack.undo()
    assert len(doc.presentation) == n - 1


def test_selection_rules():
    from sysmap.model import SystemMap

    doc = SystemMap()
    a, b, c = (doc.add_variable(name).id for name in ("Workload", "Overtime", "Morale"))
    ab, ba = doc.add_link(a, b, polarity="+").id, doc.add_link(b, a, polarity="-").id
    assert [(s.kind, s.items) for s in selection_slides(doc, [a])] == [("variable", (a,))]
    assert [(s.kind, s.items) for s in selection_slides(doc, [ab, ba])] == [("link", (ab, ba))]
    (loop,) = selection_slides(doc, [b, a])
    assert loop.kind == "loop" and set(loop.items) == {a, b, ab, ba}
    (loop,) = selection_slides(doc, [a, b, ab])  # links of a selected loop go with it
    assert loop.kind == "loop"
    assert [(s.kind, s.items) for s in selection_slides(doc, [a, c])] == [
        ("variable", (a,)),
        ("variable", (c,)),
    ]
    assert [s.kind for s in selection_slides(doc, [c, ab])] == ["variable", "link"]
    assert selection_slides(doc, []) == []


def test_generate_from_the_selected_variable(qtbot, shown):
    window, editor = shown
    start = list(window.doc.variables)[-1]
    window.scene.select_ids([start])
    editor.generate.click()
    assert window.doc.presentation[0].items == (start,)
    assert rows(editor)[0] == f"1  Variable · {window.doc.variables[start].label}"


def test_by_dominance_orders_the_loops_in_the_background(qtbot):
    window, editor = open_window(qtbot, SIR)
    editor.by_dominance.click()
    assert not editor.by_dominance.isEnabled()
    qtbot.waitUntil(lambda: editor.by_dominance.isEnabled(), timeout=30000)
    loops = [r for r in rows(editor) if "  Loop · " in r]
    assert [r.split(" · ", 1)[1][:3] for r in loops] == ["R1:", "B1:", "B2:"]
    assert "dominance" in window.statusBar().currentMessage()
    assert window.session.undo_stack.count() == 1


def test_by_dominance_on_a_map_without_equations_says_why(qtbot, shown):
    window, editor = shown
    editor.by_dominance.click()
    qtbot.waitUntil(lambda: editor.by_dominance.isEnabled(), timeout=30000)
    message = window.statusBar().currentMessage()
    assert "equation" in message and "\n" not in message
    assert not window.doc.presentation


def test_renames_and_document_replacement_refresh_the_list(qtbot, shown, tmp_path):
    window, editor = shown
    from sysmap.model.operations import rename_variable
    from sysmap.ui.commands import perform

    editor.steps.setCurrentRow(3)
    vid = default_sequence(window.doc)[0].ids[0]
    perform(
        window.session.undo_stack, window.doc, rename_variable(window.doc, vid, "Pressure on social workers")
    )
    assert rows(editor)[0] == "1  Variable · Pressure on social workers"
    assert editor.steps.currentRow() == 3
    window.open_file(str(SIR))
    assert editor.steps.count() == len(default_sequence(window.doc))
    assert window.doc.variables[default_sequence(window.doc)[0].ids[0]].label in rows(editor)[0]


def test_a_caption_no_file_can_hold_is_refused_in_one_line(qtbot, shown):
    window, editor = shown
    editor.steps.setCurrentRow(1)
    editor.caption.setFocus()
    editor.caption.setPlainText("bell \x07 here")  # as pasted: QTest cannot type it
    QTest.keyClick(editor.caption, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not window.doc.presentation
    assert window.session.undo_stack.count() == 0
    assert "control character" in window.statusBar().currentMessage()


def test_changes_while_hidden_show_when_it_opens_again(qtbot, shown):
    from sysmap.model.operations import rename_variable
    from sysmap.ui.commands import perform

    window, editor = shown
    window.presentation_dock.hide()
    vid = default_sequence(window.doc)[0].ids[0]
    perform(window.session.undo_stack, window.doc, rename_variable(window.doc, vid, "Strain"))
    window.presentation_dock.show()
    assert rows(editor)[0] == "1  Variable · Strain"


def test_present_from_here(qtbot, shown):
    window, editor = shown
    editor.steps.setCurrentRow(4)
    editor.present_here.click()
    room = window.presentation
    assert room.step == 4 and room.isVisible()
    QTest.keyClick(room, Qt.Key.Key_Escape)


def test_menu_actions(qtbot, shown, tmp_path, monkeypatch):
    window, editor = shown
    window.presentation_dock.hide()
    texts = {a.text(): a for a in window.workshop_menu.actions()}
    edit = texts["Edit &Presentation…"]
    assert edit.shortcut().toString() == "Ctrl+Shift+P"
    assert texts["P&resent"].shortcut().isEmpty()
    edit.trigger()
    assert window.presentation_dock.isVisible()
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "out.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    texts["Export &Handout (PDF)…"].trigger()
    n = len(presentation_steps(window.doc))
    assert target.is_file()
    assert window.statusBar().currentMessage() == f"Wrote {n + 1} pages to {target}"
    folder = tmp_path / "frames"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    texts["Export &Frames (PNG)…"].trigger()
    assert len(list(folder.glob("frame-*.png"))) == n
    assert window.statusBar().currentMessage() == f"Wrote {n} frames to {folder}"
    bad = tmp_path / "missing" / "out.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    texts["Export &Handout (PDF)…"].trigger()
    assert "cannot write" in window.statusBar().currentMessage()


def test_render_the_dock(qtbot, shown):
    window, editor = shown
    editor.steps.setCurrentRow(4)
    assert window.grab().save(str(SHOTS / "sequence_editor_window.png"))
    assert window.presentation_dock.grab().save(str(SHOTS / "sequence_editor_dock.png"))
