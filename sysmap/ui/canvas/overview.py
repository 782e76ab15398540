"""The overview (mini-map): the whole map, small, with the part the main view shows outlined.

Click or drag in it to move the main view there. It is a view on the same scene, but it does
not let the scene repaint it: it draws the map once into a picture (no antialiasing; at that
scale the items draw their least detail and no text) and then only copies the picture and the
outline, so following the main view costs nothing. The picture is redrawn a moment after the
map stops changing (edits come in bursts while typing or nudging), when the scene's bounds
change, and when the overview is resized.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsView

from sysmap.ui.canvas.view import MapView

#: How long the map must be still before the picture is redrawn (milliseconds).
REFRESH_DELAY_MS = 300


class Overview(QGraphicsView):
    """A mini-map of ``view``'s scene that moves ``view`` when clicked or dragged."""

    def __init__(self, view: MapView, parent=None):
        super().__init__(view.scene(), parent)
        self.main = view
        self.setInteractive(False)  # the scene's editor never sees the overview's mouse
        self.setRenderHints(QPainter.RenderHint(0))
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.NoViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(120, 80)
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self._picture: QPixmap | None = None
        self._dragging = False
        self._doc = None
        self._listener = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        view.visibleRectChanged.connect(self.viewport().update)
        scene = view.scene()
        scene.sceneRectChanged.connect(self._scene_rect_changed)
        tool_changed = getattr(scene, "toolChanged", None)
        if tool_changed is not None:  # the scene sets every view's cursor after it says so
            tool_changed.connect(lambda _tool: QTimer.singleShot(0, self, self._reset_cursor))
        self._follow_document()

    def sizeHint(self) -> QSize:
        return QSize(240, 160)

    # -- the picture ------------------------------------------------------------------------------

    def detach(self) -> None:
        """Stop listening to the document (before dropping the overview)."""
        if self._doc is not None and self._listener is not None:
            self._doc.changed.disconnect(self._listener)
        self._doc = self._listener = None

    def refresh(self) -> None:
        """Redraw the map now (it is otherwise redrawn shortly after it changes)."""
        self._timer.stop()
        self._follow_document()
        self._fit()
        self._picture = None
        self.viewport().update()

    def _fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.width() > 0 and rect.height() > 0:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def _scene_rect_changed(self, _rect) -> None:
        self._timer.start()

    def _follow_document(self) -> None:
        """Listen to the document the scene shows now (the window may have opened another)."""
        doc = getattr(self.scene(), "doc", None)
        if doc is self._doc:
            return
        self.detach()
        self._doc = doc
        if doc is not None:
            self._listener = _debounced(self)
            doc.changed.connect(self._listener)
        self._picture = None

    def _render(self) -> QPixmap:
        viewport = self.viewport()
        ratio = viewport.devicePixelRatioF()
        picture = QPixmap(viewport.size() * ratio)
        picture.setDevicePixelRatio(ratio)
        # outside the map (the overview's other proportions) in the window's colour
        picture.fill(self.palette().color(QPalette.ColorRole.Window))
        scene = self.scene()
        if scene is not None:
            rect = scene.sceneRect()
            painter = QPainter(picture)
            scene.render(painter, self.mapFromScene(rect).boundingRect().toRectF(), rect)
            painter.end()
        return picture

    # -- painting and the mouse -------------------------------------------------------------------

    def visible_rect(self) -> QRectF:
        """Where the main view's visible part is drawn, in the overview's viewport."""
        return self.mapFromScene(self.main.visible_scene_rect()).boundingRect().toRectF()

    def paintEvent(self, event) -> None:
        if getattr(self.scene(), "doc", None) is not self._doc:
            self._follow_document()
        if self._picture is None or self._picture.deviceIndependentSize().toSize() != self.viewport().size():
            self._fit()
            self._picture = self._render()
        painter = QPainter(self.viewport())
        painter.drawPixmap(0, 0, self._picture)
        colour = QColor(getattr(getattr(self.scene(), "style", None), "selection", QColor("#2f80ed")))
        painter.setPen(QPen(colour, 1.5))
        fill = QColor(colour)
        fill.setAlpha(40)
        painter.setBrush(QBrush(fill))
        painter.drawRect(self.visible_rect().adjusted(0.75, 0.75, -0.75, -0.75))
        painter.end()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._picture = None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            self._centre_main(event.position())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self._centre_main(event.position())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._dragging:
            self._dragging = False
            self._reset_cursor()
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:
        event.accept()

    def wheelEvent(self, event) -> None:
        event.accept()  # the overview always shows the whole map

    def _centre_main(self, pos: QPointF) -> None:
        self.main.centerOn(self.mapToScene(pos.toPoint()))

    def _reset_cursor(self) -> None:
        shape = Qt.CursorShape.ClosedHandCursor if self._dragging else Qt.CursorShape.PointingHandCursor
        self.viewport().setCursor(shape)


def _debounced(overview: Overview):
    """A document listener that restarts the overview's refresh timer, without keeping the
    overview alive (the document outlives it)."""
    ref = weakref.ref(overview)

    def listener(_change) -> None:
        me = ref()
        if me is not None and shiboken6.isValid(me):
            me._timer.start()

    return listener
