"""The duplicate search in one process beside the same search on a local Dask cluster.

Writes N synthetic persons (onward.demo.synthetic, about 1% planted re-registrations) to
a person CSV, then runs `onward dedup` on it twice, in one process and with `--workers W`
(a local cluster of W worker processes, each within --worker-memory), and prints, for
each: wall time, the largest process's peak memory, clusters, and recall and precision of the
planted re-registrations; then whether the two cluster files are identical.

    .venv/bin/python bench/dedup_distributed_bench.py --persons 100000 --workers 2
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor


def _run(people: str, out: str, extra: list[str]) -> dict:
    """One `onward dedup` in a child process (its own peak memory)."""
    cmd = [sys.executable, "-m", "onward.cli", "dedup", people, "--out", out, "--no-progress"]
    # GNU time's %M: the peak of the largest process of the run (the driver, or a worker
    # it started and waited for: Linux folds a waited-for child's peak into its parent's).
    timed = ["/usr/bin/time", "-f", "peak_kb=%M", *cmd, *extra]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(timed, stdout=out, stderr=err, text=True)
        peaks = _sample_peaks(child)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode:
        raise SystemExit(f"onward dedup failed ({child.returncode}):\n{stderr[-4000:]}")
    wall = time.perf_counter() - t0
    summary = json.loads(stdout.strip().splitlines()[-1])
    peak = int(stderr.rsplit("peak_kb=", 1)[1].split()[0]) / 1024
    return {"wall_s": round(wall, 1), "peak_mb": round(peak), **peaks, **summary}


def _sample_peaks(child: subprocess.Popen, every: float = 0.25) -> dict:
    """The peak resident memory of the driver (`onward dedup`) and of each Dask worker
    process it started, sampled every `every` seconds until the run ends (a sample can
    miss a spike shorter than that: GNU time's figure is the exact peak of the largest)."""
    import psutil

    top = psutil.Process(child.pid)  # GNU time; its child is the driver
    driver, peaks, kind = None, {}, {}
    while child.poll() is None:
        try:
            if driver is None and top.children():
                driver = top.children()[0]
            procs = top.children(recursive=True)
        except psutil.Error:
            procs = []
        for proc in procs:
            try:
                if proc.pid not in kind and driver is not None:
                    # The CSV reader is a fork of the driver (same command line); Dask's
                    # workers are spawned interpreters.
                    same = proc.pid == driver.pid or proc.cmdline() == driver.cmdline()
                    kind[proc.pid] = (
                        "driver" if proc.pid == driver.pid else ("reader" if same else "worker")
                    )
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            peaks[proc.pid] = max(peaks.get(proc.pid, 0), rss)
        time.sleep(every)
    mb = {pid: round(rss / 2**20) for pid, rss in peaks.items()}
    workers = sorted(
        (v for pid, v in mb.items() if kind.get(pid) == "worker" and v > 50), reverse=True
    )
    readers = [v for pid, v in mb.items() if kind.get(pid) == "reader"]
    driver_mb = mb.get(driver.pid, 0) if driver is not None else 0
    return {
        "driver_peak_mb": driver_mb,
        "worker_peaks_mb": workers,
        "reader_peak_mb": max(readers, default=0),
    }


def _quality(out: str, planted: list[tuple[str, str]]) -> dict:
    with open(out, newline="", encoding="utf-8") as fh:
        cluster = {r["person_id"]: r["cluster_id"] for r in csv.DictReader(fh)}
    found = sum(cluster[a] == cluster[b] for a, b in planted)
    groups: dict[str, int] = {}
    for c in cluster.values():
        groups[c] = groups.get(c, 0) + 1
    predicted_pairs = sum(k * (k - 1) // 2 for k in groups.values())
    return {
        "planted_recall": round(found / max(len(planted), 1), 4),
        "pair_precision": round(found / max(predicted_pairs, 1), 4),
    }


def _write_population(seed: int, persons: int, path: str) -> list[tuple[str, str]]:
    from onward.demo.synthetic import generate_population, write_people_csv

    population = generate_population(seed=seed, persons=persons)
    write_people_csv(population, path)
    return [tuple(pair) for pair in population.duplicates]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-memory", default="6GB")
    ap.add_argument(
        "--workers-only",
        action="store_true",
        help="skip the one-process run (5M: it would need about 20 GB in one process)",
    )
    args = ap.parse_args()

    # The generator reads the registry's code lists, whose labels are Django msgids.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    with tempfile.TemporaryDirectory() as tmp:
        people = os.path.join(tmp, "people.csv")
        # Generated in a child process: 5M persons as objects take GBs that this
        # process, which waits beside the runs, would otherwise keep.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            planted = pool.submit(_write_population, args.seed, args.persons, people).result()
        print(f"{args.persons} persons, {len(planted)} planted re-registrations")
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        rows = {}
        runs = [
            ("one process", []),
            (
                f"{args.workers} workers",
                ["--workers", str(args.workers), "--worker-memory", args.worker_memory],
            ),
        ]
        for name, extra in runs[1:] if args.workers_only else runs:
            out = os.path.join(tmp, f"{len(rows)}.csv")
            rows[name] = {**_run(people, out, extra), **_quality(out, planted)}
            rows[name]["out"] = out
            r = rows[name]
            p, q = r["pair_precision"], r["planted_recall"]
            f1 = 2 * p * q / (p + q) if p + q else 0.0
            print(
                f"  {name:12} {r['wall_s']:7.1f} s wall, largest process {r['peak_mb']} MB, "
                f"{r['candidate_pairs']:,} candidate pairs, {r['clusters']} clusters, "
                f"planted recall {q}, pair precision {p}, "
                f"F1 {f1:.4f}; sampled peaks: driver {r['driver_peak_mb']} MB, "
                f"workers {r['worker_peaks_mb']} MB, CSV reader {r['reader_peak_mb']} MB",
                flush=True,
            )
        if args.workers_only:
            print(f"load average after: {os.getloadavg()[0]:.1f}")
            return
        a, b = (open(r["out"], encoding="utf-8").read() for r in rows.values())
        print(f"cluster files identical: {a == b}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        first, second = rows.values()
        print(f"ratio (workers / one process): {second['wall_s'] / first['wall_s']:.2f}")


if __name__ == "__main__":
    main()
