"""Golden tests: tests/golden/<stage>/NAME.hvm is run through one stage of the CLI and its
output must equal NAME.expected (`pytest --update-golden` rewrites the expected files).

Stages: parse (surface AST printed back), desugar, net (`compile`), run (with every backend in
RUN_BACKENDS, all of which must print the same text), check. An optional NAME.args file holds
extra command-line arguments (one per line).
"""
import io
from pathlib import Path

import pytest

from hvmlang.cli import run_command

GOLDEN = Path(__file__).parent / "golden"
RUN_BACKENDS = ["reference", "cpu"]
STAGE_COMMAND = {"desugar": ["desugar"], "net": ["compile"], "run": ["run"], "check": ["check"]}


def cases(stage):
    return sorted((GOLDEN / stage).glob("*.hvm"), key=lambda p: p.name)


def cli_output(argv) -> str:
    """Run the CLI in-process; stdout, then stderr and the exit status when present."""
    out, err = io.StringIO(), io.StringIO()
    status = run_command(argv, out, err)
    text = out.getvalue()
    if err.getvalue():
        text += "--- stderr ---\n" + err.getvalue()
    if status:
        text += f"--- exit {status} ---\n"
    return text


def parse_output(path: Path) -> str:
    """Parse a file and print it back, or print its syntax errors."""
    from hvmlang.diagnostics import CompileError, render
    from hvmlang.parse import parse_program
    from hvmlang.surface_pretty import print_program
    try:
        return print_program(parse_program(path.read_text(), path.name)) + "\n"
    except CompileError as e:
        return render(e.diagnostics) + "\n--- exit 1 ---\n"


def stage_output(stage: str, path: Path, backend: str | None = None) -> str:
    """The text a golden file of `stage` is compared against."""
    if stage == "parse":
        return parse_output(path)
    extra = path.with_suffix(".args")
    argv = STAGE_COMMAND[stage] + [path.name]
    if stage == "run":
        argv += ["-b", backend]
    if extra.exists():
        argv += [a for a in extra.read_text().splitlines() if a]
    return cli_output(argv)


def check_golden(path: Path, actual: str, update: bool) -> None:
    expected_path = path.with_suffix(".expected")
    if update:
        expected_path.write_text(actual)
    if not expected_path.exists():
        pytest.fail(f"{expected_path} is missing: run pytest --update-golden and review it")
    assert actual == expected_path.read_text()


@pytest.mark.parametrize("path", cases("parse") + cases("desugar") + cases("net") + cases("check"),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(path, update_golden, monkeypatch):
    monkeypatch.chdir(path.parent)
    check_golden(path, stage_output(path.parent.name, path), update_golden)


@pytest.mark.parametrize("backend", RUN_BACKENDS)
@pytest.mark.parametrize("path", cases("run"), ids=lambda p: p.stem)
def test_golden_run(path, backend, update_golden, monkeypatch):
    monkeypatch.chdir(path.parent)
    actual = stage_output("run", path, backend)
    check_golden(path, actual, update_golden and backend == "reference")
