"""Open loops: each prompt names a link that really closes a loop, of the polarity it says."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loop_labels import cycle_key
from sysmap.analysis.loops import find_loops
from sysmap.analysis.open_loops import find_open_loops, open_loops
from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import Kind, SystemMap

WORLD3 = Path("/work/shared/models/wrld3-03.xmile")


def chain(*signs: str) -> tuple[SystemMap, list[str]]:
    """Variables A, B, C... joined in a chain A -> B -> C with ``signs``."""
    doc = SystemMap()
    ids = [doc.add_variable(chr(ord("A") + i)).id for i in range(len(signs) + 1)]
    for (u, v), sign in zip(zip(ids, ids[1:], strict=False), signs, strict=True):
        doc.add_link(u, v, polarity=sign)
    return doc, ids


def described(doc: SystemMap, found) -> list[tuple]:
    name = {vid: v.name for vid, v in doc.variables.items()}
    return [
        (
            name[o.cause],
            name[o.effect],
            "".join(name[v] for v in o.loop),
            o.sign,
            o.polarity_plus,
            o.polarity_minus,
        )
        for o in found
    ]


def test_a_chain_gives_every_backward_link_most_new_variables_first_spread_over_the_map():
    doc, _ = chain("+", "-", "+")
    assert described(doc, open_loops(doc)) == [
        ("D", "A", "DABC", "-", "B", "R"),  # brings all four variables into feedback
        ("C", "B", "CB", "-", "B", "R"),  # the best of those sharing no variable with it
        ("C", "A", "CAB", "-", "B", "R"),  # then each variable's second prompt, by rank
        ("D", "B", "DBC", "-", "B", "R"),
        ("B", "A", "BA", "+", "R", "B"),
        ("D", "C", "DC", "+", "R", "B"),
    ]
    first = open_loops(doc)[0]
    assert first.new_loops_through == 4 and first.length == 4
    assert first.path == (first.effect, *first.loop[2:], first.cause)
    assert first.sentence == (
        "A link from D to A would close a loop through B and C: "
        "balancing if more D brings more A, reinforcing if it brings less."
    )


def test_shortest_path_is_reported_and_linked_pairs_and_self_pairs_are_skipped():
    doc, (a, b, c, d) = chain("+", "+", "+")
    doc.add_link(a, c, polarity="-")  # a shortcut: A -> C directly
    doc.add_link(d, a, polarity="+")  # already closes A B C D
    found = {(o.cause, o.effect): o for o in open_loops(doc)}
    assert (d, a) not in found  # already linked
    assert all(o.cause != o.effect for o in found.values())
    assert found[d, b].loop == (d, b, c)
    assert found[c, a].loop == (c, a) and found[c, a].sign == "-"  # the short way round, A -> C
    assert all(o.new_loops_through == 0 for o in found.values())  # every variable is on a loop already


def test_unknown_signs_and_limits():
    doc, (a, _, c) = chain("+", "?")
    top = open_loops(doc)[0]
    assert (top.cause, top.effect, top.sign, top.polarity_plus, top.polarity_minus) == (c, a, "?", "U", "U")
    assert "depends on links of unknown sign" in top.sentence
    assert len(open_loops(doc, limit=1)) == 1
    assert [o.length for o in open_loops(doc, max_length=2)] == [2, 2]


def test_a_stock_is_never_the_effect():
    from sysmap.model import operations

    doc = SystemMap()
    demand = doc.add_variable("Demand", equation="3")
    inflow = doc.add_variable("Arrivals", kind=Kind.FLOW, equation="demand")
    stock = doc.add_variable("Backlog", kind=Kind.STOCK, equation="10")
    pressure = doc.add_variable("Pressure", equation="backlog")
    doc.apply(operations.attach_flow(doc, inflow.id, source=None, sink=stock.id))
    assert causal_graph(doc, derive=True).has_edge(inflow.id, stock.id)
    assert [(o.cause, o.effect, o.new_loops_through) for o in open_loops(doc)] == [
        (pressure.id, demand.id, 4),
        (stock.id, inflow.id, 2),
        (stock.id, demand.id, 3),
        (pressure.id, inflow.id, 3),
        (inflow.id, demand.id, 2),
    ]


def closes_as_stated(doc: SystemMap, o, sign: str) -> bool:
    """Add the link ``o`` proposes with ``sign`` and look for the new loop among all loops."""
    trial = doc.copy()
    trial.add_link(o.cause, o.effect, polarity=sign)
    before = {cycle_key(loop.variables) for loop in find_loops(causal_graph(doc, derive=True))}
    after = {
        cycle_key(loop.variables): loop.polarity for loop in find_loops(causal_graph(trial, derive=True))
    }
    key = cycle_key(o.loop)
    return key not in before and after.get(key) == o.polarity(sign)


@pytest.mark.parametrize("name", ["worklessness", "social_care_workload"])
def test_every_prompt_on_an_example_really_closes_a_loop_of_its_polarity(name):
    doc = load(example_path(name))
    found = open_loops(doc, limit=500)
    assert found
    for o in found:
        assert closes_as_stated(doc, o, "+"), o.sentence
        assert closes_as_stated(doc, o, "-"), o.sentence
    keys = [(-o.new_loops_through, o.length) for o in found]
    assert keys[0] == min(keys)
    # spread over the map: the first prompts do not all hang on one variable
    assert len({o.effect for o in found[:6]}) >= 4 and len({o.cause for o in found[:6]}) >= 4


def test_the_order_does_not_depend_on_the_order_variables_were_added():
    doc, _ = chain("+", "-", "+")
    shuffled = SystemMap()
    for vid in reversed(list(doc.variables)):
        shuffled.add_variable(doc.variables[vid].name)
    for link in doc.links.values():
        shuffled.add_link(
            shuffled.variable_named(doc.variables[link.source].name).id,
            shuffled.variable_named(doc.variables[link.target].name).id,
            polarity=link.polarity,
        )
    assert [row[:3] for row in described(doc, open_loops(doc))] == [
        row[:3] for row in described(shuffled, open_loops(shuffled))
    ]


@pytest.mark.skipif(not WORLD3.exists(), reason="World3 is not on this machine")
def test_world3_stays_within_its_time_budget():
    doc = load(WORLD3)
    graph = causal_graph(doc, derive=True)
    started = time.monotonic()
    found = find_open_loops(doc, graph=graph, time_limit=2.0)
    spent = time.monotonic() - started
    assert len(found.loops) == 50
    assert spent < 2.0 + 1.0  # the budget, plus building the 50 answers
    assert found.found >= len(found.loops)
    cut = find_open_loops(doc, graph=graph, time_limit=0.0)
    assert not cut.complete
