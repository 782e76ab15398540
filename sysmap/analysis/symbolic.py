"""Equations as sympy expressions, for symbolic link polarity (:mod:`sysmap.analysis.polarity`).

The parsed tree of an equation (:mod:`sysmap.sim.ast`) is converted node by node; text is never
handed to sympy (``sympify`` and ``parse_expr`` evaluate it), and functions are built from the
explicit table :data:`FUNCTIONS`, never by looking a name up.

Names become sympy symbols whose assumptions (``positive``, ``real``, ``negative``) come from a
:class:`Names` context. Functions whose derivative sympy cannot judge are wrapped in small
function classes that carry a sign rule instead:

- MIN, MAX, SUM, INT, ROUND, the delays and smooths, INIT, PREVIOUS, STEP's height...: non-decreasing
  in the arguments that carry a sign (their derivative is a non-negative :class:`Slope`);
- lookup tables: the sign of the table's slope, by x range (:class:`Table`);
- arguments with no sign (a delay time, a seed, MOD) are listed in :data:`FUNCTIONS`; a cause
  found there makes the link ``?`` (see :func:`sysmap.analysis.signs.link_sign`).

>>> from sysmap.sim.ast import Binary, Name, Num
>>> names = Names({"p": "positive", "k": "positive"})
>>> p, k = Name("p", "P"), Name("k", "K")
>>> str(convert(Binary("*", p, Binary("-", Num(1.0), Binary("/", p, k))), names))
'p*(1 - p/k)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.printing.str import StrPrinter

from sysmap.sim.ast import Binary, Call, If, Name, Node, Num, Range, Star, Subscript, Unary, children

#: Equations with more nodes than this, or deeper than :data:`MAX_DEPTH`, are not analysed.
MAX_NODES = 2500
MAX_DEPTH = 80


class TooComplex(Exception):
    """The equation is too large or too deeply nested to analyse within the budget."""


# --- function classes with sign rules ----------------------------------------------------------


class Slope(sp.Function):
    """The (unknown, non-negative) rate at which ``fn`` rises with its argument number ``index``."""

    is_nonnegative = True

    def _sympystr(self, printer) -> str:
        fn, index = self.args
        text = printer._print(fn)
        if isinstance(fn, Table):
            if index == 1:  # the slope of the table itself: LOOKUP'(table, x)
                head, _, rest = text.partition("(")
                return f"{head}'({rest}"
            index = 1  # the table is printed first
        return f"∂{_SUBSCRIPT_DIGITS[int(index)] if int(index) < 10 else index}{text}"


_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"


class Monotone(sp.Function):
    """A function that is non-decreasing in each of its arguments.

    ``value`` says how the sign of its value follows from its arguments' signs: ``"max"``
    (non-negative when any argument is), ``"min"`` (when every argument is), ``"first"`` (the
    sign of the first argument), ``"nonnegative"`` (always), ``"any"`` (unknown).
    """

    value = "first"
    title = "F"

    def fdiff(self, argindex=1):
        return Slope(self, sp.Integer(argindex))

    def _sign_of_value(self, fact: str):
        args = self.args
        if self.value == "nonnegative":
            return True if fact == "is_nonnegative" else None
        if self.value == "first":
            return getattr(args[0], fact)
        if self.value == "max":
            if fact in ("is_nonnegative", "is_positive"):
                return True if any(getattr(a, fact) for a in args) else None
            return True if all(getattr(a, fact) for a in args) else None
        if self.value == "min":
            if fact in ("is_nonpositive", "is_negative"):
                return True if any(getattr(a, fact) for a in args) else None
            return True if all(getattr(a, fact) for a in args) else None
        return None

    def _eval_is_real(self):
        return True if all(a.is_real for a in self.args) else None

    def _eval_is_nonnegative(self):
        return self._sign_of_value("is_nonnegative")

    def _eval_is_positive(self):
        return self._sign_of_value("is_positive")

    def _eval_is_nonpositive(self):
        return self._sign_of_value("is_nonpositive")

    def _eval_is_negative(self):
        return self._sign_of_value("is_negative")

    def _sympystr(self, printer) -> str:
        return f"{self.title}({', '.join(printer._print(a) for a in self.args)})"


def _monotone(title: str, value: str) -> type:
    return type(title, (Monotone,), {"title": title, "value": value})


MAX_ = _monotone("MAX", "max")
MIN_ = _monotone("MIN", "min")


_NEG_INF, _POS_INF = -math.inf, math.inf


@dataclass(frozen=True)
class TableProfile:
    """How a lookup table's output moves with its input: ``pieces`` are ``(low, high, sign)``
    x ranges with the sign of the slope there (one piece when the table is monotone; signs
    ``+``, ``-``, ``0``; ``?`` when the tables of an array's elements disagree), ``value``
    the sign of every output (``+`` for non-negative, ``-``, or ``?``), and ``low``, ``high``
    the range of the outputs."""

    pieces: tuple[tuple[float, float, str], ...]
    value: str = "?"
    low: float = -math.inf
    high: float = math.inf

    @property
    def direction(self) -> str:
        """``+``, ``-`` or ``0`` for a monotone table, ``~`` for a non-monotone one, ``?`` unknown."""
        if len(self.pieces) == 1:
            return self.pieces[0][2]
        return "~"


def table_profile(graphs) -> TableProfile:
    """The :class:`TableProfile` of one :class:`~sysmap.model.elements.GraphicalFunction`, or
    of several (an arrayed table) when they agree.

    >>> from sysmap.model.elements import GraphicalFunction
    >>> table_profile([GraphicalFunction(y_points=(0, 1, 1, 3), x_points=(0, 1, 2, 3))]).pieces
    ((-inf, inf, '+'),)
    >>> table_profile([GraphicalFunction(y_points=(0, 2, 1), x_points=(0, 1, 2))]).pieces
    ((-inf, 1.0, '+'), (1.0, inf, '-'))
    """
    profiles = {_one_profile(g) for g in graphs}
    if len(profiles) == 1:
        return profiles.pop()
    directions = {p.direction for p in profiles}
    values = {p.value for p in profiles}
    value = values.pop() if len(values) == 1 else "?"
    if len(directions) == 1 and directions <= {"+", "-", "0"}:
        return TableProfile(((_NEG_INF, _POS_INF, directions.pop()),), value)
    return TableProfile(((_NEG_INF, _POS_INF, "?"),), value)


def _one_profile(graph) -> TableProfile:
    points = sorted((float(x), float(y)) for x, y in zip(graph.xs(), graph.y_points, strict=False))
    ys = [y for _, y in points]
    if not points or not all(math.isfinite(v) for p in points for v in p):
        return TableProfile(((_NEG_INF, _POS_INF, "?"),), "?")
    segments = []
    for (x0, y0), (_x1, y1) in zip(points, points[1:], strict=False):
        segments.append((x0, "+" if y1 > y0 else "-" if y1 < y0 else "0"))
    signed = [(x, s) for x, s in segments if s != "0"]
    merged: list[tuple[float, str]] = []
    for x, s in signed:
        if not merged or merged[-1][1] != s:
            merged.append((x, s))
    if not merged:
        pieces = ((_NEG_INF, _POS_INF, "0"),)
    else:
        # A piece starts where its first sloped segment does; flat stretches join the piece before.
        starts = [x for x, _ in merged]
        bounds = [_NEG_INF, *starts[1:], _POS_INF]
        pieces = tuple((bounds[i], bounds[i + 1], s) for i, (_, s) in enumerate(merged))
    low, high = min(ys), max(ys)
    if graph.kind == "extrapolate" and segments:
        # beyond the ends the first and last slopes go on
        first, last = segments[0][1], segments[-1][1]
        low = _NEG_INF if first == "+" or last == "-" else low
        high = _POS_INF if first == "-" or last == "+" else high
    value = "+" if low >= 0 else "-" if high <= 0 else "?"
    return TableProfile(pieces, value, low, high)


class Table(sp.Function):
    """A lookup table applied to its input (and, for ``LOOKUP(table, x)``, the table itself as a
    second argument: raising every point of the table raises the output)."""

    profile: TableProfile = TableProfile(((_NEG_INF, _POS_INF, "?"),))
    title = "GRAPH"

    def fdiff(self, argindex=1):
        if argindex == 2:
            return Slope(self, sp.Integer(2))
        u = self.args[0]
        pieces = self.profile.pieces
        if len(pieces) == 1:
            sign = pieces[0][2]
            if sign == "?":
                return AnySlope(self)
            return {"+": 1, "-": -1, "0": 0}[sign] * Slope(self, sp.Integer(1))
        branches = [
            ({"+": 1, "-": -1, "0": 0}[s], u < sp.Float(hi) if hi != _POS_INF else sp.true)
            for _, hi, s in pieces
        ]
        return sp.Piecewise(*branches) * Slope(self, sp.Integer(1))

    def _value(self, fact: str):
        if self.profile.value == "+":
            return True if fact == "is_nonnegative" else None
        if self.profile.value == "-":
            return True if fact == "is_nonpositive" else None
        return None

    def _eval_is_real(self):
        return True

    def _eval_is_nonnegative(self):
        return self._value("is_nonnegative")

    def _eval_is_nonpositive(self):
        return self._value("is_nonpositive")

    def _sympystr(self, printer) -> str:
        if len(self.args) == 2:
            return f"{self.title}({printer._print(self.args[1])}, {printer._print(self.args[0])})"
        return f"{self.title}({printer._print(self.args[0])})"


class AnySlope(sp.Function):
    """A slope of unknown sign (a table whose elements disagree)."""

    is_real = True

    def _sympystr(self, printer) -> str:
        return f"∂{printer._print(self.args[0])}"


_TABLE_CLASSES: dict[tuple, type] = {}


def table_class(profile: TableProfile, title: str = "LOOKUP") -> type:
    """The :class:`Table` subclass for ``profile`` (one class per profile and title)."""
    key = (profile, title)
    cls = _TABLE_CLASSES.get(key)
    if cls is None:
        cls = type(f"{title}_{len(_TABLE_CLASSES)}", (Table,), {"profile": profile, "title": title})
        _TABLE_CLASSES[key] = cls
    return cls


# --- the function table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """How to convert a call: ``build`` takes the converted arguments that carry a sign; ``signed``
    are the (0-based) argument positions passed to it (``None``: all); a cause found in any other
    argument makes the link ``?`` with ``why`` as the reason; ``delay`` marks the delays and
    smooths."""

    build: object
    signed: tuple[int, ...] | None = (0,)
    why: str = "its effect has no definite sign"
    delay: bool = False
    min_args: int = 1


def _delay(title: str) -> Function:
    return Function(
        _monotone(title, "within"),
        why="a delay time or initial value sets how fast, not which way",
        delay=True,
    )


def _ratio(a, b):
    return a / b


#: Every function whose polarity sysmap knows, by canonical name. Others make a link ``?``.
FUNCTIONS: dict[str, Function] = {
    "abs": Function(sp.Abs),
    "exp": Function(sp.exp),
    "ln": Function(sp.log),
    "log10": Function(lambda x: sp.log(x) / sp.log(10)),
    "sqrt": Function(sp.sqrt),
    "sin": Function(sp.sin),
    "cos": Function(sp.cos),
    "tan": Function(sp.tan),
    "arcsin": Function(sp.asin),
    "arccos": Function(sp.acos),
    "arctan": Function(sp.atan),
    "max": Function(MAX_, signed=None),
    "min": Function(MIN_, signed=None),
    "sum": Function(_monotone("SUM", "first")),
    "mean": Function(_monotone("MEAN", "within")),
    "int": Function(_monotone("INT", "first")),
    "integer": Function(_monotone("INTEGER", "first")),
    "round": Function(_monotone("ROUND", "first")),
    "sign": Function(_monotone("SIGN", "first")),
    "init": Function(_monotone("INIT", "within"), why="INIT's other arguments"),
    "previous": Function(
        _monotone("PREVIOUS", "within"), why="an initial value acts only at the start", delay=True
    ),
    "smth1": _delay("SMTH1"),
    "smth3": _delay("SMTH3"),
    "smthn": _delay("SMTHN"),
    "delay": _delay("DELAY"),
    "delay1": _delay("DELAY1"),
    "delay3": _delay("DELAY3"),
    "delayn": _delay("DELAYN"),
    "delay_fixed": _delay("DELAY_FIXED"),
    "trend": Function(_monotone("TREND", "any"), why="an averaging time sets how fast, not which way"),
    "forcst": Function(_monotone("FORCST", "first"), why="an averaging time sets how fast, not which way"),
    "step": Function(_monotone("STEP", "first"), why="the time of a STEP has no definite sign"),
    "pulse": Function(_monotone("PULSE", "first"), why="the times of a PULSE have no definite sign"),
    "ramp": Function(_monotone("RAMP", "any"), why="the times of a RAMP have no definite sign"),
    "random": Function(_monotone("RANDOM", "any"), signed=(0, 1), why="a seed has no definite sign"),
    "normal": Function(_monotone("NORMAL", "any"), why="a spread or seed has no definite sign"),
    "lognormal": Function(_monotone("LOGNORMAL", "nonnegative"), why="a spread or seed has no definite sign"),
    "poisson": Function(_monotone("POISSON", "nonnegative"), why="a seed has no definite sign"),
    "exprnd": Function(_monotone("EXPRND", "nonnegative"), why="a seed has no definite sign"),
    "safediv": Function(_ratio, signed=(0, 1), why="the value for a zero divisor has no definite sign"),
    "xidz": Function(_ratio, signed=(0, 1), why="the value for a zero divisor has no definite sign"),
    "zidz": Function(_ratio, signed=(0, 1), min_args=2),
}
#: Lookups: ``LOOKUP(table, x)``.
LOOKUPS = frozenset({"lookup", "lookup_forward", "lookup_backward", "graph"})
#: Names that stand for numbers every model has.
_CONSTANTS = {"pi": sp.pi, "e": sp.E}
#: Builtin names, as symbols: time and the run's settings.
_BUILTIN_SYMBOLS = {"time": "real", "dt": "positive", "starttime": "real", "stoptime": "real", "self": "real"}


# --- names and their assumptions ---------------------------------------------------------------

#: The assumptions a name can carry, as sympy flags. A non-negative quantity is taken as
#: positive: a derivative's sign is judged where it exists, and dividing by a quantity or
#: taking its square root is defined only away from zero.
KINDS: dict[str, dict[str, bool]] = {
    "positive": {"positive": True},
    "nonnegative": {"positive": True},
    "real": {"real": True},
    "negative": {"negative": True},
}


@dataclass(frozen=True)
class Names:
    """What the converter knows of the names an equation may use, by canonical name: the
    assumption (a key of :data:`KINDS`), and for lookup tables their :class:`TableProfile`.
    Names not listed are real numbers. Hashable, so that conversions can be cached."""

    kinds: Mapping[str, str] | tuple = ()
    tables: Mapping[str, TableProfile] | tuple = ()

    def __post_init__(self):
        if isinstance(self.kinds, Mapping):
            object.__setattr__(self, "kinds", tuple(sorted(self.kinds.items())))
        if isinstance(self.tables, Mapping):
            object.__setattr__(self, "tables", tuple(sorted(self.tables.items(), key=lambda kv: kv[0])))

    def kind(self, name: str) -> str:
        return dict(self.kinds).get(name, "real")

    def table(self, name: str) -> TableProfile | None:
        return dict(self.tables).get(name)


def check_size(node: Node) -> None:
    """Raise :class:`TooComplex` when ``node`` is beyond :data:`MAX_NODES` or :data:`MAX_DEPTH`."""
    count = 0
    todo = [(node, 1)]
    while todo:
        current, depth = todo.pop()
        count += 1
        if count > MAX_NODES:
            raise TooComplex(f"more than {MAX_NODES} terms")
        if depth > MAX_DEPTH:
            raise TooComplex(f"nested more than {MAX_DEPTH} deep")
        group = _group(current)
        # a chain a + b + c ... is converted flat, so its length is not depth
        todo.extend((c, depth if group and _group(c) == group else depth + 1) for c in children(current))


def _group(node: Node) -> str | None:
    if isinstance(node, Binary):
        return "+-" if node.op in "+-" else "*/" if node.op in "*/" else None
    return None


def convert(node: Node, names: Names, *, placeholder: Node | None = None) -> sp.Expr:
    """The sympy expression for ``node`` (see :class:`Converter`)."""
    return Converter(names, placeholder).value(node)


class Converter:
    """Converts one equation's tree. ``placeholder``, when given, is a node of the tree that
    becomes the symbol :data:`PLACEHOLDER` (to differentiate with respect to a part of it)."""

    def __init__(self, names: Names, placeholder: Node | None = None):
        self.names = names
        self.kinds = dict(names.kinds)
        self.tables = dict(names.tables)
        self.placeholder = placeholder
        self.symbols: dict[str, list[sp.Symbol]] = {}

    def symbol(self, key: str, subscript: str = "") -> sp.Symbol:
        kind = self.kinds.get(key) or _BUILTIN_SYMBOLS.get(key, "real")
        sym = sp.Symbol(f"{key}[{subscript}]" if subscript else key, **KINDS[kind])
        found = self.symbols.setdefault(key, [])
        if sym not in found:
            found.append(sym)
        return sym

    def value(self, node: Node) -> sp.Expr:
        if node is self.placeholder:
            return PLACEHOLDER
        if isinstance(node, Num):
            return number(node.value)
        if isinstance(node, Name):
            if node.name in _CONSTANTS and node.name not in self.kinds:
                return _CONSTANTS[node.name]
            return self.symbol(node.name)
        if isinstance(node, Unary):
            if node.op == "not":
                return self.indicator(node)
            operand = self.value(node.operand)
            return -operand if node.op == "-" else operand
        if isinstance(node, Binary):
            if node.op in ("+", "-"):
                return sp.Add(*(term if sign > 0 else -term for sign, term in self.chain(node, "+-")))
            if node.op in ("*", "/"):
                return sp.Mul(*(f if sign > 0 else 1 / f for sign, f in self.chain(node, "*/")))
            if node.op == "^":
                return power(self.value(node.left), self.value(node.right))
            if node.op == "mod":
                return sp.Mod(self.value(node.left), self.value(node.right))
            return self.indicator(node)
        if isinstance(node, If):
            return sp.Piecewise(
                (self.value(node.then), self.condition(node.cond)), (self.value(node.otherwise), True)
            )
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Subscript) and isinstance(node.target, Name):
            return self.symbol(node.target.name, ", ".join(_index_text(i) for i in node.indices))
        return opaque(node)

    def chain(self, node: Node, ops: str) -> list[tuple[int, sp.Expr]]:
        """The terms of ``a + b - c ...`` (or factors of ``a * b / c``) with their signs, without recursing
        down a long chain."""
        terms: list[tuple[int, Node]] = []
        todo = [(1, node)]
        while todo:
            sign, current = todo.pop()
            if isinstance(current, Binary) and current.op in ops and current is not self.placeholder:
                right_sign = sign if current.op == ops[0] else -sign
                todo.append((right_sign, current.right))
                todo.append((sign, current.left))
            else:
                terms.append((sign, current))
        return [(sign, self.value(term)) for sign, term in terms]

    def indicator(self, node: Node) -> sp.Expr:
        """A comparison or logical expression used as a number: 1 when true, else 0."""
        return sp.Piecewise((sp.Integer(1), self.condition(node)), (sp.Integer(0), True))

    def condition(self, node: Node):
        if node is not self.placeholder:
            if isinstance(node, Binary) and node.op in _RELATIONS:
                return _RELATIONS[node.op](self.value(node.left), self.value(node.right))
            if isinstance(node, Binary) and node.op in ("and", "or"):
                combine = sp.And if node.op == "and" else sp.Or
                return combine(self.condition(node.left), self.condition(node.right))
            if isinstance(node, Unary) and node.op == "not":
                return sp.Not(self.condition(node.operand))
        return sp.Ne(self.value(node), 0)

    def call(self, node: Call) -> sp.Expr:
        name, args = node.func, node.args
        if name == "if_then_else" and len(args) == 3:
            return self.value(If(*args, pos=node.pos))
        if name in LOOKUPS and len(args) == 2 and _table_name(args[0]) is not None:
            key = _table_name(args[0])
            profile = self.tables.get(key) or TableProfile(((_NEG_INF, _POS_INF, "?"),))
            table = self.value(args[0])
            return table_class(profile)(self.value(args[1]), table)
        if name in self.tables and len(args) == 1:  # a table called by name: table(x)
            return table_class(self.tables[name])(self.value(args[0]), self.symbol(name))
        if name in _CONSTANTS and not args:
            return _CONSTANTS[name]
        if name in _BUILTIN_SYMBOLS and not args:
            return self.symbol(name)
        spec = FUNCTIONS.get(name)
        if spec is None or len(args) < spec.min_args:
            return opaque(node)
        positions = range(len(args)) if spec.signed is None else [i for i in spec.signed if i < len(args)]
        signed = [self.value(args[i]) for i in positions]
        return spec.build(*signed)


def _table_name(node: Node) -> str | None:
    if isinstance(node, Subscript):
        node = node.target
    return node.name if isinstance(node, Name) else None


def _index_text(node: Node) -> str:
    if isinstance(node, Name):
        return node.text
    if isinstance(node, Num):
        return f"{node.value:g}"
    if isinstance(node, Star):
        return "*" if node.dimension is None else f"*:{node.dimension}"
    if isinstance(node, Range):
        return f"{_index_text(node.low)}:{_index_text(node.high)}"
    return "…"


_RELATIONS = {"=": sp.Eq, "<>": sp.Ne, "<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}

#: The symbol that stands for the placeholder node (see :class:`Converter`).
PLACEHOLDER = sp.Symbol("_part_", real=True)

_opaque_count = 0


def opaque(node: Node) -> sp.Expr:
    """A real number sysmap cannot describe (an unknown function, an array operation)."""
    label = node.func.upper() if isinstance(node, Call) else type(node).__name__.lower()
    return sp.Dummy(f"{label}(…)", real=True)


def number(value: float) -> sp.Expr:
    """A sympy number: an exact integer when small and whole, else a float."""
    if math.isfinite(value) and value == int(value) and abs(value) <= 1e9:
        return sp.Integer(int(value))
    if math.isnan(value):
        return sp.nan
    if math.isinf(value):
        return sp.oo if value > 0 else -sp.oo
    return sp.Float(value)


def power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """``base ^ exponent``, computing a power of two numbers as a float (``10^10^10`` must not be
    computed exactly)."""
    if base.is_Number and exponent.is_Number:
        try:
            result = float(base) ** float(exponent)
        except (OverflowError, ZeroDivisionError):
            result = math.inf
        if isinstance(result, complex) or not math.isfinite(result):
            return sp.Dummy("power(…)", **({"positive": True} if base > 0 else {"real": True}))
        return number(result)
    if exponent.is_Integer and abs(int(exponent)) > 1000:
        return sp.Dummy("power(…)", real=True)
    return sp.Pow(base, exponent)


# --- printing ----------------------------------------------------------------------------------


class Printer(StrPrinter):
    """Prints expressions in XMILE's notation (``^``, ``=``, ``<>``, ``and``), naming each symbol
    through ``names`` (canonical name -> the text to show)."""

    def __init__(self, names: Mapping[str, str] | None = None):
        super().__init__({"order": "none"})
        self.names = names or {}

    def _print_Symbol(self, expr) -> str:
        key, bracket, rest = expr.name.partition("[")
        return self.names.get(key, key) + bracket + rest

    _print_Dummy = _print_Symbol

    def _print_Pow(self, expr, rational=False) -> str:
        if expr.exp == sp.S.Half:
            return f"SQRT({self._print(expr.base)})"
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Function(self, expr) -> str:
        name = _XMILE_FUNCTIONS.get(type(expr).__name__)
        if name is None:
            return super()._print_Function(expr)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    _print_Abs = _print_Function

    def _print_Equality(self, expr) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Unequality(self, expr) -> str:
        return f"{self._print(expr.lhs)} <> {self._print(expr.rhs)}"

    def _print_And(self, expr) -> str:
        parts = list(expr.args)
        if len(parts) == 2:
            chained = _chained(*parts, self)
            if chained:
                return chained
        return " and ".join(self._group(a) for a in parts)

    def _print_Or(self, expr) -> str:
        return " or ".join(self._group(a) for a in expr.args)

    def _print_Not(self, expr) -> str:
        return f"not {self._group(expr.args[0])}"

    def _group(self, expr) -> str:
        text = self._print(expr)
        return f"({text})" if isinstance(expr, sp.And | sp.Or) else text

    def _print_Piecewise(self, expr) -> str:
        (value, cond), *rest = expr.args
        if not rest:
            return self._print(value)
        rest_text = self._print(sp.Piecewise(*rest)) if len(rest) > 1 else self._print(rest[0][0])
        return f"(IF {self._print(cond)} THEN {self._print(value)} ELSE {rest_text})"

    def _print_Float(self, expr) -> str:
        return f"{float(expr):g}"


#: sympy's function names, as XMILE writes them.
_XMILE_FUNCTIONS = {
    "log": "LN",
    "exp": "EXP",
    "Abs": "ABS",
    "sign": "SIGN",
    "sin": "SIN",
    "cos": "COS",
    "tan": "TAN",
    "asin": "ARCSIN",
    "acos": "ARCCOS",
    "atan": "ARCTAN",
    "Mod": "MOD",
    "floor": "INT",
}


def _chained(a, b, printer) -> str | None:
    """``2 <= x < 5`` for ``x >= 2 and x < 5``."""
    if not (isinstance(a, sp.core.relational.Relational) and isinstance(b, sp.core.relational.Relational)):
        return None
    a, b = _as_upper_bound(a), _as_upper_bound(b)
    if a is None or b is None:
        return None
    (lo_rel, lo), (hi_rel, hi) = sorted((a, b), key=lambda r: r[0] in ("<", "<="))
    if lo_rel not in (">", ">=") or hi_rel not in ("<", "<=") or lo[0] != hi[0]:
        return None
    flipped = {">": "<", ">=": "<="}[lo_rel]
    return f"{printer._print(lo[1])} {flipped} {printer._print(lo[0])} {hi_rel} {printer._print(hi[1])}"


def _as_upper_bound(rel):
    """(operator, (variable side, bound side)) with the number on the right when there is one."""
    op = rel.rel_op
    lhs, rhs = rel.lhs, rel.rhs
    if op in ("==", "!="):
        return None
    if lhs.is_Number and not rhs.is_Number:
        lhs, rhs = rhs, lhs
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
    return op, (lhs, rhs)


def to_text(expr, names: Mapping[str, str] | None = None) -> str:
    """``expr`` in XMILE notation with the names given.

    >>> x, k = sp.symbols("x k", positive=True)
    >>> to_text(x < k / 2, {"x": "Population", "k": "Capacity"})
    'Population < Capacity/2'
    """
    return Printer(names).doprint(expr)


def free_names(node: Node) -> set[str]:
    """The canonical names ``node`` refers to: every name outside subscripts (which hold dimension
    elements), and functions that are not builtins (a lookup table called by name).

    >>> from sysmap.sim.ast import Subscript
    >>> sorted(free_names(Call("table", (Subscript(Name("x", "x"), (Name("region", "Region"),)),))))
    ['table', 'x']
    """
    found: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, Name):
            found.add(current.name)
        elif isinstance(current, Subscript):
            todo.append(current.target)
            continue
        elif isinstance(current, Call) and current.func not in FUNCTIONS and current.func not in LOOKUPS:
            found.add(current.func)
        todo.extend(children(current))
    return found
