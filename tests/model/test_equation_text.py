"""Finding and renaming variable references in equation text without evaluating it."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sysmap.model.equation_text import referenced_names, references, rename_references, tokenize
from sysmap.model.names import canonical_name, equation_form, is_valid_name


def names_in(text):
    return [r.name for r in references(text)]


def test_plain_identifiers_are_references_by_canonical_name():
    assert names_in("Births * (1 - Population / Carrying_Capacity)") == [
        "births",
        "population",
        "carrying_capacity",
    ]


def test_keywords_are_not_references():
    assert names_in("IF a > 0 THEN b ELSE c") == ["a", "b", "c"]
    assert names_in("a AND NOT b OR c MOD d") == ["a", "b", "c", "d"]


def test_function_names_are_not_references():
    assert names_in("MAX(a, SMTH1(b, 3))") == ["a", "b"]
    assert names_in("DELAY1 (x, tau)") == ["x", "tau"]
    assert names_in("f {a comment} (x)") == ["x"]


def test_comments_are_skipped():
    assert names_in("a + {b is not here} c") == ["a", "c"]
    assert names_in("a + {unterminated b") == ["a"]


@pytest.mark.parametrize("number", ["1e-3", ".5", "2.", "2.5E+10", "3e2", "0.25"])
def test_numbers_are_not_references(number):
    assert names_in(f"{number} * x") == ["x"]


def test_a_lone_e_is_a_name_not_an_exponent():
    assert names_in("e * 2") == ["e"]


def test_member_part_of_a_qualified_name_is_not_a_reference():
    assert names_in("module.output + b") == ["module", "b"]


def test_quoted_names_are_references():
    assert names_in('"Birth Rate" * "if" + "say \\"hi\\""') == ["birth_rate", "if", 'say_"hi"']


def test_reference_spans_point_at_the_text_as_written():
    text = 'MAX(Stock, 0) + "Birth Rate"'
    assert [text[r.start : r.end] for r in references(text)] == ["Stock", '"Birth Rate"']


def test_referenced_names_include_builtins_for_the_caller_to_judge():
    assert referenced_names("IF TIME > 5 THEN a ELSE SMTH1(b, DT)") == {"time", "a", "b", "dt"}


def test_empty_equation_has_no_references():
    assert references("") == []
    assert references("  {just a comment}  ") == []


def test_rename_keeps_every_other_character():
    text = "MAX(stock,0)  +  Stock_2*{stock}\n  stock"
    assert rename_references(text, "stock", "Level") == "MAX(Level,0)  +  Stock_2*{stock}\n  Level"


def test_rename_replaces_every_spelling_of_the_name():
    text = 'Water_Level + WATER level + "water\\nlevel" - water_level'
    # "WATER level" is two names, neither of which is "water level".
    assert rename_references(text, "water level", "w") == "w + WATER level + w - w"


def test_rename_leaves_function_names_and_members_alone():
    text = "stock(1) + a.stock + stock"
    assert rename_references(text, "stock", "s") == "stock(1) + a.stock + s"


def test_rename_inserts_the_form_as_given():
    assert rename_references("a * 2", "a", '"cost (£)"') == '"cost (£)" * 2'


def test_rename_of_an_absent_name_changes_nothing():
    text = "b + c {a}"
    assert rename_references(text, "a", "z") == text


_OTHER_NAMES = ["alpha", "Beta_2", '"gamma ray"', "TIME", "delta$"]
_PIECES = [
    "+",
    "-",
    "*",
    "/",
    "^",
    "(",
    ")",
    ",",
    "<=",
    "<>",
    "=",
    "IF",
    "THEN",
    "ELSE",
    "AND",
    "MAX(",
    "SMTH1 (",
    "1e-3",
    ".5",
    "42",
    "{a comment}",
    "{alpha}",
    "\n",
    *_OTHER_NAMES,
]

names = (
    st.lists(
        st.one_of(st.characters(), st.sampled_from([" ", "_", '"', "\\", "if", "("])), min_size=1, max_size=8
    )
    .map("".join)
    .filter(is_valid_name)
)


@st.composite
def equations_using(draw, name):
    """Equation-like text in which ``name`` appears only written as its equation form."""
    pieces = draw(st.lists(st.one_of(st.sampled_from(_PIECES), st.just(equation_form(name))), max_size=14))
    seps = draw(
        st.lists(st.sampled_from([" ", "  ", "\t", " \n "]), min_size=len(pieces), max_size=len(pieces))
    )
    return "".join(p + s for p, s in zip(pieces, seps, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.data(), names)
def test_renaming_a_name_to_its_own_form_changes_nothing(data, name):
    text = data.draw(equations_using(name))
    assert rename_references(text, name, equation_form(name)) == text


@settings(max_examples=300, deadline=None)
@given(st.data(), names, names)
def test_renaming_there_and_back_restores_the_text(data, old, new):
    others = {canonical_name(n) for n in _OTHER_NAMES}
    assume(canonical_name(new) not in others | {canonical_name(old)})
    assume(canonical_name(old) not in others)
    text = data.draw(equations_using(old))
    there = rename_references(text, old, equation_form(new))
    assert rename_references(there, new, equation_form(old)) == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tokens_cover_the_text_exactly(text):
    assert "".join(t.text for t in tokenize(text)) == text
