"""The source of one whole simulation: constants, initial values and the time loop in one function.

:mod:`sysmap.sim.compile` orders the cells; :func:`write_run` writes them into a single function
so that one Python call runs the whole simulation, every value a local variable::

    def _run(O, _R, _DT, _T0, _T1, _P, _N, _EVERY, _OUT):
        c5 = O[5] if 5 in O else 0.1             # constants (O holds the overrides by cell)
        T = _T0
        s0 = O[0] if 0 in O else 100.0           # initial values, in initialisation order
        _save = 0
        _F = _S.pack_into                        # _S: a struct of the row's doubles
        _o = 0                                   # _OUT: a bytearray holding every row
        for _k in _range(_N):
            T = _T0 + _k * _DT                   # never accumulated: no drift
            c3 = s0 / c5                         # the cells that change, in dependency order
            if _k == _save:                      # a save time: keep the row
                _F(_OUT, _o, c3, s0)
                _o += 16
                _save += _EVERY
            s0 -= _DT * c3                       # rates, then the method's update
        _k = _N                                  # the last time: computed and saved only
        T = _T0 + _k * _DT
        c3 = s0 / c5
        if _k == _save:
            _F(_OUT, _o, c3, s0)
        return (c5,)

When the model saves every step the save test goes; when a step computes more than
:data:`_REPEATED_CELLS` cells the loop runs to ``_N`` inclusive and breaks before stepping
from the last time, instead of repeating its cells. Scalar code has small helpers written
out inline (:class:`Inliner`): graphical functions as a binary search over their points,
``MIN``/``MAX``/``SAFEDIV``/``STEP`` as conditional expressions, with the same arithmetic.

RK2 and RK4 add ``_rates(T, s0, s1...)``, a function of the state that recomputes the
changing cells and returns the rates, called for the later stages. ``PREVIOUS`` values are
updated and ``DELAY`` inputs recorded once per step, from the step's first stage; auxiliaries
and flows are saved as computed at the saved time (for RK methods, at the first stage). A
single run packs each saved row into ``_OUT``, a ``bytearray`` made for every row, with
:func:`row_struct`'s ``pack_into`` (passing the values as arguments builds no list, and its
floats are freed as the run goes); an ensemble writes each cell's array
of runs into ``_OUT[row]``, an array of shape ``(cells, runs)`` per save. Non-negative
stocks are floored at zero after each step.

Like everything :mod:`sysmap.sim.codegen` emits, the text is made of templates, float reprs
and invented symbols only.
"""

from __future__ import annotations

import ast
import re
import struct
from dataclasses import dataclass, field

from sysmap.sim.functions import TIME_EPSILON

_CELL = re.compile(r"\bc([0-9]+)\b")
#: the pure helpers a call of time alone may be hoisted from (besides graphical functions)
_PURE_HELPERS = frozenset(
    ("_step", "_ramp", "_pulse", "_abs", "_exp", "_ln", "_log10", "_sqrt", "_pow")
    + ("_sin", "_cos", "_tan", "_asin", "_acos", "_atan", "_sinh", "_cosh", "_tanh")
)
#: the start of a call of a pure helper of time: a graphical function, STEP, RAMP, PULSE, SIN, ...
_PURE_CALL = re.compile(rf"\b(?:_t[0-9]+|{'|'.join(sorted(_PURE_HELPERS))})\(")
_TIME = re.compile(r"\bT\b")
_STOCK = re.compile(r"\bs[0-9]+\b")
_SYMBOL = re.compile(r"\b(?:[A-Za-z_][A-Za-z_0-9]*)\b")
_HELPER_CALL = re.compile(r"\b(?:_t([0-9]+)|_max|_min|_safediv|_step)\(")
#: a symbol or a number, which an inlined helper may read twice as it is
_ATOM = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[0-9]+(?:\.[0-9]*)?(?:e[-+]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_NEGATED = re.compile(r"-[a-z][0-9]+")
#: the most cells and hoisted calls a step computes for which the last time repeats them after the loop
_REPEATED_CELLS = 400


@dataclass
class Plan:
    """What the code is written from: the program, the limits applied to flows (lines of
    code by cell), the constant and changing cells in order, the initialisation order, and
    which cell each model stock is."""

    program: object
    clamps: dict[int, list[str]]
    statics: list[int]
    dynamic: list[int]
    init_order: list[tuple[str, int]]
    stock_cell: dict[int, int]
    vector: bool
    #: cells that only read constants and INIT values: computed once, after the initial values
    settled: list[int] = field(default_factory=list)
    #: the changing cells the stocks, memories and delays need at every step (the others are
    #: computed only at save times), in dependency order; filled in by :func:`split_dynamic`
    stepped: list[int] = field(default_factory=list)
    #: the changing cells computed only when a row is saved
    reported: list[int] = field(default_factory=list)
    #: the code of the changing cells, with repeated calls of time alone replaced by ``_q`` symbols
    code: dict[int, str] = field(default_factory=dict)
    #: those calls (``(symbol, code)``), the ones the step needs and the ones only saving needs
    hoisted_stepped: list[tuple[str, str]] = field(default_factory=list)
    hoisted_reported: list[tuple[str, str]] = field(default_factory=list)
    #: arithmetic of constants only that changing cells read (``(symbol, code)``), computed
    #: once before the loop; filled in by :func:`hoist_invariants`
    invariants: list[tuple[str, str]] = field(default_factory=list)
    #: changing cells that only copy a symbol (``c5 = s3``), by cell: the code reads (and a
    #: row saves) that symbol instead; filled in by :func:`drop_aliases`
    aliases: dict[int, str] = field(default_factory=dict)
    #: the code of each stock's rate (model stocks, then hidden ones), after the same hoisting
    rates: list[str] = field(default_factory=list)

    def __post_init__(self):
        p = self.program
        n_user = len(p.stock_of)
        self.rates = [p.rates[k] if k < n_user else p.hidden[k - n_user].rate for k in range(p.n_stocks)]
        self.stepped, self.reported = split_dynamic(self)
        hoist_time_calls(self)
        hoist_invariants(self)
        drop_aliases(self)

    def resolve(self, text: str) -> str:
        """``text`` reading the symbols that alias cells copy instead of the cells."""
        if not self.aliases:
            return text
        return _CELL.sub(lambda m: self.aliases.get(int(m[1]), m[0]), text)


def split_dynamic(plan: Plan) -> tuple[list[int], list[int]]:
    """The changing cells the next step depends on, and those only reported (read off the
    generated code, whose cell symbols are ``c`` and a number)."""
    p = plan.program
    seeds = list(plan.rates)
    seeds += [m.update for m in p.memories if m.update is not None]
    seeds += [pipe.input for pipe in p.pipes]
    dynamic = set(plan.dynamic)
    needed: set[int] = set()
    todo = [int(n) for text in seeds for n in _CELL.findall(text)]
    while todo:
        i = todo.pop()
        if i in needed or i not in dynamic:
            continue
        needed.add(i)
        for text in (p.exprs[i], *plan.clamps.get(i, ())):
            todo.extend(int(n) for n in _CELL.findall(text))
    return [i for i in plan.dynamic if i in needed], [i for i in plan.dynamic if i not in needed]


def _calls(text: str):
    """The pure helper calls in ``text`` (whole, to the matching parenthesis)."""
    for match in _PURE_CALL.finditer(text):
        depth = 0
        for end in range(match.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                yield text[match.start() : end + 1]
                break


def hoist_time_calls(plan: Plan) -> None:
    """Compute each graphical function, STEP, RAMP, PULSE or math function (``SIN``, ``EXP``,
    ...) of time and constants once per step.

    C-LEARN reads its data series as ``LOOKUP(series, TIME / One_year)`` hundreds of times
    a step; once each is enough. A call qualifies when it reads only ``T``, numbers and
    cells computed before the loop.
    """
    p = plan.program
    before = {f"c{i}" for i in (*plan.statics, *plan.settled)} | {"T", "_DT", "_T0", "_T1"}
    helpers = _PURE_HELPERS
    symbols: dict[str, str] = {}
    users: dict[str, set[int]] = {}
    plan.code = {i: p.exprs[i] for i in plan.dynamic}
    for i in plan.dynamic:
        for call in set(_calls(p.exprs[i])):
            names = set(_SYMBOL.findall(call)) - helpers
            if all(n in before or n.startswith("_t") for n in names) and "T" in names:
                users.setdefault(call, set()).add(i)
    # longest first, so that a call inside another is replaced in what is left of it
    for call in sorted(users, key=len, reverse=True):
        symbol = symbols[call] = f"_q{len(symbols)}"
        for i in users[call]:
            plan.code[i] = plan.code[i].replace(call, symbol)
    stepped = set(plan.stepped)
    for call, symbol in sorted(symbols.items(), key=lambda item: len(item[0])):  # inner calls first
        defined = call
        for inner, inner_symbol in symbols.items():  # a hoisted call inside this one
            if inner != call and inner in defined:
                defined = defined.replace(inner, inner_symbol)
        target = plan.hoisted_stepped if users[call] & stepped else plan.hoisted_reported
        target.append((symbol, defined))


def hoist_invariants(plan: Plan) -> None:
    """Compute once, before the loop, the arithmetic of constant cells and numbers in the
    changing cells' code: ``s34 / (c205 / 3.0)`` reads ``_h0 = c205 / 3.0``, ``c5 * c6 * s0``
    reads ``_h1 = c5 * c6`` (Python's ``(c5 * c6) * s0``; ``s0 * c5 * c6`` is left as it is:
    no reassociation, so every value is the same float).

    A division out of a branch of a conditional is not hoisted: it might divide by zero where
    the loop never would.
    """
    before = {f"c{i}" for i in (*plan.statics, *plan.settled)} | {"_DT", "_T0", "_T1"}
    symbols: dict[str, str] = {}
    hoister = _Hoister(before, symbols)

    def hoisted(code: str) -> str:
        if not any(name in before for name in _SYMBOL.findall(code)):
            return code
        hoister.hoisted = False
        tree = hoister.visit(ast.parse(code, mode="eval"))
        return ast.unparse(tree) if hoister.hoisted else code

    for i in plan.dynamic:
        plan.code[i] = hoisted(plan.code[i])
    plan.rates = [hoisted(code) for code in plan.rates]
    plan.invariants = [(symbol, code) for code, symbol in symbols.items()]


class _Hoister:
    """Replaces the largest invariant arithmetic subtrees of a Python expression tree by symbols."""

    def __init__(self, before: set, symbols: dict):
        self.before = before
        self.symbols = symbols
        self.hoisted = False

    def invariant(self, node, divides: bool) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, float | int) and not isinstance(node.value, bool)
        if isinstance(node, ast.Name):
            return node.id in self.before
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, ast.USub | ast.UAdd) and self.invariant(node.operand, divides)
        if isinstance(node, ast.BinOp):
            ops = (ast.Add, ast.Sub, ast.Mult, ast.Div) if divides else (ast.Add, ast.Sub, ast.Mult)
            return (
                isinstance(node.op, ops)
                and self.invariant(node.left, divides)
                and self.invariant(node.right, divides)
            )
        return False

    def visit(self, node, divides: bool = True):
        if (
            isinstance(node, ast.BinOp | ast.UnaryOp)
            and self.invariant(node, divides)
            and any(isinstance(n, ast.Name) for n in ast.walk(node))
        ):
            symbol = self.symbols.setdefault(ast.unparse(node), f"_h{len(self.symbols)}")
            self.hoisted = True
            return ast.Name(symbol, ast.Load())
        if isinstance(node, ast.IfExp):
            node.test = self.visit(node.test, divides)
            node.body = self.visit(node.body, False)
            node.orelse = self.visit(node.orelse, False)
            return node
        if isinstance(node, ast.BoolOp):
            node.values = [self.visit(v, divides if k == 0 else False) for k, v in enumerate(node.values)]
            return node
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                setattr(node, name, self.visit(value, divides))
            elif isinstance(value, list):
                setattr(node, name, [self.visit(v, divides) if isinstance(v, ast.AST) else v for v in value])
        return node


def drop_aliases(plan: Plan) -> None:
    """Leave out the changing cells that copy a symbol, a stock (``c5 = s3``), a cell, a
    hoisted call, TIME: the code that reads them reads the symbol, and a saved row holds it.

    Every reader runs after the copy would have, and before the symbol changes (stocks and
    memories change after the row is saved), so it reads the same value.
    """
    for i in plan.dynamic:
        code = plan.resolve(plan.code[i])
        plan.code[i] = code
        if i not in plan.clamps and _NAME.fullmatch(code):
            plan.aliases[i] = code
    if plan.aliases:
        plan.rates = [plan.resolve(code) for code in plan.rates]
        plan.clamps = {i: [plan.resolve(line) for line in lines] for i, lines in plan.clamps.items()}
        plan.stepped = [i for i in plan.stepped if i not in plan.aliases]
        plan.reported = [i for i in plan.reported if i not in plan.aliases]


class Inliner:
    """Rewrites calls of small helpers in scalar code as expressions, a call costing more than
    what it computes: graphical functions ``_tN(x)`` as the tables' own binary search
    (:meth:`~sysmap.sim.functions.Table.inline`; tables too large stay calls), and two-argument
    ``_min``/``_max``, ``_safediv`` and ``_step`` as conditional expressions that give the
    same float as the helper. An argument read twice is held in a fresh local ``_xN`` (an
    assignment expression, in the order the call evaluated them). Calls whose arguments draw
    random numbers stay calls, so the draws keep their order.

    >>> from sysmap.sim.functions import Table
    >>> inline = Inliner([Table((0.0, 1.0), (5.0, 5.0))])
    >>> inline("c2 = _t0(c1) * 2.0")
    'c2 = (5.0 if (_x0 := c1) <= 0.0 else (5.0 if _x0 >= 1.0 else 5.0 + _x0 * 0.0)) * 2.0'
    >>> inline("c3 = _max(0.0, c1 - c2) + _safediv(c1, c2)")
    'c3 = (_x1 if 0.0 < (_x1 := c1 - c2) else 0.0) + (c1 / c2 if c2 != 0 else 0.0)'
    """

    def __init__(self, tables):
        self.tables = tables
        self.count = 0

    def local(self) -> str:
        self.count += 1
        return f"_x{self.count - 1}"

    def held(self, arg: str) -> tuple[str, str]:
        """How to evaluate ``arg`` the first time, and how to read it again."""
        if _ATOM.fullmatch(arg):
            return arg, arg
        symbol = self.local()
        return f"({symbol} := {arg})", symbol

    def __call__(self, text: str) -> str:
        if "_" not in text:
            return text
        out, pos = [], 0
        for match in _HELPER_CALL.finditer(text):
            if match.start() < pos:  # inside a call already rewritten
                continue
            depth, end, commas = 0, match.end() - 1, []
            for end in range(match.end() - 1, len(text)):
                char = text[end]
                depth += {"(": 1, ")": -1}.get(char, 0)
                if depth == 0:
                    break
                if depth == 1 and char == ",":
                    commas.append(end)
            cuts = [match.end() - 1, *commas, end]
            args = [self(text[i + 1 : j].strip()) for i, j in zip(cuts, cuts[1:], strict=False)]
            code = None if "_R." in text[match.end() : end] else self._inline(match, args)
            out += [text[pos : match.start()], code or f"{match.group(0)}{', '.join(args)})"]
            pos = end + 1
        out.append(text[pos:])
        return "".join(out)

    def _inline(self, match, args: list[str]) -> str | None:
        name = match.group(0)[:-1]
        if match.group(1) is not None:
            return self.tables[int(match.group(1))].inline(args[0], self.local()) if len(args) == 1 else None
        if name in ("_max", "_min") and len(args) == 2:
            # max(a, b) keeps a unless b > a; min(a, b) keeps a unless b < a (NaN included)
            (first_a, a), (first_b, b) = self.held(args[0]), self.held(args[1])
            return f"({b} if {first_a} {'<' if name == '_max' else '>'} {first_b} else {a})"
        if name == "_safediv" and len(args) in (2, 3):
            first_b, b = self.held(args[1])
            default = args[2] if len(args) == 3 else "0.0"
            return f"({_paren(args[0])} / {b} if {first_b} != 0 else {default})"
        if name == "_step" and len(args) == 4:
            t, dt, height, start = (_paren(a) for a in args)
            return f"({height} if {t} + {dt} * {TIME_EPSILON!r} >= {start} else 0.0)"
        return None


def _paren(text: str) -> str:
    return text if _ATOM.fullmatch(text) else f"({text})"


def saved_cells(plan: Plan) -> list[int]:
    """The cells of a saved row, in order: the changing cells, then the model's stocks."""
    return list(plan.dynamic) + list(plan.program.stock_of)


def row_struct(plan: Plan) -> struct.Struct:
    """How a single run packs a saved row: one double per :func:`saved_cells` cell."""
    return struct.Struct(f"{len(saved_cells(plan))}d")


def write_run(plan: Plan, method: str, every: int | None = None, kept: list[int] | None = None) -> str:
    """The source of ``_run`` for ``method`` (``"euler"``, ``"rk2"`` or ``"rk4"``); ``every`` 1
    writes a loop that saves every step without testing for it (any other: it tests ``_EVERY``).
    ``kept`` (vector code only) lists the cells a row holds, in order: the loop writes only
    those into ``_OUT[row]`` and computes only the reported cells they need."""
    p = plan.program
    n_user = len(p.stock_of)
    n_stocks = p.n_stocks
    lines = ["def _run(O, _R, _DT, _T0, _T1, _P, _N, _EVERY, _OUT):"]
    inline = None if plan.vector else Inliner(p.tables)

    def add(indent: int, text: str) -> None:
        lines.append("    " * indent + (text if inline is None else inline(text)))

    for i in plan.statics:
        expr = p.exprs[i]
        add(1, f"c{i} = O[{i}]" if expr == f"O[{i}]" else f"c{i} = O[{i}] if {i} in O else {expr}")
        for line in plan.clamps.get(i, ()):
            add(1, line)
    for q in range(len(p.pipes)):
        add(1, f"_p{q} = _P[{q}].read")
        add(1, f"_w{q} = _P[{q}].push")
    add(1, "T = _T0")
    for kind, j in plan.init_order:
        if kind == "c":
            add(1, f"c{j} = {p.initials[j][0] if j in p.initials else p.exprs[j]}")
            if j not in p.initials:
                for line in plan.clamps.get(j, ()):
                    add(1, line)
        elif kind == "s" and j < n_user:
            i = plan.stock_cell[j]
            add(1, f"s{j} = O[{i}] if {i} in O else {p.exprs[i]}")
        elif kind == "s":
            add(1, f"s{j} = {p.hidden[j - n_user].init}")
        else:
            add(1, f"m{j} = {p.memories[j].init}")
    for i in plan.settled:
        add(1, f"c{i} = {p.exprs[i]}")
        for line in plan.clamps.get(i, ()):
            add(1, line)
    for symbol, code in plan.invariants:
        add(1, f"{symbol} = {code}")
    rates = plan.rates
    staged = method != "euler" and n_stocks > 0
    if staged:
        stocks = ", ".join(f"s{k}" for k in range(n_stocks))
        add(1, f"def _rates(T, {stocks}):")
        _cells(add, 2, plan, plan.stepped, plan.hoisted_stepped)
        add(2, f"return ({''.join(f'{r}, ' for r in rates)})")
    updates = [(j, plan.resolve(m.update)) for j, m in enumerate(p.memories) if m.update is not None]
    inputs = [plan.resolve(pipe.input) for pipe in p.pipes]
    read = [plan.code[i] for i in plan.dynamic] + [
        code for _, code in plan.hoisted_stepped + plan.hoisted_reported
    ]
    read += [u for _, u in updates] + inputs + rates
    read += [line for i in plan.dynamic for line in plan.clamps.get(i, ())]
    timed = staged or any(_TIME.search(text) for text in read)
    stock_of = p.stock_of
    saved = [
        (i, f"s{stock_of[i]}" if i in stock_of else plan.aliases.get(i, f"c{i}")) for i in saved_cells(plan)
    ]
    reported = plan.reported
    if plan.vector and kept is not None:
        column = {cell: k for k, cell in enumerate(kept)}
        saved = [(column[i], symbol) for i, symbol in saved if i in column]
        reported = reported_for(plan, kept)

    def save(indent: int) -> None:
        """The row kept at a save time (every step when ``every`` is 1)."""
        if every != 1:
            add(indent, "if _k == _save:")
            indent += 1
        _cells(add, indent, plan, reported, plan.hoisted_reported)
        if plan.vector:
            add(indent, "_O = _OUT[_row]")
            for i, symbol in saved:
                add(indent, f"_O[{i}] = {symbol}")
            add(indent, "_row += 1")
        elif saved:
            add(indent, f"_F(_OUT, _o, {', '.join(symbol for _, symbol in saved)})")
            add(indent, f"_o += {8 * len(saved)}")
        else:
            add(indent, "pass")
        if every != 1:
            add(indent, "_save += _EVERY")

    if every != 1:
        add(1, "_save = 0")
    if plan.vector:
        add(1, "_row = 0")
        # numpy multiplies an array by a 0-d array faster than by a Python float, and as exactly
        add(1, "_D = _np.asarray(_DT)")
    else:
        add(1, "_F = _S.pack_into")
        add(1, "_o = 0")
    # The last time is only computed and saved, not stepped from: small loops repeat its
    # cells after the loop; large ones test for it in the loop rather than double the code.
    last_apart = len(plan.stepped) + len(plan.hoisted_stepped) <= _REPEATED_CELLS
    add(1, f"for _k in _range({'_N' if last_apart else '_N + 1'}):")
    if timed:
        add(2, "T = _T0 + _k * _DT")
    _cells(add, 2, plan, plan.stepped, plan.hoisted_stepped)
    save(2)
    if not last_apart:
        add(2, "if _k == _N:")
        add(3, "break")
    for j, update in updates:
        add(2, f"n{j} = {update}")
    for q, text in enumerate(inputs):
        add(2, f"_w{q}({text})")
    if staged:
        for k, rate in enumerate(rates):
            add(2, f"d{k} = {rate}")
        _stages(add, method, n_stocks)
    else:  # a rate that reads no stock goes straight into its stock's update
        direct = [not _STOCK.search(rate) for rate in rates]
        for k, rate in enumerate(rates):
            if not direct[k]:
                add(2, f"d{k} = {rate}")
        for k, rate in enumerate(rates):
            add(2, _euler(k, rate if direct[k] else f"d{k}", plan.vector))
    for k in p.floors:
        add(2, f"s{k} = _max(s{k}, 0.0)" if plan.vector else f"if s{k} < 0.0: s{k} = 0.0")
    for j, _ in updates:
        add(2, f"m{j} = n{j}")
    if last_apart:
        add(1, "_k = _N")
        if timed:
            add(1, "T = _T0 + _k * _DT")
        _cells(add, 1, plan, plan.stepped, plan.hoisted_stepped)
        save(1)
    add(1, f"return ({''.join(f'c{i}, ' for i in plan.statics + plan.settled)})")
    return "\n".join(lines) + "\n"


def reported_for(plan: Plan, kept: list[int]) -> list[int]:
    """The reported cells that the cells ``kept`` read, in order (all of them when one draws
    random numbers, so that every draw keeps its place in the stream)."""
    reported = set(plan.reported)
    if any("_R." in plan.code[i] for i in reported):
        return list(plan.reported)
    needed: set[int] = set()
    todo = [i for i in kept if i in reported]
    todo += [int(n) for i in kept if i in plan.aliases for n in _CELL.findall(plan.aliases[i])]
    todo = [i for i in todo if i in reported]
    while todo:
        i = todo.pop()
        if i in needed:
            continue
        needed.add(i)
        for text in (plan.code[i], *plan.clamps.get(i, ())):
            todo.extend(n for n in map(int, _CELL.findall(text)) if n in reported)
    return [i for i in plan.reported if i in needed]


def _euler(k: int, rate: str, vector: bool) -> str:
    """Stock ``k``'s Euler update by ``rate`` (a symbol or an expression)."""
    negated = _NEGATED.fullmatch(rate)  # ``s - DT * c`` is exactly ``s + DT * (-c)``
    if vector:  # never in place: a stock's array may be shared with a cell or an override
        return f"s{k} = s{k} - _D * {rate[1:]}" if negated else f"s{k} = s{k} + _D * {_wrap(rate)}"
    if negated:
        return f"s{k} -= _DT * {rate[1:]}"
    return f"s{k} += _DT * {_wrap(rate)}"


def _wrap(text: str) -> str:
    return text if _SYMBOL.fullmatch(text) else f"({text})"


def _cells(add, indent: int, plan: Plan, cells: list[int], hoisted=()) -> None:
    for symbol, code in hoisted:
        add(indent, f"{symbol} = {code}")
    for i in cells:
        add(indent, f"c{i} = {plan.code[i]}")
        for line in plan.clamps.get(i, ()):
            add(indent, line)


def _stages(add, method: str, n: int) -> None:
    """The later stages of RK2 (Heun) or RK4 and the state update, after the first stage's ``d``."""

    def call(time: str, step: str, rates: str) -> str:
        return f"_rates({time}, {', '.join(f's{k} + {step} * {rates}{k}' for k in range(n))})"

    def unpack(name: str) -> str:
        return "".join(f"{name}{k}, " for k in range(n))

    if method == "rk2":
        add(2, f"{unpack('a')}= {call('T + _DT', '_DT', 'd')}")
        for k in range(n):
            add(2, f"s{k} = s{k} + _DT * 0.5 * (d{k} + a{k})")
        return
    add(2, "_h = _DT * 0.5")
    add(2, f"{unpack('a')}= {call('T + _h', '_h', 'd')}")
    add(2, f"{unpack('b')}= {call('T + _h', '_h', 'a')}")
    add(2, f"{unpack('e')}= {call('T + _DT', '_DT', 'b')}")
    for k in range(n):
        add(2, f"s{k} = s{k} + _DT / 6.0 * (d{k} + 2.0 * a{k} + 2.0 * b{k} + e{k})")
