"""The simulation engine on hand-computed models: file in, numbers out."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from sysmap.io import load
from sysmap.model import Kind, SystemMap
from sysmap.sim import SimulationError, compile_model, simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">'


def model(tmp_path, variables: str, *, start=0, stop=10, dt=1, method="euler", extra="", product="test",
          save=None) -> SystemMap:  # fmt: skip
    """A document read from a small XMILE file holding ``variables``."""
    save_attr = f' xmlns:isee="http://iseesystems.com/XMILE" isee:save_interval="{save}"' if save else ""
    text = (
        f"{HEADER}<header><vendor>x</vendor><product>{product}</product></header>"
        f'<sim_specs method="{method}"{save_attr}><start>{start}</start><stop>{stop}</stop><dt>{dt}</dt>'
        f"</sim_specs>{extra}<model><variables>{variables}</variables></model></xmile>"
    )
    path = tmp_path / "m.xmile"
    path.write_text(text, encoding="utf-8")
    return load(path)


def stock(name, eqn, inflows=(), outflows=(), extra=""):
    flows = "".join(f"<inflow>{f}</inflow>" for f in inflows) + "".join(
        f"<outflow>{f}</outflow>" for f in outflows
    )
    return f'<stock name="{name}"><eqn>{eqn}</eqn>{flows}{extra}</stock>'


def flow(name, eqn, extra=""):
    return f'<flow name="{name}"><eqn>{eqn}</eqn>{extra}</flow>'


def aux(name, eqn, extra=""):
    return f'<aux name="{name}"><eqn>{eqn}</eqn>{extra}</aux>'


# -- integration --------------------------------------------------------------------------------------


def test_bathtub_drains_geometrically(tmp_path):
    doc = model(tmp_path, stock("Water", 100, outflows=["drain"]) + flow("drain", "Water / 10"))
    results = simulate(doc)
    assert results.times.tolist() == [float(t) for t in range(11)]
    assert results["water"] == pytest.approx([100 * 0.9**k for k in range(11)])
    assert results["Drain"] == pytest.approx([10 * 0.9**k for k in range(11)])


def test_growth_euler_rk2_rk4_against_the_exact_solution(tmp_path):
    doc = model(tmp_path, stock("P", 1, inflows=["g"]) + flow("g", "0.1 * P"), stop=20, dt=0.5)
    compiled = compile_model(doc)
    exact = math.exp(2.0)
    euler = compiled.run(method="euler")["P"][-1]
    rk2 = compiled.run(method="rk2")["P"][-1]
    rk4 = compiled.run(method="rk4")["P"][-1]
    assert euler == pytest.approx(1.05**40)
    assert abs(rk4 - exact) < 1e-6 < abs(rk2 - exact) < abs(euler - exact)


def test_logistic_growth_reaches_capacity(tmp_path):
    doc = model(tmp_path, stock("N", 10, inflows=["growth"]) + flow("growth", "0.5 * N * (1 - N / 1000)"),
                stop=40, dt=0.125, method="rk4")  # fmt: skip
    results = simulate(doc)
    exact = [1000 / (1 + 99 * math.exp(-0.5 * t)) for t in results.times]
    assert results["n"] == pytest.approx(exact, rel=1e-6)


def test_save_interval_and_dt_reciprocal(tmp_path):
    doc = model(tmp_path, aux("x", "TIME"), stop=2, dt=0.25, save=0.5)
    assert simulate(doc).times.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    text = (tmp_path / "m.xmile").read_text().replace("<dt>0.25</dt>", '<dt reciprocal="true">4</dt>')
    (tmp_path / "m.xmile").write_text(text)
    assert simulate(tmp_path / "m.xmile").times.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_values_only_reported_are_right_at_every_save(tmp_path):
    # "report" feeds no stock: it is computed only at save times, every 4th step
    doc = model(
        tmp_path,
        stock("s", 0, inflows=["f"]) + flow("f", "1") + aux("report", "s * 10 + TIME"),
        stop=2,
        dt=0.25,
        save=1,
    )
    results = simulate(doc)
    assert results["report"].tolist() == [0.0, 11.0, 22.0]


def test_a_lookup_of_time_used_by_several_variables(tmp_path):
    table = '<gf><xscale min="0" max="4"/><ypts>0,10,20,30,40</ypts></gf>'
    doc = model(
        tmp_path,
        aux("series", "", table)
        + stock("s", 0, inflows=["f"])
        + flow("f", "LOOKUP(series, TIME / 2) + STEP(1, 2)")
        + aux("twice", "2 * LOOKUP(series, TIME / 2) + STEP(1, 2)"),
        stop=4,
    )
    results = simulate(doc)
    assert results["f"].tolist() == [0.0, 5.0, 11.0, 16.0, 21.0]
    assert results["twice"].tolist() == [0.0, 10.0, 21.0, 31.0, 41.0]
    assert results["s"].tolist() == [0.0, 0.0, 5.0, 16.0, 32.0]


def test_values_settled_at_the_start_can_be_overridden(tmp_path):
    doc = model(
        tmp_path,
        stock("s", "start", inflows=["f"]) + flow("f", "rate") + aux("start", "3")
        + aux("rate", "INIT(s) / 3") + aux("double", "rate * 2"),
        stop=2,
    )  # fmt: skip
    compiled = compile_model(doc)
    assert compiled.run()["s"].tolist() == [3.0, 4.0, 5.0]
    assert compiled.run(overrides={"double": 7})["double"].tolist() == [7.0, 7.0, 7.0]
    assert compiled.run(overrides={"rate": 2})["s"].tolist() == [3.0, 5.0, 7.0]
    assert compiled.run(overrides={"start": 6})["s"].tolist() == [6.0, 8.0, 10.0]
    assert compiled.run(overrides={"rate": [2.0, 0.0]}, runs=2)["s"][2].tolist() == [7.0, 3.0]


def test_rk4_integrates_hidden_stocks_too(tmp_path):
    # SMTH1 of a constant input from 0: 10 * (1 - exp(-t / 2)); RK4 is close at dt 0.5
    doc = model(tmp_path, aux("y", "SMTH1(10, 2, 0)"), stop=4, dt=0.5, method="rk4")
    expected = [10 * (1 - math.exp(-t / 2)) for t in np.arange(0, 4.5, 0.5)]
    assert simulate(doc)["y"].tolist() == pytest.approx(expected, abs=1e-3)
    assert compile_model(doc).run(runs=2)["y"][:, 1].tolist() == pytest.approx(expected, abs=1e-3)


# -- builtins -----------------------------------------------------------------------------------------


def test_smth1_follows_the_closed_form(tmp_path):
    doc = model(tmp_path, aux("s", "SMTH1(10, 4, 0)"), stop=20, dt=0.0625, method="rk4")
    results = simulate(doc)
    exact = [10 * (1 - math.exp(-t / 4)) for t in results.times]
    assert results["s"] == pytest.approx(exact, abs=1e-6)


def test_delay3_conserves_material_and_reaches_the_input(tmp_path):
    variables = (
        aux("input", "PULSE(12, 1)")
        + aux("out", "DELAY3(input, 6)")
        + stock("received", 0, inflows=["arrive"])
        + flow("arrive", "out")
    )
    results = simulate(model(tmp_path, variables, stop=120, dt=0.25))
    assert results["input"][results.times.tolist().index(1.0)] == pytest.approx(12 / 0.25)
    assert results["received"][-1] == pytest.approx(12, rel=1e-4)
    steady = simulate(model(tmp_path, aux("out", "DELAY3(5, 6)"), stop=30, dt=0.25))
    assert steady["out"] == pytest.approx(np.full(121, 5.0))


def test_pipeline_delay_shifts_its_input(tmp_path):
    results = simulate(model(tmp_path, aux("x", "TIME * 2") + aux("late", "DELAY(x, 3, -1)"), stop=8))
    assert results["late"].tolist() == [-1, -1, -1, 0, 2, 4, 6, 8, 10]


def test_pulse_step_ramp(tmp_path):
    variables = (
        aux("p", "PULSE(2, 2, 3)")
        + aux("once", "PULSE(4, 1)")
        + aux("s", "STEP(5, 3)")
        + aux("r", "RAMP(2, 4, 6)")
    )
    results = simulate(model(tmp_path, variables, stop=10, dt=0.5))
    t = results.times
    assert results["p"][t.tolist().index(2.0)] == 4.0 and results["p"][t.tolist().index(5.0)] == 4.0
    assert results["p"].sum() == pytest.approx(4.0 * 3)  # pulses at 2, 5 and 8
    assert results["once"].sum() == pytest.approx(8.0)
    assert results["s"].tolist() == [0.0 if x < 3 else 5.0 for x in t]
    assert results["r"].tolist() == [0.0 if x < 4 else 2 * (min(x, 6) - 4) for x in t]


def test_init_previous_and_self(tmp_path):
    variables = aux("x", "TIME * TIME") + aux("first", "INIT(x + 1)") + aux("before", "PREVIOUS(x, -5)")
    variables += aux("count", "PREVIOUS(SELF, 0) + 1")
    results = simulate(model(tmp_path, variables, start=1, stop=4))
    assert results["first"].tolist() == [2.0] * 4
    assert results["before"].tolist() == [-5.0, 1.0, 4.0, 9.0]
    assert results["count"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_operators_and_functions(tmp_path):
    cases = {
        "-2^2": -4.0,
        "2^3^2": 512.0,
        "-7 MOD 3": 2.0,
        "INT(-2.5)": -3.0,
        "(3 > 2) + (2 = 2) + (1 <> 1)": 2.0,
        "IF 1 AND NOT 0 THEN 10 ELSE 20": 10.0,
        "MIN(4, 2) + MAX(1, 9)": 11.0,
        "SAFEDIV(1, 0, 7) + SAFEDIV(6, 3)": 9.0,
        "ROUND(2.5) + SIGN(-3) + ABS(-2)": 4.0,
        "LOG10(1000) + LN(EXP(2)) + SQRT(16)": 9.0,
        "MODULO(7, 4) + IF_THEN_ELSE(0, 1, 2)": 5.0,
        "PI": math.pi,
        "STARTTIME + STOPTIME + DT": 11.0,
    }
    variables = "".join(
        aux(f"v{i}", eqn.replace("<", "&lt;").replace(">", "&gt;")) for i, eqn in enumerate(cases)
    )
    results = simulate(model(tmp_path, variables))
    for i, (eqn, expected) in enumerate(cases.items()):
        assert results[f"v{i}"][0] == pytest.approx(expected), eqn


def test_vensim_files_truncate_int_and_mod(tmp_path):
    variables = aux("i", "INT(-2.5)") + aux("m", "-7 MOD 3")
    stella = simulate(model(tmp_path, variables, product="Stella Architect"))
    vensim = simulate(model(tmp_path, variables, product="Vensim"))
    assert (stella["i"][0], stella["m"][0]) == (-3.0, 2.0)
    assert (vensim["i"][0], vensim["m"][0]) == (-2.0, -1.0)


def test_vensim_export_rk4_means_euler(tmp_path):
    variables = stock("P", 1, inflows=["g"]) + flow("g", "P")
    assert simulate(model(tmp_path, variables, method="RK4", product="Vensim"))["P"][-1] == pytest.approx(
        2**10
    )
    assert simulate(model(tmp_path, variables, method="RK4"))["P"][-1] == pytest.approx((65 / 24) ** 10)


def test_graphical_functions(tmp_path):
    def gf(kind):
        return f'<gf type="{kind}"><xpts>0,1,2</xpts><ypts>0,10,40</ypts></gf>'

    variables = (
        aux("x", "TIME - 1")
        + aux("cont", "x", gf("continuous"))
        + aux("extra", "x", gf("extrapolate"))
        + aux("disc", "x", gf("discrete"))
        + '<gf name="table"><xscale min="0" max="2"/><ypts>0,10,40</ypts></gf>'
        + aux("called", "table(x) + LOOKUP(table, 0.5)")
    )
    results = simulate(model(tmp_path, variables, stop=4, dt=0.5))
    x = results["x"]
    assert results["cont"].tolist() == [float(np.interp(v, [0, 1, 2], [0, 10, 40])) for v in x]
    assert results["extra"][0] == -10.0 and results["extra"][-1] == 40 + 30 * 1
    assert results["disc"].tolist() == [0, 0, 0, 0, 10, 10, 40, 40, 40]
    assert results["called"][3] == pytest.approx(5 + 5)


def test_uniflows_and_non_negative_stocks(tmp_path):
    variables = (
        stock("tank", 5, outflows=["first", "second"], extra="<non_negative/>")
        + flow("first", "4", "<non_negative/>")
        + flow("second", "4", "<non_negative/>")
        + stock("other", 0, inflows=["back"])
        + flow("back", "-3", "<non_negative/>")
    )
    results = simulate(model(tmp_path, variables, stop=3))
    assert results["tank"].tolist() == [5.0, 0.0, 0.0, 0.0]
    assert results["first"].tolist() == [4.0, 0.0, 0.0, 0.0]  # first in priority order
    assert results["second"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert results["back"].tolist() == [0.0] * 4


# -- arrays and modules ---------------------------------------------------------------------------------


def test_arrays_apply_to_all_element_wise_and_sums(tmp_path):
    dims = '<dimensions><dim name="City"><elem name="A"/><elem name="B"/><elem name="C"/></dim></dimensions>'
    city = '<dimensions><dim name="City"/></dimensions>'
    variables = (
        '<aux name="size">' + city + '<element subscript="A"><eqn>1</eqn></element>'
        '<element subscript="B"><eqn>2</eqn></element><element subscript="C"><eqn>3</eqn></element></aux>'
        + stock("pop", "size * 10", inflows=["growth"], extra=city)
        + flow("growth", "pop[City] * rate", extra=city)
        + aux("rate", "0.1")
        + aux("total", "SUM(pop[*])")
        + aux("biggest", "MAX(size[*]) + MEAN(size) + SIZE(size)")
        + aux("second", "pop[B] + size[3]")
    )
    results = simulate(model(tmp_path, variables, stop=2, extra=dims))
    assert results["pop[a]"].tolist() == pytest.approx([10, 11, 12.1])
    assert results["Pop[C]"][0] == 30
    assert results["total"].tolist() == pytest.approx([60, 66, 72.6])
    assert results["biggest"][0] == 3 + 2 + 3
    assert results["second"][0] == 23
    assert "pop[B]" in results.names or "pop[b]" in [n.lower() for n in results.names]
    with pytest.raises(SimulationError, match="is an array"):
        results["pop"]


def test_modules_connect_to_the_outside(tmp_path):
    text = (
        f"{HEADER}<header><product>test</product></header><sim_specs><start>0</start><stop>2</stop><dt>1</dt>"
        "</sim_specs><model><variables>"
        '<module name="growth"><connect to="rate" from=".outer_rate"/></module>'
        + aux("outer rate", "0.5")
        + '</variables></model><model name="growth"><variables>'
        + stock("level", 2, inflows=["inc"])
        + flow("inc", "level * rate")
        + aux("rate", "")
        + "</variables></model></xmile>"
    )
    path = tmp_path / "modules.xmile"
    path.write_text(text)
    results = simulate(path)
    assert results["growth.level"].tolist() == [2.0, 3.0, 4.5]


# -- running ---------------------------------------------------------------------------------------------


def test_overrides_constants_stocks_and_time_varying_variables(tmp_path):
    doc = model(tmp_path, stock("P", 1, inflows=["g"]) + flow("g", "P * k") + aux("k", "0.1 * TIME"), stop=2)
    compiled = compile_model(doc)
    assert compiled.run(overrides={"k": 1})["P"].tolist() == [1.0, 2.0, 4.0]
    assert compiled.run(overrides={"P": 3, "K": 0})["p"].tolist() == [3.0, 3.0, 3.0]
    assert compiled.run()["P"].tolist() == pytest.approx([1.0, 1.0, 1.1])
    with pytest.raises(SimulationError, match='no variable named "nope"'):
        compiled.run(overrides={"nope": 1})
    with pytest.raises(SimulationError, match="not a number"):
        compiled.run(overrides={"k": "lots"})


def test_an_ensemble_equals_single_runs(tmp_path):
    variables = (
        stock("S", 990, outflows=["inf"])
        + stock("I", 10, inflows=["inf"], outflows=["rec"])
        + flow("inf", "beta * S * I / 1000")
        + flow("rec", "I / 5")
        + aux("beta", "0.5")
        + aux("noise", "RANDOM(0, 1)")
    )
    compiled = compile_model(model(tmp_path, variables, stop=30, dt=0.25))
    betas = np.random.default_rng(3).uniform(0.1, 1.0, 1000)
    ensemble = compiled.run(overrides={"beta": betas}, runs=1000, seed=1)
    assert ensemble["I"].shape == (121, 1000)
    for run in range(0, 1000, 1):
        single = compiled.run(overrides={"beta": float(betas[run])})
        assert ensemble["I"][::20, run] == pytest.approx(single["I"][::20], rel=1e-12)
    again = compiled.run(overrides={"beta": betas}, runs=1000, seed=1)
    assert np.array_equal(again["noise"], ensemble["noise"])


def test_results_to_csv(tmp_path):
    results = simulate(model(tmp_path, aux("Rate of x", "TIME / 2"), stop=2))
    path = tmp_path / "out.csv"
    results.to_csv(path)
    assert path.read_text().splitlines() == ["time,Rate of x", "0.0,0.0", "1.0,0.5", "2.0,1.0"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.xmile")), ids=lambda p: p.stem)
def test_every_example_with_equations_simulates(path):
    doc = load(path)
    if not any(v.kind in (Kind.STOCK, Kind.FLOW, Kind.AUX) for v in doc.variables.values()):
        pytest.skip("a causal loop diagram: nothing to simulate")
    results = compile_model(doc).run()
    assert len(results.times) > 1
    assert all(np.isfinite(results.data).all(axis=0)), "a variable went to inf or nan"


def test_an_ensemble_keeps_only_the_variables_asked_for(tmp_path):
    variables = (
        stock("S", 990, outflows=["inf"])
        + stock("I", 10, inflows=["inf"], outflows=["rec"])
        + flow("inf", "beta * S * I / 1000")
        + flow("rec", "I / 5")
        + aux("beta", "0.5")
    )
    compiled = compile_model(model(tmp_path, variables, stop=30, dt=0.25))
    betas = np.random.default_rng(3).uniform(0.1, 1.0, 50)
    everything = compiled.run(overrides={"beta": betas}, runs=50)
    kept = compiled.run(overrides={"beta": betas}, runs=50, keep=["i", "Beta"])
    assert sorted(kept.names) == ["I", "beta"] and kept.data.shape == (121, 2, 50)
    assert np.array_equal(kept["I"], everything["I"]) and np.array_equal(kept["beta"], everything["beta"])
    with pytest.raises(SimulationError, match='hold no variable named "S"'):
        kept["S"]
    single = compiled.run(keep="S")
    assert single.names == ["S"] and single["S"].tolist() == compiled.run()["S"].tolist()
    with pytest.raises(SimulationError, match='no variable named "nope"'):
        compiled.run(runs=3, keep=["nope"])


@pytest.mark.parametrize("noise", ["0", "RANDOM(0, 1)"])
def test_a_kept_variable_computed_only_for_saving_is_computed_all_the_same(tmp_path, noise):
    # "ratio" and "shown" feed no stock: the loop computes them only at save times, and, when
    # only some variables are kept, only those the kept ones read -- but every random draw
    variables = (
        stock("S", 100, outflows=["out"])
        + flow("out", "S * k + noise * 0")
        + aux("k", "0.1")
        + aux("noise", noise)
        + aux("ratio", "out / S")
        + aux("shown", "ratio * 2 + noise")
        + aux("unread", "S * 3")
    )
    compiled = compile_model(model(tmp_path, variables, stop=12, dt=0.5, save=1))
    ks = np.random.default_rng(5).uniform(0.05, 0.2, 20)
    everything = compiled.run(overrides={"k": ks}, runs=20, seed=4)
    kept = compiled.run(overrides={"k": ks}, runs=20, seed=4, keep=["shown", "S", "k"])
    assert kept.names == ["S", "k", "shown"] and kept.data.shape == (13, 3, 20)
    for name in kept.names:
        assert np.array_equal(kept[name], everything[name])
    assert kept["shown"][3, 7] != 0.0


@pytest.mark.parametrize("save", [None, 2, 3])
def test_saves_and_the_last_step_whichever_way_the_loop_is_written(tmp_path, monkeypatch, save):
    from sysmap.sim import loop

    variables = (
        stock("P", 1, inflows=["g"])
        + flow("g", "P * k")
        + aux("k", "0.1 + TIME / 100")
        + aux("twice", "P * 2")
    )
    doc = model(tmp_path, variables, stop=10, dt=1, save=save)
    p = [1.0]
    for k in range(10):
        p.append(p[-1] + p[-1] * (0.1 + k / 100))
    kept = list(range(0, 11, save or 1))
    written = [compile_model(doc).run()]
    rk4 = compile_model(doc).run(method="rk4")
    monkeypatch.setattr(loop, "_REPEATED_CELLS", -1)  # as for a large model: no repeated last step
    written += [compile_model(doc).run(), compile_model(doc).run(runs=2)]
    assert np.array_equal(compile_model(doc).run(method="rk4").data, rk4.data)
    for results in written:
        assert results.times.tolist() == [float(k) for k in kept]
        assert np.asarray(results["P"]).reshape(len(kept), -1)[:, 0] == pytest.approx([p[k] for k in kept])
        assert np.asarray(results["twice"]).reshape(len(kept), -1)[:, 0] == pytest.approx(
            [2 * p[k] for k in kept]
        )


# -- bad input ---------------------------------------------------------------------------------------------


def test_algebraic_loop_names_the_cycle(tmp_path):
    doc = model(tmp_path, aux("a", "b + 1") + aux("b", "c * 2") + aux("c", "a") + aux("d", "a"))
    with pytest.raises(SimulationError, match=r"algebraic loop") as error:
        compile_model(doc)
    cycle = str(error.value).rsplit(": ", 1)[1]  # in causal order: a feeds c, which feeds b
    assert cycle in ("a -> c -> b -> a", "c -> b -> a -> c", "b -> a -> c -> b")


@pytest.mark.parametrize(
    ("equation", "message"),
    [
        ("FOO(1)", 'variable "x": calls FOO, which is neither a builtin'),
        ("???", 'variable "x": the equation is ??? (the converter could not translate it)'),
        ("1 +", 'variable "x": column 4: expected an operand after "+"'),
        ("y * 2", 'variable "x": refers to unknown variable "y"'),
        ("SMTH1(1)", 'variable "x": SMTH1 takes 2 to 3 arguments, not 1'),
        ("", 'variable "x": has no equation'),
    ],
)
def test_bad_equations_give_one_line_naming_the_variable(tmp_path, equation, message):
    with pytest.raises(SimulationError) as error:
        compile_model(model(tmp_path, aux("x", equation)))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_division_by_zero_gives_inf_and_nan_not_a_crash(tmp_path):
    variables = aux("z", "0") + aux("inf", "1 / z") + aux("nan", "z / z") + aux("dom", "SQRT(-1) + LN(z)")
    results = simulate(model(tmp_path, variables, stop=2))
    assert results["inf"].tolist() == [math.inf] * 3
    assert np.isnan(results["nan"]).all() and np.isnan(results["dom"]).all()


def test_generated_code_holds_no_file_text(tmp_path):
    doc = model(tmp_path, aux("import os", "1.50") + aux("evil", '"import os" * 2 {system}'))
    source = compile_model(doc).source() + compile_model(doc).source(vector=True)
    for text in ("import", "os", "evil", "system", "1.50"):
        assert text not in source
    assert simulate(doc)["evil"][0] == 3.0


def test_ten_thousand_variables_compile(tmp_path):
    doc = SystemMap()
    doc.add_variable("v0", kind=Kind.AUX, equation="TIME")
    with doc.batch():
        for i in range(1, 10_000):
            doc.add_variable(f"v{i}", kind=Kind.AUX, equation=f"v{i - 1} * 0.5 + {i}")
    started = time.perf_counter()
    compiled = compile_model(doc)
    elapsed = time.perf_counter() - started
    expected = 0.0
    for i in range(1, 10_000):
        expected = expected * 0.5 + i
    assert compiled.run()["v9999"][0] == pytest.approx(expected)
    assert elapsed < 120  # generous: a sanity bound, not a timing assertion


def test_transpose_swaps_the_dimensions(tmp_path):
    dims = (
        '<dimensions><dim name="R"><elem name="r1"/><elem name="r2"/></dim>'
        '<dim name="C"><elem name="c1"/><elem name="c2"/><elem name="c3"/></dim>'
        '<dim name="X"><elem name="x1"/><elem name="x2"/></dim>'
        '<dim name="Y"><elem name="y1"/><elem name="y2"/></dim></dimensions>'
    )
    cells = {"r1,c1": 1, "r1,c2": 2, "r1,c3": 3, "r2,c1": 4, "r2,c2": 5, "r2,c3": 6}
    matrix = "".join(f'<element subscript="{k}"><eqn>{v}</eqn></element>' for k, v in cells.items())
    square = "".join(
        f'<element subscript="{k}"><eqn>{v}</eqn></element>'
        for k, v in {"x1,y1": 1, "x1,y2": 2, "x2,y1": 3, "x2,y2": 4}.items()
    )
    doc = model(
        tmp_path,
        f'<aux name="m"><dimensions><dim name="R"/><dim name="C"/></dimensions>{matrix}</aux>'
        '<aux name="t"><dimensions><dim name="C"/><dim name="R"/></dimensions><eqn>m\'</eqn></aux>'
        f'<aux name="s"><dimensions><dim name="X"/><dim name="Y"/></dimensions>{square}</aux>'
        # X and Y have the same size: s' over [X, Y] is s by position, swapped
        '<aux name="st"><dimensions><dim name="X"/><dim name="Y"/></dimensions><eqn>s\'</eqn></aux>'
        + aux("total", "SUM(m')"),
        extra=dims,
    )
    results = simulate(doc)
    assert results["t[c3,r1]"][0] == 3.0 and results["t[c1,r2]"][0] == 4.0
    assert [results[f"st[{k}]"][0] for k in ("x1,y1", "x1,y2", "x2,y1", "x2,y2")] == [1.0, 3.0, 2.0, 4.0]
    assert results["total"][0] == 21.0


def test_active_initial_is_refused_naming_it(tmp_path):
    doc = model(tmp_path, stock("s", "v") + aux("v", "ACTIVE INITIAL(TIME, 45)"))
    with pytest.raises(
        SimulationError, match='variable "v": uses Vensim\'s ACTIVE INITIAL, which has no XMILE'
    ):
        compile_model(doc)


def test_init_eqn_sets_the_initial_value_of_one_element(tmp_path):
    # C-LEARN's buffer factor: an element's own <init_eqn> breaks an initial-value loop
    dims = '<dimensions><dim name="D"><elem name="a"/><elem name="b"/></dim></dimensions>'
    doc = model(
        tmp_path,
        stock("s", "f[a] + f[b]", inflows=["inflow"])
        + flow("inflow", "1")
        + '<aux name="f"><dimensions><dim name="D"/></dimensions>'
        '<element subscript="a"><eqn>s</eqn><init_eqn>2</init_eqn></element>'
        '<element subscript="b"><eqn>s * 10</eqn><init_eqn>3</init_eqn></element></aux>',
        stop=2,
        extra=dims,
    )
    results = simulate(doc)
    assert results["s"].tolist() == [5.0, 6.0, 7.0]
    assert results["f[b]"].tolist() == [50.0, 60.0, 70.0]


def test_bad_run_arguments(tmp_path):
    compiled = compile_model(model(tmp_path, aux("k", "1")))
    with pytest.raises(SimulationError, match="unknown integration method"):
        compiled.run(method="leapfrog")
    with pytest.raises(SimulationError, match="runs must be"):
        compiled.run(runs=0)
    with pytest.raises(SimulationError, match="2 values for 3 runs"):
        compiled.run(overrides={"k": [1, 2]}, runs=3)


def test_copies_and_constant_arithmetic_keep_every_number_to_the_bit(tmp_path):
    variables = (
        stock("Water", 100, outflows=["drain"])
        + flow("drain", "k1 * k2 * Water / k3")
        + aux("k1", "0.5")
        + aux("k2", "0.3")
        + aux("k3", "1.5")
        + aux("copy", "Water")
        + aux("copy of copy", "copy")
        + aux("reordered", "Water * k1 * k2")
        + aux("wave", "SIN(TIME / k3) + SIN(TIME / k3) * k1")
    )
    compiled = compile_model(model(tmp_path, variables, stop=5, dt=0.5))
    water, rows = 100.0, []
    for k in range(11):
        t = k * 0.5
        drain = 0.5 * 0.3 * water / 1.5
        rows.append((water, drain, water * 0.5 * 0.3, math.sin(t / 1.5) + math.sin(t / 1.5) * 0.5))
        water -= 0.5 * drain
    for results in (compiled.run(), compiled.run(runs=2, overrides={"k3": [1.5, 1.5]})):
        data = results.data if results.data.ndim == 2 else results.data[:, :, 0]
        names = ("water", "drain", "reordered", "wave", "copy", "copy of copy")
        got = {name: data[:, results.index(name)].tolist() for name in names}
        assert got["water"] == got["copy"] == got["copy of copy"] == [r[0] for r in rows]
        assert got["drain"] == [r[1] for r in rows]
        assert got["reordered"] == [r[2] for r in rows]
        assert got["wave"] == [r[3] for r in rows]


def test_a_guarded_division_by_a_zero_constant_is_never_computed(tmp_path):
    variables = aux("z", "0") + aux("k", "2") + aux("guarded", "IF z > 0 THEN TIME * k / z ELSE TIME * k / 4")
    compiled = compile_model(model(tmp_path, variables, stop=2))
    before_loop = compiled.source().split("for _k")[0]
    assert "/ c" not in before_loop  # k / z stays in its branch
    assert compiled.run()["guarded"].tolist() == [0.0, 0.5, 1.0]
