#!/usr/bin/env bash
# Regenerates the README's PPA table: `accelgen synth` (OSU 0.18 um cells, OpenSTA timing and power,
# switching activity from a short co-simulation) on every block's default configuration.
#   scripts/ppa_table.sh [OUT_DIR]     (default build/ppa; the table goes to OUT_DIR/ppa_table.md)
# Environment: ACCELGEN (default build/accelgen), BLOCKS (default: every block), SYNTH_ARGS (extra
# options for `accelgen synth`, e.g. --clock-ns 20), BLOCK_TIMEOUT (seconds per block, default none:
# a block that runs out gets a "timed out" row and the table goes on). Blocks run one after another;
# each block's row, log and stdcell/ work directory stay in OUT_DIR; the total wall time is printed.
# `planaria` (16 subarrays of 32x32, 16,384 PEs) is timed hierarchically (`--sta-mode auto` picks it
# from 2 M cells on: the PE an extracted timing model, generator/eda/hier_sta.hpp) and its activity
# co-simulation runs the same 16 subarrays in 4 pods at 4x4 PEs (`--activity-set`), because
# Verilating the whole array takes 6-30 min. `tandem` and `leopard_tile` are mapped with ABC's fast
# script (--abc-fast). One run of this script regenerates the whole table.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/ppa}
accelgen=${ACCELGEN:-build/accelgen}
blocks=${BLOCKS:-"systolic cvu cvu_array bihiwe leopard_qk leopard_vpu leopard_tile noc region_manager planaria tandem"}
[ -x "$accelgen" ] || { echo "ppa_table.sh: no $accelgen (build it first: scripts/setup.sh)" >&2; exit 2; }
mkdir -p "$out"
table="$out/ppa_table.md"
start=$(date +%s)
limit=()
[ -n "${BLOCK_TIMEOUT:-}" ] && limit=(timeout "$BLOCK_TIMEOUT")
{
  echo "| block | default configuration | area mm² | logic / memory mm² | flip-flops | critical path ns | fmax MHz | power mW at fmax | energy pJ per op at fmax | input toggle rate | time |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table.tmp"
for b in $blocks; do
  "$accelgen" generate "$b" -o "$out/$b" > /dev/null
  block_args=()
  [ "$b" = planaria ] && block_args=(--activity-set sub_rows=4 --activity-set sub_cols=4)
  # ABC's default script spends tens of minutes per module on these two (Tandem's lane ALU alone
  # took 20 min); its fast one maps them in minutes, less compactly (the row says so).
  case "$b" in tandem | leopard_tile) block_args=(--abc-fast) ;; esac
  # shellcheck disable=SC2086
  rc=0
  "${limit[@]}" "$accelgen" synth "$out/$b" --row "${block_args[@]}" ${SYNTH_ARGS:-} > "$out/$b.row" 2> "$out/$b.log" || rc=$?
  if [ "$rc" -eq 0 ]; then
    cat "$out/$b.row" >> "$table.tmp"
    echo "ppa_table.sh: $b done" >&2
  elif [ "$rc" -eq 124 ] && [ -n "${BLOCK_TIMEOUT:-}" ]; then
    echo "| \`$b\` | timed out after $BLOCK_TIMEOUT s (see $out/$b/stdcell/) |||||||||" >> "$table.tmp"
    echo "ppa_table.sh: $b TIMED OUT" >&2
  else
    echo "| \`$b\` | failed: $(tail -1 "$out/$b.log") |||||||||" >> "$table.tmp"
    echo "ppa_table.sh: $b FAILED (see $out/$b.log)" >&2
  fi
done
mv "$table.tmp" "$table"
cat "$table"
echo "ppa_table.sh: $(( $(date +%s) - start )) s in all" >&2
