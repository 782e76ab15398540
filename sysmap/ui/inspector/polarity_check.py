"""The polarity a link's equations imply, derived off the GUI thread and compared with the drawn mark.

Deriving loads sympy the first time (about half a second) and can take longer on long
equations, so it runs on a snapshot of the map in a thread pool; the answer comes back by
signal, tagged so that a stale answer (the user moved on) is dropped.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, QThreadPool, Signal

from sysmap.errors import SysmapError
from sysmap.model import SystemMap

_SIGNS = {"+": "+", "-": "−", "?": "?", "": "none"}


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
    """

    derived = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        # One derivation at a time; requests the user has moved past are skipped, not run.
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(1)
        self._latest = [0]  # shared with the jobs, which read it from the pool's thread

    def request(self, doc: SystemMap, cause: str, effect: str) -> int:
        """Start deriving the polarity of ``cause`` → ``effect``; returns the answer's token."""
        self._latest[0] += 1
        token = latest = self._latest[0]
        shared = self._latest
        snapshot = doc.copy()
        relay = _Relay()
        relay.done.connect(self.derived)

        def job() -> None:
            if shared[0] != latest:
                return
            from sysmap.analysis.polarity import derive_polarity

            try:
                result: object = derive_polarity(snapshot, cause, effect)
            except SysmapError as exc:
                result = str(exc)
            except Exception as exc:  # a failure inside sympy must not take the window down
                result = f"could not derive it ({type(exc).__name__})"
            with contextlib.suppress(RuntimeError):  # the application is shutting down
                relay.done.emit(token, result)

        self._pool.start(job)
        return token

    @property
    def latest(self) -> int:
        """The token of the most recent request."""
        return self._latest[0]

    def wait(self, msecs: int = -1) -> bool:
        """Wait for the running derivation to finish (tests, shutdown); true if none is left."""
        return self._pool.waitForDone(msecs)


class _Relay(QObject):
    """Carries one answer from the pool thread to the GUI thread (kept alive by the job)."""

    done = Signal(int, object)
