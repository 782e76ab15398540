"""Reading and writing maps: :func:`load` and :func:`save` choose the format by file suffix.

Formats: ``.xmile`` (also ``.stmx``, ``.itmx``: XMILE 1.0, the canonical format),
``.graphml`` (causal structure for yEd, Gephi and networkx). Every reader turns a broken file into a
one-line :class:`sysmap.errors.FileFormatError` naming the file and the place; problems a
reader can work around come back as warnings from :func:`load_with_warnings`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from sysmap.errors import FileFormatError
from sysmap.model import SystemMap

#: Suffix -> module (under sysmap.io) with ``read(path)`` and ``write(doc, path)``, and
#: optionally ``read_with_warnings(path)``.
FORMATS = {
    ".xmile": "xmile",
    ".stmx": "xmile",
    ".itmx": "xmile",
    ".graphml": "graphml",
}


def _format(path: Path):
    name = FORMATS.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(FORMATS))
        raise FileFormatError(path, None, None, f"unknown file type {path.suffix!r} (known: {known})")
    return importlib.import_module(f"sysmap.io.{name}")


def load_with_warnings(path: str | os.PathLike) -> tuple[SystemMap, list[str]]:
    """Read the map in ``path``; returns it with the warnings met (each ``file:line: ...``).

    Raises :class:`FileFormatError` for an unreadable, unknown or broken file.
    """
    path = Path(path)
    module = _format(path)
    if not path.is_file():
        raise FileFormatError(path, None, None, "no such file")
    if hasattr(module, "read_with_warnings"):
        return module.read_with_warnings(path)
    return module.read(path), []


def load(path: str | os.PathLike) -> SystemMap:
    """Read the map in ``path`` (see :func:`load_with_warnings`)."""
    return load_with_warnings(path)[0]


def save(doc: SystemMap, path: str | os.PathLike) -> list[str]:
    """Write ``doc`` to ``path`` atomically (the old file survives any failure).

    Returns warnings about what the format cannot hold (e.g. equations in GraphML).
    """
    path = Path(path)
    return _format(path).write(doc, path) or []
