"""``sysmap render FILE OUT``: a picture of a map from the command line, without a display."""

import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor, QImage

from sysmap.cli import main

EXAMPLES = ("urban_housing", "bathtub", "sir_epidemic")


def render(repo, *args, display=False):
    """Run ``sysmap render`` as a user would; without ``display``, as on a server with no screen."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", "sysmap", "render", *map(str, args)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def inked(image: QImage) -> int:
    white = QColor("#ffffff").rgb()
    return sum(
        1
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
        if image.pixel(x, y) != white
    )


def test_render_a_png_headless_prints_nothing(repo, tmp_path):
    out = tmp_path / "housing.png"
    result = render(repo, repo / "examples" / "urban_housing.xmile", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    image = QImage(str(out))
    assert image.width() > 1200 and image.height() > 800  # scale 2 by default
    assert inked(image) > 2000

    small = tmp_path / "small.png"
    assert render(repo, repo / "examples" / "urban_housing.xmile", small, "--scale", "1").returncode == 0
    assert abs(QImage(str(small)).width() * 2 - image.width()) <= 2


@pytest.mark.parametrize("example", EXAMPLES)
def test_render_every_format(qapp, repo, tmp_path, example):
    source = repo / "examples" / f"{example}.xmile"
    for suffix in ("png", "svg", "pdf"):
        out = tmp_path / f"{example}.{suffix}"
        assert main(["render", str(source), str(out)]) == 0
        assert out.stat().st_size > 1000
    assert QImage(str(tmp_path / f"{example}.png")).width() > 200
    svg = (tmp_path / f"{example}.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "<text" in svg
    pdf = (tmp_path / f"{example}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_the_svg_names_the_variables(qapp, repo, tmp_path):
    out = tmp_path / "bathtub.svg"
    assert main(["render", str(repo / "examples" / "bathtub.xmile"), str(out)]) == 0
    text = out.read_text()
    for name in ("Filling", "Draining", "Water in tub"):
        assert f">{name}</text>" in text


@pytest.mark.parametrize(
    ("make_input", "output", "expected"),
    [
        (lambda tmp: tmp / "missing.xmile", "out.png", r"missing\.xmile: no such file"),
        (
            lambda tmp: (tmp / "bad.xmile").write_text("<notxmile/>") and tmp / "bad.xmile",
            "out.png",
            r"bad\.xmile",
        ),
        (None, "no such folder/out.png", r"no such folder/out\.png: cannot write"),
        (None, "out.jpg", r"out\.jpg: cannot export to '\.jpg' files"),
        (None, "out", r"out: cannot export to a file without a suffix"),
    ],
)
def test_bad_input_or_output_is_one_line_and_status_1(repo, tmp_path, make_input, output, expected):
    source = make_input(tmp_path) if make_input else repo / "examples" / "bathtub.xmile"
    result = render(repo, source, tmp_path / output)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sysmap: "), result.stderr
    assert re.search(expected, lines[0]), lines[0]
    assert not (tmp_path / output).exists()


def test_a_bad_scale_is_refused(repo, tmp_path, capsys):
    source = str(repo / "examples" / "bathtub.xmile")
    assert main(["render", source, str(tmp_path / "out.png"), "--scale", "0"]) == 1
    assert capsys.readouterr().err == "sysmap: --scale must be positive, not 0\n"
    result = render(repo, source, tmp_path / "out.png", "--scale", "big")
    assert result.returncode == 2 and "invalid float value" in result.stderr
    assert not (tmp_path / "out.png").exists()
