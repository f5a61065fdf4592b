// IPv6 over the loopback address ::1: TCP and UDP, the [host, port, flowinfo, scopeid]
// tuples, the %scope suffix, IPV6_V6ONLY. Nothing is ever sent to a link-local address:
// scope suffixes are checked through getaddrinfo and through the errors bind and a UDP
// connect (which sends nothing) get from the kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as errno from "../dist/errno.js";
import { tcpPair } from "./support/peers.js";
import { hasIPv6Loopback, interfaceIndex } from "./support/host.js";

const { AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, IPPROTO_IPV6, IPV6_V6ONLY } = socket;
const skip = hasIPv6Loopback() ? false : "this machine has no IPv6 loopback (::1)";
const LO = "lo";
const loIndex = interfaceIndex(LO);
const noLo = loIndex === null ? "no Linux loopback interface named lo" : false;

/** A 4-tuple with a numeric host, a port, and numeric flowinfo/scopeid. */
function assertV6Tuple(address, host) {
  assert.ok(Array.isArray(address), `not an array: ${String(address)}`);
  assert.equal(address.length, 4);
  assert.equal(address[0], host);
  assert.ok(Number.isInteger(address[1]) && address[1] > 0 && address[1] <= 65535);
  assert.equal(address[2], 0);
  assert.equal(address[3], 0);
}

function udp6() {
  const s = socket.socket(AF_INET6, SOCK_DGRAM);
  s.bind(["::1", 0]);
  return s;
}

test("TCP over ::1: addresses are 4-tuples and bytes flow both ways", { skip }, () => {
  const srv = socket.socket(AF_INET6, SOCK_STREAM);
  srv.bind(["::1", 0]);
  srv.listen();
  const srvAddr = srv.getsockname();
  assertV6Tuple(srvAddr, "::1");
  const client = socket.socket(AF_INET6, SOCK_STREAM);
  client.connect(srvAddr);
  const [server, from] = srv.accept();
  try {
    assertV6Tuple(from, "::1");
    assert.deepEqual(from, client.getsockname());
    assert.deepEqual(client.getpeername(), srvAddr);
    assert.deepEqual(server.getsockname(), srvAddr);
    assert.deepEqual(server.getpeername(), from);
    assert.equal(server.family, AF_INET6);
    client.sendall("over six");
    assert.equal(server.recv(100).toString(), "over six");
    server.sendall(Buffer.from([0, 255, 10]));
    assert.deepEqual([...client.recv(100)], [0, 255, 10]);
  } finally {
    client.close();
    server.close();
    srv.close();
  }
});

test("TCP over ::1 accepts a [host, port] pair and a 3-tuple", { skip }, () => {
  for (const make of [(port) => ["::1", port], (port) => ["::1", port, 0]]) {
    const srv = socket.socket(AF_INET6, SOCK_STREAM);
    srv.bind(["::1", 0]);
    srv.listen();
    const port = srv.getsockname()[1];
    const client = socket.socket(AF_INET6, SOCK_STREAM);
    client.connect(make(port));
    const [server] = srv.accept();
    assert.deepEqual(client.getpeername(), ["::1", port, 0, 0]);
    client.close();
    server.close();
    srv.close();
  }
});

test("tcpPair over IPv6 (the shared helper) gives a working pair", { skip }, () => {
  const [a, b] = tcpPair(AF_INET6);
  a.sendall("x");
  assert.equal(b.recv(1).toString(), "x");
  assert.equal(a.getpeername().length, 4);
  a.close();
  b.close();
});

test("UDP over ::1: sendto with 2- and 4-tuples, recvfrom returns the sender's 4-tuple", { skip }, () => {
  const a = udp6();
  const b = udp6();
  try {
    const aAddr = a.getsockname();
    const bAddr = b.getsockname();
    assertV6Tuple(aAddr, "::1");
    assert.equal(a.sendto("two", ["::1", bAddr[1]]), 3);
    assert.equal(a.sendto("four", bAddr), 4);
    // flowinfo is carried in the sockaddr; without IPV6_FLOWINFO_SEND the kernel ignores it.
    assert.equal(a.sendto("flow", ["::1", bAddr[1], 0x12345, 0]), 4);
    for (const expected of ["two", "four", "flow"]) {
      const [data, from] = b.recvfrom(100);
      assert.equal(data.toString(), expected);
      assert.deepEqual(from, aAddr);
    }
    b.sendto(Buffer.alloc(0), aAddr);
    const [empty, from] = a.recvfrom(10);
    assert.equal(empty.length, 0);
    assert.deepEqual(from, bAddr);
  } finally {
    a.close();
    b.close();
  }
});

test("UDP over ::1: a connected socket uses send/recv and reports its peer", { skip }, () => {
  const a = udp6();
  const b = udp6();
  try {
    a.connect(b.getsockname());
    b.connect(a.getsockname());
    assert.deepEqual(a.getpeername(), b.getsockname());
    a.send("hello six");
    assert.equal(b.recv(64).toString(), "hello six");
    b.send("back");
    assert.equal(a.recv(64).toString(), "back");
  } finally {
    a.close();
    b.close();
  }
});

test("getaddrinfo('::1', port)[0][4] is a 4-tuple connect takes as is", { skip }, () => {
  const srv = socket.socket(AF_INET6, SOCK_STREAM);
  srv.bind(["::1", 0]);
  srv.listen();
  const port = srv.getsockname()[1];
  const infos = socket.getaddrinfo("::1", port, AF_INET6, SOCK_STREAM);
  assert.ok(infos.length >= 1);
  const [family, type, , canonname, sockaddr] = infos[0];
  assert.equal(family, AF_INET6);
  assert.equal(type, SOCK_STREAM);
  assert.equal(canonname, "");
  assert.deepEqual(sockaddr, ["::1", port, 0, 0]);
  const client = socket.socket(family, type);
  client.connect(infos.at(-1)[4]);
  const [server] = srv.accept();
  assert.deepEqual(server.getpeername(), client.getsockname());
  client.close();
  server.close();
  srv.close();
});

test("a %scope suffix resolves to the interface's index (getaddrinfo, numeric only)", { skip: skip || noLo }, () => {
  for (const host of [`fe80::1%${LO}`, `fe80::1%${loIndex}`]) {
    const infos = socket.getaddrinfo(host, 7, AF_INET6, SOCK_DGRAM, 0, socket.AI_NUMERICHOST);
    assert.equal(infos.length, 1);
    // The scope comes back as the scopeid, not as a suffix of the host (as CPython >= 3.7).
    assert.deepEqual(infos[0][4], ["fe80::1", 7, 0, loIndex]);
  }
  // That tuple carries the scope into bind: the kernel sees lo's index (see the next test).
  const s = socket.socket(AF_INET6, SOCK_DGRAM);
  try {
    const [[, , , , sockaddr]] = socket.getaddrinfo(`fe80::1%${LO}`, 0, AF_INET6, SOCK_DGRAM);
    assert.throws(() => s.bind(sockaddr), { code: "EADDRNOTAVAIL" });
  } finally {
    s.close();
  }
});

test("%scope in bind: the kernel sees lo's index (EADDRNOTAVAIL), not 0 (EINVAL) or a missing device (ENODEV)", {
  skip: skip || noLo,
}, () => {
  // Binding a link-local address checks the scope before it checks the address: a scope
  // of an existing interface gets as far as "no such address here". Nothing is sent.
  const bindError = (address) => {
    const s = socket.socket(AF_INET6, SOCK_DGRAM);
    try {
      s.bind(address);
      assert.fail(`bind(${JSON.stringify(address)}) succeeded`);
    } catch (error) {
      if (!(error instanceof socket.OSError)) throw error;
      return error.code;
    } finally {
      s.close();
    }
  };
  assert.equal(bindError(["fe80::1", 0]), "EINVAL");
  assert.equal(bindError([`fe80::1%${LO}`, 0]), "EADDRNOTAVAIL");
  assert.equal(bindError([`fe80::1%${loIndex}`, 0]), "EADDRNOTAVAIL");
  assert.equal(bindError(["fe80::1", 0, 0, loIndex]), "EADDRNOTAVAIL");
  assert.equal(bindError(["fe80::1", 0, 0, 0x7ffffff0]), "ENODEV");
  assert.equal(bindError(["fe80::1%2147483632", 0]), "ENODEV");
});

test("%scope in connect: a UDP socket on ::1 gets past the kernel's scope check (sends nothing)", {
  skip: skip || noLo,
}, () => {
  const connectError = (address) => {
    const s = udp6();
    try {
      s.connect(address);
      return "connected";
    } catch (error) {
      if (!(error instanceof socket.OSError)) throw error;
      return error.code;
    } finally {
      s.close();
    }
  };
  // Without a scope, a link-local destination is refused before any routing: EINVAL.
  assert.equal(connectError(["fe80::1", 9]), "EINVAL");
  // With the loopback's scope the kernel goes on to routing, whatever it then says.
  assert.notEqual(connectError([`fe80::1%${LO}`, 9]), "EINVAL");
  assert.notEqual(connectError(["fe80::1", 9, 0, loIndex]), "EINVAL");
  // A scope on a global address is accepted and not reported back (as the kernel does).
  const s = udp6();
  s.connect([`::1%${LO}`, 9]);
  assert.deepEqual(s.getpeername(), ["::1", 9, 0, 0]);
  s.close();
});

test("an unknown %scope name is OSError(EINVAL) saying to use getaddrinfo, and nothing is sent", { skip }, () => {
  const s = udp6();
  try {
    assert.throws(
      () => s.connect(["fe80::1%no-such-if0", 9]),
      (error) => {
        assert.ok(error instanceof socket.OSError);
        assert.equal(error.errno, errno.EINVAL);
        assert.deepEqual(error.args, [errno.EINVAL]);
        assert.equal(error.code, "EINVAL");
        assert.equal(error.syscall, "connect");
        assert.match(error.message, /getaddrinfo/);
        return true;
      },
    );
    assert.throws(() => s.sendto("x", ["fe80::1%", 9]), { code: "EINVAL", syscall: "sendto" });
    assert.throws(() => s.sendto("x", ["localhost", 9]), { code: "EINVAL" });
    assert.throws(() => s.sendto("x", ["::1", 9, 1 << 20, 0]), RangeError);
    assert.throws(() => s.sendto("x", ["::1", 9, 0, -1]), RangeError);
    assert.throws(() => s.sendto("x", ["::1", 9, 0, 0, 0]), TypeError);
  } finally {
    s.close();
  }
});

test("an IPv6 socket refuses an IPv4 tuple's host and an IPv4 socket an IPv6 host", { skip }, () => {
  const six = socket.socket(AF_INET6, SOCK_DGRAM);
  const four = socket.socket(AF_INET, SOCK_DGRAM);
  try {
    assert.throws(() => six.bind(["127.0.0.1", 0]), { code: "EINVAL" });
    assert.throws(() => four.bind(["::1", 0]), { code: "EINVAL" });
  } finally {
    six.close();
    four.close();
  }
});

test("IPV6_V6ONLY: get, set both ways, and its effect on an IPv4-mapped bind", { skip }, () => {
  const s = socket.socket(AF_INET6, SOCK_STREAM);
  try {
    const initial = s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY);
    assert.ok(initial === 0 || initial === 1);
    s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
    assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
    s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, false);
    assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 0);
    s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, true);
    assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
    // A v6-only socket cannot take an IPv4-mapped address.
    assert.throws(() => s.bind(["::ffff:127.0.0.1", 0]), { code: "EINVAL", syscall: "bind" });
  } finally {
    s.close();
  }

  // With V6ONLY off, a socket on ::ffff:127.0.0.1 takes an IPv4 client on 127.0.0.1.
  const srv = socket.socket(AF_INET6, SOCK_STREAM);
  srv.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
  srv.bind(["::ffff:127.0.0.1", 0]);
  srv.listen();
  const [host, port] = srv.getsockname();
  assert.equal(host, "::ffff:127.0.0.1");
  const client = socket.socket(AF_INET, SOCK_STREAM);
  client.connect(["127.0.0.1", port]);
  const [server, from] = srv.accept();
  try {
    assert.deepEqual(from, ["::ffff:127.0.0.1", client.getsockname()[1], 0, 0]);
    assert.deepEqual(client.getpeername(), ["127.0.0.1", port]);
    client.sendall("mapped");
    assert.equal(server.recv(10).toString(), "mapped");
  } finally {
    client.close();
    server.close();
    srv.close();
  }
});

test("getsockopt(IPV6_V6ONLY) on an IPv4 socket is the kernel's error, passed through", { skip }, () => {
  const s = socket.socket(AF_INET, SOCK_STREAM);
  try {
    assert.throws(
      () => s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY),
      (error) => error instanceof socket.OSError && error.errno > 0 && error.syscall === "getsockopt",
    );
  } finally {
    s.close();
  }
});
