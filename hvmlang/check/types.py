"""Checker types: union-find type variables, constructors, rigid variables -> unification, text.

A type is a `TVar` (unknown, bound by unification), a `TCon` (`Num`, `Any`, `(List a)`,
functions `->`, pairs `,`) or a `TRigid` (a variable of a signature while its definition is
checked). Generalization uses levels: a variable whose level is `GENERIC` is quantified.
Printing names variables `a`, `b`, … in order of appearance, shared by one `Namer`.
"""
from __future__ import annotations

GENERIC = 1 << 30


class TVar:
    """A type variable: `ref` is the type it was unified with, or None while unknown."""
    __slots__ = ("ref", "level")

    def __init__(self, level: int):
        self.ref = None
        self.level = level


class TCon:
    """A type constructor applied to arguments: `Num`, `(List a)`, `->` functions, `,` pairs.

    `vars` caches the unknowns inside the type (see `_vars`): None until computed, `MANY`
    when there were too many to keep.
    """
    __slots__ = ("name", "args", "vars")

    def __init__(self, name: str, args: tuple = ()):
        self.name = name
        self.args = args
        self.vars = None if args else ()


class TRigid:
    """A variable written in a signature: equal only to itself while the body is checked."""
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


NUM = TCon("Num")
ANY = TCon("Any")


def fun(arg, res) -> TCon:
    """The function type `arg -> res`."""
    return TCon("->", (arg, res))


def funs(args: list, res):
    """`a1 -> .. -> an -> res`."""
    for a in reversed(args):
        res = fun(a, res)
    return res


def pair(a, b) -> TCon:
    """The pair type `(a, b)`; n-tuples nest to the right."""
    return TCon(",", (a, b))


def is_any(t) -> bool:
    """Whether `t` (already pruned) is `Any`."""
    return isinstance(t, TCon) and t.name == "Any"


def prune(t):
    """The representative of `t`: follow bound variables (with path compression)."""
    if not isinstance(t, TVar) or t.ref is None:
        return t
    root = t
    while isinstance(root, TVar) and root.ref is not None:
        root = root.ref
    while t is not root:
        t.ref, t = root, t.ref
    return root


def is_fun(t) -> bool:
    """Whether `t` is (now) a function type."""
    t = prune(t)
    return isinstance(t, TCon) and t.name == "->"


class Clash(Exception):
    """Unification met two different types (`expected` vs `found`, the innermost pair)."""

    def __init__(self, expected, found):
        super().__init__("type clash")
        self.expected, self.found = expected, found


class Occurs(Exception):
    """Unification would build an infinite type: `var` occurs in `type`."""

    def __init__(self, var, type_):
        super().__init__("infinite type")
        self.var, self.type = var, type_


def unify(expected, found) -> None:
    """Make `expected` and `found` equal or raise Clash / Occurs; `Any` equals anything.

    An expected unknown meeting a found `Any` becomes `Any` (the value is of any type); an
    expected `Any` leaves a found unknown alone (the place accepts anything).
    """
    stack = [(expected, found)]
    while stack:
        a, b = stack.pop()
        a, b = prune(a), prune(b)
        if isinstance(a, TVar) and is_any(b):
            a.ref = b
            continue
        if a is b or is_any(a) or is_any(b):
            continue
        if isinstance(a, TVar):
            _bind(a, b)
        elif isinstance(b, TVar):
            _bind(b, a)
        elif (isinstance(a, TCon) and isinstance(b, TCon) and a.name == b.name
              and len(a.args) == len(b.args)):
            stack.extend(reversed(list(zip(a.args, b.args))))
        else:
            raise Clash(a, b)


MANY = "many"     # `TCon.vars` of a type with more than VARS_CAP unknowns: not cached
VARS_CAP = 16


def _current(t: TCon) -> bool:
    """Whether the cache `t.vars` holds only unknowns that are still unbound (or is MANY)."""
    found = t.vars
    if found is None:
        return False
    if found is MANY:
        return True
    for x in found:
        if x.ref is not None:
            return False
    return True


def _vars(t: TCon):
    """The unknowns inside `t`, or MANY when there are more than VARS_CAP (cached in `t.vars`).

    A cache stays sound as unification goes on: a variable is only ever bound, never unbound,
    so every unknown now inside `t` is inside `prune(x)` for some `x` of the cache; a cache
    with bound variables is brought up to date from the caches of their types. So checking a
    type built one level on top of an already checked one costs O(1), not a walk of the whole
    type (deep nesting made type checking quadratic).
    """
    if _current(t):
        return t.vars
    stack = [(t, False)]
    while stack:
        node, ready = stack.pop()
        if _current(node):
            continue
        parts = node.args if node.vars is None else node.vars
        if not ready:
            stack.append((node, True))
            for a in parts:
                a = prune(a)
                if isinstance(a, TCon) and not _current(a):
                    stack.append((a, False))
            continue
        found: dict | None = {}
        for a in parts:
            a = prune(a)
            if isinstance(a, TVar):
                found[a] = None
            elif isinstance(a, TCon) and a.vars:
                if a.vars is MANY or len(found) + len(a.vars) > VARS_CAP:
                    found = None
                    break
                found.update(dict.fromkeys(a.vars))
            if len(found) > VARS_CAP:
                found = None
                break
        node.vars = MANY if found is None else tuple(found)
    return t.vars


def _bind(v: TVar, t) -> None:
    """Bind `v` to `t` after the occurs check, lowering the levels of variables in `t`.

    Walks the unknowns of `t` through the `_vars` caches (the parts of a type with too many
    unknowns are walked instead), visiting every type node at most once.
    """
    level = v.level
    seen: set = set()
    stack = [t]
    while stack:
        u = prune(stack.pop())
        if u is v:
            raise Occurs(v, t)
        if isinstance(u, TVar):
            if u.level > level:
                u.level = level
        elif isinstance(u, TCon) and u.args and id(u) not in seen:
            seen.add(id(u))
            found = _vars(u)
            stack.extend(u.args if found is MANY else found)
    v.ref = t


def generalize(t, level: int) -> None:
    """Quantify the unknowns of `t` created deeper than `level`."""
    stack = [t]
    while stack:
        u = prune(stack.pop())
        if isinstance(u, TVar):
            if level < u.level < GENERIC:
                u.level = GENERIC
        elif isinstance(u, TCon):
            stack.extend(u.args)


def instantiate(t, level: int, fresh: dict | None = None):
    """A copy of `t` with fresh variables (at `level`) for its quantified ones."""
    return _instantiate(t, level, {} if fresh is None else fresh)


def _instantiate(u, level: int, fresh: dict):
    # a plain function, not a closure: a recursive closure is a reference cycle, garbage that
    # only the cyclic collector frees (three per list element of a long list literal)
    u = prune(u)
    if isinstance(u, TVar):
        if u.level != GENERIC:
            return u
        if u not in fresh:
            fresh[u] = TVar(level)
        return fresh[u]
    if isinstance(u, TCon) and u.args:
        return TCon(u.name, tuple([_instantiate(a, level, fresh) for a in u.args]))
    return u


def replace(t, mapping: dict):
    """A copy of `t` (as now known) with the parts that are keys of `mapping` replaced."""
    t = prune(t)
    if t in mapping:
        return mapping[t]
    if isinstance(t, TCon) and t.args:
        return TCon(t.name, tuple(replace(a, mapping) for a in t.args))
    return t


# ---------------------------------------------------------------------------------------------
# Printing

class Namer:
    """Names unknowns `a`, `b`, … in order of appearance; rigid variables keep their names."""

    def __init__(self, types: tuple = ()):
        self.names: dict = {}
        self.taken = {u.name for t in types for u in _parts(t) if isinstance(u, TRigid)}

    def name(self, v) -> str:
        """The name of unknown `v`."""
        if v not in self.names:
            n = len(self.names)
            while True:
                text = _letters(n)
                n += 1
                if text not in self.taken:
                    break
            self.taken.add(text)
            self.names[v] = text
        return self.names[v]

    def show(self, t) -> str:
        """`t` as text, e.g. `(List a) -> Num`."""
        return _show(t, self, top=True)


def _parts(t):
    stack = [t]
    while stack:
        u = prune(stack.pop())
        yield u
        if isinstance(u, TCon):
            stack.extend(u.args)


def _letters(n: int) -> str:
    text = ""
    while True:
        text = chr(ord("a") + n % 26) + text
        n = n // 26 - 1
        if n < 0:
            return text


def _show(t, namer: Namer, top: bool = False) -> str:
    t = prune(t)
    if isinstance(t, TVar):
        return namer.name(t)
    if isinstance(t, TRigid):
        return t.name
    if t.name == "->":
        arg, res = t.args
        text = f"{_show(arg, namer)} -> {_show(res, namer, top=True)}"
        return text if top else f"({text})"
    if t.name == ",":
        items = [t.args[0]]
        rest = prune(t.args[1])
        while isinstance(rest, TCon) and rest.name == ",":
            items.append(rest.args[0])
            rest = prune(rest.args[1])
        items.append(rest)
        return "(" + ", ".join(_show(i, namer, top=True) for i in items) + ")"
    if not t.args:
        return t.name
    return "(" + " ".join([t.name] + [_show(a, namer) for a in t.args]) + ")"


def show(*types) -> list[str]:
    """Several types as text with one shared naming of their unknowns."""
    namer = Namer(types)
    return [namer.show(t) for t in types]
