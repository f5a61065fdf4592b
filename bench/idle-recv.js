// Memory of idle connections each waiting in recvAsync(n) (issue 11): N loopback TCP
// connections, one pending recvAsync(n) on the client end of each, measured after a full
// garbage collection, then one byte sent to each and every result checked.
//
//   node bench/idle-recv.js [N = 5000] [n = 65536]
//
// Prints one JSON line: RSS, ArrayBuffer and V8 heap growth from before the calls to while
// they wait. Needs 2N + 1 descriptors (ulimit -n).
import v8 from "node:v8";
import vm from "node:vm";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");
const u = await import(process.env.USOCKET ?? dist);
const count = Number(process.argv[2] ?? 5000);
const n = Number(process.argv[3] ?? 65536);
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
};

const server = u.socket();
server.bind(["127.0.0.1", 0]);
server.listen(1024);
const address = ["127.0.0.1", server.getsockname()[1]];
const pairs = [];
for (let i = 0; i < count; i++) {
  const client = u.socket();
  client.connect(address);
  pairs.push([client, server.accept()[0]]);
}
await settle();
const before = process.memoryUsage();
const pending = pairs.map(([client]) => client.recvAsync(n));
await settle();
const waiting = process.memoryUsage();
for (const [, peer] of pairs) peer.send(Buffer.from("x"));
const results = await Promise.all(pending);
const ok = results.every((r) => r.length === 1 && r[0] === 0x78);
const mib = (bytes) => Number((bytes / 1048576).toFixed(1));
console.log(
  JSON.stringify({
    connections: count,
    n,
    ok,
    rssMiB: mib(waiting.rss),
    rssGrowthMiB: mib(waiting.rss - before.rss),
    arrayBuffersGrowthMiB: mib(waiting.arrayBuffers - before.arrayBuffers),
    heapGrowthMiB: mib(waiting.heapUsed - before.heapUsed),
  }),
);
for (const [client, peer] of pairs) {
  client.close();
  peer.close();
}
server.close();
process.exitCode = ok ? 0 : 1;
