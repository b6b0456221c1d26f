"""The eval suite: the case format, gold-query safety, scoring, reports and the CI gate.

Scoring runs on the session's small demo database (and the same data built at the second
reference date) with hand-written gold queries, so each status (pass, fail, error, refused,
false_refusal, missed_refusal), each count and each silent wrong case is known.
"""

from __future__ import annotations

import contextlib
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
from nl2seg.evaluation.report import Baseline, check_baseline, markdown, to_json
from nl2seg.evaluation.runner import EvalReport, Group, Translate, eval_db, run_eval, summarize
from nl2seg.evaluation.suite import EvalSetupError, second_date_path
from nl2seg.rule.nodes import Rule
from nl2seg.translate import translate_local
from nl2seg.translate.result import Reading, Translation

CAT = load_catalog(DEMO_CATALOG)
AS_OF = dt.date(2026, 6, 30)
SECOND = dt.date(2026, 5, 13)
REPO_CASES = Path(__file__).parent.parent / "evals" / "cases"

VIP_GOLD = "SELECT customer_id FROM crm.customers WHERE loyalty_tier = 'vip'"
STORE_GOLD = """
WITH ref AS (SELECT CAST(reference_date + INTERVAL 1 DAY AS TIMESTAMP) AS e FROM meta.dataset)
SELECT t.customer_id FROM pos.transactions t, ref
WHERE t.customer_id IS NOT NULL AND t.transaction_at >= ref.e - INTERVAL 6 MONTH
  AND t.transaction_at < ref.e
GROUP BY 1 HAVING COUNT(*) >= {n}"""
LAST_3_MONTHS = "clients qui ont acheté en magasin sur les 3 derniers mois"
LAST_3_MONTHS_GOLD = STORE_GOLD.format(n=1).replace("6 MONTH", "3 MONTH")
GOLD_TIER = {"kind": "attribute", "phrase": "VIP", "field": "crm.customers.loyalty_tier",
             "op": "eq", "value": "gold"}
NOT_VIP = {**GOLD_TIER, "op": "ne", "value": "vip"}  # most of the base
THIS_QUARTER = {"kind": "event", "phrase": "acheté en magasin sur les 3 derniers mois",
                "event": "purchase", "aggregate": "exists",
                "filters": [{"property": "channel", "op": "eq", "value": "store"}],
                "window": {"kind": "calendar", "unit": "quarter", "phrase": "3 derniers mois"}}


@pytest.fixture(scope="module")
def dated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's demo data (same size and seed) at the second reference date."""
    from nl2seg.demo.generate import generate_demo

    path = tmp_path_factory.mktemp("dated") / "demo-20260513.duckdb"
    generate_demo(path, customers=3000, seed=7, reference_date=SECOND)
    return path


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


def test_every_subfolder_is_a_split(tmp_path: Path) -> None:
    vip = {"request": "VIP", "lang": "fr", "tags": [], "gold_sql": VIP_GOLD}
    write_cases(tmp_path / "blind-1" / "fr", [{"id": "b1", **vip}])
    write_cases(tmp_path / "blind-2", [{"id": "b2", **vip}])
    write_cases(tmp_path / "dev", [{"id": "d", **vip}])
    assert [(c.id, c.split) for c in load_cases(tmp_path)] == [
        ("b1", "blind-1"), ("b2", "blind-2"), ("d", "dev")]
    assert [c.split for c in load_cases(tmp_path / "blind-2")] == ["blind-2"]
    assert [c.split for c in load_cases(tmp_path / "dev" / "c.jsonl")] == ["dev"]


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

def _local(request: str, as_of: dt.date) -> Translation:
    return translate_local(request, CAT, as_of)


def _fixed(where: dict[str, Any], alternative: bool = False) -> Translate:
    """A translator that gives one rule whatever the request and date."""
    def translate(request: str, as_of: dt.date) -> Translation:
        rule = Rule.model_validate({"version": 1, "request": request, "where": where})
        other = [Reading(rule=rule, why="« VIP » au sens large")] if alternative else []
        return Translation(rule=rule, lang="fr", alternatives=other)
    return translate


def _score(demo_db: Path, cases: list[EvalCase], translate: Translate = _local,
           dated: Path | None = None) -> EvalReport:
    with contextlib.ExitStack() as stack:
        con = lock_down(stack.enter_context(duckdb.connect(str(demo_db), read_only=True)))
        db = eval_db(con, CAT)
        second = None
        if dated is not None:
            con2 = lock_down(stack.enter_context(duckdb.connect(str(dated), read_only=True)))
            second = eval_db(con2, CAT, name=f"reference date {SECOND}")
        results, secs = run_eval(cases, translate, CAT, db, second_date=second, weak_on=[db])
    return EvalReport(translator="local", dataset={"seed": 7}, summary=summarize(results, secs),
                      cases=results)


def _ids(con: duckdb.DuckDBPyConnection, sql: str) -> set[int]:
    return {r[0] for r in con.execute(sql).fetchall()}


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
    assert s.false_refusal_rate == 0.2  # 1 of the 5 audience cases
    assert s.overall_accuracy == round(3 / 7, 4) and s.gold_errors == 1
    assert (s.refusal_precision, s.refusal_recall) == (0.5, 0.5)
    assert s.by_split["test"].execution_accuracy == 0.0
    assert s.by_lang["en"].cases == 2 and s.by_tag["loyalty"].passed == 1
    assert (s.by_conditions["1"].cases, s.by_conditions["?"].cases) == (6, 1)
    assert s.weak_cases == ["weak"]
    md = markdown(report)
    assert "| execution accuracy (audience cases) | 40.0 % |" in md
    assert "### `fail` — fail (en, test)" in md and "Gold SQL:" in md and "Produced SQL:" in md


@pytest.mark.parametrize("where, alternative, flagged_by", [
    (GOLD_TIER, False, []),  # "VIP" read as gold: a plausible size, nothing says so
    (GOLD_TIER, True, ["alternatives"]),  # the reviewer was shown another reading
    (NOT_VIP, False, ["volume_most_of_base"]),  # far too large: the volume warning
])
def test_a_wrong_audience_is_silent_unless_the_reviewer_is_told(
        demo_db: Path, demo_con: duckdb.DuckDBPyConnection, where: dict[str, Any],
        alternative: bool, flagged_by: list[str]) -> None:
    cases = [case("vip", "clients VIP", VIP_GOLD, split="test"),
             case("ok", "clients VIP", VIP_GOLD.replace("'vip'", "'gold'"))]
    report = _score(demo_db, cases, _fixed(where, alternative))
    c = report.cases[0]
    assert (c.status, c.silent) == ("fail", not flagged_by)
    assert set(flagged_by) <= set(c.flagged_by) and bool(c.flagged_by) == bool(flagged_by)
    silent = 0 if flagged_by else 1
    s = report.summary
    assert (s.silent_wrong, s.silent_wrong_rate) == (silent, silent / 2)
    assert (s.by_split["test"].silent_wrong, s.by_split["dev"].silent_wrong) == (silent, 0)
    assert json.loads(to_json(report))["summary"]["silent_wrong"] == silent
    md = markdown(report)
    assert f"**Silent wrong: {silent} of 2 audience cases" in md
    assert f"- flagged to the reviewer by: {', '.join(c.flagged_by) or 'nothing'}" in md
    if silent:
        vip, gold = (len(_ids(demo_con, VIP_GOLD)),
                     len(_ids(demo_con, VIP_GOLD.replace("'vip'", "'gold'"))))
        assert (f"- `vip` (test, fr) fail at 2026-06-30: expected {vip:,}, got {gold:,}"
                in md)


def test_a_calendar_window_for_a_rolling_one_fails_at_the_second_date(
        demo_db: Path, dated_db: Path) -> None:
    """On 30 June "the last 3 months" is this quarter; on 13 May it is not."""
    cases = [case("3m", LAST_3_MONTHS, LAST_3_MONTHS_GOLD, tags=["time", "conditions:1"])]
    report = _score(demo_db, cases, _fixed(THIS_QUARTER), dated=dated_db)
    c = report.cases[0]
    assert {d: o.status for d, o in c.dates.items()} == {"2026-06-30": "pass",
                                                         "2026-05-13": "fail"}
    assert (c.status, c.failed_on) == ("fail", ["2026-05-13"])
    assert c.count == c.gold_count  # the top-level counts are the eval date's
    s = report.summary
    assert (s.by_date["2026-06-30"].execution_accuracy,
            s.by_date["2026-05-13"].execution_accuracy) == (1.0, 0.0)
    assert (s.execution_accuracy, s.failed_only_at_second_date) == (0.0, 1)
    md = markdown(report)
    assert "| execution accuracy at 2026-05-13 | 0.0 % |" in md
    assert "| pass at 2026-06-30, fail at 2026-05-13 | 1 |" in md
    assert "Correct at 2026-06-30, wrong at 2026-05-13 (1): `3m`." in md
    assert "- at 2026-05-13: fail ✗; expected" in md
    # the local translator reads the rolling window at both dates
    right = _score(demo_db, cases, dated=dated_db).cases[0]
    assert (right.status, list(right.dates)) == ("pass", ["2026-06-30", "2026-05-13"])


def test_a_gold_set_empty_at_the_second_date_is_weak(demo_db: Path, dated_db: Path) -> None:
    june = ("SELECT DISTINCT customer_id FROM pos.transactions "
            "WHERE customer_id IS NOT NULL AND transaction_at >= TIMESTAMP '2026-06-01'")
    report = _score(demo_db, [case("june", "clients VIP", june)], dated=dated_db)
    assert report.cases[0].weak == ["empty on reference date 2026-05-13"]
    assert report.summary.weak_cases == ["june"]


def test_the_second_date_database_sits_next_to_the_eval_database(tmp_path: Path) -> None:
    built: list[tuple[Any, ...]] = []
    path = second_date_path(str(tmp_path / "x.duckdb"), (3000, 7, AS_OF), SECOND,
                            lambda *args: built.append(args))
    assert path == str(tmp_path / "eval-3000-s7-r20260513.duckdb")
    assert built == [(path, 3000, 7, SECOND)]
    with pytest.raises(EvalSetupError, match="--second-date-db"):
        second_date_path("mine.duckdb", None, SECOND, lambda *args: None)


def test_baseline_gate_on_silent_wrong() -> None:
    report = EvalReport.model_validate({
        "translator": "local", "dataset": {"second_date": "2026-05-13"}, "cases": [],
        "summary": summarize([])})
    group = Group(cases=10, correct=7, accuracy=0.7, audience_cases=10, passed=7,
                  execution_accuracy=0.7, silent_wrong=3)
    s = report.summary.model_copy(update={"silent_wrong": 3, "by_split": {"test": group}})
    report = report.model_copy(update={"summary": s})
    assert check_baseline(report, Baseline(silent_wrong={"all": 3, "test": 2})) == [
        "silent wrong on test is 3, above the baseline 2"]
    assert check_baseline(report, Baseline(silent_wrong={"all": 3, "test": 3})) == []
    # a baseline recorded before silent wrong was measured does not gate on it
    old = Baseline.model_validate_json('{"translator": "local", "execution_accuracy": {}, '
                                       '"refusal_accuracy": null, "note": ""}')
    assert old.silent_wrong == {} and check_baseline(report, old) == []
    # figures measured without the second date are not compared with ones measured with it
    assert check_baseline(report, Baseline(second_date="2026-04-15")) == [
        "the baseline was measured with a second reference date 2026-04-15, this run with "
        "2026-05-13: compare like with like (--second-date 2026-04-15)"]


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


def test_cli_eval_writes_reports_and_gates(tmp_path: Path, demo_db: Path,
                                           dated_db: Path) -> None:
    cases_dir = tmp_path / "cases"
    write_cases(cases_dir / "dev", [
        {"id": "v", "request": "clients VIP", "lang": "fr", "tags": ["conditions:1"],
         "gold_sql": VIP_GOLD},
        {"id": "r", "request": "bonjour", "lang": "fr", "tags": ["refusal", "chitchat"],
         "expect": "refusal"}])
    base = tmp_path / "baseline.json"
    args = ["eval", "--cases", str(cases_dir), "--db", str(demo_db), "--no-second",
            "--second-date-db", str(dated_db),
            "--json", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "r.md")]
    res = CliRunner().invoke(main, [*args, "--write-baseline", str(base)])
    assert res.exit_code == 0, res.output
    assert "execution accuracy 100.0%  refusal accuracy 100.0%" in res.output
    assert "by reference date: 2026-06-30 100.0% (1/1), 2026-05-13 100.0% (1/1)" in res.output
    assert "silent wrong 0 (0.0% of audience cases: dev 0)" in res.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["summary"]["cases"] == 2 and data["summary"]["execution_accuracy"] == 1.0
    assert data["summary"]["silent_wrong"] == 0 and data["dataset"]["second_date"] == "2026-05-13"
    assert [c["status"] for c in data["cases"]] == ["pass", "refused"]
    assert list(data["cases"][0]["dates"]) == ["2026-06-30", "2026-05-13"]
    assert {"id", "status", "sql", "gold_count", "count"} <= set(data["cases"][0])
    recorded = json.loads(base.read_text())
    assert recorded["execution_accuracy"] == {"all": 1.0, "dev": 1.0}
    assert (recorded["silent_wrong"], recorded["second_date"]) == ({"all": 0, "dev": 0},
                                                                   "2026-05-13")
    # the same request, a gold query it no longer matches: a wrong audience nothing flags
    write_cases(cases_dir / "dev", [
        {"id": "v", "request": "clients VIP", "lang": "fr", "tags": [],
         "gold_sql": VIP_GOLD + " AND gender = 'F'"}])
    base.write_text(json.dumps({"execution_accuracy": {"dev": 1.0}, "refusal_accuracy": 1.0}))
    low = CliRunner().invoke(main, [*args, "--baseline", str(base)])
    assert low.exit_code == 1
    assert "error [eval_below_baseline]: execution accuracy on dev is 0.0%" in low.output.replace(
        " %", "%")
    base.write_text(json.dumps({"silent_wrong": {"all": 0}, "second_date": "2026-05-13"}))
    silent = CliRunner().invoke(main, [*args, "--baseline", str(base)])
    assert silent.exit_code == 1
    assert "silent wrong on all is 1, above the baseline 0" in silent.output
    one_date = CliRunner().invoke(main, [*args, "--no-second-date", "--baseline", str(base)])
    assert one_date.exit_code == 1 and "this run with none" in one_date.output
    assert "by reference date" not in one_date.output


# -- the shipped case files -----------------------------------------------------------------

def _shipped() -> list[EvalCase]:
    return load_cases(REPO_CASES) if any(REPO_CASES.rglob("*.jsonl")) else []


def test_shipped_cases_follow_the_documented_conventions() -> None:
    cases = _shipped()
    if not cases:
        pytest.skip("no case files yet")
    assert len(cases) >= 300
    splits = {c.split for c in cases}
    assert {"dev", "test"} <= splits
    assert all(re.fullmatch(r"dev|test|blind-\d+", x) for x in splits), splits
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
            "--no-second-date", "--translator", "llm", "--model", "fake-1", "--json", str(tmp_path / "r.json")],
            env={"OPENAI_BASE_URL": srv.base_url, "NL2SEG_LLM_PRICE": "0.15,0.60"})
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert (data["translator"], data["model"]) == ("llm", "fake-1")
    assert [c["status"] for c in data["cases"]] == ["pass", "fail"]
    s = data["summary"]
    assert (s["prompt_tokens"], s["completion_tokens"]) == (2000, 100)
    assert s["cost_usd"] == round((2000 * 0.15 + 100 * 0.60) / 1e6, 4)
    assert "tokens 2,000 + 100" in res.output


def test_every_eval_option_is_documented_in_the_evals_readme() -> None:
    readme = (REPO_CASES.parent / "README.md").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", "--help"])
    flags = set(re.findall(r"--[a-z][a-z-]+", res.output)) - {"--help"}
    assert {"--second-date", "--no-second-date", "--second-date-db"} <= flags
    assert [f for f in sorted(flags) if f"`{f}" not in readme] == []
    assert "## Honest accuracy: first run on each blind split" in readme
