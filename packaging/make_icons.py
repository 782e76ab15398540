"""Render the application icon at the freedesktop sizes from its master, ``resources/sysmap.svg``.

Writes ``resources/icons/hicolor/<N>x<N>/apps/io.github.sysmap.sysmap.png`` for each size in
:data:`SIZES` and copies the master to ``.../scalable/apps/io.github.sysmap.sysmap.svg``. The
outputs are committed; run this again after changing the master::

    QT_QPA_PLATFORM=offscreen python packaging/make_icons.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

APP_ID = "io.github.sysmap.sysmap"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "resources" / "sysmap.svg"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"


def icon_path(size: int | None) -> Path:
    """Where the icon of ``size`` pixels goes (``None``: the scalable SVG)."""
    if size is None:
        return HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    return HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render_icon(renderer, size: int):
    """The master drawn by ``renderer`` (a QSvgRenderer) as a ``size`` × ``size`` QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # fonts for the icon's "R"
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        print(f"make_icons: cannot read {MASTER}", file=sys.stderr)
        return 1
    for size in SIZES:
        image = render_icon(renderer, size)
        out = icon_path(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            print(f"make_icons: cannot write {out}", file=sys.stderr)
            return 1
        print(f"{out.relative_to(ROOT)}  {size}x{size}  {out.stat().st_size} bytes")
    scalable = icon_path(None)
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MASTER, scalable)
    print(f"{scalable.relative_to(ROOT)}  (copy of {MASTER.relative_to(ROOT)})")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
