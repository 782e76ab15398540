"""Automatic layout for maps that arrive without positions (GraphML from yEd, Gephi or
networkx, generated maps, every variable at (0, 0)).

How it works, for each connected part of the map (links taken both ways, and the inputs
of equations where no link is drawn; a flow joined to its stocks; a link drawn from an alias
joins the alias, not its variable):

1. **Stress layout.** Variables are placed so that their distances on the canvas match their
   distances in the graph (the energy of Kamada and Kawai), minimised by stress
   majorization (Gansner, Koren and North 2004), which needs no random start and falls
   steadily. Parts up to :data:`FULL_STRESS` variables use every pair; larger ones use the
   sparse stress model of Ortmann, Klimenta and Brandes (2016): links plus distances to
   :data:`PIVOTS` pivot variables, started from pivot MDS. A loop comes out round.
2. **Scale and turn.** Links get ``spacing`` canvas units long on average; the part is
   turned so that it is wider than tall, its first variable towards the top left.
3. **Overlaps removed.** A crowded part (a dense graph, whose variables are mostly nearer
   each other than a name plate is wide) is first spread evenly; then pairs of name plates,
   boxes and rings that still overlap are pushed apart along the line between their
   centres (PRISM's move, Gansner and Hu 2010), pass after pass, the pairs found by a sweep.
4. **Packed.** Parts go left to right in rows, largest first; lone variables come last.

Then flows sit on the midpoint of the stocks they join (side by side when several join the
same two, with their own pipes), 100 units from a stock whose other end is a cloud (the
cloud has a stand-in in step 1, so that what feeds the flow is placed beside the pipe, not
beyond the cloud), and what the valves then cover moves aside. Loop labels go to the middle
of their loop's variables (:func:`sysmap.analysis.loop_labels.layout_with_labels_edit` puts
them inside the loop as drawn), notes and labels that name no loop in a column to the right.
The result depends only on the map: the same map gives the same layout (numpy, no random
numbers). A map of 2,000 variables and 5,000 links takes about a second.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> ids = [doc.add_variable(name).id for name in ["Births", "Population", "Deaths", "Crowding"]]
>>> for u, v in zip(ids, ids[1:] + ids[:1]):
...     _ = doc.add_link(u, v)
>>> needs_layout(doc)
True
>>> edit = layout_edit(doc)
>>> edit.text
'Auto-layout 4 variables'
>>> doc.apply(edit); needs_layout(doc)
False
>>> import math
>>> lengths = [math.dist(doc.variables[l.source].position, doc.variables[l.target].position)
...            for l in doc.links.values()]
>>> 150 <= sum(lengths) / len(lengths) <= 220
True
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable

from sysmap.errors import ModelError
from sysmap.model.arrange import CONCEPT_WRAP, element_size, text_size, variable_size
from sysmap.model.dependencies import derived_dependencies
from sysmap.model.document import SystemMap
from sysmap.model.edits import Compound, Edit, Replace
from sysmap.model.elements import Alias, Direction, Kind, LoopLabel, Note, Point, Variable
from sysmap.model.geometry import edge_point
from sysmap.model.names import display_name

#: The average length of a link after layout, in canvas units.
SPACING = 170.0
#: Parts with at most this many variables get the full stress model (all pairs).
FULL_STRESS = 150
#: Pivots of the sparse stress model for larger parts.
PIVOTS = 50
#: The free space kept between two variables' footprints.
GAP = 16.0
#: How far from its stock a flow whose other end is a cloud is placed.
CLOUD_OFFSET = 100.0
#: The room a cloud at the open end of a pipe takes.
CLOUD_SIZE: Point = (40.0, 30.0)
#: How far apart the pipes of flows joining the same two stocks are drawn.
PARALLEL_STEP = 36.0
#: The curvature given to the two links of a loop of two variables drawn straight, so that
#: they do not lie on top of each other.
PAIR_CURVATURE = 0.15
#: The room between packed parts, and between the map and its column of notes.
PART_GAP = 80.0
#: Where the top left corner of a whole-map layout goes.
ORIGIN: Point = (60.0, 60.0)
#: Passes of overlap removal, at most.
OVERLAP_PASSES = 60
#: Stress iterations, at most (they stop earlier when the layout settles): of the full model,
#: and of the sparse one (whose localized updates do little after the first few dozen).
ITERATIONS = 300
SPARSE_ITERATIONS = 60


# -- what to lay out --------------------------------------------------------------------------


def needs_layout(doc: SystemMap) -> bool:
    """Whether ``doc``'s variables are piled up and want :func:`auto_layout`: at least two
    variables, and more than half of them on one and the same point.

    >>> from sysmap.model import SystemMap
    >>> doc = SystemMap()
    >>> _ = doc.add_variable("A"), doc.add_variable("B", position=(100.0, 0.0))
    >>> needs_layout(doc)
    False
    >>> _ = doc.add_variable("C")
    >>> needs_layout(doc)
    True
    """
    variables = doc.variables
    if len(variables) < 2:
        return False
    spots = Counter(var.position for var in variables.values())
    return spots.most_common(1)[0][1] * 2 > len(variables)


def footprint(doc: SystemMap, element) -> Point:
    """The room an element takes on the canvas with its name: a concept's plate, a stock's
    box with its name above when it does not fit inside, a ring or valve with its name below."""
    if isinstance(element, Alias):
        element = doc.variables[element.of]
    if not isinstance(element, Variable):
        return element_size(doc, element)
    w, h = variable_size(element)
    if element.kind == Kind.CONCEPT:
        return (w, h)
    inside = element.kind in (Kind.STOCK, Kind.MODULE) and w >= 70 and h >= 40
    if inside:
        return (w, h)
    tw, th = text_size(display_name(element.name), CONCEPT_WRAP)
    return (max(w, tw), h + 3 + th)


def _chosen(doc: SystemMap, ids: Iterable[str] | None) -> tuple[list[str], list[str], list[str]]:
    """The variables and aliases to lay out, and the labels and notes to place."""
    if ids is None:
        nodes = list(doc.variables) + list(doc.aliases)
        return nodes, list(doc.loop_labels), list(doc.notes)
    nodes, labels, notes = [], [], []
    for eid in dict.fromkeys(ids):
        element = doc.element(eid)
        if isinstance(element, Variable | Alias):
            nodes.append(eid)
        elif isinstance(element, LoopLabel):
            labels.append(eid)
        elif isinstance(element, Note):
            notes.append(eid)
    # the labels of loops that are laid out follow them
    chosen = set(nodes)
    for label in doc.loop_labels.values():
        if label.loop and chosen.issuperset(label.loop) and label.id not in labels:
            labels.append(label.id)
    return nodes, labels, notes


def _graph(doc: SystemMap, nodes: list[str]) -> list[list[int]]:
    """Undirected adjacency (sorted lists of indexes into ``nodes``) of the layout graph; the
    indexes after the nodes' stand for clouds."""
    index = {eid: i for i, eid in enumerate(nodes)}
    adj: list[set[int]] = [set() for _ in nodes]

    def join(a: str | None, b: str | None) -> None:
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None and i != j:
            adj[i].add(j)
            adj[j].add(i)

    for link in doc.links.values():
        source = link.alias if link.alias is not None and link.alias in index else link.source
        join(source, link.target)
    for var in doc.variables.values():
        if var.kind == Kind.STOCK:
            for fid in var.inflows + var.outflows:
                join(var.id, fid)
    for dep in derived_dependencies(doc):
        if dep.role == "equation":  # an equation's inputs, for maps drawn without links
            join(dep.source, dep.target)
    for alias in doc.aliases.values():
        if alias.id in index and not doc.links_from_alias(alias.id):
            join(alias.id, alias.of)  # a ghost with no links of its own stays by its variable
    # A flow from or to a cloud gets a stand-in for the cloud, joined to it, so that what the
    # flow's other links come from is laid out beside its pipe, not beyond the cloud.
    for i, eid in enumerate(nodes):
        var = doc.variables.get(eid)
        if var is not None and var.kind == Kind.FLOW and (None in doc.flow_ends(eid)) and adj[i]:
            adj.append({i})
            adj[i].add(len(adj) - 1)
    return [sorted(s) for s in adj]


def _components(adj: list[list[int]]) -> list[list[int]]:
    seen = [False] * len(adj)
    parts = []
    for start in range(len(adj)):
        if seen[start]:
            continue
        seen[start] = True
        part, todo = [start], deque([start])
        while todo:
            for w in adj[todo.popleft()]:
                if not seen[w]:
                    seen[w] = True
                    part.append(w)
                    todo.append(w)
        parts.append(sorted(part))
    parts.sort(key=lambda p: (-len(p), p[0]))
    return parts


# -- stress layout of one connected part ----------------------------------------------------------


def _bfs(adj: list[list[int]], source: int):
    import numpy as np

    dist = np.full(len(adj), -1, dtype=np.int64)
    dist[source] = 0
    todo = deque([source])
    while todo:
        u = todo.popleft()
        du = dist[u] + 1
        for w in adj[u]:
            if dist[w] < 0:
                dist[w] = du
                todo.append(w)
    return dist


def _all_pairs(adj: list[list[int]]):
    """Graph distances between every pair, by frontier expansion with matrix products."""
    import numpy as np

    n = len(adj)
    a = np.zeros((n, n), dtype=np.float32)
    for i, ws in enumerate(adj):
        a[i, ws] = 1.0
    dist = np.zeros((n, n))
    reached = np.eye(n, dtype=bool)
    frontier = reached.copy()
    level = 0
    while frontier.any():
        level += 1
        frontier = ((frontier.astype(np.float32) @ a) > 0) & ~reached
        dist[frontier] = level
        reached |= frontier
    return dist


def _top_two(matrix):
    """The eigenvalues and eigenvectors of a symmetric matrix with the two largest eigenvalues,
    each vector signed so that its largest entry is positive (numpy leaves the sign free;
    layouts must not)."""
    import numpy as np

    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1][:2]
    top = vectors[:, order]
    for k in range(top.shape[1]):
        j = int(np.argmax(np.abs(top[:, k])))
        if top[j, k] < 0:
            top[:, k] = -top[:, k]
    return np.maximum(values[order], 0.0), top


def _jitter(n: int):
    """A small fixed offset per variable, so that a start on one line can leave it."""
    import numpy as np

    i = np.arange(n)
    return np.stack([np.cos(i * 2.399963), np.sin(i * 2.399963)], axis=1) * 1e-3


def _normalise(x, edges):
    """``x`` scaled so that its links are 1 long on average."""
    import numpy as np

    if len(edges):
        lengths = np.linalg.norm(x[edges[:, 0]] - x[edges[:, 1]], axis=1)
        mean = float(lengths.mean())
        if mean > 1e-9:
            return x / mean
    return x


def _edges(adj):
    import numpy as np

    return np.asarray([(i, j) for i, ws in enumerate(adj) for j in ws if i < j], dtype=np.int64).reshape(
        -1, 2
    )


def _full_stress(adj):
    """Stress majorization over all pairs (SMACOF), started from classical MDS."""
    import numpy as np

    n = len(adj)
    d = _all_pairs(adj)
    centred = d**2
    centred = centred - centred.mean(axis=0) - centred.mean(axis=1)[:, None] + centred.mean()
    values, vectors = _top_two(-0.5 * centred)
    x = vectors * np.sqrt(values) + _jitter(n)
    edges = _edges(adj)
    x = _normalise(x, edges)
    off = ~np.eye(n, dtype=bool)
    w = np.zeros((n, n))
    w[off] = d[off] ** -2.0
    laplacian = -w
    laplacian[np.diag_indices(n)] = w.sum(axis=1)
    # L is singular (translations); adding the all-ones matrix makes it invertible without
    # changing the solution, which is centred
    inverse = np.linalg.inv(laplacian + 1.0 / n)
    wd = w * d
    stress = math.inf
    for _ in range(ITERATIONS):
        diff = x[:, None, :] - x[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=2))
        np.fill_diagonal(dist, 1.0)
        b = -wd / np.maximum(dist, 1e-9)
        b[np.diag_indices(n)] = 0.0
        b[np.diag_indices(n)] = -b.sum(axis=1)
        x = inverse @ (b @ x)
        new = float((w[off] * (dist[off] - d[off]) ** 2).sum())
        if stress - new < 1e-5 * new:
            break
        stress = new
    return x


def _sparse_stress(adj):
    """The sparse stress model: links and pivot distances, from pivot MDS, localized updates."""
    import numpy as np

    n = len(adj)
    k = min(PIVOTS, n)
    pivots = [0]
    nearest = _bfs(adj, 0).astype(float)
    rows = [nearest.copy()]
    while len(pivots) < k:
        p = int(np.argmax(nearest))  # max-min: farthest from the pivots so far, lowest index on ties
        pivots.append(p)
        rows.append(_bfs(adj, p).astype(float))
        nearest = np.minimum(nearest, rows[-1])
    dp = np.stack(rows)  # k x n
    centred = dp**2
    centred = centred - centred.mean(axis=0) - centred.mean(axis=1)[:, None] + centred.mean()
    c = -0.5 * centred.T  # n x k
    x = c @ _top_two(c.T @ c)[1] + _jitter(n)
    edges = _edges(adj)
    x = _normalise(x, edges)

    # terms (i moves, j is the reference, target distance, weight): links, then pivots
    edges = np.concatenate([edges, edges[:, ::-1]])
    src_parts, ref_parts = [edges[:, 0]], [edges[:, 1]]
    dist_parts, weight_parts = [np.ones(len(edges))], [np.ones(len(edges))]
    region = np.argmin(dp, axis=0)  # each variable belongs to its nearest pivot
    everyone = np.arange(n)
    for r, p in enumerate(pivots):
        members = np.sort(dp[r, region == r])
        # a pivot stands for the variables of its region at most half as far from it as i is
        counts = np.searchsorted(members, dp[r] / 2, side="right")
        far = dp[r] > 1  # neighbours are terms already
        src_parts.append(everyone[far])
        ref_parts.append(np.full(int(far.sum()), p))
        dist_parts.append(dp[r, far])
        weight_parts.append(np.maximum(counts[far], 1) / dp[r, far] ** 2)
    src_a, ref_a = np.concatenate(src_parts), np.concatenate(ref_parts)
    dist_a, weight_a = np.concatenate(dist_parts), np.concatenate(weight_parts)
    total = np.bincount(src_a, weights=weight_a, minlength=n)
    total[total == 0] = 1.0
    for _ in range(SPARSE_ITERATIONS):
        diff = x[src_a] - x[ref_a]
        length = np.maximum(np.sqrt((diff**2).sum(axis=1)), 1e-9)
        target = x[ref_a] + diff * (dist_a / length)[:, None]
        new = np.stack(
            [
                np.bincount(src_a, weights=weight_a * target[:, 0], minlength=n) / total,
                np.bincount(src_a, weights=weight_a * target[:, 1], minlength=n) / total,
            ],
            axis=1,
        )
        moved = float(np.abs(new - x).max())
        x = new
        if moved < 1e-3:
            break
    return x


def _stress(adj):
    """Unit-length positions for a connected graph, turned wider than tall, first node top left."""
    import numpy as np

    n = len(adj)
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.asarray([[0.0, 0.0], [1.0, 0.0]])
    x = _full_stress(adj) if n <= FULL_STRESS else _sparse_stress(adj)
    x = _normalise(x - x.mean(axis=0), _edges(adj))
    # principal axis along x
    values, vectors = np.linalg.eigh(x.T @ x)
    x = x @ vectors[:, ::-1]
    for k in range(2):
        if x[0, k] > 0:
            x[:, k] = -x[:, k]
    return x


# -- overlaps and packing ---------------------------------------------------------------------


def _near(xy, reach: float):
    """The pairs (i, j) of points less than ``reach`` apart along x, found by a sweep."""
    import numpy as np

    order = np.argsort(xy[:, 0], kind="stable")
    xs = xy[order, 0]
    firsts, seconds = [], []
    for k in range(1, len(xy)):
        close = np.nonzero(xs[k:] - xs[:-k] < reach)[0]
        if not len(close):
            break
        firsts.append(order[close])
        seconds.append(order[close + k])
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _overlapping(xy, half):
    """The pairs of boxes (centres ``xy``, half sizes ``half``) that overlap."""
    import numpy as np

    i, j = _near(xy, 2 * float(half[:, 0].max()))
    d = np.abs(xy[j] - xy[i])
    room = half[i] + half[j]
    over = (d[:, 0] < room[:, 0]) & (d[:, 1] < room[:, 1])
    return i[over], j[over]


def _separate(xy, sizes, gap: float = GAP, fixed=None) -> None:
    """Push apart (in place) the boxes centred at ``xy`` (n x 2) of ``sizes`` (n x 2) that
    overlap, keeping ``gap`` between them.

    A crowded layout (a dense graph: most variables nearer their nearest neighbour than a
    box is big) is first spread evenly until the typical variable has room. Then each pass
    finds the overlapping pairs (a sweep along x, in numpy) and pushes each pair apart along
    the line between their centres (PRISM's move, Gansner and Hu 2010), one pair after
    another, until none overlap or the passes run out. Boxes marked ``fixed`` (a boolean
    array) stay where they are, and nothing is spread then.
    """
    import numpy as np

    n = len(xy)
    if n < 2:
        return
    half = sizes / 2 + gap / 2
    room = float(np.median(np.sqrt(4 * half[:, 0] * half[:, 1])))
    for _ in range(5 if fixed is None else 0):
        i, j = _near(xy, room)
        nearest = np.full(n, np.inf)
        if len(i):
            dist = np.linalg.norm(xy[i] - xy[j], axis=1)
            np.minimum.at(nearest, i, dist)
            np.minimum.at(nearest, j, dist)
        typical = float(np.median(nearest))
        if typical >= room:
            break
        xy *= min(room / max(typical, 1e-9), 4.0)
    half_w, half_h = half[:, 0].tolist(), half[:, 1].tolist()
    stays = [False] * n if fixed is None else [bool(f) for f in fixed]
    for _ in range(OVERLAP_PASSES):
        i, j = _overlapping(xy, half)
        if not len(i):
            return
        pts = xy.tolist()
        for a, b in zip(i.tolist(), j.tolist(), strict=True):
            pa, pb = pts[a], pts[b]
            dx, dy = pb[0] - pa[0], pb[1] - pa[1]
            need_x, need_y = half_w[a] + half_w[b], half_h[a] + half_h[b]
            if abs(dx) >= need_x or abs(dy) >= need_y:
                continue  # an earlier push in this pass parted them
            if abs(dx) < 1e-6 and abs(dy) < 1e-6:
                dx, dy = 1e-3, 0.0  # on top of each other: the later one goes right
            scale = min(need_x / abs(dx) if dx else math.inf, need_y / abs(dy) if dy else math.inf)
            push = min(scale - 1.0, 2.0) / 2 + 1e-3
            if stays[a] and stays[b]:
                continue
            # a fixed box's share of the push goes to the other one
            share_a, share_b = (0.0, 2.0) if stays[a] else (2.0, 0.0) if stays[b] else (1.0, 1.0)
            pa[0] -= dx * push * share_a
            pa[1] -= dy * push * share_a
            pb[0] += dx * push * share_b
            pb[1] += dy * push * share_b
        xy[:] = pts


def _pack(parts: list, gap: float = PART_GAP) -> list:
    """Offsets (dx, dy) that put boxes (x0, y0, x1, y1) left to right in rows, in order."""
    widths = [b[2] - b[0] for b in parts]
    area = sum((b[2] - b[0] + gap) * (b[3] - b[1] + gap) for b in parts)
    row_width = max(max(widths), math.sqrt(area * 1.6))
    offsets = []
    x = y = row_height = 0.0
    for (x0, y0, _x1, y1), w in zip(parts, widths, strict=True):
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        offsets.append((x - x0, y - y0))
        x += w + gap
        row_height = max(row_height, y1 - y0)
    return offsets


# -- the layout ---------------------------------------------------------------------------------


def auto_layout(
    doc: SystemMap, ids: Iterable[str] | None = None, *, spacing: float = SPACING
) -> dict[str, Point]:
    """New centre positions that lay out ``doc`` readably (see the module docstring).

    ``ids`` limits the layout to some elements (links among them are followed, others are
    ignored); the result is centred where they were. Without ``ids`` the whole map is laid
    out from :data:`ORIGIN`. ``spacing`` is the average link length wanted. Returns
    positions of variables, aliases, loop labels and notes; elements of other kinds in
    ``ids`` are ignored.
    """
    import numpy as np

    if not (math.isfinite(spacing) and spacing > 0):
        raise ModelError(f"the spacing must be a positive number, not {spacing!r}")
    nodes, labels, notes = _chosen(doc, ids)
    if not (nodes or labels or notes):
        raise ModelError("there is nothing to lay out")
    positions: dict[str, Point] = {}
    if nodes:
        adj = _graph(doc, nodes)
        clouds = [CLOUD_SIZE] * (len(adj) - len(nodes))
        sizes = np.asarray([footprint(doc, doc.element(eid)) for eid in nodes] + clouds, dtype=float)
        boxes, placed = [], []
        for part in _components(adj):
            local = {v: i for i, v in enumerate(part)}
            xy = _stress([[local[w] for w in adj[v]] for v in part]) * spacing
            _separate(xy, sizes[part])
            lo = (xy - sizes[part] / 2).min(axis=0)
            hi = (xy + sizes[part] / 2).max(axis=0)
            boxes.append((lo[0], lo[1], hi[0], hi[1]))
            placed.append((part, xy))
        for (dx, dy), (part, xy) in zip(_pack(boxes), placed, strict=True):
            for v, (x, y) in zip(part, xy.tolist(), strict=True):
                if v < len(nodes):
                    positions[nodes[v]] = (x + dx, y + dy)
        _shift(doc, positions, nodes, whole=ids is None)
        _place_flows(doc, positions)
        # the valves moved onto their pipes: move what they now overlap out of the way,
        # leaving flows and stocks (and so the pipes) where they are
        kinds = [getattr(doc.element(eid), "kind", None) for eid in nodes]
        xy = np.asarray([positions[eid] for eid in nodes], dtype=float)
        if any(kind == Kind.FLOW for kind in kinds):
            _separate(xy, sizes[: len(nodes)], fixed=[kind in (Kind.FLOW, Kind.STOCK) for kind in kinds])
            positions.update(zip(nodes, map(tuple, xy.tolist()), strict=True))
    _place_labels(doc, positions, labels)
    _place_notes(doc, positions, [*[lid for lid in labels if lid not in positions], *notes], spacing)
    result = {eid: (round(float(x), 1), round(float(y), 1)) for eid, (x, y) in positions.items()}
    if not all(math.isfinite(v) for p in result.values() for v in p):
        raise ModelError("the layout failed: a position came out infinite")  # a bug, never expected
    return result


def _bounds(doc: SystemMap, positions: dict[str, Point], ids: Iterable[str]) -> tuple[float, ...]:
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for eid in ids:
        (x, y), (w, h) = positions[eid], footprint(doc, doc.element(eid))
        x0, y0, x1, y1 = min(x0, x - w / 2), min(y0, y - h / 2), max(x1, x + w / 2), max(y1, y + h / 2)
    return x0, y0, x1, y1


def _shift(doc: SystemMap, positions: dict[str, Point], nodes: list[str], whole: bool) -> None:
    """Move the layout to :data:`ORIGIN` (a whole map) or onto the middle of where its
    elements were (a selection)."""
    x0, y0, x1, y1 = _bounds(doc, positions, nodes)
    if whole:
        dx, dy = ORIGIN[0] - x0, ORIGIN[1] - y0
    else:
        old = {eid: doc.element(eid).position for eid in nodes}
        ox0, oy0, ox1, oy1 = _bounds(doc, old, nodes)
        dx, dy = (ox0 + ox1 - x0 - x1) / 2, (oy0 + oy1 - y0 - y1) / 2
    for eid, (x, y) in positions.items():
        positions[eid] = (x + dx, y + dy)


def _parallel(doc: SystemMap, flows: Iterable[str], positions: dict[str, Point]) -> dict[str, tuple]:
    """Flows that join the same two stocks (either way): for each, the pair of stocks in a
    fixed order and how far to the side of the line between them its pipe goes, so that
    they are drawn side by side rather than on top of each other: far enough apart for a
    valve and its name, if the stocks' boxes are wide enough to take the pipes."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for fid in flows:
        source, sink = doc.flow_ends(fid)
        if source is not None and sink is not None:
            a, b = sorted((source, sink))
            pairs.setdefault((a, b), []).append(fid)
    sides = {}
    for (a, b), fids in pairs.items():
        if len(fids) < 2:
            continue
        ends = [doc.variables[vid] for vid in (a, b)]
        nx, ny = _side(*(positions.get(v.id) or v.position for v in ends))
        # how far to the side of the centre line a pipe can go and still start inside a box
        across = min(
            2 * min(w / 2 / abs(nx) if nx else math.inf, h / 2 / abs(ny) if ny else math.inf)
            for w, h in (variable_size(v) for v in ends)
        )
        wanted = max(PARALLEL_STEP, max(footprint(doc, doc.variables[f])[1] for f in fids) + GAP / 2)
        step = min(wanted, 0.8 * across / (len(fids) - 1))
        for k, fid in enumerate(fids):
            sides[fid] = (a, b, (k - (len(fids) - 1) / 2) * step)
    return sides


def _side(p: Point, q: Point) -> Point:
    """The unit normal to the left of the line from ``p`` to ``q``."""
    length = math.hypot(q[0] - p[0], q[1] - p[1])
    if length < 1e-9:
        return (0.0, 1.0)
    return (-(q[1] - p[1]) / length, (q[0] - p[0]) / length)


def _place_flows(doc: SystemMap, positions: dict[str, Point]) -> None:
    """Each laid-out flow on the midpoint of its stocks (side by side with others joining the
    same stocks), or :data:`CLOUD_OFFSET` from its one stock."""

    def where(vid: str) -> Point:
        return positions.get(vid) or doc.variables[vid].position

    flows = [fid for fid in positions if fid in doc.variables and doc.variables[fid].kind == Kind.FLOW]
    sides = _parallel(doc, flows, positions)
    for fid in flows:
        source, sink = doc.flow_ends(fid)
        if source is not None and sink is not None:
            (x0, y0), (x1, y1) = where(source), where(sink)
            x, y = (x0 + x1) / 2, (y0 + y1) / 2
            if fid in sides:
                a, b, offset = sides[fid]
                nx, ny = _side(where(a), where(b))
                x, y = x + nx * offset, y + ny * offset
            positions[fid] = (x, y)
        elif source is not None or sink is not None:
            sx, sy = where(source or sink)
            fx, fy = positions[fid]
            length = math.hypot(fx - sx, fy - sy)
            ux, uy = ((fx - sx) / length, (fy - sy) / length) if length > 1e-9 else (1.0, 0.0)
            positions[fid] = (sx + ux * CLOUD_OFFSET, sy + uy * CLOUD_OFFSET)


def _pipes(doc: SystemMap, positions: dict[str, Point]) -> dict[str, tuple[Point, ...]]:
    """The pipe of each laid-out flow: straight through its valve (no points), except for
    flows side by side, whose pipes run parallel to the line between their stocks."""

    def at(vid: str) -> Variable:
        var = doc.variables[vid]
        return var.evolve(position=positions.get(vid) or var.position)

    flows = [fid for fid in positions if fid in doc.variables and doc.variables[fid].kind == Kind.FLOW]
    sides = _parallel(doc, flows, positions)
    pipes: dict[str, tuple[Point, ...]] = {}
    for fid in flows:
        if fid not in sides:
            pipes[fid] = ()
            continue
        source, sink = (at(vid) for vid in doc.flow_ends(fid))
        a, b, offset = sides[fid]
        nx, ny = _side(at(a).position, at(b).position)
        start = (source.position[0] + nx * offset, source.position[1] + ny * offset)
        end = (sink.position[0] + nx * offset, sink.position[1] + ny * offset)
        pipes[fid] = (_leaving(source, start, end), _leaving(sink, end, start))
    return pipes


def _leaving(stock: Variable, inside: Point, towards: Point) -> Point:
    """Where the line from ``inside`` (a point in ``stock``'s box) towards ``towards`` leaves
    the box; for a point outside the box, where the line from the centre does."""
    (cx, cy), (w, h) = stock.position, variable_size(stock)
    dx, dy = towards[0] - inside[0], towards[1] - inside[1]
    if abs(inside[0] - cx) > w / 2 or abs(inside[1] - cy) > h / 2 or (dx == 0 and dy == 0):
        return edge_point(stock, towards)
    t = min(
        ((cx + math.copysign(w / 2, dx) - inside[0]) / dx) if dx else math.inf,
        ((cy + math.copysign(h / 2, dy) - inside[1]) / dy) if dy else math.inf,
    )
    return (round(inside[0] + t * dx, 3), round(inside[1] + t * dy, 3))


def _place_labels(doc: SystemMap, positions: dict[str, Point], labels: list[str]) -> None:
    """Labels of loops at the middle of their variables (for a finer place, inside the loop
    as drawn, see :func:`sysmap.analysis.loop_labels.layout_with_labels_edit`)."""
    for lid in labels:
        members = [vid for vid in doc.loop_labels[lid].loop if vid in doc.variables]
        if not members:
            continue
        pts = [positions.get(vid) or doc.variables[vid].position for vid in members]
        positions[lid] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _place_notes(doc: SystemMap, positions: dict[str, Point], ids: list[str], spacing: float) -> None:
    """Notes (and labels naming no loop) in a column right of what was laid out."""
    if not ids:
        return
    if positions:
        x0, y0, x1, _ = _bounds(doc, positions, positions)
        left, top = x1 + PART_GAP, y0
    else:
        left, top = ORIGIN
    for eid in ids:
        w, h = footprint(doc, doc.element(eid))
        positions[eid] = (left + w / 2, top + h / 2)
        top += h + GAP


def _direction(points: list[Point]) -> Direction:
    """Which way a polygon turns on a canvas whose y axis points down."""
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))
    return Direction.CLOCKWISE if area >= 0 else Direction.ANTICLOCKWISE


def layout_edit(doc: SystemMap, ids: Iterable[str] | None = None, **options) -> Edit:
    """An edit applying :func:`auto_layout` (``options`` go to it), as one undo step named
    "Auto-layout N variables". Besides moving the elements it turns loop labels whose loop
    now runs the other way, redraws pipes and links for the new places (see
    :func:`_reroute`) and refits drawn group boxes round their members."""
    positions = auto_layout(doc, ids, **options)
    changes: dict[str, dict] = {eid: {"position": pos} for eid, pos in positions.items()}
    for lid in positions.keys() & doc.loop_labels.keys():
        loop = doc.loop_labels[lid].loop
        members = [positions.get(v) or doc.variables[v].position for v in loop if v in doc.variables]
        if len(members) >= 3:
            changes[lid]["direction"] = _direction(members)
    for eid, fields in [*_reroute(doc, positions), *_refit_groups(doc, positions)]:
        changes.setdefault(eid, {}).update(fields)
    edits: list[Edit] = []
    for element in doc.elements():
        if element.id in changes:
            new = element.evolve(**changes[element.id])
            if new != element:
                edits.append(Replace(element, new))
    n = sum(1 for eid in positions if eid in doc.variables)
    return Compound(edits, f"Auto-layout {n} variable{'s' if n != 1 else ''}")


def _reroute(doc: SystemMap, positions: dict[str, Point]) -> list[tuple[str, dict]]:
    """Changes that redraw pipes and links for the new places: flows get straight pipes (or
    side-by-side ones), links touching moved variables lose their bend points (placed for
    the old layout), and the two straight links of a two-variable loop are bent apart."""
    found: list[tuple[str, dict]] = [(fid, {"points": pts}) for fid, pts in _pipes(doc, positions).items()]
    for link in doc.links.values():
        ends = (link.source, link.target, link.alias)
        if not any(e in positions for e in ends if e is not None):
            continue
        changes: dict = {}
        if link.points:
            changes["points"] = ()
        if link.curvature == 0 and link.alias is None and link.source != link.target:
            back = [k for k in doc.links_from(link.target) if k.target == link.source and k.alias is None]
            if back and all(k.curvature == 0 for k in back):  # their bend points go too
                changes["curvature"] = PAIR_CURVATURE
        if changes:
            found.append((link.id, changes))
    return found


def _refit_groups(doc: SystemMap, positions: dict[str, Point]) -> list[tuple[str, dict]]:
    """Changes that box drawn groups (with a box) whose members moved round them again."""
    found: list[tuple[str, dict]] = []
    pad = 20.0
    for group in doc.groups.values():
        if group.position is None or not any(m in positions for m in group.members):
            continue
        placed = [m for m in group.members if isinstance(doc.element(m), Variable | Alias | LoopLabel | Note)]
        if not placed:
            continue
        where = {m: positions.get(m) or doc.element(m).position for m in placed}
        x0, y0, x1, y1 = _bounds(doc, where, placed)
        size = (round(x1 - x0 + 2 * pad, 1), round(y1 - y0 + 2 * pad, 1))
        centre = (round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1))
        found.append((group.id, {"position": centre, "size": size}))
    return found
