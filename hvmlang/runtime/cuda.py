"""The cuda backend: the cpu backend's Machine, with reduction moved to an NVIDIA GPU while the
net has parallel work (device kernels in cuda_kernels.py, heap sweeps in cuda_heap.py).

Input: a net.Book and RunOptions. Output: the RunResult of cpu.run (same normal form; the same
counters except OPER: an operator that meets its first operand before the second has arrived
counts one OPER more, and the GPU meets operands in another order, so OPER may be higher or
lower). Boot, force phase and readback are the cpu Machine's. "Reduce until no redex is left"
is a hybrid: the cpu kernel runs first; when it has used its quota of interactions, the heap
and the pending redexes go to the device, which runs frontier passes (several launches between
two synchronisations, threads handing their extra redexes out while the frontier is small)
until no redex is left, or until the frontier stays small and the GPU is slower than the cpu
kernel was. While free memory is short the device defers calls (the cpu kernel's low-priority
redexes), and hands them back a frontier's worth at a time, most recent first, whenever the
frontier runs low, so that a net whose calls unfold breadth-first goes on reducing instead of
filling the heap and then crawling. Then the live nodes and vars move down to the first slots
on the device, only they come back (the host's free stacks start empty), and the cpu kernel goes
on: for CPU_QUOTA interactions after a phase that paid to its end, else long enough that phases
which lose, or end losing, cost little of its time (`next_stint`). The shared heap format makes
the copies plain array transfers; a run leaves its device heap to the next run of the same size.
Limits and Ctrl-C are checked between synchronisations. The device heap has the host heap's
size, scaled down to what the GPU has free (while the host's bump pointers lie past it, the net
stays on the cpu kernel); when it is full even after gathering the free slots the net goes back
to the cpu kernel, which grows it up to `mem_bytes` or stops with OutOfMemory. Programs that
refer to HVM.log / HVM.print run on the cpu kernel alone, since the order of their outputs
depends on the schedule.

numba.cuda is imported on first use; with no usable GPU `run` raises BackendUnavailable.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from .. import net
from . import cpu
from . import kernels as K
from .api import BackendUnavailable, RunOptions, RunResult
from .layout import Program, pack

CPU_QUOTA = 1 << 19       # interactions of the cpu kernel before the GPU is first tried
MAX_THREADS = 1 << 17     # threads of one pass
BLOCK = 64                # threads per block (half of it where both stack and scratch fit)
SHARED = 48 << 10         # shared memory a block may take for its threads' stacks and scratch
SWEEP_BLOCKS = 1 << 10    # blocks of the heap sweeps of cuda_heap.py (grid-stride loops)
SPANS = 1 << 16           # most spans of slots that the live entries are counted in
STEPS = 1024              # interactions a thread may do for one frontier redex
SHARE_BELOW = 1 << 16     # frontier size under which threads hand extra redexes out
SMALL = 1 << 12           # frontier size under which a slow device phase may end
BATCH = (8, 2)            # launches between two synchronisations: small / large frontier
SLOW_SYNCS = 4            # slow synchronisations in a row that send the net back to the cpu
PROBE_SHARE = 0.05        # of the cpu kernel's time that device phases slower than it may cost
SOFT = 32                 # calls are deferred while under 1/SOFT of the nodes or vars are free
GPU_SHARE = 0.9           # of the GPU's free memory that one device heap may take
NODE_BYTES, VAR_BYTES = 72, 16   # device bytes per node slot (its 2 words, 2 frontiers, pool,
#                                  deferred calls) and per var cell (its word, pool)
FREE = -1                 # cuda_kernels.FREE

_kernels = _heap = None
_spare = None     # ((ncap, vcap), arrays) of the last run's device heap, for the next run


def restore_row_stack():
    """Put back np.row_stack, which numba-cuda 0.30 calls and NumPy 2.5 removed."""
    if not hasattr(np, "row_stack"):
        np.row_stack = np.vstack


def load() -> float:
    """Import numba.cuda and compile (or load) the device kernels; seconds it took.

    Raises BackendUnavailable when there is no CUDA device or toolkit."""
    global _kernels, _heap
    if _kernels is not None:
        return 0.0
    restore_row_stack()
    start = time.perf_counter()
    try:
        from numba import cuda
        available = cuda.is_available()
    except Exception as e:               # noqa: BLE001 - any failure means no usable CUDA
        raise BackendUnavailable(f"numba.cuda cannot load ({_first_line(e)}); use -b cpu") \
            from None
    if not available:
        raise BackendUnavailable("no CUDA device found; use -b cpu")
    warnings.filterwarnings("ignore", message=".*under-utilization")   # small grids are meant
    try:
        from . import cuda_heap, cuda_kernels
    except Exception as e:               # noqa: BLE001 - toolkit missing or broken
        raise BackendUnavailable(f"the CUDA toolkit cannot compile the kernels "
                                 f"({_first_line(e)}); use -b cpu") from None
    _kernels, _heap = cuda_kernels, cuda_heap
    return time.perf_counter() - start


def _first_line(e: Exception) -> str:
    """The first line of an exception's message, for a one-line error."""
    return (str(e).strip().splitlines() or [type(e).__name__])[0]



def free_gpu_memory() -> float:
    """Bytes free on the current GPU once the frees numba defers are done (infinite under the
    simulator, which has no deferred frees)."""
    from numba import cuda
    context = cuda.current_context()
    if hasattr(context, "deallocations"):
        context.deallocations.clear()
    return context.get_memory_info()[0]


def placement(sw: int, k) -> tuple[int, int, int]:
    """(threads a block, bytes of shared memory a block, k.P_PLACE) for a scratch of sw words.
    Both the stack and the scratch go to shared memory when a block of BLOCK // 2 threads (32)
    takes at most half of SHARED (a scratch of up to 64 words); otherwise the stack alone
    (LS_WORDS + 1 words a thread), in blocks of BLOCK, and the scratch to local memory, or to
    `scr` when wider than LOCAL_SCR (with the default constants, always). With the step
    kernel's 108 registers, blocks of 32 holding both (11, 14 and 18 warps an SM for bitonic18,
    sum_rec24 and sum_tree22) beat the stack alone in blocks of 128 with the scratch in local
    memory, where a hundred thousand threads' scratch missed the SMs' L1 (16 warps), on an
    H100: bitonic18 +6%, sum_rec24 +10%, sum_tree22 level."""
    both, stack = 8 * (sw + k.LS_WORDS), 8 * (k.LS_WORDS + 1)
    half = max(32, BLOCK // 2)
    if both * half <= SHARED // 2:
        return half, both * half, k.BOTH_SHARED
    if stack * BLOCK <= SHARED:
        return BLOCK, stack * BLOCK, k.STACK_SHARED
    return BLOCK, 0, k.IN_LOCAL


class Device:
    """The device copy of a Machine's heap: arrays of the host's capacity (scaled down to what
    the GPU has free), frontiers, pools."""

    def __init__(self, m: cpu.Machine):
        from numba import cuda
        self.cuda, self.k, self.h = cuda, _kernels, _heap
        self.host = (m.nodes.size // 2, m.vs.size)
        sw = 2 * m.prog.width + 1          # node and var slots, the zero slot (layout)
        self.threads = max(BLOCK, min(MAX_THREADS, (32 << 20) // sw) // BLOCK * BLOCK)
        self.block, self.shared, self.place = placement(sw, self.k)
        wide = self.place != self.k.BOTH_SHARED and sw > self.k.LOCAL_SCR
        scratch = self.threads * sw if wide else 1     # else in shared or local memory
        global _spare
        spare, _spare = _spare, None
        held = sum(a.nbytes for a in spare[1]) if spare else 0
        room = GPU_SHARE * (free_gpu_memory() + held) - 8 * scratch - m.prog.words.nbytes
        scale = min(1.0, max(0.0, room) / (NODE_BYTES * self.host[0] + VAR_BYTES * self.host[1]))
        self.ncap, self.vcap = int(self.host[0] * scale), int(self.host[1] * scale)
        if spare and spare[0] == (self.ncap, self.vcap):
            self.arrays = spare[1]
        else:
            spare = None                # the last run's arrays go before the new ones come
            free_gpu_memory()
            self.arrays = (cuda.device_array(2 * self.ncap, np.int64),
                           cuda.device_array(self.vcap, np.int64),
                           cuda.device_array(2 * self.ncap, np.int64),
                           cuda.device_array(2 * self.ncap, np.int64),
                           cuda.device_array(max(2 * self.ncap, self.vcap), np.int64),
                           cuda.device_array(self.ncap, np.int64),
                           cuda.device_array(self.vcap, np.int64))
        # nodes, var cells, the two frontiers, deferred calls, and the free pools
        self.nodes, self.vs, f0, f1, self.dfr, self.npool, self.vpool = self.arrays
        self.fronts = [f0, f1]
        self.scr = cuda.to_device(np.zeros(scratch, np.int64))
        self.prog = cuda.to_device(m.prog.words)
        lablo = int(m.st[K.S_LABLO])
        self.soft = (self.ncap // SOFT, self.vcap // SOFT)
        self.par = cuda.to_device(np.array([self.ncap, self.vcap, lablo, m.prog.width, sw,
                                            *self.soft, self.place], np.int64))
        self.ctl = cuda.device_array(self.k.CTL_SIZE, np.int64)

    def retire(self):
        """Keep the heap arrays for the next run whose device heap has the same size (upload,
        compact and the kernels write every word a phase reads before it reads it): allocating
        them, and freeing the last run's, cost every run a few milliseconds."""
        global _spare
        _spare = ((self.ncap, self.vcap), self.arrays)

    def grid(self, n: int, block: int) -> int:
        """Blocks of `block` threads that cover n threads."""
        return int(max(1, -(-n // block)))

    def sweep(self, n: int) -> int:
        """Blocks of a grid-stride sweep over n entries."""
        return min(self.grid(n, BLOCK), SWEEP_BLOCKS)

    def free(self, ctl: np.ndarray) -> tuple:
        """Free (nodes, vars) the threads can still take: the fresh slots past the bump
        pointers and the slots left in the pools."""
        k = self.k
        return tuple(int(cap - min(ctl[bump], cap) + max(0, ctl[length] - ctl[pos]))
                     for cap, bump, pos, length in ((self.ncap, k.C_NBUMP, k.C_NPOS, k.C_NLEN),
                                                    (self.vcap, k.C_VBUMP, k.C_VPOS, k.C_VLEN)))

    def running_low(self, ctl: np.ndarray) -> bool:
        """Whether free slots have fallen under an eighth of the nodes or vars (then it is
        time to compact; the bump pointers only grow, so testing them alone compacted at every
        synchronisation)."""
        nodes, vars_ = self.free(ctl)
        return nodes < self.ncap // 8 or vars_ < self.vcap // 8

    def number(self, arr, stride: int, lo: int, hi: int, base: int, index) -> int:
        """Number the live entries of arr in [lo, hi) base, base + 1, ... in order (index[i]
        is entry i's number); how many are live."""
        if hi <= lo:
            return 0
        span = max(16 * self.h.TILE, -(-(hi - lo) // SPANS))   # few blocks for a small heap
        groups = -(-(hi - lo) // span)
        counts = self.cuda.device_array(groups, np.int64)
        self.h.count_live[groups, self.h.TILE](arr, stride, lo, hi, span, counts)
        c = counts.copy_to_host()
        offsets = self.cuda.to_device(np.cumsum(c) - c)
        self.h.number_live[groups, self.h.TILE](arr, stride, lo, hi, span, offsets, base,
                                                index)
        return int(c.sum())

    def move_down(self, ctl: np.ndarray, front, pairs: int) -> tuple:
        """Renumber the live nodes 1, 2, ... into the frontier array that is not `front`, the
        live vars ROOT, ROOT + 1, ... into dfr, and the first `pairs` redexes of `front` to
        match; (the array now holding the nodes, nodes live, vars live with ROOT)."""
        k, h = self.k, self.h
        nhi, vhi = min(int(ctl[k.C_NBUMP]), self.ncap), min(int(ctl[k.C_VBUMP]), self.vcap)
        spare = self.fronts[1] if front is self.fronts[0] else self.fronts[0]
        nodes = self.number(self.nodes, 2, 1, nhi, 1, self.npool)
        vars_ = self.number(self.vs, 1, K.ROOT, vhi, K.ROOT, self.vpool)
        self.vpool[:1].copy_to_device(np.zeros(1, np.int64))     # an open var cell stays 0
        h.move_live[self.sweep(nhi), BLOCK](self.nodes, 2, 1, nhi, self.npool, self.npool,
                                             self.vpool, spare)
        h.move_live[self.sweep(vhi), BLOCK](self.vs, 1, K.ROOT, vhi, self.vpool, self.npool,
                                             self.vpool, self.dfr)
        if pairs:
            h.move_pairs[self.sweep(2 * pairs), BLOCK](front, pairs, self.npool, self.vpool)
        return spare, nodes, vars_

    def compact(self, ctl: np.ndarray):
        """Gather the FREE nodes and vars below the bump pointers into the pools."""
        k = self.k
        ctl[k.C_NPOS] = ctl[k.C_NLEN] = ctl[k.C_VPOS] = ctl[k.C_VLEN] = 0
        ctl[k.C_NBUMP] = min(ctl[k.C_NBUMP], self.ncap)
        ctl[k.C_VBUMP] = min(ctl[k.C_VBUMP], self.vcap)
        ctl[k.C_FULL] = 0
        self.ctl.copy_to_device(ctl)
        for arr, stride, lo, hi, pool, clen in (
                (self.nodes, 2, 1, ctl[k.C_NBUMP], self.npool, k.C_NLEN),
                (self.vs, 1, K.ROOT + 1, ctl[k.C_VBUMP], self.vpool, k.C_VLEN)):
            if hi > lo:
                self.h.compact[self.sweep(hi - lo), BLOCK](arr, stride, lo, int(hi), pool,
                                                           self.ctl, clen)
        ctl[:] = self.ctl.copy_to_host()
        nodes, vars_ = self.free(ctl)
        short = int(nodes < self.soft[0] or vars_ < self.soft[1])
        if short != ctl[k.C_DEFER]:
            ctl[k.C_DEFER] = short
            self.ctl.copy_to_device(ctl)

    def release(self, ctl: np.ndarray, front, parity: int) -> int:
        """Move the most recent deferred calls onto the end of the frontier `front` (count
        ctl[parity]), up to one per thread; how many moved."""
        k = self.k
        count, deferred = int(ctl[parity]), int(ctl[k.C_DCNT])
        n = min(deferred, max(0, self.threads - count))
        if n:
            front[2 * count:2 * (count + n)].copy_to_device(
                self.dfr[2 * (deferred - n):2 * deferred])
            ctl[parity], ctl[k.C_DCNT] = count + n, deferred - n
            self.ctl.copy_to_device(ctl)
        return n


class Machine(cpu.Machine):
    """The cpu Machine whose `reduce` hands parallel work to the GPU (see module docstring)."""

    def __init__(self, prog: Program, options: RunOptions, initial: int | None = None):
        super().__init__(prog, options, initial)
        cpu.prepare()       # compiling the kernels must not count in the first stint's rate
        self.gpu = not prog.uses_sinks
        self.quota = self.stint = CPU_QUOTA   # cpu interactions left / of the next stint
        self.cpu_rate = 0.0         # interactions per second of the cpu kernel in its last stint
        self.stint_work = [0, 0.0]  # (interactions, kernel seconds) of the stint so far
        self.device = None
        self.phases = []            # per device phase: (interactions, seconds, syncs, top
        #                             frontier, compactions, seconds spent compacting, seconds
        #                             spent sending the heap, seconds bringing it back, seconds
        #                             making the device heap: allocating, or the last run's)
        self.trace = []             # per synchronisation: (frontier before, threads, launches,
        #                             interactions, seconds, frontier after, whether a thread
        #                             ran out of memory, nodes in use after a compaction or -1,
        #                             deferred calls moved into the frontier before, deferred
        #                             calls after)

    def reduce(self):
        """Reduce until no redex is left: cpu stints, device phases where they pay."""
        if not self.gpu:
            super().reduce()
            return
        st = self.st
        while True:
            budget = self.budget() if self.quota <= 0 else min(self.budget(), self.quota)
            before, t0, c0 = self.rewrites(), time.perf_counter(), self.compact_s
            status = self.kernel(budget)
            done = self.rewrites() - before
            # the rate is the whole stint's, compaction left out: a short last call followed
            # by a compaction, measured alone, gave 0.2 MIPS
            self.stint_work[0] += done
            self.stint_work[1] += time.perf_counter() - t0 - (self.compact_s - c0)
            if self.stint_work[1] > 1e-3:
                self.cpu_rate = self.stint_work[0] / self.stint_work[1]
            self.check_limits()
            if status == K.DONE:
                return
            if status != K.BUDGET:
                self.grow(status)
                continue
            self.quota -= done
            if self.quota <= 0 and st[K.S_RPOS] == st[K.S_NREQ]:
                self.stint = next_stint(self.stint, self.offload(), self.cpu_rate)
                self.quota, self.stint_work = self.stint, [0, 0.0]

    # -- the device phase ----------------------------------------------------------------------

    def offload(self) -> float:
        """Reduce on the GPU until no redex is left or the cpu kernel would do better; the
        seconds the phase took beyond what the cpu kernel would have, or if more, those its
        last slow synchronisations took (so that a phase which paid but ended on a small
        frontier is not tried again at once: bitonic18's next one lost 27-40 ms); 0 if the heap
        in use does not fit the GPU."""
        start = time.perf_counter()
        if self.device is None or self.device.host != (self.nodes.size // 2, self.vs.size):
            self.device = None                  # the old arrays go before the new ones come
            self.device = Device(self)
        made_s = time.perf_counter() - start
        dev, k, st = self.device, self.device.k, self.st
        if st[K.S_NBUMP] > dev.ncap or st[K.S_VBUMP] > dev.vcap:
            return 0.0                          # the heap in use does not fit the GPU
        sent = time.perf_counter()
        ctl = self.upload()
        up_s = time.perf_counter() - sent
        fin, fout = dev.fronts
        parity, count, slow, stuck, syncs, top = 0, int(ctl[0]), 0, 0, 0, int(ctl[0])
        slow_lost = 0.0     # seconds the slow synchronisations in a row took past the cpu kernel
        compactions, compact_s = 0, 0.0
        base = st[K.S_ANNI:K.S_OPER + 1].copy()
        while True:
            released = dev.release(ctl, fin, parity) if count < dev.threads // 4 else 0
            count += released
            if not count:
                break
            t0, r0 = time.perf_counter(), int(ctl[k.C_ANNI:k.C_OPER + 1].sum())
            share = 1 if count < SHARE_BELOW else 0
            threads = min(dev.threads, max(BLOCK, 4 * count))
            launches, before = BATCH[0] if count < SMALL else BATCH[1], count
            for _ in range(launches):
                k.step[dev.grid(threads, dev.block), dev.block, 0, dev.shared](
                    dev.nodes, dev.vs, fin, fout, dev.dfr, dev.ctl, dev.par, dev.prog, dev.scr,
                    dev.npool, dev.vpool, parity, STEPS, share)
                parity = (parity + 1) % 3
                fin, fout = fout, fin
            ctl[:] = dev.ctl.copy_to_host()
            count = int(ctl[parity])
            syncs, top = syncs + 1, max(top, count)
            st[K.S_ANNI:K.S_OPER + 1] = base + ctl[k.C_ANNI:k.C_OPER + 1]
            self.check_limits()
            done = int(ctl[k.C_ANNI:k.C_OPER + 1].sum()) - r0
            elapsed = time.perf_counter() - t0
            waiting = count + int(ctl[k.C_DCNT])
            if waiting < SMALL and done < elapsed * self.cpu_rate:
                slow, slow_lost = slow + 1, slow_lost + elapsed - done / self.cpu_rate
            else:
                slow, slow_lost = 0, 0.0
            stuck = stuck + 1 if done == 0 else 0
            in_use, full = -1, int(ctl[k.C_FULL])
            if full or dev.running_low(ctl):
                t1 = time.perf_counter()
                dev.compact(ctl)
                compactions, compact_s = compactions + 1, compact_s + time.perf_counter() - t1
                in_use = int(ctl[k.C_NBUMP] - 1 - ctl[k.C_NLEN])    # node 0 is reserved
            self.trace.append((before, threads, launches, done, time.perf_counter() - t0, count,
                               full, in_use, released, int(ctl[k.C_DCNT])))
            if slow >= SLOW_SYNCS or stuck >= 2:
                break
        total, t1 = int(ctl[k.C_ANNI:k.C_OPER + 1].sum()), time.perf_counter()
        self.download(ctl, fin, count)
        seconds = time.perf_counter() - start
        self.phases.append((total, seconds, syncs, top, compactions, compact_s, up_s,
                            time.perf_counter() - t1, made_s))
        return max(seconds - total / self.cpu_rate, slow_lost) if self.cpu_rate else 0.0

    def upload(self) -> np.ndarray:
        """Copy the heap and the pending redexes to the device; the host copy of ctl."""
        dev, k, st = self.device, self.device.k, self.st
        nb, vb = int(st[K.S_NBUMP]), int(st[K.S_VBUMP])
        self.nodes[2 * self.nfs[:int(st[K.S_NFREE])]] = FREE     # free stacks to FREE marks
        self.vs[self.vfs[:int(st[K.S_VFREE])]] = FREE
        dev.nodes[:2 * nb].copy_to_device(self.nodes[:2 * nb])
        dev.vs[:vb].copy_to_device(self.vs[:vb])
        hi, lo = int(st[K.S_HI]), int(st[K.S_LO])
        pairs = np.concatenate([self.rdx[:2 * hi], self.rdx[self.rdx.size - 2 * lo:]])
        if pairs.size:
            dev.fronts[0][:pairs.size].copy_to_device(pairs)
        st[K.S_HI] = st[K.S_LO] = 0
        ctl = np.zeros(k.CTL_SIZE, np.int64)
        ctl[0] = hi + lo
        ctl[k.C_NBUMP], ctl[k.C_VBUMP], ctl[k.C_LABEL] = nb, vb, st[K.S_LABEL]
        dev.compact(ctl)
        return ctl

    def download(self, ctl: np.ndarray, front, count: int):
        """Move the live nodes and vars down on the device, copy just them back (the host's
        free stacks start empty) and stack the redexes left, if any (the deferred calls after
        the frontier's, most recent first)."""
        dev, k, st = self.device, self.device.k, self.st
        deferred = int(ctl[k.C_DCNT])
        if deferred:
            front[2 * count:2 * (count + deferred)].copy_to_device(dev.dfr[:2 * deferred])
        moved, nodes, vars_ = dev.move_down(ctl, front, count + deferred)
        self.follow_held(dev)
        if nodes:
            moved[2:2 * (nodes + 1)].copy_to_host(self.nodes[2:2 * (nodes + 1)])
        dev.dfr[K.ROOT:K.ROOT + vars_].copy_to_host(self.vs[K.ROOT:K.ROOT + vars_])
        st[K.S_NFREE], st[K.S_NBUMP], st[K.S_NPEAK] = 0, nodes + 1, max(st[K.S_NPEAK], nodes)
        st[K.S_VFREE], st[K.S_VBUMP] = 0, K.ROOT + vars_
        st[K.S_LABEL] = K.counted_label.py_func(int(ctl[k.C_LABEL]), int(st[K.S_LABLO]))
        if count or deferred:
            pairs = _pairs(front, count + deferred)
            pairs[count:] = pairs[count:][::-1].copy()
            self.restack(pairs.ravel())

    def follow_held(self, dev: Device):
        """Renumber the node and var locations normalize holds across a round (`held`) as
        move_down renumbered their nodes and vars (npool and vpool map old index to new)."""
        held = self.held
        for kind, pool in ((0, dev.npool), (1, dev.vpool)):
            mine = (held & 3) == kind
            if mine.any():
                index = held[mine] >> 2
                slot = index >> 1 if kind == 0 else index
                lo, hi = int(slot.min()), int(slot.max()) + 1
                new = pool[lo:hi].copy_to_host()[slot - lo]
                held[mine] = (2 * new + (index & 1)) << 2 if kind == 0 else new << 2 | 1


def next_stint(stint: int, lost: float, cpu_rate: float) -> int:
    """Interactions of the cpu stint after a device phase that took `lost` seconds more than the
    cpu kernel would have: CPU_QUOTA after one that paid, else four times the last stint and at
    least 1 / PROBE_SHARE times the seconds lost, so phases that lose cost at most PROBE_SHARE
    of the cpu kernel's time (a few milliseconds each, against stints of 5 ms at first)."""
    if lost <= 0:
        return CPU_QUOTA
    return max(4 * stint, int(min(lost / PROBE_SHARE * cpu_rate, 1 << 62)))


def _pairs(arr, n: int) -> np.ndarray:
    """The first n redex pairs of a device array, as an n x 2 host array."""
    return arr[:2 * n].copy_to_host().reshape(-1, 2) if n else np.zeros((0, 2), np.int64)


def run(book: net.Book, options: RunOptions, *, initial: int | None = None) -> RunResult:
    """Reduce `book` from its entry point to normal form, on the GPU where it pays."""
    jit = load() + cpu.prepare()
    return complete(Machine(pack(book), options, initial), jit)


def complete(machine: Machine, jit: float) -> RunResult:
    """cpu.complete, then the machine's device heap kept for the next run of its size."""
    result = cpu.complete(machine, jit)
    if machine.device is not None:
        machine.device.retire()
    return result
