"""``sysmap present FILE --pdf OUT | --frames DIR``: a map's presentation, headless, as a PDF
handout or one PNG per step.

The lead registers :data:`COMMANDS` in :mod:`sysmap.cli`: name -> (function, help, the
function that adds the command's arguments to its parser).
"""

from __future__ import annotations

import argparse

from sysmap.errors import SysmapError
from sysmap.io import load

ORDERS = ("saved", "auto", "dominance")


def choose_steps(doc, order: str, start: str | None = None) -> list:
    """The steps to present ``doc`` in: its saved sequence (``"saved"``; the automatic one
    when none is saved), the automatic one (``"auto"``) or by loop dominance
    (``"dominance"``), from the variable named ``start`` if given. :class:`SysmapError` for
    an unknown variable, or ``start`` with a saved sequence (which has its own start)."""
    from sysmap.analysis.narration import default_sequence, dominance_sequence, steps_from_slides

    start_id = None
    if start is not None:
        var = doc.variable_named(start)
        if var is None:
            raise SysmapError(f"--start: no variable named {start!r} in the map")
        start_id = var.id
    if order == "saved" and doc.presentation:
        if start_id is not None:
            raise SysmapError("--start does not apply to a saved sequence: use --order auto or dominance")
        return steps_from_slides(doc, doc.presentation)
    if order == "dominance":
        from sysmap.analysis.dominance import loop_dominance

        return dominance_sequence(doc, loop_dominance(doc), start=start_id)
    return default_sequence(doc, start_id)


def cmd_present(args: argparse.Namespace) -> int:
    """Write the map's presentation as a PDF handout (``--pdf``) or PNG frames (``--frames``)."""
    from sysmap.ui.handout import parse_size

    size = parse_size(args.size)
    doc = load(args.file)
    steps = choose_steps(doc, args.order, args.start)
    try:
        from sysmap.ui.handout import export_frames, export_handout
    except ImportError as exc:
        raise SysmapError(f"presenting needs PySide6 ({exc})") from None
    if args.pdf:
        pages = export_handout(doc, args.pdf, steps)
        print(f"wrote {pages} pages to {args.pdf}")
    else:
        paths = export_frames(doc, args.frames, steps, size)
        print(f"wrote {len(paths)} frames of {size[0]}x{size[1]} to {args.frames}")
    return 0


def _present_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the map (.xmile, .stmx, .graphml ...)")
    out = parser.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="OUT", help="write a PDF handout: a title page, then a page per step")
    out.add_argument("--frames", metavar="DIR", help="write one PNG per step: DIR/frame-001.png ...")
    parser.add_argument("--start", metavar="VARIABLE", help="the variable to start from (auto, dominance)")
    parser.add_argument(
        "--order",
        choices=ORDERS,
        default="saved",
        help="the saved sequence (default; automatic when none), automatic, or loops by dominance",
    )
    parser.add_argument("--size", default="1920x1080", metavar="WxH", help="frame size in pixels (1920x1080)")


COMMANDS = {
    "present": (
        cmd_present,
        "write a map's presentation as a PDF handout or one PNG frame per step, headless",
        _present_arguments,
    ),
}
