"""Preview speed on the demo dataset: compiled count vs hand-written SQL, and whole preview.

    python benchmarks/preview.py [--customers 1000000] [--db PATH] [--runs 7]

Builds the demo dataset once (kept at --db), then for each rule measures, on one read-only
connection and alternating the two so that caches favour neither: the compiled audience count
(``SELECT COUNT(*) FROM (<compiled SQL>)``), a hand-written query for the same audience, and the
whole preview (count + funnel + leave-one-out + sample). Prints a Markdown table of medians;
the counts of both queries must agree or the script fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import duckdb

from nl2seg import compile_rule, load_catalog, parse_rule, validate
from nl2seg.db import open_db
from nl2seg.preview import preview

AS_OF = dt.date(2026, 6, 30)
WINDOW_6M = "TIMESTAMP '2026-01-01'"
END = "TIMESTAMP '2026-07-01'"

CASES: list[dict[str, Any]] = [
    {
        "name": "VIP, ≥ 2 in-store purchases in the last 6 months",
        "rule": {"where": {"kind": "all", "conditions": [
            {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
             "value": "vip"},
            {"kind": "event", "event": "purchase",
             "filters": [{"property": "channel", "op": "eq", "value": "store"}],
             "window": {"kind": "last", "n": 6, "unit": "month"},
             "aggregate": "count", "op": "gte", "value": 2}]}},
        "hand": f"""
            SELECT COUNT(*) FROM crm.customers c
            WHERE c.loyalty_tier = 'vip' AND c.customer_id IN (
              SELECT customer_id FROM pos.transactions
              WHERE customer_id IS NOT NULL
                AND transaction_at >= {WINDOW_6M} AND transaction_at < {END}
              GROUP BY customer_id HAVING COUNT(*) >= 2)""",
    },
    {
        "name": "bought shoes in the last 3 months",
        "rule": {"where": {"kind": "event", "event": "purchase",
                           "filters": [{"property": "category", "op": "eq", "value": "shoes"}],
                           "window": {"kind": "last", "n": 3, "unit": "month"}}},
        "hand": f"""
            SELECT COUNT(DISTINCT customer_id) FROM (
              SELECT t.customer_id FROM pos.transactions t
              WHERE t.customer_id IS NOT NULL
                AND t.transaction_at >= TIMESTAMP '2026-04-01' AND t.transaction_at < {END}
                AND EXISTS (SELECT 1 FROM pos.transaction_lines l
                            JOIN product.products p ON p.product_id = l.product_id
                            WHERE l.transaction_id = t.transaction_id AND p.category = 'shoes')
              UNION ALL
              SELECT o.customer_id FROM ecom.orders o
              WHERE o.status = 'completed'
                AND o.ordered_at >= TIMESTAMP '2026-04-01' AND o.ordered_at < {END}
                AND EXISTS (SELECT 1 FROM ecom.order_lines l
                            JOIN product.products p ON p.product_id = l.product_id
                            WHERE l.order_id = o.order_id AND p.category = 'shoes'))""",
    },
    {
        "name": "inactive with high propensity for sport",
        "rule": {"where": {"kind": "all", "conditions": [
            {"kind": "event", "event": "purchase", "aggregate": "exists"},
            {"kind": "event", "event": "purchase", "aggregate": "none",
             "window": {"kind": "last", "n": 12, "unit": "month"}},
            {"kind": "score", "field": "crm.scores.appetence_sport", "op": "gte",
             "value": 0.7}]}},
        "hand": f"""
            WITH buys AS (
              SELECT customer_id, transaction_at AS bought_at FROM pos.transactions
              WHERE customer_id IS NOT NULL AND transaction_at < {END}
              UNION ALL
              SELECT customer_id, ordered_at FROM ecom.orders
              WHERE status = 'completed' AND ordered_at < {END}),
            last_buy AS (SELECT customer_id, MAX(bought_at) AS last_at
                         FROM buys GROUP BY customer_id)
            SELECT COUNT(*) FROM crm.scores s JOIN last_buy b USING (customer_id)
            WHERE s.appetence_sport >= 0.7 AND b.last_at < TIMESTAMP '2025-07-01'""",
    },
    {
        "name": "bought in store and online in the last 12 months",
        "rule": {"where": {"kind": "all", "conditions": [
            {"kind": "event", "event": "purchase",
             "filters": [{"property": "channel", "op": "eq", "value": "store"}],
             "window": {"kind": "last", "n": 12, "unit": "month"}},
            {"kind": "event", "event": "purchase",
             "filters": [{"property": "channel", "op": "eq", "value": "online"}],
             "window": {"kind": "last", "n": 12, "unit": "month"}}]}},
        "hand": f"""
            SELECT COUNT(*) FROM (
              SELECT customer_id FROM pos.transactions
              WHERE customer_id IS NOT NULL
                AND transaction_at >= TIMESTAMP '2025-07-01' AND transaction_at < {END}
              INTERSECT
              SELECT customer_id FROM ecom.orders
              WHERE status = 'completed'
                AND ordered_at >= TIMESTAMP '2025-07-01' AND ordered_at < {END})""",
    },
]


def timed(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    row = con.execute(sql).fetchone()
    assert row is not None
    return (time.perf_counter() - t0) * 1000, int(row[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--db", default="benchmarks/.bench-1m.duckdb")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args()

    from nl2seg.demo.generate import generate_demo

    if not Path(args.db).exists():
        summary = generate_demo(args.db, customers=args.customers, seed=42)
        print(f"built {args.db} in {summary.seconds:.1f} s "
              f"({sum(summary.row_counts.values()):,} rows)")
    cat = load_catalog()
    con = open_db(args.db)
    results = []
    for case in CASES:
        compiled = compile_rule(validate(parse_rule(case["rule"]), cat, AS_OF))
        counted = f"SELECT COUNT(*) FROM ({compiled.sql(pretty=False)}) AS a"
        timed(con, counted)
        timed(con, case["hand"])  # warm-up, both
        ours, hand, whole = [], [], []
        for _ in range(args.runs):
            t, n_ours = timed(con, counted)
            ours.append(t)
            t, n_hand = timed(con, case["hand"])
            hand.append(t)
            if n_ours != n_hand:
                raise SystemExit(f"{case['name']}: compiled count {n_ours} != hand {n_hand}")
            t0 = time.perf_counter()
            p = preview(compiled, con, sample_size=10)
            whole.append((time.perf_counter() - t0) * 1000)
            assert p.count == n_ours
        m_ours, m_hand = statistics.median(ours), statistics.median(hand)
        results.append({"rule": case["name"], "count": n_ours, "compiled_ms": round(m_ours, 1),
                        "hand_ms": round(m_hand, 1), "ratio": round(m_ours / m_hand, 2),
                        "preview_ms": round(statistics.median(whole), 1)})
    machine = f"{platform.machine()}, {platform.processor() or 'cpu'}, duckdb {duckdb.__version__}"
    print(f"\n{args.customers:,} customers · {args.runs} runs · median · {machine}\n")
    print("| rule | audience | compiled count (ms) | hand-written (ms) | ratio | "
          "whole preview (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['rule']} | {r['count']:,} | {r['compiled_ms']} | {r['hand_ms']} | "
              f"{r['ratio']}× | {r['preview_ms']} |")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
