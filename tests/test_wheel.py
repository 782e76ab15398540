"""The built wheel installs a working ``sysmap`` with all its runtime files.

Builds the wheel from a copy of the source (no build isolation: no network), installs it with
``--no-deps`` into a fresh virtualenv, and makes the dependencies importable there through a
``.pth`` file naming this environment's site-packages. Everything then runs as a user would:
from another folder, without PYTHONPATH, so only the installed package can be found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP_ID = "io.github.sysmap.sysmap"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: What a source distribution holds besides the package: the files setup.py copies, and itself.
SOURCE = ("sysmap", "examples", "docs", "resources", "setup.py", "pyproject.toml", "README.md", "LICENSE",
          "MANIFEST.in")  # fmt: skip
BIN = "Scripts" if sys.platform == "win32" else "bin"
EXE = ".exe" if sys.platform == "win32" else ""

PROBE = """
import json, sys
import sysmap
from sysmap.bundled import bundled_dir
from sysmap.examples import example_names, example_path
def listing(name):
    folder = bundled_dir(name)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
print(json.dumps({
    "sysmap": sysmap.__file__,
    "examples": example_names(),
    "example": str(example_path("urban_housing")),
    "resources": listing("resources"),
    "docs": listing("docs"),
    "docs_dir": str(bundled_dir("docs")),
}))
"""


def _setuptools_builds_this() -> str | None:
    """Why this environment cannot build the wheel without isolation, or None."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return "setuptools is not installed"
    if int(version.split(".")[0]) < 77:
        return f"setuptools {version} is older than pyproject's build requirement (>=77)"
    return None


def _run(cmd: list, *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


def _user_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONNOUSERSITE="1", XDG_CONFIG_HOME=str(tmp / "config"))
    return env


def _copy_source(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "_bundled")
    for name in SOURCE:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, dest / name, ignore=ignore)
        elif path.is_file():
            shutil.copy2(path, dest / name)
    return dest


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the source tree, so building writes nothing into the repository."""
    reason = _setuptools_builds_this()
    if reason:
        pytest.skip(reason)
    return _copy_source(tmp_path_factory.mktemp("src"))


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        source,
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        out,
    ]
    done = _run(cmd, cwd=out)
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    (found,) = out.glob("sysmap-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed, and this environment's packages importable."""
    root = tmp_path_factory.mktemp("venv") / "env"
    done = _run([sys.executable, "-m", "venv", "--without-pip", root], cwd=root.parent)
    python = root / BIN / f"python{EXE}"
    if done.returncode != 0 or not python.exists():
        pytest.skip(f"cannot create a virtualenv here: {done.stderr.strip()[-500:]}")
    cmd = [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel]
    done = _run(cmd, cwd=root.parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib.stdout.strip()) / "_sysmap_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    return root


def test_the_wheel_carries_the_shipped_folders_and_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for example in (REPO / "examples").glob("*.xmile"):
        assert f"sysmap/_bundled/examples/{example.name}" in names
    assert f"sysmap/_bundled/resources/{APP_ID}.desktop" in names
    assert f"sysmap/_bundled/resources/icons/hicolor/48x48/apps/{APP_ID}.png" in names
    assert "sysmap/sim/xmile.lark" in names and "sysmap/ui/icons/sysmap.svg" in names
    assert not [n for n in names if "/screenshots/" in n], "the README's screenshots stay out"
    assert not [n for n in names if "__pycache__" in n]


def test_the_sdist_carries_what_setup_py_copies(source, tmp_path):
    code = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    done = _run([sys.executable, "-c", code, tmp_path], cwd=source)
    assert done.returncode == 0, done.stderr[-3000:]
    with tarfile.open(tmp_path / done.stdout.strip().splitlines()[-1]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {
        "setup.py",
        "pyproject.toml",
        "examples/urban_housing.xmile",
        f"resources/{APP_ID}.desktop",
    } <= names
    if (REPO / "docs").is_dir():
        assert {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")} <= names
    assert not [n for n in names if n.startswith("resources/screenshots/")]


def test_the_installed_sysmap_runs_help_and_render_from_the_wheel(venv, tmp_path):
    env = _user_env(tmp_path)
    python = venv / BIN / f"python{EXE}"
    sysmap = venv / BIN / f"sysmap{EXE}"
    probe = _run([python, "-c", PROBE], cwd=tmp_path, env=env)
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert Path(found["sysmap"]).resolve().is_relative_to(venv.resolve()), (
        "the installed package, not the repo"
    )

    assert found["examples"] == sorted(p.stem for p in (REPO / "examples").glob("*.xmile"))
    example = Path(found["example"])
    assert example.resolve().is_relative_to(venv.resolve())
    assert f"{APP_ID}.desktop" in found["resources"]
    for size in ICON_SIZES:
        assert f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png" in found["resources"]
    guide = sorted(p.name for p in (REPO / "docs").glob("*.md")) if (REPO / "docs").is_dir() else []
    if guide:
        assert Path(found["docs_dir"]).resolve().is_relative_to(venv.resolve())
        assert set(guide) <= set(found["docs"])

    done = _run([sysmap, "--help"], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "render" in done.stdout and "usage: sysmap" in done.stdout

    out = tmp_path / "out.png"
    done = _run([sysmap, "render", example, out], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000, f"{len(data)} bytes"
