// What select and Poll hand to poll(2) and how they treat descriptors that are closed or
// were never open: one poll(2) with the rounded timeout, never a closed socket's number,
// EBADF from select(), POLLNVAL from poll() (also for a pollAsync already waiting), and a
// Poll dropped while its pollAsync waits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { native } from "../dist/native.js";
import { assertSame } from "./support/identity.js";
import { watchdog } from "./support/blocking.js";
import { runNode } from "./support/node-child.js";

// docs/behaviour.md §10: select() with a closed socket in any list raises EBADF — at once, even with no
// timeout (a closed socket must not make select wait for ever).
test("select() with a closed socket in rlist, wlist or xlist raises EBADF without waiting", () => {
  const dog = watchdog(30);
  const [a, b] = socket.socketpair();
  const closed = socket.socket();
  closed.close();
  try {
    for (const lists of [
      [[a, closed], [], []],
      [[], [closed], []],
      [[], [], [b, closed]],
    ]) {
      assert.throws(() => select.select(...lists), { name: "OSError", code: "EBADF" });
      assert.throws(() => select.select(...lists, null), { name: "OSError", code: "EBADF" });
    }
    // An object whose fileno() is -1 counts as closed too.
    assert.throws(() => select.select([{ fileno: () => -1 }], [], []), { name: "OSError", code: "EBADF" });
  } finally {
    a.close();
    b.close();
    dog.terminate();
  }
});

/** Calls of the core's poll(2) made while `fn` runs: [descriptors, timeout] of each. */
function pollCalls(fn) {
  const calls = [];
  const original = native.poll;
  native.poll = (pollfds, count, timeoutMs) => {
    const fds = new Int32Array(pollfds.buffer, pollfds.byteOffset, count * 2).filter((_, i) => i % 2 === 0);
    calls.push([[...fds], timeoutMs]);
    return original(pollfds, count, timeoutMs === -1 ? 0 : timeoutMs); // never wait here
  };
  try {
    fn();
  } finally {
    native.poll = original;
  }
  return calls;
}

// docs/behaviour.md §6, §10: each Poll.poll is one poll(2) over every registered descriptor; a
// fractional timeout_ms is rounded up; null/negative = forever; kept-back bytes make the
// call's timeout 0; a closed socket's old number is never passed to poll(2).
test("Poll.poll makes one poll(2) with the rounded timeout, never passing a closed socket's number", () => {
  const [a, b] = socket.socketpair();
  const [c, d] = socket.socketpair();
  const p = select.poll();
  try {
    p.register(a, select.POLLIN);
    p.register(c, select.POLLIN);
    const cases = [
      [0.2, 1],
      [299.01, 300],
      [5, 5],
      [0, 0],
      [null, -1],
      [-0.5, -1],
      [undefined, -1],
    ];
    for (const [given, expected] of cases) {
      const calls = pollCalls(() => p.poll(given));
      assert.deepEqual(calls, [[[a.fileno(), c.fileno()], expected]], `poll(${given})`);
    }
    assert.deepEqual(
      pollCalls(() => select.select([a], [], [], 0.0001)),
      [[[a.fileno()], 1]],
    );
    assert.deepEqual(
      pollCalls(() => select.select([a], [], [])),
      [[[a.fileno()], -1]],
    );
    // Kept-back bytes (a readinto that timed out part-way): poll(2) with timeout 0.
    b.sendall("ab");
    a.settimeout(0.05);
    assert.throws(() => a.readinto(new Uint8Array(4)), { code: "ETIMEDOUT" });
    let result;
    assert.deepEqual(
      pollCalls(() => (result = p.poll(-1))),
      [[[a.fileno(), c.fileno()], 0]],
    );
    assertSame(result, [[a, select.POLLIN]]);
    assert.equal(a.recv(10).toString(), "ab");
    // Closed: its slot is -1, the old number does not reach poll(2), and POLLNVAL is reported.
    const old = c.fileno();
    c.close();
    const calls = pollCalls(() => (result = p.poll(-1)));
    assert.equal(calls.length, 1);
    assert.ok(!calls[0][0].includes(old), `the closed socket's number ${old} was polled`);
    assert.equal(calls[0][1], 0, "a closed registered socket is ready: poll(2) must not wait");
    assertSame(result, [[c, select.POLLNVAL]]);
  } finally {
    for (const s of [a, b, c, d]) s.close();
  }
});

// docs/behaviour.md §10: "select(): a closed socket in any list raises OSError(EBADF)" — also a closed
// descriptor given as a number or through fileno() (CPython's select does the same), rather
// than "nothing ready" at once whatever the timeout. poll() reports it POLLNVAL instead.
test("select() with a descriptor number that is not open raises EBADF; poll() reports POLLNVAL", () => {
  const open = new Set(readdirSync("/proc/self/fd").map(Number));
  let fd = 4093;
  while (open.has(fd)) fd++;
  const [a, b] = socket.socketpair();
  try {
    for (const lists of [
      [[fd], [], []],
      [[a], [{ fileno: () => fd }], []],
      [[], [], [fd]],
    ]) {
      assert.throws(() => select.select(...lists), { name: "OSError", code: "EBADF" });
    }
    const p = select.poll();
    p.register(fd, select.POLLIN);
    assertSame(p.poll(), [[fd, select.POLLNVAL]]);
    // Open descriptors given as numbers are polled as usual.
    b.send("x");
    assertSame(select.select([a.fileno()], [], [], 2), [[a.fileno()], [], []]);
  } finally {
    a.close();
    b.close();
  }
});

// docs/behaviour.md §10: "A closed registered socket is ready with POLLNVAL (so every poll returns at
// once)" — also for a pollAsync already waiting when the socket is closed. Its thread's
// poll(2) held the socket open: the peer saw no EOF until the wait ended (never, with -1).
test("closing a socket that a pending pollAsync waits on closes it and resolves POLLNVAL at once", async () => {
  const dog = watchdog(30);
  const [a, b] = socket.socketpair();
  const [c, d] = socket.socketpair();
  const p = select.poll();
  p.register(a, select.POLLIN);
  p.register(c, select.POLLIN);
  try {
    const pending = p.pollAsync(-1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the thread is in poll(2) now
    a.close();
    const settled = await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 5000, "still waiting"))]);
    assert.notEqual(settled, "still waiting", "pollAsync did not wake when a polled socket was closed");
    assertSame(settled, [[a, select.POLLNVAL]]);
    b.settimeout(3);
    assert.equal(b.recv(10).length, 0, "the peer sees EOF: the socket is really closed");
    // The other socket's wake-up hook went with the call.
    c.close();
    assert.equal(c._onClose?.size ?? 0, 0);
  } finally {
    for (const s of [a, b, c, d]) s.close();
    dog.terminate();
  }
});

// Native review: a Poll (and its sockets) dropped by the program while a pollAsync is
// pending is neither collected under the waiting thread nor lost: the call still resolves.
test("a Poll forgotten while its pollAsync is pending survives GC and the call resolves", async () => {
  const { code, stdout, stderr } = await runNode(
    `
    const socket = await import(process.env.USOCKET);
    const select = await import(process.env.USOCKET.replace(/index\\.js$/, "select.js"));
    const [a, b] = socket.socketpair();
    let p = select.poll();
    p.register(a, select.POLLIN);
    const pending = p.pollAsync(10000);
    p = null;
    for (let i = 0; i < 5; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    b.send("x");
    const result = await pending;
    console.log(JSON.stringify([result.length, result[0][0] === a, result[0][1]]));
    a.close();
    b.close();`,
    { execArgv: ["--expose-gc"], limitMs: 20000 },
  );
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout.trim()), [1, true, select.POLLIN]);
});
