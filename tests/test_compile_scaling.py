"""Large inputs: the collector settings of batch commands, and compiles that leave no cycles."""
import gc
import sys
from pathlib import Path

import pytest

from hvmlang.check import CheckOptions, check
from hvmlang.cli import run_command
from hvmlang.diagnostics import Diagnostic, Reporter, Sources, Span, render_human
from hvmlang.pipeline import NO_FULL_GC, Options, batch_gc, compile_net, desugar, lower, parse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from compile_scaling import defs_program, list_program  # noqa: E402


def test_batch_gc_turns_off_full_collections_and_restores_the_settings():
    before = gc.get_threshold()
    with pytest.raises(ValueError):
        with batch_gc():
            assert gc.get_threshold()[2] == NO_FULL_GC
            raise ValueError
    assert gc.get_threshold() == before


def test_cli_restores_the_collector(tmp_path):
    path = tmp_path / "a.hvm"
    path.write_text("main = [1, 2, 3]\n")
    before = gc.get_threshold()
    assert run_command(["check", str(path)]) == 0
    assert gc.get_threshold() == before


@pytest.mark.parametrize("text", [list_program(10), defs_program(60)])
def test_compiling_makes_no_reference_cycles(text):
    """batch_gc skips full collections because the passes leave no cyclic garbage behind."""
    parse("main = 1", "warm.hvm")                 # the grammar's one-time tables make cycles
    gc.collect()
    gc.disable()
    try:
        reporter = Reporter()
        program = parse(text, "big.hvm")
        book = desugar(program, reporter, Options())
        check(program, book, reporter, CheckOptions(notes=False))
        compile_net(lower(book, reporter))
        del program, book
        assert gc.collect() < 100
    finally:
        gc.enable()


def test_a_warning_on_a_huge_line_shows_a_window_with_tabs_as_one_column():
    sources = Sources()
    line = "\t".join(f"x{i}" for i in range(50_000))
    sources.add("wide.hvm", line)
    col = line.index("x40000") + 1
    d = Diagnostic("warning", "W201", "unused variable `x40000`",
                   Span("wide.hvm", 1, col, 1, col + 6), label="never used")
    drawn = render_human(d, sources).splitlines()
    text, marks = drawn[3], drawn[4]
    assert "\t" not in text and text.startswith("1 | ...") and len(text) < 200
    assert text[marks.index("^"):].startswith("x40000")
