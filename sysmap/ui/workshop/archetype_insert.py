"""Workshop › Insert Archetype: the nine classic archetypes as editable templates.

Choosing one adds :func:`~sysmap.analysis.archetype_templates.archetype_template` to the map
as one undo step, with a note telling the archetype's standard story. It goes to the middle
of what the view shows when that is free, else beside or below the map's content (whichever
is nearer), never on top of what is drawn; clashing names are numbered as pasting numbers
them ("Fix 2"), clashing loop labels take the next free number (a second R1 becomes R2).
Everything inserted is selected, ready to be dragged, and brought into view; it is ordinary
map content afterwards.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QAction

from sysmap.analysis.archetype_templates import archetype_template, template_names
from sysmap.analysis.archetypes import INTERVENTIONS, archetype
from sysmap.errors import ModelError
from sysmap.model import SystemMap
from sysmap.model import operations as ops
from sysmap.model.clipboard import paste_edit
from sysmap.model.edits import Replace
from sysmap.ui.commands import perform

#: Room kept between an inserted archetype and what is drawn already.
GAP = 60.0
#: How far below the diagram its story note starts.
NOTE_GAP = 30.0
_LOOP_NAME = re.compile(r"([RBU])(\d+)")


def story_text(key: str, doc: SystemMap | None = None) -> str:
    """The note inserted with archetype ``key``: its title, summary, loops in words and where
    it usually yields to intervention.

    >>> print(story_text("limits_to_growth").splitlines()[0])
    Limits to growth
    """
    pattern = archetype(key)
    template = doc if doc is not None else archetype_template(key)
    lines = [pattern.title, "", pattern.summary]
    loops = [f"{label.text}: {label.documentation}" for label in template.loop_labels.values()]
    if loops:
        lines += ["", *loops]
    lines += ["", f"Intervening: {INTERVENTIONS[pattern.key]}"]
    return "\n".join(lines)


def _template_with_story(window, key: str) -> tuple[SystemMap, QRectF]:
    """The template of ``key``, its loop labels renamed where the window's map uses their
    names already, with its story note under it; and the box it covers when drawn in the
    window's style, in the template's own coordinates."""
    from sysmap.ui.canvas.scene import MapScene

    doc = archetype_template(key)
    taken = {label.text for label in window.doc.loop_labels.values()}
    for label in list(doc.loop_labels.values()):
        match = _LOOP_NAME.fullmatch(label.text)
        if match is None or label.text not in taken:
            taken.add(label.text)
            continue
        n = int(match.group(2))
        while f"{match.group(1)}{n}" in taken:
            n += 1
        taken.add(f"{match.group(1)}{n}")
        doc.apply(Replace(label, label.evolve(text=f"{match.group(1)}{n}")))
    scene = MapScene(doc, window.scene.style)
    try:
        diagram = scene.itemsBoundingRect()
        add = ops.add_note(doc, story_text(key, doc), (0.0, 0.0))
        doc.apply(add)
        note = doc.notes[add.element.id]
        size = scene.note_items[note.id].boundingRect()
        place = (diagram.left() - size.left(), diagram.bottom() + NOTE_GAP - size.top())
        doc.apply(Replace(note, note.evolve(position=place)))
        return doc, scene.itemsBoundingRect()
    finally:
        scene.detach()
        scene.deleteLater()


def _content_rects(window) -> list[QRectF]:
    scene = window.scene
    rects = []
    for items in (
        scene.variable_items,
        scene.alias_items,
        scene.link_items,
        scene.pipe_items,
        scene.label_items,
        scene.note_items,
    ):
        rects += [item.sceneBoundingRect() for item in items.values()]
    return rects


def free_spot(window, size: QRectF) -> QRectF:
    """Where a box of ``size`` goes: centred in the visible canvas when that touches nothing
    drawn, else right of or below the content (the nearer to the visible centre)."""
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    centre = visible.center()
    box = QRectF(0, 0, size.width(), size.height())
    box.moveCenter(centre)
    rects = _content_rects(window)
    if not rects:
        return box
    margin = box.adjusted(-GAP / 2, -GAP / 2, GAP / 2, GAP / 2)
    if not any(margin.intersects(r) for r in rects):
        return box
    content = rects[0]
    for r in rects[1:]:
        content = content.united(r)
    right = QRectF(box)
    right.moveTopLeft(QPointF(content.right() + GAP, max(content.top(), centre.y() - box.height() / 2)))
    below = QRectF(box)
    below.moveTopLeft(QPointF(max(content.left(), centre.x() - box.width() / 2), content.bottom() + GAP))

    def distance(r: QRectF) -> float:
        d = r.center() - centre
        return d.x() ** 2 + d.y() ** 2

    return min((right, below), key=distance)


def insert_archetype(window, key: str, at: QPointF | tuple[float, float] | None = None) -> list[str]:
    """Insert archetype ``key`` into ``window``'s map as one undo step, centred on ``at``
    (scene coordinates) or on a free spot (:func:`free_spot`); select it, show it, and
    return the new elements' ids (empty if the map refused it: the reason goes to the status
    bar)."""
    template, drawn = _template_with_story(window, key)
    if at is not None:
        target = QRectF(drawn)
        target.moveCenter(QPointF(*at) if isinstance(at, tuple) else QPointF(at))
    else:
        target = free_spot(window, drawn)
    offset = (round(target.left() - drawn.left()), round(target.top() - drawn.top()))
    try:
        edit, ids = paste_edit(window.doc, template, offset=offset)
        edit.text = f"Insert archetype {archetype(key).title}"
        perform(window.session.undo_stack, window.doc, edit)
    except ModelError as exc:
        window.show_message(str(exc))
        return []
    window.scene.select_ids(ids)
    window.view.ensureVisible(target, 20, 20)
    window.view.centerOn(target.center())
    window.show_message(f"Inserted {archetype(key).title}: drag it into place, rename its variables")
    return ids


def install(window) -> None:
    """Add Workshop › Insert Archetype with the nine archetypes (their summaries as tips)."""
    menu = window.workshop_menu.addMenu("&Insert Archetype")
    menu.setToolTipsVisible(True)
    for key in template_names():
        pattern = archetype(key)
        action = QAction(pattern.title, window)
        action.setToolTip(pattern.summary)
        action.setStatusTip(pattern.summary)
        action.setData(key)
        menu.addAction(action)
    menu.triggered.connect(lambda action: insert_archetype(window, action.data()))
    window.archetype_menu = menu
