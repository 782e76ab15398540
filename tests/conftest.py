"""Test set-up shared by every test module: Qt runs offscreen, before any QApplication exists."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Settings (recent files) and autosave recovery files go to a scratch folder, never the user's;
# apps started by the tests inherit it.
_SCRATCH = tempfile.mkdtemp(prefix="sysmap-tests-")
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SCRATCH, "config")
os.environ["SYSMAP_RECOVERY_DIR"] = os.path.join(_SCRATCH, "recovery")

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "tests") not in sys.path:  # shared test helpers such as edit_checks
    sys.path.insert(0, str(REPO / "tests"))
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo() -> Path:
    """The repository root (for running ``python -m sysmap`` as a user would)."""
    return REPO


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Each test starts with no stored settings (window layout, projector style, tour seen):
    a window closed by one test must not shape the next test's window."""
    yield
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:
        store = qtcore.QSettings("sysmap", "sysmap")
        store.clear()
        store.sync()
