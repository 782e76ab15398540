"""Align, distribute and snap: the Arrange menu's edits, on positions and drawn sizes."""

import math

import pytest
from edit_checks import applied

from sysmap.errors import ModelError
from sysmap.model import Kind, SystemMap
from sysmap.model import operations as ops
from sysmap.model.arrange import (
    AUX_SIZE,
    LABEL_SIZE,
    align,
    distribute,
    element_size,
    snap,
    snap_point,
    variable_size,
)
from sysmap.model.geometry import STOCK_SIZE


def stocks(*specs):
    """A map of stocks given as (x, y, width, height)."""
    doc = SystemMap()
    ids = [
        doc.add_variable(f"S{i}", kind=Kind.STOCK, position=(x, y), size=(w, h)).id
        for i, (x, y, w, h) in enumerate(specs)
    ]
    return doc, ids


def pos(doc, eid):
    return doc.element(eid).position


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        # boxes: A [-20, 20] x [-10, 10], B [260, 340] x [85, 115], C [90, 110] x [295, 305]
        ("left", [(0.0, 0.0), (20.0, 100.0), (-10.0, 300.0)]),
        ("right", [(320.0, 0.0), (300.0, 100.0), (330.0, 300.0)]),
        ("top", [(0.0, 0.0), (300.0, 5.0), (100.0, -5.0)]),
        ("bottom", [(0.0, 295.0), (300.0, 290.0), (100.0, 300.0)]),
        ("hcenter", [(160.0, 0.0), (160.0, 100.0), (160.0, 300.0)]),
        ("vcenter", [(0.0, 147.5), (300.0, 147.5), (100.0, 147.5)]),
    ],
)
def test_align_puts_edges_on_the_outermost_and_centres_on_the_middle(how, expected):
    doc, ids = stocks((0.0, 0.0, 40.0, 20.0), (300.0, 100.0, 80.0, 30.0), (100.0, 300.0, 20.0, 10.0))
    edit = applied(doc, align(doc, ids, how))
    assert [pos(doc, i) for i in ids] == expected
    assert edit.text.startswith("Align 3 items ")


def test_align_mixes_kinds_and_skips_what_has_no_position():
    doc = SystemMap()
    tub = doc.add_variable("Tub", kind=Kind.STOCK, position=(100.0, 0.0))
    rate = doc.add_variable("Rate", kind=Kind.AUX, position=(0.0, 80.0))
    link = doc.add_link(rate.id, tub.id)
    label = ops.add_loop_label(doc, "R1", (50.0, 200.0))
    doc.apply(label)
    note = ops.add_note(doc, "Hi", (400.0, 10.0), size=(100.0, 50.0))
    doc.apply(note)
    ids = [tub.id, rate.id, link.id, label.element.id, note.element.id]
    edit = applied(doc, align(doc, ids, "left"))
    assert edit.text == "Align 4 items left"
    lefts = [
        pos(doc, tub.id)[0] - STOCK_SIZE[0] / 2,
        pos(doc, rate.id)[0] - AUX_SIZE[0] / 2,
        pos(doc, label.element.id)[0] - LABEL_SIZE[0] / 2,
        pos(doc, note.element.id)[0] - 50.0,
    ]
    assert lefts == [-10.0] * 4  # the aux's ring was leftmost


def test_align_takes_the_sizes_the_canvas_measured():
    doc, ids = stocks((0.0, 0.0, 40.0, 20.0), (100.0, 0.0, 40.0, 20.0))
    applied(doc, align(doc, ids, "right", sizes={ids[0]: (100.0, 20.0)}))
    assert pos(doc, ids[0]) == (70.0, 0.0) and pos(doc, ids[1]) == (100.0, 0.0)


def test_aligning_what_is_aligned_changes_nothing():
    doc, ids = stocks((0.0, 0.0, 40.0, 20.0), (0.0, 100.0, 40.0, 20.0))
    assert align(doc, ids, "hcenter").edits == []


@pytest.mark.parametrize(
    ("ids", "how", "message"),
    [
        (["v1"], "left", "at least two"),
        (["v1", "v2"], "middle", "cannot align 'middle'"),
        (["v1", "nope"], "left", "no element"),
    ],
)
def test_align_refuses_what_makes_no_sense(ids, how, message):
    doc, _ = stocks((0.0, 0.0, 40.0, 20.0), (10.0, 10.0, 40.0, 20.0))
    with pytest.raises(ModelError, match=message):
        align(doc, ids, how)


def test_distribute_spaces_centres_equally_between_the_ends():
    doc = SystemMap()
    xs = [0.0, 250.0, 20.0, 300.0, 90.0]
    ids = [doc.add_variable(f"V{i}", position=(x, 7.0 * i)).id for i, x in enumerate(xs)]
    edit = applied(doc, distribute(doc, ids, "x"))
    assert edit.text == "Distribute 5 items horizontally"
    got = {i: pos(doc, i) for i in ids}
    # sorted by x: V0 (0), V2 (20), V4 (90), V1 (250), V3 (300) -> 0, 75, 150, 225, 300
    assert [got[ids[k]][0] for k in (0, 2, 4, 1, 3)] == [0.0, 75.0, 150.0, 225.0, 300.0]
    assert [got[i][1] for i in ids] == [7.0 * i for i in range(5)]  # y untouched


def test_distribute_vertically_keeps_order_on_ties():
    doc = SystemMap()
    ids = [doc.add_variable(n, position=(0.0, y)).id for n, y in [("A", 0.0), ("B", 0.0), ("C", 90.0)]]
    applied(doc, distribute(doc, ids, "y"))
    assert [pos(doc, i)[1] for i in ids] == [0.0, 45.0, 90.0]


def test_distribute_refuses_two_items_and_unknown_axes():
    doc = SystemMap()
    ids = [doc.add_variable(n).id for n in "AB"]
    with pytest.raises(ModelError, match="at least three"):
        distribute(doc, ids, "x")
    with pytest.raises(ModelError, match="choose x or y"):
        distribute(doc, ids + [doc.add_variable("C").id], "diagonal")


def test_snap_rounds_centres_to_the_grid():
    doc = SystemMap()
    a = doc.add_variable("A", position=(12.0, -13.0))
    b = doc.add_variable("B", position=(40.0, 41.0))
    edit = applied(doc, snap(doc, [a.id, b.id], 25))
    assert edit.text == "Snap 2 items to the grid"
    assert pos(doc, a.id) == (0.0, -25.0) and pos(doc, b.id) == (50.0, 50.0)
    assert snap(doc, [a.id, b.id], 25).edits == []


@pytest.mark.parametrize("step", [0, -5, math.nan, math.inf, "10"])
def test_snap_refuses_a_step_that_is_no_grid(step):
    doc = SystemMap()
    a = doc.add_variable("A")
    with pytest.raises(ModelError, match="grid step"):
        snap(doc, [a.id], step)
    with pytest.raises(ModelError, match="grid step"):
        snap_point((1.0, 2.0), step)


def test_snap_point_has_no_negative_zero():
    assert snap_point((-4.0, 4.0), 10) == (0.0, 0.0)
    assert math.copysign(1.0, snap_point((-4.0, 4.0), 10)[0]) == 1.0


def test_sizes_follow_the_canvas_defaults_and_grow_with_a_concepts_name():
    doc = SystemMap()
    short = doc.add_variable("Cost")
    long = doc.add_variable("Quality of care and staff self-esteem in the long run")
    aux = doc.add_variable("Rate", kind=Kind.AUX)
    tank = doc.add_variable("Tank", kind=Kind.STOCK, size=(120.0, 60.0))
    assert variable_size(aux) == AUX_SIZE
    assert variable_size(doc.add_variable("Plain tank", kind=Kind.STOCK)) == STOCK_SIZE
    w_short, h_short = variable_size(short)
    w_long, h_long = variable_size(long)
    assert w_short < 60 < w_long <= 125 and h_long > h_short  # the long name wraps
    assert element_size(doc, tank) == (120.0, 60.0)
