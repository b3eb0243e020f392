"""Differential property test: random programs (tests/gen_programs.py) print the same result on
every available backend as on the direct call-by-need evaluator (tests/direct_eval.py).

The default run takes 200 typed and 100 Church programs; `--slow` takes 10,000 in all. A failing
seed is reported with its source text; minimise it into tests/golden/run/.
"""
import gen_programs
from direct_eval import evaluate
from hvmlang import runtime
from hvmlang.check import check
from hvmlang.diagnostics import Reporter
from hvmlang.parse import parse_program
from hvmlang.pipeline import Options, compile_net, desugar, lower, prune
from hvmlang.readback import readback
from hvmlang.runtime.api import RunOptions

FAST = {"typed": 200, "church": 100}
SLOW = {"typed": 7500, "church": 2500}


def backends() -> list[str]:
    """`reference`, plus `cpu` where Numba is installed."""
    try:
        runtime.get("cpu")
    except Exception:
        return ["reference"]
    return ["reference", "cpu"]


def results(text: str, names: list[str] | None = None) -> dict:
    """Backend name (and "direct") -> printed result of the program `text` on the backends
    `names` (default `backends()`; bench/cuda_check.py --random names cuda)."""
    program = parse_program(text, "random.hvm")
    reporter = Reporter()
    book = desugar(program, reporter, Options())
    check(program, book, reporter)
    errors = [d for d in reporter.diagnostics if d.is_error]
    assert not errors, f"generated program rejected: {errors[0].message}\n{text}"
    out = {"direct": evaluate(book)}
    nets = prune(compile_net(lower(book, reporter)))
    for name in names or backends():
        result = runtime.get(name).run(nets, RunOptions(max_rewrites=5_000_000))
        out[name] = readback(result.net, nets)[0]
    return out


def assert_agree(text: str) -> None:
    out = results(text)
    assert len(set(out.values())) == 1, f"results differ: {out}\n--- program ---\n{text}"


def pytest_generate_tests(metafunc):
    """Seeds per generator: FAST counts by default, SLOW counts with `--slow`."""
    counts = SLOW if metafunc.config.getoption("--slow") else FAST
    metafunc.parametrize("kind,seed", [(k, s) for k, n in counts.items() for s in range(n)])


def test_random_program(kind, seed):
    assert_agree(getattr(gen_programs, kind)(seed))
