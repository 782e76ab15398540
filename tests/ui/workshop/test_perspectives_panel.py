"""The Perspectives panel as a facilitator uses it: add perspectives, tag, colour, filter, undo."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QColorDialog, QMessageBox
from shots import shots_dir

from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.model import workshop as ws
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.workshop import perspectives_panel
from sysmap.ui.workshop.perspectives_panel import SHARED_COLOUR, PerspectiveDialog

SHOTS = shots_dir("B")
PUBLIC, ANCHOR, RESIDENTS = (p.name for p in ws.STANDARD_PERSPECTIVES)


def small_map() -> SystemMap:
    doc = SystemMap(name="care")
    work = doc.add_variable("Workload", position=(0, 0))
    sick = doc.add_variable("Sick leave", position=(200, 0))
    staff = doc.add_variable("Staff", position=(100, 150))
    doc.add_link(work.id, sick.id, polarity="+", id="k1")
    doc.add_link(sick.id, staff.id, polarity="-", id="k2")
    doc.add_link(staff.id, work.id, polarity="-", id="k3")
    return doc


def open_window(qtbot, doc: SystemMap):
    window = MainWindow(doc)
    qtbot.addWidget(window)
    window.session.ask_save = lambda *a: "discard"
    panel = window.perspectives_panel
    window.show()
    action = next(a for a in window.workshop_menu.actions() if a.text().replace("&", "") == "Perspectives")
    action.trigger()
    assert window.perspectives_dock.isVisible()
    return window, panel


def choose(panel, name: str) -> None:
    row = [p.name for p in panel.doc.perspectives].index(name)
    panel.list.setCurrentRow(row)


def set_mode(panel, mode: str) -> None:
    panel.mode.setCurrentIndex(perspectives_panel.MODES.index(mode))


def var(window, name: str) -> str:
    return window.doc.variable_named(name).id


def test_add_standard_tag_colour_and_undo(qtbot):
    window, panel = open_window(qtbot, small_map())
    assert panel.standard.isVisible() and not panel.tag_button.isEnabled()
    qtbot.mouseClick(panel.standard, Qt.MouseButton.LeftButton)
    assert [p.name for p in window.doc.perspectives] == [PUBLIC, ANCHOR, RESIDENTS]
    assert panel.list.count() == 3 and not panel.standard.isVisible()

    work, sick = var(window, "Workload"), var(window, "Sick leave")
    choose(panel, PUBLIC)
    window.scene.select_ids([work, sick, "k1"])
    qtbot.mouseClick(panel.tag_button, Qt.MouseButton.LeftButton)
    assert ws.members(window.doc, PUBLIC) == {work, sick, "k1"}
    choose(panel, RESIDENTS)
    window.scene.select_ids([sick])
    qtbot.mouseClick(panel.tag_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list.item(0).text() == f"{PUBLIC}\n2 variables · 1 link · 0 loops")

    set_mode(panel, "colour")
    blue = QColor("#1f77b4")
    assert window.scene.mark_of(work) == blue
    assert window.scene.mark_of("k1") == blue
    assert window.scene.link_items["k1"].pen().color() == blue
    assert window.scene.mark_of(sick) == QColor(SHARED_COLOUR)  # two perspectives drew it
    staff = var(window, "Staff")
    assert window.scene.mark_of(staff) is None and window.scene.mark_of("k2") is None

    window.session.undo_stack.undo()  # the Residents tag
    qtbot.waitUntil(lambda: window.scene.mark_of(sick) == blue)
    window.session.undo_stack.undo()  # the Public services tag
    qtbot.waitUntil(lambda: window.scene.mark_of(work) is None)
    assert ws.members(window.doc, PUBLIC) == set()
    window.session.undo_stack.redo()
    qtbot.waitUntil(lambda: window.scene.mark_of(work) == blue)

    qtbot.mouseClick(panel.untag_button, Qt.MouseButton.LeftButton)  # Residents off Sick leave: nothing
    assert "Nothing to change" in panel.status.text()
    choose(panel, PUBLIC)
    qtbot.mouseClick(panel.untag_button, Qt.MouseButton.LeftButton)
    assert ws.members(window.doc, PUBLIC) == {work, "k1"}

    set_mode(panel, "all")
    assert window.scene.mark_of(work) is None and window.scene.highlighted() is None


def test_only_and_what_only_it_sees_light_the_right_elements(qtbot):
    doc = small_map()
    doc.apply(ws.set_perspectives(doc, ws.STANDARD_PERSPECTIVES))
    work, sick = doc.variable_named("Workload").id, doc.variable_named("Sick leave").id
    doc.apply(ws.tag_perspective(doc, [work, sick, "k1"], PUBLIC))
    doc.apply(ws.tag_perspective(doc, [sick, "k2"], RESIDENTS))
    window, panel = open_window(qtbot, doc)
    choose(panel, PUBLIC)
    set_mode(panel, "only")
    assert panel.mode.currentText() == f"Only {PUBLIC}"
    assert window.scene.highlighted() == {work, sick, "k1"}
    set_mode(panel, "unique")
    assert window.scene.highlighted() == ws.unique_to(window.doc)[PUBLIC] == {work, "k1"}
    choose(panel, RESIDENTS)
    assert window.scene.highlighted() == {"k2"}
    assert panel.mode.currentText() == f"What only {RESIDENTS} sees"
    qtbot.waitUntil(
        lambda: (
            "Only it sees: Staff" not in panel.summary.toPlainText()
            and "1 link," in panel.summary.toPlainText()
        )
    )

    window.perspectives_dock.hide()
    assert window.scene.highlighted() is None
    window.perspectives_dock.show()
    assert window.scene.highlighted() == {"k2"}


def test_summary_counts_the_loop_a_perspective_drew(qtbot):
    doc = small_map()
    doc.apply(ws.set_perspectives(doc, [ws.Perspective("Table 1", "#9467bd")]))
    doc.apply(ws.tag_perspective(doc, list(doc.variables) + ["k1", "k2", "k3"], "Table 1"))
    window, panel = open_window(qtbot, doc)
    qtbot.waitUntil(lambda: "1 loop drawn whole" in panel.summary.toPlainText())
    assert "Loop R1: Sick leave → Staff → Workload → Sick leave" in panel.summary.toPlainText()
    qtbot.waitUntil(lambda: panel.list.item(0).text() == "Table 1\n3 variables · 3 links · 1 loop")


def fill_dialog(name: str, description: str = "", colour: str | None = None):
    """Answer the modal perspective dialog, once it is open, as a user would."""

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PerspectiveDialog):
            QTimer.singleShot(20, answer)
            return
        dialog.name.selectAll()
        dialog.name.insert(name)
        dialog.description.setText(description)
        if colour is not None:
            dialog.colour_button.click()
        dialog.ok_button.click()

    QTimer.singleShot(0, answer)


def test_add_and_edit_a_perspective_retags_its_elements(qtbot, monkeypatch):
    window, panel = open_window(qtbot, small_map())
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a: QColor("#ff7f0e"))
    fill_dialog("Table 1", "Nurses", colour="pick")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert window.doc.perspectives == (ws.Perspective("Table 1", "#ff7f0e", "Nurses"),)
    work = var(window, "Workload")
    window.scene.select_ids([work, "k3"])
    qtbot.mouseClick(panel.tag_button, Qt.MouseButton.LeftButton)

    fill_dialog("Ward nurses")
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in window.doc.perspectives] == ["Ward nurses"]
    assert window.doc.variables[work].tags == ("Ward nurses",)
    assert window.doc.links["k3"].tags == ("Ward nurses",)
    assert panel.list.item(0).text().startswith("Ward nurses")
    window.session.undo_stack.undo()
    assert window.doc.variables[work].tags == ("Table 1",)
    assert [p.name for p in window.doc.perspectives] == ["Table 1"]

    fill_dialog(" ")  # an empty name cannot be confirmed: OK is disabled, so cancel instead

    def cancel_empty():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PerspectiveDialog):
            QTimer.singleShot(20, cancel_empty)
            return
        assert not dialog.ok_button.isEnabled()
        dialog.reject()

    QTimer.singleShot(10, cancel_empty)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert len(window.doc.perspectives) == 1

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert window.doc.perspectives == () and window.doc.variables[work].tags == ("Table 1",)
    assert panel.standard.isVisible()


def test_a_refused_name_is_a_message_not_a_traceback(qtbot):
    doc = small_map()
    doc.apply(ws.set_perspectives(doc, [ws.Perspective("A"), ws.Perspective("B")]))
    window, panel = open_window(qtbot, doc)
    fill_dialog("a")  # the same name as the other perspective, spelled in lower case
    choose(panel, "B")
    depth = window.session.undo_stack.count()
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    assert "two perspectives named" in panel.status.text()
    assert window.session.undo_stack.count() == depth


def test_follows_a_replaced_document(qtbot, tmp_path):
    from sysmap.io import save

    window, panel = open_window(qtbot, small_map())
    qtbot.mouseClick(panel.standard, Qt.MouseButton.LeftButton)
    set_mode(panel, "colour")
    other = small_map()
    other.apply(ws.set_perspectives(other, [ws.Perspective("Elsewhere", "#17becf")]))
    work = other.variable_named("Workload").id
    other.apply(ws.tag_perspective(other, [work], "Elsewhere"))
    save(other, tmp_path / "other.xmile")
    window.session.open(tmp_path / "other.xmile")
    assert [panel.list.item(i).text().split("\n")[0] for i in range(panel.list.count())] == ["Elsewhere"]
    assert window.scene.mark_of(work) == QColor("#17becf")
    (k1,) = (
        k for k, link in window.doc.links.items() if link.source == window.doc.variable_named("Workload").id
    )
    window.doc.apply(ws.tag_perspective(window.doc, [k1], "Elsewhere"))
    qtbot.waitUntil(lambda: window.scene.mark_of(k1) == QColor("#17becf"))


def test_picture_of_the_map_coloured_by_perspective(qtbot):
    window, panel = open_window(qtbot, load(example_path("social_care_workload")))
    qtbot.mouseClick(panel.standard, Qt.MouseButton.LeftButton)
    names = [v.name for v in window.doc.variables.values()]
    links = list(window.doc.links)
    groups = {PUBLIC: names[: len(names) // 2], RESIDENTS: names[len(names) // 3 :]}
    for perspective, members in groups.items():
        choose(panel, perspective)
        ids = [var(window, n) for n in members]
        ids += [k for k in links if {window.doc.links[k].source, window.doc.links[k].target} <= set(ids)]
        window.scene.select_ids(ids)
        qtbot.mouseClick(panel.tag_button, Qt.MouseButton.LeftButton)
    window.scene.clearSelection()
    set_mode(panel, "colour")
    qtbot.waitUntil(lambda: "loop" in panel.list.item(0).text())
    window.view.fit()
    window.grab().save(str(SHOTS / "perspectives_colour.png"))
    choose(panel, RESIDENTS)
    set_mode(panel, "unique")
    window.grab().save(str(SHOTS / "perspectives_unique.png"))
    assert (SHOTS / "perspectives_colour.png").exists()
