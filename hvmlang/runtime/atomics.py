"""Atomic operations on one element of an int64 array, and a prefetch hint, for @njit kernels
(numba intrinsics).

Each function takes a C-contiguous int64 array and an index (no bounds check, no wraparound)
and emits one llvmlite atomic instruction (loads acquire, stores release, read-modify-writes
acquire-release: each is a full barrier on x86, and none lets LLVM move plain memory accesses
across it in the direction that would break publishing a node through a var cell):
    atomic_load(a, i)            the value, read atomically (never hoisted out of a loop)
    atomic_store(a, i, v)        store v atomically
    atomic_xchg(a, i, v)         store v, return the old value
    atomic_add(a, i, v)          add v, return the old value
    atomic_cas(a, i, old, new)   store new if the value is old; return the value found
    prefetch(a, i)               a hint to bring a[i]'s cache line in for writing
Plain loads and stores of shared cells may be optimised away or reordered by LLVM; every
cell that another thread writes concurrently must go through these.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

LOAD, STORE, RMW = "acquire", "release", "acq_rel"


def _operands(context, builder, sig, args) -> tuple:
    """The address of ary[index] (llvm pointer to int64), then the other operands as int64."""
    arytype, ary = sig.args[0], args[0]
    ints = [context.cast(builder, v, t, types.int64) for v, t in zip(args[1:], sig.args[1:])]
    array = context.make_array(arytype)(context, builder, ary)
    ptr = cgutils.get_item_pointer2(context, builder, array.data,
                                    cgutils.unpack_tuple(builder, array.shape),
                                    cgutils.unpack_tuple(builder, array.strides),
                                    arytype.layout, [ints[0]], wraparound=False,
                                    boundscheck=False)
    return (ptr, *ints[1:])


def _atomic(emit, arity, result=types.int64):
    """An intrinsic f(ary, index, *values) taking `arity` values, whose code is
    emit(context, builder, ptr, *values)."""
    def typed(ary, index, *values):
        if not (isinstance(ary, types.Array) and ary.dtype == types.int64 and ary.ndim == 1
                and all(isinstance(v, types.Integer) for v in (index, *values))):
            return None

        def codegen(context, builder, sig, args):
            return emit(context, builder, *_operands(context, builder, sig, args))
        return result(ary, index, *values), codegen

    typers = [lambda typingctx, ary, index: typed(ary, index),
              lambda typingctx, ary, index, v: typed(ary, index, v),
              lambda typingctx, ary, index, v, w: typed(ary, index, v, w)]
    return intrinsic(typers[arity])


def _cas(context, builder, ptr, expected, new):
    return builder.extract_value(builder.cmpxchg(ptr, expected, new, RMW, LOAD), 0)


def _store(context, builder, ptr, value):
    builder.store_atomic(value, ptr, STORE, 8)
    return context.get_dummy_value()


atomic_xchg = _atomic(lambda context, builder, ptr, v: builder.atomic_rmw("xchg", ptr, v, RMW), 1)
atomic_add = _atomic(lambda context, builder, ptr, v: builder.atomic_rmw("add", ptr, v, RMW), 1)
atomic_cas = _atomic(_cas, 2)
atomic_load = _atomic(lambda context, builder, ptr: builder.load_atomic(ptr, LOAD, 8), 0)
atomic_store = _atomic(_store, 1, types.void)


def _prefetch(context, builder, ptr):
    """llvm.prefetch(ptr, write, high locality, data cache)."""
    byte_ptr = ir.IntType(8).as_pointer()
    name = "llvm.prefetch.p0" if getattr(byte_ptr, "is_opaque", False) else "llvm.prefetch.p0i8"
    i32 = ir.IntType(32)
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32]), name)
    builder.call(fn, [builder.bitcast(ptr, byte_ptr), i32(1), i32(3), i32(1)])
    return context.get_dummy_value()


prefetch = _atomic(_prefetch, 0, types.void)
