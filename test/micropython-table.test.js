// The port's function table read from a copy (src/micropython/table.ts): only the port's own
// table gets it, it answers exactly what the table holds (after set and grow too), and
// WebAssembly.instantiate is the original again once every load has ended.
import { test } from "node:test";
import assert from "node:assert/strict";

/** A module with two functions in a table of two; `name` is its function's export name. */
function module(name) {
  const text = (s) => [s.length, ...Buffer.from(s)];
  const section = (id, bytes) => [id, bytes.length, ...bytes];
  const exports = [2, ...text(name), 0, 0, ...text("__indirect_function_table"), 1, 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]), // one type: () -> ()
    ...section(3, [2, 0, 0]), // two functions of it
    ...section(4, [1, 0x70, 0, 2]), // a funcref table of 2
    ...section(7, exports),
    ...section(9, [1, 0, 0x41, 0, 0x0b, 2, 0, 1]), // table[0..1] = functions 0, 1
    ...section(10, [2, 2, 0, 0x0b, 2, 0, 0x0b]),
  ]);
}

test("only the port's table reads from a copy, which follows set and grow; instantiate is restored", async () => {
  const { withTableCopy } = await import("../dist/micropython/table.js");
  const original = WebAssembly.instantiate;
  const [port, other] = await withTableCopy(() =>
    Promise.all([WebAssembly.instantiate(module("mp_js_init")), WebAssembly.instantiate(module("something_else"))]),
  );
  assert.equal(WebAssembly.instantiate, original);
  const table = port.instance.exports.__indirect_function_table;
  const plain = other.instance.exports.__indirect_function_table;
  assert.ok(Object.hasOwn(table, "get"));
  assert.ok(!Object.hasOwn(plain, "get"));
  const proto = WebAssembly.Table.prototype;
  const f0 = table.get(0);
  assert.equal(typeof f0, "function");
  assert.equal(f0, proto.get.call(table, 0));
  assert.equal(table.get(0), f0);
  const f1 = table.get(1);
  table.set(0, f1);
  assert.equal(table.get(0), f1);
  table.set(1, null);
  assert.equal(table.get(1), null);
  assert.equal(table.grow(1), 2);
  assert.equal(table.length, 3);
  assert.equal(table.get(2), null);
  table.set(2, f0);
  assert.equal(table.get(2), f0);
  // out of range and odd indices: the table's own errors and conversions
  assert.throws(() => table.get(3), RangeError);
  assert.throws(() => proto.get.call(table, 3), RangeError);
  assert.equal(table.get("2"), f0);
  assert.throws(() => table.get(-1), TypeError);
});

test("nested and failing loads leave WebAssembly.instantiate as it was; the port loads and runs", async () => {
  const { withTableCopy } = await import("../dist/micropython/table.js");
  const original = WebAssembly.instantiate;
  await assert.rejects(
    withTableCopy(() => withTableCopy(() => WebAssembly.instantiate(new Uint8Array([0, 1, 2])))),
    WebAssembly.CompileError,
  );
  assert.equal(WebAssembly.instantiate, original);
  // the port itself (one instance: the port keeps its state in globals, so a second one in
  // the same process would take over the first one's)
  const { loadMicroPython } = await import("../dist/micropython/index.js");
  const printed = [];
  const mp = await loadMicroPython({ stdout: (line) => printed.push(line) });
  assert.equal(WebAssembly.instantiate, original);
  mp.runPython("print(sum(range(10)))");
  assert.deepEqual(printed, ["45"]);
});
