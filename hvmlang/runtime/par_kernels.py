"""Worker kernel of the cpu-parallel backend: several threads reduce one net in place.

Input: the cpu backend's heap (`nodes`, `vs`, template words; port layout in kernels.py) and,
per worker, a scratch array `scr`, a redex bag `bag` and a state row `ws`; shared by all, a
control array `ctl`, a pool of shared redexes `pool` and the owners of the node and var blocks
(`nown`, `vown`: a worker number per BLOCK slots). Output: the heap in normal form and
the counters in each `ws` (their totals equal the cpu kernel's by strong confluence, except
OPER: an operator meets its operands in an order that depends on the schedule).

Contract between workers:
- The worker that holds a principal port owns that node: only it reads or writes the node's
  aux slots. Nodes and vars are allocated from the worker's own free lists and from aligned
  blocks of fresh slots reserved with compare-and-swap on `ctl[C_NBUMP]` / `ctl[C_VBUMP]`
  (the reserving worker becomes the block's owner; memory from before the round is worker
  0's), so allocation needs no atomics. A worker frees a slot of its own blocks onto its free
  list and any other slot onto its "foreign" list, which it does not reuse: two workers that
  kept recycling slots of one cache line would slow each other down threefold (measured on
  sum_rec). The host hands the foreign lists back when a worker runs out of fresh blocks and
  at the end of the round.
- Var cells are the only contended memory: link deposits a port with atomic exchange; the
  first end to arrive leaves its port, the second finds it, frees the var and links on.
- Bag: cheap pairs (hi, from the bottom) before REF expansions (lo, from the top), as in the
  cpu kernel, each popped newest first; the oldest are given away. A worker that sees
  `ctl[C_HUNGRY]` > 0 and an empty pool moves half its bag (oldest first, at most
  SHARE_MAX) into `pool` under a CAS spin lock. An idle worker takes half the pool, or backs
  off (exponential pause) and returns IDLE so that its thread can sleep in Python.
- Termination: `ctl[C_WORK]` counts active workers plus pooled redexes (raised before work
  appears, lowered after it is gone), so it reads 0 only when nothing is left anywhere.
- Stop: any worker that needs a bigger array sets `ctl[C_STOP]` and returns GROW_*; the host
  sets it too for limits and Ctrl-C. Every worker polls it and returns STOPPED.
Sinks (refs 0 and 1) are not handled here: the backend runs such programs single-threaded.
The rules are kernels.py's, inlined, with free lists (their stack arguments None; the cpu
kernel's free stacks become worker 0's lists at a round's start, and the lists go back on
them when the cpu kernel or the readback needs them); Numba's cache of the worker is keyed
on this file, so a change to them there must come with an edit here.
"""
from __future__ import annotations

from numba import njit

from .atomics import atomic_add, atomic_cas, atomic_load, atomic_store, atomic_xchg
from .kernels import (ADDR_MASK, CON, D_COLS, D_NLAB, D_NLEN, D_RLEN, D_VLEN, DUP, ERA, LAB_SHIFT,
                      NUM, OPR, REF, TAG_MASK, U, VAR, commute, counted_label, expand, fresh_base,
                      is_call, operate, switch)

# statuses (GROW_* as in kernels.py, so the host grows arrays the same way)
DONE, STOPPED, GROW_NODES, GROW_VARS, GROW_RDX, IDLE = range(6)

# per-worker state row
W_ANNI, W_COMM, W_ERAS, W_DREF, W_OPER = range(5)
W_NLIVE, W_NFREE, W_NBUMP, W_NEND, W_VFREE, W_VBUMP, W_VEND = range(5, 12)
W_HI, W_LO, W_LABEL, W_LABLEFT, W_IDLE, W_NEED, W_SHOWN = range(12, 19)
W_NFOREIGN, W_VFOREIGN, W_ME = range(19, 22)
W_NTAIL, W_VTAIL, W_NFTAIL, W_VFTAIL = range(22, 26)   # last slot of each free list (-1: unknown)
OWN_TAIL, FOREIGN_TAIL = 3, 5    # tail fields, counted from W_NFOREIGN or from W_VFOREIGN
assert (W_NFOREIGN + OWN_TAIL, W_VFOREIGN + OWN_TAIL) == (W_NTAIL, W_VTAIL)
assert (W_NFOREIGN + FOREIGN_TAIL, W_VFOREIGN + FOREIGN_TAIL) == (W_NFTAIL, W_VFTAIL)
WS_SIZE = 32              # a row per worker, in its own cache lines

# control array: one word per 64-byte line
LINE = 8
C_NBUMP, C_VBUMP, C_WORK, C_HUNGRY, C_STOP, C_LABEL, C_LOCK, C_COUNT, C_LIVE, C_PEAK, \
    C_LABLO, C_WIDTH = (LINE * k for k in range(12))
CTL_SIZE = 12 * LINE

OWN_SHIFT = 12
BLOCK = 1 << OWN_SHIFT    # fresh node or var slots reserved at once (aligned): the owned unit
LAB_BLOCK = 1 << 10       # fresh DUP labels reserved at once
SHARE_MAX = 64            # most redexes moved to the pool at once
POLL = 127                # poll stop and hungry every POLL + 1 interactions
PUBLISH = 2047            # publish counters and live nodes every PUBLISH + 1 (a shared line)
IDLE_TRIES = 24           # backoff rounds before returning IDLE (spins double up to SPIN_MAX)
SPIN_MAX = 1 << 12


@njit(inline='always')
def push(x, y, bag, rcap, hi, lo):
    """Put the pair (x, y) on the bag: the updated (hi, lo)."""
    if is_call(x, y):
        j = 2 * (rcap - 1 - lo)
        lo += 1
    else:
        j = 2 * hi
        hi += 1
    bag[U(j)] = x
    bag[U(j + 1)] = y
    return hi, lo


@njit(inline='always')
def give(arr, stride, own, me, i, free, ws, field):
    """Free slot i onto the worker's list `free` if worker `me` owns its block, else onto the
    foreign list ws[field] (kept in memory: a local would cost a register in the hot loop);
    the new head of `free`. A slot freed onto an empty list is that list's tail."""
    if own[U(i >> OWN_SHIFT)] == me:
        arr[U(stride * i)] = free
        if free == 0:
            ws[field + OWN_TAIL] = i
        return i
    head = ws[field]
    if head == 0:
        ws[field + FOREIGN_TAIL] = i
    arr[U(stride * i)] = head
    ws[field] = i
    return free


@njit(inline='always')
def track_var_tail(vs, vfree, k, ws):
    """After `expand` pushed k vars it did not need onto the free list: if they are all the
    list holds, the last of them is its tail (the round's join needs it)."""
    t = vfree
    for _ in range(k - 1):
        t = vs[U(t)]
    if vs[U(t)] == 0:
        ws[W_VTAIL] = t


@njit(inline='always')
def taken_back(nodes, nfree, k):
    """The k slots a rule helper just pushed on the node free list, off it again, for `give`
    to route: (first slot, k, free list head), the k slots threaded through their first words
    as the helper pushed them."""
    first = nfree
    for _ in range(k):
        nfree = nodes[U(2 * nfree)]
    return first, k, nfree


@njit(inline='always')
def plink(x, y, vs, bag, rcap, vfree, eras, hi, lo, vown, me, ws):
    """kernels.link with atomic exchange into var cells: the updated (vfree, eras, hi, lo).
    Deposited wires are followed and freed (by `give`); a waiting wire gets the other port by
    exchange, and if the other end was there first, its port is taken and linking goes on.
    Every step that frees a var ends at the one `give` below: with a loop and a `give` for each
    end, 2 threads ran 2-21% slower on the benchmarks."""
    while True:
        v = 0           # the var cell this step frees (0: none, var 0 is reserved)
        if (x & TAG_MASK) == VAR:
            z = atomic_load(vs, x >> 4)
            if z != 0:
                v, x = x >> 4, z
        if v == 0 and (y & TAG_MASK) == VAR:
            z = atomic_load(vs, y >> 4)
            if z != 0:
                v, y = y >> 4, z
        if v == 0:
            if (x & TAG_MASK) != VAR:
                x, y = y, x
            if (x & TAG_MASK) != VAR:
                if (x & TAG_MASK) <= NUM and (y & TAG_MASK) <= NUM:
                    eras += 1         # two nullaries: void at once, never stacked
                else:
                    hi, lo = push(x, y, bag, rcap, hi, lo)
                break
            z = atomic_xchg(vs, x >> 4, y)
            if z == 0:
                break
            v, x = x >> 4, z
        vfree = give(vs, 1, vown, me, v, vfree, ws, W_VFOREIGN)
    return vfree, eras, hi, lo


@njit(inline='always')
def reserve(arr, stride, ctl, field, free, bump, end, need, own, me, ws, tail):
    """Keep at least `need` fresh slots in the worker's block: thread what is left of the old
    block onto the free list (tail ws[tail]) and take a new one (whole blocks, marked as worker
    me's) from the shared bump pointer by CAS. With no fresh block left, a free list of `need`
    slots will do. Returns (free, bump, end, ok); not ok means the array must grow."""
    if end - bump >= need:
        return free, bump, end, True
    cap = arr.shape[0] // stride
    size = (need + BLOCK - 1) >> OWN_SHIFT << OWN_SHIFT
    while True:
        start = atomic_load(ctl, field)
        if start + need > cap:
            i, k = free, 0
            while i != 0 and k < need:
                i = arr[U(stride * i)]
                k += 1
            return free, bump, end, k == need
        stop = min(start + size, cap)
        if atomic_cas(ctl, field, start, stop) == start:
            break
    for b in range(start >> OWN_SHIFT, ((stop - 1) >> OWN_SHIFT) + 1):
        own[U(b)] = me
    if free == 0 and bump < end:
        ws[tail] = bump
    for i in range(bump, end):
        arr[U(stride * i)] = free
        free = i
    return free, start, stop, True


@njit(inline='always')
def lock(ctl):
    while atomic_cas(ctl, C_LOCK, 0, 1) != 0:
        pass


@njit(_nrt=False, cache=True, nogil=True)
def share(bag, ws, ctl, pool):
    """Move half this worker's redexes (oldest REF expansions first, then oldest cheap pairs,
    at most SHARE_MAX) to the empty pool for hungry workers; the rest slide down."""
    rcap = bag.shape[0] >> 1
    hi, lo = ws[W_HI], ws[W_LO]
    k = min((hi + lo) >> 1, SHARE_MAX, pool.shape[0] >> 1)
    if k == 0:
        return
    lock(ctl)
    if atomic_load(ctl, C_COUNT) == 0:
        atomic_add(ctl, C_WORK, k)
        klo = min(k, lo)
        for i in range(k):
            j = 2 * (rcap - 1 - i) if i < klo else 2 * (i - klo)
            pool[U(2 * i)] = bag[U(j)]
            pool[U(2 * i + 1)] = bag[U(j + 1)]
        atomic_store(ctl, C_COUNT, k)
        for i in range(2 * (lo - klo)):        # lo entries sit at the top, oldest highest
            bag[U(2 * rcap - 1 - i)] = bag[U(2 * rcap - 1 - i - 2 * klo)]
        for i in range(2 * (hi - k + klo)):
            bag[U(i)] = bag[U(i + 2 * (k - klo))]
        ws[W_HI], ws[W_LO] = hi - k + klo, lo - klo
    atomic_store(ctl, C_LOCK, 0)


@njit(_nrt=False, cache=True, nogil=True)
def take(bag, ws, ctl, pool):
    """An idle worker takes half the pool (at least one redex) into its empty bag; how many."""
    rcap = bag.shape[0] >> 1
    atomic_add(ctl, C_WORK, 1)        # active before the redexes leave the pool
    lock(ctl)
    count = atomic_load(ctl, C_COUNT)
    k = min((count + 1) >> 1, rcap >> 1)
    hi = lo = 0
    for i in range(count - k, count):
        hi, lo = push(pool[U(2 * i)], pool[U(2 * i + 1)], bag, rcap, hi, lo)
    atomic_store(ctl, C_COUNT, count - k)
    atomic_store(ctl, C_LOCK, 0)
    atomic_add(ctl, C_WORK, -max(k, 1))   # the k redexes left the pool (or none was there)
    ws[W_HI], ws[W_LO] = hi, lo
    return k


@njit(_nrt=False, cache=True, nogil=True)
def wait(bag, ws, ctl, pool):
    """The bag is empty: become idle, then take from the pool with exponential backoff.
    Returns -1 once work was taken, else DONE, STOPPED or IDLE."""
    if ws[W_IDLE] == 0:
        ws[W_IDLE] = 1
        atomic_add(ctl, C_HUNGRY, 1)
        atomic_add(ctl, C_WORK, -1)
    spins = 1
    for _ in range(IDLE_TRIES):
        if atomic_load(ctl, C_COUNT) > 0 and take(bag, ws, ctl, pool) > 0:
            ws[W_IDLE] = 0
            atomic_add(ctl, C_HUNGRY, -1)
            return -1
        if atomic_load(ctl, C_WORK) == 0:
            return DONE
        if atomic_load(ctl, C_STOP) != 0:
            return STOPPED
        for _ in range(spins):
            if atomic_load(ctl, C_COUNT) > 0:
                break
        spins = min(2 * spins, SPIN_MAX)
    return IDLE


@njit(_nrt=False, cache=True, nogil=True)
def release(nodes, vs, ws):
    """Thread the unused rest of the worker's node and var blocks onto its free lists."""
    nfree, vfree = ws[W_NFREE], ws[W_VFREE]
    if nfree == 0 and ws[W_NBUMP] < ws[W_NEND]:
        ws[W_NTAIL] = ws[W_NBUMP]
    if vfree == 0 and ws[W_VBUMP] < ws[W_VEND]:
        ws[W_VTAIL] = ws[W_VBUMP]
    for i in range(ws[W_NBUMP], ws[W_NEND]):
        nodes[U(2 * i)] = nfree
        nfree = i
    for i in range(ws[W_VBUMP], ws[W_VEND]):
        vs[U(i)] = vfree
        vfree = i
    ws[W_NFREE], ws[W_VFREE] = nfree, vfree
    ws[W_NBUMP] = ws[W_NEND] = ws[W_VBUMP] = ws[W_VEND] = 0


@njit(inline='always')
def publish(ws, ctl, counts, nlive):
    """Counters into the worker's row for the host; live nodes into the shared peak."""
    ws[W_ANNI], ws[W_COMM], ws[W_ERAS], ws[W_DREF], ws[W_OPER] = counts
    live = atomic_add(ctl, C_LIVE, nlive - ws[W_SHOWN]) + nlive - ws[W_SHOWN]
    ws[W_SHOWN] = nlive
    peak = atomic_load(ctl, C_PEAK)
    while live > peak:
        old = atomic_cas(ctl, C_PEAK, peak, live)
        if old == peak:
            break
        peak = old


@njit(_nrt=False, cache=True, nogil=True)
def work(nodes, vs, prog, scr, bag, ws, ctl, pool, nown, vown):
    """Reduce this worker's bag, sharing and taking work, until the whole net is in normal
    form (DONE), the host or a worker asks to stop (STOPPED), an array must grow (GROW_*,
    size in ws[W_NEED]) or the worker stayed idle through its backoff (IDLE). The rules are
    kernels.reduce's; state lives in locals and is saved to `ws` on return."""
    rcap = bag.shape[0] >> 1
    w = ctl[C_WIDTH]
    lk = 2 * w + 1              # after the node and var slots and the zero slot
    need = w + 4
    links = (scr.shape[0] - 1 - 2 * w) // 2
    lablo = ctl[C_LABLO]
    anni, comm, eras, dref, oper = ws[W_ANNI], ws[W_COMM], ws[W_ERAS], ws[W_DREF], ws[W_OPER]
    nlive, nfree, nbump, nend = ws[W_NLIVE], ws[W_NFREE], ws[W_NBUMP], ws[W_NEND]
    vfree, vbump, vend = ws[W_VFREE], ws[W_VBUMP], ws[W_VEND]
    hi, lo = ws[W_HI], ws[W_LO]
    label, lableft = ws[W_LABEL], ws[W_LABLEFT]
    me = ws[W_ME]
    status = STOPPED
    grown = 0
    tick = 0
    p1 = q1 = p2 = q2 = 0
    while True:
        tick += 1
        if (tick & POLL) == 0:
            if (tick & PUBLISH) == 0:
                publish(ws, ctl, (anni, comm, eras, dref, oper), nlive)
            if atomic_load(ctl, C_STOP) != 0:
                status = STOPPED        # (after a wait that took work it held -1)
                break
            if atomic_load(ctl, C_HUNGRY) > 0 and atomic_load(ctl, C_COUNT) == 0:
                ws[W_HI], ws[W_LO] = hi, lo
                share(bag, ws, ctl, pool)
                hi, lo = ws[W_HI], ws[W_LO]
        nfree, nbump, nend, ok = reserve(nodes, 2, ctl, C_NBUMP, nfree, nbump, nend, need, nown,
                                         me, ws, W_NTAIL)
        if not ok:
            status, grown = GROW_NODES, atomic_load(ctl, C_NBUMP) + max(BLOCK, need)
            break
        vfree, vbump, vend, ok = reserve(vs, 1, ctl, C_VBUMP, vfree, vbump, vend, need, vown,
                                         me, ws, W_VTAIL)
        if not ok:
            status, grown = GROW_VARS, atomic_load(ctl, C_VBUMP) + max(BLOCK, need)
            break
        if hi + lo + links + 2 > rcap:
            status, grown = GROW_RDX, 2 * (hi + lo + links + 2)
            break
        if hi > 0:
            hi -= 1
            a = bag[U(2 * hi)]
            b = bag[U(2 * hi + 1)]
        elif lo > 0:
            lo -= 1
            a = bag[U(2 * (rcap - 1 - lo))]
            b = bag[U(2 * (rcap - 1 - lo) + 1)]
        else:
            status = wait(bag, ws, ctl, pool)
            if status >= 0:
                break
            hi, lo = ws[W_HI], ws[W_LO]
            continue
        ta = a & TAG_MASK
        tb = b & TAG_MASK
        if ta > tb:
            a, b = b, a
            ta, tb = tb, ta
        nl = 2
        fc = fk = 0         # the fk nodes this rule frees, threaded from fc through their
                            # first words: given back in one place below
        if ta >= CON:
            ia = (a >> 4) & ADDR_MASK
            ib = (b >> 4) & ADDR_MASK
            a1 = nodes[U(2 * ia)]
            a2 = nodes[U(2 * ia + 1)]
            b1 = nodes[U(2 * ib)]
            b2 = nodes[U(2 * ib + 1)]
            if ta == tb and ((a ^ b) >> LAB_SHIFT) == 0:
                nodes[U(2 * ia)] = ib
                fc, fk = ia, 2
                nlive -= 2
                p1, q1, p2, q2 = a1, b1, a2, b2
                nl = -1
                anni += 1
            else:
                nfree, nbump, vfree, vbump = commute(nodes, vs, None, None, scr, a, b, ia, ib,
                                                     a1, a2, b1, b2, lk, nfree, nbump, vfree,
                                                     vbump)
                nlive += 2
                nl = 4
                comm += 1
        elif ta == REF or ta == VAR:
            if ta == VAR:
                a, b = b, a
                ta, tb = REF, VAR
            if tb <= NUM and tb != VAR:
                eras += 1
                nl = 0
            elif tb == DUP:
                ib = (b >> 4) & ADDR_MASK
                p1, q1, p2, q2 = a, nodes[U(2 * ib)], a, nodes[U(2 * ib + 1)]
                nl = -1
                fc, fk = ib, 1
                nlive -= 1
                comm += 1
            else:
                row = (a >> 4) * D_COLS
                nlen = prog[U(row + D_NLEN)]
                vlen = prog[U(row + D_VLEN)]
                rlen = prog[U(row + D_RLEN)]
                nlab = prog[U(row + D_NLAB)]
                if nlab > lableft:
                    size = max(LAB_BLOCK, nlab)
                    label = atomic_add(ctl, C_LABEL, size)
                    label = fresh_base(counted_label(label, lablo), size, lablo)
                    lableft = size
                base = label
                lableft -= nlab
                label += nlab
                nl, fused, nfree, nbump, vfree, vbump, vkept = expand(
                    nodes, vs, None, None, prog, scr, row, nlen, vlen, rlen, b, w, lk, base,
                    nfree, nbump, vfree, vbump)
                fc, fk, nfree = taken_back(nodes, nfree, fused)
                if vkept < vlen:
                    track_var_tail(vs, vfree, vlen - vkept, ws)
                nlive += nlen - 2 * fused
                anni += fused
                dref += 1
        elif ta == ERA or tb == NUM:
            if tb >= CON:
                ib = (b >> 4) & ADDR_MASK
                p1, q1, p2, q2 = a, nodes[U(2 * ib)], a, nodes[U(2 * ib + 1)]
                nl = -1
                fc, fk = ib, 1
                nlive -= 1
            else:
                nl = 0
            eras += 1
        elif tb <= DUP:
            ib = (b >> 4) & ADDR_MASK
            p1, q1, p2, q2 = a, nodes[U(2 * ib)], a, nodes[U(2 * ib + 1)]
            nl = -1
            fc, fk = ib, 1
            nlive -= 1
            comm += 1
        elif tb == OPR:
            ib = (b >> 4) & ADDR_MASK
            x = nodes[U(2 * ib)]
            # plink's wire-following loop written out, as in kernels.reduce (an inline helper
            # returning a tuple measured slower there and here)
            while (x & TAG_MASK) == VAR:
                y = atomic_load(vs, x >> 4)
                if y == 0:
                    break
                vfree = give(vs, 1, vown, me, x >> 4, vfree, ws, W_VFOREIGN)
                x = y
            nfree, freed = operate(nodes, None, scr, a, b, ib, x, lk, nfree)
            fc, fk, nfree = taken_back(nodes, nfree, freed)
            nlive -= freed
            nl = 1
            oper += 1
        else:
            ib = (b >> 4) & ADDR_MASK
            br = nodes[U(2 * ib)]
            while (br & TAG_MASK) == VAR:
                y = atomic_load(vs, br >> 4)
                if y == 0:
                    break
                vfree = give(vs, 1, vown, me, br >> 4, vfree, ws, W_VFOREIGN)
                br = y
            nl, born, fused, nfree, nbump = switch(nodes, None, scr, a, ib, br, lk, nfree, nbump)
            fc, fk, nfree = taken_back(nodes, nfree, 2 * fused)
            nlive += born
            anni += fused
            oper += 1
        while fk > 0:
            fk -= 1
            nxt = nodes[U(2 * fc)]
            nfree = give(nodes, 2, nown, me, fc, nfree, ws, W_NFOREIGN)
            fc = nxt
        if nl < 0:
            vfree, eras, hi, lo = plink(p1, q1, vs, bag, rcap, vfree, eras, hi, lo, vown, me,
                                        ws)
            vfree, eras, hi, lo = plink(p2, q2, vs, bag, rcap, vfree, eras, hi, lo, vown, me,
                                        ws)
            continue
        for k in range(lk, lk + 2 * nl, 2):
            vfree, eras, hi, lo = plink(scr[U(k)], scr[U(k + 1)], vs, bag, rcap, vfree, eras,
                                        hi, lo, vown, me, ws)
    if grown:
        atomic_store(ctl, C_STOP, 1)
    ws[W_ANNI], ws[W_COMM], ws[W_ERAS], ws[W_DREF], ws[W_OPER] = anni, comm, eras, dref, oper
    ws[W_NLIVE], ws[W_NFREE], ws[W_NBUMP], ws[W_NEND] = nlive, nfree, nbump, nend
    ws[W_VFREE], ws[W_VBUMP], ws[W_VEND] = vfree, vbump, vend
    ws[W_HI], ws[W_LO] = hi, lo
    ws[W_LABEL], ws[W_LABLEFT], ws[W_NEED] = label, lableft, grown
    if status != IDLE:      # done, stopped or growing: the round may end before it runs again
        release(nodes, vs, ws)
    return status
