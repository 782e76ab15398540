"""The presentation on paper and as pictures: a PDF handout and one PNG per step."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor, QImage
from shots import shots_dir

from sysmap.analysis.narration import presentation_steps
from sysmap.errors import SysmapError
from sysmap.io import load
from sysmap.ui.canvas.scene import MapScene
from sysmap.ui.canvas.style import PROJECTOR_STYLE
from sysmap.ui.handout import export_frames, export_handout, parse_size, render_step, whole_rect

ROOT = Path(__file__).resolve().parents[2]
SOCIAL = ROOT / "examples" / "social_care_workload.xmile"
SHOTS = shots_dir("A")


def pdf_pages(data: bytes) -> int:
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


def inked(image: QImage, rect) -> int:
    white = QColor("#ffffff").rgb()
    x0, y0, x1, y1 = (round(v) for v in rect)
    return sum(
        1
        for x in range(max(0, x0), min(image.width(), x1), 2)
        for y in range(max(0, y0), min(image.height(), y1), 2)
        if image.pixel(x, y) != white
    )


@pytest.fixture
def doc():
    return load(SOCIAL)


def test_handout_has_a_title_page_and_a_page_per_step(qapp, doc, tmp_path):
    from sysmap.analysis.narration import slides_from_steps
    from sysmap.model.workshop import set_presentation

    slides = list(slides_from_steps(presentation_steps(doc)))
    slides[0] = slides[0].evolve(notes="NOTE-FOR-THE-PRESENTER")
    doc.apply(set_presentation(doc, slides))
    path = tmp_path / "handout.pdf"
    pages = export_handout(doc, path)
    n = len(presentation_steps(doc))
    assert pages == n + 1
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert pdf_pages(data) == n + 1
    # a shorter sequence, a shorter handout
    assert export_handout(doc, tmp_path / "three.pdf", presentation_steps(doc)[:3]) == 4
    assert pdf_pages((tmp_path / "three.pdf").read_bytes()) == 4


def test_frames_are_one_png_per_step_of_the_size_asked(qapp, doc, tmp_path):
    steps = presentation_steps(doc)
    paths = export_frames(doc, tmp_path / "frames", size=(640, 360))
    assert [p.name for p in paths[:2]] == ["frame-001.png", "frame-002.png"]
    assert len(paths) == len(steps) and all(p.is_file() for p in paths)
    first = QImage(str(paths[0]))
    assert (first.width(), first.height()) == (640, 360)
    last = QImage(str(paths[-1]))
    assert (last.width(), last.height()) == (640, 360)


def test_the_first_frame_shows_only_the_first_variable(qapp, doc):
    steps = presentation_steps(doc)
    scene = MapScene(doc, style=PROJECTOR_STYLE)
    try:
        size = (1200, 800)
        image = render_step(scene, steps[0], size, caption=False)
        (first,) = steps[0].ids
        shown = {eid for eid, item in scene.variable_items.items() if item.isVisible()}
        assert shown == {first}
        assert not any(item.isVisible() for item in scene.link_items.values())
        # pixels: ink where the first variable is, none where another one is
        source = whole_rect(scene)
        scale = min(size[0] / source.width(), size[1] / source.height())
        dx = (size[0] - source.width() * scale) / 2
        dy = (size[1] - source.height() * scale) / 2

        def box(vid):
            r = scene.variable_items[vid].sceneBoundingRect()
            return (
                dx + (r.left() - source.left()) * scale,
                dy + (r.top() - source.top()) * scale,
                dx + (r.right() - source.left()) * scale,
                dy + (r.bottom() - source.top()) * scale,
            )

        assert inked(image, box(first)) > 10
        other = next(v for v in doc.variables if v != first)
        assert inked(image, box(other)) == 0
        # the whole map at the end
        render_step(scene, steps[-1], size, last=True)
        assert all(item.isVisible() for item in scene.variable_items.values())
    finally:
        scene.detach()


def test_unwritable_places_are_one_line_errors(qapp, doc, tmp_path):
    with pytest.raises(SysmapError, match="no folder"):
        export_handout(doc, tmp_path / "missing" / "handout.pdf")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SysmapError, match="cannot make the folder"):
        export_frames(doc, blocker / "frames")
    for bad in ("1920", "x", "0x100", "100x-5", "wide"):
        with pytest.raises(SysmapError, match="WIDTHxHEIGHT"):
            parse_size(bad)
    assert parse_size("1280X720") == (1280, 720)


def test_render_a_handout_step_and_a_frame(qapp, doc, tmp_path):
    steps = presentation_steps(doc)
    loop = next(i for i, s in enumerate(steps) if s.kind == "loop")
    scene = MapScene(doc, style=PROJECTOR_STYLE)
    try:
        image = render_step(scene, steps[loop], (1280, 720), counter=f"{loop + 1} / {len(steps)}")
    finally:
        scene.detach()
    assert image.save(str(SHOTS / "handout_step.png"))
    frames = export_frames(doc, tmp_path, steps=steps[:1], size=(800, 450))
    assert QImage(str(frames[0])).save(str(SHOTS / "frame_first.png"))
