"""``sysmap dominance``: text per period, JSON, and one-line errors."""

from __future__ import annotations

import json

from sysmap.cli import main


def test_dominance_prints_periods_with_dominant_loops_and_shares(capsys):
    assert main(["dominance", "examples/sir_epidemic.xmile"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "3 loops scored (every loop), Euler run" in lines[0]
    assert lines[1].startswith("t 0.125–")
    assert "R1 (Infected → Infection → Infected)" in lines[1]
    assert lines[1].rstrip().endswith("%")
    assert lines[-1].endswith("%") and "–100:" in lines[-1] and "B2 (" in lines[-1]


def test_dominance_top_shows_more_loops_per_period(capsys):
    assert main(["dominance", "examples/sir_epidemic.xmile", "--top", "3"]) == 0
    first = capsys.readouterr().out.splitlines()[1]
    assert first.count("%") == 3


def test_dominance_json(capsys):
    assert main(["dominance", "examples/sir_epidemic.xmile", "--json", "--top", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "euler" and data["loop_set"] == "all"
    assert {loop["name"] for loop in data["loops"]} == {"R1", "B1", "B2"}
    periods = data["periods"]
    assert periods[0]["loops"][0]["name"] == "R1"
    assert all(len(p["loops"]) == 2 for p in periods)
    assert all(0 <= share["share"] <= 1 for p in periods for share in p["loops"])
    assert periods[0]["start"] == 0.125 and periods[-1]["end"] == 100


def test_dominance_of_a_causal_loop_diagram_is_one_line_on_stderr(capsys):
    assert main(["dominance", "examples/social_care_workload.xmile"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("sysmap: examples/social_care_workload.xmile: no variable has an equation")


def test_dominance_top_must_be_positive(capsys):
    assert main(["dominance", "examples/sir_epidemic.xmile", "--top", "0"]) == 1
    assert "--top" in capsys.readouterr().err
