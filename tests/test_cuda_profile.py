"""bench/cuda_profile.py: the tables it makes of Nsight Compute's CSV output."""
import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "cuda_profile", Path(__file__).resolve().parent.parent / "bench/cuda_profile.py")
profile = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(profile)

LAUNCHES = '''==PROF== Connected to process 1
sum_rec24: 386,620,695 interactions in 0.564 s
"ID","Kernel Name","Metric Name","Metric Unit","Metric Value"
"0","step","gpu__time_duration.sum","ns","1,000"
"0","step","launch__grid_size","","3"
"0","step","sm__warps_active.avg.pct_of_peak_sustained_active","%","4"
"0","step","smsp__thread_inst_executed_per_inst_executed.ratio","","20"
"1","step","gpu__time_duration.sum","ns","3,000"
"1","step","launch__grid_size","","1024"
"1","step","sm__warps_active.avg.pct_of_peak_sustained_active","%","30"
"1","step","smsp__thread_inst_executed_per_inst_executed.ratio","","4"
"2","step","gpu__time_duration.sum","ns","1,000"
"2","step","launch__grid_size","","1100"
"2","step","sm__warps_active.avg.pct_of_peak_sustained_active","%","38"
"2","step","smsp__thread_inst_executed_per_inst_executed.ratio","","8"
'''


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
