"""The REPL: Session.handle for every command and error path, the shell's pieces, one run
through prompt_toolkit's pipe input, and interrupted evaluations."""
import io
import sys

import pytest

from hvmlang import runtime
from hvmlang.cli import run_command
from hvmlang.highlight import classify, paint
from hvmlang.netfmt import parse_book
from hvmlang.netview import census, to_dot
from hvmlang.repl import Session
from hvmlang.repl_commands import lookup
from hvmlang.repl_shell import (ReplCompleter, SourceLexer, loop, needs_more, piped,
                                prompt_session)
from hvmlang.repl_state import ReplError, Settings
from hvmlang.runtime.api import Interrupted, RunResult, Stats


@pytest.fixture
def session():
    return Session(Settings(backend="reference"))


def run_all(session, *lines):
    """Handle each line; the output of the last one."""
    out = ""
    for line in lines:
        out = session.handle(line)
    return out


# ---- definitions and evaluation --------------------------------------------------------------

def test_define_and_evaluate(session):
    assert session.handle("Double x = (* x 2)") == "defined `Double` : Num -> Num"
    assert session.handle("(Double 21)") == "42"
    assert session.handle("(+ it 1)") == "43"
    assert session.handle("it") == "43"
    assert "bound to the result" in session.handle(":info it")


def test_redefinition_rechecks_dependents(session):
    run_all(session, "Double x = (* x 2)", "Quad x = (Double (Double x))")
    out = session.handle("Double x = (+ x x)")
    assert out == "redefined `Double` : Num -> Num\nrechecked `Quad` : Num -> Num"
    assert session.handle("(Quad 3)") == "12"


def test_bad_redefinition_keeps_the_good_one(session):
    run_all(session, "Double x = (* x 2)", "Quad x = (Double (Double x))")
    out = session.handle("Double = 3")
    assert "error[T003]" in out and "<repl-2>:1:11" in out     # points into Quad, as typed
    assert "(`Double` kept its previous definition)" in out
    assert session.handle("(Quad 3)") == "12"


def test_multi_rule_definition_and_data(session):
    out = session.handle("Fib 0 = 0\nFib 1 = 1\nFib 2+n = (+ (Fib n) (Fib (+ n 1)))")
    assert out == "defined `Fib` : Num -> Num"
    assert session.handle("(Fib 10)") == "55"
    assert session.handle("data Tree = (Node l r) | (Leaf v)") == \
        "defined data type `Tree` (Node, Leaf)"
    run_all(session, "Sum (Leaf v) = v\nSum (Node l r) = (+ (Sum l) (Sum r))")
    assert session.handle("(Sum (Node (Leaf 1) (Leaf 2)))") == "3"
    assert session.handle("data Tree = (Node l r) | (Leaf v) | Empty").startswith(
        "error[E201]")      # Sum would stop being exhaustive: the old Tree stays
    assert session.handle("(Sum (Leaf 4))") == "4"


def test_it_is_dropped_when_it_stops_checking(session):
    run_all(session, "data T = A | B", "A")
    assert session.handle("data T = C | D") == ("redefined data type `T` (C, D)\n"
                                                "`it` is unbound: the last result no longer checks")
    assert "unbound variable `it`" in session.handle("it")


def test_signatures(session):
    assert session.handle("Inc : Num -> Num\nInc x = (+ x 1)") == "defined `Inc` : Num -> Num"
    assert session.handle("Inc : Num -> Num") == "new signature for `Inc` : Num -> Num"
    assert "error[T007]" in session.handle("Nope : Num")
    out = session.handle("Inc : String -> Num")
    assert "error[T001]" in out and "kept its previous definition" in out
    assert session.handle("(Inc 1)") == "2"


def test_outputs_warnings_and_values(session):
    assert session.handle("(HVM.log 5)") == "5\n5"
    assert session.handle('(HVM.print "hi" 3)') == "hi\n3"
    out = session.handle("λx 1")
    assert out.startswith("warning[W201]: unused variable `x`") and out.endswith("λ* 1")
    assert session.handle("[1, 2]") == "[1, 2]"
    assert session.handle("(List.length it)") == "2"


def test_reserved_name(session):
    assert session.handle("repl.expr = 1").startswith("error: `repl.expr` is reserved")


# ---- errors never end the session -------------------------------------------------------------

def test_syntax_error_has_a_location(session):
    out = session.handle("Foo = )")
    assert "error[E008]" in out and "--> <repl-1>:1:7" in out
    assert "error[E010]" in session.handle("(+ 1 2")
    assert session.handle("(+ 1 2)") == "3"


def test_name_and_type_errors(session):
    session.handle("Double x = (* x 2)")
    out = session.handle("(Doubl 2)")
    assert "unbound variable `Doubl`" in out and "`Double`" in out
    assert 'expected `Num`, found `String`' in session.handle('(Double "a")')
    assert session.handle("(Double 2)") == "4"


def test_limits(session):
    run_all(session, "Loop x = (Loop x)", ":set max-rewrites 500")
    assert session.handle("(Loop 0)") == ("error: rewrite limit reached: more than 500 "
                                          "interactions (raise it with `:set max-rewrites N`)")
    run_all(session, ":unset max-rewrites", ":set timeout 0.2")
    assert session.handle("(Loop 0)").startswith("error: time limit reached")
    run_all(session, ":unset timeout", ":set mem 64k",
            "Big 0 = List.nil\nBig 1+p = (List.cons p (Big p))")
    assert session.handle("(List.length (Big 3000))").startswith("error: out of memory")
    session.handle(":unset mem")
    assert session.handle("(List.length (Big 3000))") == "3000"


def _interrupting(book, options):
    raise Interrupted("interrupted")


def test_interrupted_reduction_leaves_the_session_usable(session, monkeypatch):
    monkeypatch.setitem(runtime.BACKENDS, "stub", __name__)
    monkeypatch.setattr(sys.modules[__name__], "run", _interrupting, raising=False)
    run_all(session, "Double x = (* x 2)", "(Double 1)", ":set backend stub")
    assert session.handle("(Double 21)") == "interrupted"
    assert session.handle("it") == "interrupted"          # `it` (= 2) is kept
    session.handle(":set backend reference")
    assert session.handle("it") == "2"
    assert session.handle("(Double 21)") == "42"


def test_keyboard_interrupt_anywhere_is_caught(session, monkeypatch):
    def stop(book, options):
        raise KeyboardInterrupt
    monkeypatch.setitem(runtime.BACKENDS, "stub", __name__)
    monkeypatch.setattr(sys.modules[__name__], "run", stop, raising=False)
    session.handle(":set backend stub")
    assert session.handle("1") == "interrupted"


def test_internal_errors_are_reported(session, monkeypatch):
    def broken(book, options):
        raise ValueError("boom")
    monkeypatch.setitem(runtime.BACKENDS, "stub", __name__)
    monkeypatch.setattr(sys.modules[__name__], "run", broken, raising=False)
    session.handle(":set backend stub")
    assert session.handle("1").startswith("internal error: ValueError: boom")


# ---- commands ---------------------------------------------------------------------------------

def test_type(session):
    session.handle("Double x = (* x 2)")
    assert session.handle(":type Double") == "Double : Num -> Num"
    assert session.handle(":t (Double 2)") == "(Double 2) : Num"
    assert session.handle(":ty List.cons") == "List.cons : a -> (List a) -> (List a)"
    assert "not type-checked" in session.handle(":t {1 2}")
    assert session.handle(":type") == "error: :type needs an expression or a name"


def test_info(session):
    run_all(session, "data T = A | (B x)", "F : Num -> Num\nF x = x")
    assert session.handle(":info F") == ("definition `F` : Num -> Num\n  defined at <repl-2>:2:1"
                                         "\n  F : Num -> Num\n  F x = x")
    lines = session.handle(":i T").splitlines()
    assert lines[:3] == ["data type `T`, defined at <repl-1>:1:1", "  data T = A | (B x)",
                         "  A : T"]
    assert lines[3].startswith("  B : ") and lines[3].endswith(" -> T")
    assert session.handle(":i B").startswith("constructor `B` of data type `T` : ")
    assert session.handle(":i List").startswith("built-in data type `List`")
    assert "defined in the prelude" in session.handle(":i List.map")
    assert session.handle(":i Fx") == "error: `Fx` is not defined; a similar name exists: `F`"
    assert session.handle(":i") == "error: `:info` needs one name"


def test_browse(session):
    assert session.handle(":browse").startswith("no definitions yet")
    run_all(session, "data T = A | B", "F x = x")
    assert session.handle(":b") == "data T = A | B\nF : a -> a"


def test_load_and_reload(session, tmp_path):
    path = tmp_path / "prog.hvm"
    path.write_text("Double x = (* x 2)\nmain = (Double 4)\n")
    session.handle("Double x = x")
    out = session.handle(f":load {path}")
    assert "`Double` typed at the prompt is replaced" in out
    assert out.endswith("2 definitions, 0 data types")
    assert session.handle("main") == "8"
    path.write_text("Double x = (* x 3)\nmain = (Double 4)\n")
    assert session.handle(":r").startswith("loaded")
    assert session.handle("main") == "12"
    path.write_text("Double x = (* x 3\n")
    assert session.handle(":reload").startswith("error[E0")
    assert session.handle("main") == "12"
    assert session.handle(":l /no/such.hvm") == "error: no such file `/no/such.hvm`"
    assert session.handle(":load") == "error: `:load` needs a file name"


def test_reload_without_file(session):
    assert session.handle(":reload") == "error: no file loaded yet; use `:load FILE`"


def test_check(session):
    assert session.handle(":check") == "ok: 0 definitions, no errors or warnings"
    session.handle("F x y = x")
    assert "warning[W201]: unused variable `y`" in session.handle(":check")


def test_desugar(session):
    session.handle("Double x = (* x 2)")
    assert session.handle(":desugar Double") == "Double = λx (* x 2)"
    assert session.handle(":d [1]") == "(List.cons 1 List.nil)"


def test_net(session, tmp_path):
    session.handle("Double x = (* x 2)")
    assert session.handle(":net") == "error: `:net` needs an expression or a name"
    out = session.handle(":net (Double 21)")
    assert "@repl.expr = a\n  & @Double ~ (#21 a)" in out
    assert out.endswith("// 2 definitions · 6 nodes (CON 2 OP 1 REF 1 NUM 2) · 1 redex")
    assert session.handle(":n Double").endswith("1 definition · 3 nodes (CON 1 OP 1 NUM 1) · "
                                                "0 redexes")
    session.handle("(Double 1)")
    assert "@Double ~ (#1 a)" in session.handle(":net")
    dot = tmp_path / "net.dot"
    assert session.handle(f":net --dot {dot} Double").startswith(f"wrote {dot}: 1 definition")
    assert dot.read_text().startswith("digraph net {")
    assert session.handle(":net --dot").startswith("error: `:net --dot` needs a file name")


def test_stats_and_settings(session):
    assert session.handle(":stats") == "no evaluation yet"
    session.handle("(+ 1 2)")
    lines = session.handle(":stats").splitlines()
    assert lines[0].startswith("RWTS   : ") and "- OPER : 1" in lines
    assert lines[-2:] == ["JIT    : 0.000 s", "BACKEND: reference"]
    run_all(session, ":set +s", ":set +t")
    out = session.handle("(+ 1 2)").splitlines()
    assert out[:2] == ["3", "it : Num"] and out[2].startswith("(2 rewrites, ")
    run_all(session, ":unset +s", ":unset +t")
    assert session.handle("(+ 1 2)") == "3"
    shown = session.handle(":set")
    assert "backend       reference" in shown and "mem           1g" in shown
    assert session.handle(":set backend nope").startswith("error: unknown backend `nope`")
    assert session.handle(":set max-rewrites x").startswith("error: expected a number")
    assert session.handle(":set timeout -1") == "error: the timeout must be positive"
    assert session.handle(":set mem lots").startswith("error: invalid size `lots`")
    assert session.handle(":set +s 3") == "error: `+s` takes no value"
    assert session.handle(":set timeout").startswith("error: `:set timeout` needs a value")
    assert session.handle(":set foo").startswith("error: unknown setting `foo`")


def test_linear_readback_setting(session):
    session.handle(":set +l")
    assert session.settings.linear
    assert session.handle("λf λx (f (f x))").startswith("λa let")


def test_help_quit_and_prefixes(session):
    assert ":type, :t EXPR|NAME" in session.handle(":help")
    assert session.handle(":?") == session.handle(":help")
    assert session.handle(":s") == "error: ambiguous command `:s`: it could be :stats, :set"
    assert session.handle(":zz") == "error: unknown command `:zz`; `:help` lists the commands"
    assert lookup("ty").name == "type" and lookup("b").name == "browse"
    with pytest.raises(ReplError):
        lookup("")
    assert session.handle(":q") == "" and session.done


# ---- the shell's pieces -----------------------------------------------------------------------

def test_needs_more():
    assert needs_more("(+ 1")
    assert needs_more("Fib 0 = 0")                     # patterns: more rules may follow
    assert needs_more("Fib 0 = 0\nFib 1+p = p")
    assert not needs_more("Fib 0 = 0\nFib 1+p = p\n")  # an empty line ends it
    assert needs_more("F : Num -> Num")                # a signature waits for its rules
    assert not needs_more("Double x = (* x 2)")
    assert not needs_more("Fst (a, b) = a")
    assert needs_more("IsNil Nil = 1", {"Nil"})
    assert not needs_more("(Double 21)") and not needs_more(":t (") and not needs_more("Foo = )")


def test_completer_and_lexer(session):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    session.handle("data Shape = (Shape.circle r) | Shape.none")

    def complete(text):
        return [c.text for c in ReplCompleter(session).get_completions(
            Document(text), CompleteEvent(completion_requested=True))]
    assert complete(":ty") == [":type"]
    assert complete("(Shape.c") == ["Shape.circle"]
    assert "List.map" in complete("(List.m")
    assert complete(":set max") == ["max-rewrites"]
    lines = SourceLexer(session).lex_document(Document("(Shape.circle 1)\n// hi"))
    assert ("class:constructor", "Shape.circle") in lines(0)
    assert lines(1) == [("class:comment", "// hi")]


def test_highlight_classes():
    pieces = classify("let x = λy match y { 0: \"a\"; 1+p: #L{p 2} } // c", {})
    kinds = {text: cls for cls, text in pieces}
    assert kinds["let"] == "keyword" and kinds["λ"] == "lambda" and kinds['"a"'] == "string"
    assert kinds["1+p"] == "number" and kinds["#L"] == "label" and kinds["// c"] == "comment"
    assert "".join(text for _, text in pieces).startswith("let x = λy")
    assert paint("F", {"F": "definition"}) == "\x1b[34mF\x1b[0m"


def test_netview():
    book = parse_book("@main = a\n  & @Double ~ (#21 a)\n\n@Double = (<* #2 a> a)\n", "x")
    assert census(book) == "2 definitions · 6 nodes (CON 2 OP 1 REF 1 NUM 2) · 1 redex"
    dot = to_dot(book)
    assert dot.count("subgraph cluster_") == 2 and 'label="OP *"' in dot
    assert dot.count("color=red") == 2 and dot.count("style=dashed") == 2


def test_pipe_input_end_to_end(tmp_path):
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    session = Session(Settings(backend="reference"))
    shown = []
    with create_pipe_input() as pipe:
        pipe.send_text("Double x = (* x 2)\r(Double 21)\rFib 0 = 0\rFib 1+p = p\r\r"
                       "(Fib 7)\r(+ 1\r 2)\r:q\r")
        prompt = prompt_session(session, input=pipe, output=DummyOutput(),
                                history=InMemoryHistory())
        loop(session, prompt, shown.append)
    assert shown == ["defined `Double` : Num -> Num", "42", "defined `Fib` : Num -> Num",
                     "6", "3"]


# ---- the command line ------------------------------------------------------------------------

def test_cli_compile_dot_and_help(tmp_path):
    src = tmp_path / "p.hvm"
    src.write_text("Double x = (* x 2)\nmain = (Double 21)\n")
    dot = tmp_path / "p.dot"
    assert run_command(["compile", "--dot", str(dot), str(src)]) == 0
    assert dot.read_text().startswith("digraph net {")
    out = io.StringIO()
    assert run_command([], out=out) == 0          # stdin is not a terminal under pytest: help
    assert "COMMAND" in out.getvalue()


def test_cli_runtime_options_reach_the_session(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(":set\n"))
    assert run_command(["repl", "-b", "cpu-parallel", "-t", "3", "-m", "64m"]) == 0
    settings = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()
                if line.strip()}
    assert (settings["backend"], settings["threads"], settings["mem"]) == ("cpu-parallel", "3",
                                                                          "64m")


def test_cpu_backend_says_it_compiles_first(monkeypatch):
    from hvmlang import repl
    monkeypatch.setattr(repl, "_warm", set())
    notes = []
    session = Session(Settings(backend="cpu"), notify=notes.append)
    assert run_all(session, "Double x = (* x 2)", "(Double 21)") == "42"
    assert notes == ["compiling the reducer (first use)…"]
    assert session.handle("(Double 2)") == "4" and len(notes) == 1


def test_stub_backend_result_is_read_back(session, monkeypatch):
    from hvmlang import net
    monkeypatch.setitem(runtime.BACKENDS, "stub", __name__)
    monkeypatch.setattr(sys.modules[__name__], "run",
                        lambda book, options: RunResult(net.Net(net.Num(7)), Stats(oper=1)),
                        raising=False)
    session.handle(":set backend stub")
    assert session.handle("(+ 3 4)") == "7"
    assert session.handle(":stats").startswith("RWTS   : 1")


def test_piped_input_gathers_lines_like_the_prompt(session):
    lines = ["Fib 0 = 0\n", "Fib 1+p = (+ 2 (Fib p))\n", "\n", "(Fib 3)\n", "(+ 1\n", " 2)\n",
             ":quit\n", "(Fib 1)\n"]
    shown = []
    piped(session, lines, shown.append)
    assert shown == ["defined `Fib` : Num -> Num", "6", "3"]
