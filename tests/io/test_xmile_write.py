"""Writing XMILE: canonical bytes, small diffs, valid namespaces, and exact round trips."""

import difflib

import pytest
from lxml import etree

from sysmap.io import load, save
from sysmap.io.xmile import dumps, parse
from sysmap.io.xmile.names import ISEE_NS, SYSMAP_NS, XMILE_NS
from sysmap.model import (
    Alias,
    ArrayElement,
    Behavior,
    Dimension,
    GraphicalFunction,
    Kind,
    SimSpecs,
    SystemMap,
    UnitDefinition,
)
from sysmap.model import operations as ops
from sysmap.model.edits import Insert


def cld() -> SystemMap:
    """A causal loop diagram with every CLD feature, built through the model API.

    Built in the order the reader creates elements (variables, aliases, links, notes, loop
    labels, groups) so that ids agree and a round trip can compare with ``==``.
    """
    doc = SystemMap(name="Burnout & “recovery”", documentation="Two lines\nof documentation ✓")
    work = doc.add_variable("Workload", position=(100.5, 200.25), tags=("core", "人"), documentation="hours")
    stress = doc.add_variable("Stress\\nlevel", position=(300.125, 180.0))
    prod = doc.add_variable("Produktivität", position=(-40.0, 420.75), size=(90.0, 45.5))
    rest = doc.add_variable("rest time", position=(250.0, 400.0))
    ghost = Alias(id=doc.new_id("a"), of=work.id, position=(500.0, 500.0))
    doc.apply(Insert(ghost))
    doc.add_link(work.id, stress.id, polarity="+", delay=True, curvature=0.25, note="slowly", tags=("t", "u"))
    doc.add_link(stress.id, prod.id, polarity="-", curvature=-0.125)
    doc.add_link(prod.id, work.id, polarity="?")
    doc.add_link(prod.id, work.id)  # a parallel, unmarked link
    doc.add_link(rest.id, stress.id, polarity="-", points=((260.0, 300.0), (280.0, 250.0)))
    doc.add_link(work.id, rest.id, polarity="+", alias=ghost.id, curvature=0.5)
    doc.apply(ops.add_note(doc, "Ask the team", (10.0, 10.0)))
    doc.apply(ops.add_note(doc, "Boxed note", (200.0, 30.0), size=(120.0, 40.0)))
    doc.apply(
        ops.add_loop_label(
            doc,
            "R1",
            (200.0, 300.0),
            direction="anticlockwise",
            loop=(work.id, stress.id, prod.id),
            documentation="The burnout spiral",
        )
    )
    doc.apply(ops.add_loop_label(doc, "B1", (50.0, 60.0)))
    doc.apply(
        ops.add_group(doc, "People", (work.id, stress.id), documentation="who", position=(150.0, 150.0))
    )
    doc.apply(ops.add_group(doc, "Output", (prod.id,), position=(0.0, 400.0), size=(200.0, 100.0)))
    doc.apply(ops.add_group(doc, "Undrawn", (rest.id,)))
    return doc


def stock_and_flow() -> SystemMap:
    """A stock-and-flow model with every field the format holds, built through the model API."""
    sub = SystemMap(name="lynxes")
    lynx = sub.add_variable("Lynxes", kind=Kind.STOCK, equation="50", position=(100.0, 100.0))
    sub.add_variable("hare density", kind=Kind.AUX, equation="1", position=(200.0, 100.0))
    born = sub.add_variable("lynx births", kind=Kind.FLOW, equation="lynxes * 0.1", position=(50.0, 100.0))
    sub.attach_flow(born.id, source=None, sink=lynx.id)

    doc = SystemMap(
        name="Hares",
        sim_specs=SimSpecs(
            start=1.5,
            stop=30.0,
            dt=0.25,
            method="RK4",
            time_units="Months",
            save_interval=0.5,
            dt_reciprocal=True,
        ),
        dimensions=(Dimension("City", ("Boston", "Chicago")), Dimension("Age", size=3)),
        units=(
            UnitDefinition("people", aliases=("person", "persons")),
            UnitDefinition("dozen", "12 * people"),
        ),
        behavior=Behavior(non_negative_stocks=True, non_negative_flows=False),
        submodels=(sub,),
        origin="Stella",
    )
    hares = doc.add_variable(
        "Hares",
        kind=Kind.STOCK,
        equation="5000",
        units="animals",
        documentation="How many",
        position=(300.0, 200.0),
        size=(45.0, 35.0),
        non_negative=True,
    )
    other = doc.add_variable("Other\nwood", kind=Kind.STOCK, equation="10", position=(600.0, 200.0))
    births = doc.add_variable(
        "births",
        kind=Kind.FLOW,
        equation="hares * birth_fraction",
        position=(200.0, 200.0),
        points=((100.0, 200.0), (277.5, 200.0)),
        non_negative=False,
    )
    moving = doc.add_variable("moving", kind=Kind.FLOW, equation="hares / 10", position=(450.0, 200.0))
    deaths = doc.add_variable("deaths", kind=Kind.FLOW, equation="hares / 70", position=(300.0, 300.0))
    fraction = doc.add_variable(
        "birth fraction",
        kind=Kind.AUX,
        graph=GraphicalFunction(
            y_points=(0.0, 0.5, 1.0), x_scale=(0.0, 2.0), y_scale=(0.0, 1.0), kind="extrapolate"
        ),
        equation="time",
        position=(150.0, 100.0),
        units="1/Months",
    )
    doc.add_variable(
        "table", kind=Kind.AUX, graph=GraphicalFunction((1.0, 4.0, 9.0), x_points=(1.0, 2.0, 3.0))
    )
    doc.add_variable(
        "price",
        kind=Kind.AUX,
        dimensions=("City", "Age"),
        equation="10",
        position=(400.0, 100.0),
    )
    doc.add_variable(
        "cost",
        kind=Kind.AUX,
        dimensions=("City",),
        elements=(
            ArrayElement("Boston", "1"),
            ArrayElement("Chicago", graph=GraphicalFunction((3.0, 4.0), x_scale=(0.0, 1.0))),
        ),
        position=(450.0, 100.0),
    )
    module = doc.add_variable(
        "lynxes",
        kind=Kind.MODULE,
        connections=(("hare_density", ".hares"), ("lynx_births", ".births")),
        position=(500.0, 400.0),
    )
    doc.attach_flow(births.id, source=None, sink=hares.id)
    doc.attach_flow(moving.id, source=hares.id, sink=other.id)
    doc.attach_flow(deaths.id, source=hares.id, sink=None)
    doc.add_link(fraction.id, births.id, polarity="+", curvature=0.25)
    doc.add_link(hares.id, births.id, polarity="+")
    doc.add_link(module.id, fraction.id)
    return doc


def round_trip(doc: SystemMap) -> SystemMap:
    again, warnings = parse(dumps(doc), "saved.xmile")
    assert warnings == []
    return again


# -- canonical bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("build", [cld, stock_and_flow])
def test_saving_twice_gives_identical_bytes(build):
    assert dumps(build()) == dumps(build())
    doc = build()
    assert dumps(doc) == dumps(doc)
    assert dumps(round_trip(doc)) == dumps(doc)


def test_saving_to_a_file_twice_gives_identical_files(tmp_path):
    doc = stock_and_flow()
    save(doc, tmp_path / "a.xmile")
    save(load(tmp_path / "a.xmile"), tmp_path / "b.xmile")
    assert (tmp_path / "a.xmile").read_bytes() == (tmp_path / "b.xmile").read_bytes()


def test_a_one_variable_change_gives_a_small_diff():
    doc = stock_and_flow()
    before = dumps(doc).decode().splitlines()
    deaths = doc.variable_named("deaths")
    doc.apply(ops.update(doc, deaths.id, equation="hares / 80"))
    after = dumps(doc).decode().splitlines()
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 2
    assert "hares / 70" in changed[0] and "hares / 80" in changed[1]


def test_moving_one_variable_changes_only_its_drawing_and_its_connectors():
    doc = cld()
    before = dumps(doc).decode().splitlines()
    rest = doc.variable_named("rest time")
    doc.apply(ops.move(doc, {rest.id: (260.0, 410.0)}))
    after = dumps(doc).decode().splitlines()
    changed = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
    # its x and y, and the angles of the two connectors that touch it
    assert len(changed) <= 6


def test_renaming_one_variable_changes_only_the_lines_that_name_it():
    doc = stock_and_flow()
    before = dumps(doc).decode().splitlines()
    doc.rename_variable(doc.variable_named("deaths").id, "dying")
    after = dumps(doc).decode().splitlines()
    changed = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
    # the flow, its drawing and the stock's <outflow>, each removed and added
    assert len(changed) == 6
    assert all("deaths" in line or "dying" in line for line in changed)


# -- valid XML and namespaces -------------------------------------------------------------------


def tree(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def test_output_is_plain_xml_in_the_oasis_namespace():
    data = dumps(stock_and_flow())
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    root = tree(data)
    assert root.tag == f"{{{XMILE_NS}}}xmile"
    assert root.get("version") == "1.0"
    header = root.find(f"{{{XMILE_NS}}}header")
    assert header is not None
    assert header.find(f"{{{XMILE_NS}}}options") is not None
    assert header.findtext(f"{{{XMILE_NS}}}name") == "Hares"
    options = header.find(f"{{{XMILE_NS}}}options")
    assert options.find(f"{{{XMILE_NS}}}uses_arrays").get("maximum_dimensions") == "2"
    assert options.find(f"{{{XMILE_NS}}}uses_submodels") is not None
    assert [m.get("name") for m in root.iter(f"{{{XMILE_NS}}}model")] == [None, "lynxes"]


def test_namespaces_are_declared_only_when_used():
    plain = SystemMap(name="plain")
    plain.add_variable("a", kind=Kind.AUX, equation="1")
    root = tree(dumps(plain))
    assert root.nsmap == {None: XMILE_NS}
    assert root.find(f"{{{XMILE_NS}}}header/{{{XMILE_NS}}}options").get("namespace") == "std"

    tagged = SystemMap(name="tagged")
    tagged.add_variable("a", tags=("x",))
    root = tree(dumps(tagged))
    assert root.nsmap == {None: XMILE_NS, "sysmap": SYSMAP_NS}

    saving = SystemMap(name="saving", sim_specs=SimSpecs(save_interval=2.0))
    root = tree(dumps(saving))
    assert root.nsmap == {None: XMILE_NS, "isee": ISEE_NS}
    assert root.find(f"{{{XMILE_NS}}}header/{{{XMILE_NS}}}options").get("namespace") == "std, isee"

    data = dumps(cld())
    assert tree(data).nsmap == {None: XMILE_NS, "sysmap": SYSMAP_NS}
    # declared once, on the root
    assert data.count(b"xmlns:sysmap=") == 1
    assert data.count(b"xmlns=") == 1


#: The XMILE attributes the writer may use on each XMILE element (spec chapters 2-6).
SPEC_ATTRIBUTES = {
    "xmile": {"version"},
    "options": {"namespace"},
    "uses_arrays": {"maximum_dimensions"},
    "product": {"version", "lang"},
    "sim_specs": {"method", "time_units"},
    "dt": {"reciprocal"},
    "dim": {"name", "size"},
    "elem": {"name"},
    "unit": {"name"},
    "model": {"name"},
    "stock": {"name", "x", "y", "width", "height"},
    "flow": {"name", "x", "y", "width", "height"},
    "aux": {"name", "x", "y", "width", "height"},
    "module": {"name", "x", "y", "width", "height"},
    "gf": {"name", "type"},
    "element": {"subscript"},
    "connect": {"to", "from"},
    "xscale": {"min", "max"},
    "yscale": {"min", "max"},
    "group": {"name", "x", "y", "width", "height", "uid"},
    "connector": {"uid", "angle", "polarity", "delay_mark"},
    "alias": {"uid", "x", "y"},
    "pt": {"x", "y"},
    "text_box": {"uid", "x", "y", "width", "height"},
    "shape": {"type"},
    "entity": {"name"},
}


@pytest.mark.parametrize("build", [cld, stock_and_flow])
def test_no_attributes_or_elements_are_invented_in_the_xmile_namespace(build):
    for element in tree(dumps(build())).iter():
        namespace = etree.QName(element).namespace
        local = etree.QName(element).localname
        assert namespace in (XMILE_NS, ISEE_NS, SYSMAP_NS), element.tag
        for name in element.attrib:
            qname = etree.QName(name)
            if qname.namespace is not None:
                assert qname.namespace in (ISEE_NS, SYSMAP_NS), name
            elif namespace == XMILE_NS:
                assert name in SPEC_ATTRIBUTES.get(local, set()), f"<{local} {name}=...>"


def test_connector_polarities_are_only_the_spec_ones():
    root = tree(dumps(cld()))
    polarities = [c.get("polarity") for c in root.iter(f"{{{XMILE_NS}}}connector")]
    assert set(polarities) <= {"+", "-", None}
    unknown = [c.get(f"{{{SYSMAP_NS}}}polarity") for c in root.iter(f"{{{XMILE_NS}}}connector")]
    assert unknown.count("?") == 1


def uids(data: bytes) -> list[str]:
    """The uids of the drawings in ``data`` (not the references to aliases inside <from>)."""
    return [
        e.get("uid")
        for e in tree(data).iter()
        if e.get("uid") is not None and etree.QName(e.getparent()).localname != "from"
    ]


def test_every_connector_has_a_unique_uid():
    data = dumps(cld())
    connectors = list(tree(data).iter(f"{{{XMILE_NS}}}connector"))
    assert len(connectors) == 6
    assert all(c.get("uid") for c in connectors)
    drawn = uids(data)
    assert len(drawn) == len(set(drawn))


def test_new_uids_do_not_repeat_the_uids_of_kept_drawings():
    text = f"""<xmile xmlns="{XMILE_NS}" version="1.0">
    <model><variables><aux name="a"/><aux name="b"/></variables>
    <views><view><aux name="a" x="0" y="0"/><aux name="b" x="100" y="0"/>
    <connector uid="0" angle="0"><from>a</from><to>b</to></connector>
    <connector uid="1" angle="0"><from>Time</from><to>b</to></connector>
    <alias uid="2" x="5" y="5"><of>nobody</of></alias>
    <connector uid="3" angle="0"><from>b</from><to>a</to></connector>
    </view></views></model></xmile>"""
    doc, warnings = parse(text.encode(), "kept.xmile")
    assert len(warnings) == 2 and len(doc.links) == 2
    data = dumps(doc)
    drawn = uids(data)
    assert len(drawn) == 4
    assert len(drawn) == len(set(drawn)), drawn
    assert dumps(parse(data, "again.xmile")[0]) == data


def test_alias_connectors_refer_to_their_alias_by_uid():
    root = tree(dumps(cld()))
    [alias] = root.find(f".//{{{XMILE_NS}}}view").iterchildren(f"{{{XMILE_NS}}}alias")
    sources = [
        c.find(f"{{{XMILE_NS}}}from/{{{XMILE_NS}}}alias") for c in root.iter(f"{{{XMILE_NS}}}connector")
    ]
    assert [s.get("uid") for s in sources if s is not None] == [alias.get("uid")]
    assert alias.findtext(f"{{{XMILE_NS}}}of") == "Workload"


def test_sizes_are_written_with_the_top_left_corner():
    doc = SystemMap()
    doc.add_variable("s", kind=Kind.STOCK, position=(100.0, 50.0), size=(40.0, 30.0))
    doc.add_variable("c", position=(10.0, 10.0), size=(60.0, 20.0))
    root = tree(dumps(doc))
    view = root.find(f".//{{{XMILE_NS}}}view")
    stock = view.find(f"{{{XMILE_NS}}}stock")
    assert (stock.get("x"), stock.get("y"), stock.get("width"), stock.get("height")) == (
        "80",
        "35",
        "40",
        "30",
    )
    concept = view.find(f"{{{XMILE_NS}}}aux")  # a concept has a shape: x and y stay the centre
    assert (concept.get("x"), concept.get("y")) == ("10", "10")
    assert concept.find(f"{{{XMILE_NS}}}shape").get("type") == "name_only"


def test_a_drawing_with_a_shape_and_a_size_keeps_its_centre():
    text = f"""<xmile xmlns="{XMILE_NS}"><model><variables><aux name="a"/></variables><views><view>
    <aux name="a" x="100" y="50" width="20" height="20"><shape type="circle" radius="10"/></aux>
    </view></views></model></xmile>"""
    doc, _ = parse(text.encode(), "shape.xmile")
    assert doc.variable_named("a").position == (100.0, 50.0)
    data = dumps(doc)
    assert b'<aux name="a" x="100" y="50" width="20" height="20">' in data
    assert parse(data, "again.xmile")[0] == doc


def test_reciprocal_dt_is_written_as_the_integer():
    doc = SystemMap(sim_specs=SimSpecs(dt=1 / 49, dt_reciprocal=True))
    assert b'<dt reciprocal="true">49</dt>' in dumps(doc)
    assert round_trip(doc).sim_specs == doc.sim_specs
    doc = SystemMap(sim_specs=SimSpecs(dt=0.3, dt_reciprocal=True))  # not an integer reciprocal
    assert round_trip(doc).sim_specs == doc.sim_specs


# -- round trips --------------------------------------------------------------------------------


def test_a_causal_loop_diagram_round_trips_equal():
    doc = cld()
    again = round_trip(doc)
    assert again == doc
    # spot checks, in case equality were too lax
    link = next(k for k in again.links.values() if k.note)
    assert (link.polarity.value, link.delay, link.curvature, link.tags) == ("+", True, 0.25, ("t", "u"))
    [r1, _] = again.loop_labels.values()
    assert r1.documentation == "The burnout spiral" and len(r1.loop) == 3
    assert again.variable_named("Workload").tags == ("core", "人")
    assert again.documentation == "Two lines\nof documentation ✓"
    assert [a.of for a in again.aliases.values()] == [again.variable_named("workload").id]


def test_a_stock_and_flow_model_round_trips_equal():
    doc = stock_and_flow()
    again = round_trip(doc)
    assert again == doc
    hares = again.variable_named("hares")
    assert hares.inflows == (again.variable_named("births").id,)
    assert hares.outflows == (again.variable_named("moving").id, again.variable_named("deaths").id)
    assert again.sim_specs.dt_reciprocal and again.sim_specs.dt == 0.25
    assert again.sim_specs.save_interval == 0.5
    assert again.submodels[0].variable_named("lynxes").inflows
    assert again.variable_named("births").points == ((100.0, 200.0), (277.5, 200.0))
    assert again.origin == "Stella"


def test_round_trips_through_files(tmp_path):
    for build in (cld, stock_and_flow):
        doc = build()
        save(doc, tmp_path / "m.xmile")
        assert load(tmp_path / "m.xmile") == doc


KEPT = f"""<?xml version="1.0" encoding="utf-8"?>
<xmile xmlns="{XMILE_NS}" xmlns:isee="{ISEE_NS}" xmlns:other="urn:other" version="1.0" other:root="r">
  <header>
    <options namespace="std, isee"><isee:option x="1"/></options>
    <vendor>Someone</vendor><product version="2">Tool</product>
    <isee:foo bar="header"><baz/></isee:foo>
    <uuid>1234</uuid>
  </header>
  <isee:prefs layer="model"><isee:window width="1"/></isee:prefs>
  <style><model font-family="Arial"/></style>
  <model>
    <variables>
      <aux name="a" isee:label="lab" other:attr="o"><eqn>1</eqn><isee:foo bar="1"><baz/></isee:foo></aux>
      <aux name="b"><eqn>a</eqn><other:thing>text</other:thing></aux>
    </variables>
    <views>
      <view isee:zoom="200" page_width="800">
        <aux name="a" x="10" y="10" color="blue" isee:label_side="top"><isee:foo bar="2"/></aux>
        <aux name="b" x="100" y="10"/>
        <connector uid="7" angle="0" color="#ff0000" unknown_attribute="u">
          <from>a</from><to>b</to><isee:bend/></connector>
        <isee:foo bar="view"><baz/></isee:foo>
        <stacked_container uid="9"/>
      </view>
      <view name="interface"><button uid="1"/></view>
    </views>
    <isee:foo bar="model"/>
  </model>
  <isee:foo bar="root"><baz/></isee:foo>
</xmile>
"""


def test_unknown_elements_and_attributes_are_written_back():
    doc, warnings = parse(KEPT.encode(), "kept.xmile")
    assert warnings == []
    data = dumps(doc)
    root = tree(data)
    foos = {e.get("bar"): e for e in root.iter(f"{{{ISEE_NS}}}foo")}
    assert set(foos) == {"header", "1", "2", "view", "model", "root"}
    for bar in ("header", "1", "view", "root"):
        assert foos[bar].find(f"{{{XMILE_NS}}}baz") is not None, bar
    assert etree.QName(foos["1"].getparent()).localname == "aux"
    assert foos["1"].getparent().getparent().tag == f"{{{XMILE_NS}}}variables"
    assert foos["2"].getparent().getparent().tag == f"{{{XMILE_NS}}}view"
    assert foos["root"].getparent() is root
    assert root.get("{urn:other}root") == "r"
    a = root.find(f"{{{XMILE_NS}}}model/{{{XMILE_NS}}}variables/{{{XMILE_NS}}}aux")
    assert a.get(f"{{{ISEE_NS}}}label") == "lab" and a.get("{urn:other}attr") == "o"
    connector = root.find(f".//{{{XMILE_NS}}}connector")
    assert connector.get("unknown_attribute") == "u" and connector.get("color") == "#ff0000"
    assert connector.find(f"{{{ISEE_NS}}}bend") is not None
    for needle in (b"<uuid>1234</uuid>", b'<model font-family="Arial"/>', b"<other:thing>text</other:thing>",
                   b'isee:zoom="200"', b'page_width="800"', b'<stacked_container uid="9"/>',
                   b'<button uid="1"/>',
                   b'<isee:option x="1"/>', b'isee:label_side="top"'):  # fmt: skip
        assert needle in data, needle


def test_kept_content_survives_a_second_round_trip_unchanged():
    doc, _ = parse(KEPT.encode(), "kept.xmile")
    first = dumps(doc)
    again, warnings = parse(first, "first.xmile")
    assert warnings == []
    assert again == doc
    assert dumps(again) == first


@pytest.mark.parametrize(
    "kept",
    [
        '<foo xmlns="urn:x"><bar a="1"/></foo>',  # a foreign default namespace
        '<isee:foo xmlns:isee="urn:not-isee"><isee:bar/></isee:foo>',  # a known prefix, another namespace
        '<a:foo xmlns:a="urn:a"><b:bar xmlns:b="urn:b" b:x="1"/><a:baz xmlns:a="urn:a2"/></a:foo>',
        '<isee:foo xmlns:isee="http://iseesystems.com/XMILE" xmlns:x="urn:unused"/>',
    ],
    ids=["default-namespace", "prefix-clash", "nested-declarations", "unused-declaration"],
)
def test_kept_foreign_namespaces_are_stable(kept):
    text = (
        f'<xmile xmlns="{XMILE_NS}"><model><variables><aux name="a">{kept}</aux></variables></model></xmile>'
    )
    doc, _ = parse(text.encode(), "ns.xmile")
    first = dumps(doc)
    again, _ = parse(first, "first.xmile")
    assert again == doc
    assert dumps(again) == first
    assert b"urn:unused" not in first


def test_moved_sized_stocks_round_trip_exactly():
    """Sized drawings store their top-left corner; the centre must come back bit for bit."""
    import random

    from sysmap.model import operations

    rng = random.Random(7)
    for _ in range(300):
        doc = SystemMap()
        stock = doc.add_variable("S", kind=Kind.STOCK, size=(rng.uniform(20, 200), rng.uniform(20, 200)))
        doc.apply(operations.move(doc, {stock.id: (rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3))}))
        assert parse(dumps(doc), "m.xmile")[0] == doc
