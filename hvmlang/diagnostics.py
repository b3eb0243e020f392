"""Source spans, diagnostics and their rendering (human, short, json).

Every pass reports problems as `Diagnostic`s attached to a `Span` of the source as written.
A pass that finds errors collects them all and raises `CompileError(diagnostics)` once.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns start at 1, `end_col` is exclusive."""
    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(slots=True)
class Label:
    """A secondary span with a short message, drawn under the source like rustc's labels."""
    span: Span
    message: str


@dataclass(slots=True)
class Diagnostic:
    """One error, warning or note; `code` is stable (E…, T…, L…, W…)."""
    severity: str            # "error" | "warning" | "note"
    code: str
    message: str
    span: Span | None = None
    label: str = ""          # text drawn beside the caret of the primary span
    labels: list[Label] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    help: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class CompileError(Exception):
    """Raised by a pass with every diagnostic it collected (at least one error)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


class Reporter:
    """Collects diagnostics of one compilation; `check()` raises when errors were reported."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span | None = None, **kw) -> None:
        """Report an error."""
        self.diagnostics.append(Diagnostic("error", code, message, span, **kw))

    def warning(self, code: str, message: str, span: Span | None = None, **kw) -> None:
        """Report a warning."""
        self.diagnostics.append(Diagnostic("warning", code, message, span, **kw))

    def note(self, code: str, message: str, span: Span | None = None, **kw) -> None:
        """Report a note."""
        self.diagnostics.append(Diagnostic("note", code, message, span, **kw))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def check(self) -> None:
        """Raise CompileError if any error was reported so far."""
        if self.has_errors:
            raise CompileError(list(self.diagnostics))


# ---------------------------------------------------------------------------------------------
# Rendering

class Sources:
    """The text of every file seen in a compilation, for drawing source lines."""

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = {}

    def add(self, filename: str, text: str) -> None:
        """Remember `text` as the contents of `filename`."""
        self.texts[filename] = text.splitlines()

    def line(self, filename: str, number: int) -> str | None:
        """Return line `number` (1-based) of `filename`, or None when unknown."""
        lines = self.texts.get(filename)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


SOURCES = Sources()   # filled by the parser; the REPL registers its inputs here too


def use_colour(stream=sys.stderr) -> bool:
    """Colour only on a terminal and never with NO_COLOR."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "note": "\x1b[1;36m",
            "blue": "\x1b[1;34m", "bold": "\x1b[1m", "reset": "\x1b[0m"}


def _paint(text: str, colour: str, on: bool) -> str:
    return f"{_COLOURS[colour]}{text}{_COLOURS['reset']}" if on else text


MAX_SHOWN = 160          # longest stretch of a source line drawn under a diagnostic


def _snippet(span: Span, label: str, colour: str, gutter: int, on: bool,
             sources: Sources) -> list[str]:
    """Draw the source line of `span` with a caret underline and `label`."""
    text = sources.line(span.file, span.line)
    bar = _paint(" " * gutter + " |", "blue", on)
    if text is None:
        return []
    start = max(span.col - 1, 0)
    end = span.end_col - 1 if span.end_line == span.line else len(text)
    width = max(end - start, 1)
    if len(text) > MAX_SHOWN:       # a huge line: show a window around the span, marked `...`
        left = max(start - MAX_SHOWN // 2, 0)
        right = max(left + MAX_SHOWN, start + width)
        text = ("..." if left else "") + text[left:right] + ("..." if right < len(text) else "")
        start -= left - (3 if left else 0)
        width = min(width, MAX_SHOWN)
    text = text.replace("\t", " ")    # one column per tab, as spans count them
    marks = _paint("^" * width + (" " + label if label else ""), colour, on)
    number = _paint(str(span.line).rjust(gutter) + " |", "blue", on)
    return [bar, f"{number} {text}", f"{bar} {' ' * start}{marks}"]


def render_human(d: Diagnostic, sources: Sources = SOURCES, colour: bool = False) -> str:
    """rustc-style: header, --> location, source line with carets, notes and help."""
    head = f"{d.severity}[{d.code}]" if d.code else d.severity
    lines = [_paint(head, d.severity, colour) + _paint(f": {d.message}", "bold", colour)]
    spans = ([d.span] if d.span else []) + [lab.span for lab in d.labels]
    gutter = max((len(str(s.line)) for s in spans), default=1)
    if d.span:
        lines.append(" " * gutter + _paint("--> ", "blue", colour) + str(d.span))
        lines += _snippet(d.span, d.label, d.severity, gutter, colour, sources)
    for lab in d.labels:
        if d.span is None or lab.span.file != d.span.file:
            lines.append(" " * gutter + _paint("--> ", "blue", colour) + str(lab.span))
        lines += _snippet(lab.span, lab.message, "blue", gutter, colour, sources)
    for note in d.notes:
        lines.append(" " * gutter + _paint(" = ", "blue", colour) + f"note: {note}")
    if d.help:
        lines.append(" " * gutter + _paint(" = ", "blue", colour) + f"help: {d.help}")
    return "\n".join(lines)


def render_short(d: Diagnostic) -> str:
    """One line: `file:line:col: severity[CODE]: message`."""
    where = f"{d.span}: " if d.span else ""
    return f"{where}{d.severity}[{d.code}]: {d.message}"


def to_json(d: Diagnostic) -> dict:
    """A plain dict for `--format json`."""
    def span(s: Span | None):
        return None if s is None else {"file": s.file, "line": s.line, "col": s.col,
                                       "end_line": s.end_line, "end_col": s.end_col}
    return {"severity": d.severity, "code": d.code, "message": d.message, "span": span(d.span),
            "label": d.label, "labels": [{"span": span(l.span), "message": l.message}
                                         for l in d.labels],
            "notes": d.notes, "help": d.help}


def summary(diagnostics: list[Diagnostic]) -> str:
    """`error: aborting due to 2 errors; 1 warning emitted` style summary line, or ''."""
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    plural = lambda n, w: f"{n} {w}{'s' if n != 1 else ''}"
    if errors:
        tail = f"; {plural(warnings, 'warning')} emitted" if warnings else ""
        return f"error: could not compile due to {plural(errors, 'previous error')}{tail}"
    if warnings:
        return f"warning: {plural(warnings, 'warning')} emitted"
    return ""


def render(diagnostics: list[Diagnostic], fmt: str = "human", stream=sys.stderr,
           sources: Sources = SOURCES, with_summary: bool = True) -> str:
    """Render all diagnostics in `fmt` (human | short | json) as one string."""
    if fmt == "json":
        return json.dumps([to_json(d) for d in diagnostics], indent=2)
    if fmt == "short":
        return "\n".join(render_short(d) for d in diagnostics)
    colour = use_colour(stream)
    parts = [render_human(d, sources, colour) for d in diagnostics]
    tail = summary(diagnostics) if with_summary else ""
    return "\n\n".join(parts) + (f"\n\n{tail}" if tail and parts else "")
