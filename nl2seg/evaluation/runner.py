"""Score a translator on eval cases by execution accuracy (as Spider and BIRD do).

For each case the translator's rule is validated, compiled and run on the eval database;
the case passes when its customers are exactly the gold query's. A refusal case passes when
the translator refuses. Outcomes are counted apart: ``fail`` (a different audience),
``error`` (the translator, compiler or gold query broke), ``refused`` (a refusal case
refused: correct), ``false_refusal`` (an audience case refused), ``missed_refusal`` (a refusal
case given a rule). Gold sets that are empty or the whole base — on the eval dataset or on a
second seed — are flagged *weak*: such cases cannot tell translators apart.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from typing import Literal

import duckdb
from pydantic import BaseModel, Field

from nl2seg.catalog.models import Catalog
from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.cases import EvalCase
from nl2seg.evaluation.gold import GoldQueryError, gold_ids
from nl2seg.translate.result import Translation

Status = Literal["pass", "fail", "error", "refused", "false_refusal", "missed_refusal"]
CORRECT: frozenset[str] = frozenset({"pass", "refused"})


class CaseResult(BaseModel):
    id: str
    request: str
    lang: str
    split: str
    tags: list[str]
    conditions: int | None
    expect_refusal: bool
    status: Status
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


class Group(BaseModel):
    cases: int
    correct: int
    accuracy: float
    """Correct outcomes (pass, or refused when a refusal is expected) over all cases."""
    audience_cases: int
    passed: int
    execution_accuracy: float | None
    """Passes over the cases that expect an audience (None when there are none)."""


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


class EvalReport(BaseModel):
    translator: str
    model: str | None = None
    dataset: dict[str, object]
    summary: Summary
    cases: list[CaseResult]


Translate = Callable[[str], Translation]
Progress = Callable[[int, int, str], None]


def run_case(case: EvalCase, translate: Translate, catalog: Catalog, as_of: dt.date,
             con: duckdb.DuckDBPyConnection, base: int,
             second: tuple[duckdb.DuckDBPyConnection, int, str] | None = None,
             dataset_name: str = "eval") -> CaseResult:
    from nl2seg.compile import compile_rule
    from nl2seg.readback import read_back
    from nl2seg.validate import validate

    out = CaseResult(id=case.id, request=case.request, lang=case.lang, split=case.split,
                     tags=case.tags, conditions=case.conditions,
                     expect_refusal=case.expects_refusal, status="error",
                     gold_sql=case.gold_sql)
    gold: set[int] | None = None
    if case.gold_sql is not None:
        try:
            gold = gold_ids(con, case.gold_sql)
            out.gold_count = len(gold)
            out.weak += _weak(len(gold), base, dataset_name)
            if second is not None:
                scon, sbase, sname = second
                out.weak += _weak(len(gold_ids(scon, case.gold_sql)), sbase, sname)
        except GoldQueryError as exc:
            out.gold_error, out.detail = True, f"gold: {exc}"
            return out
    try:
        t = translate(case.request)
    except Nl2SegError as exc:
        out.detail = f"translator [{exc.code}]: {exc}"
        return out
    out.latency_ms = t.latency_ms
    if t.usage is not None:
        out.prompt_tokens, out.completion_tokens = t.usage.prompt_tokens, t.usage.completion_tokens
    if t.refused or t.rule is None:
        out.status = "refused" if case.expects_refusal else "false_refusal"
        out.detail = t.refusal_reason
        return out
    try:
        compiled = compile_rule(validate(t.rule, catalog, as_of))
        out.sql = compiled.sql()
        out.readback = read_back(t.rule, catalog, as_of, lang=t.lang)
        if case.expects_refusal:
            out.status = "missed_refusal"
            return out
        ids = {int(r[0]) for r in con.execute(compiled.audience().sql(dialect="duckdb"))
               .fetchall()}
    except (Nl2SegError, duckdb.Error) as exc:
        out.detail = f"compile/run: {str(exc).splitlines()[0]}"
        return out
    assert gold is not None
    out.count, out.missing, out.extra = len(ids), len(gold - ids), len(ids - gold)
    out.status = "pass" if ids == gold else "fail"
    return out


def _weak(n: int, base: int, name: str) -> list[str]:
    if n == 0:
        return [f"empty on {name}"]
    if n == base:
        return [f"whole base on {name}"]
    return []


def summarize(results: list[CaseResult], seconds: float = 0.0,
              price_per_mtok: tuple[float, float] | None = None) -> Summary:
    """Accuracies over the cases whose gold query ran (a broken gold is the case's bug, not
    the translator's: it is counted in ``gold_errors``, which fails the CI gate)."""
    statuses = {s: sum(r.status == s for r in results)
                for s in ("pass", "fail", "error", "refused", "false_refusal", "missed_refusal")}
    everything, results = results, [r for r in results if not r.gold_error]  # case bugs
    aud = [r for r in results if not r.expect_refusal]
    ref = [r for r in results if r.expect_refusal]
    refused_any = [r for r in results if r.status in ("refused", "false_refusal")]
    lat = sorted(r.latency_ms for r in results if r.latency_ms is not None)
    prompt = sum(r.prompt_tokens or 0 for r in results)
    completion = sum(r.completion_tokens or 0 for r in results)
    cost = None
    if price_per_mtok is not None and (prompt or completion):
        cost = round((prompt * price_per_mtok[0] + completion * price_per_mtok[1]) / 1e6, 4)
    return Summary(
        cases=len(everything),
        execution_accuracy=_ratio(statuses["pass"], len(aud)) or 0.0,
        refusal_accuracy=_ratio(statuses["refused"], len(ref)),
        overall_accuracy=_ratio(sum(r.status in CORRECT for r in results), len(results)) or 0.0,
        refusal_precision=_ratio(statuses["refused"], len(refused_any)),
        refusal_recall=_ratio(statuses["refused"], len(ref)),
        statuses=statuses,
        by_lang=_groups(results, lambda r: [r.lang]),
        by_tag=_groups(results, lambda r: [t for t in r.tags if not t.startswith("conditions:")]),
        by_conditions=_groups(results, lambda r: [
            str(r.conditions) if r.conditions is not None else "?"]),
        by_split=_groups(results, lambda r: [r.split]),
        latency_ms={"median": round(statistics.median(lat), 3) if lat else 0.0,
                    "p95": round(_p95(lat), 3) if lat else 0.0},
        prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost,
        gold_errors=sum(r.gold_error for r in everything),
        weak_cases=[r.id for r in everything if r.weak],
        seconds=round(seconds, 2))


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _p95(values: list[float]) -> float:
    k = max(0, min(len(values) - 1, round(0.95 * (len(values) - 1))))
    return values[k]


def _groups(results: list[CaseResult],
            keys: Callable[[CaseResult], list[str]]) -> dict[str, Group]:
    buckets: dict[str, list[CaseResult]] = {}
    for r in results:
        for k in keys(r):
            buckets.setdefault(k, []).append(r)
    out = {}
    for k in sorted(buckets):
        rs = buckets[k]
        aud = [r for r in rs if not r.expect_refusal]
        passed = sum(r.status == "pass" for r in aud)
        correct = sum(r.status in CORRECT for r in rs)
        out[k] = Group(cases=len(rs), correct=correct, accuracy=_ratio(correct, len(rs)) or 0.0,
                       audience_cases=len(aud), passed=passed,
                       execution_accuracy=_ratio(passed, len(aud)))
    return out


def run_eval(cases: list[EvalCase], translate: Translate, catalog: Catalog, as_of: dt.date,
             con: duckdb.DuckDBPyConnection,
             second: duckdb.DuckDBPyConnection | None = None,
             progress: Progress | None = None) -> tuple[list[CaseResult], float]:
    """Run every case; ``progress(done, total, case_id)`` after each. Returns results, seconds."""
    import time

    t0 = time.perf_counter()
    base = _base(con, catalog)
    snd = (second, _base(second, catalog), _seed_name(second)) if second is not None else None
    name = _seed_name(con)
    results = []
    for i, case in enumerate(cases, 1):
        results.append(run_case(case, translate, catalog, as_of, con, base, snd, name))
        if progress is not None:
            progress(i, len(cases), case.id)
    return results, time.perf_counter() - t0


def _base(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> int:
    from sqlglot import exp

    q = exp.select(exp.Count(this=exp.Star())).from_(exp.to_table(catalog.entity.table))
    row = con.execute(q.sql(dialect="duckdb")).fetchone()
    return int(row[0]) if row else 0


def _seed_name(con: duckdb.DuckDBPyConnection) -> str:
    try:
        row = con.execute("SELECT seed FROM meta.dataset").fetchone()
    except duckdb.Error:
        return "dataset"
    return f"seed {row[0]}" if row else "dataset"
