"""Surface terms -> desugared core terms: name resolution and every piece of syntax sugar.

input: the rules of one definition (ast) and the program's `Env` -> output: one core term in
the desugared form (docs/design.md): `Var` only for bound variables, each binder named uniquely
in the definition (shadowing binders renamed `x_1`, ..; unscoped `$x` kept), `Ref` for
definitions and built-ins, `Ctr` saturated (unsaturated constructors become `λa λb (Ctr a b)`),
strings/lists/nats/tuples expanded, `use` substituted, dups and sups binary, and every match
(rules, `match`, destructuring `let`) compiled by `patterns.MatchCompiler`. Every node carries
the span of the surface node it came from.

| code | meaning |
|---|---|
| E109 | a name that is not a variable in scope, a definition or a constructor |
"""
from __future__ import annotations

from dataclasses import dataclass

from . import ast
from . import core as c
from .diagnostics import Span
from .ops import MASK
from .patterns import SHARE_SIZE, MatchCompiler, Row, pattern_vars
from .prelude import BUILTIN_REFS
from .resolve import PatternResolver, suggest

_MISSING = object()
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class UniqueReporter:
    """Forwards each distinct diagnostic once: a body lowered at several leaves reports once."""

    def __init__(self, inner):
        self.inner = inner
        self.seen: set = set()

    def _add(self, emit, code: str, message: str, span, kw: dict) -> None:
        key = (code, message, span)
        if key not in self.seen:
            self.seen.add(key)
            emit(code, message, span, **kw)

    def error(self, code: str, message: str, span=None, **kw) -> None:
        """Report an error (once)."""
        self._add(self.inner.error, code, message, span, kw)

    def warning(self, code: str, message: str, span=None, **kw) -> None:
        """Report a warning (once)."""
        self._add(self.inner.warning, code, message, span, kw)


class Names:
    """The variable names of one definition: no two binders get the same name."""

    def __init__(self, reserved: set):
        self.used: set = set()
        self.reserved = reserved        # every name the user binds somewhere in the definition
        self.suffix: dict = {}          # base name -> next suffix to try
        self.letter = 0                 # next letter to try for `gen()`

    def bind(self, name: str) -> str:
        """A user binder keeps its name unless it is taken; then `name_1`, `name_2`, .."""
        return self._fresh(name, False)

    def gen(self, base: str | None = None) -> str:
        """A generated binder: `base` (default: a letter) not clashing with any user name."""
        if base is not None:
            return self._fresh(base, True)
        while True:
            i = self.letter
            self.letter += 1
            name = _LETTERS[i % 26] + (str(i // 26) if i >= 26 else "")
            if name not in self.used and name not in self.reserved:
                self.used.add(name)
                return name

    def _fresh(self, base: str, strict: bool) -> str:
        name = base
        while name in self.used or (strict and name in self.reserved):
            i = self.suffix.get(base, 1)
            self.suffix[base] = i + 1
            name = f"{base}_{i}"
        self.used.add(name)
        return name


# ---------------------------------------------------------------------------------------------
# Surface traversals (iterative)

def children(t) -> list:
    """The direct sub-terms of a surface term."""
    match t:
        case ast.Lam(body=b):
            return [b]
        case ast.App(fun=f, args=args):
            return [f, *args]
        case ast.Op(left=left, right=right):
            return [left] if right is None else [left, right]
        case ast.List(items=items) | ast.Tup(items=items) | ast.Sup(items=items):
            return list(items)
        case ast.Let(value=v, body=b) | ast.Use(value=v, body=b) | ast.Dup(value=v, body=b):
            return [v, b]
        case ast.Match(scrutinees=scrutinees, arms=arms):
            return [s.value for s in scrutinees] + [arm.body for arm in arms]
    return []


def walk(t):
    """Every sub-term of a surface term, `t` first."""
    stack = [t]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def surface_size(t, limit: int = SHARE_SIZE) -> float:
    """How big a body is once desugared, counted up to just past `limit`; inf when it has
    unscoped variables (found within the count), which must never be copied."""
    size = 0
    for node in walk(t):
        match node:
            case ast.Var(name=name) | ast.Lam(binder=name) if name and name.startswith("$"):
                return float("inf")
            case ast.Str(value=value):
                size += len(value) + 1
            case ast.Nat(value=value):
                size += value + 1
            case _:
                size += 1
        if size > limit:
            return size
    return size


def _pattern_names(pat, out: set) -> None:
    stack = [pat]
    while stack:
        p = stack.pop()
        match p:
            case ast.PVar(name=name):
                out.add(name)
            case ast.PSucc(bind=bind) if bind not in (None, "*"):
                out.add(bind)
            case ast.PCtr(args=items) | ast.PTup(items=items) | ast.PList(items=items):
                stack.extend(items)


def binder_names(rules: list) -> set:
    """Every name the rules of a definition bind, in patterns and in terms."""
    names: set = set()
    for rule in rules:
        for pat in rule.pats:
            _pattern_names(pat, names)
        for node in walk(rule.body):
            match node:
                case ast.Lam(binder=name) | ast.Use(name=name) if name:
                    names.add(name)
                case ast.Let(pat=pat):
                    _pattern_names(pat, names)
                case ast.Dup(binders=binders):
                    names.update(b for b in binders if b)
                case ast.Match(scrutinees=scrutinees, arms=arms):
                    names.update(s.bind for s in scrutinees if s.bind)
                    for arm in arms:
                        for pat in arm.pats:
                            _pattern_names(pat, names)
    return names


# ---------------------------------------------------------------------------------------------
# Lowering

@dataclass
class _Use:
    """A `use` binding: its value and the bindings, where it is written, of its names."""
    value: object
    scope: dict
    count: int = 0


class Lowerer:
    """Lowers the rules of one definition, and the CLI arguments of the entry point."""

    def __init__(self, env, reporter: UniqueReporter, name: str, rules: list, labels: list):
        self.env = env
        self.reporter = reporter
        self.name = name
        self.labels = labels                  # fixed user labels of the book, first use first
        self.names = Names(binder_names(rules))
        self.scope: dict = {}                 # surface name -> core name | _Use
        self.patterns = PatternResolver(env, reporter)

    # -- scopes ----------------------------------------------------------------------------------

    def _push(self, pairs: dict) -> list:
        saved = [(k, self.scope.get(k, _MISSING)) for k in pairs]
        self.scope.update(pairs)
        return saved

    def _pop(self, saved: list) -> None:
        for key, value in reversed(saved):
            if value is _MISSING:
                del self.scope[key]
            else:
                self.scope[key] = value

    def _lower_with(self, t, binds: dict):
        saved = self._push(binds)
        out = self.lower(t)
        self._pop(saved)
        return out

    def _compiler(self, kind: str, span, quiet: bool, subject: str = "") -> MatchCompiler:
        return MatchCompiler(self.env.ctrs, self.env.adts, self.names, self.reporter, kind,
                             span, subject, failed=quiet)

    # -- definitions -----------------------------------------------------------------------------

    def definition(self, rules: list):
        """`λa1 .. λan` over the compiled match of all rules (just the body for one 0-ary rule)."""
        arity = len(rules[0].pats)
        bad = self.patterns.bad
        rows, bodies = [], []
        for rule in rules:
            pats = [self.patterns.top(p) for p in rule.pats]
            if len(pats) != arity:       # reported as E105; still look for errors in the body
                self._lower_with(rule.body, {v: self.names.bind(v) for v in pattern_vars(pats)})
                continue
            rows.append(Row(pats, _where(rule.span), surface_size(rule.body)))
            bodies.append(rule.body)
        cols = [self._arg_name(rules, i) for i in range(arity)]
        span = _where(rules[0].name_span) or _where(rules[0].span)
        compiler = self._compiler("rule", span, self.patterns.bad > bad, self.name)
        term = compiler.compile(cols, rows, lambda i, binds: self._lower_with(bodies[i], binds))
        for var in reversed(cols):
            term = c.Lam(var, term, span=_where(rules[0].span))
        return term

    def _arg_name(self, rules: list, i: int) -> str:
        """Name argument i after the first variable pattern in its position, else a letter."""
        for rule in rules:
            p = rule.pats[i] if i < len(rule.pats) else None
            if isinstance(p, ast.PVar) and p.name not in self.env.ctrs \
                    and p.name not in self.env.rejected:
                return self.names.bind(p.name)
        return self.names.gen()

    # -- terms -----------------------------------------------------------------------------------

    def lower(self, t):
        """Lower one surface term in the current scope."""
        span = _where(t.span)
        match t:
            case ast.Var():
                return self._var(t, span)
            case ast.Lam(binder=binder, body=body, tag=tag):
                if binder is None or binder.startswith("$"):
                    return c.Lam(binder, self.lower(body), tag, span=span)
                name = self.names.bind(binder)
                return c.Lam(name, self._lower_with(body, {binder: name}), tag, span=span)
            case ast.App():
                return self._app(t, span)
            case ast.Op(op="~", left=left):
                return c.Op2("^", self.lower(left), c.Num(MASK, span=span), span=span)
            case ast.Op(op=op, left=left, right=right):
                return c.Op2(op, self.lower(left), self.lower(right), span=span)
            case ast.Num(value=value):
                return c.Num(value & MASK, span=span)
            case ast.Str(value=value):
                return self._chain("String.cons", "String.nil",
                                   [c.Num(ord(ch), span=span) for ch in value], span)
            case ast.List(items=items):
                return self._chain("List.cons", "List.nil", [self.lower(i) for i in items], span)
            case ast.Nat(value=value):
                out = c.Ctr("Nat.zero", [], span=span)
                for _ in range(value):
                    out = c.Ctr("Nat.succ", [out], span=span)
                return out
            case ast.Tup(items=items):
                return _nest(c.Tup, [self.lower(i) for i in items], span)
            case ast.Era():
                return c.Era(span=span)
            case ast.Sup(label=label, items=items):
                self._label(label)
                return _nest(lambda a, b, span: c.Sup(label, a, b, span=span),
                             [self.lower(i) for i in items], span)
            case ast.Let():
                return self._let(t, span)
            case ast.Use():
                return self._use(t)
            case ast.Dup():
                return self._dup(t, span)
            case ast.Match():
                return self._match(t, span)
        raise TypeError(f"not a surface term: {t!r}")

    def _var(self, t: ast.Var, span):
        name = t.name
        bound = self.scope.get(name)
        if isinstance(bound, str):
            return c.Var(bound, span=span)
        if isinstance(bound, _Use):
            return self._expand(bound)
        if name.startswith("$"):
            return c.Var(name, span=span)
        if name in self.env.rules or name in BUILTIN_REFS:
            return c.Ref(name, span=span)
        if name in self.env.ctrs:
            return self._ctr_value(name, span)
        if name not in self.env.rejected and name not in self.patterns.orphans:
            self._unbound(name, span)
        return c.Era(span=span)

    def _unbound(self, name: str, span) -> None:
        parts = name.split("-")
        known = lambda p: p in self.scope or p in self.env.rules or p.isdigit()
        if len(parts) > 1 and all(p and known(p) for p in parts):
            expr = parts[0]
            for part in parts[1:]:
                expr = f"(- {expr} {part})"
            hint = f"if you meant to subtract, write `{expr}`: `-` inside a name is part of it"
        else:
            hint = suggest(name, [*self.scope, *self.env.rules, *self.env.ctrs])
        self.reporter.error("E109", f"unbound variable `{name}`", span,
                            label="not found in this scope", help=hint)

    def _ctr_value(self, name: str, span):
        """A constructor used as a value: `Nil`, or `λhead λtail (Cons head tail)`."""
        fields = [self.names.gen(f) for f in self.env.ctrs[name].fields]
        out = c.Ctr(name, [c.Var(f, span=span) for f in fields], span=span)
        for f in reversed(fields):
            out = c.Lam(f, out, span=span)
        return out

    def _app(self, t: ast.App, span):
        fun, args = t.fun, list(t.args)
        ctr = self.env.ctrs.get(fun.name) if isinstance(fun, ast.Var) else None
        if ctr is not None and t.tag is None and fun.name not in self.scope \
                and len(args) >= len(ctr.fields):
            k = len(ctr.fields)
            out = c.Ctr(ctr.name, [self.lower(a) for a in args[:k]], span=span)
            args = args[k:]
        else:
            out = self.lower(fun)
        for arg in args:
            out = c.App(out, self.lower(arg), t.tag, span=span)
        return out

    def _chain(self, cons: str, nil: str, items: list, span):
        out = c.Ctr(nil, [], span=span)
        for item in reversed(items):
            out = c.Ctr(cons, [item, out], span=span)
        return out

    def _label(self, label) -> None:
        if isinstance(label, str) and label not in self.labels:
            self.labels.append(label)

    def _use(self, t: ast.Use):
        names = {node.name for node in walk(t.value) if isinstance(node, ast.Var)}
        use = _Use(t.value, {n: self.scope[n] for n in names if n in self.scope})
        body = self._lower_with(t.body, {t.name: use})
        if not use.count:                # never used: lowered only for its diagnostics
            self._expand(use)
        return body

    def _expand(self, use: _Use):
        outer, self.scope = self.scope, use.scope
        out = self.lower(use.value)
        self.scope = outer
        use.count += 1
        return out

    def _dup(self, t: ast.Dup, span):
        self._label(t.label)
        value = self.lower(t.value)
        names = [None if b is None else self.names.bind(b) for b in t.binders]
        body = self._lower_with(t.body, {b: n for b, n in zip(t.binders, names) if b})
        if len(names) == 1:
            return c.Let(names[0], value, body, span=span)
        rests = [self.names.gen() for _ in range(len(names) - 2)]
        for i in reversed(range(len(names) - 1)):
            second = names[-1] if i == len(names) - 2 else rests[i]
            source = value if i == 0 else c.Var(rests[i - 1], span=span)
            body = c.Dup(t.label, names[i], second, source, body, span=span)
        return body

    def _let(self, t: ast.Let, span):
        pat = t.pat
        value = self.lower(t.value)
        if isinstance(pat, ast.PWild):
            return c.Let(None, value, self.lower(t.body), span=span)
        if self._simple(pat):
            if pat.name.startswith("$"):
                return c.Let(pat.name, value, self.lower(t.body), span=span)
            name = self.names.bind(pat.name)
            return c.Let(name, value, self._lower_with(t.body, {pat.name: name}), span=span)
        if isinstance(pat, ast.PTup) and all(isinstance(p, ast.PWild) or self._simple(p)
                                             and not p.name.startswith("$") for p in pat.items):
            names = [self.names.bind(p.name) if isinstance(p, ast.PVar) else None
                     for p in pat.items]
            body = self._lower_with(t.body, {p.name: n for p, n in zip(pat.items, names) if n})
            rests = [self.names.gen() for _ in range(len(names) - 2)]
            for i in reversed(range(len(names) - 1)):
                second = names[-1] if i == len(names) - 2 else rests[i]
                source = value if i == 0 else c.Var(rests[i - 1], span=span)
                body = c.LetTup(names[i], second, source, body, span=span)
            return body
        bad = self.patterns.bad
        pats = [self.patterns.top(pat)]
        local = isinstance(value, c.Var) and not value.name.startswith("$")
        var = value.name if local else self.names.gen()
        compiler = self._compiler("let", _where(pat.span) or span, self.patterns.bad > bad)
        tree = compiler.compile([var], [Row(pats, span, surface_size(t.body))],
                                lambda i, binds: self._lower_with(t.body, binds))
        return tree if local else c.Let(var, value, tree, span=span)

    def _simple(self, pat) -> bool:
        """A variable pattern (a bare name that is not a constructor)."""
        return isinstance(pat, ast.PVar) and pat.name not in self.env.ctrs

    def _match(self, t: ast.Match, span):
        lets, cols, subjects, saved = [], [], [], []
        for s in t.scrutinees:
            value = s.value
            named = isinstance(value, ast.Var) and not value.name.startswith("$")
            subjects.append(s.bind or (value.name if named else None))
            local = self.scope.get(value.name) if named else None
            if s.bind in (None, value.name if named else None) and isinstance(local, str):
                cols.append(local)
                continue
            lowered = self.lower(value)
            var = self.names.bind(s.bind) if s.bind else self.names.gen()
            lets.append((var, lowered, _where(s.span) or span, s.bind is None))
            cols.append(var)
            if s.bind:
                saved += self._push({s.bind: var})
        bad = self.patterns.bad
        rows = []
        for arm in t.arms:
            pats = [self.patterns.top(p, subjects[i] if i < len(subjects) else None, arm=True)
                    for i, p in enumerate(arm.pats)]
            rows.append(Row(pats, _where(arm.span), surface_size(arm.body)))
        compiler = self._compiler("arm", _head(span, t.scrutinees), self.patterns.bad > bad)
        tree = compiler.compile(cols, rows,
                                lambda i, binds: self._lower_with(t.arms[i].body, binds))
        self._pop(saved)
        for var, value, where, temporary in reversed(lets):
            if temporary and compiler.uses.get(var) == 1 and isinstance(tree, c.Switch) \
                    and tree.scrutinee == c.Var(var):
                tree.scrutinee = value       # `match (f x) { 0: ..; 1+: .. }` needs no let
            else:
                tree = c.Let(var, value, tree, span=where)
        return tree


def _where(span):
    """The span to record: None for the placeholder span of nodes made without one."""
    return None if span is None or span == ast.NO_SPAN else span


def _head(span, scrutinees: list):
    """The span of `match a, b` without its arms (where match errors point)."""
    last = _where(scrutinees[-1].span) if scrutinees else None
    if span is None or last is None:
        return span
    return Span(span.file, span.line, span.col, last.end_line, last.end_col)


def _nest(make, items: list, span):
    """`(a, b, c)` as `make(a, make(b, c))`."""
    out = items[-1]
    for item in reversed(items[:-1]):
        out = make(item, out, span=span)
    return out
