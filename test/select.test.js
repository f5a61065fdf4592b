// usocket-node/select, synchronous: Poll readiness on real loopback sockets, the registration
// rules of docs/behaviour.md §10, select(), timeouts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { ECONNREFUSED, ENOENT } from "../dist/errno.js";
import { listener, tcpPair, timed } from "./support/peers.js";
import { assertSame } from "./support/identity.js";

const { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLPRI } = select;

/** The revents poll(timeout) reports for obj (0 when not listed). */
function reventsOf(poller, obj, timeout = 0) {
  const hit = poller.poll(timeout).find(([o]) => o === obj);
  return hit === undefined ? 0 : hit[1];
}

test("constants are the system's poll(2) values", () => {
  assert.equal(POLLIN, 1);
  assert.equal(POLLPRI, 2);
  assert.equal(POLLOUT, 4);
  assert.equal(POLLERR, 8);
  assert.equal(POLLHUP, 16);
  assert.equal(POLLNVAL, 32);
});

test("a listener with a pending connection is readable", () => {
  const [srv, addr] = listener();
  const p = select.poll();
  p.register(srv, POLLIN);
  assertSame(p.poll(0), []);
  const client = socket.socket();
  client.connect(addr);
  assertSame(p.poll(2000), [[srv, POLLIN]]);
  const [conn] = srv.accept();
  assertSame(p.poll(0), []);
  for (const s of [conn, client, srv]) s.close();
});

test("data makes a stream socket readable; an idle one is writable only", () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b);
  assert.equal(reventsOf(p, b), POLLOUT);
  a.send("hello");
  assert.equal(reventsOf(p, b, 2000), POLLIN | POLLOUT);
  p.modify(b, POLLIN);
  assertSame(p.poll(0), [[b, POLLIN]]);
  assert.equal(b.recv(10).toString(), "hello");
  assertSame(p.poll(0), []);
  a.close();
  b.close();
});

test("an unconnected UDP socket is writable, and readable once a datagram arrives", () => {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const p = select.poll();
  p.register(u);
  assertSame(p.poll(0), [[u, POLLOUT]]);
  v.sendto("dgram", u.getsockname());
  assertSame(p.poll(2000), [[u, POLLIN | POLLOUT]]);
  u.close();
  v.close();
});

test("peer close: POLLIN, then recv returns EOF", () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  a.close();
  const r = reventsOf(p, b, 2000);
  assert.ok(r & POLLIN, `revents ${r}`);
  assert.equal(b.recv(10).length, 0);
  b.close();
});

test("peer reset: POLLERR/POLLHUP or POLLIN, then recv raises ECONNRESET", () => {
  const [a, b] = tcpPair();
  // SO_LINGER {on, 0 s}: close sends RST instead of FIN.
  a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new Int32Array([1, 0]));
  const p = select.poll();
  p.register(b, POLLIN);
  a.close();
  const r = reventsOf(p, b, 2000);
  assert.ok(r & (POLLIN | POLLERR | POLLHUP), `revents ${r}`);
  assert.throws(() => b.recv(10), { code: "ECONNRESET" });
  b.close();
});

test("non-blocking connect: POLLOUT once it completes, then SO_ERROR is 0", () => {
  const [srv, addr] = listener();
  const c = socket.socket();
  c.setblocking(false);
  try {
    c.connect(addr);
  } catch (error) {
    assert.equal(error.code, "EINPROGRESS");
  }
  const p = select.poll();
  p.register(c, POLLOUT);
  assert.equal(reventsOf(p, c, 2000) & POLLOUT, POLLOUT);
  assert.equal(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
  c.close();
  srv.close();
});

test("non-blocking connect to a closed port: POLLOUT|POLLERR, SO_ERROR is ECONNREFUSED", () => {
  const [srv, addr] = listener();
  srv.close();
  const c = socket.socket();
  c.setblocking(false);
  try {
    c.connect(addr);
  } catch (error) {
    assert.ok(["EINPROGRESS", "ECONNREFUSED"].includes(error.code), error.code);
  }
  const p = select.poll();
  p.register(c, POLLOUT);
  const r = reventsOf(p, c, 2000);
  assert.ok(r & POLLERR, `revents ${r}`);
  assert.equal(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), ECONNREFUSED);
  c.close();
});

test("a socket closed after registering reports POLLNVAL until unregistered; its old number is not polled", () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(a, POLLIN);
  p.register(b, POLLIN);
  const oldFd = a.fileno();
  a.close();
  // The system hands the lowest free number out again: a readable UDP socket takes it.
  // Its readiness must not show up as a's.
  const fillers = [];
  let u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  while (u.fileno() !== oldFd && fillers.length < 20) {
    fillers.push(u);
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  }
  for (const f of fillers) f.close();
  assert.equal(u.fileno(), oldFd);
  u.bind(["127.0.0.1", 0]);
  u.sendto("x", u.getsockname());
  assert.equal(u.recv(1, socket.MSG_PEEK).toString(), "x");
  const [result, seconds] = timed(() => p.poll(-1));
  assert.ok(seconds < 1, "poll with POLLNVAL pending returns at once");
  // b sees the peer's FIN (POLLIN); a reports exactly POLLNVAL.
  assertSame(
    result.map(([o, r]) => [o, o === a ? r : r & POLLIN]),
    [
      [a, POLLNVAL],
      [b, POLLIN],
    ],
  );
  assertSame(p.poll(0)[0], [a, POLLNVAL]);
  p.unregister(a);
  assert.ok(p.poll(0).every(([o]) => o !== a));
  for (const s of [b, u]) s.close();
});

test("timeouts: 0 returns at once, 300 ms waits 0.25–3 s, null/negative mean forever (a ready socket returns)", () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  let [result, seconds] = timed(() => p.poll(0));
  assertSame(result, []);
  assert.ok(seconds < 0.2, `${seconds}`);
  [result, seconds] = timed(() => p.poll(300));
  assertSame(result, []);
  assert.ok(seconds >= 0.25 && seconds <= 3, `${seconds}`);
  [result, seconds] = timed(() => p.poll(299.01)); // rounded up to 300
  assert.ok(seconds >= 0.25 && seconds <= 3, `${seconds}`);
  [result] = timed(() => p.poll(0.2)); // rounded up to 1 ms: still a valid call
  assertSame(result, []);
  a.send("x");
  assertSame(p.poll(null), [[b, POLLIN]]);
  assertSame(p.poll(-5), [[b, POLLIN]]);
  assertSame(p.poll(), [[b, POLLIN]]);
  assert.throws(() => p.poll("10"), TypeError);
  assert.throws(() => p.poll(NaN), RangeError);
  assert.throws(() => p.poll(Infinity), RangeError);
  assert.throws(() => p.poll(2 ** 31), RangeError);
  a.close();
  b.close();
});

test("results come in registration order; re-registering keeps the place; each pair is new", () => {
  const pairs = [tcpPair(), tcpPair(), tcpPair()];
  const [x, y, z] = pairs.map(([, server]) => server);
  const p = select.poll();
  p.register(z, POLLIN);
  p.register(x, POLLIN);
  p.register(y, POLLIN);
  for (const [client] of pairs) client.send("!");
  const objects = () => p.poll(2000).map(([o]) => o);
  // Wait until all three are readable (loopback delivers at once, but be patient).
  for (let i = 0; i < 100 && p.poll(0).length < 3; i++) p.poll(20);
  assertSame(objects(), [z, x, y]);
  p.register(z, POLLIN | POLLOUT); // again: new mask, same place
  assertSame(p.poll(0), [
    [z, POLLIN | POLLOUT],
    [x, POLLIN],
    [y, POLLIN],
  ]);
  p.unregister(x);
  p.register(x, POLLIN); // a new registration goes last
  assertSame(objects(), [z, y, x]);
  const first = p.poll(0);
  const second = p.poll(0);
  assert.notEqual(first[0], second[0]);
  assertSame(first, second);
  for (const [c, s] of pairs) {
    c.close();
    s.close();
  }
});

test("a failed register leaves the poller as it was", () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  a.send("x");
  const before = p.poll(2000);
  const closed = socket.socket();
  closed.close();
  assert.throws(() => p.register(closed), { name: "OSError", code: "EBADF" });
  assert.throws(() => p.register("3"), TypeError);
  assert.throws(() => p.register({}), TypeError);
  assert.throws(() => p.register(-1), RangeError);
  assert.throws(() => p.register(1.5), RangeError);
  assert.throws(() => p.register(b, "POLLIN"), TypeError);
  assert.throws(() => p.register(b, -1), RangeError);
  assert.throws(() => p.register({ fileno: () => "7" }), TypeError);
  assert.throws(
    () =>
      p.register({
        fileno: () => {
          throw new Error("boom");
        },
      }),
    /boom/,
  );
  assertSame(p.poll(0), before);
  assertSame(before, [[b, POLLIN]]);
  a.close();
  b.close();
});

test("modify and unregister: mask required, ENOENT when absent, unregister silent", () => {
  const [a, b] = tcpPair();
  const p = select.poll();
  assert.throws(() => p.modify(b, POLLIN), { name: "OSError", code: "ENOENT", errno: ENOENT });
  p.register(b, POLLIN);
  assert.throws(() => p.modify(b), TypeError);
  p.modify(b, POLLOUT);
  assertSame(p.poll(0), [[b, POLLOUT]]);
  p.unregister(a);
  p.unregister(b);
  p.unregister(b);
  assertSame(p.poll(0), []);
  a.close();
  b.close();
});

test("ipoll yields the same as poll; with flags = 1 it is one-shot", () => {
  const [a, b] = tcpPair();
  const [c, d] = tcpPair();
  const p = select.poll();
  p.register(b, POLLIN);
  p.register(d, POLLIN);
  a.send("1");
  c.send("2");
  for (let i = 0; i < 100 && p.poll(0).length < 2; i++) p.poll(20);
  assertSame(
    [...p.ipoll(0)],
    [
      [b, POLLIN],
      [d, POLLIN],
    ],
  );
  const it = p.ipoll(0, 1);
  assertSame(it.next().value, [b, POLLIN]);
  // b is now masked out; d is not yet (not yielded yet).
  assertSame(p.poll(0), [[d, POLLIN]]);
  assertSame([...it], [[d, POLLIN]]);
  assertSame(p.poll(0), []);
  p.modify(b, POLLIN);
  assertSame(p.poll(0), [[b, POLLIN]]);
  assert.throws(() => p.ipoll(0, "1"), TypeError);
  for (const s of [a, b, c, d]) s.close();
});

test("integer descriptors and fileno() objects, keyed by the object passed", () => {
  const [a, b] = tcpPair();
  const [c, d] = tcpPair();
  const wrapper = { fileno: () => d.fileno() };
  const p = select.poll();
  p.register(b.fileno(), POLLIN);
  p.register(wrapper, POLLIN);
  a.send("x");
  c.send("y");
  for (let i = 0; i < 100 && p.poll(0).length < 2; i++) p.poll(20);
  const result = p.poll(0);
  assertSame(result, [
    [b.fileno(), POLLIN],
    [wrapper, POLLIN],
  ]);
  assert.equal(result[1][0], wrapper);
  // A wrapper whose socket closed reports -1: POLLNVAL, like a socket.
  d.close();
  assertSame(p.poll(0)[1], [wrapper, POLLNVAL]);
  for (const s of [a, b, c]) s.close();
});

test("a socket holding kept-back bytes is reported POLLIN without waiting", () => {
  const [a, b] = tcpPair();
  b.settimeout(0.2);
  a.send("abc");
  // read(10) gets 3 bytes, then times out: the 3 bytes are kept back for the next read.
  assert.throws(() => b.read(10), { code: "ETIMEDOUT" });
  assert.equal(b._hasKept, true);
  const p = select.poll();
  p.register(b, POLLIN);
  const [result, seconds] = timed(() => p.poll(-1));
  assert.ok(seconds < 1);
  assertSame(result, [[b, POLLIN]]);
  assert.equal(b.recv(10).toString(), "abc");
  assertSame(p.poll(0), []);
  assertSame(select.select([b], [], [], 0), [[], [], []]);
  a.close();
  b.close();
});

test("select(): readable, writable, exceptional, timeout, EBADF", () => {
  const [a, b] = tcpPair();
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  assertSame(select.select([a, b], [a, u], [a, b], 0), [[], [a, u], []]);
  a.send("x");
  assertSame(select.select([b, a], [], [], 2), [[b], [], []]);
  // Out-of-band data: POLLPRI.
  a.send("!", 1 /* MSG_OOB */);
  assertSame(select.select([], [], [b], 2)[2], [b]);
  // Integer descriptors and fileno() objects come back as given.
  const w = { fileno: () => b.fileno() };
  assertSame(select.select([w, a.fileno()], [], []), [[w], [], []]);
  const [none, seconds] = timed(() => select.select([a], [], [], 0.3));
  assertSame(none, [[], [], []]);
  assert.ok(seconds >= 0.25 && seconds <= 3, `${seconds}`);
  u.close();
  assert.throws(() => select.select([], [u], []), { name: "OSError", code: "EBADF" });
  assert.throws(() => select.select([a], [], [], -1), RangeError);
  assert.throws(() => select.select([a], [], [], "1"), TypeError);
  assert.throws(() => select.select(a, [], []), TypeError);
  a.close();
  b.close();
});
