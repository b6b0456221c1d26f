"""Check the blind-2 case files: fields, tags, and gold SQL on the three eval databases.

Run with the project's virtualenv (it needs duckdb):

    /work/main/.venv/bin/python evals/cases/blind-2/check_gold.py

Every gold query must run read-only on each database, return one column `customer_id` without
duplicates, and give an audience that is neither empty nor the whole base (0.1 %-90 %).
Exits non-zero on any problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
DB_DIR = HERE.parents[2] / ".nl2seg"
DATABASES = (
    "eval-20000-s2026.duckdb",
    "eval-20000-s2027.duckdb",
    "eval-20000-s2026-r20260513.duckdb",
)
REQUIRED = {"id", "request", "lang", "tags"}
ALLOWED = REQUIRED | {"gold_sql", "expect"}
MIN_SHARE = 0.001
MAX_SHARE = 0.90
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}


def load_cases() -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Read every .jsonl file of this folder; return (location, case) pairs and problems."""
    cases: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for path in sorted(HERE.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("//"):
                continue
            where = f"{path.name}:{number}"
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: invalid JSON ({exc})")
                continue
            if not isinstance(case, dict):
                problems.append(f"{where}: not an object")
                continue
            cases.append((where, case))
    return cases, problems


def check_fields(where: str, case: dict[str, Any], seen: set[str]) -> list[str]:
    """Check one case's fields against the public case-file contract."""
    problems: list[str] = []
    keys = set(case)
    if missing := REQUIRED - keys:
        problems.append(f"{where}: missing {sorted(missing)}")
    if extra := keys - ALLOWED:
        problems.append(f"{where}: unknown fields {sorted(extra)}")
    if ("gold_sql" in case) == ("expect" in case):
        problems.append(f"{where}: needs exactly one of gold_sql / expect")
    if "expect" in case and case["expect"] != "refusal":
        problems.append(f"{where}: expect must be 'refusal'")
    case_id = case.get("id")
    if not isinstance(case_id, str) or not case_id.startswith("b2-"):
        problems.append(f"{where}: bad id {case_id!r}")
    elif case_id in seen:
        problems.append(f"{where}: duplicate id {case_id}")
    else:
        seen.add(case_id)
    if case.get("lang") not in ("fr", "en"):
        problems.append(f"{where}: lang must be fr or en")
    request = case.get("request")
    if not isinstance(request, str) or not request.strip():
        problems.append(f"{where}: empty request")
    tags = case.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(f"{where}: tags must be a list of strings")
        return problems
    if sum(t.startswith("conditions:") for t in tags) != 1:
        problems.append(f"{where}: exactly one conditions:N tag expected")
    if "expect" in case:
        if "refusal" not in tags or not REFUSAL_KINDS & set(tags):
            problems.append(f"{where}: refusal case needs 'refusal' and its kind in tags")
    elif "refusal" in tags:
        problems.append(f"{where}: audience case tagged refusal")
    return problems


def run_gold(
    cons: dict[str, duckdb.DuckDBPyConnection], where: str, sql: str
) -> tuple[list[int], list[str]]:
    """Run one gold query on every database; return the audience sizes and problems."""
    sizes: list[int] = []
    problems: list[str] = []
    stripped = sql.lstrip().upper()
    if not (stripped.startswith("WITH") or stripped.startswith("SELECT")) or ";" in sql:
        return sizes, [f"{where}: gold_sql must be one SELECT"]
    if "meta.dataset" not in sql:
        problems.append(f"{where}: gold_sql does not read meta.dataset")
    for name, con in cons.items():
        try:
            columns = con.sql(sql).columns
            stats = con.sql(
                f"SELECT count(*), count(DISTINCT customer_id) FROM ({sql}) AS gold"
            ).fetchall()[0]
        except duckdb.Error as exc:
            problems.append(f"{where}: {name}: {type(exc).__name__}: {exc}")
            continue
        if columns != ["customer_id"]:
            problems.append(f"{where}: {name}: columns {columns}")
        assert stats is not None
        total_rows, distinct = int(stats[0]), int(stats[1])
        if total_rows != distinct:
            problems.append(f"{where}: {name}: duplicate customer_id rows")
        base_row = con.sql("SELECT count(*) FROM crm.customers").fetchall()[0]
        assert base_row is not None
        base = int(base_row[0])
        share = distinct / base
        if not MIN_SHARE <= share <= MAX_SHARE:
            problems.append(f"{where}: {name}: audience {distinct} ({share:.2%}) out of range")
        sizes.append(distinct)
    return sizes, problems


def main() -> int:
    cases, problems = load_cases()
    seen: set[str] = set()
    cons = {name: duckdb.connect(str(DB_DIR / name), read_only=True) for name in DATABASES}
    for con in cons.values():
        con.execute("SET enable_external_access = false")
    counts = {"audience": 0, "refusal": 0, "fr": 0, "en": 0}
    for where, case in cases:
        problems.extend(check_fields(where, case, seen))
        counts[str(case.get("lang"))] = counts.get(str(case.get("lang")), 0) + 1
        if "expect" in case:
            counts["refusal"] += 1
            print(f"{case.get('id')}: refusal")
            continue
        counts["audience"] += 1
        sizes, found = run_gold(cons, where, str(case.get("gold_sql", "")))
        problems.extend(found)
        print(f"{case.get('id')}: " + " / ".join(str(s) for s in sizes))
    for con in cons.values():
        con.close()
    print(
        f"{len(cases)} cases: {counts['audience']} audience, {counts['refusal']} refusal; "
        f"{counts['fr']} fr, {counts['en']} en"
    )
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
