"""Workshop › Insert Archetype: each of the nine templates goes in as one undo step, free of
what is drawn, with its loops, its story, and names that do not clash."""

import pytest

pytest.importorskip("PySide6")

from collections import Counter

from canvas_driver import Canvas
from PySide6.QtCore import QPointF

from sysmap.analysis.archetype_templates import archetype_template, template_names
from sysmap.analysis.archetypes import INTERVENTIONS, archetype
from sysmap.analysis.causal import causal_graph
from sysmap.analysis.loops import find_loops
from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.model.names import canonical_name
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.workshop.archetype_insert import insert_archetype


def open_window(qtbot, doc) -> MainWindow:
    window = MainWindow(doc)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.session.ask_save = lambda *a: "discard"
    return window


@pytest.fixture
def window(qtbot):
    return open_window(qtbot, load(example_path("social_care_workload")))


def loops_among(doc: SystemMap, ids) -> Counter:
    """(variable names, polarity) of the loops whose variables are all among ``ids``."""
    graph = causal_graph(doc)
    found = Counter()
    for loop in find_loops(graph):
        if set(loop.variables) <= set(ids):
            found[frozenset(doc.variables[v].name for v in loop.variables), loop.polarity] += 1
    return found


def item_rects(window, ids):
    scene = window.scene
    rects = []
    for items in (scene.variable_items, scene.link_items, scene.label_items, scene.note_items):
        rects += [item.sceneBoundingRect() for eid, item in items.items() if eid in ids]
    return rects


def test_the_menu_lists_the_nine_archetypes_with_their_stories(window):
    actions = window.archetype_menu.actions()
    assert [a.data() for a in actions] == template_names()
    assert [a.text() for a in actions] == [archetype(k).title for k in template_names()]
    for action, key in zip(actions, template_names(), strict=True):
        assert action.toolTip() == archetype(key).summary == action.statusTip()
    stack = window.stack
    (fixes,) = [a for a in actions if a.text() == "Fixes that fail"]
    fixes.trigger()
    assert stack.count() == 1 and stack.undoText() == "Insert archetype Fixes that fail"
    assert window.doc.variable_named("Unintended consequence") is not None


@pytest.mark.parametrize("key", template_names())
def test_each_archetype_goes_in_as_one_step_free_of_the_map(window, key):
    doc, stack, scene = window.doc, window.stack, window.scene
    before = doc.copy()
    old_ids = {e.id for e in doc.elements()}
    old_rects = item_rects(window, old_ids)
    ids = insert_archetype(window, key)
    template = archetype_template(key)
    assert stack.count() == 1
    # the template's variables and links, its loop labels and one note
    assert len(ids) == len(template.variables) + len(template.links) + len(template.loop_labels) + 1
    assert set(ids) == {e.id for e in doc.elements()} - old_ids
    assert scene.selected_ids() == [e.id for e in doc.elements() if e.id in set(ids)]
    # the loops are the template's, with its polarities
    expected = loops_among(template, template.variables)
    assert loops_among(doc, ids) == expected
    labels = sorted(doc.loop_labels[i].text[0] for i in ids if i in doc.loop_labels)
    assert labels == sorted(polarity for (_names, polarity), n in expected.items() for _ in range(n))
    # the story note
    (note,) = [doc.notes[i] for i in ids if i in doc.notes]
    assert note.text.startswith(f"{archetype(key).title}\n\n{archetype(key).summary}")
    assert note.text.endswith(f"Intervening: {INTERVENTIONS[key]}")
    # drawn where nothing was, and shown
    for new in item_rects(window, set(ids)):
        assert not any(new.intersects(old) for old in old_rects)
    shown = window.view.visible_scene_rect()
    assert shown.contains(scene.variable_items[ids[0]].sceneBoundingRect().center())
    stack.undo()
    assert doc == before
    assert not any(eid in scene.variable_items or eid in scene.note_items for eid in ids)
    stack.redo()
    assert set(ids) <= {e.id for e in doc.elements()}


def test_inserted_twice_names_and_loop_labels_do_not_clash(window):
    doc = window.doc
    first = insert_archetype(window, "fixes_that_fail")
    second = insert_archetype(window, "fixes_that_fail")
    keys = [canonical_name(v.name) for v in doc.variables.values()]
    assert len(keys) == len(set(keys))
    assert {doc.variables[i].name for i in second if i in doc.variables} == {
        "Problem symptom 2",
        "Fix 2",
        "Unintended consequence 2",
    }
    texts = [label.text for label in doc.loop_labels.values()]
    assert len(texts) == len(set(texts))
    # the second note tells its loops by their new names
    (note,) = [doc.notes[i] for i in second if i in doc.notes]
    (label,) = [
        doc.loop_labels[i] for i in second if i in doc.loop_labels and doc.loop_labels[i].text[0] == "R"
    ]
    assert f"\n{label.text}: A reinforcing loop" in note.text
    # and the second copy does not sit on the first
    for new in item_rects(window, set(second)):
        assert not any(new.intersects(old) for old in item_rects(window, set(first)))


def test_an_empty_map_takes_it_in_the_middle_of_the_view(qtbot):
    window = open_window(qtbot, SystemMap())
    centre = window.view.visible_scene_rect().center()
    ids = insert_archetype(window, "escalation")
    bounds = item_rects(window, set(ids))
    box = bounds[0]
    for rect in bounds[1:]:
        box = box.united(rect)
    assert abs(box.center().x() - centre.x()) < 2 and abs(box.center().y() - centre.y()) < 2


def test_inserted_archetype_is_dragged_at_once_and_edited_like_any_drawing(window, qtbot):
    doc = window.doc
    ids = insert_archetype(window, "fixes_that_fail", at=(2000.0, 2000.0))
    window.view.resetTransform()
    window.view.centerOn(QPointF(2000.0, 2000.0))
    canvas = Canvas(doc, window.stack, window.scene, window.view, [])
    fix = doc.variable_named("Fix")
    before = {i: doc.variables[i].position for i in ids if i in doc.variables}
    x, y = fix.position
    canvas.drag((x, y), (x + 40, y + 30))
    after = {i: doc.variables[i].position for i in before}
    assert all(after[i] == (before[i][0] + 40, before[i][1] + 30) for i in before)
    assert window.stack.count() == 2  # the insertion, then the move
    window.scene.select_ids([fix.id])
    assert window.scene.delete_selection()
    assert doc.variable_named("Fix") is None
