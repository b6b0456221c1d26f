"""Local translation speed on the eval requests: median and p95 per request, warm process.

    python benchmarks/translate.py [--cases evals/cases] [--runs 3] [--long 96000]

Translates every request of the case files ``--runs`` times in one warm process (the first
pass loads the lemma dictionaries and the catalog's lexicon and is not counted), then prints
the median and p95 of the per-request latency. ``--long N`` also times one request of N
characters made of a real request repeated, to show the cost grows with the length (issue 12
§7). Prints the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time

from nl2seg.catalog import load_catalog
from nl2seg.evaluation.cases import load_cases
from nl2seg.translate import translate_local

AS_OF = dt.date(2026, 6, 30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="evals/cases")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--long", type=int, default=0)
    args = ap.parse_args()
    cat = load_catalog()
    requests = [c.request for c in load_cases(args.cases)]
    for r in requests:  # warm-up: lemma dictionaries, lexicon, caches
        translate_local(r, cat, AS_OF)
    times: list[float] = []
    for _ in range(args.runs):
        for r in requests:
            t0 = time.perf_counter()
            translate_local(r, cat, AS_OF)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    print(f"{len(requests)} requests x {args.runs} runs: median {statistics.median(times):.2f} ms,"
          f" p95 {times[int(len(times) * 0.95)]:.2f} ms, max {times[-1]:.1f} ms")
    if args.long:
        base = "clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois "
        for n in (args.long // 4, args.long // 2, args.long):
            text = (base * (n // len(base) + 1))[:n]
            t0 = time.perf_counter()
            translate_local(text, cat, AS_OF)
            print(f"{n:>7} characters: {(time.perf_counter() - t0):.2f} s")


if __name__ == "__main__":
    main()
