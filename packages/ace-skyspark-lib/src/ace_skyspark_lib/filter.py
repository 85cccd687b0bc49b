"""Haystack filters: parse ``site and area > 1000ft²`` into a small syntax tree.

The client validates every filter with :func:`parse_filter` before sending it, so a typo is a
:class:`~ace_skyspark_lib.exceptions.FilterSyntaxError` naming the position instead of a
server round trip. ``str(tree)`` writes a filter back in canonical form.

Grammar (Project Haystack)::

    filter  := or
    or      := and ("or" and)*
    and     := term ("and" term)*
    term    := "(" filter ")" | "not" path | path (op value)?
    path    := name ("->" name)*
    op      := "==" | "!=" | "<" | "<=" | ">" | ">="
    value   := bool | ref | str | uri | number | date | time | datetime | symbol
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from ace_skyspark_lib.exceptions import FilterSyntaxError, ZincParseError
from ace_skyspark_lib.kinds import Number, Ref, Symbol, Uri
from ace_skyspark_lib.zinc import dumps_value, scan_value

__all__ = ["OPERATORS", "And", "Compare", "Filter", "Has", "Missing", "Or", "parse_filter"]

OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
_NAME = re.compile(r"[a-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({"and", "or", "not"})
_VALUE_TYPES = (bool, str, Ref, Uri, Number, datetime, date, time, Symbol)


def _path_text(path: tuple[str, ...]) -> str:
    return "->".join(path)


@dataclass(frozen=True, slots=True)
class Has:
    """``path``: the tag (or the tag at the end of a ref path) is present."""

    path: tuple[str, ...]

    def __str__(self) -> str:
        return _path_text(self.path)


@dataclass(frozen=True, slots=True)
class Missing:
    """``not path``: the tag is absent."""

    path: tuple[str, ...]

    def __str__(self) -> str:
        return "not " + _path_text(self.path)


@dataclass(frozen=True, slots=True)
class Compare:
    """``path op value``."""

    path: tuple[str, ...]
    op: str
    value: Any

    def __str__(self) -> str:
        value = self.value
        literal = ("true" if value else "false") if isinstance(value, bool) else dumps_value(value)
        return f"{_path_text(self.path)} {self.op} {literal}"


@dataclass(frozen=True, slots=True)
class And:
    """Both sides match."""

    left: Filter
    right: Filter

    def __str__(self) -> str:
        return f"{_group(self.left)} and {_group(self.right)}"


@dataclass(frozen=True, slots=True)
class Or:
    """Either side matches."""

    left: Filter
    right: Filter

    def __str__(self) -> str:
        return f"{_group(self.left)} or {_group(self.right)}"


Filter = Has | Missing | Compare | And | Or


def _group(node: Filter) -> str:
    # Compound children are always parenthesised, so printing then parsing keeps the tree.
    return f"({node})" if isinstance(node, And | Or) else str(node)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str, pos: int | None = None) -> FilterSyntaxError:
        return FilterSyntaxError(
            message, filter_text=self.text, position=self.pos if pos is None else pos
        )

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        self.pos = pos

    def keyword(self, word: str) -> bool:
        self.skip()
        m = _NAME.match(self.text, self.pos)
        if m is not None and m.group(0) == word:
            self.pos = m.end()
            return True
        return False

    def parse(self) -> Filter:
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("empty filter, expected a tag name such as 'site'")
        node = self.or_()
        self.skip()
        if self.pos < len(self.text):
            raise self.fail(f"unexpected {self.text[self.pos :][:12]!r}")
        return node

    def or_(self) -> Filter:
        node = self.and_()
        while self.keyword("or"):
            node = Or(node, self.and_())
        return node

    def and_(self) -> Filter:
        node = self.term()
        while self.keyword("and"):
            node = And(node, self.term())
        return node

    def term(self) -> Filter:
        self.skip()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            node = self.or_()
            self.skip()
            if not self.text.startswith(")", self.pos):
                raise self.fail("missing ')'")
            self.pos += 1
            return node
        if self.keyword("not"):
            return Missing(self.path())
        path = self.path()
        self.skip()
        for op in OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return Compare(path, op, self.value())
        if self.text.startswith("=", self.pos):
            raise self.fail("use '==' to compare, not '='")
        return Has(path)

    def path(self) -> tuple[str, ...]:
        names = [self.name()]
        while self.text.startswith("->", self.pos):
            self.pos += 2
            names.append(self.name())
        return tuple(names)

    def name(self) -> str:
        self.skip()
        m = _NAME.match(self.text, self.pos)
        if m is None:
            found = self.text[self.pos : self.pos + 1] or "end of filter"
            raise self.fail(f"expected a tag name (lowercase letter or '_' first), got {found!r}")
        if m.group(0) in _KEYWORDS:
            raise self.fail(f"expected a tag name, got the keyword {m.group(0)!r}")
        self.pos = m.end()
        return m.group(0)

    def value(self) -> Any:
        self.skip()
        for word, flag in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                end = self.pos + len(word)
                if not _NAME.match(self.text, end):
                    self.pos = end
                    return flag
        start = self.pos
        if start >= len(self.text):
            raise self.fail("missing value after the operator")
        try:
            value, self.pos = scan_value(self.text, start)
        except ZincParseError as exc:
            raise self.fail(f"invalid value ({exc})", start) from exc
        if not isinstance(value, _VALUE_TYPES):
            raise self.fail(f"cannot compare with a {type(value).__name__} value", start)
        return value


def parse_filter(text: str) -> Filter:
    """Parse a Haystack filter; raises :class:`FilterSyntaxError` naming what is wrong."""
    if not isinstance(text, str):
        raise FilterSyntaxError(
            f"a filter is a str, got {type(text).__name__}", filter_text=repr(text), position=0
        )
    return _Parser(text).parse()
