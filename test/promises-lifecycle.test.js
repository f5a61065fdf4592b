// How a Promise twin starts, settles and lets go: an aborted signal stops it before any I/O,
// a settled call leaves no listener or timer, a pending one keeps the process alive, an
// abort's reason comes back untouched, and waiting leaves a blocking socket blocking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { readFileSync } from "node:fs";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { ECANCELED } from "../dist/errno.js";
import { scriptedPeer, startPeer } from "./support/peers.js";
import { watchdog } from "./support/blocking.js";

/** Whether the descriptor has O_NONBLOCK (Linux: /proc/self/fdinfo). */
function descriptorNonblocking(s) {
  const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${s.fileno()}`, "utf8"))[1];
  return (parseInt(flags, 8) & 0o4000) !== 0;
}

// docs/behaviour.md §4 ("A new socket is blocking with no timeout") and §7 ("Sync and async calls may be
// mixed on one socket"): a Promise twin that had to wait leaves a blocking socket blocking.
// libuv's uv_poll_init sets O_NONBLOCK on the descriptor it watches; left so, the next
// synchronous recv() of a socket with timeout null raised EAGAIN instead of waiting.
test("a blocking socket stays blocking after a Promise twin waited on it", async (t) => {
  if (process.platform !== "linux") {
    t.skip("reads the descriptor's flags from /proc/self/fdinfo");
    return;
  }
  const dog = watchdog(30);
  const { conn, done } = await scriptedPeer([{ wait: 150 }, { send: "first" }, { wait: 300 }, { send: "second" }]);
  try {
    assert.equal(conn.gettimeout(), null);
    assert.equal(descriptorNonblocking(conn), false);
    // Nothing has arrived yet: the call waits on the socket's readiness watcher.
    assert.equal((await conn.recvAsync(5)).toString(), "first");
    assert.equal(descriptorNonblocking(conn), false);
    // "second" comes 0.3 s later: a blocking recv() waits for it.
    assert.equal(conn.recv(6).toString(), "second");
    // The same for the write direction: sendAsync, then the sync calls still block.
    assert.equal(await conn.sendAsync("x"), 1);
    assert.equal(descriptorNonblocking(conn), false);
  } finally {
    conn.close();
    await done;
    dog.terminate();
  }
});

const SOCKET_TWINS = [
  "acceptAsync",
  "connectAsync",
  "recvAsync",
  "recvfromAsync",
  "recv_intoAsync",
  "sendAsync",
  "sendtoAsync",
  "sendallAsync",
  "readAsync",
  "readintoAsync",
  "readlineAsync",
  "writeAsync",
];

// docs/behaviour.md §7, §10: every twin of the list exists, and "an already-aborted signal rejects
// before any I/O" for each of them: nothing is read, written, accepted or connected.
test("every Promise twin rejects an already-aborted signal before any I/O", async () => {
  for (const name of SOCKET_TWINS) assert.equal(typeof socket.Socket.prototype[name], "function", name);
  assert.equal(typeof socket.getaddrinfoAsync, "function");
  assert.equal(typeof select.Poll.prototype.pollAsync, "function");
  const reason = new Error("aborted before");
  const signal = AbortSignal.abort(reason);
  const options = { signal };
  const rejected = async (promise) =>
    assert.equal(
      await promise.then(
        () => "resolved",
        (error) => error,
      ),
      reason,
    );

  const [a, b] = socket.socketpair();
  const [srv, addr] = (() => {
    const l = socket.socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    return [l, l.getsockname()];
  })();
  const waiting = socket.socket();
  const fresh = socket.socket();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    waiting.connect(addr); // now queued on the listener
    b.sendall("line one\nline two\n");
    await rejected(srv.acceptAsync(options));
    await rejected(a.recvAsync(4, options));
    await rejected(a.recvAsync(4, 0, options));
    await rejected(a.recvfromAsync(4, options));
    await rejected(a.recv_intoAsync(new Uint8Array(4), options));
    await rejected(a.recv_intoAsync(new Uint8Array(4), 2, 0, options));
    await rejected(a.readAsync(4, options));
    await rejected(a.readintoAsync(new Uint8Array(4), options));
    await rejected(a.readlineAsync(options));
    await rejected(a.sendAsync("x", options));
    await rejected(a.sendallAsync("x", 0, options));
    await rejected(a.writeAsync("x", options));
    await rejected(udp.sendtoAsync("x", ["127.0.0.1", addr[1]], options));
    await rejected(udp.sendtoAsync("x", 0, ["127.0.0.1", addr[1]], options));
    await rejected(fresh.connectAsync(addr, options));
    await rejected(socket.getaddrinfoAsync("127.0.0.1", 80, options));
    // Nothing moved: every byte is still there, the connection still queued, nothing sent,
    // nothing connected.
    a.settimeout(5);
    assert.equal(a.read(18).toString(), "line one\nline two\n");
    b.settimeout(0);
    assert.throws(() => b.recv(1), { code: "EAGAIN" });
    srv.settimeout(5);
    const [conn] = srv.accept();
    conn.close();
    assert.throws(() => fresh.getpeername(), { name: "OSError", code: "ENOTCONN" });
    assert.equal(udp.getsockname()[1], 0, "a datagram went out: sendto would have bound the socket");
  } finally {
    for (const s of [a, b, srv, waiting, fresh, udp]) s.close();
  }
});

// docs/behaviour.md §7 ("honours the socket's timeout", aborts) and the review's leak rules: once a call
// settles, however it settles, it leaves no abort listener on the signal and no timer.
test("settled Promise twins leave no abort listener and no timer behind", async () => {
  const controller = new AbortController();
  const { signal } = controller;
  const listeners = () => getEventListeners(signal, "abort").length;
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const baseTimers = timers();
  const [a, b] = socket.socketpair();
  try {
    a.settimeout(5);
    // Waited, then served.
    for (let i = 0; i < 5; i++) {
      const pending = a.recvAsync(1, { signal });
      assert.equal(listeners(), 1);
      b.send("x");
      await pending;
    }
    // Queued behind each other.
    const queued = [a.recvAsync(1, { signal }), a.recvAsync(1, { signal }), a.recvAsync(1, { signal })];
    assert.equal(listeners(), 3);
    b.send("abc");
    assert.deepEqual((await Promise.all(queued)).map(String), ["a", "b", "c"]);
    // Timed out.
    a.settimeout(0.05);
    await assert.rejects(a.recvAsync(1, { signal }), { code: "ETIMEDOUT" });
    // Rejected by close() of another socket's pending call.
    const [c, d] = socket.socketpair();
    c.settimeout(5);
    const closing = c.recvAsync(1, { signal });
    c.close();
    d.close();
    await assert.rejects(closing, { code: "EBADF" });
    // pollAsync and getaddrinfoAsync.
    const p = select.poll();
    p.register(a, select.POLLIN);
    const polled = p.pollAsync(5000, { signal });
    b.send("p");
    assert.equal((await polled).length, 1);
    await socket.getaddrinfoAsync("127.0.0.1", 80, { signal });
    assert.equal(listeners(), 0);
    assert.equal(timers(), baseTimers);
    // Aborting now (after everything settled) reaches nobody and changes nothing.
    controller.abort(new Error("late"));
    assert.equal(a.recv(1).toString(), "p");
  } finally {
    a.close();
    b.close();
  }
});

// docs/behaviour.md §7: "A socket with a pending async call keeps the process alive" — for the read queue
// of a listener (acceptAsync), and for a call that was queued behind another: when the
// first settles the second must go on holding the process.
test("pending acceptAsync, and a queued call after the first settles, keep the process alive", async () => {
  const code = `
    const socket = await import(process.env.USOCKET);
    const srv = socket.socket();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const accepting = srv.acceptAsync();
    console.log(srv.getsockname()[1]);
    const [conn] = await accepting;
    const first = conn.recvAsync(1);
    const second = conn.recvAsync(1);
    console.log("first " + (await first));
    console.log("second " + (await second));`;
  const peer = startPeer("node", code, { limitMs: 15000 });
  const port = Number(await peer.ready);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(peer.child.exitCode, null, "exited while acceptAsync was pending");
  const c = socket.socket();
  try {
    c.connect(["127.0.0.1", port]);
    c.sendall("1");
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(peer.child.exitCode, null, "exited while the queued recvAsync was pending");
    c.sendall("2");
    const { code: status, stdout } = await peer.done;
    assert.equal(status, 0);
    assert.match(stdout, /first 1\nsecond 2\n/);
  } finally {
    c.close();
  }
});

// docs/behaviour.md §7, §10: "an abort rejects with the signal's reason" and "after an aborted write the
// amount sent is not reported": the reason comes back as it was given, even when it is an
// OSError (sendall's bookkeeping once added `written` to it).
test("an aborted sendallAsync/writeAsync rejects with the reason untouched, without `written`", async () => {
  const [a, b] = socket.socketpair();
  try {
    for (const call of [
      (data, options) => a.sendallAsync(data, options),
      (data, options) => a.writeAsync(data, options),
    ]) {
      const controller = new AbortController();
      const reason = new socket.OSError(ECANCELED, "mine");
      const pending = call(Buffer.alloc(4 << 20), { signal: controller.signal });
      controller.abort(reason); // the first attempt sent what fit; the call waits for room
      const error = await pending.then(
        () => null,
        (thrown) => thrown,
      );
      assert.equal(error, reason);
      assert.equal(Object.hasOwn(error, "written"), false, "the aborted write reported what it sent");
      assert.equal(error.syscall, "mine");
      // Something did go out before the abort: the call had started.
      b.settimeout(0);
      let received = 0;
      for (let i = 0; i < 100000; i++) {
        try {
          received += b.recv(65536).length;
        } catch {
          break;
        }
      }
      assert.ok(received > 0);
    }
  } finally {
    a.close();
    b.close();
  }
});
