"""Export the canvas as a picture: PNG (raster), SVG and PDF (vector), chosen by the file's suffix.

:func:`export_scene` draws a :class:`~sysmap.ui.canvas.scene.MapScene` -- the whole map, or only
the selected items -- on a white background, without selection highlighting, and writes the
file atomically (the picture is built in memory, then replaces the target in one rename), so
a failed export never leaves half a file. ``sysmap render`` uses it headless.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from sysmap.errors import SysmapError
from sysmap.io.atomic import write_atomic

#: The suffixes :func:`export_scene` writes.
EXPORT_SUFFIXES = (".png", ".svg", ".pdf")
#: Canvas units are screen pixels at 100 % zoom: 96 per inch.
CANVAS_DPI = 96.0
#: The largest raster export, in pixels per side (QImage and most viewers fail beyond).
MAX_PIXELS_PER_SIDE = 32_000
MAX_PIXELS = 400_000_000
WHITE = QColor("#ffffff")


def export_scene(
    scene: QGraphicsScene,
    path: str | os.PathLike,
    *,
    selection_only: bool = False,
    scale: float = 2.0,
    margin: float = 20,
) -> None:
    """Write a picture of ``scene`` to ``path``; the suffix (``.png``, ``.svg``, ``.pdf``) picks the format.

    ``scale`` is the PNG's pixels per canvas unit (2.0: sharp on paper and on high-density
    screens); SVG and PDF are vector, sized at 96 canvas units per inch. ``margin`` (canvas
    units) of white surrounds the drawing. With ``selection_only`` only the selected items
    are drawn, cropped to their area. Selection highlighting never appears in the output.

    Raises :class:`~sysmap.errors.SysmapError` (one line naming the file) for an unknown
    suffix, an empty selection, a picture too large to hold, or a file that cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        kind = f"{suffix!r} files" if suffix else "a file without a suffix"
        raise SysmapError(f"{path}: cannot export to {kind} (known: {', '.join(EXPORT_SUFFIXES)})")
    if not scale > 0:
        raise SysmapError(f"{path}: the scale must be positive, not {scale:g}")
    if not path.parent.is_dir():  # before drawing a large map for nothing
        raise SysmapError(f"{path}: cannot write the file (no folder {path.parent})")
    if selection_only and not scene.selectedItems():
        raise SysmapError(f"{path}: nothing is selected to export")
    with _prepared(scene, selection_only):
        source = drawn_rect(scene).adjusted(-margin, -margin, margin, margin)
        if suffix == ".png":
            data = _png(scene, source, scale, path)
        elif suffix == ".svg":
            data = _svg(scene, source, path)
        else:
            data = _pdf(scene, source, path)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise SysmapError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def scene_image(scene: QGraphicsScene, source: QRectF, scale: float = 2.0) -> QImage:
    """``source`` (scene coordinates) of ``scene`` painted on a white image, ``scale`` pixels per unit.

    Draws the scene as it is (selection included); :func:`export_scene` prepares it first.
    """
    width, height = max(1, round(source.width() * scale)), max(1, round(source.height() * scale))
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    if image.isNull():
        return image
    image.fill(WHITE)
    dots_per_metre = round(scale * CANVAS_DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(image)
    painter.setRenderHints(
        QPainter.RenderHint.Antialiasing
        | QPainter.RenderHint.TextAntialiasing
        | QPainter.RenderHint.SmoothPixmapTransform
    )
    scene.render(painter, QRectF(image.rect()), source, Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    return image


def drawn_rect(scene: QGraphicsScene) -> QRectF:
    """The scene rectangle covering every visible item (a 400 x 300 area for an empty scene).

    Unlike :meth:`QGraphicsScene.itemsBoundingRect` this leaves hidden items out.
    """
    rect = QRectF()
    for item in scene.items():
        if item.isVisible():
            rect = rect.united(item.sceneBoundingRect())
    return rect if not rect.isNull() else QRectF(0, 0, 400, 300)


# -- preparing the scene -------------------------------------------------------------------------


def _keep(scene: QGraphicsScene) -> set[QGraphicsItem]:
    """The top-level items a selection export draws: the selected items (by their top-level
    ancestor) and, for a selected flow's valve, its pipe."""
    keep: set[QGraphicsItem] = set()
    pipes = getattr(scene, "pipe_items", {})
    for item in scene.selectedItems():
        keep.add(item.topLevelItem())
        pipe = pipes.get(getattr(item, "element_id", None))
        if pipe is not None:
            keep.add(pipe)
    return keep


@contextlib.contextmanager
def _prepared(scene: QGraphicsScene, selection_only: bool) -> Iterator[None]:
    """Hide what is not exported, clear the selection and the background brush; restore all after.

    The scene's signals are blocked meanwhile, so panels following the selection do not see
    it change and change back.
    """
    selected = scene.selectedItems()
    hidden: list[QGraphicsItem] = []
    brush = scene.backgroundBrush()
    blocked = scene.blockSignals(True)
    try:
        if selection_only:
            keep = _keep(scene)
            for item in scene.items():
                if item.parentItem() is None and item not in keep and item.isVisible():
                    item.setVisible(False)
                    hidden.append(item)
        for item in selected:
            item.setSelected(False)
        _restyle(selected)
        scene.setBackgroundBrush(QBrush(Qt.BrushStyle.NoBrush))
        yield
    finally:
        scene.setBackgroundBrush(brush)
        for item in hidden:
            item.setVisible(True)
        for item in selected:
            item.setSelected(True)
        _restyle(selected)
        scene.blockSignals(blocked)


def _restyle(items: list[QGraphicsItem]) -> None:
    """Let items that draw their selection from the scene's ``selectionChanged`` (links: colour
    and bend handle) follow a change made while that signal is blocked."""
    for item in items:
        restyle = getattr(item, "selection_changed", None)
        if callable(restyle):
            restyle()


# -- the three formats ---------------------------------------------------------------------------


def _png(scene: QGraphicsScene, source: QRectF, scale: float, path: Path) -> bytes:
    width, height = round(source.width() * scale), round(source.height() * scale)
    if max(width, height) > MAX_PIXELS_PER_SIDE or width * height > MAX_PIXELS:
        raise SysmapError(
            f"{path}: a {width} x {height} pixel image is too large; "
            "export at a smaller scale, or as SVG or PDF"
        )
    image = scene_image(scene, source, scale)
    if image.isNull():
        raise SysmapError(f"{path}: not enough memory for a {width} x {height} pixel image")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SysmapError(f"{path}: could not encode the image as PNG")
    return bytes(buffer.data())


def _svg(scene: QGraphicsScene, source: QRectF, path: Path) -> bytes:
    from PySide6.QtSvg import QSvgGenerator

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(round(source.width()), round(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setResolution(round(CANVAS_DPI))
    generator.setTitle(_title(scene, path))
    generator.setDescription("Drawn by sysmap")
    painter = QPainter()
    if not painter.begin(generator):
        raise SysmapError(f"{path}: could not start the SVG drawing")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, source.width(), source.height()), WHITE)
    scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    buffer.close()
    return bytes(data)


def _pdf(scene: QGraphicsScene, source: QRectF, path: Path) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(_title(scene, path))
    writer.setCreator("sysmap")
    # One page the size of the map: at 96 canvas units per inch, one unit is 0.75 pt.
    points = QSizeF(source.width() * 72 / CANVAS_DPI, source.height() * 72 / CANVAS_DPI)
    # A custom page size is kept as given under Portrait; Landscape would swap its sides.
    page = QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    portrait = QPageLayout.Orientation.Portrait
    writer.setPageLayout(QPageLayout(page, portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point))
    writer.setResolution(round(CANVAS_DPI))
    painter = QPainter()
    if not painter.begin(writer):
        raise SysmapError(f"{path}: could not start the PDF drawing")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    target = QRectF(0, 0, writer.width(), writer.height())
    painter.fillRect(target, WHITE)
    scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    buffer.close()
    return bytes(data)


def _title(scene: QGraphicsScene, path: Path) -> str:
    doc = getattr(scene, "doc", None)
    return (getattr(doc, "name", "") or path.stem) if doc is not None else path.stem
