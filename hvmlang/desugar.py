"""Desugar driver: surface program (+ prelude) -> desugared core Book.

input: an `ast.Program`, an optional entry name (`-e`) and CLI argument terms (ast)
-> output: a `core.Book` in the desugared form of docs/design.md: one `Definition` per user
definition in source order, then the prelude definitions the program uses (marked `builtin`;
the others are pruned); `adts`/`ctrs` with the built-in types first (marked `builtin`);
`entry` the entry definition, whose body gets the CLI arguments (its leading lambdas become
`let`s of the arguments, extra arguments are applied); `labels` the fixed user labels of dups
and sups in first-use order. Every error of the program is reported, then `reporter.check()`.

Runs under `deep.call_deep`: the passes it calls recurse once or a few times per level of
nesting.
"""
from __future__ import annotations

from . import ast, core, prelude
from .deep import deep
from .resolve import collect, find_entry
from .sugar import Lowerer, UniqueReporter, walk


@deep
def desugar(program: ast.Program, reporter, entry: str | None = None,
            args: list = ()) -> core.Book:
    """Desugar `program` into a core Book (raises CompileError after reporting every error)."""
    unique = UniqueReporter(reporter)
    env = collect(program, prelude.load(), unique)
    user = {rule.name for rule in program.rules}
    entry_name = find_entry(env, entry, user, unique)
    labels: list = []
    defs = {}
    for name in _used_definitions(env, entry_name, args):
        rules = env.rules[name]
        lowerer = Lowerer(env, unique, name, rules, labels)
        body = lowerer.definition(rules)
        if name == entry_name and args:
            body = apply_args(body, [lowerer.lower(arg) for arg in args])
        span = rules[0].span if rules[0].span != ast.NO_SPAN else None
        defs[name] = core.Definition(name, body, span=span, builtin=name in env.prelude)
    reporter.check()
    return core.Book(defs, env.adts, env.ctrs, entry_name, labels)


def _used_definitions(env, entry: str | None, args: list) -> list:
    """User definitions, plus the prelude definitions reachable from them or the arguments."""
    keep = {name for name in env.rules if name not in env.prelude}
    todo = [node.name for rules in (env.rules[n] for n in keep) for rule in rules
            for node in walk(rule.body) if isinstance(node, ast.Var)]
    todo += [node.name for arg in args for node in walk(arg) if isinstance(node, ast.Var)]
    todo += [entry] if entry else []
    while todo:
        name = todo.pop()
        if name in env.prelude and name not in keep:
            keep.add(name)
            todo += [node.name for rule in env.rules[name] for node in walk(rule.body)
                     if isinstance(node, ast.Var)]
    return [name for name in env.rules if name in keep]


def apply_args(body, args: list):
    """Give the entry point its arguments: `(λx λy b) 3 6` becomes `let x = 3; let y = 6; b`."""
    lets = []
    for arg in args:
        if isinstance(body, core.Lam) and body.tag is None \
                and not (body.name or "").startswith("$"):
            lets.append((body.name, arg, body.span))
            body = body.body
        else:
            body = core.App(body, arg, span=arg.span)
    for name, arg, span in reversed(lets):
        body = core.Let(name, arg, body, span=span)
    return body
