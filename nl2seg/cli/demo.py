"""``start``, ``app`` and ``demo init``: the synthetic retail dataset and the ways into it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from nl2seg.cli.options import (
    EXAMPLE_RULE,
    db_option,
    friendly_errors,
    parse_date_option,
    state_option,
)
from nl2seg.errors import Nl2SegError
from nl2seg.inert import one_line

APP_SCRIPT = Path(__file__).resolve().parent.parent.parent / "ui" / "app.py"


@click.command()
@db_option
@click.option("--customers", default=200_000, show_default=True,
              help="Size of the demo dataset built when the database is missing.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@friendly_errors
def start(db_path: str, customers: int, lang: str) -> None:
    """Build the demo dataset if missing, then preview an example audience."""
    from nl2seg.cli.render import render_preview
    from nl2seg.cli.rules import run_preview

    if not Path(db_path).exists():
        build_demo(db_path, customers, 42, None, force=False)
    rule_text = EXAMPLE_RULE.read_text(encoding="utf-8")
    shown = run_preview(rule_text, None, db_path, None, None, None, 10, False, lang)
    click.echo(f"Example rule: {EXAMPLE_RULE}")
    render_preview(shown.result, shown.readback, lang)


@click.command("app")
@db_option
@click.option("--customers", default=200_000, show_default=True,
              help="Size of the demo dataset built when the database is missing.")
@state_option
@click.option("--port", default=8501, show_default=True, help="Port of the web app.")
@click.option("--headless/--open-browser", default=True, show_default=True,
              help="Do not open a browser window (the URL is printed).")
@click.option("--four-eyes", is_flag=True, envvar="NL2SEG_FOUR_EYES",
              help="The approver must not be the author.")
@friendly_errors
def app_cmd(db_path: str, customers: int, state_path: str, port: int, headless: bool,
            four_eyes: bool) -> None:
    """Build the demo dataset if missing, then start the review app (Streamlit)."""
    import os
    import subprocess

    if not APP_SCRIPT.exists():
        raise Nl2SegError(f"the app script is not at {APP_SCRIPT}: install from a clone of the "
                          "repository (pip install -e .)", code="app_missing")
    if not Path(db_path).exists():
        build_demo(db_path, customers, 42, None, force=False)
    env = {**os.environ, "NL2SEG_DB": str(Path(db_path).resolve()),
           "NL2SEG_STATE": str(Path(state_path).resolve())}
    if four_eyes:
        env["NL2SEG_FOUR_EYES"] = "1"
    click.echo(f"nl2seg app on http://localhost:{port} (Ctrl+C to stop)")
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.port",
           str(port), "--server.headless", str(headless).lower(),
           "--browser.gatherUsageStats", "false"]
    try:
        sys.exit(subprocess.call(cmd, env=env))
    except KeyboardInterrupt:
        sys.exit(0)


@click.group()
def demo() -> None:
    """The synthetic retail dataset."""


@demo.command("init")
@click.option("--customers", default=200_000, show_default=True, help="Number of customers.")
@click.option("--seed", default=42, show_default=True, help="Random seed (same seed, same data).")
@click.option("--reference-date", callback=parse_date_option, default=None,
              help="The dataset's 'today' (default 2026-06-30).")
@db_option
@click.option("--force", is_flag=True, help="Overwrite an existing database file.")
@friendly_errors
def demo_init(customers: int, seed: int, reference_date: dt.date | None, db_path: str,
              force: bool) -> None:
    """Write the demo DuckDB database (deterministic for a seed and size)."""
    build_demo(db_path, customers, seed, reference_date, force)


def build_demo(db_path: str, customers: int, seed: int, reference_date: dt.date | None,
               force: bool) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from nl2seg.demo.generate import DEFAULT_REFERENCE_DATE, generate_demo

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(f"demo dataset ({customers:,} customers)", total=None)

        def progress(step: str, i: int, total: int) -> None:
            bar.update(task, total=total, completed=i, description=f"demo: {step}")

        try:
            summary = generate_demo(db_path, customers=customers, seed=seed,
                                    reference_date=reference_date or DEFAULT_REFERENCE_DATE,
                                    progress=progress, overwrite=force)
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from None
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        bar.update(task, completed=bar.tasks[0].total or 1, description="demo: done")
    rows = sum(summary.row_counts.values())
    click.echo(f"Wrote {one_line(db_path)}: {summary.customers:,} customers, {rows:,} rows, "
               f"reference date {summary.reference_date}, in {summary.seconds:.1f} s.")
