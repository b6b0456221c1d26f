"""Terminal rendering of a preview (rich tables): presentation only, no logic."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from nl2seg.preview import Preview


def render_preview(p: Preview, readback: str, lang: str = "fr") -> None:
    fr = lang == "fr"
    console = Console()
    console.print(f"[bold]{'Règle' if fr else 'Rule'}[/bold]: {readback}")
    share = f"{p.share:.2%}"
    console.print(f"[bold]Audience[/bold]: {p.count:,} / {p.base:,} "
                  f"({share}) — as_of {p.as_of} — {p.timings_ms['total']:.0f} ms")
    funnel = Table(title="Funnel" if not fr else "Entonnoir")
    for name in (("Étape", "Seule", "Restants", "Retirés", "Sans elle", "Impact") if fr else
                 ("Step", "Alone", "Remaining", "Dropped", "Without it", "Impact")):
        funnel.add_column(name, justify="left" if name in ("Étape", "Step") else "right")
    for s in p.funnel:
        funnel.add_row(s.label, f"{s.alone:,}", f"{s.remaining:,}", f"{s.dropped:,}",
                       f"{s.without:,}", f"+{s.impact:,}")
    console.print(funnel)
    if p.sample:
        sample = Table(title=("Échantillon" if fr else "Sample")
                       + (" (données personnelles masquées)" if fr and p.sample_masked else
                          " (personal data masked)" if p.sample_masked else ""))
        cols = list(p.sample[0])[:8]
        for c in cols:
            sample.add_column(c)
        for row in p.sample:
            sample.add_row(*("" if row[c] is None else str(row[c]) for c in cols))
        console.print(sample)
    console.print(f"fingerprint {p.fingerprint[:16]} · catalog {p.catalog_version}")
