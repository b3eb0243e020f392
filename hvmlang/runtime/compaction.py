"""Compaction of the cpu kernel's heap: the nodes and wires in use move together, in walk order.

The free stacks hand an expansion whatever slots were freed last, so after a while the nodes of
one structure lie in as many cache lines as it has nodes, and a heap past the L2 cache's size
is read at the speed of memory (radix_sort's kernel ran 20-25% faster right after a
compaction). `compact` copies every node in use to slots 1, 2, ... and every wire in use to
cells 2, 3, ... (ROOT keeps cell 1) in depth-first order from the roots (the ROOT wire, the
outputs, the redex stacks), second ports first (a constructor's or a list cell's nodes chain
through them: radix_sort ran 2.5% faster than with first ports first), prefetching the nodes
and cells it will read next, and rewrites each port where the walk found it, so no pass over
the whole heap is needed. Nodes in use that no root reaches (cycles beside the root, which the
readback still shows) move after the others. (Eight walks interleaved, each filling its own
blocks of slots, were 60% slower: the heap is mostly in cache when it runs.) Ports are those
of kernels.py; Numba's cache of this module is keyed on this file, so a change of the port
layout there must come with an edit here.
"""
from __future__ import annotations

from numba import njit

from .atomics import prefetch
from .kernels import ADDR_BITS, ADDR_MASK, CON, ROOT, SWI, TAG_MASK, VAR

FORWARD = 15         # a moved node's first word or a moved wire's cell: its new slot << 4 | 15
#                      (no port has tag 15)
FREE_MARK = -1       # a free node's first word while unreached nodes are looked for


def scratch_words(used: int, wires: int, roots: int) -> tuple:
    """Sizes of `compact`'s stack, copy and vcopy arrays for `used` nodes, `wires` cells in use
    and `roots` ports. The stack holds two words an entry; a node taken off it puts two back,
    a wire one, so it never holds more than roots + used + 1 entries."""
    return 2 * (used + roots + 2), 2 * (used + 2), wires + 2


@njit(inline='always')
def take(nodes, a, slot, copy):
    """Copy node a into its new slot's place in `copy` and leave a forward in its first word."""
    copy[2 * slot] = nodes[2 * a]
    copy[2 * slot + 1] = nodes[2 * a + 1]
    nodes[2 * a] = (slot << 4) | FORWARD


@njit(inline='always')
def put(loc, p, copy, vcopy, rdx, outs):
    """Write port p where the walk found it: loc = index << 2 | 0 copy, 1 vcopy, 2 rdx, 3 outs."""
    k = loc & 3
    if k == 0:
        copy[loc >> 2] = p
    elif k == 1:
        vcopy[loc >> 2] = p
    elif k == 2:
        rdx[loc >> 2] = p
    else:
        outs[loc >> 2] = p


@njit(inline='always')
def push(stack, sp, p, loc):
    """Put (port p, where it was found) on the walk's stack; the new stack pointer."""
    stack[sp] = p
    stack[sp + 1] = loc
    return sp + 2


@njit(inline='always')
def ahead(nodes, vs, p):
    """Start loading what the walk will read for port p: its node, or its wire's cell."""
    t = p & TAG_MASK
    if t == VAR:
        prefetch(vs, p >> 4)
    elif t >= CON:
        prefetch(nodes, (p >> 3) & (ADDR_MASK << 1))


@njit(inline='always')
def walk(nodes, vs, stack, sp, copy, vcopy, rdx, outs, n, nv):
    """Take (port, where it was found) pairs off `stack` until it is empty: a node met for the
    first time moves to slot n + 1, a wire met for the first time to cell nv + 1 (ROOT keeps
    its cell), and the port is written back pointing there; the node's ports and the port a
    wire's cell holds are walked in turn. Returns (n, nv)."""
    while sp > 0:
        sp -= 2
        p = stack[sp]
        loc = stack[sp + 1]
        t = p & TAG_MASK
        if t == VAR:
            v = p >> 4
            w = vs[v]
            if (w & TAG_MASK) == FORWARD and w > 0:      # the wire's other end, met before
                put(loc, w & ADDR_BITS, copy, vcopy, rdx, outs)
                continue
            new = ROOT
            if v != ROOT:
                nv += 1
                new = nv
            vcopy[new] = w
            vs[v] = (new << 4) | FORWARD
            put(loc, new << 4, copy, vcopy, rdx, outs)
            if w != 0:
                sp = push(stack, sp, w, (new << 2) | 1)
                ahead(nodes, vs, w)
            continue
        if t < CON:
            continue
        a = (p >> 4) & ADDR_MASK
        w = nodes[2 * a]
        if (w & TAG_MASK) == FORWARD and w > 0:          # moved already (an unreached node's)
            put(loc, (p & ~ADDR_BITS) | (w & ADDR_BITS), copy, vcopy, rdx, outs)
            continue
        n += 1
        take(nodes, a, n, copy)
        put(loc, (p & ~ADDR_BITS) | (n << 4), copy, vcopy, rdx, outs)
        for h in range(2):
            sp = push(stack, sp, copy[2 * n + h], (2 * n + h) << 2)
            ahead(nodes, vs, copy[2 * n + h])
    return n, nv


@njit(_nrt=False, cache=True)
def compact(nodes, vs, nfs, nfree, nbump, rdx, hi, lo, outs, nout, held, stack, copy, vcopy):
    """Move the nodes and wires in use (module docstring) and rewrite every port and every
    location in `held` to match. nfs[:nfree] lists the free nodes. `stack`, `copy` and `vcopy`
    are sized by `scratch_words`. Returns (nodes, wires) in use, now in slots 1.. and cells
    2.. up to those counts (ROOT keeps cell 1)."""
    sp = push(stack, 0, ROOT << 4, 0)   # found at copy[0], slot 0's, never written back
    for k in range(1, 2 * nout, 2):
        sp = push(stack, sp, outs[k], (k << 2) | 3)
    for k in range(2 * hi):
        sp = push(stack, sp, rdx[k], (k << 2) | 2)
    for k in range(rdx.shape[0] - 2 * lo, rdx.shape[0]):
        sp = push(stack, sp, rdx[k], (k << 2) | 2)
    n, nv = walk(nodes, vs, stack, sp, copy, vcopy, rdx, outs, 0, ROOT)
    if n < nbump - 1 - nfree:           # nodes no root reaches: moved, then their ports walked
        first = n + 1
        for k in range(nfree):
            nodes[2 * nfs[k]] = FREE_MARK
        for a in range(1, nbump):
            w = nodes[2 * a]
            if w != FREE_MARK and (w & TAG_MASK) != FORWARD:
                n += 1
                take(nodes, a, n, copy)
        for j in range(first, n + 1):
            sp = push(stack, 0, copy[2 * j], (2 * j) << 2)
            sp = push(stack, sp, copy[2 * j + 1], (2 * j + 1) << 2)
            _, nv = walk(nodes, vs, stack, sp, copy, vcopy, rdx, outs, n, nv)
    for k in range(held.shape[0]):
        kind = held[k] & 3
        if kind == 0:
            w = nodes[(held[k] >> 2) & ~1]
            held[k] = (2 * (w >> 4) + ((held[k] >> 2) & 1)) << 2
        elif kind == 1:
            held[k] = ((vs[held[k] >> 2] >> 4) << 2) | 1
    for i in range(2, 2 * n + 2):
        nodes[i] = copy[i]
    for v in range(ROOT, nv + 1):
        vs[v] = vcopy[v]
    return n, nv
