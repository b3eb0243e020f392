"""Linearity, clone-of-clone and usage diagnostics (L0xx, W2xx), warning levels, explain."""
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hvmlang.check import UnknownKind, apply_levels, check, levels
from hvmlang.check.explain import CODES, explain
from hvmlang.cli import run_command
from hvmlang.diagnostics import CompileError, Diagnostic, Reporter
from hvmlang.parse import parse_program
from hvmlang.pipeline import Options, desugar

ROOT = Path(__file__).resolve().parent.parent


def diagnostics(text: str) -> list:
    program = parse_program(text, "t.hvm")
    reporter = Reporter()
    try:
        book = desugar(program, reporter, Options())
    except CompileError as e:
        return e.diagnostics
    check(program, book, reporter)
    return [d for d in reporter.diagnostics if d.code != "T010"]


def codes(text: str) -> list:
    return [d.code for d in diagnostics(text) if d.code[0] in "LW"]


THRICE = "Thrice k f x = (f (f (f (k x))))\n"


# -- unscoped variables and explicit dups -------------------------------------------------------

def test_unscoped_variable_errors():
    assert codes("main = (+ $x 1)") == ["L001"]
    assert codes("main = let f = λ$x 1; (f 2)") == ["L002"]
    assert codes("main = let f = λ$x 1; (+ (f 2) (+ $x $x))") == ["L003"]
    assert codes("main = let f = λ$x 1; let g = λ$x 2; (+ (f 3) (g $x))") == ["L004"]
    assert codes("main = let f = λ$x 1; (+ (f 2) $x)") == []


def test_unscoped_variables_count_over_all_rules_and_arms():
    assert codes("(F 0) = (λ$x 1 2)\n(F 1+*) = $x\nmain = (F 1)") == []
    assert codes("main = let f = λ$x 1; match (f 2) { 0: $x; 1+*: $x }") == ["L003"]
    assert codes("main = let f = λ$x 1; use y = $x; (+ (f 2) (+ y y))") == ["L003"]
    assert codes("main = let f = λ$x 1; use y = $x; (f 2)") == ["L002", "W201"]


def test_unscoped_spans_point_at_the_names():
    [d] = diagnostics("main = let f = λ$x 1; (f 2)")
    assert (d.span.col, d.span.end_col) == (17, 19)


def test_explicit_dup_outputs():
    [d] = diagnostics("main = let {a b} = 3; (+ a (+ a b))")
    assert d.code == "L005" and d.span.col == 31 and d.message.endswith("used 2 times")
    assert codes("main = let {a b c} = 3; (+ a (+ b c))") == []
    assert codes("main = let {a b} = 3; match 1 { 0: (+ a b); 1+*: (+ a b) }") == []
    assert codes("main = let {a b} = 3; use y = a; (+ y (+ y b))") == ["L005"]


# -- clone of a clone ----------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "Go k = let g = (Thrice k); (g g)",
    "Go k = let g = (Thrice k); let h = g; (h g)",
    "Go k = let {g1 g2} = (Thrice k); (g1 g2)",
    "Go k = let g = λf λx (f (f (k x))); (g g)",
    "Go k = (Self (Thrice k))\nSelf f = (f f)",
    "Go k = let g = (Thrice k); (Self g)\nSelf f = (f f)",
    "Go k = let g = (Thrice k); (App g g)\nApp f x = (f x)",
    "Go k = let g = (Thrice k); let h = λx (g x); (h g)",
    "Go k = let g = (Thrice k); (g λx (g x))",
    "Go k = let g = (Thrice k); let t = (g, g); let (a, b) = t; (a b)",
    "Go k = let g = (Mul (Thrice k) λf λx (f (f x))); (g g)\nMul m n f = (m (n f))",
])
def test_clone_of_clone_is_an_error(body):
    assert "L006" in codes(THRICE + body + "\nmain = (Go λx x)")


@pytest.mark.parametrize("body", [
    "Go k = let g = (Thrice λx x); (g g)",           # closed: floated, copied by reference
    "Go k = let g = Thrice; (g g)",                   # a named function
    "Go k = (Thrice k (Thrice λx x) λx x 0)",          # copies composed, never self-applied
    "Go k = let g = (Thrice k); (g λx x 0)",          # used once
    "Go k = let g = λx (+ x (k 1)); (g (g 1))",       # the closure copies nothing
    "Go k = let g = (Thrice k); (g (g λx x))",         # copies composed
    "Go k = let g = (Thrice k); (Mul g g)\nMul m n f = (m (n f))",
    "Go k = let g = (Thrice k); (App g λx x)\nApp f x = (f x)",
])
def test_safe_sharing_is_not_an_error(body):
    assert "L006" not in codes(THRICE + body + "\nmain = (Go λx x)")


def test_possible_clone_of_clone_warning():
    diags = [d for d in diagnostics(THRICE + "Go k = (List.map (Thrice k) [λx x])\n"
                                             "main = (Go λx x)") if d.code == "W204"]
    [d] = diags
    assert d.label == "copied: `List.map` copies its 1st argument"
    assert codes(THRICE + "Go k = (List.map (Thrice k) [1])\nmain = (Go λx x)") == ["W204"]
    assert codes("Add k x = (+ x k)\nGo k = (List.map (Add k) [1])\nmain = (Go 1)") == []


def test_church_numerals_are_never_flagged():
    text = (ROOT / "examples" / "church.hvm").read_text()
    assert diagnostics(text) == []


# -- usage warnings ------------------------------------------------------------------------------

def test_unused_variables():
    [d] = diagnostics("F x y = x\nmain = (F 1 2)")
    assert (d.code, d.message, d.span.col) == ("W201", "unused variable `y`", 5)
    assert codes("F x _y = x\nmain = (F 1 2)") == []
    assert codes("F x * = x\nmain = (F 1 2)") == []
    assert codes("main = let x = 1; 2") == ["W201"]
    assert codes("main = λx λy x") == ["W201"]
    assert codes("data S = (C r)\nA s = match s { C: s.r }\nmain = (A (C 1))") == []


def test_unused_definitions():
    assert codes("Helper = 1\nmain = 2") == ["W202"]
    assert codes("Helper = 1\nmain = (+ Helper 1)") == []
    assert codes("A = B\nB = A\nmain = 2") == ["W202", "W202"]


def test_repeated_binds():
    [d] = diagnostics("(F x x) = x\nmain = (F 1 2)")
    assert d.code == "W203" and d.span.col == 6 and d.labels[0].span.col == 4
    assert codes("main = let (a, a) = (1, 2); a") == ["W203"]
    assert codes("(F x y) = (+ x y)\nmain = (F 1 2)") == []


# -- levels, explain, no numba -------------------------------------------------------------------

def test_levels_allow_warn_deny():
    w = Diagnostic("warning", "W201", "unused variable `x`")
    e = Diagnostic("error", "T001", "mismatched types")
    assert apply_levels([w, e], levels(["unused-variable"], [], [])) == [e]
    [denied, _] = apply_levels([w, e], levels([], [], ["warnings"]))
    assert denied.severity == "error"
    assert apply_levels([w], levels([], ["unused-variable"], ["warnings"])) == [w]
    with pytest.raises(UnknownKind):
        levels(["nope"], [], [])


def test_every_emitted_code_has_an_explanation():
    emitted = set()
    for path in (ROOT / "hvmlang").rglob("*.py"):
        emitted |= set(re.findall(r'"([ELTW][0-9]{3})"', path.read_text()))
    assert emitted - CODES.keys() == set()
    text = explain("t001")
    assert text.startswith("T001: mismatched types") and "This does not:" in text
    assert explain("X999") is None


SHADOWED = {"E101": "E011", "E204": "E015"}     # the parser reports these first in files


def _codes_of(code: str, text: str, tmp_path) -> set:
    if code.startswith("E09"):
        from hvmlang.netfmt import parse_book
        try:
            parse_book(text, "x.hvmc")
        except CompileError as e:
            return {d.code for d in e.diagnostics}
        return set()
    (tmp_path / "x.hvm").write_text(text)
    out, err = io.StringIO(), io.StringIO()
    run_command(["check", str(tmp_path / "x.hvm"), "--format", "json"]
                + (["-e", "start"] if code == "E108" else []), out, err)
    return {d["code"] for d in json.loads(err.getvalue() or "[]")}


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_examples(code, tmp_path):
    _, _, wrong, fixed = CODES[code]
    assert SHADOWED.get(code, code) in _codes_of(code, wrong, tmp_path)
    after = _codes_of(code, fixed, tmp_path)
    assert code not in after and not any(c[0] in "ELT" and c != "T010" for c in after)


def test_check_never_imports_numba(tmp_path):
    code = ("import sys\nfrom hvmlang.cli import run_command\n"
            f"status = run_command(['check', {str(ROOT / 'examples' / 'sort.hvm')!r}])\n"
            "assert status == 0 and 'numba' not in sys.modules, sorted(sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
