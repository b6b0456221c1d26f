"""``approve``, ``export`` and ``audit``: the reviewer's side."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
import duckdb

from nl2seg.cli.options import (
    Lang,
    as_of_option,
    catalog_option,
    db_option,
    friendly_errors,
    looks_like_request,
    measured_counts,
    model_option,
    pick_reading,
    read_text,
    reading_option,
    reading_views,
    rule_file_reading,
    state_option,
    translate_or_exit,
    translator_option,
)
from nl2seg.cli.render import echo_readings, lines
from nl2seg.errors import Nl2SegError, output_error
from nl2seg.inert import one_line


@click.command("approve")
@click.argument("source", metavar="RULE.json|REQUEST")
@click.option("--name", required=True, help="The audience's name (its versions and history).")
@click.option("--by", "approver", required=True, help="Who approves (or rejects).")
@click.option("--author", default=None,
              help="Who wrote the rule, for a new rule (default: the approver); a rule "
                   "already saved keeps the author recorded then.")
@click.option("--comment", default="", help="Why, for the audit log.")
@click.option("--ack", "acks", multiple=True, metavar="ID",
              help="Acknowledge one warning by its id, or by its code when no other warning "
                   "shares it (--ack no_consent_data); repeat for each.")
@click.option("--expect", "expected", type=int, default=None,
              help="The size you expect: warns when the count is off by more than 3×.")
@click.option("--channel", type=click.Choice(["email", "sms", "push"]), default=None,
              help="Make it an audience for this channel (its consent is added).")
@click.option("--four-eyes", is_flag=True, envvar="NL2SEG_FOUR_EYES",
              help="The approver must not be the author.")
@click.option("--reject", is_flag=True, help="Record a rejection instead.")
@click.option("--column", "columns", multiple=True, metavar="NAME",
              help="A profile column the export may add (repeat for each): part of what is "
                   "approved.")
@db_option
@as_of_option
@catalog_option
@state_option
@reading_option
@translator_option
@model_option
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None)
@friendly_errors
def approve_cmd(source: str, name: str, approver: str, author: str | None, comment: str,
                acks: tuple[str, ...], expected: int | None, channel: str | None,
                four_eyes: bool, reject: bool, columns: tuple[str, ...], db_path: str,
                as_of: dt.date | None,
                catalog_path: str | None, state_path: str, reading: int, translator: str,
                model: str | None, lang: str | None) -> None:
    """Preview a rule (or a request, in its reading --reading N), list its warnings, and
    approve it once each warning is acknowledged (--ack ID). Blocking warnings cannot be
    acknowledged. Exit 1 when refused."""
    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.data_values import attach_data_values
    from nl2seg.db import open_db
    from nl2seg.guard import StateStore, decide, prepare
    from nl2seg.guard.approval import acknowledged_ids
    from nl2seg.reference import resolve_as_of
    from nl2seg.validate import parse_rule

    cat = load_catalog(catalog_path)
    request = source if looks_like_request(source) else None
    with open_db(db_path) as con, StateStore(state_path) as store:
        cat = attach_data_values(cat, con)  # brands, cities… (not the fingerprint)
        day = resolve_as_of(cat, con, as_of)
        asked = translation = cross = None
        if request is not None:
            outcome = translate_or_exit(request, cat, day, translator, model, con)
            asked = on_channel(outcome.translation, channel)
            translation = on_channel(pick_reading(outcome, reading).translation, channel)
            cross, rule, spoken = outcome.cross_check, translation.rule, translation.lang
        else:
            rule_file_reading(reading)
            rule, spoken = parse_rule(read_text(source)), "fr"
            if channel is not None:
                rule = rule.model_copy(update={"channel": channel})
        assert rule is not None
        out: Lang = "en" if (lang or spoken) == "en" else "fr"
        prepared = prepare(rule, cat, day, con, translation=translation, cross_check=cross,
                           name=name, store=store, expected_size=expected, lang=out,
                           actor=author or approver)
        click.echo(one_line(prepared.readback))
        click.echo(f"{prepared.preview.count:,} / {prepared.preview.base:,} customers "
                   f"({prepared.preview.share:.2%}), as_of {day}, rule "
                   f"{prepared.preview.fingerprint[:12]}")
        if asked is not None and asked.alternatives:
            echo_readings(reading_views(asked, cat, day, out, counts=measured_counts(
                prepared.preview, prepared.warnings)), reading, out)
        acked = acknowledged_ids(acks, prepared.warnings)  # an id, or a code alone
        for w in prepared.warnings:
            mark = {"blocking": "✖", "warning": "!", "info": "·"}[w.severity]
            ack = " [acknowledged]" if w.id in acked else ""
            click.echo(f"  {mark} {w.id} {one_line(w.title)}{ack}\n      "
                       + "\n      ".join(lines(w.explanation)))
        a = decide(store, name=name, rule=rule, catalog=cat, preview=prepared.preview,
                   warnings=prepared.warnings, approver=approver, author=author or "",
                   comment=comment, acknowledged=acks, four_eyes=four_eyes,
                   decision="rejected" if reject else "approved", columns=columns)
    click.echo(f"{a.decision} {one_line(a.name)} v{a.version} by {one_line(a.approver)}: "
               f"approval {a.id} ({a.count:,} customers)")


def on_channel(translation: Any, channel: str | None) -> Any:
    """Every reading of ``translation`` made an audience for ``channel`` (its consent added),
    so the readings listed and their sizes are those of the rule approved."""
    if channel is None or translation.rule is None:
        return translation
    return translation.model_copy(update={
        "rule": translation.rule.model_copy(update={"channel": channel}),
        "alternatives": [a.model_copy(update={"rule": a.rule.model_copy(
            update={"channel": channel})}) for a in translation.alternatives]})


@click.command("export")
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
        try:
            result = export_audience(store, con, approval, rule, cat, day,
                                     channel=None if channel == "none" else channel,
                                     fmt=fmt,  # type: ignore[arg-type]
                                     out_dir=out_dir, tolerance=tolerance,
                                     extra_columns=list(columns), actor=actor)
        except (OSError, duckdb.IOException) as exc:  # full disk, read-only folder, /dev/full
            raise output_error(out_dir, exc) from None
    click.echo(f"wrote {result.count:,} rows ({one_line(', '.join(result.columns))}) to "
               f"{one_line(result.path)}")
    click.echo(f"manifest {one_line(result.manifest)} (sha256 {result.sha256[:16]}…, "
               f"approval {result.approval_id})")
    for note in result.unfinished:
        click.echo(f"  ! {one_line(note)}")
    if result.no_consent_data is not None:
        r = result.no_consent_data
        click.echo(f"  ! {r['statement']} (acknowledged by {one_line(str(r['acknowledged_by']))} "
                   f"at {r['acknowledged_at']}; recorded in the manifest)")


@click.group("audit")
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
            # names, comments and actors are the users' words: one inert line per entry
            click.echo(one_line(f"{e.seq:>5} {e.at} {e.kind:<10} {one_line(e.actor):<12} "
                                f"{detail}"))


@audit.command("verify")
@state_option
@click.option("--anchor", "anchor_files", multiple=True, type=click.Path(exists=True,
              dir_okay=False), help="A manifest, or a file of anchors (SEQ:HASH per line), "
              "whose entries the log must still hold.")
@click.option("--anchors-from", "anchor_dirs", multiple=True, type=click.Path(
              exists=True, file_okay=False), help="A folder of export manifests (its "
              "temporary files of dead exports are removed too).")
@friendly_errors
def audit_verify(state_path: str, anchor_files: tuple[str, ...],
                 anchor_dirs: tuple[str, ...]) -> None:
    """Recompute the hash chain and check it still holds every anchor kept outside it; exit 1
    when an entry was changed, removed or inserted, or its tail cut. Report exports that
    never finished and remove their temporary files."""
    from pathlib import Path

    from nl2seg.guard import StateStore
    from nl2seg.guard.anchors import anchors_from
    from nl2seg.guard.recovery import recover

    anchors = anchors_from([*anchor_files, *anchor_dirs])
    with StateStore(state_path) as store:
        report = store.verify_audit(anchors)
        head = store.head_anchor()
        notes = recover(store, [Path(d) for d in anchor_dirs])
    for note in notes:
        click.echo(f"  ! {one_line(note)}")
    if not report.ok:
        where = f"at entry {report.broken_at}" if report.broken_at else "against the state"
        raise Nl2SegError(f"audit log broken {where}: {report.reason}",
                          code="audit_broken")
    held = f", {report.anchors} anchor(s) held" if anchors else " (no anchor given)"
    click.echo(f"audit log intact: {report.entries} entries, hash chain verified{held}")
    click.echo(f"head anchor (keep a copy outside the state file): {head.seq}:{head.hash}")


