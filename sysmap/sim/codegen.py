"""Equation trees to Python expressions, one per cell, for the code :mod:`sysmap.sim.compile` builds.

Safety: the generated code is assembled only from fixed templates of this module, the
``repr`` of floats taken from :class:`~sysmap.sim.ast.Num` nodes, and symbols made of a
letter and an integer (``c12`` a cell, ``s3`` a stock, ``m0`` a memory, ``_t4`` a table). No
text from the file -- no name, no number as written, no comment -- is ever copied into it,
so a hostile equation can change which helpers are called with which numbers, never what
code runs. The code runs with no Python builtins, only :func:`sysmap.sim.functions.namespace`.

Stateful builtins are lowered here: ``SMTH1``/``SMTH3``/``SMTHN``, ``DELAY1``/``DELAY3``/``DELAYN``,
``TREND`` and ``FORCST`` become hidden stocks (:class:`HiddenStock`); ``INIT`` and ``PREVIOUS``
become memories (:class:`Memory`), set once at the start and, for ``PREVIOUS``, updated after
every step; ``DELAY`` keeps the history of its input in a :class:`~sysmap.sim.functions.Pipe`.

>>> from sysmap.model import SystemMap, Kind
>>> doc = SystemMap()
>>> _ = doc.add_variable("a", kind=Kind.AUX, equation="2 * b + 1")
>>> _ = doc.add_variable("b", kind=Kind.AUX, equation="TIME")
>>> program = emit_program(flatten(doc), Semantics(), vector=False)
>>> program.exprs[0], sorted(program.refs[0])
('2.0 * c1 + 1.0', [('c', 1)])
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from sysmap.model.elements import Kind
from sysmap.sim import functions, macros
from sysmap.sim.ast import Binary, Call, If, Name, Node, Num, Range, Star, Subscript, Transpose, Unary, walk
from sysmap.sim.errors import SimulationError
from sysmap.sim.flatten import Cell, Dim, FlatModel, Var, flatten
from sysmap.sim.parser import EquationSyntaxError, parse
from sysmap.sim.semantics import Semantics
from sysmap.sim.vectors import VECTOR_FUNCTIONS, emit_vector_call

__all__ = ["Program", "emit_program", "flatten"]

# Python precedence of what we emit: atoms and calls, unary minus, * and /, + and -.
_ATOM, _UNARY, _MUL, _ADD = 100, 80, 70, 60

_MATH_1 = {
    "abs": "_abs",
    "exp": "_exp",
    "ln": "_ln",
    "log10": "_log10",
    "sqrt": "_sqrt",
    "sin": "_sin",
    "cos": "_cos",
    "tan": "_tan",
    "arcsin": "_asin",
    "arccos": "_acos",
    "arctan": "_atan",
    "sinh": "_sinh",
    "cosh": "_cosh",
    "tanh": "_tanh",
    "round": "_round",
    "sign": "_sign",
    "ceiling": "_ceil",
    "floor": "_floor",
    "integer": "_trunc",
}
_CONSTANTS = {"pi": repr(math.pi), "inf": "_inf", "nan": "_nan"}
_TIME_NAMES = {"time": "T", "dt": "_DT", "starttime": "_T0", "stoptime": "_T1", "initial_time": "_T0"}
_RANDOM = {
    "random": ("uniform", 2, 3),
    "random_uniform": ("uniform", 2, 3),
    "normal": ("normal", 2, 5),
    "exprnd": ("exponential", 1, 2),
    "random_exponential": ("exponential", 1, 2),
    "lognormal": ("lognormal", 2, 3),
    "poisson": ("poisson", 1, 2),
    "triangular": ("triangular", 3, 4),
}
_ARRAY_FUNCTIONS = {"sum", "mean", "size", "stddev", "prod", "rank", "vmin", "vmax"}
_STATEFUL = {
    "smth1", "smth3", "smthn", "smooth", "smoothi", "smooth3", "smooth3i",
    "delay1", "delay3", "delayn", "delay", "delay_fixed", "trend", "forcst", "init", "previous",
}  # fmt: skip


@dataclass
class HiddenStock:
    """A stock the model does not show (a stage of SMTH3, ...): initial value and rate."""

    init: str
    init_refs: set
    rate: str


@dataclass
class Memory:
    """A value kept between steps: set at the start (``INIT``, ``PREVIOUS``'s initial value,
    ``DELAY``'s initial value), and for ``PREVIOUS`` replaced by ``update`` after each step."""

    init: str
    init_refs: set
    update: str | None = None


@dataclass
class PipeSlot:
    """The input of a pipeline ``DELAY``, recorded after each step."""

    input: str


@dataclass
class Limit:
    """An outflow of non-negative stock ``stock`` takes at most the stock over DT, plus the
    stock's ``inflows``, minus what its ``earlier`` outflows take first (cells)."""

    stock: int
    inflows: list[int]
    earlier: list[int]


@dataclass
class Clamp:
    """What limits a flow: non-negative stocks it drains, and whether it is a uniflow."""

    limits: list[Limit]
    uniflow: bool

    def statement(self, cell: int, vector: bool, skip: set | frozenset = frozenset()) -> list[str]:
        """The lines of code that limit cell ``cell``, leaving out the flows in ``skip`` (which
        would make the flows depend on each other in a loop)."""
        symbol = f"c{cell}"
        lines = []
        if self.uniflow:
            lines.append(
                f"{symbol} = _max({symbol}, 0.0)" if vector else f"if {symbol} < 0.0: {symbol} = 0.0"
            )
        for limit in self.limits:
            terms = [f"_div(s{limit.stock}, _DT)" if vector else f"s{limit.stock} / _DT"]
            terms += [f"+ c{j}" for j in limit.inflows if j not in skip]
            terms += [f"- c{j}" for j in limit.earlier if j not in skip]
            if vector:
                lines.append(f"{symbol} = _min({symbol}, _max({' '.join(terms)}, 0.0))")
            else:  # as min(c, max(limit, 0)), NaN included, without two calls
                lines.append(f"_l = {' '.join(terms)}")
                lines.append("if _l < 0.0: _l = 0.0")
                lines.append(f"if {symbol} > _l: {symbol} = _l")
        return lines

    def refs(self, skip: set | frozenset = frozenset()) -> set:
        refs = {("s", limit.stock) for limit in self.limits}
        for limit in self.limits:
            refs |= {("c", j) for j in limit.inflows + limit.earlier if j not in skip}
        return refs


@dataclass
class Program:
    """Every cell's expression and what it refers to, and the hidden state they need.

    ``exprs[i]`` is the Python expression of cell ``i`` (for a stock, its initial value);
    ``refs[i]`` the symbols it reads as ``("c", cell)``, ``("s", stock)``, ``("m", memory)``;
    ``timed[i]`` whether it reads TIME or random numbers; ``clamps[i]`` a statement applied
    after computing a flow (uniflow or non-negative stock); ``stock_of[i]`` the state slot
    of stock cells. Hidden stocks follow the model's stocks in the state vector.
    """

    flat: FlatModel
    exprs: list[str] = field(default_factory=list)
    refs: list[set] = field(default_factory=list)
    timed: list[bool] = field(default_factory=list)
    clamps: dict[int, Clamp] = field(default_factory=dict)
    stock_of: dict[int, int] = field(default_factory=dict)
    rates: dict[int, str] = field(default_factory=dict)
    #: cells with an initial equation (``<init_eqn>``): its code and references
    initials: dict[int, tuple[str, set]] = field(default_factory=dict)
    hidden: list[HiddenStock] = field(default_factory=list)
    memories: list[Memory] = field(default_factory=list)
    pipes: list[PipeSlot] = field(default_factory=list)
    tables: list[functions.Table] = field(default_factory=list)
    #: non-negative stocks, kept at or above zero after each step (whatever drains them)
    floors: list[int] = field(default_factory=list)

    @property
    def n_stocks(self) -> int:
        return len(self.stock_of) + len(self.hidden)


class _Context:
    def __init__(self, cell: Cell, binding: dict[str, str], frame: macros.Frame | None = None):
        self.cell = cell
        self.binding = binding
        #: the macro call whose equations are being emitted, if any
        self.frame = frame

    def bind(self, extra: dict[str, str]) -> _Context:
        return _Context(self.cell, {**self.binding, **extra}, self.frame)


class _Emitter:
    def __init__(self, flat: FlatModel, semantics: Semantics, vector: bool, fixed: frozenset = frozenset()):
        self.flat = flat
        self.sem = semantics
        self.vector = vector
        self.fixed = fixed
        self.program = Program(flat)
        self.refs: set = set()
        self.timed = False
        self.table_ids: dict[int, int] = {}
        self.macros = macros.read_macros(flat.extras_text)

    # -- the program ----------------------------------------------------------------------------

    def run(self) -> Program:
        p = self.program
        stocks = [c for c in self.flat.cells if c.kind == Kind.STOCK]
        for k, cell in enumerate(stocks):
            p.stock_of[cell.index] = k
        for cell in self.flat.cells:
            self.refs = set()
            self.timed = False
            expr = f"O[{cell.index}]" if cell.index in self.fixed else self._cell(cell)
            p.exprs.append(expr)
            p.refs.append(self.refs)
            p.timed.append(self.timed)
            if cell.init_text and cell.kind != Kind.STOCK and cell.index not in self.fixed:
                self.refs = set()
                init = self._cell(cell, cell.init_text)
                p.initials[cell.index] = (init, self.refs)
                p.timed[cell.index] = True
        for cell in stocks:
            p.rates[p.stock_of[cell.index]] = self._stock_rate(cell)
            if cell.var.non_negative:
                p.floors.append(p.stock_of[cell.index])
        for cell in self.flat.cells:
            if cell.kind == Kind.FLOW and cell.index not in self.fixed:
                self._clamp(cell)
        return p

    def _cell(self, cell: Cell, text: str | None = None) -> str:
        text = cell.text if text is None else text
        if not text.strip():
            raise SimulationError("has no equation", variable=cell.name)
        try:
            tree = parse(text)
        except EquationSyntaxError as exc:
            raise SimulationError(str(exc), variable=cell.name) from None
        ctx = _Context(cell, cell.binding)
        expr, _ = self.expr(tree, ctx)
        if cell.graph is not None and cell.kind != Kind.STOCK:
            expr = f"{self._table(cell.graph)}({expr})"
        return expr

    def _stock_rate(self, cell: Cell) -> str:
        binding = cell.binding
        terms = []
        for keys, sign in ((cell.var.inflows, "+"), (cell.var.outflows, "-")):
            for key in keys:
                flow = self.flat.vars.get(key)
                if flow is None:
                    continue
                index = self._element_cell(flow, binding, cell.name)
                terms.append((sign, f"c{index}"))
        if not terms:
            return "0.0"
        text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
        for sign, term in terms[1:]:
            text += f" {sign} {term}"
        return text

    def _clamp(self, cell: Cell) -> None:
        """Uniflows never run backwards; outflows of a non-negative stock take at most what is there."""
        p = self.program
        limits = []
        drained = [v for v in self.flat.vars.values() if v.kind == Kind.STOCK and cell.var.key in v.outflows]
        if len(drained) > 1:
            drained = []  # not a flow XMILE allows: each stock is kept non-negative on its own
        for stock_var in drained:
            if not stock_var.non_negative:
                continue
            stock_cell = stock_var.cells.get(self._elements_for(stock_var, cell.binding, cell.name))
            if stock_cell is None:
                continue
            binding = self.flat.cells[stock_cell].binding
            inflows = []
            for key in stock_var.inflows:
                flow = self.flat.vars.get(key)
                if flow is not None:
                    j = self._element_cell(flow, binding, cell.name)
                    if j != cell.index:
                        inflows.append(j)
            earlier = []
            for key in stock_var.outflows:
                if key == cell.var.key:
                    break
                flow = self.flat.vars.get(key)
                if flow is not None:
                    earlier.append(self._element_cell(flow, binding, cell.name))
            limits.append(Limit(p.stock_of[stock_cell], inflows, earlier))
        if limits or cell.var.non_negative:
            p.clamps[cell.index] = Clamp(limits, cell.var.non_negative)

    # -- references -------------------------------------------------------------------------------

    def _elements_for(self, var: Var, binding: dict[str, str], who: str) -> tuple[str, ...]:
        elements = []
        for position, dim in enumerate(var.dims):
            element = binding.get(dim.key)
            if element is None:
                element = self._map_dimension(dim, binding, position)
            if element is None:
                raise SimulationError(
                    f"uses the array {var.name} without saying which element of {dim.name}", variable=who
                )
            elements.append(element)
        return tuple(elements)

    def _map_dimension(self, dim: Dim, binding: dict[str, str], position: int) -> str | None:
        """An element of ``dim`` for a context that binds other dimensions: one whose element
        is also an element of ``dim`` (a subrange), one the file maps to it, else the one of the
        same size, by position."""
        mapped = self._mapped(dim, binding)
        if mapped is not None:
            return mapped
        for element in binding.values():
            if dim.position(element) is not None:
                return element
        for key, element in binding.items():
            other = self.flat.dims.get(key)
            if other is not None and len(other.elements) == len(dim.elements):
                return dim.elements[other.position(element)]
        return None

    @staticmethod
    def _mapped(dim: Dim, binding: dict) -> str | None:
        """The element of ``dim`` a declared mapping gives for a bound dimension, or ``None``."""
        for key, pairs in dim.maps.items():
            element = binding.get(key)
            if element is not None and element in pairs:
                return pairs[element]
        return None

    def _element_cell(self, var: Var, binding: dict[str, str], who: str) -> int:
        elements = self._elements_for(var, binding, who)
        index = var.cells.get(elements)
        if index is None:
            raise SimulationError(f"uses {var.name}, which is a lookup table, as a value", variable=who)
        return index

    # what sysmap.sim.vectors and sysmap.sim.macros use
    def constant(self, node: Node, ctx: _Context) -> float | None:
        """The value of ``node`` when it is made of numbers and constants only, else ``None``."""
        return _constant(node, self.flat, ctx.cell.var.scope)

    def elements_for(self, var: Var, binding: dict[str, str], who: str) -> tuple[str, ...]:
        return self._elements_for(var, binding, who)

    def index_element(self, index: Node, dim: Dim, position: int, ctx: _Context, node: Node) -> str | None:
        return self._index_element(index, dim, position, ctx, node)

    def ref_value(self, var: Var, elements: tuple[str, ...], who: str) -> str:
        """The symbol of one element of ``var`` (an error for a lookup table's element)."""
        index = var.cells.get(tuple(elements))
        if index is None:
            raise SimulationError(f"uses {var.name}, which is a lookup table, as a value", variable=who)
        return self._ref_cell(index)

    def _ref_cell(self, index: int) -> str:
        stock = self.program.stock_of.get(index)
        if stock is not None:
            self.refs.add(("s", stock))
            return f"s{stock}"
        self.refs.add(("c", index))
        return f"c{index}"

    # -- expressions --------------------------------------------------------------------------------

    def num(self, value: float) -> str:
        if math.isnan(value):
            return "_nan"
        if math.isinf(value):
            return "_inf" if value > 0 else "(-_inf)"
        return repr(float(value))

    def _div(self, a: str, b: str) -> str:
        return f"_div({a}, {b})" if self.vector else f"{_wrap(a)} / {_wrap(b)}"

    def expr(self, node: Node, ctx: _Context) -> tuple[str, int]:
        """Python source for ``node`` and its precedence."""
        if isinstance(node, Num):
            text = self.num(node.value)
            return text, _UNARY if text.startswith("-") else _ATOM
        if isinstance(node, Name):
            return self._name(node, ctx), _ATOM
        if isinstance(node, Unary):
            operand, prec = self.expr(node.operand, ctx)
            if node.op == "+":
                return operand, prec
            if node.op == "-":
                return f"-{_paren(operand, prec, _UNARY + 1)}", _UNARY
            return self._truth(f"{_paren(operand, prec, _ATOM)} == 0"), _ATOM
        if isinstance(node, Binary):
            return self._binary(node, ctx)
        if isinstance(node, If):
            cond = self.expr(node.cond, ctx)[0]
            then = self.expr(node.then, ctx)[0]
            otherwise = self.expr(node.otherwise, ctx)[0]
            return self._if(cond, then, otherwise), _ATOM
        if isinstance(node, Call):
            return self._call(node, ctx), _ATOM
        if isinstance(node, Subscript):
            return self._subscript(node, ctx), _ATOM
        if isinstance(node, Transpose):
            return self._transpose(node, ctx), _ATOM
        if isinstance(node, Star | Range):
            raise SimulationError(
                "uses * or a range outside an array function such as SUM", variable=ctx.cell.name
            )
        raise SimulationError(
            f"holds an expression the simulator cannot read ({type(node).__name__})", variable=ctx.cell.name
        )

    def _if(self, cond: str, then: str, otherwise: str) -> str:
        if self.vector:
            return f"_where({cond}, {then}, {otherwise})"
        return f"({then} if {cond} else {otherwise})"

    def _truth(self, comparison: str) -> str:
        return f"(({comparison}) * 1.0)" if self.vector else f"({comparison})"

    def _binary(self, node: Binary, ctx: _Context) -> tuple[str, int]:
        op = node.op
        left, lp = self.expr(node.left, ctx)
        right, rp = self.expr(node.right, ctx)
        if op in ("+", "-"):
            return f"{_paren(left, lp, _ADD)} {op} {_paren(right, rp, _ADD + 1)}", _ADD
        if op == "*":
            return f"{_paren(left, lp, _MUL)} * {_paren(right, rp, _MUL + 1)}", _MUL
        if op == "/":
            if self.vector:
                return f"_div({left}, {right})", _ATOM
            return f"{_paren(left, lp, _MUL)} / {_paren(right, rp, _MUL + 1)}", _MUL
        if op == "^":
            return f"_pow({left}, {right})", _ATOM
        if op == "mod":
            return f"{'_tmod' if self.sem.mod_truncates else '_fmod'}({left}, {right})", _ATOM
        if op in ("and", "or"):
            a, b = f"({_paren(left, lp, _ATOM)} != 0)", f"({_paren(right, rp, _ATOM)} != 0)"
            if self.vector:
                return self._truth(f"{a} {'&' if op == 'and' else '|'} {b}"), _ATOM
            return f"({a} {op} {b})", _ATOM
        py = {"=": "==", "<>": "!="}.get(op, op)
        return self._truth(f"{_paren(left, lp, _ADD)} {py} {_paren(right, rp, _ADD)}"), _ATOM

    def _name(self, node: Name, ctx: _Context) -> str:
        key = node.name
        if ctx.frame is not None:
            code = ctx.frame.lookup(key, ctx)
            if code is not None:
                return _wrap(code)
            if key in _TIME_NAMES or key in _CONSTANTS:
                return self._name(node, _Context(ctx.cell, ctx.binding))
            raise ctx.frame.fail(f'refers to "{node.text}", neither a parameter nor a variable of it')
        if key in _TIME_NAMES:
            if key == "time":
                self.timed = True
            return _TIME_NAMES[key]
        if key in _CONSTANTS:
            return _CONSTANTS[key]
        if key == "self":
            return self._ref_cell(ctx.cell.index)
        var = self.flat.resolve(key, ctx.cell.var.scope)
        if var is not None:
            return self._ref_cell(self._element_cell(var, ctx.binding, ctx.cell.name))
        dim = self.flat.dims.get(key)
        if dim is not None and key in ctx.binding:
            return self.num(float(dim.position(ctx.binding[key]) + 1))
        element = self._bare_element(key, ctx)
        if element is not None:
            return element
        raise SimulationError(f'refers to unknown variable "{node.text}"', variable=ctx.cell.name)

    def _bare_element(self, key: str, ctx: _Context) -> str | None:
        """A dimension element used as a number (its 1-based position), as Stella allows."""
        for dim in self.flat.dims.values():
            position = dim.position(key)
            if position is not None:
                return self.num(float(position + 1))
        return None

    def _subscript(self, node: Subscript, ctx: _Context) -> str:
        target = node.target
        if ctx.frame is not None:
            raise ctx.frame.fail("uses subscripts, which macros here cannot")
        if not isinstance(target, Name):
            raise SimulationError("subscripts only a variable, not an expression", variable=ctx.cell.name)
        var = self.flat.resolve(target.name, ctx.cell.var.scope)
        if var is None:
            raise SimulationError(f'refers to unknown variable "{target.text}"', variable=ctx.cell.name)
        if len(node.indices) != len(var.dims):
            raise SimulationError(
                f"gives {len(node.indices)} subscripts to {var.name}, which has {len(var.dims)} dimensions",
                variable=ctx.cell.name,
            )
        fixed: list[str | None] = []
        dynamic: list[tuple[int, str]] = []
        for position, (index, dim) in enumerate(zip(node.indices, var.dims, strict=True)):
            element = self._index_element(index, dim, position, ctx, node)
            if element is None:
                dynamic.append((position, self.expr(index, ctx)[0]))
            fixed.append(element)
        if not dynamic:
            index = var.cells.get(tuple(fixed))
            if index is None:
                raise SimulationError(
                    f"uses {var.name}, which is a lookup table, as a value", variable=ctx.cell.name
                )
            return self._ref_cell(index)
        if len(dynamic) > 1:
            raise SimulationError("computes more than one subscript at run time", variable=ctx.cell.name)
        position, index_expr = dynamic[0]
        choices = []
        for element in var.dims[position].elements:
            elements = list(fixed)
            elements[position] = element
            cell = var.cells.get(tuple(elements))
            if cell is None:
                raise SimulationError(
                    f"uses {var.name}, which is a lookup table, as a value", variable=ctx.cell.name
                )
            choices.append(self._ref_cell(cell))
        return f"_pick(({', '.join(choices)},), {index_expr})"

    def _transpose(self, node: Transpose, ctx: _Context) -> str:
        """``a'``: the array with its dimensions reversed. In a variable with as many dimensions
        it is ``a[@n, ..., @1]`` (XMILE 3.7.1.1): each dimension of ``a`` takes the element at the
        mirrored position of the cell being computed; elsewhere (in ``SUM(a')``) elements are
        found by dimension name, as for any array."""
        who = ctx.cell.name
        operand = node.operand
        if not isinstance(operand, Name) or ctx.frame is not None:
            raise SimulationError("transposes (') something other than an arrayed variable", variable=who)
        var = self.flat.resolve(operand.name, ctx.cell.var.scope)
        if var is None:
            raise SimulationError(f'refers to unknown variable "{operand.text}"', variable=who)
        reverse = var.dims[::-1]
        own = ctx.cell.var.dims
        positional = len(own) == len(reverse) and all(
            len(a.elements) == len(b.elements) for a, b in zip(own, reverse, strict=True)
        )
        elements = []
        for position, dim in enumerate(reverse):
            if positional:
                mine = own[position]
                element = dim.elements[mine.position(ctx.cell.elements[position])]
            else:
                element = ctx.binding.get(dim.key) or self._map_dimension(dim, ctx.binding, position)
            if element is None:
                raise SimulationError(
                    f"uses {var.name}' without saying which element of {dim.name}", variable=who
                )
            elements.append(element)
        return self.ref_value(var, tuple(reversed(elements)), who)

    def _index_element(self, index: Node, dim: Dim, position: int, ctx: _Context, node: Node) -> str | None:
        """The element of ``dim`` a subscript picks, or ``None`` when only the run can tell."""
        who = ctx.cell.name
        if isinstance(index, Star):
            key = index.dimension or dim.key
            element = ctx.binding.get(("star", id(node), position)) or ctx.binding.get(key)
            if element is None:
                raise SimulationError("uses * outside an array function such as SUM", variable=who)
            return self._in_dim(element, dim, who)
        if isinstance(index, Range):
            element = ctx.binding.get(("star", id(node), position))
            if element is None:
                raise SimulationError("uses a range outside an array function such as SUM", variable=who)
            return element
        if isinstance(index, Num):
            i = int(index.value)
            if i != index.value or not 1 <= i <= len(dim.elements):
                raise SimulationError(
                    f"subscript {index.value:g} is outside {dim.name} (1..{len(dim.elements)})", variable=who
                )
            return dim.elements[i - 1]
        if isinstance(index, Name):
            key = index.name
            if key in self.flat.dims:
                bound = ctx.binding.get(key)
                if bound is None:
                    mapped = self._mapped(self.flat.dims[key], ctx.binding)
                    if mapped is not None:
                        return self._in_dim(mapped, dim, who) if key != dim.key else mapped
                    if key == dim.key:
                        raise SimulationError(
                            f"uses {dim.name} as a subscript where no element of it is being computed "
                            "(use * inside an array function such as SUM)",
                            variable=who,
                        )
                    bound = self._map_dimension(dim, ctx.binding, position)
                    if bound is None:
                        raise SimulationError(f"cannot tell which element of {key} is meant", variable=who)
                    return bound
                if dim.position(bound) is not None:
                    return bound
                other = self.flat.dims[key]
                if len(other.elements) == len(dim.elements):
                    return dim.elements[other.position(bound)]
                raise SimulationError(
                    f"maps {other.name} onto {dim.name}, which differ in size", variable=who
                )
            candidate = key.split(".")[-1] if "." in key else key
            if dim.position(candidate) is not None and self.flat.resolve(key, ctx.cell.var.scope) is None:
                return candidate
        return None

    def _in_dim(self, element: str, dim: Dim, who: str) -> str:
        if dim.position(element) is None:
            raise SimulationError(f"element {element!r} is not in {dim.name}", variable=who)
        return element

    # -- arrays ---------------------------------------------------------------------------------------

    def array(self, node: Node, ctx: _Context) -> list[str]:
        """The elements of an array-valued expression (``a[*]``, ``a``, ``a[*] * b[*]``...)."""
        if ctx.frame is not None:  # no arrays inside macros
            return [self.expr(node, ctx)[0]]
        free: dict = {}
        for sub in walk(node):
            if isinstance(sub, Subscript) and isinstance(sub.target, Name):
                var = self.flat.resolve(sub.target.name, ctx.cell.var.scope)
                if var is None or len(sub.indices) != len(var.dims):
                    continue
                for position, (index, dim) in enumerate(zip(sub.indices, var.dims, strict=True)):
                    if isinstance(index, Star):
                        key = index.dimension or dim.key
                        if key not in ctx.binding:
                            target = self.flat.dims.get(key, dim)
                            free.setdefault(key, target.elements)
                    elif isinstance(index, Range):
                        free[("star", id(sub), position)] = self._range(index, dim, ctx)
                    elif isinstance(index, Name) and index.name == dim.key and index.name not in ctx.binding:
                        free.setdefault(dim.key, dim.elements)
            elif isinstance(sub, Name):
                var = self.flat.resolve(sub.name, ctx.cell.var.scope)
                if var is not None and var.dims and not _is_subscript_target(node, sub):
                    for dim in var.dims:
                        if dim.key not in ctx.binding:
                            free.setdefault(dim.key, dim.elements)
        if not free:
            return [self.expr(node, ctx)[0]]
        keys = list(free)
        out = []
        for combo in itertools.product(*(free[k] for k in keys)):
            out.append(self.expr(node, ctx.bind(dict(zip(keys, combo, strict=True))))[0])
        return out

    def _range(self, index: Range, dim: Dim, ctx: _Context) -> tuple[str, ...]:
        bounds = []
        for end in (index.low, index.high):
            if isinstance(end, Num) and end.value == int(end.value) and 1 <= end.value <= len(dim.elements):
                bounds.append(int(end.value) - 1)
            elif isinstance(end, Name) and dim.position(end.name.split(".")[-1]) is not None:
                bounds.append(dim.position(end.name.split(".")[-1]))
            else:
                raise SimulationError(f"gives a range that is not within {dim.name}", variable=ctx.cell.name)
        return dim.elements[bounds[0] : bounds[1] + 1]

    # -- calls ----------------------------------------------------------------------------------------

    def _call(self, node: Call, ctx: _Context) -> str:
        f = node.func
        args = node.args
        who = ctx.cell.name

        def need(low: int, high: int | None = None) -> None:
            high = low if high is None else high
            if not low <= len(args) <= high:
                count = str(low) if low == high else f"{low} to {high}"
                raise SimulationError(f"{f.upper()} takes {count} arguments, not {len(args)}", variable=who)

        def arg(i: int) -> str:
            return self.expr(args[i], ctx)[0]

        if f in _MATH_1:
            need(1)
            return f"{_MATH_1[f]}({arg(0)})"
        if f == "int":
            need(1)
            return f"{'_trunc' if self.sem.int_truncates else '_floor'}({arg(0)})"
        if f in _CONSTANTS:
            need(0)
            return _CONSTANTS[f]
        if f in _TIME_NAMES:
            need(0)
            if f == "time":
                self.timed = True
            return _TIME_NAMES[f]
        if f in ("min", "max"):
            if len(args) == 1:
                items = self.array(args[0], ctx)
                return self._reduce("_vmin" if f == "min" else "_vmax", items)
            if not args:
                need(1, 99)
            items = [arg(i) for i in range(len(args))]
            return self._reduce(f"_{f}", items)
        if f in ("modulo", "mod"):
            need(2)
            return f"{'_tmod' if self.sem.mod_truncates else '_fmod'}({arg(0)}, {arg(1)})"
        if f == "log":
            need(1, 2)
            if len(args) == 1:
                return f"_log10({arg(0)})"
            return self._div(f"_ln({arg(0)})", f"_ln({arg(1)})")
        if f == "arctan2":
            need(2)
            return f"_atan2({arg(0)}, {arg(1)})"
        if f == "if_then_else":
            need(3)
            return self._if(arg(0), arg(1), arg(2))
        if f in ("safediv", "xidz", "zidz"):
            if f == "zidz":
                need(2)
                return f"_safediv({arg(0)}, {arg(1)}, 0.0)"
            need(3) if f == "xidz" else need(2, 3)
            rest = f", {arg(2)}" if len(args) == 3 else ""
            return f"_safediv({arg(0)}, {arg(1)}{rest})"
        if f == "pulse":
            need(1, 3)
            rest = "".join(f", {arg(i)}" for i in range(len(args)))
            if len(args) == 1:
                rest += ", _T0"
            self.timed = True
            return f"_pulse(T, _DT{rest})"
        if f == "step":
            need(2)
            self.timed = True
            return f"_step(T, _DT, {arg(0)}, {arg(1)})"
        if f == "ramp":
            need(2, 3)
            self.timed = True
            return f"_ramp(T, _DT{''.join(f', {arg(i)}' for i in range(len(args)))})"
        if f in _RANDOM:
            method, low, high = _RANDOM[f]
            need(low, high)
            self.timed = True
            return f"_R.{method}({', '.join(arg(i) for i in range(len(args)))})"
        if f == "random_normal":  # Vensim: RANDOM NORMAL(min, max, mean, sd, seed)
            need(5)
            self.timed = True
            return f"_R.normal({arg(2)}, {arg(3)}, {arg(4)}, {arg(0)}, {arg(1)})"
        if f in _ARRAY_FUNCTIONS:
            return self._array_call(node, ctx)
        if f == "mean" or f == "sum":
            return self._array_call(node, ctx)
        if f in _STATEFUL:
            return self._stateful(node, ctx)
        if f == "active_initial":
            raise SimulationError(
                "uses Vensim's ACTIVE INITIAL, which has no XMILE meaning "
                "(give the variable its initial value as an <init_eqn>)",
                variable=who,
            )
        if f in VECTOR_FUNCTIONS:
            return emit_vector_call(self, node, ctx)
        if f == "lookup":
            need(2)
            return f"{self._table_of(args[0], ctx)}({arg(1)})"
        if f in self.macros:
            return macros.expand(self, node, ctx, lambda frame: _Context(ctx.cell, {}, frame))
        var = self.flat.resolve(f, ctx.cell.var.scope)
        if var is not None and var.tables:
            need(1)
            elements = self._elements_for(var, ctx.binding, who) if var.dims else ()
            table = var.table(elements)
            return f"{self._table(table)}({arg(0)})"
        from sysmap.model.builtins import KNOWN_FUNCTIONS

        if f in KNOWN_FUNCTIONS:
            raise SimulationError(f"calls {f.upper()}, which the simulator does not support", variable=who)
        raise SimulationError(
            f"calls {f.upper()}, which is neither a builtin, nor a lookup table, "
            "nor a macro defined in the file",
            variable=who,
        )

    def _reduce(self, func: str, items: list[str]) -> str:
        if len(items) == 1:
            return items[0]
        if len(items) > 2:  # numpy's minimum and maximum take two arguments
            func = {"_min": "_vmin", "_max": "_vmax"}.get(func, func)
        return f"{func}({', '.join(items)})"

    def _array_call(self, node: Call, ctx: _Context) -> str:
        f = node.func
        who = ctx.cell.name
        if not node.args:
            raise SimulationError(f"{f.upper()} needs an array argument", variable=who)
        if f == "rank":
            items = self.array(node.args[0], ctx)
            if len(node.args) < 2:
                raise SimulationError("RANK takes an array and a position", variable=who)
            pos = node.args[1]
            if not isinstance(pos, Num) or not 1 <= pos.value <= len(items):
                raise SimulationError("RANK's position must be a number within the array", variable=who)
            descending = len(node.args) > 2 and isinstance(node.args[2], Num) and node.args[2].value < 0
            return f"_rank(({', '.join(items)},), {int(pos.value) - 1}, {descending})"
        items = []
        for a in node.args:
            items.extend(self.array(a, ctx))
        n = len(items)
        if f == "size":
            return self.num(float(n))
        if f == "sum":
            return _sum(items)
        if f == "mean":
            return self._div(_sum(items), self.num(float(n)))
        if f == "prod":
            return " * ".join(_wrap(i) for i in items) if n < 50 else f"_prod(({', '.join(items)},))"
        if f == "stddev":
            return f"_stddev({', '.join(items)})"
        return self._reduce("_vmin" if f == "vmin" else "_vmax", items)

    # -- tables -----------------------------------------------------------------------------------------

    def _table(self, graph) -> str:
        j = self.table_ids.get(id(graph))
        if j is None:
            j = len(self.program.tables)
            xs = graph.xs()
            ys = graph.y_points[: len(xs)]
            xs = xs[: len(ys)]
            self.program.tables.append(functions.Table(xs, ys, graph.kind))
            self.table_ids[id(graph)] = j
        return f"_t{j}"

    def _table_of(self, node: Node, ctx: _Context) -> str:
        who = ctx.cell.name
        target = node.target if isinstance(node, Subscript) else node
        if not isinstance(target, Name):
            raise SimulationError("LOOKUP's first argument must name a graphical function", variable=who)
        var = self.flat.resolve(target.name, ctx.cell.var.scope)
        if var is None or not var.tables:
            raise SimulationError(
                f'LOOKUP of "{target.text}", which is not a graphical function', variable=who
            )
        if isinstance(node, Subscript):
            elements = tuple(
                self._index_element(i, d, p, ctx, node) or ""
                for p, (i, d) in enumerate(zip(node.indices, var.dims, strict=False))
            )
        else:
            elements = self._elements_for(var, ctx.binding, who) if var.dims else ()
        return self._table(var.table(elements))

    # -- stateful builtins ------------------------------------------------------------------------------

    def _sub(self, node: Node, ctx: _Context) -> tuple[str, set]:
        """``node``'s code and references, kept out of the current expression's references."""
        saved = self.refs
        self.refs = set()
        try:
            text = self.expr(node, ctx)[0]
            return text, self.refs
        finally:
            self.refs = saved

    def sub(self, node: Node, ctx: _Context) -> tuple[str, set]:
        return self._sub(node, ctx)

    def new_hidden_stock(self) -> tuple[str, int]:
        """A hidden stock to be filled in by :meth:`set_hidden_stock`: its symbol and slot."""
        p = self.program
        k = len(p.stock_of) + len(p.hidden)
        p.hidden.append(HiddenStock("0.0", set(), "0.0"))
        return f"s{k}", k

    def set_hidden_stock(self, slot: int, init: str, init_refs: set, rate: str) -> None:
        hidden = self.program.hidden[slot - len(self.program.stock_of)]
        hidden.init, hidden.init_refs, hidden.rate = init, init_refs, rate

    def _stock(self, init: str, init_refs: set, rate_of) -> str:
        p = self.program
        k = len(p.stock_of) + len(p.hidden)
        p.hidden.append(HiddenStock(init, init_refs, rate_of(f"s{k}")))
        self.refs.add(("s", k))
        return f"s{k}"

    def _memory(self, init: str, init_refs: set, update: str | None = None) -> str:
        p = self.program
        j = len(p.memories)
        p.memories.append(Memory(init, init_refs, update))
        self.refs.add(("m", j))
        return f"m{j}"

    def _order(self, node: Node, ctx: _Context, f: str) -> int:
        value = _constant(node, self.flat, ctx.cell.var.scope)
        if value is None or value != int(value) or not 1 <= value <= 1000:
            raise SimulationError(
                f"{f.upper()}'s order must be a whole number from 1 to 1000", variable=ctx.cell.name
            )
        return int(value)

    def _stateful(self, node: Call, ctx: _Context) -> str:
        f = node.func
        args = node.args
        who = ctx.cell.name
        if f in ("delay", "delay_fixed"):  # reads its pipe; the others refer to their own state
            self.timed = True

        def need(low: int, high: int) -> None:
            if not low <= len(args) <= high:
                count = str(low) if low == high else f"{low} to {high}"
                raise SimulationError(f"{f.upper()} takes {count} arguments, not {len(args)}", variable=who)

        if f == "init":
            need(1, 1)
            text, refs = self._sub(args[0], ctx)
            return self._memory(text, refs)
        if f == "previous":
            need(1, 2)
            value, _ = self._sub(args[0], ctx)
            init, refs = self._sub(args[1], ctx) if len(args) > 1 else ("0.0", set())
            return self._memory(init, refs, update=value)
        if f in ("delay", "delay_fixed"):
            need(2, 3)
            value, value_refs = self._sub(args[0], ctx)
            delay = self.expr(args[1], ctx)[0]
            init, refs = self._sub(args[2], ctx) if len(args) > 2 else (value, value_refs)
            memory = self._memory(init, refs)
            q = len(self.program.pipes)
            self.program.pipes.append(PipeSlot(value))
            return f"_p{q}(T - {_wrap(delay)}, {memory})"
        # smoothing and material delays: (input, time[, n][, initial])
        order = {"smth1": 1, "smooth": 1, "smoothi": 1, "delay1": 1, "smth3": 3, "smooth3": 3, "smooth3i": 3}
        order.update(delay3=3, trend=1, forcst=1)
        if f in ("smthn", "delayn"):
            need(3, 4)
            n = self._order(args[2], ctx, f)
            init_node = args[3] if len(args) > 3 else None
        elif f in ("trend",):
            need(2, 3)
            n = 1
            init_node = args[2] if len(args) > 2 else None
        elif f == "forcst":
            need(3, 4)
            n = 1
            init_node = args[3] if len(args) > 3 else None
        else:
            need(3 if f in ("smoothi", "smooth3i") else 2, 3)
            n = order[f]
            init_node = args[2] if len(args) > 2 else None
        value, value_refs = self._sub(args[0], ctx)
        time = self.expr(args[1], ctx)[0]
        if init_node is not None:
            init, init_refs = self._sub(init_node, ctx)
        else:
            init, init_refs = value, value_refs
        if f in ("trend", "forcst"):
            init_trend = init if init_node is not None else "0.0"
            t_refs = self._sub(args[1], ctx)[1]
            avg_init = self._div(value, f"(1.0 + {_wrap(init_trend)} * {_wrap(time)})")
            avg = self._stock(
                avg_init, value_refs | init_refs | t_refs, lambda s: self._div(f"({value} - {s})", time)
            )
            trend = self._div(f"({value} - {avg})", f"({avg} * {_wrap(time)})")
            self.refs |= value_refs
            if f == "trend":
                return trend
            horizon = self.expr(args[2], ctx)[0]
            return f"{_wrap(value)} * (1.0 + {_wrap(trend)} * {_wrap(horizon)})"
        stage_time = time if n == 1 else self._div(_wrap(time), self.num(float(n)))
        t_refs = self._sub(args[1], ctx)[1]
        if f.startswith(("smth", "smooth")):
            out = value
            for _ in range(n):
                upstream = out
                out = self._stock(
                    init, init_refs, lambda s, u=upstream: self._div(f"({u} - {s})", stage_time)
                )
            return out
        # material delays: each stage holds (initial outflow) * (stage time)
        stage_init = f"{_wrap(init)} * {_wrap(stage_time)}"
        inflow = value
        out = ""
        for _ in range(n):
            upstream = inflow
            symbol = f"s{len(self.program.stock_of) + len(self.program.hidden)}"
            outflow = self._div(symbol, stage_time)
            self._stock(stage_init, init_refs | t_refs, lambda s, u=upstream, o=outflow: f"{_wrap(u)} - {o}")
            inflow = outflow
            out = outflow
        return out


def _is_subscript_target(root: Node, name: Name) -> bool:
    return any(isinstance(n, Subscript) and n.target is name for n in walk(root))


def _sum(items: list[str]) -> str:
    if len(items) > 50:
        return f"_sum({', '.join(items)})"
    return "(" + " + ".join(items) + ")" if len(items) > 1 else items[0]


def _wrap(text: str) -> str:
    return text if _is_atom(text) else f"({text})"


def _is_atom(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|[0-9.e+-]+(?<![+-])|\(.*\)", text)) and _balanced(text)


def _balanced(text: str) -> bool:
    if not text.startswith("("):
        return True
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _paren(text: str, prec: int, needed: int) -> str:
    return text if prec >= needed else f"({text})"


def _constant(node: Node, flat: FlatModel, scope: str, depth: int = 0) -> float | None:
    """The value of an expression of numbers and constant variables, or ``None``."""
    if depth > 50:
        return None
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Unary) and node.op in "+-":
        v = _constant(node.operand, flat, scope, depth + 1)
        return None if v is None else (-v if node.op == "-" else v)
    if isinstance(node, Binary) and node.op in ("+", "-", "*", "/"):
        a = _constant(node.left, flat, scope, depth + 1)
        b = _constant(node.right, flat, scope, depth + 1)
        if a is None or b is None or (node.op == "/" and b == 0):
            return None
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0}[node.op]
    if isinstance(node, Name):
        var = flat.resolve(node.name, scope)
        if var is None or var.dims or () not in var.cells:
            return None
        try:
            tree = parse(flat.cells[var.cells[()]].text)
        except EquationSyntaxError:
            return None
        return _constant(tree, flat, var.scope, depth + 1)
    return None


def emit_program(
    flat: FlatModel, semantics: Semantics, vector: bool, fixed: frozenset = frozenset()
) -> Program:
    """Every cell of ``flat`` as a Python expression for scalar or ``vector`` (numpy) code.

    ``fixed`` cells take their value from the overrides ``O`` instead of their equation.
    """
    return _Emitter(flat, semantics, vector, fixed).run()
