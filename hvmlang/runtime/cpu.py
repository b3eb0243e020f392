"""The default backend: the single-threaded Numba reducer of `kernels.py`, driven in chunks.

Input: a net.Book and RunOptions. Output: a RunResult whose net is the normal form (the root
tree, plus a redex `& w ~ tree` for each cycle no tree can hold), the ports recorded by the
HVM.log/HVM.print sinks, and the statistics. Python runs the kernels chunk by chunk and, between
chunks, checks the rewrite limit, the timeout and Ctrl-C. The heap is reserved at the size
`mem_bytes` allows (np.zeros maps pages lazily, so a small net touches little of it); where the
system refuses that much, it starts smaller and grows by doubling up to `mem_bytes`. The
schedule is the reference backend's, so both give the same counters.
"""
from __future__ import annotations

import time

import numpy as np

from .. import net
from . import compaction as C
from . import heap_walk as W
from . import kernels as K
from .api import (Interrupted, OutOfMemory, RewriteLimit, RunOptions, RunResult, Stats, Timeout,
                  format_size)
from .layout import Program, Reader, pack

BYTES_PER_NODE = 48    # reserved per node slot: its 16 bytes, a var cell, a slot on each free
#                        stack and a redex share (44), spare; cuda.Device scales its heap by it
# what a GROW_* status grows: the array, its words per slot, the free stack that grows with it
_GROWN = {K.GROW_NODES: ("nodes", 2, "nfs"), K.GROW_VARS: ("vs", 1, "vfs"),
          K.GROW_RDX: ("rdx", 2, None), K.GROW_OUT: ("outs", 2, None)}

# compaction (compaction.py): only a heap past the L2 cache's size, only after this many
# interactions per node in use since the last one (8 and 32 measured no better), and only
# while its scratch arrays take at most COMPACT_MAX_BYTES
COMPACT_MIN_NODES = 1 << 16
COMPACT_EVERY = 16
COMPACT_MAX_BYTES = 1 << 28
COMPACT_CHECK = 1 << 20     # kernel calls no longer than this where the heap is compacted
#                             (bitonic gained 4% more than with the 2^22 of a chunk, and 1.7%
#                             more once calls starting on a small heap were held to it too)

_A = "int64[::1]"
_SIGNATURES = {
    K.reduce: f"int64({_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, {_A}, int64)",
    K.mark_calls: f"void({_A}, int8[::1])",
    W.collect: f"int64({_A}, {_A}, {_A}, {_A}, {_A}, int64, {_A}, {_A})",
    W.export: f"int64({_A}, {_A}, {_A}, {_A}, int64, int64, int64, {_A}, {_A}, {_A}, int8[::1])",
    W.parents: f"void({_A}, {_A}, {_A}, int64, int64, {_A}, {_A})",
    C.gather: f"UniTuple(int64, 2)({_A}, {_A}, {_A}, int64, int64, {_A}, int64, {_A}, {_A})",
    C.settle: f"UniTuple(int64, 2)({_A}, {_A}, {_A}, int64, int64, int64, int64, int64, {_A}, "
              f"{_A}, {_A})",
}
_compiled = False


def compile_kernels(signatures: dict) -> float:
    """Compile or load each kernel for its signature; the seconds spent compiling (0 if cached)."""
    start = time.perf_counter()
    misses = 0
    for kernel, signature in signatures.items():
        kernel.compile(signature)
        misses += sum(kernel.stats.cache_misses.values())
    return time.perf_counter() - start if misses else 0.0


def prepare() -> float:
    """Compile or load the kernels once per process; the seconds spent compiling (0 if cached)."""
    global _compiled
    if _compiled:
        return 0.0
    jit = compile_kernels(_SIGNATURES)
    _compiled = True
    return jit


def move_stacks(old: np.ndarray, new: np.ndarray, hi: int, lo: int):
    """Copy a two-ended redex array into a bigger one: `hi` pairs at the bottom, `lo` at the
    top (the layout of `rdx` and of the cpu-parallel bags)."""
    new[:2 * hi] = old[:2 * hi]
    if lo:
        new[new.size - 2 * lo:] = old[old.size - 2 * lo:]


class Machine:
    """The heap arrays of one run and the Python side of growth, limits and chunking."""

    compacts = True     # whether the heap is compacted between kernel calls (compact)
    compact_gap = 1     # compactions at least COMPACT_EVERY * this interactions per node
    #                     in use apart

    def __init__(self, prog: Program, options: RunOptions, initial: int | None = None):
        self.prog, self.options = prog, options
        self.limit = options.mem_bytes
        n = self.limit // BYTES_PER_NODE
        n = max(8, n if initial is None else min(initial, n))
        while True:
            try:
                self.nodes = np.zeros(2 * n, np.int64)
                self.vs = np.zeros(n, np.int64)
                self.nfs = np.zeros(n, np.int64)      # free node and var stacks
                self.vfs = np.zeros(n, np.int64)
                self.rdx = np.zeros(2 * max(4, n // 4), np.int64)
                break
            except MemoryError:
                if n <= 8:
                    raise OutOfMemory("out of memory: the system could not provide a heap")
                n //= 2
        self.outs = np.zeros(16, np.int64)
        self.st = np.zeros(K.STATE_SIZE, np.int64)
        self.st[K.S_NBUMP] = 1
        self.st[K.S_VBUMP] = K.ROOT + 1
        self.st[K.S_LABLO] = self.st[K.S_LABEL] = prog.first_fresh
        self.st[K.S_WIDTH] = prog.width
        self.scr = np.zeros(2 * prog.width + 2 * prog.links + 1, np.int64)   # + zero slot
        self.req = np.zeros(2, np.int64)
        self.compacted_at = 0       # the interaction count at the last compaction
        self.compact_s = 0.0        # seconds spent compacting
        self.held = np.zeros(0, np.int64)   # locations normalize holds across a reduction
        self.deadline = None if options.timeout is None else time.perf_counter() + options.timeout

    # -- limits and growth -------------------------------------------------------------------

    def rewrites(self) -> int:
        return int(self.st[K.S_ANNI:K.S_OPER + 1].sum())

    def check_limits(self):
        top = self.options.max_rewrites
        if top is not None and self.rewrites() > top:
            raise RewriteLimit(f"rewrite limit reached: more than {top} interactions "
                               "(use -r to raise it)")
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise Timeout(f"time limit reached: more than {self.options.timeout:g} s "
                          "(use --timeout to raise it)")

    def budget(self) -> int:
        """Interactions for the next kernel call: a chunk, at most COMPACT_CHECK where the heap
        is compacted between calls (also while it is small: it may grow past COMPACT_MIN_NODES
        within the call), never past the rewrite limit."""
        top = self.options.max_rewrites
        chunk = max(1, self.options.chunk)
        if self.compacts:
            chunk = min(chunk, COMPACT_CHECK)
        return chunk if top is None else max(1, min(chunk, top + 1 - self.rewrites()))

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.nodes, self.vs, self.nfs, self.vfs, self.rdx,
                                      self.outs))

    def grow(self, status: int):
        """Reallocate the array that `status` names to at least st[S_NEED] entries."""
        need = int(self.st[K.S_NEED])
        name, width, stack = _GROWN[status]
        old = getattr(self, name)
        cap = old.size // width
        spare = (self.limit - self.nbytes()) // (8 * (width + (stack is not None))) + cap
        new = min(max(2 * cap, need), spare)
        if status == K.GROW_NODES:
            new = min(new, K.ADDR_MASK)
        if new < need:
            raise OutOfMemory(f"out of memory: the net needs more than "
                              f"{format_size(self.limit)} (use -m to raise it)")
        try:
            arr = np.zeros(new * width, np.int64)
            free = None if stack is None else np.zeros(new, np.int64)
        except MemoryError:
            raise OutOfMemory(f"out of memory: the system could not provide "
                              f"{format_size(8 * new * width)} more for the net") from None
        if name == "rdx":
            move_stacks(old, arr, int(self.st[K.S_HI]), int(self.st[K.S_LO]))
        else:
            arr[:old.size] = old
        setattr(self, name, arr)
        if stack is not None:
            free[:cap] = getattr(self, stack)
            setattr(self, stack, free)

    # -- kernel drivers ----------------------------------------------------------------------

    def kernel(self, budget: int) -> int:
        """One call of the cpu kernel (its status); the heap's high-water mark goes into the
        peak (kernels.reduce counts slots by its bump pointers only: live counts in the loop
        cost it up to 5%)."""
        self.stack_free()
        st = self.st
        status = K.reduce(self.nodes, self.vs, self.nfs, self.vfs, self.rdx, self.outs, st,
                          self.prog.words, self.scr, self.req, budget)
        st[K.S_NPEAK] = max(st[K.S_NPEAK], st[K.S_NBUMP] - 1)
        if status == K.BUDGET:
            self.compact()
        return status

    def compact(self):
        """Move the nodes and wires in use together (`move_together`) when the heap is due
        (`compaction_due`) and no expansion request is pending."""
        st = self.st
        nbump, used = int(st[K.S_NBUMP]), int(st[K.S_NBUMP] - 1 - st[K.S_NFREE])
        if self.compacts and st[K.S_RPOS] == st[K.S_NREQ] and self.compaction_due(nbump, used):
            self.move_together(used)

    def compaction_due(self, nbump: int, used: int) -> bool:
        """Whether a heap whose bump pointer is at `nbump`, `used` nodes in use, is past
        COMPACT_MIN_NODES, COMPACT_EVERY * compact_gap interactions per node in use after the
        last compaction."""
        return nbump >= COMPACT_MIN_NODES and \
            self.rewrites() - self.compacted_at >= COMPACT_EVERY * self.compact_gap * used

    def move_together(self, used: int) -> bool:
        """Compact the heap of `used` nodes in use (compaction.py) unless its scratch arrays
        would pass COMPACT_MAX_BYTES (then it is due again as if it had run); whether it did.
        The locations in `held` follow their nodes and wires; the free stacks are listed
        (stack_free) only if some node in use is out of the roots' reach, and start empty."""
        st = self.st
        hi, lo, nout = int(st[K.S_HI]), int(st[K.S_LO]), int(st[K.S_NOUT])
        sizes = C.scratch_words(used, int(st[K.S_VBUMP]) - int(st[K.S_VFREE]))
        if 8 * sum(sizes) > COMPACT_MAX_BYTES:
            self.compacted_at = self.rewrites()
            return False
        start = time.perf_counter()
        copy, vcopy = (np.empty(size, np.int64) for size in sizes)
        n, nv = C.gather(self.nodes, self.vs, self.rdx, hi, lo, self.outs, nout, copy, vcopy)
        if n < used:
            self.stack_free()
        n, nv = C.settle(self.nodes, self.vs, self.nfs, int(st[K.S_NFREE]), int(st[K.S_NBUMP]),
                         used, n, nv, self.held, copy, vcopy)
        st[K.S_NBUMP], st[K.S_NFREE] = n + 1, 0
        st[K.S_VBUMP], st[K.S_VFREE] = nv + 1, 0
        self.compacted_at = self.rewrites()
        self.compact_s += time.perf_counter() - start
        return True

    def stack_free(self):
        """Put every free slot on the free stacks (they are: cpu_parallel's Machine keeps its
        workers' free lists until a kernel or the readback needs them stacked)."""

    def reduce(self):
        """Reduce until no redex is left, chunk by chunk."""
        self.reduce_until(None)

    def reduce_until(self, spread: int | None) -> bool:
        """Reduce chunk by chunk until no redex is left (False) or, given `spread`, until the
        redex stacks hold at least that many pairs after a chunk (True)."""
        st = self.st
        while True:
            status = self.kernel(self.budget())
            self.check_limits()
            if status == K.DONE:
                return False
            if status != K.BUDGET:
                self.grow(status)
            elif spread is not None and st[K.S_HI] + st[K.S_LO] >= spread:
                return True

    def restack(self, pairs: np.ndarray):
        """Put redex pairs on the cpu kernel's empty stacks (REF expansions on the low one)."""
        st = self.st
        pairs = np.ascontiguousarray(pairs, np.int64)
        low = np.empty(pairs.size // 2, np.int8)
        K.mark_calls(pairs, low)
        low = low.view(np.bool_)
        hi, lo = pairs.reshape(-1, 2)[~low], pairs.reshape(-1, 2)[low]
        if self.rdx.size < 2 * (len(hi) + len(lo) + 4):
            st[K.S_NEED] = len(hi) + len(lo) + 4
            self.grow(K.GROW_RDX)
        self.rdx[:hi.size] = hi.ravel()
        if lo.size:
            self.rdx[self.rdx.size - lo.size:] = lo.ravel()
        st[K.S_HI], st[K.S_LO] = len(hi), len(lo)

    def schedule(self, locs: np.ndarray):
        """Ask the kernel to expand the REF found at each location, in order, before it
        reduces anything else (boot and force phase)."""
        st, n = self.st, locs.size
        kind, index = locs & 3, locs >> 2
        arrays = (self.nodes, self.vs, self.outs)
        fresh = kind != 1
        count = int(fresh.sum())
        while int(st[K.S_VBUMP]) + count >= self.vs.size:
            st[K.S_NEED] = int(st[K.S_VBUMP]) + count + 1
            self.grow(K.GROW_VARS)
        self.req = np.empty(2 * n, np.int64)
        for k, arr in enumerate(arrays):
            self.req[1::2][kind == k] = arr[index[kind == k]]
        wires = index << 4
        new = np.arange(count, dtype=np.int64) + st[K.S_VBUMP]
        st[K.S_VBUMP] += count
        wires[fresh] = new << 4
        self.vs[index[~fresh]] = 0
        self.vs[new] = 0
        for k, arr in enumerate(arrays):
            sel = fresh & (kind == k)
            arr[index[sel]] = wires[sel]
        self.req[0::2] = wires
        st[K.S_RPOS], st[K.S_NREQ] = 0, n

    def scratch(self, nlocs: int) -> tuple:
        size = 2 * int(self.st[K.S_NBUMP]) + nlocs + 2
        return np.empty(size, np.int64), np.empty(size, np.int64)

    def output_locs(self, start: int) -> np.ndarray:
        """Locations of the outputs recorded from index `start` on."""
        return np.arange(start, int(self.st[K.S_NOUT]), dtype=np.int64) * 8 + 6

    def boot(self) -> np.ndarray:
        """Put `@entry` in the ROOT wire; the locations to expand first (ROOT's cell)."""
        self.vs[K.ROOT] = self.prog.entry << 4 | K.REF
        return np.array([K.ROOT << 2 | 1], np.int64)

    def normalize(self):
        """Boot `@entry ~ ROOT`, reduce, then force reachable references until none is left.

        Each round walks the outputs recorded since the last round (newest first) and then
        the places expanded in the last round, the order in which the reference backend
        meets them walking every root again."""
        locs = self.boot()
        seen = 0
        while True:
            self.schedule(locs)
            self.held = locs
            self.reduce()
            locs = np.concatenate([self.output_locs(seen)[::-1], self.held])
            seen = int(self.st[K.S_NOUT])
            stack, found = self.scratch(locs.size)
            count = W.collect(self.nodes, self.vs, self.outs, self.prog.words, locs, locs.size,
                              stack, found)
            if count == 0:
                return
            locs = found[:count].copy()

    def read(self, reader: Reader, locs: np.ndarray, cut: int, seen: np.ndarray) -> list:
        """The trees at `locs` (see heap_walk.export for `cut`)."""
        stack, kinds = self.scratch(locs.size + 1)
        vals = np.empty_like(kinds)
        n = W.export(self.nodes, self.vs, self.outs, locs, locs.size, cut, -1 - len(reader.wires),
                     stack, kinds, vals, seen)
        return reader.trees(kinds[:n], vals[:n])

    def export(self) -> tuple:
        """The root tree, the cycles left beside it as redexes, and the recorded outputs.

        A wire read only once leads into a cycle of nodes that no tree holds: as the
        reference backend does, climb from its other end to a node of the cycle and give
        that node's tree as a redex `& w ~ tree`, w being the wire of its principal port."""
        nout = int(self.st[K.S_NOUT])
        reader = Reader(self.prog)
        seen = np.zeros(int(self.st[K.S_NBUMP]), np.int8)
        locs = np.concatenate([np.array([K.ROOT << 2 | 1], np.int64), self.output_locs(0)])
        root, *outputs = self.read(reader, locs, -1, seen)
        redexes, parent, ends = [], None, None
        while (wire := reader.waiting()) is not None:
            if parent is None:
                parent = np.full(int(self.st[K.S_NBUMP]), -1, np.int64)
                ends = np.full(2 * int(self.st[K.S_VBUMP]), -1, np.int64)
                self.stack_free()
                W.parents(self.nodes, self.vs, self.nfs, self.st[K.S_NFREE], self.st[K.S_NBUMP],
                          parent, ends)
            slot = max((e for e in ends[2 * wire:2 * wire + 2] if e < 0 or not seen[e >> 1]),
                       default=-1)
            node, path = slot >> 1, set()
            while slot >= 0 and node not in path:
                path.add(node)
                slot = parent[node]
                node = slot >> 1
            if slot < 0:
                break
            cut = int(parent[node]) << 2
            redexes.append(tuple(self.read(reader, np.array([cut], np.int64), cut, seen)))
        sinks = self.outs[0:2 * nout:2].tolist()
        outputs = [(self.prog.names[s], t) for s, t in zip(sinks, outputs)]
        return net.Net(root, redexes), outputs


def _size(tree) -> int:
    return sum(isinstance(t, (net.Con, net.Dup, net.Op, net.Swi)) for t in net.walk(tree))


def run(book: net.Book, options: RunOptions, *, initial: int | None = None) -> RunResult:
    """Reduce `book` from its entry point to normal form (see module docstring)."""
    jit = prepare()
    return complete(Machine(pack(book), options, initial), jit)


def complete(machine: Machine, jit: float) -> RunResult:
    """Normalize on `machine`, read the result back and gather the statistics."""
    start = time.perf_counter()
    try:
        machine.normalize()
        elapsed = time.perf_counter() - start
        result, outputs = machine.export()
    except KeyboardInterrupt:
        raise Interrupted("interrupted") from None
    st = machine.st
    stats = Stats(anni=int(st[K.S_ANNI]), comm=int(st[K.S_COMM]), eras=int(st[K.S_ERAS]),
                  dref=int(st[K.S_DREF]), oper=int(st[K.S_OPER]), time=elapsed, jit=jit,
                  size=_size(result.root), peak=int(st[K.S_NPEAK]))
    return RunResult(net=result, stats=stats, outputs=outputs)
