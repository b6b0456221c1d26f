"""Export an approved audience for one channel: only the columns it needs, atomically.

The file is written under a temporary name in the target folder and renamed when complete,
then its manifest (file hash, count, approval id, rule fingerprint, columns) likewise: a crash
never leaves a half file under the final name, and a file without its manifest is not an
export. The export refuses without a valid approval, for another channel than the approved
one, and when today's count moved beyond the tolerance from the approved count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel
from sqlglot import exp

from nl2seg.catalog.models import Catalog
from nl2seg.errors import Nl2SegError
from nl2seg.guard.approval import Approval, check_approval, sealed
from nl2seg.guard.state import StateStore, now
from nl2seg.rule.nodes import Rule

Format = Literal["csv", "parquet"]
MAX_TOLERANCE = 0.10
"""A count that moved more than this since the approval needs a new approval."""


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
                    actor: str = "nl2seg") -> ExportResult:
    from nl2seg.compile import compile_rule
    from nl2seg.validate import validate

    problems = check_approval(approval, rule, catalog, as_of.isoformat())
    if approval is not None and not problems:
        problems = sealed(store, approval)
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
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise ExportError(f"a tolerance of {tolerance:.0%} is outside 0–{MAX_TOLERANCE:.0%}: "
                          "an audience that moved more needs a new approval",
                          code="export_tolerance")
    if fmt not in ("csv", "parquet"):
        raise ExportError(f"unknown format '{fmt}': csv or parquet", code="export_format")
    compiled = compile_rule(validate(rule, catalog, as_of))
    audience = compiled.audience().subquery("a")
    cols = export_columns(catalog, channel, extra_columns)
    key = catalog.entity.key
    query = (exp.select(*(exp.column(c, "c") for c in cols))
             .from_(exp.to_table(catalog.entity.table).as_("c"))
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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = _stamp()
    export_id = uuid.uuid4().hex[:12]
    final = out / f"{_safe_name(approval.name)}-v{approval.version}-{channel or 'analysis'}-" \
                  f"{stamp}-{export_id[:6]}.{fmt}"  # two exports never share a name
    if final.exists():
        raise ExportError(f"{final} already exists: nothing was overwritten",
                          code="export_exists")
    tmp = out / f".{final.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        rel = con.sql(sql)
        if fmt == "csv":
            rel.write_csv(str(tmp), header=True)
        else:
            rel.write_parquet(str(tmp))
        digest = _sha256(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    manifest = {"export_id": export_id, "file": final.name, "sha256": digest, "count": count,
                "columns": cols, "format": fmt, "channel": channel,
                "approval_id": approval.id, "audience": approval.name,
                "version": approval.version, "rule_fingerprint": approval.fingerprint,
                "as_of": approval.as_of, "catalog_version": approval.catalog_version,
                "approved_count": approval.count, "approved_by": approval.approver,
                "tolerance": tolerance, "audit_head": store.audit_head(),
                "created_at": now()}
    mpath = final.with_name(final.name + ".manifest.json")
    mtmp = mpath.with_name(f".{mpath.name}.tmp")
    try:
        mtmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(mtmp, mpath)
    except BaseException:
        final.unlink(missing_ok=True)  # a file without its manifest is not an export
        mtmp.unlink(missing_ok=True)
        raise
    store.db.execute("INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (export_id, approval.id, channel, fmt, str(final), digest, count, now()))
    store.audit("export", actor, {"export": export_id, "approval": approval.id,
                                  "file": final.name, "sha256": digest, "count": count,
                                  "channel": channel, "columns": cols,
                                  "tolerance": tolerance})
    return ExportResult(id=export_id, path=str(final), manifest=str(mpath), sha256=digest,
                        count=count, columns=cols, channel=channel, format=fmt,
                        approval_id=approval.id)
