"""Top-level checks and name tables; surface patterns -> the pattern compiler's patterns.

input: the parsed program and the parsed prelude -> output: an `Env` naming every data type,
constructor and definition (user definitions over prelude ones), with every top-level problem
reported; `resolve_pattern` gives patterns whose constructors exist and have the right number
of fields, with string and list patterns expanded to constructor chains.

| code | meaning |
|---|---|
| E101 | a top-level name (definition, data type or constructor) contains `-` |
| E102 | a data declaration redefines a built-in type or constructor |
| E103 | a data type or constructor is declared twice |
| E104 | a definition has the same name as a constructor |
| E105 | the rules of one definition have different numbers of patterns |
| E106 | both `main` and `Main` are defined |
| E107 | there is no entry point (`main` or `Main`) |
| E108 | the entry point named with `-e` is not defined |
| E110 | a pattern names an unknown constructor |
| E111 | a constructor pattern has the wrong number of fields |
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from . import ast, core
from .diagnostics import Label
from .ops import MASK
from .patterns import PCtr, PNum, PSucc, PTup, PVar, pattern_vars
from .prelude import BUILTIN_CTRS, builtin_datas


@dataclass
class Env:
    """Every top-level name of a program: data types, constructors and definitions."""
    adts: dict = field(default_factory=dict)       # name -> core.Adt
    ctrs: dict = field(default_factory=dict)       # name -> core.Constructor
    rules: dict = field(default_factory=dict)      # name -> [ast.Rule], user first, then prelude
    prelude: set = field(default_factory=set)      # names whose rules come from the prelude
    rejected: set = field(default_factory=set)     # constructors of a rejected data type


def _group(rules: list) -> dict:
    """Rules by definition name, in order of each name's first rule."""
    groups: dict = {}
    for rule in rules:
        groups.setdefault(rule.name, []).append(rule)
    return groups


def _where(span):
    """A span worth pointing at (None for the placeholder span of built-in nodes)."""
    return None if span is None or span == ast.NO_SPAN else span


def _label(span, text: str) -> list:
    """A secondary label at `span`, when there is a span to point at."""
    return [Label(span, text)] if _where(span) else []


def _dash(name: str, what: str, span, reporter) -> None:
    if "-" in name:
        reporter.error("E101", f"the {what} name `{name}` contains `-`, which is only allowed in "
                       "local variable names", _where(span), label="top-level name with `-`",
                       help=f"rename it, e.g. `{name.replace('-', '_')}`")


def _add_data(env: Env, data: ast.Data, builtin: bool, reporter) -> None:
    """Register a data type and its constructors, reporting redefinitions."""
    _dash(data.name, "data type", data.span, reporter)
    previous = env.adts.get(data.name)
    if previous is not None:
        if previous.builtin:
            reporter.error("E102", f"`{data.name}` is a built-in type and cannot be redefined",
                           _where(data.span), label="redefines a built-in type",
                           help=f"rename your type, e.g. `My{data.name}`")
        else:
            reporter.error("E103", f"the data type `{data.name}` is declared twice",
                           _where(data.span), label="declared again here",
                           labels=_label(previous.span, "first declared here"))
        env.rejected.update(decl.name for decl in data.ctrs)   # used silently from now on
        return
    adt = core.Adt(data.name, list(data.params), [], span=_where(data.span), builtin=builtin)
    env.adts[data.name] = adt
    for decl in data.ctrs:
        _dash(decl.name, "constructor", decl.span, reporter)
        known = env.ctrs.get(decl.name)
        if known is not None and decl.name in BUILTIN_CTRS:
            reporter.error("E102", f"`{decl.name}` is a built-in constructor and cannot be "
                           "redefined", _where(decl.span), label="redefines a built-in constructor",
                           help="give your constructor another name")
            continue
        if known is not None:
            reporter.error("E103", f"the constructor `{decl.name}` is declared twice",
                           _where(decl.span), label="declared again here",
                           labels=_label(known.span, "first declared here"))
            continue
        env.ctrs[decl.name] = core.Constructor(decl.name, [f.name for f in decl.fields],
                                               data.name, len(adt.ctrs), span=_where(decl.span))
        adt.ctrs.append(decl.name)


def collect(program: ast.Program, prelude: ast.Program, reporter) -> Env:
    """Build the name tables of `program` over the built-ins and `prelude`; report E101-E106."""
    env = Env()
    for data in builtin_datas():
        _add_data(env, data, True, reporter)
    for data in program.datas:
        _add_data(env, data, False, reporter)
    user = _group(program.rules)
    for name, rules in user.items():
        _dash(name, "definition", rules[0].name_span, reporter)
        if name in env.ctrs:
            reporter.error("E104", f"the definition `{name}` has the same name as a constructor",
                           _where(rules[0].name_span) or _where(rules[0].span),
                           label="named like a constructor",
                           labels=_label(env.ctrs[name].span, "the constructor"),
                           help="rename the definition or the constructor")
        _check_arity(name, rules, reporter)
        env.rules[name] = rules
    for name, rules in _group(prelude.rules).items():
        if name not in user and name not in env.ctrs:
            env.rules[name] = rules
            env.prelude.add(name)
    if "main" in user and "Main" in user:
        reporter.error("E106", "both `main` and `Main` are defined, so the entry point is "
                       "ambiguous", _where(user["Main"][0].name_span),
                       label="second entry point",
                       labels=_label(user["main"][0].name_span, "first entry point"),
                       help="rename one of them, or choose one with `-e NAME`")
    return env


def _check_arity(name: str, rules: list, reporter) -> None:
    """Every rule of a definition takes as many patterns as its first rule."""
    expected = len(rules[0].pats)
    for rule in rules[1:]:
        if len(rule.pats) != expected:
            plural = "s" if expected != 1 else ""
            reporter.error("E105", f"this rule of `{name}` has {len(rule.pats)} pattern"
                           f"{'s' if len(rule.pats) != 1 else ''} but the first one has "
                           f"{expected}", _where(rule.span),
                           label=f"expected {expected} pattern{plural}",
                           labels=_label(rules[0].span, "first rule"),
                           help="every rule of a definition must take the same number of "
                                "arguments")


def find_entry(env: Env, entry: str | None, user: set, reporter) -> str | None:
    """The entry definition: `entry` (from `-e`), else `main` or `Main`; report E107/E108."""
    if entry is not None:
        if entry in env.rules:
            return entry
        reporter.error("E108", f"the entry point `{entry}` is not defined",
                       help=suggest(entry, env.rules) or "define it, or pick another with `-e`")
        return None
    for name in ("main", "Main"):
        if name in user:
            return name
    reporter.error("E107", "this program has no entry point",
                   help="define `main` (e.g. `main = (+ 1 2)`), or name another definition "
                        "with `-e NAME`")
    return None


def suggest(name: str, known) -> str:
    """A 'did you mean' help line, or ''."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"a similar name exists: `{close[0]}`" if close else ""


# ---------------------------------------------------------------------------------------------
# Patterns

def _chain(cons: str, nil: str, items: list, span) -> PCtr:
    """`[a, b]` as `(cons a (cons b nil))`, built from the end (no recursion)."""
    pat = PCtr(nil, [], span)
    for item in reversed(items):
        pat = PCtr(cons, [item, pat], span)
    return pat


class PatternResolver:
    """Turns surface patterns into compiler patterns, reporting E110/E111."""

    def __init__(self, env: Env, reporter):
        self.env = env
        self.reporter = reporter
        self.bad = 0                  # how many patterns were rejected (reported or not)
        self.orphans: set = set()     # variables inside rejected patterns: not "unbound"

    def top(self, pat, scrutinee: str | None = None, arm: bool = False):
        """Resolve a whole rule argument or arm pattern.

        In a match arm, a bare constructor with fields binds them as `scrutinee.field`
        (wildcards when the scrutinee has no name) and `n+` binds `scrutinee-n`.
        """
        if arm:
            name = pat.name if isinstance(pat, (ast.PVar, ast.PCtr)) else None
            ctr = self.env.ctrs.get(name)
            if ctr is not None and ctr.fields and (isinstance(pat, ast.PVar) or not pat.args):
                args = [PVar(None if scrutinee is None else f"{scrutinee}.{f}", pat.span)
                        for f in ctr.fields]
                return PCtr(ctr.name, args, pat.span)
            if isinstance(pat, ast.PSucc) and pat.bind is None:
                bind = None if scrutinee is None else f"{scrutinee}-{pat.n}"
                return PSucc(pat.n, bind, pat.span)
        return self.resolve(pat)

    def resolve(self, pat):
        """Resolve one (possibly nested) pattern."""
        match pat:
            case ast.PVar(name=name, span=span):
                if name not in self.env.ctrs and name not in self.env.rejected:
                    return PVar(name, span)
                return self._ctr(name, [], span)
            case ast.PWild(span=span):
                return PVar(None, span)
            case ast.PCtr(name=name, args=args, span=span):
                return self._ctr(name, [self.resolve(a) for a in args], span)
            case ast.PNum(value=value, span=span):
                return PNum(value & MASK, span)
            case ast.PSucc(n=n, bind=bind, span=span):
                return PSucc(n, None if bind in (None, "*") else bind, span)
            case ast.PTup(items=items, span=span):
                return PTup([self.resolve(i) for i in items], span)
            case ast.PList(items=items, span=span):
                return _chain("List.cons", "List.nil", [self.resolve(i) for i in items], span)
            case ast.PStr(value=value, span=span):
                return _chain("String.cons", "String.nil",
                              [PNum(ord(ch), span) for ch in value], span)
        raise TypeError(f"not a pattern: {pat!r}")

    def _ctr(self, name: str, args: list, span):
        ctr = self.env.ctrs.get(name)
        if ctr is not None and len(args) == len(ctr.fields):
            return PCtr(name, args, span)
        self.bad += 1
        self.orphans.update(pattern_vars(args))
        if ctr is None and name in self.env.rejected:
            return PVar(None, span)
        if ctr is None:
            self.reporter.error("E110", f"unknown constructor `{name}` in pattern", _where(span),
                                label="not a constructor",
                                help=suggest(name, self.env.ctrs)
                                or "declare it with `data`, or use a lowercase variable name")
            return PVar(None, span)
        fields = " ".join(["*"] * len(ctr.fields))
        example = f"({name} {fields})" if fields else name
        self.reporter.error("E111", f"the constructor `{name}` has {len(ctr.fields)} "
                            f"field{'s' if len(ctr.fields) != 1 else ''} but this pattern "
                            f"gives {len(args)}", _where(span),
                            label=f"expected {len(ctr.fields)}", help=f"write e.g. `{example}`")
        return PVar(None, span)
