#!/usr/bin/env bash
# docs/performance.md, "asyncio echo, 100 clients": the same asyncio echo server
# (asyncio-echo-server.py) on CPython's asyncio and through usocket-micropython, each loaded
# by asyncio-echo-load.py (CPython, 100 connections, one 32-byte message in flight on each).
#   scripts/asyncio-echo-bench.sh [RUNS=3] [CLIENTS=100] [SECONDS=5]
# Server on CPU 1, load on CPU 0 (taskset, when there are two CPUs). One JSON line per run,
# with the server's CPU seconds (user+system, start-up included) from /usr/bin/time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${1:-3}"
clients="${2:-100}"
seconds="${3:-5}"
pin() { if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then taskset -c "$@"; else shift; "$@"; fi; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for run in $(seq "$runs"); do
  for impl in cpython usocket-micropython; do
    if [ "$impl" = cpython ]; then server=(python3 "$here/asyncio-echo-server.py"); else server=(node "$root/bin/usocket-micropython.js" "$here/asyncio-echo-server.py"); fi
    : > "$work/port"
    pin 1 /usr/bin/time -f "%U %S" -o "$work/cpu" "${server[@]}" "$clients" 120 > "$work/port" 2> "$work/err" &
    pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
    result="$(pin 0 python3 "$here/asyncio-echo-load.py" "$(head -1 "$work/port")" "$clients" "$seconds" 1)"
    wait "$pid"
    read -r user sys < "$work/cpu"
    echo "{\"server\": \"$impl\", \"run\": $run, \"server_cpu_s\": $(python3 -c "print(round($user + $sys, 2))"), \"load\": $result}"
  done
done
