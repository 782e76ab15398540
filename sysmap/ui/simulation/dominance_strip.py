"""Which feedback loop dominates when: a thin strip under the simulation plot.

:class:`DominanceRunner` scores the loops (Loops that Matter, :mod:`sysmap.analysis.dominance`)
of a snapshot of the map on a worker thread and hands the answer over on the GUI thread (a
timer polls the future; nothing Qt is touched by the worker). :class:`DominanceStrip` draws one
coloured segment per period, aligned with the plot's time axis, labelled with the dominant
loop and its share; the tooltip lists the loops' members. A model the method refuses gets the
reason in one line instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from sysmap.model import SystemMap
from sysmap.ui.worker import PolledWorker

STRIP_HEIGHT = 24
#: segment colours by loop polarity, cycled by the loop's number (reinforcing warm, balancing cool)
COLOURS = {
    "R": ("#e8743b", "#d9534f", "#f2a93b"),
    "B": ("#4a90c2", "#5fae8b", "#7c6fc0"),
    "U": ("#9a9a9a", "#b5b5b5", "#7f7f7f"),
}
_INK = "#303030"


def loop_colour(name: str) -> QColor:
    """The colour of loop ``name`` (R1, B2...) on the strip."""
    polarity = name[:1] if name[:1] in COLOURS else "U"
    digits = name[1:]
    number = int(digits) if digits.isdigit() else 1
    palette = COLOURS[polarity]
    return QColor(palette[(number - 1) % len(palette)])


class DominanceRunner(PolledWorker):
    """Scores loop dominance off the GUI thread; ``finished(token, Dominance or message)``.

    Only the latest request counts: older answers are dropped, requests overtaken before they
    start are not run.
    """

    finished = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent, name="sysmap-dominance", latest_only=True)
        self.answered.connect(self.finished)

    def start(self, snapshot: SystemMap, method: str = "euler") -> int:
        """Score ``snapshot`` (a copy nobody else touches); returns the answer's token."""

        def work() -> object:
            from sysmap.analysis.dominance import loop_dominance

            return loop_dominance(snapshot, method=method)

        return self.submit(work, "could not score the loops")


class DominanceStrip(QWidget):
    """The dominant loop per period, under ``plot`` (a :class:`SimulationPlot`) and aligned
    with its time axis, or a one-line message."""

    def __init__(self, plot, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = plot
        self.periods: list = []
        self.message = ""
        self.setFixedHeight(STRIP_HEIGHT)
        self.setMouseTracking(True)
        self.setAccessibleName("Dominant loops")
        view = plot.item.getViewBox()
        view.sigXRangeChanged.connect(self.update)
        view.sigResized.connect(self.update)

    def show_periods(self, periods: list) -> None:
        """Draw ``periods`` (:class:`sysmap.analysis.dominance.Period`, with their top loops)."""
        self.periods, self.message = list(periods), ""
        if not self.periods:
            self.message = "Loop dominance: no loop is active in this run."
        self._refresh()

    def show_message(self, text: str) -> None:
        """Say ``text`` (one line, for example why dominance cannot be scored) instead of periods."""
        self.periods, self.message = [], text
        self._refresh()

    def clear(self) -> None:
        """Show nothing (and hide)."""
        self.periods, self.message = [], ""
        self._refresh()

    def _refresh(self) -> None:
        self.setVisible(bool(self.periods or self.message))
        self.setToolTip(self.message)
        self.update()

    def labels(self) -> list[str]:
        """The dominant loop of each period, in time order (R1, B2...)."""
        return [period.loops[0][0].name for period in self.periods]

    def segments(self) -> list[tuple[QRectF, object]]:
        """Each period's rectangle in the strip's coordinates, with the period."""
        if not self.periods:
            return []
        found = []
        for k, period in enumerate(self.periods):
            # a period covers its steps; it ends where the next one begins
            end = self.periods[k + 1].start if k + 1 < len(self.periods) else period.end
            left, right = self._x(period.start), self._x(end)
            found.append((QRectF(left, 1, max(right - left, 1.0), self.height() - 2), period))
        return found

    def _x(self, t: float) -> float:
        """Where time ``t`` is on the plot's axis, in this widget's x."""
        view = self.plot.item.getViewBox()
        scene_point = view.mapViewToScene(QPointF(t, 0))
        widget = self.plot.widget
        local = widget.mapFromScene(scene_point)
        return float(self.mapFromGlobal(widget.mapToGlobal(local)).x())

    def tooltip_at(self, x: float) -> str:
        """What hovering at ``x`` tells: the period, its loops with their shares and members."""
        for rect, period in self.segments():
            if rect.left() <= x <= rect.right():
                lines = [f"{period.start:g} to {period.end:g}: {period.loops[0][0].name} dominates"]
                for loop, share in period.loops:
                    members = " → ".join((*loop.variables, loop.variables[0]))
                    lines.append(f"{loop.name} ({share:.0%}): {members}")
                return "\n".join(lines)
        return self.message

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(event.position().x() if hasattr(event, "position") else event.pos().x())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(self.font())
        if self.message:
            painter.setPen(QColor("#8a4b00"))
            text = metrics.elidedText(self.message, Qt.TextElideMode.ElideRight, self.width() - 8)
            painter.drawText(
                QRectF(4, 0, self.width() - 8, self.height()), Qt.AlignmentFlag.AlignVCenter, text
            )
            return
        for rect, period in self.segments():
            loop, share = period.loops[0]
            fill = loop_colour(loop.name)
            fill.setAlpha(200)
            painter.setPen(QPen(QColor("white"), 1))
            painter.setBrush(fill)
            painter.drawRect(rect)
            label = f"{loop.name} {share:.0%}"
            if metrics.horizontalAdvance(label) + 6 > rect.width():
                label = loop.name if metrics.horizontalAdvance(loop.name) + 4 <= rect.width() else ""
            if label:
                painter.setPen(QColor("white") if fill.lightness() < 150 else QColor(_INK))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
