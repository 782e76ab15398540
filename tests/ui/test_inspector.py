"""The inspector panel used as a user would: select, type, press Enter, click; then look at map and panel."""

import pytest

pytest.importorskip("PySide6")

import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor, QUndoStack
from PySide6.QtWidgets import QApplication, QLineEdit
from shots import shots_dir

from sysmap.model import GraphicalFunction, Kind, SystemMap, operations
from sysmap.ui.inspector import Inspector
from sysmap.ui.inspector.equation import check_equation

SHOTS = shots_dir("h5")


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Casework")
    doc.add_variable("Cases", kind=Kind.STOCK, equation="100", units="cases", id="c")
    doc.add_variable("Referrals", kind=Kind.FLOW, equation="10", units="cases/week", id="r")
    doc.add_variable("Closures", kind=Kind.FLOW, equation="cases / time_to_close", id="k")
    doc.add_variable("Time to close", kind=Kind.AUX, equation="4", units="weeks", id="t")
    doc.add_variable("Workload", id="w")
    doc.add_variable("Sick leave", id="s")
    doc.attach_flow("r", source=None, sink="c")
    doc.attach_flow("k", source="c", sink=None)
    doc.add_link("c", "k", polarity="+", id="ck")
    doc.add_link("t", "k", polarity="-", id="tk")
    doc.add_link("w", "s", polarity="+", id="ws")
    doc.add_link("s", "w", id="sw")
    return doc


@pytest.fixture
def panel(qtbot, doc):
    stack = QUndoStack()
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.set_session(doc, stack)
    inspector.resize(300, 700)
    inspector.stack_ = stack  # the test's handle on the undo stack
    yield inspector
    if shiboken6.isValid(inspector):
        inspector.set_session(None, None)


def type_into(qtbot, field, text: str) -> None:
    """Select all in ``field`` and type ``text`` over it, key by key."""
    field.selectAll()
    qtbot.keyClicks(field, text)


def save(widget, name: str) -> None:
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


# -- variables --------------------------------------------------------------------------------------


def test_typing_a_new_name_and_enter_renames_and_rewrites_equations(qtbot, panel, doc):
    panel.show_elements(["c"])
    page = panel.variable_page
    assert page.isVisibleTo(panel)
    assert page.name.field.text() == "Cases"
    type_into(qtbot, page.name.field, "Open cases")
    qtbot.keyClick(page.name.field, Qt.Key.Key_Return)
    assert doc.variables["c"].name == "Open cases"
    assert doc.variables["k"].equation == "Open_cases / time_to_close"
    assert panel.stack_.count() == 1
    assert not page.name.note.isVisibleTo(page)
    assert page.title.text() == "Stock"


def test_a_duplicate_name_shows_the_refusal_and_esc_restores_the_field(qtbot, panel, doc):
    before = doc.copy()
    panel.show_elements(["c"])
    field, note = panel.variable_page.name.field, panel.variable_page.name.note
    type_into(qtbot, field, "workload")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc == before
    assert panel.stack_.count() == 0
    assert note.isVisibleTo(panel) and "already exists" in note.text()
    assert note.tone == "error"
    assert field.text() == "workload"  # the draft stays, to be fixed
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert field.text() == "Cases"
    assert not note.isVisibleTo(panel)


def test_a_blank_name_is_refused_too(qtbot, panel, doc):
    panel.show_elements(["w"])
    field = panel.variable_page.name.field
    messages = []
    panel.message.connect(messages.append)
    type_into(qtbot, field, "   ")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.variables["w"].name == "Workload"
    assert messages and "not a valid variable name" in messages[-1]


def test_equation_syntax_is_checked_as_you_type(qtbot, panel, doc):
    panel.show_elements(["k"])
    box = panel.variable_page.equation
    editor = box.editor
    editor.selectAll()
    qtbot.keyClicks(editor, "cases / (time_to_close +")
    # nothing is said until the typing pauses
    qtbot.waitUntil(lambda: "column 25" in box.status.text())
    assert box.status.tone == "error"
    assert "expected an operand" in box.status.text()
    [mark] = [s for s in editor.extraSelections() if s.format.underlineStyle() != 0]
    assert mark.cursor.selectedText() == "+"
    save(panel, "bad_equation")
    qtbot.keyClicks(editor, " 1)")
    qtbot.waitUntil(lambda: "valid" in box.status.text())
    assert box.status.tone == "ok"
    assert doc.variables["k"].equation == "cases / time_to_close"  # nothing saved yet


def test_ctrl_enter_commits_the_equation_as_one_undo_step_and_undo_shows_the_old_one(qtbot, panel, doc):
    panel.show_elements(["k"])
    editor = panel.variable_page.equation.editor
    editor.selectAll()
    qtbot.keyClicks(editor, "cases / time_to_close * 2")
    assert panel.stack_.count() == 0
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert doc.variables["k"].equation == "cases / time_to_close * 2"
    assert panel.stack_.count() == 1
    assert panel.stack_.undoText() == "Edit equation of 'Closures'"
    panel.stack_.undo()
    assert editor.toPlainText() == "cases / time_to_close"
    panel.stack_.redo()
    assert editor.toPlainText() == "cases / time_to_close * 2"


def test_an_invalid_equation_may_be_saved_but_the_problem_stays_shown(qtbot, panel, doc):
    panel.show_elements(["k"])
    editor = panel.variable_page.equation.editor
    messages = []
    panel.message.connect(messages.append)
    editor.selectAll()
    qtbot.keyClicks(editor, "cases *")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert doc.variables["k"].equation == "cases *"
    assert "column 8" in panel.variable_page.equation.status.text()
    assert messages and "has an error" in messages[-1]


def test_leaving_the_equation_editor_commits_it(qtbot, panel, doc):
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.show_elements(["k"])
    page = panel.variable_page
    page.equation.editor.setFocus()
    qtbot.waitUntil(page.equation.editor.hasFocus)
    page.equation.editor.selectAll()
    qtbot.keyClicks(page.equation.editor, "cases / 2")
    page.units.field.setFocus()  # as a click or Tab into the next field does
    qtbot.waitUntil(page.units.field.hasFocus)
    assert doc.variables["k"].equation == "cases / 2"
    assert panel.stack_.count() == 1


def test_esc_in_the_equation_editor_drops_the_draft(qtbot, panel, doc):
    panel.show_elements(["k"])
    editor = panel.variable_page.equation.editor
    editor.selectAll()
    qtbot.keyClicks(editor, "oops")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.toPlainText() == "cases / time_to_close"
    panel.show_elements(["c"])  # switching commits drafts: there is none
    assert doc.variables["k"].equation == "cases / time_to_close"


def test_a_long_message_under_a_narrow_editor_is_not_clipped(qtbot, panel):
    panel.resize(260, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_elements(["k"])
    box = panel.variable_page.equation
    box.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(box.editor, " + (backlog")
    qtbot.waitUntil(lambda: box.status.tone == "error")
    status = box.status
    assert status.heightForWidth(status.width()) > status.fontMetrics().lineSpacing()  # it wraps
    # the editor's box grows to hold the whole message (a form caches row heights)
    qtbot.waitUntil(lambda: box.height() >= box.heightForWidth(box.width()), timeout=2000)
    assert box.warnings.isVisibleTo(box) and box.warnings.geometry().bottom() < box.height()
    save(panel, "bad_equation_narrow")


def test_unknown_names_and_undrawn_links_are_warned_about_not_refused(qtbot, panel, doc):
    panel.show_elements(["k"])
    box = panel.variable_page.equation
    box.editor.selectAll()
    qtbot.keyClicks(box.editor, "cases / time_to_close + referrals + backlog")
    qtbot.waitUntil(lambda: "backlog" in box.warnings.text())
    assert box.warnings.tone == "warning"
    assert "not a variable of this map: backlog" in box.warnings.text()
    assert "no link drawn from: Referrals" in box.warnings.text()
    assert "valid" in box.status.text()  # the syntax is fine
    # the unknown name is underlined where it stands
    text = box.editor.toPlainText()
    marked = {s.cursor.selectedText() for s in box.editor.extraSelections()}
    assert marked == {"backlog"} and "backlog" in text


def test_the_stock_equation_is_its_initial_value(panel):
    panel.show_elements(["c"])
    page = panel.variable_page
    assert page.form.labelForField(page.equation).text() == "Initial value"
    assert "in: Referrals" in page.flows.text() and "out: Closures" in page.flows.text()
    save(panel, "stock")
    panel.show_elements(["t"])
    assert page.form.labelForField(page.equation).text() == "Equation"


def test_check_equation_finds_the_error_position_on_later_lines(doc):
    result = check_equation(doc, "k", "cases\n  / ?")
    assert (result.line, result.column) == (2, 5)
    assert result.span == (len("cases\n  / "), len("cases\n  / ?"))


def test_units_are_checked_as_you_type_and_saved_on_enter(qtbot, panel, doc):
    panel.show_elements(["t"])
    box = panel.variable_page.units
    type_into(qtbot, box.field, "weeks//")
    assert box.note.tone == "error" and "column" in box.note.text()
    type_into(qtbot, box.field, "days")
    assert not box.note.isVisibleTo(panel)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert doc.variables["t"].units == "days"


def test_kind_combo_changes_the_kind_and_undo_brings_it_back(qtbot, panel, doc):
    panel.show_elements(["w"])
    page = panel.variable_page
    combo = page.kind
    assert combo.currentData() == "concept"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # concept -> stock
    assert doc.variables["w"].kind == Kind.STOCK
    assert page.title.text() == "Stock"
    assert page.form.labelForField(page.equation).text() == "Initial value"
    panel.stack_.undo()
    assert combo.currentData() == "concept" and page.title.text() == "Concept"


def test_tags_documentation_and_non_negative(qtbot, panel, doc):
    panel.show_elements(["c"])
    page = panel.variable_page
    type_into(qtbot, page.tags.field, "backlog,  demand ,")
    qtbot.keyClick(page.tags.field, Qt.Key.Key_Return)
    assert doc.variables["c"].tags == ("backlog", "demand")
    assert page.tags.field.text() == "backlog, demand"
    page.documentation.field.selectAll()
    qtbot.keyClicks(page.documentation.field, "Open cases.")
    qtbot.keyClick(page.documentation.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert doc.variables["c"].documentation == "Open cases."
    combo = page.non_negative
    assert combo.isVisibleTo(panel) and combo.currentIndex() == 0  # model default
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert doc.variables["c"].non_negative is True
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert doc.variables["c"].non_negative is False
    panel.show_elements(["w"])
    assert not page.non_negative.isVisibleTo(panel)  # a concept is neither stock nor flow


def test_clicking_a_cause_asks_to_select_it(qtbot, panel):
    panel.show()
    panel.show_elements(["k"])
    causes = panel.variable_page.causes
    assert causes.ids() == ["c", "t"]
    texts = [causes.item(i).text() for i in range(causes.count())]
    assert texts == ["+  Cases", "−  Time to close"]
    with qtbot.waitSignal(panel.selectRequested) as blocker:
        rect = causes.visualItemRect(causes.item(1))
        qtbot.mouseClick(causes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [["t"]]
    assert [panel.variable_page.effects.item(0).text()] == ["none"]


def test_a_graphical_function_is_drawn(panel, doc):
    graph = GraphicalFunction((0.0, 0.4, 1.0), x_scale=(0.0, 2.0))
    doc.apply(operations.update(doc, "t", graph=graph))
    panel.show_elements(["t"])
    page = panel.variable_page
    assert page.graph_box.isVisibleTo(panel)
    assert page.graph_caption.text() == "3 points · x 0 to 2 · y 0 to 1"
    panel.show_elements(["c"])
    assert not page.graph_box.isVisibleTo(panel)


# -- following the document ------------------------------------------------------------------------


def test_a_change_made_elsewhere_shows_without_moving_the_cursor_or_losing_a_draft(qtbot, panel, doc):
    panel.show()
    panel.activateWindow()
    panel.show_elements(["k"])
    page = panel.variable_page
    # a draft in the documentation field, cursor in the middle
    page.documentation.field.setFocus()
    qtbot.keyClicks(page.documentation.field, "Draft text")
    cursor = page.documentation.field.textCursor()
    cursor.setPosition(5)
    page.documentation.field.setTextCursor(cursor)
    # meanwhile (Edit menu, canvas, script) the variable is renamed and its units set
    doc.apply(operations.update(doc, "k", name="Case closures", units="cases/week"))
    assert page.name.field.text() == "Case closures"
    assert page.units.field.text() == "cases/week"
    assert page.documentation.field.toPlainText() == "Draft text"
    assert page.documentation.field.textCursor().position() == 5


def test_the_cursor_stays_put_when_the_field_being_edited_is_refreshed(qtbot, panel, doc):
    panel.show()
    panel.activateWindow()
    panel.show_elements(["t"])
    field = panel.variable_page.units.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.setCursorPosition(2)
    doc.apply(operations.update(doc, "t", units="week"))  # the field is clean: it follows
    assert field.text() == "week"
    assert field.cursorPosition() == 2


def test_a_deleted_element_leaves_the_panel_and_the_old_document_is_let_go(qtbot, panel, doc):
    panel.show_elements(["ws"])
    assert panel.link_page.isVisibleTo(panel)
    doc.apply(operations.remove(doc, ["ws"]))
    assert panel.shown_ids() == []
    assert panel.map_page.isVisibleTo(panel)
    other = SystemMap(name="Other")
    panel.set_session(other, QUndoStack())
    assert panel.map_page.name.field.text() == "Other"
    doc.apply(operations.set_name(doc, "Renamed old map"))
    assert panel.map_page.name.field.text() == "Other"
    assert doc.changed._listeners == []


def test_a_deletion_announced_to_the_canvas_first_drops_the_draft_quietly(qtbot, doc):
    inspector = Inspector()
    qtbot.addWidget(inspector)
    # the canvas hears of the deletion first and, its items gone, reports an empty selection
    doc.changed.connect(lambda change: inspector.show_elements([]))
    inspector.set_session(doc, QUndoStack())
    inspector.show_elements(["w"])
    type_into(qtbot, inspector.variable_page.name.field, "Workload draft")
    doc.apply(operations.remove(doc, ["w"]))
    assert inspector.map_page.isVisibleTo(inspector)
    assert "w" not in doc and doc.variable_named("Workload draft") is None


def test_a_deleted_inspector_stops_listening(qtbot, doc):
    inspector = Inspector()
    inspector.set_session(doc, QUndoStack())
    inspector.show_elements(["c"])
    shiboken6.delete(inspector)
    doc.apply(operations.set_name(doc, "Still fine"))
    assert doc.changed._listeners == []


def test_switching_selection_commits_a_pending_draft(qtbot, panel, doc):
    panel.show_elements(["t"])
    field = panel.variable_page.units.field
    type_into(qtbot, field, "days")
    panel.show_elements(["c"])
    assert doc.variables["t"].units == "days"
    assert panel.variable_page.units.field.text() == "cases"


# -- links -------------------------------------------------------------------------------------------


def test_polarity_buttons_change_the_link(qtbot, panel, doc):
    panel.show_elements(["sw"])
    page = panel.link_page
    assert page.polarity.value() == ""
    qtbot.mouseClick(page.polarity.buttons["-"], Qt.MouseButton.LeftButton)
    assert doc.links["sw"].polarity.value == "-"
    assert panel.stack_.undoText() == "Set link polarity to −"
    qtbot.mouseClick(page.polarity.buttons["+"], Qt.MouseButton.LeftButton)
    assert doc.links["sw"].polarity.value == "+"
    panel.stack_.undo()
    assert page.polarity.value() == "-"
    assert page.ends.text().count("<a ") == 2  # Workload → Sick leave, both clickable


def test_the_equations_implied_polarity_is_shown_beside_the_drawn_one(qtbot, panel, doc):
    panel.show_elements(["tk"])  # Time to close → Closures = cases / time_to_close: −
    page = panel.link_page
    qtbot.waitUntil(lambda: "(agrees)" in page.implied.text(), timeout=20000)
    assert page.implied.text() == "Equations say: − (agrees)"
    qtbot.mouseClick(page.polarity.buttons["+"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "drawn +" in page.implied.text(), timeout=20000)
    assert page.implied.text() == "Equations say: − (drawn +)" and page.implied.tone == "warning"
    save(panel, "link")
    panel.show_elements(["ws"])  # Sick leave has no equation: nothing to say
    assert not page.implied.isVisibleTo(panel)


def test_delay_curvature_and_note_of_a_link(qtbot, panel, doc):
    panel.show()
    panel.show_elements(["ws"])
    page = panel.link_page
    box = page.delay
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on the box
    assert doc.links["ws"].delay is True
    page.curvature.setFocus()
    qtbot.keyClick(page.curvature, Qt.Key.Key_Up)
    qtbot.keyClick(page.curvature, Qt.Key.Key_Up)
    assert doc.links["ws"].curvature == pytest.approx(0.1)
    assert panel.stack_.count() == 2  # the delay, and the two steps of bending as one
    panel.stack_.undo()
    assert doc.links["ws"].curvature == 0.0 and page.curvature.value() == 0.0
    type_into(qtbot, page.note.field, "after a few weeks")
    qtbot.keyClick(page.note.field, Qt.Key.Key_Return)
    assert doc.links["ws"].note == "after a few weeks"


# -- loop labels, notes, several elements -----------------------------------------------------------------


def test_loop_label_text_direction_and_members(qtbot, panel, doc):
    doc.apply(operations.add_loop_label(doc, "R1", (0, 0), loop=("w", "s"), id="r1"))
    panel.show_elements(["r1"])
    page = panel.loop_page
    assert page.title.text() == "Loop R1"
    assert [page.members.item(i).text() for i in range(page.members.count())] == [
        "1.  Workload",
        "2.  Sick leave",
    ]
    type_into(qtbot, page.text.field, "R2")
    qtbot.keyClick(page.text.field, Qt.Key.Key_Return)
    assert doc.loop_labels["r1"].text == "R2" and page.title.text() == "Loop R2"
    page.direction.setFocus()
    qtbot.keyClick(page.direction, Qt.Key.Key_Down)
    assert doc.loop_labels["r1"].direction.value == "anticlockwise"
    page.documentation.field.selectAll()
    qtbot.keyClicks(page.documentation.field, "Sickness spreads the work.")
    save(panel, "loop_label")
    panel.show_elements([])  # moving on commits the story
    assert doc.loop_labels["r1"].documentation == "Sickness spreads the work."


def test_note_text(qtbot, panel, doc):
    doc.apply(operations.add_note(doc, "Draft", (0, 0), id="n1"))
    panel.show_elements(["n1"])
    field = panel.note_page.text.field
    field.selectAll()
    qtbot.keyClicks(field, "Data from 2023")
    qtbot.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert doc.notes["n1"].text == "Data from 2023"


def test_several_links_get_one_polarity_in_one_step(qtbot, panel, doc):
    panel.show_elements(["ck", "tk", "ws"])
    page = panel.selection_page
    assert page.title.text() == "3 items selected"
    assert page.summary.text() == "3 links"
    assert page.polarity.value() is None  # mixed
    qtbot.mouseClick(page.polarity.buttons["?"], Qt.MouseButton.LeftButton)
    assert {doc.links[i].polarity.value for i in ("ck", "tk", "ws")} == {"?"}
    assert panel.stack_.count() == 1
    assert page.polarity.value() == "?"
    save(panel, "several_links")


def test_several_variables_share_the_kind_field_and_mixed_selections_only_count(qtbot, panel, doc):
    panel.show_elements(["w", "s"])
    page = panel.selection_page
    assert page.kind.isVisibleTo(panel) and page.kind.currentData() == "concept"
    page.kind.setFocus()
    qtbot.keyClick(page.kind, Qt.Key.Key_End)  # flow
    assert {doc.variables[v].kind for v in ("w", "s")} == {Kind.FLOW}
    panel.show_elements(["w", "ws"])
    assert page.summary.text() == "1 variable · 1 link"
    assert not page.kind.isVisibleTo(panel) and not page.polarity.isVisibleTo(panel)


# -- the map itself ---------------------------------------------------------------------------------------


def test_no_selection_edits_the_model_name_and_simulation_settings(qtbot, panel, doc):
    panel.show_elements([])
    page = panel.map_page
    assert page.name.field.text() == "Casework"
    type_into(qtbot, page.name.field, "Casework 2024")
    qtbot.keyClick(page.name.field, Qt.Key.Key_Return)
    assert doc.name == "Casework 2024" and page.title.text() == "Casework 2024"
    dt = page.numbers["dt"]
    type_into(qtbot, dt.field, "0")
    qtbot.keyClick(dt.field, Qt.Key.Key_Return)
    assert doc.sim_specs.dt == 1.0
    assert dt.note.text() == "dt must be positive" and dt.note.tone == "error"
    type_into(qtbot, dt.field, "a lot")
    qtbot.keyClick(dt.field, Qt.Key.Key_Return)
    assert dt.note.text() == "'a lot' is not a number"
    type_into(qtbot, dt.field, "1/4")
    qtbot.keyClick(dt.field, Qt.Key.Key_Return)
    assert doc.sim_specs.dt == 0.25
    assert not dt.note.isVisibleTo(panel) and dt.field.text() == "0.25"
    stop = page.numbers["stop"]
    type_into(qtbot, stop.field, "52")
    qtbot.keyClick(stop.field, Qt.Key.Key_Return)
    assert doc.sim_specs.stop == 52
    page.method.setFocus()
    qtbot.keyClick(page.method, Qt.Key.Key_End)
    assert doc.sim_specs.method == "rk4"
    type_into(qtbot, page.time_units.field, "weeks")
    qtbot.keyClick(page.time_units.field, Qt.Key.Key_Return)
    assert doc.sim_specs.time_units == "weeks"
    type_into(qtbot, page.save_interval.field, "1")
    qtbot.keyClick(page.save_interval.field, Qt.Key.Key_Return)
    assert doc.sim_specs.save_interval == 1.0
    assert panel.stack_.count() == 6
    panel.stack_.undo()
    assert page.save_interval.field.text() == ""
    save(panel, "map")


def test_problems_found_while_opening_show_on_the_map_page_until_the_next_map(panel):
    panel.show_problems(['model.xmile:41: flow "hiring" refers to unknown variable "vacancy"'])
    note = panel.map_page.problems
    assert note.isVisibleTo(panel) and "vacancy" in note.text() and note.tone == "warning"
    save(panel, "map_problems")
    panel.set_session(SystemMap(), QUndoStack())
    assert not note.isVisibleTo(panel)


def test_tab_moves_on_from_a_multi_line_field(qtbot, panel):
    panel.show()
    panel.activateWindow()
    panel.show_elements([])
    field = panel.map_page.documentation.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert field.toPlainText() == ""
    assert isinstance(QApplication.focusWidget(), QLineEdit)


# -- style rows -------------------------------------------------------------------------------------------


def test_restyling_keeps_a_draft_typed_in_another_field_and_undo_shows_the_old_style(qtbot, panel, doc):
    from sysmap.model.style import element_style

    panel.show()
    panel.activateWindow()
    panel.show_elements(["w"])
    page = panel.variable_page
    page.name.field.setFocus()
    qtbot.waitUntil(page.name.field.hasFocus)
    type_into(qtbot, page.name.field, "Work pressure")
    fill = page.style_section.fields["background"]
    fill.menu.actions()[0].trigger()  # a preset from the swatch's menu: White
    assert element_style(doc.variables["w"]).background == "#ffffff"
    assert page.name.field.text() == "Work pressure"  # the draft survived the reload
    assert doc.variables["w"].name == "Workload"
    qtbot.keyClick(page.name.field, Qt.Key.Key_Return)
    assert doc.variables["w"].name == "Work pressure"
    assert [panel.stack_.text(i) for i in range(panel.stack_.count())] == [
        "Restyle 1 item",
        "Rename 'Workload' to 'Work pressure'",
    ]
    panel.stack_.undo()
    panel.stack_.undo()
    assert fill.text() == "default" and page.name.field.text() == "Workload"
