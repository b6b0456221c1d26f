"""The app's state: audiences, previews, approvals, exports and the audit log, in SQLite.

One file (default ``.nl2seg/state.sqlite``) shared by the CLI and the app; a restart loses
nothing. The audit log is append-only twice over: triggers refuse UPDATE and DELETE, and each
entry's hash covers the previous entry's hash, so an edit of the file by other means breaks
the chain that :meth:`StateStore.verify_audit` recomputes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from nl2seg.errors import Nl2SegError

DEFAULT_STATE = ".nl2seg/state.sqlite"
GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audiences (
  name TEXT NOT NULL, version INTEGER NOT NULL, rule_json TEXT NOT NULL,
  fingerprint TEXT NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS previews (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, fingerprint TEXT NOT NULL,
  as_of TEXT NOT NULL, count INTEGER NOT NULL, base INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, decision TEXT NOT NULL,
  fingerprint TEXT NOT NULL, as_of TEXT NOT NULL, catalog_version TEXT NOT NULL,
  catalog_fingerprint TEXT NOT NULL, count INTEGER NOT NULL, channel TEXT,
  warnings_json TEXT NOT NULL, acknowledged_json TEXT NOT NULL, approver TEXT NOT NULL,
  author TEXT NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS exports (
  id TEXT PRIMARY KEY, approval_id TEXT NOT NULL, channel TEXT, format TEXT NOT NULL,
  path TEXT NOT NULL, sha256 TEXT NOT NULL, count INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
  payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class StateError(Nl2SegError):
    code = "state_error"


class AuditEntry(BaseModel):
    seq: int
    at: str
    kind: str
    actor: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class AuditReport(BaseModel):
    entries: int
    ok: bool
    broken_at: int | None = None
    reason: str | None = None


def _entry(r: sqlite3.Row) -> AuditEntry:
    return AuditEntry(seq=r["seq"], at=r["at"], kind=r["kind"], actor=r["actor"],
                      payload=json.loads(r["payload"]), prev_hash=r["prev_hash"], hash=r["hash"])


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def json_sha256(value: Any) -> str:
    """SHA-256 of ``value``'s canonical JSON (sorted keys, no spaces)."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, at: str, kind: str, actor: str,
               payload: dict[str, Any]) -> str:
    return json_sha256([prev_hash, seq, at, kind, actor, payload])


class StateStore:
    """A connection to the state file; create it (and its folder) when missing."""

    def __init__(self, path: str | Path = DEFAULT_STATE) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=10)
            self.db.row_factory = sqlite3.Row
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"the state file {path} is not a readable SQLite database "
                             f"({exc}); move it aside to start a new one (the audit log in it "
                             "is kept for inspection)", code="state_corrupt") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- audit ---------------------------------------------------------------------------------
    def audit(self, kind: str, actor: str, payload: dict[str, Any]) -> AuditEntry:
        """Append one entry, chained to the previous one (in one transaction)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")\
                .fetchone()
            seq, prev = (row["seq"] + 1, row["hash"]) if row else (1, GENESIS)
            at = now()
            h = entry_hash(prev, seq, at, kind, actor, payload)
            self.db.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (seq, at, kind, actor, json.dumps(payload, ensure_ascii=False,
                                                              sort_keys=True), prev, h))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return AuditEntry(seq=seq, at=at, kind=kind, actor=actor, payload=payload,
                          prev_hash=prev, hash=h)

    def audit_head(self) -> str:
        """The last entry's hash: copied into each export manifest, an anchor outside this
        file (a rewrite of the whole chain no longer matches the manifests)."""
        row = self.db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return str(row["hash"]) if row else GENESIS

    def audit_entries(self, limit: int | None = None) -> list[AuditEntry]:
        q = "SELECT * FROM audit ORDER BY seq" + (" DESC LIMIT ?" if limit else "")
        rows = self.db.execute(q, (limit,) if limit else ()).fetchall()
        return sorted((_entry(r) for r in rows), key=lambda e: e.seq)

    def latest_decision(self, audience: str) -> AuditEntry | None:
        """The last approval or rejection of ``audience`` in the log."""
        row = self.db.execute(
            "SELECT * FROM audit WHERE kind IN ('approval', 'rejection') AND "
            "json_extract(payload, '$.audience') = ? ORDER BY seq DESC LIMIT 1",
            (audience,)).fetchone()
        return _entry(row) if row else None

    def verify_audit(self) -> AuditReport:
        """Recompute the chain, then check the approvals and exports tables against it."""
        prev, n = GENESIS, 0
        logged: dict[str, set[str]] = {"approval": set(), "export": set()}
        for r in self.db.execute("SELECT * FROM audit ORDER BY seq"):
            n += 1
            if r["seq"] != n:
                return AuditReport(entries=n, ok=False, broken_at=r["seq"],
                                   reason=f"entry {n} is missing")
            try:
                payload = json.loads(r["payload"])
            except json.JSONDecodeError:
                return AuditReport(entries=n, ok=False, broken_at=n, reason="unreadable payload")
            if r["prev_hash"] != prev:
                return AuditReport(entries=n, ok=False, broken_at=n,
                                   reason="does not follow the previous entry")
            if entry_hash(prev, r["seq"], r["at"], r["kind"], r["actor"], payload) != r["hash"]:
                return AuditReport(entries=n, ok=False, broken_at=n,
                                   reason="content changed after it was written")
            prev = r["hash"]
            if r["kind"] in ("approval", "rejection"):
                logged["approval"].add(str(payload.get("approval")))
            elif r["kind"] == "export":
                logged["export"].add(str(payload.get("export")))
        return self._tables_match_log(n, logged) or AuditReport(entries=n, ok=True)

    def _tables_match_log(self, n: int, logged: dict[str, set[str]]) -> AuditReport | None:
        """The approvals and exports tables against the chain: a row the log does not hold
        was forged; a decision the log holds but the table lost was deleted."""
        for table, kind in (("approvals", "approval"), ("exports", "export")):
            rows = {str(r[0]) for r in self.db.execute(f"SELECT id FROM {table}")}
            if forged := sorted(rows - logged[kind]):
                return AuditReport(entries=n, ok=False, reason=f"{kind} {forged[0]} is in the "
                                   f"{table} table but not in the audit log")
            if lost := sorted(logged[kind] - rows):
                return AuditReport(entries=n, ok=False, reason=f"{kind} {lost[0]} is in the "
                                   f"audit log but was removed from the {table} table")
        return None

    # -- audiences and previews ----------------------------------------------------------------
    def save_audience(self, name: str, rule_json: str, fingerprint: str, author: str) -> int:
        """The audience's version for this rule: the latest if unchanged, else a new one."""
        row = self.db.execute("SELECT version, fingerprint FROM audiences WHERE name = ? "
                              "ORDER BY version DESC LIMIT 1", (name,)).fetchone()
        if row and row["fingerprint"] == fingerprint:
            return int(row["version"])
        version = (row["version"] + 1) if row else 1
        self.db.execute("INSERT INTO audiences VALUES (?, ?, ?, ?, ?, ?)",
                        (name, version, rule_json, fingerprint, author, now()))
        self.audit("draft", author, {"audience": name, "version": version,
                                     "fingerprint": fingerprint})
        return version

    def audience(self, name: str, version: int | None = None) -> sqlite3.Row | None:
        if version is None:
            cur = self.db.execute("SELECT * FROM audiences WHERE name = ? ORDER BY version "
                                  "DESC LIMIT 1", (name,))
        else:
            cur = self.db.execute("SELECT * FROM audiences WHERE name = ? AND version = ?",
                                  (name, version))
        row: sqlite3.Row | None = cur.fetchone()
        return row

    def audiences(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM audiences ORDER BY name, version").fetchall()

    def record_preview(self, name: str, fingerprint: str, as_of: str, count: int, base: int,
                       actor: str) -> None:
        self.db.execute("INSERT INTO previews (name, fingerprint, as_of, count, base, at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (name, fingerprint, as_of, count, base,
                                                      now()))
        self.audit("preview", actor, {"audience": name, "fingerprint": fingerprint,
                                      "as_of": as_of, "count": count})

    def approved_counts(self, name: str) -> list[int]:
        """Counts seen at each approval of ``name`` (the history the size is compared with)."""
        return [int(r[0]) for r in self.db.execute(
            "SELECT count FROM approvals WHERE name = ? AND decision = 'approved' ORDER BY at",
            (name,))]
