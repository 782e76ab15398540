"""The ``sysmap`` command: opens the app, and runs every headless job.

``sysmap`` alone opens the default example; ``sysmap FILE`` opens a map; subcommands do
headless work (``sysmap info FILE``). Errors in the user's input print one line to stderr
and exit with status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

from sysmap import __version__
from sysmap.errors import SysmapError


def _load(path: str):
    from sysmap.io import load

    return load(path)


def cmd_open(args: argparse.Namespace) -> int:
    """Open the desktop application on a map (the default example without FILE)."""
    from sysmap.examples import example_path

    path = args.file
    if path is None:
        try:
            path = str(example_path())
        except FileNotFoundError as exc:
            raise SysmapError(str(exc)) from None
    from sysmap.io import load_with_warnings

    doc, warnings = load_with_warnings(path)  # before Qt starts: a bad file fails fast and plainly
    try:
        from sysmap.ui.app import run
    except ImportError as exc:
        raise SysmapError(f"the desktop application needs PySide6 ({exc})") from None
    return run(doc, path, warnings)


def map_summary(doc) -> dict:
    """Counts of a map's contents and its simulation specs, as :command:`sysmap info` prints them."""
    kinds = Counter(v.kind.value for v in doc.variables.values())
    polarities = Counter(link.polarity.value for link in doc.links.values())
    specs = doc.sim_specs
    return {
        "name": doc.name,
        "variables": len(doc.variables),
        "concepts": kinds["concept"],
        "stocks": kinds["stock"],
        "flows": kinds["flow"],
        "auxiliaries": kinds["aux"],
        "links": len(doc.links),
        "positive_links": polarities["+"],
        "negative_links": polarities["-"],
        "unknown_links": polarities["?"],
        "unmarked_links": polarities[""],
        "delayed_links": sum(link.delay for link in doc.links.values()),
        "loop_labels": len(doc.loop_labels),
        "notes": len(doc.notes),
        "groups": len(doc.groups),
        "sim_specs": {
            "start": specs.start,
            "stop": specs.stop,
            "dt": specs.dt,
            "method": specs.method,
            "time_units": specs.time_units,
        },
    }


def _num(x: float) -> str:
    return f"{x:g}"


def cmd_info(args: argparse.Namespace) -> int:
    """Print what a map holds."""
    doc = _load(args.file)
    s = map_summary(doc)
    if args.json:
        print(json.dumps({"file": args.file, **s}, indent=2))
        return 0
    sim = s["sim_specs"]
    units = f" {sim['time_units']}" if sim["time_units"] else ""
    lines = [
        f"{args.file}: {s['name'] or '(untitled)'}",
        f"variables:   {s['variables']} ({s['concepts']} concepts, {s['stocks']} stocks, "
        f"{s['flows']} flows, {s['auxiliaries']} auxiliaries)",
        f"links:       {s['links']} ({s['positive_links']} +, {s['negative_links']} -, "
        f"{s['unknown_links']} ?, {s['unmarked_links']} unmarked; {s['delayed_links']} delayed)",
        f"stocks:      {s['stocks']}",
        f"flows:       {s['flows']}",
        f"loop labels: {s['loop_labels']}",
        f"notes:       {s['notes']}",
        f"groups:      {s['groups']}",
        f"simulation:  from {_num(sim['start'])} to {_num(sim['stop'])}{units}, "
        f"dt {_num(sim['dt'])}, {sim['method']}",
    ]
    print("\n".join(lines))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Convert a map between formats, chosen by the files' suffixes."""
    from sysmap.io import load_with_warnings, save

    doc, warnings = load_with_warnings(args.input)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for warning in save(doc, args.output):
        print(f"warning: {args.output}: {warning}", file=sys.stderr)
    return 0


def check_map(path: str) -> list[str]:
    """Every problem :command:`sysmap check` reports for the map in ``path``, one line each.

    Reading problems (with their line), then, per variable: untranslated ``???``
    equations and calls to unknown functions (found while reading), names an equation
    uses that match no variable, and links drawn against the equations.
    """
    from sysmap.io import load_with_warnings
    from sysmap.model import link_discrepancies

    doc, problems = load_with_warnings(path)
    for item in link_discrepancies(doc):
        problems.append(f"{path}: {item.message}")
    return problems


def cmd_check(args: argparse.Namespace) -> int:
    """List the problems of a map; exit status 1 when there are any."""
    problems = check_map(args.file)
    if args.json:
        print(json.dumps({"file": args.file, "problems": problems}, indent=2))
    elif problems:
        print("\n".join(problems))
    else:
        print(f"{args.file}: no problems found")
    return 1 if problems else 0


def cmd_loops(args: argparse.Namespace) -> int:
    """Print the size of the loop search, then the loops, named R1.../B1.../U1..."""
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loops import LoopSearch, name_loops

    doc = _load(args.file)
    graph = causal_graph(doc, initial=args.initial)
    search = LoopSearch(graph, time_limit=args.time, max_loops=args.max_loops)
    loops = name_loops(search, graph)
    label = {vid: var.label for vid, var in doc.variables.items()}
    if args.json:
        components = [
            {"variables": len(c.variables), "edges": c.edges, "cycle_rank": c.cycle_rank}
            for c in search.components
        ]
        listed = [
            {
                "name": loop.name,
                "polarity": loop.polarity,
                "length": loop.length,
                "delay": loop.delay,
                "variables": [label[v] for v in loop.variables],
                "signs": list(loop.signs),
            }
            for loop in loops
        ]
        data = {
            "file": args.file,
            "components": components,
            "complete": search.complete,
            "stopped_by": search.stopped_by,
            "loops": listed,
        }
        print(json.dumps(data, indent=2))
        return 0
    sizes = ", ".join(f"{len(c.variables)} variables (cycle rank {c.cycle_rank})" for c in search.components)
    print(f"{args.file}: feedback in {len(search.components)} component(s){': ' + sizes if sizes else ''}")
    if search.complete:
        count = f"{len(loops)} loops"
    else:
        count = f"at least {len(loops)} loops (stopped by the {search.stopped_by} limit)"
    by = {p: sum(loop.polarity == p for loop in loops) for p in "RBU"}
    print(f"{count}: {by['R']} reinforcing, {by['B']} balancing, {by['U']} undetermined")
    for loop in loops:
        path = " → ".join(label[v] for v in (*loop.variables, loop.variables[0]))
        delay = "  delayed" if loop.delay else ""
        print(f"{loop.name:<5} length {loop.length:<3}{delay}  {path}")
    return 0


COMMANDS = {
    "open": (cmd_open, "open a map in the desktop application (the default)"),
    "info": (cmd_info, "print the counts of variables, links, stocks and flows, and the sim specs"),
    "convert": (cmd_convert, "convert a map between XMILE and GraphML (by the files' suffixes)"),
    "loops": (cmd_loops, "list a map's feedback loops: reinforcing (R), balancing (B), undetermined (U)"),
    "check": (
        cmd_check,
        "list a map's problems: unreadable parts, unknown functions, ??? equations, "
        "unresolved names, links that disagree with equations",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sysmap",
        description="Draw, analyse and simulate causal loop diagrams and stock-and-flow maps.",
        epilog="With no command, sysmap opens FILE (or the default example) in the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"sysmap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (func, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        if name == "open":
            p.add_argument("file", nargs="?", metavar="FILE", help="the map to open")
        elif name == "convert":
            p.add_argument("input", metavar="IN", help="the map to read (.xmile, .stmx, .graphml)")
            p.add_argument("output", metavar="OUT", help="the file to write (.xmile or .graphml)")
        else:
            p.add_argument("file", metavar="FILE", help="the map to read")
        if name in ("info", "check", "loops"):
            p.add_argument("--json", action="store_true", help="print JSON instead of text")
        if name == "loops":
            p.add_argument("--time", type=float, default=10.0, metavar="SECONDS", help="time budget (10 s)")
            p.add_argument("--max-loops", type=int, default=100_000, metavar="N", help="count budget")
            p.add_argument("--initial", action="store_true", help="count links into stocks' initial values")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``sysmap`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        argv.insert(0, "open")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SysmapError as exc:
        print(f"sysmap: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
