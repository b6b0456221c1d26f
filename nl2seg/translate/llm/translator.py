"""The LLM translator: any OpenAI-compatible endpoint fills the rule's JSON Schema.

The model never writes SQL: it answers an :class:`~nl2seg.translate.llm.schema.Answer`
(a rule or a refusal) through structured output — strict JSON Schema where the server
supports it, JSON mode plus validation where not (``output="auto"`` falls back once, on
the first 400 that names ``response_format``, and remembers). Its rule then goes through
the core's validation; problems go back to the model for at most ``max_repairs`` turns,
then :class:`~nl2seg.errors.TranslatorError` says what failed. HTTP retries with
exponential backoff (429, 5xx, timeouts, honouring ``Retry-After``) are the ``openai``
client's own. Each call ends within ``timeout_s`` and the whole loop within ``deadline_s``
(:mod:`~nl2seg.translate.llm.deadline`), however slowly the server sends. Tokens, latency
and attempts are recorded on the result; the API key is never printed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import openai
from langchain_core.runnables import Runnable, RunnableLambda
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from nl2seg.catalog.models import Catalog
from nl2seg.errors import RuleValidationError, TranslatorError
from nl2seg.limits import check_request
from nl2seg.rule.nodes import Rule
from nl2seg.translate import notes, refuse
from nl2seg.translate.expected import stated_size
from nl2seg.translate.llm.config import LLMConfig
from nl2seg.translate.llm.deadline import DeadlineExceeded, within
from nl2seg.translate.llm.prompt import build_messages
from nl2seg.translate.llm.schema import Answer, strict_schema
from nl2seg.translate.local import detect_lang
from nl2seg.translate.result import Translation, Usage

NAME = "llm"


class _Invalid(Exception):
    """The model's answer is not a valid rule; the message goes back to it."""


class LLMTranslator:
    """Implements :class:`~nl2seg.translate.Translator` over an OpenAI-compatible API."""

    name = NAME

    def __init__(self, config: LLMConfig | None = None,
                 client: openai.OpenAI | None = None) -> None:
        self.config = config or LLMConfig.from_env()
        self._client = client
        self._owned = client is None
        self._output = self.config.output

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            key = self.config.api_key.get_secret_value() if self.config.api_key else "none"
            self._client = openai.OpenAI(
                base_url=self.config.base_url or None, api_key=key,
                timeout=self.config.timeout_s, max_retries=self.config.max_retries)
        return self._client

    # -- the Translator interface -------------------------------------------------------------
    def translate(self, request: str, catalog: Catalog, as_of: dt.date) -> Translation:
        check_request(request)  # issue 12 §7: never send a document to the endpoint
        t0 = time.perf_counter()
        try:
            out = self._translate(request, catalog, as_of)
        except TranslatorError as exc:  # issue 12 §9: a server may echo our headers back
            exc.message = self._redact(exc.message)
            exc.args = (str(exc),)
            raise
        out.latency_ms = (time.perf_counter() - t0) * 1000
        return self._redacted(out)

    def _redact(self, text: str) -> str:
        """``text`` without the API key (an endpoint that echoes the Authorization header
        in an error or in the model's answer must not make us print it)."""
        key = self.config.api_key.get_secret_value() if self.config.api_key else ""
        return text.replace(key, "**********") if len(key) >= 4 else text

    def _redacted(self, out: Translation) -> Translation:
        key = self.config.api_key.get_secret_value() if self.config.api_key else ""
        if len(key) < 4 or key not in out.model_dump_json():
            return out
        return Translation.model_validate_json(self._redact(out.model_dump_json()))

    def as_runnable(self, catalog: Catalog, as_of: dt.date) -> Runnable[str, Translation]:
        """This translator as a langchain-core ``Runnable``: request → Translation.

        >>> import datetime as dt
        >>> from nl2seg.catalog import load_catalog
        >>> r = LLMTranslator(LLMConfig()).as_runnable(load_catalog(), dt.date(2026, 6, 30))
        >>> r.invoke("   ").refused
        True
        """
        return RunnableLambda(lambda request: self.translate(request, catalog, as_of),
                              name="nl2seg-llm-translator")

    # -- one translation ----------------------------------------------------------------------
    def _translate(self, request: str, catalog: Catalog, as_of: dt.date) -> Translation:
        lang = detect_lang(request, catalog)
        if not request.strip(" \t\n.?!"):
            return self._refusal(lang, refuse.message("empty", lang))
        if refuse.hostile(request):
            return self._refusal(lang, refuse.message("hostile", lang))
        usage = Usage()
        repairs: list[tuple[str, str]] = []
        deadline = time.monotonic() + self.config.deadline_s
        for attempt in range(1, self.config.max_repairs + 2):
            messages = build_messages(request, catalog, as_of, repairs=repairs)
            content, refusal = self._complete(messages, usage, deadline)
            base: dict[str, Any] = dict(lang=lang, translator=NAME, model=self.config.model,
                                        attempts=attempt, usage=usage,
                                        repairs=[e for _, e in repairs])
            if refusal is not None:
                return Translation(refused=True, refusal_reason=refusal, **base)
            try:
                answer = _parse(content)
                if answer.status == "refusal" or answer.rule is None:
                    return Translation(
                        refused=True, unmapped=answer.unmapped,
                        refusal_reason=answer.reason or refuse.message("nothing", lang,
                                                                        text=request.strip()),
                        **base)
                rule = _checked(answer.rule, request, catalog, as_of)
            except _Invalid as exc:
                repairs.append((content, str(exc)))
                continue
            assumptions = list(dict.fromkeys(
                [*answer.assumptions, *notes.window_notes(rule, as_of, lang)]))
            return Translation(rule=rule, assumptions=assumptions, unmapped=answer.unmapped,
                               expected_size=stated_size(request), **base)
        raise TranslatorError(
            f"the model gave no valid rule in {len(repairs)} attempts; last problem: "
            f"{repairs[-1][1]} — rephrase the request, use --translator local, or allow more "
            "repairs with NL2SEG_LLM_REPAIRS", code="llm_invalid_answer")

    def _refusal(self, lang: str, reason: str) -> Translation:
        return Translation(refused=True, refusal_reason=reason, lang=lang, translator=NAME,
                           model=self.config.model, attempts=0)

    def _complete(self, messages: list[dict[str, Any]], usage: Usage,
                  deadline: float | None = None) -> tuple[str, str | None]:
        """One chat completion: (content, the model's own refusal if it declined)."""
        left = self.config.deadline_s if deadline is None else deadline - time.monotonic()
        try:
            response = within(lambda: self._create(messages), min(self.config.timeout_s, left),
                              self._abandon)
        except DeadlineExceeded:
            if left <= self.config.timeout_s:
                raise TranslatorError(
                    f"the LLM endpoint {self.config.endpoint} gave no valid rule within "
                    f"{self.config.deadline_s:g} s (NL2SEG_LLM_DEADLINE, repairs included): "
                    "try again, raise it, or use --translator local",
                    code="llm_timeout") from None
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} did not answer within "
                f"{self.config.timeout_s:g} s (NL2SEG_LLM_TIMEOUT, for the whole answer): try "
                "again, raise NL2SEG_LLM_TIMEOUT, or use --translator local",
                code="llm_timeout") from None
        except openai.APITimeoutError:
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} did not answer within "
                f"{self.config.timeout_s:g} s (after {self.config.max_retries} retries): try "
                "again, raise NL2SEG_LLM_TIMEOUT, or use --translator local",
                code="llm_timeout") from None
        except openai.RateLimitError:
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} is rate limiting requests (HTTP 429, "
                f"still after {self.config.max_retries} retries with backoff): wait and retry, "
                "or use --translator local", code="llm_rate_limited") from None
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} refused the credentials "
                f"(HTTP {exc.status_code}): check OPENAI_API_KEY", code="llm_auth") from None
        except openai.NotFoundError:
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} does not know model "
                f"'{self.config.model}' (HTTP 404): check NL2SEG_LLM_MODEL and OPENAI_BASE_URL",
                code="llm_model") from None
        except openai.APIConnectionError:
            raise TranslatorError(
                f"cannot reach the LLM endpoint {self.config.endpoint}: check OPENAI_BASE_URL "
                "and that the server runs, or use --translator local",
                code="llm_unreachable") from None
        except openai.APIStatusError as exc:
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} answered HTTP {exc.status_code}: "
                f"{_short(exc.message)}", code="llm_error") from None
        if not isinstance(response, ChatCompletion):  # HTTP 200 with an HTML page (a proxy)
            raise TranslatorError(
                f"the LLM endpoint {self.config.endpoint} answered with something that is not "
                "an OpenAI-compatible chat completion (an HTML page?): check OPENAI_BASE_URL "
                "(it usually ends in /v1), or use --translator local",
                code="llm_bad_response")
        if response.usage is not None:
            usage.prompt_tokens += response.usage.prompt_tokens or 0
            usage.completion_tokens += response.usage.completion_tokens or 0
        if not response.choices:
            return "", None
        message = response.choices[0].message
        return message.content or "", getattr(message, "refusal", None) or None

    def _abandon(self) -> None:
        """Close our own client's connections (the thread still reading them stops at its
        next read) and make a new client for the next call."""
        if self._owned and self._client is not None:
            client, self._client = self._client, None
            client.close()

    def _create(self, messages: list[dict[str, Any]]) -> Any:
        create: Any = self.client.chat.completions.create  # messages are plain dicts
        if self._output in {"auto", "json_schema"}:
            try:
                return create(
                    model=self.config.model, messages=messages,
                    temperature=self.config.temperature,
                    response_format={"type": "json_schema", "json_schema": {
                        "name": "audience_rule", "strict": True, "schema": strict_schema()}})
            except openai.BadRequestError as exc:
                text = str(exc.message)
                if self._output == "json_schema" or not (
                        "response_format" in text or "json_schema" in text):
                    raise
                self._output = "json_object"  # the server has no strict schemas: JSON mode
        schema_note = {"role": "system", "content": "Answer with one JSON object valid for "
                       "this JSON Schema:\n" + json.dumps(strict_schema(), ensure_ascii=False)}
        return create(
            model=self.config.model, messages=[*messages, schema_note],
            temperature=self.config.temperature, response_format={"type": "json_object"})


def _parse(content: str) -> Answer:
    text = content.strip()
    if text.startswith("```"):  # some local models fence their JSON even in JSON mode
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"the answer is not valid JSON ({exc.msg} at character {exc.pos})") \
            from None
    except (RecursionError, ValueError):  # 5,000 nested brackets; a 5,000-digit number
        raise _Invalid("the answer is nested too deeply or holds a number too long: answer "
                       "with a flat, short rule") from None
    try:
        return Answer.model_validate(data)
    except RecursionError:
        raise _Invalid("the answer is nested too deeply: answer with a flat rule") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
            for e in exc.errors()[:8])
        raise _Invalid(f"the answer does not follow the schema: {problems}") from None


def _checked(rule: Rule, request: str, catalog: Catalog, as_of: dt.date) -> Rule:
    from nl2seg.validate import validate

    rule = rule.model_copy(update={"request": request})
    try:
        validate(rule, catalog, as_of)
    except RuleValidationError as exc:
        raise _Invalid("\n".join(f"- {e}" for e in exc.errors)) from None
    return rule


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"
