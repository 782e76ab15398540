"""``sysmap simulate``: the table, CSV and JSON a user gets, and one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sysmap.cli import main

BATHTUB = str(Path(__file__).resolve().parents[2] / "examples" / "bathtub.xmile")


def test_prints_a_table_of_the_stocks(capsys):
    assert main(["simulate", BATHTUB]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["time", "Water", "in", "tub"]
    assert lines[1].split() == ["0", "20"]
    assert lines[-1].startswith("(21 of 121 saved times shown")


def test_writes_csv_with_every_variable(tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["simulate", BATHTUB, "--csv", str(out), "--set", "tap flow rate=0"]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["time", "Water in tub", "Filling", "Draining", "Tap flow rate", "Drain time"]
    assert len(rows) == 122
    assert float(rows[-1][2]) == 0.0 and float(rows[-1][1]) < 20
    assert "wrote 121 times x 5 variables" in capsys.readouterr().out


def test_json_single_run_and_ensemble(capsys):
    assert main(["simulate", BATHTUB, "--json", "--method", "rk4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["runs"] == 1 and len(data["times"]) == 121
    assert data["variables"]["Water in tub"][0] == 20
    argv = [
        "simulate",
        BATHTUB,
        "--json",
        "--runs",
        "200",
        "--vary",
        "Drain time=uniform(2, 8)",
        "--seed",
        "4",
    ]
    assert main(argv) == 0
    bands = json.loads(capsys.readouterr().out)["stocks"]["Water in tub"]
    assert bands["p5"][-1] < bands["mean"][-1] < bands["p95"][-1]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["stocks"]["Water in tub"] == bands  # the seed repeats it


def test_ensemble_table_shows_bands(capsys):
    argv = ["simulate", BATHTUB, "--runs", "50", "--vary", "tap_flow_rate=normal(10, 2)", "--seed", "1"]
    assert main(argv) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "Water in tub mean" in header and "Water in tub 95%" in header


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "nothing=1"], 'the model has no variable named "nothing"'),
        (["--set", "drain time"], "--set takes NAME=VALUE"),
        (["--set", "drain time=fast"], '"fast" is not a number'),
        (["--runs", "5", "--vary", "drain time=gamma(1,2)"], 'unknown distribution "gamma"'),
        (["--runs", "5", "--vary", "drain time=uniform(3)"], "uniform takes 2 numbers, not 1"),
        (["--vary", "drain time=uniform(1,3)"], "--vary needs --runs"),
        (["--runs", "0"], "--runs must be at least 1"),
    ],
)
def test_bad_arguments_give_one_line(capsys, argv, message):
    assert main(["simulate", BATHTUB, *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sysmap: ") and message in err and err.count("\n") == 1


def test_a_model_that_cannot_run(tmp_path, capsys):
    path = tmp_path / "bad.xmile"
    path.write_text(
        '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0"><header/>'
        '<model><variables><aux name="a"><eqn>b</eqn></aux><aux name="b"><eqn>a</eqn></aux>'
        "</variables></model></xmile>"
    )
    assert main(["simulate", str(path)]) == 1
    assert "algebraic loop" in capsys.readouterr().err


def test_a_causal_loop_diagram_has_nothing_to_simulate(capsys):
    assert main(["simulate", "examples/social_care_workload.xmile"]) == 1
    err = capsys.readouterr().err
    assert "nothing to simulate" in err and err.count("\n") == 1
