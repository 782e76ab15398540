"""The equation editor: checks the draft as the user types, and says where it is wrong.

:func:`check_equation` is the check itself (plain Python, no Qt): the syntax, by the simulator's
own parser, then the names -- those that match no variable, and those of variables no link
draws into this one. :class:`EquationBox` runs it ~150 ms after the last keystroke and shows
the result under the editor, underlining the places it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QVBoxLayout, QWidget

from sysmap.model import Kind, SystemMap, canonical_name
from sysmap.model.dependencies import BUILTIN_NAMES
from sysmap.model.equation_text import iter_references, tokenize
from sysmap.sim.parser import EquationSyntaxError, is_blank, parse
from sysmap.ui.inspector.fields import TONES, CommitText, Note

#: Milliseconds between the last keystroke and the check.
DEBOUNCE_MS = 150


@dataclass(frozen=True)
class EquationCheck:
    """What is wrong with an equation draft.

    ``error`` is the syntax error (``None`` when it parses), at ``line``/``column`` (1-based),
    spanning characters ``span`` of the text. ``unknown`` lists names that match no variable,
    with their spans; ``undrawn`` the labels of variables the equation uses but no link draws
    into the variable (only on maps that draw links at all).
    """

    blank: bool = False
    error: str | None = None
    line: int = 0
    column: int = 0
    span: tuple[int, int] | None = None
    unknown: list[tuple[str, int, int]] = field(default_factory=list)
    undrawn: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.blank and self.error is None


def check_equation(doc: SystemMap, vid: str | None, text: str) -> EquationCheck:
    """Check equation ``text`` as the equation of variable ``vid`` of ``doc``.

    >>> doc = SystemMap()
    >>> a = doc.add_variable("a", kind="aux", equation="1")
    >>> check_equation(doc, None, "a * (b +").error
    'expected an operand after "+"'
    >>> [name for name, _, _ in check_equation(doc, None, "a * b").unknown]
    ['b']
    """
    if is_blank(text):
        return EquationCheck(blank=True)
    error, line, column, span = None, 0, 0, None
    try:
        parse(text)
    except EquationSyntaxError as exc:
        error, line, column = exc.message, exc.line, exc.column
        span = _token_span(text, _offset(text, line, column))
    skip = set(BUILTIN_NAMES)
    for dim in doc.dimensions:
        skip.add(canonical_name(dim.name))
        skip.update(canonical_name(e) for e in dim.elements)
    unknown: list[tuple[str, int, int]] = []
    used: dict[str, None] = {}
    for ref in iter_references(text):
        if ref.name in skip:
            continue
        var = doc.variable_named(ref.name)
        if var is None:
            unknown.append((text[ref.start : ref.end], ref.start, ref.end))
        else:
            used[var.id] = None
    undrawn: list[str] = []
    if doc.links and vid in doc.variables:
        drawn = {link.source for link in doc.links_to(vid)}
        undrawn = [doc.variables[u].label for u in used if u != vid and u not in drawn]
    return EquationCheck(False, error, line, column, span, unknown, undrawn)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(s) + 1 for s in lines[: line - 1]) + column - 1


def _token_span(text: str, offset: int) -> tuple[int, int]:
    """The token at ``offset``, or the last one before it when it points at space or the end."""
    tokens = [t for t in tokenize(text) if t.kind not in ("space", "comment")]
    for tok in tokens:
        if tok.start <= offset < tok.end:
            return tok.start, tok.end
    before = [t for t in tokens if t.end <= offset]
    if before:
        return before[-1].start, before[-1].end
    return 0, min(1, len(text))


class EquationBox(QWidget):
    """A monospace equation editor with its check shown beneath: ``status`` and ``warnings``.

    ``editor`` is a :class:`CommitText` (Ctrl+Enter or focus-out commits; Esc reverts).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = CommitText(lines=4)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.editor.setFont(font)
        self.editor.set_lines(4)
        self.editor.setPlaceholderText("equation…  (Ctrl+Enter to save)")
        self.status = Note(self)
        self.warnings = Note(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.editor)
        layout.addWidget(self.status)
        layout.addWidget(self.warnings)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.check_now)
        self.editor.textChanged.connect(self.timer.start)
        self.doc: SystemMap | None = None
        self.vid: str | None = None
        self.result = EquationCheck(blank=True)

    def set_context(self, doc: SystemMap, vid: str | None) -> None:
        """Check drafts as the equation of ``vid`` in ``doc``."""
        self.doc, self.vid = doc, vid

    def check_now(self) -> EquationCheck:
        """Check the text in the editor now, show the result and return it."""
        self.timer.stop()
        if self.doc is None:
            return self.result
        result = check_equation(self.doc, self.vid, self.editor.toPlainText())
        self.result = result
        var = self.doc.variables.get(self.vid) if self.vid else None
        if result.blank:
            concept = var is None or var.kind == Kind.CONCEPT
            self.status.say("" if concept else "no equation yet", "warning")
        elif result.error is not None:
            self.status.say(f"✗ line {result.line}, column {result.column}: {result.error}", "error")
        else:
            self.status.say("✓ valid", "ok")
        lines = []
        if result.unknown:
            names = ", ".join(dict.fromkeys(name for name, _, _ in result.unknown))
            lines.append(f"⚠ not a variable of this map: {names}")
        if result.undrawn:
            lines.append(f"⚠ no link drawn from: {', '.join(result.undrawn)}")
        self.warnings.say("\n".join(lines), "warning")
        self._underline(result)
        return result

    def _underline(self, result: EquationCheck) -> None:
        marks = []
        if result.span is not None:
            marks.append((result.span, TONES["error"], QColor(255, 220, 215)))
        marks += [((start, end), TONES["warning"], None) for _, start, end in result.unknown]
        selections = []
        length = len(self.editor.toPlainText())
        for (start, end), colour, background in marks:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(min(start, length))
            cursor.setPosition(min(max(end, start + 1), length), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(colour))
            if background is not None:
                fmt.setBackground(background)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.editor.setExtraSelections(selections)
