#!/usr/bin/env bash
# Task T4 side by side: Gradwire's RobustBenchmarks (release), then ByzFL 0.0.11 through
# byzfl_peer.py, back to back, each with the machine load recorded before it starts.
# Usage (repository root): bash benchmarks/robust/run_side_by_side.sh [TAG]
# Needs the peers venv (../shared/benchmarks/peers/setup.sh) with byzfl==0.0.11 installed.
# Writes benchmarks/robust/results-TAG.{tsv,log} and byzfl-TAG.txt; then
# `python3 benchmarks/robust/compare.py benchmarks/robust/results-TAG.tsv benchmarks/robust/byzfl-TAG.txt`
# prints the tables of benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TAG="${1:-$(date -u +%Y%m%d-%H%M)}"
OUT=benchmarks/robust
PY="${PEER_PYTHON:-${TMPDIR:-/tmp}/gradwire-peers/venv/bin/python}"
SCRATCH="${SCRATCH:-benchmarks/.build-rbench}"

load() {
  echo "== $1: $(date -u +%H:%M:%S) UTC, uptime: $(uptime)"
  ps -eo pcpu,comm --sort=-pcpu | head -6 | tail -5 | sed 's/^/   /'
}

[[ -n "${SKIP_BUILD:-}" ]] || swift build -c release --package-path benchmarks --scratch-path "$SCRATCH" --product RobustBenchmarks >/dev/null
{
  load "Gradwire start"
  timeout 1800 "$SCRATCH/release/RobustBenchmarks" --tsv "$OUT/results-$TAG.tsv" ${GRADWIRE_ARGS:-}
  load "Gradwire end"
} 2>&1 | tee "$OUT/results-$TAG.log"
{
  load "ByzFL start"
  timeout 2400 "$PY" "$OUT/byzfl_peer.py" --shapes 50x1000000,200x100000 --threads "${BYZFL_THREADS:-1}"
  timeout 600 "$PY" "$OUT/byzfl_peer.py" --shapes 11x100000 --only mda,smea --threads "${BYZFL_THREADS:-1}"
  load "ByzFL end"
} 2>&1 | tee "$OUT/byzfl-$TAG.txt"
