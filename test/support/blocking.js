// For tests of calls that block this thread: a watchdog that ends a frozen process, and a
// synchronous sleep.
import { Worker } from "node:worker_threads";

/**
 * Ends this test process if it is still running after `seconds`: a blocking call that
 * never returns (a bug under test) freezes the event loop, so node:test's own timeouts
 * cannot fire; a worker thread's timer still can. The worker does not keep the process
 * alive.
 */
export function watchdog(seconds) {
  const worker = new Worker(
    `setTimeout(() => {
      process.stderr.write("watchdog: the test process was still running after ${seconds} s (a call blocked?)\\n");
      process.kill(process.pid, "SIGKILL");
    }, ${Math.round(seconds * 1000)});`,
    { eval: true },
  );
  worker.unref();
  return worker;
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Sleeps synchronously (the event loop stays frozen, as in a blocking call). */
export function sleepSync(ms) {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
