"""Type inference: unification, generalization, printing, and whole programs (T0xx codes)."""
import pytest

from hvmlang import core as c
from hvmlang.check import check
from hvmlang.check.infer import Inferencer, groups
from hvmlang.check.schemes import Schemes
from hvmlang.check.types import (ANY, GENERIC, NUM, Clash, Occurs, TCon, TVar, fun, generalize,
                                 instantiate, pair, prune, show, unify)
from hvmlang.diagnostics import CompileError, Reporter
from hvmlang.parse import parse_program
from hvmlang.pipeline import Options, desugar


def run_check(text: str):
    """(diagnostics, CheckResult) of a source program."""
    program = parse_program(text, "t.hvm")
    reporter = Reporter()
    try:
        book = desugar(program, reporter, Options())
    except CompileError as e:
        pytest.fail(f"does not desugar: {e}")
    result = check(program, book, reporter)
    return reporter.diagnostics, result


def codes(text: str) -> list:
    return [d.code for d in run_check(text)[0]]


def types(text: str) -> dict:
    diags, result = run_check(text)
    assert [d for d in diags if d.is_error] == []
    return result.types


# -- types ---------------------------------------------------------------------------------------

def test_unify_binds_and_prints_in_order_of_appearance():
    a, b = TVar(1), TVar(1)
    unify(fun(a, b), fun(NUM, TCon("List", (a,))))
    assert prune(a) is NUM
    assert show(b) == ["(List Num)"]
    x, y = TVar(1), TVar(1)
    assert show(fun(fun(y, x), pair(x, pair(y, NUM)))) == ["(a -> b) -> (b, a, Num)"]


def test_unify_clash_and_occurs():
    with pytest.raises(Clash):
        unify(NUM, fun(NUM, NUM))
    v = TVar(1)
    with pytest.raises(Occurs):
        unify(v, fun(v, NUM))


def test_any_unifies_with_everything_and_binds_nothing():
    v = TVar(1)
    unify(ANY, fun(v, NUM))
    unify(TCon("List", (ANY,)), TCon("List", (NUM,)))
    assert isinstance(prune(v), TVar)


def test_generalize_only_deeper_levels():
    outer, inner = TVar(1), TVar(2)
    t = fun(outer, inner)
    generalize(t, 1)
    assert inner.level == GENERIC and outer.level == 1
    copy = instantiate(t, 1)
    assert copy.args[0] is outer and copy.args[1] is not inner


def test_hand_built_book_groups_and_infers():
    body = c.Lam("x", c.App(c.Ref("Id"), c.Var("x")))
    book = c.Book({"Id": c.Definition("Id", c.Lam("y", c.Var("y"))),
                   "main": c.Definition("main", body)}, {}, {}, "main")
    assert groups(book) == [["Id"], ["main"]]
    inferred = Inferencer(book, Schemes(), {}).run(groups(book))
    assert show(inferred["Id"]) == ["a -> a"]
    assert show(inferred["main"]) == ["a -> a"]


def test_prelude_definitions_are_typed_but_never_reported():
    bad = c.Op2("+", c.Num(1), c.Lam("x", c.Var("x")))
    book = c.Book({"Bad": c.Definition("Bad", bad, builtin=True),
                   "main": c.Definition("main", c.Ref("Bad"))}, {}, {}, "main")
    inferencer = Inferencer(book, Schemes(), {})
    inferred = inferencer.run(groups(book))
    assert inferencer.diagnostics == [] and inferred["Bad"] is ANY


# -- programs ------------------------------------------------------------------------------------

def test_church_numerals_and_let_polymorphism():
    t = types("c2 = λf λx (f (f x))\nToNum = λn (n λx (+ x 1) 0)\n"
              "main = let id = λx x; ((ToNum (c2 c2)), (id 1), (id [1]))")
    assert t["c2"] == "(a -> a) -> a -> a"
    assert t["ToNum"] == "((Num -> Num) -> Num -> a) -> a"
    assert t["main"] == "(Num, Num, (List Num))"


def test_lambda_bound_variables_are_monomorphic():
    assert codes('F g = ((g 1), (g "a"))\nmain = (F λx x)') == ["T001"]


def test_rules_data_and_mutual_recursion():
    t = types("data (Tree a) = (Node (l: (Tree a)) (r: (Tree a))) | (Leaf (v: a))\n"
              "(Sum (Leaf v)) = v\n(Sum (Node l r)) = (+ (Sum l) (Sum r))\n"
              "(Even 0) = 1\n(Even 1+n) = (Odd n)\n(Odd 0) = 0\n(Odd 1+n) = (Even n)\n"
              "main = ((Sum (Leaf 1)), (Even 4))")
    assert t["Sum"] == "(Tree Num) -> Num"
    assert t["Even"] == t["Odd"] == "Num -> Num"


def test_untyped_data_fields_are_any():
    t = types("data Box = (Box v)\n(Get (Box v)) = v\nmain = (+ (Get (Box 1)) (Get (Box [1])))")
    assert t["Get"] == "Box -> Any"


def test_mismatch_points_at_the_argument_with_a_reason():
    diags, _ = run_check('Double x = (* x 2)\nmain = (Double "two")')
    [d] = diags
    assert (d.code, d.message, d.label) == ("T001", "mismatched types",
                                            "expected `Num`, found `String`")
    assert (d.span.line, d.span.col, d.span.end_col) == (2, 16, 21)
    assert d.notes == ["expected because this is the 1st argument of `Double`"]


def test_field_reason_and_pattern_origin():
    diags, _ = run_check('(F (String.cons c cs)) = (String.cons cs c)\n(F "") = ""\n'
                         'main = (F "a")')
    [d] = diags
    assert d.code == "T001" and d.label == "expected `Num`, found `String`"
    assert d.notes[0] == "expected because this is the 1st field of `String.cons`"
    assert d.notes[1] == "`cs` is the 2nd field of `String.cons` (bound at 1:4)"


def test_rules_must_agree_and_the_later_rule_is_blamed():
    diags, _ = run_check('(Len []) = 0\n(Len (List.cons * *)) = "many"\nmain = (Len [1])')
    [d] = diags
    assert d.span.line == 2 and d.label == "expected `Num`, found `String`"
    assert d.labels[0].message == "rule 1 returns `Num`" and d.labels[0].span.line == 1


def test_match_arms_must_agree():
    diags, _ = run_check('main = match 1 { 0: 1; 1+*: "no" }')
    [d] = diags
    assert d.code == "T001" and d.labels[0].message == "the first arm is `Num`"


def test_infinite_type_and_not_a_function():
    assert codes("Self x = (x x)\nmain = (Self λy y)") == ["T002"]
    diags, _ = run_check("Add a b = (+ a b)\nmain = (Add 1 2 3)")
    assert [d.code for d in diags] == ["T003"]
    assert diags[0].message == "too many arguments: `Add` takes 2 arguments"
    assert codes("main = (1 2)") == ["T003"]


def test_signatures_checked_trusted_and_holes():
    assert codes("Sq : Num -> Num\nSq x = [x]\nmain = (Sq 1)") == ["T001"]
    assert codes("Id : a -> a\nId x = (+ x 1)\nmain = (Id 1)") == ["T004"]
    assert codes("unchecked Id : a -> a\nId x = (+ x 1)\nmain = (Id 1)") == []
    assert types("F : _ -> Num\nF x = (+ x 1)\nmain = (F 1)")["F"] == "Num -> Num"
    t = types('F : a -> _\nF x = x\nmain = ((F 1), (F "a"))')
    assert (t["F"], t["main"]) == ("a -> a", "(Num, String)")
    assert types("Self : Any -> Any\nSelf x = (x x)\nmain = (Self 1)")["Self"] == "Any -> Any"


def test_polymorphic_recursion_through_a_signature():
    assert types("Len : (List a) -> Num\n(Len []) = 0\n(Len (List.cons * t)) = (+ 1 (Len t))\n"
                 "main = (Len [[1]])")["Len"] == "(List a) -> Num"


def test_bad_types_in_signatures_and_fields():
    assert codes("F : Nmu -> Num\nF x = x\nmain = (F 1)") == ["T005"]
    assert codes("F : List -> Num\nF * = 0\nmain = (F [])") == ["T006"]
    assert codes("data (B a) = (B (v: b))\nmain = (B 1)") == ["T005"]
    assert codes("Sqr : Num -> Num\nSq x = x\nmain = (Sq 1)") == ["T007"]


def test_untyped_features_skip_with_a_note_unless_signed():
    diags, result = run_check("main = {1 2}")
    assert [d.code for d in diags] == ["T010"] and result.skipped == {"main": "superpositions"}
    assert codes("main : Num\nmain = {1 2}") == []
    assert codes('main : Num\nmain = {1 "a"}') == ["T001"]


def test_builtins_and_prelude_types():
    t = types('main = (HVM.print "hi" (HVM.log (List.map λx (+ x 1) [1])))')
    assert t["main"] == "(List Num)"
    assert codes("main = (HVM.print 1 2)") == ["T001"]
    assert codes("main = (List.map 1 [1])") == ["T001"]
