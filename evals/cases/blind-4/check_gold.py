"""Check the blind-4 case files: fields, and every gold query on the three eval databases.

Run from anywhere with the project's interpreter:
    /work/main/.venv/bin/python evals/cases/blind-4/check_gold.py
Exits non-zero on any problem (bad field, failing query, empty or whole-base audience).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
DB_DIR = HERE.parents[2] / ".nl2seg"
DBS = [
    "eval-20000-s2026.duckdb",
    "eval-20000-s2027.duckdb",
    "eval-20000-s2026-r20260513.duckdb",
]
REQUIRED = {"id", "request", "lang", "tags"}
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}
AIM_LOW = 0.001
AIM_HIGH = 0.90


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
                problems.append(f"{where}: invalid JSON ({exc})")
                continue
            problems.extend(f"{where}: {p}" for p in check_fields(case))
            case["_where"] = where
            cases.append(case)
    seen: set[str] = set()
    for case in cases:
        if case.get("id") in seen:
            problems.append(f"{case['_where']}: duplicate id {case.get('id')}")
        seen.add(str(case.get("id")))
    return cases, problems


def check_fields(case: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    keys = set(case)
    missing = REQUIRED - keys
    if missing:
        problems.append(f"missing fields {sorted(missing)}")
    extra = keys - REQUIRED - {"gold_sql", "expect"}
    if extra:
        problems.append(f"unknown fields {sorted(extra)}")
    if ("gold_sql" in case) == ("expect" in case):
        problems.append("exactly one of gold_sql / expect is required")
    if "expect" in case and case["expect"] != "refusal":
        problems.append("expect must be 'refusal'")
    if case.get("lang") not in ("fr", "en"):
        problems.append("lang must be fr or en")
    tags = case.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append("tags must be a list of strings")
        return problems
    if not any(t.startswith("conditions:") for t in tags):
        problems.append("no conditions:N tag")
    if "expect" in case:
        if "refusal" not in tags or not REFUSAL_KINDS & set(tags):
            problems.append("a refusal needs the tags 'refusal' and its kind")
    elif "refusal" in tags:
        problems.append("an audience case is tagged refusal")
    if "gold_sql" in case:
        sql = str(case["gold_sql"]).strip().rstrip(";")
        if ";" in sql:
            problems.append("gold_sql must be a single statement")
        if not sql.upper().startswith(("WITH", "SELECT")):
            problems.append("gold_sql must be a SELECT")
        if "meta.dataset" not in sql:
            problems.append("gold_sql does not read meta.dataset.reference_date")
    return problems


def run_gold(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, list[str]]:
    rel = con.sql(sql)
    if rel.columns != ["customer_id"]:
        return 0, [f"columns {rel.columns} instead of ['customer_id']"]
    rows = rel.fetchall()
    ids = [r[0] for r in rows]
    problems: list[str] = []
    if len(ids) != len(set(ids)):
        problems.append("duplicate customer_id rows")
    return len(set(ids)), problems


def main() -> int:
    cases, problems = load_cases()
    audience = [c for c in cases if "gold_sql" in c and "id" in c]
    warnings: list[str] = []
    sizes: dict[str, list[int]] = {str(c["id"]): [] for c in audience}
    for db in DBS:
        con = duckdb.connect(
            str(DB_DIR / db), read_only=True, config={"enable_external_access": False}
        )
        total = int(con.sql("SELECT count(*) FROM crm.customers").fetchall()[0][0])
        for case in audience:
            cid = str(case["id"])
            try:
                n, errs = run_gold(con, str(case["gold_sql"]))
            except duckdb.Error as exc:
                problems.append(f"{case['_where']} {cid} on {db}: {exc}")
                sizes[cid].append(-1)
                continue
            problems.extend(f"{case['_where']} {cid} on {db}: {e}" for e in errs)
            sizes[cid].append(n)
            if n == 0:
                problems.append(f"{case['_where']} {cid} on {db}: empty audience")
            elif n >= total:
                problems.append(f"{case['_where']} {cid} on {db}: the whole base ({n})")
            elif not AIM_LOW * total <= n <= AIM_HIGH * total:
                warnings.append(f"{cid} on {db}: {n} outside the aimed 0.1 %-90 %")
        con.close()
    for case in audience:
        cid = str(case["id"])
        print(f"{cid:8} {' '.join(f'{s:6d}' for s in sizes[cid])}  {case['request'][:70]}")
    langs = {lang: sum(1 for c in cases if c.get("lang") == lang) for lang in ("fr", "en")}
    refusals = sum(1 for c in cases if "expect" in c)
    print(
        f"\n{len(cases)} cases: {len(audience)} audience, {refusals} refusal; "
        f"fr {langs['fr']}, en {langs['en']}; databases: {', '.join(DBS)}"
    )
    for w in warnings:
        print(f"warning: {w}")
    for p in problems:
        print(f"PROBLEM: {p}")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
