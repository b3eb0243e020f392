"""Copies of closures: desugared core Book -> L006 (clone-of-clone) and W204 (possible one).

At run time a duplicated value that still holds a live duplication (a function that copies its
argument) keeps one dup label in both copies; if one copy then receives the other, the two
dups meet, annihilate where they should commute, and the net grows forever. A named function or
a closed term is floated into its own definition and copied by reference, with fresh labels per
expansion, so only *closures* are at risk: values built at run time that capture a local
variable, such as `(Thrice k)` with `k` a parameter, `λf (f (f k))`, or a closure capturing one.

The analysis gives every variable a root (aliases `let h = g`, explicit dups and tuple parts
share their source's root) and records which roots *meet*: root u meets root v when a copy of u
is applied to an argument holding v as a value (v itself, v inside a lambda, v in a data
structure), but not when v is only called there (`(g (g x))` composes copies, which is safe).
Definitions and local lambdas are summarized (copied, applied and meeting parameters) and the
summaries are propagated through calls to a fixed point. A closure whose root meets itself is
L006; a copied closure that copies a function argument is W204. Uses are summed within an arm
and maximized across the arms of a match.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import core as c
from ..deep import extended
from ..diagnostics import Diagnostic, Label, Span
from .infer import ordinal


@dataclass
class _Closure:
    """A closure value: how to find its remaining parameters, and what it captures."""
    kind: str                  # "ref" (partial application of a definition), "lam", "shift"
    captures: list             # names of the captured local variables
    inner: list                # roots of captured values (variables and arguments)
    ref: str = ""
    skip: int = 0
    roots: list = field(default_factory=list)     # "lam": its parameters' roots
    base: int = -1                                 # "shift": the root of the applied closure


def free_vars(t) -> set:
    """Local variables free in `t` (unscoped `$x` excluded)."""
    match t:
        case c.Var(name=n):
            return set() if n.startswith("$") else {n}
        case c.Lam(name=n, body=b):
            return free_vars(b) - {n}
        case c.Let(name=n, value=v, body=b):
            return free_vars(v) | (free_vars(b) - {n})
        case c.Dup(a=a, b=b2, value=v, body=b) | c.LetTup(a=a, b=b2, value=v, body=b):
            return free_vars(v) | (free_vars(b) - {a, b2})
        case c.Match(scrutinee=s, cases=cases):
            out = free_vars(s)
            for case in cases:
                out |= free_vars(case.body) - set(case.fields)
            return out
        case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
            return free_vars(s) | free_vars(z) | (free_vars(su) - {p})
    out = set()
    for child in c.children(t):
        out |= free_vars(child)
    return out


def _spine(t) -> tuple:
    args = []
    while isinstance(t, c.App):
        args.append(t.arg)
        t = t.fun
    args.reverse()
    return t, args


def _add(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


def _most(counts: list) -> dict:
    out: dict = {}
    for cnt in counts:
        for k, v in cnt.items():
            out[k] = max(out.get(k, 0), v)
    return out


class _Flow:
    """Roots, uses, meetings and calls of one definition."""

    def __init__(self):
        self.names: list = []              # root -> variable name
        self.counts: dict = {}             # root -> uses in its scope
        self.copied: dict = {}             # root -> how it is copied
        self.applied: set = set()
        self.meets: dict = {}              # (u, v) -> (span, label): where and how they meet
        self.calls: list = []              # (callee, its parameter roots or None, roots, span)
        self.params: list = []
        self.lambdas: dict = {}            # root of a let-bound lambda -> its parameters' roots
        self.tuples: dict = {}             # root of a pair -> roots of its items
        self.closures: dict = {}           # root -> _Closure
        self.bindings: list = []           # (root, span of the closure value)

    def new(self, name: str) -> int:
        self.names.append(name)
        return len(self.names) - 1

    def definition(self, body) -> None:
        """Walk a definition's body; its leading lambdas are its parameters."""
        self.params = self.lam(body, {}, None)[1]

    def settle(self, root: int, count: int) -> None:
        """Record how many times a root is used in its scope."""
        self.counts[root] = count
        if count >= 2:
            self.copied.setdefault(root, f"it is used {count} times")

    def lam(self, t, env: dict, span) -> tuple:
        """Walk a chain of lambdas: (uses, roots of its binders)."""
        roots, bound = [], []
        while isinstance(t, c.Lam):
            r = self.new(t.name or "*")
            roots.append(r)
            if t.name is not None:
                bound.append((t.name, r))
            span = t.span or span
            t = t.body
        counts = extended(env, bound, lambda e: self.term(t, e, span))
        for r in roots:
            self.settle(r, counts.pop(r, 0))
        return counts, roots

    def value(self, v, env: dict, name: str, span) -> tuple:
        """Walk a value that gets a root: (uses in v, its root, whether it is an alias)."""
        span = v.span or span
        if isinstance(v, c.Var) and v.name in env:
            return {}, env[v.name], True
        inner: list = []
        roots = None
        if isinstance(v, c.Lam):
            counts, roots = self.lam(v, env, span)
        elif isinstance(v, c.App):
            counts, inner = self.app(v, env, span)
        else:
            counts = self.term(v, env, span)
        root = self.new(name)
        if roots is not None:
            self.lambdas[root] = roots
        if isinstance(v, c.Tup):
            self.tuples[root] = tuple(env.get(x.name) if isinstance(x, c.Var) else None
                                      for x in (v.a, v.b))
        closure = self.closure(v, env, roots, inner)
        if closure is not None:
            self.closures[root] = closure
            self.bindings.append((root, span))
        return counts, root, False

    def closure(self, v, env: dict, roots, inner: list) -> _Closure | None:
        """The closure `v` evaluates to, if it is one (it captures a local variable)."""
        head, args = _spine(v)
        if isinstance(v, c.Lam):
            found = _Closure("lam", [], [], roots=roots or [])
        elif isinstance(head, c.Ref) and args:
            found = _Closure("ref", [], [], ref=head.name, skip=len(args))
        elif isinstance(head, c.Var) and args and env.get(head.name) in self.closures:
            found = _Closure("shift", [], [], skip=len(args), base=env[head.name])
        else:
            return None
        found.captures = sorted(free_vars(v))
        found.inner = [env[n] for n in found.captures if n in env] + [r for r in inner if
                                                                     r is not None]
        return found if found.captures else None

    def scoped(self, names: list, v, env: dict, body, span, dup: bool = False) -> dict:
        counts, root, alias = self.value(v, env, next((n for n in names if n), "*"), span)
        if dup:
            self.copied.setdefault(root, "it is duplicated explicitly")
        after = extended(env, [(n, root) for n in names if n is not None],
                         lambda e: self.term(body, e, span))
        if not alias:
            self.settle(root, after.pop(root, 0))
        return _add(counts, after)

    def term(self, t, env: dict, span) -> dict:
        """Uses of roots made by `t`."""
        span = t.span or span
        match t:
            case c.Var(name=n):
                return {env[n]: 1} if n in env else {}
            case c.Lam():
                return self.lam(t, env, span)[0]
            case c.App():
                return self.app(t, env, span)[0]
            case c.Let(name=n, value=v, body=b):
                return self.scoped([n], v, env, b, span)
            case c.Dup(a=a, b=b2, value=v, body=b):
                return self.scoped([a, b2], v, env, b, span, dup=True)
            case c.LetTup(a=a, b=b2, value=v, body=b):
                parts = self.tuples.get(env.get(v.name)) if isinstance(v, c.Var) else None
                aliases = dict(zip((a, b2), parts)) if parts else {}
                return _add(self.term(v, env, span), self.arm(b, env, [a, b2], span, aliases))
            case c.Match(scrutinee=s, cases=cases):
                arms = [self.arm(case.body, env, case.fields, span) for case in cases]
                return _add(self.term(s, env, span), _most(arms))
            case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
                arms = [self.arm(z, env, [], span), self.arm(su, env, [p], span)]
                return _add(self.term(s, env, span), _most(arms))
        out: dict = {}
        for child in c.children(t):
            out = _add(out, self.term(child, env, span))
        return out

    def arm(self, body, env: dict, names: list, span, aliases: dict | None = None) -> dict:
        """Walk `body` with `names` bound to fresh roots (or to the roots in `aliases`)."""
        bound, fresh = [], []
        for n in names:
            if n is None:
                continue
            if (aliases or {}).get(n) is not None:
                bound.append((n, aliases[n]))
            else:
                bound.append((n, self.new(n)))
                fresh.append(bound[-1][1])
        counts = extended(env, bound, lambda e: self.term(body, e, span))
        for r in fresh:
            self.settle(r, counts.pop(r, 0))
        return counts

    def app(self, t, env: dict, span) -> tuple:
        """Walk an application spine: (uses, roots of its arguments)."""
        head, args = _spine(t)
        if isinstance(head, c.Lam) and len(args) == 1 and head.name is not None:
            return self.scoped([head.name], args[0], env, head.body, span), []
        counts = self.term(head, env, span)
        roots = []
        for a in args:
            if isinstance(a, (c.Lam, c.App)):
                used, root, _ = self.value(a, env, "*", span)
            else:
                used, root = self.term(a, env, span), env.get(getattr(a, "name", None))
            counts = _add(counts, used)
            roots.append(root)
        if isinstance(head, c.Var) and head.name in env:
            h = env[head.name]
            self.applied.add(h)
            for a in args:
                for v in _meets(a, env):
                    self.meets.setdefault((h, v), (span, "the copies meet here"))
            if h in self.lambdas:
                self.calls.append((head.name, self.lambdas[h], roots, span))
        elif isinstance(head, c.Ref):
            self.calls.append((head.name, None, roots, span))
        return counts, roots


def _meets(t, env: dict, under: bool = False) -> set:
    """Roots that `t` holds as values: bare, under a lambda, or in data (not just called)."""
    match t:
        case c.Var(name=n):
            return {env[n]} if n in env else set()
        case c.Lam(name=n, body=b):
            return _meets(b, {k: v for k, v in env.items() if k != n}, True)
        case c.App():
            head, args = _spine(t)
            out = set()
            if isinstance(head, c.Var):
                if under and head.name in env:
                    out.add(env[head.name])
            else:
                out |= _meets(head, env, under)
            for a in args:
                out |= _meets(a, env, under)
            return out
    out = set()
    for child in c.children(t):
        out |= _meets(child, env, under)
    return out


class Analysis:
    """Flows of every definition, their summaries propagated through calls to a fixed point."""

    def __init__(self, book: c.Book):
        self.book = book
        self.flows = {}
        for name, d in book.defs.items():
            self.flows[name] = flow = _Flow()
            flow.definition(d.body)
        while any([self.propagate(flow) for flow in self.flows.values()]):
            pass

    def propagate(self, flow: _Flow) -> bool:
        """Apply what every call's callee does with its parameters; whether anything grew."""
        before = (len(flow.copied), len(flow.applied), len(flow.meets))
        for callee, local, args, span in flow.calls:
            source = flow if local is not None else self.flows.get(callee)
            if source is None:
                continue
            params = local if local is not None else source.params
            index = {r: i for i, r in enumerate(params)}
            for i, (p, a) in enumerate(zip(params, args)):
                if a is None:
                    continue
                if p in source.copied and a not in flow.copied:
                    flow.copied[a] = f"`{callee}` copies its {ordinal(i + 1)} argument"
                if p in source.applied:
                    flow.applied.add(a)
            for (u, v) in list(source.meets):
                if not (u in index and v in index or local is not None and (u in index or
                                                                            v in index)):
                    continue
                if any(x in index and index[x] >= len(args) for x in (u, v)):
                    continue
                u2 = args[index[u]] if u in index else u
                v2 = args[index[v]] if v in index else v
                if u2 is not None and v2 is not None and (u2, v2) not in flow.meets:
                    flow.meets[(u2, v2)] = (span, _meeting(callee, index.get(u), index.get(v),
                                                           local is not None))
        return before != (len(flow.copied), len(flow.applied), len(flow.meets))

    def remaining(self, flow: _Flow, closure: _Closure) -> tuple:
        """(flow, roots) of the parameters a closure still takes."""
        if closure.kind == "ref":
            source = self.flows.get(closure.ref)
            return (source, source.params[closure.skip:]) if source else (flow, [])
        if closure.kind == "shift":
            src, roots = self.remaining(flow, flow.closures[closure.base])
            return src, roots[closure.skip:]
        return flow, closure.roots

    def cloner(self, flow: _Flow, root: int) -> tuple:
        """(what makes the closure at `root` copy, whether a copied argument is a function)."""
        closure = flow.closures[root]
        src, params = self.remaining(flow, closure)
        copying = [p for p in params if p in src.copied]
        functions = [p for p in copying if p in src.applied]
        caps = ", ".join(f"`{v}`" for v in closure.captures[:3])
        if copying:
            p = (functions or copying)[0]
            return f"it captures {caps} and copies its argument `{src.names[p]}`", bool(functions)
        for r in closure.inner:
            if r in flow.closures and r != root:
                what, fn = self.cloner(flow, r)
                if what:
                    return (f"it captures {caps}, and `{flow.names[r]}` is a closure that "
                            f"{what.removeprefix('it ')}", fn)
        return "", False

    def diagnostics(self) -> list:
        """L006 and W204 for every user definition."""
        out = []
        for name, flow in self.flows.items():
            if self.book.defs[name].builtin:
                continue
            for root, span in flow.bindings:
                about, functions = self.cloner(flow, root)
                if not about:
                    continue
                named = flow.names[root] if flow.names[root] != "*" else None
                if (root, root) in flow.meets:
                    out.append(_clone_error(named, about, span, flow.meets[(root, root)]))
                elif root in flow.copied and functions:
                    out.append(_clone_warning(named, about, span, flow.copied[root]))
        return out


def _meeting(callee: str, i, j, local: bool) -> str:
    """The label of a call where two copies meet inside the callee."""
    if local or i is None or j is None:
        return f"the copies meet inside `{callee}`, called here"
    if i == j:
        return f"`{callee}` applies copies of its {ordinal(i + 1)} argument to each other"
    return (f"`{callee}` applies its {ordinal(i + 1)} argument to its {ordinal(j + 1)}, and "
            "both are copies")


def _clone_error(name, about: str, span: Span, meet) -> Diagnostic:
    what = f"the closure `{name}`" if name else "this closure"
    where, label = meet
    subject = f"`{name}` is a closure: {about}" if name else f"this is a closure: {about}"
    return Diagnostic(
        "error", "L006", f"clone of a clone: a copy of {what} is applied to another copy of it",
        where, label=label, labels=[] if where == span else [Label(span, subject)],
        notes=([subject] if where == span else []) + [
            "a function that copies its argument cannot be copied and then given its own "
            "copy: the copies share one duplication, and at run time the program never "
            "finishes (named functions and closed lambdas are safe: they are copied by "
            "reference)"],
        help="give each use its own closure (`use g = value` rebuilds the value at every use), "
             "or pass a named function instead")


def _clone_warning(name, about: str, span: Span, copied: str) -> Diagnostic:
    what = f"the closure `{name}`" if name else "this closure"
    subject = f"`{name}` is a closure: {about}" if name else f"this is a closure: {about}"
    return Diagnostic(
        "warning", "W204", f"possible clone of a clone: {what} copies a function argument and "
                           "is itself copied", span, label=f"copied: {copied}",
        notes=[subject, "if copies of it are ever applied to each other (directly or through "
                        "other functions), the program will never finish"],
        help="if the copies are never applied to each other this is fine: silence it with "
             "`-A clone-of-clone`")


def check_book(book: c.Book) -> list:
    """Clone-of-clone diagnostics of a desugared book."""
    return Analysis(book).diagnostics()
