"""Units of measure: parse unit expressions, infer the units of every equation, report mismatches.

Unit expressions (XMILE 1.0 section 3.3.6, with Stella's and Vensim's habits)::

    units    := product
    product  := power (("*" | "-" | "/" | "per") power)*       "-" multiplies, as in Stella
    power    := factor ("^" exponent)?                         m/s^2 is m/(s^2)
    exponent := [+-] integer | "(" [+-] integer ")"
    factor   := "1" | name | "(" product ")"

A name is one or more words (letters, digits, ``_ $ % '``; not starting with a digit) or a
quoted name; spaces and underscores are the same and case does not matter, as in variable
names. A phrase with the word ``per`` in it means a quotient (``Months per Year``) unless the
whole phrase is a declared unit. ``1``, ``dmnl``, ``dimensionless``, ``unitless``, ``fraction`` (as
in Vensim) and the empty text are dimensionless. A trailing Vensim range (``Dmnl [0,1]``) is ignored.

Names resolve through the model's ``<model_units>`` (aliases; equations, so that
``sq_miles`` = ``miles^2``; ``disabled`` definitions drop out) merged with the built-in units
the spec recommends (seconds, minutes, hours, days, weeks, months, quarters, years with their
aliases such as ``yr``, ``year``, ``mo``; ``per_year`` = ``1/years``). Any other name is a
primary unit of its own: ``person`` and ``people`` differ unless the model makes them aliases,
as in Vensim. A unit is held canonically as a mapping from primary unit to exponent
(:class:`Unit`) and printed readably (``dollars/(month*widget)``).

Inference (:func:`check_units`), one equation at a time:

- A variable's units are the ones it declares; a variable that declares none takes the units its
  equation gives, unless that is only numbers (``contact rate = 0.3``: unknown, so equations
  using it are not checked); a stock that declares none is not checked.
- A number is a wildcard: in ``+ -``, comparisons, ``MIN``/``MAX`` and ``IF`` branches it takes
  the units of the other side, and a whole equation that is a number fits any declared units.
  As a factor (``0.03 * Population``) it is a pure, dimensionless scale: so that equation is in
  Population's units, and a flow declared ``people/year`` reports it -- the constant's units are
  missing. Comparisons and logical operators give a dimensionless 1 or 0 (a wildcard too).
- ``+ -``, comparisons, ``MOD``, ``MIN``/``MAX``, ``IF`` branches: the operands must match.
  ``* /`` combine; ``^`` needs a dimensionless exponent and, unless the base is
  dimensionless, a constant one (``x^2``, ``x^0.5``).
- ``TIME``, ``DT``, ``STARTTIME``, ``STOPTIME``: the model's time unit (sim_specs
  ``time_units``; when the specs name none, the time unit most flows imply). Stella's default
  ``Time``, when the model defines no such unit and its variables use exactly one built-in
  time unit (say ``minutes``), is that unit.
- Functions: ``ABS INT ROUND INTEGER FLOOR CEILING TRUNCATE QUANTUM SUM MEAN STDDEV VMIN VMAX
  INIT`` keep their argument's units (``MODULO``, ``PREVIOUS`` and the random
  ``RANDOM NORMAL LOGNORMAL RANDOM_UNIFORM`` also need their value arguments to match);
  ``EXP LN LOG LOG10 SIN COS TAN ARCSIN ARCCOS ARCTAN`` and the hyperbolic ones need a
  dimensionless argument and give a dimensionless result; ``SQRT`` halves the exponents;
  ``SMTH1 SMTH3 SMTHN DELAY DELAY1 DELAY3 DELAYN`` (and Vensim's ``SMOOTH``, ``DELAY FIXED``...)
  keep their input's units, need the averaging or delay time in time units and the initial value
  in the input's units (an order ``n`` is dimensionless); ``TREND`` gives input per time unit;
  ``FORCST`` keeps its input's units; ``STEP`` keeps the height's, ``RAMP`` gives slope times
  time, ``PULSE`` gives magnitude per time unit (the magnitude is spread over DT), and their
  times must be in time units; ``SAFEDIV``/``XIDZ``/``ZIDZ`` divide; ``IF_THEN_ELSE`` is
  ``IF``; ``SIGN RANK SIZE PI INF`` are dimensionless numbers; ``SELF`` is in the variable's
  own units; Vensim's ``VECTOR SELECT`` in the units of the values it selects from. A graphical
  function gives its own declared units, whatever its input is in (XMILE records no units for
  the x axis), when evaluated by ``LOOKUP(table, x)``, called as ``table(x)`` or through its
  own equation. Other functions (macros, vendor functions not listed) give unknown units and
  are not checked.
- A stock's initial value must be in the stock's units, and each inflow and outflow in the
  stock's units per time unit.

Once a part of an equation is in error its units are unknown, so one mistake is reported once;
the same mistake in several elements of an array is reported once, with a count.
Checking never stops a model from simulating.

>>> str(parse_units("dollars/(widget*month)")), str(parse_units("m/s^2") * parse_units("s"))
('dollars/(month*widget)', 'm/s')
>>> parse_units("Dmnl") == parse_units("1") == DIMENSIONLESS
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from sysmap.errors import SysmapError
from sysmap.model.elements import Kind, UnitDefinition, Variable
from sysmap.model.names import canonical_name, display_name, unquote
from sysmap.sim import ast
from sysmap.sim.parser import EquationSyntaxError, is_blank, parse, unparse

# ---------------------------------------------------------------------------------------------
# Units


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit as a product of primary units raised to (usually integer) powers.

    ``powers`` maps each primary unit's key (its canonical name) to its exponent, sorted and
    without zeros, so equal units compare equal; ``names`` says how each key is printed.

    >>> people, year = Unit.base("people"), Unit.base("year")
    >>> str(people / year), str(year ** -1), str((people / year) * year)
    ('people/year', '1/year', 'people')
    >>> Unit.base("Widgets") == Unit.base("widgets")
    True
    """

    powers: tuple[tuple[str, Fraction], ...] = ()
    names: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, powers: Mapping[str, Fraction | int], names: Mapping[str, str] | None = None) -> Unit:
        """The unit with these exponents (zeros dropped), keys printed as ``names`` say."""
        kept = sorted((key, Fraction(exp)) for key, exp in powers.items() if exp)
        names = names or {}
        return cls(tuple(kept), tuple(names.get(key, key) for key, _ in kept))

    @classmethod
    def base(cls, name: str, key: str | None = None) -> Unit:
        """The primary unit ``name`` (compared by ``key``, by default its canonical name)."""
        return cls(((key or canonical_name(name), Fraction(1)),), (name,))

    @property
    def dimensionless(self) -> bool:
        return not self.powers

    def _names(self) -> dict[str, str]:
        keys = [key for key, _ in self.powers]
        return dict(zip(keys, self.names or keys, strict=True))

    def __mul__(self, other: Unit) -> Unit:
        powers = dict(self.powers)
        for key, exp in other.powers:
            powers[key] = powers.get(key, 0) + exp
        return Unit.of(powers, {**other._names(), **self._names()})

    def __truediv__(self, other: Unit) -> Unit:
        return self * other**-1

    def __pow__(self, exponent: Fraction | int) -> Unit:
        return Unit.of({key: exp * exponent for key, exp in self.powers}, self._names())

    def __str__(self) -> str:
        shown = sorted(
            zip(self._names().values(), (exp for _, exp in self.powers), strict=True),
            key=lambda item: (item[0].casefold(), item[0]),
        )
        above = [_power(name, exp) for name, exp in shown if exp > 0]
        below = [_power(name, -exp) for name, exp in shown if exp < 0]
        top = "*".join(above) or "1"
        if not below:
            return top
        if len(above) > 1:
            top = f"({top})"
        return f"{top}/{below[0]}" if len(below) == 1 else f"{top}/({'*'.join(below)})"


#: The identity unit.
DIMENSIONLESS = Unit()


def _power(name: str, exp: Fraction) -> str:
    if not _BARE_UNIT.fullmatch(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if exp == 1:
        return name
    return f"{name}^{exp}" if exp.denominator == 1 else f"{name}^({exp})"


def _show(unit: Unit) -> str:
    return "dimensionless" if unit.dimensionless else str(unit)


# ---------------------------------------------------------------------------------------------
# Unit expressions


class UnitSyntaxError(SysmapError):
    """Unit text that does not parse; ``column`` (1-based) says where.

    >>> parse_units("people//year")
    Traceback (most recent call last):
      ...
    sysmap.sim.units.UnitSyntaxError: column 8: expected a unit after "/"
    """

    def __init__(self, message: str, column: int = 1):
        self.message = message
        self.column = column
        super().__init__(f"column {column}: {message}")


_WORD = r"[A-Za-z_$%\u0080-\U0010ffff][A-Za-z0-9_$%'\u0080-\U0010ffff]*"
_BARE_UNIT = re.compile(rf"{_WORD}(?: {_WORD})*")
_TOKEN = re.compile(
    rf'(?P<space>\s+)|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<word>{_WORD})'
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<op>[-*/^()+])"
)
_RANGE = re.compile(r"\s*\[[^\]]*\]\s*$")


def _tokens(text: str, known) -> list[tuple[str, str, int]]:
    """(kind, value, column) tokens; runs of words join into names, split at ``per``."""
    tokens: list[tuple[str, str, int]] = []
    phrase: list[tuple[str, int]] = []

    def flush():
        if not phrase:
            return
        whole = " ".join(w for w, _ in phrase)
        words = [w.casefold() for w, _ in phrase]
        if "per" in words and not known(whole):
            part: list[tuple[str, int]] = []
            for word, col in [*phrase, ("per", -1)]:
                if word.casefold() != "per":
                    part.append((word, col))
                    continue
                if part:
                    tokens.append(("name", " ".join(w for w, _ in part), part[0][1]))
                if col >= 0:
                    tokens.append(("op", "/", col))
                part = []
        else:
            tokens.append(("name", whole, phrase[0][1]))
        phrase.clear()

    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise UnitSyntaxError(f'unexpected character "{text[pos]}"', pos + 1)
        kind, value = m.lastgroup, m.group()
        if kind == "word":
            phrase.append((value, pos + 1))
        elif kind != "space":
            flush()
            tokens.append(("name" if kind == "quoted" else kind, value, pos + 1))
        pos = m.end()
    flush()
    return tokens


class _UnitParser:
    """Recursive descent over the tokens of one unit expression."""

    def __init__(self, text: str, system: UnitSystem):
        self.text = text
        self.system = system
        self.tokens = _tokens(text, system.knows)
        self.at = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def end_column(self) -> int:
        return len(self.text.rstrip()) + 1

    def parse(self) -> Unit:
        unit = self.product()
        token = self.peek()
        if token is not None:
            raise UnitSyntaxError(f'unexpected "{token[1]}"', token[2])
        return unit

    def product(self) -> Unit:
        unit = self.power()
        while (token := self.peek()) is not None and token[1] in ("*", "-", "/"):
            self.at += 1
            right = self.power(after=token)
            unit = unit / right if token[1] == "/" else unit * right
        return unit

    def power(self, after=None) -> Unit:
        unit = self.factor(after)
        token = self.peek()
        if token is not None and token[1] == "^":
            self.at += 1
            unit = unit ** self.exponent(token)
        return unit

    def exponent(self, caret) -> int:
        bracketed = (token := self.peek()) is not None and token[1] == "("
        if bracketed:
            self.at += 1
        sign = 1
        token = self.peek()
        if token is not None and token[1] in "+-":
            sign = -1 if token[1] == "-" else 1
            self.at += 1
            token = self.peek()
        if token is None or token[0] != "number":
            column = token[2] if token else self.end_column()
            raise UnitSyntaxError('expected a whole number after "^"', column)
        try:
            value = int(token[1])
        except ValueError:
            raise UnitSyntaxError(f"exponents must be whole numbers, not {token[1]}", token[2]) from None
        self.at += 1
        if bracketed:
            self.close(caret)
        return sign * value

    def close(self, opener) -> None:
        token = self.peek()
        if token is None or token[1] != ")":
            column = token[2] if token else self.end_column()
            raise UnitSyntaxError(f'"(" at column {opener[2]} is not closed', column)
        self.at += 1

    def factor(self, after) -> Unit:
        token = self.peek()
        if token is None:
            if after is None:
                raise UnitSyntaxError("expected a unit", self.end_column())
            raise UnitSyntaxError(f'expected a unit after "{after[1]}"', self.end_column())
        kind, value, column = token
        self.at += 1
        if kind == "name":
            return self.system.resolve(unquote(value))
        if kind == "number":
            if float(value) != 1:
                raise UnitSyntaxError(f"a number in units can only be 1, not {value}", column)
            return DIMENSIONLESS
        if value == "(":
            unit = self.product()
            self.close(token)
            return unit
        if after is not None:
            raise UnitSyntaxError(f'expected a unit after "{after[1]}"', column)
        raise UnitSyntaxError(f'expected a unit before "{value}"', column)


#: Built-in units (XMILE 1.0 section 3.3.6): name, equation, aliases.
BUILTIN_UNITS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("1", "", ("dimensionless", "unitless", "dmnl", "fraction")),  # fraction: as Vensim, which C-LEARN needs
    ("nanoseconds", "", ("ns", "nanosecond")),
    ("microseconds", "", ("us", "microsecond")),
    ("milliseconds", "", ("ms", "millisecond")),
    ("seconds", "", ("s", "second", "sec", "secs")),
    ("per_second", "1/seconds", ()),
    ("minutes", "", ("min", "minute", "mins")),
    ("per_minute", "1/minutes", ()),
    ("hours", "", ("hr", "hour", "hrs")),
    ("per_hour", "1/hours", ()),
    ("days", "", ("day",)),
    ("per_day", "1/days", ()),
    ("weeks", "", ("wk", "week")),
    ("per_week", "1/weeks", ()),
    ("months", "", ("mo", "month")),
    ("per_month", "1/months", ()),
    ("quarters", "", ("qtr", "quarter")),
    ("per_quarter", "1/quarters", ()),
    ("years", "", ("yr", "year", "yrs")),
    ("per_year", "1/years", ()),
)
_ONE = canonical_name("1")
#: Deepest nesting followed: of brackets in units, of unit definitions, of undeclared variables.
MAX_DEPTH = 100
_TIME_UNITS = tuple(name for name, equation, _ in BUILTIN_UNITS if name != "1" and not equation)


class UnitSystem:
    """The unit namespace of a model: built-in units merged with its ``<model_units>``.

    Names and aliases of one unit are merged (union-find); a unit with an equation stands for
    that equation. Where a model definition and a built-in one meet, the model's equation wins.
    ``problems`` lists definitions that could not be used (circular or unparsable equations).

    >>> system = UnitSystem([UnitDefinition("Person", aliases=("people",)),
    ...                      UnitDefinition("sq_mile", "mile^2")])
    >>> system.parse("people/year") == system.parse("Person per Yr")
    True
    >>> str(system.parse("sq mile/people"))
    'mile^2/Person'
    """

    def __init__(self, definitions: Iterable[UnitDefinition] = ()):
        self._parent: dict[str, str] = {}
        self._display: dict[str, str] = {}  # root -> printed name
        self._equation: dict[str, str] = {}  # root -> defining equation
        self._from_model: set[str] = set()  # roots of groups the model declares
        self._cache: dict[str, Unit] = {}
        self._resolving: set[str] = set()
        self.problems: list[str] = []
        definitions = list(definitions)
        disabled = set()
        for unit in definitions:
            if (unit.extra.attribute("disabled") or "").strip().lower() == "true":
                disabled.update(canonical_name(n) for n in (unit.name, *unit.aliases))
        for name, equation, aliases in BUILTIN_UNITS:
            keys = [canonical_name(n) for n in (name, *aliases)]
            kept = [n for n, k in zip((name, *aliases), keys, strict=True) if k not in disabled]
            if kept:
                self._define(kept[0], equation if kept[0] == name else "", tuple(kept[1:]), model=False)
        for root in self._parent:
            if root not in self._from_model:
                self._display[root] = ""  # a built-in unit prints as the model first spells it
        for unit in definitions:
            if canonical_name(unit.name) not in disabled:
                self._define(unit.name, unit.equation, unit.aliases, model=True)

    @classmethod
    def of(cls, doc) -> UnitSystem:
        """The unit system of the map ``doc``."""
        return cls(doc.units)

    def _find(self, key: str) -> str:
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def _add(self, key: str, spelling: str) -> str:
        if key not in self._parent:
            self._parent[key] = key
            self._display[key] = display_name(spelling)
        return self._find(key)

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if rb == _ONE or (rb in self._from_model and ra not in self._from_model):
            ra, rb = rb, ra  # keep "1" as the root of dimensionless, a model's name over a built-in one
        self._parent[rb] = ra
        if ra not in self._equation and rb in self._equation:
            self._equation[ra] = self._equation[rb]
        self._equation.pop(rb, None)

    def _define(self, name: str, equation: str, aliases: tuple[str, ...], *, model: bool) -> None:
        key = canonical_name(name)
        if not key:
            return
        root = self._add(key, name)
        if model and root not in self._from_model:
            self._from_model.add(root)
            self._display[root] = display_name(name)
            self._equation.pop(root, None)  # the model's definition replaces a built-in one
        for alias in aliases:
            if canonical_name(alias):
                self._add(canonical_name(alias), alias)
                self._union(key, canonical_name(alias))
        equation = equation.strip()
        if not equation:
            return
        if _BARE_UNIT.fullmatch(equation) and "per" not in equation.casefold().split():
            self._add(canonical_name(equation), equation)
            self._union(key, canonical_name(equation))  # an alias chained through the equation
        else:
            self._equation.setdefault(self._find(key), equation)

    def alias(self, name: str, of: str) -> None:
        """Make ``name`` one more name of the unit ``of`` (before either is used)."""
        self._add(canonical_name(of), of)
        self._add(canonical_name(name), name)
        self._union(canonical_name(of), canonical_name(name))
        self._cache.pop(canonical_name(name), None)

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a built-in or declared unit (or one already used)."""
        return canonical_name(name) in self._parent

    def resolve(self, name: str) -> Unit:
        """The unit a single name stands for (a new primary unit when nobody defined it)."""
        key = canonical_name(name)
        if key in self._cache:
            return self._cache[key]
        root = self._add(key, name)
        if not self._display[root]:
            self._display[root] = display_name(name)
        if root == _ONE:
            unit = DIMENSIONLESS
        elif root in self._equation and root not in self._resolving and len(self._resolving) < MAX_DEPTH:
            self._resolving.add(root)
            try:
                unit = self.parse(self._equation[root])
            except UnitSyntaxError as exc:
                self.problems.append(f'unit "{self._display[root]}": its equation does not parse: {exc}')
                unit = Unit.base(self._display[root], root)
            finally:
                self._resolving.discard(root)
        else:
            if root in self._resolving:
                self.problems.append(f'unit "{self._display[root]}" is defined in terms of itself')
                self._equation.pop(root, None)
            elif root in self._equation:
                self.problems.append(f"unit definitions nest too deeply (more than {MAX_DEPTH} levels)")
            unit = Unit.base(self._display[root], root)
        self._cache[key] = unit
        return unit

    def parse(self, text: str) -> Unit:
        """The unit the expression ``text`` stands for; raises :class:`UnitSyntaxError`.

        >>> str(UnitSystem().parse("Meters/(Second-Second)")), str(UnitSystem().parse("1/yr"))
        ('Meters/Second^2', '1/yr')
        """
        text = _RANGE.sub("", text)
        if not text.strip():
            return DIMENSIONLESS
        depth = 0
        for column, char in enumerate(text, 1):
            depth += (char == "(") - (char == ")")
            if depth > MAX_DEPTH:
                raise UnitSyntaxError(f"the units nest too deeply (more than {MAX_DEPTH} levels)", column)
        return _UnitParser(text, self).parse()


def parse_units(text: str, system: UnitSystem | None = None) -> Unit:
    """The unit the expression ``text`` stands for, under ``system`` (built-in units only if none).

    >>> str(parse_units("$/(Person*year)")), str(parse_units("people/year^-1"))
    ('$/(Person*year)', 'people*year')
    """
    return (system or UnitSystem()).parse(text)


# ---------------------------------------------------------------------------------------------
# Checking a model


@dataclass(frozen=True, slots=True)
class UnitProblem:
    """A units mismatch: the variable (``variable`` its id, ``name`` as shown) and what is wrong.

    ``variable`` and ``name`` are empty for problems of the model's unit definitions.

    >>> str(UnitProblem("f1", "births", 'flow "births" is in people, but stock "P" needs people/year'))
    'variable "births": units: flow "births" is in people, but stock "P" needs people/year'
    """

    variable: str
    name: str
    message: str

    def __str__(self) -> str:
        return f'variable "{self.name}": units: {self.message}' if self.name else f"units: {self.message}"


class _Any:
    """The units of a number: whatever its context needs."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()
_TIME_NAMES = ("time", "dt", "starttime", "stoptime")
_SAME = {
    "abs", "int", "round", "integer", "floor", "ceiling", "truncate", "quantum", "sum", "mean",
    "stddev", "vmin", "vmax", "min", "max", "modulo", "init", "previous", "random", "normal",
    "lognormal", "random_uniform", "exprnd", "poisson",
}  # fmt: skip
_FIRST_ONLY = {"round": 1, "quantum": 1, "random": 2, "random_uniform": 2, "normal": 2, "lognormal": 2}
_DIMENSIONLESS_FUNCTIONS = {
    "exp", "ln", "log", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
}  # fmt: skip
_NUMBERS = {"sign", "rank", "size", "pi", "inf", "random_0_1"}
# Where the time, the order and the initial value stand among the arguments (the input is first).
_SMOOTHS = {
    "smth1": (1, None, 2), "smth3": (1, None, 2), "smthn": (1, 2, 3),
    "delay": (1, None, 2), "delay1": (1, None, 2), "delay3": (1, None, 2), "delayn": (1, 2, 3),
    "smooth": (1, None, None), "smooth3": (1, None, None), "smoothi": (1, None, 2),
    "smooth3i": (1, None, 2), "smooth_n": (1, 3, 2), "delay_n": (1, 3, 2), "delay_fixed": (1, None, 2),
    "delay_information": (1, None, 2), "delay_material": (1, None, 2), "forcst": (1, None, 3),
}  # fmt: skip


class _Checker:
    """Infers the units of the equations of one model and collects what does not match."""

    def __init__(self, doc, system: UnitSystem, time_unit: Unit | None, prefix: str = ""):
        self.doc = doc
        self.system = system
        self.time = time_unit
        self.prefix = prefix
        self.by_key = {var.key: var for var in doc.variables.values()}
        self.declared: dict[str, Unit | None] = {}
        self.inferred: dict[str, Unit | _Any | None] = {}
        self.parts: dict[str, list[tuple[str, Unit | _Any | None]]] = {}  # per element equation
        self.busy: set[str] = set()
        self.found: dict[tuple[str, str], list] = {}  # (variable id, message) -> [name, times]
        self.current: tuple[Variable, str] | None = None
        self.flows_reported: set[tuple[str, Unit]] = set()

    # -- reporting --------------------------------------------------------------------------

    def report(self, var: Variable, where: str, message: str) -> None:
        """Note a problem; the same one in several elements of an array is noted once, counted."""
        seen = self.found.setdefault((var.id, message), [f"{self.prefix}{var.label}{where}", 0])
        seen[1] += 1

    def problems(self) -> list[UnitProblem]:
        found = []
        for (vid, message), (name, times) in self.found.items():
            more = f" (and in {times - 1} more elements)" if times > 1 else ""
            found.append(UnitProblem(vid, name, message + more))
        return found

    def complain(self, message: str) -> None:
        if self.current is not None:
            self.report(*self.current, message)

    # -- units of variables -----------------------------------------------------------------

    def declared_units(self, var: Variable) -> Unit | None:
        if var.id not in self.declared:
            unit = None
            if var.units.strip():
                try:
                    unit = self.system.parse(var.units)
                except UnitSyntaxError as exc:
                    shown = " ".join(var.units.split())
                    shown = shown if len(shown) <= 60 else shown[:57] + "..."
                    self.report(var, "", f'"{shown}" does not parse: {exc}')
            self.declared[var.id] = unit
        return self.declared[var.id]

    def units_of(self, var: Variable) -> Unit | _Any | None:
        declared = self.declared_units(var)
        if declared is not None or var.kind in (Kind.STOCK, Kind.MODULE, Kind.CONCEPT) or var.graph:
            return declared
        inferred = self.equation_units(var)
        return inferred if isinstance(inferred, Unit) else None  # "contact rate = 0.3": unknown, not any

    def equation_units(self, var: Variable) -> Unit | _Any | None:
        """The units ``var``'s equation gives (for a graphical function: its input's), once."""
        if var.id in self.inferred:
            return self.inferred[var.id]
        if var.id in self.busy or len(self.busy) > MAX_DEPTH:
            return None  # a cycle, or a chain of undeclared variables too long to follow: unknown
        self.busy.add(var.id)
        outer, found = self.current, []
        for where, text in [("", var.equation), *((f"[{e.subscript}]", e.equation) for e in var.elements)]:
            if is_blank(text) or text.strip() == "???":
                continue
            try:
                tree = parse(text)
            except EquationSyntaxError:
                continue  # sysmap check reports it
            self.current = (var, where)
            found.append(self.expr(tree))
            self.parts.setdefault(var.id, []).append((where, found[-1]))
        self.current = outer
        self.busy.discard(var.id)
        known = [u for u in found if isinstance(u, Unit)]
        result = known[0] if known else (ANY if found and all(u is ANY for u in found) else None)
        self.inferred[var.id] = result
        return result

    # -- expressions ------------------------------------------------------------------------

    def same(self, node: ast.Node, units: list) -> Unit | _Any | None:
        """The common units of operands that must match (``+``, ``MAX``, IF branches...)."""
        if any(u is None for u in units):
            return None
        known = [u for u in units if u is not ANY]
        if not known:
            return ANY
        if any(u != known[0] for u in known[1:]):
            shown = " and ".join(dict.fromkeys(_show(u) for u in known))
            self.complain(f"{_snippet(node)}: {shown} do not match")
            return None
        return known[0]

    def need(self, call: ast.Call, at: int, units: list, wanted: Unit | None, what: str) -> None:
        """Complain when argument ``at`` of ``call`` is not in ``wanted`` units."""
        unit = units[at] if at < len(units) else None
        if isinstance(unit, Unit) and wanted is not None and unit != wanted:
            arg = _snippet(call.args[at], 30)
            self.complain(
                f"{_snippet(call)}: {what} {arg} is in {_show(unit)}, but must be in {_show(wanted)}"
            )

    def expr(self, node: ast.Node) -> Unit | _Any | None:
        if isinstance(node, ast.Num):
            return ANY
        if isinstance(node, ast.Name):
            return self.name(node.name)
        if isinstance(node, ast.Unary):
            unit = self.expr(node.operand)
            return ANY if node.op == "not" else unit
        if isinstance(node, ast.Binary):
            return self.binary(node)
        if isinstance(node, ast.If):
            self.expr(node.cond)
            return self.same(node, [self.expr(node.then), self.expr(node.otherwise)])
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            for index in node.indices:
                if not isinstance(index, ast.Star | ast.Range | ast.Name):
                    self.expr(index)
            return self.expr(node.target)
        if isinstance(node, ast.Transpose):
            return self.expr(node.operand)
        return None

    def name(self, key: str) -> Unit | _Any | None:
        var = self.by_key.get(key)
        if var is not None:
            return self.units_of(var)
        if key in _TIME_NAMES:
            return self.time
        if key in ("pi", "inf"):
            return ANY
        if key == "self":
            return self.own_units()
        return None

    def own_units(self) -> Unit | None:
        """The declared units of the variable whose equation is being read (``SELF``)."""
        return None if self.current is None else self.declared_units(self.current[0])

    def binary(self, node: ast.Binary) -> Unit | _Any | None:
        op = node.op
        if op == "^":
            return self.power(node)
        left, right = self.expr(node.left), self.expr(node.right)
        if op in ("and", "or"):
            return ANY
        if op in ("+", "-", "mod") or op in ast.COMPARISONS:
            unit = self.same(node, [left, right])
            return ANY if op in ast.COMPARISONS else unit
        if left is None or right is None:
            return None
        if op == "*":
            if left is ANY or right is ANY:
                return right if left is ANY else left
            return left * right
        if right is ANY:
            return left
        return right**-1 if left is ANY else left / right

    def power(self, node: ast.Binary) -> Unit | _Any | None:
        base, exponent = self.expr(node.left), self.expr(node.right)
        if isinstance(exponent, Unit) and not exponent.dimensionless:
            self.complain(
                f"{_snippet(node)}: the exponent is in {_show(exponent)}, but must be dimensionless"
            )
            return None
        if base is None or base is ANY or base.dimensionless:
            return base
        value = _constant(node.right)
        if value is None:
            self.complain(f"{_snippet(node)}: {_show(base)} raised to a power that is not a constant number")
            return None
        return base ** Fraction(value).limit_denominator(1000)

    def call(self, node: ast.Call) -> Unit | _Any | None:
        func, args = node.func, node.args
        var = self.by_key.get(func)
        if var is not None:  # a graphical function called by name
            for arg in args:
                self.expr(arg)
            return self.declared_units(var)
        if func == "lookup" and args:
            for arg in args[1:]:
                self.expr(arg)
            table = args[0]
            target = table.target if isinstance(table, ast.Subscript) else table
            if isinstance(target, ast.Name) and target.name in self.by_key:
                return self.declared_units(self.by_key[target.name])
            return None
        units = [self.expr(arg) for arg in args]
        if func in _TIME_NAMES and not args:
            return self.time
        if func == "self" and not args:
            return self.own_units()
        if func == "vector_select" and len(units) > 1:
            return units[1]
        if func in _NUMBERS:
            return ANY
        if func in _SAME and units:
            return self.same(node, units[: _FIRST_ONLY.get(func, len(units))])
        if func in _DIMENSIONLESS_FUNCTIONS:
            for arg, unit in zip(args, units, strict=True):
                if isinstance(unit, Unit) and not unit.dimensionless:
                    self.complain(
                        f"{_snippet(node)} needs a dimensionless argument, but {_snippet(arg)} "
                        f"is in {_show(unit)}"
                    )
                    return None
            return DIMENSIONLESS
        if func == "sqrt" and units:
            return units[0] ** Fraction(1, 2) if isinstance(units[0], Unit) else units[0]
        if func in ("if_then_else",) and len(units) == 3:
            return self.same(node, units[1:])
        if func in ("safediv", "xidz", "zidz") and len(units) >= 2:
            return self.divide(node, units)
        if func in _SMOOTHS and units:
            return self.smooth(node, units)
        if func == "trend" and len(units) >= 2:
            self.need(node, 1, units, self.time, "the averaging time")
            if units[0] is None or self.time is None:
                return None
            rate = ANY if units[0] is ANY else units[0] / self.time
            if len(units) > 2:
                self.need(node, 2, units, None if rate is ANY else rate, "the initial trend")
            return rate
        if func in ("step", "ramp", "pulse", "pulse_train") and units:
            return self.event(node, units)
        return None

    def divide(self, node: ast.Call, units: list) -> Unit | _Any | None:
        top, bottom = units[0], units[1]
        if top is None or bottom is None:
            quotient = None
        elif bottom is ANY:
            quotient = top
        else:
            quotient = bottom**-1 if top is ANY else top / bottom
        if len(units) > 2:
            return self.same(node, [quotient, units[2]])
        return quotient

    def smooth(self, node: ast.Call, units: list) -> Unit | _Any | None:
        time_at, order_at, initial_at = _SMOOTHS[node.func]
        self.need(node, time_at, units, self.time, "the time")
        if order_at is not None:
            self.need(node, order_at, units, DIMENSIONLESS, "the order")
        if node.func == "forcst":
            self.need(node, 2, units, self.time, "the horizon")
        if initial_at is not None and initial_at < len(units):
            return self.same(node, [units[0], units[initial_at]])
        return units[0]

    def event(self, node: ast.Call, units: list) -> Unit | _Any | None:
        func = node.func
        times = range(len(units)) if func == "pulse_train" else range(1, len(units))
        for i in times:
            self.need(node, i, units, self.time, "the time")
        if func == "pulse_train":
            return ANY
        amount = units[0]
        if func == "step" or amount is None or amount is ANY:
            return amount
        if self.time is None:
            return None
        return amount * self.time if func == "ramp" else amount / self.time

    # -- the model --------------------------------------------------------------------------

    def check(self) -> list[UnitProblem]:
        variables = list(self.doc.variables.values())
        for var in variables:
            if var.kind in (Kind.MODULE, Kind.CONCEPT):
                continue
            declared = self.declared_units(var)
            self.equation_units(var)
            if var.graph is not None or declared is None:
                continue
            what = "its initial value" if var.kind == Kind.STOCK else "the equation"
            for where, inferred in self.parts.get(var.id, ()):
                if isinstance(inferred, Unit) and inferred != declared:
                    self.report(var, where, f"declared {_show(declared)}, but {what} gives {_show(inferred)}")
        if self.time is not None:
            for stock in variables:
                if stock.kind == Kind.STOCK:
                    self.check_flows(stock)
        return self.problems()

    def check_flows(self, stock: Variable) -> None:
        level = self.declared_units(stock)
        if level is None:
            return
        needed = level / self.time
        for fid in (*stock.inflows, *stock.outflows):
            flow = self.doc.variables.get(fid)
            if flow is None:
                continue
            unit = self.units_of(flow)
            if isinstance(unit, Unit) and unit != needed and (flow.id, needed) not in self.flows_reported:
                self.flows_reported.add((flow.id, needed))  # once, not again for its other stock
                message = f'flow "{flow.label}" is in {_show(unit)}, but stock "{stock.label}" needs'
                self.report(flow, "", f"{message} {_show(needed)}")


def _snippet(node: ast.Node, limit: int = 60) -> str:
    try:
        text = unparse(node)
    except (TypeError, ValueError):
        return "the expression"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _constant(node: ast.Node) -> float | None:
    """The value of a tree made only of numbers and arithmetic, without evaluating any text."""
    if isinstance(node, ast.Num):
        return node.value
    if isinstance(node, ast.Unary) and node.op in "+-":
        value = _constant(node.operand)
        return None if value is None else (-value if node.op == "-" else value)
    if isinstance(node, ast.Binary) and node.op in ("+", "-", "*", "/"):
        left, right = _constant(node.left), _constant(node.right)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        return {"+": left + right, "-": left - right, "*": left * right}.get(node.op, left / right)
    return None


def model_time_unit(doc, system: UnitSystem) -> Unit | None:
    """The model's time unit: its sim_specs ``time_units``, else the one most flows imply.

    >>> from sysmap.model.document import SystemMap
    >>> doc = SystemMap()
    >>> stock = doc.add_variable("Water", Kind.STOCK, units="litres")
    >>> flow = doc.add_variable("inflow", Kind.FLOW, units="litres/minute")
    >>> doc.attach_flow(flow.id, source=None, sink=stock.id)
    >>> str(model_time_unit(doc, UnitSystem()))
    'minute'
    """
    text = doc.sim_specs.time_units
    if canonical_name(text) == "time" and not system.knows("time"):
        _generic_time(doc, system)
    if text.strip():
        try:
            return system.parse(text)
        except UnitSyntaxError:
            return None
    votes: Counter[Unit] = Counter()
    for stock in doc.variables.values():
        if stock.kind != Kind.STOCK or not stock.units.strip():
            continue
        for fid in (*stock.inflows, *stock.outflows):
            flow = doc.variables.get(fid)
            if flow is None or not flow.units.strip():
                continue
            try:
                ratio = system.parse(stock.units) / system.parse(flow.units)
            except UnitSyntaxError:
                continue
            if len(ratio.powers) == 1 and ratio.powers[0][1] == 1:
                votes[ratio] += 1
    return votes.most_common(1)[0][0] if votes else None


def _generic_time(doc, system: UnitSystem) -> None:
    """Let Stella's default time unit "Time" stand for the one built-in time unit the model uses.

    Stella writes ``time_units="Time"`` when the modeller never chose, and the variables then
    say "minutes" or "days"; with exactly one such unit in use, that is what Time means.
    """
    scratch = UnitSystem(doc.units)
    used: dict[str, str] = {}  # key -> name as the model spells it
    for var in _all_variables(doc):
        try:
            used.update(scratch.parse(var.units)._names())
        except UnitSyntaxError:
            continue
    found = {powers[0][0] for name in _TIME_UNITS if len(powers := scratch.resolve(name).powers) == 1}
    if len(found & used.keys()) == 1:
        (key,) = found & used.keys()
        system.resolve(used[key])  # so that it prints as the model spells it, not as "Time"
        system.alias("time", used[key])


def _all_variables(doc):
    models = [doc]
    while models:
        model = models.pop()
        models.extend(model.submodels)
        yield from model.variables.values()


def check_units(doc) -> list[UnitProblem]:
    """Every units mismatch in the map ``doc`` and its submodels, one problem each.

    A model (or submodel) that declares no units at all is not checked, so nothing is reported.

    >>> from sysmap.model import SystemMap, SimSpecs
    >>> doc = SystemMap(sim_specs=SimSpecs(time_units="years"))
    >>> pop = doc.add_variable("Population", Kind.STOCK, equation="100", units="people")
    >>> births = doc.add_variable("births", Kind.FLOW, equation="Population * 0.03", units="people")
    >>> doc.attach_flow(births.id, source=None, sink=pop.id)
    >>> [str(p) for p in check_units(doc)]
    ['variable "births": units: flow "births" is in people, but stock "Population" needs people/years']
    """
    system = UnitSystem.of(doc)
    time_unit = model_time_unit(doc, system)
    found: list[UnitProblem] = []
    models = [(doc, "")]
    while models:
        model, prefix = models.pop(0)
        models.extend((sub, f"{prefix}{sub.name}.") for sub in model.submodels)
        if any(var.units.strip() for var in model.variables.values()):
            found.extend(_Checker(model, system, time_unit, prefix).check())
    found.extend(UnitProblem("", "", message) for message in dict.fromkeys(system.problems))
    return found
