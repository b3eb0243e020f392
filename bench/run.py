"""Benchmark the reducers: per program, interactions, reduce seconds, MIPS and JIT seconds.

    python bench/run.py                  # every program on the cpu backend
    python bench/run.py -b reference sum_rec loop
    python bench/run.py --repeat 5       # median of 5 runs per program
    python bench/run.py -b cuda --dir bench/programs_gpu
    python bench/run.py --compare        # cpu and cpu-parallel (2 threads) side by side
    python bench/run.py --compare -b cpu -b cpu-parallel -t 2 -t 4 --repeat 5

--compare runs each program on each backend (cpu-parallel once per -t) `--repeat` times,
interleaved, and prints per backend the median MIPS and its spread ((max - min) / median of
the run times), and the speed-up of each cpu-parallel column over cpu.

Before and after the table the script prints the host's speed (host_speed.py: a fixed loop),
so tables taken at different hours on a shared machine can be told apart from code changes.

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

from host_speed import host_speed  # noqa: E402
from hvmlang import runtime  # noqa: E402
from hvmlang.diagnostics import Reporter  # noqa: E402
from hvmlang.pipeline import Options, compile_source, prune  # noqa: E402
from hvmlang.readback import readback  # noqa: E402
from hvmlang.runtime.api import BackendUnavailable, RunOptions  # noqa: E402

PROGRAMS = Path(__file__).resolve().parent / "programs"


def expected(path: Path) -> str:
    """The `// Expect:` value of a benchmark program."""
    for line in path.read_text().splitlines():
        if line.startswith("// Expect:"):
            return line.removeprefix("// Expect:").strip()
    raise SystemExit(f"{path.name} has no `// Expect:` line")


def load(path: Path) -> tuple:
    """The pruned net book of a program and the seconds it took to compile."""
    t0 = time.perf_counter()
    book = prune(compile_source(path.read_text(), path.name, Options(), Reporter()))
    return book, time.perf_counter() - t0


def once(book, backend_name: str, mem: int, threads: int | None = None):
    """One run: (RunResult, printed result)."""
    result = runtime.get(backend_name).run(book, RunOptions(mem_bytes=mem, threads=threads))
    return result, readback(result.net, book)[0]


def bench(path: Path, backend_name: str, repeat: int, mem: int) -> dict:
    """Compile and run one program `repeat` times; return its row of the table."""
    book, compile_s = load(path)
    times, jit = [], 0.0
    for _ in range(repeat):
        result, text = once(book, backend_name, mem)
        times.append(result.stats.time)
        jit = max(jit, result.stats.jit)
    seconds = statistics.median(times)
    rewrites = result.stats.rewrites
    return {"program": path.stem, "rewrites": rewrites, "seconds": seconds,
            "mips": rewrites / seconds / 1e6 if seconds else 0.0, "spread": max(times) - min(times),
            "compile": compile_s, "jit": jit, "ok": text == expected(path), "result": text}


def columns(backends: list, threads: list) -> list:
    """(column title, backend, threads) for each backend; cpu-parallel once per thread count."""
    return [(f"{b} t{t}" if b == "cpu-parallel" else b, b, t if b == "cpu-parallel" else None)
            for b in backends for t in (threads if b == "cpu-parallel" else [None])]


def compare(paths: list, cols: list, repeat: int, mem: int) -> int:
    """Print one table: per program the rewrites and, per column, median MIPS and spread, then
    the speed-up of each cpu-parallel column over cpu. Returns how many results were wrong."""
    speedups = [c for c in cols if c[1] == "cpu-parallel"] if any(c[1] == "cpu" for c in cols) \
        else []
    print(f"median of {repeat} interleaved runs; MIPS (spread %); speed-up over cpu")
    print(f"{'program':<12} {'rewrites':>13} " + " ".join(f"{c[0]:>18}" for c in cols) +
          "".join(f" {'x ' + c[0].split()[-1]:>6}" for c in speedups))
    failed = 0
    for path in paths:
        book, _ = load(path)
        for _, name, t in cols:         # warm-up: JIT and first-touch pages stay out of the table
            once(book, name, mem, t)
        times = {c[0]: [] for c in cols}
        rewrites = {}
        for _ in range(repeat):
            for title, name, t in cols:
                result, text = once(book, name, mem, t)
                times[title].append(result.stats.time)
                rewrites[title] = result.stats.rewrites
                if text != expected(path):
                    failed += 1
                    print(f"WRONG on {title}: {text} (expected {expected(path)})")
        med = {k: statistics.median(v) for k, v in times.items()}
        spread = {k: 100 * (max(v) - min(v)) / med[k] for k, v in times.items()}
        cells = [f"{rewrites[c[0]] / med[c[0]] / 1e6:>9.1f} ({spread[c[0]]:>4.0f}%)" for c in cols]
        ups = [f" {med['cpu'] / med[c[0]]:>6.2f}" for c in speedups]
        print(f"{path.stem:<12} {rewrites[cols[0][0]]:>13,} " +
              " ".join(f"{cell:>18}" for cell in cells) + "".join(ups), flush=True)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", help="program names (default: all)")
    parser.add_argument("-b", "--backend", action="append",
                        help="backend (default cpu; with --compare: cpu and cpu-parallel; "
                             "repeat -b to compare several)")
    parser.add_argument("-t", "--threads", type=int, action="append",
                        help="cpu-parallel threads in --compare (repeatable; default 2)")
    parser.add_argument("--compare", action="store_true",
                        help="one table of every backend side by side")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-m", "--mem", type=int, default=8 << 30, help="heap limit in bytes")
    parser.add_argument("--dir", type=Path, default=PROGRAMS,
                        help="folder of programs (default bench/programs; bench/programs_gpu "
                             "holds GPU-sized ones)")
    a = parser.parse_args()
    paths = sorted(a.dir.glob("*.hvm"))
    if a.programs:
        paths = [p for p in paths if p.stem in a.programs]
    if not a.compare and (a.threads or len(a.backend or []) > 1):
        parser.error("several backends or -t need --compare")
    print(f"host speed: {host_speed():.1f} M steps/s (bench/host_speed.py)")
    try:
        failed = table(a, paths)
    except BackendUnavailable as e:
        print(f"bench/run.py: {e}", file=sys.stderr)
        return 3
    print(f"host speed: {host_speed():.1f} M steps/s after the table")
    return 1 if failed else 0


def table(a: argparse.Namespace, paths: list) -> int:
    """Print the table the arguments ask for; how many results were wrong."""
    if a.compare:
        cols = columns(a.backend or ["cpu", "cpu-parallel"], a.threads or [2])
        return compare(paths, cols, a.repeat, a.mem)
    backend = (a.backend or ["cpu"])[0]
    print(f"backend: {backend}, median of {a.repeat} runs")
    print(f"{'program':<12} {'rewrites':>13} {'seconds':>9} {'MIPS':>8} {'spread s':>9} "
          f"{'compile s':>10} {'JIT s':>7}  result")
    failed = 0
    for path in paths:
        r = bench(path, backend, a.repeat, a.mem)
        mark = "ok" if r["ok"] else f"WRONG: {r['result']} (expected {expected(path)})"
        failed += not r["ok"]
        print(f"{r['program']:<12} {r['rewrites']:>13,} {r['seconds']:>9.3f} {r['mips']:>8.1f} "
              f"{r['spread']:>9.3f} {r['compile']:>10.3f} {r['jit']:>7.2f}  {mark}", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
