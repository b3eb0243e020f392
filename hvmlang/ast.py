"""Surface AST: the program as written, every node carrying the `Span` it came from.

Produced by `parse.py`; consumed by `desugar.py` (and by the checker for spans and rules).
Names are plain strings; nothing is resolved yet: a bare name in a pattern is a `PVar`
even when it is a constructor, and a name in a term is a `Var` even when it is a definition.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Span

NO_SPAN = Span("<builtin>", 0, 0, 0, 0)


def _span():
    return field(default=NO_SPAN, compare=False, repr=False)


# ---------------------------------------------------------------------------------------------
# Patterns (rule arguments and match arms)

@dataclass(slots=True)
class PVar:
    """`x` (or a bare constructor name such as `Nil`, resolved later)."""
    name: str
    span: Span = _span()


@dataclass(slots=True)
class PWild:
    """`*`."""
    span: Span = _span()


@dataclass(slots=True)
class PCtr:
    """`(Ctr p1 .. pn)`; `args` are the field patterns."""
    name: str
    args: list
    span: Span = _span()


@dataclass(slots=True)
class PNum:
    """`0`, `42`, `'a'`."""
    value: int
    span: Span = _span()


@dataclass(slots=True)
class PSucc:
    """`n+`, `n+p`, `n+*`: "n or more", binding value-n to `bind`.

    `bind` is a name, `"*"` for an ignored binder, or None for the implicit `<scrutinee>-n`.
    """
    n: int
    bind: str | None
    span: Span = _span()


@dataclass(slots=True)
class PTup:
    """`(p1, p2, ..)`, at least two items."""
    items: list
    span: Span = _span()


@dataclass(slots=True)
class PList:
    """`[p1, p2]`, `[]`."""
    items: list
    span: Span = _span()


@dataclass(slots=True)
class PStr:
    """`"hi"`, `""`."""
    value: str
    span: Span = _span()


Pattern = PVar | PWild | PCtr | PNum | PSucc | PTup | PList | PStr


# ---------------------------------------------------------------------------------------------
# Terms

@dataclass(slots=True)
class Var:
    """`x`, `Foo`, `List.cons`, or unscoped `$x` (name keeps the `$`)."""
    name: str
    span: Span = _span()


@dataclass(slots=True)
class Lam:
    """`λx body`, `λ* body` (binder None), `λ$x body` (binder "$x"), optionally `#T`-tagged."""
    binder: str | None
    body: object
    tag: str | None = None
    span: Span = _span()


@dataclass(slots=True)
class App:
    """`(f a b c)`, optionally `#T`-tagged; `args` is non-empty."""
    fun: object
    args: list
    tag: str | None = None
    span: Span = _span()


@dataclass(slots=True)
class Op:
    """`(op a b)`; for unary `(~ a)`, `right` is None."""
    op: str
    left: object
    right: object | None
    span: Span = _span()


@dataclass(slots=True)
class Num:
    """`42`, `0xff`, `'x'` (a code point)."""
    value: int
    span: Span = _span()


@dataclass(slots=True)
class Str:
    """`"hi"`."""
    value: str
    span: Span = _span()


@dataclass(slots=True)
class List:
    """`[a, b, c]`."""
    items: list
    span: Span = _span()


@dataclass(slots=True)
class Tup:
    """`(a, b, c)`, at least two items."""
    items: list
    span: Span = _span()


@dataclass(slots=True)
class Nat:
    """`#3`."""
    value: int
    span: Span = _span()


@dataclass(slots=True)
class Era:
    """`*`."""
    span: Span = _span()


@dataclass(slots=True)
class Let:
    """`let pat = value; body` with pat a PVar, PWild, PTup or PCtr."""
    pat: object
    value: object
    body: object
    span: Span = _span()


@dataclass(slots=True)
class Use:
    """`use x = value; body`: every use of x gets its own copy of value."""
    name: str
    value: object
    body: object
    span: Span = _span()


@dataclass(slots=True)
class Dup:
    """`let #L{a b c} = value; body`; label None when unlabelled; binders may be None (`*`)."""
    label: str | None
    binders: list
    value: object
    body: object
    span: Span = _span()


@dataclass(slots=True)
class Sup:
    """`{a b}` / `#L{a b c}`; label None when unlabelled."""
    label: str | None
    items: list
    span: Span = _span()


@dataclass(slots=True)
class Arm:
    """One match arm: one pattern per scrutinee, then the body."""
    pats: list
    body: object
    span: Span = _span()


@dataclass(slots=True)
class Scrutinee:
    """`e` or `x = e` in `match x = e, .. {`; `bind` is the name arms see (x.field, x-1)."""
    bind: str | None
    value: object
    span: Span = _span()


@dataclass(slots=True)
class Match:
    """`match s1, s2 { p q: body; .. }`."""
    scrutinees: list
    arms: list
    span: Span = _span()


Term = (Var | Lam | App | Op | Num | Str | List | Tup | Nat | Era | Let | Use | Dup | Sup
        | Match)


# ---------------------------------------------------------------------------------------------
# Types (optional signatures and typed data fields; used by the checker)

@dataclass(slots=True)
class TName:
    """`Num`, `a`, `(List a)`: a type constructor or variable applied to arguments."""
    name: str
    args: list
    span: Span = _span()


@dataclass(slots=True)
class TFun:
    """`a -> b`."""
    arg: object
    res: object
    span: Span = _span()


@dataclass(slots=True)
class TTup:
    """`(a, b)`."""
    items: list
    span: Span = _span()


TypeExpr = TName | TFun | TTup


# ---------------------------------------------------------------------------------------------
# Top level

@dataclass(slots=True)
class Rule:
    """`Name p1 .. pn = body` or `(Name p1 .. pn) = body`."""
    name: str
    pats: list
    body: object
    span: Span = _span()
    name_span: Span = _span()


@dataclass(slots=True)
class Field:
    """A constructor field: its name and, when written `(name: T)`, its type."""
    name: str
    type: object | None = None
    span: Span = _span()


@dataclass(slots=True)
class CtrDecl:
    """A constructor of a `data` declaration."""
    name: str
    fields: list
    span: Span = _span()


@dataclass(slots=True)
class Data:
    """`data T = A | (B f1 f2)` or `data (T a) = ...`; `params` are type variables."""
    name: str
    params: list
    ctrs: list
    span: Span = _span()


@dataclass(slots=True)
class Signature:
    """`Name : T1 -> T2`, or `unchecked Name : T` (trusted, not checked)."""
    name: str
    type: object
    unchecked: bool = False
    span: Span = _span()


@dataclass(slots=True)
class Program:
    """A parsed file: its top-level items in source order."""
    rules: list
    datas: list
    signatures: list
    file: str = "<input>"
