"""The bundled example maps: they load, hold what they should, and their loops are real loops."""

import itertools
import subprocess
import sys

import pytest

from sysmap.examples import DEFAULT_EXAMPLE, example_names, example_path
from sysmap.io import load, xmile
from sysmap.model import Kind, Polarity, link_discrepancies
from sysmap.model.geometry import default_pipe
from sysmap.model.workshop import STANDARD_PERSPECTIVES

# name: (variables, concepts, stocks, flows, auxiliaries, links, + links, - links, loop labels)
COUNTS = {
    "social_care_workload": (13, 13, 0, 0, 0, 20, 11, 9, 7),
    "perfect_storm": (11, 11, 0, 0, 0, 13, 7, 6, 3),
    "population_resources": (6, 6, 0, 0, 0, 9, 5, 4, 4),
    "pa_feedback": (5, 5, 0, 0, 0, 5, 5, 0, 1),
    "urban_housing": (8, 8, 0, 0, 0, 11, 7, 4, 3),
    "waiting_list_targets": (9, 9, 0, 0, 0, 11, 7, 4, 3),
    "worklessness": (13, 0, 3, 4, 6, 12, 11, 1, 0),
    "system_infrastructure": (10, 10, 0, 0, 0, 14, 14, 0, 5),
    "bathtub": (5, 0, 1, 2, 2, 3, 2, 1, 1),
    "sir_epidemic": (9, 0, 3, 2, 4, 7, 5, 2, 3),
}

STOCK_FLOW = ("worklessness", "bathtub", "sir_epidemic")

# flow name: (stock it drains, stock it fills); None is a cloud
FLOW_ENDS = {
    "worklessness": {
        "Job finding": ("Jobseekers", "People in work"),
        "Job loss": ("People in work", "Jobseekers"),
        "Moving onto incapacity benefit": ("Jobseekers", "Incapacity benefit claimants"),
        "Moving off incapacity benefit": ("Incapacity benefit claimants", "Jobseekers"),
    },
    "bathtub": {"Filling": (None, "Water in tub"), "Draining": ("Water in tub", None)},
    "sir_epidemic": {"Infection": ("Susceptible", "Infected"), "Recovery": ("Infected", "Recovered")},
}

COMPONENTS = (
    "Place-based funding",
    "Accountability",
    "Evaluation and evidence",
    "Intelligence and data",
    "OD/HR",
    "Strategies and plans",
    "Outcomes",
    "Collaborative delivery",
    "Collaborative spaces",
    "Governance",
)
PERSPECTIVES = {p.name for p in STANDARD_PERSPECTIVES}


@pytest.fixture(scope="module", params=sorted(COUNTS))
def example(request):
    return request.param, load(example_path(request.param))


def test_every_example_is_listed():
    assert set(example_names()) == set(COUNTS)
    assert DEFAULT_EXAMPLE in COUNTS


def test_counts(example):
    name, doc = example
    variables = list(doc.variables.values())
    links = list(doc.links.values())
    found = (
        len(variables),
        sum(v.kind == Kind.CONCEPT for v in variables),
        sum(v.kind == Kind.STOCK for v in variables),
        sum(v.kind == Kind.FLOW for v in variables),
        sum(v.kind == Kind.AUX for v in variables),
        len(links),
        sum(link.polarity == Polarity.POSITIVE for link in links),
        sum(link.polarity == Polarity.NEGATIVE for link in links),
        len(doc.loop_labels),
    )
    assert found == COUNTS[name]


def test_every_link_has_a_sign(example):
    _, doc = example
    assert {link.polarity for link in doc.links.values()} <= {Polarity.POSITIVE, Polarity.NEGATIVE}


def test_named_and_documented(example):
    name, doc = example
    assert doc.name
    assert "Source" in doc.documentation
    for var in doc.variables.values():
        assert var.documentation.strip(), var.name
    for label in doc.loop_labels.values():
        assert label.documentation.strip(), label.text


def test_file_is_in_canonical_form(example):
    name, doc = example
    assert xmile.dumps(doc) == example_path(name).read_bytes()


def _edges(doc, flows):
    """(source, target) -> polarity of the drawn links and, if ``flows``, of the flows into stocks."""
    edges = {(link.source, link.target): link.polarity for link in doc.links.values()}
    for var in doc.variables.values() if flows else ():
        for fid in var.inflows:
            edges.setdefault((fid, var.id), Polarity.POSITIVE)
        for fid in var.outflows:
            edges.setdefault((fid, var.id), Polarity.NEGATIVE)
    return edges


def test_loop_labels_name_real_loops(example):
    name, doc = example
    # On a stock-and-flow map a loop may run through a flow into its stock (along the pipe).
    edges = _edges(doc, flows=name in STOCK_FLOW)
    for label in doc.loop_labels.values():
        loop = label.loop
        assert len(loop) >= 2, label.text
        assert len(set(loop)) == len(loop), label.text
        signs = []
        for a, b in zip(loop, loop[1:] + loop[:1], strict=True):
            names = f"{doc.variables[a].name} -> {doc.variables[b].name}"
            assert (a, b) in edges, f"{label.text}: no link {names}"
            signs.append(edges[a, b])
        negatives = signs.count(Polarity.NEGATIVE)
        kind = "R" if negatives % 2 == 0 else "B"
        assert label.text.startswith(kind), f"{label.text} has {negatives} negative links"


@pytest.mark.parametrize("name", STOCK_FLOW)
def test_stock_flow_structure(name):
    doc = load(example_path(name))
    assert link_discrepancies(doc) == []
    assert doc.sim_specs.time_units
    assert doc.sim_specs.stop > doc.sim_specs.start
    flows = doc.variables_of_kind(Kind.FLOW)
    assert {f.name for f in flows} == set(FLOW_ENDS[name])
    for flow in flows:
        source, sink = FLOW_ENDS[name][flow.name]
        ends = tuple(None if vid is None else doc.variables[vid].name for vid in doc.flow_ends(flow.id))
        assert ends == (source, sink), flow.name
        # a pipe is drawn by hand, or runs the default route between its ends
        stocks = [None if vid is None else doc.variables[vid] for vid in doc.flow_ends(flow.id)]
        route = flow.points or default_pipe(flow.position, *stocks)
        assert len(route) == 2, flow.name
    for var in doc.variables.values():
        assert var.equation.strip(), var.name
        assert var.units, var.name


def test_concepts_are_spaced_apart(example):
    _, doc = example
    concepts = [v for v in doc.variables.values() if v.kind in (Kind.CONCEPT, Kind.STOCK)]
    for a, b in itertools.combinations(concepts, 2):
        dx = abs(a.position[0] - b.position[0])
        dy = abs(a.position[1] - b.position[1])
        assert dx >= 150 or dy >= 80, f"{a.name} and {b.name} are too close"
    for var in doc.variables.values():
        x, y = var.position
        assert 0 <= x <= 1000 and 0 <= y <= 720, var.name


def test_system_infrastructure_components_and_perspectives():
    doc = load(example_path("system_infrastructure"))
    for component in COMPONENTS:
        assert doc.variable_named(component) is not None, component
    assert len(doc.variables) == len(COMPONENTS)
    for var in doc.variables.values():
        assert var.tags, var.name
        assert set(var.tags) <= PERSPECTIVES, var.name
    for link in doc.links.values():
        assert set(link.tags) <= PERSPECTIVES
    # the tags are the workshop's perspectives, so the Perspectives panel shows them at once
    assert doc.perspectives == STANDARD_PERSPECTIVES


def test_default_example_has_reinforcing_and_balancing_loops():
    doc = load(example_path("social_care_workload"))
    texts = [label.text for label in doc.loop_labels.values()]
    assert any(t.startswith("R") for t in texts)
    assert any(t.startswith("B") for t in texts)


def test_info_command_prints_the_counts(repo):
    result = subprocess.run(
        [sys.executable, "-m", "sysmap", "info", "examples/worklessness.xmile"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "variables:   13 (0 concepts, 3 stocks, 4 flows, 6 auxiliaries)" in lines
    assert "links:       12 (11 +, 1 -, 0 ?, 0 unmarked; 0 delayed)" in lines
    assert "simulation:  from 0 to 120 months, dt 0.25, euler" in lines


def test_examples_render(example):
    pytest.importorskip("PySide6")
    from sysmap.ui.snapshot import render_map

    _, doc = example
    image = render_map(doc, scale=0.5)
    assert image.width() > 100 and image.height() > 100
