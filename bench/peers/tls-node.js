// Node tls client of bench/tls.js (W6 bulk, W7 handshakes): the event-driven API.
//   node tls-node.js bulk|handshake PORT CA COUNT WARM
import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { once } from "node:events";

const [mode, port, caPath, countText, warmText] = process.argv.slice(2);
const count = Number(countText);
const warm = Number(warmText);
const ca = readFileSync(caPath);
const CHUNK = 65536;
/** CPU seconds of this process (user + system). */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function connect() {
  const t = tls.connect({ host: "127.0.0.1", port: Number(port), ca, servername: "localhost", noDelay: true });
  await once(t, "secureConnect");
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
    const t = await connect();
    await once(t, "data");
    t.destroy();
  }
  console.log(JSON.stringify({ ok: true, seconds: (performance.now() - start) / 1000, cpu: cpu() - cpu0, count }));
} else {
  const t = await connect();
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(count));
  t.write(header);
  const buf = Buffer.alloc(CHUNK, 0xa5);
  let t0 = 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let got = 0;
  let t1 = 0;
  let t2 = 0;
  let acked = false;
  const done = new Promise((resolve) => {
    t.on("data", (chunk) => {
      let data = chunk;
      if (!acked) {
        acked = true;
        t1 = performance.now();
        c1 = cpu();
        data = chunk.subarray(1);
      }
      if (got >= warm && t2 === 0) {
        t2 = performance.now();
        c2 = cpu();
      }
      got += data.length;
      if (got >= count) resolve();
    });
  });
  for (let sent = 0; sent < count; sent += CHUNK) {
    if (sent === warm) {
      t0 = performance.now();
      c0 = cpu();
    }
    if (!t.write(count - sent < CHUNK ? buf.subarray(0, count - sent) : buf)) await once(t, "drain");
  }
  await done;
  const t3 = performance.now();
  const c3 = cpu();
  t.destroy();
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
