"""The base of the workshop docks: it follows the window's document through edits, undo and
File › New, acts through the undo stack, and works in the background."""

import pytest

pytest.importorskip("PySide6")

from sysmap.errors import ModelError
from sysmap.model import SystemMap, operations
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.workshop.panel import WorkshopPanel, dock_panel


class Recorder(WorkshopPanel):
    def __init__(self):
        super().__init__()
        self.shown: list = []
        self.changes: list = []
        self.answers: list = []
        self.start_background("test-panel", self.answers.append, lambda: None, 10)

    def document_shown(self) -> None:
        self.shown.append(self.doc)

    def document_changed(self, change) -> None:
        self.changes.append(change)


@pytest.fixture
def window(qtbot):
    doc = SystemMap(name="t")
    doc.add_variable("Workload")
    win = MainWindow(doc)
    qtbot.addWidget(win)
    win.session.ask_save = lambda *a: "discard"
    return win


def test_a_panel_follows_edits_undo_and_a_new_document(window):
    panel = Recorder()
    dock, action = dock_panel(window, panel, "Recorder", "Recorder", "records")
    first = window.doc
    assert panel.shown == [first] and action in window.workshop_menu.actions()
    assert panel.perform(lambda: operations.add_variable(first, "Sick leave"))
    window.undo_action.trigger()
    assert len(panel.changes) == 2
    window.session.new()
    assert panel.shown[-1] is window.doc is not first
    first.add_variable("Morale")  # the old document is no longer followed
    assert len(panel.changes) == 2


def test_a_refused_edit_is_a_message_not_an_error(window):
    panel = Recorder()
    dock_panel(window, panel, "Recorder", "Recorder", "records")

    def refused():
        raise ModelError("a variable named 'Workload' already exists")

    assert not panel.perform(refused)
    assert panel.status.text() == "a variable named 'Workload' already exists"
    assert window.statusBar().currentMessage() == panel.status.text()


def test_background_jobs_run_on_a_copy_and_answer_on_the_gui_thread(window, qtbot):
    panel = Recorder()
    dock, _action = dock_panel(window, panel, "Recorder", "Recorder", "records")
    window.show()
    dock.show()
    panel.submit(lambda doc: (doc is not window.doc, len(doc.variables)), "counting failed", "counting…")
    assert panel.status.text() == "counting…"
    qtbot.waitUntil(lambda: bool(panel.answers), timeout=5000)
    assert panel.answers == [(True, 1)]
    panel.submit(lambda doc: 1 / 0, "counting failed")
    qtbot.waitUntil(lambda: "counting failed" in panel.status.text(), timeout=5000)


def test_a_hidden_panel_works_nothing_out_until_it_is_shown(window, qtbot):
    panel = Recorder()
    runs = []
    panel._rerun = lambda: runs.append(len(window.doc.variables))
    dock, _action = dock_panel(window, panel, "Recorder", "Recorder", "records")
    window.show()
    panel.submit(lambda doc: len(doc.variables), "counting failed")
    panel.schedule()
    window.doc.add_variable("Morale")
    qtbot.wait(50)
    assert not panel.busy and panel.answers == [] and runs == []
    dock.show()  # shown: the work asked for while hidden is done once, on the map as it is now
    assert runs == [2]
    dock.hide()
    dock.show()
    assert runs == [2]  # nothing was asked for meanwhile
