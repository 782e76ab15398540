"""Editing on the canvas as a user does it: clicks, double-clicks, drags and keys on a MapView."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from canvas_driver import LEFT, NONE, SHIFT, Canvas, open_canvas
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from sysmap.model import Direction, Kind, Polarity, SystemMap
from sysmap.ui.canvas.editing import name_problem
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.tools import TOOLS, Tool, icon_path
from sysmap.ui.canvas.view import MapView


@pytest.fixture
def canvas(qtbot) -> Canvas:
    canvas = open_canvas(qtbot, SystemMap(name="Editing"))
    yield canvas
    canvas.scene.detach()


def three_loop(canvas: Canvas):
    """Workload -> Sick leave -> Staff -> Workload, built through the UI."""
    a = canvas.add_named("Workload", -200, -100)
    b = canvas.add_named("Sick leave", 200, -100)
    c = canvas.add_named("Staff", 0, 150)
    canvas.scene.set_tool(Tool.LINK)
    canvas.drag((-200, -100), (200, -100))
    canvas.drag((200, -100), (0, 150))
    canvas.drag((0, 150), (-200, -100))
    canvas.scene.set_tool(Tool.SELECT)
    return a, b, c


def link_between(doc, a, b):
    return next(link for link in doc.links.values() if (link.source, link.target) == (a.id, b.id))


# -- creating and naming ---------------------------------------------------------------------------


def test_double_click_creates_a_named_variable_in_one_step(canvas):
    canvas.double_click(40, 30)
    assert canvas.editor is not None
    assert canvas.editor.text() == "New variable"  # selected: typing replaces it
    assert len(canvas.doc.variables) == 0  # nothing in the map until the name is committed
    canvas.type("Workload")
    canvas.key(Qt.Key.Key_Return)
    var = canvas.named("Workload")
    assert var is not None and var.kind == Kind.CONCEPT and var.position == (40, 30)
    assert canvas.stack.count() == 1 and canvas.stack.undoText() == "Add concept 'Workload'"
    assert canvas.scene.selected_ids() == [var.id]
    canvas.stack.undo()
    assert len(canvas.doc.variables) == 0 and not canvas.scene.variable_items


def test_escape_cancels_a_new_variable_without_a_trace(canvas):
    before = len(canvas.scene.items())
    canvas.double_click(0, 0)
    canvas.type("Half typed")
    assert len(canvas.scene.items()) > before  # the ghost and its editor
    canvas.key(Qt.Key.Key_Escape)
    assert canvas.editor is None
    assert len(canvas.doc.variables) == 0 and canvas.stack.count() == 0
    assert len(canvas.scene.items()) == before


def test_default_names_are_unique(canvas):
    canvas.double_click(0, 0)
    canvas.key(Qt.Key.Key_Return)
    canvas.double_click(0, 100)
    assert canvas.editor.text() == "New variable 2"
    canvas.key(Qt.Key.Key_Return)
    assert {v.name for v in canvas.doc.variables.values()} == {"New variable", "New variable 2"}


def test_a_taken_name_is_refused_with_a_message_and_the_editor_stays(canvas):
    canvas.add_named("Workload", 0, 0)
    canvas.double_click(0, 150)
    canvas.type("workload")  # names are case-insensitive
    assert canvas.editor.error == "a variable named 'Workload' already exists"  # shown while typing
    canvas.key(Qt.Key.Key_Return)
    assert canvas.editor is not None
    assert canvas.messages[-1] == "a variable named 'Workload' already exists"
    assert len(canvas.doc.variables) == 1 and canvas.stack.count() == 1
    canvas.type(" 2")
    assert canvas.editor.error is None
    canvas.key(Qt.Key.Key_Return)
    assert canvas.editor is None and canvas.named("workload 2") is not None


def test_an_empty_name_is_refused(canvas):
    canvas.double_click(0, 0)
    canvas.key(Qt.Key.Key_Delete)  # the selected default name goes
    canvas.key(Qt.Key.Key_Return)
    assert canvas.editor is not None and "not a valid variable name" in canvas.messages[-1]
    assert len(canvas.doc.variables) == 0


def test_rename_in_place_rewrites_equations(canvas):
    births = canvas.doc.add_variable("Birth rate", kind=Kind.AUX, equation="0.1", position=(0, 0))
    canvas.doc.add_variable("Births", kind=Kind.AUX, equation="birth_rate * 100", position=(200, 0))
    canvas.double_click(0, 15)  # on the name, below the circle
    assert canvas.editor is not None and canvas.editor.text() == "Birth rate"
    canvas.type("Fertility")
    canvas.key(Qt.Key.Key_Return)
    assert canvas.doc.variables[births.id].name == "Fertility"
    assert canvas.named("Births").equation == "Fertility * 100"
    assert canvas.stack.count() == 1
    canvas.stack.undo()
    assert canvas.named("Births").equation == "birth_rate * 100"


def test_renaming_to_another_variables_name_keeps_the_editor_open(canvas):
    canvas.add_named("Workload", 0, 0)
    canvas.add_named("Morale", 0, 200)
    canvas.double_click(0, 200)
    canvas.type("Workload")
    canvas.key(Qt.Key.Key_Return)
    assert canvas.editor is not None and "already exists" in canvas.messages[-1]
    canvas.key(Qt.Key.Key_Escape)
    assert canvas.named("Morale") is not None and canvas.stack.count() == 2


def test_long_names_wrap_like_the_item(canvas):
    var = canvas.add_named("Perceived adequacy of staffing levels in the ward", 0, 0)
    item = canvas.scene.variable_items[var.id]
    assert item.body_rect().height() > 2 * canvas.scene.style.font_px  # more than one line
    assert item.body_rect().width() <= canvas.scene.style.text_width + 16


def test_creation_tools_stay_active_and_make_their_kind(canvas):
    canvas.scene.set_tool(Tool.STOCK)
    canvas.click(0, 0)
    canvas.type("Cases")
    canvas.key(Qt.Key.Key_Return)
    canvas.click(200, 0)  # the tool is still the stock tool
    canvas.type("Backlog")
    canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.AUX)
    canvas.click(0, 200)
    canvas.type("Closure time")
    canvas.key(Qt.Key.Key_Return)
    kinds = {v.name: v.kind for v in canvas.doc.variables.values()}
    assert kinds == {"Cases": Kind.STOCK, "Backlog": Kind.STOCK, "Closure time": Kind.AUX}
    assert canvas.stack.count() == 3


def test_clicking_elsewhere_commits_the_name_and_goes_on(canvas):
    canvas.scene.set_tool(Tool.VARIABLE)
    canvas.click(0, 0)
    canvas.type("Workload")
    canvas.click(0, 200)  # commits Workload, starts the next one
    assert canvas.named("Workload") is not None
    assert canvas.editor is not None
    canvas.type("Overtime")
    canvas.key(Qt.Key.Key_Return)
    assert canvas.named("Overtime").position == (0, 200)


def test_snapping_puts_new_and_moved_items_on_the_grid(canvas):
    canvas.scene.snap = 20.0
    var = canvas.add_named("Workload", 33, 47)
    assert var.position == (40, 40)
    canvas.drag((40, 40), (93, 40))
    assert canvas.doc.variables[var.id].position == (100, 40)
    canvas.key(Qt.Key.Key_Right)
    assert canvas.doc.variables[var.id].position == (120, 40)


def test_notes_are_written_in_place(canvas):
    canvas.scene.set_tool(Tool.NOTE)
    canvas.click(0, 0)
    canvas.type("Ask the ward")
    canvas.key(Qt.Key.Key_Return, SHIFT)
    canvas.type("about rotas")
    canvas.key(Qt.Key.Key_Return)
    (note,) = canvas.doc.notes.values()
    assert note.text == "Ask the ward\nabout rotas"
    assert canvas.stack.undoText() == "Add note"
    canvas.scene.set_tool(Tool.SELECT)
    canvas.double_click(0, 0)
    assert canvas.editor is not None and canvas.editor.text() == note.text


def test_a_read_only_scene_does_not_edit(qtbot):
    doc = SystemMap()
    scene = MapScene(doc)
    view = MapView(scene)
    qtbot.addWidget(view)
    view.show()
    QTest.mouseDClick(view.viewport(), LEFT, NONE, view.mapFromScene(QPointF(0, 0)))
    assert scene.editing.inline is None and len(doc.variables) == 0


# -- links ---------------------------------------------------------------------------------------


def test_link_tool_connects_two_variables(canvas):
    a = canvas.add_named("Workload", -150, 0)
    b = canvas.add_named("Sick leave", 150, 0)
    canvas.scene.set_tool(Tool.LINK)
    canvas.press(-150, 0)
    canvas.move_to(0, 40)
    assert len(canvas.scene.items()) > 0 and canvas.scene.variable_items[b.id]._highlight == 0
    canvas.move_to(150, 0)
    assert canvas.scene.variable_items[b.id]._highlight == 2  # the target lights up
    canvas.release(150, 0)
    (link,) = canvas.doc.links.values()
    assert (link.source, link.target, link.polarity, link.curvature) == (a.id, b.id, Polarity.NONE, 0.0)
    assert canvas.scene.variable_items[b.id]._highlight == 0
    assert canvas.stack.undoText() == "Add link"
    assert canvas.scene.tool is Tool.LINK  # stays, as creation tools do


def test_link_released_on_empty_canvas_or_on_itself_is_not_made(canvas):
    canvas.add_named("Workload", -150, 0)
    canvas.scene.set_tool(Tool.LINK)
    items = len(canvas.scene.items())
    canvas.drag((-150, 0), (100, 100))
    assert not canvas.doc.links and len(canvas.scene.items()) == items  # rubber arrow gone
    canvas.drag((-150, 0), (-140, 2))
    assert not canvas.doc.links and canvas.messages[-1] == "A link must join two different variables"


def test_an_opposite_link_is_bent_so_the_two_do_not_overlap(canvas):
    a = canvas.add_named("Workload", -150, 0)
    b = canvas.add_named("Sick leave", 150, 0)
    canvas.scene.set_tool(Tool.LINK)
    canvas.drag((-150, 0), (150, 0))
    canvas.drag((150, 0), (-150, 0))
    assert link_between(canvas.doc, a, b).curvature == 0.0
    assert link_between(canvas.doc, b, a).curvature > 0.0


def test_polarity_and_delay_keys_set_the_selected_links(canvas):
    a, b, c = three_loop(canvas)
    ab = link_between(canvas.doc, a, b)
    canvas.click(0, -100)  # on the link
    assert canvas.scene.selected_ids() == [ab.id]
    canvas.key(Qt.Key.Key_Plus, text="+")
    assert canvas.doc.links[ab.id].polarity == Polarity.POSITIVE
    assert canvas.scene.link_items[ab.id]._sign.text() == "+"
    canvas.key(Qt.Key.Key_Minus, text="-")
    assert canvas.doc.links[ab.id].polarity == Polarity.NEGATIVE
    canvas.key(Qt.Key.Key_Question, SHIFT, text="?")
    assert canvas.doc.links[ab.id].polarity == Polarity.UNKNOWN
    canvas.key(Qt.Key.Key_0)
    assert canvas.doc.links[ab.id].polarity == Polarity.NONE
    assert not canvas.scene.link_items[ab.id]._sign.isVisible()
    canvas.key(Qt.Key.Key_D)
    assert canvas.doc.links[ab.id].delay
    canvas.key(Qt.Key.Key_D)
    assert not canvas.doc.links[ab.id].delay
    assert canvas.stack.undoText() == "Remove delay mark"


def test_polarity_keys_without_a_selected_link_do_nothing(canvas):
    canvas.add_named("Workload", 0, 0)
    count = canvas.stack.count()
    canvas.key(Qt.Key.Key_Plus, text="+")
    canvas.key(Qt.Key.Key_D)
    assert canvas.stack.count() == count


def test_dragging_the_handle_bends_a_link(canvas):
    a, b, _ = three_loop(canvas)
    ab = link_between(canvas.doc, a, b)
    canvas.click(0, -100)
    handle = canvas.scene.link_items[ab.id].handle
    assert handle.isVisible() and handle.scenePos() == QPointF(0, -100)
    count = canvas.stack.count()
    canvas.press(0, -100)
    canvas.move_to(0, -130)
    canvas.move_to(0, -160)
    assert canvas.doc.links[ab.id].curvature == 0.0  # live preview only
    assert canvas.scene.link_items[ab.id].path().pointAtPercent(0.5).y() < -140
    canvas.release(0, -160)
    # up is left of a rightward link: positive; the arc's middle passes through the mouse
    assert canvas.doc.links[ab.id].curvature == pytest.approx(60 / 400, abs=0.01)
    assert canvas.stack.count() == count + 1 and canvas.stack.undoText() == "Bend link"
    assert handle.scenePos().y() == pytest.approx(-160, abs=1)
    canvas.stack.undo()
    assert canvas.doc.links[ab.id].curvature == 0.0


def test_escape_cancels_a_bend_in_progress(canvas):
    a, b, _ = three_loop(canvas)
    ab = link_between(canvas.doc, a, b)
    canvas.click(0, -100)
    before = canvas.scene.link_items[ab.id].path().pointAtPercent(0.5)
    canvas.press(0, -100)
    canvas.move_to(0, -200)
    canvas.key(Qt.Key.Key_Escape)
    canvas.release(0, -200)
    assert canvas.doc.links[ab.id].curvature == 0.0
    assert canvas.scene.link_items[ab.id].path().pointAtPercent(0.5) == before


def test_link_context_menu(canvas):
    a, b, _ = three_loop(canvas)
    ab = link_between(canvas.doc, a, b)
    assert canvas.context_menu(0, -100, ["Negative (\u2212)"]) == ["Negative (\u2212)"]
    assert canvas.doc.links[ab.id].polarity == Polarity.NEGATIVE
    canvas.context_menu(0, -100, ["Delay"])
    assert canvas.doc.links[ab.id].delay
    canvas.context_menu(0, -100, ["Delete"])
    assert ab.id not in canvas.doc.links


# -- variables' menu, aliases, kinds ------------------------------------------------------------------


def test_variable_context_menu_creates_an_alias_that_links_can_leave(canvas):
    a = canvas.add_named("Workload", -150, 0)
    b = canvas.add_named("Sick leave", 150, 0)
    canvas.context_menu(-150, 0, ["Create alias"])
    (alias,) = canvas.doc.aliases.values()
    assert alias.of == a.id and alias.position == (-110, 40)
    canvas.drag((-110, 40), (-110, 200))  # moved like any item
    assert canvas.doc.aliases[alias.id].position == (-110, 200)
    canvas.scene.set_tool(Tool.LINK)
    canvas.drag((-110, 200), (150, 0))
    (link,) = canvas.doc.links.values()
    assert (link.source, link.target, link.alias) == (a.id, b.id, alias.id)


def test_variable_context_menu_changes_kind_and_renames(canvas):
    a = canvas.add_named("Workload", 0, 0)
    canvas.context_menu(0, 0, ["Kind", "Stock"])
    assert canvas.doc.variables[a.id].kind == Kind.STOCK
    assert canvas.stack.undoText() == "Make stock"
    canvas.context_menu(0, -25, ["Rename"])  # a stock's name sits above its box
    assert canvas.editor is not None
    canvas.type("Backlog")
    canvas.key(Qt.Key.Key_Return)
    assert canvas.doc.variables[a.id].name == "Backlog"


def test_double_clicking_an_alias_renames_its_variable_in_place(canvas):
    a = canvas.add_named("Workload", 0, 0)
    canvas.context_menu(0, 0, ["Create alias"])
    canvas.double_click(40, 40)
    assert canvas.editor is not None and canvas.editor.text() == "Workload"
    assert canvas.editor.sceneBoundingRect().contains(QPointF(40, 40))  # over the alias
    canvas.type("Caseload")
    canvas.key(Qt.Key.Key_Return)
    assert canvas.doc.variables[a.id].name == "Caseload"
    (alias,) = canvas.scene.alias_items.values()
    assert alias.var.label == "Caseload"


def test_f2_and_enter_rename_the_selected_variable(canvas):
    a = canvas.add_named("Workload", 0, 0)
    canvas.key(Qt.Key.Key_F2)
    assert canvas.editor is not None
    canvas.type("Caseload")
    canvas.key(Qt.Key.Key_Return)
    canvas.key(Qt.Key.Key_Return)
    assert canvas.editor is not None and canvas.editor.text() == "Caseload"
    canvas.key(Qt.Key.Key_Escape)
    assert canvas.doc.variables[a.id].name == "Caseload" and canvas.stack.count() == 2


def test_flow_tool_refuses_to_start_on_a_concept(canvas):
    canvas.add_named("Workload", 0, 0)
    canvas.scene.set_tool(Tool.FLOW)
    canvas.drag((0, 0), (200, 0))
    assert canvas.editor is None and len(canvas.doc.variables) == 1
    assert canvas.messages[-1] == "A flow starts at a stock or on empty canvas (a cloud)"


def test_hover_and_cursors_fit_the_tool(canvas):
    a = canvas.add_named("Workload", -150, 0)
    canvas.add_named("Sick leave", 150, 0)
    canvas.click(0, 300)  # QTest leaves the button down after a double-click
    item = canvas.scene.variable_items[a.id]
    canvas.move_to(-150, 0)
    assert item._highlight == 1
    canvas.move_to(0, 200)
    assert item._highlight == 0
    viewport = canvas.view.viewport()
    canvas.scene.set_tool(Tool.LINK)
    assert viewport.cursor().shape() == Qt.CursorShape.CrossCursor
    canvas.drag((-150, 0), (150, 0))
    canvas.scene.set_tool(Tool.SELECT)
    assert viewport.cursor().shape() == Qt.CursorShape.ArrowCursor
    (link,) = canvas.doc.links.values()
    canvas.click(0, 0)
    handle = canvas.scene.link_items[link.id].handle
    assert handle.isVisible() and handle.cursor().shape() == Qt.CursorShape.PointingHandCursor
    canvas.click(0, 200)  # empty canvas clears the selection, and the handle goes
    assert not handle.isVisible()


# -- moving, nudging, deleting -----------------------------------------------------------------------


def test_drag_moves_the_selection_live_and_in_one_step(canvas):
    a, b, c = three_loop(canvas)
    ab = link_between(canvas.doc, a, b)
    canvas.click(-200, -100)
    canvas.click(200, -100, SHIFT)
    assert canvas.scene.selected_ids() == [a.id, b.id]
    link_before = canvas.scene.link_items[ab.id].path().pointAtPercent(0.5)
    count = canvas.stack.count()
    canvas.press(-200, -100)
    canvas.move_to(-180, -80)
    canvas.move_to(-150, -50)
    # the items and their link follow the mouse before the map changes
    assert canvas.scene.variable_items[b.id].pos() == QPointF(250, -50)
    assert canvas.scene.link_items[ab.id].path().pointAtPercent(0.5).y() == pytest.approx(
        link_before.y() + 50
    )
    assert canvas.doc.variables[a.id].position == (-200, -100)
    canvas.release(-150, -50)
    assert canvas.doc.variables[a.id].position == (-150, -50)
    assert canvas.doc.variables[b.id].position == (250, -50)
    assert canvas.stack.count() == count + 1 and canvas.stack.undoText() == "Move 2 items"
    canvas.stack.undo()
    assert canvas.doc.variables[b.id].position == (200, -100)
    assert canvas.scene.variable_items[b.id].pos() == QPointF(200, -100)


def test_escape_cancels_a_move(canvas):
    a = canvas.add_named("Workload", 0, 0)
    canvas.press(0, 0)
    canvas.move_to(50, 50)
    canvas.key(Qt.Key.Key_Escape)
    canvas.release(50, 50)
    assert canvas.scene.variable_items[a.id].pos() == QPointF(0, 0)
    assert canvas.doc.variables[a.id].position == (0, 0) and canvas.stack.count() == 1


def test_three_nudges_are_one_step(canvas):
    a = canvas.add_named("Workload", 0, 0)
    count = canvas.stack.count()
    for _ in range(3):
        canvas.key(Qt.Key.Key_Right)
    canvas.key(Qt.Key.Key_Down, SHIFT)
    assert canvas.doc.variables[a.id].position == (3, 10)
    assert canvas.stack.count() == count + 1 and canvas.stack.undoText() == "Move 1 item"
    canvas.stack.undo()
    assert canvas.doc.variables[a.id].position == (0, 0)


def test_delete_and_undo_restores(canvas):
    three_loop(canvas)
    before = canvas.doc.copy()
    canvas.click(-200, -100)
    canvas.key(Qt.Key.Key_Backspace)
    assert len(canvas.doc.variables) == 2 and len(canvas.doc.links) == 1
    assert canvas.stack.undoText() == "Delete 1 item"
    canvas.stack.undo()
    assert canvas.doc == before
    assert set(canvas.scene.link_items) == set(before.links)


def test_escape_leaves_a_tool_then_clears_the_selection(canvas):
    canvas.add_named("Workload", 0, 0)
    heard = []
    canvas.scene.toolChanged.connect(heard.append)
    canvas.key(Qt.Key.Key_L)
    assert canvas.scene.tool is Tool.LINK and heard == [Tool.LINK]
    canvas.key(Qt.Key.Key_Escape)
    assert canvas.scene.tool is Tool.SELECT and canvas.scene.selected_ids()
    canvas.key(Qt.Key.Key_Escape)
    assert canvas.scene.selected_ids() == []


def test_tool_keys_are_text_inside_the_name_editor(canvas):
    canvas.double_click(0, 0)
    canvas.type("Flavour")  # F, L, A, V, R are tool keys outside the editor
    assert canvas.scene.tool is Tool.SELECT
    canvas.key(Qt.Key.Key_Return)
    assert canvas.named("Flavour") is not None


# -- stocks and flows -------------------------------------------------------------------------------


def test_flow_tool_from_a_cloud_into_a_stock(canvas):
    canvas.scene.set_tool(Tool.STOCK)
    canvas.click(200, 0)
    canvas.type("Cases")
    canvas.key(Qt.Key.Key_Return)
    stock = canvas.named("Cases")
    canvas.scene.set_tool(Tool.FLOW)
    count = canvas.stack.count()
    canvas.drag((-100, 0), (200, 0))
    assert canvas.editor is not None and len(canvas.doc.variables) == 1  # named first
    canvas.type("Referrals")
    canvas.key(Qt.Key.Key_Return)
    flow = canvas.named("Referrals")
    assert flow.kind == Kind.FLOW
    assert canvas.doc.flow_ends(flow.id) == (None, stock.id)
    assert canvas.doc.variables[stock.id].inflows == (flow.id,)
    # the valve sits in the middle of the pipe, which starts where the drag did
    (x0, y0), (x1, y1) = flow.points
    assert (x0, y0) == (-100, 0) and flow.position == ((x0 + x1) / 2, (y0 + y1) / 2)
    assert canvas.stack.count() == count + 1 and canvas.stack.undoText() == "Add flow 'Referrals'"
    pipe = canvas.scene.pipe_items[flow.id]
    assert not pipe._clouds.path().isEmpty()
    canvas.stack.undo()
    assert canvas.doc.variables[stock.id].inflows == () and flow.id not in canvas.scene.pipe_items


def test_flow_between_two_stocks_and_between_two_clouds(canvas):
    canvas.scene.set_tool(Tool.STOCK)
    for name, x in (("Water", -200), ("Steam", 200)):
        canvas.click(x, 0)
        canvas.type(name)
        canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.FLOW)
    canvas.drag((-200, 0), (200, 0))
    canvas.type("Boiling")
    canvas.key(Qt.Key.Key_Return)
    boiling = canvas.named("Boiling")
    assert canvas.doc.flow_ends(boiling.id) == (canvas.named("Water").id, canvas.named("Steam").id)
    assert boiling.position == (0, 0) and boiling.points == ()
    canvas.drag((-100, 200), (100, 200))
    canvas.type("Rain")
    canvas.key(Qt.Key.Key_Return)
    assert canvas.doc.flow_ends(canvas.named("Rain").id) == (None, None)
    canvas.drag((-200, 0), (-195, 0))  # released on the stock it drains
    assert canvas.editor is None and canvas.messages[-1] == "A flow cannot drain and fill the same stock"


def test_moving_a_stock_carries_its_pipes(canvas):
    canvas.scene.set_tool(Tool.STOCK)
    canvas.click(200, 0)
    canvas.type("Cases")
    canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.FLOW)
    canvas.drag((-100, 0), (200, 0))
    canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.SELECT)
    flow = canvas.named("New flow")
    pipe = canvas.scene.pipe_items[flow.id]
    canvas.drag((200, 0), (200, 150))
    # the pipe keeps its shape: straight, its open end (the cloud) following the stock
    assert canvas.doc.variables[flow.id].points == ((-100.0, 150.0), (177.5, 150.0))
    end = pipe._head.path().boundingRect().center()
    assert end.y() > 60
    canvas.stack.undo()
    assert canvas.doc.variables[flow.id].points == flow.points


# -- loop labels --------------------------------------------------------------------------------------


def test_loop_label_tool_names_the_loop_around_the_click(canvas):
    a, b, c = three_loop(canvas)
    canvas.scene.set_tool(Tool.LOOP_LABEL)
    canvas.click(0, -20)  # a loop of links without signs: polarity unknown
    assert [lab.text for lab in canvas.doc.loop_labels.values()] == ["R?"]
    canvas.stack.undo()
    canvas.scene.set_tool(Tool.SELECT)
    for (x, y), sign in (((0, -100), "-"), ((100, 25), "+"), ((-100, 25), "+")):
        canvas.click(x, y)
        canvas.key(Qt.Key.Key_Minus if sign == "-" else Qt.Key.Key_Plus, text=sign)
    canvas.scene.set_tool(Tool.LOOP_LABEL)
    canvas.click(0, -20)
    (label,) = canvas.doc.loop_labels.values()
    assert label.text == "B1" and label.position == (0, -20)
    assert label.direction == Direction.CLOCKWISE and set(label.loop) == {a.id, b.id, c.id}
    canvas.click(400, 300)  # no loop there
    assert sorted(lab.text for lab in canvas.doc.loop_labels.values()) == ["B1", "R?"]
    canvas.scene.set_tool(Tool.SELECT)
    canvas.drag((0, -20), (0, 10))  # labels move like variables
    assert canvas.doc.loop_labels[label.id].position == (0, 10)


# -- the whole session undoes and redoes exactly -------------------------------------------------------


def test_undoing_everything_restores_the_start_and_redo_replays_it(canvas):
    canvas.doc.add_variable("Budget", kind=Kind.AUX, equation="100", position=(-300, 250))
    start = canvas.doc.copy()
    a, b, c = three_loop(canvas)
    canvas.click(0, -100)
    canvas.key(Qt.Key.Key_Plus, text="+")
    canvas.key(Qt.Key.Key_D)
    canvas.press(0, -100)
    canvas.move_to(0, -150)
    canvas.release(0, -150)
    canvas.click(-200, -100)
    for _ in range(3):
        canvas.key(Qt.Key.Key_Left)
    canvas.drag((0, 150), (30, 180))
    canvas.double_click(-300, 265)
    canvas.type("Funding")
    canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.STOCK)
    canvas.click(300, 250)
    canvas.type("Staff pool")
    canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.FLOW)
    canvas.drag((100, 250), (300, 250))
    canvas.type("Hiring")
    canvas.key(Qt.Key.Key_Return)
    canvas.scene.set_tool(Tool.LOOP_LABEL)
    canvas.click(0, 0)
    canvas.scene.set_tool(Tool.SELECT)
    canvas.click(200, -100)
    canvas.key(Qt.Key.Key_Delete)
    assert {"Funding", "Staff pool", "Hiring"} <= {v.name for v in canvas.doc.variables.values()}
    assert len(canvas.doc.loop_labels) == 1 and b.id not in canvas.doc.variables
    end = canvas.doc.copy()
    assert canvas.stack.count() >= 14
    while canvas.stack.canUndo():
        canvas.stack.undo()
    assert canvas.doc == start
    assert set(canvas.scene.variable_items) == set(start.variables) and not canvas.scene.link_items
    while canvas.stack.canRedo():
        canvas.stack.redo()
    assert canvas.doc == end
    assert set(canvas.scene.link_items) == set(end.links)


# -- the toolbar table -----------------------------------------------------------------------------------


def test_every_tool_has_a_toolbar_entry_and_an_icon():
    assert [t.tool for t in TOOLS] == list(Tool)
    assert len({t.shortcut for t in TOOLS}) == len(TOOLS)
    for record in TOOLS:
        assert icon_path(record.tool).is_file(), record.icon


def test_name_problem_matches_the_model():
    doc = SystemMap()
    doc.add_variable("Workload")
    assert name_problem(doc, "WORKLOAD") == "a variable named 'Workload' already exists"
    assert name_problem(doc, "  ") == "'  ' is not a valid variable name"
    assert name_problem(doc, "Overtime") is None
