// For tests of calls that block this thread: a watchdog that ends a frozen process, and a
// synchronous sleep.
import { Worker } from "node:worker_threads";
import { once } from "node:events";

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

/**
 * watchdog(seconds), resolved once the worker's thread runs. A Worker opens its event
 * loop's descriptors (epoll, eventfd, the signal pipe; io_uring in newer libuv) on its own thread,
 * some time after `new Worker` returns; under load that can be after a test took its first
 * count of /proc/self/fd, which then reads as those descriptors leaked. A test that counts
 * descriptors starts its watchdog with this one. Until then the worker keeps the process
 * alive (a top-level await on an unreferenced worker would let the process end first).
 */
export async function startedWatchdog(seconds) {
  const worker = watchdog(seconds);
  worker.ref();
  await once(worker, "online");
  worker.unref();
  return worker;
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Sleeps synchronously (the event loop stays frozen, as in a blocking call). */
export function sleepSync(ms) {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
