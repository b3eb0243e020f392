"""The cpu backend: rules and counters, operators, switch, sinks, forcing, labels, limits, heap
growth and the kernel cache; every net is also run on the reference backend, which must give
the same result, outputs and counters."""
import subprocess
import sys

import pytest

from hvmlang import ops
from hvmlang.net import Book, Con, Net, Num, Ref, walk
from hvmlang.netfmt import parse_book, print_net, print_tree
from hvmlang.runtime import api, cpu, kernels, reference
from hvmlang.runtime.api import (Interrupted, OutOfMemory, RewriteLimit, RunOptions,
                                 Timeout)
from hvmlang.runtime.layout import pack
from rule_nets import REF_CASES, REF_DEFS, RULE_CASES, counts

CHURCH = "@c2 = ({0 (b a) (c b)} (c a))\n@inc = (<+ #1 a> a)\n"
LOG = "@HVM.log = ({0 r s} r) & @HVM.log_sink ~ s\n"
PRINT = "@HVM.print = (s (k k)) & @HVM.print_sink ~ s\n"
LOOP = "@main = a & @loop ~ (#0 a)\n@loop = (a b) & @loop ~ (a b)"
TREE = """
@main = r & @sumt ~ (#D (t r)) & @gen ~ (#D t)
@gen = (?<(#1 @gen_s) r> r)
@gen_s = ({0 a b} [x y]) & @gen ~ (a x) & @gen ~ (b y)
@sumt = (?<((t t) @sumt_s) r> r)
@sumt_s = ({0 p q} ([l m] s)) & @sumt ~ (p (l <+ y s>)) & @sumt ~ (q (m y))
"""


def run(text: str, **options):
    """Run on cpu and on the reference; both must agree on everything but time and peak."""
    book = parse_book(text, "<test>")
    mine = cpu.run(book, RunOptions(**options))
    oracle = reference.run(book, RunOptions(**options))
    assert print_net(mine.net) == print_net(oracle.net)
    assert [(s, print_tree(t)) for s, t in mine.outputs] == \
        [(s, print_tree(t)) for s, t in oracle.outputs]
    assert counts(mine.stats) == counts(oracle.stats)
    assert mine.stats.size == oracle.stats.size
    return mine


def result(text: str, **options) -> tuple[str, dict]:
    r = run(text, **options)
    return print_net(r.net), counts(r.stats)


# -- one rule at a time (the boot `@main ~ ROOT` is always one DREF) -------------------------

@pytest.mark.parametrize("text, net, rules", RULE_CASES)
def test_rule(text, net, rules):
    assert result(text) == (net, {"dref": 1, **rules})


@pytest.mark.parametrize("text, net, rules", REF_CASES)
def test_ref_rule(text, net, rules):
    assert result(text + "\n" + REF_DEFS) == (net, rules)


# -- numbers ------------------------------------------------------------------------------------

VALUES = [0, 1, 2, 3, 7, 59, 60, 63, 64, 65, 1 << 59, 123456789012345678, ops.MASK - 1, ops.MASK]


@pytest.mark.parametrize("flipped", [False, True])
def test_every_operator_matches_ops_apply(flipped):
    # one net computes every operator on every pair; with `flipped` the second operand
    # arrives after the first, so each node flips once before computing
    cases = [(code, a, b) for code in range(2 * ops.FLIP) for a in VALUES for b in VALUES[::3]]
    redexes, results = [], []
    for i, (code, a, b) in enumerate(cases):
        op = f"<{ops.name(code)} y{i} r{i}>"
        first, second = f"#{a} ~ {op}", f"#{b} ~ <+ #0 y{i}>"
        redexes += [second, first] if flipped else [first, second]
        results.append(f"r{i}")
    root = "".join(f"[{r} " for r in results) + "#0" + "]" * len(results)
    r = run(f"@main = {root}\n" + "".join(f"& {x}\n" for x in redexes))
    got, tree = [], r.net.root
    while isinstance(tree, Con):
        got.append(tree.a.value)
        tree = tree.b
    assert got == [ops.apply(code, a, b) for code, a, b in cases]
    assert r.stats.oper == len(cases) * (3 if flipped else 2)


@pytest.mark.parametrize("text, value, oper", [
    ("@main = a & #0 ~ <- #1 a>", ops.MASK, 1),
    ("@main = a & #1152921504606846975 ~ <* #1152921504606846975 a>", 1, 1),
    ("@main = a & #7 ~ </ #0 a>", 0, 1),
    ("@main = a & #7 ~ <% #0 a>", 0, 1),
    ("@main = a & #1 ~ <<< #60 a>", 0, 1),
    ("@main = a & #1 ~ <<< #65 a>", 2, 1),
    ("@main = a & #8 ~ <>> #66 a>", 2, 1),
    ("@main = a & #3 ~ <:- #10 a>", 7, 1),
    ("@main = a & #10 ~ <- b a> & @two ~ b\n@two = #2", 8, 2),
])
def test_operations(text, value, oper):
    r = run(text)
    assert r.net.root == Num(value) and r.stats.oper == oper


def test_flip_leaves_the_swapped_operator():
    assert result("@main = (b a) & #10 ~ <- b a>") == ("(<:- #10 a> a)", {"dref": 1, "oper": 1})


def test_switch_zero_and_successor():
    assert result("@main = a & #0 ~ ?<(#10 (b b)) a>") == \
        ("#10", {"dref": 1, "oper": 1, "anni": 1, "eras": 2})
    assert result("@main = a & #5 ~ ?<(#10 (b b)) a>") == \
        ("#4", {"dref": 1, "oper": 1, "anni": 2, "eras": 1})
    assert result(f"@main = a & #{ops.MASK} ~ ?<(* (b b)) a>")[0] == f"#{ops.MASK - 1}"


# -- sinks, forcing, labels ---------------------------------------------------------------------

def test_log_and_print_sinks_record_outputs_in_order():
    r = run("@main = a & @HVM.log ~ (#5 b) & @HVM.print ~ (b (#9 a))\n" + LOG + PRINT)
    assert r.net.root == Num(9)
    assert r.outputs == [("HVM.log_sink", Num(5)), ("HVM.print_sink", Num(5))]
    assert counts(r.stats) == {"dref": 5, "comm": 1, "anni": 3}


def test_outputs_are_forced_and_read_after_the_root():
    r = run("@main = a & @HVM.log ~ (@three a)\n@three = #3\n" + LOG)
    assert r.outputs == [("HVM.log_sink", Num(3))]
    r = run("@main = a & @HVM.log ~ ((b b) a)\n" + LOG)
    assert print_net(r.net) == "(a a)"
    assert [(s, print_tree(t)) for s, t in r.outputs] == [("HVM.log_sink", "(b b)")]
    r = run("@main = a & @HVM.log ~ ([@t @t] a)\n@t = (x (* x))\n" + LOG)
    assert [print_tree(t) for _, t in r.outputs] == ["[(c (* c)) (d (* d))]"]
    assert run("@main = (a b) & @HVM.log ~ (a b)\n" + LOG).outputs == []


def test_force_phase_expands_non_recursive_references_only():
    assert result("@main = (* @foo)\n@foo = (a a)") == ("(* (a a))", {"dref": 2})
    assert result("@main = (* @rec)\n@rec = (* @rec)") == ("(* @rec)", {"dref": 1})
    assert result("@main = (* @a)\n@a = (* @b)\n@b = #1") == ("(* (* #1))", {"dref": 3})
    assert result("@main = [@a @b]\n@a = (* @b)\n@b = [#1 @rec]\n@rec = (* @rec)") == \
        ("[(* [#1 @rec]) [#1 @rec]]", {"dref": 4})


def test_church_numerals_need_fresh_labels():
    two_two = run("@main = a & @c2 ~ (@c2 (@inc (#0 a)))\n" + CHURCH)
    assert two_two.net.root == Num(4)
    assert counts(two_two.stats) == {"anni": 10, "comm": 7, "dref": 6, "oper": 4}
    sixteen = run("@main = a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))\n" + CHURCH)
    assert sixteen.net.root == Num(16)
    assert counts(sixteen.stats) == {"anni": 23, "comm": 40, "dref": 8, "oper": 16}


def test_fresh_labels_wrap_whole_at_the_label_limit():
    """An expansion's fresh labels start again from the first fresh one rather than straddle
    LAB_LIMIT, so that placing a template's labels needs no branch."""
    limit, lablo = kernels.LAB_LIMIT, 10
    assert kernels.fresh_base.py_func(limit - 3, 3, lablo) == limit - 3
    assert kernels.fresh_base.py_func(limit - 2, 3, lablo) == lablo
    book = parse_book("@main = a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))\n" + CHURCH, "<test>")
    machine = cpu.Machine(pack(book), RunOptions())
    machine.st[kernels.S_LABEL] = limit - 1      # c2 takes one fresh label per expansion
    r = cpu.complete(machine, 0.0)
    assert r.net.root == Num(16)
    assert counts(r.stats) == {"anni": 23, "comm": 40, "dref": 8, "oper": 16}


def test_result_labels_fixed_names_and_fresh_numbers():
    r = run("@main = a & @c2 ~ (@c2 a)\n" + CHURCH)
    assert print_net(r.net) == "({0 (a {1 b c}) ({1 c d} a)} (d b))"
    assert r.stats.size == 7
    assert print_net(run("@main = {#L a {5 a b}} & * ~ b").net) == "{#L a {0 a *}}"
    assert result("@main = [a b] & @d ~ {0 a b}\n@d = {0 #1 #2}") == \
        ("[{0 #1 #2} {1 #1 #2}]", {"comm": 1, "dref": 3})
    r = run("@main = x & @p ~ (@p x)\n@p = ({0 a b} {0 b a})")
    assert print_net(r.net) == "{0 ({1 a b} {1 b a}) ({2 c d} {2 d c})}"


@pytest.mark.parametrize("text, net", [
    ("@main = a & (b c) ~ (c {5 b a})", "a\n  & b ~ {0 b a}"),
    ("@main = (x y) & w ~ {1 {0 x w} y}", "(a b)\n  & c ~ {0 a {1 c b}}"),
    ("@main = x & w ~ {1 {0 x w} y} & y ~ *", "a\n  & b ~ {0 a {1 b *}}"),
])
def test_cycles_come_back_as_cut_redexes(text, net):
    assert print_net(cpu.run(parse_book(text, "<test>"), RunOptions()).net) == net


def test_a_call_fuses_the_spine_it_meets_without_building_it():
    # the three lambdas of @pick are never built and the caller's three nodes are freed as
    # the DUP and the two tuples are built: the heap never holds more than those six (the
    # reference builds all nine)
    r = run("@main = a & @pick ~ (#1 (#2 (#3 a)))\n" + REF_DEFS)
    assert print_net(r.net) == "[#1 [#3 #3]]" and r.stats.peak == 6


def test_a_spine_dup_with_a_local_label_never_fuses_with_a_fixed_one():
    # @f's spine DUP takes a fresh label at each expansion: it commutes with the caller's #L
    # (fixed label id 1), although its number in the template is 1 too; only the lambda fuses
    r = run("@main = [c d] & @f ~ (#5 {#L c d})\n@f = ([a b] {1 a b})")
    assert print_net(r.net) == "[{0 #5 #5} {0 #5 #5}]" and r.stats.anni == 1


# -- the heap, chunks and limits ----------------------------------------------------------------

def test_heap_grows_from_a_tiny_start_and_chunks_do_not_change_anything():
    book = parse_book(TREE.replace("#D", "#8"), "<test>")
    big = cpu.run(book, RunOptions())
    tiny = cpu.run(book, RunOptions(chunk=7), initial=8)
    assert big.net.root == tiny.net.root == Num(256)
    assert counts(big.stats) == counts(tiny.stats)
    assert tiny.stats.peak > 8
    run(TREE.replace("#D", "#6"))


def assert_no_slot_is_lost(machine):
    """With the net reduced to a number, every slot below the bump pointers but the ROOT var
    is on a free stack, once."""
    machine.stack_free()
    st = machine.st
    nodes = sorted(machine.nfs[:st[kernels.S_NFREE]].tolist())
    assert nodes == list(range(1, st[kernels.S_NBUMP]))
    vs = sorted(machine.vfs[:st[kernels.S_VFREE]].tolist())
    assert vs == list(range(kernels.ROOT + 1, st[kernels.S_VBUMP]))


def test_every_freed_slot_is_on_a_free_stack_once_across_growth():
    book = parse_book(TREE.replace("#D", "#8"), "<test>")
    machine = cpu.Machine(pack(book), RunOptions(chunk=7), 8)
    assert cpu.complete(machine, 0.0).net.root == Num(256)
    assert machine.nfs.size == machine.nodes.size // 2 > 8
    assert_no_slot_is_lost(machine)


def test_memory_limit():
    grow = "@main = a & @g ~ (#0 a)\n@g = (a b) & @g ~ ((a c) (c b))"
    with pytest.raises(OutOfMemory) as e:
        cpu.run(parse_book(grow, "<test>"), RunOptions(mem_bytes=1 << 16))
    assert str(e.value) == "out of memory: the net needs more than 64k (use -m to raise it)"
    assert [api.format_size(n) for n in (1 << 30, 3 << 20, 1000)] == ["1g", "3m", "1000"]


def test_rewrite_limit_is_exact():
    book = parse_book(LOOP, "<test>")
    with pytest.raises(RewriteLimit) as e:
        cpu.run(book, RunOptions(max_rewrites=50, chunk=16))
    assert str(e.value) == "rewrite limit reached: more than 50 interactions (use -r to raise it)"
    exact = parse_book("@main = a & @c2 ~ (@c2 (@inc (#0 a)))\n" + CHURCH, "<test>")
    assert cpu.run(exact, RunOptions(max_rewrites=27)).stats.rewrites == 27
    with pytest.raises(RewriteLimit):
        cpu.run(exact, RunOptions(max_rewrites=26))


def test_timeout():
    with pytest.raises(Timeout) as e:
        cpu.run(parse_book(LOOP, "<test>"), RunOptions(timeout=0.05, chunk=1000))
    assert str(e.value) == "time limit reached: more than 0.05 s (use --timeout to raise it)"


def test_ctrl_c_between_chunks_becomes_interrupted(monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(kernels, "reduce", interrupt)
    with pytest.raises(Interrupted):
        cpu.run(parse_book("@main = #1", "<test>"), RunOptions())


def test_bad_books():
    body = parse_book("@main = @nope\n@nope = *", "<t>").nets["main"]
    with pytest.raises(ValueError, match="@main refers to undefined definition @nope"):
        cpu.run(Book(nets={"main": body}, entry="main"), RunOptions())
    with pytest.raises(ValueError, match="entry point @start is not defined"):
        cpu.run(Book(nets={"main": body}, entry="start"), RunOptions())


def test_deep_nets_are_packed_and_read_back_without_recursion():
    depth = 100_000
    tree = Ref("end")
    for _ in range(depth):
        tree = Con(None, Num(1), tree)
    book = Book(nets={"main": Net(tree), "end": Net(Num(0))}, entry="main")
    r = cpu.run(book, RunOptions())
    assert r.stats.size == depth and r.stats.dref == 2
    assert sum(isinstance(t, Num) for t in walk(r.net.root)) == depth + 1


def test_the_kernel_cache_serves_a_second_process():
    cpu.prepare()
    assert cpu.run(parse_book("@main = #1", "<t>"), RunOptions()).stats.jit == 0
    code = "from hvmlang.runtime import cpu; print(cpu.prepare())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) == 0.0


def test_a_consumer_keeps_pace_with_its_producer():
    from hvmlang.diagnostics import Reporter
    from hvmlang.pipeline import Options, compile_source, prune
    text = """data Tree = (Node left right) | (Leaf value)
Gen 0 = (Leaf 1)
Gen 1+d = (Node (Gen d) (Gen d))
(Sum (Leaf v)) = v
(Sum (Node l r)) = (+ (Sum l) (Sum r))
main = (Sum (Gen 14))
"""
    book = prune(compile_source(text, "tree.hvm", Options(), Reporter()))
    r = cpu.run(book, RunOptions())
    # the tree's 2^15 nodes are summed as they are made, not built first (to_net's redex order)
    assert print_tree(r.net.root) == "#16384" and r.stats.peak < 1000


def test_pack_says_whether_a_template_refers_to_a_sink():
    log = "@HVM.log = ({0 r s} r) & @HVM.log_sink ~ s\n"
    assert pack(parse_book(log + "@main = a & @HVM.log ~ (#1 a)", "<t>")).uses_sinks
    assert not pack(parse_book("@main = a & @f ~ (#1 a)\n@f = (a a)", "<t>")).uses_sinks


def test_pack_numbers_the_spine_first_and_makes_room_for_its_links():
    prog = pack(parse_book("@main = a & @f ~ (#1 a)\n"
                           "@f = ([b c] ({0 d e} (x [x [b [c [d e]]]]))) & * ~ #1", "<t>"))
    words = prog.words[prog.names.index("f") * kernels.D_COLS:]
    noff, nlen = int(words[kernels.D_NOFF]), int(words[kernels.D_NLEN])
    tlen = 2 * (nlen + int(words[kernels.D_RLEN]))
    # node i's second port is node i + 1 (its scratch slot is i + 1) down the three lambdas
    # and four tuples; the last tuple's second port, and the first tuple's first, are wires
    assert [int(prog.words[noff + 2 * i + 1 + tlen]) for i in range(6)] == [1, 2, 3, 4, 5, 6]
    assert int(prog.words[noff + 2 * 6 + 1 + tlen]) >= prog.width
    assert int(prog.words[noff + 2 * 3 + tlen]) >= prog.width
    assert prog.links == 1 + 7 + 1      # one redex, seven nodes down the spine, the last port
    # a wire's partner is the node word holding its other end: x joins words 4 and 6; node 0's
    # second port is a node, so it has none
    partner = [int(prog.words[noff + i + 2 * tlen]) for i in range(2 * nlen)]
    assert (partner[4], partner[6], partner[1]) == (6, 4, -1)
