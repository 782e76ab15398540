"""Interoperability with Simlin and PySD: what sysmap saves, the peers still load and simulate.

For every model of the SDXorg conformance suite (``../shared/conformance/sdxorg``) that sysmap
loads, sysmap saves it to a temporary ``.xmile``; then, for each peer:

- ``test_<peer>_loads_saved``: the peer loads the sysmap-saved file;
- ``test_<peer>_simulates_saved``: the peer simulates the saved file to the same numbers as the
  original (every column the two runs share -- all stocks, flows and auxiliaries -- at every
  time, rtol 1e-9 / atol 1e-12; the saved run must keep every stock of the original run).
  It is the same model text, so the numbers should be identical.

Expectations are per model and honest: a model the peer cannot load (or simulate) in its
original form is skipped with the peer's own reason, found by trying the original first; so is
an original the peer "loads" as an empty model (Simlin and PySD read nothing from Stella 10's
pre-OASIS "legacy" layout, which sysmap converts to XMILE 1.0: those are loaded, and the
saved file must load too, but there is no run to compare). Known failures are listed in
``KNOWN``, each with its cause, as strict xfails, so a fix shows up as an XPASS to remove
from the list.

Optional: the module skips unless the suite is present, and each peer's tests skip unless that
peer is importable (``pip install pysimlin pysd``; neither is a sysmap dependency). Simlin
runs in a child process (this file run as a script), because a panic in its Rust engine
aborts the process that loaded it. Each peer takes well under a minute.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "sdxorg"
MODELS = sorted(p for p in SUITE.rglob("*") if p.suffix in (".xmile", ".stmx")) if SUITE.is_dir() else []
#: Names a peer knows in every model, even one it read nothing from.
CONTROLS = {"time", "dt", "initial_time", "final_time", "INITIAL TIME", "FINAL TIME", "TIME STEP",
            "SAVEPER", "TIME", "Time"}  # fmt: skip
RTOL, ATOL = 1e-9, 1e-12
TIMEOUT = 120.0

#: Why a known failure fails (found with pysimlin 0.8.5 and PySD 3.14.3).
AUX_AS_FLOW_IN_VIEW = (
    "Simlin's bug: the file lists <aux> rates as stock in/outflows (Vensim export); sysmap keeps them "
    "as <aux> and draws the model, which had no diagram; Simlin panics on the drawing (views.rs:1860, "
    "unwrap on None); without a view it loads"
)
PYSD_MODULES = (
    "not sysmap's doing: PySD has no modules and fails the same way on the OASIS model.stmx and "
    "model.xmile; it 'loads' the legacy original only because it reads nothing from it"
)


#: (peer, the tests that fail, why, the models).
_KNOWN_FAILURES = [
    ("simlin", ("load", "run"), AUX_AS_FLOW_IN_VIEW, ["tests/zeroled_decimals/test_zeroled_decimals.xmile"]),
    ("pysd", ("load",), PYSD_MODULES, ["samples/bpowers-hares_and_lynxes_modules/model_legacy.stmx"]),
]
#: (peer, model, test) -> why that test fails today; a strict xfail, so a fix shows as XPASS.
KNOWN: dict[tuple[str, str, str], str] = {
    (peer, model, test): why
    for peer, tests, why, models in _KNOWN_FAILURES
    for model in models
    for test in tests
}


# -- Simlin, in a child process ----------------------------------------------------------------


def _simlin_worker() -> None:
    """Serve Simlin requests, one JSON line in, one JSON line out (run as a script)."""
    import simlin

    reply_to = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the engine prints goes to stderr, not into the replies

    def load(path: str) -> dict:
        model = simlin.load(path)
        return {"names": list(model.get_var_names())}

    def run(path: str) -> dict:
        model = simlin.load(path)
        results = model.run(analyze_loops=False).results
        return {
            "time": [float(t) for t in results.index],
            "columns": {str(c): [float(v) for v in results[c]] for c in results.columns},
            "stocks": list(model.get_var_names(simlin.VARTYPE_STOCK)),
        }

    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = {"ok": {"load": load, "run": run}[request["op"]](request["path"])}
        except Exception as exc:  # the peer's reason, reported to the test
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        reply_to.write(json.dumps(reply) + "\n")
        reply_to.flush()


class PeerError(Exception):
    """The peer refused a file; the message is what the peer said."""


class SimlinProcess:
    """A Simlin worker process, restarted after a crash."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.stderr = None

    def _start(self) -> None:
        if self.stderr is not None:
            self.stderr.close()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the worker
        env = dict(os.environ, RUST_BACKTRACE="0")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--simlin-worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
        )

    def ask(self, op: str, path: Path) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(json.dumps({"op": op, "path": os.fspath(path)}) + "\n")
        self.proc.stdin.flush()
        if sys.platform == "win32":  # select() takes no pipes there: wait without a limit
            ready = True
        else:
            ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            code = self.proc.wait()
            self.stderr.seek(0)
            said = [s for s in self.stderr.read().decode(errors="replace").splitlines() if s.strip()]
            panic = next((s for s in said if "panicked" in s), None)
            first = said.index(panic) if panic else max(0, len(said) - 2)
            detail = " ".join(said[first : first + 2])
            what = f"timed out after {TIMEOUT:.0f} s" if not ready else f"crashed (exit status {code})"
            raise PeerError(f"Simlin {what}: {detail}".strip())
        reply = json.loads(line)
        if "error" in reply:
            raise PeerError(reply["error"])
        return reply["ok"]

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.stderr is not None:
            self.stderr.close()


@dataclass
class Run:
    time: list[float]
    columns: dict[str, list[float]]
    stock_columns: set[str] = field(default_factory=set)


def _stock_columns(columns, stocks) -> set[str]:
    stocks = set(stocks)
    return {c for c in columns if c in stocks or c.split("[", 1)[0] in stocks}


class Simlin:
    name = "Simlin"

    def __init__(self) -> None:
        self.process = SimlinProcess()

    def variables(self, path: Path) -> list[str]:
        return [n for n in self.process.ask("load", path)["names"] if n not in CONTROLS]

    def run(self, path: Path) -> Run:
        reply = self.process.ask("run", path)
        return Run(reply["time"], reply["columns"], _stock_columns(reply["columns"], reply["stocks"]))


# -- PySD, in process ------------------------------------------------------------------------------


class PySD:
    """PySD translates a file into a ``.py`` beside it: it only ever sees copies in a temp dir."""

    name = "PySD"

    def __init__(self) -> None:
        import pysd

        self.pysd = pysd
        self.models: dict[Path, object] = {}

    def _model(self, path: Path):
        if path not in self.models:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self.models[path] = self.pysd.read_xmile(os.fspath(path))
            except Exception as exc:
                raise PeerError(f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]}") from None
        return self.models[path]

    def variables(self, path: Path) -> list[str]:
        return [n for n in self._model(path).namespace if n not in CONTROLS]

    def run(self, path: Path) -> Run:
        model = self._model(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = model.run(progress=False)
        except Exception as exc:
            raise PeerError(f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]}") from None
        doc = model.doc
        stocks = doc["Real Name"][(doc["Type"] == "Stateful") & (doc["Subtype"] == "Integ")]
        columns = {str(c): [float(v) for v in frame[c]] for c in frame.columns}
        return Run([float(t) for t in frame.index], columns, _stock_columns(columns, stocks))


# -- what happens to one model ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What a peer made of the original and of the sysmap-saved file (``None``: not tried)."""

    original_load: str | None = None  # the peer's reason for not loading the original
    original_empty: bool = False  # the peer loads the original but finds no variables in it
    original_run: str | None = None
    saved_load: str | None = None
    saved_run: str | None = None
    original: Run | None = None
    saved: Run | None = None


def compare(original: Run, saved: Run) -> list[str]:
    """The differences between two runs of the same model, as sentences (empty: identical)."""
    import numpy as np

    problems = []
    if len(original.time) != len(saved.time) or not np.allclose(original.time, saved.time, RTOL, ATOL):
        return [f"time axes differ: {len(original.time)} vs {len(saved.time)} steps"]
    lost = sorted(original.stock_columns - saved.columns.keys())
    if lost:
        problems.append(f"stocks missing from the saved run: {', '.join(lost)}")
    common = sorted(original.columns.keys() & saved.columns.keys())
    if not common:
        problems.append("the two runs share no column")
    for name in common:
        a = np.asarray(original.columns[name], float)
        b = np.asarray(saved.columns[name], float)
        if not np.allclose(a, b, RTOL, ATOL, equal_nan=True):
            worst = int(np.nanargmax(np.abs(a - b))) if np.isfinite(a - b).any() else 0
            problems.append(f"{name}: {a[worst]!r} vs {b[worst]!r} at t={original.time[worst]!r}")
    return problems


def outcome(peer, model: Path, workdir: Path) -> Outcome:
    """Try the original, then the sysmap-saved file, in the peer (cached per peer and model)."""
    from sysmap.io import load, save

    result = Outcome()
    rel = model.relative_to(SUITE)
    where = workdir / peer.name / str(rel).replace(os.sep, "__")
    (where / "original").mkdir(parents=True)
    (where / "saved").mkdir()
    original = where / "original" / model.name
    shutil.copyfile(model, original)
    saved = where / "saved" / f"{model.stem}_sysmap.xmile"
    save(load(model), saved)
    try:
        result.original_empty = not peer.variables(original)
    except PeerError as exc:
        result.original_load = str(exc)
    try:
        peer.variables(saved)
    except PeerError as exc:
        result.saved_load = str(exc)
    if result.original_load is not None or result.original_empty:
        return result
    try:
        result.original = peer.run(original)
    except PeerError as exc:
        result.original_run = str(exc)
        return result
    if result.saved_load is None:
        try:
            result.saved = peer.run(saved)
        except PeerError as exc:
            result.saved_run = str(exc)
    return result


if __name__ == "__main__" and sys.argv[1:] == ["--simlin-worker"]:
    _simlin_worker()
    sys.exit(0)

# -- the tests -------------------------------------------------------------------------------------

import pytest  # noqa: E402

if not MODELS:
    pytest.skip(f"the shared conformance suite is not at {SUITE}", allow_module_level=True)

IDS = [str(p.relative_to(SUITE)) for p in MODELS]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("peer_interop")


@pytest.fixture(scope="module")
def simlin_peer():
    pytest.importorskip("simlin", reason="Simlin is not installed (pip install pysimlin)")
    peer = Simlin()
    yield peer
    peer.process.close()


@pytest.fixture(scope="module")
def pysd_peer():
    pytest.importorskip("pysd", reason="PySD is not installed (pip install pysd)")
    return PySD()


_OUTCOMES: dict[tuple[str, Path], Outcome] = {}


def _outcome(peer, model: Path, workdir: Path) -> Outcome:
    from sysmap.errors import FileFormatError
    from sysmap.io import load

    key = (peer.name, model)
    if key not in _OUTCOMES:
        try:
            load(model)
        except FileFormatError as exc:
            pytest.skip(f"sysmap does not load it: {exc}")
        _OUTCOMES[key] = outcome(peer, model, workdir)
    return _OUTCOMES[key]


def _expect(request, peer: str, model: Path, test: str) -> None:
    reason = KNOWN.get((peer, str(model.relative_to(SUITE)), test))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def check_loads(request, peer, model: Path, workdir: Path) -> None:
    result = _outcome(peer, model, workdir)
    if result.original_load is not None:
        pytest.skip(f"{peer.name} cannot load the original: {result.original_load}")
    _expect(request, peer.name.lower(), model, "load")
    assert result.saved_load is None, f"{peer.name} cannot load the sysmap-saved file: {result.saved_load}"


def check_simulates(request, peer, model: Path, workdir: Path) -> None:
    result = _outcome(peer, model, workdir)
    if result.original_load is not None:
        pytest.skip(f"{peer.name} cannot load the original: {result.original_load}")
    if result.original_empty:
        pytest.skip(f"{peer.name} reads no variables from the original (Stella 10 pre-OASIS layout)")
    if result.original_run is not None:
        pytest.skip(f"{peer.name} cannot simulate the original: {result.original_run}")
    _expect(request, peer.name.lower(), model, "run")
    assert result.saved_load is None, f"{peer.name} cannot load the sysmap-saved file: {result.saved_load}"
    assert result.saved_run is None, f"{peer.name} cannot simulate the sysmap-saved file: {result.saved_run}"
    problems = compare(result.original, result.saved)
    assert not problems, "the sysmap-saved file simulates differently:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_simlin_loads_saved(request, simlin_peer, model, workdir):
    check_loads(request, simlin_peer, model, workdir)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_simlin_simulates_saved(request, simlin_peer, model, workdir):
    check_simulates(request, simlin_peer, model, workdir)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_pysd_loads_saved(request, pysd_peer, model, workdir):
    check_loads(request, pysd_peer, model, workdir)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_pysd_simulates_saved(request, pysd_peer, model, workdir):
    check_simulates(request, pysd_peer, model, workdir)
