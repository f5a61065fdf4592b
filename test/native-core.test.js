// Guarantees of the native core itself: a socket and a pollAsync job are never confused, and a
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
import * as errno from "../dist/errno.js";
import { ROOT } from "./support/peers.js";

// Native review (docs/behaviour.md §5: no input reads or writes out of bounds): a pollAsync job
// (the core's one kind of external) given where a socket's descriptor and generation are
// expected is refused, and so is anything else where the job is expected: close() must never
// take a descriptor number from the wrong place.
test("the core refuses a pollAsync job where a socket is expected, and the reverse", async () => {
  const [a, b] = socket.socketpair();
  const pollfds = new Uint8Array(8);
  new Int32Array(pollfds.buffer)[0] = a.fileno();
  new Int16Array(pollfds.buffer)[2] = select.POLLIN;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  const job = native.pollAsync(pollfds, 1, 10000, (rc) => settle(rc));
  try {
    assert.notEqual(typeof job, "number");
    assert.throws(() => native.close(job, 1), TypeError);
    assert.throws(() => native.close(a.fileno(), job), TypeError);
    assert.throws(() => native.watch(job, a._gen, select.POLLIN, () => {}), TypeError);
    assert.throws(() => native.watchRef(job, a._gen, true), TypeError);
    assert.throws(() => native.close({}, 1), TypeError);
    assert.throws(() => native.pollAsyncAbort(a.fileno()), TypeError);
    // A generation that is not the socket's claim closes nothing.
    assert.equal(native.close(a.fileno(), a._gen + 1), 0);
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

// Native review (docs/behaviour.md §5): every Int32Array the core writes into (describe's
// answer, the watcher's shared slots, getaddrinfo's hints and answers, and the arrays
// registered once per thread for recvfrom's senders and getaddrinfo) is refused when it is
// not an Int32Array of enough elements, before the core writes a thing; the arrays
// registered at load stay in use.
test("the core refuses a short or mistyped Int32Array wherever it writes int32 slots", () => {
  const [a, b] = socket.socketpair();
  const wrong = (n) => [
    new Int32Array(n - 1),
    new Uint32Array(n),
    new Float32Array(n),
    Buffer.alloc(4 * n),
    new DataView(new ArrayBuffer(4 * n)),
    [0, 0, 0, 0],
    4,
    undefined,
  ];
  try {
    for (const bad of wrong(3)) assert.throws(() => native.describe(a.fileno(), bad), TypeError, `describe ${bad}`);
    for (const bad of wrong(3))
      assert.throws(() => native.watch(a.fileno(), a._gen, select.POLLIN, () => {}, bad), TypeError, `watch ${bad}`);
    for (const bad of wrong(4)) {
      assert.throws(() => native.getaddrinfo("127.0.0.1", "80", bad), TypeError, `getaddrinfo ${bad}`);
      assert.throws(() => native.gaiSlots(bad), TypeError, `gaiSlots ${bad}`);
    }
    for (const bad of wrong(2)) assert.throws(() => native.senderSlots(bad), TypeError, `senderSlots ${bad}`);
    // The smallest arrays that qualify work.
    const out = new Int32Array(3);
    assert.equal(native.describe(a.fileno(), out), 0);
    assert.deepEqual([...out], [socket.AF_UNIX, socket.SOCK_STREAM, 0]);
    assert.ok(Array.isArray(native.getaddrinfo("127.0.0.1", "80", new Int32Array(4))), "no room: arrays");
    // Still the arrays registered at load: an IPv4 answer through the slots, a sender too.
    assert.deepEqual(socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM)[0][4], ["127.0.0.1", 80]);
    const [u, v] = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)];
    try {
      u.bind(["127.0.0.1", 0]);
      v.bind(["127.0.0.1", 0]);
      v.sendto("x", u.getsockname());
      assert.deepEqual(u.recvfrom(1), [Buffer.from("x"), v.getsockname()]);
    } finally {
      u.close();
      v.close();
    }
  } finally {
    a.close();
    b.close();
  }
});

// The whole-view calls (sendView, recvView, sendtoView, recvfromView) that the methods' common
// call uses: they take the view's own window (a pooled Buffer is a window on a shared pool)
// and check their arguments as the windowed calls do.
test("the whole-view calls move exactly the view's bytes and refuse bad arguments", () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM);
  try {
    const pool = Buffer.from("0123456789");
    assert.equal(native.sendView(a.fileno(), pool.subarray(3, 6), 0), 3);
    const into = Buffer.alloc(10, 0x2e);
    assert.equal(native.recvView(b.fileno(), into.subarray(2, 4), 0), 2);
    assert.equal(into.toString(), "..34......");
    assert.equal(native.recvView(b.fileno(), new Uint16Array(2), 0), 1); // the one byte left: "5"
    assert.equal(native.sendView(a.fileno(), new DataView(pool.buffer, pool.byteOffset + 8, 2), 0), 2);
    assert.equal(b.recv(10).toString(), "89");
    assert.equal(native.recvView(b.fileno(), Buffer.alloc(4), socket.MSG_DONTWAIT), -errno.EAGAIN);
    for (const call of [native.sendView, native.recvView]) {
      assert.throws(() => call(a.fileno(), "text", 0), TypeError);
      assert.throws(() => call(a.fileno(), {}, 0), TypeError);
      assert.throws(() => call(1.5, Buffer.alloc(1), 0), RangeError);
      assert.throws(() => call(a.fileno(), Buffer.alloc(1), 2 ** 31), RangeError);
      assert.throws(() => call("3", Buffer.alloc(1), 0), TypeError);
    }
  } finally {
    a.close();
    b.close();
  }
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    u.bind(["127.0.0.1", 0]);
    v.bind(["127.0.0.1", 0]);
    const packed = native.packAddress(socket.AF_INET, "127.0.0.1", u.getsockname()[1], 0, 0);
    assert.equal(native.sendtoView(v.fileno(), Buffer.from("xhiy").subarray(1, 3), 0, packed), 2);
    const into = Buffer.alloc(8);
    // An AF_INET sender goes to the registered slots: the result is the byte count alone.
    assert.equal(native.recvfromView(u.fileno(), into.subarray(4), 0), 2);
    assert.equal(into.subarray(4, 6).toString(), "hi");
    assert.throws(() => native.sendtoView(v.fileno(), Buffer.alloc(1), 0, Buffer.alloc(1)), RangeError);
    assert.throws(() => native.sendtoView(v.fileno(), Buffer.alloc(1), 0, "127.0.0.1"), TypeError);
    assert.throws(() => native.recvfromView(u.fileno(), null, 0), TypeError);
  } finally {
    u.close();
    v.close();
  }
});
