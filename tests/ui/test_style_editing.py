"""Styling elements as a user does: the inspector's Style rows and the canvas's Style menus.

The tests look at the document (``element_style``), not at pixels: drawing the styles is the
canvas items' job, tested with them.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from canvas_driver import Canvas, open_canvas
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QUndoStack, QWheelEvent
from PySide6.QtWidgets import QApplication
from shots import shots_dir

from sysmap.model import Extras, Kind, SystemMap, operations
from sysmap.model.style import element_style, restyle
from sysmap.ui.canvas.menus import STYLE_COLOURS
from sysmap.ui.inspector import Inspector, style_section
from sysmap.ui.inspector.style_section import MIXED

SHOTS = shots_dir("h7")
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Staffing")
    doc.add_variable("Workload", position=(-200.0, -100.0), id="w")
    doc.add_variable("Sick leave", position=(200.0, -100.0), id="s")
    doc.add_variable("Staff", kind=Kind.STOCK, equation="10", position=(0.0, 150.0), id="st")
    doc.add_link("w", "s", polarity="+", id="ws")
    doc.add_link("s", "st", polarity="-", id="sst")
    doc.add_link("st", "w", polarity="-", id="stw")
    doc.apply(operations.add_note(doc, "Interviews, spring 2024", (300.0, 200.0), id="n"))
    doc.apply(operations.add_loop_label(doc, "B1", (0.0, -20.0), loop=("w", "s", "st"), id="b1"))
    return doc


@pytest.fixture
def panel(qtbot, doc):
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.stack_ = QUndoStack()
    inspector.set_session(doc, inspector.stack_)
    inspector.resize(300, 900)
    inspector.show()
    qtbot.waitExposed(inspector)
    return inspector


@pytest.fixture
def colours(monkeypatch):
    """Replace the colour dialog: each call answers the next of ``colours.answers`` (None:
    cancelled) and records what it was asked."""

    class Hook:
        answers: list = []
        asked: list = []

        def __call__(self, initial, parent, title):
            self.asked.append((initial.name(), title))
            answer = self.answers.pop(0)
            return None if answer is None else QColor(answer)

    hook = Hook()
    monkeypatch.setattr(style_section, "ask_colour", hook)
    return hook


def style(doc, eid):
    return element_style(doc.element(eid))


def rows(page):
    """The style rows the page shows: {label text: what the field says}."""
    section = page.style_section
    shown = {}
    for widget in section.fields.values():
        if widget.isVisibleTo(page):
            shown[page.form.labelForField(widget).text()] = widget.text()
    return shown


def click_swatch(qtbot, field):
    """Click the main part of a colour swatch (not its menu arrow)."""
    qtbot.mouseClick(field.swatch, LEFT, pos=QPoint(12, field.swatch.height() // 2))


def choose_from_swatch_menu(qtbot, field, text):
    """Click the swatch's arrow and choose ``text`` from the menu that opens."""
    picked = []

    def pick():
        menu = QApplication.activePopupWidget()
        action = next(a for a in menu.actions() if a.text() == text)
        picked.append(text)
        action.trigger()
        menu.close()

    QTimer.singleShot(0, pick)
    swatch = field.swatch
    qtbot.mouseClick(swatch, LEFT, pos=QPoint(swatch.width() - 5, swatch.height() // 2))
    assert picked == [text]


def save(widget, name):
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


# -- one variable --------------------------------------------------------------------------------


def test_a_colour_chosen_in_the_dialog_is_one_undo_step(qtbot, panel, doc, colours):
    panel.show_elements(["w"])
    page = panel.variable_page
    assert rows(page) == {
        "Colour": "default",
        "Text colour": "default",
        "Fill": "default",
        "Font size": "default",
        "Border": "default",
    }
    colour = page.style_section.fields["color"]
    assert not colour.reset.isEnabled()  # nothing to reset
    colours.answers = ["#2d6a4f"]
    click_swatch(qtbot, colour)
    assert colours.asked == [("#000000", "Colour")]
    assert style(doc, "w").color == "#2d6a4f"
    assert panel.stack_.count() == 1 and panel.stack_.undoText() == "Restyle 1 item"
    assert colour.text() == "#2d6a4f" and colour.reset.isEnabled()
    # the dialog starts from the colour the element has
    colours.answers = [None]
    click_swatch(qtbot, colour)
    assert colours.asked[-1] == ("#2d6a4f", "Colour")
    assert panel.stack_.count() == 1  # cancelled: nothing happens
    panel.stack_.undo()
    assert style(doc, "w").color is None and colour.text() == "default"
    panel.stack_.redo()
    assert colour.text() == "#2d6a4f"


def test_reset_goes_back_to_the_canvas_style_and_keeps_the_other_fields(qtbot, panel, doc):
    doc.apply(restyle(doc, ["w"], color="red", background="#fff6cc", font_size=14))
    panel.show_elements(["w"])
    page = panel.variable_page
    assert rows(page)["Colour"] == "#ff0000"
    assert rows(page)["Fill"] == "Light yellow"  # a preset is named
    assert rows(page)["Font size"] == "14 pt"
    qtbot.mouseClick(page.style_section.fields["color"].reset, LEFT)
    assert style(doc, "w") == style_of(background="#fff6cc", font_size=14.0)
    assert rows(page)["Colour"] == "default"
    assert not page.style_section.fields["color"].reset.isEnabled()
    assert panel.stack_.undoText() == "Restyle 1 item"


def style_of(**fields):
    from sysmap.model.style import ElementStyle

    return ElementStyle(**fields)


def test_a_preset_from_the_swatch_menu(qtbot, panel, doc):
    panel.show_elements(["w"])
    fill = panel.variable_page.style_section.fields["background"]
    choose_from_swatch_menu(qtbot, fill, "Light blue")
    assert style(doc, "w").background == "#e3eefa"
    assert fill.text() == "Light blue"
    text = panel.variable_page.style_section.fields["font_color"]
    choose_from_swatch_menu(qtbot, text, "Red")  # the canvas's own red
    assert style(doc, "w").font_color == dict(STYLE_COLOURS)["Red"]
    assert panel.stack_.count() == 2


def test_font_size_steps_from_a_usual_size_and_the_steps_are_one_undo_step(qtbot, panel, doc):
    panel.show_elements(["w"])
    spin = panel.variable_page.style_section.fields["font_size"].spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # from "default" to a usual size, not to the smallest
    assert style(doc, "w").font_size == 10.0
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert style(doc, "w").font_size == 12.0 and spin.text() == "12 pt"
    assert doc.variables["w"].view_extra.attribute("font_size") == "12pt"  # as XMILE writes it
    assert panel.stack_.count() == 1
    panel.stack_.undo()
    assert style(doc, "w").font_size is None and spin.text() == "default"


def test_font_size_typed_and_bad_input(qtbot, panel, doc):
    panel.show_elements(["w"])
    spin = panel.variable_page.style_section.fields["font_size"].spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "18")
    assert style(doc, "w").font_size is None  # nothing until Enter
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert style(doc, "w").font_size == 18.0
    spin.selectAll()
    qtbot.keyClicks(spin, "big")  # not a number: the spin box refuses the letters
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert style(doc, "w").font_size == 18.0
    spin.selectAll()
    qtbot.keyClicks(spin, "900")  # too large: the spin box takes no key that leaves its range
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert style(doc, "w").font_size == 9.0 and spin.text() == "9 pt"
    assert panel.stack_.count() == 2


def wheel(widget, steps: int) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_past_a_size_box_unless_it_was_clicked_into(qtbot, panel, doc):
    panel.show_elements(["w"])
    spin = panel.variable_page.style_section.fields["font_size"].spin
    wheel(spin, 2)
    assert style(doc, "w").font_size is None and panel.stack_.count() == 0
    qtbot.mouseClick(spin.lineEdit(), LEFT)
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin, 1)
    assert style(doc, "w").font_size == 10.0


def test_stepping_below_the_smallest_size_is_the_canvas_style_again(qtbot, panel, doc):
    doc.apply(restyle(doc, ["w"], font_size=6))
    panel.show_elements(["w"])
    spin = panel.variable_page.style_section.fields["font_size"].spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert style(doc, "w").font_size == 5.0
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert style(doc, "w").font_size is None and spin.text() == "default"
    assert "font_size" not in dict(doc.variables["w"].view_extra.attributes)


def test_an_unreadable_colour_from_a_file_shows_as_default_and_reset_removes_it(qtbot, panel, doc):
    var = doc.variables["w"]
    doc.apply(
        operations.update(doc, "w", view_extra=Extras((("color", "chartreuse"),), var.view_extra.children))
    )
    panel.show_elements(["w"])
    colour = panel.variable_page.style_section.fields["color"]
    assert colour.text() == "default"
    choose_from_swatch_menu(qtbot, colour, "Purple")
    assert dict(doc.variables["w"].view_extra.attributes) == {"color": "#800080"}


# -- links, notes, loop labels ------------------------------------------------------------------------


def test_a_link_has_colour_and_line_width(qtbot, panel, doc, colours):
    panel.show_elements(["ws"])
    page = panel.link_page
    assert rows(page) == {"Colour": "default", "Line width": "default"}
    spin = page.style_section.fields["line_width"].spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert style(doc, "ws").line_width == 2.5
    colours.answers = ["#b35a00"]
    click_swatch(qtbot, page.style_section.fields["color"])
    assert style(doc, "ws") == style_of(color="#b35a00", line_width=2.5)
    assert rows(page) == {"Colour": "Orange", "Line width": "2.5 px"}
    assert panel.stack_.count() == 2
    save(panel, "link_styled")


def test_a_note_has_text_colour_fill_and_font_size(qtbot, panel, doc):
    panel.show_elements(["n"])
    page = panel.note_page
    assert set(rows(page)) == {"Text colour", "Fill", "Font size"}
    choose_from_swatch_menu(qtbot, page.style_section.fields["background"], "Light yellow")
    spin = page.style_section.fields["font_size"].spin
    spin.selectAll()
    qtbot.keyClicks(spin, "16")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert style(doc, "n") == style_of(background="#fff6cc", font_size=16.0)


def test_a_loop_label_has_colour_and_font_size(qtbot, panel, doc):
    panel.show_elements(["b1"])
    page = panel.loop_page
    assert set(rows(page)) == {"Colour", "Font size"}
    choose_from_swatch_menu(qtbot, page.style_section.fields["color"], "Teal")
    assert style(doc, "b1").color == "#008080"
    save(panel, "loop_label_styled")


# -- several elements ----------------------------------------------------------------------------------


def test_several_variables_show_mixed_and_get_one_colour_in_one_step(qtbot, panel, doc, colours):
    doc.apply(restyle(doc, ["w"], color="#c0392b", font_size=12))
    doc.apply(restyle(doc, ["s"], color="#1f5fa8"))
    panel.show_elements(["w", "s", "st"])
    page = panel.selection_page
    section = page.style_section
    assert section.fields["color"].value is MIXED
    assert rows(page)["Colour"] == "mixed" and rows(page)["Font size"] == "mixed"
    assert "Line width" not in rows(page)  # no link selected
    save(panel, "several_mixed")
    colours.answers = ["#000000"]
    click_swatch(qtbot, section.fields["color"])
    assert {style(doc, v).color for v in ("w", "s", "st")} == {"#000000"}
    assert panel.stack_.count() == 1 and panel.stack_.undoText() == "Restyle 3 items"
    assert rows(page)["Colour"] == "Black"
    spin = section.fields["font_size"].spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # from mixed: all get the usual size
    assert {style(doc, v).font_size for v in ("w", "s", "st")} == {10.0}
    panel.stack_.undo()
    assert rows(page)["Font size"] == "mixed"
    panel.stack_.undo()
    assert style(doc, "w").color == "#c0392b" and rows(page)["Colour"] == "mixed"


def test_a_field_set_on_a_mixed_selection_goes_only_to_the_elements_that_draw_it(qtbot, panel, doc):
    panel.show_elements(["w", "ws", "n"])
    page = panel.selection_page
    section = page.style_section
    assert set(rows(page)) == {"Colour", "Text colour", "Fill", "Font size", "Line width", "Border"}
    spin = section.fields["line_width"].spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert style(doc, "ws").line_width == 2.0
    assert style(doc, "w").line_width is None and style(doc, "n").line_width is None
    choose_from_swatch_menu(qtbot, section.fields["color"], "Gray")
    assert style(doc, "w").color == style(doc, "ws").color == "#808080"
    assert style(doc, "n").color is None  # a note has no colour of its own to draw
    assert panel.stack_.undoText() == "Restyle 2 items"
    qtbot.mouseClick(section.fields["line_width"].reset, LEFT)
    assert style(doc, "ws").line_width is None
    save(panel, "several_kinds")


def test_a_selection_with_nothing_to_style_hides_the_section(panel, doc):
    doc.apply(operations.add_group(doc, "Sector", ["w"], id="g"))
    panel.show_elements(["g", "w"])
    page = panel.selection_page
    assert page.style_section.heading.isVisibleTo(page)
    panel.show_elements(["g"])
    assert not page.style_section.heading.isVisibleTo(page) and rows(page) == {}


# -- tidy at dock widths -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [260, 340])
def test_the_rows_fit_a_narrow_dock(qtbot, panel, doc, width):
    doc.apply(restyle(doc, ["w"], color="#c0392b", background="#e3f4e6", font_size=14, border_width=2))
    panel.resize(width, 900)
    panel.show_elements(["w"])
    qtbot.wait(10)
    bar = panel.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    page = panel.variable_page
    viewport = panel.scroll.viewport()
    for widget in page.style_section.fields.values():
        box = QRectF(widget.mapTo(viewport, QPoint(0, 0)), widget.size().toSizeF())
        assert box.right() <= viewport.width(), "a style row runs off the dock"
        assert widget.reset.geometry().right() <= widget.width()
        assert widget.width() >= 120
    save(panel, f"variable_style_{width}")


# -- the canvas's Style menus ---------------------------------------------------------------------------


@pytest.fixture
def canvas(qtbot, doc) -> Canvas:
    canvas = open_canvas(qtbot, doc)
    yield canvas
    canvas.scene.detach()


def menu_texts(canvas, x, y, path):
    """The entries of the (sub)menu at ``path`` of the context menu at (x, y), with their
    checked and enabled states, without choosing anything."""
    found = []

    def look():
        menu = QApplication.activePopupWidget()
        for text in path:
            menu = next(a for a in menu.actions() if a.text() == text).menu()
        found.extend((a.text(), a.isChecked(), a.isEnabled()) for a in menu.actions() if a.text())
        while QApplication.activePopupWidget():
            QApplication.activePopupWidget().close()

    QTimer.singleShot(0, look)
    canvas.context_menu(x, y, [])
    return found


def test_variable_style_menu_colours_the_variable_and_resets_it(canvas, doc):
    entries = menu_texts(canvas, -200, -100, ["Style"])
    assert [text for text, _, _ in entries] == [t for t, _ in STYLE_COLOURS] + ["Reset style"]
    assert ("Reset style", False, False) in entries  # nothing to reset yet
    assert canvas.context_menu(-200, -100, ["Style", "Red"]) == ["Red"]
    assert style(doc, "w").color == dict(STYLE_COLOURS)["Red"]
    assert canvas.stack.undoText() == "Restyle 1 item"
    entries = menu_texts(canvas, -200, -100, ["Style"])
    assert ("Red", True, True) in entries and ("Reset style", False, True) in entries
    doc.apply(restyle(doc, ["w"], font_size=20))
    canvas.context_menu(-200, -100, ["Style", "Reset style"])
    assert not style(doc, "w")  # every field back to the canvas style
    assert canvas.stack.count() == 2
    canvas.stack.undo()
    assert style(doc, "w").color == dict(STYLE_COLOURS)["Red"]


def test_the_style_menu_of_a_selected_variable_restyles_the_selected_variables(canvas, doc):
    canvas.scene.select_ids(["w", "s", "ws"])
    canvas.context_menu(200, -100, ["Style", "Blue"])
    assert style(doc, "w").color == style(doc, "s").color == dict(STYLE_COLOURS)["Blue"]
    assert style(doc, "ws").color is None  # the variable's menu styles variables
    assert style(doc, "st").color is None  # not selected
    assert canvas.stack.count() == 1 and canvas.stack.undoText() == "Restyle 2 items"
    # choosing the colour they have already is not a step
    canvas.scene.select_ids(["w", "s"])
    canvas.context_menu(200, -100, ["Style", "Blue"])
    assert canvas.stack.count() == 1


def test_link_style_menu_colours_the_selected_links(canvas, doc):
    canvas.scene.select_ids(["ws", "sst"])
    (x0, y0), (x1, y1) = doc.variables["w"].position, doc.variables["s"].position
    on_line = (x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3)  # not on the bend handle in the middle
    assert canvas.scene.element_item_at(QPointF(*on_line)) is canvas.scene.link_items["ws"]
    canvas.context_menu(*on_line, ["Style", "Green"])
    assert style(doc, "ws").color == style(doc, "sst").color == dict(STYLE_COLOURS)["Green"]
    assert style(doc, "stw").color is None
    assert canvas.stack.undoText() == "Restyle 2 items"
    canvas.context_menu(*on_line, ["Style", "Reset style"])
    assert not style(doc, "ws") and not style(doc, "sst")
    assert not canvas.messages


def test_the_perspective_menu_tags_the_selected_variables_and_links(canvas, doc):
    from sysmap.model import workshop as ws

    assert "Perspective" not in [t for t, _, _ in menu_texts(canvas, -200, -100, [])]  # none yet
    doc.apply(ws.set_perspectives(doc, ws.STANDARD_PERSPECTIVES))
    residents = ws.STANDARD_PERSPECTIVES[2].name
    canvas.scene.select_ids(["w", "s"])
    assert canvas.context_menu(200, -100, ["Perspective", residents]) == [residents]
    assert ws.members(doc, residents) == {"w", "s"}
    assert canvas.stack.undoText() == f"Add to perspective {residents}"
    assert (residents, True, True) in menu_texts(canvas, 200, -100, ["Perspective"])
    canvas.context_menu(200, -100, ["Perspective", residents])  # checked: untags
    assert ws.members(doc, residents) == set()
    canvas.scene.select_ids(["ws"])
    (x0, y0), (x1, y1) = doc.variables["w"].position, doc.variables["s"].position
    canvas.context_menu(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3, ["Perspective", "Public services"])
    assert ws.members(doc, "Public services") == {"ws"}
    canvas.stack.undo()
    assert ws.members(doc, "Public services") == set()
