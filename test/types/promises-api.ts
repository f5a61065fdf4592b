// Compiled (not run) by `npm run typecheck`: the Promise twins' declarations as a
// TypeScript user would use them.
import * as socket from "../../dist/index.js";

async function client(signal: AbortSignal): Promise<void> {
  const info: socket.AddrInfo[] = await socket.getaddrinfoAsync("localhost", 80, socket.AF_INET, 0, 0, 0, { signal });
  const s = socket.socket();
  await s.connectAsync(info[0]![4], { signal });
  const sent: number = await s.sendAsync("x", { signal });
  const sentFlags: number = await s.sendAsync("x", 0, { signal });
  await s.sendallAsync(new Uint8Array(4));
  const to: number = await s.sendtoAsync("x", ["127.0.0.1", 9]);
  const toFlags: number = await s.sendtoAsync("x", 0, ["127.0.0.1", 9], { signal });
  const data: Buffer = await s.recvAsync(10, { signal });
  const [dgram, from]: [Buffer, socket.Address] = await s.recvfromAsync(10, 0);
  const n: number = await s.recv_intoAsync(new Uint8Array(4), 2, 0, { signal });
  const all: Buffer | null = await s.readAsync();
  const some: Buffer | null = await s.readAsync(5, { signal });
  const filled: number | null = await s.readintoAsync(new Uint8Array(4), { signal });
  const line: Buffer | null = await s.readlineAsync(80);
  const wrote: number | null = await s.writeAsync("line\n", { signal });
  const [peer, address]: [socket.Socket, socket.Address] = await s.acceptAsync({ signal });
  const options: socket.AsyncOptions = { signal };
  void [sent, sentFlags, to, toFlags, data, dgram, from, n, all, some, filled, line, wrote, peer, address, options];
}
void client;
