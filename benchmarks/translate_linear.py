"""Is the local translator linear in the request's length? (issue 12 §7)

    python benchmarks/translate_linear.py [--sizes 6000,12000,24000,48000,96000] [--runs 3]

Times ``translate_local`` on requests of growing length, made of a realistic request repeated
without punctuation (words the lexicon knows, numbers, windows, places: every pass of the
builder has work, and the whole request is one clause, the worst case).
Prints a Markdown table: median seconds, seconds per 1,000 characters, and the growth from the
previous size (2.0 when doubling the length doubles the time). Requests over
``MAX_REQUEST_CHARS`` are refused at the library's entry point (``translate_request``) and in
the CLI and the app; ``translate_local`` itself is measured here so the worst case stays
bounded even without the cap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import time

from nl2seg.catalog import load_catalog
from nl2seg.limits import MAX_REQUEST_CHARS
from nl2seg.translate.local import translate_local

AS_OF = dt.date(2026, 6, 30)
# one long clause, no punctuation: the review's worst case (every item in one segment)
BASE = "clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois à Lyon "


def measure(sizes: list[int], runs: int) -> list[tuple[int, float]]:
    cat = load_catalog()
    translate_local("clients VIP", cat, AS_OF)  # warm the lexicon and caches once
    out = []
    for n in sizes:
        text = (BASE * (n // len(BASE) + 1))[:n]
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            translate_local(text, cat, AS_OF)
            times.append(time.perf_counter() - t0)
        out.append((n, statistics.median(times)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="6000,12000,24000,48000,96000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = measure(sizes, args.runs)
    print(f"local translator, {platform.python_implementation()} {platform.python_version()}, "
          f"median of {args.runs} (the request cap is {MAX_REQUEST_CHARS:,} characters)\n")
    print("| characters | seconds | s per 1k chars | growth |")
    print("|---:|---:|---:|---:|")
    prev: tuple[int, float] | None = None
    for n, s in rows:
        growth = "" if prev is None else f"{(s / prev[1]) / (n / prev[0]) * 2:.2f}"
        print(f"| {n:,} | {s:.2f} | {1000 * s / n:.3f} | {growth} |")
        prev = (n, s)


if __name__ == "__main__":
    main()
