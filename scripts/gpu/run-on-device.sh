#!/usr/bin/env bash
# Runs ON the GPU machine, from the repository root, with .gpu copied there (see README.md): unpacks the
# archive scripts/gpu/publish.sh made, runs amphista-gpu-checks on the CUDA device (its JSON report to
# $OUT/gpu-checks.json when OUT is set, else to stdout; progress on stderr), then the amphista
# CLI's bench on the device, for the demo model and for random:vicuna-7b (JSON and SVG to $OUT). Both run whatever the other's outcome; the exit status is the checks', else the bench's.
set -euo pipefail
cd "$(dirname "$0")/../.."

archive=.gpu/amphista-gpu.tar.xz
if [[ ! -f $archive ]]; then
    echo "run-on-device.sh: no $archive: run scripts/gpu/publish.sh first and copy .gpu here" >&2
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

# The benches decode on the CUDA device (--device cuda): the demo model with its shipped drafters, then
# random:vicuna-7b (bf16, 13.5 GB of weights per token) with random drafters, whose acceptance is near zero:
# that run measures greedy's share of the roofline and the verification cost curve.
bench=0
out=${OUT:-$dir}
"$dir/amphista/amphista" bench --device cuda --drafters greedy,medusa,amphista --repeats 3 \
    --chart "$out/bench-demo.svg" --json >"$out/bench-demo.json" || bench=$?
"$dir/amphista/amphista" bench --device cuda --model random:vicuna-7b --drafters greedy,medusa:random,amphista:random \
    --max-prompts 3 --max-new-tokens 32 --repeats 3 --chart "$out/bench-vicuna-7b.svg" --json >"$out/bench-vicuna-7b.json" || bench=$?
cat "$out"/bench-*.json

echo "amphista-gpu-checks exited $checks, amphista bench exited $bench"
if ((checks != 0)); then exit "$checks"; fi
exit "$bench"
