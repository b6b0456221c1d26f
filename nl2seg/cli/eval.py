"""``eval`` and ``eval warnings``: score translators and guardrails on eval cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from nl2seg.cli.demo import build_demo
from nl2seg.cli.options import catalog_option, friendly_errors, model_option, parse_date_option
from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.suite import (
    EVAL_CUSTOMERS,
    EVAL_SECOND_SEED,
    EVAL_SEED,
    SECOND_DATE,
)
from nl2seg.inert import inert_line


def _build(path: str, customers: int, seed: int, reference_date: dt.date | None) -> None:
    build_demo(path, customers, seed, reference_date, False)


@click.group("eval", invoke_without_command=True)
@click.option("--cases", "cases_path", default="evals/cases", show_default=True,
              help="A JSONL case file or a folder of them (each subfolder is a split).")
@click.option("--translator", type=click.Choice(["local", "llm"]), default="local",
              show_default=True, help="The translator to score.")
@model_option
@click.option("--db", "db_path", default=None,
              help=f"Eval database (default: the demo dataset, {EVAL_CUSTOMERS:,} customers, "
                   f"seed {EVAL_SEED}, built if missing).")
@click.option("--second-db", default=None,
              help=f"Second dataset for weak-case detection (default: seed {EVAL_SECOND_SEED}, "
                   "built if missing).")
@click.option("--no-second", is_flag=True, help="Skip the weak-case check on a second seed.")
@click.option("--second-date", callback=parse_date_option, default=SECOND_DATE.isoformat(),
              show_default=True,
              help="Score every case again at this reference date, on the same dataset built "
                   "at that date (next to the eval database, if missing); a case passes only "
                   "if it passes at both dates.")
@click.option("--second-date-db", default=None,
              help="The database for --second-date (default: the eval database's size and "
                   "seed at that date).")
@click.option("--no-second-date", is_flag=True, help="Score at the eval database's date only.")
@catalog_option
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Write the JSON report here.")
@click.option("--markdown", "md_out", type=click.Path(dir_okay=False), default=None,
              help="Write the Markdown report here.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None,
              help="Fail (exit 1) below this baseline's accuracy, above its silent wrong "
                   "count, or when a gold query fails.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), default=None,
              help="Record this run's accuracy and silent wrong count as the new baseline.")
@click.pass_context
@friendly_errors
def eval_cmd(ctx: click.Context, cases_path: str, translator: str, model: str | None,
             db_path: str | None, second_db: str | None, no_second: bool,
             second_date: dt.date | None, second_date_db: str | None, no_second_date: bool,
             catalog_path: str | None, json_out: str | None, md_out: str | None,
             baseline_path: str | None, write_baseline: str | None) -> None:
    """Score a translator on eval cases: its audience must equal the gold query's, exactly.

    Prints the summary; writes JSON and Markdown reports on request; exits 1 below the
    baseline. See evals/README.md for the case format."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from nl2seg.evaluation.report import (
        check_baseline,
        console_lines,
        dump_baseline,
        load_baseline,
        markdown,
        to_json,
    )
    from nl2seg.evaluation.suite import run_suite

    columns = (TextColumn("eval {task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(translator, total=None)
        report = run_suite(
            cases_path, translator=translator, model=model, catalog_path=catalog_path,
            db_path=db_path, second_db=second_db, no_second=no_second,
            second_date=None if no_second_date else second_date,
            second_date_db=second_date_db, build=_build,
            progress=lambda i, n, cid: bar.update(task, total=n, completed=i, description=cid))
    for out_path, text in ((json_out, to_json(report)), (md_out, markdown(report))):
        if out_path:
            Path(out_path).parent.mkdir(parents=True, exist_ok=True)
            Path(out_path).write_text(text, encoding="utf-8")
    click.echo("\n".join(inert_line(line) for line in console_lines(report)))  # case ids
    if write_baseline:
        Path(write_baseline).write_text(dump_baseline(report), encoding="utf-8")
        click.echo(f"baseline written to {write_baseline}")
    if baseline_path:
        problems = check_baseline(report, load_baseline(baseline_path))
        if problems:
            raise Nl2SegError("; ".join(problems), code="eval_below_baseline")
        click.echo(f"baseline {baseline_path}: held")


@eval_cmd.command("warnings")
@click.option("--cases", "cases_path", default="evals/cases", show_default=True,
              help="Cases whose correctly translated rules get corrupted.")
@click.option("--db", "db_path", default=None, help="Eval database (default: as nl2seg eval).")
@catalog_option
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None)
@click.option("--markdown", "md_out", type=click.Path(dir_okay=False), default=None)
@friendly_errors
def eval_warnings_cmd(cases_path: str, db_path: str | None, catalog_path: str | None,
                      json_out: str | None, md_out: str | None) -> None:
    """Corrupt correct rules the way translators fail; how often do the warnings fire?"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from nl2seg.catalog import load_catalog
    from nl2seg.db import open_db
    from nl2seg.evaluation.cases import load_cases
    from nl2seg.evaluation.corruption import corruption_markdown, run_corruptions
    from nl2seg.evaluation.gold import lock_down
    from nl2seg.evaluation.runner import eval_db
    from nl2seg.evaluation.suite import default_db, passing_rules

    cases = load_cases(cases_path)
    cat = load_catalog(catalog_path)
    with open_db(default_db(db_path, _build)) as con:
        db = eval_db(lock_down(con), cat)
        rules = passing_rules(cases, cat, db)
        columns = (TextColumn("corrupting"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("rules", total=len(rules))
            report = run_corruptions(rules, cat, db.as_of, con,
                                     progress=lambda i, n: bar.update(task, completed=i))
    table = corruption_markdown(report)
    click.echo(table)
    if json_out:
        Path(json_out).write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if md_out:
        Path(md_out).write_text("# Warnings on corrupted rules\n\n" + table, encoding="utf-8")
