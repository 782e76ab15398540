"""The namespaces of XMILE files and of sysmap's own additions to them."""

from __future__ import annotations

from sysmap.model.style import SYSMAP_NS

#: The OASIS XMILE 1.0 namespace.
XMILE_NS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
#: The namespace of drafts before OASIS (Stella 10 and older tools); read as XMILE_NS.
OLD_NS = "http://www.systemdynamics.org/XMILE"
#: isee systems' (Stella's) extensions.
ISEE_NS = "http://iseesystems.com/XMILE"
#: sysmap's own elements and attributes (loop labels, tags, link notes, the model's origin, a
#: link's line width) are in SYSMAP_NS, which the model's style module defines.
__all__ = ["ISEE_NS", "NSMAP", "OLD_NS", "SYSMAP_NS", "XMILE_NS", "sysmap_tag", "tag"]

NSMAP = {None: XMILE_NS, "isee": ISEE_NS, "sysmap": SYSMAP_NS}


def tag(local: str) -> str:
    """The Clark-notation tag of an XMILE element."""
    return f"{{{XMILE_NS}}}{local}"


def sysmap_tag(local: str) -> str:
    """The Clark-notation tag of one of sysmap's own elements or attributes."""
    return f"{{{SYSMAP_NS}}}{local}"
