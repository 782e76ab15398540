"""``sysmap present FILE --pdf OUT | --frames DIR``: a presentation written headless."""

import argparse
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QImage

from sysmap.cli_present import COMMANDS
from sysmap.errors import SysmapError

ROOT = Path(__file__).resolve().parents[1]
SOCIAL = ROOT / "examples" / "social_care_workload.xmile"
SIR = ROOT / "examples" / "sir_epidemic.xmile"


def run(*argv) -> int:
    func, help_text, add_arguments = COMMANDS["present"]
    parser = argparse.ArgumentParser(prog="sysmap present", description=help_text)
    add_arguments(parser)
    return func(parser.parse_args([str(a) for a in argv]))


def pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


def test_pdf_handout(qapp, tmp_path, capsys):
    from sysmap.analysis.narration import presentation_steps
    from sysmap.io import load

    out = tmp_path / "handout.pdf"
    assert run(SOCIAL, "--pdf", out) == 0
    n = len(presentation_steps(load(SOCIAL)))
    assert pdf_pages(out) == n + 1
    assert capsys.readouterr().out.strip() == f"wrote {n + 1} pages to {out}"


def test_frames_of_a_size_from_a_start(qapp, tmp_path, capsys):
    out = tmp_path / "frames"
    assert run(SIR, "--frames", out, "--size", "320x200", "--start", "Recovered", "--order", "auto") == 0
    frames = sorted(out.glob("frame-*.png"))
    assert frames and capsys.readouterr().out.startswith(f"wrote {len(frames)} frames of 320x200 to ")
    image = QImage(str(frames[0]))
    assert (image.width(), image.height()) == (320, 200)


def test_dominance_order(qapp, tmp_path, capsys):
    from sysmap.analysis.dominance import loop_dominance
    from sysmap.analysis.narration import dominance_sequence
    from sysmap.io import load

    out = tmp_path / "sir.pdf"
    assert run(SIR, "--pdf", out, "--order", "dominance") == 0
    doc = load(SIR)
    assert pdf_pages(out) == len(dominance_sequence(doc, loop_dominance(doc))) + 1


def test_bad_start_and_bad_size_are_one_line_errors(qapp, tmp_path):
    with pytest.raises(SysmapError, match="no variable named 'Nobody'"):
        run(SOCIAL, "--pdf", tmp_path / "x.pdf", "--start", "Nobody")
    for size in ("big", "100", "0x0"):
        with pytest.raises(SysmapError, match="WIDTHxHEIGHT"):
            run(SOCIAL, "--frames", tmp_path / "f", "--size", size)
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "f").exists()
    with pytest.raises(SysmapError, match="dominance needs|no variable has an equation"):
        run(SOCIAL, "--pdf", tmp_path / "y.pdf", "--order", "dominance")


def test_a_saved_sequence_is_written_and_has_its_own_start(qapp, tmp_path, capsys):
    from sysmap.io import load, save
    from sysmap.model.workshop import Slide, set_presentation

    doc = load(SIR)
    first = doc.variable_named("Recovered").id
    doc.apply(set_presentation(doc, [Slide("variable", (first,), "Who got better"), Slide("map")]))
    path = tmp_path / "saved.xmile"
    save(doc, path)
    assert run(path, "--pdf", tmp_path / "saved.pdf") == 0
    assert pdf_pages(tmp_path / "saved.pdf") == 3
    assert run(path, "--pdf", tmp_path / "auto.pdf", "--order", "auto") == 0
    assert pdf_pages(tmp_path / "auto.pdf") > 3
    with pytest.raises(SysmapError, match="--start does not apply to a saved sequence"):
        run(path, "--pdf", tmp_path / "x.pdf", "--start", "Infected")


def test_pdf_or_frames_is_required(capsys):
    with pytest.raises(SystemExit):
        run(SOCIAL)
    with pytest.raises(SystemExit):
        run(SOCIAL, "--pdf", "a.pdf", "--frames", "d")
