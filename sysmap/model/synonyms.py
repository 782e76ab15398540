"""Near-synonyms: variables of two maps whose names differ but probably mean the same.

Tables at a workshop name one idea in several ways: "Staff sickness" and "staff sick",
"Waiting times" and "time waiting", "No. of GPs" and "number of general practitioners",
"worklesness" (a typo) and "Worklessness". XMILE's name equivalence
(:func:`~sysmap.model.names.canonical_name`) matches none of these, so :func:`near_synonyms`
proposes them, scored, for the room to confirm before a merge treats them as one variable.

The names are compared in stages, each forgiving more: punctuation and case; common
abbreviations; filler words ("the", "level of", "number of", "rate"); word endings
(plurals, "-ing", "-ness"); word order; words run together; and last, similar words and
typos. A pair equal at an early stage scores higher. Words that differ by a negating
prefix ("Employment" and "Unemployment") never match.

>>> same_words("Staff sickness", "staff sick")
True
>>> round(name_similarity("Waiting times", "time waiting")[0], 2)
0.9
>>> name_similarity("Employment", "Unemployment")[0]
0.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

from sysmap.model.document import SystemMap
from sysmap.model.names import display_name

#: Abbreviations common in public-service maps, and the words they stand for.
ABBREVIATIONS = {
    "no.": "number",
    "nr": "number",
    "num": "number",
    "dept": "department",
    "depts": "departments",
    "govt": "government",
    "gp": "general practitioner",
    "gps": "general practitioners",
    "a&e": "accident and emergency",
    "hr": "human resources",
    "la": "local authority",
    "info": "information",
    "mgmt": "management",
    "org": "organisation",
    "orgs": "organisations",
    "svc": "service",
    "svcs": "services",
    "yr": "year",
    "yrs": "years",
    "&": "and",
}
#: Words that add nothing to a variable's meaning on a causal map.
STOP_WORDS = frozenset({"the", "a", "an", "of", "and", "in", "for", "to", "on", "rate"})
#: Words that add nothing when followed by "of" ("level of stress" is "stress").
STOP_BEFORE_OF = frozenset({"level", "number", "amount", "degree", "quantity", "volume", "extent"})
#: Prefixes that turn a word into its opposite: such pairs are never synonyms.
NEGATIONS = ("un", "non", "in", "im", "ir", "il", "dis", "mis", "anti", "de")
#: Word endings stripped, longest first, when what remains is at least three letters.
_SUFFIXES = ("nesses", "ness", "ments", "ing", "ies", "ied", "es", "ed", "s")
_WORD = re.compile(r"[a-z0-9]+(?:[.&'][a-z0-9]+)*\.?|&")
#: A typo: two words at least this long, this similar (difflib ratio), same first letter.
TYPO_LENGTH, TYPO_RATIO = 5, 0.85


class Candidate(NamedTuple):
    """A proposed synonym: their variable ``theirs`` may be our variable ``ours``, with a
    ``score`` from 0 to 1 and the ``reason`` in words; the names as shown, for display."""

    theirs: str
    ours: str
    score: float
    reason: str
    their_name: str = ""
    our_name: str = ""


def words(name: str, *, expand: bool = True) -> list[str]:
    """The words of ``name``: lower case, split at spaces, hyphens, underscores and
    punctuation, with :data:`ABBREVIATIONS` written out when ``expand``.

    >>> words("No. of GPs")
    ['number', 'of', 'general', 'practitioners']
    >>> words("Staff_self-esteem", expand=False)
    ['staff', 'self', 'esteem']
    """
    text = display_name(name).casefold().replace("-", " ").replace("/", " ")
    out: list[str] = []
    for token in _WORD.findall(text):
        if expand and token in ABBREVIATIONS:
            out += ABBREVIATIONS[token].split()
        elif expand and token == "no" and not out:  # "No of staff" (without the full stop)
            out.append("number")
        else:
            out += [w for w in re.split(r"[.']", token) if w]
    return out


def _content(tokens: list[str]) -> list[str]:
    """``tokens`` without filler words; all of them if nothing else is left."""
    kept = [
        t
        for i, t in enumerate(tokens)
        if t not in STOP_WORDS and not (t in STOP_BEFORE_OF and i + 1 < len(tokens) and tokens[i + 1] == "of")
    ]
    return kept or tokens


def stem(word: str) -> str:
    """``word`` without a plural or simple inflection, and without a final "e": a crude
    English stemmer, enough for the short names of causal maps (both names go through it,
    so a stem need not be a word).

    >>> [stem(w) for w in ("times", "waiting", "sickness", "vacancies", "staffing", "stressed")]
    ['tim', 'wait', 'sick', 'vacancy', 'staff', 'stress']
    """
    if len(word) <= 3:
        return word
    for suffix in _SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            break  # "stress", "status", "crisis" are not plurals
        base = word[: -len(suffix)]
        if suffix in ("ies", "ied"):
            base += "y"
        elif suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
            base = word[:-1]  # "times" -> "time", "classes" -> "class"
        elif suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsfz":
            base = base[:-1]  # "planning" -> "plan", but "staffing" -> "staff"
        word = base
        break
    return word[:-1] if word.endswith("e") and len(word) >= 4 else word


def _opposites(a: str, b: str) -> bool:
    """Whether one word is the other with a negating prefix ("employment", "unemployment")."""
    short, long = sorted((a, b), key=len)
    return long.endswith(short) and long[: len(long) - len(short)] in NEGATIONS


def _typo(a: str, b: str) -> float:
    """How alike two different words are, if one looks like a misspelling of the other (else 0)."""
    if min(len(a), len(b)) < TYPO_LENGTH or a[0] != b[0] or abs(len(a) - len(b)) > 3 or _opposites(a, b):
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    return ratio if ratio >= TYPO_RATIO else 0.0


def same_words(a: str, b: str) -> bool:
    """Whether two names have the same words once filler words and endings are set aside,
    in any order.

    >>> same_words("Level of stress", "stressed")
    True
    >>> same_words("Staff", "Staff morale")
    False
    """
    return sorted(map(stem, _content(words(a)))) == sorted(map(stem, _content(words(b))))


def name_similarity(a: str, b: str) -> tuple[float, str]:
    """A score from 0 to 1 for how likely names ``a`` and ``b`` mean the same, and why.

    >>> name_similarity("Staff-morale", "staff morale")
    (0.99, 'same words')
    >>> name_similarity("Dept budget", "Department budget")
    (0.96, 'abbreviation')
    >>> name_similarity("Staff", "Staff morale")[0] < 0.75
    True
    """
    plain_a, full_a, content_a, stems_a = _forms(a)
    plain_b, full_b, content_b, stems_b = _forms(b)
    if plain_a == plain_b:
        return 0.99, "same words"
    if full_a == full_b:
        return 0.96, "abbreviation"
    if content_a == content_b:
        return 0.94, "filler words"
    if any(_opposites(x, y) for x in stems_a for y in stems_b):
        return 0.0, "opposites"
    if stems_a == stems_b:
        return 0.92, "word endings"
    if sorted(stems_a) == sorted(stems_b):
        return 0.9, "word order"
    if "".join(stems_a) == "".join(stems_b) or "".join(content_a) == "".join(content_b):
        return 0.9, "words run together"
    return _soft_overlap(stems_a, stems_b)


@lru_cache(maxsize=4096)
def _forms(name: str) -> tuple[tuple[str, ...], ...]:
    """The words of ``name`` at each stage: as written, abbreviations written out, without
    filler words, stemmed (cached: a map's names are compared with many others)."""
    full = words(name)
    content = _content(full)
    return tuple(words(name, expand=False)), tuple(full), tuple(content), tuple(stem(w) for w in content)


def _soft_overlap(a: Sequence[str], b: Sequence[str]) -> tuple[float, str]:
    """The share of words two names have in common (Jaccard), counting a typo as the
    similarity of the two spellings; scaled below the exact stages."""
    left, right = list(dict.fromkeys(a)), list(dict.fromkeys(b))
    if not set(left) & set(right) and not any(x[0] == y[0] for x in left for y in right):
        return 0.0, "different words"
    matched, weight, typos = 0, 0.0, []
    for word in left:
        if word in right:
            right.remove(word)
            matched += 1
            weight += 1.0
            continue
        best = max(right, key=lambda other: _typo(word, other), default=None)
        score = _typo(word, best) if best is not None else 0.0
        if score:
            right.remove(best)
            matched += 1
            weight += score
            typos.append((word, best))
    union = len(dict.fromkeys(a)) + len(dict.fromkeys(b)) - matched
    if not union or not matched:
        return 0.0, "different words"
    score = round(0.9 * weight / union, 3)
    if typos:
        return score, "spelling: " + ", ".join(f"{x!r} ~ {y!r}" for x, y in typos)
    return score, "some words in common"


def near_synonyms(ours: SystemMap, theirs: SystemMap, *, threshold: float = 0.75) -> list[Candidate]:
    """Pairs (their variable, our variable) whose names are not equivalent but probably mean
    the same, best first: each of their variables with at most its best match, each of ours
    proposed at most once (greedily by score; ties by map order). Variables whose names are
    equivalent (matched by name anyway) are left out on both sides.

    >>> one, two = SystemMap(), SystemMap()
    >>> for name in ("Staff sickness", "Waiting times", "Staff", "Employment"):
    ...     _ = one.add_variable(name)
    >>> for name in ("staff sick", "Time waiting", "Staff morale", "Unemployment", "staff"):
    ...     _ = two.add_variable(name)
    >>> [(c.their_name, c.our_name, c.score) for c in near_synonyms(one, two)]
    [('staff sick', 'Staff sickness', 0.92), ('Time waiting', 'Waiting times', 0.9)]
    """
    our_keys = {v.key for v in ours.variables.values()}
    their_keys = {v.key for v in theirs.variables.values()}
    mine = [v for v in ours.variables.values() if v.key not in their_keys]
    pairs = []
    for i, their in enumerate(theirs.variables.values()):
        if their.key in our_keys:
            continue
        for j, our in enumerate(mine):
            score, reason = name_similarity(their.name, our.name)
            if score >= threshold:
                pairs.append(
                    (-score, i, j, Candidate(their.id, our.id, score, reason, their.label, our.label))
                )
    pairs.sort(key=lambda p: p[:3])
    taken_theirs: set[str] = set()
    taken_ours: set[str] = set()
    found = []
    for *_, candidate in pairs:
        if candidate.theirs in taken_theirs or candidate.ours in taken_ours:
            continue
        taken_theirs.add(candidate.theirs)
        taken_ours.add(candidate.ours)
        found.append(candidate)
    return found


def table_candidates(
    doc: SystemMap,
    others: Sequence[tuple[str, SystemMap]],
    *,
    threshold: float = 0.75,
    synonyms: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, Candidate]]:
    """Near-synonyms for several tables' maps merged into ``doc`` in order, as (table name,
    candidate) pairs: each table's variables against ``doc`` with the tables before it
    merged (by name and the ``synonyms`` already confirmed, as
    :func:`~sysmap.model.clipboard.merge_tables` takes them). A candidate's ``ours`` may be
    a variable an earlier table brings, not yet in ``doc``: confirm it by ``our_name``.
    Confirmed candidates are not proposed again.

    >>> one, two = SystemMap(), SystemMap()
    >>> _ = one.add_variable("Waiting times"), two.add_variable("time waiting")
    >>> found = table_candidates(SystemMap(), [("1", one), ("2", two)])
    >>> [(table, c.their_name, c.our_name) for table, c in found]
    [('2', 'time waiting', 'Waiting times')]
    """
    from sysmap.model.clipboard import merge_tables

    confirmed = {name.strip().casefold(): dict(v) for name, v in (synonyms or {}).items()}
    tables = [(name, other) for name, other in others if next(other.elements(), None) is not None]
    found: list[tuple[str, Candidate]] = []
    for k, (name, other) in enumerate(tables):
        scratch = doc.copy()
        if k:
            before = tables[:k]
            agreed = {
                n: confirmed[n.strip().casefold()] for n, _ in before if n.strip().casefold() in confirmed
            }
            scratch.apply(merge_tables(scratch, before, synonyms=agreed, provenance=False).edit)
        mine = confirmed.get(name.strip().casefold(), {})
        candidates = near_synonyms(scratch, other, threshold=threshold)
        found += [(name, c) for c in candidates if c.theirs not in mine]
    return found
