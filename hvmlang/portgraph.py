"""Net trees -> a flat port graph, shared by the reference runtime (templates) and readback.

Input: root trees and redexes of `net.*` objects. Output: the nodes in pre-order (the `net.*`
objects themselves, `a` before `b`) and one edge per wire between two ports. A port is
`(node, slot)`: slot 0 is the principal port, 1 and 2 the aux ports of a binary node; node
`-1 - k` stands for the k-th root, whose one port is slot 0. Wires and redexes are resolved, so
an edge always joins two ports of nodes or roots (a redex is an edge between two slot-0 ports).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

from .net import Con, Dup, Op, Swi, Wire

BINARY = frozenset((Con, Dup, Op, Swi))


def flatten(roots, redexes=(), strict: bool = True) -> tuple[list, list]:
    """The nodes and edges of the net made of `roots` and `redexes` (see module docstring).

    With `strict`, a wire that does not occur exactly twice raises ValueError; otherwise its
    ends are left without an edge."""
    nodes: list = []
    edges: list = []
    hops: dict = {}          # redex side (None, k) -> the positions it is wired to
    first: dict = {}         # wire name -> the position of its first occurrence
    paired: set = set()

    def connect(x, y):
        if x[0] is not None and y[0] is not None:
            edges.append((x, y))
            return
        if x[0] is None:
            hops.setdefault(x, []).append(y)
        if y[0] is None:
            hops.setdefault(y, []).append(x)

    placements = [(tree, (-1 - k, 0)) for k, tree in enumerate(roots)]
    for r, (left, right) in enumerate(redexes):
        connect((None, 2 * r), (None, 2 * r + 1))
        placements += [(left, (None, 2 * r)), (right, (None, 2 * r + 1))]
    for tree, position in placements:
        stack = [(tree, position)]
        while stack:
            t, pos = stack.pop()
            kind = type(t)
            if kind is Wire:
                name = t.name
                if name in paired:
                    if strict:
                        raise ValueError(f"wire `{name}` occurs more than twice")
                elif name in first:
                    connect(first.pop(name), pos)
                    paired.add(name)
                else:
                    first[name] = pos
                continue
            i = len(nodes)
            nodes.append(t)
            connect(pos, (i, 0))
            if kind in BINARY:
                stack.append((t.b, (i, 2)))
                stack.append((t.a, (i, 1)))
    if first and strict:
        raise ValueError(f"wire `{next(iter(first))}` occurs only once")
    return nodes, edges + _through_redexes(hops)


def _through_redexes(hops: dict) -> list:
    """Edges between the real ports at the two ends of each chain of redex sides."""
    edges = []
    done = set()
    for side, ends in hops.items():
        for start in ends:
            if start[0] is None or start in done:
                continue
            prev, here = start, side
            while here is not None and here[0] is None:
                nxt = hops[here]
                if len(nxt) < 2:        # a dangling redex side (only without `strict`)
                    here = None
                else:
                    prev, here = here, (nxt[1] if nxt[0] == prev else nxt[0])
            done.add(start)
            if here is not None:
                edges.append((start, here))
                done.add(here)
    return edges


@contextmanager
def paused_gc():
    """Pause the cycle collector: on graphs of a million small objects it costs more than the
    work, and the users of this module free their nodes by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
