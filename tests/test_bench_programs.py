"""The benchmark programs check with no warning, and (with --slow) print their `// Expect:`
value on the cpu backend."""
from pathlib import Path

import pytest

from test_examples import cli

BENCH = Path(__file__).parent.parent / "bench"
PROGRAMS = sorted(BENCH.glob("programs*/*.hvm"))


def expected(path: Path) -> str:
    """The value on the program's `// Expect:` line."""
    lines = [line for line in path.read_text().splitlines() if line.startswith("// Expect:")]
    assert len(lines) == 1, f"{path.name} needs one `// Expect:` line"
    return lines[0].removeprefix("// Expect:").strip()


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_bench_program_checks_clean(path):
    expected(path)
    assert cli(["check", str(path)]) == (0, "", "")


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in PROGRAMS if p.parent.name == "programs"],
                         ids=lambda p: p.stem)
def test_bench_program_result(path):
    assert cli(["run", str(path), "-b", "cpu"]) == (0, expected(path) + "\n", "")
