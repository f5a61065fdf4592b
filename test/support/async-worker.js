// A Worker for the Promise API tests. workerData.mode:
//   "echo"    — serves `count` connections with acceptAsync and checks each checksummed echo;
//               posts { served }.
//   "pending" — leaves acceptAsync, recvAsync and sendallAsync pending, posts "pending" and
//               waits to be terminated (or, with exit: true, calls process.exit itself).
import { parentPort, workerData } from "node:worker_threads";
import { createHash } from "node:crypto";
import * as socket from "../../dist/index.js";
import { listener, tcpPair } from "./peers.js";

const digest = (bytes) => createHash("sha256").update(bytes).digest();

async function echo(count) {
  const [srv, addr] = listener();
  srv.listen(128);
  const server = (async () => {
    const handlers = [];
    for (let i = 0; i < count; i++) {
      const [conn] = await srv.acceptAsync();
      handlers.push((async () => {
        const length = (await conn.readAsync(4)).readUInt32BE(0);
        const body = await conn.readAsync(length);
        await conn.sendallAsync(digest(body));
        await conn.sendallAsync(body);
        conn.close();
      })());
    }
    await Promise.all(handlers);
  })();
  const clients = [];
  for (let i = 0; i < count; i++) {
    clients.push((async () => {
      const c = socket.socket();
      c.settimeout(10);
      await c.connectAsync(addr);
      const body = Buffer.alloc(500 + i * 317, i + workerData.seed);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length);
      await c.sendallAsync(Buffer.concat([header, body]));
      const sum = await c.readAsync(32);
      const back = await c.readAsync();
      c.close();
      if (!sum.equals(digest(body)) || !back.equals(body)) throw new Error(`connection ${i}: bad echo`);
    })());
  }
  await Promise.all(clients);
  await server;
  srv.close();
  return count;
}

if (workerData.mode === "echo") {
  parentPort.postMessage({ served: await echo(workerData.count) });
} else {
  const [srv] = listener();
  const [a, b] = tcpPair();
  const calls = [srv.acceptAsync(), a.recvAsync(10), a.readAsync(100), b.sendallAsync(Buffer.alloc(32 * 1024 * 1024))];
  for (const call of calls) call.catch(() => {});
  parentPort.postMessage("pending");
  if (workerData.exit) setTimeout(() => process.exit(3), 50);
}
