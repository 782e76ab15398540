"""Symbolic link polarity speed: every dependency of the examples, World3 and C-LEARN, cold
(caches cleared: parsing, assumptions, sympy) and warm; time per link and the signs found.
Prints figures; asserts nothing.

.venv/bin/python benchmarks/bench_polarity.py [FILE ...]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from sysmap.analysis import polarity
from sysmap.examples import example_names, example_path
from sysmap.io import load
from sysmap.sim.parser import parse

SHARED = Path(__file__).resolve().parents[2] / "shared" / "models"


def clear_caches() -> None:
    parse.cache_clear()
    polarity._decision.cache_clear()
    polarity._value_info.cache_clear()


def measure(path) -> None:
    doc = load(path)
    clear_caches()
    start = time.perf_counter()
    analysis = polarity._Analysis(doc, None)
    pairs = polarity.dependencies(doc)
    for vid in doc.variables:
        analysis.info(vid)
    assumed = time.perf_counter() - start
    per_link, results = [], {}
    for pair in pairs:
        t = time.perf_counter()
        results[pair] = analysis.link(*pair)
        per_link.append((time.perf_counter() - t) * 1000)
    cold = time.perf_counter() - start
    warm_start = time.perf_counter()
    polarity.derive_polarities(doc)
    warm = time.perf_counter() - warm_start
    signs = Counter("conditional" if p.conditional else p.sign for p in results.values())
    disagree = polarity.polarity_disagreements(doc, polarities=results)
    if not per_link:
        print(f"{Path(path).name:<34} no equations")
        return
    print(
        f"{Path(path).name:<34} {len(pairs):>5} links  "
        + " ".join(f"{k}:{signs[k]}" for k in ("+", "-", "conditional", "?", "0"))
        + f"  assumptions {assumed:5.2f} s  per link median {statistics.median(per_link):.2f} ms,"
        f" max {max(per_link):5.0f} ms  total cold {cold:5.2f} s, warm {warm:5.2f} s"
        f"  drawn against equations: {sum(d.error for d in disagree)}"
    )


def main(paths: list[str]) -> None:
    if not paths:
        paths = [str(example_path(name)) for name in example_names()]
        paths += [
            str(SHARED / f)
            for f in ("wrld3-03.xmile", "C-LEARN_v77_for_Vensim.xmile")
            if (SHARED / f).exists()
        ]
    for path in paths:
        measure(path)


if __name__ == "__main__":
    main(sys.argv[1:])
