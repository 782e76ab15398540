"""Interoperability with Simlin and PySD: what sysmap saves, the peers still load and simulate.

For every model of the SDXorg conformance suite (``../shared/conformance/sdxorg``) that sysmap
loads, sysmap saves it to a temporary ``.xmile``; then, for each peer:

- ``test_<peer>_loads_saved``: the peer loads the sysmap-saved file;
- ``test_<peer>_simulates_saved``: the peer simulates the saved file to the same numbers as the
  original (every column the two runs share -- all stocks, flows and auxiliaries -- at every
  time, rtol 1e-9 / atol 1e-12; the saved run must keep every stock of the original run).
  It is the same model text, so the numbers should be identical.

Expectations are per model and honest: a model the peer cannot load (or simulate) in its
original form is skipped with the peer's own reason, found by trying the original first; so is
an original the peer "loads" as an empty model (Simlin and PySD read nothing from Stella 10's
pre-OASIS "legacy" layout, which sysmap converts to XMILE 1.0: those are loaded, and the
saved file must load too, but there is no run to compare). Known failures are listed in
``KNOWN``, each with its cause, as strict xfails, so a fix shows up as an XPASS to remove
from the list.

Optional: the module skips unless the suite is present, and each peer's tests skip unless that
peer is importable (``pip install pysimlin pysd``; neither is a sysmap dependency). The peers
are driven by ``tests/peers.py`` (Simlin in a child process, because a panic in its Rust engine
aborts the process that loaded it). Each peer takes well under a minute.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = str(Path(__file__).resolve().parents[1])
if TESTS not in sys.path:  # peers.py is a helper beside the tests, shared with the benchmarks
    sys.path.insert(0, TESTS)
from peers import PeerError, PySD, Run, Simlin  # noqa: E402

SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "sdxorg"
MODELS = sorted(p for p in SUITE.rglob("*") if p.suffix in (".xmile", ".stmx")) if SUITE.is_dir() else []
RTOL, ATOL = 1e-9, 1e-12

#: Why a known failure fails (found with pysimlin 0.8.5 and PySD 3.14.3).
AUX_AS_FLOW_IN_VIEW = (
    "Simlin's bug: the file lists <aux> rates as stock in/outflows (Vensim export); sysmap keeps them "
    "as <aux> and draws the model, which had no diagram; Simlin panics on the drawing (views.rs:1860, "
    "unwrap on None); without a view it loads"
)
PYSD_MODULES = (
    "not sysmap's doing: PySD has no modules and fails the same way on the OASIS model.stmx and "
    "model.xmile; it 'loads' the legacy original only because it reads nothing from it"
)


#: (peer, the tests that fail, why, the models).
_KNOWN_FAILURES = [
    ("simlin", ("load", "run"), AUX_AS_FLOW_IN_VIEW, ["tests/zeroled_decimals/test_zeroled_decimals.xmile"]),
    ("pysd", ("load",), PYSD_MODULES, ["samples/bpowers-hares_and_lynxes_modules/model_legacy.stmx"]),
]
#: (peer, model, test) -> why that test fails today; a strict xfail, so a fix shows as XPASS.
KNOWN: dict[tuple[str, str, str], str] = {
    (peer, model, test): why
    for peer, tests, why, models in _KNOWN_FAILURES
    for model in models
    for test in tests
}


# -- what happens to one model ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What a peer made of the original and of the sysmap-saved file (``None``: not tried)."""

    original_load: str | None = None  # the peer's reason for not loading the original
    original_empty: bool = False  # the peer loads the original but finds no variables in it
    original_run: str | None = None
    saved_load: str | None = None
    saved_run: str | None = None
    original: Run | None = None
    saved: Run | None = None


def compare(original: Run, saved: Run) -> list[str]:
    """The differences between two runs of the same model, as sentences (empty: identical)."""
    import numpy as np

    problems = []
    if len(original.time) != len(saved.time) or not np.allclose(original.time, saved.time, RTOL, ATOL):
        return [f"time axes differ: {len(original.time)} vs {len(saved.time)} steps"]
    lost = sorted(original.stock_columns - saved.columns.keys())
    if lost:
        problems.append(f"stocks missing from the saved run: {', '.join(lost)}")
    common = sorted(original.columns.keys() & saved.columns.keys())
    if not common:
        problems.append("the two runs share no column")
    for name in common:
        a = np.asarray(original.columns[name], float)
        b = np.asarray(saved.columns[name], float)
        if not np.allclose(a, b, RTOL, ATOL, equal_nan=True):
            worst = int(np.nanargmax(np.abs(a - b))) if np.isfinite(a - b).any() else 0
            problems.append(f"{name}: {a[worst]!r} vs {b[worst]!r} at t={original.time[worst]!r}")
    return problems


def outcome(peer, model: Path, workdir: Path) -> Outcome:
    """Try the original, then the sysmap-saved file, in the peer (cached per peer and model)."""
    from sysmap.io import load, save

    result = Outcome()
    rel = model.relative_to(SUITE)
    where = workdir / peer.name / str(rel).replace(os.sep, "__")
    (where / "original").mkdir(parents=True)
    (where / "saved").mkdir()
    original = where / "original" / model.name
    shutil.copyfile(model, original)
    saved = where / "saved" / f"{model.stem}_sysmap.xmile"
    save(load(model), saved)
    try:
        result.original_empty = not peer.variables(original)
    except PeerError as exc:
        result.original_load = str(exc)
    try:
        peer.variables(saved)
    except PeerError as exc:
        result.saved_load = str(exc)
    if result.original_load is not None or result.original_empty:
        return result
    try:
        result.original = peer.run(original)
    except PeerError as exc:
        result.original_run = str(exc)
        return result
    if result.saved_load is None:
        try:
            result.saved = peer.run(saved)
        except PeerError as exc:
            result.saved_run = str(exc)
    return result


# -- the tests -------------------------------------------------------------------------------------

if not MODELS:
    pytest.skip(f"the shared conformance suite is not at {SUITE}", allow_module_level=True)

IDS = [str(p.relative_to(SUITE)) for p in MODELS]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("peer_interop")


@pytest.fixture(scope="module")
def simlin_peer():
    pytest.importorskip("simlin", reason="Simlin is not installed (pip install pysimlin)")
    peer = Simlin()
    yield peer
    peer.close()


@pytest.fixture(scope="module")
def pysd_peer():
    pytest.importorskip("pysd", reason="PySD is not installed (pip install pysd)")
    peer = PySD()
    yield peer
    peer.close()


_OUTCOMES: dict[tuple[str, Path], Outcome] = {}


def _outcome(peer, model: Path, workdir: Path) -> Outcome:
    from sysmap.errors import FileFormatError
    from sysmap.io import load

    key = (peer.name, model)
    if key not in _OUTCOMES:
        try:
            load(model)
        except FileFormatError as exc:
            pytest.skip(f"sysmap does not load it: {exc}")
        _OUTCOMES[key] = outcome(peer, model, workdir)
    return _OUTCOMES[key]


def _expect(request, peer: str, model: Path, test: str) -> None:
    reason = KNOWN.get((peer, str(model.relative_to(SUITE)), test))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def check_loads(request, peer, model: Path, workdir: Path) -> None:
    result = _outcome(peer, model, workdir)
    if result.original_load is not None:
        pytest.skip(f"{peer.name} cannot load the original: {result.original_load}")
    _expect(request, peer.name.lower(), model, "load")
    assert result.saved_load is None, f"{peer.name} cannot load the sysmap-saved file: {result.saved_load}"


def check_simulates(request, peer, model: Path, workdir: Path) -> None:
    result = _outcome(peer, model, workdir)
    if result.original_load is not None:
        pytest.skip(f"{peer.name} cannot load the original: {result.original_load}")
    if result.original_empty:
        pytest.skip(f"{peer.name} reads no variables from the original (Stella 10 pre-OASIS layout)")
    if result.original_run is not None:
        pytest.skip(f"{peer.name} cannot simulate the original: {result.original_run}")
    _expect(request, peer.name.lower(), model, "run")
    assert result.saved_load is None, f"{peer.name} cannot load the sysmap-saved file: {result.saved_load}"
    assert result.saved_run is None, f"{peer.name} cannot simulate the sysmap-saved file: {result.saved_run}"
    problems = compare(result.original, result.saved)
    assert not problems, "the sysmap-saved file simulates differently:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_simlin_loads_saved(request, simlin_peer, model, workdir):
    check_loads(request, simlin_peer, model, workdir)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_simlin_simulates_saved(request, simlin_peer, model, workdir):
    check_simulates(request, simlin_peer, model, workdir)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_pysd_loads_saved(request, pysd_peer, model, workdir):
    check_loads(request, pysd_peer, model, workdir)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_pysd_simulates_saved(request, pysd_peer, model, workdir):
    check_simulates(request, pysd_peer, model, workdir)
