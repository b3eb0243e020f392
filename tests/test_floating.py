"""Tests for hvmlang/floating.py: closed sub-terms -> lazy REF definitions, recursion graph."""
from __future__ import annotations

from corebook import A, L, LIST, N, R, V, check_linear, cons, lower, make_book, show
from hvmlang import core as c
from hvmlang.check.infer import references
from hvmlang.floating import float_combinators
from hvmlang.graph import on_cycle

C2 = L("f", L("x", A(V("f"), A(V("f"), V("x")))))
SUM = L("xs", c.Match(V("xs"), "List", [
    c.Case("List.cons", ["h", "t"], c.Op2("+", V("h"), A(R("Sum"), V("t")))),
    c.Case("List.nil", [], N(0))]))
FIB = L("n", c.Switch(V("n"), N(0), "p", c.Switch(V("p"), N(1), "q", c.Op2(
    "+", A(R("fib"), V("q")), A(R("fib"), c.Op2("+", V("q"), N(1)))))))


def recursive_definitions(book):
    """Definitions on a cycle of the book's reference graph."""
    return on_cycle({n: sorted(references(d.body) & book.defs.keys()) for n, d in book.defs.items()})


def floated(defs: dict, *decls) -> str:
    """Float a book of already linear definitions and print it."""
    out = float_combinators(make_book(defs, *decls))
    check_linear(out)
    return show(out)


def test_sum_over_a_list():
    out = lower(make_book({"Sum": SUM, "main": A(R("Sum"), cons(N(1), N(2)))}))
    assert show(out) == "\n".join([
        "Sum = λxs #List (xs Sum__C0 0)",
        "Sum__C0 = #List λh #List λt (+ h (Sum t))",
        "main = (Sum (List.cons 1 (List.cons 2 List.nil)))",
        "List.cons = λhead λtail #List λc0 #List λ* #List (c0 head tail)",
        "List.nil = #List λ* #List λc1 c1",
    ])
    assert out.defs["Sum__C0"].generated and not out.defs["Sum"].generated
    assert recursive_definitions(out) == {"Sum", "Sum__C0"}


def test_fib_switch_arms_are_floated_in_eta_form():
    out = lower(make_book({"fib": FIB, "main": A(R("fib"), N(10))}))
    assert show(out) == "\n".join([
        "fib = λn match n { 0: 0; 1+p: (fib__C0 p) }",
        "fib__C0 = λp match p { 0: 1; 1+q: (fib__C1 q) }",
        "fib__C1 = λq let #$0{q_1 q_2} = q; (+ (fib q_1) (fib (+ q_2 1)))",
        "main = (fib 10)",
    ])
    assert recursive_definitions(out) == {"fib", "fib__C0", "fib__C1"}


def test_switch_with_free_variables_and_closed_zero_arm():
    # λn λk match n { 0: (F 1); 1+p: (k (G p)) }: arms closed by λk, both floated.
    body = L("n", L("k", c.Switch(V("n"), A(R("F"), N(1)), "p", A(V("k"), A(R("G"), V("p"))))))
    assert show(lower(make_book({"main": body}))) == "\n".join([
        "main = λn λk (match n { 0: main__C0; 1+p: (main__C2 p) } k)",
        "main__C0 = λ* main__C1",
        "main__C1 = (F 1)",
        "main__C2 = λp λk_2 (k_2 (G p))",
    ])


def test_switch_arms_without_work_stay_inline():
    body = L("n", L("k", c.Switch(V("n"), N(0), "p", A(V("k"), V("p")))))
    assert show(lower(make_book({"main": body}))) == (
        "main = λn λk (match n { 0: λ* 0; 1+p: λk_2 (k_2 p) } k)")


def test_switch_with_erased_predecessor_floats_the_arm_itself():
    body = L("n", c.Switch(V("n"), N(0), None, A(R("F"), N(1))))
    assert floated({"main": body}) == "main = λn match n { 0: 0; 1+*: main__C0 }\nmain__C0 = (F 1)"
    data = L("y", A(A(R("List.cons"), V("y")), R("List.nil")))
    body = L("n", A(c.Switch(V("n"), data, None, data), N(1)))
    assert floated({"main": body}) == "\n".join([
        "main = λn (match n { 0: main__C0; 1+*: main__C1 } 1)",
        "main__C0 = λy (List.cons y List.nil)",
        "main__C1 = λy (List.cons y List.nil)",
    ])


def test_church_self_application():
    assert show(lower(make_book({"c2": C2, "main": A(R("c2"), R("c2"))}))) == (
        "c2 = λf let #$0{f_1 f_2} = f; λx (f_1 (f_2 x))\n"
        "main = (c2 c2)")


def test_match_with_free_variables():
    body = L("x", L("y", c.Match(V("x"), "List", [
        c.Case("List.cons", ["h", "t"], A(A(R("f"), V("h")), V("y"))),
        c.Case("List.nil", [], A(R("g"), V("y")))])))
    assert show(lower(make_book({"main": body}))).splitlines()[:3] == [
        "main = λx λy (#List (x main__C0 main__C1) y)",
        "main__C0 = #List λh #List λ* λy_1 (f h y_1)",
        "main__C1 = λy_2 (g y_2)",
    ]


def test_closed_lambdas_without_work_stay_inline():
    body = L("x", c.Tup(L("a", L(None, V("a"))), c.Tup(
        L("c", A(V("c"), N(1))), A(V("x"), L("d", A(R("F"), V("d")))))))
    assert floated({"main": body}) == (
        "main = λx (λa λ* a, (λc (c 1), (x main__C0)))\nmain__C0 = λd (F d)")


def test_closed_lambdas_with_a_dup_float_even_inside_a_lambda():
    c2 = L("f", c.Dup(0, "f1", "f2", V("f"), L("y", A(V("f1"), A(V("f2"), V("y"))))))
    assert floated({"K": L(None, c2)}) == (
        "K = λ* K__C0\nK__C0 = λf let #$0{f1 f2} = f; λy (f1 (f2 y))")


def test_a_floated_tuple_keeps_its_lambdas():
    body = L("x", A(V("x"), c.Tup(L("a", L(None, V("a"))), L("d", A(R("F"), V("d"))))))
    assert floated({"main": body}) == "main = λx (x main__C0)\nmain__C0 = (λa λ* a, λd (F d))"


def test_data_literals_stay_inline_but_their_closed_parts_float():
    body = L("x", A(V("x"), cons(A(R("F"), N(1)), N(2))))
    out = lower(make_book({"main": body}))
    assert show(out).splitlines()[:2] == [
        "main = λx (x (List.cons main__C0 (List.cons 2 List.nil)))",
        "main__C0 = (F 1)",
    ]


def test_tagged_application_on_a_constructor_is_not_data():
    body = L("x", A(V("x"), c.App(c.App(R("List.nil"), N(1), "List"), N(2), "List")))
    assert floated({"main": body}) == "main = λx (x main__C0)\nmain__C0 = #List (List.nil 1 2)"


def test_superpositions_and_tuples_float_only_with_a_lambda():
    # λx λw ((x #3{1 (+ 1 2)}), ((w #L{λy (G y) 0}), #M{λy let #7{a b} = y; (a b) 1})):
    # a lambda holding a dup floats even from inside a sup (so copies of it are references).
    dup_lam = L("y", c.Dup(7, "a", "b", V("y"), A(V("a"), V("b"))))
    body = L("x", L("w", c.Tup(A(V("x"), c.Sup(3, N(1), c.Op2("+", N(1), N(2)))), c.Tup(
        A(V("w"), c.Sup("L", L("y", A(R("G"), V("y"))), N(0))), c.Sup("M", dup_lam, N(1))))))
    assert floated({"main": body}) == "\n".join([
        "main = λx λw ((x #$0{1 main__C0}), ((w main__C1), main__C2))",
        "main__C0 = (+ 1 2)",
        "main__C1 = #L{λy (G y) 0}",
        "main__C2 = #M{main__C3 1}",
        "main__C3 = λy let #$0{a b} = y; (a b)",
    ])


def test_nested_floats_are_numbered_in_preorder():
    inner = L("b", A(V("b"), A(R("G"), N(2))))
    body = L("x", A(V("x"), L("a", A(A(V("a"), inner), A(R("F"), N(1))))))
    assert floated({"main": body}) == "\n".join([
        "main = λx (x main__C0)",
        "main__C0 = λa (a main__C1 main__C3)",
        "main__C1 = λb (b main__C2)",
        "main__C2 = (G 2)",
        "main__C3 = (F 1)",
    ])


def test_existing_names_are_skipped():
    body = L("x", A(V("x"), A(R("F"), N(1))))
    assert floated({"main": body, "main__C0": N(0)}) == "\n".join([
        "main = λx (x main__C1)", "main__C1 = (F 1)", "main__C0 = 0"])


def test_labels_move_and_are_renumbered_per_definition():
    closed = L("f", c.Dup(7, "a", "b", V("f"), A(V("a"), V("b"))))
    body = L("x", c.Dup(3, "y", "z", V("x"), c.Tup(c.Sup(5, V("y"), V("z")), closed)))
    assert floated({"main": body}) == "\n".join([
        "main = λx let #$0{y z} = x; (#$1{y z}, main__C0)",
        "main__C0 = λf let #$0{a b} = f; (a b)",
    ])


def test_unscoped_variables_shared_with_the_outside_block_floating():
    # λx (x (λ$k (F 1)) $k): the lambda binds $k used outside, so it stays; (F 1) floats.
    body = L("x", A(A(V("x"), L("$k", A(R("F"), N(1)))), V("$k")))
    assert floated({"main": body}) == "main = λx (x λ$k main__C0 $k)\nmain__C0 = (F 1)"


def test_unscoped_variables_inside_a_closed_term_float_with_it():
    body = L("x", A(V("x"), A(L("$k", A(V("$k"), N(1))), V("$k"))))
    out = float_combinators(make_book({"main": body}))
    assert show(out) == "main = λx (x main__C0)\nmain__C0 = (λ$k ($k 1) $k)"


def test_generated_and_builtin_flags():
    book = make_book({"main": L("x", A(V("x"), A(R("F"), N(1))))})
    book.defs["main"].builtin = True
    out = float_combinators(book)
    assert out.defs["main__C0"].generated and out.defs["main__C0"].builtin


def test_recursive_definitions():
    book = make_book({
        "A": L("x", A(R("B"), V("x"))), "B": L("x", A(R("A"), V("x"))),
        "Loop": A(R("Loop"), N(1)), "C": A(R("A"), R("Missing")), "main": A(R("C"), N(0)),
    })
    assert recursive_definitions(book) == {"A", "B", "Loop"}


def test_deep_pipeline():
    depth = 10_000
    body = V(f"x{depth}")                           # λx0 match x0 {cons h1 x1: match x1 ..}
    for i in reversed(range(depth)):
        body = c.Match(V(f"x{i}"), "List", [
            c.Case("List.cons", [f"h{i + 1}", f"x{i + 1}"], body),
            c.Case("List.nil", [], A(R("F"), N(i)))])
    chain = R("End")                                 # (Step (Step .. End))
    for i in range(depth):
        chain = A(R("Step"), chain)
    book = make_book({"main": L("x0", body), "big": cons(*[N(i) for i in range(depth)]),
                      "calls": L("k", A(V("k"), chain))}, LIST)
    out = lower(book)
    assert len(out.defs) == 3 * depth + 4
    assert show(c.Book({n: out.defs[n] for n in ("main", "main__C0", f"main__C{depth}")},
                       {}, {}, "main")) == "\n".join([
        "main = λx0 #List (x0 main__C0 main__C19998)",
        "main__C0 = #List λ* #List λx1 #List (x1 main__C1 main__C19997)",
        "main__C10000 = (F 9998)",
    ])
    calls = c.Book({"calls": out.defs["calls"]}, {}, {}, "calls")
    assert show(calls) == "calls = λk (k calls__C0)"
    assert out.defs[f"calls__C{depth - 1}"].body == A(R("Step"), R("End"))
    assert recursive_definitions(out) == set()
