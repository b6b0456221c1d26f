"""The README and docs say what the code does: their examples run, their commands exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from nl2seg.cli import main

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_first_screen_has_exactly_two_setup_commands() -> None:
    first = blocks(README, "bash")[0]
    commands = [line for line in first.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert "nl2seg app" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]"' in ci and "-m pytest" in ci


def test_readme_rule_example_is_a_valid_rule(tmp_path: Path) -> None:
    rule = json.loads(blocks(README, "json")[0])
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(rule))
    res = CliRunner().invoke(main, ["compile", str(path), "--as-of", "2026-06-30"])
    assert res.exit_code == 0, res.output
    assert "sms_opt_in = TRUE" in res.output


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rule.json").write_text(blocks(README, "json")[0])
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks(README, "python")[0], "README.md", "exec"), {})


@pytest.mark.parametrize("row", re.findall(r"^\| `(nl2seg [^`]+)` \|", README, flags=re.M))
def test_every_command_in_the_readme_table_exists(row: str) -> None:
    words = [w for w in shlex.split(row.replace("\\|", "|"))[1:] if not w.startswith(("[", "-"))]
    command = [w for w in words if w.isidentifier() and w.islower()][:2]
    res = CliRunner().invoke(main, [*command, "--help"])
    assert res.exit_code == 0, (row, res.output)
    for flag in re.findall(r"--[a-z-]+", row):
        assert flag in res.output, (row, flag)


def test_readme_translation_examples_show_real_output() -> None:
    """Each ``$ nl2seg translate "…"`` block in the README prints what the README shows."""
    session = next(b for b in blocks(README, "text") if "$ nl2seg translate" in b)
    examples = re.split(r"^\$ ", session, flags=re.M)[1:]
    assert len(examples) == 3
    for example in examples:
        command, _, shown = example.partition("\n")
        args = shlex.split(command.split("#")[0])[1:]
        res = CliRunner().invoke(main, [*args, "--as-of", "2026-06-30"])
        assert res.exit_code == (2 if "exit code 2" in command else 0), res.output
        assert " ".join(shown.split()) in " ".join(res.output.split())
