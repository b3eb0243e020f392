"""Device kernels of the cuda backend that sweep the whole heap (numba.cuda): gathering the free
slots into pools, and moving the live nodes and vars down before the heap comes back.

Input: the device heap in the kernels.py port layout, every free node (`nodes[2a]`) and free
var cell below the bump pointers marked FREE. Moving down is three sweeps per array:
`count_live` counts the live entries of each span of slots (a block a span, a warp reading a
tile of consecutive slots at a time), the host turns the counts into offsets, `number_live`
gives each live entry its new index (in order, so the heap keeps its layout), and `move_live`
writes every live entry, its ports renumbered by `moved`, at its new index in another array.
Redex pairs are renumbered in place by `move_pairs`.
"""
from __future__ import annotations

from numba import config, cuda, int64

from .cuda_kernels import FREE
from .kernels import ADDR_BITS, ADDR_MASK, CON, TAG_MASK, VAR

# threads of a count_live or number_live block, launched with this many: a warp (the simulator
# takes a tile slot by slot, in fewer threads, so that its tests stay fast)
TILE = 4 if config.ENABLE_CUDASIM else 32


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


@cuda.jit(device=True)
def is_live(arr, stride, i, end):
    """Whether slot i is below `end` and not marked FREE."""
    return i < end and arr[stride * i] != FREE


if config.ENABLE_CUDASIM:
    @cuda.jit(device=True)
    def tile_ranks(arr, stride, tile, end, t):
        """The simulator's (whether slot tile + t is live, live slots before it in its tile,
        live slots in the tile), read slot by slot: it has no warp votes, and barriers among
        its Python threads made the simulator tests three times slower."""
        live = False
        rank = total = 0
        for k in range(TILE):
            if is_live(arr, stride, tile + k, end):
                total += 1
                if k < t:
                    rank += 1
                elif k == t:
                    live = True
        return live, rank, total
else:
    @cuda.jit(device=True)
    def tile_ranks(arr, stride, tile, end, t):
        """(Whether slot tile + t is live, live slots before it in its tile, live slots in the
        tile): a tile is a warp, a thread a slot, so one vote tells all three."""
        live = is_live(arr, stride, tile + t, end)
        mask = cuda.ballot_sync(0xFFFFFFFF, live)
        return live, cuda.popc(mask & ((1 << t) - 1)), cuda.popc(mask)


@cuda.jit("void(int64[::1], int64, int64, int64, int64, int64[::1])", cache=True)
def count_live(arr, stride, lo, hi, span, counts):
    """counts[g] = the entries not marked FREE among the span slots from lo + g * span. Block g
    reads them TILE consecutive slots at a time, a thread a slot, so its loads coalesce (a
    thread a span read one slot a load, each waiting for the one before)."""
    t = cuda.threadIdx.x
    start = lo + cuda.blockIdx.x * span
    end = min(hi, start + span)
    c = 0
    for tile in range(start, end, TILE):
        _, _, n = tile_ranks(arr, stride, tile, end, t)
        c += n
    if t == 0:
        counts[cuda.blockIdx.x] = c


@cuda.jit("void(int64[::1], int64, int64, int64, int64, int64[::1], int64, int64[::1])",
          cache=True)
def number_live(arr, stride, lo, hi, span, offsets, base, index):
    """index[i] = the new index of live entry i: base + offsets[g] + its rank in span g, which
    block g reads as count_live does."""
    t = cuda.threadIdx.x
    start = lo + cuda.blockIdx.x * span
    end = min(hi, start + span)
    j = base + offsets[cuda.blockIdx.x]
    for tile in range(start, end, TILE):
        live, rank, n = tile_ranks(arr, stride, tile, end, t)
        if live:
            index[tile + t] = j + rank
        j += n


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
