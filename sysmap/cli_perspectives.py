"""``sysmap perspectives FILE`` and ``sysmap open-loops FILE``: a workshop map's perspectives,
and the links that would close a new loop.

The lead registers :data:`COMMANDS` in :mod:`sysmap.cli`: name -> (function, help, the
function that adds the command's arguments to its parser).
"""

from __future__ import annotations

import argparse
import json

from sysmap.errors import SysmapError
from sysmap.io import load


def cmd_perspectives(args: argparse.Namespace) -> int:
    """Print each perspective's variables, links, the loops it drew whole and what only it
    sees, then what no perspective claims; a map without perspectives lists its tags."""
    from sysmap.analysis.perspectives import perspective_summary, summary_dict, summary_text

    doc = load(args.file)
    summaries = perspective_summary(doc) if doc.perspectives else []
    if args.json:
        print(json.dumps({"file": args.file, **summary_dict(doc, summaries)}, indent=2, ensure_ascii=False))
    else:
        print(summary_text(doc, summaries))
    return 0


def cmd_open_loops(args: argparse.Namespace) -> int:
    """Print the links that would close a new feedback loop, best prompts first."""
    from sysmap.analysis.open_loops import find_open_loops

    if args.limit < 0:
        raise SysmapError("--limit must be 0 or more")
    doc = load(args.file)
    found = find_open_loops(doc, limit=args.limit, time_limit=args.time)
    if args.json:
        data = {
            "file": args.file,
            "found": found.found,
            "complete": found.complete,
            "open_loops": [o.to_dict(doc) for o in found.loops],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not found.loops:
        print("No open loops: no single new link would close a loop.")
        return 0
    more = "" if found.complete else " (search stopped early)"
    print(f"{found.found} links would close a new loop{more}; the best {len(found.loops)}:")
    for i, o in enumerate(found.loops, 1):
        fresh = f", {o.new_loops_through} on no loop yet" if o.new_loops_through else ""
        tag = f"[{o.polarity_plus} with +, {o.polarity_minus} with −; {o.length} variables{fresh}]"
        print(f"{i:3}. {tag} {o.sentence}")
    return 0


def _perspectives_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the map to read")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


def _open_loops_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the map to read")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="show the N best prompts (20)")
    p.add_argument("--time", type=float, default=2.0, metavar="SECONDS", help="time budget (2 s)")


COMMANDS = {
    "perspectives": (
        cmd_perspectives,
        "list what each workshop perspective drew: variables, links, loops, and what only it sees",
        _perspectives_arguments,
    ),
    "open-loops": (
        cmd_open_loops,
        "list the links that would close a new feedback loop, with its polarity (workshop prompts)",
        _open_loops_arguments,
    ),
}
