"""Issue 12 §5: each input that gave a traceback now gives one line of error, with the
project's exit codes (1 usage or error, 2 refused). Each test is the review's repro."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fake_openai import Reply, answer, fake_openai

from nl2seg.cli import EXAMPLE_RULE, main


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def assert_one_line_error(res: Result, code: int = 1) -> None:
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error"), res.stderr


def rule_with(value: Any, field: str = "crm.customers.loyalty_points") -> dict[str, Any]:
    return {"where": {"kind": "attribute", "field": field, "op": "gt", "value": value}}


HUGE = int("9" * 400)


@pytest.mark.parametrize("command", ["preview", "approve"])
def test_a_request_over_255_bytes_is_words_not_a_file_name(runner: CliRunner, demo_db: Path,
                                                          tmp_path: Path, command: str) -> None:
    request = "clients VIP " * 30
    extra = ["--name", "vip", "--by", "ann", "--state", str(tmp_path / "s.sqlite")] \
        if command == "approve" else []
    res = runner.invoke(main, [command, request, "--db", str(demo_db), *extra])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code in (0, 1), res.output
    assert "File name too long" not in res.output


@pytest.mark.parametrize("rule", [
    rule_with(HUGE),
    rule_with(-HUGE),
    {"where": {"kind": "age", "field": "crm.customers.birth_date", "op": "gt", "value": HUGE}},
    {"where": {"kind": "score", "field": "crm.scores.churn_score", "op": "between",
               "values": [0, HUGE]}},
    {"where": {"kind": "event", "event": "purchase", "op": "gte", "value": HUGE}},
    {"where": {"kind": "event", "event": "purchase",
               "window": {"kind": "last", "n": HUGE, "unit": "day"}}},
], ids=["attribute", "negative", "age", "score", "event", "window"])
def test_a_400_digit_integer_in_a_rule_file_is_one_line(runner: CliRunner, tmp_path: Path,
                                                         rule: dict[str, Any]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(rule), encoding="utf-8")
    assert_one_line_error(runner.invoke(main, ["compile", str(path), "--as-of", "2026-06-30"]))


def test_a_400_digit_integer_from_the_llm_is_repaired_then_one_line(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NL2SEG_LLM_REPAIRS", "0")
    with fake_openai([Reply(answer(rule_with(HUGE)))]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                                   "--as-of", "2026-06-30"])
    assert_one_line_error(res)


def deep(depth: int) -> str:
    leaf = json.dumps(rule_with(3)["where"])
    return '{"where": ' + '{"kind": "not", "condition": ' * depth + leaf + "}" * depth + "}"


@pytest.mark.parametrize("text", [deep(5000), '{"where": ' + "[" * 5000 + "]" * 5000 + "}"],
                         ids=["nested_not", "nested_lists"])
def test_5000_deep_json_in_a_rule_file_is_one_line(runner: CliRunner, tmp_path: Path,
                                                   text: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(runner.invoke(main, ["compile", str(path), "--as-of", "2026-06-30"]))


def test_5000_deep_json_from_the_llm_is_one_line(runner: CliRunner,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NL2SEG_LLM_REPAIRS", "0")
    body = '{"status": "rule", "rule": ' + deep(5000) + "}"
    with fake_openai([Reply(body)]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                                   "--as-of", "2026-06-30"])
    assert_one_line_error(res)


@pytest.fixture()
def html_server() -> Iterator[str]:
    """An endpoint that answers every POST with HTTP 200 and an HTML page (a captive portal,
    a proxy's login page)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            page = b"<html><body>Please log in to the proxy</body></html>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_200_with_an_html_body_is_one_line(runner: CliRunner, html_server: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", html_server)
    res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                               "--as-of", "2026-06-30"])
    assert_one_line_error(res)
    assert "not an OpenAI-compatible" in res.stderr
    auto = runner.invoke(main, ["translate", "clients VIP", "--as-of", "2026-06-30"])
    assert auto.exit_code == 0, auto.output  # auto mode falls back to the local translator


@pytest.mark.parametrize("env", [{"NL2SEG_LLM_TIMEOUT": "inf"}, {"NL2SEG_LLM_TIMEOUT": "nan"},
                                 {"NL2SEG_LLM_TIMEOUT": "1e300"},
                                 {"OPENAI_BASE_URL": "http://[::1"},
                                 {"OPENAI_BASE_URL": "http://127.0.0.1:99999/v1"},
                                 {"OPENAI_BASE_URL": "ftp://example.org/v1"}],
                         ids=["timeout_inf", "timeout_nan", "timeout_huge", "ipv6_unclosed",
                              "bad_port", "not_http"])
def test_a_bad_llm_setting_is_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                       env: dict[str, str]) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                               "--as-of", "2026-06-30"])
    assert_one_line_error(res)
    assert "llm_config" in res.stderr


def test_a_binary_catalog_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    cat = tmp_path / "c.yaml"
    cat.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 10)
    res = runner.invoke(main, ["compile", str(EXAMPLE_RULE), "--catalog", str(cat),
                               "--as-of", "2026-06-30"])
    assert_one_line_error(res)
    assert "catalog_unreadable" in res.stderr


def test_a_non_utf8_segments_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "segs").mkdir()
    (tmp_path / "segs" / "bad.json").write_bytes(b"\xff\xfe{}")
    res = runner.invoke(main, ["compile", str(EXAMPLE_RULE), "--segments",
                               str(tmp_path / "segs"), "--as-of", "2026-06-30"])
    assert_one_line_error(res)
    assert "segment" in res.stderr


def test_a_non_utf8_rule_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b'{"where": "\xff"}')
    assert_one_line_error(runner.invoke(main, ["compile", str(path), "--as-of", "2026-06-30"]))


# -- the export's output folder -----------------------------------------------------------------
@pytest.fixture()
def approved(runner: CliRunner, demo_db: Path, tmp_path: Path) -> dict[str, str]:
    state = str(tmp_path / "s.sqlite")
    res = runner.invoke(main, ["approve", str(EXAMPLE_RULE), "--name", "vip", "--by", "ann",
                               "--db", str(demo_db), "--state", state, "--ack", "*"])
    if res.exit_code != 0:  # acknowledge whatever the warnings are
        ids = [w.split()[1] for w in res.output.splitlines() if w.strip().startswith("!")]
        res = runner.invoke(main, ["approve", str(EXAMPLE_RULE), "--name", "vip", "--by",
                                   "ann", "--db", str(demo_db), "--state", state,
                                   *[a for i in ids for a in ("--ack", i)]])
    assert res.exit_code == 0, res.output
    return {"db": str(demo_db), "state": state}


def export(runner: CliRunner, approved: dict[str, str], out: str) -> Result:
    return runner.invoke(main, ["export", "vip", "--channel", "none", "--db", approved["db"],
                                "--state", approved["state"], "--out", out])


def test_export_to_dev_full_is_one_line(runner: CliRunner, approved: dict[str, str]) -> None:
    assert_one_line_error(export(runner, approved, "/dev/full/x"))


@pytest.fixture()
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A 64 kB tmpfs (root only: skipped elsewhere), to fill up or make read-only."""
    where = tmp_path / "mnt"
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_export_on_a_full_disk_is_one_line(runner: CliRunner, approved: dict[str, str],
                                           small_mount: Path) -> None:
    with open(small_mount / "filler", "wb", buffering=0) as f:  # fill it to the last page
        try:
            while True:
                f.write(b"x" * 512)
        except OSError:
            pass
    res = export(runner, approved, str(small_mount / "out"))
    assert_one_line_error(res)
    assert "space" in res.stderr


def test_export_to_a_read_only_folder_is_one_line(runner: CliRunner, approved: dict[str, str],
                                                  small_mount: Path) -> None:
    (small_mount / "out").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    res = export(runner, approved, str(small_mount / "out"))
    assert_one_line_error(res)
    assert "read-only" in res.stderr
