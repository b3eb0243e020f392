"""net.Book <-> hvm-core text (SPEC §3): the printer, and a parser with located diagnostics.

A book file is a sequence of definitions `@name = TREE` each followed by `& TREE ~ TREE` redex
lines, with `//` comments. Header comments at the start of a line carry what the runtime and
readback need besides the nets, so a printed book parses back to an equal `net.Book`:

    // entry NAME                    the entry, when not the default (`main`, `Main`, the first)
    // data List = List.cons/2 List.nil/0     an ADT: tag name, constructors with arities
    // generated NAME NAME ..        floated, constructor and built-in definitions

`recursive` is not written: the parser recomputes it from the references.
Error codes: E090 syntax, E091 brackets, E092 operator, E093 wire used once, E094 wire used more
than twice, E095 duplicate definition, E096 unknown reference, E097 number too large,
E098 bad header, E099 no entry.
"""
from __future__ import annotations

import bisect
import re

from . import ops
from .diagnostics import SOURCES, CompileError, Diagnostic, Label, Span
from .net import (SINKS, TUPLE, AdtInfo, Book, Con, Dup, Era, Net, Num, Op, Ref, Swi, Wire)
from .netutil import recursive_names

_CLOSER = {"(": ")", "[": "]", "{": "}", "op": ">", "swi": ">"}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*)
  | (?P<ref>@[A-Za-z0-9_.]+)
  | (?P<num>\#[0-9][A-Za-z0-9_.]*)
  | (?P<tag>\#[A-Za-z_.][A-Za-z0-9_.\-]*)
  | (?P<name>[A-Za-z0-9_.]+)
  | (?P<swi>\?<)
  | (?P<op><[-+*/%=!<>&|^:]*)
  | (?P<punct>[*()\[\]{}>&~=])
""", re.VERBOSE)
_NAME = r"[A-Za-z0-9_.]+"
_HEADERS = {
    "entry": re.compile(rf"// entry ({_NAME})\s*"),
    "data": re.compile(rf"// data ({_NAME}) =((?: {_NAME}/[0-9]+)*)\s*"),
    "generated": re.compile(rf"// generated((?: {_NAME})*)\s*"),
}


# ---------------------------------------------------------------------------------------------
# Printing

def print_tree(tree) -> str:
    """One tree in text form."""
    parts: list[str] = []
    stack: list = [tree]
    while stack:
        t = stack.pop()
        if isinstance(t, str):
            parts.append(t)
        elif isinstance(t, Con):
            opener = "[" if t.tag == TUPLE else "(" if t.tag is None else f"(#{t.tag} "
            stack += ["]" if t.tag == TUPLE else ")", t.b, " ", t.a, opener]
        elif isinstance(t, Dup):
            label = f"#{t.label}" if isinstance(t.label, str) else str(t.label)
            stack += ["}", t.b, " ", t.a, f"{{{label} "]
        elif isinstance(t, Op):
            stack += [">", t.b, " ", t.a, f"<{ops.name(t.code)} "]
        elif isinstance(t, Swi):
            stack += [">", t.b, " ", t.a, "?<"]
        elif isinstance(t, Wire):
            parts.append(t.name)
        elif isinstance(t, Ref):
            parts.append(f"@{t.name}")
        elif isinstance(t, Num):
            parts.append(f"#{t.value}")
        elif isinstance(t, Era):
            parts.append("*")
        else:
            raise TypeError(f"not a net tree: {t!r}")
    return "".join(parts)


def print_net(n: Net) -> str:
    """A net body: the root tree, then one `  & left ~ right` line per redex."""
    lines = [print_tree(n.root)]
    lines += [f"  & {print_tree(a)} ~ {print_tree(b)}" for a, b in n.redexes]
    return "\n".join(lines)


def default_entry(names) -> str | None:
    """The entry a book file gets without an `// entry` header: main, Main, else the first."""
    names = list(names)
    for candidate in ("main", "Main"):
        if candidate in names:
            return candidate
    return names[0] if names else None


def print_book(book: Book) -> str:
    """Header lines (if any), then every definition, entry first, separated by blank lines."""
    order = [book.entry] + [name for name in book.nets if name != book.entry]
    headers = []
    if default_entry(order) != book.entry:
        headers.append(f"// entry {book.entry}")
    for info in book.adts.values():
        headers.append(f"// data {info.name} =" + "".join(f" {c}/{k}" for c, k in info.ctrs))
    generated = [name for name in order if name in book.generated]
    if generated:
        headers.append("// generated " + " ".join(generated))
    blocks = [f"@{name} = {print_net(book.nets[name])}" for name in order]
    if headers:
        blocks.insert(0, "\n".join(headers))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------------------------------------
# Parsing

class _Token:
    """A lexeme with its kind and place."""
    __slots__ = ("kind", "text", "span")

    def __init__(self, kind: str, text: str, span: Span):
        self.kind, self.text, self.span = kind, text, span


class _Parser:
    """Tokens of one file -> trees, nets and a book; syntax errors raise at once."""

    def __init__(self, text: str, filename: str):
        SOURCES.add(filename, text)
        self.text, self.filename = text, filename
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.errors: list[Diagnostic] = []
        self.headers: list[_Token] = []
        self.tokens = self._lex()
        self.pos = 0
        self.wires: dict = {}   # wire name -> spans, for the net being parsed
        self.refs: list = []    # (name, span) of every reference

    def span(self, start: int, end: int) -> Span:
        """The Span of text[start:end]."""
        line = bisect.bisect_right(self.starts, start) - 1
        end_line = bisect.bisect_right(self.starts, max(end - 1, start)) - 1
        return Span(self.filename, line + 1, start - self.starts[line] + 1, end_line + 1,
                    end - self.starts[end_line] + 1)

    def fail(self, code: str, message: str, span: Span, **kw):
        """Raise a CompileError with the errors so far plus this one."""
        self.errors.append(Diagnostic("error", code, message, span, **kw))
        raise CompileError(self.errors)

    def _lex(self) -> list:
        tokens = []
        pos, text = 0, self.text
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                self.fail("E090", f"unexpected character `{text[pos]}`",
                          self.span(pos, pos + 1))
            kind, lexeme = m.lastgroup, m.group()
            if kind == "punct":
                kind = lexeme
            if kind == "comment":
                if pos == self.starts[bisect.bisect_right(self.starts, pos) - 1]:
                    self.headers.append(_Token(kind, lexeme, self.span(pos, m.end())))
            elif kind != "ws":
                tokens.append(_Token(kind, lexeme, self.span(pos, m.end())))
            pos = m.end()
        end = self.span(len(text), len(text))
        tokens.append(_Token("eof", "", end))
        return tokens

    def next(self) -> _Token:
        """Consume and return the next token."""
        tok = self.tokens[self.pos]
        if tok.kind != "eof":
            self.pos += 1
        return tok

    def peek(self) -> _Token:
        """The next token, not consumed."""
        return self.tokens[self.pos]

    def expect(self, kind: str, what: str) -> _Token:
        """Consume a token of `kind` or fail with 'expected `what`'."""
        tok = self.next()
        if tok.kind != kind:
            self.fail("E090", f"expected {what}, found {_describe(tok)}", tok.span)
        return tok

    def tree(self):
        """Parse one tree (iteratively: nesting depth is unbounded)."""
        frames: list = []   # [opener token, kind, data, children]
        while True:
            tok = self.next()
            if tok.kind == "eof":
                if frames:
                    opener = frames[-1][0]
                    self.fail("E091", f"unclosed `{opener.text}`", opener.span,
                              label=f"expected a matching `{_CLOSER[opener.kind]}`")
                self.fail("E090", "expected a tree, found end of input", tok.span)
            if tok.kind in (")", "]", "}", ">"):
                if not frames:
                    self.fail("E091", f"unexpected `{tok.text}`", tok.span,
                              label="no open bracket to close")
                opener, kind, data, children = frames[-1]
                want = _CLOSER[opener.kind]
                if tok.kind != want:
                    self.fail("E091", f"mismatched `{tok.text}`: expected `{want}`", tok.span,
                              labels=[Label(opener.span, f"`{opener.text}` opened here")])
                if len(children) < 2:
                    self.fail("E090", f"expected a tree, found `{tok.text}`", tok.span,
                              help="every node has exactly two sub-trees")
                frames.pop()
                leaf = kind(*data, *children)
            else:
                if frames and len(frames[-1][3]) == 2:
                    opener = frames[-1][0]
                    want = _CLOSER[opener.kind]
                    self.fail("E090", f"expected `{want}`, found {_describe(tok)}", tok.span,
                              labels=[Label(opener.span, f"`{opener.text}` opened here")],
                              help="every node has exactly two sub-trees")
                leaf = self._start(tok, frames)
            if leaf is None:
                continue
            if not frames:
                return leaf
            frames[-1][3].append(leaf)

    def _start(self, tok: _Token, frames: list):
        """A leaf for `tok`, or None after pushing the frame of the node it opens."""
        match tok.kind:
            case "name":
                self.wires.setdefault(tok.text, []).append(tok.span)
                return Wire(tok.text)
            case "*":
                return Era()
            case "ref":
                self.refs.append((tok.text[1:], tok.span))
                return Ref(tok.text[1:])
            case "num":
                return Num(self._number(tok))
            case "(":
                tag = self.next().text[1:] if self.peek().kind == "tag" else None
                frames.append([tok, Con, (tag,), []])
            case "[":
                frames.append([tok, Con, (TUPLE,), []])
            case "{":
                label = self.next()
                if label.kind == "tag":
                    frames.append([tok, Dup, (label.text[1:],), []])
                elif label.kind == "name" and label.text.isdigit():
                    frames.append([tok, Dup, (int(label.text),), []])
                else:
                    self.fail("E090", f"expected a dup label, found {_describe(label)}",
                              label.span, help="write `{0 a b}` or `{#L a b}`")
            case "op":
                if not _is_operator(tok.text[1:]):
                    message = (f"unknown operator `{tok.text[1:]}`" if tok.text[1:]
                               else "expected an operator after `<`")
                    self.fail("E092", message, tok.span,
                              help="operators: " + " ".join(ops.OPERATORS)
                              + " (prefix `:` for flipped operands)")
                frames.append([tok, Op, (ops.code_of(tok.text[1:]),), []])
            case "swi":
                frames.append([tok, Swi, (), []])
            case _:
                self.fail("E090", f"expected a tree, found {_describe(tok)}", tok.span)
        return None

    def _number(self, tok: _Token) -> int:
        digits = tok.text[1:]
        if not digits.isdigit():
            self.fail("E090", f"invalid number `{tok.text}`", tok.span,
                      help="numbers are decimal: `#42`")
        value = int(digits)
        if value > ops.MASK:
            self.fail("E097", f"number `{tok.text}` does not fit in 60 bits", tok.span)
        return value

    def net(self) -> Net:
        """Parse a net body and check that every wire name occurs exactly twice."""
        self.wires = {}
        root = self.tree()
        redexes = []
        while self.peek().kind == "&":
            self.next()
            left = self.tree()
            self.expect("~", "`~`")
            redexes.append((left, self.tree()))
        for name, spans in self.wires.items():
            if len(spans) == 1:
                self.errors.append(Diagnostic(
                    "error", "E093", f"wire `{name}` is used only once", spans[0],
                    label="this end is not connected to anything",
                    help="every wire name must occur exactly twice in a definition"))
            elif len(spans) > 2:
                self.errors.append(Diagnostic(
                    "error", "E094", f"wire `{name}` is used {len(spans)} times", spans[2],
                    label="third use", labels=[Label(s, "used here") for s in spans[:2]],
                    help="every wire name must occur exactly twice in a definition"))
        return Net(root, redexes)

    def book(self, entry: str | None) -> Book:
        """Parse every definition, then the headers; check references and the entry."""
        nets: dict = {}
        places: dict = {}
        while self.peek().kind != "eof":
            tok = self.next()
            if tok.kind in (")", "]", "}", ">"):
                self.fail("E091", f"unexpected `{tok.text}`", tok.span,
                          label="no open bracket to close")
            if tok.kind != "ref":
                self.fail("E090", f"expected a definition `@name = ...`, found {_describe(tok)}",
                          tok.span)
            name = tok.text[1:]
            self.expect("=", "`=`")
            body = self.net()
            if name in nets:
                self.errors.append(Diagnostic(
                    "error", "E095", f"`@{name}` is defined more than once", tok.span,
                    labels=[Label(places[name], "first defined here")]))
                continue
            nets[name] = body
            places[name] = tok.span
        for name, span in self.refs:
            if name not in nets and name not in SINKS:
                self.errors.append(Diagnostic("error", "E096", f"unknown reference `@{name}`",
                                              span, label="not defined in this book"))
        book = Book(nets, default_entry(nets) or "", recursive=recursive_names(nets))
        entry_span = self._headers(book)
        if entry is not None:
            book.entry, entry_span = entry, None
        if not nets:
            self.errors.append(Diagnostic("error", "E099", "the book has no definitions",
                                          self.peek().span))
        elif book.entry not in nets:
            self.errors.append(Diagnostic("error", "E099",
                                          f"entry `@{book.entry}` is not defined", entry_span))
        if self.errors:
            raise CompileError(self.errors)
        return book

    def _headers(self, book: Book) -> Span | None:
        """Apply the header lines to `book`; return the span of the `// entry` line, if any."""
        entry_span = None
        for tok in self.headers:
            word = tok.text[3:].split(" ", 1)[0]
            pattern = _HEADERS.get(word) if tok.text.startswith("// ") else None
            if pattern is None:
                continue
            m = pattern.fullmatch(tok.text)
            if m is None:
                self.errors.append(Diagnostic(
                    "error", "E098", f"malformed `// {word}` header", tok.span,
                    help=_HEADER_HELP[word]))
            elif word == "entry":
                book.entry, entry_span = m.group(1), tok.span
            elif word == "data":
                if m.group(1) in book.adts:
                    self.errors.append(Diagnostic(
                        "error", "E098", f"data `{m.group(1)}` is declared twice", tok.span))
                ctrs = [(c, int(k)) for c, k in (f.split("/") for f in m.group(2).split())]
                book.adts[m.group(1)] = AdtInfo(m.group(1), ctrs)
            else:
                for name in m.group(1).split():
                    if name not in book.nets:
                        self.errors.append(Diagnostic(
                            "error", "E098", f"generated definition `{name}` is not defined",
                            tok.span))
                    book.generated.add(name)
        return entry_span


_HEADER_HELP = {
    "entry": "write `// entry NAME`",
    "data": "write `// data List = List.cons/2 List.nil/0`",
    "generated": "write `// generated NAME NAME ..`",
}


def _describe(tok: _Token) -> str:
    return "end of input" if tok.kind == "eof" else f"`{tok.text}`"


def _is_operator(text: str) -> bool:
    return text.removeprefix(":") in ops.CODE


def parse_net(text: str, filename: str = "<net>") -> Net:
    """Parse one net body `TREE (& TREE ~ TREE)*` (references are not checked)."""
    parser = _Parser(text, filename)
    result = parser.net()
    tok = parser.peek()
    if tok.kind != "eof":
        parser.fail("E090", f"expected `&` or end of input, found {_describe(tok)}", tok.span)
    if parser.errors:
        raise CompileError(parser.errors)
    return result


def parse_book(text: str, filename: str, entry: str | None = None) -> Book:
    """Parse a book file; `entry` overrides the `// entry` header and the default."""
    return _Parser(text, filename).book(entry)
