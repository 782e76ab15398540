"""The error the simulator reports: one line naming the variable (and the column of a parse error)."""

from __future__ import annotations

from sysmap.errors import SysmapError


class SimulationError(SysmapError):
    """A model that cannot be compiled or run, said in one line.

    ``variable`` names the variable at fault, when there is one.

    >>> str(SimulationError("calls unknown function 'foo'", variable="growth"))
    'variable "growth": calls unknown function \\'foo\\''
    >>> str(SimulationError("the model has no equations"))
    'the model has no equations'
    """

    def __init__(self, message: str, *, variable: str | None = None):
        self.message = message
        self.variable = variable
        super().__init__(str(self))

    def __str__(self) -> str:
        return f'variable "{self.variable}": {self.message}' if self.variable else self.message
