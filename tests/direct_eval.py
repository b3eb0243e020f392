"""A direct call-by-need evaluator: desugared core Book -> the printed value of its entry.

The oracle of the differential linearity test: plain λ-calculus with environments and memoized
thunks, no nets and no duplication labels, so it cannot suffer from clone-of-clone. It covers
the desugared forms without superpositions or unscoped variables (explicit dups share), and prints
first-order results the way readback does (`5`, `[1, 2]`, `(1, 2)`, `"hi"`, `(Ctr 1)`).
"""
from __future__ import annotations

from dataclasses import dataclass

from hvmlang import core as c
from hvmlang import ops
from hvmlang.deep import call_deep


class Thunk:
    """A delayed term in an environment, evaluated at most once."""
    __slots__ = ("term", "env", "value", "done")

    def __init__(self, term, env):
        self.term, self.env, self.value, self.done = term, env, None, False


@dataclass
class Closure:
    name: str | None
    body: object
    env: dict


@dataclass
class Data:
    name: str                  # a constructor name, or "," for a pair
    fields: list               # thunks


def evaluate(book: c.Book) -> str:
    """The printed value of the entry of `book`."""
    return call_deep(_Evaluator(book).show, Thunk(c.Ref(book.entry), {}))


class _Evaluator:
    def __init__(self, book: c.Book):
        self.book = book
        self.globals: dict = {}

    def force(self, th: Thunk):
        if not th.done:
            th.value, th.done = self.eval(th.term, th.env), True
            th.term = th.env = None
        return th.value

    def eval(self, t, env: dict):
        match t:
            case c.Var(name=n):
                return self.force(env[n])
            case c.Ref(name=n):
                if n not in self.globals:
                    self.globals[n] = Thunk(self.book.defs[n].body, {})
                return self.force(self.globals[n])
            case c.Num(value=v):
                return v
            case c.Lam(name=n, body=b):
                return Closure(n, b, env)
            case c.App(fun=f, arg=a):
                return self.apply(self.eval(f, env), Thunk(a, env))
            case c.Op2(op=op, left=l, right=r):
                return ops.apply(ops.CODE[op], self.eval(l, env), self.eval(r, env))
            case c.Let(name=n, value=v, body=b):
                return self.eval(b, env if n is None else {**env, n: Thunk(v, env)})
            case c.Tup(a=a, b=b):
                return Data(",", [Thunk(a, env), Thunk(b, env)])
            case c.Dup(a=a, b=b2, value=v, body=b):
                shared = Thunk(v, env)       # without superpositions a dup is plain sharing
                return self.eval(b, {**env, **{n: shared for n in (a, b2) if n is not None}})
            case c.LetTup(a=a, b=b2, value=v, body=b):
                pair = self.eval(v, env)
                return self.eval(b, {**env, **{n: th for n, th in zip((a, b2), pair.fields)
                                               if n is not None}})
            case c.Ctr(name=n, args=args):
                return Data(n, [Thunk(a, env) for a in args])
            case c.Match(scrutinee=s, cases=cases):
                value = self.eval(s, env)
                case = next(k for k in cases if k.ctr == value.name)
                inner = {**env, **{n: th for n, th in zip(case.fields, value.fields)
                                   if n is not None}}
                return self.eval(case.body, inner)
            case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
                n = self.eval(s, env)
                if n == 0:
                    return self.eval(z, env)
                done = Thunk(None, None)
                done.value, done.done = n - 1, True
                return self.eval(su, env if p is None else {**env, p: done})
        raise TypeError(f"the direct evaluator does not cover {t!r}")

    def apply(self, f, arg: Thunk):
        if not isinstance(f, Closure):
            raise TypeError(f"applying a non-function: {f!r}")
        return self.eval(f.body, f.env if f.name is None else {**f.env, f.name: arg})

    def show(self, th: Thunk) -> str:
        v = self.force(th)
        if isinstance(v, int):
            return str(v)
        if isinstance(v, Closure):
            return "λ"
        if v.name == ",":
            return f"({self.show(v.fields[0])}, {self.show(v.fields[1])})"
        if v.name in ("List.cons", "List.nil"):
            items = []
            while v.name == "List.cons":
                items.append(self.show(v.fields[0]))
                v = self.force(v.fields[1])
            return "[" + ", ".join(items) + "]"
        if v.name in ("String.cons", "String.nil"):
            chars = []
            while v.name == "String.cons":
                chars.append(chr(self.force(v.fields[0])))
                v = self.force(v.fields[1])
            return '"' + "".join(chars) + '"'
        if not v.fields:
            return v.name
        return "(" + " ".join([v.name] + [self.show(f) for f in v.fields]) + ")"
