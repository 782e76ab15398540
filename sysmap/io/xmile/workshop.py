"""A map's workshop additions in XMILE: perspectives, the saved presentation and dot votes.

They are written inside ``<model>`` as one ``<sysmap:workshop>`` element, which other tools
ignore. Elements are referred to as files refer to them: variables by name, links by their
ends (and which of the parallel links, if there are several), loop labels and notes by
their place among the model's::

    <sysmap:workshop>
      <sysmap:perspective name="Residents" color="#d62728">The people services are for</sysmap:perspective>
      <sysmap:step kind="loop">
        <sysmap:var>Workload</sysmap:var>
        <sysmap:link from="Workload" to="Sick_leave"/>
        <sysmap:loop_label index="0"/>
        <sysmap:caption>Overwork feeds itself</sysmap:caption>
        <sysmap:notes>Ask table 3 about agency staff</sysmap:notes>
      </sysmap:step>
      <sysmap:vote dots="4">Workload</sysmap:vote>
    </sysmap:workshop>
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from sysmap.io.xmile.names import sysmap_tag
from sysmap.model import SystemMap
from sysmap.model.workshop import (
    SLIDE_KINDS,
    Perspective,
    Slide,
    is_colour,
    set_perspectives,
    set_presentation,
    set_votes,
)

WORKSHOP = sysmap_tag("workshop")
_MAX_DOTS = 1_000_000


def _sub(parent, local: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, sysmap_tag(local), attributes)
    if text:
        element.text = text
    return element


def write_workshop(doc: SystemMap, names: dict[str, str]) -> etree._Element | None:
    """The ``<sysmap:workshop>`` element of ``doc`` (``names``: variable id -> the name files
    use), or ``None`` when the map has no perspectives, presentation or votes."""
    if not (doc.perspectives or doc.presentation or doc.votes):
        return None
    root = etree.Element(WORKSHOP)
    for p in doc.perspectives:
        attributes = {"name": p.name} | ({"color": p.color} if p.color else {})
        _sub(root, "perspective", p.description, **attributes)
    labels = {lid: i for i, lid in enumerate(doc.loop_labels)}
    notes = {nid: i for i, nid in enumerate(doc.notes)}
    for slide in doc.presentation:
        step = _sub(root, "step", kind=slide.kind)
        for eid in slide.items:
            if eid in doc.variables:
                _sub(step, "var", names[eid])
            elif eid in doc.links:
                link = doc.links[eid]
                attributes = {"from": names[link.source], "to": names[link.target]}
                parallel = [k.id for k in doc.links_from(link.source) if k.target == link.target]
                if parallel.index(eid):
                    attributes["n"] = str(parallel.index(eid) + 1)
                _sub(step, "link", **attributes)
            elif eid in labels:
                _sub(step, "loop_label", index=str(labels[eid]))
            elif eid in notes:
                _sub(step, "note", index=str(notes[eid]))
            # ids of deleted elements are left out
        _sub(step, "caption", slide.caption)
        _sub(step, "notes", slide.notes)
    for vid, dots in doc.votes:
        if vid in doc.variables and dots > 0:
            _sub(root, "vote", names[vid], dots=str(dots))
    return root


def read_workshop(
    element, doc: SystemMap, variable_id: Callable[[str], str | None], warn: Callable[[object, str], None]
) -> None:
    """Set ``doc``'s perspectives, presentation and votes from ``<sysmap:workshop>``;
    ``variable_id`` finds a variable's id by the name the file uses. What cannot be read is
    dropped with a warning, never an error: the map itself is intact without it."""
    perspectives: list[Perspective] = []
    slides: list[Slide] = []
    votes: dict[str, int] = {}
    labels, notes = list(doc.loop_labels), list(doc.notes)
    for child in element:
        local = etree.QName(child).localname if isinstance(child.tag, str) else None
        if local == "perspective":
            name = (child.get("name") or "").strip()
            if not name or any(p.name.casefold() == name.casefold() for p in perspectives):
                warn(child, f"a perspective without a name or named twice ({name!r}) is dropped")
                continue
            colour = child.get("color", "")
            if colour and not is_colour(colour):
                warn(child, f"perspective {name!r}: colour {colour[:20]!r} is not like #1f77b4; left out")
                colour = ""
            perspectives.append(Perspective(name, colour, (child.text or "").strip()))
        elif local == "step":
            slide = _read_step(child, doc, variable_id, labels, notes, warn)
            if slide is not None:
                slides.append(slide)
        elif local == "vote":
            name = (child.text or "").strip()
            vid = variable_id(name)
            try:
                dots = int(child.get("dots", "1"))
            except ValueError:
                dots = -1
            if vid is None:
                warn(child, f"a vote for {name[:60]!r}, which is not a variable of the map, is dropped")
                continue
            if not 0 < dots <= _MAX_DOTS:
                warn(child, f"a vote for {name[:60]!r} of {child.get('dots', '')[:20]!r} dots is dropped")
                continue
            votes[vid] = votes.get(vid, 0) + dots
        elif local is not None:
            warn(child, f"<{local}> is not part of a workshop; dropped")
    doc.apply(set_perspectives(doc, perspectives))
    doc.apply(set_presentation(doc, slides))
    doc.apply(set_votes(doc, votes))


def _read_step(child, doc: SystemMap, variable_id, labels, notes, warn) -> Slide | None:
    kind = child.get("kind", "")
    if kind not in SLIDE_KINDS:
        warn(child, f"a presentation step of kind {kind!r} is dropped")
        return None
    items: list[str] = []
    caption = text_notes = ""
    for part in child:
        local = etree.QName(part).localname if isinstance(part.tag, str) else None
        found: str | None = None
        if local == "var":
            found = variable_id((part.text or "").strip())
        elif local == "link":
            source, target = variable_id(part.get("from", "")), variable_id(part.get("to", ""))
            parallel = [k.id for k in doc.links_from(source) if k.target == target] if source else []
            n = part.get("n", "1")
            index = int(n) - 1 if n.isdigit() else -1
            found = parallel[index] if 0 <= index < len(parallel) else None
        elif local in ("loop_label", "note"):
            pool = labels if local == "loop_label" else notes
            index_text = part.get("index", "")
            index = int(index_text) if index_text.isdigit() else -1
            found = pool[index] if 0 <= index < len(pool) else None
        elif local == "caption":
            caption = (part.text or "").strip()
            continue
        elif local == "notes":
            text_notes = (part.text or "").strip()
            continue
        if found is None:
            warn(part, "a presentation step refers to something the map does not have; left out")
        elif found not in items:
            items.append(found)
    if not items and kind != "map":
        return None
    return Slide(kind, tuple(items), caption, text_notes)
