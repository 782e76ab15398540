"""Test set-up shared by every test module: Qt runs offscreen, before any QApplication exists."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo() -> Path:
    """The repository root (for running ``python -m sysmap`` as a user would)."""
    return REPO
