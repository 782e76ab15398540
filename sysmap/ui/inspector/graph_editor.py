"""Editing a graphical function (lookup table) as Stella and Vensim users expect.

:class:`GraphEditor` is a dialog with a plot whose points drag up and down with the mouse
(snapped to a step of the y range, Shift for a finer step), a table of the x and y values
(type over a cell; Enter moves down, Tab across), the x and y ranges, the number of points
(changing it re-samples the curve by linear interpolation) and how the table reads between
points. Bad input shows one line saying why and keeps OK disabled. The dialog changes no
document: :meth:`GraphEditor.result` is the new table (``None`` after "Remove graph"), which
the caller performs as one undo step with :func:`sysmap.model.operations.set_graph`.

Values keep their exact floats: a cell shows the shortest text that reads back as the same
number, so opening and OKing a table read from a file leaves it as it was.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sysmap.model import GraphicalFunction
from sysmap.model.names import equation_form
from sysmap.model.operations import GRAPH_KINDS, graph_problem
from sysmap.ui.inspector.fields import TONES

#: What a new graph is: a straight line from (0, 0) to (1, 1) through 11 points.
DEFAULT_GRAPH = GraphicalFunction(
    y_points=tuple(i / 10 for i in range(11)), x_scale=(0.0, 1.0), y_scale=(0.0, 1.0)
)
#: The most points the dialog makes when re-sampling.
MAX_POINTS = 1000
KIND_WORDS = {
    "continuous": "Continuous (flat beyond the ends)",
    "extrapolate": "Extrapolate (lines go on beyond the ends)",
    "discrete": "Discrete (steps)",
}


def number_text(value: float) -> str:
    """The shortest text that reads back as exactly ``value``.

    >>> number_text(2.0), number_text(0.1), number_text(1 / 3)
    ('2', '0.1', '0.3333333333333333')
    """
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def parse_number(text: str) -> float | None:
    """``text`` as a finite number, or ``None``.

    >>> parse_number(" 1.5 "), parse_number("1e3"), parse_number("x"), parse_number("nan")
    (1.5, 1000.0, None, None)
    """
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def snap_step(span: float, fine: bool = False) -> float:
    """The step a dragged y snaps to: a power of ten near a hundredth of ``span`` (a
    thousandth when ``fine``).

    >>> snap_step(1.0), snap_step(150.0), snap_step(2.0, fine=True)
    (0.01, 1.0, 0.001)
    """
    if not span > 0:
        return 0.0
    return 10.0 ** (math.floor(math.log10(span / 100)) - (1 if fine else 0))


def snap(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step``, written as few digits as the step needs.

    >>> snap(0.3049, 0.01), snap(123.6, 1.0)
    (0.3, 124.0)
    """
    if step <= 0:
        return value
    digits = max(0, -math.floor(math.log10(step)))
    return round(round(value / step) * step, digits)


def interpolate(xs: list[float], ys: list[float], x: float) -> float:
    """The straight-line value of the points ``xs``, ``ys`` at ``x`` (flat beyond the ends).

    >>> interpolate([0.0, 1.0, 3.0], [0.0, 10.0, 30.0], 2.0)
    20.0
    """
    if x <= xs[0]:
        return ys[0]
    for i in range(1, len(xs)):
        if x <= xs[i]:
            span = xs[i] - xs[i - 1]
            return ys[i] if span <= 0 else ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / span
    return ys[-1]


def even_xs(lo: float, hi: float, n: int) -> list[float]:
    """``n`` evenly spaced x values from ``lo`` to ``hi``, as :meth:`GraphicalFunction.xs` spaces them."""
    return list(GraphicalFunction((0.0,) * n, x_scale=(lo, hi)).xs())


def resample(
    xs: list[float], ys: list[float], lo: float, hi: float, n: int
) -> tuple[list[float], list[float]]:
    """``n`` points evenly spaced over ``lo``..``hi`` on the lines through ``xs``, ``ys``; y values are
    rounded to 12 significant digits so that the table stays readable.

    >>> resample([0.0, 1.0], [0.0, 1.0], 0.0, 1.0, 3)
    ([0.0, 0.5, 1.0], [0.0, 0.5, 1.0])
    """
    new_xs = even_xs(lo, hi, n)
    return new_xs, [float(f"{interpolate(xs, ys, x):.12g}") for x in new_xs]


class GraphPlot(QWidget):
    """The table's curve with its points; press on or near a point and drag it up or down.

    ``point_dragged(index, y)`` is emitted as the point moves (y already snapped and kept in
    the y range), ``drag_finished()`` when the button is released.
    """

    point_dragged = Signal(int, float)
    drag_finished = Signal()
    #: Space around the plot area for the axis numbers: left, top, right, bottom.
    MARGINS = (52, 14, 16, 30)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.x_range = (0.0, 1.0)
        self.y_range = (0.0, 1.0)
        self.kind = "continuous"
        self.current = -1  # the point of the table's current row, drawn ringed
        self._dragging = -1
        self._grab_offset = 0.0
        self.setMinimumSize(360, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:
        return QSize(460, 320)

    def show_points(self, xs, ys, x_range, y_range, kind: str) -> None:
        self.xs, self.ys = list(xs), list(ys)
        self.x_range, self.y_range, self.kind = tuple(x_range), tuple(y_range), kind
        self.update()

    # -- coordinates -----------------------------------------------------------------------------

    def area(self) -> QRectF:
        """The plot area, inside the axes."""
        left, top, right, bottom = self.MARGINS
        return QRectF(self.rect()).adjusted(left, top, -right, -bottom)

    def _spans(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return x0, (x1 if x1 > x0 else x0 + 1), y0, (y1 if y1 > y0 else y0 + 1)

    def to_pixel(self, x: float, y: float) -> QPointF:
        """Where the point (``x``, ``y``) is drawn, in widget pixels."""
        area = self.area()
        x0, x1, y0, y1 = self._spans()
        return QPointF(
            area.left() + (x - x0) / (x1 - x0) * area.width(),
            area.bottom() - (y - y0) / (y1 - y0) * area.height(),
        )

    def y_at(self, pixel_y: float) -> float:
        """The y value at widget row ``pixel_y``."""
        area = self.area()
        _, _, y0, y1 = self._spans()
        return y0 + (area.bottom() - pixel_y) / area.height() * (y1 - y0)

    def nearest(self, pixel_x: float) -> int:
        """The point whose x is drawn nearest to ``pixel_x`` (-1 with no points)."""
        if not self.xs:
            return -1
        return min(range(len(self.xs)), key=lambda i: abs(self.to_pixel(self.xs[i], 0).x() - pixel_x))

    # -- dragging --------------------------------------------------------------------------------

    def _value(self, event: QMouseEvent) -> float:
        y0, y1 = self.y_range
        fine = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        value = snap(self.y_at(event.position().y()) + self._grab_offset, snap_step(y1 - y0, fine))
        return min(max(value, y0), y1) if y1 > y0 else value

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.xs:
            return super().mousePressEvent(event)
        i = self.nearest(event.position().x())
        at = self.to_pixel(self.xs[i], self.ys[i])
        # pressed on the point: it keeps its place under the mouse; elsewhere it jumps there
        near = abs(at.y() - event.position().y()) <= 8
        self._grab_offset = self.ys[i] - self.y_at(event.position().y()) if near else 0.0
        self._dragging = i
        if not near:
            self.point_dragged.emit(i, self._value(event))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging >= 0:
            self.point_dragged.emit(self._dragging, self._value(event))
            event.accept()
            return
        if self.xs:
            i = self.nearest(event.position().x())
            self.setToolTip(f"x {number_text(self.xs[i])} → y {number_text(self.ys[i])}")
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = -1
            self._grab_offset = 0.0
            self.drag_finished.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # -- drawing ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        area = self.area()
        painter.setPen(QPen(QColor("#c9d1d8"), 1))
        painter.setBrush(QColor("#fbfcfd"))
        painter.drawRect(area)
        x0, x1, y0, y1 = self._spans()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        for k in range(5):
            t = k / 4
            gx = area.left() + t * area.width()
            gy = area.bottom() - t * area.height()
            if 0 < k < 4:
                painter.setPen(QPen(QColor("#e6eaee"), 1))
                painter.drawLine(QPointF(gx, area.top()), QPointF(gx, area.bottom()))
                painter.drawLine(QPointF(area.left(), gy), QPointF(area.right(), gy))
            painter.setPen(QColor(TONES["muted"]))
            painter.drawText(
                QRectF(gx - 40, area.bottom() + 4, 80, 16),
                Qt.AlignmentFlag.AlignHCenter,
                f"{x0 + t * (x1 - x0):.4g}",
            )
            painter.drawText(
                QRectF(0, gy - 8, area.left() - 10, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{y0 + t * (y1 - y0):.4g}",
            )
        points = [
            (x, y) for x, y in zip(self.xs, self.ys, strict=False) if math.isfinite(x) and math.isfinite(y)
        ]
        if not points:
            return
        painter.save()
        painter.setClipRect(area.adjusted(-8, -6, 14, 6))
        line = QPolygonF()
        for i, (x, y) in enumerate(points):
            if self.kind == "discrete" and i:
                line.append(self.to_pixel(x, points[i - 1][1]))
            line.append(self.to_pixel(x, y))
        painter.setPen(QPen(QColor("#2c4a66"), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(line)
        if self.kind == "extrapolate" and len(points) > 1:
            painter.setPen(QPen(QColor("#2c4a66"), 1.2, Qt.PenStyle.DashLine))
            for a, b, edge in (
                (points[1], points[0], area.left() - 8),
                (points[-2], points[-1], area.right() + 14),
            ):
                pa, pb = self.to_pixel(*a), self.to_pixel(*b)
                if pb.x() != pa.x():
                    slope = (pb.y() - pa.y()) / (pb.x() - pa.x())
                    painter.drawLine(pb, QPointF(edge, pb.y() + slope * (edge - pb.x())))
        radius = 4.0 if len(points) <= 60 else 2.5
        for i, (x, y) in enumerate(points):
            painter.setPen(QPen(QColor("#ffffff"), 1))
            painter.setBrush(QColor("#d35400") if i == self._dragging else QColor("#2c4a66"))
            painter.drawEllipse(self.to_pixel(x, y), radius, radius)
        if 0 <= self.current < len(points):
            painter.setPen(QPen(QColor("#d35400"), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self.to_pixel(*points[self.current]), radius + 3, radius + 3)
        painter.restore()


class PointTable(QTableWidget):
    """The x and y values, one row a point; Enter commits a cell and moves down, Tab across."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["x (input)", "y (output)"])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(22)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMinimumWidth(220)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        # Enter in a cell: commit and go on to the cell below, as in a spreadsheet
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            row, column = self.currentRow(), self.currentColumn()
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            if row + 1 < self.rowCount():
                self.setCurrentCell(row + 1, column)
            return
        super().closeEditor(editor, hint)


class GraphEditor(QDialog):
    """A dialog editing the lookup table of variable ``name``, starting from ``graph`` (``None``:
    a new table, :data:`DEFAULT_GRAPH`). ``equation`` is the variable's equation, the table's
    input. After OK, :meth:`result` is the table to set (``None``: remove it) and
    :meth:`changed` whether it differs from ``graph``.
    """

    def __init__(
        self,
        graph: GraphicalFunction | None,
        name: str = "",
        equation: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.original = graph
        readable = graph is not None and len(graph.y_points) >= 2
        start = graph if readable else DEFAULT_GRAPH
        # an unreadable table (kept as written) is replaced as a whole
        self._base = start
        self.removed = False
        self.setWindowTitle(f"Graph of {name}" if name else "Graph")
        self.xs = list(start.xs())[: len(start.y_points)]
        self.ys = list(start.y_points)[: len(self.xs)]
        self.kind = start.kind if start.kind in GRAPH_KINDS else "continuous"
        self.x_listed = start.x_points is not None
        x_scale = start.x_scale
        self.x_range = x_scale if x_scale and x_scale[0] < x_scale[1] else (self.xs[0], self.xs[-1])
        y_scale = start.y_scale
        self.y_range = y_scale if y_scale and y_scale[0] < y_scale[1] else _padded(min(self.ys), max(self.ys))
        self.x_range_touched = False
        self.y_range_touched = False
        self._bad: dict[object, str] = {}  # what cannot be read, by field, in the user's words
        self._x_base: tuple[list[float], tuple[float, float]] | None = None
        self._count_base: tuple[list[float], list[float]] | None = None
        self._updating = False

        self.input_note = QLabel(_input_words(name, equation))
        self.input_note.setWordWrap(True)
        self.input_note.setStyleSheet(f"color: {TONES['muted']};")

        self.plot = GraphPlot()
        self.plot.point_dragged.connect(self._drag)
        self.plot.drag_finished.connect(self._refresh)
        self.table = PointTable()
        self.table.itemChanged.connect(self._cell_edited)
        self.table.currentCellChanged.connect(self._current_changed)

        self.x_min, self.x_max = QLineEdit(), QLineEdit()
        self.y_min, self.y_max = QLineEdit(), QLineEdit()
        for field in (self.x_min, self.x_max, self.y_min, self.y_max):
            field.setMaximumWidth(110)
        self.x_min.textEdited.connect(self._x_range_edited)
        self.x_max.textEdited.connect(self._x_range_edited)
        self.y_min.textEdited.connect(self._y_range_edited)
        self.y_max.textEdited.connect(self._y_range_edited)
        self.count = QSpinBox()
        self.count.setRange(2, MAX_POINTS)
        self.count.setKeyboardTracking(False)
        self.count.setMinimumWidth(90)
        self.count.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.count.valueChanged.connect(self._count_changed)
        self.kind_box = QComboBox()
        for kind in GRAPH_KINDS:
            self.kind_box.addItem(KIND_WORDS[kind], kind)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.kind_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("x from", _pair(self.x_min, self.x_max))
        form.addRow("y from", _pair(self.y_min, self.y_max))
        form.addRow("Points", self.count)
        form.addRow("Between points", self.kind_box)

        self.message = QLabel()
        self.message.setStyleSheet(f"color: {TONES['error']};")
        self.message.setWordWrap(False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.remove_button = QPushButton("Remove graph")
        self.remove_button.setToolTip("Take the table away: the variable is its equation alone")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self._remove)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        left = QVBoxLayout()
        left.addWidget(self.plot, 1)
        left.addLayout(form)
        top = QHBoxLayout()
        top.addLayout(left, 3)
        top.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.input_note)
        layout.addLayout(top, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.remove_button.setVisible(graph is not None)  # also an unreadable one
        self.resize(760, 480)

        self._show_ranges()
        self.count.blockSignals(True)
        self.count.setValue(len(self.ys))
        self.count.blockSignals(False)
        self.kind_box.blockSignals(True)
        self.kind_box.setCurrentIndex(GRAPH_KINDS.index(self.kind))
        self.kind_box.blockSignals(False)
        self._fill_table()
        self.table.setCurrentCell(0, 1)
        self.table.setFocus()
        self._refresh()

    # -- what the dialog gives ---------------------------------------------------------------

    def graph(self) -> GraphicalFunction | None:
        """The table as the dialog now shows it, or ``None`` while something cannot be read."""
        if self._bad:
            return None
        base, xs = self._base, self.xs
        ends = (xs[0], xs[-1])
        if self.x_listed or xs != even_xs(*ends, len(xs)):
            # listed x points; a scale beside them is the plot's range, kept unless retyped
            x_points = tuple(xs)
            x_scale = self.x_range if self.x_range_touched and base.x_scale is not None else base.x_scale
        else:
            # evenly spaced: the scale says where; none when the file said none and it is the default
            implicit = base.x_scale is None and not self.x_range_touched and ends == (0.0, len(xs) - 1.0)
            x_points, x_scale = None, None if implicit else ends
        y_scale = self.y_range if (self.y_range_touched or base.y_scale is not None) else None
        if not self.y_range_touched and base.y_scale is not None and not base.y_scale[0] < base.y_scale[1]:
            y_scale = base.y_scale  # Stella's "automatic" 0..0, kept as it came
        return base.evolve(
            y_points=tuple(self.ys), x_points=x_points, x_scale=x_scale, y_scale=y_scale, kind=self.kind
        )

    def result(self) -> GraphicalFunction | None:
        """What OK gives: the table, or ``None`` when the user chose "Remove graph"."""
        return None if self.removed else self.graph()

    def changed(self) -> bool:
        """Whether OK would change the variable."""
        return self.result() != self.original

    def problem(self) -> str | None:
        """Why OK is disabled, or ``None``."""
        if self._bad:
            return next(iter(self._bad.values()))
        graph = self.graph()
        return graph_problem(graph) if graph is not None else "something cannot be read"

    # -- showing the state -------------------------------------------------------------------

    def _show_ranges(self) -> None:
        for field, value in (
            (self.x_min, self.x_range[0]),
            (self.x_max, self.x_range[1]),
            (self.y_min, self.y_range[0]),
            (self.y_max, self.y_range[1]),
        ):
            if field not in self._bad and not field.hasFocus():
                field.setText(number_text(value))

    def _fill_table(self) -> None:
        self._updating = True
        table = self.table
        row, column = table.currentRow(), table.currentColumn()
        table.setRowCount(len(self.ys))
        for i, (x, y) in enumerate(zip(self.xs, self.ys, strict=True)):
            for c, value in enumerate((x, y)):
                item = table.item(i, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    table.setItem(i, c, item)
                if (i, c) not in self._bad:
                    item.setText(number_text(value))
                    item.setForeground(QColor("#1b1f23"))
        self._bad = {k: v for k, v in self._bad.items() if not isinstance(k, tuple) or k[0] < len(self.ys)}
        if row >= 0:
            table.setCurrentCell(min(row, len(self.ys) - 1), max(column, 0))
        self._updating = False

    def _refresh(self) -> None:
        self.plot.show_points(self.xs, self.ys, self.x_range, self.y_range, self.kind)
        problem = self.problem()
        self.message.setText(problem or "")
        self.message.setToolTip(problem or "")
        self.ok_button.setEnabled(problem is None)

    # -- edits -------------------------------------------------------------------------------

    def _drag(self, index: int, y: float) -> None:
        self.ys[index] = y
        self._x_base = self._count_base = None
        self._bad.pop((index, 1), None)
        self._updating = True
        item = self.table.item(index, 1)
        item.setText(number_text(y))
        item.setForeground(QColor("#1b1f23"))
        self._updating = False
        self.table.setCurrentCell(index, 1)
        self._refresh()

    def _current_changed(self, row: int, *_) -> None:
        self.plot.current = row
        self.plot.update()

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._updating:
            return
        row, column = item.row(), item.column()
        value = parse_number(item.text())
        if value is None:
            self._bad[(row, column)] = f"point {row + 1}: {item.text().strip()!r} is not a number"
            item.setForeground(QColor(TONES["error"]))
        else:
            self._bad.pop((row, column), None)
            item.setForeground(QColor("#1b1f23"))
            self._x_base = self._count_base = None
            if column == 0:
                self.xs[row] = value
                if self.xs != even_xs(self.xs[0], self.xs[-1], len(self.xs)):
                    self.x_listed = True
                wider = (min(self.x_range[0], self.xs[0]), max(self.x_range[1], self.xs[-1]))
                if wider != self.x_range:
                    self.x_range = wider
                    self.x_range_touched = True
                    self._show_ranges()
            else:
                self.ys[row] = value
        self._refresh()

    def _read_range(self, low: QLineEdit, high: QLineEdit, what: str) -> tuple[float, float] | None:
        lo, hi = parse_number(low.text()), parse_number(high.text())
        for field, value in ((low, lo), (high, hi)):
            if value is None:
                self._bad[field] = f"the {what} range: {field.text().strip()!r} is not a number"
            else:
                self._bad.pop(field, None)
        if lo is None or hi is None:
            return None
        if not lo < hi:
            self._bad[low] = f"the {what} range must run from a smaller to a larger number"
            return None
        return lo, hi

    def _x_range_edited(self) -> None:
        new = self._read_range(self.x_min, self.x_max, "x")
        if new is not None:
            if self._x_base is None:
                self._x_base = (list(self.xs), self.x_range)
            xs, (lo, hi) = self._x_base
            if self.x_listed:
                self.xs = [new[0] + (x - lo) * (new[1] - new[0]) / (hi - lo) for x in xs]
                for i, end in ((0, 0), (-1, 1)):  # points at the ends of the range stay there exactly
                    if xs[i] == (lo, hi)[end]:
                        self.xs[i] = new[end]
            else:
                self.xs = even_xs(new[0], new[1], len(xs))
            self.x_range = new
            self.x_range_touched = True
            self._count_base = None
            self._fill_table()
        self._refresh()

    def _y_range_edited(self) -> None:
        new = self._read_range(self.y_min, self.y_max, "y")
        if new is not None:
            self.y_range = new
            self.y_range_touched = True
        self._refresh()

    def _count_changed(self, n: int) -> None:
        if self._bad:
            self.count.blockSignals(True)
            self.count.setValue(len(self.ys))
            self.count.blockSignals(False)
            return
        if self._count_base is None:
            self._count_base = (list(self.xs), list(self.ys))
        xs, ys = self._count_base
        lo, hi = self.xs[0], self.xs[-1]
        self.xs, self.ys = resample(xs, ys, lo, hi, n)
        self._x_base = None
        self._fill_table()
        self._refresh()

    def _kind_changed(self, index: int) -> None:
        self.kind = self.kind_box.itemData(index)
        self._refresh()

    def _remove(self) -> None:
        self.removed = True
        self.accept()

    def keyPressEvent(self, event) -> None:
        # Enter belongs to the table and the fields; only the OK button accepts
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.focusWidget() is not self.ok_button:
            event.accept()
            return
        super().keyPressEvent(event)


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """A y range for points from ``lo`` to ``hi`` when the table names none."""
    if hi > lo:
        return lo, hi
    return (lo - 1.0, hi + 1.0) if lo == 0 else (lo - abs(lo) / 2, hi + abs(hi) / 2)


def _pair(low: QLineEdit, high: QLineEdit) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(low)
    layout.addWidget(QLabel("to"))
    layout.addWidget(high)
    layout.addStretch(1)
    return box


def _input_words(name: str, equation: str) -> str:
    """One line saying what the table's x is."""
    text = " ".join(equation.split())
    if not text:
        call = equation_form(name) if name else "table"
        return f"No equation: other equations call the table by name, e.g. {call}(Time)."
    if parse_number(text) is not None:
        return (
            f"x is the equation, {text}, a constant: the graph gives one value."
            " Make the equation what x depends on."
        )
    if len(text) > 80:
        text = text[:79] + "…"
    return f"x is the equation's value: {text}"
