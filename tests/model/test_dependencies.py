"""The causal structure implied by equations and flows, and where drawn links disagree with it."""

import pytest

from sysmap.model import Dependency, Kind, Polarity, SystemMap, derived_dependencies, link_discrepancies
from sysmap.model.dependencies import BUILTIN_NAMES


@pytest.fixture
def population():
    doc = SystemMap()
    pop = doc.add_variable("Population", kind=Kind.STOCK, equation="initial_population")
    births = doc.add_variable("Births", kind=Kind.FLOW, equation="Population * birth_rate")
    deaths = doc.add_variable("Deaths", kind=Kind.FLOW, equation="population / lifetime")
    doc.add_variable("Birth rate", kind=Kind.AUX, equation="0.03")
    doc.add_variable("Lifetime", kind=Kind.AUX, equation="70")
    doc.add_variable("Initial population", kind=Kind.AUX, equation="100")
    doc.attach_flow(births.id, source=None, sink=pop.id)
    doc.attach_flow(deaths.id, source=pop.id, sink=None)
    return doc


def named(doc, deps):
    name = {vid: v.name for vid, v in doc.variables.items()}
    return {(name[d.source], name[d.target], d.role, d.polarity.value) for d in deps}


def link(doc, source, target, **fields):
    return doc.add_link(doc.variable_named(source).id, doc.variable_named(target).id, **fields)


def test_derived_dependencies_have_roles(population):
    assert named(population, derived_dependencies(population)) == {
        ("Initial population", "Population", "initial", ""),
        ("Births", "Population", "inflow", "+"),
        ("Deaths", "Population", "outflow", "-"),
        ("Population", "Births", "equation", ""),
        ("Birth rate", "Births", "equation", ""),
        ("Population", "Deaths", "equation", ""),
        ("Lifetime", "Deaths", "equation", ""),
    }


def test_flow_dependencies_carry_polarity(population):
    flows = [d for d in derived_dependencies(population) if d.role in ("inflow", "outflow")]
    assert {d.role: d.polarity for d in flows} == {"inflow": Polarity.POSITIVE, "outflow": Polarity.NEGATIVE}


def test_a_self_reference_is_a_dependency():
    doc = SystemMap()
    x = doc.add_variable("x", kind=Kind.AUX, equation="x * 2")
    assert list(derived_dependencies(doc)) == [Dependency(x.id, x.id, "equation")]


def test_function_names_and_builtins_are_not_dependencies():
    doc = SystemMap()
    doc.add_variable("a", kind=Kind.AUX, equation="1")
    doc.add_variable("smth1", kind=Kind.AUX, equation="2")
    b = doc.add_variable("b", kind=Kind.AUX, equation="SMTH1(a, 3) + TIME * DT")
    assert [(d.source, d.target) for d in derived_dependencies(doc)] == [(doc.variable_named("a").id, b.id)]


def test_a_fully_drawn_model_has_no_discrepancies(population):
    for source, target in [
        ("initial population", "population"),
        ("population", "births"),
        ("birth rate", "births"),
        ("population", "deaths"),
        ("lifetime", "deaths"),
        ("births", "population"),
    ]:
        link(population, source, target)
    assert link_discrepancies(population) == []


def test_a_model_without_a_diagram_claims_nothing(population):
    assert not population.links
    assert link_discrepancies(population) == []


def test_undrawn_dependency_is_reported(population):
    link(population, "births", "population")  # a diagram, drawn only in part
    found = link_discrepancies(population)
    assert {
        (d.kind, population.variables[d.source].name, population.variables[d.target].name) for d in found
    } == {
        ("undrawn", "Initial population", "Population"),
        ("undrawn", "Population", "Births"),
        ("undrawn", "Birth rate", "Births"),
        ("undrawn", "Population", "Deaths"),
        ("undrawn", "Lifetime", "Deaths"),
    }
    assert all(d.message for d in found)


def test_link_the_equation_does_not_use_is_reported():
    doc = SystemMap()
    a = doc.add_variable("a", kind=Kind.AUX, equation="1")
    b = doc.add_variable("b", kind=Kind.AUX, equation="a")
    c = doc.add_variable("c", kind=Kind.AUX, equation="2")
    doc.add_link(a.id, b.id)
    doc.add_link(c.id, b.id)
    found = link_discrepancies(doc)
    assert [(d.kind, d.source, d.target) for d in found] == [("unused", c.id, b.id)]
    assert "'c'" in found[0].message and "'b'" in found[0].message


def test_a_link_from_a_flow_into_its_stock_is_not_unused(population):
    link(population, "births", "population")
    kinds = {(d.kind, d.source) for d in link_discrepancies(population)}
    assert ("unused", population.variable_named("births").id) not in kinds


def test_unknown_name_is_unresolved():
    doc = SystemMap()
    b = doc.add_variable("b", kind=Kind.AUX, equation='Missing_Thing * 2 + "other one"')
    found = link_discrepancies(doc)
    assert [(d.kind, d.source, d.target) for d in found] == [
        ("unresolved", "missing_thing", b.id),
        ("unresolved", "other_one", b.id),
    ]


@pytest.mark.parametrize("builtin", sorted(BUILTIN_NAMES))
def test_builtin_names_are_not_unresolved(builtin):
    doc = SystemMap()
    doc.add_variable("b", kind=Kind.AUX, equation=f"{builtin.upper()} + 1")
    assert link_discrepancies(doc) == []


def test_a_variable_named_like_a_builtin_is_a_dependency():
    doc = SystemMap()
    time = doc.add_variable("Time", kind=Kind.AUX, equation="1")
    b = doc.add_variable("b", kind=Kind.AUX, equation="time")
    assert list(derived_dependencies(doc)) == [Dependency(time.id, b.id, "equation")]


def test_plain_cld_concepts_have_no_discrepancies():
    doc = SystemMap()
    a, b, c = doc.add_variable("Workload"), doc.add_variable("Stress"), doc.add_variable("Errors")
    doc.add_link(a.id, b.id, polarity="+")
    doc.add_link(b.id, c.id, polarity="+")
    doc.add_link(c.id, a.id, polarity="+")
    assert link_discrepancies(doc) == []
    assert list(derived_dependencies(doc)) == []


def test_a_whitespace_only_equation_is_not_compared():
    doc = SystemMap()
    a = doc.add_variable("a", kind=Kind.AUX, equation="1")
    b = doc.add_variable("b", kind=Kind.AUX, equation="  \n ")
    doc.add_link(a.id, b.id)
    assert link_discrepancies(doc) == []


def test_discrepancies_follow_a_rename():
    doc = SystemMap()
    a = doc.add_variable("a", kind=Kind.AUX, equation="1")
    b = doc.add_variable("b", kind=Kind.AUX, equation="a")
    doc.add_link(a.id, b.id)
    doc.rename_variable(a.id, "Renamed (twice)")
    assert link_discrepancies(doc) == []


def test_deleting_a_used_variable_leaves_it_unresolved():
    doc = SystemMap()
    a = doc.add_variable("a", kind=Kind.AUX, equation="1")
    b = doc.add_variable("b", kind=Kind.AUX, equation="a + 1")
    doc.remove(a.id)
    assert [(d.kind, d.source, d.target) for d in link_discrepancies(doc)] == [("unresolved", "a", b.id)]
