"""Core terms: the small λ-calculus every surface construct desugars to.

Stages (each pass's docstring states which forms may appear on input and output):
  desugared  Var Lam App Ref Num Op2 Era Sup Dup Let Tup LetTup Ctr Match Switch
  encoded    Match/Ctr gone (ADTs are tagged-Scott lambdas and Refs to constructor definitions)
  linear     every variable used exactly once (Dup chains and erased binders inserted)
  floated    closed non-trivial sub-terms moved into their own Definitions (lazy REFs)

Every node has an optional `span` (excluded from equality) pointing at the source it came from.
Unscoped variables keep their `$` in the name (`$x`); no other name contains `$`.
Labels: a `str` is a fixed label written by the user (`#L`); an `int` is a definition-local
label that the runtime makes fresh on every expansion; None means "give me a fresh one".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Span


def _span():
    return field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Var:
    """A bound variable (or an unscoped `$x`)."""
    name: str
    span: Span | None = _span()


@dataclass(slots=True)
class Lam:
    """`λname body`; name None is `λ*`; tag None is a plain lambda, else a tagged one."""
    name: str | None
    body: object
    tag: str | None = None
    span: Span | None = _span()


@dataclass(slots=True)
class App:
    """`(fun arg)`, binary; tag as for Lam."""
    fun: object
    arg: object
    tag: str | None = None
    span: Span | None = _span()


@dataclass(slots=True)
class Ref:
    """A reference to a top-level definition (expanded lazily at run time)."""
    name: str
    span: Span | None = _span()


@dataclass(slots=True)
class Num:
    """An unsigned 60-bit number."""
    value: int
    span: Span | None = _span()


@dataclass(slots=True)
class Op2:
    """`(op left right)` for one of the 16 binary operators of `ops.OPERATORS`."""
    op: str
    left: object
    right: object
    span: Span | None = _span()


@dataclass(slots=True)
class Era:
    """`*`: the eraser."""
    span: Span | None = _span()


@dataclass(slots=True)
class Sup:
    """`#label{a b}`: a binary superposition."""
    label: str | int | None
    a: object
    b: object
    span: Span | None = _span()


@dataclass(slots=True)
class Dup:
    """`let #label{a b} = value; body`, binary; a name None is an erased output."""
    label: str | int | None
    a: str | None
    b: str | None
    value: object
    body: object
    span: Span | None = _span()


@dataclass(slots=True)
class Let:
    """`let name = value; body` (name None: evaluate and erase value)."""
    name: str | None
    value: object
    body: object
    span: Span | None = _span()


@dataclass(slots=True)
class Tup:
    """A native pair `(a, b)`; n-tuples nest to the right: `(a, (b, c))`."""
    a: object
    b: object
    span: Span | None = _span()


@dataclass(slots=True)
class LetTup:
    """`let (a, b) = value; body` on a native pair; a name None is erased."""
    a: str | None
    b: str | None
    value: object
    body: object
    span: Span | None = _span()


@dataclass(slots=True)
class Ctr:
    """A saturated constructor application `(Name args..)` (before ADT encoding)."""
    name: str
    args: list
    span: Span | None = _span()


@dataclass(slots=True)
class Case:
    """One arm of a `Match`: constructor name, the variables bound to its fields, the body."""
    ctr: str
    fields: list            # list[str | None], one per field of the constructor
    body: object
    span: Span | None = _span()


@dataclass(slots=True)
class Match:
    """Single-level match on an ADT value: one Case per constructor, in declaration order."""
    scrutinee: object
    adt: str
    cases: list
    span: Span | None = _span()


@dataclass(slots=True)
class Switch:
    """Numeric match: `zero` when scrutinee is 0, else `succ` with `pred` bound to value-1."""
    scrutinee: object
    zero: object
    pred: str | None
    succ: object
    span: Span | None = _span()


Term = (Var | Lam | App | Ref | Num | Op2 | Era | Sup | Dup | Let | Tup | LetTup | Ctr | Match
        | Switch)


# ---------------------------------------------------------------------------------------------
# Programs

@dataclass(slots=True)
class Constructor:
    """A constructor: its name, field names, owning ADT and index within the ADT."""
    name: str
    fields: list
    adt: str
    index: int
    span: Span | None = None


@dataclass(slots=True)
class Adt:
    """A data type: name, type parameters and constructors in declaration order."""
    name: str
    params: list
    ctrs: list              # list[str]
    span: Span | None = None
    builtin: bool = False


@dataclass(slots=True)
class Definition:
    """A top-level definition; `generated` marks floated or constructor definitions."""
    name: str
    body: object
    span: Span | None = None
    generated: bool = False
    builtin: bool = False   # from the prelude (pruned when unused)


@dataclass(slots=True)
class Book:
    """A whole desugared program."""
    defs: dict              # name -> Definition, in source order
    adts: dict              # name -> Adt
    ctrs: dict              # name -> Constructor
    entry: str              # name of the entry definition (main, Main or -e)
    labels: list = field(default_factory=list)   # fixed user labels, in first-use order


# ---------------------------------------------------------------------------------------------
# Generic traversal helpers

def children(t) -> list:
    """The direct sub-terms of `t`, in evaluation-independent source order."""
    match t:
        case Lam(body=b):
            return [b]
        case App(fun=f, arg=a):
            return [f, a]
        case Op2(left=l, right=r):
            return [l, r]
        case Sup(a=a, b=b) | Tup(a=a, b=b):
            return [a, b]
        case Dup(value=v, body=b) | Let(value=v, body=b) | LetTup(value=v, body=b):
            return [v, b]
        case Ctr(args=args):
            return list(args)
        case Match(scrutinee=s, cases=cases):
            return [s] + [c.body for c in cases]
        case Switch(scrutinee=s, zero=z, succ=su):
            return [s, z, su]
        case _:
            return []
