// AF_UNIX stream and datagram sockets: path names (in a fresh temporary directory that is
// removed afterwards), Linux abstract names, the unnamed address "", Buffer names, and the
// kernel's errors passed through (docs/behaviour.md §2, §10).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import * as errno from "../dist/errno.js";
import { tempDir } from "./support/host.js";

const { AF_UNIX, SOCK_STREAM, SOCK_DGRAM } = socket;
const [dir, removeDir] = tempDir("usocket-unix-");
after(removeDir);
const linux = process.platform === "linux" ? false : "abstract names are Linux only";

let serial = 0;
/** A fresh socket path in the temporary directory. */
const freshPath = (stem = "s") => path.join(dir, `${stem}${++serial}.sock`);
/** A fresh abstract name: unique to this process and call. */
const abstractName = () => `\0usocket-test-${process.pid}-${++serial}`;

function unixListener(address, backlog) {
  const srv = socket.socket(AF_UNIX, SOCK_STREAM);
  srv.bind(address);
  srv.listen(backlog);
  return srv;
}

/** Connects a client to `address` and accepts it: [client, server side, accepted address]. */
function unixPair(address) {
  const srv = unixListener(address);
  const client = socket.socket(AF_UNIX, SOCK_STREAM);
  client.connect(address);
  const [server, from] = srv.accept();
  return [client, server, from, srv];
}

test("stream over a path: bind creates the socket file, names on both sides, bytes both ways", () => {
  const where = freshPath();
  const [client, server, from, srv] = unixPair(where);
  try {
    assert.ok(lstatSync(where).isSocket());
    assert.equal(srv.getsockname(), where);
    assert.equal(server.getsockname(), where);
    assert.equal(client.getpeername(), where);
    // The client never bound: its name, and the address accept reports, are "".
    assert.equal(client.getsockname(), "");
    assert.equal(from, "");
    assert.equal(server.getpeername(), "");
    client.sendall("through the file system");
    assert.equal(server.recv(100).toString(), "through the file system");
    server.sendall(Buffer.from([0, 1, 2]));
    assert.deepEqual([...client.recv(100)], [0, 1, 2]);
    client.close();
    assert.equal(server.recv(100).length, 0, "EOF after the client closed");
  } finally {
    client.close();
    server.close();
    srv.close();
  }
  // Closing does not unlink the file: binding the same path again is the kernel's EADDRINUSE.
  assert.ok(existsSync(where));
  const again = socket.socket(AF_UNIX, SOCK_STREAM);
  try {
    assert.throws(() => again.bind(where), {
      code: "EADDRINUSE",
      errno: errno.EADDRINUSE,
      syscall: "bind",
      address: where,
    });
  } finally {
    again.close();
  }
});

test("a client bound to its own path reports it on both sides", () => {
  const where = freshPath("srv");
  const mine = freshPath("cli");
  const srv = unixListener(where);
  const client = socket.socket(AF_UNIX, SOCK_STREAM);
  client.bind(mine);
  client.connect(where);
  const [server, from] = srv.accept();
  try {
    assert.equal(from, mine);
    assert.equal(server.getpeername(), mine);
    assert.equal(client.getsockname(), mine);
  } finally {
    client.close();
    server.close();
    srv.close();
  }
});

test("abstract names: a leading \\0, no file created, returned exactly", { skip: linux }, () => {
  const name = abstractName();
  const before = readdirSync(dir).length;
  const [client, server, from, srv] = unixPair(name);
  try {
    assert.equal(srv.getsockname(), name);
    assert.equal(client.getpeername(), name);
    assert.equal(client.getsockname(), "");
    assert.equal(from, "");
    assert.equal(readdirSync(dir).length, before);
    client.sendall("abstract");
    assert.equal(server.recv(64).toString(), "abstract");
  } finally {
    client.close();
    server.close();
    srv.close();
  }
  // The name is free again once its socket is closed (nothing on disk to remove).
  const reuse = socket.socket(AF_UNIX, SOCK_DGRAM);
  reuse.bind(name);
  assert.equal(reuse.getsockname(), name);
  reuse.close();
});

test("abstract names keep every byte, embedded NULs and a trailing NUL included", { skip: linux }, () => {
  const base = abstractName();
  const names = [`${base}\0inner`, `${base}-tail\0`, `${base}`];
  const sockets = names.map((name) => {
    const s = socket.socket(AF_UNIX, SOCK_DGRAM);
    s.bind(name); // distinct names: none of these binds collides with another
    return s;
  });
  try {
    sockets.forEach((s, i) => {
      assert.equal(s.getsockname(), names[i]);
    });
    const sender = socket.socket(AF_UNIX, SOCK_DGRAM);
    sender.sendto("to the one with inner NUL", names[0]);
    assert.equal(sockets[0].recv(64).toString(), "to the one with inner NUL");
    sender.close();
  } finally {
    for (const s of sockets) s.close();
  }
});

test('the unnamed address is "": socketpair, stream and datagram', () => {
  for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
    const [a, b] = socket.socketpair(AF_UNIX, type);
    try {
      assert.equal(a.family, AF_UNIX);
      assert.equal(a.type, type);
      assert.equal(a.getsockname(), "");
      assert.equal(a.getpeername(), "");
      assert.equal(b.getsockname(), "");
      a.send("pair");
      if (type === SOCK_DGRAM) {
        const [data, from] = b.recvfrom(16);
        assert.equal(data.toString(), "pair");
        assert.equal(from, "");
      } else {
        assert.equal(b.recv(16).toString(), "pair");
      }
    } finally {
      a.close();
      b.close();
    }
  }
  // socketpair() with no arguments is AF_UNIX, SOCK_STREAM.
  const [x, y] = socket.socketpair();
  assert.equal(x.family, AF_UNIX);
  assert.equal(x.type, SOCK_STREAM);
  x.close();
  y.close();
});

test('datagram over paths: sendto/recvfrom with the sender\'s path, or "" for an unbound sender', () => {
  const rx = socket.socket(AF_UNIX, SOCK_DGRAM);
  const tx = socket.socket(AF_UNIX, SOCK_DGRAM);
  const anon = socket.socket(AF_UNIX, SOCK_DGRAM);
  const rxPath = freshPath("rx");
  const txPath = freshPath("tx");
  try {
    rx.bind(rxPath);
    tx.bind(txPath);
    assert.equal(tx.sendto("named", rxPath), 5);
    assert.equal(anon.sendto("anonymous", rxPath), 9);
    const [first, firstFrom] = rx.recvfrom(64);
    assert.equal(first.toString(), "named");
    assert.equal(firstFrom, txPath);
    const [second, secondFrom] = rx.recvfrom(64);
    assert.equal(second.toString(), "anonymous");
    assert.equal(secondFrom, "");
    // Datagram boundaries hold and a reply reaches the named sender.
    rx.sendto("reply", txPath);
    assert.deepEqual(tx.recvfrom(64).map(String), ["reply", rxPath]);
    // A connected datagram socket: send/recv, and getpeername is the path.
    anon.connect(rxPath);
    assert.equal(anon.getpeername(), rxPath);
    anon.send("connected");
    assert.equal(rx.recv(64).toString(), "connected");
  } finally {
    rx.close();
    tx.close();
    anon.close();
  }
});

test("Buffer names: bind and connect take bytes, including names that are not UTF-8", () => {
  const text = freshPath("buf");
  const srv = unixListener(Buffer.from(text, "utf8"));
  assert.equal(srv.getsockname(), text);
  const client = socket.socket(AF_UNIX, SOCK_STREAM);
  client.connect(Buffer.from(text));
  const [server] = srv.accept();
  client.sendall("b");
  assert.equal(server.recv(1).toString(), "b");
  client.close();
  server.close();
  srv.close();

  // Bytes 0xff 0xfe are not UTF-8: the file carries exactly those bytes and a connect
  // with the same Buffer reaches it.
  const raw = Buffer.concat([Buffer.from(dir + "/"), Buffer.from([0xff, 0xfe]), Buffer.from(`-${++serial}.sock`)]);
  const rawSrv = unixListener(raw);
  try {
    const names = readdirSync(dir, { encoding: "buffer" });
    assert.ok(
      names.some((n) => n.equals(raw.subarray(dir.length + 1))),
      "the file name holds the raw bytes",
    );
    const rawClient = socket.socket(AF_UNIX, SOCK_STREAM);
    rawClient.connect(raw);
    const [rawServer] = rawSrv.accept();
    rawClient.sendall("raw");
    assert.equal(rawServer.recv(3).toString(), "raw");
    rawClient.close();
    rawServer.close();
  } finally {
    rawSrv.close();
  }

  // An abstract name as bytes.
  if (process.platform === "linux") {
    const name = abstractName();
    const d = socket.socket(AF_UNIX, SOCK_DGRAM);
    d.bind(Buffer.from(name, "utf8"));
    assert.equal(d.getsockname(), name);
    d.close();
  }
});

test("a path too long for sun_path is OSError(ENAMETOOLONG); the longest that fits binds", () => {
  const s = socket.socket(AF_UNIX, SOCK_STREAM);
  try {
    for (const address of ["x".repeat(108), "/" + "y".repeat(200), Buffer.alloc(4096, 0x61), "\0" + "z".repeat(108)]) {
      assert.throws(
        () => s.bind(address),
        (error) => {
          assert.ok(error instanceof socket.OSError, String(error));
          assert.ok(error instanceof Error);
          assert.equal(error.errno, errno.ENAMETOOLONG);
          assert.deepEqual(error.args, [errno.ENAMETOOLONG]);
          assert.equal(error.syscall, "bind");
          assert.match(error.message, /too long/);
          return true;
        },
      );
      assert.throws(() => s.connect(address), { errno: errno.ENAMETOOLONG, syscall: "connect" });
    }
    // Nothing was bound by the failed attempts.
    assert.equal(s.getsockname(), "");
  } finally {
    s.close();
  }
  // sun_path holds 108 bytes on Linux: a path of 107 bytes plus its NUL fits.
  const prefix = path.join(dir, "L");
  const longest = prefix + "x".repeat(107 - Buffer.byteLength(prefix));
  assert.equal(Buffer.byteLength(longest), 107);
  const fits = socket.socket(AF_UNIX, SOCK_DGRAM);
  try {
    fits.bind(longest);
    assert.equal(fits.getsockname(), longest);
    assert.ok(existsSync(longest));
  } finally {
    fits.close();
  }
  if (process.platform === "linux") {
    // An abstract name may use all 108 bytes, its leading NUL included.
    const full = `\0usocket-${process.pid}-`.padEnd(108, "w");
    const abs = socket.socket(AF_UNIX, SOCK_DGRAM);
    abs.bind(full);
    assert.equal(abs.getsockname(), full);
    abs.close();
  }
});

test("connect to a missing path is ENOENT; to a file that is not a socket, ECONNREFUSED", () => {
  const s = socket.socket(AF_UNIX, SOCK_STREAM);
  const missing = path.join(dir, "missing.sock");
  try {
    assert.throws(
      () => s.connect(missing),
      (error) => {
        assert.ok(error instanceof socket.OSError);
        assert.equal(error.errno, errno.ENOENT);
        assert.equal(error.code, "ENOENT");
        assert.equal(error.syscall, "connect");
        assert.equal(error.address, missing);
        return true;
      },
    );
  } finally {
    s.close();
  }
  const plain = path.join(dir, "plain-file");
  writeFileSync(plain, "not a socket");
  const t = socket.socket(AF_UNIX, SOCK_STREAM);
  try {
    assert.throws(() => t.connect(plain), { code: "ECONNREFUSED", errno: errno.ECONNREFUSED });
  } finally {
    t.close();
  }
  // A datagram sendto a missing path is ENOENT too.
  const d = socket.socket(AF_UNIX, SOCK_DGRAM);
  try {
    assert.throws(() => d.sendto("x", missing), { code: "ENOENT", syscall: "sendto" });
  } finally {
    d.close();
  }
});

test("connect to a path whose listener has closed is ECONNREFUSED", () => {
  const where = freshPath("gone");
  unixListener(where).close();
  const s = socket.socket(AF_UNIX, SOCK_STREAM);
  try {
    assert.throws(() => s.connect(where), { code: "ECONNREFUSED", syscall: "connect" });
  } finally {
    s.close();
  }
});

test("a stream socket type mismatch is the kernel's error (EPROTOTYPE / ECONNREFUSED)", () => {
  const where = freshPath("dgram");
  const d = socket.socket(AF_UNIX, SOCK_DGRAM);
  d.bind(where);
  const s = socket.socket(AF_UNIX, SOCK_STREAM);
  try {
    assert.throws(
      () => s.connect(where),
      (error) =>
        error instanceof socket.OSError && (error.errno === errno.EPROTOTYPE || error.errno === errno.ECONNREFUSED),
    );
  } finally {
    s.close();
    d.close();
  }
});

test("non-blocking connect to a full backlog: the kernel's EAGAIN, not EINPROGRESS", () => {
  // Linux refuses a new AF_UNIX connection at once when the listener's queue is over its
  // backlog; a non-blocking connect then fails with EAGAIN (docs/behaviour.md §10). With backlog 0
  // the second connection finds the queue full; the loop bounds it in case a system
  // allows a few more.
  const where = freshPath("full");
  const srv = unixListener(where, 0);
  const clients = [];
  let failure = null;
  try {
    for (let i = 0; i < 64 && failure === null; i++) {
      const c = socket.socket(AF_UNIX, SOCK_STREAM);
      clients.push(c);
      c.setblocking(false);
      try {
        c.connect(where);
      } catch (error) {
        failure = error;
      }
    }
    assert.ok(failure !== null, "64 connections never filled a backlog of 0");
    assert.ok(failure instanceof socket.OSError, String(failure));
    assert.equal(failure.errno, errno.EAGAIN);
    assert.equal(failure.code, "EAGAIN");
    assert.equal(failure.syscall, "connect");
    assert.equal(failure.address, where);
    // Draining one queued connection makes room: the failed socket can then connect.
    srv.accept()[0].close();
    clients.at(-1).connect(where);
    assert.equal(clients.at(-1).getpeername(), where);
  } finally {
    for (const c of clients) c.close();
    srv.close();
  }
});

test("AF_UNIX rejects IP tuples with a TypeError, and IP sockets reject paths", () => {
  const u = socket.socket(AF_UNIX, SOCK_STREAM);
  const t = socket.socket(socket.AF_INET, SOCK_STREAM);
  try {
    assert.throws(() => u.bind(["127.0.0.1", 0]), TypeError);
    assert.throws(() => u.connect(42), TypeError);
    assert.throws(() => t.bind(freshPath()), TypeError);
  } finally {
    u.close();
    t.close();
  }
});

test("a datagram larger than 256 KiB arrives whole when bufsize is larger still", (t) => {
  // docs/behaviour.md §10 caps what one system call asks for at 256 KiB "or what FIONREAD
  // reports"; a datagram is truncated only when it is larger than bufsize (docs/behaviour.md §4).
  // AF_UNIX datagrams can be this large once SO_SNDBUF allows it.
  const [a, b] = socket.socketpair(AF_UNIX, SOCK_DGRAM);
  try {
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20);
    const size = 300000;
    if (a.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) < size + 1024) {
      t.skip("the system caps SO_SNDBUF below 300 kB");
      return;
    }
    const big = Buffer.alloc(size);
    for (let i = 0; i < size; i++) big[i] = (i * 31) & 0xff;
    b.settimeout(2);
    for (const receive of [(n) => b.recv(n), (n) => b.recvfrom(n)[0]]) {
      assert.equal(a.send(big), size);
      a.send("next");
      const got = receive(1 << 20);
      assert.equal(got.length, size);
      assert.ok(got.equals(big));
      assert.equal(b.recv(1 << 20).toString(), "next");
    }
    // Smaller than the datagram: truncated to bufsize, the rest dropped.
    a.send(big);
    a.send("after");
    assert.ok(b.recv(size - 1).equals(big.subarray(0, size - 1)));
    assert.equal(b.recv(1 << 20).toString(), "after");
    // Non-blocking with nothing queued is still EAGAIN.
    b.setblocking(false);
    assert.throws(() => b.recv(1 << 20), { code: "EAGAIN" });
    assert.throws(() => b.recvfrom(1 << 20), { code: "EAGAIN" });
  } finally {
    a.close();
    b.close();
  }
});

test('bind("") autobinds to a fresh abstract name, as CPython on Linux', { skip: linux }, () => {
  const a = socket.socket(AF_UNIX, SOCK_DGRAM);
  const b = socket.socket(AF_UNIX, SOCK_DGRAM);
  try {
    a.bind("");
    b.bind(""); // a second autobind gets another name, not EADDRINUSE
    const aName = a.getsockname();
    const bName = b.getsockname();
    assert.match(aName, /^\0[0-9a-f]{5}$/);
    assert.match(bName, /^\0[0-9a-f]{5}$/);
    assert.notEqual(aName, bName);
    // The autobound name is a real address: the receiver sees it and can answer it.
    a.sendto("hello", bName);
    const [data, from] = b.recvfrom(16);
    assert.equal(data.toString(), "hello");
    assert.equal(from, aName);
    b.sendto("back", from);
    assert.equal(a.recv(16).toString(), "back");
  } finally {
    a.close();
    b.close();
  }
});
