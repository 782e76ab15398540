"""Loop narration and the default presentation sequence."""

from pathlib import Path

import pytest

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loops import find_loops, make_loop, polarity_of
from sysmap.analysis.narration import Step, default_sequence, narrate
from sysmap.io import load
from sysmap.model import SystemMap

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "social_care_workload.xmile"


def chain(*spec, delays=()):
    """A map whose variables ``spec[0::2]`` form a loop with link polarities ``spec[1::2]``."""
    doc = SystemMap()
    names, signs = spec[0::2], spec[1::2]
    ids = [doc.add_variable(name).id for name in names]
    for i, sign in enumerate(signs):
        doc.add_link(ids[i], ids[(i + 1) % len(ids)], polarity=sign, delay=i in delays)
    return doc, ids


def told(doc, ids):
    return narrate(make_loop(causal_graph(doc), ids), doc)


def test_reinforcing_loop_reads_as_specified():
    doc, ids = chain("Workload", "+", "Sick leave", "-", "Staff available", "-")
    assert told(doc, ids) == (
        "As Workload rises, Sick leave rises, Staff available falls, "
        "so Workload rises further: a reinforcing loop."
    )


def test_balancing_loop_reads_as_specified():
    doc, ids = chain("Workload", "+", "Overtime", "-")
    assert told(doc, ids) == "As Workload rises, Overtime rises, so Workload falls back: a balancing loop."


def test_unknown_polarity_loop_says_the_map_does_not_say():
    doc, ids = chain("Workload", "+", "Morale", "", "Staff available", "-")
    assert told(doc, ids) == (
        "As Workload rises, Morale rises, Staff available changes, "
        "which changes Workload in a way the map does not say: an undetermined loop."
    )


def test_delayed_links_are_marked_where_they_act():
    doc, ids = chain("Workload", "+", "Sick leave", "-", "Staff available", "-", delays=(0, 2))
    assert told(doc, ids) == (
        "As Workload rises, Sick leave rises (after a delay), Staff available falls, "
        "so Workload rises further (after a delay): a reinforcing loop."
    )


def test_narration_uses_labels_and_needs_no_graph_for_a_found_loop():
    doc, _ = chain("staff_available", "-", "Workload", "-")
    (loop,) = find_loops(causal_graph(doc))
    assert narrate(loop, doc) == (
        "As staff available rises, Workload falls, so staff available rises further: a reinforcing loop."
    )


def test_self_loop_reads_sensibly():
    doc = SystemMap()
    v = doc.add_variable("Rumour")
    doc.add_link(v.id, v.id, polarity="+")
    assert told(doc, [v.id]) == "As Rumour rises, Rumour itself rises further: a reinforcing loop."


@pytest.fixture(scope="module")
def social_care():
    return load(EXAMPLE)


def test_every_variable_and_link_is_revealed_by_the_end(social_care):
    steps = default_sequence(social_care)
    assert set(social_care.variables) | set(social_care.links) <= set(steps[-1].revealed)
    for before, after in zip(steps, steps[1:], strict=False):
        assert after.revealed[: len(before.revealed)] == before.revealed
        assert set(after.ids) <= set(after.revealed)


def test_default_start_is_the_variable_on_most_loops(social_care):
    steps = default_sequence(social_care)
    workload = social_care.variable_named("Social worker workload").id
    assert steps[0] == Step("variable", (workload,), "Social worker workload", (workload,))


def test_given_start_comes_first_and_its_loops_follow_shortest_first(social_care):
    start = social_care.variable_named("Public criticism").id
    steps = default_sequence(social_care, start)
    assert steps[0].ids == (start,) and steps[0].caption == "Public criticism"
    first_loop = next(s for s in steps if s.kind == "loop")
    assert first_loop.caption.startswith(
        "R5: As Public criticism rises, Procedural requirements rises, Time with"
    )
    assert start in first_loop.ids


def test_loop_captions_match_the_polarity_of_their_links(social_care):
    loop_steps = [s for s in default_sequence(social_care) if s.kind == "loop"]
    assert len(loop_steps) >= 7
    words = {"R": "a reinforcing loop.", "B": "a balancing loop.", "U": "an undetermined loop."}
    for step in loop_steps:
        signs = [social_care.links[i].polarity.value for i in step.ids if i in social_care.links]
        assert step.caption.endswith(words[polarity_of(signs)])


def test_link_steps_show_the_link_and_its_sign(social_care):
    steps = default_sequence(social_care)
    link = next(s for s in steps if s.kind == "link")
    (lid,) = link.ids
    drawn = social_care.links[lid]
    assert drawn.source in link.revealed and drawn.target in link.revealed
    assert link.caption == "Social worker workload → Overtime (+)"
    assert "Overtime → Social worker workload (−)" in [s.caption for s in steps]


def test_sequence_is_deterministic(social_care):
    assert default_sequence(social_care) == default_sequence(load(EXAMPLE))


def test_unknown_start_is_refused(social_care):
    with pytest.raises(KeyError, match="nope"):
        default_sequence(social_care, "nope")


def test_map_without_loops_still_shows_everything():
    doc = SystemMap()
    a, b = doc.add_variable("Rain"), doc.add_variable("Puddles")
    link = doc.add_link(a.id, b.id, polarity="+")
    steps = default_sequence(doc)
    assert [s.kind for s in steps] == ["variable", "variable", "link"]
    assert steps[-1].caption == "Rain → Puddles (+)" and link.id in steps[-1].revealed
    assert default_sequence(SystemMap()) == []
