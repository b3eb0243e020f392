"""Readback: every output form of SPEC §2, dup resolution, linear mode, deep and broken nets."""
import itertools
import random
import time

import pytest

from hvmlang import ops
from hvmlang.net import (TUPLE, AdtInfo, Book, Con, Dup, Era, Net, Num, Op, Ref, Swi, Wire)
from hvmlang.netfmt import parse_book, parse_net
from hvmlang.readback import CYCLE, DANGLING, UNREADABLE, readback, readback_string
from hvmlang.runtime import reference
from hvmlang.runtime.api import RunOptions

ADTS = {
    "List": AdtInfo("List", [("List.cons", 2), ("List.nil", 0)]),
    "String": AdtInfo("String", [("String.cons", 2), ("String.nil", 0)]),
    "Nat": AdtInfo("Nat", [("Nat.succ", 1), ("Nat.zero", 0)]),
    "Option": AdtInfo("Option", [("None", 0), ("Some", 1)]),
    "Shape": AdtInfo("Shape", [("Circle", 1), ("Rect", 2)]),
}
BOOK = Book(nets={}, entry="main", adts=ADTS)


WIRES = itertools.count()


def value(tag: str, index: int, args: list):
    """The tagged-Scott value `#T λc_0 .. #T λc_n-1 #T (c_index args..)` as a net tree."""
    result = Wire(f"w{next(WIRES)}")
    spine = result
    for arg in reversed(args):
        spine = Con(tag, arg, spine)
    tree = result
    for i in reversed(range(len(ADTS[tag].ctrs))):
        tree = Con(tag, spine if i == index else Era(), tree)
    return tree


def list_tree(items: list, tag="List"):
    tree = value(tag, 1, [])
    for item in reversed(items):
        tree = value(tag, 0, [item, tree])
    return tree


def show(text_or_tree, linear=False, book=BOOK):
    tree = parse_net(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    text, warnings = readback(tree, book, linear)
    assert warnings == []
    return text


@pytest.mark.parametrize("net, text", [
    ("#5", "5"),
    ("*", "*"),
    ("@Foo", "Foo"),
    ("(a a)", "λa a"),
    ("(* (a a))", "λ* λa a"),
    ("(a (* a))", "λa λ* a"),
    ("((b a) (b a))", "λa λb (a b)"),
    ("((b (c a)) (b (c a)))", "λa λb λc (a b c)"),
    ("(<+ #1 a> a)", "λa (+ a 1)"),
    ("(<:- #1 a> a)", "λa (- 1 a)"),
    ("(<== b a> (b a))", "λa λb (== a b)"),
    ("(?<(#1 (<* #2 a> a)) b> b)", "λa match a { 0: 1; 1+b: (* b 2) }"),
    ("(?<(#1 @Pred) b> b)", "λa match a { 0: 1; 1+b: (Pred b) }"),
    ("(?<(#1 *) b> b)", "λa match a { 0: 1; 1+*: * }"),
    ("{0 #1 #2}", "{1 2}"),
    ("{7 (a a) #2}", "{(λa a) 2}"),
    ("{#L #1 #2}", "#L{1 2}"),
    ("[#1 #2]", "(1, 2)"),
    ("[#1 [#2 #3]]", "(1, 2, 3)"),
    ("[[#1 #2] #3]", "((1, 2), 3)"),
    ("((#T a b) (a b))", "λa λb #T (a b)"),
    ("(#T a a)", "#T λa a"),
])
def test_plain_forms(net, text):
    assert show(net) == text


def test_applications_keep_lambdas_apart():
    # an application whose argument is a λ in a non-final place gets parentheses
    net = Con(None, Con(None, Con(None, Wire("x"), Wire("x")), Con(None, Num(1), Wire("r"))),
              Wire("r"))
    assert show(net) == "λa (a (λb b) 1)"


def test_constructors():
    assert show(value("Option", 1, [Num(2)])) == "(Some 2)"
    assert show(value("Option", 0, [])) == "None"
    rect = value("Shape", 1, [Num(3), value("Option", 1, [Num(4)])])
    assert show(rect) == "(Rect 3 (Some 4))"


def test_lists_strings_nats_tuples():
    assert show(list_tree([])) == "[]"
    assert show(list_tree([Num(1), Num(2), Num(3)])) == "[1, 2, 3]"
    assert show(list_tree([list_tree([Num(1)]), list_tree([])])) == "[[1], []]"
    hi = list_tree([Num(ord(c)) for c in 'h"i\\\n\t€'], tag="String")
    assert show(hi) == '"h\\"i\\\\\\n\\t€"'
    assert show(list_tree([], tag="String")) == '""'
    assert show(list_tree([Num(1)], tag="String")) == '"\\u{1}"'
    nat = value("Nat", 1, [])
    for _ in range(3):
        nat = value("Nat", 0, [nat])
    assert show(nat) == "#3"
    assert show(Con(TUPLE, list_tree([Num(1)]), Con(TUPLE, nat, Num(2)))) == "([1], #3, 2)"


def test_readback_string():
    assert readback_string(list_tree([Num(ord(c)) for c in "hé\n"], tag="String"), BOOK) == \
        "hé\n"
    assert readback_string(list_tree([Num(0x110000)], tag="String"), BOOK) == "\ufffd"
    assert readback_string(Num(3), BOOK) is None
    assert readback_string(list_tree([Num(1)]), BOOK) is None


def test_deep_lists_and_strings():
    n = 10_000
    assert show(list_tree([Num(i) for i in range(n)])) == \
        "[" + ", ".join(map(str, range(n))) + "]"
    assert readback_string(list_tree([Num(97)] * n, tag="String"), BOOK) == "a" * n


def test_a_list_that_does_not_end_stays_a_constructor():
    tree = value("List", 0, [Num(1), Ref("Rest")])
    assert show(tree) == "(List.cons 1 Rest)"


def test_stuck_matches():
    # λx match x { None: 0; Some v: v }
    assert show("((#Option #0 (#Option (#Option a a) b)) b)") == \
        "λa match a { None: 0; Some b: b }"


# -- duplications --------------------------------------------------------------------------

C2 = "({0 (b a) (c b)} (c a))"
C2_C2 = "({0 (a {1 b c}) ({1 c d} a)} (d b))"


def test_dups_are_resolved_through_superpositions():
    assert show(C2) == "λa λb (a (a b))"
    assert show(C2_C2) == "λa λb (a (a (a (a b))))"
    assert show("({0 a b} [a b])") == "λa (a, a)"


def test_linear_readback_shows_every_dup():
    assert show(C2, linear=True) == "λa let {b c} = a; λd (b (c d))"
    assert show(C2_C2, linear=True) == "λa let {b c} = a; λd let {e f} = (b (c {f d})); e"
    assert show("({#L a b} [a b])", linear=True) == "λa let #L{b c} = a; (b, c)"
    assert show("({0 a *} a)", linear=True) == "λa let {b *} = a; b"


def test_a_dup_that_copies_itself_falls_back_to_a_let():
    assert show("a & b ~ {0 b a}") == "let {a b} = a; b"


def test_pair_destructuring_shows_as_let():
    assert show("([a b] [b a])") == "λa let (b, c) = a; (c, b)"


def test_readback_of_reference_results():
    church = "@c2 = ({0 (b a) (c b)} (c a))\n"
    book = parse_book("@main = a & @c2 ~ (@c2 (@c2 a))\n" + church, "<t>")
    result = reference.run(book, RunOptions())
    assert show(result.net, book=book) == "λa λb (" + "a (" * 15 + "a b" + ")" * 16


# -- strange nets --------------------------------------------------------------------------

def test_unreadable_and_dangling_nets_warn():
    text, warnings = readback(parse_net("a & <+ a #1> ~ *"), BOOK)
    assert (text, warnings) == ("<?>", [UNREADABLE])
    text, warnings = readback(Con(None, Wire("x"), Wire("y")), BOOK)
    assert (text, warnings) == ("λa <?>", [DANGLING])
    text, warnings = readback(Swi(Num(1), Wire("r")), BOOK)
    assert warnings == [UNREADABLE]


def test_cycles_warn_and_stop():
    net = parse_net("(a b) & ?<((* {#L c #0}) d) ?<(<:/ @F @F> a) {1 [b *] (d c)}>> ~ #1")
    text, warnings = readback(net, BOOK)
    assert CYCLE in warnings and text.startswith("λa")


def random_tree(rng, depth, wires: list):
    if depth > 4 or rng.random() < 0.35:
        if rng.random() < 0.6:
            wires.append(len(wires))
            return ("wire", len(wires) - 1)
        return rng.choice([Era(), Num(rng.randrange(3)), Ref("F")])
    kind = rng.choice([Con, Con, Dup, Dup, Op, Swi, TUPLE])
    a = random_tree(rng, depth + 1, wires)
    b = random_tree(rng, depth + 1, wires)
    return (kind, a, b)


def build(t, names, rng):
    """Random skeleton -> net tree (iterative enough for depth 5)."""
    if isinstance(t, tuple) and t[0] == "wire":
        return Wire(names[t[1]])
    if not isinstance(t, tuple):
        return t
    kind, a, b = t
    a, b = build(a, names, rng), build(b, names, rng)
    if kind is TUPLE:
        return Con(TUPLE, a, b)
    if kind is Dup:
        return Dup(rng.choice([0, 1, "L"]), a, b)
    if kind is Op:
        return Op(rng.randrange(2 * ops.FLIP), a, b)
    return Swi(a, b) if kind is Swi else Con(rng.choice([None, "Option"]), a, b)


def test_random_nets_never_raise_or_hang():
    rng = random.Random(7)
    start = time.perf_counter()
    for _ in range(500):
        wires: list = []
        skeletons = [random_tree(rng, 0, wires) for _ in range(1 + 2 * rng.randrange(3))]
        names = [f"w{i // 2}" for i in range(len(wires))]
        rng.shuffle(names)
        trees = [build(s, names, rng) for s in skeletons]
        net = Net(trees[0], list(zip(trees[1::2], trees[2::2])))
        for linear in (False, True):
            text, warnings = readback(net, BOOK, linear)
            assert isinstance(text, str) and all(w.startswith("readback: ") for w in warnings)
    assert time.perf_counter() - start < 60
