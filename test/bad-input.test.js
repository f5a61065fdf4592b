// docs/behaviour.md §2, §5, §10: wrong types are TypeErrors, out-of-range values RangeErrors,
// names are never resolved outside getaddrinfo, unknown families are EAFNOSUPPORT, and a
// closed socket raises EBADF before it looks at its arguments.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { EAFNOSUPPORT, EBADF, EINVAL } from "../dist/errno.js";
import { fdCount, tcpPair } from "./support/peers.js";
import { expectOSError } from "./support/assertions.js";
import { startedWatchdog } from "./support/blocking.js";

// A blocking call that never returns would hang the run: end it instead.
await startedWatchdog(60);

const BAD_PORTS_RANGE = [70000, 65536, -1, 1.5, NaN, Infinity, -Infinity];
const BAD_PORTS_TYPE = ["80", null, undefined, 80n, {}, [80]];

function withSockets(fn) {
  const tcp = socket.socket();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    fn(tcp, udp);
  } finally {
    tcp.close();
    udp.close();
  }
}

test("ports out of range are RangeErrors; ports that are not numbers are TypeErrors", () => {
  withSockets((tcp, udp) => {
    for (const port of BAD_PORTS_RANGE) {
      assert.throws(() => tcp.bind(["127.0.0.1", port]), RangeError, `bind port ${port}`);
      assert.throws(() => tcp.connect(["127.0.0.1", port]), RangeError, `connect port ${port}`);
      assert.throws(() => udp.sendto("x", ["127.0.0.1", port]), RangeError, `sendto port ${port}`);
      assert.throws(() => socket.create_connection(["127.0.0.1", port]), RangeError, `create_connection port ${port}`);
    }
    for (const port of BAD_PORTS_TYPE) {
      assert.throws(() => tcp.bind(["127.0.0.1", port]), TypeError, `bind port ${String(port)}`);
      assert.throws(() => tcp.connect(["127.0.0.1", port]), TypeError, `connect port ${String(port)}`);
      assert.throws(() => udp.sendto("x", 0, ["127.0.0.1", port]), TypeError, `sendto port ${String(port)}`);
    }
    // The sockets are untouched by the rejected calls.
    tcp.bind(["127.0.0.1", 0]);
    assert.ok(tcp.getsockname()[1] > 0);
  });
});

test("settimeout()/setdefaulttimeout(): NaN, ±Infinity and negatives are RangeErrors; non-numbers TypeErrors", () => {
  withSockets((tcp) => {
    tcp.settimeout(2);
    for (const value of [NaN, Infinity, -Infinity, -1, -0.001]) {
      assert.throws(() => tcp.settimeout(value), RangeError, `settimeout(${value})`);
      assert.throws(() => socket.setdefaulttimeout(value), RangeError, `setdefaulttimeout(${value})`);
      assert.throws(
        () => socket.create_connection(["127.0.0.1", 1], value),
        RangeError,
        `create_connection timeout ${value}`,
      );
    }
    for (const value of ["1", true, {}, [1], 1n]) {
      assert.throws(() => tcp.settimeout(value), TypeError, `settimeout(${String(value)})`);
      assert.throws(() => socket.setdefaulttimeout(value), TypeError, `setdefaulttimeout(${String(value)})`);
    }
    assert.equal(tcp.gettimeout(), 2, "a rejected settimeout leaves the timeout as it was");
    assert.equal(socket.getdefaulttimeout(), null);
    assert.throws(() => tcp.setblocking("no"), TypeError);
    assert.equal(tcp.gettimeout(), 2);
  });
});

test("sizes: negative or fractional bufsize/nbytes/size/limit are RangeErrors; non-numbers TypeErrors", () => {
  const [a, b] = tcpPair();
  try {
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      assert.throws(() => b.recv(bad), RangeError, `recv(${bad})`);
      assert.throws(() => b.recvfrom(bad), RangeError, `recvfrom(${bad})`);
      assert.throws(() => b.recv_into(new Uint8Array(4), bad), RangeError, `recv_into nbytes ${bad}`);
      assert.throws(() => b.readinto(new Uint8Array(4), bad), RangeError, `readinto nbytes ${bad}`);
    }
    for (const bad of [1.5, NaN, Infinity]) {
      assert.throws(() => b.read(bad), RangeError, `read(${bad})`);
      assert.throws(() => b.readline(bad), RangeError, `readline(${bad})`);
    }
    for (const bad of ["10", {}, [10], true]) {
      assert.throws(() => b.recv(bad), TypeError, `recv(${String(bad)})`);
      assert.throws(() => b.recvfrom(bad), TypeError);
      assert.throws(() => b.read(bad), TypeError);
      assert.throws(() => b.readline(bad), TypeError);
      assert.throws(() => b.recv(10, bad), TypeError, "flags");
    }
    assert.throws(() => b.recv(10, 1.5), RangeError, "flags 1.5");
    assert.throws(() => b.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, -1), RangeError);
    assert.throws(() => b.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 1.5), RangeError);
    assert.throws(() => b.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, "8"), TypeError);
    assert.throws(() => b.listen("5"), TypeError);
    assert.throws(() => b.listen(1.5), RangeError);
    assert.throws(() => b.shutdown("both"), TypeError);
    // Nothing was consumed by the rejected calls.
    a.sendall("still here");
    assert.equal(b.recv(100).toString(), "still here");
  } finally {
    a.close();
    b.close();
  }
});

test("data and buffers of the wrong type are TypeErrors", () => {
  const [a, b] = tcpPair();
  try {
    for (const bad of [123, null, undefined, {}, [1, 2], true]) {
      assert.throws(() => a.send(bad), TypeError, `send(${String(bad)})`);
      assert.throws(() => a.sendall(bad), TypeError, `sendall(${String(bad)})`);
      assert.throws(() => a.write(bad), TypeError, `write(${String(bad)})`);
      assert.throws(() => a.sendto(bad, b.getsockname()), TypeError, `sendto(${String(bad)})`);
      assert.throws(() => b.recv_into(bad), TypeError, `recv_into(${String(bad)})`);
      assert.throws(() => b.readinto(bad), TypeError, `readinto(${String(bad)})`);
    }
    assert.throws(() => b.recv_into("a string"), TypeError);
    for (const bad of ["1", null, undefined, {}, [1]]) {
      assert.throws(
        () => a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, bad),
        TypeError,
        `setsockopt ${String(bad)}`,
      );
    }
    assert.throws(() => a.setsockopt("SOL_SOCKET", socket.SO_REUSEADDR, 1), TypeError);
    assert.throws(() => a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1.5), RangeError);
    assert.throws(() => a.makefile(5), TypeError);
    assert.throws(() => a.makefile("rb", "0"), TypeError);
    assert.throws(() => a.makefile("rt"), RangeError);
  } finally {
    a.close();
    b.close();
  }
});

test("detached, shared and empty buffers are handled without a crash", () => {
  const [a, b] = tcpPair();
  try {
    const detached = new Uint8Array(16);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assert.equal(detached.byteLength, 0);
    assert.equal(a.send(detached), 0);
    assert.equal(a.send(new Uint8Array(0)), 0);
    a.sendall("");
    // A receive of 0 bytes waits for data, as the system's recv (and CPython) does: send first.
    a.sendall("shared");
    assert.equal(b.recv_into(detached), 0);
    assert.equal(b.recv_into(new Uint8Array(0)), 0);
    assert.equal(b.readinto(detached), 0);
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    assert.equal(b.recv_into(shared, 6), 6);
    assert.equal(Buffer.from(shared.subarray(0, 6)).toString(), "shared");
  } finally {
    a.close();
    b.close();
  }
});

test("socket() with arguments of the wrong type or range", () => {
  assert.throws(() => socket.socket("AF_INET"), TypeError);
  assert.throws(() => socket.socket(socket.AF_INET, "stream"), TypeError);
  assert.throws(() => socket.socket(socket.AF_INET, 1.5), RangeError);
  assert.throws(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, NaN), RangeError);
  assert.throws(() => new socket.Socket(2 ** 40), RangeError);
  assert.throws(() => socket.socketpair("x"), TypeError);
});

test("domain names in bind/connect/sendto are OSError(EINVAL) saying to use getaddrinfo", () => {
  withSockets((tcp, udp) => {
    const names = ["localhost", "example.invalid", "127.0.0.1.example", "::1", "1.2.3", "256.0.0.1"];
    for (const host of names) {
      for (const [name, call] of [
        ["bind", () => tcp.bind([host, 0])],
        ["connect", () => tcp.connect([host, 80])],
        ["sendto", () => udp.sendto("x", [host, 9])],
      ]) {
        const [error] = expectOSError(call, EINVAL);
        assert.match(error.message, /getaddrinfo/, `${name} ${host}: ${error.message}`);
        assert.equal(error.syscall, name);
      }
    }
  });
  const v6 = socket.socket(socket.AF_INET6);
  try {
    const [error] = expectOSError(() => v6.connect(["localhost", 80]), EINVAL);
    assert.match(error.message, /getaddrinfo/);
    expectOSError(() => v6.bind(["127.0.0.1", 0]), EINVAL);
  } finally {
    v6.close();
  }
});

test("hosts with a NUL byte or of absurd length are EINVAL, never cut short", () => {
  withSockets((tcp, udp) => {
    expectOSError(() => tcp.bind(["127.0.0.1\0garbage", 0]), EINVAL);
    expectOSError(() => udp.sendto("x", ["127.0.0.1\0", 9]), EINVAL);
    expectOSError(() => tcp.connect(["1".repeat(100000), 80]), EINVAL);
    expectOSError(() => tcp.bind(["é".repeat(300), 0]), EINVAL);
  });
});

test("malformed address tuples are TypeErrors", () => {
  withSockets((tcp, udp) => {
    const bad = [
      ["127.0.0.1"],
      ["127.0.0.1", 80, 0],
      [],
      [127001, 80],
      [null, 80],
      [["127.0.0.1"], 80],
      "127.0.0.1:80",
      null,
      undefined,
      { host: "127.0.0.1", port: 80 },
      80,
    ];
    for (const address of bad) {
      const label = JSON.stringify(address) ?? String(address);
      assert.throws(() => tcp.bind(address), TypeError, `bind ${label}`);
      assert.throws(() => tcp.connect(address), TypeError, `connect ${label}`);
      assert.throws(() => udp.sendto("x", address), TypeError, `sendto ${label}`);
    }
    assert.throws(() => socket.create_connection("127.0.0.1:80"), TypeError);
    assert.throws(() => socket.create_connection([80, "127.0.0.1"]), TypeError);
  });
  const v6 = socket.socket(socket.AF_INET6);
  try {
    assert.throws(() => v6.bind(["::1", 0, 0, 0, 0]), TypeError);
    assert.throws(() => v6.bind(["::1"]), TypeError);
    assert.throws(() => v6.bind(["::1", 0, -1, 0]), RangeError);
    assert.throws(() => v6.bind(["::1", 0, 0, 2 ** 33]), RangeError);
  } finally {
    v6.close();
  }
});

test("inet_ntop with a buffer of the wrong length is a RangeError; inet_pton of bad text is EINVAL", () => {
  assert.throws(() => socket.inet_ntop(socket.AF_INET, new Uint8Array(3)), RangeError);
  assert.throws(() => socket.inet_ntop(socket.AF_INET, new Uint8Array(5)), RangeError);
  assert.throws(() => socket.inet_ntop(socket.AF_INET6, new Uint8Array(4)), RangeError);
  assert.throws(() => socket.inet_ntop(socket.AF_INET6, new Uint8Array(15)), RangeError);
  // A 3-byte window over a larger buffer must not be read past.
  assert.throws(() => socket.inet_ntop(socket.AF_INET, new Uint8Array(16).subarray(0, 3)), RangeError);
  assert.throws(() => socket.inet_ntop(socket.AF_INET, "1234"), TypeError);
  assert.throws(() => socket.inet_ntop(socket.AF_INET, [127, 0, 0, 1]), TypeError);
  assert.equal(socket.inet_ntop(socket.AF_INET, new Uint8Array([127, 0, 0, 1])), "127.0.0.1");
  for (const text of ["1.2.3", "1.2.3.4.5", "localhost", "", "1.2.3.256"]) {
    expectOSError(() => socket.inet_pton(socket.AF_INET, text), EINVAL);
  }
  assert.throws(() => socket.inet_pton(socket.AF_INET, 1234), TypeError);
});

test("an unknown address family is OSError(EAFNOSUPPORT)", () => {
  const unknown = 9999;
  expectOSError(() => socket.inet_pton(unknown, "1.2.3.4"), EAFNOSUPPORT);
  expectOSError(() => socket.inet_ntop(unknown, new Uint8Array(4)), EAFNOSUPPORT);
  const before = fdCount();
  expectOSError(() => socket.socket(unknown, socket.SOCK_STREAM), EAFNOSUPPORT);
  assert.equal(fdCount(), before, "a failed socket() leaves no descriptor open");
});

test("after close(), every method raises EBADF before it looks at its arguments", () => {
  const s = socket.socket();
  s.close();
  const garbage = [
    Symbol("x"),
    {
      toString: () => {
        throw new Error("looked at");
      },
    },
    -1.5,
    NaN,
  ];
  const calls = {
    bind: () => s.bind(42),
    listen: () => s.listen("lots"),
    accept: () => s.accept(...garbage),
    connect: () => s.connect(null),
    send: () => s.send(undefined, "flags"),
    sendall: () => s.sendall({}, NaN),
    sendto: () => s.sendto(1, 2, 3),
    recv: () => s.recv("x", {}),
    recvfrom: () => s.recvfrom(-1, 1.5),
    recv_into: () => s.recv_into(null, -4),
    setsockopt: () => s.setsockopt("a", "b", "c"),
    getsockopt: () => s.getsockopt(null, undefined, -1),
    settimeout: () => s.settimeout(-5),
    setblocking: () => s.setblocking("x"),
    shutdown: () => s.shutdown("x"),
    getsockname: () => s.getsockname(...garbage),
    getpeername: () => s.getpeername(...garbage),
    makefile: () => s.makefile(7, "z"),
    read: () => s.read("x"),
    readinto: () => s.readinto(null, "y"),
    readline: () => s.readline({}),
    write: () => s.write(7),
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(call, (e) => e instanceof socket.OSError && e.errno === EBADF, name);
  }
  // These still work.
  s.close();
  s[Symbol.dispose]();
  assert.equal(s.fileno(), -1);
  assert.equal(s.gettimeout(), null);
});

test("no malformed input leaks a descriptor", () => {
  const before = fdCount();
  for (let i = 0; i < 20; i++) {
    assert.throws(() => socket.create_connection(["localhost", 70000]), RangeError);
    assert.throws(() => socket.create_connection(["127.0.0.1", 1], -1), RangeError);
    const s = socket.socket();
    assert.throws(() => s.connect(["no.such.host.invalid", 80]), socket.OSError);
    assert.throws(() => s.bind(null), TypeError);
    s.close();
  }
  assert.equal(fdCount(), before);
});

test("every method, given any pair of odd arguments, returns or raises TypeError, RangeError or OSError", () => {
  const values = [
    undefined,
    null,
    0,
    -1,
    1.5,
    NaN,
    Infinity,
    2 ** 53,
    -(2 ** 31) - 1,
    2 ** 31,
    "",
    "x",
    "rb",
    "\0",
    {},
    [],
    [""],
    ["127.0.0.1"],
    ["127.0.0.1", 0],
    ["::1", 0, 0, 0],
    ["127.0.0.1", 0, 0],
    new Uint8Array(0),
    new Uint8Array(3),
    new Float64Array(2),
    new DataView(new ArrayBuffer(8)),
    Symbol("s"),
    true,
    10n,
    () => 1,
    socket.SOL_SOCKET,
    socket.SO_REUSEADDR,
    socket.MSG_PEEK,
    1024,
    1025,
  ];
  const methods = [
    "bind",
    "listen",
    "accept",
    "connect",
    "send",
    "sendall",
    "sendto",
    "recv",
    "recvfrom",
    "recv_into",
    "setsockopt",
    "getsockopt",
    "shutdown",
    "getsockname",
    "getpeername",
    "makefile",
    "read",
    "readinto",
    "readline",
    "write",
    "settimeout",
    "setblocking",
  ];
  const before = fdCount();
  const unexpected = [];
  for (const type of [socket.SOCK_STREAM, socket.SOCK_DGRAM]) {
    for (const method of methods) {
      for (const a of values) {
        for (const b of values) {
          // Non-blocking, so that no call can wait; a fresh socket for every call.
          const s = socket.socket(socket.AF_INET, type);
          s.settimeout(0);
          try {
            s[method](a, b);
          } catch (error) {
            if (!(error instanceof TypeError || error instanceof RangeError || error instanceof socket.OSError)) {
              unexpected.push(`${method}(${String(a)}, ${String(b)}): ${error}`);
            }
          } finally {
            s.close();
          }
        }
      }
    }
  }
  assert.deepEqual(unexpected.slice(0, 10), []);
  assert.equal(fdCount(), before, "no descriptor leaked");
});
