"""Dot votes against the computed leverage ranking: rank agreement and the notes to discuss."""

import pytest

from sysmap.analysis.votes import HIGH_UNVOTED, VOTED_LOW, agreement_text, disagreement, spearman


def test_spearman_uses_average_ranks_and_needs_spread():
    assert spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert spearman([1, 2, 2, 4], [10, 20, 30, 40]) == pytest.approx(0.9486832980505138)
    assert spearman([1, 2], [1, 2]) is None  # too few voted variables
    assert spearman([2, 2, 2], [1, 2, 3]) is None  # all voted alike


def test_disagreements_are_the_votes_far_from_the_ranking():
    assert disagreement(9, 10, 2) == VOTED_LOW
    assert disagreement(1, 10, 0) == HIGH_UNVOTED
    assert disagreement(3, 40, 0) == HIGH_UNVOTED  # the top three at least
    assert disagreement(8, 40, 0) == HIGH_UNVOTED  # and the top fifth
    assert disagreement(9, 40, 0) == ""
    assert disagreement(9, 40, 1) == ""
    assert disagreement(None, 10, 3) == ""  # not ranked (yet)


def test_agreement_text_says_what_is_missing():
    assert agreement_text({}, {}) == "Agreement with computed leverage: waiting for the ranking"
    ranks = {"a": (1, 0.9), "b": (2, 0.5), "c": (3, 0.1)}
    assert "too few votes" in agreement_text({"a": 1, "b": 2}, ranks)
    assert agreement_text({"a": 5, "b": 2, "c": 1}, ranks).endswith("ρ = +1.00 (Spearman, 3 voted variables)")
