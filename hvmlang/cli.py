"""The `hvm-lang` command line: argument parsing and the subcommands of SPEC §5.

Exit status: 0 ok, 1 program errors, 2 usage errors, 3 runtime limits, 4 internal error,
130 interrupted. Results go to stdout, diagnostics to stderr.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from contextlib import nullcontext

from . import __version__
from .diagnostics import CompileError, Reporter, render
from .pipeline import Options, batch_gc
from .runtime import BACKENDS

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


def positive_int(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number `{text}`") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got `{text}`")
    return value


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
                   choices=list(BACKENDS), help="reducer")
    p.add_argument("-t", "--threads", type=positive_int, metavar="N",
                   help="threads of the cpu-parallel backend (default: every core)")
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
    check.add_argument("--types", action="store_true", help="print every definition's type")
    _common(check)
    explain = sub.add_parser("explain", help="explain an error or warning code, e.g. T001")
    explain.add_argument("code")
    for name, text in [("compile", "print the compiled interaction nets"),
                       ("desugar", "print the desugared definitions")]:
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("file")
        _common(cmd)
    sub.choices["compile"].add_argument("--dot", metavar="FILE",
                                        help="write a Graphviz picture of the nets to FILE "
                                             "(`-`: stdout) instead of the text")
    run_net = sub.add_parser("run-net", help="run a net file (the output of compile)")
    run_net.add_argument("file")
    run_net.add_argument("--format", choices=["human", "short", "json"], default="human")
    _runtime(run_net)
    repl = sub.add_parser("repl", help="interactive session (also plain `hvm-lang` on a terminal)")
    repl.add_argument("file", nargs="?", help="a file to load first")
    _runtime(repl)
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
        except UnicodeDecodeError as e:
            before = e.object[:e.start]
            line, col = before.count(b"\n") + 1, e.start - (before.rfind(b"\n") + 1) + 1
            raise UsageError(f"hvm-lang: error: `{path}` is not UTF-8 text: byte "
                             f"0x{e.object[e.start]:02x} at {path}:{line}:{col}") from None
        except OSError as e:
            raise UsageError(f"hvm-lang: error: cannot read `{path}`: {e}") from None

    def report(self, fmt: str = "human") -> None:
        """Print the collected diagnostics (if any) to stderr."""
        diags = self.reporter.diagnostics
        if diags:
            print(render(diags, fmt, self.err), file=self.err)

    def checked(self, path: str, notes: bool):
        """Parse, desugar and check a file: (core Book, CheckResult); CompileError on errors.

        Its diagnostics, with the -W/-A/-D levels applied, go to the session's reporter.
        """
        from .check import CheckOptions, UnknownKind, apply_levels, check, levels
        from .pipeline import desugar, parse
        try:
            code_levels = levels(self.args.allow, self.args.warn, self.args.deny)
        except UnknownKind as e:
            raise UsageError(f"hvm-lang: error: {e}") from None
        reporter = Reporter()
        try:
            program = parse(self.read(path), path)
            book = desugar(program, reporter, self.options())
            result = check(program, book, reporter, CheckOptions(notes=notes))
        except CompileError as e:
            reporter.diagnostics += [d for d in e.diagnostics if d not in reporter.diagnostics]
        diagnostics = apply_levels(reporter.diagnostics, code_levels)
        self.reporter.diagnostics += diagnostics
        if any(d.is_error for d in diagnostics):
            raise CompileError(diagnostics)
        return book, result

    def compile(self, path: str, checked: bool = False):
        """Source file -> net Book, with warnings reported (and checked first if `checked`)."""
        from .pipeline import compile_net, compile_source, lower, prune
        if checked:
            book = compile_net(lower(self.checked(path, notes=False)[0], self.reporter))
        else:
            book = compile_source(self.read(path), path, self.options(), self.reporter)
        if self.options().optimize.get("prune", True):
            book = prune(book)
        return book

    def execute(self, book) -> int:
        """Run a net Book with the runtime options and print outputs, result and stats."""
        from . import runtime
        from .pipeline import outputs
        from .readback import readback
        from .runtime.api import RunOptions
        a = self.args
        backend = runtime.get(a.backend)
        result = backend.run(book, RunOptions(max_rewrites=a.max_rewrites, mem_bytes=a.mem,
                                              timeout=a.timeout, threads=a.threads))
        for line in outputs(result, book, linear=a.linear):
            print(line, file=self.out)
        text, warnings = readback(result.net, book, linear=a.linear)
        for w in warnings:
            print(f"warning: {w}", file=self.err)
        print(text, file=self.out)
        if a.stats:
            print(result.stats.format(), file=self.out)
        return EXIT_OK

    def cmd_run(self) -> int:
        book = self.compile(self.args.file, checked=True)
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
        if self.args.dot is None:
            print(print_book(book), file=self.out)
        else:
            from .netview import to_dot
            self.write(self.args.dot, to_dot(book))
        return EXIT_OK

    def write(self, path: str, text: str) -> None:
        """Write `text` to the file `path` (`-`: stdout) or raise UsageError."""
        if path == "-":
            print(text, file=self.out, end="")
            return
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise UsageError(f"hvm-lang: error: cannot write `{path}`: {e}") from None

    def cmd_repl(self) -> int:
        from .repl_shell import main
        from .repl_state import Settings
        a = self.args
        return main(a.file, Settings(backend=a.backend, stats=a.stats, linear=a.linear,
                                     max_rewrites=a.max_rewrites, timeout=a.timeout, mem=a.mem,
                                     threads=a.threads))

    def cmd_desugar(self) -> int:
        from .pipeline import front
        from .pretty import book as print_book
        path = self.args.file
        book = front(self.read(path), path, self.options(), self.reporter)
        self.report(self.args.format)
        print(print_book(book), file=self.out)
        return EXIT_OK

    def cmd_check(self) -> int:
        status = EXIT_OK
        for path in self.args.files:
            try:
                _, result = self.checked(path, notes=True)
            except CompileError:
                status = EXIT_PROGRAM
                continue
            if self.args.types:
                for name, text in result.types.items():
                    print(f"{name} : {text}", file=self.out)
        self.report(self.args.format)
        return status

    def cmd_explain(self) -> int:
        from .check.explain import explain
        text = explain(self.args.code)
        if text is None:
            raise UsageError(f"hvm-lang: error: no explanation for `{self.args.code}`; codes "
                             "look like E201, T001, L003 or W201")
        print(text, file=self.out)
        return EXIT_OK


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Parse a command line; program arguments of `run` may come after its options."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if a.startswith("-") or args.command != "run"]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if extra:
        args.args += extra
    return args


def run_command(argv: list[str], out=sys.stdout, err=sys.stderr) -> int:
    """Run one command line and return its exit status (never raises)."""
    from .runtime.api import BackendUnavailable, Interrupted, RuntimeLimit
    try:
        args = parse_arguments(argv)
        if args.command is None and sys.stdin.isatty():
            args = parse_arguments(["repl"])
        elif args.command is None:
            print(build_parser().format_help(), file=out, end="")
            return EXIT_OK
        session = Session(args, out, err)
        with batch_gc() if args.command != "repl" else nullcontext():
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
    except RecursionError:       # past deep.RECURSION_LIMIT: millions of levels of nesting
        print("error: expression nested too deeply: the program nests terms more than about a "
              "million levels deep; split it into smaller definitions", file=err)
        return EXIT_PROGRAM
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
