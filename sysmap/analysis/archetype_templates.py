"""The nine system archetypes as small, editable causal loop diagrams.

Each template is the textbook structure (after Kim and Anderson, *Systems Archetype Basics*)
with generic variable names, link polarities, delay marks, one loop label per loop (named as
``sysmap loops`` names them) and a few words on each variable. Variables are concepts laid
out on a grid about 280 px apart, so that names wrapped at the canvas's text width do not
touch; the diagram's top-left corner is near (0, 0), ready to be moved where it is inserted.

>>> doc = archetype_template("fixes_that_fail")
>>> doc.name, sorted(v.label for v in doc.variables.values())
('Fixes that fail', ['Fix', 'Problem symptom', 'Unintended consequence'])
>>> sorted(label.text for label in doc.loop_labels.values())
['B1', 'R1']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysmap.analysis.archetypes import ARCHETYPES, archetype

if TYPE_CHECKING:
    from sysmap.model import SystemMap

#: How far the two links of a pair running both ways between two variables bow apart.
BOW = 0.15

# Per archetype: variables (name, x, y, what it stands for), links (cause, effect, sign, delayed)
# and, where the centre of a loop's variables would put its label on a link, a better place
# (keyed by the loop's variables, in any order).
_TEMPLATES: dict[str, tuple[tuple, tuple, dict]] = {
    "fixes_that_fail": (
        (
            ("Problem symptom", 160, 260, "The problem that calls for a fix."),
            ("Fix", 460, 110, "The quick action taken to relieve the symptom."),
            ("Unintended consequence", 460, 410, "What the fix also does, which shows only later."),
        ),
        (
            ("Problem symptom", "Fix", "+", False),
            ("Fix", "Problem symptom", "-", False),
            ("Fix", "Unintended consequence", "+", True),
            ("Unintended consequence", "Problem symptom", "+", False),
        ),
        {
            ("Fix", "Problem symptom"): (300, 185),
            ("Fix", "Problem symptom", "Unintended consequence"): (380, 290),
        },
    ),
    "shifting_the_burden": (
        (
            ("Problem symptom", 180, 270, "The problem that demands attention."),
            ("Symptomatic solution", 480, 90, "A quick fix that relieves the symptom."),
            ("Fundamental solution", 480, 450, "The lasting remedy, which takes time to work."),
            ("Side effect", 780, 270, "What the quick fix does that weakens the fundamental solution."),
        ),
        (
            ("Problem symptom", "Symptomatic solution", "+", False),
            ("Symptomatic solution", "Problem symptom", "-", False),
            ("Problem symptom", "Fundamental solution", "+", False),
            ("Fundamental solution", "Problem symptom", "-", True),
            ("Symptomatic solution", "Side effect", "+", False),
            ("Side effect", "Fundamental solution", "-", False),
        ),
        {
            ("Problem symptom", "Symptomatic solution"): (330, 180),
            ("Fundamental solution", "Problem symptom"): (330, 360),
            ("Fundamental solution", "Problem symptom", "Side effect", "Symptomatic solution"): (560, 270),
        },
    ),
    "limits_to_growth": (
        (
            ("Growing action", 140, 250, "The effort that brings growth."),
            ("Performance", 420, 250, "What grows: sales, users, output."),
            ("Slowing action", 700, 250, "What growth provokes that holds it back."),
            (
                "Limiting condition",
                700,
                60,
                "The constraint behind the slowing action: a resource, a market, a capacity.",
            ),
        ),
        (
            ("Growing action", "Performance", "+", False),
            ("Performance", "Growing action", "+", False),
            ("Performance", "Slowing action", "+", True),
            ("Slowing action", "Performance", "-", False),
            ("Limiting condition", "Slowing action", "+", False),
        ),
        {},
    ),
    "eroding_goals": (
        (
            ("Goal", 180, 70, "What is wanted."),
            ("Pressure to lower goal", 620, 70, "The temptation to settle for less when the gap persists."),
            ("Gap", 400, 260, "How far the actual state falls short of the goal."),
            ("Corrective action", 620, 450, "What is done to bring the actual state up to the goal."),
            ("Actual state", 180, 450, "Where things are."),
        ),
        (
            ("Goal", "Gap", "+", False),
            ("Actual state", "Gap", "-", False),
            ("Gap", "Pressure to lower goal", "+", False),
            ("Pressure to lower goal", "Goal", "-", False),
            ("Gap", "Corrective action", "+", False),
            ("Corrective action", "Actual state", "+", True),
        ),
        {},
    ),
    "escalation": (
        (
            ("A's results relative to B's", 420, 260, "How far A is ahead of B: A's results against B's."),
            ("A's activity", 140, 80, "What A does to get ahead (or keep up)."),
            ("A's results", 140, 440, "What A's activity achieves."),
            ("B's activity", 700, 80, "What B does to get ahead (or keep up)."),
            ("B's results", 700, 440, "What B's activity achieves."),
        ),
        (
            ("A's results relative to B's", "A's activity", "-", False),
            ("A's activity", "A's results", "+", True),
            ("A's results", "A's results relative to B's", "+", False),
            ("A's results relative to B's", "B's activity", "+", False),
            ("B's activity", "B's results", "+", True),
            ("B's results", "A's results relative to B's", "-", False),
        ),
        {},
    ),
    "success_to_the_successful": (
        (
            ("Allocation to A instead of B", 420, 260, "How far shared resources go to A rather than B."),
            ("Resources to A", 140, 80, "What A is given to work with."),
            ("Success of A", 140, 440, "How well A does."),
            ("Resources to B", 700, 80, "What B is given to work with."),
            ("Success of B", 700, 440, "How well B does."),
        ),
        (
            ("Allocation to A instead of B", "Resources to A", "+", False),
            ("Resources to A", "Success of A", "+", False),
            ("Success of A", "Allocation to A instead of B", "+", False),
            ("Allocation to A instead of B", "Resources to B", "-", False),
            ("Resources to B", "Success of B", "+", False),
            ("Success of B", "Allocation to A instead of B", "-", False),
        ),
        {},
    ),
    "tragedy_of_the_commons": (
        (
            ("Net gains for A", 360, 70, "What A gains from its activity."),
            ("A's activity", 640, 70, "How much A takes from the common resource."),
            ("Net gains for B", 360, 490, "What B gains from its activity."),
            ("B's activity", 640, 490, "How much B takes from the common resource."),
            ("Total activity", 900, 280, "Everyone's use of the common resource together."),
            ("Gain per individual activity", 360, 280, "What each unit of activity yields."),
            ("Resource limit", 100, 280, "How much the common resource can bear."),
        ),
        (
            ("Net gains for A", "A's activity", "+", False),
            ("A's activity", "Net gains for A", "+", False),
            ("Net gains for B", "B's activity", "+", False),
            ("B's activity", "Net gains for B", "+", False),
            ("A's activity", "Total activity", "+", False),
            ("B's activity", "Total activity", "+", False),
            ("Total activity", "Gain per individual activity", "-", True),
            ("Gain per individual activity", "Net gains for A", "+", False),
            ("Gain per individual activity", "Net gains for B", "+", False),
            ("Resource limit", "Gain per individual activity", "+", False),
        ),
        {},
    ),
    "growth_and_underinvestment": (
        (
            ("Growing action", 120, 120, "The effort that brings growth."),
            ("Demand", 400, 120, "What grows: orders, customers, users."),
            ("Performance", 680, 120, "How well demand is served: delivery time, quality."),
            ("Capacity", 960, 120, "What it takes to serve demand well."),
            (
                "Perceived need to invest",
                680,
                400,
                "How strongly performance below standard argues for investment.",
            ),
            ("Investment in capacity", 960, 400, "Spending on more capacity."),
            ("Performance standard", 400, 400, "The performance aimed for."),
        ),
        (
            ("Growing action", "Demand", "+", False),
            ("Demand", "Growing action", "+", False),
            ("Demand", "Performance", "-", False),
            ("Performance", "Demand", "+", False),
            ("Performance", "Perceived need to invest", "-", False),
            ("Performance standard", "Perceived need to invest", "+", False),
            ("Perceived need to invest", "Investment in capacity", "+", False),
            ("Investment in capacity", "Capacity", "+", True),
            ("Capacity", "Performance", "+", False),
        ),
        {},
    ),
    "accidental_adversaries": (
        (
            ("A's success", 100, 300, "How well A is doing."),
            ("A's activity toward B", 450, 60, "What A does that helps B."),
            ("B's success", 800, 300, "How well B is doing."),
            ("B's activity toward A", 450, 540, "What B does that helps A."),
            ("A's activity for itself", 320, 225, "A's own fix for its own results."),
            ("B's activity for itself", 580, 375, "B's own fix for its own results."),
        ),
        (
            ("A's success", "A's activity toward B", "+", False),
            ("A's activity toward B", "B's success", "+", False),
            ("B's success", "B's activity toward A", "+", False),
            ("B's activity toward A", "A's success", "+", False),
            ("A's success", "A's activity for itself", "+", False),
            ("A's activity for itself", "A's success", "+", False),
            ("B's success", "B's activity for itself", "+", False),
            ("B's activity for itself", "B's success", "+", False),
            ("A's activity for itself", "B's success", "-", False),
            ("B's activity for itself", "A's success", "-", False),
        ),
        {
            ("A's success", "A's activity toward B", "B's activity toward A", "B's success"): (450, 130),
            ("A's activity for itself", "A's success", "B's activity for itself", "B's success"): (450, 300),
            ("A's success", "A's activity for itself", "B's success", "B's activity toward A"): (380, 450),
            ("B's success", "B's activity for itself", "A's success", "A's activity toward B"): (520, 150),
        },
    ),
}


def template_names() -> list[str]:
    """The keys of the nine templates, in :data:`sysmap.analysis.archetypes.ARCHETYPES` order.

    >>> len(template_names())
    9
    """
    return [pattern.key for pattern in ARCHETYPES]


def archetype_template(name: str) -> SystemMap:
    """A new map holding the textbook structure of archetype ``name`` (its key, such as
    ``fixes_that_fail``, or its title); :class:`KeyError` for an unknown name."""
    from sysmap.analysis.causal import causal_graph
    from sysmap.analysis.loops import find_loops, name_loops
    from sysmap.model import SystemMap
    from sysmap.model import operations as ops

    pattern = archetype(name)
    variables, links, label_at = _TEMPLATES[pattern.key]
    doc = SystemMap(name=pattern.title, documentation=pattern.summary)
    ids = {}
    with doc.batch():
        for var_name, x, y, text in variables:
            ids[var_name] = doc.add_variable(var_name, position=(float(x), float(y)), documentation=text).id
        pairs = {(a, b) for a, b, _, _ in links}
        for a, b, sign, delayed in links:
            bow = BOW if (b, a) in pairs else 0.0
            doc.add_link(ids[a], ids[b], polarity=sign, delay=delayed, curvature=bow)
        graph = causal_graph(doc)
        where = {name: (x, y) for name, x, y, _ in variables}
        label_at = {frozenset(names): xy for names, xy in label_at.items()}
        label = {vid: name for name, vid in ids.items()}
        for loop in name_loops(find_loops(graph), graph):
            names = tuple(label[v] for v in loop.variables)
            points = [where[n] for n in names]
            x, y = label_at.get(frozenset(names)) or (
                round(sum(p[0] for p in points) / len(points)),
                round(sum(p[1] for p in points) / len(points)),
            )
            kind = "reinforcing" if loop.polarity == "R" else "balancing"
            doc.apply(
                ops.add_loop_label(
                    doc,
                    loop.name,
                    (float(x), float(y)),
                    loop=loop.variables,
                    direction=_turn(points),
                    documentation=f"A {kind} loop: " + " → ".join(names + names[:1]) + ".",
                )
            )
    return doc


def _turn(points) -> str:
    """Which way a loop through ``points`` turns on screen (y grows downwards)."""
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))
    return "clockwise" if area >= 0 else "anticlockwise"
