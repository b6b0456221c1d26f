"""`nl2seg translate` / `preview` with both translators: choice, cross-check, fallback.

The LLM is the local fake OpenAI-compatible server (real HTTP); disagreement counts are
checked against direct queries on the demo database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from fake_openai import Reply, answer, fake_openai

from nl2seg.cli import main

REQUEST = "clients VIP qui ont acheté au moins 2 fois en magasin"


def llm_rule(op: str = "gte", value: int = 2) -> dict[str, Any]:
    """What the fake model answers for REQUEST (``op``/``value`` let it disagree)."""
    return {"version": 1, "channel": None, "request": REQUEST, "where": {
        "kind": "all", "phrase": None, "conditions": [
            {"kind": "attribute", "phrase": "clients VIP", "field": "crm.customers.loyalty_tier",
             "op": "eq", "value": "vip", "values": None},
            {"kind": "event", "phrase": "ont acheté au moins 2 fois", "event": "purchase",
             "filters": [{"phrase": "en magasin", "property": "channel", "op": "eq",
                          "value": "store", "values": None}],
             "window": None, "aggregate": "count", "property": None, "op": op, "value": value,
             "values": None}]}}


def run(args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, args, env=env)


def store_buyers(con: duckdb.DuckDBPyConnection, n: int) -> set[int]:
    return {r[0] for r in con.execute(
        "SELECT c.customer_id FROM crm.customers c JOIN pos.transactions t USING (customer_id) "
        "WHERE c.loyalty_tier = 'vip' GROUP BY 1 HAVING COUNT(*) >= ?", [n]).fetchall()}


def test_auto_uses_the_llm_when_configured_and_reports_agreement(demo_db: Path) -> None:
    with fake_openai([Reply(answer(llm_rule()))]) as srv:
        res = run(["translate", REQUEST, "--db", str(demo_db), "--format", "json"],
                  env={"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "k"})
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["translator"] == "llm" and data["cross_check"]["agree"] is True
    assert data["cross_check"]["overlap"] is None and data["usage"]["prompt_tokens"] == 1200


def test_disagreement_names_the_conditions_and_counts_the_customers(
        demo_db: Path, demo_con: duckdb.DuckDBPyConnection) -> None:
    with fake_openai([Reply(answer(llm_rule("gt", 2)))]) as srv:
        env = {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "k"}
        res = run(["translate", REQUEST, "--db", str(demo_db), "--format", "json"], env=env)
        text = run(["translate", REQUEST, "--db", str(demo_db)], env=env)
    assert res.exit_code == 0, res.output
    cc = json.loads(res.output)["cross_check"]
    at_least_2, at_least_3 = store_buyers(demo_con, 2), store_buyers(demo_con, 3)
    assert at_least_3 < at_least_2 and len(at_least_3) > 0
    o = cc["overlap"]
    assert (o["primary"], o["secondary"], o["both"]) == (len(at_least_3), len(at_least_2),
                                                         len(at_least_3))
    assert (o["only_primary"], o["only_secondary"]) == (0, len(at_least_2 - at_least_3))
    assert set(o["sample_only_secondary"]) <= at_least_2 - at_least_3
    assert cc["only_primary"] == ["ayant plus de 2 achats en magasin depuis toujours "
                                  "(jusqu'au 30 juin 2026)"]
    assert cc["only_secondary"] == ["ayant au moins 2 achats en magasin depuis toujours "
                                    "(jusqu'au 30 juin 2026)"]
    assert text.exit_code == 0
    assert "! désaccord entre les traducteurs llm / local" in text.output
    assert f"{len(at_least_2 - at_least_3)} seulement chez local" in text.output


def test_preview_of_a_request_shows_the_disagreement(demo_db: Path) -> None:
    with fake_openai([Reply(answer(llm_rule("gt", 2)))]) as srv:
        res = run(["preview", REQUEST, "--db", str(demo_db), "--json"],
                  env={"OPENAI_BASE_URL": srv.base_url})
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["translation"]["translator"] == "llm"
    assert data["count"] == data["cross_check"]["overlap"]["primary"]


def test_local_choice_never_calls_the_endpoint(demo_db: Path) -> None:
    with fake_openai([Reply(answer(llm_rule()))]) as srv:
        res = run(["translate", REQUEST, "--translator", "local", "--db", str(demo_db),
                   "--format", "json"], env={"OPENAI_BASE_URL": srv.base_url})
        assert srv.requests == []
    data = json.loads(res.output)
    assert data["translator"] == "local" and "cross_check" not in data


def test_auto_falls_back_to_local_when_the_endpoint_is_down(demo_db: Path) -> None:
    with fake_openai([Reply(answer(llm_rule()))]) as srv:
        url = srv.base_url  # the server stops at the end of the block
    res = run(["translate", REQUEST, "--db", str(demo_db)],
              env={"OPENAI_BASE_URL": url, "NL2SEG_LLM_RETRIES": "0"})
    assert res.exit_code == 0, res.output
    assert "! traducteur LLM indisponible, traduction locale utilisée" in res.output
    assert "[llm_unreachable]" in res.output
    forced = run(["translate", REQUEST, "--translator", "llm", "--db", str(demo_db)],
                 env={"OPENAI_BASE_URL": url, "NL2SEG_LLM_RETRIES": "0"})
    assert forced.exit_code == 1 and "error [llm_unreachable]" in forced.output


def test_llm_without_an_endpoint_says_how_to_configure_one() -> None:
    res = run(["translate", REQUEST, "--translator", "llm", "--as-of", "2026-06-30"])
    assert res.exit_code == 1
    assert "error [llm_not_configured]" in res.output and "OPENAI_BASE_URL" in res.output


def test_llm_refusal_exits_2_and_mentions_the_other_translator(demo_db: Path) -> None:
    with fake_openai([Reply(answer(refusal="je ne sais pas ce que signifie « VIP »"))]) as srv:
        res = CliRunner().invoke(main, ["translate", REQUEST, "--db", str(demo_db)],
                                 env={"OPENAI_BASE_URL": srv.base_url})
    assert res.exit_code == 2
    assert "refused: je ne sais pas ce que signifie « VIP »" in res.output
    assert "the local translator does give a rule" in res.output


@pytest.mark.parametrize("model", ["qwen2.5:7b"])
def test_model_option_reaches_the_endpoint(model: str, demo_db: Path) -> None:
    with fake_openai([Reply(answer(llm_rule()))]) as srv:
        res = run(["translate", REQUEST, "--translator", "llm", "--model", model, "--db",
                   str(demo_db), "--format", "rule"], env={"OPENAI_BASE_URL": srv.base_url})
        assert srv.requests[0].body["model"] == model
    assert res.exit_code == 0 and json.loads(res.output)["where"]["kind"] == "all"
