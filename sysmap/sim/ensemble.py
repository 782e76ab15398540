"""Sensitivity runs: parameter distributions written as text, sampled for an ensemble, and summarised.

Distributions are read by a regular expression -- a name and numbers -- never evaluated.

>>> parse_distribution("uniform(0.1, 0.3)")
Distribution(kind='uniform', params=(0.1, 0.3))
>>> import numpy as np
>>> parse_distribution("normal(10, 0)").sample(3, np.random.default_rng(1)).tolist()
[10.0, 10.0, 10.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sysmap.sim.errors import SimulationError

_NUMBER = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_FORM = re.compile(rf"\s*([A-Za-z]+)\s*\(\s*({_NUMBER}(?:\s*,\s*{_NUMBER})*)\s*\)\s*")
_ARITY = {"uniform": 2, "normal": 2, "triangular": 3}
_USAGE = "uniform(a, b), normal(mu, sigma) or triangular(a, mode, b)"


@dataclass(frozen=True, slots=True)
class Distribution:
    """A named distribution and its parameters."""

    kind: str
    params: tuple[float, ...]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws."""
        if self.kind == "uniform":
            return rng.uniform(self.params[0], self.params[1], n)
        if self.kind == "normal":
            return rng.normal(self.params[0], self.params[1], n)
        return rng.triangular(*self.params, n)


def parse_distribution(text: str) -> Distribution:
    """The distribution ``text`` describes; raises :class:`SimulationError` with the forms it accepts.

    >>> parse_distribution("gamma(1, 2)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    sysmap.sim.errors.SimulationError: unknown distribution "gamma" (use uniform(a, b), ...)
    """
    m = _FORM.fullmatch(text)
    if m is None:
        raise SimulationError(f'cannot read the distribution "{text}" (use {_USAGE})')
    kind = m.group(1).lower()
    if kind not in _ARITY:
        raise SimulationError(f'unknown distribution "{m.group(1)}" (use {_USAGE})')
    params = tuple(float(p) for p in m.group(2).split(","))
    if len(params) != _ARITY[kind]:
        raise SimulationError(f"{kind} takes {_ARITY[kind]} numbers, not {len(params)} (use {_USAGE})")
    if not all(np.isfinite(params)):
        raise SimulationError(f'the distribution "{text}" has a number that is not finite')
    if kind == "uniform" and params[0] > params[1]:
        raise SimulationError(f"uniform(a, b) needs a <= b, not {params[0]:g} > {params[1]:g}")
    if kind == "normal" and params[1] < 0:
        raise SimulationError("normal(mu, sigma) needs sigma >= 0")
    if kind == "triangular" and not params[0] <= params[1] <= params[2]:
        raise SimulationError("triangular(a, mode, b) needs a <= mode <= b")
    if kind == "triangular" and params[0] == params[2]:
        raise SimulationError("triangular(a, mode, b) needs a < b")
    return Distribution(kind, params)


def bands(values: np.ndarray) -> dict[str, np.ndarray]:
    """Mean and the 5% and 95% percentiles over runs of ``values`` (shape ``(saves, runs)``).

    >>> b = bands(np.array([[1.0, 3.0], [2.0, 2.0]]))
    >>> b["mean"].tolist(), b["p5"].tolist()
    ([2.0, 2.0], [1.1, 2.0])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    return {
        "mean": values.mean(axis=1),
        "p5": np.percentile(values, 5, axis=1),
        "p95": np.percentile(values, 95, axis=1),
    }
