"""Routing a flow's pipe when its stocks move: the shape stays, only the segments touching a
moved stock change; and the point of a pipe nearest the mouse, where a dragged valve goes."""

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from sysmap.model import Kind, Variable
from sysmap.model.geometry import box, nearest_on_polyline, reshape_pipe


def stock(x, y, w=60.0, h=40.0, sid="s"):
    return Variable(sid, sid.upper(), Kind.STOCK, position=(x, y), size=(w, h))


def orthogonal(points):
    return all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False))


def on_segment(p, a, b, tol=1e-6):
    ab = math.dist(a, b)
    return abs(math.dist(a, p) + math.dist(p, b) - ab) < tol * max(1.0, ab)


# the L of the tests: from A's right side along, then down into B's top
A, B = stock(0, 0, sid="a"), stock(200, 150, sid="b")
L = ((30.0, 0.0), (200.0, 0.0), (200.0, 130.0))


def test_the_nearest_point_of_a_pipe_is_on_it_and_at_its_ends_beyond_them():
    assert nearest_on_polyline(L, (120, 30)) == (120.0, 0.0)
    assert nearest_on_polyline(L, (260, 60)) == (200.0, 60.0)
    assert nearest_on_polyline(L, (-50, -10)) == (30.0, 0.0)  # not past the stock's side
    assert nearest_on_polyline(L, (200, 400)) == (200.0, 130.0)
    assert nearest_on_polyline(L, (200, 0)) == (200.0, 0.0)


def test_moving_the_sink_of_an_l_slides_the_corner_and_leaves_the_source_end():
    moved = reshape_pipe(L, A, B, None, (40.0, 25.0))
    assert moved == ((30.0, 0.0), (240.0, 0.0), (240.0, 155.0))
    assert orthogonal(moved)


def test_moving_the_source_of_an_l_slides_the_corner_and_leaves_the_sink_end():
    moved = reshape_pipe(L, A, B, (-20.0, -35.0), None)
    assert moved == ((10.0, -35.0), (200.0, -35.0), (200.0, 130.0))


def test_a_stock_moved_past_the_corner_is_left_by_its_other_side():
    # A moves right of the corner: the pipe leaves A's left side, towards the corner
    moved = reshape_pipe(L, A, B, (300.0, 0.0), None)
    assert moved[0] == (270.0, 0.0) and moved[1:] == ((200.0, 0.0), (200.0, 130.0))


def test_a_straight_pipe_stays_straight_while_its_stocks_face_each_other():
    a, b = stock(0, 0, sid="a"), stock(200, 0, sid="b")
    straight = ((30.0, 0.0), (170.0, 0.0))
    # B moves down a little: the pipe meets B's side higher up, A's end stays
    assert reshape_pipe(straight, a, b, None, (10.0, 12.0)) == ((30.0, 0.0), (180.0, 0.0))


def test_a_straight_pipe_turns_into_the_moved_stock_once_they_no_longer_face_each_other():
    a, b = stock(0, 0, sid="a"), stock(200, 0, sid="b")
    straight = ((30.0, 0.0), (170.0, 0.0))
    moved = reshape_pipe(straight, a, b, None, (0.0, 100.0))
    # level from A as before, then down into the top of B, in the quarter nearer A
    _, _, width, height = box(b)
    assert moved == ((30.0, 0.0), (200.0 - width / 4, 0.0), (200.0 - width / 4, 100.0 - height / 2))
    assert orthogonal(moved)
    # both stocks moved apart: a step in the middle
    both = reshape_pipe(straight, a, b, (0.0, -60.0), (0.0, 60.0))
    assert len(both) == 4 and orthogonal(both)


def test_an_open_end_follows_the_stock_so_a_straight_pipe_stays_straight():
    a = stock(0, 0, sid="a")
    to_cloud = ((30.0, 0.0), (150.0, 0.0))
    assert reshape_pipe(to_cloud, a, None, (0.0, 80.0), None) == ((30.0, 80.0), (150.0, 80.0))


def test_a_slanted_end_segment_re_aims_at_the_moved_stock():
    a, b = stock(0, 0, sid="a"), stock(200, 200, sid="b")
    route = ((30.0, 10.0), (100.0, 100.0), (180.0, 180.0))
    moved = reshape_pipe(route, a, b, (0.0, -100.0), None)
    assert moved[1:] == route[1:]
    # on A's box (now centred on (0, -100)), on the line from its centre to the kept corner
    x, y = moved[0]
    assert math.isclose(abs(x), 30.0) or math.isclose(abs(y + 100.0), 20.0)
    assert on_segment(moved[0], (0.0, -100.0), (100.0, 100.0), tol=1e-3)


points = st.tuples(st.floats(-500, 500), st.floats(-500, 500))


@given(st.lists(points, min_size=2, max_size=6), points)
def test_the_nearest_point_lies_on_the_pipe_and_is_no_farther_than_any_corner(route, p):
    q = nearest_on_polyline(route, p)
    assert any(on_segment(q, a, b, 1e-5) for a, b in zip(route, route[1:], strict=False))
    assert all(math.dist(q, p) <= math.dist(c, p) + 1e-5 for c in route)


deltas = st.one_of(st.none(), st.tuples(st.integers(-300, 300), st.integers(-300, 300)))


def on_side(stock_, p) -> bool:
    cx, cy, w, h = box(stock_)
    on_x = math.isclose(abs(p[0] - cx), w / 2, abs_tol=1e-6) and abs(p[1] - cy) <= h / 2 + 1e-6
    on_y = math.isclose(abs(p[1] - cy), h / 2, abs_tol=1e-6) and abs(p[0] - cx) <= w / 2 + 1e-6
    return on_x or on_y


def _plus(p, d):
    return p if d is None else (p[0] + d[0], p[1] + d[1])


@given(deltas, deltas, st.integers(100, 400), st.integers(100, 400))
def test_an_orthogonal_pipe_stays_orthogonal_however_its_stocks_move(ds, dk, bx, by):
    a, b = stock(0, 0, sid="a"), stock(bx, by, sid="b")
    # stocks dropped on top of each other leave no side for a pipe to meet: not a route to keep
    (ax, ay, aw, ah), (bx2, by2, bw, bh) = (
        box(s.evolve(position=_plus(s.position, d))) for s, d in ((a, ds), (b, dk))
    )
    assume(abs(ax - bx2) > (aw + bw) / 2 or abs(ay - by2) > (ah + bh) / 2)
    for route in (
        ((30.0, 0.0), (bx, 0.0), (bx, by - 20)),  # an L
        ((30.0, 0.0), (bx / 2 + 15, 0.0), (bx / 2 + 15, by), (bx - 30, by)),  # a step
        ((30.0, 0.0), (bx - 30, 0.0)),  # straight
    ):
        moved = reshape_pipe(route, a, b, ds, dk)
        assert orthogonal(moved)
        # an end whose stock stayed stays on that stock's side (the other side if the moved
        # stock went past it)
        if ds is None:
            assert moved[0] == route[0] or on_side(a, moved[0])
        if dk is None and len(route) > 2:
            assert moved[-1] == route[-1] or on_side(b, moved[-1])
