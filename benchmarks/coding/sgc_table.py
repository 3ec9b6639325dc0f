#!/usr/bin/env python3
"""The SGC comparison table (spec coding-and-compression.md §A.6.6) from examples/sequential-gc.toml.

Runs the example (every variant: m-sgc, sr-sgc, gc with s = 2, no coding = gc with s = 0) for the
given seeds and prints a Markdown table of total virtual time for the same number of rounds, with
the jobs applied, the rounds that waited for all, the stragglers not waited for, the normalized
load and the virtual time to the example's accuracy target. Virtual times are deterministic, so any
build gives the same table.

usage: benchmarks/coding/sgc_table.py [--gradwire .build/debug/gradwire] [--seeds 42,1,2] [--out DIR]
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys

LOADS = {  # n = 10, (B, W, λ) = (1, 2, 2)
    "m-sgc": "(λ+1)(W−1+B)/(n(B+(W−1)(λ+1))) = 0.15",
    "sr-sgc": "(s+1)/n = 0.2 (s = 1)",
    "gc": "(s+1)/n = 0.3 (s = 2)",
    "no-coding": "1/n = 0.1",
}
DELAY = {"m-sgc": 1, "sr-sgc": 1, "gc": 0, "no-coding": 0}


def main():
    parser = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--gradwire", default=os.path.join(root, ".build/debug/gradwire"))
    parser.add_argument("--seeds", default="42,1,2")
    parser.add_argument("--out", default="/tmp/sgc-table")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    subprocess.run(["rm", "-rf", args.out], check=True)
    subprocess.run([args.gradwire, "launch", os.path.join(root, "examples/sequential-gc.toml"), "--out", args.out,
                    "--quiet", "--set", "run.seeds=[%s]" % ",".join(map(str, seeds))], check=True)
    rows = {}
    with open(os.path.join(args.out, "comparison.csv")) as f:
        for row in csv.DictReader(f):
            if row["seed"] in ("mean", "std"):
                continue
            variant = row["variant"]
            run = os.path.join(args.out, "%s-s%s" % (variant, row["seed"]))
            lines = [json.loads(l) for l in open(os.path.join(run, "rounds.jsonl"))]
            rows.setdefault(variant, []).append({
                "time": float(row["virtual_time_s"]),
                "target": float(row["time_to_target_s"]) if row["time_to_target_s"] else None,
                "accuracy": float(row["final_test_accuracy"]),
                "rounds": len(lines),
                "jobs": sum(1 for l in lines if l.get("applied_job") is not None),
                "waits": sum(1 for l in lines if l.get("waited_for_all")),
                "lost": sum(l["stragglers"] for l in lines),
            })
    print("| scheme | T | normalized load | rounds | jobs applied | waits (mean) | stragglers not waited for (mean) "
          "| total virtual time, s (mean ± sd over %d seeds) | per seed | virtual s to 0.85 (mean) | final accuracy (mean) |"
          % len(seeds))
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for variant in ["m-sgc", "sr-sgc", "gc", "no-coding"]:
        r = rows[variant]
        times = [x["time"] for x in r]
        sd = statistics.stdev(times) if len(times) > 1 else 0
        targets = [x["target"] for x in r if x["target"] is not None]
        print("| %s | %d | %s | %d | %d | %.1f | %.1f | %.1f ± %.1f | %s | %s | %.3f |" % (
            variant, DELAY[variant], LOADS[variant], r[0]["rounds"], r[0]["jobs"],
            statistics.mean(x["waits"] for x in r), statistics.mean(x["lost"] for x in r),
            statistics.mean(times), sd, " / ".join("%.1f" % t for t in times),
            "%.1f" % statistics.mean(targets) if len(targets) == len(r) else "not reached in every seed",
            statistics.mean(x["accuracy"] for x in r)))


if __name__ == "__main__":
    sys.exit(main())
