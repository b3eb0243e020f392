"""Hindley–Milner inference: desugared core Book + schemes -> a type per definition, T0xx errors.

Definitions are inferred one strongly connected component at a time, callees first, and
generalized after their component (let-polymorphism also holds for local `let`s). Every
unification carries the span it is about and a `Why` (the reason the expected side is
expected), so an error names both sides and points at the sub-expression. The first error of a
definition stops its inference (its type becomes `Any`, so no cascade follows). Definitions
with superpositions, unscoped variables or user labels are not inferred unless they have a
signature; prelude definitions are inferred but their errors are never reported.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import core as c
from ..deep import extended
from ..diagnostics import Diagnostic, Label, Span
from ..graph import components
from .schemes import Schemes
from .types import (ANY, NUM, Clash, Namer, Occurs, TCon, TRigid, TVar, fun, generalize,
                    instantiate, is_any, is_fun, pair, prune, replace, unify)


@dataclass
class Why:
    """Why a type is expected: a sentence fragment, and where the expectation comes from."""
    text: str
    span: Span | None = None
    label: str = ""          # secondary label at `span`; `{}` is replaced by the expected type
    fixed: bool = False      # from a signature: arm and rule reasons do not replace it


def _field_why(i: int, ctr: str) -> Why:
    """Why field `i` (from 0) of constructor `ctr` has the type of that field."""
    return Why(f"this is the {ordinal(i + 1)} field of `{ctr}`")


class TypeFailure(Exception):
    """The first type error of a definition, ready to report."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass
class Binding:
    """A local variable: its type, whether that type is quantified, and where it came from."""
    type: object
    generic: bool = False
    origin: str = ""


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def untyped_feature(body) -> str | None:
    """The first construct of `body` that the type system does not cover, or None."""
    stack = [body]
    while stack:
        t = stack.pop()
        match t:
            case c.Sup():
                return "superpositions"
            case c.Dup(label=str()):
                return "labelled duplications"
            case c.Var(name=n) | c.Lam(name=n) if n and n.startswith("$"):
                return "unscoped variables"
            case c.Lam(tag=str()) | c.App(tag=str()):
                return "tagged lambdas or applications"
        stack.extend(c.children(t))
    return None


def _head_name(t) -> str:
    match t:
        case c.Ref(name=n) | c.Var(name=n):
            return f"`{n}`"
    return "this function"


class Inferencer:
    """Infers the types of a whole desugared book; `run` returns the type of every definition."""

    def __init__(self, book: c.Book, schemes: Schemes, rule_bodies: dict):
        self.book = book
        self.schemes = schemes
        self.rule_bodies = rule_bodies        # span of a rule body -> (definition, rule number)
        self.types: dict = {}                 # definition -> quantified type (or ANY)
        self.mono: set = set()                # definitions of the current group (monomorphic)
        self.skipped: dict = {}               # definition -> why it was not inferred
        self.diagnostics: list = []
        self.level = 1
        self.unscoped: dict = {}
        self.first_rule: dict = {}

    # -- definitions ---------------------------------------------------------------------------

    def run(self, groups: list) -> dict:
        """Infer every group (strongly connected components, callees first)."""
        for group in groups:
            self.group(group)
        return self.types

    def group(self, names: list) -> None:
        """Infer one group of mutually recursive definitions and generalize it."""
        todo = []
        for name in names:
            d = self.book.defs[name]
            sig = self.schemes.sigs.get(name)
            if sig is not None and sig.unchecked:
                self.types[name] = sig.type
                continue
            feature = untyped_feature(d.body)
            if feature is not None and sig is None:
                self.types[name] = ANY
                self.skipped[name] = feature
                continue
            if sig is not None and not sig.holes:
                self.types[name] = sig.type
            else:
                self.types[name] = TVar(1)
                self.mono.add(name)
            todo.append(name)
        for name in todo:
            self.definition(name)
        for name in todo:
            if name in self.mono:
                generalize(self.types[name], 0)
        self.mono.clear()

    def definition(self, name: str) -> None:
        """Infer (or check against its signature) one definition of the current group."""
        d = self.book.defs[name]
        sig = self.schemes.sigs.get(name)
        self.level, self.unscoped = 1, {}
        try:
            if sig is None:
                self.check(d.body, self.types[name], Why(f"of the recursive uses of `{name}`"),
                           {}, d.span)
            else:
                why = Why(f"of the signature of `{name}`", sig.span, "the signature says `{}`",
                          fixed=True)
                self.check(d.body, sig.rigid, why, {}, d.span)
                if sig.holes:
                    self.expect(self.types[name], sig.rigid, sig.span, why)
                    self.types[name] = replace(sig.rigid, sig.rigids)
                    generalize(self.types[name], 0)
                    self.mono.discard(name)
        except TypeFailure as e:
            self.types[name] = ANY
            self.mono.discard(name)
            if not d.builtin:
                self.diagnostics.append(e.diagnostic)

    # -- errors --------------------------------------------------------------------------------

    def expect(self, expected, found, span, why: Why, term=None, env=None) -> None:
        """Unify, turning a failure into a TypeFailure about `span` (`term` has type `found`)."""
        try:
            unify(expected, found)
        except Clash as e:
            raise TypeFailure(self.mismatch(expected, found, span, why, e, term, env)) from None
        except Occurs as e:
            namer = Namer((expected, found, e.var, e.type))
            exp, fnd = namer.show(expected), namer.show(found)
            raise TypeFailure(Diagnostic(
                "error", "T002", "infinite type", span,
                label=f"expected `{exp}`, found `{fnd}`",
                labels=self._why_labels(why, exp),
                notes=[f"expected because {why.text}",
                       f"`{namer.show(e.var)}` would have to equal `{namer.show(e.type)}`, "
                       "which contains it: no finite type fits"],
                help=("a function applied to itself has no simple type; give the definition "
                      "a signature that uses `Any`, or declare it with `unchecked Name : Type`"
                      if is_fun(e.type) else "a value is used both as something and as a part "
                      "of it: are two arguments or fields swapped?"))) from None

    def _why_labels(self, why: Why, expected_text: str) -> list:
        if why.span is None or not why.label:
            return []
        return [Label(why.span, why.label.replace("{}", expected_text))]

    def mismatch(self, expected, found, span, why, clash, term, env) -> Diagnostic:
        """The diagnostic for two types that differ (T001, or T004 against a signature)."""
        namer = Namer((expected, found))
        exp, fnd = namer.show(expected), namer.show(found)
        notes = [f"expected because {why.text}"]
        origin = env.get(term.name) if env is not None and isinstance(term, c.Var) else None
        if origin is not None and origin.origin:
            notes.append(f"`{term.name}` is {origin.origin}")
        rigid = next((t for t in (clash.expected, clash.found) if isinstance(t, TRigid)), None)
        if rigid is not None:
            other = clash.found if rigid is clash.expected else clash.expected
            return Diagnostic(
                "error", "T004", "the signature is more general than the definition", span,
                label=f"expected `{exp}`, found `{fnd}`", labels=self._why_labels(why, exp),
                notes=notes + [f"`{rigid.name}` in the signature stands for any type, but here "
                               f"it would have to be `{namer.show(other)}`"],
                help="make the signature less general, or declare it with `unchecked` if "
                     "the definition is right")
        return Diagnostic("error", "T001", "mismatched types", span,
                          label=f"expected `{exp}`, found `{fnd}`",
                          labels=self._why_labels(why, exp), notes=notes)

    def not_a_function(self, head, head_type, count: int, span, arg_span) -> TypeFailure:
        """T003: applying a value whose type is not a function."""
        t = Namer((head_type,)).show(head_type)
        name = _head_name(head)
        if count == 0:
            return TypeFailure(Diagnostic(
                "error", "T003", f"{name} is not a function", span,
                label=f"this has type `{t}`, so it cannot be applied to an argument"))
        plural = "s" if count != 1 else ""
        return TypeFailure(Diagnostic(
            "error", "T003", f"too many arguments: {name} takes {count} argument{plural}",
            arg_span, label="this argument is one too many",
            notes=[f"after {count} argument{plural} the result has type `{t}`, "
                   "which is not a function"]))

    # -- terms ---------------------------------------------------------------------------------

    def fresh(self) -> TVar:
        """A new unknown at the current level."""
        return TVar(self.level)

    def check(self, t, expected, why: Why, env: dict, outer: Span | None) -> None:
        """Make the type of `t` equal `expected`, reporting at the innermost span possible.

        The last field of a constructor is checked by the loop, not by recursion, so that a
        list literal of a million elements does not hold a million frames.
        """
        while True:
            span = t.span or outer
            if t.span is not None and t.span in self.rule_bodies and not why.fixed:
                why = self._rule_why(t.span, expected, why)
            if not isinstance(t, c.Ctr) or not t.args:
                break
            fields, result = self._ctr(t.name)
            self.expect(expected, result, span, why, t, env)
            last = len(t.args) - 1
            self._fields(t.name, t.args[:last], fields, env, span)
            if last >= len(fields):
                return
            t, expected, why, outer = t.args[last], fields[last], _field_why(last, t.name), span
        match t:
            case c.Lam(name=n, body=b):
                target = prune(expected)
                if isinstance(target, TVar):
                    self.expect(target, fun(self.fresh(), self.fresh()), span, why)
                    target = prune(target)
                if is_any(target):
                    target = fun(ANY, ANY)
                if isinstance(target, TCon) and target.name == "->":
                    self._bind_param(n, target.args[0], env, lambda e: self.check(
                        b, target.args[1], why, e, span))
                    return
            case c.Let(name=n, value=v, body=b):
                self._let(n, v, env, span, lambda e: self.check(b, expected, why, e, span))
                return
            case c.LetTup() | c.Dup():
                self._destructure(t, env, span, lambda e: self.check(t.body, expected, why, e,
                                                                      span))
                return
            case c.Match() | c.Switch():
                self._match(t, expected, why, env, span)
                return
        self.expect(expected, self.infer(t, env, span), span, why, t, env)

    def _first_rule(self, t) -> int:
        """The lowest rule number whose body lies inside `t` (rules are checked in order)."""
        best, stack = 1 << 30, [t]
        while stack:
            u = stack.pop()
            found = self.rule_bodies.get(u.span) if u.span is not None else None
            if found is not None:
                best = min(best, found[1])
                continue
            stack.extend(c.children(u))
        return best

    def _rule_why(self, span: Span, expected, why: Why) -> Why:
        """The reason for the result of a rule: the same type as the first rule checked."""
        name, number = self.rule_bodies[span]
        first = self.first_rule.get(name)
        if first is None or first[0] == number:
            self.first_rule[name] = (number, span)
            return why
        return Why(f"every rule of `{name}` returns the same type (this is rule {number})",
                   first[1], f"rule {first[0]} returns `{{}}`")

    def infer(self, t, env: dict, outer: Span | None):
        """The type of `t`."""
        span = t.span or outer
        match t:
            case c.Var(name=n) if n.startswith("$"):
                return self.unscoped.setdefault(n, TVar(1))
            case c.Var(name=n):
                b = env.get(n)
                if b is None:
                    return ANY
                return instantiate(b.type, self.level) if b.generic else b.type
            case c.Ref(name=n):
                return self._ref(n)
            case c.Num():
                return NUM
            case c.Era():
                return self.fresh()
            case c.Lam(name=n, body=b):
                param = self.fresh()
                result = self._bind_param(n, param, env, lambda e: self.infer(b, e, span))
                return fun(param, result)
            case c.App():
                return self._app(t, env, span)
            case c.Op2(op=op, left=l, right=r):
                self.check(l, NUM, Why(f"this is the 1st argument of `{op}`"), env, span)
                self.check(r, NUM, Why(f"this is the 2nd argument of `{op}`"), env, span)
                return NUM
            case c.Sup(a=a, b=b):
                ta = self.infer(a, env, span)
                self.check(b, ta, Why("both sides of a superposition have the same type",
                                      a.span, "this side is `{}`"), env, span)
                return ta
            case c.Tup(a=a, b=b):
                return pair(self.infer(a, env, span), self.infer(b, env, span))
            case c.Ctr(name=n, args=args):
                fields, result = self._ctr(n)
                self._fields(n, args, fields, env, span)
                return result
            case c.Let() | c.LetTup() | c.Dup() | c.Match() | c.Switch():
                result = self.fresh()
                self.check(t, result, Why("it is the value of this expression"), env, outer)
                return result
        raise TypeError(f"not a desugared core term: {t!r}")

    def _ref(self, name: str):
        if name in self.types:
            t = self.types[name]
            return t if name in self.mono else instantiate(t, self.level)
        if name in self.schemes.ctrs:
            fields, result = self._ctr(name)
            out = result
            for f in reversed(fields):
                out = fun(f, out)
            return out
        if name in self.schemes.refs:
            return instantiate(self.schemes.refs[name], self.level)
        return ANY

    def _ctr(self, name: str, fresh: dict | None = None):
        """Field types and result type of constructor `name`, instantiated."""
        fresh = {} if fresh is None else fresh
        fields, result = self.schemes.ctrs.get(name, ((), ANY))
        return ([instantiate(f, self.level, fresh) for f in fields],
                instantiate(result, self.level, fresh))

    def _fields(self, name: str, args: list, fields: list, env: dict, span) -> None:
        for i, (arg, ft) in enumerate(zip(args, fields)):
            self.check(arg, ft, _field_why(i, name), env, span)

    def _bind_param(self, name, type_, env: dict, body):
        if name is None:
            return body(env)
        if name.startswith("$"):
            self.expect(self.unscoped.setdefault(name, TVar(1)), type_, None, Why(
                f"`{name}` has one type in the whole definition"))
            return body(env)
        return extended(env, [(name, Binding(type_))], body)

    def _let(self, name, value, env: dict, span, body):
        self.level += 1
        t = self.infer(value, env, span)
        self.level -= 1
        if name is None:
            return body(env)
        generalize(t, self.level)
        return extended(env, [(name, Binding(t, generic=True))], body)

    def _destructure(self, t, env: dict, span, body):
        if isinstance(t, c.Dup):
            tv = self.infer(t.value, env, span)
            ta = tb = tv
        else:
            ta, tb = self.fresh(), self.fresh()
            self.check(t.value, pair(ta, tb), Why("it is destructured as a tuple"), env, span)
        return extended(env, [(name, Binding(ty)) for name, ty in ((t.a, ta), (t.b, tb))
                              if name is not None], body)

    def _app(self, t, env: dict, span):
        spine = []
        head = t
        while isinstance(head, c.App):
            spine.append(head.arg)
            head = head.fun
        spine.reverse()
        ht = self.infer(head, env, span)
        for i, arg in enumerate(spine):
            target = prune(ht)
            if isinstance(target, TVar):
                self.expect(target, fun(self.fresh(), self.fresh()), head.span or span,
                            Why(f"{_head_name(head)} is applied to an argument"))
                target = prune(target)
            if is_any(target):
                self.infer(arg, env, span)
                continue
            if not (isinstance(target, TCon) and target.name == "->"):
                raise self.not_a_function(head, target, i, head.span or span,
                                          arg.span or span)
            self.check(arg, target.args[0],
                       Why(f"this is the {ordinal(i + 1)} argument of {_head_name(head)}"),
                       env, span)
            ht = target.args[1]
        return ht

    def _match(self, t, expected, why: Why, env: dict, span) -> None:
        """Type a Match / Switch: the scrutinee through the patterns, every arm as `expected`."""
        unknown = isinstance(prune(expected), TVar) and not why.fixed
        arms = []
        if isinstance(t, c.Switch):
            self.check(t.scrutinee, NUM, Why("it is matched against numbers"), env, span)
            arms.append((t.zero, [], "`0`"))
            pred = [] if t.pred is None else [(t.pred, Binding(
                NUM, origin="the number matched minus 1"))]
            arms.append((t.succ, pred, "`1+`"))
        else:
            fresh: dict = {}
            adt = self.schemes.adts.get(t.adt, ANY)
            self.check(t.scrutinee, instantiate(adt, self.level, fresh),
                       Why(f"it is matched against the constructors of `{t.adt}`"), env, span)
            for case in t.cases:
                fields, _ = self._ctr(case.ctr, fresh)
                bound = []
                for i, (name, ft) in enumerate(zip(case.fields, fields)):
                    if name is not None:
                        where = case.span
                        at = f" (bound at {where.line}:{where.col})" if where else ""
                        bound.append((name, Binding(ft, origin=f"the {ordinal(i + 1)} field "
                                                               f"of `{case.ctr}`{at}")))
                arms.append((case.body, bound, f"`{case.ctr}`"))
        first = None
        if self.rule_bodies:
            arms.sort(key=lambda arm: self._first_rule(arm[0]))
        for body, bound, what in arms:
            arm_why = why
            if unknown and first is not None:
                arm_why = Why(f"every arm of a `match` has the same type (this is the "
                              f"{what} arm)", first, "the first arm is `{}`")
            extended(env, bound, lambda e: self.check(body, expected, arm_why, e, span))
            first = first or body.span or span



def references(t) -> set:
    """Names of the definitions and constructors that `t` refers to."""
    out, stack = set(), [t]
    while stack:
        u = stack.pop()
        if isinstance(u, c.Ref):
            out.add(u.name)
        stack.extend(c.children(u))
    return out


def groups(book: c.Book) -> list:
    """Strongly connected components of the definitions' reference graph, callees first."""
    deps = {name: sorted(references(d.body) & book.defs.keys()) for name, d in book.defs.items()}
    order = {name: i for i, name in enumerate(book.defs)}
    return [sorted(group, key=order.__getitem__) for group in components(deps)]
