#!/usr/bin/env bash
# The linear rules (mean, clipping + mean, ARC + mean, centered clipping) at SIMD level 0 (the Swift
# paths) and at the CPU's level (the C kernels of CKernels), alternated, each run preceded by the
# machine load. Usage (repository root): bash benchmarks/robust/run_linear_levels.sh [TAG] [ROUNDS] [FIRST]
# Writes benchmarks/robust/results-TAG{a,b,…}-level{0,3}.{log,tsv} (letters from the FIRST-th, default
# 1, so that later batches add to earlier ones); then
# `python3 benchmarks/robust/levels.py benchmarks/robust/results-TAG` prints the tables of
# benchmarks/RESULTS.md (note 21).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TAG="${1:-run7}"
ROUNDS="${2:-3}"
FIRST="${3:-1}"
OUT=benchmarks/robust
SCRATCH="${SCRATCH:-benchmarks/.build-rbench}"
[[ -n "${SKIP_BUILD:-}" ]] || swift build -c release --package-path benchmarks --scratch-path "$SCRATCH" --product RobustBenchmarks >/dev/null
for round in $(seq "$FIRST" $((FIRST + ROUNDS - 1))); do
  letter=$(printf "\\$(printf %o $((96 + round)))")
  for level in 0 3; do
    name="results-$TAG$letter-level$level"
    {
      echo "== $name: $(date -u +%H:%M:%S) UTC, uptime: $(uptime)"
      "$SCRATCH/release/RobustBenchmarks" --sizes 50x1000000,200x100000 \
        --rules mean,clipping+mean,arc+mean,centered-clipping --reps 10 --threads 1 --simd-level "$level" \
        --tsv "$OUT/$name.tsv"
    } 2>&1 | tee "$OUT/$name.log"
  done
done
