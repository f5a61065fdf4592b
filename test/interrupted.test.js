// docs/behaviour.md §4: "Interrupted system calls are retried", within the call's deadline. A
// peer process sends this process signals while it is blocked in a call, so the system
// call (poll or recv) returns EINTR; the call must carry on, neither failing early nor
// waiting past its deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ETIMEDOUT } from "../dist/errno.js";
import { acceptPeer, listener, startPeer } from "./support/peers.js";
import { assertTimeoutBounds, expectOSError } from "./support/assertions.js";
import { watchdog } from "./support/blocking.js";

// A blocking call that never returns would hang the run: end it instead.
watchdog(60);

// Without a handler SIGUSR2 would end the process; with one, libuv catches it and the
// blocked system call is interrupted.
let signals = 0;
process.on("SIGUSR2", () => signals++);
// Node 26's test runner turns on diagnostic reports for SIGUSR2, which would write a report
// file into the working folder for every signal sent here.
process.report.reportOnSignal = false;

/**
 * A peer that connects, sends SIGUSR2 to `pid` `count` times every 20 ms, then sends
 * `text` (if any) and waits for this side to close.
 */
const SIGNALLER = `
import net from "node:net";
const [port, pid, count, text] = [Number(process.argv[1]), Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
setTimeout(() => process.exit(0), 10000).unref();
const conn = net.connect(port, "127.0.0.1", () => {
  console.log("ready");
  let sent = 0;
  const timer = setInterval(() => {
    try { process.kill(pid, "SIGUSR2"); } catch { process.exit(1); }
    if (++sent === count) {
      clearInterval(timer);
      if (text) conn.write(text);
    }
  }, 20);
});
conn.on("data", () => {});
conn.on("error", () => process.exit(0));
conn.on("close", () => process.exit(0));
`;

function signalledPeer(count, text = "") {
  return acceptPeer(SIGNALLER, [String(process.pid), String(count), text]);
}

test("a blocking recv() interrupted by signals goes on and returns the data", async () => {
  const { conn, done } = await signalledPeer(15, "after the signals");
  try {
    assert.equal(conn.gettimeout(), null);
    assert.equal(conn.read(17).toString(), "after the signals");
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(signals > 0, "no signal reached this process: the test proved nothing");
});

test("a recv() with a timeout interrupted by signals returns the data within its deadline", async () => {
  const { conn, done } = await signalledPeer(15, "timed");
  try {
    conn.settimeout(5);
    assert.equal(conn.read(5).toString(), "timed");
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("signals do not cut a timeout short nor extend it", async () => {
  const before = signals;
  const { conn, done } = await signalledPeer(40);
  try {
    conn.settimeout(0.5);
    const [, seconds] = expectOSError(() => conn.recv(10), ETIMEDOUT);
    assertTimeoutBounds(seconds, 0.45, 3);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(signals > before, "no signal reached this process: the test proved nothing");
});

test("a blocking accept() interrupted by signals goes on and returns the connection", async () => {
  const before = signals;
  const [srv, [, port]] = listener();
  // This peer signals first and connects only afterwards.
  const peer = startPeer(
    "node",
    `
    import net from "node:net";
    const [port, pid] = [Number(process.argv[1]), Number(process.argv[2])];
    setTimeout(() => process.exit(0), 10000).unref();
    console.log("ready");
    let sent = 0;
    const timer = setInterval(() => {
      try { process.kill(pid, "SIGUSR2"); } catch { process.exit(1); }
      if (++sent === 15) {
        clearInterval(timer);
        const conn = net.connect(port, "127.0.0.1", () => conn.end("accepted"));
        conn.on("data", () => {});
        conn.on("error", () => process.exit(0));
        conn.on("close", () => process.exit(0));
      }
    }, 20);
  `,
    { args: [String(port), String(process.pid)] },
  );
  try {
    await peer.ready;
    assert.equal(srv.gettimeout(), null);
    const [conn] = srv.accept();
    try {
      assert.equal(conn.read().toString(), "accepted");
    } finally {
      conn.close();
    }
  } finally {
    srv.close();
  }
  assert.equal((await peer.done).code, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(signals > before, "no signal reached this process: the test proved nothing");
});
