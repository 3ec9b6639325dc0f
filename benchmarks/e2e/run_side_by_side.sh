#!/usr/bin/env bash
# Runs Gradwire's end-to-end benchmark (T1, T2) and the peer baselines (Flower simulation, plain
# PyTorch loop) in the same session, so the figures can be compared: this machine's speed varies.
#
#   benchmarks/e2e/run_side_by_side.sh            # REPS=3 by default; results in benchmarks/e2e/results/<UTC>/
#
# Needs the peers' environment: ../shared/benchmarks/peers/setup.sh (a venv with Flower, PyTorch, psutil).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS="${PEERS:-$ROOT/../shared/benchmarks/peers}"
PEER_HOME="${PEER_HOME:-${TMPDIR:-/tmp}/gradwire-peers}"
PY="$PEER_HOME/venv/bin/python"
REPS="${REPS:-3}"
OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
[[ -x $PY ]] || { echo "run $PEERS/setup.sh first"; exit 1; }
export FLWR_TELEMETRY_ENABLED=0 RAY_USAGE_STATS_ENABLED=0 FLWR_HOME="$PEER_HOME/flwr-home"

(cd "$ROOT" && swift build -c release --product gradwire >/dev/null) || { echo "release build failed"; exit 1; }
BIN="$ROOT/.build/release/gradwire"

echo "== gradwire =="
timeout 1800 "$PY" "$HERE/bench_e2e.py" --bin "$BIN" --task t1 --task t2 --reps "$REPS" --json-out "$OUT/results.jsonl" \
  | tee "$OUT/gradwire.log" | grep -v '^JSON'

timeout 300 "$PY" -c "import sys; sys.path.insert(0, '$PEERS'); import tasks; tasks.load('t1'); tasks.load('t2')"
echo "== pure torch, threads=1 =="
(cd "$PEERS" && timeout 900 "$PY" torch_local.py --threads 1 --reps "$REPS" --json-out "$OUT/results.jsonl" 2>&1) \
  | tee "$OUT/torch.log" | grep -v '^JSON'
for task in t1 t2; do
  for i in $(seq 1 "$REPS"); do
    echo "== flower $task run $i =="
    (cd "$PEERS" && timeout 900 "$PY" flower_sim.py --task "$task" --json-out "$OUT/results.jsonl" >"$OUT/flower_${task}_$i.log" 2>&1)
    grep -A7 '^== Flower' "$OUT/flower_${task}_$i.log" | grep -v '^JSON'
    sleep 2
  done
done
echo "== peer summary =="
"$PY" "$PEERS/summarize.py" "$OUT/results.jsonl" | tee "$OUT/peers.md"
echo "results in $OUT"
