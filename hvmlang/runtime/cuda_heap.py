"""Device kernels of the cuda backend that sweep the whole heap (numba.cuda): gathering the free
slots into pools, and moving the live nodes and vars down before the heap comes back.

Input: the device heap in the kernels.py port layout, every free node (`nodes[2a]`) and free
var cell below the bump pointers marked FREE. Moving down is three sweeps per array:
`count_live` counts the live entries of each span of slots, the host turns the counts into
offsets, `number_live` gives each live entry its new index (in order, so the heap keeps its
layout), and `move_live` writes every live entry, its ports renumbered by `moved`, at its new
index in another array. Redex pairs are renumbered in place by `move_pairs`.
"""
from __future__ import annotations

from numba import cuda, int64

from .cuda_kernels import FREE
from .kernels import ADDR_BITS, ADDR_MASK, CON, TAG_MASK, VAR


@cuda.jit("void(int64[::1], int64, int64, int64, int64[::1], int64[::1], int64)", cache=True)
def compact(arr, stride, lo, hi, pool, ctl, clen):
    """Append every index in [lo, hi) whose entry is marked FREE to `pool` (count ctl[clen]).
    A block takes a tile of slots at a time and reserves room for all its free ones with one
    atomic add (one per slot made compaction cost milliseconds on a heap of 300 M nodes)."""
    shared = cuda.shared.array(2, int64)      # free slots in the tile, their place in the pool
    t = cuda.threadIdx.x
    tile = lo + cuda.blockIdx.x * cuda.blockDim.x
    while tile < hi:
        if t == 0:
            shared[0] = 0
        cuda.syncthreads()
        i = tile + t
        rank = -1
        if i < hi and arr[stride * i] == FREE:
            rank = cuda.atomic.add(shared, 0, 1)
        cuda.syncthreads()
        if t == 0 and shared[0] > 0:
            shared[1] = cuda.atomic.add(ctl, clen, shared[0])
        cuda.syncthreads()
        if rank >= 0:
            pool[shared[1] + rank] = i
        tile += cuda.gridDim.x * cuda.blockDim.x
        cuda.syncthreads()


@cuda.jit("void(int64[::1], int64, int64, int64, int64, int64[::1])", cache=True)
def count_live(arr, stride, lo, hi, span, counts):
    """counts[g] = the entries not marked FREE among the span slots from lo + g * span."""
    g = cuda.grid(1)
    start = lo + g * span
    if g >= counts.size or start >= hi:
        return
    c = 0
    for i in range(start, min(hi, start + span)):
        if arr[stride * i] != FREE:
            c += 1
    counts[g] = c


@cuda.jit("void(int64[::1], int64, int64, int64, int64, int64[::1], int64, int64[::1])",
          cache=True)
def number_live(arr, stride, lo, hi, span, offsets, base, index):
    """index[i] = the new index of live entry i: base + offsets[g] + its rank in span g."""
    g = cuda.grid(1)
    start = lo + g * span
    if g >= offsets.size or start >= hi:
        return
    j = base + offsets[g]
    for i in range(start, min(hi, start + span)):
        if arr[stride * i] != FREE:
            index[i] = j
            j += 1


@cuda.jit(device=True)
def moved(p, nmap, vmap):
    """Port p with its node address or var index renumbered (an open var cell, 0, stays 0:
    vmap[0] is 0)."""
    t = p & TAG_MASK
    if t == VAR:
        return vmap[p >> 4] << 4
    if t >= CON:
        return (p & ~ADDR_BITS) | (nmap[(p >> 4) & ADDR_MASK] << 4)
    return p


@cuda.jit("void(int64[::1], int64, int64, int64, int64[::1], int64[::1], int64[::1], "
          "int64[::1])", cache=True)
def move_live(arr, stride, lo, hi, index, nmap, vmap, dst):
    """Write each live entry i of arr in [lo, hi), renumbered, at dst[stride * index[i]]."""
    i = cuda.grid(1) + lo
    while i < hi:
        if arr[stride * i] != FREE:
            j = stride * index[i]
            for w in range(stride):
                dst[j + w] = moved(arr[stride * i + w], nmap, vmap)
        i += cuda.gridsize(1)


@cuda.jit("void(int64[::1], int64, int64[::1], int64[::1])", cache=True)
def move_pairs(arr, n, nmap, vmap):
    """Renumber the ports of the first n redex pairs of arr in place."""
    i = cuda.grid(1)
    while i < 2 * n:
        arr[i] = moved(arr[i], nmap, vmap)
        i += cuda.gridsize(1)
