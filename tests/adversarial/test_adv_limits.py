"""Issue 12 §7: resource limits. A request, a list, a catalog or a model's answer over its
limit is a clear error (or is cut), never minutes of CPU. The local translator's linearity is
measured in ``benchmarks/translate_linear.py``, not here."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai import Reply, answer, fake_openai

from nl2seg.catalog import load_catalog
from nl2seg.catalog.load import DEMO_CATALOG, parse_catalog
from nl2seg.cli import main
from nl2seg.errors import CatalogError, RequestTooLong, RuleValidationError
from nl2seg.limits import (
    MAX_CATALOG_BYTES,
    MAX_LIST_VALUES,
    MAX_REPAIR_ECHO,
    MAX_REQUEST_CHARS,
)
from nl2seg.translate.choose import translate_request
from nl2seg.translate.llm import LLMConfig, LLMTranslator
from nl2seg.validate import parse_rule, validate

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 6, 30)
LONG = "clients VIP à Lyon " * (MAX_REQUEST_CHARS // 10)


def test_the_library_refuses_a_request_over_the_cap_at_once() -> None:
    cat = load_catalog()
    t0 = time.perf_counter()
    with pytest.raises(RequestTooLong, match="fewer words"):
        translate_request(LONG, cat, AS_OF, choice="local")
    with pytest.raises(RequestTooLong):
        LLMTranslator(LLMConfig(base_url="http://127.0.0.1:9/v1")).translate(LONG, cat, AS_OF)
    assert time.perf_counter() - t0 < 1  # refused before any work
    ok = translate_request("clients VIP " * 10, cat, AS_OF, choice="local")
    assert ok.translation.rule is not None


@pytest.mark.parametrize("command", ["translate", "preview"])
def test_the_cli_refuses_a_request_over_the_cap_in_one_line(runner_db: list[str],
                                                            command: str) -> None:
    res = CliRunner().invoke(main, [command, LONG, *runner_db])
    assert res.exit_code == 1, res.output
    assert res.stderr.startswith("error [request_too_long]") and res.stderr.count("\n") == 1


@pytest.fixture()
def runner_db(demo_db: Path) -> list[str]:
    return ["--db", str(demo_db)]


def test_the_apps_request_box_has_a_max_length(demo_db: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    monkeypatch.setenv("NL2SEG_DB", str(demo_db))
    monkeypatch.setenv("NL2SEG_STATE", str(tmp_path / "state.sqlite"))
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=60)
    at.run()
    assert at.text_input(key="request_text").max_chars == MAX_REQUEST_CHARS


def in_rule(n: int) -> dict[str, object]:
    return {"where": {"kind": "attribute", "field": "crm.customers.city", "op": "in",
                      "values": [f"city{i}" for i in range(n)]}}


def test_an_in_list_over_the_cap_is_refused() -> None:
    with pytest.raises(RuleValidationError) as err:
        validate(parse_rule(in_rule(MAX_LIST_VALUES + 1)), load_catalog(), AS_OF)
    assert err.value.code == "list_too_long"
    ok = in_rule(2)
    ok["where"]["values"] = ["Paris", "Lyon"]  # type: ignore[index]
    validate(parse_rule(ok), load_catalog(), AS_OF)


def test_a_catalog_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(DEMO_CATALOG.read_text(encoding="utf-8") + "#" * MAX_CATALOG_BYTES,
                   encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(big)
    assert err.value.code == "catalog_too_large"


def test_yaml_alias_expansion_is_capped() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(8))
    t0 = time.perf_counter()
    with pytest.raises(CatalogError) as err:
        parse_catalog(laughs)
    assert err.value.code == "catalog_too_large"
    with pytest.raises(CatalogError, match="recursive"):
        parse_catalog("a: &a [*a]\n")
    assert time.perf_counter() - t0 < 2
    load_catalog()  # the demo catalog's own anchors still load


def test_a_huge_bad_llm_answer_is_cut_before_it_is_sent_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    bad = answer({"where": {"kind": "attribute", "field": "crm.customers.nope", "op": "eq",
                            "value": "x" * 500_000}})
    with fake_openai([Reply(bad)]) as srv:
        cfg = LLMConfig(base_url=srv.base_url, max_repairs=1, max_retries=0)
        with pytest.raises(Exception, match="no valid rule"):
            LLMTranslator(cfg).translate("clients VIP", load_catalog(), AS_OF)
        repair = srv.requests[-1].body["messages"]
    resent = json.dumps(repair[-2:])
    assert len(resent) < 4 * MAX_REPAIR_ECHO, len(resent)
    assert "characters cut" in resent
