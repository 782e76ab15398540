"""One open document and everything about it except the widgets: file, undo stack, saving,
recent files, autosave and crash recovery.

A :class:`Session` owns the :class:`~sysmap.model.SystemMap` being edited, the path it came from
and its ``QUndoStack``, whose clean state is "saved". While there are unsaved changes it writes
the map every ``autosave_interval`` seconds to a recovery file (XMILE, with a small JSON sidecar
naming the original file, the time and the process) in the recovery directory -- a snapshot
taken on the GUI thread, written by a background thread. A clean save,
closing without saving and a normal exit remove it; a crash leaves it behind, and the next start
finds it with :meth:`Session.pending_recoveries` and brings it back with :meth:`Recovery.restore`.

The main window wires it up roughly so::

    session = Session(doc, path, parent=window)
    session.titleChanged.connect(window.setWindowTitle)
    session.documentReplaced.connect(window.scene.set_document)
    # Open: if session.maybe_close(window): session.open(path)
    # closeEvent: event.accept() if session.maybe_close(window) else event.ignore()
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QUndoStack

from sysmap.errors import SysmapError
from sysmap.io.atomic import write_atomic
from sysmap.model import Change, SystemMap
from sysmap.ui import gc_guard
from sysmap.ui.settings import DEFAULT_AUTOSAVE_SECONDS, Settings, default_settings
from sysmap.ui.settings import RECENT_KEY as RECENT_KEY  # where it always was importable

#: Environment variable naming the recovery directory (for tests and portable installs).
RECOVERY_ENV = "SYSMAP_RECOVERY_DIR"
#: How many recent files File › Open Recent keeps.
MAX_RECENT = 10
AUTOSAVE_SECONDS = float(DEFAULT_AUTOSAVE_SECONDS)
_SIDECAR_VERSION = 1


def default_recovery_dir() -> Path:
    """Where recovery files go: ``$SYSMAP_RECOVERY_DIR``, else ``<AppDataLocation>/recovery``."""
    env = os.environ.get(RECOVERY_ENV)
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return (Path(base) if base else Path.home() / ".local" / "share" / "sysmap") / "recovery"


# -- the dialogs, as replaceable hooks -------------------------------------------------------------


def save_changes_box(parent, name: str):
    """The "Save changes to NAME before closing?" box, with Save, Discard and Cancel (Save the default)."""
    from PySide6.QtWidgets import QMessageBox

    buttons = QMessageBox.StandardButton
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Save changes?")
    box.setText(f"Save changes to \u201c{name}\u201d before closing?")
    box.setInformativeText("Your changes will be lost if you don\u2019t save them.")
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    return box


def ask_save_changes(parent, name: str) -> str:
    """Ask "Save changes to NAME before closing?"; returns ``"save"``, ``"discard"`` or ``"cancel"``."""
    from PySide6.QtWidgets import QMessageBox

    buttons = QMessageBox.StandardButton
    box = save_changes_box(parent, name)
    try:
        box.exec()
        clicked = box.clickedButton()
        answer = box.standardButton(clicked) if clicked is not None else buttons.Cancel
    finally:
        box.deleteLater()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


def choose_save_path(parent, suggested: str) -> str | None:
    """Ask where to save (a file dialog starting at ``suggested``); ``None`` when cancelled."""
    from PySide6.QtWidgets import QFileDialog

    filters = "XMILE (*.xmile);;GraphML, causal structure only (*.graphml)"
    path, _ = QFileDialog.getSaveFileName(parent, "Save map", suggested, filters)
    return path or None


def report_error(parent, title: str, message: str) -> None:
    """Show ``message`` in a warning box."""
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, title, message)


# -- processes ---------------------------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name, in parentheses, may hold spaces
    return fields[19] if len(fields) > 19 else None


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - not run on Linux
    import ctypes

    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
    finally:
        kernel32.CloseHandle(handle)


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether process ``pid`` is running (and, when ``started`` is known, is the same process)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process
    except OSError:
        return False
    if started is not None:
        now = _process_start(pid)
        if now is not None and now != started:
            return False
    return True


# -- recovery files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """A map autosaved by a sysmap process that ended without saving or discarding it.

    ``path`` is the recovered map (XMILE), ``original`` the file it was being edited as (``None``
    for a map never saved), ``time`` when it was autosaved, ``name`` the map's name.
    """

    path: Path
    original: str | None
    time: datetime
    name: str
    pid: int
    sidecar: Path

    def title(self) -> str:
        """How to name it to the user: the map's name, the original file's name, or "Untitled"."""
        return self.name or (Path(self.original).name if self.original else "Untitled")

    def restore(self, **session_args) -> Session:
        """A session on the recovered map, with unsaved changes and the original path.

        The new session autosaves at once; only when that succeeded are this recovery's files
        removed, so a crash now loses nothing either. ``session_args`` go to :class:`Session`
        (the recovery directory defaults to this one's). Raises :class:`SysmapError` when the
        recovery file cannot be read.
        """
        from sysmap.io import load

        doc = load(self.path)
        session_args.setdefault("recovery_dir", self.path.parent)
        session = Session(doc, self.original, modified=True, **session_args)
        if session.autosave():
            self.discard()
        return session

    def discard(self) -> None:
        """Delete the recovery's files."""
        for file in (self.sidecar, self.path):
            file.unlink(missing_ok=True)


def _read_recovery(sidecar: Path) -> Recovery | None:
    try:
        info = json.loads(sidecar.read_text(encoding="utf-8"))
        if Path(info["map"]).name != info["map"]:  # only a file beside the sidecar
            return None
        original = info.get("original")
        recovery = Recovery(
            path=sidecar.with_name(info["map"]),
            original=str(original) if original else None,
            time=datetime.fromisoformat(info["time"]),
            name=str(info.get("name") or ""),
            pid=int(info["pid"]),
            sidecar=sidecar,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # not a sidecar of ours
    if not recovery.path.is_file():
        return None
    if info.get("host") not in (None, socket.gethostname()):
        return None  # a process on another machine sharing this directory: cannot tell if it runs
    if process_alive(recovery.pid, info.get("started")):
        return None
    return recovery


# -- the session -------------------------------------------------------------------------------------


class Session(QObject):
    """One open document: the map, its file, its undo stack, autosave and recovery.

    ``autosave_interval`` is in seconds (``None`` or 0: never); ``recovery_dir`` defaults to
    :func:`default_recovery_dir`; ``settings`` (recent files) to :func:`default_settings`.
    ``modified=True`` starts with unsaved changes (a recovered map).

    The dialogs :meth:`maybe_close` opens are the attributes ``ask_save``, ``choose_save_path``
    and ``report_error`` (see the module functions of those names); tests replace them.
    """

    #: the new document, after :meth:`new` or :meth:`open`
    documentReplaced = Signal(object)
    #: whether there are unsaved changes
    modifiedChanged = Signal(bool)
    #: the window title, whenever it changes
    titleChanged = Signal(str)
    #: one line saying why an autosave failed (once, until an autosave succeeds again)
    autosaveFailed = Signal(str)

    def __init__(
        self,
        doc: SystemMap | None = None,
        path: str | os.PathLike | None = None,
        *,
        autosave_interval: float | None = AUTOSAVE_SECONDS,
        recovery_dir: str | os.PathLike | None = None,
        settings: QSettings | None = None,
        modified: bool = False,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        gc_guard.install()  # the autosave thread must never run a garbage collection
        self.doc = doc if doc is not None else SystemMap()
        self.path: str | None = os.fspath(path) if path is not None else None
        #: warnings met while reading the document
        self.warnings: list[str] = []
        self.undo_stack = QUndoStack(self)
        self.recovery_dir = Path(recovery_dir) if recovery_dir is not None else default_recovery_dir()
        self.settings = settings if settings is not None else default_settings()
        self.ask_save: Callable[[object, str], str] = ask_save_changes
        self.choose_save_path: Callable[[object, str], str | None] = choose_save_path
        self.report_error: Callable[[object, str, str], None] = report_error
        self._token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._recovery_written = False
        self._dirty = True  # changed since the last autosave
        self._failing = False
        self._busy = False  # a background autosave is under way
        self._lock = threading.Lock()  # guards the recovery files and the two numbers below
        self._generation = 0  # bumped when the recovery files are removed
        self._sequence = 0  # of autosave snapshots
        self._written_sequence = 0  # of the snapshot in the recovery file
        # a background write's (generation, future); the GUI thread polls for its end, so the
        # writing thread touches no Qt object
        self._writing: tuple[int, Future] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._check_written)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._autosave_in_background)
        self._autosave = False
        self._interval = 0.0
        self.set_autosave_interval(autosave_interval)
        self._last_modified = False
        self._last_title = ""
        self.doc.changed.connect(self._on_doc_changed)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.indexChanged.connect(self._update)  # the map's name may have changed
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        if modified:
            self.undo_stack.resetClean()
        self._update()

    # -- state ---------------------------------------------------------------------------------------

    def is_modified(self) -> bool:
        """Whether the document has changes not saved to :attr:`path`."""
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        """The map's name, else its file's stem, else "Untitled"."""
        return self.doc.name or (Path(self.path).stem if self.path else "Untitled")

    def title(self) -> str:
        """The window title: ``"Name* — sysmap"``, the star marking unsaved changes."""
        return f"{self.display_name()}{'*' if self.is_modified() else ''} — sysmap"

    def suggested_path(self) -> str:
        """Where Save As starts: the current file as XMILE, else the map's name in the home folder."""
        if self.path:
            return str(Path(self.path).with_suffix(".xmile"))
        stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", self.display_name()).strip() or "Untitled"
        return str(Path.home() / f"{stem}.xmile")

    def _update(self) -> None:
        modified = self.is_modified()
        if modified != self._last_modified:
            self._last_modified = modified
            self.modifiedChanged.emit(modified)
        title = self.title()
        if title != self._last_title:
            self._last_title = title
            self.titleChanged.emit(title)

    def _on_doc_changed(self, change: Change) -> None:
        # the title follows the undo stack's index: a rename emits this before it is pushed
        self._dirty = True

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self._timer.stop()
            self.remove_recovery()  # saved, or undone back to the saved state
        elif self._autosave:
            self._timer.start()
        self._update()

    # -- documents -----------------------------------------------------------------------------------

    def _replace(self, doc: SystemMap, path: str | None, warnings: list[str]) -> None:
        self.remove_recovery()
        self.doc.changed.disconnect(self._on_doc_changed)
        self.doc, self.path, self.warnings = doc, path, warnings
        doc.changed.connect(self._on_doc_changed)
        self._dirty = True
        self.undo_stack.clear()  # also makes it clean
        self.documentReplaced.emit(doc)
        self._update()

    def new(self) -> None:
        """Replace the document with an empty, untitled map (ask :meth:`maybe_close` first)."""
        self._replace(SystemMap(), None, [])

    def open(self, path: str | os.PathLike) -> None:
        """Replace the document with the map in ``path`` (ask :meth:`maybe_close` first).

        Raises :class:`SysmapError` (one line naming the file) when it cannot be read; the
        current document is then kept. Reading problems worked around are in :attr:`warnings`.
        """
        from sysmap.io import load_with_warnings

        path = Path(path).absolute()
        try:
            doc, warnings = load_with_warnings(path)
        except OSError as exc:
            raise SysmapError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        self._replace(doc, str(path), warnings)
        self.add_recent(path)

    def open_copy(self, path: str | os.PathLike) -> None:
        """Replace the document with the map in ``path`` as a new, untitled map: Save asks
        where, so the original (a bundled example, which may be read-only) stays as it is.
        Errors as :meth:`open`."""
        from sysmap.io import load_with_warnings

        path = Path(path).absolute()
        try:
            doc, warnings = load_with_warnings(path)
        except OSError as exc:
            raise SysmapError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        self._replace(doc, None, warnings)

    def save(self) -> list[str]:
        """Save to :attr:`path` (see :meth:`save_as`); raises :class:`SysmapError` if there is none yet."""
        if self.path is None:
            raise SysmapError(f"{self.display_name()} has no file yet: use Save As")
        return self.save_as(self.path)

    def save_as(self, path: str | os.PathLike) -> list[str]:
        """Write the map to ``path`` (``.xmile``; ``.graphml`` for the causal structure), atomically.

        Returns what the format could not hold. A file that holds everything becomes the
        session's file and marks the map saved; a lossy one (GraphML of a stock-and-flow model)
        is an export: it is written, but the map keeps its file and its unsaved changes, so
        closing still offers to save it. Raises :class:`SysmapError` (naming the file) on failure;
        the old file is then untouched.
        """
        from sysmap.io import save

        path = Path(path).absolute()
        try:
            warnings = save(self.doc, path)
        except OSError as exc:
            raise SysmapError(f"{path}: cannot save ({exc.strerror or exc})") from None
        if warnings:
            return warnings
        self.path = str(path)
        self.add_recent(path)
        if self.undo_stack.isClean():
            self._update()  # the path (so the title) may have changed
        else:
            self.undo_stack.setClean()  # -> _on_clean_changed
        return warnings

    def maybe_close(self, parent=None) -> bool:
        """Whether the document may be closed (or replaced): asks to save unsaved changes.

        "Save" saves (asking where when there is no file yet) and answers ``True`` once the map
        is saved in full; "Discard" removes the recovery file and answers ``True``; "Cancel",
        a cancelled file dialog or a failed save answer ``False``.
        """
        if not self.is_modified():
            return True
        answer = self.ask_save(parent, self.display_name())
        if answer == "discard":
            self.remove_recovery()
            return True
        if answer != "save":
            return False
        path = self.path or self.choose_save_path(parent, self.suggested_path())
        if not path:
            return False
        try:
            warnings = self.save_as(path)
        except SysmapError as exc:
            self.report_error(parent, "Cannot save map", str(exc))
            return False
        if self.is_modified():
            lost = " ".join(warnings)
            self.report_error(
                parent, "Map not saved in full", f"{path}: {lost} Save it as XMILE to keep everything."
            )
            return False
        return True

    @property
    def autosave_interval(self) -> float:
        """Seconds between autosaves while there are unsaved changes; 0 when autosave is off."""
        return self._interval

    def set_autosave_interval(self, seconds: float | None) -> None:
        """Autosave every ``seconds`` from now on (``None`` or 0: stop autosaving).

        A recovery file already written stays until the map is saved, discarded or closed.
        """
        self._interval = float(seconds or 0)
        self._autosave = self._interval > 0
        if self._autosave:
            self._timer.setInterval(max(1, round(self._interval * 1000)))
            if self.is_modified():
                self._timer.start()
        else:
            self._timer.stop()

    def autosave_scheduled(self) -> bool:
        """Whether an autosave is due (autosave is on and there are unsaved changes)."""
        return self._timer.isActive()

    def close(self) -> None:
        """Stop autosaving and remove the recovery file (the user saved or discarded the changes)."""
        self._autosave = False
        self._timer.stop()
        self.remove_recovery()

    # -- recent files --------------------------------------------------------------------------------

    def _stored_recent(self) -> list[str]:
        return Settings(self.settings).recent_files

    def recent_files(self) -> list[str]:
        """Recently opened or saved files that still exist, most recent first (at most 10)."""
        stored = self._stored_recent()
        existing = [p for p in stored if Path(p).is_file()][:MAX_RECENT]
        if existing != stored:
            Settings(self.settings).recent_files = existing
        return existing

    def add_recent(self, path: str | os.PathLike) -> None:
        """Put ``path`` first in the recent files."""
        path = str(Path(path).absolute())
        files = [path, *(p for p in self._stored_recent() if p != path and Path(p).is_file())]
        Settings(self.settings).recent_files = files[:MAX_RECENT]

    # -- autosave and recovery -----------------------------------------------------------------------

    @property
    def recovery_path(self) -> Path:
        """This session's recovery map (it exists only while there are unsaved, autosaved changes)."""
        return self.recovery_dir / f"{self._token}.xmile"

    @property
    def _sidecar(self) -> Path:
        return self.recovery_dir / f"{self._token}.json"

    def autosave(self) -> bool:
        """Write the map to the recovery file now (in this thread) if it has changes not yet there.

        Returns whether the recovery file is up to date. A failure is reported once by
        :attr:`autosaveFailed` and never raised: autosave must not interrupt the user.
        """
        if not self.is_modified():
            return False
        if self._recovery_written and not self._dirty:
            return True
        job = self._autosave_job()
        error = self._write_recovery(*job)
        self._on_written(job[2], error)
        return not error

    def _autosave_in_background(self) -> None:
        """The timer's autosave: snapshot the map here (fast), write the XMILE in a thread."""
        if not self.is_modified():
            self._timer.stop()
            return
        if self._busy or (self._recovery_written and not self._dirty):
            return
        job = self._autosave_job()
        self._busy = True

        future: Future = Future()

        def run() -> None:
            future.set_result(self._write_recovery(*job))

        threading.Thread(target=run, name="sysmap autosave", daemon=True).start()
        self._writing = (job[2], future)
        self._poll.start()

    def _check_written(self) -> None:
        if self._writing is None or not self._writing[1].done():
            return
        (generation, future), self._writing = self._writing, None
        self._poll.stop()
        self._on_written(generation, future.result())

    def _autosave_job(self) -> tuple:
        """What a recovery write needs, taken now: a snapshot of the map, its sidecar, and the
        generation and sequence numbers that keep a late write from undoing a later state."""
        self._dirty = False  # edits from now on make it dirty again
        self._sequence += 1
        info = {
            "version": _SIDECAR_VERSION,
            "map": self.recovery_path.name,
            "original": self.path,
            "name": self.doc.name,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "started": _process_start(os.getpid()),
            "host": socket.gethostname(),
        }
        return self.doc.copy(), info, self._generation, self._sequence

    def _write_recovery(self, snapshot: SystemMap, info: dict, generation: int, sequence: int) -> str:
        """Write the recovery files (any thread); returns why it failed, or "" on success."""
        from sysmap.io.xmile import dumps

        try:
            data = dumps(snapshot)
            with self._lock:
                # removed meanwhile (saved, discarded), or a newer state already written
                if generation != self._generation or sequence < self._written_sequence:
                    return ""
                self.recovery_dir.mkdir(parents=True, exist_ok=True)
                write_atomic(self.recovery_path, data)
                write_atomic(self._sidecar, json.dumps(info, indent=1).encode())
                self._written_sequence = sequence
        except OSError as exc:
            return exc.strerror or str(exc)
        except Exception as exc:  # a bug must not silently stop autosaving: report it
            return f"{type(exc).__name__}: {exc}"
        return ""

    def _on_written(self, generation: int, error: str) -> None:
        self._busy = False
        if error:
            self._dirty = True  # try again next time
            if not self._failing:
                self._failing = True
                self.autosaveFailed.emit(f"Autosave to {self.recovery_dir} failed: {error}")
        elif generation == self._generation:
            self._failing = False
            self._recovery_written = True

    def remove_recovery(self) -> None:
        """Delete this session's recovery files, if any (an autosave under way then writes nothing)."""
        with self._lock:
            self._generation += 1
            for file in (self._sidecar, self.recovery_path):
                # in a read-only directory the next start offers it again, which is harmless
                with contextlib.suppress(OSError):
                    file.unlink(missing_ok=True)
        self._recovery_written = False
        self._dirty = True

    @staticmethod
    def pending_recoveries(directory: str | os.PathLike | None = None) -> list[Recovery]:
        """Maps autosaved by sysmap processes that are no longer running, newest first.

        Recoveries of running processes (other windows, other instances) are left alone.
        """
        directory = Path(directory) if directory is not None else default_recovery_dir()
        if not directory.is_dir():
            return []
        found = [r for r in map(_read_recovery, sorted(directory.glob("*.json"))) if r is not None]
        return sorted(found, key=lambda r: r.time, reverse=True)
