"""Surface AST -> source text: parsing the text again gives an equal AST (spans aside).

Used by the golden "parse" tests and by tools that show a program as the parser read it. One
item per line; terms on one line. Printing works with an explicit stack, so deeply nested
terms are fine.
"""
from __future__ import annotations

from . import ast

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def print_program(prog: ast.Program) -> str:
    """Every `data`, then every signature, then every rule, one per line (no final newline)."""
    sections = [[_render(d) for d in prog.datas], [_render(s) for s in prog.signatures],
                [_render(r) for r in prog.rules]]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def print_term(node) -> str:
    """One term, pattern, type or top-level item as source text."""
    return _render(node)


def quote(text: str) -> str:
    """A string literal that reads back as `text`."""
    return '"' + "".join(_ESCAPES.get(c) or (c if c.isprintable() else f"\\u{{{ord(c):X}}}")
                         for c in text) + '"'


def _render(root) -> str:
    out, todo = [], [root]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            todo.extend(reversed(_pieces(item)))
    return "".join(out)


def _joined(items: list, sep: str) -> list:
    """`items` with `sep` strings between them."""
    pieces = []
    for i, item in enumerate(items):
        pieces += [sep, item] if i else [item]
    return pieces


def _tag(tag: str | None) -> str:
    return "" if tag is None else f"#{tag} "


def _label(label: str | None) -> str:
    return "" if label is None else f"#{label}"


def _binder(name: str | None) -> str:
    return "*" if name is None else name


def _pieces(node) -> list:
    """The text of one node: strings and child nodes, in order."""
    match node:
        # ---- terms
        case ast.Var(name=name):
            return [name]
        case ast.Lam(binder=binder, body=body, tag=tag):
            return [f"{_tag(tag)}λ{_binder(binder)} ", body]
        case ast.App(fun=fun, args=args, tag=tag):
            head = "(*)" if isinstance(fun, ast.Era) else fun     # `(* a)` would be an operation
            return [f"{_tag(tag)}(", head, " ", *_joined(args, " "), ")"]
        case ast.Op(op=op, left=left, right=None):
            return [f"({op} ", left, ")"]
        case ast.Op(op=op, left=left, right=right):
            return [f"({op} ", left, " ", right, ")"]
        case ast.Num(value=value) | ast.PNum(value=value):
            return [str(value)]
        case ast.Str(value=value) | ast.PStr(value=value):
            return [quote(value)]
        case ast.List(items=items) | ast.PList(items=items):
            return ["[", *_joined(items, ", "), "]"]
        case ast.Tup(items=items) | ast.PTup(items=items) | ast.TTup(items=items):
            return ["(", *_joined(items, ", "), ")"]
        case ast.Nat(value=value):
            return [f"#{value}"]
        case ast.Era() | ast.PWild():
            return ["*"]
        case ast.Let(pat=pat, value=value, body=body):
            return ["let ", pat, " = ", value, "; ", body]
        case ast.Use(name=name, value=value, body=body):
            return [f"use {name} = ", value, "; ", body]
        case ast.Dup(label=label, binders=binders, value=value, body=body):
            names = " ".join(_binder(b) for b in binders)
            return [f"let {_label(label)}{{{names}}} = ", value, "; ", body]
        case ast.Sup(label=label, items=items):
            return [f"{_label(label)}{{", *_joined(items, " "), "}"]
        case ast.Match(scrutinees=scrutinees, arms=arms):
            return ["match ", *_joined(scrutinees, ", "), " { ", *_joined(arms, "; "), " }"]
        case ast.Scrutinee(bind=bind, value=value):
            if bind is None:
                return [value]
            if isinstance(value, ast.Var) and value.name == bind:
                return [bind]
            return [f"{bind} = ", value]
        case ast.Arm(pats=pats, body=body):
            return [*_joined(pats, " "), ": ", body]
        # ---- patterns
        case ast.PVar(name=name):
            return [name]
        case ast.PCtr(name=name, args=args):
            return ["(", name, *[p for arg in args for p in (" ", arg)], ")"]
        case ast.PSucc(n=n, bind=bind):
            return [f"{n}+{bind or ''}"]
        # ---- types
        case ast.TName(name=name, args=[]):
            return [name]
        case ast.TName(name=name, args=args):
            return ["(", name, *[p for arg in args for p in (" ", *_type_atom(arg))], ")"]
        case ast.TFun(arg=arg, res=res):
            return [*_type_atom(arg), " -> ", res]
        # ---- top level
        case ast.Rule(name=name, pats=pats, body=body):
            return [name, *[p for pat in pats for p in (" ", pat)], " = ", body]
        case ast.Signature(name=name, type=type_, unchecked=unchecked):
            return ["unchecked " if unchecked else "", f"{name} : ", type_]
        case ast.Data(name=name, params=params, ctrs=ctrs):
            head = f"({' '.join([name, *params])})" if params else name
            return [f"data {head} = ", *_joined(ctrs, " | ")]
        case ast.CtrDecl(name=name, fields=[]):
            return [name]
        case ast.CtrDecl(name=name, fields=fields):
            return ["(", name, *[p for f in fields for p in (" ", f)], ")"]
        case ast.Field(name=name, type=None):
            return [name]
        case ast.Field(name=name, type=type_):
            return [f"({name}: ", type_, ")"]
    raise TypeError(f"not a surface AST node: {type(node).__name__}")


def _type_atom(node) -> list:
    """A type where only an atom may stand: function types get parentheses."""
    return ["(", node, ")"] if isinstance(node, ast.TFun) else [node]
