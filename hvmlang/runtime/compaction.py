"""Compaction of the cpu kernel's heap: the nodes and wires in use move together, in scan order.

The free stacks hand an expansion whatever slots were freed last, so after a while the nodes of
one structure lie in as many cache lines as it has nodes, and a heap past the L2 cache's size
is read at the speed of memory (radix_sort's kernel ran 20-25% faster right after a
compaction). `gather` copies every node and wire that the roots reach (the ROOT wire, the
outputs, the redex stacks) as Cheney's collector does: each root in turn is copied, then the
copies are scanned in order, each port they hold being moved (if not moved yet) and rewritten
to its new place, until the scan catches up with the copies; so each root's structure lies
together, breadth-first. The scan knows the ports it will meet next and prefetches their nodes
and cells AHEAD entries early: the walks ran 25-45% faster than a depth-first walk with a stack
(which could prefetch only what it pushed last), and the kernel as fast after them. `settle`
then copies the nodes in use that no root reaches (cycles beside the root, which the readback
still shows; only then does it need the free nodes listed, so the cpu-parallel backend stacks
its free lists only then) and puts everything in slots 1, 2, ... and cells 2, 3, ... (ROOT
keeps cell 1). Ports are those of kernels.py; Numba's cache of this module is keyed on this
file, so a change of the port layout there must come with an edit here.
"""
from __future__ import annotations

from numba import njit

from .atomics import prefetch
from .kernels import ADDR_BITS, ADDR_MASK, CON, ROOT, TAG_MASK, VAR

FORWARD = 15         # a moved node's first word or a moved wire's cell: its new slot << 4 | 15
#                      (no port has tag 15)
FREE_MARK = -1       # a free node's first word while unreached nodes are looked for
AHEAD = 8            # how many ports before its turn a port's node or cell is prefetched
#                      (4 to 32 measured the same)


def scratch_words(used: int, wires: int) -> tuple:
    """Sizes of the copy and vcopy arrays of `gather` and `settle` for `used` nodes and
    `wires` cells in use."""
    return 2 * (used + 2), wires + 2


@njit(inline='always')
def move(nodes, vs, p, copy, vcopy, n, nv):
    """Port p rewritten to where its node or wire now is, moving it to slot n + 1 or cell
    nv + 1 (ROOT keeps its cell) the first time it is met: (port, n, nv). A moved node's
    first word and a moved wire's cell are left holding a forward to the new place."""
    t = p & TAG_MASK
    if t == VAR:
        v = p >> 4
        w = vs[v]
        if (w & TAG_MASK) == FORWARD and w > 0:
            return w & ADDR_BITS, n, nv
        new = ROOT
        if v != ROOT:
            nv += 1
            new = nv
        vcopy[new] = w
        vs[v] = (new << 4) | FORWARD
        return new << 4, n, nv
    if t < CON:
        return p, n, nv
    a = (p >> 4) & ADDR_MASK
    w = nodes[2 * a]
    if (w & TAG_MASK) == FORWARD and w > 0:
        return (p & ~ADDR_BITS) | (w & ADDR_BITS), n, nv
    n += 1
    take(nodes, a, n, copy)
    return (p & ~ADDR_BITS) | (n << 4), n, nv


@njit(inline='always')
def take(nodes, a, slot, copy):
    """Copy node a into its new slot's place in `copy` and leave a forward in its first word."""
    copy[2 * slot] = nodes[2 * a]
    copy[2 * slot + 1] = nodes[2 * a + 1]
    nodes[2 * a] = (slot << 4) | FORWARD


@njit(inline='always')
def ahead(nodes, vs, p):
    """Start loading what moving port p will read: its node, or its wire's cell."""
    t = p & TAG_MASK
    if t == VAR:
        prefetch(vs, p >> 4)
    elif t >= CON:
        prefetch(nodes, (p >> 3) & (ADDR_MASK << 1))


@njit(inline='always')
def scan(nodes, vs, copy, vcopy, n, nv, i, j):
    """Move the ports of the copied nodes from word i on and of the copied cells from cell j
    on (an open wire's 0 is no port) until the scans catch up with the copies: (n, nv, i, j)."""
    while True:
        if i < 2 * n + 2:
            if i + AHEAD < 2 * n + 2:
                ahead(nodes, vs, copy[i + AHEAD])
            copy[i], n, nv = move(nodes, vs, copy[i], copy, vcopy, n, nv)
            i += 1
        elif j <= nv:
            if j + AHEAD <= nv:
                ahead(nodes, vs, vcopy[j + AHEAD])
            if vcopy[j] != 0:
                vcopy[j], n, nv = move(nodes, vs, vcopy[j], copy, vcopy, n, nv)
            j += 1
        else:
            return n, nv, i, j


@njit(inline='always')
def visit(nodes, vs, p, copy, vcopy, n, nv, i, j):
    """Root port p moved, then what it reaches scanned: (its new port, n, nv, i, j)."""
    p, n, nv = move(nodes, vs, p, copy, vcopy, n, nv)
    n, nv, i, j = scan(nodes, vs, copy, vcopy, n, nv, i, j)
    return p, n, nv, i, j


@njit(_nrt=False, cache=True)
def gather(nodes, vs, rdx, hi, lo, outs, nout, copy, vcopy):
    """Move what the roots reach (module docstring) into `copy` and `vcopy` (sized by
    `scratch_words`), leaving forwards in the old places and rewriting the roots' ports; free
    slots are not touched. Returns (nodes, wires) moved so far; `settle` finishes."""
    # ROOT's cell first: the node scan starts at slot 1's words, the cell scan at ROOT
    _, n, nv, i, j = visit(nodes, vs, ROOT << 4, copy, vcopy, 0, ROOT, 2, ROOT)
    for k in range(1, 2 * nout, 2):
        outs[k], n, nv, i, j = visit(nodes, vs, outs[k], copy, vcopy, n, nv, i, j)
    for k in range(2 * hi - 1, -1, -1):             # the pairs reduced next first
        rdx[k], n, nv, i, j = visit(nodes, vs, rdx[k], copy, vcopy, n, nv, i, j)
    for k in range(rdx.shape[0] - 2 * lo, rdx.shape[0]):
        rdx[k], n, nv, i, j = visit(nodes, vs, rdx[k], copy, vcopy, n, nv, i, j)
    return n, nv


@njit(_nrt=False, cache=True)
def settle(nodes, vs, nfs, nfree, nbump, used, n, nv, held, copy, vcopy):
    """Finish what `gather` began, having moved n of the `used` nodes in use: move the nodes no
    root reaches (nfs[:nfree] must list the free nodes when n < used), rewrite the locations in
    `held`, and copy the moved nodes and wires into slots 1.. and cells 2.. (ROOT keeps cell
    1). Returns (nodes, wires) in use."""
    if n < used:                        # nodes no root reaches: copied, then scanned
        i = 2 * n + 2
        for k in range(nfree):
            nodes[2 * nfs[k]] = FREE_MARK
        for a in range(1, nbump):
            w = nodes[2 * a]
            if w != FREE_MARK and (w & TAG_MASK) != FORWARD:
                n += 1
                take(nodes, a, n, copy)
        n, nv, _, _ = scan(nodes, vs, copy, vcopy, n, nv, i, nv + 1)
    for k in range(held.shape[0]):
        kind = held[k] & 3
        if kind == 0:
            w = nodes[(held[k] >> 2) & ~1]
            held[k] = (2 * (w >> 4) + ((held[k] >> 2) & 1)) << 2
        elif kind == 1:
            held[k] = ((vs[held[k] >> 2] >> 4) << 2) | 1
    for k in range(2, 2 * n + 2):
        nodes[k] = copy[k]
    for v in range(ROOT, nv + 1):
        vs[v] = vcopy[v]
    return n, nv
