"""Atomic file replacement: a reader sees the old file or the new one, never half of either."""

import os
import stat

import pytest

from sysmap.io import atomic, load, save, xmile
from sysmap.io.atomic import write_atomic
from sysmap.model import SystemMap


def test_writes_a_new_file(tmp_path):
    path = tmp_path / "new.bin"
    write_atomic(path, b"hello")
    assert path.read_bytes() == b"hello"
    assert os.listdir(tmp_path) == ["new.bin"]


def test_replaces_existing_content(tmp_path):
    path = tmp_path / "map.xmile"
    path.write_bytes(b"old content that is longer than the new")
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["map.xmile"]


def test_accepts_a_string_path(tmp_path):
    write_atomic(str(tmp_path / "s.bin"), b"x")
    assert (tmp_path / "s.bin").read_bytes() == b"x"


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failure_midway_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, failing):
    path = tmp_path / "map.xmile"
    path.write_bytes(b"precious")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, b"replacement")
    monkeypatch.undo()
    assert path.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["map.xmile"]


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "map.xmile"
    path.write_bytes(b"precious")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"replacement")
    monkeypatch.undo()
    assert path.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["map.xmile"]


def test_failed_save_keeps_the_old_map(tmp_path, monkeypatch):
    path = tmp_path / "map.xmile"
    old = SystemMap(name="old")
    old.add_variable("kept")
    save(old, path)

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        save(SystemMap(name="new"), path)
    monkeypatch.undo()
    assert load(path) == old
    assert os.listdir(tmp_path) == ["map.xmile"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_permission_bits_are_kept(tmp_path, mode):
    path = tmp_path / "map.xmile"
    path.write_bytes(b"old")
    path.chmod(mode)
    write_atomic(path, b"new")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"new"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_new_file_gets_the_usual_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.xmile", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.xmile").stat().st_mode) == 0o666 & ~umask


def test_missing_folder_is_an_error_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no" / "such" / "map.xmile", b"x")
    assert os.listdir(tmp_path) == []


def test_save_writes_what_dumps_gives(tmp_path):
    doc = SystemMap(name="Größe")
    save(doc, tmp_path / "m.xmile")
    assert (tmp_path / "m.xmile").read_bytes() == xmile.dumps(doc)
