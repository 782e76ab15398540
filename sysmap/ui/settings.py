"""sysmap's user settings: a small typed layer over ``QSettings("sysmap", "sysmap")``.

What is kept: the main window's geometry and the layout of its docks and toolbar, the
projector style, the autosave interval, whether the first-run tour was seen, and the recent
files (under the key ``recentFiles``). Reading never raises: a value of the wrong type, a
negative interval or bytes that are not a saved layout read as the default, so a damaged
settings file costs the user their preferences, never the program::

    settings = Settings()  # or Settings(QSettings(path, QSettings.Format.IniFormat)) in tests
    settings.autosave_interval = 60
    settings.autosave_interval  # 60
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

#: File › Open Recent, most recent first (the key predates this module: keep it).
RECENT_KEY = "recentFiles"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
PROJECTOR_KEY = "view/projectorStyle"
AUTOSAVE_KEY = "session/autosaveInterval"
TOUR_KEY = "tour/seen"

#: Autosave every this many seconds unless the user chose otherwise (0 turns autosave off).
DEFAULT_AUTOSAVE_SECONDS = 30
#: The longest autosave interval the Preferences offer (and a stored value may hold).
MAX_AUTOSAVE_SECONDS = 3600
#: The version ``QMainWindow.saveState`` stamps on the dock layout (bump it when docks change
#: so much that an old layout should be dropped).
STATE_VERSION = 1

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def default_settings() -> QSettings:
    """sysmap's user settings (the organisation and application names that ``app.run`` sets)."""
    return QSettings("sysmap", "sysmap")


def _as_bool(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0 if value in (0, 1) else default
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE and text:
            return False
    return default


def _as_seconds(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= MAX_AUTOSAVE_SECONDS:
        return default
    return value


def _as_bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray):
        return value if not value.isEmpty() else None
    if isinstance(value, (bytes, bytearray)) and value:
        return QByteArray(bytes(value))
    return None


class Settings:
    """Typed access to sysmap's settings in ``store`` (default: :func:`default_settings`).

    Every property reads the stored value afresh, so two ``Settings`` on the same store (two
    windows) agree, and falls back to its default when the stored value is unusable.
    """

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else default_settings()

    def _get(self, key: str) -> object:
        try:
            return self.store.value(key)
        except Exception:  # a value Qt cannot turn into a Python object
            return None

    # -- the main window --------------------------------------------------------------------------

    @property
    def geometry(self) -> QByteArray | None:
        """``QWidget.saveGeometry()`` of the last main window closed, or ``None``."""
        return _as_bytes(self._get(GEOMETRY_KEY))

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.store.setValue(GEOMETRY_KEY, QByteArray(value))

    @property
    def window_state(self) -> QByteArray | None:
        """``QMainWindow.saveState(STATE_VERSION)`` (docks and toolbar) of the last window closed."""
        return _as_bytes(self._get(STATE_KEY))

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue(STATE_KEY, QByteArray(value))

    def save_window(self, window) -> None:
        """Keep ``window``'s geometry and dock/toolbar layout (a ``QMainWindow``)."""
        self.geometry = window.saveGeometry()
        self.window_state = window.saveState(STATE_VERSION)

    def restore_window(self, window) -> bool:
        """Give ``window`` the kept geometry and layout; ``False`` (and the window unchanged)
        for what is missing or unreadable."""
        geometry, state = self.geometry, self.window_state
        restored = geometry is not None and window.restoreGeometry(geometry)
        if state is not None:
            restored = window.restoreState(state, STATE_VERSION) and restored
        return bool(restored)

    # -- preferences ------------------------------------------------------------------------------

    @property
    def projector_style(self) -> bool:
        """Whether maps are drawn in the projector style (large type, thick lines)."""
        return _as_bool(self._get(PROJECTOR_KEY), False)

    @projector_style.setter
    def projector_style(self, on: bool) -> None:
        self.store.setValue(PROJECTOR_KEY, bool(on))

    @property
    def autosave_interval(self) -> int:
        """Seconds between autosaves of unsaved changes; 0 is off."""
        return _as_seconds(self._get(AUTOSAVE_KEY), DEFAULT_AUTOSAVE_SECONDS)

    @autosave_interval.setter
    def autosave_interval(self, seconds: int) -> None:
        seconds = int(seconds)
        if not 0 <= seconds <= MAX_AUTOSAVE_SECONDS:
            raise ValueError(f"autosave interval {seconds} s is not within 0 to {MAX_AUTOSAVE_SECONDS}")
        self.store.setValue(AUTOSAVE_KEY, seconds)

    @property
    def tour_seen(self) -> bool:
        """Whether the first-run tour was ended or skipped (then it no longer shows at start)."""
        return _as_bool(self._get(TOUR_KEY), False)

    @tour_seen.setter
    def tour_seen(self, seen: bool) -> None:
        self.store.setValue(TOUR_KEY, bool(seen))

    # -- recent files -----------------------------------------------------------------------------

    @property
    def recent_files(self) -> list[str]:
        """The stored recent files as they are (existing or not), most recent first."""
        value = self._get(RECENT_KEY)
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, (list, tuple)):
            return [v for v in value if isinstance(v, str) and v]
        return []

    @recent_files.setter
    def recent_files(self, paths: list[str]) -> None:
        self.store.setValue(RECENT_KEY, [str(p) for p in paths])
