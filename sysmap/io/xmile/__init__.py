"""XMILE 1.0 (OASIS), the format Stella, Simlin, PySD and Vensim's converters share.

:func:`read_with_warnings` loads the files people actually have (see
:mod:`sysmap.io.xmile.reader`); :func:`write` saves canonical XMILE (see
:mod:`sysmap.io.xmile.writer`) atomically. What sysmap does not interpret is kept and
written back, so a file from another tool survives a round trip through sysmap.
"""

from __future__ import annotations

import os

from sysmap.io.atomic import write_atomic
from sysmap.io.xmile.reader import parse, read_with_warnings
from sysmap.io.xmile.writer import dumps
from sysmap.model import SystemMap


def read(path: str | os.PathLike) -> SystemMap:
    """Read the XMILE file at ``path`` (warnings are dropped; see :func:`read_with_warnings`)."""
    return read_with_warnings(path)[0]


def loads(data: bytes, path: str | os.PathLike = "<string>") -> SystemMap:
    """A document from XMILE bytes."""
    return parse(data, path)[0]


def write(doc: SystemMap, path: str | os.PathLike) -> list[str]:
    """Save ``doc`` as canonical XMILE, atomically; XMILE keeps everything, so no warnings."""
    write_atomic(path, dumps(doc))
    return []


__all__ = ["dumps", "loads", "parse", "read", "read_with_warnings", "write"]
