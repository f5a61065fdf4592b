// docs/behaviour.md §4, "Blocking, timeouts, non-blocking": the "non-blocking, would block"
// column, MSG_DONTWAIT on a blocking socket, and MSG_PEEK.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { EAGAIN, ECONNREFUSED, EINPROGRESS, ENOTCONN } from "../dist/errno.js";
import { listener, tcpPair } from "./support/peers.js";
import { expectOSError } from "./support/assertions.js";
import { sleepSync, watchdog } from "./support/blocking.js";
import { drain, errorWhenFull, fill, fullPair, sendAndWait, smallPair } from "./support/send-buffers.js";

// A blocking call that never returns would hang the run: end it instead.
watchdog(60);

test("accept() on a non-blocking listener with nobody connecting raises EAGAIN", () => {
  const [srv] = listener();
  try {
    srv.setblocking(false);
    const [error] = expectOSError(() => srv.accept(), EAGAIN);
    assert.equal(error.code, "EAGAIN");
    assert.equal(error.syscall, "accept");
  } finally {
    srv.close();
  }
});

test("a non-blocking accept() returns a waiting connection", () => {
  const [srv, addr] = listener();
  const c = socket.socket();
  try {
    srv.setblocking(false);
    c.connect(addr);
    const [conn, from] = srv.accept();
    assert.deepEqual(from, c.getsockname());
    assert.equal(conn.gettimeout(), null);
    conn.close();
  } finally {
    c.close();
    srv.close();
  }
});

test("recv(), recvfrom() and recv_into() on a non-blocking socket with no data raise EAGAIN", () => {
  const [a, b] = tcpPair();
  try {
    b.setblocking(false);
    expectOSError(() => b.recv(10), EAGAIN);
    expectOSError(() => b.recvfrom(10), EAGAIN);
    const buf = new Uint8Array(10).fill(7);
    expectOSError(() => b.recv_into(buf), EAGAIN);
    assert.deepEqual([...buf], new Array(10).fill(7));
    sendAndWait(a, b, "abc");
    assert.equal(b.recv(10).toString(), "abc");
  } finally {
    a.close();
    b.close();
  }
});

test("recvfrom() on a non-blocking UDP socket with no datagram raises EAGAIN", () => {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    u.bind(["127.0.0.1", 0]);
    u.setblocking(false);
    expectOSError(() => u.recvfrom(10), EAGAIN);
    expectOSError(() => u.recv(10), EAGAIN);
  } finally {
    u.close();
  }
});

test("send(), sendto() and sendall() on a non-blocking socket with a full buffer raise EAGAIN", () => {
  const [sender, receiver] = fullPair();
  try {
    const nonblocking = (call) => () => {
      sender.setblocking(false);
      return call();
    };
    const cases = {
      send: () => sender.send(Buffer.alloc(4096, 1)),
      sendto: () => sender.sendto(Buffer.alloc(4096, 1), receiver.getsockname()),
      sendall: () => sender.sendall(Buffer.alloc(4096, 1)),
    };
    for (const [name, call] of Object.entries(cases)) {
      const error = errorWhenFull(sender, nonblocking(call));
      assert.ok(error instanceof socket.OSError, String(error));
      assert.equal(error.errno, EAGAIN, `${name}: ${error.message}`);
      assert.equal(error.syscall, name);
      // sendall reports what went out before it would have blocked (here: nothing, or a
      // little if the window opened).
      if (name === "sendall") assert.ok(Number.isInteger(error.written) && error.written < 4096);
    }
  } finally {
    sender.close();
    receiver.close();
  }
});

test("a non-blocking sendall() that fits only in part raises EAGAIN with `written`, which is exact", () => {
  const [sender, receiver] = smallPair();
  try {
    sender.setblocking(false);
    const total = 4 << 20;
    const [error] = expectOSError(() => sender.sendall(Buffer.alloc(total, 3)), EAGAIN);
    assert.ok(Number.isInteger(error.written), `written is ${error.written}`);
    assert.ok(error.written > 0 && error.written < total, `written ${error.written}`);
    assert.equal(drain(receiver, error.written), error.written);
  } finally {
    sender.close();
    receiver.close();
  }
});

test("connect() on a non-blocking socket raises EINPROGRESS; completion shows in SO_ERROR", () => {
  const [srv, addr] = listener();
  const c = socket.socket();
  try {
    c.setblocking(false);
    const [error] = expectOSError(() => c.connect(addr), EINPROGRESS);
    assert.deepEqual(error.address, addr);
    // Wait (bounded) until the connection is established: getpeername stops failing.
    let peer = null;
    for (let i = 0; i < 200 && peer === null; i++) {
      try {
        peer = c.getpeername();
      } catch (e) {
        assert.equal(e.errno, ENOTCONN);
        sleepSync(5);
      }
    }
    assert.deepEqual(peer, addr);
    assert.equal(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
    const [conn] = srv.accept();
    c.send("hi");
    assert.equal(conn.recv(10).toString(), "hi");
    conn.close();
  } finally {
    c.close();
    srv.close();
  }
});

test("a refused non-blocking connect() reports ECONNREFUSED through SO_ERROR", () => {
  const holder = socket.socket();
  const c = socket.socket();
  try {
    holder.bind(["127.0.0.1", 0]);
    const addr = holder.getsockname();
    c.setblocking(false);
    let refused = false;
    try {
      c.connect(addr);
      assert.fail("connect to a port nobody listens on returned");
    } catch (error) {
      assert.ok(error instanceof socket.OSError, String(error));
      // The kernel may report the refusal at once or later through SO_ERROR.
      if (error.errno === ECONNREFUSED) refused = true;
      else assert.equal(error.errno, EINPROGRESS);
    }
    for (let i = 0; i < 200 && !refused; i++) {
      const status = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      if (status === ECONNREFUSED) refused = true;
      else {
        assert.equal(status, 0);
        sleepSync(5);
      }
    }
    assert.ok(refused, "SO_ERROR never reported ECONNREFUSED");
  } finally {
    c.close();
    holder.close();
  }
});

test("read(), readinto() and readline() return null on a non-blocking socket with no data", () => {
  const [a, b] = tcpPair();
  try {
    b.setblocking(false);
    assert.equal(b.read(10), null);
    assert.equal(b.read(), null);
    const buf = new Uint8Array(8).fill(9);
    assert.equal(b.readinto(buf), null);
    assert.deepEqual([...buf], new Array(8).fill(9));
    assert.equal(b.readline(), null);
  } finally {
    a.close();
    b.close();
  }
});

test("read(), readinto() and readline() return the partial result on a non-blocking socket", () => {
  const [a, b] = tcpPair();
  try {
    b.setblocking(false);
    sendAndWait(a, b, "abc");
    const part = b.read(10);
    assert.ok(Buffer.isBuffer(part));
    assert.equal(part.toString(), "abc");
    sendAndWait(a, b, "defg");
    assert.equal(b.read().toString(), "defg");
    sendAndWait(a, b, "hij");
    const buf = new Uint8Array(8);
    assert.equal(b.readinto(buf), 3);
    assert.equal(Buffer.from(buf.subarray(0, 3)).toString(), "hij");
    sendAndWait(a, b, "no newline yet");
    assert.equal(b.readline().toString(), "no newline yet");
    sendAndWait(a, b, "line\nafter");
    assert.equal(b.readline().toString(), "line\n");
    assert.equal(b.readline().toString(), "after");
    assert.equal(b.readline(), null);
  } finally {
    a.close();
    b.close();
  }
});

test("write() on a non-blocking socket returns null when nothing fits, else the partial count", () => {
  const [sender, receiver] = fullPair();
  try {
    let sawNull = false;
    for (let i = 0; i < 6 && !sawNull; i++) {
      fill(sender);
      sender.setblocking(false);
      const n = sender.write(Buffer.alloc(4096, 4));
      // The window may have opened a little since the fill: a partial count is correct too.
      if (n === null) sawNull = true;
      else assert.ok(Number.isInteger(n) && n > 0 && n <= 4096, `write returned ${n}`);
      sender.setblocking(true);
    }
    assert.ok(sawNull, "write never returned null on a full send buffer");
  } finally {
    sender.close();
    receiver.close();
  }
  const [s2, r2] = smallPair();
  try {
    s2.setblocking(false);
    const total = 4 << 20;
    const n = s2.write(Buffer.alloc(total, 5));
    assert.ok(Number.isInteger(n) && n > 0 && n < total, `write returned ${n}`);
    assert.equal(drain(r2, n), n);
  } finally {
    s2.close();
    r2.close();
  }
});

test("MSG_DONTWAIT makes one call on a blocking socket non-blocking", () => {
  const [a, b] = tcpPair();
  try {
    assert.equal(b.gettimeout(), null);
    expectOSError(() => b.recv(10, socket.MSG_DONTWAIT), EAGAIN);
    expectOSError(() => b.recvfrom(10, socket.MSG_DONTWAIT), EAGAIN);
    expectOSError(() => b.recv_into(new Uint8Array(4), 0, socket.MSG_DONTWAIT), EAGAIN);
    assert.equal(b.gettimeout(), null);
    sendAndWait(a, b, "here");
    assert.equal(b.recv(10, socket.MSG_DONTWAIT).toString(), "here");
  } finally {
    a.close();
    b.close();
  }
  const [sender, receiver] = fullPair();
  try {
    assert.equal(sender.gettimeout(), null);
    const cases = {
      send: () => sender.send(Buffer.alloc(4096), socket.MSG_DONTWAIT),
      sendto: () => sender.sendto(Buffer.alloc(4096), socket.MSG_DONTWAIT, receiver.getsockname()),
      sendall: () => sender.sendall(Buffer.alloc(4096), socket.MSG_DONTWAIT),
    };
    for (const [name, call] of Object.entries(cases)) {
      const error = errorWhenFull(sender, call);
      assert.ok(error instanceof socket.OSError, String(error));
      assert.equal(error.errno, EAGAIN, `${name}: ${error.message}`);
      if (name === "sendall") assert.ok(Number.isInteger(error.written) && error.written < 4096);
    }
    assert.equal(sender.gettimeout(), null);
  } finally {
    sender.close();
    receiver.close();
  }
});

test("MSG_PEEK returns data without consuming it (recv, recv_into, recvfrom)", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("hello");
    assert.equal(b.recv(5, socket.MSG_PEEK).toString(), "hello");
    assert.equal(b.recv(3, socket.MSG_PEEK).toString(), "hel");
    const buf = new Uint8Array(5);
    assert.equal(b.recv_into(buf, 0, socket.MSG_PEEK), 5);
    assert.equal(Buffer.from(buf).toString(), "hello");
    assert.equal(b.recvfrom(5, socket.MSG_PEEK)[0].toString(), "hello");
    assert.equal(b.recv(5).toString(), "hello");
    b.setblocking(false);
    expectOSError(() => b.recv(5, socket.MSG_PEEK), EAGAIN);
  } finally {
    a.close();
    b.close();
  }
});
