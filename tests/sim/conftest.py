"""Shared by the simulation tests: the conformance tally, printed at the end of the test session."""

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # conformance.py is a helper module beside the tests, not a test module
    sys.path.insert(0, HERE)

import conformance  # noqa: E402

_TALLY = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def conformance_tally(request) -> dict:
    """Run id -> verdict of each conformance run checked in this session."""
    return request.config.stash.setdefault(_TALLY, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    verdicts = config.stash.get(_TALLY, {})
    if not verdicts:
        return
    line = conformance.summary(verdicts.values())
    expected = conformance.load_expectations(Path(HERE) / "conformance_expectations.toml")
    kinds = [expected[run].kind for run in verdicts if run in expected]
    line += f"; expected: {kinds.count('cannot')} cannot match, {kinds.count('xfail')} not yet"
    terminalreporter.write_sep("-", line)
