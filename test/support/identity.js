// Comparing results that hold sockets. assert.deepEqual cannot tell two sockets of the same
// kind apart (their state is in private fields), so [[a, POLLIN]] would equal [[b, POLLIN]]:
// results keyed by the object passed (docs/behaviour.md §10) are compared by identity here.
import assert from "node:assert/strict";

/** Arrays element by element (recursively); anything else with Object.is. */
export function assertSame(actual, expected, where = "result") {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${String(actual)}`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    for (let i = 0; i < expected.length; i++) assertSame(actual[i], expected[i], `${where}[${i}]`);
    return;
  }
  assert.equal(actual, expected, `${where}: not the same value or object`);
}
