"""Compiled reducer of the cpu backend: port layout, allocators, linking and interaction rules.

The reducer and every helper and constant it uses live in this one module, so Numba's on-disk
cache (keyed on this file) stays valid; nothing here allocates (`_nrt=False`). The rule helpers
(`expand`, `commute`, `operate`, `switch`, ...) are inlined into par_kernels.py, `apply_op`,
`place`, `label_dups`, `fresh_base`, `counted_label` and `is_call` are compiled as device
functions by cuda_kernels.py, and heap_walk.py reads the same ports; their caches are keyed on
their own files, so a change of meaning here must come with an edit there.

Port word (int64): tag in the low 4 bits, payload above.
    VAR  var index                    REF  definition id (0, 1 = sinks)
    ERA  0                            NUM  60-bit value
    CON/DUP/OPR/SWI  label << 36 | node address << 4   (28-bit label, 32-bit address)
CON label = tag id, DUP label = label id, OPR label = operator code, SWI label = 0.
Nodes: `nodes[2a]`, `nodes[2a + 1]` are the aux ports of node a (node 0 is reserved). Free
nodes and vars: the cpu kernel stacks their indices (`nfs`, `vfs`; st[S_NFREE], st[S_VFREE]
count the entries); the parallel worker threads them into lists through their first word (the
stack arguments None; the head in place of the count): see `pop_free`.
Vars: `vs[v]` is 0 while wire v waits for its other end, else the port deposited there
(HVM2 link with exchange semantics); var 0 is reserved, var 1 is ROOT.
Redexes: pairs of principal ports in `rdx`; REF expansions grow down from the end and are
taken only when no other pair is left. Template ports are stored split (layout._split): the
bits kept, then (tlen words later) the scratch slot to or in, so a REF expansion places its
ports without branching on their tag; tlen words further, a wire's partner (the node word
holding its other end, or -1); then one word per definition-local DUP node, i << 36 | node
(its label is the expansion's i-th fresh one). Scratch slots hold ports' address bits (index
<< 4), a local DUP node's with its fresh label added. A request (VAR v, REF d) in `req` asks
to expand d into wire v (boot and force phase).
"""
from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from .atomics import prefetch

U = np.uint64   # unsigned indices: no negative-index wraparound code

VAR, REF, ERA, NUM, CON, DUP, OPR, SWI = range(8)
TAG_MASK = 15
ADDR_MASK = (1 << 32) - 1
ADDR_BITS = ADDR_MASK << 4
LAB_SHIFT = 36
LAB_MASK = (1 << 28) - 1
LAB_LIMIT = 1 << 28
LOCAL = 1 << 27            # template-only flag: a definition-local DUP label
LOW_MASK = (1 << 36) - 1   # tag and address bits of a node port
NUM_MASK = (1 << 60) - 1
FLIP = 16
ROOT = 1
NSINKS = 2

# state array: counters, allocator and stack pointers, scratch layout (S_NPEAK: the host's,
# cpu.Machine.kernel)
S_ANNI, S_COMM, S_ERAS, S_DREF, S_OPER = range(5)
S_NPEAK, S_NFREE, S_NBUMP = range(5, 8)
S_VFREE, S_VBUMP = range(8, 10)
S_HI, S_LO, S_LABEL, S_LABLO, S_NOUT, S_NEED, S_WIDTH, S_RPOS, S_NREQ = range(10, 19)
STATE_SIZE = 19

# program array: row d (D_COLS words at d * D_COLS) describes definition d; the template
# words follow the rows (offsets are absolute). D_ROOT and D_RKX: the root port split;
# D_FUSE: the tag and label a node must have to annihilate with the root at once (-1: none);
# D_SPINE: how many nodes from the root down its second ports may fuse (expand); D_NDUP: the
# local DUP nodes listed after the template
D_NOFF, D_NLEN, D_VLEN, D_ROFF, D_RLEN, D_NLAB, D_FORCE = range(7)
D_ROOT, D_RKX, D_FUSE, D_SPINE, D_NDUP = range(7, 12)
D_COLS = 12

# kernel status codes
DONE, BUDGET, GROW_NODES, GROW_VARS, GROW_RDX, GROW_OUT = range(6)


def pop_free(arr, stride, stack, free):
    """(A free slot, the new `free`); free != 0. Compiled into kernels only (`_pop_free`)."""
    raise TypeError("pop_free is compiled into Numba kernels only")


def push_free(arr, stride, stack, i, free):
    """Free slot i: the new `free`. Compiled into kernels only (`_push_free`)."""
    raise TypeError("push_free is compiled into Numba kernels only")


@overload(pop_free, inline='always')
def _pop_free(arr, stride, stack, free):
    """On a stack of free slots (`free` entries; the cpu kernel), else, with stack None, on the
    list threaded through arr[stride * slot] (`free` its head; the parallel worker). A stack
    gives an expansion its slots by independent loads where a list is a chain of loads that
    miss the caches once the heap outgrows them: bitonic ran 8-9% faster, merge_sort 3-5%,
    the programs whose heap stays in cache 2-4% slower (concurrent rounds)."""
    if isinstance(stack, types.NoneType):
        return lambda arr, stride, stack, free: (free, arr[U(stride * free)])
    return lambda arr, stride, stack, free: (stack[U(free - 1)], free - 1)


@overload(push_free, inline='always')
def _push_free(arr, stride, stack, i, free):
    """The inverse of `_pop_free`, chosen the same way."""
    if isinstance(stack, types.NoneType):
        def push_list(arr, stride, stack, i, free):
            arr[U(stride * i)] = free
            return i
        return push_list

    def push_stack(arr, stride, stack, i, free):
        stack[U(free)] = i
        return free + 1
    return push_stack


@njit(inline='always')
def alloc(arr, stride, stack, free, bump):
    """Pop a free slot or bump: (index, new free, new bump)."""
    if free != 0:
        i, free = pop_free(arr, stride, stack, free)
        return i, free, bump
    return bump, free, bump + 1


@njit(inline='always')
def alloc_run(arr, stride, stack, scr, start, end, free, bump, clear):
    """Fresh indices, shifted to a port's address bits, into scr[start:end], free slots first,
    then bumped ones; with `clear` each entry's word is zeroed (an open var). Returns (free,
    bump). Two loops instead of a pop-or-bump choice per entry (`alloc`) measured 2-5% faster
    on the sorts and sum_tree."""
    i = start
    while i < end and free != 0:
        x, free = pop_free(arr, stride, stack, free)
        scr[U(i)] = x << 4
        if clear:
            arr[U(x)] = 0
        i += 1
    while i < end:
        scr[U(i)] = bump << 4
        if clear:
            arr[U(bump)] = 0
        bump += 1
        i += 1
    return free, bump


@njit(inline='always')
def apply_op(code, a, b):
    """Operator `code` (0..31, operands swapped when >= FLIP) on 60-bit a and b, as ops.apply."""
    if code >= FLIP:
        code -= FLIP
        a, b = b, a
    if code == 0:
        r = a + b
    elif code == 1:
        r = a - b
    elif code == 2:
        r = a * b
    elif code == 3:
        r = a // b if b != 0 else 0
    elif code == 4:
        r = a % b if b != 0 else 0
    elif code == 5:
        r = 1 if a == b else 0
    elif code == 6:
        r = 1 if a != b else 0
    elif code == 7:
        r = 1 if a < b else 0
    elif code == 8:
        r = 1 if a > b else 0
    elif code == 9:
        r = 1 if a <= b else 0
    elif code == 10:
        r = 1 if a >= b else 0
    elif code == 11:
        r = a & b
    elif code == 12:
        r = a | b
    elif code == 13:
        r = a ^ b
    elif code == 14:
        s = b & 63
        r = a << s if s < 60 else 0
    else:
        r = a >> (b & 63)
    return r & NUM_MASK


@njit(inline='always')
def is_call(x, y):
    """A REF (not a sink) meeting a CON, OPR or SWI: an expansion, taken only when nothing
    cheaper is left."""
    tx = x & TAG_MASK
    ty = y & TAG_MASK
    return ((tx == REF and ty >= CON and ty != DUP and (x >> 4) >= NSINKS)
            or (ty == REF and tx >= CON and tx != DUP and (y >> 4) >= NSINKS))


@njit(_nrt=False, cache=True)
def mark_calls(pairs, calls):
    """calls[i] = 1 where redex pair i of `pairs` is a call (is_call), else 0: which pairs the
    host puts back on the low stack."""
    for i in range(calls.shape[0]):
        calls[U(i)] = 1 if is_call(pairs[U(2 * i)], pairs[U(2 * i + 1)]) else 0


@njit(inline='always')
def link(x, y, nodes, vs, vfs, rdx, rcap, vfree, eras, hi, lo):
    """Connect x with y: follow deposited wires, then deposit into an open wire or stack the
    pair (x, y) of principal ports, prefetching their nodes (radix_sort and merge_sort 2-4%
    faster, sum_rec 2% slower); the updated (vfree, eras, hi, lo). Both ends are
    followed in one loop, each with its own free (a loop per end measured up to 5% slower; one free
    for both, the shape par_kernels.plink takes to inline its `give` once, 2-8% slower)."""
    while True:
        if (x & TAG_MASK) == VAR:
            z = vs[U(x >> 4)]
            if z != 0:
                vfree = push_free(vs, 1, vfs, x >> 4, vfree)
                x = z
                continue
        if (y & TAG_MASK) == VAR:
            z = vs[U(y >> 4)]
            if z != 0:
                vfree = push_free(vs, 1, vfs, y >> 4, vfree)
                y = z
                continue
        break
    tx = x & TAG_MASK
    ty = y & TAG_MASK
    if tx == VAR:
        vs[U(x >> 4)] = y
    elif ty == VAR:
        vs[U(y >> 4)] = x
    elif tx <= NUM and ty <= NUM and not (tx == REF and (x >> 4) < NSINKS) \
            and not (ty == REF and (y >> 4) < NSINKS):
        eras += 1         # two nullaries: void at once, never stacked
    else:
        if is_call(x, y):
            j = 2 * (rcap - 1 - lo)
            lo += 1
        else:
            j = 2 * hi
            hi += 1
        rdx[U(j)] = x
        rdx[U(j + 1)] = y
        prefetch(nodes, (x >> 3) & (ADDR_MASK << 1))
        prefetch(nodes, (y >> 3) & (ADDR_MASK << 1))
    return vfree, eras, hi, lo


@njit(inline='always')
def place(p, kx, scr):
    """A split template port (layout._split) made live: its kept bits or-ed with scratch slot
    kx (a node's or var's address bits, a local DUP's fresh label included; 0 for a leaf)."""
    return p | scr[U(kx)]


@njit(inline='always')
def label_dups(prog, scr, at, ndup, base):
    """Give the ndup local DUP nodes listed at prog[at:] their fresh labels (base + i): added
    to their scratch slots, so `place` needs no label arithmetic per port (it had a shift, a
    multiply and an add per port; without them bitonic runs 6.4% fewer instructions)."""
    for k in range(ndup):
        e = prog[U(at + k)]
        scr[U(e & ADDR_MASK)] += (e & ~ADDR_MASK) + (base << LAB_SHIFT)


@njit(inline='always')
def fresh_base(label, nlab, lablo):
    """The first of nlab fresh DUP labels from `label` on, wrapping to lablo rather than
    straddling LAB_LIMIT."""
    return label if label + nlab <= LAB_LIMIT else lablo


@njit(inline='always')
def counted_label(count, lablo):
    """The label in lablo..LAB_LIMIT-1 that a shared, ever-growing label counter at `count`
    stands for (the worker and CUDA kernels reserve fresh labels from one)."""
    return lablo + (count - lablo) % (LAB_LIMIT - lablo)


@njit(inline='always')
def operate(nodes, nfs, scr, a, b, ib, x, lk, nfree):
    """NUM a meets the OPR node b (at ib) whose first port holds x (wires followed): with x a
    number, the result goes to the output port and the node is freed; otherwise the node waits
    for x with a as its operand and the operator flipped. Leaves one pair in scr[lk:]; returns
    (nfree, nodes freed)."""
    code = (b >> LAB_SHIFT) & LAB_MASK
    if (x & TAG_MASK) == NUM:
        val = apply_op(code, (a >> 4) & NUM_MASK, (x >> 4) & NUM_MASK)
        scr[U(lk)] = (val << 4) | NUM
        scr[U(lk + 1)] = nodes[U(2 * ib + 1)]
        return push_free(nodes, 2, nfs, ib, nfree), 1
    nodes[U(2 * ib)] = a
    scr[U(lk)] = (b & LOW_MASK) | ((code ^ FLIP) << LAB_SHIFT)
    scr[U(lk + 1)] = x
    return nfree, 0


@njit(inline='always')
def switch(nodes, nfs, scr, a, ib, br, lk, nfree, nbump):
    """NUM a meets the SWI node at ib whose branch port holds br (wires followed): 0 sends
    `(r *)` to the branches, n+1 sends `(* (#n r))`. When br is a plain pair (z s) it
    annihilates with the new pair at once, as the next interaction would have. Leaves the pairs
    in scr[lk:]; returns (pairs, nodes allocated minus freed, fused, nfree, nbump)."""
    r = nodes[U(2 * ib + 1)]
    val = (a >> 4) & NUM_MASK
    grown = 0
    if val == 0:
        nodes[U(2 * ib)] = r
        nodes[U(2 * ib + 1)] = ERA
    else:
        c, nfree, nbump = alloc(nodes, 2, nfs, nfree, nbump)
        grown = 1
        nodes[U(2 * c)] = ((val - 1) << 4) | NUM
        nodes[U(2 * c + 1)] = r
        nodes[U(2 * ib)] = ERA
        nodes[U(2 * ib + 1)] = (c << 4) | CON
    if (br & ~ADDR_BITS) == CON:
        ic = (br >> 4) & ADDR_MASK
        scr[U(lk)] = nodes[U(2 * ib)]
        scr[U(lk + 1)] = nodes[U(2 * ic)]
        scr[U(lk + 2)] = nodes[U(2 * ib + 1)]
        scr[U(lk + 3)] = nodes[U(2 * ic + 1)]
        nfree = push_free(nodes, 2, nfs, ic, nfree)
        return 2, grown - 2, 1, push_free(nodes, 2, nfs, ib, nfree), nbump
    scr[U(lk)] = (ib << 4) | CON
    scr[U(lk + 1)] = br
    return 1, grown, 0, nfree, nbump


@njit(inline='always')
def wire_commuted(nodes, vs, ia, ib, x2, y2, v11, v12, v21, v22):
    """The four nodes of a commutation (a's slot ia and new x2, b's slot ib and new y2) wired
    crosswise through the four fresh vars v11 v12 v21 v22 (shared with the cuda kernel)."""
    vs[U(v11)] = 0
    vs[U(v12)] = 0
    vs[U(v21)] = 0
    vs[U(v22)] = 0
    nodes[U(2 * ia)] = v11 << 4
    nodes[U(2 * ia + 1)] = v12 << 4
    nodes[U(2 * x2)] = v21 << 4
    nodes[U(2 * x2 + 1)] = v22 << 4
    nodes[U(2 * ib)] = v11 << 4
    nodes[U(2 * ib + 1)] = v21 << 4
    nodes[U(2 * y2)] = v12 << 4
    nodes[U(2 * y2 + 1)] = v22 << 4


@njit(inline='always')
def commute(nodes, vs, nfs, vfs, scr, a, b, ia, ib, a1, a2, b1, b2, lk, nfree, nbump, vfree,
            vbump):
    """Two different binary nodes a and b (aux ports a1 a2, b1 b2) commute: a and b become the
    copies of b on a's first port and of a on b's first port, two new nodes the other copies,
    wired crosswise through four new vars; the four pairs to link are left in scr[lk:].
    Returns (nfree, nbump, vfree, vbump)."""
    x2, nfree, nbump = alloc(nodes, 2, nfs, nfree, nbump)
    y2, nfree, nbump = alloc(nodes, 2, nfs, nfree, nbump)
    v11, vfree, vbump = alloc(vs, 1, vfs, vfree, vbump)
    v12, vfree, vbump = alloc(vs, 1, vfs, vfree, vbump)
    v21, vfree, vbump = alloc(vs, 1, vfs, vfree, vbump)
    v22, vfree, vbump = alloc(vs, 1, vfs, vfree, vbump)
    wire_commuted(nodes, vs, ia, ib, x2, y2, v11, v12, v21, v22)
    scr[U(lk)] = b & ~ADDR_BITS | (ia << 4)
    scr[U(lk + 1)] = a1
    scr[U(lk + 2)] = b & ~ADDR_BITS | (x2 << 4)
    scr[U(lk + 3)] = a2
    scr[U(lk + 4)] = a & ~ADDR_BITS | (ib << 4)
    scr[U(lk + 5)] = b1
    scr[U(lk + 6)] = a & ~ADDR_BITS | (y2 << 4)
    scr[U(lk + 7)] = b2
    return nfree, nbump, vfree, vbump


@njit(inline='always')
def handed(nodes, vs, vfs, prog, scr, x, tlen, fused, live, k, vfree, vlen):
    """The live port that meets the fused template's port at x: written straight into the
    built node that holds the other end of x's wire (its var is freed at once), or left as a
    pair to link at scr[k]; (next k, vfree, vars kept)."""
    pw = prog[U(x + 2 * tlen)]
    if pw >= 2 * fused:
        nodes[U(((scr[U(pw >> 1)] & ADDR_BITS) >> 3) + (pw & 1))] = live
        v = scr[U(prog[U(x + tlen)])] >> 4
        return k, push_free(vs, 1, vfs, v, vfree), vlen - 1
    scr[U(k)] = place(prog[U(x)], prog[U(x + tlen)], scr)
    scr[U(k + 1)] = live
    return k + 2, vfree, vlen


@njit(inline='always')
def expand(nodes, vs, nfs, vfs, prog, scr, row, nlen, vlen, rlen, b, w, lk, base, nfree, nbump,
           vfree, vbump):
    """Copy the template of definition row `row` into the heap, facing port b (REF expansion):
    allocate its nodes and vars, place their ports, and leave its redexes and the pair (root, b)
    in the link list scr[lk:]. A root node that would annihilate with b at once (the usual λ
    meeting its application) is never built: its ports are paired with b's, as the next
    interaction would have linked them, and b's node is freed. So are the nodes down the
    spine (the chain of second ports, template nodes 0, 1, ... as layout numbers them) while
    b's chain of second ports holds nodes they would annihilate with: each such pair is the
    last one linked, so it would be the next reduced. A fused port that is a wire to a built
    node hands b's port straight to that node (`handed`), with no var. Returns (pairs, fused,
    nfree, nbump, vfree, vbump, vars kept)."""
    noff = prog[U(row + D_NOFF)]
    tlen = 2 * (nlen + rlen)
    fused = 0
    if ((prog[U(row + D_FUSE)] ^ b) & ~ADDR_BITS) == 0:
        fused = 1
        spine = prog[U(row + D_SPINE)]
        ib = (b >> 4) & ADDR_MASK
        while fused < spine:
            nb = nodes[U(2 * ib + 1)]
            if (nb & ~ADDR_BITS) != prog[U(noff + 2 * fused - 1)]:
                break
            ib = (nb >> 4) & ADDR_MASK
            fused += 1
    nfree, nbump = alloc_run(nodes, 2, nfs, scr, fused, nlen, nfree, nbump, False)
    vfree, vbump = alloc_run(vs, 1, vfs, scr, w, w + vlen, vfree, vbump, True)
    label_dups(prog, scr, noff + 3 * tlen, prog[U(row + D_NDUP)], base)
    for i in range(fused, nlen):
        m = (scr[U(i)] & ADDR_BITS) >> 3
        x = noff + 2 * i
        nodes[U(m)] = place(prog[U(x)], prog[U(x + tlen)], scr)
        nodes[U(m + 1)] = place(prog[U(x + 1)], prog[U(x + 1 + tlen)], scr)
    roff = prog[U(row + D_ROFF)]
    for r in range(2 * rlen):
        scr[U(lk + r)] = place(prog[U(roff + r)], prog[U(roff + r + tlen)], scr)
    k = lk + 2 * rlen
    if fused == 0:
        scr[U(k)] = place(prog[U(row + D_ROOT)], prog[U(row + D_RKX)], scr)
        scr[U(k + 1)] = b
        return rlen + 1, 0, nfree, nbump, vfree, vbump, vlen
    ib = (b >> 4) & ADDR_MASK
    x = noff
    nb = b
    for i in range(fused):
        x = noff + 2 * i
        k, vfree, vlen = handed(nodes, vs, vfs, prog, scr, x, tlen, fused, nodes[U(2 * ib)],
                                k, vfree, vlen)
        nb = nodes[U(2 * ib + 1)]
        nfree = push_free(nodes, 2, nfs, ib, nfree)
        ib = (nb >> 4) & ADDR_MASK
    k, vfree, vlen = handed(nodes, vs, vfs, prog, scr, x + 1, tlen, fused, nb, k, vfree, vlen)
    return (k - lk) >> 1, fused, nfree, nbump, vfree, vbump, vlen


@njit(_nrt=False, cache=True)
def reduce(nodes, vs, nfs, vfs, rdx, outs, st, prog, scr, req, budget):
    """Run at most `budget` interactions; return DONE, BUDGET or a GROW_* status.

    Expansion requests `req[2i], req[2i + 1]` = (wire, REF) for i in st[S_RPOS]..st[S_NREQ]
    go first, then high-priority pairs, then REF expansions (both stacks LIFO). Every rule
    leaves the connections it makes as pairs in the link list `scr[lk:]`, in the order and
    orientation of the reference backend, so both reduce in the same order. The allocator,
    stack and counter state lives in locals and is saved to `st` on return.
    """
    rcap = rdx.shape[0] >> 1
    ncap = (nodes.shape[0] >> 1) - 1
    vcap = vs.shape[0] - 1
    ocap = outs.shape[0] >> 1
    w = st[S_WIDTH]
    lk = 2 * w + 1              # after the node and var slots and the zero slot
    anni, comm, eras, dref, oper = st[S_ANNI], st[S_COMM], st[S_ERAS], st[S_DREF], st[S_OPER]
    nfree, nbump = st[S_NFREE], st[S_NBUMP]
    vfree, vbump = st[S_VFREE], st[S_VBUMP]
    hi, lo, label, lablo, nout = st[S_HI], st[S_LO], st[S_LABEL], st[S_LABLO], st[S_NOUT]
    rpos, nreq = st[S_RPOS], st[S_NREQ]
    need = 0
    status = BUDGET
    n = 0
    src = -1
    p1 = q1 = p2 = q2 = 0
    while n < budget:
        src = -1
        if nbump + 4 > ncap:
            status, need = GROW_NODES, nbump + 5
            break
        if vbump + 4 > vcap:
            status, need = GROW_VARS, vbump + 5
            break
        if hi + lo + 4 > rcap:
            status, need = GROW_RDX, hi + lo + 4
            break
        if rpos < nreq:
            a = req[U(2 * rpos)]
            b = req[U(2 * rpos + 1)]
            rpos += 1
            src = 0
        elif hi > 0:
            hi -= 1
            a = rdx[U(2 * hi)]
            b = rdx[U(2 * hi + 1)]
            src = 1
        elif lo > 0:
            lo -= 1
            a = rdx[U(2 * (rcap - 1 - lo))]
            b = rdx[U(2 * (rcap - 1 - lo) + 1)]
            src = 2
        else:
            status = DONE
            break
        ta = a & TAG_MASK
        tb = b & TAG_MASK
        if ta > tb:
            a, b = b, a
            ta, tb = tb, ta
        n += 1
        nl = 2
        if ta >= CON:
            ia = (a >> 4) & ADDR_MASK
            ib = (b >> 4) & ADDR_MASK
            a1 = nodes[U(2 * ia)]
            a2 = nodes[U(2 * ia + 1)]
            b1 = nodes[U(2 * ib)]
            b2 = nodes[U(2 * ib + 1)]
            if ta == tb and ((a ^ b) >> LAB_SHIFT) == 0:
                nfree = push_free(nodes, 2, nfs, ia, nfree)
                nfree = push_free(nodes, 2, nfs, ib, nfree)
                p1, q1, p2, q2 = a1, b1, a2, b2
                nl = -1
                anni += 1
            else:
                nfree, nbump, vfree, vbump = commute(nodes, vs, nfs, vfs, scr, a, b, ia, ib, a1,
                                                     a2, b1, b2, lk, nfree, nbump, vfree, vbump)
                nl = 4
                comm += 1
        elif ta == REF or ta == VAR:
            if ta == VAR:
                a, b = b, a
                ta, tb = REF, VAR
            d = a >> 4
            if tb != VAR and (d < NSINKS or (tb == REF and (b >> 4) < NSINKS)):
                if d >= NSINKS:
                    a, b = b, a
                if nout >= ocap:
                    status, need = GROW_OUT, nout + 1
                    break
                outs[U(2 * nout)] = a >> 4
                outs[U(2 * nout + 1)] = b
                nout += 1
                dref += 1
                nl = 0
            elif tb <= NUM and tb != VAR:
                eras += 1
                nl = 0
            elif tb == DUP:
                ib = (b >> 4) & ADDR_MASK
                p1, q1, p2, q2 = a, nodes[U(2 * ib)], a, nodes[U(2 * ib + 1)]
                nl = -1
                nfree = push_free(nodes, 2, nfs, ib, nfree)
                comm += 1
            else:
                row = d * D_COLS
                nlen = prog[U(row + D_NLEN)]
                vlen = prog[U(row + D_VLEN)]
                rlen = prog[U(row + D_RLEN)]
                if nbump + nlen > ncap:
                    status, need = GROW_NODES, nbump + nlen + 1
                    break
                if vbump + vlen > vcap:
                    status, need = GROW_VARS, vbump + vlen + 1
                    break
                if hi + lo + rlen + nlen + 1 > rcap:
                    status, need = GROW_RDX, hi + lo + rlen + nlen + 1
                    break
                nlab = prog[U(row + D_NLAB)]
                base = fresh_base(label, nlab, lablo)
                label = base + nlab
                nl, fused, nfree, nbump, vfree, vbump, _ = expand(
                    nodes, vs, nfs, vfs, prog, scr, row, nlen, vlen, rlen, b, w, lk, base, nfree,
                    nbump, vfree, vbump)
                anni += fused
                n += fused
                dref += 1
        elif ta == ERA or tb == NUM:
            if tb >= CON:
                ib = (b >> 4) & ADDR_MASK
                p1, q1, p2, q2 = a, nodes[U(2 * ib)], a, nodes[U(2 * ib + 1)]
                nl = -1
                nfree = push_free(nodes, 2, nfs, ib, nfree)
            else:
                nl = 0
            eras += 1
        elif tb <= DUP:
            ib = (b >> 4) & ADDR_MASK
            p1, q1, p2, q2 = a, nodes[U(2 * ib)], a, nodes[U(2 * ib + 1)]
            nl = -1
            nfree = push_free(nodes, 2, nfs, ib, nfree)
            comm += 1
        elif tb == OPR:
            ib = (b >> 4) & ADDR_MASK
            x = nodes[U(2 * ib)]
            # the wire-following loop of `link`, written out: as an inline helper returning a
            # tuple it measured about 15% slower on bitonic (this branch and SWI's below)
            while (x & TAG_MASK) == VAR:
                y = vs[U(x >> 4)]
                if y == 0:
                    break
                vfree = push_free(vs, 1, vfs, x >> 4, vfree)
                x = y
            nfree, _ = operate(nodes, nfs, scr, a, b, ib, x, lk, nfree)
            nl = 1
            oper += 1
        else:
            ib = (b >> 4) & ADDR_MASK
            br = nodes[U(2 * ib)]
            while (br & TAG_MASK) == VAR:
                y = vs[U(br >> 4)]
                if y == 0:
                    break
                vfree = push_free(vs, 1, vfs, br >> 4, vfree)
                br = y
            nl, _, fused, nfree, nbump = switch(nodes, nfs, scr, a, ib, br, lk, nfree, nbump)
            anni += fused
            n += fused
            oper += 1
        if nl < 0:
            vfree, eras, hi, lo = link(p1, q1, nodes, vs, vfs, rdx, rcap, vfree, eras, hi, lo)
            vfree, eras, hi, lo = link(p2, q2, nodes, vs, vfs, rdx, rcap, vfree, eras, hi, lo)
            continue
        for k in range(lk, lk + 2 * nl, 2):
            vfree, eras, hi, lo = link(scr[U(k)], scr[U(k + 1)], nodes, vs, vfs, rdx, rcap, vfree,
                                       eras, hi, lo)
    if src >= 0 and status != BUDGET:     # give back the pair that could not be reduced
        if src == 0:
            rpos -= 1
        elif src == 1:
            hi += 1
        else:
            lo += 1
    st[S_ANNI], st[S_COMM], st[S_ERAS], st[S_DREF], st[S_OPER] = anni, comm, eras, dref, oper
    st[S_NFREE], st[S_NBUMP] = nfree, nbump
    st[S_VFREE], st[S_VBUMP] = vfree, vbump
    st[S_HI], st[S_LO], st[S_LABEL], st[S_NOUT], st[S_NEED] = hi, lo, label, nout, need
    st[S_RPOS] = rpos
    return status
