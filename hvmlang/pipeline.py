"""The whole compiler, one pass per line, in order: source text -> core -> net -> result.

The CLI and the REPL both call these functions and can stop after any stage. Each pass's own
module docstring states its input and output invariants (docs/design.md has the overview).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import ast, core, net
from .diagnostics import Reporter


@dataclass
class Options:
    """Compiler options shared by every command."""
    entry: str | None = None          # -e NAME; None: main or Main
    args: list = field(default_factory=list)   # CLI arguments (source text) applied to main
    optimize: dict = field(default_factory=dict)   # -O name / -O no-name


YOUNG_GC_THRESHOLD = 100_000   # allocations between two young collections in `batch_gc`
NO_FULL_GC = 1_000_000_000     # a generation-2 threshold never reached


@contextmanager
def batch_gc():
    """Collector settings for one batch command (`hvm-lang run`, `check`, ..): no full collections.

    A compile keeps every node of its input alive; CPython's full collections walk all live
    objects, ever more often on a growing heap, which made compile time grow faster than the
    input (5.3x per 4x for a 2^20-element list). The passes create no reference cycles, so only
    young collections (every YOUNG_GC_THRESHOLD allocations) run; settings are restored after.
    """
    saved = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, 50, NO_FULL_GC)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def parse(text: str, filename: str) -> ast.Program:
    """Stage 1: source text -> surface AST (raises CompileError on syntax errors)."""
    from .parse import parse_program
    return parse_program(text, filename)


def desugar(program: ast.Program, reporter: Reporter, options: Options) -> core.Book:
    """Stage 2: surface AST (+ prelude) -> desugared core Book with Match/Switch/Ctr."""
    from .desugar import desugar as run_desugar
    from .parse import parse_term
    args = [parse_term(a, "<argument>") for a in options.args]
    return run_desugar(program, reporter, entry=options.entry, args=args)


def checked(program: ast.Program, reporter: Reporter, options: Options, notes: bool = True):
    """Stages 2-3: desugar and type-check -> (core Book, CheckResult); CompileError on errors."""
    from .check import CheckOptions, check
    book = desugar(program, reporter, options)
    result = check(program, book, reporter, CheckOptions(notes=notes))
    reporter.check()
    return book, result


def lower(book: core.Book, reporter: Reporter) -> core.Book:
    """Stages 3-5: desugared core -> affine, floated core ready for net compilation."""
    from .encode import encode
    from .floating import float_combinators
    from .linearize import linearize
    book = encode(book)                  # match linearization + tagged-Scott ADTs
    book = linearize(book, reporter)     # auto dup / erase, local labels
    book = float_combinators(book)       # closed sub-terms -> lazy REF definitions
    return book


def compile_net(book: core.Book) -> net.Book:
    """Stage 6: affine core Book -> a Book of interaction nets."""
    from .to_net import book_to_nets
    return book_to_nets(book)


def prune(book: net.Book) -> net.Book:
    """Optional pass `prune`: keep only the definitions reachable from the entry point."""
    seen, stack = {book.entry}, [book.entry]
    while stack:
        item = book.nets[stack.pop()]
        for tree in [item.root] + [t for pair in item.redexes for t in pair]:
            for t in net.walk(tree):
                if isinstance(t, net.Ref) and t.name in book.nets and t.name not in seen:
                    seen.add(t.name)
                    stack.append(t.name)
    book.nets = {name: n for name, n in book.nets.items() if name in seen}
    return book


def front(text: str, filename: str, options: Options, reporter: Reporter) -> core.Book:
    """Parse and desugar: the stages `hvm-lang desugar` and the checker need."""
    return desugar(parse(text, filename), reporter, options)


def compile_source(text: str, filename: str, options: Options,
                   reporter: Reporter) -> net.Book:
    """Every compile stage: source text -> net Book."""
    return compile_net(lower(front(text, filename, options, reporter), reporter))


def outputs(result, book: net.Book, linear: bool = False) -> list[str]:
    """The lines that HVM.log (a term) and HVM.print (raw text) wrote during a run, in order."""
    from .readback import readback, readback_string
    lines = []
    for sink, tree in result.outputs:
        text = readback_string(tree, book) if sink == net.PRINT_SINK else None
        lines.append(text if text is not None else readback(tree, book, linear=linear)[0])
    return lines
