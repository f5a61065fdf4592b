// Stress (not in CI): Workers terminated while their sockets have Promise calls, pollAsync
// and resolver calls pending; the process must stay alive and end with the descriptors it
// started with.
import { Worker } from "node:worker_threads";
import { readdirSync } from "node:fs";

const fds = () => readdirSync("/proc/self/fd").length;
const before = fds();
const body = `(async () => {
  const socket = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
  const select = await import(${JSON.stringify(new URL("../../dist/select.js", import.meta.url).href)});
  const { parentPort } = await import("node:worker_threads");
  const pairs = Array.from({ length: 20 }, () => socket.socketpair());
  for (const [a] of pairs) a.recvAsync(10).catch(() => {});
  const p = select.poll();
  for (const [, b] of pairs) p.register(b, select.POLLIN);
  p.pollAsync(-1).catch(() => {});
  socket.getaddrinfoAsync("localhost", 80).catch(() => {});
  const srv = socket.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
  srv.acceptAsync().catch(() => {});
  parentPort.postMessage("pending");
})();`;
const start = performance.now();
for (let round = 0; round < 200; round++) {
  const w = new Worker(body, { eval: true });
  await new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });
  await w.terminate();
}
for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
const after = fds();
console.log(
  JSON.stringify({ workers: 200, ms: Math.round(performance.now() - start), fdsBefore: before, fdsAfter: after }),
);
if (after > before + 2) throw new Error("descriptors left open by terminated Workers");
