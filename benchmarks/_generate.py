"""Generated maps for the benchmarks: reproducible, with equations that reference each other."""

from __future__ import annotations

import random

from sysmap.model import Kind, SystemMap
from sysmap.model.edits import Compound
from sysmap.model.operations import add_link, add_variable


def random_map(n_variables: int, n_links: int, seed: int = 1, equations: bool = True) -> SystemMap:
    """A map of concepts/auxiliaries on a grid, ``n_links`` random links, each drawn link also
    written into the target's equation (so derived and drawn structure agree)."""
    rng = random.Random(seed)
    doc = SystemMap(name=f"random {n_variables}/{n_links}")
    side = max(1, int(n_variables**0.5))
    ids = []
    edits = []
    for i in range(n_variables):
        edit = add_variable(
            doc,
            f"Variable {i}",
            Kind.AUX if equations else Kind.CONCEPT,
            position=(180.0 * (i % side), 120.0 * (i // side)),
        )
        edits.append(edit)
        ids.append(edit.element.id)
    doc.apply(Compound(edits))
    causes: dict[int, list[int]] = {}
    edits = []
    for _ in range(n_links):
        a, b = rng.randrange(n_variables), rng.randrange(n_variables)
        if a == b:
            continue
        causes.setdefault(b, []).append(a)
        edits.append(
            add_link(doc, ids[a], ids[b], polarity=rng.choice("+-"), curvature=rng.uniform(-0.2, 0.2))
        )
    doc.apply(Compound(edits))
    if equations:
        from sysmap.model.operations import update

        doc.apply(
            Compound(
                [
                    update(doc, ids[b], equation=" + ".join(f"variable_{a}" for a in sorted(set(srcs))))
                    for b, srcs in causes.items()
                ]
            )
        )
    return doc


def stock_flow_model(n_variables: int, seed: int = 1) -> SystemMap:
    """A simulatable stock-and-flow model of ``n_variables``: a fifth stocks, a fifth flows, the rest
    auxiliaries (a third of them constants). Each flow drains one stock into another, so the total
    stays what it was and no run overflows; its rate is a constant times a bounded, nonlinear
    auxiliary. Auxiliaries use only stocks and earlier auxiliaries (no simultaneous equations), with
    MIN, MAX, ABS, IF-THEN-ELSE and SIN, all builtins Simlin and PySD read. Runs 0..100, dt 0.25."""
    from sysmap.model.elements import SimSpecs

    rng = random.Random(seed)
    n_stocks = max(2, n_variables // 5)
    n_flows = n_stocks
    n_auxes = max(1, n_variables - n_stocks - n_flows)
    n_constants = max(1, n_auxes // 3)
    doc = SystemMap(name=f"stock-flow {n_variables}", sim_specs=SimSpecs(start=0.0, stop=100.0, dt=0.25))
    side = max(1, int(n_variables**0.5))
    place = iter((180.0 * (i % side), 120.0 * (i // side)) for i in range(n_variables + 10))
    stocks = [
        doc.add_variable(f"Stock {i}", Kind.STOCK, equation=str(rng.randint(10, 1000)), position=next(place))
        for i in range(n_stocks)
    ]
    auxes = []
    for i in range(n_auxes):
        if i < n_constants:
            equation = f"{rng.uniform(0.01, 0.1):.4f}"
        else:
            a = f"stock_{rng.randrange(n_stocks)}"
            b = f"aux_{rng.randrange(i)}"
            c = f"aux_{rng.randrange(i)}"
            equation = rng.choice(
                [
                    f"{b} * {a} / (1 + ABS({a}))",
                    f"MIN({b}, {c}) + 0.5 * SIN(TIME / {rng.randint(2, 20)})",
                    f"MAX(0, {b} - {c}) + {rng.uniform(0, 1):.3f}",
                    f"IF {a} > {rng.randint(10, 1000)} THEN {b} ELSE {c}",
                ]
            )
        auxes.append(doc.add_variable(f"Aux {i}", Kind.AUX, equation=equation, position=next(place)))
    for i in range(n_flows):
        source = stocks[i]
        sink = stocks[rng.randrange(n_stocks)]
        rate = f"aux_{rng.randrange(n_constants)}"
        shape = f"aux_{rng.randrange(n_auxes)}"
        equation = f"{equation_name(source.name)} * {rate} * (0.5 + 0.5 * {shape} / (1 + ABS({shape})))"
        flow = doc.add_variable(f"Flow {i}", Kind.FLOW, equation=equation, position=next(place))
        doc.attach_flow(flow.id, source=source.id, sink=None if sink is source else sink.id)
    return doc


def equation_name(name: str) -> str:
    """How an equation refers to the variable ``name`` (spaces as underscores)."""
    return name.replace(" ", "_").lower()
