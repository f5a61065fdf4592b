// UDP on 127.0.0.1: sendto/recvfrom, truncation of datagrams larger than bufsize, connected
// UDP, recv(0), empty datagrams, SO_BROADCAST, MSG_PEEK. A datagram sent on loopback is in
// the receiver's queue when sendto returns, so blocking receives here never wait on a peer;
// the receivers carry a timeout anyway, so a lost datagram fails a test instead of hanging it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as errno from "../dist/errno.js";
import { patternBytes } from "./support/bytes.js";

const { AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_BROADCAST, MSG_PEEK, MSG_DONTWAIT } = socket;

/** A UDP socket bound to an ephemeral loopback port, with a 2 s timeout on receives. */
function udp() {
  const s = socket.socket(AF_INET, SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  s.settimeout(2);
  return s;
}

/** Runs fn with n fresh UDP sockets, closing them whatever happens. */
function withUdp(n, fn) {
  const sockets = Array.from({ length: n }, udp);
  try {
    return fn(...sockets);
  } finally {
    for (const s of sockets) s.close();
  }
}

/** Asserts nothing is waiting on `s` (a non-blocking attempt says EAGAIN). */
function assertQueueEmpty(s) {
  assert.throws(() => s.recv(65536, MSG_DONTWAIT), { code: "EAGAIN", errno: errno.EAGAIN });
}

test("sendto/recvfrom: byte counts, payloads, the sender's [host, port]", () =>
  withUdp(2, (a, b) => {
    const aAddr = a.getsockname();
    const bAddr = b.getsockname();
    assert.equal(aAddr[0], "127.0.0.1");
    assert.equal(aAddr.length, 2);
    assert.equal(a.sendto("text", bAddr), 4);
    assert.equal(a.sendto(new Uint8Array([1, 2, 3]), 0, bAddr), 3, "the 3-argument form");
    assert.equal(a.sendto(new Uint16Array([0x0102, 0x0304]), bAddr), 4, "any ArrayBufferView");
    assert.equal(a.sendto("é", bAddr), 2, "strings go as UTF-8");
    const got = [];
    for (let i = 0; i < 4; i++) {
      const [data, from] = b.recvfrom(100);
      assert.ok(Buffer.isBuffer(data));
      assert.deepEqual(from, aAddr);
      got.push([...data]);
    }
    const u16 = new Uint8Array(new Uint16Array([0x0102, 0x0304]).buffer);
    assert.deepEqual(got, [[...Buffer.from("text")], [1, 2, 3], [...u16], [0xc3, 0xa9]]);
    assertQueueEmpty(b);
  }));

test("a 65507-byte datagram (the IPv4 maximum) arrives whole; one byte more is EMSGSIZE", () =>
  withUdp(2, (a, b) => {
    const big = patternBytes(65507, 7);
    assert.equal(a.sendto(big, b.getsockname()), big.length);
    const [data] = b.recvfrom(1 << 20);
    assert.equal(data.length, big.length);
    assert.ok(data.equals(big));
    assert.throws(() => a.sendto(Buffer.alloc(65508), b.getsockname()), { code: "EMSGSIZE" });
  }));

test("a datagram larger than bufsize is truncated and the rest discarded", () =>
  withUdp(2, (a, b) => {
    const dest = b.getsockname();
    const first = patternBytes(1000, 1);
    const second = Buffer.from("second datagram");
    const third = patternBytes(300, 3);
    const fourth = Buffer.from("fourth");
    a.sendto(first, dest);
    a.sendto(second, dest);
    a.sendto(third, dest);
    a.sendto(fourth, dest);
    // recvfrom: the first 10 bytes only; the next call gets the next datagram, not byte 10.
    const [head, from] = b.recvfrom(10);
    assert.equal(head.length, 10);
    assert.ok(head.equals(first.subarray(0, 10)));
    assert.deepEqual(from, a.getsockname());
    // recv: the same rule.
    const part = b.recv(6);
    assert.equal(part.toString(), "second");
    // recv_into: never writes past nbytes, and the rest is dropped too.
    const buf = Buffer.alloc(64, 0xee);
    assert.equal(b.recv_into(buf, 20), 20);
    assert.ok(buf.subarray(0, 20).equals(third.subarray(0, 20)));
    assert.ok(
      buf.subarray(20).every((x) => x === 0xee),
      "nothing written past nbytes",
    );
    assert.equal(b.recv(100).toString(), "fourth");
    assertQueueEmpty(b);
  }));

test("connected UDP: send/recv with the peer, getpeername, datagrams from others filtered", () =>
  withUdp(3, (a, b, stranger) => {
    a.connect(b.getsockname());
    b.connect(a.getsockname());
    assert.deepEqual(a.getpeername(), b.getsockname());
    assert.equal(a.send("ping"), 4);
    assert.equal(b.recv(16).toString(), "ping");
    // A datagram from a third socket never reaches the connected one.
    stranger.sendto("not for you", a.getsockname());
    assert.equal(b.send("pong"), 4);
    assert.equal(a.recv(16).toString(), "pong");
    assertQueueEmpty(a);
    // recvfrom on a connected socket still reports the peer.
    b.send("again");
    const [data, from] = a.recvfrom(16);
    assert.equal(data.toString(), "again");
    assert.deepEqual(from, b.getsockname());
    // sendto with an explicit address works on a connected socket too (Linux).
    a.sendto("explicit", b.getsockname());
    assert.equal(b.recv(16).toString(), "explicit");
  }));

test("send on an unconnected UDP socket is the kernel's EDESTADDRREQ; getpeername ENOTCONN", () =>
  withUdp(1, (a) => {
    assert.throws(() => a.send("x"), { code: "EDESTADDRREQ", errno: errno.EDESTADDRREQ, syscall: "send" });
    assert.throws(() => a.getpeername(), { code: "ENOTCONN", syscall: "getpeername" });
  }));

test("connected UDP to a port nobody holds: the ICMP error comes back as ECONNREFUSED", () => {
  const gone = udp();
  const port = gone.getsockname()[1];
  gone.close();
  withUdp(1, (a) => {
    a.connect(["127.0.0.1", port]);
    a.send("anyone?");
    // The port-unreachable reply is reported by the next call on the socket.
    assert.throws(() => a.recv(16), { code: "ECONNREFUSED", errno: errno.ECONNREFUSED, syscall: "recv" });
  });
});

test("recv(0) returns an empty Buffer at once and consumes nothing", () =>
  withUdp(2, (a, b) => {
    // Nothing queued: it must not wait (a wait would end in ETIMEDOUT after 2 s).
    const none = b.recv(0);
    assert.ok(Buffer.isBuffer(none));
    assert.equal(none.length, 0);
    a.sendto("kept", b.getsockname());
    assert.equal(b.recv(0).length, 0);
    assert.equal(b.recv(0, MSG_PEEK).length, 0);
    assert.equal(b.recv(10).toString(), "kept", "recv(0) did not consume the datagram");
  }));

test("empty datagrams: sent as 0 bytes, received as empty with the sender, one each", () =>
  withUdp(2, (a, b) => {
    const dest = b.getsockname();
    assert.equal(a.sendto(Buffer.alloc(0), dest), 0);
    assert.equal(a.sendto("", dest), 0);
    a.sendto("after", dest);
    const [first, from] = b.recvfrom(100);
    assert.equal(first.length, 0);
    assert.deepEqual(from, a.getsockname());
    // An empty datagram is not EOF: recv returns empty once per datagram, then the next one.
    assert.equal(b.recv(100).length, 0);
    assert.equal(b.recv(100).toString(), "after");
    assertQueueEmpty(b);
    // On a connected socket too.
    a.connect(dest);
    assert.equal(a.send(new Uint8Array(0)), 0);
    const buf = Buffer.alloc(8, 1);
    assert.equal(b.recv_into(buf), 0);
    assert.ok(buf.every((x) => x === 1));
    assertQueueEmpty(b);
  }));

test("MSG_PEEK: the datagram and its sender are returned and stay queued", () =>
  withUdp(3, (a, b, c) => {
    const dest = b.getsockname();
    a.sendto("from a", dest);
    c.sendto("from c", dest);
    const [peeked, peekFrom] = b.recvfrom(100, MSG_PEEK);
    assert.equal(peeked.toString(), "from a");
    assert.deepEqual(peekFrom, a.getsockname());
    // A peek with a small buffer shows the head; the datagram is still whole afterwards.
    assert.equal(b.recv(4, MSG_PEEK).toString(), "from");
    assert.equal(b.recv(100, MSG_PEEK).toString(), "from a");
    const into = Buffer.alloc(6);
    assert.equal(b.recv_into(into, 6, MSG_PEEK), 6);
    assert.equal(into.toString(), "from a");
    const [taken, takenFrom] = b.recvfrom(100);
    assert.equal(taken.toString(), "from a");
    assert.deepEqual(takenFrom, a.getsockname());
    const [next, nextFrom] = b.recvfrom(100, MSG_PEEK);
    assert.equal(next.toString(), "from c");
    assert.deepEqual(nextFrom, c.getsockname());
    assert.equal(b.recv(100).toString(), "from c");
    assertQueueEmpty(b);
  }));

test("MSG_DONTWAIT on an empty UDP queue is EAGAIN, whatever the socket's timeout", () =>
  withUdp(1, (a) => {
    for (const timeout of [null, 2, 0]) {
      a.settimeout(timeout);
      assert.throws(() => a.recvfrom(10, MSG_DONTWAIT), { code: "EAGAIN", syscall: "recvfrom" });
      assert.throws(() => a.recv(10, MSG_DONTWAIT), { code: "EAGAIN", syscall: "recv" });
    }
  }));

test("SO_BROADCAST: off by default, set and read back; broadcasts need it (loopback only)", () =>
  withUdp(1, (a) => {
    assert.equal(a.getsockopt(SOL_SOCKET, SO_BROADCAST), 0);
    // Without SO_BROADCAST the kernel refuses a broadcast destination before sending.
    assert.throws(
      () => a.sendto("x", ["<broadcast>", 9]),
      (error) => error instanceof socket.OSError && (error.errno === errno.EACCES || error.errno === errno.ENETUNREACH),
    );
    a.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
    assert.equal(a.getsockopt(SOL_SOCKET, SO_BROADCAST), 1);
    a.setsockopt(SOL_SOCKET, SO_BROADCAST, false);
    assert.equal(a.getsockopt(SOL_SOCKET, SO_BROADCAST), 0);
    a.setsockopt(SOL_SOCKET, SO_BROADCAST, true);
    assert.equal(a.getsockopt(SOL_SOCKET, SO_BROADCAST), 1);
    // The same option read as bytes: a native int with the value 1.
    const raw = a.getsockopt(SOL_SOCKET, SO_BROADCAST, 4);
    assert.equal(raw.length, 4);
    assert.equal(raw.readInt32LE(0) === 1 || raw.readInt32BE(0) === 1, true);
  }));

test("SO_BROADCAST decides whether the loopback broadcast address 127.255.255.255 is reachable", (t) => {
  // Linux gives lo a broadcast route for 127.255.255.255; a socket bound to that address
  // receives what is broadcast there, and nothing leaves the machine.
  const rx = socket.socket(AF_INET, SOCK_DGRAM);
  try {
    try {
      rx.bind(["127.255.255.255", 0]);
    } catch {
      t.skip("cannot bind the loopback broadcast address here");
      return;
    }
    rx.settimeout(2);
    const target = ["127.255.255.255", rx.getsockname()[1]];
    withUdp(1, (tx) => {
      assert.throws(() => tx.sendto("refused", target), { code: "EACCES", errno: errno.EACCES, syscall: "sendto" });
      tx.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
      assert.equal(tx.sendto("broadcast", target), 9);
      const [data, from] = rx.recvfrom(64);
      assert.equal(data.toString(), "broadcast");
      assert.deepEqual(from, tx.getsockname());
    });
  } finally {
    rx.close();
  }
});

test("many datagrams in a row keep their order and boundaries", () =>
  withUdp(2, (a, b) => {
    // Bounded well under the default receive buffer so none is dropped.
    const count = 100;
    for (let i = 0; i < count; i++) a.sendto(Buffer.from(`datagram ${i}|`.repeat((i % 7) + 1)), b.getsockname());
    for (let i = 0; i < count; i++) {
      assert.equal(b.recv(1024).toString(), `datagram ${i}|`.repeat((i % 7) + 1));
    }
    assertQueueEmpty(b);
  }));

test("a bufsize over 256 KiB: whole datagrams, and the timeout and non-blocking rules still hold", () =>
  withUdp(2, (a, b) => {
    const huge = 1 << 24;
    const data = patternBytes(40000, 9);
    a.sendto(data, b.getsockname());
    a.sendto("small", b.getsockname());
    const [first, from] = b.recvfrom(huge);
    assert.ok(first.equals(data));
    assert.deepEqual(from, a.getsockname());
    assert.equal(b.recv(huge).toString(), "small");
    // A buffer is never as large as bufsize asked.
    assert.ok(first.buffer.byteLength < huge);
    b.settimeout(0.3);
    for (const call of [() => b.recv(huge), () => b.recvfrom(huge)]) {
      assert.throws(call, { code: "ETIMEDOUT", errno: errno.ETIMEDOUT });
    }
    b.settimeout(0);
    assert.throws(() => b.recv(huge), { code: "EAGAIN" });
    b.settimeout(2);
    assert.throws(() => b.recvfrom(huge, MSG_DONTWAIT), { code: "EAGAIN", syscall: "recvfrom" });
    // MSG_PEEK with a huge bufsize leaves the datagram queued.
    a.sendto("peek me", b.getsockname());
    assert.equal(b.recv(huge, MSG_PEEK).toString(), "peek me");
    assert.equal(b.recv(huge).toString(), "peek me");
  }));
