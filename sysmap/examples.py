"""Where the bundled example maps live, and which one the app opens by default."""

from __future__ import annotations

from pathlib import Path

from sysmap.bundled import bundled_dir

DEFAULT_EXAMPLE = "social_care_workload"
_SUFFIXES = (".xmile",)


def examples_dir() -> Path:
    """The folder of example maps (see :func:`sysmap.bundled.bundled_dir`)."""
    return bundled_dir("examples")


def example_path(name: str = DEFAULT_EXAMPLE) -> Path:
    """The file of the example called ``name``, in its preferred format.

    Raises :class:`FileNotFoundError` when no such example is bundled.
    """
    for suffix in _SUFFIXES:
        path = examples_dir() / f"{name}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no example map called {name!r} in {examples_dir()}")


def example_names() -> list[str]:
    """The names of all bundled examples, sorted."""
    folder = examples_dir()
    if not folder.is_dir():
        return []
    return sorted({p.stem for p in folder.iterdir() if p.suffix in _SUFFIXES})
