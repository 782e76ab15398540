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


class _Element:
    """Shared behaviour: ``evolve`` returns a copy with some fields changed."""

    __slots__ = ()

    def evolve(self, **changes):
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Variable(_Element):
    """A variable: a concept on a causal loop diagram, or a stock, flow or auxiliary.

    A stock lists its ``inflows`` and ``outflows`` by flow id, in order (the order is the
    outflow priority of a non-negative stock); a flow's upstream and downstream ends are
    read from the stocks (:meth:`SystemMap.flow_ends`), so the two can never disagree.
    A stock's ``equation`` is its initial value. A flow's ``points`` are its pipe, from the
    upstream end to the downstream end (XMILE's ``<pts>``); empty means a straight pipe
    through the valve at ``position``.
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
    non_negative: bool = False
    points: tuple[Point, ...] = ()

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
    coordinates, y pointing down), 0 for a straight line.
    """

    id: str
    source: str
    target: str
    polarity: Polarity = Polarity.NONE
    delay: bool = False
    curvature: float = 0.0
    note: str = ""
    tags: tuple[str, ...] = ()


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


@dataclass(frozen=True, slots=True)
class Note(_Element):
    """Free text placed on the canvas."""

    id: str
    text: str
    position: Point = (0.0, 0.0)
    size: Point | None = None


@dataclass(frozen=True, slots=True)
class Group(_Element):
    """A named group or sector of elements, optionally drawn as a box."""

    id: str
    name: str
    members: tuple[str, ...] = ()
    position: Point | None = None
    size: Point | None = None
    documentation: str = ""


@dataclass(frozen=True, slots=True)
class SimSpecs(_Element):
    """How to simulate the model: time span, step, integration method and time units."""

    start: float = 0.0
    stop: float = 100.0
    dt: float = 1.0
    method: str = "euler"
    time_units: str = ""
    save_interval: float | None = None

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


Element = Variable | Link | LoopLabel | Note | Group
ELEMENT_TYPES: tuple[type, ...] = (Variable, Link, LoopLabel, Note, Group)
