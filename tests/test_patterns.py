"""The pattern-match compiler: printed decision trees, diagnostics, and (by evaluating the
desugared core with a small interpreter) agreement with "first matching rule" semantics on
random rule sets."""
import random

import pytest

from hvmlang import ast
from hvmlang import core as c
from hvmlang import ops, pretty
from hvmlang.desugar import desugar
from hvmlang.diagnostics import CompileError, Reporter
from hvmlang.parse import parse_program


def compile_book(src, entry=None):
    reporter = Reporter()
    return desugar(parse_program(src, "test.hvm"), reporter, entry), reporter


def defn(src, name):
    book, _ = compile_book(src + "\nmain = 0" if "main" not in src else src)
    return pretty.term(book.defs[name].body)


def diagnostics(src):
    """(severity, code, message) of every diagnostic, compiling or not."""
    reporter = Reporter()
    try:
        desugar(parse_program(src, "test.hvm"), reporter)
    except CompileError:
        pass
    return [(d.severity, d.code, d.message) for d in reporter.diagnostics]


def codes(src):
    return [code for _, code, _ in diagnostics(src)]


# ---------------------------------------------------------------------------------------------
# A call-by-value interpreter for desugared core

def evaluate(book, t, env=None):
    env = env or {}
    match t:
        case c.Num(value=v):
            return v
        case c.Var(name=n):
            return env[n]
        case c.Ref(name=n):
            return evaluate(book, book.defs[n].body)
        case c.Lam(name=n, body=b):
            return ("lam", n, b, env)
        case c.App(fun=f, arg=a):
            _, n, body, closure = evaluate(book, f, env)
            arg = evaluate(book, a, env)
            return evaluate(book, body, {**closure, n: arg} if n else closure)
        case c.Op2(op=op, left=l, right=r):
            return ops.apply(ops.CODE[op], evaluate(book, l, env), evaluate(book, r, env))
        case c.Ctr(name=n, args=args):
            return (n, *[evaluate(book, a, env) for a in args])
        case c.Tup(a=a, b=b):
            return ("tup", evaluate(book, a, env), evaluate(book, b, env))
        case c.Let(name=n, value=v, body=b):
            value = evaluate(book, v, env)
            return evaluate(book, b, {**env, n: value} if n else env)
        case c.LetTup(a=a, b=b, value=v, body=body):
            _, x, y = evaluate(book, v, env)
            return evaluate(book, body, {**env, **{k: w for k, w in ((a, x), (b, y)) if k}})
        case c.Match(scrutinee=s, cases=cases):
            name, *fields = evaluate(book, s, env)
            case = next(k for k in cases if k.ctr == name)
            binds = {f: v for f, v in zip(case.fields, fields) if f}
            return evaluate(book, case.body, {**env, **binds})
        case c.Switch(scrutinee=s, zero=z, pred=p, succ=su):
            n = evaluate(book, s, env)
            if n == 0:
                return evaluate(book, z, env)
            return evaluate(book, su, {**env, p: n - 1} if p else env)
    raise AssertionError(f"cannot evaluate {t!r}")


def run(src, entry="main"):
    book, _ = compile_book(src)
    return evaluate(book, book.defs[entry].body)


# ---------------------------------------------------------------------------------------------
# Printed decision trees

def test_nested_constructor_patterns():
    src = """data Opt = (Some v) | None
             (Get (Some (Some x))) = x
             (Get (Some None)) = 1
             (Get None) = 2"""
    assert defn(src, "Get") == ("λa match a { Some a.v: match a.v { Some x: x; None: 1 }; "
                                "None: 2 }")


def test_variable_patterns_name_the_arguments():
    src = """data L = (Cons h t) | Nil
             (Sum (Cons x xs)) = (+ x (Sum xs))
             (Sum Nil) = 0"""
    assert defn(src, "Sum") == "λa match a { Cons x xs: (+ x (Sum xs)); Nil: 0 }"
    assert defn("Id x = x", "Id") == "λx x"


def test_cases_in_declaration_order_with_unused_fields_erased():
    src = """data T = (A x y) | B | (C z)
             (F B) = 0
             (F *) = 1"""
    assert defn(src, "F") == "λa match a { A * *: 1; B: 0; C *: 1 }"


def test_overlapping_rules_copy_small_bodies():
    src = """data Bool = T | F
             (And T T) = T
             (And * *) = F"""
    assert defn(src, "And") == "λa λb match a { T: match b { T: T; F: F }; F: F }"


def test_big_bodies_reached_twice_are_shared_not_copied():
    src = """data Bool = T | F
             (G T T k) = 0
             (G x y k) = (+ (+ (+ (+ k k) (+ k k)) (+ (+ k k) (+ k k))) (+ k k))"""
    out = defn(src, "G")
    assert out.startswith("λx λy λk let rule2 = λx_3 λy_3 λk_1 (+ ")
    assert out.count("(+ k_1 k_1)") == 5
    assert out.endswith("; match x { T: match y { T: 0; F: let x_1 = T; let y_2 = F; "
                        "(rule2 x_1 y_2 k) }; F: let x_2 = F; (rule2 x_2 y k) }")
    assert run(src + "\nmain = (+ (G T T 1) (G T F 1))") == 10


def test_shared_arm_takes_captured_variables_as_arguments():
    src = """data Bool = T | F
             H = λk λa λb match a, b {
               T T: 0
               * *: (+ (+ (+ (+ k k) (+ k k)) (+ (+ k k) (+ k k))) (+ k k))
             }"""
    out = defn(src, "H")
    assert out.startswith("λk λa λb let arm2 = λk_1 (+ ")
    assert "(arm2 k)" in out


def test_bodies_with_unscoped_variables_are_never_copied():
    src = """data Bool = T | F
             (U T T) = λ$x 0
             (U * *) = λ$y $y"""
    out = defn(src, "U")
    assert out.count("λ$y") == 1 and "let rule2 = λ$y $y" in out


def test_no_exponential_blowup():
    n = 12
    rules = "\n".join("(G " + " ".join("T" if i == j else "*" for j in range(n)) + f") = {i}"
                      for i in range(n))
    src = f"data Bool = T | F\n{rules}\n(G {' '.join(['*'] * n)}) = {n}"
    assert len(defn(src, "G")) < 2000
    args = " ".join(["F"] * 5 + ["T"] + ["F"] * 6)
    assert run(src + f"\nmain = (G {args})") == 5


def test_numbers_in_any_order_with_a_variable():
    src = "Chars 'b' = 1\nChars 'a' = 2\nChars c = c"
    assert defn(src, "Chars") == ("λc match (- c 98) { 0: 1; 1+*: "
                                  "match (- c 97) { 0: 2; 1+*: c } }")
    assert [run(src + f"\nmain = (Chars {v})") for v in (97, 98, 7)] == [2, 1, 7]


def test_zero_and_successor():
    src = "Fib 0 = 0\nFib 1 = 1\nFib 2+n = (+ (Fib (+ n 1)) (Fib n))"
    assert defn(src, "Fib") == ("λa match a { 0: 0; 1+a-1: match a-1 { 0: 1; "
                                "1+n: (+ (Fib (+ n 1)) (Fib n)) } }")
    assert run(src + "\nmain = (Fib 10)") == 55


def test_variable_pattern_on_a_number_keeps_the_scrutinee():
    src = "F 0 = 10\nF n = n"
    assert defn(src, "F") == "λn match n { 0: 10; 1+*: n }"


def test_successor_binds_value_minus_n():
    assert run("F 0 = 9\nF 1 = 8\nF 2+x = x\nmain = (F 7)") == 5
    assert run("F 0 = 9\nF 1+* = 8\nmain = (F 7)") == 8


def test_implicit_predecessor_in_match():
    out = defn("P = λn match n { 0: 0; 1+: n-1 }", "P")
    assert out == "λn match n { 0: 0; 1+n-1: n-1 }"


def test_tuple_patterns():
    assert defn("Swap (a, b) = (b, a)", "Swap") == "λc let (a, b) = c; (b, a)"
    out = defn("T3 (a, b, c) = b", "T3")
    assert out == "λd let (a, d.rest) = d; let (b, c) = d.rest; b"
    assert run("F (0, x) = x\nF (y, *) = y\nmain = (+ (F (0, 5)) (F (3, 4)))") == 8


def test_list_patterns():
    src = "Len [] = 0\nLen [x] = 1\nLen [x, y] = 2\nLen * = 9"
    out = defn(src, "Len")
    assert out.startswith("λa match a { List.cons x a.tail: match a.tail {")
    assert [run(src + f"\nmain = (Len {v})") for v in ("[]", "[5]", "[5, 6]", "[1, 2, 3]")] \
        == [0, 1, 2, 9]


def test_string_patterns():
    src = 'S "hi" = 1\nS "ho" = 2\nS "" = 3\nS * = 4'
    values = ['"hi"', '"ho"', '""', '"h"', '"hit"', '"x"']
    assert [run(src + f"\nmain = (S {v})") for v in values] == [1, 2, 3, 4, 4, 4]


def test_multi_scrutinee_match():
    src = """data Opt = (Some v) | None
             main = match (Some 1), 4 { (Some x) 4: (+ x 10); * n: n }"""
    assert run(src) == 11


def test_zero_argument_definition_is_its_body():
    assert defn("K = λx x", "K") == "λx x"
    assert codes("K = 1\nK = 2\nmain = K") == ["W101"]


def test_rules_need_not_be_contiguous():
    src = "data B = T | F\n(X T) = 1\nY = 0\n(X F) = 2"
    assert defn(src, "X") == "λa match a { T: 1; F: 2 }"


def test_a_copied_body_reports_its_errors_once():
    src = "data B = T | F\n(X T T) = 0\n(X * *) = nope\nmain = 0"
    assert codes(src) == ["E109"]


def test_no_warnings_or_exhaustiveness_noise_after_a_pattern_error():
    assert codes("data B = T | F\n(X (Q a)) = 0\n(X T) = 1\nmain = 0") == ["E110"]


# ---------------------------------------------------------------------------------------------
# Diagnostics

def test_non_exhaustive_names_the_missing_case():
    src = """data Foo = Nil | (Cons h t)
             (Foo Nil Nil) = 1
             (Foo (Cons x xs) y) = 2
             main = 0"""
    assert ("error", "E201", "non-exhaustive patterns in `Foo`: `(Foo Nil (Cons * *))` "
            "not covered") in diagnostics(src)


@pytest.mark.parametrize("rules, missing", [
    ("(N 0) = 1\n(N 1) = 2", "(N 2)"),
    ("(N 1) = 1\n(N 0) = 2", "(N 2)"),
    ("(N (0, x)) = 1", "(N (1, *))"),
    ("(N []) = 1", "(N (List.cons * *))"),
    ("(N [x]) = 1\n(N (List.cons x (List.cons y z))) = 2", "(N [])"),
    ('(N "") = 1', '(N (String.cons * *))'),
    ('(N "a") = 1\n(N "") = 2', '(N (String.cons 97 (String.cons * *)))'),
    ('(N (String.cons 97 x)) = 1\n(N "") = 2', '(N (String.cons 0 *))'),
    ('(N "a") = 1\n(N (String.cons x *)) = 2', '(N "")'),
])
def test_missing_case_forms(rules, missing):
    message = f"non-exhaustive patterns in `N`: `{missing}` not covered"
    assert ("error", "E201", message) in diagnostics(rules + "\nmain = 0")


def test_non_exhaustive_match_and_let():
    src = "data Opt = (Some v) | None\nmain = match (Some 1) { (Some x): x }"
    assert ("error", "E201", "non-exhaustive match: `None` not covered") in diagnostics(src)
    src = "data Opt = (Some v) | None\nmain = let (Some x) = None; x"
    assert ("error", "E201", "refutable pattern in `let`: `None` not covered") \
        in diagnostics(src)


def test_several_missing_cases_become_notes():
    reporter = Reporter()
    src = "data B = T | F\n(X T T) = 0\nmain = 0"
    with pytest.raises(CompileError):
        desugar(parse_program(src, "t.hvm"), reporter)
    (d,) = reporter.diagnostics
    assert d.message == "non-exhaustive patterns in `X`: `(X T F)` not covered"
    assert d.notes == ["`(X F *)` is not covered either"]
    assert d.span.line == 2 and d.span.col == 2


def test_unreachable_rule_is_a_warning():
    src = "data B = T | F\n(X T) = 0\n(X x) = 1\n(X F) = 2\nmain = 0"
    reporter = Reporter()
    desugar(parse_program(src, "t.hvm"), reporter)
    (d,) = reporter.diagnostics
    assert (d.severity, d.code, d.span.line) == ("warning", "W101", 4)
    assert d.message.startswith("unreachable rule")


def test_redundant_match_arm_is_a_warning():
    src = "main = match 1 { 0: 1; 1: 2; x: 3; 4: 5 }"
    assert diagnostics(src) == [("warning", "W102", "unreachable match arm: the match arms "
                                 "above it match every value it matches")]


def test_unreachable_body_is_still_checked():
    src = "data B = T | F\n(X x) = 1\n(X T) = oops\nmain = 0"
    assert codes(src) == ["E109", "W101"]


def test_successor_needs_the_cases_below_it():
    src = "main = match 3 { 0: 1; 2+: 3 }"
    assert diagnostics(src) == [("error", "E203", "expected a case for 1 before `2+`")]
    assert codes("N 1+p = p\nmain = 0") == ["E203"]
    assert codes("N 1+p = p\nN 0 = 1\nmain = 0") == []     # any order
    assert codes("data O = (S v) | Z\nN (S 1+p) = p\nN * = 0\nmain = 0") == ["E203"]


def test_mismatched_pattern_types():
    src = "data B = T | F\n(X 0) = 1\n(X T) = 2\nmain = 0"
    assert diagnostics(src) == [("error", "E202", "mismatched patterns: this is a `B` "
                                 "constructor but an earlier pattern in the same position "
                                 "is a number")]
    assert codes("X (a, b) = 1\nX (a, b, c) = 2\nmain = 0") == ["E202"]


def test_arm_pattern_count():
    # The parser already rejects this; a hand-built AST still gets E204.
    arms = [ast.Arm([ast.PNum(0)], ast.Num(1)), ast.Arm([ast.PWild(), ast.PWild()], ast.Num(2))]
    body = ast.Match([ast.Scrutinee(None, ast.Num(1)), ast.Scrutinee(None, ast.Num(2))], arms)
    reporter = Reporter()
    with pytest.raises(CompileError):
        desugar(ast.Program([ast.Rule("main", [], body)], [], []), reporter)
    assert [(d.code, d.message) for d in reporter.diagnostics] == [
        ("E204", "this arm has 1 pattern but the match has 2 scrutinees")]


# ---------------------------------------------------------------------------------------------
# Random rule sets against first-match semantics

TYPES = ["num", "opt", "list", "pair"]


def gen_pattern(rng, ty, depth=0):
    if rng.random() < 0.25:
        return rng.choice(["*", "v"]), ("any",)
    if ty == "num":
        if rng.random() < 0.3:
            n = rng.randint(1, 2)
            return f"{n}+", ("ge", n)
        k = rng.randint(0, 3)
        return str(k), ("eq", k)
    if ty == "opt":
        if rng.random() < 0.4:
            return "None", ("none",)
        text, p = gen_pattern(rng, "num", depth + 1)
        return f"(Some {text})", ("some", p)
    if ty == "list":
        items = [gen_pattern(rng, "num", depth + 1) for _ in range(rng.randint(0, 2))]
        return "[" + ", ".join(t for t, _ in items) + "]", ("list", [p for _, p in items])
    a, pa = gen_pattern(rng, "num", depth + 1)
    b, pb = gen_pattern(rng, "opt", depth + 1)
    return f"({a}, {b})", ("pair", pa, pb)


def gen_value(rng, ty):
    if ty == "num":
        return rng.randint(0, 4)
    if ty == "opt":
        return None if rng.random() < 0.4 else ("Some", gen_value(rng, "num"))
    if ty == "list":
        return [gen_value(rng, "num") for _ in range(rng.randint(0, 3))]
    return (gen_value(rng, "num"), gen_value(rng, "opt"))


def value_text(v, ty):
    if ty == "num":
        return str(v)
    if ty == "opt":
        return "None" if v is None else f"(Some {v[1]})"
    if ty == "list":
        return "[" + ", ".join(map(str, v)) + "]"
    return f"({v[0]}, {value_text(v[1], 'opt')})"


def matches(p, v):
    match p:
        case ("any",):
            return True
        case ("eq", k):
            return v == k
        case ("ge", n):
            return v >= n
        case ("none",):
            return v is None
        case ("some", q):
            return v is not None and matches(q, v[1])
        case ("list", items):
            return len(items) == len(v) and all(map(matches, items, v))
        case ("pair", a, b):
            return matches(a, v[0]) and matches(b, v[1])


def random_program(rng, types, rows, values):
    rules = [f"(F {' '.join(t for t, _ in pats)}) = {i}" for i, pats in enumerate(rows)]
    rules.append(f"(F {' '.join(['*'] * len(types))}) = {len(rows)}")
    calls = ", ".join("(F " + " ".join(value_text(x, ty) for x, ty in zip(vs, types)) + ")"
                      for vs in values)
    return "data Opt = (Some v) | None\n" + "\n".join(rules) + f"\nmain = [{calls}]"


@pytest.mark.parametrize("seed", range(60))
def test_random_rules_agree_with_first_match(seed):
    rng = random.Random(seed)
    types = [rng.choice(TYPES) for _ in range(rng.randint(1, 3))]
    rows = [[gen_pattern(rng, ty) for ty in types] for _ in range(rng.randint(1, 6))]
    values = [[gen_value(rng, ty) for ty in types] for _ in range(15)]
    src = random_program(rng, types, rows, values)
    if "E203" in codes(src):         # `n+` without the cases below it: drop those rules
        rows = [pats for pats in rows if not any("+" in t for t, _ in pats)]
        src = random_program(rng, types, rows, values)
    book, _ = compile_book(src)
    out = evaluate(book, book.defs["main"].body)
    got = []
    while out[0] == "List.cons":
        got.append(out[1])
        out = out[2]
    expected = [next((i for i, pats in enumerate(rows)
                      if all(matches(p, x) for (_, p), x in zip(pats, vs))), len(rows))
                for vs in values]
    assert got == expected, src
