"""Linearity and usage of variables as written: surface rules -> L001–L005, W201, W203.

Works on the program as written, before desugaring shares or copies rule bodies, so counts are
the user's own: a variable's uses are summed within one arm and the maximum is taken across the
arms of a `match` (arms are exclusive). `use x = v` copies `v` to every use of `x`, so it
multiplies the uses in `v` (unscoped ones included) by the uses of `x`. Unscoped variables
(`λ$x`, `$x`) are counted over all rules of a definition, since they are wires of the whole
definition. Names starting with `_` are never reported as unused.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import ast
from ..diagnostics import SOURCES, Diagnostic, Label, Span

NAME_CHARS = set("_.-$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass
class _Binder:
    name: str
    span: Span
    kind: str                 # "var", "dup" (output of an explicit dup) or "quiet" (never reported)
    used: bool = False


def binder_span(span: Span, name: str) -> Span:
    """The span of `name` itself inside `span` (e.g. `x` in `λx body`), else `span`."""
    text = SOURCES.line(span.file, span.line)
    if text is None:
        return span
    start = max(span.col - 1, 0)
    end = span.end_col - 1 if span.end_line == span.line else len(text)
    at = start
    while True:
        i = text.find(name, at, end)
        if i < 0:
            return span
        j = i + len(name)
        if (i == 0 or text[i - 1] not in NAME_CHARS) and (j >= len(text) or
                                                          text[j] not in NAME_CHARS):
            return Span(span.file, span.line, i + 1, span.line, j + 1)
        at = i + 1


def _add(*counts: dict) -> dict:
    out: dict = {}
    for cnt in counts:
        for k, v in cnt.items():
            out[k] = out.get(k, []) + v
    return out


def _most(counts: list) -> dict:
    out: dict = {}
    for cnt in counts:
        for k, v in cnt.items():
            if len(v) > len(out.get(k, [])):
                out[k] = v
    return out


class _Walker:
    """Walks the rules of one definition, resolving names lexically and counting uses."""

    def __init__(self, ctrs: dict, out: list):
        self.ctrs = ctrs                      # constructor -> field names
        self.out = out
        self.binders: list = []
        self.scope: dict = {}
        self.unscoped_binds: dict = {}
        self.unscoped_uses: dict = {}

    # -- scopes --------------------------------------------------------------------------------

    def open(self, names: list, kind: str) -> list:
        """Bind `(name, span)` pairs as one pattern; report repeated names (W203)."""
        ids = []
        first: dict = {}
        for name, span in names:
            if name in first:
                earlier = self.binders[first[name]]
                earlier.kind = "quiet"
                self.out.append(Diagnostic(
                    "warning", "W203", f"`{name}` is bound more than once in this pattern", span,
                    label="bound again here", labels=[Label(earlier.span, "first bound here")],
                    notes=["only the last binding is visible; the value of the first is "
                           "dropped"],
                    help="rename one of them, or write `*` for the value you do not need"))
            first[name] = len(self.binders)
            ids.append(len(self.binders))
            self.binders.append(_Binder(name, span, kind))
            self.scope.setdefault(name, []).append(ids[-1])
        return ids

    def close(self, ids: list, counts: dict) -> dict:
        """Leave the scope of `ids`: report the unused ones, drop them from `counts`."""
        for i in reversed(ids):
            b = self.binders[i]
            self.scope[b.name].pop()
            if not b.used and b.kind != "quiet" and not b.name.startswith("_"):
                self.out.append(Diagnostic(
                    "warning", "W201", f"unused variable `{b.name}`", b.span, label="never used",
                    help=f"if this is intended, name it `_{b.name}` or write `*`"))
        return {k: v for k, v in counts.items() if k not in ids}

    def pattern(self, p) -> list:
        """The `(name, span)` pairs a pattern binds."""
        match p:
            case ast.PVar(name=n, span=s) if n not in self.ctrs:
                return [(n, s)]
            case ast.PSucc(bind=str() as n, span=s) if n != "*":
                return [(n, binder_span(s, n))]
            case ast.PCtr(args=items) | ast.PTup(items=items) | ast.PList(items=items):
                return [b for item in items for b in self.pattern(item)]
        return []

    def implicit(self, p, prefix: str | None) -> list:
        """Names an arm binds implicitly: `x.field` for a bare constructor, `x-n` for `n+`."""
        if prefix is None:
            return []
        match p:
            case ast.PVar(name=n, span=s) if n in self.ctrs:
                return [(f"{prefix}.{f}", s) for f in self.ctrs[n]]
            case ast.PCtr(name=n, args=[], span=s) if n in self.ctrs:
                return [(f"{prefix}.{f}", s) for f in self.ctrs[n]]
            case ast.PSucc(n=k, bind=None, span=s):
                return [(f"{prefix}-{k}", s)]
        return []

    # -- terms ---------------------------------------------------------------------------------

    def rule(self, rule: ast.Rule) -> None:
        """Check one rule."""
        ids = self.open([b for p in rule.pats for b in self.pattern(p)], "var")
        self.close(ids, self.term(rule.body))

    def term(self, t) -> dict:
        """Uses of the binders in scope made by `t`: binder id -> spans of the uses."""
        match t:
            case ast.Var(name=n, span=s) if n.startswith("$"):
                self.unscoped_uses.setdefault(n, []).append(s)
            case ast.Var(name=n, span=s) if self.scope.get(n):
                i = self.scope[n][-1]
                self.binders[i].used = True
                return {i: [s]}
            case ast.Lam(binder=str() as b, body=body, span=s) if b.startswith("$"):
                self.unscoped_binds.setdefault(b, []).append(binder_span(s, b))
                return self.term(body)
            case ast.Lam(binder=str() as b, body=body, span=s):
                ids = self.open([(b, binder_span(s, b))], "var")
                return self.close(ids, self.term(body))
            case ast.Lam(body=body):
                return self.term(body)
            case ast.App(fun=f, args=args):
                return _add(self.term(f), *[self.term(a) for a in args])
            case ast.Op(left=left, right=right):
                return _add(self.term(left), self.term(right) if right is not None else {})
            case ast.List(items=items) | ast.Tup(items=items) | ast.Sup(items=items):
                return _add(*[self.term(i) for i in items])
            case ast.Let(pat=pat, value=v, body=body):
                before = self.term(v)
                ids = self.open(self.pattern(pat), "var")
                return _add(before, self.close(ids, self.term(body)))
            case ast.Use(name=n, value=v, body=body, span=s):
                marks = {k: len(u) for k, u in self.unscoped_uses.items()}
                before = self.term(v)
                ids = self.open([(n, binder_span(s, n))], "var")
                after = self.term(body)
                times = len(after.get(ids[0], []))
                for k, uses in self.unscoped_uses.items():
                    new = uses[marks.get(k, 0):]
                    uses[marks.get(k, 0):] = new * times
                return _add(self.close(ids, after), *[before] * times)
            case ast.Dup(binders=names, value=v, body=body, span=s):
                before = self.term(v)
                ids = self.open([(n, binder_span(s, n)) for n in names if n is not None], "dup")
                after = self.term(body)
                for i in ids:
                    self.dup_uses(self.binders[i], after.get(i, []), s)
                return _add(before, self.close(ids, after))
            case ast.Match():
                return self.match(t)
        return {}

    def match(self, t: ast.Match) -> dict:
        """A match: scrutinees are used once; arms are exclusive."""
        counts = [self.term(s.value) for s in t.scrutinees]
        prefixes = []
        for s in t.scrutinees:
            if s.bind is not None:
                prefixes.append(s.bind)
            elif isinstance(s.value, ast.Var) and not s.value.name.startswith("$"):
                prefixes.append(s.value.name)
            else:
                prefixes.append(None)
        outer = self.open([(s.bind, s.span) for s in t.scrutinees if s.bind is not None], "quiet")
        arms = []
        for arm in t.arms:
            implicit = self.open([b for p, pre in zip(arm.pats, prefixes)
                                  for b in self.implicit(p, pre)], "quiet")
            ids = self.open([b for p in arm.pats for b in self.pattern(p)], "var")
            arms.append(self.close(implicit, self.close(ids, self.term(arm.body))))
        return _add(*counts, self.close(outer, _most(arms)))

    def dup_uses(self, b: _Binder, uses: list, dup_span: Span) -> None:
        """L005: an output of an explicit dup used more than once."""
        if len(uses) < 2:
            return
        self.out.append(Diagnostic(
            "error", "L005", f"`{b.name}` comes from an explicit duplication and is used "
                             f"{len(uses)} times", uses[1], label="used again here",
            labels=[Label(uses[0], "first used here"), Label(b.span, "bound by this `dup`")],
            notes=["each output of `let {a b} = value` is one copy of the value and can be "
                   "used once"],
            help="bind one more output for each extra use, e.g. `let {a b c} = value`"))

    # -- unscoped variables --------------------------------------------------------------------

    def unscoped(self, definition: str) -> None:
        """L001–L004 for the unscoped variables of the whole definition."""
        for name in sorted(self.unscoped_uses.keys() | self.unscoped_binds.keys()):
            binds = self.unscoped_binds.get(name, [])
            uses = self.unscoped_uses.get(name, [])
            if not binds:
                self.out.append(Diagnostic(
                    "error", "L001", f"unscoped variable `{name}` is used but never bound",
                    uses[0], label=f"no `λ{name}` in `{definition}`",
                    notes=["an unscoped variable is bound and used in the same definition"],
                    help=f"bind it once with `λ{name}` somewhere in `{definition}`"))
            elif not uses:
                self.out.append(Diagnostic(
                    "error", "L002", f"unscoped variable `{name}` is bound but never used",
                    binds[0], label="bound here",
                    help=f"use `{name}` once in `{definition}`, or write `λ*` to drop the "
                         "argument"))
            if len(uses) > 1:
                self.out.append(Diagnostic(
                    "error", "L003", f"unscoped variable `{name}` is used {len(uses)} times",
                    uses[1], label="used again here",
                    labels=[Label(u, "also used here") for u in [uses[0]] + uses[2:]],
                    notes=["an unscoped variable is a single wire: it must be used exactly "
                           "once"],
                    help=f"copy it once and use the copies: `let {{a b}} = {name}`"))
            if len(binds) > 1:
                self.out.append(Diagnostic(
                    "error", "L004", f"unscoped lambda `λ{name}` is bound {len(binds)} times",
                    binds[1], label="bound again here",
                    labels=[Label(b, "also bound here") for b in [binds[0]] + binds[2:]],
                    notes=["an unscoped variable has exactly one binder in its definition"],
                    help="rename one of them"))


def check_rules(program: ast.Program, ctrs: dict) -> list:
    """Linearity and usage diagnostics of every definition written in `program`."""
    out: list = []
    groups: dict = {}
    for rule in program.rules:
        groups.setdefault(rule.name, []).append(rule)
    for name, rules in groups.items():
        walker = _Walker(ctrs, out)
        for rule in rules:
            walker.rule(rule)
        walker.unscoped(name)
    return out
