"""Link polarity derived from equations, and where it disagrees with the polarity drawn.

Where a variable has an equation, the polarity of the link from a cause to it is the sign of
the partial derivative of its equation with respect to the cause (Richardson's definition):
``+`` when the derivative is never negative, ``-`` when never positive, ``0`` when the cause
does not appear (or cancels out), and otherwise ``?`` -- *conditional* when the sign turns on
one condition (``+ while Population < Carrying capacity/2, − above``), or with the reason it
is undetermined. The sign calculus is in :mod:`sysmap.analysis.signs`; equations are parsed by
:mod:`sysmap.sim.parser` and converted to sympy by :mod:`sysmap.analysis.symbolic` (never
evaluated). sympy is imported only when a polarity is derived.

A stock's equation is its initial value: a flow into a stock is ``+`` and out of it ``-``; a
link into a stock from anything else is judged on the initial value (role ``initial``).

**Assumptions.** The sign of a derivative depends on the signs of the quantities in it. Each
variable gets an assumption and an interval, worked out in dependency order:

- stocks are non-negative (real when marked ``non_negative`` false), flows marked non-negative
  are non-negative, variables without an equation are non-negative;
- a constant (an equation that is a number) is known by its value, a lookup table by the range
  of its points;
- any other variable is non-negative when its equation cannot go negative, given its inputs
  (sympy's assumptions, then interval arithmetic: ``1 - loss`` with ``loss = 0.1`` cannot;
  each branch of an ``IF`` is judged under its own condition), negative when it cannot go
  positive, and real when it evidently can take either sign (``a - b`` of two stocks, ``LN(x)``).

A non-negative quantity is treated as positive, so that derivatives are judged where they exist
(a divisor is not zero). The intervals settle signs sympy leaves open. The ``assumptions``
mapping overrides any variable, by id or name: ``"positive"``, ``"nonnegative"``, ``"real"``,
``"negative"``, or a ``(low, high)`` range; ranges declared in the file (XMILE ``<range min=
max=>``) count as such an override. Because constants count by their value, a derived polarity
holds for the model's present parameters; assume a constant ``real`` to see the structural sign.

The result is :class:`LinkPolarity` (named so as not to clash with
:class:`sysmap.model.Polarity`, the mark drawn on a link). Results are cached per equation text,
cause and the assumptions that equation sees.

>>> from sysmap.model import SystemMap, Kind
>>> doc = SystemMap()
>>> pop = doc.add_variable("Population", kind=Kind.STOCK, equation="10")
>>> cap = doc.add_variable("Carrying capacity", kind=Kind.AUX, equation="100")
>>> equation = "0.1 * population * (1 - population / carrying_capacity)"
>>> growth = doc.add_variable("Growth", kind=Kind.FLOW, equation=equation)
>>> doc.attach_flow(growth.id, source=None, sink=pop.id)
>>> p = derive_polarity(doc, pop.id, growth.id)
>>> p.sign, p.condition, p.words
('?', 'Population < Carrying_capacity/2', '+ while Population < Carrying capacity/2, − above')
>>> derive_polarity(doc, growth.id, pop.id).sign, derive_polarity(doc, cap.id, growth.id).sign
('+', '+')
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sysmap.errors import ModelError, SysmapError
from sysmap.model import Kind, SystemMap, derived_dependencies, equation_form

#: The assumptions a variable can be given (``nonnegative`` is treated as ``positive``).
ASSUMPTION_KINDS = ("positive", "nonnegative", "real", "negative")

#: The longest derivative shown in messages, in characters.
MAX_SHOWN = 120

_SIGN_WORDS = {"+": "+", "-": "−", "0": "0", "?": "?"}


@dataclass(frozen=True)
class LinkPolarity:
    """The polarity of a link derived from the effect's equation.

    ``sign``: ``+``, ``-``, ``0`` (the cause does not appear) or ``?``. ``condition`` (for a
    conditional link, else ``None``): where the link is ``+``, in equation notation with the
    variables' names (``Population < Carrying_capacity/2``); ``pieces`` every
    ``(sign, condition)``. ``words``: the whole in words (``+ while Population < Carrying
    capacity/2, − above``). ``reason``: why a ``?`` that is not conditional is unknown.
    ``derivative``: the derivative as text (cut at :data:`MAX_SHOWN` characters). ``delay``:
    the cause acts through a delay or smooth. ``role``: ``equation``, ``initial``, ``inflow``,
    ``outflow``, or ``none`` when the effect has no equation to judge by.
    """

    sign: str
    condition: str | None = None
    words: str = ""
    reason: str | None = None
    derivative: str | None = None
    delay: bool = False
    pieces: tuple[tuple[str, str], ...] = ()
    role: str = "equation"

    @property
    def conditional(self) -> bool:
        return self.condition is not None


@dataclass(frozen=True)
class Disagreement:
    """A drawn link whose polarity the equations contradict (``error``), or qualify (a
    conditional polarity: information, not an error). ``drawn`` is the mark on the link."""

    link: str
    source: str
    target: str
    drawn: str
    derived: LinkPolarity
    error: bool
    message: str


# --- assumptions --------------------------------------------------------------------------------


def parse_assumption(text: str) -> tuple[str, str | tuple[float, float]]:
    """``NAME=KIND`` or ``NAME=LOW..HIGH`` (from the command line) as a pair for ``assumptions``.

    >>> parse_assumption("Net flow=real"), parse_assumption("share=0..1")
    (('Net flow', 'real'), ('share', (0.0, 1.0)))
    """
    name, sep, value = text.rpartition("=")
    if not sep or not name.strip():
        raise SysmapError(f"an assumption must read NAME=KIND, not {text!r}")
    return name.strip(), _assumption_value(name.strip(), value.strip())


def _assumption_value(name: str, value) -> str | tuple[float, float]:
    if isinstance(value, str) and ".." in value:
        low, _, high = value.partition("..")
        try:
            value = (float(low), float(high))
        except ValueError:
            value = None
    if isinstance(value, tuple) and len(value) == 2:
        low, high = (float(v) for v in value)
        if math.isnan(low) or math.isnan(high) or low > high:
            raise SysmapError(f"the range assumed for {name!r} must have its low end first")
        return low, high
    if isinstance(value, str) and value.lower() in ASSUMPTION_KINDS:
        return value.lower()
    kinds = ", ".join(ASSUMPTION_KINDS)
    raise SysmapError(
        f"the assumption for {name!r} must be one of {kinds} or a range LOW..HIGH, not {value!r}"
    )


def _resolve(doc: SystemMap, assumptions) -> dict[str, str | tuple[float, float]]:
    resolved = {}
    items = assumptions.items() if isinstance(assumptions, Mapping) else (assumptions or ())
    for key, value in items:
        var = doc.variables.get(key) or doc.variable_named(key)
        if var is None:
            raise ModelError(f"there is no variable named {key!r} to make an assumption about")
        resolved[var.id] = _assumption_value(var.label, value)
    return resolved


_RANGE = re.compile(r"^<(?:[\w.-]+:)?range\b([^>]*)>")
_ATTRIBUTE = re.compile(r'\b(min|max)\s*=\s*"([^"]*)"')


def declared_range(var) -> tuple[float, float] | None:
    """The ``<range min= max=>`` a file declared for ``var`` (kept among its extras), if any."""
    for child in var.extra.children:
        match = _RANGE.match(child)
        if match:
            found = dict(_ATTRIBUTE.findall(match.group(1)))
            try:
                low, high = float(found.get("min", "-inf")), float(found.get("max", "inf"))
            except ValueError:
                return None
            return (low, high) if low <= high else None
    return None


def _kind_of_range(low: float, high: float) -> str:
    if low >= 0:
        return "nonnegative"
    if high < 0:
        return "negative"
    return "real"


_INF = math.inf
#: The interval each assumption allows.
_KIND_BOUNDS = {
    "positive": (0.0, _INF),
    "nonnegative": (0.0, _INF),
    "negative": (-_INF, 0.0),
    "real": (-_INF, _INF),
}
_NONNEGATIVE = ("nonnegative", (0.0, _INF))


def _number(tree) -> float | None:
    """The value of an equation that is a plain number (``5``, ``-0.2``), else ``None``."""
    from sysmap.sim.ast import Num, Unary

    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Unary) and tree.op in "+-" and isinstance(tree.operand, Num):
        return tree.operand.value if tree.op == "+" else -tree.operand.value
    return None


# --- the analysis of one document ----------------------------------------------------------------


class _Analysis:
    """What deriving polarities in one document needs: parsed equations, each variable's
    assumption and range (worked out in dependency order), table profiles, names for printing."""

    def __init__(self, doc: SystemMap, assumptions):
        self.doc = doc
        self.overrides = _resolve(doc, assumptions)
        self.infos: dict[str, tuple[str, tuple[float, float]]] = {}
        self.visiting: set[str] = set()
        self.profiles: dict[str, object] = {}

    # equations
    def equations(self, var, *, initial: bool = False) -> list[tuple[str, object]]:
        """(text, own lookup table) of each equation defining ``var`` (its elements' when arrayed)."""
        if var.kind == Kind.STOCK and not initial:
            return []
        if var.equation.strip():
            return [(var.equation, var.graph)]
        return [(e.equation, e.graph or var.graph) for e in var.elements if e.equation.strip()]

    def tree(self, text: str):
        from sysmap.sim.parser import parse

        return parse(text)

    def tree_or_none(self, text: str):
        from sysmap.sim.parser import EquationSyntaxError

        try:
            return self.tree(text)
        except EquationSyntaxError:
            return None

    def profile(self, var):
        """The :class:`~sysmap.analysis.symbolic.TableProfile` of a variable that is a lookup table."""
        if var.id not in self.profiles:
            from sysmap.analysis.symbolic import table_profile

            graphs = [var.graph] if var.graph is not None else []
            graphs += [e.graph for e in var.elements if e.graph is not None]
            self.profiles[var.id] = table_profile(graphs) if graphs else None
        return self.profiles[var.id]

    # assumptions
    def info(self, vid: str) -> tuple[str, tuple[float, float]]:
        """The assumption for variable ``vid`` and the interval its value lies in: overridden,
        fixed by its kind, or worked out from its equation once its inputs' are known (without
        recursion: models are deep)."""
        if vid in self.infos:
            return self.infos[vid]
        if vid in self.visiting:  # a loop of auxiliaries: assume the default
            return _NONNEGATIVE
        stack = [vid]
        while stack:
            current = stack[-1]
            if current in self.infos:
                stack.pop()
                continue
            fixed = self.fixed_info(self.doc.variables[current])
            if fixed is not None:
                self.infos[current] = fixed
                stack.pop()
                continue
            self.visiting.add(current)
            pending = [u for u in self.inputs(current) if u not in self.infos and u not in self.visiting]
            if pending:
                stack.extend(pending)
                continue
            self.infos[current] = self.inferred_info(self.doc.variables[current])
            self.visiting.discard(current)
            stack.pop()
        return self.infos[vid]

    def kind(self, vid: str) -> str:
        return self.info(vid)[0]

    def fixed_info(self, var) -> tuple[str, tuple[float, float]] | None:
        override = self.overrides.get(var.id)
        if isinstance(override, str):
            return override, _KIND_BOUNDS[override]
        bounds = override if isinstance(override, tuple) else declared_range(var)
        if bounds is not None:
            return _kind_of_range(*bounds), bounds
        behavior = self.doc.behavior
        if var.kind == Kind.STOCK:
            flag = var.non_negative if var.non_negative is not None else behavior.non_negative_stocks
            return ("real", _KIND_BOUNDS["real"]) if flag is False else _NONNEGATIVE
        if var.kind == Kind.FLOW:
            flag = var.non_negative if var.non_negative is not None else behavior.non_negative_flows
            if flag:
                return _NONNEGATIVE
        equations = self.equations(var)
        profile = self.profile(var)
        if profile is not None and all(graph is not None for _, graph in equations):
            return _kind_of_range(profile.low, profile.high), (profile.low, profile.high)
        if not equations:
            return _NONNEGATIVE
        values = [_number(self.tree_or_none(text)) for text, _ in equations]
        if all(v is not None and math.isfinite(v) for v in values):
            low, high = min(values), max(values)
            return _kind_of_range(low, high), (low, high)
        return None

    def inputs(self, vid: str) -> list[str]:
        from sysmap.analysis.symbolic import free_names

        found = []
        for text, _ in self.equations(self.doc.variables[vid]):
            tree = self.tree_or_none(text)
            if tree is None:
                continue
            for name in sorted(free_names(tree)):
                other = self.doc.variable_named(name)
                if other is not None and other.id != vid:
                    found.append(other.id)
        return found

    def inferred_info(self, var) -> tuple[str, tuple[float, float]]:
        kinds, lows, highs = set(), [], []
        for text, graph in self.equations(var):
            tree = self.tree_or_none(text)
            if tree is None:
                kind, (low, high) = _NONNEGATIVE
            else:
                names, ranges = self.names(var, tree, graph)
                kind, low, high = _value_info(text, names, ranges, var.key if graph is not None else None)
            kinds.add(kind)
            lows.append(low)
            highs.append(high)
        kind = kinds.pop() if len(kinds) == 1 else "real"
        return kind, (min(lows), max(highs))

    def own_profile(self, graph):
        from sysmap.analysis.symbolic import table_profile

        return table_profile([graph])

    def names(self, effect, tree, own_graph=None):
        """The :class:`~sysmap.analysis.symbolic.Names` context of ``tree`` (an equation of
        ``effect``), and the ranges known of the names in it beyond their assumptions."""
        from sysmap.analysis.symbolic import Names, free_names

        kinds, tables, ranges = {}, {}, {}
        for name in free_names(tree):
            var = self.doc.variable_named(name)
            if var is None:
                continue
            kind, bounds = self.info(var.id)
            kinds[name] = kind
            profile = self.profile(var)
            if profile is not None:
                tables[name] = profile
            if bounds != _KIND_BOUNDS[kind]:
                ranges[name] = bounds
        if own_graph is not None:
            tables[effect.key] = self.own_profile(own_graph)
        return Names(kinds, tables), tuple(sorted(ranges.items()))

    # links
    def link(self, cause_id: str, effect_id: str) -> LinkPolarity:
        cause, effect = self.doc.variables[cause_id], self.doc.variables[effect_id]
        role = "equation"
        if effect.kind == Kind.STOCK:
            inflow, outflow = cause_id in effect.inflows, cause_id in effect.outflows
            if inflow and outflow:
                return LinkPolarity(
                    "?",
                    words="? (both an inflow and an outflow)",
                    reason="it is both an inflow and an outflow of the stock",
                    role="inflow",
                )
            if inflow:
                return LinkPolarity("+", words="+ (an inflow)", role="inflow")
            if outflow:
                return LinkPolarity("-", words="− (an outflow)", role="outflow")
            role = "initial"
        equations = self.equations(effect, initial=True)
        if not equations:
            why = f"{effect.label!r} has no equation"
            return LinkPolarity("?", words=f"? ({why})", reason=why, role="none")
        from sysmap.analysis.signs import Decision, combine
        from sysmap.sim.parser import EquationSyntaxError

        decisions = []
        forms: dict[str, str] = {}
        labels: dict[str, str] = {}
        for text, graph in equations:
            try:
                tree = self.tree(text)
            except EquationSyntaxError as exc:
                decisions.append(Decision("?", reason=f"its equation does not parse ({exc})"))
                continue
            graph = graph if role == "equation" else None
            names, ranges = self.names(effect, tree, graph)
            decisions.append(
                _decision(text, cause.key, names, ranges, effect.key if graph is not None else None)
            )
            self.name_forms(names, forms, labels)
        decision = combine(decisions, "its elements' equations give it different signs")
        return _polarity(decision, role, forms, labels)

    def name_forms(self, names, forms, labels) -> None:
        for key, _ in names.kinds:
            var = self.doc.variable_named(key)
            if var is not None:
                forms[key] = equation_form(var.name)
                labels[key] = var.label
        for key in ("time", "dt", "starttime", "stoptime", "self"):
            forms.setdefault(key, key.upper())
            labels.setdefault(key, key.upper())


@functools.lru_cache(maxsize=8192)
def _decision(text: str, cause: str, names, ranges: tuple, own: str | None):
    """The sign decision for ``cause`` in the equation ``text`` under ``names`` (cached)."""
    from sysmap.analysis.signs import Decision, link_sign
    from sysmap.sim.ast import Call
    from sysmap.sim.parser import parse

    tree = parse(text)
    if own is not None:  # the variable's own lookup table applied to its equation
        tree = Call(own, (tree,))
    try:
        return link_sign(tree, cause, names, dict(ranges))
    except RecursionError:
        return Decision("?", reason="its equation is too deeply nested to analyse")
    except Exception as exc:  # sympy raises many types on odd input; one link must not end a run
        return Decision("?", reason=f"sysmap could not analyse its equation ({type(exc).__name__})")


@functools.lru_cache(maxsize=4096)
def _value_info(text: str, names, ranges: tuple, own: str | None) -> tuple[str, float, float]:
    """The assumption the value of equation ``text`` earns (non-negative, negative, or real when
    it can evidently take either sign), with the interval it lies in."""
    from sysmap.analysis.signs import bounds
    from sysmap.analysis.symbolic import TooComplex, check_size, convert
    from sysmap.sim.ast import Call
    from sysmap.sim.parser import parse

    tree = parse(text)
    if own is not None:
        tree = Call(own, (tree,))
    try:
        check_size(tree)
        value = convert(tree, names)
        low, high = bounds(value, dict(ranges))
        if value.is_nonnegative or low >= 0 or _nonnegative_branches(value):
            return "nonnegative", max(low, 0.0), high
        if value.is_negative or high < 0:
            return "negative", low, min(high, 0.0)
        return "real", low, high
    except TooComplex:
        pass
    except Exception:  # as in _decision
        pass
    return "real", -_INF, _INF


def _nonnegative_branches(value) -> bool:
    """Whether ``value`` is an IF whose branches are each non-negative under their own conditions."""
    import sympy as sp

    from sysmap.analysis.signs import definite

    return isinstance(value, sp.Piecewise) and definite(value) in ("+", "0")


def _shown(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _polarity(decision, role: str, forms, labels) -> LinkPolarity:
    from sysmap.analysis.symbolic import to_text

    derivative = None if decision.derivative is None else _shown(to_text(decision.derivative, forms))
    delay = decision.delay
    after = " (delayed)" if delay else ""
    if decision.pieces:
        import sympy as sp

        pieces = tuple((s, to_text(c, forms)) for s, c in decision.pieces)
        condition = to_text(sp.Or(*(c for s, c in decision.pieces if s == "+")), forms)
        words = _words(decision.pieces, labels) + after
        return LinkPolarity("?", condition, words, None, derivative, delay, pieces, role)
    reason = decision.reason
    if reason is not None:
        reason = reason.replace("{derivative}", derivative or "")
    sign = decision.sign
    if sign == "?":
        words = f"? ({reason})" if reason else "?"
    elif sign == "0":
        if decision.derivative is not None:
            words = "0 (its derivative is zero)"
        elif role == "initial":
            words = "0 (neither a flow of the stock nor in its initial value)"
        else:
            words = "0 (it does not appear in the equation)"
    else:
        words = _SIGN_WORDS[sign] + (" (through the initial value)" if role == "initial" else "") + after
    return LinkPolarity(sign, None, words, reason if sign == "?" else None, derivative, delay, (), role)


def _words(pieces, labels) -> str:
    from sysmap.analysis.symbolic import to_text

    if len(pieces) == 2:
        (s1, c1), (s2, c2) = pieces
        side = _side(c1, c2)
        if side:
            return f"{_SIGN_WORDS[s1]} while {to_text(c1, labels)}, {_SIGN_WORDS[s2]} {side}"
        return f"{_SIGN_WORDS[s1]} while {to_text(c1, labels)}, {_SIGN_WORDS[s2]} otherwise"
    return ", ".join(f"{_SIGN_WORDS[s]} while {to_text(c, labels)}" for s, c in pieces)


def _side(first, second) -> str | None:
    """``above`` or ``below`` when ``second`` is the other side of ``first``'s threshold."""
    import sympy as sp

    rels = (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)
    if not (isinstance(first, rels) and isinstance(second, rels)):
        return None
    if (first.lhs, first.rhs) != (second.lhs, second.rhs):
        return None
    below = (sp.StrictLessThan, sp.LessThan)
    if isinstance(first, below) and not isinstance(second, below):
        return "above"
    if not isinstance(first, below) and isinstance(second, below):
        return "below"
    return None


# --- public functions -----------------------------------------------------------------------------


def derive_polarity(doc: SystemMap, cause_id: str, effect_id: str, *, assumptions=None) -> LinkPolarity:
    """The polarity of the link from variable ``cause_id`` to ``effect_id`` that the effect's
    equation implies (see the module docstring); ``assumptions`` overrides the default sign
    assumptions, ``{variable id or name: kind or (low, high)}``."""
    for vid in (cause_id, effect_id):
        if vid not in doc.variables:
            raise ModelError(f"there is no variable with id {vid!r}")
    return _Analysis(doc, assumptions).link(cause_id, effect_id)


def dependencies(doc: SystemMap) -> list[tuple[str, str]]:
    """Every (cause, effect) pair a polarity can be derived for: drawn links into variables with
    equations (or into stocks), and every dependency equations and flows imply; in document order."""
    pairs: dict[tuple[str, str], None] = {}
    for link in doc.links.values():
        target = doc.variables[link.target]
        if target.kind == Kind.STOCK or target.equation.strip() or target.elements:
            pairs[(link.source, link.target)] = None
    for dep in derived_dependencies(doc):
        pairs[(dep.source, dep.target)] = None
    return list(pairs)


def derive_polarities(
    doc: SystemMap, *, assumptions=None, pairs: Iterable[tuple[str, str]] | None = None
) -> dict[tuple[str, str], LinkPolarity]:
    """The derived polarity of every dependency (:func:`dependencies`), or of ``pairs``.

    >>> from sysmap.model import SystemMap, Kind
    >>> doc = SystemMap()
    >>> x, y = doc.add_variable("x", equation="2"), doc.add_variable("y", equation="2")
    >>> ratio = doc.add_variable("Ratio", kind=Kind.AUX, equation="x / y")
    >>> [p.sign for p in derive_polarities(doc).values()]
    ['+', '-']
    """
    analysis = _Analysis(doc, assumptions)
    return {pair: analysis.link(*pair) for pair in (dependencies(doc) if pairs is None else pairs)}


def polarity_disagreements(
    doc: SystemMap,
    *,
    assumptions=None,
    polarities: Mapping[tuple[str, str], LinkPolarity] | None = None,
    information: bool = True,
) -> list[Disagreement]:
    """Drawn links whose ``+``/``-`` the equations contradict (``error=True``), and -- unless
    ``information`` is false -- drawn links whose derived polarity is conditional
    (``error=False``); in link order. ``polarities`` reuses a :func:`derive_polarities` result.

    >>> from sysmap.model import SystemMap, Kind
    >>> doc = SystemMap()
    >>> k = doc.add_variable("k", equation="0.2")
    >>> loss = doc.add_variable("Loss", equation="-k")
    >>> _ = doc.add_link(k.id, loss.id, polarity="+")
    >>> [d.message for d in polarity_disagreements(doc)]
    ['link "k" → "Loss" is drawn + but its equation makes it − (d Loss/d k = -1)']
    """
    if polarities is None:
        marks = ("+", "-") if not information else ("+", "-", "?", "")
        pairs = [(link.source, link.target) for link in doc.links.values() if link.polarity.value in marks]
        polarities = derive_polarities(doc, assumptions=assumptions, pairs=dict.fromkeys(pairs))
    found = []
    for link in doc.links.values():
        derived = polarities.get((link.source, link.target))
        if derived is None or derived.role == "none":
            continue
        drawn = link.polarity.value
        source, target = doc.variables[link.source].label, doc.variables[link.target].label
        where = f'link "{source}" → "{target}"'
        if drawn in ("+", "-") and derived.sign in ("+", "-") and derived.sign != drawn:
            if derived.role in ("inflow", "outflow"):
                why = f'it is an {derived.role} of "{target}"'
            else:
                why = f"d {target}/d {source} = {derived.derivative}"
            message = (
                f"{where} is drawn {drawn} but its equation makes it {_SIGN_WORDS[derived.sign]} ({why})"
            )
            found.append(Disagreement(link.id, link.source, link.target, drawn, derived, True, message))
        elif derived.conditional and information:
            mark = f"is drawn {drawn}" if drawn else "is unmarked"
            message = f"{where} {mark}; its equation makes it {derived.words}"
            found.append(Disagreement(link.id, link.source, link.target, drawn, derived, False, message))
    return found
