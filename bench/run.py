"""Benchmark the reducers: per program, interactions, reduce seconds, MIPS and JIT seconds.

    python bench/run.py                  # every program on the cpu backend
    python bench/run.py -b reference sum_rec loop
    python bench/run.py --repeat 5       # median of 5 runs per program
    python bench/run.py -b cuda --dir bench/programs_gpu

Each program in bench/programs/ states its result on an `// Expect:` line; a wrong result is
reported and makes the script exit 1. Compile time (source -> nets) and JIT time are reported
apart from reduction time.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hvmlang import runtime  # noqa: E402
from hvmlang.diagnostics import Reporter  # noqa: E402
from hvmlang.pipeline import Options, compile_source, prune  # noqa: E402
from hvmlang.readback import readback  # noqa: E402
from hvmlang.runtime.api import RunOptions  # noqa: E402

PROGRAMS = Path(__file__).resolve().parent / "programs"


def expected(path: Path) -> str:
    """The `// Expect:` value of a benchmark program."""
    for line in path.read_text().splitlines():
        if line.startswith("// Expect:"):
            return line.removeprefix("// Expect:").strip()
    raise SystemExit(f"{path.name} has no `// Expect:` line")


def bench(path: Path, backend_name: str, repeat: int, mem: int) -> dict:
    """Compile and run one program `repeat` times; return its row of the table."""
    t0 = time.perf_counter()
    book = prune(compile_source(path.read_text(), path.name, Options(), Reporter()))
    compile_s = time.perf_counter() - t0
    backend = runtime.get(backend_name)
    times, jit, result = [], 0.0, None
    for _ in range(repeat):
        result = backend.run(book, RunOptions(mem_bytes=mem))
        times.append(result.stats.time)
        jit = max(jit, result.stats.jit)
    text, _ = readback(result.net, book)
    seconds = statistics.median(times)
    rewrites = result.stats.rewrites
    return {"program": path.stem, "rewrites": rewrites, "seconds": seconds,
            "mips": rewrites / seconds / 1e6 if seconds else 0.0, "spread": max(times) - min(times),
            "compile": compile_s, "jit": jit, "ok": text == expected(path), "result": text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", help="program names (default: all)")
    parser.add_argument("-b", "--backend", default="cpu")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-m", "--mem", type=int, default=8 << 30, help="heap limit in bytes")
    parser.add_argument("--dir", type=Path, default=PROGRAMS,
                        help="folder of programs (default bench/programs; bench/programs_gpu "
                             "holds GPU-sized ones)")
    a = parser.parse_args()
    paths = sorted(a.dir.glob("*.hvm"))
    if a.programs:
        paths = [p for p in paths if p.stem in a.programs]
    print(f"backend: {a.backend}, median of {a.repeat} runs")
    print(f"{'program':<12} {'rewrites':>13} {'seconds':>9} {'MIPS':>8} {'spread s':>9} "
          f"{'compile s':>10} {'JIT s':>7}  result")
    failed = 0
    for path in paths:
        r = bench(path, a.backend, a.repeat, a.mem)
        mark = "ok" if r["ok"] else f"WRONG: {r['result']} (expected {expected(path)})"
        failed += not r["ok"]
        print(f"{r['program']:<12} {r['rewrites']:>13,} {r['seconds']:>9.3f} {r['mips']:>8.1f} "
              f"{r['spread']:>9.3f} {r['compile']:>10.3f} {r['jit']:>7.2f}  {mark}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
