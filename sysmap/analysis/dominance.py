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

Smoothing and material delays (SMTH1, SMTH3, SMTHN, DELAY1, DELAY3, DELAYN, TREND,
FORCST) hold **hidden stocks** (:class:`sysmap.sim.codegen.HiddenStock`), which the run's
results leave out. Their values are rebuilt from the results by the simulator's own Euler
step (each hidden stock's initial value, then ``stock + dt * rate`` with the rate's code
read at each saved step, every input of which the results hold), and each is scored as a
stock whose rate is its one net flow: a link ``x -> hidden`` scores as ``x -> rate`` (the
``rate -> hidden`` score, ``|Δrate / Δnet|``, is 1). A hidden stock's own first-order
loop (its rate reads itself: the smoothing's adjustment) is the builtin's inner working, not
a loop of the map, and is left out. In a loop's variables the variable whose equation holds
the function stands for its hidden stocks, once.

Scope: scalar models. Arrays, modules, random functions and the builtins with a memory
(INIT, PREVIOUS, pipeline DELAY) are refused with a :class:`~sysmap.errors.SysmapError`. A
flow clamped by the simulator (a uniflow, a non-negative stock) is scored by its equation,
before the clamp.

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
import re
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
    never scored), ``polarity`` (``R``, ``B``, ``U``) and its variables' names in order (a
    variable holding a SMOOTH or DELAY once for itself and its hidden stocks)."""

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
    module or random model, INIT, PREVIOUS or pipeline DELAY, or anything the simulator
    refuses.
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
    _refuse_unsupported(model, model.program)
    layout = _Layout(model)
    data = model.run(method="euler").data
    specs = doc.sim_specs
    n_steps = data.shape[0]
    times = specs.start + np.arange(n_steps) * specs.dt
    data = np.hstack([data, _hidden_values(layout, data, times)])
    graph = _graph(layout)
    loops, loop_set = _loops(graph, max_loops, time_limit)
    if loops is None:
        loops, loop_set = _strongest_loops(layout, graph, data, times, search_steps)
    edge_scores = _edge_scores(layout, data, times, {e for loop in loops for e in _pairs(loop)})
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
    if program.memories or program.pipes:
        raise SysmapError(
            "loop dominance cannot score stateful functions with a memory (INIT, PREVIOUS, DELAY)"
        )
    if any("_R." in expr for expr in program.exprs):
        raise SysmapError("loop dominance cannot score models with random functions")


#: a symbol of the simulator's code that reads a cell or a stock (see :mod:`sysmap.sim.codegen`)
_SYMBOL = re.compile(r"\b([cs])([0-9]+)\b")


class _Layout:
    """Where each value of the scores' data is: the cells' columns (as in the results), then
    one column per hidden stock; the nodes of the graph are these column numbers."""

    def __init__(self, model):
        self.model = model
        self.program = program = model.program
        self.cells = model.flat.cells
        self.n_cells = len(self.cells)
        self.n_user = len(program.stock_of)
        self.stock_cell = {k: i for i, k in program.stock_of.items()}
        self.owners = _hidden_owners(program)

    def column(self, kind: str, index: int) -> int:
        """The column of the code's symbol ``kind`` + ``index`` (``c`` a cell, ``s`` a stock slot)."""
        if kind == "c":
            return index
        if index < self.n_user:
            return self.stock_cell[index]
        return self.n_cells + index - self.n_user

    def is_stock(self, node: int) -> bool:
        return node >= self.n_cells or self.cells[node].kind.value == "stock"

    def equation(self, node: int) -> tuple[str, list[tuple[str, int]]]:
        """The code that computes ``node`` (a hidden stock: its rate) and the symbols it reads."""
        if node < self.n_cells:
            # the references the simulator orders by can be more than the code reads (a
            # DELAY3 refers to its three stages, reads the last one): links follow the code
            expr = self.program.exprs[node]
            return expr, sorted(self.program.refs[node] & set(_symbols(expr)))
        rate = self.program.hidden[node - self.n_cells].rate
        return rate, _symbols(rate)


def _symbols(code: str) -> list[tuple[str, int]]:
    return sorted({(kind, int(index)) for kind, index in _SYMBOL.findall(code)})


def _hidden_owners(program) -> list[int]:
    """The cell whose equation holds each hidden stock's function. The simulator makes a
    cell's hidden stocks while emitting it, cells in order, and the cell reads the last one
    it makes (its output): the owner of slot ``k`` is the first cell reading a slot >= k."""
    n_user = len(program.stock_of)
    reach = []
    for i, refs in enumerate(program.refs):
        refs = refs | program.initials.get(i, ("", set()))[1]
        reach.append(max((k for kind, k in refs if kind == "s" and k >= n_user), default=-1))
    owners = []
    i = 0
    for k in range(n_user, program.n_stocks):
        while i < len(reach) and reach[i] < k:
            i += 1
        if i == len(reach):
            raise SysmapError("loop dominance cannot tell which variable holds a stateful function")
        owners.append(i)
    return owners


def _hidden_values(layout: _Layout, data: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The hidden stocks' values at every saved step (rows x hidden stocks), rebuilt as the
    simulator's Euler loop computes them: the initial values at the start, then each step
    ``stock + dt * rate``, the rates read from the step's saved row and the hidden stocks."""
    hidden = layout.program.hidden
    out = np.zeros((len(data), len(hidden)))
    if not hidden or not len(data):
        return out
    rates = [_function(layout, h.rate, _symbols(h.rate)) for h in hidden]
    state = _initial_values(layout, data[0].tolist(), float(times[0]))
    dt = float(times[1] - times[0]) if len(times) > 1 else 0.0
    for k in range(len(data)):
        out[k] = state
        if k + 1 == len(data):
            break
        row = data[k].tolist() + state
        # every rate from the same step's values, then every stock moves (as the simulator does)
        steps = [_call(f, times[k], row, columns) for f, columns in rates]
        state = [s + dt * d for s, d in zip(state, steps, strict=True)]
    return out


def _initial_values(layout: _Layout, row: list, start: float) -> list[float]:
    """The hidden stocks' initial values. What they read is as at the first saved row but
    for the cells with an initial equation (``<init_eqn>``), which hold its value at the
    start, and the cells computed from them, computed again from those."""
    p = layout.program
    n = layout.n_cells
    known: dict[int, float] = {}

    def value(column: int) -> float:
        if column in known:
            return known[column]
        if column >= n:
            init = p.hidden[column - n]
            f, columns = _function(layout, init.init, sorted(init.init_refs))
        elif column in p.initials:
            f, columns = _function(layout, p.initials[column][0], sorted(p.initials[column][1]))
        elif layout.is_stock(column) or not p.refs[column]:
            known[column] = row[column]
            return row[column]
        else:
            f, columns = _function(layout, *layout.equation(column))
        values = [value(c) for c in columns]
        if (
            column < n
            and column not in p.initials
            and all(
                c >= n or v == row[c] or (v != v and row[c] != row[c])
                for c, v in zip(columns, values, strict=True)
            )
        ):
            known[column] = row[column]  # nothing it reads differs from the first row
        else:
            known[column] = _call(f, start, values, range(len(values)))
        return known[column]

    try:
        return [value(n + j) for j in range(len(p.hidden))]
    except RecursionError:
        raise SysmapError("loop dominance: the initial values are nested too deeply") from None


def _call(f, t, row: list, columns: list[int]) -> float:
    try:
        return f(t, *[row[c] for c in columns])
    except (ArithmeticError, ValueError):
        return float("nan")


def _graph(layout: _Layout):
    """Cells and hidden stocks as nodes (named: a hidden stock by the variable holding its
    function), an edge from each input to the cell reading it, from each flow to the stocks
    it fills or drains, and from each input of a hidden stock's rate to the hidden stock
    (but itself: see the module)."""
    import networkx as nx

    cells = layout.cells
    n = layout.n_cells
    graph = nx.DiGraph()
    for cell in cells:
        graph.add_node(cell.index, name=cell.name, vid=cell.var.variable.id)
    for j, owner in enumerate(layout.owners):
        cell = cells[owner]
        graph.add_node(n + j, name=cell.name, vid=cell.var.variable.id, hidden=True)
    for j in range(len(layout.owners)):
        for kind, index in layout.equation(n + j)[1]:
            source = layout.column(kind, index)
            if source != n + j:
                graph.add_edge(source, n + j, sign="?")
    model = layout.model
    for cell in cells:
        if cell.kind.value == "stock":
            for sign, keys in (("+", cell.var.inflows), ("-", cell.var.outflows)):
                for key in keys:
                    flow = model.flat.vars.get(key)
                    if flow is not None:
                        graph.add_edge(flow.cells[()], cell.index, sign=sign, flow=sign)
            continue
        for kind, index in layout.equation(cell.index)[1]:
            graph.add_edge(layout.column(kind, index), cell.index, sign="?")
    return graph


def _loops(graph, max_loops: int, time_limit: float) -> tuple[list | None, str]:
    """Every loop of ``graph`` and ``"all"``, or ``None`` past the budget."""
    from sysmap.analysis.loops import LoopSearch

    search = LoopSearch(graph, max_loops=max_loops, time_limit=time_limit)
    found = list(search)
    return (found, "all") if search.complete else (None, "")


def _strongest_loops(layout: _Layout, graph, data, times, search_steps: int) -> tuple[list, str]:
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
    stocks = [v for v in graph if layout.is_stock(v) and (v in part or graph.has_edge(v, v))]
    n = len(data) - 1
    steps = np.unique(np.linspace(1, n, min(max(1, search_steps), n)).round().astype(int)) if n else []
    scores = _edge_scores(layout, data, times, edges, steps=np.asarray(steps, dtype=int))
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


def _function(layout: _Layout, expr: str, symbols: list[tuple[str, int]]):
    """The simulator's code ``expr`` as ``f(T, *values)``, with the data columns of the
    ``symbols`` it reads, in the order ``f`` takes them."""
    from sysmap.sim.functions import namespace

    names = [f"{kind}{i}" for kind, i in symbols]
    # the expression comes from codegen's templates only (see sysmap.sim.codegen): no file text
    source = f"def _f(T, {', '.join(names)}):\n    return {expr}\n"
    code = compile(source, "<sysmap dominance>", "exec", dont_inherit=True)
    specs = layout.model.specs
    ns = namespace(False)
    ns.update(_DT=specs.dt, _T0=specs.start, _T1=specs.stop)
    for j, table in enumerate(layout.program.tables):
        ns[f"_t{j}"] = table.scalar
    exec(code, ns)
    return ns["_f"], [layout.column(kind, i) for kind, i in symbols]


def _edge_scores(layout: _Layout, data, times, edges, steps=None) -> dict[tuple[int, int], np.ndarray]:
    """The link score of each edge at each step after the first, or at ``steps`` only (row
    numbers of ``data`` from 1: a score at row t compares it with row t - 1). A hidden stock
    is scored by its rate's equation (its rate being its one net flow: see the module)."""
    flat = layout.model.flat
    rows = np.arange(1, len(data)) if steps is None else np.asarray(steps, dtype=int)
    delta = data[rows] - data[rows - 1]
    scores: dict[tuple[int, int], np.ndarray] = {}
    functions: dict[int, tuple] = {}
    for x, z in edges:
        cell = flat.cells[z] if z < layout.n_cells else None
        if cell is not None and cell.kind.value == "stock":
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
            functions[z] = _function(layout, *layout.equation(z))
        f, columns = functions[z]
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
        names = _once([graph.nodes[v]["name"] for v in loops[i].variables])
        text = labelled.get(cycle_key(_once([graph.nodes[v]["vid"] for v in loops[i].variables])))
        if text is None:
            p = polarity[i]
            counts[p] = counts.get(p, 0) + 1
            while (p, counts[p]) in used:
                counts[p] += 1
            text = f"{p}{counts[p]}"
        named[i] = ScoredLoop(text, polarity[i], names)
    return [named[i] for i in range(len(loops))]


def _once(items: list) -> tuple:
    """``items`` of a cycle with each run of the same item kept once (a variable and the
    hidden stocks of its SMOOTH or DELAY follow each other in a loop).

    >>> _once(["Drain", "Stock", "Level", "Level"]), _once(["a", "b", "a"]), _once(["a", "a"])
    (('Drain', 'Stock', 'Level'), ('a', 'b'), ('a',))
    """
    kept = [item for k, item in enumerate(items) if k == 0 or item != items[k - 1]]
    while len(kept) > 1 and kept[-1] == kept[0]:
        kept.pop()
    return tuple(kept)
