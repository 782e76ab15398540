"""The main window opens a map, shows what is selected, and survives a broken file."""

import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QAbstractButton, QListWidget, QMessageBox, QWidget

from sysmap.examples import DEFAULT_EXAMPLE, example_path
from sysmap.io import load, save
from sysmap.model import Kind, SystemMap
from sysmap.ui.mainwindow import MainWindow


@pytest.fixture
def small_map(tmp_path):
    doc = SystemMap(name="Howl")
    mic = doc.add_variable(
        "Microphone signal", position=(0, 0), documentation="What the microphone picks up."
    )
    amp = doc.add_variable(
        "Amplified signal", kind=Kind.AUX, equation="microphone_signal * 10", position=(200, 0)
    )
    doc.add_link(mic.id, amp.id, polarity="+")
    doc.add_link(amp.id, mic.id, polarity="+", curvature=0.3)
    path = tmp_path / "howl.xmile"
    save(doc, path)
    return path


def shown_text(widget: QWidget) -> str:
    """Everything a widget shows as text: labels, fields, editors and lists."""
    parts = []
    for child in widget.findChildren(QWidget):
        if not child.isVisibleTo(widget):
            continue
        for getter in ("text", "toPlainText"):
            value = getattr(child, getter, None)
            if callable(value) and not isinstance(child, QAbstractButton):
                parts.append(value())
                break
        if isinstance(child, QListWidget):
            parts.extend(child.item(i).text() for i in range(child.count()))
    return "\n".join(parts)


def test_window_shows_the_map(qtbot, small_map):
    window = MainWindow(load(small_map), str(small_map))
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "Howl — sysmap"
    assert "2 variables · 2 links" in window.counts.text()
    assert len(window.scene.variable_items) == 2
    assert "Howl" in shown_text(window.inspector)


def test_selecting_a_variable_shows_it_in_the_inspector(qtbot, small_map):
    window = MainWindow(load(small_map), str(small_map))
    qtbot.addWidget(window)
    amp = window.doc.variable_named("amplified signal")
    window.scene.variable_items[amp.id].setSelected(True)
    assert window.inspector.shown_ids() == [amp.id]
    text = shown_text(window.inspector)
    assert "Amplified signal" in text
    assert "microphone_signal * 10" in text
    assert "Caused by" in text and "Microphone signal" in text


def test_a_broken_file_is_reported_and_the_map_kept(qtbot, small_map, tmp_path, monkeypatch):
    window = MainWindow(load(small_map), str(small_map))
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    broken = tmp_path / "broken.xmile"
    broken.write_text("<notxmile/>")
    assert not window.open_file(str(broken))
    assert shown and shown[0].startswith(str(broken))
    assert window.doc.name == "Howl" and len(window.scene.variable_items) == 2


def test_open_replaces_the_map(qtbot, small_map, tmp_path):
    window = MainWindow(load(small_map), str(small_map))
    qtbot.addWidget(window)
    other = SystemMap(name="Other")
    other.add_variable("Only one")
    path = tmp_path / "other.xmile"
    save(other, path)
    old_doc = window.doc
    assert window.open_file(str(path))
    assert window.windowTitle() == "Other — sysmap"
    assert len(window.scene.variable_items) == 1
    old_doc.add_variable("Not shown")  # the old document is no longer followed
    assert len(window.scene.variable_items) == 1


def test_zoom_actions_change_the_view(qtbot, small_map):
    window = MainWindow(load(small_map), str(small_map))
    qtbot.addWidget(window)
    window.view.actual_size()
    window.view.zoom_in()
    assert window.view.zoom() == pytest.approx(1.2)
    window.view.zoom_out()
    assert window.view.zoom() == pytest.approx(1.0)
    for _ in range(100):
        window.view.zoom_out()
    assert window.view.zoom() == pytest.approx(0.05)


def test_the_default_example_opens(qtbot):
    path = example_path()
    assert path.stem == DEFAULT_EXAMPLE
    window = MainWindow(load(path), str(path))
    qtbot.addWidget(window)
    assert len(window.scene.variable_items) >= 10
    assert len(window.scene.link_items) == len(window.doc.links)


def _run_app(args, repo, seconds):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sysmap", *args],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    running = proc.poll() is None
    if running:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    return running, proc.returncode, err


def test_sysmap_command_opens_a_window_and_keeps_running(repo, small_map):
    running, _, err = _run_app([str(small_map)], repo, 4)
    assert running, err
    assert "Traceback" not in err


def test_sysmap_command_rejects_a_broken_file_in_one_line(repo, tmp_path):
    broken = tmp_path / "broken.xmile"
    broken.write_text("{not xml")
    running, code, err = _run_app([str(broken)], repo, 20)
    assert not running and code == 1
    assert err.strip().count("\n") == 0
    assert err.startswith(f"sysmap: {broken}:1:1: not well-formed XML")


def test_warnings_from_opening_are_shown(qtbot, small_map, tmp_path):
    window = MainWindow(load(small_map), str(small_map))
    qtbot.addWidget(window)
    damaged = tmp_path / "damaged.xmile"
    damaged.write_text(
        '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model><variables>\n'
        '<aux name="a"><eqn>???</eqn></aux></variables></model></xmile>'
    )
    assert window.open_file(str(damaged))
    assert "1 warning" in window.statusBar().currentMessage()
    assert f"{damaged}:2: 'a' has no equation" in shown_text(window.inspector)


def test_open_example_opens_an_untitled_copy_that_save_never_overwrites(qtbot, tmp_path, monkeypatch):
    window = MainWindow(SystemMap())
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    examples = next(a.menu() for a in file_menu.actions() if a.text() == "Open &Example")
    (bathtub,) = [a for a in examples.actions() if a.text() == "Bathtub"]
    original = example_path("bathtub").read_bytes()
    bathtub.trigger()
    assert window.doc.variables and window.session.path is None
    assert window.windowTitle().startswith(window.doc.name)
    window.doc.add_variable("Drain size")
    asked = []
    monkeypatch.setattr(window.session, "choose_save_path", lambda *a: asked.append(a[-1]) or "")
    assert not window.save()  # Save asks where (cancelled here)
    assert asked and not asked[0].startswith(str(example_path("bathtub").parent))
    assert example_path("bathtub").read_bytes() == original
    window.session.ask_save = lambda *a: "discard"
