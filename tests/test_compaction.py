"""Compaction of the cpu backend's heap (runtime/compaction.py), forced after every chunk of a
few interactions: the golden run programs, the examples and random programs print and count
exactly what they do without it, cycles beside the root survive, the heap it leaves is dense,
no slot is lost, and held node and wire locations follow what they held. The cpu-parallel
backend's rounds, stopped for a compaction at every check of the main thread, give the cpu
backend's results, with cycles beside the root too (whose compaction stacks the free lists)."""
import io

import numpy as np
import pytest

import gen_programs
from hvmlang.cli import run_command
from hvmlang.diagnostics import Reporter
from hvmlang.netfmt import parse_book, print_net
from hvmlang.pipeline import Options, compile_source, prune
from hvmlang.readback import readback
from hvmlang.runtime import compaction, cpu, cpu_parallel, kernels
from hvmlang.runtime.api import RunOptions
from hvmlang.runtime.layout import pack
from rule_nets import counts
from test_cpu import TREE, assert_no_slot_is_lost
from test_cpu_parallel import EXAMPLES, GOLDEN, THREADS, program_args
from test_cpu_parallel import counts as counts_but_oper

CHUNK = 13      # interactions between two compactions


@pytest.fixture
def compactions(monkeypatch):
    """Compact after every chunk of at most CHUNK interactions, whatever the heap's size; the
    list it returns collects (nodes in use before, nodes in use after) per compaction."""
    monkeypatch.setattr(cpu, "COMPACT_MIN_NODES", 0)
    monkeypatch.setattr(cpu, "COMPACT_EVERY", 0)
    budget, settle, done = cpu.Machine.budget, compaction.settle, []
    monkeypatch.setattr(cpu.Machine, "budget", lambda self: min(budget(self), CHUNK))

    def counted(nodes, vs, nfs, nfree, nbump, used, *rest):
        n, wires = settle(nodes, vs, nfs, nfree, nbump, used, *rest)
        done.append((used, n))
        return n, wires
    monkeypatch.setattr(compaction, "settle", counted)
    return done


def cli(argv) -> tuple:
    """Exit status, output lines but the timings, and errors of one command."""
    out, err = io.StringIO(), io.StringIO()
    status = run_command(argv, out, err)
    text = [line for line in out.getvalue().splitlines()
            if not line.startswith(("TIME", "RPS", "JIT"))]
    return status, text, err.getvalue()


@pytest.mark.parametrize("path", GOLDEN + EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_programs_print_what_they_print_without_it(path, monkeypatch, request):
    monkeypatch.chdir(path.parent)
    argv = ["run", path.name, "-s", *program_args(path), "-b", "cpu"]
    plain = cli(argv)
    done = request.getfixturevalue("compactions")
    assert cli(argv) == plain
    rewrites = [int(line.split()[-1]) for line in plain[1] if line.startswith("RWTS")]
    assert done or rewrites[:1] < [2 * CHUNK]


@pytest.mark.parametrize("kind,seed", [(k, s) for k in ("typed", "church") for s in range(25)])
def test_random_programs_agree(kind, seed, request):
    text = getattr(gen_programs, kind)(seed)
    book = prune(compile_source(text, "random.hvm", Options(), Reporter()))
    options = RunOptions(max_rewrites=2_000_000)
    plain = cpu.run(book, options)
    request.getfixturevalue("compactions")
    compacted = cpu.run(book, options)
    assert readback(compacted.net, book) == readback(plain.net, book), text
    assert counts(compacted.stats) == counts(plain.stats), text


@pytest.mark.parametrize("cycle", ["& w ~ {1 {0 x w} y} & y ~ *", "& (b c) ~ (c {5 b x})"])
def test_cycles_beside_the_root_survive(cycle, request):
    # the cycle is made first and lies beside the root while the tree is summed; no walk from
    # the roots reaches it (its wire to the root is open at both ends)
    defs = "\n".join(line for line in TREE.splitlines() if not line.startswith("@main"))
    text = f"@main = (r x) {cycle} & @sumt ~ (#6 (t r)) & @gen ~ (#6 t)\n{defs}"
    book = parse_book(text, "<test>")
    plain = print_net(cpu.run(book, RunOptions()).net)
    assert plain.startswith("(#64 a)\n  & b ~ ")
    done = request.getfixturevalue("compactions")
    assert print_net(cpu.run(book, RunOptions()).net) == plain
    assert len(done) > 10


def test_the_heap_it_leaves_is_dense_and_no_slot_is_lost(compactions):
    book = parse_book(TREE.replace("#D", "#8"), "<test>")
    machine = cpu.Machine(pack(book), RunOptions())
    assert cpu.complete(machine, 0.0).net.root.value == 256
    assert len(compactions) > 10 and all(before == after for before, after in compactions)
    assert_no_slot_is_lost(machine)
    assert machine.st[kernels.S_NBUMP] < machine.st[kernels.S_NPEAK]


def test_held_locations_follow_their_nodes_and_wires(monkeypatch):
    # halfway through the tree sum, hold every node word that holds a wire, and that wire's
    # cell: after a compaction each word must still name its wire's new cell
    book = parse_book(TREE.replace("#D", "#6"), "<test>")
    machine = cpu.Machine(pack(book), RunOptions(chunk=300))
    machine.schedule(machine.boot())
    machine.kernel(300)        # the heap is too small to be compacted there
    st = machine.st
    nbump, nfree = int(st[kernels.S_NBUMP]), int(st[kernels.S_NFREE])
    free = set(machine.nfs[:nfree].tolist())
    words = [w for a in range(1, nbump) if a not in free for w in (2 * a, 2 * a + 1)
             if machine.nodes[w] & kernels.TAG_MASK == kernels.VAR]
    assert len(words) > 3
    cells = [int(machine.nodes[w] >> 4) for w in words]
    machine.held = np.array([w << 2 for w in words] + [v << 2 | 1 for v in cells], np.int64)
    ports = [int(machine.vs[v]) & kernels.TAG_MASK for v in cells]
    monkeypatch.setattr(cpu, "COMPACT_MIN_NODES", 0)
    monkeypatch.setattr(cpu, "COMPACT_EVERY", 0)
    machine.compact()
    assert machine.st[kernels.S_NFREE] == 0
    held = machine.held.tolist()
    moved_cells = [loc >> 2 for loc in held[len(words):]]
    assert moved_cells != cells
    assert [int(machine.nodes[loc >> 2] >> 4) for loc in held[:len(words)]] == moved_cells
    assert [int(machine.vs[v]) & kernels.TAG_MASK for v in moved_cells] == ports
    assert cpu.complete(machine, 0.0).net.root.value == 64


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("head", ["r", "(r x) & w ~ {1 {0 x w} y} & y ~ *"])
def test_cpu_parallel_rounds_stop_for_it(threads, head, request, monkeypatch):
    # the main thread checks every 0.1 ms and finds the heap due at once: rounds stop for a
    # compaction again and again while the net (0.1 s of work) is reduced; a run in which the
    # main thread got no processor until the end is tried again, up to five runs
    defs = "\n".join(line for line in TREE.splitlines() if not line.startswith("@main"))
    book = parse_book(f"@main = {head} & @sumt ~ (#17 (t r)) & @gen ~ (#17 t)\n{defs}", "<test>")
    serial = cpu.run(book, RunOptions())
    compactions = request.getfixturevalue("compactions")
    monkeypatch.setattr(cpu_parallel, "MONITOR_S", 1e-4)
    for _ in range(5):
        machine = cpu_parallel.Machine(pack(book), RunOptions(threads=threads), None, threads,
                                       False)
        result = cpu.complete(machine, 0.0)
        assert print_net(result.net) == print_net(serial.net)
        assert counts_but_oper(result.stats) == counts_but_oper(serial.stats)
        if compactions:
            break
    assert compactions and all(before == after for before, after in compactions)
