"""Type schemes of constructors, built-ins and signatures: `data`/signature ASTs -> checker types.

Constructor fields written without a type are `Any`; a typed `data (List a) = ..` quantifies
its parameters. In a signature, a lowercase name that is not a type is a variable (quantified)
and `_` is a hole to be inferred. Unknown types and wrong arities are reported (T005, T006).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import ast
from ..diagnostics import Diagnostic, Span
from .types import ANY, GENERIC, TCon, TRigid, TVar, fun, funs, pair

def _builtin_refs() -> dict:
    a = TVar(GENERIC)
    b = TVar(GENERIC)
    return {"HVM.log": fun(a, a), "HVM.print": funs([TCon("String"), b], b)}


@dataclass
class Sig:
    """A signature: its quantified type, the rigid copy used to check the body, and flags."""
    name: str
    type: object
    rigid: object
    rigids: dict             # TRigid -> the quantified variable it stands for
    holes: bool
    unchecked: bool
    span: Span | None


@dataclass
class Schemes:
    """Everything the inference needs to know about names that are not local variables."""
    ctrs: dict = field(default_factory=dict)      # ctr -> (field types, result type), quantified
    adts: dict = field(default_factory=dict)      # adt -> result type, quantified
    sigs: dict = field(default_factory=dict)      # definition -> Sig
    refs: dict = field(default_factory=_builtin_refs)


def _span(node, fallback: Span | None) -> Span | None:
    s = getattr(node, "span", None)
    return s if s is not None and s.line > 0 else fallback


class _Converter:
    """Turns ast type expressions into checker types, reporting unknown names and arities."""

    def __init__(self, arity: dict, diags: list):
        self.arity = arity
        self.diags = diags
        self.holes = False

    def convert(self, t, vars: dict, open_vars: bool, where: Span | None):
        """`t` as a checker type; new lowercase names are variables when `open_vars`."""
        where = _span(t, where)
        match t:
            case ast.TFun(arg=a, res=r):
                return fun(self.convert(a, vars, open_vars, where),
                           self.convert(r, vars, open_vars, where))
            case ast.TTup(items=items):
                types = [self.convert(i, vars, open_vars, where) for i in items]
                out = types[-1]
                for x in reversed(types[:-1]):
                    out = pair(x, out)
                return out
            case ast.TName(name="_", args=[]):
                self.holes = True
                return TVar(1)
            case ast.TName(name="Any", args=[]):
                return ANY
            case ast.TName(name=name, args=args) if name in vars and not args:
                return vars[name]
            case ast.TName(name=name, args=args) if name in self.arity:
                want = self.arity[name]
                if len(args) != want:
                    self.diags.append(Diagnostic(
                        "error", "T006", f"wrong number of type arguments for `{name}`", where,
                        label=f"`{name}` takes {want} type argument{'s' if want != 1 else ''}, "
                              f"given {len(args)}"))
                    return ANY
                return TCon(name, tuple(self.convert(a, vars, open_vars, where) for a in args))
            case ast.TName(name=name, args=[]) if open_vars and name[:1].islower():
                vars[name] = TVar(GENERIC)
                return vars[name]
            case ast.TName(name=name):
                what = "type variable" if name[:1].islower() else "type"
                self.diags.append(Diagnostic(
                    "error", "T005", f"unknown {what} `{name}`", where,
                    label="not a type in scope",
                    help="types are `Num`, `Any`, tuples `(a, b)`, functions `a -> b` and the "
                         "names of `data` declarations"))
                return ANY
        raise TypeError(f"not a type expression: {t!r}")


def build(book, datas: list, signatures: list, diags: list) -> Schemes:
    """Constructor and signature schemes of a desugared book, its `data` and signatures."""
    out = Schemes()
    by_name = {}
    for d in datas:
        by_name[d.name] = d
    arity = {"Num": 0, "Any": 0}
    for name, adt in book.adts.items():
        arity[name] = len(by_name[name].params) if name in by_name else len(adt.params)
    conv = _Converter(arity, diags)
    for name, adt in book.adts.items():
        decl = by_name.get(name)
        params = list(decl.params) if decl else list(adt.params)
        vars = {p: TVar(GENERIC) for p in params}
        result = TCon(name, tuple(vars[p] for p in params))
        out.adts[name] = result
        fields_of = {c.name: c.fields for c in decl.ctrs} if decl else {}
        for ctr in adt.ctrs:
            fields = fields_of.get(ctr)
            if fields is None:
                types = tuple(ANY for _ in book.ctrs[ctr].fields)
            else:
                types = tuple(ANY if f.type is None else
                              conv.convert(f.type, vars, False, _span(f, _span(decl, None)))
                              for f in fields)
            out.ctrs[ctr] = (types, result)
    for sig in signatures:
        conv.holes = False
        vars: dict = {}
        t = conv.convert(sig.type, vars, True, _span(sig, None))
        rigids = {v: TRigid(n) for n, v in vars.items()}
        out.sigs[sig.name] = Sig(sig.name, t, _rigid(t, rigids), {r: v for v, r in rigids.items()},
                                 conv.holes, sig.unchecked, _span(sig, None))
    return out


def _rigid(t, rigids: dict):
    """A copy of `t` with its quantified variables replaced by the given rigid ones."""
    if isinstance(t, TVar):
        return rigids.get(t, t)
    if isinstance(t, TCon) and t.args:
        return TCon(t.name, tuple(_rigid(a, rigids) for a in t.args))
    return t
