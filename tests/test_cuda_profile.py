"""bench/cuda_profile.py: the tables it makes of Nsight Compute's CSV output; bench/cuda_ptx.py;
bench/cuda_ab.sh's table of device phases."""
import importlib.util
import os
import struct
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


def test_stalls_of_a_page_with_source_lines_count_the_sass_rows_only():
    head, body = STALLS.split("\n", 2)[1:]
    mixed = '"File Path","kernels.py"\n"Line No","Source",' + head + "\n" + \
        '"12","r = interact(a, b)","-","-","100","40","760","19","69","31","30"\n' + \
        "".join(f'"","",{row}\n' for row in body.splitlines()) + '"","","...","...",' + \
        ",".join(['"-"'] * 7) + "\n"
    assert profile.stall_table(mixed, top=2) == profile.stall_table(STALLS, top=2)


PTX_TOOL = Path(__file__).resolve().parent.parent / "bench/cuda_ptx.py"
PTX_SPEC = importlib.util.spec_from_file_location("cuda_ptx", PTX_TOOL)
ptx_tool = importlib.util.module_from_spec(PTX_SPEC)
PTX_SPEC.loader.exec_module(ptx_tool)


def run_ptx_tool(*args):
    """bench/cuda_ptx.py in a fresh interpreter (it must import the kernels itself)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    return subprocess.run([sys.executable, str(PTX_TOOL), *args], capture_output=True,
                          text=True, env=env, timeout=300)


def elf(sections: dict[str, int]) -> bytes:
    """A minimal ELF64 file with sections of the given names and sizes (their headers only)."""
    names = b"\0" + b"".join(n.encode() + b"\0" for n in [*sections, ".shstrtab"])
    offsets = [1 + sum(len(n) + 1 for n in list(sections)[:i]) for i in range(len(sections) + 1)]
    shoff, count = 64 + len(names), len(sections) + 2
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    struct.pack_into("<Q", header, 0x28, shoff)
    struct.pack_into("<HHH", header, 0x3A, 64, count, count - 1)
    table = bytes(64) + b"".join(
        struct.pack("<IIQQQQ", at, 1, 0, 0, 0, size) + bytes(24)
        for at, size in zip(offsets, [*sections.values()]))
    table += struct.pack("<IIQQQQ", offsets[-1], 3, 0, 0, 64, len(names)) + bytes(24)
    return bytes(header) + names + table


def test_ptx_tool_counts_the_machine_code_of_text_sections_only():
    cubin = elf({".text.step": 4096, ".nv.info": 100, ".text.helper": 320, ".data": 8})
    assert ptx_tool.code_bytes(cubin) == 4416


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
    assert lines[0].startswith("move_pairs: ") and " PTX instructions, " in lines[0]
    assert " bytes of SASS (" in lines[0] and lines[0].endswith(" instructions)")
    assert "registers" in lines[1]
    assert len(lines) == 5


def phase_log(mips: dict, result: int = 7) -> str:
    """A cuda_check.py --phases log: per program, its result and two device phases."""
    return "".join(
        f"{name}: 1,000,000 interactions in 1.0 s, result Num(value={result})\n"
        f"   device phase:    999,000 interactions    0.5 s    {rate} MIPS    9 syncs\n"
        f"   device phase:      1,000 interactions    0.1 s       0.5 MIPS    4 syncs\n"
        for name, rate in mips.items())


def test_ab_table_lists_the_largest_phase_of_each_program_round_after_round(tmp_path):
    logs = {"main.1": phase_log({"sort": 600.5, "sum": 1200.0}),
            "main.2": phase_log({"sort": 610.0, "sum": 1210.0}),
            "try_X_2.1": phase_log({"sort": 700.0, "sum": 1300.0}, result=8)}
    for name, text in logs.items():
        (tmp_path / f"{name}.log").write_text(text)
    done = subprocess.run(["bash", str(PTX_TOOL.parent / "cuda_ab.sh"), "table", "2", "main",
                           "try@X=2"], capture_output=True, text=True,
                          env={**os.environ, "OUT": str(tmp_path)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [line.split() for line in done.stdout.splitlines()] == [
        ["variant", "sort", "sum"],
        ["main", "600.5", "/", "610.0", "1200.0", "/", "1210.0"],
        ["try@X=2", "700.0!", "1300.0!"]]
