"""The REPL session: definitions, settings and the last result; `handle(text)` -> text to show.

Pure: no terminal and no prompt_toolkit (`repl_shell.py` is the loop around it). A session
holds the definitions, `data` declarations and signatures typed at the prompt or loaded from a
file, and is always a program that checks: every change is compiled together with everything
else (so dependents are re-checked) and only kept when that succeeds. An expression is compiled
as the entry definition `repl.expr` of the session's program, reduced, read back and printed,
and `it` is then bound to its value. Each input is its own source file `<repl-N>`, so
diagnostics point at the line as typed, rendered as the CLI renders them.
"""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

from . import ast, core, pipeline, runtime
from .diagnostics import CompileError, Reporter, render
from .highlight import paint
from .parse import parse_program, parse_repl_input, parse_term
from .repl_commands import run_command
from .repl_state import (ENTRY, IT, PROMPT, RESULT, Entry, ReplError, Settings, dependents,
                         entries, expr_name, merge, program_of, reads_name)
from .runtime.api import (BackendUnavailable, Interrupted, OutOfMemory, RewriteLimit, RunOptions,
                          RuntimeLimit, Timeout)

IT_MAX_CHARS = 50_000    # a longer result binds `it` to the expression, not to its text
JIT_BACKENDS = frozenset({"cpu", "cpu-parallel", "cuda"})
LIMIT_HINTS = {OutOfMemory: "raise it with `:set mem SIZE`",
               RewriteLimit: "raise it with `:set max-rewrites N`",
               Timeout: "raise it with `:set timeout SECONDS`"}
_warm: set = set()       # backends whose kernels this process has already compiled


@dataclass
class Compiled:
    """A session program that checked: its entries, desugared Book and definition types."""
    items: dict
    book: core.Book
    types: dict
    skipped: dict
    diagnostics: list = field(default_factory=list)


class _Stream:
    """Tells the diagnostics renderer whether to colour."""

    def __init__(self, colour: bool):
        self.colour = colour

    def isatty(self) -> bool:
        return self.colour


class Session:
    """One REPL session; `handle` never raises and never loses a definition that checked."""

    def __init__(self, settings: Settings | None = None, colour: bool = False,
                 notify=lambda text: None):
        self.settings = settings or Settings()
        self.colour = colour
        self.notify = notify             # shows progress at once (the first JIT compile)
        self.file: str | None = None     # the file `:load` read, for `:reload`
        self.last = None                 # (Stats, backend) of the last evaluation
        self.last_expr = None            # the last evaluated expression (ast)
        self.inputs = 0
        self.done = False                # set by :quit
        self.state = self._compile({})

    # -- entry point ---------------------------------------------------------------------------

    def handle(self, text: str) -> str:
        """Run one input (a command, definitions or an expression); the text to show."""
        if not text.strip():
            return ""
        try:
            if text.strip().startswith(":"):
                return run_command(self, text.strip())
            return self.enter(text)
        except CompileError as e:
            return self.render(e.diagnostics)
        except (Interrupted, KeyboardInterrupt):
            return "interrupted"
        except RuntimeLimit as e:
            return f"error: {limit_message(e)}"
        except (ReplError, BackendUnavailable) as e:
            return f"error: {e}"
        except Exception:            # a bug in hvm-lang: report it and keep the session
            if os.environ.get("HVMLANG_DEBUG") == "1":
                return traceback.format_exc().rstrip()
            kind = traceback.format_exc().strip().splitlines()[-1]
            return (f"internal error: {kind}\nThis is a bug in hvm-lang; rerun with "
                    "HVMLANG_DEBUG=1 and report the output.")

    def enter(self, text: str) -> str:
        """Definitions or an expression typed at the prompt."""
        self.inputs += 1
        filename = f"<repl-{self.inputs}>"
        parsed = parse_repl_input(text, filename)
        if isinstance(parsed, ast.Program):
            return self.define(parsed, filename)
        return self.evaluate(parsed, filename)

    # -- compiling the session -----------------------------------------------------------------

    def _compile(self, items: dict, *exprs, notes: bool = True) -> Compiled:
        """Desugar and check `items` plus the expressions (as repl.expr, repl.expr1, ..)."""
        extra = [ast.Rule(expr_name(i), [], e, span=e.span, name_span=e.span)
                 for i, e in enumerate(exprs or [ast.Era()])]
        program = program_of(items, extra)
        reporter = Reporter()
        book, result = pipeline.checked(program, reporter, pipeline.Options(entry=ENTRY),
                                        notes=notes)
        return Compiled(items, book, result.types, result.skipped, reporter.diagnostics)

    def compile(self, items: dict, *exprs, notes: bool = True) -> Compiled:
        """`_compile`, dropping a result-bound `it` that no longer checks (e.g. its type left)."""
        try:
            return self._compile(items, *exprs, notes=notes)
        except CompileError as e:
            it = items.get(("rule", IT))
            if it is None or it.origin != RESULT or not any(
                    d.is_error and d.span and d.span.file == it.file for d in e.diagnostics):
                raise
        items = {k: v for k, v in items.items() if k != ("rule", IT)}
        return self._compile(items, *exprs, notes=notes)

    def expression(self, text: str, what: str):
        """Parse a command argument as one term (ReplError when it is missing)."""
        if not text.strip():
            raise ReplError(f"{what} needs an expression or a name")
        self.inputs += 1
        return parse_term(text, f"<repl-{self.inputs}>")

    def render(self, diagnostics: list, files: set | None = None) -> str:
        """Diagnostics as the CLI renders them: errors, plus warnings and notes in `files`."""
        shown = [d for d in diagnostics if d.code != "W202" and (
            d.is_error or files is None or (d.span is not None and d.span.file in files))]
        if not shown:
            return ""
        return render(shown, "human", _Stream(self.colour), with_summary=False)

    def paint(self, text: str) -> str:
        """Source-like text coloured by token class (when colour is on)."""
        return paint(text, self.name_classes()) if self.colour else text

    # -- definitions ---------------------------------------------------------------------------

    def define(self, program: ast.Program, filename: str) -> str:
        """Add or replace the definitions of one input, if the whole session still checks."""
        new = entries(program, PROMPT, filename)
        if any(e.name.startswith(ENTRY) for e in new):
            raise ReplError(f"`{ENTRY}` is reserved for the expressions typed at the prompt")
        items = merge(self.state.items, new)
        try:
            compiled = self.compile(items)
        except CompileError as e:
            kept = [e.name for e in new if e.key in self.state.items]
            tail = (f"\n(`{'`, `'.join(kept)}` kept {'its' if len(kept) == 1 else 'their'} "
                    "previous definition)") if kept else ""
            return self.render(e.diagnostics, {filename}) + tail
        lines = [self.render(compiled.diagnostics, {filename})]
        lines += self.describe_changes(new, compiled)
        self.state = compiled
        return "\n".join(line for line in lines if line)

    def describe_changes(self, new: list, compiled: Compiled) -> list[str]:
        """`defined X : T` / `redefined X : T` lines, then the re-checked dependents."""
        lines, changed = [], set()
        for e in new:
            again = "redefined" if e.key in self.state.items else "defined"
            if e.kind == "rule":
                lines.append(f"{again} `{e.name}` : {compiled.types.get(e.name, '?')}")
            elif e.kind == "data":
                names = ", ".join(c.name for c in e.nodes[0].ctrs)
                lines.append(f"{again} data type `{e.name}` ({names})")
                changed.update(c.name for c in e.nodes[0].ctrs)
            elif ("rule", e.name) not in {x.key for x in new}:
                lines.append(f"new signature for `{e.name}` : "
                             f"{compiled.types.get(e.name, '?')}")
            changed.add(e.name)
        if any(e.key in self.state.items for e in new):
            for name in dependents(compiled.book, changed):
                if name != IT:
                    lines.append(f"rechecked `{name}` : {compiled.types.get(name, '?')}")
        return lines + self.lost_it(compiled)

    def lost_it(self, compiled: Compiled) -> list[str]:
        """A line saying that `it` was dropped by `compile`, if it was."""
        key = ("rule", IT)
        if key in self.state.items and key not in compiled.items:
            return ["`it` is unbound: the last result no longer checks"]
        return []

    def load(self, path: str) -> str:
        """Read a file into the session, replacing the previously loaded file's definitions."""
        path = os.path.expanduser(path)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            raise ReplError(f"no such file `{path}`") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ReplError(f"cannot read `{path}`: {e}") from None
        program = parse_program(text, path)
        new = entries(program, path, path)
        old = {k: v for k, v in self.state.items.items() if v.origin != self.file}
        replaced = [e.name for e in new if e.key in old and old[e.key].origin == PROMPT]
        compiled = self.compile(merge(old, new))
        lines = [self.render(compiled.diagnostics, {path})] + self.lost_it(compiled)
        self.state, self.file = compiled, path
        lines += [f"`{name}` typed at the prompt is replaced by the file's" for name in replaced]
        rules = len({e.name for e in new if e.kind == "rule"})
        datas = sum(e.kind == "data" for e in new)
        lines.append(f"loaded {path}: {_plural(rules, 'definition')}, "
                     f"{_plural(datas, 'data type')}")
        return "\n".join(line for line in lines if line)

    # -- evaluation ----------------------------------------------------------------------------

    def evaluate(self, expr, filename: str) -> str:
        """Check, compile, reduce and read back an expression; bind `it` to the result."""
        from .readback import readback
        s = self.settings
        compiled = self.compile(self.state.items, expr, notes=False)
        book = self.net_book(compiled)
        if s.backend in JIT_BACKENDS and s.backend not in _warm:
            self.notify("compiling the reducer (first use)…")
        backend = runtime.get(s.backend)
        result = backend.run(book, RunOptions(max_rewrites=s.max_rewrites, mem_bytes=s.mem,
                                              timeout=s.timeout, threads=s.threads))
        _warm.add(s.backend)
        self.last, self.last_expr = (result.stats, s.backend), expr
        text, warnings = readback(result.net, book, linear=s.linear)
        lines = [self.render(compiled.diagnostics, {filename})]
        lines += pipeline.outputs(result, book, linear=s.linear)
        lines.append(self.paint(text))
        lines += [f"warning: {w}" for w in warnings]
        if s.types:
            lines.append(f"{IT} : {compiled.types.get(ENTRY, '?')}")
        if s.stats:
            lines.append(compact_stats(result.stats))
        self.bind_it(compiled.items, text if not warnings else None, expr)
        return "\n".join(line for line in lines if line)

    def net_book(self, compiled: Compiled, entry: str = ENTRY):
        """Lower and compile a checked session to nets, keeping what `entry` reaches."""
        book = pipeline.compile_net(pipeline.lower(compiled.book, Reporter()))
        book.entry = entry
        return pipeline.prune(book)

    def bind_it(self, items: dict, text: str | None, expr) -> None:
        """`it` = the result's text when it reads as a term that checks, else the expression."""
        bodies = []
        if text is not None and len(text) <= IT_MAX_CHARS:
            try:
                bodies.append(parse_term(text, f"<it-{self.inputs}>"))
            except CompileError:
                pass
        if not reads_name(expr, IT):
            bodies.append(expr)
        items = {k: v for k, v in items.items() if k not in (("rule", IT), ("sig", IT))}
        for body in bodies:
            rule = ast.Rule(IT, [], body, span=body.span, name_span=body.span)
            candidate = dict(items)
            candidate[("rule", IT)] = Entry("rule", IT, (rule,), RESULT, body.span.file)
            try:
                self.state = self._compile(candidate)
                return
            except CompileError:
                continue
        self.state = self._compile(items)

    # -- what completion and highlighting need -------------------------------------------------

    def names(self) -> dict:
        """Every name an input can use, with a short description (type or kind)."""
        from .prelude import load
        book = self.state.book
        out = {name: "prelude" for name in {r.name for r in load().rules}}
        out.update({name: f"constructor of {c.adt}" for name, c in book.ctrs.items()})
        out.update({name: self.state.types.get(name, "definition")
                    for name, d in book.defs.items() if not d.builtin and name != ENTRY})
        out.update({name: "data type" for name in book.adts})
        return out

    def name_classes(self) -> dict:
        """Name -> `constructor` / `definition`, for the highlighter."""
        from .prelude import load
        book = self.state.book
        out = {r.name: "definition" for r in load().rules}
        out.update({name: "definition" for name in book.defs if name != ENTRY})
        out.update({name: "constructor" for name in book.ctrs})
        return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def limit_message(e: RuntimeLimit) -> str:
    """A runtime limit's message with the REPL's way to raise the limit."""
    text, cut, _ = str(e).rpartition(" (use ")
    hint = next((h for kind, h in LIMIT_HINTS.items() if isinstance(e, kind)), "")
    return (text if cut else str(e)) + (f" ({hint})" if hint else "")


def compact_stats(stats) -> str:
    """The one-line summary `:set +s` prints after each evaluation."""
    rps = stats.rewrites / stats.time / 1e6 if stats.time > 0 else 0.0
    parts = [f"{stats.rewrites} rewrites", f"{stats.time:.3f} s", f"{rps:.3f} M rewrites/s"]
    if stats.peak:
        parts.append(f"peak {stats.peak} nodes")
    if stats.jit:
        parts.append(f"JIT {stats.jit:.3f} s")
    return "(" + ", ".join(parts) + ")"

