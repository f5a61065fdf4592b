// Stress (not in CI): a storm of SIGUSR2 (no SA_RESTART wrapping: it must be retried) and of
// SIGINT with a listener (each must end exactly one timed call with EINTR) while this
// process makes timed recv calls; the helper process sends the signals.
import { spawn } from "node:child_process";
import * as socket from "../../dist/index.js";

let heard = 0;
process.on("SIGINT", () => heard++);
process.on("SIGUSR2", () => {});
const [a, b] = socket.socketpair();
a.settimeout(0.05);
const storm = spawn(
  "sh",
  [
    "-c",
    `for i in $(seq 1 400); do kill -USR2 ${process.pid}; if [ $((i % 20)) = 0 ]; then kill -INT ${process.pid}; fi; sleep 0.005; done`,
  ],
  { stdio: "ignore" },
);
let interrupted = 0;
let timeouts = 0;
let calls = 0;
const start = performance.now();
let exited = false;
storm.on("exit", () => (exited = true));
while (!exited && performance.now() - start < 20000) {
  calls++;
  try {
    a.recv(1);
  } catch (e) {
    if (e.code === "EINTR" && e.signal === "SIGINT") interrupted++;
    else if (e.code === "ETIMEDOUT") timeouts++;
    else throw e;
  }
  if (calls % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
}
await new Promise((resolve) => setTimeout(resolve, 100));
a.close();
b.close();
console.log(
  JSON.stringify({
    calls,
    timeouts,
    interruptedBySigint: interrupted,
    sigintListenerRuns: heard,
    ms: Math.round(performance.now() - start),
  }),
);
if (interrupted > heard) throw new Error("more interruptions than signals");
