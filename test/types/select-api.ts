// Compiled (not run) by `npm run typecheck`: usocket-node/select's declarations as a user sees them.
import * as socket from "../../dist/index.js";
import { poll, select, POLLIN, POLLOUT, POLLNVAL, type Poll, type PollResult } from "../../dist/select.js";

const s: socket.Socket = socket.socket();
const p: Poll = poll();
p.register(s, POLLIN | POLLOUT);
p.register(3);
p.register({ fileno: () => 4 });
p.modify(s, POLLIN);
const ready: PollResult[] = p.poll(100);
for (const [obj, revents] of p.ipoll(0, 1)) {
  if (obj === s && (revents & POLLNVAL) !== 0) p.unregister(obj);
}
const later: Promise<PollResult[]> = p.pollAsync(1000, { signal: AbortSignal.timeout(500) });
const sockets: Poll<socket.Socket> = poll<socket.Socket>();
sockets.register(s);
const first: socket.Socket | undefined = sockets.poll(0)[0]?.[0];
const [r, w, x]: [socket.Socket[], socket.Socket[], socket.Socket[]] = select([s], [s], [], 0.5);
void [ready, later, first, r, w, x];
