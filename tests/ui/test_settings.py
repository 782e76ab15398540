"""What the user arranges survives a restart: window size and docks, projector style, the
autosave interval (Edit › Preferences), the tour; a damaged settings file costs only defaults."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QKeySequence

from sysmap.model import SystemMap
from sysmap.model import operations as ops
from sysmap.ui.canvas.style import DEFAULT_STYLE, PROJECTOR_STYLE
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.preferences import PreferencesDialog
from sysmap.ui.session import RECENT_KEY, default_settings
from sysmap.ui.settings import (
    AUTOSAVE_KEY,
    GEOMETRY_KEY,
    PROJECTOR_KEY,
    STATE_KEY,
    TOUR_KEY,
    Settings,
)


@pytest.fixture
def store(tmp_path):
    return QSettings(str(tmp_path / "sysmap.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, store):
    """Shown windows on a small map, all reading and writing ``store``."""

    def make(doc=None) -> MainWindow:
        if doc is None:
            doc = SystemMap(name="Howl")
            doc.add_variable("Microphone signal", position=(0, 0))
        window = MainWindow(doc, settings=store)
        qtbot.addWidget(window)
        window.session.ask_save = lambda *a: "discard"
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def test_nothing_stored_reads_as_the_defaults(store):
    settings = Settings(store)
    assert settings.autosave_interval == 30
    assert settings.projector_style is False and settings.tour_seen is False
    assert settings.geometry is None and settings.window_state is None
    assert settings.recent_files == []


def test_default_settings_is_still_importable_from_the_session_module():
    assert default_settings().applicationName() == "sysmap"
    assert RECENT_KEY == "recentFiles"


def test_values_round_trip_through_the_file(store, tmp_path):
    settings = Settings(store)
    settings.autosave_interval = 120
    settings.projector_style = True
    settings.tour_seen = True
    settings.recent_files = ["/maps/a.xmile"]
    store.sync()
    again = Settings(QSettings(str(tmp_path / "sysmap.ini"), QSettings.Format.IniFormat))
    assert again.autosave_interval == 120
    assert again.projector_style is True and again.tour_seen is True
    assert again.recent_files == ["/maps/a.xmile"]
    again.autosave_interval = 0
    assert again.autosave_interval == 0
    with pytest.raises(ValueError):
        again.autosave_interval = -1


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (AUTOSAVE_KEY, -5),
        (AUTOSAVE_KEY, "soon"),
        (AUTOSAVE_KEY, 10**9),
        (AUTOSAVE_KEY, [1, 2]),
        (AUTOSAVE_KEY, True),
        (PROJECTOR_KEY, "perhaps"),
        (PROJECTOR_KEY, 7),
        (TOUR_KEY, ["yes", "no"]),
        (GEOMETRY_KEY, "not bytes"),
        (GEOMETRY_KEY, QByteArray(b"\x00\x01 garbage, not a geometry")),
        (STATE_KEY, QByteArray(b"\xff" * 40)),
        (RECENT_KEY, 17),
    ],
)
def test_a_bad_stored_value_reads_as_the_default(store, open_window, key, value):
    store.setValue(key, value)
    settings = Settings(store)
    assert settings.autosave_interval == 30
    assert settings.projector_style is False and settings.tour_seen is False
    assert settings.recent_files == []
    window = open_window()  # starts, as if nothing were stored
    assert window.size() == QSize(1280, 820)
    assert window.scene.style is DEFAULT_STYLE and not window.projector_action.isChecked()
    assert window.session.autosave_interval == 30
    assert window.session.recent_files() == []
    assert window.inspector_dock.isVisible() and not window.loops_dock.isVisible()


def test_a_damaged_settings_file_starts_with_the_defaults(qtbot, tmp_path):
    path = tmp_path / "damaged.ini"
    path.write_text(
        "[window]\ngeometry=@ByteArray(\\0\\x1 half a geometry)\nstate=12\n"
        "[session]\nautosaveInterval=-3\n[view]\nprojectorStyle=@Invalid()\n"
        "[tour]\nseen=maybe\n[General]\nrecentFiles=42\n\x00\xff\n"
    )
    store = QSettings(str(path), QSettings.Format.IniFormat)
    window = MainWindow(SystemMap(name="After a crash"), settings=store)
    qtbot.addWidget(window)
    window.show()
    assert window.size() == QSize(1280, 820)
    assert window.session.autosave_interval == 30
    assert not window.projector_action.isChecked()
    assert Settings(store).tour_seen is False


def test_size_and_docks_survive_closing_and_reopening(open_window):
    first = open_window()
    first.resize(760, 560)  # within the offscreen screen (800 x 600)
    first.loops_dock.show()
    first.overview_dock.hide()
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.inspector_dock)
    assert first.close()

    second = open_window()
    assert second.size() == QSize(760, 560)
    assert second.loops_dock.isVisible()
    assert not second.overview_dock.isVisible()
    assert second.dockWidgetArea(second.inspector_dock) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_a_cancelled_close_keeps_nothing(open_window, store):
    window = open_window()
    window.perform(lambda: ops.add_variable(window.doc, "Room echo", position=(100, 0)))
    window.session.ask_save = lambda *a: "cancel"
    window.resize(900, 600)
    assert not window.close()
    assert Settings(store).geometry is None
    window.session.ask_save = lambda *a: "discard"
    assert window.close()
    assert Settings(store).geometry is not None


def test_projector_style_is_restored_at_the_next_start(open_window):
    first = open_window()
    first.projector_action.trigger()
    assert first.scene.style is PROJECTOR_STYLE
    first.close()

    second = open_window()
    assert second.projector_action.isChecked() and second.scene.style is PROJECTOR_STYLE
    assert len(second.scene.variable_items) == 1
    second.projector_action.trigger()
    second.close()

    third = open_window()
    assert not third.projector_action.isChecked() and third.scene.style is DEFAULT_STYLE


# -- Edit › Preferences ------------------------------------------------------------------------------


def accept(qtbot, dialog: PreferencesDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_preferences_is_in_the_edit_menu_with_the_standard_key(open_window):
    window = open_window()
    edit_menu = window.menuBar().actions()[1].menu()
    assert window.preferences_action in edit_menu.actions()
    shortcut = window.preferences_action.shortcut()
    standard = QKeySequence(QKeySequence.StandardKey.Preferences)
    assert shortcut == (standard if not standard.isEmpty() else QKeySequence("Ctrl+,"))


def test_preferences_change_the_sessions_autosave_and_off_stops_it(open_window, qtbot, store):
    window = open_window()
    session = window.session
    assert session.autosave_interval == 30
    window.perform(lambda: ops.add_variable(window.doc, "Room echo", position=(100, 0)))
    assert session.autosave_scheduled()

    window.preferences_action.trigger()
    dialog = window.preferences_dialog
    assert dialog.isVisible() and dialog.autosave.value() == 30
    dialog.autosave.setValue(1)
    accept(qtbot, dialog)
    assert session.autosave_interval == 1
    qtbot.waitUntil(session.recovery_path.exists, timeout=10000)
    assert "Room echo" in session.recovery_path.read_text()

    window.preferences_action.trigger()
    dialog = window.preferences_dialog
    dialog.autosave.setValue(0)
    assert dialog.autosave.text() == "Off"
    accept(qtbot, dialog)
    assert session.autosave_interval == 0 and not session.autosave_scheduled()
    window.perform(lambda: ops.add_variable(window.doc, "Feedback", position=(200, 0)))
    assert not session.autosave_scheduled()
    qtbot.wait(1500)  # longer than the old interval: no autosave came
    assert "Feedback" not in session.recovery_path.read_text()

    assert Settings(store).autosave_interval == 0
    later = open_window()
    assert later.session.autosave_interval == 0


def test_preferences_persist_and_cancel_changes_nothing(open_window, qtbot, store):
    window = open_window()
    dialog = window.edit_preferences()
    assert dialog.tour.isChecked() and not dialog.projector.isChecked()
    dialog.autosave.setValue(90)
    dialog.projector.setChecked(True)
    dialog.tour.setChecked(False)
    accept(qtbot, dialog)
    assert window.scene.style is PROJECTOR_STYLE and window.projector_action.isChecked()
    settings = Settings(store)
    assert settings.autosave_interval == 90 and settings.projector_style and settings.tour_seen

    dialog = window.edit_preferences()
    assert dialog.autosave.value() == 90 and dialog.projector.isChecked() and not dialog.tour.isChecked()
    dialog.autosave.setValue(5)
    dialog.tour.setChecked(True)
    dialog.reject()
    assert settings.autosave_interval == 90 and settings.tour_seen
    assert window.session.autosave_interval == 90
