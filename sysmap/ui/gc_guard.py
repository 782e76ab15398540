"""Python's cyclic garbage collection, run only on the GUI thread.

sysmap does long work (loop searches, polarity derivation, ensembles, autosave) on worker
threads. CPython starts a cyclic collection in whichever thread happens to allocate, so a
worker could free a garbage cycle holding Qt objects (a closed window's scene, a dropped
widget), whose C++ destructors must run on the GUI thread: the process crashed now and then.
:func:`install` turns automatic collection off and collects from a timer on the GUI thread
instead, generation by generation as the counts grow (the pattern pyqtgraph uses).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: how often the GUI thread looks at the collector's counts
INTERVAL_MS = 500

_collector: _GuiThreadCollector | None = None


class _GuiThreadCollector(QObject):
    def __init__(self, app: QCoreApplication):
        super().__init__(app)
        self.threshold = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        """Collect the generations whose counts passed their thresholds, as CPython would."""
        young, middle, old = gc.get_count()
        if young > self.threshold[0]:
            generation = 0
            if middle > self.threshold[1]:
                generation = 1
                if old > self.threshold[2]:
                    generation = 2
            gc.collect(generation)


def install() -> bool:
    """Collect garbage on the GUI thread only, from now on (idempotent; needs a QApplication).

    Returns whether the GUI-thread collector is in place.
    """
    global _collector
    app = QCoreApplication.instance()
    if app is None:
        return False
    if _collector is None:
        gc.disable()
        _collector = _GuiThreadCollector(app)
    return True
