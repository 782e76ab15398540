"""The simulation panel: settings, Run, a plot of chosen variables, constant sliders, sensitivity bands,
the dominant feedback loops under the plot, and sparklines on the canvas's stocks.

Settings edits change the map (one undo step each); slider moves do not -- they re-run the
model compiled once per version of the map, with ``overrides``, until "Keep these values"
writes them into the equations (one undo step).

After each run (slider moves included, debounced) loop dominance is scored off the GUI thread
and drawn as a strip under the plot (:mod:`.dominance_strip`); each stock of the canvas shows
its behaviour as a sparkline until the map changes.
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sysmap.errors import SysmapError
from sysmap.model import SystemMap, operations
from sysmap.model.edits import Compound
from sysmap.ui.commands import perform
from sysmap.ui.simulation.constants import equation_text, find_constants
from sysmap.ui.simulation.dominance_strip import DominanceRunner, DominanceStrip
from sysmap.ui.simulation.plots import SimulationPlot
from sysmap.ui.simulation.sensitivity import Bands, ParameterTable, SensitivityRunner
from sysmap.ui.simulation.sliders import ConstantSliders

METHODS = ("euler", "rk4", "rk2")
#: Quiet time after a run (a slider drag is many runs) before loop dominance is scored again.
DOMINANCE_DELAY_MS = 300
NO_EQUATIONS = (
    "Nothing to simulate: no variable has an equation. This is a causal loop diagram; "
    "give its variables equations (stocks, flows and auxiliaries) to run it."
)


def has_equations(doc: SystemMap) -> bool:
    """Whether any variable of ``doc`` (or its modules) has an equation, as ``sysmap simulate`` asks."""
    return any(var.equation.strip() for model in doc.all_models() for var in model.variables.values())


class SimulationPanel(QWidget):
    """Runs the map's model and plots it; see the module docstring.

    The main window calls :meth:`set_session` whenever the document is replaced.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc: SystemMap | None = None
        self.stack: QUndoStack | None = None
        self.scene = None
        self.results = None  # the last run's Results
        self.bands: Bands | None = None
        self._model = None  # compiled for the current version of the map
        self._checked: set[str] | None = None  # plotted variables by name (None: stocks)
        self._started = 0.0  # when the sensitivity run began

        # settings row
        self.start_edit, self.stop_edit, self.dt_edit = QLineEdit(), QLineEdit(), QLineEdit()
        self.method_box = QComboBox()
        self.method_box.addItems(METHODS)
        self.run_button = QPushButton("Run")
        settings = QHBoxLayout()
        for label, edit, field in (
            ("Start", self.start_edit, "start"),
            ("Stop", self.stop_edit, "stop"),
            ("dt", self.dt_edit, "dt"),
        ):
            edit.setMaximumWidth(80)
            edit.setAccessibleName(label)
            edit.editingFinished.connect(lambda e=edit, f=field: self._commit_setting(f, e))
            settings.addWidget(QLabel(label))
            settings.addWidget(edit)
        settings.addWidget(QLabel("Method"))
        settings.addWidget(self.method_box)
        settings.addStretch(1)
        settings.addWidget(self.run_button)
        self.method_box.activated.connect(self._commit_method)
        self.run_button.clicked.connect(self.run)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a4b00;")
        self.message.hide()

        # plot and the variables to plot
        self.variable_list = QListWidget()
        self.variable_list.setMinimumWidth(140)
        self.variable_list.itemChanged.connect(self._on_variable_checked)
        self.plot = SimulationPlot()
        self.strip = DominanceStrip(self.plot)
        self.strip.hide()
        plot_side = QWidget()
        column = QVBoxLayout(plot_side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.plot, 1)
        column.addWidget(self.strip)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.variable_list)
        top.addWidget(plot_side)
        top.setStretchFactor(1, 1)
        top.setSizes([170, 600])

        # constants
        self.sliders = ConstantSliders()
        self.sliders.moved.connect(self._on_slider)
        self.keep_button = QPushButton("Keep these values")
        self.keep_button.setToolTip("Write the slider values into the equations (one undo step)")
        self.keep_button.clicked.connect(self.keep_values)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Put the sliders back at the map's values")
        self.reset_button.clicked.connect(self.sliders.reset)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.sliders)
        constants_page = QWidget()
        box = QVBoxLayout(constants_page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(scroll)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.keep_button)
        box.addLayout(buttons)

        # sensitivity
        self.parameters = ParameterTable()
        self.runs_box = QSpinBox()
        self.runs_box.setRange(2, 100_000)
        self.runs_box.setValue(200)
        self.runs_box.setAccessibleName("Runs")
        self.band_button = QPushButton("Run sensitivity")
        self.band_button.clicked.connect(self.run_sensitivity)
        self.clear_band_button = QPushButton("Clear band")
        self.clear_band_button.clicked.connect(self._clear_bands)
        self.runner = SensitivityRunner(self)
        self.runner.finished.connect(self._on_bands)
        self.dominance = None  # the last run's Dominance
        self.dominance_runner = DominanceRunner(self)
        self.dominance_runner.finished.connect(self._on_dominance)
        self._dominance_timer = QTimer(self)
        self._dominance_timer.setSingleShot(True)
        self._dominance_timer.setInterval(DOMINANCE_DELAY_MS)
        self._dominance_timer.timeout.connect(self._score_dominance)
        sensitivity_page = QWidget()
        box = QVBoxLayout(sensitivity_page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.parameters)
        row = QHBoxLayout()
        row.addWidget(QLabel("Runs"))
        row.addWidget(self.runs_box)
        row.addStretch(1)
        row.addWidget(self.clear_band_button)
        row.addWidget(self.band_button)
        box.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.addTab(constants_page, "Constants")
        self.tabs.addTab(sensitivity_page, "Sensitivity")
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(self.tabs)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setSizes([420, 220])

        # status and export
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self._ask_csv)
        self.image_button = QPushButton("Export plot…")
        self.image_button.clicked.connect(self._ask_image)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.image_button)

        layout = QVBoxLayout(self)
        layout.addLayout(settings)
        layout.addWidget(self.message)
        layout.addWidget(body, 1)
        layout.addLayout(bottom)
        self._enable()

    # -- session ----------------------------------------------------------------------------------

    def set_session(self, doc: SystemMap | None, stack: QUndoStack | None, scene=None) -> None:
        """Simulate ``doc``, editing it through ``stack``; forgets the previous map's results."""
        if self.doc is not None:
            self.doc.changed.disconnect(self._on_change)
        self._clear_sparklines()
        self.doc, self.stack, self.scene = doc, stack, scene
        self.results = None
        self.dominance = None
        self._dominance_timer.stop()
        self.dominance_runner.cancel()
        self.strip.clear()
        self.bands = None
        self._model = None
        self._checked = None
        self.runner.cancel()
        self.plot.clear()
        self.variable_list.clear()
        self.status.clear()
        if doc is not None:
            doc.changed.connect(self._on_change)
        self._refresh_settings()
        self._refresh_constants(keep={})
        self._enable()

    def _on_change(self, change) -> None:
        self._model = None  # recompiled at the next run
        self._clear_sparklines()
        self._refresh_settings()
        if change.added or change.removed or change.changed:
            self._refresh_constants(keep=self.sliders.values())
        if self.results is not None:
            self.status.setText("The map changed since this run; Run to update the plot.")
        self._enable()

    def _refresh_settings(self) -> None:
        if self.doc is None:
            for edit in (self.start_edit, self.stop_edit, self.dt_edit):
                edit.clear()
            return
        specs = self.doc.sim_specs
        self.start_edit.setText(f"{specs.start:g}")
        self.stop_edit.setText(f"{specs.stop:g}")
        self.dt_edit.setText(f"{specs.dt:.10g}")
        method = (specs.method or "euler").strip().lower()
        if self.method_box.findText(method) < 0:
            self.method_box.addItem(method)
        self.method_box.setCurrentText(method)

    def _refresh_constants(self, keep: dict[str, float]) -> None:
        constants = find_constants(self.doc) if self.doc is not None else []
        self.sliders.set_constants(constants, keep)
        self.parameters.set_constants(constants)

    def _enable(self) -> None:
        simulable = self.doc is not None and has_equations(self.doc)
        if self.doc is not None and not simulable:
            self.message.setText(NO_EQUATIONS)
            self.message.show()
        else:
            self.message.hide()
        for widget in (self.run_button, self.band_button, self.tabs, self.variable_list):
            widget.setEnabled(simulable)
        for widget in (self.start_edit, self.stop_edit, self.dt_edit, self.method_box):
            widget.setEnabled(self.doc is not None)
        has_results = self.results is not None
        self.csv_button.setEnabled(has_results)
        self.image_button.setEnabled(has_results)

    # -- settings ---------------------------------------------------------------------------------

    def _commit_setting(self, field: str, edit: QLineEdit) -> None:
        if self.doc is None or self.stack is None:
            return
        current = getattr(self.doc.sim_specs, field)
        text = edit.text().strip()
        try:
            value = float(text)
        except ValueError:
            self._refresh_settings()
            self._say(f'{edit.accessibleName()}: "{text}" is not a number')
            return
        if value == current:
            return
        self._apply(operations.set_sim_specs, **{field: value})

    def _commit_method(self, _index: int = 0) -> None:
        if self.doc is None or self.stack is None:
            return
        method = self.method_box.currentText()
        if method != self.doc.sim_specs.method:
            self._apply(operations.set_sim_specs, method=method)

    def _apply(self, build, **changes) -> None:
        try:
            perform(self.stack, self.doc, build(self.doc, **changes))
        except SysmapError as exc:
            self._refresh_settings()
            self._say(str(exc))

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # -- running ----------------------------------------------------------------------------------

    def compiled(self):
        """The map's model, compiled once per version of the map; raises ``SysmapError``."""
        if self._model is None:
            from sysmap.sim import compile_model

            self._model = compile_model(self.doc)
        return self._model

    def run(self) -> bool:
        """Run the model with the sliders' values and plot it; returns whether it ran.

        A map without equations, or one that does not compile, gets a message instead.
        """
        if self.doc is None:
            return False
        if not has_equations(self.doc):
            self._enable()
            return False
        try:
            model = self.compiled()
            began = time.perf_counter()
            results = model.run(method=self.method_box.currentText(), overrides=self.sliders.values())
            took = time.perf_counter() - began
        except SysmapError as exc:
            self._say(str(exc))
            return False
        self.results = results
        self._fill_variable_list()
        self._draw()
        what_if = self._what_if_text()
        self._say(f"Ran in {took * 1000:.1f} ms · {len(results.times)} saved times{what_if}")
        self._enable()
        self._show_sparklines()
        self._dominance_timer.start()
        return True

    # -- after a run: sparklines and loop dominance -----------------------------------------------

    def _show_sparklines(self) -> None:
        if self.scene is None or self.results is None:
            return
        series = {}
        for name in self.compiled().stock_names:
            var = self.doc.variable_named(name)
            if var is not None and name in self.results.names:
                series[var.id] = (self.results.times, self.results[name])
        self.scene.set_sparklines(series)

    def _clear_sparklines(self) -> None:
        if self.scene is not None and shiboken6.isValid(self.scene):
            self.scene.set_sparklines(None)

    def _score_dominance(self) -> None:
        """Score the loops of the map as run (slider values written into a snapshot)."""
        if self.doc is None or self.results is None:
            return
        snapshot = self.doc.copy()
        values = self.sliders.values()
        try:
            for const in self.sliders.constants:
                if const.name in values:
                    snapshot.apply(
                        operations.update(snapshot, const.vid, equation=equation_text(values[const.name]))
                    )
        except SysmapError as exc:
            self.strip.show_message(f"Loop dominance: {exc}")
            return
        if not self.strip.periods:
            self.strip.show_message("Scoring the feedback loops…")
        self.dominance_runner.start(snapshot, method=self.method_box.currentText())

    def _on_dominance(self, _token: int, result) -> None:
        if isinstance(result, str):
            self.dominance = None
            self.strip.show_message(f"Loop dominance: {result}")
            return
        self.dominance = result
        self.strip.show_periods(result.periods(top=3))

    def _what_if_text(self) -> str:
        values = self.sliders.values()
        if not values:
            return ""
        shown = ", ".join(f"{name} = {value:.4g}" for name, value in list(values.items())[:3])
        return f" · what-if: {shown}{'…' if len(values) > 3 else ''}"

    def _on_slider(self, _name: str, _value: float) -> None:
        self._clear_bands()
        if self.results is None and self._model is None:
            return  # nothing run yet: the values apply at the first run
        self.run()

    def _fill_variable_list(self) -> None:
        names = list(self.results.names)
        if self._checked is None:
            stocks = set(self.compiled().stock_names)
            self._checked = {n for n in names if n in stocks} or set(names[:4])
        shown = [self.variable_list.item(i).text() for i in range(self.variable_list.count())]
        if shown == names:
            return
        self.variable_list.blockSignals(True)
        self.variable_list.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setToolTip(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in self._checked else Qt.CheckState.Unchecked)
            self.variable_list.addItem(item)
        self.variable_list.blockSignals(False)

    def plotted(self) -> list[str]:
        """The variables checked for plotting, in the model's order."""
        return [
            self.variable_list.item(i).text()
            for i in range(self.variable_list.count())
            if self.variable_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _on_variable_checked(self, item: QListWidgetItem) -> None:
        if self._checked is None:
            return
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(item.text())
        else:
            self._checked.discard(item.text())
        if self.results is not None:
            self._draw()

    def _draw(self) -> None:
        names = self.plotted()
        self.plot.show_series(self.results.times, {name: self.results[name] for name in names})
        specs = self.doc.sim_specs
        self.plot.set_labels(f"Time ({specs.time_units})" if specs.time_units else "Time", self._units(names))

    def _units(self, names: list[str]) -> str:
        units = set()
        for name in names:
            var = self.doc.variable_named(name.partition("[")[0])
            units.add(var.units if var is not None else "")
        return f"Value ({units.pop()})" if len(units) == 1 and "" not in units else "Value"

    # -- constants --------------------------------------------------------------------------------

    def keep_values(self) -> bool:
        """Write the sliders' what-if values into the equations as one undo step; returns whether it did."""
        values = self.sliders.values()
        if self.doc is None or self.stack is None or not values:
            return False
        edits = [
            operations.update(self.doc, const.vid, equation=equation_text(values[const.name]))
            for const in self.sliders.constants
            if const.name in values
        ]
        n = len(edits)
        try:
            perform(self.stack, self.doc, Compound(edits, f"Keep {n} slider value{'s' if n != 1 else ''}"))
        except SysmapError as exc:
            self._say(str(exc))
            return False
        self._refresh_constants(keep={})
        self.run()
        return True

    # -- sensitivity ------------------------------------------------------------------------------

    def run_sensitivity(self) -> bool:
        """Start a sensitivity run of the checked parameters; returns whether it started.

        The band appears when the run finishes (:attr:`bands`).
        """
        if self.doc is None or not has_equations(self.doc):
            return False
        if self.results is None and not self.run():
            return False
        try:
            ranges = self.parameters.ranges()
        except SysmapError as exc:
            self._say(str(exc))
            return False
        if not ranges:
            self._say("Check at least one parameter to vary in the Sensitivity tab.")
            return False
        keep = self.plotted()
        if not keep:
            self._say("Check a variable to plot first.")
            return False
        fixed = {k: v for k, v in self.sliders.values().items() if k not in ranges}
        runs = self.runs_box.value()
        self.runner.start(
            self.doc, ranges=ranges, keep=keep, runs=runs, method=self.method_box.currentText(), fixed=fixed
        )
        self._started = time.perf_counter()
        self.band_button.setEnabled(False)
        self._say(f"Running {runs} simulations…")
        return True

    def _on_bands(self, _token: int, result) -> None:
        self.band_button.setEnabled(self.doc is not None and has_equations(self.doc))
        if isinstance(result, str):
            self._say(result)
            return
        took = time.perf_counter() - self._started
        shown = [name for name in result.bands if name in self.plot.lines]
        self.bands = result
        self.plot.show_bands(result.times, {name: result.bands[name] for name in shown})
        self._say(f"Sensitivity: {result.runs} runs in {took * 1000:.0f} ms · mean (dashed) and 5–95% band")

    def _clear_bands(self) -> None:
        self.runner.cancel()
        self.bands = None
        self.plot.clear_bands()
        self.band_button.setEnabled(self.doc is not None and has_equations(self.doc))

    # -- export -----------------------------------------------------------------------------------

    def export_csv(self, path: str) -> None:
        """Write the last run, every variable, as CSV (a ``time`` column first); raises ``SysmapError``."""
        if self.results is None:
            raise SysmapError("run the model before exporting its results")
        self.results.to_csv(path)

    def export_plot(self, path: str) -> None:
        """Write the plot as PNG or SVG, by ``path``'s suffix; raises ``SysmapError``."""
        self.plot.export(path)

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export results", "results.csv", "CSV files (*.csv)")
        if path:
            self._export(self.export_csv, path)

    def _ask_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export plot", "plot.png", "PNG images (*.png);;SVG drawings (*.svg)"
        )
        if path:
            self._export(self.export_plot, path)

    def _export(self, write, path: str) -> None:
        try:
            write(path)
        except SysmapError as exc:
            self._say(str(exc))
        else:
            self._say(f"Wrote {path}")
