// docs/behaviour.md §4, the method table: every row against real loopback sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import * as socket from "../dist/index.js";
import { EAGAIN, EBADF, ECONNREFUSED, EINPROGRESS, EINVAL, ENOTCONN, ETIMEDOUT, errorcode } from "../dist/errno.js";
import { listener, scriptedPeer, startPeer, tcpPair } from "./support/peers.js";
import { expectOSError } from "./support/assertions.js";
import { watchdog } from "./support/blocking.js";

// A blocking call that never returns would hang the run: end it instead.
watchdog(60);

function udpPair() {
  const a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  a.bind(["127.0.0.1", 0]);
  b.bind(["127.0.0.1", 0]);
  return [a, b];
}

/** A loopback port nobody listens on: kept bound (not listening) so it stays unused. */
function refusingPort() {
  const holder = socket.socket();
  holder.bind(["127.0.0.1", 0]);
  return [holder, holder.getsockname()[1]];
}

test("a new socket is blocking with no timeout; type alone picks TCP or UDP", () => {
  const tcp = socket.socket();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const viaClass = new socket.Socket();
  try {
    assert.ok(tcp instanceof socket.Socket);
    assert.equal(tcp.gettimeout(), null);
    assert.equal(viaClass.gettimeout(), null);
    assert.equal(tcp.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
    assert.equal(udp.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_DGRAM);
    assert.ok(tcp.fileno() >= 0 && udp.fileno() >= 0 && tcp.fileno() !== udp.fileno());
  } finally {
    tcp.close();
    udp.close();
    viaClass.close();
  }
});

test("close() is idempotent; afterwards fileno() is -1, gettimeout() works, the rest raise EBADF", () => {
  const s = socket.socket();
  s.settimeout(2.5);
  assert.ok(s.fileno() >= 0);
  assert.equal(s.close(), undefined);
  s.close();
  s[Symbol.dispose]();
  assert.equal(s.fileno(), -1);
  assert.equal(s.gettimeout(), 2.5);
  const buf = new Uint8Array(4);
  const calls = {
    bind: () => s.bind(["127.0.0.1", 0]),
    listen: () => s.listen(),
    accept: () => s.accept(),
    connect: () => s.connect(["127.0.0.1", 1]),
    send: () => s.send("x"),
    sendall: () => s.sendall("x"),
    sendto: () => s.sendto("x", ["127.0.0.1", 1]),
    recv: () => s.recv(1),
    recvfrom: () => s.recvfrom(1),
    recv_into: () => s.recv_into(buf),
    setsockopt: () => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1),
    getsockopt: () => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE),
    settimeout: () => s.settimeout(1),
    setblocking: () => s.setblocking(false),
    makefile: () => s.makefile("rwb"),
    read: () => s.read(1),
    readinto: () => s.readinto(buf),
    readline: () => s.readline(),
    write: () => s.write("x"),
    shutdown: () => s.shutdown(socket.SHUT_RDWR),
    getsockname: () => s.getsockname(),
    getpeername: () => s.getpeername(),
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(call, (e) => e instanceof socket.OSError && e.errno === EBADF && e.code === "EBADF", name);
  }
  assert.equal(s.gettimeout(), 2.5, "a failed settimeout after close changes nothing");
});

test("bind() on a socket that is already bound raises EINVAL", () => {
  const s = socket.socket();
  try {
    s.bind(["127.0.0.1", 0]);
    const [host, port] = s.getsockname();
    assert.equal(host, "127.0.0.1");
    assert.ok(port > 0);
    const [error] = expectOSError(() => s.bind(["127.0.0.1", 0]), EINVAL);
    assert.equal(error.code, "EINVAL");
    assert.deepEqual(s.getsockname(), [host, port]);
  } finally {
    s.close();
  }
});

/**
 * How many connections a listener's accept queue takes before the kernel drops SYNs:
 * Linux queues backlog + 1, then a connect waits (here: times out after 0.25 s).
 */
function acceptQueueRoom(srv, most) {
  const addr = srv.getsockname();
  const clients = [];
  try {
    for (let i = 0; i < most; i++) {
      const c = socket.socket();
      clients.push(c);
      c.settimeout(0.25);
      try {
        c.connect(addr);
      } catch (error) {
        assert.equal(error.errno, ETIMEDOUT, `connect ${i}: ${error.message}`);
        return i;
      }
    }
    return most;
  } finally {
    for (const c of clients) c.close();
  }
}

test("listen(): an explicit backlog, a negative one (0) and the default min(SOMAXCONN, 128)", (t) => {
  if (process.platform !== "linux") {
    t.skip("the backlog is observed through Linux's accept queue (backlog + 1 connections, then SYNs dropped)");
    return;
  }
  const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
  const cases = [
    [3, 3],
    [-7, 0],
    [undefined, Math.min(socket.SOMAXCONN, 128, somaxconn)],
  ];
  for (const [backlog, expected] of cases) {
    const srv = socket.socket();
    try {
      srv.bind(["127.0.0.1", 0]);
      if (backlog === undefined) srv.listen();
      else srv.listen(backlog);
      assert.equal(acceptQueueRoom(srv, expected + 5), expected + 1, `listen(${backlog})`);
    } finally {
      srv.close();
    }
  }
});

test("accept() returns [Socket, address]; the new socket is blocking with no timeout", async () => {
  // The peer connects at once and sends 200 ms later: a recv on the accepted socket must
  // wait for it (a non-blocking descriptor would raise EAGAIN instead).
  const [srv, addr] = listener();
  const client = socket.socket();
  try {
    srv.settimeout(2);
    client.connect(addr);
    const [conn, from] = srv.accept();
    try {
      assert.ok(conn instanceof socket.Socket);
      assert.deepEqual(from, client.getsockname());
      assert.deepEqual(conn.getpeername(), client.getsockname());
      assert.equal(conn.gettimeout(), null);
      assert.equal(conn.family, socket.AF_INET);
      assert.equal(conn.type, socket.SOCK_STREAM);
    } finally {
      conn.close();
    }
  } finally {
    client.close();
    srv.close();
  }
  const { conn, done } = await scriptedPeer([{ wait: 200 }, { send: "late" }, { end: true }]);
  // scriptedPeer accepted it from a listener with a timeout (5 s): that is not inherited.
  try {
    assert.equal(conn.gettimeout(), null);
    assert.equal(conn.recv(10).toString(), "late");
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("accept() with setdefaulttimeout(): the new socket starts with the default timeout", () => {
  const [srv, addr] = listener();
  const client = socket.socket();
  const before = socket.getdefaulttimeout();
  try {
    client.connect(addr);
    socket.setdefaulttimeout(1.25);
    const [conn] = srv.accept();
    try {
      assert.equal(conn.gettimeout(), 1.25);
      // Its descriptor honours it: nothing arrives, so recv times out.
      const [, seconds] = expectOSError(() => conn.recv(1), ETIMEDOUT);
      assert.ok(seconds >= 1 && seconds < 4, `timed out after ${seconds} s`);
    } finally {
      conn.close();
    }
  } finally {
    socket.setdefaulttimeout(before);
    client.close();
    srv.close();
  }
  assert.equal(socket.getdefaulttimeout(), before);
});

test("connect() to a listener connects; to a port nobody listens on raises ECONNREFUSED", () => {
  const [srv, addr] = listener();
  const [holder, port] = refusingPort();
  const c = socket.socket();
  const refused = socket.socket();
  try {
    assert.equal(c.connect(addr), undefined);
    assert.deepEqual(c.getpeername(), addr);
    const [error] = expectOSError(() => refused.connect(["127.0.0.1", port]), ECONNREFUSED);
    assert.deepEqual(error.address, ["127.0.0.1", port]);
    assert.equal(error.syscall, "connect");
  } finally {
    c.close();
    refused.close();
    holder.close();
    srv.close();
  }
});

test("connect_ex() returns 0 or the errno connect() would raise (CPython's); bad arguments and a closed socket still raise", () => {
  const [srv, addr] = listener();
  const [holder, port] = refusingPort();
  const ok = socket.socket();
  const refused = socket.socket();
  const pending = socket.socket();
  const closed = socket.socket();
  closed.close();
  try {
    assert.equal(ok.connect_ex(addr), 0);
    assert.deepEqual(ok.getpeername(), addr);
    assert.equal(refused.connect_ex(["127.0.0.1", port]), ECONNREFUSED);
    pending.setblocking(false);
    assert.equal(pending.connect_ex(addr), EINPROGRESS);
    assert.throws(
      () => refused.connect_ex(["localhost", port]),
      (e) => e instanceof socket.OSError && e.errno === EINVAL,
    );
    assert.throws(() => refused.connect_ex(["127.0.0.1", 70000]), RangeError);
    assert.throws(() => refused.connect_ex("127.0.0.1"), TypeError);
    expectOSError(() => closed.connect_ex(addr), EBADF);
  } finally {
    for (const s of [ok, refused, pending, holder, srv]) s.close();
  }
});

test("getblocking() is false only for a non-blocking socket (timeout 0), as CPython's", () => {
  const s = socket.socket();
  try {
    assert.equal(s.getblocking(), true);
    s.settimeout(1.5);
    assert.equal(s.getblocking(), true);
    s.setblocking(false);
    assert.equal(s.getblocking(), false);
    s.settimeout(null);
    assert.equal(s.getblocking(), true);
    s.settimeout(0);
    s.close();
    assert.equal(s.getblocking(), false); // like gettimeout(), it works after close()
  } finally {
    s.close();
  }
});

test("send() returns the count, sendall() returns nothing, recv() returns a Buffer sized exactly", () => {
  const [a, b] = tcpPair();
  try {
    assert.equal(a.send(Buffer.from("hello")), 5);
    assert.equal(a.sendall("world"), undefined);
    const got = b.recv(1000);
    assert.ok(Buffer.isBuffer(got));
    assert.equal(got.length, 10);
    assert.equal(got.toString(), "helloworld");
    a.sendall("abcdef");
    const part = b.recv(4);
    assert.equal(part.length, 4);
    assert.equal(part.toString(), "abcd");
    assert.equal(b.recv(100).toString(), "ef");
    const zero = b.recv(0);
    assert.ok(Buffer.isBuffer(zero));
    assert.equal(zero.length, 0);
    a.shutdown(socket.SHUT_WR);
    const eof = b.recv(100);
    assert.ok(Buffer.isBuffer(eof));
    assert.equal(eof.length, 0);
  } finally {
    a.close();
    b.close();
  }
});

test("recv() and recvfrom() with a huge bufsize return what arrived without allocating bufsize", () => {
  const [a, b] = tcpPair();
  try {
    const before = process.memoryUsage().arrayBuffers;
    a.sendall("small");
    const got = b.recv(2 ** 40);
    assert.equal(got.length, 5);
    assert.equal(got.toString(), "small");
    a.sendall("again");
    const [data] = b.recvfrom(Number.MAX_SAFE_INTEGER);
    assert.equal(data.toString(), "again");
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 64 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  } finally {
    a.close();
    b.close();
  }
});

test("sendall() of more than the buffers hold arrives whole", async () => {
  // The receiving peer is another process, so this process can block in sendall.
  const [srv, [, port]] = listener();
  const size = 3 * 1024 * 1024;
  const peer = startPeer(
    "node",
    `
    import net from "node:net";
    const conn = net.connect(Number(process.argv[1]), "127.0.0.1", () => console.log("ready"));
    let total = 0, sum = 0;
    conn.on("data", (d) => { total += d.length; for (const x of d) sum = (sum + x) % 65521; });
    conn.on("end", () => { console.log(total + " " + sum); conn.end(); });
    conn.on("close", () => process.exit(0));
    conn.on("error", () => process.exit(1));
  `,
    { args: [String(port)] },
  );
  await peer.ready;
  srv.settimeout(5);
  const [conn] = srv.accept();
  srv.close();
  const data = Buffer.alloc(size);
  let expectedSum = 0;
  for (let i = 0; i < size; i++) {
    data[i] = (i * 7 + 3) & 0xff;
    expectedSum = (expectedSum + data[i]) % 65521;
  }
  try {
    // Blocking with no timeout: each send blocks until the peer has read enough.
    assert.equal(conn.gettimeout(), null);
    assert.equal(conn.sendall(data), undefined);
    conn.shutdown(socket.SHUT_WR);
  } finally {
    conn.close();
  }
  const { code, stdout } = await peer.done;
  assert.equal(code, 0);
  assert.equal(stdout.split("\n")[1], `${size} ${expectedSum}`);
});

test("sendto() takes (data, addr) and (data, flags, addr); recvfrom() returns [Buffer, address]", () => {
  const [a, b] = udpPair();
  try {
    const bAddr = b.getsockname();
    assert.equal(a.sendto("first", bAddr), 5);
    assert.equal(a.sendto(Buffer.from("second!"), 0, bAddr), 7);
    const [one, from] = b.recvfrom(100);
    assert.ok(Buffer.isBuffer(one));
    assert.equal(one.toString(), "first");
    assert.deepEqual(from, a.getsockname());
    const [two, from2] = b.recvfrom(100);
    assert.equal(two.toString(), "second!");
    assert.equal(two.length, 7);
    assert.deepEqual(from2, a.getsockname());
    // A datagram larger than bufsize is truncated (the rest is discarded).
    a.sendto("0123456789", bAddr);
    a.sendto("next", bAddr);
    const [cut] = b.recvfrom(4);
    assert.equal(cut.toString(), "0123");
    assert.equal(b.recvfrom(100)[0].toString(), "next");
  } finally {
    a.close();
    b.close();
  }
});

test("recvfrom() on a connected stream socket gives the peer's address", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("xyz");
    const [data, from] = b.recvfrom(10);
    assert.equal(data.toString(), "xyz");
    assert.deepEqual(from, a.getsockname());
  } finally {
    a.close();
    b.close();
  }
});

test("recv_into() fills the buffer it is given and never writes past it", () => {
  const [a, b] = tcpPair();
  try {
    const backing = new Uint8Array(32).fill(0xee);
    const window = backing.subarray(8, 16);
    a.sendall(Buffer.alloc(100, 0x11));
    assert.equal(b.recv_into(window), 8);
    assert.deepEqual([...backing.subarray(0, 8)], new Array(8).fill(0xee));
    assert.deepEqual([...window], new Array(8).fill(0x11));
    assert.deepEqual([...backing.subarray(16)], new Array(16).fill(0xee));
    // nbytes limits the count; the rest of the buffer is untouched.
    window.fill(0);
    assert.equal(b.recv_into(window, 3), 3);
    assert.deepEqual([...window], [0x11, 0x11, 0x11, 0, 0, 0, 0, 0]);
    assert.deepEqual([...backing.subarray(16)], new Array(16).fill(0xee));
    // nbytes larger than the buffer is CPython's ValueError: a RangeError here.
    assert.throws(() => b.recv_into(window, 9), RangeError);
    assert.throws(() => b.recv_into(new Uint8Array(0), 1), RangeError);
    // nbytes 0 = the whole buffer.
    assert.equal(b.recv_into(window, 0), 8);
    assert.deepEqual([...backing.subarray(16)], new Array(16).fill(0xee));
    assert.deepEqual([...backing.subarray(0, 8)], new Array(8).fill(0xee));
  } finally {
    a.close();
    b.close();
  }
});

test("setsockopt() takes an integer, a boolean or bytes; a string is a TypeError", () => {
  const s = socket.socket();
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    assert.notEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, false);
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0);
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, true);
    assert.notEqual(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0);
    assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
    // struct linger { int l_onoff; int l_linger; } passed as bytes, read back with buflen.
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    linger.writeInt32LE(7, 4);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
    const back = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8);
    assert.ok(Buffer.isBuffer(back));
    assert.equal(back.length, 8);
    assert.notEqual(back.readInt32LE(0), 0);
    assert.equal(back.readInt32LE(4), 7);
    // Bytes from any ArrayBufferView (an Int32Array here).
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new Int32Array([1, 3]));
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8).readInt32LE(4), 3);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new Int32Array([0, 0]));
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8).readInt32LE(0), 0);
    assert.throws(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, "1"), TypeError);
  } finally {
    s.close();
  }
});

test("getsockopt() returns an integer, or at most buflen bytes", () => {
  const s = socket.socket();
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
    assert.equal(typeof s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), "number");
    assert.notEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 0);
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
    const four = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4);
    assert.equal(four.length, 4);
    assert.equal(four.readInt32LE(0), socket.SOCK_STREAM);
    // A larger buflen gets as many bytes as the system returned (an int: 4).
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 64).length, 4);
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8).length, 8);
    // buflen 0 is the integer form, as CPython's.
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0), socket.SOCK_STREAM);
  } finally {
    s.close();
  }
});

test("settimeout()/gettimeout()/setblocking() switch between blocking, timeout and non-blocking", () => {
  const [a, b] = tcpPair();
  try {
    b.settimeout(1.5);
    assert.equal(b.gettimeout(), 1.5);
    b.settimeout(0);
    assert.equal(b.gettimeout(), 0);
    expectOSError(() => b.recv(1), EAGAIN);
    b.settimeout(null);
    assert.equal(b.gettimeout(), null);
    b.setblocking(false);
    assert.equal(b.gettimeout(), 0);
    expectOSError(() => b.recv(1), EAGAIN);
    b.setblocking(true);
    assert.equal(b.gettimeout(), null);
    b.settimeout(0.3);
    b.setblocking(true);
    assert.equal(b.gettimeout(), null);
    // Back to blocking: with data present, recv returns it.
    a.sendall("ok");
    assert.equal(b.recv(10).toString(), "ok");
  } finally {
    a.close();
    b.close();
  }
});

test("makefile() returns the socket itself for every binary mode; other modes are a RangeError", () => {
  const s = socket.socket();
  try {
    assert.equal(s.makefile(), s);
    for (const mode of ["rb", "wb", "rwb", "r", "w", "rw"]) assert.equal(s.makefile(mode), s, mode);
    assert.equal(s.makefile("rb", 0), s);
    for (const mode of ["rt", "a", "x", "", "RB", "rb+"]) assert.throws(() => s.makefile(mode), RangeError, mode);
  } finally {
    s.close();
  }
});

test("shutdown(SHUT_WR) ends the stream for the peer; the socket still receives", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("last");
    assert.equal(a.shutdown(socket.SHUT_WR), undefined);
    assert.equal(b.recv(10).toString(), "last");
    assert.equal(b.recv(10).length, 0);
    b.sendall("reply");
    assert.equal(a.recv(10).toString(), "reply");
    b.shutdown(socket.SHUT_RDWR);
    assert.equal(a.recv(10).length, 0);
  } finally {
    a.close();
    b.close();
  }
});

test("getsockname()/getpeername() return [host, port] tuples; an unconnected socket has no peer", () => {
  const [a, b] = tcpPair();
  const lone = socket.socket();
  try {
    const [host, port] = a.getsockname();
    assert.equal(host, "127.0.0.1");
    assert.ok(Number.isInteger(port) && port > 0);
    assert.deepEqual(b.getpeername(), a.getsockname());
    assert.deepEqual(a.getpeername(), b.getsockname());
    assert.deepEqual(lone.getsockname(), ["0.0.0.0", 0]);
    assert.throws(
      () => lone.getpeername(),
      (e) => e instanceof socket.OSError && e.code === "ENOTCONN",
    );
  } finally {
    a.close();
    b.close();
    lone.close();
  }
});

test("[Symbol.dispose]() closes the socket", () => {
  const s = socket.socket();
  assert.equal(typeof s[Symbol.dispose], "function");
  assert.ok(s.fileno() >= 0);
  s[Symbol.dispose]();
  assert.equal(s.fileno(), -1);
  expectOSError(() => s.getsockname(), EBADF);
  s[Symbol.dispose]();
});

test("socketpair() gives two connected AF_UNIX stream sockets, blocking with no timeout", () => {
  const [x, y] = socket.socketpair();
  try {
    assert.ok(x instanceof socket.Socket && y instanceof socket.Socket);
    assert.equal(x.family, socket.AF_UNIX);
    assert.equal(x.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
    assert.equal(x.gettimeout(), null);
    assert.equal(y.gettimeout(), null);
    x.sendall("ping");
    assert.equal(y.recv(10).toString(), "ping");
    y.sendall("pong");
    assert.equal(x.recv(10).toString(), "pong");
  } finally {
    x.close();
    y.close();
  }
  const before = socket.getdefaulttimeout();
  socket.setdefaulttimeout(0.75);
  try {
    const [p, q] = socket.socketpair();
    assert.equal(p.gettimeout(), 0.75);
    assert.equal(q.gettimeout(), 0.75);
    p.close();
    q.close();
  } finally {
    socket.setdefaulttimeout(before);
  }
});

test("create_connection() connects to a loopback listener, with and without a timeout", () => {
  const [srv, addr] = listener();
  try {
    const plain = socket.create_connection(addr);
    try {
      assert.ok(plain instanceof socket.Socket);
      assert.equal(plain.gettimeout(), null);
      assert.deepEqual(plain.getpeername(), addr);
      const [conn] = srv.accept();
      plain.sendall("hi");
      assert.equal(conn.recv(10).toString(), "hi");
      conn.close();
    } finally {
      plain.close();
    }
    const timed = socket.create_connection(["127.0.0.1", addr[1]], 2);
    try {
      assert.equal(timed.gettimeout(), 2);
      assert.deepEqual(timed.getpeername(), addr);
      srv.accept()[0].close();
    } finally {
      timed.close();
    }
  } finally {
    srv.close();
  }
  const [holder, port] = refusingPort();
  try {
    expectOSError(() => socket.create_connection(["127.0.0.1", port], 2), ECONNREFUSED);
  } finally {
    holder.close();
  }
});

test("create_connection() resolves a name (the only call that does) and connects", (t) => {
  let infos;
  try {
    infos = socket.getaddrinfo("localhost", 0, socket.AF_INET, socket.SOCK_STREAM);
  } catch (error) {
    t.skip(`"localhost" does not resolve here: ${error.message}`);
    return;
  }
  const host = infos[0][4][0];
  const srv = socket.socket();
  try {
    srv.bind([host, 0]);
    srv.listen();
    const [, port] = srv.getsockname();
    const c = socket.create_connection(["localhost", port], 2);
    try {
      assert.deepEqual(c.getpeername().slice(0, 2), [host, port]);
    } finally {
      c.close();
    }
  } finally {
    srv.close();
  }
});

test("create_connection() without a timeout uses the default timeout; with null it blocks", () => {
  const [srv, addr] = listener();
  const before = socket.getdefaulttimeout();
  try {
    socket.setdefaulttimeout(3);
    const s = socket.create_connection(addr);
    assert.equal(s.gettimeout(), 3);
    s.close();
    // An explicit null asks for a blocking socket, whatever the default (CPython).
    const blocking = socket.create_connection(addr, null);
    assert.equal(blocking.gettimeout(), null);
    blocking.close();
  } finally {
    socket.setdefaulttimeout(before);
    srv.close();
  }
});

test("gethostname() is the system's host name", () => {
  const name = socket.gethostname();
  assert.equal(typeof name, "string");
  assert.ok(name.length > 0);
  assert.equal(name, hostname());
});

test("getdefaulttimeout()/setdefaulttimeout(): null by default; new sockets start with it", () => {
  const before = socket.getdefaulttimeout();
  assert.equal(before, null);
  try {
    socket.setdefaulttimeout(4.5);
    assert.equal(socket.getdefaulttimeout(), 4.5);
    const s = socket.socket();
    assert.equal(s.gettimeout(), 4.5);
    s.close();
    socket.setdefaulttimeout(0);
    const nb = socket.socket();
    assert.equal(nb.gettimeout(), 0);
    nb.close();
    socket.setdefaulttimeout(null);
    assert.equal(socket.getdefaulttimeout(), null);
    const plain = socket.socket();
    assert.equal(plain.gettimeout(), null);
    plain.close();
  } finally {
    socket.setdefaulttimeout(before);
  }
});

test("OSError (docs/behaviour.md §5): an Error with errno, code, args, syscall and, where one applies, address", () => {
  const [holder, port] = refusingPort();
  const c = socket.socket();
  try {
    const [error] = expectOSError(() => c.connect(["127.0.0.1", port]), ECONNREFUSED);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "OSError");
    assert.equal(error.code, "ECONNREFUSED");
    assert.equal(errorcode[error.errno], "ECONNREFUSED");
    assert.deepEqual(error.args, [ECONNREFUSED]);
    assert.equal(error.syscall, "connect");
    assert.deepEqual(error.address, ["127.0.0.1", port]);
    assert.match(error.message, new RegExp(`\\[Errno ${ECONNREFUSED}\\]`));
    assert.ok(error.errno > 0);
    // An error with no address has none.
    const [other] = expectOSError(() => c.getpeername(), ENOTCONN);
    assert.equal(other.address, undefined);
  } finally {
    c.close();
    holder.close();
  }
});
