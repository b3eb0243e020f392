"""to_net: hand-written affine core terms and books -> expected printed nets and book facts."""
import pytest

from hvmlang import core as c
from hvmlang import net
from hvmlang.netfmt import print_book, print_net, print_tree
from hvmlang.to_net import book_to_nets, term_to_net

V, L, A, R, N = c.Var, c.Lam, c.App, c.Ref, c.Num


def compiled(term) -> str:
    return print_net(term_to_net(term))


def church(k: int, label=None):
    """λf λx (f (f .. x)) for k >= 2, with the k-1 dups linearize would insert."""
    return L("f", _dups(k, label, L("x", _apply_chain(k))))


def _apply_chain(k: int):
    body = V("x")
    for i in reversed(range(k)):
        body = A(V(f"f{i}"), body)
    return body


def _dups(k: int, label, inner):
    """let {f0 r0} = f; let {f1 r1} = r0; .. ; inner (the last copy is f{k-1})."""
    term = inner
    for i in reversed(range(k - 1)):
        source = "f" if i == 0 else f"r{i - 1}"
        second = f"f{k - 1}" if i == k - 2 else f"r{i}"
        term = c.Dup(label, f"f{i}", second, V(source), term)
    return term


# ---------------------------------------------------------------------------------------------
# Single terms

@pytest.mark.parametrize("term, expected", [
    (L("x", V("x")), "(a a)"),
    (L(None, N(1)), "(* #1)"),
    (L("x", N(1)), "(* #1)"),
    (L("x", L("y", V("x"))), "(a (* a))"),
    (R("Foo"), "@Foo"),
    (c.Era(), "*"),
    (N(42), "#42"),
])
def test_simple_terms(term, expected):
    assert compiled(term) == expected


def test_application_of_reference_is_a_redex():
    assert compiled(A(A(R("Foo"), N(1)), N(2))) == "a\n  & @Foo ~ (#1 (#2 a))"


def test_beta_redex_keeps_lambda_on_the_left():
    assert compiled(A(L("x", V("x")), N(1))) == "a\n  & (b b) ~ (#1 a)"


def test_application_of_variable_stays_in_the_tree():
    assert compiled(L("f", L("x", A(V("f"), V("x"))))) == "((a b) (a b))"


def test_church_two():
    c2 = L("f", c.Dup(None, "f0", "f1", V("f"), L("x", A(V("f0"), A(V("f1"), V("x"))))))
    assert compiled(c2) == "({0 (a b) (c a)} (c b))"


def test_church_three_labels_in_order_of_appearance():
    assert compiled(church(3)) == "({0 (a b) {1 (c a) (d c)}} (d b))"


def test_fresh_labels_continue_after_largest_int_label():
    term = L("f", c.Dup(5, "a", "b", V("f"), c.Sup(None, V("a"), c.Sup(2, V("b"), N(0)))))
    assert compiled(term) == "({5 a b} {6 a {2 b #0}})"


def test_fixed_labels_stay():
    term = L("x", c.Dup("L", "a", "b", V("x"), c.Sup("L", V("b"), V("a"))))
    assert compiled(term) == "({#L a b} {#L b a})"


def test_operation_on_numbers_is_a_redex():
    assert compiled(c.Op2("+", N(1), N(2))) == "a\n  & #1 ~ <+ #2 a>"


def test_operation_on_variable():
    assert compiled(L("x", c.Op2("-", V("x"), N(1)))) == "(<- #1 a> a)"
    assert compiled(L("x", L("y", c.Op2(">>", V("y"), V("x"))))) == "(a (<>> a b> b))"


def test_nested_operations_make_a_deep_root_tree():
    term = L("x", c.Op2("*", c.Op2("+", V("x"), N(1)), N(2)))
    assert compiled(term) == "(<+ #1 <* #2 a>> a)"


def test_switch():
    term = L("n", c.Switch(V("n"), N(1), "p", c.Op2("*", V("p"), N(2))))
    assert compiled(term) == "(?<(#1 (<* #2 a> a)) b> b)"


def test_switch_with_erased_predecessor_and_reference_scrutinee():
    term = c.Switch(R("N"), N(0), None, N(1))
    assert compiled(term) == "a\n  & @N ~ ?<(#0 (* #1)) a>"


def test_switch_floated_successor_is_eta_reduced():
    term = L("n", c.Switch(V("n"), N(0), "p", A(R("F"), V("p"))))
    assert compiled(term) == "(?<(#0 @F) a> a)"
    term = L("n", c.Switch(V("n"), N(0), "p", A(R("F"), V("p"), tag="T")))
    assert compiled(term) == "(?<(#0 (a b)) c> c)\n  & @F ~ (#T a b)"


def test_tuples():
    assert compiled(c.Tup(N(1), c.Tup(N(2), N(3)))) == "[#1 [#2 #3]]"
    term = L("p", c.LetTup("a", "b", V("p"), c.Tup(V("b"), V("a"))))
    assert compiled(term) == "([a b] [b a])"
    term = c.LetTup("a", None, c.Tup(N(1), N(2)), V("a"))
    assert compiled(term) == "a\n  & [#1 #2] ~ [a *]"


def test_tagged_lambda_and_application():
    term = L("x", A(V("x"), N(1), tag="T"), tag="T")
    assert compiled(term) == "(#T (#T #1 a) a)"


def test_let_substitutes():
    assert compiled(c.Let("x", N(1), c.Let("y", V("x"), c.Let("z", V("y"), V("z"))))) == "#1"
    term = c.Let("x", L("y", V("y")), A(R("f"), V("x")))
    assert compiled(term) == "a\n  & @f ~ ((b b) a)"


def test_let_redexes_in_order_of_creation():
    term = c.Let("x", A(R("g"), N(1)), A(R("f"), V("x")))
    assert compiled(term) == "a\n  & @g ~ (#1 b)\n  & @f ~ (b a)"


def test_let_erased():
    assert compiled(c.Let(None, N(3), N(4))) == "#4\n  & #3 ~ *"
    assert compiled(c.Let(None, A(R("f"), N(1)), N(2))) == "#2\n  & @f ~ (#1 *)"
    assert compiled(c.Let("unused", N(3), N(4))) == "#4\n  & #3 ~ *"


def test_let_shadowing():
    term = L("x", c.Let("x", c.Op2("+", V("x"), N(1)), V("x")))
    assert compiled(term) == "(<+ #1 a> a)"


def test_unscoped_variables():
    term = A(L("$x", V("$y")), L("$y", V("$x")))
    assert compiled(term) == "a\n  & (b c) ~ ((c b) a)"
    assert compiled(L("k", A(V("$r"), A(V("k"), L("$r", N(0)))))) == "((((a b) #0) a) b)"
    assert compiled(L("$x", N(1))) == "(* #1)"


@pytest.mark.parametrize("term, message", [
    (V("x"), "unbound variable x"),
    (L("x", A(V("x"), V("x"))), "x is used more than once"),
    (V("$x"), "$x is never bound"),
    (A(V("$x"), V("$x")), "$x is used more than once"),
    (A(L("$x", N(0)), L("$x", N(0))), "$x is bound more than once"),
    (c.Ctr("Some", [N(1)]), "unexpected Ctr"),
])
def test_invalid_input(term, message):
    with pytest.raises(ValueError, match=message.replace("$", r"\$")):
        term_to_net(term)


def test_vicious_circle_is_rejected():
    # λ$x is applied to itself through its own unscoped binder: no tree form exists.
    with pytest.raises(ValueError, match="vicious circle"):
        term_to_net(c.Let(None, A(V("$f"), L("$f", N(0))), N(1)))


# ---------------------------------------------------------------------------------------------
# Deep terms

DEPTH = 10_000


def test_deep_lambda_chain():
    body = V("x0")
    for i in reversed(range(DEPTH)):
        body = L(f"x{i}", body)
    text = print_tree(term_to_net(body).root)
    assert text.startswith("(a (* (* ") and text.endswith("a" + ")" * DEPTH)


def test_deep_operations_and_applications():
    term = V("x")
    for _ in range(DEPTH):
        term = c.Op2("+", term, N(1))
    result = term_to_net(L("x", term))
    assert print_tree(result.root) == "(" + "<+ #1 " * DEPTH + "a" + ">" * DEPTH + " a)"
    term = N(0)
    for _ in range(DEPTH):
        term = A(R("f"), term)
    assert len(term_to_net(term).redexes) == DEPTH


def test_deep_let_chain_and_dups():
    term = V(f"x{DEPTH}")
    for i in reversed(range(DEPTH)):
        term = c.Let(f"x{i + 1}", V(f"x{i}"), term)
    assert compiled(c.Let("x0", N(7), term)) == "#7"
    assert compiled(church(DEPTH)).count("{") == DEPTH - 1


# ---------------------------------------------------------------------------------------------
# Books

def _book(defs: dict, entry="main", adts=(), generated=()):
    ctrs = {}
    adt_map = {}
    for name, ctr_list in adts:
        adt_map[name] = c.Adt(name, [], [ctr for ctr, _ in ctr_list])
        for i, (ctr, fields) in enumerate(ctr_list):
            ctrs[ctr] = c.Constructor(ctr, [f"f{k}" for k in range(fields)], name, i)
    return c.Book({name: c.Definition(name, body, generated=name in generated)
                   for name, body in defs.items()}, adt_map, ctrs, entry)


LIST_CONS = L("h", L("t", L("c", L("n", A(A(V("c"), V("h"), "List"), V("t"), "List"),
                                     "List"), "List")))
LIST_NIL = L("c", L("n", V("n"), "List"), "List")


def test_book_entry_first_and_facts():
    book = _book({
        "Len": L("xs", A(A(V("xs"), R("Len__C0"), "List"), N(0), "List")),
        "Len__C0": L("h", L("t", c.Op2("+", N(1), A(R("Len"), V("t"))), "List"), "List"),
        "List.cons": LIST_CONS,
        "List.nil": LIST_NIL,
        "main": A(R("Len"), A(A(R("List.cons"), N(1)), R("List.nil"))),
    }, adts=[("List", [("List.cons", 2), ("List.nil", 0)]), ("Nat", [("Nat.succ", 1),
                                                                    ("Nat.zero", 0)])],
        generated={"Len__C0", "List.cons", "List.nil"})
    result = book_to_nets(book)
    assert list(result.nets) == ["main", "Len", "Len__C0", "List.cons", "List.nil"]
    assert result.entry == "main"
    assert result.recursive == {"Len", "Len__C0"}
    assert result.generated == {"Len__C0", "List.cons", "List.nil"}
    assert result.adts == {"List": net.AdtInfo("List", [("List.cons", 2), ("List.nil", 0)])}
    assert print_book(result) == """\
// data List = List.cons/2 List.nil/0
// generated Len__C0 List.cons List.nil

@main = a
  & @Len ~ (b a)
  & @List.cons ~ (#1 (@List.nil b))

@Len = ((#List @Len__C0 (#List #0 a)) a)

@Len__C0 = (#List * (#List a b))
  & @Len ~ (a c)
  & #1 ~ <+ c b>

@List.cons = (a (b (#List (#List a (#List b c)) (#List * c))))

@List.nil = (#List * (#List a a))"""


def test_redexes_calling_recursive_definitions_come_first():
    book = _book({"main": A(R("Gen"), N(3)),
                  "Gen": L("n", A(A(R("Pair"), A(R("Gen"), V("n"))), R("Leaf"))),
                  "Pair": L("a", L("b", A(A(V("a"), V("b")), N(0)))), "Leaf": N(1)})
    result = book_to_nets(book)
    assert result.recursive == {"Gen"}
    assert print_net(result.nets["Gen"]) == "(a b)\n  & @Gen ~ (a c)\n  & @Pair ~ (c (@Leaf b))"


def test_builtin_log_and_print_added_when_referenced():
    book = _book({"main": A(R("HVM.log"), A(A(R("HVM.print"), R("S")), N(1))), "S": N(0)})
    result = book_to_nets(book)
    assert list(result.nets) == ["main", "S", "HVM.log", "HVM.print"]
    assert result.generated == {"HVM.log", "HVM.print"}
    assert result.recursive == set()
    assert print_net(result.nets["HVM.log"]) == "({0 a b} a)\n  & @HVM.log_sink ~ b"
    assert print_net(result.nets["HVM.print"]) == "(a (b b))\n  & @HVM.print_sink ~ a"
    assert "HVM.log" not in book_to_nets(_book({"main": N(1)})).nets


def test_self_recursion_and_other_entry():
    book = _book({"Loop": A(R("Loop"), N(1)), "go": R("Loop")}, entry="go")
    result = book_to_nets(book)
    assert list(result.nets) == ["go", "Loop"]
    assert result.recursive == {"Loop"}
