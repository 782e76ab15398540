"""Per-element styles: read from XMILE style attributes, changed by undoable edits, saved back."""

import pytest

from sysmap.errors import ModelError
from sysmap.io import load, save
from sysmap.model import SystemMap
from sysmap.model.elements import Extras
from sysmap.model.style import ElementStyle, element_style, parse_colour, restyle


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Styled")
    doc.add_variable("Workload", id="w", position=(0, 0))
    doc.add_variable("Sick leave", id="s", position=(200, 0))
    doc.add_link("w", "s", polarity="+", id="ws")
    return doc


def test_an_unstyled_element_has_the_canvas_style(doc):
    assert element_style(doc.variables["w"]) == ElementStyle()
    assert not element_style(doc.links["ws"])


def test_stella_attributes_are_read_and_bad_values_ignored(doc):
    var = doc.variables["w"].evolve(
        view_extra=Extras(
            (
                ("color", "blue"),
                ("background", "#FEC"),
                ("font_color", "not a colour"),
                ("font_size", "10pt"),
                ("border_width", "thick"),
            )
        )
    )
    style = element_style(var)
    assert style == ElementStyle(
        color="#0000ff", background="#ffeecc", font_color=None, font_size=10.0, border_width=3.0
    )


def test_restyle_is_one_undoable_edit(doc):
    before = doc.copy()
    edit = restyle(doc, ["w", "ws"], color="#C0392B", line_width=3)
    doc.apply(edit)
    assert edit.text == "Restyle 2 items"
    assert element_style(doc.links["ws"]).color == "#c0392b"
    assert element_style(doc.links["ws"]).line_width == 3.0
    doc.apply(restyle(doc, ["ws"], color=None))
    assert element_style(doc.links["ws"]).color is None
    doc = before.copy()
    doc.apply(edit := restyle(doc, ["w"], font_size=20))
    doc.revert(edit)
    assert doc == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"color": "chartreuse"}, "not a colour"),
        ({"font_size": -3}, "positive size"),
        ({"font_size": "big"}, "not a number"),
        ({"shadow": True}, "no style field"),
    ],
)
def test_bad_styles_are_refused_with_a_reason(doc, changes, message):
    with pytest.raises(ModelError, match=message):
        restyle(doc, ["w"], **changes)


def test_styles_survive_saving_and_reopening(doc, tmp_path):
    doc.apply(restyle(doc, ["w"], color="navy", background="#ffffcc", font_size=16))
    doc.apply(restyle(doc, ["ws"], color="#c0392b", line_width=2.5))
    path = tmp_path / "styled.xmile"
    save(doc, path)
    text = path.read_text()
    assert 'font_size="16pt"' in text and "sysmap:line_width" in text
    again = load(path)
    w = again.variable_named("Workload")
    assert element_style(w) == ElementStyle(color="#000080", background="#ffffcc", font_size=16.0)
    (link,) = again.links.values()
    assert element_style(link) == ElementStyle(color="#c0392b", line_width=2.5)


def test_parse_colour():
    assert parse_colour(" #ABCDEF ") == "#abcdef"
    assert parse_colour("#12345") is None
    assert parse_colour("") is None
