"""Generate a TPC-DS database for nl2seg's warehouse example, offline.

DuckDB's TPC-DS extension (``dsdgen``) is published on PyPI as ``duckdb-extension-tpcds``
for DuckDB 1.5.5 only, and ``INSTALL tpcds`` needs the network. So this script makes a side
virtual environment with that DuckDB and that package (from the package registry), loads the
extension by its file path and writes the tables into a DuckDB file, which the project's own
DuckDB then opens read-only.

    python examples/tpcds/generate.py --sf 1              # .nl2seg/tpcds-sf1.duckdb, ~1 min
    python examples/tpcds/generate.py --sf 0.1 --out /tmp/tpcds.duckdb

Tables land in schema ``main`` under their TPC-DS names (customer, store_sales, date_dim…),
as examples/tpcds/catalog.yaml expects. An existing file is left alone (--force rebuilds).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

DUCKDB = "duckdb==1.5.5"
EXTENSION = "duckdb-extension-tpcds==1.5.5"

_WORKER = r"""
import pathlib, sys, duckdb, duckdb_extension_tpcds
out, sf = sys.argv[1], float(sys.argv[2])
ext = next(pathlib.Path(duckdb_extension_tpcds.__file__).parent.rglob("tpcds.duckdb_extension"))
tmp = out + ".partial"
pathlib.Path(tmp).unlink(missing_ok=True)
con = duckdb.connect(tmp)
con.execute("SET enable_progress_bar = false")
con.execute(f"LOAD '{ext}'")
con.execute(f"CALL dsdgen(sf={sf})")
con.close()
pathlib.Path(tmp).replace(out)
"""


def side_python(env_dir: Path) -> Path:
    """The side environment's interpreter, created with DuckDB 1.5.5 and the extension."""
    python = env_dir / "bin" / "python"
    if not python.exists():
        print(f"creating {env_dir} with {DUCKDB} and {EXTENSION} …", flush=True)
        venv.create(env_dir, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", DUCKDB, EXTENSION],
                       check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sf", type=float, default=1.0, help="scale factor (1 = 100,000 "
                        "customers, 2.9M store sale lines)")
    parser.add_argument("--out", help="DuckDB file to write (default .nl2seg/tpcds-sf<SF>."
                        "duckdb)")
    parser.add_argument("--env", default=".nl2seg/tpcds-venv",
                        help="side virtual environment (created if missing)")
    parser.add_argument("--force", action="store_true", help="rebuild an existing file")
    args = parser.parse_args(argv)
    sf_name = f"{args.sf:g}"
    out = Path(args.out or f".nl2seg/tpcds-sf{sf_name}.duckdb")
    if out.exists() and not args.force:
        print(f"{out} exists (use --force to rebuild)")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    python = side_python(Path(args.env))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([str(python), "-c", _WORKER, str(out), str(args.sf)], check=True, env=env)
    print(f"wrote {out} (TPC-DS scale factor {sf_name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
