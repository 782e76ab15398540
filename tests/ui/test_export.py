"""Exporting the canvas: PNG, SVG and PDF files a user can open, the selection alone, and clear errors."""

import re

import pytest

pytest.importorskip("PySide6")

from lxml import etree
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage

from sysmap.errors import SysmapError
from sysmap.model import Kind, SystemMap
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.view import MapView
from sysmap.ui.export import drawn_rect, export_scene, scene_image

WHITE = QColor("#ffffff").rgb()
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def doc() -> SystemMap:
    doc = SystemMap(name="Export test")
    work = doc.add_variable("Workload", position=(0, 0))
    sick = doc.add_variable("Absence", position=(300, 0))
    doc.add_link(work.id, sick.id, polarity="+")
    doc.add_link(sick.id, work.id, polarity="+", curvature=0.3)
    cases = doc.add_variable("Cases", kind=Kind.STOCK, equation="100", position=(150, 250))
    closing = doc.add_variable("Closures", kind=Kind.FLOW, equation="cases / 10", position=(330, 250))
    doc.attach_flow(closing.id, source=cases.id, sink=None)
    return doc


@pytest.fixture
def scene(qapp, doc):
    scene = MapScene(doc)
    yield scene
    scene.detach()


def inked(image: QImage, step: int = 2) -> int:
    """How many sampled pixels are not white."""
    return sum(
        1
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
        if image.pixel(x, y) != WHITE
    )


def near(image: QImage, colour: str, tolerance: int = 40) -> int:
    """How many pixels are close to ``colour``."""
    target = QColor(colour)
    count = 0
    for x in range(image.width()):
        for y in range(image.height()):
            c = QColor(image.pixel(x, y))
            if (
                abs(c.red() - target.red()) + abs(c.green() - target.green()) + abs(c.blue() - target.blue())
                < tolerance
            ):
                count += 1
    return count


def svg_texts(path) -> list[str]:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    assert root.tag == f"{SVG}svg"
    return [text.strip() for text in root.itertext() if text.strip()]


def test_png_has_the_map_size_at_the_scale_on_white(scene, tmp_path):
    export_scene(scene, tmp_path / "map.png", scale=2.0, margin=20)
    image = QImage(str(tmp_path / "map.png"))
    area = drawn_rect(scene).adjusted(-20, -20, 20, 20)
    assert (image.width(), image.height()) == (round(area.width() * 2), round(area.height() * 2))
    assert inked(image) > 500
    for corner in ((0, 0), (image.width() - 1, 0), (0, image.height() - 1)):
        assert image.pixel(*corner) == WHITE
    assert round(image.dotsPerMeterX() * 0.0254) == 192  # prints at the canvas's size

    export_scene(scene, tmp_path / "small.png", scale=1.0, margin=20)
    small = QImage(str(tmp_path / "small.png"))
    assert abs(image.width() - 2 * small.width()) <= 1


def test_selection_highlighting_never_reaches_the_file(scene, tmp_path, qtbot):
    export_scene(scene, tmp_path / "plain.png")
    scene.clearSelection()
    for item in (*scene.variable_items.values(), *scene.link_items.values()):
        item.setSelected(True)
    shown = scene_image(scene, drawn_rect(scene))
    assert near(shown, scene.style.selection.name()) > 0  # the canvas does show the selection
    with qtbot.assertNotEmitted(scene.selectionChanged):
        export_scene(scene, tmp_path / "selected.png")
    plain, selected = QImage(str(tmp_path / "plain.png")), QImage(str(tmp_path / "selected.png"))
    assert selected == plain
    assert near(selected, scene.style.selection.name()) == 0
    assert len(scene.selectedItems()) == len(scene.variable_items) + len(scene.link_items)  # given back
    assert scene_image(scene, drawn_rect(scene)) == shown  # and shown as before


def test_selection_only_draws_just_the_selection(scene, doc, tmp_path):
    work = doc.variable_named("workload")
    scene.variable_items[work.id].setSelected(True)
    visible = [item.isVisible() for item in scene.items()]
    export_scene(scene, tmp_path / "whole.svg")
    export_scene(scene, tmp_path / "part.svg", selection_only=True)
    export_scene(scene, tmp_path / "part.png", selection_only=True)
    assert {"Workload", "Absence", "Cases", "Closures"} <= set(svg_texts(tmp_path / "whole.svg"))
    assert set(svg_texts(tmp_path / "part.svg")) == {"Export test", "Drawn by sysmap", "Workload"}
    part = QImage(str(tmp_path / "part.png"))
    assert part.width() < 400 and part.height() < 150
    assert inked(part, 1) > 50
    assert [item.isVisible() for item in scene.items()] == visible  # all shown again
    assert scene.selectedItems() == [scene.variable_items[work.id]]


def test_a_selected_flow_is_exported_with_its_pipe(scene, doc, tmp_path):
    closing = doc.variable_named("closures")
    scene.variable_items[closing.id].setSelected(True)
    export_scene(scene, tmp_path / "flow.png", selection_only=True, scale=1.0)
    image = QImage(str(tmp_path / "flow.png"))
    pipe = scene.pipe_items[closing.id].sceneBoundingRect()
    assert image.width() >= pipe.width()  # the pipe runs from the stock to a cloud


def test_selecting_by_clicking_then_exporting_the_selection(scene, doc, tmp_path, qtbot):
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.actual_size()
    item = scene.variable_items[doc.variable_named("absence").id]
    view.centerOn(item)
    click = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=click)
    assert scene.selectedItems() == [item]
    export_scene(scene, tmp_path / "clicked.svg", selection_only=True)
    assert "Absence" in svg_texts(tmp_path / "clicked.svg")
    assert "Workload" not in svg_texts(tmp_path / "clicked.svg")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2))  # empty canvas
    assert scene.selectedItems() == []
    with pytest.raises(SysmapError, match="nothing is selected"):
        export_scene(scene, tmp_path / "none.png", selection_only=True)
    assert not (tmp_path / "none.png").exists()


def test_svg_is_xml_with_the_names_as_text(scene, tmp_path):
    path = tmp_path / "map.svg"
    export_scene(scene, path)
    root = etree.parse(str(path)).getroot()
    assert root.findtext(f"{SVG}title") == "Export test"
    texts = svg_texts(path)
    for name in ("Workload", "Absence", "Cases", "Closures", "+"):
        assert name in texts
    area = drawn_rect(scene).adjusted(-20, -20, 20, 20)
    viewbox = [float(v) for v in root.get("viewBox").split()]
    assert viewbox[2:] == pytest.approx([area.width(), area.height()], abs=1)


def test_pdf_is_one_vector_page_the_size_of_the_map(scene, tmp_path):
    path = tmp_path / "map.pdf"
    export_scene(scene, path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    area = drawn_rect(scene).adjusted(-20, -20, 20, 20)
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", data)
    assert box is not None
    x0, y0, x1, y1 = (float(v) for v in box.group(1).split())
    # 96 canvas units to the inch, 72 points to the inch
    assert (x1 - x0, y1 - y0) == pytest.approx((area.width() * 0.75, area.height() * 0.75), abs=1)
    assert b"/Subtype /Image" not in data  # drawn as vectors and text, not a picture
    assert b"DejaVu" in data  # the fonts are embedded


def test_an_empty_map_exports_a_blank_page(qapp, tmp_path):
    scene = MapScene(SystemMap())
    export_scene(scene, tmp_path / "empty.png", scale=1.0, margin=0)
    image = QImage(str(tmp_path / "empty.png"))
    assert (image.width(), image.height()) == (400, 300)
    assert inked(image) == 0


@pytest.mark.parametrize("name", ["map.jpg", "map", "map.PNG.txt"])
def test_an_unknown_suffix_is_refused_naming_the_file(scene, tmp_path, name):
    with pytest.raises(SysmapError) as caught:
        export_scene(scene, tmp_path / name)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / name)) and "\n" not in message
    assert ".png, .svg, .pdf" in message
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_is_refused_naming_the_file(scene, tmp_path):
    missing = tmp_path / "no such folder" / "map.png"
    with pytest.raises(SysmapError, match=r"^.*no such folder/map\.png: cannot write"):
        export_scene(scene, missing)
    folder = tmp_path / "taken.svg"
    folder.mkdir()  # a directory where the file should go
    with pytest.raises(SysmapError) as caught:
        export_scene(scene, folder)
    assert str(caught.value).startswith(str(folder))
    assert [p.name for p in tmp_path.iterdir()] == ["taken.svg"]  # no temporary file left
    assert list(folder.iterdir()) == []


def test_a_failed_export_keeps_the_old_file(scene, tmp_path):
    path = tmp_path / "map.png"
    path.write_bytes(b"old picture")
    with pytest.raises(SysmapError, match="too large"):
        export_scene(scene, path, scale=500)
    assert path.read_bytes() == b"old picture"
    with pytest.raises(SysmapError, match="positive"):
        export_scene(scene, path, scale=0)
