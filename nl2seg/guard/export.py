"""Export an approved audience for one channel: only the columns it needs, write-ahead.

The steps (:data:`STEPS`, each a seam ``on_step`` can stop): an ``export_started`` audit
entry names the file first; the file and its manifest (file hash, count, approval, rule
fingerprint, columns, and the hash of that ``export_started`` entry as an anchor) are written
under temporary names (:data:`TMP_PREFIX`) and synced; the manifest then the file are
renamed and the folder synced; last, the ``export`` entry and the exports row, in one
transaction. A kill at any step leaves no file the log does not name: the next export, or
``audit verify``, reports the unfinished export and removes the temporary files of dead
exports (a live export holds a lock on its own). The export refuses without a valid
approval (for this database, these columns, a log that still holds the folder's anchors),
for another channel than the approved one, and when today's count moved beyond the
tolerance from the approved count. For a channel without consent data, the approval must
acknowledge it and the manifest records that the file went out without consent data, with
that acknowledgement (``no_consent_data``: :mod:`nl2seg.guard.consent`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel
from sqlglot import exp

from nl2seg.catalog.models import Catalog
from nl2seg.compile.literals import table
from nl2seg.errors import Nl2SegError
from nl2seg.guard.anchors import MANIFEST_SUFFIX, anchors_from
from nl2seg.guard.approval import Approval, check_approval, sealed
from nl2seg.guard.consent import CODE as CONSENT_CODE
from nl2seg.guard.consent import consent_record
from nl2seg.guard.identity import database_identity
from nl2seg.guard.recovery import TMP_PREFIX, lock, recover
from nl2seg.guard.state import AuditEntry, StateStore, now
from nl2seg.rule.nodes import Rule

Format = Literal["csv", "parquet"]
MAX_TOLERANCE = 0.10
"""A count that moved more than this since the approval needs a new approval."""
STEPS = ("started", "written", "manifest", "published", "finished")


class ExportError(Nl2SegError):
    code = "export_refused"


class ExportResult(BaseModel):
    id: str
    path: str
    manifest: str
    sha256: str
    count: int
    columns: list[str]
    channel: str | None
    format: Format
    approval_id: str
    unfinished: list[str] = []
    """Exports an earlier process started and never finished (what the log says of them)."""
    no_consent_data: dict[str, object] | None = None
    """For a channel without consent data: what the manifest records of it."""


def export_columns(catalog: Catalog, channel: str | None,
                   extra: list[str] | None = None) -> list[str]:
    """The entity key, the channel's contact field, and any extra profile column asked for."""
    cols = [catalog.entity.key]
    if channel is not None:
        contact = catalog.channels[channel].contact
        if contact is not None:
            cols.append(contact.rsplit(".", 1)[1])
    contacts = {ch.contact.rsplit(".", 1)[1]: name for name, ch in catalog.channels.items()
                if ch.contact is not None}
    for c in extra or []:
        if not catalog.has_column(f"{catalog.entity.table}.{c}"):
            raise ExportError(f"unknown column '{c}' in {catalog.entity.table}",
                              code="export_column")
        if c in contacts and contacts[c] != channel:
            raise ExportError(f"'{c}' is how the {contacts[c]} channel reaches customers: "
                              f"export the audience approved for that channel (--channel "
                              f"{contacts[c]}), whose count includes its consent",
                              code="export_contact_column")
        if c not in cols:
            cols.append(c)
    return cols


def _stamp() -> str:
    """The export's time in its file name, to the second."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "audience"


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_audience(store: StateStore, con: duckdb.DuckDBPyConnection, approval: Approval | None,
                    rule: Rule, catalog: Catalog, as_of: dt.date, *, channel: str | None,
                    fmt: Format = "csv", out_dir: str | Path = "exports",
                    tolerance: float = 0.02, extra_columns: list[str] | None = None,
                    actor: str = "nl2seg",
                    on_step: Callable[[str], None] | None = None) -> ExportResult:
    """Export ``approval``'s audience; ``on_step(step)`` runs after each of :data:`STEPS`
    (a seam for the crash tests)."""
    from nl2seg.compile import compile_rule
    from nl2seg.validate import validate

    out = Path(out_dir)
    database = database_identity(con, catalog)
    problems = check_approval(approval, rule, catalog, as_of.isoformat(), database=database)
    if approval is not None and not problems:
        problems = sealed(store, approval, anchors_from([out]) if out.is_dir() else [])
    if problems or approval is None:
        raise ExportError("no valid approval: " + "; ".join(problems)
                          + " — preview and approve it first (nl2seg approve)",
                          code="export_unapproved")
    if channel != rule.channel:
        wanted = f"channel '{channel}'" if channel else "an analysis file (no channel)"
        had = f"channel '{rule.channel}'" if rule.channel else "analysis (no channel)"
        raise ExportError(f"the approval covers {had}, not {wanted}: approve the audience for "
                          "that channel (its consent becomes part of the count you approve)",
                          code="export_channel")
    no_consent = consent_record(catalog, channel, approval)
    if no_consent is not None and no_consent["acknowledged"] is None:
        raise ExportError(f"the data holds no consent for the {channel} channel and the "
                          "approval does not acknowledge it: approve it again with --ack "
                          f"{CONSENT_CODE}", code="export_no_consent_unacknowledged")
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise ExportError(f"a tolerance of {tolerance:.0%} is outside 0–{MAX_TOLERANCE:.0%}: "
                          "an audience that moved more needs a new approval",
                          code="export_tolerance")
    if fmt not in ("csv", "parquet"):
        raise ExportError(f"unknown format '{fmt}': csv or parquet", code="export_format")
    cols = export_columns(catalog, channel, extra_columns)
    unapproved = [c for c in extra_columns or [] if c not in approval.columns
                  and c not in export_columns(catalog, channel)]
    if unapproved:
        raise ExportError(f"column(s) {', '.join(unapproved)} were not part of the approval "
                          f"(it allows {', '.join(approval.columns) or 'no extra column'}): "
                          "approve the audience with them (nl2seg approve … --column NAME)",
                          code="export_column_unapproved")
    compiled = compile_rule(validate(rule, catalog, as_of))
    audience = compiled.audience().subquery("a")
    key = catalog.entity.key
    query = (exp.select(*(exp.column(c, "c") for c in cols))
             .from_(table(catalog.entity.table, "c"))
             .join(audience, on=exp.column(key, "c").eq(exp.column(key, "a")))
             .order_by(exp.column(key, "c")))
    sql = query.sql(dialect="duckdb")
    counted = exp.select(exp.Count(this=exp.Star())).from_(query.subquery("q"))
    count = int(con.execute(counted.sql(dialect="duckdb")).fetchall()[0][0])
    allowed = max(1, round(tolerance * approval.count))
    if abs(count - approval.count) > allowed:
        raise ExportError(f"the audience has {count:,} customers now against {approval.count:,} "
                          f"approved (tolerance ±{allowed:,}): preview it again and have it "
                          "re-approved", code="export_count_moved")
    out.mkdir(parents=True, exist_ok=True)
    unfinished = recover(store, [out])
    export_id = uuid.uuid4().hex[:12]
    final = out / f"{_safe_name(approval.name)}-v{approval.version}-{channel or 'analysis'}-" \
                  f"{_stamp()}-{export_id[:6]}.{fmt}"  # two exports never share a name
    if final.exists():
        raise ExportError(f"{final} already exists: nothing was overwritten",
                          code="export_exists")
    mpath = final.with_name(final.name + MANIFEST_SUFFIX)
    step = on_step or (lambda _: None)
    lock_path = out / f"{TMP_PREFIX}{export_id}.lock"
    held = lock(lock_path, wait=True)

    def release() -> None:
        nonlocal held
        if held is not None:
            lock_path.unlink(missing_ok=True)
            os.close(held)
            held = None

    tmp, mtmp = (out / f"{TMP_PREFIX}{export_id}-{p.name}" for p in (final, mpath))
    started: AuditEntry | None = None
    done = False
    try:
        started = store.audit("export_started", actor, {
            "export": export_id, "approval": approval.id, "folder": str(out.resolve()),
            "file": final.name, "count": count, "channel": channel, "columns": cols,
            "format": fmt, "tolerance": tolerance, "database": database.path})
        step("started")
        rel = con.sql(sql)
        if fmt == "csv":
            rel.write_csv(str(tmp), header=True)
        else:
            rel.write_parquet(str(tmp))
        _fsync(tmp)
        digest = _sha256(tmp)
        step("written")
        manifest = {"export_id": export_id, "file": final.name, "sha256": digest,
                    "count": count, "columns": cols, "format": fmt, "channel": channel,
                    "approval_id": approval.id, "audience": approval.name,
                    "version": approval.version, "rule_fingerprint": approval.fingerprint,
                    "as_of": approval.as_of, "catalog_version": approval.catalog_version,
                    "database": database.path, "database_fingerprint": database.fingerprint,
                    "approved_count": approval.count, "approved_by": approval.approver,
                    "tolerance": tolerance,
                    **({"no_consent_data": no_consent} if no_consent is not None else {}),
                    "audit_anchor": {"seq": started.seq, "hash": started.hash},
                    "created_at": now()}
        mtmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        _fsync(mtmp)
        step("manifest")
        os.replace(mtmp, mpath)  # manifest first: alone, it names a file that is not there
        os.replace(tmp, final)
        _fsync(out, directory=True)
        step("published")
        store.audit("export", actor, {"export": export_id, "approval": approval.id,
                                      "file": final.name, "sha256": digest, "count": count,
                                      "channel": channel, "columns": cols,
                                      "tolerance": tolerance, "started": started.seq,
                                      **({"no_consent_data": no_consent["acknowledged"]}
                                         if no_consent is not None else {})},
                    statements=[("INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 (export_id, approval.id, channel, fmt, str(final), digest,
                                  count, now()))])
        done = True
        release()
        step("finished")
    except BaseException as exc:
        if not done:  # an error, not a kill: take every file back and close the entry
            for p in (tmp, mtmp, final, mpath):
                p.unlink(missing_ok=True)
            if started is not None:
                with contextlib.suppress(Exception):  # the first error is the one to report
                    store.audit("export_failed", actor, {"export": export_id,
                                                         "error": type(exc).__name__})
        raise
    finally:
        release()
    return ExportResult(id=export_id, path=str(final), manifest=str(mpath), sha256=digest,
                        count=count, columns=cols, channel=channel, format=fmt,
                        approval_id=approval.id, unfinished=unfinished,
                        no_consent_data=no_consent)
