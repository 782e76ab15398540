"""What a run gives back: the saved times and every variable's values, by any spelling of its name.

>>> import numpy as np
>>> r = Results(np.array([0.0, 1.0]), ["Stock A[Entry 1]"], np.array([[5.0], [6.0]]))
>>> r["stock_a[entry 1]"].tolist()
[5.0, 6.0]
"""

from __future__ import annotations

import csv
import os

import numpy as np

from sysmap.model.names import canonical_name
from sysmap.sim.errors import SimulationError


def result_key(name: str) -> str:
    """The key under which two spellings of a (possibly subscripted) name are the same.

    >>> result_key('"Stock A"[Entry 1, x]') == result_key("stock_a[entry_1,X]")
    True
    """
    name = name.strip()
    if name.endswith("]") and "[" in name:
        base, _, inner = name[:-1].partition("[")
        parts = ",".join(canonical_name(p) for p in inner.split(","))
        return f"{canonical_name(base)}[{parts}]"
    return canonical_name(name)


class Results:
    """Saved values of a run or an ensemble.

    ``times`` has one entry per save; ``names`` are display names (array elements as
    ``name[elem,elem]``); ``results[name]`` is an array of shape ``(saves,)`` for one run,
    ``(saves, runs)`` for an ensemble.
    """

    def __init__(
        self,
        times: np.ndarray,
        names: list[str],
        data: np.ndarray,
        keys: dict | None = None,
        constants: dict[str, float] | None = None,
    ):
        """``constants`` are values every saved time shares, by :meth:`keyed_constants`."""
        self.times = times
        self.names = list(names)
        self.data = data
        if keys is None:
            keys = {}
            for i, name in enumerate(self.names):
                keys.setdefault(result_key(name), []).append(i)
        self._keys = keys
        self._constants = constants or {}

    @staticmethod
    def keyed_constants(constants: dict[str, float], keys: dict) -> dict[str, float]:
        """``constants`` by result key, leaving out the names ``keys`` (the variables) holds:
        Vensim's control variables (INITIAL TIME, TIME STEP...) when the model has none."""
        return {result_key(k): v for k, v in constants.items() if result_key(k) not in keys}

    @property
    def runs(self) -> int:
        return 1 if self.data.ndim == 2 else self.data.shape[2]

    def index(self, name: str) -> int:
        """The column of ``name``; raises :class:`SimulationError` for an unknown or array name."""
        found = self._keys.get(result_key(name))
        if not found:
            raise SimulationError(f'the results hold no variable named "{name}"')
        found = list(dict.fromkeys(found))
        if len(found) > 1:
            raise SimulationError(f'"{name}" is an array; ask for one element, as in {self.names[found[0]]}')
        return found[0]

    def __getitem__(self, name: str) -> np.ndarray:
        key = result_key(name)
        if key in self._constants and key not in self._keys:
            shape = self.data.shape[:1] + self.data.shape[2:]
            return np.full(shape, self._constants[key])
        if key == "time" and key not in self._keys:
            return self.times if self.runs == 1 else np.repeat(self.times[:, None], self.runs, axis=1)
        return self.data[:, self.index(name)]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = result_key(name)
        return len(set(self._keys.get(key, ()))) == 1 or key in self._constants or key == "time"

    def to_csv(self, path: str | os.PathLike) -> None:
        """Write a CSV file: a ``time`` column, then one column per variable (the first run)."""
        data = self.data if self.data.ndim == 2 else self.data[:, :, 0]
        try:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["time", *self.names])
                for t, row in zip(self.times, data, strict=True):
                    writer.writerow([_number(t), *(_number(v) for v in row)])
        except OSError as exc:
            raise SimulationError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None


def _number(value: float) -> str:
    return repr(float(value))
