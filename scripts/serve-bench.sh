#!/usr/bin/env bash
# Requests per second and latency percentiles of `amphista serve` under concurrent clients, measured from outside
# with hey, a real HTTP load generator (Debian: apt-get install hey). Serves the demo model twice on free loopback
# ports, once decoding greedily and once with its shipped Amphista drafter, and runs hey against them in turn,
# ROUNDS times, each run REQUESTS completions (rounded down to a multiple of CLIENTS) from CLIENTS concurrent clients: the same prompt, MAX_TOKENS tokens
# past end-of-sequence (ignore_eos), so every request does the same work. Prints each run and the medians.
# Usage, after dotnet build Amphista.sln -c Release: bash scripts/serve-bench.sh [REQUESTS] [CLIENTS] [MAX_TOKENS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-192} clients=${2:-16} max_tokens=${3:-64} rounds=${4:-3}
requests=$(( requests / clients * clients ))   # hey sends REQUESTS / CLIENTS from each client
amphista=Amphista.Cli/bin/Release/net10.0/amphista
command -v hey >/dev/null || { echo "serve-bench: hey is not installed (apt-get install hey)" >&2; exit 1; }
[ -x "$amphista" ] || { echo "serve-bench: build first: dotnet build Amphista.sln -c Release" >&2; exit 1; }

work=$(mktemp -d)
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; rm -rf "$work"' EXIT
body="{\"model\":\"kjv-brown-14m\",\"prompt\":\"And God said\",\"max_tokens\":$max_tokens,\"ignore_eos\":true}"

# Starts a server with these flags, logging to $work/NAME, and waits until it prints its address.
serve() {
    local name=$1
    shift
    "$amphista" serve --port 0 "$@" > "$work/$name" 2> "$work/$name.err" &
    pids+=($!)
    until [ -s "$work/$name" ]; do
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/$name.err" >&2; exit 1; }
        sleep 0.1
    done
    url[$name]=$(sed 's/.* at //; s#/$##' "$work/$name")
}
declare -A url
serve greedy --drafter greedy
serve amphista

echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $requests requests, $clients clients, $max_tokens tokens each"
for decoder in greedy amphista; do   # warm-up: JIT and caches
    hey -n 20 -c 4 -m POST -T application/json -d "$body" "${url[$decoder]}/v1/completions" > /dev/null
done
for round in $(seq "$rounds"); do
    for decoder in greedy amphista; do
        hey -n "$requests" -c "$clients" -m POST -T application/json -d "$body" "${url[$decoder]}/v1/completions" > "$work/hey"
        grep -q "\[200\]	$requests responses" "$work/hey" || { echo "serve-bench: not every request succeeded:" >&2; cat "$work/hey" >&2; exit 1; }
        awk -v d="$decoder" -v r="$round" '
            /Requests\/sec/ { rps = $2 }
            /% in / { p[$1] = $3 * 1000 }
            END { printf "%s round %d: %.1f requests/s, latency p50 %.0f ms, p90 %.0f ms, p99 %.0f ms\n", d, r, rps, p["50%"], p["90%"], p["99%"] }
        ' "$work/hey" | tee -a "$work/runs"
    done
done
for decoder in greedy amphista; do   # medians over the rounds
    grep "^$decoder " "$work/runs" | awk -v d="$decoder" '
        { rps[NR] = $4; p50[NR] = $8; p90[NR] = $11; p99[NR] = $14 }
        function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        END { printf "%s median of %d: %.1f requests/s, p50 %.0f ms, p90 %.0f ms, p99 %.0f ms\n", d, NR, median(rps, NR), median(p50, NR), median(p90, NR), median(p99, NR) }'
done
