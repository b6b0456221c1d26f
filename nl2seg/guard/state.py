"""The app's state: audiences, previews, approvals, exports and the audit log, in SQLite.

One file (default ``.nl2seg/state.sqlite``) shared by the CLI and the app; a restart loses
nothing. The audit log is append-only twice over: triggers refuse UPDATE and DELETE, and each
entry's hash covers the previous entry's hash, so an edit of the file by other means breaks
the chain that :meth:`StateStore.verify_audit` recomputes.

A chain cut from its end is still a valid chain: only a hash kept outside the file shows
the cut. Each export manifest carries its own entry's hash (see ``docs/security.md``), and
``verify_audit(anchors)`` reports an anchor the log no longer holds as a missing tail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
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
  author TEXT NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL, database TEXT,
  database_fingerprint TEXT, columns_json TEXT);
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
_ADDED = {c: f"ALTER TABLE approvals ADD COLUMN {c} TEXT"
          for c in ("database", "database_fingerprint", "columns_json")}


_SAVE_TRIES = 100
_WRITE_FAILURES = {"readonly", "read-only"}


def _readonly(path: Path) -> bool:
    """Is ``path`` (or the folder it would be created in) on a read-only file system, or
    not writable by us?"""
    import os

    where = path if path.exists() else path.parent
    try:
        return bool(os.statvfs(where).f_flag & os.ST_RDONLY) or not os.access(where, os.W_OK)
    except OSError:
        return False


def _unwritable(path: str | Path, exc: BaseException) -> StateError:
    return StateError(f"the state file {path} cannot be written: its folder is read-only "
                      f"({' '.join(str(exc).split())}); pass --state (or NL2SEG_STATE) with a "
                      "path on a writable disk", code="state_read_only")


class _Connection(sqlite3.Connection):
    """A state connection whose writes on a read-only file system say so (issue 12 §9): an
    existing state file there opens fine, and its first write failed with SQLite's words."""

    state_path = ""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc).lower():
                raise _unwritable(self.state_path, exc) from None
            raise


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
    anchors: int = 0
    """Anchors checked (hashes kept outside the file that the chain must still hold)."""


class Anchor(BaseModel):
    """A hash of one audit entry kept outside the state file (a manifest, a note)."""

    hash: str
    seq: int | None = None
    source: str = "an anchor"


APPROVAL_EXTRAS = ("database", "database_fingerprint", "columns")
"""Approval fields added after the first approvals were sealed: left out of the digest when
empty, so those approvals still verify."""


def approval_digest(fields: dict[str, Any]) -> str:
    """SHA-256 of a decision's canonical JSON: what its audit entry seals."""
    return json_sha256({k: v for k, v in fields.items()
                        if k not in APPROVAL_EXTRAS or v})


def approval_fields(r: sqlite3.Row) -> dict[str, Any]:
    """An approvals row as the decision's fields (JSON columns read, extras defaulted)."""
    d = dict(r)
    d["warnings"] = json.loads(d.pop("warnings_json"))
    d["acknowledged"] = json.loads(d.pop("acknowledged_json"))
    d["columns"] = json.loads(d.pop("columns_json", None) or "[]")
    d["database"] = d.get("database") or ""
    d["database_fingerprint"] = d.get("database_fingerprint") or ""
    return d


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
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unwritable(path, exc) from None
        try:
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=10,
                                      factory=_Connection)
            self.db.state_path = str(path)
            self.db.row_factory = sqlite3.Row
            self.db.executescript(_SCHEMA)
            have = {r[1] for r in self.db.execute("PRAGMA table_info(approvals)")}
            for column, alter in _ADDED.items():
                if column not in have:  # a state file from before approvals bound these
                    self.db.execute(alter)
        except sqlite3.OperationalError as exc:
            if _WRITE_FAILURES & set(str(exc).lower().split(" ")) or _readonly(self.path):
                raise _unwritable(path, exc) from None  # issue 12 §9: not "corrupt"
            raise StateError(f"the state file {path} cannot be opened ({exc}): check the path "
                             "and that no other program holds it", code="state_unavailable") \
                from None
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
    def audit(self, kind: str, actor: str, payload: dict[str, Any],
              statements: Sequence[tuple[str, Sequence[Any]]] = ()) -> AuditEntry:
        """Append one entry, chained to the previous one, in one transaction with
        ``statements`` (a row the entry records lands with it or not at all)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                self.db.execute(sql, params)
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
        """The last entry's hash (:meth:`head_anchor` says which entry too)."""
        return self.head_anchor().hash

    def head_anchor(self) -> Anchor:
        """The last entry as an anchor to keep outside this file (``SEQ:HASH``)."""
        row = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return Anchor(seq=row["seq"], hash=row["hash"], source="the head") if row else \
            Anchor(seq=0, hash=GENESIS, source="the head")

    def unfinished_exports(self) -> list[AuditEntry]:
        """``export_started`` entries that no ``export`` or ``export_failed`` entry closed:
        a process that died between announcing a file and recording it."""
        rows = self.db.execute("SELECT * FROM audit WHERE kind IN ('export_started', 'export', "
                               "'export_failed') ORDER BY seq").fetchall()
        entries = [_entry(r) for r in rows]
        closed = {str(e.payload.get("export")) for e in entries if e.kind != "export_started"}
        return [e for e in entries
                if e.kind == "export_started" and str(e.payload.get("export")) not in closed]

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

    def verify_audit(self, anchors: Iterable[Anchor] = ()) -> AuditReport:
        """Recompute the chain, check that it still holds every anchor (a missing one means
        entries were cut from its end or rewritten), then check the approvals and exports
        tables against it."""
        prev, n = GENESIS, 0
        logged: dict[str, set[str]] = {"approval": set(), "export": set()}
        sealed: dict[str, str] = {}
        hashes: dict[str, int] = {}
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
            hashes[prev] = n
            if r["kind"] in ("approval", "rejection"):
                logged["approval"].add(str(payload.get("approval")))
                sealed[str(payload.get("approval"))] = str(payload.get("digest"))
            elif r["kind"] == "export":
                logged["export"].add(str(payload.get("export")))
        checked = 0
        for a in anchors:
            checked += 1
            if a.hash in hashes and a.seq in (None, hashes[a.hash]):
                continue
            if a.seq is not None and a.seq > n:
                why = (f"missing tail: the log ends at entry {n} but {a.source} anchors entry "
                       f"{a.seq}; entries were removed from its end")
            elif a.seq is not None:
                why = f"entry {a.seq} is not the one {a.source} anchors: the log was rewritten"
            else:
                why = (f"missing tail: {a.source} anchors an entry ({a.hash[:16]}…) the log "
                       "no longer holds")
            return AuditReport(entries=n, ok=False, broken_at=a.seq, reason=why,
                               anchors=checked)
        return (self._tables_match_log(n, logged, sealed)
                or AuditReport(entries=n, ok=True, anchors=checked))

    def _tables_match_log(self, n: int, logged: dict[str, set[str]],
                          sealed: dict[str, str]) -> AuditReport | None:
        """The approvals and exports tables against the chain: a row the log does not hold
        was forged; a decision the log holds but the table lost was deleted; a row whose
        content is not what the log sealed was edited."""
        for table, kind, sql in (("approvals", "approval", "SELECT id FROM approvals"),
                                 ("exports", "export", "SELECT id FROM exports")):
            rows = {str(r[0]) for r in self.db.execute(sql)}
            if forged := sorted(rows - logged[kind]):
                return AuditReport(entries=n, ok=False, reason=f"{kind} {forged[0]} is in the "
                                   f"{table} table but not in the audit log")
            if lost := sorted(logged[kind] - rows):
                return AuditReport(entries=n, ok=False, reason=f"{kind} {lost[0]} is in the "
                                   f"audit log but was removed from the {table} table")
        for r in self.db.execute("SELECT * FROM approvals ORDER BY id"):
            if approval_digest(approval_fields(r)) != sealed.get(str(r["id"])):
                return AuditReport(entries=n, ok=False, reason=f"approval {r['id']} in the "
                                   "approvals table differs from the one its audit entry "
                                   "sealed (approver, count, comment or another field was "
                                   "edited)")
        return None

    # -- audiences and previews ----------------------------------------------------------------
    def save_audience(self, name: str, rule_json: str, fingerprint: str, author: str) -> int:
        """The audience's version for this rule: the latest if unchanged, else a new one.

        The row and its audit entry land in one transaction; when another process took the
        version read first (issue 12 §9: 20 processes at once), read again and retry."""
        for _ in range(_SAVE_TRIES):
            row = self.db.execute("SELECT version, fingerprint FROM audiences WHERE name = ? "
                                  "ORDER BY version DESC LIMIT 1", (name,)).fetchone()
            if row and row["fingerprint"] == fingerprint:
                return int(row["version"])
            version = (row["version"] + 1) if row else 1
            try:
                self.audit("draft", author, {"audience": name, "version": version,
                                             "fingerprint": fingerprint},
                           statements=[("INSERT INTO audiences VALUES (?, ?, ?, ?, ?, ?)",
                                        (name, version, rule_json, fingerprint, author,
                                         now()))])
            except sqlite3.IntegrityError:
                continue  # that version was just written by another process: read again
            return version
        raise StateError(f"could not save audience '{name}': {_SAVE_TRIES} other saves of it "
                         "ran at the same moment; retry", code="state_busy")

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
