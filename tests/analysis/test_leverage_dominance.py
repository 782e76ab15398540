"""Leverage with loop dominance: the loops that drive a run lift what is on them."""

from pathlib import Path

import pytest

from sysmap.analysis.dominance import loop_dominance
from sysmap.analysis.leverage import DOMINANCE_WEIGHT, dominance_loop_scores, leverage_ranking
from sysmap.io import load

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def sir():
    doc = load(EXAMPLES / "sir_epidemic.xmile")
    return doc, dominance_loop_scores(loop_dominance(doc))


def _ranks(ranking):
    return {c.name: c.rank for c in ranking.candidates}


def test_loop_scores_are_shares_of_the_run(sir):
    _, scores = sir
    assert set(scores) == {("Infected", "Infection"), ("Infected", "Recovery"), ("Infection", "Susceptible")}
    assert sum(scores.values()) == pytest.approx(1.0)
    # recovery (B2 on the map) drives most of the epidemic's run, the depletion loop (B1) little
    assert (
        scores["Infected", "Recovery"] > scores["Infected", "Infection"] > scores["Infection", "Susceptible"]
    )


def test_without_loop_scores_the_ranking_is_unchanged(sir):
    doc, _ = sir
    before = leverage_ranking(doc)
    again = leverage_ranking(doc, loop_scores=None)
    assert [(c.name, c.score) for c in again.candidates] == [(c.name, c.score) for c in before.candidates]
    assert all(c.dominance is None for c in again.candidates)
    assert "dominance" not in again.candidates[0].to_dict()


def test_dominant_loops_rise_and_idle_structure_falls(sir):
    doc, scores = sir
    plain = leverage_ranking(doc)
    weighted = leverage_ranking(doc, loop_scores=scores)
    before, after = _ranks(plain), _ranks(weighted)
    # the recovery loop dominates: its inflow-side link overtakes the infection link
    assert before["Recovery → Infected"] > before["Infection → Infected"]
    assert after["Recovery → Infected"] < after["Infection → Infected"]
    # Infected is on the two strongest loops, Infection on the weaker ones
    assert before["Infected"] > before["Infection"]
    assert after["Infected"] == 1
    shares = {c.name: c.dominance for c in weighted.candidates}
    assert shares["Infected"] == pytest.approx(
        scores["Infected", "Infection"] + scores["Infected", "Recovery"]
    )
    assert shares["Contact rate"] == 0.0
    # a variable on no loop keeps only the structural part of its score
    contact = {c.name: c.score for c in plain.candidates}["Contact rate"]
    assert {c.name: c.score for c in weighted.candidates}["Contact rate"] == pytest.approx(
        (1 - DOMINANCE_WEIGHT) * contact
    )
    assert weighted.candidates[0].to_dict()["dominance"] > 0


def test_loops_not_in_the_map_add_nothing(sir):
    doc, _ = sir
    plain = leverage_ranking(doc)
    ghost = leverage_ranking(doc, loop_scores={("Nowhere", "Infected"): 1.0})
    assert [c.name for c in ghost.candidates] == [c.name for c in plain.candidates]
    assert all(c.dominance == 0.0 for c in ghost.candidates)
