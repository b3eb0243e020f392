"""The REPL's `:` commands and `:set` options, as tables, and what each command does.

`run_command(session, text)` picks the command named by the word after `:` (a full name, an
alias, or an unambiguous prefix, GHCi-style) and returns the text to show. Commands work on a
`repl.Session` through its methods; anything wrong with how a command was used raises
`ReplError`, which the session prints as one line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import ast
from .diagnostics import SOURCES, CompileError
from .repl_state import ENTRY, RESULT, ReplError, Settings, expr_name
from .runtime import BACKENDS
from .surface_pretty import print_term


@dataclass(frozen=True)
class Command:
    """One `:` command: name, short aliases, argument synopsis, help line and action."""
    name: str
    aliases: tuple
    args: str
    help: str
    run: Callable


@dataclass(frozen=True)
class Setting:
    """One `:set` option: a `+x` flag (parse None) or a named value."""
    name: str
    attr: str
    parse: Callable | None
    help: str
    show: Callable = str


def run_command(session, text: str) -> str:
    """Run a `:command args` line."""
    word, *arg = text[1:].split(None, 1) or [""]
    return lookup(word).run(session, arg[0].strip() if arg else "")


def lookup(word: str) -> Command:
    """The command named by `word`: a name, an alias, or a prefix of exactly one name."""
    for c in COMMANDS:
        if word == c.name or word in c.aliases:
            return c
    matches = [c for c in COMMANDS if word and c.name.startswith(word)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(f":{c.name}" for c in matches)
        raise ReplError(f"ambiguous command `:{word}`: it could be {names}")
    raise ReplError(f"unknown command `:{word}`; `:help` lists the commands")


# ---------------------------------------------------------------------------------------------
# Looking at definitions and expressions

def _named(expr, book) -> str | None:
    """The definition an expression names, when it is just a defined name."""
    if isinstance(expr, ast.Var) and expr.name in book.defs and expr.name != ENTRY:
        return expr.name
    return None


def cmd_type(session, arg: str) -> str:
    expr = session.expression(arg, ":type")
    compiled = session.compile(session.state.items, expr, notes=False)
    text = f"{session.paint(arg)} : {compiled.types.get(ENTRY, '?')}"
    skipped = compiled.skipped.get(ENTRY)
    return text + (f"\n(not type-checked: it uses {skipped})" if skipped else "")


def source_text(node, origin: str) -> str:
    """A rule, data declaration or signature as written (printed anew when not from a file)."""
    span = node.span
    lines = [SOURCES.line(span.file, n) for n in range(span.line, span.end_line + 1)]
    if origin == RESULT or not lines or None in lines:
        return print_term(node)
    lines[-1] = lines[-1][:span.end_col - 1]
    lines[0] = lines[0][span.col - 1:]
    return "\n".join(lines)


def _where(node, origin: str) -> str:
    if origin == RESULT:
        return "bound to the result of the last evaluation"
    return f"defined at {node.span}"


def cmd_info(session, arg: str) -> str:
    from .prelude import builtin_datas, load
    from .resolve import suggest
    name = arg.strip()
    if not name or len(name.split()) != 1:
        raise ReplError("`:info` needs one name")
    book, items = session.state.book, session.state.items
    if name in book.adts:
        adt = book.adts[name]
        entry = items.get(("data", name))
        decl = entry.nodes[0] if entry else next(d for d in builtin_datas() if d.name == name)
        types = _types(session, adt.ctrs)
        head = (f"data type `{name}`, {_where(decl, entry.origin)}" if entry
                else f"built-in data type `{name}`")
        body = source_text(decl, entry.origin) if entry else print_term(decl)
        return "\n".join([head, _indent(session.paint(body))]
                         + [f"  {c} : {t}" for c, t in zip(adt.ctrs, types)])
    if name in book.ctrs:
        ctr = book.ctrs[name]
        fields = ", ".join(ctr.fields) or "none"
        where = f"defined at {ctr.span}" if ctr.span else "built in"
        return (f"constructor `{name}` of data type `{ctr.adt}` : {_types(session, [name])[0]}"
                f"\n  fields: {fields}\n  {where}")
    try:
        compiled = session.compile(items, ast.Var(name), notes=False)
    except CompileError:
        hint = suggest(name, session.names())
        raise ReplError(f"`{name}` is not defined" + (f"; {hint}" if hint else "")) from None
    entry = items.get(("rule", name))
    if entry is not None:
        nodes = list(entry.nodes)
        origin, where = entry.origin, _where(entry.nodes[0], entry.origin)
        sig = items.get(("sig", name))
        nodes = list(sig.nodes) + nodes if sig else nodes
    else:
        prelude = load()
        nodes = [s for s in prelude.signatures if s.name == name]
        nodes += [r for r in prelude.rules if r.name == name]
        origin, where = "", f"defined in the prelude, {nodes[0].span}"
    head = f"definition `{name}` : {compiled.types.get(ENTRY, '?')}"
    rules = "\n".join(source_text(n, origin) for n in nodes)
    return "\n".join([head, f"  {where}", _indent(session.paint(rules))])


def _types(session, names: list) -> list[str]:
    """The types of several names, from one check."""
    compiled = session.compile(session.state.items, *[ast.Var(n) for n in names], notes=False)
    return [compiled.types.get(expr_name(i), "?") for i in range(len(names))]


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def cmd_browse(session, arg: str) -> str:
    state = session.state
    lines = []
    for e in state.items.values():
        if e.kind == "data":
            lines.append(session.paint(source_text(e.nodes[0], e.origin)))
        elif e.kind == "rule":
            lines.append(f"{session.paint(e.name)} : {state.types.get(e.name, '?')}")
    return "\n".join(lines) or "no definitions yet (the prelude is always there: `:info List.map`)"


def cmd_desugar(session, arg: str) -> str:
    from .pretty import term
    expr = session.expression(arg, ":desugar")
    compiled = session.compile(session.state.items, expr, notes=False)
    name = _named(expr, compiled.book)
    if name is not None:
        return session.paint(f"{name} = {term(compiled.book.defs[name].body)}")
    return session.paint(term(compiled.book.defs[ENTRY].body))


def cmd_net(session, arg: str) -> str:
    from .netfmt import print_book
    from .netview import census, to_dot
    dot = None
    if arg.startswith("--dot"):
        parts = arg.split(None, 2)
        if len(parts) < 2:
            raise ReplError("`:net --dot` needs a file name: `:net --dot FILE [EXPR|NAME]`")
        dot, arg = parts[1], parts[2] if len(parts) > 2 else ""
    if arg.strip():
        expr = session.expression(arg, ":net")
    elif session.last_expr is not None:
        expr = session.last_expr
    else:
        raise ReplError("`:net` needs an expression or a name")
    compiled = session.compile(session.state.items, expr, notes=False)
    book = session.net_book(compiled, _named(expr, compiled.book) or ENTRY)
    if dot is None:
        return f"{print_book(book)}\n// {census(book)}"
    try:
        with open(dot, "w", encoding="utf-8") as f:
            f.write(to_dot(book))
    except OSError as e:
        raise ReplError(f"cannot write `{dot}`: {e}") from None
    return f"wrote {dot}: {census(book)}"


def cmd_stats(session, arg: str) -> str:
    if session.last is None:
        return "no evaluation yet"
    stats, backend = session.last
    lines = [stats.format()]
    if stats.peak:
        lines.append(f"PEAK   : {stats.peak} nodes")
    if not stats.jit:                      # `format` shows JIT time only when there was some
        lines.append(f"JIT    : {stats.jit:.3f} s")
    lines.append(f"BACKEND: {backend}")
    return "\n".join(lines)


def cmd_check(session, arg: str) -> str:
    compiled = session.compile(session.state.items)
    text = session.render(compiled.diagnostics)
    count = sum(e.kind == "rule" for e in compiled.items.values())
    return text or f"ok: {count} definition{'' if count == 1 else 's'}, no errors or warnings"


# ---------------------------------------------------------------------------------------------
# Files, settings, help

def cmd_load(session, arg: str) -> str:
    path = arg.strip().strip("'\"")
    if not path:
        raise ReplError("`:load` needs a file name")
    return session.load(path)


def cmd_reload(session, arg: str) -> str:
    if session.file is None:
        raise ReplError("no file loaded yet; use `:load FILE`")
    return session.load(session.file)


def _backend(text: str) -> str:
    from . import runtime
    runtime.get(text)
    return text


def _count(text: str) -> int:
    if not text.isdigit():
        raise ReplError(f"expected a number of interactions, found `{text}`")
    return int(text)


def _threads(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ReplError(f"expected a number of threads (at least 1), found `{text}`")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ReplError(f"expected a number of seconds, found `{text}`") from None
    if value <= 0:
        raise ReplError("the timeout must be positive")
    return value


def _size(text: str) -> int:
    import argparse
    from .cli import parse_size
    try:
        return parse_size(text)
    except argparse.ArgumentTypeError as e:
        raise ReplError(str(e)) from None


def _size_text(n: int) -> str:
    for suffix, shift in (("g", 30), ("m", 20), ("k", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{suffix}"
    return str(n)


SETTINGS = [
    Setting("+s", "stats", None, "print statistics after every evaluation"),
    Setting("+t", "types", None, "print the type of every result"),
    Setting("+l", "linear", None, "show explicit dups in results (linear readback)"),
    Setting("backend", "backend", _backend, "the reducer: " + ", ".join(BACKENDS)),
    Setting("max-rewrites", "max_rewrites", _count, "stop an evaluation after N interactions"),
    Setting("timeout", "timeout", _seconds, "stop an evaluation after SECONDS"),
    Setting("mem", "mem", _size, "heap limit, e.g. 512m or 2g", _size_text),
    Setting("threads", "threads", _threads, "threads of the cpu-parallel backend"),
]


def _setting(name: str) -> Setting:
    for s in SETTINGS:
        if s.name == name:
            return s
    names = ", ".join(s.name for s in SETTINGS)
    raise ReplError(f"unknown setting `{name}`; the settings are: {names}")


def _show_settings(session) -> str:
    lines = []
    for s in SETTINGS:
        value = getattr(session.settings, s.attr)
        shown = ("on" if value else "off") if s.parse is None else (
            "none" if value is None else s.show(value))
        lines.append(f"  {s.name:<13} {shown:<10} {s.help}")
    return "\n".join(lines)


def cmd_set(session, arg: str) -> str:
    if not arg:
        return _show_settings(session)
    name, _, value = arg.partition(" ")
    setting = _setting(name)
    if setting.parse is None:
        if value.strip():
            raise ReplError(f"`{name}` takes no value")
        setattr(session.settings, setting.attr, True)
    elif not value.strip():
        raise ReplError(f"`:set {name}` needs a value ({setting.help})")
    else:
        setattr(session.settings, setting.attr, setting.parse(value.strip()))
    return ""


def cmd_unset(session, arg: str) -> str:
    setting = _setting(arg.strip())
    setattr(session.settings, setting.attr, getattr(Settings(), setting.attr))
    return ""


def cmd_help(session, arg: str) -> str:
    lines = ["Type a definition (`Double x = (* x 2)`, `data T = A | (B x)`, `F : Num -> Num`)",
             "to add or replace it, or an expression to evaluate it; `it` is the last result.",
             "", "Commands (any unambiguous prefix works, e.g. `:ty`):"]
    for c in COMMANDS:
        names = ", ".join(f":{n}" for n in (c.name, *c.aliases))
        lines.append(f"  {names + ' ' + c.args:<28} {c.help}")
    lines += ["", "Settings (`:set NAME [VALUE]`, `:unset NAME`):"]
    lines += [f"  {s.name:<13} {s.help}" for s in SETTINGS]
    lines += ["", "Enter continues the input while it is incomplete, and a definition with",
              "patterns until an empty line (for more rules); Esc Enter submits at once.",
              "Ctrl-C cancels the line or stops an evaluation; Ctrl-D quits."]
    return "\n".join(lines)


def cmd_quit(session, arg: str) -> str:
    session.done = True
    return ""


COMMANDS = [
    Command("type", ("t",), "EXPR|NAME", "the type of an expression or definition", cmd_type),
    Command("info", ("i",), "NAME", "kind, type, origin and rules of a name", cmd_info),
    Command("browse", (), "", "the session's data types and definitions", cmd_browse),
    Command("load", ("l",), "FILE", "load a file (replacing the last loaded one)", cmd_load),
    Command("reload", ("r",), "", "load the last file again", cmd_reload),
    Command("check", (), "", "check the session; show every warning", cmd_check),
    Command("desugar", (), "EXPR|NAME", "the desugared core term", cmd_desugar),
    Command("net", (), "[--dot FILE] EXPR|NAME", "the compiled net and its size", cmd_net),
    Command("stats", (), "", "statistics of the last evaluation", cmd_stats),
    Command("set", (), "[+s|+t|+l|NAME VALUE]", "change a setting (no argument: show)",
            cmd_set),
    Command("unset", (), "NAME", "turn a flag off, or a value back to its default", cmd_unset),
    Command("help", ("?",), "", "this text", cmd_help),
    Command("quit", ("q",), "", "leave the REPL (or Ctrl-D)", cmd_quit),
]
