"""From case results to the figures: accuracies, silent wrong, by group and by date."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from nl2seg.evaluation.results import (
    CORRECT,
    STATUSES,
    WRONG,
    CaseResult,
    DateGroup,
    Group,
    Summary,
)


def summarize(results: list[CaseResult], seconds: float = 0.0,
              price_per_mtok: tuple[float, float] | None = None) -> Summary:
    """Accuracies over the cases whose gold query ran (a broken gold is the case's bug, not
    the translator's: it is counted in ``gold_errors``, which fails the CI gate)."""
    statuses = {s: sum(r.status == s for r in results) for s in STATUSES}
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
    silent = sum(r.silent for r in results)
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
        seconds=round(seconds, 2),
        silent_wrong=silent, silent_wrong_rate=_ratio(silent, len(aud)),
        false_refusal_rate=_ratio(statuses["false_refusal"], len(aud)),
        by_date=_by_date(results),
        failed_only_at_second_date=sum(_failed_only_later(r) for r in results))


def _by_date(results: list[CaseResult]) -> dict[str, DateGroup]:
    days = list(dict.fromkeys(day for r in results for day in r.dates))
    out = {}
    for day in days:
        pairs = [(r, r.dates[day]) for r in results if day in r.dates]
        aud = [o for r, o in pairs if not r.expect_refusal]
        ref = [o for r, o in pairs if r.expect_refusal]
        passed = sum(o.status == "pass" for o in aud)
        refused = sum(o.status == "refused" for o in ref)
        out[day] = DateGroup(
            audience_cases=len(aud), passed=passed,
            execution_accuracy=_ratio(passed, len(aud)), refusal_cases=len(ref),
            refused=refused, refusal_accuracy=_ratio(refused, len(ref)),
            silent_wrong=sum(o.status in WRONG and not o.flagged_by for _, o in pairs),
            statuses={s: n for s in STATUSES if (n := sum(o.status == s for _, o in pairs))})
    return out


def _failed_only_later(r: CaseResult) -> bool:
    """Correct at the first date (the eval database's), not at a later one."""
    outcomes = list(r.dates.values())
    return bool(outcomes) and outcomes[0].status in CORRECT and any(
        o.status not in CORRECT for o in outcomes[1:])


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
        refused = sum(r.status == "false_refusal" for r in aud)
        correct = sum(r.status in CORRECT for r in rs)
        out[k] = Group(cases=len(rs), correct=correct, accuracy=_ratio(correct, len(rs)) or 0.0,
                       audience_cases=len(aud), passed=passed,
                       execution_accuracy=_ratio(passed, len(aud)),
                       silent_wrong=sum(r.silent for r in rs), false_refusals=refused,
                       false_refusal_rate=_ratio(refused, len(aud)))
    return out
