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
