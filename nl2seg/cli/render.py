"""Terminal rendering (rich tables and plain lines): presentation only, no logic."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nl2seg.inert import one_line, safe_json
from nl2seg.preview import Preview


def render_preview(p: Preview, readback: str, lang: str = "fr") -> None:
    fr = lang == "fr"
    console = Console()
    # the read-back quotes request words: printed as text, never as rich markup
    console.print(f"[bold]{'Règle' if fr else 'Rule'}[/bold]: {escape(one_line(readback))}")
    share = f"{p.share:.2%}"
    console.print(f"[bold]Audience[/bold]: {p.count:,} / {p.base:,} "
                  f"({share}) — as_of {p.as_of} — {p.timings_ms['total']:.0f} ms")
    funnel = Table(title="Funnel" if not fr else "Entonnoir")
    for name in (("Étape", "Seule", "Restants", "Retirés", "Sans elle", "Impact") if fr else
                 ("Step", "Alone", "Remaining", "Dropped", "Without it", "Impact")):
        funnel.add_column(name, justify="left" if name in ("Étape", "Step") else "right")
    for s in p.funnel:
        funnel.add_row(escape(one_line(s.label)), f"{s.alone:,}", f"{s.remaining:,}",
                       f"{s.dropped:,}", f"{s.without:,}", f"+{s.impact:,}")
    console.print(funnel)
    if p.sample:
        sample = Table(title=("Échantillon" if fr else "Sample")
                       + (" (données personnelles masquées)" if fr and p.sample_masked else
                          " (personal data masked)" if p.sample_masked else ""))
        cols = list(p.sample[0])[:8]
        for c in cols:
            sample.add_column(escape(one_line(c)))
        for row in p.sample:  # database values: untrusted text too
            sample.add_row(*("" if row[c] is None else escape(one_line(row[c])) for c in cols))
        console.print(sample)
    console.print(f"fingerprint {p.fingerprint[:16]} · catalog "
                  f"{escape(one_line(p.catalog_version))}")


def echo_second_opinion(out: Any, lang: str) -> None:
    if out.fallback:
        click.echo("  ! " + ("traducteur LLM indisponible, traduction locale utilisée : "
                             if lang == "fr" else
                             "LLM translator unavailable, local translation used: ")
                   + one_line(out.fallback))
    if out.cross_check is not None:
        for line in out.cross_check.summary(lang):
            indent = "    " if line.startswith("  ") else "  ! "
            click.echo(indent + one_line(line))


def echo_eval(report: Any) -> None:
    s = report.summary

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.1f}%"

    click.echo(f"{s.cases} cases, translator {report.translator}, {s.seconds:.1f} s")
    click.echo(f"  execution accuracy {pct(s.execution_accuracy)}  refusal accuracy "
               f"{pct(s.refusal_accuracy)}  overall {pct(s.overall_accuracy)}")
    for name, groups in (("split", s.by_split), ("lang", s.by_lang)):
        click.echo(f"  by {name}: " + ", ".join(
            f"{k} {pct(g.execution_accuracy)} ({g.passed}/{g.audience_cases})"
            for k, g in groups.items()))
    click.echo("  outcomes: " + ", ".join(f"{k} {v}" for k, v in s.statuses.items() if v))
    click.echo(f"  latency median {s.latency_ms['median']:.2f} ms, p95 {s.latency_ms['p95']:.2f} "
               "ms" + (f"; tokens {s.prompt_tokens:,} + {s.completion_tokens:,}"
                       if s.prompt_tokens else ""))
    if s.weak_cases:
        click.echo(f"  weak cases ({len(s.weak_cases)}): "
                   + one_line(", ".join(s.weak_cases[:10])))
    if s.gold_errors:
        click.echo(f"  gold queries that failed: {one_line(s.gold_errors)}")


def lines(text: object) -> list[str]:
    """Multi-line untrusted text (a warning's explanation) as printable lines."""
    return [one_line(line) for line in str(text).splitlines()]


def size_text(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", "\u202f") + " clients" if lang == "fr" else f"{n:,} customers"


def echo_readings(views: list[Any], chosen: int, lang: str) -> None:
    """Every reading, the chosen one marked, each with its size when it was measured."""
    fr = lang == "fr"
    for v in views:
        name = (f"Lecture {v.index}" + (" (retenue)" if v.index == chosen else "") + " : "
                if fr else f"Reading {v.index}" + (" (chosen)" if v.index == chosen else "") + ": ")
        size = ""
        if v.count is not None:
            size = " — " + size_text(v.count, lang)
        elif v.error is not None:
            size = " — " + ("taille inconnue" if fr else "size unknown")
        readback = one_line(v.readback)
        click.echo(name + (readback.rstrip(".") if size else readback) + size)
        if v.why:
            click.echo("    " + one_line(v.why))
    click.echo("Choisissez une lecture avec --reading N." if fr else
               "Pick a reading with --reading N.")


def readings_json(views: list[Any], chosen: int) -> list[dict[str, Any]]:
    """The readings other than the chosen one, for ``--json``: index, read-back, why, rule,
    count (null without a database)."""
    return [{"index": v.index, "readback": v.readback, "why": v.why,
             "rule": v.rule.model_dump(mode="json", exclude_none=True), "count": v.count}
            for v in views if v.index != chosen]


def _quoted(words: list[str], lang: str) -> str:
    return ", ".join(f"« {one_line(w)} »" if lang == "fr" else f"'{one_line(w)}'" for w in words)


def echo_refusal(t: Any, partial: str | None) -> None:
    """On stderr: the reason, the catalog terms nearest each unknown word, and what the rest
    of the request reads as, in the request's language."""
    fr = t.lang == "fr"
    click.echo(f"refused: {one_line(t.refusal_reason)}", err=True)
    for s in t.suggestions:
        if s.candidates:
            terms = ", ".join(one_line(c) for c in s.candidates)
            click.echo(f"  {_quoted([s.word], t.lang)} — " + (
                f"Vouliez-vous dire : {terms} ?" if fr else f"Did you mean: {terms}?"), err=True)
    if partial is not None:
        words = [s.word for s in t.suggestions] or list(t.unmapped)
        if fr:
            lead = f"Sans {_quoted(words, 'fr')}, la demande se lit : " if words else \
                "Le reste de la demande se lit : "
        else:
            lead = f"Without {_quoted(words, 'en')} the request reads: " if words else \
                "The rest of the request reads: "
        click.echo("  " + lead + one_line(partial), err=True)


def refusal_json(outcome: Any, partial: str | None) -> str:
    """A refusal for ``--json``: the translation's keys, with ``suggestions`` and ``partial``
    (the rule the rest of the request gives and its read-back, or null)."""
    t = outcome.translation
    data = t.model_dump(mode="json", exclude_none=True)
    data["suggestions"] = [s.model_dump(mode="json") for s in t.suggestions]
    data["partial"] = None if t.partial is None else {
        "rule": t.partial.model_dump(mode="json", exclude_none=True), "readback": partial}
    if outcome.cross_check is not None:
        data["cross_check"] = outcome.cross_check.model_dump(mode="json")
    if outcome.fallback:
        data["fallback"] = outcome.fallback
    return safe_json(json.dumps(data, ensure_ascii=False, indent=2))
