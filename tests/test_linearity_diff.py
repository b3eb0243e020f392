"""Differential validation of the linearity rule: every program the checker accepts prints the
same result on the net reducer (reference backend) as on a direct call-by-need evaluator, and
the closure self-applications it rejects really do not finish on the net reducer.

Corpus: Church numerals, maps of maps, self-application of named functions, closed terms and
closures, shared closures that are only composed, plus seeded random Church expressions (15 by
default, 150 with `--slow`).
"""
import random

import pytest

from direct_eval import evaluate
from hvmlang import runtime
from hvmlang.check import check
from hvmlang.diagnostics import Reporter
from hvmlang.parse import parse_program
from hvmlang.pipeline import Options, compile_net, desugar, lower, prune
from hvmlang.readback import readback
from hvmlang.runtime.api import RewriteLimit, RunOptions

PRELUDE = """
c2 = λf λx (f (f x))
c3 = λf λx (f (f (f x)))
Mul m n f = (m (n f))
Add m n f x = (m f (n f x))
Twice k f x = (f (f (k x)))
ToNum n = (n λx (+ x 1) 0)
Self : Any -> Any
Self f = (f f)
App : Any -> Any -> Any
App f x = (f x)
"""


def front(text: str):
    program = parse_program(PRELUDE + text, "diff.hvm")
    reporter = Reporter()
    book = desugar(program, reporter, Options())
    return program, book, reporter


def errors(text: str) -> list:
    program, book, reporter = front(text)
    check(program, book, reporter)
    return sorted({d.code for d in reporter.diagnostics if d.is_error})


def on_nets(text: str, max_rewrites: int = 200_000) -> str:
    _, book, reporter = front(text)
    nets = prune(compile_net(lower(book, reporter)))
    result = runtime.get("reference").run(nets, RunOptions(max_rewrites=max_rewrites))
    return readback(result.net, nets)[0]


def direct(text: str) -> str:
    return evaluate(front(text)[1])


ACCEPTED = [
    "main = [(ToNum (c2 c2)), (ToNum ((c2 c2) c2)), (ToNum (c2 c2 c3)), (ToNum (c2 (c2 c2)))]",
    "main = [(ToNum (Mul c3 (Add c2 c3))), (ToNum (Add c3 c2))]",
    "main = let g = (c2 c2); [(ToNum (Mul g g)), (ToNum (Add g g))]",
    "main = let g = (Add c2 c3); (ToNum (Mul g g))",
    "main = let g = c2; (ToNum (g g))",                          # a named function, twice
    "main = (ToNum (Self c2))",                                 # named, self-applied
    "main = let g = (Twice λv v); (ToNum (g g))",               # closed: floated, by reference
    "main = (ToNum (Self (Twice λv v)))",
    "Go k = let g = (Twice k); (ToNum (Mul g g))\nmain = (Go λv v)",   # closure, composed
    "Go k = let g = (Twice k); (ToNum (g c2))\nmain = (Go λv v)",      # closure, used once
    "Go k = (ToNum (Twice k (Twice k c2)))\nmain = (Go λv v)",
    "main = (List.map λxs (List.map λx (* x x) xs) [[1, 2], [3]])",   # maps of maps
    "Go f = (List.map λl (List.map f l) [[1, 2], [3]])\nmain = (Go λx (+ x 1))",
    "Go l = (List.map λf (List.map f l) [λx (+ x 1), λx (* x 2)])\nmain = (Go [1, 2])",
    "Go n = (List.map λf (ToNum (f c2)) [c2, (Twice λv v), (Mul c2)])\nmain = (Go 0)",
    "Sq x = (* x x)\nmain = (List.map (List.map Sq) [[1, 2], [3]])",
]

REJECTED = [
    "Go k = let g = (Twice k); (ToNum (g g))\nmain = (Go λv v)",
    "Go k = let {g h} = (Twice k); (ToNum (g h))\nmain = (Go λv v)",
    "Go k = (ToNum (Self (Twice k)))\nmain = (Go λv v)",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_programs_agree(text):
    assert errors(text) == []
    assert on_nets(text) == direct(text)


@pytest.mark.parametrize("text", REJECTED)
def test_rejected_programs_do_not_finish(text):
    assert "L006" in errors(text)
    with pytest.raises(RewriteLimit):
        on_nets(text, max_rewrites=20_000)


def church(rng: random.Random, depth: int) -> tuple:
    """A random Church expression (text, value) whose value stays small; `k` is the identity."""
    while True:
        if depth == 0 or rng.random() < 0.3:
            return rng.choice([("c2", 2), ("c3", 3), ("(Twice k)", 2), ("(Twice λv v)", 2),
                               ("λf λx (f (f (k x)))", 2)])
        (a, x), (b, y) = church(rng, depth - 1), church(rng, depth - 1)
        form = rng.choice(["app", "mul", "add", "helper", "let-mul", "let-app", "let-add",
                           "let-wrap", "let-eta", "let-helper"])
        text, value = {
            "app": (f"({a} {b})", y ** x), "mul": (f"(Mul {a} {b})", x * y),
            "add": (f"(Add {a} {b})", x + y), "helper": (f"(App {a} {b})", y ** x),
            "let-mul": (f"let g = {a}; (Mul g g)", x * x),
            "let-app": (f"let g = {a}; (g g)", x ** x),
            "let-add": (f"let g = {a}; (Add g {b})", x + y),
            "let-wrap": (f"let g = {a}; let h = λz (g z); (h g)", x ** x),
            "let-eta": (f"let g = {a}; (g λz (g z))", x ** x),
            "let-helper": (f"let g = {a}; (App g g)", x ** x),
        }[form]
        if value <= 64:
            return text, value


@pytest.mark.parametrize("seed", list(range(15)) + [pytest.param(s, marks=pytest.mark.slow)
                                                     for s in range(15, 150)])
def test_random_church_programs(seed):
    text, value = church(random.Random(seed), 3)
    program = f"Go : Any -> Num\nGo k = (ToNum {text})\nmain = (Go λv v)"
    if errors(program):
        assert errors(program) == ["L006"]
        with pytest.raises(RewriteLimit):
            on_nets(program, max_rewrites=20_000)
    else:
        assert on_nets(program) == direct(program) == str(value)
