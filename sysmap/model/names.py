"""Variable names under the XMILE identifier rules (XMILE 1.0, section 3.2.2).

Names are case-insensitive; space, non-breaking space, newline, the two-character escape
``\\n`` and underscore are all the same whitespace, and a run of whitespace counts as one.
A name may be written in quotes, which are not part of the name.

>>> canonical_name('"Birth  Rate"') == canonical_name("birth_rate")
True
>>> equation_form("birth rate")
'birth_rate'
>>> equation_form("cost (£/year)")
'"cost (£/year)"'
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"(?:[ \u00a0_\t\r\n\x00-\x1f]|\\n)+")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BARE = re.compile(r"[A-Za-z\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*")

#: Words of the equation language that cannot be bare variable names.
KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "mod"})


def unquote(name: str) -> str:
    """Strip surrounding double quotes and resolve the escapes ``\\"``, ``\\\\`` and ``\\n``.

    >>> unquote('"revenue\\\\ngap"')
    'revenue\\ngap'
    >>> unquote('plain')
    'plain'
    """
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), name[1:-1])
    return name


def canonical_name(name: str) -> str:
    """The key under which two names are the same identifier: lower case, whitespace as ``_``.

    >>> canonical_name("  Staff\\nSelf-Esteem ")
    'staff_self-esteem'
    >>> canonical_name('"wom\\\\nmultiplier"') == canonical_name("WOM_multiplier")
    True
    """
    key = _canonical_once(name)
    # A name quoted twice ('""a""') would give a key that is itself a quoted name; go on until
    # the key is its own key, so that canonical_name(key) == key.
    while len(key) >= 2 and key[0] == '"' and key[-1] == '"':
        key = _canonical_once(key)
    return key


def _canonical_once(name: str) -> str:
    # Case-fold first: a backslash and "N" fold to the newline escape, which is whitespace.
    text = _WHITESPACE.sub(" ", unquote(name).casefold()).strip()
    return text.replace(" ", "_")


def display_name(name: str) -> str:
    """The name as a diagram shows it: underscores and escaped newlines become spaces.

    >>> display_name("staff_turnover")
    'staff turnover'
    """
    return _WHITESPACE.sub(" ", unquote(name)).strip()


def is_valid_name(name: str) -> bool:
    """Whether ``name`` can name a variable: it must hold something other than whitespace.

    >>> is_valid_name("  _ ")
    False
    """
    return bool(canonical_name(name))


def needs_quotes(name: str) -> bool:
    """Whether ``name`` (after whitespace becomes ``_``) must be quoted inside an equation."""
    bare = display_name(name).replace(" ", "_")
    return _BARE.fullmatch(bare) is None or bare.casefold() in KEYWORDS


def equation_form(name: str) -> str:
    """How to write a reference to the variable ``name`` inside an equation.

    Whitespace becomes a single underscore; names that break the identifier form are
    quoted with ``"`` and ``\\`` escaped.

    >>> equation_form("if")
    '"if"'
    """
    if not needs_quotes(name):
        return display_name(name).replace(" ", "_")
    escaped = display_name(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
