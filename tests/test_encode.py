"""Tests for hvmlang/encode.py: match linearization and tagged-Scott ADT encoding."""
from __future__ import annotations

import copy

from corebook import A, L, LIST, N, R, V, cons, make_book, show, walk
from hvmlang import core as c
from hvmlang.encode import constructor_definition, encode

OPTION = ("Option", [("Some", ["val"]), ("None", [])])
SHAPE = ("Shape", [("Circle", ["r"]), ("Rect", ["w", "h"]), ("Dot", [])])


def list_match(scrutinee, cons_body, nil_body, head="h", tail="t"):
    """`match scrutinee { List.cons head tail: cons_body; List.nil: nil_body }`."""
    return c.Match(V(scrutinee), "List", [c.Case("List.cons", [head, tail], cons_body),
                                          c.Case("List.nil", [], nil_body)])


def test_constructors_become_references_and_definitions():
    book = make_book({"main": cons(N(1), N(2))}, LIST, OPTION)
    assert show(encode(book)) == "\n".join([
        "main = (List.cons 1 (List.cons 2 List.nil))",
        "List.cons = λhead λtail #List λc0 #List λc1 #List (c0 head tail)",
        "List.nil = #List λc0 #List λc1 c1",
    ])
    out = encode(book)
    assert out.defs["List.cons"].generated and not out.defs["main"].generated
    assert "Some" not in out.defs          # constructors never referenced get no definition
    assert out.adts is book.adts and out.ctrs is book.ctrs and out.entry == "main"


def test_constructor_reference_without_ctr_node_gets_a_definition():
    book = make_book({"main": A(A(R("Map"), R("Some")), cons())}, LIST, OPTION)
    assert list(encode(book).defs) == ["main", "List.nil", "Some"]


def test_constructor_definition_shape():
    adts = {"Shape": c.Adt("Shape", [], ["Circle", "Rect", "Dot"])}
    rect = c.Constructor("Rect", ["w", "c1"], "Shape", 1)   # a field named like a case binder
    d = constructor_definition(rect, adts["Shape"])
    assert d.generated and d.name == "Rect"
    assert show(c.Book({"Rect": d}, {}, {}, "Rect")) == (
        "Rect = λw λc1 #Shape λc0 #Shape λc1_ #Shape λc2 #Shape (c1_ w c1)")


def test_sum_match_encoding():
    body = L("xs", list_match("xs", c.Op2("+", V("h"), A(R("Sum"), V("t"))), N(0)))
    out = encode(make_book({"Sum": body, "main": A(R("Sum"), cons(N(1)))}))
    assert show(out).splitlines()[0] == "Sum = λxs #List (xs #List λh #List λt (+ h (Sum t)) 0)"
    assert all(not isinstance(t, (c.Match, c.Ctr)) for d in out.defs.values()
               for t in walk(d.body))


def test_match_free_variables_become_arm_lambdas():
    # match x { C a: f(a, y); D: g(y) }  ->  (match x { C a: λy f(a, y); D: λy g(y) } y)
    body = L("x", L("y", L("z", list_match(
        "x", A(A(A(R("f"), V("z")), V("h")), V("y")), A(A(R("g"), V("y")), V("x"))))))
    out = encode(make_book({"main": body}))
    assert show(out).splitlines()[0] == (
        "main = λx λy λz (#List (x #List λh #List λt λz λy λx (f z h y) λz λy λx (g y x)) z y x)")


def test_arm_lambda_shadowed_by_a_field_is_erased():
    # The Cons arm binds `y` itself, so the captured outer `y` is not visible there.
    body = L("x", L("y", list_match("x", V("y"), V("y"), head="y")))
    out = encode(make_book({"main": body}))
    assert show(out).splitlines()[0] == "main = λx λy (#List (x #List λy #List λt λ* y λy y) y)"


def test_unscoped_variables_are_not_captured():
    body = L("x", L("$k", list_match("x", V("$k"), A(V("$k"), V("x")))))
    out = encode(make_book({"main": body}))
    assert show(out).splitlines()[0] == (
        "main = λx λ$k (#List (x #List λh #List λt λx $k λx ($k x)) x)")


def test_switch_linearization():
    # λn λm match n { 0: m; 1+p: (+ p m) }
    body = L("n", L("m", c.Switch(V("n"), V("m"), "p", c.Op2("+", V("p"), V("m")))))
    out = encode(make_book({"main": body}))
    assert show(out) == "main = λn λm (match n { 0: λm m; 1+p: λm (+ p m) } m)"
    assert isinstance(out.defs["main"].body.body.body.fun, c.Switch)


def test_closed_arms_get_no_extra_lambdas():
    body = L("n", c.Switch(V("n"), N(0), "p", A(R("F"), V("p"))))
    assert show(encode(make_book({"main": body}))) == "main = λn match n { 0: 0; 1+p: (F p) }"


def test_nested_matches():
    # λxs λk match xs { cons h t: match t { cons h2 t2: (k h h2); nil: (k h 0) }; nil: k }
    inner = list_match("t", A(A(V("k"), V("h")), V("h2")), A(A(V("k"), V("h")), N(0)),
                       head="h2", tail="t2")
    body = L("xs", L("k", list_match("xs", inner, V("k"))))
    out = encode(make_book({"main": body}))
    assert show(out) == (
        "main = λxs λk (#List (xs #List λh #List λt λk (#List (t #List λh2 #List λt2 λk λh "
        "(k h h2) λk λh (k h 0)) k h) λk k) k)")


def test_three_constructor_match_and_tuples():
    body = L("s", c.Match(V("s"), "Shape", [
        c.Case("Circle", ["r"], c.Tup(V("r"), V("r"))),
        c.Case("Rect", ["w", None], c.Op2("*", V("w"), N(2))),
        c.Case("Dot", [], c.Ctr("Circle", [N(0)])),
    ]))
    out = encode(make_book({"main": body}, SHAPE))
    assert show(out).splitlines()[0] == (
        "main = λs #Shape (s #Shape λr (r, r) #Shape λw #Shape λ* (* w 2) (Circle 0))")
    assert list(out.defs) == ["main", "Circle"]


def test_all_forms_pass_through():
    body = L("a", c.Let("b", c.Sup("L", V("a"), N(1)), c.Dup(None, "x", "y", V("b"), c.LetTup(
        "p", "q", c.Tup(V("x"), V("y")), c.Op2("+", V("p"), c.App(V("q"), c.Era(), "T"))))))
    out = encode(make_book({"main": body}))
    assert show(out) == (
        "main = λa let b = #L{a 1}; let {x y} = b; let (p, q) = (x, y); (+ p #T (q *))")


def test_input_book_is_not_changed():
    body = L("xs", list_match("xs", A(V("h"), V("xs")), cons(N(1))))
    book = make_book({"main": body})
    before = copy.deepcopy(book)
    encode(book)
    assert book == before


def test_deep_list_literal_and_deep_matches():
    depth = 10_000
    chain = N(0)
    for i in reversed(range(depth)):            # match x0 { cons h1 x1: match x1 { .. }; nil: 0 }
        chain = list_match(f"x{i}", chain, N(i), head=f"h{i + 1}", tail=f"x{i + 1}")
    book = make_book({"main": L("x0", chain), "big": cons(*[N(i) for i in range(depth)])})
    out = encode(book)
    text = show(out)
    assert text.count("#List λh") == depth and text.count("List.cons") == depth + 1
