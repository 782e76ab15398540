"""Simulation speed and agreement, against PySD and Simlin on the same files. Prints figures; asserts nothing.

.venv/bin/python benchmarks/bench_sim.py [--quick] [--repeat 3] [--variables 2000] [--runs 1000]
                                        [--only SUBSTRING] [--diff-csv PATH]

Models: every run of the SDXorg conformance suite (../shared/conformance/sdxorg, 118 model files
with a reference output; see tests/sim/conformance.py), a generated stock-and-flow model of
``--variables`` variables (benchmarks/_generate.py), World3-03 and C-LEARN (../shared/models).

For each model, the best of ``--repeat`` (every program timed the same way: ``time.perf_counter``
around each call, no garbage collection forced in between, the fastest kept): sysmap's load +
compile (``load``, ``compile_model``) and run (``model.run()``); PySD's load (``pysd.read_xmile``:
translate to Python and import) and run; Simlin's load (``simlin.load``) and run (``model.run()``).
Ratios are peer time / sysmap time (above 1: sysmap is faster). The issue's targets: PySD load+run /
sysmap load+run >= 10 on every model; Simlin run / sysmap run >= 0.5 (a single run within 2x of
Simlin's native engine). For the conformance runs, the table also says whether sysmap's results
match the reference.

Ensembles: ``--runs`` runs with varied parameters, as one vectorised sysmap run
(``model.run(runs=N, overrides=..., keep=...)``, timed once, its first call, which compiles the
vector code and first touches the pages of the results; the best of two later calls is shown
too) against N Simlin runs of one loaded model, on the teacup, SIR and a generated model of 100
variables. The ensemble keeps what ``sysmap simulate --runs N`` keeps: every run's values
of the stocks (or of the first 8 variables of a model without stocks), not of every variable.

Agreement: for World3 and C-LEARN, every variable both sysmap and Simlin report is compared over
the run; the largest relative difference per variable, |a - b| / max(|a|, |b|) (0 where both are
below 1e-9), is summarised, the worst listed, and all of them written to ``--diff-csv``.

A peer that is not installed is left out (pip install pysd==3.14.3 pysimlin==0.8.5; neither is a
sysmap dependency); a file a peer refuses or crashes on, or reads no variable from (Stella 10's
legacy layout), is counted and its reason summarised.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
LARGE = {
    "World3": SHARED / "models" / "wrld3-03.xmile",
    "C-LEARN": SHARED / "models" / "C-LEARN_v77_for_Vensim.xmile",
}
PEER_TIMEOUT = 600.0
ENSEMBLE_VARIABLES = 100

for path in (HERE, REPO / "tests", REPO / "tests" / "sim"):
    sys.path.insert(0, str(path))
import conformance  # noqa: E402
from _generate import stock_flow_model  # noqa: E402
from peers import PeerError, available  # noqa: E402


@dataclass
class Row:
    label: str
    path: Path
    reference: Path | None = None
    load: float | None = None  # sysmap load + compile
    run: float | None = None
    error: str | None = None
    status: str = ""  # the conformance verdict, for a suite run
    results: object = field(default=None, repr=False)
    peers: dict[str, tuple[float, float] | str] = field(default_factory=dict)  # (load, run) or why not

    @property
    def total(self) -> float | None:
        return None if self.load is None or self.run is None else self.load + self.run


def best_of(repeat: int, func) -> tuple[float, object]:
    """Best of ``repeat`` calls and the last value, timed as tests/peers.py times the peers (no
    ``gc.collect()`` in between, which would evict the caches of a sub-millisecond run)."""
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return best, value


def one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def measure(row: Row, repeat: int, peers) -> None:
    from sysmap.errors import SysmapError
    from sysmap.io import load
    from sysmap.sim import compile_model

    try:
        row.load, model = best_of(repeat, lambda: compile_model(load(row.path)))
        row.run, row.results = best_of(repeat, model.run)
    except SysmapError as exc:
        row.error = " ".join(str(exc).split())
    except Exception as exc:  # a bug, but a figure here: the benchmark goes on
        row.error = "crash: " + one_line(exc)
    if row.reference is not None:
        if row.results is None:
            row.status = "error"
        else:
            reference = conformance.read_reference(row.reference)
            doc = load(row.path)
            row.status = conformance.compare(
                reference, row.results, doc.sim_specs, conformance.declared_names(doc)
            ).status
    for peer in peers:
        try:
            if not peer.variables(row.path):  # Stella 10's legacy layout: the peer reads nothing from it
                row.peers[peer.name] = "reads no variable from the file"
                continue
            row.peers[peer.name] = (peer.load_time(row.path, repeat), peer.run_time(row.path, repeat))
        except PeerError as exc:
            row.peers[peer.name] = " ".join(str(exc).split())
        except Exception as exc:  # a peer's failure is a figure, not a crash
            row.peers[peer.name] = one_line(exc)


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:9.2f}"


def ratio(peer: float, ours: float | None) -> str:
    return f"{peer / ours:8.2f}x" if ours else f"{'-':>9}"


def header(peers) -> str:
    cells = [f"{'model':<46}", f"{'ok':>8}", f"{'load+cc':>9}", f"{'run ms':>9}"]
    for peer in peers:
        cells += [f"{peer.name + ' ld':>9}", f"{'run':>9}", f"{'l+r/ours':>9}", f"{'run/ours':>9}"]
    return " ".join(cells)


def print_row(row: Row, peers) -> None:
    cells = [
        f"{row.label if len(row.label) <= 46 else '...' + row.label[-43:]:<46}",
        f"{row.status or ('error' if row.error else ''):>8}",
        ms(row.load),
        ms(row.run),
    ]
    for peer in peers:
        value = row.peers.get(peer.name)
        if isinstance(value, tuple):
            load, run = value
            cells += [ms(load), ms(run), ratio(load + run, row.total), ratio(run, row.run)]
        else:
            cells += [f"{'failed':>9}", f"{'':>9}", f"{'':>9}", f"{'':>9}"]
    print(" ".join(cells) + (f"  sysmap: {row.error[:150]}" if row.error else ""))


def summarise(title: str, rows: list[Row], peers) -> None:
    ran = [r for r in rows if r.total is not None]
    print(f"\n{title}: {len(rows)} models, sysmap runs {len(ran)}", end="")
    statuses = Counter(r.status for r in rows if r.status)
    if statuses:
        print(" (" + ", ".join(f"{n} {s}" for s, n in statuses.most_common()) + ")", end="")
    print()
    if ran:
        for what, text in (("load", "load + compile"), ("run", "run")):
            times = [getattr(r, what) for r in ran]
            worst = max(ran, key=lambda r: getattr(r, what))
            print(
                f"  sysmap {text}: total {sum(times) * 1000:9.1f} ms, median "
                f"{statistics.median(times) * 1000:7.2f} ms, max {max(times) * 1000:8.1f} ms ({worst.label})"
            )
    for peer in peers:
        both = [r for r in ran if isinstance(r.peers.get(peer.name), tuple)]
        failed = [r for r in rows if not isinstance(r.peers.get(peer.name), tuple)]
        done = len(rows) - len(failed)
        print(f"  {peer.name} {peer.version}: runs {done} of {len(rows)}, fails {len(failed)}")
        if both:
            totals = {r.label: sum(r.peers[peer.name]) / r.total for r in both}
            runs = {r.label: r.peers[peer.name][1] / r.run for r in both}
            for text, found, target, goal in (
                ("load+run / sysmap's", totals, 10.0, ">= 10x"),
                ("run / sysmap's run", runs, 0.5, ">= 0.5x (within 2x)"),
            ):
                slowest = min(found, key=found.get)
                print(
                    f"    {text}: median {statistics.median(found.values()):.2f}x, "
                    f"min {found[slowest]:.2f}x ({slowest}), max {max(found.values()):.2f}x; "
                    f"{goal} on {sum(v >= target for v in found.values())} of {len(found)}"
                )
        reasons = Counter(_reason(str(r.peers.get(peer.name, "not tried"))) for r in failed)
        for reason, count in reasons.most_common(8):
            print(f"    {count:3d} x {reason}")


def _reason(text: str) -> str:
    """A peer's error, shortened so that the same cause on different files counts once."""
    return text.split(" (line ")[0].split(" Parse tree:")[0].split(" for variables: ")[0][:160]


# -- ensembles -----------------------------------------------------------------------------------------


ENSEMBLES = {
    "teacup": (
        SHARED / "conformance" / "sdxorg" / "samples" / "teacup" / "teacup.xmile",
        {"characteristic_time": (5.0, 15.0)},
    ),
    "SIR": (
        SHARED / "conformance" / "sdxorg" / "samples" / "SIR" / "SIR.xmile",
        {"contact_infectivity": (0.2, 0.4), "duration": (3.0, 7.0)},
    ),
}


def ensemble(label: str, path: Path, ranges: dict[str, tuple[float, float]], runs: int, simlin) -> None:
    from sysmap.errors import SysmapError
    from sysmap.io import load
    from sysmap.sim import compile_model

    rng = np.random.default_rng(1)
    values = {name: rng.uniform(low, high, runs) for name, (low, high) in ranges.items()}
    line = f"  {label:<24} {runs} runs varying {', '.join(ranges)}:"
    try:
        model = compile_model(load(path))
        keep = model.stock_names or model.names[:8]  # as the CLI keeps

        def once() -> None:  # the results are dropped, as a caller done with them would
            model.run(runs=runs, overrides=values, keep=keep)

        ours, _ = best_of(1, once)
        later, _ = best_of(2, once)
        single, _ = best_of(3, model.run)
    except SysmapError as exc:
        print(f"{line} sysmap fails: {' '.join(str(exc).split())[:150]}")
        return
    line += (
        f" sysmap {ours * 1000:.1f} ms (later calls {later * 1000:.1f} ms; {ours / single:.0f} single"
        f" runs' time, {single * 1000:.2f} ms each)"
    )
    if simlin is not None:
        overrides = [{name: float(v[i]) for name, v in values.items()} for i in range(runs)]
        try:
            theirs = simlin.runs_time(path, runs, overrides)
            line += f"; Simlin {theirs * 1000:.1f} ms, {theirs / ours:.2f}x sysmap's"
        except PeerError as exc:
            line += f"; Simlin fails: {_reason(str(exc))}"
    print(line)


# -- agreement with Simlin ---------------------------------------------------------------------------------


def differences(results, run) -> dict[str, float]:
    """Variable -> largest relative difference over the run between sysmap's results and Simlin's."""
    theirs = conformance.Table(run.time, run.columns)
    times = np.asarray(results.times, float)
    index = conformance.nearest(times, theirs.times)
    found = {}
    for name in results.names:
        try:
            other = theirs[name]
        except KeyError:
            continue
        ours = np.asarray(results[name], float)[index]
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.maximum(np.abs(ours), np.abs(other))
            rel = np.where(scale < 1e-9, 0.0, np.abs(ours - other) / scale)
        rel = np.where(np.isnan(ours) & np.isnan(other), 0.0, rel)
        found[name] = float(np.nanmax(np.where(np.isnan(rel), np.inf, rel))) if rel.size else 0.0
    return found


def agreement(label: str, row: Row, simlin, out: Path | None) -> None:
    if row.results is None:
        print(f"  {label}: sysmap did not run it ({row.error})")
        return
    try:
        run = simlin.run(row.path)
    except PeerError as exc:
        print(f"  {label}: Simlin fails: {_reason(str(exc))}")
        return
    diffs = differences(row.results, run)
    if not diffs:
        print(f"  {label}: no variable in common")
        return
    values = np.array(list(diffs.values()))
    bands = [(1e-12, "<= 1e-12"), (1e-9, "<= 1e-9"), (1e-6, "<= 1e-6"), (1e-3, "<= 1e-3"), (np.inf, "> 1e-3")]
    counts, low = [], -1.0
    for high, text in bands:
        n = int(np.sum((values > low) & (values <= high))) if np.isfinite(high) else int(np.sum(values > low))
        counts.append(f"{n} {text}")
        low = high
    print(
        f"  {label}: {len(diffs)} of {len(row.results.names)} sysmap columns compared with Simlin's "
        f"({len(run.columns)} columns); largest relative difference per variable: " + ", ".join(counts)
    )
    for name, value in sorted(diffs.items(), key=lambda kv: -kv[1])[:12]:
        if value > 1e-9:
            print(f"      {value:10.3g}  {name}")
    if out is not None:
        path = out.with_name(f"{out.stem}_{label}{out.suffix}")
        with open(path, "w", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["variable", "largest relative difference"])
            writer.writerows(sorted(diffs.items(), key=lambda kv: -kv[1]))
        print(f"      (all {len(diffs)} written to {path})")


# -- main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sysmap only: leave out Simlin and PySD")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument("--variables", type=int, default=2000, help="size of the generated model")
    parser.add_argument("--runs", type=int, default=1000, help="runs in an ensemble (default 1000)")
    parser.add_argument("--only", default="", help="only the models whose label contains this")
    parser.add_argument(
        "--diff-csv", type=Path, help="write the per-variable differences to PATH_<model>.csv"
    )
    args = parser.parse_args()

    import sysmap
    from sysmap.io import save

    workdir = Path(tempfile.mkdtemp(prefix="bench_sim_"))
    peers = []
    try:
        if not args.quick:
            peers, notes = available(timeout=PEER_TIMEOUT)
            for note in notes:
                print(f"({note})")
        versions = ", ".join(f"{p.name} {p.version}" for p in peers) or "no peers"
        print(
            f"sysmap {sysmap.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}; "
            f"{versions}; best of {args.repeat}"
        )
        generated = workdir / f"generated_{args.variables}.xmile"
        save(stock_flow_model(args.variables), generated)
        small = workdir / f"generated_{ENSEMBLE_VARIABLES}.xmile"
        save(stock_flow_model(ENSEMBLE_VARIABLES), small)

        groups: dict[str, list[Row]] = {"conformance suite": [], "large models": []}
        runs = conformance.find_runs()
        if not runs:
            print(f"(the conformance suite is not at {conformance.SUITE})")
        for run in runs:
            groups["conformance suite"].append(Row(run.id, run.model, run.reference))
        groups["large models"].append(Row(f"generated {args.variables:,} variables", generated))
        for label, path in LARGE.items():
            if path.is_file():
                groups["large models"].append(Row(label, path))
            else:
                print(f"({label} is not at {path})")
        for title, rows in groups.items():
            rows[:] = [r for r in rows if args.only in r.label]
            if not rows:
                continue
            print(f"\n{title}\n{header(peers)}")
            for row in rows:
                measure(row, args.repeat, peers)
                print_row(row, peers)
        for title, rows in groups.items():
            if rows:
                summarise(title, rows, peers)

        simlin = next((p for p in peers if p.name == "Simlin"), None)
        print(f"\nensembles ({args.runs} runs)")
        ensembles = dict(ENSEMBLES)
        ensembles[f"generated {ENSEMBLE_VARIABLES} variables"] = (
            small,
            {f"aux_{i}": (0.01, 0.1) for i in range(5)},
        )
        for label, (path, ranges) in ensembles.items():
            if args.only in label and path.is_file():
                ensemble(label, path, ranges, args.runs, simlin)

        if simlin is not None:
            print("\nagreement with Simlin")
            for row in groups["large models"]:
                if row.label in LARGE:
                    agreement(row.label, row, simlin, args.diff_csv)
    finally:
        for peer in peers:
            peer.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
