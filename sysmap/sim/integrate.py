"""The time loop: Euler, RK2 (Heun) and RK4 over the compiled step function.

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
    of runs of vector code (shape ``(saves, cells, runs)``).
    """
    p = variant.program
    n_cells = len(p.exprs)
    n_stocks = p.n_stocks
    dt = schedule.dt
    pipes = [Pipe(schedule.start, dt) for _ in p.pipes]
    init, evaluate, commit, statics = variant.make(
        overrides, Random(rng, runs), dt, schedule.start, schedule.stop, pipes
    )
    vector = runs is not None
    shape = (schedule.saves, n_cells) + ((runs,) if vector else ())
    out = np.zeros(shape)
    if vector:
        state = init(np.zeros((n_stocks, runs)))
        rates = [np.zeros((n_stocks, runs)) for _ in range(4)]
    else:
        state = init([0.0] * n_stocks)
        rates = [[0.0] * n_stocks for _ in range(4)]
    row = None if vector else [0.0] * n_cells
    step = {"euler": _euler, "rk2": _rk2, "rk4": _rk4}[method]
    every = schedule.every
    floors = p.floors
    start = schedule.start
    last = schedule.steps
    for k in range(last + 1):
        t = start + k * dt
        keep = k % every == 0
        target = None if not keep else out[k // every] if vector else row
        if k == last:
            evaluate(state, t, rates[0], target, True)
        else:
            state = step(evaluate, state, t, dt, rates, target, vector)
            if floors:
                if vector:
                    state[floors] = np.maximum(state[floors], 0.0)
                else:
                    for j in floors:
                        if state[j] < 0.0:
                            state[j] = 0.0
            commit()
        if keep and not vector:
            out[k // every] = row
    for i, value in zip(variant.statics, statics, strict=True):
        out[:, i] = value
    return out


def _axpy(state, h, rates, vector: bool):
    if vector:
        return state + h * rates
    return [s + h * r for s, r in zip(state, rates, strict=True)]


def _euler(evaluate, state, t, dt, rates, target, vector):
    d = evaluate(state, t, rates[0], target, True)
    return _axpy(state, dt, d, vector)


def _rk2(evaluate, state, t, dt, rates, target, vector):
    k1 = evaluate(state, t, rates[0], target, True)
    k2 = evaluate(_axpy(state, dt, k1, vector), t + dt, rates[1], None, False)
    if vector:
        return state + dt / 2 * (k1 + k2)
    return [s + dt / 2 * (a + b) for s, a, b in zip(state, k1, k2, strict=True)]


def _rk4(evaluate, state, t, dt, rates, target, vector):
    half = dt / 2
    k1 = evaluate(state, t, rates[0], target, True)
    k2 = evaluate(_axpy(state, half, k1, vector), t + half, rates[1], None, False)
    k3 = evaluate(_axpy(state, half, k2, vector), t + half, rates[2], None, False)
    k4 = evaluate(_axpy(state, dt, k3, vector), t + dt, rates[3], None, False)
    if vector:
        return state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return [s + dt / 6 * (a + 2 * b + 2 * c + d) for s, a, b, c, d in zip(state, k1, k2, k3, k4, strict=True)]
