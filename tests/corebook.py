"""Test helpers for the core passes: hand-built books and the linearity checker."""
from __future__ import annotations

from hvmlang import core as c
from hvmlang import pretty
from hvmlang.deep import call_deep
from hvmlang.diagnostics import Reporter
from hvmlang.encode import encode
from hvmlang.floating import float_combinators
from hvmlang.linearize import linearize

V, L, A, R, N = c.Var, c.Lam, c.App, c.Ref, c.Num


def adts_and_ctrs(*decls):
    """Build `adts, ctrs` from `("T", [("C", ["f1", ..]), ..])` declarations."""
    adts, ctrs = {}, {}
    for name, cases in decls:
        adts[name] = c.Adt(name, [], [ctr for ctr, _ in cases])
        for i, (ctr, fields) in enumerate(cases):
            ctrs[ctr] = c.Constructor(ctr, list(fields), name, i)
    return adts, ctrs


LIST = ("List", [("List.cons", ["head", "tail"]), ("List.nil", [])])


def make_book(defs: dict, *decls, entry: str = "main") -> c.Book:
    """A book of `name -> body` definitions over the given data declarations (List by default)."""
    adts, ctrs = adts_and_ctrs(*(decls or (LIST,)))
    return c.Book({n: c.Definition(n, body) for n, body in defs.items()}, adts, ctrs, entry)


def cons(*items, tail=None):
    """A desugared list literal `[items..]`."""
    out = tail or c.Ctr("List.nil", [])
    for item in reversed(items):
        out = c.Ctr("List.cons", [item, out])
    return out


def lower(book: c.Book) -> c.Book:
    """encode -> linearize -> float, checking linearity after linearize and after float."""
    linear = linearize(encode(book), Reporter())
    check_linear(linear)
    floated = float_combinators(linear)
    check_linear(floated)
    return floated


def show(book: c.Book) -> str:
    """`pretty.book`, safe on deeply nested terms."""
    return call_deep(pretty.book, book)


def walk(t):
    """Every node of `t`, in pre-order."""
    stack = [t]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(c.children(node)))


def check_linear(book: c.Book) -> None:
    """Assert: per definition each binder name is bound once, each bound variable used once,
    every use in scope, every dup/sup label set, and no Match or Ctr left."""
    call_deep(_check_book, book)


def _check_book(book: c.Book) -> None:
    """`check_linear`, inside one deep call."""
    for d in book.defs.values():
        bound: dict = {}
        _check(d.name, d.body, bound, set())
        for n, uses in bound.items():
            assert uses == 1, f"{d.name}: {n} used {uses} times"


def _check(name: str, t, bound: dict, scope: set) -> None:
    """Count the uses of every binder of `t` into `bound`, checking scopes on the way."""
    assert not isinstance(t, (c.Match, c.Ctr)), f"{name}: {t!r} left"
    if isinstance(t, (c.Dup, c.Sup)):
        assert t.label is not None, f"{name}: label missing"
    if isinstance(t, c.Var) and not t.name.startswith("$"):
        assert t.name in scope, f"{name}: {t.name} out of scope"
        bound[t.name] += 1
        return
    match t:
        case c.Lam(name=n, body=b):
            names, outer, inner = (n,), [], [b]
        case c.Let(name=n, value=v, body=b):
            names, outer, inner = (n,), [v], [b]
        case c.Dup(a=x, b=y, value=v, body=b) | c.LetTup(a=x, b=y, value=v, body=b):
            names, outer, inner = (x, y), [v], [b]
        case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
            names, outer, inner = (p,), [s, z], [su]
        case _:
            names, outer, inner = (), c.children(t), []
    for child in outer:
        _check(name, child, bound, scope)
    names = [n for n in names if n is not None and not n.startswith("$")]
    for n in names:
        assert n not in bound, f"{name}: {n} bound twice"
        bound[n] = 0
        scope.add(n)
    for child in inner:
        _check(name, child, bound, scope)
    scope.difference_update(names)
