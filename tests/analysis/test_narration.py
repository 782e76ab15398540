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


# -- saved sequences and dominance order ---------------------------------------------------------

SIR = EXAMPLE.parent / "sir_epidemic.xmile"


def test_saved_slides_play_back_as_the_automatic_sequence():
    from sysmap.analysis.narration import slides_from_steps, steps_from_slides

    doc = load(EXAMPLE)
    steps = default_sequence(doc)
    slides = slides_from_steps(steps)
    assert all(slide.caption == "" for slide in slides)
    assert [s.kind for s in slides] == [s.kind for s in steps]
    played = steps_from_slides(doc, slides)
    assert [(s.kind, s.ids, s.caption, s.revealed) for s in played] == [
        (s.kind, s.ids, s.caption, s.revealed) for s in steps
    ]


def test_saved_captions_and_notes_are_kept_and_empty_ones_follow_renames():
    from sysmap.analysis.narration import presentation_steps
    from sysmap.model.workshop import Slide, set_presentation

    doc, ids = chain("Workload", "+", "Overtime", "-")
    link = next(iter(doc.links))
    from sysmap.model.operations import add_loop_label

    doc.apply(add_loop_label(doc, "B1", (0, 0), loop=tuple(ids)))
    slides = [
        Slide("variable", (ids[1],), "Start with overtime", "ask who works late"),
        Slide("link", (link,)),
        Slide("loop", tuple(ids)),
        Slide("map"),
    ]
    doc.apply(set_presentation(doc, slides))
    doc.rename_variable(ids[0], "Caseload")
    steps = presentation_steps(doc)
    assert [s.kind for s in steps] == ["variable", "link", "loop", "map"]
    assert steps[0].caption == "Start with overtime" and steps[0].notes == "ask who works late"
    assert steps[1].caption == "Caseload → Overtime (+)"
    # a link step reveals the two variables it joins
    assert set(ids) <= set(steps[1].revealed)
    told = "As Caseload rises, Overtime rises, so Caseload falls back: a balancing loop."
    assert steps[2].caption == f"B1: {told}"  # the loop label's text in front
    assert steps[3].caption == "The whole map"
    assert set(steps[3].ids) >= set(doc.variables) | set(doc.links)
    assert steps[3].revealed[: len(steps[2].revealed)] == steps[2].revealed


def test_deleted_elements_are_skipped_and_a_step_left_empty_dropped():
    from sysmap.analysis.narration import steps_from_slides
    from sysmap.model.workshop import Slide

    doc, ids = chain("Workload", "+", "Overtime", "-")
    slides = [Slide("variable", (ids[0],)), Slide("variable", (ids[1],)), Slide("variable", ("gone",))]
    doc.remove(ids[1])
    steps = steps_from_slides(doc, slides)
    assert [s.ids for s in steps] == [(ids[0],)]


def test_without_a_saved_sequence_the_presentation_is_the_automatic_one():
    from sysmap.analysis.narration import presentation_steps

    doc = load(EXAMPLE)
    assert not doc.presentation
    assert presentation_steps(doc) == default_sequence(doc)


@pytest.fixture(scope="module")
def sir():
    from sysmap.analysis.dominance import loop_dominance

    doc = load(SIR)
    return doc, loop_dominance(doc)


def _loop_names(doc, steps):
    names = []
    for step in steps:
        if step.kind == "loop":
            label = next(doc.loop_labels[i].text for i in step.ids if i in doc.loop_labels)
            names.append(label)
    return names


def test_dominance_order_puts_the_loop_that_drives_the_run_first(sir):
    from sysmap.analysis.narration import dominance_sequence

    doc, dominance = sir
    # `sysmap dominance`: R1 drives t 0-20, then B1, then B2
    first = [p.loops[0][0].name for p in dominance.periods()]
    assert first == ["R1", "B1", "B2"]
    steps = dominance_sequence(doc, dominance)
    assert _loop_names(doc, steps) == ["R1", "B1", "B2"]
    assert steps[3].caption.startswith("R1: As Infected rises, Infection rises")
    # everything is shown by the end, each variable once
    assert set(steps[-1].revealed) >= set(doc.variables) | set(doc.links)
    shown = [s.ids[0] for s in steps if s.kind == "variable"]
    assert sorted(shown) == sorted(set(shown))


def test_dominance_order_by_share_and_from_a_start(sir):
    from sysmap.analysis.narration import dominance_sequence

    doc, dominance = sir
    # B2 holds the largest share over the whole run
    assert _loop_names(doc, dominance_sequence(doc, dominance, by="share")) == ["B2", "R1", "B1"]
    recovered = doc.variable_named("Recovered").id
    steps = dominance_sequence(doc, dominance, start=recovered)
    assert steps[0].ids == (recovered,)
    with pytest.raises(KeyError):
        dominance_sequence(doc, dominance, start="nope")
    with pytest.raises(ValueError):
        dominance_sequence(doc, dominance, by="size")
