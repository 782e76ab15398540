"""Help › User Guide: the Markdown pages of ``docs/`` in a window of their own.

:class:`GuideWindow` shows one page at a time in a :class:`QTextBrowser`, with the guide's
contents on the left and Back / Forward buttons above the page. Links between pages open the
page linked; links to web sites open in the user's browser. Pictures are shrunk to the width
of the page when the window is narrower than they are.

:func:`install` adds Help › User Guide (F1) to a main window. A build that ships no guide
(see :func:`sysmap.bundled.bundled_dir`) says so in a message instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sysmap.bundled import bundled_dir

#: the guide's pages in reading order; other ``*.md`` files in the folder follow, by name
PAGES = (
    "index.md",
    "drawing.md",
    "loops-and-polarity.md",
    "leverage.md",
    "simulation.md",
    "sharing.md",
    "workshop.md",
    "command-line.md",
)
#: what Help › User Guide says when the guide is not installed
NO_GUIDE = (
    "The user guide is not installed with this copy of sysmap.\n\n"
    "You can read it online in the docs folder of sysmap's source code."
)
#: link schemes opened in the user's browser (or mail program) rather than in the guide
#: Pictures are fitted again when the page's width changed by more than REFIT_STEP pixels,
#: REFIT_MS after the resizing stops.
REFIT_STEP = 40
REFIT_MS = 150
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})


def docs_dir() -> Path:
    """The folder the guide's pages are in (it may not exist)."""
    return bundled_dir("docs")


def page_title(path: Path) -> str:
    """A page's title: its first ``# `` heading, else its file name.

    >>> page_title(Path("no-such-page.md"))
    'no-such-page'
    """
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    except OSError:
        pass
    return path.stem


def guide_pages(folder: Path) -> list[Path]:
    """The guide's pages in ``folder``: :data:`PAGES` first, in order, then any others by name."""
    if not folder.is_dir():
        return []
    known = [folder / name for name in PAGES if (folder / name).is_file()]
    others = sorted(p for p in folder.glob("*.md") if p.name not in PAGES)
    return known + others


class GuideBrowser(QTextBrowser):
    """A :class:`QTextBrowser` that shrinks each picture wider than the page to the page's
    width (keeping its shape) as it loads it, and fits them again when the window is resized
    (once the resizing pauses, keeping the place on the page)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fitted_to = 0  # the room pictures were last fitted to (0: none yet)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(REFIT_MS)
        self._refit.timeout.connect(self._fit_again)

    def _room(self) -> int:
        # the page's width, less the margins and room for a scroll bar
        return max(200, self.viewport().width() - 2 * int(self.document().documentMargin()) - 24)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted_to and abs(self._room() - self._fitted_to) > REFIT_STEP:
            self._refit.start()

    def _fit_again(self) -> None:
        bar = self.verticalScrollBar()
        place = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self.reload()
        bar.setValue(round(place * bar.maximum()))

    def loadResource(self, kind, url: QUrl):
        data = super().loadResource(kind, url)
        if QTextDocument.ResourceType(kind) != QTextDocument.ResourceType.ImageResource:
            return data
        image = data if isinstance(data, QImage) else QImage.fromData(bytes(data or b""))
        if image.isNull():
            return data
        room = self._fitted_to = self._room()
        if image.width() > room:
            image = image.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
        return image


class GuideWindow(QWidget):
    """The user guide in ``folder`` (by default :func:`docs_dir`), open on ``index.md``.

    ``browser`` is the page shown, ``contents`` the list of pages, ``back_button`` and
    ``forward_button`` step through the pages visited. :meth:`show_page` opens a page by file
    name; :meth:`current_page` is the file name shown.
    """

    def __init__(self, folder: Path | None = None, parent=None):
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle("sysmap User Guide")
        self.folder = (folder or docs_dir()).resolve()
        self._shown = False
        self.pages = guide_pages(self.folder)

        self.contents = QListWidget()
        for path in self.pages:
            item = QListWidgetItem(page_title(path))
            item.setData(Qt.ItemDataRole.UserRole, path.name)
            self.contents.addItem(item)
        self.browser = GuideBrowser()
        self.browser.setOpenLinks(False)  # we decide: guide page, or the user's browser
        self.browser.setSearchPaths([str(self.folder)])
        self.back_button = QToolButton()
        self.back_button.setText("◀ Back")
        self.back_button.setToolTip("The page you were on before (Alt+Left)")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.forward_button = QToolButton()
        self.forward_button.setText("Forward ▶")
        self.forward_button.setToolTip("The next page again (Alt+Right)")
        self.forward_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Forward))
        for button in (self.back_button, self.forward_button):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setEnabled(False)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.back_button)
        bar.addWidget(self.forward_button)
        bar.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.browser, 1)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 780])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self.resize(1000, 720)

        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.browser.anchorClicked.connect(self.follow)
        self.browser.sourceChanged.connect(self._page_shown)
        self.contents.currentItemChanged.connect(self._contents_chosen)
        if self.pages:
            self.show_page(self.pages[0].name)

    def sizeHint(self) -> QSize:
        return QSize(1000, 720)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:  # pictures loaded before the page had its width: again
            self._shown = True
            self.browser.reload()

    # -- pages ----------------------------------------------------------------------------------------

    def show_page(self, name: str, fragment: str = "") -> None:
        """Show the page ``name`` (a file name in the guide's folder), at ``fragment`` if given."""
        url = QUrl.fromLocalFile(str(self.folder / name))
        if fragment:
            url.setFragment(fragment)
        self.browser.setSource(url, QTextDocument.ResourceType.MarkdownResource)

    def current_page(self) -> str:
        """The file name of the page shown ("" before any)."""
        source = self.browser.source()
        return Path(source.toLocalFile()).name if source.isLocalFile() else ""

    def follow(self, url: QUrl) -> None:
        """Open a clicked link: a web link in the user's browser, a guide page here."""
        if url.scheme() in EXTERNAL_SCHEMES:
            QDesktopServices.openUrl(url)
            return
        if not url.scheme() and not url.path():  # "#section" on this page
            self.browser.scrollToAnchor(url.fragment())
            return
        target = self.browser.source().resolved(url) if url.isRelative() else url
        path = Path(target.toLocalFile())
        if path.suffix.lower() == ".md" and path.is_file():
            target.setFragment(url.fragment() or None)
            self.browser.setSource(target, QTextDocument.ResourceType.MarkdownResource)
        elif path.is_file():  # a picture or another file: the desktop's viewer
            QDesktopServices.openUrl(target)

    def _page_shown(self, url: QUrl) -> None:
        # (the browser's source() is not yet the new page while it says so)
        name = Path(url.toLocalFile()).name if url.isLocalFile() else ""
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                if self.contents.currentRow() != row:
                    blocked = self.contents.blockSignals(True)
                    self.contents.setCurrentRow(row)
                    self.contents.blockSignals(blocked)
                break
        title = page_title(self.folder / name) if name else ""
        self.setWindowTitle(f"{title} — sysmap User Guide" if title else "sysmap User Guide")

    def _contents_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole) != self.current_page():
            self.show_page(item.data(Qt.ItemDataRole.UserRole))


def open_guide(window) -> GuideWindow | None:
    """Show the user guide for main window ``window`` (one guide window each), or, when the
    guide is not installed, a message saying so (returned as ``None``; the message box is
    ``window.guide_message``)."""
    guide = getattr(window, "guide_window", None)
    if guide is not None:
        guide.show()
        guide.raise_()
        guide.activateWindow()
        return guide
    if not guide_pages(docs_dir()):
        box = QMessageBox(
            QMessageBox.Icon.Information, "User Guide", NO_GUIDE, QMessageBox.StandardButton.Ok, window
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.guide_message = box
        box.open()
        return None
    guide = GuideWindow(parent=window)
    window.guide_window = guide
    guide.show()
    return guide


def install(window) -> QAction:
    """Add Help › User Guide (F1) to main window ``window``, before "About sysmap" (once)."""
    existing = getattr(window, "guide_action", None)
    if existing is not None:
        return existing
    action = QAction("&User Guide", window)
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    if action.shortcut().isEmpty():
        action.setShortcut(QKeySequence("F1"))
    action.setStatusTip("Read how to draw, analyse, simulate and share maps")
    action.triggered.connect(lambda _=False: open_guide(window))
    window.addAction(action)  # F1 works with the menu closed
    about = next((a for a in window.help_menu.actions() if "About" in a.text()), None)
    window.help_menu.insertAction(about, action)
    window.guide_action = action
    window.guide_window = None
    return action
