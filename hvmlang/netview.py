"""Pictures of a net.Book: node and redex counts for `:net`, and Graphviz for `--dot`.

Input: a `net.Book` (every wire name used exactly twice per definition, as `to_net` and the
net parser guarantee). `census` counts agents by kind; `to_dot` draws each definition as a
cluster: binary agents are triangles whose apex is the principal port, aux ports are the edge
tails labelled 1 and 2, wires are plain edges between the ports they join, and active pairs
are bold red edges. The output is deterministic, so pictures diff well.
"""
from __future__ import annotations

from collections import Counter

from . import ops
from .net import TUPLE, Con, Dup, Era, Num, Op, Ref, Swi, Wire

KINDS = ["CON", "DUP", "OP", "SWI", "REF", "NUM", "ERA"]   # display order


def _kind(tree) -> str:
    return {Con: "CON", Dup: "DUP", Op: "OP", Swi: "SWI", Ref: "REF", Num: "NUM",
            Era: "ERA"}[type(tree)]


def _trees(n) -> list:
    return [n.root] + [t for pair in n.redexes for t in pair]


def census(book, names=None) -> str:
    """One line: definitions, agents by kind, redexes (of `names`, default every definition)."""
    names = list(book.nets) if names is None else names
    kinds: Counter = Counter()
    redexes = 0
    for name in names:
        n = book.nets[name]
        redexes += len(n.redexes)
        stack = _trees(n)
        while stack:
            t = stack.pop()
            if not isinstance(t, Wire):
                kinds[_kind(t)] += 1
            if isinstance(t, (Con, Dup, Op, Swi)):
                stack += [t.a, t.b]
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 'es' if word.endswith('x') else 's'}"
    detail = " ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k])
    nodes = plural(sum(kinds.values()), "node") + (f" ({detail})" if detail else "")
    return f"{plural(len(names), 'definition')} · {nodes} · {plural(redexes, 'redex')}"


def _label(tree) -> tuple[str, str]:
    """(label, shape) of one agent."""
    match tree:
        case Con(tag=None):
            return "CON", "triangle"
        case Con(tag=tag):
            return ("TUP" if tag == TUPLE else f"CON #{tag}"), "triangle"
        case Dup(label=label):
            return (f"DUP #{label}" if isinstance(label, str) else f"DUP {label}"), "triangle"
        case Op(code=code):
            return f"OP {ops.name(code)}", "triangle"
        case Swi():
            return "SWI", "triangle"
        case Ref(name=name):
            return f"@{name}", "box"
        case Num(value=value):
            return f"#{value}", "ellipse"
    return "*", "circle"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Drawing:
    """Collects the DOT lines of one definition."""

    def __init__(self, prefix: str):
        self.prefix, self.count = prefix, 0
        self.lines: list[str] = []
        self.ends: dict = {}          # wire name -> [(port, redex?)] of its two ends

    def node(self, label: str, shape: str) -> str:
        ident = f"{self.prefix}_{self.count}"
        self.count += 1
        extra = ", fixedsize=false, margin=0.02" if shape == "triangle" else ""
        self.lines.append(f"    {ident} [label={_quote(label)}, shape={shape}{extra}];")
        return ident

    def attach(self, port: tuple, tree, redex: bool = False) -> None:
        """Connect `port` (node id, port label) to `tree`'s principal port, drawing the tree."""
        stack = [(port, tree, redex)]
        while stack:
            port, t, redex = stack.pop()
            if isinstance(t, Wire):
                self.ends.setdefault(t.name, []).append((port, redex))
                continue
            ident = self.node(*_label(t))
            self.edge(port, (ident, ""), redex)
            if isinstance(t, (Con, Dup, Op, Swi)):
                stack += [((ident, "2"), t.b, False), ((ident, "1"), t.a, False)]

    def edge(self, tail: tuple, head: tuple, redex: bool, label: str = "") -> None:
        attrs = [f"taillabel={_quote(tail[1])}"] if tail[1] else []
        attrs += [f"headlabel={_quote(head[1])}"] if head[1] else []
        attrs += [f"label={_quote(label)}", "style=dashed", "constraint=false"] if label \
            else []
        attrs += ["color=red", "penwidth=2"] if redex else []
        self.lines.append(f"    {tail[0]} -> {head[0]}"
                          + (f" [{', '.join(attrs)}]" if attrs else "") + ";")

    def wires(self) -> None:
        """Join the two ends of every wire, labelled with its name."""
        for name, ends in self.ends.items():
            if len(ends) == 2:
                (a, ra), (b, rb) = ends
                self.edge(a, b, ra or rb, name)


def to_dot(book, names=None) -> str:
    """Graphviz text of the definitions `names` (default: every definition, entry first)."""
    names = list(book.nets) if names is None else names
    out = ["digraph net {", '  node [fontname="monospace", fontsize=10];',
           "  edge [arrowhead=none, fontname=monospace, fontsize=8];"]
    for i, name in enumerate(names):
        n = book.nets[name]
        drawing = _Drawing(f"d{i}")
        root = drawing.node("", "point")
        drawing.attach((root, ""), n.root)
        for left, right in n.redexes:
            pair = drawing.node("~", "plaintext")
            drawing.attach((pair, ""), left, True)
            drawing.attach((pair, ""), right, True)
        drawing.wires()
        out += [f"  subgraph cluster_{i} {{", f"    label={_quote('@' + name)};"]
        out += drawing.lines + ["  }"]
    out.append("}")
    return "\n".join(out) + "\n"
