"""Vensim's vector functions (VECTOR SELECT, ELM MAP, SORT ORDER, RANK, REORDER) on hand-computed arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sysmap.io import load
from sysmap.sim import SimulationError, compile_model, simulate

HEADER = '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">'
DIMS = (
    "<dimensions>"
    '<dim name="D"><elem name="a"/><elem name="b"/><elem name="c"/></dim>'
    '<dim name="R"><elem name="r1"/><elem name="r2"/></dim>'
    '<dim name="B"><elem name="B1"/><elem name="B2"/></dim>'
    "</dimensions>"
)


def model(tmp_path, variables: str):
    text = (
        f"{HEADER}<header><vendor>x</vendor><product>test</product></header>"
        "<sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>"
        f"{DIMS}<model><variables>{variables}</variables></model></xmile>"
    )
    path = tmp_path / "m.xmile"
    path.write_text(text, encoding="utf-8")
    return load(path)


def arrayed(name: str, dims: str, eqn: str = "", elements: dict | None = None) -> str:
    inner = "".join(f'<dim name="{d}"/>' for d in dims.split(","))
    body = f"<eqn>{eqn}</eqn>" if eqn else ""
    body += "".join(f'<element subscript="{k}"><eqn>{v}</eqn></element>' for k, v in (elements or {}).items())
    return f'<aux name="{name}"><dimensions>{inner}</dimensions>{body}</aux>'


def aux(name: str, eqn: str) -> str:
    return f'<aux name="{name}"><eqn>{eqn}</eqn></aux>'


SEL_X = arrayed("sel", "D", elements={"a": 0, "b": 1, "c": 2}) + arrayed(
    "x", "D", elements={"a": 5, "b": 7, "c": 3}
)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (0, 7 + 6),  # weighted sum: 1*7 + 2*3
        (1, 7 * 6),  # weighted product
        (2, 6),  # weighted minimum
        (3, 7),  # weighted maximum
        (4, 6.5),  # weighted mean
        (5, 7 * 3**2),  # product of x ^ sel
        (6, 10),  # sum of the selected
        (7, 21),
        (8, 3),
        (9, 7),
        (10, 5),
    ],
)
def test_vector_select_actions(tmp_path, action, expected):
    doc = model(tmp_path, SEL_X + aux("v", f"VECTOR SELECT(sel[*], x[*], -1, {action}, 0)"))
    assert simulate(doc)["v"].tolist() == [expected] * 3


def test_vector_select_gives_the_missing_value_when_nothing_is_selected(tmp_path):
    doc = model(tmp_path, SEL_X + aux("v", "VECTOR SELECT(sel[*] * 0, x[*], -1, 0, 1)"))
    assert simulate(doc)["v"].tolist() == [-1.0] * 3


def test_vector_select_per_element_over_a_starred_dimension(tmp_path):
    # the C-LEARN form: aggregate[R] = VECTOR SELECT(def[*, R], x[*] * def[*, R], 0, VSSUM, ...)
    definition = arrayed(
        "def", "D,R", elements={"a,r1": 1, "b,r1": 1, "c,r1": 0, "a,r2": 0, "b,r2": 0, "c,r2": 1}
    )
    doc = model(
        tmp_path,
        SEL_X + definition + aux("vssum", "0")
        + arrayed("agg", "R", "VECTOR SELECT(def[*, R], x[*] * def[*, R], 0, VSSUM, 1)"),
    )  # fmt: skip
    results = simulate(doc)
    assert results["agg[r1]"][0] == 12.0 and results["agg[r2]"][0] == 3.0


def test_vector_select_in_an_ensemble(tmp_path):
    doc = model(tmp_path, SEL_X + aux("v", "VECTOR SELECT(sel[*], x[*], -1, 9, 0)"))
    results = compile_model(doc).run(runs=3, overrides={"x[b]": [7.0, 1.0, 9.0]})
    assert results["v"][0].tolist() == [7.0, 3.0, 9.0]


def test_vector_select_needs_a_constant_action(tmp_path):
    doc = model(tmp_path, SEL_X + aux("v", "VECTOR SELECT(sel[*], x[*], -1, TIME, 0)"))
    with pytest.raises(SimulationError, match='variable "v": VECTOR SELECT\'s numerical action'):
        compile_model(doc)


def test_vector_elm_map_counts_from_the_named_element(tmp_path):
    # Vensim: b[B] = 1, 2; a[D] = 0, 1, 1; c[D] = 10 + VECTOR ELM MAP(b[B1], a[D]) gives 11, 12, 12
    doc = model(
        tmp_path,
        arrayed("b", "B", elements={"B1": 1, "B2": 2})
        + arrayed("k", "D", elements={"a": 0, "b": 1, "c": 1})
        + arrayed("c", "D", "10 + VECTOR ELM MAP(b[B1], k[D])")
        + aux("fixed", "VECTOR ELM MAP(b[B1], 1)")
        + aux("outside", "VECTOR ELM MAP(b[B2], TIME)"),
    )
    results = simulate(doc)
    assert [results[f"c[{e}]"][0] for e in "abc"] == [11.0, 12.0, 12.0]
    assert results["fixed"][0] == 2.0
    assert results["outside"][0] == 2.0 and math.isnan(results["outside"][1])  # Vensim's :NA:


def test_vector_sort_order_rank_and_reorder(tmp_path):
    # Vensim's help: revenue = 5000, 3000, 8000 ranks 2, 1, 3
    doc = model(
        tmp_path,
        arrayed("rev", "D", elements={"a": 5000, "b": 3000, "c": 8000})
        + arrayed("up", "D", "VECTOR SORT ORDER(rev[D], 1)")
        + arrayed("down", "D", "VECTOR SORT ORDER(rev[D], -1)")
        + arrayed("rank", "D", "VECTOR RANK(rev[D], 1)")
        + arrayed("sorted", "D", "VECTOR REORDER(rev[D], up[D])"),
    )
    results = simulate(doc)

    def row(name):
        return [results[f"{name}[{e}]"][0] for e in "abc"]

    assert row("up") == [1.0, 0.0, 2.0]
    assert row("down") == [2.0, 0.0, 1.0]
    assert row("rank") == [2.0, 1.0, 3.0]
    assert row("sorted") == [3000.0, 5000.0, 8000.0]
    ensemble = compile_model(doc).run(runs=2, overrides={"rev[a]": [5000.0, 1000.0]})
    assert [ensemble[f"up[{e}]"][0].tolist() for e in "abc"] == [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]
    assert np.array_equal(ensemble["rank[a]"][0], [2.0, 1.0])


def test_vector_sort_order_must_define_an_array(tmp_path):
    doc = model(tmp_path, arrayed("rev", "D", "1") + aux("so", "VECTOR SORT ORDER(rev[D], 1)"))
    with pytest.raises(SimulationError, match='variable "so": VECTOR_SORT_ORDER must define an array'):
        compile_model(doc)
