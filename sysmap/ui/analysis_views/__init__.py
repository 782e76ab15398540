"""Analysis views for the window's docks: leverage ranking, causes and uses trees, polarity check
and archetypes. Each is a QWidget with ``set_session(doc, stack, scene)``."""

from sysmap.ui.analysis_views.archetypes_view import ArchetypesView
from sysmap.ui.analysis_views.leverage_view import LeverageView
from sysmap.ui.analysis_views.polarity_view import PolarityView
from sysmap.ui.analysis_views.trees_view import TreesView

__all__ = ["ArchetypesView", "LeverageView", "PolarityView", "TreesView"]
