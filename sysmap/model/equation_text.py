"""Find and rewrite the variable references inside equation text, without evaluating it.

This is a lexer, not the expression parser (that lives in :mod:`sysmap.sim`): it knows just
enough of the XMILE equation syntax -- numbers, bare and quoted identifiers, ``{comments}``,
function calls, qualified names -- to say which identifiers an equation refers to, and to
rename one of them while leaving every other character as the user wrote it.

>>> [r.name for r in references("Births * (1 - population / \\"carrying capacity\\")")]
['births', 'population', 'carrying_capacity']
>>> rename_references("MAX(stock, 0) + Stock_2", "stock", "Level")
'MAX(Level, 0) + Stock_2'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sysmap.model.names import KEYWORDS, canonical_name

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\{[^}]*\}?)
    | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<quoted>"(?:[^"\\]|\\.)*"?)
    | (?P<ident>[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*)
    | (?P<op><=|>=|<>|[-+*/^()\[\],<>=.:!&|])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical piece of an equation: its kind, its text and where it starts."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class Reference:
    """An identifier in an equation that may name a variable, by canonical name and span."""

    name: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split equation text into tokens; every character belongs to exactly one token.

    >>> [t.text for t in tokenize("a+.5e3")]
    ['a', '+', '.5e3']
    """
    return [Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)]


def _significant(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind not in ("space", "comment")]


def iter_references(text: str) -> Iterator[Reference]:
    """Yield the identifiers of ``text`` that can refer to variables.

    Skipped: keywords (IF, AND, MOD...), function names (an identifier followed by ``(``),
    and the member part of a qualified name (``b`` in ``a.b``; ``a`` is kept). Builtin
    constants such as TIME or DT are yielded: whether an identifier names a variable is for
    the caller, who knows the variables, to decide.
    """
    tokens = _significant(tokenize(text))
    for i, tok in enumerate(tokens):
        if tok.kind not in ("ident", "quoted"):
            continue
        name = canonical_name(tok.text)
        if not name:
            continue
        if tok.kind == "ident" and name in KEYWORDS:
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.text == "(":
            continue
        prev = tokens[i - 1] if i else None
        if prev is not None and prev.text == "." and prev.end == tok.start:
            continue
        yield Reference(name, tok.start, tok.end)


def references(text: str) -> list[Reference]:
    """The list form of :func:`iter_references`."""
    return list(iter_references(text))


@functools.lru_cache(maxsize=1 << 16)
def referenced_names(text: str) -> frozenset[str]:
    """Canonical names of every identifier ``text`` may refer to (cached per text).

    >>> sorted(referenced_names("IF time > 5 THEN a ELSE SMTH1(b, 3)"))
    ['a', 'b', 'time']
    """
    return frozenset(r.name for r in iter_references(text))


@functools.lru_cache(maxsize=1 << 14)
def function_calls(text: str) -> frozenset[str]:
    """Canonical names of the functions (or macros) ``text`` calls.

    >>> sorted(function_calls("SMTH1(x, 3) + MAX(a, b) * (c)"))
    ['max', 'smth1']
    """
    tokens = _significant(tokenize(text))
    return frozenset(
        canonical_name(tok.text)
        for tok, nxt in zip(tokens, tokens[1:], strict=False)
        if tok.kind in ("ident", "quoted") and nxt.text == "(" and canonical_name(tok.text) not in KEYWORDS
    )


def rename_references(text: str, old: str, new_form: str) -> str:
    """Replace every reference to the variable named ``old`` with ``new_form``.

    ``old`` is compared by canonical name; ``new_form`` is inserted as given, so pass it
    through :func:`sysmap.model.names.equation_form` first. Comments, spacing and other
    names are left exactly as they were.
    """
    key = canonical_name(old)
    if key not in referenced_names(text):
        return text
    parts: list[str] = []
    last = 0
    for ref in iter_references(text):
        if ref.name == key:
            parts.append(text[last : ref.start])
            parts.append(new_form)
            last = ref.end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)
