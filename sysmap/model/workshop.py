"""What a workshop adds to a map: perspectives, a saved presentation, and dot votes.

* A :class:`Perspective` is a stakeholder group (or the table that drew part of the map)
  with a colour. An element belongs to a perspective when its ``tags`` hold the
  perspective's name, so perspectives survive any tool that keeps tags, and one element
  can be seen by several.
* The presentation is a tuple of :class:`Slide` objects: which elements each step reveals,
  and the facilitator's caption and notes (an empty caption: the generated narration).
* Votes are dot votes on variables as leverage candidates: ``(variable id, dots)`` pairs.

All three are document fields, changed by :class:`~sysmap.model.edits.SetField` edits that
the functions here build, so they go on the undo stack like any other change.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> a = doc.add_variable("Workload")
>>> doc.apply(set_perspectives(doc, STANDARD_PERSPECTIVES))
>>> doc.apply(tag_perspective(doc, [a.id], "Residents and service users"))
>>> [p.name for p in perspectives_of(doc, doc.variables[a.id])]
['Residents and service users']
>>> doc.apply(set_votes(doc, {a.id: 3}))
>>> votes_of(doc)
{'v1': 3}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sysmap.errors import ModelError
from sysmap.model.document import SystemMap, check_plain_text
from sysmap.model.edits import Compound, Replace, SetField
from sysmap.model.elements import Link, Variable, _Evolving

#: The kinds of presentation step: one variable, one or more links, a whole loop, or the
#: whole map (a closing overview).
SLIDE_KINDS = ("variable", "link", "loop", "map")


@dataclass(frozen=True, slots=True)
class Perspective(_Evolving):
    """A stakeholder group or table: its ``name`` (the tag its elements carry), a ``color``
    (``#rrggbb``, empty for an automatic one) and what it stands for."""

    name: str
    color: str = ""
    description: str = ""


#: The three perspectives of the whole-systems seeds, offered to every new workshop map.
STANDARD_PERSPECTIVES: tuple[Perspective, ...] = (
    Perspective("Public services", "#1f77b4", "Councils, health, police, schools, job centres"),
    Perspective(
        "Anchor institutions, businesses and third sector",
        "#2ca02c",
        "Hospitals, universities, employers, charities and community groups",
    ),
    Perspective("Residents and service users", "#d62728", "The people the services are for"),
)

#: Colours given, in turn, to perspectives that have none.
PALETTE = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


@dataclass(frozen=True, slots=True)
class Slide(_Evolving):
    """One saved presentation step: its ``kind`` (see :data:`SLIDE_KINDS`), the element ids
    it reveals and lights (``items``), the facilitator's ``caption`` (empty: narrate it) and
    ``notes`` for the presenter's eyes only."""

    kind: str
    items: tuple[str, ...] = ()
    caption: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SLIDE_KINDS:
            raise ModelError(f"a presentation step is a variable, link, loop or map, not {self.kind!r}")


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def perspective_colour(doc: SystemMap, perspective: Perspective) -> str:
    """The perspective's colour, or the palette's colour for its place among the map's."""
    if perspective.color:
        return perspective.color
    names = [p.name for p in doc.perspectives]
    index = names.index(perspective.name) if perspective.name in names else len(names)
    return PALETTE[index % len(PALETTE)]


def has_perspective(element, name: str) -> bool:
    """Whether ``element`` (a variable or link) carries the tag of perspective ``name``."""
    return any(_same(tag, name) for tag in getattr(element, "tags", ()))


def perspectives_of(doc: SystemMap, element) -> list[Perspective]:
    """The map's perspectives that ``element`` belongs to, in the map's order."""
    return [p for p in doc.perspectives if has_perspective(element, p.name)]


def members(doc: SystemMap, name: str) -> set[str]:
    """Ids of the variables and links of perspective ``name``."""
    return {e.id for e in (*doc.variables.values(), *doc.links.values()) if has_perspective(e, name)}


def set_perspectives(doc: SystemMap, perspectives: Sequence[Perspective], text: str = "") -> SetField:
    """An edit that makes ``perspectives`` the map's list; :class:`ModelError` for an empty,
    repeated or unsavable name or a colour that is not ``#rrggbb``."""
    seen: list[str] = []
    for p in perspectives:
        if not p.name.strip():
            raise ModelError("a perspective needs a name")
        if any(_same(p.name, s) for s in seen):
            raise ModelError(f"there are two perspectives named {p.name!r}")
        if p.color and not is_colour(p.color):
            raise ModelError(f"perspective {p.name!r}: {p.color!r} is not a colour like #1f77b4")
        check_plain_text(p.name, "perspective name")
        check_plain_text(p.description, "perspective description")
        seen.append(p.name)
    return SetField("perspectives", doc.perspectives, tuple(perspectives), text or "Change perspectives")


def is_colour(text: str) -> bool:
    """Whether ``text`` is a colour as perspectives store it: ``#rrggbb``."""
    return len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])


def tag_perspective(doc: SystemMap, ids: Iterable[str], name: str, on: bool = True) -> Compound:
    """An edit that adds (``on``) or removes the tag of perspective ``name`` on the variables
    and links ``ids``; other elements are left alone. Adding it to an element that already
    has it changes nothing."""
    steps = []
    for eid in dict.fromkeys(ids):
        element = doc.element(eid)
        if not isinstance(element, Variable | Link):
            continue
        tags = element.tags
        if on and not has_perspective(element, name):
            tags = (*tags, name.strip())
        elif not on:
            tags = tuple(t for t in tags if not _same(t, name))
        if tags != element.tags:
            steps.append(Replace(element, element.evolve(tags=tags)))
    verb = "Add to" if on else "Remove from"
    return Compound(steps, f"{verb} perspective {name.strip()}")


def rename_perspective(doc: SystemMap, old: str, new: Perspective) -> Compound:
    """An edit that renames (and restyles) perspective ``old`` and retags its elements."""
    perspectives = tuple(new if _same(p.name, old) else p for p in doc.perspectives)
    steps: list = []
    if not _same(old, new.name):
        for eid in sorted(members(doc, old)):
            element = doc.element(eid)
            tags = tuple(new.name if _same(t, old) else t for t in element.tags)
            steps.append(Replace(element, element.evolve(tags=tuple(dict.fromkeys(tags)))))
    steps.append(set_perspectives(doc, perspectives))
    return Compound(steps, f"Change perspective {new.name}")


def unique_to(doc: SystemMap) -> dict[str, set[str]]:
    """For each perspective, the variables and links that it alone carries: what each sees
    that the others do not.

    >>> doc = SystemMap()
    >>> a, b = doc.add_variable("A", tags=("Residents",)), doc.add_variable("B", tags=("Residents", "Police"))
    >>> doc.apply(set_perspectives(doc, [Perspective("Residents"), Perspective("Police")]))
    >>> unique_to(doc)
    {'Residents': {'v1'}, 'Police': set()}
    """
    found: dict[str, set[str]] = {p.name: set() for p in doc.perspectives}
    for element in (*doc.variables.values(), *doc.links.values()):
        seen_by = [p.name for p in doc.perspectives if has_perspective(element, p.name)]
        if len(seen_by) == 1:
            found[seen_by[0]].add(element.id)
    return found


# -- presentation -------------------------------------------------------------------------------


def set_presentation(doc: SystemMap, slides: Sequence[Slide], text: str = "") -> SetField:
    """An edit that saves ``slides`` as the map's presentation (empty: none saved)."""
    for slide in slides:
        check_plain_text(slide.caption, "step caption")
        check_plain_text(slide.notes, "step notes")
    return SetField("presentation", doc.presentation, tuple(slides), text or "Change presentation")


def live_slides(doc: SystemMap) -> list[Slide]:
    """The saved slides with ids of deleted elements left out, and steps left empty dropped
    (a ``map`` step needs no items)."""
    out = []
    for slide in doc.presentation:
        items = tuple(i for i in slide.items if i in doc)
        if items or slide.kind == "map":
            out.append(slide if items == slide.items else slide.evolve(items=items))
    return out


# -- votes -------------------------------------------------------------------------------------


def votes_of(doc: SystemMap) -> dict[str, int]:
    """Dots by variable id, for the variables that still exist and have any."""
    return {vid: n for vid, n in doc.votes if n > 0 and vid in doc.variables}


def set_votes(doc: SystemMap, votes: Mapping[str, int], text: str = "") -> SetField:
    """An edit that records ``votes`` (variable id -> dots; zero drops it) in map order."""
    for vid, n in votes.items():
        if vid not in doc.variables:
            raise ModelError(f"votes for {vid!r}, which is not a variable of the map")
        if not isinstance(n, int) or n < 0:
            raise ModelError(f"votes must be whole numbers of dots, not {n!r}")
    ordered = tuple((vid, votes[vid]) for vid in doc.variables if votes.get(vid, 0) > 0)
    return SetField("votes", doc.votes, ordered, text or "Record votes")


def add_votes(
    doc: SystemMap, ids: Iterable[str], dots: int = 1, *, most: int | None = None, text: str = ""
) -> SetField:
    """An edit that gives each variable of ``ids`` ``dots`` more votes (fewer if negative),
    kept between 0 and ``most`` (no upper bound for ``None``); ``text`` names the undo step
    (default: "Vote for <label>", or "... for N variables", see :func:`voted_for`)."""
    ids = list(dict.fromkeys(ids))
    votes = votes_of(doc)
    for vid in ids:
        n = max(0, votes.get(vid, 0) + dots)
        votes[vid] = n if most is None else min(most, n)
    if not text:
        text = f"{'Vote' if dots > 0 else 'Remove vote'} for {voted_for(doc, ids)}"
    return set_votes(doc, votes, text)


def voted_for(doc: SystemMap, ids: list[str]) -> str:
    """How a vote names what it is for: the one variable's label, else how many."""
    if len(ids) == 1 and ids[0] in doc.variables:
        return " ".join(doc.variables[ids[0]].label.split())
    return f"{len(ids)} variables"
