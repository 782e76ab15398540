"""The networkx export of a map's causal structure."""

import networkx as nx
import pytest

from sysmap.model import Kind, SystemMap, to_networkx


@pytest.fixture
def cld():
    doc = SystemMap(name="Burnout")
    work = doc.add_variable("Workload", position=(10.0, 20.0), tags=("core",))
    stress = doc.add_variable("Stress")
    doc.add_link(work.id, stress.id, polarity="+", delay=True)
    doc.add_link(stress.id, work.id, polarity="-")
    return doc


def edges(graph):
    return sorted(
        (graph.nodes[u]["name"], graph.nodes[v]["name"], d["role"], d["polarity"], d["derived"] or "")
        for u, v, d in graph.edges(data=True)
    )


def test_nodes_are_variables_with_their_attributes(cld):
    g = to_networkx(cld)
    work = cld.variable_named("workload")
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.nodes) == set(cld.variables)
    assert g.nodes[work.id] == {"name": "Workload", "kind": "concept", "tags": ("core",), "pos": (10.0, 20.0)}
    assert g.graph["name"] == "Burnout"


def test_links_are_edges_keyed_by_link_id(cld):
    g = to_networkx(cld)
    for link in cld.links.values():
        data = g.edges[link.source, link.target, link.id]
        assert data == {
            "polarity": link.polarity.value,
            "delay": link.delay,
            "role": "link",
            "link": link.id,
            "derived": None,
        }
    assert g.number_of_edges() == 2


def test_notes_labels_and_groups_are_not_nodes(cld):
    from sysmap.model import operations as ops

    cld.apply(ops.add_note(cld, "n", (0.0, 0.0)))
    cld.apply(ops.add_loop_label(cld, "B1", (0.0, 0.0)))
    cld.apply(ops.add_group(cld, "g", list(cld.variables)))
    assert set(to_networkx(cld).nodes) == set(cld.variables)


def test_parallel_links_are_both_kept(cld):
    work, stress = cld.variable_named("workload"), cld.variable_named("stress")
    cld.add_link(work.id, stress.id, polarity="?")
    g = to_networkx(cld)
    assert g.number_of_edges(work.id, stress.id) == 2
    assert sorted(d["polarity"] for d in g[work.id][stress.id].values()) == ["+", "?"]


def test_self_loop_link(cld):
    work = cld.variable_named("workload")
    link = cld.add_link(work.id, work.id, polarity="+")
    assert to_networkx(cld).has_edge(work.id, work.id, key=link.id)


@pytest.fixture
def sfd():
    doc = SystemMap()
    pop = doc.add_variable("Population", kind=Kind.STOCK, equation="100")
    births = doc.add_variable("Births", kind=Kind.FLOW, equation="population * birth_rate")
    deaths = doc.add_variable("Deaths", kind=Kind.FLOW, equation="population / 70")
    doc.add_variable("Birth rate", kind=Kind.AUX, equation="0.03")
    doc.attach_flow(births.id, source=None, sink=pop.id)
    doc.attach_flow(deaths.id, source=pop.id, sink=None)
    doc.add_link(pop.id, births.id, polarity="+")
    return doc


def test_derived_edges_fill_in_what_is_not_drawn(sfd):
    assert edges(to_networkx(sfd)) == [
        ("Birth rate", "Births", "equation", "", "equation"),
        ("Births", "Population", "inflow", "+", "inflow"),
        ("Deaths", "Population", "outflow", "-", "outflow"),
        ("Population", "Births", "link", "+", "equation"),
        ("Population", "Deaths", "equation", "", "equation"),
    ]


def test_a_drawn_link_the_equation_implies_is_one_edge(sfd):
    g = to_networkx(sfd)
    pop, births = sfd.variable_named("population").id, sfd.variable_named("births").id
    (link,) = sfd.links.values()
    assert list(g[pop][births]) == [link.id]
    assert g.edges[pop, births, link.id]["derived"] == "equation"
    assert g.edges[pop, births, link.id]["link"] == link.id


def test_derived_edges_are_keyed_by_role_and_ends(sfd):
    g = to_networkx(sfd)
    births, pop = sfd.variable_named("births").id, sfd.variable_named("population").id
    data = g.edges[births, pop, f"inflow:{births}>{pop}"]
    assert data == {"polarity": "+", "delay": False, "role": "inflow", "link": None, "derived": "inflow"}


def test_without_derived_only_drawn_links(sfd):
    g = to_networkx(sfd, derived=False)
    assert edges(g) == [("Population", "Births", "link", "+", "")]
    assert set(g.nodes) == set(sfd.variables)


def test_the_graph_is_a_snapshot(sfd):
    g = to_networkx(sfd)
    n = g.number_of_edges()
    sfd.remove(sfd.variable_named("birth rate").id)
    assert g.number_of_edges() == n
    assert to_networkx(sfd).number_of_edges() == n - 1
