"""Peak resident memory and time of each stage of one single-process `dedup()` run.

The realistic-surname variant generator (bench/dedup_variants.py), prepared first; then
the engine's stages (blocking, comparing, fitting, scoring, clustering) with the
process's RSS sampled every 50 ms (a stage is counted from its first progress report,
which comes after its first part: a 1/17 of comparing at 1M is in blocking's row; the
planning of blocking's parts is in "prepared"). `--code DIR` runs another checkout's engine (a
`git archive` of the code before a change) on the same records, for a before/after.

    .venv/bin/python bench/dedup_stage_memory.py --records 1000000
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--code", default=os.path.dirname(HERE), help="checkout whose engine runs")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.abspath(args.code))
    import psutil
    from dedup_variants import generate

    import onward
    from onward.dedup.engine import api

    rows, _ = generate(args.records, 1, surnames="realistic")
    ds = api.prepare(rows)
    del rows
    proc = psutil.Process()
    stage, peaks, ends = ["prepared"], {}, {}
    t0 = time.perf_counter()

    def sample() -> None:
        while True:
            peaks[stage[0]] = max(peaks.get(stage[0], 0), proc.memory_info().rss)
            time.sleep(0.05)

    def progress(name: str, done: int, total: int) -> None:
        if name != stage[0]:
            ends[stage[0]] = time.perf_counter() - t0
            stage[0] = name

    fit = api.fit_model

    def timed_fit(*a, **kw):
        progress("fitting", 0, 1)
        model = fit(*a, **kw)
        progress("scoring", 0, 1)
        return model

    api.fit_model = timed_fit
    threading.Thread(target=sample, daemon=True).start()
    res = api.dedup(ds, progress=progress)
    progress("done", 0, 0)
    time.sleep(0.1)
    print(f"{args.records} records, {len(res.ia)} candidate pairs, engine {onward.__file__}")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    for name, peak in peaks.items():
        if name != "done":
            print(f"  {name:11} peak {peak / 2**20:7.0f} MB, ends at {ends.get(name, 0):6.1f} s")


if __name__ == "__main__":
    main()
