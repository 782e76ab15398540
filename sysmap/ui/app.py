"""Start the desktop application."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sysmap.model import SystemMap


def run(doc: SystemMap, path: str | None = None, warnings: Sequence[str] = ()) -> int:
    """Open a main window on ``doc`` (read with ``warnings``) and run until the user quits."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from sysmap.ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("sysmap")
    app.setApplicationDisplayName("sysmap")
    app.setOrganizationName("sysmap")
    app.setDesktopFileName("sysmap")
    app.setWindowIcon(QIcon(str(Path(__file__).parent / "icons" / "sysmap.svg")))
    window = MainWindow(doc, path, warnings)
    window.show()
    return app.exec()
