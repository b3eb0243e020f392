"""Inline PTX for the cuda kernels (cuda_kernels.py): the fence that publishes a rule's node
writes, and relaxed loads at GPU scope, which read L2 and so see other SMs' writes. The
simulator runs no PTX: cuda_kernels.py puts plain device functions in their place there.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

# the fence between a rule's node writes and the exchanges that publish them (a PTX string, so
# that bench/cuda_device.sh can try others: acqrel, nofence)
FENCE_PTX = "membar.gl;"


@intrinsic
def fence(typingctx):
    """The PTX fence FENCE_PTX between the node writes of a rule and the exchanges that
    publish them. The reading side needs none: nodes are read from L2 (l2_load) at addresses
    that came out of those exchanges."""
    def codegen(context, builder, signature, args):
        asm = ir.InlineAsm(ir.FunctionType(ir.VoidType(), []), FENCE_PTX, "~{memory}",
                           side_effect=True)
        builder.call(asm, [])
        return context.get_dummy_value()
    return types.void(), codegen


@intrinsic
def l2_load(typingctx, array, index):
    """array[index] by a relaxed load at GPU scope, which reads L2 (an SM's L1 does not see
    other SMs' writes), so that a node built by another thread needs no fence before it."""
    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.gep(view.data, [args[1]])
        asm = ir.InlineAsm(ir.FunctionType(ir.IntType(64), [address.type]),
                           "ld.relaxed.gpu.global.s64 $0, [$1];", "=l,l", side_effect=True)
        return builder.call(asm, [address])
    return types.int64(array, index), codegen


@intrinsic
def l2_pair(typingctx, array, index):
    """(array[index], array[index + 1]) by one 16-byte relaxed load at GPU scope (a node's two
    words; index even, so the pair is aligned)."""
    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.gep(view.data, [args[1]])
        word = ir.IntType(64)
        asm = ir.InlineAsm(ir.FunctionType(ir.LiteralStructType([word, word]), [address.type]),
                           "ld.relaxed.gpu.global.v2.s64 {$0, $1}, [$2];", "=l,=l,l",
                           side_effect=True)
        pair = builder.call(asm, [address])
        return context.make_tuple(builder, signature.return_type,
                                  [builder.extract_value(pair, 0), builder.extract_value(pair, 1)])
    return types.UniTuple(types.int64, 2)(array, index), codegen
