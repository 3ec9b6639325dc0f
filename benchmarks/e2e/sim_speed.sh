#!/usr/bin/env bash
# Virtual-mode simulation speed (issue 6, "Speed"): simulated client-rounds per second of wall time
# with CLIENTS clients and PER_ROUND per round on FedProx Synthetic(1, 1) (natural devices),
# logistic regression, one local epoch of SGD (batch 10), virtual time, wait-all — run with
# `gradwire launch` from a release build.
#
#   benchmarks/e2e/sim_speed.sh                      # 10,000 clients, 1,000 per round, 10 rounds, 2 workers
#   CLIENTS=1000 PER_ROUND=100 ROUNDS=20 WORKERS=1 benchmarks/e2e/sim_speed.sh
#
# Prints three rates: client-rounds ÷ the rounds' own wall time (sum of wall_round_s in
# rounds.jsonl), the same without round 1 (whose clients' data the workers are still generating),
# and client-rounds ÷ the whole launch (process start, test-set and client data generation,
# handshake and evaluation included). Clients' data is generated lazily on first use, so later
# rounds still generate the data of clients they meet for the first time.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CLIENTS="${CLIENTS:-10000}"
PER_ROUND="${PER_ROUND:-1000}"
ROUNDS="${ROUNDS:-10}"
WORKERS="${WORKERS:-2}"
OUT="${OUT:-${TMPDIR:-/tmp}/gradwire-sim-speed-$$}"
mkdir -p "$OUT"

(cd "$ROOT" && swift build -c release --product gradwire >/dev/null) || { echo "release build failed"; exit 1; }
BIN="$ROOT/.build/release/gradwire"

cat > "$OUT/sim-speed.toml" <<TOML
[run]
name = "sim-speed"
seed = 1
rounds = $ROUNDS
[data]
source = "synthetic"
alpha = 1.0
beta = 1.0
[partition]
scheme = "natural"
clients = $CLIENTS
[model]
kind = "logreg"
[local]
lr = 0.01
batch_size = 10
epochs = 1
[participation]
clients_per_round = $PER_ROUND
[eval]
every = $ROUNDS
TOML

start=$(date +%s.%N)
"$BIN" launch "$OUT/sim-speed.toml" --workers "$WORKERS" --out "$OUT/run" --quiet >/dev/null
end=$(date +%s.%N)

python3 - "$OUT/run" "$start" "$end" "$CLIENTS" "$PER_ROUND" "$ROUNDS" "$WORKERS" <<'PY'
import json, sys
run, start, end, clients, per_round, rounds, workers = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), *map(int, sys.argv[4:])
lines = [json.loads(l) for l in open(run + "/rounds.jsonl")]
client_rounds = sum(l["selected"] for l in lines)
round_wall = sum(l["wall_round_s"] for l in lines)
summary = json.load(open(run + "/summary.json"))
print(f"clients {clients}, {per_round} per round, {len(lines)} rounds, {workers} worker processes")
print(f"client-rounds simulated: {client_rounds}")
print(f"rounds' wall time: {round_wall:.2f} s -> {client_rounds / round_wall:.0f} client-rounds/s")
later = lines[1:]
if later:
    later_rounds = sum(l["selected"] for l in later)
    later_wall = sum(l["wall_round_s"] for l in later)
    print(f"rounds 2..{len(lines)} (round 1 also generates the first clients' data): {later_wall:.2f} s -> "
          f"{later_rounds / later_wall:.0f} client-rounds/s")
print(f"whole launch: {end - start:.2f} s -> {client_rounds / (end - start):.0f} client-rounds/s")
print(f"virtual time simulated: {summary['virtual_time_s']:.1f} s; final test accuracy {summary['final_test_accuracy']}")
PY
