"""The numeric operators as data: names, codes, and their 60-bit semantics.

Numbers are unsigned 60-bit integers; every result wraps modulo 2^60. `x / 0` and `x % 0`
are 0. Shifts take the right operand modulo 64 and mask to 60 bits. Comparisons give 0 or 1.
Unary `~` is compiled as `(^ x MASK)`.

Codes 0..15 are the operators in source order; code + FLIP (16) is the same operator with
its operands swapped, which the runtimes create when the second operand arrives first.
"""
from __future__ import annotations

BITS = 60
MASK = (1 << BITS) - 1
FLIP = 16

OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&", "|", "^",
             "<<", ">>"]
CODE = {name: code for code, name in enumerate(OPERATORS)}
UNARY_NOT = "~"


def apply(code: int, a: int, b: int) -> int:
    """Compute operator `code` (0..31, flipped when >= FLIP) on 60-bit numbers a and b."""
    if code >= FLIP:
        code, a, b = code - FLIP, b, a
    match code:
        case 0: r = a + b
        case 1: r = a - b
        case 2: r = a * b
        case 3: r = a // b if b else 0
        case 4: r = a % b if b else 0
        case 5: r = int(a == b)
        case 6: r = int(a != b)
        case 7: r = int(a < b)
        case 8: r = int(a > b)
        case 9: r = int(a <= b)
        case 10: r = int(a >= b)
        case 11: r = a & b
        case 12: r = a | b
        case 13: r = a ^ b
        case 14: r = a << (b % 64) if b % 64 < BITS else 0
        case 15: r = a >> (b % 64)
        case _: raise ValueError(f"bad operator code {code}")
    return r & MASK


def name(code: int) -> str:
    """Text of operator `code`; a flipped operator prints as `:op` (e.g. `:-`)."""
    return (":" if code >= FLIP else "") + OPERATORS[code % FLIP]


def code_of(text: str) -> int:
    """Inverse of `name`."""
    if text.startswith(":"):
        return CODE[text[1:]] + FLIP
    return CODE[text]
