"""What an eval run produces: one result per case, the summary, the report (the JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["pass", "fail", "error", "refused", "false_refusal", "missed_refusal"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "refused", "false_refusal",
                                "missed_refusal")
CORRECT: frozenset[str] = frozenset({"pass", "refused"})
WRONG: frozenset[str] = frozenset({"fail", "missed_refusal"})
"""A rule whose audience is wrong: what a reviewer could approve and send."""


class DateOutcome(BaseModel):
    """A case's outcome on the database of one reference date."""

    status: Status
    gold_count: int | None = None
    count: int | None = None
    missing: int | None = None
    extra: int | None = None
    sql: str | None = None
    detail: str | None = None
    flagged_by: list[str] = Field(
        default_factory=list,
        description="For a wrong rule: what a reviewer was shown (see evaluation.flags).")


class CaseResult(BaseModel):
    id: str
    request: str
    lang: str
    split: str
    tags: list[str]
    conditions: int | None
    expect_refusal: bool
    status: Status
    """``pass`` only if the audience equals gold at every reference date; otherwise the
    outcome of a date that went wrong (a wrong audience first)."""
    sql: str | None = None
    gold_sql: str | None = None
    gold_count: int | None = None
    count: int | None = None
    missing: int | None = Field(default=None, description="Gold customers not produced.")
    extra: int | None = Field(default=None, description="Produced customers not in gold.")
    readback: str | None = None
    detail: str | None = Field(default=None, description="Error or refusal message.")
    gold_error: bool = False
    weak: list[str] = Field(default_factory=list)
    latency_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    dates: dict[str, DateOutcome] = Field(
        default_factory=dict,
        description="The outcome at each reference date (ISO), the eval database's first; "
                    "the fields above (sql, counts, detail) are that first date's.")
    failed_on: list[str] = Field(
        default_factory=list, description="The reference dates whose outcome is not correct.")
    flagged_by: list[str] = Field(
        default_factory=list,
        description="Warning codes (severity warning or blocking) and 'alternatives' a "
                    "reviewer saw on the wrong rule, over the dates it was wrong.")
    silent: bool = Field(
        default=False,
        description="Silent wrong: a wrong audience (fail, missed_refusal) with nothing "
                    "flagged at a date it was wrong.")


class Group(BaseModel):
    cases: int
    correct: int
    accuracy: float
    """Correct outcomes (pass, or refused when a refusal is expected) over all cases."""
    audience_cases: int
    passed: int
    execution_accuracy: float | None
    """Passes over the cases that expect an audience (None when there are none)."""
    silent_wrong: int = 0
    false_refusals: int = 0
    false_refusal_rate: float | None = None
    """False refusals over the audience cases."""


class DateGroup(BaseModel):
    """The outcomes at one reference date alone."""

    audience_cases: int
    passed: int
    execution_accuracy: float | None
    refusal_cases: int
    refused: int
    refusal_accuracy: float | None
    silent_wrong: int
    """Wrong at this date with nothing flagged at this date."""
    statuses: dict[str, int]


class Summary(BaseModel):
    cases: int
    execution_accuracy: float
    refusal_accuracy: float | None
    overall_accuracy: float
    refusal_precision: float | None
    refusal_recall: float | None
    statuses: dict[str, int]
    by_lang: dict[str, Group]
    by_tag: dict[str, Group]
    by_conditions: dict[str, Group]
    by_split: dict[str, Group]
    latency_ms: dict[str, float]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    gold_errors: int = 0
    weak_cases: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    silent_wrong: int = 0
    """Cases with a wrong audience that nothing flagged to the reviewer."""
    silent_wrong_rate: float | None = None
    """``silent_wrong`` over the audience cases."""
    false_refusal_rate: float | None = None
    """False refusals over the audience cases."""
    by_date: dict[str, DateGroup] = Field(default_factory=dict)
    failed_only_at_second_date: int = 0
    """Cases correct at the eval database's reference date and not at another one."""


class EvalReport(BaseModel):
    translator: str
    model: str | None = None
    dataset: dict[str, object]
    summary: Summary
    cases: list[CaseResult]
