"""Simulation of stock-and-flow models: equation parsing, compilation, integration (no Qt).

Use::

    from sysmap.sim import compile_model, simulate, SimulationError
    model = compile_model(doc)              # once; errors name the variable
    results = model.run(method=None, overrides={"birth rate": 0.03}, runs=1, seed=None)
    results.times, results.names, results["population"], results.to_csv("out.csv")
    simulate("model.xmile", runs=1000, overrides={"k": np.random.default_rng(1).uniform(0, 1, 1000)},
             keep=["population"])         # an ensemble stores only the variables it keeps

Design, module by module:

- :mod:`~sysmap.sim.parser` (lark grammar ``xmile.lark``) turns equation text into the
  immutable trees of :mod:`~sysmap.sim.ast`. Nothing else reads equation text.
- :mod:`~sysmap.sim.flatten` expands the document into scalar *cells*: one per stock, flow
  and auxiliary, one per element of an arrayed variable, one per variable of each module
  instance (``instance.variable``; connected inputs alias the outside variable).
- :mod:`~sysmap.sim.codegen` turns each cell's tree into a Python expression over symbols it
  invents (``c12``, ``s3``...), lowering stateful builtins to hidden stocks and memories,
  Vensim's vector functions through :mod:`~sysmap.sim.vectors` and calls of the file's own
  macros through :mod:`~sysmap.sim.macros` (each call with its own stocks).
  **Safety**: identifiers become indexes into arrays the simulator controls, numbers become
  ``repr(float)`` literals, function names select fixed templates; no text from the file
  reaches the generated source, and it runs without Python builtins. Nothing is ``eval``-ed
  from a file, and sympy's ``sympify`` is never used.
- :mod:`~sysmap.sim.compile` orders cells by dependency (networkx topological sort; a cycle
  with no stock is an algebraic loop, reported naming its cycle) and sorts them into
  constants, values settled once the run is initialised (they read only constants and
  ``INIT``), and values that change; :mod:`~sysmap.sim.loop` writes the whole simulation --
  constants, initial values, the time loop of Euler, RK2 or RK4 -- as one function of local
  variables, ``compile()``-d once per flavour and method. One Python call runs a simulation;
  values no stock needs are computed only at save times, and graphical functions of time
  once per step however often they are read.
- :mod:`~sysmap.sim.integrate` calls it. A single run uses Python floats; an ensemble uses
  numpy arrays of shape ``(runs,)`` for every value, so N runs cost far less than N runs. A
  single run that divides by zero or leaves a function's domain is redone in numpy, giving
  ``inf``/``nan`` as IEEE arithmetic does instead of stopping.
- :mod:`~sysmap.sim.functions` is the run-time library of the generated code (graphical
  functions, PULSE/STEP/RAMP, random numbers...); :mod:`~sysmap.sim.semantics` says where the
  file's producer changes a meaning (Vensim's INT and MOD, its RK4 export); and
  :mod:`~sysmap.sim.results` holds the saved values.

Semantics follow XMILE 1.0: non-negative flows never run backwards; the outflows of a
non-negative stock take, in the stock's outflow order, at most what it holds plus its inflows
over the step (as Stella reports them), and a non-negative stock is floored at zero after each
step whatever drains it (a negative inflow, a flow shared by two stocks: the sdxorg tests);
PULSE gives ``magnitude / DT`` for one step; graphical functions are
continuous, extrapolate or discrete.
"""

from __future__ import annotations

__all__ = ["CompiledModel", "Results", "SimulationError", "compile_model", "simulate"]


def __getattr__(name: str):
    # Importing sysmap.sim (e.g. for the parser) does not load numpy or networkx.
    if name in ("CompiledModel", "compile_model", "simulate"):
        from sysmap.sim import compile as _compile

        return getattr(_compile, name)
    if name == "Results":
        from sysmap.sim.results import Results

        return Results
    if name == "SimulationError":
        from sysmap.sim.errors import SimulationError

        return SimulationError
    raise AttributeError(f"module 'sysmap.sim' has no attribute {name!r}")
