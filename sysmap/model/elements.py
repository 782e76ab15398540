"""The elements of a map: immutable records that edits replace whole.

Every element has a stable ``id``, unique across the whole document. Positions are in
canvas units (XMILE's pixels) and name the centre of the element, as XMILE does.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import StrEnum

from sysmap.model.names import canonical_name, display_name

Point = tuple[float, float]


class Kind(StrEnum):
    """What a variable is: a CLD concept or one of the stock-and-flow kinds."""

    CONCEPT = "concept"
    STOCK = "stock"
    FLOW = "flow"
    AUX = "aux"
    MODULE = "module"


class Polarity(StrEnum):
    """The sign of a causal link: same direction, opposite direction, unknown, or unmarked."""

    POSITIVE = "+"
    NEGATIVE = "-"
    UNKNOWN = "?"
    NONE = ""


class Direction(StrEnum):
    """Which way a loop turns as drawn, for the circular arrow of its label."""

    CLOCKWISE = "clockwise"
    ANTICLOCKWISE = "anticlockwise"


class _Evolving:
    """Records that ``evolve`` into a copy with some fields changed."""

    __slots__ = ()

    def evolve(self, **changes):
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Extras:
    """Parts of a file that sysmap keeps without interpreting, to write them back unchanged.

    ``attributes`` are (name, value) pairs, names in Clark notation (``{namespace}local``)
    when namespaced; ``children`` are serialized XML elements, each declaring the
    namespaces it uses. Readers fill it, writers replay it; nothing else looks inside.
    """

    attributes: tuple[tuple[str, str], ...] = ()
    children: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.attributes or self.children)

    def attribute(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.attributes if k == name), default)


NO_EXTRAS = Extras()


@dataclass(frozen=True, slots=True)
class GraphicalFunction(_Evolving):
    """A lookup table (XMILE ``<gf>``): y as a function of x, by points.

    Either ``x_points`` lists the x values, or ``x_scale`` (min, max) spreads the
    ``y_points`` evenly over that range. ``kind`` is ``continuous``, ``extrapolate`` or
    ``discrete``.
    """

    y_points: tuple[float, ...]
    x_points: tuple[float, ...] | None = None
    x_scale: tuple[float, float] | None = None
    y_scale: tuple[float, float] | None = None
    kind: str = "continuous"
    extra: Extras = NO_EXTRAS

    def xs(self) -> tuple[float, ...]:
        """The x value of every point."""
        if self.x_points is not None:
            return self.x_points
        lo, hi = self.x_scale or (0.0, float(max(len(self.y_points) - 1, 1)))
        n = len(self.y_points)
        return tuple(lo + (hi - lo) * i / (n - 1) for i in range(n)) if n > 1 else (lo,)


@dataclass(frozen=True, slots=True)
class ArrayElement:
    """The equation of one element of an arrayed variable (XMILE ``<element subscript>``)."""

    subscript: str
    equation: str = ""
    graph: GraphicalFunction | None = None
    extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class Dimension:
    """An array dimension: named elements, or just a size (elements 1..size)."""

    name: str
    elements: tuple[str, ...] = ()
    size: int | None = None
    extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class UnitDefinition:
    """A unit of measure declared by the model (XMILE ``<model_units>``)."""

    name: str
    equation: str = ""
    aliases: tuple[str, ...] = ()
    extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class Behavior:
    """Model-wide defaults (XMILE ``<behavior>``): whether stocks and flows are non-negative.

    ``None`` means the model says nothing; a variable's own ``non_negative`` overrides.
    """

    non_negative_stocks: bool | None = None
    non_negative_flows: bool | None = None
    extra: Extras = NO_EXTRAS


class _Element(_Evolving):
    """Shared behaviour of the elements of a document."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Variable(_Element):
    """A variable: a concept on a causal loop diagram, or a stock, flow or auxiliary.

    A stock lists its ``inflows`` and ``outflows`` by flow id, in order (the order is the
    outflow priority of a non-negative stock); a flow's upstream and downstream ends are
    read from the stocks (:meth:`SystemMap.flow_ends`), so the two can never disagree.
    A stock's ``equation`` is its initial value. A flow's ``points`` are its pipe, from the
    upstream end to the downstream end (XMILE's ``<pts>``); empty means a straight pipe
    through the valve at ``position``.

    ``non_negative`` is ``None`` when the variable does not say (the model's
    :class:`Behavior` decides). An arrayed variable lists its ``dimensions`` and, when
    defined element by element, its ``elements``. ``graph`` is its lookup table. A module
    (kind ``module``) instantiates the submodel of the same name, with ``connections`` as
    (to, from) pairs of qualified names. ``extra`` and ``view_extra`` keep what a file said
    about the variable and its drawing that sysmap does not use.
    """

    id: str
    name: str
    kind: Kind = Kind.CONCEPT
    equation: str = ""
    units: str = ""
    documentation: str = ""
    position: Point = (0.0, 0.0)
    size: Point | None = None
    tags: tuple[str, ...] = ()
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    non_negative: bool | None = None
    points: tuple[Point, ...] = ()
    dimensions: tuple[str, ...] = ()
    elements: tuple[ArrayElement, ...] = ()
    graph: GraphicalFunction | None = None
    connections: tuple[tuple[str, str], ...] = ()
    extra: Extras = NO_EXTRAS
    view_extra: Extras = NO_EXTRAS

    @property
    def key(self) -> str:
        """The canonical name, under which two spellings of a name are equal."""
        return canonical_name(self.name)

    @property
    def label(self) -> str:
        """The name as shown on the canvas."""
        return display_name(self.name)


@dataclass(frozen=True, slots=True)
class Link(_Element):
    """A causal link (XMILE connector) from ``source`` to ``target`` variable ids.

    ``curvature`` bends the link into a circular arc: the sagitta divided by the chord,
    positive when the arc bulges to the left of the source-to-target direction (in canvas
    coordinates, y pointing down), 0 for a straight line. When ``alias`` names an
    :class:`Alias` of the source, the link is drawn from that alias. ``points`` are extra
    anchor points of a multi-point connector.
    """

    id: str
    source: str
    target: str
    polarity: Polarity = Polarity.NONE
    delay: bool = False
    curvature: float = 0.0
    note: str = ""
    tags: tuple[str, ...] = ()
    alias: str | None = None
    points: tuple[Point, ...] = ()
    view_extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class Alias(_Element):
    """A second drawing (ghost) of variable ``of`` elsewhere on the canvas; links may leave it."""

    id: str
    of: str
    position: Point = (0.0, 0.0)
    view_extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class LoopLabel(_Element):
    """A loop label such as R1 or B2, drawn with a circular arrow turning ``direction``.

    ``loop`` optionally lists the variable ids of the loop it describes, in loop order.
    """

    id: str
    text: str
    position: Point = (0.0, 0.0)
    direction: Direction = Direction.CLOCKWISE
    loop: tuple[str, ...] = ()
    documentation: str = ""
    view_extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class Note(_Element):
    """Free text placed on the canvas."""

    id: str
    text: str
    position: Point = (0.0, 0.0)
    size: Point | None = None
    view_extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class Group(_Element):
    """A named group or sector of elements, optionally drawn as a box."""

    id: str
    name: str
    members: tuple[str, ...] = ()
    position: Point | None = None
    size: Point | None = None
    documentation: str = ""
    extra: Extras = NO_EXTRAS
    view_extra: Extras = NO_EXTRAS


@dataclass(frozen=True, slots=True)
class SimSpecs(_Element):
    """How to simulate the model: time span, step, integration method and time units."""

    start: float = 0.0
    stop: float = 100.0
    dt: float = 1.0
    method: str = "euler"
    time_units: str = ""
    save_interval: float | None = None
    dt_reciprocal: bool = False
    extra: Extras = NO_EXTRAS

    def problem(self) -> str | None:
        """Why these specs cannot be simulated, or ``None`` when they can.

        >>> SimSpecs(dt=0).problem()
        'dt must be positive'
        """
        numbers = (self.start, self.stop, self.dt) + (
            () if self.save_interval is None else (self.save_interval,)
        )
        if not all(math.isfinite(x) for x in numbers):
            return "the simulation times must be finite numbers"
        if self.dt <= 0:
            return "dt must be positive"
        if self.save_interval is not None and self.save_interval <= 0:
            return "the save interval must be positive"
        if self.stop < self.start:
            return "the simulation must stop after it starts"
        return None


Element = Variable | Link | Alias | LoopLabel | Note | Group
ELEMENT_TYPES: tuple[type, ...] = (Variable, Link, Alias, LoopLabel, Note, Group)
