"""``sysmap diff OLD NEW``: lines or JSON of what changed; status 0 same, 1 different, 2 error."""

import json
import subprocess
import sys

import pytest

from sysmap.cli import main
from sysmap.io import save
from sysmap.model import Kind, SimSpecs, SystemMap
from sysmap.model import operations as ops


def staffing(dt: float = 1.0) -> SystemMap:
    doc = SystemMap(name="Staffing", sim_specs=SimSpecs(stop=52, dt=dt, time_units="weeks"))
    work = doc.add_variable("Workload", kind=Kind.AUX, equation="cases / staff")
    over = doc.add_variable("Overtime", kind=Kind.AUX, equation="workload * 2")
    doc.add_variable("Cases", kind=Kind.AUX, equation="100")
    doc.add_variable("Staff", kind=Kind.AUX, equation="10")
    doc.add_link(work.id, over.id, polarity="+")
    doc.apply(ops.add_loop_label(doc, "R1", (0.0, 0.0)))
    return doc


@pytest.fixture
def files(tmp_path):
    old, new = staffing(), staffing(dt=0.25)
    over = new.variable_named("Overtime")
    new.apply(ops.update(new, over.id, equation="workload * 3"))
    (link,) = new.links_to(over.id)
    new.apply(ops.update(new, link.id, polarity="-"))
    new.add_variable("Staff morale")
    save(old, tmp_path / "old.xmile")
    save(new, tmp_path / "new.xmile")
    return tmp_path / "old.xmile", tmp_path / "new.xmile"


def test_same_map_saved_twice_is_no_difference(tmp_path, capsys):
    save(staffing(), tmp_path / "a.xmile")
    save(staffing(), tmp_path / "b.xmile")
    assert main(["diff", str(tmp_path / "a.xmile"), str(tmp_path / "b.xmile")]) == 0
    assert capsys.readouterr().out == ""


def test_as_a_command_with_its_exit_status(files):
    old, new = files
    same = subprocess.run([sys.executable, "-m", "sysmap", "diff", old, old], capture_output=True, text=True)
    differ = subprocess.run(
        [sys.executable, "-m", "sysmap", "diff", old, new], capture_output=True, text=True
    )
    assert (same.returncode, same.stdout, same.stderr) == (0, "", "")
    assert differ.returncode == 1 and "+ variable 'Staff morale'" in differ.stdout


def test_differences_are_listed_with_status_1(files, capsys):
    old, new = files
    assert main(["diff", str(old), str(new)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "+ variable 'Staff morale'",
        "~ variable 'Overtime': equation 'workload * 2' → 'workload * 3'",
        "~ link Workload → Overtime: polarity + → −",
        "~ sim specs: dt 1 → 0.25",
    ]


def test_json(files, capsys):
    old, new = files
    assert main(["diff", str(old), str(new), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == str(old) and data["new"] == str(new)
    assert data["equal"] is False
    assert data["variables"]["added"] == ["Staff morale"]
    assert data["variables"]["changed"] == [
        {"subject": "Overtime", "field": "equation", "old": "workload * 2", "new": "workload * 3"}
    ]
    assert data["links"]["changed"][0]["old"] == "+" and data["links"]["changed"][0]["new"] == "−"
    assert data["sim_specs"] == [{"subject": "", "field": "dt", "old": "1", "new": "0.25"}]
    assert main(["diff", str(old), str(old), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["equal"] is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xmile", "<xmile", "broken.xmile:1"),
        ("missing.xmile", None, "no such file"),
        ("map.txt", "hello", "unknown file type"),
    ],
)
def test_a_bad_file_is_one_line_and_status_2(files, tmp_path, capsys, name, content, message):
    bad = tmp_path / name
    if content is not None:
        bad.write_text(content)
    old, _ = files
    for args in ([str(old), str(bad)], [str(bad), str(old)]):
        assert main(["diff", *args]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1 and err.startswith("sysmap: ") and message in err
        assert "Traceback" not in err
