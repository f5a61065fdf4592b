// A checksummed echo through the Promise API, used in this process and inside Workers:
// `count` connections served by acceptAsync at once, each client sending a length-prefixed
// body (its size from `bodySize(i)`, filled with `fill(i)`) and checking the server's SHA-256
// and echo of it. Resolves to the number of connections served; rejects on a bad echo.
import { createHash } from "node:crypto";
import * as socket from "../../dist/index.js";
import { listener } from "./peers.js";

const digest = (bytes) => createHash("sha256").update(bytes).digest();

export async function checksummedEcho(count, { bodySize = (i) => 1000 + i * 531, fill = (i) => i } = {}) {
  const [srv, addr] = listener();
  srv.listen(128);
  const server = (async () => {
    const handlers = [];
    for (let i = 0; i < count; i++) {
      const [conn] = await srv.acceptAsync();
      handlers.push(
        (async () => {
          const length = (await conn.readAsync(4)).readUInt32BE(0);
          const body = await conn.readAsync(length);
          await conn.sendallAsync(digest(body));
          await conn.sendallAsync(body);
          conn.close();
        })(),
      );
    }
    await Promise.all(handlers);
  })();
  const clients = [];
  for (let i = 0; i < count; i++) {
    clients.push(
      (async () => {
        const c = socket.socket();
        c.settimeout(10);
        await c.connectAsync(addr);
        const body = Buffer.alloc(bodySize(i), fill(i));
        const header = Buffer.alloc(4);
        header.writeUInt32BE(body.length);
        await c.sendallAsync(header);
        await c.sendallAsync(body);
        const sum = await c.readAsync(32);
        const back = await c.readAsync();
        c.close();
        if (!sum.equals(digest(body)) || !back.equals(body)) throw new Error(`connection ${i}: bad echo`);
      })(),
    );
  }
  await Promise.all(clients);
  await server;
  srv.close();
  return count;
}
