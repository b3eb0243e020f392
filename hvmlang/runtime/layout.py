"""Packing a net.Book into flat template arrays, and rebuilding net trees from exported ports.

Input: a net.Book (trees of net.*). Output of `pack`: a `Program` whose arrays the kernels of
`kernels.py` read (port layout documented there). A `Reader` turns the pre-order (tag, value)
pairs written by `heap_walk.export` back into net.* trees: wires named a, b, ... and fresh DUP
labels numbered 0, 1, ... in order of first appearance, so results do not depend on which
label ids the run handed out. Both directions are iterative (no recursion limit).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import net, ops
from ..netutil import wire_name
from .kernels import (ADDR_BITS, ADDR_MASK, CON, D_COLS, D_FORCE, D_FUSE, D_NDUP, D_NLAB, D_NLEN,
                      D_NOFF, D_RKX, D_RLEN, D_ROFF, D_ROOT, D_SPINE, D_VLEN, DUP, ERA, LAB_SHIFT,
                      LOCAL, NSINKS, NUM, OPR, REF, SWI, VAR)

SINK_IDS = {net.LOG_SINK: 0, net.PRINT_SINK: 1}
NO_WORD = (1 << 64) - 1   # -1 in the int64 view of the words: no partner word, no fusing root
BINARY = {net.Con: CON, net.Dup: DUP, net.Op: OPR, net.Swi: SWI}


@dataclass
class Program:
    """A packed book: definition templates and the tables that map ids back to names."""
    names: list          # definition id -> name (ids 0 and 1 are the sinks)
    entry: int
    words: np.ndarray    # one row of D_COLS per definition, then split templates (_split)
    width: int           # most nodes or vars of one definition (size of the scratch maps)
    links: int           # most links one interaction makes (redexes + spine + 1, >= 4)
    con_tags: list       # CON label id -> None / net.TUPLE / tag name
    dup_labels: list     # DUP label id -> fixed label name (ids 1..F; index 0 unused)
    uses_sinks: bool     # some template refers to HVM.log_sink or HVM.print_sink

    @property
    def first_fresh(self) -> int:
        """The first runtime label id given to definition-local DUP labels."""
        return len(self.dup_labels)


class _Labels:
    """Runtime label ids of CON tags and fixed DUP labels, in order of first use."""

    def __init__(self):
        self.con = {None: 0, net.TUPLE: 1}
        self.dup = {}

    def of(self, tree) -> int:
        if isinstance(tree, net.Con):
            return self.con.setdefault(tree.tag, len(self.con))
        if isinstance(tree, net.Dup):
            if isinstance(tree.label, int):
                if not 0 <= tree.label < LOCAL:
                    raise ValueError(f"local dup label {tree.label} out of range")
                return LOCAL | tree.label
            return self.dup.setdefault(tree.label, len(self.dup) + 1)
        if isinstance(tree, net.Op):
            if not 0 <= tree.code < 2 * ops.FLIP:
                raise ValueError(f"bad operator code {tree.code}")
            return tree.code
        return 0


class _Def:
    """One definition being packed: node ports, wires, local labels and the nodes that take
    them."""

    def __init__(self, name: str, ids: dict, labels: _Labels):
        self.name, self.ids, self.labels = name, ids, labels
        self.nodes: list[int] = []
        self.wires: dict[str, int] = {}
        self.uses: dict[str, int] = {}
        self.nlab = 0
        self.dups: list[int] = []   # i << LAB_SHIFT | node, per node with local label LOCAL | i
        self.sinks = False

    def leaf(self, tree) -> int:
        if isinstance(tree, net.Wire):
            v = self.wires.setdefault(tree.name, len(self.wires))
            self.uses[tree.name] = self.uses.get(tree.name, 0) + 1
            return v << 4 | VAR
        if isinstance(tree, net.Era):
            return ERA
        if isinstance(tree, net.Num):
            return (tree.value & ops.MASK) << 4 | NUM
        if isinstance(tree, net.Ref):
            if tree.name not in self.ids:
                raise ValueError(f"@{self.name} refers to undefined definition @{tree.name}")
            d = self.ids[tree.name]
            self.sinks |= d < NSINKS
            return d << 4 | REF
        raise TypeError(f"not a net tree: {tree!r}")

    def tree(self, tree) -> int:
        """Pack `tree`, its nodes numbered in pre-order second port first, so that the chain of
        second ports from its root (the spine kernels.expand fuses) is numbered 0, 1, 2, ...;
        return the port of its root."""
        out = [0]
        stack = [(tree, out, 0)]
        while stack:
            t, dest, k = stack.pop()
            tag = BINARY.get(type(t))
            if tag is None:
                dest[k] = self.leaf(t)
                continue
            lab = self.labels.of(t)
            i = len(self.nodes) // 2
            if tag == DUP and lab & LOCAL:
                self.nlab = max(self.nlab, (lab ^ LOCAL) + 1)
                self.dups.append((lab ^ LOCAL) << LAB_SHIFT | i)
            self.nodes += (0, 0)
            dest[k] = lab << LAB_SHIFT | i << 4 | tag
            stack.append((t.a, self.nodes, 2 * i))
            stack.append((t.b, self.nodes, 2 * i + 1))
        return out[0]

    def spine(self, root: int) -> int:
        """How many nodes from the root port on (node 0) each hold the next in their second
        port, none with a local label: the most that kernels.expand fuses."""
        n = 0
        while n < len(self.nodes) // 2:
            p = root if n == 0 else self.nodes[2 * n - 1]
            if p & 15 < CON or (p >> 4) & ADDR_MASK != n or is_local(p):
                break
            n += 1
        return n

    def check_wires(self):
        for name, count in self.uses.items():
            if count != 2:
                raise ValueError(f"wire `{name}` of @{self.name} occurs {count} times")


def pack(book: net.Book) -> Program:
    """Pack every definition of `book` into one program array."""
    if book.entry not in book.nets:
        raise ValueError(f"entry point @{book.entry} is not defined")
    names = [net.LOG_SINK, net.PRINT_SINK] + [n for n in book.nets if n not in SINK_IDS]
    ids = {name: i for i, name in enumerate(names)}
    labels = _Labels()
    rows = [[0] * D_COLS for _ in names]
    words, width, links, sinks = [], 1, 4, False
    for d in range(NSINKS, len(names)):
        name = names[d]
        body = book.nets[name]
        pd = _Def(name, ids, labels)
        root = pd.tree(body.root)
        redexes = [p for a, b in body.redexes for p in (pd.tree(a), pd.tree(b))]
        pd.check_wires()
        sinks |= pd.sinks
        base = len(names) * D_COLS + len(words)
        row = rows[d]
        row[D_NOFF], row[D_NLEN], row[D_VLEN] = base, len(pd.nodes) // 2, len(pd.wires)
        row[D_ROFF], row[D_RLEN] = base + len(pd.nodes), len(redexes) // 2
        row[D_NLAB], row[D_FORCE], row[D_ROOT] = pd.nlab, name not in book.recursive, root
        row[D_SPINE], row[D_NDUP] = pd.spine(root), len(pd.dups)
        row[D_FUSE] = root & ~ADDR_BITS if row[D_SPINE] else NO_WORD
        words += pd.nodes + redexes
        words += [None] * 2 * (len(pd.nodes) + len(redexes))  # scratch indices, partners
        words += pd.dups
        width = max(width, row[D_NLEN], row[D_VLEN])
        links = max(links, row[D_RLEN] + row[D_SPINE] + 1)
    _split(rows, words, len(names) * D_COLS, width)
    flat = [w for row in rows for w in row] + words
    return Program(names, ids[book.entry], np.array(flat, dtype=np.uint64).view(np.int64),
                   width, links, list(labels.con), [""] + list(labels.dup), sinks)


def is_local(p: int) -> bool:
    """Whether template port p is a DUP with a definition-local label."""
    return p & 15 == DUP and bool((p >> LAB_SHIFT) & LOCAL)


def _split_port(p: int, width: int, zero: int) -> tuple[int, int]:
    """Template port p as (bits kept, scratch slot, see kernels.place): a node port keeps its
    tag and label (a local label is the slot's, `label_dups`) and takes scr[node]; a VAR takes
    scr[width + var]; any other port takes the zero slot, scr[2 * width], which comes before the
    cpu kernels' link list so that the cuda kernel's scratch ends there."""
    t = p & 15
    if t == VAR:
        return 0, width + (p >> 4)
    if t >= CON:
        return (t if is_local(p) else p & ~ADDR_BITS), (p >> 4) & ADDR_MASK
    return p, zero


def _split(rows, words, start, width):
    """Rewrite each template port p (at x) and each root as `_split_port` gives it: the bits
    kept at x, the scratch slot at x + tlen. At x + 2 * tlen goes the partner of a VAR: the
    node word (offset from the first) holding the wire's other end, or -1 (any other port, or
    a wire whose other end is in a redex)."""
    zero = 2 * width
    for row in rows[NSINKS:]:
        off, tlen = row[D_NOFF] - start, 2 * (row[D_NLEN] + row[D_RLEN])
        ends: dict[int, list[int]] = {}     # wire -> its words (one when the root holds it)
        for x in range(off, off + tlen):
            words[x + 2 * tlen] = NO_WORD
            if words[x] & 15 == VAR:
                ends.setdefault(words[x] >> 4, []).append(x - off)
        for pair in ends.values():
            if len(pair) == 2:
                a, b = pair
                if b < 2 * row[D_NLEN]:
                    words[off + a + 2 * tlen] = b
                if a < 2 * row[D_NLEN]:
                    words[off + b + 2 * tlen] = a
        for x in range(off, off + tlen):
            words[x], words[x + tlen] = _split_port(words[x], width, zero)
        row[D_ROOT], row[D_RKX] = _split_port(row[D_ROOT], width, zero)


class Reader:
    """Turns the pre-order (tag, value) pairs of `heap_walk.export` into net trees, naming wires
    and fresh DUP labels in order of first appearance across every call."""

    def __init__(self, prog: Program):
        self.prog = prog
        self.wires: dict = {}       # var id (or negative cut id) -> name
        self.count: dict = {}       # var id -> occurrences so far
        self.fresh: dict = {}       # runtime label id -> 0, 1, ..
        self.refs: dict = {}

    def waiting(self):
        """The first wire, in naming order, whose other end has not been read yet (or None)."""
        return next((v for v, c in self.count.items() if c == 1), None)

    def trees(self, kinds: np.ndarray, vals: np.ndarray) -> list:
        """The trees written in pre-order, one per exported root."""
        prog, wires, count, fresh = self.prog, self.wires, self.count, self.fresh
        kl, vl = kinds.tolist(), vals.tolist()
        first = prog.first_fresh
        for i, k in enumerate(kl):
            if k == VAR:
                v = vl[i]
                count[v] = count.get(v, 0) + 1
                vl[i] = wires.setdefault(v, wire_name(len(wires)))
            elif k == DUP:
                v = vl[i]
                vl[i] = prog.dup_labels[v] if v < first else fresh.setdefault(v, len(fresh))
            elif k == CON:
                vl[i] = prog.con_tags[vl[i]]
        stack = []
        era = net.Era()
        for i in range(len(kl) - 1, -1, -1):
            k, v = kl[i], vl[i]
            if k >= CON:
                a = stack.pop()
                b = stack.pop()
                if k == CON:
                    stack.append(net.Con(v, a, b))
                elif k == DUP:
                    stack.append(net.Dup(v, a, b))
                elif k == OPR:
                    stack.append(net.Op(v, a, b))
                else:
                    stack.append(net.Swi(a, b))
            elif k == VAR:
                stack.append(net.Wire(v))
            elif k == NUM:
                stack.append(net.Num(v))
            elif k == REF:
                stack.append(self.refs.setdefault(v, net.Ref(prog.names[v])))
            else:
                stack.append(era)
        stack.reverse()
        return stack
