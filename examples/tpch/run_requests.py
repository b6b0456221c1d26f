# Preview every request of requests.py with nl2seg (local translator) and compare with its hand-written SQL.
# Run from anywhere with the project venv: /work/main/.venv/bin/python examples/tpch/run_requests.py [R1 R2 ...]
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpch_requests import REQS
import duckdb
os.chdir("/work/main")
env = dict(os.environ, NL2SEG_DB=".nl2seg/tpch-sf0.1.duckdb", NL2SEG_CATALOG="examples/tpch/catalog.yaml")
only = sys.argv[1:] 
out = {}
try: out = json.load(open("/tmp/tpch-results.json"))
except Exception: pass
con = duckdb.connect(".nl2seg/tpch-sf0.1.duckdb", read_only=True)
for rid, req, sql in REQS:
    if only and rid not in only: continue
    t0 = time.time()
    p = subprocess.run([".venv/bin/nl2seg", "preview", req, "--translator", "local", "--json"], capture_output=True, text=True, env=env)
    wall = time.time() - t0
    hand = con.execute(sql).fetchone()[0]
    rec = {"request": req, "rc": p.returncode, "wall_s": round(wall, 2), "hand": hand, "clock": time.strftime("%H:%M:%S")}
    if p.returncode == 0:
        d = json.loads(p.stdout)
        rec.update(readback=d["readback"], count=d["count"], alternatives=[(a.get("readback"), a.get("count")) for a in d.get("alternatives", [])],
                   warnings=[(w["code"], w["explanation"]) for w in d["warnings"]], rule=d["translation"]["rule"] if d.get("translation") else None)
    else:
        rec.update(stdout=p.stdout[-2000:], stderr=p.stderr[-2000:])
    out[rid] = rec
    print(rid, req, "| rc", p.returncode, "| wall", rec["wall_s"], "| nl2seg", rec.get("count"), "| hand", hand)
    print("   ", rec.get("readback") or (rec.get("stderr") or rec.get("stdout")).strip())
    for a in rec.get("alternatives", []): print("    alt:", a)
json.dump(out, open("/tmp/tpch-results.json", "w"), indent=1, ensure_ascii=False)
