"""One slider per constant, for what-if runs that leave the map alone."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QWidget

from sysmap.ui.simulation.constants import Constant, round_significant

#: slider positions from one end of a range to the other
STEPS = 1000


def _text(value: float) -> str:
    return f"{value:.6g}"


class ConstantSliders(QWidget):
    """Rows of name, slider and value; ``moved(name, value)`` as a slider moves.

    :meth:`values` holds the what-if values (only sliders moved off the map's value).
    """

    moved = Signal(str, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.constants: list[Constant] = []
        self.sliders: dict[str, QSlider] = {}
        self._values: dict[str, float] = {}
        self._value_labels: dict[str, QLabel] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setColumnStretch(1, 1)

    def set_constants(self, constants: list[Constant], keep: dict[str, float] | None = None) -> None:
        """Show a slider for each of ``constants``; ``keep`` holds what-if values to carry over."""
        while self._grid.count():
            widget = self._grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.constants = list(constants)
        self.sliders.clear()
        self._value_labels.clear()
        self._values = {}
        for row, const in enumerate(self.constants):
            name = QLabel(const.name + (f" ({const.units})" if const.units else ""))
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, STEPS)
            slider.setPageStep(STEPS // 20)
            slider.setToolTip(f"{_text(const.low)} to {_text(const.high)}; the map says {_text(const.value)}")
            slider.setAccessibleName(const.name)
            value = (keep or {}).get(const.name, const.value)
            value = min(max(value, const.low), const.high)
            if value != const.value:
                self._values[const.name] = value
            slider.setValue(self._position(const, value))
            label = QLabel(_text(value))
            label.setMinimumWidth(64)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            slider.valueChanged.connect(lambda pos, c=const: self._on_slide(c, pos))
            self._grid.addWidget(name, row, 0)
            self._grid.addWidget(slider, row, 1)
            self._grid.addWidget(label, row, 2)
            self.sliders[const.name] = slider
            self._value_labels[const.name] = label

    def values(self) -> dict[str, float]:
        """The what-if values by variable name (sliders left at the map's value are left out)."""
        return dict(self._values)

    def value(self, name: str) -> float:
        """The value slider ``name`` sets (the map's when it was not moved)."""
        const = next(c for c in self.constants if c.name == name)
        return self._values.get(name, const.value)

    def reset(self) -> None:
        """Put every slider back at the map's value (one re-run, announced with ``moved``)."""
        self._values.clear()
        for const in self.constants:
            slider = self.sliders[const.name]
            slider.blockSignals(True)
            slider.setValue(self._position(const, const.value))
            slider.blockSignals(False)
            self._value_labels[const.name].setText(_text(const.value))
        if self.constants:
            self.moved.emit(self.constants[0].name, self.constants[0].value)

    @staticmethod
    def _position(const: Constant, value: float) -> int:
        return round((value - const.low) / (const.high - const.low) * STEPS)

    def _on_slide(self, const: Constant, position: int) -> None:
        value = round_significant(const.low + (const.high - const.low) * position / STEPS)
        if value == round_significant(const.value) or position == self._position(const, const.value):
            value = const.value
        if value == const.value:
            self._values.pop(const.name, None)
        else:
            self._values[const.name] = value
        self._value_labels[const.name].setText(_text(value))
        self.moved.emit(const.name, value)
