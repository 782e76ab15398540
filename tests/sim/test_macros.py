"""Macros defined in the file (XMILE 4.8): expanded at each call, each call with its own stocks."""

from __future__ import annotations

import pytest

from sysmap.io import load
from sysmap.sim import SimulationError, compile_model, simulate

HEADER = '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">'
DIMS = '<dimensions><dim name="D"><elem name="a"/><elem name="b"/></dim></dimensions>'

# the spec's SMOOTH1 written with a stock (4.8.2), under another name so the builtin does not win
MY_SMOOTH = """<macro name="MY SMOOTH"><parm>input</parm><parm>averaging_time</parm>
<parm default="input">initial</parm><eqn>Smooth_of_Input</eqn><variables>
<stock name="Smooth of Input"><eqn>initial</eqn><inflow>change_in_smooth</inflow></stock>
<flow name="change in smooth"><eqn>(input - Smooth_of_Input) / averaging_time</eqn></flow>
</variables></macro>"""


def model(tmp_path, variables: str, macros: str = "", stop: int = 4):
    text = (
        f"{HEADER}<header><vendor>x</vendor><product>test</product></header>"
        f"<sim_specs><start>0</start><stop>{stop}</stop><dt>1</dt></sim_specs>{DIMS}"
        f"<model><variables>{variables}</variables></model>{macros}</xmile>"
    )
    path = tmp_path / "m.xmile"
    path.write_text(text, encoding="utf-8")
    return load(path)


def aux(name: str, eqn: str, dims: str = "") -> str:
    inner = f'<dimensions><dim name="{dims}"/></dimensions>' if dims else ""
    return f'<aux name="{name}">{inner}<eqn>{eqn}</eqn></aux>'


def test_expression_macro_with_a_default_parameter(tmp_path):
    macro = '<macro name="scale"><parm>x</parm><parm default="x + 1">k</parm><eqn>x * k</eqn></macro>'
    doc = model(tmp_path, aux("y", "scale(TIME + 1)") + aux("z", "SCALE(2, 10)"), macro)
    results = simulate(doc)
    assert results["y"].tolist() == [(t + 1) * (t + 2) for t in range(5)]
    assert results["z"].tolist() == [20.0] * 5


def test_each_call_keeps_its_own_stock(tmp_path):
    doc = model(
        tmp_path,
        aux("step input", "STEP(10, 1)")
        + aux("fast", "MY_SMOOTH(step_input, 2)")
        + aux("slow", "MY_SMOOTH(step_input, 4, 5)")
        + aux("builtin", "SMTH1(step_input, 2)"),
        MY_SMOOTH,
    )
    results = simulate(doc)
    # Euler, dt 1: s(t+1) = s + (10 - s) / T once the input is 10 (from t = 1)
    assert results["fast"].tolist() == [0.0, 0.0, 5.0, 7.5, 8.75]
    # the input is 0 at t = 0, so the slow one first falls from its initial 5
    assert results["slow"].tolist() == [5.0, 3.75, 5.3125, 6.484375, 7.36328125]
    assert results["fast"].tolist() == results["builtin"].tolist()


def test_macro_in_an_arrayed_variable_keeps_a_stock_per_element(tmp_path):
    doc = model(
        tmp_path,
        '<aux name="target"><dimensions><dim name="D"/></dimensions>'
        '<element subscript="a"><eqn>10</eqn></element><element subscript="b"><eqn>20</eqn></element></aux>'
        + aux("smoothed", "MY_SMOOTH(target[D], 2, 0)", dims="D"),
        MY_SMOOTH,
    )
    results = simulate(doc)
    assert results["smoothed[a]"].tolist() == [0.0, 5.0, 7.5, 8.75, 9.375]
    assert results["smoothed[b]"].tolist() == [0.0, 10.0, 15.0, 17.5, 18.75]
    ensemble = compile_model(doc).run(runs=2, overrides={"target[a]": [10.0, 2.0]})
    assert ensemble["smoothed[a]"][1].tolist() == [5.0, 1.0]


def test_a_macro_named_like_a_builtin_leaves_the_builtin_in_place(tmp_path):
    # C-LEARN defines INIT as a macro calling INIT; XMILE reserves builtin names (3.2.2.5)
    macro = '<macro name="init"><parm>x</parm><eqn>init</eqn><variables><aux name="init"><eqn>INIT(x)</eqn></aux></variables></macro>'  # noqa: E501
    doc = model(tmp_path, aux("y", "INIT(TIME + 3)"), macro)
    assert simulate(doc)["y"].tolist() == [3.0] * 5


@pytest.mark.parametrize(
    ("macro", "call", "message"),
    [
        (
            '<macro name="fact"><parm>x</parm><eqn>IF x &lt;= 1 THEN 1 ELSE x * fact(x - 1)</eqn></macro>',
            "fact(3)",
            'variable "y": calls the macro fact recursively',
        ),
        (
            '<macro name="loop"><parm>x</parm><eqn>f</eqn>'
            "<sim_specs><start>1</start><stop>x</stop></sim_specs><variables>"
            '<stock name="f"><eqn>1</eqn></stock></variables></macro>',
            "loop(3)",
            'variable "y": macro loop runs a simulation of its own',
        ),
        (
            '<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>',
            "twice(1, 2)",
            'variable "y": calls the macro twice with 2 arguments; it takes 1',
        ),
        (
            '<macro name="leaky"><parm>x</parm><eqn>x + k</eqn></macro>',
            "leaky(1)",
            'variable "y": macro leaky: refers to "k", neither a parameter nor a variable of it',
        ),
        ("", "NOT_DEFINED_MACRO(1)", 'variable "y": calls NOT_DEFINED_MACRO, which is neither a builtin'),
    ],
)
def test_macros_that_cannot_be_expanded_are_named(tmp_path, macro, call, message):
    doc = model(tmp_path, aux("k", "1") + aux("y", call), macro)
    with pytest.raises(SimulationError, match=message):
        compile_model(doc)
