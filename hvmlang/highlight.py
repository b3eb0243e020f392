"""Token classes of hvm-lang source text, for the REPL's input lexer and its coloured output.

One regular-expression table says what a keyword, number, string, comment, operator, label or
name looks like; `classify` cuts any text (a whole multi-line input, a printed result, a rule)
into `(class, text)` pieces, and `paint` renders them with ANSI colours. Names are split into
constructors, definitions and plain names by a caller-supplied table, since `Nil` and `Sum`
look alike. Text that does not lex (an unclosed string, a stray character) is still covered:
every character of the input lands in exactly one piece.
"""
from __future__ import annotations

import re

# (class, pattern), tried in order at each position; the first match wins.
TOKENS = [
    ("comment", r"//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/)?"),
    ("string", r'"(?:\\[\s\S]|[^"\\])*"?'),
    ("number", r"'(?:\\[^\n]|[^'\\\n])*'?"),
    ("command", r"\A\s*:[a-z?!]+"),
    ("keyword", r"\b(?:data|let|use|match|unchecked)\b(?![.\w-])"),
    ("lambda", r"[λ@]"),
    ("number", r"#?[0-9][0-9a-zA-Z_.]*\+?(?:[_.a-zA-Z][_.a-zA-Z0-9-]*|\*)?"),
    ("label", r"#[_.a-zA-Z][_.a-zA-Z0-9-]*"),
    ("unscoped", r"\$[_.a-zA-Z][_.a-zA-Z0-9-]*"),
    ("name", r"[_.a-zA-Z][_.a-zA-Z0-9]*(?:-(?!>)[_.a-zA-Z0-9]*)*"),
    ("operator", r"->|==|!=|<=|>=|<<|>>|[-+*/%<>&|^~=:]"),
    ("punctuation", r"[()\[\]{},;]"),
    ("space", r"\s+"),
    ("text", r"."),
]
_SCANNER = re.compile("|".join(f"(?P<t{i}>{p})" for i, (_, p) in enumerate(TOKENS)))
_CLASSES = [cls for cls, _ in TOKENS]

# ANSI colours of the classes that get one (others print plain).
ANSI = {
    "comment": "\x1b[2m", "string": "\x1b[32m", "number": "\x1b[36m", "command": "\x1b[1m",
    "keyword": "\x1b[1;35m", "lambda": "\x1b[35m", "label": "\x1b[33m",
    "unscoped": "\x1b[33m", "constructor": "\x1b[1;34m", "definition": "\x1b[34m",
    "operator": "\x1b[31m",
}
# The same palette as a prompt_toolkit style dictionary (class names as in `classify`).
STYLE = {
    "comment": "italic #888888", "string": "ansigreen", "number": "ansicyan",
    "command": "bold", "keyword": "bold ansimagenta", "lambda": "ansimagenta",
    "label": "ansiyellow", "unscoped": "ansiyellow", "constructor": "bold ansiblue",
    "definition": "ansiblue", "operator": "ansired",
}


def classify(text: str, names: dict | None = None) -> list[tuple[str, str]]:
    """Cut `text` into (class, piece) pairs; `names` maps a name to `constructor`/`definition`."""
    names = names or {}
    out = []
    for m in _SCANNER.finditer(text):
        cls = _CLASSES[int(m.lastgroup[1:])]
        piece = m.group()
        if cls == "name":
            cls = names.get(piece, "name")
        out.append((cls, piece))
    return out


def paint(text: str, names: dict | None = None) -> str:
    """`text` with ANSI colours by token class."""
    return "".join(f"{ANSI[c]}{t}\x1b[0m" if c in ANSI else t for c, t in classify(text, names))
