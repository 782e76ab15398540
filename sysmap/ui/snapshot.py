"""Render a map's canvas to a picture without a window: ``python -m sysmap.ui.snapshot MAP OUT.png``.

Used by the tests and for looking at maps on a machine without a screen; a thin layer over
:mod:`sysmap.ui.export`, which also writes SVG and PDF (as ``sysmap render`` does).
"""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QImage

from sysmap.model import SystemMap
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.export import export_scene, scene_image


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
    """Paint the whole scene (as shown, selected items too) on an image, ``scale`` pixels per unit."""
    return scene_image(scene, scene.content_rect(), scale)


def render_map(doc: SystemMap, scale: float = 2.0) -> QImage:
    """An image of ``doc`` as the canvas draws it."""
    ensure_app()
    scene = MapScene(doc)
    try:
        return render_scene(scene, scale)
    finally:
        scene.detach()


def main(argv: list[str] | None = None) -> int:
    """Write a picture of the map ``argv[0]`` to ``argv[1]`` (.png, .svg or .pdf) at scale ``argv[2]``."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        print("usage: python -m sysmap.ui.snapshot MAP OUT.png [SCALE]", file=sys.stderr)
        return 2
    from sysmap.errors import SysmapError
    from sysmap.io import load

    try:
        scale = float(argv[2]) if len(argv) == 3 else 2.0
    except ValueError:
        print(f"sysmap: the scale must be a number, not {argv[2]!r}", file=sys.stderr)
        return 2
    try:
        doc = load(argv[0])
        ensure_app()
        scene = MapScene(doc)
        try:
            export_scene(scene, argv[1], scale=scale)
        finally:
            scene.detach()
    except SysmapError as exc:
        print(f"sysmap: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
