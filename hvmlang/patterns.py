"""Pattern-match compiler: rows of nested patterns -> nested single-level Match/Switch/LetTup.

input: column variables (core names, one per scrutinee), rows of resolved patterns (the classes
below: constructors exist and have the right arity) tried top to bottom, and a callback that
lowers a row's body with its pattern variables bound to core variable names
-> output: a core term whose decisions are single-level `Match` on a `Var` (one `Case` per
constructor, in declaration order), numeric `Switch` and `LetTup`, whose leaves are the row
bodies; plus E2xx errors for non-exhaustive or ill-typed patterns and W1xx warnings for rows
that can never match.

Approach: a decision tree built one column at a time (Maranget's heuristic: split the first
column where the first row's pattern can fail). A row whose pattern in the split column is a
variable is copied into every branch. Number columns compile to `Switch`es: with successor
patterns `n+p` a chain of switches on the value and its predecessors (`x-1`, `x-2`, ..); with
plain numbers one switch per number on `(- x k)`, whose zero branch is the `x == k` case. A
variable pattern on a number is bound to the original scrutinee variable; one on a constructor or
tuple after a split is bound to the value rebuilt from the fields, so the scrutinee is never
duplicated just to be matched.
Copying rows can make one body a leaf of several branches: a small body is lowered again at
each leaf, a bigger one (or one with unscoped variables) is lowered once into
`let arm = λcaptures.. λvars.. body` around the match and each leaf applies `arm` (named
`rule3` / `arm3` after the row it comes from), so bodies are never duplicated exponentially.

| code | meaning |
|---|---|
| E201 | a definition, match or `let` does not cover every value (the missing case is named) |
| E202 | patterns of different types in the same position |
| E203 | a successor pattern `n+` with no case for some number below n |
| E204 | a match arm with a number of patterns different from the number of scrutinees |
| W101 | a rule that can never match: the rules above it cover everything it matches |
| W102 | a match arm that can never match: the arms above it cover everything it matches |
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import core as c
from .diagnostics import Span

SHARE_SIZE = 16      # bodies bigger than this (in surface nodes) are lowered once and shared
MAX_MISSING = 3      # how many uncovered cases an E201 error names


# ---------------------------------------------------------------------------------------------
# Patterns, as resolved for the compiler

@dataclass(slots=True)
class PVar:
    """A variable (`name`) or a wildcard (`name` None): matches anything."""
    name: str | None
    span: Span | None = None


@dataclass(slots=True)
class PCtr:
    """A constructor with one pattern per field."""
    name: str
    args: list
    span: Span | None = None


@dataclass(slots=True)
class PNum:
    """A number."""
    value: int
    span: Span | None = None


@dataclass(slots=True)
class PSucc:
    """`n+bind`: any number >= n, binding value-n (`bind` None: not bound)."""
    n: int
    bind: str | None
    span: Span | None = None


@dataclass(slots=True)
class PTup:
    """A tuple of two or more patterns."""
    items: list
    span: Span | None = None


@dataclass(slots=True)
class Row:
    """One rule or arm: its patterns, its span and its body's size (inf: never copy it)."""
    pats: list
    span: Span | None = None
    size: float = 0


def pattern_vars(pats: list) -> list:
    """The names a list of patterns binds, in order of first appearance."""
    names: list = []
    stack = list(reversed(pats))
    while stack:
        p = stack.pop()
        match p:
            case PVar(name=n) | PSucc(bind=n) if n is not None and n not in names:
                names.append(n)
            case PCtr(args=items) | PTup(items=items):
                stack.extend(reversed(items))
    return names


def _irrefutable(p) -> bool:
    return isinstance(p, PVar) or (isinstance(p, PSucc) and p.n == 0)


def _kind(p, ctrs: dict):
    """What a refutable pattern tests: ("adt", T), ("num",) or ("tup", n)."""
    match p:
        case PCtr(name=name):
            return ("adt", ctrs[name].adt)
        case PTup(items=items):
            return ("tup", len(items))
    return ("num",)


# ---------------------------------------------------------------------------------------------
# Uncovered cases, written as patterns

def _fmt_ctr(name: str, args: list) -> str:
    """A constructor witness, with list and string sugar where it applies."""
    if name == "List.nil":
        return "[]"
    if name == "String.nil":
        return '""'
    if name == "List.cons" and args[1].startswith("[") and args[1].endswith("]"):
        rest = args[1][1:-1]
        return f"[{args[0]}{', ' + rest if rest else ''}]"
    if name == "String.cons" and args[0].isdigit() and args[1].startswith('"'):
        return f'"{chr(int(args[0]))}{args[1][1:]}'
    return f"({name} {' '.join(args)})" if args else name


# ---------------------------------------------------------------------------------------------
# The compiler

@dataclass(slots=True)
class _Col:
    """A column: `var` holds the tested value minus `offset`; `orig` holds the value itself."""
    var: str
    orig: str
    offset: int = 0
    excluded: frozenset = frozenset()   # values (minus offset) known not to be the value

    def witness(self) -> str:
        if self.offset == 0 and not self.excluded:
            return "*"
        value = 0
        while value in self.excluded:
            value += 1
        return str(value + self.offset)


@dataclass(slots=True)
class _Line:
    """A row during compilation: its index, remaining patterns and variables bound so far."""
    idx: int
    pats: list
    binds: dict
    lets: tuple = ()     # (var, constructor or None for a tuple, field vars): values to rebuild


@dataclass(slots=True)
class _Leaf:
    """A placeholder for the body of row `idx`, with its variables bound to core variables."""
    idx: int
    binds: dict
    lets: tuple = ()


@dataclass
class MatchCompiler:
    """Compiles one definition's rules, one `match` term or one destructuring `let`.

    `kind` is "rule", "arm" or "let"; `subject` names the definition for messages; `names`
    allocates fresh core variable names (`bind(name)` for user names, `gen(base)` otherwise).
    """
    ctrs: dict
    adts: dict
    names: object
    reporter: object
    kind: str
    span: Span | None
    subject: str = ""
    failed: bool = False                 # a pattern was rejected: no E201/W10x noise after it
    uses: dict = field(default_factory=dict)       # column var -> splits + 2 per binding
    leaves: dict = field(default_factory=dict)     # row index -> [binds of each leaf]
    missing: list = field(default_factory=list)
    shared: dict = field(default_factory=dict)     # row index -> (arm var, captures, params)

    def compile(self, cols: list, rows: list, body) -> object:
        """The decision tree for `rows` over variables `cols`; `body(i, binds)` lowers row i."""
        lines = []
        for i, row in enumerate(rows):
            if len(row.pats) == len(cols):
                lines.append(_Line(i, list(row.pats), {}))
                continue
            self.failed = True
            self.reporter.error("E204", f"this arm has {len(row.pats)} pattern"
                                f"{'s' if len(row.pats) != 1 else ''} but the match has "
                                f"{len(cols)} scrutinee{'s' if len(cols) != 1 else ''}",
                                row.span, label=f"expected {len(cols)}",
                                help="write one pattern per scrutinee, separated by spaces")
        self._check_successors([ln.pats for ln in lines])
        tree = self._build([_Col(v, v) for v in cols], lines, lambda ws: ws)
        lets = [self._share(i, rows[i], body) for i in sorted(self.leaves)
                if len(self.leaves[i]) > 1 and rows[i].size > SHARE_SIZE]
        tree = self._fill(tree, body)
        for var, fn in reversed(lets):
            tree = c.Let(var, fn, tree, span=self.span)
        self._report(rows, body)
        return tree

    def _check_successors(self, columns: list) -> None:
        """E203: in each position, `n+` needs a case for every number below n (or a variable)."""
        for pats in zip(*columns) if columns else ():
            if any(isinstance(p, PSucc) for p in pats) \
                    and not any(isinstance(p, PVar) for p in pats):
                numbers = {p.value for p in pats if isinstance(p, PNum)}
                for p in pats:
                    lacking = next((k for k in range(p.n) if k not in numbers), None) \
                        if isinstance(p, PSucc) else None
                    if lacking is not None:
                        self.failed = True
                        self.reporter.error("E203", f"expected a case for {lacking} before "
                                            f"`{p.n}+`", p.span,
                                            label=f"needs a case for {lacking}",
                                            help=f"add a case for {lacking}: `{p.n}+` only "
                                                 f"matches numbers from {p.n} up")
            groups: dict = {}
            for p in pats:
                if isinstance(p, PCtr) and p.args:
                    groups.setdefault(p.name, []).append(p.args)
                elif isinstance(p, PTup):
                    groups.setdefault(len(p.items), []).append(p.items)
            for group in groups.values():
                self._check_successors(group)

    # -- building the tree ----------------------------------------------------------------------

    def _build(self, cols: list, lines: list, wit):
        if not lines:
            case = wit([col.witness() for col in cols])
            if case not in self.missing and len(self.missing) < MAX_MISSING:
                self.missing.append(case)
            return c.Era(span=self.span)
        first = lines[0]
        j = next((j for j, p in enumerate(first.pats) if not _irrefutable(p)), None)
        if j is None:
            binds = dict(first.binds)
            for col, p in zip(cols, first.pats):
                self._bind(binds, p, col)
            self.leaves.setdefault(first.idx, []).append(binds)
            return _Leaf(first.idx, binds, first.lets)
        kind = self._column_kind(lines, j)
        self._use(cols[j].var, 1)
        if kind[0] == "adt":
            return self._split_adt(cols, lines, wit, j, kind[1])
        if kind[0] == "tup":
            return self._split_tup(cols, lines, wit, j, kind[1])
        if any(isinstance(ln.pats[j], PSucc) and ln.pats[j].n > 0 for ln in lines):
            return self._switch(cols, lines, wit, j)
        return self._equal(cols, lines, wit, j)

    def _use(self, var: str, n: int) -> None:
        self.uses[var] = self.uses.get(var, 0) + n

    def _bind(self, binds: dict, p, col: _Col) -> None:
        """Bind an irrefutable pattern to its column."""
        if isinstance(p, PVar) and p.name is not None:
            binds[p.name] = col.orig
            self._use(col.orig, 2)
        elif isinstance(p, PSucc) and p.bind is not None:
            binds[p.bind] = col.var
            self._use(col.var, 2)

    def _rebuilding(self, ln: _Line, j: int, args: list, ctr: str | None, field_vars: list):
        """Row `ln` with an irrefutable pattern in a column split by `ctr` (None: a tuple).

        A variable there is bound to the value rebuilt from the split's field variables rather
        than to the scrutinee itself, which would have to be duplicated before the split.
        """
        p, binds, lets = ln.pats[j], ln.binds, ln.lets
        if isinstance(p, PVar) and p.name is not None:
            var = self.names.bind(p.name)
            binds = dict(binds) | {p.name: var}
            lets = lets + ((var, ctr, field_vars),)
            self._use(var, 2)
        return _Line(ln.idx, ln.pats[:j] + args + ln.pats[j + 1:], binds, lets)

    def _fill_fields(self, sub: list, field_vars: list, names: list) -> None:
        """Name the field variables that rebuilt values of `sub` use (once the split names them)."""
        field_vars[:] = names
        if any(ln.lets and ln.lets[-1][2] is field_vars for ln in sub):
            for v in names:
                self._use(v, 2)

    def _column_kind(self, lines: list, j: int):
        """The kind of column j (from its first refutable pattern); report mismatches."""
        kind = None
        for ln in lines:
            p = ln.pats[j]
            if _irrefutable(p):
                continue
            this = _kind(p, self.ctrs)
            if kind is None:
                kind = this
                continue
            if this != kind:
                self.failed = True
                self.reporter.error("E202", f"mismatched patterns: this is {_describe(this)} "
                                    f"but an earlier pattern in the same position is "
                                    f"{_describe(kind)}", p.span,
                                    label=f"expected {_describe(kind)}",
                                    help="every pattern in one position must match values of "
                                         "the same type")
                ln.pats[j] = PVar(None, p.span)
        return kind

    def _field_name(self, lines: list, pos: int, fallback: str) -> str:
        """Name a new column after the first variable pattern in it, else `fallback`."""
        for ln in lines:
            p = ln.pats[pos]
            if isinstance(p, PVar) and p.name is not None:
                return self.names.bind(p.name)
        return self.names.gen(fallback)

    def _split_adt(self, cols: list, lines: list, wit, j: int, adt: str):
        col = cols[j]
        cases = []
        for ctr_name in self.adts[adt].ctrs:
            fields = self.ctrs[ctr_name].fields
            k = len(fields)
            sub, span, field_vars = [], None, []
            for ln in lines:
                p = ln.pats[j]
                if isinstance(p, PCtr):
                    if p.name != ctr_name:
                        continue
                    span = span or p.span
                    sub.append(_Line(ln.idx, ln.pats[:j] + list(p.args) + ln.pats[j + 1:],
                                     ln.binds, ln.lets))
                else:
                    sub.append(self._rebuilding(ln, j, [PVar(None)] * k, ctr_name, field_vars))
            names = [self._field_name(sub, j + i, f"{_prefix(col.var)}.{f}")
                     for i, f in enumerate(fields)]
            self._fill_fields(sub, field_vars, names)
            sub_cols = cols[:j] + [_Col(v, v) for v in names] + cols[j + 1:]

            def sub_wit(ws, j=j, k=k, ctr=ctr_name):
                return wit(ws[:j] + [_fmt_ctr(ctr, ws[j:j + k])] + ws[j + k:])
            body = self._build(sub_cols, sub, sub_wit)
            cases.append(c.Case(ctr_name, [v if v in self.uses else None for v in names], body,
                                span=span or self.span))
        return c.Match(c.Var(col.var, span=self.span), adt, cases, span=self.span)

    def _split_tup(self, cols: list, lines: list, wit, j: int, n: int):
        col = cols[j]
        sub, field_vars = [], []
        for ln in lines:
            p = ln.pats[j]
            if isinstance(p, PTup):
                sub.append(_Line(ln.idx, ln.pats[:j] + list(p.items) + ln.pats[j + 1:],
                                 ln.binds, ln.lets))
            else:
                sub.append(self._rebuilding(ln, j, [PVar(None)] * n, None, field_vars))
        names = [self._field_name(sub, j + i, f"{_prefix(col.var)}.{i}") for i in range(n)]
        self._fill_fields(sub, field_vars, names)
        body = self._build(cols[:j] + [_Col(v, v) for v in names] + cols[j + 1:], sub,
                           lambda ws: wit(ws[:j] + ["(" + ", ".join(ws[j:j + n]) + ")"]
                                          + ws[j + n:]))
        outs = [v if v in self.uses else None for v in names]
        rests = [col.var] + [self.names.gen(f"{_prefix(col.var)}.rest") for _ in range(n - 2)]
        term = body
        for i in reversed(range(n - 1)):
            second = outs[n - 1] if i == n - 2 else rests[i + 1]
            term = c.LetTup(outs[i], second, c.Var(rests[i], span=self.span), term,
                            span=self.span)
        return term

    def _switch(self, cols: list, lines: list, wit, j: int):
        """Split a number column with successor patterns: `match x { 0: ..; 1+x-1: .. }`."""
        col = cols[j]
        zero, succ = [], []
        for ln in lines:
            p = ln.pats[j]
            rest = ln.pats[:j] + ln.pats[j + 1:]
            if _irrefutable(p):
                binds = dict(ln.binds)
                self._bind(binds, p, col)
                zero.append(_Line(ln.idx, rest, binds, ln.lets))
            elif isinstance(p, PNum) and p.value == 0:
                zero.append(_Line(ln.idx, rest, ln.binds, ln.lets))
            if isinstance(p, PNum):
                if p.value == 0:
                    continue
                p = PNum(p.value - 1, p.span)
            elif isinstance(p, PSucc) and p.n > 0:
                p = PSucc(p.n - 1, p.bind, p.span)
            succ.append(_Line(ln.idx, ln.pats[:j] + [p] + ln.pats[j + 1:], ln.binds, ln.lets))
        zero_t = self._build(cols[:j] + cols[j + 1:], zero,
                             lambda ws: wit(ws[:j] + [str(col.offset)] + ws[j:]))
        pred = next((self.names.bind(ln.pats[j].bind) for ln in succ
                     if isinstance(ln.pats[j], PSucc) and ln.pats[j].n == 0
                     and ln.pats[j].bind is not None), None)
        pred = pred or self.names.gen(f"{col.orig}-{col.offset + 1}")
        sub = _Col(pred, col.orig, col.offset + 1)
        succ_t = self._build(cols[:j] + [sub] + cols[j + 1:], succ, wit)
        return c.Switch(c.Var(col.var, span=self.span), zero_t,
                        pred if pred in self.uses else None, succ_t, span=self.span)

    def _equal(self, cols: list, lines: list, wit, j: int):
        """Split a column of plain numbers on its first number k: `match (- x k) {..}`."""
        col = cols[j]
        k = lines[0].pats[j].value
        hit, miss = [], []
        for ln in lines:
            p = ln.pats[j]
            rest = ln.pats[:j] + ln.pats[j + 1:]
            if isinstance(p, PNum):
                if p.value == k:
                    hit.append(_Line(ln.idx, rest, ln.binds, ln.lets))
                else:
                    miss.append(ln)
                continue
            binds = dict(ln.binds)
            self._bind(binds, p, col)
            hit.append(_Line(ln.idx, rest, binds, ln.lets))
            miss.append(ln)
        hit_t = self._build(cols[:j] + cols[j + 1:], hit,
                            lambda ws: wit(ws[:j] + [str(k + col.offset)] + ws[j:]))
        sub = _Col(col.var, col.orig, col.offset, col.excluded | {k})
        miss_t = self._build(cols[:j] + [sub] + cols[j + 1:], miss, wit)
        scrutinee = c.Var(col.var, span=self.span)
        if k:
            scrutinee = c.Op2("-", scrutinee, c.Num(k, span=self.span), span=self.span)
        return c.Switch(scrutinee, hit_t, None, miss_t, span=self.span)

    # -- leaves ----------------------------------------------------------------------------------

    def _share(self, idx: int, row: Row, body) -> tuple:
        """Lower row `idx` once as `λcaptures.. λvars.. body`; its leaves will apply it."""
        params = [v for v in pattern_vars(row.pats) if v in self.leaves[idx][0]]
        inner = {v: self.names.bind(v) for v in params}
        term = body(idx, inner)
        own = set(inner.values())
        captures = [v for v in free_vars(term) if v not in own and not v.startswith("$")]
        outer = {v: self.names.bind(v) for v in captures}
        rename(term, outer)
        for v in reversed(params):
            term = c.Lam(inner[v], term, span=row.span)
        for v in reversed(captures):
            term = c.Lam(outer[v], term, span=row.span)
        var = self.names.gen(f"{'rule' if self.kind == 'rule' else 'arm'}{idx + 1}")
        self.shared[idx] = (var, captures, params)
        return var, term

    def _fill(self, t, body):
        """Replace every leaf placeholder of the tree by its body (or a call of its arm)."""
        if isinstance(t, _Leaf):
            if t.idx not in self.shared:
                out = body(t.idx, t.binds)
            else:
                var, captures, params = self.shared[t.idx]
                out = c.Var(var, span=self.span)
                for v in captures + [t.binds[p] for p in params]:
                    out = c.App(out, c.Var(v, span=self.span), span=self.span)
            for var, ctr, fields in reversed(t.lets):
                out = c.Let(var, self._rebuilt(ctr, fields), out, span=self.span)
            return out
        match t:
            case c.Match(cases=cases):
                for case in cases:
                    case.body = self._fill(case.body, body)
            case c.Switch():
                t.zero = self._fill(t.zero, body)
                t.succ = self._fill(t.succ, body)
            case c.LetTup():
                t.body = self._fill(t.body, body)
        return t

    def _rebuilt(self, ctr: str | None, fields: list):
        """A fresh term rebuilding a matched value from its field variables."""
        args = [c.Var(v, span=self.span) for v in fields]
        if ctr is not None:
            return c.Ctr(ctr, args, span=self.span)
        value = args[-1]
        for item in reversed(args[:-1]):
            value = c.Tup(item, value, span=self.span)
        return value

    def _report(self, rows: list, body) -> None:
        """Non-exhaustiveness errors, unreachable-row warnings; lower unreached bodies too."""
        for i, row in enumerate(rows):
            if i not in self.leaves:
                body(i, {v: self.names.bind(v) for v in pattern_vars(row.pats)})
        if self.failed:
            return
        if self.missing:
            self._non_exhaustive()
        for i, row in enumerate(rows):
            if i not in self.leaves:
                what = "rule" if self.kind == "rule" else "match arm"
                self.reporter.warning("W101" if self.kind == "rule" else "W102",
                                      f"unreachable {what}: the {what}s above it match every "
                                      f"value it matches", row.span, label="never used",
                                      help=f"remove this {what} or move it up")

    def _non_exhaustive(self) -> None:
        cases = [self._case_text(ws) for ws in self.missing]
        notes = [f"`{case}` is not covered either" for case in cases[1:]]
        if self.kind == "rule":
            self.reporter.error("E201", f"non-exhaustive patterns in `{self.subject}`: "
                                f"`{cases[0]}` not covered", self.span,
                                label="some values match no rule", notes=notes,
                                help="add a rule for this case, or a last rule whose patterns "
                                     "are all variables")
        elif self.kind == "arm":
            self.reporter.error("E201", f"non-exhaustive match: `{cases[0]}` not covered",
                                self.span, label="some values match no arm", notes=notes,
                                help="add an arm for this case, or a last arm `*` that "
                                     "matches anything")
        else:
            self.reporter.error("E201", f"refutable pattern in `let`: `{cases[0]}` not "
                                "covered", self.span, label="this pattern can fail",
                                notes=notes, help="use `match` to handle every case")

    def _case_text(self, ws: list) -> str:
        if self.kind == "rule":
            return f"({self.subject} {' '.join(ws)})" if ws else self.subject
        return ", ".join(ws)


def _prefix(var: str) -> str:
    """The start of the names of a column's fields: `a.tail` gives `a.tail.head`; deeper
    columns restart from the root (`a.head_1`), which keeps names short."""
    return var if var.count(".") < 2 else var.split(".")[0]


def _describe(kind) -> str:
    match kind:
        case ("adt", adt):
            return f"a `{adt}` constructor"
        case ("tup", n):
            return f"a {n}-tuple"
    return "a number"


# ---------------------------------------------------------------------------------------------
# Core helpers (names are unique within a definition, so no capture can occur)

def _walk(t):
    stack = [t]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(c.children(node)))


def free_vars(t) -> list:
    """The variables used in `t` but not bound in it, in order of first use."""
    bound, order = set(), {}
    for node in _walk(t):
        match node:
            case c.Var(name=name):
                order.setdefault(name)
            case c.Lam(name=name) | c.Let(name=name) | c.Switch(pred=name):
                bound.add(name)
            case c.Dup(a=a, b=b) | c.LetTup(a=a, b=b):
                bound.update((a, b))
            case c.Match(cases=cases):
                for case in cases:
                    bound.update(case.fields)
    return [v for v in order if v not in bound]


def rename(t, mapping: dict) -> None:
    """Rename, in place, every use of a variable in `mapping`."""
    if mapping:
        for node in _walk(t):
            if isinstance(node, c.Var) and node.name in mapping:
                node.name = mapping[node.name]
