// Stress (not in CI): 100,000 sockets opened and closed, then 20,000 forgotten in a
// synchronous loop (the descriptor limit is lowered to 1024 by the script), with the count
// of open descriptors checked after each phase.
import { readdirSync } from "node:fs";
import * as socket from "../../dist/index.js";

const fds = () => readdirSync("/proc/self/fd").length;
const before = fds();
let start = performance.now();
for (let i = 0; i < 100_000; i++) {
  const s = socket.socket(i % 2 ? socket.AF_INET : socket.AF_INET6, i % 3 ? socket.SOCK_STREAM : socket.SOCK_DGRAM);
  s.close();
}
const afterClose = fds();
const closeMs = performance.now() - start;
start = performance.now();
let most = 0;
for (let i = 0; i < 20_000; i++) {
  socket.socket();
  if (i % 250 === 0) most = Math.max(most, fds());
}
const forgetMs = performance.now() - start;
await new Promise((resolve) => setTimeout(resolve, 50));
globalThis.gc?.();
for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
const result = {
  before,
  afterClose,
  closeMs: Math.round(closeMs),
  forgetMs: Math.round(forgetMs),
  mostOpenWhileForgetting: most,
};
console.log(JSON.stringify(result));
if (afterClose !== before) throw new Error("open/close leaked descriptors");
