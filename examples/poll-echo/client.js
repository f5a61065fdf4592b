// Clients for the poll-driven echo server: `clients` non-blocking sockets connect at once,
// each sends `bytes` of its own pseudo-random data, shuts down its sending side, reads the
// echo to the end and compares checksums. One thread, one select.Poll.
//
//   node examples/poll-echo/client.js <port> [clients=10] [bytes=65536] [seconds=30] [--quiet]
//
// The last line is a summary as JSON: {"clients","ok","failed","bytes","ms"}; the exit
// status is 1 when any client failed.
import { createHash } from "node:crypto";
import * as socket from "usocket-node";
import { errorcode } from "usocket-node/errno";
import { poll, POLLIN, POLLOUT, POLLERR, POLLHUP } from "usocket-node/select";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const quiet = process.argv.includes("--quiet");
if (args.length < 1) {
  console.error("usage: node examples/poll-echo/client.js <port> [clients] [bytes] [seconds] [--quiet]");
  process.exit(2);
}
const port = Number(args[0]);
const count = Number(args[1] ?? 10);
const size = Number(args[2] ?? 65536);
const seconds = Number(args[3] ?? 30);
const log = quiet ? () => {} : (line) => console.log(`client: ${line}`);

/** Deterministic bytes for client `n` (xorshift), so a lost or swapped byte shows. */
function payload(n) {
  const bytes = Buffer.allocUnsafe(size);
  let x = ((n + 1) * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const start = performance.now();
const poller = poll();
const clients = new Map();
for (let n = 0; n < count; n++) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.setblocking(false);
  try {
    s.connect(["127.0.0.1", port]);
  } catch (error) {
    if (error.code !== "EINPROGRESS") throw error;
  }
  const data = payload(n);
  clients.set(s, { n, data, sum: sha256(data), sent: 0, connected: false, received: [], got: 0 });
  poller.register(s, POLLOUT);
}

let ok = 0;
let failed = 0;
let total = 0;

function done(s, state, error) {
  poller.unregister(s);
  clients.delete(s);
  s.close();
  if (error) {
    failed++;
    log(`#${state.n} failed: ${error}`);
    return;
  }
  const echo = Buffer.concat(state.received);
  const same = echo.length === state.data.length && sha256(echo) === state.sum;
  if (same) ok++;
  else failed++;
  total += echo.length;
  log(`#${state.n} ${same ? "ok" : "MISMATCH"}: sent ${state.data.length}, got ${echo.length} back`);
}

function drive(s, state, revents) {
  if (!state.connected) {
    // A non-blocking connect has finished when the socket turns writable: SO_ERROR says how.
    const err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
    if (err !== 0) return done(s, state, `connect: ${errorcode[err] ?? err}`);
    state.connected = true;
  }
  if (revents & (POLLIN | POLLHUP | POLLERR)) {
    for (;;) {
      const chunk = retryLater(() => s.recv(65536));
      if (chunk === null) break;
      if (chunk.length === 0) return done(s, state);
      state.received.push(chunk);
      state.got += chunk.length;
    }
  }
  while (state.sent < state.data.length) {
    const sent = retryLater(() => s.send(state.data.subarray(state.sent, state.sent + 65536)));
    if (sent === null) break;
    state.sent += sent;
  }
}

/** A non-blocking call: its result, or null when it would block (EAGAIN). */
function retryLater(call) {
  try {
    return call();
  } catch (error) {
    if (error.code === "EAGAIN") return null;
    throw error;
  }
}

while (clients.size > 0 && performance.now() - start < seconds * 1000) {
  for (const [s, revents] of poller.poll(1000)) {
    const state = clients.get(s);
    try {
      drive(s, state, revents);
    } catch (error) {
      done(s, state, error.code ?? String(error));
      continue;
    }
    if (!clients.has(s)) continue;
    if (state.sent === state.data.length && state.connected && !state.shut) {
      s.shutdown(socket.SHUT_WR);
      state.shut = true;
    }
    poller.modify(s, POLLIN | (state.connected && !state.shut ? POLLOUT : 0));
  }
}
for (const [s, state] of clients) done(s, state, "timed out");
const ms = Math.round(performance.now() - start);
console.log(`client: ${ok} of ${count} echoed intact (${total} bytes) in ${ms} ms`);
console.log(JSON.stringify({ clients: count, ok, failed, bytes: total, ms }));
process.exitCode = failed === 0 ? 0 : 1;
