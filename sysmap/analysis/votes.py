"""Dot votes beside the computed leverage ranking: where the room and the analysis agree.

In a workshop each participant puts dots on the variables they see as leverage points.
:func:`agreement_text` measures how far the dots follow the computed leverage score
(Spearman's rank correlation over the voted variables); :func:`disagreement` flags the
variables worth discussing: voted for but low in the ranking, or high in it and unvoted.

>>> ranks = {"a": (1, 0.9), "b": (2, 0.5), "c": (3, 0.1)}
>>> agreement_text({"a": 1, "b": 2, "c": 3}, ranks)
'Agreement with computed leverage: ρ = -1.00 (Spearman, 3 voted variables)'
"""

from __future__ import annotations

import math

VOTED_LOW = "voted, but low computed leverage"
HIGH_UNVOTED = "high computed leverage, no votes"
#: Fewer voted variables than this and the agreement is not measured.
MIN_VOTED = 3


def average_ranks(values: list[float]) -> list[float]:
    """Ranks 1..n of ``values`` (smallest first), ties sharing their average rank.

    >>> average_ranks([10, 30, 20, 30])
    [1.0, 3.5, 2.0, 3.5]
    """
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation of ``xs`` and ``ys`` (the Pearson correlation of their
    average ranks), or ``None`` for fewer than :data:`MIN_VOTED` pairs or no spread.

    >>> spearman([1, 2, 3], [10, 20, 30]), spearman([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    >>> spearman([2, 2, 2], [1, 2, 3]) is None
    True
    """
    if len(xs) != len(ys) or len(xs) < MIN_VOTED:
        return None
    rx, ry = average_ranks(list(xs)), average_ranks(list(ys))
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def variable_ranking(ranking) -> dict[str, tuple[int, float]]:
    """Variable id -> (rank among the variables, score) from a leverage ``Ranking``."""
    found = {}
    for candidate in ranking.candidates if ranking is not None else ():
        if candidate.kind == "variable":
            found[candidate.element] = (len(found) + 1, candidate.score)
    return found


def disagreement(rank: int | None, n: int, dots: int) -> str:
    """The note on a variable ranked ``rank`` of ``n`` with ``dots`` votes (see the module doc).

    >>> disagreement(9, 10, 2), disagreement(1, 10, 0), disagreement(2, 10, 3)
    ('voted, but low computed leverage', 'high computed leverage, no votes', '')
    """
    if rank is None:
        return ""
    if dots > 0 and rank > n / 2:
        return VOTED_LOW
    if dots == 0 and rank <= max(3, math.ceil(n / 5)):
        return HIGH_UNVOTED
    return ""


def agreement_text(votes: dict[str, int], ranks: dict[str, tuple[int, float]]) -> str:
    """The line above the table: Spearman's rho between dots and computed score.

    >>> agreement_text({"a": 3, "b": 2, "c": 1}, {"a": (1, 0.9), "b": (2, 0.5), "c": (3, 0.1)})
    'Agreement with computed leverage: ρ = +1.00 (Spearman, 3 voted variables)'
    """
    voted = [vid for vid in votes if vid in ranks]
    if not ranks:
        return "Agreement with computed leverage: waiting for the ranking"
    if len(voted) < MIN_VOTED:
        return f"Agreement with computed leverage: too few votes (needs dots on {MIN_VOTED} variables)"
    rho = spearman([votes[v] for v in voted], [ranks[v][1] for v in voted])
    if rho is None:
        return "Agreement with computed leverage: too few votes to compare (all voted alike)"
    return f"Agreement with computed leverage: ρ = {rho:+.2f} (Spearman, {len(voted)} voted variables)"


def vote_rows(
    votes: dict[str, int], ranks: dict[str, tuple[int, float]], names: dict[str, str]
) -> list[dict]:
    """The variables to show beside the ranking: every voted one and every unvoted one the
    ranking puts high, most dots first, then by rank; each as ``{"variable", "dots",
    "rank", "score", "note"}`` (rank and score ``None`` when not ranked).

    >>> ranks = {"a": (1, 0.9), "b": (2, 0.5), "c": (3, 0.1)}
    >>> rows = vote_rows({"b": 2}, ranks, {"a": "A", "b": "B", "c": "C"})
    >>> [(r["variable"], r["dots"], r["rank"]) for r in rows]
    [('B', 2, 2), ('A', 0, 1), ('C', 0, 3)]
    >>> rows[1]["note"]
    'high computed leverage, no votes'
    """
    n = len(ranks)
    rows = []
    for vid, name in names.items():
        dots = votes.get(vid, 0)
        rank, score = ranks.get(vid, (None, None))
        note = disagreement(rank, n, dots)
        if dots or note:
            rows.append({"variable": name, "dots": dots, "rank": rank, "score": score, "note": note})
    rows.sort(key=lambda r: (-r["dots"], r["rank"] if r["rank"] is not None else n + 1))
    return rows
