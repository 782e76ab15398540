"""The desktop integration files in resources/: the .desktop entry, the AppStream metainfo, the
XMILE MIME type and the icons -- what a Linux desktop reads to list, launch and show sysmap.

The freedesktop validators run when they are installed (desktop-file-utils, appstream) and are
skipped otherwise; packaging/install-linux.sh is run into a scratch folder.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest

from sysmap import __version__
from sysmap.io.xmile.names import OLD_NS, XMILE_NS

REPO = Path(__file__).resolve().parent.parent
RES = REPO / "resources"
APP_ID = "io.github.sysmap.sysmap"
DESKTOP = RES / f"{APP_ID}.desktop"
METAINFO = RES / f"{APP_ID}.metainfo.xml"
MIME = RES / f"{APP_ID}.xml"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
XMILE_GLOBS = {"*.xmile", "*.stmx", "*.itmx"}


def desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_desktop_entry_launches_sysmap_on_xmile_files_with_its_icon():
    entry = desktop_entry()
    assert not (RES / "sysmap.desktop").exists(), "the entry is named after the application id"
    assert entry["Type"] == "Application" and entry["Name"] == "sysmap"
    command, *codes = entry["Exec"].split()
    assert command == "sysmap" and codes in (["%f"], ["%F"]), "opens the file the desktop passes"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert set(filter(None, entry["MimeType"].split(";"))) == {"application/x-xmile"}
    categories = set(filter(None, entry["Categories"].split(";")))
    main = {
        "AudioVideo",
        "Development",
        "Education",
        "Game",
        "Graphics",
        "Network",
        "Office",
        "Science",
        "Settings",
        "System",
        "Utility",
    }
    assert categories & main, "a main category, or the entry lands in 'Other'"
    # Qt names the X11 window class after the application name ("sysmap"); under Wayland the
    # app id is the desktop file name that sysmap.ui.app sets. Either way the icon is found.
    assert entry["StartupWMClass"] == "sysmap"


def test_the_metainfo_names_the_app_its_version_launcher_binary_and_screenshots():
    root = ElementTree.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("name") == "sysmap" and root.findtext("summary")
    assert root.find("description/p") is not None
    launchable = root.find("launchable")
    assert launchable.get("type") == "desktop-id" and launchable.text == DESKTOP.name
    assert [b.text for b in root.findall("provides/binary")] == ["sysmap"]
    assert [m.text for m in root.findall("provides/mediatype")] == ["application/x-xmile"]
    assert root.find("content_rating").get("type").startswith("oars-")
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == __version__, "the newest release is this version"
    images = [s.findtext("image") for s in root.findall("screenshots/screenshot")]
    assert images and root.find("screenshots/screenshot").get("type") == "default"
    for url in images:
        parsed = urlparse(url)
        assert parsed.scheme == "https"
        name = Path(parsed.path).name
        assert "/resources/screenshots/" in parsed.path and (RES / "screenshots" / name).is_file(), url


def test_the_mime_type_recognises_xmile_by_suffix_and_by_root_element():
    root = ElementTree.parse(MIME).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime_type,) = root.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == "application/x-xmile"
    assert {g.get("pattern") for g in mime_type.findall(f"{MIME_NS}glob")} == XMILE_GLOBS
    roots = {(r.get("namespaceURI"), r.get("localName")) for r in mime_type.findall(f"{MIME_NS}root-XML")}
    assert roots == {(XMILE_NS, "xmile"), (OLD_NS, "xmile")}
    assert mime_type.find(f"{MIME_NS}sub-class-of").get("type") == "application/xml"
    assert mime_type.findtext(f"{MIME_NS}comment")


@pytest.mark.parametrize("size", ICON_SIZES)
def test_the_icon_exists_at_each_size(size):
    path = RES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png_size(path) == (size, size)


def test_the_scalable_icon_is_the_master():
    scalable = RES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (RES / "sysmap.svg").read_bytes(), "run packaging/make_icons.py"
    assert (REPO / "sysmap" / "ui" / "icons" / "sysmap.svg").read_bytes() == scalable.read_bytes()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_file_validate_accepts_the_entry():
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    problems = [line for line in done.stdout.splitlines() if "error:" in line or "warning:" in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream (appstreamcli) not installed")
def test_appstreamcli_validates_the_metainfo():
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32" or shutil.which("bash") is None, reason="a Linux install script")
def test_install_linux_puts_everything_where_the_desktop_looks(tmp_path):
    share = tmp_path / "share"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFIX", "DESTDIR", "EXEC")}
    env["XDG_DATA_HOME"] = str(share)
    done = subprocess.run(
        ["bash", str(REPO / "packaging" / "install-linux.sh")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (share / "applications" / DESKTOP.name).read_bytes() == DESKTOP.read_bytes()
    assert (share / "metainfo" / METAINFO.name).is_file()
    assert (share / "mime" / "packages" / MIME.name).is_file()
    for size in ICON_SIZES:
        icon = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(icon) == (size, size)
    if shutil.which("update-mime-database"):
        assert (share / "mime" / "application" / "x-xmile.xml").is_file(), "the MIME database was updated"

    done = subprocess.run(
        ["bash", str(REPO / "packaging" / "install-linux.sh"), "--uninstall"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not list(share.rglob(f"{APP_ID}*")), "uninstall removes every installed file"


@pytest.mark.parametrize("size", (16, 48, 256))
def test_the_committed_icons_are_drawn_from_the_master(qapp, size):
    """packaging/make_icons.py must be run again after resources/sysmap.svg changes."""
    import importlib.util

    pytest.importorskip("PySide6.QtSvg")

    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    spec = importlib.util.spec_from_file_location("make_icons", REPO / "packaging" / "make_icons.py")
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    fresh = make_icons.render_icon(QSvgRenderer(str(RES / "sysmap.svg")), size)
    fresh = fresh.convertToFormat(QImage.Format.Format_ARGB32)
    committed = QImage(str(make_icons.icon_path(size))).convertToFormat(QImage.Format.Format_ARGB32)
    assert committed.size() == fresh.size()
    differ = sum(
        1
        for y in range(size)
        for x in range(size)
        if max(
            abs(a - b)
            for a, b in zip(committed.pixelColor(x, y).getRgb(), fresh.pixelColor(x, y).getRgb(), strict=True)
        )
        > 24
    )
    assert differ <= size * size // 50, "run packaging/make_icons.py"
