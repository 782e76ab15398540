"""Presentation mode used as a trainer would: step through the social care map with the keys,
read the captions, blank the screen, jump to the end, close."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from shots import shots_dir

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loops import make_loop
from sysmap.analysis.narration import narrate
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.ui.canvas.scene import DIM_OPACITY
from sysmap.ui.presentation import PresentationWindow, present

ROOT = Path(__file__).resolve().parents[2]
SOCIAL = ROOT / "examples" / "social_care_workload.xmile"
SHOTS = shots_dir("PR")


@pytest.fixture
def doc():
    return load(SOCIAL)


@pytest.fixture
def window(qtbot, doc):
    win = PresentationWindow(doc)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


def visible(items) -> set[str]:
    return {eid for eid, item in items.items() if item.isVisible()}


def press(qtbot, win, key, times=1):
    for _ in range(times):
        qtbot.keyClick(win, key)


def test_first_step_shows_only_the_first_variable(window, doc):
    first = window.steps[0]
    assert window.step == 0
    assert first.kind == "variable"
    assert visible(window.scene.variable_items) == {first.ids[0]}
    assert visible(window.scene.link_items) == set()
    assert visible(window.scene.label_items) == set()
    assert visible(window.scene.note_items) == set()
    assert window.caption.text() == doc.variables[first.ids[0]].label
    assert window.counter.text() == f"1 / {len(window.steps)}"


def test_next_keys_advance_and_reveal(qtbot, window):
    steps = window.steps
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.step == 1
    assert visible(window.scene.variable_items) == set(steps[1].revealed) & set(window.scene.variable_items)
    assert len(visible(window.scene.variable_items)) == 2
    for key, expected in ((Qt.Key.Key_Space, 2), (Qt.Key.Key_Down, 3), (Qt.Key.Key_PageDown, 4)):
        press(qtbot, window, key)
        assert window.step == expected
    assert steps[2].kind == "link"
    assert steps[2].ids[0] in visible(window.scene.link_items)
    assert window.counter.text() == f"5 / {len(steps)}"


def test_loop_steps_tell_the_narration_and_dim_the_rest(qtbot, window, doc):
    graph = causal_graph(doc, derive=True)
    loop_steps = [i for i, s in enumerate(window.steps) if s.kind == "loop"]
    assert len(loop_steps) >= 3
    for i in loop_steps:
        window.show_step(i)
        step = window.steps[i]
        members = [eid for eid in step.ids if eid in doc.variables]
        told = narrate(make_loop(graph, members), doc, graph)
        assert window.caption.text().endswith(told)
        assert window.scene.highlighted() == set(step.ids)
    # the second loop: the first loop's links are still shown, but dimmed
    window.show_step(loop_steps[1])
    first_loop_links = [eid for eid in window.steps[loop_steps[0]].ids if eid in doc.links]
    second = set(window.steps[loop_steps[1]].ids)
    for lid in first_loop_links:
        if lid not in second:
            item = window.scene.link_items[lid]
            assert item.isVisible() and item.opacity() == pytest.approx(DIM_OPACITY)
    # a labelled loop shows its label
    labelled = [i for i in loop_steps if any(eid in doc.loop_labels for eid in window.steps[i].ids)]
    assert labelled
    window.show_step(labelled[0])
    label = next(eid for eid in window.steps[labelled[0]].ids if eid in doc.loop_labels)
    assert window.scene.label_items[label].isVisible()
    assert window.caption.text().startswith(doc.loop_labels[label].text.strip() + ":")


def test_every_step_lights_its_items_and_tells_them_in_words(qtbot, window, doc):
    """Step through the whole generated presentation with the Right key, as a trainer would."""
    graph = causal_graph(doc, derive=True)
    name = {vid: var.label for vid, var in doc.variables.items()}
    shown: set[str] = set()
    for i, step in enumerate(window.steps):
        if i:
            press(qtbot, window, Qt.Key.Key_Right)
        assert window.step == i
        lit = set(step.ids)
        if step.kind == "link":  # a link is lit with the two variables it joins
            lit |= {
                end
                for eid in step.ids
                if eid in doc.links
                for end in (doc.links[eid].source, doc.links[eid].target)
            }
        assert window.scene.highlighted() == lit
        shown |= lit
        assert visible(window.scene.variable_items) == shown & set(doc.variables)
        caption = window.caption.text()
        if step.kind == "variable":
            assert caption == name[step.ids[0]]
        elif step.kind == "link":
            link = doc.links[next(eid for eid in step.ids if eid in doc.links)]
            assert caption.startswith(f"{name[link.source]} → {name[link.target]} (")
        elif step.kind == "loop":
            members = [eid for eid in step.ids if eid in doc.variables]
            assert caption.endswith(narrate(make_loop(graph, members), doc, graph))
    assert shown >= set(doc.variables) | set(doc.links)


def test_previous_keys_go_back_and_stop_at_the_first(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Right, 4)
    press(qtbot, window, Qt.Key.Key_Left)
    assert window.step == 3
    press(qtbot, window, Qt.Key.Key_Up)
    press(qtbot, window, Qt.Key.Key_PageUp)
    assert window.step == 1
    assert len(visible(window.scene.variable_items)) == 2
    assert visible(window.scene.link_items) == set()
    press(qtbot, window, Qt.Key.Key_Left, 3)
    assert window.step == 0
    assert window.caption.text() == window.steps[0].caption


def test_b_blanks_and_unblanks(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Right, 2)
    press(qtbot, window, Qt.Key.Key_B)
    assert window.blanked
    picture = window.grab().toImage()
    centre = picture.pixelColor(picture.width() // 2, picture.height() // 2)
    assert centre == QColor("#000000")
    assert not window.caption.isVisible()
    press(qtbot, window, Qt.Key.Key_B)
    assert not window.blanked
    assert window.step == 2
    assert window.caption.isVisible()
    # a step key while blanked brings the same step back rather than moving on
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_Right)
    assert not window.blanked and window.step == 2


def test_end_shows_everything_and_home_goes_back(qtbot, window, doc):
    press(qtbot, window, Qt.Key.Key_End)
    assert window.step == len(window.steps) - 1
    assert visible(window.scene.variable_items) == set(doc.variables)
    assert visible(window.scene.link_items) == set(doc.links)
    flows = set(window.scene.pipe_items)
    assert visible(window.scene.pipe_items) == flows
    assert window.counter.text() == f"{len(window.steps)} / {len(window.steps)}"
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.step == len(window.steps) - 1
    press(qtbot, window, Qt.Key.Key_Home)
    assert window.step == 0


def test_the_whole_map_fits_the_window(qtbot, window, doc):
    for size in ((1280, 800), (900, 900)):
        window.resize(*size)
        qtbot.waitUntil(lambda width=size[0]: window.view.viewport().width() == width)
        press(qtbot, window, Qt.Key.Key_End)
        seen = window.view.visible_scene_rect()
        for item in window.scene.variable_items.values():
            assert seen.contains(item.sceneBoundingRect())
        # and fills it in one direction
        whole = window.scene.content_rect()
        assert max(whole.width() / seen.width(), whole.height() / seen.height()) > 0.95


def test_escape_closes(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_the_map_cannot_be_edited(qtbot, window, doc):
    press(qtbot, window, Qt.Key.Key_End)
    vid = window.steps[0].ids[0]
    before = doc.variables[vid].position
    pos = window.scene.variable_items[vid].pos()
    item = window.scene.variable_items[vid]
    start = window.view.mapFromScene(item.sceneBoundingRect().center())
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(120, 80))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(120, 80))
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=start)
    press(qtbot, window, Qt.Key.Key_Delete)
    assert doc.variables[vid].position == before
    assert window.scene.variable_items[vid].pos() == pos
    assert vid in doc.variables


def test_an_empty_map_says_so(qtbot):
    win = PresentationWindow(SystemMap())
    qtbot.addWidget(win)
    win.show()
    press(qtbot, win, Qt.Key.Key_Right)
    assert win.step == -1
    assert "nothing" in win.caption.text()


def test_present_opens_full_screen(qtbot, doc):
    win = present(doc)
    qtbot.addWidget(win)
    assert win.windowState() & Qt.WindowState.WindowFullScreen
    assert win.step == 0


def test_render_steps(window, doc):
    link = next(i for i, s in enumerate(window.steps) if s.kind == "link")
    loops = [i for i, s in enumerate(window.steps) if s.kind == "loop"]
    for name, index in (("step0", 0), ("link", link), ("loop", loops[1]), ("end", len(window.steps) - 1)):
        window.show_step(index)
        picture = window.grab()
        assert picture.width() == 1280
        assert picture.save(str(SHOTS / f"{name}.png"))


def test_a_link_is_shown_with_the_two_variables_it_joins_and_the_end_shows_the_notes(window, doc, qtbot):
    index = next(i for i, step in enumerate(window.steps) if step.kind == "link")
    window.show_step(index)
    (lid,) = window.steps[index].ids
    link = doc.links[lid]
    scene = window.scene
    for vid in (link.source, link.target):
        assert scene.variable_items[vid].opacity() == 1.0
    assert doc.notes and not visible(scene.note_items)
    press(qtbot, window, Qt.Key.Key_End)
    assert visible(scene.note_items) == set(doc.notes)


# -- saved sequences, start, screens -------------------------------------------------------------


def test_a_saved_sequence_is_played_with_its_captions(qtbot, doc):
    from sysmap.model.workshop import Slide, set_presentation

    first, second = list(doc.variables)[:2]
    doc.apply(
        set_presentation(
            doc, [Slide("variable", (second,), "Begin here"), Slide("variable", (first,)), Slide("map")]
        )
    )
    win = PresentationWindow(doc)
    qtbot.addWidget(win)
    win.show()
    assert win.caption.text() == "Begin here"
    assert visible(win.scene.variable_items) == {second}
    press(qtbot, win, Qt.Key.Key_Right)
    assert win.caption.text() == doc.variables[first].label
    press(qtbot, win, Qt.Key.Key_Right)
    assert win.counter.text() == "3 / 3"
    assert visible(win.scene.variable_items) == set(doc.variables)
    assert visible(win.scene.note_items) == set(doc.notes)
    assert win.scene.highlighted() is None  # the whole map, nothing dimmed


def test_start_opens_on_that_step_and_present_keeps_its_old_signature(qtbot, doc):
    win = PresentationWindow(doc, start=5)
    qtbot.addWidget(win)
    assert win.step == 5 and win.counter.text().startswith("6 /")
    shown = present(doc, None, start=3)
    qtbot.addWidget(shown)
    assert shown.step == 3
    assert shown.presenter is None  # one screen: no presenter view until P


def test_presentation_screens_choose_another_screen_for_the_room():
    from sysmap.ui.presentation import presentation_screens

    laptop, projector, third = object(), object(), object()
    assert presentation_screens([laptop, projector], laptop) == (projector, laptop)
    assert presentation_screens([projector, laptop], laptop) == (projector, laptop)
    assert presentation_screens([laptop, projector, third], projector) == (laptop, projector)
    assert presentation_screens([laptop], laptop) == (laptop, None)
    assert presentation_screens([], None) == (None, None)


def test_two_screens_open_the_presenter_view_on_the_main_windows(qtbot, doc, monkeypatch):
    from types import SimpleNamespace

    from PySide6.QtGui import QGuiApplication

    import sysmap.ui.presentation as presentation

    real = QGuiApplication.primaryScreen()
    # two screens (both the offscreen one: the choice itself is tested above)
    fake = SimpleNamespace(screens=lambda: [real, real], primaryScreen=lambda: real)
    monkeypatch.setattr(presentation, "QGuiApplication", fake)
    win = present(doc)
    assert win.presenter is not None and win.presenter.isVisible()
    assert win.isFullScreen()
    press(qtbot, win, Qt.Key.Key_Escape)
    assert win.presenter is None


def test_p_opens_and_closes_the_presenter_view(qtbot, window):
    press(qtbot, window, Qt.Key.Key_P)
    view = window.presenter
    assert view is not None and view.isVisible()
    press(qtbot, window, Qt.Key.Key_P)
    assert window.presenter is None
    assert not view.isVisible()
