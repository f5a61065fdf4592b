// A poll-driven echo server: one thread, non-blocking sockets, one select.Poll. It echoes
// whatever each client sends until the client shuts down its sending side, then closes.
//
//   node examples/poll-echo/server.js [clients=10] [seconds=30] [--quiet]
//
// It listens on 127.0.0.1 (port chosen by the system, printed on the first line) and exits
// after `clients` connections have finished, or after `seconds`. Run the client beside it:
//   node examples/poll-echo/client.js <port>
import * as socket from "usocket-node";
import { poll, POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL } from "usocket-node/select";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const quiet = process.argv.includes("--quiet");
const expected = Number(args[0] ?? 10);
const seconds = Number(args[1] ?? 30);
const log = quiet ? () => {} : (line) => console.log(`server: ${line}`);

const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
listener.bind(["127.0.0.1", 0]);
listener.listen(1024);
listener.setblocking(false);
const [host, port] = listener.getsockname();
console.log(`listening on ${host}:${port}`);

const poller = poll();
poller.register(listener, POLLIN);
/** For each connection: what it sent that is not yet echoed, and whether it said EOF. */
const connections = new Map();
let finished = 0;
let echoed = 0;
const deadline = performance.now() + seconds * 1000;

function acceptAll() {
  for (;;) {
    let conn, address;
    try {
      [conn, address] = listener.accept();
    } catch (error) {
      if (error.code === "EAGAIN") return;
      throw error;
    }
    conn.setblocking(false);
    connections.set(conn, { pending: [], eof: false, address });
    poller.register(conn, POLLIN);
    log(`${address.join(":")} connected (${connections.size} open)`);
  }
}

function finish(conn, why) {
  const state = connections.get(conn);
  poller.unregister(conn);
  connections.delete(conn);
  conn.close();
  finished++;
  log(`${state.address.join(":")} ${why} (${finished} of ${expected} done)`);
}

function serve(conn, revents) {
  const state = connections.get(conn);
  try {
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
      const data = conn.recv(65536);
      if (data.length === 0) state.eof = true;
      else state.pending.push(data);
    }
    while (state.pending.length > 0) {
      const chunk = state.pending[0];
      const sent = conn.send(chunk);
      echoed += sent;
      if (sent < chunk.length) {
        state.pending[0] = chunk.subarray(sent);
        break;
      }
      state.pending.shift();
    }
  } catch (error) {
    if (error.code !== "EAGAIN") return finish(conn, `failed: ${error.code}`);
  }
  if (state.eof && state.pending.length === 0) return finish(conn, "finished");
  // Ask for POLLOUT only while there is something to write; stop reading at EOF.
  poller.modify(conn, (state.eof ? 0 : POLLIN) | (state.pending.length > 0 ? POLLOUT : 0));
}

while (finished < expected) {
  const left = deadline - performance.now();
  if (left <= 0) {
    console.log(`server: time is up with ${connections.size} connection(s) open`);
    break;
  }
  for (const [obj, revents] of poller.poll(Math.min(left, 1000))) {
    if (obj === listener) acceptAll();
    else if (revents & POLLNVAL) poller.unregister(obj);
    else serve(obj, revents);
  }
}
for (const conn of [...connections.keys()]) finish(conn, "closed at exit");
listener.close();
console.log(`server: ${finished} connection(s) served, ${echoed} bytes echoed`);
