"""Canvas speed, offscreen: building the scene for a generated map and painting it whole.

.venv/bin/python benchmarks/bench_canvas.py [N_VARIABLES N_LINKS]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _generate import random_map
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from sysmap.model import operations
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.snapshot import ensure_app


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    ensure_app()
    doc = random_map(n, m, equations=False)
    print(f"generated map: {len(doc.variables)} variables, {len(doc.links)} links")

    start = time.perf_counter()
    scene = MapScene(doc)
    print(f"  build scene                                 {(time.perf_counter() - start) * 1000:9.1f} ms")

    image = QImage(1600, 1000, QImage.Format.Format_ARGB32)
    rect = scene.sceneRect()
    times = []
    for _ in range(3):
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        start = time.perf_counter()
        scene.render(painter, QRectF(image.rect()), rect)
        times.append(time.perf_counter() - start)
        painter.end()
    print(f"  full repaint, whole map in 1600x1000        {min(times) * 1000:9.1f} ms")

    hub = max(doc.variables.values(), key=lambda v: len(doc.links_from(v.id)) + len(doc.links_to(v.id)))
    degree = len(doc.links_from(hub.id)) + len(doc.links_to(hub.id))
    start = time.perf_counter()
    steps = 20
    for i in range(steps):
        x, y = hub.position
        doc.apply(operations.move(doc, {hub.id: (x + i, y + i)}))
    per = (time.perf_counter() - start) / steps
    print(f"  move one variable with {degree:3d} links (model+scene) {per * 1000:9.2f} ms per step")
    scene.detach()


if __name__ == "__main__":
    main()
