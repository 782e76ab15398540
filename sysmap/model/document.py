"""The document: a map's elements by id, the indexes that answer queries, and its events.

The document changes only through edits (:mod:`sysmap.model.edits`), which call the
underscore methods here; those keep every index up to date and refuse anything that would
leave a dangling reference, so a document can never hold a link to a missing variable or
two variables with the same name.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from sysmap.errors import ModelError
from sysmap.model.elements import (
    ELEMENT_TYPES,
    NO_EXTRAS,
    Alias,
    Behavior,
    Dimension,
    Element,
    Extras,
    Group,
    Kind,
    Link,
    LoopLabel,
    Note,
    SimSpecs,
    UnitDefinition,
    Variable,
)
from sysmap.model.events import ChangeCollector, Emitter
from sysmap.model.names import canonical_name

_UNSAVABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The text fields of each element type (str or tuple of str) that files must carry.
_TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    Variable: ("name", "equation", "units", "documentation", "tags"),
    Link: ("note", "tags"),
    LoopLabel: ("text", "documentation"),
    Note: ("text",),
    Group: ("name", "documentation"),
}


def check_text(element) -> None:
    """Refuse text no file format can hold (control characters other than tab, newline and
    carriage return), so that every map can be saved; :class:`ModelError` names the field."""
    for name in _TEXT_FIELDS.get(type(element), ()):
        value = getattr(element, name)
        for text in (value,) if isinstance(value, str) else value:
            if _UNSAVABLE.search(text):
                raise ModelError(f"the {type(element).__name__.lower()}'s {name} holds a control character")


def check_plain_text(text: str, what: str) -> None:
    """Refuse ``text`` that no file can hold, as :func:`check_text` does for elements."""
    if _UNSAVABLE.search(text):
        raise ModelError(f"the {what} holds a control character")


#: The document-level fields (which :class:`sysmap.model.edits.SetField` may change) and
#: their defaults.
DOCUMENT_FIELDS: dict[str, Any] = {
    "name": "",
    "documentation": "",
    "sim_specs": SimSpecs(),
    "dimensions": (),
    "units": (),
    "behavior": Behavior(),
    "submodels": (),
    "origin": "",
    "extras": (),
    # workshop additions, see sysmap.model.workshop
    "perspectives": (),
    "presentation": (),
    "votes": (),
}


class SystemMap:
    """A causal loop diagram or stock-and-flow map.

    >>> from sysmap.model import SystemMap, Kind, Polarity
    >>> doc = SystemMap(name="Bathtub")
    >>> water = doc.add_variable("Water in tub", kind=Kind.STOCK, equation="50")
    >>> drain = doc.add_variable("Draining", kind=Kind.FLOW, equation="water_in_tub / 5")
    >>> doc.attach_flow(drain.id, source=water.id, sink=None)
    >>> doc.flow_ends(drain.id) == (water.id, None)
    True
    >>> doc.rename_variable(water.id, "Water level")
    >>> doc.variables[drain.id].equation
    'Water_level / 5'
    """

    def __init__(
        self, name: str = "", documentation: str = "", sim_specs: SimSpecs | None = None, **fields: Any
    ):
        unknown = fields.keys() - DOCUMENT_FIELDS.keys()
        if unknown:
            raise ModelError(f"a map has no field {sorted(unknown)[0]!r}")
        self._fields: dict[str, Any] = dict(DOCUMENT_FIELDS)
        self._fields.update(fields, name=name, documentation=documentation, sim_specs=sim_specs or SimSpecs())
        self._stores: dict[type, dict[str, Any]] = {cls: {} for cls in ELEMENT_TYPES}
        self._by_key: dict[str, str] = {}
        self._links_out: dict[str, dict[str, None]] = {}
        self._links_in: dict[str, dict[str, None]] = {}
        self._flow_sources: dict[str, dict[str, None]] = {}
        self._flow_sinks: dict[str, dict[str, None]] = {}
        self._aliases_of: dict[str, dict[str, None]] = {}
        self._alias_links: dict[str, dict[str, None]] = {}
        self._counter = 0
        # Document order: each element keeps the sequence number of its first insertion, so
        # undoing a deletion puts it back in its place; stores are re-sorted lazily.
        self._seq: dict[str, int] = {}
        self._next_seq = 0
        self._unsorted: set[type] = set()
        self._batch_depth = 0
        self._pending = ChangeCollector()
        self.changed = Emitter()
        """Emits one :class:`sysmap.model.events.Change` after each edit or batch of edits."""

    # -- document-level fields -------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._fields["name"]

    @property
    def documentation(self) -> str:
        return self._fields["documentation"]

    @property
    def sim_specs(self) -> SimSpecs:
        return self._fields["sim_specs"]

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """The array dimensions the model declares."""
        return self._fields["dimensions"]

    @property
    def units(self) -> tuple[UnitDefinition, ...]:
        """The units of measure the model declares."""
        return self._fields["units"]

    @property
    def behavior(self) -> Behavior:
        """Model-wide defaults for non-negative stocks and flows."""
        return self._fields["behavior"]

    @property
    def submodels(self) -> tuple[SystemMap, ...]:
        """Models that modules of this map instantiate, each named by its ``name``."""
        return self._fields["submodels"]

    def all_models(self) -> Iterator[SystemMap]:
        """This map, then the models its modules instantiate (and theirs), breadth first.

        >>> [m.name for m in SystemMap(name="main", submodels=(SystemMap(name="sub"),)).all_models()]
        ['main', 'sub']
        """
        todo = [self]
        while todo:
            model = todo.pop(0)
            todo.extend(model.submodels)
            yield model

    @property
    def origin(self) -> str:
        """The program that first wrote this model (e.g. ``Vensim, xmutil``), whose equation
        semantics the simulator follows where programs disagree."""
        return self._fields["origin"]

    @property
    def perspectives(self) -> tuple:
        """The stakeholder groups (:class:`sysmap.model.workshop.Perspective`) whose tags
        mark what each contributed."""
        return self._fields["perspectives"]

    @property
    def presentation(self) -> tuple:
        """The saved presentation, as :class:`sysmap.model.workshop.Slide` objects (empty:
        none saved, the presentation is generated)."""
        return self._fields["presentation"]

    @property
    def votes(self) -> tuple[tuple[str, int], ...]:
        """Dot votes as (variable id, dots) pairs; see :func:`sysmap.model.workshop.votes_of`."""
        return self._fields["votes"]

    @property
    def extras(self) -> tuple[tuple[str, Extras], ...]:
        """File content kept without interpretation, by place (``"header"``, ``"model"``, ...)."""
        return self._fields["extras"]

    def extra(self, place: str) -> Extras:
        """The kept content of one place, empty if none."""
        return next((e for p, e in self._fields["extras"] if p == place), NO_EXTRAS)

    # -- element access ---------------------------------------------------------------------

    def _ordered(self, cls: type) -> dict[str, Any]:
        store = self._stores[cls]
        if cls in self._unsorted:
            seq = self._seq
            items = sorted(store.items(), key=lambda item: seq[item[0]])
            store.clear()
            store.update(items)
            self._unsorted.discard(cls)
        return store

    @property
    def variables(self) -> Mapping[str, Variable]:
        """Variables by id, in document order (read-only)."""
        return MappingProxyType(self._ordered(Variable))

    @property
    def links(self) -> Mapping[str, Link]:
        return MappingProxyType(self._ordered(Link))

    @property
    def aliases(self) -> Mapping[str, Alias]:
        return MappingProxyType(self._ordered(Alias))

    def aliases_of(self, vid: str) -> list[Alias]:
        """The aliases (ghosts) drawn for variable ``vid``."""
        aliases = self._stores[Alias]
        return [aliases[a] for a in self._aliases_of.get(vid, ())]

    @property
    def loop_labels(self) -> Mapping[str, LoopLabel]:
        return MappingProxyType(self._ordered(LoopLabel))

    @property
    def notes(self) -> Mapping[str, Note]:
        return MappingProxyType(self._ordered(Note))

    @property
    def groups(self) -> Mapping[str, Group]:
        return MappingProxyType(self._ordered(Group))

    def __contains__(self, eid: object) -> bool:
        return any(eid in store for store in self._stores.values())

    def element(self, eid: str) -> Element:
        """The element with id ``eid``, of whatever type; :class:`ModelError` if none."""
        for store in self._stores.values():
            if eid in store:
                return store[eid]
        raise ModelError(f"no element with id {eid!r}")

    def elements(self) -> Iterator[Element]:
        """Every element: variables, links, aliases, loop labels, notes, then groups."""
        for cls in self._stores:
            yield from self._ordered(cls).values()

    def variable_named(self, name: str) -> Variable | None:
        """The variable whose name is equivalent to ``name`` under the XMILE rules, if any."""
        vid = self._by_key.get(canonical_name(name))
        return None if vid is None else self._stores[Variable][vid]

    def variables_of_kind(self, kind: Kind) -> list[Variable]:
        return [v for v in self._ordered(Variable).values() if v.kind == kind]

    def links_from(self, vid: str) -> list[Link]:
        """Links leaving variable ``vid``, in the order they were added."""
        links = self._stores[Link]
        return [links[lid] for lid in self._links_out.get(vid, ())]

    def links_to(self, vid: str) -> list[Link]:
        """Links arriving at variable ``vid``, in the order they were added."""
        links = self._stores[Link]
        return [links[lid] for lid in self._links_in.get(vid, ())]

    def links_from_alias(self, aid: str) -> list[Link]:
        """Links drawn from alias ``aid``."""
        links = self._stores[Link]
        return [links[lid] for lid in self._alias_links.get(aid, ())]

    def flow_ends(self, fid: str) -> tuple[str | None, str | None]:
        """The stocks a flow drains and fills, ``None`` standing for a cloud.

        If a (foreign) file attaches one flow to several stocks on one side, the one that
        was attached first is returned.
        """
        return (
            next(iter(self._flow_sources.get(fid, ())), None),
            next(iter(self._flow_sinks.get(fid, ())), None),
        )

    def new_id(self, prefix: str = "e") -> str:
        """An id not used by any element yet, such as ``v7``; never returns the same one twice."""
        while True:
            self._counter += 1
            eid = f"{prefix}{self._counter}"
            if eid not in self:
                return eid

    # -- applying edits -----------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group edits so that listeners hear one :class:`Change` when the outermost batch ends."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                change, self._pending = self._pending.freeze(), ChangeCollector()
                if change:
                    self.changed.emit(change)

    def apply(self, edit) -> None:
        """Apply an edit (see :mod:`sysmap.model.edits`); listeners hear about it once.

        An edit that fails has undone its own steps (see :class:`~sysmap.model.edits.Compound`),
        so listeners hear nothing of it.
        """
        saved = self._pending.copy()
        with self.batch():
            try:
                edit.apply(self)
            except BaseException:
                self._pending = saved
                raise

    def revert(self, edit) -> None:
        """Undo an edit that was the last one applied."""
        with self.batch():
            edit.revert(self)

    # -- convenience: build an edit, apply it -------------------------------------------------

    def add_variable(self, name: str, kind: Kind = Kind.CONCEPT, **fields) -> Variable:
        """Add a variable and return it; see :func:`sysmap.model.operations.add_variable`."""
        from sysmap.model import operations

        edit = operations.add_variable(self, name, kind, **fields)
        self.apply(edit)
        return edit.element

    def add_link(self, source: str, target: str, **fields) -> Link:
        """Add a link between two variable ids and return it."""
        from sysmap.model import operations

        edit = operations.add_link(self, source, target, **fields)
        self.apply(edit)
        return edit.element

    def rename_variable(self, vid: str, new_name: str) -> None:
        """Rename a variable and every reference to it in the other equations."""
        from sysmap.model import operations

        self.apply(operations.rename_variable(self, vid, new_name))

    def attach_flow(self, fid: str, *, source: str | None, sink: str | None) -> None:
        """Connect a flow from stock ``source`` to stock ``sink`` (``None``: a cloud)."""
        from sysmap.model import operations

        self.apply(operations.attach_flow(self, fid, source=source, sink=sink))

    def remove(self, *ids: str) -> None:
        """Delete elements, with the links and attachments that would otherwise dangle."""
        from sysmap.model import operations

        self.apply(operations.remove(self, ids))

    # -- primitive mutations (only edits call these) -----------------------------------------

    def _store(self, element) -> dict[str, Any]:
        try:
            return self._stores[type(element)]
        except KeyError:
            raise ModelError(f"not a map element: {element!r}") from None

    def _check_refs(self, element) -> None:
        check_text(element)
        variables = self._stores[Variable]
        if isinstance(element, Link):
            for end in (element.source, element.target):
                if end not in variables:
                    raise ModelError(f"link {element.id} refers to unknown variable {end!r}")
            if element.alias is not None:
                alias = self._stores[Alias].get(element.alias)
                if alias is None or alias.of != element.source:
                    raise ModelError(
                        f"link {element.id} leaves {element.alias!r}, not an alias of its source"
                    )
        elif isinstance(element, Alias):
            if element.of not in variables:
                raise ModelError(f"alias {element.id} refers to unknown variable {element.of!r}")
        elif isinstance(element, Variable):
            key = canonical_name(element.name)
            if not key:
                raise ModelError(f"variable {element.id} has an empty name")
            owner = self._by_key.get(key)
            if owner is not None and owner != element.id:
                raise ModelError(f"a variable named {element.name!r} already exists")
            for fid in element.inflows + element.outflows:
                if fid not in variables and fid != element.id:
                    raise ModelError(f"stock {element.name!r} lists unknown flow {fid!r}")
        elif isinstance(element, LoopLabel):
            for vid in element.loop:
                if vid not in variables:
                    raise ModelError(f"loop label {element.id} refers to unknown variable {vid!r}")
        elif isinstance(element, Group):
            for eid in element.members:
                if eid not in self:
                    raise ModelError(f"group {element.name!r} lists unknown element {eid!r}")

    def _referrers(self, eid: str) -> list[str]:
        """Ids of the elements that refer to ``eid`` (links, stocks, labels, groups)."""
        found = list(self._links_out.get(eid, ())) + list(self._links_in.get(eid, ()))
        found += list(self._flow_sources.get(eid, ())) + list(self._flow_sinks.get(eid, ()))
        found += list(self._aliases_of.get(eid, ())) + list(self._alias_links.get(eid, ()))
        found += [lab.id for lab in self._stores[LoopLabel].values() if eid in lab.loop]
        found += [g.id for g in self._stores[Group].values() if eid in g.members]
        return found

    def _index(self, element, add: bool) -> None:
        if isinstance(element, Variable):
            key = canonical_name(element.name)
            if add:
                self._by_key[key] = element.id
            elif self._by_key.get(key) == element.id:
                del self._by_key[key]
            for fids, index in ((element.inflows, self._flow_sinks), (element.outflows, self._flow_sources)):
                for fid in fids:
                    stocks = index.setdefault(fid, {})
                    if add:
                        stocks[element.id] = None
                    else:
                        stocks.pop(element.id, None)
        elif isinstance(element, Link):
            pairs = [(self._links_out, element.source), (self._links_in, element.target)]
            if element.alias is not None:
                pairs.append((self._alias_links, element.alias))
            for index, end in pairs:
                ids = index.setdefault(end, {})
                if add:
                    ids[element.id] = None
                else:
                    ids.pop(element.id, None)
        elif isinstance(element, Alias):
            ids = self._aliases_of.setdefault(element.of, {})
            if add:
                ids[element.id] = None
            else:
                ids.pop(element.id, None)

    def _insert(self, element, seq: int | None = None) -> None:
        """Add ``element``: at the end, or back in the place ``seq`` it had before removal."""
        store = self._store(element)
        if element.id in self:
            raise ModelError(f"an element with id {element.id!r} already exists")
        self._check_refs(element)
        if seq is None:
            seq = self._next_seq
            self._next_seq += 1
        elif store and seq < self._seq[next(reversed(store))]:
            self._unsorted.add(type(element))
        store[element.id] = element
        self._seq[element.id] = seq
        self._index(element, add=True)
        self._pending.add(element.id)

    def _remove(self, eid: str) -> tuple[Element, int]:
        """Delete ``eid``; returns the element and its place, for :meth:`_insert` to restore."""
        element = self.element(eid)
        referrers = [r for r in self._referrers(eid) if r != eid]
        if referrers:
            raise ModelError(f"cannot remove {eid!r}: still referred to by {', '.join(referrers)}")
        store = self._store(element)
        seq = self._seq.pop(eid)
        del store[eid]
        self._index(element, add=False)
        self._links_out.pop(eid, None)
        self._links_in.pop(eid, None)
        self._pending.remove(eid)
        return element, seq

    def _replace(self, element) -> Element:
        store = self._store(element)
        old = store.get(element.id)
        if old is None:
            raise ModelError(f"no element with id {element.id!r} to change")
        self._check_refs(element)
        self._index(old, add=False)
        store[element.id] = element
        self._index(element, add=True)
        self._pending.change(element.id)
        return old

    def _set_field(self, field: str, value) -> Any:
        if field not in DOCUMENT_FIELDS:
            raise ModelError(f"not a document field: {field!r}")
        old = self._fields[field]
        self._fields[field] = value
        self._pending.document = True
        return old

    # -- comparison and copies ---------------------------------------------------------------

    def content(self) -> tuple:
        """Everything that makes up the document, in order, for comparisons."""
        return (
            tuple(self._fields.items()),
            tuple(tuple(self._ordered(cls).items()) for cls in self._stores),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SystemMap):
            return NotImplemented
        return self.content() == other.content()

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> SystemMap:
        """An independent snapshot (elements are immutable, so they are shared), without listeners."""
        new = SystemMap(**self._fields)
        with new.batch():
            for element in self.elements():
                new._store(element)[element.id] = element
                new._index(element, add=True)
        new._seq = dict(self._seq)
        new._next_seq = self._next_seq
        new._counter = self._counter
        new._pending = ChangeCollector()
        return new

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(s)} {cls.__name__.lower()}s" for cls, s in self._stores.items() if s)
        return f"<SystemMap {self.name!r}: {counts or 'empty'}>"
