"""Start the desktop application, offering first to restore maps a crash left unsaved."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sysmap.model import SystemMap


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


def offer_recoveries(ask: Callable[[object], bool] = ask_restore) -> list:
    """Sessions restored from the autosaves of sysmap processes that died, each as the user
    chose (``ask(recovery)`` True restores it, False deletes it); unreadable ones are reported
    and kept."""
    from sysmap.errors import SysmapError
    from sysmap.ui.session import Session

    restored = []
    for recovery in Session.pending_recoveries():
        if not ask(recovery):
            recovery.discard()
            continue
        try:
            restored.append(recovery.restore())
        except SysmapError as exc:
            print(f"sysmap: could not restore {recovery.path}: {exc}", file=sys.stderr)
    return restored


def run(doc: SystemMap, path: str | None = None, warnings: Sequence[str] = ()) -> int:
    """Open a main window on ``doc`` (read with ``warnings``) and run until the user quits."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from sysmap.ui import gc_guard
    from sysmap.ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("sysmap")
    app.setApplicationDisplayName("sysmap")
    app.setOrganizationName("sysmap")
    app.setDesktopFileName("sysmap")
    app.setWindowIcon(QIcon(str(Path(__file__).parent / "icons" / "sysmap.svg")))
    gc_guard.install()
    windows = [MainWindow(session=session) for session in offer_recoveries()]
    windows.append(MainWindow(doc, path, warnings))
    for window in windows:
        window.show()
    return app.exec()
