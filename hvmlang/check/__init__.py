"""The checker: parsed program + desugared core Book -> type, linearity and usage diagnostics.

`check` runs Hindley–Milner inference (T0xx), the linearity checks on the rules as written
(L001–L005, W201, W203), the clone-of-clone analysis of the desugared terms (L006, W204) and
the unused-definition warning (W202), and reports them in source order. Coverage (E2xx, W1xx)
is reported by the desugarer. Nothing here imports Numba.

Warning levels (`-W/-A/-D NAME`): each warning code belongs to one named kind. `-A` drops its
warnings, `-D` makes them errors, `-W` keeps them (the default). The name `warnings` stands
for every kind; flags naming one kind win over `warnings` whatever their order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import ast, core, prelude
from ..deep import call_deep
from ..diagnostics import Diagnostic, Reporter
from . import clones, linearity
from .infer import Inferencer, groups, references
from .schemes import build
from .types import show


@dataclass
class CheckOptions:
    """What to report besides errors and warnings."""
    notes: bool = True        # a note (T010) for each definition that is not type-checked


@dataclass
class CheckResult:
    """What the checker learned: the type of every user definition, as text, in book order."""
    types: dict = field(default_factory=dict)       # definition -> type text
    skipped: dict = field(default_factory=dict)     # definition -> construct that stopped it


def check(program: ast.Program, book: core.Book, reporter: Reporter,
          options: CheckOptions | None = None) -> CheckResult:
    """Check a desugared program; report to `reporter` on source spans and return the types."""
    options = options or CheckOptions()
    return call_deep(_check, program, book, reporter, options)


def _check(program, book, reporter, options) -> CheckResult:
    diags: list = []
    datas = list(prelude.builtin_datas()) + list(program.datas)
    signatures = list(program.signatures)
    if any(d.builtin for d in book.defs.values()):
        extra = prelude.load()
        datas += extra.datas
        signatures = [s for s in extra.signatures if s.name in book.defs] + signatures
    schemes = build(book, datas, signatures, diags)
    diags += _orphan_signatures(program, book)
    rules = {}
    for name, group in _rules_by_name(program).items():
        if len(group) > 1:
            rules.update({r.body.span: (name, i + 1) for i, r in enumerate(group)})
    inferencer = Inferencer(book, schemes, rules)
    types = inferencer.run(groups(book))
    diags += inferencer.diagnostics
    result = CheckResult()
    for name, d in book.defs.items():
        if d.builtin or d.generated:
            continue
        result.types[name] = show(types[name])[0]
        if name in inferencer.skipped:
            result.skipped[name] = inferencer.skipped[name]
            if options.notes:
                diags.append(Diagnostic(
                    "note", "T010", f"`{name}` is not type-checked: it uses "
                                    f"{inferencer.skipped[name]}", d.span,
                    help=f"to check it anyway, give it a signature: `{name} : Type`"))
    ctrs = {name: list(ctr.fields) for name, ctr in book.ctrs.items()}
    diags += linearity.check_rules(program, ctrs)
    diags += clones.check_book(book)
    diags += _unused_definitions(book)
    for d in sorted(diags, key=_position):
        getattr(reporter, d.severity)(d.code, d.message, d.span, label=d.label,
                                      labels=d.labels, notes=d.notes, help=d.help)
    return result


KINDS = {
    "unreachable-rule": "W101",
    "unreachable-arm": "W102",
    "unused-variable": "W201",
    "unused-definition": "W202",
    "repeated-bind": "W203",
    "clone-of-clone": "W204",
}
ALL = "warnings"
KIND_OF_CODE = {code: name for name, code in KINDS.items()}


class UnknownKind(ValueError):
    """A `-W/-A/-D` flag names no warning kind."""


def levels(allow: list, warn: list, deny: list) -> dict:
    """Warning code -> level from the command-line flags (missing codes: `warn`)."""
    flags = ([("allow", n) for n in allow] + [("warn", n) for n in warn]
             + [("deny", n) for n in deny])
    for _, name in flags:
        if name != ALL and name not in KINDS:
            raise UnknownKind(f"unknown warning kind `{name}`; the kinds are: "
                              f"{', '.join(sorted(KINDS))} (or `{ALL}` for all of them)")
    out: dict = {}
    for level, name in flags:
        if name == ALL:
            out.update({code: level for code in KINDS.values()})
    for level, name in flags:
        if name != ALL:
            out[KINDS[name]] = level
    return out


def apply_levels(diagnostics: list, code_levels: dict) -> list:
    """The diagnostics with allowed warnings dropped and denied ones made errors."""
    out = []
    for d in diagnostics:
        level = code_levels.get(d.code, "warn") if d.severity == "warning" else None
        if level == "allow":
            continue
        if level == "deny":
            d = Diagnostic("error", d.code, d.message, d.span, d.label, list(d.labels),
                           d.notes + [f"`{KIND_OF_CODE[d.code]}` is denied (`-D`)"], d.help)
        out.append(d)
    return out


def _position(d: Diagnostic):
    s = d.span
    return (0, "", 0, 0) if s is None else (1, s.file, s.line, s.col)


def _rules_by_name(program: ast.Program) -> dict:
    out: dict = {}
    for rule in program.rules:
        out.setdefault(rule.name, []).append(rule)
    return out


def _orphan_signatures(program: ast.Program, book: core.Book) -> list:
    """T007: a signature with no definition of that name."""
    return [Diagnostic("error", "T007", f"signature of `{s.name}`, which is not defined",
                       s.span, label="no rules for this name",
                       help=f"define it, e.g. `{s.name} x = ..`, or remove the signature")
            for s in program.signatures if s.name not in book.defs]


def _unused_definitions(book: core.Book) -> list:
    """W202: user definitions that the entry point never reaches."""
    seen = {book.entry}
    todo = [book.entry]
    while todo:
        d = book.defs.get(todo.pop())
        for name in references(d.body) if d is not None else ():
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return [Diagnostic("warning", "W202", f"unused definition `{name}`", d.span,
                       label=f"`{book.entry}` never uses it",
                       help="remove it, or use it from the entry point")
            for name, d in book.defs.items()
            if name not in seen and not (d.builtin or d.generated)]
