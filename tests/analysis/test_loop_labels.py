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


# -- labelling a map's loops, and laying it out with its labels ----------------------------------

from edit_checks import applied  # noqa: E402

from sysmap.analysis.loop_basis import independent_loops  # noqa: E402
from sysmap.analysis.loop_labels import (  # noqa: E402
    cycle_key,
    is_automatic,
    label_loops_edit,
    layout_with_labels_edit,
)
from sysmap.analysis.loops import components, make_loop  # noqa: E402
from sysmap.errors import ModelError  # noqa: E402
from sysmap.model import operations as ops  # noqa: E402


def unlabelled(name):
    doc = load(example_path(name))
    doc.remove(*doc.loop_labels)
    return doc


@pytest.mark.parametrize("name", example_names())
def test_every_independent_loop_of_an_example_gets_one_label(name):
    doc = unlabelled(name)
    graph = causal_graph(doc)
    rank = sum(c.cycle_rank for c in components(graph))
    edit = applied(doc, label_loops_edit(doc))
    assert len(doc.loop_labels) == rank
    assert edit.text == f"Label {rank} loop{'s' if rank != 1 else ''}"
    for label in doc.loop_labels.values():
        loop = make_loop(graph, list(label.loop))
        assert label.text[0] == loop.polarity, label.text
        assert place_label(doc, loop).direction is label.direction
    # numbered 1, 2, ... per letter
    for letter in "RBU":
        numbers = sorted(int(lab.text[1:]) for lab in doc.loop_labels.values() if lab.text[0] == letter)
        assert numbers == list(range(1, len(numbers) + 1))
    again = label_loops_edit(doc)
    assert again.text == "Label 0 loops" and again.edits == []


def test_cld_examples_label_as_many_loops_as_the_drawn_graphs_cycle_rank():
    import networkx as nx

    for name in ("urban_housing", "social_care_workload"):
        doc = unlabelled(name)
        drawn = nx.DiGraph((k.source, k.target) for k in doc.links.values())
        rank = (
            drawn.number_of_edges() - drawn.number_of_nodes() + nx.number_weakly_connected_components(drawn)
        )
        doc.apply(label_loops_edit(doc))
        assert len(doc.loop_labels) == rank > 0


def test_hand_drawn_labels_count_in_any_rotation_and_numbers_go_on_after_them():
    doc = load(example_path("urban_housing"))  # three hand-placed labels for its four loops
    texts = sorted(label.text for label in doc.loop_labels.values())
    assert texts == ["B1", "R1", "R2"]
    graph = causal_graph(doc)
    labelled = {cycle_key(label.loop) for label in doc.loop_labels.values()}
    missing = [loop for loop in independent_loops(graph) if cycle_key(loop.variables) not in labelled]
    edit = applied(doc, label_loops_edit(doc))
    assert edit.text == f"Label {len(missing)} loop{'s' if len(missing) != 1 else ''}"
    added = sorted(label.text for label in doc.loop_labels.values() if label.text not in texts)
    expected = {"R": 3, "B": 2, "U": 1}
    assert added == sorted(f"{loop.polarity}{expected[loop.polarity]}" for loop in missing)
    # a label that lists the loop from another variable counts as labelling it
    label = next(iter(doc.loop_labels.values()))
    rotated = label.loop[1:] + label.loop[:1]
    doc.apply(ops.update(doc, label.id, loop=rotated))
    assert label_loops_edit(doc).edits == []


def test_replace_relabels_the_automatic_labels_and_keeps_the_users():
    doc = unlabelled("social_care_workload")
    doc.apply(label_loops_edit(doc))
    mine = next(label for label in doc.loop_labels.values() if label.text == "R1")
    doc.apply(ops.update(doc, mine.id, text="R1 burnout"))
    assert not is_automatic(doc.loop_labels[mine.id])
    before = {lid: label.text for lid, label in doc.loop_labels.items()}
    edit = applied(doc, label_loops_edit(doc, replace=True))
    assert doc.loop_labels[mine.id].text == "R1 burnout"
    assert not set(before) - {mine.id} & set(doc.loop_labels)  # the others were made anew
    assert len(doc.loop_labels) == len(before)
    assert sorted(t for t in before.values() if t != "R1 burnout") == sorted(
        label.text for lid, label in doc.loop_labels.items() if lid != mine.id
    )
    assert edit.text == f"Label {len(before) - 1} loops"


def test_given_loops_are_labelled_and_a_non_loop_is_refused():
    doc = ring([(0.0, 0.0), (200.0, 0.0), (100.0, 150.0)], polarity="-")
    ids = list(doc.variables)
    edit = applied(doc, label_loops_edit(doc, loops=[ids[1:] + ids[:1]]))
    (label,) = doc.loop_labels.values()
    assert label.text == "B1" and cycle_key(label.loop) == cycle_key(tuple(ids))
    with pytest.raises(ModelError, match="not a loop"):
        label_loops_edit(doc, loops=[ids[::-1]])
    assert edit.text == "Label 1 loop"


@pytest.mark.parametrize("name", ["social_care_workload", "population_resources", "sir_epidemic"])
def test_layout_with_labels_puts_each_label_inside_its_loop(name):
    doc = load(example_path(name))
    placed = [e.id for e in doc.elements() if getattr(e, "position", None) is not None]
    doc.apply(ops.move(doc, dict.fromkeys(placed, (0.0, 0.0))))
    edit = applied(doc, layout_with_labels_edit(doc))
    assert edit.text.startswith("Auto-layout")
    graph = causal_graph(doc)
    inside = 0
    for label in doc.loop_labels.values():
        loop = make_loop(graph, list(label.loop))
        outline = np.asarray(loop_outline(doc, loop))
        place = place_label(doc, loop)
        assert label.direction is place.direction
        if place.inside:
            inside += 1
            assert _inside(np.asarray([label.position]), outline)[0], label.text
    assert inside >= 1
