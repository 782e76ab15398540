"""The sign of one link, from the effect's parsed equation: the sign calculus of symbolic polarity.

A link's sign is the sign of the partial derivative of the effect's equation with respect to the
cause (``+``: never negative, ``-``: never positive, ``0``: identically zero), decided with sympy's
assumptions (``is_nonnegative``...), never with ``simplify``. In order:

1. the cause is found in the tree; where it sits in an argument with no sign (a delay time, a
   seed, an unknown function) the link is ``?`` with that reason;
2. the derivative is decided by assumptions; if undecided, by interval arithmetic over the
   ranges known (declared, constants' values, tables' outputs); if still undecided, the
   derivative is split into factors, and when a single factor is undecided the link is
   *conditional*: its sign on each side of that factor's zero (solved for a symbol when the
   factor is linear in it: ``P < K/2``), or by the branches of an ``IF`` or the x ranges of a
   lookup table. Factoring and solving are tried only on small derivatives with small powers
   (:data:`MAX_FACTOR_OPS`, :data:`MAX_EXPANDED_POWER`), so a hostile equation cannot hang sympy.
   Each branch of an ``IF`` is judged under the condition it applies in (its own, and not the
   earlier ones'): where that says ``s > e``, ``s`` becomes ``e`` plus a new positive symbol
   (:func:`under`), so ``IF x > k THEN x - k ELSE 0`` is never negative;
3. a cause inside the condition of an ``IF`` gives a step: the comparison moves one way as the
   cause rises (``x > c`` turns true; AND, OR and NOT keep or flip that), and the value jumps by
   ``then - else`` (judged, when undecided, on either side of the threshold, edge included);
   the step's sign must agree with the branches' own slope. An equality (a switch) or a cause
   in two parts of a condition makes the link ``?``.

>>> from sysmap.sim.ast import Binary, Name, Num
>>> from sysmap.analysis.symbolic import Names
>>> p, k = Name("p", "P"), Name("k", "K")
>>> logistic = Binary("*", p, Binary("-", Num(1.0), Binary("/", p, k)))
>>> d = link_sign(logistic, "p", Names({"p": "positive", "k": "positive"}))
>>> d.sign, [(s, str(c)) for s, c in d.pieces]
('?', [('+', 'p < k/2'), ('-', 'p > k/2')])
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import sympy as sp

from sysmap.analysis.symbolic import (
    FUNCTIONS,
    LOOKUPS,
    PLACEHOLDER,
    AnySlope,
    Converter,
    Monotone,
    Names,
    Slope,
    Table,
    TooComplex,
    check_size,
)
from sysmap.sim.ast import (
    Binary,
    Call,
    If,
    Name,
    Node,
    Range,
    Star,
    Subscript,
    Transpose,
    Unary,
    children,
    walk,
)

#: Derivatives bigger than this (in sympy operations) are not factored or solved.
MAX_FACTOR_OPS = 60
#: Powers above this are never expanded (to factor or to solve).
MAX_EXPANDED_POWER = 6
#: Conditions longer than this (in sympy operations) are not offered.
MAX_CONDITION_OPS = 25
#: Derivatives bigger than this are not judged at all.
MAX_DERIVATIVE_OPS = 4000

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
_COMPARISONS = ("=", "<>", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Decision:
    """The sign of a link as :func:`link_sign` decides it.

    ``sign`` is ``+``, ``-``, ``0`` or ``?``; ``pieces`` (when the sign is conditional) are
    ``(sign, condition)`` pairs, the conditions sympy booleans; ``reason`` says why a ``?`` is
    not conditional (``{derivative}`` in it stands for the printed derivative); ``derivative``
    is the sympy derivative; ``delay`` says the cause acts through a delay or smooth.
    """

    sign: str
    pieces: tuple[tuple[str, object], ...] = ()
    reason: str | None = None
    derivative: object | None = None
    delay: bool = False


def _mul(a: str, b: str) -> str:
    if "?" in (a, b):
        return "?"
    if "0" in (a, b):
        return "0"
    return "+" if a == b else "-"


def definite(expr, *, narrow: bool = True) -> str | None:
    """``+``, ``-`` or ``0`` when sympy's assumptions decide the sign of ``expr``, else ``None``.
    The branches of an ``IF`` are judged under their conditions too (see :func:`branches`), but
    not again inside a branch so judged unless ``narrow`` (nested IFs must not cost 2^depth).

    >>> x = sp.Symbol("x", positive=True)
    >>> definite(-2 * x), definite(x - 1), definite(sp.Piecewise((x - 1, x > 1), (0, True)))
    ('-', None, '+')
    """
    if expr is sp.nan or expr.has(sp.zoo, sp.nan):
        return None
    if expr.is_zero:
        return "0"
    if expr.is_nonnegative:
        return "+"
    if expr.is_nonpositive:
        return "-"
    if isinstance(expr, sp.Pow) and expr.exp.is_even and expr.base.is_real:
        return "+"  # an even power, negative or not, where it is defined
    if isinstance(expr, sp.Piecewise) and narrow:
        return _agree(definite(v) or _narrowed(v, judged) for v, _, judged in branches(expr))
    return None


def _narrowed(value, judged) -> str | None:
    return definite(judged, narrow=False) if judged is not value else None


def _agree(signs) -> str | None:
    """The one sign that ``signs`` (``+``, ``-``, ``0`` or ``None``) all allow, else ``None``."""
    signs = set(signs)
    if None in signs:
        return None
    signs.discard("0")
    if not signs:
        return "0"
    return signs.pop() if len(signs) == 1 else None


# --- what the condition of a branch implies ------------------------------------------------------

#: At most this many comparisons of a branch's condition (and of earlier ones, negated) are used.
MAX_BRANCH_COMPARISONS = 8
#: Branches bigger than this (in sympy operations) are judged without their condition (a chain
#: of IFs nests each in the one before: narrowing all of them would cost depth^2).
MAX_BRANCH_OPS = 200
_REVERSED = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


@functools.lru_cache(maxsize=4096)
def branches(expr, closed: bool = False) -> tuple[tuple[object, object, object], ...]:
    """``(value, condition, judged)`` for each branch of the Piecewise ``expr``: ``judged`` is the
    value under the condition the branch applies in (its own, and not any earlier one), by
    :func:`under` (``closed``: on the condition's boundary too).

    >>> x, k = sp.symbols("x k", real=True)
    >>> [definite(judged) for _, _, judged in branches(sp.Piecewise((x - k, x > k), (k - x, True)))]
    ['+', '+']
    """
    found, earlier = [], []
    for value, cond in expr.args:
        implied = comparisons(cond)
        for before in reversed(earlier):
            if len(implied) >= MAX_BRANCH_COMPARISONS:
                break
            implied += comparisons(before, negate=True)
        small = _ops(value, MAX_BRANCH_OPS) <= MAX_BRANCH_OPS
        found.append((value, cond, under(value, implied, closed=closed) if small else value))
        earlier.append(cond)
    return tuple(found)


def comparisons(cond, *, negate: bool = False) -> list:
    """The comparisons (``<``, ``<=``, ``>``, ``>=``) that hold wherever ``cond`` does (with
    ``negate``: wherever it does not): itself, or each term of an AND (of an OR, negated).

    >>> x, k = sp.symbols("x k", real=True)
    >>> comparisons(sp.Or(x > k, x < 0), negate=True)
    [x <= k, x >= 0]
    """
    if isinstance(cond, sp.Not):
        return comparisons(cond.args[0], negate=not negate)
    if isinstance(cond, sp.core.relational.Relational) and cond.rel_op in _REVERSED:
        return [cond.negated if negate else cond]
    if isinstance(cond, sp.Or if negate else sp.And):
        return [c for arg in cond.args for c in comparisons(arg, negate=negate)]
    return []


def under(value, implied, *, closed: bool = False):
    """``value`` where the comparisons ``implied`` hold: for one that compares a symbol ``s`` with an
    expression ``e`` free of it, ``s`` becomes ``e + g`` (``s >= e``) or ``e - g`` (``s <= e``) with
    ``g`` a new non-negative symbol (positive for ``>`` and ``<`` unless ``closed``). Other
    comparisons are not used. Only judge signs by the result: it holds new symbols.

    >>> x, k = sp.symbols("x k", real=True)
    >>> definite(under(x - k, [x > k])), definite(under(x - k, [k > x]))
    ('+', '-')
    """
    done: dict = {}
    for rel in implied[:MAX_BRANCH_COMPARISONS]:
        for symbol, replacement in done.items():  # what earlier comparisons gave, in order
            rel = rel.xreplace({symbol: replacement})
        if not isinstance(rel, sp.core.relational.Relational) or _ops(rel) > MAX_CONDITION_OPS:
            continue
        present = value.free_symbols
        sides = [(rel.lhs, rel.rhs, rel.rel_op), (rel.rhs, rel.lhs, _REVERSED[rel.rel_op])]
        usable = [
            (s, e, op) for s, e, op in sides if s.is_Symbol and s in present and s not in e.free_symbols
        ]
        if not usable:
            continue
        s, e, op = usable[0]
        strict = op in ("<", ">") and not closed
        gap = sp.Dummy("g", positive=True) if strict else sp.Dummy("g", nonnegative=True)
        done[s] = e + gap if op in (">", ">=") else e - gap
        value = value.xreplace({s: done[s]})
    return value


# --- where the cause sits -----------------------------------------------------------------------


@dataclass
class _Scan:
    found: bool = False
    delay: bool = False
    blocker: str | None = None
    steps: list[Node] | None = None


@dataclass(frozen=True)
class _Where:
    """What surrounds a node during :func:`scan`: a delay, an argument without a sign (and why),
    the conditions it is part of, and whether it is inside a condition itself."""

    delayed: bool = False
    blocked: str | None = None
    owners: tuple[Node, ...] = ()
    in_condition: bool = False

    def value(self) -> _Where:
        """The same place, but as a number (an operand of arithmetic or a function argument)."""
        return replace(self, in_condition=False) if self.in_condition else self

    def condition_of(self, owner: Node) -> _Where:
        return replace(self, owners=(*self.owners, owner), in_condition=True)

    def block(self, why: str) -> _Where:
        return self if self.blocked else replace(self, blocked=why)


def scan(tree: Node, cause: str, names: Names) -> _Scan:
    """Where ``cause`` appears in ``tree``: whether at all, through a delay, in an argument
    without a sign (``blocker``), and in which conditions (``steps``: the ``IF`` nodes, or the
    comparisons used as numbers, whose condition holds it)."""
    result = _Scan(steps=[])
    todo: list[tuple[Node, _Where]] = [(tree, _Where())]
    while todo:
        node, where = todo.pop()
        if isinstance(node, Name):
            if node.name == cause:
                result.found = True
                result.delay = result.delay or where.delayed
                result.blocker = result.blocker or where.blocked
                result.steps.extend(owner for owner in where.owners if owner not in result.steps)
        elif isinstance(node, Subscript):
            todo.append((node.target, where))
        elif if_parts(node) is not None:
            cond, then, otherwise = if_parts(node)
            value = where.value()
            todo += [(cond, value.condition_of(node)), (then, value), (otherwise, value)]
        elif (isinstance(node, Unary) and node.op == "not") or (
            isinstance(node, Binary) and (node.op in _COMPARISONS or node.op in ("and", "or"))
        ):
            # part of a condition, or a condition used as a number (1 or 0) of its own
            inner = where if where.in_condition else where.condition_of(node)
            todo.extend((child, inner) for child in children(node))
        elif isinstance(node, Binary) and node.op == "mod":
            inner = where.value().block("it enters a MOD, which has no definite slope")
            todo.extend((child, inner) for child in children(node))
        elif isinstance(node, Call):
            todo.extend(_call_children(node, names, where.value()))
        elif isinstance(node, Transpose | Star | Range):
            todo.extend(
                (child, where.value().block("it enters an array operation")) for child in children(node)
            )
        else:
            todo.extend((child, where.value()) for child in children(node))
    return result


def if_parts(node: Node) -> tuple[Node, Node, Node] | None:
    """The condition and branches of an ``IF`` (or an ``IF_THEN_ELSE`` call), else ``None``."""
    if isinstance(node, If):
        return node.cond, node.then, node.otherwise
    if isinstance(node, Call) and node.func == "if_then_else" and len(node.args) == 3:
        return node.args[0], node.args[1], node.args[2]
    return None


def _call_children(node: Call, names: Names, where: _Where) -> list[tuple[Node, _Where]]:
    name, args = node.func, node.args
    tables = dict(names.tables)
    if name in LOOKUPS and len(args) == 2:
        table = args[0].target if isinstance(args[0], Subscript) else args[0]
        if not isinstance(table, Name) or table.name not in tables:
            inner = where.block(f"{name.upper()} reads a table that is not a lookup table")
            return [(a, inner) for a in args]
        return [(args[0], where), (args[1], _table_where(where, tables[table.name]))]
    if name in tables and len(args) == 1:  # a table called by name
        return [(Name(name, name), where), (args[0], _table_where(where, tables[name]))]
    spec = FUNCTIONS.get(name)
    if spec is None:
        return [
            (a, where.block(f"it enters {name.upper()}, a function whose slope sysmap does not know"))
            for a in args
        ]
    if len(args) < spec.min_args:
        return [(a, where.block(f"{name.upper()} has too few arguments")) for a in args]
    out = []
    for i, arg in enumerate(args):
        if spec.signed is None or i in spec.signed:
            out.append((arg, replace(where, delayed=where.delayed or spec.delay)))
        else:
            nth = _ORDINALS[i] if i < len(_ORDINALS) else f"{i + 1}th"
            out.append((arg, where.block(f"it enters the {nth} argument of {name.upper()}: {spec.why}")))
    return out


def _table_where(where: _Where, profile) -> _Where:
    if profile.direction == "?":
        return where.block("it is the input of a lookup table whose elements do not agree in slope")
    return where


# --- the sign of a derivative ------------------------------------------------------------------


def decide(expr, ranges=None) -> Decision:
    """The sign of ``expr`` (a derivative): definite, by declared ``ranges`` (symbol name ->
    (low, high)), or conditional on one undecided factor.

    >>> x, y = sp.symbols("x y", real=True)
    >>> decide(x - y).pieces
    (('+', x > y), ('-', x < y))
    """
    sign = definite(expr)
    if sign is not None:
        return Decision(sign, derivative=expr)
    if _ops(expr) > MAX_DERIVATIVE_OPS:
        return Decision("?", reason="its derivative is too large to analyse", derivative=expr)
    sign = interval_sign(expr, ranges or {})
    if sign is not None:
        return Decision(sign, derivative=expr)
    for candidate in list(_factorings(expr))[1:]:
        sign = definite(candidate)
        if sign is not None:
            return Decision(sign, derivative=candidate)
    pieces = conditional(expr, ranges)
    if pieces:
        signs = {s for s, _ in pieces} - {"0"}
        if len(signs) == 1:
            return Decision(signs.pop(), derivative=expr)
        return Decision("?", pieces=tuple(pieces), derivative=expr)
    return Decision(
        "?", reason="the sign of its derivative, {derivative}, is not determined", derivative=expr
    )


def _ops(expr, limit: int = MAX_DERIVATIVE_OPS) -> int:
    """The number of operations in ``expr``, counted up to just past ``limit``."""
    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count > limit:
            break
    return count


def conditional(expr, ranges=None) -> list[tuple[str, object]] | None:
    """``(sign, condition)`` pieces for ``expr`` when its sign turns on one undecided factor
    (factors are judged by assumptions, then by ``ranges``)."""
    if isinstance(expr, sp.Piecewise):
        pieces = _piecewise(expr, ranges)
        return _possible(pieces) if pieces else None
    for candidate in _factorings(expr):
        known = "+"
        undecided = []
        for factor in sp.Mul.make_args(candidate):
            sign = definite(factor) or interval_sign(factor, ranges or {})
            if sign is None:
                undecided.append(factor)
            else:
                known = _mul(known, sign)
        if not undecided:
            return [(known, sp.true)]
        if len(undecided) == 1:
            pieces = _factor_pieces(undecided[0])
            if pieces:
                return _possible([(_mul(known, s), c) for s, c in pieces])
    return None


def _possible(pieces):
    """The pieces whose condition can hold (sympy settles some: ``x < 0`` for a positive ``x``)."""
    certain = [(s, c) for s, c in pieces if c is sp.true]
    if certain:
        return certain[:1]
    return [(s, c) for s, c in pieces if c is not sp.false] or None


def _low_degree(expr) -> bool:
    """Whether every power in ``expr`` is small enough to expand (factoring ``(x+1)^1000`` expands it)."""
    return all(not (p.exp.is_Integer and abs(int(p.exp)) > MAX_EXPANDED_POWER) for p in expr.atoms(sp.Pow))


def _factorings(expr):
    yield expr
    if _ops(expr) > MAX_FACTOR_OPS or not _low_degree(expr):
        return
    collected = sp.factor_terms(expr)
    if collected != expr:
        yield collected
    if not expr.has(sp.Piecewise, Table, Monotone, Slope, AnySlope):
        together = sp.factor(sp.together(expr))
        if together not in (expr, collected):
            yield together


def _piecewise(expr, ranges=None) -> list[tuple[str, object]] | None:
    signs = [
        definite(value) or _narrowed(value, judged) or interval_sign(judged, ranges or {})
        for value, _, judged in branches(expr)
    ]
    if None in signs:
        return None
    conds = [cond for _, cond in expr.args]
    ranges = _ranges(conds)
    if ranges is not None:
        return _merge(list(zip(signs, ranges, strict=True)))
    pieces = []
    before = sp.false
    for sign, cond in zip(signs, conds, strict=True):
        here = sp.And(cond, sp.Not(before)) if before is not sp.false else cond
        before = sp.Or(before, cond)
        if here is not sp.false:
            pieces.append((sign, here))
    return _merge(pieces)


def _ranges(conds):
    """For ``u < b1``, ``u < b2``, ..., ``True`` with rising numbers (a lookup table's x ranges):
    ``u < b1``, ``b1 <= u < b2``, ..., ``u >= bn``; else ``None``."""
    *bounded, last = conds
    if last is not sp.true or not bounded:
        return None
    if not all(
        isinstance(c, sp.StrictLessThan) and c.rhs.is_Number and c.lhs == bounded[0].lhs for c in bounded
    ):
        return None
    u, bounds = bounded[0].lhs, [c.rhs for c in bounded]
    if any(a >= b for a, b in zip(bounds, bounds[1:], strict=False)):
        return None
    middle = [sp.And(sp.Ge(u, a), sp.Lt(u, b)) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [bounded[0], *middle, sp.Ge(u, bounds[-1])]


def _merge(pieces):
    merged: list[tuple[str, object]] = []
    for sign, cond in pieces:
        if merged and merged[-1][0] == sign:
            merged[-1] = (sign, sp.Or(merged[-1][1], cond))
        else:
            merged.append((sign, cond))
    return merged


def _factor_pieces(factor) -> list[tuple[str, object]] | None:
    if isinstance(factor, sp.Piecewise):
        return _piecewise(factor)
    if isinstance(factor, sp.Pow) and factor.exp.is_Integer and int(factor.exp) % 2:
        return _factor_pieces(factor.base)
    if isinstance(factor, sp.sign):
        return _factor_pieces(factor.args[0])
    if isinstance(factor, sp.log):
        return _factor_pieces(factor.args[0] - 1)
    if factor.has(sp.Piecewise, AnySlope) or _ops(factor) > MAX_CONDITION_OPS or not _low_degree(factor):
        return None  # a long condition helps nobody (and solving it costs)
    for sym in sorted(factor.free_symbols, key=lambda s: s.name):
        if not factor.is_polynomial(sym):
            continue
        poly = sp.Poly(factor, sym)
        if poly.degree() != 1:
            continue
        a, b = poly.all_coeffs()
        sign = definite(a)
        if sign in ("+", "-"):
            root = -b / a
            if root.has(sp.Float):  # 0.5*K reads better as K/2, but 0.123457 not as a long fraction
                exact = sp.nsimplify(root, rational=True)
                if all(r.q <= 1000 for r in exact.atoms(sp.Rational)):
                    root = exact
            if sign == "+":  # the positive side first
                return [("+", sp.Gt(sym, root)), ("-", sp.Lt(sym, root))]
            return [("+", sp.Lt(sym, root)), ("-", sp.Gt(sym, root))]
    if factor.has(Slope, Monotone, Table):
        return None  # a condition on the slope of a delay or table helps nobody
    positive, negative = _sides_of(factor)
    return [("+", sp.Gt(positive, negative)), ("-", sp.Lt(positive, negative))]


def _sides_of(expr):
    """``expr`` as ``positive - negative``, the terms split by their written sign."""
    if not isinstance(expr, sp.Add):
        return expr, sp.Integer(0)
    plus = [t for t in expr.args if not t.could_extract_minus_sign()]
    minus = [-t for t in expr.args if t.could_extract_minus_sign()]
    return sp.Add(*plus), sp.Add(*minus)


# --- interval arithmetic ------------------------------------------------------------------------

_INF = math.inf


def bounds(expr, ranges) -> tuple[float, float]:
    """The interval ``expr`` lies in, given its symbols' ranges (name -> (low, high)) and otherwise
    their assumptions; ``(-inf, inf)`` when nothing is known.

    >>> x = sp.Symbol("x", positive=True)
    >>> bounds(1 - x, {"x": (0.0, 0.25)})
    (0.75, 1.0)
    """
    try:
        return _bounds(expr, ranges, 0)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return -_INF, _INF


def interval_sign(expr, ranges) -> str | None:
    """The sign of ``expr`` from the declared ranges of its symbols (name -> (low, high)),
    by interval arithmetic, or ``None``.

    >>> x = sp.Symbol("x", real=True)
    >>> interval_sign(x - 3, {"x": (5.0, 9.0)}), interval_sign(x - 3, {"x": (0.0, 9.0)})
    ('+', None)
    """
    lo, hi = bounds(expr, ranges)
    if lo >= 0 and hi > 0:
        return "+"
    if hi <= 0 and lo < 0:
        return "-"
    return None  # of either sign, or nil only at the model's present values


def _symbol_bounds(sym, ranges):
    key = sym.name.partition("[")[0]
    if key in ranges and not isinstance(sym, sp.Dummy):  # a Dummy is never a model's variable
        return ranges[key]
    if sym.is_positive or sym.is_nonnegative:
        return 0.0, _INF
    if sym.is_negative or sym.is_nonpositive:
        return -_INF, 0.0
    return -_INF, _INF


def _times(a, b):
    products = []
    for x in a:
        for y in b:
            products.append(0.0 if x == 0 or y == 0 else x * y)
    return min(products), max(products)


def _power_end(base: float, exponent: float) -> float:
    """``base ^ exponent`` for ``base >= 0``, with the limits at zero and infinity."""
    if base == 0:
        return _INF if exponent < 0 else (1.0 if exponent == 0 else 0.0)
    try:
        return base**exponent
    except OverflowError:
        return _INF


def _bounds(expr, ranges, depth, narrow=True):
    if depth > 60:
        return -_INF, _INF
    if expr.is_Number:
        value = float(expr)
        return value, value
    if expr.is_Symbol:
        return _symbol_bounds(expr, ranges)
    if isinstance(expr, sp.Add):
        lo = hi = 0.0
        for term in expr.args:
            a, b = _bounds(term, ranges, depth + 1, narrow)
            lo, hi = lo + a, hi + b
        return lo, hi
    if isinstance(expr, sp.Mul):
        result = (1.0, 1.0)
        for factor in expr.args:
            result = _times(result, _bounds(factor, ranges, depth + 1, narrow))
        return result
    if isinstance(expr, sp.Pow) and expr.exp.is_Number:
        lo, hi = _bounds(expr.base, ranges, depth + 1, narrow)
        n = float(expr.exp)
        if n == -1 and lo > 0:
            return 1 / hi, (1 / lo if lo else _INF)
        if n == -1 and hi < 0:
            return 1 / hi, 1 / lo
        if n > 0 and n == int(n):
            ends = (lo**n if abs(lo) != _INF else (_INF if n % 2 == 0 or lo > 0 else -_INF)), hi**n
            if n % 2 == 0 and lo <= 0 <= hi:
                return 0.0, max(ends)
            return min(ends), max(ends)
        if lo >= 0:
            ends = sorted(
                (lo**n if lo else (0.0 if n > 0 else _INF), hi**n if hi != _INF else (_INF if n > 0 else 0.0))
            )
            return ends[0], ends[1]
        return -_INF, _INF
    if isinstance(expr, sp.Pow):
        lo, hi = _bounds(expr.base, ranges, depth + 1, narrow)
        if lo >= 0:
            # b^e rises or falls with each of b and e (the other fixed): its extremes are at corners
            elo, ehi = _bounds(expr.exp, ranges, depth + 1, narrow)
            ends = [_power_end(b, e) for b in (lo, hi) for e in (elo, ehi)]
            return min(ends), max(ends)
    if isinstance(expr, sp.exp):
        lo, hi = _bounds(expr.args[0], ranges, depth + 1, narrow)
        return math.exp(min(lo, 700)), math.exp(min(hi, 700))
    if isinstance(expr, sp.log):
        lo, hi = _bounds(expr.args[0], ranges, depth + 1, narrow)
        if lo > 0:
            return math.log(lo), math.log(hi) if hi != _INF else _INF
        return -_INF, _INF
    if isinstance(expr, sp.Piecewise):
        parts = [_bounds(value, ranges, depth + 1, narrow) for value, _ in expr.args]
        if narrow:
            narrowed = []
            for (lo, hi), (value, _, judged) in zip(parts, branches(expr), strict=True):
                if judged is not value:  # under its condition, the branch may be narrower
                    jlo, jhi = _bounds(judged, ranges, depth + 1, False)
                    lo, hi = max(lo, jlo), min(hi, jhi)
                if not lo > hi:  # else the branch never applies, at the ranges known (NaN: keep it)
                    narrowed.append((lo, hi))
            parts = narrowed or parts
        return min(p[0] for p in parts), max(p[1] for p in parts)
    if isinstance(expr, Table):
        return expr.profile.low, expr.profile.high
    if isinstance(expr, Monotone) and expr.args:
        if expr.value in ("max", "min"):
            sub = [_bounds(a, ranges, depth + 1, narrow) for a in expr.args]
            pick = max if expr.value == "max" else min
            return pick(s[0] for s in sub), pick(s[1] for s in sub)
        if expr.value == "within":
            return _bounds(expr.args[0], ranges, depth + 1, narrow)
    if expr.is_nonnegative:
        return 0.0, _INF
    if expr.is_nonpositive:
        return -_INF, 0.0
    return -_INF, _INF


# --- one link ----------------------------------------------------------------------------------


def link_sign(tree: Node, cause: str, names: Names, ranges=None) -> Decision:
    """The sign of the link from the variable named ``cause`` (canonical) to the variable whose
    equation is ``tree``; ``names`` gives the assumptions, ``ranges`` declared ranges."""
    try:
        check_size(tree)
    except TooComplex as exc:
        return Decision("?", reason=f"its equation is too large to analyse ({exc})")
    found = scan(tree, cause, names)
    if not found.found:
        return Decision("0", reason="it does not appear in the equation")
    if found.blocker:
        return Decision("?", reason=found.blocker, delay=found.delay)
    converter = Converter(names)
    expr = converter.value(tree)
    symbols = converter.symbols.get(cause, [])
    decisions = [decide(sp.diff(expr, sym), ranges) for sym in symbols]
    branch = combine(decisions, "its elements enter with different signs")
    steps = []
    for node in found.steps:
        steps.append(_step(tree, node, cause, names, ranges))
        if steps[-1].sign == "?":
            break  # the first unknown step decides (see _with_steps)
    if steps:
        branch = _with_steps(branch, steps)
    return Decision(branch.sign, branch.pieces, branch.reason, branch.derivative, found.delay)


def combine(decisions: list[Decision], why: str) -> Decision:
    """One decision for several derivatives (a variable's array elements, or its symbols for
    different subscripts): their common sign, the one conditional among zeros, else ``?`` with
    ``why``."""
    if not decisions:
        return Decision("0", reason="it does not appear in the equation")
    if len(decisions) == 1:
        return decisions[0]
    delay = any(d.delay for d in decisions)
    parts = [d.derivative for d in decisions if d.derivative is not None]
    total = sp.Add(*parts) if parts else None
    signs = {d.sign for d in decisions} - {"0"}
    if not signs:
        return Decision("0", reason=decisions[0].reason, derivative=total, delay=delay)
    if len(signs) == 1 and "?" not in signs:
        return Decision(signs.pop(), derivative=total, delay=delay)
    conditional = [d for d in decisions if d.pieces]
    if len(conditional) == 1 and all(d.sign == "0" for d in decisions if not d.pieces):
        return conditional[0]
    unknown = next((d for d in decisions if d.reason and d.sign == "?"), None)
    return Decision("?", reason=unknown.reason if unknown else why, derivative=total, delay=delay)


def _with_steps(branch: Decision, steps: list[Decision]) -> Decision:
    unknown = next((s for s in steps if s.sign == "?"), None)
    if unknown:
        return Decision("?", reason=unknown.reason, derivative=branch.derivative)
    if branch.sign == "?" or branch.pieces:
        return Decision(
            "?",
            reason="it enters both the condition and the branches of IF, whose slope has no sign",
            derivative=branch.derivative,
        )
    signs = {branch.sign, *(s.sign for s in steps)} - {"0"}
    if not signs:
        return Decision(
            "0", reason="its effect through the condition of IF is nil", derivative=branch.derivative
        )
    if len(signs) == 1:
        return Decision(signs.pop(), derivative=branch.derivative)
    return Decision(
        "?",
        reason="it raises the value through one part of IF and lowers it through another",
        derivative=branch.derivative,
    )


def _mentions(node: Node, cause: str) -> bool:
    return any(isinstance(n, Name) and n.name == cause for n in walk(node))


def _comparison(cond: Node, cause: str) -> tuple[Node, bool, str | None]:
    """The one comparison of ``cond`` that holds ``cause``, and whether ``cond`` turns true as it
    turns false (under a NOT). AND and OR rise with each of their terms, so they keep the
    direction of the term that holds the cause; else the reason there is no direction."""
    flip = False
    while True:
        if isinstance(cond, Unary) and cond.op == "not":
            cond, flip = cond.operand, not flip
        elif isinstance(cond, Binary) and cond.op in ("and", "or"):
            holding = [side for side in (cond.left, cond.right) if _mentions(side, cause)]
            if len(holding) != 1:
                return cond, flip, "it is in more than one part of the condition of IF"
            cond = holding[0]
        else:
            break
    if isinstance(cond, Binary) and cond.op in ("<", "<=", ">", ">="):
        return cond, flip, None
    if isinstance(cond, Binary) and cond.op in ("=", "<>"):
        return cond, flip, "it selects a branch of IF by an equality (a switch), which has no direction"
    return cond, flip, "it is in the condition of IF, which is not a comparison"


def _step(tree: Node, node: Node, cause: str, names: Names, ranges) -> Decision:
    """The sign of the jump when ``cause`` moves the condition of ``node`` (an IF, or a comparison
    or logical expression used as a number) across its threshold."""
    parts = if_parts(node)
    if parts:
        cond, then, otherwise = parts
        converter = Converter(names)
        jump = converter.value(then) - converter.value(otherwise)
    else:
        cond, jump = node, sp.Integer(1)
    cond, flip, why = _comparison(cond, cause)
    if why:
        return Decision("?", reason=why)
    converter = Converter(names)
    gap = converter.value(cond.left) - converter.value(cond.right)
    moves = combine(
        [decide(sp.diff(gap, sym), ranges) for sym in converter.symbols.get(cause, [])],
        "its elements move the condition different ways",
    )
    if moves.sign not in "+-" or moves.pieces:
        return Decision("?", reason="it is in the condition of IF, which it does not move one way")
    jump_sign = decide(jump, ranges)
    if (jump_sign.sign not in "+-0" or jump_sign.pieces) and parts:
        jump_sign = _jump_at_threshold(jump, Converter(names).condition(parts[0]), ranges) or jump_sign
    if jump_sign.sign not in "+-0" or jump_sign.pieces:
        return Decision(
            "?", reason="it is in the condition of IF, and which way the value jumps is not known"
        )
    outer = Converter(names, placeholder=node).value(tree)
    outer_sign = decide(sp.diff(outer, PLACEHOLDER), ranges)
    if outer_sign.sign not in "+-0" or outer_sign.pieces:
        return Decision("?", reason="it is in the condition of IF, whose value enters with no definite sign")
    sign = _mul(_mul(moves.sign, jump_sign.sign), outer_sign.sign)
    if (cond.op in ("<", "<=")) != flip:
        sign = _mul(sign, "-")
    return Decision(sign)


def _jump_at_threshold(jump, cond, ranges) -> Decision | None:
    """The sign of ``jump`` (then - else) where ``cond`` turns: that point is on the edge of both
    sides, so the sign ``jump`` has on either side (edge included) is its sign there; ``+`` on
    one side and ``-`` on the other make it ``0``."""
    if _ops(jump, MAX_BRANCH_OPS) > MAX_BRANCH_OPS:
        return None
    sides = []
    for negate in (False, True):
        judged = under(jump, comparisons(cond, negate=negate), closed=True)
        sides.append(None if judged is jump else definite(judged) or interval_sign(judged, ranges or {}))
    known = {side for side in sides if side is not None}
    if not known:
        return None
    return Decision(known.pop() if len(known) == 1 else "0")
