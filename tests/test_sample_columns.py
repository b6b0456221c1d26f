"""The preview's sample reads the catalog's declared columns only (issue 11 §7).

A warehouse's customer table holds columns the catalog does not describe; the sample used to
run ``SELECT *`` and crash with a ``KeyError`` on them. Here the demo's customer table is
rebuilt with an undeclared column first and another last, and the catalog gains a computed
column: the sample shows the declared columns (the computed one evaluated), in the order
key, profile, personal data (masked), and nothing else.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from nl2seg.catalog.load import DEMO_CATALOG, parse_catalog
from nl2seg.compile import compile_rule
from nl2seg.preview import mask, preview
from nl2seg.rule import Attribute, Rule
from nl2seg.validate import validate

AS_OF = dt.date(2026, 6, 30)
ID_LINE = "      customer_id: {type: BIGINT, label: {en: customer id, fr: identifiant client}}\n"
DEMO_TEXT = Path(DEMO_CATALOG).read_text(encoding="utf-8")
assert DEMO_TEXT.count(ID_LINE) == 1
CATALOG = parse_catalog(DEMO_TEXT.replace(ID_LINE, ID_LINE + (
    "      city_upper: {type: VARCHAR, expr: \"upper(city)\", "
    "label: {en: city in capitals, fr: ville en capitales}}\n")), origin="computed")
VIP = Rule(where=Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))


@pytest.fixture(scope="module")
def wide_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database whose customer table has two columns the catalog does not name."""
    path = tmp_path_factory.mktemp("wide") / "wide.duckdb"
    shutil.copy(demo_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE crm.customers RENAME TO customers_old")
        con.execute("CREATE TABLE crm.customers AS SELECT 'L-' || customer_id AS legacy_code, "
                    "*, 42 AS internal_score FROM crm.customers_old")
        con.execute("DROP TABLE crm.customers_old")
    return path


def declared_order() -> list[str]:
    cols = CATALOG.tables["crm.customers"].columns
    return (["customer_id"] + [c for c, col in cols.items() if c != "customer_id" and not col.pii]
            + [c for c, col in cols.items() if col.pii])


def test_the_sample_has_the_declared_columns_only(wide_db: Path) -> None:
    with duckdb.connect(str(wide_db), read_only=True) as con:
        assert con.execute("SELECT column_name FROM information_schema.columns WHERE "
                           "table_schema = 'crm' AND table_name = 'customers' ORDER BY "
                           "ordinal_position").fetchall()[0] == ("legacy_code",)
        p = preview(compile_rule(validate(VIP, CATALOG, AS_OF)), con, sample_size=5)
        first = p.sample[0]
        row = con.execute("SELECT customer_id, city, email, loyalty_tier FROM crm.customers "
                          "WHERE loyalty_tier = 'vip' ORDER BY customer_id LIMIT 1").fetchone()
    assert len(p.sample) == 5
    assert [list(r) for r in p.sample] == [declared_order()] * 5
    assert "legacy_code" not in first and "internal_score" not in first
    assert row is not None
    assert (first["customer_id"], first["city"], first["loyalty_tier"]) == (
        row[0], row[1], row[3])
    assert first["city_upper"] == (row[1].upper() if row[1] is not None else None)
    assert first["email"] == mask(row[2]) and p.sample_masked


def test_unmasked_on_request_and_same_columns_on_the_plain_demo(
        wide_db: Path, demo_db: Path) -> None:
    compiled = compile_rule(validate(VIP, CATALOG, AS_OF))
    with duckdb.connect(str(wide_db), read_only=True) as con:
        wide = preview(compiled, con, sample_size=3, mask_pii=False).sample
        email = con.execute("SELECT email FROM crm.customers WHERE loyalty_tier = 'vip' "
                            "ORDER BY customer_id LIMIT 1").fetchone()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        plain = preview(compiled, con, sample_size=3, mask_pii=False).sample
    assert email is not None and wide[0]["email"] == email[0]
    assert wide == plain  # the undeclared columns change nothing
