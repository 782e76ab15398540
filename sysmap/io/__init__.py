"""Reading and writing maps: :func:`load` and :func:`save` choose the format by file suffix.

Formats: ``.json`` (sysmap's provisional native format). Every reader turns a broken file
into a one-line :class:`sysmap.errors.FileFormatError` naming the file and the place.
"""

from __future__ import annotations

import os
from pathlib import Path

from sysmap.errors import FileFormatError
from sysmap.model import SystemMap

#: Suffix -> module name (under sysmap.io) that has ``read(path)`` and ``write(doc, path)``.
FORMATS = {".json": "jsonmap"}


def _format(path: Path):
    import importlib

    name = FORMATS.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(FORMATS))
        raise FileFormatError(path, None, None, f"unknown file type {path.suffix!r} (known: {known})")
    return importlib.import_module(f"sysmap.io.{name}")


def load(path: str | os.PathLike) -> SystemMap:
    """Read the map in ``path``.

    Raises :class:`FileFormatError` for an unreadable, unknown or broken file.
    """
    path = Path(path)
    module = _format(path)
    if not path.is_file():
        raise FileFormatError(path, None, None, "no such file")
    return module.read(path)


def save(doc: SystemMap, path: str | os.PathLike) -> None:
    """Write ``doc`` to ``path`` atomically: the old file survives any failure."""
    path = Path(path)
    _format(path).write(doc, path)
