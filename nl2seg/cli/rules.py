"""``translate``, ``compile`` and ``preview``: from words or a rule file to SQL and a size."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from nl2seg.cli.options import (
    DEFAULT_DB,
    Lang,
    as_of_option,
    catalog_option,
    db_option,
    dialect_option,
    friendly_errors,
    looks_like_request,
    measured_counts,
    model_option,
    pick_reading,
    read_rule,
    read_text,
    reading_option,
    reading_views,
    resolve_day,
    rule_file_reading,
    segments,
    segments_option,
    state_option,
    translate_or_exit,
    translator_option,
)
from nl2seg.cli.render import (
    echo_readings,
    echo_second_opinion,
    lines,
    readings_json,
    render_preview,
)
from nl2seg.inert import one_line, safe_json


@click.command("translate")
@click.argument("request")
@translator_option
@model_option
@click.option("--format", "fmt", type=click.Choice(["text", "rule", "sql", "json"]),
              default="text", show_default=True,
              help="text: read-back, assumptions, unused words, other readings and any "
                   "disagreement; json: everything.")
@reading_option
@dialect_option
@as_of_option
@catalog_option
@click.option("--db", "db_path", default=DEFAULT_DB, envvar="NL2SEG_DB", show_default=True,
              help="Reference date, sizes of the readings and disagreement counts from this "
                   "database, if it exists.")
@friendly_errors
def translate_cmd(request: str, translator: str, model: str | None, fmt: str, reading: int,
                  dialect: str, as_of: dt.date | None, catalog_path: str | None,
                  db_path: str) -> None:
    """Turn a request in French or English into a rule. Exit 2 when it is refused."""
    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.data_values import attach_data_values
    from nl2seg.compile import compile_rule
    from nl2seg.db import open_db
    from nl2seg.readback import describe_reference, read_back
    from nl2seg.reference import reference_of
    from nl2seg.validate import validate

    cat = load_catalog(catalog_path)
    with open_db(db_path) if Path(db_path).exists() else contextlib.nullcontext() as con:
        if con is not None:  # brands, cities… read from the data (not the fingerprint)
            cat = attach_data_values(cat, con)
        ref = reference_of(cat, con, as_of)  # without a database: --as-of, stated, else today
        day = ref.day
        out = translate_or_exit(request, cat, day, translator, model, con,
                                as_json=fmt == "json")
        views = reading_views(out.translation, cat, day, out.translation.lang, con)
    out = pick_reading(out, reading)
    t = out.translation
    assert t.rule is not None
    compiled = compile_rule(validate(t.rule, cat, day))
    readback = read_back(t.rule, cat, day, lang=t.lang)
    reference = describe_reference(ref, cat, t.lang, t.rule)  # None for --as-of
    if fmt == "rule":
        click.echo(safe_json(t.rule.model_dump_json(indent=2, exclude_none=True)))
    elif fmt == "sql":
        click.echo(compiled.sql(dialect=dialect))
    elif fmt == "json":
        data = t.model_dump(mode="json", exclude_none=True)
        data.update(readback=readback, sql=compiled.sql(dialect=dialect), as_of=str(day),
                    as_of_origin=ref.origin, reading=reading,
                    alternatives=readings_json(views, reading))
        if reference is not None:
            data["assumptions"] = [*data.get("assumptions", []), reference]
        if out.cross_check is not None:
            data["cross_check"] = out.cross_check.model_dump(mode="json")
        if out.fallback:
            data["fallback"] = out.fallback
        click.echo(safe_json(json.dumps(data, ensure_ascii=False, indent=2)))
    else:  # the read-back quotes request words; the model wrote the rest: all untrusted
        click.echo(one_line(readback))
        for note in [*t.assumptions, *([reference] if reference else [])]:
            click.echo(f"  ~ {one_line(note)}")
        if t.unmapped:
            label = "mots non utilisés" if t.lang == "fr" else "unused words"
            click.echo(f"  ? {label}: {', '.join(one_line(w) for w in t.unmapped)}")
        echo_second_opinion(out, t.lang)
        if views:
            echo_readings(views, reading, t.lang)


@click.command("compile")
@click.argument("rule_file", type=click.Path(dir_okay=False, allow_dash=True))
@dialect_option
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
    as_of = resolve_day(cat, db_path, as_of)
    rule = read_rule(rule_file)
    compiled = compile_rule(validate(rule, cat, as_of, segments(segments_dir)))
    check_query(compiled.audience(), cat)
    click.echo(compiled.sql(dialect=dialect))


@click.command("preview")
@click.argument("rule_file", metavar="RULE.json|REQUEST")
@db_option
@as_of_option
@catalog_option
@segments_option
@click.option("--sample", "sample_size", default=10, show_default=True,
              help="Members to show (0 for none).")
@click.option("--show-pii", is_flag=True,
              help="Do not mask personal data in the sample (recorded in the audit log).")
@click.option("--by", "viewer", default=None, envvar="NL2SEG_USER",
              help="Who looks at the unmasked sample (default: the login name).")
@state_option
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None,
              help="Language of the read-back (default: the request's, else French).")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON.")
@click.option("--expect", "expected", type=int, default=None,
              help="The size you expect: warns when the count is off by more than 3×.")
@reading_option
@translator_option
@model_option
@friendly_errors
def preview_cmd(rule_file: str, db_path: str, as_of: dt.date | None, catalog_path: str | None,
                segments_dir: str | None, sample_size: int, show_pii: bool, lang: str,
                as_json: bool, expected: int | None, reading: int, translator: str,
                model: str | None, viewer: str | None, state_path: str) -> None:
    """Preview a rule file, or a request in words, on a database: size, share, funnel,
    sample, and the other readings of the request. Exit 2 when a request is refused."""
    request = rule_file if looks_like_request(rule_file) else None
    rule_text = None if request is not None else read_text(rule_file)
    shown = run_preview(rule_text, request, db_path, as_of, catalog_path, segments_dir,
                        sample_size, show_pii, lang, translator, model, expected, reading,
                        as_json)
    if show_pii and shown.result.sample:  # recorded before a single value is printed
        record_pii_shown(state_path, viewer, shown.result)
    outcome = shown.outcome
    if as_json:
        data = shown.result.model_dump(mode="json")
        data["readback"] = shown.readback
        data["warnings"] = [w.model_dump(mode="json") | {"id": w.id} for w in shown.warnings]
        data["reading"] = reading
        data["alternatives"] = readings_json(shown.readings, reading)
        if outcome is not None:
            data["translation"] = outcome.translation.model_dump(mode="json", exclude_none=True)
            if outcome.cross_check is not None:
                data["cross_check"] = outcome.cross_check.model_dump(mode="json")
            if outcome.fallback:
                data["fallback"] = outcome.fallback
        click.echo(safe_json(json.dumps(data, ensure_ascii=False, indent=2, default=str)))
    else:
        render_preview(shown.result, shown.readback, shown.lang)
        for w in shown.warnings:  # where the windows' dates count from (guard/freshness.py)
            if w.code == "reference_date":
                click.echo(f"  ~ {one_line(w.explanation)}")
        if outcome is not None and outcome.fallback:
            echo_second_opinion(outcome, shown.lang)
        if shown.readings:
            echo_readings(shown.readings, reading, shown.lang)
        for w in shown.warnings:
            if w.severity != "info":
                mark = "✖" if w.severity == "blocking" else "!"
                click.echo(f"{mark} {one_line(w.title)}: " + "\n".join(lines(w.explanation)))


def record_pii_shown(state_path: str, viewer: str | None, result: Any) -> None:
    import getpass

    from nl2seg.guard import StateStore

    with StateStore(state_path) as store:
        store.audit("pii_shown", viewer or getpass.getuser(), {
            "rule_fingerprint": result.fingerprint, "as_of": result.as_of.isoformat(),
            "rows": len(result.sample), "columns": sorted(result.sample[0])})


@dataclass
class Shown:
    """What ``preview`` (and ``start``) print: the preview, its read-back, warnings and the
    request's readings (none for a rule file or a request with a single reading)."""

    result: Any
    readback: str
    lang: Lang
    outcome: Any = None
    warnings: list[Any] = field(default_factory=list)
    readings: list[Any] = field(default_factory=list)


def run_preview(rule_text: str | None, request: str | None, db_path: str,
                as_of: dt.date | None, catalog_path: str | None, segments_dir: str | None,
                sample_size: int, show_pii: bool, lang: str | None,
                translator: str = "auto", model: str | None = None,
                expected: int | None = None, reading: int = 1, as_json: bool = False) -> Shown:
    """Open the database once: reference date, translation (for a request) and its reading
    ``reading``, preview.

    The read-back speaks ``lang``, else the request's language, else French."""
    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.data_values import attach_data_values
    from nl2seg.compile import compile_rule
    from nl2seg.db import open_db
    from nl2seg.guard.warnings import Context, assess
    from nl2seg.preview import preview
    from nl2seg.readback import read_back
    from nl2seg.reference import resolve_as_of
    from nl2seg.validate import parse_rule, validate

    cat = load_catalog(catalog_path)
    with open_db(db_path) as con:
        cat = attach_data_values(cat, con)
        day = resolve_as_of(cat, con, as_of)
        asked = outcome = None
        if request is not None:
            asked = translate_or_exit(request, cat, day, translator, model, con,
                                      as_json=as_json)
            outcome = pick_reading(asked, reading)
            t = outcome.translation
            assert t.rule is not None
            rule, spoken = t.rule, t.lang
        else:
            assert rule_text is not None
            rule_file_reading(reading)
            rule, spoken = parse_rule(rule_text), "fr"
        out: Lang = "en" if (lang or spoken) == "en" else "fr"
        saved = segments(segments_dir)
        compiled = compile_rule(validate(rule, cat, day, saved))
        result = preview(compiled, con, sample_size=sample_size, mask_pii=not show_pii,
                         lang=out)
        warnings = assess(Context(
            compiled=compiled, preview=result, con=con, lang=out, expected_size=expected,
            translation=outcome.translation if outcome else None,
            cross_check=outcome.cross_check if outcome else None))
    readback = read_back(rule, cat, day, lang=out, segments=saved)
    views = [] if asked is None else reading_views(
        asked.translation, cat, day, out, counts=measured_counts(result, warnings))
    return Shown(result, readback, out, outcome, warnings, views)
