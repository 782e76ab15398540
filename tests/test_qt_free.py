"""The core (model, io, analysis, sim, the command line) works without importing Qt."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys, tempfile, pathlib

    import sysmap.model, sysmap.io, sysmap.analysis, sysmap.sim
    from sysmap.cli import main
    from sysmap.model import Kind, SystemMap, to_networkx, link_discrepancies

    doc = SystemMap(name="Qt-free")
    tub = doc.add_variable("Tub", kind=Kind.STOCK, equation="1")
    fill = doc.add_variable("Fill", kind=Kind.FLOW, equation="tub")
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    doc.add_link(tub.id, fill.id, polarity="+")
    to_networkx(doc)
    link_discrepancies(doc)
    path = pathlib.Path(tempfile.mkdtemp()) / "map.xmile"
    sysmap.io.save(doc, path)
    assert sysmap.io.load(path) == doc
    assert main(["info", str(path)]) == 0
    assert main(["info", "--json", str(path)]) == 0
    assert main(["info", str(path.with_name("missing.xmile"))]) == 1

    qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"))
    ui = sorted(m for m in sys.modules if m.startswith("sysmap.ui"))
    print("LOADED:", qt + ui)
    """
)


def test_core_and_cli_do_not_import_qt(repo):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED: []" in result.stdout.splitlines()
    assert "Qt-free" in result.stdout  # the info command ran
