"""Reading JavaScript object literals out of minified bundles without executing anything.

Understands what minifiers emit for data: unquoted and quoted keys, single/double/back-quoted
strings, numbers (incl. hex), ``!0``/``!1`` booleans, ``void 0``, ``null``/``undefined``,
nested objects and arrays, trailing commas, comments. A bare identifier or member expression
(``a.b``) becomes a :class:`JSRef`; anything else (calls, spreads, functions) makes that
literal unparseable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pybragerone.errors import BragerAssetError

__all__ = ["JSRef", "iter_object_literals", "parse_js_literal"]

_MAX_DEPTH = 100
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_MEMBER = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_WS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None, "undefined": None}
# What may precede an object literal that holds data (not a block or function body).
_LITERAL_CONTEXT = frozenset("=(,:[?")


@dataclass(frozen=True, slots=True)
class JSRef:
    """A reference to a variable or member (``e``, ``a.PARAM_0``) found where a value was."""

    name: str


class _Syntax(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


class _TooDeep(_Syntax):
    """Nesting beyond ``_MAX_DEPTH``: no data literal looks like that."""


class _Parser:
    __slots__ = ("src",)

    def __init__(self, src: str) -> None:
        self.src = src

    def ws(self, i: int) -> int:
        match = _WS.match(self.src, i)
        return match.end() if match else i

    def value(self, i: int, depth: int) -> tuple[Any, int]:
        if depth > _MAX_DEPTH:
            raise _TooDeep("nesting too deep", i)
        src = self.src
        i = self.ws(i)
        if i >= len(src):
            raise _Syntax("unexpected end of input", i)
        ch = src[i]
        if ch == "{":
            return self.obj(i + 1, depth + 1)
        if ch == "[":
            return self.arr(i + 1, depth + 1)
        if ch in "'\"`":
            return self.string(i)
        if ch == "!" and i + 1 < len(src) and src[i + 1] in "01":
            return src[i + 1] == "0", i + 2
        if ch.isdigit() or ch in "-.":
            match = _NUMBER.match(src, i)
            if match is None:
                raise _Syntax("bad number", i)
            text = match.group(0)
            try:
                if "x" in text.lower():
                    return int(text, 16), match.end()
                if any(c in text for c in ".eE"):
                    return float(text), match.end()
                return int(text), match.end()
            except ValueError:  # more digits than int() accepts (sys.get_int_max_str_digits)
                raise _Syntax("number too long", i) from None
        match = _MEMBER.match(src, i)
        if match is None:
            raise _Syntax(f"unexpected character {ch!r}", i)
        name, end = match.group(0), match.end()
        if name == "void":
            operand = _NUMBER.match(src, self.ws(end))
            if operand is None:
                raise _Syntax("void without operand", end)
            return None, operand.end()
        after = self.ws(end)
        if after < len(src) and src[after] in "(=>`":
            raise _Syntax(f"expression after {name!r} is not a literal", after)
        if name in _KEYWORDS:
            return _KEYWORDS[name], end
        return JSRef(name), end

    def obj(self, i: int, depth: int) -> tuple[dict[str, Any], int]:
        src = self.src
        out: dict[str, Any] = {}
        while True:
            i = self.ws(i)
            if i >= len(src):
                raise _Syntax("unterminated object", i)
            ch = src[i]
            if ch == "}":
                return out, i + 1
            if ch in "'\"":
                key, i = self.string(i)
            elif ch.isdigit():
                match = _NUMBER.match(src, i)
                if match is None:  # pragma: no cover - isdigit guarantees a match
                    raise _Syntax("bad key", i)
                key, i = match.group(0), match.end()
            else:
                match = _IDENT.match(src, i)
                if match is None:
                    raise _Syntax(f"bad object key at {ch!r}", i)
                key, i = match.group(0), match.end()
            i = self.ws(i)
            if i >= len(src) or src[i] != ":":
                raise _Syntax(f"expected ':' after key {key!r}", i)
            value, i = self.value(i + 1, depth)
            out[str(key)] = value
            i = self.ws(i)
            if i < len(src) and src[i] == ",":
                i += 1
            elif i < len(src) and src[i] == "}":
                continue
            else:
                raise _Syntax("expected ',' or '}' in object", i)

    def arr(self, i: int, depth: int) -> tuple[list[Any], int]:
        src = self.src
        out: list[Any] = []
        while True:
            i = self.ws(i)
            if i >= len(src):
                raise _Syntax("unterminated array", i)
            if src[i] == "]":
                return out, i + 1
            value, i = self.value(i, depth)
            out.append(value)
            i = self.ws(i)
            if i < len(src) and src[i] == ",":
                i += 1
            elif i < len(src) and src[i] == "]":
                continue
            else:
                raise _Syntax("expected ',' or ']' in array", i)

    def string(self, i: int) -> tuple[str, int]:
        src = self.src
        quote = src[i]
        i += 1
        parts: list[str] = []
        start = i
        surrogates = False
        while True:
            if i >= len(src):
                raise _Syntax("unterminated string", i)
            ch = src[i]
            if ch == quote:
                parts.append(src[start:i])
                text = "".join(parts)
                if surrogates:  # \uD83D\uDE00: JS escapes are UTF-16 code units
                    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
                return text, i + 1
            if ch == "\\":
                parts.append(src[start:i])
                if i + 1 >= len(src):
                    raise _Syntax("unterminated escape", i)
                esc = src[i + 1]
                if esc in "ux":
                    width = 4 if esc == "u" else 2
                    digits = src[i + 2 : i + 2 + width]
                    if len(digits) != width or not all(
                        c in "0123456789abcdefABCDEF" for c in digits
                    ):
                        raise _Syntax("bad escape", i)
                    code = int(digits, 16)
                    surrogates = surrogates or 0xD800 <= code <= 0xDFFF
                    parts.append(chr(code))
                    i += 2 + width
                else:
                    parts.append(_ESCAPES.get(esc, esc))
                    i += 2
                start = i
                continue
            if quote == "`" and ch == "$" and src.startswith("${", i):
                raise _Syntax("template literal with substitutions", i)
            if ch == "\n" and quote != "`":
                raise _Syntax("newline in string", i)
            i += 1


def parse_js_literal(source: str, pos: int = 0) -> tuple[Any, int]:
    """Parse the literal starting at ``pos``; returns ``(value, end offset)``.

    Raises :class:`BragerAssetError` naming the offset when it is not a literal.
    """
    try:
        return _Parser(source).value(pos, 0)
    except _Syntax as exc:
        raise BragerAssetError(f"not a JavaScript literal: {exc} at offset {exc.pos}") from None
    except RecursionError:
        raise BragerAssetError(f"JavaScript literal at offset {pos} nests too deep") from None


def iter_object_literals(source: str) -> Iterator[dict[str, Any]]:
    """Every outermost data object literal in ``source`` (code around them is skipped)."""
    parser = _Parser(source)
    i = source.find("{")
    while i >= 0:
        j = i - 1
        while j >= 0 and source[j] in " \t\r\n":
            j -= 1
        if j < 0 or source[j] in _LITERAL_CONTEXT:
            try:
                value, end = parser.obj(i + 1, 1)
            except _TooDeep as exc:
                # Retrying every "{" inside would take quadratic time on garbage such as
                # '{"a":{"a":...'; literals nested in it are given up (no bundle nests so deep).
                i = source.find("{", exc.pos)
                continue
            except (_Syntax, RecursionError):
                pass
            else:
                yield value
                i = source.find("{", end)
                continue
        i = source.find("{", i + 1)
