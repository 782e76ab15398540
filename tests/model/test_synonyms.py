"""Near-synonyms: names two tables wrote differently for one idea are proposed, scored, and
false friends (a word more, a negating prefix) are not."""

import pytest

from sysmap.model import SystemMap
from sysmap.model.synonyms import name_similarity, near_synonyms, table_candidates

TRUE_PAIRS = [
    ("Staff sickness", "staff sick"),  # inflection
    ("Waiting times", "time waiting"),  # plural and word order
    ("Staff-morale", "staff_morale"),  # hyphens and underscores
    ("No. of GPs", "number of general practitioners"),  # abbreviations
    ("Level of stress", "Stress"),  # filler words
    ("Staff turnover rate", "staff turnover"),
    ("Worklessness", "worklesness"),  # a typo
    ("Hospital admissions", "admissions to hospital"),
    ("Workload", "work load"),  # run together
    ("Dept budget", "Department budget"),
]

FALSE_FRIENDS = [
    ("Staff", "Staff morale"),
    ("Employment", "Unemployment"),
    ("Trust in services", "Distrust in services"),
    ("Referrals", "Deferrals"),  # one letter apart, but not a typo of the first letter
    ("Hiring", "Firing"),
    ("Income", "Outcome"),
    ("Capacity", "Capability"),
    ("Demand", "Demand for services"),
    ("Overstaffing", "Understaffing"),
]


@pytest.mark.parametrize(("a", "b"), TRUE_PAIRS)
def test_true_pairs_score_above_the_default_threshold(a, b):
    score, reason = name_similarity(a, b)
    assert score >= 0.75, (a, b, score, reason)
    assert name_similarity(b, a)[0] == score  # symmetric


@pytest.mark.parametrize(("a", "b"), FALSE_FRIENDS)
def test_false_friends_do_not_match(a, b):
    assert name_similarity(a, b)[0] < 0.75


def test_exact_stages_score_higher_than_typos():
    assert name_similarity("Staff-morale", "staff morale") == (0.99, "same words")
    typo = name_similarity("Worklessness", "worklesness")
    assert 0.75 <= typo[0] < 0.9 and "spelling" in typo[1]  # not ticked by default


def maps(ours, theirs):
    one, two = SystemMap(), SystemMap()
    for name in ours:
        one.add_variable(name)
    for name in theirs:
        two.add_variable(name)
    return one, two


def test_each_variable_is_proposed_at_most_once_best_first():
    one, two = maps(["Waiting times", "Staff sickness"], ["waiting time", "time waiting", "staff sick"])
    found = near_synonyms(one, two)
    # both "waiting time" and "time waiting" fit "Waiting times": the better (same order) wins
    assert [(c.their_name, c.our_name, c.score) for c in found] == [
        ("waiting time", "Waiting times", 0.92),
        ("staff sick", "Staff sickness", 0.92),
    ]
    assert all(c.theirs in two.variables and c.ours in one.variables for c in found)


def test_names_already_equivalent_are_not_proposed():
    one, two = maps(["Workload", "Staff"], ["workload", "work load", "STAFF"])
    found = near_synonyms(one, two)
    # "Workload" is matched by name by their "workload": not proposed to "work load" again
    assert found == []


def test_results_are_deterministic_and_respect_the_threshold():
    one, two = maps(["Staff sick leave", "Quality"], ["Staff sickness", "Quality of care"])
    assert near_synonyms(one, two) == near_synonyms(one, two) == []
    low = near_synonyms(one, two, threshold=0.5)
    assert [(c.their_name, c.our_name, c.score) for c in low] == [("Staff sickness", "Staff sick leave", 0.6)]
    assert len(near_synonyms(one, two, threshold=0.4)) == 2  # "Quality of care" = "Quality" at 0.45


def test_candidates_across_tables_include_variables_of_earlier_tables():
    base, one = maps(["Demand"], ["Waiting times"])
    _, two = maps([], ["time waiting", "demands"])
    found = table_candidates(base, [("Table 1", one), ("Table 2", two)])
    assert [(t, c.their_name, c.our_name) for t, c in found] == [
        ("Table 2", "demands", "Demand"),
        ("Table 2", "time waiting", "Waiting times"),
    ]
    # once confirmed, a candidate is not proposed again
    _, (_, first) = found
    again = table_candidates(
        base, [("Table 1", one), ("Table 2", two)], synonyms={"Table 2": {first.theirs: "Waiting times"}}
    )
    assert [c.their_name for _, c in again] == ["demands"]
