"""What changed between two maps, by meaning rather than by file text.

Variables are matched by canonical name (so ``Staff_morale`` and ``staff morale`` are the
same variable), links by the names of their two ends; ids, positions and drawing details
are ignored.

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
from sysmap.model.elements import Link, Polarity, Variable
from sysmap.model.names import canonical_name

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

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def lines(self) -> list[str]:
        """One human-readable line per difference: ``+`` added, ``-`` removed, ``~`` changed."""
        out = [f"+ variable {_quote(n)}" for n in self.added_variables]
        out += [f"- variable {_quote(n)}" for n in self.removed_variables]
        out += [f"~ variable {_quote(c.subject)}: {_change(c)}" for c in self.changed_variables]
        out += [f"+ link {_ARROW.join(pair)}" for pair in self.added_links]
        out += [f"- link {_ARROW.join(pair)}" for pair in self.removed_links]
        out += [f"~ link {c.subject}: {_change(c)}" for c in self.changed_links]
        out += [f"+ loop label {_quote(t)}" for t in self.added_loop_labels]
        out += [f"- loop label {_quote(t)}" for t in self.removed_loop_labels]
        out += [f"+ note {_quote(_short(t))}" for t in self.added_notes]
        out += [f"- note {_quote(_short(t))}" for t in self.removed_notes]
        out += [f"~ sim specs: {_change(c)}" for c in self.changed_sim_specs]
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
        }


def diff_maps(old: SystemMap, new: SystemMap) -> MapDiff:
    """Compare ``old`` with ``new``: variables by canonical name, links by their ends' names.

    Compared: each variable's kind, equation (whitespace-normalised), units, documentation
    and the spelling of its name; each link's polarity and delay; loop labels and notes by
    text; the sim specs. Not compared: positions, ids, styles, groups, aliases, arrays,
    graphical functions and submodels.
    """
    diff = MapDiff()
    old_vars = {v.key: v for v in old.variables.values()}
    new_vars = {v.key: v for v in new.variables.values()}
    diff.added_variables = [v.label for k, v in new_vars.items() if k not in old_vars]
    diff.removed_variables = [v.label for k, v in old_vars.items() if k not in new_vars]
    for key, before in old_vars.items():
        after = new_vars.get(key)
        if after is not None:
            diff.changed_variables += _variable_changes(before, after)

    old_links, new_links = _links_by_ends(old), _links_by_ends(new)
    for ends, befores in old_links.items():
        afters = new_links.get(ends, [])
        subject = _ARROW.join(_end_labels(old, befores[0]))
        for before, after in zip(befores, afters, strict=False):
            diff.changed_links += _link_changes(subject, before, after)
        diff.removed_links += [_end_labels(old, link) for link in befores[len(afters) :]]
    for ends, afters in new_links.items():
        done = len(old_links.get(ends, []))
        diff.added_links += [_end_labels(new, link) for link in afters[done:]]

    diff.added_loop_labels, diff.removed_loop_labels = _texts_diff(
        [label.text for label in old.loop_labels.values()], [label.text for label in new.loop_labels.values()]
    )
    diff.added_notes, diff.removed_notes = _texts_diff(
        [note.text for note in old.notes.values()], [note.text for note in new.notes.values()]
    )
    diff.changed_sim_specs = _sim_spec_changes(old, new)
    return diff


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
