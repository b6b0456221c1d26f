"""Check a blind split's cases: fields, tags, and every gold query on the three eval databases.

Run from the repository: ``.venv/bin/python evals/check_gold.py evals/cases/blind-7``
(the three databases are the ones ``nl2seg eval`` builds under ``.nl2seg/``).
Prints one line per audience case with its size on each database and exits non-zero on any
problem (bad field, duplicate id, query error, wrong column, empty or whole-base audience).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "evals" / "cases"
DBS: list[Path] = [
    ROOT / ".nl2seg" / "eval-20000-s2026.duckdb",
    ROOT / ".nl2seg" / "eval-20000-s2027.duckdb",
    ROOT / ".nl2seg" / "eval-20000-s2026-r20260513.duckdb",
]
KEYS_AUDIENCE = {"id", "request", "lang", "tags", "gold_sql"}
KEYS_REFUSAL = {"id", "request", "lang", "tags", "expect"}
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}
STYLES = ["polite", "terse", "jargon", "typo", "colloquial", "multi_clause", "paraphrase"]
MIN_SHARE = 0.001
MAX_SHARE = 0.90


def load_cases() -> tuple[list[dict[str, Any]], list[str]]:
    """Read every .jsonl file of this folder; return the cases and the format problems."""
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
            keys = set(case)
            if keys not in (KEYS_AUDIENCE, KEYS_REFUSAL):
                problems.append(f"{where}: unexpected fields {sorted(keys)}")
                continue
            if case["lang"] not in ("fr", "en"):
                problems.append(f"{where}: bad lang {case['lang']!r}")
            tags = case["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                problems.append(f"{where}: tags must be a list of strings")
                continue
            if not any(t.startswith("conditions:") for t in tags):
                problems.append(f"{where}: no conditions:N tag")
            if "expect" in case:
                if case["expect"] != "refusal":
                    problems.append(f"{where}: expect must be 'refusal'")
                if "refusal" not in tags or not REFUSAL_KINDS & set(tags):
                    problems.append(f"{where}: refusal case without refusal kind tags")
            elif "refusal" in tags:
                problems.append(f"{where}: refusal tag on an audience case")
            case["_where"] = where
            cases.append(case)
    ids = Counter(c["id"] for c in cases)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    return cases, problems


def base_size(con: duckdb.DuckDBPyConnection) -> int:
    """Number of customers in the base."""
    row = con.execute("SELECT count(*) FROM crm.customers").fetchone()
    assert row is not None
    return int(row[0])


def check_gold(cases: list[dict[str, Any]], problems: list[str]) -> None:
    """Run each gold query on the three databases and check its audience size."""
    cons = [duckdb.connect(str(db), read_only=True) for db in DBS]
    bases = [base_size(con) for con in cons]
    for case in cases:
        if "gold_sql" not in case:
            continue
        sizes: list[str] = []
        for db, con, base in zip(DBS, cons, bases, strict=True):
            try:
                cur = con.execute(case["gold_sql"])
                cols = [d[0] for d in cur.description or []]
                ids = [r[0] for r in cur.fetchall()]
            except duckdb.Error as exc:
                problems.append(f"{case['id']} on {db.name}: {exc}")
                sizes.append("ERR")
                continue
            if cols != ["customer_id"]:
                problems.append(f"{case['id']} on {db.name}: columns {cols}")
            if len(ids) != len(set(ids)):
                problems.append(f"{case['id']} on {db.name}: duplicate customer_id")
            n = len(set(ids))
            if n == 0 or n == base:
                problems.append(f"{case['id']} on {db.name}: size {n} of {base}: cannot tell "
                                "translators apart")
            elif not MIN_SHARE * base <= n <= MAX_SHARE * base:
                print(f"warning: {case['id']} on {db.name}: size {n} of {base} outside "
                      f"{MIN_SHARE:.1%}-{MAX_SHARE:.0%}")
            sizes.append(str(n))
        print(f"{case['id']} [{case['lang']}] sizes {' / '.join(sizes)}  {case['request'][:60]}")
    for con in cons:
        con.close()


def summary(cases: list[dict[str, Any]]) -> None:
    """Print the counts by kind, language and style."""
    refusals = sum(1 for c in cases if "expect" in c)
    langs = Counter(c["lang"] for c in cases)
    styles = Counter(t for c in cases for t in c["tags"] if t in STYLES)
    print(f"cases: {len(cases)} (audience {len(cases) - refusals} / refusal {refusals})")
    print(f"languages: fr {langs['fr']} / en {langs['en']}")
    print("styles: " + ", ".join(f"{s} {styles[s]}" for s in STYLES))


def main() -> int:
    """Entry point: returns the process exit code."""
    cases, problems = load_cases()
    check_gold(cases, problems)
    summary(cases)
    for problem in problems:
        print("PROBLEM:", problem)
    print("OK" if not problems else f"FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
