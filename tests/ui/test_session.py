"""The document session: titles, saving, recent files, closing with unsaved changes, autosave and
recovery after a crash (a real process killed with SIGKILL)."""

import inspect
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from sysmap.errors import SysmapError
from sysmap.io import load, save, xmile
from sysmap.io.xmile import dumps
from sysmap.model import Kind, SystemMap
from sysmap.model import operations as ops
from sysmap.ui.commands import perform
from sysmap.ui.session import Recovery, Session, ask_save_changes, save_changes_box


def apply_edits(session):
    """What the user does in the crash test (run there in a child process, and here for the expected map)."""
    from sysmap.model import operations as ops
    from sysmap.ui.commands import perform

    doc, stack = session.doc, session.undo_stack
    mic = doc.variable_named("microphone signal")
    perform(stack, doc, ops.add_variable(doc, "Room echo", position=(120.5, 240.25)))
    echo = doc.variable_named("room echo")
    perform(stack, doc, ops.add_link(doc, echo.id, mic.id, polarity="-", curvature=0.2))
    perform(stack, doc, ops.move(doc, {mic.id: (-40.0, 15.5)}))
    perform(stack, doc, ops.rename_variable(doc, mic.id, "Mic signal"))
    perform(stack, doc, ops.set_name(doc, "Howl, edited"))


@pytest.fixture
def map_file(tmp_path):
    doc = SystemMap(name="Howl")
    mic = doc.add_variable("Microphone signal", position=(0, 0))
    amp = doc.add_variable(
        "Amplified signal", kind=Kind.AUX, equation="microphone_signal * 10", position=(200, 0)
    )
    doc.add_link(mic.id, amp.id, polarity="+")
    doc.add_link(amp.id, mic.id, polarity="+", curvature=0.3)
    path = tmp_path / "howl.xmile"
    save(doc, path)
    return path


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def recovery_dir(tmp_path):
    return tmp_path / "recovery"


@pytest.fixture
def make_session(qapp, settings, recovery_dir):
    made = []

    def make(doc=None, path=None, **kwargs):
        kwargs.setdefault("autosave_interval", None)
        kwargs.setdefault("recovery_dir", recovery_dir)
        session = Session(doc, path, settings=settings, **kwargs)
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()


@pytest.fixture
def opened(make_session, map_file):
    session = make_session()
    session.open(map_file)
    return session


def same(a: SystemMap, b: SystemMap) -> bool:
    """Whether two maps hold the same (a file read back gets new element ids, so compare the XMILE)."""
    return dumps(a) == dumps(b)


def add_variable(session, name="Feedback"):
    perform(session.undo_stack, session.doc, ops.add_variable(session.doc, name, position=(50, 50)))


# -- titles and modified state ---------------------------------------------------------------------


def test_title_marks_unsaved_changes_and_undo_clears_them(opened, qtbot):
    assert opened.title() == "Howl — sysmap" and not opened.is_modified()
    with (
        qtbot.waitSignal(opened.modifiedChanged) as modified,
        qtbot.waitSignal(opened.titleChanged) as title,
    ):
        add_variable(opened)
    assert modified.args == [True] and title.args == ["Howl* — sysmap"]
    with qtbot.waitSignal(opened.titleChanged) as title:
        opened.undo_stack.undo()
    assert title.args == ["Howl — sysmap"] and not opened.is_modified()
    with qtbot.waitSignal(opened.titleChanged) as title:
        perform(opened.undo_stack, opened.doc, ops.set_name(opened.doc, "Larsen effect"))
    assert title.args == ["Larsen effect* — sysmap"]


def test_untitled_and_unnamed_maps(make_session, tmp_path):
    session = make_session()
    assert session.title() == "Untitled — sysmap" and session.path is None
    assert session.suggested_path().endswith("Untitled.xmile")
    session.save_as(tmp_path / "my map.xmile")
    assert session.title() == "my map — sysmap"


# -- saving ----------------------------------------------------------------------------------------


def test_save_as_writes_the_map_and_marks_it_saved(opened, tmp_path, qtbot):
    add_variable(opened)
    target = tmp_path / "copy.xmile"
    with qtbot.waitSignal(opened.modifiedChanged) as modified:
        assert opened.save_as(target) == []
    assert modified.args == [False]
    assert same(load(target), opened.doc)
    assert opened.path == str(target) and opened.title() == "Howl — sysmap"
    assert opened.recent_files()[0] == str(target)
    add_variable(opened, "Second")
    opened.save()
    assert same(load(target), opened.doc) and not opened.is_modified()


def test_save_without_a_file_asks_for_save_as(make_session):
    session = make_session()
    add_variable(session)
    with pytest.raises(SysmapError, match="no file yet"):
        session.save()
    assert session.is_modified()


def test_a_failed_save_keeps_the_old_file_and_the_changes(opened, map_file, monkeypatch, tmp_path):
    before = map_file.read_bytes()
    add_variable(opened)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sysmap.io.atomic.os.fsync", disk_full)
    with pytest.raises(SysmapError) as caught:
        opened.save()
    assert str(caught.value) == f"{map_file}: cannot save (No space left on device)"
    assert map_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["howl.xmile", "settings.ini"]  # no temporary file
    assert opened.is_modified()
    monkeypatch.undo()
    with pytest.raises(SysmapError, match="^.*nowhere/map.xmile: cannot save"):
        opened.save_as(tmp_path / "nowhere" / "map.xmile")
    with pytest.raises(SysmapError, match="unknown file type '.txt'"):
        opened.save_as(tmp_path / "map.txt")
    assert opened.path == str(map_file) and opened.is_modified()


def test_graphml_saves_a_causal_map_but_only_exports_a_stock_and_flow_model(make_session, tmp_path):
    cld = make_session()
    add_variable(cld)
    assert cld.save_as(tmp_path / "cld.graphml") == []
    assert cld.path == str(tmp_path / "cld.graphml") and not cld.is_modified()

    sfd = make_session()
    doc = sfd.doc
    perform(sfd.undo_stack, doc, ops.add_variable(doc, "Water", kind=Kind.STOCK, equation="50"))
    perform(sfd.undo_stack, doc, ops.add_variable(doc, "Drain", kind=Kind.FLOW, equation="water / 5"))
    water, drain = doc.variable_named("water"), doc.variable_named("drain")
    perform(sfd.undo_stack, doc, ops.attach_flow(doc, drain.id, source=water.id, sink=None))
    warnings = sfd.save_as(tmp_path / "sfd.graphml")
    assert warnings and "not the simulation model" in " ".join(warnings)
    assert (tmp_path / "sfd.graphml").is_file()
    assert sfd.path is None and sfd.is_modified()  # nothing holds the whole model yet


# -- opening ---------------------------------------------------------------------------------------


def test_open_replaces_the_document(make_session, map_file, qtbot):
    session = make_session()
    add_variable(session)
    with qtbot.waitSignal(session.documentReplaced) as replaced:
        session.open(map_file)
    assert replaced.args[0] is session.doc and session.doc.name == "Howl"
    assert session.undo_stack.count() == 0 and not session.is_modified()
    assert session.path == str(map_file) and session.recent_files() == [str(map_file)]
    add_variable(session)  # the new document is followed
    assert session.is_modified()


@pytest.mark.parametrize("content", [None, "<notxmile/>", "<xmile><unclosed>"])
def test_a_file_that_cannot_be_opened_keeps_the_current_map(opened, tmp_path, content, qtbot):
    bad = tmp_path / "bad.xmile"
    if content is not None:
        bad.write_text(content)
    add_variable(opened)
    before = opened.doc
    with qtbot.assertNotEmitted(opened.documentReplaced), pytest.raises(SysmapError) as caught:
        opened.open(bad)
    message = str(caught.value)
    assert message.startswith(str(bad)) and "\n" not in message
    assert opened.doc is before and opened.is_modified() and opened.path.endswith("howl.xmile")
    assert str(bad) not in opened.recent_files()


def test_new_gives_an_empty_untitled_map(opened, qtbot):
    add_variable(opened)
    with qtbot.waitSignal(opened.documentReplaced):
        opened.new()
    assert len(opened.doc.variables) == 0 and opened.path is None
    assert opened.title() == "Untitled — sysmap" and not opened.is_modified()


# -- recent files ----------------------------------------------------------------------------------


def test_recent_files_most_recent_first_at_most_ten_and_only_existing(make_session, tmp_path, settings):
    session = make_session()
    files = []
    for i in range(12):
        path = tmp_path / f"map{i}.xmile"
        path.write_text("x")
        files.append(str(path))
        session.add_recent(path)
    assert session.recent_files() == files[::-1][:10]
    session.add_recent(files[5])
    assert session.recent_files()[:2] == [files[5], files[11]]
    os.remove(files[11])
    assert files[11] not in session.recent_files()
    other = make_session()  # another window sees the same list
    assert other.recent_files() == session.recent_files()
    settings.sync()
    assert settings.value("recentFiles")[0] == files[5]


# -- closing with unsaved changes ------------------------------------------------------------------


def never_asked(*args):
    raise AssertionError("nothing should be asked")


def test_closing_a_saved_map_asks_nothing(opened):
    opened.ask_save = never_asked
    assert opened.maybe_close(None)


def test_cancel_keeps_the_map_open(opened):
    add_variable(opened)
    asked = []
    opened.ask_save = lambda parent, name: asked.append(name) or "cancel"
    assert not opened.maybe_close(None)
    assert asked == ["Howl"] and opened.is_modified()


def test_discard_closes_and_removes_the_recovery_file(opened, map_file):
    add_variable(opened)
    assert opened.autosave() and opened.recovery_path.is_file()
    before = map_file.read_bytes()
    opened.ask_save = lambda parent, name: "discard"
    assert opened.maybe_close(None)
    assert not opened.recovery_path.exists()
    assert map_file.read_bytes() == before


def answer_dialog(qtbot, act):
    """Once the modal dialog is up, do ``act(dialog)`` to it as the user would."""

    def later():
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        act(dialog)

    QTimer.singleShot(0, later)


@pytest.mark.parametrize(
    ("act", "answer"),
    [
        (lambda box: QTest.keyClick(box, Qt.Key.Key_Escape), "cancel"),
        (lambda box: QTest.keyClick(box, Qt.Key.Key_Return), "save"),
        (lambda box: box.button(QMessageBox.StandardButton.Discard).click(), "discard"),
        (lambda box: box.close(), "cancel"),
    ],
)
def test_the_save_changes_dialog(qtbot, act, answer):
    box = save_changes_box(None, "Howl")
    assert box.text() == "Save changes to \u201cHowl\u201d before closing?"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Save)
    box.deleteLater()
    answer_dialog(qtbot, act)
    assert ask_save_changes(None, "Howl") == answer


def test_closing_through_the_real_dialog(opened, qtbot):
    add_variable(opened)
    answer_dialog(qtbot, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    assert not opened.maybe_close(None) and opened.is_modified()
    answer_dialog(qtbot, lambda box: QTest.keyClick(box, Qt.Key.Key_Return))  # Save, the default
    assert opened.maybe_close(None) and not opened.is_modified()


def test_save_on_close_saves_to_the_file(opened, map_file):
    add_variable(opened)
    opened.ask_save = lambda parent, name: "save"
    opened.choose_save_path = never_asked
    assert opened.maybe_close(None)
    assert same(load(map_file), opened.doc)


def test_save_on_close_asks_where_for_a_new_map(make_session, tmp_path):
    session = make_session()
    add_variable(session)
    session.ask_save = lambda parent, name: "save"
    session.choose_save_path = lambda parent, suggested: None  # the dialog is cancelled
    assert not session.maybe_close(None)
    offered = []
    session.choose_save_path = lambda parent, suggested: (
        offered.append(suggested) or str(tmp_path / "new.xmile")
    )
    assert session.maybe_close(None)
    assert offered[0].endswith("Untitled.xmile")
    assert same(load(tmp_path / "new.xmile"), session.doc)


def test_a_save_on_close_that_fails_is_reported_and_the_map_stays_open(make_session, tmp_path):
    session = make_session()
    add_variable(session)
    shown = []
    session.ask_save = lambda parent, name: "save"
    session.choose_save_path = lambda parent, suggested: str(tmp_path / "missing" / "map.xmile")
    session.report_error = lambda parent, title, message: shown.append(message)
    assert not session.maybe_close(None)
    assert len(shown) == 1 and "missing/map.xmile: cannot save" in shown[0]
    assert session.is_modified()


# -- autosave --------------------------------------------------------------------------------------


def test_autosave_writes_a_recovery_file_while_there_are_unsaved_changes(
    make_session, map_file, recovery_dir, qtbot
):
    session = make_session(autosave_interval=0.05)
    session.open(map_file)
    qtbot.wait(150)
    assert not recovery_dir.exists() or list(recovery_dir.iterdir()) == []  # nothing to recover yet
    add_variable(session)
    qtbot.waitUntil(lambda: session.recovery_path.with_suffix(".json").is_file(), timeout=5000)
    assert same(load(session.recovery_path), session.doc)
    sidecar = json.loads(session.recovery_path.with_suffix(".json").read_text())
    assert sidecar["original"] == str(map_file) and sidecar["pid"] == os.getpid()
    assert Session.pending_recoveries(recovery_dir) == []  # this process is alive
    add_variable(session, "Later")
    qtbot.waitUntil(lambda: same(load(session.recovery_path), session.doc), timeout=5000)

    session.save()
    assert list(recovery_dir.iterdir()) == []  # a clean save removes it
    add_variable(session, "Again")
    qtbot.waitUntil(lambda: session.recovery_path.with_suffix(".json").is_file(), timeout=5000)
    session.undo_stack.undo()  # back to the saved state
    assert not session.recovery_path.exists()
    session.undo_stack.redo()
    assert session.autosave()
    session.close()  # a normal exit
    assert list(recovery_dir.iterdir()) == []


def test_two_sessions_do_not_share_a_recovery_file(make_session, map_file):
    first, second = make_session(), make_session()
    first.open(map_file)
    second.open(map_file)
    add_variable(first, "Only in first")
    add_variable(second, "Only in second")
    assert first.autosave() and second.autosave()
    assert first.recovery_path != second.recovery_path
    assert load(first.recovery_path).variable_named("only in first") is not None
    assert load(second.recovery_path).variable_named("only in first") is None


def test_an_autosave_failure_is_reported_once_and_never_raised(make_session, tmp_path, qtbot):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    session = make_session(recovery_dir=blocked / "recovery")
    add_variable(session)
    with qtbot.waitSignal(session.autosaveFailed) as failed:
        assert not session.autosave()
    assert "Autosave" in failed.args[0] and "\n" not in failed.args[0]
    add_variable(session, "More")
    with qtbot.assertNotEmitted(session.autosaveFailed):
        assert not session.autosave()


def test_a_failing_background_autosave_is_reported(make_session, tmp_path, qtbot):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    session = make_session(recovery_dir=blocked / "recovery", autosave_interval=0.05)
    with qtbot.waitSignal(session.autosaveFailed, timeout=5000) as failed:
        add_variable(session)
    assert str(blocked) in failed.args[0]


def test_saving_while_a_background_autosave_runs_leaves_no_recovery_file(
    make_session, tmp_path, recovery_dir, monkeypatch, qtbot
):
    started, release = threading.Event(), threading.Event()
    real_dumps = xmile.dumps

    def slow_dumps(doc):
        started.set()
        release.wait(10)
        return real_dumps(doc)

    monkeypatch.setattr(xmile, "dumps", slow_dumps)
    session = make_session(autosave_interval=0.05)
    add_variable(session)
    qtbot.waitUntil(started.is_set, timeout=5000)  # the autosave thread is writing
    monkeypatch.setattr(xmile, "dumps", real_dumps)
    session.save_as(tmp_path / "saved.xmile")
    release.set()
    qtbot.waitUntil(lambda: not session._busy, timeout=5000)
    assert not session.is_modified()
    assert not recovery_dir.exists() or list(recovery_dir.iterdir()) == []


# -- recovery --------------------------------------------------------------------------------------


def fake_recovery(directory, pid, started=None, name="rec"):
    directory.mkdir(parents=True, exist_ok=True)
    doc = SystemMap(name="Recovered")
    doc.add_variable("Something")
    save(doc, directory / f"{name}.xmile")
    info = {"map": f"{name}.xmile", "name": "Recovered", "time": "2024-05-01T10:00:00+00:00", "pid": pid}
    if started is not None:
        info["started"] = started
    (directory / f"{name}.json").write_text(json.dumps(info))
    return doc


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_recoveries_of_ended_processes_are_found_and_live_ones_left_alone(recovery_dir):
    fake_recovery(recovery_dir, os.getpid(), name="alive")
    assert Session.pending_recoveries(recovery_dir) == []
    expected = fake_recovery(recovery_dir, dead_pid(), name="dead")
    # this pid, but a process that started at another time: the pid was reused after a crash
    fake_recovery(recovery_dir, os.getpid(), started="1", name="reused")
    (recovery_dir / "broken.json").write_text("{not json")
    (recovery_dir / "escape.json").write_text(
        json.dumps({"map": "../x.xmile", "time": "2024-05-01", "pid": 1})
    )
    found = Session.pending_recoveries(recovery_dir)
    assert sorted(r.path.name for r in found) == ["dead.xmile", "reused.xmile"]
    assert all(r.title() == "Recovered" and r.original is None for r in found)
    dead = next(r for r in found if r.path.name == "dead.xmile")
    assert same(load(dead.path), expected)
    dead.discard()
    assert not dead.path.exists() and not dead.sidecar.exists()
    assert (recovery_dir / "alive.xmile").exists()
    assert Session.pending_recoveries(recovery_dir / "not there") == []


CRASH_SCRIPT = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from sysmap.ui.session import Session

app = QGuiApplication(sys.argv[:1])
recovery_dir, map_path, settings_path = sys.argv[1:4]
session = Session(
    autosave_interval=0.2,
    recovery_dir=recovery_dir,
    settings=QSettings(settings_path, QSettings.Format.IniFormat),
)
session.open(map_path)
apply_edits(session)
sidecar = session.recovery_path.with_suffix(".json")

def report():
    if sidecar.exists():
        print("AUTOSAVED", flush=True)
        timer.stop()

timer = QTimer()
timer.timeout.connect(report)
timer.start(20)
app.exec()
"""


def test_a_killed_process_leaves_a_recovery_that_restores_the_same_map(
    repo, map_file, recovery_dir, tmp_path, settings, qapp
):
    script = textwrap.dedent(inspect.getsource(apply_edits)) + CRASH_SCRIPT
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(recovery_dir), str(map_file), str(tmp_path / "child.ini")],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        assert line.strip() == "AUTOSAVED", proc.stderr.read() if proc.poll() is not None else "no autosave"
        time.sleep(0.5)  # let it autosave again, or not: a crash can come at any moment
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    expected = Session(load(map_file), str(map_file), recovery_dir=tmp_path / "unused", settings=settings)
    apply_edits(expected)
    [recovery] = Session.pending_recoveries(recovery_dir)
    assert recovery.original == str(map_file) and recovery.title() == "Howl, edited"
    assert isinstance(recovery, Recovery) and recovery.time.year >= 2024

    restored = recovery.restore(settings=settings, autosave_interval=None)
    try:
        assert same(restored.doc, expected.doc)
        assert restored.path == str(map_file) and restored.is_modified()
        assert restored.title() == "Howl, edited* — sysmap"
        assert not recovery.path.exists() and not recovery.sidecar.exists()
        assert restored.recovery_path.is_file()  # the restored map is protected at once
        assert Session.pending_recoveries(recovery_dir) == []
        restored.save()
        assert same(load(map_file), expected.doc)
        assert list(recovery_dir.iterdir()) == []
    finally:
        restored.close()
        expected.close()
