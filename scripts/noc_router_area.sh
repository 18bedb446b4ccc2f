#!/usr/bin/env bash
# Area per router of the `noc` routers from the standard-cell flow (`accelgen synth`, OSU 0.18 um):
# a 2x2 mesh (32-bit payload, buffers of 4 flits) of the base router and of the VC router with
# vcs = 1 (wormhole), 2, 4 and 8; every router of the mesh is one instance of the same module
# (synthesized once, all five ports kept), so area per router = total area / 4.
#   scripts/noc_router_area.sh [OUT_DIR]    (default build/noc_area; the table goes to OUT_DIR/noc_router_area.md)
# Environment: ACCELGEN (default build/accelgen), VCS (default "1 2 4 8"). The rows run in parallel;
# about 5 min per row on 2 busy cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/noc_area}
accelgen=${ACCELGEN:-build/accelgen}
[ -x "$accelgen" ] || { echo "noc_router_area.sh: no $accelgen (build it first)" >&2; exit 2; }
mkdir -p "$out"
table="$out/noc_router_area.md"
echo "| router | area per router mm² | flip-flops per router | cells per router | critical path ns |" > "$table.tmp"
echo "|---|---|---|---|---|" >> "$table.tmp"
row() {  # slug, table name, generate options
  local slug=$1 name=$2; shift 2
  rm -rf "${out:?}/$slug"
  "$accelgen" generate noc --set rows=2 --set cols=2 "$@" -o "$out/$slug" > /dev/null
  "$accelgen" synth "$out/$slug" --json --activity 0.1 > "$out/$slug.json" 2> "$out/$slug.log"
  python3 - "$name" "$out/$slug.json" > "$out/$slug.row" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
print(f"| {sys.argv[1]} | {r['area_um2'] / 4 / 1e6:.3f} | {r['flip_flops'] // 4} | {r['cells'] // 4} | {r['critical_path_ns']:.2f} |")
PY
  echo "noc_router_area.sh: $name done" >&2
}
# The rows run in parallel (one Yosys each).
slugs="base"
row base "base router (one FIFO of 4 per input)" --set buffer_depth=4 &
for v in ${VCS:-1 2 4 8}; do
  slugs="$slugs vc$v"
  if [ "$v" = 1 ]; then
    row "vc$v" "VC router, 1 VC of 4 (wormhole)" --set vcs=1 --set vc_depth=4 --set packet_flits=4 &
  else
    row "vc$v" "VC router, $v VCs of 4" --set vcs="$v" --set vc_depth=4 &
  fi
done
wait
for s in $slugs; do cat "$out/$s.row" >> "$table.tmp"; done
mv "$table.tmp" "$table"
cat "$table"
