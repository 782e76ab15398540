"""Compile a document once into Python functions that evaluate a whole time step.

:func:`compile_model` flattens the document (:mod:`sysmap.sim.flatten`), turns each cell's
equation into an expression (:mod:`sysmap.sim.codegen`), orders the cells by their
dependencies (networkx; a cycle without a stock is an algebraic loop, reported by name),
splits them into constants and cells that change, orders the initial values, and has
:mod:`sysmap.sim.loop` write one function, ``_run``, that runs the whole simulation -- per
flavour (scalar floats, or numpy arrays over runs) and integration method.

The source is built from the parsed trees only (see :mod:`sysmap.sim.codegen` for why no
file text can reach it), compiled with :func:`compile` once, and reused by every run.

>>> from sysmap.model import SystemMap, Kind
>>> doc = SystemMap()
>>> tub = doc.add_variable("Water", kind=Kind.STOCK, equation="100")
>>> drain = doc.add_variable("Drain", kind=Kind.FLOW, equation="Water / 10")
>>> doc.attach_flow(drain.id, source=tub.id, sink=None)
>>> model = compile_model(doc)
>>> round(float(model.run()["water"][-1]), 3)  # 100 * 0.9 ** 100
0.003
"""

from __future__ import annotations

import os

import networkx as nx
import numpy as np

from sysmap.model.elements import Kind
from sysmap.sim.codegen import Program, emit_program
from sysmap.sim.errors import SimulationError
from sysmap.sim.flatten import FlatModel, flatten
from sysmap.sim.functions import namespace
from sysmap.sim.integrate import Schedule, integrate
from sysmap.sim.loop import Plan, row_struct, saved_cells, write_run
from sysmap.sim.results import Results, result_key
from sysmap.sim.semantics import Semantics, semantics_for

#: Cycles listed in an algebraic loop message, at most.
_CYCLE_SHOWN = 8


class Variant:
    """One flavour of compiled code: scalar or vector, with some cells fixed by overrides;
    its ``_run`` function is written and compiled once per integration method."""

    def __init__(self, plan: Plan, every: int | None = None):
        self.plan = plan
        #: the schedule's save interval in steps, when known: 1 writes a loop that saves every step
        self.every = every
        self.program: Program = plan.program
        #: the cells ``_run`` returns, constant over the run: the constants, then the settled
        self.statics = plan.statics + plan.settled
        #: the cells computed before anything else (which read the overrides themselves)
        self.constants = frozenset(plan.statics)
        self.dynamic = plan.dynamic
        #: the cells a run saves, in the order of its rows
        self.saved = saved_cells(plan)
        #: how a single run packs its saved rows
        self.row = row_struct(plan)
        self._runners: dict[tuple, tuple[object, str]] = {}
        #: whether the code draws random numbers
        self.random = "_R." in self.source("euler")

    def runner(self, method: str, kept: list[int] | None = None):
        """The compiled ``_run`` for ``method`` (in vector code, saving only the cells ``kept``)."""
        key = (method, None if kept is None or not self.plan.vector else tuple(kept))
        if key not in self._runners:
            source = write_run(self.plan, method, self.every, None if key[1] is None else kept)
            try:
                # not inheriting this module's __future__ flags also makes compile() faster
                code = compile(source, "<sysmap model>", "exec", dont_inherit=True)
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                raise SimulationError("the model's equations are too large or deep to compile") from None
            ns = namespace(self.plan.vector)
            ns["_S"] = self.row
            for j, table in enumerate(self.program.tables):
                ns[f"_t{j}"] = table.vector if self.plan.vector else table.scalar
            exec(code, ns)
            self._runners[key] = (ns["_run"], source)
        return self._runners[key][0]

    def source(self, method: str = "euler") -> str:
        self.runner(method)
        return self._runners[(method, None)][1]


class CompiledModel:
    """A model compiled once and run many times (see :meth:`run`)."""

    def __init__(self, doc):
        self.specs = doc.sim_specs
        problem = self.specs.problem()
        if problem:
            raise SimulationError(f"cannot simulate: {problem}")
        self.semantics: Semantics = semantics_for(doc.origin)
        self.flat: FlatModel = flatten(doc)
        self.names = [cell.name for cell in self.flat.cells]
        #: the display names of the stocks (array elements one by one)
        self.stock_names = [cell.name for cell in self.flat.cells if cell.kind == Kind.STOCK]
        self._keys: dict[str, list[int]] = {}
        for cell in self.flat.cells:
            self._keys.setdefault(result_key(cell.name), []).append(cell.index)
            self._keys.setdefault(result_key(cell.key), []).append(cell.index)
            if cell.elements:  # the whole array, by its name alone
                self._keys.setdefault(result_key(cell.var.name), []).append(cell.index)
        self._variants: dict[tuple[bool, frozenset], Variant] = {}
        self._stock_cells = {cell.index for cell in self.flat.cells if cell.kind == Kind.STOCK}
        self._schedule = Schedule.of(self.specs)
        specs = self.specs
        # Vensim's control variables, for results that the model does not define them in
        self._constants = Results.keyed_constants(
            {
                "initial time": specs.start,
                "final time": specs.stop,
                "time step": specs.dt,
                "dt": specs.dt,
                "saveper": specs.save_interval or specs.dt,
            },
            self._keys,
        )
        self._variant(False, frozenset())  # find every problem now, not at the first run
        self.program = self._variant(False, frozenset()).program

    # -- code ----------------------------------------------------------------------------------

    def _variant(self, vector: bool, fixed: frozenset) -> Variant:
        key = (vector, fixed)
        if key not in self._variants:
            self._variants[key] = _build(self.flat, self.semantics, vector, fixed, self._schedule.every)
        return self._variants[key]

    def source(self, vector: bool = False, method: str = "euler") -> str:
        """The generated Python source (for the curious and for tests)."""
        return self._variant(vector, frozenset()).source(method)

    # -- running -------------------------------------------------------------------------------

    def cells_named(self, name: str) -> list[int]:
        """The cells a name stands for (one, or every element of an array); any XMILE spelling."""
        found = self._keys.get(result_key(name))
        if not found:
            raise SimulationError(f'the model has no variable named "{name}"')
        return list(dict.fromkeys(found))

    def run(
        self,
        method: str | None = None,
        overrides: dict | None = None,
        runs: int = 1,
        seed=None,
        keep=None,
    ) -> Results:
        """Simulate; returns :class:`~sysmap.sim.results.Results` at the save times.

        ``method`` is ``"euler"``, ``"rk4"`` or ``"rk2"`` (default: the model's, see
        :mod:`sysmap.sim.semantics`). ``overrides`` maps variable names (any spelling; an
        array's name sets every element) to a number, or to an array of ``runs`` numbers, one
        per run; a stock's override is its initial value. ``runs`` > 1 runs an ensemble,
        vectorised; ``seed`` makes random functions repeatable. ``keep`` names the variables
        the results hold (any spelling; an array's name keeps every element; default: all of
        them): an ensemble then stores ``saves x kept x runs`` values, not every cell's.
        """
        if not isinstance(runs, int) or runs < 1:
            raise SimulationError("runs must be a whole number of at least 1")
        method = self._method(method)
        kept = self._kept(keep)
        values: dict[int, object] = {}
        for name, value in (overrides or {}).items():
            number = _override_value(name, value, runs)
            for index in self.cells_named(str(name)):
                values[index] = number
        base = self._variant(False, frozenset())
        # overridden cells computed from other cells take their value from the overrides
        fixed = frozenset(i for i in values if i not in base.constants and i not in self._stock_cells)
        schedule = self._schedule
        if runs == 1 and not any(isinstance(v, np.ndarray) for v in values.values()):
            variant = self._variant(False, fixed)
            rng = np.random.default_rng(seed) if variant.random else None
            try:
                data = integrate(variant, schedule, method, values, rng, None)
            except (ArithmeticError, ValueError):
                pass  # a division by zero, a domain error: redo it with IEEE semantics
            else:
                return self._results(data if kept is None else data[:, kept], kept)
        variant = self._variant(True, fixed)
        rng = np.random.default_rng(seed)
        with np.errstate(all="ignore"):
            data = integrate(variant, schedule, method, values, rng, runs, kept)
        if runs == 1:
            data = data[:, :, 0]
        return self._results(data, kept)

    def _kept(self, keep) -> list[int] | None:
        """The cells ``keep`` names, in the model's order (``None``: every cell)."""
        if keep is None:
            return None
        if isinstance(keep, str):
            keep = [keep]
        return sorted({i for name in keep for i in self.cells_named(str(name))})

    def _results(self, data: np.ndarray, kept: list[int] | None) -> Results:
        times = self._schedule.save_times()
        if kept is None:
            return Results(times, self.names, data, self._keys, self._constants)
        column = {cell: k for k, cell in enumerate(kept)}
        keys = {}
        for key, cells in self._keys.items():
            found = [column[i] for i in cells if i in column]
            if found:
                keys[key] = found
        return Results(times, [self.names[i] for i in kept], data, keys, self._constants)

    def _method(self, method: str | None) -> str:
        if method is None:
            return self.semantics.method(self.specs.method)
        chosen = method.strip().lower()
        if chosen not in ("euler", "rk4", "rk2"):
            raise SimulationError(f'unknown integration method "{method}" (use euler, rk4 or rk2)')
        return chosen


def _override_value(name, value, runs: int):
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise SimulationError(f'the value given for "{name}" is not a number') from None
    if array.ndim == 0:
        return float(array)
    if array.shape != (runs,):
        raise SimulationError(f'"{name}" is given {array.size} values for {runs} runs')
    return array if runs > 1 else float(array[0])


def compile_model(doc) -> CompiledModel:
    """Compile ``doc`` (a :class:`~sysmap.model.SystemMap`) for simulation.

    Raises :class:`SimulationError` naming the variable for an equation that does not parse,
    an unknown variable or function, an algebraic loop (naming its cycle), or a feature the
    simulator does not support.
    """
    try:
        return CompiledModel(doc)
    except RecursionError:
        raise SimulationError("the model's equations nest too deeply to compile") from None
    except MemoryError:
        raise SimulationError("the model is too large to compile") from None


def simulate(doc_or_path, **run_kwargs) -> Results:
    """Load (when given a path), compile and run a model; ``run_kwargs`` go to :meth:`CompiledModel.run`.

    >>> from sysmap.model import SystemMap, Kind
    >>> doc = SystemMap()
    >>> _ = doc.add_variable("x", kind=Kind.AUX, equation="TIME * 2")
    >>> simulate(doc)["x"][:3].tolist()
    [0.0, 2.0, 4.0]
    """
    doc = doc_or_path
    if isinstance(doc_or_path, str | os.PathLike):
        from sysmap.io import load

        doc = load(doc_or_path)
    return compile_model(doc).run(**run_kwargs)


# -- building the code ----------------------------------------------------------------------------


def _cycle_message(graph: nx.DiGraph, flat: FlatModel, what: str) -> SimulationError:
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:  # pragma: no cover - only called on cyclic graphs
        return SimulationError(what)
    names = []
    for source, _target in cycle:
        node = source
        if isinstance(node, tuple):
            node = node[1] if node[0] == "c" else None
        names.append(flat.cells[node].name if isinstance(node, int) else "(a hidden stock)")
    names.append(names[0])
    shown = " -> ".join(names[: _CYCLE_SHOWN + 1]) + (" -> ..." if len(names) > _CYCLE_SHOWN + 1 else "")
    return SimulationError(f"{what}: {shown}", variable=names[0])


def _build(
    flat: FlatModel, semantics: Semantics, vector: bool, fixed: frozenset, every: int | None = None
) -> Variant:
    p = emit_program(flat, semantics, vector, fixed)
    cells = flat.cells
    n = len(cells)
    is_stock = [c.kind == Kind.STOCK for c in cells]
    graph = nx.DiGraph()
    graph.add_nodes_from(i for i in range(n) if not is_stock[i])
    for i in range(n):
        if is_stock[i] or i in fixed:
            continue
        for kind, j in p.refs[i]:
            if kind == "c" and not is_stock[j]:
                graph.add_edge(j, i)
    # A flow limited by a non-negative stock reads the stock's other flows, unless that makes
    # the flows depend on each other in a loop: then the limit leaves that flow out.
    skips: dict[int, set] = {}
    for i, clamp in p.clamps.items():
        skip = skips.setdefault(i, set())
        for _, j in sorted(r for r in clamp.refs() if r[0] == "c"):
            if i in fixed or (graph.has_node(j) and graph.has_node(i) and nx.has_path(graph, i, j)):
                skip.add(j)
            else:
                graph.add_edge(j, i)
    clamps = {i: clamp.statement(i, vector, skips[i]) for i, clamp in p.clamps.items() if i not in fixed}

    def refs_now(i: int) -> set:
        clamp = p.clamps.get(i)
        return p.refs[i] if clamp is None or i in fixed else p.refs[i] | clamp.refs(skips[i])

    try:
        order = list(nx.lexicographical_topological_sort(graph))
    except nx.NetworkXUnfeasible:
        raise _cycle_message(
            graph, flat, "algebraic loop (the equations depend on each other with no stock between)"
        ) from None
    static = set()
    for i in order:
        if i in fixed:
            static.add(i)
            continue
        refs = refs_now(i)
        if p.timed[i] or any(kind != "c" for kind, _ in refs):
            continue
        if all(j in static for _, j in refs):
            static.add(i)
    # cells that read only constants and INIT values are settled once the run is initialised
    init_only = {j for j, memory in enumerate(p.memories) if memory.update is None}
    settled = set()
    for i in order:
        if i in static or p.timed[i]:
            continue
        if all(
            (k == "c" and (j in static or j in settled)) or (k == "m" and j in init_only)
            for k, j in refs_now(i)
        ):
            settled.add(i)
    statics = [i for i in order if i in static]
    dynamic = [i for i in order if i not in static and i not in settled]

    # initialisation: stocks (model and hidden) and memories, after what their initial values read
    n_user = len(p.stock_of)
    stock_cell = {k: i for i, k in p.stock_of.items()}
    init_graph = nx.DiGraph()

    def init_refs(node) -> set:
        kind, j = node
        if kind == "c":
            return p.initials[j][1] if j in p.initials else refs_now(j)
        if kind == "s":
            return p.refs[stock_cell[j]] if j < n_user else p.hidden[j - n_user].init_refs
        return p.memories[j].init_refs

    roots = [("s", k) for k in range(p.n_stocks)] + [("m", j) for j in range(len(p.memories))]
    todo = list(roots)
    init_graph.add_nodes_from(roots)
    while todo:
        node = todo.pop()
        for ref in init_refs(node):
            if ref[0] == "c" and (ref[1] in static or is_stock[ref[1]]):
                if is_stock[ref[1]]:
                    ref = ("s", p.stock_of[ref[1]])
                else:
                    continue
            if ref not in init_graph:
                todo.append(ref)
            init_graph.add_edge(ref, node)
    try:
        init_order = list(nx.lexicographical_topological_sort(init_graph, key=str))
    except nx.NetworkXUnfeasible:
        raise _cycle_message(init_graph, flat, "initial values depend on each other in a loop") from None

    variant = Variant(
        Plan(p, clamps, statics, dynamic, init_order, stock_cell, vector, [i for i in order if i in settled]),
        every,
    )
    variant.runner("euler")  # compile now: a model too large to compile fails here, not at a run
    return variant
