"""Render every picture the user guide uses, from the real application.

Run from anywhere (no screen needed: Qt runs offscreen)::

    python docs/make_screenshots.py            # rewrites docs/images/*.png
    python docs/make_screenshots.py --out DIR  # writes them somewhere else

Each picture opens a main window of a fixed size on one of the bundled example maps, does
what a user would (chooses a loop, runs a simulation, ticks "Show on map"), waits for the
background work to finish and saves the window. Text that changes from run to run (run times
in status lines) is cleared first, so the same code draws the same pictures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# never touch the user's settings or recovery files
_SCRATCH = tempfile.mkdtemp(prefix="sysmap-shots-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SCRATCH, "config")
os.environ["SYSMAP_RECOVERY_DIR"] = os.path.join(_SCRATCH, "recovery")

from PySide6.QtCore import QSettings, QSize, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from sysmap.examples import example_path  # noqa: E402
from sysmap.io import load  # noqa: E402

HERE = Path(__file__).resolve().parent
#: the size of every window pictured (the PNGs are this size)
WINDOW = QSize(1200, 760)


def settle(app: QApplication, condition: Callable[[], bool] = lambda: True, timeout: float = 30.0) -> None:
    """Process events until ``condition()`` holds (and a little longer, for repaints)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise RuntimeError("timed out waiting for the application")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def open_window(app: QApplication, example: str):
    """A main window of :data:`WINDOW` size on the bundled example ``example``."""
    from sysmap.ui.mainwindow import MainWindow

    # each picture starts from a fresh install: no window layout kept from the one before
    QSettings("sysmap", "sysmap").clear()
    path = example_path(example)
    window = MainWindow(load(path), str(path))
    window.session.ask_save = lambda *a: "discard"
    window.resize(WINDOW)
    window.show()
    settle(app)
    window.resize(WINDOW)
    settle(app)
    window.view.fit()
    settle(app)
    return window


def save(widget: QWidget, path: Path) -> None:
    """Save what ``widget`` shows as an 8-bit PNG."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    if not image.save(str(path), "PNG", 9):
        raise RuntimeError(f"could not write {path}")
    print(f"{path}  {image.width()}x{image.height()}  {path.stat().st_size // 1024} KB")


def close(app: QApplication, window) -> None:
    window.session.ask_save = lambda *a: "discard"
    window.close()
    window.deleteLater()
    settle(app)


def select(window, *names: str) -> None:
    """Select the variables called ``names`` on the canvas (as a click would)."""
    by_name = {var.name: vid for vid, var in window.doc.variables.items()}
    window.scene.clearSelection()
    for name in names:
        window.scene.variable_items[by_name[name]].setSelected(True)


def select_link(window, cause: str, effect: str) -> None:
    by_name = {var.name: vid for vid, var in window.doc.variables.items()}
    window.scene.clearSelection()
    for lid, link in window.doc.links.items():
        if link.source == by_name[cause] and link.target == by_name[effect]:
            window.scene.link_items[lid].setSelected(True)
            return
    raise KeyError(f"no link {cause} -> {effect}")


def shoot_main_window(app, out: Path) -> None:
    window = open_window(app, "social_care_workload")
    save(window, out / "main-window.png")
    close(app, window)


def shoot_link_inspector(app, out: Path) -> None:
    window = open_window(app, "social_care_workload")
    link = next(iter(window.doc.links.values()))
    names = window.doc.variables
    select_link(window, names[link.source].name, names[link.target].name)
    settle(app)
    save(window, out / "link-inspector.png")
    close(app, window)


def shoot_stock_and_flow(app, out: Path) -> None:
    window = open_window(app, "worklessness")
    select(window, "Job finding")
    settle(app)
    save(window, out / "stock-and-flow.png")
    close(app, window)


def shoot_loops_panel(app, out: Path) -> None:
    window = open_window(app, "social_care_workload")
    give_canvas_room(window)
    window.loops_dock.show()
    window.loops_dock.raise_()
    window.resizeDocks([window.loops_dock], [470], Qt.Orientation.Horizontal)
    panel = window.loops
    settle(app, lambda: not panel.busy and panel.proxy.rowCount() > 0)
    balancing = next(
        r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 1).data() == "balancing"
    )
    panel.table.selectRow(balancing)
    window.view.fit()
    settle(app)
    save(window, out / "loops-panel.png")
    close(app, window)


def give_canvas_room(window) -> None:
    """Close the Inspector and the Overview, so a side panel leaves the map readable."""
    window.inspector_dock.hide()
    window.overview_dock.hide()


def show_analysis(app, window, tab: int):
    give_canvas_room(window)
    window.analysis_dock.show()
    window.analysis_dock.raise_()
    window.resizeDocks([window.analysis_dock], [560], Qt.Orientation.Horizontal)
    window.analysis.setCurrentIndex(tab)
    view = window.analysis.currentWidget()
    settle(app, lambda: not view.busy and view.result is not None)
    window.view.fit()
    return view


def shoot_leverage(app, out: Path) -> None:
    window = open_window(app, "social_care_workload")
    view = show_analysis(app, window, 0)
    view.heat.setChecked(True)
    view.table.selectRow(0)
    settle(app)
    save(window, out / "leverage.png")
    close(app, window)


def shoot_polarity_check(app, out: Path) -> None:
    window = open_window(app, "worklessness")
    # draw one link the wrong way round, as a user might, for the check to catch
    by_name = {var.name: vid for vid, var in window.doc.variables.items()}
    wrong = next(
        lid
        for lid, link in window.doc.links.items()
        if link.source == by_name["Job loss rate"] and link.target == by_name["Job loss"]
    )
    window.scene.editing.set_polarity("-", [wrong])
    view = show_analysis(app, window, 2)
    settle(app, lambda: bool(view.found))
    view.table.selectRow(0)
    settle(app)
    save(window, out / "polarity-check.png")
    close(app, window)


def shoot_archetypes(app, out: Path) -> None:
    window = open_window(app, "urban_housing")
    view = show_analysis(app, window, 3)
    view.table.selectRow(0)
    settle(app)
    save(window, out / "archetypes.png")
    close(app, window)


def shoot_simulation(app, out: Path) -> None:
    window = open_window(app, "sir_epidemic")
    window.resizeDocks([window.simulation_dock], [380], Qt.Orientation.Vertical)
    window.run_simulation()
    panel = window.simulation
    settle(app, lambda: bool(panel.plot.lines))
    window.resizeDocks([window.simulation_dock], [400], Qt.Orientation.Vertical)
    panel.status.setText("")
    window.view.fit()
    settle(app)
    save(window, out / "simulation.png")
    close(app, window)


def shoot_perspectives(app, out: Path) -> None:
    window = open_window(app, "system_infrastructure")
    window.perspectives_dock.show()
    window.perspectives_dock.raise_()
    panel = window.perspectives_panel
    # the example's components carry the three standard perspectives' tags already
    window.scene.clearSelection()
    panel.list.setCurrentRow(2)
    panel.mode.setCurrentIndex(panel.mode.findData("only"))
    settle(app, lambda: bool(panel.summary.toPlainText()))
    window.view.fit()
    settle(app)
    save(window, out / "perspectives.png")
    close(app, window)


def shoot_presentation_editor(app, out: Path) -> None:
    window = open_window(app, "pa_feedback")
    window.overview_dock.hide()
    window.presentation_dock.show()
    window.presentation_dock.raise_()
    window.resize(WINDOW)
    editor = window.sequence_editor
    settle(app)
    loop_rows = [r for r in range(editor.steps.count()) if "Loop" in editor.steps.item(r).text()]
    editor.steps.setCurrentRow(loop_rows[0] if loop_rows else 0)
    settle(app)
    save(window, out / "presentation-editor.png")
    close(app, window)


def shoot_presentation(app, out: Path) -> None:
    from sysmap.ui.presentation import PresentationWindow

    doc = load(example_path("social_care_workload"))
    window = PresentationWindow(doc)
    window.resize(WINDOW)
    window.show()
    settle(app)
    loops = [i for i, step in enumerate(window.steps) if step.kind == "loop"]
    window.show_step(loops[1] if len(loops) > 1 else len(window.steps) - 1)
    settle(app)
    save(window, out / "presentation.png")
    window.close()
    window.deleteLater()
    settle(app)


SHOTS = (
    shoot_main_window,
    shoot_link_inspector,
    shoot_stock_and_flow,
    shoot_loops_panel,
    shoot_leverage,
    shoot_polarity_check,
    shoot_archetypes,
    shoot_simulation,
    shoot_perspectives,
    shoot_presentation_editor,
    shoot_presentation,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "images", help="where to write (docs/images)")
    parser.add_argument("--only", help="render only the shots whose name contains this")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("sysmap")
    app.setOrganizationName("sysmap")
    for shoot in SHOTS:
        if args.only and args.only not in shoot.__name__:
            continue
        shoot(app, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
