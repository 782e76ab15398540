"""Check the PyInstaller bundle and print its figures (a benchmark-style script, not a test).

Builds ``dist/sysmap`` with ``packaging/build.sh`` when it is missing (or with ``--rebuild``),
then runs the bundle's ``sysmap`` as a user would on a machine without Python: a clean
environment (no PYTHONPATH, no virtualenv, offscreen Qt) and a scratch working directory.
It runs ``--help``, ``render`` on an example from inside the bundle, and a few headless jobs
that load lazily imported parts (the equation grammar, sympy, numpy), and prints::

    bundle size, file count, build time, render time (and the other jobs' times)

Exit status 0 when everything ran, 1 when something failed. Usage::

    python packaging/check_bundle.py [--rebuild] [--example social_care_workload]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUNDLE = DIST / "sysmap"
BUILD_INFO = DIST / "sysmap-build.txt"


def executable() -> Path:
    return BUNDLE / ("sysmap.exe" if sys.platform == "win32" else "sysmap")


def clean_env(home: Path) -> dict[str, str]:
    """An environment with nothing of this Python in it."""
    env = {
        "PATH": os.pathsep.join(p for p in ("/usr/bin", "/bin") if Path(p).is_dir()) or os.defpath,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    for name in ("SYSTEMROOT", "TEMP", "TMP"):  # Windows needs these to start at all
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def build() -> float:
    start = time.perf_counter()
    if sys.platform == "win32":
        cmd = [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(DIST),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "packaging" / "sysmap.spec"),
        ]
    else:
        cmd = ["bash", str(ROOT / "packaging" / "build.sh")]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return time.perf_counter() - start


def recorded_build_seconds() -> float | None:
    if not BUILD_INFO.is_file():
        return None
    for line in BUILD_INFO.read_text().splitlines():
        key, _, value = line.partition("=")
        if key == "build_seconds":
            return float(value)
    return None


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [str(executable()), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    return done, time.perf_counter() - start


def smoke_gui(example: Path, cwd: Path, env: dict[str, str], seconds: float = 8.0) -> str | None:
    """Start the desktop app (offscreen) on ``example``; a problem if it dies within ``seconds``
    or prints a traceback (the window's modules import what no headless job does, e.g. pyqtgraph)."""
    proc = subprocess.Popen(
        [str(executable()), str(example)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = proc.communicate(timeout=seconds)
        return f"the app exited with status {proc.returncode} within {seconds:.0f} s:\n{err[-2000:]}"
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    return f"the app printed a traceback:\n{err[-2000:]}" if "Traceback" in err else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="build again even if dist/sysmap exists")
    parser.add_argument("--example", default="social_care_workload", help="the example map to render")
    args = parser.parse_args(argv)

    build_seconds = None
    if args.rebuild or not executable().is_file():
        build_seconds = build()
    if build_seconds is None:
        build_seconds = recorded_build_seconds()

    files = [p for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    examples = next(BUNDLE.rglob("sysmap/_bundled/examples"), None)
    failures: list[str] = []

    with tempfile.TemporaryDirectory(prefix="sysmap-bundle-") as scratch:
        work = Path(scratch)
        env = clean_env(work)
        out = work / "out.png"
        example = (examples / f"{args.example}.xmile") if examples else None
        jobs = [("--help", ["--help"], "render")]
        if example is None or not example.is_file():
            failures.append(f"the bundle holds no example {args.example!r} under sysmap/_bundled/examples")
        else:
            jobs += [
                ("render", ["render", str(example), str(out)], None),
                ("loops", ["loops", str(example)], "loop"),
                ("polarity (sympy)", ["polarity", str(examples / "sir_epidemic.xmile")], None),
                ("simulate (grammar, numpy)", ["simulate", str(examples / "bathtub.xmile")], None),
            ]
        times: dict[str, float] = {}
        for label, job, expect in jobs:
            done, seconds = run(job, work, env)
            times[label] = seconds
            text = done.stdout + done.stderr
            if done.returncode != 0:
                failures.append(f"sysmap {' '.join(job)} exited {done.returncode}:\n{text[-2000:]}")
            elif expect and expect not in text.lower():
                failures.append(f"sysmap {' '.join(job)} printed no {expect!r}:\n{text[-2000:]}")
        if example is not None and example.is_file():
            problem = smoke_gui(example, work, env)
            print(f"{'app window (offscreen):':<32}{'FAILED' if problem else 'still running after 8 s'}")
            if problem:
                failures.append(problem)
        if "render" in times and not failures:
            data = out.read_bytes() if out.is_file() else b""
            if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 10_000:
                failures.append(f"render wrote no plausible PNG ({len(data)} bytes)")
            else:
                print(f"render output:                  {len(data) / 1024:.0f} KiB PNG")

    print(f"{'bundle:':<32}{BUNDLE}")
    print(f"{'bundle size:':<32}{size_mb:.1f} MB")
    print(f"{'files:':<32}{len(files)}")
    built = f"{build_seconds:.0f} s" if build_seconds is not None else "unknown (not built here)"
    print(f"{'build time:':<32}{built}")
    for label, seconds in times.items():
        print(f"{label + ' time:':<32}{seconds:.2f} s")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
