// usocket-node/ssl client of bench/tls.js (W6 bulk, W7 handshakes), synchronous API.
// With "descriptor" as the last argument, OpenSSL is attached to the descriptor instead of
// memory BIOs (the alternative docs/architecture.md compares).
//   node tls-usocket.js bulk|handshake PORT CA COUNT WARM [descriptor]
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const { socket, IPPROTO_TCP, TCP_NODELAY } = await import(path.join(root, "index.js"));
const ssl = await import(path.join(root, "ssl.js"));
const { SSLSocket } = await import(path.join(root, "tls-socket.js"));
const [mode, port, ca, countText, warmText, transport] = process.argv.slice(2);
const count = Number(countText);
const warm = Number(warmText);
const attached = transport === "descriptor";
const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
ctx.load_verify_locations(ca);
ctx.set_ciphers(["TLS_AES_128_GCM_SHA256"]);
const CHUNK = 65536;
/** CPU seconds of this process (user + system). */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function connect() {
  const s = socket();
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  s.connect(["127.0.0.1", Number(port)]);
  if (!attached) return ctx.wrap_socket(s, { server_hostname: "localhost" });
  const t = new SSLSocket({
    context: ctx,
    sock: s,
    serverSide: false,
    hostname: "localhost",
    handshakeOnConnect: true,
    clientId: null,
    datagram: false,
    attached: true,
  });
  t._handshakeOnConnect();
  return t;
}

if (mode === "handshake") {
  let start = 0;
  let cpu0 = 0;
  for (let i = 0; i < warm + count; i++) {
    if (i === warm) {
      start = performance.now();
      cpu0 = cpu();
    }
    const t = connect();
    if (t.read(1).length !== 1) throw new Error("no byte");
    t.close();
  }
  console.log(JSON.stringify({ ok: true, seconds: (performance.now() - start) / 1000, cpu: cpu() - cpu0, count }));
} else {
  const t = connect();
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(count));
  t.sendall(header);
  const buf = Buffer.alloc(CHUNK, 0xa5);
  let t0 = 0;
  let c0 = 0;
  for (let sent = 0; sent < count; sent += CHUNK) {
    if (sent === warm) {
      t0 = performance.now();
      c0 = cpu();
    }
    t.sendall(count - sent < CHUNK ? buf.subarray(0, count - sent) : buf);
  }
  t.readinto(buf, 1);
  const t1 = performance.now();
  const c1 = cpu();
  let t2 = 0;
  let c2 = 0;
  for (let got = 0; got < count; ) {
    if (got >= warm && t2 === 0) {
      t2 = performance.now();
      c2 = cpu();
    }
    got += t.recv_into(buf);
  }
  const t3 = performance.now();
  const c3 = cpu();
  t.close();
  console.log(
    JSON.stringify({
      ok: true,
      send: (t1 - t0) / 1000,
      receive: (t3 - t2) / 1000,
      sendCpu: c1 - c0,
      receiveCpu: c3 - c2,
      bytes: count - warm,
    }),
  );
}
