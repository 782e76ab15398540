"""Copy, cut, paste and merge: a map's fragments, and the edits that add them to a map.

:func:`fragment` copies some elements of a map into a standalone map that holds just what
they need to stay valid (copy and cut put it on the clipboard). :func:`paste_edit` adds a
fragment to a map as new elements, with new ids and, where names clash, new names -- so a
fragment can be pasted into the map it came from, twice. :func:`merge_edit` adds a whole
other map, taking variables of the same name (XMILE's name equivalence) as the same
variable: this is how the maps several workshop tables drew of one issue become one map.
:func:`merge_tables` merges several tables' maps in one edit, tagging what each drew with
its name (provenance) and returning the polarity conflicts as :class:`Conflict` records.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> work = doc.add_variable("Workload", position=(100.0, 100.0))
>>> sick = doc.add_variable("Sick leave", equation="workload / 10", position=(300.0, 100.0))
>>> _ = doc.add_link(work.id, sick.id, polarity="+")
>>> clip = fragment(doc, [work.id, sick.id])
>>> len(clip.variables), len(clip.links)
(2, 1)
>>> edit, new_ids = paste_edit(doc, clip)
>>> doc.apply(edit); edit.text
'Paste 3 items'
>>> copy = doc.variables[new_ids[1]]
>>> copy.name, copy.equation, copy.position
('Sick leave 2', 'Workload_2 / 10', (330.0, 130.0))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as _field

from sysmap.errors import ModelError
from sysmap.model.document import SystemMap
from sysmap.model.edits import Compound, Edit, Insert, Replace, SetField
from sysmap.model.elements import Alias, Element, Group, Kind, Link, LoopLabel, Note, Point, Variable
from sysmap.model.equation_text import iter_references, referenced_names
from sysmap.model.names import canonical_name, equation_form
from sysmap.model.workshop import Perspective, has_perspective, tag_perspective

#: The id prefix of each kind of element, as :mod:`sysmap.model.operations` uses them.
_PREFIX = {Variable: "v", Link: "k", Alias: "a", LoopLabel: "r", Note: "n", Group: "g"}
#: How far to the right of a map's content a merged map goes when nothing places it.
MERGE_GAP = 120.0
#: Room for half an element on each side when placing one map beside another by centres.
_HALF_WIDTH = 60.0
_NUMBERED = re.compile(r"(.*\S)[ _]+(\d+)", re.DOTALL)


# -- copying -------------------------------------------------------------------------------------


def fragment(doc: SystemMap, ids: Iterable[str]) -> SystemMap:
    """A standalone map holding the elements ``ids`` of ``doc`` and what keeps them valid.

    Links come along when both their variables do (chosen or not), and are dropped
    otherwise; a link drawn from an alias that stays behind is drawn from its variable.
    Stocks keep only the flows that come along (the others end in clouds); an alias comes
    only with its variable; loop labels and groups keep the members that come along. The
    map's simulation specs, dimensions, units and submodels come too, for the equations.
    Ids are kept: :func:`paste_edit` gives new ones.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> a, b = doc.add_variable("A"), doc.add_variable("B")
    >>> _ = doc.add_link(a.id, b.id)
    >>> len(fragment(doc, [a.id]).links), len(fragment(doc, [a.id, b.id]).links)
    (0, 1)
    """
    chosen = set(ids)
    for eid in chosen:
        doc.element(eid)
    variables = {vid: var for vid, var in doc.variables.items() if vid in chosen}
    aliases = {aid: a for aid, a in doc.aliases.items() if aid in chosen and a.of in variables}
    elements: list[Element] = []
    for var in variables.values():
        if var.kind == Kind.STOCK:
            var = var.evolve(
                inflows=tuple(f for f in var.inflows if f in variables),
                outflows=tuple(f for f in var.outflows if f in variables),
            )
        elements.append(var)
    elements += aliases.values()
    for link in doc.links.values():
        if link.source in variables and link.target in variables:
            elements.append(link if link.alias is None or link.alias in aliases else link.evolve(alias=None))
    for label in doc.loop_labels.values():
        if label.id in chosen:
            elements.append(label.evolve(loop=tuple(v for v in label.loop if v in variables)))
    elements += [note for nid, note in doc.notes.items() if nid in chosen]
    kept = {e.id for e in elements} | {gid for gid in doc.groups if gid in chosen}
    for group in doc.groups.values():
        if group.id in chosen:
            elements.append(group.evolve(members=tuple(m for m in group.members if m in kept)))
    clip = SystemMap(
        doc.name,
        sim_specs=doc.sim_specs,
        dimensions=doc.dimensions,
        units=doc.units,
        behavior=doc.behavior,
        submodels=doc.submodels,
        origin=doc.origin,
    )
    clip.apply(Compound(_in_order(elements), "Copy"))
    return clip


def _in_order(elements: list[Element]) -> list[Edit]:
    """Inserts of ``elements`` in an order the document accepts: flows before the stocks that
    list them, variables before what refers to them, groups after their member groups (a
    cycle of groups, which no map can hold, is cut)."""
    rank = {Alias: 1, Link: 2, LoopLabel: 3, Note: 4}
    ordered = sorted(
        (e for e in elements if not isinstance(e, Group)),
        key=lambda e: (rank.get(type(e), 0), isinstance(e, Variable) and e.kind == Kind.STOCK),
    )
    edits: list[Edit] = [Insert(e) for e in ordered]
    groups = [e for e in elements if isinstance(e, Group)]
    done = {e.id for e in ordered}
    waiting = {g.id for g in groups}
    while groups:
        ready = [g for g in groups if not (waiting - done).intersection(g.members)]
        if not ready:  # a cycle: cut it at the first group
            first = groups[0]
            ready = [first.evolve(members=tuple(m for m in first.members if m not in waiting - done))]
            groups[0] = ready[0]
        for group in ready:
            edits.append(Insert(group))
            done.add(group.id)
        groups = [g for g in groups if g.id not in done]
    return edits


# -- adding one map's elements to another --------------------------------------------------------


def _shifted(element, dx: float, dy: float):
    """``element`` moved by (dx, dy), with the bend points of its link or pipe."""
    changes: dict = {}
    if getattr(element, "position", None) is not None:
        x, y = element.position
        changes["position"] = (round(x + dx, 6), round(y + dy, 6))
    if getattr(element, "points", ()):
        changes["points"] = tuple((round(x + dx, 6), round(y + dy, 6)) for x, y in element.points)
    return element.evolve(**changes) if changes else element


def _centre(elements: Iterable) -> Point | None:
    """The middle of the box round the positions of ``elements``, or None if none has one."""
    points = [e.position for e in elements if getattr(e, "position", None) is not None]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)


def _free_name(name: str, taken: set[str]) -> str:
    """``name`` numbered so that its canonical form is not ``taken``: "Workload" becomes
    "Workload 2", "Workload 2" becomes "Workload 3", and so on.

    >>> _free_name("Workload", {"workload", "workload_2"})
    'Workload 3'
    """
    match = _NUMBERED.fullmatch(name)
    base, n = (match.group(1), int(match.group(2)) + 1) if match else (name, 2)
    while canonical_name(f"{base} {n}") in taken:
        n += 1
    return f"{base} {n}"


def _rewrite(text: str, renames: dict[str, str]) -> str:
    """``text`` with every reference to a key of ``renames`` replaced by its value, in one pass
    (so that renaming A to B and B to C does not turn A into C)."""
    if not text or not renames or not referenced_names(text) & renames.keys():
        return text
    parts: list[str] = []
    last = 0
    for ref in iter_references(text):
        if ref.name in renames:
            parts += [text[last : ref.start], renames[ref.name]]
            last = ref.end
    parts.append(text[last:])
    return "".join(parts)


def _rotation_key(loop: tuple[str, ...]) -> tuple[str, ...]:
    return min((loop[i:] + loop[:i] for i in range(len(loop))), default=())


class _Adder:
    """Builds the edit adding the elements of ``source`` to ``doc``.

    ``match`` maps source variable ids to the doc's variables that stand for them (merge);
    the others are added with new ids, renamed on a name clash. ``to`` maps every source id
    to the id it has in the doc afterwards; ``new`` lists the ids added. ``table`` names the
    source in messages; with ``tag``, every variable and link the source draws, new or
    already in the doc, carries that tag (provenance). ``origins`` names the table that drew
    each link of the doc that came from an earlier table of the same merge.
    """

    def __init__(
        self,
        doc: SystemMap,
        source: SystemMap,
        match: dict[str, str],
        shift: Point,
        *,
        table: str = "",
        tag: str | None = None,
        origins: Mapping[str, str] | None = None,
    ):
        self.doc = doc
        self.source = source
        self.shift = shift
        self.table = table or source.name or "the other map"
        self.tag = tag
        self.origins = origins or {}
        self.to: dict[str, str] = dict(match)
        self.new: list[str] = []
        self.messages: list[str] = []
        self.conflicts: list[Conflict] = []
        self.conflict_messages: list[str] = []  # the messages of the conflicts, also in messages
        self.elements: list[Element] = []
        self.changed: dict[str, Element] = {}  # existing elements, changed

    def _new_id(self, element) -> str:
        eid = self.doc.new_id(_PREFIX[type(element)])
        self.to[element.id] = eid
        self.new.append(eid)
        return eid

    def _current(self, eid: str):
        return self.changed.get(eid) or self.doc.element(eid)

    def _tagged(self, element):
        """``element`` with the provenance tag, if there is one and it lacks it."""
        if self.tag is None or has_perspective(element, self.tag):
            return element
        return element.evolve(tags=(*element.tags, self.tag))

    def build(self, text: str) -> Edit:
        doc, source = self.doc, self.source
        dx, dy = self.shift
        # variables: new ids first (stocks refer to flows), then names and equations
        added = [var for vid, var in source.variables.items() if vid not in self.to]
        for var in added:
            self._new_id(var)
        taken = {canonical_name(v.name) for v in doc.variables.values()}
        renames: dict[str, str] = {}
        names: dict[str, str] = {}
        for var in added:
            name = var.name
            if canonical_name(name) in taken:
                name = _free_name(name, taken)
                renames[var.key] = equation_form(name)
            taken.add(canonical_name(name))
            names[var.id] = name
        for var in added:
            new = _shifted(self._tagged(var), dx, dy).evolve(
                id=self.to[var.id],
                name=names[var.id],
                equation=_rewrite(var.equation, renames),
                elements=tuple(replace(el, equation=_rewrite(el.equation, renames)) for el in var.elements),
                inflows=(),
                outflows=(),
            )
            self.elements.append(new)
        self._attach_flows()
        for alias in source.aliases.values():
            self.elements.append(_shifted(alias, dx, dy).evolve(id=self._new_id(alias), of=self.to[alias.of]))
        self._links()
        self._labels()
        for note in source.notes.values():
            self.elements.append(_shifted(note, dx, dy).evolve(id=self._new_id(note)))
        for group in source.groups.values():
            self._new_id(group)
        for group in source.groups.values():
            members = tuple(self.to[m] for m in group.members if m in self.to)
            self.elements.append(_shifted(group, dx, dy).evolve(id=self.to[group.id], members=members))
        if self.tag is not None:  # what was there already was drawn by this table too
            for sid in (*source.variables, *source.links):
                eid = self.to.get(sid)
                if eid in doc:
                    current = self._current(eid)
                    tagged = self._tagged(current)
                    if tagged is not current:
                        self.changed[eid] = tagged

        edits: list[Edit] = self._definitions()
        edits += _in_order(self.elements)
        edits += [Replace(doc.element(eid), new) for eid, new in self.changed.items()]
        return Compound(edits, text)

    def _attach_flows(self) -> None:
        """Each stock-flow attachment of the source, where the doc can take it: a flow keeps
        one stock on each side, so an attachment that would give it a second is reported."""
        doc, source = self.doc, self.source
        added = {e.id: e for e in self.elements}
        sides: dict[tuple[str, str], str] = {}  # (flow, "in"/"out") -> stock, in the doc
        for fid in self.to.values():
            if fid in doc.variables:
                upstream, downstream = doc.flow_ends(fid)
                if upstream is not None:
                    sides[fid, "out"] = upstream
                if downstream is not None:
                    sides[fid, "in"] = downstream
        for stock in source.variables.values():
            if stock.kind != Kind.STOCK:
                continue
            target = self.to[stock.id]
            for side, flows in (("in", stock.inflows), ("out", stock.outflows)):
                for fid in flows:
                    flow = self.to[fid]
                    holder = sides.get((flow, side))
                    if holder == target:
                        continue
                    element = added.get(target) or self._current(target)
                    flow_var = added.get(flow) or self._current(flow)
                    if element.kind != Kind.STOCK or flow_var.kind != Kind.FLOW:
                        self.messages.append(
                            f"{stock.label!r} and {source.variables[fid].label!r} are a stock and its flow "
                            f"in the other map but not in this one: not connected"
                        )
                        continue
                    if sides.get((flow, "out" if side == "in" else "in")) == target:
                        self.messages.append(
                            f"flow {flow_var.label!r} cannot both drain and fill {element.label!r}: "
                            f"not connected to it again"
                        )
                        continue
                    if holder is not None:
                        self.messages.append(
                            f"flow {flow_var.label!r} already {'fills' if side == 'in' else 'drains'} "
                            f"{(added.get(holder) or self._current(holder)).label!r}: "
                            f"not connected to {element.label!r}"
                        )
                        continue
                    sides[flow, side] = target
                    field = "inflows" if side == "in" else "outflows"
                    changed = element.evolve(**{field: getattr(element, field) + (flow,)})
                    if target in added:
                        self.elements[self.elements.index(element)] = changed
                        added[target] = changed
                    else:
                        self.changed[target] = changed

    def _links(self) -> None:
        doc, source = self.doc, self.source
        dx, dy = self.shift
        joined: dict[tuple[str, str], str] = {}  # links added between variables already there
        for link in source.links.values():
            s, t = self.to[link.source], self.to[link.target]
            if s == t and link.source != link.target:  # its two ends were matched to one variable
                ends = (self.source.variables[link.source].label, self.source.variables[link.target].label)
                self.messages.append(
                    f"link {ends[0]!r} -> {ends[1]!r} in {self.table} joins one variable to itself "
                    f"once they are the same: not added"
                )
                continue
            between_existing = s in doc.variables and t in doc.variables
            if between_existing:
                existing = next((k for k in doc.links_from(s) if k.target == t), None)
                if existing is not None:
                    self.to[link.id] = existing.id
                    if existing.polarity != link.polarity:
                        self._conflict(existing, link)
                    continue
                if (s, t) in joined:  # the other map draws it twice: add it once
                    self.to[link.id] = joined[s, t]
                    continue
            lid = self._new_id(link)
            if between_existing:
                joined[s, t] = lid
            alias = self.to.get(link.alias) if link.alias is not None else None
            self.elements.append(
                _shifted(self._tagged(link), dx, dy).evolve(id=lid, source=s, target=t, alias=alias)
            )

    def _conflict(self, existing: Link, other: Link) -> None:
        current = self._current(existing.id)
        theirs = other.polarity.value or "none"
        ours = existing.polarity.value or "none"
        name = self.table
        remark = f"{name} draws this link with polarity {theirs}"
        self.changed[existing.id] = current.evolve(
            note=f"{current.note}\n{remark}" if current.note else remark
        )
        ends = (self.doc.variables[existing.source].label, self.doc.variables[existing.target].label)
        first = self.origins.get(existing.id, "")
        self.conflicts.append(Conflict(ends[0], ends[1], ours, theirs, name, existing.id, first))
        where, whose = (f"in {first}", f"{first}'s") if first else ("here", "this map's")
        message = (
            f"link {ends[0]!r} -> {ends[1]!r}: polarity {ours} {where}, {theirs} in {name}; "
            f"kept {whose}, with a note"
        )
        self.messages.append(message)
        self.conflict_messages.append(message)

    def _labels(self) -> None:
        dx, dy = self.shift
        labelled = {_rotation_key(lab.loop): lab.id for lab in self.doc.loop_labels.values() if lab.loop}
        for label in self.source.loop_labels.values():
            loop = tuple(self.to[v] for v in label.loop)
            key = _rotation_key(loop)
            if key and key in labelled:
                self.to[label.id] = labelled[key]  # this loop has a label already
                continue
            self.elements.append(_shifted(label, dx, dy).evolve(id=self._new_id(label), loop=loop))

    def _definitions(self) -> list[Edit]:
        """Dimensions and units the source declares and the doc does not, added to the doc."""
        edits: list[Edit] = []
        for field in ("dimensions", "units"):
            have = {canonical_name(d.name) for d in getattr(self.doc, field)}
            missing = tuple(d for d in getattr(self.source, field) if canonical_name(d.name) not in have)
            if missing:
                old = getattr(self.doc, field)
                edits.append(SetField(field, old, old + missing, f"Add {field}"))
        return edits


def _count(n: int) -> str:
    return f"{n} item{'s' if n != 1 else ''}"


def paste_edit(
    doc: SystemMap, fragment: SystemMap, *, offset: Point = (30.0, 30.0), at: Point | None = None
) -> tuple[Edit, list[str]]:
    """One edit adding copies of ``fragment``'s elements to ``doc`` ("Paste N items"), and
    the ids of the copies (to select them).

    Every copy has a new id; a variable whose name is taken gets a free one ("Workload 2"),
    and the pasted equations follow the new names. Positions (and bend points) move by
    ``offset``, or so that the middle of the fragment lands on ``at``. Dimensions and units
    the fragment declares and ``doc`` does not are added; ``doc``'s simulation specs stay.
    """
    if next(fragment.elements(), None) is None:
        raise ModelError("there is nothing to paste")
    if at is not None:
        centre = _centre(fragment.elements())
        shift = (at[0] - centre[0], at[1] - centre[1]) if centre else (0.0, 0.0)
    else:
        shift = (float(offset[0]), float(offset[1]))
    adder = _Adder(doc, fragment, {}, shift)
    edit = adder.build("")
    edit.text = f"Paste {_count(len(adder.new))}"
    return edit, adder.new


@dataclass(frozen=True, slots=True)
class Conflict:
    """A link two maps draw with different polarities: from ``cause`` to ``effect`` (as
    shown), the polarity kept (``ours``) and the one ``table`` drew (``theirs``), each "+",
    "-", "?" or "none". ``link`` is the id of the link kept; ``first`` names the table that
    drew it, empty when the map merged into had it.

    >>> str(Conflict("Workload", "Sick leave", "+", "-", "Table 2"))
    'Workload → Sick leave: + here, − at Table 2'
    """

    cause: str
    effect: str
    ours: str
    theirs: str
    table: str
    link: str = ""
    first: str = ""

    def __str__(self) -> str:
        def sign(p: str) -> str:
            return "−" if p == "-" else p

        where = f"at {self.first}" if self.first else "here"
        return f"{self.cause} → {self.effect}: {sign(self.ours)} {where}, {sign(self.theirs)} at {self.table}"


@dataclass
class MergeResult:
    """What :func:`merge_tables` built: the one ``edit`` adding every table's map, the ids
    it adds, the polarity ``conflicts`` for the room to discuss, the other ``messages``
    (definitions that differ, what could not be connected), and the variables ``matched``
    to one already there, as (table, their variable's name, id in the merged map)."""

    edit: Edit
    new_ids: list[str] = _field(default_factory=list)
    conflicts: list[Conflict] = _field(default_factory=list)
    messages: list[str] = _field(default_factory=list)
    matched: list[tuple[str, str, str]] = _field(default_factory=list)


def merge_edit(
    doc: SystemMap,
    other: SystemMap,
    *,
    match_names: bool = True,
    at: Point | None = None,
    synonyms: Mapping[str, str] | None = None,
    provenance: str | None = None,
) -> tuple[Edit, list[str], list[str]]:
    """One edit adding the map ``other`` to ``doc`` ("Merge N items from ..."), the ids of
    the elements added, and messages about what could not be merged as it was.

    With ``match_names``, a variable of ``other`` whose name is equivalent to one of ``doc``'s
    (:func:`~sysmap.model.names.canonical_name`) is that variable: it is not added again
    and keeps ``doc``'s definition (a different equation or kind is reported); links join
    the existing variables, without repeating a link ``doc`` already has from the same cause
    to the same effect. Where the two maps give that link different polarities, ``doc``'s
    stays, with a note saying what ``other`` drew, and a message. A loop label for a loop
    that already has one is not added. The other elements are added as
    :func:`paste_edit` adds them. ``synonyms`` maps variable ids of ``other`` to those of
    ``doc`` that the user confirmed mean the same (see
    :func:`~sysmap.model.synonyms.near_synonyms`): they are matched as names are.

    With ``provenance`` (a table's name), every variable and link ``other`` draws carries
    that tag, those ``doc`` had already included, and ``doc`` gets a
    :class:`~sysmap.model.workshop.Perspective` of that name if it has none: the
    perspectives show what each table saw. Messages then name the table so.

    New elements keep their places relative to the variables they were matched with (the
    average offset between the two maps' positions of the matched variables); with no match,
    ``other`` goes to the right of ``doc``'s content. ``at`` puts the middle of the added
    elements there instead. :func:`merge_tables` merges several maps in one edit and
    returns the conflicts as data.

    >>> from sysmap.model import SystemMap
    >>> ours, theirs = SystemMap(name="Table 1"), SystemMap(name="Table 2")
    >>> for doc in (ours, theirs):
    ...     w = doc.add_variable("Workload"); s = doc.add_variable("Stress")
    ...     _ = doc.add_link(w.id, s.id, polarity="+")
    >>> _ = theirs.add_link(theirs.variable_named("Stress").id, theirs.variable_named("Workload").id)
    >>> edit, new_ids, messages = merge_edit(ours, theirs)
    >>> ours.apply(edit); edit.text, len(ours.variables), len(ours.links), messages
    ("Merge 1 item from 'Table 2'", 2, 2, [])
    """
    adder, messages = _merge_one(
        doc, other, match_names=match_names, at=at, synonyms=synonyms, table=provenance, tag=provenance
    )
    edit = adder.build("")
    if provenance is not None:
        adding = _new_perspectives(doc, [provenance])
        if adding is not None:
            edit.edits.insert(0, adding)
    name = f" from {other.name!r}" if other.name else ""
    edit.text = f"Merge {_count(len(adder.new))}{name}"
    return edit, adder.new, messages + adder.messages


def _merge_one(
    doc: SystemMap,
    other: SystemMap,
    *,
    match_names: bool = True,
    at: Point | None = None,
    synonyms: Mapping[str, str] | None = None,
    table: str | None = None,
    tag: str | None = None,
    origins: Mapping[str, str] | None = None,
) -> tuple[_Adder, list[str]]:
    """The adder of ``other`` into ``doc`` (built with ``adder.build``), and the messages
    about matched variables whose definitions differ."""
    table = table or other.name or "the other map"
    if next(other.elements(), None) is None:
        raise ModelError(f"{table} is empty: there is nothing to merge")
    match: dict[str, str] = {}
    messages: list[str] = []
    for vid, mine_id in (synonyms or {}).items():
        if vid not in other.variables:
            raise ModelError(f"{table} has no variable {vid!r}")
        if mine_id not in doc.variables:
            raise ModelError(f"there is no variable {mine_id!r} for {other.variables[vid].label!r} to join")
    for vid, var in other.variables.items():
        if synonyms and vid in synonyms:
            mine = doc.variables[synonyms[vid]]
        elif match_names:
            mine = doc.variable_named(var.name)
            if mine is None:
                continue
        else:
            continue
        match[vid] = mine.id
        if mine.kind != var.kind:
            messages.append(
                f"{mine.label!r} is a {mine.kind.value} here and a {var.kind.value} in "
                f"{table}: kept as a {mine.kind.value}"
            )
        elif var.equation.strip() and mine.equation.strip() != var.equation.strip():
            messages.append(
                f"{mine.label!r} has another equation in {table} ({var.equation.strip()!r}): kept this map's"
            )
    adding = [e for e in other.elements() if e.id not in match]
    if at is not None:
        centre = _centre(adding)
        shift = (at[0] - centre[0], at[1] - centre[1]) if centre else (0.0, 0.0)
    elif match:
        pairs = [(doc.variables[mine].position, other.variables[vid].position) for vid, mine in match.items()]
        shift = (
            sum(p[0] - q[0] for p, q in pairs) / len(pairs),
            sum(p[1] - q[1] for p, q in pairs) / len(pairs),
        )
    else:
        shift = _beside(doc, adding)
    return _Adder(doc, other, match, shift, table=table, tag=tag, origins=origins), messages


def _new_perspectives(doc: SystemMap, names: Sequence[str]) -> SetField | None:
    """The edit adding a perspective for each of ``names`` that ``doc`` lacks (None: none)."""
    have = {p.name.strip().casefold() for p in doc.perspectives}
    missing = []
    for name in names:
        if name.strip().casefold() not in have:
            have.add(name.strip().casefold())
            missing.append(Perspective(name.strip(), description="The table that drew these"))
    if not missing:
        return None
    return SetField("perspectives", doc.perspectives, (*doc.perspectives, *missing), "Add perspectives")


def merge_tables(
    doc: SystemMap,
    others: Sequence[tuple[str, SystemMap]],
    *,
    synonyms: Mapping[str, Mapping[str, str]] | None = None,
    provenance: bool = True,
    match_names: bool = True,
    base: str | None = None,
) -> MergeResult:
    """One edit (one undo step) merging several tables' maps into ``doc``, in order.

    ``base`` names the table that drew ``doc`` itself: with ``provenance``, its variables and
    links are tagged with that name too (and it becomes a perspective), so every table's view
    can be compared, the first one's included.

    ``others`` holds (table name, map) pairs; each map merges as :func:`merge_edit` merges
    it, into ``doc`` with the tables before it already merged, so a variable or link that
    two tables drew is added once. With ``provenance``, everything a table drew carries its
    name as a tag and each table becomes a perspective. ``synonyms`` maps a table's name to
    {its variable id: the *name* of the variable it is}, a variable of ``doc`` or of a table
    merged before (names are unique in the merged map; the name of a variable merged into
    another as a synonym also leads to that one, for the later tables too).

    A link drawn with another polarity than the one already there (by ``doc`` or by an
    earlier table) keeps the first, and is reported as a :class:`Conflict`.

    >>> from sysmap.model import SystemMap
    >>> def drawn(*links):
    ...     m = SystemMap()
    ...     for cause, effect, sign in links:
    ...         ids = [(m.variable_named(n) or m.add_variable(n)).id for n in (cause, effect)]
    ...         _ = m.add_link(*ids, polarity=sign)
    ...     return m
    >>> doc = SystemMap()
    >>> one = drawn(("Workload", "Stress", "+"))
    >>> two = drawn(("workload", "stress", "-"), ("Stress", "Errors", "+"))
    >>> result = merge_tables(doc, [("Table 1", one), ("Table 2", two)])
    >>> doc.apply(result.edit); result.edit.text
    "Merge 2 tables' maps (5 items)"
    >>> [str(c) for c in result.conflicts]
    ['Workload → Stress: + at Table 1, − at Table 2']
    >>> sorted(doc.variable_named("Stress").tags)
    ['Table 1', 'Table 2']
    """
    names = [name.strip() for name, _ in others]
    if not others:
        raise ModelError("choose at least one map to merge")
    base = (base or "").strip() or None
    seen: set[str] = set()
    for name in ([base] if base else []) + names:
        if not name:
            raise ModelError("every table needs a name")
        if name.casefold() in seen:
            raise ModelError(f"two tables are named {name!r}: name them apart")
        seen.add(name.casefold())
    confirmed = {k.strip().casefold(): v for k, v in (synonyms or {}).items()}
    unknown = confirmed.keys() - seen
    if unknown:
        raise ModelError(f"synonyms for {sorted(unknown)[0]!r}, which is not one of the tables")
    scratch = doc.copy()
    result = MergeResult(Compound([], ""))
    parts: list[Edit] = []
    if base and provenance:
        drawn = [*scratch.variables, *scratch.links]
        own = tag_perspective(scratch, drawn, base)
        scratch.apply(own)
        parts.append(own)
    origins: dict[str, str] = {}  # link id -> the table that added it
    merged_away: dict[str, str] = {}  # canonical name of a synonym -> the variable it joined
    for name, (_, other) in zip(names, others, strict=True):
        joins: dict[str, str] = {}
        for vid, target in confirmed.get(name.casefold(), {}).items():
            if vid not in other.variables:
                raise ModelError(f"{name} has no variable {vid!r}")
            mine = scratch.variable_named(target) or scratch.variables.get(
                merged_away.get(canonical_name(target), "")
            )
            if mine is None:
                raise ModelError(
                    f"there is no variable {target!r} for {name}'s {other.variables[vid].label!r} to join"
                )
            joins[vid] = mine.id
        for vid, var in other.variables.items():
            unmatched = vid not in joins and match_names and scratch.variable_named(var.name) is None
            if unmatched and var.key in merged_away:
                joins[vid] = merged_away[var.key]
        adder, messages = _merge_one(
            scratch,
            other,
            match_names=match_names,
            synonyms=joins,
            table=name,
            tag=name if provenance else None,
            origins=origins,
        )
        part = adder.build(f"Merge {name}")
        scratch.apply(part)
        parts.append(part)
        for vid, target in joins.items():
            merged_away.setdefault(other.variables[vid].key, target)
        for lid in other.links:
            if adder.to.get(lid) in adder.new:
                origins[adder.to[lid]] = name
        result.new_ids += adder.new
        result.conflicts += adder.conflicts
        result.messages += messages + [m for m in adder.messages if m not in adder.conflict_messages]
        result.matched += [
            (name, other.variables[vid].label, target)
            for vid, target in adder.to.items()
            if vid in other.variables and target not in adder.new
        ]
    if provenance:
        adding = _new_perspectives(doc, ([base] if base else []) + names)
        if adding is not None:
            parts.insert(0, adding)
    count = _count(len(result.new_ids))
    if len(others) == 1:
        text = f"Merge {count} from {names[0]!r}"
    else:
        text = f"Merge {len(others)} tables' maps ({count})"
    result.edit = Compound(parts, text)
    return result


def _beside(doc: SystemMap, adding: list) -> Point:
    """The shift that puts the positioned elements of ``adding`` right of ``doc``'s content,
    tops level."""
    here = [e.position for e in doc.elements() if getattr(e, "position", None) is not None]
    there = [e.position for e in adding if getattr(e, "position", None) is not None]
    if not here or not there:
        return (0.0, 0.0)
    return (
        max(p[0] for p in here) + MERGE_GAP - min(p[0] for p in there) + _HALF_WIDTH,
        min(p[1] for p in here) - min(p[1] for p in there),
    )
