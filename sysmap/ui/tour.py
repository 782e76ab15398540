"""The first-run tour: six short cards over the main window, each pointing at what it is about.

The tour is a child widget laid over the whole window: a semi-transparent backdrop with a
window cut around the step's widget (a toolbar button, the inspector, a menu), an outline and
an arrow drawn to it, and a card with the step's title, two or three sentences, "3 of 6", and
Back / Next / Skip tour. Keys: Right or Enter next, Left back, Escape ends. Ending or skipping
marks the tour seen (:attr:`sysmap.ui.settings.Settings.tour_seen`), so ``app.start`` no longer
shows it; Help › Take the Tour shows it any time. It follows the window when it is resized.

    tour = Tour(window, Settings())
    tour.start()
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sysmap.ui.canvas.tools import Tool

#: What a step points at: the widget and the part of it (its own coordinates), or ``None``.
Target = tuple[QWidget, QRect] | None

BACKDROP = QColor(20, 24, 32, 150)
ACCENT = QColor("#f5a623")
CARD_WIDTH = 380
#: space between the outline and what it outlines, and between the card and the outline
OUTLINE_PAD = 6
CARD_GAP = 28
#: how far the card keeps from the edges of the central area
MARGIN = 16


@dataclass(frozen=True)
class TourStep:
    """One card: ``title``, ``text`` (two or three sentences) and ``target(window)``, what it
    points at."""

    title: str
    text: str
    target: Callable[[QWidget], Target]


def _whole(widget: QWidget | None) -> Target:
    return (widget, widget.rect()) if widget is not None else None


def tool_button(tool: Tool) -> Callable[[QWidget], Target]:
    """The toolbar button of ``tool``."""

    def target(window) -> Target:
        return _whole(window.toolbar.widgetForAction(window.tool_actions[tool]))

    return target


def menu_title(name: str) -> Callable[[QWidget], Target]:
    """The title of the window's menu ``name`` (an attribute: "model_menu") in the menu bar."""

    def target(window) -> Target:
        bar = window.menuBar()
        rect = bar.actionGeometry(getattr(window, name).menuAction())
        return (bar, rect) if not rect.isEmpty() else None

    return target


def polarity_control(window) -> Target:
    """The inspector's polarity buttons when a link is selected, else the whole inspector."""
    page = window.inspector.link_page
    if page.polarity.isVisible():
        return _whole(page.polarity)
    return _whole(window.inspector_dock)


STEPS: tuple[TourStep, ...] = (
    TourStep(
        "Draw a variable",
        "Double-click empty canvas to add a variable, type its name and press Enter. "
        "With the Variable tool (V) every click adds one; Esc goes back to Select.",
        tool_button(Tool.VARIABLE),
    ),
    TourStep(
        "Link two variables",
        "Choose the Link tool (L) and drag from a cause to its effect. Drag the middle of a link to bend it.",
        tool_button(Tool.LINK),
    ),
    TourStep(
        "Set the polarity",
        "Select a link and press + when both ends move the same way, − when they move in "
        "opposite directions. The Inspector shows the polarity too, and checks it against "
        "the equations.",
        polarity_control,
    ),
    TourStep(
        "Find the feedback loops",
        "Model › Loops (Ctrl+L) lists every loop, reinforcing (R) or balancing (B). "
        "Click one to light it up on the map.",
        menu_title("model_menu"),
    ),
    TourStep(
        "Run a simulation",
        "Model › Run Simulation (Ctrl+R) runs a stock-and-flow map's equations and plots "
        "the results. A slider for each constant shows what changes when it does.",
        menu_title("model_menu"),
    ),
    TourStep(
        "Present it, run a workshop",
        "F5 presents the map loop by loop, full screen, each loop told in words. "
        "The Workshop menu holds perspectives, dot votes, merging the tables' maps and "
        "archetype templates.",
        menu_title("workshop_menu"),
    ),
)


def _exit_point(rect: QRectF, towards: QPointF) -> QPointF:
    """Where the line from ``rect``'s centre to ``towards`` leaves ``rect``."""
    centre = rect.center()
    dx, dy = towards.x() - centre.x(), towards.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    scale = min(
        rect.width() / 2 / abs(dx) if dx else math.inf,
        rect.height() / 2 / abs(dy) if dy else math.inf,
    )
    scale = min(scale, 1.0)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)


class Tour(QWidget):
    """The tour over ``window`` (a :class:`~sysmap.ui.mainwindow.MainWindow`); ``settings`` (a
    :class:`~sysmap.ui.settings.Settings`) learns when it was seen. ``finished`` is emitted
    once, when it ends for any reason."""

    finished = Signal()

    def __init__(self, window, settings, steps: tuple[TourStep, ...] = STEPS):
        super().__init__(window)
        self.setObjectName("tour")
        self.main_window = window
        self.settings = settings
        self.steps = steps
        self.index = 0
        self._ended = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build_card()
        window.installEventFilter(self)
        central = window.centralWidget()
        if central is not None:
            central.installEventFilter(self)
        self.hide()

    def _build_card(self) -> None:
        card = QFrame(self)
        card.setObjectName("tourCard")
        card.setFixedWidth(CARD_WIDTH)
        card.setStyleSheet(
            "#tourCard { background: #ffffff; border: 1px solid #d0d0d0; border-radius: 10px; }"
            "#tourCard QLabel { color: #1f2328; background: transparent; }"
            "#tourCounter { color: #6a737d; }"
        )
        shadow = QGraphicsDropShadowEffect(card)
        shadow.setBlurRadius(24)
        shadow.setOffset(0, 4)
        shadow.setColor(QColor(0, 0, 0, 110))
        card.setGraphicsEffect(shadow)
        column = QVBoxLayout(card)
        column.setContentsMargins(20, 16, 20, 14)
        column.setSpacing(8)
        self.counter = QLabel()
        self.counter.setObjectName("tourCounter")
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel()
        self.text.setWordWrap(True)
        body = self.text.font()
        body.setPointSizeF(body.pointSizeF() * 1.08)
        self.text.setFont(body)
        self.skip_button = QPushButton("Skip tour")
        self.skip_button.setFlat(True)
        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Next")
        for button in (self.skip_button, self.back_button, self.next_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay the tour's
        self.skip_button.clicked.connect(self.skip)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        column.addWidget(self.counter)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addSpacing(4)
        column.addLayout(buttons)
        self.card = card

    # -- stepping --------------------------------------------------------------------------------

    def start(self, index: int = 0) -> None:
        """Show the tour over the whole window, at step ``index``."""
        self.setGeometry(self.main_window.rect())
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.show_step(index)

    def show_step(self, index: int) -> None:
        self.index = max(0, min(index, len(self.steps) - 1))
        step = self.steps[self.index]
        last = self.index == len(self.steps) - 1
        self.counter.setText(f"{self.index + 1} of {len(self.steps)}")
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setText("Done" if last else "Next")
        self.skip_button.setVisible(not last)
        self.relayout()

    def next(self) -> None:
        """The next step; after the last, the end."""
        if self.index + 1 >= len(self.steps):
            self.end()
        else:
            self.show_step(self.index + 1)

    def back(self) -> None:
        if self.index > 0:
            self.show_step(self.index - 1)

    def skip(self) -> None:
        """End the tour before its last step (it counts as seen)."""
        self.end()

    def end(self) -> None:
        """Close the tour and remember that it was seen."""
        self.settings.tour_seen = True
        self.close_quietly()

    def close_quietly(self) -> None:
        """Close the tour without marking it seen (the window is closing)."""
        if self._ended:
            return
        self._ended = True
        window = self.main_window
        if shiboken6.isValid(window):
            window.removeEventFilter(self)
            central = window.centralWidget()
            if central is not None:
                central.removeEventFilter(self)
        self.close()
        self.finished.emit()

    @property
    def step(self) -> TourStep:
        return self.steps[self.index]

    # -- geometry --------------------------------------------------------------------------------

    def target(self) -> Target:
        """What the current step points at, if it is shown inside the window."""
        found = self.step.target(self.main_window)
        if found is None:
            return None
        widget, rect = found
        if widget is None or not widget.isVisible() or widget.window() is not self.main_window:
            return None
        return widget, rect

    def target_rect(self) -> QRect | None:
        """The current step's widget, in the tour's (the window's) coordinates."""
        found = self.target()
        if found is None:
            return None
        widget, rect = found
        return QRect(widget.mapTo(self.main_window, rect.topLeft()), rect.size())

    def _outline(self) -> QRectF | None:
        rect = self.target_rect()
        if rect is None:
            return None
        pad = OUTLINE_PAD
        # inside the window, so that the outline of a menu title is drawn whole
        return (
            QRectF(rect)
            .adjusted(-pad, -pad, pad, pad)
            .intersected(QRectF(self.rect()).adjusted(2, 2, -2, -2))
        )

    def _area(self) -> QRect:
        """Where the card may go: the central area (the canvas), a little inside it."""
        central = self.main_window.centralWidget()
        area = central.geometry() if central is not None else self.rect()
        return area.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)

    def relayout(self) -> None:
        """Place the card beside the step's widget, inside the central area."""
        if self._ended:
            return
        self.setGeometry(self.main_window.rect())
        self.raise_()
        self.card.adjustSize()
        size = self.card.sizeHint().expandedTo(self.card.minimumSizeHint())
        size.setWidth(CARD_WIDTH)
        area = self._area()
        outline = self._outline()
        self.card.setGeometry(self._card_place(size, area, outline))
        self.update()

    @staticmethod
    def _card_place(size, area: QRect, outline: QRectF | None) -> QRect:
        centred = QRect(0, 0, size.width(), size.height())
        centred.moveCenter(area.center())
        if outline is None:
            return centred
        o = outline.toAlignedRect()
        w, h = size.width(), size.height()

        def clamp(value: int, low: int, high: int) -> int:
            return max(low, min(value, high))

        candidates = (
            (clamp(o.left(), area.left(), area.right() - w), max(o.bottom() + CARD_GAP, area.top())),
            (max(o.right() + CARD_GAP, area.left()), clamp(o.top(), area.top(), area.bottom() - h)),
            (min(o.left() - CARD_GAP - w, area.right() - w), clamp(o.top(), area.top(), area.bottom() - h)),
            (clamp(o.left(), area.left(), area.right() - w), min(o.top() - CARD_GAP - h, area.bottom() - h)),
        )
        for x, y in candidates:
            rect = QRect(x, y, w, h)
            if area.contains(rect) and not rect.intersects(o):
                return rect
        return centred

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            # the window's own layout runs after this filter: place the card once it has
            QTimer.singleShot(0, self, self.relayout)
        return False

    # -- input and painting ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.next()
        elif key == Qt.Key.Key_Left:
            self.back()
        elif key == Qt.Key.Key_Escape:
            self.end()
        else:
            event.accept()  # the map under the backdrop is not for editing now

    def mousePressEvent(self, event) -> None:
        event.accept()  # a click on the backdrop does nothing

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        backdrop = QPainterPath()
        backdrop.addRect(QRectF(self.rect()))
        outline = self._outline()
        if outline is not None:
            hole = QPainterPath()
            hole.addRoundedRect(outline, 6, 6)
            backdrop = backdrop.subtracted(hole)
        painter.fillPath(backdrop, BACKDROP)
        if outline is None:
            return
        pen = QPen(ACCENT, 3)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(outline, 6, 6)
        self._draw_arrow(painter, QRectF(self.card.geometry()), outline)

    @staticmethod
    def _draw_arrow(painter: QPainter, card: QRectF, outline: QRectF) -> None:
        """A line from the card to the outline, its head at the outline."""
        start = _exit_point(card, outline.center())
        end = _exit_point(outline.adjusted(-4, -4, 4, 4), card.center())
        dx, dy = end.x() - start.x(), end.y() - start.y()
        length = math.hypot(dx, dy)
        if length < 12 or card.intersects(outline):
            return
        ux, uy = dx / length, dy / length
        painter.setPen(QPen(ACCENT, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        head = 12.0
        base = QPointF(end.x() - ux * head, end.y() - uy * head)
        painter.drawLine(start, base)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ACCENT)
        painter.drawPolygon(
            QPolygonF(
                [
                    end,
                    QPointF(base.x() - uy * head * 0.55, base.y() + ux * head * 0.55),
                    QPointF(base.x() + uy * head * 0.55, base.y() - ux * head * 0.55),
                ]
            )
        )
