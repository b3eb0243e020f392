"""The cuda backend under numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1): tiny thresholds send
every net through the device kernels, and the results must be the reference backend's.

Counters: ANNI, COMM, ERAS and DREF must equal the reference's; OPER may differ (an operator
whose first operand arrives before the second counts one more, and the device meets operands
in another order; see runtime/cuda.py). The tests are skipped when numba.cuda cannot load.
"""
import os
import sys

import numba
import numpy as np
import pytest

from hvmlang.netfmt import parse_book, print_net, print_tree
from hvmlang.runtime import reference
from hvmlang.runtime.api import BackendUnavailable, RunOptions
from rule_nets import REF_CASES, REF_DEFS, RULE_CASES, counts
from test_golden import cases, check_golden, cli_output

if "numba.cuda" not in sys.modules:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    numba.config.ENABLE_CUDASIM = 1
try:
    from numba import cuda as _numba_cuda
except ImportError as e:                              # pragma: no cover - depends on the host
    pytest.skip(f"numba.cuda cannot load here: {e}", allow_module_level=True)
if not numba.config.ENABLE_CUDASIM:                   # pragma: no cover
    pytest.skip("numba.cuda was loaded for a real device before this module",
                allow_module_level=True)
from hvmlang.runtime import cuda   # noqa: E402
cuda.load()     # the simulator needs no device: a failure here is a bug in the kernels
from hvmlang.runtime import cuda_kernels   # noqa: E402

TREE = """
@main = r & @sumt ~ (#4 (t r)) & @gen ~ (#4 t)
@gen = (?<(#1 @gen_s) r> r)
@gen_s = ({0 a b} [x y]) & @gen ~ (a x) & @gen ~ (b y)
@sumt = (?<((t t) @sumt_s) r> r)
@sumt_s = ({0 p q} ([l m] s)) & @sumt ~ (p (l <+ y s>)) & @sumt ~ (q (m y))
"""
CHURCH = "@c2 = ({0 (b a) (c b)} (c a))\n@inc = (<+ #1 a> a)\n"


@pytest.fixture(autouse=True)
def tiny(monkeypatch):
    """Few threads and blocks (each simulated thread is a Python thread) and no cpu quota, so
    every net goes through the device kernels; free slots count as scarce under 256, so small
    heaps refill chunks both ways."""
    for name, value in (("CPU_QUOTA", 1), ("MAX_THREADS", 32), ("BLOCK", 32), ("STEPS", 4),
                        ("SWEEP_BLOCKS", 1), ("SMALL", 4), ("SHARE_BELOW", 8)):
        monkeypatch.setattr(cuda, name, value)
    monkeypatch.setattr(cuda_kernels, "SCARCE", 256)


def device_counts(stats) -> dict:
    """The counters that do not depend on the order of interactions."""
    return {k: v for k, v in counts(stats).items() if k != "oper"}


def agree(text: str, mine, options: dict):
    """`mine` is what the reference gives `text` with `options`: same net, outputs and
    order-free counters."""
    oracle = reference.run(parse_book(text, "<test>"), RunOptions(**options))
    assert print_net(mine.net) == print_net(oracle.net)
    assert [(s, print_tree(t)) for s, t in mine.outputs] == \
        [(s, print_tree(t)) for s, t in oracle.outputs]
    assert device_counts(mine.stats) == device_counts(oracle.stats)


def check(text: str, **options):
    """Run on cuda and on the reference: same net, outputs and order-free counters."""
    mine = cuda.run(parse_book(text, "<test>"), RunOptions(**{"mem_bytes": 1 << 20, **options}))
    agree(text, mine, options)
    return mine


@pytest.mark.parametrize("text, net, rules", RULE_CASES)
def test_rule(text, net, rules):
    r = check(text)
    assert print_net(r.net) == net


@pytest.mark.parametrize("text, net, rules", REF_CASES)
def test_ref_rule(text, net, rules):
    check(text + "\n" + REF_DEFS)


def test_parallel_tree_sum():
    assert print_net(check(TREE).net) == "#16"


def test_a_template_of_no_nodes_is_expanded_without_reading_past_the_book():
    # @five is packed last, with no words after its root; the expansion's look-ahead at the
    # next node's template words must not run past the end of the book
    assert print_net(check("@main = r & @five ~ (* r)\n@five = #5").net) == "#5"


STACK_BYTES = 8 * (cuda_kernels.LS_WORDS + 1)      # a thread's stack when it is shared alone


@pytest.mark.parametrize("shared, local, place", [
    (48 << 10, 64, "BOTH_SHARED"), (32 * STACK_BYTES, 64, "STACK_SHARED"),
    (32 * STACK_BYTES, 4, "STACK_SHARED"), (0, 64, "IN_LOCAL"), (0, 4, "IN_LOCAL")],
    ids=["shared", "stack shared, scratch local", "stack shared, scratch global", "local",
         "global"])
def test_stack_and_scratch_in_shared_local_or_global_memory(shared, local, place, monkeypatch):
    """A thread keeps its redex stack and scratch in shared memory when a half block's take at
    most half of SHARED bytes, else its stack alone when a block's stacks fit, else in local
    memory; a scratch not in shared memory is local when the program's fits LOCAL_SCR words,
    else in the thread's slice of the global `scr`: all give the reference's results."""
    monkeypatch.setattr(cuda, "SHARED", shared)
    monkeypatch.setattr(cuda_kernels, "LOCAL_SCR", local)
    machine, result = check_machine(TREE)
    assert print_net(result.net) == "#16"
    assert machine.device.place == getattr(cuda_kernels, place)
    check("@main = a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))\n" + CHURCH)


@pytest.mark.parametrize("shared", [48 << 10, 0], ids=["shared", "local"])
def test_a_stack_of_two_pairs_in_shared_or_local_memory(shared, monkeypatch):
    """With room for two pairs on a thread's stack, in shared or in local memory, and long
    chains kept to themselves, most pushes find the stack full and go to the next frontier:
    the results stay the reference's."""
    monkeypatch.setattr(cuda, "SHARED", shared)
    monkeypatch.setattr(cuda, "STEPS", 512)
    monkeypatch.setattr(cuda, "SHARE_BELOW", 0)
    monkeypatch.setattr(cuda_kernels, "LS", 2)
    monkeypatch.setattr(cuda_kernels, "LS_WORDS", 4)
    machine, result = check_machine(TREE)
    assert print_net(result.net) == "#16"
    assert (machine.device.shared > 0) == (shared > 0)


@pytest.mark.parametrize("sw, block, shared, place", [
    (13, 32, 11_520, "BOTH_SHARED"), (41, 32, 18_688, "BOTH_SHARED"),
    (64, 32, 24_576, "BOTH_SHARED"), (65, 64, 16_896, "STACK_SHARED")],
    ids=["sum_tree", "bitonic", "widest_both", "wide"])
def test_blocks_of_both_only_when_a_half_block_takes_half_the_shared_memory(sw, block, shared,
                                                                             place, monkeypatch):
    """With the default constants, a scratch of up to 64 words (the GPU programs' have 13 to 41)
    and the stack (32) fit blocks of 32 threads in half of SHARED; past that only the stacks
    (33 words a thread) go to shared memory, in blocks of 64."""
    monkeypatch.setattr(cuda, "BLOCK", 64)
    assert cuda.placement(sw, cuda_kernels) == (block, shared, getattr(cuda_kernels, place))


@pytest.mark.parametrize("main, net", [
    ("a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))", "#16"),
    ("a & @c2 ~ (@c2 a)", "({0 (a {1 b c}) ({1 c d} a)} (d b))"),
    ("x & @p ~ (@p x)\n@p = ({0 a b} {0 b a})", "{0 ({1 a b} {1 b a}) ({2 c d} {2 d c})}"),
    ("x & w ~ {1 {0 x w} y} & y ~ *", "a\n  & b ~ {0 a {1 b *}}"),
])
def test_fresh_labels_and_cycles(main, net):
    assert print_net(check(f"@main = {main}\n" + CHURCH).net) == net


def test_device_heap_fills_and_is_compacted(monkeypatch):
    """A heap of a few hundred slots: the device runs out, gathers its free slots, goes on; the
    slots an expansion took before it ran out are marked FREE again, so none leaks."""
    from hvmlang.runtime import kernels as K
    calls = []
    compact = cuda.Device.compact
    monkeypatch.setattr(cuda.Device, "compact", lambda dev, ctl: calls.append(compact(dev, ctl)))
    machine, r = check_machine(TREE.replace("#4", "#5"), mem_bytes=1 << 15)
    assert print_net(r.net) == "#32"
    assert len(calls) > 1          # the one after the upload, then at least one more
    assert (machine.st[K.S_NBUMP], machine.st[K.S_VBUMP]) == (1, K.ROOT + 1)


@pytest.mark.parametrize("main", ["r & @sumt ~ (#5 (t r)) & @gen ~ (#5 t)",
                                  "(r x) & w ~ {1 {0 x w} y} & y ~ * & @sumt ~ (#5 (t r)) "
                                  "& @gen ~ (#5 t)",
                                  "a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))"])
def test_the_host_compacts_between_cpu_stints(main, monkeypatch):
    """With a compaction after every cpu stint (the host's, compaction.py), the device takes
    and gives back a heap renumbered each time, and the result stays the reference's."""
    from hvmlang.runtime import compaction, cpu
    monkeypatch.setattr(cpu, "COMPACT_MIN_NODES", 0)
    monkeypatch.setattr(cpu, "COMPACT_EVERY", 0)
    monkeypatch.setattr(cuda, "CPU_QUOTA", 3)
    calls, settle = [], compaction.settle
    monkeypatch.setattr(compaction, "settle", lambda *a: calls.append(settle(*a)) or calls[-1])
    check(f"@main = {main}\n" + TREE.split("\n", 2)[2] + CHURCH, mem_bytes=1 << 15)
    assert calls


def test_the_cpu_rate_leaves_compaction_out(monkeypatch):
    """The cpu kernel's rate, against which a device phase is judged slow, counts kernel time
    only: a stint's last call may be short and followed by a compaction, and with that in, an
    H100 measured 0.2 MIPS and let device phases of 1 MIPS run to the end (108 s)."""
    import time

    from hvmlang.runtime import compaction, cpu
    monkeypatch.setattr(cpu, "COMPACT_MIN_NODES", 0)
    monkeypatch.setattr(cpu, "COMPACT_EVERY", 0)
    monkeypatch.setattr(cuda, "CPU_QUOTA", 1000)
    settle = compaction.settle
    monkeypatch.setattr(compaction, "settle", lambda *a: time.sleep(0.2) or settle(*a))
    rates = []
    # each phase loses a nanosecond: the stints grow fourfold
    monkeypatch.setattr(cuda.Machine, "offload", lambda m: rates.append(m.cpu_rate) or 1e-9)
    book = parse_book(TREE.replace("#4", "#14"), "<test>")
    assert cuda.run(book, RunOptions()).net.root.value == 1 << 14
    assert len(rates) == 5 and rates[-1] > 1e7, rates     # its stint: 256 K interactions


def test_phases_slower_than_the_cpu_kernel_space_out_the_next_ones():
    """After a phase that paid, the cpu kernel runs CPU_QUOTA interactions before the next; after
    one that lost, at least four times its last stint, and long enough that the time lost is
    PROBE_SHARE of its own."""
    assert cuda.next_stint(1 << 20, -0.5, 1e8) == cuda.CPU_QUOTA
    assert cuda.next_stint(1000, 1e-9, 1e8) == 4000
    assert cuda.next_stint(1000, 0.01, 1e8) == int(0.01 / cuda.PROBE_SHARE * 1e8)


def test_a_phase_that_paid_but_ended_slow_counts_its_slow_end_lost(monkeypatch):
    """A phase that paid as a whole but ended on slow synchronisations returns the seconds they
    lost, so the next stint is not the short CPU_QUOTA: on a clock that ticks a second a
    reading, a tree sum's wide synchronisations beat a cpu kernel of 60 interactions a second
    and the countdown after it, a few interactions a launch, does not."""
    import itertools
    import types

    from hvmlang.runtime.layout import pack
    clock = itertools.count()
    monkeypatch.setattr(cuda, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    text = "@main = r & @sumt ~ (#7 (t s)) & @gen ~ (#7 t) & @loop ~ (s r)\n" \
        "@loop = (?<(#7 @loop) r> r)\n" + TREE.split("\n", 2)[2]
    machine = cuda.Machine(pack(parse_book(text, "<test>")), RunOptions(mem_bytes=1 << 20))
    machine.schedule(machine.boot())
    machine.kernel(4)                   # the cpu kernel leaves the first redexes pending
    machine.cpu_rate = 60.0
    lost = machine.offload()
    (total, seconds, *_), = machine.phases
    end = machine.trace[-cuda.SLOW_SYNCS:]
    assert seconds < total / machine.cpu_rate                       # the phase paid
    assert all(row[3] < machine.cpu_rate and row[5] < cuda.SMALL for row in end)
    assert lost > 0
    assert lost == pytest.approx(sum(1 - row[3] / machine.cpu_rate for row in end))
    assert cuda.next_stint(cuda.CPU_QUOTA, lost, machine.cpu_rate) > cuda.CPU_QUOTA


def test_a_run_takes_over_the_last_runs_device_heap_of_its_size():
    """A run keeps its device heap's arrays for the next: one of the same size takes them over,
    one of another size allocates its own; every result is the reference's."""
    book = parse_book(TREE, "<test>")
    agree(TREE, cuda.run(book, RunOptions(), initial=64), {})
    kept = cuda._spare[1]
    agree(TREE, cuda.run(book, RunOptions(), initial=64), {})
    assert cuda._spare[1] is kept
    agree(TREE, cuda.run(book, RunOptions(), initial=128), {})
    assert cuda._spare[1] is not kept


def test_held_locations_follow_the_device_renumbering():
    """A tree built by the cpu kernel beside one it summed, whose freed slots lie among its
    nodes, goes to the device and comes back moved down: the locations normalize holds across
    a round follow their nodes."""
    from hvmlang.runtime import cpu
    from hvmlang.runtime import kernels as K
    from hvmlang.runtime.layout import pack
    text = "@main = [t s] & @gen ~ (#5 t) & @sumt ~ (#5 (u s)) & @gen ~ (#5 u)\n" + \
        TREE.split("\n", 2)[2]
    machine = cuda.Machine(pack(parse_book(text, "<test>")), RunOptions(mem_bytes=1 << 20))
    machine.schedule(machine.boot())
    cpu.Machine.reduce(machine)                                 # on the cpu kernel alone
    st = machine.st
    free = set(machine.nfs[:st[K.S_NFREE]].tolist())
    words = [w for a in range(1, st[K.S_NBUMP]) if a not in free for w in (2 * a, 2 * a + 1)]
    assert free and min(free) < max(words) // 2
    ports = [int(machine.nodes[w]) for w in words]
    cells = sorted({p >> 4 for p in ports if p & K.TAG_MASK == K.VAR})
    machine.held = np.array([w << 2 for w in words] + [v << 2 | 1 for v in cells], np.int64)
    machine.offload()
    assert machine.st[K.S_NBUMP] == len(words) // 2 + 1
    held = machine.held.tolist()
    assert held[:len(words)] != [w << 2 for w in words]
    node = {w >> 1: loc >> 3 for w, loc in zip(words, held)}       # old index -> new
    wire = {v: loc >> 2 for v, loc in zip(cells, held[len(words):])}

    def moved(p):
        if p & K.TAG_MASK >= K.CON:
            return p & ~K.ADDR_BITS | node[(p >> 4) & K.ADDR_MASK] << 4
        return wire[p >> 4] << 4 if p & K.TAG_MASK == K.VAR else p
    assert [int(machine.nodes[loc >> 2]) for loc in held[:len(words)]] == list(map(moved, ports))


def machine_run(text: str, mem_bytes: int) -> tuple:
    """Run `text` on a cuda Machine kept for inspection: (machine, result)."""
    from hvmlang.runtime import cpu
    from hvmlang.runtime.layout import pack
    machine = cuda.Machine(pack(parse_book(text, "<test>")), RunOptions(mem_bytes=mem_bytes))
    return machine, cpu.complete(machine, 0.0)


def check_machine(text: str, **options) -> tuple:
    """`check` on a cuda Machine kept for inspection (one run for both): (machine, result)."""
    machine, mine = machine_run(text, options.get("mem_bytes", 1 << 20))
    agree(text, mine, options)
    return machine, mine


def test_a_net_reduced_on_the_device_comes_back_empty():
    """A net reduced to a number on the device leaves no node and no var but the root in use,
    so the host's bump pointers start over."""
    from hvmlang.runtime import kernels as K
    machine, result = machine_run(TREE, 1 << 20)
    assert print_net(result.net) == "#16" and machine.phases
    assert (machine.st[K.S_NBUMP], machine.st[K.S_VBUMP]) == (1, K.ROOT + 1)


def test_a_device_heap_of_stale_words_comes_back_empty():
    """Device arrays are never cleared (a run takes over the last run's): a thread marks FREE
    every slot of its chunks that its launch leaves unused, those it took past the bump
    pointers too, so a net reduced on a heap full of stale words still leaves no node and no
    var but the root in use."""
    from hvmlang.runtime import kernels as K
    first, _ = machine_run(TREE, 1 << 20)
    for arr in first.device.arrays:
        arr.copy_to_device(np.full(arr.size, 12345, np.int64))
    first.device.retire()
    machine, result = machine_run(TREE, 1 << 20)
    assert machine.device.arrays is first.device.arrays
    assert print_net(result.net) == "#16" and machine.phases
    assert (machine.st[K.S_NBUMP], machine.st[K.S_VBUMP]) == (1, K.ROOT + 1)


def test_live_nodes_come_back_moved_down():
    """A tree built on the device comes back with its nodes and vars renumbered from 1: no
    free slot below the bump pointers, and the reference's readback."""
    from hvmlang.runtime import kernels as K
    text = "@main = t & @gen ~ (#5 t)\n" + TREE.split("\n", 2)[2]
    machine, _ = check_machine(text, mem_bytes=1 << 15)
    st = machine.st
    assert machine.phases and st[K.S_NBUMP] == 32      # the pairs of a tree of 32 leaves
    assert (st[K.S_NFREE], st[K.S_VFREE]) == (0, 0) and st[K.S_VBUMP] > K.ROOT + 1


def test_trace_accounts_for_every_device_interaction():
    """The per-synchronisation trace adds up to the device phases, and each row's next frontier,
    with the deferred calls handed back, is the following row's frontier within a phase."""
    machine, _ = machine_run(TREE.replace("#4", "#5"), 1 << 15)
    rows, phases = machine.trace, machine.phases
    assert sum(row[3] for row in rows) == sum(phase[0] for phase in phases) > 0
    assert len(rows) == sum(phase[2] for phase in phases)
    start = 0
    for phase in phases:
        mine = rows[start:start + phase[2]]
        assert [row[5] for row in mine[:-1]] == [row[0] - row[8] for row in mine[1:]]
        start += phase[2]
    assert any(row[7] >= 0 for row in rows)            # a compaction counted the nodes in use
    assert all(phase[5] + phase[6] + phase[7] + phase[8] <= phase[1] for phase in phases)


def test_chains_are_cut_while_the_pass_empties(monkeypatch):
    """With long chains, a look at every interaction and one finished thread enough to call a
    pass emptying, threads hand their chains on mid-way: more synchronisations, same results."""
    monkeypatch.setattr(cuda, "STEPS", 256)
    syncs = []
    for check_every, emptying in ((64, 4), (1, 1)):
        monkeypatch.setattr(cuda_kernels, "CHECK", check_every)
        monkeypatch.setattr(cuda_kernels, "EMPTYING", emptying)
        machine, _ = check_machine(TREE.replace("#4", "#5"))
        syncs.append(len(machine.trace))
    assert syncs[1] > syncs[0], syncs


@pytest.mark.parametrize("text", [TREE, TREE.replace("#4", "#6"),
                                  "@main = a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))\n" + CHURCH])
def test_deferred_calls_come_back(text, monkeypatch):
    """With SOFT = 1 the threads defer every call they stack; the host hands each back through
    the frontier, and the result is the reference's."""
    monkeypatch.setattr(cuda, "SOFT", 1)
    machine, _ = check_machine(text)
    assert sum(row[8] for row in machine.trace) > 0


def test_deferred_calls_left_at_the_end_of_a_phase_go_to_the_cpu_kernel(monkeypatch):
    """A phase that ends after one synchronisation (the cpu kernel counts as faster) leaves
    deferred calls, which the cpu kernel takes on."""
    from hvmlang.runtime import cpu
    from hvmlang.runtime.layout import pack
    for name, value in (("SOFT", 1), ("SLOW_SYNCS", 1), ("SMALL", 1 << 20)):
        monkeypatch.setattr(cuda, name, value)
    monkeypatch.setattr(cuda, "next_stint", lambda stint, lost, rate: 4 * stint)  # more phases
    text = TREE.replace("#4", "#6")
    machine = cuda.Machine(pack(parse_book(text, "<test>")), RunOptions(mem_bytes=1 << 20))
    machine.cpu_rate = float("inf")
    result = cpu.complete(machine, 0.0)
    assert print_net(result.net) == "#64"
    assert len(machine.phases) > 1 and any(row[9] > 0 for row in machine.trace)
    agree(text, result, {})


@pytest.mark.parametrize("free, used", [(150_000, True), (1_000, False)])
def test_device_heap_scales_to_the_free_gpu_memory(free, used, monkeypatch):
    """A GPU with little memory free gets a smaller device heap; with too little for the heap in
    use the net stays on the cpu kernel. Either way the result is the reference's."""
    monkeypatch.setattr(cuda, "free_gpu_memory", lambda: free)
    machine, _ = check_machine(TREE)
    assert machine.device.ncap < machine.nodes.size // 2
    assert bool(machine.phases) == used


def pytest_generate_tests(metafunc):
    """Random-program seeds: a few by default (each simulated thread is a Python thread), more
    with `--slow`."""
    if "seed" in metafunc.fixturenames:
        counts = {"typed": 300, "church": 100} if metafunc.config.getoption("--slow") \
            else {"typed": 30, "church": 15}
        metafunc.parametrize("kind,seed", [(k, s) for k, n in counts.items() for s in range(n)])


def test_random_program(kind, seed, monkeypatch):
    """Random programs on the device, every other one with every call deferred and a heap
    small enough to compact: the cpu backend's readback and order-free counters."""
    import gen_programs
    from hvmlang.diagnostics import Reporter
    from hvmlang.pipeline import Options, compile_source, prune
    from hvmlang.readback import readback
    from hvmlang.runtime import cpu
    monkeypatch.setattr(cuda, "SOFT", 1 if seed % 2 else 32)
    text = getattr(gen_programs, kind)(seed)
    book = prune(compile_source(text, "random.hvm", Options(), Reporter()))
    options = dict(max_rewrites=200_000)
    mine = cuda.run(book, RunOptions(mem_bytes=1 << 16, **options))
    oracle = cpu.run(book, RunOptions(mem_bytes=1 << 16, **options))
    assert readback(mine.net, book) == readback(oracle.net, book), text
    assert device_counts(mine.stats) == device_counts(oracle.stats), text


def test_rewrite_limit_stops_on_device():
    from hvmlang.runtime.api import RewriteLimit
    with pytest.raises(RewriteLimit):
        cuda.run(parse_book(TREE, "<test>"), RunOptions(mem_bytes=1 << 20, max_rewrites=20))


def test_sinks_stay_on_the_cpu_kernel():
    log = "@HVM.log = ({0 r s} r) & @HVM.log_sink ~ s\n"
    check(log + "@main = a & @HVM.log ~ (#1 (#2 a))")


@pytest.mark.parametrize("path", [p for p in cases("run") if p.stem in
                                  ("church_labels", "erased", "operators", "recursive_ref",
                                   "use_and_let", "log_print", "nats_lists", "strings_chars",
                                   "readback_lambdas", "args")],
                         ids=lambda p: p.stem)
@pytest.mark.parametrize("soft", [2, 1], ids=["plain", "deferring"])
def test_golden_run(path, soft, monkeypatch):
    """The golden programs (a 1 MiB heap: the simulator fills the free device slots by hand),
    also with every call deferred."""
    monkeypatch.setattr(cuda, "SOFT", soft)
    monkeypatch.chdir(path.parent)
    extra = path.with_suffix(".args")
    args = [a for a in extra.read_text().splitlines() if a] if extra.exists() else []
    check_golden(path, cli_output(["run", path.name, "-b", "cuda", "-m", "1m"] + args), False)


def test_no_device_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cuda, "_kernels", None)
    monkeypatch.setattr(_numba_cuda, "is_available", lambda: False)
    with pytest.raises(BackendUnavailable, match="no CUDA device found; use -b cpu"):
        cuda.load()


def test_cli_without_a_device_exits_3_with_one_line(tmp_path):
    """Outside the simulator and with no GPU (as in CI) `-b cuda` says so and exits 3; on a
    machine with a GPU the program runs."""
    import subprocess
    src = tmp_path / "main.hvm"
    src.write_text("main = (+ 1 2)\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    done = subprocess.run([sys.executable, "-m", "hvmlang", "run", str(src), "-b", "cuda"],
                          capture_output=True, text=True, env=env, timeout=120)
    if done.returncode == 0:                          # pragma: no cover - a real GPU
        assert done.stdout == "3\n"
    else:
        assert (done.returncode, done.stdout) == (3, "")
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
        assert "use -b cpu" in done.stderr
