"""The parsed form of an XMILE equation: small immutable nodes, built by :mod:`sysmap.sim.parser`.

Every consumer of equations -- symbolic polarity, unit checking, the simulator's compiler --
works on these nodes and never on the text, so equation text from a file is never evaluated.
Each node records ``pos``, the offset in the equation text where it starts (for messages that
point at a column); ``pos`` takes no part in comparing nodes.

Names are kept twice: ``text`` as written (quotes stripped) and ``name`` canonical
(:func:`sysmap.model.names.canonical_name`: case-folded, whitespace and underscores as one
``_``), which is how equations find variables. Function names are canonical too
(``"max"``, ``"if_then_else"``).

>>> Binary("+", Num(1.0), Name("x", "X")) == Binary("+", Num(1.0, pos=4), Name("x", "X", pos=9))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Binary operators, by the ``op`` they carry. Comparisons and logicals give 1 or 0.
ARITHMETIC = ("+", "-", "*", "/", "^", "mod")
COMPARISONS = ("=", "<>", "<", "<=", ">", ">=")
LOGICAL = ("and", "or")
BINARY_OPS = ARITHMETIC + COMPARISONS + LOGICAL
#: Unary operators.
UNARY_OPS = ("+", "-", "not")


@dataclass(frozen=True, slots=True)
class Node:
    """Base class of every node."""


@dataclass(frozen=True, slots=True)
class Num(Node):
    """A number literal (``3``, ``.5``, ``1e-3``)."""

    value: float
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A reference to a variable (or a dimension element, inside subscripts).

    ``name`` is canonical; a qualified name keeps its dots (``"module.var"``, ``".var"``).
    """

    name: str
    text: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``op operand`` with ``op`` one of :data:`UNARY_OPS`."""

    op: str
    operand: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """``left op right`` with ``op`` one of :data:`BINARY_OPS` (lower case: ``"mod"``, ``"and"``)."""

    op: str
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class If(Node):
    """``IF cond THEN then ELSE otherwise``."""

    cond: Node
    then: Node
    otherwise: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function call: ``func`` canonical (``"smth1"``), ``args`` in order (possibly none)."""

    func: str
    args: tuple[Node, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Star(Node):
    """``*`` (or ``*:Dim``) inside subscripts: every element of a dimension."""

    dimension: str | None = None
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Range(Node):
    """``low:high`` inside subscripts."""

    low: Node
    high: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Subscript(Node):
    """``target[i, j]``: ``indices`` are expressions, :class:`Star` or :class:`Range`."""

    target: Node
    indices: tuple[Node, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Transpose(Node):
    """``operand'``: an array transposed."""

    operand: Node
    pos: int = field(default=0, compare=False)


def walk(node: Node):
    """Every node of the tree under ``node`` (``node`` first, then depth first, left to right).

    >>> [type(n).__name__ for n in walk(Binary("*", Name("a", "a"), Num(2.0)))]
    ['Binary', 'Name', 'Num']
    """
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(reversed(children(current)))


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, in source order."""
    if isinstance(node, Unary | Transpose):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, If):
        return (node.cond, node.then, node.otherwise)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Range):
        return (node.low, node.high)
    if isinstance(node, Subscript):
        return (node.target, *node.indices)
    return ()
