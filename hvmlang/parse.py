"""Parser: source text -> `ast.Program` (or one term), every node carrying its `Span`.

`lexer.Source` blanks comments (they nest) and lexes the text once; the tokens are fed to an
LALR driver over the parse table that lark computes from `syntax.lark`, one top-level item at a
time: after a syntax error, parsing resumes at the next line that starts a new item at column 1,
so every error of a file is reported at once. Each reduction builds its `ast` node at once
(`parse_tree.TreeBuilder`); the stacks are lists, so 10,000 nested parentheses are fine.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lark.parsers.lalr_analysis import Shift

from . import ast
from .diagnostics import SOURCES, CompileError, Diagnostic, Label, Span
from .lexer import Source, Tok, grammar
from .parse_tree import TreeBuilder, reduction

# Syntax error codes, one line each (the text `hvm-lang explain CODE` can show).
ERROR_CODES = {
    "E001": "a character that cannot start any token",
    "E002": "a string literal that is never closed",
    "E003": "a block comment `/* .. */` that is never closed",
    "E004": "a character literal that is not exactly one character between `'` quotes",
    "E005": "an unknown escape sequence, or a `\\u` escape that is not a Unicode code point",
    "E006": "a malformed number (decimal, `0x` hex or `0b` binary, `_` separators allowed)",
    "E007": "a number of 2^60 or more: numbers are unsigned 60-bit",
    "E008": "a token where the grammar expects something else",
    "E009": "a bracket or brace that is not closed where its contents end",
    "E010": "the input ends in the middle of a definition or term",
    "E011": "a top-level name (definition, data type, constructor, signature) containing `-`",
    "E012": "an operator applied to other than two operands (`~` takes one)",
    "E013": "a `let` pattern other than a name, `*`, a tuple or a constructor",
    "E014": "a token where a new definition, `data` declaration or signature should start",
    "E015": "a `match` arm whose number of patterns differs from the number of scrutinees",
}
INCOMPLETE_CODES = frozenset({"E002", "E003", "E010"})   # more input could fix these


class IncompleteInput(CompileError):
    """The input stopped early (open bracket, string, comment, or a missing term after `=`)."""


def parse_program(text: str, filename: str) -> ast.Program:
    """Parse a whole file; raise CompileError carrying every syntax error."""
    SOURCES.add(filename, text)
    source = Source(text, filename)
    parser = _Parser(source, "file")
    return _finish(source, parser, _program(parser.items(), filename))


def parse_term(text: str, filename: str):
    """Parse exactly one term (a CLI argument, a REPL expression)."""
    SOURCES.add(filename, text)
    source = Source(text, filename)
    parser = _Parser(source, "input")
    return _finish(source, parser, parser.term())


def parse_repl_input(text: str, filename: str):
    """Parse a REPL entry: a term, or a Program of definitions, `data` and signatures.

    Raises IncompleteInput when more lines could complete the input, CompileError otherwise.
    When neither reading parses, the errors of the one that got further are raised.
    """
    SOURCES.add(filename, text)
    source = Source(text, filename)
    as_term = _Parser(source, "input")
    term = as_term.term()
    if as_term.error_at is None:
        return _finish(source, as_term, term)
    as_program = _Parser(source, "input")
    program = _program(as_program.items(), filename)
    if as_program.error_at is None or as_program.error_at > as_term.error_at:
        return _finish(source, as_program, program)
    return _finish(source, as_term, term)


def _program(items: list, filename: str) -> ast.Program:
    """Sort top-level items into a Program, keeping source order within each kind."""
    return ast.Program([i for i in items if isinstance(i, ast.Rule)],
                       [i for i in items if isinstance(i, ast.Data)],
                       [i for i in items if isinstance(i, ast.Signature)], filename)


def _finish(source: Source, parser: _Parser, result):
    """Return `result`, or raise every diagnostic of the source and the parser in order."""
    diagnostics = source.diagnostics + parser.diagnostics
    if not diagnostics:
        return result
    diagnostics.sort(key=lambda d: (d.span.line, d.span.col))
    incomplete = all(d.code in INCOMPLETE_CODES for d in diagnostics)
    raise (IncompleteInput if incomplete else CompileError)(diagnostics)


@cache
def _table(start: str) -> tuple:
    """(LALR states, start state, end state) of the start symbol `item` or `term_input`.

    `states[s][symbol]` is the next state (an int) to shift or go to, or the `reduction` to
    apply, computed once per grammar rule.
    """
    conf = grammar().parse_interactive(start=start).parser_state.parse_conf
    reductions = {rule: reduction(rule) for rule in grammar().rules}
    states = {s: {symbol: arg if kind is Shift else reductions[arg]
                  for symbol, (kind, arg) in actions.items()}
              for s, actions in conf.states.items()}
    return states, conf.start_state, conf.end_state


# ---------------------------------------------------------------------------------------------
# Feeding tokens, recovering, describing errors

_ITEM_START = frozenset({"NAME", "LPAR", "DATA", "UNCHECKED"})
_CLOSERS = {"LPAR": ("RPAR", ")"), "LBRACK": ("RBRACK", "]"), "LBRACE": ("RBRACE", "}")}
_TERM_START = frozenset({"NAME", "UNSCOPED", "NUMBER", "CHAR", "STRING", "NAT", "STAR", "LPAR",
                         "LBRACK", "LBRACE", "LAM", "TAG", "LET", "USE", "MATCH"})
_PATTERN_START = frozenset({"NAME", "STAR", "LPAR", "LBRACK", "NUMBER", "CHAR", "SUCC",
                            "STRING"})
_OPERATOR_TOKENS = frozenset({"OPERATOR", "BAR", "STAR", "TILDE"})
_TOKEN_WORDS = {
    "NAME": "a name", "UNSCOPED": "an unscoped variable", "NUMBER": "a number",
    "CHAR": "a character", "STRING": "a string", "NAT": "a nat literal", "TAG": "a tag",
    "SUCC": "a successor pattern", "LAM": "`λ`", "OPERATOR": "an operator", "TILDE": "`~`",
    "LET": "`let`", "USE": "`use`", "MATCH": "`match`", "DATA": "`data`",
    "UNCHECKED": "`unchecked`", "STAR": "`*`", "EQUALS": "`=`", "COLON": "`:`",
    "ARROW": "`->`", "BAR": "`|`", "COMMA": "`,`", "SEMI": "`;`", "LPAR": "`(`",
    "RPAR": "`)`", "LBRACK": "`[`", "RBRACK": "`]`", "LBRACE": "`{`", "RBRACE": "`}`",
    "$END": "the end of the input",
}


def _describe(expected: set) -> str:
    """`a term, `,` or `)``: what the parser could have read, in words."""
    rest, parts = set(expected), []
    for group, words in ((_TERM_START, "a term"), (_PATTERN_START, "a pattern")):
        if group <= rest:
            parts.append(words)
            rest -= group
    if parts or len(rest) > 1:
        rest.discard("SEMI")        # `;` is always optional: only name it when nothing else fits
    parts += [words for name, words in _TOKEN_WORDS.items() if name in rest]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _found(tok: Tok) -> str:
    text = tok.value.split("\n")[0]
    return f"`{text[:24]}…`" if len(text) > 24 or "\n" in tok.value else f"`{text}`"


@dataclass(slots=True)
class _Open:
    """A bracket that is not closed yet, and what the parser was reading when it opened."""
    token: Tok
    context: str                   # "term" | "pattern" | "other" (rule heads, data, types)
    keyword: Tok | None          # the `match` keyword when this is the `{` of a match
    first: Tok | None = None     # the first token inside
    comma: bool = False            # a `,` was read directly inside

    def phrase(self) -> str:
        """`this application`, this `match`, .. as used in messages."""
        kind = self.token.type
        if kind == "LBRACE":
            return {"pattern": "this `match`", "term": "this superposition"}.get(
                self.context, "this duplication")
        if kind == "LBRACK":
            return "this list pattern" if self.context == "pattern" else "this list"
        if self.context == "pattern":
            return "this tuple pattern" if self.comma else "this constructor pattern"
        if self.context == "other":
            return "this parenthesis"
        if self.comma:
            return "this tuple"
        operation = self.first is not None and self.first.type in _OPERATOR_TOKENS
        return "this operation" if operation else "this application"


class _Parser:
    """Feeds the tokens of a `Source` to the LALR driver, item by item or as one term."""

    def __init__(self, source: Source, eof_word: str):
        self.source = source
        self.tokens = source.tokens
        self.eof_word = eof_word
        self.diagnostics: list[Diagnostic] = []
        self.error_at: int | None = None     # token index of the first syntax error
        self.builder = TreeBuilder(source.file)
        self.states: dict = {}               # the LALR table of the current start symbol
        self.end_state = None                # its state after the whole item or term
        self.stack: list = []                # LALR states; values and boxes: see `_feed`
        self.open: list[_Open] = []
        self.matches: list[Tok] = []       # `match` keywords whose `{` is not read yet

    def items(self) -> list:
        """Every top-level item that parses; errors are collected, parsing resumes after."""
        items, i = [], 0
        while i < len(self.tokens):
            tok = self.tokens[i]
            if tok.type not in _ITEM_START:
                self._fail(i, "E014", "expected a definition, a `data` declaration or a type "
                           f"signature, found {_found(tok)}", self.source.span(tok))
                i = self._resume_after(i)
                continue
            item, end = self._feed("item", i)
            if item is None:
                i = self._resume_after(i)
                continue
            resume = self._rejected(item, i, end)
            if resume is None:
                items.append(item)
                self.diagnostics += self.builder.diagnostics
            i = end if resume is None else resume
        return items

    def term(self):
        """The single term of the input, or None after a syntax error."""
        term, _ = self._feed("term_input", 0)
        self.diagnostics += self.builder.diagnostics if term is not None else []
        return term

    def _rejected(self, item, start: int, end: int) -> int | None:
        """Where to resume when an item that parsed is still wrong by layout, else None."""
        if end == len(self.tokens) or not isinstance(item, (ast.Rule, ast.Signature)):
            return None
        head = self._swallowed_head(item, start, end)
        after = self.tokens[end]
        if head is None and isinstance(item, ast.Signature) and after.line == item.span.end_line:
            self._fail(end, "E008", "expected the end of the line after this type signature, "
                       f"found {_found(after)}", self.source.span(after),
                       help="write type applications in parentheses, as in `(List a)`")
            return self._resume_after(end)
        return head

    def _swallowed_head(self, item, start: int, end: int) -> int | None:
        """The index of a next definition's head that this item took as its body, or None.

        `foo =` then `bar = 1` on the next line parses as `foo = bar` and a stray `= 1`: the
        body opens a later line at column 1, and what follows it cannot start an item there.
        """
        rule = isinstance(item, ast.Rule)
        body, after = (item.body if rule else item.type).span, self.tokens[end]
        if body.col != 1 or body.line == self.tokens[start].line or (
                after.column == 1 and after.type in _ITEM_START):
            return None
        head = next(k for k in range(end - 1, start, -1) if self.tokens[k].line == body.line
                    and self.tokens[k].column == 1)
        if self.tokens[head].type not in _ITEM_START:
            return None
        sign, found = self.tokens[head - 1], self.tokens[head]
        if not self.source.clean_between(sign, found):
            return head                     # a bad character stood there, already reported
        what = "a term after `=`" if rule else "a type after `:`"
        needs = Label(self.source.span(sign), f"`{sign.value}` needs something after it")
        self._fail(head, "E008", f"expected {what}, found {_found(found)}, which starts a new "
                   "definition", self.source.span(found), labels=[needs])
        return head

    def _resume_after(self, i: int) -> int:
        """The next token after `i` that starts a line and can start an item."""
        return next((k for k in range(i + 1, len(self.tokens))
                     if self.tokens[k].column == 1 and self.tokens[k].type in _ITEM_START),
                    len(self.tokens))

    def _feed(self, start: str, i: int):
        """Parse from token `i`: (ast node, index after it), or (None, i) after reporting.

        The LALR driver keeps three stacks: states, values (tokens and ast nodes; lists for
        spliced helper rules) and boxes (where each value lies in the text, see `reduce`).
        A token is shifted only when it can be (`_accepts`), so that a syntax error leaves the
        stacks as they were before it, for the message.
        """
        self.states, start_state, self.end_state = _table(start)
        states, self.stack = self.states, [start_state]
        values: list = []
        boxes: list = []
        self.builder.diagnostics = []
        self.open, self.matches = [], []
        tokens = self.tokens
        while i < len(tokens):
            tok = tokens[i]
            kind = tok.type
            action = states[self.stack[-1]].get(kind)
            if action is not None and (type(action) is int or self._accepts(kind)):
                while type(action) is not int:
                    self._reduce(action, values, boxes)
                    action = states[self.stack[-1]][kind]
                self.stack.append(action)
                values.append(tok)
                boxes.append((tok.line, tok.column, tok.end_line, tok.end_column))
                self._track(tok)
                i += 1
            elif start == "item" and self._accepts("$END"):
                break                           # the item is complete; `tok` starts the next
            else:
                self._syntax_error(i)
                return None, i
        if not self._accepts("$END"):
            self._syntax_error(i)
            return None, i
        while self._reduce(states[self.stack[-1]]["$END"], values, boxes) != self.end_state:
            pass
        return values[-1], i

    def _reduce(self, reduction: tuple, values: list, boxes: list):
        """Apply a reduction to the stacks; return the state it goes to."""
        del self.stack[len(self.stack) - reduction[0]:]
        self.builder.reduce(reduction, values, boxes)
        goto = self.states[self.stack[-1]][reduction[1]]
        self.stack.append(goto)
        return goto

    def _accepts(self, terminal: str) -> bool:
        """Whether `terminal` can come next, simulating LALR reductions without side effects."""
        states, stack = self.states, self.stack
        depth, pushed = len(stack), []
        while True:
            action = states[pushed[-1] if pushed else stack[depth - 1]].get(terminal)
            if action is None:
                return False
            if type(action) is int:
                return True
            size = action[0]
            popped = min(size, len(pushed))
            del pushed[len(pushed) - popped:]
            depth -= size - popped
            goto = states[pushed[-1] if pushed else stack[depth - 1]][action[1]]
            if terminal == "$END" and goto == self.end_state:
                return True
            pushed.append(goto)

    def _track(self, tok: Tok) -> None:
        """Follow open brackets and `match` keywords, for error messages."""
        top = self.open[-1] if self.open else None
        if top is not None and top.first is None:
            top.first = tok
        kind = tok.type
        if kind == "COMMA" and top is not None:
            top.comma = True
        elif kind == "MATCH":
            self.matches.append(tok)
        elif kind in ("RPAR", "RBRACK", "RBRACE"):
            self.open.pop()
        elif kind in _CLOSERS:
            choices = self.states[self.stack[-1]]
            context = "term" if "LAM" in choices else "pattern" if "SUCC" in choices else "other"
            keyword = None
            if kind == "LBRACE" and context == "pattern" and self.matches:
                keyword = self.matches.pop()
            self.open.append(_Open(tok, context, keyword))

    def _syntax_error(self, i: int) -> None:
        choices = self.states[self.stack[-1]]
        expected = {t for t in choices if t.isupper() and self._accepts(t)}
        top = self.open[-1] if self.open else None
        closer_type, closer = _CLOSERS[top.token.type] if top else (None, None)
        before = self.tokens[i - 1] if i else None
        tok = self.tokens[i] if i < len(self.tokens) else None
        if not self.source.clean_between(before, tok) or (tok is None and self.source.truncated):
            self._fail(i)                  # a lexical error right here was already reported
            return
        if tok is None:
            end = f"unexpected end of {self.eof_word}"
            if closer_type in expected:
                self._fail(i, "E010", f"{end}: {top.phrase()} is missing its closing "
                           f"`{closer}`", self.source.span(top.keyword or top.token))
            else:
                self._fail(i, "E010", f"{end}: expected {_describe(expected)}",
                           self.source.end_span())
            return
        if closer_type in expected:
            opened = [] if top.token.line == tok.line else [
                Label(self.source.span(top.token), f"`{top.token.value}` opened here")]
            self._fail(i, "E009", f"expected `{closer}` to close {top.phrase()}, found "
                       f"{_found(tok)}", self.source.span(tok), labels=opened)
        else:
            self._fail(i, "E008", f"expected {_describe(expected)}, found {_found(tok)}",
                       self.source.span(tok))

    def _fail(self, i: int, code: str = "", message: str = "", span: Span | None = None,
              **kw) -> None:
        """Note a syntax error at token `i`, reported unless `code` is empty."""
        if self.error_at is None:
            self.error_at = i
        if code:
            self.diagnostics.append(Diagnostic("error", code, message, span, **kw))
