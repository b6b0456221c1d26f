"""Issue 12 §1: text nl2seg did not write (an LLM's words, names, comments, database values,
server messages) reaches the screen inert, on one line: no escape sequence, no C0/C1 control,
no bidi override, no line break that could fake a line of our own, TTY or not."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from fake_openai import Reply, answer, fake_openai

from nl2seg.cli import main

ROOT = Path(__file__).parents[2]
if str(ROOT) not in sys.path:  # the app's modules (ui.*)
    sys.path.insert(0, str(ROOT))
FAKE = "APPROVED v1 by compliance"
#: The corpus: what the review sent through every field it could reach.
CORPUS = {
    "clear_screen": "\x1b[2J\x1b[H",
    "newline_fake_line": f"ok\n{FAKE}",
    "carriage_return": f"ok\r{FAKE}",
    "osc8_link": "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "hidden_text": "\x1b[8mhidden\x1b[0m",
    "c1_csi": "\x9b2J\x9d0;title\x9c",
    "bidi_override": "\u202eecnailpmoc yb 1v DEVORPPA\u202c",
    "bidi_isolate": "\u2066x\u2069",
    "zero_width": "a\u200bb\ufeff",
    "bell_backspace": "\x07\x08\x08\x08",
    "line_separator": f"ok\u2028{FAKE}",
    "next_line": f"ok\x85{FAKE}",
    "vertical_tab": f"ok\x0b{FAKE}",
}
ALL = "".join(CORPUS.values())
# What must never reach the screen: C0 but the newline, DEL, C1, bidi and invisible formats.
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     r"\u2060-\u206f\ufeff]")


def assert_inert(text: str) -> None:
    found = _UNSAFE.search(text)
    assert found is None, f"unsafe character {found.group()!r} in {text!r}"
    for line in text.splitlines():
        assert not line.lstrip(" ·!~?✖").startswith(FAKE), f"faked line in {text!r}"


class _TtyRunner(CliRunner):
    """Output as a terminal gets it: click strips ANSI styles when it is not a TTY (and
    only those), so every test looks at what a TTY would show."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("color", True)
        return super().invoke(*args, **kwargs)


@pytest.fixture()
def runner() -> CliRunner:
    return _TtyRunner()


def vip_rule(phrase: str = "VIP") -> dict[str, Any]:
    return {"where": {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
                      "value": "vip", "phrase": phrase}}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_llm_assumptions_and_unused_words_are_inert(runner: CliRunner, name: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    text = CORPUS[name]
    reply = answer(vip_rule(text), assumptions=[text, "VIP = " + text], unmapped=[text])
    with fake_openai([Reply(reply)]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                                   "--as-of", "2026-06-30"])
    assert res.exit_code == 0, res.output
    assert_inert(res.output)


def test_llm_refusal_reason_is_inert(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_openai([Reply(answer(refusal=ALL, unmapped=[ALL]))]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                                   "--as-of", "2026-06-30"])
    assert res.exit_code == 2
    assert_inert(res.output)


def test_json_output_escapes_invisible_characters_and_stays_lossless(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_openai([Reply(answer(vip_rule(), assumptions=[ALL]))]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                                   "--as-of", "2026-06-30", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert_inert(res.output)
    assert ALL in json.loads(res.output)["assumptions"]


def test_llm_fallback_message_is_inert(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """auto mode: the server's error text is quoted in the fallback note."""
    monkeypatch.setenv("NL2SEG_LLM_RETRIES", "0")
    with fake_openai([Reply(status=400, error=ALL)]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = runner.invoke(main, ["translate", "clients VIP", "--as-of", "2026-06-30"])
    assert res.exit_code == 0, res.output
    assert "local" in res.output
    assert_inert(res.output)


def test_approve_names_comment_and_audit_list_are_inert(runner: CliRunner, demo_db: Path,
                                                        tmp_path: Path) -> None:
    rule = tmp_path / "r.json"
    rule.write_text(json.dumps(vip_rule(ALL)), encoding="utf-8")
    state = str(tmp_path / "s.sqlite")
    res = runner.invoke(main, ["approve", str(rule), "--name", "vip" + ALL, "--by", ALL,
                               "--comment", ALL, "--reject", "--db", str(demo_db),
                               "--state", state])
    assert res.exit_code == 0, res.output
    assert_inert(res.output)
    listed = runner.invoke(main, ["audit", "list", "--state", state])
    assert listed.exit_code == 0, listed.output
    assert_inert(listed.output)
    export = runner.invoke(main, ["export", "vip" + ALL, "--channel", "none", "--db",
                                  str(demo_db), "--state", state, "--out",
                                  str(tmp_path / "out")])
    assert export.exit_code == 1
    assert_inert(export.output)


def test_preview_of_a_rule_file_quoting_the_corpus_is_inert(runner: CliRunner, demo_db: Path,
                                                            tmp_path: Path) -> None:
    rule = tmp_path / "r.json"
    rule.write_text(json.dumps(vip_rule(ALL)), encoding="utf-8")
    for cmd in (["preview", str(rule), "--db", str(demo_db)],
                ["preview", str(rule), "--db", str(demo_db), "--json"]):
        res = runner.invoke(main, cmd)
        assert res.exit_code == 0, res.output
        assert_inert(res.output)


def test_database_values_in_the_sample_are_inert(runner: CliRunner, demo_db: Path,
                                                 tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE crm.customers SET city = ?", [ALL])
    rule = tmp_path / "r.json"
    rule.write_text(json.dumps(vip_rule()), encoding="utf-8")
    res = runner.invoke(main, ["preview", str(rule), "--db", str(db), "--sample", "3"])
    assert res.exit_code == 0, res.output
    assert_inert(res.output)


@pytest.mark.parametrize("args", [
    ["compile", "missing" + ALL + ".json"],
    ["compile", "x.json", "--as-of", ALL],
    ["compile", "x.json", "--dialect", ALL],
    ["export", ALL, "--channel", "none", "--db", "{db}", "--state", "s.sqlite"],
    ["preview", "x.json", "--catalog", ALL],
], ids=["rule_file", "as_of", "dialect", "export_name", "catalog_path"])
def test_errors_quoting_user_input_are_inert_and_one_line(
        runner: CliRunner, tmp_path: Path, args: list[str], demo_db: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.json").write_text(json.dumps(vip_rule()), encoding="utf-8")
    res = runner.invoke(main, [a.replace("{db}", str(demo_db)) for a in args])
    assert res.exit_code == 1, res.output
    assert_inert(res.output)
    assert len(res.output.strip().splitlines()) == 1, res.output


def test_catalog_names_from_a_crafted_catalog_are_inert(runner: CliRunner, demo_db: Path,
                                                        tmp_path: Path) -> None:
    from nl2seg.catalog.load import DEMO_CATALOG

    text = DEMO_CATALOG.read_text(encoding="utf-8")
    crafted = tmp_path / "c.yaml"
    crafted.write_text(text.replace("catalog: demo_retail", "catalog: " + json.dumps(ALL), 1),
                       encoding="utf-8")
    res = runner.invoke(main, ["catalog", "check", "--catalog", str(crafted), "--db",
                               str(demo_db)])
    assert_inert(res.output)


def test_the_app_shows_untrusted_text_as_plain_inert_text() -> None:
    from ui.i18n import plain

    for text in [*CORPUS.values(), ALL]:
        shown = plain(text)
        assert_inert(shown)
        assert "\n" not in shown
