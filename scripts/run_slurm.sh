#!/usr/bin/env bash
# Run a sweep as a Slurm job array (one array task per shard, `sbatch --array`), wait for it, and
# merge into the table the unsharded `accelgen jobs run SPEC` prints. DIR must be on a file system
# every node sees. Resubmitting reruns only the shards not yet done.
#   scripts/run_slurm.sh SPEC DIR [sbatch options...]           e.g. --partition=debug
# One-line recipe: build/accelgen jobs emit noc-lint -o $PWD/out/nl >/dev/null &&
#   sbatch --wait --array=1-$(wc -l <out/nl/commands.txt) --wrap 'bash -c "$(sed -n ${SLURM_ARRAY_TASK_ID}p out/nl/commands.txt)"'
set -uo pipefail
[ $# -ge 2 ] || { sed -n '2,8p' "$0"; exit 2; }
spec=$1; dir=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
bin=${ACCELGEN:-$(cd "$(dirname "$0")/.." && pwd)/build/accelgen}
"$bin" jobs emit "$spec" -o "$dir" >/dev/null || exit 2
n=$(wc -l <"$dir/commands.txt")
cat >"$dir/shard.sbatch" <<SB
#!/usr/bin/env bash
cmd=\$(sed -n "\${SLURM_ARRAY_TASK_ID}p" "$dir/commands.txt")
exec bash -c "\$cmd"
SB
sbatch --wait --array="1-$n" --output="$dir/slurm-%A_%a.out" "$@" "$dir/shard.sbatch" >"$dir/sbatch.log" 2>&1
"$bin" jobs merge "$dir"
