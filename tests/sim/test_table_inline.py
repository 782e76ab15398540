"""Graphical functions written inline into scalar code give exactly what the table's function gives."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from sysmap.sim.functions import INLINE_POINTS, Table
from sysmap.sim.loop import Inliner

finite = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))
points = st.lists(st.tuples(finite, finite), min_size=1, max_size=INLINE_POINTS)
probes = st.lists(st.one_of(finite, st.sampled_from([math.nan, math.inf, -math.inf, 0.0])), max_size=20)


def inline_function(table: Table):
    code = table.inline("x", "_x0")
    assert code is not None
    namespace = {"__builtins__": {}}
    exec(compile(f"def f(x):\n    return {code}\n", "<test>", "exec"), namespace)  # our own text
    return namespace["f"]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@given(points, probes, st.sampled_from(["continuous", "extrapolate", "discrete"]))
def test_inline_code_matches_the_table_everywhere(pts, extra, kind):
    xs, ys = zip(*pts, strict=True)
    table = Table(xs, ys, kind)
    f = inline_function(table)
    # every point, just either side of it, between points, and the probes
    probes = [*table.xs, *(x + 1e-9 for x in table.xs), *(x - 1e-9 for x in table.xs), *extra]
    probes += [(a + b) / 2 for a, b in zip(table.xs, table.xs[1:], strict=False)]
    for x in probes:
        assert same(f(x), table.scalar(x)), (x, f(x), table.scalar(x))


def test_large_or_infinite_tables_stay_calls():
    big = Table(range(INLINE_POINTS + 1), range(INLINE_POINTS + 1))
    infinite = Table((0.0, 1.0), (0.0, math.inf))
    assert big.inline("c1", "_x0") is None and infinite.inline("c1", "_x0") is None
    inline = Inliner([big, Table((0.0, 1.0), (0.0, 2.0))])
    # a large table stays a call; the small one inside its argument is written out
    assert inline("c3 = _t0(_t1(c2))").startswith("c3 = _t0((0.0 if (_x0 := c2) <= 0.0")


def test_nested_tables_get_their_own_locals():
    tables = [Table((0.0, 1.0), (0.0, 2.0)), Table((0.0, 4.0), (1.0, 0.0))]
    line = Inliner(tables)("c3 = _t1(_t0(c2) * 3.0) + _t0(c1)")
    namespace = {"__builtins__": {}}
    exec(compile(f"def f(c1, c2):\n    {line}\n    return c3\n", "<test>", "exec"), namespace)
    for c1, c2 in ((0.5, 0.25), (2.0, -1.0), (0.0, 0.5)):
        expected = tables[1].scalar(tables[0].scalar(c2) * 3.0) + tables[0].scalar(c1)
        assert namespace["f"](c1, c2) == expected
