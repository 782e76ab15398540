"""The SDXorg conformance suite: every run simulated by sysmap matches its reference output.

One test per run (a model file beside an ``output.csv``/``output.tab``; see ``conformance.py`` for how
references are read and compared). ``conformance_expectations.toml`` lists, with reasons, the runs whose
file holds no complete model -- they must fail, with a message naming the cause -- and the runs sysmap
does not match yet, as strict xfails. The session summary prints the pass count. Then come the tests of
the harness itself: reading references, tolerances, names, expectations.

The suite lives outside the repository (``../shared/conformance/sdxorg``); without it this module is
skipped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import conformance  # noqa: E402
from conformance import Reference, ReferenceFileError, Table, Verdict  # noqa: E402

if not conformance.SUITE.is_dir():
    pytest.skip(f"the conformance suite is not at {conformance.SUITE}", allow_module_level=True)

RUNS = conformance.find_runs()
EXPECTATIONS_FILE = HERE / "conformance_expectations.toml"
EXPECTATIONS = conformance.load_expectations(EXPECTATIONS_FILE, [r.id for r in RUNS])


@pytest.fixture(scope="module")
def engine():
    try:
        from sysmap.sim import compile_model  # noqa: F401
    except ImportError:
        pytest.skip("the simulation engine (sysmap.sim.compile_model) is not there yet")


@pytest.mark.parametrize("run", RUNS, ids=[r.id for r in RUNS])
def test_run_matches_its_reference(run, engine, request, conformance_tally):
    expectation = EXPECTATIONS.get(run.id)
    if expectation is not None and expectation.kind == "xfail":
        request.applymarker(pytest.mark.xfail(reason=expectation.reason, strict=True))
    verdict = conformance.check(run)
    conformance_tally[run.id] = verdict
    if expectation is not None and expectation.kind == "cannot":
        assert not verdict.ok, f"it matches, yet the file holds no complete model: {expectation.reason}"
        named = verdict.status == expectation.status and re.search(expectation.message, verdict.reason)
        assert named, (
            f"it fails, but not as expected ({expectation.status} matching {expectation.message!r}: "
            f"{expectation.reason}): {verdict.status}: {verdict.reason}"
        )
        return
    assert verdict.ok, f"{verdict.status}: {verdict.reason}"


# -- the suite and the expectation file ----------------------------------------------------------------


def test_the_suite_has_118_runs_against_57_references():
    assert len(RUNS) == 118
    assert len({r.reference for r in RUNS}) == 57


def test_the_runs_that_cannot_match_are_exactly_the_incomplete_files():
    """The expectation file lists every file with a ``???`` equation, every file calling a macro it
    does not define and the ACTIVE INITIAL test: found here by reading the files."""
    unconverted, macros, active_initial = set(), set(), set()
    for run in RUNS:
        text = run.model.read_text(encoding="utf-8", errors="replace")
        if re.search(r"<eqn>\s*\?\?\?\s*</eqn>", text):
            unconverted.add(run.id)
        if re.search(r"<eqn>[^<]*\bMACRO\s*\(", text) and "<macro" not in text:
            macros.add(run.id)
        if "active initial" in text.lower():
            active_initial.add(run.id)
    assert (len(unconverted), len(macros), len(active_initial)) == (16, 8, 2)
    listed = {run_id for run_id, expectation in EXPECTATIONS.items() if expectation.kind == "cannot"}
    assert listed == unconverted | macros | active_initial


def test_every_listed_run_exists_and_no_run_is_listed_twice(tmp_path):
    text = '[[xfail]]\nreason = "r"\nruns = ["tests/abs/test_abs.xmile", "tests/abs/test_abs.xmile"]\n'
    (tmp_path / "twice.toml").write_text(text)
    with pytest.raises(ValueError, match="listed twice"):
        conformance.load_expectations(tmp_path / "twice.toml")
    (tmp_path / "gone.toml").write_text('[[xfail]]\nreason = "r"\nruns = ["tests/gone/gone.xmile"]\n')
    with pytest.raises(ValueError, match="no run of the suite"):
        conformance.load_expectations(tmp_path / "gone.toml", [r.id for r in RUNS])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[[xfail]]\nruns = ["a"]\n', "without a reason"),
        ('[[cannot_match]]\nreason = "r"\nruns = ["a"]\n', "give the status and message"),
        ("[[xfail]\n", "line 1"),
        ('[[skip]]\nreason = "r"\n', "unknown table 'skip'"),
    ],
)
def test_a_broken_expectation_file_says_what_is_wrong(tmp_path, text, error):
    path = tmp_path / "expect.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(error)):
        conformance.load_expectations(path)


# -- reading references ----------------------------------------------------------------------------------


def test_a_vensim_tab_file_with_lone_cr_line_ends_and_blank_constants(tmp_path):
    path = tmp_path / "output.tab"
    path.write_bytes(b'Time\tStock\tRate\t"Two Dims[A,D]"\r0\t1\t0.5\t7\r1\t1.5\t\t\t\r\r2\t2\t\t\r')
    reference = conformance.read_reference(path)
    assert reference.times.tolist() == [0, 1, 2]
    assert reference.columns["Rate"].tolist() == [0.5, 0.5, 0.5]
    assert reference.columns["Two Dims[A,D]"].tolist() == [7, 7, 7]
    assert not reference.vensim  # no README credits Vensim with it


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "no header line"),
        ("Time\n", "expected a time column and at least one other"),
        ("Time,x\n", "no data rows"),
        ("Time,x\n0,1\n1,one\n", ":3: 'one' is not a number"),
        ("Time,x\n0,1,2\n", ":2: 3 cells, but the header names 2"),
        ("Time,x\n,1\n", "a row without a time"),
    ],
)
def test_a_broken_reference_says_where(tmp_path, text, error):
    path = tmp_path / "output.csv"
    path.write_text(text)
    with pytest.raises(ReferenceFileError, match=re.escape(error)):
        conformance.read_reference(path)


@pytest.mark.parametrize(
    ("directory", "vensim"),
    [
        ("tests/rounding", True),  # output.tab, credited to Vensim 7.3.4
        ("samples/teacup", True),  # output.csv, credited to Vensim 6.3
        ("tests/builtin_max", False),  # Stella 10
        ("tests/logicals", False),  # output.csv is Stella's; output_vensim63dss.csv is no reference
        ("tests/exponentiation", False),  # output.tab, but the README credits Stella with it
        ("tests/delay_xmile", False),  # no software named
    ],
)
def test_vensim_made_references_are_known_by_their_readme(directory, vensim):
    reference = next(r.reference for r in RUNS if r.id.startswith(directory + "/"))
    assert conformance.read_reference(reference).vensim is vensim


def test_every_reference_of_the_suite_reads():
    for reference in sorted({r.reference for r in RUNS}):
        read = conformance.read_reference(reference)
        assert read.columns and not np.isnan(read.times).any(), reference


# -- comparing ---------------------------------------------------------------------------------------


def reference(columns: dict[str, list[float]], times=(0.0, 1.0, 2.0), vensim=False) -> Reference:
    return Reference(
        Path("output.tab"), np.array(times), {k: np.array(v, float) for k, v in columns.items()}, vensim
    )


@pytest.mark.parametrize(
    ("expected", "got", "vensim", "ok"),
    [
        (100.0, 100.0019, False, True),  # within 2e-3
        (100.0, 100.0021, False, False),
        (1e6, 1e6 + 4.9, True, True),  # Vensim's six digits: 5e-6 relative
        (1e6, 1e6 + 5.1, True, False),
        (1e6, 1e6 + 4.9, False, False),
        (9e-7, -9e-7, False, True),  # both below 1e-6
        (0.0, 2.1e-3, False, False),
        (float("nan"), float("nan"), False, True),
        (1.0, float("nan"), False, False),
    ],
)
def test_tolerance(expected, got, vensim, ok):
    verdict = conformance.compare(
        reference({"x": [expected] * 3}, vensim=vensim), Table([0, 1, 2], {"x": [got] * 3})
    )
    assert verdict.ok is ok, verdict.reason


def test_each_reference_time_takes_the_nearest_saved_time():
    results = Table([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0], {"x": [0, 9, 9, 9, 1, 9, 9, 9, 2]})
    assert conformance.compare(reference({"x": [0, 1, 2]}), results).ok


def test_a_reference_time_the_results_do_not_reach_fails():
    verdict = conformance.compare(reference({"x": [0, 1, 2]}), Table([0.0, 1.0], {"x": [0, 1]}))
    assert verdict.status == "mismatch"
    assert verdict.reason == "no saved time near t=2 (results from 0 to 1)"


def test_the_first_difference_in_time_is_reported():
    results = Table([0, 1, 2], {"a": [0, 1, 5], "b[x, y]": [0, 3, 9]})
    verdict = conformance.compare(reference({"A": [0, 1, 2], "B[X,Y]": [0, 1, 2]}), results)
    assert verdict.reason == "B[X,Y] at t=1: expected 1, got 3 (2 of 2 columns differ)"


def test_names_match_by_xmile_identifier():
    results = Table([0, 1, 2], {"stock_a[entry_1]": [1, 1, 1], "hares.hare_density": [2, 2, 2]})
    expected = reference({'"Stock A[Entry 1]"': [1, 1, 1], "Hares.Hare\\nDensity": [2, 2, 2]})
    assert conformance.compare(expected, results).ok


def test_a_column_the_model_defines_but_the_results_lack_fails():
    verdict = conformance.compare(
        reference({"x": [1, 1, 1], "y": [2, 2, 2]}), Table([0, 1, 2], {"x": [1, 1, 1]}), declared={"x", "y"}
    )
    assert (verdict.status, verdict.reason) == ("missing", "no results for 1 of 2 reference columns: y")


def test_a_column_for_a_variable_the_model_lacks_is_left_out_and_noted():
    verdict = conformance.compare(
        reference({"x": [1, 1, 1], "Smoothing Time": [2, 2, 2]}),
        Table([0, 1, 2], {"x": [1, 1, 1]}),
        declared={"x"},
    )
    assert verdict.ok
    assert verdict.note == "1 reference columns name no variable of the model: Smoothing Time"
    none = conformance.compare(
        reference({"y": [1, 1, 1]}), Table([0, 1, 2], {"x": [1, 1, 1]}), declared={"x"}
    )
    assert (none.status, none.reason) == ("missing", "no reference column names a variable of the model: y")


def test_vensim_controls_the_results_lack_come_from_the_specs():
    from sysmap.model.elements import SimSpecs

    specs = SimSpecs(start=0, stop=2, dt=0.5)
    expected = reference(
        {"INITIAL TIME": [0] * 3, "FINAL TIME": [2] * 3, "TIME STEP": [0.5] * 3, "SAVEPER": [0.5] * 3}
    )
    assert conformance.compare(expected, Table([0, 1, 2], {}), specs, declared=set()).ok
    wrong = reference({"FINAL TIME": [3] * 3})
    assert conformance.compare(wrong, Table([0, 1, 2], {}), specs, declared=set()).status == "mismatch"


# -- a run, with a stand-in engine ---------------------------------------------------------------------------


def teacup() -> conformance.Run:
    return next(r for r in RUNS if r.id == "samples/teacup/teacup.xmile")


def test_results_equal_to_the_reference_match():
    run = teacup()
    expected = conformance.read_reference(run.reference)
    assert conformance.check(run, lambda path: Table(expected.times, expected.columns)) == Verdict(
        run.id, "match"
    )


def test_results_off_by_a_little_mismatch_with_the_place_said():
    run = teacup()
    expected = conformance.read_reference(run.reference)
    columns = dict(expected.columns, **{"Teacup Temperature": expected.columns["Teacup Temperature"] + 0.01})
    verdict = conformance.check(run, lambda path: Table(expected.times, columns))
    assert verdict.status == "mismatch"
    assert verdict.reason == "Teacup Temperature at t=0: expected 180, got 180.01 (1 of 4 columns differ)"


def test_an_error_sysmap_reports_is_the_verdict_and_anything_else_a_crash():
    from sysmap.errors import SysmapError

    def refuse(path):
        raise SysmapError("variable \"x\": calls unknown function 'foo'")

    def crash(path):
        raise ZeroDivisionError("division by zero")

    assert conformance.check(teacup(), refuse) == Verdict(
        teacup().id, "error", "variable \"x\": calls unknown function 'foo'"
    )
    crashed = conformance.check(teacup(), crash)
    assert crashed.status == "crash"
    assert crashed.reason.startswith("ZeroDivisionError: division by zero (at test_conformance.py:")
