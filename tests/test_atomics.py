"""The atomic intrinsics of hvmlang/runtime/atomics.py: semantics on one thread, and no lost
update under real contention from several threads running nogil kernels at once."""
import threading

import numpy as np
import pytest

pytest.importorskip("numba")
from numba import njit  # noqa: E402

from hvmlang.runtime.atomics import (atomic_add, atomic_cas, atomic_load,  # noqa: E402
                                     atomic_store, atomic_xchg)


@njit
def single(a):
    """Each operation once on a[0..]; the values they return."""
    out = np.zeros(8, np.int64)
    out[0] = atomic_xchg(a, 0, 7)       # a[0]: 5 -> 7
    out[1] = atomic_add(a, 0, 3)        # 7 -> 10
    out[2] = atomic_cas(a, 0, 10, 20)   # matches: 10 -> 20
    out[3] = atomic_cas(a, 0, 10, 30)   # does not match: stays 20
    atomic_store(a, 1, -4)
    out[4] = atomic_load(a, 1)
    out[5] = atomic_add(a, 1, -6)       # -4 -> -10
    return out


def test_single_thread_semantics():
    a = np.array([5, 0], np.int64)
    assert single(a).tolist()[:6] == [5, 7, 10, 20, -4, -4]
    assert a.tolist() == [20, -10]


@njit(nogil=True)
def add_many(a, n):
    for _ in range(n):
        atomic_add(a, 0, 1)


@njit(nogil=True)
def cas_many(a, n):
    retries = 0
    for _ in range(n):
        while True:
            old = atomic_load(a, 0)
            if atomic_cas(a, 0, old, old + 1) == old:
                break
            retries += 1
    return retries


@njit(nogil=True)
def meet(cells, n, mine, owned):
    """The link protocol: both threads exchange into every cell; the one that finds the other's
    deposit owns the cell (records it in `owned`)."""
    for i in range(n):
        if atomic_xchg(cells, i, mine) != 0:
            owned[i] = mine


@njit(nogil=True)
def spin_until(flag, value):
    while atomic_load(flag, 0) != value:
        pass


def parallel(fn, args_of, nthreads):
    results = [None] * nthreads
    threads = [threading.Thread(target=lambda k=k: results.__setitem__(k, fn(*args_of(k))))
               for k in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("nthreads", [2, 4])
def test_contended_add_loses_nothing(nthreads):
    a = np.zeros(1, np.int64)
    parallel(add_many, lambda k: (a, 200_000), nthreads)
    assert a[0] == 200_000 * nthreads


@pytest.mark.parametrize("nthreads", [2, 4])
def test_contended_cas_loop_loses_nothing(nthreads):
    a = np.zeros(1, np.int64)
    parallel(cas_many, lambda k: (a, 100_000), nthreads)
    assert a[0] == 100_000 * nthreads


def test_exchange_meets_each_cell_once():
    n = 300_000
    cells = np.zeros(n, np.int64)
    owned = np.zeros(n, np.int64)
    parallel(meet, lambda k: (cells, n, k + 1, owned), 2)
    # in each cell exactly one thread found the other's deposit: the second, whose value stays
    assert np.all((owned == 1) | (owned == 2))
    assert np.array_equal(cells, owned)


def test_load_sees_a_store_from_another_thread():
    flag = np.zeros(1, np.int64)
    waiter = threading.Thread(target=spin_until, args=(flag, 9))
    waiter.start()
    atomic_store_host = njit(lambda f: atomic_store(f, 0, 9))
    atomic_store_host(flag)
    waiter.join(timeout=10)
    assert not waiter.is_alive()
