"""The ``sysmap`` command as a user runs it: help, version, ``info``, and one-line errors."""

import json
import subprocess
import sys

import pytest

import sysmap
from sysmap.cli import main
from sysmap.io import save
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
    path = tmp_path / "bathtub.json"
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
    }
    specs = {"start": 0.0, "stop": 30.0, "dt": 0.25, "method": "rk4", "time_units": "minutes"}
    assert data["sim_specs"] == specs


def test_broken_file_is_one_line_on_stderr(repo, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"sysmap": 1, "variables": [{"id": "v1"}]}')
    result = run(repo, "info", path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"sysmap: {path}: ")
    assert "has no 'name'" in result.stderr
    assert "Traceback" not in result.stderr


def test_opening_a_broken_file_fails_before_the_window(repo, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = run(repo, path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"sysmap: {path}:1:2: not valid JSON")
    assert "Traceback" not in result.stderr


# -- in-process: the same command, faster -------------------------------------------------------


def test_info_in_process(map_file, capsys):
    assert main(["info", str(map_file)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{map_file}: Bathtub", *EXPECTED_INFO]
    assert err == ""


def test_info_of_an_untitled_map_without_time_units(tmp_path, capsys):
    path = tmp_path / "empty.json"
    save(SystemMap(), path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: (untitled)"
    assert out[-1] == "simulation:  from 0 to 100, dt 1, euler"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "no such file"),
        ("map.txt", b"{}", "unknown file type '.txt'"),
        ("bad.json", b'{"sysmap": 9}', "unsupported sysmap format version 9"),
        ("latin.json", b'{"name": "\xe9"}', "not UTF-8 text"),
        ("deep.json", b"[" * 100_000, "nested too deeply"),
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
