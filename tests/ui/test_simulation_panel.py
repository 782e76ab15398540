"""The simulation panel as a user drives it: run, plot, sliders, settings, sensitivity, export."""

import csv

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest

from sysmap.examples import example_path
from sysmap.io import load
from sysmap.sim import compile_model
from sysmap.ui.simulation import SimulationPanel
from sysmap.ui.simulation.constants import find_constants, plain_number
from sysmap.ui.simulation.panel import NO_EQUATIONS


@pytest.fixture
def open_panel(qtbot):
    def make(name):
        doc = load(example_path(name))
        stack = QUndoStack()
        panel = SimulationPanel()
        qtbot.addWidget(panel)
        panel.resize(900, 700)
        panel.set_session(doc, stack, None)
        panel.show()
        return panel, doc, stack

    return make


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_run_plots_the_stocks_with_the_simulator_values(open_panel, qtbot):
    panel, doc, _ = open_panel("sir_epidemic")
    click(qtbot, panel.run_button)
    expected = compile_model(doc).run()
    assert set(panel.plot.lines) == {"Susceptible", "Infected", "Recovered"}
    times, values = panel.plot.series("Infected")
    np.testing.assert_allclose(times, expected.times)
    np.testing.assert_allclose(values, expected["Infected"])
    assert panel.plot.item.getAxis("bottom").labelText == "Time (days)"
    assert "Ran in" in panel.status.text()


def test_checking_a_variable_adds_its_line(open_panel, qtbot):
    panel, doc, _ = open_panel("sir_epidemic")
    click(qtbot, panel.run_button)
    item = panel.variable_list.findItems("Infection", Qt.MatchFlag.MatchExactly)[0]
    item.setCheckState(Qt.CheckState.Checked)
    np.testing.assert_allclose(panel.plot.series("Infection")[1], compile_model(doc).run()["Infection"])
    panel.variable_list.findItems("Susceptible", Qt.MatchFlag.MatchExactly)[0].setCheckState(
        Qt.CheckState.Unchecked
    )
    assert "Susceptible" not in panel.plot.lines


def test_moving_a_slider_reruns_without_changing_the_map(open_panel, qtbot):
    panel, doc, stack = open_panel("sir_epidemic")
    click(qtbot, panel.run_button)
    before = panel.plot.series("Infected")[1].copy()
    slider = panel.sliders.sliders["Contact rate"]
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_PageUp)  # 5 -> 5.5
    after = panel.plot.series("Infected")[1]
    expected = compile_model(doc).run(overrides={"Contact rate": 5.5})["Infected"]
    np.testing.assert_allclose(after, expected)
    assert not np.allclose(before, after)
    assert doc.variable_named("Contact rate").equation == "5"
    assert stack.count() == 0
    assert "Contact rate = 5.5" in panel.status.text()


def test_keep_these_values_is_one_undo_step(open_panel, qtbot):
    panel, doc, stack = open_panel("sir_epidemic")
    click(qtbot, panel.run_button)
    panel.sliders.sliders["Contact rate"].setValue(600)  # 0..10: 6
    panel.sliders.sliders["Infectivity"].setValue(250)  # 0..0.2: 0.05
    click(qtbot, panel.keep_button)
    assert doc.variable_named("Contact rate").equation == "6"
    assert doc.variable_named("Infectivity").equation == "0.05"
    assert stack.count() == 1
    assert panel.sliders.values() == {}  # the sliders now sit at the map's values
    stack.undo()
    assert doc.variable_named("Contact rate").equation == "5"
    assert doc.variable_named("Infectivity").equation == "0.1"


def test_settings_edits_are_undoable(open_panel, qtbot):
    panel, doc, stack = open_panel("sir_epidemic")
    panel.stop_edit.selectAll()
    qtbot.keyClicks(panel.stop_edit, "50")
    QTest.keyClick(panel.stop_edit, Qt.Key.Key_Return)
    assert doc.sim_specs.stop == 50
    assert stack.count() == 1
    panel.method_box.setCurrentText("rk4")
    panel.method_box.activated.emit(panel.method_box.currentIndex())
    assert doc.sim_specs.method == "rk4"
    assert stack.count() == 2
    click(qtbot, panel.run_button)
    assert panel.plot.series("Infected")[0][-1] == 50
    stack.undo()
    stack.undo()
    assert (doc.sim_specs.stop, doc.sim_specs.method) == (100, "euler")
    assert panel.stop_edit.text() == "100"
    assert panel.method_box.currentText() == "euler"


@pytest.mark.parametrize("text", ["abc", "-1"])
def test_bad_settings_are_refused_with_a_message(open_panel, qtbot, text):
    panel, doc, stack = open_panel("sir_epidemic")
    panel.dt_edit.selectAll()
    qtbot.keyClicks(panel.dt_edit, text)
    QTest.keyClick(panel.dt_edit, Qt.Key.Key_Return)
    assert doc.sim_specs.dt == 0.125
    assert stack.count() == 0
    assert panel.dt_edit.text() == "0.125"
    assert panel.status.text()  # the reason, e.g. "dt must be positive"


def test_a_causal_loop_diagram_shows_a_message_instead_of_running(open_panel, qtbot):
    panel, _, _ = open_panel("population_resources")
    assert panel.message.isVisible()
    assert panel.message.text() == NO_EQUATIONS
    assert not panel.run_button.isEnabled()
    assert panel.run() is False
    assert panel.plot.lines == {}


def test_sensitivity_band_contains_the_base_run(open_panel, qtbot):
    panel, _, _ = open_panel("sir_epidemic")
    click(qtbot, panel.run_button)
    panel.tabs.setCurrentIndex(1)
    panel.parameters.set_checked("Contact rate", low=4, high=6)
    click(qtbot, panel.band_button)
    qtbot.waitUntil(lambda: panel.bands is not None, timeout=20000)
    assert panel.bands.runs == 200
    assert set(panel.plot.banded) == {"Susceptible", "Infected", "Recovered"}
    base = panel.plot.series("Susceptible")[1]
    low, high = panel.plot.band("Susceptible")
    assert np.all(low <= base + 1e-9) and np.all(base <= high + 1e-9)
    assert np.any(high - low > 1)  # a band, not a line


def test_sensitivity_without_parameters_says_so(open_panel, qtbot):
    panel, _, _ = open_panel("sir_epidemic")
    click(qtbot, panel.run_button)
    assert panel.run_sensitivity() is False
    assert "Check at least one parameter" in panel.status.text()


def test_csv_export_holds_every_variable(open_panel, qtbot, tmp_path):
    panel, doc, _ = open_panel("bathtub")
    click(qtbot, panel.run_button)
    path = tmp_path / "out.csv"
    panel.export_csv(str(path))
    rows = list(csv.reader(path.open()))
    expected = compile_model(doc).run()
    assert rows[0] == ["time", *expected.names]
    assert len(rows) == len(expected.times) + 1
    column = rows[0].index("Water in tub")
    assert [float(r[column]) for r in rows[1:]] == pytest.approx(expected["Water in tub"].tolist())


def test_plot_export_writes_png_and_svg(open_panel, qtbot, tmp_path):
    panel, _, _ = open_panel("bathtub")
    click(qtbot, panel.run_button)
    panel.export_plot(str(tmp_path / "plot.png"))
    panel.export_plot(str(tmp_path / "plot.svg"))
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "plot.svg").read_text()


def test_constants_are_the_plain_numbers():
    doc = load(example_path("sir_epidemic"))
    found = {c.name: (c.value, c.low, c.high) for c in find_constants(doc)}
    assert found == {
        "Contact rate": (5, 0, 10),
        "Infectivity": (0.1, 0, 0.2),
        "Total population": (10000, 0, 20000),
        "Duration of illness": (5, 0, 10),
    }
    assert plain_number("5 + 1") is None
