"""The docs say what the code does: the CLI reference is generated, the README's commands are CI's."""
from __future__ import annotations

import re
from pathlib import Path

from dtkg.clidoc import reference

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current():
    """docs/cli.md is what `python -m dtkg.clidoc` prints (regenerate it after changing a parser)."""
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference() + "\n"


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_readme_has_two_fresh_machine_commands():
    setup, tests = _readme_commands()[:2]
    assert "pip install" in setup and "dtkg build" in setup
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _readme_commands()[1]
    assert test_command in ci
