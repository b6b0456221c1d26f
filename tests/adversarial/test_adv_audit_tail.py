"""Item 2: a log cut from its end is caught by the anchors kept outside it.

The attack: drop the triggers, delete every entry from a rejection on, and the rejection's
row. The chain left is intact, so only a hash kept elsewhere can tell: each export manifest
carries the hash of the export's own entry (written before the file is published), and
``audit verify`` takes such anchors (manifests, a folder of them, or a file of anchors).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nl2seg.cli import main
from nl2seg.guard import ExportError, StateStore, export_audience
from nl2seg.guard.anchors import anchors_from
from nl2seg.rule.nodes import Rule
from tests.adversarial.guard_helpers import AS_OF, CAT, VIP, approve


def cut_from(store: StateStore, seq: int, approval_id: str) -> None:
    """What the reviewer's attacker did: the tail of the log and the rejection row, gone."""
    store.db.execute("DROP TRIGGER audit_no_delete")
    store.db.execute("DELETE FROM audit WHERE seq >= ?", (seq,))
    store.db.execute("DELETE FROM approvals WHERE id = ?", (approval_id,))
    store.db.execute("DELETE FROM approvals WHERE id NOT IN (SELECT json_extract(payload, "
                     "'$.approval') FROM audit WHERE kind IN ('approval', 'rejection'))")
    store.db.execute("DELETE FROM exports")


def test_the_manifest_anchors_the_exports_own_entry(tmp_path: Path,
                                                    demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    rule = Rule(where=VIP, channel="email")
    a = approve(store, demo_con, rule)
    out = export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email",
                          out_dir=tmp_path / "o")
    manifest = json.loads(Path(out.manifest).read_text())
    own = next(e for e in store.audit_entries() if e.hash == manifest["audit_anchor"]["hash"])
    assert own.kind == "export_started" and own.payload["export"] == out.id
    assert own.payload["file"] == Path(out.path).name
    assert manifest["audit_anchor"]["seq"] == own.seq


def test_a_cut_tail_is_reported_and_blocks_the_rejected_audience(
        tmp_path: Path, demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    sms = Rule(where=VIP, channel="sms")
    approved = approve(store, demo_con, sms, name="sms")
    rejected = approve(store, demo_con, sms, name="sms", decision="rejected", approver="carl")
    cut = next(e.seq for e in store.audit_entries() if e.kind == "rejection")
    # a later export of another audience, whose manifest lands in the shared folder
    email = Rule(where=VIP, channel="email")
    b = approve(store, demo_con, email, name="mail")
    export_audience(store, demo_con, b, email, CAT, AS_OF, channel="email",
                    out_dir=tmp_path / "o")
    cut_from(store, cut, rejected.id)
    assert store.verify_audit().ok  # without an anchor, an intact shorter chain
    report = store.verify_audit(anchors_from([tmp_path / "o"]))
    assert not report.ok and report.reason is not None and "missing" in report.reason
    with pytest.raises(ExportError) as err:  # the folder's own manifests are anchors
        export_audience(store, demo_con, approved, sms, CAT, AS_OF, channel="sms",
                        out_dir=tmp_path / "o")
    assert err.value.code == "export_unapproved" and "missing" in str(err.value)


def test_cli_verify_takes_anchors_from_manifests_folders_and_files(
        tmp_path: Path, demo_db: Path) -> None:
    env = {"NL2SEG_DB": str(demo_db), "NL2SEG_STATE": str(tmp_path / "s.sqlite")}
    run = CliRunner().invoke
    first = run(main, ["approve", "clients VIP", "--name", "x", "--by", "bob", "--channel",
                       "email"], env=env)
    acks = [x for ln in first.output.splitlines() if ln.strip().startswith("! ")
            for x in ("--ack", ln.split()[1])]
    ok = run(main, ["approve", "clients VIP", "--name", "x", "--by", "bob", "--channel",
                    "email", *acks], env=env)
    assert ok.exit_code == 0, ok.output
    done = run(main, ["export", "x", "--channel", "email", "--out", str(tmp_path / "o")],
               env=env)
    assert done.exit_code == 0, done.output
    verified = run(main, ["audit", "verify"], env=env)
    assert verified.exit_code == 0, verified.output
    head = next(ln.split()[-1] for ln in verified.output.splitlines()
                if ln.startswith("head anchor"))
    (tmp_path / "anchors.txt").write_text(f"# kept elsewhere\n{head}\n")
    manifest = next((tmp_path / "o").glob("*.manifest.json"))
    for args in (["--anchors-from", str(tmp_path / "o")], ["--anchor", str(manifest)],
                 ["--anchor", str(tmp_path / "anchors.txt")]):
        res = run(main, ["audit", "verify", *args], env=env)
        assert res.exit_code == 0 and "anchor" in res.output, res.output
    store = StateStore(tmp_path / "s.sqlite")
    store.db.execute("DROP TRIGGER audit_no_delete")
    store.db.execute("DELETE FROM audit WHERE seq >= (SELECT max(seq) - 1 FROM audit)")
    store.db.execute("DELETE FROM exports")
    store.close()
    assert run(main, ["audit", "verify"], env=env).exit_code == 0  # the known limit
    for args in (["--anchors-from", str(tmp_path / "o")],
                 ["--anchor", str(tmp_path / "anchors.txt")]):
        res = run(main, ["audit", "verify", *args], env=env)
        assert res.exit_code == 1 and "missing" in res.output, res.output
