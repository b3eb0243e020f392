"""Random atomic exchanges and loads over device arrays of growing size, one chain a thread:
whether the span of memory a kernel touches costs it (TLB reach, L2 and DRAM), apart from
everything else the cuda backend's kernel does. Run on a GPU machine:

    python bench/memory_span.py            # 132 SMs x 20 warps of threads
    python bench/memory_span.py 16896      # four warps an SM
"""
from __future__ import annotations

import sys
import time

import numpy as np

from hvmlang.runtime.cuda import restore_row_stack

restore_row_stack()
from numba import cuda, uint64  # noqa: E402

ROUNDS = 256                          # dependent operations a thread
SPANS = (20, 23, 26, 28, 29, 30, 31)  # log2 of the array's int64 words (8 MiB to 16 GiB)


@cuda.jit
def chase(arr, n, rounds, exchange, out):
    """Each thread: `rounds` exchanges (or loads) at hashed indices, each index depending on
    the value the one before returned."""
    t = cuda.grid(1)
    h = uint64(t) * uint64(0x9E3779B97F4A7C15) + uint64(1)
    total = 0
    for _ in range(rounds):
        h ^= h >> uint64(33)
        h *= uint64(0xFF51AFD7ED558CCD)
        h ^= h >> uint64(29)
        i = np.int64(h % uint64(n))
        old = cuda.atomic.exch(arr, i, np.int64(t)) if exchange else arr[i]
        h += uint64(old & 1)
        total += old
    out[t] = total


def best_seconds(arr, n: int, exchange: bool, threads: int, out) -> float:
    """The fastest of three timed launches."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        chase[(threads + 127) // 128, 128](arr, n, ROUNDS, exchange, out)
        cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    """One line per span and operation: millions of operations a second, ns a thread's op."""
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 132 * 20 * 32
    out = cuda.device_array(threads, np.int64)
    for log_words in SPANS:
        n = 1 << log_words
        arr = cuda.device_array(n, np.int64)
        chase[(threads + 127) // 128, 128](arr, n, 4, True, out)    # compile, touch pages
        cuda.synchronize()
        for exchange in (True, False):
            s = best_seconds(arr, n, exchange, threads, out)
            print(f"{8 * n / 2**30:8.3f} GiB {'exch' if exchange else 'load'}: "
                  f"{threads * ROUNDS / s / 1e6:9.1f} M ops/s, {s / ROUNDS * 1e9:6.0f} ns an op "
                  f"a thread ({threads:,} threads)", flush=True)
        del arr


if __name__ == "__main__":
    main()
