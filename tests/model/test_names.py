"""Variable names under the XMILE identifier rules: which spellings are the same name, and how
a name is written inside an equation."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sysmap.model.equation_text import references
from sysmap.model.names import (
    KEYWORDS,
    canonical_name,
    display_name,
    equation_form,
    is_valid_name,
    needs_quotes,
    unquote,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "Birth Rate",
        "BIRTH RATE",
        "birth_rate",
        "birth\u00a0rate",
        "birth\nrate",
        "birth\\nrate",
        "birth\trate",
        "birth   rate",
        "birth _\n\\n rate",
        "  birth rate  ",
        "_birth_rate_",
        '"Birth Rate"',
        '"birth\\nrate"',
    ],
)
def test_equivalent_spellings_name_the_same_variable(spelling):
    assert canonical_name(spelling) == canonical_name("birth rate") == "birth_rate"


@pytest.mark.parametrize("other", ["birthrate", "birth-rate", "birth rates", "birth.rate", "rate birth"])
def test_different_names_stay_different(other):
    assert canonical_name(other) != canonical_name("birth rate")


def test_quoted_names_resolve_escaped_quotes_and_backslashes():
    assert canonical_name('"say \\"Hi\\""') == 'say_"hi"'
    assert canonical_name('"back\\\\slash"') == "back\\slash"
    assert unquote('"say \\"hi\\""') == 'say "hi"'


def test_quotes_are_not_part_of_the_name():
    assert canonical_name('"Population"') == canonical_name("population")
    assert display_name('"Population"') == "Population"


def test_unmatched_quote_is_part_of_the_name():
    assert canonical_name('"population') == '"population'


@pytest.mark.parametrize("blank", ["", " ", "_", "__ _", "\\n", "\n\t", '""', '" _ "', "\u00a0"])
def test_blank_names_are_not_valid(blank):
    assert not is_valid_name(blank)


@pytest.mark.parametrize("name", ["x", "Birth rate", "2", "£", '"if"', "人口"])
def test_names_with_content_are_valid(name):
    assert is_valid_name(name)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("staff_turnover", "staff turnover"),
        ("Staff\\nTurnover", "Staff Turnover"),
        ("  Cost   (£)  ", "Cost (£)"),
        ('"Water level"', "Water level"),
    ],
)
def test_display_name_keeps_case_and_shows_whitespace_as_spaces(name, shown):
    assert display_name(name) == shown


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("birth rate", "birth_rate"),
        ("Birth  Rate", "Birth_Rate"),
        ("  water\nlevel ", "water_level"),
        ("x2", "x2"),
        ("price$", "price$"),
        ("café", "café"),
        ("Größe", "Größe"),
        ("人口", "人口"),
        ("order", "order"),
        ("iffy", "iffy"),
        ("if", '"if"'),
        ("IF", '"IF"'),
        ("Mod", '"Mod"'),
        ("not", '"not"'),
        ("2nd stage", '"2nd stage"'),
        ("cost (£/year)", '"cost (£/year)"'),
        ("a.b", '"a.b"'),
        ("self-esteem", '"self-esteem"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('"already quoted"', "already_quoted"),
    ],
)
def test_equation_form_quotes_only_names_that_need_it(name, form):
    assert equation_form(name) == form
    assert needs_quotes(name) == form.startswith('"')


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
def test_every_keyword_is_quoted(keyword):
    assert equation_form(keyword.upper()) == f'"{keyword.upper()}"'


_SPECIAL = [" ", "_", "\u00a0", "\n", "\t", "\\n", "\\N", '"', "\\", "{", "}", "(", ".", "1", "if", "ß"]
_SPECIAL += ["\u3000", "\u2028", "\x85"]  # whitespace to str.strip() but not to XMILE

#: Valid variable names, including hostile ones (quotes, escapes, unicode whitespace, keywords).
names = (
    st.lists(st.one_of(st.characters(), st.sampled_from(_SPECIAL)), min_size=1, max_size=12)
    .map("".join)
    .filter(is_valid_name)
)


@settings(max_examples=500, deadline=None)
@given(names)
@example('""a""')
@example("a\\Nb")
@example("\u3000a")
def test_canonical_name_is_its_own_canonical_name(name):
    key = canonical_name(name)
    assert canonical_name(key) == key


@settings(max_examples=500, deadline=None)
@given(names)
@example('""a""')
@example("a\\Nb")
@example("\u3000a")
@example('"\\\\"')
@example("\ua9f0")  # a digit outside ASCII (Myanmar Tai Laing zero): a name, not a number
def test_equation_form_reads_back_as_exactly_that_name(name):
    form = equation_form(name)
    refs = references(form)
    assert [r.name for r in refs] == [canonical_name(name)]
    assert (refs[0].start, refs[0].end) == (0, len(form))
