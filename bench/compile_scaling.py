"""Compile time against input size: a 2^k-element list literal and an N-definition program.

Times every compile stage that `hvm-lang run` performs (parse, desugar, check, lower, to_net)
in CPU seconds of the process (steadier than wall time on a shared machine; the compile runs
one thread at a time) and writes a Markdown table to bench/compile_scaling.md.

    python bench/compile_scaling.py            # k = 16, 18, 20 and N = 1000, 2500, 5000
    python bench/compile_scaling.py --quick    # k = 12, 13, 14 and N = 250, 500, 1000
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hvmlang.check import CheckOptions, check  # noqa: E402
from hvmlang.diagnostics import Reporter  # noqa: E402
from hvmlang.pipeline import Options, batch_gc, compile_net, desugar, lower, parse  # noqa: E402

STAGES = ["parse", "desugar", "check", "lower", "to_net"]


def list_program(k: int) -> str:
    """`main` is a list literal of 2^k numbers."""
    return "main = [" + ", ".join(str(i % 1000) for i in range(1 << k)) + "]\n"


def defs_program(n: int) -> str:
    """n small definitions, each calling the one before it; main calls the last."""
    lines = ["D0 x = (+ x 1)"]
    lines += [f"D{i} x = match x {{ 0: (D{i - 1} {i}); 1+p: (* (D{i - 1} p) 2) }}"
              for i in range(1, n)]
    return "\n".join(lines + [f"main = (D{n - 1} 3)"]) + "\n"


def timed(text: str) -> dict:
    """Seconds spent in each compile stage on `text`, with the collector set as the CLI sets it."""
    with batch_gc():
        return _stage_times(text)


def _stage_times(text: str) -> dict:
    times, reporter = {}, Reporter()
    wall = time.perf_counter()
    start = time.process_time()
    program = parse(text, "bench.hvm")
    times["parse"] = time.process_time() - start
    start = time.process_time()
    book = desugar(program, reporter, Options())
    times["desugar"] = time.process_time() - start
    start = time.process_time()
    check(program, book, reporter, CheckOptions(notes=False))
    times["check"] = time.process_time() - start
    del program
    start = time.process_time()
    book = lower(book, reporter)
    times["lower"] = time.process_time() - start
    start = time.process_time()
    compile_net(book)
    times["to_net"] = time.process_time() - start
    times["wall"] = time.perf_counter() - wall
    return times


def table(title: str, label: str, sizes: list, make) -> list[str]:
    """Markdown rows for one input family, with the growth factor of the total time."""
    rows = [f"### {title}", "", f"| {label} | " + " | ".join(STAGES) + " | total | ratio | wall |",
            "|" + "---:|" * (len(STAGES) + 4)]
    previous = None
    for size in sizes:
        t = timed(make(size))
        total = sum(t[s] for s in STAGES)
        ratio = f"{total / previous[1]:.2f} (size x{size / previous[0]:.1f})" if previous else ""
        rows.append(f"| {size} | " + " | ".join(f"{t[s]:.2f}" for s in STAGES)
                    + f" | {total:.2f} | {ratio} | {t['wall']:.2f} |")
        print(rows[-1], flush=True)
        previous = (size, total)
    return rows + [""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--out", default=str(Path(__file__).with_name("compile_scaling.md")))
    a = ap.parse_args()
    ks, ns = ([12, 13, 14], [250, 500, 1000]) if a.quick else ([16, 18, 20], [1000, 2500, 5000])
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    parse("main = 0\n", "warm-up.hvm")          # build the grammar tables outside the timings
    lines = ["# Compile time against input size", "",
             "CPU seconds per compile stage (`python bench/compile_scaling.py`); ratio: total "
             "over the previous row's (linear growth has a ratio close to the size factor); "
             "wall: elapsed seconds of the whole compile.", ""]
    lines += table("List literal of 2^k numbers", "elements", [1 << k for k in ks],
                   lambda n: list_program(n.bit_length() - 1))
    lines += table("Program of N definitions", "N", ns, defs_program)
    Path(a.out).write_text("\n".join(lines))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
