"""Encode: desugared core -> encoded core (closed match arms, tagged-Scott ADTs).

Input invariant: a desugared Book (docs/design.md): `Match` single-level with one `Case` per
constructor in declaration order, `Ctr` saturated, `Switch` numeric.
Output invariant: no `Match` and no `Ctr` remain. The arms of every match and switch are
closed except for the variables the case binds (fields, the switch predecessor) and unscoped
`$x`: each free variable of the arms became an extra plain lambda on every arm, and the match
is applied to those variables in first-occurrence order. A `Ctr` is `(Ref(ctr) args..)`
with plain applications; a `Match` is `#T (.. #T (#T (x arm_0) arm_1) .. arm_{n-1})` with
`arm_i = #T λf_1 .. #T λf_k body_i`; `Switch` stays a `Switch`. Every constructor that is
referenced gets a generated definition `λf_1 .. λf_k #T λc_0 .. #T λc_{n-1} #T (c_i f_1 .. f_k)`,
appended after the other definitions in constructor declaration order.
"""
from __future__ import annotations

import dataclasses

from . import core as c
from .deep import deep


@deep
def encode(book: c.Book) -> c.Book:
    """Linearize the matches of every definition and encode ADTs as tagged-Scott terms."""
    encoder = _Encoder(book)
    defs = {name: dataclasses.replace(d, body=encoder.encode(d.body))
            for name, d in book.defs.items()}
    for ctr in book.ctrs.values():
        if ctr.name in encoder.used and ctr.name not in defs:
            defs[ctr.name] = constructor_definition(ctr, book.adts[ctr.adt])
    return c.Book(defs, book.adts, book.ctrs, book.entry, book.labels)


def constructor_definition(ctr: c.Constructor, adt: c.Adt) -> c.Definition:
    """The tagged-Scott definition of constructor `ctr` of `adt`."""
    fields = list(ctr.fields)
    taken = set(fields)
    cases = []
    for i in range(len(adt.ctrs)):
        name = f"c{i}"
        while name in taken:
            name += "_"
        taken.add(name)
        cases.append(name)
    body = c.Var(cases[ctr.index])
    for f in fields:
        body = c.App(body, c.Var(f), adt.name)
    for name in reversed(cases):
        body = c.Lam(name, body, adt.name)
    for f in reversed(fields):
        body = c.Lam(f, body)
    return c.Definition(ctr.name, body, ctr.span, generated=True)


def _union(x: dict, y: dict) -> dict:
    """Merge two free-variable maps (name -> first position), reusing the larger one."""
    if len(x) < len(y):
        x, y = y, x
    for name, pos in y.items():
        old = x.get(name)
        if old is None or pos < old:
            x[name] = pos
    return x


def _lams(names: list, body, skip=(), span=None):
    """`λn_1 .. λn_k body`; a name in `skip` (shadowed inside the arm) becomes `λ*`."""
    for name in reversed(names):
        body = c.Lam(None if name in skip else name, body, span=span)
    return body


def _apply(fun, names: list, span=None):
    """`(fun n_1 .. n_k)` with plain applications of variables."""
    for name in names:
        fun = c.App(fun, c.Var(name), span=span)
    return fun


class _Encoder:
    """Rewrites terms bottom-up, tracking free variables by first occurrence."""

    def __init__(self, book: c.Book):
        self.ctrs = book.ctrs
        self.used: dict = {}     # referenced constructors, as an ordered set
        self.pos = 0             # counts variable occurrences in source order

    def encode(self, t):
        """Encode one definition body."""
        return self.term(t)[0]

    def term(self, t):
        """Return the encoded term and its free variables (name -> first position)."""
        match t:
            case c.Var(name=n):
                if n.startswith("$"):
                    return c.Var(n, span=t.span), {}
                self.pos += 1
                return c.Var(n, span=t.span), {n: self.pos}
            case c.Ref(name=n):
                if n in self.ctrs:
                    self.used[n] = None
                return t, {}
            case c.Num() | c.Era():
                return t, {}
            case c.Lam(name=n, body=b, tag=tag):
                body, fv = self.term(b)
                fv.pop(n, None)
                return c.Lam(n, body, tag, span=t.span), fv
            case c.App(fun=f, arg=a, tag=tag):
                fun, fv1 = self.term(f)
                arg, fv2 = self.term(a)
                return c.App(fun, arg, tag, span=t.span), _union(fv1, fv2)
            case c.Op2(op=op, left=l, right=r):
                left, fv1 = self.term(l)
                right, fv2 = self.term(r)
                return c.Op2(op, left, right, span=t.span), _union(fv1, fv2)
            case c.Sup(label=lab, a=a, b=b):
                x, fv1 = self.term(a)
                y, fv2 = self.term(b)
                return c.Sup(lab, x, y, span=t.span), _union(fv1, fv2)
            case c.Tup(a=a, b=b):
                x, fv1 = self.term(a)
                y, fv2 = self.term(b)
                return c.Tup(x, y, span=t.span), _union(fv1, fv2)
            case c.Let(name=n, value=v, body=b):
                value, fv1 = self.term(v)
                body, fv2 = self.term(b)
                fv2.pop(n, None)
                return c.Let(n, value, body, span=t.span), _union(fv1, fv2)
            case c.Dup(label=lab, a=x, b=y, value=v, body=b):
                value, fv1 = self.term(v)
                body, fv2 = self.term(b)
                fv2.pop(x, None)
                fv2.pop(y, None)
                return c.Dup(lab, x, y, value, body, span=t.span), _union(fv1, fv2)
            case c.LetTup(a=x, b=y, value=v, body=b):
                value, fv1 = self.term(v)
                body, fv2 = self.term(b)
                fv2.pop(x, None)
                fv2.pop(y, None)
                return c.LetTup(x, y, value, body, span=t.span), _union(fv1, fv2)
            case c.Ctr(name=n, args=args):
                self.used[n] = None
                out, fv = c.Ref(n, span=t.span), {}
                for arg in args:
                    value, fva = self.term(arg)
                    out = c.App(out, value, span=t.span)
                    fv = _union(fv, fva)
                return out, fv
            case c.Match():
                return self.match(t)
            case c.Switch():
                return self.switch(t)
        raise TypeError(f"not a desugared core term: {t!r}")

    def match(self, t: c.Match):
        """`match x {C_i fs: b_i}` -> `(#T (.. (x #T λfs λys b_0) ..) ys)`, ys free in the arms."""
        out, fv = self.term(t.scrutinee)
        bodies, free = [], {}
        for case in t.cases:
            body, fvb = self.term(case.body)
            for f in case.fields:
                fvb.pop(f, None)
            bodies.append(body)
            free = _union(free, fvb)
        extras = sorted(free, key=free.__getitem__)
        for case, body in zip(t.cases, bodies):
            arm = _lams(extras, body, set(case.fields), case.span)
            for f in reversed(case.fields):
                arm = c.Lam(f, arm, t.adt, span=case.span)
            out = c.App(out, arm, t.adt, span=t.span)
        return _apply(out, extras, t.span), _union(fv, free)

    def switch(self, t: c.Switch):
        """`match n {0: z; 1+p: s}` -> `(match n {0: λys z; 1+p: λys s} ys)`."""
        scrutinee, fv = self.term(t.scrutinee)
        zero, fvz = self.term(t.zero)
        succ, fvs = self.term(t.succ)
        fvs.pop(t.pred, None)
        free = _union(fvz, fvs)
        extras = sorted(free, key=free.__getitem__)
        out = c.Switch(scrutinee, _lams(extras, zero, (), t.span), t.pred,
                       _lams(extras, succ, {t.pred}, t.span), span=t.span)
        return _apply(out, extras, t.span), _union(fv, free)
