"""Garbage is collected on the GUI thread only, once the app has installed the collector."""

import gc
import threading

import pytest

pytest.importorskip("PySide6")

from sysmap.ui import gc_guard


def test_collection_moves_to_the_gui_thread(qapp, qtbot):
    assert gc_guard.install()
    assert not gc.isenabled()  # no thread can set off a collection by allocating
    collected_on = []
    gc.callbacks.append(lambda phase, info: phase == "start" and collected_on.append(threading.get_ident()))
    try:

        class Cycle:
            pass

        for _ in range(50_000):  # enough cycles to pass the youngest generation's threshold
            a, b = Cycle(), Cycle()
            a.b, b.a = b, a
        worker = threading.Thread(target=lambda: [Cycle() for _ in range(10_000)])
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(collected_on), timeout=3000)
        assert set(collected_on) == {threading.get_ident()}
    finally:
        gc.callbacks.pop()
