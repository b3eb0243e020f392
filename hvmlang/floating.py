"""Float: linear core -> floated core (closed sub-terms become lazy REF definitions).

Input invariant: a linear Book (every binder name unique within its definition, every bound
variable used once, dup/sup labels `str` or definition-local `int`); each body a tree (no node
object but a leaf appears twice: linearize builds fresh nodes).
Output invariant: the same program where every maximal sub-term worth floating is a `Ref` to a
new generated definition `<Def>__C<k>` (k = 0, 1, .. in pre-order of the original definition,
nested floats included; names already in the book are skipped), placed after its parent.
A sub-term is worth floating when
  1. it is closed: no free variable, no unscoped `$x` that also occurs outside it;
  2. it is active: it holds a dup, or a redex (an application, operation, switch or tuple
     destructuring whose function / left operand / scrutinee / value is a lambda, sup, tuple,
     reference, number, eraser or let-bound variable), so floating makes it lazy, or makes a
     duplicated closure a reference, which a dup copies safely;
  3. it is not a definition's body, not a variable/reference/number/eraser, and not in a
     position that expands a reference at once (the function of an application, the left
     operand of an operation, the scrutinee of a switch, the value of a tuple destructuring);
  4. it is not an application headed by a constructor (data literals stay inline), not a sup or
     tuple without a lambda inside, and not a lambda/sup/tuple directly inside another lambda,
     sup or tuple unless it holds a dup (floating those would only delay).
Sub-terms of a floated term are floated the same way, into definitions of their own.
The successor arm of a `Switch` counts as the lambda `λp succ`; when floated to `F`, the
switch becomes `Switch(s, z, p, (F p))`, which to_net compiles as `?<(z @F) r>` (eta), so that
the arm expands only when chosen. Every definition's int labels are renumbered 0..k-1 in
pre-order; floated sub-terms take their labels along. Linearity is preserved.
"""
from __future__ import annotations

import dataclasses

from . import core as c
from .deep import deep

_VALUES = (c.Lam, c.Sup, c.Tup, c.Ref, c.Num, c.Era)
_UNBOUND = -1


@deep
def float_combinators(book: c.Book) -> c.Book:
    """Move the closed sub-terms of every definition into new generated definitions."""
    out: dict = {}
    for d in book.defs.values():
        _Floater(book, d, out).run()
    return c.Book(out, book.adts, book.ctrs, book.entry, book.labels)


def _count_unscoped(t, counts: dict) -> None:
    """Count the occurrences (binders and uses) of every unscoped variable of `t`."""
    if isinstance(t, (c.Var, c.Lam)) and t.name is not None and t.name.startswith("$"):
        counts[t.name] = counts.get(t.name, 0) + 1
    for child in c.children(t):
        _count_unscoped(child, counts)


@dataclasses.dataclass(slots=True)
class _Info:
    """What floating needs to know about one sub-term."""
    start: int          # pre-order position; binders inside have larger positions
    low: int            # smallest binder position any variable inside refers to
    leaks: bool         # an unscoped variable inside also occurs outside
    active: bool        # contains a dup or a redex
    has_dup: bool       # contains a Dup
    has_lam: bool       # contains a Lam

    @property
    def closed(self) -> bool:
        """No variable inside refers to a binder outside, no unscoped variable leaks."""
        return self.low >= self.start and not self.leaks


class _Floater:
    """Floats the closed sub-terms of one top-level definition into `out`."""

    def __init__(self, book: c.Book, d: c.Definition, out: dict):
        self.book, self.d, self.out = book, d, out
        self.info: dict = {}        # id(node) -> _Info
        self.pred_pos: dict = {}    # id(switch) -> position of its predecessor binder
        self.env: dict = {}         # binder name -> position
        self.pos = 0
        self.totals: dict = {}      # unscoped name -> occurrences in the definition
        self.let_bound: set = set()   # names bound by a `let` (their wire leads to a value)
        self.labels: dict = {}      # old int label -> new one, in the definition being built
        self.count = 0

    def run(self) -> None:
        """Annotate the definition, then rebuild it and its floated sub-terms."""
        _count_unscoped(self.d.body, self.totals)
        self.annotate(self.d.body)
        self.out[self.d.name] = None
        self.out[self.d.name] = dataclasses.replace(self.d, body=self.rebuild(self.d.body))

    # -- annotation ------------------------------------------------------------------------

    def bind(self, names, pos: int) -> list:
        """Bind `names` at `pos`; return what to restore."""
        saved = []
        for n in names:
            if n is not None and not n.startswith("$"):
                saved.append((n, self.env.get(n)))
                self.env[n] = pos
        return saved

    def unbind(self, saved: list) -> None:
        """Undo `bind`."""
        for n, old in reversed(saved):
            if old is None:
                del self.env[n]
            else:
                self.env[n] = old

    def open_unscoped(self, name) -> dict:
        """The leak map of one occurrence of `name` (empty unless it is unscoped and shared)."""
        if name is None or not name.startswith("$") or self.totals[name] == 1:
            return {}
        return {name: 1}

    def merge(self, x: dict, y: dict) -> dict:
        """Join two leak maps (unscoped name -> occurrences seen), dropping completed names."""
        if len(x) < len(y):
            x, y = y, x
        for name, k in y.items():
            k += x.get(name, 0)
            if k == self.totals[name]:
                del x[name]
            else:
                x[name] = k
        return x

    def annotate(self, t):
        """Record an `_Info` for `t` and its sub-terms; return its fields (leaks as a map)."""
        self.pos += 1
        start = self.pos
        low, leak = start, {}
        active, has_dup, has_lam = self.is_redex(t), isinstance(t, c.Dup), isinstance(t, c.Lam)
        parts = []
        match t:
            case c.Var(name=n):
                leak = self.open_unscoped(n)
                if not n.startswith("$"):
                    low = self.env.get(n, _UNBOUND)
            case c.Lam(name=n, body=b):
                leak = self.open_unscoped(n)
                saved = self.bind((n,), start)
                parts.append(self.annotate(b))
                self.unbind(saved)
            case c.Let(name=n, value=v, body=b):
                parts.append(self.annotate(v))
                self.let_bound.add(n)
                parts.append(self.annotate_scope((n,), b))
            case c.Dup(a=x, b=y, value=v, body=b) | c.LetTup(a=x, b=y, value=v, body=b):
                parts.append(self.annotate(v))
                parts.append(self.annotate_scope((x, y), b))
            case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
                parts.append(self.annotate(s))
                parts.append(self.annotate(z))
                self.pred_pos[id(t)] = self.pos + 1
                parts.append(self.annotate_scope((p,), su))
            case _:
                parts = [self.annotate(child) for child in c.children(t)]
        for p_low, p_leak, p_active, p_dup, p_lam in parts:
            low = min(low, p_low)
            leak = self.merge(leak, p_leak)
            active, has_dup, has_lam = active or p_active, has_dup or p_dup, has_lam or p_lam
        self.info[id(t)] = _Info(start, low, bool(leak), active, has_dup, has_lam)
        return low, leak, active, has_dup, has_lam

    def is_redex(self, t) -> bool:
        """Does the node `t` itself duplicate or reduce as soon as its net is built?"""
        match t:
            case c.Dup():
                return True
            case c.App(fun=x) | c.Op2(left=x) | c.Switch(scrutinee=x) | c.LetTup(value=x):
                while isinstance(x, (c.Let, c.Dup, c.LetTup)):
                    x = x.body
                return isinstance(x, _VALUES) or isinstance(x, c.Var) and x.name in self.let_bound
        return False

    def annotate_scope(self, names: tuple, body):
        """Annotate `body` under binders `names`, which get the next position of their own."""
        self.pos += 1
        saved = self.bind(names, self.pos)
        result = self.annotate(body)
        self.unbind(saved)
        return result

    # -- rebuilding ------------------------------------------------------------------------

    def worth_floating(self, t, chain: bool) -> bool:
        """Is `t` worth floating? `chain`: it sits directly in a lambda, sup or tuple."""
        info = self.info[id(t)]
        if not (info.closed and info.active):
            return False
        match t:
            case c.App():
                return not self.is_data(t)
            case c.Sup() | c.Tup():
                return info.has_lam and (info.has_dup or not chain)
            case c.Lam():
                return info.has_dup or not chain
        return True

    def is_data(self, t: c.App) -> bool:
        """Is `t` a plain application spine headed by a constructor reference?"""
        while isinstance(t, c.App) and t.tag is None:
            t = t.fun
        return isinstance(t, c.Ref) and t.name in self.book.ctrs

    def succ_worth_floating(self, t: c.Switch) -> bool:
        """Is the successor arm `λp succ` of `t` closed and worth floating?"""
        info = self.info[id(t.succ)]
        return (t.pred is not None and info.active and not info.leaks
                and info.low >= self.pred_pos[id(t)])

    def float_out(self, t, build) -> c.Ref:
        """Make a new definition whose body is `build()`; return a reference to it."""
        name = f"{self.d.name}__C{self.count}"
        while name in self.book.defs or name in self.out:
            self.count += 1
            name = f"{self.d.name}__C{self.count}"
        self.count += 1
        self.out[name] = None
        saved, self.labels = self.labels, {}
        body = build()
        self.labels = saved
        self.out[name] = c.Definition(name, body, t.span, generated=True,
                                      builtin=self.d.builtin)
        return c.Ref(name, span=t.span)

    def visit(self, t, chain: bool = False):
        """Rebuild the sub-term `t`, floating it out when it is worth it."""
        if self.worth_floating(t, chain):
            return self.float_out(t, lambda: self.rebuild(t))
        return self.rebuild(t)

    def label(self, label):
        """The label of a node in the definition being built."""
        if isinstance(label, int):
            return self.labels.setdefault(label, len(self.labels))
        return label

    def rebuild(self, t):
        """Copy the node `t`, visiting its sub-terms."""
        match t:
            case c.Var() | c.Ref() | c.Num() | c.Era():
                return t
            case c.Lam(name=n, body=b, tag=tag):
                return c.Lam(n, self.visit(b, True), tag, span=t.span)
            case c.App(fun=f, arg=a, tag=tag):
                return c.App(self.rebuild(f), self.visit(a), tag, span=t.span)
            case c.Op2(op=op, left=l, right=r):
                return c.Op2(op, self.rebuild(l), self.visit(r), span=t.span)
            case c.Sup(label=lab, a=a, b=b):
                return c.Sup(self.label(lab), self.visit(a, True), self.visit(b, True),
                             span=t.span)
            case c.Tup(a=a, b=b):
                return c.Tup(self.visit(a, True), self.visit(b, True), span=t.span)
            case c.Let(name=n, value=v, body=b):
                return c.Let(n, self.visit(v), self.visit(b), span=t.span)
            case c.Dup(label=lab, a=x, b=y, value=v, body=b):
                return c.Dup(self.label(lab), x, y, self.visit(v), self.visit(b), span=t.span)
            case c.LetTup(a=x, b=y, value=v, body=b):
                return c.LetTup(x, y, self.rebuild(v), self.visit(b), span=t.span)
            case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
                scrutinee, zero = self.rebuild(s), self.visit(z)
                if self.succ_worth_floating(t):
                    arm = self.float_out(su, lambda: c.Lam(p, self.visit(su, True), span=su.span))
                    succ = c.App(arm, c.Var(p), span=su.span)
                else:
                    succ = self.visit(su)
                return c.Switch(scrutinee, zero, p, succ, span=t.span)
        raise TypeError(f"not an encoded core term: {t!r}")
