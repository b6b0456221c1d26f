"""Which translator answers, and the second opinion (issue 3 §3).

``auto`` (the default) uses the LLM translator when an endpoint is configured
(``OPENAI_BASE_URL`` or ``OPENAI_API_KEY``), else the local one. When the LLM answers, the
local translator runs too and :func:`~nl2seg.crosscheck.cross_check` compares them. In
``auto`` mode an LLM endpoint that fails (down, timing out, rate limiting) does not stop the
work: the local translation is used and ``fallback`` says why. Asked explicitly with
``llm``, the failure is the answer.

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> from nl2seg.translate.llm import LLMConfig
>>> out = translate_request("clients VIP", load_catalog(), dt.date(2026, 6, 30),
...                         config=LLMConfig())
>>> out.translation.translator, out.second, out.cross_check
('local', None, None)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import duckdb

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.crosscheck import CrossCheck, cross_check
from nl2seg.errors import TranslatorError
from nl2seg.limits import check_request
from nl2seg.translate.llm import LLMConfig, LLMTranslator
from nl2seg.translate.local import translate_local
from nl2seg.translate.result import Translation

Choice = Literal["auto", "local", "llm"]
CHOICES: tuple[Choice, ...] = ("auto", "local", "llm")


@dataclass
class Outcome:
    translation: Translation
    """The translation to use (the LLM's when it answered, else the local one)."""
    second: Translation | None = None
    """The other translator's answer, when both ran."""
    cross_check: CrossCheck | None = None
    fallback: str | None = None
    """Why the configured LLM was not used (``auto`` mode only)."""


def resolve_choice(choice: Choice, config: LLMConfig) -> Literal["local", "llm"]:
    if choice == "local":
        return "local"
    if choice == "llm" and not config.configured:
        raise TranslatorError(
            "no LLM endpoint is configured: set OPENAI_BASE_URL (and OPENAI_API_KEY if the "
            "server wants one), or use --translator local", code="llm_not_configured")
    return "llm" if config.configured else "local"


def translate_request(request: str, catalog: Catalog, as_of: dt.date, *,
                      choice: Choice = "auto", config: LLMConfig | None = None,
                      con: duckdb.DuckDBPyConnection | None = None,
                      lang: Lang | None = None,
                      llm: LLMTranslator | None = None) -> Outcome:
    """Translate with the chosen translator; with the LLM, cross-check against the local one.

    ``con``: a database on which to count how far the two audiences differ. A request over
    :data:`~nl2seg.limits.MAX_REQUEST_CHARS` raises :class:`~nl2seg.errors.RequestTooLong`."""
    check_request(request)  # issue 12 §7: the library's entry point caps the request
    config = config or (llm.config if llm else LLMConfig.from_env())
    which = resolve_choice(choice, config)
    local = translate_local(request, catalog, as_of)
    if which == "local":
        return Outcome(local)
    try:
        main = (llm or LLMTranslator(config)).translate(request, catalog, as_of)
    except TranslatorError as exc:
        if choice == "llm":
            raise
        return Outcome(local, fallback=f"{exc} [{exc.code}]")
    check = cross_check(main, local, catalog, as_of, con, lang or main.lang)
    return Outcome(main, second=local, cross_check=check)
