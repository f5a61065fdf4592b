// Assertions shared by the suites: an OSError with a given errno, a timeout within bounds.
import assert from "node:assert/strict";
import * as socket from "../../dist/index.js";

/** Runs fn, expecting an OSError with `errno`; returns [error, seconds]. */
export function expectOSError(fn, errno) {
  const start = performance.now();
  let error = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const seconds = (performance.now() - start) / 1000;
  assert.ok(error !== null, "expected an OSError, but the call returned");
  assert.ok(error instanceof socket.OSError, `expected an OSError, got ${error}`);
  assert.equal(error.errno, errno, `expected errno ${errno}, got ${error.errno} (${error.code}): ${error.message}`);
  assert.equal(error.args[0], errno);
  return [error, seconds];
}

/** docs/behaviour.md §10: a 0.3 s timeout fires in 0.25-3 s. */
export function assertTimeoutBounds(seconds, low = 0.25, high = 3) {
  assert.ok(
    seconds >= low && seconds <= high,
    `the timeout fired after ${seconds.toFixed(3)} s, not within ${low}-${high} s`,
  );
}
