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


def integrate(variant, schedule: Schedule, method: str, overrides: dict, rng, runs: int | None) -> np.ndarray:
    """Run ``variant`` (from :mod:`sysmap.sim.compile`) and return the saved values.

    ``runs`` is ``None`` for scalar code (result shape ``(saves, cells)``), else the number
    of runs of vector code (shape ``(saves, cells, runs)``). One call of the generated
    ``_run`` (see :mod:`sysmap.sim.loop`) runs the whole simulation.
    """
    p = variant.program
    n_cells = len(p.exprs)
    dt = schedule.dt
    pipes = [Pipe(schedule.start, dt) for _ in p.pipes]
    run = variant.runner(method)
    vector = runs is not None
    shape = (schedule.saves, n_cells) + ((runs,) if vector else ())
    out = np.zeros(shape)
    if vector:
        statics = run(
            overrides,
            Random(rng, runs),
            dt,
            schedule.start,
            schedule.stop,
            pipes,
            schedule.steps,
            schedule.every,
            out,
        )
    else:
        rows: list[tuple] = []
        statics = run(
            overrides,
            Random(rng, None),
            dt,
            schedule.start,
            schedule.stop,
            pipes,
            schedule.steps,
            schedule.every,
            rows,
        )
        if variant.saved:
            out[:, variant.saved] = np.fromiter(rows, float, len(rows)).reshape(-1, len(variant.saved))
    if variant.statics:
        if vector:
            for i, value in zip(variant.statics, statics, strict=True):
                out[:, i] = value
        else:
            out[:, variant.statics] = np.array(statics, dtype=float)
    return out
