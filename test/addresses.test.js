// Addresses as the module hands them out go back in as they are: getaddrinfo's sockaddr
// to connect, sendto and bind, and the any address ("" or "0.0.0.0") to bind.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { hasIPv6Loopback } from "./support/host.js";

// docs/behaviour.md §2: "getaddrinfo(h, p)[0][4] (or .at(-1)) can be passed straight to connect" — for
// IPv4 TCP and UDP, and an AI_PASSIVE answer straight to bind (no CPython needed here).
test("getaddrinfo's sockaddr goes straight to connect, sendto and bind", () => {
  const [srv, [, port]] = (() => {
    const l = socket.socket();
    const passive = socket.getaddrinfo(null, 0, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE).at(-1)[4];
    assert.deepEqual(passive, ["0.0.0.0", 0]);
    l.bind(passive);
    l.listen();
    return [l, l.getsockname()];
  })();
  try {
    for (const pick of [(infos) => infos[0], (infos) => infos.at(-1)]) {
      const [family, type, proto, canonname, sockaddr] = pick(
        socket.getaddrinfo("127.0.0.1", port, 0, socket.SOCK_STREAM),
      );
      assert.equal(canonname, "");
      const c = socket.socket(family, type, proto);
      c.connect(sockaddr);
      const [conn, from] = srv.accept();
      assert.deepEqual(from, c.getsockname());
      assert.deepEqual(c.getpeername(), sockaddr);
      c.close();
      conn.close();
    }
  } finally {
    srv.close();
  }
  const receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    receiver.bind(["127.0.0.1", 0]);
    const [family, , , , sockaddr] = socket.getaddrinfo(
      "127.0.0.1",
      String(receiver.getsockname()[1]),
      socket.AF_INET,
      socket.SOCK_DGRAM,
    )[0];
    assert.equal(family, socket.AF_INET);
    assert.equal(sender.sendto("via getaddrinfo", sockaddr), 15);
    receiver.settimeout(5);
    assert.equal(receiver.recvfrom(100)[0].toString(), "via getaddrinfo");
  } finally {
    sender.close();
    receiver.close();
  }
});

// docs/behaviour.md §2: IPv4 host "" or "0.0.0.0" = any (and "" for IPv6 too), in bind; the socket then
// takes connections on loopback.
test('bind(["", port]) and bind(["0.0.0.0", port]) bind the any address', () => {
  const cases = [
    [socket.AF_INET, "", "0.0.0.0", "127.0.0.1"],
    [socket.AF_INET, "0.0.0.0", "0.0.0.0", "127.0.0.1"],
  ];
  if (hasIPv6Loopback()) cases.push([socket.AF_INET6, "", "::", "::1"]);
  for (const [family, host, any, loopback] of cases) {
    const srv = socket.socket(family);
    const c = socket.socket(family);
    try {
      srv.bind([host, 0]);
      const [bound, port] = srv.getsockname();
      assert.equal(bound, any, `bind(${JSON.stringify(host)})`);
      srv.listen();
      c.connect([loopback, port]);
      const [conn] = srv.accept();
      conn.close();
    } finally {
      c.close();
      srv.close();
    }
  }
});
