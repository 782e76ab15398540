"""The simulation plot: one antialiased line per chosen variable, a legend, and sensitivity bands.

Lines are kept by variable name and reused (``setData``), so a slider drag redraws without
building items. A band is the 5–95% range of an ensemble, filled in the line's colour, with
its mean dashed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from sysmap.errors import SysmapError

#: distinct colours, readable on white (Tableau 10)
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_INK = "#303030"


class SimulationPlot(QWidget):
    """A pyqtgraph plot of simulation results over time."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.widget = pg.PlotWidget(background="w")
        self.item: pg.PlotItem = self.widget.getPlotItem()
        self.item.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):
            axis = self.item.getAxis(side)
            axis.setPen(pg.mkPen(_INK))
            axis.setTextPen(pg.mkPen(_INK))
        self.legend = self.item.addLegend(offset=(-10, 10), labelTextColor=_INK)
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self.lines: dict[str, pg.PlotDataItem] = {}
        self._band_items: list = []
        #: the variables a band is drawn for
        self.banded: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)
        self.set_labels("Time", "")

    def set_labels(self, time_label: str, value_label: str) -> None:
        """Name the axes (the time axis with its units, such as ``Time (days)``)."""
        style = {"color": _INK, "font-size": "10pt"}
        self.item.setLabel("bottom", time_label, **style)
        self.item.setLabel("left", value_label, **style)

    def colour(self, index: int) -> QColor:
        """The colour of the ``index``-th plotted variable."""
        return QColor(PALETTE[index % len(PALETTE)])

    def show_series(self, times: np.ndarray, series: dict[str, np.ndarray]) -> None:
        """Draw ``series`` (name -> values at ``times``), replacing what was drawn; bands are kept
        only for variables still shown."""
        for name in [n for n in self.lines if n not in series]:
            line = self.lines.pop(name)
            self.legend.removeItem(line)
            self.item.removeItem(line)
        for index, (name, values) in enumerate(series.items()):
            pen = pg.mkPen(self.colour(index), width=2)
            line = self.lines.get(name)
            if line is None:
                line = pg.PlotDataItem(name=name, antialias=True)
                line.setDownsampling(auto=True, method="peak")
                line.setClipToView(True)
                self.item.addItem(line)
                self.lines[name] = line
            line.setPen(pen)
            line.setData(times, values)
        if any(name not in series for name in self.banded):
            self.clear_bands()

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The (times, values) drawn for ``name``."""
        return self.lines[name].getData()

    def show_bands(self, times: np.ndarray, bands: dict[str, dict[str, np.ndarray]]) -> None:
        """Draw each variable's 5–95% band (``p5``, ``p95``) and dashed ``mean`` behind its line."""
        self.clear_bands()
        names = list(self.lines)
        for name, band in bands.items():
            colour = self.colour(names.index(name) if name in names else len(self._band_items))
            fill = QColor(colour)
            fill.setAlpha(55)
            edge = QColor(colour)
            edge.setAlpha(90)
            low = pg.PlotDataItem(times, band["p5"], pen=pg.mkPen(edge, width=1), antialias=True)
            high = pg.PlotDataItem(times, band["p95"], pen=pg.mkPen(edge, width=1), antialias=True)
            area = pg.FillBetweenItem(low, high, brush=pg.mkBrush(fill))
            mean = pg.PlotDataItem(
                times,
                band["mean"],
                pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                antialias=True,
            )
            for part in (area, low, high, mean):
                part.setZValue(-10)
                self.item.addItem(part)
                self._band_items.append(part)
            self.banded.append(name)

    def band(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The (p5, p95) values drawn for ``name``'s band."""
        k = self.banded.index(name)
        low, high = self._band_items[4 * k + 1], self._band_items[4 * k + 2]
        return low.getData()[1], high.getData()[1]

    def clear_bands(self) -> None:
        """Remove every band."""
        for part in self._band_items:
            self.item.removeItem(part)
        self._band_items.clear()
        self.banded.clear()

    def clear(self) -> None:
        """Remove every line and band."""
        self.show_series(np.zeros(0), {})
        self.clear_bands()

    def export(self, path: str | Path) -> None:
        """Write the plot as PNG (or JPEG) or SVG, by ``path``'s suffix; raises ``SysmapError``."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            self._export_svg(path)
        elif suffix in (".png", ".jpg", ".jpeg"):
            from pyqtgraph import exporters

            exporter = exporters.ImageExporter(self.item)
            exporter.parameters()["width"] = max(800, self.widget.width() * 2)
            exporter.parameters()["antialias"] = True
            exporter.export(str(path))
        else:
            raise SysmapError(f'cannot export a plot as "{suffix or path.name}" (use .png or .svg)')
        if not path.is_file():
            raise SysmapError(f"cannot write {path}")

    def _export_svg(self, path: Path) -> None:
        # pyqtgraph's own SVGExporter fails on this PySide6 ("not enough values to unpack"),
        # so the view is painted onto Qt's SVG generator, which keeps the lines as vectors.
        from PySide6.QtCore import QRect
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        size = self.widget.size()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle("sysmap simulation")
        painter = QPainter(generator)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.widget.render(painter)
        finally:
            painter.end()
