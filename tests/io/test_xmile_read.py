"""Reading XMILE: every feature the reader interprets, on small files written out in the tests."""

import math
import re

import pytest

from sysmap.io.xmile import dumps, parse
from sysmap.io.xmile.names import ISEE_NS, SYSMAP_NS, XMILE_NS
from sysmap.model import Direction, Kind, Polarity

OLD_NS = "http://www.systemdynamics.org/XMILE"


def xmile(
    variables: str = "",
    view: str = "",
    *,
    header: str = "<name>test</name>",
    top: str = "",
    after: str = "",
    ns: str = XMILE_NS,
    declare: str = f' xmlns:isee="{ISEE_NS}" xmlns:sysmap="{SYSMAP_NS}"',
) -> str:
    """A whole file: ``variables`` and ``view`` go into the first model, ``top`` before it,
    ``after`` (more models) after it."""
    return (
        f'<xmile xmlns="{ns}"{declare} version="1.0">\n'
        f"<header>{header}</header>\n{top}\n"
        f"<model>\n<variables>\n{variables}\n</variables>\n"
        f"<views>\n<view>\n{view}\n</view>\n</views>\n</model>\n{after}\n</xmile>\n"
    )


def read(text: str):
    """The document and the warnings of an XMILE text."""
    return parse(text.encode(), "model.xmile")


def var(doc, name: str):
    found = doc.variable_named(name)
    assert found is not None, f"no variable {name!r} in {[v.name for v in doc.variables.values()]}"
    return found


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_warnings_are_lines_naming_the_file():
    text = xmile('<aux name="a"><eqn>???</eqn></aux>')
    _, warnings = read(text)
    assert warnings
    assert all(re.match(r"model\.xmile:\d+: ", w) for w in warnings), warnings


# -- header -------------------------------------------------------------------------------------


def test_header_name_and_product_give_name_and_origin():
    header = "<name>Teacup</name><vendor>isee systems, inc.</vendor><product version='1.9'>Stella</product>"
    doc, _ = read(xmile(header=header))
    assert doc.name == "Teacup"
    assert doc.origin == "Stella"


def test_origin_of_a_vensim_export():
    header = "<vendor>Ventana Systems, xmutil</vendor><product lang='en'>Vensim, xmutil</product>"
    doc, _ = read(xmile(header=header))
    assert doc.origin == "Vensim, xmutil"


def test_origin_falls_back_to_the_vendor():
    doc, _ = read(xmile(header="<vendor>SDLabs</vendor>"))
    assert doc.origin == "SDLabs"


def test_our_own_origin_wins_over_the_product():
    header = "<vendor>sysmap</vendor><product>sysmap</product><sysmap:origin>Vensim, xmutil</sysmap:origin>"
    doc, _ = read(xmile(header=header))
    assert doc.origin == "Vensim, xmutil"


def test_a_file_sysmap_wrote_from_scratch_has_no_origin():
    doc, _ = read(xmile(header="<vendor>sysmap</vendor><product>sysmap</product>"))
    assert doc.origin == ""


# -- simulation specs ---------------------------------------------------------------------------


def test_sim_specs():
    specs = (
        '<sim_specs method="RK4" time_units="Months" isee:save_interval="0.5">'
        "<start>1.5</start><stop>30</stop><dt>0.125</dt></sim_specs>"
    )
    doc, warnings = read(xmile(top=specs))
    s = doc.sim_specs
    assert (s.start, s.stop, s.dt, s.save_interval) == (1.5, 30.0, 0.125, 0.5)
    assert s.method == "RK4"  # kept as written, not lower-cased
    assert s.time_units == "Months"
    assert not s.dt_reciprocal
    assert warnings == []


@pytest.mark.parametrize("method", ["Euler", "euler", "rk4", "Runge-Kutta 4", "GEAR"])
def test_method_names_are_kept_as_written(method):
    doc, _ = read(xmile(top=f'<sim_specs method="{method}"><start>0</start><stop>1</stop></sim_specs>'))
    assert doc.sim_specs.method == method


def test_reciprocal_dt():
    doc, _ = read(
        xmile(top='<sim_specs><start>0</start><stop>10</stop><dt reciprocal="true">4</dt></sim_specs>')
    )
    assert doc.sim_specs.dt == 0.25
    assert doc.sim_specs.dt_reciprocal


def test_reciprocal_dt_with_an_awkward_divisor_round_trips():
    doc, _ = read(
        xmile(top='<sim_specs><start>0</start><stop>10</stop><dt reciprocal="true">49</dt></sim_specs>')
    )
    assert doc.sim_specs.dt == 1 / 49
    assert b'<dt reciprocal="true">49</dt>' in dumps(doc)


def test_missing_sim_specs_give_the_defaults():
    doc, warnings = read(xmile())
    s = doc.sim_specs
    assert (s.start, s.stop, s.dt, s.method, s.save_interval) == (0.0, 100.0, 1.0, "euler", None)
    assert warnings == []


def test_missing_values_in_sim_specs_give_the_defaults():
    doc, warnings = read(xmile(top="<sim_specs><stop>50</stop></sim_specs>"))
    assert (doc.sim_specs.start, doc.sim_specs.stop, doc.sim_specs.dt) == (0.0, 50.0, 1.0)
    assert warnings == []


def test_a_value_that_is_not_a_number_warns_and_takes_the_default():
    text = xmile(top="<sim_specs>\n<start>soon</start><stop>50</stop><dt>0.5</dt></sim_specs>")
    doc, warnings = read(text)
    assert (doc.sim_specs.start, doc.sim_specs.stop, doc.sim_specs.dt) == (0.0, 50.0, 0.5)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"model.xmile:{line_of(text, '<sim_specs>')}: ")
    assert "start time" in warnings[0] and "soon" in warnings[0]


@pytest.mark.parametrize(
    "specs",
    [
        "<start>0</start><stop>10</stop><dt>0</dt>",
        "<start>0</start><stop>10</stop><dt>-1</dt>",
        "<start>10</start><stop>0</stop><dt>1</dt>",
    ],
)
def test_impossible_sim_specs_warn_and_fall_back(specs):
    doc, warnings = read(xmile(top=f"<sim_specs>{specs}</sim_specs>"))
    assert doc.sim_specs.problem() is None
    assert (doc.sim_specs.start, doc.sim_specs.stop, doc.sim_specs.dt) == (0.0, 100.0, 1.0)
    assert len(warnings) == 1 and "model.xmile:" in warnings[0]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "0x10", "1,5"])
def test_a_dt_that_is_not_a_finite_number_warns_and_takes_the_default(value):
    doc, warnings = read(xmile(top=f"<sim_specs><start>2</start><stop>10</stop><dt>{value}</dt></sim_specs>"))
    assert (doc.sim_specs.start, doc.sim_specs.stop, doc.sim_specs.dt) == (2.0, 10.0, 1.0)
    assert len(warnings) == 1 and "dt" in warnings[0]


def test_a_non_positive_save_interval_warns():
    doc, warnings = read(xmile(top='<sim_specs isee:save_interval="-1"><stop>5</stop></sim_specs>'))
    assert doc.sim_specs.save_interval is None
    assert any("save interval" in w for w in warnings)


# -- model-wide declarations --------------------------------------------------------------------


def test_model_units():
    units = (
        '<model_units><unit name="people"><alias>person</alias><alias>persons</alias></unit>'
        '<unit name="dozen"><eqn>12 * people</eqn></unit></model_units>'
    )
    doc, _ = read(xmile(top=units))
    assert [(u.name, u.equation, u.aliases) for u in doc.units] == [
        ("people", "", ("person", "persons")),
        ("dozen", "12 * people", ()),
    ]


def test_dimensions_with_named_elements_and_with_a_size():
    dims = (
        '<dimensions><dim name="City"><elem name="Boston"/><elem name="Chicago"/></dim>'
        '<dim name="Age" size="3"/></dimensions>'
    )
    doc, _ = read(xmile(top=dims))
    assert [(d.name, d.elements, d.size) for d in doc.dimensions] == [
        ("City", ("Boston", "Chicago"), None),
        ("Age", (), 3),
    ]


def test_behavior_at_the_top_level():
    doc, _ = read(xmile(top="<behavior><non_negative/></behavior>"))
    assert doc.behavior.non_negative_stocks is True
    assert doc.behavior.non_negative_flows is True


def test_behavior_per_stock_and_flow():
    doc, _ = read(
        xmile(
            top="<behavior><stock><non_negative/></stock><flow><non_negative>false</non_negative></flow></behavior>"
        )
    )
    assert doc.behavior.non_negative_stocks is True
    assert doc.behavior.non_negative_flows is False


def test_no_behavior_says_nothing():
    doc, _ = read(xmile())
    assert doc.behavior.non_negative_stocks is None
    assert doc.behavior.non_negative_flows is None


# -- variables ----------------------------------------------------------------------------------


def test_stock_with_inflows_outflows_and_non_negative():
    doc, warnings = read(
        xmile(
            """
            <stock name="Population"><eqn>100</eqn><inflow>births</inflow><inflow>immigration</inflow>
              <outflow>deaths</outflow><non_negative/><units>people</units></stock>
            <flow name="births"><eqn>population * 0.03</eqn><non_negative/></flow>
            <flow name="immigration"><eqn>5</eqn><non_negative>false</non_negative></flow>
            <flow name="deaths"><eqn>population / 70</eqn></flow>
            """
        )
    )
    assert warnings == []
    pop = var(doc, "Population")
    births, immigration, deaths = (var(doc, n) for n in ("births", "immigration", "deaths"))
    assert pop.kind == Kind.STOCK and pop.equation == "100" and pop.units == "people"
    assert pop.inflows == (births.id, immigration.id)
    assert pop.outflows == (deaths.id,)
    assert pop.non_negative is True
    assert births.kind == Kind.FLOW and births.non_negative is True
    assert immigration.non_negative is False
    assert deaths.non_negative is None
    assert doc.flow_ends(births.id) == (None, pop.id)
    assert doc.flow_ends(deaths.id) == (pop.id, None)


def test_aux_with_doc_and_units():
    doc, _ = read(xmile('<aux name="rate"><eqn>0.5</eqn><units>1/year</units><doc>How fast.</doc></aux>'))
    rate = var(doc, "rate")
    assert (rate.kind, rate.equation, rate.units, rate.documentation) == (
        Kind.AUX,
        "0.5",
        "1/year",
        "How fast.",
    )


def test_standalone_graphical_function():
    doc, _ = read(
        xmile(
            '<gf name="effect" type="extrapolate"><xscale min="0" max="2"/><yscale min="0" max="1"/>'
            "<ypts>0,0.5,1</ypts></gf>"
        )
    )
    effect = var(doc, "effect")
    assert effect.kind == Kind.AUX
    gf = effect.graph
    assert gf.y_points == (0.0, 0.5, 1.0)
    assert gf.x_scale == (0.0, 2.0) and gf.y_scale == (0.0, 1.0)
    assert gf.x_points is None
    assert gf.kind == "extrapolate"
    assert gf.xs() == (0.0, 1.0, 2.0)


def test_aux_with_an_embedded_graphical_function_and_separators():
    doc, warnings = read(
        xmile(
            '<aux name="lookup"><eqn>time</eqn><gf><xpts sep=";">0; 5;10</xpts>'
            '<ypts sep=";">1;2;\n4</ypts></gf></aux>'
        )
    )
    assert warnings == []
    gf = var(doc, "lookup").graph
    assert gf.x_points == (0.0, 5.0, 10.0)
    assert gf.y_points == (1.0, 2.0, 4.0)
    assert gf.kind == "continuous"
    assert var(doc, "lookup").equation == "time"


def test_graphical_function_with_bad_points_warns():
    text = xmile('<aux name="lookup"><gf>\n<xpts>0,1</xpts><ypts>1,2,3</ypts></gf></aux>')
    _, warnings = read(text)
    assert any("2 x points but 3 y points" in w for w in warnings)
    assert warnings[0].startswith(f"model.xmile:{line_of(text, '<gf>')}:")


def test_a_named_graphical_function_may_be_called_like_a_function():
    doc, warnings = read(
        xmile(
            '<gf name="table"><xscale min="0" max="1"/><ypts>0,1</ypts></gf>'
            '<aux name="lookup"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf></aux>'
            '<aux name="use"><eqn>table(0.5) + LOOKUP(0.2)</eqn></aux>'
        )
    )
    assert warnings == []


def test_module_with_connections_and_its_submodel():
    doc, warnings = read(
        xmile(
            '<module name="Hares"><connect to="area" from=".area"/>'
            '<connect to="lynxes" from="lynxes.lynxes"/></module><aux name="area"><eqn>1000</eqn></aux>',
            '<module name="hares" x="100" y="80"/>',
            after='<model name="Hares"><variables><aux name="area"/><stock name="hares"><eqn>5</eqn></stock>'
            "</variables></model>",
        )
    )
    assert warnings == []
    module = var(doc, "hares")
    assert module.kind == Kind.MODULE
    assert module.connections == (("area", ".area"), ("lynxes", "lynxes.lynxes"))
    assert module.position == (100.0, 80.0)
    [sub] = doc.submodels
    assert sub.name == "Hares"
    assert var(sub, "hares").kind == Kind.STOCK
    assert var(sub, "area").kind == Kind.AUX


def test_the_unnamed_model_is_the_main_one_wherever_it_is():
    text = (
        f'<xmile xmlns="{XMILE_NS}" version="1.0"><header/>'
        '<model name="sub"><variables><aux name="inner"/></variables></model>'
        '<model><variables><module name="sub"/></variables></model></xmile>'
    )
    doc, _ = read(text)
    assert var(doc, "sub").kind == Kind.MODULE
    assert [s.name for s in doc.submodels] == ["sub"]
    assert doc.submodels[0].variable_named("inner") is not None


def test_apply_to_all_array():
    doc, _ = read(
        xmile(
            '<aux name="price"><dimensions><dim name="City"/><dim name="Age"/></dimensions>'
            "<eqn>10</eqn></aux>",
            top='<dimensions><dim name="City" size="2"/><dim name="Age" size="3"/></dimensions>',
        )
    )
    price = var(doc, "price")
    assert price.dimensions == ("City", "Age")
    assert price.equation == "10"
    assert price.elements == ()


def test_array_defined_element_by_element():
    doc, _ = read(
        xmile(
            '<aux name="price"><dimensions><dim name="City"/></dimensions>'
            '<element subscript="Boston"><eqn>1</eqn></element>'
            '<element subscript="Chicago"><gf><xscale min="0" max="1"/><ypts>3,4</ypts></gf></element>'
            "</aux>",
            top='<dimensions><dim name="City"><elem name="Boston"/><elem name="Chicago"/></dim></dimensions>',
        )
    )
    price = var(doc, "price")
    assert price.dimensions == ("City",)
    assert [(e.subscript, e.equation) for e in price.elements] == [("Boston", "1"), ("Chicago", "")]
    assert price.elements[1].graph.y_points == (3.0, 4.0)


def test_groups_with_entities_and_documentation():
    doc, _ = read(
        xmile(
            '<aux name="a"/><aux name="b c"/><aux name="d"/>'
            '<group name="Sector"><doc>The first sector.</doc><entity name="a"/><entity name="B_C"/></group>',
            '<group name="sector" x="10" y="20" width="200" height="100"/>',
        )
    )
    [group] = doc.groups.values()
    assert group.name == "Sector"
    assert group.members == (var(doc, "a").id, var(doc, "b c").id)
    assert group.documentation == "The first sector."
    assert group.position == (110.0, 70.0)  # top-left (10, 20) + half of 200 x 100
    assert group.size == (200.0, 100.0)


def test_a_group_listing_an_unknown_variable_warns():
    text = xmile('<aux name="a"/><group name="S"><entity name="a"/>\n<entity name="ghost"/></group>')
    doc, warnings = read(text)
    assert [g.members for g in doc.groups.values()] == [(var(doc, "a").id,)]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"model.xmile:{line_of(text, 'ghost')}:")
    assert "'ghost'" in warnings[0]


# -- views --------------------------------------------------------------------------------------


def test_positions_without_a_size_are_centres():
    doc, _ = read(
        xmile(
            '<stock name="s"/><aux name="a"/>',
            '<stock name="s" x="100" y="50"/><aux name="a" x="-20.5" y="7"/>',
        )
    )
    assert var(doc, "s").position == (100.0, 50.0)
    assert var(doc, "s").size is None
    assert var(doc, "a").position == (-20.5, 7.0)


def test_a_size_makes_x_and_y_the_top_left_corner():
    doc, _ = read(xmile('<stock name="s"/>', '<stock name="s" x="100" y="50" width="40" height="30"/>'))
    assert var(doc, "s").position == (120.0, 65.0)
    assert var(doc, "s").size == (40.0, 30.0)


def test_with_a_shape_x_and_y_stay_the_centre():
    doc, _ = read(
        xmile(
            '<aux name="a"/>',
            '<aux name="a" x="100" y="50" width="20" height="20"><shape type="circle" radius="10"/></aux>',
        )
    )
    assert var(doc, "a").position == (100.0, 50.0)


def test_flow_pipe_points():
    doc, _ = read(
        xmile(
            '<flow name="f"/>',
            '<flow name="f" x="150" y="100"><pts><pt x="100" y="100"/><pt x="200" y="100"/></pts></flow>',
        )
    )
    f = var(doc, "f")
    assert f.position == (150.0, 100.0)
    assert f.points == ((100.0, 100.0), (200.0, 100.0))


def test_name_only_shape_makes_a_concept():
    doc, _ = read(
        xmile(
            '<aux name="Morale"/><aux name="Workload"/>',
            '<aux name="Morale" x="10" y="10"><shape type="name_only"/></aux>'
            '<aux name="Workload" x="90" y="10"/>',
        )
    )
    assert var(doc, "Morale").kind == Kind.CONCEPT
    assert var(doc, "Workload").kind == Kind.AUX


def test_name_only_shape_does_not_make_a_stock_a_concept():
    doc, _ = read(
        xmile('<stock name="s"/>', '<stock name="s" x="10" y="10"><shape type="name_only"/></stock>')
    )
    assert var(doc, "s").kind == Kind.STOCK


CONNECTED = '<aux name="a"/><aux name="b"/>'
PLACED = '<aux name="a" x="0" y="0"/><aux name="b" x="100" y="0"/>'


def connector(attrs: str = "", source: str = "a", target: str = "b") -> str:
    return f"<connector uid='9' {attrs}><from>{source}</from><to>{target}</to></connector>"


def only_link(doc):
    [link] = doc.links.values()
    return link


def test_a_straight_connector():
    doc, _ = read(xmile(CONNECTED, PLACED + connector('angle="0"')))
    link = only_link(doc)
    assert (link.source, link.target) == (var(doc, "a").id, var(doc, "b").id)
    assert link.curvature == 0.0
    assert link.polarity == Polarity.NONE
    assert not link.delay


@pytest.mark.parametrize("angle, sign", [(30, 1), (-30, -1), (330, -1), (15, 1)])
def test_connector_angle_gives_the_sign_of_the_curvature(angle, sign):
    # a connector leaving anticlockwise of the rightward chord (upwards on screen) bulges up:
    # to the left of travel, positive curvature
    doc, _ = read(xmile(CONNECTED, PLACED + connector(f'angle="{angle}"')))
    curvature = only_link(doc).curvature
    assert math.copysign(1, curvature) == sign
    deviation = (angle + 180) % 360 - 180
    assert curvature == pytest.approx(math.tan(math.radians(deviation) / 2) / 2, abs=1e-6)


def test_connector_angle_is_relative_to_the_chord():
    # b below a: the chord points at 270 degrees; leaving at 300 is 30 degrees anticlockwise of it
    doc, _ = read(
        xmile(
            CONNECTED, '<aux name="a" x="0" y="0"/><aux name="b" x="0" y="100"/>' + connector('angle="300"')
        )
    )
    assert only_link(doc).curvature == pytest.approx(math.tan(math.radians(15)) / 2, abs=1e-6)


@pytest.mark.parametrize(
    "attrs, polarity",
    [
        ('polarity="+"', Polarity.POSITIVE),
        ('polarity="-"', Polarity.NEGATIVE),
        ('polarity="?"', Polarity.UNKNOWN),
        ('sysmap:polarity="?"', Polarity.UNKNOWN),
        ("", Polarity.NONE),
    ],
)
def test_connector_polarity(attrs, polarity):
    doc, _ = read(xmile(CONNECTED, PLACED + connector(attrs)))
    assert only_link(doc).polarity == polarity


def test_connector_delay_mark():
    doc, _ = read(xmile(CONNECTED, PLACED + connector('delay_mark="true"')))
    assert only_link(doc).delay
    doc, _ = read(xmile(CONNECTED, PLACED + connector('delay_mark="false"')))
    assert not only_link(doc).delay


@pytest.mark.parametrize(
    "source, target",
    [
        ("A", "B"),
        ("a", " b "),
        ("Birth Rate", "b"),
        ("birth_rate", "b"),
        ("BIRTH\nRATE", "b"),
        ("birth\\nrate", "b"),
        ("birth   _ rate", "b"),
    ],
)
def test_connector_ends_are_found_under_identifier_equivalence(source, target):
    names = {"a", "b"} | ({"Birth Rate"} if "irth" in source.lower() else set())
    variables = "".join(f'<aux name="{n}"/>' for n in sorted(names))
    doc, warnings = read(xmile(variables, connector(source=source, target=target)))
    link = only_link(doc)
    expected = "Birth Rate" if "irth" in source.lower() else "a"
    assert link.source == var(doc, expected).id
    assert link.target == var(doc, "b").id
    assert not [w for w in warnings if "connector" in w]


def test_connector_from_an_alias():
    doc, _ = read(
        xmile(
            CONNECTED,
            PLACED
            + '<alias uid="4" x="50" y="200"><of>A</of></alias>'
            + '<connector uid="5" angle="0"><from><alias uid="4"/></from><to>b</to></connector>',
        )
    )
    [alias] = doc.aliases.values()
    assert alias.of == var(doc, "a").id
    assert alias.position == (50.0, 200.0)
    link = only_link(doc)
    assert link.alias == alias.id
    assert link.source == var(doc, "a").id
    # the angle is measured from the alias, not from the variable: the chord from (50, 200)
    # to (100, 0) is not horizontal, so a takeoff of 0 degrees is a curved connector
    assert link.curvature != 0.0


def test_an_alias_of_an_unknown_variable_is_kept_with_a_warning():
    text = xmile(CONNECTED, PLACED + '\n<alias uid="4" x="50" y="200"><of>nobody</of></alias>')
    doc, warnings = read(text)
    assert not doc.aliases
    assert any(c.startswith("<alias") and "nobody" in c for c in doc.extra("view").children)
    assert warnings == [
        f"model.xmile:{line_of(text, '<alias')}: an alias of unknown variable 'nobody' is kept as written"
    ]


def test_multi_point_connector():
    doc, _ = read(
        xmile(
            CONNECTED,
            PLACED
            + '<connector uid="1"><from>a</from><to>b</to>'
            + '<pts><pt x="0" y="50"/><pt x="100" y="50"/></pts></connector>',
        )
    )
    assert only_link(doc).points == ((0.0, 50.0), (100.0, 50.0))


def test_a_dangling_connector_is_kept_with_a_warning():
    text = xmile(CONNECTED, PLACED + "\n" + connector(source="Time"))
    doc, warnings = read(text)
    assert not doc.links
    assert [c for c in doc.extra("view").children if c.startswith("<connector")]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"model.xmile:{line_of(text, '<connector')}:")
    assert "'Time'" in warnings[0]


def test_text_boxes_become_notes():
    doc, _ = read(
        xmile(
            "",
            '<text_box uid="1" x="10" y="20" width="100" height="40">Remember the delays</text_box>'
            '<text_box uid="2" x="300" y="300">Second</text_box>',
        )
    )
    first, second = doc.notes.values()
    assert first.text == "Remember the delays"
    assert first.position == (60.0, 40.0)
    assert first.size == (100.0, 40.0)
    assert (second.text, second.position, second.size) == ("Second", (300.0, 300.0), None)


def test_sysmap_loop_labels_tags_and_link_notes():
    doc, warnings = read(
        xmile(
            '<aux name="a"><sysmap:tags><sysmap:tag>core</sysmap:tag>'
            "<sysmap:tag>health</sysmap:tag></sysmap:tags></aux>"
            '<aux name="b"/>',
            PLACED + '<connector uid="1" angle="0" polarity="+"><from>a</from><to>b</to>'
            "<sysmap:note>after a year</sysmap:note>"
            "<sysmap:tags><sysmap:tag>t1</sysmap:tag></sysmap:tags></connector>"
            + '<sysmap:loop_label uid="2" text="R1" x="50" y="40" direction="anticlockwise">'
            "<sysmap:member>a</sysmap:member><sysmap:member>B</sysmap:member>"
            "<sysmap:doc>Growth</sysmap:doc></sysmap:loop_label>",
        )
    )
    assert warnings == []
    a, b = var(doc, "a"), var(doc, "b")
    assert a.tags == ("core", "health")
    link = only_link(doc)
    assert link.note == "after a year"
    assert link.tags == ("t1",)
    [label] = doc.loop_labels.values()
    assert (label.text, label.position, label.direction) == ("R1", (50.0, 40.0), Direction.ANTICLOCKWISE)
    assert label.loop == (a.id, b.id)
    assert label.documentation == "Growth"


def test_a_loop_label_keeps_what_it_does_not_interpret():
    doc, _ = read(
        xmile(
            "",
            '<sysmap:loop_label uid="2" text="B1" x="5" y="5" isee:color="red">'
            "<isee:extra/></sysmap:loop_label>",
        )
    )
    [label] = doc.loop_labels.values()
    out = dumps(doc)
    assert b'isee:color="red"' in out and b"<isee:extra/>" in out
    assert parse(out, "again.xmile")[0] == doc


def test_variables_without_a_position_get_a_grid_below_the_drawing():
    names = [f"v{i}" for i in range(14)]
    doc, _ = read(
        xmile(
            "".join(f'<aux name="{n}"/>' for n in names) + '<aux name="placed"/>',
            '<aux name="placed" x="300" y="400"/>',
        )
    )
    assert var(doc, "placed").position == (300.0, 400.0)
    positions = [var(doc, n).position for n in names]
    assert len(set(positions)) == len(positions)
    for i, (x1, y1) in enumerate(positions):
        assert y1 > 400.0  # below what was drawn
        for x2, y2 in positions[i + 1 :]:
            assert abs(x1 - x2) >= 100 or abs(y1 - y2) >= 60


def test_a_file_without_views_lays_everything_out():
    text = (
        f'<xmile xmlns="{XMILE_NS}"><model><variables><aux name="a"/><aux name="b"/>'
        "</variables></model></xmile>"
    )
    doc, _ = read(text)
    assert var(doc, "a").position != var(doc, "b").position


# -- dialects -----------------------------------------------------------------------------------


def test_undeclared_isee_prefix_is_read_in_the_isee_namespace():
    text = xmile(
        '<aux name="a" isee:label=""><eqn>1</eqn></aux>',
        top='<isee:prefs show_module_prefix="true"/>'
        '<sim_specs isee:simulation_delay="0"><stop>5</stop></sim_specs>',
        declare="",
    )
    doc, warnings = read(text)
    assert var(doc, "a").equation == "1"
    assert doc.sim_specs.stop == 5.0
    assert (f"{{{ISEE_NS}}}simulation_delay", "0") in doc.sim_specs.extra.attributes
    assert (f"{{{ISEE_NS}}}label", "") in var(doc, "a").extra.attributes
    out = dumps(doc)
    assert f'xmlns:isee="{ISEE_NS}"'.encode() in out
    assert b"<isee:prefs" in out


def test_pre_oasis_namespace_and_smile_options():
    text = xmile(
        '<stock name="s"><eqn>1</eqn></stock>',
        '<stock name="s" x="10" y="20"/>',
        header='<smile version="1.0" namespace="std, isee"><uses_arrays maximum_dimensions="1"/>'
        "<isee:kept/></smile><name>old</name>",
        ns=OLD_NS,
    )
    doc, warnings = read(text)
    assert warnings == []
    assert doc.name == "old"
    assert var(doc, "s").kind == Kind.STOCK
    assert var(doc, "s").position == (10.0, 20.0)
    out = dumps(doc)
    assert f'xmlns="{XMILE_NS}"'.encode() in out
    assert OLD_NS.encode() not in out
    assert b"<options" in out and b"<isee:kept/>" in out and b"<smile" not in out


STELLA_10 = f"""<?xml version="1.0" encoding="utf-8" ?>
<xmile version="1.0" level="3" xmlns="{OLD_NS}" xmlns:isee="{ISEE_NS}">
    <header>
        <smile version="1.0" namespace="std, isee" />
        <name>teacup</name>
        <vendor>isee systems, inc.</vendor>
        <product version="10.0.6" lang="en">STELLA</product>
    </header>
    <sim_specs method="Euler" time_units="Time"><start>0</start><stop>30</stop><dt>0.125</dt></sim_specs>
    <model>
        <stock name="teacup_temperature">
            <eqn>180</eqn>
            <outflow>heat_loss_to_room</outflow>
            <display x="132" y="97" color="blue" />
        </stock>
        <flow name="heat_loss_to_room">
            <eqn>(teacup_temperature-room_temperature)/characteristic_time</eqn>
            <display x="243" y="92" color="blue">
                <pts><pt x="154" y="92" /><pt x="332" y="92" /></pts>
            </display>
        </flow>
        <aux name="characteristic_time"><eqn>10</eqn><display x="285" y="43" color="blue" /></aux>
        <aux name="room_temperature"><eqn>70</eqn><display x="283" y="139" color="blue" /></aux>
        <display page_width="0" page_height="0" isee:converter_size="medium" zoom="200">
            <connector x="277" y="132" uid="0" color="#FF007F">
                <from>room_temperature</from><to>heat_loss_to_room</to>
            </connector>
            <connector x="279" y="50" uid="1" color="#FF007F">
                <from>characteristic_time</from><to>heat_loss_to_room</to>
            </connector>
            <connector x="154" y="80" uid="2" color="#FF007F">
                <from>teacup_temperature</from><to>heat_loss_to_room</to>
            </connector>
        </display>
        <interface page_width="788" page_height="528"/>
    </model>
</xmile>
"""


def test_stella_10_legacy_file():
    doc, warnings = read(STELLA_10)
    assert warnings == []
    assert doc.name == "teacup" and doc.origin == "STELLA"
    assert doc.sim_specs.dt == 0.125 and doc.sim_specs.method == "Euler"
    cup, loss = var(doc, "teacup temperature"), var(doc, "heat loss to room")
    assert cup.kind == Kind.STOCK and cup.outflows == (loss.id,)
    assert cup.position == (132.0, 97.0)
    assert loss.points == ((154.0, 92.0), (332.0, 92.0))
    assert var(doc, "room temperature").position == (283.0, 139.0)
    assert {(doc.variables[k.source].name, doc.variables[k.target].name) for k in doc.links.values()} == {
        ("room_temperature", "heat_loss_to_room"),
        ("characteristic_time", "heat_loss_to_room"),
        ("teacup_temperature", "heat_loss_to_room"),
    }
    again, _ = parse(dumps(doc), "again.xmile")
    assert again == doc


def test_vensim_rates_written_as_aux_and_listed_as_inflows():
    doc, warnings = read(
        xmile(
            '<stock name="Stock"><eqn>0</eqn><inflow>Rate In</inflow><outflow>rate_out</outflow></stock>'
            '<aux name="Rate In"><eqn>1</eqn></aux><aux name="Rate Out"><eqn>stock / 2</eqn></aux>'
        )
    )
    assert warnings == []
    stock, rin, rout = var(doc, "stock"), var(doc, "rate in"), var(doc, "rate out")
    assert stock.inflows == (rin.id,) and stock.outflows == (rout.id,)
    assert doc.flow_ends(rin.id) == (None, stock.id)
    assert doc.flow_ends(rout.id) == (stock.id, None)
    assert parse(dumps(doc), "again.xmile")[0] == doc


def test_whitespace_and_newlines_in_names_and_equations():
    doc, warnings = read(
        xmile(
            '<aux name="Total&#10;Population"><eqn>\n   births_per\n  _year *\n 2   \n</eqn></aux>'
            '<aux name="births  per year"><eqn>1</eqn></aux>',
            '<aux name="total population" x="1" y="2"/><aux name="Births_per_year" x="3" y="4"/>'
            + connector(source="births\nper  year", target="total\\npopulation"),
        )
    )
    assert warnings == []
    total = var(doc, "total_population")
    assert total.name == "Total\nPopulation"
    assert total.equation == "births_per\n  _year *\n 2"
    assert total.position == (1.0, 2.0)
    assert var(doc, "births per year").position == (3.0, 4.0)
    assert only_link(doc).target == total.id


def test_question_marks_for_an_equation_warn_naming_variable_and_line():
    text = xmile('<aux name="a"><eqn>1</eqn></aux>\n<aux name="Rate A">\n<eqn>???</eqn></aux>')
    doc, warnings = read(text)
    assert var(doc, "rate a").equation == "???"
    assert len(warnings) == 1
    assert warnings[0].startswith(f"model.xmile:{line_of(text, 'Rate A')}: ")
    assert "'Rate A'" in warnings[0] and "???" in warnings[0]


def test_a_call_to_an_undefined_function_warns_naming_variable_line_and_function():
    text = xmile(
        '<aux name="a"><eqn>1</eqn></aux>\n\n<aux name="b"><eqn>FROBNICATE(a) + MAX(a, 1)</eqn></aux>'
    )
    _, warnings = read(text)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"model.xmile:{line_of(text, 'FROBNICATE')}: ")
    assert "'b'" in warnings[0] and "frobnicate" in warnings[0].lower()


def test_a_call_to_a_macro_of_the_file_does_not_warn():
    text = xmile(
        '<aux name="b"><eqn>double(2)</eqn></aux>',
        after='<macro name="double"><parm>x</parm><eqn>2 * x</eqn></macro>',
    )
    _, warnings = read(text)
    assert warnings == []


def test_a_second_drawing_of_a_variable_is_kept():
    doc, _ = read(xmile('<aux name="a"/>', '<aux name="a" x="1" y="1"/><aux name="A" x="500" y="500"/>'))
    assert var(doc, "a").position == (1.0, 1.0)
    assert any("500" in c for c in doc.extra("view").children)


def test_rich_documentation_is_kept_as_written():
    doc, _ = read(xmile('<aux name="a"><doc><p>Rich <b>text</b></p></doc></aux>'))
    assert var(doc, "a").documentation == ""
    assert b"<b>text</b>" in dumps(doc)
