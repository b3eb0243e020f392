"""The cpu-parallel backend with 2 and 4 threads: the same text, outputs and counters as the
cpu backend (and the reference on the rule nets) on the golden run programs, the examples, the
rule nets and random programs; heap and bag growth while workers run; no slot lost between the
workers' free and foreign lists; limits; a stress test that repeats a parallel-heavy net.

OPER is the one counter that depends on the schedule: an operator meeting its first operand
before the second has arrived flips (one more OPER) where another order computes at once, so
the counters are compared without it (and the -s block's OPER and RWTS lines likewise)."""
import io
from pathlib import Path

import numpy as np
import pytest

import gen_programs
from hvmlang.cli import run_command
from hvmlang.diagnostics import Reporter
from hvmlang.netfmt import parse_book, print_net
from hvmlang.pipeline import Options, compile_source, prune
from hvmlang.readback import readback
from hvmlang.repl import Session
from hvmlang.repl_state import Settings
from hvmlang.runtime import cpu, cpu_parallel, reference
from hvmlang.runtime.api import OutOfMemory, RewriteLimit, RunOptions, Timeout
from hvmlang.runtime.heap_walk import stack_list
from hvmlang.runtime.layout import pack
from rule_nets import REF_CASES, REF_DEFS, RULE_CASES, counts as all_counts
from test_cpu import LOOP, TREE, assert_no_slot_is_lost

ROOT = Path(__file__).parent.parent
GOLDEN = sorted((ROOT / "tests" / "golden" / "run").glob("*.hvm"))
EXAMPLES = sorted((ROOT / "examples").glob("*.hvm"))
THREADS = [2, 4]
RANDOM_FAST = {"typed": 60, "church": 40}
RANDOM_SLOW = {"typed": 1500, "church": 500}


def counts(stats) -> dict:
    """The non-zero counters but OPER (see the module docstring)."""
    return {k: v for k, v in all_counts(stats).items() if k != "oper"}


def cli(argv) -> tuple:
    out, err = io.StringIO(), io.StringIO()
    status = run_command(argv, out, err)
    text = [line for line in out.getvalue().splitlines()
            if not line.startswith(("TIME", "RPS", "JIT", "RWTS", "- OPER"))]
    return status, text, err.getvalue()


def program_args(path: Path) -> list:
    """Extra command-line words of a golden program (.args) or an example (`// Args:`)."""
    extra = path.with_suffix(".args")
    if extra.exists():
        return [a for a in extra.read_text().splitlines() if a]
    return " ".join(line.removeprefix("// Args:") for line in path.read_text().splitlines()
                    if line.startswith("// Args:")).split()


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("path", GOLDEN + EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_programs_print_what_cpu_prints(path, threads, monkeypatch):
    monkeypatch.chdir(path.parent)
    argv = ["run", path.name, "-s", *program_args(path)]
    assert cli(argv + ["-b", "cpu-parallel", "-t", str(threads)]) == cli(argv + ["-b", "cpu"])


def same_as_reference(text: str, threads: int, **options):
    book = parse_book(text, "<test>")
    mine = cpu_parallel.run(book, RunOptions(threads=threads, **options))
    oracle = reference.run(book, RunOptions(**options))
    assert print_net(mine.net) == print_net(oracle.net)
    assert counts(mine.stats) == counts(oracle.stats)
    return mine


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("text, net, rules", RULE_CASES)
def test_rule(text, net, rules, threads):
    r = same_as_reference(text, threads)
    assert print_net(r.net) == net
    assert counts(r.stats) == {k: v for k, v in {"dref": 1, **rules}.items() if k != "oper"}


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("text, net, rules", REF_CASES)
def test_ref_rule(text, net, rules, threads):
    r = same_as_reference(text + "\n" + REF_DEFS, threads)
    assert print_net(r.net) == net
    assert counts(r.stats) == {k: v for k, v in rules.items() if k != "oper"}


def pytest_generate_tests(metafunc):
    """Random-program seeds: FAST counts by default, SLOW counts with `--slow`."""
    if "seed" in metafunc.fixturenames:
        counts = RANDOM_SLOW if metafunc.config.getoption("--slow") else RANDOM_FAST
        metafunc.parametrize("kind,seed", [(k, s) for k, n in counts.items() for s in range(n)])


@pytest.mark.parametrize("threads", THREADS)
def test_random_program(kind, seed, threads):
    text = getattr(gen_programs, kind)(seed)
    book = prune(compile_source(text, "random.hvm", Options(), Reporter()))
    options = dict(max_rewrites=5_000_000)
    mine = cpu_parallel.run(book, RunOptions(threads=threads, **options))
    oracle = cpu.run(book, RunOptions(**options))
    assert readback(mine.net, book) == readback(oracle.net, book), text
    assert counts(mine.stats) == counts(oracle.stats), text


def test_one_thread_equals_cpu():
    book = parse_book(TREE.replace("#D", "#10"), "<test>")
    one = cpu_parallel.run(book, RunOptions(threads=1))
    assert print_net(one.net) == print_net(cpu.run(book, RunOptions()).net) == "#1024"
    assert counts(one.stats) == counts(cpu.run(book, RunOptions()).stats)


# a list built and consumed while the workers trade redexes: many slots are freed by a
# worker that did not allocate them (and so go on its foreign list)
SORT = """
Gen 0 * = []
Gen 1+n s = let r = (% (+ (* s 75) 74) 65537); (List.cons r (Gen n r))
(Ins x []) = [x]
(Ins x (List.cons y ys)) = (Pick (< x y) x y ys)
(Pick 0 x y ys) = (List.cons y (Ins x ys))
(Pick 1+* x y ys) = (List.cons x (List.cons y ys))
(Sort []) = []
(Sort (List.cons x xs)) = (Ins x (Sort xs))
(Sum []) = 0
(Sum (List.cons x xs)) = (+ x (Sum xs))
main = (Sum (Sort (Gen 300 1)))
"""


@pytest.mark.parametrize("threads", THREADS)
def test_no_slot_is_lost(threads):
    """After the round every slot below the bump pointers is live or on the free list: the
    foreign lists and the slots skipped to align the blocks all come back."""
    book = prune(compile_source(SORT, "sort.hvm", Options(), Reporter()))
    machine = cpu_parallel.Machine(pack(book), RunOptions(), None, threads, False)
    result = cpu.complete(machine, 0.0)
    assert readback(result.net, book) == readback(cpu.run(book, RunOptions()).net, book)
    assert_no_slot_is_lost(machine)


# a counting loop (one redex at a time), then a tree summed in parallel
SEQUENTIAL_THEN_PARALLEL = """
Loop 0 acc = acc
Loop 1+n acc = (Loop n (+ acc 1))
Tree 0 = 1
Tree 1+d = (+ (Tree d) (Tree d))
Par 0 = 0
Par 1+n = (Tree 11)
main = (Par (Loop 1000000 0))
"""


@pytest.mark.parametrize("threads", THREADS)
def test_sequential_work_goes_to_the_cpu_kernel_and_back(threads, monkeypatch):
    """A round where one worker works alone stops; the cpu kernel goes on until its stacks
    hold SPREAD pairs, then the workers take over again (same result, counters and slot
    accounting as the cpu backend)."""
    monkeypatch.setattr(cpu_parallel, "SOLO_S", 0.0)
    rounds = []
    one_round = cpu_parallel.Machine.round
    monkeypatch.setattr(cpu_parallel.Machine, "round",
                        lambda machine: rounds.append(one_round(machine)) or rounds[-1])
    book = prune(compile_source(SEQUENTIAL_THEN_PARALLEL, "seq.hvm", Options(), Reporter()))
    options = RunOptions(threads=threads, chunk=1000)
    machine = cpu_parallel.Machine(pack(book), options, None, threads, False)
    result = cpu.complete(machine, 0.0)
    serial = cpu.run(book, options)
    assert print_net(result.net) == print_net(serial.net) == "#2048"
    assert counts(result.stats) == counts(serial.stats)
    assert rounds[0] and len(rounds) >= 2 and not rounds[-1]
    assert_no_slot_is_lost(machine)


def test_one_worker_is_alone_when_the_polled_work_averages_under_solo_work():
    """A sequential chain that idle workers take in turn polls 2 now and then; it still counts
    as one worker alone once SOLO_S has passed, while polls of 2 and more never do."""
    solo = cpu_parallel.SOLO_S
    chain = cpu_parallel.SoloWatch(0.0)
    verdicts = [chain.alone(k * solo / 10, 2 if k % 4 == 0 else 1) for k in range(1, 31)]
    assert not any(verdicts[:9]) and all(verdicts[10:])
    parallel = cpu_parallel.SoloWatch(0.0)
    assert not any(parallel.alone(k * solo / 10, 2 + k % 2) for k in range(1, 31))
    tail = cpu_parallel.SoloWatch(0.0)      # parallel work that dwindles to one chain
    verdicts = [tail.alone(k * solo / 10, 3 if k < 20 else 1) for k in range(1, 41)]
    assert not any(verdicts[:22]) and verdicts[-1]


def test_the_workers_fresh_blocks_alone_do_not_make_the_heap_due():
    """Sixteen workers reserve 16 blocks of fresh slots (past COMPACT_MIN_NODES) at once; a
    heap of a few nodes in use is not compacted for that, one as far past them is."""
    book = parse_book(TREE.replace("#D", "#2"), "<test>")
    machine = cpu_parallel.Machine(pack(book), RunOptions(), None, 16, False)
    P, ctl = cpu_parallel.P, machine.ctl
    assert 16 * P.BLOCK >= cpu.COMPACT_MIN_NODES
    machine.ws[0, P.W_ANNI] = 10 ** 9                     # interactions enough for any gap
    ctl[P.C_NBUMP], ctl[P.C_LIVE] = 16 * P.BLOCK + 64, 40
    assert not machine.heap_due()
    ctl[P.C_NBUMP] += cpu.COMPACT_MIN_NODES
    assert machine.heap_due()


def test_foreign_lists_are_handed_to_the_worker_that_ran_out():
    book = parse_book(TREE.replace("#D", "#2"), "<test>")
    machine = cpu_parallel.Machine(pack(book), RunOptions(), None, 2, False)
    nodes, ws, P = machine.nodes, machine.ws, cpu_parallel.P
    nodes[2 * 5], nodes[2 * 7], nodes[2 * 9] = 0, 5, 0     # worker 0: 7 -> 5; worker 1: 9
    ws[0, P.W_NFOREIGN], ws[1, P.W_NFOREIGN], ws[1, P.W_NFREE] = 7, 9, 0
    ws[0, P.W_NFTAIL], ws[1, P.W_NFTAIL] = 5, 9
    assert machine.hand_back(1, P.GROW_NODES)
    assert stack_list(nodes, 2, ws[1, P.W_NFREE], np.zeros(8, np.int64)) == 3
    assert nodes[2 * ws[1, P.W_NTAIL]] == 0                 # the tail of the joined list
    assert not ws[:, P.W_NFOREIGN].any()
    assert not machine.hand_back(1, P.GROW_NODES)       # nothing left: the array must grow


def test_free_lists_join_by_their_tails_and_the_unknown_tail_goes_last():
    """join links each list's tail to the next head without walking a list; the one list
    whose tail is unknown (-1, the cpu kernel's) ends the whole."""
    arr = np.zeros(16, np.int64)
    arr[3], arr[1], arr[6], arr[8], arr[2] = 1, 0, 0, 2, 0     # 3 -> 1, 6, 8 -> 2
    head, tail = cpu_parallel.join(arr, 1, [(8, -1), (0, 0), (3, 1), (6, 6)])
    order = []
    while head:
        order.append(head)
        head = arr[head]
    assert order == [3, 1, 6, 8, 2] and tail == -1
    assert cpu_parallel.join(arr, 1, [(0, 0)]) == (0, 0)


@pytest.mark.parametrize("threads", THREADS)
def test_heap_and_bags_grow_while_workers_run(threads, monkeypatch):
    monkeypatch.setattr(cpu_parallel, "BAG", 1)
    book = parse_book(TREE.replace("#D", "#12"), "<test>")
    tiny = cpu_parallel.run(book, RunOptions(threads=threads), initial=8)
    assert print_net(tiny.net) == "#4096"
    assert counts(tiny.stats) == counts(cpu.run(book, RunOptions()).stats)
    assert tiny.stats.peak > 8


def test_limits_stop_every_worker():
    book = parse_book(LOOP, "<test>")
    with pytest.raises(RewriteLimit) as e:
        cpu_parallel.run(book, RunOptions(threads=2, max_rewrites=50))
    assert str(e.value) == "rewrite limit reached: more than 50 interactions (use -r to raise it)"
    with pytest.raises(Timeout):
        cpu_parallel.run(book, RunOptions(threads=2, timeout=0.2))
    grow = parse_book("@main = a & @g ~ (#0 a)\n@g = (a b) & @g ~ ((a c) (c b))", "<test>")
    with pytest.raises(OutOfMemory) as e:
        cpu_parallel.run(grow, RunOptions(threads=2, mem_bytes=1 << 16))
    assert str(e.value) == "out of memory: the net needs more than 64k (use -m to raise it)"


def test_thread_count_must_be_positive():
    status, out, err = cli(["run", str(EXAMPLES[0]), "-b", "cpu-parallel", "-t", "0"])
    assert (status, out) == (2, [])
    assert err == "hvm-lang run: error: argument -t/--threads: must be at least 1, got `0`\n"
    with pytest.raises(ValueError):
        cpu_parallel.thread_count(RunOptions(threads=-1))


def test_stress_a_parallel_tree_many_times(request):
    repeats = 200 if request.config.getoption("--slow") else 25
    book = parse_book(TREE.replace("#D", "#11"), "<test>")
    want = counts(cpu.run(book, RunOptions()).stats)
    for i in range(repeats):
        r = cpu_parallel.run(book, RunOptions(threads=THREADS[i % 2]))
        assert (print_net(r.net), counts(r.stats)) == ("#2048", want)


def test_repl_sets_the_thread_count():
    session = Session(Settings(backend="cpu-parallel"))
    assert session.handle(":set threads 0").startswith("error: expected a number of threads")
    session.handle(":set threads 2")
    assert session.settings.threads == 2
    assert session.handle("(+ 40 2)") == "42"
