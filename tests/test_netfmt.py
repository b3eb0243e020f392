"""netfmt and netutil: printing, parsing, round trips, located parse errors, book facts."""
import pytest

from hvmlang import ops
from hvmlang.diagnostics import CompileError
from hvmlang.net import TUPLE, AdtInfo, Book, Con, Dup, Era, Net, Num, Op, Ref, Swi, Wire
from hvmlang.netfmt import parse_book, parse_net, print_book, print_net, print_tree
from hvmlang.netutil import recursive_names, rename_wires, same_net, wire_name

W = Wire

EVERY_KIND = Net(
    Con(None, Con("List", W("a"), Dup(3, W("b"), Dup("L", W("c"), Era()))),
        Con(TUPLE, Op(ops.CODE["+"], Num(7), W("a")),
            Swi(Con(None, Ref("Z"), Op(ops.CODE["-"] + ops.FLIP, W("b"), W("c"))), W("d")))),
    [(Ref("F"), Con(None, W("d"), W("e"))), (Num(ops.MASK), W("e"))])
EVERY_KIND_TEXT = ("((#List a {3 b {#L c *}}) [<+ #7 a> ?<(@Z <:- b c>) d>])\n"
                   "  & @F ~ (d e)\n"
                   "  & #1152921504606846975 ~ e")


def test_print_every_kind():
    assert print_net(EVERY_KIND) == EVERY_KIND_TEXT


def test_parse_every_kind():
    assert same_net(parse_net(EVERY_KIND_TEXT), EVERY_KIND)
    assert parse_net(EVERY_KIND_TEXT) == EVERY_KIND


def test_every_operator_round_trips():
    for code in range(2 * ops.FLIP):
        text = f"<{ops.name(code)} a a>"
        tree = parse_net(text).root
        assert tree == Op(code, W("a"), W("a"))
        assert print_tree(tree) == text


def test_parsing_ignores_layout_and_comments():
    text = "// a net\n( x  // the binder\n\t y )\n& ( x y ) ~\n *"
    result = parse_net(text)
    assert print_net(result) == "(x y)\n  & (x y) ~ *"
    assert print_net(rename_wires(result)) == "(a b)\n  & (a b) ~ *"


def test_names_with_dots_underscores_digits():
    text = "(@List.cons__C0 (x_1.y {12 #0 @a.b_2}))\n  & x_1.y ~ (#Tag_x.1 * *)"
    assert print_net(parse_net(text)) == text


DEPTH = 10_000


def test_deep_tree_round_trip():
    tree = W("a")
    for i in range(DEPTH):
        tree = [Con(None, tree, Num(i)), Dup(i % 3, Era(), tree), Op(i % 32, Num(1), tree),
                Swi(tree, Era()), Con(TUPLE, Ref("R"), tree)][i % 5]
    deep = Net(Con(None, tree, W("a")))
    text = print_net(deep)
    assert len(text) > 5 * DEPTH
    parsed = parse_net(text)
    assert same_net(parsed, deep)
    assert print_net(parsed) == text
    assert print_net(rename_wires(parsed)) == text
    assert not same_net(parsed, Net(Con(None, tree, Era())))


BOOK = Book(
    nets={
        "go": Net(W("a"), [(Ref("Len"), Con(None, Ref("List.nil"), W("a")))]),
        "main": Net(Num(1)),
        "Len": Net(Con(None, Con("List", Ref("Len__C0"), Con("List", Num(0), W("a"))), W("a"))),
        "Len__C0": Net(Con("List", Era(), Con("List", W("a"), W("b"))),
                       [(Num(1), Op(0, W("c"), W("b"))), (Ref("Len"), Con(None, W("a"), W("c")))]),
        "List.nil": Net(Con("List", Era(), Con("List", W("a"), W("a")))),
        "HVM.log": Net(Con(None, Dup(0, W("a"), W("b")), W("a")), [(Ref("HVM.log_sink"), W("b"))]),
    },
    entry="go",
    adts={"List": AdtInfo("List", [("List.cons", 2), ("List.nil", 0)]),
          "Unit": AdtInfo("Unit", [])},
    recursive={"Len", "Len__C0"},
    generated={"Len__C0", "List.nil", "HVM.log"})
BOOK_TEXT = """\
// entry go
// data List = List.cons/2 List.nil/0
// data Unit =
// generated Len__C0 List.nil HVM.log

@go = a
  & @Len ~ (@List.nil a)

@main = #1

@Len = ((#List @Len__C0 (#List #0 a)) a)

@Len__C0 = (#List * (#List a b))
  & #1 ~ <+ c b>
  & @Len ~ (a c)

@List.nil = (#List * (#List a a))

@HVM.log = ({0 a b} a)
  & @HVM.log_sink ~ b"""


def test_print_book():
    assert print_book(BOOK) == BOOK_TEXT


def test_book_round_trip():
    parsed = parse_book(BOOK_TEXT, "book.hvmc")
    assert parsed == BOOK
    assert print_book(parsed) == BOOK_TEXT


def test_book_default_entry_and_plain_files():
    text = "@add = (<+ a b> (a b))\n@main = a & @add ~ (#1 (#2 a))"
    book = parse_book(text, "plain.hvmc")
    assert book.entry == "main" and book.adts == {} and book.generated == set()
    assert print_book(book) == "@main = a\n  & @add ~ (#1 (#2 a))\n\n@add = (<+ a b> (a b))"
    assert parse_book("@Main = #1\n@f = #2", "m.hvmc").entry == "Main"
    assert parse_book("@f = #1\n@g = #2", "f.hvmc").entry == "f"
    assert parse_book("@f = #1\n@main = #2", "f.hvmc", entry="f").entry == "f"
    assert print_book(parse_book("@f = #1\n@main = #2", "f.hvmc", entry="f")) == (
        "// entry f\n\n@f = #1\n\n@main = #2")


def test_book_recursive_is_recomputed():
    text = "@main = @A\n@A = (* @B)\n@B = (@A *)\n@C = @C\n@D = @main"
    assert parse_book(text, "r.hvmc").recursive == {"A", "B", "C"}


def test_recursive_names():
    nets = {"a": Net(Ref("b")), "b": Net(Ref("c")), "c": Net(Ref("a")), "d": Net(Ref("a")),
            "e": Net(Era(), [(Ref("e"), Era())]), "f": Net(Ref("HVM.log_sink"))}
    assert recursive_names(nets) == {"a", "b", "c", "e"}
    chain = {f"n{i}": Net(Ref(f"n{i + 1}")) for i in range(DEPTH)}
    chain[f"n{DEPTH}"] = Net(Ref("n0"))
    assert len(recursive_names(chain)) == DEPTH + 1


def test_wire_names():
    assert [wire_name(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"]


def test_same_net_distinguishes():
    base = Net(Con(None, W("x"), W("x")))
    assert same_net(base, Net(Con(None, W("q"), W("q"))))
    assert not same_net(base, Net(Con("T", W("x"), W("x"))))
    assert not same_net(base, Net(Dup(0, W("x"), W("x"))))
    assert not same_net(Net(Con(None, W("x"), W("y")), [(W("x"), W("y"))]),
                        Net(Con(None, W("x"), W("y")), [(W("y"), W("x"))]))
    assert not same_net(base, Net(Con(None, W("x"), W("x")), [(Era(), Era())]))
    assert not same_net(Net(Num(1)), Net(Num(2)))


# ---------------------------------------------------------------------------------------------
# Errors

def error_of(text: str, book: bool = True, entry=None):
    with pytest.raises(CompileError) as info:
        if book:
            parse_book(text, "bad.hvmc", entry)
        else:
            parse_net(text, "bad.hvmc")
    return info.value.diagnostics


@pytest.mark.parametrize("text, code, message, line, col", [
    ("@main = $", "E090", "unexpected character `$`", 1, 9),
    ("@main = (a b a)", "E090", "expected `)`, found `a`", 1, 14),
    ("@main = (a)", "E090", "expected a tree, found `)`", 1, 11),
    ("@main =", "E090", "expected a tree, found end of input", 1, 8),
    ("@main = {x a a}", "E090", "expected a dup label, found `x`", 1, 10),
    ("@main = #12ab", "E090", "invalid number `#12ab`", 1, 9),
    ("@main a", "E090", "expected `=`, found `a`", 1, 7),
    ("@main = a & a * ", "E090", "expected `~`, found `*`", 1, 15),
    ("main = *", "E090", "expected a definition `@name = ...`, found `main`", 1, 1),
    ("@main = (#T #T *)", "E090", "expected a tree, found `#T`", 1, 13),
    ("@main = a\n  & (a\n b", "E091", "unclosed `(`", 2, 5),
    ("@main = (a a]", "E091", "mismatched `]`: expected `)`", 1, 13),
    ("@main = (a a))", "E091", "unexpected `)`", 1, 14),
    ("@main = a & ) ~ a", "E091", "unexpected `)`", 1, 13),
    ("@main = (<+- a b> a)", "E092", "unknown operator `+-`", 1, 10),
    ("@main = (< a b> a)", "E092", "expected an operator after `<`", 1, 10),
    ("@main = (a b)\n  & b ~ *", "E093", "wire `a` is used only once", 1, 10),
    ("@main = (a a)\n  & a ~ *", "E094", "wire `a` is used 3 times", 2, 5),
    ("@main = *\n@main = #1", "E095", "`@main` is defined more than once", 2, 1),
    ("@main = (@foo *)", "E096", "unknown reference `@foo`", 1, 10),
    ("@main = #1152921504606846976", "E097",
     "number `#1152921504606846976` does not fit in 60 bits", 1, 9),
    ("// data List = cons/x\n@main = *", "E098", "malformed `// data` header", 1, 1),
    ("// entry\n@main = *", "E098", "malformed `// entry` header", 1, 1),
    ("// data A =\n// data A = X/0\n@main = *", "E098", "data `A` is declared twice", 2, 1),
    ("// generated foo\n@main = *", "E098", "generated definition `foo` is not defined", 1, 1),
    ("// only a comment", "E099", "the book has no definitions", 1, 18),
    ("// entry go\n@main = *", "E099", "entry `@go` is not defined", 1, 1),
])
def test_parse_errors(text, code, message, line, col):
    first = error_of(text)[0]
    assert (first.code, first.message) == (code, message)
    assert first.span is not None and first.span.file == "bad.hvmc"
    assert (first.span.line, first.span.col) == (line, col)


def test_entry_argument_not_defined():
    (error,) = error_of("@main = *", entry="go")
    assert (error.code, error.message, error.span) == ("E099", "entry `@go` is not defined", None)


def test_all_semantic_errors_are_reported_together():
    errors = error_of("@main = (a @x)\n@main = (b b)\n@f = @y")
    assert [e.code for e in errors] == ["E093", "E095", "E096", "E096"]
    assert errors[1].labels[0].message == "first defined here"


def test_parse_net_errors():
    (error,) = error_of("(a a) b", book=False)
    assert (error.code, error.message) == ("E090", "expected `&` or end of input, found `b`")
    errors = error_of("(a b)", book=False)
    assert [(e.code, e.message) for e in errors] == [("E093", "wire `a` is used only once"),
                                                     ("E093", "wire `b` is used only once")]
    assert parse_net("(@undefined *)").root == Con(None, Ref("undefined"), Era())


def test_header_like_comments():
    book = parse_book("// database notes\n  // data not a header\n@main = *", "c.hvmc")
    assert book.adts == {}
