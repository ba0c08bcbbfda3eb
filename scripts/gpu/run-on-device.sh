#!/usr/bin/env bash
# Runs ON the GPU machine, from the repository root, with .gpu copied there (see README.md): unpacks the
# archive scripts/gpu/publish.sh made, then runs four stages on the CUDA device, each under its own time limit, the
# limits adding up to 8 minutes: the kernel timings (amphista-gpu-checks --only timings), the checks
# (--only checks), and the amphista CLI's bench for the demo model and for random:vicuna-7b. Reports go to $OUT
# (JSON, and the benches' SVG charts) when OUT is set, else to a temporary folder and then stdout; progress goes to
# stderr. Every stage runs whatever the others' outcome; the exit status is the first failing stage's (124: it ran
# past its limit).
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
checks="$dir/gpu-checks/amphista-gpu-checks"
amphista="$dir/amphista/amphista"
out=${OUT:-$dir/reports}
mkdir -p "$out"

status=0
# stage NAME SECONDS REPORT COMMAND...: runs COMMAND with its stdout in REPORT, stopped after SECONDS.
stage() {
    local name=$1 limit=$2 report=$3 rc=0
    shift 3
    echo "run-on-device.sh: $name (at most $limit s)" >&2
    timeout "$limit" "$@" >"$report" || rc=$?
    if ((rc == 124)); then echo "run-on-device.sh: $name ran past $limit s and was stopped" >&2; fi
    echo "run-on-device.sh: $name exited $rc" >&2
    if ((status == 0)); then status=$rc; fi
}

# T = 1, 4, 16, 64 products on Llama-7B's [11008, 4096] and [32000, 4096] (bf16, f32), each with its time over the
# T = 1 time; one row's attention over 2048 cached slots of 32 heads.
stage timings 90 "$out/gpu-timings.json" "$checks" --device cuda --only timings --json
stage checks 150 "$out/gpu-checks.json" "$checks" --device cuda --only checks --json
# The benches decode on the device (--device cuda) and report each decoder's kernel launches and host reads per step:
# the demo model with its shipped drafters, then random:vicuna-7b (bf16, 13.5 GB of weights per token) with random
# drafters, whose acceptance is near zero: that run measures greedy's share of the roofline and the verification
# cost curve.
stage bench-demo 90 "$out/bench-demo.json" "$amphista" bench --device cuda --drafters greedy,medusa,amphista --repeats 3 \
    --chart "$out/bench-demo.svg" --json
stage bench-vicuna-7b 150 "$out/bench-vicuna-7b.json" "$amphista" bench --device cuda --model random:vicuna-7b \
    --drafters greedy,medusa:random,amphista:random --max-prompts 3 --max-new-tokens 32 --repeats 3 \
    --chart "$out/bench-vicuna-7b.svg" --json

if [[ -z ${OUT:-} ]]; then cat "$out"/*.json; fi
exit "$status"
