"""The view onto a map: zoom, pan, rubber-band selection, and a lighter drawing when zoomed out.

- Zoom: the wheel (with or without Ctrl) and a trackpad pinch zoom about the pointer; the
  zoom_in / zoom_out / fit / actual_size slots are for the window's actions. On a map slow to
  draw, a burst of wheel or pinch steps shows the last picture scaled and draws the map once.
- Pan: drag with the middle button, or hold Space and drag with the left one (the cursor is an
  open hand while Space is held), or use the scroll bars.
- With the select tool, a left drag on empty canvas draws a rubber band that selects what it
  encloses; with the other tools the scene's editor has the mouse.
- Below :data:`LOD_ZOOM` the view draws without antialiasing: lines are thinner than a pixel
  there, and the items draw less detail themselves (see ``VariableItem.paint``); the scene
  hides the links' polarity signs (``MapScene.show_details``) when the zoom crosses it.
- While a drag moves items on a map slow to draw (:meth:`MapView.cache_still_map`), the links
  and pipes that do not move are drawn from a picture taken when the drag started, so a frame
  costs the moving items and the variables and notes in front of the links, not every long
  antialiased link crossing the region.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QPainter, QPixmap, QTransform, QWheelEvent
from PySide6.QtWidgets import QGestureEvent, QGraphicsItem, QGraphicsView, QPinchGesture

from sysmap.ui.canvas.tools import Tool, cursor_shape

MIN_ZOOM, MAX_ZOOM = 0.05, 8.0
ZOOM_STEP = 1.2
#: Below this zoom the view draws without antialiasing.
LOD_ZOOM = 0.35
#: ``fit`` never enlarges a small map beyond this.
FIT_MAX_ZOOM = 1.5
#: On a map whose full repaint took longer than this (milliseconds), zooming with the wheel or
#: a pinch shows the last picture scaled until the zooming pauses for PREVIEW_PAUSE_MS; then
#: the map is drawn once at the new zoom instead of at every step.
PREVIEW_ABOVE_MS = 25.0
PREVIEW_PAUSE_MS = 150
#: On a map whose full repaint took longer than this (milliseconds), a drag draws the links and
#: pipes that do not move from a picture (see :meth:`MapView.cache_still_map`).
DRAG_CACHE_ABOVE_MS = 16.0
#: Items at or below this depth (links 1, pipes 0.5) go into the picture; those in front of
#: them (notes, loop labels, variables) are still drawn live, so they stay in front of the
#: moving links.
CACHED_MAX_Z = 1.0


class MapView(QGraphicsView):
    """Shows a :class:`~sysmap.ui.canvas.scene.MapScene` (or any scene) and moves about it.

    Signals: ``zoomChanged(float)`` after every change of scale; ``visibleRectChanged()`` when
    the part of the scene shown changes (scroll, zoom, resize), for an overview to follow.
    """

    zoomChanged = Signal(float)
    visibleRectChanged = Signal()

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        # zoom_by keeps its own anchor; resizing keeps the centre
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # One rectangle round what changed. Qt's default repaints a region of many rectangles:
        # drag frames of a generated 2,000/5,000 map took 1.5-3x longer with it (measured);
        # World3 dragged at fit pays a little (5.7 -> 8.6 ms).
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.ContainsItemShape)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self._pan_from: QPoint | None = None
        self._pan_button = Qt.MouseButton.NoButton
        self._space = False
        self._low_detail: bool | None = None
        #: how long the last full repaint took (ms): a slow map zooms with a preview
        self.frame_ms = 0.0
        self.preview_above_ms = PREVIEW_ABOVE_MS
        self._preview: QPixmap | None = None
        self._preview_from = QTransform()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_PAUSE_MS)
        self._preview_timer.timeout.connect(self._end_preview)
        self.drag_cache_above_ms = DRAG_CACHE_ABOVE_MS
        self._still: QPixmap | None = None  # the still part of the map, while a drag goes on
        self._still_key: tuple | None = None  # the transform and size it was taken at
        self._faded: list[tuple[QGraphicsItem, float]] = []  # items hidden meanwhile, opacity
        self._exposed = None  # the viewport rectangle being painted
        tool_changed = getattr(scene, "toolChanged", None)
        if tool_changed is not None:
            tool_changed.connect(self._follow_tool)
        self._follow_tool(getattr(scene, "tool", None))
        self._zoom_changed()

    # -- zoom ------------------------------------------------------------------------------------

    def zoom(self) -> float:
        """The current scale: view pixels per scene unit."""
        return self.transform().m11()

    def min_zoom(self) -> float:
        """The smallest zoom: :data:`MIN_ZOOM`, or less if the whole map needs less to fit."""
        return min(MIN_ZOOM, self._fit_zoom())

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom in (``factor`` > 1) or out, within the limits, keeping the scene point under
        ``anchor`` (viewport coordinates; the centre if ``None``) where it is."""
        current = self.zoom()
        target = min(MAX_ZOOM, max(self.min_zoom(), current * factor))
        # at a limit, or below the minimum after a fit: never move against the request
        if (factor > 1 and target <= current) or (factor < 1 and target >= current):
            return
        self.set_zoom(target, anchor)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Set the scale to ``zoom`` (not clamped), keeping the scene point under ``anchor``."""
        current = self.zoom()
        if zoom <= 0 or abs(zoom / current - 1.0) < 1e-9:
            return
        point = (anchor if anchor is not None else QPointF(self.viewport().rect().center())).toPoint()
        fixed = self.mapToScene(point)
        with self._quietly():
            self.scale(zoom / current, zoom / current)
            drift = self.mapFromScene(fixed) - point
            self._scroll_by(drift.x(), drift.y())
        self._zoom_changed()

    def zoom_in(self) -> None:
        """One step closer, about the centre of the view."""
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        """One step further, about the centre of the view."""
        self.zoom_by(1 / ZOOM_STEP)

    def actual_size(self) -> None:
        """Zoom 1:1, keeping the centre of the view."""
        centre = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(centre)
        self._zoom_changed()

    def fit(self) -> None:
        """Show the whole map, never enlarged beyond :data:`FIT_MAX_ZOOM`."""
        scene = self.scene()
        if scene is None:
            return
        rect = scene.sceneRect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX_ZOOM:
            self.resetTransform()
            self.scale(FIT_MAX_ZOOM, FIT_MAX_ZOOM)
            self.centerOn(rect.center())
        self._zoom_changed()

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene the viewport shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def _fit_zoom(self) -> float:
        scene = self.scene()
        rect = scene.sceneRect() if scene is not None else QRectF()
        if rect.width() <= 0 or rect.height() <= 0:
            return MIN_ZOOM
        size = self.viewport().size()
        return min(size.width() / rect.width(), size.height() / rect.height())

    def _zoom_changed(self) -> None:
        self.drop_still_cache()
        self._match_detail()
        self.zoomChanged.emit(self.zoom())
        self.visibleRectChanged.emit()

    def _match_detail(self) -> None:
        low = self.zoom() < LOD_ZOOM
        if low != self._low_detail:
            self._low_detail = low
            self.setRenderHint(QPainter.RenderHint.Antialiasing, not low)
            show_details = getattr(self.scene(), "show_details", None)
            if show_details is not None:  # a MapScene: one pass over its links' signs
                show_details(not low)

    def paintEvent(self, event) -> None:
        if self._preview is not None:
            self._paint_preview(event)
            return
        if self._still is not None and self._still_key != self._view_key():
            self.drop_still_cache()  # zoomed, scrolled or resized some way not seen
        self._match_detail()  # also after a scale() that bypassed zoom_by
        start = time.perf_counter()
        self._exposed = event.rect()
        super().paintEvent(event)
        if event.rect() == self.viewport().rect() and self._still_key is None:
            self.frame_ms = (time.perf_counter() - start) * 1000

    # -- drags on slow maps: the still part from a picture -------------------------------------------

    def cache_still_map(self, moving: Iterable[QGraphicsItem]) -> bool:
        """Draw what does not move from a picture while ``moving`` items are dragged.

        ``moving``: the items a drag moves or reshapes and those attached to them (the links and
        pipes of moved variables); their children move with them. Does nothing (``False``) on a
        map quick to draw (last full repaint under ``drag_cache_above_ms``), when hidden, or
        when already caching. Otherwise the links and pipes (depth up to :data:`CACHED_MAX_Z`)
        in view that do not move are drawn once into a picture, which the view then paints as
        its background, and are made transparent meanwhile (one call per item, only those in
        view), so that each frame draws only the moving items and what stands in front of the
        links. Scrolling, zooming or resizing drops the picture; so does
        :meth:`drop_still_cache`, which the drag's end or cancel must call.
        """
        scene = self.scene()
        if (
            scene is None
            or self._still is not None
            or self._preview is not None
            or self.frame_ms <= self.drag_cache_above_ms
            or not self.isVisible()
        ):
            return False
        moving = set(moving)
        in_view = scene.items(self.visible_scene_rect(), Qt.ItemSelectionMode.IntersectsItemBoundingRect)
        still, other = [], []
        for item in in_view:
            if item.parentItem() is not None or item.opacity() == 0:
                continue
            if item not in moving and item.zValue() <= CACHED_MAX_Z:
                still.append(item)
            else:
                other.append(item)
        if not still:
            return False
        # the picture: the still links and pipes alone
        others = [(item, item.opacity()) for item in other]
        for item, _opacity in others:
            item.setOpacity(0.0)
        self._still_key = ()  # taking the picture: not a frame to time
        try:
            picture = self.viewport().grab()
        finally:
            self._still_key = None
            for item, opacity in others:
                item.setOpacity(opacity)
        self._faded = [(item, item.opacity()) for item in still]
        for item in still:
            item.setOpacity(0.0)
        self._still = picture
        self._still_key = self._view_key()
        self.viewport().update()
        return True

    def drop_still_cache(self) -> None:
        """Stop drawing from the picture of :meth:`cache_still_map`: every item as before."""
        if self._still is None:
            return
        scene = self.scene()
        faded, self._faded = self._faded, []
        self._still = self._still_key = None
        for item, opacity in faded:
            # an item deleted meanwhile (the map was replaced) is left alone
            if shiboken6.isValid(item) and item.scene() is scene:
                item.setOpacity(opacity)
        self.viewport().update()

    def is_caching(self) -> bool:
        """Whether a drag draws the still part of the map from a picture."""
        return self._still is not None

    def _view_key(self) -> tuple:
        return (self.viewportTransform(), self.viewport().size())

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        if self._still is None:
            super().drawBackground(painter, rect)
            return
        # DontSavePainterState: the view leaves saving to us
        painter.save()
        painter.resetTransform()
        exposed = self._exposed if self._exposed is not None else self.viewport().rect()
        ratio = self._still.devicePixelRatio()
        source = QRectF(
            exposed.x() * ratio, exposed.y() * ratio, exposed.width() * ratio, exposed.height() * ratio
        )
        painter.drawPixmap(QRectF(exposed), self._still, source)
        painter.restore()

    # -- zooming by gesture, with a preview on slow maps --------------------------------------------

    def zoom_gesture(self, factor: float, anchor: QPointF | None = None) -> None:
        """A zoom step from the wheel or a pinch: like :meth:`zoom_by`, but on a map slow to draw
        the steps show the last picture scaled, and the map is drawn once they pause."""
        if self._preview is None and self.frame_ms > self.preview_above_ms and self.isVisible():
            self._preview = self.viewport().grab()
            self._preview_from = self.viewportTransform()
        self.zoom_by(factor, anchor)
        if self._preview is not None:
            self._preview_timer.start()

    def is_previewing(self) -> bool:
        """Whether the view shows a scaled picture while a zoom gesture goes on."""
        return self._preview is not None

    def _end_preview(self) -> None:
        self._preview = None
        self.viewport().update()

    def _paint_preview(self, event) -> None:
        painter = QPainter(self.viewport())
        scene = self.scene()
        painter.fillRect(
            event.rect(), scene.backgroundBrush() if scene is not None else self.backgroundBrush()
        )
        # old viewport pixels -> scene -> new viewport pixels
        inverse, _ok = self._preview_from.inverted()
        painter.setTransform(inverse * self.viewportTransform())
        painter.drawPixmap(0, 0, self._preview)
        painter.end()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:  # plain or with Ctrl: both zoom about the pointer
            self.zoom_gesture(ZOOM_STEP**steps, event.position())
            event.accept()
        else:  # a sideways wheel or trackpad swipe scrolls
            super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.NativeGesture:  # macOS and Wayland trackpads
            if event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.zoom_gesture(1.0 + event.value(), event.position())
                event.accept()
                return True
        elif kind == QEvent.Type.Gesture and isinstance(event, QGestureEvent):  # touch screens
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                if pinch.changeFlags() & QPinchGesture.ChangeFlag.ScaleFactorChanged:
                    centre = self.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
                    self.zoom_gesture(pinch.scaleFactor(), QPointF(centre))
                event.accept(pinch)
                return True
        return super().viewportEvent(event)

    # -- pan ---------------------------------------------------------------------------------------

    def _scroll_by(self, dx: int, dy: int) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + dx)
        v.setValue(v.value() + dy)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.drop_still_cache()
        with self._quietly():
            super().scrollContentsBy(dx, dy)
        self.visibleRectChanged.emit()

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Move the view without Qt replaying the last mouse move to the scene at each step:
        every replay is a hit test (milliseconds on a map of long links), and the next real
        move of the mouse updates what is under it anyway."""
        allowed = self.isInteractive()
        self.setInteractive(False)
        try:
            yield
        finally:
            self.setInteractive(allowed)

    def resizeEvent(self, event) -> None:
        self.drop_still_cache()
        super().resizeEvent(event)
        self.visibleRectChanged.emit()

    def is_panning(self) -> bool:
        """Whether a middle-button or Space drag is moving the view."""
        return self._pan_from is not None

    def mousePressEvent(self, event) -> None:
        button = event.button()
        if self._pan_from is None and (
            button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space)
        ):
            self._pan_from, self._pan_button = event.position().toPoint(), button
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta, self._pan_from = pos - self._pan_from, pos
            self._scroll_by(-delta.x(), -delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            if event.button() == self._pan_button:
                self._pan_from, self._pan_button = None, Qt.MouseButton.NoButton
                self._restore_cursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and (self._space or self._space_may_pan()):
            if not event.isAutoRepeat():
                self._space = True
                if self._pan_from is None:
                    self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and self._space:
            if not event.isAutoRepeat():
                self._release_space()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        if self._space:  # the release will go elsewhere
            self._release_space()
        super().focusOutEvent(event)

    def _release_space(self) -> None:
        self._space = False
        if self._pan_button == Qt.MouseButton.LeftButton:
            self._pan_from, self._pan_button = None, Qt.MouseButton.NoButton
        if self._pan_from is None:
            self._restore_cursor()

    def _space_may_pan(self) -> bool:
        """Space pans unless someone is typing on the canvas (an inline name editor)."""
        scene = self.scene()
        if scene is None:
            return False
        editing = getattr(scene, "editing", None)
        return scene.focusItem() is None and getattr(editing, "inline", None) is None

    def _restore_cursor(self) -> None:
        if self._space:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        tool = getattr(self.scene(), "tool", None)
        if isinstance(tool, Tool):
            self.viewport().setCursor(QCursor(cursor_shape(tool)))
        else:
            self.viewport().unsetCursor()

    # -- tools -------------------------------------------------------------------------------------

    def _follow_tool(self, tool=None) -> None:
        """Rubber band with the select tool (or a scene without tools); the editor's otherwise."""
        select = tool is None or tool is Tool.SELECT
        mode = QGraphicsView.DragMode.RubberBandDrag if select else QGraphicsView.DragMode.NoDrag
        if mode != self.dragMode():
            self.setDragMode(mode)
