"""Every example prints the result documented in its header (`// Output:` lines, `// Args:`)
on every backend, and passes `desugar` and `check` with no errors."""
import io
from pathlib import Path

import pytest

from hvmlang.cli import run_command

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.hvm"))


def header(path: Path, key: str) -> list[str]:
    """The values of `// key: value` header lines."""
    prefix = f"// {key}:"
    return [line[len(prefix):].strip() for line in path.read_text().splitlines()
            if line.startswith(prefix)]


def cli(argv):
    out, err = io.StringIO(), io.StringIO()
    return run_command(argv, out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("backend", ["reference", "cpu"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_output(path, backend):
    expected = header(path, "Output")
    assert expected, f"{path.name} has no `// Output:` header"
    args = " ".join(header(path, "Args")).split()
    status, out, err = cli(["run", str(path), "-b", backend, *args])
    assert (status, err) == (0, "")
    assert out.splitlines() == expected


@pytest.mark.parametrize("command", ["desugar", "check"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_front_end(path, command):
    status, _, err = cli([command, str(path)])
    assert status == 0, err
