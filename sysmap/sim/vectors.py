"""Vensim's vector functions, lowered to calls of the run-time library over an array's cells.

- ``VECTOR SELECT(selection, expression, missing, action, error)``: the elements where the
  selection is not zero, combined by ``action`` (0 weighted sum, 1 weighted product, 2 weighted
  minimum, 3 weighted maximum, 4 weighted mean, 5 product of ``expression ^ selection`` (what
  Vensim computes, though its help says the reverse), 6 sum, 7 product, 8 minimum, 9 maximum,
  10 mean); ``missing`` when nothing is selected. The arrays run over the dimensions written
  ``*`` (Vensim's ``!``). ``error`` (raise when nothing or more than one is selected) is read
  but not acted on: a run never stops half-way.
- ``VECTOR ELM MAP(vec[e], offset)``: the element ``offset`` places after ``vec[e]``, counting
  through all of ``vec``'s elements in order (the last dimension fastest); outside the array
  the result is NaN, Vensim's :NA:.
- ``VECTOR SORT ORDER(vec[d], direction)``: for the element at position ``i`` of the variable's
  last dimension, the 0-based index of the element that comes ``i``-th when ``vec`` is sorted
  along its last dimension, ascending when ``direction > 0``, else descending.
- ``VECTOR RANK(vec[d], direction)``: the rank, from 1, of this element of ``vec`` when sorted so.
- ``VECTOR REORDER(vec[d], order[d])``: the element of ``vec`` whose 0-based index is ``order``.

Sorting is stable: equal values keep their order.

>>> from sysmap.sim.functions import vector_select_scalar, sort_order_scalar
>>> vector_select_scalar((0.0, 1.0, 1.0), (5.0, 7.0, 3.0), -1.0, 9)
7.0
>>> sort_order_scalar((30.0, 10.0, 20.0), 0, 1.0)
1.0
"""

from __future__ import annotations

import itertools

from sysmap.sim.ast import Call, Name, Node, Star, Subscript
from sysmap.sim.errors import SimulationError

#: The functions this module lowers, by canonical name.
VECTOR_FUNCTIONS = {"vector_select", "vector_elm_map", "vector_sort_order", "vector_rank", "vector_reorder"}
_ARITY = {
    "vector_select": 5,
    "vector_elm_map": 2,
    "vector_sort_order": 2,
    "vector_rank": 2,
    "vector_reorder": 2,
}


def emit_vector_call(em, node: Call, ctx) -> str:
    """The code of one vector function call, for the emitter ``em`` of :mod:`sysmap.sim.codegen`."""
    f = node.func
    who = ctx.cell.name
    if len(node.args) != _ARITY[f]:
        raise SimulationError(f"{f.upper()} takes {_ARITY[f]} arguments, not {len(node.args)}", variable=who)
    if f == "vector_select":
        return _select(em, node, ctx)
    if f == "vector_elm_map":
        return _elm_map(em, node, ctx)
    items = _along_last(em, node.args[0], ctx, f)
    if f == "vector_reorder":
        order = em.expr(node.args[1], ctx)[0]
        return f"_pick(({', '.join(items)},), ({order}) + 1.0)"
    position = _own_position(ctx, len(items), f)
    direction = em.expr(node.args[1], ctx)[0]
    helper = "_sort_order" if f == "vector_sort_order" else "_vrank"
    return f"{helper}(({', '.join(items)},), {position}, {direction})"


def _select(em, node: Call, ctx) -> str:
    who = ctx.cell.name
    selection = em.array(node.args[0], ctx)
    values = em.array(node.args[1], ctx)
    if len(selection) != len(values):
        raise SimulationError(
            f"VECTOR SELECT's selection has {len(selection)} elements and its expression {len(values)}",
            variable=who,
        )
    action = em.constant(node.args[3], ctx)
    if action is None or action != int(action) or not 0 <= action <= 10:
        raise SimulationError(
            "VECTOR SELECT's numerical action must be a constant whole number from 0 to 10", variable=who
        )
    missing = em.expr(node.args[2], ctx)[0]
    return f"_vselect(({', '.join(selection)},), ({', '.join(values)},), {missing}, {int(action)})"


def _target(em, node: Node, ctx, f: str):
    """The arrayed variable an argument names, and its subscripts (``None`` for a bare name)."""
    target = node.target if isinstance(node, Subscript) else node
    var = em.flat.resolve(target.name, ctx.cell.var.scope) if isinstance(target, Name) else None
    if var is None or not var.dims:
        raise SimulationError(
            f"{f.upper()}'s first argument must be an arrayed variable", variable=ctx.cell.name
        )
    indices = node.indices if isinstance(node, Subscript) else None
    if indices is not None and len(indices) != len(var.dims):
        raise SimulationError(
            f"gives {len(indices)} subscripts to {var.name}, which has {len(var.dims)} dimensions",
            variable=ctx.cell.name,
        )
    return var, indices


def _elm_map(em, node: Call, ctx) -> str:
    who = ctx.cell.name
    var, indices = _target(em, node.args[0], ctx, "vector_elm_map")
    if indices is None:
        start = em.elements_for(var, ctx.binding, who)
    else:
        start = []
        for position, (index, dim) in enumerate(zip(indices, var.dims, strict=True)):
            element = em.index_element(index, dim, position, ctx, node.args[0])
            if element is None:
                raise SimulationError("VECTOR ELM MAP's first argument must name one element", variable=who)
            start.append(element)
    combos = list(itertools.product(*(dim.elements for dim in var.dims)))
    base = combos.index(tuple(start))
    offset_node = node.args[1]
    offset = em.constant(offset_node, ctx)
    if offset is not None and offset == int(offset) and 0 <= base + offset < len(combos):
        return em.ref_value(var, combos[base + int(offset)], who)
    cells = [em.ref_value(var, combo, who) for combo in combos]
    offset_code = em.expr(offset_node, ctx)[0]
    return f"_pick(({', '.join(cells)},), {em.num(float(base + 1))} + ({offset_code}))"


def _along_last(em, node: Node, ctx, f: str) -> list[str]:
    """The values of ``node`` along its last dimension, the other subscripts as in ``ctx``."""
    var, indices = _target(em, node, ctx, f)
    last = var.dims[-1]
    if indices is not None:
        index = indices[-1]
        if isinstance(index, Star):
            key = index.dimension or last.key
        elif isinstance(index, Name) and index.name in em.flat.dims:
            key = index.name
        else:
            raise SimulationError(
                f"{f.upper()} sorts along the last subscript, which must be a dimension",
                variable=ctx.cell.name,
            )
    else:
        key = last.key
    dim = em.flat.dims.get(key, last)
    return [em.expr(node, ctx.bind({key: element}))[0] for element in dim.elements]


def _own_position(ctx, size: int, f: str) -> str:
    """The 0-based position of the cell being computed along its last dimension."""
    dims = ctx.cell.var.dims
    element = ctx.binding.get(dims[-1].key) if dims else None
    if element is None or len(dims[-1].elements) != size:
        raise SimulationError(
            f"{f.upper()} must define an array whose last dimension has the size of the sorted one",
            variable=ctx.cell.name,
        )
    return str(dims[-1].position(element))
