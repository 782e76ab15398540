"""Fuzz the XMILE reader with mutated conformance files. Prints figures; exits 1 on any crash.

.venv/bin/python benchmarks/fuzz_xmile.py [--count 20000] [--seed 1] [--case N] [--save DIR]

Each input is a file of the SDXorg conformance suite (../shared/conformance/sdxorg) with one to
three mutations: byte flips, truncation, duplication or deletion of a byte range, tag swaps
(renaming a start or end tag to another XMILE tag), attribute junk (junk attributes, or junk
in place of a value) and text junk (in place of an element's text: equations, numbers,
names). ``sysmap.io.xmile.parse`` must either load it or raise ``FileFormatError``; a loaded
document is saved (``dumps``) and parsed again, and must come back equal.

Anything else is a crash: another exception (in parse, dumps or the re-parse), a parse that
takes longer than ``--timeout`` seconds, or a document that does not come back equal. Each
crash is printed with its case number and traceback; ``--case N`` (with the same ``--seed``)
replays one case and ``--save DIR`` writes crashing inputs to DIR. Input ``N`` is
reproducible on its own: its random generator is seeded with ``(seed, N)``.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from sysmap.errors import FileFormatError
from sysmap.io.xmile import dumps, parse
from sysmap.model import SystemMap

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "sdxorg"

TAGS = [
    *("xmile", "header", "sim_specs", "start", "stop", "dt", "model_units", "unit", "dimensions"),
    *("dim", "elem", "behavior", "model", "variables", "views", "view", "stock", "flow", "aux", "gf"),
    *("module", "group", "eqn", "inflow", "outflow", "non_negative", "xscale", "yscale", "xpts"),
    *("ypts", "element", "connect", "connector", "from", "to", "alias", "of", "pts", "pt"),
    *("text_box", "doc", "units", "options", "uses_arrays", "macro", "parm", "name", "vendor"),
    *("product", "style"),
]
JUNK_VALUES = [
    "", " ", "nan", "NaN", "inf", "-inf", "1e400", "-1e400", "1e-400", "0", "-0", "-1", "1e15",
    "99999999999999999999999", "0x1F", "1,5", "1.2.3", "true", "TRUE", "null", "\u00e9\u00e8",
    "\u202e", "\U0001f600", "&amp;", "&lt;tag&gt;", "&#0;", "&#x1F;", "&#1114111;", '"', "'", "\\",
    "<", ">", "a" * 5000, "ÿ" * 10, "{", "}", "[", "]", "(", ")", "*", "/", ".", "..",
]  # fmt: skip
JUNK_TEXT = [
    *JUNK_VALUES, "((((((((((", "))", "a +", "IF THEN ELSE", "f(", "x[", "x[1,", "1/0", "\"a\"\"b\"",
    "MACRO(", "DELAY(x, 1e308)", "1,2,3,,", ",,,", "0,1;2", "stock_1", "\u00a0", "\n\n\t",
    "<![CDATA[x]]>", "<!-- c -->", "<?pi x?>",
]  # fmt: skip
ATTRIBUTES = [
    *("name", "x", "y", "width", "height", "angle", "uid", "polarity", "delay_mark", "type", "size"),
    *("sep", "min", "max", "method", "time_units", "reciprocal", "subscript", "to", "from", "access"),
    *("isee:save_interval", "sysmap:polarity", "xmlns", "xmlns:isee", "xml:space", "level"),
    *("version", "direction", "text"),
]

_TAG = re.compile(rb"<(/?)([A-Za-z_][\w:.-]*)")
_START = re.compile(rb"<[A-Za-z_][\w:.-]*")
_ATTRIBUTE_VALUE = re.compile(rb'=\s*"[^"]*"')
_TEXT = re.compile(rb">([^<]+)<")


def _escape(text: str) -> bytes:
    """``text`` for an attribute value or element text (entity-like junk stays as written)."""
    out = text.replace('"', "&quot;") if not text.startswith("&") else text
    return out.encode("utf-8", "surrogatepass")


def byte_flips(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256)
    return bytes(data)


def truncation(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _range(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = rng.randrange(len(data))
    return start, min(len(data), start + rng.choice((1, 4, 16, 64, 256, 2048)))


def duplication(rng: random.Random, data: bytes) -> bytes:
    start, end = _range(rng, data)
    at = rng.randrange(len(data) + 1)
    return data[:at] + data[start:end] * rng.choice((1, 1, 2, 50)) + data[at:]


def deletion(rng: random.Random, data: bytes) -> bytes:
    start, end = _range(rng, data)
    return data[:start] + data[end:]


def tag_swap(rng: random.Random, data: bytes) -> bytes:
    tags = list(_TAG.finditer(data))
    if not tags:
        return byte_flips(rng, data)
    if rng.random() < 0.5 and len(tags) > 1:  # swap two tags' names
        a, b = sorted(rng.sample(tags, 2), key=lambda m: m.start())
        return data[: a.start(2)] + b.group(2) + data[a.end(2) : b.start(2)] + a.group(2) + data[b.end(2) :]
    tag = rng.choice(tags)  # rename one start or end tag
    new = rng.choice(TAGS).encode()
    if rng.random() < 0.2:
        new = rng.choice((b"isee:", b"sysmap:", b"undeclared:", b"")) + new
    return data[: tag.start(2)] + new + data[tag.end(2) :]


def attribute_junk(rng: random.Random, data: bytes) -> bytes:
    values = list(_ATTRIBUTE_VALUE.finditer(data))
    if values and rng.random() < 0.5:  # junk in place of a value
        value = rng.choice(values)
        return data[: value.start()] + b'="' + _escape(rng.choice(JUNK_VALUES)) + b'"' + data[value.end() :]
    starts = list(_START.finditer(data))
    if not starts:
        return byte_flips(rng, data)
    start = rng.choice(starts)
    name = rng.choice(ATTRIBUTES) if rng.random() < 0.8 else rng.choice(("a" * 300, "x:y:z", "1bad", "é"))
    junk = b" " + name.encode() + b'="' + _escape(rng.choice(JUNK_VALUES)) + b'"'
    return data[: start.end()] + junk + data[start.end() :]


def text_junk(rng: random.Random, data: bytes) -> bytes:
    texts = [m for m in _TEXT.finditer(data) if m.group(1).strip()]
    if not texts:
        return byte_flips(rng, data)
    text = rng.choice(texts)
    junk = rng.choice(JUNK_TEXT)
    raw = junk.encode() if junk.startswith(("<!", "<?")) else _escape(junk).replace(b"<", b"&lt;")
    return data[: text.start(1)] + raw + data[text.end(1) :]


MUTATIONS = {
    "byte flips": byte_flips,
    "truncation": truncation,
    "duplication": duplication,
    "deletion": deletion,
    "tag swap": tag_swap,
    "attribute junk": attribute_junk,
    "text junk": text_junk,
}


def make_case(seed: int, case: int, corpus: list[tuple[str, bytes]]) -> tuple[str, list[str], bytes]:
    """Input ``case``: (the file it comes from, the mutations applied, the bytes)."""
    rng = random.Random(f"{seed}:{case}")
    name, data = rng.choice(corpus)
    applied = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        mutation = rng.choice(list(MUTATIONS))
        if data:
            data = MUTATIONS[mutation](rng, data)
            applied.append(mutation)
    return name, applied, data


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def run_case(data: bytes, timeout: float) -> tuple[str, str, list[str]]:
    """(outcome, detail, warnings): loaded, clean error, or crash with its traceback."""
    use_alarm = hasattr(signal, "setitimer")
    if use_alarm:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        doc, warnings = parse(data, "fuzz.xmile")
    except FileFormatError as exc:
        return "error", exc.msg, []
    except Timeout:
        return "crash", f"parse took longer than {timeout} s", []
    except Exception:
        return "crash", traceback.format_exc(), []
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        again, _ = parse(dumps(doc), "fuzz-resaved.xmile")
    except Exception:
        return (
            "crash",
            "re-saving or re-parsing a loaded document failed:\n" + traceback.format_exc(),
            warnings,
        )
    if again != doc:
        where = _difference(doc.content(), again.content())
        return "crash", f"the re-saved document does not come back equal:\n{where}", warnings
    return "loaded", "", warnings


def _difference(a, b, path: str = "content()") -> str:
    """Where two document contents first differ, and the two values there."""
    if isinstance(a, SystemMap) and isinstance(b, SystemMap):
        return _difference(a.content(), b.content(), f"{path}.content()")
    if type(a) is type(b) and isinstance(a, tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _difference(x, y, f"{path}[{i}]")
    if type(a) is type(b) and dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if getattr(a, f.name) != getattr(b, f.name):
                return _difference(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    return f"{path}: {a!r:.300} became {b!r:.300}"


def _message_kind(message: str) -> str:
    """A clean error's message without its particulars, for counting."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", message)
    return message[:90]


def _crash_key(detail: str) -> str:
    """The stage, the exception and the innermost sysmap frame: one key per distinct crash."""
    lines = [s.strip() for s in detail.strip().splitlines() if s.strip()]
    frames = [s for s in lines if s.startswith("File ")]
    ours = [s for s in frames if "/sysmap/" in s.replace("\\", "/") and "/benchmarks/" not in s]
    where = (ours or frames or [""])[-1]
    stage = "parse"
    if lines and lines[0].startswith("re-saving"):
        stage = "re-save/re-parse"
    elif lines and lines[0].startswith("the re-saved"):
        return "[round trip] the re-saved document does not come back equal"
    return f"[{stage}] {lines[-1][:120] if lines else detail} @ {where}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000, help="inputs to try (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the whole run (default 1)")
    parser.add_argument("--case", type=int, help="replay this one input and print what happens")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a parse may take (default 10)")
    parser.add_argument("--save", type=Path, help="write crashing inputs to this directory")
    args = parser.parse_args()
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _alarm)

    files = sorted(p for p in SUITE.rglob("*") if p.suffix in (".xmile", ".stmx")) if SUITE.is_dir() else []
    if not files:
        print(f"the conformance suite is not at {SUITE}")
        return 2
    corpus = [(str(p.relative_to(SUITE)), p.read_bytes()) for p in files]

    if args.case is not None:
        name, applied, data = make_case(args.seed, args.case, corpus)
        outcome, detail, warnings = run_case(data, args.timeout)
        print(f"case {args.case} (seed {args.seed}): {name}, {' + '.join(applied)}, {len(data)} bytes")
        print(f"{outcome}: {detail}" if detail else outcome)
        for warning in warnings:
            print(f"  warning: {warning}")
        return 1 if outcome == "crash" else 0

    print(f"fuzzing sysmap.io.xmile.parse: {args.count} inputs from {len(corpus)} files, seed {args.seed}")
    outcomes: Counter[str] = Counter()
    by_mutation: dict[str, Counter[str]] = {m: Counter() for m in MUTATIONS}
    messages: Counter[str] = Counter()
    warned = 0
    crashes: dict[str, list[tuple[int, str, list[str], str]]] = {}
    start = time.perf_counter()
    for case in range(args.count):
        name, applied, data = make_case(args.seed, case, corpus)
        outcome, detail, warnings = run_case(data, args.timeout)
        outcomes[outcome] += 1
        for mutation in set(applied):
            by_mutation[mutation][outcome] += 1
        if outcome == "error":
            messages[_message_kind(detail)] += 1
        elif outcome == "loaded":
            warned += bool(warnings)
        else:
            crashes.setdefault(_crash_key(detail), []).append((case, name, applied, detail))
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"crash-{args.seed}-{case}.xmile").write_bytes(data)
    elapsed = time.perf_counter() - start

    total = args.count
    print(f"{total} inputs in {elapsed:.1f} s ({elapsed / max(total, 1) * 1000:.2f} ms each)")
    loaded = outcomes["loaded"]
    print(f"  loaded:       {loaded:6d}  ({warned} of them with warnings; all re-saved and re-parsed)")
    print(f"  clean errors: {outcomes['error']:6d}  (FileFormatError)")
    print(f"  crashes:      {outcomes['crash']:6d}")
    print("\nby mutation (an input with several mutations counts under each):")
    for mutation, counts in by_mutation.items():
        print(
            f"  {mutation:<15} {sum(counts.values()):6d} inputs: {counts['loaded']:6d} loaded, "
            f"{counts['error']:6d} clean errors, {counts['crash']:4d} crashes"
        )
    print("\nmost frequent clean errors:")
    for message, count in messages.most_common(12):
        print(f"  {count:6d}  {message}")
    if crashes:
        print(f"\n{len(crashes)} distinct crashes:")
        for key, cases in crashes.items():
            case, name, applied, detail = cases[0]
            seeds = ", ".join(str(c[0]) for c in cases[:20]) + (" ..." if len(cases) > 20 else "")
            print(f"\n- {key}\n  {len(cases)} inputs; cases (--seed {args.seed} --case N): {seeds}")
            print(f"  first: case {case}, {name}, {' + '.join(applied)}")
            print("  " + detail.strip().replace("\n", "\n  "))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
