"""Item 6: what an approval binds — the database, the columns, and who saw the PII.

An approval now binds the database's identity (its path and a fingerprint of the catalog's
tables: row counts and latest timestamps) and the extra columns approved; ``--show-pii``
leaves an audit entry; ``audit verify`` checks the approvals table against the digests the
log sealed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nl2seg.cli import main
from nl2seg.guard import ExportError, StateStore, export_audience
from nl2seg.guard.identity import database_identity
from nl2seg.rule.nodes import Rule
from tests.adversarial.guard_helpers import AS_OF, CAT, VIP, approve


def test_an_approval_exports_only_from_its_own_database(
        tmp_path: Path, demo_db: Path, demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    rule = Rule(where=VIP, channel="email")
    a = approve(store, demo_con, rule)
    assert a.database == str(demo_db.resolve()) and a.database_fingerprint
    twin = tmp_path / "twin.duckdb"  # the same content, elsewhere
    shutil.copy(demo_db, twin)
    other = tmp_path / "other.duckdb"  # another database at the approved path: swapped in
    shutil.copy(demo_db, other)
    with duckdb.connect(str(other)) as c:
        c.execute("DELETE FROM ecom.orders WHERE order_id % 50 = 0")
    assert database_identity(duckdb.connect(str(other)), CAT).fingerprint != \
        a.database_fingerprint
    for path in (twin, other):
        with duckdb.connect(str(path), read_only=True) as con, \
                pytest.raises(ExportError) as err:
            export_audience(store, con, a, rule, CAT, AS_OF, channel="email",
                            out_dir=tmp_path / "o")
        assert err.value.code == "export_unapproved" and "database" in str(err.value)
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.csv"))


def test_extra_columns_must_be_approved(tmp_path: Path,
                                        demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    rule = Rule(where=VIP, channel="email")
    a = approve(store, demo_con, rule)
    for extra in (["birth_date"], ["first_name", "postal_code"]):
        with pytest.raises(ExportError) as err:
            export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email",
                            out_dir=tmp_path / "o", extra_columns=extra)
        assert err.value.code == "export_column_unapproved"
    b = approve(store, demo_con, rule, columns=["birth_date"])
    out = export_audience(store, demo_con, b, rule, CAT, AS_OF, channel="email",
                          out_dir=tmp_path / "o", extra_columns=["birth_date"])
    assert out.columns == ["customer_id", "email", "birth_date"]


def test_show_pii_leaves_an_audit_entry(tmp_path: Path, demo_db: Path) -> None:
    env = {"NL2SEG_DB": str(demo_db), "NL2SEG_STATE": str(tmp_path / "s.sqlite")}
    res = CliRunner().invoke(main, ["preview", "clients VIP", "--show-pii", "--by", "eve"],
                             env=env)
    assert res.exit_code == 0, res.output
    with StateStore(tmp_path / "s.sqlite") as store:
        shown = [e for e in store.audit_entries() if e.kind == "pii_shown"]
    assert len(shown) == 1 and shown[0].actor == "eve"
    assert shown[0].payload["rows"] > 0 and "email" in shown[0].payload["columns"]


@pytest.mark.parametrize("edit", ["approver = 'ceo'", "count = count + 5000",
                                  "comment = 'edited'"])
def test_verify_checks_the_approvals_table_against_its_sealed_digests(
        edit: str, tmp_path: Path, demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    approve(store, demo_con, Rule(where=VIP, channel="email"))
    assert store.verify_audit().ok
    store.db.execute(f"UPDATE approvals SET {edit}")  # the test's own tampering
    report = store.verify_audit()
    assert not report.ok and report.reason is not None and "sealed" in report.reason
    res = CliRunner().invoke(main, ["audit", "verify"],
                             env={"NL2SEG_STATE": str(tmp_path / "s.sqlite")})
    assert res.exit_code == 1 and "sealed" in res.output
