"""The ``sysmap`` command as a user runs it: help, version, ``info``, and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sysmap
from sysmap.cli import main
from sysmap.io import load, save
from sysmap.model import Kind, SimSpecs, SystemMap
from sysmap.model import operations as ops


def run(repo, *args):
    return subprocess.run(
        [sys.executable, "-m", "sysmap", *map(str, args)],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def map_file(tmp_path):
    doc = SystemMap(
        name="Bathtub",
        sim_specs=SimSpecs(start=0, stop=30, dt=0.25, method="rk4", time_units="minutes"),
    )
    tub = doc.add_variable("Water", kind=Kind.STOCK, equation="50")
    fill = doc.add_variable("Filling", kind=Kind.FLOW, equation="5")
    drain = doc.add_variable("Draining", kind=Kind.FLOW, equation="water / 5")
    tap = doc.add_variable("Tap", kind=Kind.AUX, equation="5")
    habit = doc.add_variable("Habit")
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    doc.attach_flow(drain.id, source=tub.id, sink=None)
    doc.add_link(tap.id, fill.id, polarity="+")
    doc.add_link(tub.id, drain.id, polarity="+", delay=True)
    doc.add_link(habit.id, tap.id, polarity="-")
    doc.add_link(habit.id, habit.id, polarity="?")
    doc.add_link(tap.id, habit.id)
    doc.apply(ops.add_loop_label(doc, "B1", (0.0, 0.0)))
    doc.apply(ops.add_note(doc, "a note", (0.0, 0.0)))
    doc.apply(ops.add_group(doc, "Tub", [tub.id]))
    path = tmp_path / "bathtub.xmile"
    save(doc, path)
    return path


EXPECTED_INFO = [
    "variables:   5 (1 concepts, 1 stocks, 2 flows, 1 auxiliaries)",
    "links:       5 (2 +, 1 -, 1 ?, 1 unmarked; 1 delayed)",
    "stocks:      1",
    "flows:       2",
    "loop labels: 1",
    "notes:       1",
    "groups:      1",
    "simulation:  from 0 to 30 minutes, dt 0.25, rk4",
]


def test_help_lists_the_commands(repo):
    result = run(repo, "--help")
    assert result.returncode == 0
    assert "info" in result.stdout and "open" in result.stdout
    assert result.stdout.startswith("usage: sysmap")


def test_version(repo):
    result = run(repo, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sysmap {sysmap.__version__}"


def test_info_prints_counts_and_sim_specs(repo, map_file):
    result = run(repo, "info", map_file)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{map_file}: Bathtub"
    assert lines[1:] == EXPECTED_INFO
    assert result.stderr == ""


def test_info_json_matches_the_map(repo, map_file):
    result = run(repo, "info", "--json", map_file)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["file"] == str(map_file)
    assert data["name"] == "Bathtub"
    counts = {key: value for key, value in data.items() if isinstance(value, int)}
    assert counts == {
        "variables": 5,
        "concepts": 1,
        "stocks": 1,
        "flows": 2,
        "auxiliaries": 1,
        "links": 5,
        "positive_links": 2,
        "negative_links": 1,
        "unknown_links": 1,
        "unmarked_links": 1,
        "delayed_links": 1,
        "loop_labels": 1,
        "notes": 1,
        "groups": 1,
        "presentation_steps": 0,
        "votes": 0,
    }
    assert data["perspectives"] == [] and data["warnings"] == []
    specs = {"start": 0.0, "stop": 30.0, "dt": 0.25, "method": "rk4", "time_units": "minutes"}
    assert data["sim_specs"] == specs


def test_broken_file_is_one_line_on_stderr(repo, tmp_path):
    path = tmp_path / "broken.xmile"
    path.write_text('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n<header/>\n</xmile>')
    result = run(repo, "info", path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"sysmap: {path}:1: ")
    assert "no <model>" in result.stderr
    assert "Traceback" not in result.stderr


def test_opening_a_broken_file_fails_before_the_window(repo, tmp_path):
    path = tmp_path / "broken.xmile"
    path.write_text("{not xml")
    result = run(repo, path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"sysmap: {path}:1:1: not well-formed XML")
    assert "Traceback" not in result.stderr


# -- in-process: the same command, faster -------------------------------------------------------


def test_info_in_process(map_file, capsys):
    assert main(["info", str(map_file)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{map_file}: Bathtub", *EXPECTED_INFO]
    assert err == ""


def test_info_of_an_untitled_map_without_time_units(tmp_path, capsys):
    path = tmp_path / "empty.xmile"
    save(SystemMap(), path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: (untitled)"
    assert out[-1] == "simulation:  from 0 to 100, dt 1, euler"


def test_info_reports_what_the_reader_repaired(tmp_path, capsys):
    path = tmp_path / "repaired.xmile"
    path.write_bytes(
        b'<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0"><header/>'
        b'<model><variables><aux name="A"><eqn>1</eqn></aux><aux name="a"><eqn>2</eqn></aux>'
        b"</variables></model></xmile>"
    )
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    assert "variables:   2" in captured.out
    assert captured.err.startswith(f"warning: {path}:1: a second variable named 'a' is renamed")
    assert main(["info", "--json", str(path)]) == 0
    assert len(json.loads(capsys.readouterr().out)["warnings"]) == 1


def test_info_lists_workshop_contents(tmp_path, capsys):
    from sysmap.model import workshop

    doc = SystemMap(name="w")
    v = doc.add_variable("Workload")
    doc.apply(workshop.set_perspectives(doc, workshop.STANDARD_PERSPECTIVES[:1]))
    doc.apply(workshop.set_votes(doc, {v.id: 4}))
    path = tmp_path / "w.xmile"
    save(doc, path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "perspectives: Public services" in out and "dot votes:   4" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.xmile", None, "no such file"),
        ("map.txt", b"{}", "unknown file type '.txt'"),
        ("bad.xmile", b"<foo/>", "not an XMILE file (the root element is <foo>)"),
        ("latin.xmile", b"<xmile>\xe9</xmile>", "Invalid bytes in character encoding"),
        ("deep.xmile", b"<a>" * 100_000, "Excessive depth"),
    ],
)
@pytest.mark.parametrize("command", [["info"], ["info", "--json"], ["open"], []])
def test_errors_are_one_line_and_status_1(tmp_path, capsys, name, content, message, command):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main([*command, str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"sysmap: {path}")
    assert message in err
    assert err.count("\n") == 1


def test_usage_errors_exit_with_status_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["info"])
    assert caught.value.code == 2
    assert "usage: sysmap info" in capsys.readouterr().err


def test_version_in_process(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"sysmap {sysmap.__version__}"


# -- convert and check ------------------------------------------------------------------------------


SHARED_SUITE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "sdxorg"


def test_convert_xmile_to_xmile_keeps_the_map(repo, tmp_path):
    out = tmp_path / "copy.xmile"
    result = run(repo, "convert", "examples/worklessness.xmile", out)
    assert result.returncode == 0, result.stderr
    assert load(out) == load(repo / "examples" / "worklessness.xmile")


def test_convert_reports_reading_warnings_on_stderr(tmp_path, capsys):
    source = tmp_path / "dangling.xmile"
    source.write_text(
        '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model><variables>'
        '<aux name="a"><eqn>1</eqn></aux></variables><views><view>\n'
        '<connector uid="1" angle="0"><from>Time</from><to>a</to></connector>'
        "</view></views></model></xmile>"
    )
    assert main(["convert", str(source), str(tmp_path / "out.xmile")]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"warning: {source}:2: a connector from 'Time' to 'a'")
    # the connector sysmap could not resolve is written back, not lost
    assert "<from>Time</from>" in (tmp_path / "out.xmile").read_text()


def test_check_a_clean_map_exits_0(capsys):
    assert main(["check", "examples/bathtub.xmile"]) == 0
    assert capsys.readouterr().out.strip() == "examples/bathtub.xmile: no problems found"


def test_check_lists_unknown_functions_placeholders_and_unresolved_names(tmp_path, capsys):
    path = tmp_path / "problems.xmile"
    path.write_text(
        '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><model><variables>\n'
        '<aux name="a"><eqn>???</eqn></aux>\n'
        '<aux name="b"><eqn>MY_MACRO(a, 2)</eqn></aux>\n'
        '<aux name="c"><eqn>a + vacancy</eqn></aux>\n'
        "</variables></model></xmile>"
    )
    assert main(["check", "--json", str(path)]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert problems == [
        f"{path}:2: 'a' has no equation: the converter could not translate it (???)",
        f"{path}:3: 'b' calls 'my_macro', which is neither a known function nor a macro in this file",
        f"{path}: 'c' refers to unknown variable 'vacancy'",
    ]


@pytest.mark.skipif(not SHARED_SUITE.is_dir(), reason="the shared conformance suite is not here")
def test_check_flags_the_repaired_xml_of_a_damaged_file(capsys):
    path = SHARED_SUITE / "tests" / "non_negative_flows" / "test_non_negative_flows.xmile"
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:45: repaired malformed XML (Opening and ending tag mismatch: flow line 34" in out
