"""Tables of benchmarks/RESULTS.md (note 21) from run_linear_levels.sh: the linear rules at SIMD level 0
(Swift) and at the CPU's level (C kernels), against both memory-read ceilings of the same run.
Usage: python3 benchmarks/robust/levels.py benchmarks/robust/results-TAG
Each figure: min over the runs of each run's min; "× ceiling": each run's rule min over the same run's
ceiling min, median over the runs (best – worst run in brackets).
"""
import csv
import glob
import re
import statistics
import sys


def runs(prefix, level):
    out = []
    for path in sorted(glob.glob(f"{prefix}*-level{level}.tsv")):
        rows = list(csv.DictReader(open(path), delimiter="\t"))
        out.append({(r["size"], r["rule"]): float(r["min_ms"]) for r in rows})
    return out


def main():
    prefix = sys.argv[1]
    swift, simd = runs(prefix, 0), runs(prefix, 3)
    sizes = []
    for key in swift[0]:
        if key[0] not in sizes:
            sizes.append(key[0])
    for size in sizes:
        vector = next(r for s, r in swift[0] if s == size and re.search(r"sum \(C\), 1 thread", r))
        old = "ceiling: SIMD sum, 1 thread"
        ceil = lambda runs_, name: [run[(size, name)] for run in runs_]
        both = swift + simd
        print(f"\n**{size}**: ceiling {vector[len('ceiling: '):]} min {min(ceil(both, vector)):.2f} ms "
              f"(median of the runs' mins {statistics.median(ceil(both, vector)):.2f}), Swift SIMD sum min "
              f"{min(ceil(both, old)):.2f} ms (median {statistics.median(ceil(both, old)):.2f}); {len(both)} runs\n")
        print("| rule | Swift path (level 0) ms | C kernels ms | Swift × C ceiling | C kernels × C ceiling "
              "| Swift × Swift SIMD ceiling | C kernels × Swift SIMD ceiling | target ≤ 1.5× C ceiling |")
        print("|---|---|---|---|---|---|---|---|")
        for rule in ["mean", "clipping+mean", "arc+mean", "centered-clipping"]:
            def ratios(runs_, name):
                rs = [run[(size, rule)] / run[(size, name)] for run in runs_ if (size, rule) in run]
                return f"{statistics.median(rs):.2f} ({min(rs):.2f} – {max(rs):.2f})"
            ms = lambda runs_: min(run[(size, rule)] for run in runs_)
            rs = [run[(size, rule)] / run[(size, vector)] for run in simd]
            met = sum(r <= 1.5 for r in rs)
            status = "met" if met == len(rs) else (f"**not met** ({met} of {len(rs)} runs ≤ 1.5×)" if met else "**not met**")
            print(f"| {rule} | {ms(swift):.2f} | {ms(simd):.2f} | {ratios(swift, vector)} | {ratios(simd, vector)} "
                  f"| {ratios(swift, old)} | {ratios(simd, old)} | {status} |")


if __name__ == "__main__":
    main()
