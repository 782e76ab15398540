"""XMILE load and save speed, against Simlin and PySD loading the same files. Prints figures; asserts nothing.

.venv/bin/python benchmarks/bench_io.py [--quick] [--repeat 3] [--variables 5000]

Files: every model of the SDXorg conformance suite (../shared/conformance/sdxorg), World3-03 and
C-LEARN (../shared/models), and a generated stock-and-flow map of 5,000 variables (positions,
links, pipes). For each, the best of ``--repeat`` runs of sysmap's ``load`` and ``save`` (to a
temporary .xmile, fsync included), and -- unless ``--quick`` -- the best of ``--repeat`` loads of
the same file by Simlin (``simlin.load``, pip install pysimlin) and PySD (``pysd.read_xmile``,
which translates the model to Python and imports it), with ratios peer time / sysmap time. A
peer that is not installed is left out; a file a peer refuses (or crashes on) is counted and
its reason summarised. The peers are driven by tests/peers.py: Simlin in a child process, since
a panic in its engine aborts the process; PySD only ever sees copies in a temporary directory,
since it writes a .py beside the file it reads.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
SUITE = SHARED / "conformance" / "sdxorg"
LARGE = {
    "World3": SHARED / "models" / "wrld3-03.xmile",
    "C-LEARN": SHARED / "models" / "C-LEARN_v77_for_Vensim.xmile",
}
PEER_TIMEOUT = 300.0

sys.path.insert(0, str(HERE.parent / "tests"))
from peers import PeerError, available, best_of  # noqa: E402 -- shared with the tests and bench_sim

# -- a generated stock-and-flow map ------------------------------------------------------------------


def stock_flow_map(n_variables: int, seed: int = 1):
    """A generated map of ``n_variables``: a fifth stocks, a fifth flows (each draining one stock
    into another or a cloud, with a two-point pipe), the rest auxiliaries; two links per
    variable, each also in the target's equation (a variable nothing links to is a constant);
    a few loop labels and notes. Its feedback is random, so it is a file to load, not a model
    to simulate."""
    sys.path.insert(0, str(HERE))
    from _generate import random_map

    from sysmap.model import Kind
    from sysmap.model.edits import Compound
    from sysmap.model.operations import add_loop_label, add_note, attach_flow, update

    rng = random.Random(seed)
    doc = random_map(n_variables, 2 * n_variables, seed=seed)
    doc.apply(
        Compound(
            [update(doc, v.id, kind=Kind.STOCK) for i, v in enumerate(doc.variables.values()) if i % 5 == 0]
        )
    )
    # variables nothing links to get a constant, so that every variable has an equation
    doc.apply(
        Compound(
            [
                update(doc, v.id, equation=str(rng.randint(1, 100)))
                for v in doc.variables.values()
                if not v.equation
            ]
        )
    )
    variables = list(doc.variables.values())
    stocks = [v.id for v in variables if v.kind == Kind.STOCK]
    edits = []
    for i, var in enumerate(variables):
        if i % 5 == 1:
            x, y = var.position
            edits.append(update(doc, var.id, kind=Kind.FLOW, points=((x - 70.0, y), (x + 70.0, y))))
    doc.apply(Compound(edits))
    for i, var in enumerate(list(doc.variables.values())):
        if var.kind == Kind.FLOW:
            source = variables[i - 1].id
            sink = rng.choice([*rng.sample(stocks, 3), None])
            doc.apply(attach_flow(doc, var.id, source=source, sink=None if sink == source else sink))
    labels = [add_loop_label(doc, f"R{k}", (rng.uniform(0, 12000), rng.uniform(0, 8000))) for k in range(50)]
    notes = [add_note(doc, f"note {k}", (rng.uniform(0, 12000), rng.uniform(0, 8000))) for k in range(50)]
    doc.apply(Compound([*labels, *notes]))
    return doc


# -- measuring ---------------------------------------------------------------------------------------


@dataclass
class Row:
    group: str
    label: str
    path: Path
    size: int
    load: float | None = None
    save: float | None = None
    error: str | None = None
    peers: dict[str, float | str] = field(default_factory=dict)  # time, or the peer's reason


def measure(row: Row, repeat: int, out: Path, peers) -> None:
    from sysmap.errors import FileFormatError
    from sysmap.io import load, save

    try:
        doc = load(row.path)
        row.load = best_of(repeat, lambda: load(row.path))
        row.save = best_of(repeat, lambda: save(doc, out))
    except FileFormatError as exc:
        row.error = str(exc)
    for peer in peers:
        try:
            row.peers[peer.name] = peer.load_time(row.path, repeat)
        except PeerError as exc:
            row.peers[peer.name] = " ".join(str(exc).split())
        except Exception as exc:  # a peer's failure is a figure, not a crash
            row.peers[peer.name] = " ".join(f"{type(exc).__name__}: {exc}".split())


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:9.1f}"


def print_row(row: Row, peers) -> None:
    cells = [f"{row.label[:48]:<48}", f"{row.size / 1024:8.1f}", ms(row.load), ms(row.save)]
    for peer in peers:
        value = row.peers.get(peer.name)
        if isinstance(value, float) and row.load:
            cells.append(f"{ms(value)} {value / row.load:7.2f}x")
        else:
            cells.append(f"{'failed':>19}")
    print(" ".join(cells) + (f"  sysmap: {row.error}" if row.error else ""))


def summarise(title: str, rows: list[Row], peers) -> None:
    loaded = [r for r in rows if r.load is not None]
    print(f"\n{title}: {len(rows)} files, sysmap loads {len(loaded)}")
    if not loaded:
        return
    for what in ("load", "save"):
        times = [getattr(r, what) for r in loaded]
        worst = max(loaded, key=lambda r: getattr(r, what))
        median = statistics.median(times)
        print(
            f"  sysmap {what}: total {sum(times) * 1000:8.1f} ms, median {median * 1000:7.2f} ms, "
            f"max {max(times) * 1000:8.1f} ms ({worst.label})"
        )
    for peer in peers:
        ok = [r for r in loaded if isinstance(r.peers.get(peer.name), float)]
        failed = [r for r in rows if not isinstance(r.peers.get(peer.name), float)]
        print(f"  {peer.name} {peer.version}: loads {len(ok)} of {len(rows)}, fails {len(failed)}")
        if ok:
            ratios = [r.peers[peer.name] / r.load for r in ok]
            peer_total = sum(r.peers[peer.name] for r in ok)
            ours = sum(r.load for r in ok)
            print(
                f"    load time / sysmap's: median {statistics.median(ratios):.2f}x, "
                f"min {min(ratios):.2f}x, max {max(ratios):.2f}x; "
                f"total {peer_total * 1000:.1f} ms vs sysmap {ours * 1000:.1f} ms ({peer_total / ours:.2f}x)"
            )
        reasons = Counter(_reason(r.peers.get(peer.name, "not tried")) for r in failed)
        for reason, count in reasons.most_common():
            print(f"    {count:3d} x {reason}")


def _reason(text: str) -> str:
    """A peer's error, shortened so that the same cause on different files counts once."""
    text = text.split(" (line ")[0].split(" Parse tree:")[0]
    return text[:200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sysmap only: skip Simlin and PySD")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--variables", type=int, default=5000, help="size of the generated map")
    args = parser.parse_args()

    import lxml

    import sysmap
    from sysmap.io import save

    workdir = Path(tempfile.mkdtemp(prefix="bench_io_"))
    try:
        peers = []
        if not args.quick:
            peers, notes = available(timeout=PEER_TIMEOUT)
            for note in notes:
                print(f"({note})")
        versions = ", ".join(f"{p.name} {p.version}" for p in peers) or "no peers"
        print(
            f"sysmap {sysmap.__version__}, lxml {lxml.__version__}, Python {sys.version.split()[0]}; "
            f"{versions}; best of {args.repeat}"
        )

        start = time.perf_counter()
        doc = stock_flow_map(args.variables)
        generated = workdir / f"generated_{args.variables}.xmile"
        save(doc, generated)
        kinds = Counter(v.kind.value for v in doc.variables.values())
        kinds_text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        print(
            f"generated map: {len(doc.variables)} variables ({kinds_text}), {len(doc.links)} links, "
            f"built in {time.perf_counter() - start:.1f} s"
        )

        groups: dict[str, list[Row]] = {"conformance suite": [], "large models": []}
        if SUITE.is_dir():
            for path in sorted(p for p in SUITE.rglob("*") if p.suffix in (".xmile", ".stmx")):
                # file names are unique in the suite; the table shows them rather than paths
                groups["conformance suite"].append(Row("conformance", path.name, path, path.stat().st_size))
        else:
            print(f"(the conformance suite is not at {SUITE})")
        for label, path in LARGE.items():
            if path.is_file():
                groups["large models"].append(Row("large", label, path, path.stat().st_size))
        groups["large models"].append(
            Row("large", f"generated {args.variables:,} variables", generated, generated.stat().st_size)
        )

        header = [f"{'file':<48}", f"{'KiB':>8}", f"{'load ms':>9}", f"{'save ms':>9}"]
        header += [f"{p.name + ' ms':>9} {'ratio':>8}" for p in peers]
        out = workdir / "saved.xmile"
        for title, rows in groups.items():
            print(f"\n{title}\n" + " ".join(header))
            for row in rows:
                measure(row, args.repeat, out, peers)
                print_row(row, peers)
        for title, rows in groups.items():
            summarise(title, rows, peers)
        print()
        for row in groups["large models"]:
            cells = [f"{row.label}: load {ms(row.load).strip()} ms, save {ms(row.save).strip()} ms"]
            for peer in peers:
                value = row.peers.get(peer.name)
                if isinstance(value, float) and row.load:
                    cells.append(f"{peer.name} load {value * 1000:.1f} ms ({value / row.load:.2f}x)")
                else:
                    cells.append(f"{peer.name} fails: {_reason(str(value))[:100]}")
            print("; ".join(cells))
        for peer in peers:
            peer.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
