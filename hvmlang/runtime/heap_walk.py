"""Kernels that walk the heap between reductions: the REFs to force, the readback of trees,
the parents of nodes (to find cycles) and a free list turned into a free stack. The cpu and
cpu-parallel backends' Machines call them.

A location is `index << 2 | kind`: kind 0 a node slot, 1 a var cell, 2 an output slot.
Ports and program rows are those of kernels.py; Numba's cache of these kernels is keyed on
this file, so a change of the port layout or of the row columns there must come with an edit
here.
"""
from __future__ import annotations

from numba import njit

from .kernels import ADDR_MASK, CON, D_COLS, D_FORCE, LAB_MASK, LAB_SHIFT, NUM, NUM_MASK, REF, \
    TAG_MASK, VAR


@njit(inline='always')
def load(nodes, vs, outs, loc):
    """The port at a location."""
    k = loc & 3
    if k == 0:
        return nodes[loc >> 2]
    if k == 1:
        p = vs[loc >> 2]
        return p if p != 0 else (loc >> 2) << 4     # an open wire: the cell's own var
    return outs[loc >> 2]


@njit(inline='always')
def resolve(vs, loc, p):
    """Follow deposited wires from the port p found at loc: (location, port)."""
    while (p & TAG_MASK) == VAR:
        q = vs[p >> 4]
        if q == 0:
            break
        loc = ((p >> 4) << 2) | 1
        p = q
    return loc, p


@njit(_nrt=False, cache=True)
def collect(nodes, vs, outs, prog, locs, nlocs, stack, found):
    """Locations of the REFs to force, reachable from locs[:nlocs]; returns how many."""
    sp = 0
    for i in range(nlocs - 1, -1, -1):
        stack[sp] = locs[i]
        sp += 1
    nf = 0
    while sp > 0:
        sp -= 1
        loc, p = resolve(vs, stack[sp], load(nodes, vs, outs, stack[sp]))
        t = p & TAG_MASK
        if t == REF:
            if prog[(p >> 4) * D_COLS + D_FORCE] != 0:
                found[nf] = loc
                nf += 1
        elif t >= CON:
            i = (p >> 4) & ADDR_MASK
            stack[sp] = (2 * i + 1) << 2
            stack[sp + 1] = (2 * i) << 2
            sp += 2
    return nf


@njit(_nrt=False, cache=True)
def export(nodes, vs, outs, locs, nlocs, cut, cutid, stack, kinds, vals, seen):
    """Trees below locs[:nlocs] in pre-order as (tag, label/value/def/var) pairs; the count.

    Every node met is marked in `seen`. A `cut` location (not -1) is written as the wire
    `cutid` before the trees and wherever the walk comes back to it (a cycle)."""
    sp = 0
    for i in range(nlocs - 1, -1, -1):
        stack[sp] = locs[i]
        sp += 1
    n = 0
    if cut >= 0:
        kinds[0] = VAR
        vals[0] = cutid
        n = 1
    while sp > 0:
        sp -= 1
        if stack[sp] == cut and n > 1:
            kinds[n] = VAR
            vals[n] = cutid
            n += 1
            continue
        _, p = resolve(vs, stack[sp], load(nodes, vs, outs, stack[sp]))
        t = p & TAG_MASK
        kinds[n] = t
        if t >= CON:
            i = (p >> 4) & ADDR_MASK
            seen[i] = 1
            vals[n] = (p >> LAB_SHIFT) & LAB_MASK
            stack[sp] = (2 * i + 1) << 2
            stack[sp + 1] = (2 * i) << 2
            sp += 2
        elif t == NUM:
            vals[n] = (p >> 4) & NUM_MASK
        else:
            vals[n] = p >> 4
        n += 1
    return n


@njit(_nrt=False, cache=True)
def parents(nodes, vs, nfs, nfree, nbump, parent, ends):
    """For every live node the slot holding its principal port (parent[node], -1 if none);
    for every open wire v the slots at its ends (ends[2v], ends[2v + 1], -1 if none). The
    nfree nodes on the free stack nfs are skipped."""
    for k in range(nfree):
        parent[nfs[k]] = -2
    for i in range(1, nbump):
        if parent[i] == -2:
            continue
        for slot in range(2 * i, 2 * i + 2):
            _, p = resolve(vs, slot << 2, nodes[slot])
            t = p & TAG_MASK
            if t >= CON:
                parent[(p >> 4) & ADDR_MASK] = slot
            elif t == VAR:
                v = p >> 4
                ends[2 * v + (1 if ends[2 * v] >= 0 else 0)] = slot


@njit(_nrt=False, cache=True)
def stack_list(arr, stride, head, stack):
    """Put the free list from `head` (threaded through arr[stride * slot]) on the free stack
    `stack`, its head on top; how many slots it holds."""
    n = 0
    while head != 0:
        stack[n] = head
        head = arr[stride * head]
        n += 1
    for k in range(n >> 1):
        stack[k], stack[n - 1 - k] = stack[n - 1 - k], stack[k]
    return n
