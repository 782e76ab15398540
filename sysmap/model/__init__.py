"""The sysmap document model: pure Python, no Qt.

:class:`SystemMap` holds the elements (:class:`Variable`, :class:`Link`, :class:`LoopLabel`,
:class:`Note`, :class:`Group`) and the :class:`SimSpecs`; :mod:`~sysmap.model.operations`
builds checked edits, :mod:`~sysmap.model.edits` applies and reverts them, and
:func:`to_networkx` exports the causal graph.
"""

from sysmap.model.dependencies import Dependency, Discrepancy, derived_dependencies, link_discrepancies
from sysmap.model.document import SystemMap
from sysmap.model.elements import (
    NO_EXTRAS,
    Alias,
    ArrayElement,
    Behavior,
    Dimension,
    Direction,
    Extras,
    GraphicalFunction,
    Group,
    Kind,
    Link,
    LoopLabel,
    Note,
    Polarity,
    SimSpecs,
    UnitDefinition,
    Variable,
)
from sysmap.model.events import Change
from sysmap.model.graph import to_networkx
from sysmap.model.names import canonical_name, display_name, equation_form

__all__ = [
    "NO_EXTRAS",
    "Alias",
    "ArrayElement",
    "Behavior",
    "Dimension",
    "Extras",
    "GraphicalFunction",
    "UnitDefinition",
    "Change",
    "Dependency",
    "Direction",
    "Discrepancy",
    "Group",
    "Kind",
    "Link",
    "LoopLabel",
    "Note",
    "Polarity",
    "SimSpecs",
    "SystemMap",
    "Variable",
    "canonical_name",
    "derived_dependencies",
    "display_name",
    "equation_form",
    "link_discrepancies",
    "to_networkx",
]
