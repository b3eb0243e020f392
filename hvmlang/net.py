"""Interaction nets as trees: the compiler's output, the runtimes' input and readback's input.

A net is a root tree plus a list of redexes (active pairs `& a ~ b`). Trees nest through
principal ports: `Con(tag, a, b)` is a node whose principal port faces its parent and whose
aux ports are `a` and `b`. `Wire(name)` is one end of a wire: each wire name occurs exactly
twice in a net (or once in a tree and once as a redex side). Text form (SPEC §3):

    *            Era            eraser
    @name        Ref            reference to a definition (expanded lazily)
    #n           Num            60-bit number
    name         Wire
    (a b)        Con(None)      λ / application node
    (#T a b)     Con("T")       tagged constructor node (ADT tags, `#T λx` / `#T (f x)`)
    [a b]        Con(TUPLE)     native pair
    {k a b}      Dup(k)         duplicator with definition-local label k (fresh per expansion)
    {#L a b}     Dup("L")       duplicator with fixed user label L
    <op a b>     Op(op)         numeric operation: principal = 1st operand, a = 2nd, b = result
    ?<a b>       Swi            numeric switch: a = (zero-branch succ-branch), b = result
"""
from __future__ import annotations

from dataclasses import dataclass, field

TUPLE = ","   # the Con tag of native pairs


@dataclass(slots=True, frozen=True)
class Era:
    """Eraser."""


@dataclass(slots=True, frozen=True)
class Ref:
    """Reference to a definition of the book."""
    name: str


@dataclass(slots=True, frozen=True)
class Num:
    """60-bit number."""
    value: int


@dataclass(slots=True, frozen=True)
class Wire:
    """One end of a named wire."""
    name: str


@dataclass(slots=True, frozen=True)
class Con:
    """Constructor node; tag None = plain λ/app, TUPLE = pair, else a fixed tag name."""
    tag: str | None
    a: object
    b: object


@dataclass(slots=True, frozen=True)
class Dup:
    """Duplicator; label int = local fresh label, str = fixed user label."""
    label: int | str
    a: object
    b: object


@dataclass(slots=True, frozen=True)
class Op:
    """Numeric operation node; `code` as in `ops` (0..31)."""
    code: int
    a: object
    b: object


@dataclass(slots=True, frozen=True)
class Swi:
    """Numeric switch node."""
    a: object
    b: object


Tree = Era | Ref | Num | Wire | Con | Dup | Op | Swi


@dataclass(slots=True)
class Net:
    """A root tree and the active pairs still to reduce."""
    root: object
    redexes: list = field(default_factory=list)   # list[tuple[Tree, Tree]]


# Special references that the runtimes handle themselves instead of expanding: when one meets
# any port, that port is recorded as an output (printed before the result, in order).
LOG_SINK = "HVM.log_sink"      # the value is read back and printed as a term
PRINT_SINK = "HVM.print_sink"  # the value must be a String; printed raw
SINKS = (LOG_SINK, PRINT_SINK)


@dataclass(slots=True)
class AdtInfo:
    """What readback needs to recognise a tagged-Scott value: constructor names and arities."""
    name: str
    ctrs: list     # list[tuple[str, int]] in declaration order


@dataclass(slots=True)
class Book:
    """Every definition's net plus the facts runtimes and readback need."""
    nets: dict                    # name -> Net, entry first
    entry: str
    adts: dict = field(default_factory=dict)          # tag name -> AdtInfo
    recursive: set = field(default_factory=set)       # names on a call-graph cycle
    generated: set = field(default_factory=set)       # floated / constructor definitions


def walk(tree):
    """Yield every sub-tree of `tree`, parents first."""
    stack = [tree]
    while stack:
        t = stack.pop()
        yield t
        if isinstance(t, (Con, Dup, Op, Swi)):
            stack.append(t.b)
            stack.append(t.a)
