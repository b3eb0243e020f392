"""bench/cuda_profile.py: the tables it makes of Nsight Compute's CSV output; bench/cuda_ptx.py."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "cuda_profile", Path(__file__).resolve().parent.parent / "bench/cuda_profile.py")
profile = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(profile)

# per launch: time (ns), grid size, warps active (%), threads per instruction
MEASURED = [(1000, 3, 4, 20), (3000, 1024, 30, 4), (1000, 1100, 38, 8)]
LAUNCHES = "==PROF== Connected to process 1\nsum_rec24: 386,620,695 interactions\n" \
    '"ID","Kernel Name","Metric Name","Metric Unit","Metric Value"\n' + "".join(
        f'"{i}","step","{name}","","{value:,}"\n'
        for i, values in enumerate(MEASURED)
        for name, value in zip(profile.LAUNCH_METRICS, values))


def test_launches_are_grouped_by_grid_size_and_weighted_by_time():
    lines = profile.launch_table(LAUNCHES)
    assert lines[0] == "3 launches of step, 0.000 s"
    assert lines[1].startswith("grid     2+ blocks:    1 launches,  20.0% of the time")
    assert lines[1].endswith("warps active   4.0%, threads per instruction  20.0")
    assert lines[2].startswith("grid  1024+ blocks:    2 launches,  80.0% of the time")
    assert lines[2].endswith("warps active  32.0%, threads per instruction   5.0")


STALLS = '"Kernel Name","step"\n' + \
    '"Address","Source","Warp Stall Sampling (All Samples)","Instructions Executed",' \
    '"Thread Instructions Executed","Avg. Threads Executed","stall_long_sb","stall_membar",' \
    '"stall_membar (Not Issued)"\n' \
    '"0x10","      ERRBAR","30","10","40","4","0","30","30"\n' \
    '"0x20","      ISETP.NE.U32.AND P0, PT, R4, RZ, PT","60","10","80","8","59","1","0"\n' \
    '"0x30","      EXIT","10","20","640","32","10","0","0"\n'


def test_stalls_are_summed_and_the_most_sampled_instructions_listed():
    lines = profile.stall_table(STALLS, top=2)
    assert lines[0] == "3 SASS instructions, 19.00 threads per instruction"
    assert lines[1] == "stalls: long_sb 69.0%, membar 31.0%"
    assert lines[2] == "     1 60.00% long_sb    threads  8.0  ISETP.NE.U32.AND P0, PT, R4, RZ, PT"
    assert lines[3] == "     0 30.00% membar     threads  4.0  ERRBAR"
    assert len(lines) == 4


PTX_TOOL = Path(__file__).resolve().parent.parent / "bench/cuda_ptx.py"
PTX_SPEC = importlib.util.spec_from_file_location("cuda_ptx", PTX_TOOL)
ptx_tool = importlib.util.module_from_spec(PTX_SPEC)
PTX_SPEC.loader.exec_module(ptx_tool)


def run_ptx_tool(*args):
    """bench/cuda_ptx.py in a fresh interpreter (it must import the kernels itself)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    return subprocess.run([sys.executable, str(PTX_TOOL), *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_ptx_tool_names_the_kernels_it_knows_without_a_gpu():
    done = run_ptx_tool("--kernel", "nope")
    assert done.returncode == 1
    assert done.stderr.strip() == ("no kernel nope; kernels: compact, count_live, move_live, "
                                   "move_pairs, number_live, step")


def test_ptx_tool_reports_registers_and_instructions_where_a_toolkit_is_installed():
    if not ptx_tool.PTXAS.exists():
        pytest.skip("no CUDA toolkit (ptxas) here")
    done = run_ptx_tool("--kernel", "move_pairs", "--top", "3")
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert lines[0].startswith("move_pairs: ") and lines[0].endswith(" PTX instructions")
    assert "registers" in lines[1]
    assert len(lines) == 5
