"""Validate the blind-6 cases: fields, tags and gold SQL on the three eval databases.

Run from anywhere: ``/work/main/.venv/bin/python evals/cases/blind-6/check_gold.py``.
Exits non-zero on any problem (bad field, duplicate id, failing query, empty or whole-base
audience, duplicate customer ids, wrong column).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DBS = [
    ROOT / ".nl2seg" / "eval-20000-s2026.duckdb",
    ROOT / ".nl2seg" / "eval-20000-s2027.duckdb",
    ROOT / ".nl2seg" / "eval-20000-s2026-r20260513.duckdb",
]
ALLOWED = {"id", "request", "lang", "tags", "gold_sql", "expect"}
STYLES = ["polite", "terse", "jargon", "typo", "colloquial", "multi_clause", "paraphrase"]
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}
MIN_SHARE = 0.001
MAX_SHARE = 0.90


def load_cases() -> tuple[list[dict[str, Any]], list[str]]:
    cases: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(HERE.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("//"):
                continue
            where = f"{path.name}:{lineno}"
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: bad JSON ({exc})")
                continue
            problems.extend(check_fields(case, where))
            case["_where"] = where
            cases.append(case)
    return cases, problems


def check_fields(case: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    extra = set(case) - ALLOWED
    if extra:
        out.append(f"{where}: unknown fields {sorted(extra)}")
    for key in ("id", "request", "lang", "tags"):
        if key not in case:
            out.append(f"{where}: missing {key}")
    if case.get("lang") not in ("fr", "en"):
        out.append(f"{where}: bad lang {case.get('lang')!r}")
    tags = case.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        out.append(f"{where}: tags must be a list of strings")
        tags = []
    if not any(t.startswith("conditions:") for t in tags):
        out.append(f"{where}: no conditions:N tag")
    has_gold = "gold_sql" in case
    has_expect = "expect" in case
    if has_gold == has_expect:
        out.append(f"{where}: exactly one of gold_sql / expect is required")
    if has_expect:
        if case["expect"] != "refusal":
            out.append(f"{where}: expect must be 'refusal'")
        if "refusal" not in tags or not REFUSAL_KINDS & set(tags):
            out.append(f"{where}: refusal case without refusal + kind tags")
    if has_gold:
        sql = case["gold_sql"]
        if not isinstance(sql, str) or "meta.dataset" not in sql or ";" in sql:
            out.append(f"{where}: gold_sql must be one query reading meta.dataset")
    return out


def run_gold(cases: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    cons = []
    for db in DBS:
        con = duckdb.connect(str(db), read_only=True)
        con.execute("SET enable_external_access = false")
        cons.append(con)
    totals: list[int] = []
    for con in cons:
        row = con.execute("SELECT COUNT(*) FROM crm.customers").fetchone()
        totals.append(int(row[0]) if row else 0)
    for case in cases:
        if "gold_sql" not in case:
            continue
        sizes: list[int] = []
        for con, total, db in zip(cons, totals, DBS, strict=True):
            try:
                rel = con.execute(case["gold_sql"])
                cols = [d[0] for d in rel.description]
                rows = rel.fetchall()
            except duckdb.Error as exc:
                problems.append(f"{case['id']} on {db.name}: {exc}")
                sizes.append(-1)
                continue
            ids = [r[0] for r in rows]
            if cols != ["customer_id"]:
                problems.append(f"{case['id']} on {db.name}: columns {cols}")
            if len(ids) != len(set(ids)):
                problems.append(f"{case['id']} on {db.name}: duplicate customer ids")
            share = len(ids) / total
            if not MIN_SHARE <= share <= MAX_SHARE:
                problems.append(
                    f"{case['id']} on {db.name}: size {len(ids)} ({share:.2%}) out of range"
                )
            sizes.append(len(ids))
        print(f"{case['id']:8} {case['_where']:28} " + " ".join(f"{s:6d}" for s in sizes))
    return problems


def main() -> int:
    cases, problems = load_cases()
    ids = Counter(c.get("id") for c in cases)
    problems.extend(f"duplicate id {i}" for i, k in ids.items() if k > 1)
    problems.extend(run_gold(cases))
    refusals = sum(1 for c in cases if c.get("expect") == "refusal")
    langs = Counter(c.get("lang") for c in cases)
    tags = Counter(t for c in cases for t in c.get("tags", []))
    print(f"cases: {len(cases)} (audience {len(cases) - refusals} / refusal {refusals})")
    print(f"languages: fr {langs['fr']} / en {langs['en']}")
    print("styles: " + ", ".join(f"{s} {tags[s]}" for s in STYLES))
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
