"""The inspector panel: properties of the selected elements, edited in place.

The main window puts an :class:`Inspector` in a dock, hands it the document and undo stack
(:meth:`Inspector.set_session`) and tells it what the canvas selects
(:meth:`Inspector.show_elements`). Pages: the map itself (:mod:`.map_page`), a variable
(:mod:`.variable_page`, with the live equation check of :mod:`.equation`), a link
(:mod:`.link_page`, with the polarity the equations imply from :mod:`.polarity_check`), loop
labels and notes (:mod:`.annotation_pages`), several elements (:mod:`.selection_page`).
"""

from sysmap.ui.inspector.panel import Inspector

__all__ = ["Inspector"]
