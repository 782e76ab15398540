"""The constants of a map -- variables whose equation is a plain number -- and the ranges their sliders span.

Plain Python (no Qt), so the rules are easy to test:

>>> plain_number(" 0.25 "), plain_number("2 * x"), plain_number("1e3")
(0.25, None, 1000.0)
>>> slider_range(5.0), slider_range(-2.0), slider_range(0.0)
((0.0, 10.0), (-4.0, 0.0), (0.0, 1.0))
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sysmap.model import Kind, SystemMap, Variable

_NUMBER = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_PLAIN = re.compile(rf"\s*({_NUMBER})\s*")
# XMILE's <range min="0" max="10"/>, kept by the reader among a variable's uninterpreted children
_RANGE = re.compile(r"<(?:\w+:)?range\b([^>]*)>")
_ATTR = re.compile(rf"""\b(min|max)\s*=\s*["']\s*({_NUMBER})\s*["']""")


@dataclass(frozen=True, slots=True)
class Constant:
    """A variable a slider can vary: its id, name, value in the map, units and slider range."""

    vid: str
    name: str
    value: float
    units: str
    low: float
    high: float


def plain_number(text: str) -> float | None:
    """The number an equation is, or ``None`` when it is anything else (or not finite)."""
    m = _PLAIN.fullmatch(text or "")
    if m is None:
        return None
    value = float(m.group(1))
    return value if math.isfinite(value) else None


def declared_range(var: Variable) -> tuple[float, float] | None:
    """The ``<range min= max=>`` a file declared for ``var``, when it has a usable one."""
    for child in var.extra.children:
        m = _RANGE.search(child)
        if m is None:
            continue
        bounds = dict(_ATTR.findall(m.group(1)))
        if "min" in bounds and "max" in bounds:
            low, high = float(bounds["min"]), float(bounds["max"])
            if math.isfinite(low) and math.isfinite(high) and low < high:
                return low, high
    return None


def slider_range(value: float, declared: tuple[float, float] | None = None) -> tuple[float, float]:
    """What a slider for ``value`` spans: the declared range when there is one (widened to hold
    ``value``), else 0 to twice the value (0 to 1 for zero)."""
    if declared is not None:
        return min(declared[0], value), max(declared[1], value)
    if value > 0:
        return 0.0, 2 * value
    if value < 0:
        return 2 * value, 0.0
    return 0.0, 1.0


def find_constants(doc: SystemMap) -> list[Constant]:
    """The top-level auxiliaries and flows of ``doc`` whose equation is a plain number, in map order.

    Stocks (whose number is an initial value), arrays, lookups and module variables are left out.
    """
    found = []
    for var in doc.variables.values():
        if var.kind not in (Kind.AUX, Kind.FLOW) or var.dimensions or var.graph is not None:
            continue
        value = plain_number(var.equation)
        if value is None:
            continue
        low, high = slider_range(value, declared_range(var))
        found.append(Constant(var.id, var.name, value, var.units, low, high))
    return found


def round_significant(value: float, digits: int = 4) -> float:
    """``value`` to ``digits`` significant digits (what a slider shows is what it sets).

    >>> round_significant(0.123456), round_significant(98765.4)
    (0.1235, 98770.0)
    """
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def equation_text(value: float) -> str:
    """How a kept slider value is written as an equation.

    >>> equation_text(6.0), equation_text(0.125)
    ('6', '0.125')
    """
    return f"{value:.10g}"
