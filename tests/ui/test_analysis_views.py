"""The analysis views used as a user would: read the leverage table and tint the map, follow a
variable's causes and uses trees, choose a polarity problem or an archetype and look at the canvas."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QWidget
from shots import shots_dir

from sysmap.analysis.archetypes import find_archetypes
from sysmap.analysis.causal import causal_graph
from sysmap.analysis.leverage import leverage_ranking
from sysmap.analysis.polarity import polarity_disagreements
from sysmap.io import load
from sysmap.model import Kind, SystemMap, operations
from sysmap.ui.analysis_views import (
    ArchetypesView,
    LeverageView,
    PolarityView,
    TreesView,
    leverage_view,
    polarity_view,
)
from sysmap.ui.analysis_views.archetypes_view import match_ids
from sysmap.ui.analysis_views.trees_view import LOOP_MARK
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.view import MapView
from sysmap.ui.commands import perform

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SHOTS = shots_dir("A1")


def wait_idle(qtbot, view, timeout=30000):
    qtbot.waitUntil(lambda: not view.busy, timeout=timeout)


def open_view(qtbot, cls, name: str | None, doc=None):
    doc = doc if doc is not None else load(EXAMPLES / f"{name}.xmile")
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    view = cls()
    qtbot.addWidget(view)
    view.resize(760, 460)
    view.show()
    view.set_session(doc, stack, scene)
    wait_idle(qtbot, view)
    return doc, stack, scene, view


def table_rows(table) -> list[tuple[str, ...]]:
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())
    ]


def click_row(qtbot, table, row: int) -> None:
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def shot(widget, scene, name: str) -> None:
    """The view beside the canvas, saved under :data:`SHOTS` to look at."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    canvas = MapView(scene)
    row.addWidget(canvas, 3)
    widget.setParent(holder)
    row.addWidget(widget, 2)
    holder.resize(1500, 620)
    holder.show()
    canvas.fitInView(scene.content_rect(), Qt.AspectRatioMode.KeepAspectRatio)
    holder.grab().save(str(SHOTS / f"{name}.png"))
    image = QImage(1200, 800, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    scene.render(painter, source=scene.content_rect())
    painter.end()
    image.save(str(SHOTS / f"{name}_canvas.png"))
    widget.setParent(None)
    holder.deleteLater()


# -- leverage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["social_care_workload", "urban_housing"])
def test_leverage_rows_are_the_ranking(qtbot, name):
    doc, _, _, view = open_view(qtbot, LeverageView, name)
    ranking = leverage_ranking(doc, graph=causal_graph(doc, derive=True))
    expected = [leverage_view.cells(c, ranking.loops.complete) for c in ranking.candidates]
    assert table_rows(view.table) == expected
    assert view.table.item(0, 1).toolTip() == ranking.candidates[0].why
    assert f"{ranking.variables} variables" in view.summary.text()


def test_leverage_row_selects_element_and_heat_toggles(qtbot):
    doc, _, scene, view = open_view(qtbot, LeverageView, "social_care_workload")
    top = view.candidates[0]
    assert top.kind == "variable"
    click_row(qtbot, view.table, 0)
    assert scene.selected_ids() == [top.element]
    assert view.why.text() == top.why
    link_row = next(i for i, c in enumerate(view.candidates) if c.kind == "link" and c.links)
    click_row(qtbot, view.table, link_row)
    assert set(scene.selected_ids()) == set(view.candidates[link_row].links)

    assert scene.heat_of(top.element) is None
    view.heat.click()
    last = min((c for c in view.candidates if c.kind == "variable"), key=lambda c: c.score)
    hot, cool = scene.heat_of(top.element), scene.heat_of(last.element)
    assert hot is not None and cool is not None and hot != cool
    assert view.heat_scores()[top.element] == 1.0
    view.heat.click()
    assert scene.heat_of(top.element) is None


def test_leverage_follows_edits_and_reports_failure(qtbot, monkeypatch):
    doc, stack, _, view = open_view(qtbot, LeverageView, "social_care_workload")
    rows = view.table.rowCount()
    perform(stack, doc, operations.remove(doc, [doc.variable_named("Overtime").id]))
    assert view.busy  # waits for the edits to pause, then ranks again
    wait_idle(qtbot, view)
    assert view.table.rowCount() < rows
    assert "Overtime" not in [view.table.item(r, 1).text() for r in range(view.table.rowCount())]

    def broken(snapshot, cancel):
        raise RuntimeError("boom")

    monkeypatch.setattr(LeverageView, "compute", staticmethod(broken))
    view.analyse()
    wait_idle(qtbot, view)
    assert view.table.rowCount() == 0
    assert "boom" in view.status.text()
    view.set_session(None, None, None)
    assert view.status.text() == "No map."


# -- causes and uses trees --------------------------------------------------------------------------


def children(item) -> list[str]:
    return [item.child(i).text(0) for i in range(item.childCount())]


def test_trees_show_causes_and_uses_to_depth(qtbot):
    doc, _, scene, view = open_view(qtbot, TreesView, "social_care_workload")
    assert view.causes.topLevelItemCount() == 0
    graph = causal_graph(doc, derive=True)
    caseload = doc.variable_named("Caseload").id
    scene.select_ids([caseload])
    causes, uses = view.causes.topLevelItem(0), view.uses.topLevelItem(0)
    assert causes.text(0) == "Caseload"

    def names(vids):
        return sorted((doc.variables[v].label for v in vids), key=str.casefold)

    assert children(causes) == names(graph.predecessors(caseload))
    assert children(uses) == names(graph.successors(caseload))
    # depth 2: the causes of each cause
    for i in range(causes.childCount()):
        child = causes.child(i)
        vid = child.data(0, Qt.ItemDataRole.UserRole)
        expected = [n + (LOOP_MARK if n == "Caseload" else "") for n in names(graph.predecessors(vid))]
        assert children(child) == expected
        assert child.text(1) == {"+": "+", "-": "−"}.get(graph.edges[vid, caseload]["sign"], "?")
        assert all(child.child(j).childCount() == 0 for j in range(child.childCount()))

    view.depth.setValue(1)
    causes = view.causes.topLevelItem(0)
    assert all(causes.child(i).childCount() == 0 for i in range(causes.childCount()))


def test_trees_mark_loops_and_click_selects_without_moving(qtbot):
    doc, _, scene, view = open_view(qtbot, TreesView, "social_care_workload")
    workload = doc.variable_named("Social worker workload").id
    scene.select_ids([workload])
    view.depth.setFocus()
    for _ in range(4):
        qtbot.keyClick(view.depth, Qt.Key.Key_Up)
    assert view.depth.value() == 6
    qtbot.keyClick(view.depth, Qt.Key.Key_Up)
    assert view.depth.value() == 6  # the most

    looped = view.uses.findItems(LOOP_MARK, Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive)
    assert looped and all(item.childCount() == 0 for item in looped)
    overtime = view.uses.topLevelItem(0)
    overtime = next(
        overtime.child(i) for i in range(overtime.childCount()) if overtime.child(i).text(0) == "Overtime"
    )
    tree = view.uses
    tree.scrollToItem(overtime)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(overtime).center())
    assert scene.selected_ids() == [doc.variable_named("Overtime").id]
    assert view.root == workload  # the trees stay on the variable they were drawn for

    link = next(iter(doc.links))
    scene.select_ids([link])  # not a variable: the trees stay
    assert view.causes.topLevelItem(0).text(0) == "Social worker workload"


def test_trees_empty_when_the_variable_goes(qtbot):
    doc, stack, scene, view = open_view(qtbot, TreesView, "social_care_workload")
    new = doc.variable_named("New referrals").id
    scene.select_ids([new])
    assert view.causes.topLevelItem(0).childCount() == 0  # nothing causes it
    assert children(view.uses.topLevelItem(0)) == ["Caseload"]
    perform(stack, doc, operations.remove(doc, [new]))
    wait_idle(qtbot, view)
    assert view.causes.topLevelItemCount() == 0 and view.uses.topLevelItemCount() == 0
    assert "Select a variable" in view.title.text()


# -- polarity check ---------------------------------------------------------------------------------


def test_polarity_lists_links_drawn_against_equations(qtbot):
    doc, stack, scene, view = open_view(qtbot, PolarityView, "sir_epidemic")
    assert view.table.rowCount() == 0
    assert "Every drawn polarity agrees" in view.summary.text()
    infectivity = doc.variable_named("Infectivity").id
    link = next(lk for lk in doc.links.values() if lk.source == infectivity)
    perform(stack, doc, operations.update(doc, link.id, polarity="-"))
    wait_idle(qtbot, view)
    found = polarity_disagreements(doc)
    labels = {vid: v.label for vid, v in doc.variables.items()}
    assert table_rows(view.table) == [polarity_view.cells(f, labels) for f in found]
    assert table_rows(view.table) == [("Infectivity → Infection", "−", "+", "drawn against the equations")]

    click_row(qtbot, view.table, 0)
    assert scene.highlighted() == {link.id, link.source, link.target}
    assert "drawn −" in view.detail.text() or "drawn -" in view.detail.text()
    view.table.clearSelection()
    assert scene.highlighted() is None
    view.mark_all.click()
    assert scene.highlighted() == {link.id, link.source, link.target}
    view.mark_all.click()
    assert scene.highlighted() is None


def conditional_map() -> SystemMap:
    doc = SystemMap()
    x = doc.add_variable("Fish", kind=Kind.STOCK, equation="40", position=(0, 0))
    c = doc.add_variable("Capacity", kind=Kind.AUX, equation="100", position=(0, 240))
    k = doc.add_variable("Rate", kind=Kind.AUX, equation="2", position=(300, 240))
    y = doc.add_variable("Regrowth", kind=Kind.AUX, equation="Fish * (Capacity - Fish)", position=(200, 60))
    z = doc.add_variable("Cost", kind=Kind.AUX, equation="Rate * 3", position=(450, 120))
    doc.add_link(x.id, y.id)
    doc.add_link(c.id, y.id, polarity="+")
    doc.add_link(k.id, z.id, polarity="-")
    return doc


def test_polarity_lists_conditional_links_in_words(qtbot):
    doc, _, scene, view = open_view(qtbot, PolarityView, None, conditional_map())
    rows = table_rows(view.table)
    assert rows == [  # errors first
        ("Rate → Cost", "−", "+", "drawn against the equations"),
        ("Fish → Regrowth", "unmarked", "+ while Capacity > 2*Fish, − below", "conditional"),
    ]
    view.mark_all.click()
    assert scene.highlighted() == set().union(*(polarity_view.link_ids(f) for f in view.found))
    click_row(qtbot, view.table, 1)
    assert scene.highlighted() == polarity_view.link_ids(view.found[1])


# -- archetypes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["waiting_list_targets", "social_care_workload", "urban_housing"])
def test_archetype_rows_are_the_matches(qtbot, name):
    doc, _, _, view = open_view(qtbot, ArchetypesView, name)
    report = find_archetypes(doc, graph=causal_graph(doc, derive=True), time_limit=5.0)
    expected = [
        (m.title, m.confidence, "; ".join(f"{r.title}: {r.name}" for r in m.roles)) for m in report.matches
    ]
    assert table_rows(view.table) == expected


def test_choosing_an_archetype_highlights_its_loops(qtbot):
    doc, _, scene, view = open_view(qtbot, ArchetypesView, "waiting_list_targets")
    assert view.table.item(0, 0).text() == "Shifting the burden"
    assert "symptomatic solution: Gaming" in view.table.item(0, 2).text()
    click_row(qtbot, view.table, 0)
    match = view.found[0].match
    ids = scene.highlighted()
    labels = {doc.loop_labels[i].text for i in ids if i in doc.loop_labels}
    assert ids - set(doc.loop_labels) == match_ids(match)
    assert labels == {"B1", "B2", "R1"}  # the loop labels naming its loops
    assert doc.variable_named("Gaming").id in ids
    assert any(i in doc.links for i in ids)
    assert "fundamental solution" in view.story.toPlainText()
    view.table.clearSelection()
    assert scene.highlighted() is None


# -- pictures ---------------------------------------------------------------------------------------


def test_render_views(qtbot):
    doc, _, scene, view = open_view(qtbot, LeverageView, "social_care_workload")
    view.heat.click()
    click_row(qtbot, view.table, 0)
    shot(view, scene, "leverage")

    doc, _, scene, view = open_view(qtbot, TreesView, "social_care_workload")
    scene.select_ids([doc.variable_named("Caseload").id])
    view.depth.setValue(3)
    shot(view, scene, "trees")

    doc, stack, scene, view = open_view(qtbot, PolarityView, None, conditional_map())
    click_row(qtbot, view.table, 0)
    shot(view, scene, "polarity")

    doc, _, scene, view = open_view(qtbot, ArchetypesView, "waiting_list_targets")
    click_row(qtbot, view.table, 0)
    shot(view, scene, "archetypes")
    assert all((SHOTS / f"{n}.png").exists() for n in ("leverage", "trees", "polarity", "archetypes"))
    assert shiboken6.isValid(view)


def test_leverage_can_be_weighed_by_simulated_loop_dominance(qtbot):
    doc, _, _, view = open_view(qtbot, LeverageView, "sir_epidemic")
    assert all(c.dominance is None for c in view.candidates)
    view.weigh.click()
    qtbot.waitUntil(
        lambda: not view.busy and any(c.dominance is not None for c in view.candidates), timeout=30000
    )
    _, _, _, cld = open_view(qtbot, LeverageView, "urban_housing")
    cld.weigh.click()
    wait_idle(qtbot, cld)
    assert "equations" in cld.status.text() or "simulat" in cld.status.text()


def test_a_hidden_view_analyses_only_once_it_is_shown(qtbot):
    doc = load(EXAMPLES / "social_care_workload.xmile")
    stack = QUndoStack()
    scene = MapScene(doc, undo_stack=stack)
    view = LeverageView()
    qtbot.addWidget(view)
    view.set_session(doc, stack, scene)  # a tab behind another: no analysis yet
    qtbot.wait(100)
    assert not view.busy and view.result is None
    view.show()
    wait_idle(qtbot, view)
    assert view.result is not None and view.result.candidates
    view.set_session(None, None, None)
    scene.detach()
