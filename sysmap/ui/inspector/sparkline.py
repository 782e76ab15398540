"""A small picture of a graphical function (lookup table): its curve, with the points as a tooltip;
double-clicking it asks for the graph editor (:attr:`Sparkline.activated`)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from sysmap.model import GraphicalFunction


def _number(value: float) -> str:
    return f"{value:.4g}"


def describe_graph(graph: GraphicalFunction) -> str:
    """One line about a lookup table: its size and ranges.

    >>> describe_graph(GraphicalFunction((0.0, 0.5, 1.0), x_scale=(0.0, 10.0)))
    '3 points · x 0 to 10 · y 0 to 1'
    """
    xs, ys = graph.xs(), graph.y_points
    if not ys:
        return "no points"
    n = len(ys)
    return (
        f"{n} point{'s' if n != 1 else ''} · x {_number(min(xs))} to {_number(max(xs))}"
        f" · y {_number(min(ys))} to {_number(max(ys))}"
    )


class Sparkline(QWidget):
    """Draws a graphical function's points joined by lines (steps for a ``discrete`` one).

    ``activated`` is emitted on a double click.
    """

    activated = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.graph: GraphicalFunction | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(56)

    def sizeHint(self) -> QSize:
        return QSize(180, 56)

    def set_graph(self, graph: GraphicalFunction | None) -> None:
        """Show ``graph`` (``None``: nothing); the tooltip lists its points."""
        self.graph = graph
        if graph is not None:
            rows = "".join(
                f"<tr><td align=right>{_number(x)}</td><td>&nbsp;→&nbsp;</td><td>{_number(y)}</td></tr>"
                for x, y in list(zip(graph.xs(), graph.y_points, strict=False))[:40]
            )
            more = "<tr><td colspan=3>…</td></tr>" if len(graph.y_points) > 40 else ""
            self.setToolTip(f"<table>{rows}{more}</table>")
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(QColor("#c9d1d8"), 1))
        painter.setBrush(QColor("#fbfcfd"))
        painter.drawRect(frame)
        graph = self.graph
        points = [] if graph is None else list(zip(graph.xs(), graph.y_points, strict=False))
        points = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
        if not points:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x0, x1 = min(xs), max(xs)
        y0, y1 = graph.y_scale if graph.y_scale else (min(ys), max(ys))
        x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
        area = frame.adjusted(6, 6, -6, -6)

        def at(x: float, y: float) -> QPointF:
            return QPointF(
                area.left() + (x - x0) / (x1 - x0) * area.width(),
                area.bottom() - (y - y0) / (y1 - y0) * area.height(),
            )

        line = QPolygonF()
        for i, (x, y) in enumerate(points):
            if graph.kind == "discrete" and i:
                line.append(at(x, points[i - 1][1]))
            line.append(at(x, y))
        painter.setPen(QPen(QColor("#2c4a66"), 1.5))
        painter.drawPolyline(line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2c4a66"))
        for x, y in points if len(points) <= 30 else ():
            painter.drawEllipse(at(x, y), 2, 2)
