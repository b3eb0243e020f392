"""Resource limits and internal errors at the command line.

`-m`, `-r` and `--timeout` each end a run with exit 3 and a one-line reason on stderr, on every
backend; a bug inside a pass prints "internal error" with a report hint and exit 4, and a
traceback only with HVMLANG_DEBUG=1.
"""
import io

import pytest

from hvmlang import cli
from hvmlang.cli import run_command

LOOP = "Loop n = (Loop (+ n 1))\nmain = (Loop 0)\n"
GROW = "Grow n = match n { 0: [0]; 1+p: (List.cons p (Grow (+ n 1))) }\nmain = (Grow 1)\n"
BACKENDS = ["reference", "cpu"]

LIMITS = [
    (LOOP, ["-r", "20000"], "rewrite limit reached"),
    (LOOP, ["--timeout", "0.5"], "time limit reached"),
    (GROW, ["-m", "1m"], "out of memory"),
]


def run_file(argv, tmp_path, text):
    path = tmp_path / "prog.hvm"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    status = run_command([argv[0], str(path)] + argv[1:], out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text,flags,reason", LIMITS, ids=["rewrites", "timeout", "memory"])
def test_limit_ends_run(backend, text, flags, reason, tmp_path):
    status, out, err = run_file(["run", "-b", backend] + flags, tmp_path, text)
    assert status == cli.EXIT_LIMIT
    assert err.startswith("error: " + reason)
    assert err.count("\n") == 1, err
    assert out == ""


def boom(*args, **kwargs):
    raise ZeroDivisionError("a planted bug")


@pytest.mark.parametrize("target", ["hvmlang.linearize.linearize", "hvmlang.check.check",
                                    "hvmlang.to_net.book_to_nets"])
def test_internal_error(target, tmp_path, monkeypatch):
    monkeypatch.setattr(target, boom)
    monkeypatch.delenv("HVMLANG_DEBUG", raising=False)
    status, _, err = run_file(["run", "-b", "reference"], tmp_path, "main = (+ 1 2)\n")
    assert status == cli.EXIT_INTERNAL
    assert err.startswith("internal error: ZeroDivisionError: a planted bug")
    assert "HVMLANG_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("HVMLANG_DEBUG", "1")
    status, _, err = run_file(["run", "-b", "reference"], tmp_path, "main = (+ 1 2)\n")
    assert status == cli.EXIT_INTERNAL and "Traceback" in err and "a planted bug" in err


def test_limits_are_not_hit_by_normal_programs(tmp_path):
    status, out, err = run_file(["run", "-b", "reference", "-r", "100000", "--timeout", "30",
                            "-m", "64m"], tmp_path, "main = (+ 1 2)\n")
    assert (status, out, err) == (0, "3\n", "")


def test_nesting_past_the_recursion_limit_is_a_program_error(tmp_path, monkeypatch):
    from hvmlang import deep
    monkeypatch.setattr(deep, "RECURSION_LIMIT", 2000)
    text = "main = " + "(+ 1 " * 3000 + "0" + ")" * 3000 + "\n"
    status, out, err = run_file(["check"], tmp_path, text)
    assert status == cli.EXIT_PROGRAM and out == ""
    assert err.startswith("error: expression nested too deeply") and "Traceback" not in err
