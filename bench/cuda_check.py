"""Check the cuda backend on a real GPU and show where its time goes.

    python bench/cuda_check.py               # golden run programs and examples, twice each
    python bench/cuda_check.py --phases bench/programs_gpu/*.hvm
    python bench/cuda_check.py --set STEPS=64 --set MAX_THREADS=65536 --phases ...
    python bench/cuda_check.py --counters bench/programs/*.hvm
    python bench/cuda_check.py --resources
    python bench/cuda_check.py --random 1000 --set MAX_THREADS=1024 --set STEPS=16

Each golden run program (tests/golden/run) and example must print what the repository expects,
once with the default schedule and once with every net sent to the device (cpu quota 1). With
--phases, each program runs once on -b cuda and its device phases are listed: interactions,
seconds (sending the heap to the device included), MIPS over those seconds less the making of
the device heap, synchronisations, the largest frontier, the compactions of the free pools and
the times taken to make the device heap, to send the heap and to bring it back. Through
`cuda.complete`, as in `cuda.run`, a program reuses the device heap of the one before when
their sizes match, and allocates its own otherwise: before, every program allocated its own,
and sum_tree22's phase took 99 ms of which its synchronisations took 48 ms and bringing the
heap back 10 ms.
--trace DIR writes the figures of every synchronisation to DIR/NAME.csv. --set NAME=VALUE
changes a tuning constant of runtime/cuda.py first. With --counters, each program runs on -b cpu
and -b cuda: the counters other than OPER must be equal (OPER depends on the order in which
operands arrive). --resources lists each device kernel's registers and local memory per thread.
With --random N, N typed and N Church random programs (tests/gen_programs.py), every net sent to
the device (cpu quota 1), must print what the call-by-need evaluator prints: the simulator
tests run a few dozen, a GPU runs thousands with its real concurrency (--set the schedule).
"""
from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hvmlang.cli import run_command  # noqa: E402
from hvmlang.runtime import cuda  # noqa: E402

MEM = int(os.environ.get("CUDA_CHECK_MEM", 16 << 30))    # heap limit of --counters and --phases


def cli(argv: list[str]) -> str:
    """Run the CLI in-process: stdout, stderr and exit status as the golden files write them."""
    out, err = io.StringIO(), io.StringIO()
    status = run_command(argv, out, err)
    return out.getvalue() + (f"--- stderr ---\n{err.getvalue()}" if err.getvalue() else "") + \
        (f"--- exit {status} ---\n" if status else "")


def cases() -> list[tuple[str, list[str], str]]:
    """(name, argv, expected text) for the golden run programs and the examples."""
    from test_examples import EXAMPLES, header
    out = []
    for path in sorted((ROOT / "tests/golden/run").glob("*.hvm")):
        extra = path.with_suffix(".args")
        args = [a for a in extra.read_text().splitlines() if a] if extra.exists() else []
        out.append((path.stem, ["run", path.name, "-b", "cuda"] + args,
                    path.with_suffix(".expected").read_text()))
    for path in EXAMPLES:
        args = " ".join(header(path, "Args")).split()
        out.append((path.stem, ["run", str(path), "-b", "cuda", *args],
                    "".join(line + "\n" for line in header(path, "Output"))))
    return out


def check() -> int:
    """Every case with the default cpu quota and with quota 1; the number that failed."""
    failed = 0
    for quota in (cuda.CPU_QUOTA, 1):
        cuda.CPU_QUOTA = quota
        for name, argv, expected in cases():
            os.chdir(ROOT / "tests/golden/run")
            got = cli(argv)
            ok = got == expected
            failed += not ok
            print(f"quota {quota:>8} {name:<20} {'ok' if ok else 'WRONG: ' + repr(got[:300])}")
    return failed


def random_programs(count: int) -> int:
    """`count` programs of each random kind on the device, cpu quota 1; the number whose
    result differed from the call-by-need evaluator's (each printed)."""
    import gen_programs
    from test_random_programs import results
    cuda.CPU_QUOTA = 1
    failed = 0
    for seed in range(count):
        for kind in ("typed", "church"):
            text = getattr(gen_programs, kind)(seed)
            out = results(text, ["cuda"])
            if len(set(out.values())) != 1:
                failed += 1
                print(f"{kind} {seed}: WRONG {out}\n{text}")
    print(f"{2 * count - failed} of {2 * count} random programs right")
    return failed


def compile_program(path: str):
    """The pruned net book of a program file."""
    from hvmlang.diagnostics import Reporter
    from hvmlang.pipeline import Options, compile_source, prune
    return prune(compile_source(Path(path).read_text(), path, Options(), Reporter()))


def counters(paths: list[str]) -> int:
    """Compare the counters of cpu and cuda runs; the number of programs that differ."""
    from hvmlang.runtime import cpu
    from hvmlang.runtime.api import RunOptions
    from rule_nets import counts
    failed = 0
    for p in paths:
        book = compile_program(p)
        mine, theirs = (counts(b.run(book, RunOptions(mem_bytes=MEM)).stats)
                        for b in (cuda, cpu))
        same = {k: v for k, v in mine.items() if k != "oper"} == \
            {k: v for k, v in theirs.items() if k != "oper"}
        failed += not same
        print(f"{Path(p).stem:<12} {'same' if same else 'DIFFERENT'}  cuda {mine}  cpu {theirs}")
    return failed


def phases(paths: list[str], trace_dir: str | None = None) -> None:
    """Run each program once on cuda and list its device phases (and, with trace_dir, write
    each synchronisation's figures to trace_dir/NAME.csv)."""
    from hvmlang.runtime.api import RunOptions
    from hvmlang.runtime.layout import pack
    cuda.load()
    for p in paths:
        book = compile_program(p)
        machine = cuda.Machine(pack(book), RunOptions(mem_bytes=MEM))
        result = cuda.complete(machine, 0.0)
        print(f"{Path(p).stem}: {result.stats.rewrites:,} interactions in "
              f"{result.stats.time:.3f} s, result {str(result.net.root)[:60]}")
        for total, seconds, syncs, top, compactions, compact_s, up_s, back_s, made_s \
                in machine.phases:
            print(f"   device phase: {total:>14,} interactions {seconds:8.3f} s "
                  f"{total / max(seconds - made_s, 1e-9) / 1e6:9.1f} MIPS {syncs:6} syncs "
                  f"frontier up to {top:,}, {compactions} compactions ({compact_s:.3f} s), "
                  f"heap made in {made_s:.3f} s, sent in {up_s:.3f} s, back in {back_s:.3f} s")
        if trace_dir:
            rows = ["frontier,threads,launches,interactions,seconds,next_frontier,full,"
                    "nodes_in_use,released,deferred"]
            rows += [",".join(str(x) for x in row) for row in machine.trace]
            (Path(trace_dir) / f"{Path(p).stem}.csv").write_text("\n".join(rows) + "\n")


def resources() -> None:
    """Registers, local memory (bytes) and shared memory (bytes) per thread of each kernel."""
    from numba.cuda.dispatcher import CUDADispatcher
    cuda.load()
    for module in (cuda._kernels, cuda._heap):
        for name, fn in vars(module).items():
            if isinstance(fn, CUDADispatcher) and not fn.targetoptions.get("device", False):
                for kernel in fn.overloads.values():
                    print(f"{name:<14} registers {kernel.regs_per_thread:4}  local "
                          f"{kernel.local_mem_per_thread:6} B  shared "
                          f"{kernel.shared_mem_per_block:6} B  max threads/block "
                          f"{kernel.max_threads_per_block}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", nargs="*", help="programs to run once, listing device phases")
    parser.add_argument("--trace", metavar="DIR",
                        help="with --phases: write each synchronisation's figures to DIR/NAME.csv")
    parser.add_argument("--counters", nargs="*", help="programs whose counters to compare")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="set a tuning constant of hvmlang.runtime.cuda")
    parser.add_argument("--random", type=int, metavar="N",
                        help="run N typed and N Church random programs on the device")
    parser.add_argument("--resources", action="store_true",
                        help="list each device kernel's registers and memory per thread")
    a = parser.parse_args()
    for item in a.set:
        name, value = item.split("=")
        setattr(cuda, name, int(value))
        print(f"{name} = {value}")
    if a.resources:
        resources()
        return 0
    if a.counters is not None:
        return 1 if counters(a.counters) else 0
    if a.phases is not None:
        phases(a.phases, a.trace)
        return 0
    if a.random is not None:
        return 1 if random_programs(a.random) else 0
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main())
