"""Opening the DuckDB file, with errors a marketer's analyst can act on.

DuckDB's own messages ("IO Error: Could not set lock on file ...") say what broke but not what
to do; :func:`open_db` turns each common failure into a :class:`DatabaseError` with a stable
code and a next step.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from nl2seg.errors import DatabaseError

MEMORY = ":memory:"
_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")
# A user's file never makes DuckDB fetch or load an extension (a SQLite file given as --db
# tried to download the sqlite extension): no network, and a clear error instead.
_CONFIG = {"autoload_known_extensions": False, "autoinstall_known_extensions": False,
           "enable_progress_bar": False}  # no progress bars in the CLI's output
_SQLITE_MAGIC = b"SQLite format 3\x00"


def open_db(path: str | Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Connect to a DuckDB file; ``read_only`` (the default) never creates a file.

    Previews only read, so read-only is the default: it also lets several readers share the
    file. ``":memory:"`` opens an empty in-memory database (for tests and drafts).
    """
    if str(path) == MEMORY:
        return _no_autoload(duckdb.connect(MEMORY))
    p = Path(path)
    if read_only and not p.exists():
        raise _missing(p)
    if p.is_dir():
        raise DatabaseError(f"{p} is a directory, not a DuckDB database file. Pass the path of "
                            "the .duckdb file itself.", code="db_corrupt", value=str(p))
    if _is_sqlite(p):
        raise DatabaseError(f"{p} is a SQLite database, not a DuckDB one: convert it first (in "
                            "the duckdb shell: ATTACH it with the sqlite extension and COPY "
                            "FROM DATABASE into a new .duckdb file), then pass that file as --db",
                            code="db_not_duckdb", value=str(p))
    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.Error as exc:
        raise _classify(p, exc) from None
    return _no_autoload(con)


def _no_autoload(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # set after connecting, not as connect(config=…): another connection of this process to
    # the same file (a notebook's, a test's) would otherwise be "a different configuration"
    for name, value in _CONFIG.items():
        con.execute(f"SET {name} = {str(value).lower()}")  # our constants, not user text
    return con


def _is_sqlite(p: Path) -> bool:
    try:
        with p.open("rb") as f:
            return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def _missing(p: Path) -> DatabaseError:
    return DatabaseError(
        f"database file not found: {p}. Run `nl2seg demo init --db {p}` to build the demo "
        "dataset, or pass --db with the path of an existing DuckDB file.",
        code="db_missing", value=str(p))


def _classify(p: Path, exc: duckdb.Error) -> DatabaseError:
    """Map DuckDB's exception text to one of our codes (DuckDB has no finer exception types)."""
    detail = str(exc)
    lowered = detail.lower()
    if "does not exist" in lowered:
        return _missing(p)
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return DatabaseError(
            f"{p} is locked by another process ({detail}). Close the other program using it "
            "(another nl2seg command, a DuckDB shell, a notebook) and retry: a file being "
            "written cannot be opened elsewhere at the same time.",
            code="db_locked", value=str(p))
    if "different configuration" in lowered:
        return DatabaseError(
            f"{p} is already open in this process with a different read-only setting. Reuse "
            "that connection, or close it before opening the file again.",
            code="db_locked", value=str(p))
    return DatabaseError(
        f"{p} is not a usable DuckDB database ({detail}). This is duckdb {duckdb.__version__}; "
        f"point --db at a DuckDB file written by a compatible version, or rebuild the demo "
        f"dataset with `nl2seg demo init --db {p}`.",
        code="db_corrupt", value=str(p))


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """``{"schema.table": {column: type}}`` for every user table and view of the open database.

    Types are spelled as ``information_schema.columns.data_type`` spells them (``VARCHAR``,
    ``DECIMAL(10,2)``), which is what the catalog check compares against. Temporary tables and
    attached databases are left out: only the current database is the data source.
    """
    rows = con.execute(
        "SELECT table_schema, table_name, column_name, data_type "
        "FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema NOT IN (?, ?) "
        "ORDER BY table_schema, table_name, ordinal_position",
        list(_SYSTEM_SCHEMAS),
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        out.setdefault(f"{schema}.{table}", {})[str(column)] = str(data_type)
    return out
