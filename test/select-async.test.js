// Poll.pollAsync: the same results as poll() without blocking the event loop; abort,
// timeout, keeping the process alive, Worker threads and process.exit while pending.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { DIST, openDescriptors, openedSince, startPeer, tcpPair } from "./support/peers.js";
import { assertSame } from "./support/identity.js";

const { POLLIN, POLLOUT, POLLNVAL } = select;
const SELECT_URL = pathToFileURL(path.join(DIST, "select.js")).href;
const INDEX_URL = pathToFileURL(path.join(DIST, "index.js")).href;

/** Counts event-loop turns (a 10 ms interval) while `promise` is pending. */
async function ticksDuring(promise) {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  try {
    return [await promise, ticks];
  } finally {
    clearInterval(timer);
  }
}

test("pollAsync resolves when data sent later arrives, and the event loop keeps ticking", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  // When the data went is read in the timer: a timer counts from the loop's cached time,
  // which may be behind the clock after the synchronous setup (a loaded machine saw the
  // call resolve 0.244 s after it was made, for a 0.3 s timer).
  let sentAt = Infinity;
  setTimeout(() => {
    sentAt = performance.now();
    a.send("late");
  }, 300);
  const start = performance.now();
  const [result, ticks] = await ticksDuring(p.pollAsync());
  const resolvedAt = performance.now();
  const seconds = (resolvedAt - start) / 1000;
  assertSame(result, [[b, POLLIN]]);
  assert.equal(result[0][0], b);
  assert.ok(resolvedAt >= sentAt, "resolved before the data was sent");
  assert.ok(seconds >= 0.1 && seconds <= 3, `${seconds}`);
  assert.ok(ticks >= 5, `only ${ticks} ticks while waiting`);
  assert.equal(b.recv(10).toString(), "late");
  a.close();
  b.close();
});

test("pollAsync times out with [] (0.3 s within 0.25–3 s); 0 resolves at once", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  let start = performance.now();
  assertSame(await p.pollAsync(300), []);
  const seconds = (performance.now() - start) / 1000;
  assert.ok(seconds >= 0.25 && seconds <= 3, `${seconds}`);
  start = performance.now();
  assertSame(await p.pollAsync(0), []);
  assert.ok(performance.now() - start < 200);
  a.close();
  b.close();
});

test("pollAsync resolves at once when something is ready already, with poll()'s rules", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  p.register(a, POLLOUT);
  assertSame(await p.pollAsync(), [[a, POLLOUT]]);
  a.close(); // a: POLLNVAL from now on; b sees the FIN
  const result = await p.pollAsync();
  assertSame(result.at(-1), [a, POLLNVAL]); // registration order: b, then a
  assert.ok(result.slice(0, -1).every(([o, r]) => o === b && (r & POLLIN) !== 0));
  b.close();
});

test("pollAsync: abort rejects with the signal's reason, promptly", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  const controller = new AbortController();
  const reason = new Error("stop waiting");
  setTimeout(() => controller.abort(reason), 200);
  const start = performance.now();
  await assert.rejects(p.pollAsync(-1, { signal: controller.signal }), (error) => error === reason);
  assert.ok(performance.now() - start < 3000);
  // The poller still works afterwards, synchronously and in the background.
  a.send("x");
  assertSame(await p.pollAsync(2000), [[b, POLLIN]]);
  a.close();
  b.close();
});

test("pollAsync: an already-aborted signal rejects before any work, even when ready", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(a, POLLOUT);
  const signal = AbortSignal.abort();
  await assert.rejects(p.pollAsync(-1, { signal }), { name: "AbortError" });
  await assert.rejects(p.pollAsync(-1, { signal: "no" }), TypeError);
  await assert.rejects(p.pollAsync("1"), TypeError);
  await assert.rejects(p.pollAsync(NaN), RangeError);
  a.close();
  b.close();
});

test("several pollAsync calls on one Poll proceed independently", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  const controller = new AbortController();
  const aborted = p.pollAsync(-1, { signal: controller.signal });
  const waiting = p.pollAsync(5000);
  const short = p.pollAsync(100);
  assertSame(await short, []);
  controller.abort();
  await assert.rejects(aborted, { name: "AbortError" });
  a.send("x");
  assertSame(await waiting, [[b, POLLIN]]);
  a.close();
  b.close();
});

test("a pending pollAsync keeps the process alive; an idle Poll does not", async () => {
  const code = `
    const select = await import(${JSON.stringify(SELECT_URL)});
    const socket = await import(${JSON.stringify(INDEX_URL)});
    const [a, b] = socket.socketpair();
    const idle = select.poll();
    idle.register(a, select.POLLIN);
    const p = select.poll();
    p.register(b, select.POLLIN);
    console.log("ready");
    const start = performance.now();
    const result = await p.pollAsync(400);
    console.log("resolved", JSON.stringify(result), Math.round(performance.now() - start));
  `;
  const peer = startPeer("node", code, { limitMs: 10000 });
  assert.equal(await peer.ready, "ready");
  const { code: exitCode, stdout } = await peer.done;
  assert.equal(exitCode, 0);
  const match = /resolved \[\] (\d+)/.exec(stdout);
  assert.ok(match, stdout);
  assert.ok(Number(match[1]) >= 250, stdout);
});

test("process.exit() while a pollAsync waits for ever exits at once", async () => {
  const code = `
    const select = await import(${JSON.stringify(SELECT_URL)});
    const socket = await import(${JSON.stringify(INDEX_URL)});
    const [a, b] = socket.socketpair();
    const p = select.poll();
    p.register(b, select.POLLIN);
    p.pollAsync();
    p.pollAsync();
    console.log("ready");
    setTimeout(() => process.exit(7), 100);
  `;
  const start = performance.now();
  const peer = startPeer("node", code, { limitMs: 10000 });
  assert.equal(await peer.ready, "ready");
  const { code: exitCode } = await peer.done;
  assert.equal(exitCode, 7);
  assert.ok(performance.now() - start < 8000);
});

for (const how of ["process.exit() in the worker", "worker.terminate()"]) {
  test(`a Worker with pending pollAsync calls exits cleanly: ${how}`, async () => {
    const code = `
      import * as select from ${JSON.stringify(SELECT_URL)};
      import * as socket from ${JSON.stringify(INDEX_URL)};
      import { parentPort, workerData } from "node:worker_threads";
      const [a, b] = socket.socketpair();
      // Held, so that no collection closes a (b would then see EOF and the polls resolve).
      globalThis.peer = a;
      const p = select.poll();
      p.register(b, select.POLLIN);
      p.pollAsync().then(() => parentPort.postMessage("resolved"));
      p.pollAsync(60000).then(() => parentPort.postMessage("resolved"));
      parentPort.postMessage("pending");
      if (workerData === "exit") setTimeout(() => process.exit(3), 50);
    `;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
      workerData: how.startsWith("process") ? "exit" : "terminate",
    });
    const messages = [];
    worker.on("message", (m) => {
      messages.push(m);
      if (m === "pending" && how.startsWith("worker")) worker.terminate();
    });
    const start = performance.now();
    const timer = setTimeout(() => assert.fail("the worker did not exit"), 10000);
    const [exitCode] = await once(worker, "exit");
    clearTimeout(timer);
    assertSame(messages, ["pending"]);
    assert.equal(exitCode, how.startsWith("process") ? 3 : 1);
    assert.ok(performance.now() - start < 8000);
    // This thread's own pollAsync still works afterwards.
    const [a, b] = tcpPair();
    const p = select.poll();
    p.register(b, POLLIN);
    setTimeout(() => a.send("x"), 50);
    assertSame(await p.pollAsync(5000), [[b, POLLIN]]);
    a.close();
    b.close();
  });
}

test("a Worker whose pollAsync resolves on its own finishes normally", async () => {
  const code = `
    import * as select from ${JSON.stringify(SELECT_URL)};
    import * as socket from ${JSON.stringify(INDEX_URL)};
    import { parentPort } from "node:worker_threads";
    const [a, b] = socket.socketpair();
    const p = select.poll();
    p.register(b, select.POLLIN);
    setTimeout(() => a.send("x"), 50);
    const result = await p.pollAsync(5000);
    parentPort.postMessage(result.map(([o, r]) => [o === b, r]));
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  // Listen for both at once: the worker may exit in the same turn as its message arrives.
  const exited = once(worker, "exit");
  const [message] = await once(worker, "message");
  assertSame(message, [[true, POLLIN]]);
  const [exitCode] = await exited;
  assert.equal(exitCode, 0);
});

test("pollAsync with registrations changed while it waits reports only what is still registered", async () => {
  const [a, b] = tcpPair();
  const [c, d] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  p.register(d, POLLIN);
  const pending = p.pollAsync(5000);
  p.unregister(b);
  setTimeout(() => {
    a.send("x");
    c.send("y");
  }, 50);
  const result = await pending;
  assert.ok(
    result.every(([o]) => o === d),
    JSON.stringify(result.map(([o, r]) => [o.fileno(), r])),
  );
  for (const s of [a, b, c, d]) s.close();
  void socket;
});

test("a socket closed while pollAsync waits is reported POLLNVAL when it resolves", async () => {
  const [a, b] = tcpPair();
  const [c, d] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  p.register(d, POLLIN);
  const pending = p.pollAsync(5000);
  b.close(); // Linux wakes the waiting poll(2) here already; elsewhere d's data does
  c.send("y");
  const result = await pending;
  assertSame(result[0], [b, POLLNVAL]);
  assert.ok(result.slice(1).every(([o, r]) => o === d && r === POLLIN));
  for (const s of [a, c, d]) s.close();
});

test("finished, timed-out and aborted pollAsync calls leave no descriptor behind", async () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  // Compared as sets of what the descriptors name, not counted: other parts of this process
  // (an earlier test's forgotten socket closed at collection, a Worker's loop) may close
  // descriptors meanwhile, and a count would let such a close hide a leak here.
  const before = openDescriptors();
  for (let round = 0; round < 20; round++) {
    const controller = new AbortController();
    const calls = [p.pollAsync(1), p.pollAsync(5), p.pollAsync(-1, { signal: controller.signal })];
    controller.abort();
    const settled = await Promise.allSettled(calls);
    assertSame(
      settled.map((s) => s.status),
      ["fulfilled", "fulfilled", "rejected"],
    );
  }
  // An aborted call's thread and pipe go away once the thread has seen the wake-up.
  for (let i = 0; i < 100 && openedSince(before).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(openedSince(before), []);
  a.close();
  b.close();
});
