"""The first-run tour: shown over the window at the first start only, stepped by keys and
buttons, pointing at what each step is about; Help › Take the Tour shows it again."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QWidget
from shots import shots_dir

from sysmap.examples import example_path
from sysmap.io import load
from sysmap.ui import app
from sysmap.ui.canvas.tools import Tool
from sysmap.ui.settings import Settings
from sysmap.ui.tour import ACCENT, STEPS, Tour


@pytest.fixture
def store(tmp_path):
    return QSettings(str(tmp_path / "sysmap.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def start(qtbot, store):
    """``app.start`` as ``app.run`` calls it (no crashed maps to offer), with scratch settings."""

    def started(doc=None):
        path = example_path()
        if doc is None:
            doc = load(path)
        windows = app.start(doc, str(path), [], ask=lambda recovery: False, settings=store)
        for window in windows:
            qtbot.addWidget(window)
            window.session.ask_save = lambda *a: "discard"
        return windows[-1]

    return started


def showing(window) -> list[Tour]:
    return [t for t in window.findChildren(Tour) if t.isVisible()]


def test_the_first_start_shows_the_tour_over_the_window(start, store):
    window = start()
    assert QGuiApplication.desktopFileName() == "io.github.sysmap.sysmap"
    tour = window.tour
    assert showing(window) == [tour]
    assert tour.geometry() == window.rect()
    assert tour.counter.text() == "1 of 6"
    assert tour.title.text() == "Draw a variable"
    assert "Double-click" in tour.text.text()
    assert not tour.back_button.isEnabled()
    assert window.focusWidget() is tour  # the keys go to the tour
    assert Settings(store).tour_seen is False  # only ending it counts


def test_keys_step_through_and_escape_ends(start, qtbot, store):
    window = start()
    tour = window.tour
    qtbot.keyClick(tour, Qt.Key.Key_Right)
    assert tour.counter.text() == "2 of 6" and tour.title.text() == "Link two variables"
    qtbot.keyClick(tour, Qt.Key.Key_Return)
    assert tour.counter.text() == "3 of 6" and tour.title.text() == "Set the polarity"
    qtbot.keyClick(tour, Qt.Key.Key_Left)
    assert tour.counter.text() == "2 of 6"
    qtbot.keyClick(tour, Qt.Key.Key_Escape)
    assert showing(window) == [] and window.tour is None
    assert Settings(store).tour_seen is True


def test_buttons_step_through_and_done_ends_after_the_last(start, qtbot, store):
    window = start()
    tour = window.tour
    click = Qt.MouseButton.LeftButton
    qtbot.mouseClick(tour.next_button, click)
    qtbot.mouseClick(tour.next_button, click)
    assert tour.counter.text() == "3 of 6"
    qtbot.mouseClick(tour.back_button, click)
    assert tour.counter.text() == "2 of 6" and tour.back_button.isEnabled()
    for _ in range(4):
        qtbot.mouseClick(tour.next_button, click)
    assert tour.counter.text() == "6 of 6" and tour.title.text() == "Present it, run a workshop"
    assert tour.next_button.text() == "Done" and not tour.skip_button.isVisible()
    assert Settings(store).tour_seen is False
    qtbot.mouseClick(tour.next_button, click)
    assert showing(window) == [] and Settings(store).tour_seen is True


def test_after_skip_the_next_start_shows_no_tour_and_help_shows_it_again(start, qtbot, store):
    first = start()
    qtbot.mouseClick(first.tour.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(first.tour.skip_button, Qt.MouseButton.LeftButton)
    assert showing(first) == [] and Settings(store).tour_seen is True
    first.close()

    second = start()
    assert second.tour is None and showing(second) == []
    assert second.tour_action in second.help_menu.actions()
    second.tour_action.trigger()
    assert showing(second) == [second.tour]
    assert second.tour.counter.text() == "1 of 6"


def test_closing_the_window_during_the_tour_shows_it_at_the_next_start(start, store):
    first = start()
    first.tour.next()
    assert first.close()
    assert Settings(store).tour_seen is False
    assert start().tour is not None


def test_each_step_outlines_a_visible_widget_inside_the_window(start, qtbot):
    window = start()
    window.resize(1400, 900)
    tour = window.tour
    qtbot.waitUntil(lambda: tour.geometry() == window.rect())
    bar = window.menuBar()
    expected = [
        (window.toolbar.widgetForAction(window.tool_actions[Tool.VARIABLE]), None),
        (window.toolbar.widgetForAction(window.tool_actions[Tool.LINK]), None),
        (window.inspector_dock, None),
        (bar, bar.actionGeometry(window.model_menu.menuAction())),
        (bar, bar.actionGeometry(window.model_menu.menuAction())),
        (bar, bar.actionGeometry(window.workshop_menu.menuAction())),
    ]
    assert len(STEPS) == len(expected)
    for index, (widget, part) in enumerate(expected):
        tour.show_step(index)
        found, rect = tour.target()
        assert found is widget and found.isVisible(), tour.step.title
        if part is not None:
            assert rect == part
        target = tour.target_rect()
        assert not target.isEmpty() and window.rect().contains(target), tour.step.title
        card = tour.card.geometry()
        assert window.centralWidget().geometry().contains(card), tour.step.title
        assert not card.intersects(target), tour.step.title
        # the outline is drawn in the accent colour just outside the widget
        image = window.grab().toImage()
        y = max(target.top() - 6, 2)
        edge = QColor(image.pixel(target.center().x(), y))
        assert abs(edge.red() - ACCENT.red()) < 40 and abs(edge.green() - ACCENT.green()) < 40, (
            tour.step.title
        )


def test_the_polarity_step_points_at_the_inspectors_polarity_of_a_selected_link(start, qtbot):
    window = start()
    link = next(iter(window.doc.links))
    window.scene.select_ids([link])
    tour = window.take_tour()
    tour.show_step(2)
    found, _ = tour.target()
    assert found is window.inspector.link_page.polarity and found.isVisible()


def test_the_backdrop_dims_the_map_but_not_the_outlined_widget(start, qtbot):
    window = start()
    tour = window.tour
    button = window.toolbar.widgetForAction(window.tool_actions[Tool.VARIABLE])
    inside = button.mapTo(window, button.rect().center())
    canvas = window.centralWidget().geometry().center()
    with_tour = window.grab().toImage()
    tour.end()
    without = window.grab().toImage()
    assert QColor(with_tour.pixel(canvas)).lightness() < QColor(without.pixel(canvas)).lightness() - 40
    assert QColor(with_tour.pixel(inside)) == QColor(without.pixel(inside))


def test_the_tour_follows_the_window_when_it_is_resized(start, qtbot):
    window = start()
    tour = window.tour
    tour.show_step(2)  # the inspector, at the window's right edge
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: tour.geometry() == window.rect())
    wide = tour.target_rect()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: tour.geometry() == window.rect() and tour.target_rect() != wide)
    narrow = tour.target_rect()
    assert window.rect().contains(narrow) and narrow.right() < wide.right()
    assert window.centralWidget().geometry().contains(tour.card.geometry())
    assert not tour.card.geometry().intersects(narrow)


def test_pictures_of_the_first_and_a_middle_step(start, qtbot):
    window = start()
    window.resize(1400, 900)
    tour = window.tour
    qtbot.waitUntil(lambda: tour.geometry() == window.rect())
    folder = shots_dir("tour")
    for index in (0, 2, 3):
        tour.show_step(index)
        picture = window.grab()
        assert picture.size().width() == 1400
        assert picture.save(str(folder / f"tour-step-{index + 1}.png"))
    assert isinstance(tour.card, QWidget) and tour.card.isVisible()
