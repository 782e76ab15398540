"""The pipe of a flow: from a stock or cloud, through its valve, to a stock or cloud."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem

from sysmap.model import Variable
from sysmap.model.geometry import default_pipe
from sysmap.ui.canvas.geometry import arrowhead, unit
from sysmap.ui.canvas.items.variable import VariableItem
from sysmap.ui.canvas.style import DEFAULT_STYLE, CanvasStyle, colour, style_of

PIPE_WIDTH = 7.0


def cloud_path(centre: QPointF, size: float = 13.0) -> QPainterPath:
    """A small cloud (the model boundary) made of overlapping circles."""
    path = QPainterPath()
    for dx, dy, r in ((-0.7, 0.15, 0.62), (0.0, -0.35, 0.75), (0.72, 0.1, 0.6), (0.05, 0.35, 0.62)):
        part = QPainterPath()
        part.addEllipse(QPointF(centre.x() + dx * size, centre.y() + dy * size), r * size, r * size)
        path = path.united(part)
    return path


class FlowPipeItem(QGraphicsPathItem):
    """The double-lined pipe of one flow, with an arrowhead where it delivers and clouds at open ends.

    Drawn in the flow's own ``color`` (edges) and ``background`` (inside) where it has them, as
    its valve is.
    """

    def __init__(self, flow: Variable, style: CanvasStyle = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        self.flow = flow
        self.setZValue(0.5)
        self._head = QGraphicsPathItem(self)
        self._clouds = QGraphicsPathItem(self)
        self._look: tuple | None = None
        self._restyle(flow)

    def _restyle(self, flow: Variable) -> None:
        own = style_of(flow)
        look = (own.color, own.background, own.border_width)
        if look == self._look:
            return
        self._look = look
        edge = colour(own.color, self.style.pipe_edge)
        fill = QBrush(colour(own.background, self.style.pipe_fill))
        for part, width in ((self, 1.3), (self._head, 1.3), (self._clouds, 1.2)):
            part.setPen(QPen(edge, self.style.element_width(own.border_width, width)))
            part.setBrush(fill)

    @property
    def element_id(self) -> str:
        return self.flow.id

    def update_geometry(self, flow: Variable, source: VariableItem | None, sink: VariableItem | None) -> None:
        """Route the pipe for ``flow`` between its stocks (``None`` for a cloud), in its style."""
        self.flow = flow
        self._restyle(flow)
        points = self._route(flow, source, sink)
        clouds = QPainterPath()
        if source is None:
            clouds.addPath(cloud_path(points[0]))
        if sink is None:
            end_dir = unit(points[-1] - points[-2])
            centre = points[-1] + end_dir * 12
            clouds.addPath(cloud_path(centre))
        self._clouds.setPath(clouds)

        # stop the pipe short of the arrowhead, which is drawn as a wide open triangle
        tip = points[-1]
        direction = unit(points[-1] - points[-2])
        body = points[:-1] + [tip - direction * 9]
        line = QPainterPath(body[0])
        for p in body[1:]:
            line.lineTo(p)
        stroker = QPainterPathStroker()
        stroker.setWidth(PIPE_WIDTH)
        stroker.setCapStyle(Qt.PenCapStyle.FlatCap)
        stroker.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self.prepareGeometryChange()
        self.setPath(stroker.createStroke(line).simplified())
        head = QPainterPath()
        head.addPolygon(QPolygonF(arrowhead(tip, direction, length=12, width=16)))
        head.closeSubpath()
        self._head.setPath(head)

    @staticmethod
    def _route(flow: Variable, source: VariableItem | None, sink: VariableItem | None) -> list[QPointF]:
        """The file's own route, or the default one (the same the XMILE writer writes), between
        the stocks where their items are now (they lead the map while being dragged)."""
        points = flow.points
        if len(points) < 2:
            points = default_pipe(
                flow.position, source.live_var() if source else None, sink.live_var() if sink else None
            )
        return [QPointF(x, y) for x, y in points]
