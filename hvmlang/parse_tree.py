"""LALR reductions -> `ast` nodes, built while the parser reduces (no parse tree in between).

Each grammar rule is reduced as lark's tree builder would shape it: anonymous tokens (`(`,
`=`, ..) dropped, `__x_star` helper rules spliced into their parent, a `?rule` with one child
left as that child, and every node's span running from its first to its last token, parentheses
of an inlined child included. Literal values are decoded here (numbers, escapes, characters)
and the errors that the grammar cannot see are reported: bad literals, `-` in top-level names,
operand counts, `let` patterns, arm pattern counts. Codes are listed in `parse.ERROR_CODES`.
"""
from __future__ import annotations

import re

from . import ast
from .diagnostics import Diagnostic, Span
from .lexer import Tok

MAX_NUMBER = 2**60 - 1
_NUMBER = re.compile(r"0x_*[0-9a-fA-F][0-9a-fA-F_]*|0b_*[01][01_]*|[0-9][0-9_]*")
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]*)\}|u([0-9a-fA-F]{1,4})|([\s\S]))")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}
_LET_PATTERNS = (ast.PVar, ast.PWild, ast.PTup, ast.PCtr)
_PATTERN_WORDS = {ast.PNum: "a number pattern", ast.PSucc: "a successor pattern",
                  ast.PList: "a list pattern", ast.PStr: "a string pattern"}
_SPLICE, _PASS, _BUILD = 0, 1, 2      # how a rule's children become its value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def reduction(rule) -> tuple:
    """How the parser reduces a lark grammar rule: (children popped, nonterminal made,
    [(index, spliced)] of the children kept, _SPLICE/_PASS/_BUILD, TreeBuilder method)."""
    keep = tuple((i, not sym.is_term and sym.name.startswith("_"))
                 for i, sym in enumerate(rule.expansion)
                 if not (sym.is_term and sym.filter_out))
    name = rule.alias or rule.origin.name
    kind = (_SPLICE if name.startswith("_") else
            _PASS if rule.options.expand1 and not rule.alias else _BUILD)
    return (len(rule.expansion), str(rule.origin.name), keep, kind,
            getattr(TreeBuilder, "_" + name, None))


class TreeBuilder:
    """Reduces grammar rules to ast nodes on the parser's value stack; reports bad literals."""

    def __init__(self, file: str):
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def reduce(self, reduction: tuple, values: list, boxes: list) -> None:
        """Replace the children of a `reduction` atop `values` by its node, likewise `boxes`.

        A box is the (line, col, end_line, end_col) that a value spans in the text, brackets
        of an inlined `?rule` included; None for an empty reduction.
        """
        size, _, keep, kind, method = reduction
        cut = len(values) - size
        kids, kid_boxes = values[cut:], boxes[cut:]
        del values[cut:], boxes[cut:]
        first = last = None
        for first in kid_boxes:
            if first is not None:
                break
        for last in reversed(kid_boxes):
            if last is not None:
                break
        box = None if first is None else (first[0], first[1], last[2], last[3])
        out: list = []
        for i, spliced in keep:
            if not spliced:
                out.append(kids[i])
            elif out:
                out += kids[i]
            else:
                out = kids[i]      # left recursion: extend the helper's list in place
        if kind == _SPLICE:
            value = out
        elif kind == _PASS and len(out) == 1:
            value = out[0]
            if isinstance(value, Tok):
                box = kid_boxes[keep[0][0]]     # a lone token keeps its own place
        else:
            value = method(self, Span(self.file, *box), out)
        values.append(value)
        boxes.append(box)

    def _tok_span(self, tok: Tok) -> Span:
        return Span(self.file, tok.line, tok.column, tok.end_line, tok.end_column)

    def _inner_span(self, tok: Tok, start: int, end: int) -> Span:
        """The span of characters `start:end` of the token's text."""
        text = tok.value
        line = tok.line + text.count("\n", 0, start)
        newline = text.rfind("\n", 0, start)
        col = start - newline if newline >= 0 else tok.column + start
        return Span(self.file, line, col, line, col + end - start)

    def _error(self, code: str, message: str, span: Span, **kw) -> None:
        self.diagnostics.append(Diagnostic("error", code, message, span, **kw))

    @staticmethod
    def _tagged(kids: list):
        """Split a leading `#T` token off: (tag or None, the other children)."""
        if kids and isinstance(kids[0], Tok) and kids[0].type == "TAG":
            return kids[0].value[1:], kids[1:]
        return None, kids

    # ---- literals

    def _number(self, tok: Tok, text: str) -> int:
        if not _NUMBER.fullmatch(text):
            self._error("E006", f"expected a decimal, `0x` hex or `0b` binary number, found "
                        f"`{text}`", self._tok_span(tok))
            return 0
        digits = text.replace("_", "")
        base = {"0x": 16, "0b": 2}.get(digits[:2], 10)
        body = (digits[2:] if base != 10 else digits).lstrip("0")
        # more digits than any 60-bit number has: too large, without converting (Python refuses
        # int() of strings over 4300 digits)
        value = int(body or "0", base) if len(body) <= 64 else MAX_NUMBER + 1
        if value > MAX_NUMBER:
            self._error("E007", "number too large: numbers are 60-bit", self._tok_span(tok),
                        help=f"the largest number is {MAX_NUMBER}")
            return 0
        return value

    def _unescape(self, tok: Tok) -> str:
        """The text between the quotes of a string or character token, escapes decoded."""
        def decode(m: re.Match) -> str:
            hex_digits = m.group(1) if m.group(1) is not None else m.group(2)
            if hex_digits is None and m.group(3) in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[m.group(3)]
            span = self._inner_span(tok, m.start() + 1, m.end() + 1)
            if hex_digits is None:
                self._error("E005", "expected an escape such as `\\n`, `\\t`, `\\\\` or "
                            f"`\\u{{41}}`, found `{m.group()}`", span)
                return m.group(3)
            if not hex_digits:
                self._error("E005", f"expected hex digits in `{m.group()}`, found none", span)
                return "\0"
            code = int(hex_digits, 16)
            if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
            self._error("E005", "expected a Unicode code point (at most 10FFFF, not a "
                        f"surrogate), found `{m.group()}`", span)
            return "\0"
        return _ESCAPE.sub(decode, tok.value[1:-1])

    def _char_code(self, tok: Tok) -> int:
        text = self._unescape(tok)
        if len(text) != 1:
            found = "none" if not text else _plural(len(text), "character")
            self._error("E004", f"expected exactly one character between `'` quotes, found "
                        f"{found}", self._tok_span(tok))
            return 0
        return ord(text)

    def _top_name(self, tok: Tok) -> str:
        if "-" in tok.value:
            self._error("E011", f"the top-level name `{tok.value}` contains `-`, which only "
                        "local variable names may contain", self._tok_span(tok))
        return tok.value

    # ---- top level

    def _item(self, span, kids):                # rule | data | signature
        return kids[0]

    _term_input = _item

    def _rule(self, span, kids):                # Name p1 .. pn = term  |  (Name p1 .. pn) = term
        name, *pats, body = kids
        return ast.Rule(self._top_name(name), pats, body, span, self._tok_span(name))

    def _signature(self, span, kids):           # [unchecked] Name : type
        return ast.Signature(self._top_name(kids[-2]), kids[-1], len(kids) == 3, span)

    def _data(self, span, kids):                # data head = [|] ctr | ctr ..
        (name, params), *ctrs = kids
        return ast.Data(name, params, ctrs, span)

    def _data_head(self, span, kids):           # T  |  (T a b ..)
        return self._top_name(kids[0]), [tok.value for tok in kids[1:]]

    def _ctr(self, span, kids):                 # C  |  (C field ..)
        return ast.CtrDecl(self._top_name(kids[0]), kids[1:], span)

    def _field(self, span, kids):               # f  |  (f: type)
        return ast.Field(kids[0].value, kids[1] if len(kids) == 2 else None, span)

    # ---- types

    def _tname(self, span, kids):               # T  |  (T arg ..)
        return ast.TName(kids[0].value, kids[1:], span)

    def _tfun(self, span, kids):                # a -> b
        return ast.TFun(kids[0], kids[1], span)

    def _ttup(self, span, kids):                # (a, b, ..)
        return ast.TTup(kids, span)

    # ---- patterns

    def _pvar(self, span, kids):                # x
        return ast.PVar(kids[0].value, span)

    def _pwild(self, span, kids):               # *
        return ast.PWild(span)

    def _pctr(self, span, kids):                # (C p ..)
        return ast.PCtr(kids[0].value, kids[1:], span)

    def _ptup(self, span, kids):                # (p, q, ..)
        return ast.PTup(kids, span)

    def _plist(self, span, kids):               # [p, q ..]
        return ast.PList(kids, span)

    def _pnum(self, span, kids):                # 42 | 'a'
        tok = kids[0]
        value = self._char_code(tok) if tok.type == "CHAR" else self._number(tok, tok.value)
        return ast.PNum(value, span)

    def _psucc(self, span, kids):               # n+  |  n+x  |  n+*
        number, _, bind = kids[0].value.partition("+")
        return ast.PSucc(self._number(kids[0], number), bind or None, span)

    def _pstr(self, span, kids):                # "text"
        return ast.PStr(self._unescape(kids[0]), span)

    # ---- terms

    def _era(self, span, kids):                 # *
        return ast.Era(span)

    def _var(self, span, kids):                 # x  |  $x
        return ast.Var(kids[0].value, span)

    def _num(self, span, kids):                 # 42 | 0xff | 0b101
        return ast.Num(self._number(kids[0], kids[0].value), span)

    def _char(self, span, kids):                # 'a'
        return ast.Num(self._char_code(kids[0]), span)

    def _str(self, span, kids):                 # "text"
        return ast.Str(self._unescape(kids[0]), span)

    def _nat(self, span, kids):                 # #3
        return ast.Nat(self._number(kids[0], kids[0].value[1:]), span)

    def _list(self, span, kids):                # [a, b ..]
        return ast.List(kids, span)

    def _tup(self, span, kids):                 # (a, b, ..)
        return ast.Tup(kids, span)

    def _app(self, span, kids):                 # [#T] (f a ..)
        tag, (fun, *args) = self._tagged(kids)
        return ast.App(fun, args, tag, span)

    def _op2(self, span, kids):                 # (op a b)
        op, *args = kids
        if len(args) != 2:
            self._error("E012", f"expected two operands for `{op.value}`, found "
                        f"{len(args) or 'none'}", span, help=f"write `({op.value} a b)`")
            args = (args + [ast.Era(span)] * 2)[:2]
        return ast.Op(op.value, args[0], args[1], span)

    def _op1(self, span, kids):                 # (~ a)
        args = kids[1:]
        if len(args) != 1:
            self._error("E012", f"expected one operand for `~`, found {len(args) or 'none'}",
                        span, help="write `(~ a)`")
            args = args or [ast.Era(span)]
        return ast.Op("~", args[0], None, span)

    def _lam(self, span, kids):                 # [#T] λx body  |  λ* body  |  λ$x body
        tag, (_, binder, body) = self._tagged(kids)
        return ast.Lam(None if binder.type == "STAR" else binder.value, body, tag, span)

    def _sup(self, span, kids):                 # [#L] {a b ..}
        label, items = self._tagged(kids)
        return ast.Sup(label, items, span)

    def _let(self, span, kids):                 # let pat = value [;] body
        pat, value, body = kids
        if not isinstance(pat, _LET_PATTERNS):
            self._error("E013", "expected a name, `*`, a tuple or a constructor after `let`, "
                        f"found {_PATTERN_WORDS[type(pat)]}", pat.span,
                        help="use `match` to test a value against this pattern")
        return ast.Let(pat, value, body, span)

    def _dup(self, span, kids):                 # let [#L] {a b ..} = value [;] body
        label, (*binders, value, body) = self._tagged(kids)
        names = [None if b.type == "STAR" else b.value for b in binders]
        return ast.Dup(label, names, value, body, span)

    def _use(self, span, kids):                 # use x = value [;] body
        return ast.Use(kids[0].value, kids[1], kids[2], span)

    def _scrutinee(self, span, kids):           # e  |  x = e
        if len(kids) == 2:
            return ast.Scrutinee(kids[0].value, kids[1], span)
        value = kids[0]
        plain = isinstance(value, ast.Var) and not value.name.startswith("$")
        return ast.Scrutinee(value.name if plain else None, value, span)

    def _match(self, span, kids):               # match s, .. { arm .. }
        scrutinees = [k for k in kids if isinstance(k, ast.Scrutinee)]
        arms = kids[len(scrutinees):]
        for arm in arms:
            if len(arm.pats) != len(scrutinees):
                first, last = arm.pats[0].span, arm.pats[-1].span
                where = Span(self.file, first.line, first.col, last.end_line, last.end_col)
                self._error("E015", f"expected {_plural(len(scrutinees), 'pattern')} in this "
                            f"arm, one per scrutinee of the `match`, found "
                            f"{len(arm.pats)}", where)
        return ast.Match(scrutinees, arms, span)

    def _arm(self, span, kids):                 # [|] p .. : body [;]
        *pats, body = kids
        return ast.Arm(pats, body, span)
