#!/usr/bin/env bash
# Soak (not part of ctest): co-simulate and lint COUNT random legal configurations of the
# bit-composable blocks (cvu, bihiwe, cvu_array), each with its own seed; every failure prints the
# command that replays it.   scripts/soak_blocks.sh [COUNT=20] [SEED=1]
set -uo pipefail
cd "$(dirname "$0")/.."
count=${1:-20}
RANDOM=${2:-1}
bin=build/accelgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }
pass=0; fail=0
for i in $(seq 1 "$count"); do
  case $((i % 3)) in
    0) b=$(pick 1 2 4); B=$(( b * $(pick 1 2 4 8) )); [ "$B" -gt 16 ] && B=16
       args=(cvu --set slice_bits=$b --set max_bits=$B --set lanes=$(pick 1 2 3 5 8 16) --set signed=$(pick true false)) ;;
    1) args=(bihiwe --set lanes=$(pick 1 2 3 8 16) --set acc_cycles=$(pick 1 2 5 32 64) --set adc_bits=$(pick 0 0 6 10)
             --set max_bits=$(pick 4 8)) ;;
    2) args=(cvu_array --set rows=$(pick 1 2 3) --set cols=$(pick 1 2 4) --set slice_bits=$(pick 1 2 4)
             --set lanes=$(pick 1 2 4) --set signed=$(pick true false) --set wbuf_depth=$(pick 4 8 16)) ;;
  esac
  seed=$((RANDOM * 1000 + i))
  line=$("$bin" verify "${args[@]}" --seed $seed --json -o "$out/rtl" 2>/dev/null | tail -1)
  if [[ "$line" == *'"passed":true'* ]] && "$bin" lint "$out/rtl" >/dev/null 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $bin verify ${args[*]} --seed $seed -> ${line:-no result}"
  fi
  echo "$i/$count done ($pass passed, $fail failed)" >&2
done
echo "soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
