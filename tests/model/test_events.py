"""Change notification: one Change per applied edit or batch, with the net effect by id."""

import pytest

from sysmap.errors import ModelError
from sysmap.model import Change, Kind, SystemMap
from sysmap.model import operations as ops


@pytest.fixture
def doc():
    doc = SystemMap()
    tub = doc.add_variable("Tub", kind=Kind.STOCK, equation="10")
    fill = doc.add_variable("Fill", kind=Kind.FLOW, equation="tub / 2")
    doc.add_variable("Other", equation="fill")
    doc.attach_flow(fill.id, source=None, sink=tub.id)
    return doc


@pytest.fixture
def heard(doc):
    changes = []
    doc.changed.connect(changes.append)
    return changes


def ids(doc, *names):
    return frozenset(doc.variable_named(n).id for n in names)


def test_adding_a_variable_is_heard_once(doc, heard):
    v = doc.add_variable("New")
    assert heard == [Change(added=frozenset({v.id}))]


def test_rename_reports_every_rewritten_variable_as_one_change(doc, heard):
    doc.rename_variable(doc.variable_named("tub").id, "Bath")
    assert heard == [Change(changed=ids(doc, "bath", "fill"))]


def test_delete_reports_removed_and_changed(doc, heard):
    tub, fill, other = (doc.variable_named(n).id for n in ("tub", "fill", "other"))
    link = doc.add_link(other, tub)
    heard.clear()
    doc.remove(fill, other)
    assert heard == [Change(removed=frozenset({fill, other, link.id}), changed=frozenset({tub}))]


def test_attach_flow_reports_the_stocks(doc, heard):
    tub2 = doc.add_variable("Tub 2", kind=Kind.STOCK)
    heard.clear()
    doc.attach_flow(doc.variable_named("fill").id, source=doc.variable_named("tub").id, sink=tub2.id)
    assert heard == [Change(changed=frozenset({doc.variable_named("tub").id, tub2.id}))]


def test_document_field_change_is_flagged(doc, heard):
    doc.apply(ops.set_sim_specs(doc, stop=10))
    assert heard == [Change(document=True)]
    assert heard[0]


def test_undo_is_heard_as_the_opposite(doc, heard):
    edit = ops.add_note(doc, "n", (0.0, 0.0))
    doc.apply(edit)
    doc.revert(edit)
    assert heard == [Change(added=frozenset({edit.element.id})), Change(removed=frozenset({edit.element.id}))]


def test_batch_of_many_edits_is_heard_once(doc, heard):
    with doc.batch():
        a = doc.add_variable("a")
        b = doc.add_variable("b")
        doc.add_link(a.id, b.id)
        doc.rename_variable(doc.variable_named("tub").id, "Bath")
        assert heard == []
    assert len(heard) == 1
    assert len(heard[0].added) == 3
    assert heard[0].changed == ids(doc, "bath", "fill")


def test_nested_batches_are_heard_when_the_outermost_ends(doc, heard):
    with doc.batch():
        with doc.batch():
            doc.add_variable("a")
        assert heard == []
        doc.add_variable("b")
    assert len(heard) == 1 and len(heard[0].added) == 2


def test_add_then_remove_in_a_batch_nets_to_nothing(doc, heard):
    with doc.batch():
        v = doc.add_variable("Fleeting")
        doc.remove(v.id)
    assert heard == []


def test_change_then_remove_in_a_batch_is_a_removal(doc, heard):
    other = doc.variable_named("other")
    with doc.batch():
        doc.apply(ops.update(doc, other.id, units="x"))
        doc.remove(other.id)
    assert heard == [Change(removed=frozenset({other.id}))]


def test_remove_then_undo_in_a_batch_is_a_change(doc, heard):
    other = doc.variable_named("other")
    edit = ops.remove(doc, [other.id])
    with doc.batch():
        doc.apply(edit)
        doc.revert(edit)
    assert heard == [Change(changed=frozenset({other.id}))]


def test_refused_edit_is_not_heard(doc, heard):
    with pytest.raises(ModelError):
        doc.add_variable("tub")
    assert heard == []


def test_disconnected_listener_hears_nothing(doc, heard):
    doc.changed.disconnect(heard.append)
    doc.add_variable("a")
    assert heard == []


def test_listeners_are_called_in_connection_order(doc):
    order = []
    doc.changed.connect(lambda c: order.append(1))
    doc.changed.connect(lambda c: order.append(2))
    doc.add_variable("a")
    assert order == [1, 2]


def test_empty_change_is_false():
    assert not Change()
    assert Change(changed=frozenset({"x"}))


def test_a_failed_edit_is_not_announced():
    from sysmap.errors import ModelError
    from sysmap.model import SystemMap
    from sysmap.model.edits import Compound, Insert, Replace
    from sysmap.model.elements import Variable

    doc = SystemMap()
    a = doc.add_variable("A")
    heard = []
    doc.changed.connect(heard.append)
    broken = Compound([Replace(a, a.evolve(equation="1")), Insert(Variable(id="x", name="a"))])
    with pytest.raises(ModelError):
        doc.apply(broken)
    assert heard == []
    assert doc.variables[a.id].equation == ""
