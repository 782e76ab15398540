"""Help › User Guide as a user meets it: F1 opens the guide on its first page with its
pictures, a link or the contents list shows another page, Back returns, web links go to the
browser, and a copy of sysmap without the guide says so instead of failing."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox
from shots import shots_dir

from sysmap.examples import DEFAULT_EXAMPLE, example_path
from sysmap.io import load
from sysmap.ui import guide
from sysmap.ui.mainwindow import MainWindow

SHOTS = shots_dir("G")


@pytest.fixture
def window(qtbot):
    path = example_path(DEFAULT_EXAMPLE)
    window = MainWindow(load(path), str(path))
    qtbot.addWidget(window)
    guide.install(window)  # a no-op once the main window installs it itself
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield window
    window.session.ask_save = lambda *a: "discard"


def press_f1(qtbot, window):
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F1)


def click_link(qtbot, browser, href: str) -> str:
    """Click the first link to ``href`` shown in ``browser``, as a user would; its text."""
    link = next(
        (
            f
            for f in fragments(browser.document())
            if f.charFormat().anchorHref() == href and f.text().strip("\u2029 ")
        ),
        None,
    )
    assert link is not None, f"no link to {href!r} on the page"
    text = link.text()
    cursor = browser.textCursor()
    cursor.setPosition(link.position() + len(text) // 2)
    browser.setTextCursor(cursor)
    bar = browser.verticalScrollBar()  # scroll the link to the middle of the page
    bar.setValue(bar.value() + browser.cursorRect(cursor).top() - browser.viewport().height() // 2)
    spot = browser.cursorRect(cursor).center()
    assert browser.anchorAt(spot) == href
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    return text


def test_help_menu_has_user_guide_before_about(window):
    texts = [a.text().replace("&", "") for a in window.help_menu.actions() if not a.isSeparator()]
    assert "User Guide" in texts
    about = next(i for i, t in enumerate(texts) if t.startswith("About"))
    assert texts.index("User Guide") < about
    assert window.guide_action.shortcut().toString() == "F1"
    assert guide.install(window) is window.guide_action  # installing twice adds nothing
    assert texts.count("User Guide") == 1


def test_f1_opens_the_guide_on_its_first_page(qtbot, window):
    press_f1(qtbot, window)
    shown = window.guide_window
    assert shown is not None and shown.isVisible()
    assert shown.current_page() == "index.md"
    assert shown.browser.toPlainText().startswith("sysmap User Guide")
    assert shown.contents.currentItem().text() == "sysmap User Guide"
    assert shown.contents.count() == len(guide.PAGES)
    assert not shown.back_button.isEnabled()
    # the main window's picture is there, shrunk to the page's width
    images = [f for f in fragments(shown.browser.document()) if f.charFormat().isImageFormat()]
    assert [f.charFormat().toImageFormat().name() for f in images] == ["images/main-window.png"]
    picture = shown.browser.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl("images/main-window.png")
    )
    assert isinstance(picture, QImage) and not picture.isNull()
    assert 300 < picture.width() < shown.browser.viewport().width() < 1200
    assert not shown.browser.horizontalScrollBar().isVisible()
    shown.grab().save(str(SHOTS / "guide-index.png"))
    press_f1(qtbot, window)  # again: the same window, not a second one
    assert window.guide_window is shown


def fragments(document):
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            yield it.fragment()
            it += 1
        block = block.next()


def test_a_link_shows_its_page_and_back_returns(qtbot, window):
    press_f1(qtbot, window)
    shown = window.guide_window
    qtbot.waitExposed(shown)
    assert click_link(qtbot, shown.browser, "loops-and-polarity.md") == "Loops and polarity"
    assert shown.current_page() == "loops-and-polarity.md"
    assert shown.browser.toPlainText().startswith("Loops and polarity")
    assert shown.contents.currentItem().text() == "Loops and polarity"
    assert shown.windowTitle() == "Loops and polarity — sysmap User Guide"
    shown.grab().save(str(SHOTS / "guide-loops.png"))
    # a link on that page to another page
    click_link(qtbot, shown.browser, "command-line.md")
    assert shown.current_page() == "command-line.md"
    qtbot.mouseClick(shown.back_button, Qt.MouseButton.LeftButton)
    assert shown.current_page() == "loops-and-polarity.md"
    qtbot.mouseClick(shown.back_button, Qt.MouseButton.LeftButton)
    assert shown.current_page() == "index.md"
    assert shown.forward_button.isEnabled()
    qtbot.mouseClick(shown.forward_button, Qt.MouseButton.LeftButton)
    assert shown.current_page() == "loops-and-polarity.md"


def test_the_contents_list_opens_a_page(qtbot, window):
    press_f1(qtbot, window)
    shown = window.guide_window
    qtbot.waitExposed(shown)
    row = next(i for i in range(shown.contents.count()) if shown.contents.item(i).text() == "Simulation")
    rect = shown.contents.visualItemRect(shown.contents.item(row))
    qtbot.mouseClick(shown.contents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.current_page() == "simulation.md"
    assert "Loops that Matter" in shown.browser.toPlainText()
    assert shown.back_button.isEnabled()


def test_web_links_open_in_the_browser(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(guide.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    press_f1(qtbot, window)
    shown = window.guide_window
    shown.follow(QUrl("https://simlin.com/"))
    assert opened == ["https://simlin.com/"]
    assert shown.current_page() == "index.md"


def test_without_the_guide_the_action_says_so(qtbot, window, monkeypatch, tmp_path):
    monkeypatch.setattr(guide, "bundled_dir", lambda name: tmp_path / name)
    press_f1(qtbot, window)
    assert window.guide_window is None
    box = window.guide_message
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "not installed" in box.text()
    box.close()


def test_pictures_fit_the_page_again_when_the_guide_is_resized(qtbot, window):
    press_f1(qtbot, window)
    shown = window.guide_window
    url = QUrl("images/main-window.png")

    def picture_width() -> int:
        return shown.browser.document().resource(QTextDocument.ResourceType.ImageResource, url).width()

    wide = picture_width()
    shown.resize(640, 600)
    qtbot.waitUntil(lambda: picture_width() < wide - 100, timeout=3000)
    assert picture_width() < shown.browser.viewport().width()
    assert shown.current_page() == "index.md"
