"""The UI tests share a driver (``canvas_driver.py``) that acts on a map view as a user does."""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
