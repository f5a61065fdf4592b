// Every Promise twin fails exactly as its synchronous twin: the same error class, errno,
// code and syscall; getaddrinfoAsync returns what getaddrinfo returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { listener, tcpPair } from "./support/peers.js";

/** The error a synchronous call throws. */
function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("the synchronous call did not throw");
}

/** The error a Promise rejects with (it must reject, never throw synchronously). */
async function rejected(promise) {
  assert.ok(promise instanceof Promise, "not a Promise");
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("the Promise resolved");
}

function sameError(asyncError, syncError, what) {
  assert.equal(asyncError.constructor, syncError.constructor, `${what}: ${asyncError} vs ${syncError}`);
  assert.equal(asyncError.message, syncError.message, what);
  for (const key of ["errno", "code", "syscall", "address"])
    assert.deepEqual(asyncError[key], syncError[key], `${what}: ${key}`);
}

/** [name, sync call, async call] on socket `s` (and a UDP socket `u`). */
const calls = (s, target) => [
  ["accept", () => s.accept(), () => s.acceptAsync()],
  ["connect", () => s.connect(target), () => s.connectAsync(target)],
  ["recv", () => s.recv(10), () => s.recvAsync(10)],
  ["recvfrom", () => s.recvfrom(10), () => s.recvfromAsync(10)],
  ["recv_into", () => s.recv_into(new Uint8Array(4)), () => s.recv_intoAsync(new Uint8Array(4))],
  ["send", () => s.send("x"), () => s.sendAsync("x")],
  ["sendto", () => s.sendto("x", target), () => s.sendtoAsync("x", target)],
  ["sendall", () => s.sendall("x"), () => s.sendallAsync("x")],
  ["read", () => s.read(4), () => s.readAsync(4)],
  ["readinto", () => s.readinto(new Uint8Array(4)), () => s.readintoAsync(new Uint8Array(4))],
  ["readline", () => s.readline(), () => s.readlineAsync()],
  ["write", () => s.write("x"), () => s.writeAsync("x")],
];

test("on a closed socket every twin rejects with EBADF, as the sync call throws", async () => {
  const s = socket.socket();
  s.close();
  for (const [name, sync, async_] of calls(s, ["127.0.0.1", 1])) {
    sameError(await rejected(async_()), thrown(sync), name);
  }
});

test("bad arguments reject with the sync call's TypeError or RangeError", async () => {
  const [a, b] = tcpPair();
  const cases = [
    ["recv bufsize", () => a.recv("10"), () => a.recvAsync("10")],
    ["recv negative", () => a.recv(-1), () => a.recvAsync(-1)],
    ["recv flags", () => a.recv(1, 1.5), () => a.recvAsync(1, 1.5)],
    ["recv_into nbytes", () => a.recv_into(new Uint8Array(2), 3), () => a.recv_intoAsync(new Uint8Array(2), 3)],
    ["recv_into buffer", () => a.recv_into("no"), () => a.recv_intoAsync("no")],
    ["send data", () => a.send(5), () => a.sendAsync(5)],
    ["sendall data", () => a.sendall(null), () => a.sendallAsync(null)],
    ["sendto address", () => a.sendto("x", ["localhost", 80]), () => a.sendtoAsync("x", ["localhost", 80])],
    ["sendto port", () => a.sendto("x", 0, ["127.0.0.1", 70000]), () => a.sendtoAsync("x", 0, ["127.0.0.1", 70000])],
    ["connect name", () => a.connect(["localhost", 80]), () => a.connectAsync(["localhost", 80])],
    ["connect shape", () => a.connect("127.0.0.1"), () => a.connectAsync("127.0.0.1")],
    ["read size", () => a.read(1.5), () => a.readAsync(1.5)],
    ["readinto buffer", () => a.readinto(3), () => a.readintoAsync(3)],
    ["readline limit", () => a.readline("x"), () => a.readlineAsync("x")],
    ["write data", () => a.write({}), () => a.writeAsync(7)],
  ];
  for (const [name, sync, async_] of cases) {
    const error = await rejected(async_());
    if (name === "write data") assert.ok(error instanceof TypeError);
    else sameError(error, thrown(sync), name);
  }
  await assert.rejects(a.recvAsync(1, 0, { signal: "no" }), TypeError);
  await assert.rejects(a.recvAsync(1, 0, 5), TypeError);
  a.close();
  b.close();
});

test("system errors: refused connect, accept on a non-listening socket, send unconnected, MSG_DONTWAIT", async () => {
  const [srv, addr] = listener();
  srv.close(); // nothing listens on addr any more
  const pairs = [
    ["connect refused", () => socket.socket(), (s) => s.connect(addr), (s) => s.connectAsync(addr)],
    ["accept not listening", () => socket.socket(), (s) => s.accept(), (s) => s.acceptAsync()],
    ["send unconnected", () => socket.socket(), (s) => s.send("x"), (s) => s.sendAsync("x")],
    ["sendall unconnected", () => socket.socket(), (s) => s.sendall("x"), (s) => s.sendallAsync("x")],
    [
      "recv DONTWAIT",
      () => tcpPair()[0],
      (s) => s.recv(4, socket.MSG_DONTWAIT),
      (s) => s.recvAsync(4, socket.MSG_DONTWAIT),
    ],
  ];
  for (const [name, make, sync, async_] of pairs) {
    const s1 = make();
    const s2 = make();
    const syncError = thrown(() => sync(s1));
    assert.ok(syncError instanceof socket.OSError, `${name}: ${syncError}`);
    sameError(await rejected(async_(s2)), syncError, name);
    if (syncError.written !== undefined) assert.equal((await rejected(async_(s2))).written, syncError.written);
    s1.close();
    s2.close();
  }
});

test("every read-type twin times out as its sync twin does", async () => {
  const [a, b] = tcpPair();
  const [srv] = listener();
  a.settimeout(0.1);
  srv.settimeout(0.1);
  for (const [name, sync, async_] of calls(a, null).filter(([n]) => /^re|^accept/.test(n))) {
    const target = name === "accept" ? srv : a;
    const syncCall = name === "accept" ? () => srv.accept() : sync;
    const asyncCall = name === "accept" ? () => srv.acceptAsync() : async_;
    void target;
    sameError(await rejected(asyncCall()), thrown(syncCall), name);
  }
  // A partial readline keeps its bytes back on timeout, for the next call of either kind.
  b.sendall("partial");
  assert.equal((await rejected(a.readlineAsync())).code, "ETIMEDOUT");
  assert.equal(a.recv(100).toString(), "partial");
  a.close();
  b.close();
  srv.close();
});

test("sendallAsync that times out part-way reports what was written, as sendall does", async () => {
  const [a, b] = tcpPair();
  a.settimeout(0.2);
  const big = Buffer.alloc(64 * 1024 * 1024);
  const syncError = thrown(() => a.sendall(big));
  const asyncError = await rejected(a.sendallAsync(big));
  assert.equal(asyncError.code, syncError.code);
  assert.equal(asyncError.code, "ETIMEDOUT");
  assert.equal(typeof asyncError.written, "number");
  a.close();
  b.close();
});

test("getaddrinfoAsync returns what getaddrinfo returns", async () => {
  const queries = [
    ["127.0.0.1", 80],
    ["localhost", "80", 0, socket.SOCK_STREAM],
    [null, 8080, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE],
    ["::1", 443, socket.AF_INET6],
    ["127.0.0.1", null, socket.AF_INET, socket.SOCK_DGRAM],
    ["localhost", 0, 0, 0, 0, socket.AI_CANONNAME],
  ];
  for (const query of queries) {
    assert.deepEqual(await socket.getaddrinfoAsync(...query), socket.getaddrinfo(...query), JSON.stringify(query));
  }
  const signal = new AbortController().signal;
  assert.deepEqual(await socket.getaddrinfoAsync("127.0.0.1", 80, { signal }), socket.getaddrinfo("127.0.0.1", 80));
  assert.deepEqual(
    await socket.getaddrinfoAsync("127.0.0.1", 80, socket.AF_INET, { signal }),
    socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET),
  );
});

test("getaddrinfoAsync fails with the same negative EAI_* OSErrors and argument errors", async () => {
  const queries = [
    ["no-such-host.invalid", 80, 0, 0, 0, socket.AI_NUMERICHOST],
    ["127.0.0.1", "no-such-service-name"],
    ["127.0.0.1", 80, 12345],
    ["a\0b", 80],
    ["x".repeat(5000), 80],
    [null, null],
    [5, 80],
    ["127.0.0.1", 70000],
    ["127.0.0.1", {}],
  ];
  for (const query of queries) {
    const syncError = thrown(() => socket.getaddrinfo(...query));
    const asyncError = await rejected(socket.getaddrinfoAsync(...query));
    sameError(asyncError, syncError, JSON.stringify(query));
    if (syncError instanceof socket.OSError && syncError.errno !== socket.EAI_SYSTEM) {
      assert.ok(syncError.errno < 0, `${syncError.code} is negative`);
      assert.equal(asyncError.args[0], syncError.errno);
    }
  }
  const reason = new Error("stop");
  await assert.rejects(
    socket.getaddrinfoAsync("127.0.0.1", 80, { signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
});

test("a standing error condition (IP_RECVERR) does not make a waiting call spin", {
  skip: process.platform !== "linux" && "IP_RECVERR is Linux's",
}, async () => {
  const IP_RECVERR = 11; // Linux: errors are also queued, so POLLERR stands while recv says EAGAIN
  const gone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  gone.bind(["127.0.0.1", 0]);
  const deadAddress = gone.getsockname();
  gone.close();
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1);
    s.connect(deadAddress);
    s.send("x");
    const limit = Date.now() + 2000;
    let refused = false;
    while (!refused && Date.now() < limit) {
      try {
        s.recv(10, socket.MSG_DONTWAIT);
      } catch (error) {
        refused = error.code === "ECONNREFUSED";
      }
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused, "the ICMP error arrived");
    assert.throws(
      () => s.recv(10, socket.MSG_DONTWAIT),
      { code: "EAGAIN" },
      "the error stays queued, recv has nothing",
    );
    s.settimeout(0.4);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await assert.rejects(s.recvAsync(10), { code: "ETIMEDOUT" });
    const waited = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    assert.ok(waited >= 250 && waited < 3000, `timed out after ${waited} ms`);
    // A spinning watcher burns the whole wait (about 400 ms of CPU); resting between looks costs little.
    assert.ok(cpuMs < 200, `the wait used ${cpuMs} ms of CPU`);
  } finally {
    s.close();
  }
});
