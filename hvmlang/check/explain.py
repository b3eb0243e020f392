"""`hvm-lang explain CODE`: a table of every diagnostic code -> a longer text with two examples.

Each entry: a title, an explanation, a program that triggers the code and a close variant that
does not. The E09x entries are about net files (`hvm-lang run-net`), so their examples are
hvm-core text; every other example is a whole program. A test checks each example.
"""
from __future__ import annotations

# code: (title, explanation, wrong, fixed)
CODES = {
    # -- syntax ----------------------------------------------------------------------------------
    "E001": ("unexpected character",
             "The source contains a character that cannot start any token, such as `!` or `$` "
             "on its own.",
             "main = (+ 1 ! 2)", "main = (+ 1 2)"),
    "E002": ("unterminated string", "A string literal has no closing `\"` on its line.",
             'main = "hello', 'main = "hello"'),
    "E003": ("unterminated block comment", "A `/*` comment is never closed by `*/`; block "
             "comments nest, so every `/*` needs its own `*/`.",
             "/* a comment\nmain = 1", "/* a comment */\nmain = 1"),
    "E004": ("bad character literal", "A character literal holds exactly one character (or "
             "one escape) between single quotes.", "main = 'ab'", "main = 'a'"),
    "E005": ("bad escape", "Escapes are `\\n \\t \\r \\0 \\\\ \\' \\\"` and `\\u{..}` with the "
             "hex code point of a Unicode character.", 'main = "a\\qb"', 'main = "a\\nb"'),
    "E006": ("malformed number", "Numbers are decimal, `0x` hex or `0b` binary, with optional "
             "`_` separators between digits.", "main = 0xg1", "main = 0xf1"),
    "E007": ("number too large", "Numbers are unsigned 60-bit: the largest is "
             "1152921504606846975 (2^60 - 1).", "main = 1152921504606846976",
             "main = 1152921504606846975"),
    "E008": ("unexpected token", "The parser found a token where the grammar expects "
             "something else; the message says what it expected.",
             "main = let = 1; 2", "main = let x = 1; x"),
    "E009": ("unclosed bracket", "A `(`, `[` or `{` is not closed where its contents end.",
             "main = (+ 1 2]", "main = (+ 1 2)"),
    "E010": ("unexpected end of input", "The file ends in the middle of a definition or a "
             "term, usually because of a missing closing bracket.", "main = (+ 1 2",
             "main = (+ 1 2)"),
    "E011": ("`-` in a top-level name", "`-` may appear inside local names (`n-1`) but not in "
             "the names of definitions, data types or constructors, where it reads like a "
             "subtraction.", "my-fun x = x\nmain = (my-fun 1)", "my_fun x = x\nmain = (my_fun 1)"),
    "E012": ("wrong number of operands", "Operators are prefix and take exactly two operands; "
             "`~` takes one. Nest them for more: `(+ a (+ b c))`.", "main = (+ 1 2 3)",
             "main = (+ 1 (+ 2 3))"),
    "E013": ("bad `let` pattern", "A `let` binds a name, `*`, a tuple `(a, b)` or a "
             "constructor `(Ctr a b)`; match on anything else.", "main = let 1 = 1; 2",
             "main = let x = 1; 2"),
    "E014": ("expected a definition", "At the top level, each item starts with a rule "
             "`Name args = ..`, a `data` declaration or a signature `Name : Type`.",
             "main = 1\n)", "main = 1"),
    "E015": ("wrong number of patterns in an arm", "Each arm of `match a, b { .. }` has one "
             "pattern per scrutinee.", "main = match 1, 2 { 0: 0; * *: 1 }",
             "main = match 1, 2 { 0 *: 0; * *: 1 }"),
    # -- net files (hvm-lang run-net) -------------------------------------------------------------
    "E090": ("net syntax error", "A net file is a sequence of `@name = TREE` definitions, each "
             "followed by `& TREE ~ TREE` redex lines.", "@main = = #1", "@main = #1"),
    "E091": ("bracket mismatch in a net", "Every `(`, `{`, `[`, `<` and `?<` in a tree is "
             "closed by its own closer.", "@main = (a a]", "@main = (a a)"),
    "E092": ("bad operator in a net", "An operator node `<op a b>` names one of the 16 "
             "operators, optionally flipped with `:` (e.g. `<:- a b>`).",
             "@main = a\n& #1 ~ <!! #2 a>", "@main = a\n& #1 ~ <+ #2 a>"),
    "E093": ("wire used once", "A wire name in a net connects two ports, so it appears "
             "exactly twice in one definition.", "@main = (a b)", "@main = (a a)"),
    "E094": ("wire used more than twice", "A wire connects exactly two ports; to share a "
             "value, duplicate it with a `{L a b}` node.", "@main = ((a a) a)",
             "@main = ((a a) *)"),
    "E095": ("definition repeated in a net", "Each `@name` is defined once in a net file.",
             "@main = #1\n@main = #2", "@main = #1\n@other = #2"),
    "E096": ("unknown reference in a net", "A `@name` in a tree must be defined in the file.",
             "@main = @nope", "@main = @one\n@one = #1"),
    "E097": ("number too large in a net", "Numbers in nets are unsigned 60-bit.",
             "@main = #1152921504606846976", "@main = #1152921504606846975"),
    "E098": ("bad header in a net", "Header comments are `// entry NAME`, "
             "`// data T = Ctr/arity ..` and `// generated NAME ..`, naming things that exist.",
             "// generated nope\n@main = #1", "// generated one\n@main = @one\n@one = #1"),
    "E099": ("no entry in a net", "A net file needs the entry definition (`@main`, or the one "
             "named by `// entry`).", "// entry start\n@main = #1", "// entry main\n@main = #1"),
    # -- names -----------------------------------------------------------------------------------
    "E101": ("`-` in a top-level name", "Data types, constructors and definitions cannot "
             "contain `-`, which reads like a subtraction in local names. In files the parser "
             "reports this first, as E011.",
             "data Box = (My-box v)\nmain = (My-box 1)", "data Box = (MyBox v)\nmain = (MyBox 1)"),
    "E102": ("built-in redefined", "`String`, `List`, `Nat` and `Result` and their "
             "constructors are built in and cannot be declared again.",
             "data List = Nil | (Cons h t)\nmain = Nil", "data Seq = Nil | (Cons h t)\nmain = Nil"),
    "E103": ("declared twice", "A data type or constructor name is declared only once.",
             "data A = X\ndata B = X\nmain = X", "data A = X\ndata B = Y\nmain = X"),
    "E104": ("definition named like a constructor", "Definitions and constructors share one "
             "namespace, so a definition cannot reuse a constructor's name.",
             "data T = Leaf\nLeaf = 1\nmain = Leaf", "data T = Leaf\nleaf = 1\nmain = leaf"),
    "E105": ("rules with different arities", "All rules of one definition take the same number "
             "of patterns.", "(F 0) = 0\n(F 1+n a) = n\nmain = (F 1)",
             "(F 0) = 0\n(F 1+n) = n\nmain = (F 1)"),
    "E106": ("two entry points", "A program has `main` or `Main`, not both (or pick one with "
             "`-e NAME`).", "main = 1\nMain = 2", "main = 1\nother = 2"),
    "E107": ("no entry point", "A program needs a definition `main` (or `Main`), or an entry "
             "named with `-e NAME`.", "start = 1", "main = 1"),
    "E108": ("entry point not defined", "The definition named by `-e NAME` does not exist. "
             "(Example: run with `-e start`.)", "main = 1", "start = 1\nmain = 1"),
    "E109": ("unbound variable", "A name is neither a variable in scope, a definition nor a "
             "constructor. `a-b` is one name: write `(- a b)` to subtract.",
             "main = let x = 1; (+ x y)", "main = let x = 1; let y = 2; (+ x y)"),
    "E110": ("unknown constructor in a pattern", "A capitalized pattern `(Name ..)` must name "
             "a constructor.", "data T = (Leaf v)\n(F (Lef v)) = v\nmain = (F (Leaf 1))",
             "data T = (Leaf v)\n(F (Leaf v)) = v\nmain = (F (Leaf 1))"),
    "E111": ("constructor pattern arity", "A constructor pattern lists one pattern per field.",
             "data T = (Pair a b)\n(F (Pair a)) = a\nmain = (F (Pair 1 2))",
             "data T = (Pair a b)\n(F (Pair a *)) = a\nmain = (F (Pair 1 2))"),
    # -- patterns --------------------------------------------------------------------------------
    "E201": ("non-exhaustive patterns", "Some values match no rule (or no arm); the message "
             "names one. Add a case for it, or a last rule whose patterns are variables.",
             "(F 0) = 1\nmain = (F 2)", "(F 0) = 1\n(F *) = 0\nmain = (F 2)"),
    "E202": ("mismatched patterns", "The patterns in one position must all have one type: "
             "numbers, one data type's constructors, or tuples.",
             "data T = A | B\n(F A) = 0\n(F 1) = 1\nmain = (F A)",
             "data T = A | B\n(F A) = 0\n(F B) = 1\nmain = (F A)"),
    "E203": ("successor pattern with a gap", "`n+p` means \"n or more\", so the numbers below "
             "n need their own cases.", "(F 0) = 0\n(F 2+p) = p\nmain = (F 3)",
             "(F 0) = 0\n(F 1) = 0\n(F 2+p) = p\nmain = (F 3)"),
    "E204": ("wrong number of patterns", "A rule or arm gives one pattern per value matched. "
             "In files the parser reports this first, as E015.",
             "main = match 1, 2 { 0: 0; * *: 1 }", "main = match 1, 2 { 0 *: 0; * *: 1 }"),
    "W101": ("unreachable rule (`unreachable-rule`)", "The rules above match every value this "
             "rule matches, so it is never used.", "(F *) = 0\n(F 1) = 1\nmain = (F 1)",
             "(F 1) = 1\n(F *) = 0\nmain = (F 1)"),
    "W102": ("unreachable arm (`unreachable-arm`)", "The arms above match every value this arm "
             "matches, so it is never used.", "main = match 3 { *: 0; 1: 1 }",
             "main = match 3 { 1: 1; *: 0 }"),
    # -- types -----------------------------------------------------------------------------------
    "T001": ("mismatched types", "A value has a different type from the one its place needs. "
             "The label shows both; the note says why the expected type is expected (an "
             "argument of a function, a field of a constructor, the other rules of the "
             "definition, a signature). Data types are nominal: a `Tree` is never a `List`.",
             'Double x = (* x 2)\nmain = (Double "two")', "Double x = (* x 2)\nmain = (Double 2)"),
    "T002": ("infinite type", "A value would need a type that contains itself, usually "
             "because a function is applied to itself, as in `(x x)`. Give the definition a "
             "signature using `Any`, or write `unchecked Name : Type` to trust one.",
             "Self x = (x x)\nmain = (Self λy y)",
             "Self : Any -> Any\nSelf x = (x x)\nmain = (Self λy y)"),
    "T003": ("not a function", "A value that is not a function is applied to an argument, or "
             "a function gets more arguments than it takes.",
             "Add a b = (+ a b)\nmain = (Add 1 2 3)",
             "Add a b = (+ a b)\nmain = (Add 1 (Add 2 3))"),
    "T004": ("signature more general than the definition", "A variable of a signature (`a`) "
             "promises that the definition works for every type, but the definition needs a "
             "particular one.", "Id : a -> a\nId x = (+ x 0)\nmain = (Id 1)",
             "Id : Num -> Num\nId x = (+ x 0)\nmain = (Id 1)"),
    "T005": ("unknown type", "A signature or typed field names a type that does not exist. "
             "Types are `Num`, `Any`, `(a, b)`, `a -> b`, lowercase variables (in signatures) and "
             "data types.", "F : Nmu -> Num\nF x = x\nmain = (F 1)",
             "F : Num -> Num\nF x = x\nmain = (F 1)"),
    "T006": ("wrong number of type arguments", "A data type is used with as many arguments as "
             "it has parameters: `(List Num)`, `String`.",
             "F : List -> Num\nF * = 0\nmain = (F [])",
             "F : (List a) -> Num\nF * = 0\nmain = (F [])"),
    "T007": ("signature without a definition", "A signature names a definition that has no "
             "rules, often because of a typo.", "Sqr : Num -> Num\nSq x = (* x x)\nmain = (Sq 2)",
             "Sq : Num -> Num\nSq x = (* x x)\nmain = (Sq 2)"),
    "T010": ("not type-checked (note)", "A definition that uses superpositions, unscoped "
             "variables, labelled duplications or tagged lambdas is outside the type system, so "
             "it is not type-checked unless it has a signature.", "main = {1 2}",
             "main : Num\nmain = {1 2}"),
    # -- linearity -------------------------------------------------------------------------------
    "L001": ("unscoped variable never bound", "`$x` is used, but no `λ$x` in the same "
             "definition binds it.", "main = (+ $x 1)", "main = let f = λ$x 1; (+ (f 2) $x)"),
    "L002": ("unscoped variable never used", "`λ$x` binds an unscoped variable that is never "
             "used; write `λ*` to ignore the argument.", "main = let f = λ$x 1; (f 2)",
             "main = let f = λ* 1; (f 2)"),
    "L003": ("unscoped variable used more than once", "An unscoped variable is one wire: use it "
             "exactly once, and copy it explicitly if you need it twice.",
             "main = let f = λ$x 1; (+ (f 2) (+ $x $x))",
             "main = let f = λ$x 1; let {a b} = $x; (+ (f 2) (+ a b))"),
    "L004": ("unscoped variable bound more than once", "Each unscoped variable has exactly one "
             "`λ$x` in its definition.", "main = let f = λ$x 1; let g = λ$x 2; (+ (f 3) (g $x))",
             "main = let f = λ$x 1; let g = λ$y 2; (+ (f 3) (+ (g $x) $y))"),
    "L005": ("explicit dup output used twice", "`let {a b} = v` makes exactly two copies: each "
             "output is used once. Bind more outputs for more copies.",
             "main = let {a b} = 3; (+ a (+ a b))", "main = let {a b c} = 3; (+ a (+ b c))"),
    "L006": ("clone of a clone", "A closure (a value built at run time that captures a local "
             "variable) that copies its argument is itself copied, and one copy is applied to "
             "another. The copies share one duplication, which optimal reduction cannot tell "
             "apart: the program never finishes. Named functions and closed lambdas are safe "
             "(they are copied by reference); so is building one closure per use with `use`.",
             "Twice k f x = (f (f (k x)))\nGo k = let g = (Twice k); (g g λx x 0)\n"
             "main = (Go λx x)",
             "Twice k f x = (f (f (k x)))\nGo k = (Twice k (Twice λx x) λx x 0)\n"
             "main = (Go λx x)"),
    # -- warnings --------------------------------------------------------------------------------
    "W201": ("unused variable (`unused-variable`)", "A variable is bound but never used. Name "
             "it `_x` or write `*` if that is intended.", "F x y = x\nmain = (F 1 2)",
             "F x * = x\nmain = (F 1 2)"),
    "W202": ("unused definition (`unused-definition`)", "The entry point never uses this "
             "definition.", "Helper = 1\nmain = 2", "Helper = 1\nmain = (+ Helper 1)"),
    "W203": ("repeated bind (`repeated-bind`)", "One pattern binds the same name twice; only "
             "the last binding is visible.", "(F x x) = x\nmain = (F 1 2)",
             "(F x y) = (+ x y)\nmain = (F 1 2)"),
    "W204": ("possible clone of a clone (`clone-of-clone`)", "A closure that copies a "
             "function argument is copied, here or by the function it is passed to. If two "
             "copies are ever applied to each other the program will not finish (see L006). "
             "Silence it with `-A clone-of-clone` when they never are.",
             "Twice k f x = (f (f (k x)))\nGo k = (List.map (Twice k) [λx x])\nmain = (Go λx x)",
             "Twice k f x = (f (f (k x)))\nGo k = [(Twice k λx x)]\nmain = (Go λx x)"),
}


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def explain(code: str) -> str | None:
    """The long explanation of `code` (case-insensitive), or None if there is none."""
    entry = CODES.get(code.strip().upper())
    if entry is None:
        return None
    title, text, wrong, fixed = entry
    return (f"{code.strip().upper()}: {title}\n\n{text}\n\nThis triggers it:\n\n{_indent(wrong)}"
            f"\n\nThis does not:\n\n{_indent(fixed)}")
