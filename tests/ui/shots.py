"""Where UI tests save the pictures a developer looks at: ``$SYSMAP_SHOTS``, else a folder of
this user's under the system's temporary directory (never a fixed shared path)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def shots_dir(name: str) -> Path:
    """The folder for the pictures of test group ``name``, created if missing."""
    root = os.environ.get("SYSMAP_SHOTS") or Path(tempfile.gettempdir()) / f"sysmap-shots-{os.getuid()}"
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
