"""The peers sysmap is measured against: Simlin and PySD, driven the same way by tests and benchmarks.

Neither is a sysmap dependency (``pip install pysimlin pysd``); constructing a peer that is not
installed raises ImportError. Simlin runs in a child process -- this file run as a script -- because
a panic in its Rust engine aborts the process that loaded it: one JSON line in, one JSON line out,
and a crash or a time-out becomes a :class:`PeerError` with the panic's message, after which the
worker is restarted. PySD translates a model into a ``.py`` beside the file it reads, so it only
ever sees copies in a temporary directory.

Each peer offers: ``variables(path)`` (the names it reads, without the time controls), ``run(path)``
(a :class:`Run`), ``load_time(path, repeat)`` and ``run_time(path, repeat)`` (best of ``repeat``, in
seconds; a run of a model loaded once) and ``runs_time(path, n)`` (``n`` runs of one loaded model,
in total). Used by tests/io/test_peer_interop.py, benchmarks/bench_io.py and benchmarks/bench_sim.py.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

#: Names a peer knows in every model, even one it read nothing from.
CONTROLS = {"time", "dt", "initial_time", "final_time", "INITIAL TIME", "FINAL TIME", "TIME STEP",
            "SAVEPER", "TIME", "Time"}  # fmt: skip


class PeerError(Exception):
    """The peer refused a file, or crashed on it; the message is what the peer said."""


@dataclass
class Run:
    """A peer's run: saved times, a column per variable (or array element), the stocks' columns."""

    time: list[float]
    columns: dict[str, list[float]]
    stock_columns: set[str] = field(default_factory=set)


def _stock_columns(columns, stocks) -> set[str]:
    stocks = set(stocks)
    return {c for c in columns if c in stocks or c.split("[", 1)[0] in stocks}


def _one_line(exc: BaseException, limit: int = 400) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:limit]}"


# -- Simlin, in a child process --------------------------------------------------------------------


def best_of(repeat: int, func) -> float:
    """The shortest of ``repeat`` timed calls of ``func`` (no ``gc.collect()`` in between)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _simlin_worker() -> None:
    """Serve Simlin requests, one JSON line in, one JSON line out (this file run as a script)."""
    import simlin

    reply_to = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the engine prints goes to stderr, not into the replies

    def variables(request: dict) -> dict:
        return {"names": list(simlin.load(request["path"]).get_var_names())}

    def run(request: dict) -> dict:
        model = simlin.load(request["path"])
        results = model.run(analyze_loops=False).results
        return {
            "time": [float(t) for t in results.index],
            # Simlin joins a module and its variable with a middle dot; XMILE writes a period
            "columns": {
                str(c).replace("\u00b7", "."): [float(v) for v in results[c]] for c in results.columns
            },
            "stocks": [n.replace("\u00b7", ".") for n in model.get_var_names(simlin.VARTYPE_STOCK)],
        }

    def load_time(request: dict) -> dict:
        return {"time": best_of(request["repeat"], lambda: simlin.load(request["path"]))}

    def run_time(request: dict) -> dict:
        model = simlin.load(request["path"])
        return {"time": best_of(request["repeat"], lambda: model.run(analyze_loops=False))}

    def runs_time(request: dict) -> dict:
        model = simlin.load(request["path"])
        overrides = request.get("overrides") or [None] * request["n"]
        start = time.perf_counter()
        for values in overrides:
            model.run(overrides=values, analyze_loops=False)
        return {"time": time.perf_counter() - start}

    ops = {"variables": variables, "run": run, "load_time": load_time, "run_time": run_time}
    ops["runs_time"] = runs_time
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = {"ok": ops[request["op"]](request)}
        except Exception as exc:  # the peer's reason, reported to the caller
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        reply_to.write(json.dumps(reply) + "\n")
        reply_to.flush()


class Simlin:
    """Simlin (pysimlin) in a worker process, restarted after a crash."""

    name = "Simlin"

    def __init__(self, timeout: float = 120.0) -> None:
        from importlib.metadata import version

        import simlin  # noqa: F401 -- fail here, in the caller, when it is not installed

        self.version = version("pysimlin")
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.stderr = None

    def _start(self) -> None:
        if self.stderr is not None:
            self.stderr.close()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the worker
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--simlin-worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=dict(os.environ, RUST_BACKTRACE="0"),
        )

    def ask(self, op: str, path: Path, **arguments) -> dict:
        """Send one request to the worker; its reply, or PeerError with what went wrong."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(json.dumps({"op": op, "path": os.fspath(path), **arguments}) + "\n")
        self.proc.stdin.flush()
        if sys.platform == "win32":  # select() takes no pipes there: wait without a limit
            ready = True
        else:
            ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            code = self.proc.wait()
            self.stderr.seek(0)
            said = [s for s in self.stderr.read().decode(errors="replace").splitlines() if s.strip()]
            panic = next((s for s in said if "panicked" in s), None)
            first = said.index(panic) if panic else max(0, len(said) - 2)
            detail = " ".join(said[first : first + 2])
            what = f"timed out after {self.timeout:.0f} s" if not ready else f"crashed (exit status {code})"
            raise PeerError(f"Simlin {what}: {detail}".strip())
        reply = json.loads(line)
        if "error" in reply:
            raise PeerError(reply["error"])
        return reply["ok"]

    def variables(self, path: Path) -> list[str]:
        return [n for n in self.ask("variables", path)["names"] if n not in CONTROLS]

    def run(self, path: Path) -> Run:
        reply = self.ask("run", path)
        return Run(reply["time"], reply["columns"], _stock_columns(reply["columns"], reply["stocks"]))

    def load_time(self, path: Path, repeat: int = 1) -> float:
        return self.ask("load_time", path, repeat=repeat)["time"]

    def run_time(self, path: Path, repeat: int = 1) -> float:
        return self.ask("run_time", path, repeat=repeat)["time"]

    def runs_time(self, path: Path, n: int, overrides: list[dict[str, float]] | None = None) -> float:
        """``n`` runs of the model loaded once (with ``overrides[i]`` for run ``i``), total seconds."""
        return self.ask("runs_time", path, n=n, overrides=overrides)["time"]

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
            self.stderr = None


# -- PySD, in process ------------------------------------------------------------------------------


class PySD:
    """PySD in this process; each file it reads is first copied into a private temporary directory."""

    name = "PySD"

    def __init__(self) -> None:
        import pysd

        self.pysd = pysd
        self.version = pysd.__version__
        self.workdir = Path(tempfile.mkdtemp(prefix="sysmap_pysd_"))
        self.models: dict[Path, object] = {}
        self.copies = 0

    def _copy(self, path: Path) -> Path:
        self.copies += 1
        copy = self.workdir / str(self.copies) / Path(path).name
        copy.parent.mkdir()
        shutil.copyfile(path, copy)
        return copy

    def _read(self, path: Path):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self.pysd.read_xmile(os.fspath(path))
        except Exception as exc:
            raise PeerError(_one_line(exc)) from None

    def _model(self, path: Path):
        if path not in self.models:
            self.models[path] = self._read(self._copy(path))
        return self.models[path]

    def _run(self, model):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return model.run(progress=False)
        except Exception as exc:
            raise PeerError(_one_line(exc)) from None

    def variables(self, path: Path) -> list[str]:
        return [n for n in self._model(path).namespace if n not in CONTROLS]

    def run(self, path: Path) -> Run:
        model = self._model(path)
        frame = self._run(model)
        doc = model.doc
        stocks = doc["Real Name"][(doc["Type"] == "Stateful") & (doc["Subtype"] == "Integ")]
        columns = {str(c): [float(v) for v in frame[c]] for c in frame.columns}
        return Run([float(t) for t in frame.index], columns, _stock_columns(columns, stocks))

    def load_time(self, path: Path, repeat: int = 1) -> float:
        """Best of ``repeat`` translations and imports (``pysd.read_xmile``) of a copy of ``path``."""
        copy = self._copy(path)
        return best_of(repeat, lambda: self._read(copy))

    def run_time(self, path: Path, repeat: int = 1) -> float:
        model = self._model(path)
        return best_of(repeat, lambda: self._run(model))

    def runs_time(self, path: Path, n: int, overrides: list[dict[str, float]] | None = None) -> float:
        model = self._model(path)
        start = time.perf_counter()
        for values in overrides or [None] * n:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.run(params=values or {}, progress=False)
        return time.perf_counter() - start

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def available(*, simlin: bool = True, pysd: bool = True, timeout: float = 120.0) -> tuple[list, list[str]]:
    """The peers that are installed (Simlin's requests limited to ``timeout`` seconds), and a note
    for each that is not."""
    peers, notes = [], []
    for wanted, make in ((simlin, lambda: Simlin(timeout=timeout)), (pysd, PySD)):
        if not wanted:
            continue
        try:
            peers.append(make())
        except ImportError as exc:
            notes.append(f"peer left out: {exc}")
    return peers, notes


if __name__ == "__main__" and sys.argv[1:] == ["--simlin-worker"]:
    _simlin_worker()
