"""The preview's numbers against hand-written SQL on a generated demo database."""

from __future__ import annotations

import duckdb
import pytest
from conftest import AS_OF

from nl2seg import compile_rule, parse_rule, validate
from nl2seg.catalog import Catalog
from nl2seg.preview import mask, preview

VIP = {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq", "value": "vip"}
STORE_2_6M = {"kind": "event", "event": "purchase",
              "filters": [{"property": "channel", "op": "eq", "value": "store"}],
              "window": {"kind": "last", "n": 6, "unit": "month"},
              "aggregate": "count", "op": "gte", "value": 2}
PARIS = {"kind": "attribute", "field": "crm.customers.city", "op": "eq", "value": "Paris"}

HAND_VIP = "SELECT customer_id FROM crm.customers WHERE loyalty_tier = 'vip'"
HAND_STORE = """SELECT customer_id FROM pos.transactions WHERE customer_id IS NOT NULL
  AND transaction_at >= TIMESTAMP '2026-01-01' AND transaction_at < TIMESTAMP '2026-07-01'
  GROUP BY customer_id HAVING COUNT(*) >= 2"""
HAND_PARIS = "SELECT customer_id FROM crm.customers WHERE city = 'Paris'"
HAND_SMS = ("SELECT customer_id FROM crm.customers WHERE sms_opt_in AND phone IS NOT NULL")


def ids(con: duckdb.DuckDBPyConnection, sql: str) -> set[int]:
    return {r[0] for r in con.execute(sql).fetchall()}


def run(con: duckdb.DuckDBPyConnection, catalog: Catalog, rule: dict[str, object], **kw: object):
    compiled = compile_rule(validate(parse_rule(rule), catalog, AS_OF))
    return compiled, preview(compiled, con, **kw)  # type: ignore[arg-type]


def test_count_funnel_and_leave_one_out_match_hand_written_sets(
        demo_con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    rule = {"where": {"kind": "all", "conditions": [VIP, STORE_2_6M, PARIS]}, "channel": "sms"}
    _, p = run(demo_con, catalog, rule)
    base = ids(demo_con, "SELECT customer_id FROM crm.customers")
    sets = [ids(demo_con, q) for q in (HAND_VIP, HAND_STORE, HAND_PARIS, HAND_SMS)]
    assert p.base == len(base)
    final = base.intersection(*sets)
    assert p.count == len(final) > 0
    assert p.share == pytest.approx(len(final) / len(base))
    assert [s.kind for s in p.funnel] == ["condition", "condition", "condition", "consent"]
    remaining = set(base)
    for i, (step, s) in enumerate(zip(p.funnel, sets, strict=True)):
        before = len(remaining)
        remaining &= s
        assert step.alone == len(s)
        assert step.remaining == len(remaining)
        assert step.dropped == before - len(remaining)
        others = base.intersection(*(x for j, x in enumerate(sets) if j != i))
        assert step.without == len(others)
        assert step.impact == len(others) - len(final)


def test_compiled_audience_equals_funnel_count(demo_con: duckdb.DuckDBPyConnection,
                                               catalog: Catalog) -> None:
    compiled, p = run(demo_con, catalog, {"where": {"kind": "any", "conditions": [VIP, PARIS]}})
    assert len(ids(demo_con, compiled.sql())) == p.count
    assert p.count == len(ids(demo_con, HAND_VIP) | ids(demo_con, HAND_PARIS))
    assert len(p.funnel) == 1 and p.funnel[0].without == p.base


def test_sample_masks_pii_by_default_and_only_members(demo_con: duckdb.DuckDBPyConnection,
                                                      catalog: Catalog) -> None:
    _, p = run(demo_con, catalog, {"where": VIP}, sample_size=5)
    vip = ids(demo_con, HAND_VIP)
    assert len(p.sample) == 5 and p.sample_masked
    for row in p.sample:
        assert row["customer_id"] in vip
        assert row["loyalty_tier"] == "vip"
        assert row["email"] is None or "***@" in row["email"]
        assert row["first_name"].endswith("***")
    _, clear = run(demo_con, catalog, {"where": VIP}, sample_size=5, mask_pii=False)
    assert all("***" not in (r["email"] or "") for r in clear.sample)


def test_preview_reports_fingerprint_timings_and_labels(demo_con: duckdb.DuckDBPyConnection,
                                                        catalog: Catalog) -> None:
    _, p = run(demo_con, catalog, {"where": STORE_2_6M}, lang="en")
    assert len(p.fingerprint) == 64
    assert {"count_and_funnel", "sample", "total"} <= set(p.timings_ms)
    assert "1 January 2026" in p.funnel[0].label and "30 June 2026" in p.funnel[0].label


@pytest.mark.parametrize(("value", "masked"), [
    ("jane.doe@example.com", "j***@example.com"),
    ("+33612345678", "+33*******78"),
    ("Durand", "D***"),
    (None, None),
])
def test_mask(value: str | None, masked: str | None) -> None:
    assert mask(value) == masked
