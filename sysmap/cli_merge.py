"""``sysmap merge BASE OTHER... -o OUT``: merge the maps several workshop tables drew.

Variables with equivalent names are one variable; ``--same THEIRS=OURS`` makes a
near-synonym one too. Everything a table drew is tagged with its name (a perspective per
table) unless ``--no-provenance``. The merged map is written to OUT; the output lists what
was added, the polarity conflicts to discuss, and the near-synonyms *not* applied, so the
facilitator can re-run with ``--same``. Exit status: 0 merged, 3 merged with conflicts to
discuss, 1 on an error.

The lead registers :data:`COMMANDS` in :mod:`sysmap.cli`: name -> (function, help, the
function that adds the command's arguments to its parser).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from sysmap.errors import SysmapError
from sysmap.io import load, save
from sysmap.model import SystemMap

#: Exit status when the maps merged but some links disagree in polarity.
CONFLICTS = 3
#: Near-synonyms at least this likely are listed as not applied.
SUGGEST = 0.55


def _same_pairs(texts: list[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for text in texts or ():
        theirs, sep, ours = text.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise SysmapError(f"--same {text!r}: write THEIRS=OURS, two variable names")
        pairs.append((theirs.strip(), ours.strip()))
    return pairs


def _table_names(args: argparse.Namespace, maps: list[SystemMap]) -> list[str]:
    given = args.names or []
    if len(given) > len(maps):
        raise SysmapError(f"{len(given)} names (--as) for {len(maps)} maps")
    names = []
    for i, (path, doc) in enumerate(zip(args.others, maps, strict=True)):
        names.append(given[i].strip() if i < len(given) else (doc.name.strip() or Path(path).stem))
    return names


def _synonyms(pairs, tables) -> dict[str, dict[str, str]]:
    """{table: {their variable id: our name}} for each ``--same`` pair, in every table that
    has a variable named THEIRS; a pair that names no table's variable is an error."""
    found: dict[str, dict[str, str]] = {}
    for theirs, ours in pairs:
        used = False
        for name, doc in tables:
            var = doc.variable_named(theirs)
            if var is not None:
                found.setdefault(name, {})[var.id] = ours
                used = True
        if not used:
            raise SysmapError(f"--same {theirs}={ours}: no map to merge has a variable named {theirs!r}")
    return found


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge OTHER maps into BASE, write OUT; 0 merged, 3 merged with conflicts, 1 error."""
    from sysmap.model.clipboard import merge_tables
    from sysmap.model.synonyms import table_candidates

    base = load(args.base)
    maps = [load(path) for path in args.others]
    for path, doc in zip(args.others, maps, strict=True):
        if next(doc.elements(), None) is None:
            raise SysmapError(f"{path}: the map is empty, there is nothing to merge")
    tables = list(zip(_table_names(args, maps), maps, strict=True))
    same = _synonyms(_same_pairs(args.same), tables)
    unapplied = table_candidates(base, tables, threshold=SUGGEST, synonyms=same)
    result = merge_tables(base, tables, synonyms=same, provenance=not args.no_provenance, base=args.base_name)
    base.apply(result.edit)
    warnings = save(base, args.output)
    added_vars = [base.variables[i].label for i in result.new_ids if i in base.variables]
    added_links = [base.links[i] for i in result.new_ids if i in base.links]
    label = {vid: v.label for vid, v in base.variables.items()}
    links = [(label[k.source], label[k.target], k.polarity.value or "none") for k in added_links]
    if args.json:
        data = {
            "output": args.output,
            "tables": [name for name, _ in tables],
            "added": {"variables": added_vars, "links": [list(k) for k in links]},
            "matched": [{"table": t, "theirs": n, "ours": label[i]} for t, n, i in result.matched],
            "conflicts": [asdict(c) for c in result.conflicts],
            "messages": result.messages,
            "not_applied": [
                {"table": t, "theirs": c.their_name, "ours": c.our_name, "score": c.score, "reason": c.reason}
                for t, c in unapplied
            ],
            "warnings": warnings,
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(_text(args.output, tables, added_vars, links, result, unapplied, warnings))
    return CONFLICTS if result.conflicts else 0


def _text(output, tables, added_vars, links, result, unapplied, warnings) -> str:
    lines = [f"Merged {', '.join(name for name, _ in tables)} into {output}"]
    lines.append(
        f"Added {len(added_vars)} variable{'s' if len(added_vars) != 1 else ''}" + (":" if added_vars else "")
    )
    lines += [f"  + {name}" for name in added_vars]
    lines.append(f"Added {len(links)} link{'s' if len(links) != 1 else ''}" + (":" if links else ""))
    lines += [f"  + {cause} -> {effect} ({sign})" for cause, effect, sign in links]
    if result.conflicts:
        lines.append(
            f"Conflicts to discuss ({len(result.conflicts)}; the first polarity was kept, with a note):"
        )
        lines += [f"  ! {c}" for c in result.conflicts]
    if result.messages:
        lines.append("Also:")
        lines += [f"  {m}" for m in result.messages]
    if unapplied:
        lines.append("Near-synonyms not applied (re-run with --same THEIRS=OURS to merge them):")
        lines += [
            f'  ? {t}: "{c.their_name}" = "{c.our_name}" ({c.score:.2f}, {c.reason})'
            f'   --same "{c.their_name}={c.our_name}"'
            for t, c in unapplied
        ]
    lines += [f"warning: {w}" for w in warnings]
    return "\n".join(lines)


def _merge_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = (
        "Variables whose names are equivalent (case, spaces, underscores) are one variable.\n"
        "Exit status: 0 merged, 3 merged with polarity conflicts to discuss, 1 on an error."
    )
    p.add_argument(
        "base", metavar="BASE", help="the map to merge into (its file is left as it is unless OUT is BASE)"
    )
    p.add_argument("others", nargs="+", metavar="OTHER", help="the tables' maps, merged in this order")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="where to write the merged map")
    p.add_argument(
        "--as",
        dest="names",
        action="append",
        metavar="NAME",
        help="the table name of the next OTHER, in order (default: the map's name, else the file name)",
    )
    p.add_argument(
        "--base-as",
        dest="base_name",
        metavar="NAME",
        help="the table that drew BASE: tag what BASE holds with NAME too (default: no tag)",
    )
    p.add_argument(
        "--same",
        action="append",
        metavar="THEIRS=OURS",
        help="a table's variable THEIRS is the variable OURS (of BASE or an earlier table) (repeatable)",
    )
    p.add_argument(
        "--no-provenance", action="store_true", help="do not tag what each table drew with its name"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


COMMANDS = {
    "merge": (
        cmd_merge,
        "merge the maps several workshop tables drew into one: provenance, conflicts, near-synonyms",
        _merge_arguments,
    ),
}
