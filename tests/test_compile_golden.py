"""Golden files: rule → DuckDB SQL, one case per file in ``tests/golden/*.sql``.

Each file is written in the style of sqlglot's optimizer fixtures::

    -- title: VIP customers
    -- as_of: 2026-06-30
    /* rule
    {"where": {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
               "value": "vip"}}
    */
    /* segment vips
    {"where": ...}
    */
    SELECT DISTINCT
      c.customer_id AS customer_id
    ...

The ``-- title`` and ``-- as_of`` lines come first, then the rule JSON in a ``/* rule … */``
block, then optional ``/* segment NAME … */`` blocks (saved segments the rule refers to), then
the expected DuckDB SQL exactly as ``compile_rule(...).sql("duckdb")`` prints it (pretty).

To accept a deliberate change of the compiler's output, regenerate the expected SQL::

    NL2SEG_UPDATE_GOLDEN=1 python -m pytest tests/test_compile_golden.py

then read the diff (``git diff tests/golden``) before committing it: every file was checked by
eye against ``shared/spec/semantics.md`` when it was written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from conftest_schema import create_demo_schema

from nl2seg.catalog import load_catalog
from nl2seg.catalog.load import DEMO_CATALOG
from nl2seg.compile.compiler import compile_rule
from nl2seg.compile.safety import check_query
from nl2seg.rule.nodes import Rule
from nl2seg.validate import parse_rule, validate

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("*.sql"))
UPDATE = os.environ.get("NL2SEG_UPDATE_GOLDEN") == "1"
CATALOG = load_catalog(DEMO_CATALOG)

_BLOCK = re.compile(r"/\* (rule|segment [\w-]+)\n(.*?)\n\*/\n", re.DOTALL)


@dataclass
class Case:
    path: Path
    title: str
    as_of: dt.date
    head: str
    """Everything before the SQL: comment lines and blocks, kept as written."""
    rule: Rule
    segments: dict[str, Rule]
    sql: str


def load_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    meta: dict[str, str] = {}
    for line in lines[:2]:
        m = re.fullmatch(r"-- (title|as_of): (.+)", line)
        assert m, f"{path.name}: the file must start with '-- title:' and '-- as_of:' lines"
        meta[m.group(1)] = m.group(2).strip()
    pos = len(lines[0]) + len(lines[1]) + 2
    rule: Rule | None = None
    segments: dict[str, Rule] = {}
    while m := _BLOCK.match(text, pos):
        body = parse_rule(json.loads(m.group(2)))
        if m.group(1) == "rule":
            rule = body
        else:
            segments[m.group(1).split(" ", 1)[1]] = body
        pos = m.end()
    assert rule is not None, f"{path.name}: no /* rule ... */ block"
    return Case(path, meta["title"], dt.date.fromisoformat(meta["as_of"]), text[:pos], rule,
                segments, text[pos:].strip())


def compiled_sql(case: Case) -> str:
    return compile_rule(validate(case.rule, CATALOG, case.as_of, case.segments)).sql("duckdb")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path: Path) -> None:
    case = load_case(path)
    actual = compiled_sql(case)
    if UPDATE and actual != case.sql:
        path.write_text(f"{case.head}{actual}\n", encoding="utf-8")
        case = load_case(path)
    assert actual == case.sql, f"{path.name} ({case.title}) changed; see the module docstring"


@pytest.fixture(scope="module")
def empty_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_demo_schema(con)
    return con


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden_sql_is_safe_and_runs(path: Path, empty_db: duckdb.DuckDBPyConnection) -> None:
    case = load_case(path)
    statements = sqlglot.parse(case.sql, read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], sqlglot.exp.Select)
    check_query(case.sql, CATALOG)
    assert empty_db.execute(case.sql).fetchall() == []


def _kinds(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        if "kind" in node:
            out.add(node["kind"])
        if "aggregate" in node:
            out.add(f"aggregate:{node['aggregate']}")
        for value in node.values():
            _kinds(value, out)
    elif isinstance(node, list):
        for value in node:
            _kinds(value, out)
    return out


def test_golden_files_cover_every_node_window_and_aggregate() -> None:
    seen: set[str] = set()
    for path in FILES:
        case = load_case(path)
        _kinds(case.rule.model_dump(mode="json"), seen)
        if case.rule.channel:
            seen.add("channel")
    wanted = {"all", "any", "not", "attribute", "age", "date", "score", "event", "segment",
              "last", "more_than_ago", "calendar", "dates", "channel",
              *(f"aggregate:{a}" for a in ("exists", "none", "count", "sum", "avg", "first",
                                            "last"))}
    assert wanted <= seen, sorted(wanted - seen)
