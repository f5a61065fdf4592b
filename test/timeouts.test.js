// docs/behaviour.md §4, "Blocking, timeouts, non-blocking": the "blocking, timeout expires"
// column, measured, and the rule that a timeout bounds each call as a whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { ETIMEDOUT } from "../dist/errno.js";
import { listener, scriptedPeer, tcpPair, trickle } from "./support/peers.js";
import { assertTimeoutBounds, expectOSError } from "./support/assertions.js";
import { watchdog } from "./support/blocking.js";
import { fill, fullPair } from "./support/send-buffers.js";

// A blocking call that never returns would hang the run: end it instead.
watchdog(60);

const T = 0.3;

/** Expects `call` to raise ETIMEDOUT within docs/behaviour.md §10's bounds for a 0.3 s timeout. */
function timesOut(call, syscall) {
  const [error, seconds] = expectOSError(call, ETIMEDOUT);
  assert.equal(error.code, "ETIMEDOUT");
  if (syscall !== undefined) assert.equal(error.syscall, syscall);
  assertTimeoutBounds(seconds);
  return error;
}

test("accept() with a timeout and nobody connecting raises ETIMEDOUT", () => {
  const [srv] = listener();
  try {
    srv.settimeout(T);
    timesOut(() => srv.accept(), "accept");
  } finally {
    srv.close();
  }
});

test("recv(), recvfrom() and recv_into() with a timeout and no data raise ETIMEDOUT", () => {
  const [a, b] = tcpPair();
  try {
    b.settimeout(T);
    timesOut(() => b.recv(10), "recv");
    timesOut(() => b.recvfrom(10), "recvfrom");
    timesOut(() => b.recv_into(new Uint8Array(10)), "recv_into");
    // The socket still works: data that arrives is returned at once.
    a.sendall("data");
    assert.equal(b.recv(10).toString(), "data");
  } finally {
    a.close();
    b.close();
  }
});

test("recvfrom() on a UDP socket with a timeout and no datagram raises ETIMEDOUT", () => {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    u.bind(["127.0.0.1", 0]);
    u.settimeout(T);
    timesOut(() => u.recvfrom(10), "recvfrom");
  } finally {
    u.close();
  }
});

/**
 * send/sendto on a full buffer: the kernel may open the window a little while the call
 * waits (zero-window probes), and then a short send is a correct result; so refill and
 * try again, a bounded number of times, until the call times out.
 */
function sendTimesOut(sender, call, syscall) {
  for (let attempt = 0; attempt < 4; attempt++) {
    sender.settimeout(null);
    fill(sender);
    sender.settimeout(T);
    const start = performance.now();
    let sent;
    try {
      sent = call();
    } catch (error) {
      assert.ok(error instanceof socket.OSError, String(error));
      assert.equal(error.code, "ETIMEDOUT", error.message);
      assert.equal(error.syscall, syscall);
      assertTimeoutBounds((performance.now() - start) / 1000);
      return;
    }
    assert.ok(sent > 0 && sent <= 4096, `a short send returns a count, not ${sent}`);
  }
  assert.fail(`${syscall} never timed out on a full send buffer`);
}

test("send(), sendto() and sendall() with a timeout and a full send buffer raise ETIMEDOUT", () => {
  const [sender, receiver] = fullPair();
  try {
    sendTimesOut(sender, () => sender.send(Buffer.alloc(4096, 1)), "send");
    // On a connected TCP socket Linux ignores sendto's address: the call still waits.
    sendTimesOut(sender, () => sender.sendto(Buffer.alloc(4096, 1), receiver.getsockname()), "sendto");
    // sendall of far more than can go out: it times out whatever the window does.
    sender.settimeout(T);
    const error = timesOut(() => sender.sendall(Buffer.alloc(4 << 20, 1)), "sendall");
    assert.ok(
      Number.isInteger(error.written) && error.written >= 0 && error.written < 4 << 20,
      `written ${error.written}`,
    );
  } finally {
    sender.close();
    receiver.close();
  }
});

/**
 * Connects to a listen(0) listener with `connect` (which returns a socket) until one
 * attempt fails; returns [that error, its seconds, the sockets that connected], or null
 * when the kernel never dropped a SYN within a few attempts. Linux queues backlog + 1
 * connections and then drops SYNs, so the second attempt waits for a SYN-ACK that does
 * not come and times out.
 */
function connectUntilFull(_addr, connect) {
  const connected = [];
  for (let i = 0; i < 8; i++) {
    const start = performance.now();
    try {
      connected.push(connect());
    } catch (error) {
      return [error, (performance.now() - start) / 1000, connected];
    }
  }
  for (const c of connected) c.close();
  return null;
}

function fullBacklogListener() {
  const srv = socket.socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen(0);
  return [srv, srv.getsockname()];
}

const NO_DROP =
  "this kernel accepted every connection to a full listen(0) backlog " +
  "(it does not drop SYNs), so no loopback connect can be made to time out here";

test("connect() with a timeout to a listener whose backlog is full raises ETIMEDOUT", (t) => {
  const [srv, addr] = fullBacklogListener();
  const sockets = [];
  try {
    const outcome = connectUntilFull(addr, () => {
      const c = socket.socket();
      sockets.push(c);
      c.settimeout(T);
      c.connect(addr);
      return c;
    });
    if (outcome === null) {
      t.skip(NO_DROP);
      return;
    }
    const [error, seconds] = outcome;
    assert.ok(error instanceof socket.OSError, String(error));
    assert.equal(error.code, "ETIMEDOUT", error.message);
    assert.equal(error.syscall, "connect");
    assert.deepEqual(error.address, addr);
    assertTimeoutBounds(seconds);
    // Once the queue has room, a connect succeeds again (the failure was the full queue).
    srv.accept()[0].close();
    const again = socket.socket();
    sockets.push(again);
    again.settimeout(2);
    again.connect(addr);
    assert.deepEqual(again.getpeername(), addr);
  } finally {
    for (const c of sockets) c.close();
    srv.close();
  }
});

test("create_connection() with a timeout to a full backlog raises ETIMEDOUT within one deadline", (t) => {
  const [srv, addr] = fullBacklogListener();
  let outcome = null;
  try {
    outcome = connectUntilFull(addr, () => socket.create_connection(addr, T));
    if (outcome === null) {
      t.skip(NO_DROP);
      return;
    }
    const [error, seconds] = outcome;
    assert.ok(error instanceof socket.OSError, String(error));
    assert.equal(error.code, "ETIMEDOUT", error.message);
    assertTimeoutBounds(seconds);
  } finally {
    if (outcome !== null) for (const c of outcome[2]) c.close();
    srv.close();
  }
});

test("read(), readinto() and readline() with a timeout and no data raise ETIMEDOUT", () => {
  const [a, b] = tcpPair();
  try {
    b.settimeout(T);
    timesOut(() => b.read(10), "read");
    timesOut(() => b.read(), "read");
    timesOut(() => b.readinto(new Uint8Array(10)), "readinto");
    timesOut(() => b.readline(), "readline");
  } finally {
    a.close();
    b.close();
  }
});

test("write() with a timeout and a full send buffer raises ETIMEDOUT", () => {
  const [sender, receiver] = fullPair();
  try {
    sender.settimeout(T);
    const error = timesOut(() => sender.write(Buffer.alloc(4 << 20, 2)), "write");
    assert.ok(
      Number.isInteger(error.written) && error.written >= 0 && error.written < 4 << 20,
      `written ${error.written}`,
    );
  } finally {
    sender.close();
    receiver.close();
  }
});

test("a timeout is a deadline for the whole read(): a byte every 100 ms does not extend it", async () => {
  // 60 bytes at 10 per second: read(50) would finish after 5 s if each recv had its own
  // timeout; with one deadline of 0.5 s it times out near 0.5 s.
  const { conn, done } = await scriptedPeer(trickle("x", 60, 100));
  try {
    conn.settimeout(0.5);
    const [error, seconds] = expectOSError(() => conn.read(50), ETIMEDOUT);
    assert.equal(error.syscall, "read");
    assertTimeoutBounds(seconds, 0.45, 3);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("a timeout is a deadline for the whole readline(), read() and readinto()", async () => {
  const { conn, done } = await scriptedPeer(trickle("y", 80, 100));
  try {
    conn.settimeout(0.5);
    for (const [name, call] of [
      ["readline", () => conn.readline()],
      ["read", () => conn.read()],
      ["readinto", () => conn.readinto(new Uint8Array(40))],
    ]) {
      const [error, seconds] = expectOSError(call, ETIMEDOUT);
      assert.equal(error.syscall, name);
      assertTimeoutBounds(seconds, 0.45, 3);
    }
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("a timeout does not fire when the data is there, and settimeout affects later calls", () => {
  const [a, b] = tcpPair();
  try {
    b.settimeout(T);
    a.sendall("ready\n");
    assert.equal(b.readline().toString(), "ready\n");
    b.settimeout(0.6);
    const [, seconds] = expectOSError(() => b.recv(1), ETIMEDOUT);
    assertTimeoutBounds(seconds, 0.55, 3);
  } finally {
    a.close();
    b.close();
  }
});
