"""What changed between two maps, by meaning rather than by file text.

Variables are matched by canonical name (so ``Staff_morale`` and ``staff morale`` are the
same variable), links by the names of their two ends; ids, positions and drawing details
are ignored. What a workshop adds (perspectives, dot votes, the saved presentation) is
compared too, and reported only when it differs.

:meth:`MapDiff.entries` ties each line to the elements of the newer map it is about, and
describes what the newer map lost, so that a canvas can mark and list them;
:func:`changed_ids` is the short form: which variables and links of the newer map are new
or changed.

>>> from sysmap.model import SystemMap
>>> old, new = SystemMap(), SystemMap()
>>> a, b = old.add_variable("Workload"), old.add_variable("Overtime")
>>> _ = old.add_link(a.id, b.id, polarity="+")
>>> _ = new.add_variable("Workload"), new.add_variable("Overtime"), new.add_variable("Staff morale")
>>> diff_maps(old, new).lines()
["+ variable 'Staff morale'", '- link Workload → Overtime']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sysmap.model.document import SystemMap
from sysmap.model.elements import Link, Point, Polarity, Variable
from sysmap.model.names import canonical_name
from sysmap.model.workshop import live_slides, members, votes_of

#: How long a quoted text (documentation, a note) may run in a line before it is cut.
SHORT = 60

_ARROW = " → "


@dataclass(frozen=True)
class FieldChange:
    """One field of one thing that differs: ``subject`` (a variable's name, a link's
    ``A → B``, or empty for the sim specs), the ``field`` name, and the ``old`` and ``new``
    values as shown to a user."""

    subject: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Removed:
    """Something the older map has and the newer one lacks, described for drawing it as a
    ghost: a ``variable`` (``name``, its ``position`` in the older map) or a ``link``
    (``name`` is ``A → B``; ``ends`` the positions of its two ends, taken from the newer map
    where that variable is still there, from the older one otherwise)."""

    kind: str
    name: str
    position: Point | None = None
    ends: tuple[Point, Point] | None = None


@dataclass(frozen=True)
class DiffEntry:
    """One line of a :class:`MapDiff`: its ``group`` (``added``, ``changed``, ``removed`` or
    ``workshop``), its ``text`` (as :meth:`MapDiff.lines` gives it), the ids of the newer
    map's elements it is about, and what was removed, for a removed variable or link."""

    group: str
    text: str
    ids: tuple[str, ...] = ()
    removed: Removed | None = None


#: The order of the groups of :meth:`MapDiff.entries`.
GROUPS = ("added", "changed", "removed", "workshop")


@dataclass
class MapDiff:
    """The differences between two maps, as lists of names, texts and :class:`FieldChange`.

    Links are ``(source name, target name)`` pairs; loop labels and notes are their texts.
    A ``MapDiff`` is false when the maps are the same (as far as it compares them).
    """

    added_variables: list[str] = field(default_factory=list)
    removed_variables: list[str] = field(default_factory=list)
    changed_variables: list[FieldChange] = field(default_factory=list)
    added_links: list[tuple[str, str]] = field(default_factory=list)
    removed_links: list[tuple[str, str]] = field(default_factory=list)
    changed_links: list[FieldChange] = field(default_factory=list)
    added_loop_labels: list[str] = field(default_factory=list)
    removed_loop_labels: list[str] = field(default_factory=list)
    added_notes: list[str] = field(default_factory=list)
    removed_notes: list[str] = field(default_factory=list)
    changed_sim_specs: list[FieldChange] = field(default_factory=list)
    added_perspectives: list[str] = field(default_factory=list)
    removed_perspectives: list[str] = field(default_factory=list)
    changed_votes: list[FieldChange] = field(default_factory=list)
    presentation_changed: bool = False
    #: (list name, index) -> the ids in the newer map, or the :class:`Removed`, of that item
    refs: dict = field(default_factory=dict, repr=False, compare=False)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__ if name != "refs")

    @property
    def workshop_changed(self) -> bool:
        """Whether the perspectives, the votes or the saved presentation differ."""
        return bool(
            self.added_perspectives
            or self.removed_perspectives
            or self.changed_votes
            or self.presentation_changed
        )

    def _rows(self):
        """(group, list name, index, text) of each line, in the order of :meth:`lines`."""
        sections = (
            ("added", "added_variables", lambda n: f"+ variable {_quote(n)}"),
            ("removed", "removed_variables", lambda n: f"- variable {_quote(n)}"),
            ("changed", "changed_variables", lambda c: f"~ variable {_quote(c.subject)}: {_change(c)}"),
            ("added", "added_links", lambda pair: f"+ link {_ARROW.join(pair)}"),
            ("removed", "removed_links", lambda pair: f"- link {_ARROW.join(pair)}"),
            ("changed", "changed_links", lambda c: f"~ link {c.subject}: {_change(c)}"),
            ("added", "added_loop_labels", lambda t: f"+ loop label {_quote(t)}"),
            ("removed", "removed_loop_labels", lambda t: f"- loop label {_quote(t)}"),
            ("added", "added_notes", lambda t: f"+ note {_quote(_short(t))}"),
            ("removed", "removed_notes", lambda t: f"- note {_quote(_short(t))}"),
            ("changed", "changed_sim_specs", lambda c: f"~ sim specs: {_change(c)}"),
            ("workshop", "added_perspectives", lambda n: f"+ perspective {_quote(n)}"),
            ("workshop", "removed_perspectives", lambda n: f"- perspective {_quote(n)}"),
            ("workshop", "changed_votes", lambda c: f"~ votes {_quote(c.subject)}: {_change(c)}"),
        )
        for group, name, show in sections:
            for i, item in enumerate(getattr(self, name)):
                yield group, name, i, show(item)
        if self.presentation_changed:
            yield "workshop", "presentation_changed", 0, "~ presentation changed"

    def lines(self) -> list[str]:
        """One human-readable line per difference: ``+`` added, ``-`` removed, ``~`` changed."""
        return [text for *_, text in self._rows()]

    def entries(self) -> list[DiffEntry]:
        """The lines of :meth:`lines`, each with its group and the elements it is about (in a
        diff made by :func:`diff_maps`; a hand-made one has no ids)."""
        out = []
        for group, name, i, text in self._rows():
            ref = self.refs.get((name, i))
            if isinstance(ref, Removed):
                out.append(DiffEntry(group, text, (), ref))
            else:
                out.append(DiffEntry(group, text, tuple(ref or ())))
        return out

    def to_dict(self) -> dict:
        """The differences as plain JSON-ready data."""

        def changes(items: list[FieldChange]) -> list[dict]:
            return [{"subject": c.subject, "field": c.field, "old": c.old, "new": c.new} for c in items]

        return {
            "equal": not self,
            "variables": {
                "added": list(self.added_variables),
                "removed": list(self.removed_variables),
                "changed": changes(self.changed_variables),
            },
            "links": {
                "added": [list(p) for p in self.added_links],
                "removed": [list(p) for p in self.removed_links],
                "changed": changes(self.changed_links),
            },
            "loop_labels": {"added": list(self.added_loop_labels), "removed": list(self.removed_loop_labels)},
            "notes": {"added": list(self.added_notes), "removed": list(self.removed_notes)},
            "sim_specs": changes(self.changed_sim_specs),
            **(
                {
                    "workshop": {
                        "perspectives": {
                            "added": list(self.added_perspectives),
                            "removed": list(self.removed_perspectives),
                        },
                        "votes": changes(self.changed_votes),
                        "presentation_changed": self.presentation_changed,
                    }
                }
                if self.workshop_changed
                else {}
            ),
        }


def diff_maps(old: SystemMap, new: SystemMap) -> MapDiff:
    """Compare ``old`` with ``new``: variables by canonical name, links by their ends' names.

    Compared: each variable's kind, equation (whitespace-normalised), units, documentation
    and the spelling of its name; each link's polarity and delay; loop labels and notes by
    text; the sim specs. Not compared: positions, ids, styles, groups, aliases, arrays,
    graphical functions and submodels. Workshop data: perspectives by name, each
    variable's dot votes, and whether the saved presentation differs.
    """
    diff = MapDiff()
    refs = diff.refs
    old_vars = {v.key: v for v in old.variables.values()}
    new_vars = {v.key: v for v in new.variables.values()}
    for key, var in new_vars.items():
        if key not in old_vars:
            refs["added_variables", len(diff.added_variables)] = (var.id,)
            diff.added_variables.append(var.label)
    for key, var in old_vars.items():
        if key not in new_vars:
            refs["removed_variables", len(diff.removed_variables)] = Removed(
                "variable", var.label, var.position
            )
            diff.removed_variables.append(var.label)
    for key, before in old_vars.items():
        after = new_vars.get(key)
        if after is not None:
            for change in _variable_changes(before, after):
                refs["changed_variables", len(diff.changed_variables)] = (after.id,)
                diff.changed_variables.append(change)

    old_links, new_links = _links_by_ends(old), _links_by_ends(new)
    for ends, befores in old_links.items():
        afters = new_links.get(ends, [])
        subject = _ARROW.join(_end_labels(old, befores[0]))
        for before, after in zip(befores, afters, strict=False):
            for change in _link_changes(subject, before, after):
                refs["changed_links", len(diff.changed_links)] = (after.id,)
                diff.changed_links.append(change)
        for link in befores[len(afters) :]:
            labels = _end_labels(old, link)
            refs["removed_links", len(diff.removed_links)] = Removed(
                "link", _ARROW.join(labels), ends=_removed_ends(old, new, link)
            )
            diff.removed_links.append(labels)
    for ends, afters in new_links.items():
        done = len(old_links.get(ends, []))
        for link in afters[done:]:
            refs["added_links", len(diff.added_links)] = (link.id,)
            diff.added_links.append(_end_labels(new, link))

    diff.added_loop_labels, diff.removed_loop_labels = _texts_diff(
        [label.text for label in old.loop_labels.values()], [label.text for label in new.loop_labels.values()]
    )
    _refer_texts(refs, "added_loop_labels", diff.added_loop_labels, new.loop_labels.values())
    diff.added_notes, diff.removed_notes = _texts_diff(
        [note.text for note in old.notes.values()], [note.text for note in new.notes.values()]
    )
    _refer_texts(refs, "added_notes", diff.added_notes, new.notes.values())
    diff.changed_sim_specs = _sim_spec_changes(old, new)
    _workshop_changes(diff, old, new)
    return diff


def changed_ids(old: SystemMap, new: SystemMap) -> dict[str, str]:
    """The variables and links of ``new`` that ``old`` lacks (``"added"``) or has otherwise
    (``"changed"``: a field :func:`diff_maps` compares differs), by id in ``new``.

    >>> old, new = SystemMap(), SystemMap()
    >>> _ = old.add_variable("Workload"), new.add_variable("Workload", equation="3")
    >>> _ = new.add_variable("Overtime")
    >>> changed_ids(old, new)
    {'v2': 'added', 'v1': 'changed'}
    """
    found: dict[str, str] = {}
    for entry in diff_maps(old, new).entries():
        if entry.group in ("added", "changed"):
            for eid in entry.ids:
                if eid in new.variables or eid in new.links:
                    found.setdefault(eid, entry.group)
    return found


def _removed_ends(old: SystemMap, new: SystemMap, link: Link) -> tuple[Point, Point] | None:
    def where(vid: str) -> Point | None:
        var = old.variables.get(vid)
        if var is None:
            return None
        still = new.variable_named(var.name)
        return (still or var).position

    a, b = where(link.source), where(link.target)
    return (a, b) if a is not None and b is not None else None


def _refer_texts(refs: dict, name: str, texts: list[str], elements) -> None:
    """Point each added text at an element of the newer map holding it, each element once."""
    free = list(elements)
    for i, text in enumerate(texts):
        element = next((e for e in free if e.text == text), None)
        if element is not None:
            free.remove(element)
            refs[name, i] = (element.id,)


def _same_name(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _workshop_changes(diff: MapDiff, old: SystemMap, new: SystemMap) -> None:
    """Perspectives by name, dot votes by variable name, and whether the saved presentation
    (its steps' kinds, elements, captions and notes) differs."""
    old_names = [p.name for p in old.perspectives]
    new_names = [p.name for p in new.perspectives]
    for name in new_names:
        if not any(_same_name(name, o) for o in old_names):
            diff.refs["added_perspectives", len(diff.added_perspectives)] = tuple(
                e.id for e in new.elements() if e.id in members(new, name)
            )
            diff.added_perspectives.append(name)
    diff.removed_perspectives = [n for n in old_names if not any(_same_name(n, m) for m in new_names)]

    def by_key(doc: SystemMap) -> dict[str, tuple[Variable, int]]:
        return {doc.variables[vid].key: (doc.variables[vid], n) for vid, n in votes_of(doc).items()}

    before, after = by_key(old), by_key(new)
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key, (None, 0))[1], after.get(key, (None, 0))[1]
        if was != now:
            var = after[key][0] if key in after else before[key][0]
            mine = new.variable_named(var.name)
            if mine is not None:
                diff.refs["changed_votes", len(diff.changed_votes)] = (mine.id,)
            diff.changed_votes.append(FieldChange(var.label, "dots", str(was), str(now)))
    diff.presentation_changed = _slides(old) != _slides(new)


def _slides(doc: SystemMap) -> list[tuple]:
    """The saved presentation with element ids replaced by what identifies them across maps."""

    def key(eid: str) -> str:
        if eid in doc.variables:
            return "v " + doc.variables[eid].key
        if eid in doc.links:
            link = doc.links[eid]
            ends = [doc.variables[v].key if v in doc.variables else v for v in (link.source, link.target)]
            return "k " + _ARROW.join(ends)
        if eid in doc.loop_labels:
            return "r " + doc.loop_labels[eid].text
        return "? " + eid

    return [(s.kind, tuple(key(i) for i in s.items), s.caption, s.notes) for s in live_slides(doc)]


def _normal(text: str) -> str:
    return " ".join(text.split())


def _variable_changes(before: Variable, after: Variable) -> list[FieldChange]:
    subject = before.label
    found = []
    if before.label != after.label:  # the same name spelled otherwise, as the canvas shows it
        found.append(FieldChange(subject, "name", before.label, after.label))
    if before.kind != after.kind:
        found.append(FieldChange(subject, "kind", before.kind.value, after.kind.value))
    for name in ("equation", "units", "documentation"):
        old, new = _normal(getattr(before, name)), _normal(getattr(after, name))
        if old != new:
            found.append(FieldChange(subject, name, old, new))
    return found


def _links_by_ends(doc: SystemMap) -> dict[tuple[str, str], list[Link]]:
    """The links of ``doc`` by the canonical names of their ends, in document order."""
    keys = {vid: var.key for vid, var in doc.variables.items()}
    found: dict[tuple[str, str], list[Link]] = {}
    for link in doc.links.values():
        ends = (
            keys.get(link.source, canonical_name(link.source)),
            keys.get(link.target, canonical_name(link.target)),
        )
        found.setdefault(ends, []).append(link)
    return found


def _end_labels(doc: SystemMap, link: Link) -> tuple[str, str]:
    def label(vid: str) -> str:
        var = doc.variables.get(vid)
        return var.label if var is not None else vid

    return label(link.source), label(link.target)


_POLARITY_SHOWN = {
    Polarity.POSITIVE: "+",
    Polarity.NEGATIVE: "−",
    Polarity.UNKNOWN: "?",
    Polarity.NONE: "unmarked",
}


def _link_changes(subject: str, before: Link, after: Link) -> list[FieldChange]:
    found = []
    if before.polarity != after.polarity:
        found.append(
            FieldChange(
                subject, "polarity", _POLARITY_SHOWN[before.polarity], _POLARITY_SHOWN[after.polarity]
            )
        )
    if before.delay != after.delay:
        found.append(FieldChange(subject, "delay", _yes(before.delay), _yes(after.delay)))
    return found


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _texts_diff(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """(added, removed) texts, counting repeats: two notes saying the same are two notes."""
    before, after = Counter(old), Counter(new)
    added = after - before
    removed = before - after
    return _expand(new, added), _expand(old, removed)


def _expand(order: list[str], counts: Counter) -> list[str]:
    left = Counter(counts)
    out = []
    for text in order:
        if left[text] > 0:
            out.append(text)
            left[text] -= 1
    return out


_SPEC_FIELDS = ("start", "stop", "dt", "method", "time_units", "save_interval", "dt_reciprocal")


def _spec_value(value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, float | int):
        return f"{value:g}"
    return str(value)


def _sim_spec_changes(old: SystemMap, new: SystemMap) -> list[FieldChange]:
    found = []
    for name in _SPEC_FIELDS:
        before, after = getattr(old.sim_specs, name), getattr(new.sim_specs, name)
        if before != after:
            found.append(FieldChange("", name.replace("_", " "), _spec_value(before), _spec_value(after)))
    return found


def _quote(text: str) -> str:
    return f"'{text}'"


def _short(text: str) -> str:
    text = _normal(text)
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _change(c: FieldChange) -> str:
    if c.field == "documentation":
        return f"{c.field} {_quote(_short(c.old))} → {_quote(_short(c.new))}"
    if c.field in ("equation", "units", "name"):
        return f"{c.field} {_quote(c.old)} → {_quote(c.new)}"
    return f"{c.field} {c.old} → {c.new}"
