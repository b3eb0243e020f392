"""Desugaring: every piece of sugar, name resolution, the prelude, the entry point and its
arguments, top-level errors, and inputs nested 10,000 levels deep."""
import pytest

from hvmlang import ast
from hvmlang import core as c
from hvmlang import pretty
from hvmlang.desugar import desugar
from hvmlang.diagnostics import CompileError, Reporter
from hvmlang.parse import parse_program, parse_term
from test_patterns import evaluate


def compile_book(src, entry=None, args=()):
    reporter = Reporter()
    terms = [parse_term(a, "<argument>") for a in args]
    return desugar(parse_program(src, "test.hvm"), reporter, entry, terms), reporter


def body(src, name="main"):
    book, _ = compile_book(src)
    return pretty.term(book.defs[name].body)


def diagnostics(src, entry=None):
    reporter = Reporter()
    try:
        desugar(parse_program(src, "test.hvm"), reporter, entry)
    except CompileError:
        pass
    return [(d.code, d.message, d.help) for d in reporter.diagnostics]


def codes(src, entry=None):
    return [code for code, _, _ in diagnostics(src, entry)]


def binders(t):
    """Every binder name of a core term (None and unscoped `$x` left out)."""
    out, stack = [], [t]
    while stack:
        node = stack.pop()
        match node:
            case c.Lam(name=n) | c.Let(name=n) | c.Switch(pred=n):
                out.append(n)
            case c.Dup(a=a, b=b) | c.LetTup(a=a, b=b):
                out += [a, b]
            case c.Match(cases=cases):
                out += [f for case in cases for f in case.fields]
        stack.extend(c.children(node))
    return [n for n in out if n is not None and not n.startswith("$")]


# ---------------------------------------------------------------------------------------------
# Sugar

def test_string_list_nat_tuple_literals():
    assert body('main = "hi"') == "(String.cons 104 (String.cons 105 String.nil))"
    assert body('main = ""') == "String.nil"
    assert body("main = [1, 2 3]") == "(List.cons 1 (List.cons 2 (List.cons 3 List.nil)))"
    assert body("main = []") == "List.nil"
    assert body("main = #2") == "(Nat.succ (Nat.succ Nat.zero))"
    assert body("main = (1, 2, 3)") == "(1, (2, 3))"
    assert body("main = 'a'") == "97"


def test_operators():
    assert body("main = (+ 1 (* 2 3))") == "(+ 1 (* 2 3))"
    assert body("main = (~ 5)") == "(^ 5 1152921504606846975)"


def test_use_copies_its_value_at_each_use():
    assert body("main = use x = (+ 1 2); (x x)") == "((+ 1 2) (+ 1 2))"
    assert body("main = use x = 1; 2") == "2"


def test_use_value_keeps_its_own_scope():
    assert body("main = λy use x = y; λy (x y)") == "λy λy_1 (y y_1)"


def test_unused_use_is_still_checked():
    assert codes("main = use x = nope; 1") == ["E109"]


def test_let_forms():
    assert body("main = let x = 1; (+ x x)") == "let x = 1; (+ x x)"
    assert body("main = let * = 1; 2") == "let * = 1; 2"
    assert body("main = let (a, b) = (1, 2); (b, a)") == "let (a, b) = (1, 2); (b, a)"
    assert body("main = let (a, *, c) = (1, 2, 3); c") == \
        "let (a, b) = (1, (2, 3)); let (*, c) = b; c"


def test_let_constructor_pattern_is_a_match():
    src = "data Box = (Box v)\nmain = let (Box a) = (Box 1); a"
    assert body(src) == "let b = (Box 1); match b { Box a: a }"
    src = "data Box = (Box v)\nmain = λt let (Box a) = t; a"
    assert body(src) == "λt match t { Box a: a }"


def test_nested_let_tuple_goes_through_the_pattern_compiler():
    assert body("main = let (a, (b, c)) = (1, (2, 3)); (a, b, c)") == \
        "let d = (1, (2, 3)); let (a, d.1) = d; let (b, c) = d.1; (a, (b, c))"


def test_dup_and_sup_chains():
    book, _ = compile_book("main = let #L{a b c} = 1; let {x y} = 2; (a b c x y #M{1 2 3} {4 5})")
    assert pretty.term(book.defs["main"].body) == (
        "let #L{a d} = 1; let #L{b c} = d; let {x y} = 2; (a b c x y #M{1 #M{2 3}} {4 5})")
    assert book.labels == ["L", "M"]
    assert body("main = let {a *} = 1; a") == "let {a *} = 1; a"


def test_implicit_fields_and_predecessor():
    src = """data Shape = (Circle r) | (Rect w h)
             Area s = match s { Circle: (* s.r s.r); Rect: (* s.w s.h) }"""
    assert body(src + "\nmain = 0", "Area") == \
        "λs match s { Circle s.r: (* s.r s.r); Rect s.w s.h: (* s.w s.h) }"
    assert body("main = λn match n { 0: 0; 1+: n-1 }") == "λn match n { 0: 0; 1+n-1: n-1 }"


def test_implicit_fields_of_an_unnamed_scrutinee_are_not_bound():
    src = "data Box = (Box v)\nmain = match (Box 1) { Box: 5 }"
    assert body(src) == "let a = (Box 1); match a { Box *: 5 }"


def test_numeric_match_on_an_expression_needs_no_let():
    assert body("main = λf match (f 1) { 0: 1; 1+x: x }") == "λf match (f 1) { 0: 1; 1+x: x }"
    assert body("main = λf match (f 1) { 5: 1; x: x }") == \
        "λf let a = (f 1); match (- a 5) { 0: 1; 1+*: a }"


def test_match_with_bind():
    src = "data Opt = (Some v) | None\nmain = match x = (Some 1) { Some: x.v; None: x }"
    assert body(src) == "let x = (Some 1); match x { Some x.v: x.v; None: x }"
    assert evaluate(compile_book(src)[0], compile_book(src)[0].defs["main"].body) == 1


def test_shadowed_binders_are_renamed():
    assert body("main = λx λx x") == "λx λx_1 x_1"
    src = """data Opt = (Some v) | None
             F x (Some x) = λx let x = x; match x { 0: x; 1+x: x }
             F x None = x
             main = 0"""
    book, _ = compile_book(src)
    names = binders(book.defs["F"].body)
    assert len(names) == len(set(names))


def test_unscoped_variables_keep_their_names():
    assert body("main = λ$x λy ($x y)") == "λ$x λy ($x y)"


def test_constructor_values_and_partial_applications():
    src = "data L = (Cons h t) | Nil\n"
    assert body(src + "main = Nil") == "Nil"
    assert body(src + "main = Cons") == "λh λt (Cons h t)"
    assert body(src + "main = (Cons 1)") == "(λh λt (Cons h t) 1)"
    assert body(src + "main = (Cons 1 Nil)") == "(Cons 1 Nil)"
    assert body(src + "main = (Nil 1)") == "(Nil 1)"
    assert body(src + "main = λCons (Cons 1)") == "λCons (Cons 1)"


def test_tagged_lambdas_and_applications():
    assert body("main = #T λx #T (x x)") == "#T λx #T (x x)"


def test_references_and_builtins():
    book, _ = compile_book("F = 1\nmain = (HVM.log (F λF F))")
    term = book.defs["main"].body
    assert pretty.term(term) == "(HVM.log (F λF F))"
    assert isinstance(term.fun, c.Ref) and isinstance(term.arg.fun, c.Ref)
    assert isinstance(term.arg.arg.body, c.Var)


def test_spans_point_at_the_source():
    book, _ = compile_book("main =\n  λx (+ x 1)")
    lam = book.defs["main"].body
    assert (lam.span.line, lam.span.col) == (2, 3)
    op = lam.body
    assert (op.left.span.line, op.left.span.col, op.left.span.end_col) == (2, 9, 10)
    assert op.right.span.col == 11


# ---------------------------------------------------------------------------------------------
# Prelude, book layout, entry point and arguments

def test_prelude_definitions_are_pruned():
    book, _ = compile_book("Rev = List.reverse\nmain = (List.map λx x [1])")
    assert list(book.defs) == ["Rev", "main", "List.map", "List.reverse", "List.reverse.go"]
    assert book.defs["List.map"].builtin and not book.defs["main"].builtin


def test_user_definitions_override_the_prelude():
    book, _ = compile_book("List.length xs = 7\nmain = (List.length [])")
    assert pretty.term(book.defs["List.length"].body) == "λxs 7"
    assert not book.defs["List.length"].builtin


def test_builtin_types_are_in_the_book():
    book, _ = compile_book("data B = T | F\nmain = T")
    assert list(book.adts) == ["String", "List", "Nat", "Result", "B"]
    assert all(book.adts[n].builtin for n in ("String", "List", "Nat", "Result"))
    assert not book.adts["B"].builtin
    cons = book.ctrs["List.cons"]
    assert (cons.fields, cons.adt, cons.index) == (["head", "tail"], "List", 0)
    assert book.adts["B"].ctrs == ["T", "F"] and book.ctrs["F"].index == 1


def test_entry_point_and_arguments():
    book, _ = compile_book("main x y = (+ x y)", args=["3", "6"])
    assert book.entry == "main"
    assert pretty.term(book.defs["main"].body) == "let x = 3; let y = 6; (+ x y)"
    assert evaluate(book, book.defs["main"].body) == 9


def test_arguments_to_a_main_with_patterns_and_extra_arguments():
    book, _ = compile_book("main 0 = 1\nmain n = λm (* n m)", args=["3", "5"])
    assert evaluate(book, book.defs["main"].body) == 15
    book, _ = compile_book("main = λf f", args=["λx x", "7"])
    assert pretty.term(book.defs["main"].body) == "let f = λx x; (f 7)"


def test_entry_option():
    book, _ = compile_book("foo = 1\nbar = foo", entry="bar")
    assert book.entry == "bar"
    book, _ = compile_book("Main = 1")
    assert book.entry == "Main"


# ---------------------------------------------------------------------------------------------
# Errors

def test_entry_point_errors():
    assert codes("foo = 1") == ["E107"]
    assert codes("main = 1\nMain = 2") == ["E106"]
    assert diagnostics("main = 1\nfoo = 2", entry="fooo")[0][:2] == \
        ("E108", "the entry point `fooo` is not defined")


def test_top_level_dash_names():
    rule = ast.Rule("a-b", [], ast.Num(1))
    data = ast.Data("my-type", [], [ast.CtrDecl("my-ctr", [])])
    reporter = Reporter()
    with pytest.raises(CompileError):
        desugar(ast.Program([rule, ast.Rule("main", [], ast.Num(0))], [data], []), reporter)
    assert [d.code for d in reporter.diagnostics] == ["E101", "E101", "E101"]


def test_builtin_redefinitions():
    assert codes("data List = (Cons h t) | Nil\nmain = Nil") == ["E102"]
    assert codes("data X = (List.cons h t)\nmain = 0") == ["E102"]


def test_duplicate_declarations():
    assert codes("data T = A | A\nmain = 0") == ["E103"]
    assert codes("data T = A\ndata U = (A x)\nmain = 0") == ["E103"]
    assert codes("data T = A\ndata T = B\nmain = 0") == ["E103"]


def test_definition_named_like_a_constructor():
    assert codes("data T = A\nA = 1\nmain = 0") == ["E104"]


def test_rule_arity_mismatch():
    assert diagnostics("F x = 1\nF x y = 2\nmain = 0")[0][:2] == \
        ("E105", "this rule of `F` has 2 patterns but the first one has 1")


def test_unbound_variables():
    assert diagnostics("main = λx y") == [("E109", "unbound variable `y`", "")]
    code, message, hint = diagnostics("F a b = a-b\nmain = 0")[0]
    assert (code, message) == ("E109", "unbound variable `a-b`")
    assert "(- a b)" in hint
    assert "`List.map`" in diagnostics("main = List.mapp")[0][2]


def test_constructor_pattern_errors():
    assert codes("F (Foo x) = x\nmain = 0") == ["E110"]
    assert diagnostics("data L = (Cons h t) | Nil\nF (Cons x) = 1\nF * = 0\nmain = 0") == [
        ("E111", "the constructor `Cons` has 2 fields but this pattern gives 1",
         "write e.g. `(Cons * *)`")]
    assert codes("data L = (Cons h t) | Nil\nF Cons = 1\nmain = 0") == ["E111"]


def test_all_errors_are_reported_together():
    src = "data T = A | A\nF x = y\nG (Q x) = z\nmain = (H 1)"
    assert codes(src) == ["E103", "E109", "E110", "E109", "E109"]


def test_no_cascade_after_a_rejected_type():
    assert codes("data List = (Cons h t) | Nil\nF (Cons x xs) = x\nF Nil = 0\nmain = F") \
        == ["E102"]


# ---------------------------------------------------------------------------------------------
# Deep nesting

DEPTH = 10_000


def run_deep(term, rules=()):
    program = ast.Program([ast.Rule("main", [], term), *rules], [], [])
    return desugar(program, Reporter()).defs["main"].body


def spine_length(t, step):
    n = 0
    while (nxt := step(t)) is not None:
        t, n = nxt, n + 1
    return n


def test_deep_applications():
    t = ast.Num(1)
    for _ in range(DEPTH):
        t = ast.App(ast.Var("f"), [t])
    out = run_deep(t, [ast.Rule("f", [ast.PVar("x")], ast.Var("x"))])
    assert spine_length(out, lambda t: t.arg if isinstance(t, c.App) else None) == DEPTH


def test_deep_lets_and_lambdas():
    t = ast.Var("x")
    for i in range(DEPTH):
        t = ast.Let(ast.PVar("x"), ast.Num(i), ast.Lam("x", t))
    out = run_deep(t)
    assert spine_length(out, lambda t: t.body if isinstance(t, (c.Let, c.Lam)) else None) \
        == 2 * DEPTH
    assert len(set(binders(out))) == 2 * DEPTH


def test_deep_list_and_string():
    out = run_deep(ast.List([ast.Str("ab" * DEPTH)] * 3))
    assert spine_length(out, lambda t: t.args[1] if t.args else None) == 3
    assert spine_length(out.args[0], lambda t: t.args[1] if t.args else None) == 2 * DEPTH


def test_deep_matches_and_tuples():
    t = ast.Var("p")
    for _ in range(DEPTH):
        arms = [ast.Arm([ast.PNum(0)], ast.Num(0)), ast.Arm([ast.PSucc(1, "p")], t)]
        t = ast.Match([ast.Scrutinee(None, ast.Num(1))], arms)
    out = run_deep(ast.Tup([t, ast.Tup([ast.Num(1)] * DEPTH)]))
    assert isinstance(out, c.Tup)
