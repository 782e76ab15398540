"""A presentation on paper and as pictures: a PDF handout and one PNG frame per step.

:func:`render_step` draws a step as the presentation shows it (what is not revealed yet
hidden, the rest dimmed, the step's elements lit, its caption below and a step counter);
:func:`export_frames` writes those pictures as ``frame-001.png`` ...; :func:`export_handout`
writes an A4 landscape PDF: a title page (the map's name, documentation, counts and the
date), then a page per step with its picture (vector: the scene is drawn into the PDF),
caption and presenter notes, and page numbers. Both are atomic per file and raise
:class:`~sysmap.errors.SysmapError` with one line for a file that cannot be written.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from sysmap.analysis.narration import Step, presentation_steps
from sysmap.errors import SysmapError
from sysmap.io.atomic import write_atomic
from sysmap.model import SystemMap
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.style import PROJECTOR_STYLE
from sysmap.ui.presentation import stage

WHITE = QColor("#ffffff")
INK = QColor("#000000")
GREY = QColor("#666666")
#: Share of a frame's height kept for the caption and counter.
CAPTION_SHARE = 0.18


def whole_rect(scene: MapScene) -> QRectF:
    """Every element of ``scene``, hidden ones included, with a margin: the same framing for
    every step, so what was shown stays where it was."""
    rect = QRectF()
    for items in (
        scene.variable_items,
        scene.link_items,
        scene.pipe_items,
        scene.label_items,
        scene.note_items,
        scene.alias_items,
    ):
        for item in items.values():
            rect = rect.united(item.sceneBoundingRect())
    return rect.adjusted(-20, -20, 20, 20) if not rect.isNull() else QRectF(0, 0, 400, 300)


def fitted(source: QRectF, target: QRectF) -> QRectF:
    """The largest rectangle of ``source``'s shape centred in ``target`` (QGraphicsScene's
    render keeps the aspect ratio but aligns to the top left).

    >>> fitted(QRectF(0, 0, 100, 50), QRectF(0, 0, 400, 400))
    PySide6.QtCore.QRectF(0.000000, 100.000000, 400.000000, 200.000000)
    """
    if source.width() <= 0 or source.height() <= 0:
        return QRectF(target)
    scale = min(target.width() / source.width(), target.height() / source.height())
    width, height = source.width() * scale, source.height() * scale
    return QRectF(
        target.x() + (target.width() - width) / 2, target.y() + (target.height() - height) / 2, width, height
    )


def _size(size) -> tuple[int, int]:
    if hasattr(size, "width"):
        return int(size.width()), int(size.height())
    width, height = size
    return int(width), int(height)


def _draw_text(painter: QPainter, rect: QRectF, text: str, px: float, colour: QColor, flags) -> None:
    font = QFont(painter.font())
    font.setPixelSize(max(1, round(px)))
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(rect, int(flags | Qt.TextFlag.TextWordWrap), text)


def paint_step(
    painter: QPainter,
    scene: MapScene,
    step: Step,
    target: QRectF,
    *,
    caption: bool = True,
    counter: str = "",
    last: bool = False,
    source: QRectF | None = None,
) -> None:
    """Draw ``step`` of ``scene`` into ``target`` of ``painter``: the map fitted above, the
    caption (and ``counter``) below. Leaves ``scene`` staged at ``step``."""
    stage(scene, step, last=last)
    source = whole_rect(scene) if source is None else source
    text_height = target.height() * CAPTION_SHARE if caption or counter else 0.0
    picture = QRectF(target.x(), target.y(), target.width(), target.height() - text_height)
    scene.render(painter, fitted(source, picture), source, Qt.AspectRatioMode.KeepAspectRatio)
    px = max(8.0, min(target.height() * 0.035, target.width() * 0.022))
    if caption:
        box = QRectF(
            target.x() + target.width() * 0.04,
            picture.bottom(),
            target.width() * 0.92,
            text_height - px * 1.2,
        )
        _draw_text(painter, box, step.caption, px, INK, Qt.AlignmentFlag.AlignCenter)
    if counter:
        box = QRectF(target.x(), target.bottom() - px * 1.2, target.width() - px, px * 1.2)
        _draw_text(painter, box, counter, px * 0.6, GREY, Qt.AlignmentFlag.AlignRight)


def render_step(
    scene: MapScene, step: Step, size, *, caption: bool = True, counter: str = "", last: bool = False
) -> QImage:
    """A picture of ``step`` as the presentation shows it, ``size`` (``(w, h)`` or a QSize)
    pixels on white, with its caption below (unless ``caption`` is false) and ``counter``
    (such as ``"3 / 41"``) in the corner. ``last`` shows the notes as the last step does.
    Leaves ``scene`` staged at ``step``."""
    width, height = _size(size)
    image = QImage(max(1, width), max(1, height), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(WHITE)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    try:
        paint_step(painter, scene, step, QRectF(image.rect()), caption=caption, counter=counter, last=last)
    finally:
        painter.end()
    return image


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` as ``(1920, 1080)``; :class:`SysmapError` for anything else.

    >>> parse_size("1280x720")
    (1280, 720)
    """
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
        width, height = (int(p) for p in parts)
        if 16 <= width <= 16_000 and 16 <= height <= 16_000:
            return width, height
    raise SysmapError(f"a size is WIDTHxHEIGHT in pixels, 16 to 16000 each, such as 1920x1080, not {text!r}")


def export_frames(
    doc: SystemMap,
    directory: str | os.PathLike,
    steps: Sequence[Step] | None = None,
    size=(1920, 1080),
) -> list[Path]:
    """Write each step (``steps``, default :func:`presentation_steps`) as
    ``directory/frame-001.png`` ... at ``size`` pixels, in the projector style; returns the
    paths. The folder is made if missing."""
    from sysmap.ui.snapshot import ensure_app

    ensure_app()
    directory = Path(directory)
    steps = list(presentation_steps(doc) if steps is None else steps)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SysmapError(f"{directory}: cannot make the folder ({exc.strerror or exc})") from None
    scene = MapScene(doc, style=PROJECTOR_STYLE)
    written = []
    try:
        for i, step in enumerate(steps):
            image = render_step(
                scene, step, size, counter=f"{i + 1} / {len(steps)}", last=i == len(steps) - 1
            )
            path = directory / f"frame-{i + 1:03d}.png"
            _write(path, _png(image))
            written.append(path)
    finally:
        scene.detach()
    return written


def _png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise SysmapError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def _counts(doc: SystemMap) -> str:
    parts = [
        (len(doc.variables), "variable"),
        (len(doc.links), "link"),
        (len(doc.loop_labels), "loop label"),
        (len(doc.notes), "note"),
    ]
    return ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in parts)


def export_handout(
    doc: SystemMap, path: str | os.PathLike, steps: Sequence[Step] | None = None, *, today=None
) -> int:
    """Write the presentation of ``doc`` (``steps``, default :func:`presentation_steps`) as an
    A4 landscape PDF handout at ``path``; returns the number of pages (the title page and
    one per step)."""
    from sysmap.ui.snapshot import ensure_app

    ensure_app()
    path = Path(path)
    if not path.parent.is_dir():
        raise SysmapError(f"{path}: cannot write the file (no folder {path.parent})")
    steps = list(presentation_steps(doc) if steps is None else steps)
    title = doc.name.strip() or path.stem
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("sysmap")
    writer.setResolution(144)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise SysmapError(f"{path}: could not start the PDF drawing")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    page = QRectF(0, 0, writer.width(), writer.height())
    unit = page.height() / 100  # one hundredth of the page's height
    pages = len(steps) + 1
    scene = MapScene(doc)
    try:
        date = (today or datetime.date.today()).isoformat()
        top = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        _draw_text(painter, QRectF(0, unit * 20, page.width(), unit * 12), title, unit * 6, INK, top)
        _draw_text(
            painter,
            QRectF(0, unit * 34, page.width(), unit * 6),
            f"{_counts(doc)} · {len(steps)} steps · {date}",
            unit * 2.6,
            GREY,
            top,
        )
        if doc.documentation.strip():
            _draw_text(
                painter,
                QRectF(0, unit * 44, page.width(), unit * 46),
                doc.documentation,
                unit * 2.6,
                INK,
                top,
            )
        _number(painter, page, unit, 1, pages)
        source = whole_rect(scene)
        for i, step in enumerate(steps):
            writer.newPage()
            picture = QRectF(0, 0, page.width(), unit * 70)
            paint_step(painter, scene, step, picture, caption=False, last=i == len(steps) - 1, source=source)
            painter.setPen(QColor("#cccccc"))
            painter.drawLine(0, round(unit * 71), round(page.width()), round(unit * 71))
            _draw_text(
                painter,
                QRectF(0, unit * 73, page.width(), unit * 10),
                f"{i + 1}. {step.caption}",
                unit * 2.8,
                INK,
                top,
            )
            if step.notes.strip():
                _draw_text(
                    painter, QRectF(0, unit * 84, page.width(), unit * 12), step.notes, unit * 2.2, GREY, top
                )
            _number(painter, page, unit, i + 2, pages)
    finally:
        painter.end()
        scene.detach()
        buffer.close()
    _write(path, bytes(data))
    return pages


def _number(painter: QPainter, page: QRectF, unit: float, n: int, pages: int) -> None:
    box = QRectF(0, page.height() - unit * 3, page.width(), unit * 3)
    _draw_text(painter, box, f"{n} / {pages}", unit * 1.8, GREY, Qt.AlignmentFlag.AlignRight)
