#!/usr/bin/env bash
# npm run test:stress (not in CI; minutes): loads and races beyond what the suite runs.
# Prints one JSON line per run (time, peak RSS, descriptor counts); fails on a wrong
# checksum, a leaked descriptor, or a memory error valgrind reports in the core.
set -euo pipefail
cd "$(dirname "$0")/.."
# 5,000 connections are 10,000 descriptors in one process.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for n in 1000 5000; do
  for mode in poll promise pollasync; do node test/stress/connections.js "$n" "$mode"; done
done
# Forgotten sockets must be recovered below a low limit.
(ulimit -n 1024 && node test/stress/descriptors.js)
node test/stress/signals.js
node test/stress/workers.js
if command -v valgrind >/dev/null; then
  # Node itself is not valgrind-clean; only errors with a frame in the core count.
  log=$(mktemp)
  valgrind --error-limit=no --num-callers=30 node test/stress/connections.js 200 poll >/dev/null 2>"$log" || true
  if grep -B2 -A30 "^==[0-9]*== \(Invalid\|Conditional\|Syscall param\|Use of uninit\)" "$log" | grep -q "usocket.node"; then
    echo "valgrind: memory errors in the core:"; cat "$log"; exit 1
  fi
  echo "{\"valgrind\":\"no error in usocket.node\",\"summary\":\"$(grep 'ERROR SUMMARY' "$log" | sed 's/==[0-9]*== //')\"}"
  rm -f "$log"
else
  echo '{"valgrind":"not installed (apt-get install valgrind); the sanitizer build runs in CI: npm run sanitize"}'
fi
