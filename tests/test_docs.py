"""The user guide (docs/*.md) says only what is true of the app: its links and pictures
resolve, the menu paths it names are menu actions of the main window, and the commands it
shows are commands the sysmap command accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from sysmap.bundled import bundled_dir
from sysmap.cli import COMMANDS as CORE_COMMANDS
from sysmap.cli import build_parser, extension_commands

DOCS = bundled_dir("docs")
PAGES = sorted(DOCS.glob("*.md"))
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
#: a menu path in bold, possibly broken over lines: **File › Open Example › Bathtub**
MENU_PATH = re.compile(r"\*\*([^*\s][^*]*?›[^*]*?[^*\s])\*\*")
EXTERNAL = ("http://", "https://", "mailto:")
#: the largest picture the guide should carry
MAX_PNG_BYTES = 250 * 1024


def text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_the_guide_has_its_pages():
    names = {page.name for page in PAGES}
    assert {
        "index.md",
        "drawing.md",
        "loops-and-polarity.md",
        "leverage.md",
        "simulation.md",
        "sharing.md",
        "workshop.md",
        "command-line.md",
    } <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_and_picture_resolves(page):
    broken = []
    for target in LINK.findall(text(page)):
        if target.startswith(EXTERNAL):
            continue
        path = target.split("#", 1)[0]
        if path and not (page.parent / path).is_file():
            broken.append(target)
    assert not broken, f"{page.name} links to missing files: {broken}"


def test_every_picture_is_used_and_modest():
    used = {
        (page.parent / target).resolve()
        for page in PAGES
        for target in LINK.findall(text(page))
        if target.endswith(".png")
    }
    pictures = sorted((DOCS / "images").glob("*.png"))
    assert pictures, "docs/images holds no pictures: run python docs/make_screenshots.py"
    unused = [p.name for p in pictures if p.resolve() not in used]
    assert not unused, f"pictures no page shows: {unused}"
    heavy = [p.name for p in pictures if p.stat().st_size > MAX_PNG_BYTES]
    assert not heavy, f"pictures over {MAX_PNG_BYTES // 1024} KB: {heavy}"


def pages_missing_from_contents():
    index = text(DOCS / "index.md")
    return [page.name for page in PAGES if page.name != "index.md" and f"({page.name})" not in index]


def test_the_contents_list_every_page():
    assert not pages_missing_from_contents()


def commands_written() -> list[tuple[str, str]]:
    """Each ``sysmap ...`` command line of the guide's code blocks, with its page."""
    found = []
    for page in PAGES:
        in_block = False
        for line in text(page).splitlines():
            if line.startswith("```"):
                in_block = not in_block
                continue
            if in_block and line.startswith("sysmap"):
                found.append((page.name, line.split("  #", 1)[0].strip()))
    return found


def test_the_guide_shows_commands():
    assert len(commands_written()) >= 20


@pytest.mark.parametrize("page,line", commands_written(), ids=lambda v: v if " " in v else None)
def test_every_command_line_shown_is_accepted(page, line):
    argv = shlex.split(line)[1:]
    known = CORE_COMMANDS.keys() | extension_commands().keys()
    if argv and (argv[0] not in known and not argv[0].startswith("-")):
        argv.insert(0, "open")  # as sysmap does: "sysmap FILE" opens FILE
    if "--help" in argv or "-h" in argv:
        return
    try:
        build_parser().parse_args(argv or ["open"])
    except SystemExit as exc:  # argparse refused it
        pytest.fail(f"{page}: `{line}` is not a valid sysmap command line ({exc})")


def test_every_command_named_in_the_text_exists():
    known = CORE_COMMANDS.keys() | extension_commands().keys()
    named = set()
    for page in PAGES:
        named |= set(re.findall(r"`sysmap ([a-z][a-z-]+)", text(page)))
    unknown = sorted(named - known)
    assert not unknown, f"the guide names commands sysmap does not have: {unknown}"
    # and the command-line page covers every command
    page = text(DOCS / "command-line.md")
    missing = sorted(name for name in known if f"sysmap {name}" not in page)
    assert not missing, f"command-line.md leaves out: {missing}"


def menu_paths_written() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for match in MENU_PATH.findall(text(page)):
            found.append((page.name, " ".join(match.split())))
    return found


def test_every_menu_path_is_a_menu_action(qapp_or_skip):
    from sysmap.examples import DEFAULT_EXAMPLE, example_path
    from sysmap.io import load
    from sysmap.ui import guide
    from sysmap.ui.mainwindow import MainWindow

    path = example_path(DEFAULT_EXAMPLE)
    window = MainWindow(load(path), str(path))
    try:
        guide.install(window)  # Help › User Guide, if the window does not add it itself
        real = set()

        def collect(menu, prefix):
            for action in menu.actions():
                if action.isSeparator():
                    continue
                name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
                real.add(" › ".join([*prefix, name]))
                if action.menu() is not None:
                    collect(action.menu(), [*prefix, name])

        for top in window.menuBar().actions():
            collect(top.menu(), [top.text().replace("&", "")])
        written = menu_paths_written()
        assert len(written) >= 40
        wrong = sorted({f"{page}: {p}" for page, p in written if p not in real})
        assert not wrong, "menu paths the app does not have:\n" + "\n".join(wrong)
    finally:
        window.session.ask_save = lambda *a: "discard"
        window.close()
        window.deleteLater()


@pytest.fixture
def qapp_or_skip():
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])
