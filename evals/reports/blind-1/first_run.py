"""First run of the local translator on a blind split, at two reference dates, with the
silent-wrong count (wrong and flagged by no warning nor alternative reading)."""
import datetime as dt, json, sys
from collections import Counter
import duckdb
import nl2seg
from nl2seg.catalog import load_catalog
from nl2seg.evaluation.cases import load_cases
from nl2seg.evaluation.runner import run_case
from nl2seg.translate import translate_local
from nl2seg.guard.review import prepare

print("nl2seg from", nl2seg.__file__, file=sys.stderr)
cat = load_catalog()
cases = load_cases(sys.argv[1])
dbs = [(".nl2seg/eval-20000-s2026.duckdb", dt.date(2026, 6, 30)),
       (".nl2seg/eval-20000-s2026-r20260513.duckdb", dt.date(2026, 5, 13))]
rows = {c.id: {"id": c.id, "request": c.request, "lang": c.lang, "tags": c.tags,
               "refusal": c.expects_refusal} for c in cases}
for path, as_of in dbs:
    con = duckdb.connect("/work/main/" + path, read_only=True)
    base = con.execute("SELECT count(*) FROM crm.customers").fetchone()[0]
    for c in cases:
        r = run_case(c, lambda q: translate_local(q, cat, as_of), cat, as_of, con, base)
        flagged = []
        if r.status in ("fail", "missed_refusal"):
            t = translate_local(c.request, cat, as_of)
            try:
                p = prepare(t.rule, cat, as_of, con, translation=t, lang=t.lang,
                            expected_size=t.expected_size, record=False)
                flagged = [w.code for w in p.warnings if w.severity != "info"]
            except Exception as exc:  # noqa: BLE001
                flagged = [f"error:{exc}"]
            flagged += ["alternatives"] if t.alternatives else []
        rows[c.id][str(as_of)] = {"status": r.status, "count": r.count, "gold": r.gold_count,
                                  "detail": r.detail, "readback": r.readback,
                                  "flagged": flagged}
out = list(rows.values())
aud = [r for r in out if not r["refusal"]]
ref = [r for r in out if r["refusal"]]
d1, d2 = "2026-06-30", "2026-05-13"
both = sum(r[d1]["status"] == "pass" and r[d2]["status"] == "pass" for r in aud)
p1 = sum(r[d1]["status"] == "pass" for r in aud)
p2 = sum(r[d2]["status"] == "pass" for r in aud)
fr = sum(r[d1]["status"] == "false_refusal" for r in aud)
silent = [r for r in out if any(r[d]["status"] in ("fail", "missed_refusal") and not r[d]["flagged"]
                               for d in (d1, d2))]
refused = sum(r[d1]["status"] == "refused" for r in ref)
summary = {"cases": len(out), "audience": len(aud), "refusal_cases": len(ref),
           "execution_accuracy_both_dates": both / len(aud),
           "execution_accuracy_0630": p1 / len(aud), "execution_accuracy_0513": p2 / len(aud),
           "false_refusals": fr, "false_refusal_rate": fr / len(aud),
           "silent_wrong": len(silent), "silent_wrong_rate": len(silent) / len(out),
           "refusals_refused": refused,
           "statuses_0630": Counter(r[d1]["status"] for r in out)}
print(json.dumps(summary, indent=1, default=str))
json.dump({"summary": summary, "cases": out}, open(sys.argv[2], "w"), indent=1, default=str,
          ensure_ascii=False)
