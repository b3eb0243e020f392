"""The prelude: built-in data types, built-in references and the helpers of `stdlib/prelude.hvm`.

The built-in types are a data table here (so they exist even before any file is parsed); the
helper definitions are written in the language itself and parsed once per process. User
definitions override prelude ones; `desugar` keeps only the prelude definitions a program uses.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from . import ast

PRELUDE_PATH = Path(__file__).resolve().parent.parent / "stdlib" / "prelude.hvm"

# Built-in data types: (type, params, [(constructor, [(field, type), ..]), ..]); types are
# written as (name, args) pairs so the checker can read them as ast.TName trees.
BUILTIN_DATA = [
    ("String", [], [("String.cons", [("head", ("Num", [])), ("tail", ("String", []))]),
                    ("String.nil", [])]),
    ("List", ["a"], [("List.cons", [("head", ("a", [])), ("tail", ("List", ["a"]))]),
                     ("List.nil", [])]),
    ("Nat", [], [("Nat.succ", [("pred", ("Nat", []))]), ("Nat.zero", [])]),
    ("Result", ["a", "e"], [("Result.ok", [("val", ("a", []))]),
                            ("Result.err", [("val", ("e", []))])]),
]

# Built-in references, implemented by the net compiler rather than by a definition.
BUILTIN_REFS = frozenset({"HVM.log", "HVM.print"})


def _type(name: str, args: list) -> ast.TName:
    return ast.TName(name, [_type(a, []) for a in args])


@cache
def builtin_datas() -> tuple:
    """The built-in data types as `ast.Data` declarations with typed fields."""
    return tuple(
        ast.Data(name, list(params),
                 [ast.CtrDecl(ctr, [ast.Field(f, _type(*t)) for f, t in fields])
                  for ctr, fields in ctrs])
        for name, params, ctrs in BUILTIN_DATA)


BUILTIN_CTRS = frozenset(ctr for _, _, ctrs in BUILTIN_DATA for ctr, _ in ctrs)


@cache
def load() -> ast.Program:
    """The parsed prelude (rules and signatures of `stdlib/prelude.hvm`), parsed once."""
    from .parse import parse_program
    return parse_program(PRELUDE_PATH.read_text(encoding="utf-8"), str(PRELUDE_PATH))
