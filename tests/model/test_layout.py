"""Auto-layout: maps that arrive piled on one point come out readable -- loops round, no two
variables on top of each other, flows between their stocks -- the same way every time."""

import math
import statistics

import numpy as np
import pytest
from edit_checks import applied

from sysmap.errors import ModelError
from sysmap.examples import example_names, example_path
from sysmap.io import load
from sysmap.model import Alias, Direction, Kind, SystemMap
from sysmap.model import operations as ops
from sysmap.model.edits import Compound, Insert
from sysmap.model.layout import CLOUD_OFFSET, auto_layout, footprint, layout_edit, needs_layout


def piled(doc):
    """``doc`` with everything that has a position moved to (0, 0), as a tool without layout
    would write it."""
    placed = [e.id for e in doc.elements() if getattr(e, "position", None) is not None]
    doc.apply(ops.move(doc, dict.fromkeys(placed, (0.0, 0.0))))
    return doc


def ring(n, name="V", doc=None):
    doc = doc or SystemMap()
    ids = [doc.add_variable(f"{name}{i}").id for i in range(n)]
    for u, v in zip(ids, ids[1:] + ids[:1], strict=True):
        doc.add_link(u, v, polarity="+")
    return doc, ids


def laid_out(doc, ids=None, **options):
    """Apply the layout edit, checking that undo restores the map exactly."""
    return applied(doc, layout_edit(doc, ids, **options))


def overlapping(doc, ids):
    """Pairs of elements whose footprints (box with name) overlap."""
    boxes = []
    for eid in ids:
        element = doc.element(eid)
        (x, y), (w, h) = element.position, footprint(doc, element)
        boxes.append((eid, x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
                found.append((a[0], b[0]))
    return found


def link_lengths(doc):
    return [
        math.dist(doc.variables[k.source].position, doc.variables[k.target].position)
        for k in doc.links.values()
        if k.source != k.target
    ]


def test_needs_layout_when_most_variables_share_a_point():
    doc = SystemMap()
    assert not needs_layout(doc)
    a = doc.add_variable("A")
    assert not needs_layout(doc)  # one variable is not a pile
    doc.add_variable("B")
    assert needs_layout(doc)  # all at (0, 0)
    doc.add_variable("C", position=(100.0, 0.0))
    assert needs_layout(doc)  # 2 of 3 on one point
    doc.apply(ops.move(doc, {a.id: (0.0, 100.0)}))
    assert not needs_layout(doc)


@pytest.mark.parametrize("name", example_names())
def test_examples_come_out_of_a_pile_readable(name):
    doc = piled(load(example_path(name)))
    assert needs_layout(doc)
    edit = laid_out(doc)
    assert edit.text == f"Auto-layout {len(doc.variables)} variables"
    assert not needs_layout(doc)
    variables = [vid for vid, var in doc.variables.items() if var.kind != Kind.FLOW]
    assert overlapping(doc, variables) == []
    lengths = link_lengths(doc)
    if not doc.variables_of_kind(Kind.FLOW):  # a CLD: links about the spacing asked for
        assert 150 <= statistics.mean(lengths) <= 220
    assert min(lengths) > 60  # nothing piled up any more


@pytest.mark.parametrize("name", ["social_care_workload", "worklessness"])
def test_the_same_map_gives_the_same_layout(name):
    first = auto_layout(piled(load(example_path(name))))
    second = auto_layout(piled(load(example_path(name))))
    assert first == second
    assert len(set(first.values())) == len(first)


def test_a_loop_comes_out_round():
    doc, ids = ring(8)
    laid_out(doc)
    pts = np.asarray([doc.variables[v].position for v in ids])
    radii = np.linalg.norm(pts - pts.mean(axis=0), axis=1)
    assert radii.std() / radii.mean() < 0.12
    # and in loop order round the circle: each variable's neighbours on the loop are its
    # nearest on the canvas
    for i in range(8):
        d = np.linalg.norm(pts - pts[i], axis=1)
        d[i] = np.inf
        assert set(np.argsort(d)[:2]) == {(i - 1) % 8, (i + 1) % 8}


def test_spacing_sets_the_link_length():
    for spacing in (150.0, 250.0):
        doc, _ = ring(6)
        laid_out(doc, spacing=spacing)
        assert statistics.mean(link_lengths(doc)) == pytest.approx(spacing, rel=0.1)


def test_separate_parts_are_packed_apart():
    doc, first = ring(5, "A")
    _, second = ring(7, "B", doc)
    lone = doc.add_variable("Alone").id
    laid_out(doc)
    assert overlapping(doc, first + second + [lone]) == []

    def box(ids):
        pts = np.asarray([doc.variables[v].position for v in ids])
        return pts.min(axis=0), pts.max(axis=0)

    (a0, a1), (b0, b1) = box(first), box(second)
    assert (a1 < b0).any() or (b1 < a0).any()  # the two loops' boxes do not intersect


def test_a_dense_map_has_no_overlaps_left():
    import random

    rng = random.Random(3)
    doc = SystemMap()
    ids = [doc.add_variable(f"Variable number {i}").id for i in range(120)]
    for _ in range(400):
        a, b = rng.sample(ids, 2)
        if not any(k.target == b for k in doc.links_from(a)):
            doc.add_link(a, b)
    laid_out(doc)
    assert overlapping(doc, ids) == []


def stock_and_flows():
    doc = SystemMap()
    a = doc.add_variable("Employed", kind=Kind.STOCK)
    b = doc.add_variable("Unemployed", kind=Kind.STOCK)
    hire = doc.add_variable("Hiring", kind=Kind.FLOW, equation="unemployed * rate")
    fire = doc.add_variable("Firing", kind=Kind.FLOW)
    births = doc.add_variable("Entering", kind=Kind.FLOW)
    rate = doc.add_variable("Rate", kind=Kind.AUX, equation="0.1")
    doc.attach_flow(hire.id, source=b.id, sink=a.id)
    doc.attach_flow(fire.id, source=a.id, sink=b.id)
    doc.attach_flow(births.id, source=None, sink=b.id)
    doc.add_link(rate.id, hire.id, polarity="+")
    return doc, a.id, b.id, hire.id, fire.id, births.id


def test_flows_sit_between_their_stocks_side_by_side():
    doc, a, b, hire, fire, births = stock_and_flows()
    laid_out(doc)
    v = doc.variables
    middle = np.mean([v[a].position, v[b].position], axis=0)
    for fid in (hire, fire):
        assert math.dist(v[fid].position, middle) < 30
        assert len(v[fid].points) == 2  # drawn as its own pipe beside the other
    assert math.dist(v[hire].position, v[fire].position) >= 20
    # the two pipes are parallel and apart
    (p0, p1), (q0, q1) = v[hire].points, v[fire].points
    assert math.dist(p0, q1) >= 20 and math.dist(p1, q0) >= 20
    # a flow from a cloud sits a fixed distance from its stock
    assert math.dist(v[births].position, v[b].position) == pytest.approx(CLOUD_OFFSET, abs=0.2)
    assert v[births].points == ()


def test_links_lose_bend_points_and_two_variable_loops_bend_apart():
    doc = SystemMap()
    a, b = doc.add_variable("A"), doc.add_variable("B")
    there = doc.add_link(a.id, b.id, points=((500.0, 500.0),))
    back = doc.add_link(b.id, a.id)
    laid_out(doc)
    assert doc.links[there.id].points == ()
    assert doc.links[there.id].curvature > 0 and doc.links[back.id].curvature > 0


def test_a_selection_is_laid_out_where_it_was_and_the_rest_stays():
    doc = SystemMap()
    keep = doc.add_variable("Elsewhere", position=(-400.0, 0.0))
    ids = [doc.add_variable(f"V{i}", position=(1000.0, 500.0)).id for i in range(5)]
    for u, v in zip(ids, ids[1:] + ids[:1], strict=True):
        doc.add_link(u, v)
    doc.add_link(keep.id, ids[0])
    label = ops.add_loop_label(doc, "R1", (0.0, 0.0), loop=tuple(ids))
    doc.apply(label)
    edit = laid_out(doc, ids)
    assert edit.text == "Auto-layout 5 variables"
    assert doc.variables[keep.id].position == (-400.0, 0.0)
    pts = np.asarray([doc.variables[v].position for v in ids])
    centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
    assert math.dist(centre, (1000.0, 500.0)) < 40
    assert overlapping(doc, ids) == []
    # the label of the loop laid out follows it, to the middle of its variables
    assert math.dist(doc.loop_labels[label.element.id].position, pts.mean(axis=0)) < 1


def test_labels_turn_with_their_loop_and_notes_go_aside():
    doc, ids = ring(4)
    label = ops.add_loop_label(doc, "R1", (0.0, 0.0), loop=tuple(ids), direction="anticlockwise")
    loose = ops.add_loop_label(doc, "B9", (0.0, 0.0))
    note = ops.add_note(doc, "Drawn by table 3", (0.0, 0.0))
    for edit in (label, loose, note):
        doc.apply(edit)
    laid_out(doc)
    pts = [doc.variables[v].position for v in ids]
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True))
    turning = Direction.CLOCKWISE if area > 0 else Direction.ANTICLOCKWISE
    assert doc.loop_labels[label.element.id].direction is turning
    right = max(x for x, _ in pts)
    for eid in (loose.element.id, note.element.id):
        assert doc.element(eid).position[0] > right + 50
    assert overlapping(doc, [*ids, loose.element.id, note.element.id]) == []


def test_aliases_go_by_the_variables_they_feed():
    doc, ids = ring(6)
    far = doc.add_variable("Far away")
    doc.add_link(ids[0], far.id)
    ghost = add_alias(doc, ids[3])
    doc.add_link(ids[3], far.id, alias=ghost)
    laid_out(doc)
    assert math.dist(doc.aliases[ghost].position, doc.variables[far.id].position) < 260


def add_alias(doc, vid):
    alias = Alias(doc.new_id("a"), vid)
    doc.apply(Insert(alias))
    return alias.id


def test_drawn_groups_are_boxed_round_their_members_again():
    doc, ids = ring(5)
    group = ops.add_group(doc, "Sector", ids[:3], position=(0.0, 0.0), size=(10.0, 10.0))
    doc.apply(group)
    laid_out(doc)
    g = doc.groups[group.element.id]
    for vid in ids[:3]:
        x, y = doc.variables[vid].position
        assert abs(x - g.position[0]) < g.size[0] / 2 and abs(y - g.position[1]) < g.size[1] / 2


def test_nothing_to_lay_out_and_bad_spacing_are_refused():
    with pytest.raises(ModelError, match="nothing to lay out"):
        layout_edit(SystemMap())
    doc, _ = ring(3)
    for spacing in (0.0, -5.0, math.nan):
        with pytest.raises(ModelError, match="spacing"):
            auto_layout(doc, spacing=spacing)


def test_a_big_generated_map_is_laid_out_without_overlaps():
    import random

    rng = random.Random(7)
    doc = SystemMap()
    ids = [doc.add_variable(f"Variable {i}").id for i in range(400)]
    edits = []
    for i in range(1, 400):  # a tree, plus loops closing across it
        edits.append(ops.add_link(doc, ids[rng.randrange(i)], ids[i]))
    doc.apply(Compound(edits))
    for _ in range(150):
        a, b = rng.sample(ids, 2)
        doc.add_link(a, b)
    positions = auto_layout(doc)
    doc.apply(ops.move(doc, positions))
    assert overlapping(doc, ids) == []
    assert statistics.median(link_lengths(doc)) < 600
