"""Macros defined in the file (XMILE 4.8): read from their ``<macro>`` elements, expanded at each call.

A call ``NAME(a, b)`` becomes the macro's ``<eqn>`` with its parameters standing for the code
of the arguments (computed in the caller's context). Variables inside the macro are local to
each call: its auxiliaries and flows become expressions, its stocks hidden stocks of their
own, so two calls keep two states (XMILE 4.8.2). Names in a macro mean only its parameters and
variables, TIME and the other time names.

Not supported, each refused with a message naming the macro: recursive macros, macros with
their own ``<sim_specs>`` (which run a whole simulation per call), arrays, modules and
graphical functions inside a macro.

XMILE reserves the names of built-in functions (3.2.2.5): a macro named like a builtin the
simulator knows (C-LEARN's ``INIT``) is not used; the builtin is.

>>> m = read_macros(['<macro name="double"><parm>x</parm><eqn>2 * x</eqn></macro>'])
>>> m["double"][0].params, m["double"][0].equation
(('x',), '2 * x')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sysmap.model.names import canonical_name, display_name
from sysmap.sim.ast import Call, Node
from sysmap.sim.errors import SimulationError
from sysmap.sim.parser import EquationSyntaxError, parse


@dataclass(frozen=True)
class MacroVariable:
    """A stock, flow or auxiliary inside a macro."""

    key: str
    kind: str
    equation: str
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    non_negative: bool = False


@dataclass(frozen=True)
class Macro:
    """One ``<macro>`` definition: parameters (canonical, in calling order), their default
    equations (``None`` for a required one), the equation of its value and its variables."""

    name: str
    display: str
    params: tuple[str, ...]
    defaults: tuple[str | None, ...]
    equation: str
    variables: dict[str, MacroVariable] = field(default_factory=dict)
    #: why the simulator cannot expand it, or ""
    problem: str = ""

    @property
    def required(self) -> int:
        """How many arguments a call must give."""
        return sum(1 for d in self.defaults if d is None)


def read_macros(fragments) -> dict[str, list[Macro]]:
    """The macros among ``fragments`` (XML text kept by the reader), by canonical name."""
    from lxml import etree

    from sysmap.io.xmile.keep import parse_fragment

    macros: dict[str, list[Macro]] = {}
    for text in fragments:
        if not text.startswith("<macro"):
            continue
        try:
            element = parse_fragment(text)
        except etree.XMLSyntaxError:
            continue
        macro = _read(element, etree)
        if macro is not None:
            macros.setdefault(macro.name, []).append(macro)
    return macros


def _local(element) -> str:
    from lxml import etree

    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _read(element, etree) -> Macro | None:
    raw = element.get("name", "").strip()
    if not raw:
        return None
    params, defaults, equation, problem = [], [], "", ""
    variables: dict[str, MacroVariable] = {}
    for child in element:
        tag = _local(child)
        if tag == "parm":
            params.append(canonical_name((child.text or "").strip()))
            defaults.append(child.get("default"))
        elif tag == "eqn":
            equation = (child.text or "").strip()
        elif tag == "sim_specs":
            problem = "runs a simulation of its own (<sim_specs>), which the simulator does not support"
        elif tag == "variables":
            for var in child:
                kind = _local(var)
                if kind not in ("stock", "flow", "aux"):
                    if kind:
                        problem = problem or f"holds a {kind}, which macros here cannot hold"
                    continue
                variable, why = _variable(var, kind)
                problem = problem or why
                if variable is not None:
                    variables[variable.key] = variable
    if any(d is not None for d in defaults):
        first = next(i for i, d in enumerate(defaults) if d is not None)
        if any(d is None for d in defaults[first:]):
            problem = problem or "gives a default to a parameter but not to every one after it"
    return Macro(
        canonical_name(raw), display_name(raw), tuple(params), tuple(defaults), equation, variables, problem
    )


def _variable(var, kind: str) -> tuple[MacroVariable | None, str]:
    name = var.get("name", "").strip()
    if not name:
        return None, ""
    equation, inflows, outflows, non_negative, problem = "", [], [], False, ""
    for child in var:
        tag = _local(child)
        if tag == "eqn":
            equation = (child.text or "").strip()
        elif tag == "inflow":
            inflows.append(canonical_name((child.text or "").strip()))
        elif tag == "outflow":
            outflows.append(canonical_name((child.text or "").strip()))
        elif tag == "non_negative":
            non_negative = True
        elif tag in ("gf", "dimensions", "element"):
            problem = (
                f"has {'a graphical function' if tag == 'gf' else 'arrays'} inside ({name}), not supported"
            )
    return MacroVariable(
        canonical_name(name), kind, equation, tuple(inflows), tuple(outflows), non_negative
    ), problem


def choose(macros: dict[str, list[Macro]], node: Call, who: str) -> Macro:
    """The definition of ``node.func`` that takes as many arguments as the call gives."""
    for macro in macros[node.func]:
        if macro.required <= len(node.args) <= len(macro.params):
            return macro
    counts = " or ".join(
        str(m.required) if m.required == len(m.params) else f"{m.required} to {len(m.params)}"
        for m in macros[node.func]
    )
    display = macros[node.func][0].display
    raise SimulationError(
        f"calls the macro {display} with {len(node.args)} arguments; it takes {counts}", variable=who
    )


class Frame:
    """One call of a macro while its code is emitted: what its parameters and variables stand for."""

    def __init__(self, em, macro: Macro, stack: tuple[str, ...], who: str):
        self.em = em
        self.macro = macro
        self.stack = stack
        self.who = who
        #: canonical name -> (code, references)
        self.values: dict[str, tuple[str, set]] = {}
        self._pending: set[str] = set()
        self.trees: dict[str, Node] = {}

    def fail(self, message: str) -> SimulationError:
        return SimulationError(f"macro {self.macro.display}: {message}", variable=self.who)

    def tree(self, key: str, text: str) -> Node:
        if key not in self.trees:
            if not text.strip():
                raise self.fail(f"{key} has no equation")
            try:
                self.trees[key] = parse(text)
            except EquationSyntaxError as exc:
                raise self.fail(f"{key}: {exc}") from None
        return self.trees[key]

    def lookup(self, key: str, ctx) -> str | None:
        """The code of a parameter or variable of the macro (its references noted), or ``None``."""
        found = self.values.get(key)
        if found is None:
            var = self.macro.variables.get(key)
            if var is None:
                return None
            if key in self._pending:
                raise self.fail(f"its variables depend on each other in a loop ({key})")
            self._pending.add(key)
            code, refs = self.em.sub(self.tree(key, var.equation), ctx)
            self._pending.discard(key)
            if var.kind == "flow" and var.non_negative:
                code = f"_max({code}, 0.0)"
            found = self.values[key] = (code, refs)
        self.em.refs |= found[1]
        return found[0]


def expand(em, node: Call, ctx, make_context) -> str:
    """The code of a call of a macro defined in the file; ``make_context(frame)`` gives the
    context its equations are emitted in."""
    who = ctx.cell.name
    macro = choose(em.macros, node, who)
    stack = ctx.frame.stack if ctx.frame is not None else ()
    if macro.name in stack:
        raise SimulationError(
            f"calls the macro {macro.display} recursively, which is not supported", variable=who
        )
    if macro.problem:
        raise SimulationError(f"macro {macro.display} {macro.problem}", variable=who)
    frame = Frame(em, macro, (*stack, macro.name), who)
    inner = make_context(frame)
    for param, argument in zip(macro.params, node.args, strict=False):
        frame.values[param] = em.sub(argument, ctx)
    for param, default in zip(macro.params[len(node.args) :], macro.defaults[len(node.args) :], strict=True):
        frame.values[param] = em.sub(frame.tree(param, default), inner)
    stocks = [v for v in macro.variables.values() if v.kind == "stock"]
    if stocks:
        em.timed = True
    slots = {}
    for var in stocks:
        symbol, slot = em.new_hidden_stock()
        frame.values[var.key] = (symbol, {("s", slot)})
        slots[var.key] = slot
    for var in stocks:
        init, init_refs = em.sub(frame.tree(var.key, var.equation), inner)
        terms = []
        for keys, sign in ((var.inflows, "+"), (var.outflows, "-")):
            for key in keys:
                if key not in macro.variables:
                    raise frame.fail(f"stock {var.key} has a flow {key} that the macro does not define")
                saved = em.refs
                em.refs = set()
                code = frame.lookup(key, inner)
                em.refs = saved
                terms.append(f"{sign} ({code})")
        rate = " ".join(terms).lstrip("+ ") if terms else "0.0"
        em.set_hidden_stock(slots[var.key], init, init_refs, rate)
    body = frame.tree("", macro.equation) if macro.equation else None
    if body is None:
        raise frame.fail("has no equation")
    return f"({em.expr(body, inner)[0]})"
