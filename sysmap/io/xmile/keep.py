"""Keeping what sysmap does not interpret: XML fragments and attributes as :class:`Extras`.

Fragments are stored in a canonical text form -- standalone (declaring the namespaces they
use), without the indentation of the file they came from -- so that capturing a fragment
written back by sysmap gives the identical string, and a saved file reloads to an equal
document.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lxml import etree

from sysmap.io.xmile.names import NSMAP, XMILE_NS
from sysmap.model import NO_EXTRAS, Extras


def _strip_indentation(element: etree._Element) -> None:
    for node in element.iter():
        if node.text is not None and not node.text.strip() and len(node):
            node.text = None
        if node is not element and node.tail is not None and not node.tail.strip():
            node.tail = None


def _rebuild(element: etree._Element, nsmap: dict) -> etree._Element:
    """A copy of ``element`` whose namespaces use the canonical prefixes."""
    if not isinstance(element.tag, str):
        return copy.copy(element)  # comments and processing instructions
    clone = etree.Element(element.tag, dict(element.attrib), nsmap=nsmap)
    clone.text = element.text
    for child in element:
        new = _rebuild(child, nsmap)
        new.tail = child.tail
        clone.append(new)
    return clone


def fragment(element: etree._Element) -> str:
    """The canonical text of ``element`` and its subtree: standalone, XMILE as the default
    namespace, known prefixes for known namespaces, no indentation."""
    nsmap = dict(NSMAP)
    for prefix, uri in (element.nsmap or {}).items():
        if uri not in nsmap.values() and prefix not in nsmap:
            nsmap[prefix] = uri
    clone = _rebuild(element, nsmap)
    clone.tail = None
    _strip_indentation(clone)
    etree.cleanup_namespaces(clone)
    return etree.tostring(clone, encoding="unicode")


def parse_fragment(text: str) -> etree._Element:
    """An element back from :func:`fragment` text (which sysmap itself wrote)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(text, parser)


def capture(
    element: etree._Element, known_attributes: Iterable[str] = (), known_children: Iterable[str] = ()
) -> Extras:
    """The attributes and child elements of ``element`` that are not in the known lists.

    Known names are Clark-notation names (``{namespace}local``); a bare child name means
    that name in the XMILE namespace.
    """
    known_attributes = set(known_attributes)
    known = {name if name.startswith("{") else f"{{{XMILE_NS}}}{name}" for name in known_children}
    attributes = tuple((k, v) for k, v in element.attrib.items() if k not in known_attributes)
    children = tuple(fragment(c) for c in element if isinstance(c.tag, str) and c.tag not in known)
    if not attributes and not children:
        return NO_EXTRAS
    return Extras(attributes, children)


def replay(element: etree._Element, extras: Extras) -> None:
    """Put kept attributes and children back onto ``element`` (children at the end)."""
    for name, value in extras.attributes:
        element.set(name, value)
    for text in extras.children:
        element.append(parse_fragment(text))
