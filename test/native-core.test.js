// Guarantees of the native core itself: its two kinds of external are told apart, and a
// Worker torn down with resolver work in flight exits cleanly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { native } from "../dist/native.js";
import { ROOT } from "./support/peers.js";

// Native review (docs/behaviour.md §5: no input reads or writes out of bounds): the core tells its two
// kinds of external apart. A pollAsync job given where a socket handle is expected was read
// as a handle: close() would have closed a descriptor number taken from the job's memory.
test("the core refuses a pollAsync job where a socket handle is expected, and the reverse", async () => {
  const [a, b] = socket.socketpair();
  const pollfds = new Uint8Array(8);
  new Int32Array(pollfds.buffer)[0] = a.fileno();
  new Int16Array(pollfds.buffer)[2] = select.POLLIN;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  const job = native.pollAsync(pollfds, 1, 10000, (rc) => settle(rc));
  try {
    assert.notEqual(typeof job, "number");
    assert.throws(() => native.close(job), TypeError);
    assert.throws(() => native.watch(job, select.POLLIN, () => {}), TypeError);
    assert.throws(() => native.watchRef(job, true), TypeError);
    assert.throws(() => native.close({}), TypeError);
    assert.throws(() => native.pollAsyncAbort(a._handle), TypeError);
    // Nothing was closed or disturbed: the job still sees the data, the sockets still work.
    b.send("x");
    assert.equal(await done, 1);
    assert.equal(a.recv(1).toString(), "x");
  } finally {
    a.close();
    b.close();
  }
});

// Native review: a Worker torn down while getaddrinfoAsync calls are on the thread pool
// exits cleanly (the calls complete into an environment that is going away).
test("Workers terminated with getaddrinfoAsync calls in flight exit cleanly", async () => {
  const code = `
    const { parentPort } = await import("node:worker_threads");
    const socket = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist", "index.js")).href)});
    for (let i = 0; i < 100; i++) socket.getaddrinfoAsync(i % 2 ? "localhost" : "127.0.0.1", 80).catch(() => {});
    parentPort.postMessage("resolving");`;
  for (let round = 0; round < 10; round++) {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
    const exited = once(worker, "exit"); // rejects on an "error" event
    const [message] = await once(worker, "message");
    assert.equal(message, "resolving");
    await worker.terminate();
    // 1 when terminated, 0 when every answer came first and it ended by itself.
    const [status] = await exited;
    assert.ok(status === 0 || status === 1, `exit status ${status}`);
  }
  // This thread's resolver still answers.
  assert.deepEqual((await socket.getaddrinfoAsync("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM))[0][4], [
    "127.0.0.1",
    80,
  ]);
});
