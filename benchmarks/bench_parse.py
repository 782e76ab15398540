"""Equation parsing speed on World3 and C-LEARN, against PySD's parser. Prints figures; asserts nothing.

.venv/bin/python benchmarks/bench_parse.py [--repeat 5]

For each model: its equations (every variable's and array element's, blank ones left out), the
best of ``--repeat`` times to parse them all with :func:`sysmap.sim.parser.parse`'s cache cleared
before each run, as equations and characters per second, then the time to write them back with
``unparse``. The one-off grammar build (lark's LALR tables) is reported apart. When PySD is
importable (it is not a dependency), the same equations go through what PySD's XMILE translator
does per equation -- its parsimonious grammar, then its ``EquationVisitor`` -- timed the same
way, with the ratio PySD / sysmap; equations PySD refuses are counted and left out of its time.
The models live outside the repository (``../shared/models``); a missing one is skipped.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sysmap.io import load  # noqa: E402
from sysmap.sim import parser  # noqa: E402

MODELS = {
    "World3": HERE.parent.parent / "shared" / "models" / "wrld3-03.xmile",
    "C-LEARN": HERE.parent.parent / "shared" / "models" / "C-LEARN_v77_for_Vensim.xmile",
}


def equations(path: Path) -> list[str]:
    """Every non-blank equation of the model in ``path`` and its submodels."""
    found = []
    models = [load(path)]
    while models:
        model = models.pop(0)
        models.extend(model.submodels)
        for var in model.variables.values():
            for text in (var.equation, *(e.equation for e in var.elements)):
                if not parser.is_blank(text):
                    found.append(text)
    return found


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def sysmap_parse_all(texts: list[str]) -> list:
    parser.parse.cache_clear()
    nodes = []
    for text in texts:
        try:
            node = parser.parse(text)
        except parser.EquationSyntaxError:
            continue
        nodes.append(node)
    return nodes


def pysd_parser():
    """A function parsing one equation as PySD's XMILE translator does, or None without PySD."""
    try:
        from pysd.translators.xmile import xmile_utils
        from pysd.translators.xmile.xmile_element import EquationVisitor
        from pysd.translators.xmile.xmile_structures import parsing_ops
    except ImportError:
        return None

    def parse(text: str):
        # PySD's Flaux._parse_component cleans each equation this way before parsing it.
        text = re.sub(r"(\s{2,})", " ", text.replace("\n", " ")).strip()
        tree = xmile_utils.Grammar.get("equations", parsing_ops).parse(text)
        return EquationVisitor(tree).translation

    return parse


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure; the best counts (5)")
    args = ap.parse_args()

    start = time.perf_counter()
    parser._parser()
    print(f"grammar build (once per process): {1000 * (time.perf_counter() - start):.0f} ms")
    pysd_parse = pysd_parser()
    if pysd_parse is None:
        print("PySD is not importable here: no comparison")
    else:
        import pysd

        print(f"PySD {pysd.__version__}: parsimonious grammar + EquationVisitor per equation")

    for label, path in MODELS.items():
        if not path.is_file():
            print(f"\n{label}: {path} is not here, skipped")
            continue
        texts = equations(path)
        chars = sum(map(len, texts))
        nodes = sysmap_parse_all(texts)
        seconds = best_of(args.repeat, lambda texts=texts: sysmap_parse_all(texts))
        writing = best_of(args.repeat, lambda nodes=nodes: [parser.unparse(n) for n in nodes])
        print(f"\n{label}: {len(texts)} equations, {chars:,} characters, {len(nodes)} parse")
        print(
            f"  sysmap parse    {1000 * seconds:8.1f} ms  {len(texts) / seconds:9,.0f} equations/s"
            f"  {chars / seconds / 1e6:5.2f} M characters/s  ({1e6 * seconds / len(texts):.0f} µs each)"
        )
        print(f"  sysmap unparse  {1000 * writing:8.1f} ms  {len(nodes) / writing:9,.0f} equations/s")
        if pysd_parse is None:
            continue
        accepted, refused = [], 0
        for text in texts:
            try:
                pysd_parse(text)
                accepted.append(text)
            except Exception:  # any refusal counts the same
                refused += 1

        def pysd_all(accepted=accepted):
            for text in accepted:
                pysd_parse(text)

        theirs = best_of(args.repeat, pysd_all)
        ours = best_of(args.repeat, lambda accepted=accepted: sysmap_parse_all(accepted))
        print(
            f"  PySD parse      {1000 * theirs:8.1f} ms  {len(accepted) / theirs:9,.0f} equations/s"
            f"  on the {len(accepted)} it accepts ({refused} refused);"
            f" sysmap on the same: {1000 * ours:.1f} ms, PySD/sysmap {theirs / ours:.1f}x"
        )


if __name__ == "__main__":
    main()
