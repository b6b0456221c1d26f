"""The command line: what a user types, what they see, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nl2seg.cli import EXAMPLE_RULE, main


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_demo_init_writes_the_database_and_refuses_to_overwrite(runner: CliRunner,
                                                                tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    res = runner.invoke(main, ["demo", "init", "--customers", "500", "--seed", "3",
                               "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "500 customers" in res.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT customers, seed FROM meta.dataset").fetchone() == (500, 3)
    again = runner.invoke(main, ["demo", "init", "--customers", "500", "--db", str(db)])
    assert again.exit_code != 0 and "--force" in again.output
    assert runner.invoke(main, ["demo", "init", "--customers", "500", "--db", str(db),
                                "--force"]).exit_code == 0


def test_compile_prints_sql_in_each_dialect(runner: CliRunner) -> None:
    for dialect, marker in [("duckdb", "HAVING\n      COUNT(*) >= 2"), ("snowflake", "TIMESTAMPNTZ"),
                            ("bigquery", "DATETIME"), ("postgres", "TIMESTAMP"),
                            ("spark", "TIMESTAMP")]:
        res = runner.invoke(main, ["compile", str(EXAMPLE_RULE), "--dialect", dialect,
                                   "--as-of", "2026-06-30"])
        assert res.exit_code == 0, res.output
        assert res.output.startswith("SELECT DISTINCT")
        assert marker in res.output
        assert "2026-01-01" in res.output


def test_compile_reads_rule_from_stdin(runner: CliRunner) -> None:
    rule = {"where": {"kind": "attribute", "field": "crm.customers.country", "op": "eq",
                      "value": "BE"}}
    res = runner.invoke(main, ["compile", "-", "--as-of", "2026-06-30"], input=json.dumps(rule))
    assert res.exit_code == 0
    assert "c.country = 'BE'" in res.output


def test_preview_json_has_counts_funnel_and_readback(runner: CliRunner, demo_db: Path) -> None:
    res = runner.invoke(main, ["preview", str(EXAMPLE_RULE), "--db", str(demo_db), "--json",
                               "--lang", "en"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["base"] == 3000
    assert 0 < data["count"] < 3000
    assert data["as_of"] == "2026-06-30"  # read from meta.dataset
    assert [s["remaining"] for s in data["funnel"]][-1] == data["count"]
    assert data["readback"].startswith("VIP") or "VIP" in data["readback"]


def test_start_previews_the_example(runner: CliRunner, demo_db: Path) -> None:
    res = runner.invoke(main, ["start", "--db", str(demo_db)])
    assert res.exit_code == 0, res.output
    assert "Audience" in res.output and "/ 3,000" in res.output


def test_catalog_check_passes_on_the_demo_database(runner: CliRunner, demo_db: Path) -> None:
    res = runner.invoke(main, ["catalog", "check", "--db", str(demo_db)])
    assert res.exit_code == 0, res.output
    assert "matches" in res.output


def test_catalog_draft_writes_a_loadable_catalog(runner: CliRunner, demo_db: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    res = runner.invoke(main, ["catalog", "draft", "--db", str(demo_db), "-o", str(out)])
    assert res.exit_code == 0, res.output
    check = runner.invoke(main, ["catalog", "check", "--db", str(demo_db), "--catalog",
                                 str(out)])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(("args", "code"), [
    (["preview", str(EXAMPLE_RULE), "--db", "/nonexistent/x.duckdb"], "db_missing"),
    (["compile", "/nonexistent/rule.json"], "rule_file_missing"),
    (["compile", str(EXAMPLE_RULE), "--catalog", "/nonexistent/c.yaml"], "catalog_not_found"),
])
def test_user_mistakes_give_one_line_and_exit_1(runner: CliRunner, args: list[str],
                                                code: str) -> None:
    res = runner.invoke(main, args)
    assert res.exit_code == 1
    assert f"error [{code}]" in res.output
    assert "Traceback" not in res.output


def test_bad_rule_json_names_the_key(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"where": {"kind": "attribute", "field": "crm.customers.city",
                                         "op": "eq", "value": "Paris", "colour": "red"}}))
    res = runner.invoke(main, ["compile", str(bad), "--as-of", "2026-06-30"])
    assert res.exit_code == 1
    assert "error [rule_unknown_key]" in res.output and "'colour'" in res.output


def test_unknown_column_suggests_the_right_one(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "typo.json"
    bad.write_text(json.dumps({"where": {"kind": "attribute",
                                         "field": "crm.customers.loyality_tier",
                                         "op": "eq", "value": "vip"}}))
    res = runner.invoke(main, ["compile", str(bad), "--as-of", "2026-06-30"])
    assert res.exit_code == 1
    assert ("unknown column 'loyality_tier' in crm.customers — did you mean 'loyalty_tier'?"
            in res.output)


def test_corrupt_database_file(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"this is not a database" * 100)
    res = runner.invoke(main, ["preview", str(EXAMPLE_RULE), "--db", str(db)])
    assert res.exit_code == 1 and "error [db_corrupt]" in res.output


def test_saved_segments_can_be_excluded(runner: CliRunner, demo_db: Path,
                                        tmp_path: Path) -> None:
    seg = tmp_path / "segments"
    seg.mkdir()
    (seg / "parisians.json").write_text(json.dumps({"where": {
        "kind": "attribute", "field": "crm.customers.city", "op": "eq", "value": "Paris"}}))
    rule = tmp_path / "r.json"
    rule.write_text(json.dumps({"where": {"kind": "all", "conditions": [
        {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq", "value": "vip"},
        {"kind": "not", "condition": {"kind": "segment", "segment": "parisians"}}]}}))
    res = runner.invoke(main, ["preview", str(rule), "--db", str(demo_db), "--json",
                               "--segments", str(seg)])
    assert res.exit_code == 0, res.output
    with duckdb.connect(str(demo_db), read_only=True) as con:
        row = con.execute("SELECT COUNT(*) FROM crm.customers WHERE loyalty_tier = 'vip' "
                          "AND city IS DISTINCT FROM 'Paris'").fetchone()
    assert row is not None
    assert json.loads(res.output)["count"] == row[0]


def test_translate_prints_readback_rule_sql_and_json(runner: CliRunner, demo_db: Path) -> None:
    request = "clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois"
    text = runner.invoke(main, ["translate", request, "--db", str(demo_db)])
    assert text.exit_code == 0, text.output
    assert "entre le 1er janvier 2026 et le 30 juin 2026 inclus" in text.output
    rule = runner.invoke(main, ["translate", request, "--db", str(demo_db), "--format", "rule"])
    assert json.loads(rule.output)["where"]["kind"] == "all"
    sql = runner.invoke(main, ["translate", request, "--db", str(demo_db), "--format", "sql",
                               "--dialect", "snowflake"])
    assert sql.output.startswith("SELECT DISTINCT") and "TIMESTAMPNTZ" in sql.output
    data = json.loads(runner.invoke(main, ["translate", request, "--db", str(demo_db),
                                           "--format", "json"]).output)
    assert data["lang"] == "fr" and data["as_of"] == "2026-06-30" and data["assumptions"]


def test_translate_refusal_exits_2_with_the_reason(runner: CliRunner) -> None:
    res = runner.invoke(main, ["translate", "licornes VIP", "--as-of", "2026-06-30"])
    assert res.exit_code == 2
    assert 'je ne sais pas ce que signifie "licornes"' in res.output


def test_preview_accepts_a_request_and_matches_the_rule_file(runner: CliRunner,
                                                              demo_db: Path) -> None:
    request = "clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois"
    by_words = runner.invoke(main, ["preview", request, "--db", str(demo_db), "--json"])
    by_file = runner.invoke(main, ["preview", str(EXAMPLE_RULE), "--db", str(demo_db), "--json"])
    assert by_words.exit_code == 0, by_words.output
    assert json.loads(by_words.output)["count"] == json.loads(by_file.output)["count"]
    assert json.loads(by_words.output)["fingerprint"] == json.loads(by_file.output)["fingerprint"]


def test_preview_reads_back_in_the_request_language_unless_told(runner: CliRunner,
                                                                 demo_db: Path) -> None:
    request = "VIP customers who bought in store in the last 6 months"
    en = json.loads(runner.invoke(main, ["preview", request, "--db", str(demo_db),
                                         "--json"]).output)
    fr = json.loads(runner.invoke(main, ["preview", request, "--db", str(demo_db), "--json",
                                         "--lang", "fr"]).output)
    assert "between 1 January 2026 and 30 June 2026 inclusive" in en["readback"]
    assert "entre le 1er janvier 2026 et le 30 juin 2026 inclus" in fr["readback"]
    assert en["count"] == fr["count"]


def test_consent_step_is_labelled_from_the_catalog(runner: CliRunner, demo_db: Path,
                                                   tmp_path: Path) -> None:
    rule = json.loads(EXAMPLE_RULE.read_text(encoding="utf-8")) | {"channel": "sms"}
    path = tmp_path / "sms.json"
    path.write_text(json.dumps(rule))
    data = json.loads(runner.invoke(main, ["preview", str(path), "--db", str(demo_db),
                                           "--json", "--lang", "fr"]).output)
    assert data["funnel"][-1]["kind"] == "consent"
    assert data["funnel"][-1]["label"] == "consentement SMS : oui, téléphone mobile renseigné"
