// The Promise twins (docs/behaviour.md §7, §10): they never block the event loop, honour the
// socket's timeout, queue per direction, keep bytes back on abort, and settle on close.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as socket from "../dist/index.js";
import { ETIMEDOUT } from "../dist/errno.js";
import { listener, tcpPair } from "./support/peers.js";
import { checksummedEcho } from "./support/async-echo.js";

const seconds = (start) => (performance.now() - start) / 1000;

/** A connected pair made with acceptAsync/connectAsync: [client, server side]. */
async function asyncPair() {
  const [srv, addr] = listener();
  const client = socket.socket();
  const [[server], connected] = await Promise.all([srv.acceptAsync(), client.connectAsync(addr)]);
  assert.equal(connected, undefined);
  srv.close();
  return [client, server];
}

test("echo through the Promise API: acceptAsync and connectAsync in one process", async () => {
  const [srv, addr] = listener();
  const serving = (async () => {
    const [conn, from] = await srv.acceptAsync();
    assert.equal(from[0], "127.0.0.1");
    for (;;) {
      const line = await conn.readlineAsync();
      if (line === null || line.length === 0) break;
      await conn.writeAsync(line);
    }
    conn.close();
  })();
  const client = socket.socket();
  await client.connectAsync(addr);
  for (let i = 0; i < 50; i++) {
    assert.equal(await client.writeAsync(`line ${i}\n`), `line ${i}\n`.length);
    assert.equal((await client.readlineAsync()).toString(), `line ${i}\n`);
  }
  client.shutdown(socket.SHUT_WR);
  await serving;
  assert.equal((await client.recvAsync(10)).length, 0);
  client.close();
  srv.close();
});

test("a recvAsync that times out lets the event loop run, then rejects with ETIMEDOUT", async () => {
  const [a, b] = tcpPair();
  a.settimeout(0.4);
  let ticks = 0;
  const interval = setInterval(() => ticks++, 20);
  const start = performance.now();
  await assert.rejects(
    a.recvAsync(10),
    (error) =>
      error instanceof socket.OSError &&
      error.code === "ETIMEDOUT" &&
      error.errno === ETIMEDOUT &&
      error.args[0] === ETIMEDOUT,
  );
  const elapsed = seconds(start);
  clearInterval(interval);
  assert.ok(ticks >= 5, `only ${ticks} ticks`);
  assert.ok(elapsed >= 0.25 && elapsed <= 3, `took ${elapsed} s`);
  b.sendall("late");
  assert.equal((await a.recvAsync(10)).toString(), "late");
  a.close();
  b.close();
});

test("the deadline starts with the call; settimeout affects later calls only", async () => {
  const [a, b] = tcpPair();
  a.settimeout(0.3);
  const start = performance.now();
  const pending = a.recvAsync(10);
  a.settimeout(null);
  await assert.rejects(pending, { code: "ETIMEDOUT" });
  assert.ok(seconds(start) >= 0.25 && seconds(start) <= 3);
  // Timeout 0: the Promise twin waits for readiness with no deadline (no EAGAIN).
  a.settimeout(0);
  const waiting = a.recvAsync(10);
  setTimeout(() => b.sendall("zero"), 100);
  assert.equal((await waiting).toString(), "zero");
  assert.throws(() => a.recv(10), { code: "EAGAIN" });
  a.close();
  b.close();
});

test("an abort mid-wait rejects with the reason and leaves the socket usable", async () => {
  const [a, b] = tcpPair();
  const controller = new AbortController();
  const reason = new Error("enough");
  const pending = a.recvAsync(10, { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(pending, (error) => error === reason);
  b.sendall("after");
  assert.equal((await a.recvAsync(10, 0, { signal: new AbortController().signal })).toString(), "after");
  a.close();
  b.close();
});

test("an already-aborted signal rejects before any I/O", async () => {
  const [a, b] = tcpPair();
  b.sendall("kept");
  const signal = AbortSignal.abort(new Error("before"));
  await assert.rejects(a.recvAsync(10, { signal }), { message: "before" });
  await assert.rejects(a.readAsync(4, { signal }), { message: "before" });
  await assert.rejects(a.sendAsync("x", { signal }), { message: "before" });
  await assert.rejects(a.connectAsync(["127.0.0.1", 1], { signal }), { message: "before" });
  assert.equal(a.recv(10).toString(), "kept");
  b.settimeout(0);
  assert.throws(() => b.recv(1), { code: "EAGAIN" }); // the aborted sendAsync sent nothing
  a.close();
  b.close();
});

test("bytes read before an aborted readAsync are kept back for the next read", async () => {
  const [a, b] = tcpPair();
  const controller = new AbortController();
  b.sendall("part");
  const pending = a.readAsync(10, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, { name: "AbortError" });
  b.sendall("rest!!");
  assert.equal((await a.readAsync(10)).toString(), "partrest!!");
  // readinto and readline keep their bytes too.
  const again = new AbortController();
  b.sendall("no newline yet");
  const line = a.readlineAsync({ signal: again.signal });
  setTimeout(() => again.abort(), 50);
  await assert.rejects(line, { name: "AbortError" });
  b.sendall("\n");
  assert.equal((await a.readlineAsync()).toString(), "no newline yet\n");
  a.close();
  b.close();
});

test("100 concurrent connections served by acceptAsync in one process", async () => {
  assert.equal(await checksummedEcho(100), 100);
});

test("two concurrent recvAsync on one socket are served in order", async () => {
  const [a, b] = tcpPair();
  const first = a.recvAsync(3);
  const second = a.recvAsync(3);
  const third = a.readAsync(4);
  b.sendall("abc");
  assert.equal((await first).toString(), "abc");
  b.sendall("def");
  assert.equal((await second).toString(), "def");
  b.sendall("ghij");
  assert.equal((await third).toString(), "ghij");
  a.close();
  b.close();
});

test("a pending recvAsync and a pending sendallAsync proceed independently", async () => {
  const [a, b] = await asyncPair();
  const size = 8 * 1024 * 1024;
  const reading = a.recvAsync(100);
  // Far more than the socket buffers hold: sendallAsync has to wait for the peer.
  const sending = a.sendallAsync(Buffer.alloc(size, 7));
  let got = 0;
  while (got < size) got += (await b.recvAsync(1 << 20)).length;
  await sending;
  // Only now does the peer answer, so the read was pending the whole time.
  await b.sendallAsync("done");
  assert.equal((await reading).toString(), "done");
  a.close();
  b.close();
});

test("a synchronous call runs at once while async calls are pending", async () => {
  const [a, b] = tcpPair();
  const pending = a.recvAsync(10);
  a.sendall("sync");
  assert.equal(b.recv(10).toString(), "sync");
  b.sendall("back");
  assert.equal((await pending).toString(), "back");
  a.close();
  b.close();
});

test("close() rejects pending calls with EBADF", async () => {
  const [a, b] = tcpPair();
  const first = a.recvAsync(10);
  const queued = a.readAsync(5);
  const writing = a.sendallAsync(Buffer.alloc(16 * 1024 * 1024));
  setTimeout(() => a.close(), 50);
  await assert.rejects(first, { code: "EBADF", syscall: "recv" });
  await assert.rejects(queued, { code: "EBADF", syscall: "read" });
  await assert.rejects(writing, { code: "EBADF" });
  await assert.rejects(a.recvAsync(1), { code: "EBADF" });
  b.close();
});

test("accept and connect on a blocking socket leave its descriptor blocking", async () => {
  const nonblocking = (s) => (parseInt(/flags:\s*(\d+)/.exec(readFdinfo(s.fileno()))[1], 8) & 0o4000) !== 0;
  const [srv, addr] = listener();
  const client = socket.socket();
  const [[conn]] = await Promise.all([srv.acceptAsync(), client.connectAsync(addr)]);
  assert.equal(nonblocking(srv), false);
  assert.equal(nonblocking(client), false);
  assert.equal(nonblocking(conn), false);
  assert.equal(conn.gettimeout(), null);
  srv.settimeout(2);
  assert.equal(nonblocking(srv), true);
  client.close();
  conn.close();
  srv.close();
});

function readFdinfo(fd) {
  return readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
}

test("recvfromAsync, sendtoAsync and recv_intoAsync on UDP", async () => {
  const a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  a.bind(["127.0.0.1", 0]);
  b.bind(["127.0.0.1", 0]);
  const pending = a.recvfromAsync(100);
  assert.equal(await b.sendtoAsync("datagram", a.getsockname()), 8);
  const [data, from] = await pending;
  assert.equal(data.toString(), "datagram");
  assert.deepEqual(from, b.getsockname());
  const into = new Uint8Array(4);
  const counted = a.recv_intoAsync(into, { signal: new AbortController().signal });
  assert.equal(await b.sendtoAsync("wxyz!", 0, a.getsockname()), 5);
  assert.equal(await counted, 4);
  assert.equal(Buffer.from(into).toString(), "wxyz");
  a.close();
  b.close();
});

test("readintoAsync fills the buffer across several arrivals", async () => {
  const [a, b] = tcpPair();
  const buf = new Uint8Array(6);
  const pending = a.readintoAsync(buf);
  b.sendall("abc");
  setTimeout(() => b.sendall("def"), 30);
  assert.equal(await pending, 6);
  assert.equal(Buffer.from(buf).toString(), "abcdef");
  a.close();
  b.close();
});

test("a queued call's deadline starts when it is made; aborting a queued call keeps the order", async () => {
  const [a, b] = tcpPair();
  a.settimeout(0.3);
  const start = performance.now();
  const results = await Promise.allSettled([a.recvAsync(1), a.recvAsync(1)]);
  assert.deepEqual(
    results.map((r) => r.reason?.code),
    ["ETIMEDOUT", "ETIMEDOUT"],
  );
  assert.ok(seconds(start) >= 0.25 && seconds(start) <= 1.5, `took ${seconds(start)} s`);
  a.settimeout(null);
  const controller = new AbortController();
  const first = a.recvAsync(2);
  const skipped = a.recvAsync(2, { signal: controller.signal });
  const last = a.recvAsync(2);
  controller.abort();
  await assert.rejects(skipped, { name: "AbortError" });
  b.sendall("12");
  assert.equal((await first).toString(), "12");
  b.sendall("34");
  assert.equal((await last).toString(), "34");
  a.close();
  b.close();
});

test("writeAsync on a full socket with timeout 0 waits instead of returning null", async () => {
  const [a, b] = await asyncPair();
  a.settimeout(0);
  const size = 8 * 1024 * 1024;
  const writing = a.writeAsync(Buffer.alloc(size, 1));
  let got = 0;
  while (got < size) got += (await b.recvAsync(1 << 20)).length;
  assert.equal(await writing, size);
  a.close();
  b.close();
});

// The stream twins are typed without null (README "TypeScript"): on a non-blocking socket,
// where the blocking forms return null for "nothing yet", the twins wait for the bytes.
test("readAsync, readintoAsync and readlineAsync with timeout 0 wait for data instead of resolving null", async () => {
  const [a, b] = socket.socketpair();
  try {
    a.settimeout(0);
    assert.equal(a.read(4), null, "the blocking form has nothing yet");
    const cases = [
      [() => a.readAsync(4), "data", (result) => result.toString()],
      [() => a.readlineAsync(), "one line\n", (result) => result.toString()],
      [() => a.readintoAsync(new Uint8Array(3)), "abc", (result) => result],
    ];
    for (const [call, sent, shown] of cases) {
      const pending = call();
      let settled = false;
      pending.then(
        () => (settled = true),
        () => (settled = true),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(settled, false, "resolved before any byte arrived");
      b.sendall(sent);
      const result = await pending;
      assert.notEqual(result, null);
      assert.equal(shown(result), typeof shown(result) === "number" ? sent.length : sent);
    }
  } finally {
    a.close();
    b.close();
  }
});
