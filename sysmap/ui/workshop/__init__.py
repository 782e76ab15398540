"""The Workshop menu: what a facilitator uses in the room (presentations, perspectives,
dot votes, open loops, merging tables' maps, comparing versions, archetype templates).

Each module here offers ``install(window)``, which adds its actions to the main window's
``workshop_menu`` and its panels as docks; :func:`install_all` calls them in menu order.
"""

from __future__ import annotations


def install_all(window) -> None:
    """Add every workshop tool to ``window`` (a :class:`sysmap.ui.mainwindow.MainWindow`)."""
    from sysmap.ui.workshop import (
        archetype_insert,
        compare,
        merge_dialog,
        open_loops_view,
        perspectives_panel,
        sequence_editor,
        votes_view,
    )

    sequence_editor.install(window)
    window.workshop_menu.addSeparator()
    perspectives_panel.install(window)
    votes_view.install(window)
    open_loops_view.install(window)
    window.workshop_menu.addSeparator()
    merge_dialog.install(window)
    compare.install(window)
    window.workshop_menu.addSeparator()
    archetype_insert.install(window)
