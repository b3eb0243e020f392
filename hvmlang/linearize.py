"""Linearize: encoded core -> linear core (every bound variable used exactly once).

Input invariant: an encoded Book (no `Match`, no `Ctr`); binders may shadow one another (match
linearization rebinds captured variables in each arm).
Output invariant: in every definition each binder name is bound once and each bound variable
is used exactly once. A binder used 0 times becomes None (`λ*`, `let * = v`, erased dup or
tuple output, `1+*`). A variable used k >= 2 times gets a chain of k-1 binary `Dup`s right
below its binder: `let {x_1 x_2} = x; let {x_3 x_4} = x_2; ..`, the uses getting x_1, x_3, ..,
in source order. A shadowing binder is renamed to a fresh `name_k`. Every dup and sup label is
a user `str` or a definition-local `int`: None labels get 0, 1, 2, .. in order of appearance
(after any int label already present). Unscoped `$x` binders and uses are left as they are.
"""
from __future__ import annotations

import dataclasses
import itertools

from . import core as c
from .deep import deep
from .diagnostics import Reporter


@deep
def linearize(book: c.Book, reporter: Reporter) -> c.Book:
    """Insert dups and erasers so that every variable of every definition is linear."""
    # Nothing here is an error: unscoped variables and explicit dups are the checker's job.
    defs = {name: dataclasses.replace(d, body=linearize_term(d.body))
            for name, d in book.defs.items()}
    return c.Book(defs, book.adts, book.ctrs, book.entry, book.labels)


@deep
def linearize_term(t):
    """Linearize one closed term (a definition body)."""
    names: set = set()
    top = _scan(t, names)
    out = _Linearizer(names).term(t)
    _number_labels(out, itertools.count(top + 1))
    return out


def _scan(t, names: set) -> int:
    """Add every variable and binder name of `t` to `names`; return its largest int label."""
    top = -1
    match t:
        case c.Var(name=n) | c.Lam(name=n) | c.Let(name=n):
            names.add(n)
        case c.Dup(a=x, b=y) | c.LetTup(a=x, b=y):
            names.update((x, y))
        case c.Switch(pred=p):
            names.add(p)
    if isinstance(t, (c.Dup, c.Sup)) and isinstance(t.label, int):
        top = t.label
    for child in c.children(t):
        top = max(top, _scan(child, names))
    return top


class _Binder:
    """A binder in scope: its output name and the output `Var`s that use it."""
    __slots__ = ("name", "uses")

    def __init__(self, name: str):
        self.name = name
        self.uses: list = []


class _Linearizer:
    """Rebuilds a term, counting uses per binder and inserting dup chains."""

    def __init__(self, names: set):
        self.taken = names          # every name present or generated; fresh names avoid them
        self.bound: set = set()     # original names bound so far (a repeat is renamed)
        self.env: dict = {}         # original name -> _Binder in scope
        self.counters: dict = {}

    def fresh(self, base: str) -> str:
        """A name `base_k` not used anywhere in the definition."""
        k = self.counters.get(base, 0)
        while True:
            k += 1
            name = f"{base}_{k}"
            if name not in self.taken:
                break
        self.counters[base] = k
        self.taken.add(name)
        return name

    def scoped(self, names: tuple, body):
        """Linearize `body` with `names` bound; return the binders' new names and the body."""
        binders, saved = [], []
        for n in names:
            if n is None or n.startswith("$"):
                binders.append(None)
                continue
            binder = _Binder(self.fresh(n) if n in self.bound else n)
            self.bound.add(n)
            saved.append((n, self.env.get(n)))
            self.env[n] = binder
            binders.append(binder)
        out = self.term(body)
        for n, old in reversed(saved):
            if old is None:
                del self.env[n]
            else:
                self.env[n] = old
        new_names = []
        for n, binder in reversed(list(zip(names, binders))):
            if binder is None:
                new_names.append(n)
            elif not binder.uses:
                new_names.append(None)
            else:
                new_names.append(binder.name)
                out = self.dup_chain(binder, out)
        return list(reversed(new_names)), out

    def dup_chain(self, binder: _Binder, body):
        """Give each use of `binder` its own copy through a chain of binary dups."""
        uses = binder.uses
        links = []
        source = binder.name
        for use in uses[:-1]:
            a, b = self.fresh(binder.name), self.fresh(binder.name)
            links.append((a, b, source))
            use.name = a
            source = b
        uses[-1].name = source
        for a, b, source in reversed(links):
            body = c.Dup(None, a, b, c.Var(source), body)
        return body

    def term(self, t):
        """Return the linear copy of `t` under the current scope."""
        match t:
            case c.Var(name=n):
                out = c.Var(n, span=t.span)
                binder = self.env.get(n)
                if binder is not None:
                    out.name = binder.name
                    binder.uses.append(out)
                return out
            case c.Ref() | c.Num() | c.Era():
                return t
            case c.Lam(name=n, body=b, tag=tag):
                (name,), body = self.scoped((n,), b)
                return c.Lam(name, body, tag, span=t.span)
            case c.App(fun=f, arg=a, tag=tag):
                return c.App(self.term(f), self.term(a), tag, span=t.span)
            case c.Op2(op=op, left=l, right=r):
                return c.Op2(op, self.term(l), self.term(r), span=t.span)
            case c.Sup(label=lab, a=a, b=b):
                return c.Sup(lab, self.term(a), self.term(b), span=t.span)
            case c.Tup(a=a, b=b):
                return c.Tup(self.term(a), self.term(b), span=t.span)
            case c.Let(name=n, value=v, body=b):
                value = self.term(v)
                (name,), body = self.scoped((n,), b)
                return c.Let(name, value, body, span=t.span)
            case c.Dup(label=lab, a=x, b=y, value=v, body=b):
                value = self.term(v)
                (x, y), body = self.scoped((x, y), b)
                return c.Dup(lab, x, y, value, body, span=t.span)
            case c.LetTup(a=x, b=y, value=v, body=b):
                value = self.term(v)
                (x, y), body = self.scoped((x, y), b)
                return c.LetTup(x, y, value, body, span=t.span)
            case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
                scrutinee, zero = self.term(s), self.term(z)
                (pred,), succ = self.scoped((p,), su)
                return c.Switch(scrutinee, zero, pred, succ, span=t.span)
        raise TypeError(f"not an encoded core term: {t!r}")


def _number_labels(t, labels: itertools.count) -> None:
    """Replace every None dup/sup label of `t` (built by this pass) in pre-order."""
    if isinstance(t, (c.Dup, c.Sup)) and t.label is None:
        t.label = next(labels)
    for child in c.children(t):
        _number_labels(child, labels)
