"""Check the blind-3 cases: fields, tags, and every gold query on the three eval databases.

Run: .venv/bin/python evals/cases/blind-3/check_gold.py (from /work/main). Exits non-zero on
any problem (bad field, duplicate id, query error, empty audience or the whole base).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DBS: list[Path] = [
    ROOT / ".nl2seg" / "eval-20000-s2026.duckdb",
    ROOT / ".nl2seg" / "eval-20000-s2027.duckdb",
    ROOT / ".nl2seg" / "eval-20000-s2026-r20260513.duckdb",
]
REQUIRED = {"id", "request", "lang", "tags"}
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}


def load() -> tuple[list[dict[str, object]], list[str]]:
    cases: list[dict[str, object]] = []
    problems: list[str] = []
    for path in sorted(HERE.glob("*.jsonl")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("//"):
                continue
            where = f"{path.name}:{no}"
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: bad JSON ({exc})")
                continue
            keys = set(case)
            extra = keys - REQUIRED
            if not keys >= REQUIRED or len(extra) != 1 or not extra <= {"gold_sql", "expect"}:
                problems.append(f"{where}: bad fields {sorted(keys)}")
                continue
            if case["lang"] not in ("fr", "en"):
                problems.append(f"{where}: bad lang")
            tags = case["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                problems.append(f"{where}: tags must be a list of strings")
                continue
            if not any(t.startswith("conditions:") for t in tags):
                problems.append(f"{where}: no conditions:N tag")
            if "expect" in case:
                if case["expect"] != "refusal" or "refusal" not in tags:
                    problems.append(f"{where}: refusal must be expect=refusal + tag refusal")
                if not REFUSAL_KINDS & set(tags):
                    problems.append(f"{where}: refusal kind tag missing")
            elif "refusal" in tags:
                problems.append(f"{where}: refusal tag on an audience case")
            case["_where"] = where
            cases.append(case)
    ids = [str(c["id"]) for c in cases]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"duplicate id {dup}")
    return cases, problems


def main() -> int:
    cases, problems = load()
    conns = [duckdb.connect(str(db), read_only=True) for db in DBS]
    totals = [len(c.execute("SELECT customer_id FROM crm.customers").fetchall()) for c in conns]
    for case in cases:
        sql = case.get("gold_sql")
        if not isinstance(sql, str):
            continue
        sizes: list[int] = []
        for conn, total, db in zip(conns, totals, DBS, strict=True):
            try:
                rows = conn.execute(sql).fetchall()
            except duckdb.Error as exc:
                problems.append(f"{case['_where']} {case['id']}: error on {db.name}: {exc}")
                break
            ids = [r[0] for r in rows]
            if len(ids) != len(set(ids)):
                problems.append(f"{case['_where']} {case['id']}: duplicate customer_id")
            sizes.append(len(ids))
            if not 0 < len(ids) < total:
                problems.append(f"{case['_where']} {case['id']}: size {len(ids)} on {db.name}")
        print(f"{case['id']:8} {' '.join(f'{s:6d}' for s in sizes)}  {str(case['request'])[:70]}")
    n_ref = sum(1 for c in cases if "expect" in c)
    langs = {lang: sum(1 for c in cases if c["lang"] == lang) for lang in ("fr", "en")}
    print(f"cases: {len(cases)} (audience {len(cases) - n_ref}, refusal {n_ref}), {langs}")
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
