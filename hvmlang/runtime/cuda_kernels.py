"""Device kernels of the cuda backend: parallel passes over a frontier of redexes (numba.cuda).

Input: the cpu backend's heap (kernels.py port layout and arrays) in device memory, free nodes
(`nodes[2a]`) and var cells below the bump pointers marked FREE, and the pre-packed book
(layout.Program.words). `step` reduces one frontier: thread t takes redex t, then the next
untaken one, and drains each through a small stack (in shared memory, par P_PLACE) for at most
`steps` interactions, or until the frontier is taken and most threads have finished; what it
leaves goes to the next frontier through an atomic increment. Links deposit into var cells by
atomic exchange (the first end to arrive leaves its port, the second takes it, frees the cell
and goes on), so a redex's nodes belong to its thread and their aux ports need no atomics. A
rule leaves its links (and the fence that publishes its new nodes) to the chain loop, so that a
warp's threads in different rules wait for their exchanges together. Nodes and vars come from
per-thread chunks refilled from a pool of free indices (`compact` gathers it) or the bump
pointers; expansions reserve fresh DUP labels with an atomic add. A thread that cannot allocate
sets C_FULL and hands that chain's redexes on untouched. Under the soft limits of free slots
(par P_NSOFT, P_VSOFT) the threads defer calls (the expansions kernels.reduce takes last) to
`dfr`, so the rest of the net is reduced, and frees memory, before it grows again; the host
hands them back, most recent first, as the frontier empties. Rules and counters are those of
kernels.reduce (sinks excepted: the host keeps programs that print on the cpu kernel).
"""
from __future__ import annotations

import numpy as np
from numba import config, cuda, types

from . import cuda_asm
from . import kernels as K
from .kernels import (ADDR_BITS, ADDR_MASK, CON, D_COLS, D_FUSE, D_NDUP, D_NLAB, D_NLEN, D_NOFF,
                      D_RKX, D_RLEN, D_ROFF, D_ROOT, D_VLEN, DUP, ERA, FLIP, LAB_MASK,
                      LAB_SHIFT, LOW_MASK, NSINKS, NUM, NUM_MASK, OPR, REF, TAG_MASK, VAR)
from .kernels import U    # unsigned indices: no wraparound code (a fifth of the PTX)

FREE = -1        # mark of a free node (first word) or var cell
LS = 16          # redex stack of a thread (pairs)
LS_WORDS = 2 * LS
CH = 8           # nodes / vars a refill adds to a thread's chunk (32 spread chunks over L1)
CHUNK = CH + 4   # a chunk's room: commute refills one holding up to 3 entries
LQ = 5           # links a rule leaves to the chain loop (a template's first three redexes and
LQ_WORDS = 2 * LQ  # two roots; an expansion makes the links of more redexes itself)
CHECK = 64       # interactions of a chain between two looks at whether the GPU is emptying
EMPTYING = 4     # it is once fewer than 1/EMPTYING of a pass's threads are still running
LOCAL_SCR = 64   # scratch words a thread keeps in local memory (wider programs: global `scr`)
SCARCE = 1 << 22  # free slots (pool and past the bump pointer) under which chunks take only 4

# ctl: frontier counters (three, rotating), counters, flags; then each hot atomic counter (the
# allocators, the frontier redexes taken, three) on a 128-byte line of its own: one L2 slice each
C_CNT = 0
C_ANNI, C_COMM, C_ERAS, C_DREF, C_OPER = range(3, 8)
C_FULL, C_DEFER = 8, 9       # a thread could not allocate; free slots under a soft limit
C_NPOS, C_NLEN, C_NBUMP, C_VPOS, C_VLEN, C_VBUMP = 16, 17, 32, 48, 49, 64
C_LABEL, C_TAKEN, C_DCNT = 80, 96, 112      # fresh labels; taken (three); calls in dfr
C_STARTED, C_FINISHED = 128, 131   # threads of a pass that started / finished (three, rotating)
CTL_SIZE = 134

# par: sizes that stay fixed during a phase
P_NCAP, P_VCAP, P_LABLO, P_WIDTH, P_SWIDTH, P_NSOFT, P_VSOFT, P_PLACE = range(8)
IN_LOCAL, BOTH_SHARED, STACK_SHARED = range(3)   # par[P_PLACE]: where stacks and scratch are
PAR_SIZE = 8

# per-thread state: counters, chunk fill, local stack pointer, share flag, defer flag
T_ANNI, T_COMM, T_ERAS, T_DREF, T_OPER, T_NC, T_VC, T_SP, T_SHARE, T_DEFER = range(10)
TS_SIZE = 10


if config.ENABLE_CUDASIM:
    @cuda.jit(device=True)
    def fence():
        """The simulator's fence (it runs no PTX)."""
        cuda.threadfence()

    @cuda.jit(device=True)
    def l2_load(array, index):
        """The simulator's read."""
        return array[index]

    @cuda.jit(device=True)
    def l2_pair(array, index):
        """The simulator's read of two words."""
        return array[index], array[index + 1]
else:
    fence = cuda_asm.fence
    l2_load = cuda_asm.l2_load
    l2_pair = cuda_asm.l2_pair

apply_op = cuda.jit(device=True)(K.apply_op.py_func)
place = cuda.jit(device=True)(K.place.py_func)
label_dups = cuda.jit(device=True)(K.label_dups.py_func)
is_call = cuda.jit(device=True)(K.is_call.py_func)
fresh_base = cuda.jit(device=True)(K.fresh_base.py_func)
counted_label = cuda.jit(device=True)(K.counted_label.py_func)
wire_commuted = cuda.jit(device=True)(K.wire_commuted.py_func)


@cuda.jit(device=True)
def grab(ctl, counter, scarce):
    """Reserve entries at ctl[counter]: 4 when free slots are scarce, else CH. Every thread
    asks a constant, so ptxas folds a warp's adds to one counter into one atomic."""
    if scarce:
        return cuda.atomic.add(ctl, counter, 4), 4
    return cuda.atomic.add(ctl, counter, CH), CH


@cuda.jit(device=True)
def refill(ch, ts, slot, pool, ctl, cpos, clen, cbump, cap, soft):
    """Add CH entries to the chunk `ch` (4 once free slots are SCARCE) from the pool, or when
    the pool is empty from the bump pointer; False if the chunk stays empty. A chunk's entries
    are not marked FREE while it holds them (they are when the launch ends), and stay unused
    until the next compaction: with a hundred thousand threads holding CH each, a nearly full
    heap ran out while most of its free slots sat in chunks. Under `soft` free slots the
    thread, and every thread of the next launches, defers calls."""
    c0 = c = ts[slot]
    top = ctl[clen]
    pos = ctl[cpos]                   # only grows during a launch: a stale value is smaller
    free = top - pos + cap - ctl[cbump]
    if free < soft:
        ts[T_DEFER] = 1
        if ctl[C_DEFER] == 0:
            ctl[C_DEFER] = 1
    scarce = free <= SCARCE
    if pos < top:
        p, n = grab(ctl, cpos, scarce)
        while n > 0 and p < top:
            ch[U(c)] = pool[U(p)]
            c += 1
            p += 1
            n -= 1
    if c == c0:
        b, n = grab(ctl, cbump, scarce)
        while n > 0 and b < cap:
            ch[U(c)] = b
            c += 1
            b += 1
            n -= 1
    ts[slot] = c
    if c == 0:
        ctl[C_FULL] = 1
        return False
    return True


@cuda.jit(device=True)
def take(ch, ts, slot, pool, ctl, cpos, clen, cbump, cap, soft):
    """An index from the chunk (0 if none can be had)."""
    if ts[slot] == 0 and not refill(ch, ts, slot, pool, ctl, cpos, clen, cbump, cap, soft):
        return 0
    c = ts[slot] - 1
    ts[slot] = c
    return ch[U(c)]


@cuda.jit(device=True)
def release(arr, stride, i, ch, ts, slot):
    """Keep entry i for this thread's next allocations if there is room (unmarked: it is
    marked FREE if it leaves the chunk unwritten), else mark it free."""
    c = ts[slot]
    if c < CH:
        ch[U(c)] = i
        ts[slot] = c + 1
    else:
        arr[U(stride * i)] = FREE


@cuda.jit(device=True)
def mark_free(arr, stride, ch, n):
    """Mark the first n entries of a chunk FREE (a launch's end: the host sees them)."""
    for k in range(n):
        arr[U(stride * ch[U(k)])] = FREE


@cuda.jit(device=True)
def unwind(nodes, vs, sc, first, nodes_taken, w, vars_taken):
    """Mark FREE the slots an expansion took before it ran out of memory."""
    for i in range(first, nodes_taken):
        nodes[U(2 * ((sc[U(i)] >> 4) & ADDR_MASK))] = FREE
    for j in range(vars_taken):
        vs[U((sc[U(w + j)] >> 4) & ADDR_MASK)] = FREE


@cuda.jit(device=True)
def push(x, y, lst, ts, fout, dfr, ctl, cout):
    """A new redex: a call to `dfr` when deferring, else onto the local stack, or (full, or
    sharing work) onto the next frontier. Each pair holds the principal port of a node of its
    own, so the frontier and `dfr` (ncap pairs each) cannot overflow."""
    sp = ts[T_SP]
    if ts[T_DEFER] != 0 and is_call(x, y):
        j = cuda.atomic.add(ctl, C_DCNT, 1)
        dfr[U(2 * j)] = x
        dfr[U(2 * j + 1)] = y
    elif sp < LS and (ts[T_SHARE] == 0 or sp == 0):
        lst[U(2 * sp)] = x
        lst[U(2 * sp + 1)] = y
        ts[T_SP] = sp + 1
    else:
        j = cuda.atomic.add(ctl, cout, 1)
        fout[U(2 * j)] = x
        fout[U(2 * j + 1)] = y


@cuda.jit(device=True)
def link(x, y, vs, ts, lst, vch, fout, dfr, ctl, cout):
    """Connect x with y: deposit into open wires by exchange, voiding two nullaries or pushing a
    pair of principal ports (kernels.link with atomics)."""
    while True:
        if (x & TAG_MASK) != VAR:
            x, y = y, x
        if (x & TAG_MASK) != VAR:
            break
        v = (x >> 4) & ADDR_MASK     # masked: known non-negative, no wraparound code
        got = cuda.atomic.exch(vs, v, y)
        if got == 0:
            return
        release(vs, 1, v, vch, ts, T_VC)
        x = got
    tx = x & TAG_MASK
    ty = y & TAG_MASK
    if tx <= NUM and ty <= NUM and not (tx == REF and (x >> 4) < NSINKS) \
            and not (ty == REF and (y >> 4) < NSINKS):
        ts[T_ERAS] += 1
    else:
        push(x, y, lst, ts, fout, dfr, ctl, cout)


@cuda.jit(device=True)
def follow(x, vs, vch, ts):
    """The port at the far end of x through wires whose other end has arrived (freed)."""
    while (x & TAG_MASK) == VAR:
        v = (x >> 4) & ADDR_MASK
        y = cuda.atomic.cas(vs, v, 0, 0)
        if y == 0:
            break
        release(vs, 1, v, vch, ts, T_VC)
        x = y
    return x


@cuda.jit(device=True)
def queue(links, k, x, y):
    """Leave the link of x with y to the chain loop, in slot k (constant: slots are registers)."""
    links[2 * k] = x
    links[2 * k + 1] = y


@cuda.jit(device=True)
def next_link(links):
    """The link left in slot 0 (x 0 if none), every other slot moved one down: the chain loop
    makes all of a rule's links at one call of `link`, where a call a slot inlined a copy of it
    each and the kernel's code outgrew the SMs' instruction caches."""
    x = links[0]
    y = links[1]
    for k in range(LQ - 1):
        links[2 * k] = links[2 * k + 2]
        links[2 * k + 1] = links[2 * k + 3]
    links[2 * LQ - 2] = 0
    return x, y


@cuda.jit(device=True)
def links_left(links):
    """Whether a slot still holds a link (non-zero: 0 is no port)."""
    left = 0
    for k in range(LQ):
        left |= links[2 * k]
    return left != 0


@cuda.jit(device=True)
def placed_pair(prog, at, tlen, sc):
    """The template words at prog[at] and prog[at + 1] (a redex, or a fused root's aux ports)
    placed."""
    return (place(prog[U(at)], prog[U(at + tlen)], sc),
            place(prog[U(at + 1)], prog[U(at + 1 + tlen)], sc))


@cuda.jit(device=True)
def node_words(prog, x, tlen):
    """The split template words of the node at prog[x]: (kept bits, scratch slot) of each port."""
    return prog[U(x)], prog[U(x + tlen)], prog[U(x + 1)], prog[U(x + 1 + tlen)]


@cuda.jit(device=True)
def expand(a, b, ib, b1, b2, nodes, vs, ts, lst, nch, vch, fout, dfr, ctl, cout, par, prog, sc,
           npool, vpool, links):
    """REF a meeting the node b (at ib, words b1 b2): build its template (fusing a root that
    annihilates with b), leaving the links of its first redexes and of its root, in that order,
    to the chain loop; as `interact` (nothing written when no memory was left)."""
    row = (a >> 4) * D_COLS
    nlen = prog[U(row + D_NLEN)]
    vlen = prog[U(row + D_VLEN)]
    rlen = prog[U(row + D_RLEN)]
    w = par[P_WIDTH]
    fuse = ((prog[U(row + D_FUSE)] ^ b) & ~ADDR_BITS) == 0
    first = 1 if fuse else 0
    nodes_taken = nlen
    vars_taken = 0
    for i in range(first, nlen):
        m = take(nch, ts, T_NC, npool, ctl, C_NPOS, C_NLEN, C_NBUMP, par[P_NCAP],
                 par[P_NSOFT])
        if m == 0:
            nodes_taken = i
            break
        sc[U(i)] = m << 4
    if nodes_taken == nlen:
        for j in range(vlen):
            v = take(vch, ts, T_VC, vpool, ctl, C_VPOS, C_VLEN, C_VBUMP, par[P_VCAP],
                     par[P_VSOFT])
            if v == 0:
                break
            sc[U(w + j)] = v << 4
            vars_taken = j + 1
    if vars_taken < vlen or nodes_taken < nlen:
        unwind(nodes, vs, sc, first, nodes_taken, w, vars_taken)
        return -1, 0
    noff = prog[U(row + D_NOFF)]
    tlen = 2 * (nlen + rlen)
    nlab = prog[U(row + D_NLAB)]
    if nlab != 0:
        lablo = par[P_LABLO]
        base = fresh_base(counted_label(cuda.atomic.add(ctl, C_LABEL, nlab), lablo), nlab, lablo)
        label_dups(prog, sc, noff + 3 * tlen, prog[U(row + D_NDUP)], base)
    for j in range(vlen):
        vs[U(sc[U(w + j)] >> 4)] = 0
    # a node's two words are loaded before either is stored, and the next node's template
    # words before this node's are stored (a store may alias a later load, so the compiler
    # keeps the order: each load of the book would otherwise wait for the store before it);
    # a template with nodes has 3 * tlen words, so the last look-ahead stays inside it
    x = noff + 2 * first
    p0 = k0 = p1 = k1 = 0
    if first < nlen:
        p0, k0, p1, k1 = node_words(prog, x, tlen)
    for i in range(first, nlen):
        m = (sc[U(i)] >> 4) & ADDR_MASK
        w0 = place(p0, k0, sc)
        w1 = place(p1, k1, sc)
        x += 2
        p0, k0, p1, k1 = node_words(prog, x, tlen)
        nodes[U(2 * m)] = w0
        nodes[U(2 * m + 1)] = w1
    roff = prog[U(row + D_ROFF)]
    for k in range(LQ - 2):            # unrolled: constant slots
        if k < rlen:
            x, y = placed_pair(prog, roff + 2 * k, tlen, sc)
            queue(links, k, x, y)
    needs_fence = 1
    if rlen > LQ - 2:                  # the redexes that find no slot are linked here
        fence()
        needs_fence = 0
        for r in range(2 * (LQ - 2), 2 * rlen, 2):
            x, y = placed_pair(prog, roff + r, tlen, sc)
            link(x, y, vs, ts, lst, vch, fout, dfr, ctl, cout)
    ts[T_DREF] += 1
    if not fuse:
        queue(links, LQ - 2, place(prog[U(row + D_ROOT)], prog[U(row + D_RKX)], sc), b)
        return 1, needs_fence
    release(nodes, 2, ib, nch, ts, T_NC)
    x, y = placed_pair(prog, noff, tlen, sc)
    queue(links, LQ - 2, x, b1)
    queue(links, LQ - 1, y, b2)
    ts[T_ANNI] += 1
    return 2, needs_fence


@cuda.jit(device=True)
def commute(a, b, ia, ib, a1, a2, b1, b2, nodes, vs, ts, nch, vch, ctl, par, npool, vpool, links):
    """Two binary nodes of different kinds (aux ports a1 a2, b1 b2) copy each other, leaving
    four links to the chain loop; as `interact`."""
    if ts[T_NC] < 2:
        refill(nch, ts, T_NC, npool, ctl, C_NPOS, C_NLEN, C_NBUMP, par[P_NCAP],
               par[P_NSOFT])
    if ts[T_VC] < 4:
        refill(vch, ts, T_VC, vpool, ctl, C_VPOS, C_VLEN, C_VBUMP, par[P_VCAP],
               par[P_VSOFT])
    if ts[T_NC] < 2 or ts[T_VC] < 4:
        ctl[C_FULL] = 1
        return -1, 0
    n = ts[T_NC]
    x2 = nch[U(n - 1)]
    y2 = nch[U(n - 2)]
    ts[T_NC] = n - 2
    n = ts[T_VC]
    v11 = vch[U(n - 1)]
    v12 = vch[U(n - 2)]
    v21 = vch[U(n - 3)]
    v22 = vch[U(n - 4)]
    ts[T_VC] = n - 4
    wire_commuted(nodes, vs, ia, ib, x2, y2, v11, v12, v21, v22)
    queue(links, 0, b & ~ADDR_BITS | (ia << 4), a1)
    queue(links, 1, b & ~ADDR_BITS | (x2 << 4), a2)
    queue(links, 2, a & ~ADDR_BITS | (ib << 4), b1)
    queue(links, 3, a & ~ADDR_BITS | (y2 << 4), b2)
    ts[T_COMM] += 1
    return 1, 1


@cuda.jit(device=True)
def operate(a, b, ib, b1, b2, nodes, vs, ts, vch, nch, links):
    """NUM a meeting OPR b (at ib, words b1 b2): compute when the first operand is a number,
    else swap sides; as `interact`."""
    x = follow(b1, vs, vch, ts)
    code = (b >> LAB_SHIFT) & LAB_MASK
    ts[T_OPER] += 1
    if (x & TAG_MASK) == NUM:
        val = apply_op(code, (a >> 4) & NUM_MASK, (x >> 4) & NUM_MASK)
        release(nodes, 2, ib, nch, ts, T_NC)
        queue(links, 0, (val << 4) | NUM, b2)
        return 1, 0
    nodes[U(2 * ib)] = a
    queue(links, 0, (b & LOW_MASK) | ((code ^ FLIP) << LAB_SHIFT), x)
    return 1, 1


@cuda.jit(device=True)
def switch(a, ib, b1, r, nodes, vs, ts, nch, vch, ctl, par, npool, links):
    """NUM a meeting SWI node ib (words b1, r): pick a branch (annihilating a plain branch
    pair at once); as `interact`."""
    val = (a >> 4) & NUM_MASK
    c = 0
    if val != 0:
        c = take(nch, ts, T_NC, npool, ctl, C_NPOS, C_NLEN, C_NBUMP, par[P_NCAP],
                 par[P_NSOFT])
        if c == 0:
            return -1, 0
    br = follow(b1, vs, vch, ts)
    if val == 0:
        p = r
        q = ERA
    else:
        nodes[U(2 * c)] = ((val - 1) << 4) | NUM
        nodes[U(2 * c + 1)] = r
        p = ERA
        q = (c << 4) | CON
    ts[T_OPER] += 1
    if (br & ~ADDR_BITS) == CON:
        ic = (br >> 4) & ADDR_MASK
        c1, c2 = l2_pair(nodes, 2 * ic)
        release(nodes, 2, ib, nch, ts, T_NC)
        release(nodes, 2, ic, nch, ts, T_NC)
        queue(links, 0, p, c1)
        queue(links, 1, q, c2)
        ts[T_ANNI] += 1
        return 2, 1
    nodes[U(2 * ib)] = p
    nodes[U(2 * ib + 1)] = q
    queue(links, 0, (ib << 4) | CON, br)
    return 1, 1


@cuda.jit(device=True)
def interact(a, b, nodes, vs, ts, lst, nch, vch, fout, dfr, ctl, cout, par, prog, sc, npool, vpool,
             links):
    """One redex by the rules of kernels.reduce, its links left in `links` for the chain loop:
    (interactions done, or -1 if out of memory; whether they need a fence before them, to
    publish the nodes the rule wrote)."""
    ta = a & TAG_MASK
    tb = b & TAG_MASK
    if ta > tb:
        a, b = b, a
        ta, tb = tb, ta
    # every rule that reads b's words reads them here, where a warp's threads in different
    # rules issue their loads together, not one rule's after another's
    ib = (b >> 4) & ADDR_MASK
    b1 = b2 = 0
    if tb >= CON:
        b1, b2 = l2_pair(nodes, 2 * ib)
    if ta >= CON:
        ia = (a >> 4) & ADDR_MASK
        a1, a2 = l2_pair(nodes, 2 * ia)
        if ta == tb and ((a ^ b) >> LAB_SHIFT) == 0:
            release(nodes, 2, ia, nch, ts, T_NC)
            release(nodes, 2, ib, nch, ts, T_NC)
            queue(links, 0, a1, b1)
            queue(links, 1, a2, b2)
            ts[T_ANNI] += 1
            return 1, 0
        return commute(a, b, ia, ib, a1, a2, b1, b2, nodes, vs, ts, nch, vch, ctl, par, npool,
                       vpool, links)
    if ta == REF and tb >= CON and tb != DUP:
        return expand(a, b, ib, b1, b2, nodes, vs, ts, lst, nch, vch, fout, dfr, ctl, cout, par,
                      prog, sc, npool, vpool, links)
    if tb == OPR and ta == NUM:
        return operate(a, b, ib, b1, b2, nodes, vs, ts, vch, nch, links)
    if tb == K.SWI and ta == NUM:
        return switch(a, ib, b1, b2, nodes, vs, ts, nch, vch, ctl, par, npool, links)
    if tb >= CON:
        # ERA erases the node; NUM and REF are copied into both aux ports
        release(nodes, 2, ib, nch, ts, T_NC)
        queue(links, 0, a, b1)
        queue(links, 1, a, b2)
        if ta == ERA:
            ts[T_ERAS] += 1
        else:
            ts[T_COMM] += 1
        return 1, 0
    ts[T_ERAS] += 1      # two nullaries
    return 1, 0


@cuda.jit(device=True)
def emptying(ctl, parity, count, nthreads):
    """Whether the pass's frontier is all taken and most of the threads that started have
    finished: then the GPU is emptying, and a chain still running is better handed on to the
    next pass than waited for (bitonic18's full launches ran with a quarter of their warps idle
    in the tail; cutting chains once the frontier was taken cost sum_tree22 5-10%)."""
    if l2_load(ctl, C_TAKEN + parity) + nthreads < count:
        return False
    started = l2_load(ctl, C_STARTED + parity)
    return EMPTYING * (started - l2_load(ctl, C_FINISHED + parity)) < started


@cuda.jit("void(int64[::1], int64[::1], int64[::1], int64[::1], int64[::1], int64[::1], "
          "int64[::1], int64[::1], int64[::1], int64[::1], int64[::1], int64, int64, int64)",
          cache=True)
def step(nodes, vs, fin, fout, dfr, ctl, par, prog, scr, npool, vpool, parity, steps, share):
    """One pass: reduce the frontier `fin` (count ctl[parity]) into `fout` (count
    ctl[parity + 1 mod 3]), deferring calls to `dfr` once ctl[C_DEFER] is set; clears the third
    counters for the pass after. Thread t takes redex t, then the next untaken one (counter
    ctl[C_TAKEN + parity]) until none is left, so a thread whose redexes finish early takes more
    (a fixed stride made every pass wait for the thread with the longest chains), and hands a
    chain on to the next frontier once the pass is `emptying`."""
    tid = cuda.grid(1)
    nthreads = cuda.gridsize(1)
    cout = (parity + 1) % 3
    ctaken = C_TAKEN + parity
    if tid == 0:
        for counter in (0, C_TAKEN, C_STARTED, C_FINISHED):
            ctl[U(counter + (parity + 2) % 3)] = 0
    count = ctl[U(parity)]
    if tid >= count:
        return
    cuda.atomic.add(ctl, C_STARTED + parity, 1)
    ts = cuda.local.array(TS_SIZE, np.int64)
    links = cuda.local.array(LQ_WORDS, np.int64)
    nch = cuda.local.array(CHUNK, np.uint32)   # indices fit 32 bits (ADDR_MASK); halved, the
    vch = cuda.local.array(CHUNK, np.uint32)   # chunks leave more of L1 to the other threads
    for k in range(TS_SIZE):
        ts[k] = 0
    for k in range(LQ):
        links[2 * k] = 0              # an empty slot (0 is no port)
    ts[T_SHARE] = share
    ts[T_DEFER] = ctl[C_DEFER]
    sw = par[P_SWIDTH]
    where = par[P_PLACE]
    tile = cuda.shared.array(0, types.int64)
    if where == BOTH_SHARED:
        # a thread's sw + LS_WORDS words, contiguous: C layout, so no access multiplies by a
        # run-time stride; their count is odd (sw is), so a warp's words fall in distinct banks
        at = cuda.threadIdx.x * (sw + LS_WORDS)
        sc = tile[at:at + sw]
        lst = tile[at + sw:at + sw + LS_WORDS]
    else:
        if where == STACK_SHARED:
            at = cuda.threadIdx.x * (LS_WORDS + 1)     # odd, for distinct banks again
            lst = tile[at:at + LS_WORDS]
        else:
            lst = cuda.local.array(LS_WORDS, np.int64)
        if sw <= LOCAL_SCR:
            sc = cuda.local.array(LOCAL_SCR, np.int64)
        else:
            sc = scr[tid * sw:(tid + 1) * sw]
    sc[sw - 1] = 0              # the zero slot (layout), read by `place` for plain ports
    i = tid
    while i < count:
        lst[0] = fin[U(2 * i)]
        lst[1] = fin[U(2 * i + 1)]
        ts[T_SP] = 1
        done = 0
        check = CHECK
        while ts[T_SP] > 0 and done < steps:
            sp = ts[T_SP] - 1
            ts[T_SP] = sp
            a = lst[U(2 * sp)]
            b = lst[U(2 * sp + 1)]
            r, needs_fence = interact(a, b, nodes, vs, ts, lst, nch, vch, fout, dfr, ctl, cout,
                                      par, prog, sc, npool, vpool, links)
            if r < 0:
                ts[T_SP] = sp + 1      # out of memory: hand the pair on untouched
                break
            # the rules' links, made here, where a warp's threads in different rules issue
            # their fences and exchanges together rather than one rule's after another's
            if needs_fence != 0:
                fence()
            while links_left(links):       # slot k's links in the k-th round, for every thread
                x, y = next_link(links)
                if x != 0:
                    link(x, y, vs, ts, lst, vch, fout, dfr, ctl, cout)
            done += r
            if done >= check:
                check = done + CHECK
                if emptying(ctl, parity, count, nthreads):
                    break
        for k in range(ts[T_SP]):
            j = cuda.atomic.add(ctl, cout, 1)
            fout[U(2 * j)] = lst[U(2 * k)]
            fout[U(2 * j + 1)] = lst[U(2 * k + 1)]
        i = nthreads + cuda.atomic.add(ctl, ctaken, 1)
    mark_free(nodes, 2, nch, ts[T_NC])
    mark_free(vs, 1, vch, ts[T_VC])
    for k in range(5):
        if ts[k] != 0:
            cuda.atomic.add(ctl, C_ANNI + k, ts[k])
    cuda.atomic.add(ctl, C_FINISHED + parity, 1)
