"""Where the files sysmap ships beside its code are: example maps, the user guide, desktop
resources (icons, the .desktop entry, AppStream metainfo).

In a source checkout they are the top-level folders ``examples/``, ``docs/`` and
``resources/``. A wheel or a PyInstaller bundle carries copies under ``sysmap/_bundled/`` (the
build copies them there: see ``setup.py`` and ``packaging/sysmap.spec``), which are preferred
when present.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
#: The folders shipped, by name.
SHIPPED = ("examples", "docs", "resources")


def bundled_dir(name: str) -> Path:
    """The shipped folder ``name`` (one of :data:`SHIPPED`): the installed copy when there
    is one, else the source checkout's. The path may not exist (a stripped install).

    >>> bundled_dir("examples").name
    'examples'
    """
    if name not in SHIPPED:
        raise ValueError(f"sysmap ships no folder {name!r}")
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name
