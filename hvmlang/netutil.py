"""Net trees -> facts about them: canonical wire names, references, call-graph cycles, equality.

Every function walks trees with explicit stacks, so 10,000-deep trees are fine. Note that `==`
on deep `net` trees recurses through the dataclasses' generated `__eq__`: use `same_net`.
"""
from __future__ import annotations

from .graph import on_cycle
from .net import Con, Dup, Net, Op, Ref, Swi, Wire, walk

_BINARY = (Con, Dup, Op, Swi)


def wire_name(index: int) -> str:
    """The canonical name of the `index`-th wire: a .. z, aa, ab, .. az, ba, .. zz, aaa, .."""
    letters = []
    index += 1
    while index:
        index, digit = divmod(index - 1, 26)
        letters.append(chr(ord("a") + digit))
    return "".join(reversed(letters))


def trees(n: Net) -> list:
    """The trees of `n` in print order: the root, then each redex's left and right side."""
    out = [n.root]
    for left, right in n.redexes:
        out += [left, right]
    return out


def rebuild(tree, leaf):
    """A copy of `tree` with every leaf `t` replaced by `leaf(t)`; leaves are visited in order."""
    out: list = []
    stack: list = [tree]
    while stack:
        t = stack.pop()
        if type(t) is tuple:
            b = out.pop()
            a = out.pop()
            node = t[0]
            if isinstance(node, Con):
                out.append(Con(node.tag, a, b))
            elif isinstance(node, Dup):
                out.append(Dup(node.label, a, b))
            elif isinstance(node, Op):
                out.append(Op(node.code, a, b))
            else:
                out.append(Swi(a, b))
        elif isinstance(t, _BINARY):
            stack += [(t,), t.b, t.a]
        else:
            out.append(leaf(t))
    return out[0]


def rename_wires(n: Net) -> Net:
    """`n` with wires renamed a, b, .. in order of first appearance (root, then redexes)."""
    names: dict = {}

    def rename(t):
        if isinstance(t, Wire):
            if t.name not in names:
                names[t.name] = wire_name(len(names))
            return Wire(names[t.name])
        return t

    root = rebuild(n.root, rename)
    redexes = []
    for left, right in n.redexes:
        left = rebuild(left, rename)
        redexes.append((left, rebuild(right, rename)))
    return Net(root, redexes)


def refs(n: Net) -> list:
    """Names of every `@ref` in `n`, in print order, with repetitions."""
    return [t.name for tree in trees(n) for t in walk(tree) if isinstance(t, Ref)]


def _shape(t) -> tuple:
    """What identifies a tree node apart from its children (wires compare as equal)."""
    if isinstance(t, Con):
        return (Con, t.tag)
    if isinstance(t, Dup):
        return (Dup, t.label)
    if isinstance(t, Op):
        return (Op, t.code)
    if isinstance(t, (Swi, Wire)):
        return (type(t),)
    return (type(t), t)


def same_net(x: Net, y: Net) -> bool:
    """True when `x` and `y` are the same net up to a renaming of wires."""
    x, y = rename_wires(x), rename_wires(y)
    if len(x.redexes) != len(y.redexes):
        return False
    for tx, ty in zip(trees(x), trees(y)):
        nodes_x, nodes_y = list(walk(tx)), list(walk(ty))
        if len(nodes_x) != len(nodes_y):
            return False
        for a, b in zip(nodes_x, nodes_y):
            if _shape(a) != _shape(b) or (isinstance(a, Wire) and a.name != b.name):
                return False
    return True


def recursive_names(nets: dict) -> set:
    """Names of the definitions of `nets` that lie on a cycle of the reference graph."""
    return on_cycle({name: sorted({r for r in refs(n) if r in nets}) for name, n in nets.items()})
