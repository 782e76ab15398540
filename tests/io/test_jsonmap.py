"""The JSON map format: faithful round trips, stable bytes, and one-line errors for broken files."""

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sysmap.errors import FileFormatError, ModelError
from sysmap.io import jsonmap, load, save
from sysmap.model import Direction, Kind, Polarity, SimSpecs, SystemMap
from sysmap.model import operations as ops


def rich_map() -> SystemMap:
    """Every element kind, every field away from its default, unicode names, piped flows."""
    doc = SystemMap(
        name="Größe & Ökologie",
        documentation="Line one\nline two — “quoted”",
        sim_specs=SimSpecs(
            start=1.5, stop=30.0, dt=0.125, method="rk4", time_units="Jahre", save_interval=0.5
        ),
    )
    pop = doc.add_variable(
        "Bevölkerung",
        kind=Kind.STOCK,
        equation="1000 {people}",
        units="people",
        documentation="how many",
        position=(100.5, -20.25),
        size=(60.0, 40.0),
        tags=("core", "人口"),
        non_negative=True,
    )
    births = doc.add_variable(
        "births (per year)",
        kind=Kind.FLOW,
        equation="Bevölkerung * 出生率",
        points=((0.0, 0.0), (50.0, 0.0), (50.0, 25.5)),
        position=(50.0, 0.0),
    )
    deaths = doc.add_variable("Deaths", kind=Kind.FLOW, equation="bevölkerung / 70")
    rate = doc.add_variable("出生率", kind=Kind.AUX, equation="0.03", units="1/year")
    moved = doc.add_variable("Migration\\nbalance", kind=Kind.FLOW)
    other = doc.add_variable("Other town", kind=Kind.STOCK, equation="5")
    concept = doc.add_variable("Morale", documentation="CLD concept")
    doc.attach_flow(births.id, source=None, sink=pop.id)
    doc.attach_flow(deaths.id, source=pop.id, sink=None)
    doc.attach_flow(moved.id, source=other.id, sink=pop.id)
    k1 = doc.add_link(
        rate.id, births.id, polarity="+", delay=True, curvature=-0.25, note="fertility", tags=("t",)
    )
    doc.add_link(concept.id, rate.id, polarity="?")
    doc.add_link(concept.id, concept.id, polarity="-")
    doc.add_link(pop.id, births.id)
    label = ops.add_loop_label(
        doc,
        "R1",
        (75.0, 10.0),
        direction=Direction.ANTICLOCKWISE,
        loop=(pop.id, births.id),
        documentation="growth",
    )
    doc.apply(label)
    note = ops.add_note(doc, "Ünïcödé note ✓", (5.0, 6.0), size=(80.0, 30.0))
    doc.apply(note)
    inner = ops.add_group(doc, "Inner", [pop.id, k1.id, note.element.id])
    doc.apply(inner)
    doc.apply(
        ops.add_group(
            doc,
            "Outer",
            [inner.element.id, label.element.id],
            position=(1.0, 2.0),
            size=(300.0, 200.0),
            documentation="d",
        )
    )
    return doc


def test_save_then_load_gives_the_same_map(tmp_path):
    doc = rich_map()
    path = tmp_path / "map.json"
    save(doc, path)
    loaded = load(path)
    assert loaded == doc
    assert loaded.flow_ends(loaded.variable_named("births (per year)").id) == (
        None,
        loaded.variable_named("bevölkerung").id,
    )
    assert loaded.links_to(loaded.variable_named("births_(per_year)").id) == doc.links_to(
        doc.variable_named("births (per year)").id
    )


def test_loaded_enumerations_are_enumerations():
    doc = jsonmap.loads(jsonmap.dumps(rich_map()))
    assert {v.kind for v in doc.variables.values()} == set(Kind) - {Kind.MODULE}
    assert all(isinstance(link.polarity, Polarity) for link in doc.links.values())
    assert all(isinstance(lab.direction, Direction) for lab in doc.loop_labels.values())


def test_an_empty_map_round_trips():
    assert jsonmap.loads(jsonmap.dumps(SystemMap())) == SystemMap()


def test_saving_twice_gives_identical_bytes(tmp_path):
    doc = rich_map()
    save(doc, tmp_path / "a.json")
    save(doc, tmp_path / "b.json")
    save(load(tmp_path / "a.json"), tmp_path / "c.json")
    a = (tmp_path / "a.json").read_bytes()
    assert a == (tmp_path / "b.json").read_bytes() == (tmp_path / "c.json").read_bytes()


def test_whole_numbers_given_as_integers_save_as_they_load(tmp_path):
    doc = SystemMap(sim_specs=SimSpecs(stop=50, dt=1))
    doc.add_variable("a", position=(3, 4))
    save(doc, tmp_path / "a.json")
    save(load(tmp_path / "a.json"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_file_is_utf8_json_with_a_version_and_no_defaults(tmp_path):
    doc = SystemMap(name="n")
    doc.add_variable("Größe")
    save(doc, tmp_path / "m.json")
    raw = (tmp_path / "m.json").read_bytes()
    assert "Größe".encode() in raw
    data = json.loads(raw)
    assert data["sysmap"] == jsonmap.VERSION
    assert data["variables"] == [{"id": doc.variable_named("größe").id, "name": "Größe"}]
    assert "links" not in data


def test_a_group_may_hold_a_group_listed_after_it():
    doc = SystemMap()
    first = ops.add_group(doc, "first")
    second = ops.add_group(doc, "second")
    doc.apply(first)
    doc.apply(second)
    doc.apply(ops.update(doc, first.element.id, members=(second.element.id,)))
    assert jsonmap.loads(jsonmap.dumps(doc)) == doc


def test_a_byte_order_mark_is_allowed(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + jsonmap.dumps(rich_map()).encode())
    assert load(path) == rich_map()


VALID = json.loads(jsonmap.dumps(rich_map()))


def broken(**changes):
    """The rich map's JSON with top-level keys replaced (None deletes)."""
    data = json.loads(json.dumps(VALID))
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data)


def minimal(**sections):
    """A map holding only the given sections."""
    return json.dumps({"sysmap": 1, **sections})


def variable(**fields):
    return [{"id": "v1", "name": "a", **fields}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"sysmap": 1,\n "name": }', "2:10: not valid JSON"),
        ("", "1:1: not valid JSON"),
        ("[1, 2]", "not a sysmap map"),
        ('"just a string"', "not a sysmap map"),
        ('{"name": "x"}', "not a sysmap map"),
        ('{"sysmap": 2}', "unsupported sysmap format version 2"),
        ('{"sysmap": "1"}', "unsupported sysmap format version '1'"),
        ('{"sysmap": true}', "unsupported sysmap format version True"),
        (broken(extra=1), "unknown key 'extra'"),
        (broken(name=5), "name must be a string"),
        (broken(documentation=["x"]), "documentation must be a string"),
        (minimal(sim_specs=None), "sim_specs must be an object"),
        (broken(sim_specs={"dt": "1"}), "sim_specs.dt must be a finite number"),
        (broken(sim_specs={"dt": True}), "sim_specs.dt must be a finite number"),
        (broken(sim_specs={"bogus": 1}), "sim_specs has unknown field 'bogus'"),
        (broken(variables={}), "variables must be a list"),
        (minimal(variables=[5]), "variables[0] must be an object"),
        (minimal(variables=[{"id": "v1"}]), "variables[0] has no 'name'"),
        (minimal(variables=variable(colour="red")), "variables[0] has unknown field 'colour'"),
        (minimal(variables=variable(position=[1])), "variables[0].position must be a pair of numbers"),
        (minimal(variables=variable(position=[1, 2, 3])), "must be a pair of numbers"),
        (minimal(variables=variable(position={"x": 1})), "must be a pair of numbers"),
        (minimal(variables=variable(position=[True, 2])), "variables[0].position must be a finite number"),
        (minimal(variables=variable(position=["1", 2])), "must be a finite number"),
        (minimal(variables=variable(size=[1, None])), "variables[0].size must be a finite number"),
        (
            minimal(variables=variable(points=[[0, 0], [1]])),
            "variables[0].points[1] must be a pair of numbers",
        ),
        (minimal(variables=variable(points=5)), "must be a list of points"),
        (minimal(variables=variable(tags="core")), "variables[0].tags must be a list of strings"),
        (minimal(variables=variable(tags=[1])), "must be a list of strings"),
        (minimal(variables=variable(non_negative=1)), "variables[0].non_negative must be true or false"),
        (minimal(variables=variable(equation=1)), "variables[0].equation must be a string"),
        (minimal(variables=variable(kind="tank")), "variables[0].kind: 'tank' is not one of"),
        (minimal(variables=variable(name=None)), "variables[0].name must be a string"),
        (minimal(variables=variable(name="  ")), "variables[0] (id 'v1'): variable v1 has an empty name"),
        (
            minimal(
                variables=variable(), links=[{"id": "k", "source": "v1", "target": "v1", "polarity": "plus"}]
            ),
            "'plus' is not one of",
        ),
        (
            minimal(variables=variable(), loop_labels=[{"id": "r", "text": "R", "direction": "up"}]),
            "'up' is not one of",
        ),
        (
            minimal(variables=variable(), links=[{"id": "k", "source": "nowhere", "target": "nowhere"}]),
            "unknown variable 'nowhere'",
        ),
        (
            minimal(variables=variable(), groups=[{"id": "g", "name": "g", "members": ["nothing"]}]),
            "unknown element 'nothing'",
        ),
        (
            minimal(variables=variable(), loop_labels=[{"id": "r", "text": "R", "loop": ["nothing"]}]),
            "unknown variable 'nothing'",
        ),
        (
            minimal(variables=variable(kind="stock", inflows=["missing"])),
            "variables[0] (id 'v1'): stock 'a' lists unknown flow 'missing'",
        ),
        (minimal(variables=[*variable(), *variable()]), "already exists"),
        (minimal(variables=[*variable(), {"id": "v2", "name": "A"}]), "a variable named 'A' already exists"),
        (broken(notes=[{"id": VALID["variables"][0]["id"], "text": "clash"}]), "already exists"),
        ('{"sysmap": 1, "name": "\\ud800"}', "name is not valid Unicode text"),
        ('{"sysmap": 1, "sim_specs": {"dt": NaN}}', "sim_specs.dt must be a finite number"),
        ('{"sysmap": 1, "sim_specs": {"stop": Infinity}}', "sim_specs.stop must be a finite number"),
        ('{"sysmap": 1, "sim_specs": {"stop": 1e999}}', "must be a finite number"),
        ('{"sysmap": 1, "sim_specs": {"stop": 1%s}}' % ("0" * 400), "must be a finite number"),
        ('{"sysmap": 1, "sim_specs": {"stop": %s}}' % ("9" * 5000), "not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
        ('{"a":' * 100_000, "nested too deeply"),
    ],
)
def test_broken_text_is_a_one_line_file_format_error(text, message):
    with pytest.raises(FileFormatError) as caught:
        jsonmap.loads(text, "maps/broken.json")
    error = str(caught.value)
    assert error.startswith("maps/broken.json:")
    assert message in error
    assert "\n" not in error and "Traceback" not in error
    assert caught.value.__cause__ is None


def test_invalid_json_error_has_line_and_column():
    with pytest.raises(FileFormatError) as caught:
        jsonmap.loads('{\n  "sysmap": 1,\n  "name" "x"\n}', "m.json")
    assert (caught.value.line, caught.value.col) == (3, 10)
    assert caught.value.path == "m.json"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_load_names_the_file(tmp_path):
    path = write(tmp_path, "bad.json", b"{}")
    with pytest.raises(FileFormatError, match="not a sysmap map") as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_non_utf8_file_is_refused(tmp_path):
    path = write(tmp_path, "latin1.json", '{"sysmap": 1, "name": "Größe"}'.encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"not UTF-8 text \(byte 25\)") as caught:
        load(path)
    assert str(caught.value).startswith(str(path))


def test_too_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, "big.json", jsonmap.dumps(rich_map()).encode())
    monkeypatch.setattr(jsonmap, "MAX_BYTES", 100)
    with pytest.raises(FileFormatError, match="file too large") as caught:
        load(path)
    assert str(caught.value).startswith(str(path))


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(FileFormatError, match="no such file") as caught:
        load(path)
    assert str(caught.value) == f"{path}: no such file"


def test_a_folder_is_not_a_map(tmp_path):
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(FileFormatError):
        load(tmp_path / "folder.json")


@pytest.mark.parametrize("suffix", [".txt", ".xml", ""])
def test_unknown_suffix_is_refused_for_load_and_save(tmp_path, suffix):
    path = write(tmp_path, f"map{suffix}", jsonmap.dumps(SystemMap()).encode())
    with pytest.raises(FileFormatError, match="unknown file type") as caught:
        load(path)
    assert str(caught.value).startswith(str(path))
    with pytest.raises(FileFormatError, match="unknown file type"):
        save(SystemMap(), tmp_path / f"other{suffix}")
    assert not (tmp_path / f"other{suffix}").exists()


def test_suffix_is_case_insensitive(tmp_path):
    save(rich_map(), tmp_path / "MAP.JSON")
    assert load(tmp_path / "MAP.JSON") == rich_map()


# -- fuzzing ----------------------------------------------------------------------------------

SMALL = jsonmap.dumps(rich_map())


@st.composite
def mutated(draw):
    """The valid file's text with a few random edits: flips, deletions, insertions, truncation."""
    text = SMALL
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["replace", "delete", "insert", "truncate", "swap_token"]))
        piece = draw(st.one_of(st.sampled_from(list('{}[],:"\\0123456789.-+eE ntfNIa')), st.characters()))
        if how == "replace":
            text = text[:at] + piece + text[at + 1 :]
        elif how == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif how == "insert":
            text = text[:at] + piece + text[at:]
        elif how == "truncate":
            text = text[:at]
        else:
            token = draw(
                st.sampled_from(['"', "null", "true", "[]", "{}", "-1e9", "0", '""', "NaN", "[[0,0]]"])
            )
            text = text[:at] + token + text[at:]
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_load_or_fail_cleanly(text):
    try:
        doc = jsonmap.loads(text, "fuzz.json")
    except FileFormatError as exc:
        assert str(exc).startswith("fuzz.json")
        assert "\n" not in str(exc)
        return
    assert isinstance(doc, SystemMap)
    assert jsonmap.loads(jsonmap.dumps(doc)) == doc  # whatever loads can be saved and read back


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_load_or_fail_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "m.json"
    path.write_bytes(data)
    try:
        load(path)
    except FileFormatError as exc:
        assert str(exc).startswith(str(path))


# -- random documents -------------------------------------------------------------------------

names = st.text(alphabet=string.ascii_letters + ' _"\\(£人\u00a0', min_size=1, max_size=8)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_random_documents_round_trip(data):
    doc = SystemMap(name=data.draw(st.text(max_size=5)))
    for _ in range(data.draw(st.integers(0, 12))):
        ids = [e.id for e in doc.elements()]
        var_ids = list(doc.variables)
        stocks = [v.id for v in doc.variables_of_kind(Kind.STOCK)]
        flows = [v.id for v in doc.variables_of_kind(Kind.FLOW)]
        step = data.draw(st.sampled_from(["var", "var", "link", "flow", "group", "label", "regroup"]))
        try:
            if step == "var":
                doc.add_variable(
                    data.draw(names),
                    kind=data.draw(st.sampled_from(list(Kind))),
                    equation=data.draw(st.text(max_size=6)),
                    position=(data.draw(st.floats(-1e6, 1e6)), data.draw(st.integers(-9, 9))),
                )
            elif step == "link" and var_ids:
                doc.add_link(
                    data.draw(st.sampled_from(var_ids)), data.draw(st.sampled_from(var_ids)), polarity="-"
                )
            elif step == "flow" and flows:
                ends = st.sampled_from([None, *stocks])
                doc.attach_flow(
                    data.draw(st.sampled_from(flows)), source=data.draw(ends), sink=data.draw(ends)
                )
            elif step == "group":
                doc.apply(
                    ops.add_group(
                        doc, "g", data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
                    )
                )
            elif step == "label" and var_ids:
                loop = tuple(data.draw(st.lists(st.sampled_from(var_ids), max_size=3)))
                doc.apply(ops.add_loop_label(doc, "R", (0.0, 0.0), loop=loop))
            elif step == "regroup" and doc.groups:
                gid = data.draw(st.sampled_from(list(doc.groups)))
                doc.apply(
                    ops.update(
                        doc, gid, members=tuple(data.draw(st.lists(st.sampled_from(ids), unique=True)))
                    )
                )
        except ModelError:
            pass  # a refused request; anything else fails the test
    text = jsonmap.dumps(doc)
    again = jsonmap.loads(text)
    assert again == doc
    assert jsonmap.dumps(again) == text


def paths(value, prefix=()):
    """Every place in a JSON tree, as a tuple of keys and indexes."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


PLACES = [p for p in paths(VALID) if p]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(PLACES), json_values | st.just("<delete>")), min_size=1, max_size=3)
)
def test_files_with_wrong_values_load_or_fail_cleanly(changes):
    data = json.loads(json.dumps(VALID))
    for place, value in changes:
        parent = data
        try:
            for key in place[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[place[-1]]
            else:
                parent[place[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    try:
        doc = jsonmap.loads(json.dumps(data), "fuzz.json")
    except FileFormatError as exc:
        assert str(exc).startswith("fuzz.json: ")
        assert "\n" not in str(exc)
        return
    assert jsonmap.loads(jsonmap.dumps(doc)) == doc


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ({"dt": 0}, "dt must be positive"),
        ({"start": 10, "stop": 5}, "must stop after it starts"),
        ({"save_interval": -1}, "save interval must be positive"),
    ],
)
def test_unsimulatable_sim_specs_are_refused_on_load(tmp_path, specs, message):
    path = tmp_path / "specs.json"
    path.write_text(json.dumps({"sysmap": 1, "sim_specs": specs}))
    with pytest.raises(FileFormatError) as info:
        jsonmap.read(path)
    assert str(info.value).startswith(f"{path}: sim_specs:")
    assert message in str(info.value)
