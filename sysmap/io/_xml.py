"""Parsing XML that came from someone else: no network, no local files, no entity bombs.

Every XML reader in sysmap goes through :func:`parse`. It refuses DOCTYPE declarations (XMILE
and GraphML never need one, and they are how external entities, external DTDs and
entity-expansion bombs get in), never resolves entities or XInclude, caps the file size,
declares namespace prefixes that producers forgot to declare (xmutil writes ``isee:``
without its namespace), and recovers what libxml2 can recover from a malformed file --
with a warning that names the line and what was repaired.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sysmap.errors import FileFormatError

MAX_BYTES = 100 * 1024 * 1024

#: Namespaces of prefixes that producers use without declaring them.
KNOWN_PREFIXES = {
    "isee": "http://iseesystems.com/XMILE",
    "sysmap": "urn:sysmap:xmile:1",
    "simlin": "https://simlin.com/XMILE/v1.0",
    "vensim": "http://vensim.com/XMILE/v1.0",
}
_UNDECLARED = re.compile(r"Namespace prefix (\S+) (?:on|for) \S+ is not defined")


@dataclass
class Parsed:
    """A parsed document and what had to be repaired to parse it (``file:line: ...`` lines)."""

    root: etree._Element
    warnings: list[str] = field(default_factory=list)


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        recover=recover,
    )


def _declare_prefixes(data: bytes, prefixes: set[str]) -> bytes:
    """Add ``xmlns:p`` declarations for ``prefixes`` to the root element's start tag."""
    match = re.search(rb"<(?![?!])[^\s>/]+", data)
    if match is None:
        return data
    decls = b"".join(
        b' xmlns:%s="%s"' % (p.encode(), KNOWN_PREFIXES.get(p, f"urn:sysmap:undeclared:{p}").encode())
        for p in sorted(prefixes)
    )
    return data[: match.end()] + decls + data[match.end() :]


def _error_place(error: etree.XMLSyntaxError) -> tuple[int | None, int | None, str]:
    line, col = error.position if error.position else (None, None)
    message = str(error.msg or error)
    message = re.sub(r",\s*line \d+,\s*column \d+.*$", "", message).strip() or message
    return line or None, col or None, message


#: Errors that recovery would paper over by guessing, not by closing a tag.
_UNRECOVERABLE = ("encoding", "Document is empty", "Start tag expected", "Excessive depth")


_ELEMENT_PREFIX = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]")
#: After the prefix of an attribute (`` p:name =``); searching from the colon is quick, where
#: ``\s([A-Za-z_][\w.-]*):...`` would try a match at every space of the file.
_ATTRIBUTE_AFTER_PREFIX = re.compile(rb":[A-Za-z_][\w.-]*\s*=")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_NAME_START = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_SPACE = frozenset(b" \t\n\r\f\v")


def _attribute_prefixes(data: bytes) -> set[bytes]:
    """The ``p`` of every `` p:name =`` (space, prefix, colon, name, ``=``) in ``data``."""
    found = set()
    for match in _ATTRIBUTE_AFTER_PREFIX.finditer(data):
        end = start = match.start()
        while start > 0 and data[start - 1] in _NAME_BYTES:
            start -= 1
        if start < end and start > 0 and data[start - 1] in _SPACE and data[start] in _NAME_START:
            found.add(data[start:end])
    return found


def _undeclared_prefixes(data: bytes) -> set[str]:
    """Prefixes used in ``data`` that no ``xmlns:`` declares.

    >>> sorted(_undeclared_prefixes(b'<a xmlns:i="u"><isee:b i:c="1" st:d = "2"/></a>'))
    ['isee', 'st']
    """
    used = set(_ELEMENT_PREFIX.findall(data))
    used |= _attribute_prefixes(data)
    declared = set(re.findall(rb"xmlns:([A-Za-z_][\w.-]*)\s*=", data))
    return {p.decode() for p in used - declared - {b"xml", b"xmlns"}}


def parse(data: bytes, path: str | os.PathLike) -> Parsed:
    """Parse untrusted XML ``data`` read from ``path``.

    Raises :class:`FileFormatError` (naming the file, line and column) for a file that
    cannot be parsed or that carries a DOCTYPE; returns the tree and repair warnings
    otherwise.
    """
    if len(data) > MAX_BYTES:
        raise FileFormatError(
            path, None, None, f"file too large ({len(data)} bytes; the limit is {MAX_BYTES})"
        )
    found = re.search(rb"<!DOCTYPE", data[:65536], re.IGNORECASE)
    found = found or re.search(rb"<!ENTITY", data, re.IGNORECASE)
    if found:
        line = data[: found.start()].count(b"\n") + 1
        raise FileFormatError(path, line, None, "DOCTYPE and entity declarations are not allowed")
    warnings: list[str] = []
    # Most files parse as they are, and looking for undeclared prefixes first costs more than
    # parsing. A parse counts only if it logged no error: after a mere warning (xmlns="*"),
    # lxml returns a tree even though libxml2 reported undeclared prefixes.
    parser = _parser(recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        root = None
    if root is None or parser.error_log.filter_from_errors():
        missing = _undeclared_prefixes(data)
        if missing:
            data = _declare_prefixes(data, missing)
            # xmutil writes isee: without declaring it in every file it makes: not worth a warning
        root = _parse_or_repair(data, path, warnings)
    else:
        _check_strict(root, data, path)
    if root.getroottree().docinfo.doctype:
        raise FileFormatError(path, None, None, "DOCTYPE declarations are not allowed")
    return Parsed(root, warnings)


def _check_strict(root: etree._Element, data: bytes, path: str | os.PathLike) -> None:
    """What a strict parse lets through: names with two colons, namespace names that are not URIs."""
    # _ODD_NAME tries a match at every space; a name with two colons holds ':name:', found much faster
    if _COLON_PAIR.search(data) and _ODD_NAME.search(data):
        _check_names(root, path)
    if any(not _valid_uri(uri) for uri in _declared_uris(data)):  # libxml2 only warns
        _check_namespaces(root, path)


def _parse_or_repair(data: bytes, path: str | os.PathLike, warnings: list[str]) -> etree._Element:
    """Parse ``data`` strictly, or else repair it (adding a warning), or raise FileFormatError."""
    try:
        root = etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        line, col, message = _error_place(exc)
        root = None
        if not any(text in message for text in _UNRECOVERABLE):
            try:
                root = etree.fromstring(data, _parser(recover=True))
            except etree.XMLSyntaxError:
                root = None
        if root is None:
            raise FileFormatError(path, line, col, f"not well-formed XML: {message}") from None
        warnings.append(f"{os.fspath(path)}:{line}: repaired malformed XML ({message})")
        _check_names(root, path)
        _check_namespaces(root, path)
        _tidy_repair(root)
    else:
        _check_strict(root, data, path)
    return root


_XMLNS = re.compile(rb"""xmlns(?::[\w.-]+)?\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _declared_uris(data: bytes) -> set[str]:
    """The namespace names the text seems to declare (a cheap look, confirmed on the tree)."""
    return {(m.group(1) or m.group(2) or b"").decode("utf-8", "replace") for m in _XMLNS.finditer(data)}


def _valid_uri(uri: str) -> bool:
    try:
        etree.Element(f"{{{uri}}}x")
    except ValueError:
        return False
    return True


def _check_namespaces(root: etree._Element, path: str | os.PathLike) -> None:
    """Refuse namespace names that are not URIs (``xmlns:x="a b"``). Strict parsing refuses
    them itself; libxml2's repair lets them through, and lxml will not build the elements
    sysmap keeps from them; and for some (``xmlns="😀"``) strict parsing only warns."""
    for uri in sorted({uri for _, uri in root.xpath("//namespace::*")}):
        if not _valid_uri(uri):
            where = next((e for e in root.iter() if uri in (e.nsmap or {}).values()), root)
            raise FileFormatError(path, where.sourceline, None, f"invalid namespace name {uri!r}") from None


#: A name with two colons: strict libxml2 accepts it (as prefix and a local name holding a
#: colon), but lxml cannot rebuild it.
_ODD_NAME = re.compile(rb"[<\s/][\w.-]*:[\w.-]*:")
_COLON_PAIR = re.compile(rb":[\w.-]*:")


def _check_names(root: etree._Element, path: str | os.PathLike) -> None:
    """Refuse names a repair left broken (``<isee: x="1"/>``), which lxml cannot rebuild."""
    for element in root.iter():
        if isinstance(element.tag, str):
            for name in (element.tag, *element.attrib):
                try:
                    etree.QName(name)
                except ValueError:
                    raise FileFormatError(
                        path, element.sourceline, None, f"malformed XML: invalid name {local(name)!r}"
                    ) from None


_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _tidy_repair(root: etree._Element) -> None:
    """Undo what libxml2's repair leaves that no well-formed file has: an attribute given
    twice (the first one counts, as for :meth:`get`), and references to undeclared entities
    (``&name;``), which become plain text since they can never be resolved."""
    for element in root.iter():
        # characters XML cannot hold (from &#1; or raw control bytes), which only a repair lets in
        if _BAD_CHARS.search(element.text or ""):
            element.text = _BAD_CHARS.sub("", element.text)
        if _BAD_CHARS.search(element.tail or ""):
            element.tail = _BAD_CHARS.sub("", element.tail)
        if not isinstance(element.tag, str):
            continue
        items = element.attrib.items()
        first = dict(reversed(items))
        if len(first) != len(items) or any(_BAD_CHARS.search(v) for v in first.values()):
            element.attrib.clear()
            element.attrib.update({name: _BAD_CHARS.sub("", first[name]) for name in dict(items)})
    for entity in list(root.iter(etree.Entity)):
        text = entity.text + (entity.tail or "")
        parent, previous = entity.getparent(), entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(entity)


def read(path: str | os.PathLike) -> Parsed:
    """Read and :func:`parse` the file at ``path``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileFormatError(
                path, None, None, f"file too large ({size} bytes; the limit is {MAX_BYTES})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, None, None, exc.strerror or str(exc)) from None
    return parse(data, path)


def local(tag: object) -> str:
    """The local part of an element's tag (``""`` for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    """The namespace URI of an element's tag, or ``""``."""
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""
