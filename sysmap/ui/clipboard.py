"""Cut, copy and paste through the system clipboard, within a map and between maps.

What is copied is a standalone map (:func:`sysmap.model.clipboard.fragment`) written as
XMILE, under sysmap's own MIME type and as plain text, so a selection pasted into another
sysmap window arrives whole, and pasted into a text editor is readable XMILE. Pasting
gives the copies new ids, and new names where the map already uses them.
"""

from __future__ import annotations

import atexit

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from sysmap.errors import SysmapError
from sysmap.io.xmile import dumps, loads
from sysmap.model import SystemMap
from sysmap.model import clipboard as fragments

MIME_TYPE = "application/x-sysmap-xmile"


def mime_for(doc: SystemMap, ids: list[str]) -> QMimeData:
    """Clipboard data holding the elements ``ids`` of ``doc`` (and what they need)."""
    data = dumps(fragments.fragment(doc, ids))
    mime = QMimeData()
    mime.setData(MIME_TYPE, data)
    mime.setText(data.decode("utf-8"))
    return mime


def put_on_clipboard(mime: QMimeData) -> None:
    """Hand ``mime`` to the system clipboard.

    On Qt's offscreen platform (tests, headless runs) the process crashes at exit while the
    clipboard still holds data made in Python, so there it is emptied before Python shuts down.
    """
    app = QGuiApplication.instance()
    app.clipboard().setMimeData(mime)
    global _clear_at_exit
    if not _clear_at_exit and QGuiApplication.platformName() == "offscreen":
        atexit.register(_clear_clipboard)
        _clear_at_exit = True


_clear_at_exit = False


def _clear_clipboard() -> None:
    app = QGuiApplication.instance()
    if app is not None:
        app.clipboard().clear()


def fragment_from(mime: QMimeData | None) -> SystemMap | None:
    """The map on the clipboard: sysmap's own data, or XMILE text copied from elsewhere;
    ``None`` when the clipboard holds no map."""
    if mime is None:
        return None
    if mime.hasFormat(MIME_TYPE):
        data = bytes(mime.data(MIME_TYPE).data())
    elif mime.hasText() and "<xmile" in mime.text()[:2000]:
        data = mime.text().encode("utf-8")
    else:
        return None
    try:
        return loads(data, "the clipboard")
    except SysmapError:
        return None
