"""Work off the GUI thread whose answer the GUI thread collects: no Qt object is used off it.

A :class:`PolledWorker` runs one job at a time on a plain Python thread (a
``ThreadPoolExecutor``); the GUI thread polls the jobs' ``Future``\\ s with a timer and emits
``answered(token, result)``, and ``progress(token, item)`` for what a job :meth:`Job.report`\\ s
while it runs. A request normally overtakes those before it: a job overtaken before it starts is
not run, a running one sees :meth:`Job.cancelled` turn true, and with ``latest_only`` an
overtaken answer (and its reports) is dropped. A request made with ``overtake=False`` joins the
work under way instead (a follow-up of the same document, say). (Emitting Qt signals from, or
dropping QObjects on, a worker thread crashed the process now and then.)
"""

from __future__ import annotations

import concurrent.futures
import queue
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from sysmap.errors import SysmapError
from sysmap.ui import gc_guard

#: how often the GUI thread looks for a finished job, in milliseconds
POLL_MS = 25

_SKIPPED = object()  # what a job overtaken before it started answers


class Job:
    """What running work may ask of the worker (from the worker thread): whether its answer is
    still wanted, and how to hand over partial results. Holds no Qt object."""

    def __init__(self, token: int, epoch: int, current: list[int], reports: queue.SimpleQueue):
        self.token = token
        self._epoch, self._current, self._reports = epoch, current, reports

    def cancelled(self) -> bool:
        """Whether the answer is no longer wanted (overtaken, or the worker was cancelled)."""
        return self._current[0] != self._epoch

    def report(self, item: object) -> None:
        """Hand ``item`` over now: the GUI thread emits ``progress(token, item)`` before the answer."""
        self._reports.put((self.token, self._epoch, item))


class PolledWorker(QObject):
    """Runs :meth:`submit`\\ ted work in the background; ``answered(token, result)`` on the GUI thread.

    ``result`` is what the work returned, or one line saying why it failed (a str).
    """

    answered = Signal(int, object)
    progress = Signal(int, object)

    def __init__(
        self, parent: QObject | None = None, *, name: str = "sysmap-worker", latest_only: bool = False
    ):
        super().__init__(parent)
        gc_guard.install()  # the worker thread must never run a garbage collection
        self.latest_only = latest_only
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._count = 0  # the last token (or cancellation) handed out
        self._current = [0]  # the work that counts, shared with the jobs, read on the worker thread
        self._reports: queue.SimpleQueue = queue.SimpleQueue()
        self._pending: list[tuple[int, int, Future]] = []  # token, epoch, future
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)
        self._finalizer = weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)

    def submit(self, work: Callable[[], object], failure: str, *, overtake: bool = True) -> int:
        """Run ``work()`` in the background; returns the answer's token. A failure becomes
        "``failure`` (Error: message)"; a :class:`SysmapError` its own message. With
        ``overtake=False`` the work joins that under way instead of overtaking it."""
        return self.submit_job(lambda _job: work(), failure, overtake=overtake)

    def submit_job(self, work: Callable[[Job], object], failure: str, *, overtake: bool = True) -> int:
        """Like :meth:`submit`, but runs ``work(job)``: the work may ask ``job.cancelled()``
        (pass it on as a cancel token) and ``job.report(item)`` partial results."""
        self._count += 1
        token = self._count
        if overtake:
            self._current[0] = token
        epoch, current, reports = self._current[0], self._current, self._reports

        def run() -> object:
            job = Job(token, epoch, current, reports)
            if job.cancelled():
                return _SKIPPED  # overtaken before it started: not worth running
            try:
                return work(job)
            except SysmapError as exc:
                return str(exc)
            except Exception as exc:  # a bug in the analysis must not take the window down
                return f"{failure} ({type(exc).__name__}: {exc})"

        self._pending.append((token, epoch, self._executor.submit(run)))
        self._timer.start()
        return token

    def cancel(self) -> None:
        """Forget the requests under way (their jobs see :meth:`Job.cancelled` turn true)."""
        self._count += 1
        self._current[0] = self._count

    @property
    def latest(self) -> int:
        """The token of the most recent overtaking request (after :meth:`cancel`, one no request has)."""
        return self._current[0]

    @property
    def busy(self) -> bool:
        """Whether an answer is still to come."""
        return bool(self._pending)

    def _wanted(self, epoch: int) -> bool:
        return not self.latest_only or epoch == self._current[0]

    def _collect(self) -> None:
        """Emit the reports and answers that are ready (on the GUI thread)."""
        # the finished jobs first: every report they made is queued by then, and goes out before them
        ready = [item for item in self._pending if item[2].done()]
        self._pending = [item for item in self._pending if not item[2].done()]
        if not self._pending:
            self._timer.stop()
        reports = []
        while True:
            try:
                reports.append(self._reports.get_nowait())
            except queue.Empty:
                break
        for token, epoch, item in reports:
            if self._wanted(epoch):
                self.progress.emit(token, item)
        for token, epoch, future in ready:
            result = None if future.cancelled() else future.result()
            if result is not None and result is not _SKIPPED and self._wanted(epoch):
                self.answered.emit(token, result)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for the work under way and deliver its answers now (tests, shutdown); true if
        none is left."""
        futures = [future for *_, future in self._pending]
        _, not_done = concurrent.futures.wait(futures, None if msecs < 0 else msecs / 1000)
        self._collect()
        return not not_done
