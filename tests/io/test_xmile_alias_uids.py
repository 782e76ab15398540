"""Kept drawings that refer to other drawings by uid still refer to the same ones after a save.

The writer numbers uids afresh; a connector sysmap cannot read (it ends at an alias, or at
no variable) is kept as written. Its ``<from><alias uid>`` / ``<to><alias uid>`` (and a kept
group's ``<item uid>``) must follow the alias to its new uid, and new uids must never repeat
a uid something kept still carries.
"""

from pathlib import Path

import pytest
from lxml import etree

from sysmap.io.xmile import dumps, parse
from sysmap.io.xmile.names import SYSMAP_NS, XMILE_NS
from sysmap.model.edits import Remove
from sysmap.model.names import canonical_name

X = f"{{{XMILE_NS}}}"


def xmile(view: str, variables: str = '<aux name="a"/><aux name="b"/>') -> bytes:
    return (
        f'<xmile xmlns="{XMILE_NS}" xmlns:sysmap="{SYSMAP_NS}" version="1.0">'
        f"<model><variables>{variables}</variables><views><view>\n{view}\n</view></views></model></xmile>"
    ).encode()


# other drawings before the alias, so that renumbering from 0 gives the alias another uid
DRAWN = """<aux name="a" x="0" y="0"/><aux name="b" x="100" y="0"/>
<text_box uid="1" x="10" y="10">note</text_box>
<connector uid="2" angle="0"><from>a</from><to>b</to></connector>
<connector uid="3" angle="0"><from>b</from><to>a</to></connector>
<alias uid="7" x="50" y="200"><of>a</of></alias>"""
FROM_ALIAS = '<connector uid="8" angle="10"><from><alias uid="7"/></from><to>nobody</to></connector>'
TO_ALIAS = '<connector uid="9" angle="20"><from>b</from><to><alias uid="7"/></to></connector>'


def view_of(data: bytes):
    return etree.fromstring(data).find(f"{X}model/{X}views/{X}view")


def aliases(view) -> dict[str, str]:
    """uid -> the variable each drawn alias shows."""
    return {a.get("uid"): a.findtext(f"{X}of") for a in view.iterchildren(f"{X}alias")}


def connector(view, angle: str):
    [found] = [c for c in view.iterchildren(f"{X}connector") if c.get("angle") == angle]
    return found


def end(view, angle: str, which: str) -> str:
    return connector(view, angle).find(f"{X}{which}/{X}alias").get("uid")


def drawn_uids(view) -> list[str]:
    return [c.get("uid") for c in view if c.get("uid") is not None]


def test_a_kept_connector_from_an_alias_follows_the_alias_to_its_new_uid():
    doc, warnings = parse(xmile(DRAWN + FROM_ALIAS), "m.xmile")
    assert len(warnings) == 1 and "kept as written" in warnings[0]
    view = view_of(dumps(doc))
    [(uid, of)] = aliases(view).items()
    assert (uid, of) == ("0", "a")  # renumbered: the file said 7
    assert end(view, "10", "from") == uid


def test_a_kept_connector_to_an_alias_follows_it_too():
    doc, _ = parse(xmile(DRAWN + FROM_ALIAS + TO_ALIAS), "m.xmile")
    assert len(doc.links) == 2  # the two ending at no alias
    view = view_of(dumps(doc))
    [uid] = aliases(view)
    assert end(view, "10", "from") == uid
    assert end(view, "20", "to") == uid


def test_saving_and_loading_twice_keeps_the_connector_on_its_alias():
    doc, _ = parse(xmile(DRAWN + FROM_ALIAS + TO_ALIAS), "m.xmile")
    first = dumps(doc)
    again, warnings = parse(first, "saved.xmile")
    assert again == doc
    assert len(warnings) == 2  # the kept connectors are still kept, nothing else
    second = dumps(again)
    assert second == first
    third, _ = parse(second, "again.xmile")
    assert third == doc
    view = view_of(second)
    [uid] = aliases(view)
    assert end(view, "10", "from") == end(view, "20", "to") == uid


def test_two_aliases_each_keep_their_own_connectors():
    view_text = DRAWN + '<alias uid="4" x="60" y="300"><of>b</of></alias>'
    view_text += '<connector uid="5" angle="30"><from><alias uid="4"/></from><to>nobody</to></connector>'
    doc, _ = parse(xmile(view_text + FROM_ALIAS), "m.xmile")
    view = view_of(dumps(doc))
    shown = aliases(view)
    assert sorted(shown.values()) == ["a", "b"]
    assert shown[end(view, "30", "from")] == "b"
    assert shown[end(view, "10", "from")] == "a"


def test_new_uids_never_repeat_uids_kept_on_variable_drawings():
    text = xmile(
        '<aux name="a" uid="0" x="0" y="0"/><aux name="b" uid="1" x="100" y="0"/>'
        '<alias uid="7" x="50" y="200"><of>a</of></alias>'
        '<connector uid="8" angle="0"><from><alias uid="7"/></from><to>b</to></connector>'
    )
    doc, _ = parse(text, "m.xmile")
    data = dumps(doc)
    uids = drawn_uids(view_of(data))
    assert sorted(uids) == ["0", "1", "2", "3"]
    view = view_of(data)
    assert aliases(view)[end(view, "2.9e-05", "from")] == "a"


def test_a_kept_group_keeps_its_items_on_the_renumbered_drawings():
    # a drawn group that <variables> does not declare is kept as written
    items = '<item uid="7"/><item uid="2"/><item uid="99"/>'
    group = f'<group name="g" x="0" y="0" width="50" height="50">{items}</group>'
    doc, _ = parse(xmile(DRAWN + group), "m.xmile")
    data = dumps(doc)
    view = view_of(data)
    [alias_uid] = aliases(view)
    link_uid = connector(view, "0").get("uid")
    [kept] = view.iterchildren(f"{X}group")
    assert [i.get("uid") for i in kept] == [alias_uid, link_uid, "99"]  # 99 named nothing; left as is
    assert "99" not in drawn_uids(view)
    assert dumps(parse(data, "saved.xmile")[0]) == data


def test_deleting_the_alias_drops_the_kept_connector_that_ended_there():
    group = '<group name="g" x="0" y="0" width="50" height="50"><item uid="7"/><item uid="2"/></group>'
    doc, _ = parse(xmile(DRAWN + FROM_ALIAS + group), "m.xmile")
    [alias] = doc.aliases.values()
    doc.apply(Remove(alias))
    view = view_of(dumps(doc))
    assert not aliases(view)
    assert [c.findtext(f"{X}to") for c in view.iterchildren(f"{X}connector")] == ["b", "a"]
    [kept] = view.iterchildren(f"{X}group")
    assert [i.get("uid") for i in kept] == [connector(view, "0").get("uid")]


def test_a_uid_two_drawings_share_is_left_as_written():
    # the text box and the alias both say 7: which one the connector meant is unknown
    ambiguous = DRAWN.replace('text_box uid="1"', 'text_box uid="7"')
    doc, _ = parse(xmile(ambiguous + FROM_ALIAS), "m.xmile")
    data = dumps(doc)
    view = view_of(data)
    assert end(view, "10", "from") == "7"
    assert "7" not in drawn_uids(view)  # still reserved for what the reference meant
    assert dumps(parse(data, "saved.xmile")[0]) == data


def test_a_file_cannot_point_a_kept_connector_at_an_element_by_id():
    forged = (
        '<connector uid="8" angle="10"><from><alias uid="42" sysmap:ref="a3"/></from>'
        "<to>nobody</to></connector>"
    )
    doc, warnings = parse(xmile(DRAWN + forged), "m.xmile")
    assert warnings[-1] == "m.xmile:6: a sysmap:ref attribute is for sysmap's own use, not for files; dropped"
    assert list(doc.aliases) == ["a3"]  # the id the file tried to name exists
    view = view_of(dumps(doc))
    source = connector(view, "10").find(f"{X}from/{X}alias")
    assert dict(source.attrib) == {"uid": "42"}


def test_nothing_of_sysmaps_marks_reaches_the_file():
    doc, _ = parse(xmile(DRAWN + FROM_ALIAS + TO_ALIAS), "m.xmile")
    assert any("ref=" in text for text in doc.extra("view").children)  # kept by id in the document
    assert b"ref=" not in dumps(doc)


MODELS = Path(__file__).resolve().parents[3] / "shared" / "models"


def test_the_kept_alias_connectors_of_c_learn_keep_their_aliases():
    path = MODELS / "C-LEARN_v77_for_Vensim.xmile"
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    original = etree.parse(str(path), parser).getroot()
    doc, _ = parse(path.read_bytes(), path)
    saved = etree.fromstring(dumps(doc), parser)

    def alias_ends(root) -> list[tuple[str | None, ...]]:
        """For each connector with an alias end: the variables those ends show, by angle."""
        view = root.find(f"{X}model/{X}views/{X}view")
        shown = {
            a.get("uid"): canonical_name(a.findtext(f"{X}of") or "") for a in view.iterchildren(f"{X}alias")
        }
        out = []
        for c in view.iterchildren(f"{X}connector"):
            refs = [c.find(f"{X}{which}/{X}alias") for which in ("from", "to")]
            if refs[1] is not None:
                out.append(
                    (c.get("angle"), *(None if r is None else shown.get(r.get("uid"), "?") for r in refs))
                )
        return sorted(out, key=str)

    before, after = alias_ends(original), alias_ends(saved)
    assert len(before) == 15  # C-LEARN's connectors into aliases, which sysmap keeps as written
    assert "?" not in {e for row in before for e in row}
    assert after == before
