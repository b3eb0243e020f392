"""The reference backend: a small pure-Python reducer, the oracle the other backends are tested on.

Input: a net.Book and RunOptions. Output: a RunResult whose net is the normal form (the root
tree; a cycle that no tree can hold comes back as a redex `& w ~ tree`), the ports recorded by
the HVM.log / HVM.print sinks, and the counters of docs/design.md "Interaction rules".

State: one Python object per node; its list `p` holds the peer of each port as a `(node, slot)`
pair, slot 0 being the principal port. A rule relinks through the ports of the two nodes it
consumes, reading each peer only when it needs it, so wires between those two nodes need no
special case. Redexes wait on two LIFO stacks, REF expansions on the lower-priority one. Each
expansion of a definition adds a fresh base to its int DUP labels; str labels and CON tags stay.
Result trees name wires a, b, .. and number fresh labels 0, 1, .. in order of first appearance
(root first, then each output), as the cpu backend does, so results compare equal.
"""
from __future__ import annotations

import time

from .. import net, ops
from ..netutil import wire_name
from ..portgraph import flatten, paused_gc
from .api import (Interrupted, OutOfMemory, RewriteLimit, RunOptions, RunResult, Stats, Timeout,
                  format_size)

SINK, ERA, REF, NUM, CON, DUP, OP, SWI, HOLD = range(9)   # HOLD: the root or an output slot
NULLARY = (SINK, ERA, REF, NUM)
BINARY = (CON, DUP, OP, SWI)
WEIGHT = [0, 0, 0, 0, 1, 1, 1, 1, 0]        # heap nodes per node of each kind
ANNI, COMM, ERAS, DREF, OPER = range(5)
NODE_BYTES = 32
CHECK_EVERY = 1024                          # interactions between two clock readings

# The rule table (docs/design.md): kinds of one side, kinds of the other, whether both nodes
# have the same kind and label (None: either), rule, counter. The first matching row wins and
# its rule gets the side listed first as its first argument.
RULES = [
    ((SINK,), NULLARY + BINARY, None, "record", DREF),
    ((ERA, REF, NUM), (ERA, REF, NUM), None, "void", ERAS),
    ((ERA,), BINARY, None, "erase", ERAS),
    ((NUM,), (CON, DUP), None, "copy", COMM),
    ((REF,), (DUP,), None, "copy", COMM),
    ((REF,), (CON, OP, SWI), None, "expand", DREF),
    ((NUM,), (OP,), None, "operate", OPER),
    ((NUM,), (SWI,), None, "switch", OPER),
    (BINARY, BINARY, True, "annihilate", ANNI),
    (BINARY, BINARY, False, "commute", COMM),
]


KEEPS_SECOND = ("expand", "record")         # rules whose second node stays in the net


def _table() -> dict:
    """(kind, kind, same) -> (rule name, counter, swap the two sides?)."""
    table: dict = {}
    for left, right, same, rule, counter in RULES:
        for a in left:
            for b in right:
                for s in ((True, False) if same is None else (same,)):
                    table.setdefault((a, b, s), (rule, counter, False))
                    table.setdefault((b, a, s), (rule, counter, True))
    return table


class Node:
    """One node: kind, label (CON tag, DUP label, operator code, number, name) and port peers."""
    __slots__ = ("kind", "lab", "p")

    def __init__(self, kind: int, lab=None):
        self.kind = kind
        self.lab = lab
        self.p = [None, None, None] if kind >= CON else [None]


def _kind_and_label(t) -> tuple:
    match t:
        case net.Era():
            return ERA, None
        case net.Ref(name=name):
            return (SINK if name in net.SINKS else REF), name
        case net.Num(value=v):
            return NUM, v & ops.MASK
        case net.Con(tag=tag):
            return CON, tag
        case net.Dup(label=label):
            return DUP, label
        case net.Op(code=code):
            return OP, code
        case net.Swi():
            return SWI, None
    raise TypeError(f"not a net tree: {t!r}")


class Template:
    """A definition compiled once: node kinds and labels, inner wires, the root's port."""
    __slots__ = ("kinds", "labs", "edges", "root", "span", "heap")

    def __init__(self, name: str, body: net.Net, defined):
        nodes, edges = flatten([body.root], body.redexes)
        pairs = [_kind_and_label(t) for t in nodes]
        for kind, lab in pairs:
            if kind == REF and lab not in defined:
                raise ValueError(f"@{name} refers to undefined definition @{lab}")
        self.kinds = [k for k, _ in pairs]
        self.labs = [lab for _, lab in pairs]
        self.edges = []
        for (i, s), (j, u) in edges:
            if i < 0:
                self.root = (j, u)
            elif j < 0:
                self.root = (i, s)
            else:
                self.edges.append((i, s, j, u))
        local = [lab for k, lab in pairs if k == DUP and isinstance(lab, int)]
        self.span = max(local) + 1 if local else 0
        self.heap = sum(WEIGHT[k] for k in self.kinds)


class Machine:
    """One run: the live nodes, the two redex stacks, counters and limits."""

    def __init__(self, book: net.Book, options: RunOptions):
        if book.entry not in book.nets:
            raise ValueError(f"entry point @{book.entry} is not defined")
        self.book, self.options = book, options
        self.templates = {name: Template(name, body, book.nets)
                          for name, body in book.nets.items()}
        self.rules = {key: (getattr(self, "_" + rule), counter, swap, rule == "expand",
                            rule in KEEPS_SECOND)
                      for key, (rule, counter, swap) in _table().items()}
        self.hi: list = []
        self.lo: list = []
        self.counts = [0] * 5
        self.total = self.live = self.peak = self.label = 0
        self.root = Node(HOLD)
        self.outputs: list = []      # (sink name, HOLD node) in order
        self.deadline = None

    # -- wiring ----------------------------------------------------------------------------

    def _link(self, x, y):
        xn, xs = x
        yn, ys = y
        xn.p[xs] = y
        yn.p[ys] = x
        if xs == 0 and ys == 0:
            rule, counter, swap, low, keep = self.rules[xn.kind, yn.kind,
                                                        xn.kind == yn.kind and xn.lab == yn.lab]
            if swap:
                xn, yn = yn, xn
            (self.lo if low else self.hi).append((rule, counter, xn, yn, keep))

    def _new(self, kind: int, lab) -> Node:
        self.live += 1
        return Node(kind, lab)

    def _instantiate(self, name: str, target):
        """Copy definition `name` with fresh local labels; link its root to port `target`."""
        t = self.templates[name]
        base = self.label
        self.label += t.span
        nodes = [Node(k, lab + base if k == DUP and isinstance(lab, int) else lab)
                 for k, lab in zip(t.kinds, t.labs)]
        self.live += t.heap
        for i, s, j, u in t.edges:
            self._link((nodes[i], s), (nodes[j], u))
        i, s = t.root
        self._link((nodes[i], s), target)

    # -- the rules (each consumes its two nodes) -------------------------------------------

    def _void(self, a, b):
        pass

    def _erase(self, era, b):
        self._link((Node(ERA), 0), b.p[1])
        self._link((Node(ERA), 0), b.p[2])

    def _copy(self, x, b):
        self._link((Node(x.kind, x.lab), 0), b.p[1])
        self._link((Node(x.kind, x.lab), 0), b.p[2])

    def _expand(self, ref, b):
        self._instantiate(ref.lab, (b, 0))

    def _operate(self, num, op):
        second, slot = op.p[1]
        if slot == 0 and second.kind == NUM:
            self._link((Node(NUM, ops.apply(op.lab, num.lab, second.lab)), 0), op.p[2])
            return
        flip = self._new(OP, op.lab ^ ops.FLIP)
        self._link((flip, 1), (Node(NUM, num.lab), 0))
        self._link((flip, 2), op.p[2])
        self._link((flip, 0), op.p[1])

    def _switch(self, num, swi):
        pair = self._new(CON, None)
        if num.lab == 0:
            self._link((pair, 1), swi.p[2])
            self._link((pair, 2), (Node(ERA), 0))
        else:
            succ = self._new(CON, None)
            self._link((pair, 1), (Node(ERA), 0))
            self._link((pair, 2), (succ, 0))
            self._link((succ, 1), (Node(NUM, num.lab - 1), 0))
            self._link((succ, 2), swi.p[2])
        self._link((pair, 0), swi.p[1])

    def _annihilate(self, a, b):
        self._link(a.p[1], b.p[1])
        self._link(a.p[2], b.p[2])

    def _commute(self, a, b):
        a1, a2 = self._new(a.kind, a.lab), self._new(a.kind, a.lab)
        b1, b2 = self._new(b.kind, b.lab), self._new(b.kind, b.lab)
        self._link((b1, 1), (a1, 1))
        self._link((b1, 2), (a2, 1))
        self._link((b2, 1), (a1, 2))
        self._link((b2, 2), (a2, 2))
        self._link((b1, 0), a.p[1])
        self._link((b2, 0), a.p[2])
        self._link((a1, 0), b.p[1])
        self._link((a2, 0), b.p[2])

    def _record(self, sink, x):
        slot = Node(HOLD)
        self._link((slot, 1), (x, 0))
        self.outputs.append((sink.lab, slot))

    # -- driving ---------------------------------------------------------------------------

    def _tick(self):
        """Count one interaction and enforce the limits."""
        self.total += 1
        if self.live > self.peak:
            self.peak = self.live
        options = self.options
        if options.max_rewrites is not None and self.total > options.max_rewrites:
            raise RewriteLimit(f"rewrite limit reached: more than {options.max_rewrites} "
                               "interactions (use -r to raise it)")
        if self.live * NODE_BYTES > options.mem_bytes:
            raise OutOfMemory(f"out of memory: the net needs more than "
                              f"{format_size(options.mem_bytes)} (use -m to raise it)")
        if (self.deadline is not None and self.total % CHECK_EVERY == 0
                and time.perf_counter() > self.deadline):
            raise Timeout(f"time limit reached: more than {options.timeout:g} s "
                          "(use --timeout to raise it)")

    def _reduce(self):
        hi, lo, counts = self.hi, self.lo, self.counts
        while hi or lo:
            rule, counter, a, b, keep = hi.pop() if hi else lo.pop()
            rule(a, b)
            a.p = None                   # consumed: dropping its ports frees it at once
            self.live -= WEIGHT[a.kind]
            if not keep:
                b.p = None
                self.live -= WEIGHT[b.kind]
            counts[counter] += 1
            self._tick()

    def _forceable(self) -> list:
        """REFs to non-recursive definitions in the trees of the root and the outputs."""
        found = []
        stack = [self.root.p[1]] + [slot.p[1] for _, slot in self.outputs]
        while stack:
            node, slot = stack.pop()
            if slot != 0:
                continue
            if node.kind >= CON:
                stack.append(node.p[2])
                stack.append(node.p[1])
            elif node.kind == REF and node.lab not in self.book.recursive:
                found.append(node)
        return found

    def normalize(self):
        """Boot `@entry ~ ROOT`, reduce, then force reachable references until none is left."""
        if self.options.timeout is not None:
            self.deadline = time.perf_counter() + self.options.timeout
        self.counts[DREF] += 1
        self._instantiate(self.book.entry, (self.root, 1))
        self._tick()
        while True:
            self._reduce()
            refs = self._forceable()
            if not refs:
                return
            for ref in refs:
                self.counts[DREF] += 1
                self._instantiate(ref.lab, ref.p[0])
                self._tick()

    def result(self) -> tuple:
        """The final state as net trees: (net.Net, [(sink name, tree), ..])."""
        ex = _Extractor()
        root = ex.tree_at((self.root, 1))
        outputs = [(name, ex.tree_at((slot, 1))) for name, slot in self.outputs]
        return net.Net(root, ex.cycles()), outputs


class _Extractor:
    """Live nodes -> net trees, naming wires and fresh labels in order of first appearance."""

    def __init__(self):
        self.waiting: dict = {}     # port whose wire is named but not yet met -> the name
        self.fresh: dict = {}       # runtime int label -> 0, 1, ..
        self.cut: set = set()       # nodes whose principal wire is cut to break a cycle
        self.count = 0

    def _wire(self, here, there) -> net.Wire:
        name = self.waiting.pop(here, None)
        if name is None:
            name = wire_name(self.count)
            self.count += 1
            self.waiting[there] = name
        return net.Wire(name)

    def tree_at(self, position) -> object:
        """The tree hanging at `position` (a port) through its peer."""
        return self._emit([position])

    def _open(self, node: Node, stack: list):
        if node.kind == DUP and isinstance(node.lab, int):
            self.fresh.setdefault(node.lab, len(self.fresh))
        stack += [node, (node, 2), (node, 1)]

    def _emit(self, stack: list) -> object:
        """Trees in pre-order: a stack item is a position to read or a Node to build."""
        out: list = []
        while stack:
            item = stack.pop()
            if type(item) is Node:
                b = out.pop()
                a = out.pop()
                out.append(self._binary(item, a, b))
                continue
            node, slot = item[0].p[item[1]]
            if slot != 0 or node in self.cut:
                out.append(self._wire(item, (node, slot)))
            elif node.kind >= CON:
                self._open(node, stack)
            elif node.kind == ERA:
                out.append(net.Era())
            elif node.kind == NUM:
                out.append(net.Num(node.lab))
            else:
                out.append(net.Ref(node.lab))
        return out[0]

    def _binary(self, node: Node, a, b):
        if node.kind == CON:
            return net.Con(node.lab, a, b)
        if node.kind == DUP:
            label = self.fresh[node.lab] if isinstance(node.lab, int) else node.lab
            return net.Dup(label, a, b)
        if node.kind == OP:
            return net.Op(node.lab, a, b)
        return net.Swi(a, b)

    def cycles(self) -> list:
        """`& w ~ tree` for each cycle that a wire already emitted leads into."""
        redexes = []
        while self.waiting:
            node = next(iter(self.waiting))[0]
            path = set()
            while node not in path:
                path.add(node)
                node = node.p[0][0]
            self.cut.add(node)
            wire = self._wire((node, 0), node.p[0])
            stack: list = []
            self._open(node, stack)
            redexes.append((wire, self._emit(stack)))
        return redexes


def run(book: net.Book, options: RunOptions) -> RunResult:
    """Reduce `book` from its entry point to normal form (see module docstring)."""
    machine = Machine(book, options)
    start = time.perf_counter()
    with paused_gc():
        try:
            machine.normalize()
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        elapsed = time.perf_counter() - start
        result, outputs = machine.result()
    c = machine.counts
    size = sum(isinstance(t, (net.Con, net.Dup, net.Op, net.Swi)) for t in net.walk(result.root))
    stats = Stats(anni=c[ANNI], comm=c[COMM], eras=c[ERAS], dref=c[DREF], oper=c[OPER],
                  time=elapsed, size=size, peak=machine.peak)
    return RunResult(net=result, stats=stats, outputs=outputs)
