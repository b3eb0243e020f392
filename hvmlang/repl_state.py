"""What a REPL session holds: settings, and entries (rules, data, signatures) by kind and name.

An entry is every rule of one definition, one `data` declaration or one signature, with the
origin it came from (the prompt, a loaded file, or an evaluation's result for `it`). Entries
are merged GHCi-style: a new entry replaces the one with the same key in place; new rules of a
definition drop its old signature unless the same input gives one. The session's program is
the entries in order, plus the expression rules being evaluated.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import ast, core
from .sugar import walk

ENTRY = "repl.expr"      # the definition an evaluated expression becomes
IT = "it"                # the last result
PROMPT = "<prompt>"      # origin of entries typed at the prompt
RESULT = "<result>"      # origin of `it` bound by an evaluation


@dataclass
class Settings:
    """What `:set` changes."""
    backend: str = "cpu"
    stats: bool = False                  # +s: statistics after every evaluation
    types: bool = False                  # +t: the type after every evaluation
    linear: bool = False                 # +l: explicit dups in results
    max_rewrites: int | None = None
    timeout: float | None = None
    mem: int = 1 << 30
    threads: int | None = None          # cpu-parallel threads (None: every core)


class ReplError(Exception):
    """A command used wrongly or something it needs is missing; the message is one line."""


@dataclass(frozen=True)
class Entry:
    """The rules of one definition, one data declaration or one signature."""
    kind: str                # "rule" | "data" | "sig"
    name: str
    nodes: tuple             # the ast.Rule nodes, or the one ast.Data / ast.Signature
    origin: str              # PROMPT, RESULT or the path of a loaded file
    file: str                # the source file its spans point into

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.name


def expr_name(i: int) -> str:
    """The name of the i-th expression compiled along with the session."""
    return ENTRY if i == 0 else f"{ENTRY}{i}"


def entries(program: ast.Program, origin: str, file: str) -> list[Entry]:
    """The entries of a parsed input or file, in source order."""
    groups: dict = {}
    for rule in program.rules:
        groups.setdefault(rule.name, []).append(rule)
    out = [Entry("rule", name, tuple(rules), origin, file) for name, rules in groups.items()]
    out += [Entry("data", d.name, (d,), origin, file) for d in program.datas]
    out += [Entry("sig", s.name, (s,), origin, file) for s in program.signatures]
    return sorted(out, key=lambda e: (e.nodes[0].span.line, e.nodes[0].span.col))


def merge(items: dict, new: list[Entry]) -> dict:
    """`items` with `new` added; an entry of the same key is replaced where it stood."""
    out = dict(items)
    keys = {e.key for e in new}
    for e in new:
        if e.kind == "rule" and ("sig", e.name) not in keys:
            out.pop(("sig", e.name), None)
        out[e.key] = e
    return out


def program_of(items: dict, extra_rules: list) -> ast.Program:
    """The session as one program: its entries in order, then `extra_rules`."""
    kinds = {"rule": [], "data": [], "sig": []}
    for e in items.values():
        kinds[e.kind].extend(e.nodes)
    return ast.Program(kinds["rule"] + extra_rules, kinds["data"], kinds["sig"], "<repl>")


def reads_name(term, name: str) -> bool:
    """Whether a surface term mentions `name` as a variable."""
    return any(isinstance(node, ast.Var) and node.name == name for node in walk(term))


def references(term) -> set:
    """Definitions, constructors and data types a core term refers to."""
    out, stack = set(), [term]
    while stack:
        t = stack.pop()
        if isinstance(t, (core.Ref, core.Ctr)):
            out.add(t.name)
        elif isinstance(t, core.Match):
            out.add(t.adt)
            out.update(c.ctr for c in t.cases)
        stack.extend(core.children(t))
    return out


def dependents(book: core.Book, changed: set) -> list[str]:
    """User definitions that reach a changed name, in book order (the changed ones left out)."""
    uses = {name: references(d.body) for name, d in book.defs.items()
            if not (d.builtin or d.generated) and name != ENTRY}
    reach = set(changed)
    grew = True
    while grew:
        grew = False
        for name, refs in uses.items():
            if name not in reach and refs & reach:
                reach.add(name)
                grew = True
    return [name for name in uses if name in reach - changed]
