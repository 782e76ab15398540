"""System archetypes: each textbook structure is recognised with the right variables in the
right roles, the example maps that embody one are recognised, look-alikes are not, big maps
stay within budget, and ``sysmap archetypes`` says so plainly."""

import json
import math
import string
from pathlib import Path

import networkx as nx
import pytest

from sysmap.analysis.archetype_templates import archetype_template, template_names
from sysmap.analysis.archetypes import ARCHETYPES, archetype, find_archetypes
from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loops import find_loops
from sysmap.cli import main
from sysmap.examples import example_path
from sysmap.io import load, save
from sysmap.model import Kind, SystemMap

SHARED = Path(__file__).resolve().parents[3] / "shared"


def build(*links: str, stocks=(), flows=()) -> SystemMap:
    """A map from links written ``"Cause +> Effect"``, ``"Cause -> Effect"``, ``"Cause ?> Effect"``,
    with ``D`` before ``>`` for a delay mark (``"A +D> B"``)."""
    doc = SystemMap()
    ids = {}

    def var(name):
        if name not in ids:
            kind = Kind.STOCK if name in stocks else Kind.FLOW if name in flows else Kind.CONCEPT
            ids[name] = doc.add_variable(name, kind=kind).id
        return ids[name]

    for text in links:
        for mark in ("+D>", "-D>", "?D>", "+>", "->", "?>"):
            if f" {mark} " in text:
                cause, effect = text.split(f" {mark} ")
                doc.add_link(var(cause), var(effect), polarity=mark[0], delay="D" in mark)
                break
        else:
            raise ValueError(text)
    return doc


def roles(match) -> dict:
    return {r.key: r.name for r in match.roles}


def best(doc, **kwargs):
    report = find_archetypes(doc, **kwargs)
    assert report.matches, "no archetype found"
    return report.matches[0]


# -- the nine archetypes, in textbook form with everyday names --------------------------------

TEXTBOOK = {
    "fixes_that_fail": (
        [
            "Housing shortage +> Build more houses",
            "Build more houses -> Housing shortage",
            "Build more houses +D> Attractiveness of the city",
            "Attractiveness of the city +> Housing shortage",
        ],
        {
            "symptom": "Housing shortage",
            "solution": "Build more houses",
            "consequence": "Attractiveness of the city",
        },
    ),
    "shifting_the_burden": (
        [
            "Back pain +> Painkillers",
            "Painkillers -> Back pain",
            "Back pain +> Physiotherapy",
            "Physiotherapy -D> Back pain",
            "Painkillers +> Reliance on pills",
            "Reliance on pills -> Physiotherapy",
        ],
        {
            "symptom": "Back pain",
            "quick_fix": "Painkillers",
            "remedy": "Physiotherapy",
            "side_effect": "Reliance on pills",
        },
    ),
    "limits_to_growth": (
        [
            "Sales +> Word of mouth",
            "Word of mouth +> Sales",
            "Sales +D> Market saturation",
            "Market saturation -> Sales",
            "Market size -> Market saturation",
        ],
        {"state": "Sales", "growth": "Word of mouth", "brake": "Market saturation"},
    ),
    "eroding_goals": (
        [
            "Quality target +> Quality gap",
            "Actual quality -> Quality gap",
            "Quality gap +> Process improvement",
            "Process improvement +D> Actual quality",
            "Quality gap +> Pressure to relax the target",
            "Pressure to relax the target -> Quality target",
        ],
        {
            "gap": "Quality gap",
            "action": "Process improvement",
            "state": "Actual quality",
            "goal": "Quality target",
            "pressure": "Pressure to relax the target",
        },
    ),
    "escalation": (
        [
            "Lead of A over B -> A's arms build-up",
            "A's arms build-up +D> A's arsenal",
            "A's arsenal +> Lead of A over B",
            "Lead of A over B +> B's arms build-up",
            "B's arms build-up +D> B's arsenal",
            "B's arsenal -> Lead of A over B",
        ],
        {
            "relative": "Lead of A over B",
            "action_a": "A's arms build-up",
            "results_a": "A's arsenal",
            "action_b": "B's arms build-up",
            "results_b": "B's arsenal",
        },
    ),
    "success_to_the_successful": (
        [
            "Time for work instead of family +> Time at work",
            "Time at work +> Success at work",
            "Success at work +> Time for work instead of family",
            "Time for work instead of family -> Time with family",
            "Time with family +> Family happiness",
            "Family happiness -> Time for work instead of family",
        ],
        {
            "allocation": "Time for work instead of family",
            "resources_a": "Time at work",
            "success_a": "Success at work",
            "resources_b": "Time with family",
            "success_b": "Family happiness",
        },
    ),
    "tragedy_of_the_commons": (
        [
            "Ann's profit +> Ann's herd",
            "Ann's herd +> Ann's profit",
            "Bob's profit +> Bob's herd",
            "Bob's herd +> Bob's profit",
            "Ann's herd +> Cattle on the common",
            "Bob's herd +> Cattle on the common",
            "Cattle on the common -D> Grass per cow",
            "Grass per cow +> Ann's profit",
            "Grass per cow +> Bob's profit",
        ],
        {
            "activity_a": "Ann's herd",
            "gains_a": "Ann's profit",
            "activity_b": "Bob's herd",
            "gains_b": "Bob's profit",
            "total": "Cattle on the common",
            "yield_": "Grass per cow",
        },
    ),
    "growth_and_underinvestment": (
        [
            "Marketing +> Orders",
            "Orders +> Marketing",
            "Orders +> Delivery time",
            "Delivery time -> Orders",
            "Delivery time +> Investment in capacity",
            "Investment in capacity +D> Production capacity",
            "Production capacity -> Delivery time",
        ],
        {
            "demand": "Orders",
            "growth": "Marketing",
            "performance": "Delivery time",
            "need": "Investment in capacity",
            "capacity": "Production capacity",
        },
    ),
    "accidental_adversaries": (
        [
            "Supplier's success +> Supplier's support for retailer",
            "Supplier's support for retailer +> Retailer's success",
            "Retailer's success +> Retailer's support for supplier",
            "Retailer's support for supplier +> Supplier's success",
            "Supplier's success +> Supplier's price promotions",
            "Supplier's price promotions +> Supplier's success",
            "Retailer's success +> Retailer's stockpiling",
            "Retailer's stockpiling +> Retailer's success",
            "Supplier's price promotions -> Retailer's success",
            "Retailer's stockpiling -> Supplier's success",
        ],
        {
            "success_a": "Supplier's success",
            "fix_a": "Supplier's price promotions",
            "toward_b": "Supplier's support for retailer",
            "success_b": "Retailer's success",
            "fix_b": "Retailer's stockpiling",
            "toward_a": "Retailer's support for supplier",
        },
    ),
}

#: Roles of the two parties of a symmetric archetype, which either party may take.
SIDES = {
    "tragedy_of_the_commons": (("activity_a", "gains_a"), ("activity_b", "gains_b")),
    "accidental_adversaries": (("success_a", "fix_a", "toward_b"), ("success_b", "fix_b", "toward_a")),
}


def same_roles(key: str, found: dict, expected: dict) -> bool:
    if key not in SIDES:
        return found == expected
    a, b = SIDES[key]
    swapped = dict(found)
    for x, y in zip(a, b, strict=True):
        swapped[x], swapped[y] = found.get(y), found.get(x)
    return expected in (found, swapped)


def test_the_textbook_maps_cover_all_nine_archetypes():
    assert set(TEXTBOOK) == {p.key for p in ARCHETYPES} == set(template_names())


@pytest.mark.parametrize("key", sorted(TEXTBOOK))
def test_each_textbook_archetype_is_recognised_first_with_its_roles(key):
    links, expected = TEXTBOOK[key]
    match = best(build(*links))
    assert match.archetype == key
    assert match.confidence == "high" and match.strict
    assert same_roles(key, roles(match), expected), roles(match)


@pytest.mark.parametrize("key", sorted(TEXTBOOK))
def test_each_template_is_recognised_as_its_own_archetype(key):
    match = best(archetype_template(key))
    assert match.archetype == key
    assert match.confidence == "high"
    assert len(match.loops) == len({s.key for s in archetype(key).slots})


def test_the_story_tells_the_archetype_in_the_maps_words():
    match = best(build(*TEXTBOOK["fixes_that_fail"][0]))
    assert match.story == (
        "Fixes that fail: 'Build more houses' relieves 'Housing shortage' (B1), but through "
        "'Attractiveness of the city' and a delay it makes 'Housing shortage' worse again (R1)."
    )
    assert [(loop.name, loop.polarity) for loop in match.loops] == [("B1", "B"), ("R1", "R")]


def test_a_missing_delay_mark_lowers_confidence_and_says_why():
    links = [link.replace("+D>", "+>") for link in TEXTBOOK["fixes_that_fail"][0]]
    match = best(build(*links))
    assert match.archetype == "fixes_that_fail"
    assert match.confidence == "medium" and not match.strict
    assert match.notes == ("the unintended consequence carries no delay mark",)
    assert "and a delay" not in match.story
    assert find_archetypes(build(*links), min_confidence="high").matches == []


def test_shifting_the_burden_without_its_side_effect_is_less_sure():
    links = TEXTBOOK["shifting_the_burden"][0][:4]
    match = best(build(*links))
    assert match.archetype == "shifting_the_burden" and match.confidence == "medium"
    assert match.notes == ("no side-effect loop undermines the fundamental solution",)
    assert match.role("side_effect") is None


def test_the_fix_inside_shifting_the_burden_is_folded_into_it():
    report = find_archetypes(build(*TEXTBOOK["shifting_the_burden"][0]))
    assert [m.archetype for m in report.matches] == ["shifting_the_burden"]
    match = report.matches[0]
    quick, side = match.loop("symptomatic").name, match.loop("side").name
    assert match.also == (f"Fixes that fail ({quick}, {side})",)


def test_a_figure_of_eight_without_rivalry_is_not_escalation():
    esc = best(build(*TEXTBOOK["escalation"][0]))
    links = [
        link.replace("Lead of A over B -> A's", "Lead of A over B +> A's")
        for link in TEXTBOOK["escalation"][0]
    ]
    links = [link.replace("B's arsenal -> Lead", "B's arsenal +> Lead") for link in links]
    assert esc.archetype == "escalation"
    assert find_archetypes(build(*links)).matches == []  # same signs both ways: no rivalry


# -- examples ------------------------------------------------------------------------------------


def example_report(name, **kwargs):
    return find_archetypes(load(example_path(name)), **kwargs)


def test_urban_housing_is_fixes_that_fail():
    report = example_report("urban_housing")
    assert {m.archetype for m in report.matches} == {"fixes_that_fail"}
    found = {m.role("consequence") for m in report.matches}
    assert found == {"Out-of-work residents", "Land for business"}
    for m in report.matches:
        assert m.confidence == "high"
        assert m.role("symptom") == "Low-cost housing shortage"
        assert m.role("solution") == "Low-cost housing"


def test_waiting_list_targets_is_shifting_the_burden_with_a_fix_that_fails_inside():
    report = example_report("waiting_list_targets")
    match = report.matches[0]
    assert match.archetype == "shifting_the_burden" and match.confidence == "high"
    assert roles(match) == {
        "symptom": "Reported waiting time",
        "quick_fix": "Gaming",
        "remedy": "Treatment capacity",
        "side_effect": "Patients on trolleys",
    }
    assert "Fixes that fail (B1, R1)" in match.also


def test_social_care_workload_shows_the_management_fixes_that_fail():
    report = example_report("social_care_workload")
    fixes = {
        (m.role("solution"), m.role("consequence"))
        for m in report.matches
        if m.archetype == "fixes_that_fail"
    }
    assert fixes == {("Overtime", "Staff sick leave"), ("Referral threshold", "Re-referrals")}
    assert report.matches[0].archetype == "fixes_that_fail"


def test_population_and_resources_is_limits_to_growth():
    report = example_report("population_resources")
    assert len(report.matches) == 1
    match = report.matches[0]
    assert match.archetype == "limits_to_growth" and match.confidence == "high"
    assert roles(match) == {"state": "Population", "growth": "Births", "brake": "Deaths"}
    assert match.variants == 2  # the same limit through B1, B2 and B3: told once


def test_the_epidemic_is_limited_by_running_out_of_susceptible_people():
    report = example_report("sir_epidemic")
    limits = {(m.role("state"), m.role("brake")) for m in report.matches if m.archetype == "limits_to_growth"}
    assert ("Infection", "Susceptible") in limits


@pytest.mark.parametrize(
    "name", ["bathtub", "pa_feedback", "perfect_storm", "system_infrastructure", "worklessness"]
)
def test_examples_without_an_archetype_match_nothing(name):
    assert example_report(name).matches == []


# -- what is not an archetype ---------------------------------------------------------------------


def test_a_single_reinforcing_loop_matches_nothing():
    report = find_archetypes(build("A +> B", "B +> C", "C +> A"), min_confidence="low")
    assert report.matches == [] and report.loops_found == 1 and report.complete


def test_a_plain_balancing_loop_is_not_eroding_goals():
    doc = build(
        "Goal +> Gap", "Actual state -> Gap", "Gap +> Corrective action", "Corrective action +D> Actual state"
    )
    assert find_archetypes(doc, min_confidence="low").matches == []


def test_loops_of_unknown_polarity_match_nothing_and_are_counted():
    links = [link.replace("+", "?").replace("-", "?") for link in TEXTBOOK["fixes_that_fail"][0]]
    report = find_archetypes(build(*links), min_confidence="low")
    assert report.matches == [] and report.undetermined == report.loops_found == 2


def test_two_reinforcing_loops_that_both_gain_are_not_success_to_the_successful():
    doc = build("Hub +> A", "A +> Hub", "Hub +> B", "B +> Hub")
    assert find_archetypes(doc, min_confidence="low").matches == []


def test_a_stock_between_its_inflow_and_outflow_is_not_escalation():
    doc = build(
        "Fertility -> Regeneration",
        "Regeneration +> Fertility",
        "Fertility +> Degradation",
        "Degradation -> Fertility",
        stocks={"Fertility"},
        flows={"Regeneration", "Degradation"},
    )
    assert find_archetypes(doc, min_confidence="low").matches == []
    concept = build(
        "Fertility -> Regeneration",
        "Regeneration +> Fertility",
        "Fertility +> Degradation",
        "Degradation -> Fertility",
    )
    assert best(concept, min_confidence="low").archetype == "escalation"


def test_material_circulating_between_stocks_is_no_reinforcing_loop():
    report = example_report("worklessness", min_confidence="low")
    used = {loop.name for m in report.matches for loop in m.loops}
    assert "R1" not in used and "R2" not in used
    assert report.loops_matched == 4  # of six: the two circulation loops are left out
    # and a stock's own outflows (job finding, moving onto benefit) are no quick fix or remedy
    assert report.matches == []


def test_the_same_roles_are_reported_once():
    doc = build(
        *TEXTBOOK["fixes_that_fail"][0],
        "Attractiveness of the city +> Migration",
        "Migration +> Housing shortage",
    )
    report = find_archetypes(doc)
    fixes = [m for m in report.matches if m.archetype == "fixes_that_fail"]
    assert len(fixes) == 1 and fixes[0].variants == 1


def test_a_limit_keeps_the_best_and_counts_the_rest():
    doc = example_path("social_care_workload")
    report = find_archetypes(load(doc), limit=2)
    assert len(report.matches) == 2 and report.more == 4
    assert [m.score for m in report.matches] == sorted((m.score for m in report.matches), reverse=True)


def test_a_causal_graph_can_be_given_instead_of_a_map():
    doc = build(*[link.replace("+", "?").replace("-", "?") for link in TEXTBOOK["limits_to_growth"][0]])
    graph = causal_graph(doc)
    signs = {("Sales", "Market saturation"): "+", ("Market saturation", "Sales"): "-"}
    for u, v, data in graph.edges(data=True):
        data["sign"] = signs.get((graph.nodes[u]["name"], graph.nodes[v]["name"]), "+")
    assert find_archetypes(doc).matches == []
    match = best(doc, graph=graph)
    assert match.archetype == "limits_to_growth" and match.role("brake") == "Market saturation"


def test_bad_arguments_are_refused_plainly():
    with pytest.raises(ValueError, match="min_confidence"):
        find_archetypes(SystemMap(), min_confidence="certain")
    with pytest.raises(ValueError, match="needs a map"):
        find_archetypes()
    with pytest.raises(KeyError, match="no archetype called"):
        archetype_template("broken windows")


# -- budgets --------------------------------------------------------------------------------------


def dense_signed_graph(n: int, seed: int = 1) -> nx.DiGraph:
    import random

    rng = random.Random(seed)
    graph = nx.gnp_random_graph(n, 0.3, seed=seed, directed=True)
    for u, v in graph.edges:
        graph.edges[u, v].update(sign=rng.choice("+-"), delay=rng.random() < 0.2, links=())
    nx.set_node_attributes(graph, {v: {"name": f"v{v}", "kind": "concept"} for v in graph})
    return graph


def test_a_search_cut_short_is_reported_partial_and_still_reads_short_loops():
    graph = dense_signed_graph(30)
    report = find_archetypes(graph=graph, max_loops=200, limit=None)
    assert not report.search_complete and report.stopped_by == "count" and not report.complete
    assert report.loops_found == 200
    assert report.loops_matched > 0  # the shortest loop through each link was added
    assert report.matches


def test_matching_over_many_loops_stops_at_its_caps():
    graph = dense_signed_graph(14)
    report = find_archetypes(graph=graph, max_matched_loops=30, limit=5)
    assert report.search_complete and not report.matching_complete and not report.complete
    assert report.loops_matched == 30 and len(report.matches) <= 5


def test_cancelling_stops_the_work():
    report = find_archetypes(graph=dense_signed_graph(30), cancel=lambda: True)
    assert report.stopped_by == "cancelled" and not report.complete


@pytest.mark.skipif(not (SHARED / "models" / "wrld3-03.xmile").is_file(), reason="needs ../shared/models")
def test_world3_finishes_within_its_budget_and_says_why_nothing_is_found(capsys):
    world3 = str(SHARED / "models" / "wrld3-03.xmile")
    assert main(["archetypes", world3, "--time", "1", "--drawn-only"]) == 0
    out = capsys.readouterr().out
    assert "no archetype found" in out
    assert "every loop has a link of unknown polarity" in out
    assert "partial: the loop search stopped at its time limit" in out
    # with the polarities its equations give, the same budget finds matches
    assert main(["archetypes", world3, "--time", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["matches"] and not data["complete"]


# -- templates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", template_names())
def test_templates_are_legible_editable_maps(key, tmp_path):
    doc = archetype_template(key)
    assert doc.name == archetype(key).title
    variables = list(doc.variables.values())
    assert all(v.kind == Kind.CONCEPT and v.documentation for v in variables)
    for i, a in enumerate(variables):
        for b in variables[i + 1 :]:
            assert math.dist(a.position, b.position) >= 180, (a.name, b.name)
    assert all(link.polarity.value in "+-" for link in doc.links.values())
    loops = list(find_loops(causal_graph(doc)))
    labels = list(doc.loop_labels.values())
    assert len(labels) == len(loops)
    assert {frozenset(label.loop) for label in labels} == {frozenset(loop.variables) for loop in loops}
    path = tmp_path / f"{key}.xmile"
    save(doc, path)
    assert best(load(path)).archetype == key


def test_template_names_accept_titles():
    assert archetype_template("Limits to growth").name == "Limits to growth"


def test_every_story_placeholder_is_a_role_a_loop_or_a_delay():
    for pattern in ARCHETYPES:
        keys = [r.key for r in pattern.roles] + [s.key for s in pattern.slots]
        tags = {e.tag for e in pattern.expect if e.tag}
        assert len(set(keys) | tags) == len(keys) + len(tags), pattern.key
        fragments = [f for part in pattern.story for f in ((part,) if isinstance(part, str) else part)]
        for fragment in fragments:
            for _, field, _, _ in string.Formatter().parse(fragment):
                assert field is None or field in set(keys) | tags, (pattern.key, field)


# -- the command ----------------------------------------------------------------------------------


def test_cli_lists_matches_with_roles_loops_and_story(capsys):
    assert main(["archetypes", str(example_path("urban_housing"))]) == 0
    out = capsys.readouterr().out
    assert "2 archetype matches (4 loops searched)" in out
    assert "1. Fixes that fail (high confidence; loops B1, R1)" in out
    assert "problem symptom: Low-cost housing shortage; fix: Low-cost housing" in out
    assert "R1   Low-cost housing → Out-of-work residents → Low-cost housing shortage" in out
    assert "'Low-cost housing' relieves 'Low-cost housing shortage' (B1)" in out


def test_cli_json_has_roles_loops_and_completeness(capsys):
    assert main(["archetypes", str(example_path("waiting_list_targets")), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is True and data["more"] == 0
    match = data["matches"][0]
    assert match["archetype"] == "shifting_the_burden" and match["strict"] is True
    assert {r["role"]: r["name"] for r in match["roles"]}["quick_fix"] == "Gaming"
    assert [loop["name"] for loop in match["loops"]] == ["B1", "B2", "R1"]
    assert match["loops"][0]["variables"] == ["Gaming", "Reported waiting time", "Management pressure"]


def test_cli_limit_says_how_many_more(capsys):
    assert main(["archetypes", str(example_path("social_care_workload")), "--limit", "2"]) == 0
    assert "... and 4 more (--limit shows more)" in capsys.readouterr().out


def test_cli_says_when_nothing_is_found(capsys):
    assert main(["archetypes", str(example_path("bathtub"))]) == 0
    assert (
        capsys.readouterr().out.strip() == f"{example_path('bathtub')}: no archetype found (1 loop searched)"
    )


def test_cli_errors_are_one_line(capsys, tmp_path):
    assert main(["archetypes", str(tmp_path / "missing.xmile")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sysmap: ") and err.count("\n") == 1
    assert main(["archetypes", str(example_path("bathtub")), "--limit", "0"]) == 1
    assert capsys.readouterr().err == "sysmap: --time must be positive and --limit at least 1\n"
    bad = tmp_path / "bad.xmile"
    bad.write_text("<xmile><broken")
    assert main(["archetypes", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sysmap: ") and err.count("\n") == 1


def test_the_command_stays_light_and_qt_free():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import sysmap.analysis.archetypes, sysmap.analysis.archetype_templates\n"
        "light = not any(m in sys.modules for m in ('networkx', 'sympy', 'lark'))\n"
        "from sysmap.cli import main\n"
        f"assert main(['archetypes', {str(example_path('urban_housing'))!r}]) == 0\n"
        "print('LIGHT', light, 'QT', any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("LIGHT True QT False")
