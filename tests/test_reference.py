"""The reference backend: every interaction rule and counter, forcing, sinks, limits, labels."""
import pytest

from hvmlang import ops
from hvmlang.net import Book, Con, Era, Net, Num, Ref
from hvmlang.netfmt import parse_book, print_net, print_tree
from hvmlang.runtime import api, reference
from hvmlang.runtime.api import (Interrupted, OutOfMemory, RewriteLimit, RunOptions,
                                 Timeout)
from rule_nets import REF_CASES, REF_DEFS, RULE_CASES, counts

CHURCH = """
@c2 = ({0 (b a) (c b)} (c a))
@inc = (<+ #1 a> a)
"""
LOG = "@HVM.log = ({0 r s} r) & @HVM.log_sink ~ s\n"
PRINT = "@HVM.print = (s (k k)) & @HVM.print_sink ~ s\n"


def run(text: str, **options):
    return reference.run(parse_book(text, "<test>"), RunOptions(**options))


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


def test_sink_records_what_it_meets():
    # a sink records whatever it meets
    r = run("@main = #1 & @HVM.log_sink ~ *")
    assert r.outputs == [("HVM.log_sink", Era())] and counts(r.stats) == {"dref": 2}


@pytest.mark.parametrize("text, value, oper", [
    ("@main = a & #2 ~ <+ #3 a>", 5, 1),
    ("@main = a & #10 ~ <- #3 a>", 7, 1),
    ("@main = a & #3 ~ <:- #10 a>", 7, 1),
    ("@main = a & #0 ~ <- #1 a>", ops.MASK, 1),                      # wraps modulo 2^60
    ("@main = a & #1152921504606846975 ~ <+ #2 a>", 1, 1),
    ("@main = a & #1152921504606846975 ~ <* #1152921504606846975 a>", 1, 1),
    ("@main = a & #7 ~ </ #0 a>", 0, 1),                            # x / 0 = 0
    ("@main = a & #7 ~ <% #0 a>", 0, 1),
    ("@main = a & #7 ~ <== #7 a>", 1, 1),
    ("@main = a & #1 ~ <<< #60 a>", 0, 1),
    # the second operand is not a number yet: flip, then compute 10 - 2 = 8
    ("@main = a & #10 ~ <- b a> & @two ~ b\n@two = #2", 8, 2),
])
def test_operations(text, value, oper):
    r = run(text)
    assert r.net.root == Num(value)
    assert r.stats.oper == oper


def test_flip_leaves_the_swapped_operator():
    # λx (- 10 x): the 10 arrives first, the node flips to `:-` and waits on x
    assert result("@main = (b a) & #10 ~ <- b a>") == ("(<:- #10 a> a)", {"dref": 1, "oper": 1})


def test_switch_zero_and_successor():
    # match n { 0: 10; 1+p: p }
    assert result("@main = a & #0 ~ ?<(#10 (b b)) a>") == \
        ("#10", {"dref": 1, "oper": 1, "anni": 1, "eras": 2})
    assert result("@main = a & #5 ~ ?<(#10 (b b)) a>") == \
        ("#4", {"dref": 1, "oper": 1, "anni": 2, "eras": 1})


def test_log_and_print_sinks_record_outputs_in_order():
    # print waits for the value that log returns
    r = run("@main = a & @HVM.log ~ (#5 b) & @HVM.print ~ (b (#9 a))\n" + LOG + PRINT)
    assert r.net.root == Num(9)
    assert r.outputs == [("HVM.log_sink", Num(5)), ("HVM.print_sink", Num(5))]
    # boot, two expansions, two records; the logged number is copied by the DUP
    assert counts(r.stats) == {"dref": 5, "comm": 1, "anni": 3}


def test_outputs_are_forced_and_named_after_the_root():
    r = run("@main = a & @HVM.log ~ (@three a)\n@three = #3\n" + LOG)
    assert r.net.root == Num(3)
    assert r.outputs == [("HVM.log_sink", Num(3))]
    r = run("@main = a & @HVM.log ~ ((b b) a)\n" + LOG)
    assert print_net(r.net) == "(a a)"
    assert [(sink, print_tree(t)) for sink, t in r.outputs] == [("HVM.log_sink", "(b b)")]
    assert counts(r.stats) == {"dref": 3, "comm": 1, "anni": 2}
    # a logged value that waits on a variable never reaches the sink
    assert run("@main = (a b) & @HVM.log ~ (a b)\n" + LOG).outputs == []


def test_force_phase_expands_non_recursive_references_only():
    assert result("@main = (* @foo)\n@foo = (a a)") == ("(* (a a))", {"dref": 2})
    assert result("@main = (* @rec)\n@rec = (* @rec)") == ("(* @rec)", {"dref": 1})
    # forcing repeats until no forceable reference is left
    assert result("@main = (* @a)\n@a = (* @b)\n@b = #1") == ("(* (* #1))", {"dref": 3})


def test_church_numerals_need_fresh_labels():
    two_two = run("@main = a & @c2 ~ (@c2 (@inc (#0 a)))\n" + CHURCH)
    assert two_two.net.root == Num(4)
    assert counts(two_two.stats) == {"anni": 10, "comm": 7, "dref": 6, "oper": 4}
    sixteen = run("@main = a & @c2 ~ (@c2 (@c2 (@inc (#0 a))))\n" + CHURCH)
    assert sixteen.net.root == Num(16)
    assert counts(sixteen.stats) == {"anni": 23, "comm": 40, "dref": 8, "oper": 16}


def test_result_labels_fixed_names_and_fresh_numbers():
    r = run("@main = a & @c2 ~ (@c2 a)\n" + CHURCH)
    assert print_net(r.net) == "({0 (a {1 b c}) ({1 c d} a)} (d b))"
    assert r.stats.size == 7
    assert print_net(run("@main = {#L a {5 a b}} & * ~ b").net) == "{#L a {0 a *}}"


def test_every_expansion_gets_new_labels():
    # the two copies of @d expand separately, so their sups differ
    assert result("@main = [a b] & @d ~ {0 a b}\n@d = {0 #1 #2}") == \
        ("[{0 #1 #2} {1 #1 #2}]", {"comm": 1, "dref": 3})
    # p = λx (sup of x's copies, swapped): (p p) expands p twice
    r = run("@main = x & @p ~ (@p x)\n@p = ({0 a b} {0 b a})")
    assert print_net(r.net) == "{0 ({1 a b} {1 b a}) ({2 c d} {2 d c})}"


def test_rewrite_limit():
    with pytest.raises(RewriteLimit) as e:
        run("@main = a & @loop ~ (#0 a)\n@loop = (a b) & @loop ~ (a b)", max_rewrites=50)
    assert str(e.value) == "rewrite limit reached: more than 50 interactions (use -r to raise it)"
    assert run("@main = a & (b b) ~ (#1 a)", max_rewrites=2).stats.rewrites == 2


def test_memory_limit():
    grow = "@main = a & @g ~ (#0 a)\n@g = (a b) & @g ~ ((a c) (c b))"
    with pytest.raises(OutOfMemory) as e:
        run(grow, mem_bytes=1 << 10, max_rewrites=10_000)
    assert str(e.value) == "out of memory: the net needs more than 1k (use -m to raise it)"
    assert api.format_size(1 << 30) == "1g"
    assert api.format_size(3 << 20) == "3m"
    assert api.format_size(1000) == "1000"


def test_timeout():
    with pytest.raises(Timeout) as e:
        run("@main = a & @loop ~ (#0 a)\n@loop = (a b) & @loop ~ (a b)", timeout=0.05)
    assert str(e.value) == "time limit reached: more than 0.05 s (use --timeout to raise it)"


def test_ctrl_c_becomes_interrupted(monkeypatch):
    def interrupt(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(reference.Machine, "_tick", interrupt)
    with pytest.raises(Interrupted):
        run("@main = #1")


def test_stats_and_bad_books():
    r = run("@main = a & @c2 ~ (@c2 (@inc (#0 a)))\n" + CHURCH)
    assert r.stats.time >= 0 and r.stats.size == 0 and r.stats.peak > 0
    body = parse_book("@main = @nope\n@nope = *", "<t>").nets["main"]
    with pytest.raises(ValueError, match="@main refers to undefined definition @nope"):
        reference.run(Book(nets={"main": body}, entry="main"), RunOptions())
    with pytest.raises(ValueError, match="entry point @start is not defined"):
        reference.run(Book(nets={"main": body}, entry="start"), RunOptions())


def test_a_vicious_circle_comes_back_as_a_cut_redex():
    # annihilation wires the DUP's principal to its own first aux port
    r = run("@main = a & (b c) ~ (c {5 b a})")
    assert print_net(r.net) == "a\n  & b ~ {0 b a}"
    assert r.stats.size == 0
    # a cycle through two nodes
    assert print_net(run("@main = a & ({5 a q} q) ~ (r (r *))").net) == "a\n  & b ~ {0 a (b *)}"


def test_deep_nets_do_not_recurse():
    depth = 20_000
    tree = Ref("end")
    for _ in range(depth):
        tree = Con(None, Num(1), tree)
    book = Book(nets={"main": Net(tree), "end": Net(Num(0))}, entry="main")
    r = reference.run(book, RunOptions())
    assert r.stats.size == depth and r.stats.dref == 2
