"""The polarity a link's equations imply, derived off the GUI thread and compared with the drawn mark.

Deriving loads sympy the first time (about half a second) and can take longer on long
equations, so it runs on a snapshot of the map in a thread pool; the answer comes back by
signal, tagged so that a stale answer (the user moved on) is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from sysmap.model import SystemMap
from sysmap.ui.worker import PolledWorker

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


class PolarityDeriver(PolledWorker):
    """Derives link polarities in the background: :meth:`request` now, ``derived`` later.

    ``derived(token, result)`` carries the token :meth:`request` returned and either a
    :class:`sysmap.analysis.polarity.LinkPolarity` or, when it could not be derived, an
    error message (str). One derivation at a time; requests the user has moved past are
    skipped, not run.
    """

    derived = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent, name="sysmap-polarity")
        self.answered.connect(self.derived)

    def request(self, doc: SystemMap, cause: str, effect: str) -> int:
        """Start deriving the polarity of ``cause`` → ``effect``; returns the answer's token."""
        snapshot = doc.copy()

        def work() -> object:
            from sysmap.analysis.polarity import derive_polarity

            return derive_polarity(snapshot, cause, effect)

        return self.submit(work, "could not derive it")
