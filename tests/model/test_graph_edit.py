"""Setting a variable's lookup table with operations.set_graph: checked, undoable, saved and
simulated exactly."""

import math

import pytest

from sysmap.errors import ModelError
from sysmap.io.xmile import dumps, loads
from sysmap.model import GraphicalFunction, Kind, SimSpecs, SystemMap, operations
from sysmap.sim import simulate

TABLE = GraphicalFunction((0.0, 0.25, 1.0), x_scale=(0.0, 10.0), y_scale=(0.0, 1.0))


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Lookups")
    doc.add_variable("Effect", kind=Kind.AUX, equation="TIME", id="e")
    doc.add_variable("Level", kind=Kind.STOCK, equation="0", id="s")
    doc.add_variable("Table", kind=Kind.AUX, id="t")
    return doc


def test_setting_a_graph_is_one_edit_that_reverts_exactly(doc):
    before = doc.copy()
    edit = operations.set_graph(doc, "e", TABLE)
    doc.apply(edit)
    assert doc.variables["e"].graph == TABLE
    assert doc.variables["e"].equation == "TIME"  # the equation is the table's input
    assert "Add the graph" in edit.text
    doc.revert(edit)
    assert doc.variables["e"] == before.variables["e"]
    doc.apply(edit)
    removal = operations.set_graph(doc, "e", None)
    doc.apply(removal)
    assert doc.variables["e"].graph is None
    doc.revert(removal)
    assert doc.variables["e"].graph == TABLE


@pytest.mark.parametrize(
    ("graph", "reason"),
    [
        (GraphicalFunction((1.0,)), "at least 2 points"),
        (GraphicalFunction((0.0, math.nan)), "finite"),
        (GraphicalFunction((0.0, 1.0), x_points=(0.0, math.inf)), "finite"),
        (GraphicalFunction((0.0, 1.0, 2.0), x_points=(0.0, 2.0, 1.0)), "point 3 has x = 1 after 2"),
        (GraphicalFunction((0.0, 1.0), x_points=(0.0, 0.0)), "x must increase"),
        (GraphicalFunction((0.0, 1.0), x_points=(0.0, 1.0, 2.0)), "3 x values for 2 y values"),
        (GraphicalFunction((0.0, 1.0), x_scale=(5.0, 5.0)), "the x range"),
        (
            GraphicalFunction((0.0, 1.5), y_scale=(0.0, 1.0)),
            "point 2 has y = 1.5, outside the y range 0 to 1",
        ),
        (GraphicalFunction((0.0, 1.0), y_scale=(1.0, 0.0)), "the y range"),
        (GraphicalFunction((0.0, 1.0), kind="smooth"), "not 'smooth'"),
    ],
)
def test_a_bad_table_is_refused_with_a_one_line_reason(doc, graph, reason):
    with pytest.raises(ModelError) as caught:
        operations.set_graph(doc, "e", graph)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_stocks_have_no_graph_and_removing_none_is_refused(doc):
    with pytest.raises(ModelError, match="a stock cannot have a graph"):
        operations.set_graph(doc, "s", TABLE)
    with pytest.raises(ModelError, match="no graph to remove"):
        operations.set_graph(doc, "e", None)
    with pytest.raises(ModelError, match="no variable"):
        operations.set_graph(doc, "nope", TABLE)


def test_stellas_automatic_scales_are_accepted_as_they_come(doc):
    # Stella writes <xscale min="0" max="0"/> beside listed x points, and 0..0 y scales
    graph = GraphicalFunction(
        (0.0, 5.0, 2.0), x_points=(0.0, 1.0, 3.0), x_scale=(0.0, 0.0), y_scale=(0.0, 0.0)
    )
    doc.apply(operations.set_graph(doc, "e", graph))
    assert doc.variables["e"].graph == graph


@pytest.mark.parametrize(
    "graph",
    [
        TABLE,
        GraphicalFunction((0.1, 0.30000000000000004, 1 / 3), x_points=(0.0, 0.5, 2.0), kind="discrete"),
        GraphicalFunction((-1.0, 0.0, 2.5), x_scale=(-5.0, 5.0), kind="extrapolate"),
    ],
)
def test_an_edited_table_saves_and_reloads_with_the_same_points(doc, graph):
    doc.apply(operations.set_graph(doc, "e", graph))
    doc.apply(operations.set_graph(doc, "t", graph))  # a table without equation: <gf name="Table">
    again = loads(dumps(doc))
    for name in ("Effect", "Table"):
        var = again.variable_named(name)
        assert var.graph == graph
        assert var.kind == Kind.AUX
    assert again.variable_named("Effect").equation == "TIME"
    assert again.variable_named("Table").equation == ""
    assert dumps(again) == dumps(doc)


def test_the_simulator_reads_the_new_points():
    doc = SystemMap(sim_specs=SimSpecs(start=0.0, stop=10.0, dt=1.0))
    doc.add_variable("Effect", kind=Kind.AUX, equation="TIME", id="e")
    doc.add_variable("Called", kind=Kind.AUX, equation="Table(TIME)", id="c")
    doc.add_variable("Table", kind=Kind.AUX, id="t")
    doc.apply(operations.set_graph(doc, "e", GraphicalFunction((0.0, 10.0), x_scale=(0.0, 10.0))))
    doc.apply(operations.set_graph(doc, "t", GraphicalFunction((0.0, 10.0), x_scale=(0.0, 10.0))))
    assert simulate(doc)["Effect"][:3].tolist() == [0.0, 1.0, 2.0]
    # change the table: the simulator uses the new y values, and each kind as Stella does
    doc.apply(operations.set_graph(doc, "e", GraphicalFunction((0.0, 4.0, 6.0), x_points=(0.0, 2.0, 4.0))))
    doc.apply(
        operations.set_graph(
            doc, "t", GraphicalFunction((0.0, 4.0, 6.0), x_points=(0.0, 2.0, 4.0), kind="discrete")
        )
    )
    results = simulate(doc)
    assert results["Effect"][:6].tolist() == [0.0, 2.0, 4.0, 5.0, 6.0, 6.0]  # flat beyond the last point
    assert results["Called"][:6].tolist() == [0.0, 0.0, 4.0, 4.0, 6.0, 6.0]
    doc.apply(
        operations.set_graph(
            doc, "e", GraphicalFunction((0.0, 4.0, 6.0), x_points=(0.0, 2.0, 4.0), kind="extrapolate")
        )
    )
    assert simulate(doc)["Effect"][:7].tolist() == [0.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0]
