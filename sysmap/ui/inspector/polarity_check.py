"""The polarity a link's equations imply, derived off the GUI thread and compared with the drawn mark.

Deriving loads sympy the first time (about half a second) and can take longer on long
equations, so it runs on a snapshot of the map in a thread pool; the answer comes back by
signal, tagged so that a stale answer (the user moved on) is dropped.
"""

from __future__ import annotations

import concurrent.futures
import weakref
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from sysmap.errors import SysmapError
from sysmap.model import SystemMap
from sysmap.ui import gc_guard

_SIGNS = {"+": "+", "-": "−", "?": "?", "": "none"}
#: how often the GUI thread looks for a finished derivation, in milliseconds
POLL_MS = 25


def verdict(drawn: str, sign: str, words: str, target: str, source: str) -> tuple[str, str]:
    """What to tell the user about a link drawn ``drawn`` whose equations say ``sign``.

    Returns ``(text, tone)``; tone ``ok`` for agreement, ``warning`` for a contradiction.

    >>> verdict("+", "+", "+", "Sick leave", "Workload")
    ('Equations say: + (agrees)', 'ok')
    >>> verdict("+", "-", "-", "Sick leave", "Workload")
    ('Equations say: − (drawn +)', 'warning')
    """
    shown = _SIGNS.get(sign, sign)
    if sign == "0":
        return f"Equations say: no effect — {target}'s equation does not use {source}", "warning"
    if sign in ("+", "-"):
        if drawn == sign:
            return f"Equations say: {shown} (agrees)", "ok"
        if drawn in ("+", "-"):
            return f"Equations say: {shown} (drawn {_SIGNS[drawn]})", "warning"
        return f"Equations say: {shown} (the link is {'unmarked' if not drawn else 'marked ?'})", "muted"
    return f"Equations say: {words or '?'}", "muted"


class PolarityDeriver(QObject):
    """Derives link polarities in the background: :meth:`request` now, ``derived`` later.

    ``derived(token, result)`` carries the token :meth:`request` returned and either a
    :class:`sysmap.analysis.polarity.LinkPolarity` or, when it could not be derived, an
    error message (str).

    The work runs on a plain Python thread that touches no Qt object; the GUI thread polls
    for the answer with a timer and emits it. (Emitting from, or dropping, a QObject on the
    worker thread crashed the process now and then during garbage collection.)
    """

    derived = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        gc_guard.install()  # the worker thread must never run a garbage collection
        # One derivation at a time; requests the user has moved past are skipped, not run.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sysmap-polarity")
        self._latest = [0]  # shared with the jobs, which read it from the worker thread
        self._pending: list[tuple[int, Future]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)
        self._finalizer = weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)

    def request(self, doc: SystemMap, cause: str, effect: str) -> int:
        """Start deriving the polarity of ``cause`` → ``effect``; returns the answer's token."""
        self._latest[0] += 1
        token = latest = self._latest[0]
        shared = self._latest
        snapshot = doc.copy()

        def job() -> object:
            if shared[0] != latest:
                return None  # superseded: not worth deriving
            from sysmap.analysis.polarity import derive_polarity

            try:
                return derive_polarity(snapshot, cause, effect)
            except SysmapError as exc:
                return str(exc)
            except Exception as exc:  # a failure inside sympy must not take the window down
                return f"could not derive it ({type(exc).__name__})"

        self._pending.append((token, self._executor.submit(job)))
        self._timer.start()
        return token

    def _collect(self) -> None:
        """Emit the answers that are ready (on the GUI thread)."""
        ready = [(token, future) for token, future in self._pending if future.done()]
        self._pending = [item for item in self._pending if not item[1].done()]
        if not self._pending:
            self._timer.stop()
        for token, future in ready:
            result = None if future.cancelled() else future.result()
            if result is not None:
                self.derived.emit(token, result)

    @property
    def latest(self) -> int:
        """The token of the most recent request."""
        return self._latest[0]

    def wait(self, msecs: int = -1) -> bool:
        """Wait for the derivations under way and deliver their answers now (tests, shutdown);
        true if none is left."""
        futures = [future for _, future in self._pending]
        done, not_done = concurrent.futures.wait(futures, None if msecs < 0 else msecs / 1000)
        self._collect()
        return not not_done
