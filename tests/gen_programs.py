"""Random hvm-lang programs as source text, for differential tests: `typed(seed)` and `church(seed)`.

`typed` builds well-typed closed programs over numbers, pairs, an option type, number lists and
number functions: lets, lambdas applied on the spot and let-bound, constructor values, matches
on constructors, numbers and lists, tuple lets, and recursive definitions that count down a fuel
argument. `church` builds untyped programs: Church numerals combined by Add, Mul and
exponentiation, explicit dups of numbers and numerals, all converted to numbers at the end.
Every program terminates and its result is first-order (so the direct evaluator can print it).
"""
from __future__ import annotations

import random

OPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&", "|", "^", "<<", ">>"]
TYPES = ["N", "P", "O", "L"]          # number, pair of numbers, Opt of a number, list of numbers

TYPED_PRELUDE = "data Opt = Non | (Som val)\n"


class _Typed:
    """One typed program under construction: its definitions and a fresh-name counter."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.count = 0
        self.defs: list[str] = []
        self.funs: list[tuple[str, list[str]]] = []     # (name, parameter types); result N

    def fresh(self, base: str = "x") -> str:
        self.count += 1
        return f"{base}{self.count}"

    def num(self) -> str:
        r = self.rng.random()
        if r < 0.6:
            return str(self.rng.randrange(10))
        if r < 0.8:
            return str(self.rng.randrange(1 << 16))
        if r < 0.9:
            return hex(self.rng.randrange(1 << 60))
        return f"'{self.rng.choice('az09')}'"

    def term(self, ty: str, env: dict, depth: int) -> str:
        """A term of type `ty` whose free variables are in `env` (name -> type)."""
        rng = self.rng
        vars_ = [n for n, t in env.items() if t == ty]
        if depth <= 0 or rng.random() < 0.2:
            if vars_ and rng.random() < 0.7:
                return rng.choice(vars_)
            return self.leaf(ty, env)
        d = depth - 1
        if ty == "N" and self.funs and rng.random() < 0.2:
            return self.call(env, d)
        choice = rng.randrange(8)
        if choice == 0:
            x, t = self.fresh(), rng.choice(TYPES)
            return f"(let {x} = {self.term(t, env, d)}; {self.term(ty, {**env, x: t}, d)})"
        if choice == 1:
            x, t = self.fresh(), rng.choice(["N", "O"])
            return f"((λ{x} {self.term(ty, {**env, x: t}, d)}) {self.term(t, env, d)})"
        if choice == 2:
            scrut = self.term("O", env, d)
            v = self.fresh("v")
            return (f"(match {scrut} {{ Non: {self.term(ty, env, d)}; "
                    f"(Som {v}): {self.term(ty, {**env, v: 'N'}, d)} }})")
        if choice == 3:
            p = self.fresh("p")
            return (f"(match {self.term('N', env, d)} {{ 0: {self.term(ty, env, d)}; "
                    f"1+{p}: {self.term(ty, {**env, p: 'N'}, d)} }})")
        if choice == 4:
            a, b = self.fresh("a"), self.fresh("b")
            return (f"(let ({a}, {b}) = {self.term('P', env, d)}; "
                    f"{self.term(ty, {**env, a: 'N', b: 'N'}, d)})")
        if choice == 5:
            h, t = self.fresh("h"), self.fresh("t")
            return (f"(match {self.term('L', env, d)} {{ []: {self.term(ty, env, d)}; "
                    f"(List.cons {h} {t}): {self.term(ty, {**env, h: 'N', t: 'L'}, d)} }})")
        if choice == 6:
            f, x = self.fresh("f"), self.fresh()
            body = self.term("N", {**env, x: "N"}, d)
            inner = self.term(ty, {**env, f: "F"}, d)
            return f"(let {f} = λ{x} {body}; {inner})"
        return self.build(ty, env, d)

    def build(self, ty: str, env: dict, d: int) -> str:
        """A term of type `ty` built by its own constructor or operation."""
        rng = self.rng
        if ty == "P":
            return f"({self.term('N', env, d)}, {self.term('N', env, d)})"
        if ty == "O":
            return "Non" if rng.random() < 0.3 else f"(Som {self.term('N', env, d)})"
        if ty == "L":
            return "[" + ", ".join(self.term("N", env, d) for _ in range(rng.randrange(4))) + "]"
        fns = [n for n, t in env.items() if t == "F"]
        r = rng.random()
        if fns and r < 0.25:
            return f"({rng.choice(fns)} {self.term('N', env, d)})"
        if self.funs and r < 0.55:
            return self.call(env, d)
        return f"({rng.choice(OPS)} {self.term('N', env, d)} {self.term('N', env, d)})"

    def call(self, env: dict, d: int) -> str:
        """A call of one of the definitions made so far (all return numbers)."""
        name, params = self.rng.choice(self.funs)
        return "(" + " ".join([name] + [self.arg(t, env, d) for t in params]) + ")"

    def arg(self, ty: str, env: dict, d: int) -> str:
        """An argument of a definition: fuel is a small number, functions are lambdas."""
        if ty == "fuel":
            return f"(% {self.term('N', env, d)} 4)" if self.rng.random() < 0.5 else \
                str(self.rng.randrange(5))
        if ty == "F":
            x = self.fresh()
            return f"(λ{x} {self.term('N', {**env, x: 'N'}, d)})"
        return self.term(ty, env, d)

    def leaf(self, ty: str, env: dict) -> str:
        if ty == "N":
            return self.num()
        return self.build(ty, {}, 0)

    def definition(self, index: int) -> None:
        """Add one definition: plain, higher-order, a fuelled recursion or a list fold."""
        rng, name = self.rng, f"D{index}"
        kind = rng.randrange(4)
        if kind == 0:
            params = [rng.choice(TYPES) for _ in range(rng.randrange(1, 3))]
            names = [self.fresh("a") for _ in params]
            body = self.term("N", dict(zip(names, params)), 3)
            self.defs.append(f"{name} {' '.join(names)} = {body}")
        elif kind == 1:
            params = ["F", "N"]
            f, a = self.fresh("f"), self.fresh("a")
            body = self.term("N", {f: "F", a: "N"}, 3)
            self.defs.append(f"{name} {f} {a} = {body}")
        elif kind == 2:
            params = ["fuel", "N"]
            acc, p = self.fresh("acc"), self.fresh("p")
            base = self.term("N", {acc: "N"}, 2)
            step = self.term("N", {acc: "N", p: "N"}, 2)
            self.defs.append(f"{name} 0 {acc} = {base}\n{name} 1+{p} {acc} = ({name} {p} {step})")
        else:
            params = ["L"]
            h, t = self.fresh("h"), self.fresh("t")
            nil = self.term("N", {}, 1)
            cons = self.term("N", {h: "N", f"({name} {t})": "N"}, 2)   # the fold of the tail
            self.defs.append(f"({name} []) = {nil}\n({name} (List.cons {h} {t})) = {cons}")
        self.funs.append((name, params))


def typed(seed: int, size: int = 3) -> str:
    """A random well-typed closed program whose main is first-order."""
    rng = random.Random(seed)
    g = _Typed(rng)
    for i in range(rng.randrange(size + 1)):
        g.definition(i)
    main = g.term(rng.choice(TYPES), {}, size + 1)
    return TYPED_PRELUDE + "\n".join(g.defs + [f"main = {main}"]) + "\n"


CHURCH_PRELUDE = """c0 = λf λx x
c1 = λf λx (f x)
c2 = λf λx (f (f x))
c3 = λf λx (f (f (f x)))
Add m n f x = (m f (n f x))
Mul m n f = (m (n f))
ToNum n = (n λx (+ x 1) 0)
"""


def _numeral(rng: random.Random, depth: int) -> str:
    """A Church numeral expression with a small value."""
    if depth <= 0 or rng.random() < 0.3:
        return f"c{rng.randrange(4)}"
    r = rng.randrange(5)
    a, b = _numeral(rng, depth - 1), _numeral(rng, depth - 1)
    if r == 0:
        return f"(Add {a} {b})"
    if r == 1:
        return f"(Mul {a} {b})"
    if r == 2:
        return f"(c{rng.randrange(1, 3)} c{rng.randrange(4)})"
    if r == 3:
        return f"let g = {a}; (Add g g)"
    return f"let {{p q}} = {a}; (Mul p q)"


def church(seed: int) -> str:
    """A random untyped program over Church numerals and explicit dups."""
    rng = random.Random(seed)
    items = []
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.75:
            items.append(f"(ToNum {_numeral(rng, 2)})")
        else:
            n = rng.randrange(1 << 20)
            items.append(f"let {{a b}} = (+ {n} 1); ({rng.choice(OPS)} a b)")
    return CHURCH_PRELUDE + "main = [" + ", ".join(items) + "]\n"
