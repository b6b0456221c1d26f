"""Validate the blind-1 eval split: case fields, and every gold query on the demo databases.

Run from anywhere with the project's virtualenv:

    /work/main/.venv/bin/python evals/cases/blind-1/check_gold.py

Checks every ``*.jsonl`` file next to this script: the fields of each case (the public case-file
contract of ``evals/README.md``), unique ids, tags, and that each ``gold_sql`` is one read-only
SELECT that runs on the three demo databases, returns one ``customer_id`` column of distinct
``crm.customers`` keys, reads the reference date from ``meta.dataset``, and gives an audience that
is neither empty nor the whole customer base. Exits non-zero on any problem.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
DB_DIR = HERE.parents[2] / ".nl2seg"
DATABASES = (
    "eval-20000-s2026.duckdb",
    "eval-20000-s2027.duckdb",
    "eval-20000-s2026-r20260513.duckdb",
)
COMMON = {"id", "request", "lang", "tags"}
LANGS = {"fr", "en"}
REFUSAL_KINDS = {"unknown_concept", "unknown_field", "chitchat", "hostile"}
ID_RE = re.compile(r"^b1-\d{3}$")
COND_RE = re.compile(r"^conditions:\d+$")
LOW_SHARE = 0.001  # aim: audiences between 0.1 % and 90 % of the customer base
HIGH_SHARE = 0.90


@dataclass
class Case:
    """One case as read from a file, with where it came from."""

    where: str
    data: dict[str, object]


@dataclass
class Report:
    """Problems (fail the run) and warnings (printed only)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, msg: str) -> None:
        self.problems.append(msg)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)


def load_cases(folder: Path, report: Report) -> list[Case]:
    """Read every JSON Lines file of the folder (blank and ``//`` lines skipped)."""
    cases: list[Case] = []
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        report.fail(f"no .jsonl file in {folder}")
    for path in files:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{path.name}:{lineno}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                report.fail(f"{where}: invalid JSON ({exc})")
                continue
            if not isinstance(data, dict):
                report.fail(f"{where}: not a JSON object")
                continue
            cases.append(Case(where, data))
    return cases


def check_fields(case: Case, seen: set[str], report: Report) -> None:
    """Check one case against the case-file contract and this split's conventions."""
    d, where = case.data, case.where
    keys = set(d)
    has_sql, has_expect = "gold_sql" in keys, "expect" in keys
    if has_sql == has_expect:
        report.fail(f"{where}: needs exactly one of gold_sql / expect")
    extra = keys - COMMON - {"gold_sql", "expect"}
    missing = COMMON - keys
    if extra:
        report.fail(f"{where}: unknown field(s) {sorted(extra)}")
    if missing:
        report.fail(f"{where}: missing field(s) {sorted(missing)}")
    cid = d.get("id")
    if not isinstance(cid, str) or not ID_RE.match(cid):
        report.fail(f"{where}: bad id {cid!r}")
    elif cid in seen:
        report.fail(f"{where}: duplicate id {cid}")
    else:
        seen.add(cid)
    request = d.get("request")
    if not isinstance(request, str) or not request.strip():
        report.fail(f"{where}: empty request")
    if d.get("lang") not in LANGS:
        report.fail(f"{where}: lang must be one of {sorted(LANGS)}")
    tags = d.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        report.fail(f"{where}: tags must be a list of strings")
        return
    if sum(1 for t in tags if COND_RE.match(t)) != 1:
        report.fail(f"{where}: needs exactly one conditions:N tag")
    if len(set(tags)) != len(tags):
        report.fail(f"{where}: duplicate tags")
    if has_expect:
        if d.get("expect") != "refusal":
            report.fail(f"{where}: expect must be 'refusal'")
        if "refusal" not in tags or len(REFUSAL_KINDS & set(tags)) != 1:
            report.fail(f"{where}: refusal needs tags 'refusal' and one of {sorted(REFUSAL_KINDS)}")
    if has_sql:
        if "refusal" in tags:
            report.fail(f"{where}: audience case tagged refusal")
        sql = d.get("gold_sql")
        if not isinstance(sql, str) or not sql.strip():
            report.fail(f"{where}: empty gold_sql")
        elif "meta.dataset" not in sql:
            report.fail(f"{where}: gold_sql does not read meta.dataset.reference_date")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open a demo database read-only with file access switched off."""
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET enable_external_access = false")
    return con


def run_gold(
    con: duckdb.DuckDBPyConnection, total: int, case: Case, db: str, report: Report
) -> int | None:
    """Run one gold query; return its audience size, or None when it failed."""
    sql = str(case.data["gold_sql"])
    label = f"{case.data['id']} ({case.where}) on {db}"
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        report.fail(f"{label}: does not parse: {exc}")
        return None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        report.fail(f"{label}: must be exactly one SELECT statement")
        return None
    try:
        rel = con.sql(sql)
        columns = rel.columns
        rows_out = con.execute(
            "SELECT COUNT(*), COUNT(DISTINCT g.customer_id), "
            "COUNT(*) FILTER (WHERE c.customer_id IS NULL) "
            f"FROM ({sql}) g LEFT JOIN crm.customers c ON c.customer_id = g.customer_id"
        ).fetchall()
    except duckdb.Error as exc:
        report.fail(f"{label}: {type(exc).__name__}: {exc}")
        return None
    if columns != ["customer_id"]:
        report.fail(f"{label}: returns columns {columns}, expected ['customer_id']")
        return None
    row = rows_out[0]
    rows, distinct, orphans = int(row[0]), int(row[1]), int(row[2])
    if rows != distinct:
        report.fail(f"{label}: {rows - distinct} duplicate or NULL customer_id rows")
    if orphans:
        report.fail(f"{label}: {orphans} ids not in crm.customers")
    if distinct == 0:
        report.fail(f"{label}: empty audience")
    elif distinct >= total:
        report.fail(f"{label}: the whole customer base ({distinct})")
    elif not LOW_SHARE * total <= distinct <= HIGH_SHARE * total:
        report.warn(f"{label}: {distinct} of {total} is outside 0.1 %-90 %")
    return distinct


def main() -> int:
    """Check all cases; print per-case sizes, a summary, and every problem."""
    report = Report()
    cases = load_cases(HERE, report)
    seen: set[str] = set()
    for case in cases:
        check_fields(case, seen, report)
    audience = [c for c in cases if isinstance(c.data.get("gold_sql"), str)]
    sizes: dict[str, list[str]] = {str(c.data.get("id")): [] for c in audience}
    for db in DATABASES:
        path = DB_DIR / db
        if not path.exists():
            report.fail(f"missing database {path}")
            continue
        con = connect(path)
        try:
            counted = con.execute("SELECT COUNT(*) FROM crm.customers").fetchall()
            total = int(counted[0][0])
            for case in audience:
                n = run_gold(con, total, case, db, report)
                sizes[str(case.data["id"])].append("ERR" if n is None else str(n))
        finally:
            con.close()
    print("id      " + "  ".join(f"{db.removesuffix('.duckdb'):>28}" for db in DATABASES))
    for cid, row in sorted(sizes.items()):
        print(f"{cid:<8}" + "  ".join(f"{s:>28}" for s in row))
    langs = {lang: sum(1 for c in cases if c.data.get("lang") == lang) for lang in sorted(LANGS)}
    refusals = sum(1 for c in cases if c.data.get("expect") == "refusal")
    for msg in report.warnings:
        print(f"WARNING {msg}")
    for msg in report.problems:
        print(f"PROBLEM {msg}")
    print(
        f"{len(cases)} cases: {len(audience)} audience, {refusals} refusal; "
        + ", ".join(f"{k} {v}" for k, v in langs.items())
    )
    print(f"{len(report.problems)} problem(s), {len(report.warnings)} warning(s)")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
