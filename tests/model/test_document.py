"""The document: adding elements, looking them up, comparing and copying maps."""

import pytest

from sysmap.errors import ModelError
from sysmap.model import Kind, Link, Polarity, SimSpecs, SystemMap, Variable
from sysmap.model import operations as ops


@pytest.fixture
def doc():
    doc = SystemMap(name="Workload")
    doc.add_variable("Workload", position=(10.0, 20.0))
    doc.add_variable("Sick leave")
    return doc


def var(doc, name):
    found = doc.variable_named(name)
    assert found is not None, name
    return found


def test_added_variable_is_in_the_document(doc):
    v = doc.add_variable("Staff morale", kind=Kind.AUX, equation="1", units="dmnl")
    assert doc.variables[v.id] == v
    assert (v.name, v.kind, v.equation, v.units) == ("Staff morale", Kind.AUX, "1", "dmnl")
    assert v.id in doc
    assert doc.element(v.id) is v


def test_kind_may_be_given_as_text(doc):
    assert doc.add_variable("Tub", kind="stock").kind is Kind.STOCK


@pytest.mark.parametrize("name", ["Workload", "WORKLOAD", "workload", '"workload"', " workload "])
def test_duplicate_name_is_refused(doc, name):
    before = doc.copy()
    with pytest.raises(ModelError, match="already exists"):
        doc.add_variable(name)
    assert doc == before


def test_equivalent_spelling_is_a_duplicate(doc):
    with pytest.raises(ModelError):
        doc.add_variable("sick_LEAVE")


@pytest.mark.parametrize("name", ["", "   ", "_", "\\n"])
def test_blank_name_is_refused(doc, name):
    before = doc.copy()
    with pytest.raises(ModelError, match="not a valid variable name"):
        doc.add_variable(name)
    assert doc == before


def test_flows_cannot_be_given_when_adding_a_stock(doc):
    with pytest.raises(ModelError, match="attach_flow"):
        doc.add_variable("Tub", kind=Kind.STOCK, inflows=("x",))


def test_reusing_an_id_is_refused(doc):
    taken = var(doc, "Workload").id
    with pytest.raises(ModelError, match="already exists"):
        doc.add_variable("Other", id=taken)
    assert doc.variable_named("Other") is None


@pytest.mark.parametrize(
    "spelling", ["sick leave", "SICK_LEAVE", "sick\\nleave", '"Sick Leave"', "sick\u00a0leave"]
)
def test_variable_named_accepts_equivalent_spellings(doc, spelling):
    assert doc.variable_named(spelling).name == "Sick leave"


def test_variable_named_unknown_is_none(doc):
    assert doc.variable_named("Overtime") is None
    assert doc.variable_named("") is None


def test_link_between_variables(doc):
    a, b = var(doc, "Workload"), var(doc, "Sick leave")
    link = doc.add_link(a.id, b.id, polarity="+", delay=True)
    assert doc.links[link.id] == Link(link.id, a.id, b.id, Polarity.POSITIVE, delay=True)


@pytest.mark.parametrize("end", ["source", "target"])
def test_link_to_unknown_id_is_refused(doc, end):
    a = var(doc, "Workload")
    ends = {"source": a.id, "target": a.id, end: "nope"}
    before = doc.copy()
    with pytest.raises(ModelError, match="nope"):
        doc.add_link(**ends)
    assert doc == before


def test_link_to_a_non_variable_is_refused(doc):
    note = ops.add_note(doc, "hello", (0.0, 0.0))
    doc.apply(note)
    with pytest.raises(ModelError):
        doc.add_link(var(doc, "Workload").id, note.element.id)


def test_links_from_and_to(doc):
    a, b = var(doc, "Workload"), var(doc, "Sick leave")
    c = doc.add_variable("Overtime")
    ab = doc.add_link(a.id, b.id)
    ba = doc.add_link(b.id, a.id)
    ac = doc.add_link(a.id, c.id)
    assert doc.links_from(a.id) == [ab, ac]
    assert doc.links_to(a.id) == [ba]
    assert doc.links_to(c.id) == [ac]
    assert doc.links_from(c.id) == []
    assert doc.links_from("unknown") == []


def test_self_loop_link_appears_both_ways(doc):
    a = var(doc, "Workload")
    link = doc.add_link(a.id, a.id)
    assert doc.links_from(a.id) == doc.links_to(a.id) == [link]


def test_variables_of_kind(doc):
    tub = doc.add_variable("Tub", kind=Kind.STOCK)
    assert doc.variables_of_kind(Kind.STOCK) == [tub]
    assert [v.name for v in doc.variables_of_kind(Kind.CONCEPT)] == ["Workload", "Sick leave"]


def test_element_of_unknown_id_is_a_model_error(doc):
    with pytest.raises(ModelError, match="no element"):
        doc.element("nope")
    assert "nope" not in doc


def test_elements_come_variables_first_then_links_labels_notes_groups(doc):
    a = var(doc, "Workload")
    group = ops.add_group(doc, "Sector", [a.id])
    note = ops.add_note(doc, "n", (0.0, 0.0))
    label = ops.add_loop_label(doc, "R1", (0.0, 0.0))
    for edit in (group, note, label):
        doc.apply(edit)
    link = doc.add_link(a.id, a.id)
    types = [type(e).__name__ for e in doc.elements()]
    assert types == ["Variable", "Variable", "Link", "LoopLabel", "Note", "Group"]
    assert link in doc.elements()


def test_new_ids_are_never_reused(doc):
    ids = {doc.new_id("v") for _ in range(50)}
    assert len(ids) == 50
    assert not ids & {v.id for v in doc.variables.values()}


def test_collections_are_read_only(doc):
    with pytest.raises(TypeError):
        doc.variables["x"] = Variable("x", "x")  # type: ignore[index]


def test_equality_is_by_content_and_order():
    a, b = SystemMap(), SystemMap()
    a.add_variable("x", id="v1")
    a.add_variable("y", id="v2")
    b.add_variable("y", id="v2")
    b.add_variable("x", id="v1")
    assert a != b
    c = SystemMap()
    c.add_variable("x", id="v1")
    c.add_variable("y", id="v2")
    assert a == c


def test_document_fields_take_part_in_equality():
    assert SystemMap(name="a") != SystemMap(name="b")
    assert SystemMap(documentation="a") != SystemMap()
    assert SystemMap(sim_specs=SimSpecs(stop=5)) != SystemMap()
    assert SystemMap(sim_specs=SimSpecs()) == SystemMap()


def test_copy_is_equal_and_independent(doc):
    a, b = var(doc, "Workload"), var(doc, "Sick leave")
    doc.add_link(a.id, b.id)
    tub = doc.add_variable("Tub", kind=Kind.STOCK)
    fill = doc.add_variable("Filling", kind=Kind.FLOW)
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    copy = doc.copy()
    assert copy == doc
    assert copy.flow_ends(fill.id) == (None, tub.id)
    assert copy.variable_named("workload") == a
    assert copy.links_from(a.id) == doc.links_from(a.id)

    copy.add_variable("Only in the copy")
    copy.remove(a.id)
    assert doc.variable_named("Only in the copy") is None
    assert doc.variables[a.id] == a
    assert len(doc.links) == 1
    assert copy != doc


def test_copy_does_not_take_listeners(doc):
    heard = []
    doc.changed.connect(heard.append)
    copy = doc.copy()
    copy.add_variable("Quiet")
    assert heard == []


def test_copy_does_not_hand_out_ids_the_original_used(doc):
    gone = doc.add_variable("Temporary")
    doc.remove(gone.id)
    copy = doc.copy()
    assert gone.id not in {copy.new_id("v") for _ in range(20)}
