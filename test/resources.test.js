// Descriptors: the garbage collector closes a forgotten socket, exactly once (never a
// number reused since); 10 000+ open/close cycles leak nothing; every descriptor the
// module creates is close-on-exec. GC is forced in child processes run with --expose-gc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readlinkSync } from "node:fs";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import { DIST, fdCount } from "./support/peers.js";
import { openSockets, tempDir } from "./support/host.js";
import { runNode } from "./support/node-child.js";

const { AF_INET, AF_UNIX, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, SO_LINGER } = socket;
const LINGER_0 = Buffer.alloc(8); // struct linger { l_onoff = 1, l_linger = 0 }, either byte order
LINGER_0.writeInt32LE(1, 0);
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) LINGER_0.writeInt32BE(1, 0);

/** Runs `body` (an async function's text, with `s` = usocket and the helpers below) in a
 * `node --expose-gc` child; returns the JSON it prints. */
async function inGcChild(body) {
  const code = `
import { readdirSync, readlinkSync } from "node:fs";
const s = await import(process.env.USOCKET);
// Sockets only: whatever else node opens meanwhile (files, event descriptors) is not ours.
const fds = () => readdirSync("/proc/self/fd").filter((n) => (inode(n) ?? "").startsWith("socket:")).length;
const inode = (fd) => { try { return readlinkSync("/proc/self/fd/" + fd); } catch { return null; } };
async function collect() {
  for (let round = 0; round < 4; round++) {
    globalThis.gc();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}
const out = await (async () => { ${body} })();
console.log(JSON.stringify(out));
`;
  const { code: status, stdout, stderr } = await runNode(code, { execArgv: ["--expose-gc"] });
  assert.equal(status, 0, stderr);
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

test("a socket garbage-collected while open is closed (TCP, UDP, accepted, socketpair, AF_UNIX)", async () => {
  const result = await inGcChild(`
    const before = fds();
    const listenerSock = s.socket();
    listenerSock.bind(["127.0.0.1", 0]);
    listenerSock.listen(200);
    const address = listenerSock.getsockname();
    (() => {
      for (let i = 0; i < 50; i++) {
        s.socket();
        s.socket(s.AF_INET, s.SOCK_DGRAM);
        s.socket(s.AF_UNIX, s.SOCK_STREAM);
        s.socketpair();
        const c = s.socket();
        c.connect(address);
        listenerSock.accept(); // the accepted socket is dropped at once
      }
    })();
    const created = fds();
    await collect();
    const afterGc = fds();
    listenerSock.close();
    return { before, created, afterGc, final: fds() };
  `);
  // 50 × (1 + 1 + 1 + 2 + 1 client + 1 accepted) = 350 descriptors made and dropped.
  assert.equal(result.created - result.before, 351, JSON.stringify(result));
  assert.equal(result.afterGc, result.before + 1, `only the listener is left: ${JSON.stringify(result)}`);
  assert.equal(result.final, result.before);
});

// The registry that closes forgotten sockets holds a small slot number per socket, and a
// slot is reused once its callback ran: callbacks of closed sockets, of reused slots and of
// forgotten sockets, interleaved over several collections, close exactly the forgotten ones.
test("forgotten sockets are closed across collections that reuse the registry's slots; kept ones never", async () => {
  const result = await inGcChild(`
    const before = fds();
    const kept = [];
    for (let round = 0; round < 5; round++) {
      (() => {
        for (let i = 0; i < 40; i++) s.socket().close(); // closed: their slots come back
        for (let i = 0; i < 20; i++) s.socket(s.AF_INET, s.SOCK_DGRAM); // forgotten
        for (let i = 0; i < 10; i++) {
          const k = s.socket(s.AF_INET, s.SOCK_DGRAM);
          k.bind(["127.0.0.1", 0]);
          kept.push([k, inode(k.fileno())]);
        }
      })();
      await collect();
    }
    const open = fds() - before;
    const intact = kept.filter(([k, node]) => inode(k.fileno()) === node).length;
    let delivered = 0;
    for (const [k] of kept) {
      kept[0][0].sendto("x", k.getsockname());
      if (k.recv(4).toString() === "x") delivered++;
    }
    for (const [k] of kept) k.close();
    return { open, intact, delivered, kept: kept.length, final: fds() - before };
  `);
  assert.deepEqual(result, { open: 50, intact: 50, delivered: 50, kept: 50, final: 0 });
});

// New sockets wait in a small batch, held strongly, until they are registered with the
// registry (src/pressure.ts): when the batch fills, or at the end of the task. The batch must
// register every socket still open, and must hold none once flushed.
test("sockets forgotten before their registration batch is flushed are closed after collection", async () => {
  const result = await inGcChild(`
    const before = fds();
    const counts = [1, 5, 31, 32, 33, 64, 100];
    const open = [];
    for (const count of counts) {
      (() => {
        for (let i = 0; i < count; i++) {
          s.socket(s.AF_INET, s.SOCK_DGRAM); // forgotten
          if (i % 3 === 0) s.socket().close(); // closed before the flush: never registered
        }
      })();
      open.push(fds() - before);
      await collect();
    }
    return { open, final: fds() - before };
  `);
  assert.deepEqual(result, { open: [1, 5, 31, 32, 33, 64, 100], final: 0 });
});

test("the registration batch keeps no socket alive once flushed, closed or forgotten", async () => {
  const result = await inGcChild(`
    const refs = [];
    // In a task of their own, so that the WeakRefs do not keep their targets for the task.
    await new Promise((resolve) => setImmediate(() => {
      for (let i = 0; i < 40; i++) {
        const k = s.socket(s.AF_INET, s.SOCK_DGRAM);
        if (i % 2 === 0) k.close();
        refs.push(new WeakRef(k));
      }
      resolve();
    }));
    await collect();
    return { alive: refs.filter((r) => r.deref() !== undefined).length };
  `);
  assert.deepEqual(result, { alive: 0 });
});

test("a socket that is still referenced is not closed by GC", async () => {
  const result = await inGcChild(`
    const kept = [];
    for (let i = 0; i < 20; i++) kept.push(s.socket(s.AF_INET, s.SOCK_DGRAM));
    for (const k of kept) k.bind(["127.0.0.1", 0]);
    await collect();
    const alive = kept.map((k) => inode(k.fileno()) !== null && k.getsockname()[1] > 0);
    // A datagram through the first two proves the descriptors are the same sockets.
    kept[0].sendto("still here", kept[1].getsockname());
    const got = kept[1].recv(32).toString();
    for (const k of kept) k.close();
    return { alive, got };
  `);
  assert.ok(result.alive.every(Boolean), JSON.stringify(result.alive));
  assert.equal(result.got, "still here");
});

test("GC of a closed socket never closes the descriptor number a newer socket reuses", async () => {
  const result = await inGcChild(`
    const rounds = 200;
    const kept = [];
    let reused = 0;
    (() => {
      for (let i = 0; i < rounds; i++) {
        const old = i % 2 === 0 ? s.socket() : s.socket(s.AF_INET, s.SOCK_DGRAM);
        const number = old.fileno();
        old.close(); // the old object becomes garbage with its handle marked closed
        const fresh = s.socket(s.AF_INET, s.SOCK_DGRAM);
        if (fresh.fileno() === number) reused++;
        fresh.bind(["127.0.0.1", 0]);
        kept.push([fresh, inode(fresh.fileno())]);
      }
    })();
    await collect();
    const intact = kept.filter(([k, node]) => inode(k.fileno()) === node).length;
    // Each kept socket still works: the first sends to every other one.
    let delivered = 0;
    for (const [k] of kept.slice(1)) {
      kept[0][0].sendto("x", k.getsockname());
      if (k.recv(4).toString() === "x") delivered++;
    }
    for (const [k] of kept) k.close();
    return { rounds, reused, intact, delivered };
  `);
  // The kernel hands out the lowest free number, so the fresh socket takes the old one's.
  assert.ok(result.reused >= result.rounds / 2, `descriptor numbers were not reused: ${JSON.stringify(result)}`);
  assert.equal(result.intact, result.rounds, JSON.stringify(result));
  assert.equal(result.delivered, result.rounds - 1);
});

test("an accepted socket closed, its number reused, then GC: the new socket survives", async () => {
  const result = await inGcChild(`
    const srv = s.socket();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    let client = s.socket();
    client.connect(srv.getsockname());
    let [conn] = srv.accept();
    const number = conn.fileno();
    conn.close();
    client.close();
    conn = null;
    client = null;
    const [a, b] = s.socketpair();
    const reusedNumber = [a.fileno(), b.fileno()].includes(number);
    await collect();
    a.sendall("pair ok");
    const got = b.recv(16).toString();
    a.close();
    b.close();
    srv.close();
    return { reusedNumber, got };
  `);
  assert.equal(result.reusedNumber, true, "the socketpair did not reuse the accepted socket's number");
  assert.equal(result.got, "pair ok");
});

test("a Worker that ends with sockets open closes every one of them, and no socket of another thread", async () => {
  const { Worker } = await import("node:worker_threads");
  const { pathToFileURL } = await import("node:url");
  const here = socket.socket(AF_INET, SOCK_DGRAM);
  here.bind(["127.0.0.1", 0]);
  const sockets = openSockets();
  const code = `
    const { parentPort, workerData } = await import("node:worker_threads");
    const s = await import(${JSON.stringify(pathToFileURL(path.join(DIST, "index.js")).href)});
    const kept = [];
    const srv = s.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
    const c = s.socket(); c.connect(srv.getsockname());
    const [conn] = srv.accept();
    kept.push(srv, c, conn, ...s.socketpair(), s.socket(s.AF_INET, s.SOCK_DGRAM));
    // One with a readiness watcher armed (a pending recvAsync), one forgotten.
    const [a, b] = s.socketpair();
    kept.push(a, b);
    a.recvAsync(1).catch(() => {});
    s.socket();
    parentPort.postMessage(kept.map((k) => k.fileno()));
    if (workerData === "exits") process.exit(0);`;
  for (const ending of ["exits", "terminated"]) {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: ending });
    const exited = once(worker, "exit");
    const [numbers] = await once(worker, "message");
    assert.equal(numbers.length, 8);
    if (ending === "terminated") await worker.terminate();
    await exited;
    assert.deepEqual(openSockets(), sockets, `after the Worker ${ending}`);
  }
  // This thread's socket was left alone.
  here.sendto("x", here.getsockname());
  assert.equal(here.recv(1).toString(), "x");
  here.close();
});

test("10 000 TCP and 10 000 UDP open/close cycles leak no descriptor", () => {
  const before = fdCount();
  const sockets = openSockets();
  let highest = 0;
  for (let i = 0; i < 10000; i++) {
    const t = socket.socket(AF_INET, SOCK_STREAM);
    const u = socket.socket(AF_INET, SOCK_DGRAM);
    highest = Math.max(highest, t.fileno(), u.fileno());
    if (i % 2 === 0) u.bind(["127.0.0.1", 0]);
    t.close();
    u.close();
    u.close(); // idempotent
  }
  assert.equal(fdCount(), before);
  assert.deepEqual(openSockets(), sockets);
  // Numbers were reused, not piled up.
  assert.ok(highest < before + 16, `descriptor numbers grew to ${highest}`);
});

test("10 000 connect/accept/close pairs over TCP leak no descriptor", () => {
  const srv = socket.socket(AF_INET, SOCK_STREAM);
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  const address = srv.getsockname();
  const before = fdCount();
  for (let i = 0; i < 10000; i++) {
    const c = socket.socket(AF_INET, SOCK_STREAM);
    c.connect(address);
    const [conn, from] = srv.accept();
    if (i % 1000 === 0) assert.deepEqual(from, c.getsockname());
    // Close with a reset so no TIME_WAIT piles up and ephemeral ports stay available.
    c.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
    c.close();
    conn.close();
  }
  assert.equal(fdCount(), before);
  srv.close();
});

test("10 000 AF_UNIX connect/accept/close pairs and socketpairs leak no descriptor", () => {
  const [dir, remove] = tempDir("usocket-res-");
  try {
    const where = path.join(dir, "l.sock");
    const srv = socket.socket(AF_UNIX, SOCK_STREAM);
    srv.bind(where);
    srv.listen();
    const before = fdCount();
    for (let i = 0; i < 10000; i++) {
      const c = socket.socket(AF_UNIX, SOCK_STREAM);
      c.connect(where);
      const [conn] = srv.accept();
      c.close();
      conn.close();
      const [a, b] = socket.socketpair();
      b.close();
      a.close();
    }
    assert.equal(fdCount(), before);
    srv.close();
  } finally {
    remove();
  }
});

test("failing calls leak no descriptor", () => {
  const before = fdCount();
  const gone = socket.socket(AF_INET, SOCK_STREAM);
  gone.bind(["127.0.0.1", 0]);
  const refused = gone.getsockname();
  gone.close();
  for (let i = 0; i < 1000; i++) {
    assert.throws(() => socket.socket(AF_INET, 0x7ff0), socket.OSError); // the kernel's EINVAL
    assert.throws(() => socket.socket(0x7ff0, SOCK_STREAM), socket.OSError);
    const s = socket.socket(AF_INET, SOCK_STREAM);
    assert.throws(() => s.connect(refused), { code: "ECONNREFUSED" });
    assert.throws(() => s.bind(["not-an-address", 0]), { code: "EINVAL" });
    s.close();
    assert.throws(() => socket.getaddrinfo("localhost", "no-such-service-usocket"), socket.OSError);
  }
  assert.equal(fdCount(), before);
});

/** The "socket:[inode]" link of each descriptor of process `pid` ("self" for this one). */
function socketLinks(pid) {
  const links = new Map();
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${name}`);
      if (target.startsWith("socket:")) links.set(target, Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return links;
}

test("every descriptor the module creates is close-on-exec: a child process inherits none", async () => {
  const [dir, remove] = tempDir("usocket-exec-");
  const sockets = [];
  try {
    const tcpSrv = socket.socket(AF_INET, SOCK_STREAM);
    sockets.push(tcpSrv);
    tcpSrv.bind(["127.0.0.1", 0]);
    tcpSrv.listen();
    const tcpClient = socket.socket(AF_INET, SOCK_STREAM);
    sockets.push(tcpClient);
    tcpClient.connect(tcpSrv.getsockname());
    sockets.push(tcpSrv.accept()[0]);
    sockets.push(socket.socket(AF_INET, SOCK_DGRAM));
    sockets.push(...socket.socketpair());
    sockets.push(...socket.socketpair(AF_UNIX, SOCK_DGRAM));
    const unixSrv = socket.socket(AF_UNIX, SOCK_STREAM);
    sockets.push(unixSrv);
    unixSrv.bind(path.join(dir, "x.sock"));
    unixSrv.listen();
    const unixClient = socket.socket(AF_UNIX, SOCK_STREAM);
    sockets.push(unixClient);
    unixClient.connect(path.join(dir, "x.sock"));
    sockets.push(unixSrv.accept()[0]);
    const ipv6 = (() => {
      try {
        return socket.socket(socket.AF_INET6, SOCK_DGRAM);
      } catch {
        return null;
      }
    })();
    if (ipv6) sockets.push(ipv6);
    // A socket whose timeout made its descriptor non-blocking keeps the flag too.
    sockets[3].settimeout(1);

    const mine = socketLinks("self");
    const ours = sockets.map((s) => readlinkSync(`/proc/self/fd/${s.fileno()}`));
    for (const link of ours) assert.ok(mine.has(link));

    // `sleep` exits by itself; spawn returns once exec has happened, so its descriptor
    // table is the one it got across exec.
    const child = spawn("sleep", ["3"], { stdio: "ignore" });
    await once(child, "spawn");
    let inherited;
    try {
      inherited = socketLinks(child.pid);
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    const leaked = ours.filter((link) => inherited.has(link));
    assert.deepEqual(leaked, [], `the child inherited ${leaked.join(", ")}`);
  } finally {
    for (const s of sockets) s.close();
    remove();
  }
});
