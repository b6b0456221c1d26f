"""Eval reports: Markdown for people, JSON for machines, and the CI baseline gate."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.results import CORRECT, WRONG, CaseResult, DateOutcome, EvalReport, Group


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _table(title: str, groups: dict[str, Group]) -> list[str]:
    lines = [f"| {title} | cases | correct | accuracy | audience cases | exact | exec. accuracy "
             "| false refusals | silent wrong |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for k, g in groups.items():
        lines.append(f"| {k} | {g.cases} | {g.correct} | {_pct(g.accuracy)} | "
                     f"{g.audience_cases} | {g.passed} | {_pct(g.execution_accuracy)} | "
                     f"{g.false_refusals} ({_pct(g.false_refusal_rate)}) | {g.silent_wrong} |")
    return lines


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _size(n: int | None) -> str:
    return "–" if n is None else f"{n:,}"


def _expected_got(o: DateOutcome) -> str:
    expected = "a refusal" if o.gold_count is None else _size(o.gold_count)
    diff = f" ({o.missing:,} missing, {o.extra:,} extra)" if o.missing is not None else ""
    return f"expected {expected}, got {_size(o.count)}{diff}"


def _second_dates(report: EvalReport) -> tuple[str | None, list[str]]:
    days = list(report.summary.by_date)
    return (days[0] if days else None), days[1:]


def markdown(report: EvalReport, failures: int = 200) -> str:
    s = report.summary
    d = report.dataset
    first, later = _second_dates(report)
    aud = sum(g.audience_cases for g in s.by_split.values())
    out = [f"# Eval report — translator `{report.translator}`"
           + (f" (model `{report.model}`)" if report.model else ""), "",
           f"Dataset: {d.get('customers')} customers, seed {d.get('seed')}, reference date "
           f"{d.get('reference_date')}"
           + (f"; every case scored again at reference date {d['second_date']} (same seed)"
              if d.get("second_date") else "")
           + (f"; weak-case check on seed {d['second_seed']}"
              if d.get("second_seed") is not None else "") + ".",
           f"{s.cases} cases in {s.seconds:.1f} s.", "",
           f"**Silent wrong: {s.silent_wrong} of {aud} audience cases "
           f"({_pct(s.silent_wrong_rate)})** — a wrong audience with no warning and no other "
           "reading shown to the reviewer.", "",
           "| measure | value |", "|---|---:|",
           "| execution accuracy (audience cases" + (", every date" if later else "")
           + f") | {_pct(s.execution_accuracy)} |"]
    for day, g in s.by_date.items() if later else ():
        out.append(f"| execution accuracy at {day} | {_pct(g.execution_accuracy)} |")
    if later:
        out.append(f"| pass at {first}, fail at {', '.join(later)} | "
                   f"{s.failed_only_at_second_date} |")
    out += [f"| silent wrong (share of audience cases) | {s.silent_wrong} "
            f"({_pct(s.silent_wrong_rate)}) |",
            f"| false refusals (share of audience cases) | {s.statuses['false_refusal']} "
            f"({_pct(s.false_refusal_rate)}) |",
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
    if later:
        out += ["## By reference date", "",
                "| reference date | audience cases | exact | exec. accuracy | refusal accuracy "
                "| silent wrong | outcomes |", "|---|---:|---:|---:|---:|---:|---|"]
        out += [f"| {day} | {g.audience_cases} | {g.passed} | {_pct(g.execution_accuracy)} | "
                f"{_pct(g.refusal_accuracy)} | {g.silent_wrong} | "
                + ", ".join(f"{k} {v}" for k, v in g.statuses.items()) + " |"
                for day, g in s.by_date.items()]
        only = [c for c in report.cases if c.failed_on and first not in c.failed_on]
        out += ["", f"Correct at {first}, wrong at {', '.join(later)} ({len(only)}): "
                + (", ".join(f"`{c.id}`" for c in only) or "none") + ".", ""]
    out += ["## By split", "", *_table("split", s.by_split), ""]
    out += ["## By language", "", *_table("lang", s.by_lang), ""]
    out += ["## By number of conditions", "", *_table("conditions", s.by_conditions), ""]
    out += ["## By tag", "", *_table("tag", s.by_tag), ""]
    silent = [c for c in report.cases if c.silent]
    out += [f"## Silent wrong ({len(silent)})", "",
            "Wrong audiences a reviewer would have approved as they stand: no warning of "
            "severity warning or blocking, no other reading.", ""]
    for c in silent:
        wrong = "; ".join(f"{o.status} at {day}: {_expected_got(o)}"
                          for day, o in c.dates.items() if o.status in WRONG)
        out.append(f"- `{c.id}` ({c.split}, {c.lang}) {wrong} — « {_cell(c.request)} »")
    out.append("")
    if s.gold_errors:
        out += [f"**{s.gold_errors} gold queries failed** (see the cases marked gold below).", ""]
    if s.weak_cases:
        weak = [c for c in report.cases if c.weak]
        out += ["## Weak cases (gold set empty or the whole base)", ""]
        out += [f"- `{c.id}`: {', '.join(c.weak)}" for c in weak] + [""]
    bad = [c for c in report.cases if c.status not in ("pass", "refused")]
    out += [f"## Failures ({len(bad)})", ""]
    for c in bad[:failures]:
        out += _failure(c)
    if len(bad) > failures:
        out.append(f"… and {len(bad) - failures} more (see the JSON report).")
    return "\n".join(out) + "\n"


def _failure(c: CaseResult) -> list[str]:
    out = [f"### `{c.id}` — {c.status} ({c.lang}, {c.split})", "", f"> {_cell(c.request)}", ""]
    sql = c.sql
    if len(c.dates) <= 1:
        out.append(f"- expected: {c.gold_count if c.gold_count is not None else 'a refusal'}; "
                   f"produced: {c.count if c.count is not None else '–'}"
                   + (f" ({c.missing} missing, {c.extra} extra)" if c.missing is not None
                      else ""))
    else:
        for day, o in c.dates.items():
            mark = "" if o.status in CORRECT else " ✗"
            out.append(f"- at {day}: {o.status}{mark}; {_expected_got(o)}")
        sql = next((o.sql for o in c.dates.values() if o.status not in CORRECT and o.sql),
                   c.sql)
    if c.status in WRONG:
        out.append("- flagged to the reviewer by: " + (", ".join(c.flagged_by) or "nothing")
                   + (" (silent wrong)" if c.silent else ""))
    if c.readback:
        out.append(f"- read-back: {_cell(c.readback)}")
    if c.detail:
        out.append(f"- detail: {_cell(c.detail)}")
    if c.gold_sql:
        out += ["", "Gold SQL:", "", "```sql", c.gold_sql.strip(), "```"]
    if sql:
        out += ["", "Produced SQL" + (f" (at {c.failed_on[0]})" if len(c.dates) > 1
                                      and c.failed_on else "") + ":",
                "", "```sql", sql.strip(), "```"]
    out.append("")
    return out


def console_lines(report: EvalReport) -> list[str]:
    """The summary ``nl2seg eval`` prints."""
    s = report.summary

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.1f}%"

    out = [f"{s.cases} cases, translator {report.translator}, {s.seconds:.1f} s",
           f"  execution accuracy {pct(s.execution_accuracy)}  refusal accuracy "
           f"{pct(s.refusal_accuracy)}  overall {pct(s.overall_accuracy)}"]
    first, later = _second_dates(report)
    if later:
        out.append("  by reference date: " + ", ".join(
            f"{day} {pct(g.execution_accuracy)} ({g.passed}/{g.audience_cases})"
            for day, g in s.by_date.items())
            + f"; pass at {first} but fail at {', '.join(later)}: "
              f"{s.failed_only_at_second_date}")
    for name, groups in (("split", s.by_split), ("lang", s.by_lang)):
        out.append(f"  by {name}: " + ", ".join(
            f"{k} {pct(g.execution_accuracy)} ({g.passed}/{g.audience_cases})"
            for k, g in groups.items()))
    out.append(f"  silent wrong {s.silent_wrong} ({pct(s.silent_wrong_rate)} of audience "
               "cases" + (": " + ", ".join(f"{k} {g.silent_wrong}"
                                          for k, g in s.by_split.items()) if s.by_split else "")
               + f"); false refusals {pct(s.false_refusal_rate)} of audience cases")
    out.append("  outcomes: " + ", ".join(f"{k} {v}" for k, v in s.statuses.items() if v))
    out.append(f"  latency median {s.latency_ms['median']:.2f} ms, p95 "
               f"{s.latency_ms['p95']:.2f} ms" + (f"; tokens {s.prompt_tokens:,} + "
                                                  f"{s.completion_tokens:,}"
                                                  if s.prompt_tokens else ""))
    if s.weak_cases:
        out.append(f"  weak cases ({len(s.weak_cases)}): {', '.join(s.weak_cases[:10])}")
    if s.gold_errors:
        out.append(f"  gold queries that failed: {s.gold_errors}")
    return out


def to_json(report: EvalReport) -> str:
    return report.model_dump_json(indent=2)


class Baseline(BaseModel):
    """The accuracy CI must not fall below (``evals/baseline.json``)."""

    translator: str = "local"
    execution_accuracy: dict[str, float] = Field(default_factory=dict)
    """By split (``dev``, ``test``) and ``all``."""
    refusal_accuracy: float | None = None
    silent_wrong: dict[str, int] = Field(default_factory=dict)
    """Ceilings by split and ``all``; a file without them does not gate on silent wrong."""
    second_date: str | None = None
    """The second reference date the figures were measured with (None: not recorded)."""
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
    silent = {"all": s.silent_wrong, **{k: g.silent_wrong for k, g in s.by_split.items()}}
    for split, ceiling in baseline.silent_wrong.items():
        got = silent.get(split)
        if got is None:
            if split not in baseline.execution_accuracy:
                problems.append(f"no '{split}' cases to compare with the baseline")
        elif got > ceiling:
            problems.append(f"silent wrong on {split} is {got}, above the baseline {ceiling}")
    day = report.dataset.get("second_date")
    if baseline.second_date is not None and str(day) != baseline.second_date:
        problems.append(f"the baseline was measured with a second reference date "
                        f"{baseline.second_date}, this run with {day or 'none'}: compare like "
                        f"with like (--second-date {baseline.second_date})")
    return problems


def dump_baseline(report: EvalReport) -> str:
    s = report.summary
    day = report.dataset.get("second_date")
    b = Baseline(translator=report.translator,
                 execution_accuracy={"all": s.execution_accuracy, **{
                     k: g.execution_accuracy for k, g in s.by_split.items()
                     if g.execution_accuracy is not None}},
                 refusal_accuracy=s.refusal_accuracy,
                 silent_wrong={"all": s.silent_wrong,
                               **{k: g.silent_wrong for k, g in s.by_split.items()}},
                 second_date=None if day is None else str(day),
                 note="Raise as the translator improves; never lower it silently.")
    return json.dumps(b.model_dump(), indent=2) + "\n"
