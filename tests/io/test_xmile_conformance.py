"""The XMILE files other tools wrote: the SDXorg conformance suite and two large models.

Each file must load, survive load -> save -> load unchanged, save to the same bytes twice,
keep every variable it declares and account for every connector of its first view. The
files live outside the repository (``../shared``); without them this module is skipped.
"""

from pathlib import Path

import pytest
from lxml import etree

from sysmap.io import _xml, load_with_warnings
from sysmap.io.xmile import dumps, parse

SHARED = Path(__file__).resolve().parents[3] / "shared"
SUITE = SHARED / "conformance" / "sdxorg"
MODELS = SHARED / "models"

if not SUITE.is_dir():
    pytest.skip(f"the conformance suite is not at {SUITE}", allow_module_level=True)

FILES = sorted(p for p in SUITE.rglob("*") if p.suffix.lower() in (".xmile", ".stmx") and p.is_file())
IDS = [p.relative_to(SUITE).as_posix() for p in FILES]
VARIABLE_TAGS = ("stock", "flow", "aux", "gf", "module")


def test_the_suite_is_all_there():
    assert len(FILES) >= 123


@pytest.fixture(scope="module")
def loaded():
    """path -> (document, warnings, saved bytes), each file read and saved once for the module."""
    cache = {}

    def get(path: Path):
        if path not in cache:
            doc, warnings = load_with_warnings(path)
            cache[path] = (doc, warnings, dumps(doc))
        return cache[path]

    return get


def models_of(path: Path):
    """(model element, whether it is the main one) for each <model> of the file, as we parse it."""
    root = _xml.parse(path.read_bytes(), path).root
    models = [m for m in root if _xml.local(m.tag) == "model"]
    main = next((m for m in models if not m.get("name")), models[0])
    return [(m, m is main) for m in models]


def declared_variables(model) -> list[str]:
    """Names of the variables a <model> declares (modern <variables> or Stella 10's legacy form),
    including any a repaired file left nested inside another variable."""
    variables = next((c for c in model if _xml.local(c.tag) == "variables"), None)
    container = model if variables is None else variables
    names = []
    for child in container:
        if _xml.local(child.tag) in VARIABLE_TAGS and child.get("name") is not None:
            names.append(child.get("name"))
            names += [
                d.get("name")
                for d in child.iterdescendants()
                if _xml.local(d.tag) in ("stock", "flow", "aux", "module") and d.get("name") is not None
            ]
    return names


def first_view(model):
    views = next((c for c in model if _xml.local(c.tag) == "views"), None)
    if views is not None:
        return next((v for v in views if _xml.local(v.tag) == "view"), None)
    if next((c for c in model if _xml.local(c.tag) == "variables"), None) is None:
        return next((c for c in model if _xml.local(c.tag) == "display"), None)  # Stella 10
    return None


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_loads(path, loaded):
    doc, warnings, _ = loaded(path)
    assert doc.variables, "no variables"
    for warning in warnings:
        assert warning.startswith(f"{path}:"), warning
        assert "\n" not in warning


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_load_save_load_is_equal(path, loaded):
    doc, _, saved = loaded(path)
    again, _ = parse(saved, path.with_suffix(".saved.xmile"))
    assert again == doc


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_saving_again_gives_the_same_bytes(path, loaded):
    _, _, saved = loaded(path)
    again, _ = parse(saved, path.with_suffix(".saved.xmile"))
    assert dumps(again) == saved


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_saved_file_is_plain_xml(path, loaded):
    _, _, saved = loaded(path)
    root = etree.fromstring(saved, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "{http://docs.oasis-open.org/xmile/ns/XMILE/v1.0}xmile"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_declared_variable_is_in_the_document(path, loaded):
    doc, _, _ = loaded(path)
    submodels = {sub.name: sub for sub in doc.submodels}
    for model, main in models_of(path):
        target = doc if main else submodels.get(model.get("name", ""))
        assert target is not None, f"no submodel {model.get('name')!r}"
        missing = [name for name in declared_variables(model) if target.variable_named(name) is None]
        assert missing == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_connector_is_silently_dropped(path, loaded):
    doc, _, _ = loaded(path)
    submodels = {sub.name: sub for sub in doc.submodels}
    for model, main in models_of(path):
        target = doc if main else submodels[model.get("name", "")]
        view = first_view(model)
        in_file = 0 if view is None else sum(1 for c in view if _xml.local(c.tag) == "connector")
        kept = sum(1 for text in target.extra("view").children if text.startswith("<connector"))
        assert in_file == len(target.links) + kept


LARGE = [("wrld3-03.xmile", 300), ("C-LEARN_v77_for_Vensim.xmile", 900)]


@pytest.mark.parametrize("name, at_least", LARGE, ids=[name for name, _ in LARGE])
def test_large_models(name, at_least):
    path = MODELS / name
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    doc, warnings = load_with_warnings(path)
    assert len(doc.variables) >= at_least
    assert all(w.startswith(f"{path}:") for w in warnings)
    saved = dumps(doc)
    again, _ = parse(saved, "saved.xmile")
    assert again == doc
    assert dumps(again) == saved
    for model, main in models_of(path):
        if main:
            assert [n for n in declared_variables(model) if doc.variable_named(n) is None] == []
