// The Node-API floor peer: bench/floor/floor.c (built by bench/run.js into bench/out/) driven
// with the same loops, buffer sizes and checks as usocket's peer (bench/peers/node.js), and
// returning the objects usocket returns, built the way usocket's fast paths build them: a
// pooled Buffer of the bytes received (a subarray when short), [Buffer, [host, port]] for
// recvfrom with the host text reused for a repeated sender, a socket object per socket(), a
// resolved Promise for a ready-now Promise call, getaddrinfo's 5-tuples from answers the
// addon wrote to an Int32Array, and for W5a no call at all (see there). What it leaves out is everything usocket
// does besides: argument checks, timeouts, kept-back bytes, descriptor ownership, the
// registry that closes forgotten sockets, signals, error objects.
//
//   node bench/peers/floor.js <sync|promise> <workload> <port> <count> <warm>
//
// Prints one JSON line like the other clients: {ns, ops, userNs, sysNs, ok, detail}.
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { constants } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loopTimers, now, report } from "./timing.js";

const ADDON = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "out", "floor.node");
const floor = createRequire(import.meta.url)(ADDON);
// Plain constants: a call through them is a call of a known function.
const { send, recv, sendto, recvfrom, socket, connect, close, setsockopt, shutdown, senderSlots, watch, unwatch } =
  floor;
const { gaiSlots, getaddrinfo } = floor;

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const MSG_DONTWAIT = 0x40;
const SHUT_WR = 1;
const CHUNK = 65536;
const EAGAIN = constants.errno.EAGAIN;

const [mode, workload, portText, countText, warmText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const warm = Number(warmText);

const { timedLoops, timedAsyncLoops } = loopTimers(warm, count);

function fail(rc, call) {
  return new Error(`${call}: errno ${-rc}`);
}

/** struct sockaddr_in for 127.0.0.1:port, packed once (usocket packs once per address too). */
function packed(p) {
  const a = Buffer.alloc(16);
  a.writeUInt16LE(AF_INET, 0); // sa_family_t, host order (little-endian here)
  a.writeUInt16BE(p, 2);
  a.set([127, 0, 0, 1], 4);
  return a;
}
const address = packed(port);

/** What usocket's recv returns: the bytes received, in a pooled Buffer. */
function received(fd, n, flags) {
  const buf = Buffer.allocUnsafe(n);
  const rc = recv(fd, buf, flags);
  if (rc < 0) throw fail(rc, "recv");
  return rc === n ? buf : buf.subarray(0, rc);
}

const slots = new Int32Array(new ArrayBuffer(8));
senderSlots(slots);
let lastSender = 0;
let lastSenderText = "";

/** What usocket's recvfrom returns: [bytes, [host, port]]. */
function receivedFrom(fd, n) {
  const buf = Buffer.allocUnsafe(n);
  const rc = recvfrom(fd, buf);
  if (rc < 0) throw fail(rc, "recvfrom");
  const a = slots[1];
  if (a !== lastSender || lastSenderText === "") {
    lastSenderText = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
    lastSender = a;
  }
  return [rc === n ? buf : buf.subarray(0, rc), [lastSenderText, slots[0]]];
}

const answers = new Int32Array(new ArrayBuffer(4 * 64 * 5));
gaiSlots(answers);
let lastAnswer = 0;
let lastAnswerText = "";

/** What usocket's getaddrinfo returns: [family, type, proto, "", [host, port]] per answer. */
function resolve(host, service) {
  const n = getaddrinfo(host, service);
  if (n < 0) throw new Error(`getaddrinfo: EAI ${n}`);
  const list = new Array(n);
  for (let i = 0, k = 0; i < n; i++, k += 5) {
    const a = answers[k + 4];
    if (a !== lastAnswer || lastAnswerText === "") {
      lastAnswerText = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
      lastAnswer = a;
    }
    list[i] = [answers[k], answers[k + 1], answers[k + 2], "", [lastAnswerText, answers[k + 3]]];
  }
  return list;
}

/** The object socket() returns: its descriptor and a close(). */
class FloorSocket {
  constructor(family, type) {
    const fd = socket(family, type, 0);
    if (fd < 0) throw fail(fd, "socket");
    this.fd = fd;
  }
  close() {
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0 && close(fd) < 0) throw new Error("close failed");
  }
}

function connected() {
  const s = new FloorSocket(AF_INET, SOCK_STREAM);
  if (setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, 1) < 0) throw new Error("setsockopt failed");
  const rc = connect(s.fd, address);
  if (rc < 0) throw fail(rc, "connect");
  return s;
}

function sync() {
  switch (workload) {
    case "W1": {
      const s = connected();
      const fd = s.fd;
      const b = Buffer.alloc(1);
      let next = 0;
      const result = timedLoops((n) => {
        let i = next;
        for (const end = i + n; i < end; i++) {
          b[0] = i & 0xff;
          if (send(fd, b, 0) !== 1) return false;
          const r = received(fd, 1, 0);
          if (r.length !== 1 || r[0] !== (i & 0xff)) return false;
        }
        next = i;
        return true;
      });
      s.close();
      return result;
    }
    case "W2": {
      // As usocket's W2 (bench/peers/node.js): 64 KiB sends, the clock started where the
      // warm-up's bytes are out, then the sink's count after EOF.
      const s = connected();
      const fd = s.fd;
      const buf = Buffer.alloc(CHUNK, 0x5a);
      const total = warm + count;
      let sent = 0;
      let start = warm === 0 ? now() : 0n;
      while (sent < total) {
        const off = sent % CHUNK;
        const want = Math.min(CHUNK - off, total - sent);
        const n = send(fd, off === 0 && want === CHUNK ? buf : buf.subarray(off, off + want), 0);
        if (n < 0) throw fail(n, "send");
        if (sent < warm && sent + n >= warm) start = now();
        sent += n;
      }
      if (shutdown(fd, SHUT_WR) < 0) throw new Error("shutdown failed");
      const reply = [];
      for (;;) {
        const r = received(fd, 64, 0);
        if (r.length === 0) break;
        reply.push(r);
      }
      const ns = now() - start;
      s.close();
      const got = Number(Buffer.concat(reply).toString());
      return [ns, got === total, `sink counted ${got}`];
    }
    case "W2r": {
      // As usocket's W2r: recv_into a 64 KiB buffer until EOF, checking each call's first byte.
      const s = connected();
      const fd = s.fd;
      const buf = Buffer.allocUnsafe(CHUNK);
      let got = 0;
      let ok = true;
      let start = warm === 0 ? now() : 0n;
      for (;;) {
        const n = recv(fd, buf, 0);
        if (n < 0) throw fail(n, "recv");
        if (n === 0) break;
        if (buf[0] !== got % 251) ok = false;
        if (got < warm && got + n >= warm) start = now();
        got += n;
      }
      const ns = now() - start;
      s.close();
      return [ns, ok && got === warm + count, `received ${got}`];
    }
    case "W3": {
      const s = new FloorSocket(AF_INET, SOCK_DGRAM);
      const fd = s.fd;
      const out = Buffer.alloc(64, 0x33);
      let next = 0;
      const result = timedLoops((n) => {
        let i = next;
        for (const end = i + n; i < end; i++) {
          out.writeUInt32LE(i >>> 0, 0);
          if (sendto(fd, out, address) !== 64) return false;
          const [data] = receivedFrom(fd, 64);
          if (!out.equals(data)) return false;
        }
        next = i;
        return true;
      });
      s.close();
      return result;
    }
    case "W4":
      return timedLoops((n) => {
        for (let i = 0; i < n; i++) {
          const s = new FloorSocket(AF_INET, SOCK_STREAM);
          const rc = connect(s.fd, address);
          if (rc < 0) throw fail(rc, "connect");
          s.close();
        }
        return true;
      });
    case "W5a":
      return timedLoops((n) => {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          // The floor of the object returned: usocket parses a dotted quad in JavaScript
          // (no crossing at all), so its floor is the pooled Buffer and its four bytes.
          const b = Buffer.allocUnsafe(4);
          b[0] = 127;
          b[1] = 0;
          b[2] = 0;
          b[3] = 1;
          sum += b[0] + b[1] + b[2] + b[3];
        }
        return sum === n * 128;
      });
    case "W5c":
      return timedLoops((n) => {
        for (let i = 0; i < n; i++) {
          const r = resolve("127.0.0.1", "80");
          const a = r[0][4];
          if (r[0][0] !== AF_INET || a[0] !== "127.0.0.1" || a[1] !== 80) return false;
        }
        return true;
      });
  }
  return `skipped: the floor has no ${workload}`;
}

// ---- the Promise floor: a ready-now attempt resolves at once; otherwise one libuv poll
// handle (POLLIN armed throughout) calls back when the socket is readable ----

let waiting = null;
let waitFd = -1;

function onReadable() {
  const w = waiting;
  if (w === null) return;
  const buf = Buffer.allocUnsafe(w.n);
  const rc = recv(waitFd, buf, MSG_DONTWAIT);
  if (rc === -EAGAIN) return;
  waiting = null;
  if (rc < 0) w.reject(fail(rc, "recv"));
  else w.resolve(rc === w.n ? buf : buf.subarray(0, rc));
}

function sendAsync(fd, data) {
  // A 1-byte send never finds the buffer full in this ping-pong: a wait here would be an
  // error of the benchmark, reported as one.
  const rc = send(fd, data, MSG_DONTWAIT);
  return rc >= 0 ? Promise.resolve(rc) : Promise.reject(fail(rc, "send"));
}

function recvAsync(fd, n) {
  const buf = Buffer.allocUnsafe(n);
  const rc = recv(fd, buf, MSG_DONTWAIT);
  if (rc >= 0) return Promise.resolve(rc === n ? buf : buf.subarray(0, rc));
  if (rc !== -EAGAIN) return Promise.reject(fail(rc, "recv"));
  return new Promise((resolve, reject) => {
    waiting = { n, resolve, reject };
  });
}

async function promise() {
  if (workload !== "W1") return "skipped: the Promise floor runs W1 only";
  const s = connected();
  const fd = s.fd;
  waitFd = fd;
  if (watch(fd, onReadable) !== 0) throw new Error("watch failed");
  const b = Buffer.alloc(1);
  let next = 0;
  const result = await timedAsyncLoops(async (n) => {
    let i = next;
    for (const end = i + n; i < end; i++) {
      b[0] = i & 0xff;
      if ((await sendAsync(fd, b)) !== 1) return false;
      const r = await recvAsync(fd, 1);
      if (r.length !== 1 || r[0] !== (i & 0xff)) return false;
    }
    next = i;
    return true;
  });
  unwatch();
  s.close();
  return result;
}

async function main() {
  const outcome = mode === "promise" ? await promise() : sync();
  if (typeof outcome === "string") {
    process.stdout.write(JSON.stringify({ skipped: outcome }) + "\n");
    return;
  }
  const [ns, ok, detail = ok ? "verified" : "verification failed"] = outcome;
  report(ns, workload === "W2" || workload === "W2r" ? Math.floor(count / CHUNK) : count, ok, detail);
  if (!ok) process.exitCode = 1;
}

main().catch((error) => {
  report(0, 0, false, String(error?.stack ?? error));
  process.exitCode = 1;
});
