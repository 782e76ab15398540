"""Units of measure: parsing unit expressions, equivalence, every inference rule, and real models.

The last part checks the bundled examples and, when ``../shared`` is here, the SDXorg
conformance models, World3 and C-LEARN (both of which Vensim checks clean).
"""

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sysmap.cli import main
from sysmap.io import load
from sysmap.model import Kind, SimSpecs, SystemMap
from sysmap.model.elements import ArrayElement, Extras, GraphicalFunction, UnitDefinition
from sysmap.model.operations import update
from sysmap.sim.units import (
    DIMENSIONLESS,
    Unit,
    UnitSyntaxError,
    UnitSystem,
    check_units,
    model_time_unit,
    parse_units,
)

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance" / "sdxorg"


# ---------------------------------------------------------------------------------------------
# Unit expressions


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("people/year", "people/year"),
        ("1/year", "1/year"),
        ("m/s^2", "m/s^2"),
        ("dollars/(widget*month)", "dollars/(month*widget)"),
        ("watt*year/(meter*meter*DegreesC)", "(watt*year)/(DegreesC*meter^2)"),
        ("a/b/c", "a/(b*c)"),
        ("a/b*c", "(a*c)/b"),
        ("(people)", "people"),
        ("s^-2", "1/s^2"),
        ("s^(-2)*m", "m/s^2"),
        ("s^+2", "s^2"),
        ("$/(Person*year)", "$/(Person*year)"),
        ("%", "%"),
        ("US$/Months", "US$/Months"),
        ("Pollution units/year", "Pollution units/year"),
        ('"lbs CO2"/year', "lbs CO2/year"),
        ("Dmnl [0,1]", "1"),
        ("people/people", "1"),
    ],
)
def test_unit_expressions_parse_and_print(text, shown):
    assert str(parse_units(text)) == shown


@pytest.mark.parametrize("text", ["1", "dmnl", "Dmnl", "dimensionless", "Unitless", "fraction", "", "  "])
def test_spellings_of_dimensionless(text):
    assert parse_units(text) == DIMENSIONLESS


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Meters/(Second-Second)", "Meters/Second^2"),  # Stella's "-" multiplies
        ("Meters/Second/Second", "meters/second^2"),  # case does not matter
        ("Months per Year", "months/year"),
        ("people per year per person", "people/(year*person)"),
        ("Pollution units", "pollution_units"),
        ("yr", "Years"),
        ("year", "YEAR"),
        ("months", "mo"),
        ("day", "days"),
        ("wk", "weeks"),
        ("hr", "hours"),
        ("min", "minutes"),
        ("s", "seconds"),
        ("per_year", "1/year"),
        ("per month", "1/months"),
        ("people*1", "people"),
    ],
)
def test_equivalent_spellings(a, b):
    assert parse_units(a) == parse_units(b)


@pytest.mark.parametrize(("a", "b"), [("person", "people"), ("m", "meters"), ("years", "months")])
def test_different_units_differ(a, b):
    assert parse_units(a) != parse_units(b)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("people//year", 'column 8: expected a unit after "/"'),
        ("(people/year", 'column 13: "(" at column 1 is not closed'),
        ("people)", 'column 7: unexpected ")"'),
        ("m^x", 'column 3: expected a whole number after "^"'),
        ("m^1.5", "column 3: exponents must be whole numbers, not 1.5"),
        ("2*people", "column 1: a number in units can only be 1, not 2"),
        ("people @ year", 'column 8: unexpected character "@"'),
        ("^2", 'column 1: expected a unit before "^"'),
        ("people/", 'column 8: expected a unit after "/"'),
    ],
)
def test_bad_unit_expressions_say_where(text, message):
    with pytest.raises(UnitSyntaxError) as info:
        parse_units(text)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


_NAMES = st.sampled_from(["people", "year", "widget", "$", "Pollution unit", "m", "kg"])


@given(st.dictionaries(_NAMES, st.integers(-3, 3), max_size=5))
def test_printed_units_parse_back_to_themselves(powers):
    system = UnitSystem()
    unit = DIMENSIONLESS
    for name, exp in powers.items():
        unit = unit * system.parse(name) ** exp
    assert system.parse(str(unit)) == unit


def test_unit_arithmetic():
    m, s = parse_units("m"), parse_units("s")
    assert m / s / s == parse_units("m/s^2")
    assert (m / s) ** 2 * s**2 == m * m
    assert str(m**-1) == "1/m"
    assert str((m * m) ** Fraction(1, 2)) == "m"
    assert str(m ** Fraction(1, 2)) == "m^(1/2)"
    assert (m / m).dimensionless


# ---------------------------------------------------------------------------------------------
# Unit definitions (<model_units>)


def test_aliases_from_model_units():
    system = UnitSystem([UnitDefinition("Person", aliases=("People", "persons"))])
    assert system.parse("people/year") == system.parse("Person/yr") == system.parse("persons per year")
    assert str(system.parse("people")) == "Person"  # printed by the name the model gives it


def test_unit_equations_and_chained_aliases():
    system = UnitSystem(
        [
            UnitDefinition("sq_mile", "mile^2"),
            UnitDefinition("Dollar", "$", aliases=("Dollars",)),
            UnitDefinition("models_per_year", "models/year", aliases=("mpy",)),
        ]
    )
    assert system.parse("sq mile/mile") == system.parse("mile")
    assert system.parse("Dollars") == system.parse("$")
    assert system.parse("mpy*year") == system.parse("models")


def test_a_model_alias_joins_a_built_in_time_unit():
    # C-LEARN declares "Yr" with the aliases "year" and "years".
    system = UnitSystem([UnitDefinition("Yr", aliases=("year", "years"))])
    assert system.parse("GtonsC/year") == system.parse("GtonsC/yr") == system.parse("GtonsC*per_year")
    assert str(system.parse("1/years")) == "1/Yr"


def test_a_disabled_definition_drops_out():
    disabled = Extras(attributes=(("disabled", "true"),))
    system = UnitSystem(
        [UnitDefinition("years", extra=disabled), UnitDefinition("Joules", aliases=("J",), extra=disabled)]
    )
    assert system.parse("years") != system.parse("yr")
    assert system.parse("J") != system.parse("Joules")


def test_circular_definitions_are_reported_not_fatal():
    system = UnitSystem([UnitDefinition("a", "b*m"), UnitDefinition("b", "a/m")])
    system.parse("a")
    assert any("in terms of itself" in p for p in system.problems)


def test_unparsable_definition_is_reported():
    system = UnitSystem([UnitDefinition("widget", "gadget//2")])
    assert system.parse("widget") == Unit.base("widget")
    assert system.problems == [
        'unit "widget": its equation does not parse: column 8: expected a unit after "/"'
    ]


# ---------------------------------------------------------------------------------------------
# Checking equations


def build(variables, flows=(), time_units="year", units=()):
    """A map from (name, kind, equation, units) rows; ``flows`` are (flow, source, sink) names."""
    doc = SystemMap(sim_specs=SimSpecs(time_units=time_units), units=tuple(units))
    ids = {}
    for row in variables:
        name, kind, equation, unit, *more = row
        ids[name] = doc.add_variable(
            name, kind, equation=equation, units=unit, **(more[0] if more else {})
        ).id
    for flow, source, sink in flows:
        doc.attach_flow(ids[flow], source=ids.get(source), sink=ids.get(sink))
    return doc


def messages(doc):
    return [str(p) for p in check_units(doc)]


A, S, F = Kind.AUX, Kind.STOCK, Kind.FLOW


def aux_model(equation, declared, *extra):
    """An aux ``x`` with ``equation`` and ``declared`` units, next to a few declared variables."""
    rows = [
        ("pop", A, "100", "people"),
        ("other", A, "5", "people"),
        ("t", A, "3", "years"),
        ("rate", A, "0.1", "1/year"),
        ("share", A, "0.5", "dmnl"),
        ("area", A, "4", "meter^2"),
        *extra,
        ("x", A, equation, declared),
    ]
    return messages(build(rows))


@pytest.mark.parametrize(
    ("equation", "declared"),
    [
        ("pop + other", "people"),
        ("pop + 1", "people"),  # a number takes its context's units
        ("1 - share", "dmnl"),
        ("5", "people/year"),  # a constant fits any units
        ("pop * rate", "people/year"),
        ("pop / t", "people/year"),
        ("2 * pop / 3", "people"),
        ("1 / t", "1/year"),
        ("pop * share", "people"),
        ("MAX(0, pop - other)", "people"),
        ("MIN(pop, other, 3)", "people"),
        ("IF pop > other THEN pop ELSE 0", "people"),
        ("IF_THEN_ELSE(TIME > t, rate, 0)", "1/year"),
        ("pop MOD other", "people"),
        ("area^0.5", "meter"),
        ("SQRT(area)", "meter"),
        ("(pop/other)^share", "dmnl"),
        ("pop^2 / pop", "people"),
        ("EXP(-rate * t)", "dmnl"),
        ("LN(pop / other)", "dmnl"),
        ("SIN(2 * PI * TIME / t)", "dmnl"),
        ("TIME", "year"),
        ("DT + STARTTIME", "years"),
        ("ABS(-pop)", "people"),
        ("SUM(pop)", "people"),
        ("SMTH1(pop, t)", "people"),
        ("SMTH3(pop, t, other)", "people"),
        ("DELAY(pop, t, 0)", "people"),
        ("DELAYN(pop, t, 3, other)", "people"),
        ("TREND(pop, t)", "people/year"),
        ("FORCST(pop, t, t)", "people"),
        ("STEP(pop, 5)", "people"),
        ("RAMP(rate, 5)", "dmnl"),
        ("PULSE(pop, 5, t)", "people/year"),
        ("SAFEDIV(pop, t)", "people/year"),
        ("SAFEDIV(pop, t, 0)", "people/year"),
        ("INIT(pop)", "people"),
        ("PREVIOUS(pop, 0)", "people"),
        ("PREVIOUS(SELF, pop)", "people"),
        ("NORMAL(pop, other)", "people"),
        ("pop > other AND NOT share", "dmnl"),
        ("my_macro(pop, t)", "meter"),  # unknown functions are not checked
        ("pop + undefined_name", "meter"),  # nor names that match no variable
    ],
)
def test_equations_that_check(equation, declared):
    assert aux_model(equation, declared) == []


@pytest.mark.parametrize(
    ("equation", "declared", "message"),
    [
        ("pop + t", "people", "pop + t: people and year do not match"),
        ("pop - 1 - t", "people", "pop - 1 - t: people and year do not match"),
        ("pop * 0.03", "people/year", "declared people/year, but the equation gives people"),
        ("pop / t", "people", "declared people, but the equation gives people/year"),
        ("MAX(pop, t)", "people", "MAX(pop, t): people and year do not match"),
        ("MIN(pop, 3, rate)", "people", "MIN(pop, 3, rate): people and 1/year do not match"),
        (
            "IF share > 0 THEN pop ELSE t",
            "people",
            "IF share > 0 THEN pop ELSE t: people and year do not match",
        ),
        ("IF pop > t THEN 1 ELSE 0", "dmnl", "pop > t: people and year do not match"),
        ("pop^share", "people", "pop^share: people raised to a power that is not a constant number"),
        ("share^t", "dmnl", "share^t: the exponent is in year, but must be dimensionless"),
        ("EXP(pop)", "dmnl", "EXP(pop) needs a dimensionless argument, but pop is in people"),
        ("TIME + pop", "people", "TIME + pop: year and people do not match"),
        (
            "SMTH1(pop, other)",
            "people",
            "SMTH1(pop, other): the time other is in people, but must be in year",
        ),
        ("SMTH1(pop, t, t)", "people", "SMTH1(pop, t, t): people and year do not match"),
        (
            "DELAYN(pop, t, t)",
            "people",
            "DELAYN(pop, t, t): the order t is in year, but must be in dimensionless",
        ),
        ("TREND(pop, t)", "people", "declared people, but the equation gives people/year"),
        ("STEP(pop, pop)", "people", "STEP(pop, pop): the time pop is in people, but must be in year"),
        ("SAFEDIV(pop, t, pop)", "people/year", "SAFEDIV(pop, t, pop): people/year and people do not match"),
        ("PREVIOUS(pop, t)", "people", "PREVIOUS(pop, t): people and year do not match"),
        ("pop MOD t", "people", "pop MOD t: people and year do not match"),
    ],
)
def test_equations_that_do_not_check(equation, declared, message):
    assert aux_model(equation, declared) == [f'variable "x": units: {message}']


def test_one_mistake_is_reported_once():
    # The sum is in error, so its product with t is not reported again, nor the declared units.
    assert aux_model("(pop + t) * t", "meter") == [
        'variable "x": units: pop + t: people and year do not match'
    ]


def test_undeclared_variables_take_their_equations_units():
    extra = ("per_capita", A, "rate * share", "")
    assert aux_model("pop * per_capita", "people/year", extra) == []
    assert aux_model("pop * per_capita", "people", extra) == [
        'variable "x": units: declared people, but the equation gives people/year'
    ]


def test_an_undeclared_constant_is_unknown_not_a_wildcard():
    extra = ("contact_rate", A, "0.3", "")
    assert aux_model("pop * contact_rate", "people/year", extra) == []


def test_graphical_functions_give_their_own_units():
    table = GraphicalFunction(y_points=(0.0, 1.0, 2.0), x_scale=(0.0, 2.0))
    extra = ("effect", A, "pop / other", "1/year", {"graph": table})
    assert aux_model("pop * effect", "people/year", extra) == []
    assert aux_model("pop * LOOKUP(effect, share)", "people/year", extra) == []
    assert aux_model("pop * effect(share)", "people/year", extra) == []
    assert aux_model("pop * effect", "people", extra) == [
        'variable "x": units: declared people, but the equation gives people/year'
    ]


def test_bad_declared_units_are_reported_with_the_column():
    assert aux_model("pop", "people//year") == [
        'variable "x": units: "people//year" does not parse: column 8: expected a unit after "/"'
    ]


def test_array_elements_report_a_shared_mistake_once():
    doc = build([("pop", A, "1", "people"), ("t", A, "1", "year")])
    elements = tuple(ArrayElement(sub, "pop + t") for sub in ("a", "b", "c"))
    doc.add_variable("x", A, units="people", dimensions=("Dim",), elements=elements)
    assert messages(doc) == [
        'variable "x[a]": units: pop + t: people and year do not match (and in 2 more elements)'
    ]


# ---------------------------------------------------------------------------------------------
# Stocks and flows


def population(births_units="people/year", births="Population * birth_rate", time_units="year", deaths=""):
    rows = [
        ("Population", S, "100", "people"),
        ("births", F, births, births_units),
        ("birth rate", A, "0.03", "1/year"),
    ]
    flows = [("births", None, "Population")]
    if deaths:
        rows.append(("deaths", F, deaths, ""))
        flows.append(("deaths", "Population", None))
    return build(rows, flows, time_units=time_units)


def test_a_consistent_stock_and_flow():
    assert messages(population()) == []


def test_a_flow_must_be_in_stock_units_per_time_unit():
    assert messages(population("people", births="Population * 0.03")) == [
        'variable "births": units: flow "births" is in people, but stock "Population" needs people/year'
    ]


def test_time_units_come_from_sim_specs():
    assert messages(population(time_units="months")) == [
        'variable "births": units: flow "births" is in people/year, but stock "Population" needs '
        "people/months"
    ]
    assert messages(population(time_units="Years")) == []


def test_an_undeclared_flow_is_checked_through_its_equation():
    assert messages(population(deaths="Population / 70")) == [
        'variable "deaths": units: flow "deaths" is in people, but stock "Population" needs people/year'
    ]
    assert messages(population(deaths="Population * birth_rate")) == []


def test_a_flow_between_two_stocks_is_reported_once():
    doc = build(
        [("A", S, "1", "people"), ("B", S, "1", "people"), ("move", F, "1", "people")],
        [("move", "A", "B")],
    )
    assert messages(doc) == [
        'variable "move": units: flow "move" is in people, but stock "A" needs people/year'
    ]


def test_a_stocks_initial_value_must_be_in_its_units():
    doc = build([("t", A, "3", "year"), ("Population", S, "t * 2", "people")])
    assert messages(doc) == [
        'variable "Population": units: declared people, but its initial value gives year'
    ]


def test_time_unit_from_the_flows_when_sim_specs_name_none():
    doc = population(time_units="")
    assert str(model_time_unit(doc, UnitSystem())) == "year"
    assert (
        messages(population("people", births="Population * 0.03", time_units="")) == []
    )  # no time unit known


def test_stellas_default_time_unit_means_the_one_the_model_uses():
    rows = [
        ("teacup temperature", S, "180", "degrees"),
        ("heat loss", F, "(teacup_temperature - room_temperature) / characteristic_time", "degrees/time"),
        ("characteristic time", A, "10", "minutes"),
        ("room temperature", A, "70", "degrees"),
    ]
    doc = build(rows, [("heat loss", "teacup temperature", None)], time_units="Time")
    assert messages(doc) == []


def test_a_model_without_units_reports_nothing():
    doc = build([("a", A, "1", ""), ("b", A, "TIME + a * 2 + EXP(a)", "")], time_units="years")
    assert messages(doc) == []


def test_model_units_aliases_apply_to_every_check():
    rows = [("People", S, "1", "people"), ("arrivals", F, "3", "person/day")]
    doc = build(rows, [("arrivals", None, "People")], time_units="days")
    assert messages(doc) == [
        'variable "arrivals": units: flow "arrivals" is in person/days, but stock "People" needs people/days'
    ]
    aliased = build(
        rows,
        [("arrivals", None, "People")],
        time_units="days",
        units=[UnitDefinition("person", aliases=("people",))],
    )
    assert messages(aliased) == []


# ---------------------------------------------------------------------------------------------
# sysmap check, and real models

WRONG_MODEL = """<?xml version="1.0" encoding="utf-8"?>
<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">
  <header><name>Wrong units</name><vendor>test</vendor><product version="1">test</product></header>
  <sim_specs time_units="Years"><start>0</start><stop>10</stop><dt>1</dt></sim_specs>
  <model_units><unit name="Person"><alias>People</alias></unit></model_units>
  <model>
    <variables>
      <stock name="Population"><eqn>100</eqn><inflow>births</inflow><units>people</units></stock>
      <flow name="births"><eqn>Population * 0.03</eqn><units>Person</units></flow>
      <aux name="growth"><eqn>births + adjustment_time</eqn><units>Person</units></aux>
      <aux name="adjustment time"><eqn>5</eqn><units>yr</units></aux>
    </variables>
  </model>
</xmile>
"""


def test_sysmap_check_reports_units_one_line_each(tmp_path, capsys):
    path = tmp_path / "wrong.xmile"
    path.write_text(WRONG_MODEL, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if "units" in line]
    assert lines == [
        f'{path}: variable "growth": units: births + adjustment_time: Person and Years do not match',
        f'{path}: variable "births": units: flow "births" is in Person, but stock "Population" needs '
        "Person/Years",
    ]


def test_unparsable_units_are_reported_and_the_rest_still_checked(tmp_path):
    path = tmp_path / "wrong.xmile"
    path.write_text(
        WRONG_MODEL.replace("<units>people</units>", "<units>people//year</units>"), encoding="utf-8"
    )
    problems = check_units(load(path))
    assert [p.name for p in problems] == ["Population", "growth"]


@pytest.mark.parametrize("path", sorted((REPO / "examples").glob("*.xmile")), ids=lambda p: p.name)
def test_examples_check_clean(path):
    assert check_units(load(path)) == []


def _shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


def test_world3_checks_clean_and_a_changed_unit_is_caught():
    doc = load(_shared(SHARED / "models" / "wrld3-03.xmile"))
    assert check_units(doc) == []  # as in Vensim
    births = doc.variable_named("births")
    doc.apply(update(doc, births.id, units="Person"))  # was Person/year
    assert [str(p) for p in check_units(doc)] == [
        'variable "birth rate": units: declared C/year, but the equation gives C',
        'variable "births": units: declared Person, but the equation gives Person/year',
        'variable "births": units: flow "births" is in Person, but stock "population 0 to 14" needs '
        "Person/year",
    ]


def test_c_learn_checks_clean():
    doc = load(_shared(SHARED / "models" / "C-LEARN_v77_for_Vensim.xmile"))
    assert check_units(doc) == []  # Vensim reports no units mismatch in C-LEARN either


def _conformance_models():
    if not CONFORMANCE.exists():
        return []
    return sorted(p for p in CONFORMANCE.rglob("*") if p.suffix in (".xmile", ".stmx"))


@pytest.mark.parametrize("path", _conformance_models(), ids=lambda p: str(p.relative_to(CONFORMANCE)))
def test_conformance_models_check_without_crashing(path):
    try:
        doc = load(path)
    except Exception as exc:  # reading is another module's business
        pytest.skip(f"does not load: {exc}")
    for problem in check_units(doc):
        # The only mismatches in the suite are files that lost the <model_units> aliases their
        # Stella originals declare (person = people, deg = degrees).
        text = problem.message.casefold()
        assert ("person" in text and "people" in text) or ("deg " in text or "deg/" in text), problem


# ---------------------------------------------------------------------------------------------
# Hostile input: one-line errors, never a crash


def test_deeply_nested_units_are_refused():
    with pytest.raises(UnitSyntaxError, match="nest too deeply"):
        parse_units("(" * 5000 + "m" + ")" * 5000)


def test_long_chains_of_unit_definitions_do_not_crash():
    chain = [UnitDefinition(f"u{i}", f"u{i + 1}*m") for i in range(1000)]
    system = UnitSystem(chain)
    system.parse("u0")
    assert any("nest too deeply" in p for p in system.problems)


def test_long_chains_of_undeclared_variables_do_not_crash():
    rows = [(f"v{i}", A, f"v{i + 1} + 1", "") for i in range(3000)]
    rows += [("v3000", A, "1", "people"), ("x", A, "v0 * 2", "people")]
    assert messages(build(rows)) == []


@pytest.mark.parametrize(
    "units", ["people\n/year", "€ per year", "m^99999999999999999999", '"unclosed', "m" * 100_000, "[0,1]"]
)
def test_odd_unit_text_gives_at_most_one_line(units):
    for problem in messages(build([("x", A, "1", units)])):
        assert "\n" not in problem and problem.startswith('variable "x": units: ')


def test_unparsable_units_are_shown_on_one_line():
    (problem,) = messages(build([("x", A, "1", "people\n//year")]))
    assert (
        problem == 'variable "x": units: "people //year" does not parse: column 9: expected a unit after "/"'
    )
