import datetime as dt, json, sys, time
import duckdb
from nl2seg.catalog import load_catalog
from nl2seg.evaluation.cases import load_cases
from nl2seg.evaluation.gold import gold_ids
from nl2seg.translate import translate_local
from nl2seg.compile import compile_rule
from nl2seg.validate import validate
from nl2seg.readback import read_back
cat = load_catalog()
cases = load_cases(sys.argv[1])
dbs = [("/work/main/.nl2seg/eval-20000-s2026.duckdb", dt.date(2026, 6, 30)),
       ("/work/main/.nl2seg/eval-20000-s2026-r20260513.duckdb", dt.date(2026, 5, 13))]
res = {c.id: [] for c in cases}
silent = set()
lat = []
for path, as_of in dbs:
    con = duckdb.connect(path, read_only=True)
    for c in cases:
        t0 = time.perf_counter(); t = translate_local(c.request, cat, as_of); lat.append(time.perf_counter() - t0)
        if t.refused:
            st = "refused" if c.expects_refusal else "false_refusal"; info = t.refusal_reason
        elif c.expects_refusal:
            st = "missed_refusal"; info = read_back(t.rule, cat, as_of, t.lang); silent.add(c.id)
        else:
            try:
                ids = {r[0] for r in con.execute(compile_rule(validate(t.rule, cat, as_of)).audience().sql("duckdb")).fetchall()}
                g = gold_ids(con, c.gold_sql)
                st = "pass" if ids == g else "fail"
                info = f"{len(ids)} vs gold {len(g)} alts={len(t.alternatives)} :: " + read_back(t.rule, cat, as_of, t.lang)
                if st == "fail":
                    from nl2seg.guard.review import prepare
                    pw = prepare(t.rule, cat, as_of, con, translation=t, lang=t.lang,
                                 expected_size=t.expected_size, record=False)
                    fl = [w.code for w in pw.warnings if w.severity != "info"] + (["alternatives"] if t.alternatives else [])
                    info += f" FLAGGED={fl}"
                    if not fl:
                        silent.add(c.id)
                if st == "fail" and t.alternatives:
                    for a in t.alternatives:
                        aids = {r[0] for r in con.execute(compile_rule(validate(a.rule, cat, as_of)).audience().sql("duckdb")).fetchall()}
                        info += f" || alt[{a.why}] {'== gold' if aids == g else len(aids)}"
            except Exception as e:
                st = "error"; info = str(e)[:200]
        res[c.id].append((st, info))
aud = [c for c in cases if not c.expects_refusal]
both = sum(all(s == "pass" for s, _ in res[c.id]) for c in aud)
fr = sum(res[c.id][0][0] == "false_refusal" for c in aud)
print(f"both dates {both}/{len(aud)} = {both/len(aud):.1%}; 06-30 {sum(res[c.id][0][0]=='pass' for c in aud)}; 05-13 {sum(res[c.id][1][0]=='pass' for c in aud)}; false refusals {fr}; refusals ok {sum(res[c.id][0][0]=='refused' for c in cases if c.expects_refusal)}/{len(cases)-len(aud)}")
print(f"silent wrong {len(silent)} ({len(silent)/len(cases):.1%} of cases): {sorted(silent)}")
lat.sort(); print(f"latency median {lat[len(lat)//2]*1000:.1f} ms p95 {lat[int(len(lat)*.95)]*1000:.1f} ms")
if len(sys.argv) > 2:
    for c in cases:
        r = res[c.id]
        if any(s not in ("pass", "refused") for s, _ in r):
            print(c.id, [s for s, _ in r], "|", c.request, "|", r[0][1][:300] if r[0][0] != "pass" else "0513: " + r[1][1][:300])
