"""Parse XMILE equation text into :mod:`sysmap.sim.ast` nodes, and write nodes back as text.

The grammar (``xmile.lark`` beside this module) follows XMILE 1.0 sections 3.2 and 3.3, with
the array syntax of 3.7.1. Operators bind, loosest first: ``IF c THEN a ELSE b``; ``OR``;
``AND``; ``=`` ``<>``; ``<`` ``<=`` ``>`` ``>=``; ``+`` ``-``; ``*`` ``/`` ``MOD``; unary ``+``
``-`` ``NOT``; ``^``; subscripts ``a[i]`` and transposition ``a'``. All are left-associative
except ``^``, which groups right to left (``2^3^2`` is ``2^(3^2)``).

Unary minus and ``^``: the spec ranks ``^`` above the unary operators, so ``-2^2`` is
``-(2^2)``, -4, as in mathematics. The exponent itself may carry a sign, ``2^-1`` being
``2^(-1)``, as every implementation accepts. ``NOT`` is unary too, so ``NOT a AND b`` is
``(NOT a) AND b`` and ``NOT a = b`` is ``(NOT a) = b``.

Keywords (``IF THEN ELSE AND OR NOT MOD``) are case-insensitive. ``{comments}`` may stand
anywhere between tokens and do not nest. ``PI``, ``TIME`` and ``DT`` written without
parentheses are plain :class:`~sysmap.sim.ast.Name` nodes; whoever evaluates decides.

>>> parse("-2^2") == Unary("-", Binary("^", Num(2.0), Num(2.0)))
True
>>> unparse(parse('IF "birth rate" > 0 {per year} THEN MAX(a, b) ELSE (x + y) * z'))
'IF "birth rate" > 0 THEN MAX(a, b) ELSE (x + y) * z'
>>> parse("3 * (a +")
Traceback (most recent call last):
  ...
sysmap.sim.parser.EquationSyntaxError: column 9: expected an operand after "+"
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from sysmap.errors import SysmapError
from sysmap.model.builtins import STANDARD_FUNCTIONS, VENDOR_FUNCTIONS
from sysmap.model.names import canonical_name, unquote
from sysmap.sim.ast import (
    Binary,
    Call,
    If,
    Name,
    Node,
    Num,
    Range,
    Star,
    Subscript,
    Transpose,
    Unary,
    children,
)

#: Longest equation text accepted, in characters.
MAX_LENGTH = 100_000
#: Deepest nesting accepted: of brackets, and of nodes in the tree (``a+a+...`` counts per ``+``).
MAX_NESTING = 200


class EquationSyntaxError(SysmapError):
    """Equation text that does not parse; ``line`` and ``column`` (1-based) say where.

    >>> str(EquationSyntaxError("expected an operand after \\"*\\"", line=1, column=12))
    'column 12: expected an operand after "*"'
    >>> str(EquationSyntaxError("unexpected character \\"?\\"", line=2, column=3))
    'line 2, column 3: unexpected character "?"'
    """

    def __init__(self, message: str, *, line: int = 1, column: int = 1):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        place = f"column {self.column}" if self.line == 1 else f"line {self.line}, column {self.column}"
        return f"{place}: {self.message}"


@functools.lru_cache(maxsize=1 << 16)
def parse(text: str) -> Node:
    """The tree of the equation ``text``; raises :class:`EquationSyntaxError` when it is not one.

    Results are cached per text (nodes are immutable, so sharing them is safe).

    >>> parse("a - b - c") == Binary("-", Binary("-", Name("a", "a"), Name("b", "b")), Name("c", "c"))
    True
    >>> parse('SMTH1("Net Births", 3)').args
    (Name(name='net_births', text='Net Births', pos=6), Num(value=3.0, pos=20))
    """
    if len(text) > MAX_LENGTH:
        raise EquationSyntaxError(
            f"the equation is too long ({len(text):,} characters; the limit is {MAX_LENGTH:,})"
        )
    if is_blank(text):
        only_comments = "{" in text
        raise EquationSyntaxError("empty equation" + (" (only a comment)" if only_comments else ""))
    _check_brackets(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    deep = _too_deep(tree)
    if deep is not None:
        raise _at(text, deep.pos, f"the equation nests too deeply (more than {MAX_NESTING} levels)")
    return tree


def is_blank(text: str) -> bool:
    """Whether ``text`` holds no equation: nothing but whitespace and ``{comments}``.

    >>> is_blank("  {enter an equation}  "), is_blank("{x} 1")
    (True, False)
    """
    return _BLANK.fullmatch(text) is not None


def unparse(node: Node) -> str:
    """Canonical XMILE text for ``node``, with only the parentheses it needs.

    ``parse(unparse(node)) == node`` for every tree :func:`parse` can give. Keywords and
    standard functions are written in upper case, operators spaced (``^`` is not).

    >>> unparse(parse("(a*b)+(c^(d^e))-(-f)^2"))
    'a * b + c^d^e - (-f)^2'
    >>> unparse(parse("sum( x[ *:Dim , 1 : 3 ] ' )"))
    "SUM(x[*:dim, 1:3]')"
    """
    return _write(node)[0]


# ---------------------------------------------------------------------------------------------
# Building nodes

_BINARY = {
    "OR": "or",
    "AND": "and",
    "EQ": "=",
    "NE": "<>",
    "LT": "<",
    "LE": "<=",
    "GT": ">",
    "GE": ">=",
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "MOD": "mod",
    "CARET": "^",
}
_UNARY = {"PLUS": "+", "MINUS": "-", "NOT": "not"}
_NAME_PIECE = re.compile(r'"(?:[^"\\]|\\[\s\S])*"|[^."]+|\.')
_BLANK = re.compile(r"(?:[ \t\n\r\f\v\u00a0]|\{[^}]*\})*")
_NUMBER_LIST = re.compile(r"\s*[-+]?[0-9.][0-9.eE+-]*(?:\s*[,;]\s*[-+]?[0-9.][0-9.eE+-]*)+\s*;?\s*")
_NUMBER_LIST_MESSAGE = (
    "a list of numbers (a Vensim array constant) is not an XMILE equation; "
    "give each array element its own equation"
)
_OPAQUE = re.compile(r'"(?:[^"\\]|\\[\s\S])*"|\{[^}]*\}')


def _name_text(token: Token) -> str:
    """A NAME token as written, quotes stripped and escapes resolved (``a."b c"`` -> ``a.b c``)."""
    value = str(token)
    if '"' not in value:
        return value
    return "".join(unquote(piece) for piece in _NAME_PIECE.findall(value))


class _Build(Transformer):
    """Turns each grammar rule into its node as the parser reduces it (no parse tree is built)."""

    def number(self, c):
        return Num(float(c[0]), c[0].start_pos)

    def name(self, c):
        text = _name_text(c[0])
        return Name(canonical_name(text), text, c[0].start_pos)

    def call(self, c):
        *words, args = c  # several words only in files converted from Vensim: VECTOR SELECT(...)
        func = canonical_name(" ".join(_name_text(w) for w in words))
        return Call(func, tuple(args or ()), words[0].start_pos)

    def args(self, c):
        return c

    def indices(self, c):
        return c

    def binary(self, c):
        left, op, right = c
        return Binary(_BINARY[op.type], left, right, left.pos)

    def unary(self, c):
        return Unary(_UNARY[c[0].type], c[1], c[0].start_pos)

    def postfix_not(self, c):
        return Unary("not", c[0], c[0].pos)

    def if_(self, c):
        return If(c[1], c[3], c[5], c[0].start_pos)

    def subscript(self, c):
        return Subscript(c[0], tuple(c[1]), c[0].pos)

    def transpose(self, c):
        return Transpose(c[0], c[0].pos)

    def star(self, c):
        if len(c) == 1:
            return Star(None, c[0].start_pos)
        dimension = c[0] if c[0].type == "NAME" else c[1]  # Dim.* or *:Dim
        return Star(canonical_name(_name_text(dimension)), c[0].start_pos)

    def range(self, c):
        return Range(c[0], c[1], c[0].pos)


@functools.cache
def _parser() -> Lark:
    grammar = resources.files("sysmap.sim").joinpath("xmile.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_Build(), maybe_placeholders=True)


def _too_deep(node: Node) -> Node | None:
    """The first node nested deeper than :data:`MAX_NESTING`, if any (found without recursion)."""
    todo = [(node, 1)]
    while todo:
        current, depth = todo.pop()
        if depth > MAX_NESTING:
            return current
        todo.extend((child, depth + 1) for child in children(current))
    return None


def _check_brackets(text: str) -> None:
    """Refuse brackets nested beyond :data:`MAX_NESTING` before the parser sees them."""
    if text.count("(") + text.count("[") <= MAX_NESTING:
        return
    depth = 0
    for m in re.finditer(r"[][()]|" + _OPAQUE.pattern, text):
        char = m.group()
        if char in "([":
            depth += 1
            if depth > MAX_NESTING:
                raise _at(text, m.start(), f"the equation nests too deeply (more than {MAX_NESTING} levels)")
        elif char in ")]":
            depth -= 1


# ---------------------------------------------------------------------------------------------
# Error messages a modeller can act on

_OPERAND_START = {"NUMBER", "NAME", "LPAR", "PLUS", "MINUS", "NOT", "IF"}
_CLOSE_TYPE = {"RPAR": "LPAR", "RSQB": "LSQB"}


def _at(text: str, pos: int, message: str) -> EquationSyntaxError:
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return EquationSyntaxError(message, line=line, column=column)


def _show(token: Token) -> str:
    if token.type == "$END":
        return "the end"
    value = str(token)
    if len(value) > 30:
        value = value[:27] + "..."
    # an error message is one line, even for a quoted name that holds a line break
    value = value.replace("\r", "\\r").replace("\n", "\\n")
    return f'"{value}"'


def _tokens_before(text: str, end: int) -> list[Token]:
    """The significant tokens of ``text[:end]`` (which lexed without error while parsing)."""
    skip = {"COMMENT", "WHITESPACE"}
    return [t for t in _parser().lex(text[:end], dont_ignore=True) if t.type not in skip]


def _open_items(tokens: list[Token]) -> list[Token]:
    """The brackets and IFs still open after ``tokens``, innermost last."""
    stack: list[Token] = []
    for tok in tokens:
        if tok.type in ("LPAR", "LSQB", "IF"):
            stack.append(tok)
        elif tok.type in ("RPAR", "RSQB"):
            if stack and stack[-1].type == _CLOSE_TYPE[tok.type]:
                stack.pop()
        elif tok.type == "ELSE" and stack and stack[-1].type == "IF":
            stack.pop()
    return stack


def _where(token: Token) -> str:
    return f"column {token.column}" if token.line == 1 else f"line {token.line}, column {token.column}"


def _syntax_error(text: str, exc: UnexpectedInput) -> EquationSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = text[pos]
        if char == '"':
            message = "a quoted name is not closed"
        elif char == "{":
            message = 'a comment is not closed: "{" has no "}"'
        elif char == "}":
            message = '"}" closes no comment'
        elif text.strip() == "???":
            message = "the equation is ??? (the converter could not translate it)"
        elif char.isprintable() and not char.isspace():
            message = f'unexpected character "{char}"'
        else:
            message = f"unexpected character U+{ord(char):04X}"
        return _at(text, pos, message)
    if not isinstance(exc, UnexpectedToken):
        return _at(text, len(text), "the equation is incomplete")
    if _NUMBER_LIST.fullmatch(text):
        return _at(text, re.search("[,;]", text).start(), _NUMBER_LIST_MESSAGE)
    token = exc.token
    at_end = token.type == "$END"
    pos = len(text.rstrip()) if at_end else token.start_pos
    before = _tokens_before(text, len(text) if at_end else token.start_pos)
    words = _trailing_names(before)
    if len(words) > 1 and token.type != "LPAR":
        # Several names in a row are a function name only when "(" follows (VECTOR SELECT(...)).
        message = (
            f"expected an operator between {_show(words[0])} and {_show(words[1])} "
            "(a name with spaces needs quotes or underscores)"
        )
        return _at(text, words[1].start_pos, message)
    prev = before[-1] if before else None
    return _at(text, pos, _describe(token, prev, _open_items(before), set(exc.expected)))


def _trailing_names(tokens: list[Token]) -> list[Token]:
    start = len(tokens)
    while start > 0 and tokens[start - 1].type == "NAME":
        start -= 1
    return tokens[start:]


def _describe(token: Token, prev: Token | None, open_items: list[Token], expected: set[str]) -> str:
    kind = token.type
    innermost = open_items[-1] if open_items else None
    if kind == "DOT_STAR":
        return '".*" (every element of a dimension) stands only inside subscripts, as in a[Dim.*]'
    if "NUMBER" in expected and kind not in _OPERAND_START:
        if prev is None:
            return f"expected an operand before {_show(token)}"
        if prev.type == "LPAR" and kind == "RPAR":
            return 'expected an expression inside "()"'
        return f"expected an operand after {_show(prev)}"
    if kind == "NOT" and prev is not None:
        return 'NOT goes before what it negates, as in "NOT a"'
    if kind in ("NAME", "NUMBER", "LPAR", "IF"):
        if prev is not None:
            return f"expected an operator between {_show(prev)} and {_show(token)}"
        return f"unexpected {_show(token)}"
    if kind in ("$END", "RPAR", "RSQB", "THEN", "ELSE", "COMMA", "COLON"):
        if innermost is not None and innermost.type in ("LPAR", "LSQB"):
            closer = ")" if innermost.type == "LPAR" else "]"
            opener = f'"{innermost}" at {_where(innermost)}'
            if kind == "$END":
                return f"{opener} is not closed"
            if kind == "COMMA":
                return '"," separates arguments of a function or subscripts, not terms in parentheses'
            if kind == "COLON":
                return '":" makes a range only inside subscripts, as in a[1:3]'
            return f'expected "{closer}" (to close {opener}) before {_show(token)}'
        if innermost is not None and innermost.type == "IF":
            needed = "ELSE" if "ELSE" in expected else "THEN"
            return f"expected {needed} (for IF at {_where(innermost)}) before {_show(token)}"
        if kind in ("RPAR", "RSQB"):
            opener = "(" if kind == "RPAR" else "["
            return f'{_show(token)} has no matching "{opener}"'
        if kind in ("THEN", "ELSE"):
            return f"{_show(token)} without IF"
        if kind == "COMMA":
            return '"," outside a function call or subscript'
        if kind == "COLON":
            return '":" makes a range only inside subscripts, as in a[1:3]'
    if "RSQB" in expected:
        return f'expected "]" or "," before {_show(token)}'
    if "RPAR" in expected:
        return f'expected ")" or "," before {_show(token)}'
    return f"unexpected {_show(token)}"


# ---------------------------------------------------------------------------------------------
# Writing nodes back

# Binding strength, loosest first, as in the grammar.
_IF, _OR, _AND, _EQUALITY, _RELATION, _SUM, _PRODUCT, _UNARY_LEVEL, _POWER, _POSTFIX, _ATOM = range(11)
_LEVEL = {
    "or": _OR,
    "and": _AND,
    "=": _EQUALITY,
    "<>": _EQUALITY,
    "<": _RELATION,
    "<=": _RELATION,
    ">": _RELATION,
    ">=": _RELATION,
    "+": _SUM,
    "-": _SUM,
    "*": _PRODUCT,
    "/": _PRODUCT,
    "mod": _PRODUCT,
    "^": _POWER,
}
_SPELLING = {"or": " OR ", "and": " AND ", "mod": " MOD ", "^": "^"}
_KNOWN_FUNCTIONS = STANDARD_FUNCTIONS | VENDOR_FUNCTIONS
_ID = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f\u00a0][^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*"
_BARE_NAME = re.compile(rf"\.?{_ID}(?:\.{_ID})*")
_KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "mod"})


def _name_form(text: str) -> str:
    """``text`` as a NAME token that parses back to the same text."""
    if _BARE_NAME.fullmatch(text) and text.lstrip(".").split(".")[0].casefold() not in _KEYWORDS:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _number(value: float) -> str:
    if math.isnan(value):
        raise ValueError("NaN has no XMILE spelling")
    if math.isinf(value):
        return "1e999"  # reads back as infinity
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _wrap(node: Node, level: int) -> str:
    """``node`` written so that it binds at least as tightly as ``level``."""
    text, own = _write(node)
    return text if own >= level else f"({text})"


def _write(node: Node) -> tuple[str, int]:
    if isinstance(node, Num):
        text = _number(abs(node.value))
        return ("-" + text, _UNARY_LEVEL) if node.value < 0 else (text, _ATOM)
    if isinstance(node, Name):
        return _name_form(node.text), _ATOM
    if isinstance(node, Call):
        func = _name_form(node.func)
        if node.func in _KNOWN_FUNCTIONS and func == node.func:
            func = func.upper()
        return f"{func}({', '.join(_wrap(arg, _IF) for arg in node.args)})", _ATOM
    if isinstance(node, Binary):
        level = _LEVEL[node.op]
        spelled = _SPELLING.get(node.op, f" {node.op} ")
        if node.op == "^":
            return f"{_wrap(node.left, _POSTFIX)}^{_wrap(node.right, _UNARY_LEVEL)}", level
        return f"{_wrap(node.left, level)}{spelled}{_wrap(node.right, level + 1)}", level
    if isinstance(node, Unary):
        op = "NOT " if node.op == "not" else node.op
        return op + _wrap(node.operand, _UNARY_LEVEL), _UNARY_LEVEL
    if isinstance(node, If):
        parts = (_wrap(node.cond, _IF), _wrap(node.then, _IF), _wrap(node.otherwise, _IF))
        return "IF {} THEN {} ELSE {}".format(*parts), _IF
    if isinstance(node, Subscript):
        indices = ", ".join(_index(i) for i in node.indices)
        return f"{_wrap(node.target, _POSTFIX)}[{indices}]", _POSTFIX
    if isinstance(node, Transpose):
        return _wrap(node.operand, _POSTFIX) + "'", _POSTFIX
    if isinstance(node, Star | Range):
        raise ValueError(f"{type(node).__name__} can only stand inside subscripts")
    raise TypeError(f"not an equation node: {node!r}")


def _index(node: Node) -> str:
    if isinstance(node, Star):
        return "*" if node.dimension is None else f"*:{_name_form(node.dimension)}"
    if isinstance(node, Range):
        return f"{_wrap(node.low, _IF)}:{_wrap(node.high, _IF)}"
    return _wrap(node, _IF)
