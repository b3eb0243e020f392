"""The `hvm-lang` command line: argument parsing and the subcommands of SPEC §5.

Exit status: 0 ok, 1 program errors, 2 usage errors, 3 runtime limits, 4 internal error,
130 interrupted. Results go to stdout, diagnostics to stderr.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import __version__
from .diagnostics import CompileError, Reporter, render
from .pipeline import Options

EXIT_OK, EXIT_PROGRAM, EXIT_USAGE, EXIT_LIMIT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130

SIZE_SUFFIXES = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """`512m`, `1g`, `100k` or plain bytes -> bytes (argparse type)."""
    t = text.strip().lower().removesuffix("b")
    unit = t[-1:] if t[-1:] in SIZE_SUFFIXES else ""
    try:
        value = float(t[: len(t) - len(unit)])
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid size `{text}` (use e.g. 512m or 2g)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got `{text}`")
    return int(value * SIZE_SUFFIXES[unit])


class UsageError(Exception):
    """Bad command line (exit status 2)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError instead of exiting."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message}")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-e", "--entrypoint", metavar="NAME", help="definition to run (default: main)")
    p.add_argument("-O", dest="opts", action="append", default=[], metavar="PASS",
                   help="enable (-O name) or disable (-O no-name) an optional pass: prune")
    p.add_argument("-W", dest="warn", action="append", default=[], metavar="NAME",
                   help="report warning kind NAME as a warning")
    p.add_argument("-D", dest="deny", action="append", default=[], metavar="NAME",
                   help="report warning kind NAME as an error")
    p.add_argument("-A", dest="allow", action="append", default=[], metavar="NAME",
                   help="silence warning kind NAME")
    p.add_argument("--format", choices=["human", "short", "json"], default="human",
                   help="diagnostics format")


def _runtime(p: argparse.ArgumentParser) -> None:
    p.add_argument("-s", "--stats", action="store_true", help="print interaction statistics")
    p.add_argument("-m", "--mem", type=parse_size, default=parse_size("1g"), metavar="SIZE",
                   help="heap limit, e.g. 512m, 4g (default 1g)")
    p.add_argument("-r", "--max-rewrites", type=int, metavar="N", help="stop after N interactions")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="stop after SECONDS")
    p.add_argument("-b", "--backend", default="cpu",
                   choices=["reference", "cpu", "cpu-parallel", "cuda"], help="reducer")
    p.add_argument("-l", "--linear", action="store_true", help="show explicit dups in the result")


def build_parser() -> Parser:
    """The argument parser with every subcommand."""
    root = Parser(prog="hvm-lang", description="Run, check and explore hvm-lang programs.")
    root.add_argument("--version", action="version", version=f"hvm-lang {__version__}")
    sub = root.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    run = sub.add_parser("run", help="compile and run a program")
    run.add_argument("file")
    run.add_argument("args", nargs="*", help="arguments applied to main (terms, e.g. 3 or \"hi\")")
    _common(run)
    _runtime(run)
    check = sub.add_parser("check", help="report errors and warnings without running")
    check.add_argument("files", nargs="+")
    _common(check)
    for name, text in [("compile", "print the compiled interaction nets"),
                       ("desugar", "print the desugared definitions")]:
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("file")
        _common(cmd)
    run_net = sub.add_parser("run-net", help="run a net file (the output of compile)")
    run_net.add_argument("file")
    run_net.add_argument("--format", choices=["human", "short", "json"], default="human")
    _runtime(run_net)
    return root


# ---------------------------------------------------------------------------------------------
# Subcommands

class Session:
    """One CLI invocation: parsed arguments, output streams and the diagnostics reporter."""

    def __init__(self, args, out, err):
        self.args, self.out, self.err = args, out, err
        self.reporter = Reporter()

    def options(self) -> Options:
        """Compiler options from the command line."""
        optimize = {}
        for o in self.args.opts:
            on = not o.startswith("no-")
            optimize[o.removeprefix("no-")] = on
        return Options(entry=self.args.entrypoint, args=list(getattr(self.args, "args", [])),
                       optimize=optimize)

    def read(self, path: str) -> str:
        """Read a source file or raise UsageError."""
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            raise UsageError(f"hvm-lang: error: no such file `{path}`") from None
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"hvm-lang: error: cannot read `{path}`: {e}") from None

    def report(self, fmt: str = "human") -> None:
        """Print the collected diagnostics (if any) to stderr."""
        diags = self.reporter.diagnostics
        if diags:
            print(render(diags, fmt, self.err), file=self.err)

    def compile(self, path: str):
        """Source file -> net Book, with warnings reported."""
        from .pipeline import compile_source, prune
        book = compile_source(self.read(path), path, self.options(), self.reporter)
        if self.options().optimize.get("prune", True):
            book = prune(book)
        return book

    def execute(self, book) -> int:
        """Run a net Book with the runtime options and print outputs, result and stats."""
        from . import runtime
        from .readback import readback, readback_string
        from .runtime.api import RunOptions
        a = self.args
        backend = runtime.get(a.backend)
        result = backend.run(book, RunOptions(max_rewrites=a.max_rewrites, mem_bytes=a.mem,
                                              timeout=a.timeout))
        for sink, tree in result.outputs:
            if sink == "HVM.print_sink":
                text = readback_string(tree, book)
                if text is None:
                    text, _ = readback(tree, book, linear=a.linear)
                print(text, file=self.out)
            else:
                print(readback(tree, book, linear=a.linear)[0], file=self.out)
        text, warnings = readback(result.net, book, linear=a.linear)
        for w in warnings:
            print(f"warning: {w}", file=self.err)
        print(text, file=self.out)
        if a.stats:
            print(result.stats.format(), file=self.out)
        return EXIT_OK

    def cmd_run(self) -> int:
        book = self.compile(self.args.file)
        self.report(self.args.format)
        return self.execute(book)

    def cmd_run_net(self) -> int:
        from .netfmt import parse_book
        book = parse_book(self.read(self.args.file), self.args.file)
        return self.execute(book)

    def cmd_compile(self) -> int:
        from .netfmt import print_book
        book = self.compile(self.args.file)
        self.report(self.args.format)
        print(print_book(book), file=self.out)
        return EXIT_OK

    def cmd_desugar(self) -> int:
        from .pipeline import front
        from .pretty import book as print_book
        path = self.args.file
        book = front(self.read(path), path, self.options(), self.reporter)
        self.report(self.args.format)
        print(print_book(book), file=self.out)
        return EXIT_OK

    def cmd_check(self) -> int:
        from .pipeline import front
        status = EXIT_OK
        for path in self.args.files:
            try:
                front(self.read(path), path, self.options(), self.reporter)
            except CompileError:
                status = EXIT_PROGRAM
        self.report(self.args.format)
        return status


def run_command(argv: list[str], out=sys.stdout, err=sys.stderr) -> int:
    """Run one command line and return its exit status (never raises)."""
    from .runtime.api import BackendUnavailable, Interrupted, RuntimeLimit
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            print(build_parser().format_help(), file=out, end="")
            return EXIT_OK
        session = Session(args, out, err)
        return getattr(session, "cmd_" + args.command.replace("-", "_"))()
    except UsageError as e:
        print(e, file=err)
        return EXIT_USAGE
    except CompileError as e:
        fmt = getattr(locals().get("args"), "format", "human")
        diags = session.reporter.diagnostics if "session" in locals() else []
        extra = [d for d in e.diagnostics if d not in diags]
        print(render(diags + extra, fmt, err), file=err)
        return EXIT_PROGRAM
    except RuntimeLimit as e:
        print(f"error: {e}", file=err)
        return EXIT_LIMIT
    except BackendUnavailable as e:
        print(f"error: {e}", file=err)
        return EXIT_LIMIT
    except (Interrupted, KeyboardInterrupt):
        print("interrupted", file=err)
        return EXIT_INTERRUPTED
    except SystemExit as e:      # argparse --help / --version
        return e.code if isinstance(e.code, int) else EXIT_OK
    except Exception:            # a bug in hvm-lang itself
        if os.environ.get("HVMLANG_DEBUG") == "1":
            traceback.print_exc(file=err)
        else:
            kind = traceback.format_exc().strip().splitlines()[-1]
            print(f"internal error: {kind}\nThis is a bug in hvm-lang; rerun with HVMLANG_DEBUG=1 "
                  "and report the output.", file=err)
        return EXIT_INTERNAL


def main() -> None:
    """Console-script entry point."""
    sys.exit(run_command(sys.argv[1:]))
