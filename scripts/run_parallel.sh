#!/usr/bin/env bash
# Run a sweep as independent shards under GNU parallel (local cores, or other machines with
# --sshlogin; they need the same build path and a shared DIR), then merge into the table the
# unsharded `accelgen jobs run SPEC` prints. Rerunning skips every shard already done.
#   scripts/run_parallel.sh SPEC DIR [parallel options...]      e.g. -j 8, --sshlogin 8/host1,8/host2
# SPEC: a spec JSON file or a built-in sweep (noc-lint, cvu-synth, cvu-prove, cvu-soak).
# One-line recipe: build/accelgen jobs emit noc-lint -o out/nl | parallel -j2; build/accelgen jobs merge out/nl
set -uo pipefail
[ $# -ge 2 ] || { sed -n '2,8p' "$0"; exit 2; }
spec=$1; dir=$2; shift 2
bin=${ACCELGEN:-$(cd "$(dirname "$0")/.." && pwd)/build/accelgen}
"$bin" jobs emit "$spec" -o "$dir" >/dev/null || exit 2
# A failing shard does not stop the others; merge names whatever is missing or failed.
parallel --will-cite "$@" <"$dir/commands.txt" >"$dir/parallel.log" 2>&1
"$bin" jobs merge "$dir"
