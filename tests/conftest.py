"""Shared fixtures: one small demo database per test session (generated, deterministic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from nl2seg.catalog import Catalog, load_catalog

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nl2seg.demo.generate import generate_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate_demo(path, customers=3000, seed=7)
    return path


@pytest.fixture()
def demo_con(demo_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own OPENAI_* settings must not switch tests to a real endpoint."""
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "NL2SEG_TRANSLATOR", "NL2SEG_LLM_MODEL",
                 "NL2SEG_LLM_TIMEOUT", "NL2SEG_LLM_RETRIES", "NL2SEG_LLM_REPAIRS",
                 "NL2SEG_LLM_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
