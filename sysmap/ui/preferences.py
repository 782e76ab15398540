"""Edit › Preferences: how often unsaved changes are autosaved, whether maps open in the
projector style, and whether the tour shows at the next start.

The dialog edits a :class:`~sysmap.ui.settings.Settings`; :meth:`PreferencesDialog.apply`
stores what the user chose and applies it at once to the open windows (the autosave interval
of every window's session, the projector style of the window the dialog belongs to)::

    dialog = PreferencesDialog(window.settings, window)
    dialog.accepted.connect(lambda: dialog.apply(window))
    dialog.open()
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sysmap.ui.settings import MAX_AUTOSAVE_SECONDS, Settings


class PreferencesDialog(QDialog):
    """The preferences, filled in from ``settings``; OK then :meth:`apply` stores them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings

        self.autosave = QSpinBox()
        self.autosave.setRange(0, MAX_AUTOSAVE_SECONDS)
        self.autosave.setSingleStep(10)
        self.autosave.setSuffix(" s")
        self.autosave.setSpecialValueText("Off")
        self.autosave.setValue(settings.autosave_interval)
        self.autosave.setToolTip(
            "How often a map with unsaved changes is copied aside, so that a crash loses "
            "little. 0 turns autosave off."
        )
        self.projector = QCheckBox("Draw maps in the projector style (large type, thick lines)")
        self.projector.setChecked(settings.projector_style)
        self.tour = QCheckBox("Show the tour at the next start")
        self.tour.setChecked(not settings.tour_seen)

        form = QFormLayout()
        interval = QHBoxLayout()
        interval.addWidget(self.autosave)
        interval.addStretch(1)
        form.addRow("Autosave every", interval)
        note = QLabel(
            "A map with unsaved changes is copied aside this often; after a crash sysmap offers it back."
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        form.addRow("", note)
        form.addRow("Projector", self.projector)
        form.addRow("Tour", self.tour)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(buttons)

    def apply(self, window=None) -> None:
        """Store the choices; give every open main window's session the autosave interval,
        and ``window`` (a :class:`~sysmap.ui.mainwindow.MainWindow`) the projector style."""
        from sysmap.ui.mainwindow import MainWindow

        settings = self.settings
        settings.autosave_interval = self.autosave.value()
        settings.projector_style = self.projector.isChecked()
        settings.tour_seen = not self.tour.isChecked()
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if window is not None and window not in windows:
            windows.append(window)
        for each in windows:
            if each.settings.store.fileName() == settings.store.fileName():
                each.session.set_autosave_interval(settings.autosave_interval)
        if window is not None:
            window.set_projector_style(settings.projector_style)
