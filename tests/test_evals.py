"""The eval suite: the case format, gold-query safety, scoring, reports and the CI gate.

Scoring runs on the session's small demo database with hand-written gold queries, so each
status (pass, fail, error, refused, false_refusal, missed_refusal) and each count is known.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from nl2seg.catalog import DEMO_CATALOG, load_catalog
from nl2seg.cli import main
from nl2seg.evaluation.cases import EvalCase, EvalCaseError, load_cases
from nl2seg.evaluation.gold import GoldQueryError, check_gold, gold_ids, lock_down
from nl2seg.evaluation.report import Baseline, check_baseline, markdown
from nl2seg.evaluation.runner import EvalReport, run_eval, summarize
from nl2seg.translate import translate_local

CAT = load_catalog(DEMO_CATALOG)
AS_OF = dt.date(2026, 6, 30)
REPO_CASES = Path(__file__).parent.parent / "evals" / "cases"

VIP_GOLD = "SELECT customer_id FROM crm.customers WHERE loyalty_tier = 'vip'"
STORE_GOLD = """
WITH ref AS (SELECT CAST(reference_date + INTERVAL 1 DAY AS TIMESTAMP) AS e FROM meta.dataset)
SELECT t.customer_id FROM pos.transactions t, ref
WHERE t.customer_id IS NOT NULL AND t.transaction_at >= ref.e - INTERVAL 6 MONTH
  AND t.transaction_at < ref.e
GROUP BY 1 HAVING COUNT(*) >= {n}"""


def case(cid: str, request: str, gold: str | None = None, lang: str = "fr",
         tags: list[str] | None = None, split: str = "dev") -> EvalCase:
    data: dict[str, Any] = {"id": cid, "request": request, "lang": lang,
                            "tags": tags or ["conditions:1"], "split": split}
    data.update({"gold_sql": gold} if gold else {"expect": "refusal"})
    return EvalCase.model_validate(data)


def write_cases(folder: Path, cases: list[dict[str, Any]], name: str = "c.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n",
                    encoding="utf-8")
    return path


# -- the format ---------------------------------------------------------------------------

def test_loader_reads_splits_from_folders_and_skips_blank_lines(tmp_path: Path) -> None:
    write_cases(tmp_path / "dev", [{"id": "a", "request": "VIP", "lang": "fr", "tags": [],
                                    "gold_sql": VIP_GOLD}])
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "t.jsonl").write_text(
        '\n// a comment\n{"id": "b", "request": "hi", "lang": "en", "tags": ["refusal"], '
        '"expect": "refusal"}\n', encoding="utf-8")
    cases = load_cases(tmp_path)
    assert [(c.id, c.split, c.expects_refusal) for c in cases] == [("a", "dev", False),
                                                                  ("b", "test", True)]
    assert cases[1].source.endswith("t.jsonl:3")


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "request": "x", "lang": "fr", "tags": []', "c.jsonl:1: not JSON"),
    ('{"id": "a", "request": "x", "lang": "de", "tags": [], "expect": "refusal"}',
     "c.jsonl:1: lang: Input should be 'fr' or 'en'"),
    ('{"id": "a", "request": "x", "lang": "fr", "tags": []}', "exactly one of 'gold_sql'"),
    ('{"id": "a", "request": "x", "lang": "fr", "tags": [], "expect": "refusal", '
     '"gold_sql": "SELECT 1"}', "exactly one of 'gold_sql'"),
    ('{"id": "a", "request": "x", "lang": "fr", "tags": [], "expect": "refusal", "why": 1}',
     "why: Extra inputs are not permitted"),
    ('[1, 2]', "a case is a JSON object"),
])
def test_loader_points_at_the_bad_line(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "c.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalCaseError) as err:
        load_cases(tmp_path / "c.jsonl")
    assert message in str(err.value)


def test_duplicate_ids_and_missing_paths_are_errors(tmp_path: Path) -> None:
    c = {"id": "same", "request": "x", "lang": "fr", "tags": [], "expect": "refusal"}
    write_cases(tmp_path, [c], "a.jsonl")
    write_cases(tmp_path, [c], "b.jsonl")
    with pytest.raises(EvalCaseError, match="duplicate id 'same'"):
        load_cases(tmp_path)
    with pytest.raises(EvalCaseError, match="not found"):
        load_cases(tmp_path / "nope")


# -- gold queries -------------------------------------------------------------------------

@pytest.mark.parametrize("sql, message", [
    ("DROP TABLE crm.customers", "read-only query"),
    ("SELECT 1; SELECT 2", "one statement"),
    ("INSERT INTO crm.customers SELECT * FROM crm.customers", "read-only query"),
    ("SELEC customer_id FRM", "does not parse"),
])
def test_gold_must_be_one_read_only_query(sql: str, message: str) -> None:
    with pytest.raises(GoldQueryError, match=message):
        check_gold(sql)


def test_gold_runs_without_file_access_and_returns_one_column(demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        lock_down(con)
        with pytest.raises(GoldQueryError, match="gold SQL failed"):
            gold_ids(con, "SELECT * FROM read_csv('/etc/passwd')")
        with pytest.raises(GoldQueryError, match="one column"):
            gold_ids(con, "SELECT customer_id, city FROM crm.customers")
        vip = gold_ids(con, VIP_GOLD)
        expected = {r[0] for r in con.execute(VIP_GOLD).fetchall()}
    assert vip == expected and 0 < len(vip) < 3000


# -- scoring ------------------------------------------------------------------------------

def _score(demo_db: Path, cases: list[EvalCase]) -> EvalReport:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        lock_down(con)
        results, secs = run_eval(cases, lambda r: translate_local(r, CAT, AS_OF), CAT, AS_OF,
                                 con, con)
    return EvalReport(translator="local", dataset={"seed": 7}, summary=summarize(results, secs),
                      cases=results)


def test_each_outcome_is_scored_as_documented(demo_db: Path,
                                              demo_con: duckdb.DuckDBPyConnection) -> None:
    flagship = "clients qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois"
    cases = [
        case("pass", "clients VIP", VIP_GOLD, tags=["loyalty", "conditions:1"]),
        case("pass2", flagship, STORE_GOLD.format(n=2), tags=["purchase", "conditions:1"]),
        # the gold says "at least 3": the translator's (right) reading differs from it
        case("fail", flagship, STORE_GOLD.format(n=3), lang="en", split="test"),
        case("refused", "clients qui aiment les licornes", tags=["refusal"]),
        case("false_refusal", "clients qui aiment les licornes", VIP_GOLD),
        case("missed", "clients VIP", None, lang="en"),
        case("gold_bug", "clients VIP", "SELECT nope FROM crm.customers"),
        case("weak", "clients VIP", "SELECT customer_id FROM crm.customers WHERE FALSE"),
    ]
    report = _score(demo_db, cases)
    by_id = {r.id: r for r in report.cases}
    assert {k: v.status for k, v in by_id.items()} == {
        "pass": "pass", "pass2": "pass", "fail": "fail", "refused": "refused",
        "false_refusal": "false_refusal", "missed": "missed_refusal", "gold_bug": "error",
        "weak": "fail"}
    two = {r[0] for r in demo_con.execute(STORE_GOLD.format(n=2)).fetchall()}
    three = {r[0] for r in demo_con.execute(STORE_GOLD.format(n=3)).fetchall()}
    f = by_id["fail"]
    assert (f.count, f.gold_count, f.extra, f.missing) == (len(two), len(three),
                                                           len(two - three), 0)
    assert f.sql is not None and f.sql.startswith("SELECT DISTINCT") and f.readback
    assert by_id["gold_bug"].gold_error and "gold SQL failed" in (by_id["gold_bug"].detail or "")
    assert by_id["weak"].weak == ["empty on seed 7", "empty on seed 7"]
    s = report.summary
    # audience cases whose gold ran: pass, pass2, fail, false_refusal, weak → 2 / 5
    assert s.execution_accuracy == 0.4 and s.refusal_accuracy == 0.5
    assert s.overall_accuracy == round(3 / 7, 4) and s.gold_errors == 1
    assert (s.refusal_precision, s.refusal_recall) == (0.5, 0.5)
    assert s.by_split["test"].execution_accuracy == 0.0
    assert s.by_lang["en"].cases == 2 and s.by_tag["loyalty"].passed == 1
    assert (s.by_conditions["1"].cases, s.by_conditions["?"].cases) == (6, 1)
    assert s.weak_cases == ["weak"]
    md = markdown(report)
    assert "| execution accuracy (audience cases) | 40.0 % |" in md
    assert "### `fail` — fail (en, test)" in md and "Gold SQL:" in md and "Produced SQL:" in md


def test_baseline_gate() -> None:
    report = EvalReport.model_validate({
        "translator": "local", "dataset": {}, "cases": [], "summary": summarize([])})
    assert check_baseline(report, Baseline(execution_accuracy={"dev": 0.5})) == [
        "no 'dev' cases to compare with the baseline"]
    s = report.summary.model_copy(update={"execution_accuracy": 0.8, "gold_errors": 2})
    report = report.model_copy(update={"summary": s})
    assert check_baseline(report, Baseline(execution_accuracy={"all": 0.81})) == [
        "2 gold queries failed to run",
        "execution accuracy on all is 80.0 %, below the baseline 81.0 %"]


def test_cli_eval_writes_reports_and_gates(tmp_path: Path, demo_db: Path) -> None:
    cases_dir = tmp_path / "cases"
    write_cases(cases_dir / "dev", [
        {"id": "v", "request": "clients VIP", "lang": "fr", "tags": ["conditions:1"],
         "gold_sql": VIP_GOLD},
        {"id": "r", "request": "bonjour", "lang": "fr", "tags": ["refusal", "chitchat"],
         "expect": "refusal"}])
    base = tmp_path / "baseline.json"
    args = ["eval", "--cases", str(cases_dir), "--db", str(demo_db), "--no-second",
            "--json", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "r.md")]
    res = CliRunner().invoke(main, [*args, "--write-baseline", str(base)])
    assert res.exit_code == 0, res.output
    assert "execution accuracy 100.0%  refusal accuracy 100.0%" in res.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["summary"]["cases"] == 2 and data["summary"]["execution_accuracy"] == 1.0
    assert [c["status"] for c in data["cases"]] == ["pass", "refused"]
    assert {"id", "status", "sql", "gold_count", "count"} <= set(data["cases"][0])
    assert json.loads(base.read_text())["execution_accuracy"] == {"all": 1.0, "dev": 1.0}
    base.write_text(json.dumps({"execution_accuracy": {"dev": 1.0}, "refusal_accuracy": 1.0}))
    write_cases(cases_dir / "dev", [
        {"id": "v", "request": "clients VIP", "lang": "fr", "tags": [],
         "gold_sql": VIP_GOLD + " AND gender = 'F'"}])
    low = CliRunner().invoke(main, [*args, "--baseline", str(base)])
    assert low.exit_code == 1
    assert "error [eval_below_baseline]: execution accuracy on dev is 0.0%" in low.output.replace(
        " %", "%")


# -- the shipped case files -----------------------------------------------------------------

def _shipped() -> list[EvalCase]:
    return load_cases(REPO_CASES) if any(REPO_CASES.rglob("*.jsonl")) else []


def test_shipped_cases_follow_the_documented_conventions() -> None:
    cases = _shipped()
    if not cases:
        pytest.skip("no case files yet")
    assert len(cases) >= 300
    assert {c.split for c in cases} == {"dev", "test"}
    langs = [c.lang for c in cases]
    assert 0.4 <= langs.count("fr") / len(langs) <= 0.6
    refusals = [c for c in cases if c.expects_refusal]
    assert 0.07 <= len(refusals) / len(cases) <= 0.15
    for c in cases:
        n = [t for t in c.tags if t.startswith("conditions:")]
        assert len(n) == 1, c.id
        assert ("refusal" in c.tags) == c.expects_refusal, c.id
        if c.gold_sql:
            check_gold(c.gold_sql)
            assert "2026-06-30" not in c.gold_sql, c.id  # the reference date is read, not typed
            if re.search(r"\binterval\b", c.gold_sql, re.I):  # a relative window
                assert "meta.dataset" in c.gold_sql, c.id  # counts from the reference date


def test_cli_eval_scores_the_llm_translator_with_tokens_and_cost(
        tmp_path: Path, demo_db: Path) -> None:
    from fake_openai import Reply, answer, fake_openai

    rule = {"version": 1, "channel": None, "request": "x", "where": {
        "kind": "attribute", "phrase": "VIP", "field": "crm.customers.loyalty_tier",
        "op": "eq", "value": "vip", "values": None}}
    cases_dir = tmp_path / "cases" / "dev"
    write_cases(cases_dir, [
        {"id": "v", "request": "clients VIP", "lang": "fr", "tags": [], "gold_sql": VIP_GOLD},
        {"id": "g", "request": "clients gold", "lang": "fr", "tags": [],
         "gold_sql": VIP_GOLD.replace("'vip'", "'gold'")}])
    with fake_openai([Reply(answer(rule), usage=(1000, 50))]) as srv:
        res = CliRunner().invoke(main, [
            "eval", "--cases", str(tmp_path / "cases"), "--db", str(demo_db), "--no-second",
            "--translator", "llm", "--model", "fake-1", "--json", str(tmp_path / "r.json")],
            env={"OPENAI_BASE_URL": srv.base_url, "NL2SEG_LLM_PRICE": "0.15,0.60"})
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert (data["translator"], data["model"]) == ("llm", "fake-1")
    assert [c["status"] for c in data["cases"]] == ["pass", "fail"]
    s = data["summary"]
    assert (s["prompt_tokens"], s["completion_tokens"]) == (2000, 100)
    assert s["cost_usd"] == round((2000 * 0.15 + 100 * 0.60) / 1e6, 4)
    assert "tokens 2,000 + 100" in res.output
