// Rules of docs/behaviour.md §1–§7, §10 that no other suite pinned down, found by the
// conformance audit. Each test names the rule it proves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { getEventListeners, once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { ECANCELED, EOPNOTSUPP } from "../dist/errno.js";
import { native } from "../dist/native.js";
import { assertSame } from "./support/identity.js";
import { ROOT, startPeer } from "./support/peers.js";
import { scriptedPeer, watchdog } from "./support/tests-a.js";
import { hasIPv6Loopback, runNode } from "./support/tests-b.js";

/** Whether the descriptor has O_NONBLOCK (Linux: /proc/self/fdinfo). */
function descriptorNonblocking(s) {
  const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${s.fileno()}`, "utf8"))[1];
  return (parseInt(flags, 8) & 0o4000) !== 0;
}

// docs/behaviour.md §4 ("A new socket is blocking with no timeout") and §7 ("Sync and async calls may be
// mixed on one socket"): a Promise twin that had to wait leaves a blocking socket blocking.
// libuv's uv_poll_init sets O_NONBLOCK on the descriptor it watches; left so, the next
// synchronous recv() of a socket with timeout null raised EAGAIN instead of waiting.
test("a blocking socket stays blocking after a Promise twin waited on it", async (t) => {
  if (process.platform !== "linux") {
    t.skip("reads the descriptor's flags from /proc/self/fdinfo");
    return;
  }
  const dog = watchdog(30);
  const { conn, done } = await scriptedPeer([{ wait: 150 }, { send: "first" }, { wait: 300 }, { send: "second" }]);
  try {
    assert.equal(conn.gettimeout(), null);
    assert.equal(descriptorNonblocking(conn), false);
    // Nothing has arrived yet: the call waits on the socket's readiness watcher.
    assert.equal((await conn.recvAsync(5)).toString(), "first");
    assert.equal(descriptorNonblocking(conn), false);
    // "second" comes 0.3 s later: a blocking recv() waits for it.
    assert.equal(conn.recv(6).toString(), "second");
    // The same for the write direction: sendAsync, then the sync calls still block.
    assert.equal(await conn.sendAsync("x"), 1);
    assert.equal(descriptorNonblocking(conn), false);
  } finally {
    conn.close();
    await done;
    dog.terminate();
  }
});

// docs/behaviour.md §1: the package ships ES modules with TypeScript declarations through an `exports`
// map, installs with `npm install` (which compiles the native core), and needs the
// MicroPython package only when usocket-node/micropython is used. Proved from a consumer: the
// packed tarball installed offline into an empty project, every entry imported by name,
// its declarations resolved by TypeScript the way a consumer's compiler resolves them.
test("the exports map resolves usocket-node, usocket-node/select, usocket-node/errno and usocket-node/micropython from a consumer", (t) => {
  const scratch = mkdtempSync(path.join(tmpdir(), "usocket-consumer-"));
  const run = (command, args, cwd) => {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 180000, env: consumerEnv() });
    assert.equal(result.status, 0, `${command} ${args.join(" ")}: ${result.error ?? ""}${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  try {
    const packed = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", scratch], ROOT).trim();
    const project = path.join(scratch, "consumer");
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", path.join(scratch, packed.split("\n").pop())], project);
    // No runtime dependency comes along, and the optional MicroPython package is not pulled in.
    assert.deepEqual(readdirSync(path.join(project, "node_modules")).filter((name) => !name.startsWith(".")), ["usocket-node"]);
    writeFileSync(path.join(project, "main.js"), `
      import * as socket from "usocket-node";
      import { poll, select, POLLIN, POLLNVAL } from "usocket-node/select";
      import { ETIMEDOUT, errorcode } from "usocket-node/errno";
      import { installSocket, loadMicroPython } from "usocket-node/micropython";
      const [a, b] = socket.socketpair();
      b.send("ok");
      const p = poll();
      p.register(a, POLLIN);
      const ready = p.poll(1000).length === 1 && select([a], [], [], 1)[0][0] === a;
      console.log(JSON.stringify([a.recv(2).toString(), ready, errorcode[ETIMEDOUT], typeof POLLNVAL,
        typeof installSocket, typeof loadMicroPython, typeof socket.getaddrinfoAsync]));
      a.close();
      b.close();
      let hidden;
      try {
        await import("usocket-node/dist/socket.js");
        hidden = "importable";
      } catch (error) {
        hidden = error.code;
      }
      console.log(hidden);
    `);
    const lines = run(process.execPath, ["main.js"], project).trim().split("\n");
    assert.deepEqual(JSON.parse(lines[0]), ["ok", true, "ETIMEDOUT", "number", "function", "function", "function"]);
    assert.equal(lines[1], "ERR_PACKAGE_PATH_NOT_EXPORTED");
    // The declarations: "types" comes first in each entry, so TypeScript finds them.
    writeFileSync(path.join(project, "check.ts"), `
      import { socket, type Socket } from "usocket-node";
      import { poll, type Poll } from "usocket-node/select";
      import { errorcode } from "usocket-node/errno";
      import { installSocket } from "usocket-node/micropython";
      const s: Socket = socket();
      const p: Poll = poll();
      const name: string | undefined = errorcode[1];
      const install: typeof installSocket = installSocket;
      void s; void p; void name; void install;
    `);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    run(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
      "--target", "es2022", "--types", "node", "--typeRoots", path.join(ROOT, "node_modules", "@types"), "check.ts"], project);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** The environment for npm in a child: this process's, without what `npm test` set for itself. */
function consumerEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_")) env[key] = value;
  }
  return env;
}

// docs/behaviour.md §3: the constants, each with the host system's value. Where CPython is installed its
// socket module is the reference for the values; the names are checked everywhere.
const SECTION_3_CONSTANTS = [
  "AF_INET", "AF_INET6", "AF_UNIX", "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "IPPROTO_IP", "IPPROTO_TCP",
  "IPPROTO_UDP", "IPPROTO_IPV6", "SOL_SOCKET", "SO_REUSEADDR", "SO_REUSEPORT", "SO_BROADCAST", "SO_KEEPALIVE",
  "SO_LINGER", "SO_RCVBUF", "SO_SNDBUF", "SO_ERROR", "SO_TYPE", "TCP_NODELAY", "IP_ADD_MEMBERSHIP",
  "IP_DROP_MEMBERSHIP", "IP_MULTICAST_TTL", "IP_MULTICAST_LOOP", "IPV6_V6ONLY", "MSG_PEEK", "MSG_DONTWAIT",
  "SHUT_RD", "SHUT_WR", "SHUT_RDWR", "AI_PASSIVE", "AI_CANONNAME", "AI_NUMERICHOST", "AI_NUMERICSERV", "SOMAXCONN",
];

test("usocket exports every constant of docs/behaviour.md §3 with the system's value", () => {
  for (const name of SECTION_3_CONSTANTS) {
    if (name === "SO_REUSEPORT" && socket[name] === undefined && process.platform !== "linux") continue;
    assert.ok(Number.isInteger(socket[name]), `${name} is ${socket[name]}`);
  }
  // Values every system agrees on, and a socket created from them is what it says.
  assert.equal(socket.AF_INET, 2);
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP);
  try {
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_DGRAM);
  } finally {
    s.close();
  }
  const python = spawnSync("python3", ["-c", `import json, socket
print(json.dumps({n: getattr(socket, n, None) for n in ${JSON.stringify(SECTION_3_CONSTANTS)}}))`], { encoding: "utf8", timeout: 20000 });
  if (python.status !== 0) return; // no CPython here: the names were checked above
  const reference = JSON.parse(python.stdout);
  for (const name of SECTION_3_CONSTANTS) {
    if (reference[name] !== null) assert.equal(socket[name], reference[name], `${name}: CPython has ${reference[name]}`);
  }
});

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
      const [family, type, proto, canonname, sockaddr] = pick(socket.getaddrinfo("127.0.0.1", port, 0, socket.SOCK_STREAM));
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
    const [family, , , , sockaddr] = socket.getaddrinfo("127.0.0.1", String(receiver.getsockname()[1]), socket.AF_INET, socket.SOCK_DGRAM)[0];
    assert.equal(family, socket.AF_INET);
    assert.equal(sender.sendto("via getaddrinfo", sockaddr), 15);
    receiver.settimeout(5);
    assert.equal(receiver.recvfrom(100)[0].toString(), "via getaddrinfo");
  } finally {
    sender.close();
    receiver.close();
  }
});

// docs/behaviour.md §4: sendto(data, flags, addr) hands `flags` to the system. MSG_OOB is refused by UDP
// (EOPNOTSUPP), which shows the flags arrived; without flags the same datagram goes out.
test("sendto(data, flags, addr) and sendtoAsync pass flags to the system", async () => {
  const receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    receiver.bind(["127.0.0.1", 0]);
    const to = receiver.getsockname();
    assert.throws(() => sender.sendto("oob", socket.MSG_OOB, to), { name: "OSError", errno: EOPNOTSUPP });
    await assert.rejects(sender.sendtoAsync("oob", socket.MSG_OOB, to), { name: "OSError", errno: EOPNOTSUPP });
    assert.equal(sender.sendto("plain", 0, to), 5);
    assert.equal(await sender.sendtoAsync("async", 0, to, {}), 5);
    receiver.settimeout(5);
    assert.equal(receiver.recv(100).toString(), "plain");
    assert.equal(receiver.recv(100).toString(), "async");
  } finally {
    sender.close();
    receiver.close();
  }
});

// docs/behaviour.md §10: "getsockopt(level, opt, buflen) returns at most buflen bytes: as many as the
// system returned" — also when buflen is smaller than the option.
test("getsockopt with a buflen smaller than the option returns buflen bytes, no more", () => {
  const s = socket.socket();
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536);
    const whole = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4);
    for (const buflen of [1, 2, 3]) {
      const part = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buflen);
      assert.ok(Buffer.isBuffer(part));
      assert.ok(part.length <= buflen, `buflen ${buflen}: ${part.length} bytes`);
      assert.deepEqual(part, whole.subarray(0, part.length));
    }
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024).length, 4);
    assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1025), RangeError);
    assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, -1), RangeError);
    assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, "4"), TypeError);
  } finally {
    s.close();
  }
});

// docs/behaviour.md §10: "using s = socket()" — compiled by TypeScript (>= 5.2) for this Node, run, and
// the socket closed at the end of its block, on a normal exit and on a throw.
test("`using s = socket()` compiled by TypeScript closes the socket when the block ends", async () => {
  const ts = (await import("typescript")).default;
  const source = `
    function scope(make: () => any, seen: any[], fail: boolean) {
      using s = make();
      seen.push(s, s.fileno());
      if (fail) throw new Error("inside");
    }`;
  const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  const scope = new Function("make", "seen", "fail", `${outputText}\nreturn scope(make, seen, fail);`);
  for (const fail of [false, true]) {
    const seen = [];
    const run = () => scope(() => socket.socket(), seen, fail);
    if (fail) assert.throws(run, { message: "inside" });
    else run();
    const [s, fd] = seen;
    assert.ok(fd >= 0);
    assert.equal(s.fileno(), -1, "closed by the end of the block");
    assert.throws(() => s.getsockname(), { code: "EBADF" });
  }
});

// docs/behaviour.md §10: select() with a closed socket in any list raises EBADF — at once, even with no
// timeout (a closed socket must not make select wait for ever).
test("select() with a closed socket in rlist, wlist or xlist raises EBADF without waiting", () => {
  const dog = watchdog(30);
  const [a, b] = socket.socketpair();
  const closed = socket.socket();
  closed.close();
  try {
    for (const lists of [[[a, closed], [], []], [[], [closed], []], [[], [], [b, closed]]]) {
      assert.throws(() => select.select(...lists), { name: "OSError", code: "EBADF" });
      assert.throws(() => select.select(...lists, null), { name: "OSError", code: "EBADF" });
    }
    // An object whose fileno() is -1 counts as closed too.
    assert.throws(() => select.select([{ fileno: () => -1 }], [], []), { name: "OSError", code: "EBADF" });
  } finally {
    a.close();
    b.close();
    dog.terminate();
  }
});

const SOCKET_TWINS = ["acceptAsync", "connectAsync", "recvAsync", "recvfromAsync", "recv_intoAsync", "sendAsync",
  "sendtoAsync", "sendallAsync", "readAsync", "readintoAsync", "readlineAsync", "writeAsync"];

// docs/behaviour.md §7, §10: every twin of the list exists, and "an already-aborted signal rejects
// before any I/O" for each of them: nothing is read, written, accepted or connected.
test("every Promise twin rejects an already-aborted signal before any I/O", async () => {
  for (const name of SOCKET_TWINS) assert.equal(typeof socket.Socket.prototype[name], "function", name);
  assert.equal(typeof socket.getaddrinfoAsync, "function");
  assert.equal(typeof select.Poll.prototype.pollAsync, "function");
  const reason = new Error("aborted before");
  const signal = AbortSignal.abort(reason);
  const options = { signal };
  const rejected = async (promise) => assert.equal(await promise.then(() => "resolved", (error) => error), reason);

  const [a, b] = socket.socketpair();
  const [srv, addr] = (() => {
    const l = socket.socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    return [l, l.getsockname()];
  })();
  const waiting = socket.socket();
  const fresh = socket.socket();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    waiting.connect(addr); // now queued on the listener
    b.sendall("line one\nline two\n");
    await rejected(srv.acceptAsync(options));
    await rejected(a.recvAsync(4, options));
    await rejected(a.recvAsync(4, 0, options));
    await rejected(a.recvfromAsync(4, options));
    await rejected(a.recv_intoAsync(new Uint8Array(4), options));
    await rejected(a.recv_intoAsync(new Uint8Array(4), 2, 0, options));
    await rejected(a.readAsync(4, options));
    await rejected(a.readintoAsync(new Uint8Array(4), options));
    await rejected(a.readlineAsync(options));
    await rejected(a.sendAsync("x", options));
    await rejected(a.sendallAsync("x", 0, options));
    await rejected(a.writeAsync("x", options));
    await rejected(udp.sendtoAsync("x", ["127.0.0.1", addr[1]], options));
    await rejected(udp.sendtoAsync("x", 0, ["127.0.0.1", addr[1]], options));
    await rejected(fresh.connectAsync(addr, options));
    await rejected(socket.getaddrinfoAsync("127.0.0.1", 80, options));
    // Nothing moved: every byte is still there, the connection still queued, nothing sent,
    // nothing connected.
    a.settimeout(5);
    assert.equal(a.read(18).toString(), "line one\nline two\n");
    b.settimeout(0);
    assert.throws(() => b.recv(1), { code: "EAGAIN" });
    srv.settimeout(5);
    const [conn] = srv.accept();
    conn.close();
    assert.throws(() => fresh.getpeername(), { name: "OSError", code: "ENOTCONN" });
    assert.equal(udp.getsockname()[1], 0, "a datagram went out: sendto would have bound the socket");
  } finally {
    for (const s of [a, b, srv, waiting, fresh, udp]) s.close();
  }
});

// docs/behaviour.md §7 ("honours the socket's timeout", aborts) and the review's leak rules: once a call
// settles, however it settles, it leaves no abort listener on the signal and no timer.
test("settled Promise twins leave no abort listener and no timer behind", async () => {
  const controller = new AbortController();
  const { signal } = controller;
  const listeners = () => getEventListeners(signal, "abort").length;
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const baseTimers = timers();
  const [a, b] = socket.socketpair();
  try {
    a.settimeout(5);
    // Waited, then served.
    for (let i = 0; i < 5; i++) {
      const pending = a.recvAsync(1, { signal });
      assert.equal(listeners(), 1);
      b.send("x");
      await pending;
    }
    // Queued behind each other.
    const queued = [a.recvAsync(1, { signal }), a.recvAsync(1, { signal }), a.recvAsync(1, { signal })];
    assert.equal(listeners(), 3);
    b.send("abc");
    assert.deepEqual((await Promise.all(queued)).map(String), ["a", "b", "c"]);
    // Timed out.
    a.settimeout(0.05);
    await assert.rejects(a.recvAsync(1, { signal }), { code: "ETIMEDOUT" });
    // Rejected by close() of another socket's pending call.
    const [c, d] = socket.socketpair();
    c.settimeout(5);
    const closing = c.recvAsync(1, { signal });
    c.close();
    d.close();
    await assert.rejects(closing, { code: "EBADF" });
    // pollAsync and getaddrinfoAsync.
    const p = select.poll();
    p.register(a, select.POLLIN);
    const polled = p.pollAsync(5000, { signal });
    b.send("p");
    assert.equal((await polled).length, 1);
    await socket.getaddrinfoAsync("127.0.0.1", 80, { signal });
    assert.equal(listeners(), 0);
    assert.equal(timers(), baseTimers);
    // Aborting now (after everything settled) reaches nobody and changes nothing.
    controller.abort(new Error("late"));
    assert.equal(a.recv(1).toString(), "p");
  } finally {
    a.close();
    b.close();
  }
});

// docs/behaviour.md §7: "A socket with a pending async call keeps the process alive" — for the read queue
// of a listener (acceptAsync), and for a call that was queued behind another: when the
// first settles the second must go on holding the process.
test("pending acceptAsync, and a queued call after the first settles, keep the process alive", async () => {
  const code = `
    const socket = await import(process.env.USOCKET);
    const srv = socket.socket();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const accepting = srv.acceptAsync();
    console.log(srv.getsockname()[1]);
    const [conn] = await accepting;
    const first = conn.recvAsync(1);
    const second = conn.recvAsync(1);
    console.log("first " + (await first));
    console.log("second " + (await second));`;
  const peer = startPeer("node", code, { limitMs: 15000 });
  const port = Number(await peer.ready);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(peer.child.exitCode, null, "exited while acceptAsync was pending");
  const c = socket.socket();
  try {
    c.connect(["127.0.0.1", port]);
    c.sendall("1");
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(peer.child.exitCode, null, "exited while the queued recvAsync was pending");
    c.sendall("2");
    const { code: status, stdout } = await peer.done;
    assert.equal(status, 0);
    assert.match(stdout, /first 1\nsecond 2\n/);
  } finally {
    c.close();
  }
});

// docs/behaviour.md §10 (Defaults): sockets from socketpair() start with getdefaulttimeout() too — in
// their behaviour, not only in what gettimeout() says.
test("socketpair() sockets start with the default timeout, and behave by it", () => {
  const before = socket.getdefaulttimeout();
  try {
    socket.setdefaulttimeout(0);
    let [a, b] = socket.socketpair();
    assert.equal(a.gettimeout(), 0);
    assert.throws(() => a.recv(1), { code: "EAGAIN" });
    a.close();
    b.close();
    socket.setdefaulttimeout(0.3);
    [a, b] = socket.socketpair();
    assert.equal(b.gettimeout(), 0.3);
    const start = performance.now();
    assert.throws(() => b.recv(1), { code: "ETIMEDOUT" });
    const elapsed = (performance.now() - start) / 1000;
    assert.ok(elapsed >= 0.25 && elapsed <= 3, `${elapsed} s`);
    a.close();
    b.close();
  } finally {
    socket.setdefaulttimeout(before);
  }
});

/** Calls of the core's poll(2) made while `fn` runs: [descriptors, timeout] of each. */
function pollCalls(fn) {
  const calls = [];
  const original = native.poll;
  native.poll = (pollfds, count, timeoutMs) => {
    const fds = new Int32Array(pollfds.buffer, pollfds.byteOffset, count * 2).filter((_, i) => i % 2 === 0);
    calls.push([[...fds], timeoutMs]);
    return original(pollfds, count, timeoutMs === -1 ? 0 : timeoutMs); // never wait here
  };
  try {
    fn();
  } finally {
    native.poll = original;
  }
  return calls;
}

// docs/behaviour.md §6, §10: each Poll.poll is one poll(2) over every registered descriptor; a
// fractional timeout_ms is rounded up; null/negative = forever; kept-back bytes make the
// call's timeout 0; a closed socket's old number is never passed to poll(2).
test("Poll.poll makes one poll(2) with the rounded timeout, never passing a closed socket's number", () => {
  const [a, b] = socket.socketpair();
  const [c, d] = socket.socketpair();
  const p = select.poll();
  try {
    p.register(a, select.POLLIN);
    p.register(c, select.POLLIN);
    const cases = [[0.2, 1], [299.01, 300], [5, 5], [0, 0], [null, -1], [-0.5, -1], [undefined, -1]];
    for (const [given, expected] of cases) {
      const calls = pollCalls(() => p.poll(given));
      assert.deepEqual(calls, [[[a.fileno(), c.fileno()], expected]], `poll(${given})`);
    }
    assert.deepEqual(pollCalls(() => select.select([a], [], [], 0.0001)), [[[a.fileno()], 1]]);
    assert.deepEqual(pollCalls(() => select.select([a], [], [])), [[[a.fileno()], -1]]);
    // Kept-back bytes (a readinto that timed out part-way): poll(2) with timeout 0.
    b.sendall("ab");
    a.settimeout(0.05);
    assert.throws(() => a.readinto(new Uint8Array(4)), { code: "ETIMEDOUT" });
    let result;
    assert.deepEqual(pollCalls(() => (result = p.poll(-1))), [[[a.fileno(), c.fileno()], 0]]);
    assertSame(result, [[a, select.POLLIN]]);
    assert.equal(a.recv(10).toString(), "ab");
    // Closed: its slot is -1, the old number does not reach poll(2), and POLLNVAL is reported.
    const old = c.fileno();
    c.close();
    const calls = pollCalls(() => (result = p.poll(-1)));
    assert.equal(calls.length, 1);
    assert.ok(!calls[0][0].includes(old), `the closed socket's number ${old} was polled`);
    assert.equal(calls[0][1], 0, "a closed registered socket is ready: poll(2) must not wait");
    assertSame(result, [[c, select.POLLNVAL]]);
  } finally {
    for (const s of [a, b, c, d]) s.close();
  }
});

// docs/behaviour.md §7, §10: "an abort rejects with the signal's reason" and "after an aborted write the
// amount sent is not reported": the reason comes back as it was given, even when it is an
// OSError (sendall's bookkeeping once added `written` to it).
test("an aborted sendallAsync/writeAsync rejects with the reason untouched, without `written`", async () => {
  const [a, b] = socket.socketpair();
  try {
    for (const call of [(data, options) => a.sendallAsync(data, options), (data, options) => a.writeAsync(data, options)]) {
      const controller = new AbortController();
      const reason = new socket.OSError(ECANCELED, "mine");
      const pending = call(Buffer.alloc(4 << 20), { signal: controller.signal });
      controller.abort(reason); // the first attempt sent what fit; the call waits for room
      const error = await pending.then(() => null, (thrown) => thrown);
      assert.equal(error, reason);
      assert.equal(Object.hasOwn(error, "written"), false, "the aborted write reported what it sent");
      assert.equal(error.syscall, "mine");
      // Something did go out before the abort: the call had started.
      b.settimeout(0);
      let received = 0;
      for (let i = 0; i < 100000; i++) {
        try {
          received += b.recv(65536).length;
        } catch {
          break;
        }
      }
      assert.ok(received > 0);
    }
  } finally {
    a.close();
    b.close();
  }
});

// docs/behaviour.md §10: "select(): a closed socket in any list raises OSError(EBADF)" — also a closed
// descriptor given as a number or through fileno() (CPython's select does the same), rather
// than "nothing ready" at once whatever the timeout. poll() reports it POLLNVAL instead.
test("select() with a descriptor number that is not open raises EBADF; poll() reports POLLNVAL", () => {
  const open = new Set(readdirSync("/proc/self/fd").map(Number));
  let fd = 4093;
  while (open.has(fd)) fd++;
  const [a, b] = socket.socketpair();
  try {
    for (const lists of [[[fd], [], []], [[a], [{ fileno: () => fd }], []], [[], [], [fd]]]) {
      assert.throws(() => select.select(...lists), { name: "OSError", code: "EBADF" });
    }
    const p = select.poll();
    p.register(fd, select.POLLIN);
    assertSame(p.poll(), [[fd, select.POLLNVAL]]);
    // Open descriptors given as numbers are polled as usual.
    b.send("x");
    assertSame(select.select([a.fileno()], [], [], 2), [[a.fileno()], [], []]);
  } finally {
    a.close();
    b.close();
  }
});

// docs/behaviour.md §10: "A closed registered socket is ready with POLLNVAL (so every poll returns at
// once)" — also for a pollAsync already waiting when the socket is closed. Its thread's
// poll(2) held the socket open: the peer saw no EOF until the wait ended (never, with -1).
test("closing a socket that a pending pollAsync waits on closes it and resolves POLLNVAL at once", async () => {
  const dog = watchdog(30);
  const [a, b] = socket.socketpair();
  const [c, d] = socket.socketpair();
  const p = select.poll();
  p.register(a, select.POLLIN);
  p.register(c, select.POLLIN);
  try {
    const pending = p.pollAsync(-1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the thread is in poll(2) now
    a.close();
    const settled = await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 5000, "still waiting"))]);
    assert.notEqual(settled, "still waiting", "pollAsync did not wake when a polled socket was closed");
    assertSame(settled, [[a, select.POLLNVAL]]);
    b.settimeout(3);
    assert.equal(b.recv(10).length, 0, "the peer sees EOF: the socket is really closed");
    // The other socket's wake-up hook went with the call.
    c.close();
    assert.equal(c._onClose?.size ?? 0, 0);
  } finally {
    for (const s of [a, b, c, d]) s.close();
    dog.terminate();
  }
});

// Native review: a Poll (and its sockets) dropped by the program while a pollAsync is
// pending is neither collected under the waiting thread nor lost: the call still resolves.
test("a Poll forgotten while its pollAsync is pending survives GC and the call resolves", async () => {
  const { code, stdout, stderr } = await runNode(`
    const socket = await import(process.env.USOCKET);
    const select = await import(process.env.USOCKET.replace(/index\\.js$/, "select.js"));
    const [a, b] = socket.socketpair();
    let p = select.poll();
    p.register(a, select.POLLIN);
    const pending = p.pollAsync(10000);
    p = null;
    for (let i = 0; i < 5; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    b.send("x");
    const result = await pending;
    console.log(JSON.stringify([result.length, result[0][0] === a, result[0][1]]));
    a.close();
    b.close();`, { execArgv: ["--expose-gc"], limitMs: 20000 });
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout.trim()), [1, true, select.POLLIN]);
});

// Native review: a Worker torn down while getaddrinfoAsync calls are on the thread pool
// exits cleanly (the calls complete into an environment that is going away).
test("Workers terminated with getaddrinfoAsync calls in flight exit cleanly", async () => {
  const code = `
    const { parentPort } = await import("node:worker_threads");
    const socket = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist", "index.js")).href)});
    for (let i = 0; i < 100; i++) socket.getaddrinfoAsync(i % 2 ? "localhost" : "127.0.0.1", 80).catch(() => {});
    parentPort.postMessage("resolving");`;
  for (let round = 0; round < 10; round++) {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
    const exited = once(worker, "exit"); // rejects on an "error" event
    const [message] = await once(worker, "message");
    assert.equal(message, "resolving");
    await worker.terminate();
    // 1 when terminated, 0 when every answer came first and it ended by itself.
    const [status] = await exited;
    assert.ok(status === 0 || status === 1, `exit status ${status}`);
  }
  // This thread's resolver still answers.
  assert.deepEqual((await socket.getaddrinfoAsync("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM))[0][4], ["127.0.0.1", 80]);
});

// docs/behaviour.md §2: IPv4 host "" or "0.0.0.0" = any (and "" for IPv6 too), in bind; the socket then
// takes connections on loopback.
test('bind(["", port]) and bind(["0.0.0.0", port]) bind the any address', () => {
  const cases = [[socket.AF_INET, "", "0.0.0.0", "127.0.0.1"], [socket.AF_INET, "0.0.0.0", "0.0.0.0", "127.0.0.1"]];
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

// Native review (docs/behaviour.md §5: no input reads or writes out of bounds): the core tells its two
// kinds of external apart. A pollAsync job given where a socket handle is expected was read
// as a handle: close() would have closed a descriptor number taken from the job's memory.
test("the core refuses a pollAsync job where a socket handle is expected, and the reverse", async () => {
  const [a, b] = socket.socketpair();
  const pollfds = new Uint8Array(8);
  new Int32Array(pollfds.buffer)[0] = a.fileno();
  new Int16Array(pollfds.buffer)[2] = select.POLLIN;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  const job = native.pollAsync(pollfds, 1, 10000, (rc) => settle(rc));
  try {
    assert.notEqual(typeof job, "number");
    assert.throws(() => native.close(job), TypeError);
    assert.throws(() => native.watch(job, select.POLLIN, () => {}), TypeError);
    assert.throws(() => native.watchRef(job, true), TypeError);
    assert.throws(() => native.close({}), TypeError);
    assert.throws(() => native.pollAsyncAbort(a._handle), TypeError);
    // Nothing was closed or disturbed: the job still sees the data, the sockets still work.
    b.send("x");
    assert.equal(await done, 1);
    assert.equal(a.recv(1).toString(), "x");
  } finally {
    a.close();
    b.close();
  }
});
