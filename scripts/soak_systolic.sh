#!/usr/bin/env bash
# Soak (not part of ctest): co-simulate and lint every systolic array from 1x1 to MAXxMAX with one
# seed per configuration, derived from BASE_SEED so any failure is replayable from its printed line.
#   scripts/soak_systolic.sh [MAX=16] [BASE_SEED=1]
set -uo pipefail
cd "$(dirname "$0")/.."
max=${1:-16}
base=${2:-1}
bin=build/accelgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0; fail=0
for r in $(seq 1 "$max"); do
  for c in $(seq 1 "$max"); do
    seed=$((base * 1000 + r * 17 + c))
    line=$("$bin" verify systolic --set rows=$r --set cols=$c --seed $seed --json -o "$out/rtl" 2>/dev/null | tail -1)
    if [[ "$line" == *'"passed":true'* ]] && "$bin" lint "$out/rtl" >/dev/null 2>&1; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL rows=$r cols=$c seed=$seed: $line"
    fi
  done
  echo "rows=$r done ($pass passed, $fail failed so far)" >&2
done
echo "soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
