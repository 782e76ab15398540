"""Checks shared by the tests of edits (importable from any test: tests/conftest.py puts this
folder on the path)."""


def applied(doc, edit):
    """Apply ``edit``, checking that undo restores the map exactly and redo repeats it."""
    before = doc.copy()
    doc.apply(edit)
    after = doc.copy()
    doc.revert(edit)
    assert doc == before
    doc.apply(edit)
    assert doc == after
    return edit
