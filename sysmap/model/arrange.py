"""Align, distribute and snap elements to a grid: the Arrange menu, as edits.

Each function returns one edit (built with :func:`sysmap.model.operations.move`) for the
caller to apply or push on the undo stack, and refuses what makes no sense with
:class:`~sysmap.errors.ModelError`. Ids of elements without a position (links) are skipped,
so a whole selection can be passed. Elements already where they should be are left out of
the edit, which can therefore be empty (``not edit.edits``) when nothing would move.

Aligning edges needs sizes: :func:`element_size` gives the drawn size of an element from its
``size`` when it has one, else from the defaults below, which follow what the canvas draws.
The canvas knows the exact sizes (a concept's width depends on its font); it may pass them
as ``sizes``.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a = doc.add_variable("A", position=(0.0, 0.0))
>>> b = doc.add_variable("B", position=(40.0, 90.0))
>>> edit = align(doc, [a.id, b.id], "vcenter")
>>> edit.text
'Align 2 items to the middle'
>>> doc.apply(edit); doc.variables[b.id].position
(40.0, 45.0)
>>> snap_point((33.0, -12.0), 25)
(25.0, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from sysmap.errors import ModelError
from sysmap.model.document import SystemMap
from sysmap.model.edits import Compound, Edit
from sysmap.model.elements import Alias, Group, Kind, LoopLabel, Note, Point, Variable
from sysmap.model.geometry import STOCK_SIZE
from sysmap.model.names import display_name
from sysmap.model.operations import move

# -- sizes: the one place that says how big an element without a size is drawn -------------

#: An auxiliary's ring (radius 10); its name goes below it.
AUX_SIZE: Point = (20.0, 20.0)
#: A flow's valve (radius 9) on its pipe.
VALVE_SIZE: Point = (18.0, 18.0)
#: A module's box, drawn like a stock's.
MODULE_SIZE: Point = STOCK_SIZE
#: A loop label's circular arrow (radius 19).
LABEL_SIZE: Point = (38.0, 38.0)
#: The width a note wraps at when it has no size.
NOTE_WIDTH = 260.0
#: The width a concept's name wraps at when it has no size (the canvas's text width).
CONCEPT_WRAP = 112.0
#: The average advance of a character and the height of a line of the canvas font (13 px
#: DejaVu Sans), for estimating the size of text.
CHAR_WIDTH = 6.8
LINE_HEIGHT = 16.0
#: The padding round a concept's name plate.
CONCEPT_PAD: Point = (12.0, 6.0)


def text_size(text: str, wrap: float) -> Point:
    """An estimate of the size of ``text`` drawn in the canvas font, wrapped at ``wrap``.

    >>> text_size("Workload", 112.0)
    (54.4, 16.0)
    """
    width = 0.0
    rows = 0
    for line in text.split("\n"):
        w = len(line) * CHAR_WIDTH
        # word wrapping leaves ragged lines: count on 85% of the width being used
        rows += max(1, math.ceil(w / (0.85 * wrap)))
        width = max(width, min(w, wrap))
    return (round(width, 1), rows * LINE_HEIGHT)


def variable_size(var: Variable) -> Point:
    """The drawn body of a variable: its ``size`` if set (a stock's or module's box), else
    the kind's default; a concept's name plate is estimated from its name.

    >>> from sysmap.model import Kind, Variable
    >>> variable_size(Variable("s", "Tank", Kind.STOCK)), variable_size(Variable("a", "x", Kind.AUX))
    ((45.0, 35.0), (20.0, 20.0))
    """
    if var.kind == Kind.CONCEPT:
        wrap = var.size[0] if var.size else CONCEPT_WRAP
        w, h = text_size(display_name(var.name), wrap)
        return (w + CONCEPT_PAD[0], h + CONCEPT_PAD[1])
    if var.kind == Kind.STOCK:
        return var.size or STOCK_SIZE
    if var.kind == Kind.MODULE:
        return var.size or MODULE_SIZE
    return VALVE_SIZE if var.kind == Kind.FLOW else AUX_SIZE


def element_size(doc: SystemMap, element) -> Point:
    """The drawn size (width, height) of any element with a position; an alias is drawn like
    its variable, a note wraps at its width, a group without a size is a point."""
    if isinstance(element, Variable):
        return variable_size(element)
    if isinstance(element, Alias):
        return variable_size(doc.variables[element.of])
    if isinstance(element, LoopLabel):
        return LABEL_SIZE
    if isinstance(element, Note):
        if element.size:
            return element.size
        return (NOTE_WIDTH, text_size(element.text, NOTE_WIDTH)[1])
    if isinstance(element, Group):
        return element.size or (0.0, 0.0)
    raise ModelError(f"a {type(element).__name__.lower()} has no size")


# -- the edits -----------------------------------------------------------------------------------

_HOW = {
    "left": "left",
    "right": "right",
    "top": "to the top",
    "bottom": "to the bottom",
    "hcenter": "to the centre",
    "vcenter": "to the middle",
}


def _placed(doc: SystemMap, ids: Iterable[str]) -> list:
    """The elements of ``ids`` that have a position, in the order given, each once."""
    found = []
    for eid in dict.fromkeys(ids):
        element = doc.element(eid)
        if getattr(element, "position", None) is not None:
            found.append(element)
    return found


def _plural(n: int) -> str:
    return f"{n} item{'s' if n != 1 else ''}"


def _moves(doc: SystemMap, targets: Mapping[str, Point], text: str) -> Edit:
    """A move of the elements that are not at their target yet, named ``text``."""
    changed = {
        eid: pos
        for eid, pos in targets.items()
        if (round(pos[0], 6), round(pos[1], 6)) != tuple(doc.element(eid).position)
    }
    edit = move(doc, changed)
    return Compound(edit.edits, text)


def align(doc: SystemMap, ids: Iterable[str], how: str, *, sizes: Mapping[str, Point] | None = None) -> Edit:
    """An edit aligning elements: ``how`` is ``left``, ``right``, ``top`` or ``bottom`` (their
    edges, on the outermost one) or ``hcenter`` / ``vcenter`` (their centres, on the middle of
    the selection's bounding box: ``hcenter`` lines them up in a column, ``vcenter`` in a row).

    ``sizes`` (id -> width, height) overrides :func:`element_size`. Needs two elements with
    a position.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> a = doc.add_variable("A", kind="stock", position=(0.0, 0.0), size=(40.0, 20.0))
    >>> b = doc.add_variable("B", kind="stock", position=(100.0, 50.0), size=(80.0, 20.0))
    >>> edit = align(doc, [a.id, b.id], "left"); doc.apply(edit)
    >>> edit.text, doc.variables[b.id].position
    ('Align 2 items left', (20.0, 50.0))
    """
    if how not in _HOW:
        raise ModelError(f"cannot align {how!r}: choose one of {', '.join(_HOW)}")
    elements = _placed(doc, ids)
    if len(elements) < 2:
        raise ModelError("select at least two items to align")
    sizes = sizes or {}
    boxes = {}
    for e in elements:
        w, h = sizes.get(e.id) or element_size(doc, e)
        x, y = e.position
        boxes[e.id] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    left = min(b[0] for b in boxes.values())
    top = min(b[1] for b in boxes.values())
    right = max(b[2] for b in boxes.values())
    bottom = max(b[3] for b in boxes.values())
    targets = {}
    for e in elements:
        x, y = e.position
        x0, y0, x1, y1 = boxes[e.id]
        if how == "left":
            x += left - x0
        elif how == "right":
            x += right - x1
        elif how == "top":
            y += top - y0
        elif how == "bottom":
            y += bottom - y1
        elif how == "hcenter":
            x = (left + right) / 2
        else:
            y = (top + bottom) / 2
        targets[e.id] = (x, y)
    return _moves(doc, targets, f"Align {_plural(len(elements))} {_HOW[how]}")


_AXES = {"x": (0, "horizontally"), "y": (1, "vertically")}


def distribute(doc: SystemMap, ids: Iterable[str], axis: str) -> Edit:
    """An edit spacing elements' centres equally along ``axis`` (``x`` or ``y``): the first
    and last (by position on that axis) stay, the others move between them in their order.
    Needs three elements with a position.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> ids = [doc.add_variable(n, position=(x, 0.0)).id for n, x in [("A", 0.0), ("B", 10.0), ("C", 90.0)]]
    >>> edit = distribute(doc, ids, "x"); doc.apply(edit)
    >>> edit.text, doc.variables[ids[1]].position
    ('Distribute 3 items horizontally', (45.0, 0.0))
    """
    if axis not in _AXES:
        raise ModelError(f"cannot distribute along {axis!r}: choose x or y")
    k, word = _AXES[axis]
    elements = _placed(doc, ids)
    if len(elements) < 3:
        raise ModelError("select at least three items to distribute")
    # ties keep the order given, so the result does not depend on ids
    ordered = sorted(enumerate(elements), key=lambda pair: (pair[1].position[k], pair[0]))
    first, last = ordered[0][1].position[k], ordered[-1][1].position[k]
    step = (last - first) / (len(ordered) - 1)
    targets = {}
    for i, (_, e) in enumerate(ordered):
        pos = list(e.position)
        pos[k] = last if i == len(ordered) - 1 else first + i * step
        targets[e.id] = (pos[0], pos[1])
    return _moves(doc, targets, f"Distribute {_plural(len(elements))} {word}")


def snap_point(point: Point, step: float) -> Point:
    """``point`` moved to the nearest point of a grid of spacing ``step`` through (0, 0).

    >>> snap_point((14.9, 15.1), 10)
    (10.0, 20.0)
    """
    if not (isinstance(step, int | float) and math.isfinite(step) and step > 0):
        raise ModelError(f"the grid step must be a positive number, not {step!r}")
    # + 0.0 turns the -0.0 of a small negative coordinate into 0.0
    return (round(point[0] / step) * float(step) + 0.0, round(point[1] / step) * float(step) + 0.0)


def snap(doc: SystemMap, ids: Iterable[str], step: float) -> Edit:
    """An edit moving elements' centres to the nearest points of a grid of spacing ``step``.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> a = doc.add_variable("A", position=(12.0, 39.0))
    >>> edit = snap(doc, [a.id], 20); doc.apply(edit)
    >>> edit.text, doc.variables[a.id].position
    ('Snap 1 item to the grid', (20.0, 40.0))
    """
    snap_point((0.0, 0.0), step)  # checks the step
    elements = _placed(doc, ids)
    if not elements:
        raise ModelError("select the items to snap to the grid")
    targets = {e.id: snap_point(e.position, step) for e in elements}
    return _moves(doc, targets, f"Snap {_plural(len(elements))} to the grid")
