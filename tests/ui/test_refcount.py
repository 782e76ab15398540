"""PySide6 6.11.0/6.11.1/6.12.0 drop a reference to None on each void call and abort the process
after a few thousand; the dependency pin keeps those out, and this test notices if one slips in."""

import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QGraphicsRectItem


def test_void_calls_do_not_leak_none_references(qapp):
    item = QGraphicsRectItem(0, 0, 10, 10)
    item.setPos(0, 0)
    before = sys.getrefcount(None)
    for i in range(100):
        item.setPos(i, i)
    assert sys.getrefcount(None) >= before - 5
