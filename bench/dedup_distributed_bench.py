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
import os
import subprocess
import sys
import tempfile
import time


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

    top = psutil.Process(child.pid)
    driver_pid, peaks = None, {}
    while child.poll() is None:
        try:
            procs = top.children(recursive=True)
        except psutil.Error:
            procs = []
        for proc in procs:
            try:
                if driver_pid is None and "onward.cli" in " ".join(proc.cmdline()):
                    driver_pid = proc.pid
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            peaks[proc.pid] = max(peaks.get(proc.pid, 0), rss)
        time.sleep(every)
    mb = {pid: round(rss / 2**20) for pid, rss in peaks.items()}
    workers = sorted((v for pid, v in mb.items() if pid != driver_pid and v > 50), reverse=True)
    return {"driver_peak_mb": mb.get(driver_pid, 0), "worker_peaks_mb": workers}


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
    from onward.demo.synthetic import generate_population, write_people_csv

    population = generate_population(seed=args.seed, persons=args.persons)
    with tempfile.TemporaryDirectory() as tmp:
        people = os.path.join(tmp, "people.csv")
        write_people_csv(population, people)
        print(f"{args.persons} persons, {len(population.duplicates)} planted re-registrations")
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
            rows[name] = {**_run(people, out, extra), **_quality(out, population.duplicates)}
            rows[name]["out"] = out
            r = rows[name]
            p, q = r["pair_precision"], r["planted_recall"]
            f1 = 2 * p * q / (p + q) if p + q else 0.0
            print(
                f"  {name:12} {r['wall_s']:7.1f} s wall, largest process {r['peak_mb']} MB, "
                f"{r['clusters']} clusters, planted recall {q}, pair precision {p}, "
                f"F1 {f1:.4f}; sampled peaks: driver {r['driver_peak_mb']} MB, "
                f"workers {r['worker_peaks_mb']} MB",
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
