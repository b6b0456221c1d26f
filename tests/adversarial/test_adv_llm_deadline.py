"""Item 4: a total deadline per call and per repair loop, whatever the server does.

``NL2SEG_LLM_TIMEOUT`` once bounded each socket read: a server trickling one byte a second
never tripped it. Every server here is a local fake on the loopback; every loop is bounded.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from nl2seg.catalog import load_catalog
from nl2seg.errors import TranslatorError
from nl2seg.translate.choose import translate_request
from nl2seg.translate.llm import LLMConfig, LLMTranslator
from tests.fake_openai import Reply, answer, fake_openai

CAT = load_catalog()
AS_OF = dt.date(2026, 6, 30)
VIP = {"version": 1, "channel": None, "request": "clients VIP",
       "where": {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
                 "value": "vip", "phrase": "VIP"}}


def config(url: str, **kw: Any) -> LLMConfig:
    return LLMConfig(**{"base_url": url, "api_key": "sk-test", "model": "fake",
                        "max_retries": 0, **kw})


def test_a_trickling_server_is_cut_at_the_call_deadline() -> None:
    with fake_openai([Reply(answer(VIP), trickle_s=0.25)]) as srv:  # ~600 bytes: ~150 s
        t0 = time.monotonic()
        with pytest.raises(TranslatorError) as err:
            LLMTranslator(config(srv.base_url, timeout_s=1.5)).translate(
                "clients VIP", CAT, AS_OF)
        took = time.monotonic() - t0
    assert err.value.code == "llm_timeout"
    assert took < 1.5 + 1.0, took


def test_the_repair_loop_has_its_own_deadline() -> None:
    """Each answer comes back in time but is wrong: the repairs stop at the loop's deadline."""
    bad = answer({**VIP, "where": {**VIP["where"], "field": "crm.customers.nope"}})
    with fake_openai([Reply(bad, delay_s=0.6)]) as srv:
        t0 = time.monotonic()
        with pytest.raises(TranslatorError) as err:
            LLMTranslator(config(srv.base_url, timeout_s=5, max_repairs=5,
                                 deadline_s=1.5)).translate("clients VIP", CAT, AS_OF)
        took = time.monotonic() - t0
    assert err.value.code == "llm_timeout" and "NL2SEG_LLM_DEADLINE" in str(err.value)
    assert took < 1.5 + 1.0, took
    assert len(srv.requests) <= 3


def test_auto_mode_falls_back_to_the_local_translator_in_time() -> None:
    with fake_openai([Reply(answer(VIP), trickle_s=0.5)]) as srv:
        t0 = time.monotonic()
        out = translate_request("clients VIP", CAT, AS_OF,
                                config=config(srv.base_url, timeout_s=1.0))
        took = time.monotonic() - t0
    assert out.translation.translator == "local" and out.fallback is not None
    assert "llm_timeout" in out.fallback
    assert took < 1.0 + 1.5, took


def test_the_deadline_comes_from_the_environment() -> None:
    cfg = LLMConfig.from_env({"NL2SEG_LLM_TIMEOUT": "3", "NL2SEG_LLM_DEADLINE": "20"})
    assert (cfg.timeout_s, cfg.deadline_s) == (3.0, 20.0)
    with pytest.raises(TranslatorError):
        LLMConfig.from_env({"NL2SEG_LLM_DEADLINE": "0"})
