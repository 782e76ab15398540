"""The simulation panel: run the model, plot it, vary constants with sliders, draw sensitivity bands.

The main window puts a :class:`SimulationPanel` in a dock and calls
:meth:`SimulationPanel.set_session` with each document. Parts: :mod:`.constants` (which
variables get sliders, Qt-free), :mod:`.sliders`, :mod:`.plots` (pyqtgraph),
:mod:`.sensitivity` (ensembles off the GUI thread) and :mod:`.panel`.
"""

from sysmap.ui.simulation.panel import SimulationPanel

__all__ = ["SimulationPanel"]
