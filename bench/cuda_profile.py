"""Profile the cuda backend's `step` kernel with Nsight Compute (`ncu`) on a GPU machine.

    python bench/cuda_profile.py launches bench/programs_gpu/sum_rec24.hvm
    python bench/cuda_profile.py stalls bench/programs_gpu/sum_rec24.hvm --skip 30
    python bench/cuda_profile.py memory bench/programs_gpu/sum_rec24.hvm --set MAX_THREADS=16384
    python bench/cuda_profile.py sections bench/programs_gpu/bitonic18.hvm --skip 250

`launches` profiles every `step` launch of one run (`cuda_check.py --phases`) and sums their
time by grid size, with the warps active and the threads an instruction serves, weighted by
time. `stalls` profiles one launch (after --skip others) with the source counters and prints
why its warps stalled, in all and at the SASS instructions that took most samples; --dump FILE
keeps ncu's whole source page (a CSV row per SASS instruction), and --source cuda,sass adds the
source lines of a kernel built with `lineinfo=True`. `memory` profiles --count launches
(after --skip) with MEMORY_METRICS: where the kernel's loads and stores went (L1 hits of local
memory, L2, DRAM) and how big the SM's L1 was. `sections` prints ncu's own report of one
launch's SECTIONS: how near each unit (SM issue, L1, L2, DRAM) ran to its peak. --set
NAME=VALUE is passed on to cuda_check.py (a tuning constant of runtime/cuda.py).
"""
from __future__ import annotations

import argparse
import collections
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCH_METRICS = ("gpu__time_duration.sum", "launch__grid_size",
                  "sm__warps_active.avg.pct_of_peak_sustained_active",
                  "smsp__thread_inst_executed_per_inst_executed.ratio")
MEMORY_METRICS = ("gpu__time_duration.sum", "launch__grid_size", "smsp__inst_executed.sum",
                  "launch__shared_mem_config_size",
                  "l1tex__t_sectors_pipe_lsu_mem_local_op_ld.sum",
                  "l1tex__t_sectors_pipe_lsu_mem_local_op_ld_lookup_hit.sum",
                  "l1tex__t_sectors_pipe_lsu_mem_local_op_st.sum",
                  "l1tex__t_sectors_pipe_lsu_mem_local_op_st_lookup_hit.sum",
                  "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum",
                  "l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum",
                  "l1tex__t_sectors_pipe_lsu_mem_global_op_atom.sum",
                  "lts__t_sectors.sum", "lts__t_sector_hit_rate.pct",
                  "dram__bytes_read.sum", "dram__bytes_write.sum")
SECTIONS = ("SpeedOfLight", "MemoryWorkloadAnalysis", "ComputeWorkloadAnalysis", "Occupancy",
            "SchedulerStats", "WarpStateStats")
NCU = shutil.which("ncu") or "/usr/local/cuda/bin/ncu"


def ncu(args: list[str], program: str, settings: list[str] = ()) -> str:
    """Run `cuda_check.py --phases program` (with --set for each of settings) under ncu with
    args; its output."""
    if not os.path.exists(NCU):
        sys.exit("ncu (Nsight Compute) not found")
    sets = [x for setting in settings for x in ("--set", setting)]
    cmd = [NCU, "--kernel-name", "regex:^step", *args, sys.executable,
           str(ROOT / "bench/cuda_check.py"), *sets, "--phases", program]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def number(text: str) -> float:
    """A metric value as ncu writes it in CSV."""
    return float(text.replace(",", "") or 0)


def per_launch(out: str) -> dict[str, dict[str, float]]:
    """ncu's CSV of --metrics (one row per launch and metric) as metric values by launch."""
    values: dict[str, dict[str, float]] = collections.defaultdict(dict)
    for row in csv.DictReader(io.StringIO(out[out.index('"ID"'):])):
        values[row["ID"]][row["Metric Name"]] = number(row["Metric Value"])
    return values


def launch_table(out: str) -> list[str]:
    """ncu's CSV of LAUNCH_METRICS, one row per launch and metric: time in `step` by grid size
    (powers of two), with the warps active and the threads per instruction weighted by time."""
    groups: dict[int, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    by_launch = per_launch(out)
    for m in by_launch.values():
        grid = int(m["launch__grid_size"])
        g, t = groups[1 << (grid.bit_length() - 1)], m["gpu__time_duration.sum"]
        g[0] += 1
        g[1] += t
        g[2] += t * m[LAUNCH_METRICS[2]]
        g[3] += t * m[LAUNCH_METRICS[3]]
    total = sum(g[1] for g in groups.values()) or 1
    lines = [f"{len(by_launch)} launches of step, {total / 1e9:.3f} s"]
    for grid, (n, t, warps, threads) in sorted(groups.items()):
        lines.append(f"grid {grid:>5}+ blocks: {n:4} launches, {100 * t / total:5.1f}% of the "
                     f"time, warps active {warps / t:5.1f}%, threads per instruction "
                     f"{threads / t:5.1f}")
    return lines


def stall_table(out: str, top: int) -> list[str]:
    """ncu's source page of one launch (CSV, SASS): its stall reasons, in all and at the `top`
    most sampled instructions."""
    header = out.rfind("\n", 0, out.index('"Address"')) + 1
    # with source lines (cuda,sass) a row is a source line's totals or, with an address, one
    # SASS instruction; its second "Source" column (the one DictReader keeps) is the SASS text
    rows = [r for r in csv.DictReader(io.StringIO(out[header:]))
            if r["Address"].startswith("0x")]
    reasons = [k for k in rows[0] if k.startswith("stall_") and "Not Issued" not in k]
    sampled = [(number(r["Warp Stall Sampling (All Samples)"]), i, r) for i, r in enumerate(rows)]
    samples = sum(s for s, _, _ in sampled) or 1
    executed = sum(number(r["Instructions Executed"]) for r in rows) or 1
    threads = sum(number(r["Thread Instructions Executed"]) for r in rows)
    totals = sorted(((sum(number(r[k]) for r in rows), k) for k in reasons), reverse=True)
    lines = [f"{len(rows)} SASS instructions, {threads / executed:.2f} threads per instruction",
             "stalls: " + ", ".join(f"{k[6:]} {100 * v / samples:.1f}%" for v, k in totals
                                    if v > samples / 100)]
    for s, i, r in sorted(sampled, key=lambda x: -x[0])[:top]:
        why = max(reasons, key=lambda k: number(r[k]))
        lines.append(f"{i:6} {100 * s / samples:5.2f}% {why[6:]:10} threads "
                     f"{number(r['Avg. Threads Executed']):4.1f}  {r['Source'].strip()}")
    return lines


def memory_table(out: str) -> list[str]:
    """One line per launch of ncu's CSV of MEMORY_METRICS."""
    lines = []
    for launch, m in per_launch(out).items():
        def share(part: str, whole: str) -> float:
            return 100 * m[part] / max(m[whole], 1)
        local = "l1tex__t_sectors_pipe_lsu_mem_local_op_"
        glob = "l1tex__t_sectors_pipe_lsu_mem_global_op_"
        sectors = m["lts__t_sectors.sum"] / 1e6
        lines.append(
            f"launch {launch}: {m['launch__grid_size']:.0f} blocks, "
            f"{m['gpu__time_duration.sum'] / 1e6:.2f} ms, "
            f"{m['smsp__inst_executed.sum'] / 1e6:.1f} M warp instructions, "
            f"L1 config {m['launch__shared_mem_config_size'] / 1024:.0f} KB shared; "
            f"local sectors ld {m[local + 'ld.sum'] / 1e6:.1f} M "
            f"({share(local + 'ld_lookup_hit.sum', local + 'ld.sum'):.0f}% L1 hits), "
            f"st {m[local + 'st.sum'] / 1e6:.1f} M "
            f"({share(local + 'st_lookup_hit.sum', local + 'st.sum'):.0f}% hits); global "
            f"sectors ld {m[glob + 'ld.sum'] / 1e6:.1f} M, st {m[glob + 'st.sum'] / 1e6:.1f} M, "
            f"atom {m[glob + 'atom.sum'] / 1e6:.1f} M; L2 {sectors:.1f} M sectors "
            f"({m['lts__t_sector_hit_rate.pct']:.0f}% hits); DRAM "
            f"{m['dram__bytes_read.sum'] / 2**20:.0f} MB read, "
            f"{m['dram__bytes_write.sum'] / 2**20:.0f} MB written")
    return lines


def launches(program: str) -> list[str]:
    """Profile every `step` launch of one run of program."""
    return launch_table(ncu(["--csv", "--metrics", ",".join(LAUNCH_METRICS)], program))


def stalls(program: str, skip: int, top: int, dump: Path | None, source: str) -> list[str]:
    """Profile launch skip + 1 of one run of program with the source counters (ncu's source
    page, one CSV row per SASS instruction, written to `dump` if given)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "step")
        ncu(["--launch-skip", str(skip), "--launch-count", "1", "--section", "SourceCounters",
             "-o", report], program)
        out = subprocess.run([NCU, "-i", report + ".ncu-rep", "--page", "source", "--csv",
                              "--print-source", source], capture_output=True, text=True,
                             check=True).stdout
    if dump:
        dump.write_text(out)
    return stall_table(out, top)


def memory(program: str, skip: int, count: int, settings: list[str]) -> list[str]:
    """Profile launches skip + 1 .. skip + count of one run of program with MEMORY_METRICS."""
    return memory_table(ncu(["--launch-skip", str(skip), "--launch-count", str(count), "--csv",
                             "--print-units", "base",
                             "--metrics", ",".join(MEMORY_METRICS)], program, settings))


def sections(program: str, skip: int) -> list[str]:
    """ncu's text report of SECTIONS for launch skip + 1 of one run of program."""
    args = ["--launch-skip", str(skip), "--launch-count", "1"]
    for section in SECTIONS:
        args += ["--section", section]
    lines = ncu(args, program).splitlines()
    start = next((i for i, line in enumerate(lines) if ", Context " in line), 0)
    return lines[start:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["launches", "stalls", "memory", "sections"])
    parser.add_argument("program")
    parser.add_argument("--skip", type=int, default=30, help="launches before the one profiled")
    parser.add_argument("--top", type=int, default=20, help="SASS instructions listed")
    parser.add_argument("--count", type=int, default=2, help="launches profiled by memory")
    parser.add_argument("--dump", type=Path, help="stalls: write ncu's source page (CSV) here")
    parser.add_argument("--source", default="sass", help="stalls: ncu's --print-source (sass, "
                        "or cuda,sass for a kernel compiled with lineinfo)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a tuning constant of runtime/cuda.py, passed to cuda_check.py")
    a = parser.parse_args()
    if a.what == "launches":
        lines = launches(a.program)
    elif a.what == "stalls":
        lines = stalls(a.program, a.skip, a.top, a.dump, a.source)
    elif a.what == "sections":
        lines = sections(a.program, a.skip)
    else:
        lines = memory(a.program, a.skip, a.count, a.set)
    print(f"{Path(a.program).stem}:")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
