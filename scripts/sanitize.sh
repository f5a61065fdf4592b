#!/usr/bin/env bash
# Builds the native core and the TLS addon with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-sanitize/, then runs the whole test suite against it (USOCKET_NATIVE). Node
# itself is not instrumented, so the ASan runtime is preloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-sanitize
rm -rf "$out"
mkdir -p "$out"
# node-gyp builds in ./build; keep the regular build aside and restore it afterwards.
if [ -d build ]; then mv build build.regular; fi
trap 'rm -rf build; if [ -d build.regular ]; then mv build.regular build; fi' EXIT
node "${npm_config_node_gyp:?run through npm run sanitize}" rebuild -- -Dsanitize=1 >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
cp build/Release/usocket.node "$out/usocket.node"
cp build/Release/usocket_tls.node "$out/usocket_tls.node"
asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
export USOCKET_NATIVE="$PWD/$out/usocket.node"
export USOCKET_TLS_NATIVE="$PWD/$out/usocket_tls.node"
export LD_PRELOAD="$asan:$ubsan"
# Node's own allocations are not ours to judge: leaks off; everything else is fatal.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "sanitizer build: $USOCKET_NATIVE"
node --test --test-concurrency=2 test/*.test.js
