"""What every translator returns, and the interface they share."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from nl2seg.catalog.models import Catalog
from nl2seg.rule.nodes import Rule


class Usage(BaseModel):
    """Tokens an LLM translation used (summed over its attempts)."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Reading(BaseModel):
    """Another way to read the request: the same words, a different rule.

    The translator picks the reading the conventions give (``Translation.rule``) and lists
    the others here, so a reviewer sees the choice instead of a silent guess."""

    model_config = ConfigDict(extra="forbid")

    rule: Rule
    why: str = Field(description="What this reading does differently, in the request's "
                                 "language (« « cette année » pour les deux achats »).")


class Suggestion(BaseModel):
    """An unknown word of a refused request, with the catalog terms nearest to it."""

    model_config = ConfigDict(extra="forbid")

    word: str
    candidates: list[str] = Field(
        default_factory=list,
        description="Catalog phrases in the request's language, nearest first.")


class Translation(BaseModel):
    """A rule (or a refusal) with what the translator assumed and could not use."""

    model_config = ConfigDict(extra="forbid")

    rule: Rule | None = None
    refused: bool = False
    refusal_reason: str | None = Field(
        default=None, description="Why no rule was produced, in the request's language.")
    lang: Literal["fr", "en"] = "fr"
    assumptions: list[str] = Field(default_factory=list)
    unmapped: list[str] = Field(default_factory=list)
    translator: str = "local"
    latency_ms: float = 0.0
    model: str | None = Field(default=None, description="The LLM's model name, if any.")
    attempts: int = Field(default=1, description="Answers asked of the model (1 + repairs).")
    usage: Usage | None = None
    expected_size: int | None = Field(
        default=None, description="A size the request announced ('environ 10 000 clients').")
    repairs: list[str] = Field(
        default_factory=list, description="The validation errors each repair turn sent back.")
    alternatives: list[Reading] = Field(
        default_factory=list,
        description="Other readings of the same words (a time or a place that could attach "
                    "elsewhere); the rule above is the one the conventions give.")
    suggestions: list[Suggestion] = Field(
        default_factory=list,
        description="For a refusal: each unknown word with the nearest catalog terms.")
    partial: Rule | None = Field(
        default=None,
        description="For a refusal: the rule the rest of the request gives without the "
                    "unknown words (never exported as is: a starting point to edit).")


class Translator(Protocol):
    """Anything that turns a request into a :class:`Translation`."""

    def translate(self, request: str, catalog: Catalog, as_of: dt.date) -> Translation:
        ...
