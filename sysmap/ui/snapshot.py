"""Render a map's canvas to a PNG without a window: ``python -m sysmap.ui.snapshot MAP OUT.png``.

Used by the tests and for looking at maps on a machine without a screen; the full export
(PNG, SVG, PDF and ``sysmap render``) arrives with the editor.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from sysmap.model import SystemMap
from sysmap.ui.canvas.scene import MapScene


def ensure_app():
    """The running QApplication, created (offscreen when there is no display) if needed."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([sys.argv[0]])
    return app


def render_scene(scene: MapScene, scale: float = 2.0) -> QImage:
    """Paint the whole scene onto an image, ``scale`` pixels per canvas unit."""
    rect = scene.content_rect()
    image = QImage(
        max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)), QImage.Format.Format_ARGB32
    )
    image.fill(scene.style.background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), rect, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    return image


def render_map(doc: SystemMap, scale: float = 2.0) -> QImage:
    """An image of ``doc`` as the canvas draws it."""
    ensure_app()
    scene = MapScene(doc)
    try:
        return render_scene(scene, scale)
    finally:
        scene.detach()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        print("usage: python -m sysmap.ui.snapshot MAP OUT.png [SCALE]", file=sys.stderr)
        return 2
    from sysmap.errors import SysmapError
    from sysmap.io import load

    try:
        doc = load(argv[0])
    except SysmapError as exc:
        print(f"sysmap: {exc}", file=sys.stderr)
        return 1
    image = render_map(doc, float(argv[2]) if len(argv) == 3 else 2.0)
    if not image.save(argv[1]):
        print(f"sysmap: {argv[1]}: could not write the image", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
