# Generate TPC-H into .nl2seg/tpch-sf<SF>.duckdb offline, in a side venv:
#   python3 -m venv /tmp/tpchvenv && /tmp/tpchvenv/bin/pip install duckdb==1.5.5 duckdb-extension-tpch==1.5.5
#   /tmp/tpchvenv/bin/python examples/tpch/generate.py --sf 0.1
# INSTALL tpch needs the network, so the extension is LOADed by file path from the PyPI package.
import argparse, glob, os, time

import duckdb
import duckdb_extension_tpch

ap = argparse.ArgumentParser()
ap.add_argument("--sf", default="0.1")
a = ap.parse_args()
ext = glob.glob(os.path.join(os.path.dirname(duckdb_extension_tpch.__file__), "**", "tpch.duckdb_extension"), recursive=True)[0]
path = os.path.join(os.path.dirname(__file__), "..", "..", ".nl2seg", f"tpch-sf{a.sf}.duckdb")
if os.path.exists(path):
    os.remove(path)
t = time.time()
con = duckdb.connect(path)
con.execute(f"LOAD '{ext}'")
con.execute(f"CALL dbgen(sf={float(a.sf)})")
for (name,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
    print(name, con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
con.close()
print(f"{os.path.normpath(path)} in {time.time() - t:.1f} s")
