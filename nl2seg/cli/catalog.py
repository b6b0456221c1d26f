"""``catalog check`` and ``catalog draft``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nl2seg.cli.options import catalog_option, db_option, friendly_errors
from nl2seg.inert import one_line


@click.group()
def catalog() -> None:
    """Check a catalog against a database, or draft one."""


@catalog.command("check")
@db_option
@catalog_option
@friendly_errors
def catalog_check(db_path: str, catalog_path: str | None) -> None:
    """Prove the catalog matches the database: tables, columns, types, value lists, then one
    smoke query per event source, profile field, property path and computed column, the
    joins' many-to-one keys, and how fresh each event source is."""
    import time

    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.check import check_catalog
    from nl2seg.db import open_db

    started = time.perf_counter()
    cat = load_catalog(catalog_path)
    with open_db(db_path) as con:
        report = check_catalog(cat, con)
    seconds = time.perf_counter() - started
    for note in report.notes:
        click.echo(f"note: {one_line(note)}")  # names from the database and the catalog
    for p in report.problems:
        click.echo(f"problem: {one_line(p)}", err=True)
    covered = ", ".join(f"{n:,} {kind if n != 1 else kind[:-1]}"
                        for kind, n in report.checked.items() if n)
    tail = (f"{len(cat.tables)} tables; smoke queries on {covered or 'nothing'} "
            f"({report.queries} queries); {len(report.notes)} note(s); {seconds:.1f} s.")
    name = f"catalog '{one_line(cat.catalog)}' (version {one_line(cat.version)})"
    if not report.ok:
        click.echo(f"{name} does NOT match {one_line(db_path)}: {len(report.problems)} "
                   f"problem(s); {tail}", err=True)
        sys.exit(1)
    click.echo(f"{name} matches {one_line(db_path)}: {tail}")


@catalog.command("draft")
@db_option
@click.option("--name", default="my_catalog", show_default=True, help="Catalog name.")
@click.option("--entity-table", default=None,
              help="schema.table of the customers (default: guessed from names and keys).")
@click.option("--entity-key", default=None,
              help="Key column of the customers table (default: its key).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@friendly_errors
def catalog_draft(db_path: str, name: str, entity_table: str | None, entity_key: str | None,
                  output: str | None) -> None:
    """Write a starting catalog for any DuckDB database: keys (*_sk, *_key, *_id), foreign
    keys found by name and confirmed on a sample of values, the customer table, events from
    fact tables (a customer, a date, money), PII, value lists, profile lookups, an email
    channel. Every guess to confirm is marked `# TODO`; the draft passes `catalog check`."""
    import time

    from nl2seg.catalog.draft import draft_summary, draft_yaml
    from nl2seg.db import open_db

    started = time.perf_counter()
    with open_db(db_path) as con:
        text = draft_yaml(con, name=name, entity_table=entity_table, entity_key=entity_key)
    summary = f"{draft_summary(text)}; {time.perf_counter() - started:.1f} s."
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {one_line(output)}: {one_line(summary)}", err=True)
    else:
        click.echo(text)
        click.echo(one_line(summary), err=True)
