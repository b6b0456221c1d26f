"""Eval reports: Markdown for people, JSON for machines, and the CI baseline gate."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.runner import EvalReport, Group


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _table(title: str, groups: dict[str, Group]) -> list[str]:
    lines = [f"| {title} | cases | correct | accuracy | audience cases | exact | exec. accuracy |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for k, g in groups.items():
        lines.append(f"| {k} | {g.cases} | {g.correct} | {_pct(g.accuracy)} | "
                     f"{g.audience_cases} | {g.passed} | {_pct(g.execution_accuracy)} |")
    return lines


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def markdown(report: EvalReport, failures: int = 200) -> str:
    s = report.summary
    d = report.dataset
    out = [f"# Eval report — translator `{report.translator}`"
           + (f" (model `{report.model}`)" if report.model else ""), "",
           f"Dataset: {d.get('customers')} customers, seed {d.get('seed')}, reference date "
           f"{d.get('reference_date')}" + (f"; weak-case check on seed {d['second_seed']}"
                                           if d.get("second_seed") is not None else "") + ".",
           f"{s.cases} cases in {s.seconds:.1f} s.", "",
           "| measure | value |", "|---|---:|",
           f"| execution accuracy (audience cases) | {_pct(s.execution_accuracy)} |",
           f"| refusal accuracy (refusal cases) | {_pct(s.refusal_accuracy)} |",
           f"| overall accuracy | {_pct(s.overall_accuracy)} |",
           f"| refusal precision / recall | {_pct(s.refusal_precision)} / "
           f"{_pct(s.refusal_recall)} |",
           f"| latency median / p95 | {s.latency_ms['median']:.2f} ms / "
           f"{s.latency_ms['p95']:.2f} ms |"]
    if s.prompt_tokens or s.completion_tokens:
        cost = "–" if s.cost_usd is None else f"${s.cost_usd:.4f}"
        out.append(f"| tokens (prompt / completion) | {s.prompt_tokens:,} / "
                   f"{s.completion_tokens:,} |")
        out.append(f"| cost | {cost} |")
    out += ["", "Outcomes: " + ", ".join(f"{k} {v}" for k, v in s.statuses.items()), ""]
    out += ["## By split", "", *_table("split", s.by_split), ""]
    out += ["## By language", "", *_table("lang", s.by_lang), ""]
    out += ["## By number of conditions", "", *_table("conditions", s.by_conditions), ""]
    out += ["## By tag", "", *_table("tag", s.by_tag), ""]
    if s.gold_errors:
        out += [f"**{s.gold_errors} gold queries failed** (see the cases marked gold below).", ""]
    if s.weak_cases:
        weak = [c for c in report.cases if c.weak]
        out += ["## Weak cases (gold set empty or the whole base)", ""]
        out += [f"- `{c.id}`: {', '.join(c.weak)}" for c in weak] + [""]
    bad = [c for c in report.cases if c.status not in ("pass", "refused")]
    out += [f"## Failures ({len(bad)})", ""]
    for c in bad[:failures]:
        out += [f"### `{c.id}` — {c.status} ({c.lang}, {c.split})", "",
                f"> {_cell(c.request)}", "",
                f"- expected: {c.gold_count if c.gold_count is not None else 'a refusal'}; "
                f"produced: {c.count if c.count is not None else '–'}"
                + (f" ({c.missing} missing, {c.extra} extra)" if c.missing is not None else "")]
        if c.readback:
            out.append(f"- read-back: {_cell(c.readback)}")
        if c.detail:
            out.append(f"- detail: {_cell(c.detail)}")
        if c.gold_sql:
            out += ["", "Gold SQL:", "", "```sql", c.gold_sql.strip(), "```"]
        if c.sql:
            out += ["", "Produced SQL:", "", "```sql", c.sql.strip(), "```"]
        out.append("")
    if len(bad) > failures:
        out.append(f"… and {len(bad) - failures} more (see the JSON report).")
    return "\n".join(out) + "\n"


def to_json(report: EvalReport) -> str:
    return report.model_dump_json(indent=2)


class Baseline(BaseModel):
    """The accuracy CI must not fall below (``evals/baseline.json``)."""

    translator: str = "local"
    execution_accuracy: dict[str, float] = Field(default_factory=dict)
    """By split (``dev``, ``test``) and ``all``."""
    refusal_accuracy: float | None = None
    note: str = ""


class BaselineError(Nl2SegError):
    code = "eval_below_baseline"


def load_baseline(path: str | Path) -> Baseline:
    try:
        return Baseline.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc}",
                            code="eval_baseline_invalid") from None


def check_baseline(report: EvalReport, baseline: Baseline) -> list[str]:
    """The ways ``report`` falls short of ``baseline`` (empty when it holds)."""
    s = report.summary
    problems = []
    if s.gold_errors:
        problems.append(f"{s.gold_errors} gold queries failed to run")
    measured = {"all": s.execution_accuracy,
                **{k: g.execution_accuracy for k, g in s.by_split.items()}}
    for split, floor in baseline.execution_accuracy.items():
        got = measured.get(split)
        if got is None:
            problems.append(f"no '{split}' cases to compare with the baseline")
        elif got + 1e-9 < floor:
            problems.append(f"execution accuracy on {split} is {_pct(got)}, below the baseline "
                            f"{_pct(floor)}")
    if baseline.refusal_accuracy is not None and (s.refusal_accuracy or 0) + 1e-9 < \
            baseline.refusal_accuracy:
        problems.append(f"refusal accuracy {_pct(s.refusal_accuracy)} is below the baseline "
                        f"{_pct(baseline.refusal_accuracy)}")
    return problems


def dump_baseline(report: EvalReport) -> str:
    s = report.summary
    b = Baseline(translator=report.translator,
                 execution_accuracy={"all": s.execution_accuracy, **{
                     k: g.execution_accuracy for k, g in s.by_split.items()
                     if g.execution_accuracy is not None}},
                 refusal_accuracy=s.refusal_accuracy,
                 note="Raise as the translator improves; never lower it silently.")
    return json.dumps(b.model_dump(), indent=2) + "\n"
