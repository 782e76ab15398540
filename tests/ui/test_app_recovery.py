"""At start-up the app offers to restore maps that a crashed sysmap left autosaved."""

from datetime import datetime

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings

from sysmap.model import SystemMap
from sysmap.ui import app
from sysmap.ui.mainwindow import MainWindow
from sysmap.ui.session import Recovery, Session


@pytest.fixture
def left_behind(qapp, tmp_path, monkeypatch):
    """A recovery as a crashed process leaves it (autosaved map and sidecar), offered at start-up."""
    doc = SystemMap(name="Teenage pregnancy")
    doc.add_variable("Aspirations")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    crashed = Session(
        doc, autosave_interval=None, recovery_dir=tmp_path / "rec", settings=settings, modified=True
    )
    doc.add_variable("Peer pressure")
    assert crashed.autosave()
    recovery = Recovery(
        crashed.recovery_path,
        None,
        datetime.now(),
        "Teenage pregnancy",
        1,
        crashed.recovery_path.with_suffix(".json"),
    )
    monkeypatch.setattr(Session, "pending_recoveries", staticmethod(lambda directory=None: [recovery]))
    return recovery, doc.copy()


def test_a_restored_map_opens_modified(qtbot, left_behind):
    recovery, expected = left_behind
    asked = []
    (session,) = app.offer_recoveries(ask=lambda r: asked.append(r.title()) or True)
    assert asked == ["Teenage pregnancy"]
    assert {v.name for v in session.doc.variables.values()} == {"Aspirations", "Peer pressure"}
    session.ask_save = lambda parent, name: "discard"  # when the test closes the window
    window = MainWindow(session=session)
    qtbot.addWidget(window)
    assert window.windowTitle() == "Teenage pregnancy* — sysmap"
    assert len(window.scene.variable_items) == 2
    session.close()


def test_a_declined_recovery_is_deleted(left_behind):
    recovery, _ = left_behind
    assert app.offer_recoveries(ask=lambda r: False) == []
    assert not recovery.path.exists() and not recovery.sidecar.exists()
