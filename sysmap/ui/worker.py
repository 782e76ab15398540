"""Work off the GUI thread whose answer the GUI thread collects: no Qt object is used off it.

A :class:`PolledWorker` runs one job at a time on a plain Python thread (a
``ThreadPoolExecutor``); the GUI thread polls the job's ``Future`` with a timer and emits
``answered(token, result)``. Only the latest request counts: a job overtaken before it starts
is not run, and with ``latest_only`` an overtaken answer is dropped. (Emitting Qt signals from,
or dropping QObjects on, a worker thread crashed the process now and then.)
"""

from __future__ import annotations

import concurrent.futures
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from sysmap.errors import SysmapError
from sysmap.ui import gc_guard

#: how often the GUI thread looks for a finished job, in milliseconds
POLL_MS = 25


class PolledWorker(QObject):
    """Runs :meth:`submit`\\ ted work in the background; ``answered(token, result)`` on the GUI thread.

    ``result`` is what the work returned, or one line saying why it failed (a str).
    """

    answered = Signal(int, object)

    def __init__(
        self, parent: QObject | None = None, *, name: str = "sysmap-worker", latest_only: bool = False
    ):
        super().__init__(parent)
        gc_guard.install()  # the worker thread must never run a garbage collection
        self.latest_only = latest_only
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._latest = [0]  # shared with the jobs, which read it from the worker thread
        self._pending: list[tuple[int, Future]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)
        self._finalizer = weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)

    def submit(self, work: Callable[[], object], failure: str) -> int:
        """Run ``work()`` in the background; returns the answer's token. A failure becomes
        "``failure`` (Error: message)"; a :class:`SysmapError` its own message."""
        self._latest[0] += 1
        token = latest = self._latest[0]
        shared = self._latest

        def job() -> object:
            if shared[0] != latest:
                return None  # overtaken before it started: not worth running
            try:
                return work()
            except SysmapError as exc:
                return str(exc)
            except Exception as exc:  # a bug in the analysis must not take the window down
                return f"{failure} ({type(exc).__name__}: {exc})"

        self._pending.append((token, self._executor.submit(job)))
        self._timer.start()
        return token

    def cancel(self) -> None:
        """Forget the requests under way."""
        self._latest[0] += 1

    @property
    def latest(self) -> int:
        """The token of the most recent request."""
        return self._latest[0]

    @property
    def busy(self) -> bool:
        """Whether an answer is still to come."""
        return bool(self._pending)

    def _collect(self) -> None:
        """Emit the answers that are ready (on the GUI thread)."""
        ready = [(token, future) for token, future in self._pending if future.done()]
        self._pending = [item for item in self._pending if not item[1].done()]
        if not self._pending:
            self._timer.stop()
        for token, future in ready:
            result = None if future.cancelled() else future.result()
            if result is not None and (not self.latest_only or token == self._latest[0]):
                self.answered.emit(token, result)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for the work under way and deliver its answers now (tests, shutdown); true if
        none is left."""
        futures = [future for _, future in self._pending]
        _, not_done = concurrent.futures.wait(futures, None if msecs < 0 else msecs / 1000)
        self._collect()
        return not not_done
