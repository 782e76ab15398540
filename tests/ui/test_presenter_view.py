"""The presenter view: the notes and what comes next on the presenter's screen, driving the
room's presentation with the same keys."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from shots import shots_dir

from sysmap.analysis.narration import default_sequence, slides_from_steps
from sysmap.io import load
from sysmap.model.workshop import set_presentation
from sysmap.ui.presentation import PresentationWindow
from sysmap.ui.presenter_view import PresenterView, elapsed_text

ROOT = Path(__file__).resolve().parents[2]
SOCIAL = ROOT / "examples" / "social_care_workload.xmile"
SHOTS = shots_dir("A")


@pytest.fixture
def doc():
    doc = load(SOCIAL)
    slides = list(slides_from_steps(default_sequence(doc)))
    slides[0] = slides[0].evolve(notes="Ask the room who carries the workload.")
    slides[1] = slides[1].evolve(caption="Then: what the workload does to people")
    doc.apply(set_presentation(doc, slides))
    return doc


@pytest.fixture
def shown(qtbot, doc):
    room = PresentationWindow(doc)
    qtbot.addWidget(room)
    room.resize(1280, 800)
    room.show()
    view = PresenterView(room)
    view.resize(1100, 720)
    view.show()
    qtbot.waitExposed(view)
    return room, view


def test_it_shows_the_notes_and_the_next_caption(shown):
    room, view = shown
    assert view.counter.text() == f"Step 1 of {len(room.steps)}"
    assert view.notes.text() == "Ask the room who carries the workload."
    assert view.caption.text() == room.steps[0].caption
    assert view.next_caption.text() == "Then: what the workload does to people"
    assert not view.now_picture.pixmap().isNull() and not view.next_picture.pixmap().isNull()


def test_keys_in_it_step_the_presentation(qtbot, shown):
    room, view = shown
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert room.step == 1
    assert view.counter.text() == f"Step 2 of {len(room.steps)}"
    assert view.caption.text() == "Then: what the workload does to people"
    assert view.notes.text() == "(no notes)"
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert room.step == len(room.steps) - 1
    assert view.next_caption.text() == "(the end)"
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert room.step == 0
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert room.blanked
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not room.isVisible()
    assert not view.isVisible()


def test_stepping_the_room_moves_the_presenter_view(qtbot, shown):
    room, view = shown
    qtbot.keyClick(room, Qt.Key.Key_Space)
    qtbot.keyClick(room, Qt.Key.Key_Space)
    assert view.counter.text().startswith("Step 3 of")
    assert view.caption.text() == room.steps[2].caption


def test_the_clock_counts_from_when_it_opened(qtbot, shown):
    _, view = shown
    assert view.clock.text() == "0:00"
    assert elapsed_text(59_999) == "0:59"
    assert elapsed_text(61_000) == "1:01"
    assert elapsed_text(3_600_000) == "1:00:00"


def test_render_presenter_view(shown):
    room, view = shown
    room.show_step(11)
    assert view.grab().save(str(SHOTS / "presenter_view.png"))
