"""Run sysmap as ``python -m sysmap``."""

import sys

from sysmap.cli import main

sys.exit(main())
