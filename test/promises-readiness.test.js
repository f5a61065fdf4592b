// How a Promise twin meets readiness: a call that can finish at once does so without the
// event loop and returns what was there; a call that waits is served when the socket is
// ready, whether its wait began inside the watcher's own callback (a ping-pong) or
// elsewhere; the watcher keeps the process alive exactly while a call waits; and a
// waiting recvAsync holds no receive buffer.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { native } from "../dist/native.js";
import { tcpPair } from "./support/peers.js";
import { watchdog } from "./support/blocking.js";
import { connectedChild } from "./support/connected-child.js";
import { runNode } from "./support/node-child.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// docs/architecture.md ("A call whose queue is empty tries at once"): bytes already
// there come back from the first attempt, and so do bytes that arrive after a wait,
// including when the next call starts with bytes already queued.
test("recvAsync returns bytes already there, and bytes that came while it waited", async () => {
  const dog = watchdog(30);
  const [a, b] = tcpPair();
  try {
    a.sendall("ready");
    await sleep(20);
    assert.equal((await b.recvAsync(16)).toString(), "ready");
    // Nothing there: the call waits on the watcher, then takes what came.
    const pending = b.recvAsync(16);
    await sleep(20);
    a.sendall("later");
    assert.equal((await pending).toString(), "later");
    // Right after a wait, with bytes queued before the call: the same bytes, in order.
    a.sendall("queued");
    await sleep(20);
    assert.equal((await b.recvAsync(3)).toString(), "que");
    assert.equal((await b.recvAsync(16)).toString(), "ued");
    // MSG_PEEK on the ready-now path leaves the bytes; a 0-byte recv is empty at once.
    a.sendall("peek");
    await sleep(20);
    assert.equal((await b.recvAsync(16, socket.MSG_PEEK)).toString(), "peek");
    assert.equal((await b.recvAsync(0)).length, 0);
    assert.equal((await b.recvAsync(16)).toString(), "peek");
    // The peer's end of stream after a wait is an empty Buffer.
    const eof = b.recvAsync(16);
    await sleep(20);
    a.shutdown(socket.SHUT_WR);
    assert.equal((await eof).length, 0);
  } finally {
    a.close();
    b.close();
    dog.terminate();
  }
});

test("sendAsync that has to wait for room sends once there is room, in order with later calls", async () => {
  const dog = watchdog(30);
  const [a, b] = tcpPair();
  try {
    // Fill the send side until a non-blocking send meets EAGAIN.
    a.setblocking(false);
    const chunk = Buffer.alloc(65536, 0x61);
    let sent = 0;
    for (let i = 0; i < 10000; i++) {
      try {
        sent += a.send(chunk);
      } catch (error) {
        assert.equal(error.code, "EAGAIN");
        break;
      }
    }
    a.setblocking(true);
    let first = null;
    let second = null;
    const waiting = a.sendAsync(chunk).then((n) => (first = n));
    const later = a.sendAsync("z").then((n) => (second = n));
    await sleep(20);
    assert.equal(first, null, "a full send buffer did not make sendAsync wait");
    let received = 0;
    let last = 0;
    const deadline = performance.now() + 20000;
    while ((second === null || received < sent + first + second) && performance.now() < deadline) {
      const data = await b.recvAsync(65536);
      received += data.length;
      last = data[data.length - 1];
    }
    await Promise.all([waiting, later]);
    assert.ok(first > 0);
    assert.equal(second, 1);
    assert.equal(received, sent + first + second);
    assert.equal(last, 0x7a, "the later call's byte came last");
  } finally {
    a.close();
    b.close();
    dog.terminate();
  }
});

// docs/behaviour.md §7: a pending call keeps the process alive and an idle socket does not.
// Here every recvAsync waits (the peer answers 30 ms later) and every wait after the first
// begins inside the watcher's callback, where the reference is a write to a shared slot
// applied when the callback returns: the child must stay alive through all of them, then
// exit by itself with the socket left open and idle (its watcher armed, unreferenced).
test("a ping-pong whose every recvAsync waits keeps the process alive; the idle socket then lets it exit", async () => {
  const dog = watchdog(60);
  const { conn, peer } = await connectedChild(`
    for (let i = 0; i < 20; i++) {
      await s.sendAsync(Buffer.from([i]));
      const r = await s.recvAsync(1);
      if (r[0] !== i) throw new Error("mismatch at " + i);
    }
    console.log("done");`);
  try {
    for (let i = 0; i < 20; i++) {
      const byte = await conn.recvAsync(1);
      await sleep(30);
      assert.equal(peer.child.exitCode, null, `exited while round trip ${i} was waiting`);
      conn.sendall(byte);
    }
    const { code: status, stdout, stderr } = await peer.done;
    assert.equal(status, 0, stderr);
    assert.match(stdout, /connected\ndone\n/);
  } finally {
    conn.close();
    dog.terminate();
  }
});

// A wait that began inside the callback and ends elsewhere (its timer): the reference is
// then dropped by a call into the core, so the process can exit.
test("a recvAsync begun inside the watcher's callback that times out lets the process exit", async () => {
  const dog = watchdog(60);
  const { conn, peer } = await connectedChild(`
    await s.recvAsync(1);
    s.settimeout(0.2);
    try {
      await s.recvAsync(1);
      console.log("unexpected data");
    } catch (error) {
      console.log("timed out " + error.code);
    }`);
  try {
    await sleep(30);
    conn.sendall("x");
    const { code: status, stdout, stderr } = await peer.done;
    assert.equal(status, 0, stderr);
    assert.match(stdout, /connected\ntimed out ETIMEDOUT\n/);
  } finally {
    conn.close();
    dog.terminate();
  }
});

// The watcher holds its callback (and so the socket) strongly only while a call waits: a
// socket whose last waits began and ended inside the watcher's callback is idle after
// them, and a forgotten one is collected and its descriptor closed.
test("a socket forgotten after waits begun inside its watcher's callback is collected and closed", async () => {
  const code = `
    const { readdirSync } = await import("node:fs");
    (await import("node:v8")).setFlagsFromString("--expose-gc");
    const gc = (await import("node:vm")).runInNewContext("gc");
    const socket = await import(process.env.USOCKET);
    const count = () => readdirSync("/proc/self/fd").length;
    const before = count();
    async function useAndForget() {
      const [a, b] = socket.socketpair();
      const first = b.recvAsync(1);
      setTimeout(() => a.send("x"), 1);
      await first;
      // This continuation runs inside b's callback: the next wait begins there.
      const second = b.recvAsync(1);
      setTimeout(() => a.send("y"), 1);
      await second;
    }
    for (let i = 0; i < 20; i++) await useAndForget();
    const opened = count() - before;
    for (let i = 0; i < 10 && count() > before; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
    console.log(opened + " " + (count() - before));`;
  const { code: status, stdout, stderr } = await runNode(code);
  assert.equal(status, 0, stderr);
  const [opened, left] = stdout.trim().split(" ").map(Number);
  assert.equal(opened, 40, stdout);
  assert.equal(left, 0, "descriptors of forgotten sockets stayed open");
});

// docs/behaviour.md §5 (bad input is a TypeError, never a crash): the core checks the slots
// it is to share with the driver before it keeps a pointer into them.
test("the core refuses reference slots that are not an Int32Array of three", async () => {
  const [a, b] = socket.socketpair();
  try {
    const slots = [undefined, null, 3, [0, 0, 0], new Uint32Array(3), new Int32Array(2), new Float64Array(3)];
    for (const bad of slots) {
      assert.throws(() => native.watch(a.fileno(), a._gen, select.POLLIN, () => {}, bad), TypeError, String(bad));
    }
    assert.throws(() => native.watch(a.fileno(), a._gen, select.POLLIN, 7, new Int32Array(3)), TypeError);
    // Refused calls created nothing: the socket still waits and is served.
    const pending = a.recvAsync(1);
    b.send("x");
    assert.equal((await pending).toString(), "x");
  } finally {
    a.close();
    b.close();
  }
});

// Issue 11: a waiting recvAsync(n) takes its n-byte buffer when bytes are there, not before.
// 64 sockets each wait in recvAsync(256 KiB): holding the buffers would be 16 MiB of
// ArrayBuffer memory.
test("a waiting recvAsync holds no receive buffer", async () => {
  const code = `
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    const socket = await import(process.env.USOCKET);
    const pairs = [];
    for (let i = 0; i < 64; i++) pairs.push(socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const pending = pairs.map(([a]) => a.recvAsync(262144));
    // V8 releases the memory of collected ArrayBuffers on a helper thread: look a few times.
    let waiting = Infinity;
    for (let i = 0; i < 20 && waiting >= 1048576; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
      waiting = Math.min(waiting, process.memoryUsage().arrayBuffers - before);
    }
    for (const [, b] of pairs) b.sendall("x");
    const got = await Promise.all(pending);
    console.log(JSON.stringify({ waiting, got: got.map((r) => r.toString()).join("") }));
    for (const [a, b] of pairs) { a.close(); b.close(); }`;
  const { code: status, stdout, stderr } = await runNode(code);
  assert.equal(status, 0, stderr);
  const { waiting, got } = JSON.parse(stdout);
  assert.equal(got, "x".repeat(64));
  assert.ok(waiting < 2 * 1024 * 1024, `64 waiting calls hold ${waiting} bytes of ArrayBuffers`);
});
