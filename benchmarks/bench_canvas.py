"""Canvas speed, offscreen, through a real MapView of 1600x1000: opening a map, repainting it,
dragging a variable, zooming and panning. Prints a table; asserts nothing.

.venv/bin/python benchmarks/bench_canvas.py [N_VARIABLES N_LINKS] [--only NAME]

``--only NAME`` measures only the maps whose name starts with NAME (``random``, ``local``,
``wrld3``, ``C-LEARN``; case-insensitive); it may be given more than once.

Maps: two generated ones of 2,000 variables and 5,000 links (by default), one variable given
exactly 20 links to drag: ``random`` (``_generate.random_map``: links join any two variables, so
most cross the whole map and ~1,500 of them cross any 1600x1000 window at zoom 1) and ``local``
(links join variables at most three grid steps apart, as in drawn maps); then World3 and C-LEARN
from ../shared/models with their own diagrams, when present.
Targets: open < 2 s, frames < 16 ms.

Each frame is measured the way a user gets it: the change (a move through the document, a zoom
step, a scroll) and then the event loop until the view has painted the region Qt found dirty.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _generate import random_map
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QUndoStack, QWheelEvent
from PySide6.QtWidgets import QApplication

from sysmap.model import Kind, SystemMap, operations
from sysmap.model.edits import Compound
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.view import LOD_ZOOM, MapView
from sysmap.ui.snapshot import ensure_app

try:
    from sysmap.ui.canvas.overview import Overview
except ImportError:
    Overview = None

MODELS = Path(__file__).resolve().parent.parent.parent / "shared" / "models"
VIEW_SIZE = (1600, 1000)
HUB_DEGREE = 20


class _PaintCounter(QObject):
    """Counts the paint events a viewport receives, so a frame is timed until it is drawn."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def local_map(n_variables: int, n_links: int, seed: int = 1) -> SystemMap:
    """Like :func:`random_map` (concepts on the same grid), but each link joins variables at most
    three grid steps apart, as links do in drawn maps."""
    rng = random.Random(seed)
    doc = SystemMap(name=f"local {n_variables}/{n_links}")
    side = max(1, int(n_variables**0.5))
    edits = [
        operations.add_variable(
            doc, f"Variable {i}", Kind.CONCEPT, position=(180.0 * (i % side), 120.0 * (i // side))
        )
        for i in range(n_variables)
    ]
    doc.apply(Compound(edits))
    ids = [edit.element.id for edit in edits]
    edits = []
    while len(edits) < n_links:
        a = rng.randrange(n_variables)
        col, row = a % side + rng.randint(-3, 3), a // side + rng.randint(-3, 3)
        b = row * side + col
        if 0 <= col < side and b != a and 0 <= b < n_variables:
            edits.append(
                operations.add_link(
                    doc, ids[a], ids[b], polarity=rng.choice("+-"), curvature=rng.uniform(-0.2, 0.2)
                )
            )
    doc.apply(Compound(edits))
    return doc


def _degree(doc: SystemMap, vid: str) -> int:
    return len(doc.links_from(vid)) + len(doc.links_to(vid))


def _give_hub(doc: SystemMap) -> str:
    """The variable nearest the middle of the map, linked to its nearest neighbours until it has
    exactly ``HUB_DEGREE`` links (the generated map's links are random, so most run far)."""
    xs = [v.position[0] for v in doc.variables.values()]
    ys = [v.position[1] for v in doc.variables.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2

    def dist(v, x, y):
        return (v.position[0] - x) ** 2 + (v.position[1] - y) ** 2

    by_centre = sorted(doc.variables.values(), key=lambda v: dist(v, cx, cy))
    hub = next(v for v in by_centre if _degree(doc, v.id) <= HUB_DEGREE)
    linked = {link.source for link in doc.links_to(hub.id)} | {link.target for link in doc.links_from(hub.id)}
    for other in sorted(doc.variables.values(), key=lambda v: dist(v, *hub.position)):
        if _degree(doc, hub.id) >= HUB_DEGREE:
            break
        if other.id != hub.id and other.id not in linked:
            doc.apply(operations.add_link(doc, other.id, hub.id, polarity="+", curvature=0.1))
    return hub.id


def _closest_degree(doc: SystemMap) -> str:
    """The variable of a real model whose number of links is nearest ``HUB_DEGREE``."""
    return min(doc.variables, key=lambda vid: abs(_degree(doc, vid) - HUB_DEGREE))


def _mouse(view, kind, pos: QPoint, button) -> None:
    """A left-button mouse event on the view's viewport (moves carry the held button)."""
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(view.viewport().mapToGlobal(pos)),
        button,
        Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), event)


def _until_painted(app, counter: _PaintCounter) -> bool:
    before = counter.count
    for _ in range(20):
        app.processEvents()
        if counter.count > before:
            return True
    return False


def _frames(app, counter, step, n: int) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of ``n`` frames of ``step()`` and the repaint it causes."""
    wall, cpu = [], []
    for i in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        step(i)
        if _until_painted(app, counter):
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    if not wall:
        return float("nan"), float("nan")
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def measure(name: str, doc: SystemMap, hub: str) -> list[tuple[str, str, float, float]]:
    """One map's figures as (map, measure, wall ms, CPU ms) rows."""
    app = ensure_app()
    rows = []

    def row(what: str, ms: tuple[float, float]) -> None:
        rows.append((name, what, *ms))
        print(f"  {name:<20} {what:<40} {ms[0]:9.2f} {ms[1]:9.2f}", flush=True)

    gc.collect()  # the previous map's items: collected here, not in the middle of this build
    start, start_cpu = time.perf_counter(), time.process_time()
    scene = MapScene(doc, undo_stack=QUndoStack())
    built, built_cpu = time.perf_counter(), time.process_time()
    view = MapView(scene)
    counter = _PaintCounter()
    view.viewport().installEventFilter(counter)
    view.resize(*VIEW_SIZE)
    view.show()
    view.fit()
    _until_painted(app, counter)
    shown, shown_cpu = time.perf_counter(), time.process_time()
    row("build scene", ((built - start) * 1000, (built_cpu - start_cpu) * 1000))
    print(f"  {name:<20} {'graphics items':<40} {len(scene.items()):9d}", flush=True)
    row("open: build, show, fit, first paint", ((shown - start) * 1000, (shown_cpu - start_cpu) * 1000))

    def full_repaint(_):
        view.viewport().update()

    row(f"full repaint at fit (zoom {view.zoom():.2f})", _frames(app, counter, full_repaint, 5))

    def drag(i):
        x, y = doc.variables[hub].position
        d = 4.0 if i % 2 == 0 else -4.0
        doc.apply(operations.move(doc, {hub: (x + d, y + d / 2)}))

    degree = _degree(doc, hub)
    row(f"drag frame, {degree} links, at fit", _frames(app, counter, drag, 20))
    view.resetTransform()
    app.processEvents()  # the scroll bars' new ranges, before centring
    view.centerOn(scene.variable_items[hub])
    _until_painted(app, counter)
    row(f"drag frame, {degree} links, at 1.0", _frames(app, counter, drag, 20))

    back = []

    # the same drag with the mouse: the editor previews by moving items, one edit on release
    grab = view.mapFromScene(scene.variable_items[hub].pos())
    _mouse(view, QEvent.Type.MouseButtonPress, grab, Qt.MouseButton.LeftButton)
    _until_painted(app, counter)  # the press selects the variable

    def first_move(_):
        _mouse(view, QEvent.Type.MouseMove, grab + QPoint(12, 12), Qt.MouseButton.NoButton)

    row("mouse drag: first frame", _frames(app, counter, first_move, 1))
    caching = getattr(view, "is_caching", lambda: False)()
    print(f"  {name:<20} {'mouse drag: still part from a picture':<40} {caching!s:>9}", flush=True)

    def mouse_drag(i):
        _mouse(view, QEvent.Type.MouseMove, grab + QPoint(12 + 4 * (i % 2), 12), Qt.MouseButton.NoButton)

    row(f"mouse drag frame, {degree} links, at 1.0", _frames(app, counter, mouse_drag, 20))

    def release(_):
        _mouse(view, QEvent.Type.MouseButtonRelease, grab + QPoint(12, 12), Qt.MouseButton.LeftButton)

    row("mouse drag: release (one edit)", _frames(app, counter, release, 1))
    app.processEvents()

    wide = view.horizontalScrollBar().maximum() >= view.verticalScrollBar().maximum()
    bar = view.horizontalScrollBar() if wide else view.verticalScrollBar()

    def scroll(i):
        if i % 2 == 0:
            step = 40 if bar.value() + 40 <= bar.maximum() else -40
            back.append(-step)
            bar.setValue(bar.value() + step)
        else:
            bar.setValue(bar.value() + back.pop())

    row("pan frame (scroll 40 px) at 1.0", _frames(app, counter, scroll, 20))

    def zoom(i):
        (view.zoom_out if i % 2 == 0 else view.zoom_in)()

    row("zoom step at 1.0 (out/in)", _frames(app, counter, zoom, 10))
    view.fit()
    _until_painted(app, counter)

    def zoom_fit(i):
        (view.zoom_in if i % 2 == 0 else view.zoom_out)()

    row("zoom step at fit (in/out)", _frames(app, counter, zoom_fit, 10))

    middle = view.viewport().rect().center()

    def wheel(i):
        clicks = 120 if i % 2 == 0 else -120
        event = QWheelEvent(
            QPointF(middle),
            QPointF(view.viewport().mapToGlobal(middle)),
            QPoint(0, 0),
            QPoint(0, clicks),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(view.viewport(), event)

    row("wheel zoom step at fit (in/out), burst", _frames(app, counter, wheel, 10))
    deadline = time.perf_counter() + 1.0
    previewing = getattr(view, "is_previewing", lambda: False)
    while previewing() and time.perf_counter() < deadline:  # the one real repaint
        app.processEvents()
        time.sleep(0.01)

    def across(i):  # zoomed out past the level of detail where signs hide, and back
        view.set_zoom(LOD_ZOOM * (0.95 if i % 2 == 0 else 1.05))

    row(f"zoom across {LOD_ZOOM} (signs hide/show)", _frames(app, counter, across, 6))
    view.fit()
    _until_painted(app, counter)

    if Overview is None:  # measuring a revision from before the overview
        view.close()
        scene.detach()
        return rows
    overview = Overview(view)
    overview.resize(240, 160)
    overview.show()
    overview_counter = _PaintCounter()
    overview.viewport().installEventFilter(overview_counter)
    _until_painted(app, overview_counter)
    redraw = _frames(app, overview_counter, lambda i: overview.refresh(), 5)
    row("overview: redraw the map at 240x160", redraw)
    row("overview: follow a scroll of the view", _frames(app, overview_counter, scroll, 10))
    overview.detach()
    overview.close()
    view.close()
    scene.detach()
    return rows


def _arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """The positional arguments and the ``--only`` names of ``argv``."""
    positional, only = [], []
    args = iter(argv)
    for arg in args:
        if arg == "--only":
            only.append(next(args, "").lower())
        elif arg.startswith("--only="):
            only.append(arg.split("=", 1)[1].lower())
        else:
            positional.append(arg)
    return positional, only


def main() -> None:
    positional, only = _arguments(sys.argv[1:])

    def wanted(name: str) -> bool:
        return not only or any(name.lower().startswith(prefix) for prefix in only)

    n = int(positional[0]) if len(positional) > 0 else 2000
    m = int(positional[1]) if len(positional) > 1 else 5000
    ensure_app()
    print(f"view {VIEW_SIZE[0]}x{VIEW_SIZE[1]}; frames are medians; CPU: this process's time (load excluded)")
    print(f"  {'map':<20} {'measure':<40} {'wall ms':>9} {'CPU ms':>9}")
    if wanted("random"):
        doc = random_map(n, m, equations=False)
        hub = _give_hub(doc)
        measure(f"random {len(doc.variables)}/{len(doc.links)}", doc, hub)
    if wanted("local"):
        doc = local_map(n, m)
        hub = _give_hub(doc)
        measure(f"local {len(doc.variables)}/{len(doc.links)}", doc, hub)
    from sysmap.io import load

    for file in ("wrld3-03.xmile", "C-LEARN_v77_for_Vensim.xmile"):
        if not wanted(file):
            continue
        path = MODELS / file
        if not path.exists():
            print(f"  {file}: absent, skipped")
            continue
        doc = load(path)
        measure(path.stem[:16], doc, _closest_degree(doc))


if __name__ == "__main__":
    main()
