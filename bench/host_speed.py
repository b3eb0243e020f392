"""How fast this host runs right now: a fixed Numba loop whose rate tells bench tables apart.

The machines the benches run on are shared, and the same reducer's MIPS move by 15% or more
between hours. `host_speed()` runs a loop shaped like the reducer's (dependent loads and stores
at random places of a 1 MB array, a few integer operations each) and returns its rate in
millions of steps per second, so two tables can be compared at the host speed each was taken at.
Over a 16 MB array the same loop waits on memory most of the time and its rate jumps around.

    python bench/host_speed.py
"""
from __future__ import annotations

import statistics
import time

import numpy as np
from numba import njit

WORDS = 1 << 17       # 1 MB: in the L2 cache, as most of a run's hot nodes are
STEPS = 1 << 22       # one measurement: 30-70 ms


@njit(cache=True)
def walk(cells, steps):
    """`steps` dependent read-modify-writes at pseudo-random cells; a checksum keeps it live."""
    mask = cells.shape[0] - 1
    i = 0
    total = 0
    for k in range(steps):
        x = cells[i]
        cells[i] = x + k
        total += x & 15
        i = (x * 6364136223846793005 + k) >> 17 & mask
    return total


def host_speed(repeat: int = 5) -> float:
    """Median rate of `walk` over `repeat` measurements, in millions of steps per second."""
    cells = np.arange(WORDS, dtype=np.int64) * 2654435761
    walk(cells, 16)                               # JIT or cache load stays out of the timing
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        walk(cells, STEPS)
        rates.append(STEPS / (time.perf_counter() - start) / 1e6)
    return statistics.median(rates)


if __name__ == "__main__":
    print(f"host speed: {host_speed():.1f} M steps/s")
