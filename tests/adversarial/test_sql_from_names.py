"""Item 8: catalog names reach SQL only as quoted identifiers, built by sqlglot.

A catalog is configuration, not code: a table named like a table function or carrying a
``; CREATE TEMP TABLE`` payload must read the table of that exact name, and run nothing else.
The path checked is the one ``nl2seg eval warnings`` takes (corrupt a rule, assess its
warnings, including the frozen-scores check that reads ``max(computed_on)``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from nl2seg.catalog import Catalog, load_catalog
from nl2seg.evaluation.corruption import run_corruptions
from nl2seg.guard import prepare
from nl2seg.rule import Score
from nl2seg.rule.nodes import Rule

AS_OF = dt.date(2026, 6, 30)
PAYLOADS = [
    "scores; CREATE TEMP TABLE pwned AS SELECT 1",
    "query('CREATE TEMP TABLE pwned AS SELECT 1')",
    "read_text('/etc/hostname')",
    'scores"; CREATE TEMP TABLE pwned AS SELECT 1; --',
]


def crafted(name: str) -> Catalog:
    """The demo catalog with ``crm.scores`` renamed ``crm.<name>``."""
    data = load_catalog().model_dump(mode="json", exclude_none=True)
    data["tables"][f"crm.{name}"] = data["tables"].pop("crm.scores")
    return Catalog.model_validate(data)


@pytest.fixture()
def con(demo_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    c = duckdb.connect(str(path))
    yield c
    c.close()


def tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, bool]]:
    return {(str(s), str(t), bool(tmp)) for s, t, tmp in con.execute(
        "SELECT schema_name, table_name, temporary FROM duckdb_tables()").fetchall()}


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_crafted_table_name_is_one_identifier(name: str,
                                                con: duckdb.DuckDBPyConnection) -> None:
    ident = '"' + name.replace('"', '""') + '"'
    con.execute(f"CREATE TABLE crm.{ident} AS SELECT * FROM crm.scores")  # the test's own SQL
    before = tables(con)
    cat = crafted(name)
    rule = Rule(where=Score(field=f"crm.{name}.churn_score", op="gt", value=0.8))
    p = prepare(rule, cat, AS_OF, con)  # reads max(computed_on) of the crafted table
    assert p.preview.count > 0
    assert not any(w.code == "stale_scores" for w in p.warnings)  # it read the real table
    run_corruptions([rule], cat, AS_OF, con)  # the engine of `nl2seg eval warnings`
    assert tables(con) == before  # nothing was created
