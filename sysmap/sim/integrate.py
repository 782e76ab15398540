"""Running a compiled model: the schedule of steps and saves, and one call of its generated loop.

Time ``k`` is ``start + k * dt`` (never accumulated, so no drift); the run takes
``round((stop - start) / dt)`` steps and keeps every ``round(save_interval / dt)``-th one.
Auxiliaries and flows are saved as computed from the stocks at the saved time (for RK
methods, from the first stage of the step), as Stella and Vensim report them.

>>> Schedule.of_numbers(0.0, 2.0, 0.5, 1.0).save_times().tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

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
    run = variant.runner(method, kept if runs is not None else None)
    arguments = (dt, schedule.start, schedule.stop, pipes, schedule.steps, schedule.every)
    if runs is None:
        rows = bytearray(variant.row.size * schedule.saves)
        statics = run(overrides, Random(rng, None), *arguments, rows)
        out = np.zeros((schedule.saves, n_cells))
        if variant.saved:
            saved = np.frombuffer(rows)
            out[:, variant.saved] = saved.reshape(-1, len(variant.saved))
        if variant.statics:
            out[:, variant.statics] = np.array(statics, dtype=float)
        return out
    if kept is not None:  # the generated loop writes the kept cells only, in ``kept``'s order
        out = np.zeros((schedule.saves, len(kept), runs))
        statics = run(overrides, Random(rng, runs), *arguments, out)
        column = {cell: k for k, cell in enumerate(kept)}
        for cell, value in zip(variant.statics, statics, strict=True):
            if cell in column:
                out[:, column[cell]] = value
        return out
    out = np.zeros((schedule.saves, n_cells, runs))
    statics = run(overrides, Random(rng, runs), *arguments, out)
    for i, value in zip(variant.statics, statics, strict=True):
        out[:, i] = value
    return out
