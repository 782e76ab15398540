"""The causal structure implied by equations and flows, and where drawn links disagree with it.

A map carries causal information twice: the links a user draws, and -- once variables have
equations -- the structure the equations imply: a variable depends on every variable its
equation names, and a stock is raised by its inflows and lowered by its outflows. This
module derives the second and compares it with the first, so the two never disagree
silently.

>>> from sysmap.model import SystemMap, Kind
>>> doc = SystemMap()
>>> pop = doc.add_variable("Population", kind=Kind.STOCK, equation="100")
>>> births = doc.add_variable("Births", kind=Kind.FLOW, equation="population * birth_rate")
>>> rate = doc.add_variable("Birth rate", kind=Kind.AUX, equation="0.03")
>>> doc.attach_flow(births.id, source=None, sink=pop.id)
>>> sorted((doc.variables[d.source].name, d.role) for d in derived_dependencies(doc))
[('Birth rate', 'equation'), ('Births', 'inflow'), ('Population', 'equation')]
>>> _ = doc.add_link(pop.id, births.id, polarity="+")
>>> [(d.kind, doc.variables[d.source].name) for d in link_discrepancies(doc)]
[('undrawn', 'Birth rate')]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sysmap.model.document import SystemMap
from sysmap.model.elements import Kind, Polarity
from sysmap.model.equation_text import referenced_names

#: Names every equation may use without a variable of that name (XMILE builtins without
#: arguments). Calls such as ``SMTH1(x, 3)`` are never references, whatever their name.
BUILTIN_NAMES = frozenset({"time", "dt", "starttime", "stoptime", "pi", "inf", "nan", "self"})


@dataclass(frozen=True, slots=True)
class Dependency:
    """One causal dependency implied by the model's equations or its stock-and-flow structure.

    ``role`` is ``"equation"`` (``target``'s equation names ``source``), ``"initial"`` (a
    stock's initial value names ``source``), ``"inflow"`` or ``"outflow"`` (``source`` is a
    flow filling or draining the stock ``target``). Flow links carry their polarity.
    """

    source: str
    target: str
    role: str
    polarity: Polarity = Polarity.NONE


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A place where drawn links and equations disagree.

    ``kind`` is ``"undrawn"`` (an equation uses a variable with no link drawn from it),
    ``"unused"`` (a link is drawn into a variable whose equation does not use its source)
    or ``"unresolved"`` (an equation names a variable that does not exist; ``source`` is
    then the name as written, canonicalised).
    """

    kind: str
    source: str
    target: str
    message: str


def equation_sources(doc: SystemMap, vid: str) -> tuple[list[str], list[str]]:
    """The variable ids a variable's equation uses, and the names it uses that match nothing."""
    var = doc.variables[vid]
    found: list[str] = []
    unresolved: list[str] = []
    for name in sorted(referenced_names(var.equation)) if var.equation else ():
        other = doc.variable_named(name)
        if other is not None:
            found.append(other.id)
        elif name not in BUILTIN_NAMES:
            unresolved.append(name)
    return found, unresolved


def derived_dependencies(doc: SystemMap) -> Iterator[Dependency]:
    """Every dependency the equations and the flow attachments imply, in document order."""
    for var in doc.variables.values():
        role = "initial" if var.kind == Kind.STOCK else "equation"
        for source in equation_sources(doc, var.id)[0]:
            yield Dependency(source, var.id, role)
        if var.kind == Kind.STOCK:
            for fid in var.inflows:
                yield Dependency(fid, var.id, "inflow", Polarity.POSITIVE)
            for fid in var.outflows:
                yield Dependency(fid, var.id, "outflow", Polarity.NEGATIVE)


def link_discrepancies(doc: SystemMap) -> list[Discrepancy]:
    """Where the drawn links and the equations tell different stories.

    Variables without equations (the concepts of a causal loop diagram) are not compared:
    their links are the only statement of their causes. A model with no drawn links at all
    (equations without a diagram) makes no claim to disagree with, so nothing is
    "undrawn" there.
    """
    found: list[Discrepancy] = []
    diagram = bool(doc.links)
    for var in doc.variables.values():
        if not var.equation.strip():
            continue
        sources, unresolved = equation_sources(doc, var.id)
        drawn = {link.source for link in doc.links_to(var.id)}
        for sid in sources if diagram else ():
            if sid not in drawn and sid != var.id:
                found.append(
                    Discrepancy(
                        "undrawn",
                        sid,
                        var.id,
                        f"{var.label!r} uses {doc.variables[sid].label!r} but no link is drawn",
                    )
                )
        flows = set(var.inflows + var.outflows)
        for sid in sorted(drawn - set(sources) - flows):
            found.append(
                Discrepancy(
                    "unused",
                    sid,
                    var.id,
                    f"a link runs from {doc.variables[sid].label!r} to {var.label!r}, "
                    "but its equation does not use it",
                )
            )
        for name in unresolved:
            found.append(
                Discrepancy("unresolved", name, var.id, f"{var.label!r} refers to unknown variable {name!r}")
            )
    return found
