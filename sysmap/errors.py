"""Errors that reach the user as one line, never as a traceback."""

from __future__ import annotations

import os


class SysmapError(Exception):
    """Base class for every error sysmap reports to its user."""


class FileFormatError(SysmapError):
    """A file could not be read; the message names the file and, where known, the place.

    >>> str(FileFormatError("model.xmile", 5, 17, "unknown element <foo>"))
    'model.xmile:5:17: unknown element <foo>'
    >>> str(FileFormatError("map.graphml", None, None, "no <graph> element"))
    'map.graphml: no <graph> element'
    """

    def __init__(self, path: str | os.PathLike, line: int | None, col: int | None, msg: str):
        self.path = os.fspath(path)
        self.line = line
        self.col = col
        self.msg = msg
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.path
        if self.line is not None:
            place += f":{self.line}"
            if self.col is not None:
                place += f":{self.col}"
        return f"{place}: {self.msg}"


class ModelError(SysmapError):
    """An edit would break the document's rules (duplicate name, unknown id, wrong kind)."""
