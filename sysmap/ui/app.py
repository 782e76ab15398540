"""Start the desktop application: offer first to restore maps a crash left unsaved, then show
the windows, and on the very first start the tour (:mod:`sysmap.ui.tour`) over the last one."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sysmap.model import SystemMap

#: The application id: the desktop file's name (without ``.desktop``), the icon's name and the
#: AppStream component id.
APP_ID = "io.github.sysmap.sysmap"


def ask_restore(recovery) -> bool:
    """Ask whether to restore one autosaved map (a Yes/No box, Yes the default)."""
    from PySide6.QtWidgets import QMessageBox

    when = recovery.time.strftime("%d %b %Y %H:%M")
    answer = QMessageBox.question(
        None,
        "Restore unsaved map?",
        f"sysmap closed without saving “{recovery.title()}”.\n"
        f"It was autosaved at {when}. Restore it?\n\n"
        "If you do not restore it, the autosaved copy is deleted.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def offer_recoveries(ask: Callable[[object], bool] = ask_restore, **session_args) -> list:
    """Sessions restored from the autosaves of sysmap processes that died, each as the user
    chose (``ask(recovery)`` True restores it, False deletes it); unreadable ones are reported
    and kept. ``session_args`` go to each restored :class:`~sysmap.ui.session.Session`."""
    from sysmap.errors import SysmapError
    from sysmap.ui.session import Session

    restored = []
    for recovery in Session.pending_recoveries():
        if not ask(recovery):
            recovery.discard()
            continue
        try:
            restored.append(recovery.restore(**session_args))
        except SysmapError as exc:
            print(f"sysmap: could not restore {recovery.path}: {exc}", file=sys.stderr)
    return restored


def start(
    doc: SystemMap,
    path: str | None = None,
    warnings: Sequence[str] = (),
    *,
    ask: Callable[[object], bool] = ask_restore,
    settings=None,
) -> list:
    """Set up the application and show its windows: one for each crashed map the user chose
    to restore (``ask``), then one on ``doc`` (read from ``path`` with ``warnings``). On the
    first start the tour shows over that last window. Returns the windows, shown; the caller
    runs the event loop. ``settings`` (a ``QSettings``) defaults to sysmap's own."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from sysmap.ui import gc_guard
    from sysmap.ui.mainwindow import MainWindow
    from sysmap.ui.settings import Settings, default_settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("sysmap")
    app.setApplicationDisplayName("sysmap")
    app.setOrganizationName("sysmap")
    app.setDesktopFileName(APP_ID)
    # the desktop's installed icon (packaging/install-linux.sh) when there is one, else our own
    app.setWindowIcon(QIcon.fromTheme(APP_ID, QIcon(str(Path(__file__).parent / "icons" / "sysmap.svg"))))
    gc_guard.install()
    settings = settings if settings is not None else default_settings()
    prefs = Settings(settings)
    recovered = offer_recoveries(ask, settings=settings, autosave_interval=prefs.autosave_interval)
    windows = [MainWindow(session=session) for session in recovered]
    windows.append(MainWindow(doc, path, warnings, settings=settings))
    for window in windows:
        window.show()
    if not prefs.tour_seen:
        windows[-1].take_tour()
    return windows


def run(doc: SystemMap, path: str | None = None, warnings: Sequence[str] = ()) -> int:
    """Open a main window on ``doc`` (read with ``warnings``) and run until the user quits."""
    from PySide6.QtWidgets import QApplication

    windows = start(doc, path, warnings)
    code = QApplication.instance().exec()
    del windows
    return code
