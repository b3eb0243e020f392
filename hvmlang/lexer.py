"""Lexer: source text -> tokens, with comments blanked first and lexical errors collected.

The terminals are those of `syntax.lark`, matched as lark's basic lexer matches them (one
alternation in lark's terminal order, the first alternative that matches wins, keywords such as
`let` are names whose text is a keyword) but with one regex scan over the whole text and plain
slotted tokens, cheaper than lark's token objects. `tests/test_parse.py` checks that
both lexers agree.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lark import Lark
from lark.lexer import PatternStr

from .diagnostics import Diagnostic, Span


class Tok:
    """One token: terminal name, text, and position (from 1; `end_column` is exclusive)."""
    __slots__ = ("type", "value", "line", "column", "end_line", "end_column")

    def __init__(self, type: str, value: str, line: int, column: int, end_line: int,
                 end_column: int):
        self.type, self.value, self.line, self.column = type, value, line, column
        self.end_line, self.end_column = end_line, end_column

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


class _KeepErrorTokens:
    """Identity postlexer whose `always_accept` keeps the error-only terminals in the grammar."""
    always_accept = ("OPEN_STRING", "OPEN_CHAR", "BAD")

    def process(self, stream):
        return stream


@cache
def grammar() -> Lark:
    """The LALR grammar of `syntax.lark` (its terminals and parse table; no lark trees)."""
    text = Path(__file__).with_name("syntax.lark").read_text(encoding="utf-8")
    return Lark(text, parser="lalr", lexer="basic", maybe_placeholders=False,
                start=["item", "term_input"], postlex=_KeepErrorTokens())


def _has_newline(regexp: str) -> bool:
    """Whether a terminal's regexp may match a newline (lark's own test)."""
    return any(s in regexp for s in ("\n", "\\n", "\\s", "[^")) or (
        "(?s" in regexp and "." in regexp)


@cache
def _scanner():
    """(alternation of the terminals, {regex terminal: {keyword: type}}, multi-line types)."""
    lark = grammar()
    terminals = sorted(lark.terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                      -len(t.pattern.value), t.name))
    keywords: dict[str, dict[str, str]] = {}
    embedded = set()
    for regex in (t for t in terminals if not isinstance(t.pattern, PatternStr)):
        for word in (t for t in terminals if isinstance(t.pattern, PatternStr)):
            m = re.match(regex.pattern.to_regexp(), word.pattern.value)
            if word.priority == regex.priority and m and m.group() == word.pattern.value:
                keywords.setdefault(regex.name, {})[word.pattern.value] = str(word.name)
                embedded.add(word.name)
    kept = [t for t in terminals if t.name not in embedded]
    alternation = re.compile("|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in kept))
    multiline = frozenset(t.name for t in kept if _has_newline(t.pattern.to_regexp()))
    return alternation, keywords, multiline, frozenset(lark.ignore_tokens)


def lex(text: str) -> list[Tok]:
    """Every token of `text`, ignored whitespace left out (BAD and OPEN_* tokens kept)."""
    alternation, keywords, multiline, ignored = _scanner()
    tokens, line, line_start = [], 1, 0
    for m in alternation.finditer(text):
        kind, value, start = m.lastgroup, m.group(), m.start()
        column = start - line_start + 1
        end_line, end_column = line, column + len(value)
        if kind in multiline and "\n" in value:
            end_line += value.count("\n")
            line_start = start + value.rindex("\n") + 1
            end_column = m.end() - line_start + 1
        if kind not in ignored:
            words = keywords.get(kind)
            if words is not None:
                kind = words.get(value, kind)
            tokens.append(Tok(kind, value, line, column, end_line, end_column))
        line = end_line
    return tokens


def _error(diagnostics: list, code: str, message: str, span: Span, **kw) -> None:
    diagnostics.append(Diagnostic("error", code, message, span, **kw))


_INTERESTING = re.compile(r"[\"'/]")
_STRING_OR_CHAR = re.compile(r"\"(?:\\[\s\S]|[^\"\\])*\"?|'(?:\\[^\n]|[^'\\\n])*'?")
_BLOCK_MARK = re.compile(r"/\*|\*/")
_NOT_NEWLINE = re.compile(r"[^\n]")


class Source:
    """One input text: comments blanked, lexed once, lexical errors collected."""

    def __init__(self, text: str, filename: str):
        self.file = filename
        self.diagnostics: list[Diagnostic] = []
        self.truncated = False     # an open string or comment swallowed the rest of the input
        if text.startswith("\ufeff"):   # a byte order mark is not part of the program
            text = " " + text[1:]
        self.tokens = self._checked(lex(self._strip_comments(text)))

    def span(self, tok: Tok) -> Span:
        return Span(self.file, tok.line, tok.column, tok.end_line, tok.end_column)

    def clean_between(self, first: Tok | None, last: Tok | None) -> bool:
        """Whether no lexical error lies between two tokens (None: the start, the end)."""
        low = (first.line, first.column) if first else (0, 0)
        high = (last.line, last.column) if last else (float("inf"), 0)
        return not any(low < (d.span.line, d.span.col) < high for d in self.diagnostics)

    def end_span(self) -> Span:
        """The position just after the last token."""
        if not self.tokens:
            return Span(self.file, 1, 1, 1, 2)
        last = self.tokens[-1]
        return Span(self.file, last.end_line, last.end_column, last.end_line, last.end_column + 1)

    def _strip_comments(self, text: str) -> str:
        """Replace `// ..` and nested `/* .. */` by spaces, keeping newlines and strings."""
        parts, done, i = [], 0, 0
        while m := _INTERESTING.search(text, i):
            i = m.start()
            if text.startswith("//", i):
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
            elif text.startswith("/*", i):
                end = self._block_comment_end(text, i)
            elif text[i] == "/":
                i += 1
                continue
            else:
                i = _STRING_OR_CHAR.match(text, i).end()
                continue
            parts += [text[done:i], _NOT_NEWLINE.sub(" ", text[i:end])]
            done = i = end
        parts.append(text[done:])
        return "".join(parts)

    def _block_comment_end(self, text: str, start: int) -> int:
        depth = 0
        for m in _BLOCK_MARK.finditer(text, start):
            depth += 1 if m.group() == "/*" else -1
            if depth == 0:
                return m.end()
        line = text.count("\n", 0, start) + 1
        col = start - text.rfind("\n", 0, start)
        _error(self.diagnostics, "E003", "unterminated block comment: expected `*/` to close "
               "this `/*`, found the end of the input", Span(self.file, line, col, line, col + 2))
        self.truncated = True
        return len(text)

    def _checked(self, lexed: list[Tok]) -> list[Tok]:
        """The tokens to parse: errors reported for BAD and OPEN_* tokens, which are replaced."""
        tokens = []
        for tok in lexed:
            if tok.type == "BAD":
                shown = tok.value if tok.value.isprintable() else f"\\u{{{ord(tok.value):X}}}"
                _error(self.diagnostics, "E001", f"unexpected character `{shown}`",
                       self.span(tok))
            elif tok.type == "OPEN_STRING":
                quote = Span(self.file, tok.line, tok.column, tok.line, tok.column + 1)
                _error(self.diagnostics, "E002", "unterminated string: expected a closing `\"`,"
                       " found the end of the input", quote)
                self.truncated = True
                tokens.append(Tok("STRING", '""', tok.line, tok.column, tok.end_line,
                                  tok.end_column))     # parsing goes on
            elif tok.type == "OPEN_CHAR":
                _error(self.diagnostics, "E004", "unterminated character literal: expected a "
                       "closing `'`, found the end of the line", self.span(tok))
                tokens.append(Tok("CHAR", "' '", tok.line, tok.column, tok.end_line,
                                  tok.end_column))     # parsing goes on
            else:
                tokens.append(tok)
        return tokens
