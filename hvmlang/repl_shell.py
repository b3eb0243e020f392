"""The interactive loop around `repl.Session`: prompt_toolkit input, history, completion, colour.

Everything the REPL does lives in the Session; this module only reads lines and prints what
`Session.handle` returns. Enter submits an input once it parses, keeps a definition with
patterns open until an empty line (so the next rules can follow), and inserts a newline while
the input is incomplete; Esc Enter submits at once. Ctrl-C at the prompt clears the line; during
an evaluation it reaches the runtime as KeyboardInterrupt, which stops the reduction between
chunks. Ctrl-D quits. History goes to `$XDG_STATE_HOME/hvm-lang/history`.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.styles import Style

from . import __version__, ast
from .diagnostics import CompileError
from .highlight import STYLE, classify
from .parse import IncompleteInput, parse_repl_input
from .repl import Session
from .repl_commands import COMMANDS, SETTINGS, lookup
from .repl_state import ReplError

PROMPT = "hvm> "
_NAME_BEFORE_CURSOR = re.compile(r"[_.a-zA-Z][_.a-zA-Z0-9-]*$")
_COMMAND_ARGS = re.compile(r"\s*:(\S+)\s+(.*)", re.S)


def history_path() -> Path:
    """Where the input history is kept."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                             "state")
    return Path(state) / "hvm-lang" / "history"


def _history():
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def _refutable(pat, constructors) -> bool:
    """Whether a rule pattern can fail to match (so more rules probably follow)."""
    match pat:
        case ast.PVar(name=name):
            return name in constructors
        case ast.PWild():
            return False
        case ast.PTup(items=items):
            return any(_refutable(p, constructors) for p in items)
    return True


def needs_more(text: str, constructors=frozenset()) -> bool:
    """Whether Enter should insert a newline instead of submitting `text`."""
    lines = text.split("\n")
    if not text.strip() or text.lstrip().startswith(":") or (
            len(lines) > 1 and not lines[-1].strip()):
        return False
    try:
        parsed = parse_repl_input(text, "<typing>")
    except IncompleteInput:
        return True
    except CompileError:
        return False
    if not isinstance(parsed, ast.Program):
        return False
    defined = {r.name for r in parsed.rules}
    return any(s.name not in defined for s in parsed.signatures) or any(
        _refutable(p, constructors) for r in parsed.rules for p in r.pats)


class SourceLexer(Lexer):
    """Colours the input by the token classes of `highlight`."""

    def __init__(self, session: Session):
        self.session = session

    def lex_document(self, document):
        lines: list = [[]]
        for cls, piece in classify(document.text, self.session.name_classes()):
            style = f"class:{cls}" if cls in STYLE else ""
            for i, part in enumerate(piece.split("\n")):
                if i:
                    lines.append([])
                if part:
                    lines[-1].append((style, part))
        return lambda n: lines[n] if n < len(lines) else []


class ReplCompleter(Completer):
    """Commands after `:`, settings after `:set`, files after `:load`, else names in scope."""

    def __init__(self, session: Session):
        self.session = session
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document, complete_event):
        before = document.text_before_cursor
        if re.fullmatch(r"\s*:\S*", before):
            word = before.strip()[1:]
            for c in COMMANDS:
                if c.name.startswith(word):
                    yield Completion(":" + c.name, -len(word) - 1, display_meta=c.help)
            return
        m = _COMMAND_ARGS.fullmatch(before)
        command = None
        if m:
            try:
                command = lookup(m.group(1)).name
            except ReplError:
                return
        if command in ("load", "reload"):
            yield from self.paths.get_completions(Document(m.group(2)), complete_event)
            return
        if command in ("set", "unset") and " " not in m.group(2):
            for s in SETTINGS:
                if s.name.startswith(m.group(2)):
                    yield Completion(s.name, -len(m.group(2)), display_meta=s.help)
            return
        word = _NAME_BEFORE_CURSOR.search(before)
        word = word.group() if word else ""
        if not word and not complete_event.completion_requested:
            return
        for name, meta in sorted(self.session.names().items()):
            if name.startswith(word):
                yield Completion(name, -len(word), display_meta=meta)


def key_bindings(session: Session) -> KeyBindings:
    """Enter: submit or continue (see `needs_more`); Esc Enter: submit."""
    kb = KeyBindings()

    @kb.add("enter")
    def _enter(event):
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.apply_completion(state.current_completion)
        elif needs_more(buffer.document.text, session.state.book.ctrs.keys()):
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    @kb.add("escape", "enter")
    def _submit(event):
        event.current_buffer.validate_and_handle()

    return kb


def prompt_session(session: Session, **kw) -> PromptSession:
    """A PromptSession wired to `session` (kw: input/output/history overrides for tests)."""
    return PromptSession(
        PROMPT, multiline=True, key_bindings=key_bindings(session),
        prompt_continuation=lambda width, line, wrap: "." * (width - 1) + " ",
        lexer=SourceLexer(session), completer=ReplCompleter(session),
        style=Style.from_dict({"prompt": "bold", **STYLE}),
        auto_suggest=AutoSuggestFromHistory(), enable_history_search=True,
        history=kw.pop("history", None) or _history(), **kw)


def loop(session: Session, prompt: PromptSession, write) -> None:
    """Read, handle and print until `:quit` or Ctrl-D."""
    while not session.done:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            out = session.handle(text)
        except KeyboardInterrupt:
            out = "interrupted"
        if out:
            write(out)


def piped(session: Session, lines, write) -> None:
    """Handle input from a pipe or file: lines gather as they would at the prompt."""
    pending: list[str] = []
    for line in lines:
        pending.append(line.rstrip("\n"))
        text = "\n".join(pending)
        if needs_more(text, session.state.book.ctrs.keys()):
            continue
        pending = []
        out = session.handle(text) if text.strip() else ""
        if out:
            write(out)
        if session.done:
            return
    if any(line.strip() for line in pending):
        write(session.handle("\n".join(pending)))


def main(path: str | None, settings) -> int:
    """`hvm-lang repl [FILE]`: the interactive session on this terminal."""
    def write(text: str) -> None:
        print(text, flush=True)

    colour = "NO_COLOR" not in os.environ and sys.stdout.isatty()
    session = Session(settings, colour=colour, notify=write)
    interactive = sys.stdin.isatty()
    if interactive:
        write(f"hvm-lang {__version__}: `:help` for help, `:quit` or Ctrl-D to leave")
    if path is not None:
        write(session.handle(f":load {path}"))
    if interactive:
        loop(session, prompt_session(session), write)
    else:
        piped(session, sys.stdin, write)
    return 0
