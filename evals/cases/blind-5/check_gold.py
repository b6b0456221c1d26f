"""Check the blind-5 case files: fields, then run every gold query on the three eval databases.

Exits non-zero on any problem (bad field, duplicate id, failing query, wrong column, an empty
audience or the whole base on one of the databases).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
DB_DIR = HERE.parents[2] / ".nl2seg"
DBS = [
    "eval-20000-s2026.duckdb",
    "eval-20000-s2027.duckdb",
    "eval-20000-s2026-r20260513.duckdb",
]
FIELDS = {"id", "request", "lang", "tags"}
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}


def load_cases() -> tuple[list[dict[str, object]], list[str]]:
    cases: list[dict[str, object]] = []
    problems: list[str] = []
    for path in sorted(HERE.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("//"):
                continue
            where = f"{path.name}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: bad JSON ({exc})")
                continue
            keys = set(obj)
            if keys not in (FIELDS | {"gold_sql"}, FIELDS | {"expect"}):
                problems.append(f"{where}: bad fields {sorted(keys)}")
                continue
            if obj["lang"] not in ("fr", "en"):
                problems.append(f"{where}: bad lang {obj['lang']!r}")
            tags = obj["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                problems.append(f"{where}: tags must be a list of strings")
            elif "expect" in obj:
                if obj["expect"] != "refusal":
                    problems.append(f"{where}: expect must be 'refusal'")
                if "refusal" not in tags or not REFUSAL_KINDS & set(tags):
                    problems.append(f"{where}: a refusal needs 'refusal' and its kind in tags")
            obj["_where"] = where
            cases.append(obj)
    ids = [str(c["id"]) for c in cases]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"duplicate id {dup}")
    return cases, problems


def main() -> int:
    cases, problems = load_cases()
    cons = [duckdb.connect(str(DB_DIR / name), read_only=True) for name in DBS]
    totals = [int(con.sql("SELECT count(*) FROM crm.customers").fetchall()[0][0]) for con in cons]
    for case in cases:
        sql = case.get("gold_sql")
        if sql is None:
            print(f"{case['id']}  refusal  {case['request']}")
            continue
        sizes: list[int] = []
        for con, total, name in zip(cons, totals, DBS, strict=True):
            try:
                rel = con.sql(str(sql))
                if rel.columns != ["customer_id"]:
                    problems.append(f"{case['id']}: columns {rel.columns} on {name}")
                    continue
                rows = rel.fetchall()
            except duckdb.Error as exc:
                problems.append(f"{case['id']}: error on {name}: {exc}")
                continue
            ids = [r[0] for r in rows]
            if len(ids) != len(set(ids)):
                problems.append(f"{case['id']}: duplicate customer_id on {name}")
            size = len(set(ids))
            if size == 0 or size >= total:
                problems.append(f"{case['id']}: size {size}/{total} on {name}")
            sizes.append(size)
        print(f"{case['id']}  {' / '.join(str(s) for s in sizes):>20}  {case['request']}")
    n_ref = sum(1 for c in cases if "expect" in c)
    n_fr = sum(1 for c in cases if c["lang"] == "fr")
    print(
        f"{len(cases)} cases: {len(cases) - n_ref} audience / {n_ref} refusal; "
        f"{n_fr} fr / {len(cases) - n_fr} en"
    )
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
