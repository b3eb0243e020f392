"""Front-end fuzzing: random and mutated source files through `check` and `run` in-process.

Property: exit status 0, 1, 2 or 3; a message on stderr when it is not 0; no traceback and no
"internal error"; no hang (each command has a wall-clock alarm). Mutations of the examples and of
random programs: deleted, duplicated and swapped tokens, truncation, unbalanced brackets, invalid
UTF-8 bytes, huge numbers. Plus 10,000-deep nesting. 150 mutated files by default, 5,000 with
`--slow`.
"""
import io
import random
import re
import signal
from pathlib import Path

import pytest

import gen_programs
from hvmlang.cli import run_command

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.hvm"))
TOKEN = re.compile(r"\s+|[_.a-zA-Z0-9'-]+|\S")
FAST, SLOW = 150, 5000
ALARM_SECONDS = 120
COMMANDS = [["check"], ["run", "-b", "reference", "--timeout", "5", "-r", "100000"]]


class Hang(Exception):
    """A command ran past ALARM_SECONDS."""


def seed_text(rng: random.Random) -> str:
    """A valid program to mutate: an example, a typed or a Church random program."""
    r = rng.random()
    if r < 0.5 and EXAMPLES:
        return rng.choice(EXAMPLES).read_text()
    if r < 0.8:
        return gen_programs.typed(rng.randrange(1 << 30))
    return gen_programs.church(rng.randrange(1 << 30))


def mutate(text: str, rng: random.Random) -> bytes:
    """Apply one to three random mutations to `text`; the result may not be valid UTF-8."""
    tokens = TOKEN.findall(text)
    data = None
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(max(len(tokens), 1))
        kind = rng.randrange(8)
        if kind == 0 and tokens:
            del tokens[i]
        elif kind == 1 and tokens:
            tokens.insert(i, tokens[i])
        elif kind == 2 and len(tokens) > 1:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == 3:
            tokens = tokens[:i]
        elif kind == 4:
            tokens.insert(i, rng.choice("()[]{}") * rng.randint(1, 3))
        elif kind == 5:
            tokens.insert(i, " " + str(rng.randrange(10 ** rng.randint(18, 60))) + " ")
        elif kind == 6:
            tokens.insert(i, rng.choice(['"', "'", "/*", "λ", "@", "#", "$", "\\u{", ":", ";"]))
        else:
            data = bytes(rng.randrange(128, 256) for _ in range(rng.randint(1, 4)))
            cut = rng.randrange(len(tokens) + 1)
            tokens = tokens[:cut] + [data.decode("latin-1")] + tokens[cut:]
    encoded = "".join(tokens).encode("utf-8")
    if data is not None:       # put the raw bytes back: invalid UTF-8 in the file itself
        encoded = encoded.replace(data.decode("latin-1").encode("utf-8"), data)
    return encoded


def run_cli(argv: list[str]) -> tuple[int, str]:
    """Run the CLI in-process under an alarm: (status, stderr)."""
    def on_alarm(signum, frame):
        raise Hang(f"no answer after {ALARM_SECONDS} s")
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(ALARM_SECONDS)
    try:
        status = run_command(argv, out, err)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return status, err.getvalue()


def assert_robust(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.hvm"
    path.write_bytes(data)
    for command in COMMANDS:
        status, err = run_cli(command[:1] + [str(path)] + command[1:])
        context = f"{' '.join(command)} on {data[:2000]!r}"
        assert status in (0, 1, 2, 3), f"exit {status}: {err[-2000:]}\n{context}"
        assert status == 0 or err.strip(), f"exit {status} without a message\n{context}"
        assert "Traceback" not in err and "internal error" not in err, f"{err[-2000:]}\n{context}"


def pytest_generate_tests(metafunc):
    if "fuzz_seed" in metafunc.fixturenames:
        count = SLOW if metafunc.config.getoption("--slow") else FAST
        metafunc.parametrize("fuzz_seed", range(count))


def test_mutated(fuzz_seed, tmp_path):
    rng = random.Random(fuzz_seed)
    assert_robust(mutate(seed_text(rng), rng), tmp_path)


def test_random_text(tmp_path):
    rng = random.Random(7)
    alphabet = "()[]{}λ@#$*:;=,+-<>'\"\n 0123456789abcxyzNSLdatmchlu.\\/"
    for _ in range(40):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
        assert_robust(("main = " + text).encode(), tmp_path)


def nested(kind: str, depth: int) -> str:
    """A program nesting one construct `depth` levels deep."""
    return {
        "parens": "main = " + "(" * depth + "1" + ")" * depth,
        "lambdas": "main = (" + "".join(f"λx{i} " for i in range(depth)) + "x0)",
        "apps": "main = " + "(λx x " * depth + "1" + ")" * depth,
        "adds": "main = " + "(+ 1 " * depth + "0" + ")" * depth,
        "lets": "main = " + "".join(f"let x{i} = {i}; " for i in range(depth)) + "x0",
        "lists": "main = [" + "[" * depth + "]" * depth + "]",
        "unbalanced": "main = " + "(" * depth + "1",
    }[kind]


# Every kind checks and runs 10,000 levels deep in 0.5-3 s: nested lists have types as deep as
# the term (the occurs check uses cached unknowns instead of walking the whole type), nested
# lambdas and lets warn once per level (W201, each source line window drawn in constant time)
# and extend one environment in place instead of copying it per binder.
DEEP_KINDS = ["parens", "apps", "adds", "unbalanced", "lists", "lambdas", "lets"]


@pytest.mark.parametrize("kind", DEEP_KINDS)
def test_deep_nesting(kind, tmp_path):
    assert_robust(nested(kind, 10_000).encode(), tmp_path)


@pytest.mark.parametrize("data", [b"\xff\xfe main = 1", b"main = \"\xc3\x28\"", b"main = 1\x00",
                                  b"main = " + b"9" * 5000, b"", b"\xef\xbb\xbfmain = 1"])
def test_odd_bytes(data, tmp_path):
    assert_robust(data, tmp_path)


def test_invalid_utf8_message(tmp_path):
    path = tmp_path / "bad.hvm"
    path.write_bytes(b'main = 1\nfoo = "\xff"\n')
    for command in COMMANDS:
        status, err = run_cli(command[:1] + [str(path)] + command[1:])
        assert status == 2
        assert err.strip() == f"hvm-lang: error: `{path}` is not UTF-8 text: byte 0xff at {path}:2:8"
