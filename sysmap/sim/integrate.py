"""Running a compiled model: the schedule of steps and saves, and one call of its generated loop.

Time ``k`` is ``start + k * dt`` (never accumulated, so no drift); the run takes
``round((stop - start) / dt)`` steps and keeps every ``round(save_interval / dt)``-th one.
Auxiliaries and flows are saved as computed from the stocks at the saved time (for RK
methods, from the first stage of the step), as Stella and Vensim report them.

>>> Schedule.of_numbers(0.0, 2.0, 0.5, 1.0).save_times().tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from sysmap.sim.functions import Pipe, Random


@dataclass(frozen=True, slots=True)
class Schedule:
    """Start, step, number of steps and how often results are kept."""

    start: float
    dt: float
    steps: int
    every: int

    @classmethod
    def of(cls, specs) -> Schedule:
        """The schedule of a model's :class:`~sysmap.model.SimSpecs`."""
        return cls.of_numbers(specs.start, specs.stop, specs.dt, specs.save_interval)

    @classmethod
    def of_numbers(cls, start: float, stop: float, dt: float, save_interval: float | None) -> Schedule:
        steps = max(0, round((stop - start) / dt))
        every = max(1, round(save_interval / dt)) if save_interval else 1
        return cls(start, dt, steps, every)

    @property
    def stop(self) -> float:
        return self.start + self.steps * self.dt

    def save_times(self) -> np.ndarray:
        """The times at which results are kept."""
        return self.start + np.arange(0, self.steps + 1, self.every) * self.dt

    @property
    def saves(self) -> int:
        return self.steps // self.every + 1


def integrate(
    variant, schedule: Schedule, method: str, overrides: dict, rng, runs: int | None, kept=None
) -> np.ndarray:
    """Run ``variant`` (from :mod:`sysmap.sim.compile`) and return the saved values.

    ``runs`` is ``None`` for scalar code (result shape ``(saves, cells)``), else the number
    of runs of vector code (shape ``(saves, cells, runs)``, or ``(saves, len(kept), runs)``
    when vector code is given the list of cells ``kept``). One call of the generated
    ``_run`` (see :mod:`sysmap.sim.loop`) runs the whole simulation.
    """
    p = variant.program
    n_cells = len(p.exprs)
    dt = schedule.dt
    pipes = [Pipe(schedule.start, dt) for _ in p.pipes]
    run = variant.runner(method)
    arguments = (dt, schedule.start, schedule.stop, pipes, schedule.steps, schedule.every)
    if runs is None:
        rows: list = []
        statics = run(overrides, Random(rng, None), *arguments, rows)
        out = np.zeros((schedule.saves, n_cells))
        if variant.saved:  # struct converts a list of floats to doubles faster than numpy does
            saved = np.frombuffer(struct.pack(f"{len(rows)}d", *rows))
            out[:, variant.saved] = saved.reshape(-1, len(variant.saved))
        if variant.statics:
            out[:, variant.statics] = np.array(statics, dtype=float)
        return out
    if kept is not None:
        kept_rows = KeptRows(schedule.saves, n_cells, runs, kept)
        statics = run(overrides, Random(rng, runs), *arguments, kept_rows)
        return kept_rows.finish(variant.statics, statics)
    out = np.zeros((schedule.saves, n_cells, runs))
    statics = run(overrides, Random(rng, runs), *arguments, out)
    for i, value in zip(variant.statics, statics, strict=True):
        out[:, i] = value
    return out


class KeptRows:
    """What vector code saves into when only some cells are kept: each row is written into one
    scratch array of every cell (``rows[row]``, as the generated code asks for it) and its kept
    cells copied out when the next row is asked for, so memory grows by the kept cells only.

    >>> rows = KeptRows(saves=2, cells=3, runs=2, kept=[2])
    >>> for row in range(2):
    ...     rows[row][:] = row + 1.0
    >>> rows.finish([], ()).tolist()
    [[[1.0, 1.0]], [[2.0, 2.0]]]
    """

    def __init__(self, saves: int, cells: int, runs: int, kept: list[int]):
        self.kept = np.asarray(kept, dtype=np.intp)
        self.data = np.zeros((saves, len(kept), runs))
        self.scratch = np.zeros((cells, runs))
        self.row: int | None = None

    def __getitem__(self, row: int) -> np.ndarray:
        self._flush()
        self.row = row
        return self.scratch

    def _flush(self) -> None:
        if self.row is not None:
            self.data[self.row] = self.scratch[self.kept]
            self.row = None

    def finish(self, statics: list[int], values) -> np.ndarray:
        """The kept values, with the cells constant over the run (``statics``) filled in."""
        self._flush()
        column = {cell: k for k, cell in enumerate(self.kept.tolist())}
        for cell, value in zip(statics, values, strict=True):
            if cell in column:
                self.data[:, column[cell]] = value
        return self.data
