// Stress (not in CI): N concurrent checksummed connections through one Poll loop, through
// the Promise API, and through pollAsync. Each client sends SIZE bytes of its own pattern;
// the server echoes; the client checks what came back by FNV-1a. Prints time and peak RSS.
// Usage: node test/stress/connections.js N [poll|promise|pollasync]
import * as socket from "../../dist/index.js";
import * as select from "../../dist/select.js";

const N = Number(process.argv[2] ?? 1000);
const MODE = process.argv[3] ?? "poll";
const SIZE = 4096;
const { POLLIN, POLLOUT } = select;

function pattern(i) {
  const b = Buffer.allocUnsafe(SIZE);
  let x = (i * 2654435761) >>> 0 || 1;
  for (let k = 0; k < SIZE; k++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[k] = x & 0xff;
  }
  return b;
}

function fnv(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

function listener() {
  const srv = socket.socket();
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind(["127.0.0.1", 0]);
  srv.listen(Math.min(N, 4096));
  return srv;
}

/** One loop drives both sides: `wait(poll)` returns the ready list. */
async function driven(wait) {
  const srv = listener();
  const address = srv.getsockname();
  srv.setblocking(false);
  const p = select.poll();
  p.register(srv, POLLIN);
  const clients = new Map();
  let connecting = 0;
  let finished = 0;
  const startClient = (i) => {
    const c = socket.socket();
    c.setblocking(false);
    try {
      c.connect(address);
    } catch (e) {
      if (e.code !== "EINPROGRESS") throw e;
    }
    clients.set(c, { role: "client", i, data: pattern(i), sent: 0, got: [], gotBytes: 0 });
    p.register(c, POLLOUT | POLLIN);
  };
  for (; connecting < N; connecting++) startClient(connecting);
  while (finished < N) {
    for (const [obj, ev] of await wait(p)) {
      if (obj === srv) {
        for (;;) {
          let conn;
          try {
            [conn] = srv.accept();
          } catch (e) {
            if (e.code === "EAGAIN") break;
            throw e;
          }
          conn.setblocking(false);
          clients.set(conn, { role: "server", pending: [] });
          p.register(conn, POLLIN);
        }
        continue;
      }
      const st = clients.get(obj);
      if (st.role === "server") {
        if (ev & POLLIN) {
          let chunk;
          try {
            chunk = obj.recv(65536);
          } catch (e) {
            if (e.code === "EAGAIN") continue;
            throw e;
          }
          if (chunk.length === 0) {
            p.unregister(obj);
            obj.close();
            clients.delete(obj);
            continue;
          }
          st.pending.push(chunk);
        }
        while (st.pending.length > 0) {
          const head = st.pending[0];
          let n = 0;
          try {
            n = obj.send(head);
          } catch (e) {
            if (e.code !== "EAGAIN") throw e;
          }
          if (n === head.length) st.pending.shift();
          else {
            st.pending[0] = head.subarray(n);
            break;
          }
        }
        p.modify(obj, st.pending.length > 0 ? POLLIN | POLLOUT : POLLIN);
      } else {
        if (ev & POLLOUT && st.sent < SIZE) {
          try {
            st.sent += obj.send(st.data.subarray(st.sent));
          } catch (e) {
            if (e.code !== "EAGAIN") throw e;
          }
          if (st.sent === SIZE) {
            obj.shutdown(socket.SHUT_WR);
            p.modify(obj, POLLIN);
          }
        }
        if (ev & POLLIN) {
          let chunk;
          try {
            chunk = obj.recv(65536);
          } catch (e) {
            if (e.code === "EAGAIN") continue;
            throw e;
          }
          if (chunk.length > 0) {
            st.got.push(chunk);
            st.gotBytes += chunk.length;
            continue;
          }
          if (fnv(Buffer.concat(st.got)) !== fnv(st.data) || st.gotBytes !== SIZE)
            throw new Error(`client ${st.i}: checksum`);
          p.unregister(obj);
          obj.close();
          clients.delete(obj);
          finished++;
        }
      }
    }
  }
  srv.close();
}

async function promises() {
  const srv = listener();
  const address = srv.getsockname();
  const serve = async () => {
    for (let k = 0; k < N; k++) {
      const [conn] = await srv.acceptAsync();
      (async () => {
        for (;;) {
          const chunk = await conn.recvAsync(65536);
          if (chunk.length === 0) break;
          await conn.sendallAsync(chunk);
        }
        conn.close();
      })();
    }
  };
  const client = async (i) => {
    const c = socket.socket();
    await c.connectAsync(address);
    const data = pattern(i);
    await c.sendallAsync(data);
    c.shutdown(socket.SHUT_WR);
    const back = await c.readAsync(-1);
    c.close();
    if (fnv(back) !== fnv(data) || back.length !== SIZE) throw new Error(`client ${i}: checksum`);
  };
  const server = serve();
  await Promise.all(Array.from({ length: N }, (_, i) => client(i)));
  await server;
  srv.close();
}

const start = performance.now();
if (MODE === "poll") await driven((p) => p.poll(-1));
else if (MODE === "pollasync") await driven((p) => p.pollAsync(-1));
else await promises();
const ms = performance.now() - start;
const rss = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ mode: MODE, connections: N, ms: Math.round(ms), peakRssMiB: Math.round(rss) }));
