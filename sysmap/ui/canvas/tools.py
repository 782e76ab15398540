"""The canvas tools: what a click or drag on empty canvas makes, and how the toolbar shows them.

A creation tool stays active after it has made one element (as in Vensim), so a facilitator
can drop ten concepts in a row; Esc (or S) returns to the select tool. The single-key
shortcuts act only while the canvas has keyboard focus and no inline editor is open: the
scene handles them itself (see :meth:`MapScene.keyPressEvent`).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt

ICONS = Path(__file__).resolve().parent.parent / "icons"


class Tool(Enum):
    """What the mouse does on the canvas."""

    SELECT = "select"
    VARIABLE = "variable"  # a CLD concept
    STOCK = "stock"
    FLOW = "flow"
    AUX = "aux"
    LINK = "link"
    NOTE = "note"
    LOOP_LABEL = "loop_label"


class ToolInfo(NamedTuple):
    """How the toolbar shows a tool: ``shortcut`` is key text for ``QKeySequence``, ``icon``
    a file name in ``sysmap/ui/icons`` (see :func:`icon_path`)."""

    tool: Tool
    label: str
    shortcut: str
    icon: str
    tooltip: str


TOOLS: tuple[ToolInfo, ...] = (
    ToolInfo(Tool.SELECT, "Select", "S", "tool-select.svg", "Select and move (S or Esc)"),
    ToolInfo(Tool.VARIABLE, "Variable", "V", "tool-variable.svg", "Variable: click to add a CLD concept (V)"),
    ToolInfo(Tool.STOCK, "Stock", "K", "tool-stock.svg", "Stock: click to add a stock (K)"),
    ToolInfo(
        Tool.FLOW, "Flow", "F", "tool-flow.svg", "Flow: drag from a stock or cloud to a stock or cloud (F)"
    ),
    ToolInfo(Tool.AUX, "Auxiliary", "A", "tool-aux.svg", "Auxiliary: click to add an auxiliary variable (A)"),
    ToolInfo(Tool.LINK, "Link", "L", "tool-link.svg", "Link: drag from one variable to another (L)"),
    ToolInfo(Tool.NOTE, "Note", "T", "tool-note.svg", "Note: click to add free text (T)"),
    ToolInfo(
        Tool.LOOP_LABEL,
        "Loop label",
        "R",
        "tool-loop-label.svg",
        "Loop label: click inside a loop to name it (R)",
    ),
)

#: Tool by its shortcut key (a ``Qt.Key``); Esc also selects the select tool.
KEYS: dict[int, Tool] = {
    int(Qt.Key.Key_S): Tool.SELECT,
    int(Qt.Key.Key_V): Tool.VARIABLE,
    int(Qt.Key.Key_K): Tool.STOCK,
    int(Qt.Key.Key_F): Tool.FLOW,
    int(Qt.Key.Key_A): Tool.AUX,
    int(Qt.Key.Key_L): Tool.LINK,
    int(Qt.Key.Key_T): Tool.NOTE,
    int(Qt.Key.Key_R): Tool.LOOP_LABEL,
}

#: Tools that make one element where the user clicks.
CLICK_TOOLS = frozenset({Tool.VARIABLE, Tool.STOCK, Tool.AUX, Tool.NOTE, Tool.LOOP_LABEL})


def info(tool: Tool) -> ToolInfo:
    """The toolbar record of ``tool``."""
    return next(record for record in TOOLS if record.tool is tool)


def icon_path(tool: Tool) -> Path:
    """The SVG icon of ``tool``."""
    return ICONS / info(tool).icon


def cursor_shape(tool: Tool) -> Qt.CursorShape:
    """The cursor over empty canvas: an arrow to select, a cross to create or connect."""
    return Qt.CursorShape.ArrowCursor if tool is Tool.SELECT else Qt.CursorShape.CrossCursor
