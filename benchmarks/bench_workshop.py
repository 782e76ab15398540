"""Workshop speed: the presentation sequence, handout and frames, open loops, perspectives,
near-synonyms and merging tables' maps, and comparing two versions. Prints figures; asserts
nothing. No peer tool merges maps or narrates loops, so there is nothing to time beside them.

QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_workshop.py [--quick]

``--quick`` leaves out World3 (when ../shared/models has it) and the 2,000-variable maps.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _generate import random_map

from sysmap.analysis.narration import default_sequence
from sysmap.analysis.open_loops import find_open_loops
from sysmap.analysis.perspectives import perspective_summary
from sysmap.examples import example_path
from sysmap.io import load
from sysmap.model import SystemMap
from sysmap.model import workshop as ws
from sysmap.model.clipboard import merge_tables
from sysmap.model.diff import diff_maps
from sysmap.model.synonyms import near_synonyms

WORLD3 = Path(__file__).resolve().parents[2] / "shared" / "models" / "wrld3-03.xmile"
_VOCABULARY = (
    "staff workload sick leave morale turnover caseload referral demand waiting time budget "
    "agency spend complaints quality care outcome family child school attendance housing rent "
    "benefit claimant job skill training employer vacancy health visit pressure target "
    "threshold capacity backlog funding trust police crime youth service community volunteer"
)
WORDS = _VOCABULARY.split()


def best(func, repeat: int = 3) -> tuple[object, float]:
    """The result of ``func`` and its best time of ``repeat`` runs, in seconds."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return result, min(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def table_map(rng: random.Random, n: int, name: str, base: list[str] | None = None) -> SystemMap:
    """A table's map of ``n`` concepts with ``2n`` random links; with ``base``, most names are
    ``base`` names respelled as another table would (plural, typo, word order)."""
    doc = SystemMap(name=name)
    names: list[str] = []
    while len(names) < n:
        if base and rng.random() < 0.7:
            words = rng.choice(base).split()
            how = rng.randrange(3)
            if how == 0:
                words[-1] += "s"
            elif how == 1 and len(words[0]) > 4:
                i = rng.randrange(1, len(words[0]) - 1)
                words[0] = words[0][:i] + words[0][i + 1 :]
            else:
                words.reverse()
            text = " ".join(words).capitalize()
        else:
            text = " ".join(rng.sample(WORDS, rng.choice((2, 3)))).capitalize()
        if doc.variable_named(text) is None:
            names.append(doc.add_variable(text, position=(rng.random() * 2000, rng.random() * 2000)).name)
    ids = list(doc.variables)
    for _ in range(2 * n):
        a, b = rng.sample(ids, 2)
        if not any(k.target == b for k in doc.links_from(a)):
            doc.add_link(a, b, polarity=rng.choice("+-"))
    return doc


def presentation(quick: bool) -> None:
    from sysmap.ui.handout import export_frames, export_handout
    from sysmap.ui.snapshot import ensure_app

    ensure_app()
    doc = load(example_path("social_care_workload"))
    steps, took = best(lambda: default_sequence(doc))
    print(f"presentation of social_care_workload: {len(steps)} steps generated in {ms(took)}")
    with tempfile.TemporaryDirectory() as tmp:
        pages, took = best(lambda: export_handout(doc, Path(tmp) / "handout.pdf"), 1)
        size = (Path(tmp) / "handout.pdf").stat().st_size / 1e3
        print(f"  handout: {pages} pages in {ms(took)} ({size:,.0f} kB)")
        for size_px in ((1280, 720),) if quick else ((1280, 720), (1920, 1080)):
            frames, took = best(lambda s=size_px: export_frames(doc, Path(tmp) / "f", size=s), 1)
            print(f"  frames: {len(frames)} PNG at {size_px[0]}×{size_px[1]} in {ms(took)}")


def open_loops_and_perspectives(quick: bool) -> None:
    maps = [("worklessness", load(example_path("worklessness")))]
    maps.append(("social_care_workload", load(example_path("social_care_workload"))))
    if not quick:
        maps.append(("random 2,000 / 5,000", random_map(2000, 5000, seed=3, equations=False)))
        if WORLD3.is_file():
            maps.append(("World3", load(WORLD3)))
    for name, doc in maps:
        found, took = best(lambda d=doc: find_open_loops(d, time_limit=10.0), 1)
        state = "complete" if found.complete else "stopped by its budget"
        print(f"open loops, {name}: {found.found:,} pairs, best {len(found.loops)} in {ms(took)} ({state})")
    for name, doc in maps:
        third = list(doc.variables)[: max(1, len(doc.variables) // 3)]
        doc.apply(ws.set_perspectives(doc, ws.STANDARD_PERSPECTIVES))
        for i, p in enumerate(ws.STANDARD_PERSPECTIVES):
            ids = list(doc.variables)[i * len(third) : (i + 2) * len(third)]
            ids += [k for k, link in doc.links.items() if link.source in ids and link.target in ids]
            doc.apply(ws.tag_perspective(doc, ids, p.name))
        summary, took = best(lambda d=doc: perspective_summary(d))
        loops = sum(len(s.loops) for s in summary)
        print(f"perspective summary, {name}: 3 perspectives, {loops:,} loops drawn whole, in {ms(took)}")


def merging(quick: bool) -> None:
    rng = random.Random(8)
    for n in (50, 200) if quick else (50, 200, 500):
        ours = table_map(rng, n, "Council")
        base = [v.name for v in ours.variables.values()]
        theirs = [table_map(rng, n, f"Table {i}", base) for i in (2, 3, 4)]
        found, took = best(lambda o=ours, t=theirs[0]: near_synonyms(o, t))
        print(f"near-synonyms, {n} × {n} variables: {len(found)} candidates in {ms(took)}")
        result, took = best(lambda o=ours, t=theirs: merge_tables(o, [(m.name, m) for m in t]))
        print(
            f"merge 3 tables of {n} variables into {n}: {len(result.new_ids):,} new items, "
            f"{len(result.conflicts)} conflicts, in {ms(took)}"
        )


def comparing(quick: bool) -> None:
    for n, links in ((300, 600),) if quick else ((300, 600), (3000, 6000)):
        old = random_map(n, links, seed=5)
        new = old.copy()
        for vid in list(new.variables)[: n // 20]:
            new.remove(vid)
        for i in range(n // 20):
            new.add_variable(f"New variable {i}")
        diff, took = best(lambda o=old, m=new: diff_maps(o, m).entries())
        print(f"compare two versions of a {n:,}-variable map: {len(diff):,} differences in {ms(took)}")


def main() -> None:
    quick = "--quick" in sys.argv
    presentation(quick)
    open_loops_and_perspectives(quick)
    merging(quick)
    comparing(quick)


if __name__ == "__main__":
    main()
