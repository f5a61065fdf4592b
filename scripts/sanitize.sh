#!/usr/bin/env bash
# Builds every native addon (the core and TLS) with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-sanitize/, then runs the whole test suite against them (USOCKET_NATIVE_DIR, read by
# src/addon.ts). Node itself is not instrumented, so the ASan runtime is preloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-sanitize
rm -rf "$out"
mkdir -p "$out"
# node-gyp builds in ./build; keep the regular build aside while the sanitizer one is made,
# and put it back before the tests run (the packaging test packs build/Release).
if [ -d build ]; then mv build build.regular; fi
restore() { rm -rf build; if [ -d build.regular ]; then mv build.regular build; fi; }
trap restore EXIT
node "${npm_config_node_gyp:?run through npm run sanitize}" rebuild -- -Dsanitize=1 >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
cp build/Release/*.node "$out/"
restore
trap - EXIT
asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
export USOCKET_NATIVE_DIR="$PWD/$out"
export LD_PRELOAD="$asan:$ubsan"
# Node's own allocations are not ours to judge: leaks off; everything else is fatal.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "sanitizer build: $(ls "$out"/*.node)"
node --test --test-concurrency=2 test/*.test.js
