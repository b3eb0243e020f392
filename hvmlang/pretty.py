"""Printers for core terms and books (`hvm-lang desugar`, `:desugar`, golden tests).

Core terms print in surface syntax where one exists. Local (per-expansion) labels print as
`#$k`, fixed labels as `#L`, and unlabelled sups/dups without a label.
"""
from __future__ import annotations

from . import core as c


def label_text(label) -> str:
    """`#L` for a fixed label, `#$k` for a local one, '' for None."""
    if label is None:
        return ""
    if isinstance(label, int):
        return f"#${label}"
    return f"#{label}"


def _binder(name) -> str:
    return "*" if name is None else name


def _tag(tag) -> str:
    return "" if tag is None else f"#{tag} "


def term(t) -> str:
    """Render a core term on one line."""
    parts: list[str] = []
    _emit(t, parts)
    return "".join(parts)


def _emit(t, out: list) -> None:
    # Iterative over the spine of long right-nested terms (lets, lambdas) to stay shallow.
    while True:
        match t:
            case c.Lam(name=n, body=b, tag=tag):
                out.append(f"{_tag(tag)}λ{_binder(n)} ")
                t = b
                continue
            case c.Let(name=n, value=v, body=b):
                out.append(f"let {_binder(n)} = ")
                _emit(v, out)
                out.append("; ")
                t = b
                continue
            case c.Dup(label=lab, a=a, b=b2, value=v, body=b):
                out.append(f"let {label_text(lab)}{{{_binder(a)} {_binder(b2)}}} = ")
                _emit(v, out)
                out.append("; ")
                t = b
                continue
            case c.LetTup(a=a, b=b2, value=v, body=b):
                out.append(f"let ({_binder(a)}, {_binder(b2)}) = ")
                _emit(v, out)
                out.append("; ")
                t = b
                continue
        break
    match t:
        case c.Var(name=n) | c.Ref(name=n):
            out.append(n)
        case c.Num(value=v):
            out.append(str(v))
        case c.Era():
            out.append("*")
        case c.App(tag=tag):
            spine = []
            while isinstance(t, c.App) and t.tag == tag:
                spine.append(t.arg)
                t = t.fun
            out.append(f"{_tag(tag)}(")
            _emit(t, out)
            for arg in reversed(spine):
                out.append(" ")
                _emit(arg, out)
            out.append(")")
        case c.Op2(op=op, left=l, right=r):
            out.append(f"({op} ")
            _emit(l, out)
            out.append(" ")
            _emit(r, out)
            out.append(")")
        case c.Sup(label=lab, a=a, b=b):
            out.append(f"{label_text(lab)}{{")
            _emit(a, out)
            out.append(" ")
            _emit(b, out)
            out.append("}")
        case c.Tup(a=a, b=b):
            out.append("(")
            _emit(a, out)
            out.append(", ")
            _emit(b, out)
            out.append(")")
        case c.Ctr(name=n, args=args):
            if not args:
                out.append(n)
            else:
                out.append(f"({n}")
                for arg in args:
                    out.append(" ")
                    _emit(arg, out)
                out.append(")")
        case c.Match(scrutinee=s, cases=cases):
            out.append("match ")
            _emit(s, out)
            out.append(" { ")
            for i, case in enumerate(cases):
                fields = "".join(f" {_binder(f)}" for f in case.fields)
                out.append(f"{'; ' if i else ''}{case.ctr}{fields}: ")
                _emit(case.body, out)
            out.append(" }")
        case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
            out.append("match ")
            _emit(s, out)
            out.append(" { 0: ")
            _emit(z, out)
            out.append(f"; 1+{_binder(p)}: ")
            _emit(su, out)
            out.append(" }")
        case _:
            raise TypeError(f"not a core term: {t!r}")


def book(b: c.Book) -> str:
    """Render every definition of a book, one `Name = body` line each, in book order."""
    return "\n".join(f"{d.name} = {term(d.body)}" for d in b.defs.values())
