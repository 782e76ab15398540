"""Keeping what sysmap does not interpret: XML fragments and attributes as :class:`Extras`.

Fragments are stored in a canonical text form -- standalone (declaring the namespaces they
use), without the indentation of the file they came from -- so that capturing a fragment
written back by sysmap gives the identical string, and a saved file reloads to an equal
document.
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
from collections.abc import Iterable

from lxml import etree

from sysmap.io.xmile.names import NSMAP, XMILE_NS, sysmap_tag
from sysmap.model import NO_EXTRAS, Extras

#: On a reference inside a kept drawing (see :func:`references`): the document id of the
#: drawing it refers to, which sysmap reads and renumbers. The reader puts it in place of the
#: file's ``uid``; the writer puts the drawing's new ``uid`` back. Never written to a file.
REF = sysmap_tag("ref")


def _strip_indentation(element: etree._Element) -> None:
    """Drop indentation, and empty text (``<a></a>`` and ``<a/>`` are the same element)."""
    for node in element.iter():
        if node.text is not None and (node.text == "" or (not node.text.strip() and len(node))):
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


_INVENTED = re.compile(r"ns\d+")


def _namespaces(element: etree._Element) -> dict:
    """The canonical prefixes for every namespace ``element``'s subtree uses, declared on top.

    Known namespaces get their usual prefixes; others keep the prefix of their first use,
    or ``ns0``, ``ns1``... when it has none or clashes. Declaring every namespace on the top
    element makes the text independent of where the file declared them, so that a fragment
    sysmap wrote reads back as the same text.
    """
    nsmap = dict(NSMAP)
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        for i, name in enumerate((node.tag, *node.attrib)):
            uri = etree.QName(name).namespace
            if uri is None or uri in nsmap.values():
                continue
            if i == 0:
                prefix = node.prefix
            else:  # attributes: the prefix in scope for their namespace
                prefix = next((p for p, u in node.nsmap.items() if u == uri and p), None)
            # a missing or invented prefix (ns0, ns1...: lxml's, or an earlier fragment's) is
            # numbered within this fragment, so its text does not depend on its neighbours
            if prefix is None or prefix in nsmap or _INVENTED.fullmatch(prefix):
                prefix = next(f"ns{n}" for n in itertools.count() if f"ns{n}" not in nsmap)
            nsmap[prefix] = uri
    return nsmap


def fragment(element: etree._Element) -> str:
    """The canonical text of ``element`` and its subtree: standalone, XMILE as the default
    namespace, known prefixes for known namespaces, no indentation."""
    clone = _rebuild(element, _namespaces(element))
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
    known = _known_tags(frozenset(known_children))
    attributes = tuple((k, v) for k, v in element.attrib.items() if k not in known_attributes)
    children = tuple(fragment(c) for c in element if isinstance(c.tag, str) and c.tag not in known)
    if not attributes and not children:
        return NO_EXTRAS
    return Extras(attributes, children)


@functools.lru_cache(maxsize=256)  # callers pass a few dozen fixed lists, once per element read
def _known_tags(names: frozenset[str]) -> frozenset[str]:
    return frozenset(name if name.startswith("{") else f"{{{XMILE_NS}}}{name}" for name in names)


def replay(element: etree._Element, extras: Extras) -> None:
    """Put kept attributes and children back onto ``element`` (children at the end)."""
    for name, value in extras.attributes:
        element.set(name, value)
    for text in extras.children:
        element.append(parse_fragment(text))


#: (parent, child) local names of the elements that refer to another drawing of a view by uid
_REFERENCES = {("from", "alias"), ("to", "alias"), ("group", "item")}


def _xmile_local(name: object) -> str | None:
    if not isinstance(name, str):
        return None  # comments and processing instructions
    qname = etree.QName(name)
    return qname.localname if qname.namespace in (XMILE_NS, None) else None


def references(element: etree._Element) -> Iterable[etree._Element]:
    """The elements of a kept drawing that refer to another drawing of the view by its uid:
    the alias a connector starts or ends at (``<from><alias uid>``, ``<to><alias uid>``) and
    a group's members (``<item uid>``). ``element`` itself never counts.

    >>> drawing = parse_fragment(
    ...     f'<connector xmlns="{XMILE_NS}" uid="8"><from><alias uid="7"/></from><to>b</to></connector>'
    ... )
    >>> [node.get("uid") for node in references(drawing)]
    ['7']
    """
    for node in element.iterdescendants():
        if (_xmile_local(node.getparent().tag), _xmile_local(node.tag)) in _REFERENCES:
            yield node
