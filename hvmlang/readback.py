"""Readback: a result net -> a λ-term -> resugared text (SPEC §2 "Output (readback)").

Input: a `net.Net` or one tree, in normal form, and the `net.Book` it came from (ADT names).
Output: the printed term and a list of warnings; a strange net never raises, it reads as the
best partial term with `<?>` for what cannot be read.

Reading starts at the root and looks at the port each wire leads to: a CON principal is a λ
(a pair for TUPLE), a CON result port an application, a CON binder port a variable, a DUP
principal a superposition, an OP / SWI result port an operation / switch. A DUP aux port is a
duplicated variable: by default it is resolved by reading the DUP's value and, at each
superposition of the same label met on the way, taking the side it was entered by (one path
stack per label); with `linear=True`, or where that would not terminate, the dup is shown as
an explicit `let {a b} = value;`. Every walk uses explicit stacks and visited sets.
"""
from __future__ import annotations

from . import net, ops
from .portgraph import flatten, paused_gc
from .resugar import Binder, render, resugar, string_of

MAX_STEPS = 4_000_000

CYCLE = "readback: the result contains a cycle"
UNREADABLE = "readback: unreadable node (shown as <?>)"
DANGLING = "readback: a wire of the result leads outside it (shown as <?>)"
TOO_BIG = "readback: the result is too large to read back in full (the rest is shown as <?>)"

READ, LEAVE, PUSH, POP = range(4)     # task kinds of the reader's work stack


def _unknown() -> list:
    return ["unk"]


def _graph(tree_or_net) -> tuple[list, dict]:
    """The nodes of the net and the peer of every wired port."""
    if isinstance(tree_or_net, net.Net):
        roots, redexes = [tree_or_net.root], tree_or_net.redexes
    else:
        roots, redexes = [tree_or_net], []
    nodes, edges = flatten(roots, redexes, strict=False)
    peer: dict = {}
    for x, y in edges:
        peer[x] = y
        peer[y] = x
    return nodes, peer


class _Reader:
    """Walks the port graph of a net and builds a term (see module docstring)."""

    def __init__(self, graph: tuple, linear: bool, explicit: set):
        self.nodes, self.peer = graph
        self.linear = linear
        self.explicit = explicit       # dups shown as lets from the start
        self.fallbacks: set = set()    # dups that could not be resolved in this reading
        self.paths: dict = {}          # dup label -> stack of sides (0 / 1)
        self.depth = 0                 # entries in all path stacks
        self.active: set = set()       # (node, slot, paths) being read
        self.dups: dict = {}           # dup label -> how many DUP nodes carry it
        for t in self.nodes:
            if isinstance(t, net.Dup):
                self.dups[t.label] = self.dups.get(t.label, 0) + 1
        self.binders: dict = {}        # λ node -> Binder (None: erased)
        self.let_of: dict = {}         # dup / pair node -> its floating let
        self.lets: list = []
        self.warnings: list = []
        self.steps = 0

    def warn(self, message: str):
        if message not in self.warnings:
            self.warnings.append(message)

    def read(self) -> tuple[list, list]:
        """The term at the root and the floating lets, each value read with empty paths."""
        cell = [None]
        self._run([(READ, (-1, 0), cell, 0)])
        done = 0
        while done < len(self.lets):
            let = self.lets[done]
            done += 1
            self._run([(READ, (let[5], 0), let, 4)])
        return cell[0], self.lets

    def _run(self, stack: list):
        while stack:
            task = stack.pop()
            kind = task[0]
            if kind == READ:
                self._read(task[1], task[2], task[3], stack)
            elif kind == LEAVE:
                self.active.discard(task[1])
            elif kind == PUSH:
                self.paths[task[1]].append(task[2])
                self.depth += 1
            else:
                self.paths[task[1]].pop()
                self.depth -= 1

    def _enter(self, j: int, slot: int, stack: list, warn: bool = True) -> bool:
        """Mark node j entered by `slot` under the current paths; False if that is a cycle."""
        paths = frozenset((k, tuple(v)) for k, v in self.paths.items() if v) if self.depth else ()
        key = (j, slot, paths)
        if key in self.active:
            if warn:
                self.warn(CYCLE)
            return False
        self.active.add(key)
        stack.append((LEAVE, key))
        return True

    def _binder(self, j: int):
        if j not in self.binders:
            erased = isinstance(self._node_at((j, 1)), net.Era)
            self.binders[j] = None if erased else Binder(self.nodes[j].tag)
        return self.binders[j]

    def _node_at(self, pos):
        """The node whose principal port is wired to `pos`, else None."""
        q = self.peer.get(pos)
        return self.nodes[q[0]] if q is not None and q[1] == 0 and q[0] >= 0 else None

    def _let(self, j: int, kind: str) -> list:
        let = self.let_of.get(j)
        if let is None:
            outs = [None if isinstance(self._node_at((j, s)), net.Era) else Binder()
                    for s in (1, 2)]
            label = self.nodes[j].label if kind == "dup" else None
            let = ["let", kind, label, outs, None, j]
            self.let_of[j] = let
            self.lets.append(let)
        return let

    def _read(self, pos, parent: list, idx: int, stack: list):
        """Put the term whose value flows into `pos` at parent[idx]; schedule its parts."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.warn(TOO_BIG)
            parent[idx] = _unknown()
            return
        q = self.peer.get(pos)
        if q is None:
            self.warn(DANGLING)
            parent[idx] = _unknown()
            return
        j, slot = q
        t = self.nodes[j] if j >= 0 else None
        parts: tuple = ()
        if isinstance(t, net.Era):
            term = ["era"]
        elif isinstance(t, net.Num):
            term = ["num", t.value]
        elif isinstance(t, net.Ref):
            term = ["ref", t.name]
        elif isinstance(t, net.Con) and t.tag == net.TUPLE:
            if slot == 0:
                term, parts = ["tup", None, None], ((j, 1), 1, (j, 2), 2)
            else:
                term = ["var", self._let(j, "tup")[3][slot - 1]]
        elif isinstance(t, net.Con):
            if slot == 0:
                term, parts = ["lam", self._binder(j), None, t.tag], ((j, 2), 2)
            elif slot == 1:
                term = ["var", self._binder(j)]
            else:
                term, parts = ["app", None, None, t.tag], ((j, 0), 1, (j, 1), 2)
        elif isinstance(t, net.Dup):
            self._read_dup(j, slot, parent, idx, stack)
            return
        elif isinstance(t, net.Op) and slot == 2:
            left, right = ((j, 1), (j, 0)) if t.code >= ops.FLIP else ((j, 0), (j, 1))
            term, parts = ["op", t.code % ops.FLIP, None, None], (left, 2, right, 3)
        elif isinstance(t, net.Swi) and slot == 2 and self._is_pair((j, 1)):
            c = self.peer[(j, 1)][0]
            term = ["swi", None, None, None, None]
            parts = ((j, 0), 1, (c, 1), 2, (c, 2), 4)
        else:
            self.warn(UNREADABLE)
            term = _unknown()
        if parts and not self._enter(j, slot, stack):
            term = _unknown()
            parts = ()
        parent[idx] = term
        for k in range(len(parts) - 2, -1, -2):
            stack.append((READ, parts[k], term, parts[k + 1]))

    def _is_pair(self, pos) -> bool:
        t = self._node_at(pos)
        return isinstance(t, net.Con) and t.tag is None

    def _read_dup(self, j: int, slot: int, parent: list, idx: int, stack: list):
        label = self.nodes[j].label
        if slot == 0:
            path = self.paths.get(label)
            if not self._enter(j, slot, stack):
                parent[idx] = _unknown()
            elif path and not self.linear:
                side = path.pop()
                self.depth -= 1
                stack.append((PUSH, label, side))
                stack.append((READ, (j, side + 1), parent, idx))
            else:
                term = ["sup", label, None, None]
                parent[idx] = term
                stack.append((READ, (j, 2), term, 3))
                stack.append((READ, (j, 1), term, 2))
        elif self.linear or j in self.explicit or j in self.let_of:
            parent[idx] = ["var", self._let(j, "dup")[3][slot - 1]]
        elif (len(self.paths.get(label, ())) >= self.dups[label]
              or not self._enter(j, slot, stack, warn=False)):
            # Resolving would not terminate (the same state again, or a path deeper than the
            # dups of its label can consume): read again with this dup as a let.
            self.fallbacks.add(j)
            parent[idx] = ["var", self._let(j, "dup")[3][slot - 1]]
        else:
            self.paths.setdefault(label, []).append(slot - 1)
            self.depth += 1
            stack.append((POP, label))
            stack.append((READ, (j, 0), parent, idx))


def _read(tree_or_net, linear: bool) -> tuple[list, list, list]:
    """Term, lets and warnings; dups that cannot be resolved make the reading start over
    with them as lets, so that every use of such a dup shows its let."""
    graph = _graph(tree_or_net)
    explicit: set = set()
    while True:
        reader = _Reader(graph, linear, explicit)
        term, lets = reader.read()
        if reader.fallbacks <= explicit:
            return term, lets, reader.warnings
        explicit |= reader.fallbacks


def readback(tree_or_net, book: net.Book, linear: bool = False) -> tuple[str, list[str]]:
    """The result as text (resugared, SPEC §2) and the warnings met while reading it."""
    with paused_gc():
        term, lets, warnings = _read(tree_or_net, linear)
        return render(resugar(term, lets, book.adts), lets), warnings


def readback_string(tree, book: net.Book) -> str | None:
    """The text of a String value (what HVM.print prints), or None if `tree` is not one."""
    with paused_gc():
        term, lets, _ = _read(tree, False)
        return string_of(resugar(term, lets, book.adts))
