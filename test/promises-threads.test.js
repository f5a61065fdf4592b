// The Promise API in Workers and across process lifetimes: each environment has its own
// watchers on its own loop; a Worker that goes away with calls pending neither crashes nor
// hangs; a pending call keeps the process alive and an idle socket does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { listener, startPeer } from "./support/peers.js";

const WORKER = new URL("./support/async-worker.js", import.meta.url);

function run(workerData) {
  const worker = new Worker(WORKER, { workerData });
  const message = once(worker, "message").then(([value]) => value);
  const exit = once(worker, "exit").then(([code]) => code);
  return { worker, message, exit };
}

test("100 connections served by acceptAsync inside a Worker", async () => {
  const { message, exit } = run({ mode: "echo", count: 100, seed: 1 });
  assert.deepEqual(await message, { served: 100 });
  assert.equal(await exit, 0);
});

test("several Workers at once, each with its own sockets", async () => {
  const workers = [1, 2, 3, 4].map((seed) => run({ mode: "echo", count: 40, seed }));
  const results = await Promise.all(workers.map((w) => w.message));
  assert.deepEqual(results, Array(4).fill({ served: 40 }));
  assert.deepEqual(await Promise.all(workers.map((w) => w.exit)), [0, 0, 0, 0]);
});

test("a Worker terminated with calls pending exits cleanly, and others are unaffected", async () => {
  const doomed = [run({ mode: "pending" }), run({ mode: "pending" })];
  const busy = run({ mode: "echo", count: 20, seed: 9 });
  for (const w of doomed) assert.equal(await w.message, "pending");
  await Promise.all(doomed.map((w) => w.worker.terminate()));
  assert.equal(await doomed[0].exit, 1);
  assert.deepEqual(await busy.message, { served: 20 });
  // One that exits by itself with calls pending.
  const leaving = run({ mode: "pending", exit: true });
  assert.equal(await leaving.message, "pending");
  assert.equal(await leaving.exit, 3);
});

const PRELUDE = `const socket = await import(process.env.USOCKET);`;

test("a process whose sockets are idle exits by itself", async () => {
  const peer = startPeer(
    "node",
    `${PRELUDE}
    const srv = socket.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
    const c = socket.socket();
    const [[conn]] = await Promise.all([srv.acceptAsync(), c.connectAsync(srv.getsockname())]);
    await c.sendAsync("x"); await conn.recvAsync(1);
    const waited = c.recvAsync(1); // this one waits for readiness before it completes
    await conn.sendallAsync("y"); await waited;
    const dgram = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); dgram.bind(["127.0.0.1", 0]);
    const datagram = dgram.recvfromAsync(10); await dgram.sendtoAsync("z", dgram.getsockname()); await datagram;
    const timed = socket.socket(); timed.settimeout(5); timed.connect(srv.getsockname());
    console.log("idle");`,
    { limitMs: 8000 },
  );
  assert.equal(await peer.ready, "idle");
  const { code } = await peer.done;
  assert.equal(code, 0); // not killed by the limit
});

test("a process with a pending recvAsync stays alive until the data arrives", async () => {
  const [srv, addr] = listener();
  const peer = startPeer(
    "node",
    `${PRELUDE}
    const c = socket.socket(); c.connect(["127.0.0.1", Number(process.argv[1])]);
    console.log("waiting");
    const got = await c.recvAsync(10);
    console.log("got " + got);`,
    { args: [String(addr[1])], limitMs: 10000 },
  );
  srv.settimeout(5);
  const [conn] = await srv.acceptAsync();
  assert.equal(await peer.ready, "waiting");
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(peer.child.exitCode, null, "the child exited with a call pending");
  await conn.sendallAsync("data");
  const { code, stdout } = await peer.done;
  assert.equal(code, 0);
  assert.match(stdout, /got data/);
  conn.close();
  srv.close();
});

test("a socket used asynchronously and then forgotten is collected and closed", async () => {
  const peer = startPeer(
    "node",
    `${PRELUDE}
    const { readdirSync } = await import("node:fs");
    (await import("node:v8")).setFlagsFromString("--expose-gc");
    const gc = (await import("node:vm")).runInNewContext("gc");
    const count = () => readdirSync("/proc/self/fd").length;
    const before = count();
    async function useAndForget() {
      const [a, b] = socket.socketpair();
      await a.sendAsync("x"); await b.recvAsync(1);
      const pending = b.recvAsync(1); await a.sendAsync("y"); await pending;
    }
    for (let i = 0; i < 20; i++) await useAndForget();
    const opened = count() - before;
    for (let i = 0; i < 10 && count() > before; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
    console.log(opened + " " + (count() - before));`,
    { limitMs: 10000 },
  );
  const line = await peer.ready.catch((error) => error.message);
  const [opened, left] = line.split(" ").map(Number);
  assert.equal(opened, 40, line);
  assert.equal(left, 0, "descriptors of forgotten sockets stayed open");
  assert.equal((await peer.done).code, 0);
});
