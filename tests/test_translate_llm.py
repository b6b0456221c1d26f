"""The LLM translator over real HTTP, against a local fake OpenAI-compatible server.

Covers the strict schema (derived from the rule models, checked against rules), the prompt
(conventions, retrieved catalog slice, examples valid for the catalog), success, repair after
an invalid rule, refusals (in the answer and the API's own), malformed JSON, timeouts, rate
limiting with backoff, JSON-mode fallback, errors that say what to do, and the API key never
leaking into results, errors or logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any

import jsonschema
import pytest
from fake_openai import Reply, answer, fake_openai
from hypothesis import HealthCheck, given, settings
from test_properties import rules

from nl2seg.catalog import DEMO_CATALOG, load_catalog, parse_catalog
from nl2seg.errors import TranslatorError
from nl2seg.rule import Rule, canonical
from nl2seg.translate import translate_local
from nl2seg.translate.llm import LLMConfig, LLMTranslator, strict_schema
from nl2seg.translate.llm.catalog_slice import catalog_slice
from nl2seg.translate.llm.prompt import build_messages, examples_for
from nl2seg.translate.llm.schema import full_instance

CAT = load_catalog(DEMO_CATALOG)
AS_OF = dt.date(2026, 6, 30)
KEY = "sk-test-7f3a9c-never-print-me"
VIP = {"phrase": "VIP", "kind": "attribute", "field": "crm.customers.loyalty_tier",
       "op": "eq", "value": "vip", "values": None}
FLAGSHIP = "clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois"


def vip_rule(field: str = "crm.customers.loyalty_tier", value: str = "vip") -> dict[str, Any]:
    return {"version": 1, "where": {**VIP, "field": field, "value": value}, "channel": None,
            "request": "clients VIP"}


def translator(url: str, **kw: Any) -> LLMTranslator:
    cfg = dict(base_url=url, api_key=KEY, model="fake-model", timeout_s=5.0, max_retries=0)
    cfg.update(kw)
    return LLMTranslator(LLMConfig(**cfg))


# -- the strict schema --------------------------------------------------------------------

def _walk(node: Any, path: str = "$") -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        out.append((path, node))
        for k, v in node.items():
            out += _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _walk(v, f"{path}[{i}]")
    return out


def test_strict_schema_has_only_what_strict_mode_accepts() -> None:
    schema = strict_schema()
    objects = 0
    for path, node in _walk(schema):
        if ".properties" in path and path.endswith(tuple(f".{p}" for p in ("properties",))):
            continue
        assert not {"oneOf", "default", "discriminator", "const", "title", "format"} & set(node), path
        if node.get("type") == "object":
            objects += 1
            assert node["additionalProperties"] is False, path
            assert node["required"] == list(node["properties"]), path
        if "$ref" in node:
            assert set(node) == {"$ref"}, path
            assert node["$ref"].removeprefix("#/$defs/") in schema["$defs"], path
    assert objects >= 15  # Answer, Rule, 9 conditions, 4 windows, filter
    # recursion goes through $defs and anyOf (all / any / not hold conditions)
    assert {"$ref": "#/$defs/All"} in schema["$defs"]["Not"]["properties"]["condition"]["anyOf"]
    # optional rule fields are "… or null"; defaults became required values
    ev = schema["$defs"]["EventCondition"]["properties"]
    assert {"type": "null"} in ev["window"]["anyOf"] and {"type": "null"} in ev["property"]["anyOf"]
    assert ev["aggregate"]["type"] == "string" and "null" not in json.dumps(ev["aggregate"])
    jsonschema.Draft202012Validator.check_schema(schema)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules)
def test_every_rule_fits_the_strict_schema_and_comes_back_equal(rule: Rule) -> None:
    instance = {"status": "rule", "reason": None, "rule": full_instance(rule), "unmapped": [],
                "assumptions": []}
    jsonschema.validate(instance, strict_schema())
    assert Rule.model_validate(instance["rule"]) == rule


@pytest.mark.parametrize("request_text", [
    FLAGSHIP, "femmes de 25 à 34 ans qui ont ouvert un email le mois dernier",
    "inactive customers in Lyon excluding VIPs", "bought shoes online since March 2026",
    "clients à fort risque d'attrition pour une campagne SMS",
])
def test_local_translations_fit_the_strict_schema(request_text: str) -> None:
    rule = translate_local(request_text, CAT, AS_OF).rule
    assert rule is not None
    jsonschema.validate({"status": "rule", "reason": None, "rule": full_instance(rule),
                         "unmapped": [], "assumptions": []}, strict_schema())


@pytest.mark.parametrize("breakage", ["missing", "extra", "oneof_tag"])
def test_strict_schema_rejects_what_pydantic_would_reject(breakage: str) -> None:
    inst = {"status": "rule", "reason": None, "rule": vip_rule(), "unmapped": [],
            "assumptions": []}
    where = inst["rule"]["where"]  # type: ignore[index]
    if breakage == "missing":
        del where["values"]
    elif breakage == "extra":
        where["sql"] = "SELECT 1"
    else:
        where["kind"] = "sql"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(inst, strict_schema())


# -- the prompt ---------------------------------------------------------------------------

def test_prompt_holds_conventions_catalog_examples_and_request() -> None:
    msgs = build_messages(FLAGSHIP, CAT, AS_OF)
    system = msgs[0]["content"]
    assert "at least N / au moins N" in system and "crm.customers.loyalty_tier" in system
    assert "Reference date (today): 2026-06-30." in system
    assert msgs[-1] == {"role": "user",
                        "content": f"Request: {FLAGSHIP}\nReference date: 2026-06-30"}
    shots = [m for m in msgs[1:-1] if m["role"] == "assistant"]
    assert len(shots) == 5
    assert all(json.loads(s["content"])["status"] in {"rule", "refusal"} for s in shots)


def test_catalog_slice_keeps_what_the_request_names_within_budget() -> None:
    full = catalog_slice(CAT, "clients VIP")
    assert full.complete  # the demo catalog fits: sent whole
    # room for the named cards and the support tickets ("ouvert": a ticket is opened too),
    # not for the purchases (1,900 characters)
    small = catalog_slice(CAT, "clients VIP lyonnais qui ont ouvert un email", budget=2700)
    assert not small.complete and len(small.text) <= 2700
    assert "purchase" not in small.names
    assert {"crm.customers.loyalty_tier", "crm.customers.city", "email_activity"} <= set(small.names)
    assert "crm.scores.appetence_home" not in small.names


def test_catalog_slice_of_a_large_catalog_fits_the_prompt() -> None:
    data = json.loads(json.dumps(CAT.model_dump(mode="json", exclude_none=True)))
    cols = data["tables"]["crm.customers"]["columns"]
    for i in range(800):
        cols[f"attr_{i:03d}"] = {"type": "VARCHAR",
                                 "label": {"en": f"attribute {i}", "fr": f"attribut {i}"}}
    big = parse_catalog(json.dumps(data), "big")
    whole = sum(len(c) for c in catalog_slice(big, "x", budget=10**9).text)
    s = catalog_slice(big, "clientes VIP qui ont acheté des chaussures")
    assert whole > 60_000 and len(s.text) <= 24_000
    assert {"crm.customers.gender", "crm.customers.loyalty_tier", "purchase"} <= set(s.names)


SECOND = """
catalog: shop
version: "1"
entity: {name: member, table: app.members, key: id, label: {en: members, fr: membres}}
sources: {app: {label: {en: app, fr: appli}, refresh: {cadence: daily}}}
tables:
  app.members:
    source: app
    grain: customer
    primary_key: [id]
    customer_key: id
    columns:
      id: {type: BIGINT}
      plan: {type: VARCHAR, label: {en: plan, fr: formule},
             values: [{value: premium, words: {en: [premium], fr: [premium]}}]}
"""


def test_examples_are_only_those_valid_on_the_catalog_in_use() -> None:
    assert len(examples_for(CAT, AS_OF)) == 5
    other = parse_catalog(SECOND, "second")
    assert examples_for(other, AS_OF) == []
    system = build_messages("premium members", other, AS_OF)[0]["content"]
    assert "app.members.plan" in system and "crm.customers" not in system


# -- the translator over HTTP ---------------------------------------------------------------

def test_success_sends_strict_schema_and_records_usage_and_latency() -> None:
    with fake_openai([Reply(answer(vip_rule(), assumptions=["VIP = loyalty tier vip"]))]) as srv:
        t = translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    assert t.rule is not None and not t.refused
    assert canonical(t.rule).where == canonical(Rule.model_validate(vip_rule())).where
    assert t.rule.request == "clients VIP"
    assert (t.translator, t.model, t.attempts) == ("llm", "fake-model", 1)
    assert t.usage is not None and (t.usage.prompt_tokens, t.usage.completion_tokens) == (1200, 80)
    assert t.latency_ms > 0 and t.assumptions == ["VIP = loyalty tier vip"]
    [req] = srv.requests
    fmt = req.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == strict_schema()
    assert req.body["model"] == "fake-model" and req.body["temperature"] == 0
    assert req.headers["authorization"] == f"Bearer {KEY}"


def test_repair_sends_the_validation_errors_back() -> None:
    bad = answer(vip_rule(field="crm.customers.loyality_tier"))
    with fake_openai([Reply(bad), Reply(answer(vip_rule()))]) as srv:
        t = translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    assert t.rule is not None and t.attempts == 2
    assert t.usage is not None and t.usage.prompt_tokens == 2400
    assert len(t.repairs) == 1 and "did you mean 'loyalty_tier'" in t.repairs[0]
    second = srv.requests[1].body["messages"]
    assert second[-2] == {"role": "assistant", "content": bad}
    assert "loyality_tier" in second[-1]["content"] and "Answer again" in second[-1]["content"]


def test_no_valid_rule_after_the_repairs_is_a_clear_failure() -> None:
    bad = answer(vip_rule(value="platinum"))
    with fake_openai([Reply(bad)]) as srv, pytest.raises(TranslatorError) as err:
        translator(srv.base_url, max_repairs=1).translate("clients VIP", CAT, AS_OF)
    assert len(srv.requests) == 2
    assert err.value.code == "llm_invalid_answer"
    assert "in 2 attempts" in str(err.value) and "'platinum'" in str(err.value)
    assert "--translator local" in str(err.value)


def test_malformed_json_is_repaired() -> None:
    with fake_openai([Reply('{"status": "rule", "rule": {'), Reply(answer(vip_rule()))]) as srv:
        t = translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    assert t.rule is not None and t.attempts == 2
    assert "not valid JSON" in t.repairs[0]


def test_answer_off_schema_is_repaired_with_the_schema_errors() -> None:
    with fake_openai([Reply('{"rule": "SELECT * FROM crm.customers"}'),
                      Reply(answer(vip_rule()))]) as srv:
        t = translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    assert t.rule is not None
    assert "does not follow the schema" in t.repairs[0] and "status" in t.repairs[0]


def test_refusal_in_the_answer() -> None:
    reason = 'je ne sais pas ce que signifie "licornes"'
    with fake_openai([Reply(answer(refusal=reason, unmapped=["licornes"]))]) as srv:
        t = translator(srv.base_url).translate("clients qui aiment les licornes", CAT, AS_OF)
    assert t.refused and t.rule is None
    assert t.refusal_reason == reason and t.unmapped == ["licornes"] and t.lang == "fr"


def test_the_apis_own_refusal_is_a_refusal() -> None:
    with fake_openai([Reply(None, refusal="I can't help with that.")]) as srv:
        t = translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    assert t.refused and t.refusal_reason == "I can't help with that."


@pytest.mark.parametrize("text", ["", "   ", "VIP'; DROP TABLE crm.customers; --"])
def test_empty_and_hostile_requests_never_reach_the_model(text: str) -> None:
    with fake_openai([Reply(answer(vip_rule()))]) as srv:
        t = translator(srv.base_url).translate(text, CAT, AS_OF)
    assert t.refused and srv.requests == []


def test_timeout_is_a_clear_error() -> None:
    with fake_openai([Reply(answer(vip_rule()), delay_s=3)]) as srv:
        t0 = time.perf_counter()
        with pytest.raises(TranslatorError) as err:
            translator(srv.base_url, timeout_s=0.3).translate("clients VIP", CAT, AS_OF)
    assert time.perf_counter() - t0 < 2.5
    assert err.value.code == "llm_timeout"
    assert "did not answer within 0.3 s" in str(err.value) and "NL2SEG_LLM_TIMEOUT" in str(err.value)


def test_rate_limit_is_retried_with_backoff_then_succeeds() -> None:
    limited = Reply(status=429, error="Rate limit reached", headers={"retry-after-ms": "20"})
    with fake_openai([limited, limited, Reply(answer(vip_rule()))]) as srv:
        t = translator(srv.base_url, max_retries=2).translate("clients VIP", CAT, AS_OF)
    assert t.rule is not None and len(srv.requests) == 3


def test_rate_limit_beyond_the_retries_is_a_clear_error() -> None:
    limited = Reply(status=429, error="Rate limit reached", headers={"retry-after-ms": "10"})
    with fake_openai([limited]) as srv, pytest.raises(TranslatorError) as err:
        translator(srv.base_url, max_retries=1).translate("clients VIP", CAT, AS_OF)
    assert err.value.code == "llm_rate_limited" and len(srv.requests) == 2


def test_server_without_strict_schemas_falls_back_to_json_mode_once() -> None:
    def responder(body: dict[str, Any]) -> Reply:
        if body["response_format"]["type"] == "json_schema":
            return Reply(status=400, error="response_format json_schema is not supported")
        return Reply(answer(vip_rule()))

    with fake_openai(responder=responder) as srv:
        tr = translator(srv.base_url)
        first = tr.translate("clients VIP", CAT, AS_OF)
        second = tr.translate("clients VIP", CAT, AS_OF)
    assert first.rule is not None and second.rule is not None
    kinds = [r.body["response_format"]["type"] for r in srv.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert "JSON Schema" in srv.requests[1].body["messages"][-1]["content"]


def test_json_schema_mode_forced_does_not_fall_back() -> None:
    with fake_openai([Reply(status=400, error="response_format json_schema is not supported")]) \
            as srv, pytest.raises(TranslatorError) as err:
        translator(srv.base_url, output="json_schema").translate("clients VIP", CAT, AS_OF)
    assert err.value.code == "llm_error" and "HTTP 400" in str(err.value)


def test_unreachable_endpoint_and_wrong_model() -> None:
    with fake_openai([Reply(answer(vip_rule()))]) as srv:
        url = srv.base_url
    with pytest.raises(TranslatorError) as err:
        translator(url).translate("clients VIP", CAT, AS_OF)
    assert err.value.code == "llm_unreachable" and "OPENAI_BASE_URL" in str(err.value)
    with fake_openai([Reply(status=404, error="model not found")]) as srv, \
            pytest.raises(TranslatorError) as err:
        translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    assert err.value.code == "llm_model" and "'fake-model'" in str(err.value)


def test_api_key_never_leaks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with fake_openai([Reply(status=401, error="Incorrect API key provided")]) as srv, \
            pytest.raises(TranslatorError) as err:
        tr = translator(srv.base_url)
        tr.translate("clients VIP", CAT, AS_OF)
    assert err.value.code == "llm_auth" and "OPENAI_API_KEY" in str(err.value)
    with fake_openai([Reply(answer(vip_rule()))]) as srv:
        t = translator(srv.base_url).translate("clients VIP", CAT, AS_OF)
    texts = [str(err.value), repr(tr.config), str(tr.config.model_dump()),
             t.model_dump_json(), caplog.text]
    assert caplog.text  # the client did log at debug level
    assert not [x for x in texts if KEY in x]


def test_usable_as_a_langchain_runnable() -> None:
    with fake_openai([Reply(answer(vip_rule()))]) as srv:
        runnable = translator(srv.base_url).as_runnable(CAT, AS_OF)
        one = runnable.invoke("clients VIP")
        many = runnable.batch(["clients VIP", "  "])
    assert one.rule is not None
    assert [m.refused for m in many] == [False, True]


def test_config_from_environment_and_bad_settings() -> None:
    cfg = LLMConfig.from_env({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": KEY,
                              "NL2SEG_LLM_TIMEOUT": "7.5", "NL2SEG_LLM_REPAIRS": "1"})
    assert (cfg.timeout_s, cfg.max_repairs, cfg.endpoint) == (7.5, 1, "http://127.0.0.1:9")
    assert not LLMConfig.from_env({}).configured
    with pytest.raises(TranslatorError) as err:
        LLMConfig.from_env({"NL2SEG_LLM_TIMEOUT": "soon"})
    assert err.value.code == "llm_config" and "NL2SEG_LLM_TIMEOUT" in str(err.value)
