"""The ``sysmap`` command: opens the app, and runs every headless job.

``sysmap`` alone opens the default example; ``sysmap FILE`` opens a map; subcommands do
headless work (``sysmap info FILE``). Errors in the user's input print one line to stderr
and exit with status 1, never a traceback -- except ``sysmap diff``, which exits 0 when the
maps are the same, 1 when they differ and 2 when one cannot be read, as ``diff`` does, and
``sysmap merge``, which exits 3 when the merged maps disagree on a link's polarity.
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
    # the default example opens as a new map: saving asks where, never overwriting the bundled file
    return run(doc, path if args.file is not None else None, warnings)


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
        "perspectives": [p.name for p in doc.perspectives],
        "presentation_steps": len(doc.presentation),
        "votes": sum(n for _, n in doc.votes),
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
    """Print what a map holds, and on stderr what the reader had to repair or leave out."""
    from sysmap.io import load_with_warnings

    doc, warnings = load_with_warnings(args.file)
    s = map_summary(doc)
    if args.json:
        print(json.dumps({"file": args.file, **s, "warnings": warnings}, indent=2))
        return 0
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
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
        *([f"perspectives: {', '.join(s['perspectives'])}"] if s["perspectives"] else []),
        *([f"presentation: {s['presentation_steps']} saved steps"] if s["presentation_steps"] else []),
        *([f"dot votes:   {s['votes']}"] if s["votes"] else []),
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
    uses that match no variable, links drawn against the equations, equations that
    do not parse (with the column), and units that do not match (never fatal: such a
    model still simulates).
    """
    from sysmap.io import load_with_warnings
    from sysmap.model import link_discrepancies
    from sysmap.sim.units import check_units

    doc, problems = load_with_warnings(path)
    for item in link_discrepancies(doc):
        problems.append(f"{path}: {item.message}")
    problems.extend(_equation_syntax_problems(doc, path))
    problems.extend(_polarity_problems(doc, path))
    problems.extend(f"{path}: {problem}" for problem in check_units(doc))
    return problems


def _polarity_problems(doc, path: str) -> list[str]:
    """One line per link drawn + or - whose equation makes it the opposite."""
    from sysmap.analysis.polarity import polarity_disagreements

    return [f"{path}: {d.message}" for d in polarity_disagreements(doc, information=False)]


def _equation_syntax_problems(doc, path: str) -> list[str]:
    """One line per equation (of the map and its submodels) that does not parse."""
    from sysmap.sim.parser import EquationSyntaxError, is_blank, parse

    found = []
    for model in doc.all_models():
        for var in model.variables.values():
            elements = [(f"[{e.subscript}]", e.equation) for e in var.elements]
            for where, text in [("", var.equation), *elements]:
                if is_blank(text) or text.strip() == "???":  # ??? is reported while reading
                    continue
                try:
                    parse(text)
                except EquationSyntaxError as exc:
                    found.append(f'{path}: variable "{var.label}{where}": equation {exc}')
    return found


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


#: ``sysmap loops`` lists every loop up to this many (as Stella does); beyond, the independent set.
LIST_AT_MOST = 1000


def _causal_graph(doc, args: argparse.Namespace):
    """The map's causal graph, with link polarities from the equations unless --drawn-only."""
    from sysmap.analysis.causal import causal_graph

    return causal_graph(doc, initial=getattr(args, "initial", False), derive=not args.drawn_only)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _variable_id(doc, name: str, path: str) -> str:
    var = doc.variable_named(name)
    if var is None:
        raise SysmapError(f"{path}: no variable named {name!r}")
    return var.id


def cmd_loops(args: argparse.Namespace) -> int:
    """Print the size of the loop search and the loop count by polarity, then the loops named
    R1.../B1.../U1...: all of them for a small map, the independent loop set for a large one,
    or those through one variable or link, shortest first."""
    from sysmap.analysis.loop_basis import independent_loops
    from sysmap.analysis.loop_count import count_loops
    from sysmap.analysis.loops import LoopSearch, components, loops_through, name_loops

    doc = _load(args.file)
    graph = _causal_graph(doc, args)
    label = {vid: var.label for vid, var in doc.variables.items()}
    parts = components(graph)
    count = count_loops(graph, time_limit=args.time)
    complete, stopped_by = True, None
    if args.through or args.link:
        if args.through:
            target = {"variable": _variable_id(doc, args.through, args.file)}
        else:
            cause, effect = (_variable_id(doc, name, args.file) for name in args.link)
            target = {"link": (cause, effect)}
        found = list(loops_through(graph, **target, max_loops=args.max_loops + 1))
        complete = len(found) <= args.max_loops
        stopped_by = None if complete else "count"
        loops, shown = name_loops(found[: args.max_loops], graph), "through"
    elif args.independent or (not args.all and (not count.complete or count.total > LIST_AT_MOST)):
        loops, shown = name_loops(independent_loops(graph), graph), "independent"
    else:
        search = LoopSearch(graph, time_limit=args.time, max_loops=args.max_loops)
        loops, shown = name_loops(search, graph), "all"
        complete, stopped_by = search.complete, search.stopped_by

    if args.json:
        data = {
            "file": args.file,
            "components": [
                {"variables": len(c.variables), "edges": c.edges, "cycle_rank": c.cycle_rank} for c in parts
            ],
            "count": {
                "reinforcing": count.reinforcing,
                "balancing": count.balancing,
                "undetermined": count.undetermined,
                "total": count.total,
                "complete": count.complete,
            },
            "shown": shown,
            "complete": complete,
            "stopped_by": stopped_by,
            "loops": [
                {
                    "name": loop.name,
                    "polarity": loop.polarity,
                    "length": loop.length,
                    "delay": loop.delay,
                    "variables": [label[v] for v in loop.variables],
                    "signs": list(loop.signs),
                }
                for loop in loops
            ],
        }
        print(json.dumps(data, indent=2))
        return 0
    sizes = ", ".join(f"{len(c.variables)} variables (cycle rank {c.cycle_rank})" for c in parts)
    print(f"{args.file}: feedback in {len(parts)} component(s){': ' + sizes if sizes else ''}")
    total = _plural(count.total, "loop")
    if not count.complete:
        total = f"at least {total} (counting stopped)"
    print(
        f"{total}: {count.reinforcing:,} reinforcing, {count.balancing:,} balancing, "
        f"{count.undetermined:,} undetermined"
    )
    if shown == "independent":
        print(f"the independent loop set ({len(loops)} loops, through every loop link; --all lists all):")
    elif shown == "through":
        ends = [target["variable"]] if args.through else target["link"]
        what = " → ".join(label[v] for v in ends)
        more = "" if complete else f" (the first {len(loops)}; --max-loops shows more)"
        print(f"{_plural(len(loops), 'loop')} through {what}, shortest first{more}:")
    elif not complete:
        print(f"listing the first {len(loops)} (stopped by the {stopped_by} limit)")
    first = target.get("variable", target.get("link", [None])[0]) if shown == "through" else None
    for loop in loops:
        members = list(loop.variables)
        if first in members:  # loops through a variable read from it
            at = members.index(first)
            members = members[at:] + members[:at]
        path = " → ".join(label[v] for v in (*members, members[0]))
        delay = "  delayed" if loop.delay else ""
        print(f"{loop.name:<5} length {loop.length:<3}{delay}  {path}")
    return 0


def cmd_archetypes(args: argparse.Namespace) -> int:
    """Print the system archetypes found in a map, best first, with the variables in each role."""
    from sysmap.analysis.archetypes import find_archetypes, report_data, report_lines

    if args.time <= 0 or args.limit < 1:
        raise SysmapError("--time must be positive and --limit at least 1")
    doc = _load(args.file)
    report = find_archetypes(
        doc,
        graph=_causal_graph(doc, args),
        time_limit=args.time,
        min_confidence=args.min_confidence,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps({"file": args.file, **report_data(report)}, indent=2))
    else:
        print("\n".join(report_lines(report, args.file)))
    return 0


def cmd_polarity(args: argparse.Namespace) -> int:
    """Print the polarity of every link that equations define, with its condition or why it is
    unknown, then the links drawn against their equations."""
    from sysmap.analysis.polarity import derive_polarities, parse_assumption, polarity_disagreements

    assumptions = dict(parse_assumption(text) for text in args.assume or ())
    doc = _load(args.file)
    polarities = derive_polarities(doc, assumptions=assumptions)
    disagreements = polarity_disagreements(doc, polarities=polarities)
    label = {vid: var.label for vid, var in doc.variables.items()}
    drawn: dict[tuple[str, str], str] = {}
    for link in doc.links.values():
        drawn.setdefault((link.source, link.target), link.polarity.value)
    counts = Counter("conditional" if p.conditional else p.sign for p in polarities.values())
    if args.json:
        links = [
            {
                "cause": label[cause],
                "effect": label[effect],
                "drawn": drawn.get((cause, effect)),
                "sign": p.sign,
                "condition": p.condition,
                "pieces": [list(piece) for piece in p.pieces],
                "words": p.words,
                "reason": p.reason,
                "derivative": p.derivative,
                "delay": p.delay,
                "role": p.role,
            }
            for (cause, effect), p in polarities.items()
        ]
        found = [
            {
                "cause": label[d.source],
                "effect": label[d.target],
                "drawn": d.drawn,
                "error": d.error,
                "message": d.message,
            }
            for d in disagreements
        ]
        data = {"file": args.file, "links": links, "disagreements": found}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not polarities:
        print(f"{args.file}: no link has an equation to derive its polarity from")
        return 0
    print(
        f"{args.file}: {_plural(len(polarities), 'link')} with equations: {counts['+']} +, {counts['-']} −, "
        f"{counts['conditional']} conditional, {counts['?']} unknown, {counts['0']} nil"
    )
    for (cause, effect), p in polarities.items():
        mark = drawn.get((cause, effect))
        note = "not drawn" if mark is None else "drawn unmarked" if not mark else f"drawn {mark}"
        print(f"{label[cause]} → {label[effect]}: {p.words}  [{note}]")
    errors = [d for d in disagreements if d.error]
    if errors:
        print(f"{_plural(len(errors), 'link')} drawn against the equations:")
        print("\n".join(f"  {d.message}" for d in errors))
    return 0


def cmd_leverage(args: argparse.Namespace) -> int:
    """Print a map's variables and links ranked as leverage points, each score component, the
    place to intervene (Meadows) each one's structure allows, and why, for the best few."""
    from sysmap.analysis.leverage import leverage_ranking, report_data, report_lines
    from sysmap.analysis.votes import agreement_text, variable_ranking, vote_rows
    from sysmap.model.workshop import votes_of

    if args.time <= 0 or args.top < 1:
        raise SysmapError("--time must be positive and --top at least 1")
    doc = _load(args.file)
    ranking = leverage_ranking(doc, graph=_causal_graph(doc, args), time_limit=args.time)
    votes = votes_of(doc)
    ranks = variable_ranking(ranking)
    rows = vote_rows(votes, ranks, {vid: v.label for vid, v in doc.variables.items()}) if votes else []
    if args.json:
        data = {"file": args.file, **report_data(ranking, top=args.top)}
        if votes:
            data["dot_votes"] = {"agreement": agreement_text(votes, ranks), "variables": rows}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    lines = report_lines(ranking, args.file, top=args.top)
    if votes:  # the room's dot votes beside the computed ranking
        lines += ["", f"dot votes: {agreement_text(votes, ranks)}"]
        for row in rows:
            rank = f"rank {row['rank']}" if row["rank"] is not None else "not ranked"
            note = f"  ({row['note']})" if row["note"] else ""
            lines.append(f"  {row['dots']:>3} dots  {rank:<9} {row['variable']}{note}")
    print("\n".join(lines))
    return 0


def _assignment(text: str, flag: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise SysmapError(f'{flag} takes NAME=VALUE, not "{text}"')
    return name.strip(), value.strip()


def simulation_overrides(args: argparse.Namespace, runs: int, seed) -> dict:
    """The values ``--set`` and ``--vary`` give, by variable name (``--vary`` sampled ``runs`` times)."""
    import numpy as np

    from sysmap.sim.ensemble import parse_distribution

    overrides: dict = {}
    for text in args.set or ():
        name, value = _assignment(text, "--set")
        try:
            overrides[name] = float(value)
        except ValueError:
            raise SysmapError(f'--set {name}: "{value}" is not a number') from None
    rng = np.random.default_rng(seed)
    for text in args.vary or ():
        name, value = _assignment(text, "--vary")
        overrides[name] = parse_distribution(value).sample(runs, rng)
    return overrides


def _sampled_rows(n: int, most: int = 21) -> list[int]:
    if n <= most:
        return list(range(n))
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})


def cmd_dominance(args: argparse.Namespace) -> int:
    """Print which feedback loops dominate when (Loops that Matter, on an Euler run): per
    period, the dominant loop and the next strongest, with their shares."""
    from sysmap.analysis.dominance import loop_dominance

    if args.top < 1:
        raise SysmapError("--top must be at least 1")
    doc = _load(args.file)
    try:
        found = loop_dominance(doc)
    except SysmapError as exc:
        raise SysmapError(f"{args.file}: {exc}") from None
    periods = found.periods(top=args.top)
    if args.json:
        data = {
            "file": args.file,
            "method": found.method,
            "loop_set": found.loop_set,
            "loops": [
                {"name": loop.name, "polarity": loop.polarity, "variables": list(loop.variables)}
                for loop in found.loops
            ],
            "periods": [
                {
                    "start": p.start,
                    "end": p.end,
                    "loops": [{"name": loop.name, "share": share} for loop, share in p.loops],
                }
                for p in periods
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not found.loops:
        print(f"{args.file}: no feedback loops")
        return 0
    scored = {
        "all": "every loop",
        "strongest paths": "the loops found by strongest paths (too many loops for all)",
    }.get(found.loop_set, "the independent loop set (too many loops for all)")
    print(f"{args.file}: {len(found.loops)} loops scored ({scored}), Euler run, Loops that Matter")
    for p in periods:
        arrow = " \u2192 "
        shown = ", ".join(
            f"{loop.name} ({arrow.join([*loop.variables, loop.variables[0]])}) {share:.0%}"
            for loop, share in p.loops
        )
        print(f"t {_num(p.start)}\u2013{_num(p.end)}: {shown}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Simulate a stock-and-flow model: a table of the stocks, a CSV of everything, or JSON."""
    from sysmap.sim import compile_model
    from sysmap.sim.ensemble import bands

    if args.runs < 1:
        raise SysmapError("--runs must be at least 1")
    if args.vary and args.runs < 2:
        raise SysmapError("--vary needs --runs N with N of at least 2")
    doc = _load(args.file)
    if not any(var.equation.strip() for model in doc.all_models() for var in model.variables.values()):
        raise SysmapError(
            f"{args.file}: nothing to simulate: no variable has an equation (a causal loop diagram; "
            "give its variables equations, or try sysmap loops)"
        )
    model = compile_model(doc)
    overrides = simulation_overrides(args, args.runs, args.seed)
    shown = model.stock_names or model.names[:8]
    # an ensemble keeps only the variables it prints (a CSV holds every variable of the first run)
    keep = shown if args.runs > 1 and not args.csv else None
    results = model.run(method=args.method, overrides=overrides, runs=args.runs, seed=args.seed, keep=keep)
    if args.csv:
        results.to_csv(args.csv)
    if args.json:
        data: dict = {"file": args.file, "runs": args.runs, "times": results.times.tolist()}
        if args.runs == 1:
            data["variables"] = {name: results.data[:, i].tolist() for i, name in enumerate(results.names)}
        else:
            data["stocks"] = {
                name: {k: v.tolist() for k, v in bands(results[name]).items()} for name in shown
            }
        print(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=True))
        return 0
    if args.csv:
        print(f"wrote {len(results.times)} times x {len(results.names)} variables to {args.csv}")
        return 0
    columns = shown[:8]
    rows = _sampled_rows(len(results.times))
    if args.runs == 1:
        header = ["time", *columns]
        table = [[_num(results.times[r]), *(f"{results[c][r]:.6g}" for c in columns)] for r in rows]
    else:
        header = ["time"] + [f"{c} {part}" for c in columns for part in ("mean", "5%", "95%")]
        stats = {c: bands(results[c]) for c in columns}
        table = [
            [_num(results.times[r])]
            + [f"{stats[c][k][r]:.6g}" for c in columns for k in ("mean", "p5", "p95")]
            for r in rows
        ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in table:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    notes = []
    if len(rows) < len(results.times):
        notes.append(f"{len(rows)} of {len(results.times)} saved times shown")
    if len(shown) > len(columns):
        notes.append(f"{len(columns)} of {len(shown)} stocks shown")
    if notes:
        print(f"({'; '.join(notes)}; --csv OUT writes everything)")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    """Draw a map as the canvas shows it and write it as PNG, SVG or PDF (by OUT's suffix), headless."""
    if not args.scale > 0:
        raise SysmapError(f"--scale must be positive, not {args.scale:g}")
    doc = _load(args.file)
    try:
        from sysmap.ui.canvas.scene import MapScene
        from sysmap.ui.export import export_scene
        from sysmap.ui.snapshot import ensure_app
    except ImportError as exc:
        raise SysmapError(f"rendering needs PySide6 ({exc})") from None
    ensure_app()  # offscreen when there is no display
    scene = MapScene(doc)
    try:
        export_scene(scene, args.output, scale=args.scale)
    finally:
        scene.detach()
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Print what changed from map OLD to map NEW, one line each (``+`` added, ``-`` removed,
    ``~`` changed); exit status 0 when they are the same, 1 when they differ, 2 on an error
    (as :command:`diff` does)."""
    from sysmap.model.diff import diff_maps

    try:
        old, new = _load(args.old), _load(args.new)
    except SysmapError as exc:
        print(f"sysmap: {exc}", file=sys.stderr)
        return 2
    found = diff_maps(old, new)
    if args.json:
        print(json.dumps({"old": args.old, "new": args.new, **found.to_dict()}, indent=2, ensure_ascii=False))
    elif found:
        print("\n".join(found.lines()))
    return 1 if found else 0


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
    "polarity": (
        cmd_polarity,
        "derive each link's polarity from the equations (+, −, conditional) and compare it with the drawing",
    ),
    "archetypes": (cmd_archetypes, "find system archetypes (fixes that fail, limits to growth...) in a map"),
    "simulate": (
        cmd_simulate,
        "simulate a stock-and-flow model: print the stocks, or write every variable to CSV or JSON",
    ),
    "leverage": (
        cmd_leverage,
        "rank variables and links as leverage points, with Meadows' place to intervene and why",
    ),
    "dominance": (
        cmd_dominance,
        "show which feedback loops dominate the simulated behaviour when (Loops that Matter)",
    ),
    "render": (cmd_render, "draw a map as a picture: PNG, SVG or PDF (by OUT's suffix), without a window"),
    "diff": (cmd_diff, "list what changed between two maps: variables, equations, links, polarities, loops"),
}


#: Modules of workshop commands, each with its own ``COMMANDS``: name -> (function, help,
#: add_arguments(parser)).
EXTENSIONS = ("sysmap.cli_present", "sysmap.cli_perspectives", "sysmap.cli_merge")


def extension_commands() -> dict:
    """The commands of :data:`EXTENSIONS`, by name, in the order the modules list them."""
    import importlib

    found: dict = {}
    for module in EXTENSIONS:
        found.update(importlib.import_module(module).COMMANDS)
    return found


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
        elif name == "diff":
            p.add_argument("old", metavar="OLD", help="the map before")
            p.add_argument("new", metavar="NEW", help="the map after")
        else:
            p.add_argument("file", metavar="FILE", help="the map to read")
        if name in ("info", "check", "loops", "archetypes", "polarity", "leverage", "diff"):
            p.add_argument("--json", action="store_true", help="print JSON instead of text")
        if name in ("loops", "archetypes", "leverage"):
            p.add_argument(
                "--drawn-only",
                action="store_true",
                help="use only the polarities drawn on links, not those derived from equations",
            )
        if name == "archetypes":
            p.add_argument("--time", type=float, default=2.0, metavar="SECONDS", help="time budget (2 s)")
            p.add_argument("--limit", type=int, default=10, metavar="N", help="show the N best matches (10)")
            p.add_argument(
                "--min-confidence",
                choices=("high", "medium", "low"),
                default="medium",
                help="leave out matches below this confidence (medium)",
            )
        if name == "polarity":
            p.add_argument(
                "--assume",
                action="append",
                metavar="NAME=KIND",
                help="assume variable NAME is positive, nonnegative, real or negative, or lies in a range "
                "LOW..HIGH (repeatable)",
            )
        if name == "render":
            p.add_argument("output", metavar="OUT", help="the picture to write (.png, .svg or .pdf)")
            p.add_argument(
                "--scale", type=float, default=2.0, metavar="S", help="PNG pixels per canvas unit (2)"
            )
        if name == "leverage":
            p.add_argument("--top", type=int, default=20, metavar="N", help="show the N best candidates (20)")
            budget = "time budget for counting loops (10 s)"
            p.add_argument("--time", type=float, default=10.0, metavar="SECONDS", help=budget)
        if name == "simulate":
            p.add_argument("--csv", metavar="OUT", help="write every variable at every saved time to OUT")
            p.add_argument("--json", action="store_true", help="print JSON instead of a table")
            p.add_argument("--set", action="append", metavar="NAME=VALUE", help="give a variable a value")
            methods = ("euler", "rk4", "rk2")
            p.add_argument("--method", choices=methods, help="integration (default: the model's)")
            p.add_argument("--runs", type=int, default=1, metavar="N", help="run an ensemble of N runs")
            p.add_argument(
                "--vary",
                action="append",
                metavar="NAME=DIST",
                help="draw NAME per run from uniform(a,b), normal(mu,sigma) or triangular(a,mode,b)",
            )
            p.add_argument("--seed", type=int, metavar="N", help="seed random numbers (repeatable runs)")
        if name == "dominance":
            p.add_argument("--json", action="store_true", help="print JSON instead of text")
            p.add_argument("--top", type=int, default=1, metavar="K", help="show K loops per period (1)")
        if name == "loops":
            p.add_argument("--time", type=float, default=10.0, metavar="SECONDS", help="time budget (10 s)")
            p.add_argument("--max-loops", type=int, default=100_000, metavar="N", help="count budget")
            p.add_argument("--initial", action="store_true", help="count links into stocks' initial values")
            shown = p.add_mutually_exclusive_group()
            shown.add_argument(
                "--all", action="store_true", help=f"list all loops, even over {LIST_AT_MOST:,}"
            )
            shown.add_argument("--independent", action="store_true", help="list the independent loop set")
            shown.add_argument("--through", metavar="VARIABLE", help="list the loops through VARIABLE")
            shown.add_argument(
                "--link", nargs=2, metavar=("CAUSE", "EFFECT"), help="list the loops through one link"
            )
    for name, (func, help_text, add_arguments) in extension_commands().items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``sysmap`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    known = COMMANDS.keys() | extension_commands().keys()
    if not argv or (argv[0] not in known and not argv[0].startswith("-")):
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
