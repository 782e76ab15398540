"""Sensitivity runs: parameters drawn uniformly from ranges, one vectorised ensemble, mean and 5–95% bands.

The ensemble runs on a plain thread on a snapshot of the map (compiled there), touching no Qt
object; the GUI thread polls for the answer with a timer and emits it (see
:mod:`sysmap.ui.inspector.polarity_check` for why).
"""

from __future__ import annotations

import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from sysmap.errors import SysmapError
from sysmap.model import SystemMap
from sysmap.ui import gc_guard
from sysmap.ui.simulation.constants import Constant

POLL_MS = 25


@dataclass(frozen=True)
class Bands:
    """What a sensitivity run gives: the save times, and per variable its ``mean``, ``p5`` and ``p95``."""

    times: np.ndarray
    bands: dict[str, dict[str, np.ndarray]]
    runs: int


def run_sensitivity(
    doc: SystemMap,
    ranges: dict[str, tuple[float, float]],
    keep: list[str],
    runs: int = 200,
    method: str | None = None,
    fixed: dict[str, float] | None = None,
    seed: int | None = 1,
) -> Bands:
    """Run ``doc`` ``runs`` times, each variable of ``ranges`` drawn uniformly from its (low, high).

    ``fixed`` holds other overrides (the sliders' what-ifs); ``keep`` the variables summarised.
    Raises :class:`~sysmap.errors.SysmapError` (a simulation error) when the model cannot run.
    """
    from sysmap.sim import compile_model
    from sysmap.sim.ensemble import bands

    if runs < 2:
        raise SysmapError("a sensitivity run needs at least 2 runs")
    rng = np.random.default_rng(seed)
    overrides: dict = dict(fixed or {})
    for name, (low, high) in ranges.items():
        overrides[name] = rng.uniform(low, high, runs)
    model = compile_model(doc)
    results = model.run(method=method, overrides=overrides, runs=runs, seed=seed, keep=keep)
    return Bands(results.times, {name: bands(results[name]) for name in keep}, runs)


class SensitivityRunner(QObject):
    """Runs :func:`run_sensitivity` in the background: :meth:`start` now, ``finished(token, result)``
    later, with a :class:`Bands` or an error message (str). A newer start makes older answers stale."""

    finished = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        gc_guard.install()  # the worker thread must never run a garbage collection
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sysmap-sensitivity")
        self._token = 0
        self._pending: tuple[int, Future] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)
        self._finalizer = weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)

    @property
    def busy(self) -> bool:
        """Whether a run is under way."""
        return self._pending is not None

    def start(self, doc: SystemMap, **kwargs) -> int:
        """Start a run on a snapshot of ``doc`` (``kwargs``: :func:`run_sensitivity`'s); returns a token."""
        self._token += 1
        snapshot = doc.copy()

        def job() -> object:
            try:
                return run_sensitivity(snapshot, **kwargs)
            except SysmapError as exc:
                return str(exc)
            except MemoryError:
                return "not enough memory for this many runs"

        self._pending = (self._token, self._executor.submit(job))
        self._timer.start()
        return self._token

    def cancel(self) -> None:
        """Forget the run under way (its answer is dropped)."""
        self._token += 1
        self._pending = None
        self._timer.stop()

    def _collect(self) -> None:
        if self._pending is None:
            self._timer.stop()
            return
        token, future = self._pending
        if not future.done():
            return
        self._pending = None
        self._timer.stop()
        if token == self._token:
            self.finished.emit(token, future.result())


class ParameterTable(QTableWidget):
    """Pick the parameters to vary (check them) and the range of each (editable low and high)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Vary", "Low", "High"])
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().hide()

    def set_constants(self, constants: list[Constant]) -> None:
        """One row per constant, unchecked, ranging 20% either side of its value; checks carry over."""
        checked = set(self.checked())
        self.setRowCount(len(constants))
        for row, const in enumerate(constants):
            item = QTableWidgetItem(const.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if const.name in checked else Qt.CheckState.Unchecked)
            self.setItem(row, 0, item)
            low, high = sorted((const.value * 0.8, const.value * 1.2))
            if low == high:
                low, high = const.low, const.high
            self.setItem(row, 1, QTableWidgetItem(f"{low:.4g}"))
            self.setItem(row, 2, QTableWidgetItem(f"{high:.4g}"))

    def checked(self) -> list[str]:
        """The names of the checked parameters."""
        return [
            self.item(row, 0).text()
            for row in range(self.rowCount())
            if self.item(row, 0).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, name: str, on: bool = True, low: float | None = None, high: float | None = None):
        """Check (or uncheck) parameter ``name``, optionally setting its range."""
        for row in range(self.rowCount()):
            if self.item(row, 0).text() == name:
                self.item(row, 0).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                if low is not None:
                    self.item(row, 1).setText(f"{low:g}")
                if high is not None:
                    self.item(row, 2).setText(f"{high:g}")
                return
        raise KeyError(name)

    def ranges(self) -> dict[str, tuple[float, float]]:
        """The checked parameters' (low, high); raises :class:`SysmapError` for a range that is not one."""
        found = {}
        for row in range(self.rowCount()):
            if self.item(row, 0).checkState() != Qt.CheckState.Checked:
                continue
            name = self.item(row, 0).text()
            try:
                low, high = float(self.item(row, 1).text()), float(self.item(row, 2).text())
            except ValueError:
                raise SysmapError(f'the range of "{name}" must be two numbers') from None
            if not (np.isfinite(low) and np.isfinite(high)) or low > high:
                raise SysmapError(f'the range of "{name}" must go from a low number to a higher one')
            found[name] = (low, high)
        return found
