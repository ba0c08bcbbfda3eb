#!/usr/bin/env bash
# Runs ON the GPU machine, from the repository root, with .gpu carried there (see README.md): unpacks the
# archive scripts/gpu/publish.sh made, runs amphista-gpu-checks on the CUDA device (its JSON report to
# $OUT/gpu-checks.json when the device tool sets OUT, else to stdout; progress on stderr), then the amphista
# CLI's bench. Both run whatever the other's outcome; the exit status is the checks', else the bench's.
set -euo pipefail
cd "$(dirname "$0")/../.."

archive=.gpu/amphista-gpu.tar.xz
if [[ ! -f $archive ]]; then
    echo "run-on-device.sh: no $archive: run scripts/gpu/publish.sh first and carry .gpu" >&2
    exit 2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tar xJf "$archive" -C "$dir"
# The archive leaves the demo models out: the CLI finds them beside itself, so link the working tree's.
ln -s "$PWD/models" "$dir/amphista/models"

checks=0
if [[ -n ${OUT:-} ]]; then
    "$dir/gpu-checks/amphista-gpu-checks" --device cuda --json >"$OUT/gpu-checks.json" || checks=$?
else
    "$dir/gpu-checks/amphista-gpu-checks" --device cuda --json || checks=$?
fi

# The CLI still decodes on the CPU: the model has no GPU seam yet, so this times the GPU machine's CPU cores.
bench=0
if [[ -n ${OUT:-} ]]; then
    "$dir/amphista/amphista" bench --drafters greedy,medusa,amphista --repeats 3 --chart "$OUT/bench.svg" |
        tee "$OUT/bench.txt" || bench=$?
else
    "$dir/amphista/amphista" bench --drafters greedy,medusa,amphista --repeats 3 || bench=$?
fi

echo "amphista-gpu-checks exited $checks, amphista bench exited $bench"
if ((checks != 0)); then exit "$checks"; fi
exit "$bench"
