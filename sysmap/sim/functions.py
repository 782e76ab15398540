"""The run-time library of generated code: builtins that are more than one operator.

Generated code sees only the names in :func:`namespace` (no Python builtins), in one of two
flavours: ``vector`` works on numpy arrays of shape ``(runs,)`` (ensembles, and any run that
meets an infinity or a NaN), ``scalar`` on Python floats (a single run, several times faster;
it raises on division by zero and domain errors, and the run is then repeated in vector form,
whose IEEE semantics give ``inf``/``nan`` instead).

>>> lookup = Table((0.0, 1.0, 2.0), (0.0, 10.0, 40.0), "continuous")
>>> lookup.scalar(1.5), lookup.scalar(5.0)
(25.0, 40.0)
>>> float(floored_mod(-7.0, 3.0)), float(truncated_mod(-7.0, 3.0))
(2.0, -1.0)
"""

from __future__ import annotations

import bisect
import math

import numpy as np

#: Times closer than this fraction of DT count as equal (``t`` is ``start + k * dt``, so
#: 0.1 * 3 is 0.30000000000000004).
TIME_EPSILON = 1e-6


#: The most points of a graphical function written inline into scalar code (see :meth:`Table.inline`).
INLINE_POINTS = 32


def _literal(value: float) -> str:
    """A float as Python source that reads back as the same float, as an atom."""
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


class Table:
    """A graphical function: ``continuous`` (linear, flat beyond the ends), ``extrapolate``
    (linear, extended beyond the ends) or ``discrete`` (a step at each point)."""

    def __init__(self, xs, ys, kind: str = "continuous"):
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        self.xs = [float(xs[i]) for i in order]
        self.ys = [float(ys[i]) for i in order]
        self.kind = kind
        self._xa = np.asarray(self.xs)
        self._ya = np.asarray(self.ys)
        self.scalar = self._scalar_function()

    def _scalar_function(self):
        """``scalar(x)``: the table at one float, as a closure over precomputed slopes (tables
        are called at every step: this is hot code)."""
        xs, ys, kind = self.xs, self.ys, self.kind
        first_x, last_x, first_y, last_y = xs[0], xs[-1], ys[0], ys[-1]
        find = bisect.bisect_right
        if kind == "discrete":

            def discrete(x: float) -> float:
                if x != x:
                    return x
                i = find(xs, x) - 1
                return ys[i] if i > 0 else first_y

            return discrete
        # slope of each segment; a last 0.0 lets a NaN fall through to NaN
        slopes = [
            (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) if xs[i + 1] != xs[i] else 0.0
            for i in range(len(xs) - 1)
        ]
        slopes.append(0.0)
        low = slopes[0] if kind == "extrapolate" and len(xs) > 1 else 0.0
        high = slopes[-2] if kind == "extrapolate" and len(xs) > 1 else 0.0
        self._slopes, self._low, self._high = slopes, low, high

        def continuous(x: float) -> float:
            if x <= first_x:
                return first_y + (x - first_x) * low if low else first_y
            if x >= last_x:
                return last_y + (x - last_x) * high if high else last_y
            i = find(xs, x) - 1
            return ys[i] + (x - xs[i]) * slopes[i]

        return continuous

    def inline(self, arg: str, x: str) -> str | None:
        """Python code computing :attr:`scalar` of the expression ``arg`` with the same arithmetic,
        a binary search written out as conditional expressions (a call costs more than the
        search); ``x`` is a fresh local name that holds ``arg`` (or ``arg`` itself, a local read
        as it is). ``None`` for a table of more than :data:`INLINE_POINTS` points or with a
        number that is not finite.

        The code is made of ``arg``, ``x`` and the ``repr`` of floats only.

        >>> Table((0.0, 1.0), (0.0, 10.0)).inline("c1 + c2", "_x0")
        '(0.0 if (_x0 := c1 + c2) <= 0.0 else (10.0 if _x0 >= 1.0 else 0.0 + _x0 * 10.0))'
        >>> Table((0.0, 1.0, 2.0), (3.0, 3.0, 4.0)).inline("c1", "c1")
        '(3.0 if c1 <= 0.0 else (4.0 if c1 >= 2.0 else (3.0 if c1 < 1.0 else 3.0 + (c1 - 1.0) * 1.0)))'
        """
        xs, ys, n = self.xs, self.ys, len(self.xs)
        if not 0 < n <= INLINE_POINTS or not all(map(math.isfinite, xs + ys)):
            return None
        held = x if x == arg else f"({x} := {arg})"

        def search(lo: int, hi: int, leaf) -> str:
            if lo == hi:
                return leaf(lo)
            mid = (lo + hi + 1) // 2  # the first x of the upper half, as bisect_right splits
            return f"({search(lo, mid - 1, leaf)} if {x} < {_literal(xs[mid])} else {search(mid, hi, leaf)})"

        if self.kind == "discrete":
            return f"({x} if {held} != {x} else {search(0, n - 1, lambda i: _literal(ys[i]))})"
        slopes = self._slopes
        if not all(map(math.isfinite, slopes)):
            return None
        last = max(0, n - 2)

        def line(y: float, x0: float, slope: float) -> str:
            offset = x if x0 == 0.0 else f"({x} - {_literal(x0)})"  # x - 0.0 is x, to the bit
            return f"{_literal(y)} + {offset} * {_literal(slope)}"

        def segment(i: int) -> str:
            # y + (finite) * 0.0 is y (but for y -0.0); NaN reaches the last segment only, and stays NaN
            if i != last and slopes[i] == 0.0 and math.copysign(1.0, ys[i]) > 0:
                return _literal(ys[i])
            return line(ys[i], xs[i], slopes[i])

        low = line(ys[0], xs[0], self._low) if self._low else _literal(ys[0])
        high = line(ys[-1], xs[-1], self._high) if self._high else _literal(ys[-1])
        inner = search(0, last, segment)
        return (
            f"({low} if {held} <= {_literal(xs[0])} else ({high} if {x} >= {_literal(xs[-1])} else {inner}))"
        )

    def vector(self, x):
        x = np.asarray(x, dtype=float)
        xs, ys = self._xa, self._ya
        if self.kind == "discrete":
            i = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 1)
            return np.where(np.isnan(x), x, ys[i])
        y = np.interp(x, xs, ys)
        if self.kind == "extrapolate" and len(xs) > 1:
            lo = ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
            hi = ys[-1] + (x - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
            y = np.where(x < xs[0], lo, np.where(x > xs[-1], hi, y))
        return y


class Pipe:
    """The input history of a pipeline DELAY: one value per time step, read back ``delay`` later."""

    def __init__(self, start: float, dt: float):
        self.start = start
        self.dt = dt
        self.values: list = []

    def push(self, value) -> None:
        self.values.append(value)

    def read(self, when, initial):
        """The input at time ``when``, or ``initial`` before the first step was recorded."""
        if np.ndim(when) == 0:
            k = math.floor((when - self.start) / self.dt + TIME_EPSILON)
            if k < 0 or not self.values:
                return initial
            return self.values[min(k, len(self.values) - 1)]
        when = np.asarray(when, dtype=float)  # delay times that differ between runs
        if not self.values:
            return initial + 0.0 * when
        k = np.floor((when - self.start) / self.dt + TIME_EPSILON).astype(int)
        history = np.stack(np.broadcast_arrays(*self.values, when))[:-1]
        picked = history[np.clip(k, 0, len(self.values) - 1), np.arange(when.shape[0])]
        return np.where(k < 0, initial, picked)


# -- time functions ------------------------------------------------------------------------------


def pulse_scalar(t, dt, magnitude, first, interval=0.0):
    """XMILE PULSE: ``magnitude / DT`` during the time step starting at ``first`` (and every
    ``interval`` after it when ``interval > 0``), else 0."""
    eps = dt * TIME_EPSILON
    if t + eps < first:
        return 0.0
    if interval > 0:
        phase = math.fmod(t - first + eps, interval)
        return magnitude / dt if phase < dt else 0.0
    return magnitude / dt if t - first + eps < dt else 0.0


def pulse_vector(t, dt, magnitude, first, interval=0.0):
    eps = dt * TIME_EPSILON
    first = np.asarray(first, dtype=float)
    interval = np.asarray(interval, dtype=float)
    since = t - first + eps
    with np.errstate(all="ignore"):
        phase = np.where(interval > 0, np.fmod(since, np.where(interval > 0, interval, 1.0)), since)
    on = (since >= 0) & (phase < dt)
    return np.where(on, np.divide(magnitude, dt), 0.0)


def step_scalar(t, dt, height, start):
    return height if t + dt * TIME_EPSILON >= start else 0.0


def step_vector(t, dt, height, start):
    return np.where(t + dt * TIME_EPSILON >= np.asarray(start), height, 0.0)


def ramp_scalar(t, dt, slope, start, end=math.inf):
    if t <= start:
        return 0.0
    return slope * (min(t, end) - start)


def ramp_vector(t, dt, slope, start, end=math.inf):
    return np.where(t > start, np.multiply(slope, np.minimum(t, end) - start), 0.0)


# -- arithmetic ------------------------------------------------------------------------------


def floored_mod(a, b):
    """``a MOD b`` with the sign of ``b`` (XMILE, Stella)."""
    return np.mod(a, b)


def truncated_mod(a, b):
    """``a MOD b`` with the sign of ``a`` (Vensim's MODULO)."""
    return np.fmod(a, b)


def floored_mod_scalar(a, b):
    return a - b * math.floor(a / b)


def truncated_mod_scalar(a, b):
    return math.fmod(a, b)


def where(cond, a, b):
    return np.where(cond != 0, a, b)


def safediv_vector(a, b, default=0.0):
    with np.errstate(all="ignore"):
        return np.where(np.asarray(b) != 0, np.divide(a, np.where(np.asarray(b) != 0, b, 1.0)), default)


def safediv_scalar(a, b, default=0.0):
    return a / b if b != 0 else default


def round_half_up(x):
    return np.floor(np.add(x, 0.5))


def round_scalar(x):
    return float(math.floor(x + 0.5))


def sign_scalar(x):
    return float((x > 0) - (x < 0))


def pick_scalar(values, index):
    """``values[index]`` for a 1-based index computed at run time."""
    i = int(index) - 1
    if i < 0 or i >= len(values):
        raise ArithmeticError("subscript out of range")
    return values[i]


def pick_vector(values, index):
    i = np.asarray(index, dtype=float) - 1
    i = np.where(np.isfinite(i), i, -1).astype(int)
    stacked = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values], i)
    choices, i = stacked[:-1], stacked[-1]
    ok = (i >= 0) & (i < len(values))
    picked = np.choose(np.clip(i, 0, len(values) - 1), choices)
    return np.where(ok, picked, np.nan)


def stddev_vector(*values):
    stacked = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
    return np.std(np.stack(stacked), axis=0)


def stddev_scalar(*values):
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def vmin_vector(*values):
    out = values[0]
    for v in values[1:]:
        out = np.minimum(out, v)
    return out


def vmax_vector(*values):
    out = values[0]
    for v in values[1:]:
        out = np.maximum(out, v)
    return out


def rank_vector(values, position, descending=False):
    """The rank (1-based) of ``values[position]`` among ``values`` (ascending unless asked)."""
    stacked = np.stack(np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values]))
    order = np.argsort(-stacked if descending else stacked, axis=0, kind="stable")
    ranks = np.argsort(order, axis=0, kind="stable") + 1
    return ranks[position].astype(float)


def rank_scalar(values, position, descending=False):
    order = sorted(range(len(values)), key=lambda i: -values[i] if descending else values[i])
    return float(order.index(position) + 1)


# -- Vensim's vector functions (see sysmap.sim.vectors) ----------------------------------------------


def vector_select_scalar(selection, values, missing, action):
    """VECTOR SELECT over Python floats; ``action`` is the numerical action (0-10)."""
    chosen = [(s, v) for s, v in zip(selection, values, strict=True) if s != 0]
    if not chosen:
        return missing
    if action <= 4:
        terms = [s * v for s, v in chosen]
    elif action == 5:
        terms = [v**s for s, v in chosen]
    else:
        terms = [v for _, v in chosen]
    return _combine(terms, action)


def _combine(terms, action):
    if action in (1, 5, 7):
        return math.prod(terms)
    if action in (2, 8):
        return min(terms)
    if action in (3, 9):
        return max(terms)
    if action in (4, 10):
        return sum(terms) / len(terms)
    return sum(terms)


def vector_select_vector(selection, values, missing, action):
    both = _stack((*selection, *values))  # every element to the same shape first
    s, v = both[: len(selection)], both[len(selection) :]
    chosen = s != 0
    if action <= 4:
        terms = s * v
    elif action == 5:
        terms = np.power(v, s)
    else:
        terms = v
    if action in (0, 6):
        out = np.where(chosen, terms, 0.0).sum(axis=0)
    elif action in (1, 5, 7):
        out = np.where(chosen, terms, 1.0).prod(axis=0)
    elif action in (2, 8):
        out = np.where(chosen, terms, np.inf).min(axis=0)
    elif action in (3, 9):
        out = np.where(chosen, terms, -np.inf).max(axis=0)
    else:
        count = chosen.sum(axis=0)
        out = np.where(chosen, terms, 0.0).sum(axis=0) / np.maximum(count, 1)
    return np.where(chosen.any(axis=0), out, missing)


def _stack(values):
    return np.stack(np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values]))


def sort_order_scalar(values, position, direction):
    """The 0-based index of the element that sorts ``position``-th (ascending if ``direction > 0``)."""
    if direction > 0:
        order = sorted(range(len(values)), key=values.__getitem__)
    else:
        order = sorted(range(len(values)), key=lambda i: -values[i])
    return float(order[position])


def sort_order_vector(values, position, direction):
    stacked = _stack(values)
    up = np.argsort(stacked, axis=0, kind="stable")
    down = np.argsort(-stacked, axis=0, kind="stable")
    return np.where(np.asarray(direction) > 0, up[position], down[position]).astype(float)


def vector_rank_scalar(values, position, direction):
    """The rank (from 1) of ``values[position]`` when sorted ascending if ``direction > 0``."""
    if direction > 0:
        order = sorted(range(len(values)), key=values.__getitem__)
    else:
        order = sorted(range(len(values)), key=lambda i: -values[i])
    return float(order.index(position) + 1)


def vector_rank_vector(values, position, direction):
    stacked = _stack(values)
    up = np.argsort(np.argsort(stacked, axis=0, kind="stable"), axis=0, kind="stable")
    down = np.argsort(np.argsort(-stacked, axis=0, kind="stable"), axis=0, kind="stable")
    return np.where(np.asarray(direction) > 0, up[position], down[position]).astype(float) + 1.0


# -- random numbers ------------------------------------------------------------------------------


class Random:
    """The random draws of one run (or ensemble): ``n`` values per call when vectorised."""

    def __init__(self, rng: np.random.Generator, n: int | None):
        self.rng = rng
        self.n = n

    def _out(self, value):
        return float(value) if self.n is None else value

    def uniform(self, low, high, *_seed):
        return self._out(self.rng.uniform(low, high, self.n))

    def normal(self, mean, sd, *rest):
        value = self.rng.normal(mean, np.maximum(sd, 0.0), self.n)
        if len(rest) >= 3:  # Stella's NORMAL(mean, sd, seed, min, max): truncated
            value = np.clip(value, rest[1], rest[2])
        return self._out(value)

    def lognormal(self, mean, sd, *_seed):
        # XMILE: the mean and standard deviation of the distribution itself
        mean = np.asarray(mean, dtype=float)
        sd = np.asarray(sd, dtype=float)
        with np.errstate(all="ignore"):
            sigma2 = np.log1p((sd / mean) ** 2)
            mu = np.log(mean) - sigma2 / 2
        return self._out(self.rng.lognormal(mu, np.sqrt(sigma2), self.n))

    def exponential(self, mean, *_seed):
        return self._out(self.rng.exponential(mean, self.n))

    def poisson(self, mean, *_seed):
        return self._out(self.rng.poisson(np.maximum(mean, 0.0), self.n).astype(float))

    def triangular(self, low, mode, high, *_seed):
        return self._out(self.rng.triangular(low, mode, high, self.n))


def namespace(vector: bool) -> dict:
    """The globals of generated code: no Python builtins, only these helpers."""
    common = {"__builtins__": {}, "_inf": math.inf, "_nan": math.nan, "_range": range}
    if vector:
        return {
            **common,
            "_np": np,
            "_div": np.divide,
            "_pow": np.power,
            "_fmod": floored_mod,
            "_tmod": truncated_mod,
            "_where": where,
            "_min": np.minimum,
            "_max": np.maximum,
            "_vmin": vmin_vector,
            "_vmax": vmax_vector,
            "_abs": np.abs,
            "_floor": np.floor,
            "_ceil": np.ceil,
            "_trunc": np.trunc,
            "_round": round_half_up,
            "_sign": np.sign,
            "_exp": np.exp,
            "_ln": np.log,
            "_log10": np.log10,
            "_sqrt": np.sqrt,
            "_sin": np.sin,
            "_cos": np.cos,
            "_tan": np.tan,
            "_asin": np.arcsin,
            "_acos": np.arccos,
            "_atan": np.arctan,
            "_atan2": np.arctan2,
            "_sinh": np.sinh,
            "_cosh": np.cosh,
            "_tanh": np.tanh,
            "_safediv": safediv_vector,
            "_pulse": pulse_vector,
            "_step": step_vector,
            "_ramp": ramp_vector,
            "_pick": pick_vector,
            "_stddev": stddev_vector,
            "_rank": rank_vector,
            "_vselect": vector_select_vector,
            "_sort_order": sort_order_vector,
            "_vrank": vector_rank_vector,
            "_sum": lambda *v: sum(v),
            "_prod": math.prod,
        }
    return {
        **common,
        "_div": None,  # scalar code divides with "/"
        "_pow": math.pow,
        "_fmod": floored_mod_scalar,
        "_tmod": truncated_mod_scalar,
        "_min": min,
        "_max": max,
        "_vmin": min,
        "_vmax": max,
        "_abs": abs,
        "_floor": math.floor,
        "_ceil": math.ceil,
        "_trunc": math.trunc,
        "_round": round_scalar,
        "_sign": sign_scalar,
        "_exp": math.exp,
        "_ln": math.log,
        "_log10": math.log10,
        "_sqrt": math.sqrt,
        "_sin": math.sin,
        "_cos": math.cos,
        "_tan": math.tan,
        "_asin": math.asin,
        "_acos": math.acos,
        "_atan": math.atan,
        "_atan2": math.atan2,
        "_sinh": math.sinh,
        "_cosh": math.cosh,
        "_tanh": math.tanh,
        "_safediv": safediv_scalar,
        "_pulse": pulse_scalar,
        "_step": step_scalar,
        "_ramp": ramp_scalar,
        "_pick": pick_scalar,
        "_stddev": stddev_scalar,
        "_rank": rank_scalar,
        "_vselect": vector_select_scalar,
        "_sort_order": sort_order_scalar,
        "_vrank": vector_rank_scalar,
        "_sum": lambda *v: sum(v),
        "_prod": math.prod,
    }
