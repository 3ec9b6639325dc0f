#!/usr/bin/env python3
"""End-to-end benchmark of `gradwire launch` on the benchmark tasks (T1, T2, T5).

For each task and repetition it runs the real launcher (coordinator + worker processes over ZeroMQ
on loopback) and records: total wall time including process start-up and data generation, the
median wall seconds per round (rounds 2..N, from rounds.jsonl's `wall_round_s`), client updates
per second of round time, the peak resident memory of the whole process tree (RSS, and PSS which
splits shared pages fairly), the final test accuracy, and the machine's other load (busy CPU not
ours) so that runs on a busy box can be set aside.

Needs psutil (the peers' venv has it: ${TMPDIR:-/tmp}/gradwire-peers/venv/bin/python).

    python bench_e2e.py --bin .build/release/gradwire --task t1 --task t2 --reps 3 --json-out results.jsonl
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TASKS = {"t1": "examples/t1.toml", "t2": "examples/t2.toml", "t5": "examples/t5.toml", "quickstart": "examples/quickstart.toml"}


def busy_cpu_s() -> float:
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class TreeSampler(threading.Thread):
    """Samples the summed RSS (every tick) and PSS (every 4th tick) of a process and its descendants."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.cpu: dict[int, float] = {}
        self.stop_event = threading.Event()

    def procs(self):
        try:
            return [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return []

    def run(self):
        tick = 0
        while not self.stop_event.is_set():
            ps = self.procs()
            rss = pss = 0
            for p in ps:
                try:
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system
                    if tick % 4 == 0:
                        pss += p.memory_full_info().pss
                except psutil.Error:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_procs = max(self.peak_procs, len(ps))
            if tick % 4 == 0:
                self.peak_pss = max(self.peak_pss, pss)
            tick += 1
            self.stop_event.wait(self.interval)


def run_once(binary: str, task: str, workers: int, extra: list[str]) -> dict:
    out = tempfile.mkdtemp(prefix=f"gradwire-bench-{task}-")
    cmd = [binary, "launch", os.path.join(ROOT, TASKS[task]), "--workers", str(workers), "--out", out + "/run", "--quiet"]
    for kv in extra:
        cmd += ["--set", kv]
    busy0, t0 = busy_cpu_s(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    total = time.perf_counter() - t0
    busy1 = busy_cpu_s()
    sampler.stop_event.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{task}: gradwire failed ({proc.returncode}): {err[-2000:]}")
    run = out + "/run"
    rows = [json.loads(l) for l in open(run + "/rounds.jsonl") if l.strip()]
    summary = json.load(open(run + "/summary.json"))
    rounds = [r["wall_round_s"] for r in rows]
    updates = sum(r["completed"] for r in rows)
    ours_cpu = sum(sampler.cpu.values())
    return {
        "tool": "gradwire", "task": task, "workers": workers,
        "total_wall_s": total,
        "round_first_s": rounds[0],
        "round_median_excl_first_s": statistics.median(rounds[1:] if len(rounds) > 1 else rounds),
        "round_mean_s": statistics.fmean(rounds),
        "updates_per_s": updates / sum(rounds),
        "startup_s": rows[0]["wall_time_s"] - rounds[0],
        "peak_tree_rss_bytes": sampler.peak_rss,
        "peak_tree_pss_bytes": sampler.peak_pss,
        "peak_procs": sampler.peak_procs,
        "final_accuracy": summary["final_test_accuracy"],
        "rounds": len(rows),
        "other_cpu_cores": max(0.0, (busy1 - busy0 - ours_cpu) / total),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release/gradwire"))
    ap.add_argument("--task", action="append", choices=sorted(TASKS), help="repeatable; default t1 and t2")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--set", action="append", default=[], dest="extra")
    ap.add_argument("--json-out")
    a = ap.parse_args()
    results = []
    for task in a.task or ["t1", "t2"]:
        for rep in range(a.reps):
            r = run_once(a.bin, task, a.workers, a.extra)
            results.append(r)
            line = json.dumps(r)
            print("JSON " + line, flush=True)
            if a.json_out:
                with open(a.json_out, "a") as f:
                    f.write(line + "\n")
    mib = 1 << 20
    print("\n| task | workers | runs | total wall s | round median s (excl. 1st) | updates/s | peak tree RSS MiB "
          "| peak tree PSS MiB | final acc | other procs' CPU (cores) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for task in a.task or ["t1", "t2"]:
        rs = [r for r in results if r["task"] == task]
        def mm(key, fmt, scale=1.0):
            xs = [r[key] / scale for r in rs]
            return f"{fmt.format(min(xs))} / {fmt.format(statistics.median(xs))}"
        print(f"| {task} | {a.workers} | {len(rs)} | {mm('total_wall_s', '{:.3f}')} | "
              f"{mm('round_median_excl_first_s', '{:.5f}')} | {mm('updates_per_s', '{:.0f}')} | "
              f"{mm('peak_tree_rss_bytes', '{:.0f}', mib)} | {mm('peak_tree_pss_bytes', '{:.0f}', mib)} | "
              f"{mm('final_accuracy', '{:.4f}')} | {mm('other_cpu_cores', '{:.2f}')} |")
    print("\n(min / median over runs)")


if __name__ == "__main__":
    sys.exit(main())
