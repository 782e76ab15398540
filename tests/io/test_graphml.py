"""GraphML: one file for yEd, Gephi, networkx and sysmap; files from each of them read back."""

import io
import math
import re
import string

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sysmap.errors import FileFormatError
from sysmap.io import graphml, load, load_with_warnings, save
from sysmap.model import Direction, Group, Kind, Polarity, SystemMap
from sysmap.model import operations as ops

G = "{http://graphml.graphdrawing.org/xmlns}"
Y = "{http://www.yworks.com/xml/graphml}"


def cld() -> SystemMap:
    """A causal loop diagram using every feature GraphML keeps."""
    doc = SystemMap(name="Burnout & “recovery”", documentation="Two lines\nof documentation ✓")
    work = doc.add_variable(
        "Workload", position=(100.5, 200.25), tags=("core", "semi;colon", 'quote"'), documentation="hours"
    )
    stress = doc.add_variable("Stress\\nlevel", kind=Kind.AUX, position=(300.125, 180.0), units="1/week")
    prod = doc.add_variable("Produktivität 人", position=(-40.0, 420.75), size=(90.0, 45.5))
    rest = doc.add_variable("rest_time", position=(250.0, 400.0))
    k1 = doc.add_link(
        work.id, stress.id, polarity="+", delay=True, curvature=0.25, note="slowly", tags=("t",)
    )
    doc.add_link(stress.id, prod.id, polarity="-", curvature=-0.1)
    doc.add_link(prod.id, work.id, polarity="?")
    doc.add_link(prod.id, work.id)  # a parallel, unmarked link
    doc.add_link(rest.id, rest.id, polarity="+")  # a self-loop
    doc.add_link(rest.id, stress.id, polarity="-", points=((260.0, 300.0), (280.0, 250.0)))
    label = ops.add_loop_label(
        doc,
        "B1",
        (150.0, 300.0),
        direction=Direction.ANTICLOCKWISE,
        loop=(work.id, stress.id, prod.id),
        documentation="balancing",
    )
    doc.apply(label)
    doc.apply(ops.add_loop_label(doc, "R1", (10.0, 20.0)))
    note = ops.add_note(doc, "Read me", (5.0, 6.0), size=(80.0, 30.0))
    doc.apply(note)
    inner = ops.add_group(doc, "Inner", [work.id, k1.id, note.element.id])
    doc.apply(inner)
    doc.apply(
        ops.add_group(
            doc, "Outer", [inner.element.id, label.element.id], position=(1.0, 2.0), size=(300.0, 200.0)
        )
    )
    return doc


def stock_and_flow() -> SystemMap:
    doc = SystemMap(name="Bathtub")
    tub = doc.add_variable("Water", kind=Kind.STOCK, equation="50", position=(300.0, 200.0))
    drain = doc.add_variable("Draining", kind=Kind.FLOW, equation="Water / 5", position=(450.0, 200.0))
    fill = doc.add_variable("Filling", kind=Kind.FLOW, equation="3", position=(150.0, 200.0))
    doc.attach_flow(drain.id, source=tub.id, sink=None)
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    doc.add_link(tub.id, drain.id, polarity="+")
    return doc


def by_name(doc: SystemMap, name: str):
    var = doc.variable_named(name)
    assert var is not None, f"no variable {name!r} in {[v.name for v in doc.variables.values()]}"
    return var


def polarities(doc: SystemMap) -> list[tuple[str, str, str]]:
    variables = doc.variables
    return [
        (variables[k.source].name, variables[k.target].name, k.polarity.value) for k in doc.links.values()
    ]


def tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)


# -- sysmap to sysmap ---------------------------------------------------------------------------


def test_a_causal_loop_diagram_round_trips_exactly(tmp_path):
    doc = cld()
    path = tmp_path / "map.graphml"
    assert graphml.write(doc, path) == []
    loaded, warnings = graphml.read_with_warnings(path)
    assert warnings == []
    assert loaded == doc
    assert graphml.read(path) == doc


def test_saving_twice_gives_identical_bytes(tmp_path):
    save(cld(), tmp_path / "a.graphml")
    save(cld(), tmp_path / "b.graphml")
    save(load(tmp_path / "a.graphml"), tmp_path / "c.graphml")
    a = (tmp_path / "a.graphml").read_bytes()
    assert a == (tmp_path / "b.graphml").read_bytes() == (tmp_path / "c.graphml").read_bytes()
    assert graphml.dumps(cld()) == a


def test_load_and_save_choose_graphml_by_suffix(tmp_path):
    path = tmp_path / "Map.GraphML"
    assert save(cld(), path) == []
    assert tree(path.read_bytes()).tag == G + "graphml"
    assert load(path) == cld()
    doc, warnings = load_with_warnings(path)
    assert doc == cld() and warnings == []


def test_an_empty_map_round_trips():
    assert graphml.loads(graphml.dumps(SystemMap())) == SystemMap()


def test_variables_sysmap_left_on_one_spot_stay_there():
    doc = SystemMap()
    for name in "abc":
        doc.add_variable(name)  # all at (0, 0)
    loaded, warnings = graphml.loads_with_warnings(graphml.dumps(doc))
    assert loaded == doc and warnings == []


def test_curvature_and_positions_keep_every_digit():
    doc = SystemMap()
    a = doc.add_variable("a", position=(0.1, 1 / 3))
    b = doc.add_variable("b", position=(1e6 + 0.123456789, -2.0 / 7))
    doc.add_link(a.id, b.id, curvature=1 / 3)
    assert graphml.loads(graphml.dumps(doc)) == doc


# -- what the file says to networkx, yEd and Gephi ------------------------------------------------


def test_networkx_reads_labels_centres_weights_and_our_keys():
    doc = cld()
    graph = nx.read_graphml(io.BytesIO(graphml.dumps(doc)))
    for var in doc.variables.values():
        data = graph.nodes[var.id]
        assert (data["label"], data["x"], data["y"]) == (var.label, *var.position)
        assert data["sysmap_name"] == var.name
        assert data["sysmap_kind"] == var.kind.value
    weights = {"+": 1.0, "-": -1.0, "?": 0.0, "": 0.0}
    for link in doc.links.values():
        data = graph.edges[link.source, link.target, link.id]
        assert data["weight"] == weights[link.polarity.value]
        assert data["sysmap_polarity"] == link.polarity.value
        assert data["sysmap_delay"] is link.delay
        assert data["sysmap_curvature"] == link.curvature
    assert graph.graph["sysmap_map_name"] == doc.name


def test_no_key_uses_a_networkx_default_id():
    root = tree(graphml.dumps(cld()))
    ids = [key.get("id") for key in root.iter(G + "key")]
    assert ids and len(ids) == len(set(ids))
    assert not [i for i in ids if re.fullmatch(r"d\d+", i)]


def test_the_file_is_well_formed_graphml_with_every_data_key_declared():
    root = tree(graphml.dumps(stock_and_flow()))
    children = [etree.QName(c).localname for c in root]
    assert children == ["key"] * (len(children) - 1) + ["graph"]
    domains = {k.get("id"): k.get("for") for k in root.iter(G + "key")}
    (graph,) = root.iter(G + "graph")
    assert graph.get("edgedefault") == "directed"
    for element in graph.iter(G + "graph", G + "node", G + "edge"):
        for data in element.findall(G + "data"):
            assert domains[data.get("key")] == etree.QName(element).localname
    for edge in graph.iter(G + "edge"):
        assert {edge.get("source"), edge.get("target")} <= {n.get("id") for n in graph.iter(G + "node")}


def test_yed_geometry_is_the_top_left_corner_and_comes_before_x_and_y():
    doc = cld()
    root = tree(graphml.dumps(doc))
    for node in root.iter(G + "node"):
        var = doc.variables[node.get("id")]
        keys = [d.get("key") for d in node.findall(G + "data")]
        assert keys.index("node_graphics") < keys.index("x") < keys.index("y")
        geometry = node.find(f"{G}data/{Y}ShapeNode/{Y}Geometry")
        x, y, w, h = (float(geometry.get(k)) for k in ("x", "y", "width", "height"))
        assert x + w / 2 == pytest.approx(var.position[0], abs=0.01)
        assert y + h / 2 == pytest.approx(var.position[1], abs=0.01)
        assert node.find(f"{G}data/{Y}ShapeNode/{Y}NodeLabel").text == var.label
        assert node.find(f"{G}data/{Y}ShapeNode/{Y}Shape").get("type")


def test_yed_edges_carry_arrows_and_coloured_polarity_labels():
    doc = cld()
    root = tree(graphml.dumps(doc))
    colours = {}
    for edge in root.iter(G + "edge"):
        link = doc.links[edge.get("id")]
        line = edge.find(f"{G}data/{Y}PolyLineEdge")
        assert line.find(Y + "Arrows").attrib == {"source": "none", "target": "standard"}
        labels = [label.text for label in line.iter(Y + "EdgeLabel")]
        expected = [link.polarity.value] if link.polarity != Polarity.NONE else []
        assert labels == expected + (["||"] if link.delay else [])
        colours[link.polarity] = line.find(Y + "LineStyle").get("color")
    assert len(set(colours.values())) == 4  # +, -, ? and unmarked look different


def test_a_yed_round_trip_with_moved_nodes_and_edited_labels_keeps_the_edits():
    doc = cld()
    root = tree(graphml.dumps(doc))
    work = by_name(doc, "workload")
    node = next(n for n in root.iter(G + "node") if n.get("id") == work.id)
    geometry = node.find(f"{G}data/{Y}ShapeNode/{Y}Geometry")
    geometry.set("x", str(float(geometry.get("x")) + 50))  # moved in yEd
    node.find(f"{G}data/{Y}ShapeNode/{Y}NodeLabel").text = "Work  load"  # renamed in yEd
    edge = next(e for e in root.iter(G + "edge") if e.find(f"{G}data[@key='sysmap_polarity']").text == "-")
    next(edge.iter(Y + "EdgeLabel")).text = "+"  # sign flipped in yEd
    loaded = graphml.loads(etree.tostring(root))
    moved = loaded.variables[work.id]
    assert moved.name == "Work load"
    assert moved.position == (work.position[0] + 50, work.position[1])
    assert loaded.links[edge.get("id")].polarity == Polarity.POSITIVE
    untouched = by_name(doc, "stress level")
    assert loaded.variables[untouched.id] == untouched


# -- stock-and-flow models ----------------------------------------------------------------------


def test_writing_a_stock_and_flow_model_warns_what_is_lost(tmp_path):
    warnings = graphml.write(stock_and_flow(), tmp_path / "tub.graphml")
    assert len(warnings) == 1
    assert "equations" in warnings[0] and "stocks" in warnings[0] and "simulate" in warnings[0]
    assert save(stock_and_flow(), tmp_path / "tub2.graphml") == warnings


def test_equations_alone_also_warn():
    doc = SystemMap()
    doc.add_variable("price", equation="10")
    data, warnings = graphml._serialize(doc)
    assert warnings and "equations" in warnings[0]
    assert graphml.loads(data).variables == doc.variables


def test_flows_are_edges_to_their_stocks_but_are_not_reattached(tmp_path):
    doc = stock_and_flow()
    graph = nx.read_graphml(io.BytesIO(graphml.dumps(doc)))
    roles = sorted(
        (graph.nodes[u]["label"], graph.nodes[v]["label"], d["sysmap_role"], d["weight"])
        for u, v, d in graph.edges(data=True)
    )
    assert roles == [
        ("Draining", "Water", "outflow", -1.0),
        ("Filling", "Water", "inflow", 1.0),
        ("Water", "Draining", "link", 1.0),
    ]
    path = tmp_path / "tub.graphml"
    graphml.write(doc, path)
    loaded, warnings = graphml.read_with_warnings(path)
    assert {v.name: (v.kind, v.equation) for v in loaded.variables.values()} == {
        v.name: (v.kind, v.equation) for v in doc.variables.values()
    }
    assert polarities(loaded) == [("Water", "Draining", "+")]
    assert loaded.flow_ends(by_name(loaded, "draining").id) == (None, None)
    assert any("skipped 2 flow-to-stock edges" in w for w in warnings)


def test_other_model_parts_are_named_when_lost():
    doc = stock_and_flow()
    doc.apply(ops.set_sim_specs(doc, stop=20.0))
    from sysmap.model.edits import Insert
    from sysmap.model.elements import Alias

    doc.apply(Insert(Alias("a1", by_name(doc, "water").id, (0.0, 0.0))))
    warnings = graphml._serialize(doc)[1]
    assert "1 alias" in warnings[1]


def test_text_xml_cannot_hold_is_dropped_with_a_warning():
    doc = SystemMap(documentation="bell\x07 and \x00 nul")
    doc.add_variable("a", documentation="tab\tok")
    data, warnings = graphml._serialize(doc)
    assert any("control characters" in w for w in warnings)
    loaded = graphml.loads(data)
    assert loaded.documentation == "bell and  nul"
    assert loaded.variable_named("a").documentation == "tab\tok"


# -- files from other programs ------------------------------------------------------------------


def assert_spread_out(doc: SystemMap, min_distance: float = 30.0) -> None:
    points = [v.position for v in doc.variables.values()]
    assert all(math.isfinite(c) for p in points for c in p)
    for i, p in enumerate(points):
        for q in points[i + 1 :]:
            assert math.dist(p, q) >= min_distance, points


def networkx_file(graph: nx.Graph) -> bytes:
    out = io.BytesIO()
    nx.write_graphml(graph, out)
    return out.getvalue()


def signed_graph(attribute: str, plus, minus, cls=nx.DiGraph) -> nx.Graph:
    graph = cls(name="Epidemic")
    for node in ("infected", "contacts", "recovered", "immune"):
        graph.add_node(node, label=node.title())
    graph.add_edge("infected", "contacts", **{attribute: plus})
    graph.add_edge("contacts", "infected", **{attribute: plus})
    graph.add_edge("infected", "recovered", **{attribute: plus})
    graph.add_edge("recovered", "immune", **{attribute: plus})
    graph.add_edge("immune", "infected", **{attribute: minus})
    return graph


EXPECTED_SIGNS = [
    ("Infected", "Contacts", "+"),
    ("Contacts", "Infected", "+"),
    ("Infected", "Recovered", "+"),
    ("Recovered", "Immune", "+"),
    ("Immune", "Infected", "-"),
]


@pytest.mark.parametrize(
    ("attribute", "plus", "minus", "cls"),
    [
        ("sign", "+", "-", nx.DiGraph),
        ("sign", 1, -1, nx.DiGraph),
        ("polarity", "positive", "negative", nx.DiGraph),
        ("weight", 1.0, -1.0, nx.MultiDiGraph),
        ("weight", 2, -0.5, nx.DiGraph),
    ],
)
def test_a_networkx_graph_loads_with_polarities_and_a_layout(attribute, plus, minus, cls):
    data = networkx_file(signed_graph(attribute, plus, minus, cls))
    assert b'key="d' in data  # networkx's own key ids, which we must not rely on
    doc, warnings = graphml.loads_with_warnings(data, "nx.graphml")
    assert sorted(polarities(doc)) == sorted(EXPECTED_SIGNS)
    assert doc.name == "Epidemic"
    assert_spread_out(doc, min_distance=50)
    assert warnings == []


def test_a_networkx_layout_is_deterministic_and_centred():
    data = networkx_file(signed_graph("sign", "+", "-"))
    first, second = graphml.loads(data), graphml.loads(data)
    assert first == second
    xs = [v.position[0] for v in first.variables.values()]
    ys = [v.position[1] for v in first.variables.values()]
    assert 300 < sum(xs) / len(xs) < 700 and 200 < sum(ys) / len(ys) < 600


def test_a_map_passed_through_networkx_comes_back_whole():
    graph = nx.read_graphml(io.BytesIO(graphml.dumps(cld())))
    doc, warnings = graphml.loads_with_warnings(networkx_file(graph))
    assert doc == cld()
    assert warnings == []


def test_networkx_names_and_positions_are_used():
    graph = nx.DiGraph()
    graph.add_node(0, name="Births", x=10.0, y=20.0)
    graph.add_node(1, name="Population", x=210.0, y=20.0)
    graph.add_edge(0, 1)
    doc = graphml.loads(networkx_file(graph))
    assert [(v.name, v.position) for v in doc.variables.values()] == [
        ("Births", (10.0, 20.0)),
        ("Population", (210.0, 20.0)),
    ]
    assert polarities(doc) == [("Births", "Population", "")]


YED = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml"
    xmlns:yed="http://www.yworks.com/xml/yed/3">
  <key for="node" id="d5" attr.name="description" attr.type="string"/>
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <key for="edge" id="d10" yfiles.type="edgegraphics"/>
  <graph edgedefault="directed" id="G">
    <node id="n0">
      <data key="d5">Hours worked per week</data>
      <data key="d6">
        <y:ShapeNode>
          <y:Geometry height="30.0" width="100.0" x="50.0" y="85.0"/>
          <y:Fill color="#FFCC00" transparent="false"/>
          <y:NodeLabel alignment="center" autoSizePolicy="content">Workload<y:LabelModel>
            <y:SmartNodeLabelModel distance="4.0"/></y:LabelModel></y:NodeLabel>
          <y:Shape type="rectangle"/>
        </y:ShapeNode>
      </data>
    </node>
    <node id="n1">
      <data key="d6">
        <y:GenericNode configuration="com.yworks.flowchart.process">
          <y:Geometry height="40.0" width="60.0" x="270.0" y="80.0"/>
          <y:NodeLabel>Quality</y:NodeLabel>
        </y:GenericNode>
      </data>
    </node>
    <node id="n2">
      <data key="d6">
        <y:SVGNode>
          <y:Geometry height="50.0" width="50.0" x="175.0" y="275.0"/>
          <y:NodeLabel>Rework</y:NodeLabel>
        </y:SVGNode>
      </data>
    </node>
    <edge id="e0" source="n0" target="n1">
      <data key="d10">
        <y:PolyLineEdge>
          <y:Path sx="0.0" sy="0.0" tx="0.0" ty="0.0"/>
          <y:LineStyle color="#000000" type="line" width="1.0"/>
          <y:Arrows source="none" target="standard"/>
          <y:EdgeLabel alignment="center" distance="2.0">&#8722;</y:EdgeLabel>
        </y:PolyLineEdge>
      </data>
    </edge>
    <edge id="e1" source="n1" target="n2">
      <data key="d10">
        <y:PolyLineEdge>
          <y:Path sx="0.0" sy="0.0" tx="0.0" ty="0.0"><y:Point x="300.0" y="300.0"/></y:Path>
          <y:EdgeLabel>-</y:EdgeLabel>
          <y:EdgeLabel>||</y:EdgeLabel>
        </y:PolyLineEdge>
      </data>
    </edge>
    <edge id="e2" source="n2" target="n0">
      <data key="d10">
        <y:QuadCurveEdge straightness="0.1"><y:EdgeLabel>+ </y:EdgeLabel></y:QuadCurveEdge>
      </data>
    </edge>
    <edge id="e3" source="n2" target="n0">
      <data key="d10"><y:PolyLineEdge><y:EdgeLabel>causes</y:EdgeLabel></y:PolyLineEdge></data>
    </edge>
  </graph>
  <data key="d7"><y:Resources/></data>
</graphml>
"""


def test_a_yed_file_loads_with_centres_names_and_polarities():
    doc, warnings = graphml.loads_with_warnings(YED, "yed.graphml")
    assert [(v.id, v.name, v.position) for v in doc.variables.values()] == [
        ("n0", "Workload", (100.0, 100.0)),
        ("n1", "Quality", (300.0, 100.0)),
        ("n2", "Rework", (200.0, 300.0)),
    ]
    assert by_name(doc, "workload").documentation == "Hours worked per week"
    assert polarities(doc) == [
        ("Workload", "Quality", "-"),
        ("Quality", "Rework", "-"),
        ("Rework", "Workload", "+"),
        ("Rework", "Workload", ""),
    ]
    links = list(doc.links.values())
    assert [k.delay for k in links] == [False, True, False, False]
    assert links[3].note == "causes"
    assert links[1].curvature == pytest.approx(0.4)  # the single bend point bends the link
    assert links[0].curvature == 0
    assert warnings == []


def test_a_yed_bend_gives_the_curvature_sysmap_would_draw_through_it():
    doc = SystemMap()
    a = doc.add_variable("a", position=(0.0, 0.0))
    b = doc.add_variable("b", position=(200.0, 0.0))
    doc.add_link(a.id, b.id, curvature=0.2)
    root = tree(graphml.dumps(doc))
    for data in root.iter(G + "data"):
        if data.get("key") == "sysmap_curvature":
            data.getparent().remove(data)  # as a yEd file without our keys would be
    (link,) = graphml.loads(etree.tostring(root)).links.values()
    assert link.curvature == pytest.approx(0.2)


YED_GROUPS = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <graph id="G" edgedefault="directed">
    <node id="n0" yfiles.foldertype="group">
      <data key="d6"><y:ProxyAutoBoundsNode><y:Realizers active="0"><y:GroupNode>
        <y:Geometry height="200.0" width="300.0" x="0.0" y="0.0"/>
        <y:NodeLabel>Economy</y:NodeLabel></y:GroupNode></y:Realizers></y:ProxyAutoBoundsNode></data>
      <graph id="n0:" edgedefault="directed">
        <node id="n0::n0"><data key="d6"><y:ShapeNode><y:Geometry height="30" width="30" x="10" y="10"/>
          <y:NodeLabel>Jobs</y:NodeLabel></y:ShapeNode></data></node>
        <node id="n0::n1"><data key="d6"><y:ShapeNode><y:Geometry height="30" width="30" x="110" y="10"/>
          <y:NodeLabel>Income</y:NodeLabel></y:ShapeNode></data></node>
      </graph>
    </node>
    <node id="n1"><data key="d6"><y:ShapeNode><y:Geometry height="30" width="30" x="400" y="10"/>
      <y:NodeLabel>Spending</y:NodeLabel></y:ShapeNode></data></node>
    <edge id="e0" source="n0::n0" target="n0::n1"/>
    <edge id="e1" source="n0::n1" target="n1"/>
    <edge id="e2" source="n0" target="n1"/>
    <hyperedge><endpoint node="n0::n0"/><endpoint node="n1"/></hyperedge>
  </graph>
</graphml>
"""


def test_yed_groups_are_flattened_into_a_group_with_warnings():
    doc, warnings = graphml.loads_with_warnings(YED_GROUPS, "groups.graphml")
    assert [v.name for v in doc.variables.values()] == ["Jobs", "Income", "Spending"]
    assert polarities(doc) == [("Jobs", "Income", ""), ("Income", "Spending", "")]
    (group,) = doc.groups.values()
    assert isinstance(group, Group)
    assert group.name == "Economy"
    assert group.members == (by_name(doc, "jobs").id, by_name(doc, "income").id)
    text = "\n".join(warnings)
    assert "flattened 1 nested graph" in text
    assert "skipped 1 hyperedge" in text
    assert "skipped 1 edge to or from yEd groups" in text
    assert all(w.startswith("groups.graphml") for w in warnings)


GEPHI = b"""<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="label" attr.type="string" for="node" id="d3"/>
  <key attr.name="Modularity Class" attr.type="int" for="node" id="modularity_class"/>
  <key attr.name="x" attr.type="float" for="node" id="d0"/>
  <key attr.name="y" attr.type="float" for="node" id="d1"/>
  <key attr.name="size" attr.type="float" for="node" id="size"/>
  <key attr.name="r" attr.type="int" for="node" id="d4"/>
  <key attr.name="g" attr.type="int" for="node" id="d5"/>
  <key attr.name="b" attr.type="int" for="node" id="d6"/>
  <key attr.name="Weight" attr.type="double" for="edge" id="d9"/>
  <key attr.name="label" attr.type="string" for="edge" id="d7"/>
  <graph edgedefault="directed">
    <node id="0">
      <data key="d3">Prices</data><data key="modularity_class">0</data>
      <data key="d0">-120.5</data><data key="d1">33.25</data><data key="size">10.0</data>
      <data key="d4">153</data><data key="d5">0</data><data key="d6">255</data>
    </node>
    <node id="1"><data key="d3">Demand</data><data key="d0">80.0</data><data key="d1">-60.0</data></node>
    <node id="2"><data key="d3">Supply</data><data key="d0">10.0</data><data key="d1">150.0</data></node>
    <edge id="0" source="0" target="1"><data key="d9">-1.0</data><data key="d7">price effect</data></edge>
    <edge id="1" source="1" target="0"><data key="d9">1.0</data></edge>
    <edge id="2" source="0" target="2"><data key="d9">2.0</data></edge>
    <edge id="3" source="2" target="0"><data key="d9">-0.5</data></edge>
  </graph>
</graphml>
"""


def test_a_gephi_file_loads_labels_positions_and_signed_weights():
    doc, warnings = graphml.loads_with_warnings(GEPHI, "gephi.graphml")
    assert [(v.name, v.position) for v in doc.variables.values()] == [
        ("Prices", (-120.5, 33.25)),
        ("Demand", (80.0, -60.0)),
        ("Supply", (10.0, 150.0)),
    ]
    assert [p for _, _, p in polarities(doc)] == ["-", "+", "+", "-"]
    assert next(iter(doc.links.values())).note == "price effect"
    # Node and edge ids "0".."3" clash across kinds; element ids must not.
    ids = [e.id for e in doc.elements()]
    assert len(ids) == len(set(ids))
    assert warnings == []


def test_gephi_weights_that_are_all_positive_are_strengths_not_signs():
    data = GEPHI.replace(b">-1.0<", b">1.0<").replace(b">-0.5<", b">0.5<")
    doc, warnings = graphml.loads_with_warnings(data, "g.graphml")
    assert [p for _, _, p in polarities(doc)] == ["", "", "", ""]
    assert any("weights of 4 edges as strengths" in w for w in warnings)


def test_nodes_all_at_the_origin_are_laid_out():
    nodes = "".join(f'<node id="n{i}"><data key="x">0</data><data key="y">0</data></node>' for i in range(6))
    data = (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="x" for="node" attr.name="x"/><key id="y" for="node" attr.name="y"/>'
        f'<graph edgedefault="directed">{nodes}<edge source="n0" target="n1"/></graph></graphml>'
    ).encode()
    doc, warnings = graphml.loads_with_warnings(data, "zeros.graphml")
    assert_spread_out(doc, min_distance=50)
    assert any("shared a position" in w for w in warnings)


def test_many_unplaced_nodes_get_a_grid_without_overlaps():
    nodes = "".join(f'<node id="n{i}"/>' for i in range(600))
    doc = graphml.loads(f"<graphml><graph>{nodes}</graph></graphml>".encode())
    spots = {v.position for v in doc.variables.values()}
    assert len(spots) == 600


def test_new_positions_keep_clear_of_placed_nodes_and_each_other():
    placed = {"p": (0.0, 0.0)}
    moved = graphml._separate({"a": (0.0, 0.0), "b": (1.0, 1.0), "c": (500.0, 0.0)}, placed)
    assert moved["c"] == (500.0, 0.0)
    points = [*placed.values(), *moved.values()]
    assert min(math.dist(p, q) for i, p in enumerate(points) for q in points[i + 1 :]) >= 75


@pytest.mark.parametrize("value", ["abc", "NaN", "inf", "-Infinity", "1e400", "1e300", "", " "])
def test_bad_coordinates_are_warned_about_and_replaced(value):
    data = (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">'
        '<key id="x" for="node" attr.name="x"/><key id="y" for="node" attr.name="y"/>'
        '<key id="gfx" for="node" yfiles.type="nodegraphics"/><graph>'
        '<node id="a"><data key="x">10</data><data key="y">20</data></node>\n'
        f'<node id="b"><data key="x">{value}</data><data key="y">5</data></node>\n'
        f'<node id="c"><data key="gfx"><y:ShapeNode><y:Geometry x="{value}" y="1" width="2" height="2"/>'
        "</y:ShapeNode></data></node>"
        "</graph></graphml>"
    ).encode()
    doc, warnings = graphml.loads_with_warnings(data, "coords.graphml")
    a, b, c = doc.variables.values()
    assert a.position == (10.0, 20.0)
    assert_spread_out(doc)
    assert all(abs(v) < 1e6 for var in (b, c) for v in var.position)
    if value.strip():
        assert any(w.startswith("coords.graphml:2: ") and "node 'b'" in w for w in warnings)
        assert any(w.startswith("coords.graphml:3: ") and "yEd x" in w for w in warnings)


def test_duplicate_names_are_suffixed_with_a_warning():
    data = (
        b'<graphml><key id="n" for="node" attr.name="label"/><graph>'
        b'<node id="a"><data key="n">Growth</data></node>'
        b'<node id="b"><data key="n">growth</data></node>'
        b'<node id="c"><data key="n">GROWTH</data></node>'
        b'<node id="d"><data key="n">  </data></node>'
        b"</graph></graphml>"
    )
    doc, warnings = graphml.loads_with_warnings(data, "dup.graphml")
    assert [v.name for v in doc.variables.values()] == ["Growth", "growth (2)", "GROWTH (3)", "d"]
    assert sum("renamed" in w for w in warnings) == 2


def test_a_sysmap_name_clash_in_a_hand_edited_file_is_resolved():
    doc = SystemMap()
    doc.add_variable("a", position=(0.0, 0.0))
    doc.add_variable("b", position=(100.0, 0.0))
    data = graphml.dumps(doc).replace(b">b<", b">A<")
    loaded, warnings = graphml.loads_with_warnings(data)
    assert [v.name for v in loaded.variables.values()] == ["a", "A (2)"]
    assert any("renamed 'A' to 'A (2)'" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("+", "+"),
        (" - ", "-"),
        ("\u2212", "-"),
        ("–", "-"),
        ("+/-", "?"),
        ("±", "?"),
        ("?", "?"),
        ("S", "+"),
        ("o", "-"),
        ("Positive", "+"),
        ("negative", "-"),
        ("1", "+"),
        ("-1", "-"),
        ("-0.25", "-"),
        ("0", ""),
    ],
)
def test_polarity_words(text, polarity):
    assert graphml.parse_polarity(text) == Polarity(polarity)


@pytest.mark.parametrize("text", ["", "  ", "causes", "++", "nan", None])
def test_text_that_is_no_polarity(text):
    assert graphml.parse_polarity(text) is None


# -- broken and hostile files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not XML", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<graphml><graph>", None),  # repaired by the recovering parser, or refused
        (b'<?xml version="1.0"?><xmile><model/></xmile>', "not a GraphML file: the root element is <xmile>"),
        (b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><key id="k"/></graphml>', "no <graph>"),
        (
            b'<graphml><graph><node id="a"/>\n<edge source="a" target="b"/></graph></graphml>',
            ":2: edge refers to unknown node 'b'",
        ),
        (b'<graphml><graph><node id="a"/>\n<node id="a"/></graph></graphml>', ":2: duplicate node id 'a'"),
        (b"<graphml><graph><node/></graph></graphml>", "a <node> has no id"),
        (b'<graphml><graph><node id="a"/><edge source="a"/></graph></graphml>', "an <edge> has no target"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE graphml [<!ENTITY x "boom">]>\n<graphml><graph>'
            b'<node id="&x;"/></graph></graphml>',
            "DOCTYPE and entity declarations are not allowed",
        ),
        (
            b'<!DOCTYPE graphml SYSTEM "file:///etc/passwd"><graphml><graph/></graphml>',
            "DOCTYPE",
        ),
    ],
)
def test_broken_files_are_one_line_file_format_errors(tmp_path, data, message):
    path = tmp_path / "broken.graphml"
    path.write_bytes(data)
    try:
        graphml.read(path)
    except FileFormatError as exc:
        error = str(exc)
        assert error.startswith(str(path))
        assert "\n" not in error
        if message:
            assert message in error
        return
    assert message is None, "should have been refused"


def test_load_names_a_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="no such file"):
        load(tmp_path / "nowhere.graphml")
    with pytest.raises(FileFormatError) as caught:
        graphml.read(tmp_path / "nowhere.graphml")
    assert str(caught.value).startswith(str(tmp_path / "nowhere.graphml"))


def test_bad_sysmap_values_are_warnings_not_errors():
    doc = cld()
    data = graphml.dumps(doc)
    for old, new in [
        (b'<data key="sysmap_kind">aux</data>', b'<data key="sysmap_kind">tank</data>'),
        (b'<data key="sysmap_delay">true</data>', b'<data key="sysmap_delay">maybe</data>'),
        (b'<data key="sysmap_curvature">0.25</data>', b'<data key="sysmap_curvature">NaN</data>'),
        (b'<data key="sysmap_polarity">-</data>', b'<data key="sysmap_polarity">minus</data>'),
        (b'<data key="sysmap_tags">[', b'<data key="sysmap_tags">{['),
    ]:
        assert old in data
        data = data.replace(old, new, 1)
    data = re.sub(rb'(<data key="sysmap_loop_labels">)[^<]*', rb"\1[{&quot;text&quot;: 5}]", data)
    data = re.sub(rb'(<data key="sysmap_groups">)[^<]*', rb"\1{}", data)
    loaded, warnings = graphml.loads_with_warnings(data, "edited.graphml")
    assert by_name(loaded, "stress level").kind == Kind.CONCEPT
    assert len(loaded.variables) == len(doc.variables)
    assert len(loaded.links) == len(doc.links)
    assert not loaded.loop_labels and not loaded.groups
    assert len(warnings) >= 6
    assert all(w.startswith("edited.graphml") for w in warnings)


def test_unknown_data_keys_and_newer_versions_are_warned_about():
    data = graphml.dumps(cld())
    data = data.replace(b'<data key="sysmap_format">1</data>', b'<data key="sysmap_format">9</data>')
    data = data.replace(b'<data key="label">', b'<data key="mystery">', 1)
    loaded, warnings = graphml.loads_with_warnings(data, "new.graphml")
    assert loaded == cld()
    assert any("newer sysmap" in w for w in warnings)
    assert any("undeclared key 'mystery'" in w for w in warnings)


VALID = graphml.dumps(cld())
TOKENS = [
    b"<",
    b">",
    b'"',
    b"/>",
    b"</node>",
    b"<node>",
    b'<node id="v1"/>',
    b'<edge source="v1" target="zz"/>',
    b"<graph>",
    b"</graph>",
    b"<hyperedge/>",
    b"NaN",
    b"-1e400",
    b"1e308",
    b"&amp;",
    b"&#0;",
    b"&bogus;",
    b"<!DOCTYPE x>",
    b"]]>",
    b"sysmap_kind",
    b"[",
    b"{",
    b"null",
    b"\xff",
    b"\x00",
    b"y:",
    b"xmlns:z=",
]


@st.composite
def mutated(draw):
    """The valid file with a few random edits: replacements, deletions, insertions, truncation."""
    data = VALID
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["replace", "delete", "insert", "token"] * 3 + ["truncate"]))
        piece = draw(st.binary(min_size=1, max_size=3) | st.sampled_from(list(b'<>"/=&;#.-e0123456789 ')))
        if isinstance(piece, int):
            piece = bytes([piece])
        if how == "replace":
            data = data[:at] + piece + data[at + len(piece) :]
        elif how == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 200)) :]
        elif how == "insert":
            data = data[:at] + piece + data[at:]
        elif how == "truncate":
            data = data[:at]
        else:
            data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_load_or_fail_cleanly(data):
    try:
        doc, warnings = graphml.loads_with_warnings(data, "fuzz.graphml")
    except FileFormatError as exc:
        assert str(exc).startswith("fuzz.graphml")
        assert "\n" not in str(exc)
        return
    assert isinstance(doc, SystemMap)
    assert all(isinstance(w, str) and w.startswith("fuzz.graphml") for w in warnings)
    assert all(math.isfinite(c) for v in doc.variables.values() for c in v.position)
    assert graphml.loads(graphml.dumps(doc)) == doc  # whatever loads saves and reads back


# -- random maps --------------------------------------------------------------------------------

names = st.text(alphabet=string.ascii_letters + ' _"\\(£人\u00a0\n', min_size=1, max_size=8)
texts = st.text(st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\n\t\r"), max_size=12)
numbers = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_random_causal_maps_round_trip(data):
    doc = SystemMap(name=data.draw(texts), documentation=data.draw(texts))
    for _ in range(data.draw(st.integers(0, 8))):
        name = data.draw(names)
        if doc.variable_named(name) is None and name.strip(' _"\n\u00a0'):
            doc.add_variable(
                name,
                kind=data.draw(st.sampled_from([Kind.CONCEPT, Kind.AUX])),
                position=(data.draw(numbers), data.draw(numbers)),
                documentation=data.draw(texts),
                tags=tuple(data.draw(st.lists(texts, max_size=2))),
            )
    ids = list(doc.variables)
    for _ in range(data.draw(st.integers(0, 8)) if ids else 0):
        doc.add_link(
            data.draw(st.sampled_from(ids)),
            data.draw(st.sampled_from(ids)),
            polarity=data.draw(st.sampled_from(list(Polarity))),
            delay=data.draw(st.booleans()),
            curvature=data.draw(st.floats(-2, 2, allow_nan=False)),
            note=data.draw(texts),
        )
    if ids:
        loop = tuple(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
        doc.apply(ops.add_loop_label(doc, data.draw(texts), (data.draw(numbers), 0.0), loop=loop))
    written = graphml.dumps(doc)
    assert graphml.loads(written) == doc
    assert graphml.dumps(graphml.loads(written)) == written
