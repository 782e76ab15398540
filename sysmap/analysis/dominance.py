"""Loop dominance over time by the Loops that Matter method (LTM).

Which feedback loops drive a simulated model's behaviour, and when. The scores follow
Schoenberg, Davidsen & Eberlein (2020), "Understanding model behavior using the Loops that
Matter method" (System Dynamics Review 36(2)), with the flow-to-stock link score of
Schoenberg, Hayward & Eberlein (2023), "Improving Loops that Matter" (SDR 39(2)):

- **Link score of x -> z**, z an auxiliary or flow (2020, eq. 2, unchanged in 2023)::

      LS(x -> z) = |Δx(z) / Δz| * sign(Δx(z) / Δx)      (0 when Δz = 0 or Δx = 0)

  where Δx(z) is the change in z when only x moves from t-dt to t: z's equation evaluated
  with x at t and its other inputs (TIME included) at t-dt, minus z's equation at t-dt.
- **Link score of a flow f into stock S** (2023, eq. 3, not the 2020 ``|f / (i - o)|``,
  which changes when flows are merged into one net flow or split apart)::

      LS(f -> S) = ±|Δf / (ΔS_t - ΔS_t-dt)|             (+ inflow, - outflow; 0 when either is 0)

  ``ΔS_t - ΔS_t-dt`` is the change in the stock's net flow; with Euler it is
  ``dt * (net_t - net_t-dt)``. The ``dt`` is dropped on both sides (Δf is read as the
  change in the flow, as Simlin and Stella do), so the score is ``±|Δf / Δnet|`` and does
  not depend on how the flows are split.
- **Loop score**: the product of its link scores; **relative loop score**: the loop score
  over the sum of the absolute loop scores of the loops scored, at each step (0 where all
  are 0). Every score at time t uses the values at t and t - dt of one **Euler** run (the
  method's definition; the model's own method is not used), saving every step.

Equations are never evaluated from text: each cell's expression is the one the simulator
built from the parsed tree (:mod:`sysmap.sim.codegen`), compiled once into a function of its
input symbols in the simulator's namespace (no Python builtins).

Scope: scalar models. Arrays, modules, random functions and stateful builtins (SMOOTH,
DELAY, TREND, INIT, PREVIOUS...: their hidden state is not part of the run's results) are
refused with a :class:`~sysmap.errors.SysmapError`. A flow clamped by the simulator (a
uniflow, a non-negative stock) is scored by its equation, before the clamp.

Loops are those of the equation-derived graph (each cell to the cells that read it, each
flow to its stocks), all of them within ``max_loops`` and ``time_limit``. Past either, the
loops are found by **strongest-path discovery** (Eberlein & Schoenberg 2020, "Finding the
loops that matter", appendix I): at up to ``search_steps`` steps spread over the run, from
each stock, a depth-first search follows the links with the largest absolute link score
first, carrying the product of the scores along the path, and gives up a path at a variable
already reached from that stock with a product at least as large; each return to the stock
is a loop. The distinct loops found over the run are scored like enumerated ones and
:attr:`Dominance.loop_set` is ``"strongest paths"``. A loop that is never the strongest way
back to one of its stocks at a sampled step can be missed: its share would be small there.
Where the search finds nothing (a model at rest), the independent loop set
(:func:`sysmap.analysis.loop_basis.independent_loops`) is scored (``"independent"``).

Names: a loop with the same cycle as a loop label of the map (its ``loop`` member ids, in
any rotation) takes the label's text, so that a dominance display and the canvas agree;
the others are numbered R1, B1... by the sign of their scores, skipping the numbers the
map's labels already use.

>>> from sysmap.model import SystemMap, Kind
>>> doc = SystemMap()
>>> pop = doc.add_variable("Population", kind=Kind.STOCK, equation="100")
>>> births = doc.add_variable("Births", kind=Kind.FLOW, equation="Population * 0.02")
>>> doc.attach_flow(births.id, source=None, sink=pop.id)
>>> d = loop_dominance(doc)
>>> [(loop.name, loop.variables) for loop in d.loops]
[('R1', ('Births', 'Population'))]
>>> [(p.start, p.end, p.loops[0][0].name, round(p.loops[0][1], 2)) for p in d.periods()]
[(1.0, 100.0, 'R1', 1.0)]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from sysmap.errors import SysmapError

#: Loops enumerated at most before scoring the independent loop set instead.
MAX_LOOPS = 200
#: Seconds the loop search may take before discovering the strongest loops instead.
SEARCH_SECONDS = 5.0
#: Steps of the run at most that strongest-path discovery searches, spread evenly.
SEARCH_STEPS = 200
#: Seconds strongest-path discovery may take; it keeps the loops found by then.
DISCOVERY_SECONDS = 10.0


@dataclass(frozen=True)
class ScoredLoop:
    """A loop that was scored: ``name`` (R1, B2... by the sign of its loop score; U when it
    never scored), ``polarity`` (``R``, ``B``, ``U``) and its variables' names in order."""

    name: str
    polarity: str
    variables: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    """A stretch of time with one dominant loop: ``start`` and ``end`` (the first and last
    step scored in it) and ``loops``: (loop, share) pairs, the dominant loop first, ``share``
    being the mean absolute relative loop score over the period (0..1)."""

    start: float
    end: float
    loops: list[tuple[ScoredLoop, float]]


@dataclass
class Dominance:
    """Loop scores over time: ``times`` (the steps after the start: a score needs the step
    before), ``loops``, ``scores`` and ``relative`` (arrays of shape loops x times),
    ``loop_set`` (``"all"``, ``"strongest paths"`` or ``"independent"``: see the module) and
    ``method`` (always ``"euler"``)."""

    times: np.ndarray
    loops: list[ScoredLoop]
    scores: np.ndarray
    relative: np.ndarray
    loop_set: str = "all"
    method: str = "euler"
    dt: float = field(default=1.0, repr=False)

    def periods(self, top: int = 1) -> list[Period]:
        """Consecutive steps with the same dominant loop (largest absolute relative score),
        each with its ``top`` loops by mean absolute relative score, dominant first. Steps
        where no loop scores (the model at rest) break periods and belong to none."""
        if not self.loops or not len(self.times):
            return []
        strength = np.abs(self.relative)
        dominant = np.where(strength.max(axis=0) > 0, strength.argmax(axis=0), -1)
        found: list[Period] = []
        begin = 0
        for k in range(1, len(self.times) + 1):
            if k < len(self.times) and dominant[k] == dominant[begin]:
                continue
            if dominant[begin] >= 0:
                share = strength[:, begin:k].mean(axis=1)
                order = [int(dominant[begin])] + [
                    int(i) for i in np.argsort(-share, kind="stable") if i != dominant[begin]
                ]
                chosen = [(self.loops[i], float(share[i])) for i in order[: max(1, top)]]
                found.append(Period(float(self.times[begin]), float(self.times[k - 1]), chosen))
            begin = k
        return found


class _EveryStep:
    """The document as the simulator sees it, saving every step (the scores need them all)."""

    def __init__(self, doc):
        self._doc = doc
        self.sim_specs = dataclasses.replace(doc.sim_specs, save_interval=None)

    def __getattr__(self, name):
        return getattr(self._doc, name)


def loop_dominance(
    doc,
    *,
    max_loops: int = MAX_LOOPS,
    time_limit: float = SEARCH_SECONDS,
    method: str = "euler",
    search_steps: int = SEARCH_STEPS,
) -> Dominance:
    """Score the feedback loops of ``doc`` at every step of an Euler run (see the module).

    ``max_loops`` and ``time_limit`` bound the loop enumeration; past either, the loops are
    found by strongest-path discovery at ``search_steps`` steps of the run. Raises
    :class:`~sysmap.errors.SysmapError` (one line) for a map without equations, an array,
    module, random or stateful model, or anything the simulator refuses.
    """
    if method != "euler":
        raise SysmapError("loop dominance is defined for Euler integration only")
    from sysmap.sim import compile_model

    if not any(var.equation.strip() for part in doc.all_models() for var in part.variables.values()):
        raise SysmapError(
            "no variable has an equation: loop dominance needs a simulated stock-and-flow model, "
            "not a causal loop diagram"
        )
    model = compile_model(_EveryStep(doc))
    program = model.program
    _refuse_unsupported(model, program)
    data = model.run(method="euler").data
    specs = doc.sim_specs
    n_steps = data.shape[0]
    times = specs.start + np.arange(n_steps) * specs.dt
    graph = _graph(model, program)
    loops, loop_set = _loops(graph, max_loops, time_limit)
    if loops is None:
        loops, loop_set = _strongest_loops(model, program, graph, data, times, search_steps)
    edge_scores = _edge_scores(model, program, data, times, {e for loop in loops for e in _pairs(loop)})
    steps = n_steps - 1
    scores = np.ones((len(loops), steps))
    for i, loop in enumerate(loops):
        for edge in _pairs(loop):
            scores[i] *= edge_scores[edge]
    total = np.abs(scores).sum(axis=0)
    relative = np.divide(scores, total, out=np.zeros_like(scores), where=total > 0)
    return Dominance(
        times=times[1:],
        loops=_named(graph, loops, scores, doc.loop_labels.values()),
        scores=scores,
        relative=relative,
        loop_set=loop_set,
        dt=specs.dt,
    )


def _refuse_unsupported(model, program) -> None:
    flat = model.flat
    if any(var.kind.value == "module" or var.scope for var in flat.vars.values()):
        raise SysmapError("loop dominance handles models without modules only")
    if any(cell.elements for cell in flat.cells):
        raise SysmapError("loop dominance handles scalar models only (this one has arrays)")
    if program.hidden or program.memories or program.pipes:
        raise SysmapError(
            "loop dominance cannot score stateful functions (SMOOTH, DELAY, TREND, INIT, PREVIOUS...)"
        )
    if any("_R." in expr for expr in program.exprs):
        raise SysmapError("loop dominance cannot score models with random functions")


def _graph(model, program):
    """Cells as nodes (named), an edge from each input to the cell reading it and from each
    flow to the stocks it fills or drains."""
    import networkx as nx

    cells = model.flat.cells
    stock_cell = {k: i for i, k in program.stock_of.items()}
    graph = nx.DiGraph()
    for cell in cells:
        graph.add_node(cell.index, name=cell.name, vid=cell.var.variable.id)
    for cell in cells:
        if cell.kind.value == "stock":
            for sign, keys in (("+", cell.var.inflows), ("-", cell.var.outflows)):
                for key in keys:
                    flow = model.flat.vars.get(key)
                    if flow is not None:
                        graph.add_edge(flow.cells[()], cell.index, sign=sign, flow=sign)
            continue
        for kind, index in program.refs[cell.index]:
            source = stock_cell[index] if kind == "s" else index
            graph.add_edge(source, cell.index, sign="?")
    return graph


def _loops(graph, max_loops: int, time_limit: float) -> tuple[list | None, str]:
    """Every loop of ``graph`` and ``"all"``, or ``None`` past the budget."""
    from sysmap.analysis.loops import LoopSearch

    search = LoopSearch(graph, max_loops=max_loops, time_limit=time_limit)
    found = list(search)
    return (found, "all") if search.complete else (None, "")


def _strongest_loops(model, program, graph, data, times, search_steps: int) -> tuple[list, str]:
    """The loops strongest-path discovery finds at up to ``search_steps`` steps (see the
    module), rotated to start at their first variable by name; the independent loop set
    when it finds none."""
    import time

    import networkx as nx

    from sysmap.analysis.loop_basis import independent_loops
    from sysmap.analysis.loops import make_loop, order_key

    cyclic = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    part = {v: i for i, c in enumerate(cyclic) for v in c}
    edges = [(u, v) for u, v in graph.edges if u == v or (u in part and part[u] == part.get(v))]
    stocks = [
        v for v in graph if model.flat.cells[v].kind.value == "stock" and (v in part or graph.has_edge(v, v))
    ]
    n = len(data) - 1
    steps = np.unique(np.linspace(1, n, min(max(1, search_steps), n)).round().astype(int)) if n else []
    scores = _edge_scores(model, program, data, times, edges, steps=np.asarray(steps, dtype=int))
    deadline = time.monotonic() + DISCOVERY_SECONDS
    found: dict[tuple, list] = {}
    for k in range(len(steps)):
        strength: dict[int, list[tuple[float, int]]] = {}
        for (u, v), row in scores.items():
            s = abs(float(row[k]))
            if s > 0 and np.isfinite(s):
                strength.setdefault(u, []).append((s, v))
        for out in strength.values():
            out.sort(key=lambda e: -e[0])
        for stock in stocks:
            for cycle in _strongest_paths(stock, strength):
                found.setdefault(_cycle_key(cycle), cycle)
        if time.monotonic() > deadline:
            break
    if not found:
        return independent_loops(graph), "independent"
    loops = []
    for cycle in found.values():
        first = min(range(len(cycle)), key=lambda i: order_key(graph, cycle[i]))
        loops.append(make_loop(graph, cycle[first:] + cycle[:first]))
    return loops, "strongest paths"


def _strongest_paths(target: int, strength: dict[int, list[tuple[float, int]]]) -> list[list[int]]:
    """The loops through ``target`` found by following the strongest links first (Eberlein &
    Schoenberg 2020, appendix I): a path is given up at a variable already reached with a
    product of link scores at least as large (the paper prunes only a smaller one; ties are
    pruned too so that equal scores, common where link scores are exactly 1, cannot make the
    search exponential). ``strength[u]`` lists (|link score|, v), strongest first."""
    best: dict[int, float] = {target: 1.0}
    path = [target]
    on_path = {target}
    # each frame: the variable, its path's product, and the next of its links to follow
    frames = [(target, 1.0, iter(strength.get(target, ())))]
    loops = []
    while frames:
        _, score, links = frames[-1]
        step = next(links, None)
        if step is None:
            frames.pop()
            on_path.discard(path.pop())
            continue
        s, v = step
        product = score * s
        if v in on_path:
            if v == target:
                loops.append(list(path))
            continue
        if product <= best.get(v, 0.0):
            continue
        best[v] = product
        path.append(v)
        on_path.add(v)
        frames.append((v, product, iter(strength.get(v, ()))))
    return loops


def _cycle_key(cycle) -> tuple:
    n = len(cycle)
    return min(tuple(cycle[i:]) + tuple(cycle[:i]) for i in range(n))


def _pairs(loop) -> list[tuple[int, int]]:
    v = loop.variables
    return list(zip(v, v[1:] + v[:1], strict=True))


def _cell_function(model, program, index: int):
    """Cell ``index``'s expression as ``f(T, *symbols)``, with the symbols it reads."""
    from sysmap.sim.functions import namespace

    symbols = sorted(program.refs[index])
    names = [f"{kind}{i}" for kind, i in symbols]
    # the expression comes from codegen's templates only (see sysmap.sim.codegen): no file text
    source = f"def _f(T, {', '.join(names)}):\n    return {program.exprs[index]}\n"
    code = compile(source, "<sysmap dominance>", "exec", dont_inherit=True)
    specs = model.specs
    ns = namespace(False)
    ns.update(_DT=specs.dt, _T0=specs.start, _T1=specs.stop)
    for j, table in enumerate(program.tables):
        ns[f"_t{j}"] = table.scalar
    exec(code, ns)
    return ns["_f"], symbols


def _edge_scores(model, program, data, times, edges, steps=None) -> dict[tuple[int, int], np.ndarray]:
    """The link score of each edge at each step after the first, or at ``steps`` only (row
    numbers of ``data`` from 1: a score at row t compares it with row t - 1)."""
    stock_cell = {k: i for i, k in program.stock_of.items()}
    flat = model.flat
    rows = np.arange(1, len(data)) if steps is None else np.asarray(steps, dtype=int)
    delta = data[rows] - data[rows - 1]
    scores: dict[tuple[int, int], np.ndarray] = {}
    functions: dict[int, tuple] = {}
    for x, z in edges:
        cell = flat.cells[z]
        if cell.kind.value == "stock":
            net = np.zeros(len(data))
            for keys, sign in ((cell.var.inflows, 1.0), (cell.var.outflows, -1.0)):
                for key in keys:
                    if key in flat.vars:
                        net += sign * data[:, flat.vars[key].cells[()]]
            sign = (
                1.0 if any(flat.vars[k].cells[()] == x for k in cell.var.inflows if k in flat.vars) else -1.0
            )
            scores[x, z] = sign * _ratio(delta[:, x], net[rows] - net[rows - 1])
            continue
        if z not in functions:
            functions[z] = _cell_function(model, program, z)
        f, symbols = functions[z]
        columns = [stock_cell[i] if kind == "s" else i for kind, i in symbols]
        moved = [c == x for c in columns]
        partial = np.zeros(len(rows))
        total = np.zeros(len(rows))
        for k, t in enumerate(rows):
            before = [float(data[t - 1, c]) for c in columns]
            now = [float(data[t, c]) for c in columns]
            mixed = [n if m else b for b, n, m in zip(before, now, moved, strict=True)]
            try:
                base = f(times[t - 1], *before)
                partial[k] = f(times[t - 1], *mixed) - base
                total[k] = f(times[t], *now) - base
            except (ArithmeticError, ValueError):
                partial[k] = total[k] = np.nan
        with np.errstate(all="ignore"):
            magnitude = _ratio(partial, total)
            sign = np.sign(
                np.divide(partial, delta[:, x], out=np.zeros_like(partial), where=delta[:, x] != 0)
            )
        scores[x, z] = np.nan_to_num(np.abs(magnitude) * sign)
    return scores


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a / b|, 0 where either is 0 or not a number."""
    with np.errstate(all="ignore"):
        ok = (a != 0) & (b != 0) & np.isfinite(a) & np.isfinite(b)
        out = np.zeros(len(a))
        np.divide(np.abs(a), np.abs(b), out=out, where=ok)
    return out


def _named(graph, loops, scores: np.ndarray, labels=()) -> list[ScoredLoop]:
    """The loops named as the map's loop ``labels`` of the same cycle name them, the others
    R1.../B1.../U1... by the sign of their loop scores over the run, numbered shortest first,
    then by their variables' names (as :func:`sysmap.analysis.loops.name_loops` does),
    skipping the numbers the labels use; in the scores' row order."""
    from sysmap.analysis.loop_labels import AUTO_TEXT, cycle_key
    from sysmap.analysis.loops import order_key

    labelled: dict[tuple[str, ...], str] = {}
    used: set[tuple[str, int]] = set()
    for label in labels:
        if label.loop and label.text.strip():
            labelled.setdefault(cycle_key(label.loop), label.text.strip())
        auto = AUTO_TEXT.fullmatch(label.text)
        if auto:
            used.add((auto.group(1).upper(), int(auto.group(2))))
    polarity = ["R" if total > 0 else "B" if total < 0 else "U" for total in scores.sum(axis=1)]
    rows = sorted(
        range(len(loops)),
        key=lambda i: (loops[i].length, tuple(order_key(graph, v) for v in loops[i].variables)),
    )
    counts: dict[str, int] = {}
    named: dict[int, ScoredLoop] = {}
    for i in rows:
        names = tuple(graph.nodes[v]["name"] for v in loops[i].variables)
        text = labelled.get(cycle_key([graph.nodes[v]["vid"] for v in loops[i].variables]))
        if text is None:
            p = polarity[i]
            counts[p] = counts.get(p, 0) + 1
            while (p, counts[p]) in used:
                counts[p] += 1
            text = f"{p}{counts[p]}"
        named[i] = ScoredLoop(text, polarity[i], names)
    return [named[i] for i in range(len(loops))]
