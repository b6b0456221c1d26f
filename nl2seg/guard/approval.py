"""Approval: a person accepts the exact rule they saw, with its count and its warnings.

An approval binds the rule's fingerprint, the reference date, the catalog (version and
content hash), the database (path and content fingerprint, :mod:`nl2seg.guard.identity`),
the extra columns it may export, the count seen and the warnings acknowledged one by one
(by id, or by code when no other warning shares it: :func:`acknowledged_ids`). Blocking
warnings cannot be acknowledged: they must be resolved (the rule changed). An audience on a
channel without consent data needs ``no_consent_data`` acknowledged
(:mod:`nl2seg.guard.consent`). In four-eyes mode the approver must not be the rule's author
(as the state recorded it when the rule was first saved, whatever a later caller claims).
Any change to the rule, the catalog or the reference date voids the approval:
:func:`check_approval` says which.

The approvals table is a convenience; the audit log is the record. Each decision's audit
entry carries the decision's digest (:func:`digest`), and :func:`sealed` checks that the
approval an export relies on is the audience's latest decision *in the hash chain*, with
the same content: a row forged, edited or a rejection deleted in the state file is refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.errors import Nl2SegError
from nl2seg.guard.consent import CODE
from nl2seg.guard.identity import DatabaseIdentity
from nl2seg.guard.state import (
    Anchor,
    StateStore,
    approval_digest,
    approval_fields,
    now,
)
from nl2seg.guard.warnings import GuardWarning
from nl2seg.preview import Preview
from nl2seg.rule.canonical import canonical_json, fingerprint
from nl2seg.rule.nodes import Rule


class ApprovalError(Nl2SegError):
    code = "approval_refused"


class Approval(BaseModel):
    id: str
    name: str
    version: int
    decision: Literal["approved", "rejected"]
    fingerprint: str
    as_of: str
    catalog_version: str
    catalog_fingerprint: str
    count: int
    channel: str | None
    warnings: list[dict[str, object]]
    acknowledged: list[str]
    approver: str
    author: str
    comment: str
    at: str
    database: str = ""
    database_fingerprint: str = ""
    columns: list[str] = Field(default_factory=list)
    """Profile columns the export may add to the key and the channel's contact."""


def decide(store: StateStore, *, name: str, rule: Rule, catalog: Catalog, preview: Preview,
           warnings: list[GuardWarning], approver: str, author: str, comment: str = "",
           acknowledged: Iterable[str] = (), four_eyes: bool = False,
           decision: Literal["approved", "rejected"] = "approved",
           columns: Sequence[str] = ()) -> Approval:
    """Record an approval (after every gate) or a rejection (always possible), bound to the
    database ``preview`` ran on (see :func:`nl2seg.guard.prepare`)."""
    approver, author = approver.strip(), author.strip()
    if not approver:
        raise ApprovalError("an approval needs the approver's name (--by)")
    for c in columns:
        if not catalog.has_column(f"{catalog.entity.table}.{c}"):
            raise ApprovalError(f"unknown column '{c}' in {catalog.entity.table}",
                                code="approval_column")
    acks = acknowledged_ids(acknowledged, warnings)
    if decision == "approved":
        blocking = [w for w in warnings if w.severity == "blocking"]
        if blocking:
            raise ApprovalError(
                "blocking warnings must be resolved, not acknowledged: " + "; ".join(
                    f"{w.id} ({w.title})" for w in blocking), code="approval_blocked")
        missing = [w for w in warnings if w.needs_ack and w.id not in acks]
        if missing:
            raise ApprovalError(
                f"{len(missing)} warning(s) not acknowledged: " + "; ".join(
                    f"{w.id} ({w.title})" for w in missing)
                + " — acknowledge each one (--ack ID) after reading it"
                + "".join(f"; the data holds no consent for the {w.data['channel']} channel: "
                          f"--ack {CODE} states that the export goes out without consent data "
                          "(the manifest records it)" for w in missing if w.code == CODE),
                code="approval_unacknowledged")
    fp = fingerprint(rule)
    recorded = store.audience(name)
    if recorded is not None and recorded["fingerprint"] == fp:
        author = str(recorded["author"])  # the rule's author is who drafted it, not a flag
    if four_eyes and decision == "approved" and approver.casefold() == (
            author or approver).casefold():
        raise ApprovalError(f"four-eyes mode: {approver} wrote this rule and cannot "
                            "approve it; ask another reviewer", code="approval_four_eyes")
    version = store.save_audience(name, canonical_json(rule), fp, author or approver)
    a = Approval(
        id=uuid.uuid4().hex[:12], name=name, version=version, decision=decision,
        fingerprint=fp, as_of=preview.as_of.isoformat(), catalog_version=catalog.version,
        catalog_fingerprint=catalog.fingerprint(), count=preview.count, channel=rule.channel,
        warnings=[{"id": w.id, "code": w.code, "severity": w.severity, "title": w.title}
                  for w in warnings],
        acknowledged=sorted(acks & {w.id for w in warnings}), approver=approver,
        author=author or approver, comment=comment, at=now(),
        database=preview.database, database_fingerprint=preview.database_fingerprint,
        columns=list(dict.fromkeys(columns)))
    store.db.execute(
        "INSERT INTO approvals (id, name, version, decision, fingerprint, as_of, "
        "catalog_version, catalog_fingerprint, count, channel, warnings_json, "
        "acknowledged_json, approver, author, comment, at, database, database_fingerprint, "
        "columns_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (a.id, a.name, a.version, a.decision, a.fingerprint, a.as_of, a.catalog_version,
         a.catalog_fingerprint, a.count, a.channel, json.dumps(a.warnings),
         json.dumps(a.acknowledged), a.approver, a.author, a.comment, a.at, a.database,
         a.database_fingerprint, json.dumps(a.columns)))
    store.audit("approval" if decision == "approved" else "rejection", approver,
                {"approval": a.id, "audience": name, "version": version, "fingerprint": fp,
                 "count": a.count, "as_of": a.as_of, "acknowledged": a.acknowledged,
                 "comment": comment, "four_eyes": four_eyes, "database": a.database,
                 "columns": a.columns, "digest": digest(a)})
    return a


def acknowledged_ids(acknowledged: Iterable[str], warnings: Sequence[GuardWarning]) -> set[str]:
    """The warning ids ``acknowledged`` names: an id, or a bare code that no other warning
    shares (``--ack no_consent_data``); a code two warnings share acknowledges neither."""
    given = set(acknowledged)
    codes = [w.code for w in warnings]
    return given | {w.id for w in warnings if w.code in given and codes.count(w.code) == 1}


def digest(a: Approval) -> str:
    """SHA-256 of the decision's canonical JSON: what its audit entry seals."""
    return approval_digest(a.model_dump(mode="json"))


def sealed(store: StateStore, approval: Approval, anchors: Iterable[Anchor] = ()) -> list[str]:
    """Why the audit log (checked against ``anchors``) does not back ``approval`` as its
    audience's latest decision."""
    report = store.verify_audit(anchors)
    if not report.ok:
        return [f"the audit log does not verify ({report.reason}): nothing is exported "
                "until it is restored"]
    last = store.latest_decision(approval.name)
    if last is None:
        return [f"no decision on '{approval.name}' is in the audit log"]
    if last.kind == "rejection":
        return [f"the last decision in the audit log is a rejection by {last.actor}"]
    if last.payload.get("approval") != approval.id:
        return ["the approval in the state is not the latest one in the audit log"]
    if last.payload.get("digest") != digest(approval):
        return ["the approval in the state differs from the one the audit log sealed"]
    return []


def load_approval(store: StateStore, approval_id: str) -> Approval | None:
    r = store.db.execute("SELECT * FROM approvals WHERE id = ?", (approval_id,)).fetchone()
    return _row(r) if r else None


def latest_approval(store: StateStore, name: str) -> Approval | None:
    r = store.db.execute("SELECT * FROM approvals WHERE name = ? ORDER BY at DESC, rowid DESC "
                         "LIMIT 1", (name,)).fetchone()
    return _row(r) if r else None


def _row(r: object) -> Approval:
    return Approval.model_validate(approval_fields(r))  # type: ignore[arg-type]


def check_approval(approval: Approval | None, rule: Rule, catalog: Catalog,
                   as_of: str, lang: Lang = "en",
                   database: DatabaseIdentity | None = None) -> list[str]:
    """Why ``approval`` does not cover this rule, catalog, date and (when given) database
    (empty: it does), in ``lang``."""
    def say(fr: str, en: str) -> str:
        return fr if lang == "fr" else en

    if approval is None:
        return [say("l'audience n'a pas d'approbation", "the audience has no approval")]
    if approval.decision != "approved":
        return [say(f"la dernière décision est un rejet par {approval.approver}",
                    f"the last decision was a rejection by {approval.approver}")]
    reasons = []
    if approval.fingerprint != fingerprint(rule):
        reasons.append(say("la règle a changé depuis l'approbation",
                           "the rule changed since it was approved"))
    if approval.catalog_fingerprint != catalog.fingerprint():
        reasons.append(say("le catalogue a changé depuis l'approbation",
                           "the catalog changed since the approval"))
    if approval.as_of != as_of:
        reasons.append(say(f"la date de référence a changé ({approval.as_of} → {as_of})",
                           f"the reference date moved ({approval.as_of} → {as_of})"))
    if database is not None:
        reasons += _database_changed(approval, database, say)
    return reasons


def _database_changed(approval: Approval, db: DatabaseIdentity,
                      say: Callable[[str, str], str]) -> list[str]:
    if not approval.database:
        return [say("l'approbation ne désigne aucune base (antérieure à cette règle) : "
                    "approuvez à nouveau", "the approval names no database (it predates "
                    "that binding): approve it again")]
    if approval.database != db.path:
        return [say(f"approuvée sur la base {approval.database}, pas {db.path}",
                    f"approved on the database {approval.database}, not {db.path}")]
    if approval.database_fingerprint != db.fingerprint:
        return [say("le contenu de la base a changé depuis l'approbation (nombres de lignes "
                    "ou dernières dates)", "the database's content changed since the approval "
                    "(row counts or latest dates): preview and approve it again")]
    return []
