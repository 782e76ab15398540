"""The "Style" rows of an inspector page: colours, font size and widths of what is selected.

A page makes a :class:`StyleSection` for the kinds of element it shows; the section adds its
rows to the page's form and :meth:`StyleSection.load` fills them from the document: one value,
"default" (the element is drawn in the canvas style) or "mixed" (the selected elements
differ). Every change is one undo step made by :func:`sysmap.model.style.restyle` ("Restyle 3
items"); the steps of a spin box held down (or stepped again and again) merge into one, as a
drag does. Colours come from :func:`ask_colour` (a ``QColorDialog``); tests replace it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import (
    QColorDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
)

from sysmap.errors import ModelError
from sysmap.model import Link, LoopLabel, Note, Variable
from sysmap.model.style import element_style, restyle
from sysmap.ui.canvas.menus import STYLE_COLOURS, swatch_icon


class _Mixed:
    """The value of a field the selected elements do not agree on."""

    def __repr__(self) -> str:
        return "MIXED"


MIXED = _Mixed()

#: The style fields each kind of element draws (see sysmap.ui.canvas.items), in row order.
FIELDS: dict[type, tuple[str, ...]] = {
    Variable: ("color", "font_color", "background", "font_size", "border_width"),
    Link: ("color", "line_width"),
    LoopLabel: ("color", "font_size"),
    Note: ("font_color", "background", "font_size"),
}
ORDER = ("color", "font_color", "background", "font_size", "line_width", "border_width")
LABELS = {
    "color": "Colour",
    "font_color": "Text colour",
    "background": "Fill",
    "font_size": "Font size",
    "line_width": "Line width",
    "border_width": "Border",
}
TIPS = {
    "color": "Line and outline colour (also the text's, unless it has its own)",
    "font_color": "Colour of the text",
    "background": "Colour inside the box",
    "font_size": "Size of the text, in points",
    "line_width": "Thickness of the line, in pixels",
    "border_width": "Thickness of the box's edge, in pixels",
}
#: Light colours for fills, where the line colours would hide the text: (name, #rrggbb).
FILL_COLOURS = (
    ("White", "#ffffff"),
    ("Light gray", "#eeeeee"),
    ("Light blue", "#e3eefa"),
    ("Light green", "#e3f4e6"),
    ("Light yellow", "#fff6cc"),
    ("Light red", "#fbe3e0"),
)
#: The spin boxes: lowest, highest, step, first value when leaving "default", suffix.
SIZES = {
    "font_size": (5.0, 72.0, 1.0, 10.0, " pt"),
    "line_width": (0.5, 12.0, 0.5, 2.0, " px"),
    "border_width": (0.5, 12.0, 0.5, 2.0, " px"),
}

ColourHook = Callable[[QColor, QWidget, str], "QColor | None"]


def ask_colour(initial: QColor, parent: QWidget | None, title: str) -> QColor | None:
    """Ask the user for a colour (a ``QColorDialog``); ``None`` when cancelled.

    The inspector calls it through this module, so a test (or another front end) may put
    its own function in its place.
    """
    colour = QColorDialog.getColor(initial, parent, title)
    return colour if colour.isValid() else None


def fields_of(element) -> tuple[str, ...]:
    """The style fields ``element`` draws (none for a group)."""
    return FIELDS.get(type(element), ())


def _reset_button(parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_LineEditClearButton))
    button.setIconSize(QSize(12, 12))
    button.setAutoRaise(True)
    button.setToolTip("Back to the canvas style")
    button.setAccessibleName("Reset")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class ColourField(QWidget):
    """A colour swatch button with the colour's name, a menu of presets, and a reset button.

    ``chosen(value, merge)`` emits ``#rrggbb`` or ``None`` (back to the canvas style), and
    ``False``: each choice is an undo step of its own. The swatch's main part asks for any
    colour (:func:`ask_colour`), its arrow offers ``presets``.
    """

    chosen = Signal(object, bool)

    def __init__(self, title: str, presets: Iterable[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.presets = tuple(presets)
        self._names = {colour: name for name, colour in self.presets}
        self._names.update((colour, name) for name, colour in STYLE_COLOURS)
        self.value: str | None | _Mixed = None

        self.swatch = QToolButton(self)
        self.swatch.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.swatch.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.swatch.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.swatch.clicked.connect(self.ask)
        menu = QMenu(self.swatch)
        for name, colour in self.presets:
            action = menu.addAction(swatch_icon([colour]), name)
            action.triggered.connect(lambda _=False, c=colour: self.chosen.emit(c, False))
        menu.addSeparator()
        menu.addAction("Other colour…").triggered.connect(self.ask)
        self.menu = menu
        self.swatch.setMenu(menu)
        self.reset = _reset_button(self)
        self.reset.clicked.connect(lambda: self.chosen.emit(None, False))

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.swatch, 1)
        layout.addWidget(self.reset)

    def set_value(self, value: str | None | _Mixed, colours: Iterable[str | None] = ()) -> None:
        """Show ``value`` (``#rrggbb``, ``None`` for the canvas style, :data:`MIXED`);
        ``colours`` are the different values behind a mixed one, for the swatch."""
        self.value = value
        if value is MIXED:
            shown = sorted(colours, key=lambda c: c or "")[:3]
            self.swatch.setIcon(swatch_icon(shown))
            self.swatch.setText("mixed")
        else:
            self.swatch.setIcon(swatch_icon([value]))
            self.swatch.setText(self._names.get(value, value) if value else "default")
        self.reset.setEnabled(value is not None)

    def text(self) -> str:
        """What the swatch says: a colour's name or code, "default" or "mixed"."""
        return self.swatch.text()

    def ask(self) -> None:
        """Ask for a colour, starting from the one shown; emit it unless cancelled."""
        initial = QColor(self.value) if isinstance(self.value, str) else QColor("#000000")
        colour = ask_colour(initial, self.window(), self.title)
        if colour is not None and colour.isValid():
            self.chosen.emit(colour.name(), False)


class SizeSpin(QDoubleSpinBox):
    """A size that may be left to the canvas style ("default") or differ across the selection
    ("mixed"): both are shown at the spin box's lowest value, one step below the smallest size.

    Stepping up from there starts at ``start`` (a usual size) rather than at the smallest.
    ``stepping`` is true while a step (arrow key, arrow button, wheel) changes the value.
    """

    def __init__(self, low: float, high: float, step: float, start: float, suffix: str, parent=None):
        super().__init__(parent)
        self.start = start
        self.setRange(low - step, high)
        self.setSingleStep(step)
        self.setDecimals(1)
        self.setSuffix(suffix)
        self.setKeyboardTracking(False)
        self.setSpecialValueText("default")
        self.setAccelerated(True)
        # the wheel scrolls the inspector unless the box was clicked into first
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stepping = False

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(float(value), "g", 4)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not self.hasFocus():
            event.ignore()
            return
        super().wheelEvent(event)

    def stepBy(self, steps: int) -> None:
        self.stepping = True
        try:
            if self.value() == self.minimum() and steps > 0:
                self.setValue(self.start)
            else:
                super().stepBy(steps)
        finally:
            self.stepping = False

    def size(self) -> float | None:
        """The size shown; ``None`` for "default" or "mixed"."""
        return None if self.value() == self.minimum() else self.value()

    def set_size(self, value: float | None | _Mixed) -> None:
        """Show ``value`` without emitting ``valueChanged``."""
        blocked = self.blockSignals(True)
        self.setSpecialValueText("mixed" if value is MIXED else "default")
        self.setValue(self.minimum() if value is None or value is MIXED else value)
        self.blockSignals(blocked)


class SizeField(QWidget):
    """A :class:`SizeSpin` and a reset button; ``chosen(value, merge)`` emits a size or
    ``None``, and whether a step of the spin box made it (successive steps merge into one
    undo step; a typed size is a step of its own)."""

    chosen = Signal(object, bool)

    def __init__(self, low, high, step, start, suffix, parent: QWidget | None = None):
        super().__init__(parent)
        self.spin = SizeSpin(low, high, step, start, suffix, self)
        self.spin.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.spin.valueChanged.connect(lambda _: self.chosen.emit(self.spin.size(), self.spin.stepping))
        self.reset = _reset_button(self)
        self.reset.clicked.connect(lambda: self.chosen.emit(None, False))
        self.value: float | None | _Mixed = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.spin, 1)
        layout.addWidget(self.reset)

    def set_value(self, value: float | None | _Mixed, colours=()) -> None:
        """Show ``value`` (a size, ``None`` for the canvas style, :data:`MIXED`)."""
        self.value = value
        self.spin.set_size(value)
        self.reset.setEnabled(value is not None)

    def text(self) -> str:
        return self.spin.text()


class StyleSection:
    """The style rows of one inspector page, for elements of the types ``kinds``.

    Rows are shown for the fields at least one shown element draws; a change goes to every
    shown element that draws the field (a line width set on a variable and a link restyles
    the link), as one undo step.
    """

    def __init__(self, page, kinds: Iterable[type]):
        self.page = page
        wanted = {field for kind in kinds for field in FIELDS[kind]}
        self.heading = QLabel("Style")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setContentsMargins(0, 8, 0, 0)
        self.heading.setStyleSheet("color: #5b6873;")
        page.form.addRow(self.heading)
        self.fields: dict[str, ColourField | SizeField] = {}
        for field in ORDER:
            if field not in wanted:
                continue
            if field in SIZES:
                widget = SizeField(*SIZES[field])
            else:
                presets = FILL_COLOURS if field == "background" else STYLE_COLOURS
                widget = ColourField(LABELS[field], presets)
            widget.setToolTip(TIPS[field])
            page.row(LABELS[field], widget)
            page.on(widget.chosen, lambda value, merge, f=field: self.set(f, value, merge=merge))
            self.fields[field] = widget

    def load(self, elements: list) -> None:
        """Show the style of ``elements`` (those the page shows)."""
        styles = [(element_style(e), fields_of(e)) for e in elements]
        any_shown = False
        for field, widget in self.fields.items():
            values = {getattr(style, field) for style, drawn in styles if field in drawn}
            shown = bool(values)
            self.page.set_row_visible(widget, shown)
            any_shown |= shown
            if shown:
                widget.set_value(values.pop() if len(values) == 1 else MIXED, values)
        self.page.set_row_visible(self.heading, any_shown)

    def set(self, field: str, value, *, merge: bool = False) -> None:
        """Give ``field`` the ``value`` (``None``: the canvas style) on every shown element
        that draws it, as one undo step (``merge``: merged into the previous step if that
        set the same field of the same elements); refusals are reported."""
        page = self.page
        doc, session = page.doc, page.session
        ids = [eid for eid in page.ids if field in fields_of(doc.element(eid))]
        try:
            edit = restyle(doc, ids, **{field: value})
        except ModelError as exc:
            session.report(str(exc))
            page.reload()
            return
        if not edit.edits:
            page.reload()  # e.g. "mixed" shown again after stepping down to it
            return
        merge_key = ("style", field, tuple(ids)) if merge else None
        if session.perform(lambda: edit, merge_key=merge_key) is not None:
            page.reload()
