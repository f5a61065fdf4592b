// The fast paths added for the benchmark (docs/performance.md) must answer exactly as the
// general paths do: inet_pton/inet_ntop for IPv4 in TypeScript, getaddrinfo's IPv4 answers
// through an Int32Array, and the one-call sendto/recvfrom/recv_into. No timing here.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { native } from "../dist/native.js";
import { getaddrinfoArguments, getaddrinfoResult } from "../dist/addresses.js";
import { tcpPair } from "./support/peers.js";

const { AF_INET, AF_INET6, SOCK_DGRAM } = socket;

/** The system's inet_pton(AF_INET), straight from the core (bypassing the TypeScript parser). */
function systemPton(text) {
  const out = Buffer.alloc(16);
  const rc = native.inetPton(AF_INET, text, out);
  return rc < 0 ? rc : [...out.subarray(0, 4)];
}

test("inet_pton(AF_INET) accepts and rejects exactly what the system does", () => {
  const samples = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "1.2.3.4",
    "10.0.0.255",
    "192.168.100.200",
    "256.1.1.1",
    "1.256.1.1",
    "01.2.3.4",
    "1.2.3.04",
    "000.0.0.0",
    "0.00.0.0",
    "1.2.3",
    "1.2.3.4.5",
    "",
    ".",
    "1..2.3",
    ".1.2.3",
    "1.2.3.",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\0",
    "0x1.2.3.4",
    "1.2.3.-4",
    "+1.2.3.4",
    "1.2.3.4/8",
    "::1",
    "1.2.3.4:80",
    "127.0.0.\u0131",
    "１.2.3.4",
    "999.1.1.1",
    "1000.1.1.1",
    "1.2.3.4444",
    "12345678901234567890",
  ];
  // And a deterministic sweep of near-valid texts.
  const parts = [
    "0",
    "1",
    "9",
    "10",
    "99",
    "100",
    "199",
    "200",
    "249",
    "250",
    "255",
    "256",
    "300",
    "00",
    "01",
    "010",
    "",
  ];
  for (let i = 0; i < 3000; i++) {
    const n = 3 + (i % 3);
    const text = Array.from({ length: n }, (_, k) => parts[(i * 7 + k * 13 + (i >> 3)) % parts.length]).join(".");
    samples.push(text);
  }
  for (const text of samples) {
    const expected = systemPton(text);
    if (typeof expected === "number") {
      assert.throws(() => socket.inet_pton(AF_INET, text), { code: "EINVAL" }, JSON.stringify(text));
    } else {
      const got = socket.inet_pton(AF_INET, text);
      assert.ok(Buffer.isBuffer(got));
      assert.deepEqual([...got], expected, JSON.stringify(text));
    }
  }
});

test("inet_pton: results are separate buffers; other families unchanged", () => {
  const a = socket.inet_pton(AF_INET, "1.2.3.4");
  const b = socket.inet_pton(AF_INET, "1.2.3.4");
  a[0] = 99;
  assert.equal(b[0], 1);
  assert.equal(a.length, 4);
  assert.deepEqual([...socket.inet_pton(AF_INET6, "::1")], [...Array(15).fill(0), 1]);
  assert.throws(() => socket.inet_pton(AF_INET6, "1.2.3.4"), { code: "EINVAL" });
  assert.throws(() => socket.inet_pton(12345, "1.2.3.4"), { code: "EAFNOSUPPORT" });
  assert.throws(() => socket.inet_pton(AF_INET, 5), TypeError);
});

test("inet_ntop(AF_INET) prints what the system prints", () => {
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.of(i & 255, (i * 7) & 255, (i * 13) & 255, (i >> 3) & 255);
    assert.equal(socket.inet_ntop(AF_INET, bytes), native.inetNtop(AF_INET, bytes));
  }
  assert.equal(socket.inet_ntop(AF_INET, new DataView(Uint8Array.of(1, 2, 3, 4).buffer)), "1.2.3.4");
  assert.equal(socket.inet_ntop(AF_INET, new Uint8Array([0, 9, 1, 2, 3, 4, 5]).subarray(2, 6)), "1.2.3.4");
  assert.throws(() => socket.inet_ntop(AF_INET, Uint8Array.of(1, 2, 3)), RangeError);
  assert.equal(socket.inet_ntop(AF_INET6, socket.inet_pton(AF_INET6, "fe80::1")), "fe80::1");
});

test("getaddrinfo: the IPv4 fast answer equals the general one", () => {
  const cases = [
    ["127.0.0.1", 80],
    ["200.100.50.25", "443", AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP],
    ["255.255.255.255", 65535],
    ["128.0.0.1", 1],
    ["10.1.2.3", 0, 0, SOCK_DGRAM],
    [null, 80, 0, 0, 0, socket.AI_PASSIVE],
    ["0.0.0.0", null],
    ["localhost", 80, AF_INET],
    ["localhost", 80, 0, 0, 0, socket.AI_CANONNAME],
    ["::1", 80],
  ];
  for (const c of cases) {
    // Hints with no room for answers: the core always builds the general answer.
    const [host, service, ...hints] = getaddrinfoArguments(...c);
    const general = getaddrinfoResult(native.getaddrinfo(host, service, Int32Array.from(hints)));
    assert.ok(Array.isArray(native.getaddrinfo(host, service, Int32Array.from(hints))), JSON.stringify(c));
    assert.deepEqual(socket.getaddrinfo(...c), general, JSON.stringify(c));
  }
  const [first, second] = socket.getaddrinfo("127.0.0.1", 80);
  assert.notEqual(first, second);
  assert.notEqual(first[4], second[4]);
  assert.throws(() => socket.getaddrinfo(5, 80), TypeError);
  assert.throws(() => socket.getaddrinfo("x", 70000), RangeError);
  assert.throws(() => socket.getaddrinfo("x", 80, null), TypeError);
});

test("getaddrinfo: a numeric port reaches the resolver as its decimal text", () => {
  // The core formats a number itself; the answer must equal the one for the same port as a
  // string, through the general path (no slots for answers), for every width of number.
  for (const port of [0, 1, 9, 10, 80, 99, 100, 443, 999, 1000, 8080, 9999, 10000, 65535]) {
    for (const host of ["127.0.0.1", null, "::1"]) {
      const general = getaddrinfoResult(native.getaddrinfo(host, String(port), Int32Array.from([0, 0, 0, 0])));
      assert.deepEqual(socket.getaddrinfo(host, port), general, `${host} ${port}`);
      assert.deepEqual(
        getaddrinfoResult(native.getaddrinfo(host, port, Int32Array.from([0, 0, 0, 0]))),
        general,
        `${host} ${port} (number to the core)`,
      );
    }
  }
  // The core's own check, for a caller that skipped TypeScript's: never a port modulo 65536.
  for (const bad of [65536, -1, 1.5, Number.NaN, Infinity, 2 ** 32 + 80]) {
    assert.throws(() => native.getaddrinfo("127.0.0.1", bad, Int32Array.from([0, 0, 0, 0])), RangeError, String(bad));
  }
  for (const bad of [65536, -1, 1.5, Number.NaN]) {
    assert.throws(() => socket.getaddrinfo("127.0.0.1", bad), RangeError, String(bad));
  }
  // A host the resolver cannot take is still EAI_NONAME with a numeric port.
  assert.throws(() => socket.getaddrinfo("127.0.0.1\0evil", 80), { errno: socket.EAI_NONAME });
});

test("sendto/recvfrom: datagrams, addresses and errors as before", () => {
  const a = socket.socket(AF_INET, SOCK_DGRAM);
  const b = socket.socket(AF_INET, SOCK_DGRAM);
  try {
    a.bind(["127.0.0.1", 0]);
    b.bind(["127.0.0.1", 0]);
    assert.equal(b.sendto("hello", a.getsockname()), 5);
    assert.equal(b.sendto(Buffer.from("peek"), 0, a.getsockname()), 4);
    const [data, from] = a.recvfrom(100);
    assert.equal(data.toString(), "hello");
    assert.deepEqual(from, b.getsockname());
    const [peeked] = a.recvfrom(2, socket.MSG_PEEK);
    assert.equal(peeked.toString(), "pe");
    const [truncated] = a.recvfrom(2);
    assert.equal(truncated.toString(), "pe");
    a.setblocking(false);
    assert.throws(() => a.recvfrom(10), { code: "EAGAIN" });
    a.settimeout(0.05);
    assert.throws(() => a.recvfrom(10), { code: "ETIMEDOUT" });
  } finally {
    a.close();
    b.close();
  }
  assert.throws(() => a.recvfrom(1), { code: "EBADF" });
  assert.throws(() => a.sendto("x", ["127.0.0.1", 9]), { code: "EBADF" });
});

test("recvfrom: each sender's own address, every family", () => {
  const r = socket.socket(AF_INET, SOCK_DGRAM);
  const senders = [0, 1, 2].map(() => socket.socket(AF_INET, SOCK_DGRAM));
  try {
    r.bind(["127.0.0.1", 0]);
    for (const s of senders) s.bind(["127.0.0.1", 0]);
    senders[2].close();
    const other = socket.socket(AF_INET, SOCK_DGRAM);
    other.bind(["127.0.0.2", 0]);
    senders[2] = other;
    for (let i = 0; i < 9; i++) {
      const s = senders[[0, 0, 1, 2, 1, 0, 2, 2, 1][i]];
      s.sendto(Buffer.from([i]), r.getsockname());
      const [data, from] = r.recvfrom(10);
      assert.equal(data[0], i);
      assert.deepEqual(from, s.getsockname());
      from[0] = "changed";
    }
  } finally {
    r.close();
    for (const s of senders) s.close();
  }
  const [u1, u2] = socket.socketpair(socket.AF_UNIX, SOCK_DGRAM);
  u1.send("x");
  assert.deepEqual(u2.recvfrom(5), [Buffer.from("x"), ""]);
  u1.close();
  u2.close();
  let six;
  try {
    six = socket.socket(AF_INET6, SOCK_DGRAM);
    six.bind(["::1", 0]);
  } catch {
    six?.close();
    return; // no IPv6 loopback here
  }
  try {
    six.sendto("y", six.getsockname());
    const [data, from] = six.recvfrom(5);
    assert.equal(data.toString(), "y");
    assert.deepEqual(from, six.getsockname());
  } finally {
    six.close();
  }
});

test("recvfrom on a stream socket reports the peer", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("abc");
    const [data, from] = b.recvfrom(10);
    assert.equal(data.toString(), "abc");
    assert.deepEqual(from, b.getpeername());
  } finally {
    a.close();
    b.close();
  }
});

test("recv_into: windows, flags, modes and errors as before", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("hello world");
    const buf = Buffer.alloc(5);
    assert.equal(b.recv_into(buf), 5);
    assert.equal(buf.toString(), "hello");
    assert.equal(b.recv_into(buf, 3), 3);
    assert.equal(buf.toString(), " wolo");
    assert.equal(b.recv_into(buf, 0, socket.MSG_PEEK), 3);
    assert.equal(buf.toString(), "rldlo");
    assert.equal(b.recv_into(new Uint16Array(4)), 3);
    assert.throws(() => b.recv_into(Buffer.alloc(2), 3), RangeError);
    b.setblocking(false);
    assert.throws(() => b.recv_into(Buffer.alloc(4)), { code: "EAGAIN" });
    b.settimeout(0.05);
    assert.throws(() => b.recv_into(Buffer.alloc(4)), { code: "ETIMEDOUT" });
    a.close();
    assert.equal(b.recv_into(Buffer.alloc(4)), 0);
  } finally {
    a.close();
    b.close();
  }
  assert.throws(() => b.recv_into(Buffer.alloc(1)), { code: "EBADF" });
});
