#!/usr/bin/env bash
# Install what a fresh Debian bookworm machine lacks, then configure and build accelgen.
# qflow-tech-osu018 (the OSU 0.18 um liberty) and opensta (`sta`) serve `accelgen synth`.
# Idempotent: a second run skips apt-get entirely and only rebuilds what changed.
#   scripts/setup.sh              install + configure + build (build/ by default)
#   scripts/setup.sh --no-build   install only
#   scripts/setup.sh --viewer     also install gtkwave (waveform viewer; not needed for tests)
#   scripts/setup.sh --slurm      also install slurm-wlm and munge (scripts/run_slurm.sh, scripts/slurm_local.sh)
#   scripts/setup.sh --fuzz       also install clang and its runtimes for scripts/fuzz.sh (libFuzzer
#                                 lives in libclang-rt-14-dev, only a Recommends of clang-14)
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make ccache pkg-config zlib1g-dev
          verilator yosys qflow-tech-osu018 opensta
          libfmt-dev libcli11-dev nlohmann-json3-dev
          libgtest-dev libgmock-dev libbenchmark-dev
          libonnx-dev libprotobuf-dev libonnx-testdata
          gnuplot-nox
          parallel)  # GNU parallel: scripts/run_parallel.sh (sharded sweeps)
build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --viewer) packages+=(gtkwave) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --slurm) packages+=(slurm-wlm munge) ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$build" -eq 1 ] || exit 0
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}"
