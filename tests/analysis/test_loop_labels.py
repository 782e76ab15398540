"""Loop labels go inside the loop as drawn, clear of links, names and each other, with the
loop's turning direction as the user sees it."""

import math

import numpy as np
import pytest

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loop_labels import _inside, loop_outline, place_label, place_labels
from sysmap.analysis.loops import find_loops, name_loops
from sysmap.examples import example_names, example_path
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.model.elements import Direction


def ring(points, curvature=0.0, polarity="+"):
    doc = SystemMap()
    ids = [doc.add_variable(f"V{i}", position=p).id for i, p in enumerate(points)]
    for u, v in zip(ids, ids[1:] + ids[:1], strict=True):
        doc.add_link(u, v, polarity=polarity, curvature=curvature)
    return doc


def only_loop(doc):
    (loop,) = find_loops(causal_graph(doc))
    return loop


def test_direction_follows_the_drawing():
    square = [
        (0.0, 0.0),
        (100.0, 0.0),
        (100.0, 100.0),
        (0.0, 100.0),
    ]  # right, down, left: clockwise on screen
    assert place_label(ring(square), only_loop(ring(square))).direction is Direction.CLOCKWISE
    back = square[::-1]
    assert place_label(ring(back), only_loop(ring(back))).direction is Direction.ANTICLOCKWISE


def test_a_concave_loop_gets_its_label_inside_not_at_the_centroid():
    # a U shape: the centroid of its corners falls in the notch, outside the loop
    u_shape = [(0, 0), (60, 0), (60, 200), (140, 200), (140, 0), (200, 0), (200, 260), (0, 260)]
    doc = ring([(float(x), float(y)) for x, y in u_shape])
    place = place_label(doc, only_loop(doc))
    assert place.inside
    outline = np.asarray(loop_outline(doc, only_loop(doc)))
    assert _inside(np.asarray([place.position]), outline)[0]
    assert not (60 < place.position[0] < 140 and place.position[1] < 200)


def test_a_two_variable_loop_with_bent_links_gets_its_label_between_them():
    doc = ring([(0.0, 0.0), (200.0, 0.0)], curvature=0.25)
    place = place_label(doc, only_loop(doc))
    assert place.inside
    assert place.position == pytest.approx((100.0, 0.0), abs=3.0)


def test_a_loop_drawn_with_no_inside_puts_its_label_beside():
    doc = ring([(0.0, 0.0), (200.0, 0.0)])  # two straight links on top of each other
    place = place_label(doc, only_loop(doc))
    assert not place.inside
    assert abs(place.position[1]) >= 40 and place.position[0] == pytest.approx(100.0)


def test_labels_keep_clear_of_variables_outside_the_loop():
    doc = ring([(0.0, 0.0), (300.0, 0.0), (300.0, 300.0), (0.0, 300.0)])
    doc.add_variable("In the middle", position=(150.0, 150.0))
    place = place_label(doc, only_loop(doc))
    assert math.dist(place.position, (150.0, 150.0)) > 50


def test_labels_of_loops_sharing_an_inside_are_spread_apart():
    doc = ring([(0.0, 0.0), (300.0, 0.0), (300.0, 300.0), (0.0, 300.0)])
    v = doc.variables
    ids = list(v)
    doc.add_link(ids[2], ids[0], polarity="-", curvature=0.05)
    loops = name_loops(find_loops(causal_graph(doc)))
    first, second = place_labels(doc, loops)
    assert math.dist(first.position, second.position) > 40


@pytest.mark.parametrize("name", example_names())
def test_every_loop_of_the_examples_gets_a_label_inside(name):
    doc = load(example_path(name))
    loops = name_loops(find_loops(causal_graph(doc)))
    for loop, place in zip(loops, place_labels(doc, loops), strict=True):
        outline = loop_outline(doc, loop)
        if place.inside:
            assert _inside(np.asarray([place.position]), np.asarray(outline))[0], loop.name


def test_the_hand_placed_labels_of_an_example_turn_the_way_we_compute():
    doc = load(example_path("social_care_workload"))
    loops = {frozenset(loop.variables): loop for loop in find_loops(causal_graph(doc))}
    labelled = [label for label in doc.loop_labels.values() if frozenset(label.loop) in loops]
    assert len(labelled) >= 5
    for label in labelled:
        assert place_label(doc, loops[frozenset(label.loop)]).direction is label.direction, label.text
