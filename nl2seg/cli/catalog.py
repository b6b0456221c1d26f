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
    """Prove the catalog matches the database (tables, columns, types, value lists)."""
    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.check import check_catalog
    from nl2seg.db import open_db

    cat = load_catalog(catalog_path)
    with open_db(db_path) as con:
        report = check_catalog(cat, con)
    for note in report.notes:
        click.echo(f"note: {one_line(note)}")  # names from the database and the catalog
    if not report.ok:
        for p in report.problems:
            click.echo(f"problem: {one_line(p)}", err=True)
        click.echo(f"catalog '{one_line(cat.catalog)}' does NOT match {one_line(db_path)}: "
                   f"{len(report.problems)} problem(s).", err=True)
        sys.exit(1)
    click.echo(f"catalog '{one_line(cat.catalog)}' (version {one_line(cat.version)}) matches "
               f"{one_line(db_path)}: "
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
        click.echo(f"Wrote {one_line(output)}.", err=True)
    else:
        click.echo(text)
