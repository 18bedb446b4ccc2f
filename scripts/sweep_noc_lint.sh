#!/usr/bin/env bash
# Sweep (not part of ctest, ~28 min on 2 cores): generate and `accelgen lint` every noc shape,
# mesh and AMP, rows and cols 2..16 (450 configurations). Prints failures and a closing count.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0; fail=0
for t in mesh amp; do
  for r in $(seq 2 16); do
    for c in $(seq 2 16); do
      if build/accelgen generate noc --set rows=$r --set cols=$c --set topology=$t -o "$out/d" >/dev/null 2>&1 &&
         build/accelgen lint "$out/d" >/dev/null 2>&1; then
        pass=$((pass + 1))
      else
        fail=$((fail + 1)); echo "FAIL: topology=$t rows=$r cols=$c"
      fi
    done
  done
  echo "$t done ($pass passed, $fail failed so far)" >&2
done
echo "noc lint sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
