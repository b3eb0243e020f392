"""Read-back terms: resugaring, placement of floating lets, and printing (SPEC §2 "Output").

Input: the term and floating lets that `readback` builds. A term is a list named by its first
item:
    ["var", Binder]   ["lam", Binder | None, body, tag]   ["app", fun, arg, tag]   ["num", n]
    ["era"]   ["ref", name]   ["unk"]   ["op", code, left, right]   ["sup", label, a, b]
    ["tup", a, b]   ["swi", scrutinee, zero, pred, succ]
    ["let", "dup" | "tup", label, [Binder | None, Binder | None], value, node]
Resugaring (in place) adds ["ctr", name, args], ["list", items reversed], ["str", codes
reversed], ["nat", n] and ["match", tag, scrutinee, [["arm", ctr, binders, body], ..]], after
the tagged-Scott encoding of docs/design.md. Output: one line of text, variables named a, b, ..
in order of appearance. Every pass is iterative: a 10,000-element list is a deep term.
"""
from __future__ import annotations

from .netutil import wire_name
from .ops import OPERATORS

CHILDREN = {"lam": (2,), "app": (1, 2), "op": (2, 3), "sup": (2, 3), "tup": (1, 2),
            "swi": (1, 2, 4)}
ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


class Binder:
    """A variable binder; `name` is given when the binder or a use is first printed."""
    __slots__ = ("name", "tag")

    def __init__(self, tag=None):
        self.name = None
        self.tag = tag


# ---------------------------------------------------------------------------------------------
# Resugaring

def resugar(term: list, lets: list, adts: dict) -> list:
    """`term` and every let value with constructors, lists, strings, nats and matches."""
    cell = [term]
    for rewrite in (_value, _match):
        _bottom_up(cell, 0, rewrite, adts)
        for let in lets:
            _bottom_up(let, 4, rewrite, adts)
    return cell[0]


def _slots(t: list) -> list:
    """(container, index) of each direct sub-term of `t`."""
    kind = t[0]
    if kind in CHILDREN:
        return [(t, c) for c in CHILDREN[kind]]
    if kind == "ctr":
        return [(t[2], i) for i in range(len(t[2]))]
    if kind == "list":
        return [(t[1], i) for i in range(len(t[1]))]
    if kind == "match":
        return [(t, 2)] + [(arm, 3) for arm in t[3]]
    return []


def _bottom_up(parent: list, idx: int, rewrite, adts: dict):
    """Replace each sub-term t of parent[idx] by rewrite(t, parent, index), children first."""
    stack = [(parent, idx, False)]
    while stack:
        p, i, done = stack.pop()
        t = p[i]
        if done:
            p[i] = rewrite(t, p, i, adts)
            continue
        stack.append((p, i, True))
        stack += [(c, j, False) for c, j in _slots(t)]


def _value(t: list, parent: list, idx: int, adts: dict) -> list:
    """Pass 1: ADT values (`n` tagged λs around `#T (c_i args..)`) and switch arms."""
    if t[0] == "swi":
        succ = t[4]
        if succ[0] == "lam" and succ[3] is None:
            t[3], t[4] = succ[1], succ[2]
        elif succ[0] == "era":
            t[3] = None
        else:
            t[3] = Binder()
            t[4] = ["app", succ, ["var", t[3]], None]
        return t
    if t[0] != "lam" or t[3] not in adts:
        return t
    tag = t[3]
    if parent[0] == "lam" and idx == 2 and parent[3] == tag:
        return t            # the outermost λ of the chain decides
    ctrs = adts[tag].ctrs
    binders, cur = [], t
    while len(binders) < len(ctrs) and cur[0] == "lam" and cur[3] == tag:
        binders.append(cur[1])
        cur = cur[2]
    if len(binders) < len(ctrs):
        return t
    args = []
    while cur[0] == "app" and cur[3] == tag:
        args.append(cur[2])
        cur = cur[1]
    chosen = [i for i, b in enumerate(binders) if b is not None]
    if cur[0] != "var" or len(chosen) != 1 or cur[1] is not binders[chosen[0]]:
        return t
    name, arity = ctrs[chosen[0]]
    if arity != len(args):
        return t
    args.reverse()
    return _constructor(name, args)


def _constructor(name: str, args: list) -> list:
    """Lists, strings and nats as literals; any other constructor as ["ctr", ..]."""
    if name == "List.nil":
        return ["list", []]
    if name == "String.nil":
        return ["str", []]
    if name == "Nat.zero":
        return ["nat", 0]
    if name == "List.cons" and args[1][0] == "list":
        args[1][1].append(args[0])
        return args[1]
    if name == "String.cons" and args[0][0] == "num" and args[1][0] == "str":
        args[1][1].append(args[0][1])
        return args[1]
    if name == "Nat.succ" and args[0][0] == "nat":
        args[0][1] += 1
        return args[0]
    return ["ctr", name, args]


def _match(t: list, parent: list, idx: int, adts: dict) -> list:
    """Pass 2: a stuck ADT match `#T (.. (#T (x arm_0) ..) arm_n-1)` as `match x { .. }`."""
    if t[0] != "app" or t[3] not in adts:
        return t
    tag = t[3]
    if parent[0] == "app" and idx == 1 and parent[3] == tag:
        return t            # the outermost application of the spine decides
    ctrs = adts[tag].ctrs
    args, cur = [], t
    while cur[0] == "app" and cur[3] == tag:
        args.append(cur[2])
        cur = cur[1]
    if len(args) != len(ctrs):
        return t
    args.reverse()
    arms = []
    for (name, arity), arm in zip(ctrs, args):
        fields = []
        for _ in range(arity):
            if arm[0] != "lam" or arm[3] != tag:
                return t
            fields.append(arm[1])
            arm = arm[2]
        arms.append(["arm", name, fields, arm])
    return ["match", tag, cur, arms]


def string_of(term: list) -> str | None:
    """The text of a resugared string term, else None."""
    if term[0] != "str":
        return None
    return "".join(chr(c) if _is_char(c) else "\ufffd" for c in reversed(term[1]))


def _is_char(code: int) -> bool:
    return code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def _quote(codes: list) -> str:
    out = ['"']
    for code in reversed(codes):
        c = chr(code) if _is_char(code) else ""
        if c in ESCAPES:
            out.append(ESCAPES[c])
        elif c and c.isprintable():
            out.append(c)
        else:
            out.append(f"\\u{{{code:x}}}")
    out.append('"')
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Placing floating lets: each goes just inside the innermost scope binding what its value uses

def _scopes(root: list) -> dict:
    """Binder -> (depth, scope) for each binder introduced in `root`; a scope is the λ, the
    switch or the match arm whose body the binder is visible in."""
    found: dict = {}
    stack = [(root, 0)]
    while stack:
        t, d = stack.pop()
        kind = t[0]
        if kind == "lam":
            found[t[1]] = (d + 1, t)
            stack.append((t[2], d + 1))
        elif kind == "swi":
            found[t[3]] = (d + 1, t)
            stack += [(t[1], d), (t[2], d), (t[4], d + 1)]
        elif kind == "match":
            stack.append((t[2], d))
            for arm in t[3]:
                found.update((b, (d + 1, arm)) for b in arm[2])
                stack.append((arm[3], d + 1))
        else:
            stack += [(c[i], d) for c, i in _slots(t)]
    found.pop(None, None)
    return found


def _uses(root: list) -> list:
    """Every binder used by a variable of `root`."""
    found, stack = [], [root]
    while stack:
        t = stack.pop()
        if t[0] == "var":
            found.append(t[1])
        else:
            stack += [c[i] for c, i in _slots(t)]
    return found


def _place(term: list, lets: list) -> dict:
    """Scope (by id; None = top) -> its lets, each after the lets its value depends on."""
    binder_scope = _scopes(term)
    inner = {id(let): _scopes(let[4]) for let in lets}
    for scopes in inner.values():
        binder_scope.update(scopes)
    owner = {b: let for let in lets for b in let[3] if b is not None}
    dep_lets, dep_scopes = {}, {}
    for let in lets:
        uses = [b for b in _uses(let[4]) if b not in inner[id(let)]]
        dep_lets[id(let)] = [owner[b] for b in uses if b in owner and owner[b] is not let]
        dep_scopes[id(let)] = [binder_scope[b] for b in uses if b in binder_scope]
    anchor: dict = {}
    state: dict = {}
    at: dict = {}
    for start in lets:
        stack = [start]
        while stack:
            let = stack[-1]
            key = id(let)
            if key not in state:
                state[key] = "open"
                stack += [d for d in dep_lets[key] if id(d) not in state]
                continue
            stack.pop()
            if state[key] == "done":
                continue
            state[key] = "done"
            options = dep_scopes[key] + [anchor[id(d)] for d in dep_lets[key] if id(d) in anchor]
            anchor[key] = max(options, key=lambda o: o[0], default=(0, None))
            scope = anchor[key][1]
            at.setdefault(None if scope is None else id(scope), []).append(let)
    return at


# ---------------------------------------------------------------------------------------------
# Printing

def render(term: list, lets: list) -> str:
    """The term on one line, floating lets placed, variables named a, b, .. as they appear."""
    printer = _Printer(_place(term, lets))
    return printer.run(printer.lets_at(None) + [term])


def _wrap(t: list) -> list:
    """A λ followed by more text in the same brackets gets parentheses: its body would go on."""
    return ["(", t, ")"] if t[0] == "lam" else [t]


def _label(label) -> str:
    return f"#{label}" if isinstance(label, str) else ""


def _tag(tag) -> str:
    return f"#{tag} " if tag is not None else ""


class _Printer:
    """Expands terms into text pieces with an explicit stack."""

    def __init__(self, at: dict):
        self.at = at
        self.count = 0

    def lets_at(self, scope) -> list:
        return self.at.get(scope if scope is None else id(scope), [])

    def run(self, items: list) -> str:
        out: list = []
        stack = list(reversed(items))
        while stack:
            x = stack.pop()
            if isinstance(x, str):
                out.append(x)
            elif x is None:
                out.append("*")
            elif isinstance(x, Binder):
                if x.name is None:
                    x.name = wire_name(self.count)
                    self.count += 1
                out.append(x.name)
            else:
                stack.extend(reversed(self._parts(x)))
        return "".join(out)

    def _parts(self, t: list) -> list:
        kind = t[0]
        if kind == "var":
            return [t[1]]
        if kind == "lam":
            return [_tag(t[3]) + "λ", t[1], " "] + self.lets_at(t) + [t[2]]
        if kind == "app":
            args, cur = [t[2]], t[1]
            while cur[0] == "app" and cur[3] == t[3]:
                args += [" "] + _wrap(cur[2])[::-1]
                cur = cur[1]
            args += [" "] + _wrap(cur)[::-1] + [_tag(t[3]) + "("]
            return args[::-1] + [")"]
        if kind == "num":
            return [str(t[1])]
        if kind == "ref":
            return [t[1]]
        if kind in ("era", "unk"):
            return ["*" if kind == "era" else "<?>"]
        if kind == "op":
            return [f"({OPERATORS[t[1]]} "] + _wrap(t[2]) + [" ", t[3], ")"]
        if kind == "sup":
            return [_label(t[1]) + "{"] + _wrap(t[2]) + [" ", t[3], "}"]
        if kind == "tup":
            items, cur = ["("], t
            while cur[0] == "tup":
                items += _wrap(cur[1]) + [", "]
                cur = cur[2]
            return items + [cur, ")"]
        if kind == "swi":
            return (["match ", t[1], " { 0: ", t[2], "; 1+", t[3], ": "] + self.lets_at(t)
                    + [t[4], " }"])
        if kind == "match":
            parts = ["match ", t[2], " { "]
            for i, arm in enumerate(t[3]):
                parts.append("; " + arm[1] if i else arm[1])
                for f in arm[2]:
                    parts += [" ", f]
                parts += [": "] + self.lets_at(arm) + [arm[3]]
            return parts + [" }"]
        if kind == "ctr":
            if not t[2]:
                return [t[1]]
            parts = ["(" + t[1]]
            for a in t[2][:-1]:
                parts += [" "] + _wrap(a)
            return parts + [" ", t[2][-1], ")"]
        if kind == "list":
            parts = ["["]
            for i, item in enumerate(reversed(t[1])):
                parts += ([", "] if i else []) + (_wrap(item) if i < len(t[1]) - 1 else [item])
            return parts + ["]"]
        if kind == "str":
            return [_quote(t[1])]
        if kind == "nat":
            return [f"#{t[1]}"]
        if t[1] == "dup":
            return ["let " + _label(t[2]) + "{", t[3][0], " ", t[3][1], "} = ", t[4], "; "]
        return ["let (", t[3][0], ", ", t[3][1], ") = ", t[4], "; "]
