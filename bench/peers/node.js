// Node peers of the benchmark: usocket's synchronous API, usocket's Promise API, and
// Node's own net/dgram/dns. One workload per process:
//
//   node bench/peers/node.js <peer> <workload> <port> <count> <warm>
//
// peer: usocket | promise | node. Prints one JSON line like the C client:
// {"ns": timed nanoseconds, "ops": timed operations, "ok": verified, "detail": "..."}.
// The warm-up (not timed) runs first in the same process, so the JIT is warm.
import * as net from "node:net";
import * as dgram from "node:dgram";
import * as dns from "node:dns";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { loopTimers, now, report } from "./timing.js";

const CHUNK = 65536;
const HOST = "127.0.0.1";
const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "index.js");

const [peer, workload, portText, countText, warmText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const warm = Number(warmText);

const { timedLoops, timedAsyncLoops } = loopTimers(warm, count);

// ---- usocket, synchronous ----

async function usocketSync(u) {
  const { AF_INET, SOCK_DGRAM, IPPROTO_TCP, TCP_NODELAY, SHUT_WR } = u;
  const address = [HOST, port];
  const connected = () => {
    const s = u.socket();
    s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    s.connect(address);
    return s;
  };
  switch (workload) {
    case "W1": {
      const s = connected();
      const b = Buffer.alloc(1);
      let next = 0;
      const result = timedLoops((n) => {
        let i = next;
        for (const end = i + n; i < end; i++) {
          b[0] = i & 0xff;
          if (s.send(b) !== 1) return false;
          const r = s.recv(1);
          if (r.length !== 1 || r[0] !== (i & 0xff)) return false;
        }
        next = i;
        return true;
      });
      s.close();
      return result;
    }
    case "W2": {
      const s = connected();
      const buf = Buffer.alloc(CHUNK, 0x5a);
      const total = warm + count;
      let sent = 0;
      let start = warm === 0 ? now() : 0n;
      while (sent < total) {
        const off = sent % CHUNK;
        const want = Math.min(CHUNK - off, total - sent);
        const n = s.send(off === 0 && want === CHUNK ? buf : buf.subarray(off, off + want));
        if (sent < warm && sent + n >= warm) start = now();
        sent += n;
      }
      s.shutdown(SHUT_WR);
      const reply = [];
      for (;;) {
        const r = s.recv(64);
        if (r.length === 0) break;
        reply.push(r);
      }
      const ns = now() - start;
      s.close();
      const got = Number(Buffer.concat(reply).toString());
      return [ns, got === total, `sink counted ${got}`];
    }
    case "W2r": {
      const s = connected();
      const buf = Buffer.allocUnsafe(CHUNK);
      let got = 0;
      let ok = true;
      let start = warm === 0 ? now() : 0n;
      for (;;) {
        const n = s.recv_into(buf);
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
      const s = u.socket(AF_INET, SOCK_DGRAM);
      const out = Buffer.alloc(64, 0x33);
      let next = 0;
      const result = timedLoops((n) => {
        let i = next;
        for (const end = i + n; i < end; i++) {
          out.writeUInt32LE(i >>> 0, 0);
          if (s.sendto(out, address) !== 64) return false;
          const [data] = s.recvfrom(64);
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
          const s = u.socket();
          s.connect(address);
          s.close();
        }
        return true;
      });
    case "W5a":
      return timedLoops((n) => {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const b = u.inet_pton(AF_INET, "127.0.0.1");
          sum += b[0] + b[1] + b[2] + b[3];
        }
        return sum === n * 128;
      });
    case "W5b": {
      const bytes = Buffer.from([127, 0, 0, 1]);
      return timedLoops((n) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += u.inet_ntop(AF_INET, bytes).length;
        return sum === n * 9;
      });
    }
    case "W5c":
      return timedLoops((n) => {
        for (let i = 0; i < n; i++) {
          const r = u.getaddrinfo("127.0.0.1", 80);
          const a = r[0][4];
          if (r[0][0] !== AF_INET || a[0] !== "127.0.0.1" || a[1] !== 80) return false;
        }
        return true;
      });
  }
  return null;
}

// ---- usocket, Promise API ----

async function usocketPromise(u) {
  if (typeof u.Socket.prototype.recvAsync !== "function") return "skipped: no Promise API in this build";
  if (workload !== "W1") return `skipped: the Promise peer runs W1 only`;
  const s = u.socket();
  s.setsockopt(u.IPPROTO_TCP, u.TCP_NODELAY, 1);
  s.connect([HOST, port]);
  const b = Buffer.alloc(1);
  let next = 0;
  const result = await timedAsyncLoops(async (n) => {
    let i = next;
    for (const end = i + n; i < end; i++) {
      b[0] = i & 0xff;
      if ((await s.sendAsync(b)) !== 1) return false;
      const r = await s.recvAsync(1);
      if (r.length !== 1 || r[0] !== (i & 0xff)) return false;
    }
    next = i;
    return true;
  });
  s.close();
  return result;
}

// ---- Node's own net, dgram, dns ----

function connectNet() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port, noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

async function nodeOwn() {
  switch (workload) {
    case "W1": {
      const s = await connectNet();
      return new Promise((resolve) => {
        const b = Buffer.alloc(1);
        let i = 0;
        let start = 0n;
        const next = () => {
          if (i === warm) start = now();
          b[0] = i & 0xff;
          s.write(Buffer.from(b));
        };
        s.on("data", (chunk) => {
          if (chunk.length !== 1 || chunk[0] !== (i & 0xff)) {
            resolve([0n, false, `echo mismatch at ${i}`]);
            s.destroy();
            return;
          }
          i++;
          if (i === warm + count) {
            const ns = now() - start;
            s.destroy();
            resolve([ns, true]);
          } else {
            next();
          }
        });
        next();
      });
    }
    case "W2": {
      const s = await connectNet();
      return new Promise((resolve) => {
        const buf = Buffer.alloc(CHUNK, 0x5a);
        const total = warm + count;
        let sent = 0;
        let start = warm === 0 ? now() : 0n;
        const reply = [];
        s.on("data", (chunk) => reply.push(chunk));
        s.on("end", () => {
          const ns = now() - start;
          const got = Number(Buffer.concat(reply).toString());
          s.destroy();
          resolve([ns, got === total, `sink counted ${got}`]);
        });
        const pump = () => {
          while (sent < total) {
            const want = Math.min(CHUNK, total - sent);
            const more = s.write(want === CHUNK ? buf : buf.subarray(0, want));
            if (sent < warm && sent + want >= warm) start = now();
            sent += want;
            if (!more) {
              s.once("drain", pump);
              return;
            }
          }
          s.end();
        };
        pump();
      });
    }
    case "W2r": {
      const s = await connectNet();
      return new Promise((resolve) => {
        let got = 0;
        let ok = true;
        let start = warm === 0 ? now() : 0n;
        s.on("data", (chunk) => {
          if (chunk[0] !== got % 251) ok = false;
          if (got < warm && got + chunk.length >= warm) start = now();
          got += chunk.length;
        });
        s.on("end", () => {
          const ns = now() - start;
          s.destroy();
          resolve([ns, ok && got === warm + count, `received ${got}`]);
        });
      });
    }
    case "W3": {
      const s = dgram.createSocket("udp4");
      return new Promise((resolve) => {
        const out = Buffer.alloc(64, 0x33);
        let i = 0;
        let start = 0n;
        const next = () => {
          if (i === warm) start = now();
          out.writeUInt32LE(i >>> 0, 0);
          s.send(out, port, HOST);
        };
        s.on("message", (data) => {
          if (!out.equals(data)) {
            s.close();
            resolve([0n, false, `datagram mismatch at ${i}`]);
            return;
          }
          i++;
          if (i === warm + count) {
            const ns = now() - start;
            s.close();
            resolve([ns, true]);
          } else {
            next();
          }
        });
        next();
      });
    }
    case "W4": {
      let start = 0n;
      for (let i = 0; i < warm + count; i++) {
        if (i === warm) start = now();
        await new Promise((resolve, reject) => {
          const s = net.connect({ host: HOST, port }, () => {
            s.destroy();
            resolve();
          });
          s.once("error", reject);
        });
      }
      return [now() - start, true];
    }
    case "W5a": {
      const [ns, ok] = timedLoops((n) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += net.isIP("127.0.0.1");
        return sum === n * 4;
      });
      return [ns, ok, "net.isIP (validates, returns no bytes)"];
    }
    case "W5b":
      return "skipped: Node has no inet_ntop";
    case "W5c": {
      const lookup = () =>
        new Promise((resolve, reject) =>
          dns.lookup("127.0.0.1", { all: true }, (error, list) => (error ? reject(error) : resolve(list))),
        );
      const [ns, ok] = await timedAsyncLoops(async (n) => {
        for (let i = 0; i < n; i++) {
          const r = await lookup();
          if (r[0].address !== "127.0.0.1" || r[0].family !== 4) return false;
        }
        return true;
      });
      return [ns, ok, "dns.lookup (answers IP literals itself, without getaddrinfo)"];
    }
  }
  return null;
}

async function main() {
  let outcome;
  if (peer === "node") outcome = await nodeOwn();
  else {
    const u = await import(DIST);
    outcome = peer === "promise" ? await usocketPromise(u) : await usocketSync(u);
  }
  if (outcome === null) {
    report(0, 0, false, `unknown workload ${workload}`);
    process.exitCode = 2;
  } else if (typeof outcome === "string") {
    process.stdout.write(JSON.stringify({ skipped: outcome }) + "\n");
  } else {
    const [ns, ok, detail = ok ? "verified" : "verification failed"] = outcome;
    report(ns, workload === "W2" || workload === "W2r" ? Math.floor(count / CHUNK) : count, ok, detail);
    if (!ok) process.exitCode = 1;
  }
}

main().catch((error) => {
  report(0, 0, false, String(error?.stack ?? error));
  process.exitCode = 1;
});
