// Helpers for the socket API, timeout, non-blocking, stream, "nothing lost" and bad-input
// suites: a scripted sender in another process, synchronous sleeps, and connected pairs
// whose send direction is full.
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import * as socket from "../../dist/index.js";
import { EAGAIN } from "../../dist/errno.js";
import { listener, startPeer } from "./peers.js";

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

/**
 * A peer process that connects to 127.0.0.1:port and follows `plan`, a list of steps:
 * { wait: ms }, { send: "text", repeat?: n } (UTF-8, `repeat` times) or { end: true }
 * (half-close). It prints "ready"
 * once connected and exits by itself when the plan is done and the other side closed,
 * when the connection fails, or after `lingerMs` in any case.
 */
const SENDER = `
import net from "node:net";
const port = Number(process.argv[1]);
const plan = JSON.parse(process.argv[2]);
const lingerMs = Number(process.argv[3]);
setTimeout(() => process.exit(0), lingerMs).unref();
const conn = net.connect(port, "127.0.0.1", async () => {
  console.log("ready");
  for (const step of plan) {
    if (conn.destroyed) break;
    if (step.wait) await new Promise((r) => setTimeout(r, step.wait));
    else if (step.send !== undefined) conn.write(step.send.repeat(step.repeat ?? 1));
    else if (step.end) conn.end();
  }
});
conn.on("data", () => {});
conn.on("error", () => process.exit(0));
conn.on("close", () => process.exit(0));
`;

/**
 * Starts a SENDER peer and accepts its connection. Returns { conn, done }: `conn` is this
 * side (blocking, no timeout); `done` resolves to { code, stdout, stderr } when the peer
 * has exited.
 */
export async function scriptedPeer(plan, { lingerMs = 8000 } = {}) {
  return acceptPeer(SENDER, [JSON.stringify(plan), String(lingerMs)]);
}

/**
 * Starts a Node peer `script` that connects to a fresh loopback listener (its port is the
 * first argument, `args` follow) and prints a line once connected; accepts that connection.
 * Returns { conn, done } as scriptedPeer does.
 */
export async function acceptPeer(script, args) {
  const [srv, [, port]] = listener();
  const peer = startPeer("node", script, { args: [String(port), ...args] });
  try {
    await peer.ready;
    srv.settimeout(5);
    const [conn] = srv.accept();
    return { conn, done: peer.done };
  } finally {
    srv.close();
  }
}

/** `count` steps sending `text` with `everyMs` between them (the first one after everyMs). */
export function trickle(text, count, everyMs) {
  const plan = [];
  for (let i = 0; i < count; i++) plan.push({ wait: everyMs }, { send: text });
  return plan;
}

/**
 * A connected loopback TCP pair [sender, receiver] with small buffers (4 KiB asked for
 * SO_SNDBUF on the sender, SO_RCVBUF on the receiver) and nothing sent yet.
 */
export function smallPair() {
  const [srv, addr] = listener();
  try {
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096);
    const sender = socket.socket();
    sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    sender.connect(addr);
    const [receiver] = srv.accept();
    return [sender, receiver];
  } finally {
    srv.close();
  }
}

/**
 * A smallPair whose sender has been filled with a non-blocking send loop until EAGAIN:
 * nothing more can be sent until the receiver reads. The sender is left blocking with no
 * timeout. Returns [sender, receiver, bytes queued].
 */
export function fullPair() {
  const [sender, receiver] = smallPair();
  return [sender, receiver, fill(sender)];
}

/**
 * Calls `call` right after filling `sender`'s send buffer and returns the error it raised.
 * TCP may open the window a little at any moment (acknowledgements, zero-window probes),
 * so a call that found room and returned is a correct outcome: refill and try again, a
 * bounded number of times. `call` may change the socket's mode (fill leaves it blocking).
 */
export function errorWhenFull(sender, call, tries = 6) {
  for (let i = 0; i < tries; i++) {
    fill(sender);
    try {
      call();
    } catch (error) {
      return error;
    }
  }
  assert.fail(`the send buffer never stayed full for one call (${tries} tries)`);
}

/**
 * Reads, non-blocking, everything that arrives: until `expected` bytes came and then a
 * little longer (to see that nothing more does), or EOF, bounded in count and time.
 * Returns the number of bytes read.
 */
export function drain(receiver, expected) {
  receiver.setblocking(false);
  let got = 0;
  let idle = 0;
  for (let i = 0; i < 1000 && idle < 10; i++) {
    try {
      const n = receiver.recv(65536).length;
      if (n === 0) break;
      got += n;
      idle = got >= expected ? idle + 1 : 0;
    } catch (error) {
      if (error.errno !== EAGAIN) throw error;
      idle = got >= expected ? idle + 1 : idle;
      sleepSync(5);
    }
  }
  return got;
}

/** Sends with non-blocking calls until EAGAIN (bounded); leaves the socket blocking. */
export function fill(sender) {
  const chunk = Buffer.alloc(16384, 0x61);
  let queued = 0;
  sender.setblocking(false);
  try {
    for (let i = 0; i < 4096; i++) {
      try {
        queued += sender.send(chunk);
      } catch (error) {
        if (error.errno !== EAGAIN) throw error;
        // The window can open once more as the receiver acknowledges: confirm twice.
        sleepSync(20);
        try {
          queued += sender.send(chunk);
        } catch (again) {
          if (again.errno === EAGAIN) return queued;
          throw again;
        }
      }
    }
    throw new Error("the send buffer never filled");
  } finally {
    sender.setblocking(true);
  }
}

/**
 * Sends `data` on `sender` and waits (bounded, without consuming anything) until
 * `receiver` can peek all of it, so a non-blocking read that follows finds it there even
 * if the kernel delivered it a little late.
 */
export function sendAndWait(sender, receiver, data) {
  const bytes = Buffer.from(data);
  sender.sendall(bytes);
  for (let i = 0; i < 400; i++) {
    try {
      if (receiver.recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT).length >= bytes.length) return;
    } catch (error) {
      if (error.errno !== EAGAIN) throw error;
    }
    sleepSync(5);
  }
  throw new Error(`${bytes.length} bytes sent on loopback did not arrive within 2 s`);
}

/** Runs fn, expecting an OSError with `errno`; returns [error, seconds]. */
export function expectOSError(fn, errno) {
  const start = performance.now();
  let error = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const seconds = (performance.now() - start) / 1000;
  assert.ok(error !== null, "expected an OSError, but the call returned");
  assert.ok(error instanceof socket.OSError, `expected an OSError, got ${error}`);
  assert.equal(error.errno, errno, `expected errno ${errno}, got ${error.errno} (${error.code}): ${error.message}`);
  assert.equal(error.args[0], errno);
  return [error, seconds];
}

/** docs/behaviour.md §10: a 0.3 s timeout fires in 0.25-3 s. */
export function assertTimeoutBounds(seconds, low = 0.25, high = 3) {
  assert.ok(seconds >= low && seconds <= high, `the timeout fired after ${seconds.toFixed(3)} s, not within ${low}-${high} s`);
}
