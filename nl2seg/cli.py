"""The ``nl2seg`` command: a thin shell over the library.

Library errors become one readable line on stderr and exit code 1; never a traceback for a
user mistake. Options that a deployment sets have environment twins (``NL2SEG_DB``,
``NL2SEG_CATALOG``, ``NL2SEG_AS_OF``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from nl2seg.errors import Nl2SegError

F = TypeVar("F", bound=Callable[..., Any])
Lang = Literal["fr", "en"]
DEFAULT_DB = ".nl2seg/demo.duckdb"
EXAMPLE_RULE = Path(__file__).parent / "examples" / "vip_store.json"


def friendly_errors(fn: F) -> F:
    """Print nl2seg errors as one line (plus details) and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Nl2SegError as exc:
            click.echo(f"error [{exc.code}]: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    from nl2seg.reference import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                         envvar="NL2SEG_DB", help="DuckDB database file.")
catalog_option = click.option("--catalog", "catalog_path", default=None, envvar="NL2SEG_CATALOG",
                              help="Catalog YAML (default: the demo catalog).")
as_of_option = click.option("--as-of", callback=_date, envvar="NL2SEG_AS_OF",
                            help="Reference date YYYY-MM-DD (default: the database's reference "
                                 "date, else today).")
state_option = click.option("--state", "state_path", default=".nl2seg/state.sqlite",
                            show_default=True, envvar="NL2SEG_STATE",
                            help="The app's state file (audiences, approvals, audit log).")
segments_option = click.option("--segments", "segments_dir", default=None,
                               type=click.Path(file_okay=False),
                               help="Folder of saved segments (NAME.json rule files).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nl2seg")
def main() -> None:
    """nl2seg: describe an audience in words, check it, preview it, approve it."""


# --- start ---------------------------------------------------------------------------------
@main.command()
@db_option
@click.option("--customers", default=200_000, show_default=True,
              help="Size of the demo dataset built when the database is missing.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@friendly_errors
def start(db_path: str, customers: int, lang: str) -> None:
    """Build the demo dataset if missing, then preview an example audience."""
    from nl2seg.cli_render import render_preview

    if not Path(db_path).exists():
        _build_demo(db_path, customers, 42, None, force=False)
    rule_text = EXAMPLE_RULE.read_text(encoding="utf-8")
    result, readback, _, _, _ = _run_preview(rule_text, None, db_path, None, None, None, 10, False,
                                       lang)
    click.echo(f"Example rule: {EXAMPLE_RULE}")
    render_preview(result, readback, lang)


APP_SCRIPT = Path(__file__).resolve().parent.parent / "ui" / "app.py"


@main.command("app")
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
        _build_demo(db_path, customers, 42, None, force=False)
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


# --- demo ----------------------------------------------------------------------------------
@main.group()
def demo() -> None:
    """The synthetic retail dataset."""


@demo.command("init")
@click.option("--customers", default=200_000, show_default=True, help="Number of customers.")
@click.option("--seed", default=42, show_default=True, help="Random seed (same seed, same data).")
@click.option("--reference-date", callback=_date, default=None,
              help="The dataset's 'today' (default 2026-06-30).")
@db_option
@click.option("--force", is_flag=True, help="Overwrite an existing database file.")
@friendly_errors
def demo_init(customers: int, seed: int, reference_date: dt.date | None, db_path: str,
              force: bool) -> None:
    """Write the demo DuckDB database (deterministic for a seed and size)."""
    _build_demo(db_path, customers, seed, reference_date, force)


def _build_demo(db_path: str, customers: int, seed: int, reference_date: dt.date | None,
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
    click.echo(f"Wrote {db_path}: {summary.customers:,} customers, {rows:,} rows, reference date "
               f"{summary.reference_date}, in {summary.seconds:.1f} s.")


# --- catalog -------------------------------------------------------------------------------
@main.group()
def catalog() -> None:
    """Check a catalog against a database, or draft one."""


@catalog.command("check")
@db_option
@catalog_option
@friendly_errors
def catalog_check(db_path: str, catalog_path: str | None) -> None:
    """Prove the catalog matches the database (tables, columns, types, value lists)."""
    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.check import check_catalog
    from nl2seg.db import open_db

    cat = load_catalog(catalog_path)
    with open_db(db_path) as con:
        report = check_catalog(cat, con)
    for note in report.notes:
        click.echo(f"note: {note}")
    if not report.ok:
        for p in report.problems:
            click.echo(f"problem: {p}", err=True)
        click.echo(f"catalog '{cat.catalog}' does NOT match {db_path}: "
                   f"{len(report.problems)} problem(s).", err=True)
        sys.exit(1)
    click.echo(f"catalog '{cat.catalog}' (version {cat.version}) matches {db_path}: "
               f"{len(cat.tables)} tables checked.")


@catalog.command("draft")
@db_option
@click.option("--name", default="my_catalog", show_default=True, help="Catalog name.")
@click.option("--entity-table", default=None, help="schema.table of the customers.")
@click.option("--entity-key", default=None, help="Key column of the customers table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@friendly_errors
def catalog_draft(db_path: str, name: str, entity_table: str | None, entity_key: str | None,
                  output: str | None) -> None:
    """Write a starting catalog for any DuckDB database (review it before use)."""
    from nl2seg.catalog.draft import draft_yaml
    from nl2seg.db import open_db

    with open_db(db_path) as con:
        text = draft_yaml(con, name=name, entity_table=entity_table, entity_key=entity_key)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)
    else:
        click.echo(text)


# --- translate -----------------------------------------------------------------------------
translator_option = click.option(
    "--translator", type=click.Choice(["auto", "local", "llm"]), default="auto",
    show_default=True, envvar="NL2SEG_TRANSLATOR",
    help="auto: the LLM when OPENAI_BASE_URL or OPENAI_API_KEY is set (cross-checked by the "
         "local one), else local. local: deterministic, catalog-driven, no network. llm: "
         "any OpenAI-compatible endpoint.")
model_option = click.option("--model", default=None, envvar="NL2SEG_LLM_MODEL",
                            help="LLM model name (default gpt-4o-mini).")


@main.command("translate")
@click.argument("request")
@translator_option
@model_option
@click.option("--format", "fmt", type=click.Choice(["text", "rule", "sql", "json"]),
              default="text", show_default=True,
              help="text: read-back, assumptions, unused words and any disagreement; "
                   "json: everything.")
@click.option("--dialect", type=click.Choice(["duckdb", "postgres", "snowflake", "bigquery",
                                              "spark"]), default="duckdb", show_default=True)
@as_of_option
@catalog_option
@click.option("--db", "db_path", default=DEFAULT_DB, envvar="NL2SEG_DB", show_default=True,
              help="Reference date and disagreement counts from this database, if it exists.")
@friendly_errors
def translate_cmd(request: str, translator: str, model: str | None, fmt: str, dialect: str,
                  as_of: dt.date | None, catalog_path: str | None, db_path: str) -> None:
    """Turn a request in French or English into a rule. Exit 2 when it is refused."""
    from nl2seg.catalog import load_catalog
    from nl2seg.compile import compile_rule
    from nl2seg.db import open_db
    from nl2seg.readback import read_back
    from nl2seg.reference import resolve_as_of
    from nl2seg.validate import validate

    cat = load_catalog(catalog_path)
    if Path(db_path).exists():
        with open_db(db_path) as con:
            day = resolve_as_of(cat, con, as_of)
            out = _translate(request, cat, day, translator, model, con)
    else:
        day = as_of or dt.date.today()
        out = _translate(request, cat, day, translator, model, None)
    t = out.translation
    assert t.rule is not None
    compiled = compile_rule(validate(t.rule, cat, day))
    readback = read_back(t.rule, cat, day, lang=t.lang)
    if fmt == "rule":
        click.echo(t.rule.model_dump_json(indent=2, exclude_none=True))
    elif fmt == "sql":
        click.echo(compiled.sql(dialect=dialect))
    elif fmt == "json":
        data = t.model_dump(mode="json", exclude_none=True)
        data.update(readback=readback, sql=compiled.sql(dialect=dialect), as_of=str(day))
        if out.cross_check is not None:
            data["cross_check"] = out.cross_check.model_dump(mode="json")
        if out.fallback:
            data["fallback"] = out.fallback
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(readback)
        for note in t.assumptions:
            click.echo(f"  ~ {note}")
        if t.unmapped:
            label = "mots non utilisés" if t.lang == "fr" else "unused words"
            click.echo(f"  ? {label}: {', '.join(t.unmapped)}")
        _echo_second_opinion(out, t.lang)


def _echo_second_opinion(out: Any, lang: Lang) -> None:
    if out.fallback:
        click.echo("  ! " + ("traducteur LLM indisponible, traduction locale utilisée : "
                             if lang == "fr" else
                             "LLM translator unavailable, local translation used: ")
                   + str(out.fallback))
    if out.cross_check is not None:
        for line in out.cross_check.summary(lang):
            indent = "    " if line.startswith("  ") else "  ! "
            click.echo(indent + line.strip())


def _translate(request: str, cat: Any, as_of: dt.date, translator: str = "auto",
               model: str | None = None, con: Any = None) -> Any:
    """The translation outcome, or exit 2 with the refusal's reason on stderr."""
    from nl2seg.translate.choose import translate_request
    from nl2seg.translate.llm import LLMConfig

    out = translate_request(request, cat, as_of, choice=translator,  # type: ignore[arg-type]
                            config=LLMConfig.from_env(model=model), con=con)
    t = out.translation
    if t.refused or t.rule is None:
        click.echo(f"refused: {t.refusal_reason}", err=True)
        if out.cross_check is not None and out.cross_check.secondary_refused is False:
            click.echo(f"  (the {out.cross_check.secondary} translator does give a rule: "
                       "try --translator local)", err=True)
        sys.exit(2)
    return out


# --- approve / export / audit ------------------------------------------------------------------
@main.command("approve")
@click.argument("source", metavar="RULE.json|REQUEST")
@click.option("--name", required=True, help="The audience's name (its versions and history).")
@click.option("--by", "approver", required=True, help="Who approves (or rejects).")
@click.option("--author", default=None,
              help="Who wrote the rule, for a new rule (default: the approver); a rule "
                   "already saved keeps the author recorded then.")
@click.option("--comment", default="", help="Why, for the audit log.")
@click.option("--ack", "acks", multiple=True, metavar="ID",
              help="Acknowledge one warning by its id (repeat for each).")
@click.option("--expect", "expected", type=int, default=None,
              help="The size you expect: warns when the count is off by more than 3×.")
@click.option("--channel", type=click.Choice(["email", "sms", "push"]), default=None,
              help="Make it an audience for this channel (its consent is added).")
@click.option("--four-eyes", is_flag=True, envvar="NL2SEG_FOUR_EYES",
              help="The approver must not be the author.")
@click.option("--reject", is_flag=True, help="Record a rejection instead.")
@db_option
@as_of_option
@catalog_option
@state_option
@translator_option
@model_option
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None)
@friendly_errors
def approve_cmd(source: str, name: str, approver: str, author: str | None, comment: str,
                acks: tuple[str, ...], expected: int | None, channel: str | None,
                four_eyes: bool, reject: bool, db_path: str, as_of: dt.date | None,
                catalog_path: str | None, state_path: str, translator: str,
                model: str | None, lang: str | None) -> None:
    """Preview a rule (or a request), list its warnings, and approve it once each warning is
    acknowledged (--ack ID). Blocking warnings cannot be acknowledged. Exit 1 when refused."""
    from nl2seg.catalog import load_catalog
    from nl2seg.db import open_db
    from nl2seg.guard import StateStore, decide, prepare
    from nl2seg.reference import resolve_as_of
    from nl2seg.validate import parse_rule

    cat = load_catalog(catalog_path)
    request = source if _looks_like_request(source) else None
    with open_db(db_path) as con, StateStore(state_path) as store:
        day = resolve_as_of(cat, con, as_of)
        translation = cross = None
        if request is not None:
            outcome = _translate(request, cat, day, translator, model, con)
            translation, cross = outcome.translation, outcome.cross_check
            rule = translation.rule
            spoken = translation.lang
        else:
            rule, spoken = parse_rule(_read_text(source)), "fr"
        assert rule is not None
        if channel is not None:
            rule = rule.model_copy(update={"channel": channel})
        out: Lang = "en" if (lang or spoken) == "en" else "fr"
        prepared = prepare(rule, cat, day, con, translation=translation, cross_check=cross,
                           name=name, store=store, expected_size=expected, lang=out,
                           actor=author or approver)
        click.echo(prepared.readback)
        click.echo(f"{prepared.preview.count:,} / {prepared.preview.base:,} customers "
                   f"({prepared.preview.share:.2%}), as_of {day}, rule "
                   f"{prepared.preview.fingerprint[:12]}")
        for w in prepared.warnings:
            mark = {"blocking": "✖", "warning": "!", "info": "·"}[w.severity]
            ack = " [acknowledged]" if w.id in acks else ""
            click.echo(f"  {mark} {w.id} {w.title}{ack}\n      {w.explanation}")
        a = decide(store, name=name, rule=rule, catalog=cat, preview=prepared.preview,
                   warnings=prepared.warnings, approver=approver, author=author or "",
                   comment=comment, acknowledged=acks, four_eyes=four_eyes,
                   decision="rejected" if reject else "approved")
    click.echo(f"{a.decision} {a.name} v{a.version} by {a.approver}: approval {a.id} "
               f"({a.count:,} customers)")


@main.command("export")
@click.argument("name")
@click.option("--channel", type=click.Choice(["email", "sms", "push", "none"]), required=True,
              help="The channel the audience was approved for (none: an analysis file).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True)
@click.option("--out", "out_dir", default="exports", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the file and its manifest.")
@click.option("--tolerance", default=0.02, show_default=True,
              help="Allowed relative change of the count since the approval (at most 0.10; "
                   "recorded in the manifest).")
@click.option("--column", "columns", multiple=True,
              help="Another profile column to include (PII only when asked; never another "
                   "channel's contact field).")
@db_option
@catalog_option
@state_option
@click.option("--by", "actor", default="nl2seg", show_default=True, help="Who exports.")
@friendly_errors
def export_cmd(name: str, channel: str, fmt: str, out_dir: str, tolerance: float,
               columns: tuple[str, ...], db_path: str, catalog_path: str | None,
               state_path: str, actor: str) -> None:
    """Export the approved audience NAME (its latest approval must still hold)."""
    from nl2seg.catalog import load_catalog
    from nl2seg.db import open_db
    from nl2seg.guard import StateStore, export_audience
    from nl2seg.guard.approval import latest_approval
    from nl2seg.reference import parse_date
    from nl2seg.validate import parse_rule

    cat = load_catalog(catalog_path)
    with open_db(db_path) as con, StateStore(state_path) as store:
        approval = latest_approval(store, name)
        saved = store.audience(name, approval.version if approval else None)
        if saved is None:
            raise Nl2SegError(f"no audience named '{name}': approve it first (nl2seg approve "
                              f"… --name {name})", code="export_unknown_audience")
        rule = parse_rule(saved["rule_json"])
        day = parse_date(approval.as_of) if approval else dt.date.today()
        result = export_audience(store, con, approval, rule, cat, day,
                                 channel=None if channel == "none" else channel,
                                 fmt=fmt,  # type: ignore[arg-type]
                                 out_dir=out_dir, tolerance=tolerance,
                                 extra_columns=list(columns), actor=actor)
    click.echo(f"wrote {result.count:,} rows ({', '.join(result.columns)}) to {result.path}")
    click.echo(f"manifest {result.manifest} (sha256 {result.sha256[:16]}…, approval "
               f"{result.approval_id})")


@main.group("audit")
def audit() -> None:
    """The append-only audit log of drafts, previews, approvals, rejections and exports."""


@audit.command("list")
@state_option
@click.option("--limit", default=20, show_default=True, help="Latest entries to show.")
@friendly_errors
def audit_list(state_path: str, limit: int) -> None:
    """The latest entries, oldest first."""
    from nl2seg.guard import StateStore

    with StateStore(state_path) as store:
        for e in store.audit_entries(limit):
            detail = ", ".join(f"{k}={v}" for k, v in e.payload.items())
            click.echo(f"{e.seq:>5} {e.at} {e.kind:<10} {e.actor:<12} {detail}")


@audit.command("verify")
@state_option
@friendly_errors
def audit_verify(state_path: str) -> None:
    """Recompute the hash chain; exit 1 when an entry was changed, removed or inserted."""
    from nl2seg.guard import StateStore

    with StateStore(state_path) as store:
        report = store.verify_audit()
        head = store.audit_head()
    if not report.ok:
        where = f"at entry {report.broken_at}" if report.broken_at else "against the state"
        raise Nl2SegError(f"audit log broken {where}: {report.reason}",
                          code="audit_broken")
    click.echo(f"audit log intact: {report.entries} entries, hash chain verified; head "
               f"{head} (keep a copy elsewhere: export manifests carry it too)")


# --- eval ------------------------------------------------------------------------------------
EVAL_CUSTOMERS, EVAL_SEED, EVAL_SECOND_SEED = 20_000, 2026, 2027


def _eval_db(seed: int) -> str:
    return f".nl2seg/eval-{EVAL_CUSTOMERS}-s{seed}.duckdb"


@main.group("eval", invoke_without_command=True)
@click.option("--cases", "cases_path", default="evals/cases", show_default=True,
              help="A JSONL case file or a folder of them (dev/ and test/ name the splits).")
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
@catalog_option
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Write the JSON report here.")
@click.option("--markdown", "md_out", type=click.Path(dir_okay=False), default=None,
              help="Write the Markdown report here.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None,
              help="Fail (exit 1) below this baseline, or when a gold query fails.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), default=None,
              help="Record this run's accuracy as the new baseline file.")
@click.pass_context
@friendly_errors
def eval_cmd(ctx: click.Context, cases_path: str, translator: str, model: str | None,
             db_path: str | None, second_db: str | None, no_second: bool,
             catalog_path: str | None, json_out: str | None, md_out: str | None,
             baseline_path: str | None, write_baseline: str | None) -> None:
    """Score a translator on eval cases: its audience must equal the gold query's, exactly.

    Prints the summary; writes JSON and Markdown reports on request; exits 1 below the
    baseline. See evals/README.md for the case format."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from nl2seg.catalog import load_catalog
    from nl2seg.db import open_db
    from nl2seg.evaluation.cases import load_cases
    from nl2seg.evaluation.gold import lock_down
    from nl2seg.evaluation.report import (
        check_baseline,
        dump_baseline,
        load_baseline,
        markdown,
        to_json,
    )
    from nl2seg.evaluation.runner import EvalReport, run_eval, summarize
    from nl2seg.reference import resolve_as_of
    from nl2seg.translate import translate_local
    from nl2seg.translate.llm import LLMConfig, LLMTranslator

    cases = load_cases(cases_path)
    cat = load_catalog(catalog_path)
    db = db_path or _eval_db(EVAL_SEED)
    if db_path is None and not Path(db).exists():
        _build_demo(db, EVAL_CUSTOMERS, EVAL_SEED, None, False)
    second = None if no_second else (second_db or _eval_db(EVAL_SECOND_SEED))
    if second is not None and second_db is None and not Path(second).exists():
        _build_demo(second, EVAL_CUSTOMERS, EVAL_SECOND_SEED, None, False)
    llm = LLMTranslator(LLMConfig.from_env(model=model)) if translator == "llm" else None
    if llm is not None and not llm.config.configured:
        raise Nl2SegError("no LLM endpoint is configured: set OPENAI_BASE_URL (and "
                          "OPENAI_API_KEY), or use --translator local", code="llm_not_configured")
    with open_db(db) as con, (open_db(second) if second else _nothing()) as con2:
        lock_down(con)
        if con2 is not None:
            lock_down(con2)
        day = resolve_as_of(cat, con, None)
        info = con.execute("SELECT customers, seed, reference_date FROM meta.dataset").fetchone()
        second_seed = con2.execute("SELECT seed FROM meta.dataset").fetchone() if con2 else None

        def translate(request: str) -> Any:
            if llm is not None:
                return llm.translate(request, cat, day)
            return translate_local(request, cat, day)

        columns = (TextColumn("eval {task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(translator, total=len(cases))
            results, seconds = run_eval(
                cases, translate, cat, day, con, con2,
                progress=lambda i, n, cid: bar.update(task, completed=i, description=cid))
    report = EvalReport(
        translator=translator, model=llm.config.model if llm else None,
        dataset={"path": db, "customers": info[0] if info else None,
                 "seed": info[1] if info else None,
                 "reference_date": str(info[2]) if info else str(day),
                 "second_seed": second_seed[0] if second_seed else None,
                 "cases": cases_path},
        summary=summarize(results, seconds, _price()), cases=results)
    for out_path, text in ((json_out, to_json(report)), (md_out, markdown(report))):
        if out_path:
            Path(out_path).parent.mkdir(parents=True, exist_ok=True)
            Path(out_path).write_text(text, encoding="utf-8")
    _echo_eval(report)
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
    from nl2seg.evaluation.runner import run_case
    from nl2seg.reference import resolve_as_of
    from nl2seg.translate import translate_local

    cases = [c for c in load_cases(cases_path) if not c.expects_refusal]
    cat = load_catalog(catalog_path)
    db = db_path or _eval_db(EVAL_SEED)
    if db_path is None and not Path(db).exists():
        _build_demo(db, EVAL_CUSTOMERS, EVAL_SEED, None, False)
    with open_db(db) as con:
        lock_down(con)
        day = resolve_as_of(cat, con, None)
        base = int(con.execute("SELECT count(*) FROM " + cat.entity.table).fetchall()[0][0])
        rules = []
        for case in cases:
            t = translate_local(case.request, cat, day)

            def same(_request: str, t: Any = t) -> Any:
                return t

            if t.rule is not None and run_case(case, same, cat, day, con,
                                               base).status == "pass":
                rules.append(t.rule)
        columns = (TextColumn("corrupting"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("rules", total=len(rules))
            report = run_corruptions(rules, cat, day, con,
                                     progress=lambda i, n: bar.update(task, completed=i))
    table = corruption_markdown(report)
    click.echo(table)
    if json_out:
        Path(json_out).write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if md_out:
        Path(md_out).write_text("# Warnings on corrupted rules\n\n" + table, encoding="utf-8")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _price() -> tuple[float, float] | None:
    """``NL2SEG_LLM_PRICE="0.15,0.60"``: USD per million prompt, completion tokens."""
    import os

    raw = os.environ.get("NL2SEG_LLM_PRICE")
    if not raw:
        return None
    try:
        a, b = (float(x) for x in raw.split(","))
    except ValueError:
        raise Nl2SegError("NL2SEG_LLM_PRICE must be two numbers: 'prompt,completion' USD per "
                          "million tokens", code="llm_config") from None
    return a, b


def _echo_eval(report: Any) -> None:
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
        click.echo(f"  weak cases ({len(s.weak_cases)}): {', '.join(s.weak_cases[:10])}")
    if s.gold_errors:
        click.echo(f"  gold queries that failed: {s.gold_errors}")


# --- compile / preview -----------------------------------------------------------------------
@main.command("compile")
@click.argument("rule_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dialect", type=click.Choice(["duckdb", "postgres", "snowflake", "bigquery",
                                              "spark"]), default="duckdb", show_default=True)
@as_of_option
@catalog_option
@segments_option
@click.option("--db", "db_path", default=None, envvar="NL2SEG_DB",
              help="Read the reference date from this database (optional).")
@friendly_errors
def compile_cmd(rule_file: str, dialect: str, as_of: dt.date | None, catalog_path: str | None,
                segments_dir: str | None, db_path: str | None) -> None:
    """Print the SQL of a rule file (- for standard input)."""
    from nl2seg.catalog import load_catalog
    from nl2seg.compile import compile_rule
    from nl2seg.compile.safety import check_query
    from nl2seg.validate import validate

    cat = load_catalog(catalog_path)
    as_of = _as_of(cat, db_path, as_of)
    rule = _read_rule(rule_file)
    compiled = compile_rule(validate(rule, cat, as_of, _segments(segments_dir)))
    check_query(compiled.audience(), cat)
    click.echo(compiled.sql(dialect=dialect))


@main.command("preview")
@click.argument("rule_file", metavar="RULE.json|REQUEST")
@db_option
@as_of_option
@catalog_option
@segments_option
@click.option("--sample", "sample_size", default=10, show_default=True,
              help="Members to show (0 for none).")
@click.option("--show-pii", is_flag=True, help="Do not mask personal data in the sample.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None,
              help="Language of the read-back (default: the request's, else French).")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON.")
@click.option("--expect", "expected", type=int, default=None,
              help="The size you expect: warns when the count is off by more than 3×.")
@translator_option
@model_option
@friendly_errors
def preview_cmd(rule_file: str, db_path: str, as_of: dt.date | None, catalog_path: str | None,
                segments_dir: str | None, sample_size: int, show_pii: bool, lang: str,
                as_json: bool, expected: int | None, translator: str, model: str | None) -> None:
    """Preview a rule file, or a request in words, on a database: size, share, funnel,
    sample. Exit 2 when a request is refused."""
    from nl2seg.cli_render import render_preview

    request = rule_file if _looks_like_request(rule_file) else None
    rule_text = None if request is not None else _read_text(rule_file)
    result, readback, lang, outcome, warnings = _run_preview(
        rule_text, request, db_path, as_of, catalog_path, segments_dir, sample_size, show_pii,
        lang, translator, model, expected)
    if as_json:
        data = result.model_dump(mode="json")
        data["readback"] = readback
        data["warnings"] = [w.model_dump(mode="json") | {"id": w.id} for w in warnings]
        if outcome is not None:
            data["translation"] = outcome.translation.model_dump(mode="json", exclude_none=True)
            if outcome.cross_check is not None:
                data["cross_check"] = outcome.cross_check.model_dump(mode="json")
            if outcome.fallback:
                data["fallback"] = outcome.fallback
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        render_preview(result, readback, lang)
        if outcome is not None and outcome.fallback:
            _echo_second_opinion(outcome, lang)
        for w in warnings:
            if w.severity != "info":
                mark = "✖" if w.severity == "blocking" else "!"
                click.echo(f"{mark} {w.title}: {w.explanation}")


def _looks_like_request(arg: str) -> bool:
    """A rule file is ``-``, an existing file or a ``.json`` name; anything else is words."""
    return not (arg == "-" or arg.endswith(".json") or Path(arg).is_file())


def _run_preview(rule_text: str | None, request: str | None, db_path: str,
                 as_of: dt.date | None, catalog_path: str | None, segments_dir: str | None,
                 sample_size: int, show_pii: bool, lang: str | None,
                 translator: str = "auto", model: str | None = None,
                 expected: int | None = None) -> tuple[Any, str, Lang, Any, list[Any]]:
    """Open the database once: reference date, translation (for a request), preview.

    The read-back speaks ``lang``, else the request's language, else French."""
    from nl2seg.catalog import load_catalog
    from nl2seg.compile import compile_rule
    from nl2seg.db import open_db
    from nl2seg.preview import preview
    from nl2seg.readback import read_back
    from nl2seg.reference import resolve_as_of
    from nl2seg.validate import parse_rule, validate

    cat = load_catalog(catalog_path)
    with open_db(db_path) as con:
        day = resolve_as_of(cat, con, as_of)
        outcome = None
        if request is not None:
            outcome = _translate(request, cat, day, translator, model, con)
            t = outcome.translation
            assert t.rule is not None
            rule, spoken = t.rule, t.lang
        else:
            assert rule_text is not None
            rule, spoken = parse_rule(rule_text), "fr"
        out: Lang = "en" if (lang or spoken) == "en" else "fr"
        segments = _segments(segments_dir)
        compiled = compile_rule(validate(rule, cat, day, segments))
        result = preview(compiled, con, sample_size=sample_size, mask_pii=not show_pii,
                         lang=out)
        from nl2seg.guard.warnings import Context, assess

        warnings = assess(Context(
            compiled=compiled, preview=result, con=con, lang=out, expected_size=expected,
            translation=outcome.translation if outcome else None,
            cross_check=outcome.cross_check if outcome else None))
    readback = read_back(rule, cat, day, lang=out, segments=segments)
    return result, readback, out, outcome, warnings


def _as_of(cat: Any, db_path: str | None, explicit: dt.date | None) -> dt.date:
    """``explicit``, else the reference date stored in ``db_path``, else today."""
    from nl2seg.db import open_db
    from nl2seg.reference import resolve_as_of

    if explicit is not None or db_path is None:
        return explicit or dt.date.today()
    with open_db(db_path) as con:
        return resolve_as_of(cat, con, explicit)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Nl2SegError(f"rule file not found: {path}", code="rule_file_missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Nl2SegError(f"cannot read rule file {path}: {exc}",
                          code="rule_file_unreadable") from None


def _read_rule(path: str) -> Any:
    from nl2seg.validate import parse_rule

    return parse_rule(_read_text(path))


def _segments(folder: str | None) -> dict[str, Any]:
    """Saved segments: each ``NAME.json`` in the folder is a rule named NAME."""
    from nl2seg.validate import parse_rule

    if folder is None:
        return {}
    out = {}
    for f in sorted(Path(folder).glob("*.json")):
        try:
            out[f.stem] = parse_rule(f.read_text(encoding="utf-8"))
        except Nl2SegError as exc:
            raise Nl2SegError(f"saved segment {f} is invalid: {exc}",
                              code="segment_invalid") from None
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
