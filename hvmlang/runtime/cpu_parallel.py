"""The cpu-parallel backend: `options.threads` threads reduce one net (par_kernels.work).

Input: a net.Book and RunOptions. Output: a RunResult like the cpu backend's (same normal
form; every counter but OPER equal, see below, by strong confluence). The heap, the boot,
the force phase and the readback are the cpu backend's `Machine`; only "reduce until no redex
is left" is replaced. Each Python thread calls the nogil worker kernel; an idle worker returns
to its thread, which sleeps (doubling the pause) and calls it again. The main thread polls
every few milliseconds for the rewrite limit, the timeout and Ctrl-C, and then stops the
workers through `ctl[C_STOP]`; a worker that needs a bigger array stops them too, and the
array grows (by doubling, up to `mem_bytes`) before they resume.

With one thread, or when the book references the sinks HVM.log / HVM.print (the order of
their outputs would depend on the schedule), the single-threaded cpu kernel reduces instead.
Sequential stretches go to it too: when the workers busy plus the redexes pooled have averaged
under SOLO_WORK over the last SOLO_S (one worker working alone), the main thread stops the
round, the redexes left go on the cpu kernel's stacks, and the workers start a new round once
those hold SPREAD pairs.
`Stats.peak` is sampled (every PUBLISH interactions of each worker), not exact. OPER may
differ from the cpu backend's: an operator that meets its first operand before the second has
arrived flips (one more OPER), which depends on the schedule; every other counter is equal.
"""
from __future__ import annotations

import collections
import os
import threading
import time

import numpy as np

from .. import net
from . import cpu
from . import heap_walk as W
from . import kernels as K
from . import par_kernels as P
from .api import OutOfMemory, RunOptions, RunResult, format_size
from .layout import pack

POOL = 1 << 10            # shared redex pairs
BAG = 1 << 12             # initial redex pairs per worker
MONITOR_S = 0.005         # the main thread checks limits this often
SLEEP_S = (1e-4, 4e-3)    # an idle thread's pause, doubling from the first to the second
SOLO_S = 0.1              # one worker busy this long (SoloWatch): go on with the cpu kernel
SOLO_WORK = 1.5           # "one worker busy": busy workers + pooled pairs averaged under this (a
#                           sequential chain handed between idle workers polls 2 now and then)
SPREAD = 8                # pairs on the cpu kernel's stacks that bring the workers back (its
#                           stacks hold 2 on a loop, 10-30 on the parallel benchmarks)

_A = "int64[::1]"
_SIGNATURES = {
    P.work: f"int64({_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A})",
    W.stack_list: f"int64({_A}, int64, int64, {_A})",
}
_compiled = False


def prepare() -> float:
    """Compile or load the cpu and worker kernels once per process; seconds spent compiling."""
    global _compiled
    jit = cpu.prepare()
    if not _compiled:
        jit += cpu.compile_kernels(_SIGNATURES)
        _compiled = True
    return jit


def join(arr: np.ndarray, stride: int, lists: list) -> tuple:
    """Join free lists given as (head, tail) into one, each tail pointing at the next head;
    (head, tail) of the whole. At most one tail may be unknown (-1): that list goes last, so no
    list is ever walked."""
    lists = sorted(((int(h), int(t)) for h, t in lists if h != 0), key=lambda ht: ht[1] < 0)
    assert all(t > 0 for _, t in lists[:-1]), "two free lists with unknown tails"
    head, tail = 0, 0
    for h, t in reversed(lists):
        if head:
            arr[stride * t] = head
        else:
            tail = t
        head = h
    return head, tail


def unstack(arr, stride: int, stack: np.ndarray, count: int) -> int:
    """Thread the `count` slots of a free stack into a free list through arr[stride * slot],
    the top of the stack first; its head."""
    if not count:
        return 0
    slots = stack[:count]
    arr[stride * slots] = np.concatenate(([0], slots[:-1]))
    return int(slots[-1])


def thread_count(options: RunOptions) -> int:
    """`options.threads`, or every core this process may use."""
    if options.threads is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
            os.cpu_count() or 1
    if options.threads < 1:
        raise ValueError(f"threads must be at least 1, got {options.threads}")
    return options.threads


class SoloWatch:
    """The main thread's polls of ctl[C_WORK] (busy workers + pooled pairs) over the last
    SOLO_S of a round, to tell when one worker works alone."""

    def __init__(self, start: float):
        self.start = start
        self.polls = collections.deque()    # (time, work)
        self.work = 0                       # their sum

    def alone(self, now: float, work: int) -> bool:
        """Record a poll; whether the round has run SOLO_S and its polls over the last SOLO_S
        average under SOLO_WORK."""
        self.polls.append((now, work))
        self.work += work
        while now - self.polls[0][0] > SOLO_S:
            self.work -= self.polls.popleft()[1]
        return now - self.start > SOLO_S and self.work < SOLO_WORK * len(self.polls)


class Machine(cpu.Machine):
    """The cpu backend's heap, reduced by `threads` worker kernels."""

    compacts = False    # not between the cpu kernel's calls (2^20-interaction calls between
    #                     rounds made sum_rec 10% slower on 2 threads): rounds stop for it

    def __init__(self, prog, options: RunOptions, initial: int | None, threads: int,
                 serial: bool):
        super().__init__(prog, options, initial)
        self.threads, self.serial = threads, serial
        # the other threads wait while one compacts, so the gap grows with them: 2 threads
        # gained most from every 64 interactions per node in use (16 and 32 were slower), 16
        # lost 20-25% on the sorts from it and were level with none from every 256 on
        self.compact_gap = 2 * threads
        self.ctl = np.zeros(P.CTL_SIZE, np.int64)
        self.ws = np.zeros((threads, P.WS_SIZE), np.int64)
        self.bags = [np.zeros(2 * BAG, np.int64) for _ in range(threads)]
        self.scrs = [np.zeros_like(self.scr) for _ in range(threads)]
        self.pool = np.zeros(2 * POOL, np.int64)
        self.nown = self.vown = np.zeros(0, np.int64)
        self.status: list = []
        self.solo = False           # the last round stopped because one worker worked alone
        self.due = False            # the last round stopped for a compaction
        self.free_lists = None      # (node list head, var list head, live nodes) from the
        #                             last round while the free stacks are not in use

    def stack_free(self):
        """The free lists of the last round onto the free stacks, for the cpu kernel or the
        readback (walking them, whose slots are all over the heap, took a quarter of
        bitonic's run when every round's end did it)."""
        if self.free_lists is not None:
            nodes, vars_, _ = self.free_lists
            self.st[K.S_NFREE] = W.stack_list(self.nodes, 2, nodes, self.nfs)
            self.st[K.S_VFREE] = W.stack_list(self.vs, 1, vars_, self.vfs)
            self.free_lists = None

    def rewrites(self) -> int:
        return super().rewrites() + int(self.ws[:, P.W_ANNI:P.W_OPER + 1].sum())

    def nbytes(self) -> int:
        return super().nbytes() + sum(b.nbytes for b in self.bags)

    def reduce(self):
        """Reduce until no redex is left: rounds of the workers, and the cpu kernel in between
        while the work is sequential (one worker busy for SOLO_S, little pooled: the worker
        kernel is 10-45% slower than the cpu kernel alone) until its stacks hold SPREAD pairs.
        A round stopped because the heap was due a compaction compacts it and starts again."""
        if self.serial:
            super().reduce()
            return
        while True:
            if not self.round():
                return
            if self.due:
                if self.move_together(int(self.free_lists[2])):
                    self.free_lists = None
            elif not self.reduce_until(SPREAD):
                return

    def round(self) -> bool:
        """One round of the workers: the pending expansion requests and stacked pairs are dealt
        out to their bags, the workers run (worker 0 owning the heap so far), and their
        allocators and counters fold back into `st` (their free lists joined into one per
        array, kept in `free_lists` for the next round or `stack_free`). Whether it stopped
        before the end, with one worker working alone (`solo`) or for a compaction (`due`);
        its redexes are then on the cpu kernel's stacks."""
        st, ctl, ws, n = self.st, self.ctl, self.ws, self.threads
        ctl[:] = 0
        ctl[P.C_NBUMP], ctl[P.C_VBUMP] = st[K.S_NBUMP], st[K.S_VBUMP]
        ctl[P.C_WORK], ctl[P.C_LABEL], ctl[P.C_LABLO] = n, st[K.S_LABEL], st[K.S_LABLO]
        ctl[P.C_WIDTH], ctl[P.C_PEAK] = st[K.S_WIDTH], st[K.S_NPEAK]
        if self.free_lists is None:
            self.free_lists = (unstack(self.nodes, 2, self.nfs, int(st[K.S_NFREE])),
                               unstack(self.vs, 1, self.vfs, int(st[K.S_VFREE])),
                               st[K.S_NBUMP] - 1 - st[K.S_NFREE])
            st[K.S_NFREE] = st[K.S_VFREE] = 0
        nodes, vars_, ctl[P.C_LIVE] = self.free_lists
        self.free_lists = None
        ws[:] = 0
        ws[:, P.W_ME] = np.arange(n)
        ws[0, P.W_NFREE] = self.align(self.nodes, 2, nodes, P.C_NBUMP, K.S_NBUMP)
        ws[0, P.W_VFREE] = self.align(self.vs, 1, vars_, P.C_VBUMP, K.S_VBUMP)
        ws[0, P.W_NTAIL] = ws[0, P.W_VTAIL] = -1      # worker 0's lists: tails unknown
        self.nown = self.vown = np.zeros(0, np.int64)
        self.size_owners()
        hi, lo = int(st[K.S_HI]), int(st[K.S_LO])
        high = np.concatenate([self.req[2 * int(st[K.S_RPOS]):2 * int(st[K.S_NREQ])],
                               self.rdx[:2 * hi]]).reshape(-1, 2)
        low = self.rdx[self.rdx.size - 2 * lo:].reshape(-1, 2)
        st[K.S_HI] = st[K.S_LO] = 0
        for t in range(n):
            mine, calls = high[t::n], low[t::n]
            size = 2 * (mine.shape[0] + calls.shape[0] + self.prog.links + BAG)
            if self.bags[t].size < size:
                self.bags[t] = np.zeros(size, np.int64)
            self.bags[t][:mine.size] = mine.ravel()
            if calls.size:
                self.bags[t][self.bags[t].size - calls.size:] = calls.ravel()
            ws[t, P.W_HI], ws[t, P.W_LO] = mine.shape[0], calls.shape[0]
        while True:
            self.launch()
            if all(s == P.DONE for s in self.status):
                self.solo = self.due = False
                break
            grows = [(t, s) for t, s in enumerate(self.status)
                     if s in (P.GROW_NODES, P.GROW_VARS, P.GROW_RDX)]
            for t, s in grows:
                self.grow_for(t, s)
            self.size_owners()
            if self.solo or self.due:
                break
            if not grows:
                raise RuntimeError(f"cpu-parallel workers stopped with {self.status}")
        stopped = self.solo or self.due
        pairs = self.leftovers() if stopped else None
        self.fold()
        self.check_limits()
        if pairs is not None:
            self.restack(pairs)
        return stopped

    def leftovers(self) -> np.ndarray:
        """The redex pairs left in the workers' bags and in the pool, flat."""
        parts = [self.pool[:2 * int(self.ctl[P.C_COUNT])]]
        for bag, row in zip(self.bags, self.ws):
            hi, lo = int(row[P.W_HI]), int(row[P.W_LO])
            parts += [bag[:2 * hi], bag[bag.size - 2 * lo:]]
        return np.concatenate(parts)

    def align(self, arr, stride: int, head: int, field: int, bump: int) -> int:
        """Start the shared bump pointer ctl[field] at a block boundary (st[bump] rounded up);
        the slots skipped go in front of the free list from `head`. Its new head."""
        start = int(self.st[bump])
        stop = min(-(-start // P.BLOCK) * P.BLOCK, arr.size // stride)
        slots = np.arange(start, stop, dtype=np.int64)
        if slots.size:
            arr[stride * slots] = np.concatenate(([head], slots[:-1]))
            head = int(slots[-1])
        self.ctl[field] = stop
        return head

    def size_owners(self):
        """Block owner arrays covering the node and var arrays (new blocks: worker 0)."""
        for name, slots in (("nown", self.nodes.size // 2), ("vown", self.vs.size)):
            old = getattr(self, name)
            new = np.zeros((slots >> P.OWN_SHIFT) + 1, np.int64)
            new[:old.size] = old
            setattr(self, name, new)

    def launch(self):
        """Run every worker until all are done or stopped; check limits meanwhile, and stop
        them once one worker has mostly worked alone for SOLO_S (setting `solo`) or once the heap
        is due a compaction (`due`, `heap_due`)."""
        ctl = self.ctl
        ctl[P.C_STOP] = 0
        self.status = [None] * self.threads
        self.solo = self.due = False
        threads = [threading.Thread(target=self.worker, args=(t,), daemon=True)
                   for t in range(self.threads)]
        for th in threads:
            th.start()
        watch = SoloWatch(time.perf_counter())
        try:
            for th in threads:
                while th.is_alive():
                    th.join(MONITOR_S)
                    self.check_limits()
                    alone = watch.alone(time.perf_counter(), int(ctl[P.C_WORK]))
                    if ctl[P.C_STOP]:
                        continue
                    if alone:
                        self.solo = True
                        ctl[P.C_STOP] = 1
                    elif self.heap_due():
                        self.due = True
                        ctl[P.C_STOP] = 1
        except BaseException:
            self.ctl[P.C_STOP] = 1
            for th in threads:
                th.join()
            raise

    def heap_due(self) -> bool:
        """Whether the heap is due a compaction by what the workers publish: the live nodes, and
        the bump pointer less the block of fresh slots each worker reserves at once (at 16
        threads those alone passed COMPACT_MIN_NODES, and loop, a few nodes in use, compacted
        every 10 ms)."""
        nbump = int(self.ctl[P.C_NBUMP]) - self.threads * P.BLOCK
        return self.compaction_due(nbump, int(self.ctl[P.C_LIVE]))

    def worker(self, t: int):
        """One thread: call the worker kernel, sleeping while it reports itself idle."""
        args = (self.nodes, self.vs, self.prog.words, self.scrs[t], self.bags[t], self.ws[t],
                self.ctl, self.pool, self.nown, self.vown)
        counters = self.ws[t, P.W_ANNI:P.W_OPER + 1]
        pause, done = SLEEP_S[0], int(counters.sum())
        while (status := P.work(*args)) == P.IDLE:
            now = int(counters.sum())
            pause = SLEEP_S[0] if now != done else min(2 * pause, SLEEP_S[1])
            done = now
            time.sleep(pause)
        self.status[t] = status

    def grow_for(self, t: int, status: int):
        """Grow the array that worker t asked for (its bag, or the shared nodes or vars), unless
        the slots on the workers' foreign lists, now handed to worker t, may be enough."""
        need = int(self.ws[t, P.W_NEED])
        if status != P.GROW_RDX:
            if self.hand_back(t, status):
                return
            self.st[K.S_NEED] = need
            self.grow(status)
            return
        old = self.bags[t]
        size = max(old.size * 2, 2 * need)
        if self.nbytes() + 8 * (size - old.size) > self.limit:
            raise OutOfMemory(f"out of memory: the net needs more than "
                              f"{format_size(self.limit)} (use -m to raise it)")
        new = np.zeros(size, np.int64)
        cpu.move_stacks(old, new, int(self.ws[t, P.W_HI]), int(self.ws[t, P.W_LO]))
        self.bags[t] = new

    def hand_back(self, t: int, status: int) -> bool:
        """Chain every foreign list of the array that `status` names onto worker t's free
        list; whether there was any."""
        arr, stride, own, foreign = ((self.nodes, 2, P.W_NFREE, P.W_NFOREIGN)
                                     if status == P.GROW_NODES else
                                     (self.vs, 1, P.W_VFREE, P.W_VFOREIGN))
        ws = self.ws
        if not ws[:, foreign].any():
            return False
        lists = [(ws[t, own], ws[t, foreign + P.OWN_TAIL])] + \
            [(ws[u, foreign], ws[u, foreign + P.FOREIGN_TAIL]) for u in range(self.threads)]
        ws[t, own], ws[t, foreign + P.OWN_TAIL] = join(arr, stride, lists)
        ws[:, foreign] = 0
        return True

    def fold(self):
        """The workers' allocators, counters and labels back into the cpu kernel's state."""
        st, ctl, ws = self.st, self.ctl, self.ws
        heads = []
        for arr, stride, own, foreign in ((self.nodes, 2, P.W_NFREE, P.W_NFOREIGN),
                                          (self.vs, 1, P.W_VFREE, P.W_VFOREIGN)):
            lists = [(row[field], row[foreign + tail]) for row in ws
                     for field, tail in ((own, P.OWN_TAIL), (foreign, P.FOREIGN_TAIL))]
            heads.append(join(arr, stride, lists)[0])
        st[K.S_NBUMP], st[K.S_VBUMP] = ctl[P.C_NBUMP], ctl[P.C_VBUMP]
        st[K.S_ANNI:K.S_OPER + 1] += ws[:, P.W_ANNI:P.W_OPER + 1].sum(axis=0)
        live = ctl[P.C_LIVE] + (ws[:, P.W_NLIVE] - ws[:, P.W_SHOWN]).sum()
        self.free_lists = (heads[0], heads[1], live)
        st[K.S_NPEAK] = max(st[K.S_NPEAK], ctl[P.C_PEAK], live)
        st[K.S_LABEL] = K.counted_label.py_func(int(ctl[P.C_LABEL]), int(st[K.S_LABLO]))
        st[K.S_RPOS] = st[K.S_NREQ]
        ws[:] = 0


def run(book: net.Book, options: RunOptions, *, initial: int | None = None) -> RunResult:
    """Reduce `book` from its entry point to normal form with several threads."""
    threads = thread_count(options)
    jit = prepare()
    prog = pack(book)
    serial = threads == 1 or prog.uses_sinks
    return cpu.complete(Machine(prog, options, initial, threads, serial), jit)
