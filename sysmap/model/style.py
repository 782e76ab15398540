"""How one element is drawn: its colours, font size and line width, kept as XMILE style attributes.

XMILE 1.0 (section 5.2) gives every display object ``color``, ``background``,
``font_color``, ``font_size`` and ``border_width`` attributes. sysmap keeps them where the
reader found them, in the element's ``view_extra``, so a map styled in Stella keeps its look
here and back; this module reads them into an :class:`ElementStyle` and builds the edits
that change them. A link's line width has no XMILE attribute: it is written as
``sysmap:line_width``, which other tools ignore.

>>> from sysmap.model import SystemMap
>>> doc = SystemMap()
>>> var = doc.add_variable("Workload")
>>> doc.apply(restyle(doc, [var.id], color="red", font_size=14))
>>> style = element_style(doc.variables[var.id])
>>> style.color, style.font_size, style.background
('#ff0000', 14.0, None)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sysmap.errors import ModelError
from sysmap.model.document import SystemMap
from sysmap.model.edits import Compound, Edit, Replace
from sysmap.model.elements import NO_EXTRAS, Extras

#: the namespace of sysmap's own XMILE attributes and elements
SYSMAP_NS = "urn:sysmap:xmile:1"
LINE_WIDTH = f"{{{SYSMAP_NS}}}line_width"

#: XMILE's predefined colours (section 5.2.2), as CSS hex codes
NAMED_COLOURS = {
    "aqua": "#00ffff",
    "black": "#000000",
    "blue": "#0000ff",
    "fuchsia": "#ff00ff",
    "gray": "#808080",
    "green": "#008000",
    "lime": "#00ff00",
    "maroon": "#800000",
    "navy": "#000080",
    "olive": "#808000",
    "purple": "#800080",
    "red": "#ff0000",
    "silver": "#c0c0c0",
    "teal": "#008080",
    "white": "#ffffff",
    "yellow": "#ffff00",
}
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(pt|px)?\s*")
_BORDER_WORDS = {"thin": 1.0, "thick": 3.0}

#: the attributes an :class:`ElementStyle` field is stored in
_ATTRIBUTE = {
    "color": "color",
    "background": "background",
    "font_color": "font_color",
    "font_size": "font_size",
    "line_width": LINE_WIDTH,
    "border_width": "border_width",
}


@dataclass(frozen=True, slots=True)
class ElementStyle:
    """An element's own style; ``None`` leaves a field to the canvas style.

    Colours are ``#rrggbb``; ``font_size`` is in points, as XMILE writes it; widths in pixels.
    """

    color: str | None = None
    background: str | None = None
    font_color: str | None = None
    font_size: float | None = None
    line_width: float | None = None
    border_width: float | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in _ATTRIBUTE)


def parse_colour(text: str | None) -> str | None:
    """``#rrggbb`` for a CSS hex code or an XMILE colour name; ``None`` for anything else.

    >>> parse_colour("#1E7"), parse_colour("Navy"), parse_colour("chartreuse")
    ('#11ee77', '#000080', None)
    """
    if not text:
        return None
    text = text.strip()
    match = _HEX.fullmatch(text)
    if match:
        digits = match[1].lower()
        return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)
    return NAMED_COLOURS.get(text.lower())


def _size(text: str | None) -> float | None:
    """A positive finite number from ``"9pt"``, ``"2px"``, ``"1.5"`` (else ``None``)."""
    if not text:
        return None
    if text.strip().lower() in _BORDER_WORDS:
        return _BORDER_WORDS[text.strip().lower()]
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    value = float(match[1])
    return value if math.isfinite(value) and value > 0 else None


def element_style(element) -> ElementStyle:
    """The style an element's drawing attributes give it (unreadable values are ignored)."""
    extra: Extras = getattr(element, "view_extra", NO_EXTRAS)
    if not extra.attributes:
        return ElementStyle()
    attribute = extra.attribute
    return ElementStyle(
        color=parse_colour(attribute("color")),
        background=parse_colour(attribute("background")),
        font_color=parse_colour(attribute("font_color")),
        font_size=_size(attribute("font_size")),
        line_width=_size(attribute(LINE_WIDTH)),
        border_width=_size(attribute("border_width")),
    )


def _written(field: str, value) -> str | None:
    """How ``value`` of an :class:`ElementStyle` field is written (``None``: remove it)."""
    if value is None:
        return None
    if field in ("color", "background", "font_color"):
        colour = parse_colour(str(value))
        if colour is None:
            raise ModelError(f"{value!r} is not a colour (use #rrggbb or an XMILE colour name)")
        return colour
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"{value!r} is not a number") from None
    if not (math.isfinite(number) and 0 < number <= 500):
        raise ModelError(f"{field.replace('_', ' ')} must be a positive size, not {value!r}")
    text = f"{number:g}"
    return f"{text}pt" if field == "font_size" else text


def restyle(doc: SystemMap, ids: Iterable[str], **changes) -> Edit:
    """An edit setting style fields (``color="#c0392b"``, ``font_size=18``...) of elements;
    a field given as ``None`` goes back to the canvas style.

    Raises :class:`~sysmap.errors.ModelError` for an unknown field or an unreadable value.
    """
    unknown = set(changes) - set(_ATTRIBUTE)
    if unknown:
        raise ModelError(f"no style field {sorted(unknown)[0]!r}; known: {', '.join(_ATTRIBUTE)}")
    written = {_ATTRIBUTE[field]: _written(field, value) for field, value in changes.items()}
    edits = []
    for eid in dict.fromkeys(ids):
        element = doc.element(eid)
        if not hasattr(element, "view_extra"):
            raise ModelError(f"a {type(element).__name__.lower()} is not drawn")
        kept = [(k, v) for k, v in element.view_extra.attributes if k not in written]
        kept += [(k, v) for k, v in written.items() if v is not None]
        extra = Extras(tuple(kept), element.view_extra.children)
        if extra != element.view_extra:
            edits.append(Replace(element, element.evolve(view_extra=extra)))
    n = len(edits)
    return Compound(edits, f"Restyle {n} item{'s' if n != 1 else ''}")
