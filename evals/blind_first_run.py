"""First run of the local translator on a blind split, at both reference dates, with its
silent-wrong count: the script that scored blind-2 onwards (evals/README.md).

    .venv/bin/python evals/blind_first_run.py evals/cases/blind-<n> --details > first-run.txt

Run it on a clean checkout of the commit being measured (``git worktree add``), before any
fix drawn from the split, with the eval databases ``nl2seg eval`` builds under ``.nl2seg/``.
A case passes when its audience equals gold at 2026-06-30 and at 2026-05-13; silent wrong = a
wrong audience (or a missed refusal) that no warning of severity "warning" or above and no
alternative reading flagged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import duckdb

from nl2seg.catalog import load_catalog
from nl2seg.catalog.models import Catalog
from nl2seg.compile import compile_rule
from nl2seg.evaluation.cases import EvalCase, load_cases
from nl2seg.evaluation.gold import gold_ids
from nl2seg.guard.review import prepare
from nl2seg.readback import read_back
from nl2seg.rule.nodes import Rule
from nl2seg.translate import Translation, translate_local
from nl2seg.validate import validate

DATABASES = (("eval-20000-s2026.duckdb", dt.date(2026, 6, 30)),
             ("eval-20000-s2026-r20260513.duckdb", dt.date(2026, 5, 13)))


def audience(rule: Rule, cat: Catalog, as_of: dt.date, con: duckdb.DuckDBPyConnection) -> set[int]:
    sql = compile_rule(validate(rule, cat, as_of)).audience().sql("duckdb")
    return {int(r[0]) for r in con.execute(sql).fetchall()}


def score(case: EvalCase, t: Translation, cat: Catalog, as_of: dt.date,
          con: duckdb.DuckDBPyConnection) -> tuple[str, str, bool]:
    """(status, what to print, silent) of one case at one date."""
    if t.refused or t.rule is None:
        return ("refused" if case.expects_refusal else "false_refusal"), t.refusal_reason or "", \
            False
    if case.expects_refusal:
        return "missed_refusal", read_back(t.rule, cat, as_of, t.lang), True
    try:
        ids = audience(t.rule, cat, as_of, con)
        gold = gold_ids(con, case.gold_sql or "")
    except Exception as exc:
        return "error", str(exc)[:200], False
    info = (f"{len(ids)} vs gold {len(gold)} alts={len(t.alternatives)} :: "
            + read_back(t.rule, cat, as_of, t.lang))
    if ids == gold:
        return "pass", info, False
    shown = prepare(t.rule, cat, as_of, con, translation=t, lang=t.lang,
                    expected_size=t.expected_size, record=False)
    flags = [w.code for w in shown.warnings if w.severity != "info"]
    flags += ["alternatives"] if t.alternatives else []
    info += f" FLAGGED={flags}"
    for alt in t.alternatives:
        same = audience(alt.rule, cat, as_of, con) == gold
        info += f" || alt[{alt.why}] {'== gold' if same else 'differs'}"
    return "fail", info, not flags


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases")
    ap.add_argument("--details", action="store_true", help="one line per case that failed")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / ".nl2seg"))
    args = ap.parse_args()
    cat = load_catalog()
    cases = load_cases(args.cases)
    results: dict[str, list[tuple[str, str]]] = {c.id: [] for c in cases}
    silent: set[str] = set()
    latencies: list[float] = []
    for name, as_of in DATABASES:
        con = duckdb.connect(str(Path(args.data) / name), read_only=True)
        for c in cases:
            t0 = time.perf_counter()
            t = translate_local(c.request, cat, as_of)
            latencies.append(time.perf_counter() - t0)
            status, info, quiet = score(c, t, cat, as_of, con)
            results[c.id].append((status, info))
            if quiet:
                silent.add(c.id)
        con.close()
    audience_cases = [c for c in cases if not c.expects_refusal]
    both = sum(all(s == "pass" for s, _ in results[c.id]) for c in audience_cases)
    first = sum(results[c.id][0][0] == "pass" for c in audience_cases)
    second = sum(results[c.id][1][0] == "pass" for c in audience_cases)
    false_refusals = sum(results[c.id][0][0] == "false_refusal" for c in audience_cases)
    refused = sum(results[c.id][0][0] == "refused" for c in cases if c.expects_refusal)
    n = len(audience_cases)
    print(f"both dates {both}/{n} = {both / n:.1%}; 06-30 {first}; 05-13 {second}; "
          f"false refusals {false_refusals}; refusals ok {refused}/{len(cases) - n}")
    print(f"silent wrong {len(silent)} ({len(silent) / len(cases):.1%} of cases): "
          f"{sorted(silent)}")
    latencies.sort()
    print(f"latency median {latencies[len(latencies) // 2] * 1000:.1f} ms "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms")
    if args.details:
        for c in cases:
            r = results[c.id]
            if any(s not in ("pass", "refused") for s, _ in r):
                shown = r[0][1] if r[0][0] != "pass" else "0513: " + r[1][1]
                print(c.id, [s for s, _ in r], "|", c.request, "|", shown[:300])


if __name__ == "__main__":
    main()
