"""Build hook: ship the top-level ``examples/``, ``docs/`` and ``resources/`` folders inside the
package, as ``sysmap/_bundled/<name>/`` (where :func:`sysmap.bundled.bundled_dir` finds them).

Everything else about the build is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: The folders copied, and the names (glob patterns) left out at their top level: the README's
#: screenshots, the scripts that make the guide's pictures.
BUNDLED = {"examples": (), "docs": ("*.py",), "resources": ("screenshots",)}
_JUNK = ("__pycache__", "*.pyc", ".*")


class build_py_with_bundled(build_py):
    """``build_py`` that also copies the shipped folders into ``sysmap/_bundled/``.

    A folder that is missing (``docs/`` before the guide exists, or an sdist built without
    it) is skipped. Editable installs need no copies: there ``bundled_dir`` finds the
    source checkout's folders.
    """

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "sysmap" / "_bundled"
        if target.exists():
            shutil.rmtree(target)  # a stale copy from an earlier build must not linger
        for name, leave_out in BUNDLED.items():
            source = HERE / name
            if not source.is_dir():
                continue

            def ignore(folder: str, names: list[str], _top=source, _skip=leave_out) -> set[str]:
                skipped = set(shutil.ignore_patterns(*_JUNK)(folder, names))
                if _skip and Path(folder) == _top:
                    skipped |= set(shutil.ignore_patterns(*_skip)(folder, names))
                return skipped

            shutil.copytree(source, target / name, ignore=ignore)


setup(cmdclass={"build_py": build_py_with_bundled})
