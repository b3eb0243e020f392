"""Parser tests: source text -> surface AST for every construct, spans, every syntax error
message, REPL input, deep nesting, and round trips through surface_pretty."""
from pathlib import Path

import pytest

from hvmlang import ast as A
from hvmlang.diagnostics import SOURCES, CompileError, Span
from hvmlang.lexer import grammar, lex
from hvmlang.parse import (ERROR_CODES, IncompleteInput, parse_program, parse_repl_input,
                           parse_term)
from hvmlang.surface_pretty import print_program, print_term, quote


def body(src: str):
    """The body of `main = src`."""
    return parse_program(f"main = {src}", "t.hvm").rules[0].body


def pats(src: str) -> list:
    """The patterns of the rule `F src = 0`."""
    return parse_program(f"F {src} = 0", "t.hvm").rules[0].pats


def V(name):
    return A.Var(name)


def N(value):
    return A.Num(value)


# ---------------------------------------------------------------------------------------------
# Terms

TERMS = [
    ("x", V("x")),
    ("List.cons", V("List.cons")),
    ("n-1", V("n-1")),
    ("$x", V("$x")),
    ("_x.y-2", V("_x.y-2")),
    ("letter", V("letter")),
    ("matching", V("matching")),
    ("data.x", V("data.x")),
    ("λx x", A.Lam("x", V("x"))),
    ("@x x", A.Lam("x", V("x"))),
    ("λ x x", A.Lam("x", V("x"))),
    ("λ* 1", A.Lam(None, N(1))),
    ("λ$x $x", A.Lam("$x", V("$x"))),
    ("λx λy (x y)", A.Lam("x", A.Lam("y", A.App(V("x"), [V("y")])))),
    ("(f a b c)", A.App(V("f"), [V("a"), V("b"), V("c")])),
    ("(λx a b)", A.App(A.Lam("x", V("a")), [V("b")])),
    ("((f a) b)", A.App(A.App(V("f"), [V("a")]), [V("b")])),
    ("(f λx x y)", A.App(V("f"), [A.Lam("x", V("x")), V("y")])),
    ("(x)", V("x")),
    ("((x))", V("x")),
    ("#T (f x y)", A.App(V("f"), [V("x"), V("y")], "T")),
    ("#T λx x", A.Lam("x", V("x"), "T")),
    ("#List.T @x x", A.Lam("x", V("x"), "List.T")),
    ("(~ 5)", A.Op("~", N(5), None)),
    ("(* 2 3)", A.Op("*", N(2), N(3))),
    ("(f *)", A.App(V("f"), [A.Era()])),
    ("*", A.Era()),
    ("(*)", A.Era()),
    ("(*, 1)", A.Tup([A.Era(), N(1)])),
    ("((*) 1)", A.App(A.Era(), [N(1)])),
    ("(- n 1)", A.Op("-", V("n"), N(1))),
    ("(-n 1)", A.Op("-", V("n"), N(1))),
    ("42", N(42)),
    ("0xff", N(255)),
    ("0xFF", N(255)),
    ("0b101", N(5)),
    ("1_000", N(1000)),
    ("0x_ff_ff", N(0xFFFF)),
    ("1152921504606846975", N(2**60 - 1)),
    ("'a'", N(97)),
    ("'\\n'", N(10)),
    ("'\\t'", N(9)),
    ("'\\r'", N(13)),
    ("'\\0'", N(0)),
    ("'\\\\'", N(92)),
    ("'\\''", N(39)),
    ("'\\\"'", N(34)),
    ("'\"'", N(34)),
    ("'/'", N(47)),
    ("'\\u{1F600}'", N(0x1F600)),
    ("'\\u1234'", N(0x1234)),
    ("'😀'", N(0x1F600)),
    ("'λ'", N(0x3BB)),
    ('"hi"', A.Str("hi")),
    ('""', A.Str("")),
    ('"a\\nb\\t\\"\\\\\\u{41}\\u42\\0"', A.Str('a\nb\t"\\AB\0')),
    ('"http://x /* y */"', A.Str("http://x /* y */")),
    ('"two\nlines"', A.Str("two\nlines")),
    ("[1, 2 3]", A.List([N(1), N(2), N(3)])),
    ("[]", A.List([])),
    ("[[]]", A.List([A.List([])])),
    ("(a, b, c)", A.Tup([V("a"), V("b"), V("c")])),
    ("((a, b), c)", A.Tup([A.Tup([V("a"), V("b")]), V("c")])),
    ("#3", A.Nat(3)),
    ("#0", A.Nat(0)),
    ("let x = 1; x", A.Let(A.PVar("x"), N(1), V("x"))),
    ("let x = 1 x", A.Let(A.PVar("x"), N(1), V("x"))),
    ("let (a, b) = t; a", A.Let(A.PTup([A.PVar("a"), A.PVar("b")]), V("t"), V("a"))),
    ("let (Box v) = t; v", A.Let(A.PCtr("Box", [A.PVar("v")]), V("t"), V("v"))),
    ("let * = t; 1", A.Let(A.PWild(), V("t"), N(1))),
    ("use x = 1; x", A.Use("x", N(1), V("x"))),
    ("use x = 1 x", A.Use("x", N(1), V("x"))),
    ("let {a b} = v; a", A.Dup(None, ["a", "b"], V("v"), V("a"))),
    ("let #L{a b c} = v a", A.Dup("L", ["a", "b", "c"], V("v"), V("a"))),
    ("let {a *} = v; a", A.Dup(None, ["a", None], V("v"), V("a"))),
    ("let {a, b} = v; a", A.Dup(None, ["a", "b"], V("v"), V("a"))),
    ("{a b}", A.Sup(None, [V("a"), V("b")])),
    ("{a, b}", A.Sup(None, [V("a"), V("b")])),
    ("#L{a b c}", A.Sup("L", [V("a"), V("b"), V("c")])),
    ("match x { 0: 1; 1+p: p }",
     A.Match([A.Scrutinee("x", V("x"))],
             [A.Arm([A.PNum(0)], N(1)), A.Arm([A.PSucc(1, "p")], V("p"))])),
    ("match x = (f y) { | A: 1 | (B c): 2 }",
     A.Match([A.Scrutinee("x", A.App(V("f"), [V("y")]))],
             [A.Arm([A.PVar("A")], N(1)), A.Arm([A.PCtr("B", [A.PVar("c")])], N(2))])),
    ("match a, b { p q: 1; * *: 2 }",
     A.Match([A.Scrutinee("a", V("a")), A.Scrutinee("b", V("b"))],
             [A.Arm([A.PVar("p"), A.PVar("q")], N(1)), A.Arm([A.PWild(), A.PWild()], N(2))])),
    ("match (f x) { A: 1 }",
     A.Match([A.Scrutinee(None, A.App(V("f"), [V("x")]))], [A.Arm([A.PVar("A")], N(1))])),
    ("match $x { *: 1 }", A.Match([A.Scrutinee(None, V("$x"))], [A.Arm([A.PWild()], N(1))])),
    ("match x {}", A.Match([A.Scrutinee("x", V("x"))], [])),
    ("match x { A: let y = 1 y B: 2 }",
     A.Match([A.Scrutinee("x", V("x"))], [A.Arm([A.PVar("A")], A.Let(A.PVar("y"), N(1), V("y"))),
                                          A.Arm([A.PVar("B")], N(2))])),
]


@pytest.mark.parametrize("src,expected", TERMS, ids=[t[0] for t in TERMS])
def test_term(src, expected):
    assert body(src) == expected
    assert parse_term(src, "<arg>") == expected


@pytest.mark.parametrize("op", "+ - * / % == != < > <= >= & | ^ << >>".split())
def test_binary_operators(op):
    assert body(f"({op} 1 2)") == A.Op(op, N(1), N(2))


def test_lambda_body_extends_right_and_let_chains():
    assert body("λf let x = (f 1); λy (x y)") == A.Lam(
        "f", A.Let(A.PVar("x"), A.App(V("f"), [N(1)]), A.Lam("y", A.App(V("x"), [V("y")]))))


# ---------------------------------------------------------------------------------------------
# Patterns and the top level

PATTERNS = [
    ("x", A.PVar("x")), ("*", A.PWild()), ("Nil", A.PVar("Nil")), ("(Nil)", A.PCtr("Nil", [])),
    ("(Cons h t)", A.PCtr("Cons", [A.PVar("h"), A.PVar("t")])),
    ("0", A.PNum(0)), ("'a'", A.PNum(97)), ("0x10", A.PNum(16)),
    ("1+", A.PSucc(1, None)), ("1+p", A.PSucc(1, "p")), ("2+x", A.PSucc(2, "x")),
    ("1+*", A.PSucc(1, "*")), ("3+n-1", A.PSucc(3, "n-1")),
    ("(a, b)", A.PTup([A.PVar("a"), A.PVar("b")])),
    ("[a, b]", A.PList([A.PVar("a"), A.PVar("b")])), ("[a b]", A.PList([A.PVar("a"), A.PVar("b")])),
    ("[]", A.PList([])), ('"hi"', A.PStr("hi")), ('""', A.PStr("")),
    ("(Cons (Pair a *) [x, (y, 1+)])",
     A.PCtr("Cons", [A.PCtr("Pair", [A.PVar("a"), A.PWild()]),
                     A.PList([A.PVar("x"), A.PTup([A.PVar("y"), A.PSucc(1, None)])])])),
]


@pytest.mark.parametrize("src,expected", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_pattern(src, expected):
    assert pats(src) == [expected]
    assert body(f"match v {{ {src}: 0 }}").arms[0].pats == [expected]


def test_rule_forms_are_equal():
    plain = parse_program("Foo a (Cons h t) = a", "t.hvm").rules[0]
    parens = parse_program("(Foo a (Cons h t)) = a", "t.hvm").rules[0]
    assert plain == parens == A.Rule("Foo", [A.PVar("a"), A.PCtr("Cons", [A.PVar("h"),
                                                                          A.PVar("t")])], V("a"))
    assert parse_program("(Foo) = 1", "t.hvm").rules[0] == A.Rule("Foo", [], N(1))


def test_data_declarations():
    prog = parse_program("data Bool = T | F\ndata Tree\n  = | Leaf\n  | (Node l r)\n"
                         "data (List a) = (Cons (head: a) (tail: (List a))) | Nil", "t.hvm")
    assert prog.datas == [
        A.Data("Bool", [], [A.CtrDecl("T", []), A.CtrDecl("F", [])]),
        A.Data("Tree", [], [A.CtrDecl("Leaf", []),
                            A.CtrDecl("Node", [A.Field("l"), A.Field("r")])]),
        A.Data("List", ["a"], [A.CtrDecl("Cons", [A.Field("head", A.TName("a", [])),
                                                  A.Field("tail", A.TName("List", [A.TName(
                                                      "a", [])]))]),
                               A.CtrDecl("Nil", [])])]


def test_signatures_and_types():
    a, b, c = (A.TName(n, []) for n in "abc")
    prog = parse_program("F : a -> b -> c\nG : (a -> b) -> (List a)\nunchecked H : Any\n"
                         "I : (a, b) -> (Map a (List b))\nJ : (a)", "t.hvm")
    assert prog.signatures == [
        A.Signature("F", A.TFun(a, A.TFun(b, c))),
        A.Signature("G", A.TFun(A.TFun(a, b), A.TName("List", [a]))),
        A.Signature("H", A.TName("Any", []), unchecked=True),
        A.Signature("I", A.TFun(A.TTup([a, b]), A.TName("Map", [a, A.TName("List", [b])]))),
        A.Signature("J", a)]


def test_program_keeps_source_order_per_kind():
    prog = parse_program("B = 2\ndata T = X\nA = 1\nB : Num\ndata U = Y\nB = 3", "f.hvm")
    assert [r.name for r in prog.rules] == ["B", "A", "B"]
    assert [d.name for d in prog.datas] == ["T", "U"]
    assert [s.name for s in prog.signatures] == ["B"]
    assert prog.file == "f.hvm"


def test_comments_nest_and_keep_positions():
    src = ("// line comment (with ' and \")\nmain = /* a /* nested */ b */ (f /* x */ 1) // end\n"
           "/* multi\n line */ foo = '/'")
    prog = parse_program(src, "t.hvm")
    assert prog.rules[0].body == A.App(V("f"), [N(1)])
    assert prog.rules[0].body.span == Span("t.hvm", 2, 31, 2, 44)
    assert prog.rules[1].name_span == Span("t.hvm", 4, 10, 4, 13)
    assert prog.rules[1].body == N(47)


def test_layout_is_free_inside_items():
    prog = parse_program("main =\n(f\n1)\nbar = 2\n  baz = 3", "t.hvm")
    assert [r.name for r in prog.rules] == ["main", "bar", "baz"]


def test_examples_of_the_spec_parse():
    src = """
data Shape = (Circle r) | (Rect w h)
Area s = match s { Circle: (* 3 (* s.r s.r)); Rect: (* s.w s.h) }
Fib n = match n { 0: 0; 1+p: match p { 0: 1; 1+q: (+ (Fib p) (Fib q)) } }
(Len []) = 0
(Len [x]) = 1
(Len (List.cons h t)) = (+ 1 (Len t))
main x = let f = λ$got 10; let r = (f 32); (+ r $got)
"""
    prog = parse_program(src, "t.hvm")
    assert [r.name for r in prog.rules] == ["Area", "Fib", "Len", "Len", "Len", "main"]
    assert prog.rules[0].body.arms[0].body.right.left == V("s.r")


# ---------------------------------------------------------------------------------------------
# Spans

def test_spans():
    prog = parse_program("main = (f λx x\n  #T (g 'λ'))\n(F (C a) 1+) = \"a\nb\"", "s.hvm")
    main, f = prog.rules
    assert main.span == Span("s.hvm", 1, 1, 2, 14)
    assert main.name_span == Span("s.hvm", 1, 1, 1, 5)
    app = main.body
    assert app.span == Span("s.hvm", 1, 8, 2, 14)
    assert app.fun.span == Span("s.hvm", 1, 9, 1, 10)
    assert app.args[0].span == Span("s.hvm", 1, 11, 1, 15)
    assert app.args[1].span == Span("s.hvm", 2, 3, 2, 13)
    assert app.args[1].args[0].span == Span("s.hvm", 2, 9, 2, 12)
    assert f.pats[0].span == Span("s.hvm", 3, 4, 3, 9)
    assert f.pats[1].span == Span("s.hvm", 3, 10, 3, 12)
    assert f.body.span == Span("s.hvm", 3, 16, 4, 3)
    assert SOURCES.line("s.hvm", 2) == "  #T (g 'λ'))"


def test_spans_of_match_parts():
    m = body("match x = y { A: 1 }")
    assert m.span == Span("t.hvm", 1, 8, 1, 28)
    assert m.scrutinees[0].span == Span("t.hvm", 1, 14, 1, 19)
    assert m.arms[0].span == Span("t.hvm", 1, 22, 1, 26)
    assert m.arms[0].pats[0].span == Span("t.hvm", 1, 22, 1, 23)


# ---------------------------------------------------------------------------------------------
# Syntax errors: code, exact message, position

ERRORS = [
    ("main = ?", "E001", "unexpected character `?`", (1, 8)),
    ("main = (f !)", "E001", "unexpected character `!`", (1, 11)),
    ("main = 1 \x01", "E001", "unexpected character `\\u{1}`", (1, 10)),
    ('main = "abc', "E002",
     'unterminated string: expected a closing `"`, found the end of the input', (1, 8)),
    ("main = 1 /* a /* b */", "E003", "unterminated block comment: expected `*/` to close this "
     "`/*`, found the end of the input", (1, 10)),
    ("main = 'ab'", "E004", "expected exactly one character between `'` quotes, found 2 "
     "characters", (1, 8)),
    ("main = ''", "E004", "expected exactly one character between `'` quotes, found none",
     (1, 8)),
    ("main = 'a", "E004", "unterminated character literal: expected a closing `'`, found the "
     "end of the line", (1, 8)),
    ('main = "\\q"', "E005", "expected an escape such as `\\n`, `\\t`, `\\\\` or `\\u{41}`, "
     "found `\\q`", (1, 9)),
    ('main = "\\uZ"', "E005", "expected an escape such as `\\n`, `\\t`, `\\\\` or `\\u{41}`, "
     "found `\\u`", (1, 9)),
    ("main = '\\u{110000}'", "E005", "expected a Unicode code point (at most 10FFFF, not a "
     "surrogate), found `\\u{110000}`", (1, 9)),
    ("main = '\\u{D800}'", "E005", "expected a Unicode code point (at most 10FFFF, not a "
     "surrogate), found `\\u{D800}`", (1, 9)),
    ('main = "ab\n \\u{}"', "E005", "expected hex digits in `\\u{}`, found none", (2, 2)),
    ("main = 0b12", "E006", "expected a decimal, `0x` hex or `0b` binary number, found `0b12`",
     (1, 8)),
    ("main = 1.5", "E006", "expected a decimal, `0x` hex or `0b` binary number, found `1.5`",
     (1, 8)),
    ("main = 0x", "E006", "expected a decimal, `0x` hex or `0b` binary number, found `0x`",
     (1, 8)),
    ("main = 1152921504606846976", "E007", "number too large: numbers are 60-bit", (1, 8)),
    ("main = #1152921504606846976", "E007", "number too large: numbers are 60-bit", (1, 8)),
    ("F 1152921504606846976+ = 1", "E007", "number too large: numbers are 60-bit", (1, 3)),
    ("main = = 1", "E008", "expected a term, found `=`", (1, 8)),
    ("main = let = 1", "E008", "expected a pattern, a tag or `{`, found `=`", (1, 12)),
    ("F : -> a", "E008", "expected a name or `(`, found `->`", (1, 5)),
    ("data = A", "E008", "expected a name or `(`, found `=`", (1, 6)),
    ("F x : a", "E008", "expected a pattern or `=`, found `:`", (1, 5)),
    ("foo =\nbar = 1", "E008",
     "expected a term after `=`, found `bar`, which starts a new definition", (2, 1)),
    ("Foo :\nbar = 1", "E008",
     "expected a type after `:`, found `bar`, which starts a new definition", (2, 1)),
    ("Foo : List a\nmain = 1", "E008",
     "expected the end of the line after this type signature, found `a`", (1, 12)),
    ("main = (f x = 1)", "E009", "expected `)` to close this application, found `=`", (1, 13)),
    ("main = (f x\nfoo = 1", "E009", "expected `)` to close this application, found `=`",
     (2, 5)),
    ("main = (+ 1 2 = 3)", "E009", "expected `)` to close this operation, found `=`", (1, 15)),
    ("main = (f, x = 1)", "E009", "expected `)` to close this tuple, found `=`", (1, 14)),
    ("main = [1 2 =]", "E009", "expected `]` to close this list, found `=`", (1, 13)),
    ("main = {1 2 = }", "E009", "expected `}` to close this superposition, found `=`", (1, 13)),
    ("main = let {a b = 1; a", "E009", "expected `}` to close this duplication, found `=`",
     (1, 17)),
    ("main = match x { A: 1 = }", "E009", "expected `}` to close this `match`, found `=`",
     (1, 23)),
    ("F [a, b = 1", "E009", "expected `]` to close this list pattern, found `=`", (1, 9)),
    ("F (Cons a = 1", "E009", "expected `)` to close this constructor pattern, found `=`",
     (1, 11)),
    ("F (a, b = 1", "E009", "expected `)` to close this tuple pattern, found `=`", (1, 9)),
    ("(F a = 1", "E009", "expected `)` to close this parenthesis, found `=`", (1, 6)),
    ("main =", "E010", "unexpected end of file: expected a term", (1, 7)),
    ("main = λx", "E010", "unexpected end of file: expected a term", (1, 10)),
    ("main = (f x", "E010", "unexpected end of file: this application is missing its closing "
     "`)`", (1, 8)),
    ("main = (+ 1 2", "E010", "unexpected end of file: this operation is missing its closing "
     "`)`", (1, 8)),
    ("main = (1, 2", "E010", "unexpected end of file: this tuple is missing its closing `)`",
     (1, 8)),
    ("main = [1, 2", "E010", "unexpected end of file: this list is missing its closing `]`",
     (1, 8)),
    ("main = {1 2", "E010", "unexpected end of file: this superposition is missing its closing "
     "`}`", (1, 8)),
    ("main = let {a b", "E010", "unexpected end of file: this duplication is missing its "
     "closing `}`", (1, 12)),
    ("main =\n  match x {\n  0: 1", "E010", "unexpected end of file: this `match` is missing "
     "its closing `}`", (2, 3)),
    ("F : (List a", "E010", "unexpected end of file: this parenthesis is missing its closing "
     "`)`", (1, 5)),
    ("data T = (A", "E010", "unexpected end of file: this parenthesis is missing its closing "
     "`)`", (1, 10)),
    ("foo-bar = 1", "E011", "the top-level name `foo-bar` contains `-`, which only local "
     "variable names may contain", (1, 1)),
    ("data My-T = A", "E011", "the top-level name `My-T` contains `-`, which only local "
     "variable names may contain", (1, 6)),
    ("data T = My-A", "E011", "the top-level name `My-A` contains `-`, which only local "
     "variable names may contain", (1, 10)),
    ("x-y : Num", "E011", "the top-level name `x-y` contains `-`, which only local variable "
     "names may contain", (1, 1)),
    ("main = (+ 1)", "E012", "expected two operands for `+`, found 1", (1, 8)),
    ("main = (+)", "E012", "expected two operands for `+`, found none", (1, 8)),
    ("main = (* 1 2 3)", "E012", "expected two operands for `*`, found 3", (1, 8)),
    ("main = (* 3)", "E012", "expected two operands for `*`, found 1", (1, 8)),
    ("main = (~ 1 2)", "E012", "expected one operand for `~`, found 2", (1, 8)),
    ("main = (~)", "E012", "expected one operand for `~`, found none", (1, 8)),
    ("main = let 1 = 2; 3", "E013", "expected a name, `*`, a tuple or a constructor after "
     "`let`, found a number pattern", (1, 12)),
    ("main = let 1+p = 2; 3", "E013", "expected a name, `*`, a tuple or a constructor after "
     "`let`, found a successor pattern", (1, 12)),
    ("main = let [a] = 2; 3", "E013", "expected a name, `*`, a tuple or a constructor after "
     "`let`, found a list pattern", (1, 12)),
    ('main = let "s" = 2; 3', "E013", "expected a name, `*`, a tuple or a constructor after "
     "`let`, found a string pattern", (1, 12)),
    ("main = 1 2", "E014", "expected a definition, a `data` declaration or a type signature, "
     "found `2`", (1, 10)),
    (")", "E014", "expected a definition, a `data` declaration or a type signature, found `)`",
     (1, 1)),
    ("main = match a, b { x: 1 }", "E015", "expected 2 patterns in this arm, one per "
     "scrutinee of the `match`, found 1", (1, 21)),
    ("main = match a { x y: 1 }", "E015", "expected 1 pattern in this arm, one per scrutinee "
     "of the `match`, found 2", (1, 18)),
]


def errors_of(src: str, parse=parse_program) -> CompileError:
    with pytest.raises(CompileError) as info:
        parse(src, "t.hvm")
    return info.value


@pytest.mark.parametrize("src,code,message,where", ERRORS, ids=[e[0] for e in ERRORS])
def test_syntax_error(src, code, message, where):
    error = errors_of(src)
    assert [(d.code, d.message, (d.span.line, d.span.col)) for d in error.diagnostics] == [
        (code, message, where)]
    assert error.diagnostics[0].severity == "error"
    assert isinstance(error, IncompleteInput) == (code in ("E002", "E003", "E010"))


def test_every_code_is_documented_and_tested():
    assert {e[1] for e in ERRORS} == set(ERROR_CODES)


def test_unclosed_bracket_points_back_at_its_opening_line():
    (d,) = errors_of("main = (f x\nfoo = 1").diagnostics
    assert [(lab.span, lab.message) for lab in d.labels] == [
        (Span("t.hvm", 1, 8, 1, 9), "`(` opened here")]
    (d,) = errors_of("main = (f x = 1)").diagnostics
    assert d.labels == []


def test_all_errors_of_a_file_are_reported_and_parsing_resumes():
    src = ("main = (f x = 1\nok = 1\nbad = ?\nb = 0b2\nc = (+ 1\n  2 3)\n"
           "d = 'xy'\nF (a = 1\nlast = [1, 2")
    error = errors_of(src)
    assert [(d.code, d.span.line) for d in error.diagnostics] == [
        ("E009", 1), ("E001", 3), ("E006", 4), ("E012", 5), ("E004", 7), ("E009", 8),
        ("E010", 9)]
    assert not isinstance(error, IncompleteInput)


def test_a_bad_character_does_not_cascade():
    assert [d.code for d in errors_of("foo = ?\nbar = 1").diagnostics] == ["E001"]
    assert [d.code for d in errors_of("main = (f ? x").diagnostics] == ["E010", "E001"]


def test_unterminated_string_or_comment_reports_once():
    assert [d.code for d in errors_of('main = (f "abc)\nfoo = 1').diagnostics] == ["E002"]
    assert [d.code for d in errors_of("main = (f /* x)").diagnostics] == ["E003"]


def test_deep_unclosed_nesting_is_reported():
    (d,) = errors_of("main = " + "(f " * 10_000 + "x").diagnostics
    assert d.message == "unexpected end of file: this application is missing its closing `)`"
    assert d.span.col == 7 + 3 * 9_999 + 1


# ---------------------------------------------------------------------------------------------
# Terms on their own, REPL input

def test_parse_term():
    assert parse_term("(+ 1 2)", "<arg>") == A.Op("+", N(1), N(2))
    assert [d.message for d in errors_of("1 2", parse_term).diagnostics] == [
        "expected the end of the input, found `2`"]
    error = errors_of("", parse_term)
    assert isinstance(error, IncompleteInput)
    assert error.diagnostics[0].message == "unexpected end of input: expected a term"


@pytest.mark.parametrize("src,kind", [
    ("main", A.Var), ("(+ 1 2)", A.Op), ("λx x", A.Lam), ("Foo = 1", A.Program),
    ("Foo x = 1\nBar = 2", A.Program), ("data T = A | B", A.Program),
    ("Foo : (List a) -> a", A.Program), ("", A.Program), ("  // comment only", A.Program),
    ("Foo\n  x = 1", A.Program),
])
def test_repl_input_kinds(src, kind):
    assert isinstance(parse_repl_input(src, "<repl>"), kind)


@pytest.mark.parametrize("src", [
    "Foo x =", "x = ", "(Foo", "let x = 1", "match x {", "match x {\n  0: 1", '"abc',
    "/* note", "[1, 2", "λx", "Foo : (List", "data T = (A",
])
def test_repl_input_incomplete(src):
    with pytest.raises(IncompleteInput):
        parse_repl_input(src, "<repl>")


@pytest.mark.parametrize("src,message", [
    ("(+ 1 2))", "expected the end of the input, found `)`"),
    ("1 2", "expected the end of the input, found `2`"),
    ("Foo = (1 =", "expected `)` to close this application, found `=`"),
    ("(Foo x = 1", "expected `)` to close this application, found `=`"),
    ("(f ?", "unexpected character `?`"),
])
def test_repl_input_wrong(src, message):
    with pytest.raises(CompileError) as info:
        parse_repl_input(src, "<repl>")
    assert not isinstance(info.value, IncompleteInput)
    assert message in [d.message for d in info.value.diagnostics]


# ---------------------------------------------------------------------------------------------
# Printing back (surface_pretty) and deep input

PROGRAM = """
data (List a) = (Cons (head: a) (tail: (List a))) | Nil
data Bool = T | F
Len : (List a) -> Num
F : (a -> b) -> (List (a, b)) -> (List (a -> b))
unchecked Foo : Any
(Len Nil) = 0
(Len (Cons h t)) = (+ 1 (Len t))
G 1+ 2+x 1+* [a, b] "h\\"i" 'c' (a, *) (Nil) = 0x1_0
main = let x = 1; let (a, b) = (1, 2) let #L{c *} = #L{1 2}; use y = 3; λx λ* λ$z
  (f x $z * [1, 2 3] "a\\n\\u{1}" 'b' #3 (* 2 3) (~ 1) #T λq q #T (q r) ((*) 1) (λx x y)
   ((f a) b) match x = (f) { 0: 1; 1+p: p } match a, b { | (Cons h t) *: 1 1+ *: 2 }
   match x { } {a b} (a, (b, c)) [] "")
"""


def test_round_trip_program():
    prog = parse_program(PROGRAM, "r.hvm")
    text = print_program(prog)
    assert parse_program(text, "r.hvm") == prog
    assert print_program(parse_program(text, "r.hvm")) == text


@pytest.mark.parametrize("src", [t[0] for t in TERMS])
def test_round_trip_term(src):
    term = parse_term(src, "<arg>")
    assert parse_term(print_term(term), "<arg>") == term


@pytest.mark.parametrize("src,text", [
    ("(λx a b)", "(λx a b)"),
    ("match x = x { A: 1 | B: 2 }", "match x { A: 1; B: 2 }"),
    ("match y = (f) {}", "match y = f {  }"),
    ("let #L{a *} = v a", "let #L{a *} = v; a"),
    ("'a'", "97"),
    ('"a\\u{7}\\t"', '"a\\u{7}\\t"'),
])
def test_printed_text(src, text):
    assert print_term(parse_term(src, "<arg>")) == text


def test_printed_program_layout():
    prog = parse_program("A = 1\nA : Num\ndata T = X | (Y (f: (T -> T)) (g: (T a)))\n"
                         "(B 1+p x) = 2", "t.hvm")
    assert print_program(prog) == ("data T = X | (Y (f: T -> T) (g: (T a)))\n\nA : Num\n\n"
                                    "A = 1\nB 1+p x = 2")


def test_quote():
    assert quote('a"\\\n\r\0\té😀\x7f') == '"a\\"\\\\\\n\\r\\0\\té😀\\u{7F}"'


DEEP = 10_000


@pytest.mark.parametrize("src,depth_marker,reparse", [
    ("(" * DEEP + "x" + ")" * DEEP, None, False),
    ("λx " * DEEP + "x", "λx ", True),
    ("(f " * DEEP + "x" + ")" * DEEP, "(f ", True),
    ("[" * DEEP + "]" * DEEP, "[", False),
    ("let x = 1; " * DEEP + "x", "let x = 1; ", False),
    ("match x { 0: " * DEEP + "1" + " }" * DEEP, "match x { 0: ", False),
    ("{" * DEEP + "a b" + " b}" * DEEP, "{", False),
    ("(+ 1 " * DEEP + "2" + ")" * DEEP, "(+ 1 ", True),
], ids=["parens", "lambdas", "apps", "lists", "lets", "matches", "sups", "ops"])
def test_deep_terms_parse_and_print(src, depth_marker, reparse):
    text = print_program(parse_program("main = " + src, "deep.hvm"))
    if depth_marker is None:
        assert text == "main = x"
    else:
        assert text.count(depth_marker) == DEEP
    if reparse:
        assert print_program(parse_program(text, "deep.hvm")) == text


def test_deep_patterns_parse_and_print():
    src = "(F " + "(C " * DEEP + "x" + ")" * DEEP + ") = 1"
    text = print_program(parse_program(src, "deep.hvm"))
    assert text.count("(C ") == DEEP
    assert print_program(parse_program(text, "deep.hvm")) == text


# ---------------------------------------------------------------------------------------------
# The lexer against lark's

LEXER_CASES = [
    "let letter = use user; match matched { data: unchecked }",
    'x = "a\\"b\nc" \'\\n\' \'ab\' "open',
    "f 1+ n+x 2+* 0x1F 0b10 1_000 #3 #T λx @y $z a-b a->b (>> << == != <= >= ~ | *)",
    "main = ¬ \t\r\x00 'x",
]


@pytest.mark.parametrize("text", LEXER_CASES + [p.read_text() for p in sorted(
    (Path(__file__).parent.parent / "examples").glob("*.hvm"))])
def test_lexer_agrees_with_lark(text):
    ours = [(t.type, t.value, t.line, t.column, t.end_line, t.end_column) for t in lex(text)]
    theirs = [(t.type, t.value, t.line, t.column, t.end_line, t.end_column)
              for t in grammar().lex(text)]
    assert ours == theirs
