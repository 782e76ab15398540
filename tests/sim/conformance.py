"""The SDXorg conformance suite as runs to check: find them, read their references, compare results.

A *run* is one model file (``.xmile`` or ``.stmx``) in a directory of the suite
(``../shared/conformance/sdxorg``) that holds a reference ``output.csv`` or ``output.tab``: every model
file of such a directory -- the Vensim conversion, its Stella twin, the Stella 10 legacy file, the
variants -- is checked against that one reference, which makes 118 runs. Other ``output_*.csv`` files
(other tools' runs) are not references.

Reading a reference: comma-separated (``.csv``) or tab-separated (``.tab``, Vensim's tabular export),
any line ending (most files end lines with a lone CR), blank lines skipped, the first column the time.
Vensim writes a constant only in the first row: a blank cell takes the value above it.

Names: a column names a variable by its XMILE identifier (:func:`sysmap.model.names.canonical_name`:
case, spaces, underscores and ``\\n`` do not matter), an array element as ``name[elem]`` or
``name[elem,elem]`` (quoted whole or not), a module's variable as ``module.name``. A column the results
lack but that names a Vensim control -- INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER -- is compared with
the model's simulation specs. A column naming a variable the model file does not define (as sysmap reads
it) is left out and noted: no engine could compute it (``smooth_and_stock``'s reference has three
columns of an older version of its model). A column naming a variable the file defines but the results
lack is a failure (``missing``), and so is a reference none of whose columns the file defines.

Vensim-made references: the directory's README has a contributions table; the reference is Vensim-made
when the row naming it (``output.tab``/``output.csv``; failing that, the row naming the other of the two,
since READMEs kept the old name when a ``.tab`` replaced a ``.csv``) credits Vensim. Vensim writes six
significant digits, so its numbers carry a rounding error of up to half a unit in the sixth digit: 5e-6
relative.

Comparing: at every reference time, the nearest saved time of the results; a value matches when it is
within 2e-3 of the reference, or (Vensim-made references) within 5e-6 of it relatively, or when both are
below 1e-6 in magnitude. Two NaNs match.

Used by ``tests/sim/test_conformance.py`` and ``benchmarks/bench_sim.py``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sysmap.model.names import canonical_name, unquote

SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "sdxorg"
REFERENCE_NAMES = ("output.csv", "output.tab")
MODEL_SUFFIXES = (".xmile", ".stmx")
ATOL = 2e-3
VENSIM_RTOL = 5e-6
TINY = 1e-6
#: Vensim's control variables -> the simulation spec each stands for.
CONTROLS = {"initial_time": "start", "final_time": "stop", "time_step": "dt", "saveper": "save_interval"}


@dataclass(frozen=True)
class Run:
    """One model file checked against the reference of its directory."""

    model: Path
    reference: Path
    suite: Path = SUITE

    @property
    def id(self) -> str:
        """The model's path inside the suite, e.g. ``tests/abs/test_abs.xmile``."""
        return self.model.relative_to(self.suite).as_posix()


@dataclass
class Reference:
    """A reference output: its times and, per column header, the values (blanks filled)."""

    path: Path
    times: np.ndarray
    columns: dict[str, np.ndarray]
    vensim: bool = False


@dataclass(frozen=True)
class Verdict:
    """How a run went: ``status`` is ``match``, ``mismatch``, ``missing`` (columns the results lack),
    ``error`` (a one-line error from sysmap: the file or the simulation) or ``crash`` (anything else,
    a bug); ``reason`` says what, in one line (empty for a match); ``note``, the reference columns
    left out because the model has no such variable."""

    run: str
    status: str
    reason: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "match"


class ReferenceFileError(ValueError):
    """A reference file that cannot be read; the message names the file and the line."""


def find_runs(suite: Path = SUITE) -> list[Run]:
    """Every run of the suite, sorted by model path (empty when the suite is absent).

    >>> find_runs(Path("/nonexistent"))
    []
    """
    if not suite.is_dir():
        return []
    runs = []
    for directory in sorted({p.parent for name in REFERENCE_NAMES for p in suite.rglob(name)}):
        reference = next(directory / n for n in REFERENCE_NAMES if (directory / n).is_file())
        for model in sorted(directory.iterdir()):
            if model.suffix.lower() in MODEL_SUFFIXES and model.is_file():
                runs.append(Run(model, reference, suite))
    return sorted(runs, key=lambda r: r.id)


# -- references ----------------------------------------------------------------------------------------


def column_key(name: str) -> str:
    """The key under which a column or results name matches: the canonical identifier, and for an
    array element the canonical element names in brackets, comma-separated.

    >>> column_key('"Two Dims[A, D]"') == column_key("two_dims[a,d]")
    True
    >>> column_key("hares.Hare Density")
    'hares.hare_density'
    """
    text = name.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "[" in text:
        text = unquote(text)
    match = re.fullmatch(r"(.*?)\[([^\[\]]*)\]", text, re.DOTALL)
    if match is None:
        return canonical_name(text)
    elements = ",".join(canonical_name(e) for e in match.group(2).split(","))
    return f"{canonical_name(match.group(1))}[{elements}]"


def parse_reference(text: str, delimiter: str, where: str = "reference") -> tuple[np.ndarray, dict]:
    """Times and columns of a reference file's text, blank cells filled from the row above.

    >>> times, columns = parse_reference("Time\\tA\\tB\\r0\\t1\\t5\\r1\\t\\t6\\r", "\\t")
    >>> times.tolist(), columns["A"].tolist(), columns["B"].tolist()
    ([0.0, 1.0], [1.0, 1.0], [5.0, 6.0])
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows = [(n, row) for n, row in enumerate(csv.reader(lines, delimiter=delimiter), 1) if any(row)]
    if not rows:
        raise ReferenceFileError(f"{where}: no header line")
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2 or not header[0]:
        raise ReferenceFileError(f"{where}:{rows[0][0]}: expected a time column and at least one other")
    if not body:
        raise ReferenceFileError(f"{where}: no data rows")
    values = np.full((len(body), len(header)), np.nan)
    for i, (line, row) in enumerate(body):
        extra = [c for c in row[len(header) :] if c.strip()]
        if extra:
            raise ReferenceFileError(f"{where}:{line}: {len(row)} cells, but the header names {len(header)}")
        for j, cell in enumerate(row[: len(header)]):
            cell = cell.strip()
            if cell:
                try:
                    values[i, j] = float(cell)
                except ValueError:
                    raise ReferenceFileError(f"{where}:{line}: {cell!r} is not a number") from None
            elif i > 0:
                values[i, j] = values[i - 1, j]
    if np.isnan(values[:, 0]).any():
        raise ReferenceFileError(f"{where}: a row without a time")
    columns = {}
    for j, name in enumerate(header[1:], 1):
        columns.setdefault(name, values[:, j])
    return values[:, 0], columns


def read_reference(path: Path) -> Reference:
    """The reference in ``path`` (``.tab``: tab-separated, otherwise comma-separated)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("latin-1")
    delimiter = "\t" if path.suffix.lower() == ".tab" else ","
    times, columns = parse_reference(text, delimiter, str(path))
    return Reference(path, times, columns, vensim_made(path))


def vensim_made(reference: Path) -> bool:
    """Whether the README beside ``reference`` credits Vensim with it (see the module docstring)."""
    readme = reference.parent / "README.md"
    if not readme.is_file():
        return False
    return _credits_vensim(readme.read_text(encoding="utf-8", errors="replace"), reference.name)


def _credits_vensim(readme: str, name: str) -> bool:
    """
    >>> table = "| output.csv | Bob | 1/1/15 | Stella 10 |\\n| `output.tab ` | Jim | 2/2/16 | Vensim |"
    >>> _credits_vensim(table, "output.tab"), _credits_vensim(table, "output.csv")
    (True, False)
    >>> _credits_vensim("| output.csv | Jim | j@x | 1/1/15 | Vensim DSS 6.3 |", "output.tab")
    True
    """
    rows: dict[str, list[str]] = {}
    for line in readme.splitlines():
        if not line.strip().startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        words = cells[0].replace("`", " ").split()
        if words and words[0].lower() in REFERENCE_NAMES:
            rows.setdefault(words[0].lower(), []).append(cells[-1])
    other = next(n for n in REFERENCE_NAMES if n != name.lower())
    credited = rows.get(name.lower()) or rows.get(other) or []
    return any("vensim" in software.lower() for software in credited)


# -- comparing -----------------------------------------------------------------------------------------


class Table:
    """Results as plain columns (a peer's run), looked up like sysmap's results: by any spelling.

    >>> table = Table([0.0, 1.0], {"Stock A[Entry 1]": [1.0, 2.0]})
    >>> table["stock_a[entry_1]"].tolist()
    [1.0, 2.0]
    """

    def __init__(self, times: Iterable[float], columns: dict[str, Iterable[float]]) -> None:
        self.times = np.asarray(list(times), float)
        self.names = list(columns)
        self._columns = {column_key(n): np.asarray(list(v), float) for n, v in columns.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[column_key(name)]


def _lookup(results, keyed: dict[str, str], name: str) -> np.ndarray | None:
    """The results' series for the reference column ``name`` (``keyed``: key -> results name), or ``None``."""
    from sysmap.errors import SysmapError

    spelled = keyed.get(column_key(name))
    for candidate in ([spelled] if spelled is not None else []) + [name]:
        try:
            return np.asarray(results[candidate], float)
        except (LookupError, SysmapError):  # sysmap's results say "no variable named ..." so
            continue
    return None


def nearest(saved: np.ndarray, times: np.ndarray) -> np.ndarray:
    """For each of ``times``, the index of the nearest of the sorted ``saved`` times.

    >>> nearest(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.26, 0.74, 3.0])).tolist()
    [0, 1, 1, 2]
    """
    right = np.clip(np.searchsorted(saved, times), 1, max(1, len(saved) - 1))
    left = right - 1
    if len(saved) == 1:
        return np.zeros(len(times), int)
    return np.where(np.abs(times - saved[left]) <= np.abs(saved[right] - times), left, right)


def close(expected: np.ndarray, got: np.ndarray, vensim: bool) -> np.ndarray:
    """Element-wise: whether ``got`` matches ``expected`` under the suite's tolerance.

    >>> expected, got = np.array([1.0, 1e3, 5e-7, np.nan]), np.array([1.0019, 1e3 + 0.004, -5e-7, np.nan])
    >>> close(expected, got, vensim=True).tolist()
    [True, True, True, True]
    >>> close(np.array([1000.0]), np.array([1000.004]), False).tolist()
    [False]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(expected - got)
        ok = diff <= ATOL
        if vensim:
            ok |= diff <= VENSIM_RTOL * np.abs(expected)
        ok |= (np.abs(expected) < TINY) & (np.abs(got) < TINY)
        ok |= np.isnan(expected) & np.isnan(got)
        ok |= np.isinf(expected) & (expected == got)
    return ok


def compare(reference: Reference, results, specs=None, declared: set[str] | None = None) -> Verdict:
    """What differs between ``reference`` and ``results`` (anything with ``times``, ``names`` and
    ``results[name]``), as a verdict without a run id.

    ``specs``, the model's simulation specs, stands in for Vensim's control columns the results lack;
    ``declared``, the canonical names of the model's variables and modules, tells a column the results
    lack because the model has no such variable (left out, noted) from one they lack wrongly.

    >>> ref = Reference(Path("output.csv"), np.array([0.0, 1.0]), {"Stock": np.array([1.0, 2.0])})
    >>> compare(ref, Table([0.0, 0.5, 1.0], {"stock": [1.0, 1.5, 2.0]})).status
    'match'
    >>> compare(ref, Table([0.0, 1.0], {"stock": [1.0, 2.5]})).reason
    'Stock at t=1: expected 2, got 2.5 (1 of 1 columns differ)'
    >>> compare(ref, Table([0.0, 1.0], {"flow": [0.0, 0.0]})).reason
    'no results for 1 of 1 reference columns: Stock'
    """
    saved = np.asarray(results.times, float)
    if saved.size == 0:
        return Verdict("", "mismatch", "the results hold no saved time")
    index = nearest(saved, reference.times)
    step = np.min(np.diff(saved)) if saved.size > 1 else 0.0
    off = np.abs(saved[index] - reference.times) > max(step / 2, 1e-9 * max(1.0, abs(saved[-1])))
    if off.any():
        t = reference.times[np.argmax(off)]
        return Verdict(
            "", "mismatch", f"no saved time near t={t:g} (results from {saved[0]:g} to {saved[-1]:g})"
        )
    keyed = {column_key(n): n for n in results.names}
    missing, absent = [], []
    worst: tuple[float, int, str, float, float] | None = None  # time, column order, name, expected, got
    differ = 0
    for order, (name, expected) in enumerate(reference.columns.items()):
        series = _lookup(results, keyed, name)
        if series is None:
            control = CONTROLS.get(column_key(name))
            if control is None or specs is None:
                (missing if declared is None or _declares(declared, name) else absent).append(name)
                continue
            value = getattr(specs, control)
            value = specs.dt if value is None else value
            series = np.full(saved.shape, float(value))
        if series.shape != saved.shape:
            return Verdict(
                "", "mismatch", f"{name}: {series.shape[0]} values for {saved.shape[0]} saved times"
            )
        got = series[index]
        bad = ~close(expected, got, reference.vensim)
        if bad.any():
            differ += 1
            i = int(np.argmax(bad))
            candidate = (reference.times[i], order, name, expected[i], got[i])
            if worst is None or candidate[:2] < worst[:2]:
                worst = candidate
    note = (
        f"{len(absent)} reference columns name no variable of the model: {_names(absent)}" if absent else ""
    )
    if missing:
        return Verdict(
            "",
            "missing",
            f"no results for {len(missing)} of {len(reference.columns)} reference columns: {_names(missing)}",
            note,
        )
    if len(absent) == len(reference.columns):
        return Verdict("", "missing", f"no reference column names a variable of the model: {_names(absent)}")
    if worst is None:
        return Verdict("", "match", "", note)
    t, _, name, expected, got = worst
    return Verdict(
        "",
        "mismatch",
        f"{name} at t={t:g}: expected {_num(expected)}, got {_num(got)} "
        f"({differ} of {len(reference.columns) - len(absent)} columns differ)",
        note,
    )


def _declares(declared: set[str], column: str) -> bool:
    base = column_key(column).split("[", 1)[0]
    return base in declared or ("." in base and base.split(".", 1)[0] in declared)


def declared_names(doc) -> set[str]:
    """The canonical names of a document's variables and modules, for :func:`compare`."""
    return {canonical_name(v.name) for v in doc.variables.values()}


def _names(names: list[str]) -> str:
    return ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")


def _num(x: float) -> str:
    return f"{x:.10g}" if math.isfinite(x) else str(x)


# -- running -------------------------------------------------------------------------------------------


def simulate_with_sysmap(path: Path):
    """Load, compile and run the model in ``path`` with sysmap's engine, as a user would."""
    from sysmap.io import load
    from sysmap.sim import compile_model

    return compile_model(load(path)).run()


def check(run: Run, simulate: Callable[[Path], object] | None = None) -> Verdict:
    """Simulate ``run``'s model (with sysmap unless ``simulate``, path -> results, is given) and
    judge its results against the reference.

    An error sysmap reports (an unreadable file, a model it cannot simulate) is the verdict
    ``error`` with that message; any other exception is ``crash``, with where it came from.
    """
    from sysmap.errors import SysmapError
    from sysmap.io import load

    simulate = simulate or simulate_with_sysmap
    reference = read_reference(run.reference)
    try:
        results = simulate(run.model)
    except SysmapError as exc:
        return Verdict(run.id, "error", _one_line(str(exc)))
    except Exception as exc:
        return Verdict(run.id, "crash", _crash(exc))
    try:
        doc = load(run.model)
    except SysmapError:  # a peer's results, for a file sysmap cannot read
        doc = None
    try:
        specs, declared = (None, None) if doc is None else (doc.sim_specs, declared_names(doc))
        verdict = compare(reference, results, specs, declared)
    except Exception as exc:  # results that break the comparison are the engine's fault
        return Verdict(run.id, "crash", _crash(exc))
    return Verdict(run.id, verdict.status, verdict.reason, verdict.note)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _crash(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return _one_line(f"{type(exc).__name__}: {exc}")[:300] + where


# -- expectations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """Why a run is not expected to match: ``kind`` ``cannot`` (the file holds no complete model: the
    run must fail with ``status`` and a reason matching the regular expression ``message``) or
    ``xfail`` (not yet matched by sysmap)."""

    kind: str
    reason: str
    status: str = ""
    message: str = ""


def load_expectations(path: Path, run_ids: Iterable[str] | None = None) -> dict[str, Expectation]:
    """Run id -> expectation, from the TOML file ``path`` (``[[cannot_match]]`` and ``[[xfail]]``
    groups, each with a ``reason`` and its ``runs``). Names of runs not in ``run_ids`` (when given),
    runs listed twice and groups without a reason are errors.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp, "expect.toml")
    ...     _ = path.write_text('[[xfail]]\\nreason = "no DELAY yet"\\nruns = ["tests/d/d.xmile"]\\n')
    ...     load_expectations(path)["tests/d/d.xmile"].reason
    'no DELAY yet'
    """
    import tomllib

    with open(path, "rb") as stream:
        try:
            data = tomllib.load(stream)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: {exc}") from None
    known = None if run_ids is None else set(run_ids)
    found: dict[str, Expectation] = {}
    for kind, table in (("cannot", "cannot_match"), ("xfail", "xfail")):
        for group in data.get(table, []):
            reason = str(group.get("reason", "")).strip()
            if not reason:
                raise ValueError(f"{path}: a [[{table}]] group without a reason")
            if kind == "cannot" and not (group.get("status") and group.get("message")):
                raise ValueError(f"{path}: [[{table}]] {reason[:40]!r}: give the status and message")
            expectation = Expectation(kind, reason, group.get("status", ""), group.get("message", ""))
            for run in group.get("runs", []):
                if run in found:
                    raise ValueError(f"{path}: {run} is listed twice")
                if known is not None and run not in known:
                    raise ValueError(f"{path}: {run} is no run of the suite")
                found[run] = expectation
    unknown = data.keys() - {"cannot_match", "xfail"}
    if unknown:
        raise ValueError(f"{path}: unknown table {sorted(unknown)[0]!r}")
    return found


def summary(verdicts: Iterable[Verdict]) -> str:
    """One line: how many runs match, and why the others do not, by status.

    >>> summary([Verdict("a", "match"), Verdict("b", "error", "x"), Verdict("c", "error", "y")])
    'conformance: 1/3 runs match (2 error)'
    """
    verdicts = list(verdicts)
    matched = sum(v.ok for v in verdicts)
    counts: dict[str, int] = {}
    for v in verdicts:
        if not v.ok:
            counts[v.status] = counts.get(v.status, 0) + 1
    detail = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"conformance: {matched}/{len(verdicts)} runs match" + (f" ({detail})" if detail else "")


def as_text(verdicts: Iterable[Verdict]) -> str:
    """One line per verdict, for a report."""
    out = io.StringIO()
    for v in verdicts:
        out.write(f"{v.status:8} {v.run}" + (f": {v.reason}" if v.reason else "") + "\n")
    return out.getvalue()
