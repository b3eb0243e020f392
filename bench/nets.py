"""Hand-built net books for measuring the reducers without the compiler front end.

    python bench/nets.py                 # cpu backend, every net, median of 3
    python bench/nets.py -b reference loop:100000

Each net states the result it must give; the table shows interactions, seconds and MIPS
(Stats.time: reduction only) plus the JIT seconds of the first run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hvmlang import runtime  # noqa: E402
from hvmlang.net import Book, Con, Dup, Net, Num, Op, Ref, Swi, Wire  # noqa: E402
from hvmlang.ops import CODE  # noqa: E402
from hvmlang.runtime.api import RunOptions  # noqa: E402

ADD = CODE["+"]


def lam(a, b):
    return Con(None, a, b)


def loop_book(n: int) -> Book:
    """`loop n acc`: count acc up n times with a tail call (10 interactions per step)."""
    w = Wire
    nets = {
        "main": Net(w("r"), [(Ref("loop"), lam(Num(n), lam(Num(0), w("r"))))]),
        "loop": Net(lam(Swi(lam(lam(w("a"), w("a")), Ref("loop_s")), w("b")), w("b"))),
        "loop_s": Net(lam(w("p"), lam(w("x"), w("r"))),
                      [(Ref("loop"), lam(w("p"), lam(w("y"), w("r")))),
                       (w("x"), Op(ADD, Num(1), w("y")))]),
    }
    return Book(nets, "main", recursive={"loop", "loop_s"})


def sum_book(depth: int) -> Book:
    """`sum n = n == 0 ? 1 : sum(n-1) + sum(n-1)`: binary recursion, 2^depth leaves."""
    w = Wire
    nets = {
        "main": Net(w("r"), [(Ref("sum"), lam(Num(depth), w("r")))]),
        "sum": Net(lam(Swi(lam(Num(1), Ref("sum_s")), w("r")), w("r"))),
        "sum_s": Net(lam(Dup(0, w("a"), w("b")), w("r")),
                     [(Ref("sum"), lam(w("a"), Op(ADD, w("y"), w("r")))),
                      (Ref("sum"), lam(w("b"), w("y")))]),
    }
    return Book(nets, "main", recursive={"sum", "sum_s"})


def tree_book(depth: int) -> Book:
    """Build a complete tree of pairs with 2^depth leaves #1, then sum it."""
    w = Wire
    pair = lambda a, b: Con(",", a, b)  # noqa: E731
    nets = {
        "main": Net(w("r"), [(Ref("sumt"), lam(Num(depth), lam(w("t"), w("r")))),
                             (Ref("gen"), lam(Num(depth), w("t")))]),
        "gen": Net(lam(Swi(lam(Num(1), Ref("gen_s")), w("r")), w("r"))),
        "gen_s": Net(lam(Dup(0, w("a"), w("b")), pair(w("x"), w("y"))),
                     [(Ref("gen"), lam(w("a"), w("x"))), (Ref("gen"), lam(w("b"), w("y")))]),
        "sumt": Net(lam(Swi(lam(lam(w("t"), w("t")), Ref("sumt_s")), w("r")), w("r"))),
        "sumt_s": Net(lam(Dup(0, w("p"), w("q")), lam(pair(w("l"), w("m")), w("s"))),
                      [(Ref("sumt"), lam(w("p"), lam(w("l"), Op(ADD, w("y"), w("s"))))),
                       (Ref("sumt"), lam(w("q"), lam(w("m"), w("y"))))]),
    }
    return Book(nets, "main", recursive={"gen", "gen_s", "sumt", "sumt_s"})


NETS = {"loop": (loop_book, 10_000_000, lambda n: n),
        "sum": (sum_book, 22, lambda d: 1 << d),
        "tree": (tree_book, 21, lambda d: 1 << d)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nets", nargs="*", help="NAME or NAME:SIZE (default: all)")
    parser.add_argument("-b", "--backend", default="cpu")
    parser.add_argument("--repeat", type=int, default=3)
    a = parser.parse_args()
    backend = runtime.get(a.backend)
    print(f"{'net':<16} {'rewrites':>13} {'seconds':>8} {'MIPS':>7} {'min..max MIPS':>15} "
          f"{'JIT s':>6} {'peak':>9}")
    failed = 0
    for spec in a.nets or list(NETS):
        name, _, size = spec.partition(":")
        build, default, expect = NETS[name]
        n = int(size) if size else default
        book = build(n)
        runs = [backend.run(book, RunOptions(mem_bytes=8 << 30)) for _ in range(a.repeat)]
        mips = [r.stats.rewrites / r.stats.time / 1e6 for r in runs]
        r = runs[0]
        ok = r.net.root == Num(expect(n))
        failed += not ok
        print(f"{name + ':' + str(n):<16} {r.stats.rewrites:>13,} "
              f"{statistics.median(x.stats.time for x in runs):>8.3f} "
              f"{statistics.median(mips):>7.1f} {min(mips):>7.1f}..{max(mips):<7.1f} "
              f"{max(x.stats.jit for x in runs):>6.2f} {r.stats.peak:>9,}"
              + ("" if ok else f"  WRONG: {r.net.root}"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
