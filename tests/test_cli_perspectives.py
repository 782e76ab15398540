"""``sysmap perspectives`` and ``sysmap open-loops`` as a user runs them: text, JSON and errors."""

from __future__ import annotations

import argparse
import json

import pytest

from sysmap.cli_perspectives import COMMANDS
from sysmap.errors import SysmapError
from sysmap.examples import example_path
from sysmap.io import save
from sysmap.model import SystemMap
from sysmap.model.workshop import STANDARD_PERSPECTIVES, set_perspectives, tag_perspective


def run(name: str, *argv: str) -> int:
    func, help_text, add_arguments = COMMANDS[name]
    assert help_text
    parser = argparse.ArgumentParser(prog=f"sysmap {name}")
    add_arguments(parser)
    return func(parser.parse_args(list(argv)))


@pytest.fixture
def tagged_map(tmp_path):
    doc = SystemMap(name="care")
    work, sick = doc.add_variable("Workload"), doc.add_variable("Sick leave")
    doc.add_variable("Budget", tags=("Table 3",))
    k1 = doc.add_link(work.id, sick.id, polarity="+")
    k2 = doc.add_link(sick.id, work.id, polarity="+")
    doc.apply(set_perspectives(doc, STANDARD_PERSPECTIVES))
    doc.apply(tag_perspective(doc, [work.id, sick.id, k1.id, k2.id], "Public services"))
    doc.apply(tag_perspective(doc, [work.id], "Residents and service users"))
    path = tmp_path / "care.xmile"
    save(doc, path)
    return path


def test_perspectives_text(tagged_map, capsys):
    assert run("perspectives", str(tagged_map)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Public services (#1f77b4) — Councils, health, police, schools, job centres"
    assert out[1] == "  2 variables, 2 links, 1 loop drawn whole, 1 only it sees, 3 elements only it has"
    assert "  Loop R1: Sick leave → Workload → Sick leave (only this perspective)" in out
    assert out[-1] == "No perspective: 1 variable, 0 links"


def test_perspectives_json(tagged_map, capsys):
    assert run("perspectives", str(tagged_map), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    counts = {p["name"]: p["counts"] for p in data["perspectives"]}
    assert counts["Public services"]["loops"] == 1
    assert counts["Residents and service users"] == {
        "variables": 1,
        "links": 0,
        "loops": 0,
        "only_loops": 0,
        "unique": 0,
    }
    assert data["tags"]["Table 3"] == 1


def test_a_map_without_perspectives_says_so(capsys):
    assert run("perspectives", str(example_path("worklessness"))) == 0
    assert capsys.readouterr().out.startswith("The map has no perspectives. Tags in use:")


def test_open_loops_text_and_json(capsys):
    path = str(example_path("social_care_workload"))
    assert run("open-loops", path, "--limit", "3") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("links would close a new loop; the best 3:")
    assert len(out) == 4
    assert out[1].startswith("  1. [") and "A link from" in out[1]
    assert run("open-loops", path, "--json", "--limit", "2") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is True and len(data["open_loops"]) == 2
    first = data["open_loops"][0]
    assert first["names"][0] in first["sentence"] and first["polarity_plus"] in "RBU"
    assert first["length"] == len(first["loop"])


def test_open_loops_on_a_map_with_none(tmp_path, capsys):
    path = tmp_path / "one.xmile"
    doc = SystemMap()
    doc.add_variable("Alone")
    save(doc, path)
    assert run("open-loops", str(path)) == 0
    assert capsys.readouterr().out == "No open loops: no single new link would close a loop.\n"


@pytest.mark.parametrize("name", ["perspectives", "open-loops"])
def test_an_unreadable_file_is_one_line(name, tmp_path):
    broken = tmp_path / "broken.xmile"
    broken.write_text("this is not <xml")
    for path in (broken, tmp_path / "missing.xmile"):
        with pytest.raises(SysmapError) as caught:
            run(name, str(path))
        assert "\n" not in str(caught.value) and str(path.name) in str(caught.value)
