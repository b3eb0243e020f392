"""Atomic operations on one element of an int64 array, for @njit kernels (numba intrinsics).

Each function takes a C-contiguous int64 array and an index (no bounds check, no wraparound)
and emits one llvmlite atomic instruction (loads acquire, stores release, read-modify-writes
acquire-release: each is a full barrier on x86, and none lets LLVM move plain memory accesses
across it in the direction that would break publishing a node through a var cell):
    atomic_load(a, i)            the value, read atomically (never hoisted out of a loop)
    atomic_store(a, i, v)        store v atomically
    atomic_xchg(a, i, v)         store v, return the old value
    atomic_add(a, i, v)          add v, return the old value
    atomic_cas(a, i, old, new)   store new if the value is old; return the value found
Plain loads and stores of shared cells may be optimised away or reordered by LLVM; every
cell that another thread writes concurrently must go through these.
"""
from __future__ import annotations

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

LOAD, STORE, RMW = "acquire", "release", "acq_rel"


def _pointer(context, builder, arytype, ary, index):
    """The address of ary[index] (llvm pointer to int64)."""
    array = context.make_array(arytype)(context, builder, ary)
    return cgutils.get_item_pointer2(context, builder, array.data,
                                     cgutils.unpack_tuple(builder, array.shape),
                                     cgutils.unpack_tuple(builder, array.strides),
                                     arytype.layout, [index], wraparound=False,
                                     boundscheck=False)


def _check(ary, *values):
    """Accept only int64 arrays and integer operands."""
    return (isinstance(ary, types.Array) and ary.dtype == types.int64 and ary.ndim == 1
            and all(isinstance(v, types.Integer) for v in values))


def _cast(context, builder, sig, args, k):
    return context.cast(builder, args[k], sig.args[k], types.int64)


def _rmw(op):
    """An intrinsic `f(a, i, v)` doing atomic read-modify-write `op`, returning the old value."""
    @intrinsic
    def rmw(typingctx, ary, index, value):
        if not _check(ary, index, value):
            return None

        def codegen(context, builder, sig, args):
            ptr = _pointer(context, builder, sig.args[0], args[0],
                           _cast(context, builder, sig, args, 1))
            return builder.atomic_rmw(op, ptr, _cast(context, builder, sig, args, 2), RMW)
        return types.int64(ary, index, value), codegen
    return rmw


atomic_xchg = _rmw("xchg")
atomic_add = _rmw("add")


@intrinsic
def atomic_cas(typingctx, ary, index, expected, new):
    if not _check(ary, index, expected, new):
        return None

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0],
                       _cast(context, builder, sig, args, 1))
        pair = builder.cmpxchg(ptr, _cast(context, builder, sig, args, 2),
                               _cast(context, builder, sig, args, 3), RMW, LOAD)
        return builder.extract_value(pair, 0)
    return types.int64(ary, index, expected, new), codegen


@intrinsic
def atomic_load(typingctx, ary, index):
    if not _check(ary, index):
        return None

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0],
                       _cast(context, builder, sig, args, 1))
        return builder.load_atomic(ptr, LOAD, 8)
    return types.int64(ary, index), codegen


@intrinsic
def atomic_store(typingctx, ary, index, value):
    if not _check(ary, index, value):
        return None

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0],
                       _cast(context, builder, sig, args, 1))
        builder.store_atomic(_cast(context, builder, sig, args, 2), ptr, STORE, 8)
        return context.get_dummy_value()
    return types.void(ary, index, value), codegen
