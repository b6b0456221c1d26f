"""Issue 12 §9: the smaller points, one test each."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from fake_openai import Reply, fake_openai

from nl2seg.catalog import load_catalog
from nl2seg.cli import EXAMPLE_RULE, main
from nl2seg.compile import compile_rule
from nl2seg.db import open_db
from nl2seg.errors import DatabaseError, Nl2SegError
from nl2seg.guard.state import StateStore
from nl2seg.validate import parse_rule, validate

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


# -- reachable means a valid-looking contact ------------------------------------------------------
@pytest.mark.parametrize(("channel", "column", "bad"), [
    ("email", "email", ["", "not-an-email", "a@b", " @x.fr", "a b@c.fr"]),
    ("sms", "phone", ["", "0612345678", "+33 6 12 34 56 78", "+0612345678", "call me"]),
])
def test_reachable_means_a_valid_looking_contact(demo_db: Path, tmp_path: Path, channel: str,
                                                 column: str, bad: list[str]) -> None:
    db = tmp_path / "d.duckdb"
    shutil.copy(demo_db, db)
    consent = {"email": "email_opt_in", "sms": "sms_opt_in"}[channel]
    with duckdb.connect(str(db)) as con:
        ids = [r[0] for r in con.execute(
            f"SELECT customer_id FROM crm.customers WHERE {consent} ORDER BY customer_id "
            f"LIMIT {len(bad)}").fetchall()]
        for cid, value in zip(ids, bad, strict=True):
            con.execute(f"UPDATE crm.customers SET {column} = ? WHERE customer_id = ?",
                        [value, cid])
    rule = parse_rule({"where": {"kind": "attribute", "field": "crm.customers.country",
                                 "op": "is_not_null"}, "channel": channel})
    sql = compile_rule(validate(rule, load_catalog(), AS_OF)).sql(dialect="duckdb")
    with open_db(db) as con:
        members = {r[0] for r in con.execute(sql).fetchall()}
    assert members and not members & set(ids)


# -- usage errors exit 1 (2 means refused) ----------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["compile", str(EXAMPLE_RULE), "--as-of", "30/06/2026"],
    ["compile", str(EXAMPLE_RULE), "--dialect", "oracle"],
    ["compile", str(EXAMPLE_RULE), "--no-such-option"],
    ["translate"],
], ids=["bad_as_of", "unknown_dialect", "unknown_option", "missing_argument"])
def test_usage_errors_exit_1_on_one_line(runner: CliRunner, args: list[str]) -> None:
    res = runner.invoke(main, args)
    assert res.exit_code == 1, res.output
    assert res.stderr.startswith("error [usage]") and res.stderr.count("\n") == 1, res.stderr


def test_help_and_version_still_exit_0(runner: CliRunner) -> None:
    assert runner.invoke(main, ["--help"]).exit_code == 0
    assert runner.invoke(main, ["compile", "--help"]).exit_code == 0


@pytest.mark.parametrize("text", ["2026-W26-1", "2026W261", "20260622", "2026-06-22T00:00",
                                  "2026-06-22 "])
def test_as_of_refuses_iso_week_and_compact_dates(runner: CliRunner, text: str) -> None:
    res = runner.invoke(main, ["compile", str(EXAMPLE_RULE), "--as-of", text])
    assert res.exit_code == 1, res.output
    assert "YYYY-MM-DD" in res.stderr


# -- the API key is never printed -----------------------------------------------------------------
KEY = "sk-test-4f9a8b7c6d5e4f3a2b1c"


def echoing(body: dict[str, object]) -> Reply:
    raise AssertionError("replaced per test")


@pytest.mark.parametrize("where", ["error", "refusal", "assumption"])
def test_an_endpoint_echoing_the_authorization_header_never_shows_the_key(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    echoed = f"your headers: Authorization: Bearer {KEY}"
    if where == "error":
        reply = Reply(status=400, error=echoed)
    elif where == "refusal":
        reply = Reply(json.dumps({"status": "refusal", "reason": echoed, "rule": None,
                                  "unmapped": [], "assumptions": []}))
    else:
        reply = Reply(json.dumps({"status": "rule", "reason": None, "unmapped": [],
                                  "assumptions": [echoed], "rule": {"where": {
                                      "kind": "attribute", "op": "eq", "value": "vip",
                                      "field": "crm.customers.loyalty_tier"}}}))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("NL2SEG_LLM_RETRIES", "0")
    with fake_openai([reply]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        for fmt in ("text", "json"):
            res = runner.invoke(main, ["translate", "clients VIP", "--translator", "llm",
                                       "--as-of", "2026-06-30", "--format", fmt])
            assert KEY not in res.output, res.output
            assert "Authorization" in res.output  # the message itself is kept


# -- a SQLite file as --db ------------------------------------------------------------------------
def test_a_sqlite_file_as_db_is_a_clear_error_without_network(runner: CliRunner,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(DatabaseError) as err:
        open_db(path)
    assert err.value.code == "db_not_duckdb"
    res = runner.invoke(main, ["preview", str(EXAMPLE_RULE), "--db", str(path)])
    assert res.exit_code == 1 and "SQLite" in res.stderr


def test_user_databases_are_opened_with_extension_autoloading_off(demo_db: Path) -> None:
    with open_db(demo_db) as con:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoload_known_extensions', 'autoinstall_known_extensions')").fetchall())
    assert settings == {"autoload_known_extensions": "false",
                        "autoinstall_known_extensions": "false"}


# -- save_audience under concurrency --------------------------------------------------------------
def _save(args: tuple[str, int, object]) -> int | str:
    path, i, barrier = args
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with StateStore(path) as store:
            return store.save_audience("vip", json.dumps({"n": i}), f"fp{i}", f"user{i}")
    except Exception as exc:  # reported to the test
        return f"{type(exc).__name__}: {exc}"


def test_save_audience_from_20_synchronised_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    StateStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(20)
        with ctx.Pool(20) as pool:
            results = pool.map(_save, [(path, i, barrier) for i in range(20)])
    assert all(isinstance(r, int) for r in results), [r for r in results if isinstance(r, str)]
    assert sorted(results) == list(range(1, 21))  # type: ignore[type-var]
    with StateStore(path) as store:
        assert store.verify_audit().ok
        assert len(store.audit_entries()) == 20


# -- a state file on a read-only file system ------------------------------------------------------
@pytest.fixture()
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "ro"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        StateStore(where / "state.sqlite").close()
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize("name", ["state.sqlite", "new/state.sqlite", "new.sqlite"])
def test_a_state_file_on_a_read_only_file_system_says_so(read_only_mount: Path,
                                                         name: str) -> None:
    with pytest.raises(Nl2SegError) as err, StateStore(read_only_mount / name) as store:
        store.audit("note", "ann", {"x": 1})
    assert err.value.code == "state_read_only", err.value
    assert "read-only" in str(err.value) and "corrupt" not in str(err.value)
