"""Where a loop's R/B label goes on the current layout, and which way the loop turns as drawn;
and the edits that label a map's loops (:func:`label_loops_edit`) or lay a map out with its
labels inside their loops (:func:`layout_with_labels_edit`).

A loop's outline follows its links as the canvas draws them (arcs bent by their curvature,
from an alias where the link leaves one, straight for a flow into or out of its stock). The
label goes at the point inside the outline farthest from it -- and from other variables and
labels already placed -- so it sits in the loop's open middle, not on a link or a name. The
direction is the sign of the outline's area: clockwise or anticlockwise as the user sees it
(canvas y points down).

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a = doc.add_variable("A", position=(0.0, 0.0)); b = doc.add_variable("B", position=(200.0, 0.0))
>>> c = doc.add_variable("C", position=(100.0, 150.0))
>>> for u, v in [(a, b), (b, c), (c, a)]:
...     _ = doc.add_link(u.id, v.id, polarity="+")
>>> from sysmap.analysis.causal import causal_graph
>>> from sysmap.analysis.loops import find_loops
>>> place = place_label(doc, next(find_loops(causal_graph(doc))))
>>> place.direction.value, place.inside, [round(x) for x in place.position]
('clockwise', True, [100, 54])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sysmap.analysis.loops import Loop, make_loop, name_loops
from sysmap.errors import ModelError
from sysmap.model import SystemMap, operations
from sysmap.model.edits import Compound, Edit, Replace
from sysmap.model.elements import Direction, LoopLabel, Point

#: Points sampled along each curved link of an outline.
ARC_SAMPLES = 8
#: The room (canvas units) a variable outside the loop takes around its centre.
VARIABLE_CLEARANCE = 30.0
#: The room a label already placed takes around its centre.
LABEL_CLEARANCE = 25.0
#: Where a label goes, beside the variable, when a loop encloses no area to put it in.
BESIDE = 45.0


@dataclass(frozen=True)
class LabelPlacement:
    """A proposed label position, the loop's turning direction as drawn, and whether the
    position is inside the loop's outline (False for a loop drawn with no inside, such as
    two straight links on top of each other: the label then goes beside it)."""

    position: Point
    direction: Direction
    inside: bool


def _position(doc: SystemMap, eid: str | None, fallback: str) -> Point:
    if eid is not None and eid in doc.aliases:
        return doc.aliases[eid].position
    return doc.variables[fallback].position


def loop_outline(doc: SystemMap, loop: Loop) -> list[Point]:
    """The points of ``loop``'s outline as drawn on ``doc``'s canvas, in loop order."""
    members = loop.variables
    outline: list[Point] = []
    for i, (u, links) in enumerate(zip(members, loop.links, strict=True)):
        v = members[(i + 1) % len(members)]
        link = next((doc.links[lid] for lid in links if lid in doc.links), None)
        x0, y0 = _position(doc, link.alias if link else None, u)
        x1, y1 = doc.variables[v].position
        outline.append((x0, y0))
        bend = link.curvature if link is not None else 0.0
        if link is not None and link.points:
            outline.extend(link.points)
        elif bend:
            # the quadratic Bézier the canvas draws: control point 2 * sagitta off the chord's middle
            cx = (x0 + x1) / 2 + 2 * bend * (y1 - y0)
            cy = (y0 + y1) / 2 - 2 * bend * (x1 - x0)
            for k in range(1, ARC_SAMPLES):
                t = k / ARC_SAMPLES
                outline.append(
                    (
                        (1 - t) ** 2 * x0 + 2 * t * (1 - t) * cx + t * t * x1,
                        (1 - t) ** 2 * y0 + 2 * t * (1 - t) * cy + t * t * y1,
                    )
                )
    return outline


def signed_area(outline: Sequence[Point]) -> float:
    """The shoelace area of a closed outline: positive when it turns clockwise on a canvas
    whose y axis points down.

    >>> signed_area([(0, 0), (1, 0), (1, 1), (0, 1)])
    1.0
    """
    total = 0.0
    for (x0, y0), (x1, y1) in zip(outline, [*outline[1:], outline[0]], strict=True):
        total += x0 * y1 - x1 * y0
    return total / 2


def place_label(doc: SystemMap, loop: Loop, *, avoid: Iterable[Point] = (), grid: int = 24) -> LabelPlacement:
    """Propose where ``loop``'s label goes and which way its arrow turns (see the module doc).

    ``avoid`` are positions of labels already placed, to keep away from.
    """
    import numpy as np

    outline = loop_outline(doc, loop)
    area = signed_area(outline)
    direction = Direction.CLOCKWISE if area >= 0 else Direction.ANTICLOCKWISE
    pts = np.asarray(outline, dtype=float)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = hi - lo
    if len(outline) < 3 or abs(area) < 1e-6 * max(1.0, float(span @ span)):
        return LabelPlacement(_beside(doc, loop, avoid), direction, inside=False)

    members = set(loop.variables)
    avoid = [tuple(p) for p in avoid]
    others = np.asarray(
        [var.position for vid, var in doc.variables.items() if vid not in members] + avoid, dtype=float
    ).reshape(-1, 2)
    weights = np.asarray([VARIABLE_CLEARANCE] * (len(others) - len(avoid)) + [LABEL_CLEARANCE] * len(avoid))
    # Only what lies inside the outline, or outside within its clearance of it, can come nearer
    # a point inside the outline than the outline itself: leave the rest of a large map out.
    near = ((others >= lo - weights[:, None]) & (others <= hi + weights[:, None])).all(axis=1)
    others, weights = others[near], weights[near]
    if len(others):
        near = _inside(others, pts) | (_distance_to_outline(others, pts) < weights)
        others, weights = others[near], weights[near]

    def clearance(candidates: np.ndarray) -> np.ndarray:
        score = _distance_to_outline(candidates, pts)
        if len(others):
            d = np.linalg.norm(candidates[:, None, :] - others[None, :, :], axis=2) - weights[None, :]
            score = np.minimum(score, d.min(axis=1))
        score[~_inside(candidates, pts)] = -np.inf
        return score

    xs = np.linspace(lo[0], hi[0], grid + 2)[1:-1]
    ys = np.linspace(lo[1], hi[1], grid + 2)[1:-1]
    candidates = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    candidates = np.vstack([candidates, pts.mean(axis=0)])
    score = clearance(candidates)
    best = int(np.argmax(score))
    if not np.isfinite(score[best]):
        return LabelPlacement(_beside(doc, loop, avoid), direction, inside=False)
    point, step = candidates[best], span / (grid + 1)
    for _ in range(6):  # refine around the best point with a finer local grid
        offsets = np.stack(np.meshgrid([-1, 0, 1], [-1, 0, 1]), axis=-1).reshape(-1, 2) * step
        local = point + offsets
        local_score = clearance(local)
        point = local[int(np.argmax(local_score))]
        step = step / 2
    return LabelPlacement((round(float(point[0]), 1), round(float(point[1]), 1)), direction, inside=True)


def place_labels(doc: SystemMap, loops: Iterable[Loop]) -> list[LabelPlacement]:
    """Placements for several loops' labels, each kept clear of the ones placed before it."""
    placed: list[LabelPlacement] = []
    for loop in loops:
        placed.append(place_label(doc, loop, avoid=[p.position for p in placed]))
    return placed


def _beside(doc: SystemMap, loop: Loop, avoid: Iterable[Point]) -> Point:
    """A point beside a loop with no inside: off the middle of its members, clear of labels."""
    xs = [doc.variables[v].position[0] for v in loop.variables]
    ys = [doc.variables[v].position[1] for v in loop.variables]
    x, y = sum(xs) / len(xs), sum(ys) / len(ys)
    if len(loop.variables) == 2:
        (x0, y0), (x1, y1) = (doc.variables[v].position for v in loop.variables)
        length = max(1e-9, ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)
        return (round(x + BESIDE * (y1 - y0) / length, 1), round(y - BESIDE * (x1 - x0) / length, 1))
    taken = list(avoid)
    y -= BESIDE
    while any(abs(px - x) < 2 * LABEL_CLEARANCE and abs(py - y) < 2 * LABEL_CLEARANCE for px, py in taken):
        y -= 2 * LABEL_CLEARANCE
    return (round(x, 1), round(y, 1))


def _distance_to_outline(points, outline):
    """Each point's distance to the nearest side of the closed ``outline`` (numpy arrays)."""
    import numpy as np

    a = outline
    b = np.roll(outline, -1, axis=0)
    ab = b - a
    length2 = np.maximum((ab * ab).sum(axis=1), 1e-12)
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab[None, :, :]).sum(axis=2) / length2[None, :], 0.0, 1.0)
    nearest = a[None, :, :] + t[:, :, None] * ab[None, :, :]
    return np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1)


def _inside(points, outline):
    """Even-odd test of each point against the closed ``outline`` (numpy arrays)."""
    import numpy as np

    x, y = points[:, 0:1], points[:, 1:2]
    x0, y0 = outline[:, 0][None, :], outline[:, 1][None, :]
    x1, y1 = np.roll(outline[:, 0], -1)[None, :], np.roll(outline[:, 1], -1)[None, :]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return (crosses & (x < at)).sum(axis=1) % 2 == 1


# -- labelling a map's loops ---------------------------------------------------------------------

#: The text of a label that :func:`label_loops_edit` writes: R, B or U and a number.
AUTO_TEXT = re.compile(r"\s*([RBU])\s*(\d+)\s*", re.IGNORECASE)
#: A label text that starts with a loop name ("R1 burnout"), whose number is taken.
_NAMED = re.compile(r"\s*([RBU])\s*(\d+)(?!\d)", re.IGNORECASE)


def cycle_key(variables: Sequence[str]) -> tuple[str, ...]:
    """The same tuple for a loop's variables whichever of them it starts from.

    >>> cycle_key(("b", "c", "a")) == cycle_key(("a", "b", "c")) != cycle_key(("a", "c", "b"))
    True
    """
    if not variables:
        return ()
    n = len(variables)
    return min(tuple(variables[i:]) + tuple(variables[:i]) for i in range(n))


def is_automatic(label: LoopLabel) -> bool:
    """Whether ``label`` looks written by :func:`label_loops_edit`: it names its loop's
    variables, its text is just a loop name such as ``R2``, and it has no documentation.
    Labels a user wrote more into are not automatic, and ``replace`` keeps them."""
    return bool(label.loop) and AUTO_TEXT.fullmatch(label.text) is not None and not label.documentation


def _as_loop(graph, loop) -> Loop:
    """``loop`` as a :class:`Loop` of ``graph``: a Loop already, or its variable ids in order."""
    if isinstance(loop, Loop):
        return loop
    members = list(loop)
    pairs = zip(members, members[1:] + members[:1], strict=True)
    if not members or not all(graph.has_edge(u, v) for u, v in pairs):
        raise ModelError(f"{' -> '.join(members) or 'nothing'} is not a loop of the map")
    return make_loop(graph, members)


def label_loops_edit(doc: SystemMap, *, loops=None, replace: bool = False, derive: bool = False) -> Edit:
    """An edit adding a loop label for each loop of ``doc`` that has none, named "Label N loops".

    ``loops`` are :class:`~sysmap.analysis.loops.Loop` objects or sequences of variable ids
    (in loop order); by default the map's independent loop set
    (:func:`~sysmap.analysis.loop_basis.independent_loops`: cycle-rank many loops that
    together pass through every link on a loop). A loop counts as labelled when a label
    lists its variables in the same order, starting anywhere. New labels are called R, B or
    U by the loop's polarity (``derive`` fills in unmarked link signs from the equations),
    numbered after the highest number of that letter already used (also by a label such as
    "R2 burnout"), shortest loops first;
    each goes where :func:`place_label` puts it, clear of the labels already there, and
    turns the way the loop is drawn. ``replace=True`` first removes the automatic labels
    (:func:`is_automatic`), so the loops get fresh labels in their new places.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> a = doc.add_variable("Work", position=(0.0, 0.0))
    >>> b = doc.add_variable("Fatigue", position=(200.0, 0.0))
    >>> c = doc.add_variable("Output", position=(100.0, 150.0))
    >>> for u, v, sign in [(a, b, "+"), (b, c, "-"), (c, a, "+"), (b, a, "+")]:
    ...     _ = doc.add_link(u.id, v.id, polarity=sign)
    >>> edit = label_loops_edit(doc); doc.apply(edit)
    >>> edit.text, sorted(label.text for label in doc.loop_labels.values())
    ('Label 2 loops', ['B1', 'R1'])
    >>> label_loops_edit(doc).text
    'Label 0 loops'
    """
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loop_basis import independent_loops

    graph = causal_graph(doc, derive=derive)
    found = independent_loops(graph) if loops is None else [_as_loop(graph, loop) for loop in loops]
    edits: list[Edit] = []
    kept = dict(doc.loop_labels)
    if replace:
        doomed = [lid for lid, label in kept.items() if is_automatic(label)]
        if doomed:
            edits.append(operations.remove(doc, doomed))
            for lid in doomed:
                del kept[lid]
    labelled = {cycle_key(label.loop) for label in kept.values() if label.loop}
    numbers: dict[str, int] = {"R": 0, "B": 0, "U": 0}
    for label in kept.values():
        match = _NAMED.match(label.text)
        if match:
            letter = match.group(1).upper()
            numbers[letter] = max(numbers[letter], int(match.group(2)))
    avoid = [label.position for label in kept.values()]
    added = 0
    for loop in name_loops(found, graph):
        key = cycle_key(loop.variables)
        if key in labelled:
            continue
        labelled.add(key)
        numbers[loop.polarity] += 1
        place = place_label(doc, loop, avoid=avoid)
        avoid.append(place.position)
        text = f"{loop.polarity}{numbers[loop.polarity]}"
        edits.append(
            operations.add_loop_label(
                doc, text, place.position, direction=place.direction, loop=loop.variables
            )
        )
        added += 1
    return Compound(edits, f"Label {added} loop{'s' if added != 1 else ''}")


def layout_with_labels_edit(doc: SystemMap, ids=None, **options) -> Edit:
    """:func:`sysmap.model.layout.layout_edit` with each moved loop label then placed inside
    its loop as drawn (:func:`place_label`), rather than at the middle of its variables;
    one edit, named as the layout's. ``options`` go to :func:`~sysmap.model.layout.auto_layout`.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> ids = [doc.add_variable(name).id for name in ["Births", "Population", "Deaths", "Crowding"]]
    >>> for u, v in zip(ids, ids[1:] + ids[:1]):
    ...     _ = doc.add_link(u, v, polarity="+")
    >>> doc.apply(label_loops_edit(doc))
    >>> edit = layout_with_labels_edit(doc); doc.apply(edit)
    >>> (label,) = doc.loop_labels.values()
    >>> from sysmap.analysis.causal import causal_graph
    >>> place_label(doc, _as_loop(causal_graph(doc), label.loop)).inside
    True
    """
    from sysmap.analysis.causal import causal_graph
    from sysmap.model.layout import layout_edit

    edit = layout_edit(doc, ids, **options)
    after = doc.copy()
    after.apply(edit)
    graph = causal_graph(after)
    moved = [
        label
        for lid, label in after.loop_labels.items()
        if label.loop and label.position != doc.loop_labels[lid].position
    ]
    avoid = [label.position for label in after.loop_labels.values() if label not in moved]
    placed: list[Edit] = []
    for label in moved:
        try:
            loop = _as_loop(graph, label.loop)
        except ModelError:
            continue  # the label lists variables that no longer make a loop: leave it be
        place = place_label(after, loop, avoid=avoid)
        avoid.append(place.position)
        placed.append(Replace(label, label.evolve(position=place.position, direction=place.direction)))
    return Compound([edit, *placed], edit.text)
