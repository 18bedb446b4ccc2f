#!/usr/bin/env bash
# Soak (not part of ctest): co-simulate and lint leopard_qk over both K encodings, every B dividing
# 12, 1..MAX_N units and a few tap counts, then leopard_vpu and leopard_tile over 1..MAX_N units,
# one seed per configuration derived from BASE_SEED so any failure is replayable from its line.
#   ACCELGEN_CACHE=/tmp/leopard-cache scripts/soak_leopard.sh [MAX_N=4] [BASE_SEED=1]
set -uo pipefail
cd "$(dirname "$0")/.."
max=${1:-4}
base=${2:-1}
bin=build/accelgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0; fail=0
run() {  # block seed sets...
  local block=$1 seed=$2; shift 2
  local sets=() s
  for s in "$@"; do sets+=(--set "$s"); done
  local line
  line=$("$bin" verify "$block" "${sets[@]}" --seed "$seed" --json -o "$out/rtl" 2>/dev/null | tail -1)
  if [[ "$line" == *'"passed":true'* ]] && "$bin" lint "$out/rtl" >/dev/null 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $block $* seed=$seed: $line"
  fi
}
for enc in twos signmag; do
  for b in 1 2 3 4 6 12; do
    for n in $(seq 1 "$max"); do
      for d in 1 3 8; do
        run leopard_qk $((base * 1000 + b * 37 + n * 5 + d)) k_encoding=$enc bits_per_cycle=$b n_dpu=$n taps=$d \
          seq_len=$((2 * n + 1)) prune=mixed
      done
    done
    echo "leopard_qk $enc B=$b done ($pass passed, $fail failed so far)" >&2
  done
done
for n in $(seq 1 "$max"); do
  run leopard_vpu $((base * 1000 + 500 + n)) n_dpu=$n taps=3 seq_len=$((3 * n + 2)) gap_percent=20
  run leopard_tile $((base * 1000 + 700 + n)) n_dpu=$n taps=3 seq_len=$((3 * n + 2))
done
echo "soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
