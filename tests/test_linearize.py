"""Tests for hvmlang/linearize.py: automatic dups and erasers, local labels."""
from __future__ import annotations

import pytest

from corebook import A, L, N, R, V, check_linear, make_book, show
from hvmlang import core as c
from hvmlang.diagnostics import Reporter
from hvmlang.encode import encode
from hvmlang.linearize import linearize, linearize_term


def lin(defs: dict) -> str:
    """Linearize a book of encoded definitions, check linearity and print it."""
    out = linearize(make_book(defs), Reporter())
    check_linear(out)
    return show(out)


C2 = L("f", L("x", A(V("f"), A(V("f"), V("x")))))


def test_church_two_gets_one_dup():
    assert lin({"c2": C2, "main": A(R("c2"), R("c2"))}) == (
        "c2 = λf let #$0{f_1 f_2} = f; λx (f_1 (f_2 x))\n"
        "main = (c2 c2)")


def test_chain_of_dups_for_many_uses():
    body = L("x", c.Tup(V("x"), c.Tup(V("x"), c.Tup(V("x"), V("x")))))
    assert lin({"main": body}) == (
        "main = λx let #$0{x_1 x_2} = x; let #$1{x_3 x_4} = x_2; let #$2{x_5 x_6} = x_4; "
        "(x_1, (x_3, (x_5, x_6)))")


def test_unused_binders_are_erased():
    body = L("a", c.Let("b", A(R("F"), N(1)), c.Dup("L", "d", "e", V("a"), c.LetTup(
        "p", "q", R("T"), c.Switch(N(3), V("e"), "n", N(7))))))
    assert lin({"main": body}) == (
        "main = λa let * = (F 1); let #L{* e} = a; let (*, *) = T; match 3 { 0: e; 1+*: 7 }")


def test_let_used_once_stays_and_let_used_twice_is_duplicated():
    body = c.Let("a", A(R("F"), N(1)), c.Let("b", N(2), c.Op2("+", V("a"), c.Op2("*", V("b"),
                                                                             V("b")))))
    assert lin({"main": body}) == (
        "main = let a = (F 1); let b = 2; let #$0{b_1 b_2} = b; (+ a (* b_1 b_2))")


def test_references_and_numbers_are_not_duplicated():
    assert lin({"main": c.Tup(R("F"), c.Tup(R("F"), N(1)))}) == "main = (F, (F, 1))"


def test_shadowed_binders_are_renamed_after_match_linearization():
    # λx λy match x { cons h t: (h y); nil: y }  encodes to arms that rebind y
    match = c.Match(V("x"), "List", [c.Case("List.cons", ["h", "t"], A(V("h"), V("y"))),
                                     c.Case("List.nil", [], V("y"))])
    book = encode(make_book({"main": L("x", L("y", match))}))
    out = linearize(book, Reporter())
    check_linear(out)
    assert show(out).splitlines()[0] == (
        "main = λx λy (#List (x #List λh #List λ* λy_1 (h y_1) λy_2 y_2) y)")


def test_variable_used_in_two_branches_is_used_twice():
    body = L("n", L("m", c.Switch(V("n"), V("m"), "p", c.Op2("+", V("m"), V("p")))))
    assert lin({"main": body}) == (
        "main = λn λm let #$0{m_1 m_2} = m; match n { 0: m_1; 1+p: (+ m_2 p) }")


def test_dups_of_a_switch_predecessor_go_inside_the_arm():
    body = L("n", c.Switch(V("n"), N(0), "p", c.Op2("*", V("p"), V("p"))))
    assert lin({"main": body}) == (
        "main = λn match n { 0: 0; 1+p: let #$0{p_1 p_2} = p; (* p_1 p_2) }")


def test_user_labels_stay_and_unlabelled_get_local_ints():
    body = L("a", c.Dup("L", "x", "y", V("a"), c.Dup(None, "u", "v", c.Sup(None, V("x"), V("y")),
                                                       c.Sup("L", V("u"), c.Sup(None, V("v"),
                                                                                N(0))))))
    assert lin({"main": body}) == (
        "main = λa let #L{x y} = a; let #$0{u v} = #$1{x y}; #L{u #$2{v 0}}")


def test_existing_int_labels_are_kept_and_new_ones_come_after():
    body = c.Sup(None, c.Sup(4, N(1), N(2)), N(3))
    assert lin({"main": body}) == "main = #$5{#$4{1 2} 3}"


def test_labels_restart_in_every_definition():
    assert lin({"c2": C2, "d2": C2}) == (
        "c2 = λf let #$0{f_1 f_2} = f; λx (f_1 (f_2 x))\n"
        "d2 = λf let #$0{f_1 f_2} = f; λx (f_1 (f_2 x))")


def test_explicit_dup_outputs_used_twice_are_duplicated_again():
    body = L("a", c.Dup("L", "x", "y", V("a"), c.Tup(V("x"), c.Tup(V("x"), V("y")))))
    assert lin({"main": body}) == (
        "main = λa let #L{x y} = a; let #$0{x_1 x_2} = x; (x_1, (x_2, y))")


def test_unscoped_variables_are_left_alone():
    body = c.Tup(L("$k", N(1)), c.Tup(V("$k"), V("$k")))
    assert lin({"main": body}) == "main = (λ$k 1, ($k, $k))"


def test_generated_names_avoid_existing_ones():
    body = L("x", L("x_1", c.Tup(V("x"), c.Tup(V("x"), V("x_1")))))
    assert lin({"main": body}) == "main = λx let #$0{x_2 x_3} = x; λx_1 (x_2, (x_3, x_1))"


def test_unbound_variables_pass_through():
    out = linearize(make_book({"main": c.Tup(V("free"), V("free"))}), Reporter())
    assert show(out) == "main = (free, free)"


def test_not_encoded_terms_are_rejected():
    with pytest.raises(TypeError):
        linearize_term(c.Ctr("List.nil", []))


def test_deeply_nested_lambdas_and_lets():
    depth = 10_000
    body = V("x0")
    for i in reversed(range(depth)):                 # λx0 let x1 = (x0 x0); .. let .. ; x0
        body = c.Let(f"x{i + 1}", A(V(f"x{i}"), V(f"x{i}")), body)
    body = L("x0", body)
    out = linearize(make_book({"main": body}), Reporter())
    check_linear(out)
    text = show(out)
    assert text.count("let * =") == 1 and text.count("let #$") == depth + 1
