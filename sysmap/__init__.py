"""sysmap: causal loop diagrams and stock-and-flow maps, analysed and simulated.

Importing :mod:`sysmap` loads nothing heavy; the subpackages are imported on demand.
"""

__version__ = "0.1.0"
