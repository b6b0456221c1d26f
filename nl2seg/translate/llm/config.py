"""Where the LLM translator's endpoint is and how patient it is, from the environment.

The names are those of the ``openai`` client, so OpenAI, Azure OpenAI (its v1 endpoint),
Ollama, vLLM, LM Studio and llama.cpp servers all work by setting ``OPENAI_BASE_URL``:

==========================  =====================================================  =========
variable                    meaning                                                default
==========================  =====================================================  =========
``OPENAI_BASE_URL``         the OpenAI-compatible endpoint (``…/v1``)              OpenAI's
``OPENAI_API_KEY``          its key (local servers accept any)                     none
``NL2SEG_LLM_MODEL``        model name                                             gpt-4o-mini
``NL2SEG_LLM_TIMEOUT``      seconds for one call, from sending to the last byte    30
``NL2SEG_LLM_DEADLINE``     seconds for one translation, all repairs included      120
``NL2SEG_LLM_RETRIES``      retries with exponential backoff (429, 5xx, timeouts)  2
``NL2SEG_LLM_REPAIRS``      repair turns after an invalid rule                     2
``NL2SEG_LLM_OUTPUT``       ``auto``, ``json_schema`` (strict) or ``json_object``  auto
==========================  =====================================================  =========

The key is a :class:`~pydantic.SecretStr`: it prints as ``**********`` in reprs, logs and
error messages.

>>> c = LLMConfig.from_env({"OPENAI_BASE_URL": "http://localhost:11434/v1",
...                         "OPENAI_API_KEY": "sk-secret", "NL2SEG_LLM_MODEL": "qwen2.5"})
>>> c.configured, c.model, "sk-secret" in repr(c)
(True, 'qwen2.5', False)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from nl2seg.errors import TranslatorError

Output = Literal["auto", "json_schema", "json_object"]


class LLMConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    # finite and bounded: "inf" reached the socket layer as an OverflowError
    timeout_s: float = Field(default=30.0, gt=0, le=3600, allow_inf_nan=False)
    deadline_s: float = Field(default=120.0, gt=0, le=3600, allow_inf_nan=False)
    max_retries: int = Field(default=2, ge=0, le=10)
    max_repairs: int = Field(default=2, ge=0, le=5)
    output: Output = "auto"
    temperature: float = Field(default=0.0, ge=0, le=2)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        """An http(s) URL with a host and a valid port, checked here rather than deep in the
        HTTP client ("http://[::1" raised ValueError there)."""
        if not url:
            return url
        try:
            parts = urlsplit(url)
            _ = parts.port  # raises ValueError for a port out of range
        except ValueError as exc:
            raise ValueError(f"not a valid URL ({exc}): write it like "
                             "http://localhost:11434/v1") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host, like "
                             "http://localhost:11434/v1")
        return url

    @property
    def configured(self) -> bool:
        """An endpoint is configured when a base URL or an API key is set."""
        return bool(self.base_url) or self.api_key is not None

    @property
    def endpoint(self) -> str:
        """Scheme, host and port only: safe to print (no path secrets, no key)."""
        if not self.base_url:
            return "api.openai.com"
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> LLMConfig:
        env = os.environ if env is None else env
        names = {"base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY",
                 "model": "NL2SEG_LLM_MODEL", "timeout_s": "NL2SEG_LLM_TIMEOUT",
                 "deadline_s": "NL2SEG_LLM_DEADLINE",
                 "max_retries": "NL2SEG_LLM_RETRIES", "max_repairs": "NL2SEG_LLM_REPAIRS",
                 "output": "NL2SEG_LLM_OUTPUT"}
        data: dict[str, object] = {k: env[v] for k, v in names.items() if env.get(v)}
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0])
            raise TranslatorError(
                f"invalid LLM setting {names.get(field, field)}: {first['msg']}",
                code="llm_config") from None
